//! Validation of a [`CitizenRecord`]: every problem at once, typed, without personal values.
//!
//! Errors make a record unusable (it cannot be written to a card correctly): an ID number that is not
//! 12 digits, dates out of order, text that cannot be encoded. Warnings flag what disagrees with the rules
//! of cccd-profile §7 and the expiry rule of §2, which real records may legitimately break (the ID structure
//! rule lapsed on 1 July 2024).

use core::fmt;

use time::{Date, Month};

use super::CitizenRecord;
use super::province::province;
use crate::mrz::MrzError;
use crate::mrz::name::name_field_from_names;

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The ID number is not exactly 12 ASCII digits (error).
    NotTwelveDigits,
    /// The date of birth is after the date of issue (error).
    BirthAfterIssue,
    /// The date of expiry is not after the date of issue (error).
    ExpiryNotAfterIssue,
    /// A required text is empty (error).
    Empty,
    /// A name has characters with no MRZ transliteration (error).
    NotTransliterable,
    /// A text holds control characters (error).
    ControlCharacter,
    /// The first three digits are not one of the 63 province codes (warning).
    UnknownProvinceCode,
    /// The sex/century digit disagrees with the sex (warning).
    SexDigitMismatch,
    /// The sex/century digit disagrees with the century of birth (warning).
    CenturyDigitMismatch,
    /// Digits 5–6 disagree with the year of birth (warning).
    BirthYearMismatch,
    /// The expiry is not the birthday at 25, 40 or 60 that the issue date calls for, or is missing or
    /// present against the rule (warning).
    ExpiryRule,
    /// The name had to be truncated to fit the MRZ (warning).
    NameTruncatedInMrz,
    /// The old ID number is not 9 (or 12) digits (warning).
    OldIdNumberFormat,
    /// A text stored as a PrintableString in DG13 has characters outside that type (error).
    NotPrintableString,
    /// A DG13 field disagrees with the MRZ of DG1 (see `Dg13::mismatches_with`).
    DisagreesWithMrz,
    /// A required field is absent or `null` (error).
    Missing,
    /// A field is a JSON number, boolean, array or object where text belongs (error: an ID number given as a
    /// number has lost its leading zeros).
    NotText,
    /// A date is not written `YYYY-MM-DD` (error).
    NotADate,
    /// A date written `YYYY-MM-DD` names no day of the calendar, e.g. 30 February (error).
    ImpossibleDate,
    /// The sex is not `M` or `F` (`Nam`, `Nữ` are accepted too) (error).
    InvalidSex,
    /// A field the citizen record does not have, e.g. a misspelt name (error: its data would be lost; see
    /// [`crate::citizen::RecordCheck::unknown_fields`]).
    UnknownField,
    /// A text is not in Unicode NFC (decomposed diacritics); it is normalized to NFC before encoding
    /// (warning).
    NotNfc,
}

impl ProblemKind {
    /// A stable snake_case code for machine-readable reports: the variant's name (`NotTwelveDigits` →
    /// `not_twelve_digits`).
    pub fn code(&self) -> String {
        let name = format!("{self:?}");
        let mut out = String::with_capacity(name.len() + 4);
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ProblemKind::NotTwelveDigits => "not 12 digits",
            ProblemKind::BirthAfterIssue => "date of birth after the date of issue",
            ProblemKind::ExpiryNotAfterIssue => "date of expiry not after the date of issue",
            ProblemKind::Empty => "empty",
            ProblemKind::NotTransliterable => "characters with no MRZ transliteration",
            ProblemKind::ControlCharacter => "control characters",
            ProblemKind::UnknownProvinceCode => "unknown province code",
            ProblemKind::SexDigitMismatch => "sex/century digit disagrees with the sex",
            ProblemKind::CenturyDigitMismatch => "sex/century digit disagrees with the century of birth",
            ProblemKind::BirthYearMismatch => "year digits disagree with the year of birth",
            ProblemKind::ExpiryRule => "date of expiry disagrees with the 25/40/60 rule",
            ProblemKind::NameTruncatedInMrz => "name truncated in the MRZ",
            ProblemKind::OldIdNumberFormat => "not 9 or 12 digits",
            ProblemKind::NotPrintableString => "characters outside PrintableString",
            ProblemKind::DisagreesWithMrz => "disagrees with the MRZ",
            ProblemKind::Missing => "missing",
            ProblemKind::NotText => "not a JSON string",
            ProblemKind::NotADate => "not a date YYYY-MM-DD",
            ProblemKind::ImpossibleDate => "no such day in the calendar",
            ProblemKind::InvalidSex => "not M or F",
            ProblemKind::UnknownField => "not a field of the citizen record",
            ProblemKind::NotNfc => "not in Unicode NFC (normalized before encoding)",
        };
        f.write_str(s)
    }
}

/// One problem: the field (its JSON name) and what is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Problem {
    /// The field, named as in the JSON form (`id_number`, `date_of_expiry`, …).
    pub field: &'static str,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.kind)
    }
}

/// The result of [`CitizenRecord::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// Problems that make the record unusable.
    pub errors: Vec<Problem>,
    /// Problems worth a look that do not stop issuance.
    pub warnings: Vec<Problem>,
}

impl Validation {
    /// Whether there are no errors (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Whether `field` has a problem of `kind` (error or warning).
    pub fn has(&self, field: &str, kind: ProblemKind) -> bool {
        self.errors.iter().chain(&self.warnings).any(|p| p.field == field && p.kind == kind)
    }

    /// Whether `self` has a problem of `kind` in `field` that is an error.
    pub fn has_error(&self, field: &str, kind: ProblemKind) -> bool {
        self.errors.iter().any(|p| p.field == field && p.kind == kind)
    }

    pub(super) fn error(&mut self, field: &'static str, kind: ProblemKind) {
        self.errors.push(Problem { field, kind });
    }

    pub(super) fn warning(&mut self, field: &'static str, kind: ProblemKind) {
        self.warnings.push(Problem { field, kind });
    }
}

/// The birthday at `age` (28 February for a 29 February birthday in a common year).
pub fn birthday_at(date_of_birth: Date, age: i32) -> Option<Date> {
    let year = date_of_birth.year().checked_add(age)?;
    Date::from_calendar_date(year, date_of_birth.month(), date_of_birth.day())
        .ok()
        .or_else(|| Date::from_calendar_date(year, Month::February, 28).ok())
}

/// The expiry dates the law allows for a card issued on `date_of_issue` (`None` = no expiry).
///
/// The card must be renewed at 25, 40 and 60 and expires on that birthday; a card issued within the two
/// years before one of those ages stays valid until the next one (Law on Citizen Identification 2014, art. 21);
/// a card issued from 58 (within two years of 60) or later has no expiry.
pub fn allowed_expiries(date_of_birth: Date, date_of_issue: Date) -> Vec<Option<Date>> {
    const AGES: [i32; 3] = [25, 40, 60];
    for (i, age) in AGES.iter().enumerate() {
        let Some(milestone) = birthday_at(date_of_birth, *age) else { continue };
        if date_of_issue < milestone {
            let mut allowed = vec![Some(milestone)];
            let within_two_years = birthday_at(date_of_birth, age - 2).is_some_and(|d| date_of_issue >= d);
            if within_two_years {
                allowed.push(AGES.get(i + 1).and_then(|a| birthday_at(date_of_birth, *a)));
            }
            return allowed;
        }
    }
    vec![None]
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// The fields validation looks at, each `None` when it could not be read (that problem is reported already).
pub(super) struct View<'a> {
    pub id_number: Option<&'a str>,
    pub full_name: Option<&'a str>,
    pub date_of_birth: Option<Date>,
    pub sex: Option<super::Sex>,
    pub nationality: Option<&'a str>,
    pub date_of_issue: Option<Date>,
    /// `Some(None)`: no expiry; `None`: unreadable.
    pub date_of_expiry: Option<Option<Date>>,
    /// The optional texts, by JSON name.
    pub optional: [(&'static str, Option<&'a str>); 9],
}

impl CitizenRecord {
    /// Checks the record and reports every problem at once.
    pub fn validate(&self) -> Validation {
        let mut v = Validation::default();
        check(&self.view(), &mut v);
        v
    }

    pub(super) fn view(&self) -> View<'_> {
        View {
            id_number: Some(&self.id_number),
            full_name: Some(&self.full_name),
            date_of_birth: Some(self.date_of_birth),
            sex: Some(self.sex),
            nationality: Some(&self.nationality),
            date_of_issue: Some(self.date_of_issue),
            date_of_expiry: Some(self.date_of_expiry),
            optional: [
                ("ethnicity", self.ethnicity.as_deref()),
                ("religion", self.religion.as_deref()),
                ("place_of_origin", self.place_of_origin.as_deref()),
                ("place_of_residence", self.place_of_residence.as_deref()),
                ("identifying_marks", self.identifying_marks.as_deref()),
                ("father_name", self.father_name.as_deref()),
                ("mother_name", self.mother_name.as_deref()),
                ("spouse_name", self.spouse_name.as_deref()),
                ("old_id_number", self.old_id_number.as_deref()),
            ],
        }
    }
}

/// Every check that the fields which could be read allow; a check needing an unreadable field is skipped.
pub(super) fn check(r: &View<'_>, v: &mut Validation) {
    let id = r.id_number.unwrap_or("");
    let id_ok = id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
    if r.id_number.is_some() && !id_ok {
        v.error("id_number", ProblemKind::NotTwelveDigits);
    }
    if let (Some(dob), Some(doi)) = (r.date_of_birth, r.date_of_issue)
        && dob > doi
    {
        v.error("date_of_birth", ProblemKind::BirthAfterIssue);
    }
    if let (Some(Some(doe)), Some(doi)) = (r.date_of_expiry, r.date_of_issue)
        && doe <= doi
    {
        v.error("date_of_expiry", ProblemKind::ExpiryNotAfterIssue);
    }
    // Text.
    for (field, text) in [("full_name", r.full_name), ("nationality", r.nationality)] {
        if text.is_some_and(|t| t.trim().is_empty()) {
            v.error(field, ProblemKind::Empty);
        }
    }
    let all_text = [("id_number", r.id_number), ("full_name", r.full_name), ("nationality", r.nationality)]
        .into_iter()
        .chain(r.optional.iter().copied());
    for (field, text) in all_text {
        let Some(text) = text else { continue };
        if has_control(text) {
            v.error(field, ProblemKind::ControlCharacter);
        }
        if !unicode_normalization::is_nfc(text) {
            v.warning(field, ProblemKind::NotNfc);
        }
    }
    if let Some(full_name) = r.full_name.filter(|n| !n.trim().is_empty()) {
        let (surname, given) = super::split_full_name(full_name);
        match name_field_from_names(surname, given, 30) {
            Ok(f) if f.truncated => v.warning("full_name", ProblemKind::NameTruncatedInMrz),
            Ok(_) => {}
            Err(MrzError::EmptyName) => v.error("full_name", ProblemKind::Empty),
            Err(_) => v.error("full_name", ProblemKind::NotTransliterable),
        }
    }
    let old_id = r.optional.iter().find(|(f, _)| *f == "old_id_number").and_then(|(_, t)| *t);
    if let Some(old) = old_id {
        if !old.chars().all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)) {
            v.error("old_id_number", ProblemKind::NotPrintableString);
        } else if !((old.len() == 9 || old.len() == 12) && old.bytes().all(|b| b.is_ascii_digit())) {
            v.warning("old_id_number", ProblemKind::OldIdNumberFormat);
        }
    }
    // Structure of the ID number (cccd-profile §7): warnings.
    if id_ok {
        let digits: Vec<u16> = id.bytes().map(|b| u16::from(b - b'0')).collect();
        let d = |i: usize| digits.get(i).copied().unwrap_or(0);
        let code = d(0) * 100 + d(1) * 10 + d(2);
        if province(code).is_none() {
            v.warning("id_number", ProblemKind::UnknownProvinceCode);
        }
        let g = d(3);
        let male = g % 2 == 0;
        if let Some(sex) = r.sex
            && male != (sex == super::Sex::Male)
        {
            v.warning("id_number", ProblemKind::SexDigitMismatch);
        }
        if let Some(dob) = r.date_of_birth {
            let century = 1900 + i32::from(g / 2) * 100;
            if dob.year().div_euclid(100) * 100 != century {
                v.warning("id_number", ProblemKind::CenturyDigitMismatch);
            }
            let yy = i32::from(d(4) * 10 + d(5));
            if dob.year().rem_euclid(100) != yy {
                v.warning("id_number", ProblemKind::BirthYearMismatch);
            }
        }
    }
    // Expiry rule: warning.
    if let (Some(dob), Some(doi), Some(doe)) = (r.date_of_birth, r.date_of_issue, r.date_of_expiry)
        && dob <= doi
        && !allowed_expiries(dob, doi).contains(&doe)
    {
        v.warning("date_of_expiry", ProblemKind::ExpiryRule);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn expiry_rule() {
        let dob = date!(1999 - 01 - 15);
        assert_eq!(allowed_expiries(dob, date!(2021 - 04 - 20)), vec![Some(date!(2024 - 01 - 15))]);
        assert_eq!(
            allowed_expiries(dob, date!(2023 - 04 - 20)),
            vec![Some(date!(2024 - 01 - 15)), Some(date!(2039 - 01 - 15))]
        );
        assert_eq!(allowed_expiries(dob, date!(2024 - 01 - 15)), vec![Some(date!(2039 - 01 - 15))]);
        assert_eq!(allowed_expiries(dob, date!(2057 - 06 - 01)), vec![Some(date!(2059 - 01 - 15)), None]);
        assert_eq!(allowed_expiries(dob, date!(2059 - 01 - 15)), vec![None]);
        assert_eq!(birthday_at(date!(2000 - 02 - 29), 25), Some(date!(2025 - 02 - 28)));
    }
}
