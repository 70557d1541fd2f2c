#!/usr/bin/env bash
# Ingestion benchmark: curtop vs DuckDB on the same CUR, as CSV.gz and as Parquet from several
# writers.
#
#   bash scripts/bench.sh [ROWS]      (default 2000000; run in release, outside CI)
#   CURTOP_ONLY=1 bash scripts/bench.sh 20000000    (curtop alone: scale and memory)
#
# Generates (once, cached under bench-data/) an hourly, wide (~155 columns) legacy CUR delivery
# of about ROWS line items as 4 gzip CSV parts, the same bill as Parquet in the Athena layout
# and in the CUR 2.0 layout (curtop's generator), and the Athena-layout Parquet rewritten by
# DuckDB and by pyarrow at their default settings (bench/rewrite_parquet.py: other row groups,
# encodings and types, as real exports have). Then times `curtop report` over each (wall time,
# peak RSS via /usr/bin/time) and DuckDB's equivalent aggregation (bench/duckdb_ingest.py) on
# the same files with the same threads, best of 3 each, curtop and DuckDB back to back; and the
# decompression bound of the CSV (examples/inflate_bound.rs: the parts inflated with curtop's
# library and threads, nothing parsed). DuckDB and pyarrow come from PyPI into .venv. Prints a
# Markdown table, and checks that every input gives the same `report -o json`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-2000000}
THREADS=$(nproc)
DATA=bench-data/gen-$ROWS
ONLY=${CURTOP_ONLY:-}

echo "== building curtop (release)" >&2
cargo build --release --quiet
cargo build --release --quiet --example inflate_bound
BIN=target/release/curtop
INFLATE=target/release/examples/inflate_bound
# The benchmark bill ends on a fixed date, so data generated on any day is the same bill.
AS_OF=2026-11-30

if [ -z "$ONLY" ] && { [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import duckdb, pyarrow' 2>/dev/null; }; then
  echo "== installing DuckDB and pyarrow into .venv" >&2
  python3 -m venv .venv
  .venv/bin/pip install --quiet 'duckdb>=2,<3' 'pyarrow>=20'
fi

gen() { # layout folder [extra args]
  local layout=$1 out=$2
  shift 2
  "$BIN" demo-data --as-of "$AS_OF" --out "$out" --bench-rows "$ROWS" --layout "$layout" "$@" >&2
}
if [ ! -f "$DATA/.done" ]; then
  echo "== generating $ROWS rows (csv.gz, parquet: legacy and CUR 2.0) into $DATA" >&2
  rm -rf "$DATA"
  gen legacy-csv-gz "$DATA/csv" --parts 4 --versioning overwrite
  gen legacy-parquet "$DATA/parquet"
  gen cur2-parquet "$DATA/cur2"
  touch "$DATA/.done"
fi
if [ -z "$ONLY" ]; then
  for w in duckdb pyarrow; do
    if [ ! -f "$DATA/.$w" ]; then
      echo "== rewriting the Athena-layout Parquet with $w" >&2
      .venv/bin/python bench/rewrite_parquet.py "$w" "$DATA/parquet" "$DATA/parquet-$w"
      touch "$DATA/.$w"
    fi
  done
fi

# Overwrite versioning: each period folder holds exactly its current parts, so a glob over
# them is the same data curtop reads through the manifests.
csv_parts=$(find "$DATA/csv" -name '*.csv.gz' | sort)
csv_bytes=$(cat $csv_parts | gzip -dc | wc -c)
rows=$(grep -o '"rows": *[0-9]*' "$DATA/parquet/truth.json" | head -1 | grep -o '[0-9]*$')

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

inflate() { # best of 3 wall seconds of inflating the CSV parts
  local best_t=999999
  for _ in 1 2 3; do
    local t
    read -r t _ < <($INFLATE "$THREADS" $csv_parts)
    if awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
  done
  echo "$best_t"
}

report() { "$BIN" report --no-cache --cur "$1" --window all --by cluster,namespace,pod -o json; }

fmt() { awk "BEGIN{printf \"%.2f\", $1}"; }
int() { awk "BEGIN{printf \"%.0f\", $1}"; }
mib() { int "$1/1024"; }

echo "== timing (best of 3, $THREADS threads)" >&2
# The same facts from every input: the hash of `report -o json`, equal for equal facts.
facts() { report "$1" | sha256sum | cut -c1-16; }

echo
echo "Generated hourly legacy CUR: $rows line items, $(fmt "$csv_bytes/1e9") GB CSV (4 gzip parts), $THREADS cores."
echo
if [ -n "$ONLY" ]; then
  echo "| input | time (s) | rows/s | peak RSS (MiB) |"
  echo "|---|---:|---:|---:|"
  for input in csv parquet cur2; do
    read -r t m <<<"$(best "$BIN" report --no-cache --cur "$DATA/$input" --window all --by cluster,namespace,pod -o json)"
    echo "| $input | $(fmt "$t") | $(int "$rows/$t") | $(mib "$m") |"
  done
  exit 0
fi

echo "| input | writer | curtop (s) | rows/s | peak RSS (MiB) | DuckDB (s) | DuckDB RSS (MiB) | curtop ÷ DuckDB | facts |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
row() { # label writer folder duck-kind duck-glob
  read -r t m <<<"$(best "$BIN" report --no-cache --cur "$3" --window all --by cluster,namespace,pod -o json)"
  read -r dt dm <<<"$(duck "$4" "$5")"
  echo "| $1 | $2 | $(fmt "$t") | $(int "$rows/$t") | $(mib "$m") | $(fmt "$dt") | $(mib "$dm") | $(fmt "$t/$dt") | $(facts "$3") |"
  LAST_T=$t
}
row CSV.gz "curtop" "$DATA/csv" csv "$DATA/csv/**/*.csv.gz"
csv_t=$LAST_T
row "Parquet (Athena)" curtop "$DATA/parquet" parquet "$DATA/parquet/**/month=*/*.parquet"
row "Parquet (Athena)" "DuckDB $(.venv/bin/python -c 'import duckdb; print(duckdb.__version__)')" "$DATA/parquet-duckdb" parquet "$DATA/parquet-duckdb/**/month=*/*.parquet"
row "Parquet (Athena)" "pyarrow $(.venv/bin/python -c 'import pyarrow; print(pyarrow.__version__)')" "$DATA/parquet-pyarrow" parquet "$DATA/parquet-pyarrow/**/month=*/*.parquet"
row "Parquet (CUR 2.0)" curtop "$DATA/cur2" cur2 "$DATA/cur2/**/*.parquet"
bound=$(inflate)
echo
echo "CSV decompression bound ($THREADS threads, flate2/zlib-rs, examples/inflate_bound.rs): $(fmt "$bound") s; curtop's CSV.gz read is $(fmt "$csv_t/$bound")× it."
