#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls exactly this):
# format check, clippy with warnings as errors, then every unit, integration and doc test.
# Needs only the Rust toolchain; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

echo "== cargo test"
cargo test --all-targets --quiet 2>&1 | tee target/test-output.txt
# Doc tests run separately (--all-targets skips them).
cargo test --doc --quiet
