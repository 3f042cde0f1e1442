# front_door = "api_gateway" (the default): an API Gateway HTTP API serves HTTPS on its own
# https://<id>.execute-api.<region>.amazonaws.com name (or on domain_name, dns.tf), with no load
# balancer and no hourly charge. Its $default stage throttles and logs every request, and passes
# them through a VPC link to the tasks, which it finds in AWS Cloud Map: the ECS service registers
# each task there (an SRV record: address and port) and marks it healthy or not from the
# container's health check, and API Gateway sends requests to the healthy ones. The tasks admit
# the VPC link's security group only (network.tf).

# A private DNS namespace (Cloud Map creates a Route 53 private hosted zone for it in the VPC).
# .internal is reserved for private use, so the name never collides with a public one.
resource "aws_service_discovery_private_dns_namespace" "this" {
  count = local.api_gateway ? 1 : 0

  name        = "${var.name}.internal"
  description = "Tasks of the ${var.name} service, for its API Gateway VPC link"
  vpc         = aws_vpc.this.id
}

resource "aws_service_discovery_service" "this" {
  count = local.api_gateway ? 1 : 0

  name        = var.name
  description = "Tasks of the ${var.name} ECS service (registered by ECS)"

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this[0].id
    routing_policy = "MULTIVALUE"

    # API Gateway needs each task's port as well as its address: ECS registers it with SRV
    # records only (A records carry no port, and API Gateway does not support them).
    dns_records {
      type = "SRV"
      ttl  = 10
    }
  }

  # ECS reports each task's container health check here: a task is discoverable once it passes.
  health_check_custom_config {
    failure_threshold = 1
  }

  # make delete must not fail on an instance ECS has not deregistered yet.
  force_destroy = true
}

resource "aws_apigatewayv2_vpc_link" "this" {
  count = local.api_gateway ? 1 : 0

  name               = var.name
  subnet_ids         = aws_subnet.vpc_link[*].id
  security_group_ids = [aws_security_group.vpc_link[0].id]
}

resource "aws_apigatewayv2_api" "this" {
  count = local.api_gateway ? 1 : 0

  name          = var.name
  description   = "The ${var.name} service's HTTPS front door"
  protocol_type = "HTTP"
}

# Every request, whatever its method and path, goes to the tasks as it came (HTTP_PROXY): the
# service itself answers 404 and 405 from its spec.
resource "aws_apigatewayv2_integration" "this" {
  count = local.api_gateway ? 1 : 0

  api_id                 = aws_apigatewayv2_api.this[0].id
  description            = "The tasks of ${var.name}, found in Cloud Map"
  integration_type       = "HTTP_PROXY"
  integration_method     = "ANY"
  connection_type        = "VPC_LINK"
  connection_id          = aws_apigatewayv2_vpc_link.this[0].id
  integration_uri        = aws_service_discovery_service.this[0].arn
  payload_format_version = "1.0"
  # API Gateway's maximum for an HTTP API, and the service's own write timeout.
  timeout_milliseconds = 30000
}

resource "aws_apigatewayv2_route" "default" {
  count = local.api_gateway ? 1 : 0

  api_id    = aws_apigatewayv2_api.this[0].id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.this[0].id}"
}

# The access log's group. API Gateway delivers to it through CloudWatch Logs' log delivery, which
# grants itself access in the account's log resource policy (5,120 characters at most, shared by
# every service that delivers logs this way); when that policy is nearly full, CloudWatch Logs
# still admits groups under /aws/vendedlogs/ with one wildcard statement.
resource "aws_cloudwatch_log_group" "api_access" {
  count = local.api_gateway ? 1 : 0

  name              = "/aws/vendedlogs/apigateway/${var.name}"
  retention_in_days = var.log_retention_days
}

locals {
  # One JSON object per request. Every value is quoted: API Gateway writes "-" for a value it does
  # not have (no integration latency on a throttled request), which would not be JSON unquoted.
  api_access_log_format = jsonencode({
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
  })
}

resource "aws_apigatewayv2_stage" "default" {
  count = local.api_gateway ? 1 : 0

  api_id = aws_apigatewayv2_api.this[0].id
  # $default: the stage is the API's root URL, with no stage name in the path, so the service
  # sees the paths its clients sent.
  name        = "$default"
  auto_deploy = true

  # For all clients together: API Gateway answers 429 beyond these, before a request reaches a task.
  default_route_settings {
    throttling_rate_limit  = var.api_throttling_rate_limit
    throttling_burst_limit = var.api_throttling_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access[0].arn
    format          = local.api_access_log_format
  }
}

# ---- domain_name ----------------------------------------------------------------------------

# HTTPS on domain_name, with the certificate of dns.tf (created and validated there, or given).
resource "aws_apigatewayv2_domain_name" "this" {
  count = local.api_gateway && local.https ? 1 : 0

  domain_name = var.domain_name

  domain_name_configuration {
    certificate_arn = local.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}

resource "aws_apigatewayv2_api_mapping" "this" {
  count = local.api_gateway && local.https ? 1 : 0

  api_id      = aws_apigatewayv2_api.this[0].id
  domain_name = aws_apigatewayv2_domain_name.this[0].id
  stage       = aws_apigatewayv2_stage.default[0].id
}
