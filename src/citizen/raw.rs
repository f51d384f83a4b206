//! A citizen record as it came: parsed leniently so that validation can report every problem of every field.
//!
//! [`CitizenRecord`]'s own `Deserialize` is strict: the first impossible date stops it with one message.
//! [`RawRecord`] accepts any JSON object: each field is kept as text (or as "not text"), unknown fields are
//! kept by name, and [`RawRecord::check`] then reports, in one [`Validation`], what is missing, what does not
//! parse (`1989-02-30`, sex `X`) and everything [`CitizenRecord::validate`] finds in the fields that do. Text
//! is normalized to Unicode NFC in the record it builds (decomposed input is warned about).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use time::{Date, Month};
use unicode_normalization::UnicodeNormalization;

use super::validate::{View, check};
use super::{CitizenRecord, ProblemKind, Sex, Validation};

/// One field as found in the JSON.
#[derive(Clone, PartialEq, Eq)]
pub enum RawValue {
    /// A JSON string.
    Text(String),
    /// A number, boolean, array or object.
    NotText,
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawValue;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawValue, E> {
                Ok(RawValue::Text(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<RawValue, E> {
                Ok(RawValue::Text(s))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawValue, E> {
                Ok(RawValue::NotText)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawValue, E> {
                Ok(RawValue::NotText)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawValue, E> {
                Ok(RawValue::NotText)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawValue, E> {
                Ok(RawValue::NotText)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawValue::NotText)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(RawValue::NotText)
            }
        }
        d.deserialize_any(V)
    }
}

/// A citizen record before validation: every field optional, any JSON type, unknown fields kept by name.
/// `Debug` prints nothing of its content.
#[derive(Clone, Default, PartialEq, Deserialize)]
pub struct RawRecord {
    /// `id_number`.
    #[serde(default)]
    pub id_number: Option<RawValue>,
    /// `full_name`.
    #[serde(default)]
    pub full_name: Option<RawValue>,
    /// `date_of_birth`.
    #[serde(default)]
    pub date_of_birth: Option<RawValue>,
    /// `sex`.
    #[serde(default)]
    pub sex: Option<RawValue>,
    /// `nationality`.
    #[serde(default)]
    pub nationality: Option<RawValue>,
    /// `ethnicity`.
    #[serde(default)]
    pub ethnicity: Option<RawValue>,
    /// `religion`.
    #[serde(default)]
    pub religion: Option<RawValue>,
    /// `place_of_origin`.
    #[serde(default)]
    pub place_of_origin: Option<RawValue>,
    /// `place_of_residence`.
    #[serde(default)]
    pub place_of_residence: Option<RawValue>,
    /// `identifying_marks`.
    #[serde(default)]
    pub identifying_marks: Option<RawValue>,
    /// `date_of_issue`.
    #[serde(default)]
    pub date_of_issue: Option<RawValue>,
    /// `date_of_expiry` (absent or `null`: no expiry).
    #[serde(default)]
    pub date_of_expiry: Option<RawValue>,
    /// `father_name`.
    #[serde(default)]
    pub father_name: Option<RawValue>,
    /// `mother_name`.
    #[serde(default)]
    pub mother_name: Option<RawValue>,
    /// `spouse_name`.
    #[serde(default)]
    pub spouse_name: Option<RawValue>,
    /// `old_id_number`.
    #[serde(default)]
    pub old_id_number: Option<RawValue>,
    /// Fields the record does not have, by name (their values are dropped).
    #[serde(flatten)]
    pub unknown: BTreeMap<String, IgnoredAny>,
}

impl core::fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RawRecord { .. REDACTED }")
    }
}

/// Why a text is not a raw record at all (nothing of its content is quoted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RawRecordError {
    /// Not JSON: where the parser stopped.
    #[error("not JSON (line {line}, column {column})")]
    NotJson {
        /// The line in the text given (1-based).
        line: usize,
        /// The column (1-based).
        column: usize,
    },
    /// JSON, but not an object.
    #[error("not a JSON object")]
    NotAnObject,
}

/// The result of [`RawRecord::check`]: every problem, and the record when there is no error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCheck {
    /// The record (text in NFC) when there is no error.
    pub record: Option<CitizenRecord>,
    /// Every problem of every known field: errors and warnings.
    pub validation: Validation,
    /// The names of fields the record does not have (each an error, [`ProblemKind::UnknownField`]).
    pub unknown_fields: Vec<String>,
}

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The record would be refused.
    Error,
    /// Worth a look; the record is issued.
    Warning,
}

/// One entry of [`RecordCheck::problems`]: the field by name, what is wrong, and how bad.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldProblem {
    /// The field's JSON name (an unknown field by the name it was given).
    pub field: String,
    /// What is wrong.
    pub kind: ProblemKind,
    /// Error or warning.
    pub severity: Severity,
}

impl core::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.field, self.kind)
    }
}

impl RecordCheck {
    /// Whether the record would be issued (no error; warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.record.is_some()
    }

    /// Every problem in one list: errors first (unknown fields last among them), then warnings.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let p = |field: &str, kind, severity| FieldProblem { field: field.to_string(), kind, severity };
        let errors = self.validation.errors.iter().map(|e| p(e.field, e.kind, Severity::Error));
        let unknown = self.unknown_fields.iter().map(|f| p(f, ProblemKind::UnknownField, Severity::Error));
        let warnings = self.validation.warnings.iter().map(|w| p(w.field, w.kind, Severity::Warning));
        errors.chain(unknown).chain(warnings).collect()
    }
}

/// The text of a field, reporting a value that is not text.
fn text<'a>(v: &mut Validation, field: &'static str, value: &'a Option<RawValue>) -> Option<&'a str> {
    match value {
        Some(RawValue::Text(t)) => Some(t),
        Some(RawValue::NotText) => {
            v.error(field, ProblemKind::NotText);
            None
        }
        None => None,
    }
}

/// A required text: reports it when missing.
fn required<'a>(v: &mut Validation, field: &'static str, value: &'a Option<RawValue>) -> Option<&'a str> {
    if value.is_none() {
        v.error(field, ProblemKind::Missing);
    }
    text(v, field, value)
}

/// A `YYYY-MM-DD` date, telling a malformed text from an impossible day.
fn date(v: &mut Validation, field: &'static str, s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let digits = |r: core::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shaped = b.len() == 10 && digits(0..4) && digits(5..7) && digits(8..10) && b.get(4) == Some(&b'-');
    if !shaped || b.get(7) != Some(&b'-') {
        v.error(field, ProblemKind::NotADate);
        return None;
    }
    let num = |r: core::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u16>().ok()).unwrap_or(0);
    let month = u8::try_from(num(5..7)).ok().and_then(|m| Month::try_from(m).ok());
    let day = u8::try_from(num(8..10)).unwrap_or(0);
    match month.and_then(|m| Date::from_calendar_date(i32::from(num(0..4)), m, day).ok()) {
        Some(d) => Some(d),
        None => {
            v.error(field, ProblemKind::ImpossibleDate);
            None
        }
    }
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

impl RawRecord {
    /// Parses one JSON object leniently (any field may be missing or of any type; unknown fields are kept).
    pub fn from_json(text: &str) -> Result<RawRecord, RawRecordError> {
        serde_json::from_str(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => RawRecordError::NotAnObject,
            _ => RawRecordError::NotJson { line: e.line(), column: e.column() },
        })
    }

    /// Every problem of every field at once (missing, not text, dates that do not parse or name no day, an
    /// unknown sex, unknown fields, and every check of [`CitizenRecord::validate`] on the fields that parse),
    /// and the record — text normalized to NFC — when none is an error.
    pub fn check(&self) -> RecordCheck {
        let mut v = Validation::default();
        let id_number = required(&mut v, "id_number", &self.id_number);
        let full_name = required(&mut v, "full_name", &self.full_name);
        let date_of_birth =
            required(&mut v, "date_of_birth", &self.date_of_birth).and_then(|s| date(&mut v, "date_of_birth", s));
        let sex = required(&mut v, "sex", &self.sex).and_then(|s| {
            let sex = Sex::from_text(s);
            if sex.is_none() {
                v.error("sex", ProblemKind::InvalidSex);
            }
            sex
        });
        let nationality = required(&mut v, "nationality", &self.nationality);
        let date_of_issue =
            required(&mut v, "date_of_issue", &self.date_of_issue).and_then(|s| date(&mut v, "date_of_issue", s));
        let date_of_expiry = match &self.date_of_expiry {
            None => Some(None),
            Some(_) => text(&mut v, "date_of_expiry", &self.date_of_expiry)
                .and_then(|s| date(&mut v, "date_of_expiry", s))
                .map(Some),
        };
        let optional = [
            ("ethnicity", &self.ethnicity),
            ("religion", &self.religion),
            ("place_of_origin", &self.place_of_origin),
            ("place_of_residence", &self.place_of_residence),
            ("identifying_marks", &self.identifying_marks),
            ("father_name", &self.father_name),
            ("mother_name", &self.mother_name),
            ("spouse_name", &self.spouse_name),
            ("old_id_number", &self.old_id_number),
        ]
        .map(|(field, value)| (field, text(&mut v, field, value)));
        let view =
            View { id_number, full_name, date_of_birth, sex, nationality, date_of_issue, date_of_expiry, optional };
        check(&view, &mut v);
        let unknown_fields: Vec<String> = self.unknown.keys().cloned().collect();
        let record = match (v.errors.is_empty() && unknown_fields.is_empty(), view) {
            (
                true,
                View {
                    id_number: Some(id_number),
                    full_name: Some(full_name),
                    date_of_birth: Some(date_of_birth),
                    sex: Some(sex),
                    nationality: Some(nationality),
                    date_of_issue: Some(date_of_issue),
                    date_of_expiry: Some(date_of_expiry),
                    optional,
                },
            ) => {
                let get = |name: &str| optional.iter().find(|(f, _)| *f == name).and_then(|(_, t)| t.map(nfc));
                Some(CitizenRecord {
                    id_number: nfc(id_number),
                    full_name: nfc(full_name),
                    date_of_birth,
                    sex,
                    nationality: nfc(nationality),
                    ethnicity: get("ethnicity"),
                    religion: get("religion"),
                    place_of_origin: get("place_of_origin"),
                    place_of_residence: get("place_of_residence"),
                    identifying_marks: get("identifying_marks"),
                    date_of_issue,
                    date_of_expiry,
                    father_name: get("father_name"),
                    mother_name: get("mother_name"),
                    spouse_name: get("spouse_name"),
                    old_id_number: get("old_id_number"),
                })
            }
            _ => None,
        };
        RecordCheck { record, validation: v, unknown_fields }
    }

    /// The ID number as given, when it is text (for naming a record in a report; it is not personal data in
    /// the sense of the card's content, but callers decide where it goes).
    pub fn id_number(&self) -> Option<&str> {
        match &self.id_number {
            Some(RawValue::Text(t)) => Some(t),
            _ => None,
        }
    }
}

impl CitizenRecord {
    /// The record with every text in Unicode NFC (what is encoded on the card and in the QR code).
    pub fn to_nfc(&self) -> CitizenRecord {
        let opt = |o: &Option<String>| o.as_deref().map(nfc);
        CitizenRecord {
            id_number: nfc(&self.id_number),
            full_name: nfc(&self.full_name),
            nationality: nfc(&self.nationality),
            ethnicity: opt(&self.ethnicity),
            religion: opt(&self.religion),
            place_of_origin: opt(&self.place_of_origin),
            place_of_residence: opt(&self.place_of_residence),
            identifying_marks: opt(&self.identifying_marks),
            father_name: opt(&self.father_name),
            mother_name: opt(&self.mother_name),
            spouse_name: opt(&self.spouse_name),
            old_id_number: opt(&self.old_id_number),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_date_does_not_hide_the_other_problems() {
        let raw = RawRecord::from_json(
            r#"{"id_number": "00109901234", "full_name": "", "date_of_birth": "1989-02-30", "sex": "X",
                "nationality": "Việt Nam", "date_of_issue": "2023-03-10", "date_of_expiry": "2020-01-01",
                "nickname": "A"}"#,
        )
        .unwrap();
        let c = raw.check();
        assert!(c.record.is_none());
        let v = &c.validation;
        for (field, kind) in [
            ("id_number", ProblemKind::NotTwelveDigits),
            ("full_name", ProblemKind::Empty),
            ("date_of_birth", ProblemKind::ImpossibleDate),
            ("sex", ProblemKind::InvalidSex),
            ("date_of_expiry", ProblemKind::ExpiryNotAfterIssue),
        ] {
            assert!(v.has_error(field, kind), "{field} {kind}: {:?}", v.errors);
        }
        assert_eq!(v.errors.len(), 5, "{:?}", v.errors);
        assert_eq!(c.unknown_fields, ["nickname"]);
        let all = c.problems();
        assert_eq!(all.iter().filter(|p| p.severity == Severity::Error).count(), 6);
        assert!(all.iter().any(|p| p.field == "nickname" && p.kind == ProblemKind::UnknownField));
    }

    #[test]
    fn dates_types_and_absence() {
        let c = RawRecord::from_json(r#"{"id_number": 1099012345, "date_of_birth": "15/01/1999"}"#).unwrap().check();
        let v = &c.validation;
        assert!(v.has_error("id_number", ProblemKind::NotText));
        assert!(v.has_error("date_of_birth", ProblemKind::NotADate));
        for f in ["full_name", "sex", "nationality", "date_of_issue"] {
            assert!(v.has_error(f, ProblemKind::Missing), "{f}");
        }
        assert!(!v.has("date_of_expiry", ProblemKind::Missing));
        assert_eq!(RawRecord::from_json("[1]"), Err(RawRecordError::NotAnObject));
        assert!(matches!(RawRecord::from_json("{ not"), Err(RawRecordError::NotJson { line: 1, .. })));
    }
}
