# Zones, allowed_cidrs, the certificate's bounded wait and the API Gateway's alarms, planned with
# the REAL hashicorp/aws provider (front_door_real.tftest.hcl says how, offline): its own checks of
# subnets by zone ID, security group rules' CIDRs, timeouts and metric alarms run; a mock skips them.

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/tester", user_id = "AIDATESTER" }
}

override_data {
  target = data.aws_region.current
  values = { id = "us-east-1", name = "us-east-1" }
}

# An account whose first zone by name is use1-az3, where HTTP APIs have no VPC link.
override_data {
  target = data.aws_availability_zones.available
  values = {
    names    = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]
    zone_ids = ["use1-az3", "use1-az6", "use1-az1", "use1-az2"]
  }
}

override_data {
  target = data.aws_route53_zone.this
  values = { zone_id = "Z0123456789EXAMPLE", name = "example.com" }
}

override_data {
  target = data.aws_secretsmanager_random_password.api
  values = { random_password = "FirstGeneratedPassword0123456789" }
}

variables {
  image_tag = "abc1234-amd64"
}

run "api_gateway_in_zones_with_vpc_links" {
  command = plan

  assert {
    condition = (
      aws_subnet.public[*].availability_zone_id == ["use1-az6", "use1-az1"] &&
      aws_subnet.vpc_link[*].availability_zone_id == ["use1-az6", "use1-az1"]
    )
    error_message = "the subnets must be placed by zone ID, past use1-az3"
  }
  assert {
    condition = (
      one([for q in aws_cloudwatch_metric_alarm.api_5xx[0].metric_query : q.expression if q.return_data == true]) == "IF(FILL(requests, 0) >= 10, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)" &&
      one([for q in aws_cloudwatch_metric_alarm.api_latency[0].metric_query : q.metric[0].stat if q.id == "p99"]) == "p99" &&
      contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-api-5xx-rate") &&
      !contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-api-p99-latency")
    )
    error_message = "the API Gateway's 5xx-rate alarm (rolls back) and p99 alarm (pages) must plan"
  }
}

run "alb_with_several_blocks_and_a_certificate" {
  command = plan

  variables {
    front_door        = "alb"
    domain_name       = "actors.example.com"
    route53_zone_name = "example.com"
    allowed_cidrs     = ["203.0.113.0/25", "203.0.113.128/25", "198.51.100.7/32"]
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.alb) == 6 && aws_subnet.public[*].availability_zone_id == ["use1-az3", "use1-az6"]
    error_message = "three blocks side by side must give a rule each on both listeners; the load balancer needs no VPC link, so use1-az3 serves"
  }
  assert {
    condition     = aws_acm_certificate_validation.this[0].timeouts.create == "15m"
    error_message = "the certificate's validation must give up after certificate_validation_timeout minutes"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.api_5xx) == 0 && length(aws_cloudwatch_metric_alarm.api_latency) == 0
    error_message = "no API Gateway alarms without the API Gateway"
  }
}

run "host_bits_are_refused" {
  command = plan

  variables {
    front_door    = "public_ip"
    allowed_cidrs = ["203.0.113.7/24"]
  }

  expect_failures = [var.allowed_cidrs]
}

run "one_zone_with_a_vpc_link_is_refused" {
  command = plan

  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["us-east-1a", "us-east-1b"], zone_ids = ["use1-az3", "use1-az1"] }
  }

  expect_failures = [aws_vpc.this]
}
