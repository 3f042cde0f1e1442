output "region" {
  description = "AWS region the stack was created in (and stays in: placement.tf)."
  value       = local.stack_region
}

output "account_id" {
  description = "AWS account the stack was created in (and stays in: placement.tf)."
  value       = local.stack_account
}

output "ecr_repository_url" {
  description = "URL of the ECR repository to push images to (<account>.dkr.ecr.<region>.amazonaws.com/<name>)."
  value       = aws_ecr_repository.this.repository_url
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "log_group_name" {
  description = "CloudWatch log group receiving the container's logs (make logs tails it)."
  value       = aws_cloudwatch_log_group.this.name
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Basic-auth username and password (make credentials reads it)."
  value       = aws_secretsmanager_secret.credentials.arn
}

output "container_port" {
  description = "Port the tasks serve on (reachable directly when the ALB is disabled)."
  value       = var.container_port
}

output "cpu_architecture" {
  description = "CPU architecture of the task; images must be built for it."
  value       = var.cpu_architecture
}

output "image" {
  description = "Image reference the task definition runs (null before the first deploy)."
  value       = var.image_tag == null ? null : local.image
}

output "task_role_name" {
  description = "Name of the application's IAM role (under the path /<name>/). What it may do is capped by the permissions boundary of the IAM set-up: more permissions go through its task_role_statements."
  value       = aws_iam_role.task.name
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (the target of a CNAME for domain_name when its zone is not in Route 53); null when enable_alb is false."
  value       = var.enable_alb ? aws_lb.this[0].dns_name : null
}

output "url" {
  description = "Base URL of the service: https://<domain_name> with HTTPS, http://<ALB DNS name> with the ALB alone; an empty string without the ALB, because the task's public IP changes with every task (make url finds it)."
  value       = local.https ? "https://${var.domain_name}" : var.enable_alb ? "http://${aws_lb.this[0].dns_name}" : ""
}

output "certificate_arn" {
  description = "ACM certificate of the HTTPS listener (created and validated by the stack, or certificate_arn); null without domain_name."
  value       = local.https ? local.certificate_arn : null
}

output "task_definition_arn" {
  description = "ARN (with revision) of the task definition the service should run; make deploy checks the service was not rolled back from it."
  value       = aws_ecs_task_definition.this.arn
}

output "store" {
  description = "Store the tasks use: memory (one task) or dynamodb."
  value       = var.store
}

output "dynamodb_table_name" {
  description = "Name of the DynamoDB table holding the actors (ACTORS_DYNAMODB_TABLE); null with store = \"memory\"."
  value       = local.dynamodb ? aws_dynamodb_table.this[0].name : null
}

output "dynamodb_table_arn" {
  description = "ARN of the DynamoDB table holding the actors; null with store = \"memory\"."
  value       = local.dynamodb ? aws_dynamodb_table.this[0].arn : null
}

output "alarm_names" {
  description = "Every CloudWatch alarm of the stack: each operation's 5xx rate and p99 latency, then the service's (CPU, memory, tasks below desired) and the load balancer's. make status lists those in ALARM."
  value       = local.alarm_names
}

output "rollback_alarm_names" {
  description = "The alarms the service's deployments watch (alarm names in its deployment configuration): one that fires during a deployment rolls it back, unless rollback_on_alarms is false."
  value       = local.rollback_alarm_names
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify (its subscribers are alarm_emails); null when alarm_emails is empty."
  value       = length(var.alarm_emails) > 0 ? aws_sns_topic.alarms[0].arn : null
}
