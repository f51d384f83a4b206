//! TD1: three lines of 30 characters (Doc 9303-5).

use core::fmt;

use super::name::{name_field, split_name_field};
use super::{Checks, MrzError, MrzField, MrzSex, at, check_char, check_date_field, pad, sub, trim_filler};

/// A TD1 MRZ (identity cards).
///
/// ```text
/// line 1: code(2) state(3) document number(9) cd(1) optional data(15)
/// line 2: birth(6) cd sex expiry(6) cd nationality(3) optional data(11) composite cd
/// line 3: name(30)
/// ```
///
/// Text fields are kept without their trailing fillers; names use spaces between components.
/// A document number longer than 9 characters continues in the optional data, followed by its check digit
/// and a filler, and `<` stands at the check digit position (Doc 9303-5, data structure of the upper line).
#[derive(Clone, PartialEq, Eq)]
pub struct Td1 {
    /// Document code, 1–2 characters (`I`, `ID`, `AC`, …).
    pub document_code: String,
    /// Issuing state or organization, 1–3 characters.
    pub issuing_state: String,
    /// Document number, 1–23 characters.
    pub document_number: String,
    /// Optional data of line 1 (after the overflow of a long document number).
    pub optional_data: String,
    /// Date of birth, `YYMMDD` (fillers where unknown).
    pub date_of_birth: String,
    /// Sex.
    pub sex: MrzSex,
    /// Date of expiry, `YYMMDD` (`<<<<<<` when none).
    pub date_of_expiry: String,
    /// Nationality, 1–3 characters.
    pub nationality: String,
    /// Optional data of line 2.
    pub optional_data2: String,
    /// Primary identifier (surname), components separated by spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), components separated by spaces.
    pub secondary_identifier: String,
}

impl fmt::Debug for Td1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Td1 { .. REDACTED }")
    }
}

impl Td1 {
    /// Parses three lines of 30 MRZ characters and verifies every check digit.
    pub fn parse_lines(l1: &str, l2: &str, l3: &str) -> Result<Td1, MrzError> {
        Self::parse_lines_with(l1, l2, l3, &mut Checks::strict())
    }

    pub(crate) fn parse_lines_with(l1: &str, l2: &str, l3: &str, checks: &mut Checks) -> Result<Td1, MrzError> {
        for l in [l1, l2, l3] {
            if l.len() != 30 || !l.chars().all(super::is_mrz_char) {
                return Err(MrzError::Layout { lines: 3, lengths: vec![l1.len(), l2.len(), l3.len()] });
            }
        }
        let doc_field = sub(l1, 5, 14);
        let doc_cd = at(l1, 14);
        let opt_raw = sub(l1, 15, 30);
        let (document_number, optional_data) = if doc_cd == '<' && !doc_field.contains('<') {
            // Long document number: overflow, its check digit, then a filler, in the optional data.
            let end = opt_raw.find('<').unwrap_or(opt_raw.len());
            let overflow_len = end.checked_sub(1).filter(|n| *n > 0).ok_or(MrzError::InvalidField {
                field: MrzField::DocumentNumber,
                reason: "long document number without overflow in the optional data",
            })?;
            let overflow = sub(opt_raw, 0, overflow_len);
            let cd = at(opt_raw, overflow_len);
            let full = format!("{doc_field}{overflow}");
            checks.verify(&full, cd, MrzField::DocumentNumber)?;
            let rest = opt_raw.get(end + 1..).unwrap_or("");
            (full, trim_filler(rest))
        } else {
            checks.verify(doc_field, doc_cd, MrzField::DocumentNumber)?;
            (trim_filler(doc_field), trim_filler(opt_raw))
        };
        if document_number.is_empty() {
            return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
        }
        let dob = sub(l2, 0, 6);
        check_date_field(dob, MrzField::DateOfBirth)?;
        checks.verify(dob, at(l2, 6), MrzField::DateOfBirth)?;
        let sex = MrzSex::from_char(at(l2, 7))?;
        let doe = sub(l2, 8, 14);
        check_date_field(doe, MrzField::DateOfExpiry)?;
        checks.verify(doe, at(l2, 14), MrzField::DateOfExpiry)?;
        let composite = format!("{}{}{}{}", sub(l1, 5, 30), sub(l2, 0, 7), sub(l2, 8, 15), sub(l2, 18, 29));
        checks.verify(&composite, at(l2, 29), MrzField::Composite)?;
        let (primary_identifier, secondary_identifier) = split_name_field(l3);
        Ok(Td1 {
            document_code: trim_filler(sub(l1, 0, 2)),
            issuing_state: trim_filler(sub(l1, 2, 5)),
            document_number,
            optional_data,
            date_of_birth: dob.to_string(),
            sex,
            date_of_expiry: doe.to_string(),
            nationality: trim_filler(sub(l2, 15, 18)),
            optional_data2: trim_filler(sub(l2, 18, 29)),
            primary_identifier,
            secondary_identifier,
        })
    }

    /// The three canonical lines with computed check digits.
    pub fn to_lines(&self) -> Result<[String; 3], MrzError> {
        let mut l1 = pad(&self.document_code, 2, MrzField::DocumentCode)?;
        l1.push_str(&pad(&self.issuing_state, 3, MrzField::IssuingState)?);
        let doc = &self.document_number;
        // Fillers may stand inside a short number (as read), never at its end; a long number has none.
        if doc.is_empty() || doc.ends_with('<') || (doc.len() > 9 && doc.contains('<')) {
            return Err(MrzError::InvalidField {
                field: MrzField::DocumentNumber,
                reason: "empty or misplaced fillers",
            });
        }
        if doc.len() <= 9 {
            let field = pad(doc, 9, MrzField::DocumentNumber)?;
            l1.push_str(&field);
            l1.push(check_char(&field)?);
            l1.push_str(&pad(&self.optional_data, 15, MrzField::OptionalData)?);
        } else {
            pad(doc, 23, MrzField::DocumentNumber)?;
            let cd = check_char(doc)?;
            l1.push_str(sub(doc, 0, 9));
            l1.push('<');
            let mut opt = format!("{}{cd}", sub(doc, 9, doc.len()));
            if !self.optional_data.is_empty() {
                opt.push('<');
                opt.push_str(&self.optional_data);
            }
            l1.push_str(&pad(&opt, 15, MrzField::OptionalData)?);
        }
        check_date_field(&self.date_of_birth, MrzField::DateOfBirth)?;
        check_date_field(&self.date_of_expiry, MrzField::DateOfExpiry)?;
        let mut l2 = String::with_capacity(30);
        l2.push_str(&self.date_of_birth);
        l2.push(check_char(&self.date_of_birth)?);
        l2.push(self.sex.to_char());
        l2.push_str(&self.date_of_expiry);
        l2.push(check_char(&self.date_of_expiry)?);
        l2.push_str(&pad(&self.nationality, 3, MrzField::Nationality)?);
        l2.push_str(&pad(&self.optional_data2, 11, MrzField::OptionalData2)?);
        let composite = format!("{}{}{}{}", sub(&l1, 5, 30), sub(&l2, 0, 7), sub(&l2, 8, 15), sub(&l2, 18, 29));
        l2.push(char::from(b'0' + super::check_digit(&composite)?));
        let l3 = name_field(&self.primary_identifier, &self.secondary_identifier, 30)?;
        Ok([l1, l2, l3])
    }

    /// The Vietnamese CCCD layout (cccd-profile §3): `ID`, `VNM`, document number = last 9 digits of the
    /// 12-digit ID, optional data = the 12-digit ID, `<<`, and the ID's check digit; nationality `VNM`.
    /// The name is transliterated ([`super::name::transliterate`]) and truncated to 30 characters.
    /// `date_of_expiry` is `None` for a card without expiry: written `<<<<<<` with check digit `<`
    /// (the real card's form is unknown).
    pub fn cccd(
        id_number: &str,
        date_of_birth: &str,
        sex: MrzSex,
        date_of_expiry: Option<&str>,
        surname: &str,
        given_names: &str,
    ) -> Result<Td1, MrzError> {
        if id_number.len() != 12 || !id_number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MrzError::InvalidField {
                field: MrzField::OptionalData,
                reason: "personal ID number is not 12 digits",
            });
        }
        let field = super::name::name_field_from_names(surname, given_names, 30)?;
        let (primary_identifier, secondary_identifier) = split_name_field(&field.text);
        let id_cd = check_char(id_number)?;
        let td1 = Td1 {
            document_code: "ID".into(),
            issuing_state: "VNM".into(),
            document_number: sub(id_number, 3, 12).to_string(),
            optional_data: format!("{id_number}<<{id_cd}"),
            date_of_birth: date_of_birth.to_string(),
            sex,
            date_of_expiry: date_of_expiry.unwrap_or("<<<<<<").to_string(),
            nationality: "VNM".into(),
            optional_data2: String::new(),
            primary_identifier,
            secondary_identifier,
        };
        td1.to_lines()?;
        Ok(td1)
    }

    /// The CCCD 12-digit personal ID number: the first 12 characters of the optional data, when they are digits.
    pub fn cccd_id_number(&self) -> Option<&str> {
        self.optional_data.get(..12).filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Whether the CCCD ID number's check digit, at the end of the optional data (`<12 digits><<<cd>`), is right;
    /// `None` when the optional data does not have that layout.
    pub fn cccd_id_check_digit_valid(&self) -> Option<bool> {
        let id = self.cccd_id_number()?;
        if self.optional_data.get(12..14) != Some("<<") {
            return None;
        }
        let cd = self.optional_data.get(14..15)?;
        let expected = check_char(id).ok()?;
        Some(cd.starts_with(expected) && self.optional_data.len() == 15)
    }
}
