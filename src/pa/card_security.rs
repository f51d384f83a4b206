//! Passive Authentication of EF.CardSecurity: the Document Signer's signature over the chip's SecurityInfos,
//! checked on the same path as EF.SOD's (`pa::signer`) against the same trust store, with its own
//! report. A chip's key that PACE-CAM proved counts only when this report is valid.

use serde::Serialize;
use time::Date;

use super::signer::SignerView;
use super::{Anchor, Check, SignerChecks, TrustStore, signer_checks};
use crate::lds::LdsError;
use crate::lds::card_security::CardSecurity;

/// The Passive Authentication report of EF.CardSecurity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardSecurityReport {
    /// How many SecurityInfos the file holds.
    pub security_infos: usize,
    /// The eContentType is `id-SecurityObject` (decoding refuses any other, so this passed when a report exists).
    pub content_type: Check,
    /// The `messageDigest` signed attribute equals the hash of the SecurityInfos.
    pub message_digest: Check,
    /// The signer info's signature verifies with the Document Signer certificate's key.
    pub signature: Check,
    /// The Document Signer certificate is within its validity as of the date checked.
    pub ds_certificate_validity: Check,
    /// The Document Signer certificate chains to a trusted CSCA.
    pub csca_chain: Check,
    /// The Document Signer certificate is not revoked (not checked without a CRL).
    pub revocation: Check,
    /// The Document Signer's subject, when its certificate was found.
    pub document_signer: Option<String>,
    /// The trusted CSCA that vouched, and where it came from.
    pub csca: Option<Anchor>,
}

impl CardSecurityReport {
    /// Whether EF.CardSecurity is authentic: digest and signature verify, the DS certificate is valid and chains
    /// to a trusted CSCA, and is not revoked.
    pub fn is_valid(&self) -> bool {
        self.content_type.passed()
            && self.message_digest.passed()
            && self.signature.passed()
            && self.ds_certificate_validity.passed()
            && self.csca_chain.passed()
            && !matches!(self.revocation, Check::Failed(_))
    }
}

/// Checks EF.CardSecurity's signature against `store` as of `at` (today when `None`). A file that does not
/// decode is an error (the document's fault, with the offset).
pub fn verify_card_security(
    bytes: &[u8],
    store: &TrustStore,
    at: Option<Date>,
) -> Result<CardSecurityReport, LdsError> {
    let cs = CardSecurity::decode(bytes)?;
    let at = at.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let view = SignerView::from_card_security(&cs);
    let SignerChecks {
        message_digest,
        signature,
        ds_certificate_validity,
        csca_chain,
        revocation,
        document_signer,
        csca,
    } = signer_checks("EF.CardSecurity", view.as_ref(), &cs.certificates, store, at);
    Ok(CardSecurityReport {
        security_infos: cs.security_infos.infos().len(),
        content_type: Check::Passed,
        message_digest,
        signature,
        ds_certificate_validity,
        csca_chain,
        revocation,
        document_signer,
        csca,
    })
}
