output "boundary_arn" {
  description = "The permissions boundary every role of the stack is created with (the stack computes the same ARN from its name and account)."
  value       = aws_iam_policy.boundary.arn
}

output "deployer_policy_arns" {
  description = "The deployer's managed policies: attach all of them to any other identity that deploys the stack."
  value       = local.deployer_policy_arns
}

output "task_policy_arn" {
  description = "The application's extra policy (task_role_statements), for the stack's task_role_policy_arns; null without it."
  value       = length(aws_iam_policy.task) > 0 ? aws_iam_policy.task[0].arn : null
}

output "policy_sizes" {
  description = "Characters of each policy without white space, as IAM counts them against its 6,144."
  value       = { for k, p in merge(module.policies.deployer_policies, { boundary = module.policies.boundary_policy }) : k => length(replace(p, "/\\s/", "")) }
}

output "github_actions_role_arn" {
  description = "The role GitHub Actions assumes: the repository's variable AWS_ROLE_ARN. Null without github_repository."
  value       = local.github ? aws_iam_role.github[0].arn : null
}

output "github_actions_variables" {
  description = "The variables .github/workflows/ci.yml reads, to set on the repository (docs/deploy.md, Deploying from GitHub Actions); empty without github_repository."
  value = !local.github ? {} : merge(
    { AWS_ROLE_ARN = aws_iam_role.github[0].arn, AWS_REGION = var.region },
    var.state_bucket == null ? {} : { TF_STATE_BUCKET = var.state_bucket, TF_STATE_KEY = coalesce(var.state_key, "${var.name}/terraform.tfstate") },
  )
}
