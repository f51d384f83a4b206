"""`cccd.issue` with the Document Signer key in a real SoftHSM2 token: the PKI made by `cccd pki init --hsm-*`
(the key generated in the token, no ds.key), the image verifies as genuine, and a wrong PIN is refused with a
message that does not echo it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

import cccd
from conftest import cli_path

MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]


@pytest.fixture
def token() -> Iterator[str]:
    """A fresh SoftHSM2 token (user PIN 1234), deleted afterwards."""
    label = f"cccd-py-{os.getpid()}"
    out = subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "0000", "--pin", "1234"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, f"softhsm2-util (apt-get install softhsm2; .ci/run does it): {out.stderr}"
    try:
        yield label
    finally:
        subprocess.run(["softhsm2-util", "--delete-token", "--token", label], capture_output=True)


def test_issue_signs_with_the_key_in_softhsm2(tmp_path: Path, token: str, record: dict, photo: bytes) -> None:
    assert cccd.has_pkcs11()
    module = next((m for m in MODULES if Path(m).exists()), None)
    assert module, "SoftHSM2's PKCS#11 module must be installed"
    pki = tmp_path / "pki"
    env_pin = dict(os.environ, CCCD_HSM_PIN="1234")
    out = subprocess.run(
        [str(cli_path()), "pki", "init", "--out", str(pki), "--curve", "secp256r1"]
        + ["--hsm-module", module, "--hsm-token", token, "--hsm-key", "ds"],
        capture_output=True,
        text=True,
        env=env_pin,
    )
    assert out.returncode == 0, out.stderr
    assert not (pki / "ds.key").exists(), "the Document Signer key stays in the token"

    hsm = cccd.Hsm(module=module, token=token, key="ds", pin="1234")
    assert "1234" not in repr(hsm)
    chip = cccd.issue(record, photo, pki, tmp_path / "chip", hsm=hsm).out_dir
    verified = cccd.verify(chip, trust=pki / "csca.pem")
    assert verified.verdict.value == "genuine", verified.verdict

    with pytest.raises(cccd.InvalidInput) as e:
        cccd.issue(record, photo, pki, tmp_path / "chip-2", hsm=cccd.Hsm(module, token, "ds", "987654"))
    assert "987654" not in str(e.value) and str(e.value)
    assert not (tmp_path / "chip-2").exists()
    with pytest.raises(cccd.InvalidInput, match="ds.key"):
        cccd.issue(record, photo, pki, tmp_path / "chip-3")
