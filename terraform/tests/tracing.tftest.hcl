# enable_tracing: the ADOT collector sidecar (pinned image, its configuration in
# AOT_CONFIG_CONTENT, its share of the task, its logs, its health check), the service pointed at it
# and started after it, the X-Ray permissions on the task role, and GOMEMLIMIT for the service's
# share of the task in each shape. Without tracing: default.tftest.hcl and arm64.tftest.hcl.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag      = "abc1234-amd64"
  enable_tracing = true
}

run "collector_sidecar_on_the_default_task" {
  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.name] == ["actors", "otel-collector"]
    error_message = "the task must run the service and the collector"
  }
  assert {
    condition     = aws_ecs_task_definition.this.cpu == "256" && aws_ecs_task_definition.this.memory == "512"
    error_message = "the task keeps its size (what Fargate bills): cpu and memory"
  }
  assert {
    condition = (
      sum([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.cpu]) == 256 &&
      sum([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.memory]) == 512 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].cpu == 64 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].memory == 256
    )
    error_message = "the collector's 64 CPU units and 256 MiB must come out of the task's, the service getting the rest"
  }
  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].image == "public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0" &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].essential == false
    )
    error_message = "the collector must be the pinned ADOT image, and not essential: the service keeps serving without it"
  }
  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].readonlyRootFilesystem == true &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].linuxParameters.capabilities.drop == ["ALL"] &&
      length(jsondecode(aws_ecs_task_definition.this.container_definitions)[1].portMappings) == 0
    )
    error_message = "the collector must run read-only, without capabilities, and publish no port (the service reaches it on localhost)"
  }
  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].logConfiguration.logDriver == "awslogs" &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].logConfiguration.options["awslogs-group"] == "/ecs/actors" &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].logConfiguration.options["awslogs-stream-prefix"] == "otel-collector" &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[1].logConfiguration.options["awslogs-region"] == "us-east-1"
    )
    error_message = "the collector must log to the stack's log group, in streams of its own"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[1].healthCheck.command == ["CMD", "/healthcheck"]
    error_message = "the collector's health check must be the image's /healthcheck (the health_check extension)"
  }
  assert {
    condition = yamldecode({ for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[1].environment : e.name => e.value }["AOT_CONFIG_CONTENT"]) == {
      extensions = { health_check = { endpoint = "127.0.0.1:13133" } }
      receivers  = { otlp = { protocols = { http = { endpoint = "127.0.0.1:4318" } } } }
      processors = {
        memory_limiter = { check_interval = "1s", limit_mib = 204, spike_limit_mib = 51 }
        batch          = { timeout = "1s", send_batch_size = 50, send_batch_max_size = 50 }
      }
      exporters = { awsxray = { region = "us-east-1", indexed_attributes = ["openapi.operation_id", "http.route"] } }
      service = {
        extensions = ["health_check"]
        pipelines  = { traces = { receivers = ["otlp"], processors = ["memory_limiter", "batch"], exporters = ["awsxray"] } }
        telemetry  = { metrics = { level = "none" } }
      }
    }
    error_message = "the collector's configuration must receive OTLP/HTTP on 127.0.0.1:4318 and export to X-Ray in the stack's region, within its memory"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[1].environment : e.name => e.value }["GOMEMLIMIT"] == "204MiB"
    error_message = "the collector's GOMEMLIMIT must be 80% of its 256 MiB"
  }

  # The service.
  assert {
    condition = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value } == {
      ACTORS_ADDR                 = ":5000"
      ACTORS_LOG_LEVEL            = "info"
      ACTORS_STORE                = "memory"
      GOMEMLIMIT                  = "230MiB"
      OTEL_SERVICE_NAME           = "actors"
      OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
      OTEL_PROPAGATORS            = "none"
      ACTORS_TRUSTED_PROXIES      = "10.42.32.0/20,10.42.48.0/20"
      ACTORS_IDLE_TIMEOUT         = "10m"
    }
    error_message = "the service must send its spans to the collector on localhost, continue no client's trace, and keep GOMEMLIMIT at 90% of its 256 MiB (512 less the collector's); no sampler at ratio 1"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].cpu == 192 && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].memory == 256
    error_message = "the service's limits must be the task's less the collector's"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].dependsOn == [{ containerName = "otel-collector", condition = "START" }]
    error_message = "the service must start after the collector has started (not wait for it to be healthy: the service runs without it)"
  }

  # The task role.
  assert {
    condition = (
      aws_iam_role_policy.task_xray[0].role == aws_iam_role.task.id &&
      jsondecode(aws_iam_role_policy.task_xray[0].policy).Statement == [{
        Sid = "SendTraces", Effect = "Allow", Action = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource = "*"
      }]
    )
    error_message = "the task role must be allowed to put trace segments and telemetry records to X-Ray, nothing more"
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.execution.policy, "xray")
    error_message = "the execution role (ECS's) needs nothing for tracing"
  }
}

run "tracing_on_a_bigger_arm64_task_with_sampling" {
  command = plan

  variables {
    image_tag                = "abc1234-arm64"
    cpu_architecture         = "ARM64"
    cpu                      = 1024
    memory                   = 2048
    tracing_collector_cpu    = 128
    tracing_collector_memory = 512
    tracing_sample_ratio     = 0.25
  }

  assert {
    condition     = local.container.cpu == 896 && local.container.memory == 1536 && local.collector_container.cpu == 128 && local.collector_container.memory == 512
    error_message = "the service must get the task's 1024/2048 less the collector's 128/512"
  }
  assert {
    condition = { for e in local.container.environment : e.name => e.value if startswith(e.name, "GO") || startswith(e.name, "OTEL_") } == {
      GOMEMLIMIT                  = "1382MiB"
      OTEL_SERVICE_NAME           = "actors"
      OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
      OTEL_PROPAGATORS            = "none"
      OTEL_TRACES_SAMPLER         = "parentbased_traceidratio"
      OTEL_TRACES_SAMPLER_ARG     = "0.25"
    }
    error_message = "GOMEMLIMIT must be 90% of the service's 1536 MiB, and a ratio below 1 must sample new traces by trace id"
  }
  assert {
    condition     = yamldecode({ for e in local.collector_container.environment : e.name => e.value }["AOT_CONFIG_CONTENT"]).processors.memory_limiter.limit_mib == 409
    error_message = "the collector's memory limiter must follow its memory"
  }
}

run "a_collector_too_big_for_the_task_is_refused" {
  command = plan

  variables {
    tracing_collector_memory = 512
  }

  expect_failures = [aws_ecs_task_definition.this]
}
