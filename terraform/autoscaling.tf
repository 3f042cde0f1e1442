# Target tracking on the service's average CPU, off by default (var.enable_autoscaling).
# While it is on, desired_count is only the starting point; each apply resets it, so keep it
# within the min/max bounds.

resource "aws_appautoscaling_target" "service" {
  count = var.enable_autoscaling ? 1 : 0

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = var.autoscaling_min_capacity
  max_capacity       = var.autoscaling_max_capacity

  lifecycle {
    precondition {
      condition     = var.autoscaling_min_capacity <= var.autoscaling_max_capacity
      error_message = "autoscaling_min_capacity (${var.autoscaling_min_capacity}) must not exceed autoscaling_max_capacity (${var.autoscaling_max_capacity})."
    }
  }
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.enable_autoscaling ? 1 : 0

  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.service[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.service[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.service[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling_cpu_target
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
