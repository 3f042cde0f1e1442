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
      one([for q in aws_cloudwatch_metric_alarm.operation_5xx["getActor"].metric_query : q.expression if q.return_data == true]) == "100 * FILL(errors, 0) / requests" &&
      { for q in aws_cloudwatch_metric_alarm.operation_5xx["getActor"].metric_query : q.id => "${q.metric[0].namespace} ${q.metric[0].metric_name} ${q.metric[0].stat} ${q.metric[0].period} ${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0 } == {
        errors   = "actors 5XXError Sum 60 ${jsonencode({ Service = "actors", operationId = "getActor" })}"
        requests = "actors Requests Sum 60 ${jsonencode({ Service = "actors", operationId = "getActor" })}"
      }
    )
    error_message = "the 5xx-rate alarm must be 100 * 5XXError / Requests of its operation (Sum each minute) above 5%"
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].namespace == "actors" &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].metric_name == "Latency" &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].dimensions == tomap({ Service = "actors", operationId = "getActor" }) &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].extended_statistic == "p99" &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].statistic == null &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].period == 60 &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].threshold == 1000 &&
      aws_cloudwatch_metric_alarm.operation_latency["getActor"].evaluate_low_sample_count_percentiles == "evaluate"
    )
    error_message = "the latency alarm must be the p99 of its operation's Latency above 1000 ms, evaluated however few the requests"
  }
  # An operation without requests writes no metric line.
  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency), values(aws_cloudwatch_metric_alarm.utilization), aws_cloudwatch_metric_alarm.tasks_below_desired) :
      a.treat_missing_data == "notBreaching" && a.evaluation_periods == 5 && length(a.alarm_actions) == 0 && length(a.ok_actions) == 0
    ])
    error_message = "every alarm must treat missing data as not breaching, look at 5 periods, and notify nobody without alarm_emails"
  }
  assert {
    condition     = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_5xx), values(aws_cloudwatch_metric_alarm.operation_latency)) : a.datapoints_to_alarm == 3])
    error_message = "the operations' alarms must fire on 3 breaching periods of 5"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["OTEL_SERVICE_NAME"] == one(distinct([for q in aws_cloudwatch_metric_alarm.operation_5xx["getActor"].metric_query : q.metric[0].dimensions.Service if length(q.metric) > 0]))
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
    ))
    error_message = "exactly the operations' 5xx-rate and latency alarms must roll a deployment back (not CPU, memory or running tasks, which load and every deployment move)"
  }
  assert {
    condition     = toset(output.rollback_alarm_names) == aws_ecs_service.this.alarms[0].alarm_names && length(output.alarm_names) == length(output.rollback_alarm_names) + 3 && output.alarm_topic_arn == null
    error_message = "outputs: the rollback alarms, and every alarm (those and CPU, memory, running tasks)"
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
      aws_cloudwatch_metric_alarm.operation_latency["listActorRoles"].dimensions == tomap({ Service = "actors", operationId = "listActorRoles" }) &&
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
      one([for q in aws_cloudwatch_metric_alarm.target_5xx[0].metric_query : q.expression if q.return_data == true]) == "100 * FILL(errors, 0) / requests" &&
      { for q in aws_cloudwatch_metric_alarm.target_5xx[0].metric_query : q.id => "${q.metric[0].namespace} ${q.metric[0].metric_name} ${q.metric[0].stat} ${q.metric[0].period} ${jsonencode(q.metric[0].dimensions)}" if length(q.metric) > 0 } == {
        errors   = "AWS/ApplicationELB HTTPCode_Target_5XX_Count Sum 300 ${jsonencode({ LoadBalancer = "app/actors/0123456789abcdef", TargetGroup = "targetgroup/actors/0123456789abcdef" })}"
        requests = "AWS/ApplicationELB RequestCount Sum 300 ${jsonencode({ LoadBalancer = "app/actors/0123456789abcdef", TargetGroup = "targetgroup/actors/0123456789abcdef" })}"
      }
    )
    error_message = "with the ALB, an alarm must watch the rate of 5xx answers from the target group"
  }
  assert {
    condition     = contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-alb-target-5xx-rate") && !contains(aws_ecs_service.this.alarms[0].alarm_names, "actors-alb-unhealthy-targets")
    error_message = "the target 5xx rate must roll back; unhealthy targets are the circuit breaker's (a new task is unhealthy until it passes its checks)"
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.tasks_below_desired) == 0 && length(output.alarm_names) == length(output.rollback_alarm_names) + 3
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
      ) : a.alarm_actions == toset([aws_sns_topic.alarms[0].arn]) && a.ok_actions == toset([aws_sns_topic.alarms[0].arn]) && try(length(a.insufficient_data_actions), 0) == 0
    ])
    error_message = "every alarm must notify the topic when it fires and when it clears (not on missing data, which is an idle operation)"
  }
  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.operation_latency), values(aws_cloudwatch_metric_alarm.utilization), aws_cloudwatch_metric_alarm.unhealthy_targets) :
      a.period == 300 && a.evaluation_periods == 3 && a.datapoints_to_alarm == 2
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
}
