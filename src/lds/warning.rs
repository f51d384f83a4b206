//! What a decoder accepted beyond the letter of the specification: typed warnings kept in the decoded model.
//!
//! The rule (stated once, applied by every decoder in [`crate::lds`]): a reader is tolerant wherever the
//! specification allows it or real chips and files are known to differ, and says what it tolerated; a writer
//! is strict and always produces the canonical form, so nothing this crate encodes ever carries a warning.
//!
//! | accepted, with a warning | kind |
//! |---|---|
//! | bytes after the outer TLV that are all `00` or all `FF` (a file allocated larger than its content) | [`DecodeWarningKind::Padding`] |
//! | `90 00` after the outer TLV (a dump that captured the status word with the data) | [`DecodeWarningKind::StatusWord`] |
//! | any other bytes after the outer TLV (left over in a larger file) | [`DecodeWarningKind::TrailingBytes`] |
//! | the outer TLV with the BER indefinite length (`77 80 … 00 00`: some passports' EF.SOD); inner ones are read silently | [`DecodeWarningKind::IndefiniteLength`] |
//! | a DG1 MRZ with a wrong check digit (issued documents, a printed ICAO example) | [`DecodeWarningKind::CheckDigit`] |
//! | a SecurityInfo version this crate does not know (ETSI TR 103 200 negative cases) | [`DecodeWarningKind::UnknownVersion`] |
//!
//! Refused, with a typed [`super::LdsError`]: a wrong outer tag, a length running past the data, a malformed
//! inner structure, an MRZ with the wrong layout or alphabet. The bytes a decoded model keeps (and that
//! EF.SOD's hashes cover) are the outer TLV only, without what followed it.

use core::fmt;

use crate::mrz::MrzField;
use crate::tlv::{Tag, TlvReader};

use super::{LdsError, LdsFile};

/// What was tolerated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeWarningKind {
    /// `len` bytes of `byte` (`00` or `FF`) after the outer TLV.
    Padding {
        /// The padding byte.
        byte: u8,
        /// How many.
        len: usize,
    },
    /// A status word captured after the outer TLV (`90 00`).
    StatusWord {
        /// The status word.
        sw: u16,
    },
    /// `len` bytes after the outer TLV that are neither padding nor a status word (ignored).
    TrailingBytes {
        /// How many.
        len: usize,
    },
    /// The MRZ's check digit for `field` is wrong (the MRZ is decoded as written).
    CheckDigit {
        /// The field whose check digit is wrong.
        field: MrzField,
    },
    /// The file's outer TLV has the BER indefinite length (`80 … 00 00`), as some passports' EF.SOD.
    IndefiniteLength,
    /// A SecurityInfo whose version this crate does not know: kept, but not used for any protocol.
    UnknownVersion {
        /// The protocol family (`PACEInfo`, `ChipAuthenticationInfo`, …).
        info: &'static str,
        /// The version found.
        version: u64,
    },
}

/// A warning: what was tolerated and where (byte offset from the start of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeWarning {
    /// Byte offset from the start of the file.
    pub offset: usize,
    /// What was tolerated.
    pub kind: DecodeWarningKind,
}

impl DecodeWarningKind {
    /// A stable snake_case code for reports (`padding`, `status_word`, `trailing_bytes`, `check_digit`,
    /// `unknown_version`).
    pub fn code(&self) -> &'static str {
        match self {
            DecodeWarningKind::Padding { .. } => "padding",
            DecodeWarningKind::StatusWord { .. } => "status_word",
            DecodeWarningKind::TrailingBytes { .. } => "trailing_bytes",
            DecodeWarningKind::CheckDigit { .. } => "check_digit",
            DecodeWarningKind::IndefiniteLength => "indefinite_length",
            DecodeWarningKind::UnknownVersion { .. } => "unknown_version",
        }
    }
}

impl fmt::Display for DecodeWarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeWarningKind::Padding { byte, len } => {
                write!(f, "{len} bytes of {byte:02X} padding after the content")
            }
            DecodeWarningKind::StatusWord { sw } => write!(f, "status word {sw:04X} captured after the content"),
            DecodeWarningKind::TrailingBytes { len } => write!(f, "{len} bytes after the content ignored"),
            DecodeWarningKind::CheckDigit { field } => write!(f, "wrong check digit for the {field}"),
            DecodeWarningKind::IndefiniteLength => f.write_str("indefinite length (BER) instead of a definite one"),
            DecodeWarningKind::UnknownVersion { info, version } => {
                write!(f, "{info} version {version} is unknown: kept, not used")
            }
        }
    }
}

impl fmt::Display for DecodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.kind, self.offset)
    }
}

/// What follows the outer TLV, classified (`None` when nothing does).
fn classify(rest: &[u8], offset: usize) -> Option<DecodeWarning> {
    let kind = match rest {
        [] => return None,
        [0x90, 0x00] => DecodeWarningKind::StatusWord { sw: 0x9000 },
        [b, ..] if (*b == 0x00 || *b == 0xFF) && rest.iter().all(|x| x == b) => {
            DecodeWarningKind::Padding { byte: *b, len: rest.len() }
        }
        _ => DecodeWarningKind::TrailingBytes { len: rest.len() },
    };
    Some(DecodeWarning { offset, kind })
}

/// The file's content: its outer TLV (with `tag`), and a warning for whatever follows it. A wrong tag or a
/// malformed, truncated outer TLV is an error.
pub fn outer_content(file: LdsFile, tag: Tag, data: &[u8]) -> Result<(&[u8], Vec<DecodeWarning>), LdsError> {
    let mut r = TlvReader::new(data);
    let tlv = r.expect(tag).map_err(|e| LdsError::tlv(file, e))?;
    let mut warnings: Vec<DecodeWarning> = Vec::new();
    if tlv.is_indefinite() {
        warnings.push(DecodeWarning { offset: tlv.offset(), kind: DecodeWarningKind::IndefiniteLength });
    }
    warnings.extend(classify(r.remaining(), r.offset()));
    Ok((tlv.raw(), warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_what_follows() {
        let f = LdsFile::Com;
        let tlv = [0x60, 0x01, 0x00];
        let check = |tail: &[u8]| {
            let data = [&tlv[..], tail].concat();
            let (content, w) = outer_content(f, Tag::new(0x60), &data).unwrap();
            assert_eq!(content, tlv);
            w.into_iter().next().map(|w| (w.offset, w.kind))
        };
        assert_eq!(check(&[]), None);
        assert_eq!(check(&[0; 5]), Some((3, DecodeWarningKind::Padding { byte: 0, len: 5 })));
        assert_eq!(check(&[0xFF; 2]), Some((3, DecodeWarningKind::Padding { byte: 0xFF, len: 2 })));
        assert_eq!(check(&[0x90, 0x00]), Some((3, DecodeWarningKind::StatusWord { sw: 0x9000 })));
        assert_eq!(check(&[0x00, 0xFF]), Some((3, DecodeWarningKind::TrailingBytes { len: 2 })));
        assert!(outer_content(f, Tag::new(0x61), &tlv).is_err());
        assert!(outer_content(f, Tag::new(0x60), &tlv[..2]).is_err());
    }
}
