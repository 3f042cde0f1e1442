"""Checks the aws stub against the real AWS CLI v2 (scripts/test-deploy.sh's last case).

Reads the calls the stub recorded (STUB_RECORD: its arguments, the responses it answered
from, what it printed, its exit status), runs the real CLI with the same arguments, and feeds it
the same responses instead of calling AWS: botocore's before-call event (the hook botocore's own
Stubber uses) hands it each response as botocore would have parsed it from the wire, after
checking the document against the operation's output shape in the CLI's service model. Then
everything the scripts rely on is the real CLI's: --query, --output text, timestamps, waiters,
`ecr get-login-password`, `logs tail`, error messages and exit statuses. A recorded call without
credentials runs the CLI with none. It must print exactly what the stub printed.

Usage: python3 realcli.py RECORD.jsonl|-  (with Debian's awscli, the AWS CLI v2 from source)
"""

import json
import os
import sys
import tempfile
import time

# No credentials, configuration or network of the caller's: every call is answered here.
for name in list(os.environ):
    if name.startswith("AWS_"):
        del os.environ[name]
os.environ.update(
    AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_CONFIG_FILE="/dev/null",
    AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    AWS_EC2_METADATA_DISABLED="true",
    AWS_PAGER="",
    HTTPS_PROXY="http://127.0.0.1:9",
    HTTP_PROXY="http://127.0.0.1:9",
)

import awscli  # noqa: E402
import awscli.clidriver  # noqa: E402
from awscli.botocore.awsrequest import AWSResponse  # noqa: E402
from awscli.botocore.utils import parse_timestamp  # noqa: E402


class ShapeError(Exception):
    pass


def parsed(shape, value, path, timestamp):
    """The value as the CLI's botocore parses it for this shape, or ShapeError. timestamp is the
    parser the CLI sets for timestamps (ISO 8601 strings unless cli_timestamp_format says wire)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: want an object ({shape.name})")
        out = {}
        for key, member in value.items():
            if key not in shape.members:
                raise ShapeError(f"{path}.{key}: not a member of {shape.name}")
            out[key] = parsed(shape.members[key], member, f"{path}.{key}", timestamp)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise ShapeError(f"{path}: want a list ({shape.name})")
        return [parsed(shape.member, e, f"{path}[{i}]", timestamp) for i, e in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: want a map ({shape.name})")
        return {k: parsed(shape.value, v, f"{path}.{k}", timestamp) for k, v in value.items()}
    if kind == "timestamp":
        try:
            parse_timestamp(value)
        except (ValueError, TypeError) as e:
            raise ShapeError(f"{path}: not a timestamp: {value!r}") from e
        return timestamp(value)
    want = {
        "string": str,
        "boolean": bool,
        "integer": int,
        "long": int,
        "float": (int, float),
        "double": (int, float),
    }.get(kind)
    if want is None:
        raise ShapeError(f"{path}: a {kind}, which this check does not know")
    if not isinstance(value, want) or (kind != "boolean" and isinstance(value, bool)):
        raise ShapeError(f"{path}: want a {kind}, got {value!r}")
    return value


def run_cli(record):
    """Runs the real CLI on one recorded call: its exit status, stdout and stderr, and what was
    wrong with the responses."""
    responses = list(record["responses"])
    no_credentials = any(r.get("no_credentials") for r in responses)
    saved = dict(os.environ)
    if no_credentials:
        del os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    config = None
    if record.get("config") is not None:
        config = tempfile.NamedTemporaryFile("w", suffix=".config")
        config.write(f"[default]\nregion = {record['config']}\n")
        config.flush()
        os.environ["AWS_CONFIG_FILE"] = config.name
    driver = awscli.clidriver.create_clidriver()
    problems = []

    def before_call(model, **_):
        # The stub answered one API call; a waiter or logs tail --follow asks it again.
        r = responses[0]
        if r["operation"] != model.name:
            problems.append(f"the CLI calls {model.name}, the stub answered as {r['operation']}")
        if r.get("error_code"):
            body = {"Error": {"Code": r["error_code"], "Message": r["error_message"]},
                    "ResponseMetadata": {"HTTPStatusCode": 400}}
            return AWSResponse("https://aws.invalid/", 400, {}, None), body
        factory = driver.session.get_component("response_parser_factory")
        timestamp = factory._defaults.get("timestamp_parser", parse_timestamp)
        try:
            body = parsed(model.output_shape, r["document"], model.name, timestamp)
        except ShapeError as e:
            problems.append(f"the response is not shaped like {model.name}'s: {e}")
            body = r["document"]
        body["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return AWSResponse("https://aws.invalid/", 200, {}, None), body

    if not no_credentials and responses:
        driver.session.register("before-call", before_call)

    # The CLI sleeps between polls: a waiter up to 40 times, logs tail --follow until
    # interrupted (as Ctrl-C does, which ends it cleanly).
    sleeps = [0]

    def sleep(_):
        sleeps[0] += 1
        if sleeps[0] > 50:
            raise KeyboardInterrupt

    real_sleep, time.sleep = time.sleep, sleep
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds = os.dup(1), os.dup(2)
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    try:
        status = driver.main(list(record["args"]))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in saved_fds:
            os.close(fd)
        time.sleep = real_sleep
        os.environ.clear()
        os.environ.update(saved)
        if config:
            config.close()
    out.seek(0)
    err.seek(0)
    return status, out.read().decode(), err.read().decode(), problems


def same_output(args, got, want):
    """--output json is compared as JSON: the order of an object's keys follows the service's
    response, which a fixture cannot know, and the scripts never read it."""
    if got == want:
        return True
    if "--output" in args and args.index("--output") + 1 < len(args) and args[args.index("--output") + 1] != "json":
        return False
    try:
        return json.loads(got) == json.loads(want)
    except ValueError:
        return False


def main():
    version = getattr(awscli, "__version__", "")
    if not version.startswith("2."):
        print(f"realcli: the awscli module is {version or 'unknown'}, not the AWS CLI v2", file=sys.stderr)
        return 2
    seen, failures, checked = set(), 0, 0
    with (sys.stdin if sys.argv[1] == "-" else open(sys.argv[1])) as f:
        for line in f:
            record = json.loads(line)
            key = json.dumps([record["args"], record["responses"], record.get("config")], sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            checked += 1
            status, stdout, stderr, problems = run_cli(record)
            if status != record["status"]:
                problems.append(f"exit status {status}, the stub's {record['status']}")
            if not same_output(record["args"], stdout, record["stdout"]):
                problems.append(f"stdout {stdout!r}, the stub's {record['stdout']!r}")
            if stderr.strip() != record["stderr"].strip():
                problems.append(f"stderr {stderr.strip()!r}, the stub's {record['stderr'].strip()!r}")
            if problems:
                failures += 1
                print("aws " + " ".join(record["args"]), file=sys.stderr)
                for p in problems:
                    print("  " + p, file=sys.stderr)
    print(f"realcli: {checked} distinct calls checked against aws-cli {version}, {failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
