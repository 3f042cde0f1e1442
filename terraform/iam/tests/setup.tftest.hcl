# The IAM set-up with a mocked provider: what it creates, under which names and path, attached to
# whom, and that each policy fits IAM's 6,144 characters for the longest name the stack takes.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/admin" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  # The provider validates the attachments' ARNs even when mocked.
  mock_resource "aws_iam_policy" {
    defaults = { arn = "arn:aws:iam::123456789012:policy/mocked" }
  }
}

variables {
  region = "eu-central-1"
}

run "default_stack" {
  variables {
    deployer_users = ["alice"]
    deployer_roles = ["ci-deploy"]
  }

  assert {
    condition     = aws_iam_policy.boundary.name == "actors-boundary" && aws_iam_policy.boundary.path == "/actors/"
    error_message = "the boundary must be actors-boundary under /actors/: the stack's roles name it so"
  }
  assert {
    condition     = output.boundary_arn == aws_iam_policy.boundary.arn && module.policies.boundary_arn == "arn:aws:iam::123456789012:policy/actors/actors-boundary"
    error_message = "the boundary the deployer's conditions name must be the one created"
  }
  assert {
    condition     = sort([for p in aws_iam_policy.deployer : p.name]) == tolist(["actors-deployer-compute", "actors-deployer-edge", "actors-deployer-iam", "actors-deployer-network"]) && alltrue([for p in aws_iam_policy.deployer : p.path == "/actors/"])
    error_message = "the deployer's policies must be actors-deployer-* under /actors/, where the deployer may not edit them"
  }
  assert {
    condition     = length(aws_iam_policy.task) == 0 && output.task_policy_arn == null
    error_message = "no application policy without task_role_statements"
  }
  assert {
    condition = (
      sort(keys(aws_iam_user_policy_attachment.deployer)) == tolist(["alice/compute", "alice/edge", "alice/iam", "alice/network"]) &&
      sort(keys(aws_iam_role_policy_attachment.deployer)) == tolist(["ci-deploy/compute", "ci-deploy/edge", "ci-deploy/iam", "ci-deploy/network"]) &&
      alltrue([for k, a in aws_iam_user_policy_attachment.deployer : a.user == "alice" && a.policy_arn == aws_iam_policy.deployer[split("/", k)[1]].arn]) &&
      alltrue([for k, a in aws_iam_role_policy_attachment.deployer : a.role == "ci-deploy" && a.policy_arn == aws_iam_policy.deployer[split("/", k)[1]].arn]) &&
      length(output.deployer_policy_arns) == 4
    )
    error_message = "every deploying user and role must get every deployer policy"
  }
  assert {
    condition     = alltrue([for k, n in output.policy_sizes : n <= 6144])
    error_message = "every policy must fit IAM's 6,144 characters"
  }
  assert {
    condition     = strcontains(aws_iam_policy.deployer["iam"].policy, "\"iam:PermissionsBoundary\":\"arn:aws:iam::123456789012:policy/actors/actors-boundary\"") && strcontains(aws_iam_policy.deployer["iam"].policy, "arn:aws:iam::123456789012:role/actors/*")
    error_message = "role creation must require the boundary, on the stack's path"
  }
}

run "longest_name_with_an_application_policy_and_a_zone" {
  variables {
    name                 = "abcdefghij-abcdefghij-abcdefghij"
    region               = "ap-southeast-2"
    route53_zone_ids     = ["Z0123456789ABCDEFGHIJ"]
    task_role_statements = [{ actions = ["s3:GetObject"], resources = ["arn:aws:s3:::assets/*"] }]
  }

  assert {
    condition     = alltrue([for k, n in output.policy_sizes : n <= 6144]) && length(output.policy_sizes) == 5
    error_message = "for a 32-character name every policy must still fit IAM's 6,144 characters"
  }
  assert {
    condition     = aws_iam_policy.task[0].name == "abcdefghij-abcdefghij-abcdefghij-task" && aws_iam_policy.task[0].path == "/abcdefghij-abcdefghij-abcdefghij/" && strcontains(aws_iam_policy.boundary.policy, "s3:GetObject")
    error_message = "task_role_statements must become the application's policy and enter the boundary"
  }
  assert {
    condition     = strcontains(aws_iam_policy.deployer["edge"].policy, "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ")
    error_message = "Route 53 changes must be allowed in the given zone"
  }
  assert {
    condition     = length(aws_iam_user_policy_attachment.deployer) == 0 && length(aws_iam_role_policy_attachment.deployer) == 0
    error_message = "nothing is attached to nobody"
  }
}

run "no_zone_no_route53_changes" {
  assert {
    condition     = !strcontains(aws_iam_policy.deployer["edge"].policy, "route53:ChangeResourceRecordSets")
    error_message = "without route53_zone_ids the deployer may change no Route 53 record"
  }
}

run "bad_values_are_refused" {
  command = plan

  variables {
    name                 = "Actors"
    region               = "Europe"
    deployer_users       = ["alice bob"]
    route53_zone_ids     = ["example.com"]
    task_role_statements = [{ actions = ["iam:PassRole"], resources = ["*"] }]
  }

  expect_failures = [var.name, var.region, var.deployer_users, var.route53_zone_ids, var.task_role_statements]
}
