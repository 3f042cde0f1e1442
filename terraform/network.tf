# Two public subnets in two AZs, an Internet gateway and nothing else: no NAT gateway (~$33/month
# each) and no VPC interface endpoints (~$58/month for ECR, Logs and Secrets Manager in two AZs).
# So every task gets a public IP, whatever the front door: it is how the task reaches ECR, Secrets
# Manager, CloudWatch Logs and, with tracing, X-Ray (egress only: HTTPS out). With a front door
# the tasks' security group admits nothing from the Internet, only the front door's own security
# group; the public address costs $0.005 an hour a task and is the cheapest way out.
# With front_door = "api_gateway", two more subnets hold the VPC link's network interfaces and
# nothing else: their CIDRs are exactly the addresses the service may believe a client's forwarded
# address from (ACTORS_TRUSTED_PROXIES, ecs.tf).

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
  # two /26 subnets, a /16 two /20s. The VPC link's subnets are the next two.
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

# The VPC link's network interfaces (api_gateway.tf), one subnet per AZ. No route to the Internet:
# they use the VPC's main route table, which has only the VPC's own (local) route, and they only
# ever open connections to the tasks.
resource "aws_subnet" "vpc_link" {
  count = local.api_gateway ? length(local.azs) : 0

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, local.subnet_newbits, length(local.azs) + count.index)
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-vpc-link-${local.azs[count.index]}" }
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

# front_door = "public_ip": the container port from allowed_cidrs, nothing else.
resource "aws_vpc_security_group_ingress_rule" "tasks_from_cidrs" {
  for_each = local.public_ip ? toset(var.allowed_cidrs) : toset([])

  security_group_id = aws_security_group.tasks.id
  description       = "service port from an allowed CIDR"
  ip_protocol       = "tcp"
  from_port         = var.container_port
  to_port           = var.container_port
  cidr_ipv4         = each.value
}

# front_door = "alb": the container port from the ALB's security group only.
resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  count = local.alb ? 1 : 0

  security_group_id            = aws_security_group.tasks.id
  description                  = "service port from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb[0].id
}

# front_door = "api_gateway": the container port from the VPC link's security group only.
resource "aws_vpc_security_group_ingress_rule" "tasks_from_vpc_link" {
  count = local.api_gateway ? 1 : 0

  security_group_id            = aws_security_group.tasks.id
  description                  = "service port from the API Gateway VPC link"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.vpc_link[0].id
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

# ---- the VPC link's security group ----------------------------------------------------------

# Its network interfaces open connections to the tasks and accept none: no ingress rule at all,
# and egress to the tasks' port only (the provider removes the default allow-all egress).
resource "aws_security_group" "vpc_link" {
  count = local.api_gateway ? 1 : 0

  name_prefix = "${var.name}-vpc-link-"
  description = "actors API Gateway VPC link: to the tasks' port only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-vpc-link" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "vpc_link_to_tasks" {
  count = local.api_gateway ? 1 : 0

  security_group_id            = aws_security_group.vpc_link[0].id
  description                  = "to the tasks' service port"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.tasks.id
}
