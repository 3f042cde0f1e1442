#!/usr/bin/env bash
# make credentials: the service's Basic-auth username and password, as the JSON stored in
# Secrets Manager ({"username": ..., "password": ...}).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform aws
load_outputs
region=$(tf_output region)
secret=$(tf_output secret_arn)
aws secretsmanager get-secret-value --region "$region" --secret-id "$secret" --query SecretString --output text
