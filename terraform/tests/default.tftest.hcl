# The default shape: the API Gateway front door (front_door.tftest.hcl has its details), tasks
# with a public IP for their own HTTPS calls out in two public subnets, port 5000 open to the VPC
# link only. Then, on the applied stack: later applies, password rotation, the desired count, and a
# region change.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag = "abc1234-amd64"
}

run "plan_default_shape" {
  command = plan

  assert {
    condition     = aws_ecs_task_definition.this.network_mode == "awsvpc"
    error_message = "task definition must use awsvpc networking"
  }
  assert {
    condition     = aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"])
    error_message = "task definition must require FARGATE (only)"
  }
  assert {
    condition     = aws_ecs_task_definition.this.cpu == "256" && aws_ecs_task_definition.this.memory == "512"
    error_message = "default task size must be 256 CPU units / 512 MiB"
  }
  assert {
    condition     = aws_ecs_task_definition.this.runtime_platform[0].cpu_architecture == "X86_64" && aws_ecs_task_definition.this.runtime_platform[0].operating_system_family == "LINUX"
    error_message = "default runtime platform must be LINUX/X86_64"
  }
  assert {
    condition     = aws_ecs_service.this.launch_type == "FARGATE" && aws_ecs_service.this.platform_version == "LATEST"
    error_message = "service must launch on FARGATE, platform LATEST"
  }
  assert {
    condition     = aws_ecs_service.this.deployment_circuit_breaker[0].enable && aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "service must have the deployment circuit breaker with rollback"
  }
  assert {
    condition     = aws_ecs_service.this.deployment_minimum_healthy_percent == 100 && aws_ecs_service.this.deployment_maximum_percent == 200
    error_message = "service must keep 100% healthy and allow 200% during deployments"
  }
  assert {
    condition     = aws_ecs_service.this.propagate_tags == "SERVICE" && aws_ecs_service.this.desired_count == 1
    error_message = "service must propagate its tags and run one task by default"
  }
  assert {
    condition     = aws_ecs_service.this.network_configuration[0].assign_public_ip == true
    error_message = "without a NAT gateway the task needs a public IP for its calls out"
  }
  assert {
    condition     = length(aws_ecs_service.this.load_balancer) == 0 && aws_ecs_service.this.health_check_grace_period_seconds == null
    error_message = "no load balancer (and no grace period) by default"
  }
  assert {
    condition     = length(aws_ecs_service.this.service_registries) == 1 && length(aws_apigatewayv2_api.this) == 1
    error_message = "the API Gateway front door, reaching the tasks through Cloud Map, by default"
  }
  assert {
    condition     = aws_ecs_service.this.wait_for_steady_state == false
    error_message = "terraform should not wait for steady state by default (make deploy waits)"
  }
  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "enabled"
    error_message = "Container Insights must be enabled on the cluster"
  }
  assert {
    condition     = aws_cloudwatch_log_group.container_insights[0].name == "/aws/ecs/containerinsights/actors/performance" && aws_cloudwatch_log_group.container_insights[0].retention_in_days == 30
    error_message = "the Container Insights log group must be managed (so make delete removes it) with the same retention"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 30 && aws_cloudwatch_log_group.this.name == "/ecs/actors"
    error_message = "log group /ecs/actors must keep logs 30 days"
  }
  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "ECR repository must have immutable tags and scan on push"
  }
  assert {
    condition     = aws_ecr_repository.this.force_delete && aws_ecr_repository.this.encryption_configuration[0].encryption_type == "AES256"
    error_message = "ECR repository must be encrypted and deletable with its images"
  }
  # ECR's rules: an image matching a rule's tags can be expired by that rule only. So the running
  # tag must be matched by the first rule, and that rule must never expire its one image.
  assert {
    condition = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0] == {
      rulePriority = 1
      description  = "never expire the running image"
      selection    = { tagStatus = "tagged", tagPatternList = ["abc1234-amd64"], countType = "imageCountMoreThan", countNumber = 1 }
      action       = { type = "expire" }
    }
    error_message = "the first lifecycle rule must claim exactly the running tag and never expire it"
  }
  assert {
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.rulePriority] == [1, 3, 4] && alltrue([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagStatus != "any"])
    error_message = "the running tag's rule must come first, and no rule may select tagStatus any (it would count every attestation and index)"
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1].selection == { tagStatus = "tagged", tagPatternList = ["*"], countType = "imageCountMoreThan", countNumber = 10 }
    error_message = "the other tagged images must be kept to the last ecr_keep_images (10)"
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[2].selection == { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 1 }
    error_message = "untagged images must expire a day after their push"
  }
  assert {
    condition     = aws_subnet.public[*].cidr_block == ["10.42.0.0/20", "10.42.16.0/20"]
    error_message = "a /16 VPC must get two /20 subnets"
  }
  assert {
    condition     = aws_subnet.public[*].availability_zone_id == ["use1-az1", "use1-az2"] && aws_subnet.public[*].tags.Name == ["actors-public-us-east-1a", "actors-public-us-east-1b"]
    error_message = "the public subnets must be placed by zone ID in the first two usable zones of the data source, and named after the zones' names"
  }
  assert {
    condition     = aws_route.internet.destination_cidr_block == "0.0.0.0/0"
    error_message = "public route table must have a default route"
  }
  assert {
    condition = (
      length(aws_vpc_security_group_ingress_rule.tasks_from_cidrs) == 0 && length(aws_vpc_security_group_ingress_rule.tasks_from_alb) == 0 &&
      length(aws_vpc_security_group_ingress_rule.tasks_from_vpc_link) == 1
    )
    error_message = "tasks must have exactly one ingress rule by default: from the VPC link, none from the Internet"
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_ingress_rule.tasks_from_vpc_link : r.from_port == 5000 && r.to_port == 5000 && r.ip_protocol == "tcp" && r.cidr_ipv4 == null])
    error_message = "the tasks' only ingress must be tcp/5000 from the front door's security group"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.tasks_https.from_port == 443 && aws_vpc_security_group_egress_rule.tasks_https.to_port == 443
    error_message = "tasks may only send HTTPS out"
  }
  assert {
    condition     = length(aws_lb.this) == 0 && length(aws_security_group.alb) == 0 && length(aws_lb_listener.http) == 0
    error_message = "no load balancer resources by default"
  }
  assert {
    condition     = length(aws_appautoscaling_policy.cpu) == 0 && aws_appautoscaling_target.service.min_capacity == 1 && aws_appautoscaling_target.service.max_capacity == 1
    error_message = "autoscaling must be off by default: the count is pinned to desired_count (1), with no policy"
  }
  assert {
    condition     = aws_secretsmanager_secret.credentials.recovery_window_in_days == 0
    error_message = "the secret must be deleted at once so that make delete leaves nothing behind"
  }
  assert {
    condition     = output.alb_dns_name == null && output.certificate_arn == null && output.front_door == "api_gateway"
    error_message = "outputs: the API Gateway front door, no ALB DNS name or certificate by default"
  }
  assert {
    condition     = length(aws_dynamodb_table.this) == 0 && length(aws_iam_role_policy.task_dynamodb) == 0
    error_message = "the default memory store must create no DynamoDB table and no table policy"
  }
  assert {
    condition     = output.store == "memory" && output.dynamodb_table_name == null && output.dynamodb_table_arn == null
    error_message = "outputs: store memory, no DynamoDB table name or ARN"
  }
}

run "apply_default_shape" {
  # apply, so that ARNs and the repository URL are known and the JSON documents can be checked

  assert {
    condition     = local.container.user == "65532" && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].user == "65532"
    error_message = "container must run as the non-root user 65532"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].readonlyRootFilesystem == true
    error_message = "container root filesystem must be read-only"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].linuxParameters.capabilities.drop == ["ALL"] && length(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].linuxParameters.capabilities.add) == 0
    error_message = "container must drop all Linux capabilities and add none"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == "${aws_ecr_repository.this.repository_url}:abc1234-amd64"
    error_message = "container image must be this repository at the given tag"
  }
  assert {
    condition     = [for p in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings : p.containerPort] == [5000]
    error_message = "container must expose port 5000 only"
  }
  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration.logDriver == "awslogs" &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration.options["awslogs-group"] == aws_cloudwatch_log_group.this.name &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration.options["awslogs-region"] == "us-east-1"
    )
    error_message = "container must log with awslogs to the managed log group in the stack's region"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.command == ["CMD", "/actors", "healthcheck"]
    error_message = "container health check must run /actors healthcheck"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].stopTimeout == 30
    error_message = "container must have a stop timeout"
  }
  assert {
    condition = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value } == {
      ACTORS_ADDR            = ":5000"
      ACTORS_LOG_LEVEL       = "info"
      ACTORS_STORE           = "memory"
      GOMEMLIMIT             = "460MiB"
      OTEL_SERVICE_NAME      = "actors"
      ACTORS_TRUSTED_PROXIES = "10.42.32.0/20,10.42.48.0/20"
      ACTORS_IDLE_TIMEOUT    = "10m"
    }
    error_message = "environment must hold ACTORS_ADDR=:5000, the log level, ACTORS_STORE=memory, GOMEMLIMIT (90% of the task's 512 MiB), the metrics' service name, the front door's subnets as trusted proxies and an idle timeout above API Gateway's, nothing else (no tracing by default)"
  }
  assert {
    condition = alltrue([for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment :
      !strcontains(upper(e.name), "PASSWORD") && !strcontains(upper(e.name), "USERNAME") && !strcontains(e.value, "FirstGeneratedPassword0123456789")
    ])
    error_message = "no credential may appear in the container environment"
  }
  assert {
    condition = { for s in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets : s.name => s.valueFrom } == {
      ACTORS_USERNAME = "${aws_secretsmanager_secret.credentials.arn}:username::"
      ACTORS_PASSWORD = "${aws_secretsmanager_secret.credentials.arn}:password::"
    }
    error_message = "credentials must come from the secret's JSON keys through `secrets`"
  }
  assert {
    condition     = !strcontains(aws_ecs_task_definition.this.container_definitions, "FirstGeneratedPassword0123456789")
    error_message = "the password must not appear anywhere in the task definition"
  }
  assert {
    condition     = aws_ecs_task_definition.this.execution_role_arn == aws_iam_role.execution.arn && aws_ecs_task_definition.this.task_role_arn == aws_iam_role.task.arn
    error_message = "task definition must use the execution and task roles"
  }
  assert {
    condition     = aws_iam_role.execution.arn != aws_iam_role.task.arn
    error_message = "execution and task roles must be separate"
  }
  assert {
    condition = alltrue([for r in [aws_iam_role.execution, aws_iam_role.task] :
      jsondecode(r.assume_role_policy).Statement[0].Principal.Service == "ecs-tasks.amazonaws.com" &&
      jsondecode(r.assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    ])
    error_message = "roles must trust ecs-tasks.amazonaws.com for this account only"
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Action if s.Resource == "*"] == ["ecr:GetAuthorizationToken"]
    error_message = "only ecr:GetAuthorizationToken may have Resource \"*\""
  }
  assert {
    condition = { for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Sid => s.Resource if s.Resource != "*" } == {
      PullThisRepository = aws_ecr_repository.this.arn
      WriteThisLogGroup  = [aws_cloudwatch_log_group.this.arn, "${aws_cloudwatch_log_group.this.arn}:*"]
      ReadThisSecret     = aws_secretsmanager_secret.credentials.arn
    }
    error_message = "execution role resources must be exactly this repository, this log group and this secret"
  }
  assert {
    condition = { for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Sid => s.Action } == {
      EcrAuthToken       = "ecr:GetAuthorizationToken"
      PullThisRepository = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      WriteThisLogGroup  = ["logs:CreateLogStream", "logs:PutLogEvents"]
      ReadThisSecret     = "secretsmanager:GetSecretValue"
    }
    error_message = "execution role actions must be exactly pull, log and read-secret"
  }
  assert {
    condition     = length(aws_iam_role_policy_attachment.task) == 0 && length(aws_iam_role_policy.task_dynamodb) == 0 && length(aws_iam_role_policy.task_xray) == 0
    error_message = "with the memory store and no tracing the task role has no permissions"
  }
  assert {
    condition = (
      length(jsondecode(aws_ecs_task_definition.this.container_definitions)) == 1 &&
      !contains(keys(jsondecode(aws_ecs_task_definition.this.container_definitions)[0]), "dependsOn") &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].cpu == 256 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].memory == 512
    )
    error_message = "without tracing the task runs the service alone, with the whole task's CPU and memory"
  }
  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.credentials.secret_string) == { username = "actors", password = "FirstGeneratedPassword0123456789" }
    error_message = "the secret must hold the username and the generated password"
  }
  assert {
    condition     = output.ecr_repository_url == aws_ecr_repository.this.repository_url && output.secret_arn == aws_secretsmanager_secret.credentials.arn
    error_message = "outputs must expose the repository URL and the secret ARN"
  }
  assert {
    condition     = output.cluster_name == "actors" && output.service_name == "actors" && output.log_group_name == "/ecs/actors"
    error_message = "outputs must expose the cluster, service and log group names"
  }
  assert {
    condition     = output.image == "${aws_ecr_repository.this.repository_url}:abc1234-amd64"
    error_message = "image output must be the deployed image"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].dockerLabels["actors.credentials-version"] == aws_secretsmanager_secret_version.credentials.version_id
    error_message = "the task definition must name the secret's version, so that a new password rolls the tasks"
  }
  assert {
    condition     = endswith(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image, ":${jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection.tagPatternList[0]}")
    error_message = "the protected tag must be the one the task definition runs"
  }
  assert {
    condition     = output.url == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
    error_message = "the default URL must be the API Gateway's own https:// endpoint"
  }
  assert {
    condition     = terraform_data.region.output == "us-east-1" && output.region == "us-east-1" && terraform_data.account.output == "123456789012"
    error_message = "the stack's region and account must be recorded"
  }
}

run "generated_password_is_stable" {
  # The data source returns a new random value on every read; the stored password must not change.
  override_data {
    target = data.aws_secretsmanager_random_password.api
    values = { random_password = "SecondGeneratedPassword987654321" }
  }

  variables {
    image_tag = "def5678-amd64"
  }

  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.credentials.secret_string).password == "FirstGeneratedPassword0123456789"
    error_message = "the generated password must stay the same across plans"
  }
  assert {
    condition     = endswith(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image, ":def5678-amd64")
    error_message = "a new tag must roll out a new task definition"
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection.tagPatternList == ["def5678-amd64"]
    error_message = "the lifecycle policy must follow the running tag"
  }
}

run "rotate_password" {
  # What make rotate-password runs: the new password in TF_VAR_rotate_password, the password
  # replaced, only the secret's version targeted.
  variables {
    image_tag       = "def5678-amd64"
    rotate_password = "RotatedPassword-0123456789abcdef"
  }
  plan_options {
    replace = [terraform_data.password]
    target  = [aws_secretsmanager_secret_version.credentials]
  }

  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.credentials.secret_string) == { username = "actors", password = "RotatedPassword-0123456789abcdef" }
    error_message = "the rotated password must be the secret's new value"
  }
}

run "later_apply_keeps_the_rotated_password" {
  # The next make deploy: no rotate_password, a new generated value, a new tag.
  override_data {
    target = data.aws_secretsmanager_random_password.api
    values = { random_password = "ThirdGeneratedPassword5555555555" }
  }
  variables {
    image_tag = "0a1b2c3-amd64"
  }

  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.credentials.secret_string).password == "RotatedPassword-0123456789abcdef"
    error_message = "an apply after a rotation must keep the rotated password"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].dockerLabels["actors.credentials-version"] == aws_secretsmanager_secret_version.credentials.version_id
    error_message = "the task definition must name the rotated secret version"
  }
}

run "desired_count_without_autoscaling" {
  # The service ignores desired_count after creation; the pinned scalable target carries a change.
  variables {
    image_tag     = "0a1b2c3-amd64"
    desired_count = 0
  }

  assert {
    condition     = aws_appautoscaling_target.service.min_capacity == 0 && aws_appautoscaling_target.service.max_capacity == 0
    error_message = "a new desired_count must reach the service through the scalable target (min = max)"
  }
  assert {
    condition     = aws_ecs_service.this.desired_count == 1
    error_message = "the service itself must ignore desired_count after creation"
  }
}

run "another_region_is_refused" {
  # Another shell with another AWS_REGION: the stack's resources are not there. The plan must stop
  # with an error naming both regions, never plan a second stack.
  command = plan

  override_data {
    target = data.aws_region.current
    values = { id = "eu-west-1", name = "eu-west-1" }
  }
  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zone_ids = ["euw1-az3", "euw1-az1", "euw1-az2"] }
  }
  variables {
    image_tag = "0a1b2c3-amd64"
  }

  expect_failures = [aws_ecr_repository.this, aws_secretsmanager_secret.credentials]
}

run "another_account_is_refused" {
  # Another shell, whose credentials are for another account: the same, for the account.
  command = plan

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "210987654321", arn = "arn:aws:iam::210987654321:user/someone", user_id = "AIDASOMEONE" }
  }
  variables {
    image_tag = "0a1b2c3-amd64"
  }

  expect_failures = [aws_ecr_repository.this, aws_secretsmanager_secret.credentials]
}

run "given_password_and_task_policies" {
  variables {
    image_tag             = "0a1b2c3-amd64"
    api_username          = "kirk"
    api_password          = "NCC-1701-enterprise"
    task_role_policy_arns = ["arn:aws:iam::123456789012:policy/actors-dynamodb"]
  }

  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.credentials.secret_string) == { username = "kirk", password = "NCC-1701-enterprise" }
    error_message = "a given username and password must be stored in the secret"
  }
  assert {
    condition     = [for a in aws_iam_role_policy_attachment.task : a.policy_arn] == ["arn:aws:iam::123456789012:policy/actors-dynamodb"] && aws_iam_role_policy_attachment.task["arn:aws:iam::123456789012:policy/actors-dynamodb"].role == aws_iam_role.task.name
    error_message = "policies given in task_role_policy_arns must be attached to the task role"
  }
}

run "image_tag_required_for_the_service" {
  command = plan

  variables {
    image_tag = null
  }

  expect_failures = [aws_ecs_task_definition.this]
}
