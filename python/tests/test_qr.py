"""The card's QR code from Python; zbarimg (zbar-tools) is the independent reader of the PNG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import cccd


def test_encode_then_parse_gives_the_record_back(record: dict) -> None:
    text = cccd.qr_encode(record)
    assert text.split("|")[0] == record["id_number"]
    p = cccd.qr_parse(text)
    assert isinstance(p, cccd.QrPayload)
    assert (p.layout, p.id_number, p.full_name, p.date_of_birth, p.sex) == (
        "2024",
        record["id_number"],
        record["full_name"],
        record["date_of_birth"],
        record["sex"],
    )
    assert p.date_of_issue == record["date_of_issue"]
    assert cccd.qr_parse(cccd.qr_encode(record, layout="2021")).layout == "2021"


def test_png_is_read_by_zbarimg_and_by_the_library(tmp_path: Path, record: dict) -> None:
    text = cccd.qr_encode(record)
    png = cccd.qr_png(text, module_px=6)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert cccd.qr_scan(png) == [text]
    if shutil.which("zbarimg") is None:
        pytest.fail("zbarimg (zbar-tools) is needed as the independent QR reader")
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    out = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode("utf-8").rstrip("\n") == text


def test_svg_is_svg(record: dict) -> None:
    svg = cccd.qr_svg(cccd.qr_encode(record))
    assert svg.lstrip().startswith("<") and "<svg" in svg


def test_a_malformed_payload_is_invalid_input() -> None:
    with pytest.raises(cccd.InvalidInput):
        cccd.qr_parse("001099012345|only two fields")
    with pytest.raises(cccd.InvalidInput):
        cccd.qr_encode('{"id_number": ')
    with pytest.raises(cccd.InvalidInput):
        cccd.qr_png("x", ec="Z")
