# ---- naming and placement -------------------------------------------------------------------

variable "name" {
  description = "Name (and prefix) of every resource: ECR repository, ECS cluster/service, log group, IAM roles (under the path /<name>/), the front door (API Gateway API and VPC link, Cloud Map namespace <name>.internal, or ALB), and the Project tag the deployer's permissions are scoped to. Lowercase letters, digits and hyphens, 2-32 characters (an ALB name's limit). Must match the IAM set-up's (terraform/iam)."
  type        = string
  default     = "actors"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "name must be 2-32 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen."
  }
}

variable "region" {
  description = "AWS region to deploy to. null (the default) uses AWS_REGION / AWS_DEFAULT_REGION or the profile's region. Either way the stack stays where it was first created: a later plan in another region stops with an error naming both."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$", var.region))
    error_message = "region must look like an AWS region name, e.g. us-east-1 or eu-central-1."
  }
}

variable "tags" {
  description = "Extra tags applied to every resource through the provider's default_tags."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tag keys must be at most 128 characters and not start with \"aws:\"; values at most 256 characters."
  }
  # The deployer may change only what is tagged Project = name (terraform/iam).
  validation {
    condition     = !contains(keys(var.tags), "Project")
    error_message = "tags must not set Project: every resource is tagged Project = name, which the deployer's permissions are scoped to."
  }
}

# ---- network --------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "Private IPv4 CIDR of the VPC (RFC 1918), /16 to /24. The two public subnets take its first two sixteenths, at least a /26 each; with front_door = \"api_gateway\" the VPC link's two subnets take the next two."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^[0-9.]+/(1[6-9]|2[0-4])$", var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block with a prefix length between /16 and /24."
  }
  # The service trusts X-Forwarded-For only from private networks.
  validation {
    condition     = can(regex("^(10\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|192\\.168\\.)", var.vpc_cidr))
    error_message = "vpc_cidr must be inside a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)."
  }
}

variable "allowed_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the service: the load balancer's listeners with front_door = \"alb\", the task's port with \"public_ip\". The API Gateway front door cannot filter by address, so with \"api_gateway\" (the default) this must stay [\"0.0.0.0/0\"]. With \"public_ip\" the service speaks plain HTTP: 0.0.0.0/0 is refused unless allow_cleartext_from_anywhere is true; give your own address instead, e.g. [\"203.0.113.7/32\"]."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.allowed_cidrs) > 0 && alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "allowed_cidrs must be a non-empty list of valid CIDR blocks, e.g. [\"203.0.113.7/32\"]."
  }
  # The VPC, its subnets and the ALB are IPv4-only: an IPv6 rule would admit nobody.
  validation {
    condition     = alltrue([for c in var.allowed_cidrs : !strcontains(c, ":")])
    error_message = "allowed_cidrs must be IPv4 CIDR blocks: the VPC and the ALB have no IPv6 addresses, so an IPv6 client could never connect."
  }
  # A security group rule takes a network address only (EC2 refuses 203.0.113.7/24), and a block
  # with host bits set is usually a typo for a /32 or for its network: say which network it is.
  validation {
    condition     = alltrue([for c in var.allowed_cidrs : try(c == cidrsubnet(c, 0, 0), true)])
    error_message = "allowed_cidrs must give each block by its network address: ${join("; ", [for c in var.allowed_cidrs : "${c} has host bits set, its network is ${cidrsubnet(c, 0, 0)} (or give ${split("/", c)[0]}/32 for the one address)" if !try(c == cidrsubnet(c, 0, 0), true)])}."
  }
  # The same block twice, or one inside another, says something other than its owner meant; and
  # the load balancer's rules are keyed by block, so a repeated one stops the plan obscurely.
  validation {
    condition = alltrue(flatten([for i, a in var.allowed_cidrs : [
      for j, b in var.allowed_cidrs : j <= i || !try(
        cidrsubnet("${cidrhost(b, 0)}/${min(split("/", a)[1], split("/", b)[1])}", 0, 0) == cidrsubnet("${cidrhost(a, 0)}/${min(split("/", a)[1], split("/", b)[1])}", 0, 0),
      false)
    ]]))
    error_message = "allowed_cidrs must not list an address twice: ${join("; ", distinct(flatten([for i, a in var.allowed_cidrs : [
      for j, b in var.allowed_cidrs : (
        tonumber(split("/", a)[1]) == tonumber(split("/", b)[1]) ? "${b} is given twice" :
        tonumber(split("/", a)[1]) < tonumber(split("/", b)[1]) ? "${b} is inside ${a}" : "${a} is inside ${b}"
        ) if j > i && try(
        cidrsubnet("${cidrhost(b, 0)}/${min(split("/", a)[1], split("/", b)[1])}", 0, 0) == cidrsubnet("${cidrhost(a, 0)}/${min(split("/", a)[1], split("/", b)[1])}", 0, 0),
      false)
    ]])))}. Keep only the wider block."
  }
  # Ignoring a narrower list would leave the service open to more clients than its owner asked for.
  validation {
    condition     = var.front_door != "api_gateway" || var.allowed_cidrs == tolist(["0.0.0.0/0"])
    error_message = "allowed_cidrs cannot be enforced by the API Gateway front door (an HTTP API has no filter on the client's address). Remove allowed_cidrs to serve everyone over HTTPS, or choose front_door = \"alb\" (allowed_cidrs on the load balancer, and WAF if you attach it) or \"public_ip\" (plain HTTP, development only)."
  }
  # public_ip serves plain HTTP: open to the whole Internet only when its owner says so by name.
  validation {
    condition     = var.front_door != "public_ip" || var.allow_cleartext_from_anywhere || !anytrue([for c in var.allowed_cidrs : try(tonumber(split("/", c)[1]) == 0, false)])
    error_message = "front_door = \"public_ip\" serves plain HTTP: with allowed_cidrs open to the whole Internet (0.0.0.0/0), every client's Basic-auth password would cross it in clear text. Narrow allowed_cidrs to your own address (e.g. [\"203.0.113.7/32\"]), use the default front_door = \"api_gateway\" for HTTPS, or set allow_cleartext_from_anywhere = true if you accept that."
  }
}

variable "allow_cleartext_from_anywhere" {
  description = "With front_door = \"public_ip\", accept allowed_cidrs open to the whole Internet: the service then answers plain HTTP from anywhere, and every password sent to it travels in clear text. For throw-away development stacks only."
  type        = bool
  default     = false
}

# ---- container image and task ---------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the image in this stack's ECR repository to run (make deploy passes the git short SHA). Required to create the task definition; may be left null for `terraform destroy` or a targeted apply of the ECR repository."
  type        = string
  default     = null

  validation {
    condition     = var.image_tag == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid OCI tag: up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'."
  }
}

variable "container_port" {
  description = "TCP port the service listens on inside the container (passed as ACTORS_ADDR)."
  type        = number
  default     = 5000

  validation {
    condition     = var.container_port == floor(var.container_port) && var.container_port >= 1024 && var.container_port <= 65535
    error_message = "container_port must be an integer between 1024 and 65535 (the container runs as a non-root user)."
  }
}

variable "cpu" {
  description = "Fargate task CPU units (256 = 0.25 vCPU). Must form a supported pair with memory."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be one of the Fargate sizes 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "memory" {
  description = "Fargate task memory in MiB. Must be supported for the chosen cpu (e.g. 512, 1024 or 2048 for 256 CPU units)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory == floor(var.memory) && var.memory >= 512 && var.memory <= 122880 && (var.memory == 512 || var.memory % 1024 == 0)
    error_message = "memory must be 512 or a whole number of GiB (a multiple of 1024) up to 122880 MiB."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64 (Graviton, about 20% cheaper; the image must be built for linux/arm64)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "desired_count" {
  description = "Number of tasks to run. With enable_autoscaling it is only the count the service is created with: autoscaling owns the count after that, and a later change or apply does not reset it. More than 1 needs store = \"dynamodb\"."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count == floor(var.desired_count) && var.desired_count >= 0 && var.desired_count <= 100
    error_message = "desired_count must be an integer between 0 and 100."
  }
}

variable "store" {
  description = "Where the actors live: \"memory\" (the default: no table, nothing to pay, but each task holds its own copy and loses it when replaced, so the service is limited to one task) or \"dynamodb\" (a DynamoDB table shared by all tasks, pay per request: required to run more than one task or to keep data across deployments)."
  type        = string
  default     = "memory"

  validation {
    condition     = contains(["memory", "dynamodb"], var.store)
    error_message = "store must be memory or dynamodb."
  }
}

variable "dynamodb_deletion_protection" {
  description = "Turn on deletion protection of the DynamoDB table (store = \"dynamodb\"). Off by default so that make delete removes everything; when on, make delete fails on the table until it is turned off again."
  type        = bool
  default     = false
}

variable "log_level" {
  description = "Value of ACTORS_LOG_LEVEL in the container."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warn or error."
  }
}

variable "stop_timeout" {
  description = "Seconds ECS waits after SIGTERM before SIGKILL (Fargate allows up to 120). Keep above ACTORS_SHUTDOWN_TIMEOUT."
  type        = number
  default     = 30

  validation {
    condition     = var.stop_timeout == floor(var.stop_timeout) && var.stop_timeout >= 2 && var.stop_timeout <= 120
    error_message = "stop_timeout must be an integer between 2 and 120 seconds."
  }
}

variable "deployment_minimum_healthy_percent" {
  description = "Lower bound, in percent of desired_count, of running healthy tasks during a deployment (100 = start new tasks before stopping old ones)."
  type        = number
  default     = 100

  validation {
    condition     = var.deployment_minimum_healthy_percent == floor(var.deployment_minimum_healthy_percent) && var.deployment_minimum_healthy_percent >= 0 && var.deployment_minimum_healthy_percent <= 100
    error_message = "deployment_minimum_healthy_percent must be an integer between 0 and 100."
  }
}

variable "deployment_maximum_percent" {
  description = "Upper bound, in percent of desired_count, of running tasks during a deployment."
  type        = number
  default     = 200

  validation {
    condition     = var.deployment_maximum_percent == floor(var.deployment_maximum_percent) && var.deployment_maximum_percent >= 100 && var.deployment_maximum_percent <= 200
    error_message = "deployment_maximum_percent must be an integer between 100 and 200."
  }
}

variable "wait_for_steady_state" {
  description = "Make terraform apply wait until the service is stable. make deploy waits with `aws ecs wait services-stable` instead, so this defaults to false."
  type        = bool
  default     = false
}

variable "task_role_policy_arns" {
  description = "Extra IAM policy ARNs to attach to the task role (the application's own permissions). None are needed: store = \"dynamodb\" grants the table's item actions itself. The deployer may attach only the IAM set-up's <name>-task policy (its task_policy_arn output, from task_role_statements), and the role's boundary caps whatever is attached."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.task_role_policy_arns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", a))])
    error_message = "task_role_policy_arns must contain IAM policy ARNs (arn:aws:iam::<account>:policy/<name>)."
  }
}

# ---- observability --------------------------------------------------------------------------

variable "log_retention_days" {
  description = "Days CloudWatch keeps the container logs (one of the values CloudWatch accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "container_insights" {
  description = "ECS Container Insights on the cluster: enabled, enhanced or disabled (it is billed as CloudWatch custom metrics and logs)."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "enhanced", "disabled"], var.container_insights)
    error_message = "container_insights must be enabled, enhanced or disabled."
  }
}

variable "openapi_spec_path" {
  description = "Path of the OpenAPI document whose operations get their own alarms (one 5xx-rate and one p99-latency alarm per operationId). null (the default) reads the repository's api/openapi.yaml, the spec the service serves; set it only when the module is used outside this repository."
  type        = string
  default     = null

  validation {
    condition     = var.openapi_spec_path == null || try(fileexists(var.openapi_spec_path), false)
    error_message = "openapi_spec_path must name an existing file (the service's OpenAPI document)."
  }
}

# ---- alarms and rollback --------------------------------------------------------------------

variable "alarm_period" {
  description = "Seconds each alarm datapoint covers. The service's metrics are standard resolution (one line per operation a minute), so a multiple of 60."
  type        = number
  default     = 60

  validation {
    condition     = var.alarm_period >= 60 && var.alarm_period <= 3600 && var.alarm_period % 60 == 0
    error_message = "alarm_period must be a multiple of 60 seconds between 60 and 3600."
  }
}

variable "alarm_evaluation_periods" {
  description = "How many recent periods each alarm looks at (the running-tasks alarm needs all of them breaching, so that a task being replaced does not page)."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_evaluation_periods == floor(var.alarm_evaluation_periods) && var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 60
    error_message = "alarm_evaluation_periods must be an integer between 1 and 60."
  }
  # CloudWatch refuses an alarm that looks back more than a day.
  validation {
    condition     = var.alarm_evaluation_periods * var.alarm_period <= 86400
    error_message = "alarm_evaluation_periods × alarm_period must be at most 86400 seconds (one day)."
  }
}

variable "alarm_datapoints_to_alarm" {
  description = "How many of the alarm_evaluation_periods must breach for an alarm to fire (\"M of N\"): one bad minute does not roll a deployment back, a sustained problem does."
  type        = number
  default     = 3

  validation {
    condition     = var.alarm_datapoints_to_alarm == floor(var.alarm_datapoints_to_alarm) && var.alarm_datapoints_to_alarm >= 1 && var.alarm_datapoints_to_alarm <= var.alarm_evaluation_periods
    error_message = "alarm_datapoints_to_alarm must be an integer between 1 and alarm_evaluation_periods."
  }
}

variable "alarm_min_requests" {
  description = "Requests an operation (or the front door: the load balancer's target group, the API Gateway) must have in a period for its 5xx-rate and p99 alarms to judge the period; a quieter period counts as fine. For a quiet operation p99 is its slowest request, and one 5xx in one request is 100%."
  type        = number
  default     = 10

  validation {
    condition     = var.alarm_min_requests == floor(var.alarm_min_requests) && var.alarm_min_requests >= 1 && var.alarm_min_requests <= 100000
    error_message = "alarm_min_requests must be an integer between 1 and 100000."
  }
}

variable "alarm_5xx_rate_threshold" {
  description = "Percent of an operation's answers (and of the front door's: the load balancer's target group, the API Gateway) that may be 5xx in a period before the period counts as breaching."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_5xx_rate_threshold > 0 && var.alarm_5xx_rate_threshold < 100
    error_message = "alarm_5xx_rate_threshold must be a percentage above 0 and below 100."
  }
}

variable "alarm_latency_p99_threshold" {
  description = "Milliseconds an operation's p99 latency (as the service measures it: from the request reaching the handler to its answer) may reach in a period before the period counts as breaching. The API Gateway's own p99 alarm (front_door = \"api_gateway\", every operation together) takes the highest of this and alarm_latency_p99_thresholds."
  type        = number
  default     = 1000

  validation {
    condition     = var.alarm_latency_p99_threshold > 0 && var.alarm_latency_p99_threshold <= 60000
    error_message = "alarm_latency_p99_threshold must be above 0 and at most 60000 milliseconds."
  }
}

variable "alarm_latency_p99_thresholds" {
  description = "Per-operation p99 thresholds in milliseconds, by operationId (e.g. { listActors = 2000 }), overriding alarm_latency_p99_threshold. Every key must be an operationId of the spec."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for v in values(var.alarm_latency_p99_thresholds) : v > 0 && v <= 60000])
    error_message = "alarm_latency_p99_thresholds values must be above 0 and at most 60000 milliseconds."
  }
}

variable "alarm_cpu_threshold" {
  description = "Average CPU utilisation of the service's tasks, in percent of their CPU, above which a period counts as breaching."
  type        = number
  default     = 85

  validation {
    condition     = var.alarm_cpu_threshold > 0 && var.alarm_cpu_threshold <= 100
    error_message = "alarm_cpu_threshold must be a percentage above 0 and at most 100."
  }
}

variable "alarm_memory_threshold" {
  description = "Average memory utilisation of the service's tasks, in percent of the task's memory, above which a period counts as breaching."
  type        = number
  default     = 85

  validation {
    condition     = var.alarm_memory_threshold > 0 && var.alarm_memory_threshold <= 100
    error_message = "alarm_memory_threshold must be a percentage above 0 and at most 100."
  }
}

variable "alarm_emails" {
  description = "Email addresses to notify when an alarm fires and when it clears. Non-empty creates an SNS topic (<name>-alarms) with one email subscription each; every address must confirm it from the message AWS sends. Empty: the alarms only show in CloudWatch and make status."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must hold email addresses such as ops@example.com."
  }
}

variable "rollback_on_alarms" {
  description = "Name the rollback alarms (each operation's 5xx rate and p99 latency, and the front door's 5xx rate: the load balancer's from the tasks, or the API Gateway's) in the service's deployment alarms, so that ECS rolls back a deployment during which one fires. ECS then keeps each deployment in progress for a bake time after its tasks are healthy, and make deploy waits for it. false (make deploy ROLLBACK=off) is for a hotfix during an incident: the alarms stay and page, the deployment is not rolled back for them. The circuit breaker rolls back deployments whose tasks never get healthy either way."
  type        = bool
  default     = true
}

# ---- tracing --------------------------------------------------------------------------------

variable "enable_tracing" {
  description = "Run an AWS Distro for OpenTelemetry collector beside the service (a sidecar in each task) that sends the service's traces to X-Ray, and point the service at it (OTEL_EXPORTER_OTLP_ENDPOINT). The sidecar's CPU and memory come out of the task's cpu and memory."
  type        = bool
  default     = false
}

variable "tracing_collector_image" {
  description = "The collector image, pinned to a version tag (or a digest): the collector's configuration format changes between releases, so an upgrade is a deliberate change (docs/observability.md)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0"

  validation {
    condition     = can(regex("^([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$", var.tracing_collector_image))
    error_message = "tracing_collector_image must be an image reference such as public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0."
  }
  validation {
    condition     = can(regex("(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$", var.tracing_collector_image)) && !can(regex(":latest(@|$)", var.tracing_collector_image))
    error_message = "tracing_collector_image must be pinned to a version tag or a digest, not latest: a moving tag changes the collector under a running service."
  }
}

variable "tracing_collector_cpu" {
  description = "CPU units of the task (out of cpu) reserved for the collector sidecar; the service gets the rest."
  type        = number
  default     = 64

  validation {
    condition     = var.tracing_collector_cpu == floor(var.tracing_collector_cpu) && var.tracing_collector_cpu >= 32 && var.tracing_collector_cpu <= 4096
    error_message = "tracing_collector_cpu must be an integer between 32 and 4096 CPU units."
  }
}

variable "tracing_collector_memory" {
  description = "MiB of the task's memory the collector sidecar may use (its hard limit); the service gets the rest, and its GOMEMLIMIT follows."
  type        = number
  default     = 256

  validation {
    condition     = var.tracing_collector_memory == floor(var.tracing_collector_memory) && var.tracing_collector_memory >= 128 && var.tracing_collector_memory <= 8192
    error_message = "tracing_collector_memory must be an integer between 128 and 8192 MiB."
  }
}

variable "tracing_sample_ratio" {
  description = "Share of the traces that start at the service (requests that bring no traceparent) to record, from 0 to 1. X-Ray bills per trace recorded; below 1 the service samples with parentbased_traceidratio."
  type        = number
  default     = 1

  validation {
    condition     = var.tracing_sample_ratio >= 0 && var.tracing_sample_ratio <= 1
    error_message = "tracing_sample_ratio must be between 0 and 1."
  }
}

# ---- registry -------------------------------------------------------------------------------

variable "previous_image_tag" {
  description = "The image tag the service ran before this deploy (make deploy reads it from the service and passes it). The ECR lifecycle policy never expires it, as it never expires image_tag: it is what ECS rolls a failed deployment back to. null: only image_tag is kept that way."
  type        = string
  default     = null

  validation {
    condition     = var.previous_image_tag == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.previous_image_tag))
    error_message = "previous_image_tag must be an image tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }
}

variable "ecr_keep_images" {
  description = "How many most recent images the ECR lifecycle policy keeps; older ones expire."
  type        = number
  default     = 10

  validation {
    condition     = var.ecr_keep_images == floor(var.ecr_keep_images) && var.ecr_keep_images >= 1 && var.ecr_keep_images <= 1000
    error_message = "ecr_keep_images must be an integer between 1 and 1000."
  }
}

# ---- credentials ----------------------------------------------------------------------------

variable "api_username" {
  description = "HTTP Basic-auth username of the service, stored in Secrets Manager."
  type        = string
  default     = "actors"

  validation {
    condition     = can(regex("^[A-Za-z0-9._@-]{1,64}$", var.api_username))
    error_message = "api_username must be 1-64 characters of letters, digits, '.', '_', '@' or '-' (a colon is not allowed in Basic auth)."
  }
}

variable "api_password" {
  description = "HTTP Basic-auth password. null (the default) generates a 32-character password once, kept stable across plans. Changing it sets the new value (and rolls the tasks); make rotate-password replaces whichever is current. Read it back with make credentials."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.api_password == null || can(regex("^[ -~]{16,128}$", var.api_password))
    error_message = "api_password must be 16 to 128 printable ASCII characters (Basic auth has no agreed encoding beyond ASCII), or null to generate one."
  }
}

variable "rotate_password" {
  description = "Set by make rotate-password only, through TF_VAR_rotate_password (never on the command line): the new password it stores when it replaces terraform_data.password. Ignored otherwise."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.rotate_password == null || can(regex("^[ -~]{16,128}$", var.rotate_password))
    error_message = "the new password must be 16 to 128 printable ASCII characters."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted credentials secret can be restored. 0 (the default) deletes it at once so that make delete leaves nothing behind; otherwise 7-30."
  type        = number
  default     = 0

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30 && var.secret_recovery_window_days == floor(var.secret_recovery_window_days))
    error_message = "secret_recovery_window_days must be 0 or an integer between 7 and 30."
  }
}

# ---- front door -----------------------------------------------------------------------------

variable "front_door" {
  description = "How clients reach the tasks. \"api_gateway\" (the default): an API Gateway HTTP API serving HTTPS on its own https://<id>.execute-api.<region>.amazonaws.com name (or on domain_name), with throttling and an access log, reaching the tasks through a VPC link and Cloud Map; no load balancer, no hourly charge. \"alb\": an Application Load Balancer serving HTTPS on domain_name (which it needs), e.g. to attach WAF. \"public_ip\": no front door, the task's public IP and plain HTTP, as in the original blog post; for development only, since passwords then travel in clear text."
  type        = string
  default     = "api_gateway"

  validation {
    condition     = contains(["api_gateway", "alb", "public_ip"], var.front_door)
    error_message = "front_door must be api_gateway, alb or public_ip."
  }
}

# Replaced by front_door. Kept so that a configuration that still sets it stops with what to set
# instead, rather than quietly getting another front door.
variable "enable_alb" {
  description = "Replaced by front_door: any value is refused, with what to set instead."
  type        = bool
  default     = null

  validation {
    condition     = var.enable_alb == null
    error_message = var.enable_alb == true ? "enable_alb was replaced by front_door. Replace enable_alb = true with front_door = \"alb\" (which needs domain_name), or remove it for the default API Gateway front door: HTTPS with no domain of your own." : "enable_alb was replaced by front_door. Remove enable_alb = false: the default is now front_door = \"api_gateway\" (HTTPS, the tasks off the Internet); front_door = \"public_ip\" keeps the task's public IP and plain HTTP of before."
  }
}

variable "domain_name" {
  description = "DNS name to serve HTTPS on, e.g. actors.example.com, with front_door = \"api_gateway\" (a custom domain of the HTTP API) or \"alb\" (which needs one). With route53_zone_id or route53_zone_name the stack creates and validates its ACM certificate and the alias record to the front door; with certificate_arn it uses that certificate, and the record is yours to create (a CNAME to the cname_target output). make url then prints https://<domain_name>. null: the API Gateway's own https:// name."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name such as actors.example.com."
  }
  # No certificate can cover the ALB's own *.elb.amazonaws.com name: without domain_name it could
  # only serve Basic auth in clear text.
  validation {
    condition     = var.domain_name != null || var.front_door != "alb"
    error_message = "front_door = \"alb\" needs domain_name (with route53_zone_id, route53_zone_name or certificate_arn): the load balancer serves HTTPS only on a name of yours, since no certificate can cover its own *.elb.amazonaws.com name. For HTTPS with no domain of your own, use front_door = \"api_gateway\"."
  }
  validation {
    condition     = var.domain_name == null || var.front_door != "public_ip"
    error_message = "domain_name needs a front door that serves HTTPS: front_door = \"api_gateway\" (the default) or \"alb\". With \"public_ip\" the task serves plain HTTP on its own address."
  }
  validation {
    condition     = var.domain_name == null || var.route53_zone_id != null || var.route53_zone_name != null || var.certificate_arn != null
    error_message = "domain_name needs a certificate: give the Route 53 hosted zone it is in (route53_zone_id or route53_zone_name) to have one created and validated, or certificate_arn for an ACM certificate that covers it."
  }
  # Checked here, where the other variables can be read without a cycle of validations.
  validation {
    condition     = var.domain_name != null || (var.route53_zone_id == null && var.route53_zone_name == null && var.certificate_arn == null)
    error_message = "route53_zone_id, route53_zone_name and certificate_arn need domain_name, the name to serve (and that the certificate covers)."
  }
}

variable "route53_zone_id" {
  description = "ID of the public Route 53 hosted zone domain_name is in (or give route53_zone_name). The stack adds the certificate's validation record and an alias record for domain_name to it."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.route53_zone_id))
    error_message = "route53_zone_id must be a hosted zone ID such as Z0123456789ABCDEFGHIJ."
  }
  validation {
    condition     = var.route53_zone_id == null || var.route53_zone_name == null
    error_message = "give route53_zone_id or route53_zone_name, not both."
  }
}

variable "route53_zone_name" {
  description = "Name of the public Route 53 hosted zone domain_name is in, e.g. example.com (or give route53_zone_id)."
  type        = string
  default     = null

  validation {
    condition     = var.route53_zone_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\\.?$", var.route53_zone_name))
    error_message = "route53_zone_name must be a lowercase DNS name such as example.com."
  }
}

variable "certificate_arn" {
  description = "An existing ACM certificate (in the stack's region) covering domain_name, instead of having one created. Needs domain_name: the URL must be a name the certificate covers."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "certificate_validation_timeout" {
  description = "Minutes terraform apply waits for ACM to issue the certificate it requests for domain_name (with a Route 53 zone). ACM issues within minutes once public DNS answers its validation record; a longer wait almost always means the zone is not the one the domain is delegated to, which waiting does not mend. A slow ACM is mended by running the deploy again: the certificate and its record stay, and the next apply waits anew."
  type        = number
  default     = 15

  validation {
    condition     = var.certificate_validation_timeout == floor(var.certificate_validation_timeout) && var.certificate_validation_timeout >= 5 && var.certificate_validation_timeout <= 120
    error_message = "certificate_validation_timeout must be a whole number of minutes between 5 and 120."
  }
}

variable "health_check_grace_period" {
  description = "Seconds ECS ignores failing load-balancer health checks of a new task (only used with front_door = \"alb\")."
  type        = number
  default     = 30

  validation {
    condition     = var.health_check_grace_period == floor(var.health_check_grace_period) && var.health_check_grace_period >= 0 && var.health_check_grace_period <= 3600
    error_message = "health_check_grace_period must be an integer between 0 and 3600 seconds."
  }
}

variable "api_throttling_rate_limit" {
  description = "Requests per second the API Gateway stage lets through on average (front_door = \"api_gateway\"), for all clients together; beyond it clients get 429. It bounds the load on the tasks and the request bill: at 50 a second, a month of it is about 130 million requests, about $130."
  type        = number
  default     = 50

  validation {
    condition     = var.api_throttling_rate_limit > 0 && var.api_throttling_rate_limit <= 10000
    error_message = "api_throttling_rate_limit must be above 0 and at most 10000 requests a second (API Gateway's default account quota)."
  }
}

variable "api_throttling_burst_limit" {
  description = "Requests the API Gateway stage lets through at once, in a burst beyond the rate limit (the size of its token bucket), for all clients together."
  type        = number
  default     = 100

  validation {
    condition     = var.api_throttling_burst_limit == floor(var.api_throttling_burst_limit) && var.api_throttling_burst_limit >= 1 && var.api_throttling_burst_limit <= 5000
    error_message = "api_throttling_burst_limit must be an integer between 1 and 5000 (API Gateway's default account burst)."
  }
}

# ---- autoscaling ----------------------------------------------------------------------------

variable "enable_autoscaling" {
  description = "Scale the number of tasks with target tracking on average CPU utilisation."
  type        = bool
  default     = false
}

variable "autoscaling_min_capacity" {
  description = "Minimum number of tasks when autoscaling is enabled."
  type        = number
  default     = 1

  validation {
    condition     = var.autoscaling_min_capacity == floor(var.autoscaling_min_capacity) && var.autoscaling_min_capacity >= 0 && var.autoscaling_min_capacity <= 100
    error_message = "autoscaling_min_capacity must be an integer between 0 and 100."
  }
}

variable "autoscaling_max_capacity" {
  description = "Maximum number of tasks when autoscaling is enabled (must be >= autoscaling_min_capacity; more than 1 needs store = \"dynamodb\")."
  type        = number
  default     = 4

  validation {
    condition     = var.autoscaling_max_capacity == floor(var.autoscaling_max_capacity) && var.autoscaling_max_capacity >= 1 && var.autoscaling_max_capacity <= 100
    error_message = "autoscaling_max_capacity must be an integer between 1 and 100."
  }
}

variable "autoscaling_cpu_target" {
  description = "Average CPU utilisation (percent) the autoscaling policy keeps the service at."
  type        = number
  default     = 60

  validation {
    condition     = var.autoscaling_cpu_target >= 10 && var.autoscaling_cpu_target <= 90
    error_message = "autoscaling_cpu_target must be between 10 and 90 percent."
  }
}
