# Plans with the REAL hashicorp/aws provider (a *_real.tftest.hcl file), offline: each front door,
# and a custom domain. A mocked provider skips the provider's own checks; these runs go through
# them: the schema's validation of every argument (ARNs, names and their lengths, enums, ranges,
# conflicting arguments) and the plan-time checks of each resource. How, for other files of this
# kind:
#   - a provider "aws" block here replaces the module's: a fixed region, dummy static keys, and
#     the skip_* settings, so that configuring the provider calls nothing (no STS, no metadata
#     service, no region lookup), and max_retries = 1 so that a call made by mistake fails at once;
#   - override_data for every data source the module reads (caller identity, region, availability
#     zones, the Route 53 zone, the generated password): the provider never reads them;
#   - command = plan only: an apply would call AWS;
#   - scripts/test-terraform.sh points HTTPS_PROXY and HTTP_PROXY at a closed local port, so any
#     request the provider still makes fails fast instead of hanging, and the run fails with it.
# Plans leave computed values unknown (IDs, ARNs, the API's endpoint): assert on what is known at
# plan time; the mocked runs (front_door.tftest.hcl) check the rest. Each run starts the provider
# (a few seconds): keep them few.

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
  values = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/tester"
    user_id    = "AIDATESTER"
  }
}

override_data {
  target = data.aws_region.current
  values = { id = "us-east-1", name = "us-east-1" }
}

override_data {
  target = data.aws_availability_zones.available
  values = {
    names    = ["us-east-1a", "us-east-1b", "us-east-1c"]
    zone_ids = ["use1-az1", "use1-az2", "use1-az4"]
  }
}

override_data {
  target = data.aws_route53_zone.this
  values = { zone_id = "Z0123456789EXAMPLE", name = "example.com", private_zone = false }
}

override_data {
  target = data.aws_secretsmanager_random_password.api
  values = { random_password = "FirstGeneratedPassword0123456789" }
}

variables {
  image_tag = "abc1234-amd64"
}

run "api_gateway_plans" {
  command = plan

  assert {
    condition = (
      length(aws_apigatewayv2_api.this) == 1 && length(aws_apigatewayv2_vpc_link.this) == 1 &&
      length(aws_service_discovery_service.this) == 1 && length(aws_lb.this) == 0
    )
    error_message = "the default plan must hold the API Gateway front door and no load balancer"
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.tasks_from_cidrs) == 0 && length(aws_vpc_security_group_ingress_rule.tasks_from_vpc_link) == 1
    error_message = "the tasks must admit the VPC link only"
  }
  assert {
    condition     = { for e in local.container.environment : e.name => e.value }["ACTORS_TRUSTED_PROXIES"] == "10.42.32.0/20,10.42.48.0/20"
    error_message = "ACTORS_TRUSTED_PROXIES must be the VPC link's subnets"
  }
  assert {
    condition     = aws_apigatewayv2_stage.default[0].default_route_settings[0].throttling_rate_limit == 50 && aws_apigatewayv2_integration.this[0].timeout_milliseconds == 30000
    error_message = "the stage must throttle and the integration wait 30 s at most"
  }
}

run "api_gateway_custom_domain_plans" {
  command = plan

  variables {
    domain_name       = "actors.example.com"
    route53_zone_name = "example.com"
  }

  assert {
    condition = (
      aws_apigatewayv2_domain_name.this[0].domain_name == "actors.example.com" &&
      aws_acm_certificate.this[0].domain_name == "actors.example.com" &&
      aws_route53_record.service[0].zone_id == "Z0123456789EXAMPLE" &&
      output.url == "https://actors.example.com"
    )
    error_message = "the custom domain, its certificate and its alias record must plan, and url be https://<domain_name>"
  }
}

run "alb_plans" {
  command = plan

  variables {
    front_door        = "alb"
    domain_name       = "actors.example.com"
    route53_zone_name = "example.com"
    allowed_cidrs     = ["203.0.113.0/24"]
  }

  assert {
    condition = (
      length(aws_lb.this) == 1 && length(aws_apigatewayv2_api.this) == 0 &&
      length(aws_vpc_security_group_ingress_rule.tasks_from_alb) == 1 && length(aws_vpc_security_group_ingress_rule.tasks_from_cidrs) == 0 &&
      { for e in local.container.environment : e.name => e.value }["ACTORS_TRUSTED_PROXIES"] == "10.42.0.0/20,10.42.16.0/20" &&
      output.url == "https://actors.example.com"
    )
    error_message = "the ALB front door must plan with the tasks behind it and an https:// URL"
  }
}

run "public_ip_plans" {
  command = plan

  variables {
    front_door    = "public_ip"
    allowed_cidrs = ["203.0.113.7/32"]
  }

  assert {
    condition = (
      [for r in aws_vpc_security_group_ingress_rule.tasks_from_cidrs : r.cidr_ipv4] == ["203.0.113.7/32"] &&
      !contains([for e in local.container.environment : e.name], "ACTORS_TRUSTED_PROXIES") &&
      output.url == ""
    )
    error_message = "public_ip must plan with the task open to allowed_cidrs only"
  }
}
