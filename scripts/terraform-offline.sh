# shellcheck shell=bash
# Sourced by the scripts that run the real terraform offline (test-terraform, test-iam,
# test-deploy). tf_cli_config MIRROR prints a Terraform CLI configuration that installs the
# hashicorp providers from the filesystem mirror MIRROR only and never contacts the registry.
tf_cli_config() {
  cat <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$1"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
}
