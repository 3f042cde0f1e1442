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
}
