//! TD2: two lines of 36 characters (Doc 9303-6, identity cards; Doc 9303-7, MRV-B visas).

use core::fmt;

use super::name::{name_field, split_name_field};
use super::{Checks, MrzError, MrzField, MrzSex, at, check_char, check_date_field, pad, sub, trim_filler};

/// A TD2 MRZ (identity cards and size-B visas).
///
/// ```text
/// line 1: code(2) state(3) name(31)
/// line 2: document number(9) cd nationality(3) birth(6) cd sex expiry(6) cd optional data(7) composite cd
/// ```
///
/// A document number longer than 9 characters continues in the optional data, followed by its check digit
/// and a filler, and `<` stands at the check digit position (Doc 9303-6 §4.2.4, as TD1). A visa (document
/// code starting with `V`, MRV-B, Doc 9303-7 §4.2.2) has 8 characters of optional data and no composite
/// check digit. Text fields are kept without their trailing fillers; names use spaces between components.
#[derive(Clone, PartialEq, Eq)]
pub struct Td2 {
    /// Document code, 1–2 characters (`I`, `ID`, `AC`, `V`…).
    pub document_code: String,
    /// Issuing state or organization, 1–3 characters.
    pub issuing_state: String,
    /// Primary identifier (surname), components separated by spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), components separated by spaces.
    pub secondary_identifier: String,
    /// Document number, 1–9 characters (up to 14 with the overflow of a long number; 9 for a visa).
    pub document_number: String,
    /// Nationality, 1–3 characters.
    pub nationality: String,
    /// Date of birth, `YYMMDD` (fillers where unknown).
    pub date_of_birth: String,
    /// Sex.
    pub sex: MrzSex,
    /// Date of expiry, `YYMMDD` (`<<<<<<` when none).
    pub date_of_expiry: String,
    /// Optional data (after the overflow of a long document number).
    pub optional_data: String,
}

impl fmt::Debug for Td2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Td2 { .. REDACTED }")
    }
}

/// Whether a document code is a visa's (MRV-B: no composite check digit, 8 characters of optional data).
fn is_visa(code: &str) -> bool {
    code.starts_with('V')
}

impl Td2 {
    /// Parses two lines of 36 MRZ characters and verifies every check digit.
    pub fn parse_lines(l1: &str, l2: &str) -> Result<Td2, MrzError> {
        Self::parse_lines_with(l1, l2, &mut Checks::strict())
    }

    pub(crate) fn parse_lines_with(l1: &str, l2: &str, checks: &mut Checks) -> Result<Td2, MrzError> {
        for l in [l1, l2] {
            if l.len() != 36 || !l.chars().all(super::is_mrz_char) {
                return Err(MrzError::Layout { lines: 2, lengths: vec![l1.len(), l2.len()] });
            }
        }
        let document_code = trim_filler(sub(l1, 0, 2));
        let visa = is_visa(&document_code);
        let doc_field = sub(l2, 0, 9);
        let doc_cd = at(l2, 9);
        let opt_raw = if visa { sub(l2, 28, 36) } else { sub(l2, 28, 35) };
        let (document_number, optional_data) = if !visa && doc_cd == '<' && !doc_field.contains('<') {
            let end = opt_raw.find('<').unwrap_or(opt_raw.len());
            let overflow_len = end.checked_sub(1).filter(|n| *n > 0).ok_or(MrzError::InvalidField {
                field: MrzField::DocumentNumber,
                reason: "long document number without overflow in the optional data",
            })?;
            let full = format!("{doc_field}{}", sub(opt_raw, 0, overflow_len));
            checks.verify(&full, at(opt_raw, overflow_len), MrzField::DocumentNumber)?;
            (full, trim_filler(opt_raw.get(end + 1..).unwrap_or("")))
        } else {
            checks.verify(doc_field, doc_cd, MrzField::DocumentNumber)?;
            (trim_filler(doc_field), trim_filler(opt_raw))
        };
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
        if !visa {
            let composite = format!("{}{}{}", sub(l2, 0, 10), sub(l2, 13, 20), sub(l2, 21, 35));
            checks.verify(&composite, at(l2, 35), MrzField::Composite)?;
        }
        let (primary_identifier, secondary_identifier) = split_name_field(sub(l1, 5, 36));
        Ok(Td2 {
            document_code,
            issuing_state: trim_filler(sub(l1, 2, 5)),
            primary_identifier,
            secondary_identifier,
            document_number,
            nationality: trim_filler(sub(l2, 10, 13)),
            date_of_birth: dob.to_string(),
            sex,
            date_of_expiry: doe.to_string(),
            optional_data,
        })
    }

    /// The two canonical lines with computed check digits.
    pub fn to_lines(&self) -> Result<[String; 2], MrzError> {
        let visa = is_visa(&self.document_code);
        let mut l1 = pad(&self.document_code, 2, MrzField::DocumentCode)?;
        l1.push_str(&pad(&self.issuing_state, 3, MrzField::IssuingState)?);
        l1.push_str(&name_field(&self.primary_identifier, &self.secondary_identifier, 31)?);
        let doc = &self.document_number;
        if doc.is_empty() || doc.ends_with('<') || (doc.len() > 9 && (doc.contains('<') || visa)) {
            return Err(MrzError::InvalidField {
                field: MrzField::DocumentNumber,
                reason: "empty, misplaced fillers, or a long number on a visa",
            });
        }
        check_date_field(&self.date_of_birth, MrzField::DateOfBirth)?;
        check_date_field(&self.date_of_expiry, MrzField::DateOfExpiry)?;
        let opt_width = if visa { 8 } else { 7 };
        let mut l2 = String::with_capacity(36);
        let opt = if doc.len() <= 9 {
            let field = pad(doc, 9, MrzField::DocumentNumber)?;
            l2.push_str(&field);
            l2.push(check_char(&field)?);
            pad(&self.optional_data, opt_width, MrzField::OptionalData)?
        } else {
            pad(doc, 9 + opt_width - 1, MrzField::DocumentNumber)?;
            l2.push_str(sub(doc, 0, 9));
            l2.push('<');
            let mut opt = format!("{}{}", sub(doc, 9, doc.len()), check_char(doc)?);
            if !self.optional_data.is_empty() {
                opt.push('<');
                opt.push_str(&self.optional_data);
            }
            pad(&opt, opt_width, MrzField::OptionalData)?
        };
        l2.push_str(&pad(&self.nationality, 3, MrzField::Nationality)?);
        l2.push_str(&self.date_of_birth);
        l2.push(check_char(&self.date_of_birth)?);
        l2.push(self.sex.to_char());
        l2.push_str(&self.date_of_expiry);
        l2.push(check_char(&self.date_of_expiry)?);
        l2.push_str(&opt);
        if !visa {
            let composite = format!("{}{}{}", sub(&l2, 0, 10), sub(&l2, 13, 20), sub(&l2, 21, 35));
            l2.push(char::from(b'0' + super::check_digit(&composite)?));
        }
        Ok([l1, l2])
    }
}

#[cfg(test)]
mod tests {
    use super::super::Mrz;

    #[test]
    fn long_number_and_visa_round_trip() {
        let long = "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<D23145890<UTO3407127M95071227349<<<8";
        let Mrz::Td2(t) = Mrz::parse(long).unwrap() else { panic!("not TD2") };
        assert_eq!(t.document_number, "D23145890734");
        assert_eq!(t.optional_data, "");
        assert_eq!(t.to_lines().unwrap().concat(), long);
        let visa = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<L8988901C4XXX4009078F9612109<<<<<<<<";
        let Mrz::Td2(v) = Mrz::parse(visa).unwrap() else { panic!("not TD2") };
        assert_eq!((v.document_number.as_str(), v.nationality.as_str()), ("L8988901C", "XXX"));
        assert_eq!(v.to_lines().unwrap().concat(), visa);
    }
}
