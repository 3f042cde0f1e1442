terraform {
  # 1.7 brings mock providers and override_data to `terraform test`, which the offline tests rely on.
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }

  # State is local by default. For a shared S3 backend see backend.hcl.example.
}

provider "aws" {
  # null falls back to AWS_REGION / AWS_DEFAULT_REGION / the profile's region, so nothing
  # account- or region-specific has to be committed.
  region = var.region

  default_tags {
    tags = merge(
      {
        Project   = var.name
        ManagedBy = "terraform"
      },
      var.tags,
    )
  }
}
