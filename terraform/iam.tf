# Two roles. The execution role is what ECS itself uses to start the task (pull the image, write
# logs, read the secret); the task role is what the application's code gets. No role for ENIs is
# created: ECS manages task ENIs with its service-linked role AWSServiceRoleForECS, which AWS
# creates in the account on first use.
#
# Both live under the IAM path /<name>/ with the permissions boundary <name>-boundary, which the
# one-time IAM set-up (terraform/iam) creates before the first deploy: the deployer may create and
# change roles only there and only with that boundary, so no policy it writes on a role gives the
# role more than the boundary allows (docs/deploy.md).

locals {
  partition            = split(":", data.aws_caller_identity.current.arn)[1]
  iam_path             = "/${var.name}/"
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${var.name}/${var.name}-boundary"

  ecs_tasks_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EcsTasksFromThisAccount"
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      # Confused-deputy guard: only ECS acting for this account may assume the role.
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role" "execution" {
  # At most 38 characters (IAM's 64 less the 26 Terraform adds), even for a 32-character name.
  name_prefix          = "${var.name}-exec-"
  path                 = local.iam_path
  permissions_boundary = local.permissions_boundary
  description          = "ECS task execution role of ${var.name}: pull its image, write its logs, read its secret"
  assume_role_policy   = local.ecs_tasks_trust
}

resource "aws_iam_role_policy" "execution" {
  name = "pull-log-secret"
  role = aws_iam_role.execution.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The only ECR action that cannot be scoped to a repository.
        Sid      = "EcrAuthToken"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid      = "PullThisRepository"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = aws_ecr_repository.this.arn
      },
      {
        Sid      = "WriteThisLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [aws_cloudwatch_log_group.this.arn, "${aws_cloudwatch_log_group.this.arn}:*"]
      },
      {
        Sid      = "ReadThisSecret"
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = aws_secretsmanager_secret.credentials.arn
      },
    ]
  })
}

resource "aws_iam_role" "task" {
  name_prefix          = "${var.name}-task-"
  path                 = local.iam_path
  permissions_boundary = local.permissions_boundary
  description          = "Role of the ${var.name} application itself: item access to its DynamoDB table with store = dynamodb, sending traces to X-Ray with enable_tracing; nothing else"
  assume_role_policy   = local.ecs_tasks_trust
}

# The application's own permissions: its DynamoDB table's (dynamodb.tf, store = "dynamodb"), X-Ray
# for the collector (tracing.tf, enable_tracing) and any extra ones attached from
# var.task_role_policy_arns or by another module through task_role_name.
resource "aws_iam_role_policy_attachment" "task" {
  for_each = toset(var.task_role_policy_arns)

  role       = aws_iam_role.task.name
  policy_arn = each.value
}
