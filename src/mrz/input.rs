//! The MRZ as a person types it at the counter, for the access key only (BAC, PACE with the MRZ): lowercase,
//! spaces anywhere, and only the lines the key needs (TD1: the first two; TD2 and TD3: the second).
//!
//! This is a lenient *input* path: it reads the document number, the date of birth and the date of expiry with
//! their check digits (each verified: a typo is caught before the chip counts a failed try) and ignores every
//! other field. [`Mrz::parse`](super::Mrz::parse) stays the strict parser for DG1's content.

use zeroize::Zeroizing;

use super::{MrzError, MrzField, at, check_date_field, is_mrz_char, mrz_information, sub, trim_filler, verify};

/// The BAC "MRZ information" (document number, date of birth, date of expiry, each with its check digit) from
/// an MRZ as typed: case and whitespace ignored, lines separated by line breaks or not at all. Accepted: the
/// whole MRZ (TD1 3×30, TD2 2×36, TD3 2×44), TD1's first two lines (60 characters), or the second line of TD2
/// (36) or TD3 (44). Every check digit of the three fields is verified; other fields are not read.
pub fn access_key_from_text(text: &str) -> Result<Zeroizing<String>, MrzError> {
    let typed = Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase());
    if let Some(position) = typed.chars().position(|c| !is_mrz_char(c)) {
        return Err(MrzError::InvalidCharacter { position });
    }
    let n = typed.len();
    match n {
        90 | 60 => td1_key(sub(&typed, 0, 30), sub(&typed, 30, 60)),
        88 => line2_key(sub(&typed, 44, 88)),
        72 => line2_key(sub(&typed, 36, 72)),
        44 | 36 => line2_key(&typed),
        characters => Err(MrzError::KeyInput { characters }),
    }
}

/// TD1: the document number (with a long number's overflow in the optional data) from line 1, the dates from
/// line 2.
fn td1_key(l1: &str, l2: &str) -> Result<Zeroizing<String>, MrzError> {
    let doc_field = sub(l1, 5, 14);
    let doc_cd = at(l1, 14);
    let document_number = if doc_cd == '<' && !doc_field.contains('<') {
        let opt = sub(l1, 15, 30);
        let end = opt.find('<').unwrap_or(opt.len());
        let overflow_len = end.checked_sub(1).filter(|n| *n > 0).ok_or(MrzError::InvalidField {
            field: MrzField::DocumentNumber,
            reason: "long document number without overflow in the optional data",
        })?;
        let full = Zeroizing::new(format!("{doc_field}{}", sub(opt, 0, overflow_len)));
        verify(&full, at(opt, overflow_len), MrzField::DocumentNumber)?;
        full
    } else {
        verify(doc_field, doc_cd, MrzField::DocumentNumber)?;
        Zeroizing::new(trim_filler(doc_field))
    };
    dates_key(&document_number, sub(l2, 0, 6), at(l2, 6), sub(l2, 8, 14), at(l2, 14))
}

/// TD2 and TD3: every key field is on line 2.
fn line2_key(l2: &str) -> Result<Zeroizing<String>, MrzError> {
    let doc_field = sub(l2, 0, 9);
    verify(doc_field, at(l2, 9), MrzField::DocumentNumber)?;
    let document_number = Zeroizing::new(trim_filler(doc_field));
    dates_key(&document_number, sub(l2, 13, 19), at(l2, 19), sub(l2, 21, 27), at(l2, 27))
}

fn dates_key(document: &str, dob: &str, dob_cd: char, doe: &str, doe_cd: char) -> Result<Zeroizing<String>, MrzError> {
    if document.is_empty() {
        return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
    }
    check_date_field(dob, MrzField::DateOfBirth)?;
    verify(dob, dob_cd, MrzField::DateOfBirth)?;
    check_date_field(doe, MrzField::DateOfExpiry)?;
    verify(doe, doe_cd, MrzField::DateOfExpiry)?;
    mrz_information(document, dob, doe)
}

#[cfg(test)]
mod tests {
    use super::*;

    // the ICAO 9303-4 TD3 specimen
    const TD3_L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const TD3_L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const TD3_KEY: &str = "L898902C3674081221204159";

    #[test]
    fn typed_mrz_is_accepted_in_every_form_a_person_types_it() {
        let td3_key = access_key_from_text(&format!("{TD3_L1}\n{TD3_L2}")).unwrap();
        assert_eq!(access_key_from_text(TD3_L2).unwrap().as_str(), td3_key.as_str());
        let lower_spaced = TD3_L2.to_lowercase().replace("36uto", "36 uto ").replace("f12", " f 12");
        assert_eq!(access_key_from_text(&lower_spaced).unwrap().as_str(), td3_key.as_str());
        assert_eq!(access_key_from_text(&format!("  {TD3_L1}  {TD3_L2}\r\n")).unwrap().as_str(), td3_key.as_str());
        assert_eq!(td3_key.as_str(), TD3_KEY);
    }

    #[test]
    fn td1_first_two_lines_are_enough() {
        let l1 = "I<UTOD231458907<<<<<<<<<<<<<<<";
        let l2 = "7408122F1204159UTO<<<<<<<<<<<6";
        let l3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
        let full = super::super::Mrz::parse(&format!("{l1}\n{l2}\n{l3}")).unwrap().mrz_information().unwrap();
        let two = access_key_from_text(&format!("{}\n{}", l1.to_lowercase(), l2)).unwrap();
        assert_eq!(two.as_str(), full.as_str());
        assert_eq!(access_key_from_text(&format!("{l1} {l2} {l3}")).unwrap().as_str(), full.as_str());
    }

    #[test]
    fn typos_and_missing_lines_are_named() {
        let typo = TD3_L2.replacen("740812", "740813", 1);
        assert_eq!(access_key_from_text(&typo), Err(MrzError::CheckDigit { field: MrzField::DateOfBirth }));
        assert_eq!(access_key_from_text("I<UTOD231458907<<<<<<<<<<<<<<<"), Err(MrzError::KeyInput { characters: 30 }));
        assert!(matches!(
            access_key_from_text("L898902C36UTO7408122F1204159ZE184226B<<<<<1é"),
            Err(MrzError::InvalidCharacter { .. })
        ));
    }
}
