"""Verification from Python is the library's: the same document as `cccd verify --json` for the same image,
and a tampered image refused."""

from __future__ import annotations

import json
from pathlib import Path

import cccd
from conftest import run_cli


def test_verify_is_the_same_document_as_the_cli(image_dir: Path, pki: Path) -> None:
    csca = str(pki / "csca.pem")
    cli = run_cli("verify", str(image_dir), "--csca", csca, "--json")
    assert cli.returncode == 0, cli.stderr
    from_cli = json.loads(cli.stdout)
    from_python = cccd.verify(image_dir, trust=csca)
    assert from_python.document == from_cli
    assert from_cli["verdict"]["value"] == "genuine"
    assert from_python.verdict.value == from_cli["verdict"]["value"]


def test_a_tampered_image_is_the_same_refusal_from_both(image_copy: Path, pki: Path) -> None:
    dg13 = image_copy / "DG13.bin"
    data = bytearray(dg13.read_bytes())
    data[-1] ^= 0x01
    dg13.write_bytes(bytes(data))
    result = cccd.verify(image_copy, trust=pki / "csca.pem")
    assert result.verdict.value == "tampered", result.verdict
    assert not result.genuine
    assert any(f.severity == "error" for f in result.verdict.findings)
    cli = run_cli("verify", str(image_copy), "--csca", str(pki / "csca.pem"), "--json")
    assert cli.returncode == 1
    assert json.loads(cli.stdout) == result.document


def test_a_tampered_chip_is_refused_when_read(image_copy: Path, pki: Path, can: str) -> None:
    dg2 = image_copy / "DG2.bin"
    data = bytearray(dg2.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dg2.write_bytes(bytes(data))
    result = cccd.read(cccd.VirtualChip.from_image(image_copy), can=can, trust=pki / "csca.pem")
    assert result.verdict.value == "tampered", result.verdict
    assert result.passive_authentication["valid"] is False


def test_a_folder_of_files_only_is_incomplete(image_copy: Path, pki: Path) -> None:
    for secret in (image_copy / "secrets").iterdir():
        secret.unlink()
    result = cccd.verify(image_copy, trust=pki / "csca.pem")
    assert result.session == "files only"
    assert result.chip_authentication.status == "not_checked"
    assert result.verdict.value == "incomplete", result.verdict


def test_verify_checks_as_of_a_date(image_dir: Path, pki: Path) -> None:
    later = cccd.verify(image_dir, trust=pki / "csca.pem", at="2100-01-01")
    assert not later.genuine
    try:
        cccd.verify(image_dir, at="tomorrow")
    except cccd.InvalidInput as e:
        assert "YYYY-MM-DD" in str(e)
    else:
        raise AssertionError("a bad date was accepted")


def test_inspect_is_the_same_document_as_the_cli() -> None:
    from conftest import VECTORS

    for name in ("BSI2008_DG1.bin", "BSI2008_EF_SOD.bin", "BSI2008_DG14.bin"):
        path = VECTORS / "lds" / name
        cli = run_cli("inspect", str(path), "--json")
        assert cli.returncode == 0, cli.stderr
        [from_cli] = json.loads(cli.stdout)["files"]
        assert cccd.inspect(path).document == from_cli, name


def test_qr_payload_is_the_same_as_the_cli_decodes(record: dict) -> None:
    text = cccd.qr_encode(record)
    cli = run_cli("qr", "decode", "--text", text, "--json")
    assert cli.returncode == 0, cli.stderr
    doc = json.loads(cli.stdout)
    assert (doc["command"], doc["valid"]) == ("qr decode", True)
    [item] = doc["results"]
    p = cccd.qr_parse(text)
    assert {k: getattr(p, k) for k in item["payload"] if k not in ("old_id_number", "extra")} == {
        k: v for k, v in item["payload"].items() if k not in ("old_id_number", "extra")
    }
    assert p.old_id_number == (item["payload"]["old_id_number"] or None)
