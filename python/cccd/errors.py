"""The exceptions of :mod:`cccd`: one class per kind of fault, all under :class:`CccdError`.

The class of an error the library reports is the library's own error kind (the ``error.kind`` of the CLI's
``--json`` documents and the C ABI's error codes), so the three front ends agree on who is at fault:

=====================  ===================  ===============================================================
class                  ``kind``             who is at fault
=====================  ===================  ===============================================================
:class:`InvalidInput`  ``input``, ``io``    the caller: a malformed record or file, a missing folder, a bad
                                            argument, trust material that does not load (also a
                                            :class:`ValueError`)
:class:`AccessRefused` ``access_refused``   the access key: a wrong CAN or MRZ, a blocked password, a wrong
                                            transport key
:class:`CardRemoved`   ``card_removed``     the card left the field; what was read or written is kept: run
                                            again (a Python transport may raise it from ``transmit``)
:class:`NoCard`        ``no_card``          no card in the reader, no such reader, or PC/SC itself failed
:class:`ChipError`     ``chip_error``       the chip answered a step with an error (a status word, a broken
                                            secure messaging response, malformed data)
:class:`TransportError` ``transport``       the transport: its ``transmit`` raised (the exception is the
                                            ``__cause__``) or returned something that is no response APDU
:class:`VerificationError` ``verification`` a chip that had to verify did not (the personalizer's read-back
                                            before LOCK; :meth:`VerifyResult.raise_unless_genuine`)
:class:`InternalError` ``internal``         a bug in cccd: a Rust panic, caught and raised here
=====================  ===================  ===============================================================

Messages never carry keys or personal data.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

__all__ = [
    "CccdError",
    "InvalidInput",
    "AccessRefused",
    "CardRemoved",
    "NoCard",
    "ChipError",
    "TransportError",
    "VerificationError",
    "InternalError",
]


class CccdError(Exception):
    """Any error of :mod:`cccd`.

    Attributes:
        message: what went wrong (names the input or step, never its content).
        kind: the error kind (``"input"``, ``"access_refused"``, ``"card_removed"``, ...).
        details: more about it: for a refused record, ``problems`` (every problem of every field:
            ``field``, ``code``, ``severity``, ``message``; never the values); for ``personalize``, ``cccd perso
            --json``'s document of the run (``locked``, ``state``, ``bytes_written``, ``run_again``, ...); empty
            when there is nothing more to say.
    """

    default_kind = "error"

    def __init__(self, message: str, *, kind: Optional[str] = None, details: Optional[Dict[str, Any]] = None):
        super().__init__(message)
        self.message = message
        self.kind = kind or self.default_kind
        self.details: Dict[str, Any] = dict(details or {})


class InvalidInput(CccdError, ValueError):
    """The caller's input was refused: a malformed record or file, a missing folder, a bad argument."""

    default_kind = "input"


class AccessRefused(CccdError):
    """The chip refused access: a wrong CAN or MRZ, a blocked password, a wrong transport key."""

    default_kind = "access_refused"


class CardRemoved(CccdError):
    """The card left the field. What was read or written is kept: run again."""

    default_kind = "card_removed"


class NoCard(CccdError):
    """No card in the reader, no such reader, or PC/SC itself failed."""

    default_kind = "no_card"


class ChipError(CccdError):
    """The chip answered a step with an error: a status word, a broken secure messaging response."""

    default_kind = "chip_error"


class TransportError(CccdError):
    """The transport failed: its ``transmit`` raised (see ``__cause__``) or returned no response APDU."""

    default_kind = "transport"


class VerificationError(CccdError):
    """A chip that had to verify did not (the personalizer's read-back before LOCK, for one)."""

    default_kind = "verification"


class InternalError(CccdError):
    """A bug in cccd: a Rust panic, caught and raised as this exception."""

    default_kind = "internal"
