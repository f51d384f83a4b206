"""Through real pcscd and the vsmartcard-vpcd virtual reader: `cccd emulate` serves a blank chip, and a
pyscard connection is the transport that personalizes it and reads it back; and a `VirtualChip` served from
Python (`serve_vpcd`) read by its PC/SC reader name.

These tests need pcscd with the vpcd driver; they are skipped (saying why) only when pcscd is not reachable,
and fail instead when `CCCD_REQUIRE_PCSC=1` (run-tests.sh sets it in CI). Other users of pcscd on this
machine take `/tmp/cccd-pcsc.lock`; run-tests.sh runs these tests under it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Iterator, List

import pytest

import cccd
from conftest import TRANSPORT_KEY, cli_path

pytestmark = pytest.mark.pcsc

READER = "Virtual PCD 00 00"
READER_1 = "Virtual PCD 00 01"


def _readers() -> List[str]:
    from smartcard.System import readers  # pyscard

    return [str(r) for r in readers()]


@pytest.fixture(scope="module")
def pcscd() -> None:
    """pcscd with the vpcd readers, reachable through pyscard."""
    why = None
    try:
        names = _readers()
        if READER not in names:
            why = f"pcscd has no {READER!r} reader (vsmartcard-vpcd): {names}"
    except Exception as e:  # pyscard raises when pcscd is not running
        why = f"pcscd is not reachable: {e}"
    if why is not None:
        if os.environ.get("CCCD_REQUIRE_PCSC") == "1":
            pytest.fail(why)
        pytest.skip(why)


def _connect(reader_name: str, timeout: float = 15.0):
    """A pyscard connection to the card in `reader_name`, once there is one."""
    from smartcard.Exceptions import CardConnectionException, NoCardException
    from smartcard.System import readers

    deadline = time.monotonic() + timeout
    while True:
        reader = next(r for r in readers() if str(r) == reader_name)
        connection = reader.createConnection()
        try:
            connection.connect()
            return connection
        except (NoCardException, CardConnectionException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def emulator(tmp_path: Path, pcscd: None) -> Iterator[subprocess.Popen]:
    """`cccd emulate --blank` behind `Virtual PCD 00 00`, once pcscd took the card."""
    key_file = tmp_path / "transport.key"
    key_file.write_text(TRANSPORT_KEY.hex())
    key_file.chmod(0o600)
    proc = subprocess.Popen(
        [str(cli_path()), "emulate", "--blank", "--transport-key-file", str(key_file), "--port", "35963", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert json.loads(line)["event"] == "ready", line
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_pyscard_connection_personalizes_and_reads_through_pcscd(
    emulator: subprocess.Popen, image_dir: Path, pki: Path, can: str
) -> None:
    connection = _connect(READER)
    transport = cccd.PyscardTransport(connection)
    perso = cccd.personalize(transport, image_dir, transport_key=TRANSPORT_KEY)
    assert perso.locked and not perso.already_locked
    assert perso.verdict is not None and perso.verdict.value == "genuine", perso.verdict

    result = cccd.read(transport, can=can, trust=pki / "csca.pem")
    assert result.verdict.value == "genuine", result.verdict
    assert result.chip_authentication.status == "passed"
    assert result.active_authentication.status == "passed"
    for name, data in result.files.items():
        assert data == (image_dir / f"{name}.bin").read_bytes(), name
    # a pyscard connection given as it is gets the adapter
    again = cccd.read(connection, can=can, trust=pki / "csca.pem")
    assert again.verdict.value == "genuine"
    connection.disconnect()


def test_a_virtual_chip_served_from_python_is_read_by_its_reader_name(
    pcscd: None, image_dir: Path, pki: Path, can: str
) -> None:
    if not cccd.has_pcsc():
        pytest.fail("this build has no PC/SC support (feature pcsc)")
    chip = cccd.VirtualChip.from_image(image_dir)
    with chip.serve_vpcd(35964) as server:
        assert server.reader == READER_1 and server.running
        result = cccd.read(server.reader, can=can, trust=pki / "csca.pem", wait=15)
        assert result.verdict.value == "genuine", result.verdict
        assert result.files["DG2"] == (image_dir / "DG2.bin").read_bytes()
    assert not server.running


def test_a_card_pulled_behind_pcscd_is_card_removed(pcscd: None, image_dir: Path, can: str) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    chip.set_faults(drop_after=8)
    with chip.serve_vpcd(35964) as server:
        connection = _connect(server.reader)
        with pytest.raises(cccd.CardRemoved):
            cccd.read(cccd.PyscardTransport(connection), can=can)


def test_the_read_document_is_the_cli_read_document(pcscd: None, image_dir: Path, pki: Path, can: str) -> None:
    """`cccd read --json` and `cccd.read` on the same chip behind pcscd: every field of the library's read
    document (the CLI adds reader, timing and saved files) is the same."""
    chip = cccd.VirtualChip.from_image(image_dir)
    csca = str(pki / "csca.pem")
    with chip.serve_vpcd(35964) as server:
        cli = subprocess.run(
            [str(cli_path()), "read", "--reader", server.reader, "--can", can, "--csca", csca, "--no-save", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cli.returncode == 0, cli.stderr + cli.stdout
        from_cli = json.loads(cli.stdout)
        from_python = cccd.read(server.reader, can=can, trust=csca).document
    assert from_cli["verdict"]["value"] == "genuine"
    assert {k: from_cli.get(k) for k in from_python} == from_python
