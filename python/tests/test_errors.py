"""Bad input through the binding: malformed JSON, a truncated file, a transport that raises or answers
garbage, a wrong CAN or transport key, a pulled card, a panic. Each gives an exception of the right class with
a message, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cccd
from conftest import TRANSPORT_KEY, VECTORS, run_cli


def test_malformed_record_json_is_invalid_input(tmp_path: Path, photo: bytes, pki: Path) -> None:
    with pytest.raises(cccd.InvalidInput, match="not a citizen record") as e:
        cccd.issue('{"id_number": "0010990', photo, pki, tmp_path / "chip")
    assert isinstance(e.value, ValueError) and e.value.kind == "input"
    assert not (tmp_path / "chip").exists()


def test_every_problem_of_a_record_is_reported_at_once(tmp_path: Path, record: dict, photo: bytes, pki: Path) -> None:
    bad = dict(record, date_of_birth="1989-02-30", sex="X", favourite_colour="blue")
    with pytest.raises(cccd.InvalidInput) as e:
        cccd.issue(bad, photo, pki, tmp_path / "chip")
    message = str(e.value)
    for field in ("date_of_birth", "sex", "favourite_colour"):
        assert field in message, message
    problems = e.value.details["problems"]
    assert {p["field"] for p in problems if p["severity"] == "error"} >= {"date_of_birth", "sex", "favourite_colour"}
    assert all(p["code"] for p in problems)
    assert "1989-02-30" not in json.dumps(problems), "the values are never echoed"


def test_a_photo_that_is_no_image_is_invalid_input(tmp_path: Path, record: dict, pki: Path) -> None:
    with pytest.raises(cccd.InvalidInput, match="photo"):
        cccd.issue(record, b"GIF89a not really", pki, tmp_path / "chip")


def test_a_missing_pki_folder_is_invalid_input(tmp_path: Path, record: dict, photo: bytes) -> None:
    with pytest.raises(cccd.InvalidInput, match="ds.pem"):
        cccd.issue(record, photo, tmp_path / "nowhere", tmp_path / "chip")


def test_a_truncated_file_is_invalid_input_with_the_offset() -> None:
    whole = (VECTORS / "lds" / "BSI2008_DG1.bin").read_bytes()
    assert cccd.inspect(whole).file == "DG1"
    with pytest.raises(cccd.InvalidInput, match="offset") as e:
        cccd.inspect(whole[: len(whole) // 2])
    assert e.value.kind == "input"


def test_an_image_folder_with_a_truncated_file_is_invalid_input_as_in_the_cli(image_copy: Path, pki: Path) -> None:
    sod = image_copy / "EF.SOD.bin"
    sod.write_bytes(sod.read_bytes()[:100])
    with pytest.raises(cccd.InvalidInput, match="EF.SOD: malformed file header"):
        cccd.verify(image_copy, trust=pki / "csca.pem")
    cli = run_cli("verify", str(image_copy), "--csca", str(pki / "csca.pem"), "--json", check=False)
    assert cli.returncode == 2, "the CLI refuses the same input (exit 2)"
    assert json.loads(cli.stdout)["error"]["kind"] == "input"


def test_a_missing_image_folder_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(cccd.InvalidInput):
        cccd.verify(tmp_path / "nothing-here")


class Garbage:
    """A transport whose transmit answers `answer` (or raises it)."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def transmit(self, apdu: bytes) -> object:
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def test_a_transmit_that_raises_is_a_transport_error_chained_to_it(can: str) -> None:
    with pytest.raises(cccd.TransportError, match="raised") as e:
        cccd.read(Garbage(RuntimeError("printer encoder jammed")), can=can)
    assert isinstance(e.value.__cause__, RuntimeError)
    assert "printer encoder jammed" in str(e.value)


@pytest.mark.parametrize("answer", [b"", b"\x90", "9000", 9000, None, [0x90, 0x00]])
def test_a_transmit_that_returns_no_response_apdu_is_a_transport_error(answer: object, can: str) -> None:
    with pytest.raises(cccd.TransportError, match="transmit\\(\\) returned") as e:
        cccd.read(Garbage(answer), can=can)
    assert e.value.kind == "transport"


def test_a_transmit_that_answers_random_bytes_is_an_error_with_a_message(can: str) -> None:
    with pytest.raises(cccd.CccdError) as e:
        cccd.read(Garbage(bytes(range(37))), can=can)
    assert str(e.value)
    assert not isinstance(e.value, cccd.InternalError)


def test_a_transport_that_is_not_one_is_a_type_error(can: str) -> None:
    with pytest.raises(TypeError, match="transmit"):
        cccd.read(42, can=can)


def test_a_wrong_can_is_access_refused(image_dir: Path) -> None:
    with pytest.raises(cccd.AccessRefused) as e:
        cccd.read(cccd.VirtualChip.from_image(image_dir), can="000000")
    assert e.value.kind == "access_refused"


def test_a_can_that_is_not_six_digits_is_refused_before_any_apdu(image_dir: Path) -> None:
    class Counting(Garbage):
        calls = 0

        def transmit(self, apdu: bytes) -> object:
            Counting.calls += 1
            return b"\x90\x00"

    with pytest.raises(cccd.CccdError, match="6 digits"):
        cccd.read(Counting(None), can="12ab")
    assert Counting.calls == 0


def test_a_wrong_transport_key_is_access_refused(image_dir: Path) -> None:
    chip = cccd.VirtualChip.blank(TRANSPORT_KEY)
    with pytest.raises(cccd.AccessRefused) as e:
        cccd.personalize(chip, image_dir, transport_key=bytes(16))
    assert e.value.details["bytes_written"] == 0
    assert chip.life_cycle == "personalization"


def test_a_pulled_card_is_card_removed_and_personalization_resumes(image_dir: Path, pki: Path, can: str) -> None:
    chip = cccd.VirtualChip.blank(TRANSPORT_KEY)
    chip.set_faults("tear=2:10")
    with pytest.raises(cccd.CardRemoved) as e:
        cccd.personalize(chip, image_dir, transport_key=TRANSPORT_KEY)
    assert e.value.details["run_again"] is True
    assert e.value.details["locked"] is False
    assert e.value.details["bytes_written"] > 0
    chip.reset()
    done = cccd.personalize(chip, image_dir, transport_key=TRANSPORT_KEY)
    assert done.locked
    assert cccd.read(chip, can=can, trust=pki / "csca.pem").verdict.value == "genuine"


def test_a_card_pulled_during_a_read_is_card_removed(image_dir: Path, can: str) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    chip.set_faults(drop_after=12)
    with pytest.raises(cccd.CardRemoved):
        cccd.read(chip, can=can)
    assert chip.faults()["drop_after"] is None, "the fault fired"


def test_a_python_transport_may_say_the_card_left(can: str) -> None:
    with pytest.raises(cccd.CardRemoved):
        cccd.read(Garbage(cccd.CardRemoved("lifted off the encoder")), can=can)


def test_a_corrupted_answer_is_an_error_not_a_crash(image_dir: Path, can: str) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    chip.set_faults(corrupt_at=14)
    with pytest.raises(cccd.CccdError) as e:
        cccd.read(chip, can=can)
    assert not isinstance(e.value, cccd.InternalError), e.value


def test_a_rust_panic_is_an_internal_error() -> None:
    with pytest.raises(cccd.InternalError, match="internal error"):
        cccd._native._panic_for_tests()


def test_bad_fault_lists_and_keys_are_invalid_input() -> None:
    chip = cccd.VirtualChip.blank(TRANSPORT_KEY)
    with pytest.raises(cccd.InvalidInput):
        chip.set_faults("explode=3")
    with pytest.raises(cccd.InvalidInput, match="16 bytes"):
        cccd.VirtualChip.blank(b"short")
    with pytest.raises(cccd.InvalidInput, match="transport_key"):
        cccd.VirtualChip.blank()


def test_a_record_that_is_not_json_serializable_is_invalid_input(tmp_path: Path, photo: bytes, pki: Path) -> None:
    with pytest.raises(cccd.InvalidInput):
        cccd.issue({"id_number": object()}, photo, pki, tmp_path / "c")


def test_error_messages_carry_no_secret(image_dir: Path) -> None:
    can = (image_dir / "secrets" / "can").read_text().strip()
    wrong = "999999" if can != "999999" else "888888"
    with pytest.raises(cccd.AccessRefused) as e:
        cccd.read(cccd.VirtualChip.from_image(image_dir), can=wrong)
    assert wrong not in str(e.value) and can not in str(e.value)
    assert json.dumps(e.value.details).find(wrong) < 0


def test_a_reader_resumes_after_a_pulled_card_reading_nothing_twice(image_dir: Path, pki: Path, can: str) -> None:
    whole = cccd.Reader(can=can)
    assert whole.read(cccd.VirtualChip.from_image(image_dir), trust=pki / "csca.pem").genuine
    chip = cccd.VirtualChip.from_image(image_dir)
    chip.set_faults(drop_after=whole.apdus - 6)
    reader = cccd.Reader(can=can)
    with pytest.raises(cccd.CardRemoved):
        reader.read(chip, trust=pki / "csca.pem")
    partly = reader.bytes_read
    assert 0 < partly < whole.bytes_read
    chip.reset()
    resumed = reader.read(chip, trust=pki / "csca.pem")
    assert resumed.verdict.value == "genuine", resumed.verdict
    assert reader.bytes_read == whole.bytes_read, "no byte read twice"
    for name, data in resumed.files.items():
        assert data == (image_dir / f"{name}.bin").read_bytes(), name


def test_personalizing_a_tampered_image_is_a_verification_error_and_no_lock(image_copy: Path) -> None:
    dg13 = image_copy / "DG13.bin"
    data = bytearray(dg13.read_bytes())
    data[-1] ^= 0x01
    dg13.write_bytes(bytes(data))
    chip = cccd.VirtualChip.blank(TRANSPORT_KEY)
    with pytest.raises(cccd.VerificationError, match="chip not locked") as e:
        cccd.personalize(chip, image_copy, transport_key=TRANSPORT_KEY)
    assert e.value.details["locked"] is False
    assert chip.life_cycle == "personalization"
