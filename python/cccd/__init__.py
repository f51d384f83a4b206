"""cccd: issue, personalize, read and verify ICAO Doc 9303 eMRTD chips (Vietnam's CCCD first) from Python.

The Rust library does the work (no second implementation of anything); this package hands it your inputs
and gives back typed results built from its JSON documents, the same the ``cccd`` command line prints with
``--json``. Verdicts come from the library's verifier, never from Python.

Quick start (the README's "From Python")::

    import cccd
    result = cccd.issue(record, photo, pki_dir="pki", out_dir="chip")
    print(cccd.verify("chip", trust="pki/csca.pem").verdict.value)   # "genuine"

Transports for :func:`read` and :func:`personalize`: a PC/SC reader name (``"ACS ACR1252 ..."``), a
:class:`VirtualChip` (in process), or any object with ``transmit(bytes) -> bytes`` (and optionally
``reset()``), e.g. a pyscard connection through :class:`PyscardTransport` (a pyscard connection given as it
is is wrapped in one). A Python transport may raise :class:`CardRemoved` from ``transmit``; anything else it
raises, or a result that is no response APDU, becomes a :class:`TransportError` with a message.

Errors: :class:`CccdError` and its subclasses (:mod:`cccd.errors`), one per kind of fault; a Rust panic is
caught and raised as :class:`InternalError`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from . import _native
from ._native import VirtualChip, VpcdServer
from .errors import (
    AccessRefused,
    CardRemoved,
    CccdError,
    ChipError,
    InternalError,
    InvalidInput,
    NoCard,
    TransportError,
    VerificationError,
)
from .pyscard import PyscardTransport
from .results import (
    Check,
    FileInfo,
    Finding,
    Holder,
    InspectResult,
    IssueResult,
    PersoResult,
    QrPayload,
    ReadResult,
    Verdict,
    VerifyResult,
)

__version__: str = _native.__version__

__all__ = [
    "issue",
    "verify",
    "read",
    "personalize",
    "Reader",
    "inspect",
    "qr_encode",
    "qr_png",
    "qr_svg",
    "qr_parse",
    "qr_scan",
    "has_pcsc",
    "has_pkcs11",
    "Hsm",
    "Trust",
    "VirtualChip",
    "VpcdServer",
    "PyscardTransport",
    "CccdError",
    "InvalidInput",
    "AccessRefused",
    "CardRemoved",
    "NoCard",
    "ChipError",
    "TransportError",
    "VerificationError",
    "InternalError",
    "Check",
    "FileInfo",
    "Finding",
    "Holder",
    "InspectResult",
    "IssueResult",
    "PersoResult",
    "QrPayload",
    "ReadResult",
    "Verdict",
    "VerifyResult",
]

PathLike = Union[str, "os.PathLike[str]"]
Record = Union[str, Mapping[str, Any], "os.PathLike[str]"]
"""A citizen record: its JSON text, a mapping of its fields, or the path of a JSON file."""


@dataclass
class Trust:
    """Trust material for Passive Authentication, as ``cccd verify``'s options.

    Attributes:
        csca: trusted CSCA certificates: PEM or DER files, folders of them, or ICAO CSCA master lists (a
            master list must be intact, and with ``ml_anchor`` signed under one of those CSCAs).
        ml_anchor: CSCA certificates trusted beforehand that every master list must chain to.
        crl: certificate revocation lists (DER or PEM).
        ds: Document Signer certificates, for SODs that do not carry theirs.
    """

    csca: List[PathLike] = field(default_factory=list)
    ml_anchor: List[PathLike] = field(default_factory=list)
    crl: List[PathLike] = field(default_factory=list)
    ds: List[PathLike] = field(default_factory=list)


@dataclass
class Hsm:
    """The Document Signer key in a PKCS#11 token (an HSM; SoftHSM2 for tests), for :func:`issue`.

    Attributes:
        module: the PKCS#11 module (``/usr/lib/softhsm/libsofthsm2.so``).
        token: the token's label.
        key: the key's label (``cccd pki init --hsm-key``).
        pin: the user PIN (kept out of the repr; never in an error message).
    """

    module: PathLike
    token: str
    key: str
    pin: str = field(repr=False)


TrustLike = Union[None, PathLike, Sequence[PathLike], Trust]
"""Trust material: a path (certificate, folder or master list), a list of them, or a :class:`Trust`."""


def _trust(trust: TrustLike) -> Trust:
    if trust is None:
        return Trust()
    if isinstance(trust, Trust):
        return trust
    if isinstance(trust, (str, os.PathLike)):
        return Trust(csca=[trust])
    return Trust(csca=list(trust))


def _trust_kwargs(trust: TrustLike) -> Dict[str, List[str]]:
    t = _trust(trust)
    return {
        "csca": [os.fspath(p) for p in t.csca],
        "ml_anchor": [os.fspath(p) for p in t.ml_anchor],
        "crl": [os.fspath(p) for p in t.crl],
        "ds": [os.fspath(p) for p in t.ds],
    }


def _record_json(record: Record) -> str:
    if isinstance(record, os.PathLike):
        try:
            return Path(record).read_text(encoding="utf-8")
        except OSError as e:
            raise InvalidInput(f"{os.fspath(record)}: {e.strerror or e}") from e
    if isinstance(record, str):
        return record
    if isinstance(record, Mapping):
        try:
            return json.dumps(dict(record), ensure_ascii=False)
        except (TypeError, ValueError) as e:
            raise InvalidInput(f"record: not JSON-serializable: {e}") from e
    raise TypeError(f"record: JSON text, a mapping or a path, not {type(record).__name__}")


def _bytes_of(value: Union[bytes, bytearray, memoryview, PathLike], what: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (str, os.PathLike)):
        try:
            return Path(value).read_bytes()
        except OSError as e:
            raise InvalidInput(f"{os.fspath(value)}: {e.strerror or e}") from e
    raise TypeError(f"{what}: bytes or a path, not {type(value).__name__}")


def _transport(transport: Any) -> Any:
    """A pyscard connection given as it is gets the :class:`PyscardTransport` adapter."""
    if isinstance(transport, (str, VirtualChip)) or not hasattr(transport, "transmit"):
        return transport
    if hasattr(transport, "getReader") and hasattr(transport, "getATR"):
        return PyscardTransport(transport)
    return transport


def issue(
    record: Record,
    photo: Union[bytes, PathLike],
    pki_dir: PathLike,
    out_dir: PathLike,
    *,
    chip_curve: str = "brainpoolP256r1",
    aa_rsa_bits: Optional[int] = None,
    face_bytes: int = 15_000,
    profile: str = "open",
    hsm: Optional[Hsm] = None,
) -> IssueResult:
    """Issues a chip image folder, as ``cccd issue`` does.

    Args:
        record: the citizen record (JSON text, a mapping, or the path of a JSON file); every problem of every
            field is reported at once (``InvalidInput``), warnings come back in the result.
        photo: the face photo (JPEG or PNG, any size; bytes or a path): cropped and encoded for DG2.
        pki_dir: the PKI folder (``cccd pki init``): ``ds.pem``, ``ds.key`` and ``csca.pem``.
        out_dir: the chip image folder to write; must not exist. It appears complete and verified, or not
            at all.
        chip_curve: the curve of the chip's Chip and Active Authentication keys.
        aa_rsa_bits: an RSA Active Authentication key of this many bits instead of ECDSA.
        face_bytes: the byte budget of the face JPEG.
        profile: ``"open"`` (the CCCD's chip) or ``"jmrtd-applet"`` (BAC only, RSA-1024 AA, no DG14).
        hsm: the Document Signer key in a PKCS#11 token (:class:`Hsm`) instead of the PKI folder's ``ds.key``.

    Raises:
        InvalidInput: a refused record, an unreadable photo, a PKI folder that does not load or whose
            Document Signer may not sign today, an existing ``out_dir``.
    """
    doc, warnings = _native.issue(
        _record_json(record),
        _bytes_of(photo, "photo"),
        os.fspath(pki_dir),
        os.fspath(out_dir),
        chip_curve=chip_curve,
        aa_rsa_bits=aa_rsa_bits,
        face_bytes=face_bytes,
        profile=profile,
        hsm=None if hsm is None else (os.fspath(hsm.module), hsm.token, hsm.key, hsm.pin),
    )
    return IssueResult.from_json(doc, warnings)


def verify(image_dir: PathLike, *, trust: TrustLike = None, at: Optional[str] = None) -> VerifyResult:
    """The verdict on a chip image folder, as ``cccd verify --json`` gives it (the same document).

    With the image's secrets (a folder :func:`issue` wrote) its virtual chip is read as a card is, so Chip and
    Active Authentication run; a folder of files only is verified as files (incomplete when DG14/DG15 need a
    chip). ``trust`` names the CSCAs (see :class:`Trust`); without, the verdict is untrusted. ``at`` checks
    as of a date (``"YYYY-MM-DD"``, default today).

    Raises:
        InvalidInput: a folder that does not load, trust material that does not load, a bad date.
    """
    doc = _native.verify(os.fspath(image_dir), at=at, **_trust_kwargs(trust))
    return VerifyResult.from_json(doc)


def read(
    transport: Any,
    *,
    can: Optional[str] = None,
    mrz: Optional[str] = None,
    access: Optional[str] = None,
    trust: TrustLike = None,
    at: Optional[str] = None,
    wait: float = 10.0,
) -> ReadResult:
    """Reads a chip and verifies it, as ``cccd read --json`` does.

    Args:
        transport: a PC/SC reader name (waits up to ``wait`` seconds for a card), a :class:`VirtualChip`, or an
            object with ``transmit(bytes) -> bytes`` (``reset()`` is called when there is one; without it, a
            reset is skipped).
        can: the card access number (PACE), or
        mrz: the MRZ as printed (the whole MRZ, TD1's first two lines or TD3's second line; BAC unless
            ``access`` says ``"pace"`` or ``"pace-then-bac"``).
        access: ``"bac"``, ``"pace"`` or ``"pace-then-bac"``.
        trust: the CSCAs (see :class:`Trust`).
        at: check as of this date (``"YYYY-MM-DD"``).

    Raises:
        AccessRefused: a wrong CAN or MRZ. CardRemoved: the card left. ChipError: the chip answered an error.
        TransportError: the transport failed. NoCard: no card or no such reader. InvalidInput: bad arguments.
    """
    doc, files = _native.read(
        _transport(transport), can=can, mrz=mrz, access=access, at=at, wait=wait, **_trust_kwargs(trust)
    )
    return ReadResult.from_json(doc, files)


class Reader:
    """A reader session that keeps its progress: when :meth:`read` raises :class:`CardRemoved`, put the card
    back and call it again; it resumes where it stopped and reads nothing twice (the library's reader)::

        reader = cccd.Reader(can="123456")
        while True:
            try:
                result = reader.read("ACS ACR1252 1S CL Reader PICC 0", trust="csca/")
                break
            except cccd.CardRemoved:
                print("put the card back")

    ``can``/``mrz``/``access`` as :func:`read`.
    """

    def __init__(self, *, can: Optional[str] = None, mrz: Optional[str] = None, access: Optional[str] = None):
        self._native = _native.Reader(can=can, mrz=mrz, access=access)

    def read(self, transport: Any, *, trust: TrustLike = None, at: Optional[str] = None, wait: float = 10.0) -> ReadResult:
        """Reads (or goes on reading) and verifies, as :func:`read`."""
        doc, files = self._native.read(_transport(transport), at=at, wait=wait, **_trust_kwargs(trust))
        return ReadResult.from_json(doc, files)

    @property
    def apdus(self) -> int:
        """Command APDUs sent so far, over every call."""
        return int(self._native.apdus)

    @property
    def bytes_read(self) -> int:
        """File bytes read so far, over every call (a resumed read adds only what was missing)."""
        return int(self._native.bytes_read)


def personalize(
    transport: Any,
    image_dir: PathLike,
    *,
    transport_key: Union[None, bytes, str] = None,
    profile: str = "open",
    wait: float = 10.0,
    progress: Optional[Callable[[str, Optional[str], int, int], object]] = None,
) -> PersoResult:
    """Personalizes a chip with a chip image folder, as ``cccd perso`` does: checks the whole image first,
    writes it (resumable: run again after a pulled card), verifies it with a full reader session, then locks.

    Args:
        transport: as :func:`read`'s.
        image_dir: the chip image folder (:func:`issue` writes one).
        transport_key: the open profile's AES transport key (16 bytes or 32 hex digits).
        profile: ``"open"`` or ``"jmrtd-applet"`` (the JMRTD passport applet, in the clear).
        progress: called as it goes with ``(step, file, bytes_written, bytes_total)``; ``step`` is
            ``"session"``, ``"write"``, ``"keys"``, ``"read back"``, ``"reader session"``, ``"lock"`` or ``"done"``.
            What it raises is reported (``sys.unraisablehook``) and does not stop the run.

    Raises:
        CccdError: the class says why; its ``details`` say what the chip is (``locked``,
            ``holds_this_image``, ``bytes_written``, ``run_again``). VerificationError: the read-back did
            not verify, the chip was not locked. AccessRefused: a wrong transport key.
    """
    doc = _native.personalize(
        _transport(transport),
        os.fspath(image_dir),
        transport_key=transport_key,
        profile=profile,
        wait=wait,
        progress=progress,
    )
    return PersoResult.from_json(doc)


def inspect(file: Union[bytes, PathLike], *, tree: bool = False) -> InspectResult:
    """Decodes an LDS file (EF.COM, EF.SOD, EF.CardAccess, DG1-DG16, CV certificates), recognized by its tag,
    as ``cccd inspect --json`` lists it in ``files``; ``tree=True`` gives its BER-TLV tree.

    Raises:
        InvalidInput: bytes that are no such file (truncated, malformed), with the decoder's message.
    """
    name = "<bytes>" if isinstance(file, (bytes, bytearray, memoryview)) else os.fspath(file)
    doc = _native.inspect(name, _bytes_of(file, "file"), tree=tree)
    if not doc.get("ok"):
        raise InvalidInput(f"{name}: {doc.get('error', 'not a file cccd knows')}")
    return InspectResult.from_json(doc)


def qr_encode(record: Record, *, layout: str = "2024") -> str:
    """The text of the QR code printed on the card for a record (``"2021"`` or ``"2024"`` layout)."""
    return _native.qr_encode(_record_json(record), layout=layout)


def qr_png(text: str, *, module_px: int = 8, ec: str = "M") -> bytes:
    """The QR code of a payload text as a PNG image (``ec``: ``"L"``, ``"M"``, ``"Q"`` or ``"H"``)."""
    return _native.qr_render(text, svg=False, module_px=module_px, ec=ec)


def qr_svg(text: str, *, module_px: int = 8, ec: str = "M") -> str:
    """The QR code of a payload text as SVG."""
    return _native.qr_render(text, svg=True, module_px=module_px, ec=ec).decode("utf-8")


def qr_parse(text: str) -> QrPayload:
    """A card QR payload text, decoded and checked. Raises :class:`InvalidInput` when it is malformed."""
    return QrPayload.from_json(_native.qr_parse(text))


def qr_scan(image: Union[bytes, PathLike]) -> List[str]:
    """The texts of the QR codes in a photo or scan (PNG or JPEG; bytes or a path)."""
    return list(_native.qr_scan(_bytes_of(image, "image")))


def has_pkcs11() -> bool:
    """Whether this build signs with keys in PKCS#11 tokens."""
    return bool(_native.has_pkcs11())


def has_pcsc() -> bool:
    """Whether this build reads PC/SC readers by name."""
    return bool(_native.has_pcsc())
