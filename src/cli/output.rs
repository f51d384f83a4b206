//! What the issuer's commands (`issue`, `pki …`, `qr …`) print: a line for people, or under `--json` one
//! document of the contract (`schema_version`, `command`, then the command's fields; see the README's JSON
//! section), with the same facts. Warnings go to standard error as text and into the document's `warnings`.

use std::path::Path;

use serde_json::{Value, json};

/// Prints `fields` as the JSON document of `command` when `json`, else `text` (and each warning on standard
/// error, `cccd: warning: …`).
pub fn finish(json: bool, command: &str, mut fields: Value, text: &str) {
    let warnings: Vec<String> = fields["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["message"].as_str().map(str::to_string))
        .collect();
    for w in &warnings {
        eprintln!("cccd: warning: {w}");
    }
    if json {
        if fields.get("warnings").is_none() {
            fields["warnings"] = json!([]);
        }
        let doc = super::verdict::document(command, fields);
        super::print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
    } else {
        super::print(text);
    }
}

/// A warning of a document: `{"code", "message"}`.
pub fn warning(code: &str, message: impl std::fmt::Display) -> Value {
    json!({ "code": code, "message": message.to_string() })
}

/// The SHA-256 of `bytes` in upper-case hex (a certificate's fingerprint, as `openssl x509 -fingerprint
/// -sha256` prints it without the colons).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode_upper(cccd::crypto::hash::HashAlgorithm::Sha256.digest(bytes))
}

/// An X.509 certificate: `subject`, `issuer`, `serial_number` (hex), `not_before`, `not_after` (`YYYY-MM-DD`),
/// `sha256` (of its DER), and `path` when a file holds it.
pub fn certificate(cert: &x509_cert::Certificate, path: Option<&Path>) -> Value {
    use der::Encode;
    let tbs = cert.tbs_certificate();
    let dates = cccd::pki::CertificateDates::of(cert);
    let der = cert.to_der().unwrap_or_default();
    let mut v = json!({
        "subject": tbs.subject().to_string(),
        "issuer": tbs.issuer().to_string(),
        "serial_number": hex::encode_upper(tbs.serial_number().as_bytes()),
        "not_before": dates.not_before.to_string(),
        "not_after": dates.not_after.to_string(),
        "sha256": sha256_hex(&der),
    });
    if let Some(p) = path {
        v["path"] = json!(p.display().to_string());
    }
    v
}

/// The paths of the regular files under `dir`, relative to it, sorted (`DG1.bin`, `secrets/can`, …).
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
