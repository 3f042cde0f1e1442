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

# ---- GitHub Actions: the OIDC provider, the CI role and its trust ---------------------------

run "no_github_repository_no_role_no_provider" {
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && length(aws_iam_role.github) == 0 && length(aws_iam_role_policy_attachment.github) == 0
    error_message = "without github_repository there must be no OIDC provider, no CI role and nothing attached to one"
  }
  assert {
    condition     = output.github_actions_role_arn == null && length(output.github_actions_variables) == 0 && module.policies.github_trust_policy == null
    error_message = "without github_repository there is no role ARN to hand to GitHub"
  }
  assert {
    condition     = !contains(keys(aws_iam_policy.deployer), "state") && length(output.deployer_policy_arns) == 4
    error_message = "without state_bucket there is no state policy"
  }
}

run "github_repository_creates_the_provider_and_a_role_trusting_only_its_production_environment" {
  variables {
    github_repository = "octo-org/actors"
    state_bucket      = "octo-terraform-state"
  }

  assert {
    condition = (
      length(aws_iam_openid_connect_provider.github) == 1 &&
      aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" &&
      aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    )
    error_message = "GitHub's OIDC provider must be created for the audience sts.amazonaws.com"
  }
  assert {
    condition     = aws_iam_role.github[0].name == "actors-github-deploy" && aws_iam_role.github[0].path == "/" && aws_iam_role.github[0].permissions_boundary == null
    error_message = "the CI role must be actors-github-deploy, outside /actors/ where the deployer may change roles"
  }
  assert {
    condition = jsondecode(aws_iam_role.github[0].assume_role_policy) == {
      Version = "2012-10-17"
      Statement = [{
        Sid       = "GitHubDeployJob"
        Effect    = "Allow"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = "repo:octo-org/actors:environment:production"
            "token.actions.githubusercontent.com:ref" = "refs/heads/main"
          }
        }
      }]
    }
    error_message = "the trust must be exactly: this account's GitHub provider, aud sts.amazonaws.com, sub repo:octo-org/actors:environment:production, ref refs/heads/main, all StringEquals"
  }
  assert {
    condition     = !strcontains(aws_iam_role.github[0].assume_role_policy, "*") && !strcontains(aws_iam_role.github[0].assume_role_policy, "?") && !strcontains(aws_iam_role.github[0].assume_role_policy, "StringLike")
    error_message = "no wildcard and no pattern operator in the trust: nothing may match another repository"
  }
  assert {
    condition = (
      sort(keys(aws_iam_role_policy_attachment.github)) == tolist(["compute", "edge", "iam", "network", "state"]) &&
      alltrue([for k, a in aws_iam_role_policy_attachment.github : a.role == "actors-github-deploy" && a.policy_arn == aws_iam_policy.deployer[k].arn])
    )
    error_message = "the CI role must hold every deployer policy, the state's included, and nothing else"
  }
  assert {
    condition = jsondecode(aws_iam_policy.deployer["state"].policy).Statement == [
      { Sid = "ListTheStateBucket", Effect = "Allow", Action = "s3:ListBucket", Resource = "arn:aws:s3:::octo-terraform-state" },
      { Sid = "TheState", Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::octo-terraform-state/actors/terraform.tfstate" },
      { Sid = "TheStateLock", Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource = "arn:aws:s3:::octo-terraform-state/actors/terraform.tfstate.tflock" },
    ]
    error_message = "the state policy must reach the state object and its lock file only"
  }
  assert {
    condition = aws_iam_policy.deployer["state"].name == "actors-deployer-state" && aws_iam_policy.deployer["state"].path == "/actors/" && (
      output.github_actions_variables == tomap({
        AWS_ROLE_ARN    = aws_iam_role.github[0].arn
        AWS_REGION      = "eu-central-1"
        TF_STATE_BUCKET = "octo-terraform-state"
        TF_STATE_KEY    = "actors/terraform.tfstate"
      })
    ) && output.github_actions_role_arn == aws_iam_role.github[0].arn
    error_message = "the outputs must give the workflow's variables: the role, the region and the state"
  }
}

run "another_environment_a_tag_and_a_state_key" {
  variables {
    name               = "abcdefghij-abcdefghij-abcdefghij"
    github_repository  = "Octo-Org/actors.api"
    github_environment = "prod-eu"
    github_ref         = "refs/tags/v1.2.0"
    state_bucket       = "octo.terraform.state"
    state_key          = "stacks/actors/eu.tfstate"
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.github[0].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:Octo-Org/actors.api:environment:prod-eu" &&
      jsondecode(aws_iam_role.github[0].assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:ref"] == "refs/tags/v1.2.0"
    )
    error_message = "the subject and the ref must be the variables', as given"
  }
  assert {
    condition     = aws_iam_role.github[0].name == "abcdefghij-abcdefghij-abcdefghij-github-deploy" && strcontains(aws_iam_policy.deployer["state"].policy, "arn:aws:s3:::octo.terraform.state/stacks/actors/eu.tfstate.tflock")
    error_message = "a 32-character name must still make a valid role name, and state_key must be the state's key"
  }
  assert {
    condition     = alltrue([for k, n in output.policy_sizes : n <= 6144]) && length(output.deployer_policy_arns) <= 9
    error_message = "with the state policy every policy must still fit, and an identity take them all (10, one spare)"
  }
}

run "no_ref_condition_when_github_ref_is_null" {
  variables {
    github_repository = "octo-org/actors"
    github_ref        = null
    state_bucket      = "octo-terraform-state"
  }

  assert {
    condition     = keys(jsondecode(aws_iam_role.github[0].assume_role_policy).Statement[0].Condition.StringEquals) == ["token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"]
    error_message = "github_ref = null must leave aud and sub, both exact"
  }
}

run "an_existing_provider_is_used_not_created" {
  variables {
    github_repository        = "octo-org/actors"
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    state_bucket             = "octo-terraform-state"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && length(aws_iam_role.github) == 1
    error_message = "with github_oidc_provider_arn no provider may be created (one per URL per account)"
  }
  assert {
    condition     = jsondecode(aws_iam_role.github[0].assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "the trust must name the existing provider"
  }
}

run "a_provider_of_another_account_is_refused" {
  command = plan

  variables {
    github_repository        = "octo-org/actors"
    github_oidc_provider_arn = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
    state_bucket             = "octo-terraform-state"
  }

  expect_failures = [aws_iam_role.github]
}

run "github_without_the_state_warns" {
  command = plan

  variables {
    github_repository = "octo-org/actors"
  }

  expect_failures = [check.github_deploys_need_the_state]
}

run "wildcards_and_malformed_github_values_are_refused" {
  command = plan

  variables {
    github_repository        = "octo-org/*"
    github_environment       = "prod*"
    github_ref               = "refs/heads/*"
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/example.com"
    state_bucket             = "My_Bucket"
    state_key                = "actors/*"
  }

  expect_failures = [var.github_repository, var.github_environment, var.github_ref, var.github_oidc_provider_arn, var.state_bucket, var.state_key]
}

run "a_subject_smuggled_into_the_repository_is_refused" {
  command = plan

  variables {
    github_repository  = "octo-org/actors:ref:refs/heads/main"
    github_environment = "production:x"
    github_ref         = "main"
    state_key          = "/actors/terraform.tfstate"
  }

  expect_failures = [var.github_repository, var.github_environment, var.github_ref, var.state_key]
}

run "owner_and_name_rules" {
  command = plan

  variables {
    github_repository = "-octo/actors"
    github_ref        = "refs/heads/../main"
  }

  expect_failures = [var.github_repository, var.github_ref]
}

run "a_repository_without_an_owner_is_refused" {
  command = plan

  variables {
    github_repository = "actors"
  }

  expect_failures = [var.github_repository]
}
