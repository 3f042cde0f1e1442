package dynamostore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/actors-dev/actors/internal/actors"
)

// List queries the by-id index from `after` on: see "Listing in id order" in
// docs/dynamodb.md for why and what it costs.
func (s *Store) List(ctx context.Context, after int64, limit int) (actors.Page, error) {
	if limit < 1 {
		return actors.Page{}, fmt.Errorf("dynamostore: list: limit %d < 1", limit)
	}
	expr := build(expression.NewBuilder().WithKeyCondition(expression.KeyEqual(expression.Key(attrPart), expression.Value(partition))))
	in := &dynamodb.QueryInput{
		TableName: s.table, IndexName: aws.String(indexName),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ScanIndexForward: aws.Bool(true),
	}
	if after > 0 {
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			attrPart: &types.AttributeValueMemberS{Value: partition},
			attrID:   &types.AttributeValueMemberN{Value: strconv.FormatInt(after, 10)},
		}
	}
	// One item more than the page tells whether More follow. A Query stops at 1 MB, so
	// keep going from LastEvaluatedKey until the page is full or the index ends.
	limit = min(limit, maxPage) // a page is "up to limit"; this keeps limit+1 in range
	want := limit + 1
	items := make([]actors.Actor, 0, min(want, 1001))
	for len(items) < want {
		in.Limit = aws.Int32(int32(want - len(items)))
		out, err := s.query(ctx, in)
		if err != nil {
			return actors.Page{}, err
		}
		for _, it := range out.Items {
			a, ok, err := decode(it)
			if err != nil {
				return actors.Page{}, err
			}
			if ok {
				items = append(items, a)
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if len(items) > limit {
		return actors.Page{Actors: items[:limit], More: true}, nil
	}
	return actors.Page{Actors: items}, nil
}

// maxPage bounds a page far above the API's limit of 1,000.
const maxPage = 1 << 20

func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput) (out *dynamodb.QueryOutput, err error) {
	err = s.do(ctx, "list", func(ctx context.Context) (err error) {
		out, err = s.client.Query(ctx, in)
		return err
	})
	return out, err
}

// Ping reads the counter item: the cheapest request that proves the table exists and
// the credentials may read it (half a read unit), and needs no extra IAM action.
func (s *Store) Ping(ctx context.Context) error {
	return s.do(ctx, "ping", func(ctx context.Context) error {
		_, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: key(counterID)})
		return err
	})
}
