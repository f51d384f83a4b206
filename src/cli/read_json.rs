//! The JSON document of `cccd read` (schema version 1): every check, the holder, the certificate chain, and the
//! verdict. The text view and the HTML report are rendered from it (`report`).

use std::collections::BTreeMap;

use cccd::lds::LdsFile;
use cccd::pa::TrustStore;
use cccd::reader::ReadResult;
use cccd::verify::{Policy, Verification, Verifier};
use serde_json::{Value, json};

/// The read's document, without the fields only the command knows (reader, timing, saved files), and the
/// Verifier's verification it carries: the `verdict` object and the per-check fields are the Verifier's, the
/// same as `cccd verify` reports (`verdict::add_verification`).
pub fn document(result: &ReadResult, trust: &TrustStore) -> (Value, Verification) {
    let verification = Verifier::new(trust, Policy::counter()).verify_read(result);
    let files: Vec<_> = result.files.iter().map(|(f, b)| json!({ "file": f.name(), "length": b.len() })).collect();
    let sod = result.files.get(&LdsFile::Sod);
    let mut v = super::verdict::document(
        "read",
        json!({
            "verdict": Value::Null,
            "holder": holder(&result.files),
            "access": result.access,
            "extended_length": result.extended_length,
            "files": files,
            "protected": result.protected.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "certificate_chain": certificate_chain(sod.map(Vec::as_slice), trust),
        }),
    );
    super::verdict::add_verification(&mut v, &verification);
    v["terminal_authentication"] = terminal_authentication(&result.terminal_authentication);
    (v, verification)
}

/// Terminal Authentication as the reader saw it (`not_checked` without `--terminal`), with the chip's status
/// word when it refused (`status_word`, hex).
fn terminal_authentication(check: &cccd::pa::Check) -> Value {
    let mut v = serde_json::to_value(check).unwrap_or_default();
    if let Some(cccd::pa::Reason::TerminalRefused { status: Some(sw), .. }) = check.reason() {
        v["status_word"] = json!(format!("{:04X}", u16::from(*sw)));
    }
    v
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
