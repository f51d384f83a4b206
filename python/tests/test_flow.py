"""The main job from Python, in process: issue a chip image, personalize a blank virtual chip with it, read it
back and verify it. Every verdict is the library's."""

from __future__ import annotations

from pathlib import Path

import pytest

import cccd
from conftest import TRANSPORT_KEY


def test_issue_writes_a_complete_folder_with_every_file(image_dir: Path) -> None:
    names = {p.name for p in image_dir.iterdir()}
    for f in ("EF.COM.bin", "EF.SOD.bin", "EF.CardAccess.bin", "DG1.bin", "DG2.bin", "DG13.bin", "DG14.bin", "DG15.bin"):
        assert f in names, f"{f} missing from {sorted(names)}"
    assert (image_dir / "secrets" / "can").is_file()


def test_issue_result_lists_the_files_it_wrote(tmp_path: Path, record: dict, photo: bytes, pki: Path) -> None:
    result = cccd.issue(record, photo, pki, tmp_path / "chip", face_bytes=12_000)
    assert isinstance(result, cccd.IssueResult)
    on_disk = {p.stem: p.stat().st_size for p in (tmp_path / "chip").glob("*.bin")}
    assert {f.file: f.length for f in result.files} == on_disk
    assert result.bytes == sum(on_disk.values())
    dg2 = next(f for f in result.files if f.file == "DG2")
    assert dg2.length < 12_000 + 200, "the face budget is honoured"


def test_issue_personalize_read_verify_is_genuine(image_dir: Path, pki: Path, can: str) -> None:
    chip = cccd.VirtualChip.blank(TRANSPORT_KEY)
    assert chip.life_cycle == "personalization"
    perso = cccd.personalize(chip, image_dir, transport_key=TRANSPORT_KEY)
    assert isinstance(perso, cccd.PersoResult)
    assert perso.locked and not perso.already_locked
    assert perso.bytes_written == sum(p.stat().st_size for p in image_dir.glob("*.bin"))
    assert perso.verdict is not None and perso.verdict.value == "genuine", perso.verdict
    assert chip.life_cycle == "operational"

    read = cccd.read(chip, can=can, trust=pki / "csca.pem")
    assert isinstance(read, cccd.ReadResult)
    assert read.verdict.value == "genuine", read.verdict
    assert read.genuine and not read.clone_suspected
    assert read.chip_authentication.status == "passed"
    assert read.active_authentication.status == "passed"
    assert read.access.startswith("PACE"), read.access
    assert read.holder.full_name == "Nguyễn Văn A"
    assert read.holder.id_number == "001099012345"
    # every file read is byte-identical to the image's
    for name, data in read.files.items():
        assert data == (image_dir / f"{name}.bin").read_bytes(), name

    verified = cccd.verify(image_dir, trust=pki / "csca.pem")
    assert isinstance(verified, cccd.VerifyResult)
    assert verified.verdict.value == "genuine" and verified.genuine
    verified.raise_unless_genuine()


def test_personalizing_again_finds_the_chip_locked_with_this_image(image_dir: Path) -> None:
    chip = cccd.VirtualChip.blank(TRANSPORT_KEY.hex())
    cccd.personalize(chip, image_dir, transport_key=TRANSPORT_KEY.hex())
    again = cccd.personalize(chip, image_dir, transport_key=TRANSPORT_KEY)
    assert again.locked and again.already_locked
    assert again.bytes_written == 0


def test_read_with_the_mrz_runs_pace_by_default_and_bac_when_asked(image_dir: Path, pki: Path, can: str) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    first = cccd.read(chip, can=can, trust=[pki / "csca.pem"])
    mrz = first.holder.mrz
    assert mrz and len(mrz.splitlines()) == 3, "a TD1 MRZ"
    chip.reset()
    pace = cccd.read(chip, mrz=mrz, trust=cccd.Trust(csca=[pki / "csca.pem"]))
    assert pace.access.startswith("PACE"), pace.access
    chip.reset()
    bac = cccd.read(chip, mrz=mrz, access="bac", trust=cccd.Trust(csca=[pki / "csca.pem"]))
    assert bac.access == "BAC"
    assert bac.verdict.value == "genuine", bac.verdict
    assert bac.files == first.files
    with pytest.raises(cccd.InvalidInput, match="BAC needs the MRZ"):
        cccd.read(chip, can=can, access="bac")


def test_a_python_transport_object_reads_the_chip(image_dir: Path, pki: Path, can: str) -> None:
    """Any object with transmit(bytes) -> bytes is a transport: here one that forwards to a virtual chip and
    counts, as a printer SDK's encoder would be wrapped."""

    class Forwarding:
        def __init__(self, chip: cccd.VirtualChip) -> None:
            self.chip, self.commands, self.resets = chip, 0, 0

        def transmit(self, apdu: bytes) -> bytes:
            assert isinstance(apdu, bytes)
            self.commands += 1
            return self.chip.transmit(apdu)

        def reset(self) -> None:
            self.resets += 1
            self.chip.reset()

    t = Forwarding(cccd.VirtualChip.from_image(image_dir))
    result = cccd.read(t, can=can, trust=pki / "csca.pem")
    assert result.verdict.value == "genuine", result.verdict
    assert t.commands > 10


def test_without_trust_the_chain_is_not_checked_and_it_is_not_genuine(image_dir: Path) -> None:
    result = cccd.verify(image_dir)
    assert result.verdict.value == "incomplete", result.verdict
    assert any("CSCA" in f.message for f in result.verdict.findings), result.verdict.findings
    assert not result.genuine
    with pytest.raises(cccd.VerificationError, match="incomplete"):
        result.raise_unless_genuine()


def test_the_jmrtd_applet_profile_end_to_end(tmp_path: Path, record: dict, photo: bytes, pki: Path) -> None:
    image = cccd.issue(record, photo, pki, tmp_path / "jmrtd", profile="jmrtd-applet").out_dir
    assert not (image / "DG14.bin").exists() and not (image / "EF.CardAccess.bin").exists()
    chip = cccd.VirtualChip.blank(profile="jmrtd-applet")
    perso = cccd.personalize(chip, image, profile="jmrtd-applet")
    assert perso.locked
    mrz_info = (image / "secrets" / "mrz_information").read_text().strip()
    assert len(mrz_info) == 24
    read = cccd.read(cccd.VirtualChip.from_image(image), mrz=_td1_first_lines(image), trust=pki / "csca.pem")
    assert read.access.startswith("BAC (PACE not offered"), read.access
    assert read.verdict.value == "genuine", read.verdict


def _td1_first_lines(image: Path) -> str:
    dg1 = cccd.inspect(image / "DG1.bin")
    lines = dg1.content["mrz"]["lines"]
    return "".join(lines[:2])


def test_reads_in_threads_run_side_by_side(image_dir: Path, pki: Path, can: str) -> None:
    """The library runs without the GIL (a Python transport takes it back for each APDU): reads through
    virtual chips and through Python transports in four threads all finish, each with its own verdict."""
    import threading

    class Forwarding:
        def __init__(self, chip: cccd.VirtualChip) -> None:
            self.chip = chip

        def transmit(self, apdu: bytes) -> bytes:
            return self.chip.transmit(apdu)

    transports = [cccd.VirtualChip.from_image(image_dir) for _ in range(2)]
    transports += [Forwarding(cccd.VirtualChip.from_image(image_dir)) for _ in range(2)]
    results: list = [None] * len(transports)

    def work(i: int) -> None:
        try:
            results[i] = cccd.read(transports[i], can=can, trust=pki / "csca.pem")
        except Exception as e:  # reported below
            results[i] = e

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(transports))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert all(isinstance(r, cccd.ReadResult) for r in results), results
    assert [r.verdict.value for r in results] == ["genuine"] * 4


def test_reprs_keep_personal_data_out(image_dir: Path, pki: Path, can: str, record: dict) -> None:
    """A result logged with its repr shows no name, ID number or date of birth."""
    result = cccd.read(cccd.VirtualChip.from_image(image_dir), can=can, trust=pki / "csca.pem")
    payload = cccd.qr_parse(cccd.qr_encode(record))
    for text in (repr(result), str(result), repr(result.holder), repr(payload)):
        for secret in (record["full_name"], record["id_number"], record["date_of_birth"], "NGUYEN", can):
            assert secret not in text, (secret, text)
    assert "full_name" in repr(result.holder) and "id_number" in repr(payload)


def test_personalize_reports_progress_and_a_failing_callback_does_not_stop_it(
    image_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    seen: list = []
    unraisable: list = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: unraisable.append(u.exc_value))

    def progress(step: str, file: object, written: int, total: int) -> None:
        seen.append((step, file, written, total))
        if len(seen) == 3:
            raise RuntimeError("a progress bar that breaks")

    chip = cccd.VirtualChip.blank(TRANSPORT_KEY)
    perso = cccd.personalize(chip, image_dir, transport_key=TRANSPORT_KEY, progress=progress)
    assert perso.locked
    steps = [s for s, *_ in seen]
    assert "write" in steps and steps[-1] == "done", steps
    total = sum(p.stat().st_size for p in image_dir.glob("*.bin"))
    assert all(t == total for *_, t in seen)
    written = [w for _, _, w, _ in seen]
    assert written == sorted(written) and written[-1] == total
    assert [str(e) for e in unraisable] == ["a progress bar that breaks"]
