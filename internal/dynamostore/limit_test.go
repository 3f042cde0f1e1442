package dynamostore_test

import (
	"testing"

	"github.com/actors-dev/actors/internal/actors"
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
