# The alarms' math, the roles' boundary and the ECR rules, planned with the real hashicorp/aws
# provider (its own validation and plan-time checks run; a mock skips them). Nothing reaches AWS:
# dummy static keys, the skip_* flags, every data source overridden, plans only.

provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/deployer", user_id = "AIDADEPLOYER" }
}

override_data {
  target = data.aws_region.current
  values = { id = "eu-central-1", name = "eu-central-1" }
}

override_data {
  target = data.aws_availability_zones.available
  values = { names = ["eu-central-1a", "eu-central-1b", "eu-central-1c"], zone_ids = ["euc1-az2", "euc1-az3", "euc1-az1"] }
}

override_data {
  target = data.aws_secretsmanager_random_password.api
  values = { random_password = "FirstGeneratedPassword0123456789" }
}

override_data {
  target = data.aws_route53_zone.this
  values = { zone_id = "Z0123456789ABCDEFGHIJ", name = "example.com" }
}

variables {
  image_tag = "abc1234-amd64"
}

run "alarm_math_on_the_real_provider" {
  command = plan

  variables {
    # the longest name there is: the roles' prefixes and every ARN must still fit
    name               = "abcdefghij-abcdefghij-abcdefghij"
    alarm_min_requests = 25
  }

  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency)) :
      startswith(one([for q in a.metric_query : q.expression if q.return_data == true]), "IF(FILL(requests, 0) >= 25, ") && a.treat_missing_data == "notBreaching"
    ])
    error_message = "the operations' alarms must only judge periods with alarm_min_requests requests"
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.operation_5xx["createActor"].metric_query : q.expression if q.return_data == true]) == "IF(FILL(requests, 0) >= 25, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)"
    error_message = "the 5xx rate must leave out 507 (StoreFull)"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.heartbeat.treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.heartbeat.comparison_operator == "LessThanThreshold" && aws_cloudwatch_metric_alarm.heartbeat.datapoints_to_alarm == aws_cloudwatch_metric_alarm.heartbeat.evaluation_periods
    error_message = "the heartbeat must treat missing data as breaching, in every period it looks at"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.store_full.metric_name == "StoreFull" && !contains(aws_ecs_service.this.alarms[0].alarm_names, aws_cloudwatch_metric_alarm.store_full.alarm_name)
    error_message = "a full store must page and never roll back"
  }
  assert {
    condition = (
      aws_iam_role.execution.path == "/abcdefghij-abcdefghij-abcdefghij/" &&
      aws_iam_role.execution.name_prefix == "abcdefghij-abcdefghij-abcdefghij-exec-" &&
      aws_iam_role.task.name_prefix == "abcdefghij-abcdefghij-abcdefghij-task-" &&
      aws_iam_role.execution.permissions_boundary == "arn:aws:iam::123456789012:policy/abcdefghij-abcdefghij-abcdefghij/abcdefghij-abcdefghij-abcdefghij-boundary" &&
      aws_iam_role.task.permissions_boundary == aws_iam_role.execution.permissions_boundary
    )
    error_message = "a 32-character name must still give roles under its path, with the boundary the IAM set-up makes"
  }
}

run "rollback_off_for_a_hotfix" {
  command = plan

  variables {
    rollback_on_alarms = false
  }

  assert {
    condition     = !aws_ecs_service.this.alarms[0].enable && aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "rollback_on_alarms = false must stop the alarm rollback, and only that"
  }
}

run "ecr_keeps_the_last_two_revisions_images" {
  command = plan

  variables {
    image_tag          = "def5678-amd64"
    previous_image_tag = "abc1234-amd64"
    ecr_keep_images    = 3
  }

  assert {
    condition = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : "${r.rulePriority} ${jsonencode(r.selection)}"] == [
      "1 ${jsonencode({ countNumber = 1, countType = "imageCountMoreThan", tagPatternList = ["def5678-amd64"], tagStatus = "tagged" })}",
      "2 ${jsonencode({ countNumber = 1, countType = "imageCountMoreThan", tagPatternList = ["abc1234-amd64"], tagStatus = "tagged" })}",
      "3 ${jsonencode({ countNumber = 3, countType = "imageCountMoreThan", tagPatternList = ["*"], tagStatus = "tagged" })}",
      "4 ${jsonencode({ countNumber = 1, countType = "sinceImagePushed", countUnit = "days", tagStatus = "untagged" })}",
    ]
    error_message = "the running tag and the one before must each have a rule that never expires them, ahead of the rest"
  }
}
