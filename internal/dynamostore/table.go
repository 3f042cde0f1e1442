package dynamostore

// Attribute names and the index, as Terraform (terraform/dynamodb.tf) and the tests'
// tables (dynalitetest.Table) must create them too.
const (
	attrID      = "id"
	attrPart    = "p"
	attrName    = "name"
	attrRole    = "role"
	attrVersion = "version"
	attrNext    = "next"
	attrSeeded  = "seeded"
	attrLive    = "live"       // the counter's count of actors, for the limit
	attrExpires = "expires_at" // the tombstones' TTL attribute (epoch seconds)
	indexName   = "by-id"      // the global secondary index that lists actors in id order

	partition = "actor" // the by-id index's only partition key value
	counterID = 0       // the counter item's id; actors start at 1
)
