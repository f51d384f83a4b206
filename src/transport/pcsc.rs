//! The PC/SC backend (feature `pcsc`): any reader `pcscd` (or WinSCard) knows, real or virtual.

use std::ffi::CString;

use super::{Transport, TransportError};
use crate::apdu::{CommandApdu, ResponseApdu};

/// Maps a PC/SC error to the transport error a caller can act on.
fn map(e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        E::RemovedCard | E::ResetCard | E::UnpoweredCard | E::UnresponsiveCard => TransportError::CardRemoved,
        E::NoSmartcard => TransportError::NoCard,
        E::ReaderUnavailable | E::UnknownReader | E::NoReadersAvailable | E::NoService | E::ServiceStopped => {
            TransportError::ReaderUnavailable
        }
        E::SharingViolation => TransportError::ReaderUnavailable,
        E::Timeout => TransportError::Timeout,
        _ => TransportError::Protocol("PC/SC error"),
    }
}

/// The names of the readers `pcscd` knows.
pub fn list_readers() -> Result<Vec<String>, TransportError> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(map)?;
    let names = match ctx.list_readers_owned() {
        Ok(n) => n,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(map(e)),
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
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(map)?;
        let name = CString::new(reader).map_err(|_| TransportError::ReaderUnavailable)?;
        let card = ctx.connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY).map_err(map)?;
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
        self.card.status2_owned().map(|s| s.atr().to_vec()).map_err(map)
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let bytes = command.to_bytes()?;
        let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let resp = self.card.transmit(&bytes, &mut buf).map_err(map)?;
        Ok(ResponseApdu::from_bytes(resp)?)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card.reconnect(pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY, pcsc::Disposition::ResetCard).map_err(map)
    }
}
