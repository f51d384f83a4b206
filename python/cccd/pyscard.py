"""A pyscard connection as a :mod:`cccd` transport."""

from __future__ import annotations

from typing import Any

from .errors import CardRemoved, TransportError

__all__ = ["PyscardTransport"]

# PC/SC codes that mean the card is gone (winscard.h), as pyscard's exceptions carry them
_SCARD_W_REMOVED_CARD = 0x80100069
_SCARD_E_NO_SMARTCARD = 0x8010000C
_SCARD_W_UNPOWERED_CARD = 0x80100067
_GONE = {_SCARD_W_REMOVED_CARD, _SCARD_E_NO_SMARTCARD, _SCARD_W_UNPOWERED_CARD}


def _code(e: BaseException) -> int:
    hresult = int(getattr(e, "hresult", -1))
    return hresult + 0x100000000 if hresult < 0 else hresult


class PyscardTransport:
    """Adapts a pyscard card connection (``smartcard.CardConnection``, already connected) to the transport
    :func:`cccd.read` and :func:`cccd.personalize` take: ``transmit(bytes) -> bytes`` and ``reset()``.

    A removed card (``SCARD_W_REMOVED_CARD``, ``SCARD_E_NO_SMARTCARD``, or a card that answers nothing) raises
    :class:`cccd.CardRemoved`, any other pyscard failure :class:`cccd.TransportError` (chained to pyscard's
    exception)::

        from smartcard.System import readers
        connection = readers()[0].createConnection()
        connection.connect()
        result = cccd.read(cccd.PyscardTransport(connection), can="123456", trust="csca/")
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def transmit(self, apdu: bytes) -> bytes:
        """Sends one command APDU and returns the response APDU (data, then SW1 SW2)."""
        try:
            data, sw1, sw2 = self.connection.transmit(list(apdu))
        except Exception as e:  # pyscard raises CardConnectionException (and SmartcardException) here
            if _code(e) in _GONE or "no valid response" in str(e):
                raise CardRemoved(f"pyscard: {e}") from e
            raise TransportError(f"pyscard: {e}") from e
        return bytes(data) + bytes([sw1, sw2])

    def reset(self) -> None:
        """Resets the card (a warm reset through pcscd), ending every session on it."""
        try:
            from smartcard.scard import SCARD_RESET_CARD  # type: ignore[import-untyped]  # pyscard is optional

            self.connection.reconnect(disposition=SCARD_RESET_CARD)
        except Exception as e:
            if _code(e) in _GONE:
                raise CardRemoved(f"pyscard: {e}") from e
            raise TransportError(f"pyscard: reset: {e}") from e

    def __repr__(self) -> str:
        return f"PyscardTransport({self.connection!r})"
