# enable_tracing: an AWS Distro for OpenTelemetry collector in each task, beside the service. The
# service sends its spans over OTLP/HTTP to 127.0.0.1:4318 (the containers of an awsvpc task share
# localhost, and nothing outside the task can reach it); the collector batches them and sends them
# to X-Ray with the task role. Its configuration travels in AOT_CONFIG_CONTENT, so the image needs
# no file of ours. It is not essential: if it stops, the service keeps serving, without traces.

locals {
  collector_name = "otel-collector"

  # The task's size is cpu and memory (what Fargate bills); the collector's share comes out of it.
  app_cpu    = var.cpu - (var.enable_tracing ? var.tracing_collector_cpu : 0)
  app_memory = var.memory - (var.enable_tracing ? var.tracing_collector_memory : 0)

  # GOMEMLIMIT makes Go's garbage collector work harder as the process nears it, so that it stays
  # under its container's hard limit instead of being killed at it. 90%: the rest is for what the
  # container is charged and Go does not count (the binary's pages, the kernel's socket buffers).
  gomemlimit = "${floor(local.app_memory * 0.9)}MiB"

  collector_config = {
    extensions = {
      # What the image's /healthcheck asks (the container health check below).
      health_check = { endpoint = "127.0.0.1:13133" }
    }
    receivers = {
      otlp = { protocols = { http = { endpoint = "127.0.0.1:4318" } } }
    }
    processors = {
      # Refuses spans above 60% of the collector's memory (the service drops them, never waits)
      # and forces a collection above 80%; first in the pipeline.
      memory_limiter = {
        check_interval  = "1s"
        limit_mib       = floor(var.tracing_collector_memory * 0.8)
        spike_limit_mib = floor(var.tracing_collector_memory * 0.2)
      }
      # X-Ray takes at most 50 segments a call.
      batch = { timeout = "1s", send_batch_size = 50, send_batch_max_size = 50 }
    }
    exporters = {
      awsxray = {
        region = local.region
        # Searchable in X-Ray (as annotations): find the traces of one operation or route.
        indexed_attributes = ["openapi.operation_id", "http.route"]
      }
    }
    service = {
      extensions = ["health_check"]
      pipelines = {
        traces = { receivers = ["otlp"], processors = ["memory_limiter", "batch"], exporters = ["awsxray"] }
      }
      # Its own metrics would be a Prometheus endpoint nobody scrapes.
      telemetry = { metrics = { level = "none" } }
    }
  }

  collector_container = {
    name      = local.collector_name
    image     = var.tracing_collector_image
    essential = false
    cpu       = var.tracing_collector_cpu
    memory    = var.tracing_collector_memory

    # The image's own non-root user (aoc); it writes no file.
    readonlyRootFilesystem = true
    linuxParameters = {
      capabilities = { drop = ["ALL"], add = [] }
    }

    environment = [
      { name = "AOT_CONFIG_CONTENT", value = yamlencode(local.collector_config) },
      # The collector is a Go program too: the memory limiter's hard limit.
      { name = "GOMEMLIMIT", value = "${floor(var.tracing_collector_memory * 0.8)}MiB" },
    ]

    logConfiguration = {
      logDriver = "awslogs"
      options   = merge(local.log_options, { awslogs-stream-prefix = local.collector_name })
    }

    healthCheck = {
      command     = ["CMD", "/healthcheck"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 10
    }

    portMappings   = []
    mountPoints    = []
    volumesFrom    = []
    systemControls = []
  }
}

# What the collector needs to send traces. X-Ray has no resource-level permissions for these two
# actions: "*" is the only Resource they take.
resource "aws_iam_role_policy" "task_xray" {
  count = var.enable_tracing ? 1 : 0

  name = "xray-traces"
  role = aws_iam_role.task.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "SendTraces"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = "*"
    }]
  })
}
