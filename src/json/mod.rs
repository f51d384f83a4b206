//! The JSON documents of the command line's `--json` (schema version 1), built from library types, so the
//! `cccd` binary, the C ABI (`ffi/`) and the Python package print the same bytes for the same chip.
//!
//! Every document is an object that starts with `schema_version` (always [`SCHEMA_VERSION`]) and `command`:
//!
//! - [`verify`] (`cccd verify`): the Passive Authentication report's fields (`dg_hashes`, `signature`,
//!   `ds_certificate`, …), `session` (`"virtual chip from the image's secrets"` or `"files only"`), `access`
//!   (the access control the read used, or `null`), then [`add_verification`]'s fields.
//! - [`read`] (`cccd read`, without the fields only the command knows: reader, timing, saved files): `holder`
//!   (`full_name`, `id_number`, `document_number`, dates as `YYYY-MM-DD`, `mrz`, and DG13's `details`),
//!   `access`, `extended_length`, `files` (`[{file, length}]`), `protected`, `certificate_chain`
//!   (`{document_signer, csca}`: subject, issuer, serial number, validity), then [`add_verification`]'s fields,
//!   and `terminal_authentication` (`{status, …}`; `status_word` when the chip refused the inspection system).
//! - [`add_verification`]: `verdict` (`{value, summary, findings: [{code, severity, message}]}`: the
//!   [`Verifier`](crate::verify::Verifier)'s one verdict), `passive_authentication` (its report plus `valid`),
//!   `chip_authentication`, `active_authentication` (`{status, …}`: a check that could not run says so),
//!   `card_security` (EF.CardSecurity's signature report plus `valid`, or `null`), `chip_key_source` (which
//!   file vouched for the chip's key),
//!   `missing`, `date_of_expiry`, `clone_suspected`, `valid` (true only when genuine).
//! - [`perso`] (`cccd perso`): what the personalization did or where it stopped, and the verifying session's
//!   verdict.
//! - [`issue`] (the bindings' issue): the folder written, its files and their lengths.
//! - [`error`] / [`error_document`]: `{"schema_version": 1, "command": …, "error": {"kind": …, "message": …}}`,
//!   `kind` one of [`ErrorKind`]'s names.
//!
//! [`inspect`] and [`inspect_tree`] give one item of the `files` of `cccd inspect --json` (`{path, ok, content}` or
//! `{path, ok: false, error}`); [`qr_payload`] the decoded card QR payload with the citizen record's field
//! names, [`qr`] the document around it. Personal data appears in these documents (they are the report); keys and secrets never do.

mod eac;
mod holder;
mod inspect;
mod perso;

pub use eac::finger_position_name;
pub use inspect::{decode_file, dg13, inspect, inspect_tree, mrz, sod};
pub use perso::perso;

use serde_json::{Value, json};

use crate::Error;
use crate::lds::LdsFile;
use crate::pa::TrustStore;
use crate::qr::{QrLayout, QrPayload, Sex};
use crate::reader::{Access, ReadResult};
use crate::verify::{FindingCode, Verdict, Verification};

/// The version of every JSON document.
pub const SCHEMA_VERSION: u64 = 1;

/// A document of the contract for `command`: `schema_version`, `command`, then the members of `fields` (an
/// object; anything else adds nothing).
pub fn document(command: &str, fields: Value) -> Value {
    let mut out = json!({ "schema_version": SCHEMA_VERSION, "command": command });
    if let (Some(o), Value::Object(f)) = (out.as_object_mut(), fields) {
        o.extend(f);
    }
    out
}

/// Adds the `verdict` object and the per-check fields of a verification to `out` (an object; anything else
/// is left as it is).
pub fn add_verification(out: &mut Value, v: &Verification) {
    let Some(out) = out.as_object_mut() else { return };
    let r = &v.report;
    let mut set = |k: &str, value: Value| {
        out.insert(k.to_string(), value);
    };
    set("verdict", serde_json::to_value(v.verdict_object()).unwrap_or_default());
    set(
        "passive_authentication",
        match &r.passive_authentication {
            Some(pa) => {
                let mut p = serde_json::to_value(pa).unwrap_or_default();
                if let Some(p) = p.as_object_mut() {
                    p.insert("valid".into(), Value::Bool(r.passive_authentication_passed));
                }
                p
            }
            None => json!({ "error": v.findings.iter().find(|f| f.code == FindingCode::SodMissing
                || f.code == FindingCode::SodMalformed).map(|f| f.message.clone()) }),
        },
    );
    set("chip_authentication", serde_json::to_value(&r.chip_authentication).unwrap_or_default());
    set("active_authentication", serde_json::to_value(&r.active_authentication).unwrap_or_default());
    // EF.CardSecurity (PACE-CAM documents): its own signature report, and which file vouched for the chip key
    set(
        "card_security",
        match &r.card_security {
            Some(cs) => {
                let mut c = serde_json::to_value(cs).unwrap_or_default();
                if let Some(c) = c.as_object_mut() {
                    c.insert("valid".into(), Value::Bool(r.card_security_passed));
                }
                c
            }
            None => Value::Null,
        },
    );
    set("chip_key_source", serde_json::to_value(r.chip_key_source).unwrap_or_default());
    set("missing", serde_json::to_value(&r.missing).unwrap_or_default());
    set("date_of_expiry", serde_json::to_value(r.date_of_expiry.map(|d| d.to_string())).unwrap_or_default());
    set("clone_suspected", Value::Bool(matches!(v.verdict, Verdict::CloneSuspected { .. })));
    set("valid", Value::Bool(v.verdict.is_genuine()));
}

/// The document of `cccd verify`: a chip image verified through `session` (how it was read: `"virtual chip
/// from the image's secrets"` or `"files only"`) with `access` (the access control of that read, if any).
pub fn verify(verification: &Verification, session: &str, access: Option<Access>) -> Value {
    let mut v = match &verification.report.passive_authentication {
        Some(pa) => serde_json::to_value(pa).unwrap_or_default(),
        None => json!({}),
    };
    if let Some(o) = v.as_object_mut() {
        o.insert("session".into(), session.into());
        o.insert("access".into(), serde_json::to_value(access).unwrap_or_default());
    }
    let mut v = document("verify", v);
    add_verification(&mut v, verification);
    v
}

/// The document of `cccd read` for a read and the Verifier's `verification` of it (the `verdict` object and
/// the per-check fields are the Verifier's, the same as [`verify`] reports); `trust` names the CSCA of the
/// certificate chain.
pub fn read(result: &ReadResult, verification: &Verification, trust: &TrustStore) -> Value {
    let files: Vec<_> = result.files.iter().map(|(f, b)| json!({ "file": f.name(), "length": b.len() })).collect();
    let sod = result.files.get(&LdsFile::Sod);
    let mut v = document(
        "read",
        json!({
            "verdict": Value::Null,
            "holder": holder::holder(&result.files),
            "access": result.access,
            "extended_length": result.extended_length,
            "files": files,
            "protected": result.protected.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "certificate_chain": holder::certificate_chain(sod.map(Vec::as_slice), trust),
        }),
    );
    add_verification(&mut v, verification);
    if let Some(o) = v.as_object_mut() {
        o.insert("terminal_authentication".into(), terminal_authentication(&result.terminal_authentication));
    }
    v
}

/// Terminal Authentication as the reader saw it (`not_checked` without an inspection system), with the chip's
/// status word when it refused (`status_word`, hex).
fn terminal_authentication(check: &crate::pa::Check) -> Value {
    let mut v = serde_json::to_value(check).unwrap_or_default();
    if let (Some(crate::pa::Reason::TerminalRefused { status: Some(sw), .. }), Some(o)) =
        (check.reason(), v.as_object_mut())
    {
        o.insert("status_word".into(), json!(format!("{:04X}", u16::from(*sw))));
    }
    v
}

/// Who is at fault for an error, as the JSON `error.kind` names it (and the exit code classes of the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read or written (`"io"`).
    Io,
    /// The caller's input was refused: a malformed record, file, image, key or trust material (`"input"`).
    Input,
    /// The chip refused access: a wrong CAN or MRZ, a blocked password, a wrong transport key
    /// (`"access_refused"`).
    AccessRefused,
    /// The card was removed (`"card_removed"`).
    CardRemoved,
    /// No card, no such reader, or PC/SC itself failed (`"no_card"`).
    NoCard,
    /// The chip (or the transport in front of it) answered with an error: a status word, a broken secure
    /// messaging response, a malformed file or response (`"chip_error"`).
    Chip,
}

impl ErrorKind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Input => "input",
            ErrorKind::AccessRefused => "access_refused",
            ErrorKind::CardRemoved => "card_removed",
            ErrorKind::NoCard => "no_card",
            ErrorKind::Chip => "chip_error",
        }
    }

    /// The kind of a library error.
    pub fn of(e: &Error) -> ErrorKind {
        use crate::perso::PersoError;
        use crate::reader::ReadError;
        use crate::transport::TransportError;
        let transport = |t: &TransportError| match t {
            TransportError::CardRemoved => ErrorKind::CardRemoved,
            TransportError::NoCard | TransportError::ReaderUnavailable | TransportError::Pcsc(_) => ErrorKind::NoCard,
            _ => ErrorKind::Chip,
        };
        match e {
            Error::Transport(t) => transport(t),
            Error::Access(_) => ErrorKind::AccessRefused,
            Error::Apdu(_) | Error::Sm(_) | Error::Vpcd(_) => ErrorKind::Chip,
            Error::Image(crate::image::ImageError::Io { .. }) => ErrorKind::Io,
            Error::Read(r) => match r.as_ref() {
                ReadError::Transport(t) => transport(t),
                ReadError::Access(_) => ErrorKind::AccessRefused,
                _ => ErrorKind::Chip,
            },
            Error::Perso(p) => match p.as_ref() {
                PersoError::Transport(t) => transport(t),
                PersoError::WrongTransportKey { .. } | PersoError::Blocked => ErrorKind::AccessRefused,
                // the image given cannot be written: the caller's input
                PersoError::IncompleteImage(_)
                | PersoError::Unsupported { .. }
                | PersoError::NoAccessKey
                | PersoError::MalformedMrzInformation
                | PersoError::Key(_) => ErrorKind::Input,
                _ => ErrorKind::Chip,
            },
            _ => ErrorKind::Input,
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error document of `command`: `{"schema_version", "command", "error": {"kind", "message"}}`.
pub fn error_document(command: &str, kind: &str, message: &str) -> Value {
    document(command, json!({ "error": { "kind": kind, "message": message } }))
}

/// The error document of `command` for a library error (its [`ErrorKind`] and its message).
pub fn error(command: &str, e: &Error) -> Value {
    error_document(command, ErrorKind::of(e).as_str(), &e.to_string())
}

/// The document of an issued chip image written to `out`: `out`, `files` (`[{file, length}]`, no content),
/// `bytes` (their total), `has_secrets` (whether the folder holds the chip's secrets).
pub fn issue(out: &str, image: &crate::image::ChipImage) -> Value {
    let files: Vec<_> = image.files.iter().map(|(f, b)| json!({ "file": f.name(), "length": b.len() })).collect();
    let total: usize = image.files.values().map(Vec::len).sum();
    document("issue", json!({ "out": out, "files": files, "bytes": total, "has_secrets": true }))
}

/// The document of a decoded QR payload: `{"schema_version", "command": "qr", "payload": `[`qr_payload`]`}`.
pub fn qr(p: &QrPayload) -> Value {
    document("qr", json!({ "payload": qr_payload(p) }))
}

fn date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The card's QR payload with the citizen record's field names: `layout` (`"2021"` or `"2024"`),
/// `id_number`, `old_id_number`, `full_name`, `date_of_birth`, `sex` (`"M"`/`"F"`), `place_of_residence`,
/// `date_of_issue` (dates `YYYY-MM-DD`), `extra`.
pub fn qr_payload(p: &QrPayload) -> Value {
    json!({
        "layout": match p.layout { QrLayout::V2021 => "2021", QrLayout::V2024 => "2024" },
        "id_number": p.id_number,
        "old_id_number": p.old_id_number,
        "full_name": p.full_name,
        "date_of_birth": date(p.date_of_birth),
        "sex": match p.sex { Sex::Male => "M", Sex::Female => "F" },
        "place_of_residence": p.place_of_residence,
        "date_of_issue": date(p.date_of_issue),
        "extra": p.extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_documents_name_who_is_at_fault() {
        let removed = Error::Transport(crate::transport::TransportError::CardRemoved);
        assert_eq!(ErrorKind::of(&removed), ErrorKind::CardRemoved);
        let doc = error("read", &removed);
        assert_eq!(doc["schema_version"], 1);
        assert_eq!(doc["command"], "read");
        assert_eq!(doc["error"]["kind"], "card_removed");
        assert_eq!(doc["error"]["message"], removed.to_string());
        let keys: Vec<&String> = doc.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(keys, ["schema_version", "command", "error"]);
        let malformed = Error::Tlv(crate::tlv::TlvReader::new(&[0x61, 0x05, 0x01]).read().unwrap_err());
        assert_eq!(ErrorKind::of(&malformed), ErrorKind::Input);
    }

    #[test]
    fn inspect_reports_a_truncated_file_without_its_content() {
        let item = inspect("dg1.bin", &[0x61, 0x5B, 0x5F, 0x1F]);
        assert_eq!(item["path"], "dg1.bin");
        assert_eq!(item["ok"], false);
        assert!(item["error"].as_str().is_some_and(|e| !e.is_empty()), "{item}");
        let item = inspect_tree("x", &[0x04, 0x02, 0xAB, 0xCD]);
        assert_eq!(item["content"][0]["value"], "ABCD");
    }
}
