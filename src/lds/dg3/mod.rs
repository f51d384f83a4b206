//! DG3 (fingerprints) and DG4 (iris): the CBEFF structure of ICAO 9303-10 §4.7.3/§4.7.4 with
//! ISO/IEC 19794-4 finger records ([`finger`]) and ISO/IEC 19794-6 iris records ([`iris`]).
//!
//! ```text
//! 63 (DG3) | 76 (DG4)
//!   7F61 Biometric Information Group Template
//!     02 01 n                      number of instances
//!     7F60 Biometric Information Template (one finger or eye each)
//!       A1 Biometric Header Template
//!         80 02 0101  81 01 08|10  82 01 subtype  87 02 0101 (JTC1/SC37)  88 02 0007|0009 (19794-4|-6)
//!       5F2E <19794 record>        or 7F2E { A1 { 64|66 … } } (ISO/IEC 39794-4|-6, 88 = 0028|002C)
//!   [53 issuer data]               the zero-instance form carries random bytes here
//! ```
//!
//! The header elements are kept in order, unknown ones included. ISO/IEC 39794 blocks are decoded by
//! [`super::iso39794`] (fingers in full, irises identified) and kept as read; records in other formats are kept
//! as bytes.
//! Fingerprints are biometric personal data: `Debug` prints sizes, never image bytes.

pub mod finger;
pub mod iris;

use self::finger::{FingerCompression, FingerPosition, FingerRecord};
use self::iris::IrisRecord;
use super::iso39794::Iso39794Block;
use super::{LdsError, LdsErrorKind, LdsFile};
use crate::tlv::{Tag, Tlv, TlvReader, TlvWriter};

const BIT_GROUP: Tag = Tag::new(0x7F61);
const BIT: Tag = Tag::new(0x7F60);
const COUNT: Tag = Tag::new(0x02);
const BHT: Tag = Tag::new(0xA1);
const BDB: Tag = Tag::new(0x5F2E);
const BDB_CONSTRUCTED: Tag = Tag::new(0x7F2E);
const ISSUER_DATA: Tag = Tag::new(0x53);

/// What is wrong with a 19794 record; `offset` counts from the start of the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("biometric record at byte {offset}: {reason}")]
pub struct RecordError {
    /// Offset from the start of the record.
    pub offset: usize,
    /// What is wrong.
    pub reason: &'static str,
}

/// A bounded big-endian reader.
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], RecordError> {
        let end = self.pos.checked_add(n).ok_or(RecordError { offset: self.pos, reason: what })?;
        let b = self.data.get(self.pos..end).ok_or(RecordError { offset: self.pos, reason: "truncated record" })?;
        let _ = what;
        self.pos = end;
        Ok(b)
    }

    pub(crate) fn uint(&mut self, n: usize) -> Result<u64, RecordError> {
        Ok(self.bytes(n, "integer")?.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
    }

    pub(crate) fn u8(&mut self) -> Result<u8, RecordError> {
        Ok(self.bytes(1, "byte")?.first().copied().unwrap_or(0))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, RecordError> {
        Ok(self.uint(2)? as u16)
    }

    pub(crate) fn magic(&mut self, expected: &[u8], what: &'static str) -> Result<(), RecordError> {
        let at = self.pos;
        if self.bytes(expected.len(), what)? != expected {
            return Err(RecordError { offset: at, reason: what });
        }
        Ok(())
    }

    pub(crate) fn finish(&self) -> Result<(), RecordError> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(RecordError { offset: self.pos, reason: "trailing bytes after the record" })
        }
    }
}

/// The Biometric Data Block of one template. `Debug` prints the lengths of kept bytes, never the bytes.
#[derive(Clone, PartialEq, Eq)]
pub enum BiometricRecord {
    /// An ISO/IEC 19794-4 finger record.
    Finger(FingerRecord),
    /// An ISO/IEC 19794-6 iris record.
    Iris(IrisRecord),
    /// An ISO/IEC 39794 block (`7F2E { A1 { 64|66 … } }`), decoded, with the `7F2E` value kept so that encoding
    /// writes it back unchanged.
    Iso39794 {
        /// The decoded block.
        block: Iso39794Block,
        /// The value of the `7F2E` object, exactly as read.
        value: Vec<u8>,
    },
    /// Another format (a vendor format, a `7F2E` that is not 39794): kept as it is.
    Other {
        /// `5F2E` or `7F2E`.
        tag: Tag,
        /// The block's value.
        value: Vec<u8>,
    },
}

impl core::fmt::Debug for BiometricRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BiometricRecord::Finger(r) => f.debug_tuple("Finger").field(r).finish(),
            BiometricRecord::Iris(r) => f.debug_tuple("Iris").field(r).finish(),
            BiometricRecord::Iso39794 { block, value } => {
                f.debug_struct("Iso39794").field("block", block).field("len", &value.len()).finish()
            }
            BiometricRecord::Other { tag, value } => {
                f.debug_struct("Other").field("tag", tag).field("len", &value.len()).finish()
            }
        }
    }
}

/// One Biometric Information Template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The Biometric Header Template elements `(tag, value)` in order.
    pub header: Vec<(Tag, Vec<u8>)>,
    /// The data block.
    pub record: BiometricRecord,
}

impl Template {
    /// The value of a header element.
    pub fn header_value(&self, tag: u32) -> Option<&[u8]> {
        self.header.iter().find(|(t, _)| t.value() == tag).map(|(_, v)| v.as_slice())
    }

    /// The CBEFF format type (`88`): `0007` 19794-4, `0009` 19794-6, …
    pub fn format_type(&self) -> Option<u16> {
        match self.header_value(0x88)? {
            [a, b] => Some(u16::from_be_bytes([*a, *b])),
            _ => None,
        }
    }

    /// A template for one finger image (ICAO 9303-10 Table 52).
    pub fn finger(record: FingerRecord) -> Self {
        let subtype = record.views.first().map(|v| v.position.cbeff_subtype()).unwrap_or(0);
        Template {
            header: vec![
                (Tag::new(0x80), vec![0x01, 0x01]),
                (Tag::new(0x81), vec![0x08]),
                (Tag::new(0x82), vec![subtype]),
                (Tag::new(0x87), vec![0x01, 0x01]),
                (Tag::new(0x88), vec![0x00, 0x07]),
            ],
            record: BiometricRecord::Finger(record),
        }
    }

    /// A template for one iris record.
    pub fn iris(record: IrisRecord) -> Self {
        let subtype = match record.eyes.first().map(|e| e.eye) {
            Some(1) => 0x01,
            Some(2) => 0x02,
            _ => 0x00,
        };
        Template {
            header: vec![
                (Tag::new(0x80), vec![0x01, 0x01]),
                (Tag::new(0x81), vec![0x10]),
                (Tag::new(0x82), vec![subtype]),
                (Tag::new(0x87), vec![0x01, 0x01]),
                (Tag::new(0x88), vec![0x00, 0x09]),
            ],
            record: BiometricRecord::Iris(record),
        }
    }
}

/// DG3 or DG4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiometricGroup {
    /// [`LdsFile`] DG3 or DG4.
    pub file: LdsFile,
    /// The templates (one per finger or eye).
    pub templates: Vec<Template>,
    /// Issuer data after the group (`53`), e.g. the random bytes of the zero-instance form.
    pub issuer_data: Option<Vec<u8>>,
}

/// DG3 (fingerprints).
pub type Dg3 = BiometricGroup;
/// DG4 (iris).
pub type Dg4 = BiometricGroup;

fn dg3_file() -> LdsFile {
    LdsFile::dg(3).unwrap_or(LdsFile::Com)
}

fn dg4_file() -> LdsFile {
    LdsFile::dg(4).unwrap_or(LdsFile::Com)
}

/// One finger image to put in DG3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerImage {
    /// Which finger.
    pub position: FingerPosition,
    /// The image's codec (WSQ, JPEG 2000, PNG…).
    pub compression: FingerCompression,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The encoded image.
    pub image: Vec<u8>,
}

impl BiometricGroup {
    /// A DG3 with one template per finger image (9303-10: each `5F2E` holds exactly one fingerprint).
    pub fn fingerprints(images: Vec<FingerImage>) -> Self {
        let templates = images
            .into_iter()
            .map(|f| Template::finger(FingerRecord::single(f.position, f.compression, f.width, f.height, f.image)))
            .collect();
        BiometricGroup { file: dg3_file(), templates, issuer_data: None }
    }

    /// A DG4 with one template per iris record.
    pub fn irises(records: Vec<IrisRecord>) -> Self {
        BiometricGroup {
            file: dg4_file(),
            templates: records.into_iter().map(Template::iris).collect(),
            issuer_data: None,
        }
    }

    /// The zero-instance form (9303-10 §4.7.3.2.2): no template, `random` as issuer data so the SOD hash differs
    /// from card to card.
    pub fn zero_instances(file: LdsFile, random: Vec<u8>) -> Self {
        BiometricGroup { file, templates: Vec::new(), issuer_data: Some(random) }
    }

    /// Every finger view of every 19794-4 record.
    pub fn finger_views(&self) -> impl Iterator<Item = (&FingerRecord, &finger::FingerView)> {
        self.templates.iter().flat_map(|t| match &t.record {
            BiometricRecord::Finger(r) => r.views.iter().map(move |v| (r, v)).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    }

    /// Decodes DG3 (`63`) or DG4 (`76`), whichever the tag says.
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let first = TlvReader::single_any(bytes).map_err(|e| LdsError::tlv(dg3_file(), e))?;
        let file = match first.tag().value() {
            0x63 => dg3_file(),
            0x76 => dg4_file(),
            _ => {
                return Err(LdsError::at(
                    dg3_file(),
                    0,
                    LdsErrorKind::Invalid { field: "tag", reason: "neither DG3 (63) nor DG4 (76)" },
                ));
            }
        };
        let err = |e| LdsError::tlv(file, e);
        let mut r = first.children();
        let group = r.expect(BIT_GROUP).map_err(err)?;
        let issuer_data = r.optional(ISSUER_DATA).map_err(err)?.map(|t| t.value().to_vec());
        r.finish().map_err(err)?;
        let mut g = group.children();
        let count = g.expect(COUNT).map_err(err)?;
        let n = match count.value() {
            [n] => usize::from(*n),
            _ => {
                let kind = LdsErrorKind::Invalid { field: "number of instances", reason: "not one byte" };
                return Err(LdsError::at(file, count.value_offset(), kind));
            }
        };
        let mut templates = Vec::new();
        while !g.is_empty() {
            let t = g.expect(BIT).map_err(err)?;
            templates.push(Self::template(file, &t)?);
        }
        if templates.len() != n {
            let kind =
                LdsErrorKind::Invalid { field: "number of instances", reason: "differs from the templates present" };
            return Err(LdsError::at(file, count.value_offset(), kind));
        }
        Ok(BiometricGroup { file, templates, issuer_data })
    }

    fn template(file: LdsFile, t: &Tlv<'_>) -> Result<Template, LdsError> {
        let err = |e| LdsError::tlv(file, e);
        let mut r = t.children();
        let bht = r.expect(BHT).map_err(err)?;
        let mut header = Vec::new();
        for h in bht.children() {
            let h = h.map_err(err)?;
            header.push((h.tag(), h.value().to_vec()));
        }
        let block = r.read().map_err(err)?;
        r.finish().map_err(err)?;
        let mut template = Template { header, record: BiometricRecord::Other { tag: block.tag(), value: vec![] } };
        let record_error = |field: &'static str, e: RecordError| {
            LdsError::at(file, block.value_offset() + e.offset, LdsErrorKind::Invalid { field, reason: e.reason })
        };
        template.record = match (block.tag(), template.format_type()) {
            (BDB, Some(0x0007)) if block.value().starts_with(b"FIR\0") => BiometricRecord::Finger(
                FingerRecord::decode(block.value()).map_err(|e| record_error("ISO/IEC 19794-4 record", e))?,
            ),
            (BDB, Some(0x0009)) if block.value().starts_with(b"IIR\0") => BiometricRecord::Iris(
                IrisRecord::decode(block.value()).map_err(|e| record_error("ISO/IEC 19794-6 record", e))?,
            ),
            (BDB_CONSTRUCTED, _) if Iso39794Block::recognizes(block.value()) => BiometricRecord::Iso39794 {
                block: Iso39794Block::decode(block.value(), block.value_offset()).map_err(|e| e.into_lds(file))?,
                value: block.value().to_vec(),
            },
            (BDB | BDB_CONSTRUCTED, _) => BiometricRecord::Other { tag: block.tag(), value: block.value().to_vec() },
            _ => return Err(LdsError::at(file, block.offset(), LdsErrorKind::Missing("Biometric Data Block"))),
        };
        Ok(template)
    }

    /// Encodes the file.
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let file = self.file;
        let unencodable =
            |reason| LdsError::new(file, LdsErrorKind::Unencodable { field: "biometric data group", reason });
        let tag = match file.dg_number() {
            Some(3) => Tag::new(0x63),
            Some(4) => Tag::new(0x76),
            _ => return Err(unencodable("a file other than DG3 or DG4")),
        };
        let count = u8::try_from(self.templates.len()).map_err(|_| unencodable("more than 255 templates"))?;
        let mut blocks = Vec::new();
        for t in &self.templates {
            let (btag, value) = match &t.record {
                BiometricRecord::Finger(r) => (BDB, r.encode().map_err(|e| unencodable(e.reason))?),
                BiometricRecord::Iris(r) => (BDB, r.encode().map_err(|e| unencodable(e.reason))?),
                BiometricRecord::Iso39794 { value, .. } => (BDB_CONSTRUCTED, value.clone()),
                BiometricRecord::Other { tag, value } => (*tag, value.clone()),
            };
            blocks.push((t, btag, value));
        }
        let mut w = TlvWriter::new();
        w.constructed(tag, |w| {
            w.constructed(BIT_GROUP, |w| {
                w.primitive(COUNT, &[count]);
                for (t, btag, value) in &blocks {
                    w.constructed(BIT, |w| {
                        w.constructed(BHT, |w| {
                            for (h, v) in &t.header {
                                w.primitive(*h, v);
                            }
                        });
                        w.primitive(*btag, value);
                    });
                }
            });
            if let Some(d) = &self.issuer_data {
                w.primitive(ISSUER_DATA, d);
            }
        });
        Ok(w.into_bytes())
    }
}

/// The image codec of finger or iris image bytes, from their magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageCodec {
    /// WSQ (`FF A0`): no decoder here, kept as bytes.
    Wsq,
    /// JPEG (`FF D8`).
    Jpeg,
    /// JPEG 2000, JP2 file or raw codestream.
    Jpeg2000,
    /// PNG.
    Png,
    /// Anything else.
    Unknown,
}

impl ImageCodec {
    /// The codec of `image`.
    pub fn sniff(image: &[u8]) -> Self {
        match image {
            [0xFF, 0xA0, ..] => ImageCodec::Wsq,
            [0xFF, 0xD8, ..] => ImageCodec::Jpeg,
            [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, ..] | [0xFF, 0x4F, 0xFF, 0x51, ..] => ImageCodec::Jpeg2000,
            [0x89, 0x50, 0x4E, 0x47, ..] => ImageCodec::Png,
            _ => ImageCodec::Unknown,
        }
    }

    /// The 19794-4 compression code of this codec.
    pub fn finger_compression(self) -> FingerCompression {
        match self {
            ImageCodec::Wsq => FingerCompression::Wsq,
            ImageCodec::Jpeg => FingerCompression::Jpeg,
            ImageCodec::Jpeg2000 => FingerCompression::Jpeg2000,
            ImageCodec::Png => FingerCompression::Png,
            ImageCodec::Unknown => FingerCompression::Raw,
        }
    }
}

#[cfg(test)]
mod tests;
