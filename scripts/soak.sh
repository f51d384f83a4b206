#!/usr/bin/env bash
# Soak: `bash scripts/soak.sh [READS] [PERSOS]` (default 1000 and 200) — read sessions and personalizations
# through a real pcscd + vsmartcard-vpcd, every result checked, memory compared at start and end.
# Starts pcscd when none runs (and stops only the one it started).
set -euo pipefail
cd "$(dirname "$0")/.."
pcscd_pid=""
stop_pcscd() { if [ -n "$pcscd_pid" ]; then kill "$pcscd_pid" 2>/dev/null || true; wait "$pcscd_pid" 2>/dev/null || true; fi; }
trap stop_pcscd EXIT
if ! pgrep -x pcscd >/dev/null; then
  pcscd --foreground >"${TMPDIR:-/tmp}/cccd-soak-pcscd.log" 2>&1 &
  pcscd_pid=$!
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
fi
cargo run --locked --release --features pcsc --example soak -- "${1:-1000}" "${2:-200}"
