# The shared store (var.store = "dynamodb"): one table that every task reads and writes, so the
# service can run more than one task and keeps its data when a task is replaced. Its shape is the
# one internal/dynamostore expects (see its doc.go); nothing is created with the default "memory".

locals {
  dynamodb = var.store == "dynamodb"
  # The global secondary index internal/dynamostore lists from (its doc.go): every actor sorted
  # by id, for paging in id order. The store names it the same.
  dynamodb_index = "by-id"
}

resource "aws_dynamodb_table" "this" {
  count = local.dynamodb ? 1 : 0

  name = var.name
  # On-demand: billed per request, nothing while idle (like Fargate, no capacity to plan).
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "N"
  }
  attribute {
    name = "p" # the constant "actor" on actor items only
    type = "S"
  }

  global_secondary_index {
    name            = local.dynamodb_index
    hash_key        = "p"
    range_key       = "id"
    projection_type = "ALL"
  }

  # Delete leaves a tombstone (so a slow seeding task cannot bring a deleted actor back) that
  # carries expires_at; TTL clears it, for free, once no task can still be seeding.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  # The AWS managed key (aws/dynamodb): its key policy lets any principal of the account that may
  # use this table use the key through DynamoDB, so the task role needs no kms: action.
  server_side_encryption {
    enabled = true
  }

  # Off by default so that make delete removes the table (DynamoDB keeps a free system backup of
  # a PITR-enabled table for 35 days after deletion).
  deletion_protection_enabled = var.dynamodb_deletion_protection
}

# The application's permissions: exactly the calls internal/dynamostore makes, on this table and
# its index only (no DeleteItem: deletes write tombstones; no Scan, DescribeTable or transactions).
resource "aws_iam_role_policy" "task_dynamodb" {
  count = local.dynamodb ? 1 : 0

  name = "dynamodb-table"
  role = aws_iam_role.task.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadWriteItems"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        Resource = aws_dynamodb_table.this[0].arn
      },
      {
        Sid      = "ListInIdOrder"
        Effect   = "Allow"
        Action   = "dynamodb:Query"
        Resource = "${aws_dynamodb_table.this[0].arn}/index/${local.dynamodb_index}"
      },
    ]
  })
}
