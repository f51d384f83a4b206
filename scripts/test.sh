#!/usr/bin/env bash
# The full test suite: `bash scripts/test.sh` (the README's test command; .ci/run calls it).
# Tests that use the system-wide pcscd start and stop it themselves and run one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --all-features --all-targets
cargo test --locked --all-features --doc
