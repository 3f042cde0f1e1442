# The alarms: a 5xx-rate and a p99-latency alarm for every operation of the spec, named by its
# operationId, on the metrics the service writes (namespace actors, dimensions Service and
# operationId); the service's own alarms; the load balancer's; the deployment alarms that roll a
# deployment back; the SNS topic. The changed copies of the spec under tests/generated/ are written
# by scripts/test-terraform.sh, which also puts api/openapi.yaml where the module reads it.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag = "abc1234-amd64"
}

run "alarms_for_every_operation_of_the_spec" {
  # The operations, read here the way a reader of the spec would.
  assert {
    condition = sort(keys(aws_cloudwatch_metric_alarm.operation_5xx)) == sort(flatten([
      for path, item in yamldecode(file("../api/openapi.yaml")).paths : [
        for method, operation in item : operation.operationId if contains(["get", "put", "post", "delete", "patch", "head", "options", "trace"], method)
      ]
    ])) && sort(keys(aws_cloudwatch_metric_alarm.operation_latency)) == sort(keys(aws_cloudwatch_metric_alarm.operation_5xx))
    error_message = "every operation of api/openapi.yaml must have one 5xx-rate and one p99-latency alarm, and nothing else may"
  }
  assert {
    condition     = alltrue([for id in ["listActors", "createActor", "getActor", "replaceActor", "patchActor", "deleteActor", "getHealthz", "getReadyz"] : contains(keys(aws_cloudwatch_metric_alarm.operation_5xx), id)])
    error_message = "the spec's operations must include the eight this test was written against"
  }
  assert {
    condition = alltrue([for id, a in aws_cloudwatch_metric_alarm.operation_5xx : a.alarm_name == "actors-${id}-5xx-rate"]) && alltrue([
      for id, a in aws_cloudwatch_metric_alarm.operation_latency : a.alarm_name == "actors-${id}-p99-latency"
    ])
    error_message = "alarms must be named <name>-<operationId>-5xx-rate and <name>-<operationId>-p99-latency"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.operation_5xx["getActor"].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.operation_5xx["getActor"].threshold == 5 &&
      one([for q in aws_cloudwatch_metric_alarm.operation_5xx["getActor"].metric_query : q.expression if q.return_data == true]) == "IF(FILL(requests, 0) >= 10, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)" &&
      { for q in aws_cloudwatch_metric_alarm.operation_5xx["getActor"].metric_query : q.id => "${q.metric[0].namespace} ${q.metric[0].metric_name} ${q.metric[0].stat} ${q.metric[0].period} ${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0 } == {
        errors   = "actors 5XXError Sum 60 ${jsonencode({ Service = "actors", operationId = "getActor" })}"
        full     = "actors StoreFull Sum 60 ${jsonencode({ Service = "actors", operationId = "getActor" })}"
        requests = "actors Requests Sum 60 ${jsonencode({ Service = "actors", operationId = "getActor" })}"
      }
    )
    error_message = "the 5xx-rate alarm must be 100 * (5XXError - StoreFull) / Requests of its operation (Sum each minute) above 5%, and 0 in a period with fewer than 10 requests"
  }
  assert {
    condition = (
      one([for q in aws_cloudwatch_metric_alarm.operation_latency["getActor"].metric_query : q.expression if q.return_data == true]) == "IF(FILL(requests, 0) >= 10, p99, 0)" &&
      { for q in aws_cloudwatch_metric_alarm.operation_latency["getActor"].metric_query : q.id => "${q.metric[0].namespace} ${q.metric[0].metric_name} ${q.metric[0].stat} ${q.metric[0].period} ${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0 } == {
        p99      = "actors Latency p99 60 ${jsonencode({ Service = "actors", operationId = "getActor" })}"
        requests = "actors Requests Sum 60 ${jsonencode({ Service = "actors", operationId = "getActor" })}"
      } &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].metric_name == null &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].threshold == 1000
    )
    error_message = "the latency alarm must be the p99 of its operation's Latency above 1000 ms, and 0 in a period with fewer than 10 requests"
  }
  # An operation without requests writes no metric line.
  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency), values(aws_cloudwatch_metric_alarm.utilization), aws_cloudwatch_metric_alarm.tasks_below_desired, aws_cloudwatch_metric_alarm.api_5xx, aws_cloudwatch_metric_alarm.api_latency, [aws_cloudwatch_metric_alarm.store_full]) :
      a.treat_missing_data == "notBreaching" && length(a.alarm_actions) == 0 && length(a.ok_actions) == 0
    ])
    error_message = "every alarm but the heartbeat must treat missing data as not breaching, and notify nobody without alarm_emails"
  }
  assert {
    condition     = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency)) : a.datapoints_to_alarm == 3 && a.evaluation_periods == 5])
    error_message = "the operations' alarms must fire on 3 breaching periods of 5"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["OTEL_SERVICE_NAME"] == one(distinct(concat([for q in aws_cloudwatch_metric_alarm.operation_5xx["getActor"].metric_query : q.metric[0].dimensions.Service if length(q.metric) > 0], [aws_cloudwatch_metric_alarm.heartbeat.dimensions.Service])))
    error_message = "the service must write its metrics under the Service dimension the alarms watch (OTEL_SERVICE_NAME)"
  }

  # The service's own.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.utilization["cpu"].alarm_name == "actors-cpu" && aws_cloudwatch_metric_alarm.utilization["cpu"].namespace == "AWS/ECS" &&
      aws_cloudwatch_metric_alarm.utilization["cpu"].metric_name == "CPUUtilization" && aws_cloudwatch_metric_alarm.utilization["cpu"].statistic == "Average" &&
      aws_cloudwatch_metric_alarm.utilization["cpu"].dimensions == tomap({ ClusterName = "actors", ServiceName = "actors" }) && aws_cloudwatch_metric_alarm.utilization["cpu"].threshold == 85 &&
      aws_cloudwatch_metric_alarm.utilization["memory"].alarm_name == "actors-memory" && aws_cloudwatch_metric_alarm.utilization["memory"].metric_name == "MemoryUtilization" &&
      aws_cloudwatch_metric_alarm.utilization["memory"].dimensions == tomap({ ClusterName = "actors", ServiceName = "actors" }) && aws_cloudwatch_metric_alarm.utilization["memory"].threshold == 85
    )
    error_message = "the service must have CPU and memory alarms on its AWS/ECS utilisation above 85%"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.tasks_below_desired[0].alarm_name == "actors-tasks-below-desired" &&
      one([for q in aws_cloudwatch_metric_alarm.tasks_below_desired[0].metric_query : q.expression if q.return_data == true]) == "desired - running" &&
      { for q in aws_cloudwatch_metric_alarm.tasks_below_desired[0].metric_query : q.id => "${q.metric[0].namespace}/${q.metric[0].metric_name}" if length(q.metric) > 0 } == {
        desired = "ECS/ContainerInsights/DesiredTaskCount", running = "ECS/ContainerInsights/RunningTaskCount"
      } &&
      aws_cloudwatch_metric_alarm.tasks_below_desired[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.tasks_below_desired[0].datapoints_to_alarm == aws_cloudwatch_metric_alarm.tasks_below_desired[0].evaluation_periods
    )
    error_message = "the running-tasks alarm must fire when fewer tasks run than desired in every period it looks at (a replacement takes a minute or two)"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.unhealthy_targets) == 0 && length(aws_cloudwatch_metric_alarm.target_5xx) == 0 && length(aws_sns_topic.alarms) == 0 && length(aws_sns_topic_subscription.alarm_emails) == 0
    error_message = "no load balancer alarms without the ALB, no topic without alarm_emails"
  }

  # What rolls back.
  assert {
    condition     = aws_ecs_service.this.alarms[0].enable && aws_ecs_service.this.alarms[0].rollback && aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "the service must roll back on its deployment alarms, on top of the circuit breaker"
  }
  assert {
    condition = aws_ecs_service.this.alarms[0].alarm_names == toset(concat(
      [for a in aws_cloudwatch_metric_alarm.operation_5xx : a.alarm_name],
      [for a in aws_cloudwatch_metric_alarm.operation_latency : a.alarm_name],
      ["actors-api-5xx-rate"],
    ))
    error_message = "exactly the operations' 5xx-rate and latency alarms and the API Gateway's 5xx rate must roll a deployment back (not CPU, memory or running tasks, which load and every deployment move)"
  }
  assert {
    condition     = toset(output.rollback_alarm_names) == aws_ecs_service.this.alarms[0].alarm_names && length(output.alarm_names) == length(output.rollback_alarm_names) + 6 && contains(output.alarm_names, "actors-api-p99-latency") && output.alarm_topic_arn == null
    error_message = "outputs: the rollback alarms, and every alarm (those and heartbeat, store full, CPU, memory, running tasks, the API Gateway's latency)"
  }
}

run "api_gateway_alarms" {
  # The default front door's own metrics: requests the tasks never see (no healthy task in Cloud
  # Map, the VPC link, a dropped connection) show only there.
  command = plan

  variables {
    alarm_min_requests           = 20
    alarm_latency_p99_threshold  = 800
    alarm_latency_p99_thresholds = { listActors = 2500, getActor = 300 }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.api_5xx[0].alarm_name == "actors-api-5xx-rate" &&
      aws_cloudwatch_metric_alarm.api_5xx[0].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.api_5xx[0].threshold == 5 &&
      aws_cloudwatch_metric_alarm.api_5xx[0].treat_missing_data == "notBreaching" &&
      aws_cloudwatch_metric_alarm.api_5xx[0].datapoints_to_alarm == 3 && aws_cloudwatch_metric_alarm.api_5xx[0].evaluation_periods == 5 &&
      one([for q in aws_cloudwatch_metric_alarm.api_5xx[0].metric_query : q.expression if q.return_data == true]) == "IF(FILL(requests, 0) >= 20, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)" &&
      { for q in aws_cloudwatch_metric_alarm.api_5xx[0].metric_query : q.id => "${q.metric[0].namespace} ${q.metric[0].metric_name} ${q.metric[0].stat} ${q.metric[0].period} ${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0 } == {
        errors   = "AWS/ApiGateway 5xx Sum 60 ${jsonencode({ ApiId = "a1b2c3d4e5", Stage = "$default" })}"
        requests = "AWS/ApiGateway Count Sum 60 ${jsonencode({ ApiId = "a1b2c3d4e5", Stage = "$default" })}"
        full     = "actors StoreFull Sum 60 ${jsonencode({ Service = "actors" })}"
      }
    )
    error_message = "the API's 5xx alarm must be 100 * (5xx - StoreFull) / Count of its $default stage above 5%, and 0 in a period with fewer than alarm_min_requests requests"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.api_latency[0].alarm_name == "actors-api-p99-latency" &&
      aws_cloudwatch_metric_alarm.api_latency[0].threshold == 2500 &&
      aws_cloudwatch_metric_alarm.api_latency[0].treat_missing_data == "notBreaching" &&
      one([for q in aws_cloudwatch_metric_alarm.api_latency[0].metric_query : q.expression if q.return_data == true]) == "IF(FILL(requests, 0) >= 20, p99, 0)" &&
      { for q in aws_cloudwatch_metric_alarm.api_latency[0].metric_query : q.id => "${q.metric[0].namespace} ${q.metric[0].metric_name} ${q.metric[0].stat} ${q.metric[0].period} ${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0 } == {
        p99      = "AWS/ApiGateway Latency p99 60 ${jsonencode({ ApiId = "a1b2c3d4e5", Stage = "$default" })}"
        requests = "AWS/ApiGateway Count Sum 60 ${jsonencode({ ApiId = "a1b2c3d4e5", Stage = "$default" })}"
      }
    )
    error_message = "the API's latency alarm must be its p99 above the highest operation threshold (the door's p99 is of every operation), and 0 in a quiet period"
  }
  assert {
    condition     = contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-api-5xx-rate") && !contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-api-p99-latency")
    error_message = "the API's 5xx rate must roll back (a revision the door cannot reach shows nowhere else); its latency pages only (what the door adds is the path, which no revision changes)"
  }
  assert {
    condition     = strcontains(aws_cloudwatch_metric_alarm.api_5xx[0].alarm_description, "Rolls back") && strcontains(aws_cloudwatch_metric_alarm.api_latency[0].alarm_description, "never rolls back")
    error_message = "the descriptions must say which one rolls back"
  }
}

run "a_new_operation_gets_its_alarms" {
  # A copy of the spec with one more operation, GET /actors/{id}/roles (listActorRoles): its alarms
  # appear, and roll back, with no change to the Terraform.
  command = plan

  variables {
    openapi_spec_path = "tests/generated/openapi-one-more-operation.yaml"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.operation_5xx["listActorRoles"].alarm_name == "actors-listActorRoles-5xx-rate" &&
      aws_cloudwatch_metric_alarm.operation_latency["listActorRoles"].alarm_name == "actors-listActorRoles-p99-latency" &&
      one([for q in aws_cloudwatch_metric_alarm.operation_latency["listActorRoles"].metric_query : q.metric[0].dimensions if q.id == "p99"]) == tomap({ Service = "actors", operationId = "listActorRoles" }) &&
      strcontains(aws_cloudwatch_metric_alarm.operation_5xx["listActorRoles"].alarm_description, "GET /actors/{id}/roles (listActorRoles)")
    )
    error_message = "the new operation must get its 5xx-rate and p99-latency alarms on its own metrics"
  }
  assert {
    condition = length(aws_cloudwatch_metric_alarm.operation_5xx) == 1 + length(flatten([
      for path, item in yamldecode(file("../api/openapi.yaml")).paths : [for method, operation in item : method if contains(["get", "put", "post", "delete", "patch", "head", "options", "trace"], method)]
    ])) && contains(keys(aws_cloudwatch_metric_alarm.operation_5xx), "getActor")
    error_message = "the spec's other operations must keep their alarms"
  }
  assert {
    condition     = contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-listActorRoles-5xx-rate") && contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-listActorRoles-p99-latency")
    error_message = "the new operation's alarms must roll a deployment back"
  }
}

run "an_operation_without_an_operation_id_is_refused" {
  command = plan

  variables {
    openapi_spec_path = "tests/generated/openapi-without-an-operation-id.yaml"
  }

  expect_failures = [aws_ecs_service.this]
}

run "an_operation_id_given_twice_is_refused" {
  command = plan

  variables {
    openapi_spec_path = "tests/generated/openapi-duplicate-operation-id.yaml"
  }

  expect_failures = [aws_ecs_service.this]
}

run "a_latency_threshold_for_an_unknown_operation_is_refused" {
  # A typo would otherwise leave the operation on the default threshold, silently.
  command = plan

  variables {
    alarm_latency_p99_thresholds = { getActors = 500 }
  }

  expect_failures = [aws_ecs_service.this]
}

run "load_balancer_alarms_notifications_and_settings" {
  variables {
    front_door                   = "alb"
    domain_name                  = "api.example.org"
    certificate_arn              = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    alarm_emails                 = ["ops@example.com", "oncall@example.com"]
    alarm_5xx_rate_threshold     = 2
    alarm_latency_p99_threshold  = 500
    alarm_latency_p99_thresholds = { listActors = 2000 }
    alarm_cpu_threshold          = 70
    alarm_memory_threshold       = 75
    alarm_period                 = 300
    alarm_evaluation_periods     = 3
    alarm_datapoints_to_alarm    = 2
    container_insights           = "disabled"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.unhealthy_targets[0].alarm_name == "actors-alb-unhealthy-targets" &&
      aws_cloudwatch_metric_alarm.unhealthy_targets[0].namespace == "AWS/ApplicationELB" &&
      aws_cloudwatch_metric_alarm.unhealthy_targets[0].metric_name == "UnHealthyHostCount" &&
      aws_cloudwatch_metric_alarm.unhealthy_targets[0].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.unhealthy_targets[0].threshold == 0 &&
      aws_cloudwatch_metric_alarm.unhealthy_targets[0].dimensions == tomap({ LoadBalancer = "app/actors/0123456789abcdef", TargetGroup = "targetgroup/actors/0123456789abcdef" })
    )
    error_message = "with the ALB, an alarm must fire on any unhealthy target of the service's target group"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.target_5xx[0].alarm_name == "actors-alb-target-5xx-rate" &&
      aws_cloudwatch_metric_alarm.target_5xx[0].threshold == 2 &&
      one([for q in aws_cloudwatch_metric_alarm.target_5xx[0].metric_query : q.expression if q.return_data == true]) == "IF(FILL(requests, 0) >= 10, 100 * (FILL(errors, 0) - FILL(full, 0)) / requests, 0)" &&
      { for q in aws_cloudwatch_metric_alarm.target_5xx[0].metric_query : q.id => "${q.metric[0].namespace} ${q.metric[0].metric_name} ${q.metric[0].stat} ${q.metric[0].period} ${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0 } == {
        errors   = "AWS/ApplicationELB HTTPCode_Target_5XX_Count Sum 300 ${jsonencode({ LoadBalancer = "app/actors/0123456789abcdef", TargetGroup = "targetgroup/actors/0123456789abcdef" })}"
        requests = "AWS/ApplicationELB RequestCount Sum 300 ${jsonencode({ LoadBalancer = "app/actors/0123456789abcdef", TargetGroup = "targetgroup/actors/0123456789abcdef" })}"
        full     = "actors StoreFull Sum 300 ${jsonencode({ Service = "actors" })}"
      }
    )
    error_message = "with the ALB, an alarm must watch the rate of 5xx answers but 507 from the target group, in periods of at least 10 requests"
  }
  assert {
    condition     = contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-alb-target-5xx-rate") && !contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-alb-unhealthy-targets")
    error_message = "the target 5xx rate must roll back; unhealthy targets are the circuit breaker's (a new task is unhealthy until it passes its checks)"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.api_5xx) == 0 && length(aws_cloudwatch_metric_alarm.api_latency) == 0
    error_message = "no API Gateway alarms without the API Gateway"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.tasks_below_desired) == 0 && length(output.alarm_names) == length(output.rollback_alarm_names) + 5
    error_message = "without Container Insights there are no task counts to alarm on; the others stay"
  }
  assert {
    condition = (
      aws_sns_topic.alarms[0].name == "actors-alarms" && output.alarm_topic_arn == aws_sns_topic.alarms[0].arn &&
      toset([for s in aws_sns_topic_subscription.alarm_emails : "${s.protocol} ${s.endpoint} ${s.topic_arn}"]) == toset([
        "email ops@example.com ${aws_sns_topic.alarms[0].arn}", "email oncall@example.com ${aws_sns_topic.alarms[0].arn}",
      ])
    )
    error_message = "alarm_emails must each get an email subscription to the <name>-alarms topic"
  }
  assert {
    condition = alltrue([for a in concat(
      values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency),
      values(aws_cloudwatch_metric_alarm.utilization), aws_cloudwatch_metric_alarm.unhealthy_targets, aws_cloudwatch_metric_alarm.target_5xx,
      [aws_cloudwatch_metric_alarm.heartbeat, aws_cloudwatch_metric_alarm.store_full],
      ) : a.alarm_actions == toset([aws_sns_topic.alarms[0].arn]) && a.ok_actions == toset([aws_sns_topic.alarms[0].arn]) && try(length(a.insufficient_data_actions), 0) == 0
    ])
    error_message = "every alarm must notify the topic when it fires and when it clears (not on missing data, which is an idle operation)"
  }
  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.utilization), aws_cloudwatch_metric_alarm.unhealthy_targets) :
      a.period == 300 && a.evaluation_periods == 3 && a.datapoints_to_alarm == 2
      ]) && alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_latency), values(aws_cloudwatch_metric_alarm.operation_5xx)) :
      a.evaluation_periods == 3 && a.datapoints_to_alarm == 2 && alltrue([for q in a.metric_query : q.metric[0].period == 300 if length(q.metric) > 0])
    ])
    error_message = "alarm_period, alarm_evaluation_periods and alarm_datapoints_to_alarm must set every alarm's window"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.operation_latency["listActors"].threshold == 2000 && aws_cloudwatch_metric_alarm.operation_latency["getActor"].threshold == 500 &&
      aws_cloudwatch_metric_alarm.operation_5xx["getActor"].threshold == 2 && aws_cloudwatch_metric_alarm.utilization["cpu"].threshold == 70 && aws_cloudwatch_metric_alarm.utilization["memory"].threshold == 75
    )
    error_message = "the thresholds must follow their variables, a per-operation latency threshold overriding the default"
  }
}

run "rollback_on_alarms_off" {
  command = plan

  variables {
    rollback_on_alarms = false
  }

  assert {
    condition     = !aws_ecs_service.this.alarms[0].enable && length(aws_ecs_service.this.alarms[0].alarm_names) == length(output.rollback_alarm_names)
    error_message = "rollback_on_alarms = false must turn the deployment alarms off (the alarms themselves stay)"
  }
  assert {
    condition     = !strcontains(aws_cloudwatch_metric_alarm.operation_5xx["getActor"].alarm_description, "Rolls back")
    error_message = "an alarm's description must not promise a rollback that is off"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.heartbeat.treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.store_full.alarm_name == "actors-store-full"
    error_message = "a hotfix without rollback still has the alarms that page"
  }
}

run "quiet_operations_the_heartbeat_and_a_full_store" {
  command = plan

  variables {
    alarm_min_requests = 50
    alarm_emails       = ["ops@example.com"]
  }

  # A period with fewer requests than alarm_min_requests evaluates to 0, below any threshold.
  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency)) :
      startswith(one([for q in a.metric_query : q.expression if q.return_data == true]), "IF(FILL(requests, 0) >= 50, ") &&
      endswith(one([for q in a.metric_query : q.expression if q.return_data == true]), ", 0)") &&
      a.threshold > 0 && a.comparison_operator == "GreaterThanThreshold" && a.treat_missing_data == "notBreaching"
    ])
    error_message = "every operation's alarm must judge only periods with at least alarm_min_requests (50) requests, and see 0 otherwise"
  }
  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency)) :
      one([for q in a.metric_query : q.metric[0] if q.id == "requests"]).metric_name == "Requests" && one([for q in a.metric_query : q.metric[0] if q.id == "requests"]).stat == "Sum"
    ])
    error_message = "the request count an operation's alarm compares with alarm_min_requests must be the Sum of its Requests"
  }
  assert {
    condition     = strcontains(aws_cloudwatch_metric_alarm.operation_5xx["getActor"].alarm_description, "fewer than 50 requests do not count") && strcontains(aws_cloudwatch_metric_alarm.operation_5xx["getActor"].alarm_description, "other than 507")
    error_message = "the 5xx alarm's description must say what it leaves out"
  }

  # The heartbeat: no request at all, health checks included, is an outage; missing data breaches.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.heartbeat.alarm_name == "actors-heartbeat" &&
      aws_cloudwatch_metric_alarm.heartbeat.namespace == "actors" &&
      aws_cloudwatch_metric_alarm.heartbeat.metric_name == "Requests" &&
      aws_cloudwatch_metric_alarm.heartbeat.dimensions == tomap({ Service = "actors" }) &&
      aws_cloudwatch_metric_alarm.heartbeat.statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.heartbeat.comparison_operator == "LessThanThreshold" &&
      aws_cloudwatch_metric_alarm.heartbeat.threshold == 1 &&
      aws_cloudwatch_metric_alarm.heartbeat.treat_missing_data == "breaching" &&
      aws_cloudwatch_metric_alarm.heartbeat.evaluation_periods == 5 &&
      aws_cloudwatch_metric_alarm.heartbeat.datapoints_to_alarm == 5
    )
    error_message = "the heartbeat must fire when the whole service (Service dimension only) has no request in every period looked at, missing data counting as breaching"
  }
  # A full store: its own alarm on the first 507, paging.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.store_full.alarm_name == "actors-store-full" &&
      aws_cloudwatch_metric_alarm.store_full.namespace == "actors" &&
      aws_cloudwatch_metric_alarm.store_full.metric_name == "StoreFull" &&
      aws_cloudwatch_metric_alarm.store_full.dimensions == tomap({ Service = "actors" }) &&
      aws_cloudwatch_metric_alarm.store_full.statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.store_full.comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.store_full.threshold == 0 &&
      aws_cloudwatch_metric_alarm.store_full.evaluation_periods == 1 &&
      aws_cloudwatch_metric_alarm.store_full.treat_missing_data == "notBreaching"
    )
    error_message = "a full store must have its own alarm, firing on any 507 in a period"
  }
  # Both page, neither rolls back: no new image fixes a full store, and the circuit breaker and the
  # rollback alarms cover a revision that does not serve.
  assert {
    condition = (
      !contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-heartbeat") && !contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-store-full") &&
      contains(output.alarm_names, "actors-heartbeat") && contains(output.alarm_names, "actors-store-full") &&
      length(aws_cloudwatch_metric_alarm.heartbeat.alarm_actions) == 1 && length(aws_cloudwatch_metric_alarm.store_full.alarm_actions) == 1
    )
    error_message = "the heartbeat and the store-full alarms must page (alarm_emails) and never roll a deployment back"
  }
}

run "a_minimum_request_count_below_one_is_refused" {
  command = plan

  variables {
    alarm_min_requests = 0
  }

  expect_failures = [var.alarm_min_requests]
}
