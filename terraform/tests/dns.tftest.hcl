# domain_name with a Route 53 zone (dns.tf): what Terraform can check before ACM waits on a record
# public DNS may never show. The zone must hold the name, a name more than a level below the zone
# is warned about (public DNS may ask another zone), and the wait is bounded. The zone must also
# be public, which no test can show here: an override cannot set private_zone, an argument as well
# as a result (scripts/test-terraform.sh reads that postcondition from dns.tf instead). Whether the
# zone is the one public DNS is delegated to is for make deploy's look at public DNS.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag   = "abc1234-amd64"
  domain_name = "actors.example.com"
}

run "validation_waits_at_most_certificate_validation_timeout" {
  command = plan

  variables {
    route53_zone_name = "example.com"
  }

  assert {
    condition     = aws_acm_certificate_validation.this[0].timeouts.create == "15m"
    error_message = "the certificate's validation must give up after 15 minutes, not the provider's 75"
  }
}

run "certificate_validation_timeout_is_a_variable" {
  command = plan

  variables {
    route53_zone_name              = "example.com"
    certificate_validation_timeout = 40
  }

  assert {
    condition     = aws_acm_certificate_validation.this[0].timeouts.create == "40m"
    error_message = "certificate_validation_timeout must set the wait"
  }
}

run "a_zone_that_does_not_hold_the_name_is_refused" {
  command = plan

  variables {
    domain_name     = "actors.example.net"
    route53_zone_id = "Z0123456789EXAMPLE" # example.com in the mock
  }

  expect_failures = [data.aws_route53_zone.this]
}

run "the_zone_of_the_apex_serves" {
  command = plan

  variables {
    domain_name       = "example.com"
    route53_zone_name = "example.com"
  }

  assert {
    condition     = aws_route53_record.certificate_validation[0].zone_id == "Z0123456789EXAMPLE" && aws_route53_record.service[0].name == "example.com"
    error_message = "a zone's own name must be served from it"
  }
}

run "a_name_two_levels_below_the_zone_is_warned_about" {
  # actors.eu.example.com in example.com: if eu.example.com is delegated, ACM never sees the record.
  command = plan

  variables {
    domain_name       = "actors.eu.example.com"
    route53_zone_name = "example.com"
  }

  expect_failures = [check.route53_zone_is_the_domains_parent]
}
