package dynamostore_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/actors-dev/actors/internal/actors"
	"github.com/actors-dev/actors/internal/dynamostore/dynalitetest"
	"github.com/actors-dev/actors/internal/storetest"
)

// Two tasks creating at once on one table never take it past the limit: the check and
// the count are one conditional write.
func TestLimitHoldsAcrossStores(t *testing.T) {
	const limit = 10
	a, table := seededWith(t, limit)
	b := openWith(t, table, limit)
	storetest.LimitHolds(t, t.Context(), []actors.Store{a, b}, limit, writers)
}

// A table written before actors were counted gets its count at the next Seed, so a
// limit set later holds from the actors already there.
func TestSeedCountsAnUncountedTable(t *testing.T) {
	ctx := t.Context()
	first, table := seeded(t)
	for range 4 {
		if _, err := first.Create(ctx, actors.Fields{Name: "Sonequa Martin-Green", Role: "Michael Burnham"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := first.Delete(ctx, 2, nil); err != nil {
		t.Fatal(err)
	}
	// 11 actors now; take the count away, as on a table from before it existed.
	_, err := dynalitetest.Client(t).UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberN{Value: "0"}},
		UpdateExpression: aws.String("REMOVE live"),
	})
	if err != nil {
		t.Fatal(err)
	}

	limited := openWith(t, table, 13)
	if err := limited.Seed(ctx); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	for range 2 {
		if _, err := limited.Create(ctx, actors.Fields{Name: "Doug Jones", Role: "Saru"}); err != nil {
			t.Fatalf("Create below the limit: %v", err)
		}
	}
	if _, err := limited.Create(ctx, actors.Fields{Name: "Anthony Rapp", Role: "Paul Stamets"}); !errors.Is(err, actors.ErrFull) {
		t.Fatalf("Create at the limit of 13 with 13 actors: error = %v, want ErrFull", err)
	}
}
