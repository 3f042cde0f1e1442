variable "name" {
  description = "The stack's name: the same as its name variable (default actors)."
  type        = string
  default     = "actors"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "name must be 2-32 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen (the stack's rule)."
  }
}

variable "region" {
  description = "The region the stack is deployed to: the deployer's permissions name it in every ARN."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$", var.region))
    error_message = "region must look like an AWS region name, e.g. us-east-1 or eu-central-1."
  }
}

variable "deployer_users" {
  description = "IAM users who deploy the stack: each gets the deployer policies attached."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.deployer_users : can(regex("^[\\w+=,.@-]{1,64}$", u))])
    error_message = "deployer_users must hold IAM user names."
  }
}

variable "deployer_roles" {
  description = "IAM roles that deploy the stack (e.g. one that CI assumes): each gets the deployer policies attached. Not a role under the path /<name>/: the deployer may change those."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.deployer_roles : can(regex("^[\\w+=,.@-]{1,64}$", r))])
    error_message = "deployer_roles must hold IAM role names (without a path)."
  }
}

variable "route53_zone_ids" {
  description = "Route 53 hosted zones the stack may add records to: its route53_zone_id (for a route53_zone_name, `aws route53 list-hosted-zones-by-name --dns-name <name>` shows the ID). Empty without a domain name."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for z in var.route53_zone_ids : can(regex("^Z[A-Z0-9]{1,31}$", z))])
    error_message = "route53_zone_ids must hold hosted zone IDs such as Z0123456789ABCDEFGHIJ."
  }
}

variable "task_role_statements" {
  description = "More the application may do, e.g. [{ actions = [\"s3:GetObject\"], resources = [\"arn:aws:s3:::my-bucket/*\"] }]: a policy <name>-task the stack attaches with task_role_policy_arns (the task_policy_arn output), and the same in the boundary."
  type = list(object({
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.task_role_statements : length(s.actions) > 0 && length(s.resources) > 0 && alltrue([for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9*]+$", a)) && !startswith(a, "iam:") && !startswith(a, "sts:")])])
    error_message = "each task_role_statements entry needs actions (service:Action, no iam: or sts: ones: the application never manages identities) and resources."
  }
}

variable "state_bucket" {
  description = "The S3 bucket of the stack's remote state (terraform/backend.hcl's bucket; it must exist, versioned): the deployer policies then include <name>-deployer-state, which reads and writes the state object and its lock file (use_lockfile) and nothing else there. Required for deploys from CI, which has no local state."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "state_key" {
  description = "The state object's key in state_bucket (backend.hcl's key). Default: <name>/terraform.tfstate."
  type        = string
  default     = null

  validation {
    condition     = var.state_key == null || can(regex("^[A-Za-z0-9!_.()'-][A-Za-z0-9!_.()'/-]{0,1000}$", var.state_key))
    error_message = "state_key must be an S3 key of letters, digits and !_.()'-/ (no * or ?, no leading /)."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose Actions deploy the stack (.github/workflows/ci.yml): creates the role <name>-github-deploy it assumes through OIDC, with the deployer policies, and GitHub's OIDC provider unless github_oidc_provider_arn names one. Null (the default): neither."
  type        = string
  default     = null

  validation {
    condition = var.github_repository == null || try(
      can(regex("^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9])*/[A-Za-z0-9_.-]{1,100}$", var.github_repository)) &&
      length(split("/", var.github_repository)[0]) <= 39 && !contains([".", ".."], split("/", var.github_repository)[1]),
    false)
    error_message = "github_repository must be owner/name as GitHub spells it, e.g. octo-org/actors."
  }
}

variable "github_environment" {
  description = "The GitHub environment the deploy job runs in (the workflow's environment): only its tokens may assume the role. Give it a deployment branch rule, and reviewers if deploys should wait for one."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.github_environment))
    error_message = "github_environment must be 1-255 letters, digits, dots, hyphens and underscores."
  }
}

variable "github_ref" {
  description = "The one branch or tag deploys run from (the token's ref claim), e.g. refs/heads/main. Null leaves it to the environment's deployment branch rule alone."
  type        = string
  default     = "refs/heads/main"

  validation {
    condition     = var.github_ref == null || try(can(regex("^refs/(heads|tags)/[A-Za-z0-9_./-]+$", var.github_ref)) && !strcontains(var.github_ref, ".."), false)
    error_message = "github_ref must be one branch or tag, e.g. refs/heads/main or refs/tags/v1.2.0 (no wildcard), or null."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of GitHub's OIDC provider when the account already has one (an account holds one provider per URL): then none is created. Null: created with the role."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be the ARN of GitHub's OIDC provider: arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}
