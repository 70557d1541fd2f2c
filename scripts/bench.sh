#!/usr/bin/env bash
# Ingestion benchmark: curtop vs DuckDB on the same generated CUR files.
#
#   bash scripts/bench.sh [ROWS]      (default 2000000; run in release, outside CI)
#
# Generates (once, cached under bench-data/) an hourly, wide (~140 columns) legacy CUR delivery
# of about ROWS line items as 4 gzip CSV parts, and a Parquet copy in the Athena layout; then
# times `curtop report` over each (wall time, peak RSS via /usr/bin/time) and DuckDB's
# equivalent aggregation (bench/duckdb_ingest.py, installed into .venv from PyPI) on the same
# files with the same number of threads, and prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-2000000}
THREADS=$(nproc)
DATA=bench-data/gen-$ROWS

echo "== building curtop (release)" >&2
cargo build --release --quiet
BIN=target/release/curtop
# The benchmark bill ends on a fixed date, so data generated on any day is the same bill.
AS_OF=2026-11-30

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import duckdb' 2>/dev/null; then
  echo "== installing DuckDB into .venv" >&2
  python3 -m venv .venv
  .venv/bin/pip install --quiet 'duckdb>=2,<3'
fi

if [ ! -f "$DATA/.done" ]; then
  echo "== generating $ROWS rows (csv.gz + parquet) into $DATA" >&2
  rm -rf "$DATA"
  "$BIN" demo-data --as-of "$AS_OF" --out "$DATA/csv" --bench-rows "$ROWS" --layout legacy-csv-gz --parts 4 --versioning overwrite >&2
  "$BIN" demo-data --as-of "$AS_OF" --out "$DATA/parquet" --bench-rows "$ROWS" --layout legacy-parquet >&2
  touch "$DATA/.done"
fi

# Overwrite versioning: each period folder holds exactly its current parts, so a glob over
# them is the same data curtop reads through the manifests.
csv_glob="$DATA/csv/cur/curtop-demo/*/*.csv.gz"
pq_glob="$DATA/parquet/cur/curtop-demo/curtop-demo/*/*/*.parquet"
csv_bytes=$(cat $csv_glob | gzip -dc | wc -c)
rows=$(.venv/bin/python -c "import duckdb,sys; print(duckdb.sql(\"select count(*) from read_parquet('$pq_glob')\").fetchall()[0][0])")

# Runs a command 3 times; prints the best wall time (s) and its peak RSS (KiB).
best() {
  local best_t=999999 best_m=0 tmp
  tmp=$(mktemp)
  for _ in 1 2 3; do
    /usr/bin/time -o "$tmp" -f '%e %M' "$@" >/dev/null 2>&1
    local t m
    read -r t m < <(tail -1 "$tmp")
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  rm -f "$tmp"
  echo "$best_t $best_m"
}

duck() { # kind glob -> seconds (query only) and peak RSS of the process
  local best_t=999999 best_m=0
  for _ in 1 2 3; do
    local res
    res=$( { /usr/bin/time -f 'RSS %M' .venv/bin/python bench/duckdb_ingest.py "$1" "$2" "$THREADS"; } 2>&1 )
    local t m
    t=$(echo "$res" | grep '^{' | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
    m=$(echo "$res" | grep '^RSS' | awk '{print $2}')
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  echo "$best_t $best_m"
}

echo "== timing (best of 3, $THREADS threads)" >&2
read -r c_t c_m <<<"$(best "$BIN" report --cur "$DATA/csv" --window all --by cluster,namespace,pod -o json)"
read -r p_t p_m <<<"$(best "$BIN" report --cur "$DATA/parquet" --window all --by cluster,namespace,pod -o json)"
read -r dc_t dc_m <<<"$(duck csv "$csv_glob")"
read -r dp_t dp_m <<<"$(duck parquet "$pq_glob")"

fmt() { awk "BEGIN{printf \"%.2f\", $1}"; }
int() { awk "BEGIN{printf \"%.0f\", $1}"; }
echo
echo "Generated hourly legacy CUR: $rows line items, $(fmt "$csv_bytes/1e9") GB CSV (4 gzip parts), $THREADS cores."
echo
echo "| input | tool | time (s) | rows/s | MB/s (CSV, uncompressed) | peak RSS (MiB) | curtop ÷ DuckDB |"
echo "|---|---|---:|---:|---:|---:|---:|"
echo "| CSV.gz | curtop | $(fmt "$c_t") | $(int "$rows/$c_t") | $(int "$csv_bytes/1e6/$c_t") | $(int "$c_m/1024") | $(fmt "$c_t/$dc_t") |"
echo "| CSV.gz | DuckDB $(.venv/bin/python -c 'import duckdb; print(duckdb.__version__)') | $(fmt "$dc_t") | $(int "$rows/$dc_t") | $(int "$csv_bytes/1e6/$dc_t") | $(int "$dc_m/1024") | |"
echo "| Parquet | curtop | $(fmt "$p_t") | $(int "$rows/$p_t") | | $(int "$p_m/1024") | $(fmt "$p_t/$dp_t") |"
echo "| Parquet | DuckDB | $(fmt "$dp_t") | $(int "$rows/$dp_t") | | $(int "$dp_m/1024") | |"
