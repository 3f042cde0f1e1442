# The service's running count always belongs to Application Auto Scaling, and the service ignores
# desired_count after creation (ecs.tf): so an apply, and every make deploy, leaves the count that
# autoscaling chose alone. With autoscaling off the target is pinned to desired_count (min = max,
# no policy), and registering it moves the service to that count: changing desired_count still
# works. With autoscaling on, target tracking on average CPU moves it between min and max.

resource "aws_appautoscaling_target" "service" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = var.enable_autoscaling ? var.autoscaling_min_capacity : var.desired_count
  max_capacity       = var.enable_autoscaling ? var.autoscaling_max_capacity : var.desired_count

  lifecycle {
    precondition {
      condition     = !var.enable_autoscaling || var.autoscaling_min_capacity <= var.autoscaling_max_capacity
      error_message = "autoscaling_min_capacity (${var.autoscaling_min_capacity}) must not exceed autoscaling_max_capacity (${var.autoscaling_max_capacity})."
    }
  }
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.enable_autoscaling ? 1 : 0

  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.service.service_namespace
  scalable_dimension = aws_appautoscaling_target.service.scalable_dimension
  resource_id        = aws_appautoscaling_target.service.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling_cpu_target
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

