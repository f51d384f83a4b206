#!/usr/bin/env bash
# The full test suite: `bash scripts/test.sh` (the README's test command; .ci/run calls it).
# The PC/SC tests talk to the vsmartcard-vpcd virtual readers through the system-wide pcscd: this script starts
# pcscd when none runs (and stops only the one it started); those tests run one at a time inside their test file.
set -euo pipefail
cd "$(dirname "$0")/.."

pcscd_pid=""
stop_pcscd() { if [ -n "$pcscd_pid" ]; then kill "$pcscd_pid" 2>/dev/null || true; wait "$pcscd_pid" 2>/dev/null || true; fi; }
trap stop_pcscd EXIT
if command -v pcscd >/dev/null && ! pgrep -x pcscd >/dev/null; then
  pcscd --foreground >"${TMPDIR:-/tmp}/cccd-pcscd.log" 2>&1 &
  pcscd_pid=$!
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
fi

cargo test --locked --all-features --all-targets
cargo test --locked --all-features --doc
# the C ABI: its Rust tests (same documents as `cccd verify --json` and `cccd read --json`, SoftHSM2, pcscd), then
# the C example and test
cargo test --locked -p cccd-ffi --all-features --all-targets
bash ffi/run-c-tests.sh
# the Python package (python/): the wheel built with maturin, its pytest suite (in process and through pcscd), the
# README's example
bash python/run-tests.sh
