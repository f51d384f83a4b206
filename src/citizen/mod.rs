//! The Vietnamese citizen record: the personal data printed on and stored in a CCCD card.
//!
//! [`CitizenRecord`] is the JSON interchange form (field names `id_number`, `full_name`, … dates `YYYY-MM-DD`,
//! sex `M`/`F`). [`CitizenRecord::validate`] reports every problem at once ([`validate`]); a record file that
//! may be wrong anywhere is parsed leniently with [`RawRecord`] first, so that an impossible date does not hide
//! the other problems ([`RawRecord::check`]).
//! [`CitizenRecord::to_mrz`] builds the card's TD1 MRZ; [`CitizenRecord::can`] and
//! [`CitizenRecord::mrz_information`] give the PACE and BAC passwords.
//! The DG1 + DG13 conversions live in [`crate::lds::dg13`].

pub mod province;
pub mod raw;
pub mod validate;

use core::fmt;

use serde::{Deserialize, Serialize};
use time::Date;
use zeroize::Zeroizing;

use crate::mrz::{Mrz, MrzError, MrzSex, Td1, date_to_yymmdd};
pub use raw::{FieldProblem, RawRecord, RawRecordError, RawValue, RecordCheck, Severity};
pub use validate::{Problem, ProblemKind, Validation};

/// Errors of the citizen module (never containing personal values).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CitizenError {
    /// The record cannot be written to an MRZ.
    #[error("MRZ: {0}")]
    Mrz(#[from] MrzError),
    /// A required field is missing (name as in the JSON form).
    #[error("missing {0}")]
    Missing(&'static str),
    /// A field has a value of the wrong form.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field (name as in the JSON form).
        field: &'static str,
        /// Why (never the value).
        reason: &'static str,
    },
}

/// Sex, as on the card (`Nam` / `Nữ`), `M` / `F` in JSON and in the MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// Male: `M`, `Nam`.
    #[serde(rename = "M")]
    Male,
    /// Female: `F`, `Nữ`.
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    /// The Vietnamese word on the card and in DG13: `Nam` or `Nữ`.
    pub fn vietnamese(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }

    /// From `Nam` / `Nữ` (either Unicode normalization form, any case) or `M` / `F`.
    pub fn from_text(s: &str) -> Option<Sex> {
        use unicode_normalization::UnicodeNormalization;
        let n: String = s.trim().nfc().collect::<String>().to_lowercase();
        match n.as_str() {
            "nam" | "m" | "male" => Some(Sex::Male),
            "nữ" | "f" | "female" => Some(Sex::Female),
            _ => None,
        }
    }

    /// The MRZ sex.
    pub fn to_mrz(self) -> MrzSex {
        match self {
            Sex::Male => MrzSex::Male,
            Sex::Female => MrzSex::Female,
        }
    }
}

/// The personal data of a CCCD holder.
///
/// JSON: every field by its name below; dates `YYYY-MM-DD`; `date_of_expiry` is `null` (or absent) for a
/// card without expiry; the optional fields may be absent or `null`. Unknown fields are an error, so that a
/// misspelt field name cannot silently drop data from a card.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenRecord {
    /// The 12-digit personal ID number (*số định danh cá nhân*).
    pub id_number: String,
    /// Full name with diacritics, surname first (`Nguyễn Văn A`).
    pub full_name: String,
    /// Date of birth.
    #[serde(with = "date_serde")]
    pub date_of_birth: Date,
    /// Sex.
    pub sex: Sex,
    /// Nationality as written on the card (`Việt Nam`).
    pub nationality: String,
    /// Ethnicity (`Kinh`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<String>,
    /// Religion (`Không`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub religion: Option<String>,
    /// Place of origin (*quê quán*).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_origin: Option<String>,
    /// Place of residence (*nơi thường trú*).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_residence: Option<String>,
    /// Personal identification marks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifying_marks: Option<String>,
    /// Date of issue.
    #[serde(with = "date_serde")]
    pub date_of_issue: Date,
    /// Date of expiry; `None` for a card without expiry.
    #[serde(default, with = "date_serde::option")]
    pub date_of_expiry: Option<Date>,
    /// Father's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father_name: Option<String>,
    /// Mother's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother_name: Option<String>,
    /// Spouse's full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spouse_name: Option<String>,
    /// The old 9-digit ID number (CMND).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_id_number: Option<String>,
}

impl fmt::Debug for CitizenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CitizenRecord { .. REDACTED }")
    }
}

/// Splits a Vietnamese full name (surname first) into surname (the first word) and given names (the rest).
pub fn split_full_name(full_name: &str) -> (&str, &str) {
    let t = full_name.trim();
    match t.find(char::is_whitespace) {
        Some(i) => (t.get(..i).unwrap_or(t), t.get(i..).unwrap_or("").trim_start()),
        None => (t, ""),
    }
}

impl CitizenRecord {
    /// The card's TD1 MRZ ([`Td1::cccd`]): document number = last 9 digits of the ID number, the 12-digit ID
    /// and its check digit in the optional data, the name transliterated (surname = first word of the full
    /// name) and truncated to 30 characters.
    ///
    /// No expiry: the expiry field is written `<<<<<<` with check digit `<` (how real cards show it is unknown;
    /// Doc 9303-3 uses fillers for unknown date parts, and the filler check digit for an all-filler field).
    pub fn to_mrz(&self) -> Result<Mrz, CitizenError> {
        check_id(&self.id_number)?;
        let (surname, given) = split_full_name(&self.full_name);
        let dob = date_to_yymmdd(self.date_of_birth);
        let doe = self.date_of_expiry.map(date_to_yymmdd);
        let td1 = Td1::cccd(&self.id_number, &dob, self.sex.to_mrz(), doe.as_deref(), surname, given)?;
        Ok(Mrz::Td1(td1))
    }

    /// The PACE CAN: the last 6 digits of the ID number (zeroized when dropped).
    pub fn can(&self) -> Result<Zeroizing<String>, CitizenError> {
        check_id(&self.id_number)?;
        Ok(crate::mrz::can_from_id_number(&self.id_number)?)
    }

    /// The BAC MRZ information: last 9 digits of the ID number + check digit, date of birth + check digit,
    /// date of expiry + check digit (zeroized when dropped).
    pub fn mrz_information(&self) -> Result<Zeroizing<String>, CitizenError> {
        check_id(&self.id_number)?;
        let doc = self.id_number.get(3..).unwrap_or("");
        let dob = date_to_yymmdd(self.date_of_birth);
        let doe = self.date_of_expiry.map(date_to_yymmdd).unwrap_or_else(|| "<<<<<<".into());
        Ok(crate::mrz::mrz_information(doc, &dob, &doe)?)
    }
}

fn check_id(id: &str) -> Result<(), CitizenError> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CitizenError::Invalid { field: "id_number", reason: "not 12 digits" })
    }
}

/// Serde for dates as `YYYY-MM-DD`.
mod date_serde {
    use serde::{Deserialize, Deserializer, Serializer, de, ser};
    use time::Date;
    use time::format_description::BorrowedFormatItem;
    use time::macros::format_description;

    const FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.format(FORMAT).map_err(ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s, FORMAT).map_err(|_| de::Error::custom("expected a date YYYY-MM-DD"))
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            let s = Option::<String>::deserialize(d)?;
            s.map(|s| Date::parse(&s, FORMAT).map_err(|_| de::Error::custom("expected a date YYYY-MM-DD or null")))
                .transpose()
        }
    }
}
