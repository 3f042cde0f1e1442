# The service's Basic-auth credentials, as JSON {"username": ..., "password": ...}. ECS injects each
# key into the container through the task definition's `secrets` (never `environment`).
#
# Password generation with only the aws provider: the aws_secretsmanager_random_password data
# source returns a new value on every read, so its first value is captured in a terraform_data
# whose input changes are ignored; later plans keep that password. A password given in
# var.api_password always wins and is updated when it changes. Either way the password is in the
# state (as with any secret_string): protect the state file / bucket.

data "aws_secretsmanager_random_password" "api" {
  password_length     = 32
  exclude_punctuation = true # easy to paste into curl -u; 32 alphanumerics is ~190 bits
}

resource "terraform_data" "generated_password" {
  input = sensitive(data.aws_secretsmanager_random_password.api.random_password)

  lifecycle {
    ignore_changes = [input]
  }
}

resource "aws_secretsmanager_secret" "credentials" {
  name_prefix             = "${var.name}-credentials-"
  description             = "HTTP Basic-auth credentials of the ${var.name} service"
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "credentials" {
  secret_id = aws_secretsmanager_secret.credentials.id
  secret_string = jsonencode({
    username = var.api_username
    password = coalesce(var.api_password, terraform_data.generated_password.output)
  })
}
