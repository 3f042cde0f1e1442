# Every validation rejects a bad value. Variable validations are checked together in one run
# (expect_failures fails the run if any listed variable is accepted): each terraform test run
# starts the ~700 MB AWS provider, so fewer runs keep the suite fast.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "bad_variable_values_are_rejected" {
  command = plan

  variables {
    name                               = "Actors_Prod"
    region                             = "US East 1"
    tags                               = { "aws:owner" = "me" }
    vpc_cidr                           = "10.0.0.0/8"
    allowed_cidrs                      = ["0.0.0.0/0", "not-a-cidr"]
    image_tag                          = "-bad tag"
    container_port                     = 80
    cpu                                = 300
    memory                             = 700
    cpu_architecture                   = "arm64"
    desired_count                      = -1
    log_level                          = "verbose"
    stop_timeout                       = 600
    deployment_minimum_healthy_percent = 150
    deployment_maximum_percent         = 50
    task_role_policy_arns              = ["AmazonDynamoDBFullAccess"]
    log_retention_days                 = 10
    container_insights                 = "on"
    ecr_keep_images                    = 0
    api_username                       = "kirk:captain"
    api_password                       = "short"
    secret_recovery_window_days        = 3
    certificate_arn                    = "arn:aws:iam::123456789012:server-certificate/x"
    health_check_grace_period          = -5
    autoscaling_min_capacity           = 1.5
    autoscaling_max_capacity           = 0
    autoscaling_cpu_target             = 95
    store                              = "redis"
  }

  expect_failures = [
    var.name,
    var.region,
    var.tags,
    var.vpc_cidr,
    var.allowed_cidrs,
    var.image_tag,
    var.container_port,
    var.cpu,
    var.memory,
    var.cpu_architecture,
    var.desired_count,
    var.log_level,
    var.stop_timeout,
    var.deployment_minimum_healthy_percent,
    var.deployment_maximum_percent,
    var.task_role_policy_arns,
    var.log_retention_days,
    var.container_insights,
    var.ecr_keep_images,
    var.api_username,
    var.api_password,
    var.secret_recovery_window_days,
    var.certificate_arn,
    var.health_check_grace_period,
    var.autoscaling_min_capacity,
    var.autoscaling_max_capacity,
    var.autoscaling_cpu_target,
    var.store,
  ]
}

run "more_bad_values_are_rejected" {
  # second bad value for the variables with more than one way to be wrong
  command = plan

  variables {
    name           = "a-name-that-is-far-too-long-for-iam"
    vpc_cidr       = "10.0.0.0/28"
    allowed_cidrs  = []
    container_port = 70000
    desired_count  = 1.5
    memory         = 123904
    store          = "DynamoDB"
  }

  expect_failures = [
    var.name,
    var.vpc_cidr,
    var.allowed_cidrs,
    var.container_port,
    var.desired_count,
    var.memory,
    var.store,
  ]
}

run "unsupported_cpu_memory_pair_is_rejected" {
  command = plan

  variables {
    image_tag = "abc1234"
    cpu       = 256
    memory    = 4096
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "autoscaling_min_above_max_is_rejected" {
  command = plan

  variables {
    image_tag                = "abc1234"
    store                    = "dynamodb" # so that only the min/max check can fail
    enable_autoscaling       = true
    autoscaling_min_capacity = 5
    autoscaling_max_capacity = 2
  }

  expect_failures = [aws_appautoscaling_target.service]
}

# The memory store keeps the actors in each task: more than one task is refused, whether asked
# for directly or through autoscaling (store = "dynamodb" with more tasks: dynamodb.tftest.hcl).
run "memory_store_refuses_more_than_one_task" {
  command = plan

  variables {
    image_tag     = "abc1234"
    desired_count = 2
  }

  expect_failures = [aws_ecs_service.this]
}

run "memory_store_refuses_autoscaling_beyond_one_task" {
  command = plan

  variables {
    image_tag          = "abc1234"
    enable_autoscaling = true
  }

  expect_failures = [aws_ecs_service.this]
}
