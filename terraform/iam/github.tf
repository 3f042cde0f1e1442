# Deploys from GitHub Actions with no stored key (github_repository): the workflow's deploy job
# exchanges its OIDC token for the role <name>-github-deploy, which holds the deployer policies
# and nothing else.
#
# The role sits outside the IAM path /<name>/, where the deployer may create and change roles:
# so nothing the role can do (a deploy, or a workflow someone changed) can edit its trust or
# attach a policy to it. Only whoever applies this root can.

locals {
  github = var.github_repository != null
}

# One provider per URL may exist in an account: with github_oidc_provider_arn, the existing one.
# No thumbprint: IAM trusts GitHub's certificate authority itself.
resource "aws_iam_openid_connect_provider" "github" {
  count = local.github && var.github_oidc_provider_arn == null ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "github" {
  count = local.github ? 1 : 0

  name        = "${var.name}-github-deploy"
  path        = "/"
  description = "GitHub Actions deploying the ${var.name} stack from ${var.github_repository} (environment ${var.github_environment}); set up with terraform/iam"
  # A first deploy (the VPC link, a certificate, the rollout's bake time) can outlast an hour.
  max_session_duration = 7200
  assume_role_policy   = module.policies.github_trust_policy

  lifecycle {
    precondition {
      condition     = var.github_oidc_provider_arn == null || split(":", coalesce(var.github_oidc_provider_arn, "::::"))[4] == data.aws_caller_identity.current.account_id
      error_message = "github_oidc_provider_arn is in another account than these credentials (${data.aws_caller_identity.current.account_id}): a role trusts a provider of its own account."
    }
  }

  depends_on = [aws_iam_openid_connect_provider.github]
}

resource "aws_iam_role_policy_attachment" "github" {
  for_each = local.github ? aws_iam_policy.deployer : {}

  role       = aws_iam_role.github[0].name
  policy_arn = each.value.arn
}

check "github_deploys_need_the_state" {
  assert {
    condition     = !local.github || var.state_bucket != null
    error_message = "github_repository is set without state_bucket: CI has no local state, so its deploys need the remote state (state_bucket, the bucket of terraform/backend.hcl), unless another policy lets ${var.name}-github-deploy read and write it."
  }
}
