# The service's Basic-auth credentials, as JSON {"username": ..., "password": ...}. ECS injects each
# key into the container through the task definition's `secrets` (never `environment`).
#
# The password lives in terraform_data.password, chosen once when it is created and then kept
# (ignore_changes: the generator below returns a new value on every read):
#   - var.api_password when given; changing it replaces terraform_data.password with the new one;
#   - else a generated one (only the aws provider: no random provider to install);
#   - make rotate-password replaces it (-replace=terraform_data.password), with the new password in
#     TF_VAR_rotate_password. Terraform stays the one writer of the secret, so no later apply
#     undoes a rotation.
# Either way the password is in the state (as with any secret_string): protect the state file / bucket.

data "aws_secretsmanager_random_password" "api" {
  password_length     = 32
  exclude_punctuation = true # easy to paste into curl -u; 32 alphanumerics is ~190 bits
}

# What api_password was (as a hash): when it changes, terraform_data.password is replaced.
resource "terraform_data" "api_password" {
  input = var.api_password == null ? null : sha256(var.api_password)
}

resource "terraform_data" "password" {
  input = sensitive(coalesce(var.rotate_password, var.api_password, data.aws_secretsmanager_random_password.api.random_password))

  lifecycle {
    ignore_changes       = [input]
    replace_triggered_by = [terraform_data.api_password]
  }
}

resource "aws_secretsmanager_secret" "credentials" {
  name_prefix             = "${var.name}-credentials-"
  description             = "HTTP Basic-auth credentials of the ${var.name} service"
  recovery_window_in_days = var.secret_recovery_window_days

  lifecycle {
    precondition {
      condition     = local.placement_kept
      error_message = local.placement_error
    }
  }
}

resource "aws_secretsmanager_secret_version" "credentials" {
  secret_id = aws_secretsmanager_secret.credentials.id
  secret_string = jsonencode({
    username = var.api_username
    password = terraform_data.password.output
  })
}
