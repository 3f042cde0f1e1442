# Availability Zones, chosen by zone ID (network.tf): of the region's zones, in name order, the
# first two that run Fargate and, for the API Gateway, its VPC links. Zone names are shuffled per
# account, so each run gives the data source zones in an order a real account could see.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag = "abc1234-amd64"
}

run "no_vpc_link_in_use1_az3" {
  # An account whose us-east-1a is use1-az3, where HTTP APIs have no VPC link.
  command = plan

  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["us-east-1a", "us-east-1b", "us-east-1c"], zone_ids = ["use1-az3", "use1-az5", "use1-az1"] }
  }

  assert {
    condition = (
      aws_subnet.public[*].availability_zone_id == ["use1-az5", "use1-az1"] &&
      aws_subnet.vpc_link[*].availability_zone_id == ["use1-az5", "use1-az1"] &&
      aws_subnet.public[*].tags.Name == ["actors-public-us-east-1b", "actors-public-us-east-1c"] &&
      aws_subnet.vpc_link[*].tags.Name == ["actors-vpc-link-us-east-1b", "actors-vpc-link-us-east-1c"]
    )
    error_message = "use1-az3 has no VPC link for HTTP APIs: the subnets must go to the next two zones, by ID"
  }
  # The message the refusal would give, made with the zones of this account.
  assert {
    condition     = strcontains(local.too_few_zones, "Of the zones us-east-1 offers this account (use1-az3, use1-az5, use1-az1), only use1-az5 and use1-az1 can (use1-az3 has no VPC link)")
    error_message = "the refusal must name the zones, which can serve and why the others cannot"
  }
}

run "other_front_doors_need_no_vpc_link" {
  # Fargate and load balancers run in use1-az3: without the API Gateway it serves.
  command = plan

  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["us-east-1a", "us-east-1b", "us-east-1c"], zone_ids = ["use1-az3", "use1-az5", "use1-az1"] }
  }

  variables {
    front_door    = "public_ip"
    allowed_cidrs = ["203.0.113.7/32"]
  }

  assert {
    condition     = aws_subnet.public[*].availability_zone_id == ["use1-az3", "use1-az5"] && length(aws_subnet.vpc_link) == 0
    error_message = "public_ip must take the first two zones that run Fargate"
  }
}

run "fargate_only_in_some_zones" {
  # us-west-1's usw1-az2, in accounts old enough to have it, runs no Fargate.
  command = plan

  override_data {
    target = data.aws_region.current
    values = { id = "us-west-1", name = "us-west-1" }
  }
  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["us-west-1a", "us-west-1b", "us-west-1c"], zone_ids = ["usw1-az2", "usw1-az3", "usw1-az1"] }
  }

  variables {
    front_door      = "alb"
    domain_name     = "actors.example.com"
    certificate_arn = "arn:aws:acm:us-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    allowed_cidrs   = ["203.0.113.0/24"]
  }

  assert {
    condition     = aws_subnet.public[*].availability_zone_id == ["usw1-az3", "usw1-az1"]
    error_message = "usw1-az2 runs no Fargate: the tasks (and the load balancer) must go to the other two"
  }
}

run "a_region_with_two_usable_zones" {
  # eu-west-3 has three zones; VPC links for HTTP APIs are in two of them.
  command = plan

  override_data {
    target = data.aws_region.current
    values = { id = "eu-west-3", name = "eu-west-3" }
  }
  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["eu-west-3a", "eu-west-3b", "eu-west-3c"], zone_ids = ["euw3-az1", "euw3-az2", "euw3-az3"] }
  }

  assert {
    condition     = aws_subnet.public[*].availability_zone_id == ["euw3-az1", "euw3-az3"] && aws_subnet.vpc_link[*].availability_zone_id == ["euw3-az1", "euw3-az3"]
    error_message = "two usable zones are enough: both must be taken"
  }
}

run "a_region_without_known_limits" {
  # A region AWS documents no zone limits for: the first two zones, by name.
  command = plan

  override_data {
    target = data.aws_region.current
    values = { id = "eu-south-1", name = "eu-south-1" }
  }
  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["eu-south-1a", "eu-south-1b", "eu-south-1c"], zone_ids = ["eus1-az1", "eus1-az2", "eus1-az3"] }
  }

  assert {
    condition     = aws_subnet.public[*].availability_zone_id == ["eus1-az1", "eus1-az2"]
    error_message = "with no documented limits, the first two zones must be taken"
  }
}

run "fewer_than_two_usable_zones_are_refused" {
  # Of these two zones only one has a VPC link: the API Gateway cannot be placed in two zones.
  command = plan

  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["us-east-1a", "us-east-1b"], zone_ids = ["use1-az3", "use1-az1"] }
  }

  expect_failures = [aws_vpc.this]
}

run "fewer_than_two_zones_for_the_api_gateway_are_enough_for_the_alb" {
  command = plan

  override_data {
    target = data.aws_availability_zones.available
    values = { names = ["us-east-1a", "us-east-1b"], zone_ids = ["use1-az3", "use1-az1"] }
  }

  variables {
    front_door      = "alb"
    domain_name     = "actors.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    allowed_cidrs   = ["203.0.113.0/24"]
  }

  assert {
    condition     = aws_subnet.public[*].availability_zone_id == ["use1-az3", "use1-az1"]
    error_message = "the load balancer needs no VPC link: both zones serve"
  }
}
