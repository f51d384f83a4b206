//! [`CitizenRecord`] ↔ DG1 + DG13.
//!
//! DG13 holds the record's text with diacritics; dates are `dd/MM/yyyy`, sex `Nam`/`Nữ`, and a card
//! without expiry has the text [`NO_EXPIRY_TEXT`] in field 12. When reading, DG13 wins; DG1 fills in what
//! DG13 lacks (ID number, dates, sex, a name without diacritics).

use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::{Dg13, FieldValue, PRINTABLE_STRING, UTF8_STRING, field};
use crate::citizen::{CitizenError, CitizenRecord, Problem, ProblemKind, Sex, split_full_name};
use crate::lds::LdsError;
use crate::lds::dg1::Dg1;
use crate::mrz::name::{name_field_from_names, split_name_field};
use crate::mrz::{Mrz, MrzField, MrzSex, date_to_yymmdd, yymmdd_to_date};

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
    /// Text is written in Unicode NFC, whatever form the record holds.
    pub fn from_record(r: &CitizenRecord) -> Result<Dg13, LdsError> {
        let r = &r.to_nfc();
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

impl Dg13 {
    /// The DG13 fields that disagree with DG1's MRZ (a forged or mis-personalized card, or a reader mixing
    /// two cards): ID number (the MRZ's optional data, else its document number = the last 9 digits), date of
    /// birth, sex, date of expiry (a text that is not a date must match `<<<<<<`) and the name (transliterated
    /// and truncated as the MRZ writes it). Fields absent from DG13 are not compared.
    pub fn mismatches_with(&self, dg1: &Dg1) -> Vec<Problem> {
        let mrz = dg1.mrz();
        let mut out = Vec::new();
        let mut flag = |field: &'static str| out.push(Problem { field, kind: ProblemKind::DisagreesWithMrz });
        if let Some(id) = self.text(field::ID_NUMBER) {
            let agrees = match mrz.cccd_id_number() {
                Some(m) => m == id,
                None => id.get(3..) == Some(mrz.document_number()),
            };
            if !agrees {
                flag("id_number");
            }
        }
        if let Some(d) = self.text(field::DATE_OF_BIRTH)
            && parse_dmy(d).map(date_to_yymmdd).as_deref() != Some(mrz.date_of_birth())
        {
            flag("date_of_birth");
        }
        if let Some(s) = self.text(field::SEX)
            && Sex::from_text(s).map(Sex::to_mrz) != Some(mrz.sex())
        {
            flag("sex");
        }
        if let Some(e) = self.text(field::DATE_OF_EXPIRY) {
            let expected = parse_dmy(e).map(date_to_yymmdd).unwrap_or_else(|| "<<<<<<".to_string());
            if expected != mrz.date_of_expiry() {
                flag("date_of_expiry");
            }
        }
        if let Some(n) = self.text(field::FULL_NAME) {
            let width = match mrz {
                Mrz::Td1(_) => 30,
                Mrz::Td2(_) => 31,
                Mrz::Td3(_) => 39,
            };
            let (surname, given) = split_full_name(n);
            let agrees = name_field_from_names(surname, given, width).is_ok_and(|f| {
                let (p, s) = split_name_field(&f.text);
                p == mrz.primary_identifier() && s == mrz.secondary_identifier()
            });
            if !agrees {
                flag("full_name");
            }
        }
        out
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
