//! The virtual chip's file system commands: SELECT (the eMRTD application by AID, files by FID), READ BINARY
//! (by offset, short file identifier or the odd INS with DO'54) with the access rules of each file, and UPDATE
//! BINARY of the personalization command set.

use super::{CurrentFile, Selected, VirtualChip, perso, sw};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::lds::{EF_ATR_INFO_FID, EMRTD_AID, LdsFile, MF_FID};
use crate::tlv::{Tag, TlvReader, encode_tlv};

impl VirtualChip {
    pub(super) fn select(&mut self, c: &CommandApdu) -> ResponseApdu {
        if c.p2 & 0xF3 != 0x00 && c.p2 != 0x0C {
            return sw(0x6A86);
        }
        match c.p1 {
            0x04 => {
                if c.data == EMRTD_AID {
                    self.selected = Selected::App;
                    self.current = CurrentFile::None;
                    sw(0x9000)
                } else {
                    sw(0x6A82)
                }
            }
            0x00 | 0x02 => {
                let fid = match c.data.as_slice() {
                    [] if c.p1 == 0x00 => MF_FID,
                    [a, b] => u16::from_be_bytes([*a, *b]),
                    _ => return sw(0x6A87),
                };
                match fid {
                    MF_FID => {
                        self.selected = Selected::Mf;
                        self.current = CurrentFile::None;
                        sw(0x9000)
                    }
                    crate::cvc::ef_cvca::EF_CVCA_FID if self.selected == Selected::App && self.eac.ta.is_some() => {
                        self.current = CurrentFile::Cvca;
                        sw(0x9000)
                    }
                    fid if fid == LdsFile::CardAccess.fid() && self.image.files.contains_key(&LdsFile::CardAccess) => {
                        self.current = CurrentFile::CardAccess;
                        sw(0x9000)
                    }
                    // EF.CardSecurity: in the MF, where its FID is not EF.SOD's
                    0x011D
                        if self.selected != Selected::App && self.image.files.contains_key(&LdsFile::CardSecurity) =>
                    {
                        self.current = CurrentFile::Lds(LdsFile::CardSecurity);
                        sw(0x9000)
                    }
                    EF_ATR_INFO_FID if !self.atr_info.is_empty() && self.selected != Selected::App => {
                        self.current = CurrentFile::AtrInfo;
                        sw(0x9000)
                    }
                    fid => match LdsFile::from_fid(fid) {
                        Some(f) if self.selected == Selected::App && self.image.files.contains_key(&f) => {
                            self.current = CurrentFile::Lds(f);
                            sw(0x9000)
                        }
                        _ => sw(0x6A82),
                    },
                }
            }
            _ => sw(0x6A86),
        }
    }

    fn file_bytes(&self, file: CurrentFile, secure: bool) -> Result<&[u8], u16> {
        if let (CurrentFile::Lds(f), true) = (file, secure && self.perso_session) {
            // the writer reads back every file it wrote, biometrics included
            return self.image.files.get(&f).map(Vec::as_slice).ok_or(0x6A82);
        }
        match file {
            CurrentFile::None => Err(0x6986),
            CurrentFile::AtrInfo => Ok(&self.atr_info),
            CurrentFile::Cvca => Ok(&self.eac.ef_cvca),
            CurrentFile::CardAccess => self.image.files.get(&LdsFile::CardAccess).map(Vec::as_slice).ok_or(0x6A82),
            CurrentFile::Lds(f) => {
                if !secure || f.dg_number().is_some_and(|n| matches!(n, 3 | 4) && !self.eac_may_read(n)) {
                    return Err(0x6982);
                }
                self.image.files.get(&f).map(Vec::as_slice).ok_or(0x6A82)
            }
        }
    }

    pub(super) fn read_binary(&mut self, c: &CommandApdu, secure: bool) -> ResponseApdu {
        let Some(le) = c.le else { return sw(0x6700) };
        let (offset, wrap_53) = if c.ins == ins::READ_BINARY_ODD {
            // offset in DO'54, response in DO'53
            let Ok(t) = TlvReader::single(&c.data, Tag::new(0x54)) else { return sw(0x6A80) };
            if t.value().is_empty() || t.value().len() > 3 {
                return sw(0x6A80);
            }
            let offset = t.value().iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
            (offset, true)
        } else if c.p1 & 0x80 != 0 {
            // short file identifier
            if !self.config.sfi_reads {
                return sw(0x6985);
            }
            if c.p1 & 0x60 != 0 {
                return sw(0x6A86);
            }
            let Some(f) = LdsFile::from_sfi(c.p1 & 0x1F) else { return sw(0x6A82) };
            let cvca = c.p1 & 0x1F == crate::cvc::ef_cvca::EF_CVCA_SFI && self.selected == Selected::App;
            let card_security = self.selected != Selected::App && self.image.files.contains_key(&LdsFile::CardSecurity);
            let file = match f {
                _ if cvca && self.eac.ta.is_some() => CurrentFile::Cvca,
                LdsFile::CardAccess => CurrentFile::CardAccess,
                LdsFile::Sod if card_security => CurrentFile::Lds(LdsFile::CardSecurity),
                other if self.selected == Selected::App && self.image.files.contains_key(&other) => {
                    CurrentFile::Lds(other)
                }
                _ => return sw(0x6A82),
            };
            self.current = file;
            (usize::from(c.p2), false)
        } else {
            (usize::from(u16::from_be_bytes([c.p1, c.p2])), false)
        };
        let bytes = match self.file_bytes(self.current, secure) {
            Ok(b) => b,
            Err(s) => return sw(s),
        };
        if offset > bytes.len() {
            return sw(0x6B00);
        }
        let le = if le == 256 && !c.is_extended() && self.config.empty_for_le_zero { 0 } else { le };
        let available = bytes.len() - offset;
        if self.config.quirks.wrong_le && le > available && (1..=255).contains(&available) {
            // "wrong Le: xx bytes available"
            return sw(0x6C00 | available as u16);
        }
        let n = le.min(self.config.max_read).min(available);
        let data = bytes.get(offset..offset + n).unwrap_or_default().to_vec();
        let at_end = offset + n == bytes.len();
        let status = if at_end && (n < le || self.config.quirks.eof_6282) { 0x6282 } else { 0x9000 };
        let data = if wrap_53 { encode_tlv(Tag::new(0x53), &data) } else { data };
        ResponseApdu::new(data, StatusWord::from(status))
    }

    pub(super) fn update_binary(&mut self, c: &CommandApdu) -> ResponseApdu {
        let file = match self.current {
            CurrentFile::CardAccess => LdsFile::CardAccess,
            CurrentFile::Lds(f) => f,
            _ => return sw(0x6986),
        };
        let (offset, data) = if c.ins == ins::UPDATE_BINARY_ODD {
            let mut offset = None;
            let mut data = None;
            for o in TlvReader::new(&c.data) {
                let Ok(o) = o else { return sw(0x6A80) };
                match o.tag().value() {
                    0x54 if o.value().len() <= 3 => {
                        offset = Some(o.value().iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)))
                    }
                    0x53 => data = Some(o.value().to_vec()),
                    _ => return sw(0x6A80),
                }
            }
            let (Some(offset), Some(data)) = (offset, data) else { return sw(0x6A80) };
            (offset, data)
        } else {
            if c.p1 & 0x80 != 0 {
                return sw(0x6A86);
            }
            (usize::from(u16::from_be_bytes([c.p1, c.p2])), c.data.clone())
        };
        let write = self.writes;
        self.writes += 1;
        if let Some((at, keep)) = self.faults.tear
            && at == write
        {
            // a torn write: the first bytes land, then the card leaves the field
            self.faults.tear = None;
            let part = data.get(..keep.min(data.len())).unwrap_or_default();
            let _ = perso::update_binary(&mut self.image, file, offset, part);
            self.removed = true;
            return sw(0x6F00);
        }
        sw(perso::update_binary(&mut self.image, file, offset, &data))
    }
}
