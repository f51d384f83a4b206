//! The card side of the `vsmartcard-vpcd` virtual reader protocol: puts any card implemented as a
//! [`Transport`] (the virtual chip) behind a real `pcscd`, so every PC/SC program can talk to it.
//!
//! The virtual card connects over TCP to the reader driver (`Virtual PCD 00 00` listens on 35963, `00 01` on
//! 35964). Every frame is a 2-byte big-endian length and a payload. A 1-byte payload from the reader is control:
//! `00` power off, `01` power on, `02` reset, `04` "send the ATR" (answered with one ATR frame). A longer payload
//! is a command APDU, answered with the response APDU. Each answer goes out in one write, and `TCP_QUICKACK` is set
//! after every read (without it each APDU waits ~40 ms for a delayed ACK).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::transport::Transport;

/// The default port of the first vpcd reader (`Virtual PCD 00 00`).
pub const DEFAULT_PORT: u16 = 35963;

/// A vpcd failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VpcdError {
    /// The connection to the reader driver failed or broke.
    #[error("vpcd connection: {0}")]
    Io(#[from] std::io::Error),
    /// A frame that the protocol does not allow.
    #[error("malformed vpcd frame: {0}")]
    Malformed(&'static str),
}

/// A frame from the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `00`: power off.
    PowerOff,
    /// `01`: power on.
    PowerOn,
    /// `02`: reset.
    Reset,
    /// `04`: the reader asks for the ATR.
    GetAtr,
    /// A command APDU (its bytes; not yet parsed).
    Apdu(Vec<u8>),
}

/// Interprets a frame's payload.
pub fn parse_frame(payload: &[u8]) -> Result<Frame, VpcdError> {
    match payload {
        [] => Err(VpcdError::Malformed("empty frame")),
        [0x00] => Ok(Frame::PowerOff),
        [0x01] => Ok(Frame::PowerOn),
        [0x02] => Ok(Frame::Reset),
        [0x04] => Ok(Frame::GetAtr),
        [_] => Err(VpcdError::Malformed("unknown control byte")),
        apdu => Ok(Frame::Apdu(apdu.to_vec())),
    }
}

/// The answer a card gives to a frame (`None`: no answer, as for power and reset control).
pub fn answer<T: Transport>(card: &mut T, atr: &[u8], frame: &Frame) -> Option<Vec<u8>> {
    match frame {
        Frame::PowerOff | Frame::PowerOn | Frame::Reset => {
            // a re-powered card loses every session; the virtual chip cannot fail here
            let _ = card.reset();
            None
        }
        Frame::GetAtr => Some(atr.to_vec()),
        Frame::Apdu(bytes) => Some(match CommandApdu::from_bytes(bytes) {
            Ok(cmd) => match card.transmit(&cmd) {
                Ok(r) => r.to_bytes(),
                Err(_) => ResponseApdu::status(StatusWord::from(0x6F00)).to_bytes(),
            },
            Err(_) => ResponseApdu::status(StatusWord::from(0x6700)).to_bytes(),
        }),
    }
}

/// A connection to the vpcd reader driver.
#[derive(Debug)]
pub struct VpcdConnection {
    stream: TcpStream,
}

impl VpcdConnection {
    /// Connects to the reader driver at `host:port`.
    pub fn connect(host: &str, port: u16) -> Result<Self, VpcdError> {
        let stream = TcpStream::connect((host, port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_millis(200)))?;
        Ok(VpcdConnection { stream })
    }

    fn quickack(&self) {
        // Linux only; elsewhere delayed ACKs cost latency, not correctness
        #[cfg(target_os = "linux")]
        {
            let _ = socket2::SockRef::from(&self.stream).set_tcp_quickack(true);
        }
    }

    /// Reads one frame; `Ok(None)` when the read timed out with nothing received (so the caller can check a
    /// stop flag).
    fn read_frame(&mut self) -> Result<Option<Vec<u8>>, VpcdError> {
        let mut len = [0u8; 2];
        let first = self.stream.read(&mut len[..1]);
        self.quickack();
        match first {
            Ok(0) => return Err(VpcdError::Io(std::io::ErrorKind::UnexpectedEof.into())),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        }
        self.stream.set_read_timeout(None)?;
        let result = (|| {
            self.stream.read_exact(&mut len[1..])?;
            self.quickack();
            let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
            self.stream.read_exact(&mut payload)?;
            Ok::<_, std::io::Error>(payload)
        })();
        self.stream.set_read_timeout(Some(Duration::from_millis(200)))?;
        self.quickack();
        Ok(Some(result?))
    }

    fn write_frame(&mut self, payload: &[u8]) -> Result<(), VpcdError> {
        let len = u16::try_from(payload.len()).map_err(|_| VpcdError::Malformed("answer longer than 65535"))?;
        let mut frame = Vec::with_capacity(payload.len() + 2);
        frame.extend_from_slice(&len.to_be_bytes());
        frame.extend_from_slice(payload);
        self.stream.write_all(&frame)?;
        Ok(())
    }

    /// Serves `card` until `stop` is set, the driver closes the connection, or the card leaves the field (an
    /// injected fault): then the connection is dropped, which the reader sees as a removed card.
    pub fn serve<T: Transport>(
        &mut self,
        card: &mut T,
        atr: &[u8],
        stop: &Arc<AtomicBool>,
    ) -> Result<ServeEnd, VpcdError> {
        self.serve_observed(card, atr, stop, &mut || {})
    }

    /// [`serve`](Self::serve), calling `on_ready` once the reader driver has taken the card: the first time it
    /// asks for the ATR on this connection (after powering the card), which is when `pcscd` reports a card
    /// present and a client can connect to it.
    pub fn serve_observed<T: Transport>(
        &mut self,
        card: &mut T,
        atr: &[u8],
        stop: &Arc<AtomicBool>,
        on_ready: &mut dyn FnMut(),
    ) -> Result<ServeEnd, VpcdError> {
        let mut ready = false;
        while !stop.load(Ordering::Relaxed) {
            let Some(payload) = self.read_frame()? else { continue };
            let frame = parse_frame(&payload)?;
            if frame == Frame::GetAtr && !ready {
                self.write_frame(atr)?;
                ready = true;
                on_ready();
                continue;
            }
            if let Frame::Apdu(bytes) = &frame
                && let Ok(cmd) = CommandApdu::from_bytes(bytes)
            {
                match card.transmit(&cmd) {
                    Ok(r) => self.write_frame(&r.to_bytes())?,
                    Err(crate::transport::TransportError::CardRemoved) => return Ok(ServeEnd::CardRemoved),
                    Err(_) => self.write_frame(&ResponseApdu::status(StatusWord::from(0x6F00)).to_bytes())?,
                }
                continue;
            }
            if let Some(reply) = answer(card, atr, &frame) {
                self.write_frame(&reply)?;
            }
        }
        Ok(ServeEnd::Stopped)
    }
}

/// Why [`VpcdConnection::serve`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeEnd {
    /// The stop flag was set.
    Stopped,
    /// The card left the field (a fault injected in the virtual chip).
    CardRemoved,
}

/// An ATR for a contactless eMRTD behind a PC/SC reader (PC/SC Part 3 form for ISO 14443-4 type A).
pub const DEFAULT_ATR: [u8; 11] = [0x3B, 0x86, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85, 0x66];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(parse_frame(&[0x00]).unwrap(), Frame::PowerOff);
        assert_eq!(parse_frame(&[0x04]).unwrap(), Frame::GetAtr);
        assert!(parse_frame(&[]).is_err());
        assert!(parse_frame(&[0x03]).is_err());
        assert_eq!(parse_frame(&[0x00, 0xA4]).unwrap(), Frame::Apdu(vec![0x00, 0xA4]));
    }

    /// A card that answers `9000` to everything.
    struct Ok9000;

    impl Transport for Ok9000 {
        fn transmit(&mut self, _: &CommandApdu) -> Result<ResponseApdu, crate::transport::TransportError> {
            Ok(ResponseApdu::status(StatusWord::Success))
        }

        fn reset(&mut self) -> Result<(), crate::transport::TransportError> {
            Ok(())
        }
    }

    #[test]
    fn ready_is_reported_once_the_driver_took_the_atr_and_only_then() {
        use std::sync::atomic::AtomicUsize;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let ready = Arc::new(AtomicUsize::new(0));
        let seen = ready.clone();
        let driver = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut exchange = |payload: &[u8], answer: bool| {
                let mut frame = u16::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
                frame.extend_from_slice(payload);
                s.write_all(&frame).unwrap();
                if !answer {
                    return Vec::new();
                }
                let mut len = [0u8; 2];
                s.read_exact(&mut len).unwrap();
                let mut reply = vec![0u8; usize::from(u16::from_be_bytes(len))];
                s.read_exact(&mut reply).unwrap();
                reply
            };
            let select = [0x00, 0xA4, 0x04, 0x0C];
            exchange(&[0x01], false);
            // the power-on was handled (an APDU after it is answered), but nobody has the ATR yet
            assert_eq!(exchange(&select, true), [0x90, 0x00]);
            let before = seen.load(Ordering::SeqCst);
            assert_eq!(exchange(&[0x04], true), DEFAULT_ATR);
            assert_eq!(exchange(&select, true), [0x90, 0x00]);
            let after = seen.load(Ordering::SeqCst);
            assert_eq!(exchange(&[0x04], true), DEFAULT_ATR, "the ATR again, ready not again");
            assert_eq!(exchange(&select, true), [0x90, 0x00]);
            (before, after, seen.load(Ordering::SeqCst))
        });
        let mut conn = VpcdConnection::connect("127.0.0.1", port).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let end = conn.serve_observed(&mut Ok9000, &DEFAULT_ATR, &stop, &mut || {
            ready.fetch_add(1, Ordering::SeqCst);
        });
        assert!(matches!(end, Err(VpcdError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof));
        assert_eq!(driver.join().unwrap(), (0, 1, 1));
    }
}
