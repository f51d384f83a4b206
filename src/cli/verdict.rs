//! The JSON verdict contract, the exit codes and JSON errors, shared by `read`, `verify`, `demo` and `perso`.
//!
//! ```json
//! { "schema_version": 1, "command": "read",
//!   "verdict": { "value": "genuine", "summary": "…", "findings": [ { "code", "severity", "message" } ] },
//!   "passive_authentication": { …, "valid": true }, "chip_authentication": { "status": … }, … }
//! ```

use std::process::ExitCode;

use cccd::verify::{Verdict, Verification};
use serde_json::{Value, json};

/// The version of every JSON document the command line prints.
pub const SCHEMA_VERSION: u64 = 1;

/// The exit codes, one set for every command (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Genuine (or the command did what was asked).
    Ok = 0,
    /// Not genuine, not valid, or not completed (the report says why).
    NotValid = 1,
    /// A usage or input error (arguments, files, trust material).
    Usage = 2,
    /// The chip refused access (a wrong CAN or MRZ, a blocked password, a wrong transport key).
    AccessRefused = 3,
    /// The card was removed during the command.
    CardRemoved = 4,
    /// No card in the reader, or no such reader.
    NoCard = 5,
    /// The chip answered a step of a read with an error (status word, secure messaging, malformed data).
    #[cfg(feature = "pcsc")]
    ChipError = 6,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// The exit code of a verification: 0 only when genuine.
pub fn exit_of(v: &Verification) -> ExitCode {
    if v.verdict.is_genuine() { Exit::Ok.into() } else { Exit::NotValid.into() }
}

/// The `verdict` object and the per-check fields of a verification, added to `out` (an object).
pub fn add_verification(out: &mut Value, v: &Verification) {
    let r = &v.report;
    out["verdict"] = serde_json::to_value(v.verdict_object()).unwrap_or_default();
    out["passive_authentication"] = match &r.passive_authentication {
        Some(pa) => {
            let mut p = serde_json::to_value(pa).unwrap_or_default();
            p["valid"] = Value::Bool(r.passive_authentication_passed);
            p
        }
        None => json!({ "error": v.findings.iter().find(|f| f.code == cccd::verify::FindingCode::SodMissing
            || f.code == cccd::verify::FindingCode::SodMalformed).map(|f| f.message.clone()) }),
    };
    out["chip_authentication"] = serde_json::to_value(&r.chip_authentication).unwrap_or_default();
    out["active_authentication"] = serde_json::to_value(&r.active_authentication).unwrap_or_default();
    // EF.CardSecurity (PACE-CAM documents): its own signature report, and which file vouched for the chip key
    out["card_security"] = match &r.card_security {
        Some(cs) => {
            let mut c = serde_json::to_value(cs).unwrap_or_default();
            c["valid"] = Value::Bool(r.card_security_passed);
            c
        }
        None => Value::Null,
    };
    out["chip_key_source"] = serde_json::to_value(r.chip_key_source).unwrap_or_default();
    out["missing"] = serde_json::to_value(&r.missing).unwrap_or_default();
    out["date_of_expiry"] = serde_json::to_value(r.date_of_expiry.map(|d| d.to_string())).unwrap_or_default();
    out["clone_suspected"] = Value::Bool(matches!(v.verdict, Verdict::CloneSuspected { .. }));
    out["valid"] = Value::Bool(v.verdict.is_genuine());
}

/// A JSON document of the contract for `command`: `schema_version`, `command`, then `fields`.
pub fn document(command: &str, fields: Value) -> Value {
    let mut out = json!({ "schema_version": SCHEMA_VERSION, "command": command });
    if let (Some(o), Value::Object(f)) = (out.as_object_mut(), fields) {
        o.extend(f);
    }
    out
}

/// The verdict as a few lines of text, for people.
pub fn verdict_text(v: &Verification) -> String {
    let mut s = format!("verdict: {} — {}\n", v.verdict.value().to_uppercase(), v.summary());
    for f in &v.findings {
        let sev = serde_json::to_value(f.severity).ok().and_then(|x| x.as_str().map(str::to_owned)).unwrap_or_default();
        s.push_str(&format!("  {sev:<7} {}\n", f.message));
    }
    s
}
