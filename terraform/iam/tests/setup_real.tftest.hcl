# The IAM set-up planned with the real hashicorp/aws provider, which validates the policy
# documents, names and paths itself (a mock does not). Nothing reaches AWS: dummy static keys,
# the skip_* flags, every data source overridden, a plan only.

provider "aws" {
  region                      = "ap-southeast-2"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/admin", user_id = "AIDAADMIN" }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws", dns_suffix = "amazonaws.com", reverse_dns_prefix = "com.amazonaws" }
}

run "longest_name_plans_on_the_real_provider" {
  command = plan

  variables {
    name                 = "abcdefghij-abcdefghij-abcdefghij"
    region               = "ap-southeast-2"
    deployer_users       = ["alice"]
    deployer_roles       = ["ci-deploy"]
    route53_zone_ids     = ["Z0123456789ABCDEFGHIJ"]
    task_role_statements = [{ actions = ["s3:GetObject"], resources = ["arn:aws:s3:::assets/*"] }]
  }

  assert {
    condition     = alltrue([for k, n in output.policy_sizes : n <= 6144])
    error_message = "every policy must fit IAM's 6,144 characters for a 32-character name"
  }
  assert {
    condition     = length(aws_iam_policy.deployer) == 4 && length(aws_iam_user_policy_attachment.deployer) == 4 && length(aws_iam_role_policy_attachment.deployer) == 4
    error_message = "four deployer policies, each attached to the user and the role"
  }
  assert {
    condition     = jsondecode(aws_iam_policy.boundary.policy).Version == "2012-10-17" && aws_iam_policy.boundary.path == "/abcdefghij-abcdefghij-abcdefghij/"
    error_message = "the boundary must be a policy document under the stack's path"
  }
  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && length(aws_iam_role.github) == 0 && length(aws_iam_role_policy_attachment.github) == 0
    error_message = "without github_repository: no OIDC provider, no CI role"
  }
}

run "github_actions_role_plans_on_the_real_provider" {
  command = plan

  variables {
    region            = "ap-southeast-2"
    github_repository = "octo-org/actors"
    state_bucket      = "octo-terraform-state"
  }

  assert {
    condition     = aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "GitHub's OIDC provider, for the audience sts.amazonaws.com"
  }
  assert {
    condition     = aws_iam_role.github[0].name == "actors-github-deploy" && aws_iam_role.github[0].path == "/" && aws_iam_role.github[0].max_session_duration == 7200
    error_message = "the CI role outside the stack's path /actors/"
  }
  assert {
    # Planned by the provider, which normalises the document: known at plan time, so a reviewer sees it.
    condition = jsondecode(aws_iam_role.github[0].assume_role_policy).Statement == [{
      Sid       = "GitHubDeployJob"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = {
        "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        "token.actions.githubusercontent.com:sub" = "repo:octo-org/actors:environment:production"
        "token.actions.githubusercontent.com:ref" = "refs/heads/main"
      } }
    }]
    error_message = "the planned trust must be exactly this repository's production environment on main, for sts.amazonaws.com"
  }
  assert {
    condition     = sort(keys(aws_iam_role_policy_attachment.github)) == tolist(["compute", "edge", "iam", "network", "state"]) && alltrue([for a in aws_iam_role_policy_attachment.github : a.role == "actors-github-deploy"])
    error_message = "the CI role gets every deployer policy, the state's included"
  }
}

run "an_existing_provider_plans_no_new_one" {
  command = plan

  variables {
    region                   = "ap-southeast-2"
    github_repository        = "octo-org/actors"
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    state_bucket             = "octo-terraform-state"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && jsondecode(aws_iam_role.github[0].assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "with github_oidc_provider_arn the plan creates no provider and trusts the given one"
  }
}
