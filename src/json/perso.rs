//! The document of `cccd perso` (and the bindings' personalize).

use serde_json::{Value, json};

use crate::perso::{ChipStatus, PersoError, PersoReport};

/// The document of `cccd perso`: on success `locked`, `already_locked`, `holds_this_image`, `chip` (the
/// [`ChipStatus`]), `apdus`, `bytes_written`, `files_kept`, `verified_with`, `milliseconds` and the verifying
/// session's verdict fields ([`add_verification`](super::add_verification)); on failure `locked`,
/// `holds_this_image`, `chip`, `state` (what the chip is left as, in words), `bytes_written`, `error`,
/// `run_again` (whether running again can complete it) and, for an image the chip cannot hold, `unsupported`.
pub fn perso(result: &Result<PersoReport, PersoError>, status: ChipStatus, milliseconds: u64) -> Value {
    let chip = serde_json::to_value(status).unwrap_or_default();
    let v = match result {
        Ok(r) => {
            let mut v = json!({
                "locked": true,
                "already_locked": r.already_locked,
                "holds_this_image": true,
                "chip": chip,
                "apdus": r.apdus,
                "bytes_written": r.bytes_written,
                "files_kept": r.files_kept,
                "verified_with": r.reader_access,
                "milliseconds": milliseconds,
            });
            if let Some(verification) = &r.verification {
                super::add_verification(&mut v, verification);
            }
            v
        }
        Err(e) => {
            let resumable = matches!(e, PersoError::Transport(_) | PersoError::SecureMessaging(_));
            let state = match (status.locked, status.holds_this_image) {
                (Some(true), Some(false)) => "locked, holding another image: nothing written",
                (Some(true), _) => "locked",
                (Some(false), _) if status.bytes_written == 0 => "not locked, nothing written in this run",
                (Some(false), _) => "not locked, partly written: run again",
                (None, _) => "not reached",
            };
            let mut v = json!({
                "locked": status.locked,
                "holds_this_image": status.holds_this_image,
                "chip": chip,
                "state": state,
                "bytes_written": status.bytes_written,
                "error": e.to_string(),
                "run_again": resumable,
            });
            if let (PersoError::Unsupported { reasons, .. }, Some(o)) = (e, v.as_object_mut()) {
                o.insert("unsupported".into(), reasons.iter().map(ToString::to_string).collect());
            }
            v
        }
    };
    super::document("perso", v)
}
