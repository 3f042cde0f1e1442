# Shapes for the data sources the module reads. Everything else the mock provider makes up
# (computed attributes of resources become random strings).

mock_data "aws_availability_zones" {
  defaults = {
    # three zones, of which the module must take exactly two
    names    = ["us-east-1a", "us-east-1b", "us-east-1c"]
    zone_ids = ["use1-az1", "use1-az2", "use1-az4"]
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/tester"
    user_id    = "AIDATESTER"
  }
}

mock_data "aws_region" {
  defaults = {
    id   = "us-east-1"
    name = "us-east-1"
  }
}

mock_data "aws_secretsmanager_random_password" {
  defaults = {
    random_password = "FirstGeneratedPassword0123456789"
  }
}

# The provider validates ARN-typed arguments even when mocked, so the resources whose ARNs feed
# such arguments get realistic ones (each distinct, so the tests can tell them apart).

override_resource {
  target = aws_iam_role.execution
  values = { arn = "arn:aws:iam::123456789012:role/actors/actors-exec-20260101", name = "actors-exec-20260101" }
}

override_resource {
  target = aws_iam_role.task
  values = { arn = "arn:aws:iam::123456789012:role/actors/actors-task-20260101", name = "actors-task-20260101" }
}

override_resource {
  target = aws_ecr_repository.this
  values = {
    arn            = "arn:aws:ecr:us-east-1:123456789012:repository/actors"
    repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/actors"
  }
}

override_resource {
  target = aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/actors" }
}

override_resource {
  target = aws_secretsmanager_secret.credentials
  values = {
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf"
    id  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf"
  }
}

override_resource {
  target = aws_ecs_cluster.this
  values = {
    arn = "arn:aws:ecs:us-east-1:123456789012:cluster/actors"
    id  = "arn:aws:ecs:us-east-1:123456789012:cluster/actors"
  }
}

override_resource {
  target = aws_ecs_task_definition.this
  values = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/actors:1" }
}

override_resource {
  target = aws_lb.this
  values = {
    arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/actors/0123456789abcdef"
    arn_suffix = "app/actors/0123456789abcdef"
    dns_name   = "actors-1234567890.us-east-1.elb.amazonaws.com"
  }
}

override_resource {
  target = aws_lb_target_group.this
  values = {
    arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/actors/0123456789abcdef"
    arn_suffix = "targetgroup/actors/0123456789abcdef"
  }
}

override_resource {
  target = aws_dynamodb_table.this
  values = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/actors"
    id  = "actors"
  }
}

# A public hosted zone; with route53_zone_name the configured name wins over this one.
mock_data "aws_route53_zone" {
  defaults = {
    zone_id      = "Z0123456789EXAMPLE"
    name         = "example.com"
    private_zone = false
  }
}

# What ACM answers for a certificate requested with DNS validation: one CNAME to create per name.
override_resource {
  target = aws_acm_certificate.this
  values = {
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/99999999-8888-7777-6666-555555555555"
    domain_validation_options = [{
      domain_name           = "actors.example.com"
      resource_record_name  = "_0123456789abcdef0123456789abcdef.actors.example.com."
      resource_record_type  = "CNAME"
      resource_record_value = "_fedcba9876543210fedcba9876543210.xlfgrmvvlj.acm-validations.aws."
    }]
  }
}

# Alarm actions must be ARNs.
override_resource {
  target = aws_sns_topic.alarms
  values = { arn = "arn:aws:sns:us-east-1:123456789012:actors-alarms" }
}

# The API Gateway front door (api_gateway.tf). The ECS service's registry and the stage's access
# log destination are ARN-typed; the API's endpoint and the custom domain's target are what the
# url output, the alias record and cname_target are made of.
override_resource {
  target = aws_service_discovery_service.this
  values = {
    arn = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789abcdef"
    id  = "srv-0123456789abcdef"
  }
}

override_resource {
  target = aws_cloudwatch_log_group.api_access
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/apigateway/actors" }
}

override_resource {
  target = aws_apigatewayv2_api.this
  values = {
    id           = "a1b2c3d4e5"
    api_endpoint = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
  }
}

override_resource {
  target = aws_apigatewayv2_domain_name.this
  values = {
    # The computed parts of each domain_name_configuration block.
    domain_name_configuration = {
      target_domain_name = "d-0123456789.execute-api.us-east-1.amazonaws.com"
      hosted_zone_id     = "Z1UJRXOUMOOFQ8"
    }
  }
}
