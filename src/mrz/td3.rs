//! TD3: two lines of 44 characters (Doc 9303-4).

use core::fmt;

use super::name::{name_field, split_name_field};
use super::{Checks, MrzError, MrzField, MrzSex, at, check_char, check_date_field, pad, sub, trim_filler};

/// A TD3 MRZ (passports).
///
/// ```text
/// line 1: code(2) state(3) name(39)
/// line 2: document number(9) cd nationality(3) birth(6) cd sex expiry(6) cd personal number(14) cd composite cd
/// ```
///
/// Text fields are kept without their trailing fillers; names use spaces between components.
#[derive(Clone, PartialEq, Eq)]
pub struct Td3 {
    /// Document code, 1–2 characters (`P`, `PN`, …).
    pub document_code: String,
    /// Issuing state or organization, 1–3 characters.
    pub issuing_state: String,
    /// Primary identifier (surname), components separated by spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), components separated by spaces.
    pub secondary_identifier: String,
    /// Document number, 1–9 characters.
    pub document_number: String,
    /// Nationality, 1–3 characters.
    pub nationality: String,
    /// Date of birth, `YYMMDD` (fillers where unknown).
    pub date_of_birth: String,
    /// Sex.
    pub sex: MrzSex,
    /// Date of expiry, `YYMMDD`.
    pub date_of_expiry: String,
    /// Optional data (personal number), up to 14 characters. When empty its check digit is written `<`.
    pub optional_data: String,
}

impl fmt::Debug for Td3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Td3 { .. REDACTED }")
    }
}

impl Td3 {
    /// Parses two lines of 44 MRZ characters and verifies every check digit.
    pub fn parse_lines(l1: &str, l2: &str) -> Result<Td3, MrzError> {
        Self::parse_lines_with(l1, l2, &mut Checks::strict())
    }

    pub(crate) fn parse_lines_with(l1: &str, l2: &str, checks: &mut Checks) -> Result<Td3, MrzError> {
        for l in [l1, l2] {
            if l.len() != 44 || !l.chars().all(super::is_mrz_char) {
                return Err(MrzError::Layout { lines: 2, lengths: vec![l1.len(), l2.len()] });
            }
        }
        let doc = sub(l2, 0, 9);
        checks.verify(doc, at(l2, 9), MrzField::DocumentNumber)?;
        let document_number = trim_filler(doc);
        if document_number.is_empty() {
            return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
        }
        let dob = sub(l2, 13, 19);
        check_date_field(dob, MrzField::DateOfBirth)?;
        checks.verify(dob, at(l2, 19), MrzField::DateOfBirth)?;
        let sex = MrzSex::from_char(at(l2, 20))?;
        let doe = sub(l2, 21, 27);
        check_date_field(doe, MrzField::DateOfExpiry)?;
        checks.verify(doe, at(l2, 27), MrzField::DateOfExpiry)?;
        let opt = sub(l2, 28, 42);
        checks.verify(opt, at(l2, 42), MrzField::OptionalData)?;
        let composite = format!("{}{}{}", sub(l2, 0, 10), sub(l2, 13, 20), sub(l2, 21, 43));
        checks.verify(&composite, at(l2, 43), MrzField::Composite)?;
        let (primary_identifier, secondary_identifier) = split_name_field(sub(l1, 5, 44));
        Ok(Td3 {
            document_code: trim_filler(sub(l1, 0, 2)),
            issuing_state: trim_filler(sub(l1, 2, 5)),
            primary_identifier,
            secondary_identifier,
            document_number,
            nationality: trim_filler(sub(l2, 10, 13)),
            date_of_birth: dob.to_string(),
            sex,
            date_of_expiry: doe.to_string(),
            optional_data: trim_filler(opt),
        })
    }

    /// The two canonical lines with computed check digits.
    pub fn to_lines(&self) -> Result<[String; 2], MrzError> {
        let mut l1 = pad(&self.document_code, 2, MrzField::DocumentCode)?;
        l1.push_str(&pad(&self.issuing_state, 3, MrzField::IssuingState)?);
        l1.push_str(&name_field(&self.primary_identifier, &self.secondary_identifier, 39)?);
        if self.document_number.is_empty() || self.document_number.ends_with('<') {
            return Err(MrzError::InvalidField {
                field: MrzField::DocumentNumber,
                reason: "empty or ends with a filler",
            });
        }
        check_date_field(&self.date_of_birth, MrzField::DateOfBirth)?;
        check_date_field(&self.date_of_expiry, MrzField::DateOfExpiry)?;
        let doc = pad(&self.document_number, 9, MrzField::DocumentNumber)?;
        let opt = pad(&self.optional_data, 14, MrzField::OptionalData)?;
        let mut l2 = String::with_capacity(44);
        l2.push_str(&doc);
        l2.push(check_char(&doc)?);
        l2.push_str(&pad(&self.nationality, 3, MrzField::Nationality)?);
        l2.push_str(&self.date_of_birth);
        l2.push(check_char(&self.date_of_birth)?);
        l2.push(self.sex.to_char());
        l2.push_str(&self.date_of_expiry);
        l2.push(check_char(&self.date_of_expiry)?);
        l2.push_str(&opt);
        l2.push(check_char(&opt)?);
        let composite = format!("{}{}{}", sub(&l2, 0, 10), sub(&l2, 13, 20), sub(&l2, 21, 43));
        l2.push(char::from(b'0' + super::check_digit(&composite)?));
        Ok([l1, l2])
    }
}
