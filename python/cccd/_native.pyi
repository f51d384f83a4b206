"""Type stubs of the extension module ``cccd._native`` (PyO3). Use the package :mod:`cccd`, which wraps these
functions and returns typed results; these return the library's JSON documents as dicts."""

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union, final

__all__ = [
    "__version__",
    "VirtualChip",
    "VpcdServer",
    "Reader",
    "issue",
    "verify",
    "read",
    "personalize",
    "inspect",
    "qr_encode",
    "qr_render",
    "qr_parse",
    "qr_scan",
    "_panic_for_tests",
    "has_pcsc",
    "has_pkcs11",
]

__version__: str

_Path = Union[str, "os.PathLike[str]"]

def issue(
    record_json: str,
    photo: bytes,
    pki_dir: _Path,
    out_dir: _Path,
    *,
    chip_curve: str = ...,
    aa_rsa_bits: Optional[int] = ...,
    face_bytes: int = ...,
    profile: str = ...,
    hsm: Optional[Tuple[_Path, str, str, str]] = ...,
) -> Tuple[Dict[str, Any], List[str]]: ...
def verify(
    image_dir: _Path,
    *,
    csca: Sequence[_Path] = ...,
    ml_anchor: Sequence[_Path] = ...,
    crl: Sequence[_Path] = ...,
    ds: Sequence[_Path] = ...,
    at: Optional[str] = ...,
) -> Dict[str, Any]: ...
def read(
    transport: Any,
    *,
    can: Optional[str] = ...,
    mrz: Optional[str] = ...,
    access: Optional[str] = ...,
    csca: Sequence[_Path] = ...,
    ml_anchor: Sequence[_Path] = ...,
    crl: Sequence[_Path] = ...,
    ds: Sequence[_Path] = ...,
    at: Optional[str] = ...,
    wait: float = ...,
) -> Tuple[Dict[str, Any], Dict[str, bytes]]: ...
def personalize(
    transport: Any,
    image_dir: _Path,
    *,
    transport_key: Union[None, bytes, str] = ...,
    profile: str = ...,
    wait: float = ...,
    progress: Optional[Callable[[str, Optional[str], int, int], object]] = ...,
) -> Dict[str, Any]: ...
def inspect(name: str, data: bytes, *, tree: bool = ...) -> Dict[str, Any]: ...
def qr_encode(record_json: str, *, layout: str = ...) -> str: ...
def qr_render(text: str, *, svg: bool = ..., module_px: int = ..., ec: str = ...) -> bytes: ...
def qr_parse(text: str) -> Dict[str, Any]: ...
def qr_scan(image: bytes) -> List[str]: ...
def has_pcsc() -> bool: ...
def has_pkcs11() -> bool: ...
def _panic_for_tests() -> None: ...

@final
class VirtualChip:
    """The library's virtual chip (see :mod:`cccd`)."""

    @staticmethod
    def blank(
        transport_key: Union[None, bytes, str] = ...,
        *,
        profile: str = ...,
        extended_length: bool = ...,
        atr_info: bool = ...,
    ) -> "VirtualChip":
        """A blank chip waiting for personalization (the open profile needs its AES transport key)."""
    @staticmethod
    def from_image(
        image_dir: _Path, *, profile: str = ..., extended_length: bool = ..., atr_info: bool = ...
    ) -> "VirtualChip":
        """A chip holding a chip image folder, issued and locked."""
    def transmit(self, apdu: bytes) -> bytes:
        """One command APDU in, its response APDU out; a card pulled by a fault raises CardRemoved."""
    def reset(self) -> None:
        """A new field activation: no session; a pulled card is back."""
    def set_faults(
        self,
        spec: Optional[str] = ...,
        *,
        drop_after: Optional[int] = ...,
        status_at: Optional[Tuple[int, int]] = ...,
        corrupt_at: Optional[int] = ...,
        tear: Optional[Tuple[int, int]] = ...,
        link: Optional[str] = ...,
    ) -> None:
        """Arms faults (each fires once), replacing those set before."""
    def faults(self) -> Dict[str, Any]:
        """The faults still armed and what the link model counted."""
    @property
    def life_cycle(self) -> str:
        """``"personalization"`` or ``"operational"``."""
    @property
    def profile(self) -> str:
        """``"open"`` or ``"jmrtd-applet"``."""
    @property
    def is_authenticated(self) -> bool:
        """Whether a secure messaging session is open."""
    def serve_vpcd(self, port: int = ..., *, host: str = ..., timeout: float = ...) -> "VpcdServer":
        """Serves the chip behind pcscd's vpcd reader on ``port`` until the server is stopped."""

@final
class VpcdServer:
    """A virtual chip served behind pcscd's vpcd reader."""

    @property
    def reader(self) -> str:
        """The PC/SC reader name (``"Virtual PCD 00 00"`` for port 35963)."""
    @property
    def port(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def stop(self) -> None:
        """Stops serving; raises TransportError if the link had failed."""
    def __enter__(self) -> "VpcdServer": ...
    def __exit__(self, *args: Any) -> bool: ...

@final
class Reader:
    """A reader session that keeps its progress across interruptions."""

    def __new__(cls, *, can: Optional[str] = ..., mrz: Optional[str] = ..., access: Optional[str] = ...) -> "Reader": ...
    def read(
        self,
        transport: Any,
        *,
        csca: Sequence[_Path] = ...,
        ml_anchor: Sequence[_Path] = ...,
        crl: Sequence[_Path] = ...,
        ds: Sequence[_Path] = ...,
        at: Optional[str] = ...,
        wait: float = ...,
    ) -> Tuple[Dict[str, Any], Dict[str, bytes]]:
        """Reads (or goes on reading) and verifies."""
    @property
    def apdus(self) -> int:
        """Command APDUs sent so far."""
    @property
    def bytes_read(self) -> int:
        """File bytes read so far."""
