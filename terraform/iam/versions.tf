terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The stack's constraint (../versions.tf): one provider for both.
      version = "~> 5.100"
    }
  }

  # State is local (terraform.tfstate here, git-ignored): keep it, or use a backend, so that the
  # next apply changes these policies instead of failing on names that already exist.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = { Project = var.name, ManagedBy = "terraform" }
  }
}
