# The one-time IAM set-up of a stack, run by an administrator of the account (docs/deploy.md):
#   - the permissions boundary <name>-boundary: the stack creates every role with it, and it
#     caps what those roles may ever do, whatever policy the deployer puts on them;
#   - the deployer's managed policies <name>-deployer-*: what make deploy, plan, status, delete
#     and the other verbs need, and no more (policies/main.tf);
#   - with task_role_statements, <name>-task: more for the application, the one policy the
#     deployer may attach;
#   - with state_bucket, <name>-deployer-state: the remote state's object and lock file;
# all under the IAM path /<name>/, which the deployer may not edit; and the policies attached to
# deployer_users and deployer_roles, and with github_repository to the role GitHub Actions
# assumes (github.tf).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

module "policies" {
  source = "./policies"

  name                 = var.name
  partition            = data.aws_partition.current.partition
  account_id           = data.aws_caller_identity.current.account_id
  region               = var.region
  route53_zone_ids     = var.route53_zone_ids
  task_role_statements = var.task_role_statements

  state_bucket             = var.state_bucket
  state_key                = var.state_key
  github_repository        = var.github_repository
  github_environment       = var.github_environment
  github_ref               = var.github_ref
  github_oidc_provider_arn = var.github_oidc_provider_arn
}

resource "aws_iam_policy" "boundary" {
  name        = "${var.name}-boundary"
  path        = module.policies.policy_path
  description = "Permissions boundary of the ${var.name} stack's roles: the most its tasks may ever do"
  policy      = module.policies.boundary_policy
}

resource "aws_iam_policy" "deployer" {
  for_each = module.policies.deployer_policies

  name        = "${var.name}-deployer-${each.key}"
  path        = module.policies.policy_path
  description = "Deploying the ${var.name} stack (${each.key}); set up with terraform/iam"
  policy      = each.value
}

resource "aws_iam_policy" "task" {
  count = length(var.task_role_statements) > 0 ? 1 : 0

  name        = "${var.name}-task"
  path        = module.policies.policy_path
  description = "The ${var.name} application's extra permissions (task_role_statements)"
  policy      = module.policies.task_policy
}

locals {
  # What a deploying identity gets: the same for a user, a role, or CI's role.
  deployer_policy_arns = [for p in aws_iam_policy.deployer : p.arn]
}

resource "aws_iam_user_policy_attachment" "deployer" {
  for_each = { for pair in setproduct(var.deployer_users, keys(aws_iam_policy.deployer)) : "${pair[0]}/${pair[1]}" => pair }

  user       = each.value[0]
  policy_arn = aws_iam_policy.deployer[each.value[1]].arn
}

resource "aws_iam_role_policy_attachment" "deployer" {
  for_each = { for pair in setproduct(var.deployer_roles, keys(aws_iam_policy.deployer)) : "${pair[0]}/${pair[1]}" => pair }

  role       = each.value[0]
  policy_arn = aws_iam_policy.deployer[each.value[1]].arn
}
