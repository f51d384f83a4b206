//! DG13 of the Vietnamese CCCD: the holder's personal data (cccd-profile §4).
//!
//! ```text
//! DG13 ::= [APPLICATION 13] SEQUENCE {         -- 6D LL 30 LL
//!     version  INTEGER,                        -- 1
//!     type     OBJECT IDENTIFIER,              -- 1.0.10646.1.0.8
//!     fields   SET OF Field }                  -- kept in the order read
//! Field ::= SEQUENCE { number INTEGER, value ... }
//!     -- 1, 3, 11, 15, 16: PrintableString; 2, 4–10, 12: UTF8String
//!     -- 13 parents: SEQUENCE { UTF8String } (father), SEQUENCE { UTF8String } (mother);
//!     --    also read: one SEQUENCE { UTF8String, UTF8String } holding both names
//!     -- 14 spouse: SEQUENCE { UTF8String }, or nothing for an unmarried holder (30 03 02 01 0E)
//! ```
//!
//! Decoding is tolerant: lengths in short or long form anywhere; any of UTF8String, PrintableString,
//! IA5String for text; a field whose content does not have the expected shape, and any unknown field
//! number, is kept as [`FieldValue::Other`] with its bytes. Encoding is canonical (minimal lengths, the
//! two-SEQUENCE form for parents), so decode → encode reproduces a well-formed file byte for byte.

mod convert;

use core::fmt;

use super::{LdsError, LdsErrorKind, LdsFile};
use crate::tlv::{Tag, Tlv, TlvReader, TlvWriter};

/// `1.0.10646.1.0.8` (content bytes of the OBJECT IDENTIFIER).
pub const DG13_OID: [u8; 6] = [0x28, 0xD3, 0x16, 0x01, 0x00, 0x08];
/// UTF8String.
pub const UTF8_STRING: Tag = Tag::new(0x0C);
/// PrintableString.
pub const PRINTABLE_STRING: Tag = Tag::new(0x13);
/// IA5String (read only).
pub const IA5_STRING: Tag = Tag::new(0x16);
const INTEGER: Tag = Tag::new(0x02);
const OID: Tag = Tag::new(0x06);
const SEQUENCE: Tag = Tag::new(0x30);
const SET: Tag = Tag::new(0x31);

/// Field numbers of DG13 (cccd-profile §4).
pub mod field {
    /// Personal ID number, 12 digits (PrintableString).
    pub const ID_NUMBER: u32 = 1;
    /// Full name with diacritics (UTF8String).
    pub const FULL_NAME: u32 = 2;
    /// Date of birth `dd/MM/yyyy` (PrintableString).
    pub const DATE_OF_BIRTH: u32 = 3;
    /// Sex `Nam` / `Nữ` (UTF8String).
    pub const SEX: u32 = 4;
    /// Nationality (UTF8String).
    pub const NATIONALITY: u32 = 5;
    /// Ethnicity (UTF8String).
    pub const ETHNICITY: u32 = 6;
    /// Religion (UTF8String).
    pub const RELIGION: u32 = 7;
    /// Place of origin (UTF8String).
    pub const PLACE_OF_ORIGIN: u32 = 8;
    /// Place of residence (UTF8String).
    pub const PLACE_OF_RESIDENCE: u32 = 9;
    /// Personal identification marks (UTF8String).
    pub const IDENTIFYING_MARKS: u32 = 10;
    /// Date of issue `dd/MM/yyyy` (PrintableString).
    pub const DATE_OF_ISSUE: u32 = 11;
    /// Date of expiry `dd/MM/yyyy` or a text such as `Không thời hạn` (UTF8String).
    pub const DATE_OF_EXPIRY: u32 = 12;
    /// Parents.
    pub const PARENTS: u32 = 13;
    /// Spouse.
    pub const SPOUSE: u32 = 14;
    /// Old 9-digit ID number (PrintableString).
    pub const OLD_ID_NUMBER: u32 = 15;
    /// A 16-character value of unknown meaning (PrintableString).
    pub const UNKNOWN_16: u32 = 16;
}

/// The value of a DG13 field.
#[derive(Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A string, with its tag ([`UTF8_STRING`], [`PRINTABLE_STRING`], [`IA5_STRING`]).
    Text {
        /// The string type.
        tag: Tag,
        /// The text.
        text: String,
    },
    /// Field 13: the parents' names.
    Parents {
        /// Father's name.
        father: Option<String>,
        /// Mother's name.
        mother: Option<String>,
    },
    /// Field 14: the spouse's name, `None` for the bare field.
    Spouse(Option<String>),
    /// A field of unknown number or unexpected shape: the encoded objects after the number, as read.
    Other(Vec<u8>),
}

impl fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Text { tag, text } => write!(f, "Text {{ tag: {tag:?}, len: {}, REDACTED }}", text.len()),
            FieldValue::Parents { father, mother } => {
                write!(f, "Parents {{ father: {}, mother: {}, REDACTED }}", father.is_some(), mother.is_some())
            }
            FieldValue::Spouse(s) => write!(f, "Spouse {{ present: {}, REDACTED }}", s.is_some()),
            FieldValue::Other(b) => write!(f, "Other {{ len: {} }}", b.len()),
        }
    }
}

/// One DG13 field: `SEQUENCE { INTEGER number, value }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg13Field {
    /// The field number.
    pub number: u32,
    /// The value.
    pub value: FieldValue,
}

/// DG13 of the Vietnamese CCCD, fields in file order; the bytes it was decoded from are kept.
///
/// ```text
/// [APPLICATION 13] SEQUENCE { version INTEGER, type OBJECT IDENTIFIER, fields SET OF Field }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Dg13 {
    /// The version INTEGER (1).
    pub version: u32,
    /// Content bytes of the OBJECT IDENTIFIER ([`DG13_OID`]).
    pub oid: Vec<u8>,
    /// The fields, in order.
    pub fields: Vec<Dg13Field>,
    raw: Option<Vec<u8>>,
    warnings: Vec<crate::lds::DecodeWarning>,
}

impl fmt::Debug for Dg13 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let numbers: Vec<u32> = self.fields.iter().map(|x| x.number).collect();
        f.debug_struct("Dg13").field("version", &self.version).field("fields", &numbers).finish_non_exhaustive()
    }
}

impl Default for Dg13 {
    fn default() -> Self {
        Dg13::new()
    }
}

fn file() -> LdsFile {
    LdsFile::dg(13).unwrap_or(LdsFile::Com)
}

fn tlv_err(e: crate::tlv::TlvError) -> LdsError {
    LdsError::tlv(file(), e)
}

fn invalid(offset: usize, field: &'static str, reason: &'static str) -> LdsError {
    LdsError::at(file(), offset, LdsErrorKind::Invalid { field, reason })
}

fn unencodable(field: &'static str, reason: &'static str) -> LdsError {
    LdsError::new(file(), LdsErrorKind::Unencodable { field, reason })
}

/// A non-negative INTEGER up to `u32`.
fn read_u32(t: &Tlv<'_>, what: &'static str) -> Result<u32, LdsError> {
    let v = t.value();
    if v.is_empty() || v.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(invalid(t.value_offset(), what, "not a non-negative INTEGER"));
    }
    let significant: &[u8] = match v.iter().position(|b| *b != 0) {
        Some(i) => v.get(i..).unwrap_or_default(),
        None => &[],
    };
    if significant.len() > 4 {
        return Err(invalid(t.value_offset(), what, "INTEGER too large"));
    }
    Ok(significant.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

fn integer_bytes(n: u32) -> Vec<u8> {
    let b = n.to_be_bytes();
    let skip = b.iter().take(3).take_while(|x| **x == 0).count();
    let mut out: Vec<u8> = b.get(skip..).unwrap_or_default().to_vec();
    if out.first().is_some_and(|x| x & 0x80 != 0) {
        out.insert(0, 0);
    }
    out
}

fn is_string_tag(t: Tag) -> bool {
    t == UTF8_STRING || t == PRINTABLE_STRING || t == IA5_STRING
}

fn read_text(t: &Tlv<'_>) -> Result<String, LdsError> {
    core::str::from_utf8(t.value())
        .map(str::to_string)
        .map_err(|_| invalid(t.value_offset(), "DG13 text", "not valid UTF-8"))
}

/// The strings of one item, a SEQUENCE of strings; `None` on another shape.
fn item_names(item: &Tlv<'_>) -> Result<Option<Vec<String>>, LdsError> {
    if item.tag() != SEQUENCE {
        return Ok(None);
    }
    let mut out = Vec::new();
    for inner in item.children() {
        let inner = inner.map_err(tlv_err)?;
        if !is_string_tag(inner.tag()) {
            return Ok(None);
        }
        out.push(read_text(&inner)?);
    }
    Ok(Some(out))
}

/// The names of each item, `None` if any item has another shape.
fn names(items: &[Tlv<'_>]) -> Result<Option<Vec<Vec<String>>>, LdsError> {
    let mut out = Vec::new();
    for item in items {
        match item_names(item)? {
            Some(n) => out.push(n),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

fn decode_value(number: u32, rest: &[Tlv<'_>], rest_bytes: &[u8]) -> Result<FieldValue, LdsError> {
    let other = || FieldValue::Other(rest_bytes.to_vec());
    match number {
        field::PARENTS => {
            // Two-SEQUENCE form (father, mother) or one SEQUENCE holding both names.
            let Some(items) = names(rest)? else { return Ok(other()) };
            let (father, mother) = match items.as_slice() {
                [] => (None, None),
                [one] => match one.as_slice() {
                    [] => (None, None),
                    [f] => (Some(f.clone()), None),
                    [f, m] => (Some(f.clone()), Some(m.clone())),
                    _ => return Ok(other()),
                },
                [f, m] if f.len() <= 1 && m.len() <= 1 => (f.first().cloned(), m.first().cloned()),
                _ => return Ok(other()),
            };
            Ok(FieldValue::Parents { father, mother })
        }
        field::SPOUSE => {
            let Some(items) = names(rest)? else { return Ok(other()) };
            match items.as_slice() {
                [] => Ok(FieldValue::Spouse(None)),
                [one] if one.len() <= 1 => Ok(FieldValue::Spouse(one.first().cloned())),
                _ => Ok(other()),
            }
        }
        _ => match rest {
            [t] if is_string_tag(t.tag()) && number <= 16 => Ok(FieldValue::Text { tag: t.tag(), text: read_text(t)? }),
            _ => Ok(other()),
        },
    }
}

impl Dg13 {
    /// An empty DG13 (version 1, the profile's OID, no fields).
    pub fn new() -> Self {
        Dg13 { version: 1, oid: DG13_OID.to_vec(), fields: Vec::new(), raw: None, warnings: Vec::new() }
    }

    /// Decodes DG13. Bytes after the DG13 TLV are a warning ([`crate::lds::warning`]); trailing data inside
    /// it is an error.
    pub fn decode(data: &[u8]) -> Result<Dg13, LdsError> {
        let (data, warnings) = crate::lds::warning::outer_content(file(), file().tag(), data)?;
        let outer = TlvReader::single(data, file().tag()).map_err(tlv_err)?;
        let mut r = outer.children();
        let seq = r.expect(SEQUENCE).map_err(tlv_err)?;
        r.finish().map_err(tlv_err)?;
        let mut r = seq.children();
        let version_tlv = r.expect(INTEGER).map_err(tlv_err)?;
        let version = read_u32(&version_tlv, "DG13 version")?;
        let oid = r.expect(OID).map_err(tlv_err)?.value().to_vec();
        let set = r.expect(SET).map_err(tlv_err)?;
        r.finish().map_err(tlv_err)?;
        let mut fields = Vec::new();
        for item in set.children() {
            let item = item.map_err(tlv_err)?;
            if item.tag() != SEQUENCE {
                return Err(invalid(item.offset(), "DG13 field", "not a SEQUENCE"));
            }
            let mut fr = item.children();
            let number_tlv = fr.expect(INTEGER).map_err(tlv_err)?;
            let number = read_u32(&number_tlv, "DG13 field number")?;
            let rest_bytes = fr.remaining();
            let rest: Vec<Tlv<'_>> = fr.collect::<Result<_, _>>().map_err(tlv_err)?;
            let value = decode_value(number, &rest, rest_bytes)?;
            fields.push(Dg13Field { number, value });
        }
        Ok(Dg13 { version, oid, fields, raw: Some(data.to_vec()), warnings })
    }

    /// What the decoder tolerated.
    pub fn warnings(&self) -> &[crate::lds::DecodeWarning] {
        &self.warnings
    }

    /// The bytes this DG13 was decoded from (or encoded to by [`Dg13::from_record`]); [`Dg13::set`] clears
    /// them, direct changes to the public fields do not.
    pub fn raw(&self) -> Option<&[u8]> {
        self.raw.as_deref()
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        let mut set = TlvWriter::new();
        for f in &self.fields {
            let mut body = TlvWriter::new();
            body.primitive(INTEGER, &integer_bytes(f.number));
            encode_value(&mut body, &f.value)?;
            set.primitive(SEQUENCE, body.as_bytes());
        }
        let mut seq = TlvWriter::new();
        seq.primitive(INTEGER, &integer_bytes(self.version));
        seq.primitive(OID, &self.oid);
        seq.primitive(SET, set.as_bytes());
        let mut w = TlvWriter::new();
        w.constructed(file().tag(), |w| {
            w.primitive(SEQUENCE, seq.as_bytes());
        });
        Ok(w.into_bytes())
    }

    /// The first field with this number.
    pub fn field(&self, number: u32) -> Option<&FieldValue> {
        self.fields.iter().find(|f| f.number == number).map(|f| &f.value)
    }

    /// The text of field `number`, if it is a string field.
    pub fn text(&self, number: u32) -> Option<&str> {
        match self.field(number) {
            Some(FieldValue::Text { text, .. }) => Some(text),
            _ => None,
        }
    }

    /// Sets field `number` (replacing the first field with that number, or appending).
    pub fn set(&mut self, number: u32, value: FieldValue) {
        self.raw = None;
        match self.fields.iter_mut().find(|f| f.number == number) {
            Some(f) => f.value = value,
            None => self.fields.push(Dg13Field { number, value }),
        }
    }

    /// Parents' names (field 13): `(father, mother)`.
    pub fn parents(&self) -> (Option<&str>, Option<&str>) {
        match self.field(field::PARENTS) {
            Some(FieldValue::Parents { father, mother }) => (father.as_deref(), mother.as_deref()),
            _ => (None, None),
        }
    }

    /// Spouse's name (field 14).
    pub fn spouse(&self) -> Option<&str> {
        match self.field(field::SPOUSE) {
            Some(FieldValue::Spouse(s)) => s.as_deref(),
            _ => None,
        }
    }
}

fn is_printable(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c))
}

fn write_text(w: &mut TlvWriter, tag: Tag, text: &str) -> Result<(), LdsError> {
    if tag == PRINTABLE_STRING && !is_printable(text) {
        return Err(unencodable("DG13 text", "characters outside PrintableString"));
    }
    if tag == IA5_STRING && !text.is_ascii() {
        return Err(unencodable("DG13 text", "characters outside IA5String"));
    }
    if !is_string_tag(tag) {
        return Err(unencodable("DG13 text", "not a string type"));
    }
    w.primitive(tag, text.as_bytes());
    Ok(())
}

fn encode_value(w: &mut TlvWriter, v: &FieldValue) -> Result<(), LdsError> {
    match v {
        FieldValue::Text { tag, text } => write_text(w, *tag, text)?,
        FieldValue::Parents { father, mother } => {
            if father.is_some() || mother.is_some() {
                let mut s = TlvWriter::new();
                s.primitive(UTF8_STRING, father.as_deref().unwrap_or("").as_bytes());
                w.primitive(SEQUENCE, s.as_bytes());
            }
            if let Some(m) = mother {
                let mut s = TlvWriter::new();
                s.primitive(UTF8_STRING, m.as_bytes());
                w.primitive(SEQUENCE, s.as_bytes());
            }
        }
        FieldValue::Spouse(Some(name)) => {
            let mut s = TlvWriter::new();
            s.primitive(UTF8_STRING, name.as_bytes());
            w.primitive(SEQUENCE, s.as_bytes());
        }
        FieldValue::Spouse(None) => {}
        FieldValue::Other(bytes) => {
            w.raw(bytes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
