# The IAM policy documents of one stack, from its name, partition, account and region: what the
# deploying identity may do (several managed policies, each within IAM's 6,144 characters; with
# state_bucket, one for the remote state too), the permissions boundary every role of the stack
# is created with, and with github_repository the trust policy of the role GitHub Actions
# assumes. No provider and no data source, so the documents render offline
# (scripts/test-iam.sh evaluates them).
#
# One local per AWS service below: a call the stack starts making goes in its service's list.
#
# How the deployer is kept inside the stack:
#   - by ARN where the stack names the resource (its roles live under the IAM path /<name>/, its
#     cluster, repository, log groups, secret, table, alarms and load balancer carry the name);
#   - by the Project = <name> tag where AWS picks the ID (VPC, subnets, security groups,
#     certificates, APIs, Cloud Map, target groups): created only with the tag in the request,
#     changed and deleted only when the resource carries it, and EC2 tags added only while
#     creating (ec2:CreateAction) or to resources already tagged;
#   - IAM: a role is created only with the boundary, which never comes off, and the boundary and
#     these policies live under policy/<name>/, which the deployer may not edit.

terraform {
  required_version = ">= 1.9"
}

variable "name" {
  description = "The stack's name (its var.name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "name must be 2-32 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen."
  }
}

variable "partition" {
  description = "AWS partition: aws, aws-cn or aws-us-gov."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "account_id" {
  description = "The AWS account the stack lives in."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "region" {
  description = "The region the stack lives in."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$", var.region))
    error_message = "region must look like an AWS region name, e.g. eu-central-1."
  }
}

variable "route53_zone_ids" {
  description = "Route 53 hosted zones the stack may change records in (its route53_zone_id). Empty: none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for z in var.route53_zone_ids : can(regex("^Z[A-Z0-9]{1,31}$", z))])
    error_message = "route53_zone_ids must hold hosted zone IDs such as Z0123456789ABCDEFGHIJ."
  }
}

variable "task_role_statements" {
  description = "Extra permissions the application may be given (task_role_policy_arns): added to the boundary, and to the policy the stack may attach."
  type = list(object({
    actions   = list(string)
    resources = list(string)
  }))
  default = []
}

variable "state_bucket" {
  description = "The S3 bucket of the stack's remote state (backend.hcl), or null for none: the deployer may then read and write its state object and lock file there, and nothing else in the bucket."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "state_key" {
  description = "The state object's key in state_bucket (backend.hcl's key); null: <name>/terraform.tfstate."
  type        = string
  default     = null

  # No wildcard: the key becomes the policy's resource, which would then cover other objects.
  validation {
    condition     = var.state_key == null || can(regex("^[A-Za-z0-9!_.()'-][A-Za-z0-9!_.()'/-]{0,1000}$", var.state_key))
    error_message = "state_key must be an S3 key of letters, digits and !_.()'-/ (no * or ?, no leading /)."
  }
}

variable "github_repository" {
  description = "The GitHub repository (owner/name) whose deploy job may assume the CI role, or null for no CI role."
  type        = string
  default     = null

  # GitHub's own rules for owner and repository names, which leave no room for a wildcard.
  validation {
    condition = var.github_repository == null || try(
      can(regex("^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9])*/[A-Za-z0-9_.-]{1,100}$", var.github_repository)) &&
      length(split("/", var.github_repository)[0]) <= 39 && !contains([".", ".."], split("/", var.github_repository)[1]),
    false)
    error_message = "github_repository must be owner/name as GitHub spells it, e.g. octo-org/actors."
  }
}

variable "github_environment" {
  description = "The GitHub environment of the deploy job: its OIDC subject is repo:<owner/name>:environment:<this>."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,255}$", var.github_environment))
    error_message = "github_environment must be 1-255 letters, digits, dots, hyphens and underscores."
  }
}

variable "github_ref" {
  description = "The only git ref the deploy job may run from (its token's ref claim); null leaves that to the environment's deployment branch rule alone (for a partition whose STS does not check GitHub's claims)."
  type        = string
  default     = "refs/heads/main"

  validation {
    condition     = var.github_ref == null || try(can(regex("^refs/(heads|tags)/[A-Za-z0-9_./-]+$", var.github_ref)) && !strcontains(var.github_ref, ".."), false)
    error_message = "github_ref must be one branch or tag, e.g. refs/heads/main or refs/tags/v1.2.0 (no wildcard), or null."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of GitHub's OIDC provider in the account; null: the one terraform/iam creates (arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com)."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be the ARN of GitHub's OIDC provider: arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}

locals {
  n      = var.name
  arn    = "arn:${var.partition}"
  ra     = "${var.region}:${var.account_id}" # region:account, the middle of most ARNs
  iam    = "${local.arn}:iam::${var.account_id}"
  ec2    = "${local.arn}:ec2:${local.ra}"
  tag    = "aws:ResourceTag/Project"
  reqtag = "aws:RequestTag/Project"
  ours   = { StringEquals = { (local.tag) = local.n } }
  new    = { StringEquals = { (local.reqtag) = local.n } }

  # The boundary, and the policies this module makes, live under one path the deployer cannot edit.
  policy_path  = "/${local.n}/"
  boundary_arn = "${local.iam}:policy/${local.n}/${local.n}-boundary"
  task_arn     = "${local.iam}:policy/${local.n}/${local.n}-task"
  roles        = "${local.iam}:role/${local.n}/*"

  log_groups = [
    "${local.arn}:logs:${local.ra}:log-group:/ecs/${local.n}",
    "${local.arn}:logs:${local.ra}:log-group:/aws/ecs/containerinsights/${local.n}/*",
    "${local.arn}:logs:${local.ra}:log-group:/aws/vendedlogs/apigateway/${local.n}",
  ]
  repository = "${local.arn}:ecr:${local.ra}:repository/${local.n}"
  secret     = "${local.arn}:secretsmanager:${local.ra}:secret:${local.n}-credentials-*"
  table      = "${local.arn}:dynamodb:${local.ra}:table/${local.n}"

  # ---- read-only, and the calls AWS offers on no resource but "*" --------------------------
  read = [{
    Sid    = "Read"
    Effect = "Allow"
    Action = [
      "ec2:Describe*", "ecs:Describe*", "ecs:List*", "elasticloadbalancing:Describe*",
      "application-autoscaling:Describe*", "acm:Describe*", "acm:List*", "route53:Get*",
      "route53:List*", "logs:Describe*", "logs:ListTagsForResource", "logs:GetLogDelivery",
      "logs:ListLogDeliveries", "cloudwatch:Describe*", "cloudwatch:ListTagsForResource",
      "sns:Get*", "sns:List*", "servicediscovery:Get*", "servicediscovery:List*",
      "apigateway:GET", "secretsmanager:GetRandomPassword", "ecr:GetAuthorizationToken",
      "ecs:DescribeTaskDefinition",
    ]
    Resource = "*"
  }]

  # ---- IAM -----------------------------------------------------------------------------------
  iam_statements = [
    {
      Sid      = "RolesOnlyWithTheBoundary"
      Effect   = "Allow"
      Action   = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
      Resource = local.roles
      # The boundary's ARN is the one value; the policies under its path are the admin's.
      Condition = { StringEquals = { "iam:PermissionsBoundary" = local.boundary_arn } }
    },
    {
      Sid    = "TheStacksBoundedRoles"
      Effect = "Allow"
      Action = [
        "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy",
        "iam:DeleteRole", "iam:DetachRolePolicy",
      ]
      Resource  = local.roles
      Condition = { StringEquals = { "iam:PermissionsBoundary" = local.boundary_arn } }
    },
    {
      Sid      = "TheStacksRoles"
      Effect   = "Allow"
      Action   = ["iam:GetRole*", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateRole*"]
      Resource = local.roles
    },
    {
      # Only the application's policy the administrator made (task_role_statements).
      Sid      = "AttachOnlyTheStacksPolicy"
      Effect   = "Allow"
      Action   = "iam:AttachRolePolicy"
      Resource = local.roles
      Condition = {
        StringEquals = { "iam:PermissionsBoundary" = local.boundary_arn }
        ArnEquals    = { "iam:PolicyARN" = local.task_arn }
      }
    },
    {
      Sid       = "PassTheStacksRolesToEcsTasks"
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = local.roles
      Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
    },
    {
      Sid      = "ServiceLinkedRoles"
      Effect   = "Allow"
      Action   = "iam:CreateServiceLinkedRole"
      Resource = "*"
      Condition = { StringEquals = { "iam:AWSServiceName" = [
        "ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com",
        "ecs.application-autoscaling.amazonaws.com", "ops.apigateway.amazonaws.com",
      ] } }
    },
    {
      Sid      = "ReadThePolicies"
      Effect   = "Allow"
      Action   = ["iam:GetPolicy", "iam:GetPolicyVersion"]
      Resource = "${local.iam}:policy/${local.n}/*"
    },
    # Denied outright, so that no other policy of the same identity can open them either.
    {
      Sid      = "NeverEditTheBoundaryOrThesePolicies"
      Effect   = "Deny"
      Action   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
      Resource = "${local.iam}:policy/${local.n}/*"
    },
    {
      Sid       = "NeverARoleWithoutTheBoundary"
      Effect    = "Deny"
      Action    = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
      Resource  = local.roles
      Condition = { StringNotEquals = { "iam:PermissionsBoundary" = local.boundary_arn } }
    },
    {
      Sid      = "NeverRemoveTheBoundary"
      Effect   = "Deny"
      Action   = "iam:DeleteRolePermissionsBoundary"
      Resource = local.roles
    },
  ]

  # ---- ECS, ECR, logs, the secret, the table -------------------------------------------------
  ecs_statements = [
    {
      Sid    = "TheStacksClusterServiceTasks"
      Effect = "Allow"
      Action = [
        "ecs:CreateCluster", "ecs:DeleteCluster", "ecs:UpdateCluster*", "ecs:RegisterTaskDefinition",
        "ecs:DeleteTaskDefinitions", "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService",
        "ecs:TagResource", "ecs:UntagResource",
      ]
      Resource = [
        "${local.arn}:ecs:${local.ra}:cluster/${local.n}",
        "${local.arn}:ecs:${local.ra}:service/${local.n}/${local.n}",
        "${local.arn}:ecs:${local.ra}:task-definition/${local.n}:*",
      ]
    },
  ]

  ecr_statements = [{
    Sid    = "TheStacksRepository"
    Effect = "Allow"
    Action = [
      "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:Describe*", "ecr:List*", "ecr:Get*",
      "ecr:Put*", "ecr:Batch*", "ecr:*Layer*", "ecr:*LifecyclePolicy*", "ecr:TagResource",
      "ecr:UntagResource",
    ]
    Resource = local.repository
  }]

  logs_statements = [
    {
      Sid    = "TheStacksLogGroups"
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:TagLogGroup",
        "logs:FilterLogEvents", "logs:GetLogEvents", "logs:StartLiveTail",
      ]
      Resource = flatten([for g in local.log_groups : [g, "${g}:*"]])
    },
    {
      # What API Gateway's access logging asks of whoever turns it on: no resource but "*".
      Sid      = "AccessLogDelivery"
      Effect   = "Allow"
      Action   = ["logs:CreateLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies"]
      Resource = "*"
    },
  ]

  secret_statements = [{
    Sid    = "TheStacksSecret"
    Effect = "Allow"
    Action = [
      "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
      "secretsmanager:GetResourcePolicy", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecretVersionStage", "secretsmanager:ListSecretVersionIds",
      "secretsmanager:TagResource", "secretsmanager:UntagResource",
    ]
    Resource = local.secret
  }]

  dynamodb_statements = [{
    Sid    = "TheStacksTable"
    Effect = "Allow"
    Action = [
      "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
      "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups",
      "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive", "dynamodb:TagResource",
      "dynamodb:UntagResource", "dynamodb:ListTagsOfResource",
    ]
    Resource = local.table
  }]

  # ---- alarms, their topic, autoscaling ------------------------------------------------------
  alarms_statements = [
    {
      # The stack's alarms, and those target tracking makes for the service.
      Sid    = "TheStacksAlarmsAndTopic"
      Effect = "Allow"
      Action = [
        "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource",
        "cloudwatch:UntagResource", "sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes",
        "sns:Subscribe", "sns:Unsubscribe", "sns:TagResource", "sns:UntagResource",
      ]
      Resource = [
        "${local.arn}:cloudwatch:${local.ra}:alarm:${local.n}-*",
        "${local.arn}:cloudwatch:${local.ra}:alarm:TargetTracking-service/${local.n}/${local.n}-*",
        "${local.arn}:sns:${local.ra}:${local.n}-alarms",
        "${local.arn}:sns:${local.ra}:${local.n}-alarms:*",
      ]
    },
    {
      # AWS picks the scalable target's ID: the tag. Registering one for an ECS service also
      # needs ecs:UpdateService on it, which is this stack's only.
      Sid       = "NewScalableTarget"
      Effect    = "Allow"
      Action    = ["application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource"]
      Resource  = "${local.arn}:application-autoscaling:${local.ra}:scalable-target/*"
      Condition = merge(local.new, { Null = { (local.tag) = "true" } })
    },
    {
      Sid      = "TheStacksScalableTarget"
      Effect   = "Allow"
      Action   = ["application-autoscaling:*ScalableTarget", "application-autoscaling:*ScalingPolicy", "application-autoscaling:*TagResource"]
      Resource = "${local.arn}:application-autoscaling:${local.ra}:scalable-target/*"
      Condition = merge(local.ours, { StringEqualsIfExists = {
        "application-autoscaling:service-namespace" = "ecs"
      } })
    },
  ]

  # ---- the network (EC2) -----------------------------------------------------------------------
  ec2_creates = ["CreateVpc", "CreateSubnet", "CreateRouteTable", "CreateSecurityGroup", "CreateInternetGateway", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"]
  ec2_statements = [
    {
      Sid       = "NewVpc"
      Effect    = "Allow"
      Action    = "ec2:CreateVpc"
      Resource  = "${local.ec2}:vpc/*"
      Condition = local.new
    },
    {
      # The new resource itself; the VPC it goes in must be the stack's (TheStacksNetwork).
      Sid       = "NewInTheVpc"
      Effect    = "Allow"
      Action    = ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateInternetGateway"]
      Resource  = ["${local.ec2}:subnet/*", "${local.ec2}:route-table/*", "${local.ec2}:security-group/*", "${local.ec2}:internet-gateway/*"]
      Condition = local.new
    },
    {
      # A rule is a resource of its own; its security group must be the stack's.
      Sid       = "NewRule"
      Effect    = "Allow"
      Action    = ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"]
      Resource  = "${local.ec2}:security-group-rule/*"
      Condition = local.new
    },
    {
      Sid    = "TheStacksNetwork"
      Effect = "Allow"
      Action = [
        "ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:DeleteVpc",
        "ec2:ModifyVpcAttribute", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", "ec2:DeleteRouteTable",
        "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute", "ec2:AssociateRouteTable",
        "ec2:DisassociateRouteTable", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
        "ec2:DeleteInternetGateway", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroup*",
        "ec2:RevokeSecurityGroup*", "ec2:ModifySecurityGroupRules",
        "ec2:UpdateSecurityGroupRuleDescriptions*", "ec2:CreateTags", "ec2:DeleteTags",
      ]
      Resource  = "${local.ec2}:*"
      Condition = local.ours
    },
    {
      # Tags while creating only: tagging an existing resource Project = <name> would claim it.
      Sid       = "TagWhileCreating"
      Effect    = "Allow"
      Action    = "ec2:CreateTags"
      Resource  = "${local.ec2}:*"
      Condition = { StringEquals = { "ec2:CreateAction" = local.ec2_creates } }
    },
  ]

  # ---- the front doors: load balancer, API Gateway, Cloud Map, certificate, DNS ------------------
  elb       = "${local.arn}:elasticloadbalancing:${local.ra}"
  elb_names = ["${local.elb}:loadbalancer/app/${local.n}/*", "${local.elb}:listener/app/${local.n}/*", "${local.elb}:listener-rule/app/${local.n}/*"]
  elb_statements = [
    {
      # The load balancer is named for the stack; its target groups take a short prefix, so the tag.
      Sid    = "TheStacksLoadBalancer"
      Effect = "Allow"
      Action = [
        "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:Modify*", "elasticloadbalancing:Set*",
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
      ]
      Resource = local.elb_names
    },
    {
      Sid       = "NewTargetGroup"
      Effect    = "Allow"
      Action    = "elasticloadbalancing:CreateTargetGroup"
      Resource  = "${local.elb}:targetgroup/*"
      Condition = local.new
    },
    {
      # Tags while creating only: tagging an existing group Project = <name> would claim it.
      Sid       = "TagWhileCreating"
      Effect    = "Allow"
      Action    = "elasticloadbalancing:AddTags"
      Resource  = "${local.elb}:targetgroup/*"
      Condition = { StringEquals = { "elasticloadbalancing:CreateAction" = "CreateTargetGroup" } }
    },
    {
      Sid       = "TheStacksTargetGroups"
      Effect    = "Allow"
      Action    = ["elasticloadbalancing:ModifyTargetGroup*", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:*Tags"]
      Resource  = "${local.elb}:targetgroup/*"
      Condition = local.ours
    },
  ]

  acm_statements = [
    {
      # ACM asks for AddTagsToCertificate too when a request carries tags, and has no
      # create-only condition: a certificate nobody tagged is the most it can claim.
      Sid       = "NewCertificate"
      Effect    = "Allow"
      Action    = ["acm:RequestCertificate", "acm:AddTagsToCertificate"]
      Resource  = "*"
      Condition = merge(local.new, { Null = { (local.tag) = "true" } })
    },
    {
      Sid       = "TheStacksCertificates"
      Effect    = "Allow"
      Action    = ["acm:DeleteCertificate", "acm:*TagsToCertificate", "acm:RemoveTagsFromCertificate", "acm:UpdateCertificateOptions"]
      Resource  = "${local.arn}:acm:${local.ra}:certificate/*"
      Condition = local.ours
    },
  ]

  route53_statements = concat(
    length(var.route53_zone_ids) == 0 ? [] : [{
      Sid      = "TheStacksZone"
      Effect   = "Allow"
      Action   = "route53:ChangeResourceRecordSets"
      Resource = [for z in var.route53_zone_ids : "${local.arn}:route53:::hostedzone/${z}"]
    }],
    [{
      # Cloud Map makes the private zone of its namespace with the caller's rights; Route 53
      # takes no resource or tag for CreateHostedZone.
      Sid      = "CloudMapPrivateZone"
      Effect   = "Allow"
      Action   = "route53:CreateHostedZone"
      Resource = "*"
    }],
  )

  apigateway = "${local.arn}:apigateway:${var.region}::"
  apigateway_statements = [
    {
      # A new API, VPC link or custom domain carries its tags in the request that creates it.
      Sid       = "NewApi"
      Effect    = "Allow"
      Action    = "apigateway:POST"
      Resource  = ["${local.apigateway}/apis", "${local.apigateway}/vpclinks", "${local.apigateway}/domainnames"]
      Condition = local.new
    },
    {
      # Routes, integrations, stages and mappings are authorised with their API's or domain's tags.
      Sid       = "TheStacksApis"
      Effect    = "Allow"
      Action    = ["apigateway:POST", "apigateway:PATCH", "apigateway:PUT", "apigateway:DELETE"]
      Resource  = ["${local.apigateway}/apis/*", "${local.apigateway}/vpclinks/*", "${local.apigateway}/domainnames/*"]
      Condition = local.ours
    },
    {
      # The tags API takes no resource tag: any tag but the one that scopes all the rest.
      Sid       = "TagButNotProject"
      Effect    = "Allow"
      Action    = ["apigateway:POST", "apigateway:PUT", "apigateway:DELETE"]
      Resource  = "${local.apigateway}/tags/*"
      Condition = { "ForAllValues:StringNotEquals" = { "aws:TagKeys" = "Project" } }
    },
  ]

  cloudmap = "${local.arn}:servicediscovery:${local.ra}"
  cloudmap_statements = [
    {
      # CreatePrivateDnsNamespace takes no resource; CreateService's new service is the second ARN.
      Sid       = "NewNamespaceOrService"
      Effect    = "Allow"
      Action    = ["servicediscovery:CreatePrivateDnsNamespace", "servicediscovery:CreateService"]
      Resource  = ["*", "${local.cloudmap}:service/*"]
      Condition = local.new
    },
    {
      Sid       = "TheStacksNamespaceAndService"
      Effect    = "Allow"
      Action    = ["servicediscovery:CreateService", "servicediscovery:Update*", "servicediscovery:Delete*"]
      Resource  = ["${local.cloudmap}:namespace/*", "${local.cloudmap}:service/*"]
      Condition = local.ours
    },
    {
      # Cloud Map's tagging takes no resource: any tag but the one that scopes all the rest.
      Sid       = "TagButNotProject"
      Effect    = "Allow"
      Action    = ["servicediscovery:TagResource", "servicediscovery:UntagResource"]
      Resource  = "*"
      Condition = { "ForAllValues:StringNotEquals" = { "aws:TagKeys" = "Project" } }
    },
  ]

  # ---- the remote state (backend.hcl): its object and lock file, nothing else in the bucket ----
  state_key = coalesce(var.state_key, "${local.n}/terraform.tfstate")
  state_statements = { for bucket in compact([var.state_bucket]) : "state" => [
    {
      # The S3 backend lists the bucket (workspaces); names only, never contents.
      Sid      = "ListTheStateBucket"
      Effect   = "Allow"
      Action   = "s3:ListBucket"
      Resource = "${local.arn}:s3:::${bucket}"
    },
    {
      Sid      = "TheState"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "${local.arn}:s3:::${bucket}/${local.state_key}"
    },
    {
      # use_lockfile: the lock is <key>.tflock beside the state, created and deleted by each run.
      Sid      = "TheStateLock"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      Resource = "${local.arn}:s3:::${bucket}/${local.state_key}.tflock"
    },
  ] }

  # ---- the managed policies, each within IAM's 6,144 characters ----------------------------
  deployer = merge({
    compute = concat(local.ecs_statements, local.ecr_statements, local.logs_statements, local.secret_statements, local.dynamodb_statements, local.alarms_statements)
    network = local.ec2_statements
    edge    = concat(local.elb_statements, local.acm_statements, local.route53_statements, local.apigateway_statements, local.cloudmap_statements)
    iam     = concat(local.iam_statements, local.read)
  }, local.state_statements)

  # ---- GitHub Actions: who may assume the CI role --------------------------------------------
  # GitHub's tokens come from one issuer for every repository on GitHub: the trust must name
  # this repository and environment exactly (sub), the audience configure-aws-credentials asks
  # for (aud), and the one ref deploys run from (ref; the environment's branch rule is GitHub's
  # side, this one AWS's). StringEquals everywhere: no pattern can match another repository.
  github_issuer       = "token.actions.githubusercontent.com"
  github_provider_arn = coalesce(var.github_oidc_provider_arn, "${local.iam}:oidc-provider/${local.github_issuer}")
  github_subject      = var.github_repository == null ? null : "repo:${var.github_repository}:environment:${var.github_environment}"
  github_trust = var.github_repository == null ? null : {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubDeployJob"
      Effect    = "Allow"
      Principal = { Federated = local.github_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = merge({
          "${local.github_issuer}:aud" = "sts.amazonaws.com"
          "${local.github_issuer}:sub" = local.github_subject
        }, var.github_ref == null ? {} : { "${local.github_issuer}:ref" = var.github_ref })
      }
    }]
  }

  # ---- the boundary: the most any role of the stack may ever do --------------------------------
  # What the execution role (image, logs, secret) and the task role (table, traces, and the
  # administrator's extra statements) need, and nothing else: whatever policy the deployer puts
  # on a role, the role gets no more than this.
  task_statements = [for i, s in var.task_role_statements : {
    Sid      = "Extra${i}"
    Effect   = "Allow"
    Action   = s.actions
    Resource = s.resources
  }]
  deployer_json = { for part, statements in local.deployer : part => jsonencode({ Version = "2012-10-17", Statement = statements }) }
  boundary_json = jsonencode(local.boundary)
  trust_json    = local.github_trust == null ? null : jsonencode(local.github_trust)
  task_json     = length(local.task_statements) == 0 ? null : jsonencode({ Version = "2012-10-17", Statement = local.task_statements })

  boundary = {
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "EcrToken"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid      = "PullTheImage"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = local.repository
      },
      {
        Sid      = "WriteTheLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = flatten([for g in local.log_groups : [g, "${g}:*"]])
      },
      {
        Sid      = "ReadTheSecret"
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = local.secret
      },
      {
        Sid      = "TheTable"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]
        Resource = [local.table, "${local.table}/index/*"]
      },
      {
        Sid      = "Traces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
    ], local.task_statements)
  }
}

output "deployer_policies" {
  description = "The deploying identity's policies, by part: name suffix => policy JSON."
  value       = local.deployer_json
}

output "boundary_policy" {
  description = "The permissions boundary of the stack's roles (JSON)."
  value       = local.boundary_json
}

output "task_policy" {
  description = "The application's extra permissions (task_role_statements) as a policy, or null without any."
  value       = local.task_json
}

output "policy_path" {
  description = "The IAM path of the boundary and the policies: the deployer may not edit what is under it."
  value       = local.policy_path
}

output "boundary_arn" {
  description = "ARN of the permissions boundary (the stack computes the same from its name)."
  value       = local.boundary_arn
}

output "task_policy_arn" {
  description = "ARN of the application's extra policy: the only policy the deployer may attach to the stack's roles."
  value       = local.task_arn
}

output "github_trust_policy" {
  description = "The CI role's trust policy (JSON): GitHub Actions' deploy job of github_repository, in github_environment, on github_ref; null without github_repository."
  value       = local.trust_json
}
