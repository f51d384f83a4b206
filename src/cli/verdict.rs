//! The JSON verdict contract, the exit codes and JSON errors, shared by `read`, `verify`, `demo` and `perso`.
//!
//! ```json
//! { "schema_version": 1, "command": "read",
//!   "verdict": { "value": "genuine", "summary": "…", "findings": [ { "code", "severity", "message" } ] },
//!   "passive_authentication": { …, "valid": true }, "chip_authentication": { "status": … }, … }
//! ```

use std::process::ExitCode;

use cccd::verify::Verification;

/// The documents' version, the verdict fields and the document frame are the library's (`cccd::json`).
pub use cccd::json::{add_verification, document};

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

/// The verdict as a few lines of text, for people.
pub fn verdict_text(v: &Verification) -> String {
    let mut s = format!("verdict: {} — {}\n", v.verdict.value().to_uppercase(), v.summary());
    for f in &v.findings {
        let sev = serde_json::to_value(f.severity).ok().and_then(|x| x.as_str().map(str::to_owned)).unwrap_or_default();
        s.push_str(&format!("  {sev:<7} {}\n", f.message));
    }
    s
}
