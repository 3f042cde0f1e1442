// Package dynamostore is the actors.Store on Amazon DynamoDB: the store for more than one
// task, since every task reads and writes the same table and nothing is lost when a task
// is replaced.
//
// # Table
//
// One table with partition key "id" (number) and a global secondary index "by-id" whose
// partition key "p" is the constant "actor" and whose sort key is "id", projecting all
// attributes (CreateTable makes it; Terraform makes it in AWS). Items:
//
//   - an actor: id, p = "actor", name, role, version;
//   - the counter, id 0: next (the last id handed out), live (how many actors the table
//     holds, see Limit) and seeded (see Seed);
//   - a tombstone, left by Delete: id and expires_at only.
//
// # Ids
//
// Create takes the next id with UpdateItem ADD next 1 on the counter — atomic, so two
// tasks never get the same id — and then puts the actor on condition
// attribute_not_exists(id). Ids are never reused: the counter only grows, and a deleted
// id keeps its tombstone.
//
// # Limit
//
// Config.MaxActors bounds how many actors the table holds, whichever tasks write it, and
// so what a client with the credentials can make the table cost. The counter's live
// attribute counts them: Create's UpdateItem adds one to next and to live in the same
// request, on condition "live < MaxActors" when there is a limit, so tasks creating at
// once cannot overshoot it; a refused Create takes no id. Delete counts its actor out
// with one more UpdateItem (ADD live -1) once its tombstone is in. That second request
// is not atomic with the first (a transaction would be, at twice the write cost, and
// dynalite, on which the store is tested, has none): should it fail, the count stays one
// high, the safe side. A table written before live existed gets it at the next Seed,
// from a count of the by-id index. The count is kept with or without a limit, so one
// can be set at any time.
//
// # Versions and If-Match
//
// Every write is one conditional UpdateItem (or PutItem for Delete) whose condition is
// on the item's version: "version IN (the If-Match versions)", or, with no If-Match,
// "attribute_exists(version)" (the actor exists and is not a tombstone). The new
// version is computed by DynamoDB (SET version = version + 1) in the same request, so
// the check and the write are atomic across every task: no read-modify-write window,
// no lost update. A failed condition is told apart as not found or version mismatch
// from the old item DynamoDB returns with the failure (or one consistent GetItem, for
// servers that do not return it). An If-Match of more than 100 versions (DynamoDB's
// limit for IN) is checked against a consistent read and written on condition of the
// version read, retried while it keeps changing.
//
// # Listing in id order, and its cost
//
// A Scan has no order, so List queries the by-id index: its single partition "actor"
// holds every actor sorted by id. A page is one Query with ScanIndexForward, Limit =
// limit+1 (the extra item tells whether More actors follow without an empty last page)
// and ExclusiveStartKey = {p: "actor", id: after}, so a page costs the items it returns
// (read units for about limit+1 items) whatever the table size or how deep the cursor
// is. The counter and tombstones have no "p" and so never appear in the index.
// Trade-offs, honestly: index reads are eventually consistent (a create may take a
// moment to show in List, while Get is strongly consistent), and the constant
// partition key puts every actor in one index partition, which caps index writes at
// about 1,000 per second and its size at one partition's — plenty for this service,
// and the index would need sharding (p = "actor#N", merged on read) past it. Every
// write also writes the index once (one more write unit).
//
// # Seed
//
// Seed writes the 8 seed actors only into an empty table, and is idempotent when tasks
// start together: it creates the counter as {next: 8, seeded: false} on condition
// attribute_not_exists (so ids 1 to 8 are reserved before any Create), puts each seed
// actor on condition attribute_not_exists(id) (so a task that races another writes
// each actor at most once), then sets seeded = true. A task that finds seeded = true,
// or a counter made by Create on a table that was never seeded, writes nothing. A seed
// actor deleted later is not brought back by a slow task still seeding, because Delete
// leaves a tombstone that attribute_not_exists sees; the tombstone carries expires_at
// (one day on) for DynamoDB's TTL to clear once no task can still be seeding.
//
// # Failures
//
// Every request runs under its own timeout (Config.Timeout, default 2s) and the SDK
// retries at most Config.MaxAttempts times with a short backoff, so no call hangs.
// Any failure to complete a request — network, timeout, throttling after retries, a
// missing table, denied access — is wrapped with actors.ErrUnavailable, which the HTTP
// layer answers with 503; only a malformed request (a bug) is a plain error.
package dynamostore
