data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # `id` is the region name in both provider major versions 5 and 6 (`name` is deprecated in 6).
  region = data.aws_region.current.id

  container_name = "actors"

  # Fargate's supported task sizes: CPU units => allowed memory (MiB). Checked by a precondition on
  # the task definition, because a variable validation cannot read another variable before Terraform 1.9.
  fargate_memory = {
    256   = [512, 1024, 2048]
    512   = [for gb in range(1, 5) : gb * 1024]
    1024  = [for gb in range(2, 9) : gb * 1024]
    2048  = [for gb in range(4, 17) : gb * 1024]
    4096  = [for gb in range(8, 31) : gb * 1024]
    8192  = [for gb in range(16, 61, 4) : gb * 1024]
    16384 = [for gb in range(32, 121, 8) : gb * 1024]
  }

  # The architecture suffix make deploy puts on image tags (<commit>-amd64), so that an image built
  # for one architecture is never reused for the other.
  image_arch = {
    X86_64 = "amd64"
    ARM64  = "arm64"
  }

  # The front door (variables.tf, front_door): exactly one of these is true.
  api_gateway = var.front_door == "api_gateway"
  alb         = var.front_door == "alb"
  public_ip   = var.front_door == "public_ip"

  # HTTPS on domain_name, served by the API Gateway or the ALB: domain_name needs one of them and
  # either a Route 53 zone or certificate_arn (variables.tf).
  https = var.domain_name != null
}
