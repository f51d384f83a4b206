"""Fixtures of the pytest suite: the CLI binary (an independent front end to compare with), a PKI folder made
by ``cccd pki init``, the sample record, a synthetic photo, and a chip image issued from Python.

The shared test vectors (``../shared/vectors`` beside the repository) must be there: the suite fails loudly
when they are missing. ``run-tests.sh`` builds the CLI and the wheel first.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

import cccd

PYTHON_DIR = Path(__file__).resolve().parent.parent
REPO = PYTHON_DIR.parent
VECTORS = Path(os.environ.get("CCCD_VECTORS", REPO.parent / "shared" / "vectors"))
RECORD = REPO / "examples" / "records" / "nguyen-van-a.json"
TRANSPORT_KEY = bytes(range(16))

if not (VECTORS / "README.md").is_file():
    raise RuntimeError(f"the shared test vectors are missing: {VECTORS} (tests need ../shared/vectors)")


def cli_path() -> Path:
    """The `cccd` binary (`CCCD_BIN`, else target/debug/cccd): built by run-tests.sh."""
    path = Path(os.environ.get("CCCD_BIN", REPO / "target" / "debug" / "cccd"))
    if not path.is_file():
        raise RuntimeError(f"the cccd binary is missing: {path} (cargo build --features pcsc --bin cccd)")
    return path


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs the CLI, its output as text."""
    out = subprocess.run([str(cli_path()), *args], capture_output=True, text=True, timeout=300)
    if check and out.returncode not in (0, 1):
        raise AssertionError(f"cccd {' '.join(args)} exited {out.returncode}: {out.stderr}{out.stdout}")
    return out


def png(width: int, height: int) -> bytes:
    """A portrait-like RGB PNG (an oval face on a gradient), written without any imaging library."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            dx, dy = (x - width / 2) / (width * 0.21), (y - height * 0.42) / (height * 0.23)
            if dx * dx + dy * dy < 1.0:
                row += bytes([220, 180, 150])
            else:
                row += bytes([(x * 255 // width) & 0xFF, 200, (y * 255 // height) & 0xFF])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.fixture(scope="session")
def record() -> dict:
    """The sample citizen record (examples/records/nguyen-van-a.json)."""
    return json.loads(RECORD.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def photo() -> bytes:
    """A 400×500 portrait PNG."""
    return png(400, 500)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test PKI folder made by the CLI (`cccd pki init`): csca.pem, ds.pem, ds.key, ..."""
    out = tmp_path_factory.mktemp("pki") / "pki"
    run_cli("pki", "init", "--out", str(out))
    assert (out / "ds.key").is_file() and (out / "csca.pem").is_file()
    return out


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory: pytest.TempPathFactory, record: dict, photo: bytes, pki: Path) -> Path:
    """A chip image folder issued from Python (read-only for the tests: copy it to change it)."""
    out = tmp_path_factory.mktemp("chip") / "chip"
    result = cccd.issue(record, photo, pki, out)
    assert result.out_dir == out
    return out


@pytest.fixture
def image_copy(tmp_path: Path, image_dir: Path) -> Path:
    """A copy of the issued image, to tamper with."""
    dst = tmp_path / "copy"
    shutil.copytree(image_dir, dst)
    return dst


@pytest.fixture(scope="session")
def can(image_dir: Path) -> str:
    """The issued chip's CAN (its image folder keeps it among the chip's secrets)."""
    for name in ("secrets/can.txt", "secrets/can"):
        path = image_dir / name
        if path.is_file():
            return path.read_text(encoding="ascii").strip()
    raise AssertionError(f"no CAN in {image_dir}/secrets: {sorted(p.name for p in (image_dir / 'secrets').iterdir())}")
