# HTTPS on a name of yours (var.domain_name), served by the front door: the API Gateway's custom
# domain (api_gateway.tf) or the ALB (alb.tf), for which no certificate can cover its own
# *.elb.amazonaws.com name. With a Route 53 hosted zone (route53_zone_id or route53_zone_name) the
# stack requests an ACM certificate for the name, proves it owns the name with a DNS record, and
# points the name at the front door. With certificate_arn instead, the certificate is yours and so
# is the DNS record (a CNAME to the cname_target output) when the zone is not in Route 53.

locals {
  route53            = var.route53_zone_id != null || var.route53_zone_name != null
  create_certificate = var.domain_name != null && var.certificate_arn == null

  certificate_arn = (
    var.certificate_arn != null ? var.certificate_arn :
    local.create_certificate ? aws_acm_certificate_validation.this[0].certificate_arn : null
  )
}

data "aws_route53_zone" "this" {
  count = local.route53 ? 1 : 0

  zone_id      = var.route53_zone_id
  name         = var.route53_zone_id == null ? var.route53_zone_name : null
  private_zone = false

  lifecycle {
    postcondition {
      condition     = var.domain_name == trimsuffix(self.name, ".") || endswith(var.domain_name, ".${trimsuffix(self.name, ".")}")
      error_message = "domain_name ${var.domain_name} is not in the hosted zone ${self.name} (${self.zone_id}): its certificate could never be validated there."
    }
  }
}

resource "aws_acm_certificate" "this" {
  count = local.create_certificate ? 1 : 0

  domain_name       = var.domain_name
  validation_method = "DNS"

  tags = { Name = var.name }

  # A replacement certificate must be issued before the front door lets go of the old one.
  lifecycle {
    create_before_destroy = true
  }
}

# The certificate covers one name, so ACM asks for exactly one validation record.
resource "aws_route53_record" "certificate_validation" {
  count = local.create_certificate ? 1 : 0

  zone_id = data.aws_route53_zone.this[0].zone_id
  name    = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_name
  type    = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_type
  records = [one(aws_acm_certificate.this[0].domain_validation_options).resource_record_value]
  ttl     = 300
  # The same record validates any later certificate for the name: take it over if it exists.
  allow_overwrite = true
}

# Waits until ACM has issued the certificate; the front door takes its ARN from here.
resource "aws_acm_certificate_validation" "this" {
  count = local.create_certificate ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation[0].fqdn]
}

locals {
  # Where domain_name must point: the API Gateway custom domain's own regional name, or the ALB's.
  front_door_target = (
    !local.https ? null :
    local.api_gateway ? {
      name    = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name
      zone_id = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].hosted_zone_id
    } :
    local.alb ? { name = aws_lb.this[0].dns_name, zone_id = aws_lb.this[0].zone_id } : null
  )
}

resource "aws_route53_record" "service" {
  count = local.route53 ? 1 : 0

  zone_id = data.aws_route53_zone.this[0].zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name    = local.front_door_target.name
    zone_id = local.front_door_target.zone_id
    # The ALB's targets have health checks; an API Gateway domain has none to evaluate.
    evaluate_target_health = local.alb
  }
}
