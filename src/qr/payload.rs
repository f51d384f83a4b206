//! The QR payload text of the Vietnamese ID card (cccd-profile §6).
//!
//! UTF-8 text, fields separated by `|`, dates `ddMMyyyy`:
//!
//! | index | content |
//! |---|---|
//! | 0 | 12-digit personal ID number |
//! | 1 | old 9-digit CMND number (may be empty) |
//! | 2 | full name |
//! | 3 | date of birth `ddMMyyyy` |
//! | 4 | sex `Nam` / `Nữ` |
//! | 5 | place of residence |
//! | 6 | date of issue `ddMMyyyy` |
//! | 7–10 | 2024 card only: four more fields, empty on the samples seen |
//!
//! Example (2021): `001099012345|123456789|Nguyễn Văn A|15011999|Nam|Số 1 Đường X, Phường Y, Quận Z, Hà Nội|20042021`.

use core::fmt;

use time::{Date, Month};
use unicode_normalization::UnicodeNormalization;

use super::{FieldErrorKind, QrError};

/// The field separator.
pub const SEPARATOR: char = '|';

/// Number of fields of the 2021 layout.
pub const FIELDS_2021: usize = 7;

/// Number of fields of the 2024 layout (at least; more are kept as extra fields).
pub const FIELDS_2024: usize = 11;

/// Which card generation the payload follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrLayout {
    /// 2021 card, QR on the front: 7 fields.
    V2021,
    /// 2024 card, QR on the back: the 7 fields of 2021 and 4 more (empty in the samples seen).
    V2024,
}

impl QrLayout {
    /// The number of fields this layout defines (7 or 11).
    pub const fn field_count(self) -> usize {
        match self {
            QrLayout::V2021 => FIELDS_2021,
            QrLayout::V2024 => FIELDS_2024,
        }
    }
}

impl fmt::Display for QrLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QrLayout::V2021 => "2021",
            QrLayout::V2024 => "2024",
        })
    }
}

pub use crate::citizen::Sex;

/// Parses the sex field: `Nam` or `Nữ`, the latter in NFC or NFD form. Nothing else (no case folding).
fn sex_from_payload(s: &str) -> Option<Sex> {
    if s == "Nam" {
        return Some(Sex::Male);
    }
    // "Nữ" is 1 + 3 bytes in NFC, 1 + 1 + 2 + 2 in NFD: bound the work before normalizing.
    if s.len() <= 8 && s.nfc().eq("N\u{1EEF}".chars()) {
        return Some(Sex::Female);
    }
    None
}

/// A field of the payload, by its meaning; [`QrField::index`] gives its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrField {
    /// 0: the 12-digit personal ID number.
    IdNumber,
    /// 1: the old CMND number (may be empty).
    OldIdNumber,
    /// 2: full name.
    FullName,
    /// 3: date of birth.
    DateOfBirth,
    /// 4: sex.
    Sex,
    /// 5: place of residence.
    PlaceOfResidence,
    /// 6: date of issue.
    DateOfIssue,
    /// 7 and above: the fields the 2024 layout adds (and any further ones), by absolute index.
    Extra(usize),
}

impl QrField {
    /// The field's position (0-based) in the `|`-separated payload.
    pub const fn index(self) -> usize {
        match self {
            QrField::IdNumber => 0,
            QrField::OldIdNumber => 1,
            QrField::FullName => 2,
            QrField::DateOfBirth => 3,
            QrField::Sex => 4,
            QrField::PlaceOfResidence => 5,
            QrField::DateOfIssue => 6,
            QrField::Extra(i) => i,
        }
    }

    /// A short English name of the field.
    pub const fn name(self) -> &'static str {
        match self {
            QrField::IdNumber => "personal ID number",
            QrField::OldIdNumber => "old CMND number",
            QrField::FullName => "full name",
            QrField::DateOfBirth => "date of birth",
            QrField::Sex => "sex",
            QrField::PlaceOfResidence => "place of residence",
            QrField::DateOfIssue => "date of issue",
            QrField::Extra(_) => "extra field",
        }
    }
}

/// The content of the card's QR code, typed.
///
/// [`QrPayload::parse`] then [`QrPayload::build`] gives back the input (less a leading BOM and trailing
/// line breaks, and with `Nữ` in NFC); [`QrPayload::parse`] of [`QrPayload::build`] gives back the payload
/// when [`QrPayload::validate`] passes. `Debug` prints no personal data.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct QrPayload {
    /// 2021 (7 fields) or 2024 (11 fields).
    pub layout: QrLayout,
    /// Field 0: the 12-digit personal ID number.
    pub id_number: String,
    /// Field 1: the old CMND number, 9 (or 12) digits; `None` when the field is empty.
    pub old_id_number: Option<String>,
    /// Field 2: full name, as printed (UTF-8, kept verbatim).
    pub full_name: String,
    /// Field 3: date of birth.
    pub date_of_birth: Date,
    /// Field 4: sex.
    pub sex: Sex,
    /// Field 5: place of residence (kept verbatim; may be empty).
    pub place_of_residence: String,
    /// Field 6: date of issue.
    pub date_of_issue: Date,
    /// Fields 7 and above, verbatim: none for 2021, at least 4 for 2024 (empty on the samples seen).
    pub extra: Vec<String>,
}

impl fmt::Debug for QrPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrPayload")
            .field("layout", &self.layout)
            .field("id_number", &"REDACTED")
            .field("old_id_number", &self.old_id_number.as_ref().map(|_| "REDACTED"))
            .field("full_name", &"REDACTED")
            .field("date_of_birth", &"REDACTED")
            .field("sex", &"REDACTED")
            .field("place_of_residence", &"REDACTED")
            .field("date_of_issue", &"REDACTED")
            .field("extra", &format_args!("{} field(s)", self.extra.len()))
            .finish()
    }
}

impl QrPayload {
    /// Parses payload bytes: they must be UTF-8 ([`QrError::NotUtf8`] with the offset otherwise),
    /// then as [`QrPayload::parse`].
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, QrError> {
        let text = core::str::from_utf8(bytes).map_err(|e| QrError::NotUtf8 { offset: e.valid_up_to() })?;
        Self::parse(text)
    }

    /// Parses the payload text.
    ///
    /// Tolerates a leading byte-order mark, trailing line breaks (`\n`, `\r\n`, `\r`), an empty
    /// old CMND number, `Nữ` in NFD, and more than 11 fields (kept in [`QrPayload::extra`]). 7 fields
    /// make a 2021 payload, 11 or more a 2024 payload; other counts are [`QrError::FieldCount`].
    /// Each field is checked ([`QrError::Field`] names the field and its byte offset); cross-field rules
    /// are left to [`QrPayload::validate`].
    pub fn parse(text: &str) -> Result<Self, QrError> {
        let (start, body) = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => ('\u{FEFF}'.len_utf8(), rest),
            None => (0, text),
        };
        // All of them: a last (extra) field ending in CR or LF would not survive build → parse.
        let body = body.trim_end_matches(['\r', '\n']);

        let found = body.split(SEPARATOR).count();
        let layout = match found {
            FIELDS_2021 => QrLayout::V2021,
            n if n >= FIELDS_2024 => QrLayout::V2024,
            _ => return Err(QrError::FieldCount { found }),
        };

        let mut fields = Fields { iter: body.split(SEPARATOR), offset: start };
        let (id_at, id) = fields.next_field();
        check_digits(id, "12", |n| n == 12).map_err(|kind| field_error(QrField::IdNumber, Some(id_at), kind))?;

        let (old_at, old) = fields.next_field();
        let old_id_number = if old.is_empty() {
            None
        } else {
            check_old_id(old).map_err(|kind| field_error(QrField::OldIdNumber, Some(old_at), kind))?;
            Some(old.to_owned())
        };

        let (name_at, full_name) = fields.next_field();
        if full_name.is_empty() {
            return Err(field_error(QrField::FullName, Some(name_at), FieldErrorKind::Empty));
        }

        let (dob_at, dob) = fields.next_field();
        let date_of_birth = parse_date(dob).map_err(|kind| field_error(QrField::DateOfBirth, Some(dob_at), kind))?;

        let (sex_at, sex) = fields.next_field();
        let sex =
            sex_from_payload(sex).ok_or_else(|| field_error(QrField::Sex, Some(sex_at), FieldErrorKind::UnknownSex))?;

        let (_, place_of_residence) = fields.next_field();

        let (doi_at, doi) = fields.next_field();
        let date_of_issue = parse_date(doi).map_err(|kind| field_error(QrField::DateOfIssue, Some(doi_at), kind))?;

        let extra = fields.iter.map(str::to_owned).collect();

        Ok(QrPayload {
            layout,
            id_number: id.to_owned(),
            old_id_number,
            full_name: full_name.to_owned(),
            date_of_birth,
            sex,
            place_of_residence: place_of_residence.to_owned(),
            date_of_issue,
            extra,
        })
    }

    /// The payload printed on the card of this citizen: the 2021 layout, or the 2024 layout with its four extra
    /// fields empty (as on the samples seen).
    /// Text is taken in Unicode NFC, whatever form the record holds.
    pub fn from_record(record: &crate::citizen::CitizenRecord, layout: QrLayout) -> Self {
        let record = &record.to_nfc();
        QrPayload {
            layout,
            id_number: record.id_number.clone(),
            old_id_number: record.old_id_number.clone().filter(|s| !s.is_empty()),
            full_name: record.full_name.clone(),
            date_of_birth: record.date_of_birth,
            sex: record.sex,
            place_of_residence: record.place_of_residence.clone().unwrap_or_default(),
            date_of_issue: record.date_of_issue,
            extra: match layout {
                QrLayout::V2021 => Vec::new(),
                QrLayout::V2024 => vec![String::new(); 4],
            },
        }
    }

    /// The payload text: the 7 fields, then for the 2024 layout the extra fields (padded with empty
    /// fields to 4). Extra fields of a 2021 payload are not written (the layout has none).
    ///
    /// Does not check anything: the text parses back to `self` when [`QrPayload::validate`] passes.
    pub fn build(&self) -> String {
        let mut out = String::with_capacity(self.estimated_len());
        out.push_str(&self.id_number);
        out.push(SEPARATOR);
        if let Some(old) = &self.old_id_number {
            out.push_str(old);
        }
        out.push(SEPARATOR);
        out.push_str(&self.full_name);
        out.push(SEPARATOR);
        push_date(&mut out, self.date_of_birth);
        out.push(SEPARATOR);
        out.push_str(self.sex.vietnamese());
        out.push(SEPARATOR);
        out.push_str(&self.place_of_residence);
        out.push(SEPARATOR);
        push_date(&mut out, self.date_of_issue);
        if self.layout == QrLayout::V2024 {
            let extra_needed = FIELDS_2024 - FIELDS_2021;
            for e in &self.extra {
                out.push(SEPARATOR);
                out.push_str(e);
            }
            for _ in self.extra.len()..extra_needed {
                out.push(SEPARATOR);
            }
        }
        out
    }

    /// Checks every rule: ID number 12 ASCII digits; old CMND number 9 or 12 ASCII digits when present;
    /// full name not empty; no `|` or control character in text fields; dates with years 0000–9999;
    /// date of issue not before date of birth; no extra fields for 2021, at least 4 for 2024.
    ///
    /// The structure of the ID number (province, century/sex digit, birth year; cccd-profile §7) is not
    /// checked: since 1 July 2024 the law only guarantees 12 digits, so a disagreement is a warning for
    /// the citizen module to raise, not an error.
    pub fn validate(&self) -> Result<(), QrError> {
        check_digits(&self.id_number, "12", |n| n == 12).map_err(|k| field_error(QrField::IdNumber, None, k))?;
        if let Some(old) = &self.old_id_number {
            if old.is_empty() {
                return Err(field_error(QrField::OldIdNumber, None, FieldErrorKind::Empty));
            }
            check_old_id(old).map_err(|k| field_error(QrField::OldIdNumber, None, k))?;
        }
        if self.full_name.is_empty() {
            return Err(field_error(QrField::FullName, None, FieldErrorKind::Empty));
        }
        check_text(&self.full_name).map_err(|k| field_error(QrField::FullName, None, k))?;
        check_text(&self.place_of_residence).map_err(|k| field_error(QrField::PlaceOfResidence, None, k))?;
        check_year(self.date_of_birth).map_err(|k| field_error(QrField::DateOfBirth, None, k))?;
        check_year(self.date_of_issue).map_err(|k| field_error(QrField::DateOfIssue, None, k))?;
        if self.date_of_issue < self.date_of_birth {
            return Err(QrError::IssueBeforeBirth);
        }
        let found = self.extra.len();
        let extra_ok = match self.layout {
            QrLayout::V2021 => found == 0,
            QrLayout::V2024 => found >= FIELDS_2024 - FIELDS_2021,
        };
        if !extra_ok {
            return Err(QrError::ExtraFields { layout: self.layout, found });
        }
        for (i, e) in self.extra.iter().enumerate() {
            check_text(e).map_err(|k| field_error(QrField::Extra(FIELDS_2021.saturating_add(i)), None, k))?;
        }
        Ok(())
    }

    fn estimated_len(&self) -> usize {
        let texts = [&self.id_number, &self.full_name, &self.place_of_residence];
        let extra: usize = self.extra.iter().map(|e| e.len().saturating_add(1)).sum();
        texts
            .iter()
            .map(|t| t.len())
            .chain(self.old_id_number.as_ref().map(String::len))
            .fold(32usize.saturating_add(extra), usize::saturating_add)
    }
}

/// Walks the `|`-separated fields keeping each field's byte offset.
struct Fields<'a> {
    iter: core::str::Split<'a, char>,
    offset: usize,
}

impl<'a> Fields<'a> {
    /// The next field and its byte offset. Called only as many times as the counted fields, so the
    /// iterator never runs dry; an empty field stands in if it did.
    fn next_field(&mut self) -> (usize, &'a str) {
        let at = self.offset;
        let field = self.iter.next().unwrap_or("");
        self.offset = self.offset.saturating_add(field.len()).saturating_add(SEPARATOR.len_utf8());
        (at, field)
    }
}

fn field_error(field: QrField, offset: Option<usize>, kind: FieldErrorKind) -> QrError {
    QrError::Field { field, offset, kind }
}

/// `s` is ASCII digits and its character count satisfies `len_ok`.
fn check_digits(s: &str, expected: &'static str, len_ok: impl Fn(usize) -> bool) -> Result<(), FieldErrorKind> {
    if s.is_empty() {
        return Err(FieldErrorKind::Empty);
    }
    if let Some(position) = s.chars().position(|c| !c.is_ascii_digit()) {
        return Err(FieldErrorKind::NonDigit { position });
    }
    // All ASCII from here: bytes == characters.
    if !len_ok(s.len()) {
        return Err(FieldErrorKind::WrongLength { found: s.len(), expected });
    }
    Ok(())
}

/// The old CMND number: 9 digits, or 12 for the CMND issued 2012–2016.
fn check_old_id(s: &str) -> Result<(), FieldErrorKind> {
    check_digits(s, "9 or 12", |n| n == 9 || n == 12)
}

/// A text field must not hold the separator or control characters.
fn check_text(s: &str) -> Result<(), FieldErrorKind> {
    match s.chars().position(|c| c == SEPARATOR || c.is_control()) {
        Some(position) => Err(FieldErrorKind::ForbiddenCharacter { position }),
        None => Ok(()),
    }
}

fn check_year(d: Date) -> Result<(), FieldErrorKind> {
    if (0..=9999).contains(&d.year()) { Ok(()) } else { Err(FieldErrorKind::NoSuchDate) }
}

/// Parses `ddMMyyyy`.
fn parse_date(s: &str) -> Result<Date, FieldErrorKind> {
    let b = s.as_bytes();
    let [d1, d0, m1, m0, y3, y2, y1, y0] = b else {
        return Err(FieldErrorKind::DateFormat);
    };
    let digits = [*d1, *d0, *m1, *m0, *y3, *y2, *y1, *y0];
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(FieldErrorKind::DateFormat);
    }
    let v = |c: u8| c.wrapping_sub(b'0');
    let day = v(*d1).wrapping_mul(10).wrapping_add(v(*d0));
    let month = v(*m1).wrapping_mul(10).wrapping_add(v(*m0));
    let year = [*y3, *y2, *y1, *y0].iter().fold(0i32, |acc, c| acc.wrapping_mul(10).wrapping_add(i32::from(v(*c))));
    let month = Month::try_from(month).map_err(|_| FieldErrorKind::NoSuchDate)?;
    Date::from_calendar_date(year, month, day).map_err(|_| FieldErrorKind::NoSuchDate)
}

/// Appends `ddMMyyyy`.
fn push_date(out: &mut String, d: Date) {
    use core::fmt::Write;
    // Writing to a String cannot fail.
    let _ = write!(out, "{:02}{:02}{:04}", d.day(), u8::from(d.month()), d.year());
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const SAMPLE_2021: &str =
        "001099012345|123456789|Nguyễn Văn A|15011999|Nam|Số 1 Đường X, Phường Y, Quận Z, Hà Nội|20042021";

    #[test]
    fn parses_the_profile_example() {
        let p = QrPayload::parse(SAMPLE_2021).unwrap();
        assert_eq!(p.layout, QrLayout::V2021);
        assert_eq!(p.id_number, "001099012345");
        assert_eq!(p.old_id_number.as_deref(), Some("123456789"));
        assert_eq!(p.full_name, "Nguyễn Văn A");
        assert_eq!(p.date_of_birth, date!(1999 - 01 - 15));
        assert_eq!(p.sex, Sex::Male);
        assert_eq!(p.place_of_residence, "Số 1 Đường X, Phường Y, Quận Z, Hà Nội");
        assert_eq!(p.date_of_issue, date!(2021 - 04 - 20));
        assert!(p.extra.is_empty());
        p.validate().unwrap();
        assert_eq!(p.build(), SAMPLE_2021);
    }

    #[test]
    fn date_offsets_are_exact() {
        let bad = SAMPLE_2021.replace("15011999", "15131999");
        let e = QrPayload::parse(&bad).unwrap_err();
        let at = bad.find("15131999").unwrap();
        assert_eq!(
            e,
            QrError::Field { field: QrField::DateOfBirth, offset: Some(at), kind: FieldErrorKind::NoSuchDate }
        );
        let text = e.to_string();
        assert_eq!(text, format!("QR payload field 3 (date of birth) at byte offset {at}: no such calendar date"));
    }

    #[test]
    fn debug_is_redacted() {
        let p = QrPayload::parse(SAMPLE_2021).unwrap();
        let d = format!("{p:?}");
        assert!(!d.contains("001099012345"), "{d}");
        assert!(!d.contains("Nguy"), "{d}");
        assert!(!d.contains("1999"), "{d}");
        assert!(d.contains("REDACTED"));
    }
}
