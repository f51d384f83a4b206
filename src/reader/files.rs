//! Reading files: the MF probe (EF.ATR/INFO, EF.CardAccess in the clear), then each file by short file
//! identifier or SELECT, its length from the first bytes, in reads as large as the chip takes (extended length,
//! short reads stepped down, `6Cxx` retries), resuming a partly read file where it stopped.

use super::{EXTENDED_READ, ReadError, Reader, SHORT_READ, expect_ok};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, commands, ins};
use crate::lds::LdsFile;
use crate::sm::{SecureChannel, SmError};
use crate::tlv::{Tag, TlvReader};
use crate::transport::{Transport, TransportError};

/// The stand-in total of a file with the BER indefinite length (`77 80 …`), until its end is found.
const INDEFINITE: usize = 1 << 24;

/// Whether a header is a constructed tag with the indefinite length `80`.
fn indefinite_header(b: &[u8]) -> bool {
    let Some(&t0) = b.first() else { return false };
    let mut i = 1;
    if t0 & 0x1F == 0x1F {
        while b.get(i).is_some_and(|x| x & 0x80 != 0) {
            i += 1;
        }
        i += 1;
    }
    t0 & 0x20 != 0 && b.get(i) == Some(&0x80)
}

/// The total length of a TLV object from its first bytes, if they hold the whole header ([`INDEFINITE`] for
/// the BER indefinite length: the end is found while reading).
fn tlv_total_len(first: &[u8]) -> Option<usize> {
    if indefinite_header(first) {
        return Some(INDEFINITE);
    }
    let mut r = TlvReader::new(first);
    match r.read() {
        Ok(t) => Some(t.raw().len()),
        Err(e) => match e.kind {
            crate::tlv::TlvErrorKind::Truncated { needed, .. } => Some(e.offset + needed),
            _ => None,
        },
    }
}

impl Reader {
    /// EF.ATR/INFO and EF.CardAccess (both selected by FID, as some cards refuse to select the MF). Settles
    /// extended length unless neither file tells: then the first long read under secure messaging tries it.
    pub(super) fn probe_mf<T: Transport>(&mut self, t: &mut T) -> Result<(), ReadError> {
        let read = |le: usize| commands::read_binary_at(0, le);
        let ok = |r: &ResponseApdu| r.sw == StatusWord::Success || r.sw == StatusWord::EndOfFileReached;
        if self.extended.is_none()
            && t.transmit(&commands::select_ef(crate::lds::EF_ATR_INFO_FID))?.sw == StatusWord::Success
        {
            let r = t.transmit(&read(256))?;
            if TlvReader::new(&r.data).any(|o| o.is_ok_and(|o| o.tag() == Tag::new(0x7F66))) {
                self.extended = Some(true);
            }
        }
        if !self.done.contains_key(&LdsFile::CardAccess)
            && t.transmit(&commands::select_ef(LdsFile::CardAccess.fid()))?.sw == StatusWord::Success
        {
            let mut r = if self.extended.is_none() {
                // the probe: an extended Le, in the clear
                let r = t.transmit(&read(EXTENDED_READ).extended())?;
                if r.sw == StatusWord::WrongLength {
                    self.extended = Some(false);
                    t.transmit(&read(256))?
                } else {
                    if ok(&r) {
                        self.extended = Some(true);
                    }
                    r
                }
            } else {
                t.transmit(&read(256))?
            };
            if let StatusWord::WrongLe(n @ 1..) = r.sw {
                // `6Cxx`: the file has xx bytes; ask for exactly those
                r = t.transmit(&read(usize::from(n)))?;
            }
            if ok(&r) && r.data.is_empty() {
                // nothing for Le = 00: a chip that takes Le literally
                self.max_short = self.max_short.min(SHORT_READ);
                r = t.transmit(&read(self.max_short))?;
            }
            if ok(&r) {
                let mut file = std::mem::take(&mut r.data);
                // a long EF.CardAccess (explicit domain parameters): the rest, by offset
                let total = tlv_total_len(&file).unwrap_or(file.len()).min(0x7FFF);
                while file.len() < total {
                    let ne = (total - file.len()).min(SHORT_READ).min(self.max_short);
                    let more = t.transmit(&commands::read_binary_at(file.len(), ne))?;
                    if !ok(&more) || more.data.is_empty() {
                        break;
                    }
                    file.extend_from_slice(&more.data);
                }
                // bytes after the TLV (a file allocated larger than its content) are not the file's
                file.truncate(total);
                self.bytes_read += file.len();
                self.done.insert(LdsFile::CardAccess, file);
            }
        }
        Ok(())
    }

    /// The largest read to ask for: extended when known or still to be tried, else short (at most what the
    /// chip has shown it answers).
    fn chunk(&self) -> usize {
        if self.extended == Some(false) { SHORT_READ.min(self.max_short) } else { EXTENDED_READ }
    }

    /// Whether READ BINARY by short file identifier works on this chip, as far as this session has seen.
    pub fn sfi_reads(&self) -> Option<bool> {
        self.sfi
    }

    /// The most data a short READ BINARY has been found to return (256 unless the chip showed less).
    pub fn max_short_read(&self) -> usize {
        self.max_short
    }

    /// The next smaller short read after `asked` got no data: 223 (what fits a short response under secure
    /// messaging), then halves; `None` below 16 bytes.
    fn step_down(asked: usize) -> Option<usize> {
        let next = if asked > SHORT_READ { SHORT_READ } else { asked / 2 };
        (next >= 16).then_some(next)
    }

    /// READ BINARY of `len` bytes at `offset`: by short file identifier (offsets up to 255), by offset, or with
    /// the odd INS above `7FFF`; extended when the chip may take it and more than 256 bytes are asked.
    fn read_command(&self, file: LdsFile, offset: usize, len: usize, by_sfi: bool) -> Result<CommandApdu, ReadError> {
        let c = if by_sfi {
            commands::read_binary_sfi(file.sfi(), offset, len).map_err(TransportError::from)?
        } else {
            commands::read_binary_at(offset, len)
        };
        Ok(if self.extended != Some(false) && len > 256 { c.extended() } else { c })
    }

    pub(super) fn read_file<T: Transport>(
        &mut self,
        ch: &mut SecureChannel<&mut T>,
        file: LdsFile,
    ) -> Result<(), ReadError> {
        if self.partial.as_ref().map(|p| p.0) != Some(file) {
            self.partial = None;
        }
        // whether the file is the chip's current file in this session (an SFI read or a SELECT makes it so)
        let mut selected = false;
        // whether the SFI read of this file was refused (then SELECT and READ BINARY by offset)
        let mut sfi_refused = None;
        // a `6Cxx` answer: the Le to ask with again
        let mut wrong_le: Option<usize> = None;
        loop {
            let (offset, total) = match &self.partial {
                None => (0, None),
                Some((_, b, t)) => (b.len(), Some(*t)),
            };
            if total.is_some_and(|t| offset >= t) {
                break;
            }
            let remaining = match wrong_le.take() {
                Some(n) => n,
                None => total.map_or(self.chunk().min(256).min(self.max_short), |t| (t - offset).min(self.chunk())),
            };
            let by_sfi = !selected && offset <= 255 && self.sfi != Some(false) && sfi_refused.is_none();
            if !selected && !by_sfi {
                expect_ok("SELECT file", &ch.transmit(&commands::select_ef(file.fid()))?)?;
                selected = true;
                continue;
            }
            let command = self.read_command(file, offset, remaining, by_sfi)?;
            let r = match ch.transmit(&command) {
                Err(SmError::UnprotectedResponse(StatusWord::WrongLength)) if self.extended.is_none() => {
                    return Err(ReadError::ExtendedLengthRefused);
                }
                Err(SmError::UnprotectedResponse(sw)) if by_sfi && !sw.is_success() && self.sfi != Some(true) => {
                    sfi_refused = Some(sw);
                    continue;
                }
                // a status word alone, without DO'99 and MAC: how many chips report errors under secure messaging
                Err(SmError::UnprotectedResponse(sw)) if !sw.is_success() => ResponseApdu::status(sw),
                other => other?,
            };
            if let StatusWord::WrongLe(n) = r.sw {
                // `6Cxx`: xx bytes are available from here; ask again with that Le (each retry asks for fewer)
                if n > 0 && usize::from(n) < remaining {
                    wrong_le = Some(usize::from(n));
                    continue;
                }
                return Err(ReadError::Status { step: "READ BINARY", sw: r.sw });
            }
            if r.sw == StatusWord::WrongLength && self.extended.is_none() {
                return Err(ReadError::ExtendedLengthRefused);
            }
            let ok = r.sw == StatusWord::Success || r.sw == StatusWord::from(0x6282);
            if by_sfi && !ok {
                // a chip where SFI reads work means what it says (`6982` protected, `6A82` missing); any other
                // refusal, or one before SFI has been seen to work, is tried again with SELECT
                let trusted = self.sfi == Some(true)
                    && matches!(r.sw, StatusWord::SecurityStatusNotSatisfied | StatusWord::FileNotFound);
                if !trusted {
                    sfi_refused = Some(r.sw);
                    continue;
                }
            }
            if command.is_extended() && self.extended.is_none() && r.sw == StatusWord::Success {
                self.extended = Some(true);
            }
            if !ok {
                return Err(ReadError::Status { step: "READ BINARY", sw: r.sw });
            }
            if by_sfi {
                self.sfi = Some(true);
            } else if sfi_refused.is_some() {
                // the file reads by SELECT: the chip refuses SFI reads, for the rest of the session
                self.sfi = Some(false);
            }
            selected = true;
            let data = if command.ins == ins::READ_BINARY_ODD {
                TlvReader::single(&r.data, Tag::new(0x53))
                    .map(|t| t.value().to_vec())
                    .map_err(|_| ReadError::MalformedFile(file))?
            } else {
                r.data
            };
            if data.is_empty() {
                // no data for a read inside the file: the chip wants a smaller Le (some answer nothing for
                // Le = 00); step down and ask again, nothing read twice
                if command.is_extended() {
                    self.extended = Some(false);
                    continue;
                }
                match Self::step_down(remaining) {
                    Some(next) => {
                        self.max_short = next;
                        continue;
                    }
                    None => return Err(ReadError::MalformedFile(file)),
                }
            }
            let total = match total {
                Some(t) => t,
                None => tlv_total_len(&data).ok_or(ReadError::MalformedFile(file))?,
            };
            let keep = data.len().min(total - offset);
            if !command.is_extended() && data.len() < remaining && offset + keep < total {
                // a short answer inside the file: the most this chip returns
                self.max_short = self.max_short.min(data.len());
            }
            self.bytes_read += keep;
            match &mut self.partial {
                Some((_, b, _)) => b.extend_from_slice(data.get(..keep).unwrap_or_default()),
                None => self.partial = Some((file, data.get(..keep).unwrap_or_default().to_vec(), total)),
            }
            // an indefinite-length file (some passports' EF.SOD is `77 80 …`): it ends with its end-of-contents,
            // or where the chip's file ends (a short answer, 6282)
            if let Some((_, b, t)) = &mut self.partial
                && *t == INDEFINITE
            {
                if let Ok(n) = TlvReader::new(b).read().map(|tlv| tlv.raw().len()) {
                    b.truncate(n);
                    *t = n;
                } else if data.len() < remaining || r.sw == StatusWord::from(0x6282) {
                    *t = b.len();
                }
            }
        }
        if let Some((f, bytes, _)) = self.partial.take() {
            self.done.insert(f, bytes);
        }
        Ok(())
    }
}
