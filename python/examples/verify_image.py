"""Issue a chip image, personalize a blank virtual chip with it, read it back and verify, from Python.

    python verify_image.py PKI_DIR RECORD.json PHOTO

PKI_DIR is a folder made by `cccd pki init`; the chip image goes to a temporary folder. Prints the verdicts
(the library's) and exits 0 only when the image and the chip read back are genuine.
"""

import sys
import tempfile
from pathlib import Path

import cccd


def main(pki: Path, record: Path, photo: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        issued = cccd.issue(record, photo, pki, Path(tmp) / "chip")
        print(f"issued {issued.out_dir.name}: {len(issued.files)} files, {issued.bytes} bytes")
        for warning in issued.warnings:
            print(f"  warning: {warning}")

        # the image folder, verified as `cccd verify --json` does
        verified = cccd.verify(issued.out_dir, trust=pki / "csca.pem")
        print(f"verify: {verified.verdict.value} - {verified.verdict.summary}")

        # a blank virtual chip (any transport works: a PC/SC reader name, cccd.PyscardTransport(connection))
        key = bytes(range(16))
        chip = cccd.VirtualChip.blank(key)
        perso = cccd.personalize(chip, issued.out_dir, transport_key=key)
        print(f"personalized: locked={perso.locked}, {perso.bytes_written} bytes in {perso.apdus} APDUs")

        can = (issued.out_dir / "secrets" / "can").read_text().strip()
        try:
            read = cccd.read(chip, can=can, trust=pki / "csca.pem")
        except cccd.CccdError as e:  # AccessRefused, CardRemoved, ChipError, TransportError, ...
            print(f"read failed ({e.kind}): {e}")
            return 1
        print(f"read ({read.access}): {read.verdict.value} - {read.holder.full_name}, {read.holder.id_number}")
        return 0 if verified.genuine and read.genuine else 1


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*(Path(a) for a in sys.argv[1:])))
