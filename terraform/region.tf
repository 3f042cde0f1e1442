# The stack stays in the region it was created in. The provider's region may come from the
# environment (AWS_REGION, the profile), so a later apply from another shell could point it
# elsewhere: Terraform would then find none of the resources, drop them from the state and create
# a second stack there, orphaning the first. The region is recorded at creation (ignore_changes
# keeps the first value) and every plan compares it with the provider's.

resource "terraform_data" "region" {
  input = local.region

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  # Known once the stack exists; unknown (so the check waits for apply) on the first plan.
  stack_region = terraform_data.region.output
}

locals {
  region_pinned = local.stack_region == local.region
  region_mismatch = join(" ", [
    "This stack was created in ${local.stack_region}, but the AWS provider now points at ${local.region}",
    "(region in terraform.tfvars, else AWS_REGION, AWS_DEFAULT_REGION or the profile's region).",
    "Planning there would find none of its resources and create a second stack.",
    "Deploy to ${local.stack_region} (export AWS_REGION=${local.stack_region}, or region = \"${local.stack_region}\" in terraform.tfvars);",
    "to move the stack, run make delete in ${local.stack_region} first.",
  ])
}
