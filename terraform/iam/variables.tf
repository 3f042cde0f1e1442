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
