#!/usr/bin/env bash
# S3 transfer benchmark: the same generated CUR read from a local S3 server and from disk.
#
#   bash scripts/bench_s3.sh [ROWS]   (default 2000000; run in release, outside CI)
#
# Uses the delivery scripts/bench.sh generates (bench-data/gen-ROWS, generated here if absent),
# uploads it to moto's S3 server on a loopback port (target/test-venv, as the test script
# installs it), and times `curtop report` over s3:// against the same command over the folder
# (best of 3 each, wall time and peak RSS). The ratio is what S3 costs on top of parsing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-2000000}
DATA=bench-data/gen-$ROWS
VENV=target/test-venv

echo "== building curtop (release)" >&2
cargo build --release --quiet
BIN=target/release/curtop
# The benchmark bill ends on a fixed date, so data generated on any day is the same bill.
AS_OF=2026-11-30

if [ ! -f "$DATA/.done" ]; then
  echo "== generating $ROWS rows (csv.gz + parquet) into $DATA" >&2
  rm -rf "$DATA"
  "$BIN" demo-data --as-of "$AS_OF" --out "$DATA/csv" --bench-rows "$ROWS" --layout legacy-csv-gz --parts 4 --versioning overwrite >&2
  "$BIN" demo-data --as-of "$AS_OF" --out "$DATA/parquet" --bench-rows "$ROWS" --layout legacy-parquet >&2
  touch "$DATA/.done"
fi

if ! "$VENV/bin/python" -c 'import moto.server' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'moto[server]>=5,<6'
fi
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" > target/moto-bench.log 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_EC2_METADATA_DISABLED=true

echo "== uploading $DATA to the local S3 server" >&2
"$VENV/bin/python" - "$AWS_ENDPOINT_URL" "$DATA" <<'PY'
import os, sys, time
import boto3
endpoint, data = sys.argv[1], sys.argv[2]
for _ in range(100):
    try:
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.list_buckets()
        break
    except Exception:
        time.sleep(0.1)
for kind in ("csv", "parquet"):
    bucket = f"bench-{kind}"
    s3.create_bucket(Bucket=bucket)
    root = os.path.join(data, kind)
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            key = os.path.relpath(path, root)
            if key == "truth.json":
                continue
            s3.upload_file(path, bucket, key)
PY

best() {
  local best_t=999999 best_m=0 tmp
  tmp=$(mktemp)
  for _ in 1 2 3; do
    /usr/bin/time -o "$tmp" -f '%e %M' "$@" >/dev/null 2>&1 || { cat "$tmp" >&2; "$@" >&2; exit 1; }
    local t m
    read -r t m < <(tail -1 "$tmp")
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  rm -f "$tmp"
  echo "$best_t $best_m"
}

echo "== timing (best of 3)" >&2
args=(report --window all --by cluster,namespace,pod -o json)
read -r dc_t dc_m <<<"$(best "$BIN" "${args[@]}" --cur "$DATA/csv")"
read -r sc_t sc_m <<<"$(best "$BIN" "${args[@]}" --cur s3://bench-csv/cur/curtop-demo)"
read -r dp_t dp_m <<<"$(best "$BIN" "${args[@]}" --cur "$DATA/parquet")"
read -r sp_t sp_m <<<"$(best "$BIN" "${args[@]}" --cur s3://bench-parquet/cur/curtop-demo)"
# Same facts either way.
cmp <("$BIN" "${args[@]}" --cur "$DATA/csv") <("$BIN" "${args[@]}" --cur s3://bench-csv/cur/curtop-demo) >/dev/null \
  || { echo "S3 and disk reads of the CSV differ" >&2; exit 1; }
cmp <("$BIN" "${args[@]}" --cur "$DATA/parquet") <("$BIN" "${args[@]}" --cur s3://bench-parquet/cur/curtop-demo) >/dev/null \
  || { echo "S3 and disk reads of the Parquet differ" >&2; exit 1; }

fmt() { awk "BEGIN{printf \"%.2f\", $1}"; }
int() { awk "BEGIN{printf \"%.0f\", $1}"; }
csv_mb=$(du -sm "$DATA/csv/cur" | cut -f1)
pq_mb=$(du -sm "$DATA/parquet/cur" | cut -f1)
echo
echo "Generated hourly legacy CUR, $ROWS line items; local S3 = moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)') on 127.0.0.1, $(nproc) cores."
echo
echo "| input | from | time (s) | peak RSS (MiB) | S3 ÷ disk |"
echo "|---|---|---:|---:|---:|"
echo "| CSV.gz, ${csv_mb} MB | disk | $(fmt "$dc_t") | $(int "$dc_m/1024") | |"
echo "| CSV.gz, ${csv_mb} MB | S3 | $(fmt "$sc_t") | $(int "$sc_m/1024") | $(fmt "$sc_t/$dc_t") |"
echo "| Parquet, ${pq_mb} MB | disk | $(fmt "$dp_t") | $(int "$dp_m/1024") | |"
echo "| Parquet, ${pq_mb} MB | S3 | $(fmt "$sp_t") | $(int "$sp_m/1024") | $(fmt "$sp_t/$dp_t") |"
