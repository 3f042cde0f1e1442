# Two public subnets in two AZs, an Internet gateway and nothing else: no NAT gateway (~$33/month
# each) and no VPC interface endpoints (~$58/month for ECR, Logs and Secrets Manager in two AZs).
# So every task gets a public IP, whatever the front door: it is how the task reaches ECR, Secrets
# Manager, CloudWatch Logs and, with tracing, X-Ray (egress only: HTTPS out). With a front door
# the tasks' security group admits nothing from the Internet, only the front door's own security
# group; the public address costs $0.005 an hour a task and is the cheapest way out.
# With front_door = "api_gateway", two more subnets hold the VPC link's network interfaces and
# nothing else: their CIDRs are exactly the addresses the service may believe a client's forwarded
# address from (ACTORS_TRUSTED_PROXIES, ecs.tf).

# Zones are chosen by ID. A zone's name (us-east-1a) points at a different physical zone in each
# account; its ID (use1-az1) is the same zone everywhere, and it is by ID that AWS documents where
# its services run. Local Zones and Wavelength Zones, which do not run Fargate, are left out here.
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  # Where AWS restricts a service to some of a region's zones, the zone IDs it supports, as its
  # documentation lists them (consulted 2026-12-06). A region not listed has no restriction known.
  # Linux containers on Fargate:
  #   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html
  fargate_zone_ids = {
    "us-west-1"      = ["usw1-az1", "usw1-az3"]
    "ap-northeast-1" = ["apne1-az1", "apne1-az2", "apne1-az4"]
    "cn-north-1"     = ["cnn1-az1", "cnn1-az2"]
  }
  # VPC links for HTTP APIs (front_door = "api_gateway"), e.g. none in use1-az3:
  #   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vpc-links.html#http-api-vpc-link-availability
  vpc_link_zone_ids = {
    "us-east-2"      = ["use2-az1", "use2-az2", "use2-az3"]
    "us-east-1"      = ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"]
    "us-west-1"      = ["usw1-az1", "usw1-az3"]
    "us-west-2"      = ["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"]
    "ap-east-1"      = ["ape1-az2", "ape1-az3"]
    "ap-south-1"     = ["aps1-az1", "aps1-az2", "aps1-az3"]
    "ap-northeast-2" = ["apne2-az1", "apne2-az2", "apne2-az3"]
    "ap-southeast-1" = ["apse1-az1", "apse1-az2", "apse1-az3"]
    "ap-southeast-2" = ["apse2-az1", "apse2-az2", "apse2-az3"]
    "ap-northeast-1" = ["apne1-az1", "apne1-az2", "apne1-az4"]
    "ca-central-1"   = ["cac1-az1", "cac1-az2"]
    "eu-central-1"   = ["euc1-az1", "euc1-az2", "euc1-az3"]
    "eu-west-1"      = ["euw1-az1", "euw1-az2", "euw1-az3"]
    "eu-west-2"      = ["euw2-az1", "euw2-az2", "euw2-az3"]
    "eu-west-3"      = ["euw3-az1", "euw3-az3"]
    "eu-north-1"     = ["eun1-az1", "eun1-az2", "eun1-az3"]
    "me-south-1"     = ["mes1-az1", "mes1-az2", "mes1-az3"]
    "sa-east-1"      = ["sae1-az1", "sae1-az2", "sae1-az3"]
    "us-gov-west-1"  = ["usgw1-az1", "usgw1-az2", "usgw1-az3"]
  }

  # The region's zones, in the data source's order (by name), that can run the tasks, and those
  # that can also hold the VPC link's interfaces, which the API Gateway needs.
  zone_ids_all      = data.aws_availability_zones.available.zone_ids
  zone_ids_fargate  = [for id in local.zone_ids_all : id if contains(lookup(local.fargate_zone_ids, local.region, [id]), id)]
  zone_ids_vpc_link = [for id in local.zone_ids_fargate : id if contains(lookup(local.vpc_link_zone_ids, local.region, [id]), id)]
  zone_ids_usable   = local.api_gateway ? local.zone_ids_vpc_link : local.zone_ids_fargate

  # The first two, in name order: a subnet moves only if its zone stops serving the front door.
  azs = [for id in slice(local.zone_ids_usable, 0, min(2, length(local.zone_ids_usable))) : {
    id   = id
    name = local.zone_names[id]
  }]
  zone_names = zipmap(data.aws_availability_zones.available.zone_ids, data.aws_availability_zones.available.names)

  too_few_zones = join(" ", [
    "The stack needs two Availability Zones that run ${local.api_gateway ? "Fargate and API Gateway's VPC links for HTTP APIs" : "Fargate"}.",
    "Of the zones ${local.region} offers this account (${join(", ", local.zone_ids_all)}),",
    "${length(local.zone_ids_usable) == 0 ? "none" : "only ${join(" and ", local.zone_ids_usable)}"} can (${join(", ", concat(
      [for id in local.zone_ids_all : "${id} runs no Fargate" if !contains(local.zone_ids_fargate, id)],
      [for id in local.zone_ids_fargate : "${id} has no VPC link" if local.api_gateway && !contains(local.zone_ids_vpc_link, id)],
    ))}).",
    local.api_gateway && length(local.zone_ids_fargate) >= 2 ? "Use another region, or front_door = \"alb\" (which needs no VPC link)." : "Use another region.",
  ])

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

  lifecycle {
    precondition {
      condition     = length(local.azs) == 2
      error_message = local.too_few_zones
    }
  }
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

  vpc_id               = aws_vpc.this.id
  availability_zone_id = local.azs[count.index].id
  cidr_block           = cidrsubnet(var.vpc_cidr, local.subnet_newbits, count.index)
  # The service asks for a public IP per task; nothing else launched here should get one silently.
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-public-${local.azs[count.index].name}" }
}

# The VPC link's network interfaces (api_gateway.tf), one subnet per AZ. No route to the Internet:
# they use the VPC's main route table, which has only the VPC's own (local) route, and they only
# ever open connections to the tasks.
resource "aws_subnet" "vpc_link" {
  count = local.api_gateway ? length(local.azs) : 0

  vpc_id                  = aws_vpc.this.id
  availability_zone_id    = local.azs[count.index].id
  cidr_block              = cidrsubnet(var.vpc_cidr, local.subnet_newbits, length(local.azs) + count.index)
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-vpc-link-${local.azs[count.index].name}" }
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
