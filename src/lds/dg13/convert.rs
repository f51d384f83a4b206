//! [`CitizenRecord`] ↔ DG1 + DG13.
//!
//! DG13 holds the record's text with diacritics; dates are `dd/MM/yyyy`, sex `Nam`/`Nữ`, and a card
//! without expiry has the text [`NO_EXPIRY_TEXT`] in field 12. When reading, DG13 wins; DG1 fills in what
//! DG13 lacks (ID number, dates, sex, a name without diacritics).

use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::{Dg13, FieldValue, PRINTABLE_STRING, UTF8_STRING, field};
use crate::citizen::{CitizenError, CitizenRecord, Sex};
use crate::lds::LdsError;
use crate::lds::dg1::Dg1;
use crate::mrz::{MrzField, MrzSex, yymmdd_to_date};

/// The expiry text written for a card without expiry (*no time limit*).
pub const NO_EXPIRY_TEXT: &str = "Không thời hạn";

const DMY: &[BorrowedFormatItem<'static>] = format_description!("[day]/[month]/[year]");

/// A date as DG13 writes it: `dd/MM/yyyy`.
pub fn format_dmy(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// A DG13 date `dd/MM/yyyy` (surrounding spaces ignored).
pub fn parse_dmy(s: &str) -> Option<Date> {
    Date::parse(s.trim(), DMY).ok()
}

fn text(tag: crate::tlv::Tag, s: &str) -> FieldValue {
    FieldValue::Text { tag, text: s.to_string() }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty()).map(str::to_string)
}

impl Dg13 {
    /// DG13 for a record: fields 1–12, 13 (parents, bare when unknown), 14 (spouse, bare when none) and 15
    /// (when there is an old ID number), in number order.
    pub fn from_record(r: &CitizenRecord) -> Result<Dg13, LdsError> {
        let mut d = Dg13::new();
        d.set(field::ID_NUMBER, text(PRINTABLE_STRING, &r.id_number));
        d.set(field::FULL_NAME, text(UTF8_STRING, &r.full_name));
        d.set(field::DATE_OF_BIRTH, text(PRINTABLE_STRING, &format_dmy(r.date_of_birth)));
        d.set(field::SEX, text(UTF8_STRING, r.sex.vietnamese()));
        d.set(field::NATIONALITY, text(UTF8_STRING, &r.nationality));
        let optional = [
            (field::ETHNICITY, &r.ethnicity),
            (field::RELIGION, &r.religion),
            (field::PLACE_OF_ORIGIN, &r.place_of_origin),
            (field::PLACE_OF_RESIDENCE, &r.place_of_residence),
            (field::IDENTIFYING_MARKS, &r.identifying_marks),
        ];
        for (n, v) in optional {
            if let Some(v) = v {
                d.set(n, text(UTF8_STRING, v));
            }
        }
        d.set(field::DATE_OF_ISSUE, text(PRINTABLE_STRING, &format_dmy(r.date_of_issue)));
        let expiry = r.date_of_expiry.map(format_dmy).unwrap_or_else(|| NO_EXPIRY_TEXT.to_string());
        d.set(field::DATE_OF_EXPIRY, text(UTF8_STRING, &expiry));
        d.set(field::PARENTS, FieldValue::Parents { father: r.father_name.clone(), mother: r.mother_name.clone() });
        d.set(field::SPOUSE, FieldValue::Spouse(r.spouse_name.clone()));
        if let Some(old) = &r.old_id_number {
            d.set(field::OLD_ID_NUMBER, text(PRINTABLE_STRING, old));
        }
        let bytes = d.encode()?;
        d.raw = Some(bytes);
        Ok(d)
    }
}

impl CitizenRecord {
    /// The record held by a card's DG1 and DG13 (DG13 first, DG1 for what DG13 lacks).
    /// Empty texts read as absent.
    pub fn from_dg1_dg13(dg1: &Dg1, dg13: &Dg13) -> Result<CitizenRecord, CitizenError> {
        let mrz = dg1.mrz();
        let t = |n: u32| non_empty(dg13.text(n));
        let id_number = t(field::ID_NUMBER)
            .or_else(|| mrz.cccd_id_number().map(str::to_string))
            .ok_or(CitizenError::Missing("id_number"))?;
        let full_name = match t(field::FULL_NAME) {
            Some(n) => n,
            None => {
                let joined = format!("{} {}", mrz.primary_identifier(), mrz.secondary_identifier());
                non_empty(Some(joined.trim())).ok_or(CitizenError::Missing("full_name"))?
            }
        };
        let date_of_birth = match t(field::DATE_OF_BIRTH) {
            Some(s) => {
                parse_dmy(&s).ok_or(CitizenError::Invalid { field: "date_of_birth", reason: "not dd/MM/yyyy" })?
            }
            None => {
                // The century comes from the ID number's sex/century digit (cccd-profile §7).
                let g = id_number.as_bytes().get(3).filter(|b| b.is_ascii_digit()).map(|b| i32::from(b - b'0'));
                let century = g.map(|g| 1900 + (g / 2) * 100).ok_or(CitizenError::Missing("date_of_birth"))?;
                yymmdd_to_date(mrz.date_of_birth(), century, MrzField::DateOfBirth)
                    .map_err(|_| CitizenError::Invalid { field: "date_of_birth", reason: "not a date" })?
            }
        };
        let sex = match t(field::SEX) {
            Some(s) => Sex::from_text(&s).ok_or(CitizenError::Invalid { field: "sex", reason: "not Nam or Nữ" })?,
            None => match mrz.sex() {
                MrzSex::Male => Sex::Male,
                MrzSex::Female => Sex::Female,
                _ => return Err(CitizenError::Missing("sex")),
            },
        };
        let nationality = match t(field::NATIONALITY) {
            Some(n) => n,
            None if mrz.nationality() == "VNM" => "Việt Nam".to_string(),
            None => non_empty(Some(mrz.nationality())).ok_or(CitizenError::Missing("nationality"))?,
        };
        let date_of_issue =
            t(field::DATE_OF_ISSUE).and_then(|s| parse_dmy(&s)).ok_or(CitizenError::Missing("date_of_issue"))?;
        let date_of_expiry = match t(field::DATE_OF_EXPIRY) {
            // A text that is not a date (e.g. "Không thời hạn") means no expiry.
            Some(s) => parse_dmy(&s),
            None => {
                let raw = mrz.date_of_expiry();
                if raw.chars().all(|c| c == '<') {
                    None
                } else {
                    Some(
                        yymmdd_to_date(raw, date_of_birth.year(), MrzField::DateOfExpiry)
                            .map_err(|_| CitizenError::Invalid { field: "date_of_expiry", reason: "not a date" })?,
                    )
                }
            }
        };
        let (father, mother) = dg13.parents();
        Ok(CitizenRecord {
            id_number,
            full_name,
            date_of_birth,
            sex,
            nationality,
            ethnicity: t(field::ETHNICITY),
            religion: t(field::RELIGION),
            place_of_origin: t(field::PLACE_OF_ORIGIN),
            place_of_residence: t(field::PLACE_OF_RESIDENCE),
            identifying_marks: t(field::IDENTIFYING_MARKS),
            date_of_issue,
            date_of_expiry,
            father_name: non_empty(father),
            mother_name: non_empty(mother),
            spouse_name: non_empty(dg13.spouse()),
            old_id_number: t(field::OLD_ID_NUMBER),
        })
    }
}
