//! The JSON document of `cccd read` (schema version 1): every check, the holder, the certificate chain, and the
//! verdict. The text view and the HTML report are rendered from it (`report`).

use std::collections::BTreeMap;

use cccd::lds::LdsFile;
use cccd::pa::{Check, TrustStore};
use cccd::reader::ReadResult;
use serde_json::{Value, json};

/// The read's document, without the fields only the command knows (reader, timing, saved files).
pub fn document(result: &ReadResult, trust: &TrustStore) -> Value {
    let files: Vec<_> = result.files.iter().map(|(f, b)| json!({ "file": f.name(), "length": b.len() })).collect();
    let mut valid = false;
    let unverified = Check::NotChecked("no Passive Authentication".into());
    let mut authenticity =
        cccd::reader::Authenticity { chip_authentication: unverified.clone(), active_authentication: unverified };
    let sod = result.files.get(&LdsFile::Sod);
    let passive_authentication = match sod {
        Some(sod) => match cccd::pa::verify_with_store(sod, &result.files, None, trust) {
            Ok(r) => {
                valid = r.is_valid();
                authenticity = result.authenticity(&r);
                let mut v = serde_json::to_value(&r).unwrap_or_default();
                v["valid"] = Value::Bool(valid);
                v
            }
            Err(e) => json!({ "error": e.to_string() }),
        },
        None => json!({ "error": "no EF.SOD read" }),
    };
    // a chip that fails Chip or Active Authentication does not hold the keys its signed files name: a clone
    let failed = |c: &Check| matches!(c, Check::Failed(_));
    let clone = failed(&result.chip_authentication) || failed(&result.active_authentication);
    valid = valid && !clone;
    let mut v = json!({
        "schema_version": 1,
        "command": "read",
        "verdict": Value::Null,
        "holder": holder(&result.files),
        "access": result.access,
        "extended_length": result.extended_length,
        "files": files,
        "protected": result.protected.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "missing": result.missing.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "passive_authentication": passive_authentication,
        "chip_authentication": authenticity.chip_authentication,
        "active_authentication": authenticity.active_authentication,
        "clone_suspected": clone,
        "certificate_chain": certificate_chain(sod.map(Vec::as_slice), trust),
        "valid": valid,
    });
    v["verdict"] = provisional_verdict(&v, time::OffsetDateTime::now_utc().date());
    v
}

/// PROVISIONAL, until the `verify` module's Verifier decides (issue 14): the verdict derived from today's
/// fields of the document. Replace this one function with the Verifier's verdict; nothing else depends on how
/// it is computed.
fn provisional_verdict(v: &Value, today: time::Date) -> Value {
    let mut findings = Vec::new();
    let expiry = v["holder"]["date_of_expiry"]
        .as_str()
        .and_then(|d| time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok());
    if let Some(doe) = expiry.filter(|d| *d < today) {
        findings.push(json!({ "code": "document_expired", "severity": "warning",
            "message": format!("the document expired on {doe}: an authentic chip, an expired document") }));
    }
    let pa = &v["passive_authentication"];
    let st = |k: &str| pa[k]["status"].as_str().unwrap_or("not_checked").to_string();
    let mismatch = pa["data_groups"]
        .as_object()
        .is_some_and(|m| m.values().any(|h| h.as_str().is_some_and(|h| h != "match" && h != "not_present")));
    let (value, summary) = if v["clone_suspected"] == json!(true) {
        findings.push(json!({ "code": "clone_suspected", "severity": "error",
            "message": "the chip does not hold the private key its signed data names" }));
        ("clone_suspected", "The signed data is genuine but this chip is not the one it was written to.")
    } else if pa["error"].is_string() {
        findings.push(json!({ "code": "passive_authentication_not_run", "severity": "error",
            "message": pa["error"] }));
        ("incomplete", "The signed data could not be checked.")
    } else if mismatch || st("message_digest") == "failed" || st("signature") == "failed" {
        findings.push(json!({ "code": "signed_data_mismatch", "severity": "error",
            "message": "a data group or the signature does not match what the issuer signed" }));
        ("tampered", "The data on the chip is not what the issuer signed.")
    } else if v["valid"] == json!(true) {
        ("genuine", "The chip's data is signed by a trusted issuer and the chip proved it is the original.")
    } else {
        findings.push(json!({ "code": "not_trusted", "severity": "error",
            "message": format!("the Document Signer is not vouched for: chain {}, validity {}",
                st("csca_chain").replace('_', " "), st("ds_certificate_validity").replace('_', " ")) }));
        ("untrusted", "The data is intact but no trusted CSCA vouches for its signer.")
    };
    if !v["missing"].as_array().is_none_or(Vec::is_empty) {
        findings.push(json!({ "code": "files_missing", "severity": "warning",
            "message": format!("listed in EF.COM but not on the chip: {}", v["missing"]) }));
    }
    json!({ "value": value, "summary": summary, "findings": findings })
}

/// The holder: the MRZ of DG1 and the personal data of DG13 (names with diacritics), dates as `YYYY-MM-DD`.
fn holder(files: &BTreeMap<LdsFile, Vec<u8>>) -> Value {
    let get = |n| LdsFile::dg(n).and_then(|f| files.get(&f));
    let mut h = json!({});
    if let Some(dg1) = get(1).and_then(|b| cccd::lds::dg1::Dg1::decode(b).ok()) {
        let mrz = dg1.mrz();
        let year = time::OffsetDateTime::now_utc().year();
        let iso = |raw: &str, earliest: i32, field| {
            cccd::mrz::yymmdd_to_date(raw, earliest, field).ok().map(|d| d.to_string())
        };
        let name = format!("{} {}", mrz.primary_identifier(), mrz.secondary_identifier());
        h = json!({
            "full_name": name.replace('<', " ").trim(),
            "id_number": mrz.cccd_id_number(),
            "document_number": mrz.document_number(),
            "date_of_birth": iso(mrz.date_of_birth(), year - 99, cccd::mrz::MrzField::DateOfBirth),
            "sex": mrz.sex().to_char().to_string(),
            "nationality": mrz.nationality(),
            "date_of_expiry": iso(mrz.date_of_expiry(), year - 50, cccd::mrz::MrzField::DateOfExpiry),
            "issuing_state": mrz.issuing_state(),
            "mrz": mrz.to_lines().unwrap_or_default(),
        });
    }
    if let Some(dg13) = get(13).and_then(|b| cccd::lds::dg13::Dg13::decode(b).ok()) {
        let fields = super::inspect::dg13(&dg13);
        let mut details = Vec::new();
        for f in fields["fields"].as_array().into_iter().flatten() {
            let name = f["name"].as_str().unwrap_or("unknown");
            let value = &f["value"];
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
                    if name == "full_name" {
                        h["full_name"] = json!(t);
                    } else if name == "id_number" {
                        h["id_number"] = json!(t);
                    } else if name == "sex" && h["sex"].is_string() {
                        h["sex"] = json!(format!("{} ({t})", h["sex"].as_str().unwrap_or_default()));
                    }
                    details.push(json!({ "name": name, "value": t }));
                }
                _ => {}
            }
        }
        h["details"] = json!(details);
    }
    h
}

/// The Document Signer certificate carried in EF.SOD and the trusted CSCA that issued it.
fn certificate_chain(sod: Option<&[u8]>, trust: &TrustStore) -> Value {
    let Some(sod) = sod.and_then(|b| cccd::lds::sod::Sod::decode(b).ok()) else { return Value::Null };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(pa: Value, clone: bool, valid: bool, expiry: &str) -> Value {
        json!({ "holder": { "date_of_expiry": expiry }, "passive_authentication": pa, "clone_suspected": clone,
                "valid": valid, "missing": [] })
    }

    #[test]
    fn the_provisional_verdict_follows_the_checks_and_shows_expiry_first() {
        let today = time::macros::date!(2030 - 06 - 01);
        let good = json!({ "data_groups": { "DG1": "match" }, "message_digest": { "status": "passed" },
                           "signature": { "status": "passed" }, "csca_chain": { "status": "passed" } });
        let v = provisional_verdict(&doc(good.clone(), false, true, "2039-01-15"), today);
        assert_eq!(v["value"], "genuine");
        assert_eq!(v["findings"], json!([]));
        let v = provisional_verdict(&doc(good.clone(), false, true, "2029-01-15"), today);
        assert_eq!(v["value"], "genuine", "an expired document is a finding, not a value");
        assert_eq!(v["findings"][0]["code"], "document_expired");
        let v = provisional_verdict(&doc(good.clone(), true, false, "2029-01-15"), today);
        assert_eq!(v["value"], "clone_suspected");
        assert_eq!(v["findings"][0]["code"], "document_expired", "expiry shown first");
        let mut bad = good.clone();
        bad["data_groups"]["DG1"] = json!("mismatch");
        assert_eq!(provisional_verdict(&doc(bad, false, false, "2039-01-15"), today)["value"], "tampered");
        let mut untrusted = good;
        untrusted["csca_chain"] = json!({ "status": "not_checked", "reason": "no CSCA" });
        assert_eq!(provisional_verdict(&doc(untrusted, false, false, "2039-01-15"), today)["value"], "untrusted");
        let none = json!({ "error": "no EF.SOD read" });
        assert_eq!(provisional_verdict(&doc(none, false, false, "2039-01-15"), today)["value"], "incomplete");
    }
}
