//! The verifier's rules for EF.CardSecurity (ICAO 9303-11 §9.2, BSI TR-03110-3): the Document Signer's
//! signature over the chip's SecurityInfos, checked on the same path as EF.SOD's (`pa::signer`) against the same
//! trust store. A bad signature is tampering (the chip's SecurityInfos are not what the issuer signed); a Document
//! Signer that is out of validity, revoked or not chained to a trusted CSCA is untrusted; a chip key that
//! PACE-CAM proved against EF.CardSecurity counts only when this signature passed.

use time::Date;

use super::{CheckName, FindingCode, Outcome, Policy, Severity};
use crate::pa::{CardSecurityReport, Check, Reason, TrustStore};

/// EF.CardSecurity's report and whether it passed under `policy` (no trust anchor needed when the policy
/// requires none); its findings go to `out`.
pub(super) fn check(
    bytes: &[u8],
    trust: &TrustStore,
    policy: &Policy,
    at: Date,
    out: &mut Outcome,
) -> (Option<CardSecurityReport>, bool) {
    let report = match crate::pa::verify_card_security(bytes, trust, Some(at)) {
        Ok(r) => r,
        Err(e) => {
            out.push(
                FindingCode::CardSecurityMalformed,
                Severity::Error,
                format!("EF.CardSecurity does not decode: {e}"),
            );
            out.tampered = true;
            return (None, false);
        }
    };
    let mut passed = true;
    for (what, c) in [("messageDigest", &report.message_digest), ("signature", &report.signature)] {
        match c {
            Check::Passed => {}
            Check::Failed(reason) => {
                out.push(
                    FindingCode::CardSecurityFailed,
                    Severity::Error,
                    format!("EF.CardSecurity's {what}: {reason}"),
                );
                out.tampered = true;
                passed = false;
            }
            Check::NotChecked(reason) => {
                let message = format!("EF.CardSecurity's {what} not checked: {reason}");
                out.push(FindingCode::CardSecurityNotChecked, Severity::Error, message);
                not_checked(out);
                passed = false;
            }
        }
    }
    for (what, c) in [
        ("Document Signer certificate", &report.ds_certificate_validity),
        ("chain to a trusted CSCA", &report.csca_chain),
        ("revocation", &report.revocation),
    ] {
        let revocation = std::ptr::eq(c, &report.revocation);
        match c {
            Check::Passed => {}
            Check::Failed(reason) => {
                out.push(
                    FindingCode::CardSecurityFailed,
                    Severity::Error,
                    format!("EF.CardSecurity's {what}: {reason}"),
                );
                out.untrusted.get_or_insert_with(|| reason.clone());
                passed = false;
            }
            // revocation not checked is noted for the SOD already; no anchor where the policy needs none
            Check::NotChecked(_) if revocation => {}
            Check::NotChecked(Reason::NoTrustAnchor) if !policy.trust_anchor => {}
            Check::NotChecked(reason) => {
                let message = format!("EF.CardSecurity's {what} not checked: {reason}");
                out.push(FindingCode::CardSecurityNotChecked, Severity::Error, message);
                not_checked(out);
                passed = false;
            }
        }
    }
    (Some(report), passed)
}

fn not_checked(out: &mut Outcome) {
    if !out.not_checked.contains(&CheckName::CardSecurity) {
        out.not_checked.push(CheckName::CardSecurity);
    }
}
