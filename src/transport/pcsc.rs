//! The PC/SC backend (feature `pcsc`): any reader `pcscd` (or WinSCard) knows, real or virtual.
//!
//! Every PC/SC failure keeps its code ([`PcscError`]: `no card present: SCARD_E_NO_SMARTCARD (0x8010000C)`) and
//! is classified as the [`TransportError`] a caller acts on. A card that answers nothing at all (zero bytes, not
//! even a status word, as a contactless reader reports a card gone from the field) is a removed card.

use std::ffi::CString;

use super::{PcscCode, Transport, TransportError};
use crate::apdu::{CommandApdu, ResponseApdu};

/// A PC/SC failure: what a caller can act on ([`PcscError::kind`]) and the code PC/SC returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcscError {
    /// The classification (`CardRemoved`, `NoCard`, `ReaderUnavailable`, …; `Pcsc` for the rest).
    pub kind: TransportError,
    /// The PC/SC code.
    pub code: PcscCode,
}

impl core::fmt::Display for PcscError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.kind {
            TransportError::Pcsc(_) => write!(f, "{}", self.kind),
            kind => write!(f, "{kind}: {}", self.code),
        }
    }
}

impl std::error::Error for PcscError {}

impl From<PcscError> for TransportError {
    fn from(e: PcscError) -> Self {
        e.kind
    }
}

impl From<pcsc::Error> for PcscError {
    fn from(e: pcsc::Error) -> Self {
        PcscError { kind: classify(e), code: code(e) }
    }
}

/// The code and name of a PC/SC error (names as in `winscard.h` / pcsc-lite's `pcsclite.h`).
pub fn code(e: pcsc::Error) -> PcscCode {
    use pcsc::Error as E;
    let name = match e {
        E::InternalError => "SCARD_F_INTERNAL_ERROR",
        E::Cancelled => "SCARD_E_CANCELLED",
        E::InvalidHandle => "SCARD_E_INVALID_HANDLE",
        E::InvalidParameter => "SCARD_E_INVALID_PARAMETER",
        E::InvalidTarget => "SCARD_E_INVALID_TARGET",
        E::NoMemory => "SCARD_E_NO_MEMORY",
        E::WaitedTooLong => "SCARD_F_WAITED_TOO_LONG",
        E::InsufficientBuffer => "SCARD_E_INSUFFICIENT_BUFFER",
        E::UnknownReader => "SCARD_E_UNKNOWN_READER",
        E::Timeout => "SCARD_E_TIMEOUT",
        E::SharingViolation => "SCARD_E_SHARING_VIOLATION",
        E::NoSmartcard => "SCARD_E_NO_SMARTCARD",
        E::UnknownCard => "SCARD_E_UNKNOWN_CARD",
        E::CantDispose => "SCARD_E_CANT_DISPOSE",
        E::ProtoMismatch => "SCARD_E_PROTO_MISMATCH",
        E::NotReady => "SCARD_E_NOT_READY",
        E::InvalidValue => "SCARD_E_INVALID_VALUE",
        E::SystemCancelled => "SCARD_E_SYSTEM_CANCELLED",
        E::CommError => "SCARD_F_COMM_ERROR",
        E::UnknownError => "SCARD_F_UNKNOWN_ERROR",
        E::InvalidAtr => "SCARD_E_INVALID_ATR",
        E::NotTransacted => "SCARD_E_NOT_TRANSACTED",
        E::ReaderUnavailable => "SCARD_E_READER_UNAVAILABLE",
        E::Shutdown => "SCARD_P_SHUTDOWN",
        E::PciTooSmall => "SCARD_E_PCI_TOO_SMALL",
        E::ReaderUnsupported => "SCARD_E_READER_UNSUPPORTED",
        E::DuplicateReader => "SCARD_E_DUPLICATE_READER",
        E::CardUnsupported => "SCARD_E_CARD_UNSUPPORTED",
        E::NoService => "SCARD_E_NO_SERVICE",
        E::ServiceStopped => "SCARD_E_SERVICE_STOPPED",
        E::UnsupportedFeature => "SCARD_E_UNSUPPORTED_FEATURE",
        E::NoReadersAvailable => "SCARD_E_NO_READERS_AVAILABLE",
        E::CommDataLost => "SCARD_E_COMM_DATA_LOST",
        E::NoAccess => "SCARD_E_NO_ACCESS",
        E::UnsupportedCard => "SCARD_W_UNSUPPORTED_CARD",
        E::UnresponsiveCard => "SCARD_W_UNRESPONSIVE_CARD",
        E::UnpoweredCard => "SCARD_W_UNPOWERED_CARD",
        E::ResetCard => "SCARD_W_RESET_CARD",
        E::RemovedCard => "SCARD_W_REMOVED_CARD",
        E::SecurityViolation => "SCARD_W_SECURITY_VIOLATION",
        E::WrongChv => "SCARD_W_WRONG_CHV",
        E::ChvBlocked => "SCARD_W_CHV_BLOCKED",
        E::Eof => "SCARD_W_EOF",
        E::CancelledByUser => "SCARD_W_CANCELLED_BY_USER",
        E::CardNotAuthenticated => "SCARD_W_CARD_NOT_AUTHENTICATED",
        _ => "SCARD_UNKNOWN",
    };
    PcscCode { code: e as u32, name }
}

/// Classifies a PC/SC error as the transport error a caller can act on.
fn classify(e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        E::RemovedCard | E::ResetCard | E::UnpoweredCard | E::UnresponsiveCard => TransportError::CardRemoved,
        E::NoSmartcard => TransportError::NoCard,
        E::ReaderUnavailable | E::UnknownReader | E::NoReadersAvailable | E::NoService | E::ServiceStopped => {
            TransportError::ReaderUnavailable
        }
        E::SharingViolation => TransportError::ReaderUnavailable,
        E::Timeout => TransportError::Timeout,
        other => TransportError::Pcsc(code(other)),
    }
}

/// The names of the readers `pcscd` knows (none is not an error).
pub fn list_readers() -> Result<Vec<String>, PcscError> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User)?;
    let names = match ctx.list_readers_owned() {
        Ok(n) => n,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    Ok(names.iter().map(|n| n.to_string_lossy().into_owned()).collect())
}

/// A card in a PC/SC reader.
pub struct PcscTransport {
    card: pcsc::Card,
    reader: String,
    // kept alive for the card handle's lifetime
    _ctx: pcsc::Context,
}

impl core::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscTransport").field("reader", &self.reader).finish_non_exhaustive()
    }
}

impl PcscTransport {
    /// Connects to the card in `reader` (exclusive access, T=0 or T=1).
    pub fn connect(reader: &str) -> Result<Self, TransportError> {
        Self::open(reader).map_err(TransportError::from)
    }

    /// Connects to the card in `reader` (exclusive access, T=0 or T=1), keeping the PC/SC code of a failure.
    pub fn open(reader: &str) -> Result<Self, PcscError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User)?;
        let name = CString::new(reader).map_err(|_| PcscError::from(pcsc::Error::UnknownReader))?;
        let card = ctx.connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)?;
        Ok(PcscTransport { card, reader: reader.to_string(), _ctx: ctx })
    }

    /// Waits up to `timeout` for a card in `reader` and connects to it; the last error when none came.
    pub fn wait_for_card(reader: &str, timeout: std::time::Duration) -> Result<Self, TransportError> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match Self::connect(reader) {
                Ok(t) => return Ok(t),
                Err(e) if std::time::Instant::now() >= deadline => return Err(e),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
            }
        }
    }

    /// The reader's name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's ATR (read with `SCardStatus`, which every driver answers).
    pub fn atr(&self) -> Result<Vec<u8>, TransportError> {
        self.card.status2_owned().map(|s| s.atr().to_vec()).map_err(classify)
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let bytes = command.to_bytes()?;
        let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let resp = self.card.transmit(&bytes, &mut buf).map_err(classify)?;
        if resp.is_empty() {
            // not even a status word: the card left the field (vpcd and contactless readers report it so)
            return Err(TransportError::CardRemoved);
        }
        Ok(ResponseApdu::from_bytes(resp)?)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card
            .reconnect(pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY, pcsc::Disposition::ResetCard)
            .map_err(classify)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_their_pcsc_code() {
        let e = PcscError::from(pcsc::Error::NoSmartcard);
        assert_eq!(e.kind, TransportError::NoCard);
        assert_eq!(e.to_string(), "no card present: SCARD_E_NO_SMARTCARD (0x8010000C)");
        let e = PcscError::from(pcsc::Error::ProtoMismatch);
        assert_eq!(e.to_string(), "PC/SC error SCARD_E_PROTO_MISMATCH (0x8010000F)");
        assert_eq!(PcscError::from(pcsc::Error::RemovedCard).kind, TransportError::CardRemoved);
        assert_eq!(code(pcsc::Error::RemovedCard).code, 0x8010_0069);
    }
}
