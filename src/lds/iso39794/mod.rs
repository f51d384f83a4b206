//! ISO/IEC 39794 extensible biometric data blocks, as LDS 1.8 puts them in DG2/DG3/DG4 (ICAO 9303-10 §4.5.6):
//! the constructed Biometric Data Block `7F2E` of a CBEFF template holds
//!
//! ```text
//! 7F2E
//!   A1
//!     64 FingerImageDataBlock (39794-4)  | 65 FaceImageDataBlock (39794-5)  | 66 IrisImageDataBlock (39794-6)
//!       A0 versionBlock        { 80 generation, 81 year }
//!       A1 representationBlocks { 30 RepresentationBlock, … }
//!       …                      (extension marker: later elements are skipped)
//! ```
//!
//! The modules are ASN.1 with `IMPLICIT TAGS` in DER, read here with the crate's BER-TLV reader: context tags are
//! `80`+n (primitive) or `A0`+n (constructed), a `CHOICE` is an explicit wrapper around its alternative, and the
//! coded values are mostly `CHOICE { code [0], extensionBlock [1] { fallback [0], … } }` (both forms read).
//! Decoding is tolerant: unknown elements (and everything after an extension marker) are skipped, optional blocks
//! this library does not model are ignored. It is strict where a verifier depends on it: a missing mandatory
//! element, an INTEGER that is negative or too large, or malformed TLV is a typed [`Iso39794Error`] with the byte
//! offset (from the start of the data group when called from [`crate::lds::dg2`] / [`crate::lds::dg3`]).
//!
//! Decoded: the version block; for faces ([`face`]) each representation's id and 2D image (bytes, format, kind,
//! size); for fingers ([`finger`]) each representation's position, impression, image format, image bytes and
//! sampling rate; for irises only the version and the number of representations. The data groups keep the
//! block's exact bytes and re-encode them unchanged.
//!
//! No real 39794 chip file was available when this was written: the tests are built from the byte layouts
//! documented for the GMRTD DG2 sample and the JMRTD 39794-4 sample (tags and codes from their ASN.1), not read
//! from a document.

pub mod face;
pub mod finger;

use core::fmt;

use self::face::FaceImageDataBlock;
use self::finger::FingerImageDataBlock;
use super::{LdsError, LdsErrorKind, LdsFile};
use crate::tlv::{Tag, Tlv, TlvError, TlvErrorKind, TlvReader};

/// The `A1` wrapper under `7F2E`.
const WRAPPER: u32 = 0xA1;
/// `FingerImageDataBlock ::= [APPLICATION 4]`.
pub const FINGER_TAG: Tag = Tag::new(0x64);
/// `FaceImageDataBlock ::= [APPLICATION 5]`.
pub const FACE_TAG: Tag = Tag::new(0x65);
/// `IrisImageDataBlock ::= [APPLICATION 6]`.
pub const IRIS_TAG: Tag = Tag::new(0x66);

/// What is wrong with a 39794 block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Iso39794ErrorKind {
    /// Malformed BER-TLV.
    #[error("{0}")]
    Tlv(TlvErrorKind),
    /// A mandatory element is absent.
    #[error("missing {0}")]
    Missing(&'static str),
    /// An element the format does not allow.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The element.
        field: &'static str,
        /// Why (never the value).
        reason: &'static str,
    },
}

/// A 39794 decoding error and the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ISO/IEC 39794 block at byte {offset}: {kind}")]
pub struct Iso39794Error {
    /// Offset from the start of the input given to the decoder (plus the base it was given).
    pub offset: usize,
    /// What is wrong.
    pub kind: Iso39794ErrorKind,
}

impl From<TlvError> for Iso39794Error {
    fn from(e: TlvError) -> Self {
        Iso39794Error { offset: e.offset, kind: Iso39794ErrorKind::Tlv(e.kind) }
    }
}

impl Iso39794Error {
    fn missing(offset: usize, what: &'static str) -> Self {
        Iso39794Error { offset, kind: Iso39794ErrorKind::Missing(what) }
    }

    fn invalid(offset: usize, field: &'static str, reason: &'static str) -> Self {
        Iso39794Error { offset, kind: Iso39794ErrorKind::Invalid { field, reason } }
    }

    /// The same error as an [`LdsError`] of `file` (offsets already count from the file's start).
    pub fn into_lds(self, file: LdsFile) -> LdsError {
        let kind = match self.kind {
            Iso39794ErrorKind::Tlv(k) => LdsErrorKind::Tlv(k),
            Iso39794ErrorKind::Missing(m) => LdsErrorKind::Missing(m),
            Iso39794ErrorKind::Invalid { field, reason } => LdsErrorKind::Invalid { field, reason },
        };
        LdsError::at(file, self.offset, kind)
    }
}

/// `VersionBlock ::= SEQUENCE { generation [0] INTEGER, year [1] INTEGER }` (39794-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionBlock {
    /// The generation (3 in the 2019 editions' samples).
    pub generation: u64,
    /// The year of the edition (2019 …).
    pub year: u64,
}

/// An ISO/IEC 39794-6 iris block: only what identifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrisImageDataBlock {
    /// The version block.
    pub version: VersionBlock,
    /// How many representation blocks it holds (not decoded further).
    pub representations: usize,
}

/// A decoded 39794 data block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Iso39794Block {
    /// ISO/IEC 39794-4 finger images (`64`).
    Finger(FingerImageDataBlock),
    /// ISO/IEC 39794-5 face images (`65`).
    Face(FaceImageDataBlock),
    /// ISO/IEC 39794-6 iris images (`66`), identified only.
    Iris(IrisImageDataBlock),
}

impl Iso39794Block {
    /// The part of ISO/IEC 39794 the block follows, as the JSON names it: `"ISO/IEC 39794-4"` ….
    pub fn encoding(&self) -> &'static str {
        match self {
            Iso39794Block::Finger(_) => "ISO/IEC 39794-4",
            Iso39794Block::Face(_) => "ISO/IEC 39794-5",
            Iso39794Block::Iris(_) => "ISO/IEC 39794-6",
        }
    }

    /// The version block.
    pub fn version(&self) -> VersionBlock {
        match self {
            Iso39794Block::Finger(b) => b.version,
            Iso39794Block::Face(b) => b.version,
            Iso39794Block::Iris(b) => b.version,
        }
    }

    /// Whether the value of a `7F2E` block looks like a 39794 block (`A1`, or a bare `64`/`65`/`66`), so that
    /// [`Iso39794Block::decode`] applies; other constructed blocks (vendor formats) are kept as bytes by the
    /// data groups.
    pub fn recognizes(value: &[u8]) -> bool {
        matches!(value.first(), Some(0xA1 | 0x64 | 0x65 | 0x66))
    }

    /// Decodes the value of a `7F2E` Biometric Data Block: `A1 { 64|65|66 … }` (a bare `64`/`65`/`66` is also
    /// read). `base` is the offset of `value` in the file, so errors point into the file.
    pub fn decode(value: &[u8], base: usize) -> Result<Self, Iso39794Error> {
        let mut r = TlvReader::with_base(value, base);
        let first = r.read()?;
        r.finish()?;
        let block = if first.tag().value() == WRAPPER {
            let mut inner = first.children();
            let b = inner.read()?;
            inner.finish()?;
            b
        } else {
            first
        };
        match block.tag() {
            FINGER_TAG => Ok(Iso39794Block::Finger(FingerImageDataBlock::decode_tlv(&block)?)),
            FACE_TAG => Ok(Iso39794Block::Face(FaceImageDataBlock::decode_tlv(&block)?)),
            IRIS_TAG => {
                let (version, representations) = data_block(&block, |_| Ok(()))?;
                Ok(Iso39794Block::Iris(IrisImageDataBlock { version, representations: representations.len() }))
            }
            _ => Err(Iso39794Error::invalid(
                block.offset(),
                "ISO/IEC 39794 block",
                "neither a finger (64), face (65) nor iris (66) data block",
            )),
        }
    }
}

impl VersionBlock {
    fn decode(t: &Tlv<'_>) -> Result<Self, Iso39794Error> {
        let f = Fields::of(t)?;
        Ok(VersionBlock {
            generation: uint(f.need(0x80, "version generation")?, "version generation")?,
            year: uint(f.need(0x81, "version year")?, "version year")?,
        })
    }
}

/// The skeleton every 39794 data block shares: `SEQUENCE { versionBlock [0], representationBlocks [1] SEQUENCE OF
/// RepresentationBlock, ... }`, each representation (a `30`) read by `representation`.
fn data_block<R>(
    t: &Tlv<'_>,
    representation: impl Fn(&Tlv<'_>) -> Result<R, Iso39794Error>,
) -> Result<(VersionBlock, Vec<R>), Iso39794Error> {
    let f = Fields::of(t)?;
    let version = VersionBlock::decode(f.need(0xA0, "versionBlock")?)?;
    let reps = Fields::of(f.need(0xA1, "representationBlocks")?)?;
    let representations =
        reps.items.iter().filter(|r| r.tag().value() == 0x30).map(representation).collect::<Result<_, _>>()?;
    Ok((version, representations))
}

/// The elements of a constructed object, read once; lookups by full tag (so `80` and `A0` differ).
struct Fields<'a> {
    items: Vec<Tlv<'a>>,
    /// Where the parent's value starts, for errors about missing elements.
    at: usize,
}

impl<'a> Fields<'a> {
    fn of(t: &Tlv<'a>) -> Result<Self, Iso39794Error> {
        if !t.tag().is_constructed() {
            return Err(Iso39794Error::invalid(
                t.offset(),
                "ISO/IEC 39794 block",
                "a primitive where a SEQUENCE is due",
            ));
        }
        let items = t.children().collect::<Result<Vec<_>, _>>()?;
        Ok(Fields { items, at: t.value_offset() })
    }

    /// The first element with this tag (later duplicates are ignored).
    fn get(&self, tag: u32) -> Option<&Tlv<'a>> {
        self.items.iter().find(|t| t.tag().value() == tag)
    }

    fn need(&self, tag: u32, what: &'static str) -> Result<&Tlv<'a>, Iso39794Error> {
        self.get(tag).ok_or(Iso39794Error::missing(self.at, what))
    }
}

/// A non-negative DER INTEGER (or ENUMERATED) that fits 64 bits.
fn uint(t: &Tlv<'_>, field: &'static str) -> Result<u64, Iso39794Error> {
    let v = t.value();
    match v.first() {
        None => return Err(Iso39794Error::invalid(t.offset(), field, "an empty INTEGER")),
        Some(b) if b & 0x80 != 0 => return Err(Iso39794Error::invalid(t.offset(), field, "a negative INTEGER")),
        Some(_) => {}
    }
    let digits = v.iter().skip_while(|b| **b == 0).count();
    if digits > 8 {
        return Err(Iso39794Error::invalid(t.offset(), field, "an INTEGER over 64 bits"));
    }
    Ok(v.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
}

/// A non-negative INTEGER that fits 16 bits.
fn u16_of(t: &Tlv<'_>, field: &'static str) -> Result<u16, Iso39794Error> {
    u16::try_from(uint(t, field)?).map_err(|_| Iso39794Error::invalid(t.offset(), field, "over 65535"))
}

/// A coded value: the wrapper of `CHOICE { code [0], extensionBlock [1] SEQUENCE { fallback [0], … } }`, or a
/// bare primitive code. `None`: an extension block without a fallback code.
fn code(t: &Tlv<'_>, field: &'static str) -> Result<Option<u64>, Iso39794Error> {
    if !t.tag().is_constructed() {
        return uint(t, field).map(Some);
    }
    let f = Fields::of(t)?;
    if let Some(c) = f.get(0x80) {
        return uint(c, field).map(Some);
    }
    match f.get(0xA1) {
        Some(ext) => match Fields::of(ext)?.get(0x80) {
            Some(c) => uint(c, field).map(Some),
            None => Ok(None),
        },
        None => Err(Iso39794Error::invalid(t.offset(), field, "neither a code nor an extension block")),
    }
}

/// A mandatory coded value: an extension without a fallback is an error.
fn required_code(t: &Tlv<'_>, field: &'static str) -> Result<u64, Iso39794Error> {
    code(t, field)?.ok_or(Iso39794Error::invalid(t.offset(), field, "an extension block without a fallback code"))
}

/// Image bytes in `Debug`: their length only (biometric data).
struct Len(usize);

impl fmt::Debug for Len {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::TlvWriter;

    fn tlv(bytes: &[u8]) -> Tlv<'_> {
        TlvReader::single_any(bytes).unwrap()
    }

    #[test]
    fn integers_and_codes() {
        assert_eq!(uint(&tlv(&[0x80, 0x02, 0x07, 0xE3]), "y").unwrap(), 2019);
        assert_eq!(uint(&tlv(&[0x80, 0x02, 0x00, 0xFF]), "y").unwrap(), 255);
        assert!(matches!(uint(&tlv(&[0x80, 0x00]), "y").unwrap_err().kind, Iso39794ErrorKind::Invalid { .. }));
        assert!(uint(&tlv(&[0x80, 0x01, 0xFF]), "y").is_err());
        let big = [0x80, 0x0A, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(uint(&tlv(&big), "y").is_err());
        assert_eq!(u16_of(&tlv(&[0x80, 0x03, 0x01, 0x00, 0x00]), "w").unwrap_err().offset, 0);
        // code [0] and extensionBlock [1] { fallback [0] }
        assert_eq!(code(&tlv(&[0xA0, 0x03, 0x80, 0x01, 0x04]), "f").unwrap(), Some(4));
        assert_eq!(code(&tlv(&[0xA0, 0x05, 0xA1, 0x03, 0x80, 0x01, 0x02]), "f").unwrap(), Some(2));
        assert_eq!(code(&tlv(&[0xA0, 0x02, 0xA1, 0x00]), "f").unwrap(), None);
        assert!(required_code(&tlv(&[0xA0, 0x02, 0xA1, 0x00]), "f").is_err());
        assert!(code(&tlv(&[0xA0, 0x03, 0x82, 0x01, 0x04]), "f").is_err());
    }

    #[test]
    fn container_and_iris() {
        let mut w = TlvWriter::new();
        w.constructed(Tag::new(0xA1), |w| {
            w.constructed(IRIS_TAG, |w| {
                w.constructed(Tag::new(0xA0), |w| {
                    w.primitive(Tag::new(0x80), &[3]).primitive(Tag::new(0x81), &[0x07, 0xE3]);
                });
                w.constructed(Tag::new(0xA1), |w| {
                    w.constructed(Tag::new(0x30), |_| {}).constructed(Tag::new(0x30), |_| {});
                });
                // after the extension marker: skipped
                w.primitive(Tag::new(0x9F20), &[1]);
            });
        });
        let bytes = w.into_bytes();
        assert!(Iso39794Block::recognizes(&bytes));
        let b = Iso39794Block::decode(&bytes, 100).unwrap();
        assert_eq!(
            b,
            Iso39794Block::Iris(IrisImageDataBlock {
                version: VersionBlock { generation: 3, year: 2019 },
                representations: 2
            })
        );
        assert_eq!(b.encoding(), "ISO/IEC 39794-6");
        // offsets carry the base
        let e = Iso39794Block::decode(&bytes[..bytes.len() - 1], 100).unwrap_err();
        assert!(e.offset >= 100 && matches!(e.kind, Iso39794ErrorKind::Tlv(_)), "{e:?}");
        // another application tag
        let e = Iso39794Block::decode(&[0xA1, 0x02, 0x67, 0x00], 0).unwrap_err();
        assert_eq!(e.offset, 2);
        // a missing version block
        let e = Iso39794Block::decode(&[0xA1, 0x04, 0x66, 0x02, 0xA1, 0x00], 0).unwrap_err();
        assert_eq!(e.kind, Iso39794ErrorKind::Missing("versionBlock"));
        assert!(!Iso39794Block::recognizes(&[0x30, 0x00]));
        assert!(Iso39794Block::decode(&[], 0).is_err());
    }
}
