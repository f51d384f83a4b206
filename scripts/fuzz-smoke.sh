#!/usr/bin/env bash
# Runs every fuzz target for a few seconds on stable (no sanitizer), seeded from fuzz/corpus/TARGET.
# Usage: scripts/fuzz-smoke.sh [SECONDS]   (a longer campaign: see fuzz/README.md)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-10}"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz@0.13.2
targets=$(cargo fuzz list)
cargo fuzz build -s none
fail=0
for t in $targets; do
  if [ -d "regressions/$t" ]; then
    # inputs that once crashed a target (kept as regression tests): each must now run clean
    if ! cargo fuzz run -s none "$t" regressions/"$t"/* >/dev/null 2>&1; then
      echo "fuzz $t: a regression input fails again" >&2; fail=1
    fi
  fi
  work=$(mktemp -d)
  cp -r "corpus/$t/." "$work/" 2>/dev/null || true
  log=$(mktemp)
  if cargo fuzz run -s none "$t" "$work" -- -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz $t: $(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$') runs in ${secs}s, no crash"
  else
    echo "fuzz $t: FAILED" >&2; tail -40 "$log" >&2; fail=1
  fi
  rm -rf "$work" "$log"
done
exit "$fail"
