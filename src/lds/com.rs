//! EF.COM (ICAO 9303-10 §4.6.1): the LDS version, the Unicode version and the list of data groups present.
//!
//! ```text
//! 60 LL
//!    5F01 04 "0107"        LDS version: major "01", minor "07"
//!    5F36 06 "040000"      Unicode version
//!    5C   LL 61 75 6D …    tag list: the first tag of each data group present
//! ```

use super::{LdsError, LdsErrorKind, LdsFile};
use crate::tlv::{Tag, TlvReader, TlvWriter};

const COM: Tag = Tag::new(0x60);
const LDS_VERSION: Tag = Tag::new(0x5F01);
const UNICODE_VERSION: Tag = Tag::new(0x5F36);
const TAG_LIST: Tag = Tag::new(0x5C);

/// One entry of the tag list: a data group, or a tag byte this library does not know (kept as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComEntry {
    /// A data group.
    Dg(LdsFile),
    /// An unknown tag byte.
    Unknown(u8),
}

/// EF.COM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Com {
    /// LDS version as (major, minor), e.g. (1, 7) for "0107".
    pub lds_version: (u8, u8),
    /// Unicode version as (major, minor, release), e.g. (4, 0, 0) for "040000".
    pub unicode_version: (u8, u8, u8),
    /// The tag list, in the order of the file.
    pub entries: Vec<ComEntry>,
    /// What the decoder tolerated ([`super::warning`]); empty for a built EF.COM.
    pub warnings: Vec<super::DecodeWarning>,
}

fn two_digits(s: &[u8], field: &'static str) -> Result<u8, LdsErrorKind> {
    match s {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Ok((a - b'0') * 10 + (b - b'0')),
        _ => Err(LdsErrorKind::Invalid { field, reason: "not two decimal digits" }),
    }
}

impl Com {
    /// The EF.COM of the Vietnamese card (cccd-profile §1): LDS 1.7, Unicode 4.0.0, DG1, DG2, DG3, DG13, DG15, DG14.
    pub fn cccd() -> Self {
        Self::new([1, 2, 3, 13, 15, 14].into_iter().filter_map(LdsFile::dg).collect())
    }

    /// An EF.COM for LDS 1.7 / Unicode 4.0.0 listing these data groups in this order.
    pub fn new(data_groups: Vec<LdsFile>) -> Self {
        Com {
            lds_version: (1, 7),
            unicode_version: (4, 0, 0),
            entries: data_groups.into_iter().map(ComEntry::Dg).collect(),
            warnings: Vec::new(),
        }
    }

    /// The data groups listed, in order.
    pub fn data_groups(&self) -> Vec<LdsFile> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                ComEntry::Dg(f) => Some(*f),
                ComEntry::Unknown(_) => None,
            })
            .collect()
    }

    /// Decodes EF.COM.
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let err = |e| LdsError::tlv(LdsFile::Com, e);
        let (bytes, warnings) = super::warning::outer_content(LdsFile::Com, COM, bytes)?;
        let outer = TlvReader::single(bytes, COM).map_err(err)?;
        let mut r = outer.children();
        let v = r.expect(LDS_VERSION).map_err(err)?;
        let at = |t: &crate::tlv::Tlv<'_>, k| LdsError::at(LdsFile::Com, t.value_offset(), k);
        let lds_version = match v.value() {
            [a, b, c, d] => (
                two_digits(&[*a, *b], "LDS version").map_err(|k| at(&v, k))?,
                two_digits(&[*c, *d], "LDS version").map_err(|k| at(&v, k))?,
            ),
            _ => return Err(at(&v, LdsErrorKind::Invalid { field: "LDS version", reason: "not 4 digits" })),
        };
        let u = r.expect(UNICODE_VERSION).map_err(err)?;
        let unicode_version = match u.value() {
            [a, b, c, d, e, f] => (
                two_digits(&[*a, *b], "Unicode version").map_err(|k| at(&u, k))?,
                two_digits(&[*c, *d], "Unicode version").map_err(|k| at(&u, k))?,
                two_digits(&[*e, *f], "Unicode version").map_err(|k| at(&u, k))?,
            ),
            _ => return Err(at(&u, LdsErrorKind::Invalid { field: "Unicode version", reason: "not 6 digits" })),
        };
        let list = r.expect(TAG_LIST).map_err(err)?;
        r.finish().map_err(err)?;
        let entries = list
            .value()
            .iter()
            .map(|b| match LdsFile::from_tag(Tag::new(u32::from(*b))) {
                Some(f @ LdsFile::Dg(_)) => ComEntry::Dg(f),
                _ => ComEntry::Unknown(*b),
            })
            .collect();
        Ok(Com { lds_version, unicode_version, entries, warnings })
    }

    /// Encodes EF.COM.
    pub fn encode(&self) -> Vec<u8> {
        let (a, b) = self.lds_version;
        let (c, d, e) = self.unicode_version;
        let tags: Vec<u8> = self
            .entries
            .iter()
            .map(|entry| match entry {
                ComEntry::Dg(f) => u8::try_from(f.tag().value()).unwrap_or(0),
                ComEntry::Unknown(t) => *t,
            })
            .collect();
        let mut w = TlvWriter::new();
        w.constructed(COM, |w| {
            w.primitive(LDS_VERSION, format!("{a:02}{b:02}").as_bytes());
            w.primitive(UNICODE_VERSION, format!("{c:02}{d:02}{e:02}").as_bytes());
            w.primitive(TAG_LIST, &tags);
        });
        w.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cccd_com() {
        let com = Com::cccd();
        let bytes = com.encode();
        assert_eq!(
            bytes,
            [
                0x60, 0x18, 0x5F, 0x01, 0x04, b'0', b'1', b'0', b'7', 0x5F, 0x36, 0x06, b'0', b'4', b'0', b'0', b'0',
                b'0', 0x5C, 0x06, 0x61, 0x75, 0x63, 0x6D, 0x6F, 0x6E
            ]
        );
        assert_eq!(Com::decode(&bytes).unwrap(), com);
    }

    #[test]
    fn bad_input() {
        let bytes = Com::cccd().encode();
        for cut in 0..bytes.len() {
            assert!(Com::decode(&bytes[..cut]).is_err());
        }
        let mut long = bytes.clone();
        long.push(0);
        let padded = Com::decode(&long).unwrap();
        assert_eq!(
            padded.warnings,
            [crate::lds::DecodeWarning {
                offset: bytes.len(),
                kind: crate::lds::DecodeWarningKind::Padding { byte: 0, len: 1 }
            }]
        );
        assert_eq!(padded.encode(), bytes);
        let mut bad = bytes.clone();
        bad[5] = b'x';
        assert_eq!(Com::decode(&bad).unwrap_err().offset, Some(5));
        // an unknown tag byte is kept
        let mut odd = Com::cccd();
        odd.entries.push(ComEntry::Unknown(0x99));
        assert_eq!(Com::decode(&odd.encode()).unwrap(), odd);
    }
}
