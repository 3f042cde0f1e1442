package dynamostore

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/actors-dev/actors/internal/actors"
)

// Seed writes actors.Seed() as ids 1 to 8 if the table has never held actors, and is
// safe to call from any number of tasks at once; see "Seed" in docs/dynamodb.md.
// Call it before serving: a task that serves before its Seed returned could see a
// half-seeded table.
func (s *Store) Seed(ctx context.Context) error {
	seed := actors.Seed()
	// The counter at len(seed) with seeded = false, unless it exists: ids 1…8 are then
	// reserved for the seed, and its actors counted in.
	counter, err := attributevalue.MarshalMap(map[string]any{attrID: counterID, attrNext: len(seed), attrSeeded: false, attrLive: len(seed)})
	if err != nil {
		return fmt.Errorf("dynamostore: seed: %w", err)
	}
	claimed, err := s.putIfAbsent(ctx, "seed: counter", counter)
	if err != nil {
		return err
	}
	if !claimed {
		done, err := s.seeded(ctx)
		if err != nil || done {
			return err
		}
	}
	for i, f := range seed {
		if _, err := s.putActor(ctx, fmt.Sprint("seed: actor ", i+1), actors.Actor{ID: int64(i + 1), Name: f.Name, Role: f.Role, Version: 1}); err != nil {
			return err
		}
	}
	expr := build(expression.NewBuilder().WithUpdate(expression.Set(expression.Name(attrSeeded), expression.Value(true))))
	return s.do(ctx, "seed: mark done", func(ctx context.Context) error {
		_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: s.table, Key: key(counterID),
			UpdateExpression: expr.Update(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		})
		return err
	})
}

// seeded reports whether seeding is done: seeded = true, or a counter without the
// attribute, which Create made on a table that was never seeded and is not empty.
func (s *Store) seeded(ctx context.Context) (bool, error) {
	var out *dynamodb.GetItemOutput
	err := s.do(ctx, "read counter", func(ctx context.Context) (err error) {
		out, err = s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: key(counterID), ConsistentRead: aws.Bool(true)})
		return err
	})
	if err != nil {
		return false, err
	}
	v, ok := out.Item[attrSeeded].(*types.AttributeValueMemberBOOL)
	return !ok || v.Value, nil
}

// putActor puts a unless an item with its id exists, and reports whether it did.
func (s *Store) putActor(ctx context.Context, op string, a actors.Actor) (bool, error) {
	item, err := attributevalue.MarshalMap(record{ID: a.ID, Part: partition, Name: a.Name, Role: a.Role, Version: a.Version})
	if err != nil {
		return false, fmt.Errorf("dynamostore: %s: encode actor: %w", op, err)
	}
	return s.putIfAbsent(ctx, op, item)
}

// putIfAbsent puts item unless an item with its id exists (an actor, a tombstone or the
// counter), and reports whether it did.
func (s *Store) putIfAbsent(ctx context.Context, op string, item map[string]types.AttributeValue) (bool, error) {
	expr := build(expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(attrID))))
	err := s.do(ctx, op, func(ctx context.Context) error {
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: s.table, Item: item,
			ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		})
		return err
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	return err == nil, err
}
