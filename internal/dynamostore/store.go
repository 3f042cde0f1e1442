package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/actors-dev/actors/internal/actors"
)

// Store is an actors.Store on one DynamoDB table, safe for concurrent use by any number
// of goroutines, processes and tasks sharing the table.
type Store struct {
	client    *dynamodb.Client
	table     *string
	timeout   time.Duration
	maxActors int64 // 0: no limit
}

var _ actors.Store = (*Store)(nil)

// newStore returns a store on cfg.Table through client. The table must exist (Terraform
// makes it; dynalitetest.Table in tests); call Seed before serving.
func newStore(client *dynamodb.Client, cfg Config) *Store {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	return &Store{client: client, table: aws.String(cfg.Table), timeout: cfg.Timeout, maxActors: int64(cfg.MaxActors)}
}

// do runs one request under its own deadline, so a slow or unreachable table never hangs
// a caller that has none, and wraps its error with fail. A failed condition stays
// visible to errors.As.
func (s *Store) do(ctx context.Context, op string, req func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := req(ctx); err != nil {
		return fail(op, err)
	}
	return nil
}

// record is an item as stored. Version is 0 for the counter and for tombstones, which
// are therefore never taken for actors.
type record struct {
	ID      int64  `dynamodbav:"id"`
	Part    string `dynamodbav:"p,omitempty"`
	Name    string `dynamodbav:"name"`
	Role    string `dynamodbav:"role"`
	Version int64  `dynamodbav:"version,omitempty"`
}

func key(id int64) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrID: &types.AttributeValueMemberN{Value: strconv.FormatInt(id, 10)}}
}

// decode returns the actor an item holds, or false when it holds none.
func decode(item map[string]types.AttributeValue) (actors.Actor, bool, error) {
	if item == nil {
		return actors.Actor{}, false, nil
	}
	var r record
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return actors.Actor{}, false, fmt.Errorf("dynamostore: decode item: %w", err)
	}
	if r.Version == 0 {
		return actors.Actor{}, false, nil
	}
	return actors.Actor{ID: r.ID, Name: r.Name, Role: r.Role, Version: r.Version}, true, nil
}

func notFound(op string, id int64) error {
	return fmt.Errorf("dynamostore: %s %d: %w", op, id, actors.ErrNotFound)
}

// Get reads the actor with a strongly consistent read, so a task sees the writes that
// any task completed before.
func (s *Store) Get(ctx context.Context, id int64) (actors.Actor, error) {
	if id < 1 {
		return actors.Actor{}, notFound("get", id)
	}
	a, ok, err := s.get(ctx, id)
	if err != nil {
		return actors.Actor{}, err
	}
	if !ok {
		return actors.Actor{}, notFound("get", id)
	}
	return a, nil
}

func (s *Store) get(ctx context.Context, id int64) (actors.Actor, bool, error) {
	var out *dynamodb.GetItemOutput
	err := s.do(ctx, fmt.Sprint("get ", id), func(ctx context.Context) (err error) {
		out, err = s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: key(id), ConsistentRead: aws.Bool(true)})
		return err
	})
	if err != nil {
		return actors.Actor{}, false, err
	}
	return decode(out.Item)
}

// Create takes the next id from the counter, counting the actor in, and puts the actor
// under it.
func (s *Store) Create(ctx context.Context, f actors.Fields) (actors.Actor, error) {
	id, err := s.nextID(ctx)
	if err != nil {
		return actors.Actor{}, err
	}
	a := actors.Actor{ID: id, Name: f.Name, Role: f.Role, Version: 1}
	put, err := s.putActor(ctx, "create", a)
	if err != nil {
		return actors.Actor{}, err
	}
	if !put {
		// Only a write that bypassed the counter can get here (e.g. a hand-made item).
		return actors.Actor{}, fmt.Errorf("dynamostore: create: id %d is already taken: the counter is behind the data", id)
	}
	return a, nil
}

// nextID atomically adds one to the counter's next and live, and returns the new next.
// With a limit, the same request is conditional on live being below it, so tasks that
// create at once can never take the table past the limit. An id whose put then fails is
// skipped, never reused, and stays counted: the count errs on the safe side.
func (s *Store) nextID(ctx context.Context) (int64, error) {
	b := expression.NewBuilder().WithUpdate(expression.
		Add(expression.Name(attrNext), expression.Value(1)).
		Add(expression.Name(attrLive), expression.Value(1)))
	if s.maxActors > 0 {
		// No live attribute: a counter that Create is making on a new table.
		b = b.WithCondition(expression.Or(
			expression.AttributeNotExists(expression.Name(attrLive)),
			expression.Name(attrLive).LessThan(expression.Value(s.maxActors))))
	}
	expr := build(b)
	var out *dynamodb.UpdateItemOutput
	err := s.do(ctx, "next id", func(ctx context.Context) (err error) {
		out, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: s.table, Key: key(counterID),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValues: types.ReturnValueUpdatedNew,
		})
		return err
	})
	if ccf := (*types.ConditionalCheckFailedException)(nil); errors.As(err, &ccf) {
		return 0, fmt.Errorf("dynamostore: create: the table holds its limit of %d actors: %w", s.maxActors, actors.ErrFull)
	}
	if err != nil {
		return 0, err
	}
	var c struct {
		Next int64 `dynamodbav:"next"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &c); err != nil || c.Next < 1 {
		return 0, fmt.Errorf("dynamostore: next id: bad counter %v: %w", out.Attributes, err)
	}
	return c.Next, nil
}

// Replace sets both fields if m allows the actor's version.
func (s *Store) Replace(ctx context.Context, id int64, f actors.Fields, m actors.IfMatch) (actors.Actor, error) {
	return s.update(ctx, "replace", id, m, func(u expression.UpdateBuilder) expression.UpdateBuilder {
		return u.Set(expression.Name(attrName), expression.Value(f.Name)).Set(expression.Name(attrRole), expression.Value(f.Role))
	})
}

// Update sets the patch's fields if m allows the actor's version.
func (s *Store) Update(ctx context.Context, id int64, p actors.Patch, m actors.IfMatch) (actors.Actor, error) {
	return s.update(ctx, "update", id, m, func(u expression.UpdateBuilder) expression.UpdateBuilder {
		if p.Name != nil {
			u = u.Set(expression.Name(attrName), expression.Value(*p.Name))
		}
		if p.Role != nil {
			u = u.Set(expression.Name(attrRole), expression.Value(*p.Role))
		}
		return u
	})
}

// update is one conditional UpdateItem that also bumps the version server-side.
func (s *Store) update(ctx context.Context, op string, id int64, m actors.IfMatch, set func(expression.UpdateBuilder) expression.UpdateBuilder) (actors.Actor, error) {
	if id < 1 {
		return actors.Actor{}, notFound(op, id)
	}
	var out *dynamodb.UpdateItemOutput
	err := s.conditional(ctx, op, id, m, func(ctx context.Context, cond expression.ConditionBuilder) error {
		bump := expression.Set(expression.Name(attrVersion), expression.Name(attrVersion).Plus(expression.Value(1)))
		expr := build(expression.NewBuilder().WithCondition(cond).WithUpdate(set(bump)))
		var err error
		out, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: s.table, Key: key(id),
			ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValues:                        types.ReturnValueAllNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		return err
	})
	if err != nil {
		return actors.Actor{}, err
	}
	a, ok, err := decode(out.Attributes)
	if err == nil && !ok {
		err = fmt.Errorf("dynamostore: %s %d: the write returned no actor", op, id)
	}
	return a, err
}

// Delete replaces the actor with a tombstone if m allows its version, then counts it out.
// The tombstone keeps a slow Seed from putting a deleted seed actor back (see "Seed" in
// docs/dynamodb.md).
func (s *Store) Delete(ctx context.Context, id int64, m actors.IfMatch) error {
	if id < 1 {
		return notFound("delete", id)
	}
	tomb := map[string]types.AttributeValue{
		attrID:      key(id)[attrID],
		attrExpires: &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(tombstoneTTL).Unix(), 10)},
	}
	err := s.conditional(ctx, "delete", id, m, func(ctx context.Context, cond expression.ConditionBuilder) error {
		expr := build(expression.NewBuilder().WithCondition(cond))
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: s.table, Item: tomb,
			ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		return err
	})
	if err != nil {
		return err
	}
	// Only the delete whose tombstone went in gets here, so an actor is counted out once.
	// Should this request fail, the actor is gone all the same and the count stays one
	// high, the safe side of a limit: so the delete is reported done.
	countOut := build(expression.NewBuilder().WithUpdate(expression.Add(expression.Name(attrLive), expression.Value(-1))))
	_ = s.do(ctx, "delete: count out", func(ctx context.Context) error {
		_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: s.table, Key: key(counterID),
			UpdateExpression: countOut.Update(), ExpressionAttributeNames: countOut.Names(), ExpressionAttributeValues: countOut.Values(),
		})
		return err
	})
	return nil
}

// tombstoneTTL is far longer than any Seed can run, after which a tombstone has no use.
const tombstoneTTL = 24 * time.Hour

// maxIn is DynamoDB's limit on the operands of IN.
const maxIn = 100

// conditional runs write (one request) under the condition that m allows the item's
// version, and turns a failed condition into ErrNotFound or ErrVersionMismatch.
func (s *Store) conditional(ctx context.Context, op string, id int64, m actors.IfMatch, write func(context.Context, expression.ConditionBuilder) error) error {
	m = unique(m)
	if len(m) > maxIn {
		return s.conditionalByRead(ctx, op, id, m, write)
	}
	version := expression.Name(attrVersion)
	cond := expression.AttributeExists(version) // any version, but an actor, not a tombstone
	if len(m) > 0 {
		ops := make([]expression.OperandBuilder, len(m))
		for i, v := range m {
			ops[i] = expression.Value(v)
		}
		cond = expression.In(version, ops[0], ops[1:]...)
	}
	err := s.do(ctx, fmt.Sprint(op, " ", id), func(ctx context.Context) error { return write(ctx, cond) })
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return err
	}
	if len(m) == 0 {
		return notFound(op, id) // the only way attribute_exists(version) fails
	}
	old, live, err := decode(ccf.Item)
	if err != nil {
		return err
	}
	if ccf.Item == nil { // the server did not return the old item: read it
		if old, live, err = s.get(ctx, id); err != nil {
			return err
		}
	}
	if !live {
		return notFound(op, id)
	}
	return fmt.Errorf("dynamostore: %s %d at version %d: %w", op, id, old.Version, actors.ErrVersionMismatch)
}

// conditionalByRead handles an If-Match with more versions than IN takes: it reads the
// version, checks it against m here, and writes on condition of exactly that version,
// reading again if another write got in between.
func (s *Store) conditionalByRead(ctx context.Context, op string, id int64, m actors.IfMatch, write func(context.Context, expression.ConditionBuilder) error) error {
	for {
		cur, ok, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(op, id)
		}
		if !m.Allows(cur.Version) {
			return fmt.Errorf("dynamostore: %s %d at version %d: %w", op, id, cur.Version, actors.ErrVersionMismatch)
		}
		err = s.conditional(ctx, op, id, actors.IfMatch{cur.Version}, write)
		if !errors.Is(err, actors.ErrVersionMismatch) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("dynamostore: %s %d: %w: %w", op, id, actors.ErrUnavailable, ctx.Err())
		}
	}
}

// build builds an expression whose shape is fixed by the code here, so that it fails only
// on a bug in that code: it panics then, as regexp.MustCompile does (in a request, the HTTP
// layer answers 500).
func build(b expression.Builder) expression.Expression {
	expr, err := b.Build()
	if err != nil {
		panic(fmt.Sprintf("dynamostore: build expression: %v", err))
	}
	return expr
}

func unique(m actors.IfMatch) actors.IfMatch {
	if len(m) < 2 {
		return m
	}
	m = slices.Clone(m)
	slices.Sort(m)
	return slices.Compact(m)
}
