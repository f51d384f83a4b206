//! Citizen records on the command line: `cccd validate` reports every problem of every record and duplicate
//! IDs; `cccd issue` refuses a record with all its problems in one message; decomposed Vietnamese text is
//! written in NFC.
mod cli_support;

use cli_support::{cccd, issue, record_with_id as record, s, tmp};

/// The record of the issue: an impossible date hiding four more problems.
fn bad_record() -> serde_json::Value {
    let mut bad = record("00109901234");
    bad["date_of_birth"] = serde_json::json!("1989-02-30");
    bad["sex"] = serde_json::json!("X");
    bad["full_name"] = serde_json::json!("");
    bad["date_of_expiry"] = serde_json::json!("2020-01-01");
    bad
}

#[test]
fn validate_reports_every_problem_of_every_record_and_duplicate_ids() {
    let dir = tmp("validate");
    let mut warned = record("001099012342");
    warned["full_name"] = serde_json::json!("Nguye\u{0302}\u{0303}n Va\u{0306}n A"); // decomposed: a warning
    let lines = [
        record("001099012340").to_string(),
        record("001099012341").to_string(),
        bad_record().to_string(),
        record("001099012341").to_string(),
        "[1, 2]".to_string(),
        warned.to_string(),
    ];
    let file = dir.join("records.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (code, out, err) = cccd(&["validate", s(&file), "--json"]);
    assert_eq!(code, 1, "{out} {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["schema_version"].as_u64(), v["command"].as_str()), (Some(1), Some("validate")));
    assert_eq!((v["records"].as_u64(), v["refused"].as_u64(), v["valid"].as_bool()), (Some(6), Some(4), Some(false)));
    let results = v["results"].as_array().unwrap();
    assert_eq!(results[0]["refused"], false);
    assert!(results[0]["problems"].as_array().unwrap().iter().all(|p| p["severity"] == "warning"));
    for i in [1, 3] {
        assert_eq!(results[i]["problems"][0]["code"], "duplicate_id", "{}", results[i]);
    }
    let found: Vec<(String, String, String)> = results[2]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap().into(),
                p["code"].as_str().unwrap().into(),
                p["severity"].as_str().unwrap().into(),
            )
        })
        .collect();
    for (field, code) in [
        ("date_of_birth", "impossible_date"),
        ("id_number", "not_twelve_digits"),
        ("sex", "invalid_sex"),
        ("full_name", "empty"),
        ("date_of_expiry", "expiry_not_after_issue"),
    ] {
        assert!(found.contains(&(field.into(), code.into(), "error".into())), "{field} {code}: {found:?}");
    }
    assert_eq!(results[4]["problems"][0]["message"], "not a JSON object");
    assert_eq!(results[5]["refused"], false);
    assert!(results[5]["problems"].to_string().contains("not_nfc"), "{}", results[5]);
    // the text form names the line and the ID
    let (code, out, _) = cccd(&["validate", s(&file)]);
    assert_eq!(code, 1);
    assert!(out.contains("line 3 (00109901234): refused") && out.contains("date_of_birth: no such day"), "{out}");
    assert!(out.ends_with("6 records: 2 would be issued (1 with warnings), 4 refused\n"), "{out}");
    // a single record, pretty-printed over many lines
    let one = dir.join("one.json");
    std::fs::write(&one, serde_json::to_string_pretty(&record("001099012340")).unwrap()).unwrap();
    assert_eq!(cccd(&["validate", s(&one)]).0, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn issue_refuses_a_record_with_every_problem_in_one_message() {
    let dir = tmp("refuse");
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki), "--curve", "secp256r1"]).0, 0);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, bad_record().to_string()).unwrap();
    let photo = dir.join("photo.png");
    image::RgbImage::from_pixel(300, 400, image::Rgb([200, 160, 120])).save(&photo).unwrap();
    let out = dir.join("chip");
    let (code, _, err) = issue(&bad, &photo, &pki, &out, &[]);
    assert_eq!(code, 2);
    for part in [
        "date_of_birth: no such day",
        "id_number: not 12 digits",
        "sex: not M or F",
        "full_name: empty",
        "date_of_expiry: date of expiry not after",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn decomposed_vietnamese_text_is_written_in_nfc() {
    use unicode_normalization::UnicodeNormalization;
    let dir = tmp("nfc");
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki), "--curve", "secp256r1"]).0, 0);
    let mut r = record("001099012345");
    let name = "Nguyễn Văn A";
    let place = "Xã Đông Anh, Huyện Đông Anh, Hà Nội";
    r["full_name"] = serde_json::json!(name.nfd().collect::<String>());
    r["place_of_residence"] = serde_json::json!(place.nfd().collect::<String>());
    assert_ne!(r["full_name"].as_str().unwrap(), name);
    let file = dir.join("r.json");
    std::fs::write(&file, r.to_string()).unwrap();
    let photo = dir.join("photo.png");
    image::RgbImage::from_pixel(300, 400, image::Rgb([200, 160, 120])).save(&photo).unwrap();
    let chip = dir.join("chip");
    let (code, _, err) = issue(&file, &photo, &pki, &chip, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("full_name: not in Unicode NFC"), "{err}");
    let dg13 = std::fs::read(chip.join("DG13.bin")).unwrap();
    let has = |needle: &str| dg13.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has(name) && has(place), "DG13 holds the NFC text");
    assert!(!has(&name.nfd().collect::<String>()), "DG13 holds decomposed text");
    // the MRZ is the same as for the composed name
    let dg1 = std::fs::read(chip.join("DG1.bin")).unwrap();
    assert!(dg1.windows(14).any(|w| w == b"NGUYEN<<VAN<A<"), "{}", String::from_utf8_lossy(&dg1));
    // and the QR payload
    let (code, qr, err) = cccd(&["qr", "encode", "--record", s(&file), "--text"]);
    assert_eq!(code, 0, "{err}");
    assert!(qr.contains(name) && !qr.contains(&name.nfd().collect::<String>()), "{qr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
