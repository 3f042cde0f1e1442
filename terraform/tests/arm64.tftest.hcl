# A bigger ARM64 (Graviton) task with autoscaling (on the DynamoDB store) and an allow-list of
# two addresses on the task's own public IP (front_door = "public_ip").

mock_provider "aws" {
  source = "./tests/mocks"
}

run "arm64_autoscaling_plan" {
  command = plan

  variables {
    image_tag          = "abc1234-arm64"
    cpu_architecture   = "ARM64"
    cpu                = 512
    memory             = 2048
    enable_autoscaling = true
    store              = "dynamodb" # more than one task needs the shared store
    allowed_cidrs      = ["198.51.100.7/32", "203.0.113.0/28"]
    log_retention_days = 7
    container_insights = "disabled"
    front_door         = "public_ip"
  }

  assert {
    condition     = aws_ecs_task_definition.this.runtime_platform[0].cpu_architecture == "ARM64" && output.cpu_architecture == "ARM64"
    error_message = "runtime platform must be ARM64"
  }
  assert {
    condition     = aws_ecs_task_definition.this.cpu == "512" && aws_ecs_task_definition.this.memory == "2048"
    error_message = "task size must follow cpu/memory"
  }
  assert {
    condition     = local.container.cpu == 512 && local.container.memory == 2048 && { for e in local.container.environment : e.name => e.value }["GOMEMLIMIT"] == "1843MiB"
    error_message = "without tracing the service has the whole task, and GOMEMLIMIT is 90% of its 2048 MiB"
  }
  assert {
    condition     = aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"]) && aws_ecs_service.this.launch_type == "FARGATE"
    error_message = "ARM64 must still run on FARGATE"
  }
  assert {
    condition = toset([for r in aws_vpc_security_group_ingress_rule.tasks_from_cidrs : "${r.from_port}-${r.to_port} ${r.cidr_ipv4}"]) == toset([
      "5000-5000 198.51.100.7/32", "5000-5000 203.0.113.0/28",
    ])
    error_message = "each allowed CIDR must get exactly the container port"
  }
  assert {
    condition     = aws_appautoscaling_target.service.min_capacity == 1 && aws_appautoscaling_target.service.max_capacity == 4 && aws_appautoscaling_target.service.resource_id == "service/actors/actors"
    error_message = "autoscaling target must scale the service between 1 and 4 tasks"
  }
  assert {
    condition = (
      aws_appautoscaling_policy.cpu[0].policy_type == "TargetTrackingScaling" &&
      aws_appautoscaling_policy.cpu[0].target_tracking_scaling_policy_configuration[0].target_value == 60 &&
      aws_appautoscaling_policy.cpu[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"
    )
    error_message = "autoscaling must track average CPU at 60%"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 7 && one(aws_ecs_cluster.this.setting).value == "disabled" && length(aws_cloudwatch_log_group.container_insights) == 0
    error_message = "log retention and Container Insights must follow their variables"
  }
}
