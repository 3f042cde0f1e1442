# Alarms. Each operation of the OpenAPI document gets a 5xx-rate and a p99-latency alarm on the
# metrics the service writes itself (docs/observability.md: namespace actors, dimensions Service and
# operationId), read from the spec at plan time: an operation added to api/openapi.yaml gets its
# alarms at the next apply, with no change here. Then the service's own alarms, the optional SNS
# topic, and the alarms that roll a deployment back (the service's deployment alarms, ecs.tf).
#
# The service writes a metric line only for an operation that had requests, so the alarms on an
# operation treat missing data as not breaching, and a period with fewer than alarm_min_requests
# requests counts as fine: for a quiet operation p99 is its slowest request, and one 5xx in one
# request is 100%. The heartbeat is the opposite: no request at all, health checks included, is
# the outage it pages for.
#
# Store full (507) is not a server fault: no other image fixes it. The 5xx rates leave it out and
# it has an alarm of its own, which pages and never rolls back. It is read from the StoreFull
# metric (docs/observability.md); while the service does not write it, FILL makes it 0.

locals {
  openapi_spec_path = coalesce(var.openapi_spec_path, "${path.module}/../api/openapi.yaml")
  openapi           = yamldecode(file(local.openapi_spec_path))

  # Every operation of the spec; keys of a path item that are not HTTP methods (parameters,
  # summary, servers, $ref) are not operations, as the service itself reads them.
  openapi_operations = flatten([
    for path, item in try(local.openapi.paths, {}) : [
      for method in try(keys(item), []) : {
        id     = try(tostring(item[method].operationId), "")
        method = upper(method)
        path   = path
      } if contains(["get", "put", "post", "delete", "options", "head", "patch", "trace"], method)
    ]
  ])
  # Grouped, so that an operationId given twice is reported by the checks on the service (ecs.tf)
  # rather than by Terraform's own duplicate-key error.
  operations_by_id = { for o in local.openapi_operations : o.id => o... }
  operations       = { for id, list in local.operations_by_id : id => list[0] }

  # The Service dimension: the service is told to use it (OTEL_SERVICE_NAME, ecs.tf), so two stacks
  # in one account and region keep their metrics, and their alarms, apart.
  metrics_service = var.name
  metrics_period  = var.alarm_period
  window          = "${var.alarm_datapoints_to_alarm} of ${var.alarm_evaluation_periods} periods of ${var.alarm_period} s"
  # A period with fewer requests than this evaluates as 0: not breaching.
  enough_requests = "FILL(requests, 0) >= ${var.alarm_min_requests}"
  quiet           = "periods with fewer than ${var.alarm_min_requests} requests do not count"

  # The ECS service's dimensions, by name rather than by reference: the service names the rollback
  # alarms, so they must not depend on it (it is var.name, ecs.tf).
  ecs_dimensions = { ClusterName = var.name, ServiceName = var.name }

  alarm_actions = length(var.alarm_emails) > 0 ? [aws_sns_topic.alarms[0].arn] : []

  # What rolls a deployment back: the signals of a bad revision. Each operation's 5xx rate and p99
  # latency, the load balancer's rate of 5xx from the tasks (answers outside the spec too), and the
  # API Gateway's rate of 5xx (the tasks' and those it answers itself for want of one).
  # Not the others: CPU and memory measure load, which a rollback does not lower; tasks below the
  # desired count is what every deployment with minimum healthy below 100% and every scale-out
  # shows for a while; unhealthy targets are the circuit breaker's job, which also rolls back.
  rollback_alarm_names = concat(
    [for a in aws_cloudwatch_metric_alarm.operation_5xx : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.operation_latency : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.target_5xx : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.api_5xx : a.alarm_name],
  )
  alarm_names = concat(
    local.rollback_alarm_names,
    [for a in concat(
      [aws_cloudwatch_metric_alarm.heartbeat, aws_cloudwatch_metric_alarm.store_full],
      values(aws_cloudwatch_metric_alarm.utilization),
      aws_cloudwatch_metric_alarm.tasks_below_desired,
      aws_cloudwatch_metric_alarm.unhealthy_targets,
      aws_cloudwatch_metric_alarm.api_latency,
    ) : a.alarm_name],
  )
}

# ---- per operation of the spec --------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "operation_5xx" {
  for_each = local.operations

  alarm_name        = "${var.name}-${each.key}-5xx-rate"
  alarm_description = "More than ${var.alarm_5xx_rate_threshold}% of ${each.value.method} ${each.value.path} (${each.key}) answers were 5xx other than 507 (store full) in ${local.window}; ${local.quiet}.${var.rollback_on_alarms ? " Rolls back a deployment in progress." : ""} See make status and make logs."

  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_5xx_rate_threshold
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "rate"
    label       = "${each.key} 5xx but 507 (% of requests)"
    expression  = "IF(${local.enough_requests}, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)"
    return_data = true
  }
  dynamic "metric_query" {
    for_each = { errors = "5XXError", full = "StoreFull", requests = "Requests" }
    content {
      id = metric_query.key
      metric {
        namespace   = "actors"
        metric_name = metric_query.value
        dimensions  = { Service = local.metrics_service, operationId = each.key }
        stat        = "Sum"
        period      = local.metrics_period
      }
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "operation_latency" {
  for_each = local.operations

  alarm_name        = "${var.name}-${each.key}-p99-latency"
  alarm_description = "p99 latency of ${each.value.method} ${each.value.path} (${each.key}) above ${lookup(var.alarm_latency_p99_thresholds, each.key, var.alarm_latency_p99_threshold)} ms in ${local.window}; ${local.quiet}.${var.rollback_on_alarms ? " Rolls back a deployment in progress." : ""} See make status and make logs."

  comparison_operator = "GreaterThanThreshold"
  threshold           = lookup(var.alarm_latency_p99_thresholds, each.key, var.alarm_latency_p99_threshold)
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "latency"
    label       = "${each.key} p99 (ms)"
    expression  = "IF(${local.enough_requests}, p99, 0)"
    return_data = true
  }
  metric_query {
    id = "p99"
    metric {
      namespace   = "actors"
      metric_name = "Latency"
      dimensions  = { Service = local.metrics_service, operationId = each.key }
      stat        = "p99"
      period      = local.metrics_period
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "actors"
      metric_name = "Requests"
      dimensions  = { Service = local.metrics_service, operationId = each.key }
      stat        = "Sum"
      period      = local.metrics_period
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# ---- the whole service: pages, never rolls back ------------------------------------------

# Every task answers its own container health check (/healthz, every 15 s) and the load balancer's:
# a service that runs writes Requests every minute. None in every period looked at means no task
# serves, or none can write its metrics: missing data is the signal here, so it breaches.
resource "aws_cloudwatch_metric_alarm" "heartbeat" {
  alarm_name        = "${var.name}-heartbeat"
  alarm_description = "No request at all reached the ${var.name} service, its health checks included, in ${var.alarm_evaluation_periods} periods of ${var.alarm_period} s: no task is serving (or none can write its metrics). See make status (its events) and make logs."

  namespace   = "actors"
  metric_name = "Requests"
  dimensions  = { Service = local.metrics_service }
  statistic   = "Sum"
  period      = local.metrics_period

  comparison_operator = "LessThanThreshold"
  threshold           = 1
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  treat_missing_data  = "breaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# The store refused a write because it is full (507): delete actors, or raise the store's limit.
# One is enough to page; a rollback would not help.
resource "aws_cloudwatch_metric_alarm" "store_full" {
  alarm_name        = "${var.name}-store-full"
  alarm_description = "The ${var.name} store is full: writes were answered 507 in the last ${var.alarm_period} s. Delete actors or raise the store's limit; a new image does not help, so this never rolls back."

  namespace   = "actors"
  metric_name = "StoreFull"
  dimensions  = { Service = local.metrics_service }
  statistic   = "Sum"
  period      = local.metrics_period

  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# ---- the service ----------------------------------------------------------------------------

# The tasks' average CPU and memory, in percent of what the task has.
resource "aws_cloudwatch_metric_alarm" "utilization" {
  for_each = {
    cpu = {
      metric      = "CPUUtilization"
      threshold   = var.alarm_cpu_threshold
      description = "Average CPU of the ${var.name} tasks above ${var.alarm_cpu_threshold}% in ${local.window}: they need more CPU (cpu), more tasks (autoscaling), or less load."
    }
    memory = {
      metric      = "MemoryUtilization"
      threshold   = var.alarm_memory_threshold
      description = "Average memory of the ${var.name} tasks above ${var.alarm_memory_threshold}% of the task's in ${local.window}. The service's GOMEMLIMIT makes its garbage collector work harder near the limit (CPU rises) before the task runs out of memory and is replaced."
    }
  }

  alarm_name        = "${var.name}-${each.key}"
  alarm_description = each.value.description

  namespace   = "AWS/ECS"
  metric_name = each.value.metric
  dimensions  = local.ecs_dimensions
  statistic   = "Average"
  period      = local.metrics_period

  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# The task counts are Container Insights metrics: without it there is nothing to alarm on.
resource "aws_cloudwatch_metric_alarm" "tasks_below_desired" {
  count = var.container_insights == "disabled" ? 0 : 1

  alarm_name        = "${var.name}-tasks-below-desired"
  alarm_description = "Fewer ${var.name} tasks running than desired in all of ${var.alarm_evaluation_periods} periods of ${var.alarm_period} s: tasks fail to start or keep stopping. See make status (its events) and make logs."

  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # All of them: a task being replaced, or started by a scale-out, is missing for a minute or two.
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "missing"
    label       = "tasks missing"
    expression  = "desired - running"
    return_data = true
  }
  metric_query {
    id = "desired"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "DesiredTaskCount"
      dimensions  = local.ecs_dimensions
      stat        = "Average"
      period      = local.metrics_period
    }
  }
  metric_query {
    id = "running"
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      dimensions  = local.ecs_dimensions
      stat        = "Average"
      period      = local.metrics_period
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# ---- the load balancer ----------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  count = var.front_door == "alb" ? 1 : 0

  alarm_name        = "${var.name}-alb-unhealthy-targets"
  alarm_description = "A ${var.name} task failed the load balancer's /healthz checks in ${local.window}. ECS replaces such tasks; see make status (its events) and make logs."

  namespace   = "AWS/ApplicationELB"
  metric_name = "UnHealthyHostCount"
  dimensions  = { LoadBalancer = aws_lb.this[0].arn_suffix, TargetGroup = aws_lb_target_group.this[0].arn_suffix }
  statistic   = "Maximum"
  period      = local.metrics_period

  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "target_5xx" {
  count = var.front_door == "alb" ? 1 : 0

  alarm_name        = "${var.name}-alb-target-5xx-rate"
  alarm_description = "More than ${var.alarm_5xx_rate_threshold}% of the ${var.name} tasks' answers through the load balancer were 5xx other than 507 (store full) in ${local.window} (every path, the spec's operations and the rest); ${local.quiet}.${var.rollback_on_alarms ? " Rolls back a deployment in progress." : ""} See make status and make logs."

  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_5xx_rate_threshold
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "rate"
    label       = "target 5xx but 507 (% of requests)"
    expression  = "IF(${local.enough_requests}, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)"
    return_data = true
  }
  # The load balancer reports HTTPCode_Target_5XX_Count only for periods that had one: FILL above.
  dynamic "metric_query" {
    for_each = { errors = "HTTPCode_Target_5XX_Count", requests = "RequestCount" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        dimensions  = { LoadBalancer = aws_lb.this[0].arn_suffix, TargetGroup = aws_lb_target_group.this[0].arn_suffix }
        stat        = "Sum"
        period      = local.metrics_period
      }
    }
  }
  # Only the service's operations answer 507, and they all count in its StoreFull.
  metric_query {
    id = "full"
    metric {
      namespace   = "actors"
      metric_name = "StoreFull"
      dimensions  = { Service = local.metrics_service }
      stat        = "Sum"
      period      = local.metrics_period
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# ---- the API Gateway front door -------------------------------------------------------------

# The service's own alarms count the requests that reach a task. Those the door cannot pass on
# show in its metrics only: no healthy task registered in Cloud Map, the VPC link down, a task
# that drops the connection or answers what is not HTTP (502, 503), one slower than the
# integration's 30 s (504). The API's own metrics (namespace AWS/ApiGateway, the $default stage)
# count every request, so the same rules hold: a rate, judged only with alarm_min_requests
# requests in a period (throttled ones count, as 4xx), 507 left out.
locals {
  api_dimensions = local.api_gateway ? { ApiId = aws_apigatewayv2_api.this[0].id, Stage = "$default" } : {}
  # The door's p99 is of every operation together: the highest threshold any of them has.
  api_latency_threshold = max(var.alarm_latency_p99_threshold, values(var.alarm_latency_p99_thresholds)...)
}

# A revision whose tasks pass their health check but fail the door's connections shows here and
# nowhere else, so this one rolls back, as the load balancer's target 5xx rate does.
resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  count = local.api_gateway ? 1 : 0

  alarm_name        = "${var.name}-api-5xx-rate"
  alarm_description = "More than ${var.alarm_5xx_rate_threshold}% of the requests to the ${var.name} API Gateway were answered 5xx other than 507 (store full) in ${local.window}, by the tasks or by API Gateway itself for want of one (502, 503, 504: Cloud Map, the VPC link, a dropped connection); ${local.quiet}.${var.rollback_on_alarms ? " Rolls back a deployment in progress." : ""} See make status, make logs and the access log (its integrationError)."

  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_5xx_rate_threshold
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "rate"
    label       = "API 5xx but 507 (% of requests)"
    expression  = "IF(${local.enough_requests}, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)"
    return_data = true
  }
  dynamic "metric_query" {
    for_each = { errors = "5xx", requests = "Count" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/ApiGateway"
        metric_name = metric_query.value
        dimensions  = local.api_dimensions
        stat        = "Sum"
        period      = local.metrics_period
      }
    }
  }
  # Only the service's operations answer 507, and they all count in its StoreFull.
  metric_query {
    id = "full"
    metric {
      namespace   = "actors"
      metric_name = "StoreFull"
      dimensions  = { Service = local.metrics_service }
      stat        = "Sum"
      period      = local.metrics_period
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# The door's latency is the tasks' plus the path to them (API Gateway, the VPC link). A slow
# revision already rolls back on its operations' latency alarms; what only the door sees is the
# path, which no revision changes: this one pages and never rolls back.
resource "aws_cloudwatch_metric_alarm" "api_latency" {
  count = local.api_gateway ? 1 : 0

  alarm_name        = "${var.name}-api-p99-latency"
  alarm_description = "p99 latency of the ${var.name} API Gateway (every request, from its arrival to the answer) above ${local.api_latency_threshold} ms in ${local.window}; ${local.quiet}. If the operations' own latency alarms are quiet, the time goes between API Gateway and the tasks: see the access log (latencyMs against integrationLatency). Pages only, never rolls back."

  comparison_operator = "GreaterThanThreshold"
  threshold           = local.api_latency_threshold
  evaluation_periods  = var.alarm_evaluation_periods
  datapoints_to_alarm = var.alarm_datapoints_to_alarm
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "latency"
    label       = "API p99 (ms)"
    expression  = "IF(${local.enough_requests}, p99, 0)"
    return_data = true
  }
  metric_query {
    id = "p99"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Latency"
      dimensions  = local.api_dimensions
      stat        = "p99"
      period      = local.metrics_period
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = local.api_dimensions
      stat        = "Sum"
      period      = local.metrics_period
    }
  }

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# ---- notifications --------------------------------------------------------------------------

# Not encrypted at rest (.trivyignore says why): CloudWatch cannot publish to a topic under the AWS
# managed SNS key, and what passes through is alarm names and states, delivered as email.
resource "aws_sns_topic" "alarms" {
  count = length(var.alarm_emails) > 0 ? 1 : 0

  name = "${var.name}-alarms"
}

resource "aws_sns_topic_subscription" "alarm_emails" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}
