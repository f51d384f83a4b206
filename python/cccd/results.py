"""Typed results of :mod:`cccd`, built from the library's JSON documents (schema version 1, the same the CLI
prints with ``--json``). Each keeps the whole document in ``document``.

Nothing here decides anything: ``genuine`` is the document's ``valid``, the verdict is the library's
``Verifier``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from .errors import VerificationError

__all__ = [
    "Finding",
    "Verdict",
    "Check",
    "Holder",
    "FileInfo",
    "VerifyResult",
    "ReadResult",
    "IssueResult",
    "PersoResult",
    "InspectResult",
    "QrPayload",
]


@dataclass(frozen=True)
class Finding:
    """One thing the verifier saw: ``code`` (``"dg_hash_mismatch"``, ...), ``severity`` (``"error"``,
    ``"warning"``, ``"info"``) and a sentence for people."""

    code: str
    severity: str
    message: str

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Finding":
        """Built from the library's JSON (the object this class describes)."""
        return cls(code=str(d.get("code", "")), severity=str(d.get("severity", "")), message=str(d.get("message", "")))


@dataclass(frozen=True)
class Verdict:
    """The library's one verdict: ``value`` is ``"genuine"``, ``"tampered"``, ``"untrusted"``,
    ``"clone_suspected"`` or ``"incomplete"``; ``summary`` one sentence; ``findings`` everything seen."""

    value: str
    summary: str
    findings: List[Finding] = field(default_factory=list)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Verdict":
        """Built from the library's JSON (the object this class describes)."""
        return cls(
            value=str(d.get("value", "")),
            summary=str(d.get("summary", "")),
            findings=[Finding.from_json(f) for f in d.get("findings") or []],
        )


@dataclass(frozen=True)
class Check:
    """Chip or Active Authentication as the verifier counts it: ``status`` is ``"passed"``, ``"failed"`` or
    ``"not_checked"`` (a check that could not run is never reported as passed); ``detail`` the rest of the
    JSON object (reason, protocol, ...)."""

    status: str
    detail: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: Any) -> "Check":
        """Built from the library's JSON (the object this class describes)."""
        if not isinstance(d, Mapping):
            return cls(status=str(d))
        return cls(status=str(d.get("status", "")), detail={k: v for k, v in d.items() if k != "status"})


@dataclass(frozen=True)
class FileInfo:
    """A file of a chip: its name (``"DG1"``, ``"EF.SOD"``) and length in bytes."""

    file: str
    length: int


def _verdict_fields(doc: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        "verdict": Verdict.from_json(doc.get("verdict") or {}),
        "genuine": doc.get("valid") is True,
        "passive_authentication": dict(doc.get("passive_authentication") or {}),
        "chip_authentication": Check.from_json(doc.get("chip_authentication") or {}),
        "active_authentication": Check.from_json(doc.get("active_authentication") or {}),
        "missing": list(doc.get("missing") or []),
        "date_of_expiry": doc.get("date_of_expiry"),
        "clone_suspected": doc.get("clone_suspected") is True,
    }


class _Verified:
    verdict: Verdict
    genuine: bool

    def raise_unless_genuine(self) -> None:
        """Raises :class:`cccd.VerificationError` (with the verdict's summary) unless the verdict is genuine."""
        if not self.genuine:
            raise VerificationError(f"{self.verdict.value}: {self.verdict.summary}", details={"verdict": self.verdict.value})


@dataclass(frozen=True)
class VerifyResult(_Verified):
    """:func:`cccd.verify`'s result (``cccd verify --json``'s document).

    ``genuine`` is true only for the verdict genuine; ``session`` says how the image was read (``"virtual chip
    from the image's secrets"`` or ``"files only"``) and ``access`` with which access control."""

    verdict: Verdict
    genuine: bool
    passive_authentication: Dict[str, Any]
    chip_authentication: Check
    active_authentication: Check
    missing: List[str]
    date_of_expiry: Optional[str]
    clone_suspected: bool
    session: str
    access: Optional[str]
    document: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "VerifyResult":
        """Built from the library's JSON (the object this class describes)."""
        return cls(
            session=str(doc.get("session", "")), access=doc.get("access"), document=doc, **_verdict_fields(doc)
        )


def _redacted(obj: object) -> str:
    """``Name(<personal data: field, field, ...>)``: personal data stays out of reprs (and so out of logs)."""
    names = [k for k, v in vars(obj).items() if v not in (None, "", [], {})]
    return f"{type(obj).__name__}(<personal data: {', '.join(names)}>)"


@dataclass(frozen=True, repr=False)
class Holder:
    """The holder as the chip says: DG1's MRZ, with DG13's name (diacritics kept) and details when there.
    Dates are ``YYYY-MM-DD``. Its repr names the fields, never their values (personal data)."""

    full_name: Optional[str] = None
    id_number: Optional[str] = None
    document_number: Optional[str] = None
    date_of_birth: Optional[str] = None
    sex: Optional[str] = None
    nationality: Optional[str] = None
    date_of_expiry: Optional[str] = None
    issuing_state: Optional[str] = None
    mrz: Optional[str] = None
    details: List[Dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Holder":
        """Built from the library's JSON (the object this class describes)."""
        names = cls.__dataclass_fields__.keys()
        known = {k: v for k, v in d.items() if k in names and k != "details"}
        mrz = known.get("mrz")
        if isinstance(mrz, list):
            known["mrz"] = "\n".join(str(line) for line in mrz)
        return cls(details=list(d.get("details") or []), **known)

    def __repr__(self) -> str:
        return _redacted(self)


@dataclass(frozen=True)
class ReadResult(_Verified):
    """:func:`cccd.read`'s result: ``cccd read --json``'s document (without the fields only the command line
    knows: reader, timing, saved files) and the files read (``{"DG1": b"...", ...}``)."""

    verdict: Verdict
    genuine: bool
    passive_authentication: Dict[str, Any]
    chip_authentication: Check
    active_authentication: Check
    missing: List[str]
    date_of_expiry: Optional[str]
    clone_suspected: bool
    holder: Holder
    access: str
    extended_length: bool
    protected: List[str]
    certificate_chain: Optional[Dict[str, Any]]
    files: Dict[str, bytes] = field(repr=False)
    document: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any], files: Dict[str, bytes]) -> "ReadResult":
        """Built from the library's JSON (the object this class describes)."""
        return cls(
            holder=Holder.from_json(doc.get("holder") or {}),
            access=str(doc.get("access", "")),
            extended_length=doc.get("extended_length") is True,
            protected=list(doc.get("protected") or []),
            certificate_chain=doc.get("certificate_chain"),
            files=files,
            document=doc,
            **_verdict_fields(doc),
        )


@dataclass(frozen=True)
class IssueResult:
    """:func:`cccd.issue`'s result: the chip image folder written (complete and verified), its files, their
    total size (the library's issue document) and the warnings on the record and the Document Signer."""

    out_dir: Path
    files: List[FileInfo]
    bytes: int
    warnings: List[str]
    document: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any], warnings: Optional[List[str]] = None) -> "IssueResult":
        """Built from the library's JSON (the object this class describes)."""
        return cls(
            out_dir=Path(doc.get("out", "")),
            files=[FileInfo(str(f["file"]), int(f["length"])) for f in doc.get("files") or []],
            bytes=int(doc.get("bytes", 0)),
            warnings=[str(w) for w in warnings or []],
            document=doc,
        )


@dataclass(frozen=True)
class PersoResult:
    """:func:`cccd.personalize`'s result: the chip is locked and holds the image (``already_locked``: it did
    before this run); the APDUs and bytes of this run; the access control of the verifying reader session and
    its verdict (``None`` when the chip was already locked with this image)."""

    locked: bool
    already_locked: bool
    apdus: int
    bytes_written: int
    files_kept: int
    verified_with: Optional[str]
    milliseconds: int
    verdict: Optional[Verdict]
    document: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "PersoResult":
        """Built from the library's JSON (the object this class describes)."""
        verdict = doc.get("verdict")
        return cls(
            locked=doc.get("locked") is True,
            already_locked=doc.get("already_locked") is True,
            apdus=int(doc.get("apdus", 0)),
            bytes_written=int(doc.get("bytes_written", 0)),
            files_kept=int(doc.get("files_kept", 0)),
            verified_with=doc.get("verified_with"),
            milliseconds=int(doc.get("milliseconds", 0)),
            verdict=Verdict.from_json(verdict) if isinstance(verdict, Mapping) else None,
            document=doc,
        )


@dataclass(frozen=True)
class InspectResult:
    """:func:`cccd.inspect`'s result: the file recognized by its tag (``"DG1"``, ``"EF.SOD"``, a CV
    certificate...) and its decoded content (``cccd inspect --json``'s ``content``)."""

    path: str
    file: Optional[str]
    content: Dict[str, Any]
    document: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, doc: Dict[str, Any]) -> "InspectResult":
        """Built from the library's JSON (the object this class describes)."""
        content = doc.get("content")
        content = content if isinstance(content, dict) else {"value": content}
        file = content.get("file")
        return cls(path=str(doc.get("path", "")), file=file if isinstance(file, str) else None, content=content, document=doc)


@dataclass(frozen=True, repr=False)
class QrPayload:
    """The QR code printed on the card, with the citizen record's field names (dates ``YYYY-MM-DD``). Its repr
    names the fields, never their values (personal data)."""

    layout: str
    id_number: str
    old_id_number: Optional[str]
    full_name: str
    date_of_birth: str
    sex: str
    place_of_residence: str
    date_of_issue: str
    extra: List[str]

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "QrPayload":
        """Built from the library's JSON (the object this class describes)."""
        old = d.get("old_id_number")
        return cls(
            layout=str(d.get("layout", "")),
            id_number=str(d.get("id_number", "")),
            old_id_number=str(old) if old else None,
            full_name=str(d.get("full_name", "")),
            date_of_birth=str(d.get("date_of_birth", "")),
            sex=str(d.get("sex", "")),
            place_of_residence=str(d.get("place_of_residence", "")),
            date_of_issue=str(d.get("date_of_issue", "")),
            extra=[str(x) for x in d.get("extra") or []],
        )

    def __repr__(self) -> str:
        return _redacted(self)
