//! The caller's transport: a transmit callback (a printer SDK's encoder, a test harness, the in-process
//! virtual chip) or, with the `pcsc` feature, a PC/SC reader by name.

use std::ffi::{c_int, c_void};

use cccd::apdu::{CommandApdu, ResponseApdu};
use cccd::transport::{Transport, TransportError};

use crate::{Failure, cccd_status};

/// Sends one command APDU (`apdu`, `apdu_len` bytes) to the chip and writes its response (data and status
/// word, at most `resp_cap` bytes) into `resp`, its length into `*resp_len`. Returns 0 on success, any other
/// value on failure (the call then fails with `CCCD_ERR_CALLBACK`, its message giving the value).
///
/// Called synchronously on the thread that called the library function, only during that call; `ctx` is
/// passed through untouched. `resp_cap` is at least 65538 (an extended-length response).
pub type cccd_transmit_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        apdu: *const u8,
        apdu_len: usize,
        resp: *mut u8,
        resp_cap: usize,
        resp_len: *mut usize,
    ) -> c_int,
>;

/// What `cccd_virtual_chip_transmit` returns when `resp_cap` is too
/// small for the response.
pub const CCCD_TRANSMIT_BUFFER_TOO_SMALL: c_int = -2;

/// The response buffer handed to the callback: an extended-length response (65536 bytes) and its status word.
pub(crate) const RESPONSE_CAPACITY: usize = 65_538;

/// A [`Transport`] over the caller's callback; remembers how the callback failed, for the message.
pub(crate) struct Callback {
    transmit: unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut u8, usize, *mut usize) -> c_int,
    ctx: *mut c_void,
    buffer: Vec<u8>,
    /// The callback's failure: its return value, or a response length beyond the buffer.
    pub(crate) failed: Option<String>,
}

impl Callback {
    /// The transport of `transmit` with `ctx`; NULL `transmit` is refused.
    pub(crate) fn new(transmit: cccd_transmit_fn, ctx: *mut c_void) -> Result<Self, Failure> {
        let transmit = transmit
            .ok_or_else(|| Failure::new(cccd_status::CCCD_ERR_NULL_ARGUMENT, "the transmit callback is NULL"))?;
        Ok(Callback { transmit, ctx, buffer: vec![0; RESPONSE_CAPACITY], failed: None })
    }

    /// The failure to report for a library error: the callback's own failure first (it caused the error).
    pub(crate) fn failure(&self, e: impl Into<cccd::Error>) -> Failure {
        match &self.failed {
            Some(why) => Failure::new(cccd_status::CCCD_ERR_CALLBACK, why.clone()),
            None => Failure::from(e),
        }
    }
}

impl Transport for Callback {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let apdu = command.to_bytes()?;
        let mut len = 0usize;
        // SAFETY: the callback's contract (cccd_transmit_fn): `apdu` readable, `buffer` writable for its length.
        let rc = unsafe {
            (self.transmit)(self.ctx, apdu.as_ptr(), apdu.len(), self.buffer.as_mut_ptr(), self.buffer.len(), &mut len)
        };
        if rc != 0 {
            self.failed = Some(format!("the transmit callback returned {rc}"));
            return Err(TransportError::Protocol("the transmit callback failed"));
        }
        let Some(response) = self.buffer.get(..len) else {
            self.failed = Some(format!(
                "the transmit callback claimed a {len}-byte response in a {}-byte buffer",
                self.buffer.len()
            ));
            return Err(TransportError::Protocol("the transmit callback overran its buffer"));
        };
        let parsed = ResponseApdu::from_bytes(response);
        if let Some(used) = self.buffer.get_mut(..len) {
            zeroize::Zeroize::zeroize(used);
        }
        Ok(parsed?)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        // the caller's transport has no reset: the next session starts with SELECT, as after a reset
        Ok(())
    }
}

impl Drop for Callback {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.buffer.as_mut_slice());
    }
}

/// A PC/SC reader by name, waiting up to `wait_seconds` for a card.
#[cfg(feature = "pcsc")]
pub(crate) fn pcsc(reader: &str, wait_seconds: u64) -> Result<cccd::transport::pcsc::PcscTransport, Failure> {
    cccd::transport::pcsc::PcscTransport::wait_for_card(reader, std::time::Duration::from_secs(wait_seconds)).map_err(
        |e| {
            let e = cccd::Error::from(e);
            Failure::new(crate::status_of_kind(cccd::json::ErrorKind::of(&e)), format!("{reader}: {e}"))
        },
    )
}
