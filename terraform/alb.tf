# front_door = "alb": an Application Load Balancer in the public subnets, e.g. to attach WAF. It
# serves HTTPS on var.domain_name (a certificate from dns.tf, or var.certificate_arn), which the
# variable requires: no certificate can cover the ALB's own *.elb.amazonaws.com name, and Basic
# auth must not cross the Internet in clear text. Port 80 only redirects to HTTPS.

resource "aws_security_group" "alb" {
  count = local.alb ? 1 : 0

  name_prefix = "${var.name}-alb-"
  description = "actors load balancer: HTTP(S) from allowed_cidrs"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.name}-alb" }

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  # listener port => allowed CIDR, flattened for one rule per pair
  alb_ingress = local.alb ? {
    for pair in setproduct([80, 443], var.allowed_cidrs) : "${pair[0]}-${pair[1]}" => {
      port = pair[0]
      cidr = pair[1]
    }
  } : {}
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each = local.alb_ingress

  security_group_id = aws_security_group.alb[0].id
  description       = "listener port ${each.value.port} from an allowed CIDR"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  count = local.alb ? 1 : 0

  security_group_id            = aws_security_group.alb[0].id
  description                  = "to the tasks' service port (traffic and health checks)"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_lb" "this" {
  count = local.alb ? 1 : 0

  name               = var.name
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb[0].id]
  subnets            = aws_subnet.public[*].id

  drop_invalid_header_fields = true
  # make delete must be able to remove it.
  enable_deletion_protection = false

  # An Internet-facing ALB fails to create ("VPC ... has no internet gateway") unless the gateway
  # is attached first, and nothing it refers to says so.
  depends_on = [aws_internet_gateway.this]
}

resource "aws_lb_target_group" "this" {
  count = local.alb ? 1 : 0

  # A prefix (at most 6 characters) and create_before_destroy: changing the port or anything else
  # that replaces the group creates the new one and moves the listeners before the old one goes;
  # a fixed name would collide with itself ("ResourceInUse").
  name_prefix = "${trimsuffix(substr(var.name, 0, 5), "-")}-"
  target_type = "ip" # awsvpc tasks register by IP
  protocol    = "HTTP"
  port        = var.container_port
  vpc_id      = aws_vpc.this.id
  # Shorter than the 300 s default: deployments of a stateless service need not wait that long.
  deregistration_delay = "30"

  health_check {
    path                = "/healthz"
    matcher             = "200"
    protocol            = "HTTP"
    port                = "traffic-port"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    create_before_destroy = true
  }
}

# Port 80 only redirects: a client that typed http:// gets the https:// URL, never an answer.
resource "aws_lb_listener" "http" {
  count = local.alb ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.alb ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = local.certificate_arn
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[0].arn
  }
}
