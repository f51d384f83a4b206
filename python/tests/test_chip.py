"""The virtual chip from Python: raw APDUs, fault switches, life cycle."""

from __future__ import annotations

from pathlib import Path

import pytest

import cccd
from conftest import TRANSPORT_KEY

SELECT_EMRTD = bytes.fromhex("00A4040C07A0000002471001")
SELECT_CARD_ACCESS = bytes.fromhex("00A4020C02011C")


def test_raw_apdus_get_status_words(image_dir: Path) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    assert chip.life_cycle == "operational" and chip.profile == "open"
    assert chip.transmit(SELECT_EMRTD)[-2:] == b"\x90\x00"
    # DG1 (READ BINARY by SFI 01) needs access control first
    assert chip.transmit(bytes.fromhex("00B0810000"))[-2:] == b"\x69\x82"
    # a malformed command gets 6700, never an exception
    assert chip.transmit(b"\x00") == b"\x67\x00"
    assert not chip.is_authenticated


def test_ef_cardaccess_is_readable_without_access_control(image_dir: Path) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    assert chip.transmit(SELECT_CARD_ACCESS)[-2:] == b"\x90\x00"
    answer = chip.transmit(bytes.fromhex("00B0000000"))
    # Le = 00 asks for 256 bytes: the file is shorter, so 6282 (end of file reached) with all of it
    assert answer[-2:] in (b"\x90\x00", b"\x62\x82")
    assert answer[:-2] == (image_dir / "EF.CardAccess.bin").read_bytes()
    assert cccd.inspect(answer[:-2]).file == "EF.CardAccess"


def test_a_status_word_fault_answers_that_command_once(image_dir: Path) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    chip.set_faults(status_at=(1, 0x6A82))
    assert chip.transmit(SELECT_EMRTD)[-2:] == b"\x90\x00"
    assert chip.transmit(SELECT_EMRTD) == b"\x6a\x82"
    assert chip.transmit(SELECT_EMRTD)[-2:] == b"\x90\x00"
    assert chip.faults()["status_at"] is None


def test_a_dropped_card_raises_card_removed_until_reset(image_dir: Path) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    chip.set_faults("drop-after=1")
    chip.transmit(SELECT_EMRTD)
    with pytest.raises(cccd.CardRemoved):
        chip.transmit(SELECT_EMRTD)
    with pytest.raises(cccd.CardRemoved):
        chip.transmit(SELECT_EMRTD)
    chip.reset()
    assert chip.transmit(SELECT_EMRTD)[-2:] == b"\x90\x00"


def test_the_link_model_counts_time_and_bytes(image_dir: Path, can: str) -> None:
    chip = cccd.VirtualChip.from_image(image_dir)
    chip.set_faults(link="106k")
    cccd.read(chip, can=can)
    f = chip.faults()
    assert f["link_bytes"] > sum(p.stat().st_size for p in image_dir.glob("*.bin"))
    # 9 bits a byte at 106 kbit/s: at least the bytes' own time
    assert f["link_time_us"] >= f["link_bytes"] * 9 * 1_000_000 // 106_000


def test_a_chip_without_extended_length_is_read_with_short_apdus(image_dir: Path, can: str) -> None:
    chip = cccd.VirtualChip.from_image(image_dir, extended_length=False, atr_info=False)
    result = cccd.read(chip, can=can)
    assert result.extended_length is False
    assert result.files["DG2"] == (image_dir / "DG2.bin").read_bytes()


def test_a_blank_chip_has_no_file_before_personalization() -> None:
    chip = cccd.VirtualChip.blank(TRANSPORT_KEY)
    assert chip.life_cycle == "personalization"
    # the application is there, but no file yet: EF.COM (SFI 1E) and EF.CardAccess are not found
    assert chip.transmit(SELECT_EMRTD) == b"\x90\x00"
    assert chip.transmit(bytes.fromhex("00B09E0000")) == b"\x6a\x82"
    assert chip.transmit(SELECT_CARD_ACCESS) == b"\x6a\x82"


def test_unknown_profiles_are_refused(image_dir: Path) -> None:
    with pytest.raises(cccd.InvalidInput, match="profile"):
        cccd.VirtualChip.from_image(image_dir, profile="java-card")
