//! Citizen record: JSON form, validation (every rule, all problems at once), MRZ, record → DG1 + DG13 → record.
use cccd::citizen::{CitizenRecord, ProblemKind, Sex};
use cccd::lds::dg1::Dg1;
use cccd::lds::dg13::{Dg13, FieldValue, field};
use cccd::mrz::Mrz;
use proptest::prelude::*;
use time::Date;
use time::macros::date;

const PROFILE_MRZ: &str =
    "IDVNM0990123459001099012345<<0\n9901155M3901153VNM<<<<<<<<<<<6\nNGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";

fn record() -> CitizenRecord {
    CitizenRecord {
        id_number: "001099012345".into(),
        full_name: "Nguyễn Văn A".into(),
        date_of_birth: date!(1999 - 01 - 15),
        sex: Sex::Male,
        nationality: "Việt Nam".into(),
        ethnicity: Some("Kinh".into()),
        religion: Some("Không".into()),
        place_of_origin: Some("Xã Yên Hòa, Huyện Yên Mô, Ninh Bình".into()),
        place_of_residence: Some("Số 1 Đường X, Phường Y, Quận Z, Hà Nội".into()),
        identifying_marks: Some("Nốt ruồi C:2cm trên trước mép phải".into()),
        date_of_issue: date!(2024 - 03 - 01),
        date_of_expiry: Some(date!(2039 - 01 - 15)),
        father_name: Some("Nguyễn Văn B".into()),
        mother_name: Some("Trần Thị C".into()),
        spouse_name: None,
        old_id_number: Some("123456789".into()),
    }
}

#[test]
fn json_field_names() {
    let r = record();
    let v = serde_json::to_value(&r).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id_number",
            "full_name",
            "date_of_birth",
            "sex",
            "nationality",
            "ethnicity",
            "religion",
            "place_of_origin",
            "place_of_residence",
            "identifying_marks",
            "date_of_issue",
            "date_of_expiry",
            "father_name",
            "mother_name",
            "old_id_number"
        ]
    );
    assert_eq!(v["date_of_birth"], "1999-01-15");
    assert_eq!(v["date_of_expiry"], "2039-01-15");
    assert_eq!(v["sex"], "M");
    let back: CitizenRecord = serde_json::from_value(v).unwrap();
    assert_eq!(back, r);

    let minimal = r#"{"id_number":"001099012345","full_name":"Trần Thị B","date_of_birth":"1950-02-03",
        "sex":"F","nationality":"Việt Nam","date_of_issue":"2021-04-20","date_of_expiry":null,"spouse_name":null}"#;
    let m: CitizenRecord = serde_json::from_str(minimal).unwrap();
    assert_eq!(m.sex, Sex::Female);
    assert_eq!(m.date_of_expiry, None);
    assert_eq!(m.spouse_name, None);
    assert_eq!(m.ethnicity, None);
    let v = serde_json::to_value(&m).unwrap();
    assert!(v["date_of_expiry"].is_null());
    assert!(v.get("spouse_name").is_none());
    // absent expiry reads as no expiry
    let absent = minimal.replace(r#","date_of_expiry":null"#, "");
    assert_eq!(serde_json::from_str::<CitizenRecord>(&absent).unwrap().date_of_expiry, None);
    // bad dates and sex are rejected without echoing the value
    let bad = minimal.replace("1950-02-03", "03/02/1950");
    let e = serde_json::from_str::<CitizenRecord>(&bad).unwrap_err().to_string();
    assert!(!e.contains("1950"), "{e}");
    assert!(serde_json::from_str::<CitizenRecord>(&minimal.replace(r#""F""#, r#""X""#)).is_err());
    // a misspelt field name is an error, not silently ignored
    assert!(serde_json::from_str::<CitizenRecord>(&minimal.replace("spouse_name", "spouse")).is_err());
    // a missing required field is an error
    assert!(serde_json::from_str::<CitizenRecord>(&minimal.replace(r#""nationality":"Việt Nam","#, "")).is_err());
    assert!(serde_json::from_str::<CitizenRecord>(&minimal.replace("1950-02-03", "1950-02-30")).is_err());
}

#[test]
fn debug_is_redacted() {
    let r = record();
    let d = format!("{r:?}");
    assert!(!d.contains("001099012345") && !d.contains("Nguy"), "{d}");
    let dg13 = Dg13::from_record(&r).unwrap();
    let d = format!("{dg13:?}");
    assert!(!d.contains("001099012345") && !d.contains("Nguy"), "{d}");
    assert!(!format!("{:?}", r.to_mrz().unwrap()).contains("NGUYEN"));
}

#[test]
fn mrz_can_and_bac_of_the_profile_example() {
    let r = record();
    let mrz = r.to_mrz().unwrap();
    assert_eq!(mrz.to_text().unwrap(), PROFILE_MRZ);
    assert_eq!(r.can().unwrap().as_str(), "012345");
    assert_eq!(r.mrz_information().unwrap().as_str(), "099012345999011553901153");
    // no expiry: fillers with the filler check digit
    let mut none = r.clone();
    none.date_of_expiry = None;
    let text = none.to_mrz().unwrap().to_text().unwrap();
    assert_eq!(&text[31..61], "9901155M<<<<<<<VNM<<<<<<<<<<<4");
    assert_eq!(none.mrz_information().unwrap().as_str(), "09901234599901155<<<<<<<");
    let mut bad = r;
    bad.id_number = "00109901234X".into();
    assert!(bad.to_mrz().is_err());
    assert!(bad.can().is_err());
}

#[test]
fn clean_record_has_no_problems() {
    let v = record().validate();
    assert!(v.errors.is_empty(), "{:?}", v.errors);
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    assert!(v.is_ok());
}

#[test]
fn each_rule_fires() {
    let check = |f: &dyn Fn(&mut CitizenRecord), field: &str, kind: ProblemKind, error: bool| {
        let mut r = record();
        f(&mut r);
        let v = r.validate();
        let list = if error { &v.errors } else { &v.warnings };
        assert!(list.iter().any(|p| p.field == field && p.kind == kind), "{field} {kind:?}: {v:?}");
        assert!(v.has(field, kind));
        assert_eq!(v.is_ok(), !error);
    };
    check(&|r| r.id_number = "00109901234".into(), "id_number", ProblemKind::NotTwelveDigits, true);
    check(&|r| r.id_number = "00109901234A".into(), "id_number", ProblemKind::NotTwelveDigits, true);
    check(&|r| r.id_number = "００１０９９０１２３４５".into(), "id_number", ProblemKind::NotTwelveDigits, true);
    check(&|r| r.date_of_birth = date!(2024 - 03 - 02), "date_of_birth", ProblemKind::BirthAfterIssue, true);
    check(&|r| r.date_of_expiry = Some(r.date_of_issue), "date_of_expiry", ProblemKind::ExpiryNotAfterIssue, true);
    check(&|r| r.full_name = "  ".into(), "full_name", ProblemKind::Empty, true);
    check(&|r| r.nationality = String::new(), "nationality", ProblemKind::Empty, true);
    check(&|r| r.full_name = "Nguyễn 文".into(), "full_name", ProblemKind::NotTransliterable, true);
    check(&|r| r.full_name = "Nguyễn\u{0007}A".into(), "full_name", ProblemKind::ControlCharacter, true);
    check(&|r| r.place_of_residence = Some("a\nb".into()), "place_of_residence", ProblemKind::ControlCharacter, true);
    check(&|r| r.id_number = "003099012345".into(), "id_number", ProblemKind::UnknownProvinceCode, false);
    check(&|r| r.id_number = "001199012345".into(), "id_number", ProblemKind::SexDigitMismatch, false);
    check(&|r| r.id_number = "001299012345".into(), "id_number", ProblemKind::CenturyDigitMismatch, false);
    check(&|r| r.id_number = "001098012345".into(), "id_number", ProblemKind::BirthYearMismatch, false);
    check(&|r| r.date_of_expiry = Some(date!(2040 - 01 - 15)), "date_of_expiry", ProblemKind::ExpiryRule, false);
    check(&|r| r.date_of_expiry = None, "date_of_expiry", ProblemKind::ExpiryRule, false);
    check(
        &|r| r.full_name = "Tôn Nữ Công Tằng Huyền Tôn Nữ Thị Thanh".into(),
        "full_name",
        ProblemKind::NameTruncatedInMrz,
        false,
    );
    check(&|r| r.old_id_number = Some("12345".into()), "old_id_number", ProblemKind::OldIdNumberFormat, false);
    check(&|r| r.old_id_number = Some("12345678đ".into()), "old_id_number", ProblemKind::NotPrintableString, true);
    // a holder issued a card after 60 has none
    let mut r = record();
    r.date_of_issue = date!(2059 - 02 - 01);
    r.date_of_expiry = None;
    assert!(r.validate().warnings.is_empty());
    r.date_of_expiry = Some(date!(2060 - 01 - 15));
    assert!(r.validate().has("date_of_expiry", ProblemKind::ExpiryRule));
}

#[test]
fn all_problems_reported_together() {
    let mut r = record();
    r.id_number = "003198012345".into(); // province, sex, century, year all wrong (warnings)
    r.full_name = "Иван".into();
    r.religion = Some("x\u{0000}".into());
    r.date_of_birth = date!(1999 - 01 - 15);
    r.date_of_issue = date!(1998 - 01 - 01);
    r.date_of_expiry = Some(date!(1997 - 01 - 01));
    let v = r.validate();
    let errors: Vec<(&str, ProblemKind)> = v.errors.iter().map(|p| (p.field, p.kind)).collect();
    assert_eq!(
        errors,
        [
            ("date_of_birth", ProblemKind::BirthAfterIssue),
            ("date_of_expiry", ProblemKind::ExpiryNotAfterIssue),
            ("religion", ProblemKind::ControlCharacter),
            ("full_name", ProblemKind::NotTransliterable),
        ]
    );
    let warnings: Vec<(&str, ProblemKind)> = v.warnings.iter().map(|p| (p.field, p.kind)).collect();
    assert_eq!(
        warnings,
        [
            ("id_number", ProblemKind::UnknownProvinceCode),
            ("id_number", ProblemKind::SexDigitMismatch),
            ("id_number", ProblemKind::BirthYearMismatch),
        ]
    );
    // messages name the field and the rule, never the value
    for p in v.errors.iter().chain(&v.warnings) {
        let m = p.to_string();
        assert!(m.starts_with(p.field) && !m.contains("003198012345"), "{m}");
    }
}

#[test]
fn record_to_dg1_dg13_and_back() {
    let r = record();
    let dg1 = Dg1::new(r.to_mrz().unwrap()).unwrap();
    let dg13 = Dg13::from_record(&r).unwrap();
    assert_eq!(dg13.text(field::FULL_NAME), Some("Nguyễn Văn A"));
    assert_eq!(dg13.text(field::DATE_OF_BIRTH), Some("15/01/1999"));
    assert_eq!(dg13.text(field::SEX), Some("Nam"));
    assert_eq!(dg13.text(field::DATE_OF_ISSUE), Some("01/03/2024"));
    assert_eq!(dg13.text(field::DATE_OF_EXPIRY), Some("15/01/2039"));
    assert_eq!(dg13.parents(), (Some("Nguyễn Văn B"), Some("Trần Thị C")));
    assert_eq!(dg13.field(field::SPOUSE), Some(&FieldValue::Spouse(None)));
    let bytes = dg13.encode().unwrap();
    assert_eq!(dg13.raw(), Some(&bytes[..]));
    assert!(bytes.windows(5).any(|w| w == [0x30, 0x03, 0x02, 0x01, 0x0E]), "bare spouse field");
    let dg1b = Dg1::decode(&dg1.encode().unwrap()).unwrap();
    let dg13b = Dg13::decode(&bytes).unwrap();
    assert_eq!(dg13b.encode().unwrap(), bytes);
    assert_eq!(CitizenRecord::from_dg1_dg13(&dg1b, &dg13b).unwrap(), r);

    // female, no expiry, spouse, no parents, no old ID
    let mut f = r.clone();
    f.sex = Sex::Female;
    f.id_number = "001199012345".into();
    f.date_of_expiry = None;
    f.spouse_name = Some("Lê Văn Đức".into());
    f.father_name = None;
    f.mother_name = None;
    f.old_id_number = None;
    let dg13 = Dg13::from_record(&f).unwrap();
    assert_eq!(dg13.text(field::SEX), Some("Nữ"));
    assert_eq!(dg13.text(field::DATE_OF_EXPIRY), Some("Không thời hạn"));
    let dg13b = Dg13::decode(&dg13.encode().unwrap()).unwrap();
    let dg1 = Dg1::new(f.to_mrz().unwrap()).unwrap();
    assert_eq!(CitizenRecord::from_dg1_dg13(&dg1, &dg13b).unwrap(), f);
}

#[test]
fn dg1_fills_what_dg13_lacks() {
    let r = record();
    let dg1 = Dg1::new(r.to_mrz().unwrap()).unwrap();
    let mut dg13 = Dg13::new();
    dg13.set(
        field::DATE_OF_ISSUE,
        FieldValue::Text { tag: cccd::lds::dg13::PRINTABLE_STRING, text: "01/03/2024".into() },
    );
    let back = CitizenRecord::from_dg1_dg13(&dg1, &dg13).unwrap();
    assert_eq!(back.id_number, "001099012345");
    assert_eq!(back.full_name, "NGUYEN VAN A");
    assert_eq!(back.date_of_birth, date!(1999 - 01 - 15));
    assert_eq!(back.date_of_expiry, Some(date!(2039 - 01 - 15)));
    assert_eq!(back.sex, Sex::Male);
    // without a date of issue the record is incomplete
    assert!(CitizenRecord::from_dg1_dg13(&dg1, &Dg13::new()).is_err());
    assert_eq!(back.nationality, "Việt Nam");
    let mrz = Mrz::parse(PROFILE_MRZ).unwrap();
    assert_eq!(mrz, *dg1.mrz());
    let Mrz::Td1(t) = mrz else { panic!() };
    assert_eq!(t.cccd_id_check_digit_valid(), Some(true));
    let mut wrong = t.clone();
    wrong.optional_data = "001099012345<<1".into();
    assert_eq!(wrong.cccd_id_check_digit_valid(), Some(false));
    wrong.optional_data = "001099012345".into();
    assert_eq!(wrong.cccd_id_check_digit_valid(), None);
}

fn vi_text() -> impl Strategy<Value = String> {
    "[a-zA-ZàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵĐ0-9,./ -]{1,40}"
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(vi_text())
}

fn any_date() -> impl Strategy<Value = Date> {
    (1900i32..2099, 1u8..=12, 1u8..=28)
        .prop_map(|(y, m, d)| Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap())
}

prop_compose! {
    fn any_record()(
        id in "[0-9]{12}", words in prop::collection::vec("[A-Za-zĐđăâêôơưÁàỹ]{1,7}", 1..5),
        dob in any_date(), male in any::<bool>(), nat in vi_text(), eth in opt_text(), rel in opt_text(),
        orig in opt_text(), res in opt_text(), marks in opt_text(), doi in any_date(),
        doe in prop::option::of(any_date()), father in opt_text(), mother in opt_text(), spouse in opt_text(),
        old in prop::option::of("[0-9]{9}"),
    ) -> CitizenRecord {
        CitizenRecord {
            id_number: id, full_name: words.join(" "), date_of_birth: dob,
            sex: if male { Sex::Male } else { Sex::Female }, nationality: nat, ethnicity: eth, religion: rel,
            place_of_origin: orig, place_of_residence: res, identifying_marks: marks, date_of_issue: doi,
            date_of_expiry: doe, father_name: father, mother_name: mother, spouse_name: spouse, old_id_number: old,
        }
    }
}

proptest! {
    #[test]
    fn record_dg13_record(r in any_record()) {
        let dg1 = Dg1::new(r.to_mrz().unwrap()).unwrap();
        let dg13 = Dg13::from_record(&r).unwrap();
        let bytes = dg13.encode().unwrap();
        let decoded = Dg13::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.encode().unwrap(), bytes);
        let back = CitizenRecord::from_dg1_dg13(&Dg1::decode(dg1.raw()).unwrap(), &decoded).unwrap();
        prop_assert_eq!(back, r);
    }

    #[test]
    fn dg13_encode_decode_encode(
        fields in prop::collection::vec((1u32..300, prop_oneof![
            vi_text().prop_map(|t| FieldValue::Text { tag: cccd::lds::dg13::UTF8_STRING, text: t }),
            "[0-9/]{0,20}".prop_map(|t| FieldValue::Text { tag: cccd::lds::dg13::PRINTABLE_STRING, text: t }),
            (opt_text(), opt_text()).prop_map(|(father, mother)| FieldValue::Parents { father, mother }),
            opt_text().prop_map(FieldValue::Spouse),
            prop::collection::vec(any::<u8>(), 0..200).prop_map(|v| FieldValue::Other(cccd::tlv::encode_tlv(cccd::tlv::Tag::new(0x04), &v))),
        ]), 0..20),
    ) {
        let mut d = Dg13::new();
        d.fields = fields.into_iter().map(|(number, value)| cccd::lds::dg13::Dg13Field { number, value }).collect();
        let bytes = d.encode().unwrap();
        let decoded = Dg13::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.encode().unwrap(), bytes.clone());
        prop_assert_eq!(decoded.fields.len(), d.fields.len());
        for n in 0..bytes.len() {
            prop_assert!(Dg13::decode(&bytes[..n]).is_err());
        }
    }
}

#[test]
fn dg13_mismatches_with_dg1() {
    let r = record();
    let dg1 = Dg1::new(r.to_mrz().unwrap()).unwrap();
    let dg13 = Dg13::from_record(&r).unwrap();
    assert!(dg13.mismatches_with(&dg1).is_empty());
    // a long name is compared as the MRZ truncates it
    let mut long = r.clone();
    long.full_name = "Tôn Nữ Công Tằng Huyền Tôn Nữ Thị Thanh".into();
    let dg1_long = Dg1::new(long.to_mrz().unwrap()).unwrap();
    assert!(Dg13::from_record(&long).unwrap().mismatches_with(&dg1_long).is_empty());
    // no expiry on both sides agrees
    let mut none = r.clone();
    none.date_of_expiry = None;
    let dg1_none = Dg1::new(none.to_mrz().unwrap()).unwrap();
    assert!(Dg13::from_record(&none).unwrap().mismatches_with(&dg1_none).is_empty());
    assert_eq!(Dg13::from_record(&none).unwrap().mismatches_with(&dg1).len(), 1);

    let mut other = r;
    other.id_number = "001099012346".into();
    other.date_of_birth = date!(1999 - 01 - 16);
    other.sex = Sex::Female;
    other.date_of_expiry = Some(date!(2039 - 01 - 16));
    other.full_name = "Nguyễn Văn B".into();
    let fields: Vec<&str> = Dg13::from_record(&other).unwrap().mismatches_with(&dg1).iter().map(|p| p.field).collect();
    assert_eq!(fields, ["id_number", "date_of_birth", "sex", "date_of_expiry", "full_name"]);
}
