# HTTPS on a name of yours (var.domain_name), served by the front door: the API Gateway's custom
# domain (api_gateway.tf) or the ALB (alb.tf), for which no certificate can cover its own
# *.elb.amazonaws.com name. With a Route 53 hosted zone (route53_zone_id or route53_zone_name) the
# stack requests an ACM certificate for the name, proves it owns the name with a DNS record, and
# points the name at the front door. With certificate_arn instead, the certificate is yours and so
# is the DNS record (a CNAME to the cname_target output) when the zone is not in Route 53.

locals {
  route53            = var.route53_zone_id != null || var.route53_zone_name != null
  create_certificate = var.domain_name != null && var.certificate_arn == null
  # actors.example.com => example.com
  domain_parent = var.domain_name == null ? null : join(".", slice(split(".", var.domain_name), 1, length(split(".", var.domain_name))))

  certificate_arn = (
    var.certificate_arn != null ? var.certificate_arn :
    local.create_certificate ? aws_acm_certificate_validation.this[0].certificate_arn : null
  )
}

data "aws_route53_zone" "this" {
  count = local.route53 ? 1 : 0

  # By name the provider looks among public zones only (private_zone defaults to false); by ID it
  # returns the zone whatever it is, and private_zone says which.
  zone_id = var.route53_zone_id
  name    = var.route53_zone_id == null ? var.route53_zone_name : null

  lifecycle {
    postcondition {
      condition     = var.domain_name == trimsuffix(self.name, ".") || endswith(var.domain_name, ".${trimsuffix(self.name, ".")}")
      error_message = "domain_name ${var.domain_name} is not in the hosted zone ${self.name} (${self.zone_id}): its certificate could never be validated there."
    }
    # ACM validates through public DNS, which never sees a private zone, and the alias record
    # would resolve inside the zone's VPCs only. (The provider always sets private_zone; a test's
    # override cannot, since it is also an argument: null there.)
    postcondition {
      condition     = self.private_zone != true
      error_message = "The hosted zone ${self.zone_id} (${self.name}) is private: ACM looks the validation record up in public DNS, and clients could not resolve domain_name. Give the public zone ${var.domain_name} is in (route53_zone_id or route53_zone_name)."
    }
  }
}

# Public DNS asks the zone the domain is delegated to, and only that one. A name two or more labels
# below the zone (a.b.example.com in example.com) is answered elsewhere if its parent (b.example.com)
# is delegated to a zone of its own: ACM then never sees the validation record. Whether it is, only
# public DNS can tell (make deploy looks before it applies); this warns where it could be.
check "route53_zone_is_the_domains_parent" {
  assert {
    condition     = !local.route53 || contains([var.domain_name, local.domain_parent], try(trimsuffix(data.aws_route53_zone.this[0].name, "."), ""))
    error_message = "domain_name ${coalesce(var.domain_name, "-")} is more than one level below the hosted zone ${try(data.aws_route53_zone.this[0].name, "-")}: if ${coalesce(local.domain_parent, "-")} (or a name between) is delegated to a zone of its own, public DNS asks that zone and never sees the records made here: the certificate's validation waits for certificate_validation_timeout minutes and fails. If it is, give that zone (route53_zone_id or route53_zone_name)."
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

# Waits until ACM has issued the certificate; the front door takes its ARN from here. ACM issues
# within minutes once public DNS answers the record; when it never will (the zone is not the one
# the domain is delegated to), the provider would wait 75 minutes before failing.
resource "aws_acm_certificate_validation" "this" {
  count = local.create_certificate ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation[0].fqdn]

  timeouts {
    create = "${var.certificate_validation_timeout}m"
  }
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
