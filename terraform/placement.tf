# The stack stays in the account and region it was created in. Both come from the environment
# (AWS_PROFILE, AWS_REGION, the profile's region) unless var.region is set, so a later apply from
# another shell could point the provider elsewhere: Terraform would then find none of the
# resources, drop them from the state and create a second stack there, leaving the first one
# running and billing, unmanaged. Both are recorded at creation (ignore_changes keeps the first
# value), and every plan compares them with the provider's.

resource "terraform_data" "region" {
  input = local.region

  lifecycle {
    ignore_changes = [input]
  }
}

resource "terraform_data" "account" {
  input = local.account_id

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  # Known once the stack exists; unknown (so the checks wait for apply) on the first plan.
  stack_region  = terraform_data.region.output
  stack_account = terraform_data.account.output

  placement_kept  = local.stack_account == local.account_id && local.stack_region == local.region
  placement_error = local.stack_account != local.account_id ? local.account_mismatch : local.region_mismatch

  region_mismatch = join(" ", [
    "This stack was created in ${local.stack_region}, but the AWS provider now points at ${local.region}",
    "(region in terraform.tfvars, else AWS_REGION, AWS_DEFAULT_REGION or the profile's region).",
    "Planning there would find none of its resources and create a second stack.",
    "Deploy to ${local.stack_region} (export AWS_REGION=${local.stack_region}, or region = \"${local.stack_region}\" in terraform.tfvars);",
    "to move the stack, run make delete in ${local.stack_region} first.",
  ])

  account_mismatch = join(" ", [
    "This stack was created in AWS account ${local.stack_account}, but the credentials now are for account ${local.account_id}",
    "(AWS_PROFILE or the credentials in the environment). Planning there would create a second stack.",
    "Use credentials for account ${local.stack_account}.",
  ])
}
