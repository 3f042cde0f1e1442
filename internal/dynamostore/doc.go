// Package dynamostore is the actors.Store on Amazon DynamoDB: the store for more than one
// task, since every task reads and writes the same table and nothing is lost when a task
// is replaced. docs/dynamodb.md describes the table, and how ids, the limit, versions,
// listing, seeding and failures work on it.
package dynamostore
