# Two public subnets in two AZs, an Internet gateway and nothing else: no NAT gateway (~$33/month
# each). Tasks get a public IP to pull from ECR and read Secrets Manager through the gateway.

data "aws_availability_zones" "available" {
  state = "available"

  # Local Zones and Wavelength Zones do not run Fargate.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)

  # A sixteenth of the VPC per subnet (room for more subnets later), but never smaller than a /26:
  # 59 usable addresses, for the ALB (which needs a /27 with 8 free) and the tasks. A /24 VPC gets
  # two /26 subnets, a /16 two /20s.
  subnet_newbits = min(4, 26 - tonumber(split("/", var.vpc_cidr)[1]))
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }
}

# The VPC's default security group is left as AWS creates it, and nothing in the stack uses it.
# Adopting it to strip its rules would need the right to revoke rules on, and tag, a group the
# deployer did not create: the right to claim any untagged security group, which the deployer
# policy refuses (terraform/iam).

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = var.name }
}

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, local.subnet_newbits, count.index)
  # The service asks for a public IP per task; nothing else launched here should get one silently.
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-public-${local.azs[count.index]}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-public" }
}

resource "aws_route" "internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = length(aws_subnet.public)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# ---- the tasks' security group --------------------------------------------------------------

resource "aws_security_group" "tasks" {
  name_prefix = "${var.name}-tasks-"
  description = "actors tasks: the container port only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-tasks" }

  lifecycle {
    create_before_destroy = true
  }
}

# Without the ALB: the container port from allowed_cidrs, nothing else.
resource "aws_vpc_security_group_ingress_rule" "tasks_from_cidrs" {
  for_each = var.enable_alb ? toset([]) : toset(var.allowed_cidrs)

  security_group_id = aws_security_group.tasks.id
  description       = "service port from an allowed CIDR"
  ip_protocol       = "tcp"
  from_port         = var.container_port
  to_port           = var.container_port
  cidr_ipv4         = each.value
}

# With the ALB: the container port from the ALB's security group only.
resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  count = var.enable_alb ? 1 : 0

  security_group_id            = aws_security_group.tasks.id
  description                  = "service port from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb[0].id
}

# HTTPS out only: ECR (API and S3 layers), Secrets Manager and CloudWatch Logs are all public
# HTTPS endpoints. DNS to the VPC resolver is not subject to security groups.
resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
