resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  # ECS would otherwise create this group itself, and it would outlive make delete.
  depends_on = [aws_cloudwatch_log_group.container_insights]
}

# Container Insights writes its performance events here. Managing the group gives it our retention
# and lets terraform destroy remove it.
resource "aws_cloudwatch_log_group" "container_insights" {
  count = var.container_insights == "disabled" ? 0 : 1

  name              = "/aws/ecs/containerinsights/${var.name}/performance"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

locals {
  image = "${aws_ecr_repository.this.repository_url}:${coalesce(var.image_tag, "unset")}"

  # The addresses connections from the front door come from: the VPC link's network interfaces,
  # in their own subnets, or the ALB's, in the public subnets. None with public_ip: clients
  # connect directly, and anything they forward could be made up.
  trusted_proxies = (
    local.api_gateway ? join(",", aws_subnet.vpc_link[*].cidr_block) :
    local.alb ? join(",", aws_subnet.public[*].cidr_block) : null
  )

  log_options = {
    awslogs-group         = aws_cloudwatch_log_group.this.name
    awslogs-region        = local.region
    awslogs-stream-prefix = local.container_name
    # A slow CloudWatch must not block the application's writes to stdout.
    mode            = "non-blocking"
    max-buffer-size = "4m"
  }

  container = merge({
    name      = local.container_name
    image     = local.image
    essential = true
    # The task's size less the collector's (tracing.tf): the service's own limits.
    cpu    = local.app_cpu
    memory = local.app_memory

    # The image's distroless "nonroot" user; stated here too so a root image cannot slip in.
    user                   = "65532"
    readonlyRootFilesystem = true
    linuxParameters = {
      capabilities = { drop = ["ALL"], add = [] }
    }

    portMappings = [{
      name          = "http"
      containerPort = var.container_port
      hostPort      = var.container_port
      protocol      = "tcp"
      appProtocol   = "http"
    }]

    # Configuration only: credentials never go in `environment` (visible to anyone who can describe
    # the task definition); they come from Secrets Manager below.
    # The store's settings are not secret either: a table name is no credential (access is
    # granted to the task role). AWS_REGION is set by Fargate too; stating it keeps the SDK on the
    # table's region whatever the platform does.
    environment = concat(
      [
        { name = "ACTORS_ADDR", value = ":${var.container_port}" },
        { name = "ACTORS_LOG_LEVEL", value = var.log_level },
        { name = "ACTORS_STORE", value = var.store },
        { name = "GOMEMLIMIT", value = local.gomemlimit },
        # The metrics' Service dimension, which the alarms watch (alarms.tf), and the traces' name.
        { name = "OTEL_SERVICE_NAME", value = local.metrics_service },
        # An idle connection is kept longer than the front door keeps its own, so that the front
        # door closes it: one the task closes while a request is on its way there is a 502. The
        # ALB keeps its for 60 s; API Gateway publishes no figure for private integrations.
        { name = "ACTORS_IDLE_TIMEOUT", value = { api_gateway = "10m", alb = "75s", public_ip = "75s" }[var.front_door] },
      ],
      local.dynamodb ? [
        { name = "ACTORS_DYNAMODB_TABLE", value = aws_dynamodb_table.this[0].name },
        { name = "AWS_REGION", value = local.region },
      ] : [],
      # Behind a front door every connection comes from one of its addresses: the service must
      # take the client from what the front door forwards, or one client's failed logins would
      # lock out everybody. It believes exactly the front door's subnets (local.trusted_proxies).
      local.trusted_proxies == null ? [] : [
        { name = "ACTORS_TRUSTED_PROXIES", value = local.trusted_proxies },
      ],
      var.enable_tracing ? [
        { name = "OTEL_EXPORTER_OTLP_ENDPOINT", value = "http://127.0.0.1:4318" },
        # Neither front door starts traces, and both pass a client's traceparent on: it would
        # choose what is sampled. Every request starts its own trace.
        { name = "OTEL_PROPAGATORS", value = "none" },
      ] : [],
      var.enable_tracing && var.tracing_sample_ratio < 1 ? [
        { name = "OTEL_TRACES_SAMPLER", value = "parentbased_traceidratio" },
        { name = "OTEL_TRACES_SAMPLER_ARG", value = tostring(var.tracing_sample_ratio) },
      ] : [],
    )
    secrets = [
      { name = "ACTORS_USERNAME", valueFrom = "${aws_secretsmanager_secret.credentials.arn}:username::" },
      { name = "ACTORS_PASSWORD", valueFrom = "${aws_secretsmanager_secret.credentials.arn}:password::" },
    ]
    # ECS reads the secret only when a task starts. Naming the secret's version here makes a new
    # password (api_password changed) a new revision, so the apply replaces the running tasks.
    dockerLabels = {
      "actors.credentials-version" = aws_secretsmanager_secret_version.credentials.version_id
    }

    logConfiguration = {
      logDriver = "awslogs"
      options   = local.log_options
    }

    # The image has no shell or curl; the binary checks its own /healthz.
    healthCheck = {
      command     = ["CMD", "/actors", "healthcheck"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 10
    }
    stopTimeout = var.stop_timeout

    # Listed empty so the provider's normalised read-back does not show a perpetual diff.
    mountPoints    = []
    volumesFrom    = []
    systemControls = []
    },
    # The collector starts first, so the first requests' spans have somewhere to go; ECS also
    # stops the service first, so the spans it flushes at SIGTERM still reach the collector.
    { for k, v in { dependsOn = [{ containerName = local.collector_name, condition = "START" }] } : k => v if var.enable_tracing },
  )
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  skip_destroy             = true # a replaced revision stays ACTIVE: ECS and make deploy roll back to it

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode(concat([local.container], var.enable_tracing ? [local.collector_container] : []))

  lifecycle {
    precondition {
      condition     = var.image_tag != null
      error_message = "image_tag is not set: run `make deploy`, or pass -var image_tag=<tag of an image in the ECR repository>."
    }
    precondition {
      condition     = !can(regex("-(amd64|arm64)$", coalesce(var.image_tag, "-"))) || endswith(coalesce(var.image_tag, "-"), "-${local.image_arch[var.cpu_architecture]}")
      error_message = "image_tag ${coalesce(var.image_tag, "-")} was built for another CPU architecture than cpu_architecture = ${var.cpu_architecture}: its tasks would fail with \"exec format error\". Deploy an image built for ${local.image_arch[var.cpu_architecture]} (make deploy builds one)."
    }
    precondition {
      condition     = contains(lookup(local.fargate_memory, var.cpu, []), var.memory)
      error_message = "cpu ${var.cpu} with memory ${var.memory} MiB is not a Fargate task size; for ${var.cpu} CPU units use one of: ${join(", ", [for m in lookup(local.fargate_memory, var.cpu, []) : tostring(m)])}."
    }
    precondition {
      condition     = local.app_cpu >= 64 && local.app_memory >= 128
      error_message = "enable_tracing: the collector's ${var.tracing_collector_cpu} CPU units and ${var.tracing_collector_memory} MiB leave the service ${local.app_cpu} CPU units and ${local.app_memory} MiB of the ${var.cpu}/${var.memory} task, below its 64 and 128. Raise cpu and memory (a Fargate pair), or lower tracing_collector_cpu and tracing_collector_memory."
    }
  }
}

resource "aws_ecs_service" "this" {
  name             = var.name
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.this.arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.deployment_maximum_percent
  # A deployment whose tasks never become healthy is stopped and the previous revision restored.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  # A deployment during which a rollback alarm fires (alarms.tf: each operation's 5xx rate and p99
  # latency, the front door's 5xx rate) is stopped and the previous one restored, too.
  alarms {
    enable      = var.rollback_on_alarms
    rollback    = true
    alarm_names = local.rollback_alarm_names
  }

  health_check_grace_period_seconds = local.alb ? var.health_check_grace_period : null
  wait_for_steady_state             = var.wait_for_steady_state

  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"

  network_configuration {
    subnets         = aws_subnet.public[*].id
    security_groups = [aws_security_group.tasks.id]
    # No NAT gateway: the task reaches ECR, Logs and Secrets Manager through its public IP. With a
    # front door nothing reaches the task through it: its security group admits the front door only.
    assign_public_ip = true
  }

  dynamic "load_balancer" {
    for_each = local.alb ? [1] : []
    content {
      target_group_arn = aws_lb_target_group.this[0].arn
      container_name   = local.container_name
      container_port   = var.container_port
    }
  }

  # ECS registers each task's address and port in Cloud Map (an SRV record), where the API
  # Gateway's integration finds it, and deregisters it when the task stops.
  dynamic "service_registries" {
    for_each = local.api_gateway ? [1] : []
    content {
      registry_arn   = aws_service_discovery_service.this[0].arn
      container_name = local.container_name
      container_port = var.container_port
    }
  }

  # Nothing here refers to what a starting task needs, so without these a task could start before
  # it can work: the route to the Internet and the egress rule (the provider removes the default
  # allow-all egress) before it pulls its image; the secret's value (AWSCURRENT) before ECS reads
  # it; the listeners and the security-group rules between ALB and tasks before targets register
  # and health checks begin; the rules between the VPC link and the tasks before the first task
  # becomes discoverable (so no request finds the door shut); the roles' policies before it starts
  # (and until it has stopped, on destroy).
  depends_on = [
    aws_route.internet, aws_route_table_association.public,
    aws_vpc_security_group_egress_rule.tasks_https,
    aws_secretsmanager_secret_version.credentials,
    aws_lb_listener.http, aws_lb_listener.https,
    aws_vpc_security_group_ingress_rule.tasks_from_alb, aws_vpc_security_group_egress_rule.alb_to_tasks,
    aws_vpc_security_group_ingress_rule.tasks_from_vpc_link, aws_vpc_security_group_egress_rule.vpc_link_to_tasks,
    aws_iam_role_policy.execution, aws_iam_role_policy.task_dynamodb, aws_iam_role_policy.task_xray,
  ]

  lifecycle {
    # Application Auto Scaling owns the running count (autoscaling.tf): an apply must not reset
    # what it chose. desired_count only sizes the service when it is created.
    ignore_changes = [desired_count]

    # Each task of the memory store holds its own copy of the actors: behind one address, two
    # tasks would answer differently and a write to one would be invisible to the other.
    precondition {
      condition     = local.dynamodb || var.desired_count <= 1
      error_message = "desired_count = ${var.desired_count} with store = \"memory\": each task would keep its own copy of the actors and writes to one would be invisible to the others. Set store = \"dynamodb\" to run more than one task, or desired_count = 1."
    }
    # The spec's operations name the alarms: check them here, where the alarms are used.
    precondition {
      condition     = length(local.openapi_operations) > 0
      error_message = "${local.openapi_spec_path} has no operations (paths with get, post, ...): there is nothing to alarm on. openapi_spec_path must name the service's OpenAPI document."
    }
    precondition {
      condition     = alltrue([for o in local.openapi_operations : can(regex("^[A-Za-z0-9._~-]{1,200}$", o.id))])
      error_message = "every operation of ${local.openapi_spec_path} needs an operationId of at most 200 letters, digits, '.', '_', '~' or '-' (it names the operation's metrics and alarms); these do not: ${join(", ", [for o in local.openapi_operations : "${o.method} ${o.path} (${o.id == "" ? "none" : o.id})" if !can(regex("^[A-Za-z0-9._~-]{1,200}$", o.id))])}."
    }
    precondition {
      condition     = alltrue([for id, list in local.operations_by_id : length(list) == 1])
      error_message = "operationIds must be unique in ${local.openapi_spec_path} (each names its own metrics and alarms); given more than once: ${join(", ", [for id, list in local.operations_by_id : id if length(list) > 1])}."
    }
    precondition {
      condition     = alltrue([for id in keys(var.alarm_latency_p99_thresholds) : contains(keys(local.operations), id)])
      error_message = "alarm_latency_p99_thresholds names operations the spec does not have: ${join(", ", [for id in keys(var.alarm_latency_p99_thresholds) : id if !contains(keys(local.operations), id)])} (its operationIds: ${join(", ", sort(keys(local.operations)))})."
    }
    precondition {
      condition     = local.dynamodb || !var.enable_autoscaling || var.autoscaling_max_capacity <= 1
      error_message = "autoscaling_max_capacity = ${var.autoscaling_max_capacity} with store = \"memory\": autoscaling would start tasks that each keep their own copy of the actors. Set store = \"dynamodb\" to scale out, or autoscaling_max_capacity = 1 (or enable_autoscaling = false)."
    }
  }
}
