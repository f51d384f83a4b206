//! The holder and the certificate chain of the read document.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::lds::LdsFile;
use crate::pa::TrustStore;

/// The holder: the MRZ of DG1 and the personal data of DG13 (names with diacritics), dates as `YYYY-MM-DD`.
pub(super) fn holder(files: &BTreeMap<LdsFile, Vec<u8>>) -> Value {
    let get = |n| LdsFile::dg(n).and_then(|f| files.get(&f));
    let mut h = serde_json::Map::new();
    if let Some(dg1) = get(1).and_then(|b| crate::lds::dg1::Dg1::decode(b).ok()) {
        let mrz = dg1.mrz();
        let year = time::OffsetDateTime::now_utc().year();
        let iso = |raw: &str, earliest: i32, field| {
            crate::mrz::yymmdd_to_date(raw, earliest, field).ok().map(|d| d.to_string())
        };
        let name = format!("{} {}", mrz.primary_identifier(), mrz.secondary_identifier());
        let mrz_holder = json!({
            "full_name": name.replace('<', " ").trim(),
            "id_number": mrz.cccd_id_number(),
            "document_number": mrz.document_number(),
            "date_of_birth": iso(mrz.date_of_birth(), year - 99, crate::mrz::MrzField::DateOfBirth),
            "sex": mrz.sex().to_char().to_string(),
            "nationality": mrz.nationality(),
            "date_of_expiry": iso(mrz.date_of_expiry(), year - 50, crate::mrz::MrzField::DateOfExpiry),
            "issuing_state": mrz.issuing_state(),
            "mrz": mrz.to_lines().unwrap_or_default(),
        });
        if let Value::Object(m) = mrz_holder {
            h = m;
        }
    }
    if let Some(dg13) = get(13).and_then(|b| crate::lds::dg13::Dg13::decode(b).ok()) {
        let fields = super::inspect::dg13(&dg13);
        let mut details = Vec::new();
        for f in fields.get("fields").and_then(Value::as_array).into_iter().flatten() {
            let name = f.get("name").and_then(Value::as_str).unwrap_or("unknown");
            let value = f.get("value").unwrap_or(&Value::Null);
            match (name, value) {
                ("parents", Value::Object(p)) => {
                    for (k, n) in [("father", "father_name"), ("mother", "mother_name")] {
                        if let Some(t) = p.get(k).and_then(Value::as_str).filter(|t| !t.is_empty()) {
                            details.push(json!({ "name": n, "value": t }));
                        }
                    }
                }
                (_, Value::String(t)) => {
                    // the name with its diacritics replaces the MRZ's transliteration
                    if name == "full_name" || name == "id_number" {
                        h.insert(name.to_string(), json!(t));
                    } else if let (true, Some(Value::String(sex))) = (name == "sex", h.get_mut("sex")) {
                        *sex = format!("{sex} ({t})");
                    }
                    details.push(json!({ "name": name, "value": t }));
                }
                _ => {}
            }
        }
        h.insert("details".into(), json!(details));
    }
    Value::Object(h)
}

/// The Document Signer certificate carried in EF.SOD and the trusted CSCA that issued it.
pub(super) fn certificate_chain(sod: Option<&[u8]>, trust: &TrustStore) -> Value {
    let Some(sod) = sod.and_then(|b| crate::lds::sod::Sod::decode(b).ok()) else { return Value::Null };
    let describe = |c: &x509_cert::Certificate| {
        let tbs = c.tbs_certificate();
        json!({
            "subject": tbs.subject().to_string(),
            "issuer": tbs.issuer().to_string(),
            "serial_number": hex::encode_upper(tbs.serial_number().as_bytes()),
            "not_before": tbs.validity().not_before.to_string(),
            "not_after": tbs.validity().not_after.to_string(),
        })
    };
    let ds = sod.certificates.first();
    let csca = ds.and_then(|d| trust.issuer_of(d).ok());
    json!({
        "document_signer": ds.map(describe),
        "csca": csca.map(describe),
    })
}
