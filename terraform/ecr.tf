resource "aws_ecr_repository" "this" {
  name = var.name
  # A tag names one build forever: deploys and rollbacks are reproducible.
  image_tag_mutability = "IMMUTABLE"
  # make delete must leave nothing behind, images included.
  force_delete = true

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  # The first resource make deploy creates, and in every plan: the account and region checks
  # (placement.tf) live here, and on the secret, which make rotate-password plans on its own.
  lifecycle {
    precondition {
      condition     = local.placement_kept
      error_message = local.placement_error
    }
  }
}

# What expires, and why the images of the last two revisions never do. ECR applies the rules in
# priority order, and an image that matches a rule's tags can only be expired by that rule, never
# by a later one:
#   1. the tag the task definition runs (var.image_tag): the only image with that tag (tags are
#      immutable), so "more than 1" never holds and this rule never expires it, and the broader
#      rule 3 cannot touch it either, however many images are pushed after it;
#   2. the same for the tag the service ran before this apply (var.previous_image_tag, which make
#      deploy reads from the service): the revision ECS rolls back to when the new one fails,
#      whose image must still be there when its tasks are replaced or scaled out;
#   3. every other tagged image beyond the ecr_keep_images most recently pushed: what is left to
#      roll back to by hand (make deploy IMAGE_TAG=<tag>);
#   4. untagged images a day after their push: a BuildKit push also stores an untagged attestation
#      manifest, and a tagged image index refers to its platform manifests, untagged too. ECR does
#      not delete a manifest an index still refers to, so this only removes real leftovers.
locals {
  kept_image_tags = distinct(compact([var.image_tag, var.previous_image_tag]))
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = concat(
      [for i, tag in local.kept_image_tags : {
        rulePriority = i + 1
        description  = tag == var.image_tag ? "never expire the running image" : "never expire the image of the revision before"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = [tag]
          countType      = "imageCountMoreThan"
          countNumber    = 1
        }
        action = { type = "expire" }
      }],
      [
        {
          rulePriority = 3
          description  = "keep the last ${var.ecr_keep_images} tagged images"
          selection = {
            tagStatus      = "tagged"
            tagPatternList = ["*"]
            countType      = "imageCountMoreThan"
            countNumber    = var.ecr_keep_images
          }
          action = { type = "expire" }
        },
        {
          rulePriority = 4
          description  = "expire untagged images after a day"
          selection = {
            tagStatus   = "untagged"
            countType   = "sinceImagePushed"
            countUnit   = "days"
            countNumber = 1
          }
          action = { type = "expire" }
        },
      ],
    )
  })
}
