# front_door, with a mocked provider: for each value, who may reach the tasks (no rule admits the
# Internet except with public_ip), which addresses the service believes X-Forwarded-For from
# (ACTORS_TRUSTED_PROXIES), and the URL (https:// with a front door). Then the API Gateway front
# door itself: the VPC link and Cloud Map, the stage's throttling and access log, a custom domain;
# and the refusals: public_ip open to 0.0.0.0/0 without the opt-in, enable_alb. The same shapes
# planned with the real provider: front_door_real.tftest.hcl. The ALB's details: alb.tftest.hcl.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag = "abc1234-amd64"
}

run "api_gateway_is_the_default" {
  assert {
    condition     = var.front_door == "api_gateway" && output.front_door == "api_gateway"
    error_message = "the default front door must be the API Gateway"
  }
  # Nothing on the Internet reaches a task: its only ingress is the VPC link's security group.
  assert {
    condition = (
      length(aws_vpc_security_group_ingress_rule.tasks_from_cidrs) == 0 &&
      length(aws_vpc_security_group_ingress_rule.tasks_from_alb) == 0 &&
      length(aws_vpc_security_group_ingress_rule.tasks_from_vpc_link) == 1 &&
      aws_vpc_security_group_ingress_rule.tasks_from_vpc_link[0].security_group_id == aws_security_group.tasks.id &&
      aws_vpc_security_group_ingress_rule.tasks_from_vpc_link[0].referenced_security_group_id == aws_security_group.vpc_link[0].id &&
      aws_vpc_security_group_ingress_rule.tasks_from_vpc_link[0].cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.tasks_from_vpc_link[0].from_port == 5000 &&
      aws_vpc_security_group_ingress_rule.tasks_from_vpc_link[0].to_port == 5000
    )
    error_message = "the tasks must admit the container port from the VPC link's security group, and nothing else"
  }
  assert {
    condition = (
      aws_vpc_security_group_egress_rule.vpc_link_to_tasks[0].security_group_id == aws_security_group.vpc_link[0].id &&
      aws_vpc_security_group_egress_rule.vpc_link_to_tasks[0].referenced_security_group_id == aws_security_group.tasks.id &&
      aws_vpc_security_group_egress_rule.vpc_link_to_tasks[0].from_port == 5000 && aws_vpc_security_group_egress_rule.vpc_link_to_tasks[0].to_port == 5000
    )
    error_message = "the VPC link may only open connections to the tasks' port"
  }
  # The public IP is for the task's own calls out (ECR, Secrets Manager, Logs), with no NAT gateway.
  assert {
    condition     = aws_ecs_service.this.network_configuration[0].assign_public_ip && aws_vpc_security_group_egress_rule.tasks_https.from_port == 443
    error_message = "the tasks keep a public IP for HTTPS out"
  }
  # The VPC link's interfaces have subnets of their own, with no route out: their CIDRs, and
  # nothing else, are what the service believes X-Forwarded-For from.
  assert {
    condition = (
      aws_subnet.vpc_link[*].cidr_block == ["10.42.32.0/20", "10.42.48.0/20"] &&
      aws_subnet.vpc_link[*].availability_zone_id == aws_subnet.public[*].availability_zone_id &&
      !anytrue(aws_subnet.vpc_link[*].map_public_ip_on_launch) &&
      length([for a in aws_route_table_association.public : a if contains(aws_subnet.vpc_link[*].id, a.subnet_id)]) == 0
    )
    error_message = "the VPC link must have two subnets of its own, the VPC's next two sixteenths, in the tasks' AZs, with no route to the Internet"
  }
  assert {
    condition     = aws_apigatewayv2_vpc_link.this[0].subnet_ids == toset(aws_subnet.vpc_link[*].id) && aws_apigatewayv2_vpc_link.this[0].security_group_ids == toset([aws_security_group.vpc_link[0].id])
    error_message = "the VPC link must use its own subnets and security group"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["ACTORS_TRUSTED_PROXIES"] == "10.42.32.0/20,10.42.48.0/20"
    error_message = "ACTORS_TRUSTED_PROXIES must be exactly the VPC link's subnets"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["ACTORS_IDLE_TIMEOUT"] == "10m"
    error_message = "behind API Gateway, which publishes no idle timeout of its own, the service must keep idle connections long"
  }
  assert {
    condition     = output.url == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" && output.url == output.api_endpoint && startswith(output.url, "https://")
    error_message = "the URL must be the API's own https:// endpoint"
  }
  assert {
    condition = (
      output.api_id == "a1b2c3d4e5" && output.access_log_group_name == "/aws/vendedlogs/apigateway/actors" &&
      output.vpc_link_id == aws_apigatewayv2_vpc_link.this[0].id && output.service_discovery_service_id == "srv-0123456789abcdef" &&
      output.alb_dns_name == null && output.cname_target == null && output.certificate_arn == null
    )
    error_message = "the outputs must name the API, its access log, VPC link and Cloud Map service, and no load balancer"
  }
  assert {
    condition     = length(aws_lb.this) == 0 && length(aws_security_group.alb) == 0 && length(aws_ecs_service.this.load_balancer) == 0 && aws_ecs_service.this.health_check_grace_period_seconds == null
    error_message = "no load balancer with the API Gateway"
  }
  # How requests reach the tasks: HTTP API -> VPC link -> the tasks ECS registers in Cloud Map.
  assert {
    condition = (
      aws_service_discovery_private_dns_namespace.this[0].name == "actors.internal" &&
      aws_service_discovery_private_dns_namespace.this[0].vpc == aws_vpc.this.id &&
      aws_service_discovery_service.this[0].dns_config[0].namespace_id == aws_service_discovery_private_dns_namespace.this[0].id &&
      [for r in aws_service_discovery_service.this[0].dns_config[0].dns_records : r.type] == ["SRV"] &&
      aws_service_discovery_service.this[0].dns_config[0].routing_policy == "MULTIVALUE" &&
      aws_service_discovery_service.this[0].health_check_custom_config[0].failure_threshold == 1 &&
      aws_service_discovery_service.this[0].force_destroy
    )
    error_message = "the tasks must be registered with SRV records (address and port) in a private namespace, healthy by their container health check"
  }
  assert {
    condition = (
      one(aws_ecs_service.this.service_registries).registry_arn == aws_service_discovery_service.this[0].arn &&
      one(aws_ecs_service.this.service_registries).container_name == "actors" &&
      one(aws_ecs_service.this.service_registries).container_port == 5000
    )
    error_message = "the ECS service must register its container's port in Cloud Map"
  }
  assert {
    condition = (
      aws_apigatewayv2_api.this[0].protocol_type == "HTTP" &&
      aws_apigatewayv2_integration.this[0].integration_type == "HTTP_PROXY" &&
      aws_apigatewayv2_integration.this[0].integration_method == "ANY" &&
      aws_apigatewayv2_integration.this[0].connection_type == "VPC_LINK" &&
      aws_apigatewayv2_integration.this[0].connection_id == aws_apigatewayv2_vpc_link.this[0].id &&
      aws_apigatewayv2_integration.this[0].integration_uri == aws_service_discovery_service.this[0].arn &&
      aws_apigatewayv2_integration.this[0].timeout_milliseconds == 30000
    )
    error_message = "an HTTP API must proxy every request through the VPC link to the Cloud Map service"
  }
  assert {
    condition = (
      aws_apigatewayv2_route.default[0].route_key == "$default" &&
      aws_apigatewayv2_route.default[0].target == "integrations/${aws_apigatewayv2_integration.this[0].id}" &&
      aws_apigatewayv2_stage.default[0].name == "$default" && aws_apigatewayv2_stage.default[0].auto_deploy
    )
    error_message = "one $default route to the integration, on the $default stage (no stage name in the path)"
  }
  # Sensible defaults at the edge.
  assert {
    condition     = aws_apigatewayv2_stage.default[0].default_route_settings[0].throttling_rate_limit == 50 && aws_apigatewayv2_stage.default[0].default_route_settings[0].throttling_burst_limit == 100
    error_message = "the stage must throttle at 50 requests a second, bursts of 100, by default"
  }
  assert {
    condition     = aws_cloudwatch_log_group.api_access[0].retention_in_days == 30
    error_message = "the access log must be kept log_retention_days (30) by default"
  }
}

run "api_gateway_edge_protection" {
  variables {
    api_throttling_rate_limit  = 20
    api_throttling_burst_limit = 40
    log_retention_days         = 14
  }

  assert {
    condition = (
      aws_apigatewayv2_stage.default[0].default_route_settings[0].throttling_rate_limit == 20 &&
      aws_apigatewayv2_stage.default[0].default_route_settings[0].throttling_burst_limit == 40
    )
    error_message = "the stage's throttling must follow its variables"
  }
  assert {
    condition     = aws_apigatewayv2_stage.default[0].access_log_settings[0].destination_arn == aws_cloudwatch_log_group.api_access[0].arn && aws_cloudwatch_log_group.api_access[0].retention_in_days == 14
    error_message = "the stage must log to its own group, kept log_retention_days"
  }
  assert {
    condition = jsondecode(aws_apigatewayv2_stage.default[0].access_log_settings[0].format) == {
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      ip                 = "$context.identity.sourceIp"
      userAgent          = "$context.identity.userAgent"
      method             = "$context.httpMethod"
      path               = "$context.path"
      routeKey           = "$context.routeKey"
      protocol           = "$context.protocol"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      latencyMs          = "$context.responseLatency"
      integrationLatency = "$context.integrationLatency"
      integrationStatus  = "$context.integrationStatus"
      integrationError   = "$context.integrationErrorMessage"
      error              = "$context.error.message"
    }
    error_message = "the access log must be JSON with the request id, client IP, method, route, status, latency and integration latency"
  }
}

run "api_gateway_on_a_domain_with_a_route53_zone" {
  variables {
    domain_name       = "actors.example.com"
    route53_zone_name = "example.com"
  }

  assert {
    condition = (
      aws_apigatewayv2_domain_name.this[0].domain_name == "actors.example.com" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].endpoint_type == "REGIONAL" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].security_policy == "TLS_1_2" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].certificate_arn == aws_acm_certificate_validation.this[0].certificate_arn
    )
    error_message = "the custom domain must be regional, TLS 1.2 at least, with the validated certificate"
  }
  assert {
    condition = (
      aws_apigatewayv2_api_mapping.this[0].api_id == aws_apigatewayv2_api.this[0].id &&
      aws_apigatewayv2_api_mapping.this[0].domain_name == aws_apigatewayv2_domain_name.this[0].id &&
      aws_apigatewayv2_api_mapping.this[0].stage == aws_apigatewayv2_stage.default[0].id &&
      aws_apigatewayv2_api_mapping.this[0].api_mapping_key == null
    )
    error_message = "the domain's root must map to the $default stage"
  }
  assert {
    condition = (
      aws_acm_certificate.this[0].domain_name == "actors.example.com" &&
      aws_route53_record.certificate_validation[0].zone_id == "Z0123456789EXAMPLE"
    )
    error_message = "the certificate must be requested and validated in the zone, as for the ALB"
  }
  assert {
    condition = (
      aws_route53_record.service[0].name == "actors.example.com" && aws_route53_record.service[0].type == "A" &&
      one(aws_route53_record.service[0].alias).name == "d-0123456789.execute-api.us-east-1.amazonaws.com" &&
      one(aws_route53_record.service[0].alias).zone_id == "Z1UJRXOUMOOFQ8" &&
      one(aws_route53_record.service[0].alias).evaluate_target_health == false
    )
    error_message = "domain_name must be an alias to the custom domain's regional name"
  }
  assert {
    condition = (
      output.url == "https://actors.example.com" &&
      output.api_endpoint == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com" &&
      output.cname_target == "d-0123456789.execute-api.us-east-1.amazonaws.com" &&
      output.certificate_arn == aws_acm_certificate_validation.this[0].certificate_arn
    )
    error_message = "url must be https://<domain_name>; the API's own endpoint stays available"
  }
}

run "api_gateway_on_a_domain_with_a_given_certificate" {
  # The caller's certificate and DNS: nothing to create in ACM or Route 53, the CNAME target told.
  variables {
    domain_name     = "api.example.org"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].certificate_arn == "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    error_message = "the custom domain must use the given certificate"
  }
  assert {
    condition     = length(aws_acm_certificate.this) == 0 && length(aws_route53_record.service) == 0 && length(data.aws_route53_zone.this) == 0
    error_message = "no certificate and no DNS record may be created with a given certificate and no zone"
  }
  assert {
    condition     = output.url == "https://api.example.org" && output.cname_target == "d-0123456789.execute-api.us-east-1.amazonaws.com"
    error_message = "url must be https://<domain_name>, and cname_target where to point it"
  }
}

run "alb_admits_the_load_balancer_only" {
  variables {
    front_door      = "alb"
    domain_name     = "api.example.org"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition = (
      length(aws_vpc_security_group_ingress_rule.tasks_from_cidrs) == 0 &&
      length(aws_vpc_security_group_ingress_rule.tasks_from_vpc_link) == 0 &&
      length(aws_vpc_security_group_ingress_rule.tasks_from_alb) == 1 &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb[0].referenced_security_group_id == aws_security_group.alb[0].id &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb[0].cidr_ipv4 == null
    )
    error_message = "behind the ALB the tasks must admit its security group only, never the Internet"
  }
  # Every connection comes from the ALB's addresses, in the public subnets it sits in.
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["ACTORS_TRUSTED_PROXIES"] == "10.42.0.0/20,10.42.16.0/20"
    error_message = "ACTORS_TRUSTED_PROXIES must be exactly the ALB's subnets"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["ACTORS_IDLE_TIMEOUT"] == "75s" && coalesce(aws_lb.this[0].idle_timeout, 60) < 75
    error_message = "behind the ALB the service must keep an idle connection (75s) longer than the ALB does (60 s unless alb.tf says otherwise)"
  }
  assert {
    condition     = output.url == "https://api.example.org" && output.front_door == "alb" && output.cname_target == aws_lb.this[0].dns_name
    error_message = "the ALB's URL must be https://<domain_name>"
  }
  assert {
    condition = (
      length(aws_apigatewayv2_api.this) == 0 && length(aws_apigatewayv2_vpc_link.this) == 0 && length(aws_subnet.vpc_link) == 0 &&
      length(aws_service_discovery_service.this) == 0 && length(aws_ecs_service.this.service_registries) == 0 &&
      output.api_id == null && output.api_endpoint == null && output.access_log_group_name == null
    )
    error_message = "no API Gateway, VPC link or Cloud Map with the ALB"
  }
}

run "public_ip_admits_the_allowed_cidrs_in_clear_text" {
  variables {
    front_door = "public_ip"
    # side by side, not one inside another: three blocks, three rules
    allowed_cidrs = ["203.0.113.7/32", "198.51.100.0/25", "198.51.100.128/25"]
  }

  assert {
    condition = (
      toset([for r in aws_vpc_security_group_ingress_rule.tasks_from_cidrs : "${r.from_port}-${r.to_port} ${r.cidr_ipv4}"]) == toset(["5000-5000 203.0.113.7/32", "5000-5000 198.51.100.0/25", "5000-5000 198.51.100.128/25"]) &&
      length(aws_vpc_security_group_ingress_rule.tasks_from_alb) == 0 && length(aws_vpc_security_group_ingress_rule.tasks_from_vpc_link) == 0
    )
    error_message = "with public_ip the tasks must admit the container port from allowed_cidrs only"
  }
  # Clients connect directly: any X-Forwarded-For they send could be made up.
  assert {
    condition     = !contains([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name], "ACTORS_TRUSTED_PROXIES")
    error_message = "with public_ip no X-Forwarded-For may be believed"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["ACTORS_IDLE_TIMEOUT"] == "75s"
    error_message = "with public_ip the service keeps its own idle timeout"
  }
  assert {
    condition     = output.url == "" && output.front_door == "public_ip" && output.container_port == 5000 && output.cname_target == null
    error_message = "the public_ip URL is the task's address, which Terraform cannot know: an empty url"
  }
  assert {
    condition = (
      length(aws_apigatewayv2_api.this) == 0 && length(aws_lb.this) == 0 && length(aws_subnet.vpc_link) == 0 &&
      length(aws_ecs_service.this.service_registries) == 0 && length(aws_ecs_service.this.load_balancer) == 0
    )
    error_message = "no front door with public_ip"
  }
}

run "public_ip_open_to_anywhere_needs_the_opt_in" {
  command = plan

  variables {
    front_door = "public_ip" # allowed_cidrs keeps its default, 0.0.0.0/0
  }

  expect_failures = [var.allowed_cidrs]
}

run "public_ip_open_to_anywhere_with_the_opt_in" {
  command = plan

  variables {
    front_door                    = "public_ip"
    allow_cleartext_from_anywhere = true
  }

  assert {
    condition     = [for r in aws_vpc_security_group_ingress_rule.tasks_from_cidrs : r.cidr_ipv4] == ["0.0.0.0/0"]
    error_message = "allow_cleartext_from_anywhere = true must admit the whole Internet, as asked"
  }
}

run "api_gateway_cannot_enforce_allowed_cidrs" {
  # Silently ignoring the list would leave the service open to more than its owner asked for.
  command = plan

  variables {
    allowed_cidrs = ["203.0.113.7/32"]
  }

  expect_failures = [var.allowed_cidrs]
}

run "alb_without_a_domain_is_refused" {
  # It could only serve plain HTTP on its own *.elb.amazonaws.com name. And enable_alb = false,
  # the old default, is refused with what to set instead.
  command = plan

  variables {
    front_door = "alb"
    enable_alb = false
  }

  expect_failures = [var.domain_name, var.enable_alb]
}

run "public_ip_with_a_domain_is_refused" {
  command = plan

  variables {
    front_door      = "public_ip"
    allowed_cidrs   = ["203.0.113.7/32"]
    domain_name     = "actors.example.com"
    route53_zone_id = "Z0123456789EXAMPLE"
  }

  expect_failures = [var.domain_name]
}

run "enable_alb_and_an_unknown_front_door_are_refused" {
  # enable_alb = true stops with what to set instead, rather than quietly getting the default.
  command = plan

  variables {
    enable_alb = true
    front_door = "nginx"
  }

  expect_failures = [var.enable_alb, var.front_door]
}
