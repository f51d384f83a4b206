//! Bounded, zero-copy BER-TLV (ISO/IEC 8825-1, as profiled by ISO/IEC 7816-4 and ICAO 9303-10).
//!
//! Reading never trusts a length: every object is checked against the bytes that remain, and
//! every error carries the byte offset (from the start of the outermost input) where it was found.
//! Reading is tolerant of BER: non-minimal lengths are accepted, and so is the indefinite length (`80`) of a
//! constructed object, whose value then runs to its end-of-contents octets `00 00` (found by walking the
//! objects inside, nested at most 16 deep; [`Tlv::is_indefinite`] says so). Real documents send it: some
//! passports' EF.SOD is `77 80 …`. Writing is canonical DER-style (minimal tag and length encodings).
//!
//! ```
//! use cccd::tlv::{Tag, TlvReader, TlvWriter};
//!
//! let mut w = TlvWriter::new();
//! w.constructed(Tag::new(0x60), |w| {
//!     w.primitive(Tag::new(0x5F01), b"0107");
//! });
//! let bytes = w.into_bytes();
//! assert_eq!(bytes, [0x60, 0x07, 0x5F, 0x01, 0x04, b'0', b'1', b'0', b'7']);
//!
//! let outer = TlvReader::single(&bytes, Tag::new(0x60)).unwrap();
//! let mut inner = outer.children();
//! let version = inner.expect(Tag::new(0x5F01)).unwrap();
//! assert_eq!(version.value(), b"0107");
//! inner.finish().unwrap();
//! ```

use core::fmt;

/// The largest tag this module accepts: three bytes (e.g. `5F 1F`, `7F 61`, `BF 84 01`).
const MAX_TAG_BYTES: usize = 3;
/// The largest length field this module accepts: `84 LL LL LL LL` (4 length bytes).
const MAX_LENGTH_BYTES: usize = 4;

/// A BER tag, kept as its encoded bytes read as a big-endian number (`0x5F1F`, `0x7F61`, `0x30`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

/// The class bits of a tag's first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagClass {
    /// `00`: universal (ASN.1 types).
    Universal,
    /// `01`: application (most eMRTD tags: `60`, `61`, `75`, `77`, `5F1F`, …).
    Application,
    /// `10`: context-specific (`80`, `A0`, …).
    ContextSpecific,
    /// `11`: private.
    Private,
}

impl Tag {
    /// A tag from its encoded bytes read as a big-endian number, e.g. `Tag::new(0x5F1F)`.
    pub const fn new(value: u32) -> Self {
        Tag(value)
    }

    /// The encoded bytes read as a big-endian number.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The encoded bytes (1 to 4).
    pub fn to_bytes(self) -> Vec<u8> {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
        bytes.get(skip..).map(<[u8]>::to_vec).unwrap_or_default()
    }

    fn first_byte(self) -> u8 {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
        bytes.get(skip).copied().unwrap_or(0)
    }

    /// The tag's class.
    pub fn class(self) -> TagClass {
        match self.first_byte() >> 6 {
            0 => TagClass::Universal,
            1 => TagClass::Application,
            2 => TagClass::ContextSpecific,
            _ => TagClass::Private,
        }
    }

    /// Whether the constructed bit (`0x20` of the first byte) is set.
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:02X})", self.0)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X}", self.0)
    }
}

/// What went wrong while reading BER-TLV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvErrorKind {
    /// The input ended inside a tag, a length or a value.
    #[error("truncated: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the object needs from this offset.
        needed: usize,
        /// Bytes that remain from this offset.
        available: usize,
    },
    /// The input ended where a tag was expected.
    #[error("no data where a TLV object was expected")]
    Empty,
    /// A tag longer than three bytes.
    #[error("tag longer than {MAX_TAG_BYTES} bytes")]
    TagTooLong,
    /// A tag starting with `00` or `FF` (padding is not a tag in eMRTD files).
    #[error("invalid tag byte {0:02X}")]
    InvalidTag(u8),
    /// The indefinite length form (`80`) on a primitive object, nested more than 16 deep, or without its
    /// end-of-contents octets.
    #[error("indefinite length on a primitive object, too deeply nested, or without end-of-contents")]
    IndefiniteLength,
    /// A length field longer than four bytes (`85`…`FF`).
    #[error("length field of {0} bytes is too long")]
    LengthTooLong(usize),
    /// A different tag than the one expected.
    #[error("expected tag {expected}, found {found}")]
    UnexpectedTag {
        /// The tag the caller asked for.
        expected: Tag,
        /// The tag found in the data.
        found: Tag,
    },
    /// Bytes left after the last object.
    #[error("{0} bytes of trailing data")]
    TrailingData(usize),
}

/// A BER-TLV error: what went wrong and the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TLV error at offset {offset}: {kind}")]
pub struct TlvError {
    /// Offset from the start of the outermost input.
    pub offset: usize,
    /// What went wrong.
    pub kind: TlvErrorKind,
}

impl TlvError {
    fn new(offset: usize, kind: TlvErrorKind) -> Self {
        TlvError { offset, kind }
    }
}

/// One TLV object borrowed from the input.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    tag: Tag,
    value: &'a [u8],
    raw: &'a [u8],
    offset: usize,
    value_offset: usize,
    indefinite: bool,
}

impl<'a> Tlv<'a> {
    /// The tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The value bytes.
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// The whole object as it was read: tag, length and value.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Offset of the tag from the start of the outermost input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Offset of the value from the start of the outermost input.
    pub fn value_offset(&self) -> usize {
        self.value_offset
    }

    /// Whether the object had the BER indefinite length (its raw bytes end with `00 00`).
    pub fn is_indefinite(&self) -> bool {
        self.indefinite
    }

    /// A reader over the value, for constructed objects; offsets stay relative to the outermost input.
    pub fn children(&self) -> TlvReader<'a> {
        TlvReader::with_base(self.value, self.value_offset)
    }

    /// An error located at this object's value.
    pub fn error(&self, kind: TlvErrorKind) -> TlvError {
        TlvError::new(self.value_offset, kind)
    }
}

impl fmt::Debug for Tlv<'_> {
    /// Prints the tag, length and offset, never the value (it may hold personal data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tlv")
            .field("tag", &self.tag)
            .field("len", &self.value.len())
            .field("offset", &self.offset)
            .finish()
    }
}

/// A bounded reader over a sequence of TLV objects.
#[derive(Debug, Clone)]
pub struct TlvReader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    /// How many indefinite-length objects enclose this reader's data.
    depth: u8,
}

/// The deepest nesting of indefinite-length objects read.
const MAX_INDEFINITE_DEPTH: u8 = 16;

impl<'a> TlvReader<'a> {
    /// A reader over `data`; offsets in errors count from its first byte.
    pub fn new(data: &'a [u8]) -> Self {
        Self::with_base(data, 0)
    }

    /// A reader over `data`, which starts `base` bytes into a larger input.
    pub fn with_base(data: &'a [u8], base: usize) -> Self {
        TlvReader { data, pos: 0, base, depth: 0 }
    }

    /// Reads exactly one object with the given tag that spans all of `data`.
    pub fn single(data: &'a [u8], tag: Tag) -> Result<Tlv<'a>, TlvError> {
        let mut r = TlvReader::new(data);
        let tlv = r.expect(tag)?;
        r.finish()?;
        Ok(tlv)
    }

    /// Reads exactly one object, whatever its tag, that spans all of `data`.
    pub fn single_any(data: &'a [u8]) -> Result<Tlv<'a>, TlvError> {
        let mut r = TlvReader::new(data);
        let tlv = r.read()?;
        r.finish()?;
        Ok(tlv)
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// Offset of the next byte from the start of the outermost input.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The tag of the next object, without consuming it; `None` at the end or on a bad tag.
    pub fn peek_tag(&self) -> Option<Tag> {
        self.clone().read().ok().map(|t| t.tag())
    }

    /// Reads the next object.
    pub fn read(&mut self) -> Result<Tlv<'a>, TlvError> {
        let start = self.pos;
        let rest = self.remaining();
        let at = |i: usize| self.base + start + i;
        let first = *rest.first().ok_or_else(|| TlvError::new(at(0), TlvErrorKind::Empty))?;
        if first == 0x00 || first == 0xFF {
            return Err(TlvError::new(at(0), TlvErrorKind::InvalidTag(first)));
        }
        let mut tag = u32::from(first);
        let mut i = 1usize;
        if first & 0x1F == 0x1F {
            loop {
                let b = *rest.get(i).ok_or_else(|| {
                    TlvError::new(at(0), TlvErrorKind::Truncated { needed: i + 1, available: rest.len() })
                })?;
                i += 1;
                if i > MAX_TAG_BYTES {
                    return Err(TlvError::new(at(0), TlvErrorKind::TagTooLong));
                }
                tag = (tag << 8) | u32::from(b);
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let len_at = i;
        let l0 = *rest
            .get(i)
            .ok_or_else(|| TlvError::new(at(len_at), TlvErrorKind::Truncated { needed: 1, available: 0 }))?;
        i += 1;
        let len = if l0 < 0x80 {
            usize::from(l0)
        } else if l0 == 0x80 {
            if first & 0x20 == 0 || self.depth >= MAX_INDEFINITE_DEPTH {
                return Err(TlvError::new(at(len_at), TlvErrorKind::IndefiniteLength));
            }
            // BER indefinite length: the objects inside, up to the end-of-contents octets 00 00
            let value_start = i;
            let body = rest.get(value_start..).unwrap_or_default();
            let mut inner = TlvReader { data: body, pos: 0, base: at(value_start), depth: self.depth + 1 };
            loop {
                match inner.remaining() {
                    [0x00, 0x00, ..] => break,
                    [] | [_] => {
                        return Err(TlvError::new(at(len_at), TlvErrorKind::IndefiniteLength));
                    }
                    _ => {
                        inner.read()?;
                    }
                }
            }
            let len = inner.pos;
            let value = body.get(..len).unwrap_or_default();
            let total = value_start + len + 2;
            let raw = rest.get(..total).unwrap_or_default();
            self.pos = start + total;
            return Ok(Tlv {
                tag: Tag(tag),
                value,
                raw,
                offset: at(0),
                value_offset: at(value_start),
                indefinite: true,
            });
        } else {
            let n = usize::from(l0 & 0x7F);
            if n > MAX_LENGTH_BYTES {
                return Err(TlvError::new(at(len_at), TlvErrorKind::LengthTooLong(n)));
            }
            let bytes = rest.get(i..i + n).ok_or_else(|| {
                TlvError::new(
                    at(len_at),
                    TlvErrorKind::Truncated { needed: n + 1, available: rest.len().saturating_sub(len_at) },
                )
            })?;
            i += n;
            bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        };
        let value_start = i;
        let available = rest.len() - value_start.min(rest.len());
        let value = rest
            .get(value_start..)
            .and_then(|v| v.get(..len))
            .ok_or_else(|| TlvError::new(at(value_start), TlvErrorKind::Truncated { needed: len, available }))?;
        let total = value_start + len;
        let raw = rest.get(..total).unwrap_or_default();
        self.pos = start + total;
        Ok(Tlv { tag: Tag(tag), value, raw, offset: at(0), value_offset: at(value_start), indefinite: false })
    }

    /// Reads the next object and checks its tag.
    pub fn expect(&mut self, tag: Tag) -> Result<Tlv<'a>, TlvError> {
        let offset = self.offset();
        let tlv = self.read()?;
        if tlv.tag != tag {
            return Err(TlvError::new(offset, TlvErrorKind::UnexpectedTag { expected: tag, found: tlv.tag }));
        }
        Ok(tlv)
    }

    /// Reads the next object if it has the given tag; leaves the reader unchanged otherwise.
    pub fn optional(&mut self, tag: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
        if self.is_empty() || self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.read().map(Some)
    }

    /// Checks that every byte has been read.
    pub fn finish(&self) -> Result<(), TlvError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(TlvError::new(self.offset(), TlvErrorKind::TrailingData(self.data.len() - self.pos)))
        }
    }
}

impl<'a> Iterator for TlvReader<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    /// The next object, or the error that stops the iteration (after which it returns `None`).
    fn next(&mut self) -> Option<Self::Item> {
        if self.is_empty() {
            return None;
        }
        let item = self.read();
        if item.is_err() {
            self.pos = self.data.len();
        }
        Some(item)
    }
}

/// Appends the minimal encoding of a length.
pub fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Appends one TLV object.
pub fn write_tlv(out: &mut Vec<u8>, tag: Tag, value: &[u8]) {
    out.extend_from_slice(&tag.to_bytes());
    write_length(out, value.len());
    out.extend_from_slice(value);
}

/// The minimal big-endian bytes of an unsigned integer, at least one (`0` is `00`): the value of data objects
/// such as the offset DO'54 of the odd-INS READ/UPDATE BINARY and the key id DO'84 of Chip Authentication.
pub fn unsigned_be(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(bytes.len() - 1);
    bytes.get(skip..).unwrap_or_default().to_vec()
}

/// One TLV object as a new vector.
pub fn encode_tlv(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    write_tlv(&mut out, tag, value);
    out
}

/// A builder for nested TLV structures with minimal lengths.
#[derive(Debug, Default, Clone)]
pub struct TlvWriter {
    buf: Vec<u8>,
}

impl TlvWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a primitive object.
    pub fn primitive(&mut self, tag: Tag, value: &[u8]) -> &mut Self {
        write_tlv(&mut self.buf, tag, value);
        self
    }

    /// Appends a constructed object whose value `build` writes.
    pub fn constructed(&mut self, tag: Tag, build: impl FnOnce(&mut TlvWriter)) -> &mut Self {
        let mut inner = TlvWriter::new();
        build(&mut inner);
        write_tlv(&mut self.buf, tag, &inner.buf);
        self
    }

    /// Appends bytes that are already encoded TLV.
    pub fn raw(&mut self, encoded: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(encoded);
        self
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// The encoded bytes so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths() {
        for len in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000] {
            let value = vec![0xAB; len];
            let enc = encode_tlv(Tag::new(0x75), &value);
            let t = TlvReader::single(&enc, Tag::new(0x75)).unwrap();
            assert_eq!(t.value().len(), len);
            assert_eq!(t.raw(), &enc[..]);
        }
        assert_eq!(encode_tlv(Tag::new(0x04), &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(encode_tlv(Tag::new(0x04), &[0; 0x100])[..4], [0x04, 0x82, 0x01, 0x00]);
    }

    #[test]
    fn multibyte_tags() {
        let enc = encode_tlv(Tag::new(0x5F1F), b"x");
        assert_eq!(enc, [0x5F, 0x1F, 1, b'x']);
        let enc = encode_tlv(Tag::new(0xBF8401), b"");
        let t = TlvReader::single(&enc, Tag::new(0xBF8401)).unwrap();
        assert!(t.tag().is_constructed());
        assert_eq!(t.tag().class(), TagClass::ContextSpecific);
        assert_eq!(Tag::new(0x7F61).to_bytes(), [0x7F, 0x61]);
        assert_eq!(Tag::new(0x30).to_bytes(), [0x30]);
    }

    #[test]
    fn non_minimal_length_is_read() {
        let t = TlvReader::single(&[0x04, 0x82, 0x00, 0x01, 0x55], Tag::new(0x04)).unwrap();
        assert_eq!(t.value(), [0x55]);
    }

    #[test]
    fn errors_carry_offsets() {
        // value truncated inside a nested object
        let data = [0x60, 0x05, 0x5F, 0x01, 0x04, b'0', b'1'];
        let outer = TlvReader::single(&data, Tag::new(0x60)).unwrap();
        let err = outer.children().read().unwrap_err();
        assert_eq!(err.offset, 5);
        assert_eq!(err.kind, TlvErrorKind::Truncated { needed: 4, available: 2 });
        let err = TlvReader::new(&data[..6]).read().unwrap_err();
        assert_eq!(err.offset, 2);

        let data = [0x60, 0x03, 0x5F, 0x01, 0x04];
        let outer = TlvReader::single(&data, Tag::new(0x60)).unwrap();
        let err = outer.children().read().unwrap_err();
        assert_eq!(err.offset, 5);

        let err = TlvReader::single(&[0x04, 0x00, 0x00], Tag::new(0x04)).unwrap_err();
        assert_eq!(err, TlvError { offset: 2, kind: TlvErrorKind::TrailingData(1) });

        let err = TlvReader::single(&[0x04, 0x80], Tag::new(0x04)).unwrap_err();
        assert_eq!(err.kind, TlvErrorKind::IndefiniteLength);
        // a constructed object with the indefinite length: its value runs to 00 00, nested ones too
        let ber = [0x30, 0x80, 0x04, 0x01, 0xAA, 0x31, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00];
        let mut r = TlvReader::new(&ber);
        let outer = r.read().unwrap();
        assert!(outer.is_indefinite());
        assert_eq!(outer.raw().len(), 14);
        assert_eq!(outer.value(), &ber[2..12]);
        let kids: Vec<_> = outer.children().map(Result::unwrap).collect();
        assert_eq!(kids.len(), 2);
        assert!(kids[1].is_indefinite() && kids[1].value() == [0x02, 0x01, 0x05]);
        assert_eq!(r.read().unwrap().tag(), Tag::new(0x05));
        // without end-of-contents, or nested too deep: refused
        assert_eq!(TlvReader::new(&ber[..11]).read().unwrap_err().kind, TlvErrorKind::IndefiniteLength);
        let deep: Vec<u8> = [[0x30u8, 0x80]; 20].concat().into_iter().chain([0u8; 40]).collect();
        assert_eq!(TlvReader::new(&deep).read().unwrap_err().kind, TlvErrorKind::IndefiniteLength);
        let err = TlvReader::single(&[0x04, 0x85, 1, 1, 1, 1, 1], Tag::new(0x04)).unwrap_err();
        assert_eq!(err.kind, TlvErrorKind::LengthTooLong(5));
        let err = TlvReader::single(&[0x5F, 0x81, 0x81, 0x01, 0x00], Tag::new(0x04)).unwrap_err();
        assert_eq!(err.kind, TlvErrorKind::TagTooLong);
        let err = TlvReader::single(&[0x5F], Tag::new(0x04)).unwrap_err();
        assert!(matches!(err.kind, TlvErrorKind::Truncated { .. }));
        let err = TlvReader::single(&[0x04, 0x82, 0x01], Tag::new(0x04)).unwrap_err();
        assert!(matches!(err.kind, TlvErrorKind::Truncated { .. }));
        let err = TlvReader::single(&[], Tag::new(0x04)).unwrap_err();
        assert_eq!(err.kind, TlvErrorKind::Empty);
        let err = TlvReader::single(&[0x05, 0x00], Tag::new(0x04)).unwrap_err();
        assert!(matches!(err.kind, TlvErrorKind::UnexpectedTag { .. }));
        let err = TlvReader::single(&[0x00, 0x00], Tag::new(0x04)).unwrap_err();
        assert_eq!(err.kind, TlvErrorKind::InvalidTag(0));
    }

    #[test]
    fn optional_and_iterator() {
        let mut w = TlvWriter::new();
        w.primitive(Tag::new(0x80), b"a").primitive(Tag::new(0x81), b"bc");
        let bytes = w.into_bytes();
        let mut r = TlvReader::new(&bytes);
        assert!(r.optional(Tag::new(0x82)).unwrap().is_none());
        assert_eq!(r.optional(Tag::new(0x80)).unwrap().unwrap().value(), b"a");
        let rest: Vec<_> = r.collect::<Result<_, _>>().unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].offset(), 3);
        // iteration stops after an error
        let mut it = TlvReader::new(&[0x80, 0x05, 0x00]);
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }

    #[test]
    fn debug_hides_value() {
        let enc = encode_tlv(Tag::new(0x5F1F), b"SECRET");
        let t = TlvReader::single(&enc, Tag::new(0x5F1F)).unwrap();
        assert!(!format!("{t:?}").contains("SECRET"));
    }
}
