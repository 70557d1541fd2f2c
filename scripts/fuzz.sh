#!/usr/bin/env bash
# Usage: scripts/fuzz.sh SECONDS [TARGET...]
# Runs each cargo-fuzz target of fuzz/ (all of them unless named) for SECONDS, one process at a
# time, each from a corpus seeded with the real samples (../shared/cur-samples), generated demo
# deliveries (`curtop demo-data`), the config fixtures and the `:` commands; then prints one line
# per target: executions, crashes (a crash's input is in fuzz/artifacts/TARGET/).
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(csv_part parquet_part manifest config_toml command_line)
fi
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}

CORPUS=fuzz/corpus
SEEDS=target/fuzz-seeds
if [ ! -d "$SEEDS" ]; then
  echo "== seeding corpora (demo-data, samples, fixtures)"
  cargo build --quiet --bin curtop
  for layout in legacy-csv legacy-csv-gz legacy-csv-zip legacy-parquet cur2-parquet cur2-csv-gz; do
    target/debug/curtop demo-data --out "$SEEDS/$layout" --layout "$layout" --days 3 \
      --as-of 2026-03-15 > /dev/null
  done
fi
seed() { # seed TARGET PREFIX_BYTE FILES...: each file a corpus entry (after an optional prefix byte)
  local t=$1 prefix=$2 f
  shift 2
  mkdir -p "$CORPUS/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local out
    out="$CORPUS/$t/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
    if [ -n "$prefix" ]; then
      { printf "\\x$prefix"; head -c 200000 "$f"; } > "$out"
    else
      head -c 1000000 "$f" > "$out"
    fi
  done
}
# csv_part: the first byte picks the compression (0 plain, 1 gzip, 2 zip).
seed csv_part 00 ../shared/cur-samples/*.csv $(find "$SEEDS" -name '*.csv' | head -4)
seed csv_part 01 $(find "$SEEDS" -name '*.csv.gz' | head -4)
seed csv_part 02 $(find "$SEEDS" -name '*.csv.zip' -o -name '*.zip' | head -2)
seed parquet_part "" $(find "$SEEDS" -name '*.parquet' | head -6)
seed manifest "" $(find "$SEEDS" -name '*Manifest.json' | head -8)
seed config_toml "" config/*.toml tests/fixtures/config/valid/*.toml tests/fixtures/config/invalid/*.toml
mkdir -p "$CORPUS/command_line"
i=0
for line in "ns payments" "cluster prod-eks" "window 2026-03" "window 2026-02-01..2026-03-01" \
  "window all" "metric unblended" "profile demo" "q" "ns" ":ns  x y"; do
  i=$((i + 1))
  printf '%s' "$line" > "$CORPUS/command_line/seed-$i"
done

echo "== building the targets"
# No AddressSanitizer (`-s none`): the crate forbids unsafe code, what fuzzing looks for here is
# panics, overflows, hangs and memory blow-ups; ASAN with one codegen unit makes the first build
# of the AWS SDK and Arrow take the better part of an hour on 2 cores. No `-O`: cargo-fuzz's
# default is an optimised build WITH debug assertions and overflow checks (`-O` turns them off).
cargo +nightly fuzz build -s none > target/fuzz-build.log 2>&1 || { tail -30 target/fuzz-build.log; exit 1; }

printf '%-14s %12s %8s\n' TARGET EXECUTIONS CRASHES > target/fuzz-summary.txt
for t in "${TARGETS[@]}"; do
  echo "== $t: ${SECONDS_EACH}s"
  log="target/fuzz-$t.log"
  # One process (the machine is shared); a crash stops the target and leaves its input.
  cargo +nightly fuzz run -s none "$t" "$CORPUS/$t" -- \
    -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
    > "$log" 2>&1 || true
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "fuzz/artifacts/$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) 2>/dev/null | wc -l)
  printf '%-14s %12s %8s\n' "$t" "${runs:-?}" "$crashes" >> target/fuzz-summary.txt
done
echo "== summary (${SECONDS_EACH}s per target; logs in target/fuzz-TARGET.log)"
cat target/fuzz-summary.txt
