# front_door = "alb": the ALB in the public subnets, an ip target group checking /healthz, and the
# tasks reachable from the ALB's security group only. It serves HTTPS on domain_name only (a
# certificate validated in Route 53, or a given one), port 80 redirecting to it; without a domain
# name it is refused (front_door.tftest.hcl). Each configuration is applied.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag       = "abc1234-amd64"
  front_door      = "alb"
  domain_name     = "api.example.org"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
}

run "alb_shape" {
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
    condition     = aws_lb_target_group.this[0].name_prefix == "actor-" && length(aws_lb_target_group.this[0].name_prefix) <= 6
    error_message = "the target group must be named by a prefix of at most 6 characters (a fixed name cannot be replaced before it is destroyed)"
  }
  assert {
    condition = (
      aws_lb_listener.http[0].port == 80 &&
      aws_lb_listener.http[0].default_action[0].type == "redirect" &&
      aws_lb_listener.http[0].default_action[0].target_group_arn == null
    )
    error_message = "port 80 must only redirect, never forward to the tasks"
  }
  assert {
    condition     = toset([for r in aws_vpc_security_group_ingress_rule.alb : "${r.from_port} ${r.cidr_ipv4}"]) == toset(["80 0.0.0.0/0", "443 0.0.0.0/0"])
    error_message = "the ALB must admit ports 80 and 443 from allowed_cidrs only"
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
  # Every connection reaches the tasks from one of the ALB's few addresses: unless the service
  # believes X-Forwarded-For from them, one client's failed logins lock out every client.
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["ACTORS_TRUSTED_PROXIES"] == "10.42.0.0/20,10.42.16.0/20"
    error_message = "behind the ALB, ACTORS_TRUSTED_PROXIES must be the ALB's subnets (the addresses it can have)"
  }
  assert {
    condition     = output.alb_dns_name == aws_lb.this[0].dns_name && output.url == "https://api.example.org" && output.cname_target == aws_lb.this[0].dns_name
    error_message = "outputs must give the ALB's DNS name, as the target of domain_name, and an https:// URL on domain_name"
  }
}

run "small_vpc_still_fits_the_alb" {
  # An ALB needs subnets of at least /27 with 8 free addresses: a /24 VPC gets two /26s.
  command = plan

  variables {
    vpc_cidr = "192.168.7.0/24"
  }

  assert {
    condition     = aws_subnet.public[*].cidr_block == ["192.168.7.0/26", "192.168.7.64/26"]
    error_message = "a /24 VPC must get two /26 subnets"
  }
  assert {
    condition     = alltrue([for s in aws_subnet.public : tonumber(split("/", s.cidr_block)[1]) <= 27])
    error_message = "the ALB's subnets must be /27 or larger"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value }["ACTORS_TRUSTED_PROXIES"] == "192.168.7.0/26,192.168.7.64/26"
    error_message = "ACTORS_TRUSTED_PROXIES must follow the ALB's subnets"
  }
}

run "https_on_a_domain_with_a_route53_zone" {
  variables {
    domain_name       = "actors.example.com"
    route53_zone_name = "example.com"
    certificate_arn   = null
    allowed_cidrs     = ["203.0.113.0/24", "198.51.100.0/24"]
  }

  assert {
    condition     = aws_acm_certificate.this[0].domain_name == "actors.example.com" && aws_acm_certificate.this[0].validation_method == "DNS"
    error_message = "a DNS-validated ACM certificate must be requested for domain_name"
  }
  assert {
    condition = (
      aws_route53_record.certificate_validation[0].zone_id == "Z0123456789EXAMPLE" &&
      aws_route53_record.certificate_validation[0].name == "_0123456789abcdef0123456789abcdef.actors.example.com." &&
      aws_route53_record.certificate_validation[0].type == "CNAME" &&
      aws_route53_record.certificate_validation[0].records == toset(["_fedcba9876543210fedcba9876543210.xlfgrmvvlj.acm-validations.aws."])
    )
    error_message = "the validation record ACM asks for must be created in the hosted zone"
  }
  assert {
    condition = (
      aws_acm_certificate_validation.this[0].certificate_arn == aws_acm_certificate.this[0].arn &&
      aws_acm_certificate_validation.this[0].validation_record_fqdns == toset([aws_route53_record.certificate_validation[0].fqdn])
    )
    error_message = "the stack must wait for the certificate to be validated through that record"
  }
  assert {
    condition = (
      aws_lb_listener.https[0].port == 443 && aws_lb_listener.https[0].protocol == "HTTPS" &&
      aws_lb_listener.https[0].certificate_arn == aws_acm_certificate.this[0].arn &&
      startswith(aws_lb_listener.https[0].ssl_policy, "ELBSecurityPolicy-TLS13") &&
      aws_lb_listener.https[0].default_action[0].target_group_arn == aws_lb_target_group.this[0].arn
    )
    error_message = "the HTTPS listener must use the validated certificate, a TLS 1.3 policy and forward to the target group"
  }
  assert {
    condition = (
      aws_lb_listener.http[0].default_action[0].type == "redirect" &&
      aws_lb_listener.http[0].default_action[0].redirect[0].protocol == "HTTPS" &&
      aws_lb_listener.http[0].default_action[0].redirect[0].port == "443" &&
      aws_lb_listener.http[0].default_action[0].redirect[0].status_code == "HTTP_301"
    )
    error_message = "with HTTPS, port 80 must redirect to HTTPS"
  }
  assert {
    condition = (
      aws_route53_record.service[0].zone_id == "Z0123456789EXAMPLE" &&
      aws_route53_record.service[0].name == "actors.example.com" && aws_route53_record.service[0].type == "A" &&
      one(aws_route53_record.service[0].alias).name == aws_lb.this[0].dns_name &&
      one(aws_route53_record.service[0].alias).zone_id == aws_lb.this[0].zone_id &&
      one(aws_route53_record.service[0].alias).evaluate_target_health
    )
    error_message = "domain_name must be an alias record to the ALB"
  }
  assert {
    condition = toset([for r in aws_vpc_security_group_ingress_rule.alb : "${r.from_port} ${r.cidr_ipv4}"]) == toset([
      "80 203.0.113.0/24", "443 203.0.113.0/24", "80 198.51.100.0/24", "443 198.51.100.0/24",
    ])
    error_message = "the ALB must admit 80 and 443 from each allowed CIDR and nothing else"
  }
  assert {
    condition     = output.url == "https://actors.example.com" && output.certificate_arn == aws_acm_certificate.this[0].arn
    error_message = "url must be https://<domain_name>, never the ALB's own name"
  }
}

run "https_on_a_domain_with_a_given_certificate" {
  # The certificate is the caller's, and so is DNS (no hosted zone given): nothing to create in
  # ACM or Route 53.
  variables {
    domain_name     = "api.example.org"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = aws_lb_listener.https[0].certificate_arn == "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    error_message = "the HTTPS listener must use the given certificate"
  }
  assert {
    condition     = length(aws_acm_certificate.this) == 0 && length(aws_route53_record.certificate_validation) == 0 && length(aws_route53_record.service) == 0 && length(data.aws_route53_zone.this) == 0
    error_message = "with a given certificate and no zone, no certificate and no DNS record may be created"
  }
  assert {
    condition     = aws_lb_listener.http[0].default_action[0].type == "redirect"
    error_message = "port 80 must redirect to HTTPS"
  }
  assert {
    condition     = output.url == "https://api.example.org"
    error_message = "url must be https://<domain_name>"
  }
}

run "domain_outside_the_zone_is_refused" {
  command = plan

  variables {
    domain_name     = "actors.example.net"
    route53_zone_id = "Z0123456789EXAMPLE" # example.com in the mock
    certificate_arn = null
  }

  expect_failures = [data.aws_route53_zone.this]
}
