//! DG11 (additional personal details) and DG12 (additional document details), ICAO 9303-10 §4.7.11–12.
//!
//! ```text
//! 6B LL                      DG11 (6C: DG12)
//!   5C LL 5F0E 5F10 …        tag list: the tags of the fields present
//!   5F0E LL <full name>      one element per field, in any order
//!   A0 LL                    a repeated field (DG11 other names, DG12 other persons):
//!     02 01 nn               count
//!     5F0F LL <name>         nn elements
//! ```
//!
//! Fields are kept in file order with their tags, unknown tags included. Encoding writes the tag list of the
//! fields present (a file whose tag list disagrees with its fields still decodes).

use core::fmt;

use super::{LdsError, LdsErrorKind, LdsFile};
use crate::tlv::{Tag, TlvReader, TlvWriter};

const TAG_LIST: Tag = Tag::new(0x5C);
const GROUP: Tag = Tag::new(0xA0);
const COUNT: Tag = Tag::new(0x02);

/// A field's value.
#[derive(Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A single value (text is UTF-8; images and dates are bytes).
    Single(Vec<u8>),
    /// A repeated field (`A0` with a count): the inner tag and the values.
    Repeated {
        /// The tag of each element (`5F0F` for DG11 other names, `5F1A` for DG12 other persons).
        tag: Tag,
        /// The elements' values.
        values: Vec<Vec<u8>>,
    },
}

impl fmt::Debug for FieldValue {
    /// Lengths only: these fields hold personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Single(v) => write!(f, "Single(len {})", v.len()),
            FieldValue::Repeated { tag, values } => write!(f, "Repeated({tag}, {} values)", values.len()),
        }
    }
}

/// One field: its tag (`5F0E`…) and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The tag (for a repeated field, `A0`'s inner tag is in the value).
    pub tag: Tag,
    /// The value.
    pub value: FieldValue,
}

/// The fields of DG11 or DG12, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DetailFields {
    /// The fields.
    pub fields: Vec<Field>,
}

impl DetailFields {
    /// The single value of a field.
    pub fn get(&self, tag: u32) -> Option<&[u8]> {
        self.fields.iter().find_map(|f| match &f.value {
            FieldValue::Single(v) if f.tag.value() == tag => Some(v.as_slice()),
            _ => None,
        })
    }

    /// The text of a field (UTF-8; `None` when absent or not UTF-8).
    pub fn text(&self, tag: u32) -> Option<&str> {
        self.get(tag).and_then(|v| core::str::from_utf8(v).ok())
    }

    /// The values of a repeated field whose elements carry `inner` (also found when written as single fields).
    pub fn repeated(&self, inner: u32) -> Vec<&[u8]> {
        self.fields
            .iter()
            .flat_map(|f| match &f.value {
                FieldValue::Repeated { tag, values } if tag.value() == inner => {
                    values.iter().map(Vec::as_slice).collect::<Vec<_>>()
                }
                FieldValue::Single(v) if f.tag.value() == inner => vec![v.as_slice()],
                _ => Vec::new(),
            })
            .collect()
    }

    /// Sets a single field (replacing one with the same tag, else appending).
    pub fn set(&mut self, tag: u32, value: impl Into<Vec<u8>>) -> &mut Self {
        let value = FieldValue::Single(value.into());
        match self.fields.iter_mut().find(|f| f.tag.value() == tag) {
            Some(f) => f.value = value,
            None => self.fields.push(Field { tag: Tag::new(tag), value }),
        }
        self
    }

    /// Sets a repeated field of `inner`-tagged values.
    pub fn set_repeated(&mut self, inner: u32, values: Vec<Vec<u8>>) -> &mut Self {
        let value = FieldValue::Repeated { tag: Tag::new(inner), values };
        let pos = self
            .fields
            .iter()
            .position(|f| matches!(&f.value, FieldValue::Repeated { tag, .. } if tag.value() == inner));
        match pos.and_then(|p| self.fields.get_mut(p)) {
            Some(f) => f.value = value,
            None => self.fields.push(Field { tag: GROUP, value }),
        }
        self
    }

    pub(crate) fn decode(bytes: &[u8], file: LdsFile) -> Result<Self, LdsError> {
        let err = |e| LdsError::tlv(file, e);
        let outer = TlvReader::single(bytes, file.tag()).map_err(err)?;
        let mut r = outer.children();
        let _list = r.expect(TAG_LIST).map_err(err)?;
        let mut fields = Vec::new();
        while !r.is_empty() {
            let t = r.read().map_err(err)?;
            if t.tag() == GROUP {
                let mut g = t.children();
                let count = g.expect(COUNT).map_err(err)?;
                let mut values = Vec::new();
                let mut inner = None;
                while !g.is_empty() {
                    let e = g.read().map_err(err)?;
                    if inner.is_some_and(|i| i != e.tag()) {
                        return Err(LdsError::at(
                            file,
                            e.offset(),
                            LdsErrorKind::Invalid { field: "repeated field", reason: "elements with different tags" },
                        ));
                    }
                    inner = Some(e.tag());
                    values.push(e.value().to_vec());
                }
                if count.value() != [u8::try_from(values.len()).unwrap_or(0)] {
                    return Err(LdsError::at(
                        file,
                        count.value_offset(),
                        LdsErrorKind::Invalid { field: "repeated field count", reason: "differs from the elements" },
                    ));
                }
                let tag =
                    inner.ok_or(LdsError::at(file, t.offset(), LdsErrorKind::Missing("repeated field elements")))?;
                fields.push(Field { tag: GROUP, value: FieldValue::Repeated { tag, values } });
            } else {
                fields.push(Field { tag: t.tag(), value: FieldValue::Single(t.value().to_vec()) });
            }
        }
        Ok(DetailFields { fields })
    }

    pub(crate) fn encode(&self, file: LdsFile) -> Result<Vec<u8>, LdsError> {
        let mut list = Vec::new();
        for f in &self.fields {
            match &f.value {
                FieldValue::Single(_) => list.extend(f.tag.to_bytes()),
                FieldValue::Repeated { tag, values } => {
                    if values.is_empty() || values.len() > 255 {
                        return Err(LdsError::new(
                            file,
                            LdsErrorKind::Unencodable { field: "repeated field", reason: "needs 1 to 255 values" },
                        ));
                    }
                    list.extend(tag.to_bytes());
                }
            }
        }
        let mut w = TlvWriter::new();
        w.constructed(file.tag(), |w| {
            w.primitive(TAG_LIST, &list);
            for f in &self.fields {
                match &f.value {
                    FieldValue::Single(v) => {
                        w.primitive(f.tag, v);
                    }
                    FieldValue::Repeated { tag, values } => {
                        w.constructed(GROUP, |w| {
                            w.primitive(COUNT, &[u8::try_from(values.len()).unwrap_or(0)]);
                            for v in values {
                                w.primitive(*tag, v);
                            }
                        });
                    }
                }
            }
        });
        Ok(w.into_bytes())
    }
}

/// DG11 tags (ICAO 9303-10 §4.7.11).
pub mod dg11_tags {
    /// Full name of the holder.
    pub const FULL_NAME: u32 = 0x5F0E;
    /// Other names (elements of the `A0` group).
    pub const OTHER_NAME: u32 = 0x5F0F;
    /// Personal number.
    pub const PERSONAL_NUMBER: u32 = 0x5F10;
    /// Full date of birth `YYYYMMDD`.
    pub const FULL_DATE_OF_BIRTH: u32 = 0x5F2B;
    /// Place of birth.
    pub const PLACE_OF_BIRTH: u32 = 0x5F11;
    /// Permanent address.
    pub const ADDRESS: u32 = 0x5F42;
    /// Telephone.
    pub const TELEPHONE: u32 = 0x5F12;
    /// Profession.
    pub const PROFESSION: u32 = 0x5F13;
    /// Title.
    pub const TITLE: u32 = 0x5F14;
    /// Personal summary.
    pub const PERSONAL_SUMMARY: u32 = 0x5F15;
    /// Proof of citizenship (an image).
    pub const PROOF_OF_CITIZENSHIP: u32 = 0x5F16;
    /// Other valid travel document numbers.
    pub const OTHER_TD_NUMBERS: u32 = 0x5F17;
    /// Custody information.
    pub const CUSTODY_INFORMATION: u32 = 0x5F18;
}

/// DG12 tags (ICAO 9303-10 §4.7.12).
pub mod dg12_tags {
    /// Issuing authority.
    pub const ISSUING_AUTHORITY: u32 = 0x5F19;
    /// Date of issue `YYYYMMDD`.
    pub const DATE_OF_ISSUE: u32 = 0x5F26;
    /// Name of another person (elements of the `A0` group).
    pub const OTHER_PERSON: u32 = 0x5F1A;
    /// Endorsements and observations.
    pub const ENDORSEMENTS: u32 = 0x5F1B;
    /// Tax or exit requirements.
    pub const TAX_EXIT_REQUIREMENTS: u32 = 0x5F1C;
    /// Image of the front of the document.
    pub const FRONT_IMAGE: u32 = 0x5F1D;
    /// Image of the rear of the document.
    pub const REAR_IMAGE: u32 = 0x5F1E;
    /// Date and time of personalization `YYYYMMDDhhmmss`.
    pub const PERSONALIZATION_TIME: u32 = 0x5F55;
    /// Serial number of the personalization system.
    pub const PERSONALIZATION_SYSTEM_SERIAL: u32 = 0x5F56;
}

macro_rules! detail_file {
    ($(#[$m:meta])* $name:ident, $dg:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name {
            /// The fields.
            pub fields: DetailFields,
            /// What the decoder tolerated ([`super::warning`]); empty for a built file.
            pub warnings: Vec<super::DecodeWarning>,
        }

        impl $name {
            fn file() -> LdsFile {
                LdsFile::dg($dg).unwrap_or(LdsFile::Com)
            }

            /// Decodes the file.
            pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
                let (bytes, warnings) = super::warning::outer_content(Self::file(), Self::file().tag(), bytes)?;
                Ok($name { fields: DetailFields::decode(bytes, Self::file())?, warnings })
            }

            /// Encodes the file, with the tag list of the fields present.
            pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
                self.fields.encode(Self::file())
            }
        }
    };
}

detail_file!(
    /// DG11: additional personal details (full name, other names, personal number, place of birth, address, …).
    Dg11,
    11
);
detail_file!(
    /// DG12: additional document details (issuing authority, date of issue, endorsements, images, …).
    Dg12,
    12
);

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dg11 {
        let mut d = Dg11::default();
        d.fields
            .set(dg11_tags::FULL_NAME, "NGUYỄN VĂN A".as_bytes())
            .set_repeated(dg11_tags::OTHER_NAME, vec![b"NGUYEN<<VAN<A".to_vec(), b"NVA".to_vec()])
            .set(dg11_tags::FULL_DATE_OF_BIRTH, b"19990115".to_vec())
            .set(dg11_tags::ADDRESS, "Số 1 Đường X<Hà Nội".as_bytes());
        d
    }

    #[test]
    fn dg11_round_trip() {
        let d = sample();
        let bytes = d.encode().unwrap();
        assert_eq!(bytes[0], 0x6B);
        let back = Dg11::decode(&bytes).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.encode().unwrap(), bytes);
        assert_eq!(back.fields.text(dg11_tags::FULL_NAME), Some("NGUYỄN VĂN A"));
        assert_eq!(back.fields.repeated(dg11_tags::OTHER_NAME).len(), 2);
        // the tag list names the fields present
        let list = TlvReader::single(&bytes, Tag::new(0x6B)).unwrap().children().expect(TAG_LIST).unwrap();
        assert_eq!(list.value(), [0x5F, 0x0E, 0x5F, 0x0F, 0x5F, 0x2B, 0x5F, 0x42]);
        assert!(!format!("{back:?}").contains("NGUY"));
    }

    #[test]
    fn dg12_round_trip_and_errors() {
        let mut d = Dg12::default();
        d.fields
            .set(dg12_tags::ISSUING_AUTHORITY, "CỤC CẢNH SÁT".as_bytes())
            .set(dg12_tags::DATE_OF_ISSUE, b"20210420".to_vec());
        let bytes = d.encode().unwrap();
        assert_eq!(Dg12::decode(&bytes).unwrap(), d);
        for cut in 0..bytes.len() {
            assert!(Dg12::decode(&bytes[..cut]).is_err());
        }
        let mut long = bytes.clone();
        long.push(0);
        let padded = Dg12::decode(&long).unwrap();
        assert_eq!(
            padded.warnings,
            [crate::lds::DecodeWarning {
                offset: bytes.len(),
                kind: crate::lds::DecodeWarningKind::Padding { byte: 0, len: 1 }
            }]
        );
        assert_eq!(padded.encode().unwrap(), bytes);
        assert!(Dg11::decode(&bytes).is_err());
        // a group whose count disagrees with its elements
        let bad = sample().encode().unwrap();
        let pos = bad.windows(3).position(|w| w == [0x02, 0x01, 0x02]).unwrap();
        let mut bad = bad;
        bad[pos + 2] = 3;
        assert!(matches!(Dg11::decode(&bad).unwrap_err().kind, LdsErrorKind::Invalid { .. }));
    }
}
