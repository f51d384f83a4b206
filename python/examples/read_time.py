"""How long the binding takes, per call (the numbers in BENCHMARKS.md):

    python read_time.py PKI_DIR RECORD.json PHOTO [ROUNDS]

Issues one chip image, then times `cccd.verify` of the folder, `cccd.read` of an in-process `VirtualChip`,
and `cccd.read` through a Python object with `transmit(bytes) -> bytes` forwarding to one (the cost of taking
the GIL back for each APDU), each the median of ROUNDS (default 20).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import cccd


class Forwarding:
    """A Python transport in front of a virtual chip."""

    def __init__(self, chip: cccd.VirtualChip) -> None:
        self.chip = chip
        self.apdus = 0

    def transmit(self, apdu: bytes) -> bytes:
        self.apdus += 1
        return self.chip.transmit(apdu)


def median_ms(f: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(pki: Path, record: Path, photo: Path, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        image = cccd.issue(record, photo, pki, Path(tmp) / "chip").out_dir
        can = (image / "secrets" / "can").read_text().strip()
        trust = pki / "csca.pem"
        chip = cccd.VirtualChip.from_image(image)
        forwarding = Forwarding(cccd.VirtualChip.from_image(image))
        cccd.read(forwarding, can=can, trust=trust)
        apdus = forwarding.apdus
        print(f"verify (image folder):           {median_ms(lambda: cccd.verify(image, trust=trust), rounds):7.1f} ms")
        print(f"read (VirtualChip, in process):  {median_ms(lambda: cccd.read(chip, can=can, trust=trust), rounds):7.1f} ms")
        print(
            f"read (Python transmit object):   {median_ms(lambda: cccd.read(forwarding, can=can, trust=trust), rounds):7.1f} ms"
            f"  ({apdus} APDUs)"
        )


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) == 5 else 20)
