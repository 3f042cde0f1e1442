# enable_alb: the ALB in the public subnets, an ip target group checking /healthz, and the tasks
# reachable from the ALB's security group only. Plain HTTP without a certificate; with one, HTTPS
# and an HTTP->HTTPS redirect.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag  = "abc1234"
  enable_alb = true
}

run "alb_without_certificate" {
  assert {
    condition     = aws_lb.this[0].load_balancer_type == "application" && aws_lb.this[0].internal == false && aws_lb.this[0].subnets == toset(aws_subnet.public[*].id)
    error_message = "an Internet-facing ALB must sit in the two public subnets"
  }
  assert {
    condition     = aws_lb.this[0].drop_invalid_header_fields && !aws_lb.this[0].enable_deletion_protection
    error_message = "ALB must drop invalid headers and be deletable by make delete"
  }
  assert {
    condition     = aws_lb_target_group.this[0].target_type == "ip" && aws_lb_target_group.this[0].port == 5000 && aws_lb_target_group.this[0].health_check[0].path == "/healthz"
    error_message = "target group must register task IPs on port 5000 and check /healthz"
  }
  assert {
    condition     = aws_lb_listener.http[0].port == 80 && aws_lb_listener.http[0].default_action[0].type == "forward" && aws_lb_listener.http[0].default_action[0].target_group_arn == aws_lb_target_group.this[0].arn
    error_message = "without a certificate, port 80 must forward to the target group"
  }
  assert {
    condition     = length(aws_lb_listener.https) == 0
    error_message = "no HTTPS listener without a certificate"
  }
  assert {
    condition     = [for r in aws_vpc_security_group_ingress_rule.alb : r.from_port] == [80] && alltrue([for r in aws_vpc_security_group_ingress_rule.alb : r.cidr_ipv4 == "0.0.0.0/0"])
    error_message = "the ALB must admit port 80 from allowed_cidrs only"
  }
  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.tasks_from_cidrs) == 0 && length(aws_vpc_security_group_ingress_rule.tasks_from_alb) == 1
    error_message = "with the ALB, the tasks must not be open to CIDRs"
  }
  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.tasks_from_alb[0].referenced_security_group_id == aws_security_group.alb[0].id &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb[0].from_port == 5000 &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb[0].to_port == 5000 &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb[0].security_group_id == aws_security_group.tasks.id
    )
    error_message = "the tasks must admit exactly the container port from the ALB's security group"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.alb_to_tasks[0].referenced_security_group_id == aws_security_group.tasks.id && aws_vpc_security_group_egress_rule.alb_to_tasks[0].from_port == 5000
    error_message = "the ALB may only send to the tasks' port"
  }
  assert {
    condition = (
      one(aws_ecs_service.this.load_balancer).target_group_arn == aws_lb_target_group.this[0].arn &&
      one(aws_ecs_service.this.load_balancer).container_name == "actors" &&
      one(aws_ecs_service.this.load_balancer).container_port == 5000
    )
    error_message = "the service must register its container port with the target group"
  }
  assert {
    condition     = aws_ecs_service.this.health_check_grace_period_seconds == 30
    error_message = "the service needs a health-check grace period with the ALB"
  }
  assert {
    condition     = output.alb_dns_name == aws_lb.this[0].dns_name && output.alb_url == "http://${aws_lb.this[0].dns_name}"
    error_message = "outputs must give the ALB's DNS name and an http:// URL"
  }
}

run "alb_with_certificate" {
  variables {
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    allowed_cidrs   = ["203.0.113.0/24", "2001:db8::/32"]
  }

  assert {
    condition = (
      aws_lb_listener.http[0].default_action[0].type == "redirect" &&
      aws_lb_listener.http[0].default_action[0].redirect[0].protocol == "HTTPS" &&
      aws_lb_listener.http[0].default_action[0].redirect[0].port == "443" &&
      aws_lb_listener.http[0].default_action[0].redirect[0].status_code == "HTTP_301"
    )
    error_message = "with a certificate, port 80 must redirect to HTTPS"
  }
  assert {
    condition = (
      aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].protocol == "HTTPS" &&
      aws_lb_listener.https[0].certificate_arn == "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555" &&
      startswith(aws_lb_listener.https[0].ssl_policy, "ELBSecurityPolicy-TLS13") &&
      aws_lb_listener.https[0].default_action[0].target_group_arn == aws_lb_target_group.this[0].arn
    )
    error_message = "the HTTPS listener must use the certificate, a TLS 1.3 policy and forward to the target group"
  }
  assert {
    condition = toset([for r in aws_vpc_security_group_ingress_rule.alb : "${r.from_port} ${coalesce(r.cidr_ipv4, r.cidr_ipv6)}"]) == toset([
      "80 203.0.113.0/24", "443 203.0.113.0/24", "80 2001:db8::/32", "443 2001:db8::/32",
    ])
    error_message = "the ALB must admit 80 and 443 from each allowed CIDR (IPv4 and IPv6) and nothing else"
  }
  assert {
    condition     = output.alb_url == "https://${aws_lb.this[0].dns_name}"
    error_message = "alb_url must be https:// with a certificate"
  }
}
