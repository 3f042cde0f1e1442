# Every validation rejects a bad value. Variable validations are checked together in one run
# (expect_failures fails the run if any listed variable is accepted): each terraform test run
# starts the ~700 MB AWS provider, so fewer runs keep the suite fast.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag = "abc1234"
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
    route53_zone_name                  = "Example.com"
    rotate_password                    = "short"
    openapi_spec_path                  = "no/such/openapi.yaml"
    alarm_period                       = 90
    alarm_5xx_rate_threshold           = 0
    alarm_latency_p99_threshold        = -1
    alarm_latency_p99_thresholds       = { getActor = 0 }
    alarm_cpu_threshold                = 150
    alarm_memory_threshold             = 0
    alarm_emails                       = ["ops@example.com", "not-an-address"]
    tracing_collector_image            = "public.ecr.aws/aws-observability/aws-otel-collector:latest"
    tracing_collector_cpu              = 16
    tracing_collector_memory           = 64
    tracing_sample_ratio               = 1.5
    api_throttling_rate_limit          = 0
    api_throttling_burst_limit         = 10000
    certificate_validation_timeout     = 2
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
    var.route53_zone_name,
    var.rotate_password,
    var.openapi_spec_path,
    var.alarm_period,
    var.alarm_5xx_rate_threshold,
    var.alarm_latency_p99_threshold,
    var.alarm_latency_p99_thresholds,
    var.alarm_cpu_threshold,
    var.alarm_memory_threshold,
    var.alarm_emails,
    var.tracing_collector_image,
    var.tracing_collector_cpu,
    var.tracing_collector_memory,
    var.tracing_sample_ratio,
    var.api_throttling_rate_limit,
    var.api_throttling_burst_limit,
    var.certificate_validation_timeout,
  ]
}

# A validation that reads another variable is skipped while that one is invalid: so these two get
# runs of their own, with valid neighbours.
run "bad_domain_name_is_rejected" {
  command = plan

  variables {
    domain_name     = "Actors.Example.COM"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  }

  expect_failures = [var.domain_name]
}

run "bad_zone_id_is_rejected" {
  command = plan

  variables {
    domain_name     = "actors.example.com"
    route53_zone_id = "example.com"
  }

  expect_failures = [var.route53_zone_id]
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
    api_password   = "pässwörd-with-umlauts"
    # more than the 5 periods it is "M of" (alarm_evaluation_periods' default)
    alarm_datapoints_to_alarm = 6
    # no tag: whatever latest is when a task starts
    tracing_collector_image = "public.ecr.aws/aws-observability/aws-otel-collector"
    # not a whole number of requests
    api_throttling_burst_limit = 1.5
  }

  expect_failures = [
    var.name,
    var.vpc_cidr,
    var.allowed_cidrs,
    var.container_port,
    var.desired_count,
    var.memory,
    var.store,
    var.api_password,
    var.alarm_datapoints_to_alarm,
    var.tracing_collector_image,
    var.api_throttling_burst_limit,
  ]
}

run "third_bad_values_are_rejected" {
  command = plan

  variables {
    vpc_cidr                 = "100.64.0.0/16"   # not a private range: the service would not trust it as proxies
    allowed_cidrs            = ["2001:db8::/32"] # the VPC and the ALB have no IPv6
    front_door               = "alb"
    domain_name              = "actors.example.com"
    route53_zone_id          = "Z0123456789EXAMPLE"
    route53_zone_name        = "example.com" # one of the two
    alarm_evaluation_periods = 0
  }

  expect_failures = [
    var.vpc_cidr,
    var.allowed_cidrs,
    var.route53_zone_id,
    var.alarm_evaluation_periods,
  ]
}

# allowed_cidrs, each fault alone (with a front door that takes the list, and no other fault) so
# that each refusal is its own: scripts/test-terraform.sh also checks what each message says.
run "allowed_cidrs_with_host_bits_are_refused" {
  # 203.0.113.7/24 is the network 203.0.113.0/24 written with an address in it: EC2 refuses it
  command = plan

  variables {
    front_door    = "public_ip"
    allowed_cidrs = ["198.51.100.7/32", "203.0.113.7/24"]
  }

  expect_failures = [var.allowed_cidrs]
}

run "allowed_cidrs_given_twice_are_refused" {
  command = plan

  variables {
    front_door      = "alb"
    domain_name     = "actors.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    allowed_cidrs   = ["203.0.113.0/24", "198.51.100.7/32", "203.0.113.0/24"]
  }

  expect_failures = [var.allowed_cidrs]
}

run "allowed_cidrs_inside_one_another_are_refused" {
  command = plan

  variables {
    front_door    = "public_ip"
    allowed_cidrs = ["198.51.100.7/32", "198.51.100.0/24"]
  }

  expect_failures = [var.allowed_cidrs]
}

run "alarm_window_longer_than_a_day_is_rejected" {
  # each valid, but together more than the day CloudWatch lets an alarm look back
  command = plan

  variables {
    alarm_period             = 3600
    alarm_evaluation_periods = 25
  }

  expect_failures = [var.alarm_evaluation_periods]
}

run "domain_without_a_certificate_is_rejected" {
  command = plan

  variables {
    domain_name = "actors.example.com"
  }

  expect_failures = [var.domain_name]
}

run "certificate_without_a_domain_is_rejected" {
  # The certificate would cover no name the stack serves.
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  }

  expect_failures = [var.domain_name]
}

run "image_for_another_architecture_is_rejected" {
  # An image built for amd64 on ARM64 tasks fails with "exec format error" in every task.
  command = plan

  variables {
    image_tag        = "abc1234-amd64"
    cpu_architecture = "ARM64"
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "unsupported_cpu_memory_pair_is_rejected" {
  command = plan

  variables {
    cpu    = 256
    memory = 4096
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "autoscaling_min_above_max_is_rejected" {
  command = plan

  variables {
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
    desired_count = 2
  }

  expect_failures = [aws_ecs_service.this]
}

run "memory_store_refuses_autoscaling_beyond_one_task" {
  command = plan

  variables {
    enable_autoscaling = true
  }

  expect_failures = [aws_ecs_service.this]
}
