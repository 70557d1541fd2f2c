#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls exactly this):
# format check, clippy with warnings as errors, then every unit, integration and doc test.
# Installs what the tests need into target/test-venv (moto's server and DuckDB, from PyPI) and
# starts two local S3/Athena servers on free loopback ports (one enforcing IAM) for the S3 and
# Athena source tests; stops them on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

echo "== local S3/Athena servers (moto) and DuckDB"
VENV=target/test-venv
mkdir -p target
if ! "$VENV/bin/python" -c 'import moto.server, duckdb, pyarrow' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'moto[server]>=5,<6' 'duckdb>=1.1' 'pyarrow>=20'
fi
# DuckDB runs curtop's Athena SQL over the same Parquet files (tests/athena_sql.rs); DuckDB
# and pyarrow write the Parquet of tests/parquet_writers.rs.
export CURTOP_TEST_PYTHON="$PWD/$VENV/bin/python"
free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {
  "$VENV/bin/python" - "$1" <<'PY'
import socket, sys, time
deadline = time.time() + 30
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("moto_server did not start; see target/moto*.log")
        time.sleep(0.05)
PY
}
PORT=$(free_port)
# moto's server, with Athena's result paging and injectable query outcomes (see the script).
"$VENV/bin/python" scripts/moto_server.py -H 127.0.0.1 -p "$PORT" > target/moto.log 2>&1 &
MOTO_PID=$!
# A second server that enforces IAM, for a real 403 (the first five calls, the setup, are free).
AUTH_PORT=$(free_port)
INITIAL_NO_AUTH_ACTION_COUNT=5 "$VENV/bin/python" scripts/moto_server.py -H 127.0.0.1 -p "$AUTH_PORT" > target/moto-auth.log 2>&1 &
AUTH_PID=$!
# Fault injection on the wire in front of the first server (S3 and Athena): resets mid-object or
# mid-page, 503 SlowDown, ThrottlingException, stalls past the timeout, armed per request by the
# tests (tests/faults.rs; see the script).
PROXY_PORT=$(free_port)
"$VENV/bin/python" scripts/fault_proxy.py "http://127.0.0.1:$PORT" "$PROXY_PORT" > target/fault-proxy.log 2>&1 &
PROXY_PID=$!
trap 'kill "$MOTO_PID" "$AUTH_PID" "$PROXY_PID" 2>/dev/null || true' EXIT
wait_for "$PORT"
wait_for "$AUTH_PORT"
wait_for "$PROXY_PORT"
DENIED=$("$VENV/bin/python" scripts/moto_denied_setup.py "http://127.0.0.1:$AUTH_PORT")
read -r DENIED_ID DENIED_SECRET <<< "$DENIED"
export CURTOP_TEST_S3_ENDPOINT="http://127.0.0.1:$PORT"
export CURTOP_TEST_S3_AUTH_ENDPOINT="http://127.0.0.1:$AUTH_PORT"
export CURTOP_TEST_FAULT_PROXY="http://127.0.0.1:$PROXY_PORT"
export CURTOP_TEST_S3_DENIED_ID="$DENIED_ID" CURTOP_TEST_S3_DENIED_SECRET="$DENIED_SECRET"
# Fake credentials for the fake server (the tests check they never appear in any output).
export AWS_ACCESS_KEY_ID=testing-key-id AWS_SECRET_ACCESS_KEY=testing-secret AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true

# The facts cache of every binary the tests run: a fresh folder, never the user's.
export XDG_CACHE_HOME="$PWD/target/test-cache"
rm -rf "$XDG_CACHE_HOME"

echo "== cargo test"
cargo test --all-targets --quiet 2>&1 | tee target/test-output.txt
# Doc tests run separately (--all-targets skips them).
cargo test --doc --quiet
