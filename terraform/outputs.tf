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
  description = "Port the tasks serve on: reachable from allowed_cidrs with front_door = \"public_ip\" (http://<task IP>:<port>), and from the front door only otherwise."
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

output "front_door" {
  description = "How clients reach the service: api_gateway (HTTPS through API Gateway), alb (HTTPS through the load balancer) or public_ip (plain HTTP on the task's own public IP, which changes with every task)."
  value       = var.front_door
}

output "url" {
  description = "Base URL of the service, always https:// with a front door: https://<domain_name>, else the API Gateway's https://<id>.execute-api.<region>.amazonaws.com. An empty string with front_door = \"public_ip\": the address is the running task's public IP, which Terraform cannot know (make url and make get_ip find it: list-tasks, describe-tasks, the ENI's public IP) and port container_port, over plain http://."
  value = (
    local.https ? "https://${var.domain_name}" :
    local.api_gateway ? aws_apigatewayv2_api.this[0].api_endpoint : ""
  )
}

output "api_id" {
  description = "ID of the API Gateway HTTP API (front_door = \"api_gateway\"), e.g. for aws apigatewayv2 get-api --api-id; null otherwise."
  value       = local.api_gateway ? aws_apigatewayv2_api.this[0].id : null
}

output "api_endpoint" {
  description = "The HTTP API's own HTTPS address, https://<id>.execute-api.<region>.amazonaws.com (front_door = \"api_gateway\"): the service answers there even while a new domain_name does not resolve yet. null otherwise."
  value       = local.api_gateway ? aws_apigatewayv2_api.this[0].api_endpoint : null
}

output "access_log_group_name" {
  description = "CloudWatch log group of the API Gateway stage's access log, one JSON line per request (front_door = \"api_gateway\"); null otherwise."
  value       = local.api_gateway ? aws_cloudwatch_log_group.api_access[0].name : null
}

output "vpc_link_id" {
  description = "ID of the API Gateway VPC link to the tasks (front_door = \"api_gateway\"): aws apigatewayv2 get-vpc-link shows whether it is AVAILABLE (it becomes INACTIVE after 60 days without traffic). null otherwise."
  value       = local.api_gateway ? aws_apigatewayv2_vpc_link.this[0].id : null
}

output "service_discovery_service_id" {
  description = "ID of the Cloud Map service the tasks register in (front_door = \"api_gateway\"): aws servicediscovery list-instances --service-id shows the registered tasks, aws servicediscovery get-instances-health-status their health. null otherwise."
  value       = local.api_gateway ? aws_service_discovery_service.this[0].id : null
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (front_door = \"alb\"); null otherwise."
  value       = local.alb ? aws_lb.this[0].dns_name : null
}

output "cname_target" {
  description = "With domain_name: the name a DNS record for domain_name must point at (a CNAME, when its zone is not in Route 53; the stack creates an alias record itself when it is): the API Gateway custom domain's regional name, or the load balancer's. null without domain_name."
  value       = local.https ? local.front_door_target.name : null
}

output "certificate_arn" {
  description = "ACM certificate the front door serves domain_name with (created and validated by the stack, or certificate_arn); null without domain_name."
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
  description = "Every CloudWatch alarm of the stack: the rollback alarms, then the heartbeat, store full, CPU, memory, tasks below desired, and the front door's others (the load balancer's unhealthy targets, the API Gateway's p99 latency). make status lists those in ALARM."
  value       = local.alarm_names
}

output "rollback_alarm_names" {
  description = "The alarms the service's deployments watch (alarm names in its deployment configuration): each operation's 5xx rate and p99 latency, and the front door's 5xx rate (the load balancer's from the tasks, or the API Gateway's). One that fires during a deployment rolls it back, unless rollback_on_alarms is false."
  value       = local.rollback_alarm_names
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify (its subscribers are alarm_emails); null when alarm_emails is empty."
  value       = length(var.alarm_emails) > 0 ? aws_sns_topic.alarms[0].arn : null
}
