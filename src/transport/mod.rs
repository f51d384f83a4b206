//! Transports: how APDUs reach a chip. The [`Transport`] trait (command in, response out), its typed errors,
//! and wrappers that log ([`Logging`], data redacted), record ([`Recording`]), complete `61xx`/`6Cxx`
//! responses ([`GetResponse`]) or replay a recorded exchange ([`Replay`], for tests).
//!
//! The host side (reader, personalizer) and the card side (the emulator) meet only through this trait.

#[cfg(feature = "pcsc")]
pub mod pcsc;

use core::fmt;
use std::collections::VecDeque;

use crate::apdu::{ApduError, CommandApdu, MAX_SHORT_NE, ResponseApdu, StatusWord};

/// What went wrong on the way to or from the chip (not what the chip answered: that is a status word).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The card left the field or was pulled out of the reader.
    #[error("card removed")]
    CardRemoved,
    /// No card is present.
    #[error("no card present")]
    NoCard,
    /// The reader is gone, busy or not usable.
    #[error("reader unavailable")]
    ReaderUnavailable,
    /// The card did not answer in time.
    #[error("timeout")]
    Timeout,
    /// The response bytes are not a response APDU, or the command cannot be encoded.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// A transmission protocol failure (T=0/T=1/ISO 14443-4), with the backend's description.
    #[error("protocol error: {0}")]
    Protocol(&'static str),
    /// A PC/SC error that none of the variants above describes, with its code
    /// (`SCARD_E_PROTO_MISMATCH (0x8010000F)`).
    #[error("PC/SC error {0}")]
    Pcsc(PcscCode),
    /// A replayed exchange received another command than the one recorded (tests).
    #[error("command {index} differs from the recorded exchange")]
    UnexpectedCommand {
        /// Index of the exchange in the recording.
        index: usize,
    },
}

/// A PC/SC return code with its name from the PC/SC specification (`SCARD_E_NO_SMARTCARD`, `0x8010000C`),
/// shown as `SCARD_E_NO_SMARTCARD (0x8010000C)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PcscCode {
    /// The code (`LONG` in `winscard.h`, as unsigned).
    pub code: u32,
    /// Its name (`"SCARD_E_NO_SMARTCARD"`; `"SCARD_UNKNOWN"` for a code outside the specification).
    pub name: &'static str,
}

impl fmt::Display for PcscCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:08X})", self.name, self.code)
    }
}

/// A channel to a chip: send a command APDU, receive its response APDU.
pub trait Transport {
    /// Sends `command` and returns the chip's response. A status word other than `9000` is a response, not an
    /// error.
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError>;

    /// Resets the card (cold or warm reset, or a new field activation), ending every session on it.
    fn reset(&mut self) -> Result<(), TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        (**self).transmit(command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        (**self).reset()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        (**self).transmit(command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        (**self).reset()
    }
}

/// A transport that reports every exchange to a sink as one line, with the header, lengths and status word
/// only: data fields (keys, cryptograms, personal data) are never printed.
pub struct Logging<T, F: FnMut(&str)> {
    inner: T,
    sink: F,
}

impl<T: fmt::Debug, F: FnMut(&str)> fmt::Debug for Logging<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logging").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl<T: Transport, F: FnMut(&str)> Logging<T, F> {
    /// Wraps `inner`, sending log lines to `sink` (e.g. `|l| eprintln!("{l}")`).
    pub fn new(inner: T, sink: F) -> Self {
        Logging { inner, sink }
    }

    /// The wrapped transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// The log line of a command: `> CLA INS P1 P2 nc=… ne=…`.
pub fn redacted_command(command: &CommandApdu) -> String {
    let ne = command.le.map_or_else(|| "-".to_string(), |n| n.to_string());
    let [cla, ins, p1, p2] = command.header();
    format!("> {cla:02X} {ins:02X} {p1:02X} {p2:02X} nc={} ne={ne}", command.data.len())
}

/// The log line of a response: `< nr=… sw=….`.
pub fn redacted_response(response: &ResponseApdu) -> String {
    format!("< nr={} sw={}", response.data.len(), response.sw)
}

impl<T: Transport, F: FnMut(&str)> Transport for Logging<T, F> {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        (self.sink)(&redacted_command(command));
        let result = self.inner.transmit(command);
        match &result {
            Ok(response) => (self.sink)(&redacted_response(response)),
            Err(e) => (self.sink)(&format!("! {e}")),
        }
        result
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        (self.sink)("reset");
        self.inner.reset()
    }
}

/// A transport that completes responses for T=0 style chips (ISO/IEC 7816-4 §5.3.4): on `61xx` it sends
/// `GET RESPONSE` for the remaining bytes and concatenates them; on `6Cxx` it resends the command with
/// `Le = xx`. Stops after `max_rounds` extra commands so a misbehaving chip cannot loop forever.
#[derive(Debug)]
pub struct GetResponse<T> {
    inner: T,
    max_rounds: usize,
}

impl<T: Transport> GetResponse<T> {
    /// Wraps `inner`, allowing up to 64 extra commands per exchange.
    pub fn new(inner: T) -> Self {
        GetResponse { inner, max_rounds: 64 }
    }

    /// The wrapped transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for GetResponse<T> {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let mut response = self.inner.transmit(command)?;
        let mut data = Vec::new();
        for _ in 0..self.max_rounds {
            match response.sw {
                StatusWord::WrongLe(n) if data.is_empty() => {
                    let ne = if n == 0 { MAX_SHORT_NE } else { usize::from(n) };
                    response = self.inner.transmit(&command.clone().with_le(ne))?;
                }
                StatusWord::BytesRemaining(n) => {
                    data.extend_from_slice(&response.data);
                    let ne = if n == 0 { MAX_SHORT_NE } else { usize::from(n) };
                    let get = crate::apdu::commands::get_response(command.cla, ne);
                    response = self.inner.transmit(&get)?;
                }
                _ => {
                    data.extend_from_slice(&response.data);
                    return Ok(ResponseApdu { data, sw: response.sw });
                }
            }
        }
        Err(TransportError::Protocol("too many GET RESPONSE rounds"))
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}

/// One recorded exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The command sent.
    pub command: CommandApdu,
    /// What came back.
    pub response: Result<ResponseApdu, TransportError>,
}

/// A transport that keeps every exchange (full data: keep recordings of real documents private).
#[derive(Debug)]
pub struct Recording<T> {
    inner: T,
    exchanges: Vec<Exchange>,
}

impl<T: Transport> Recording<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Recording { inner, exchanges: Vec::new() }
    }

    /// The exchanges so far.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// The wrapped transport and the recording.
    pub fn into_parts(self) -> (T, Vec<Exchange>) {
        (self.inner, self.exchanges)
    }
}

impl<T: Transport> Transport for Recording<T> {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let response = self.inner.transmit(command);
        self.exchanges.push(Exchange { command: command.clone(), response: response.clone() });
        response
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}

/// A transport that plays back recorded `(command, response)` byte pairs, checking that each command is the
/// recorded one (for tests and worked examples).
#[derive(Clone, Default)]
pub struct Replay {
    script: VecDeque<(Vec<u8>, Vec<u8>)>,
    index: usize,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The recorded bytes may hold personal data: print counts only.
        f.debug_struct("Replay").field("played", &self.index).field("remaining", &self.script.len()).finish()
    }
}

impl Replay {
    /// A replay of `(command bytes, response bytes)` pairs, in order.
    pub fn new(script: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) -> Self {
        Replay { script: script.into_iter().collect(), index: 0 }
    }

    /// Whether every recorded exchange was played.
    pub fn is_finished(&self) -> bool {
        self.script.is_empty()
    }
}

impl Transport for Replay {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let index = self.index;
        let (expected, response) = self.script.pop_front().ok_or(TransportError::UnexpectedCommand { index })?;
        self.index = index.saturating_add(1);
        if command.to_bytes()? != expected {
            return Err(TransportError::UnexpectedCommand { index });
        }
        Ok(ResponseApdu::from_bytes(&response)?)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script() -> Replay {
        Replay::new([
            (hex::decode("0084000008").unwrap(), hex::decode("4608F919887022129000").unwrap()),
            (hex::decode("00A4020C02011E").unwrap(), hex::decode("6A82").unwrap()),
        ])
    }

    #[test]
    fn logging_redacts_data() {
        let mut lines = Vec::new();
        {
            let mut t = Logging::new(script(), |l: &str| lines.push(l.to_string()));
            let r = t.transmit(&CommandApdu::new(0, 0x84, 0, 0).with_le(8)).unwrap();
            assert_eq!(r.data, hex::decode("4608F91988702212").unwrap());
            let r = t.transmit(&CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(vec![1, 0x1E])).unwrap();
            assert_eq!(r.sw, StatusWord::FileNotFound);
            assert!(t.transmit(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1)).is_err());
        }
        assert_eq!(
            lines,
            [
                "> 00 84 00 00 nc=0 ne=8",
                "< nr=8 sw=9000",
                "> 00 A4 02 0C nc=2 ne=-",
                "< nr=0 sw=6A82",
                "> 00 B0 00 00 nc=0 ne=1",
                "! command 2 differs from the recorded exchange"
            ]
        );
        assert!(!lines.concat().contains("4608"));
    }

    #[test]
    fn get_response_and_wrong_le() {
        let mut t = GetResponse::new(Replay::new([
            (hex::decode("00B0000000").unwrap(), hex::decode("6C04").unwrap()),
            (hex::decode("00B0000004").unwrap(), hex::decode("60146104").unwrap()),
            (hex::decode("00C0000004").unwrap(), hex::decode("5F0104306282").unwrap()),
        ]));
        let r = t.transmit(&CommandApdu::new(0, 0xB0, 0, 0).with_le(256)).unwrap();
        assert_eq!(r.data, hex::decode("60145F010430").unwrap());
        assert_eq!(r.sw, StatusWord::EndOfFileReached);
        let replay = t.into_inner();
        assert!(replay.is_finished());
        assert_eq!(format!("{replay:?}"), "Replay { played: 3, remaining: 0 }");
        // A chip that never stops asking.
        let script = (0..70).map(|_| (hex::decode("00C0000001").unwrap(), hex::decode("AA6101").unwrap()));
        let mut first = vec![(hex::decode("00CA010101").unwrap(), hex::decode("6101").unwrap())];
        first.extend(script);
        let mut t = GetResponse::new(Replay::new(first));
        assert_eq!(
            t.transmit(&CommandApdu::new(0, 0xCA, 1, 1).with_le(1)),
            Err(TransportError::Protocol("too many GET RESPONSE rounds"))
        );
    }

    #[test]
    fn recording_and_replay() {
        let mut t = Recording::new(script());
        t.transmit(&CommandApdu::new(0, 0x84, 0, 0).with_le(8)).unwrap();
        // A different command than recorded.
        assert_eq!(
            t.transmit(&CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(vec![1, 0x01])),
            Err(TransportError::UnexpectedCommand { index: 1 })
        );
        let (replay, exchanges) = t.into_parts();
        assert!(replay.is_finished());
        assert_eq!(exchanges.len(), 2);
        assert_eq!(exchanges[0].response.as_ref().unwrap().sw, StatusWord::Success);
        assert!(exchanges[1].response.is_err());
    }
}

/// Fault injection for tests and QA rigs: the card is "pulled" when APDU number `at` (counting from 0) is sent:
/// that APDU fails with [`TransportError::CardRemoved`] and the card underneath is reset (it lost power). The
/// APDUs after it go through, as if the card were put back.
#[derive(Debug)]
pub struct PullCard<T> {
    inner: T,
    at: Option<usize>,
    sent: usize,
}

impl<T: Transport> PullCard<T> {
    /// Pulls the card at APDU `at`.
    pub fn new(inner: T, at: usize) -> Self {
        PullCard { inner, at: Some(at), sent: 0 }
    }

    /// Whether the card has been pulled.
    pub fn pulled(&self) -> bool {
        self.at.is_none()
    }

    /// The transport underneath.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for PullCard<T> {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        if self.at == Some(self.sent) {
            self.at = None;
            self.inner.reset()?;
            return Err(TransportError::CardRemoved);
        }
        self.sent += 1;
        self.inner.transmit(command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}
