#!/usr/bin/env bash
# The Python package's tests: builds the `cccd` binary (the CLI the tests compare with) and the wheel (maturin,
# into a venv), installs it with pytest and pyscard, runs the pytest suite, then the README's example.
#   bash python/run-tests.sh            (scripts/test.sh calls it; CI=true makes the PC/SC tests mandatory)
# The PC/SC tests (pytest -m pcsc) run under /tmp/cccd-pcsc.lock: pcscd and the vpcd ports are machine-wide
# (CCCD_PCSC_LOCKED=1 when the caller holds that lock already).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
venv=${CCCD_PY_VENV:-$repo/target/py-venv}
python=${PYTHON:-python3}

step() { printf '\n==> python: %s\n' "$*"; }

step "the cccd binary"
cargo build --locked --all-features --bin cccd
export CCCD_BIN=$repo/target/debug/cccd

step "venv with maturin, pytest, pyscard ($venv)"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin>=1.5,<2" "pytest>=7" "pyscard>=2" "mypy>=1.18"

step "the wheel (maturin, abi3)"
rm -rf "$repo/target/wheels"
# the dev profile: the tests' build shares the workspace's compiled dependencies (the README builds --release)
# --auditwheel skip: the wheel links the system libpcsclite (the one that speaks this pcscd's protocol), not a copy
"$venv/bin/maturin" build --locked --profile dev --strip --auditwheel skip -m python/Cargo.toml -o "$repo/target/wheels"
wheel=$(ls "$repo"/target/wheels/cccd-*-abi3-*.whl)
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"
# the installed wheel, not the sources, is what the tests import
installed=$(cd /tmp && "$venv/bin/python" -c 'import cccd, os; print(os.path.dirname(cccd.__file__))')
case "$installed" in "$venv"/*) ;; *) echo "cccd imports from $installed, not the wheel" >&2; exit 1 ;; esac
for f in py.typed _native.pyi __init__.py; do
  test -f "$installed/$f" || { echo "the wheel lacks cccd/$f" >&2; exit 1; }
done

step "types: the stubs against the extension module (mypy stubtest), the package and example (mypy --strict)"
(cd /tmp && "$venv/bin/python" -m mypy.stubtest cccd._native)
"$venv/bin/mypy" --strict --cache-dir "$repo/target/mypy-cache" python/cccd python/examples

if [ -n "${CI:-}" ]; then export CCCD_REQUIRE_PCSC=1; fi
run_pytest() {
  local code=0
  "$@" || code=$?
  if [ "$code" -eq 5 ]; then echo "pytest collected no test: $*" >&2; exit 1; fi
  if [ "$code" -ne 0 ]; then exit "$code"; fi
}

step "pytest (in process)"
run_pytest "$venv/bin/pytest" -q -p no:cacheprovider -m "not pcsc" python/tests

# the abi3 promise: the same wheel on the oldest CPython it supports, when this machine has one (pyenv)
py39=""
pyenv_39=""
if command -v pyenv >/dev/null; then pyenv_39=$(ls "$(pyenv root)"/versions/3.9*/bin/python3.9 2>/dev/null | tail -1 || true); fi
for candidate in "$pyenv_39" "$(command -v python3.9 || true)"; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 9)' 2>/dev/null; then
    py39=$candidate
    break
  fi
done
if [ -n "$py39" ]; then
  step "pytest (in process) on $("$py39" --version), the same abi3 wheel"
  [ -x "$repo/target/py39-venv/bin/python" ] || "$py39" -m venv "$repo/target/py39-venv"
  "$repo/target/py39-venv/bin/python" -m pip install -q --disable-pip-version-check "pytest>=7"
  "$repo/target/py39-venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"
  run_pytest "$repo/target/py39-venv/bin/pytest" -q -p no:cacheprovider -m "not pcsc" python/tests
else
  step "no CPython 3.9 on this machine: the wheel is tested on $("$venv/bin/python" --version) only"
fi

# CCCD_PCSC_LOCKED=1: the caller holds /tmp/cccd-pcsc.lock already (`flock /tmp/cccd-pcsc.lock env
# CCCD_PCSC_LOCKED=1 bash scripts/test.sh`); taking it again from here would wait for ourselves
if [ "${CCCD_PCSC_LOCKED:-}" = 1 ]; then
  step "pytest (through pcscd + vpcd; the caller holds /tmp/cccd-pcsc.lock)"
  run_pytest "$venv/bin/pytest" -q -p no:cacheprovider -m pcsc python/tests
else
  step "pytest (through pcscd + vpcd, under /tmp/cccd-pcsc.lock)"
  run_pytest flock /tmp/cccd-pcsc.lock "$venv/bin/pytest" -q -p no:cacheprovider -m pcsc python/tests
fi

step "the README's example (python/examples/verify_image.py)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CCCD_BIN" pki init --out "$work/pki" >/dev/null
"$CCCD_BIN" demo --out "$work/demo" >/dev/null
(cd "$work" && "$venv/bin/python" "$repo/python/examples/verify_image.py" pki "$repo/examples/records/nguyen-van-a.json" demo/face.jpg)
