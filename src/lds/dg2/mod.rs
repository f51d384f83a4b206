//! DG2: the encoded face, in the CBEFF structure of ICAO 9303-10 §4.7.2.
//!
//! ```text
//! 75 LL                                   DG2
//!   7F61 LL                               Biometric Information Group Template
//!     02 01 nn                            number of instances
//!     7F60 LL                             Biometric Information Template (one per instance)
//!       A1 LL                             Biometric Header Template (CBEFF)
//!         80 02 0101                      header version
//!         81 01 02                        biometric type: face
//!         82 01 00                        biometric subtype
//!         83 07 …                         creation date and time
//!         85 08 …                         validity period
//!         86 02 …                         creator
//!         87 02 0101                      format owner: ISO/IEC JTC 1/SC 37
//!         88 02 0008                      format type: ISO/IEC 19794-5 face
//!       5F2E LL <ISO/IEC 19794-5 record>  Biometric Data Block
//!       or 7F2E LL { A1 { 65 … } }        an ISO/IEC 39794-5 face block (LDS 1.8; 88 = 002A), see [`super::iso39794`]
//! ```
//!
//! The header elements are kept in order, unknown ones included, so decoding then encoding a canonical file
//! reproduces it.

pub mod facial;

use core::fmt;
use std::borrow::Cow;

use self::facial::{FaceImage, FacialRecord, ImageDataType};
use super::iso39794::Iso39794Block;
use super::{LdsError, LdsErrorKind, LdsFile};
use crate::tlv::{Tag, Tlv, TlvReader, TlvWriter};

const DG2: Tag = Tag::new(0x75);
const BIT_GROUP: Tag = Tag::new(0x7F61);
const BIT: Tag = Tag::new(0x7F60);
const COUNT: Tag = Tag::new(0x02);
const BHT: Tag = Tag::new(0xA1);
const BDB: Tag = Tag::new(0x5F2E);
const BDB_CONSTRUCTED: Tag = Tag::new(0x7F2E);
const FORMAT_OWNER: Tag = Tag::new(0x87);
const FORMAT_TYPE: Tag = Tag::new(0x88);

/// The Biometric Data Block of one template.
#[derive(Clone, PartialEq, Eq)]
pub enum BiometricData {
    /// An ISO/IEC 19794-5 facial record (tag `5F2E`).
    Facial(FacialRecord),
    /// An ISO/IEC 39794 block (tag `7F2E`, `A1 { 65 … }` for a face), decoded, with the block's value kept so
    /// that encoding writes it back unchanged.
    Iso39794 {
        /// The decoded block (a face block in a DG2 that follows the standard).
        block: Iso39794Block,
        /// The value of the `7F2E` object, exactly as read.
        value: Vec<u8>,
    },
    /// A block in another format, or a constructed (`7F2E`) block that is not ISO/IEC 39794: kept as it is.
    Other {
        /// `5F2E` or `7F2E`.
        tag: Tag,
        /// The block's value.
        value: Vec<u8>,
    },
}

impl fmt::Debug for BiometricData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BiometricData::Facial(r) => f.debug_tuple("Facial").field(r).finish(),
            BiometricData::Iso39794 { block, value } => {
                f.debug_struct("Iso39794").field("block", block).field("len", &value.len()).finish()
            }
            BiometricData::Other { tag, value } => {
                f.debug_struct("Other").field("tag", tag).field("len", &value.len()).finish()
            }
        }
    }
}

/// One Biometric Information Template: its CBEFF header and its data block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiometricTemplate {
    /// The Biometric Header Template elements `(tag, value)` in order.
    pub header: Vec<(Tag, Vec<u8>)>,
    /// The data block.
    pub data: BiometricData,
}

impl BiometricTemplate {
    /// The value of a header element.
    pub fn header_value(&self, tag: u32) -> Option<&[u8]> {
        self.header.iter().find(|(t, _)| t.value() == tag).map(|(_, v)| v.as_slice())
    }

    /// A face template with the usual CBEFF header (version 1.1, type face, owner SC 37, format 19794-5).
    pub fn face(face: FaceImage) -> Self {
        BiometricTemplate {
            header: vec![
                (Tag::new(0x80), vec![0x01, 0x01]),
                (Tag::new(0x81), vec![0x02]),
                (Tag::new(0x82), vec![0x00]),
                (FORMAT_OWNER, vec![0x01, 0x01]),
                (FORMAT_TYPE, vec![0x00, 0x08]),
            ],
            data: BiometricData::Facial(FacialRecord::single(face)),
        }
    }

    fn is_19794_5(&self) -> bool {
        // absent owner/type: assume the face format DG2 is defined with
        self.header_value(0x87).is_none_or(|v| v == [0x01, 0x01])
            && self.header_value(0x88).is_none_or(|v| v == [0x00, 0x08] || v == [0x00, 0x05])
    }
}

/// DG2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg2 {
    /// The templates (usually one).
    pub templates: Vec<BiometricTemplate>,
    /// What the decoder tolerated ([`super::warning`]); empty for a built DG2.
    pub warnings: Vec<super::DecodeWarning>,
}

fn file() -> LdsFile {
    LdsFile::dg(2).unwrap_or(LdsFile::Com)
}

impl Dg2 {
    /// A DG2 holding one face image (JPEG or JPEG 2000 bytes) of the given size.
    pub fn from_image(image: Vec<u8>, image_data_type: ImageDataType, width: u16, height: u16) -> Self {
        Dg2 {
            templates: vec![BiometricTemplate::face(FaceImage::new(image, image_data_type, width, height))],
            warnings: Vec::new(),
        }
    }

    /// Every face in the file: those of ISO/IEC 19794-5 records as they are, the 2D images of ISO/IEC 39794-5
    /// blocks as [`FaceImage`]s built from them ([`super::iso39794::face::FaceImage2D::to_face_image`]).
    pub fn faces(&self) -> impl Iterator<Item = Cow<'_, FaceImage>> {
        self.templates.iter().flat_map(|t| -> Vec<Cow<'_, FaceImage>> {
            match &t.data {
                BiometricData::Facial(r) => r.faces.iter().map(Cow::Borrowed).collect(),
                BiometricData::Iso39794 { block: Iso39794Block::Face(b), .. } => b
                    .representations
                    .iter()
                    .filter_map(|r| r.image.as_ref())
                    .map(|i| Cow::Owned(i.to_face_image()))
                    .collect(),
                BiometricData::Iso39794 { .. } | BiometricData::Other { .. } => Vec::new(),
            }
        })
    }

    /// Decodes DG2.
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let err = |e| LdsError::tlv(file(), e);
        let (bytes, warnings) = super::warning::outer_content(file(), DG2, bytes)?;
        let outer = TlvReader::single(bytes, DG2).map_err(err)?;
        let mut r = outer.children();
        let group = r.expect(BIT_GROUP).map_err(err)?;
        r.finish().map_err(err)?;
        let mut g = group.children();
        let count = g.expect(COUNT).map_err(err)?;
        let n = match count.value() {
            [n] => usize::from(*n),
            _ => {
                return Err(LdsError::at(
                    file(),
                    count.value_offset(),
                    LdsErrorKind::Invalid { field: "number of instances", reason: "not one byte" },
                ));
            }
        };
        let mut templates = Vec::new();
        while !g.is_empty() {
            let t = g.expect(BIT).map_err(err)?;
            templates.push(Self::template(&t)?);
        }
        if templates.len() != n {
            return Err(LdsError::at(
                file(),
                count.value_offset(),
                LdsErrorKind::Invalid { field: "number of instances", reason: "differs from the templates present" },
            ));
        }
        Ok(Dg2 { templates, warnings })
    }

    fn template(t: &Tlv<'_>) -> Result<BiometricTemplate, LdsError> {
        let err = |e| LdsError::tlv(file(), e);
        let mut r = t.children();
        let bht = r.expect(BHT).map_err(err)?;
        let mut header = Vec::new();
        for h in bht.children() {
            let h = h.map_err(err)?;
            header.push((h.tag(), h.value().to_vec()));
        }
        let block = r.read().map_err(err)?;
        r.finish().map_err(err)?;
        let mut template = BiometricTemplate { header, data: BiometricData::Other { tag: block.tag(), value: vec![] } };
        template.data = if block.tag() == BDB && template.is_19794_5() {
            let rec = FacialRecord::decode(block.value()).map_err(|e| {
                LdsError::at(
                    file(),
                    block.value_offset() + e.offset,
                    LdsErrorKind::Invalid { field: "ISO/IEC 19794-5 record", reason: e.reason },
                )
            })?;
            BiometricData::Facial(rec)
        } else if block.tag() == BDB_CONSTRUCTED && Iso39794Block::recognizes(block.value()) {
            let decoded = Iso39794Block::decode(block.value(), block.value_offset()).map_err(|e| e.into_lds(file()))?;
            BiometricData::Iso39794 { block: decoded, value: block.value().to_vec() }
        } else if block.tag() == BDB || block.tag() == BDB_CONSTRUCTED {
            BiometricData::Other { tag: block.tag(), value: block.value().to_vec() }
        } else {
            return Err(LdsError::at(file(), block.offset(), LdsErrorKind::Missing("Biometric Data Block")));
        };
        Ok(template)
    }

    /// Encodes DG2.
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let too_many =
            LdsError::new(file(), LdsErrorKind::Unencodable { field: "DG2", reason: "more than 255 templates" });
        let count = u8::try_from(self.templates.len()).map_err(|_| too_many)?;
        let mut blocks = Vec::new();
        for t in &self.templates {
            let (tag, value) = match &t.data {
                BiometricData::Facial(r) => (
                    BDB,
                    r.encode().map_err(|e| {
                        LdsError::new(
                            file(),
                            LdsErrorKind::Unencodable { field: "ISO/IEC 19794-5 record", reason: e.reason },
                        )
                    })?,
                ),
                BiometricData::Iso39794 { value, .. } => (BDB_CONSTRUCTED, value.clone()),
                BiometricData::Other { tag, value } => (*tag, value.clone()),
            };
            blocks.push((t, tag, value));
        }
        let mut w = TlvWriter::new();
        w.constructed(DG2, |w| {
            w.constructed(BIT_GROUP, |w| {
                w.primitive(COUNT, &[count]);
                for (t, tag, value) in &blocks {
                    w.constructed(BIT, |w| {
                        w.constructed(BHT, |w| {
                            for (h, v) in &t.header {
                                w.primitive(*h, v);
                            }
                        });
                        w.primitive(*tag, value);
                    });
                }
            });
        });
        Ok(w.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(len: usize) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0];
        v.extend((0..len).map(|i| (i * 31 % 251) as u8));
        v.extend([0xFF, 0xD9]);
        v
    }

    #[test]
    fn twenty_kilobyte_face_round_trips() {
        let dg = Dg2::from_image(jpeg(20_000), ImageDataType::Jpeg, 480, 640);
        let bytes = dg.encode().unwrap();
        assert_eq!(&bytes[..2], [0x75, 0x82]);
        let d = Dg2::decode(&bytes).unwrap();
        assert_eq!(d, dg);
        let face = d.faces().next().unwrap();
        assert_eq!((face.width, face.height), (480, 640));
        assert_eq!(face.image.len(), 20_006);
        assert_eq!(d.encode().unwrap(), bytes);
        assert_eq!(d.templates[0].header_value(0x88), Some(&[0x00, 0x08][..]));
    }

    #[test]
    fn malformed_dg2_is_rejected_with_offsets() {
        let bytes = Dg2::from_image(jpeg(100), ImageDataType::Jpeg2000, 10, 10).encode().unwrap();
        for cut in 0..bytes.len() {
            assert!(Dg2::decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        let padded = Dg2::decode(&long).unwrap();
        assert_eq!(
            padded.warnings,
            [crate::lds::DecodeWarning {
                offset: bytes.len(),
                kind: crate::lds::DecodeWarningKind::Padding { byte: 0, len: 1 }
            }]
        );
        assert_eq!(padded.encode().unwrap(), bytes);
        // a wrong instance count
        let mut bad = bytes.clone();
        let pos = bytes.windows(3).position(|w| w == [0x02, 0x01, 0x01]).unwrap();
        bad[pos + 2] = 2;
        assert!(matches!(Dg2::decode(&bad).unwrap_err().kind, LdsErrorKind::Invalid { .. }));
        // a broken facial record reports an offset inside the file
        let mut bad = bytes.clone();
        let fac = bytes.windows(4).position(|w| w == b"FAC\0").unwrap();
        bad[fac] = b'X';
        assert_eq!(Dg2::decode(&bad).unwrap_err().offset, Some(fac));
    }

    #[test]
    fn other_formats_are_kept() {
        let mut dg = Dg2::from_image(jpeg(10), ImageDataType::Jpeg, 1, 1);
        dg.templates[0].header[4].1 = vec![0x00, 0x99];
        dg.templates[0].data = BiometricData::Other { tag: BDB, value: vec![1, 2, 3] };
        let bytes = dg.encode().unwrap();
        assert_eq!(Dg2::decode(&bytes).unwrap(), dg);
    }
}
