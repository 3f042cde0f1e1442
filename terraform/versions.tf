terraform {
  # 1.9: variable validations may refer to other variables (domain_name, certificate_arn, ...);
  # 1.7 brought the mock providers the offline tests use.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The major version the tests run (scripts/test-terraform.sh applies the stack with it).
      # Moving to the next one is a deliberate change: see docs/deploy.md, "Provider version".
      version = "~> 5.100"
    }
  }

  # State is local by default. For a shared S3 backend see backend.hcl.example.
}

provider "aws" {
  # null falls back to AWS_REGION / AWS_DEFAULT_REGION / the profile's region, so nothing
  # account- or region-specific has to be committed; placement.tf keeps the stack in the account and
  # region it was created in.
  region = var.region

  default_tags {
    # Project = name last: the deployer's permissions are scoped to it (terraform/iam).
    tags = merge({ ManagedBy = "terraform" }, var.tags, { Project = var.name })
  }
}
