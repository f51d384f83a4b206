//! DG1: the MRZ (ICAO Doc 9303-10 §4.7.1).
//!
//! ```text
//! 61 LL            DG1
//!    5F 1F LL      MRZ data element: the MRZ lines concatenated (90 characters TD1, 88 TD3)
//! ```

use core::fmt;

use super::warning::{DecodeWarning, DecodeWarningKind, outer_content};
use super::{LdsError, LdsErrorKind, LdsFile};
use crate::mrz::{Mrz, MrzField};
use crate::tlv::{Tag, TlvReader, TlvWriter};

/// Tag of the MRZ data element inside DG1.
pub const TAG_MRZ: Tag = Tag::new(0x5F1F);

fn file() -> LdsFile {
    LdsFile::dg(1).unwrap_or(LdsFile::Com)
}

/// DG1: the MRZ, with the bytes it was decoded from (those are what EF.SOD hashes).
#[derive(Clone, PartialEq, Eq)]
pub struct Dg1 {
    mrz: Mrz,
    raw: Vec<u8>,
    text_offset: usize,
    text_len: usize,
    warnings: Vec<DecodeWarning>,
}

impl fmt::Debug for Dg1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dg1")
            .field("mrz", &self.mrz)
            .field("len", &self.raw.len())
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl Dg1 {
    /// Decodes DG1. The MRZ's layout and alphabet are checked strictly; a wrong check digit is a
    /// [`DecodeWarningKind::CheckDigit`] warning (the MRZ is decoded as written: [`Dg1::lines`]), and bytes
    /// after the DG1 TLV are a warning too ([`super::warning`]).
    pub fn decode(data: &[u8]) -> Result<Dg1, LdsError> {
        let f = file();
        let (content, mut warnings) = outer_content(f, f.tag(), data)?;
        let outer = TlvReader::single(content, f.tag()).map_err(|e| LdsError::tlv(f, e))?;
        let mut inner = outer.children();
        let mrz_tlv = inner.expect(TAG_MRZ).map_err(|e| LdsError::tlv(f, e))?;
        inner.finish().map_err(|e| LdsError::tlv(f, e))?;
        let text = core::str::from_utf8(mrz_tlv.value()).map_err(|_| {
            LdsError::at(f, mrz_tlv.value_offset(), LdsErrorKind::Invalid { field: "MRZ", reason: "not ASCII" })
        })?;
        if text.contains(['\n', '\r']) {
            return Err(LdsError::at(
                f,
                mrz_tlv.value_offset(),
                LdsErrorKind::Invalid { field: "MRZ", reason: "line breaks inside the MRZ data element" },
            ));
        }
        let (mrz, wrong) =
            Mrz::parse_lenient(text).map_err(|e| LdsError::at(f, mrz_tlv.value_offset(), LdsErrorKind::Mrz(e)))?;
        let at = mrz_tlv.value_offset();
        let check_warnings =
            wrong.into_iter().map(|field| DecodeWarning { offset: at, kind: DecodeWarningKind::CheckDigit { field } });
        warnings.splice(0..0, check_warnings);
        Ok(Dg1 { mrz, raw: content.to_vec(), text_offset: at, text_len: mrz_tlv.value().len(), warnings })
    }

    /// DG1 for an MRZ (encoded canonically).
    pub fn new(mrz: Mrz) -> Result<Dg1, LdsError> {
        let raw = encode_mrz(&mrz)?;
        let text_len = raw.len().saturating_sub(5);
        Ok(Dg1 { mrz, raw, text_offset: 5, text_len, warnings: Vec::new() })
    }

    /// What the decoder tolerated (wrong check digits, bytes after the TLV); empty for a canonical DG1.
    pub fn warnings(&self) -> &[DecodeWarning] {
        &self.warnings
    }

    /// The fields whose check digits are wrong in the MRZ as read.
    pub fn wrong_check_digits(&self) -> impl Iterator<Item = MrzField> + '_ {
        self.warnings.iter().filter_map(|w| match w.kind {
            DecodeWarningKind::CheckDigit { field } => Some(field),
            _ => None,
        })
    }

    /// The MRZ lines exactly as read (check digits as written, right or wrong).
    pub fn lines(&self) -> Vec<String> {
        let text = self
            .raw
            .get(self.text_offset..self.text_offset + self.text_len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("");
        let width = match self.mrz {
            Mrz::Td1(_) => 30,
            Mrz::Td2(_) => 36,
            Mrz::Td3(_) => 44,
        };
        text.as_bytes().chunks(width).map(|c| String::from_utf8_lossy(c).into_owned()).collect()
    }

    /// The MRZ.
    pub fn mrz(&self) -> &Mrz {
        &self.mrz
    }

    /// The bytes this DG1 was decoded from, its TLV without what followed it (or encoded to, for [`Dg1::new`]).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The canonical encoding of the MRZ (equal to [`Dg1::raw`] for any DG1 decoded without warnings; the
    /// check digits are computed, so a DG1 with a wrong one encodes differently).
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        encode_mrz(&self.mrz)
    }
}

fn encode_mrz(mrz: &Mrz) -> Result<Vec<u8>, LdsError> {
    let text = mrz.to_concatenated().map_err(|e| LdsError::new(file(), LdsErrorKind::Mrz(e)))?;
    let mut w = TlvWriter::new();
    w.constructed(file().tag(), |w| {
        w.primitive(TAG_MRZ, text.as_bytes());
    });
    Ok(w.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::TlvErrorKind;

    const CCCD: &str = "IDVNM0990123459001099012345<<09901155M3901153VNM<<<<<<<<<<<6NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";

    #[test]
    fn round_trip_and_errors() {
        let mrz = Mrz::parse(CCCD).unwrap();
        let dg1 = Dg1::new(mrz.clone()).unwrap();
        let bytes = dg1.encode().unwrap();
        assert_eq!(&bytes[..5], [0x61, 0x5D, 0x5F, 0x1F, 0x5A]);
        assert_eq!(&bytes[5..], CCCD.as_bytes());
        let back = Dg1::decode(&bytes).unwrap();
        assert_eq!(back.mrz(), &mrz);
        assert_eq!(back.raw(), &bytes[..]);
        assert!(!format!("{back:?}").contains("NGUYEN"));

        // truncated
        for n in [0, 1, 4, 50, bytes.len() - 1] {
            assert!(matches!(Dg1::decode(&bytes[..n]).unwrap_err().kind, LdsErrorKind::Tlv(_)));
        }
        // bytes after the TLV: decoded, with a warning, the raw bytes without them
        let mut long = bytes.clone();
        long.extend([0x90, 0x00]);
        let padded = Dg1::decode(&long).unwrap();
        assert_eq!(padded.mrz(), &mrz);
        assert_eq!(padded.raw(), &bytes[..]);
        assert_eq!(
            padded.warnings(),
            [DecodeWarning { offset: bytes.len(), kind: DecodeWarningKind::StatusWord { sw: 0x9000 } }]
        );
        assert!(back.warnings().is_empty());
        assert_eq!(back.lines().concat(), CCCD);
        // garbage MRZ content
        let mut bad = bytes.clone();
        bad[10] = b'a';
        let e = Dg1::decode(&bad).unwrap_err();
        assert_eq!(e.offset, Some(5));
        assert!(matches!(e.kind, LdsErrorKind::Mrz(_)));
        let mut bad = bytes.clone();
        bad[20] = 0xFF;
        assert!(matches!(Dg1::decode(&bad).unwrap_err().kind, LdsErrorKind::Invalid { .. }));
        // wrong inner tag
        let mut bad = bytes;
        bad[3] = 0x1E;
        assert!(matches!(Dg1::decode(&bad).unwrap_err().kind, LdsErrorKind::Tlv(TlvErrorKind::UnexpectedTag { .. })));
    }
}
