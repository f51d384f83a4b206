//! The personalization link (protected by the session, or in the clear) and the reads the personalizer makes
//! over it: EF.ATR/INFO, SELECT, the whole of a file.

use super::{PersoError, PersoSession, ok};
use crate::apdu::commands as iso;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::lds::{EF_ATR_INFO_FID, LdsFile};
use crate::sm::SecureChannel;
use crate::tlv::{Tag, TlvReader};
use crate::transport::Transport;

/// Whether the chip announces extended length in EF.ATR/INFO (read in the clear).
pub(super) fn extended_length<T: Transport>(t: &mut T) -> Result<bool, PersoError> {
    if t.transmit(&iso::select_ef(EF_ATR_INFO_FID))?.sw != StatusWord::Success {
        return Ok(false);
    }
    let r = t.transmit(&iso::read_binary_at(0, 256))?;
    Ok(TlvReader::new(&r.data).any(|o| o.is_ok_and(|o| o.tag() == Tag::new(0x7F66))))
}

/// The personalization link: protected by the session, or in the clear.
pub(super) enum Link<'t, T: Transport + ?Sized> {
    Secure(SecureChannel<&'t mut T>),
    Plain(&'t mut T),
}

impl<'t, T: Transport + ?Sized> Link<'t, T> {
    pub(super) fn new(t: &'t mut T, session: PersoSession) -> Self {
        match session {
            PersoSession::Secure(sm) => Link::Secure(SecureChannel::new(t, sm)),
            PersoSession::Plain => Link::Plain(t),
        }
    }

    pub(super) fn transmit(&mut self, c: &CommandApdu) -> Result<ResponseApdu, PersoError> {
        Ok(match self {
            Link::Secure(ch) => ch.transmit(c)?,
            Link::Plain(t) => t.transmit(c)?,
        })
    }
}

/// Whether the verifying reader session cannot read `file` (DG3 and DG4 need Terminal Authentication).
pub(super) fn reader_cannot_read(file: LdsFile) -> bool {
    matches!(file.dg_number(), Some(3 | 4))
}

pub(super) fn select_file<T: Transport + ?Sized>(ch: &mut Link<'_, T>, file: LdsFile) -> Result<(), PersoError> {
    ok("SELECT file", &ch.transmit(&iso::select_ef(file.fid()))?)
}

/// Whether the current file has a byte at `offset` (it is longer than `offset` bytes).
pub(super) fn longer_than<T: Transport + ?Sized>(ch: &mut Link<'_, T>, offset: usize) -> Result<bool, PersoError> {
    let r = ch.transmit(&iso::read_binary_at(offset, 1))?;
    Ok(r.sw == StatusWord::Success && !r.data.is_empty())
}

/// Reads `len` bytes of the current file.
pub(super) fn read_whole<T: Transport + ?Sized>(
    ch: &mut Link<'_, T>,
    len: usize,
    extended: bool,
) -> Result<Vec<u8>, PersoError> {
    let chunk = if extended { 65_000 } else { 223 };
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let offset = out.len();
        let want = (len - offset).min(chunk);
        let c = iso::read_binary_at(offset, want);
        let r = ch.transmit(&c)?;
        if r.sw != StatusWord::Success && r.sw != StatusWord::EndOfFileReached {
            return Err(PersoError::Rejected { step: "READ BINARY", sw: r.sw });
        }
        let data = if c.ins == ins::READ_BINARY_ODD {
            TlvReader::single(&r.data, Tag::new(iso::DISCRETIONARY_DO)).map(|t| t.value().to_vec()).unwrap_or_default()
        } else {
            r.data
        };
        if data.is_empty() {
            break;
        }
        out.extend_from_slice(&data);
    }
    out.truncate(len);
    Ok(out)
}
