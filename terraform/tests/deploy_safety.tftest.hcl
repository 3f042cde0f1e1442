# The roles' permissions boundary and the ECR rules that keep the last two revisions' images,
# applied in sequence on one state with a mocked provider (deploy_safety_real.tftest.hcl plans the
# same with the real one).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  image_tag = "abc1234-amd64"
}

run "roles_only_with_the_boundary" {
  assert {
    condition = alltrue([for r in [aws_iam_role.execution, aws_iam_role.task] :
      r.path == "/actors/" && r.permissions_boundary == "arn:aws:iam::123456789012:policy/actors/actors-boundary"
    ])
    error_message = "every role of the stack must live under /<name>/ with the boundary terraform/iam creates: the deployer may create no other"
  }
  assert {
    condition     = aws_iam_role.execution.name_prefix == "actors-exec-" && aws_iam_role.task.name_prefix == "actors-task-"
    error_message = "the roles' names must start with the stack's name"
  }
}

run "first_deploy_keeps_its_image" {
  assert {
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagPatternList if r.selection.countType == "imageCountMoreThan" && r.selection.countNumber == 1] == [["abc1234-amd64"]]
    error_message = "with no revision before it, only the running image has a rule that never expires it"
  }
}

run "second_deploy_keeps_both" {
  variables {
    image_tag          = "def5678-amd64"
    previous_image_tag = "abc1234-amd64"
  }

  assert {
    condition = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r if r.selection.countNumber == 1 && r.selection.countType == "imageCountMoreThan"] == [
      { rulePriority = 1, description = "never expire the running image", action = { type = "expire" }, selection = { tagStatus = "tagged", tagPatternList = ["def5678-amd64"], countType = "imageCountMoreThan", countNumber = 1 } },
      { rulePriority = 2, description = "never expire the image of the revision before", action = { type = "expire" }, selection = { tagStatus = "tagged", tagPatternList = ["abc1234-amd64"], countType = "imageCountMoreThan", countNumber = 1 } },
    ]
    error_message = "the new image and the one it replaces must each be claimed by a rule that never expires it"
  }
  assert {
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.rulePriority] == [1, 2, 3, 4] && jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[2].selection.tagPatternList == ["*"]
    error_message = "the two kept tags' rules must come before the rule that counts every other tagged image"
  }
}

run "after_a_rollback_the_running_image_stays" {
  # ECS rolled def5678 back to abc1234, which runs again; make deploy passes what runs as the
  # previous tag, so the next deploy keeps abc1234's image (not def5678's).
  variables {
    image_tag          = "0a1b2c3-amd64"
    previous_image_tag = "abc1234-amd64"
  }

  assert {
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagPatternList[0] if r.selection.countNumber == 1 && r.selection.countType == "imageCountMoreThan"] == ["0a1b2c3-amd64", "abc1234-amd64"]
    error_message = "the image that runs before the deploy must be kept, whatever was applied in between"
  }
}

run "redeploying_the_running_tag" {
  variables {
    image_tag          = "abc1234-amd64"
    previous_image_tag = "abc1234-amd64"
  }

  assert {
    condition     = length([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r if r.selection.countNumber == 1 && r.selection.countType == "imageCountMoreThan"]) == 1
    error_message = "one tag needs one rule (ECR refuses two rules with the same selection)"
  }
}

run "a_bad_previous_tag_is_refused" {
  command = plan

  variables {
    previous_image_tag = "-not-a-tag"
  }

  expect_failures = [var.previous_image_tag]
}
