//! The machine readable zone (ICAO Doc 9303 Parts 3, 4 and 5).
//!
//! - [`check_digit`]: the 7-3-1 check digit of Doc 9303-3 §4.9.
//! - [`Td1`] (three lines of 30, identity cards, Doc 9303-5), [`Td2`] (two lines of 36, identity cards and
//!   MRV-B visas, Doc 9303-6 and -7) and [`Td3`] (two lines of 44, passports, Doc 9303-4), joined in [`Mrz`].
//!   Parsing checks the lengths, the alphabet (`A`–`Z`, `0`–`9`, `<`) and every check digit, and says which
//!   check digit is wrong ([`Mrz::parse`], for typed-in text); [`Mrz::parse_lenient`] (for an MRZ read from a
//!   chip) returns the wrong check digits instead of failing. Building computes the check digits.
//! - [`name`]: transliteration of any Latin-script name (Vietnamese included) to the MRZ alphabet, and the
//!   `PRIMARY<<SECONDARY` name field with truncation.
//! - The Vietnamese CCCD layout ([`Td1::cccd`]), the BAC "MRZ information" and the CCCD CAN, both zeroizing.
//!
//! ```
//! use cccd::mrz::Mrz;
//!
//! let text = "IDVNM0990123459001099012345<<0\n9901155M3901153VNM<<<<<<<<<<<6\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";
//! let mrz = Mrz::parse(text).unwrap();
//! assert_eq!(mrz.document_number(), "099012345");
//! assert_eq!(mrz.to_text().unwrap(), text);
//! assert_eq!(mrz.mrz_information().unwrap().as_str(), "099012345999011553901153");
//! ```

mod date;
mod input;
pub mod name;
mod td1;
mod td2;
mod td3;

use core::fmt;

pub use date::{date_to_yymmdd, yymmdd_to_date};
pub use input::access_key_from_text;
pub use td1::Td1;
pub use td2::Td2;
pub use td3::Td3;
use zeroize::Zeroizing;

/// A field of the MRZ, named as in Doc 9303 (used in errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MrzField {
    /// Document code (`P`, `I`, `ID`, …).
    DocumentCode,
    /// Issuing state or organization.
    IssuingState,
    /// Document number.
    DocumentNumber,
    /// Optional data (TD1 line 1; TD3 personal number).
    OptionalData,
    /// Optional data of TD1 line 2.
    OptionalData2,
    /// Date of birth.
    DateOfBirth,
    /// Sex.
    Sex,
    /// Date of expiry.
    DateOfExpiry,
    /// Nationality.
    Nationality,
    /// Name (primary and secondary identifiers).
    Name,
    /// The composite check digit.
    Composite,
}

impl fmt::Display for MrzField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            MrzField::DocumentCode => "document code",
            MrzField::IssuingState => "issuing state",
            MrzField::DocumentNumber => "document number",
            MrzField::OptionalData => "optional data",
            MrzField::OptionalData2 => "optional data (line 2)",
            MrzField::DateOfBirth => "date of birth",
            MrzField::Sex => "sex",
            MrzField::DateOfExpiry => "date of expiry",
            MrzField::Nationality => "nationality",
            MrzField::Name => "name",
            MrzField::Composite => "composite",
        };
        f.write_str(s)
    }
}

/// Errors of the MRZ module. They name fields and positions, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MrzError {
    /// The text is not 3 lines of 30 (TD1), 2 of 36 (TD2) nor 2 of 44 (TD3) characters.
    #[error("MRZ has {lines} line(s) of lengths {lengths:?}: expected 3x30 (TD1), 2x36 (TD2) or 2x44 (TD3)")]
    Layout {
        /// Number of lines found.
        lines: usize,
        /// Length of each line (at most 4 reported).
        lengths: Vec<usize>,
    },
    /// Typed MRZ input for an access key of a length that is no MRZ part holding the key.
    #[error(
        "MRZ input of {characters} characters: give TD1's first two lines (2x30), TD3's second line (44), \
         TD2's (36), or the whole MRZ"
    )]
    KeyInput {
        /// Characters typed (whitespace not counted).
        characters: usize,
    },
    /// A character outside `A`–`Z`, `0`–`9`, `<` (position counted in characters, from 0, lines concatenated).
    #[error("character outside the MRZ alphabet at position {position}")]
    InvalidCharacter {
        /// Character position.
        position: usize,
    },
    /// A check digit does not match its field.
    #[error("wrong check digit for the {field}")]
    CheckDigit {
        /// The field whose check digit is wrong.
        field: MrzField,
    },
    /// A value is longer than its field.
    #[error("{field} longer than {max} characters")]
    TooLong {
        /// The field.
        field: MrzField,
        /// Its capacity.
        max: usize,
    },
    /// A value has the wrong form.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field.
        field: MrzField,
        /// Why (never the value).
        reason: &'static str,
    },
    /// A name character that has no transliteration to the MRZ alphabet (position in characters).
    #[error("name character at position {position} cannot be transliterated to the MRZ")]
    NotTransliterable {
        /// Character position in the input name.
        position: usize,
    },
    /// A name with no letters.
    #[error("empty name")]
    EmptyName,
    /// A date that does not exist or is not `YYMMDD`.
    #[error("invalid date in the {field}")]
    InvalidDate {
        /// The field.
        field: MrzField,
    },
}

/// Whether `c` is in the MRZ alphabet.
pub fn is_mrz_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<'
}

fn char_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(u32::from(c) - u32::from('0')),
        'A'..='Z' => Some(u32::from(c) - u32::from('A') + 10),
        '<' => Some(0),
        _ => None,
    }
}

/// The check digit (0–9) of `data` (Doc 9303-3 §4.9): weights 7, 3, 1 repeating; digits are their value,
/// `A`–`Z` are 10–35, `<` is 0; the sum modulo 10.
///
/// ```
/// assert_eq!(cccd::mrz::check_digit("520727").unwrap(), 3);
/// assert_eq!(cccd::mrz::check_digit("AB2134<<<").unwrap(), 5);
/// ```
pub fn check_digit(data: &str) -> Result<u8, MrzError> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, c) in data.chars().enumerate() {
        let v = char_value(c).ok_or(MrzError::InvalidCharacter { position: i })?;
        let w = WEIGHTS.get(i % 3).copied().unwrap_or(1);
        sum = (sum + v * w) % 10;
    }
    Ok((sum % 10) as u8)
}

/// The check digit character for a field: `<` when the field is all fillers, the digit otherwise.
fn check_char(field_text: &str) -> Result<char, MrzError> {
    if !field_text.is_empty() && field_text.chars().all(|c| c == '<') {
        return Ok('<');
    }
    let d = check_digit(field_text)?;
    Ok(char::from(b'0' + d))
}

/// Checks a check digit read from the MRZ. A field made only of fillers may have `<` or the computed `0`.
fn verify(field_text: &str, cd: char, field: MrzField) -> Result<(), MrzError> {
    let all_filler = field_text.chars().all(|c| c == '<');
    if cd == '<' && all_filler {
        return Ok(());
    }
    let d = check_digit(field_text)?;
    if cd == char::from(b'0' + d) { Ok(()) } else { Err(MrzError::CheckDigit { field }) }
}

/// How a parser treats a wrong check digit: strict (the error) or lenient (noted, parsing goes on).
#[derive(Debug, Default)]
pub(crate) struct Checks {
    lenient: bool,
    wrong: Vec<MrzField>,
}

impl Checks {
    /// Wrong check digits are errors (typed-in MRZ text, e.g. for BAC).
    pub(crate) fn strict() -> Self {
        Checks { lenient: false, wrong: Vec::new() }
    }

    /// Wrong check digits are noted (an MRZ read from a chip or a document).
    pub(crate) fn lenient() -> Self {
        Checks { lenient: true, wrong: Vec::new() }
    }

    /// Verifies one check digit; in lenient mode a wrong one is noted instead of failing.
    pub(crate) fn verify(&mut self, field_text: &str, cd: char, field: MrzField) -> Result<(), MrzError> {
        match verify(field_text, cd, field) {
            Err(MrzError::CheckDigit { field }) if self.lenient => {
                self.wrong.push(field);
                Ok(())
            }
            other => other,
        }
    }
}

/// `value` padded with `<` to `width`, after checking the alphabet and the length.
fn pad(value: &str, width: usize, field: MrzField) -> Result<String, MrzError> {
    if !value.chars().all(is_mrz_char) {
        return Err(MrzError::InvalidField { field, reason: "character outside the MRZ alphabet" });
    }
    let len = value.chars().count();
    if len > width {
        return Err(MrzError::TooLong { field, max: width });
    }
    let mut s = String::with_capacity(width);
    s.push_str(value);
    s.extend(core::iter::repeat_n('<', width - len));
    Ok(s)
}

/// `s` without its trailing fillers.
fn trim_filler(s: &str) -> String {
    s.trim_end_matches('<').to_string()
}

/// A date field: 6 characters, digits or fillers (`<<<<<<` means unknown or none).
fn check_date_field(raw: &str, field: MrzField) -> Result<(), MrzError> {
    if raw.chars().count() != 6 || !raw.chars().all(|c| c.is_ascii_digit() || c == '<') {
        return Err(MrzError::InvalidDate { field });
    }
    Ok(())
}

/// Characters `start..end` of an ASCII line (the alphabet has been checked, so bytes are characters).
fn sub(line: &str, start: usize, end: usize) -> &str {
    line.get(start..end).unwrap_or("")
}

/// The character at `i` of an ASCII line (`<` when out of range, which the callers' length checks exclude).
fn at(line: &str, i: usize) -> char {
    line.as_bytes().get(i).map(|b| char::from(*b)).unwrap_or('<')
}

/// The sex field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MrzSex {
    /// `M`.
    Male,
    /// `F`.
    Female,
    /// `X` (unspecified, Doc 9303-3 8th edition).
    Unspecified,
    /// `<` (not given).
    NotGiven,
}

impl MrzSex {
    /// The MRZ character.
    pub fn to_char(self) -> char {
        match self {
            MrzSex::Male => 'M',
            MrzSex::Female => 'F',
            MrzSex::Unspecified => 'X',
            MrzSex::NotGiven => '<',
        }
    }

    /// From the MRZ character.
    pub fn from_char(c: char) -> Result<Self, MrzError> {
        match c {
            'M' => Ok(MrzSex::Male),
            'F' => Ok(MrzSex::Female),
            'X' => Ok(MrzSex::Unspecified),
            '<' => Ok(MrzSex::NotGiven),
            _ => Err(MrzError::InvalidField { field: MrzField::Sex, reason: "not M, F, X or <" }),
        }
    }
}

/// A machine readable zone: TD1 (identity cards), TD2 (identity cards, MRV-B visas) or TD3 (passports).
#[derive(Clone, PartialEq, Eq)]
pub enum Mrz {
    /// Three lines of 30 characters.
    Td1(Td1),
    /// Two lines of 36 characters.
    Td2(Td2),
    /// Two lines of 44 characters.
    Td3(Td3),
}

impl fmt::Debug for Mrz {
    /// Prints the format only: the MRZ is personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mrz::Td1(t) => fmt::Debug::fmt(t, f),
            Mrz::Td2(t) => fmt::Debug::fmt(t, f),
            Mrz::Td3(t) => fmt::Debug::fmt(t, f),
        }
    }
}

impl Mrz {
    /// Parses an MRZ: lines separated by `\n` or `\r\n` (a final line break is allowed), or all lines
    /// concatenated (90 characters for TD1, 72 for TD2, 88 for TD3). Every check digit is verified: this is
    /// the parser for typed-in text (a wrong check digit there is a typing error).
    pub fn parse(text: &str) -> Result<Mrz, MrzError> {
        Self::parse_with(text, &mut Checks::strict())
    }

    /// Parses an MRZ read from a chip or a document: like [`Mrz::parse`], but a wrong check digit does not
    /// fail; the fields whose check digits are wrong are returned (in MRZ order) for the caller to report.
    /// Every other rule (layout, alphabet, dates, sex) stays strict.
    ///
    /// ```
    /// use cccd::mrz::{Mrz, MrzField};
    /// // the TD3 specimen with its composite check digit changed from 0 to 1
    /// let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<11";
    /// assert!(Mrz::parse(text).is_err());
    /// let (mrz, wrong) = Mrz::parse_lenient(text).unwrap();
    /// assert_eq!(mrz.document_number(), "L898902C3");
    /// assert_eq!(wrong, [MrzField::Composite]);
    /// ```
    pub fn parse_lenient(text: &str) -> Result<(Mrz, Vec<MrzField>), MrzError> {
        let mut checks = Checks::lenient();
        let mrz = Self::parse_with(text, &mut checks)?;
        Ok((mrz, checks.wrong))
    }

    fn parse_with(text: &str, checks: &mut Checks) -> Result<Mrz, MrzError> {
        let text = text.strip_suffix('\n').unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let lines: Vec<&str> = if text.contains('\n') {
            text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect()
        } else {
            let n = text.chars().count();
            if n == 90 && text.is_ascii() {
                vec![sub(text, 0, 30), sub(text, 30, 60), sub(text, 60, 90)]
            } else if n == 88 && text.is_ascii() {
                vec![sub(text, 0, 44), sub(text, 44, 88)]
            } else if n == 72 && text.is_ascii() {
                vec![sub(text, 0, 36), sub(text, 36, 72)]
            } else {
                vec![text]
            }
        };
        let lengths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        let layout_err = || MrzError::Layout { lines: lines.len(), lengths: lengths.iter().take(4).copied().collect() };
        let td1 = lengths == [30, 30, 30];
        let td2 = lengths == [36, 36];
        let td3 = lengths == [44, 44];
        if !td1 && !td2 && !td3 {
            return Err(layout_err());
        }
        let mut offset = 0;
        for line in &lines {
            if let Some(p) = line.chars().position(|c| !is_mrz_char(c)) {
                return Err(MrzError::InvalidCharacter { position: offset + p });
            }
            offset += line.len();
        }
        match lines.as_slice() {
            [a, b, c] => Td1::parse_lines_with(a, b, c, checks).map(Mrz::Td1),
            [a, b] if td2 => Td2::parse_lines_with(a, b, checks).map(Mrz::Td2),
            [a, b] => Td3::parse_lines_with(a, b, checks).map(Mrz::Td3),
            _ => Err(layout_err()),
        }
    }

    /// The canonical lines, check digits computed.
    pub fn to_lines(&self) -> Result<Vec<String>, MrzError> {
        match self {
            Mrz::Td1(t) => t.to_lines().map(|l| l.to_vec()),
            Mrz::Td2(t) => t.to_lines().map(|l| l.to_vec()),
            Mrz::Td3(t) => t.to_lines().map(|l| l.to_vec()),
        }
    }

    /// The canonical text: lines joined by `\n`, no final line break.
    pub fn to_text(&self) -> Result<String, MrzError> {
        Ok(self.to_lines()?.join("\n"))
    }

    /// The lines concatenated with no separator (the content of DG1's `5F1F`).
    pub fn to_concatenated(&self) -> Result<String, MrzError> {
        Ok(self.to_lines()?.concat())
    }

    fn common(&self) -> Common<'_> {
        match self {
            Mrz::Td1(t) => Common {
                document_code: &t.document_code,
                issuing_state: &t.issuing_state,
                document_number: &t.document_number,
                date_of_birth: &t.date_of_birth,
                sex: t.sex,
                date_of_expiry: &t.date_of_expiry,
                nationality: &t.nationality,
                primary_identifier: &t.primary_identifier,
                secondary_identifier: &t.secondary_identifier,
            },
            Mrz::Td2(t) => Common {
                document_code: &t.document_code,
                issuing_state: &t.issuing_state,
                document_number: &t.document_number,
                date_of_birth: &t.date_of_birth,
                sex: t.sex,
                date_of_expiry: &t.date_of_expiry,
                nationality: &t.nationality,
                primary_identifier: &t.primary_identifier,
                secondary_identifier: &t.secondary_identifier,
            },
            Mrz::Td3(t) => Common {
                document_code: &t.document_code,
                issuing_state: &t.issuing_state,
                document_number: &t.document_number,
                date_of_birth: &t.date_of_birth,
                sex: t.sex,
                date_of_expiry: &t.date_of_expiry,
                nationality: &t.nationality,
                primary_identifier: &t.primary_identifier,
                secondary_identifier: &t.secondary_identifier,
            },
        }
    }

    /// Document code, trailing fillers removed (`P`, `I`, `ID`).
    pub fn document_code(&self) -> &str {
        self.common().document_code
    }
    /// Issuing state, trailing fillers removed (`UTO`, `D`).
    pub fn issuing_state(&self) -> &str {
        self.common().issuing_state
    }
    /// The whole document number (TD1 long numbers included), trailing fillers removed.
    pub fn document_number(&self) -> &str {
        self.common().document_number
    }
    /// Date of birth as written, `YYMMDD` (fillers for unknown parts).
    pub fn date_of_birth(&self) -> &str {
        self.common().date_of_birth
    }
    /// Sex.
    pub fn sex(&self) -> MrzSex {
        self.common().sex
    }
    /// Date of expiry as written, `YYMMDD` (`<<<<<<` when none).
    pub fn date_of_expiry(&self) -> &str {
        self.common().date_of_expiry
    }
    /// Nationality, trailing fillers removed.
    pub fn nationality(&self) -> &str {
        self.common().nationality
    }
    /// Primary identifier (surname), components separated by spaces.
    pub fn primary_identifier(&self) -> &str {
        self.common().primary_identifier
    }
    /// Secondary identifier (given names), components separated by spaces.
    pub fn secondary_identifier(&self) -> &str {
        self.common().secondary_identifier
    }
    /// Optional data: TD1 line 1 (after a long document number's overflow), TD3 personal number.
    pub fn optional_data(&self) -> &str {
        match self {
            Mrz::Td1(t) => &t.optional_data,
            Mrz::Td2(t) => &t.optional_data,
            Mrz::Td3(t) => &t.optional_data,
        }
    }

    /// The BAC "MRZ information" (Doc 9303-11 §9.7.2): document number + check digit, date of birth +
    /// check digit, date of expiry + check digit. Secret: zeroized when dropped.
    pub fn mrz_information(&self) -> Result<Zeroizing<String>, MrzError> {
        let c = self.common();
        mrz_information(c.document_number, c.date_of_birth, c.date_of_expiry)
    }

    /// The CCCD 12-digit personal ID number: the first 12 characters of the TD1 optional data when they are digits.
    pub fn cccd_id_number(&self) -> Option<&str> {
        match self {
            Mrz::Td1(t) => t.cccd_id_number(),
            Mrz::Td2(_) | Mrz::Td3(_) => None,
        }
    }

    /// The CCCD PACE CAN: the last 6 digits of the 12-digit ID number (zeroized when dropped).
    pub fn cccd_can(&self) -> Option<Zeroizing<String>> {
        self.cccd_id_number().and_then(|id| can_from_id_number(id).ok())
    }
}

struct Common<'a> {
    document_code: &'a str,
    issuing_state: &'a str,
    document_number: &'a str,
    date_of_birth: &'a str,
    sex: MrzSex,
    date_of_expiry: &'a str,
    nationality: &'a str,
    primary_identifier: &'a str,
    secondary_identifier: &'a str,
}

/// The BAC "MRZ information" from its three fields (document number without fillers, dates `YYMMDD`).
pub fn mrz_information(
    document_number: &str,
    date_of_birth: &str,
    date_of_expiry: &str,
) -> Result<Zeroizing<String>, MrzError> {
    if document_number.is_empty() {
        return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
    }
    if !document_number.chars().all(is_mrz_char) {
        return Err(MrzError::InvalidField {
            field: MrzField::DocumentNumber,
            reason: "character outside the MRZ alphabet",
        });
    }
    check_date_field(date_of_birth, MrzField::DateOfBirth)?;
    check_date_field(date_of_expiry, MrzField::DateOfExpiry)?;
    // A document number shorter than 9 is padded to its field width, as in the MRZ.
    let doc = if document_number.len() < 9 {
        pad(document_number, 9, MrzField::DocumentNumber)?
    } else {
        document_number.to_string()
    };
    let doc = Zeroizing::new(doc);
    let mut out = Zeroizing::new(String::with_capacity(doc.len() + 15));
    out.push_str(&doc);
    out.push(check_char(&doc)?);
    out.push_str(date_of_birth);
    out.push(check_char(date_of_birth)?);
    out.push_str(date_of_expiry);
    out.push(check_char(date_of_expiry)?);
    Ok(out)
}

/// The CCCD CAN: the last 6 digits of a 12-digit personal ID number (zeroized when dropped).
pub fn can_from_id_number(id_number: &str) -> Result<Zeroizing<String>, MrzError> {
    if id_number.len() != 12 || !id_number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MrzError::InvalidField {
            field: MrzField::OptionalData,
            reason: "personal ID number is not 12 digits",
        });
    }
    Ok(Zeroizing::new(sub(id_number, 6, 12).to_string()))
}
