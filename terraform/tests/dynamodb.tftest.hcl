# store = "dynamodb" with autoscaling: the table internal/dynamostore expects, a task role allowed
# exactly its item calls on that table and index, the container told where the table is, any
# number of tasks, and a count that later applies leave to autoscaling. The memory default is
# checked in default.tftest.hcl, the refused counts and a bad store value in validation.tftest.hcl.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "dynamodb_store_with_three_tasks_and_autoscaling" {
  variables {
    image_tag          = "abc1234-amd64"
    store              = "dynamodb"
    desired_count      = 3
    enable_autoscaling = true
  }

  assert {
    condition = (
      aws_dynamodb_table.this[0].name == "actors" &&
      aws_dynamodb_table.this[0].billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.this[0].hash_key == "id" &&
      aws_dynamodb_table.this[0].range_key == null
    )
    error_message = "the table must be on-demand (PAY_PER_REQUEST) with the partition key id alone"
  }
  assert {
    condition     = { for a in aws_dynamodb_table.this[0].attribute : a.name => a.type } == { id = "N", p = "S" }
    error_message = "the key attributes must be id (number) and p (string)"
  }
  assert {
    condition = (
      length(aws_dynamodb_table.this[0].global_secondary_index) == 1 &&
      one(aws_dynamodb_table.this[0].global_secondary_index).name == "by-id" &&
      one(aws_dynamodb_table.this[0].global_secondary_index).hash_key == "p" &&
      one(aws_dynamodb_table.this[0].global_secondary_index).range_key == "id" &&
      one(aws_dynamodb_table.this[0].global_secondary_index).projection_type == "ALL" &&
      length(aws_dynamodb_table.this[0].local_secondary_index) == 0
    )
    error_message = "the table must have exactly the GSI by-id (p, id) projecting all attributes"
  }
  assert {
    condition     = aws_dynamodb_table.this[0].point_in_time_recovery[0].enabled && aws_dynamodb_table.this[0].server_side_encryption[0].enabled
    error_message = "point-in-time recovery and server-side encryption must be on"
  }
  assert {
    condition     = aws_dynamodb_table.this[0].ttl[0].enabled && aws_dynamodb_table.this[0].ttl[0].attribute_name == "expires_at"
    error_message = "TTL must clear tombstones through expires_at"
  }
  assert {
    condition     = aws_dynamodb_table.this[0].deletion_protection_enabled == false
    error_message = "deletion protection must be off by default so that make delete removes the table"
  }
  assert {
    condition     = aws_iam_role_policy.task_dynamodb[0].role == aws_iam_role.task.id
    error_message = "the table policy must be on the task role (not the execution role)"
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.task_dynamodb[0].policy).Statement : [
      for pair in setproduct(flatten([s.Action]), flatten([s.Resource])) : "${s.Effect} ${pair[0]} ${pair[1]}"
      ]])) == toset([
      "Allow dynamodb:GetItem arn:aws:dynamodb:us-east-1:123456789012:table/actors",
      "Allow dynamodb:PutItem arn:aws:dynamodb:us-east-1:123456789012:table/actors",
      "Allow dynamodb:UpdateItem arn:aws:dynamodb:us-east-1:123456789012:table/actors",
      "Allow dynamodb:Query arn:aws:dynamodb:us-east-1:123456789012:table/actors/index/by-id",
    ])
    error_message = "the task role may only GetItem/PutItem/UpdateItem on the table and Query its by-id index"
  }
  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.task_dynamodb[0].policy).Statement :
      toset(keys(s)) == toset(["Sid", "Effect", "Action", "Resource"])
    ])
    error_message = "the table policy statements must have no NotAction/NotResource/Principal/Condition surprises"
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.execution.policy, "dynamodb") && length(aws_iam_role_policy_attachment.task) == 0
    error_message = "only the task role gets table access: nothing for the execution role, no extra attachments"
  }
  assert {
    condition = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value } == {
      ACTORS_ADDR            = ":5000"
      ACTORS_LOG_LEVEL       = "info"
      ACTORS_STORE           = "dynamodb"
      ACTORS_DYNAMODB_TABLE  = "actors"
      AWS_REGION             = "us-east-1"
      GOMEMLIMIT             = "460MiB"
      OTEL_SERVICE_NAME      = "actors"
      ACTORS_TRUSTED_PROXIES = "10.42.32.0/20,10.42.48.0/20"
      ACTORS_IDLE_TIMEOUT    = "10m"
    }
    error_message = "the container must be told ACTORS_STORE=dynamodb, the table's name and its region, in environment"
  }
  assert {
    condition     = [for s in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets : s.name] == ["ACTORS_USERNAME", "ACTORS_PASSWORD"]
    error_message = "the store's settings are not secrets: secrets must still hold only the credentials"
  }
  assert {
    condition     = aws_ecs_service.this.desired_count == 3 && aws_appautoscaling_target.service.min_capacity == 1 && aws_appautoscaling_target.service.max_capacity == 4
    error_message = "with the DynamoDB store the service may run (and autoscale to) more than one task"
  }
  assert {
    condition = (
      output.store == "dynamodb" &&
      output.dynamodb_table_name == "actors" &&
      output.dynamodb_table_arn == "arn:aws:dynamodb:us-east-1:123456789012:table/actors"
    )
    error_message = "outputs must give the table's name and ARN"
  }
}

run "deploy_leaves_the_count_to_autoscaling" {
  # Autoscaling has since moved the service; the next make deploy (a new tag, and a desired_count
  # edited meanwhile) must not reset the count, nor fight the policy.
  variables {
    image_tag          = "def5678-amd64"
    store              = "dynamodb"
    desired_count      = 2
    enable_autoscaling = true
  }

  assert {
    condition     = aws_ecs_service.this.desired_count == 3
    error_message = "with autoscaling, an apply must leave the service's count alone"
  }
  assert {
    condition     = endswith(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image, ":def5678-amd64") && aws_ecs_service.this.task_definition == aws_ecs_task_definition.this.arn
    error_message = "the deploy itself must still roll out the new image"
  }
  assert {
    condition     = aws_appautoscaling_target.service.min_capacity == 1 && aws_appautoscaling_target.service.max_capacity == 4 && length(aws_appautoscaling_policy.cpu) == 1
    error_message = "autoscaling must keep its bounds and policy"
  }
}
