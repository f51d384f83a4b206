//! The verdict of one check and the typed reason behind a check that failed or could not run.
//!
//! In the manner of rustls' certificate errors, a [`Reason`] says what is wrong with context (dates, files,
//! the algorithm) and [`Reason::fault`] says who is at fault: the document's signed data, its issuer, the
//! chip, the verifier's trust material, or this verifier (an algorithm it does not run). As JSON a check is
//! `{"status": "passed"}` or `{"status": "failed" | "not_checked", "code": "snake_case", "fault": "…",
//! "reason": "a sentence"}`.

use serde::Serialize;
use serde::ser::SerializeMap;
use time::Date;

use crate::lds::LdsFile;

/// The verdict of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Passed.
    Passed,
    /// Failed, and why.
    Failed(Reason),
    /// Could not be done, and why: never counted as passed.
    NotChecked(Reason),
}

impl Check {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        *self == Check::Passed
    }

    /// Whether the check ran and failed.
    pub fn failed(&self) -> bool {
        matches!(self, Check::Failed(_))
    }

    /// The reason of a check that did not pass.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Check::Passed => None,
            Check::Failed(r) | Check::NotChecked(r) => Some(r),
        }
    }

    /// `passed`, `failed` or `not_checked` (the JSON `status`).
    pub fn status(&self) -> &'static str {
        match self {
            Check::Passed => "passed",
            Check::Failed(_) => "failed",
            Check::NotChecked(_) => "not_checked",
        }
    }

    /// `Passed` when `result` is `Ok`, else `Failed` with its reason.
    pub fn from_result(result: Result<(), Reason>) -> Self {
        match result {
            Ok(()) => Check::Passed,
            Err(r) => Check::Failed(r),
        }
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reason = self.reason();
        let mut map = serializer.serialize_map(Some(if reason.is_some() { 4 } else { 1 }))?;
        map.serialize_entry("status", self.status())?;
        if let Some(r) = reason {
            map.serialize_entry("code", r.code())?;
            map.serialize_entry("fault", &r.fault())?;
            map.serialize_entry("reason", &r.to_string())?;
        }
        map.end()
    }
}

/// Who is at fault when a check does not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// The document's data or its signature: changed, damaged or malformed.
    Document,
    /// The document's issuer: its Document Signer certificate is out of its validity or revoked.
    Issuer,
    /// The chip: it did not prove a key, or does not offer the protocol.
    Chip,
    /// The verifier's trust material: no anchor, or none that vouches for this document.
    Trust,
    /// This verifier: an algorithm or a key form it does not run.
    Verifier,
}

/// Why a check failed or could not run. Carries no personal data or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    /// The SignedData has no signer info.
    #[error("the {container} has no signer info")]
    NoSignerInfo {
        /// `SOD`, `master list`.
        container: &'static str,
    },
    /// The signer info has no signed attributes.
    #[error("no signed attributes")]
    NoSignedAttributes,
    /// The signed attributes have no `messageDigest`.
    #[error("no messageDigest attribute")]
    NoMessageDigest,
    /// The `messageDigest` is not the hash of the signed content.
    #[error("messageDigest differs from the hash of the {content}")]
    MessageDigestMismatch {
        /// `LDSSecurityObject`, `CscaMasterList`.
        content: &'static str,
    },
    /// The signed attributes have no `contentType`.
    #[error("no contentType attribute")]
    NoContentType,
    /// The `contentType` attribute names other content.
    #[error("contentType attribute is {found}")]
    WrongContentType {
        /// The OID found (named when known).
        found: String,
    },
    /// The signature does not verify with the signer's key.
    #[error("the signature does not verify: {detail}")]
    BadSignature {
        /// What the verification said.
        detail: String,
    },
    /// No signer certificate: none in the SignedData and none supplied.
    #[error("no {role} certificate (none in the {container}, none supplied)")]
    NoSignerCertificate {
        /// `Document Signer`, `Master List Signer`.
        role: &'static str,
        /// `SOD`, `master list`.
        container: &'static str,
    },
    /// A certificate does not encode (its signature cannot be checked).
    #[error("the {role} certificate does not encode")]
    CertificateEncoding {
        /// Which certificate.
        role: &'static str,
    },
    /// A certificate is not valid yet as of the date checked.
    #[error("not yet valid as of {at} (the {role} certificate is valid from {from})")]
    NotYetValid {
        /// Which certificate.
        role: &'static str,
        /// The date checked.
        at: Date,
        /// Its first valid day.
        from: Date,
    },
    /// A certificate expired before the date checked.
    #[error("expired as of {at} (the {role} certificate is valid until {until})")]
    Expired {
        /// Which certificate.
        role: &'static str,
        /// The date checked.
        at: Date,
        /// Its last valid day.
        until: Date,
    },
    /// An algorithm this verifier does not run.
    #[error("unsupported {what}: {name}")]
    UnsupportedAlgorithm {
        /// `digest algorithm`, `signature algorithm`, `DS certificate signature algorithm`.
        what: &'static str,
        /// The algorithm (OID name).
        name: String,
    },
    /// A public key this verifier cannot use.
    #[error("the {role} key is not usable: {detail}")]
    UnusableKey {
        /// Whose key.
        role: &'static str,
        /// Why.
        detail: String,
    },
    /// No trust anchor was given: the chain could not be checked.
    #[error("no trusted CSCA certificates given")]
    NoTrustAnchor,
    /// No trusted certificate has the signer's issuer name.
    #[error("unknown CSCA: no trusted certificate has the DS issuer's name")]
    UnknownCsca,
    /// Trusted certificates have the issuer's name but none signed the certificate.
    #[error("bad signature: no trusted CSCA of that name signed the {role} certificate")]
    IssuerSignatureMismatch {
        /// Whose certificate.
        role: &'static str,
    },
    /// No anchor certified the signer (a master list's).
    #[error("no anchor certified the {role}")]
    SignerNotCertified {
        /// Which signer.
        role: &'static str,
    },
    /// The certificate was revoked (a CRL its CSCA signed lists it).
    #[error("the DS certificate was revoked on {on}")]
    Revoked {
        /// The revocation date.
        on: Date,
    },
    /// No CRL from the issuer was given.
    #[error("no CRL from the DS issuer given")]
    NoCrl,
    /// The signer's certificate is not a Master List Signer's.
    #[error("the signer certificate lacks extended key usage id-icao-cscaMasterListSigningKey")]
    NotMasterListSigner,
    /// A step could not run because an earlier one had nothing to work on.
    #[error("no {what}")]
    Missing {
        /// What is missing: `signer`, `anchor given`, `signer certificate`.
        what: &'static str,
    },
    /// The file that offers the protocol was not read or does not exist.
    #[error("no {file}: the chip offers no {protocol}")]
    NotOffered {
        /// DG14, DG15.
        file: LdsFile,
        /// `Chip Authentication`, `Active Authentication`.
        protocol: &'static str,
    },
    /// A file needed by the check does not decode.
    #[error("{file} does not decode: {detail}")]
    Undecodable {
        /// The file.
        file: LdsFile,
        /// The decoder's error.
        detail: String,
    },
    /// The chip did not prove it holds the private key (a wrong answer, a refused command).
    #[error("the chip did not prove its key: {detail}")]
    ChipProof {
        /// What failed.
        detail: String,
    },
    /// The protocol or its parameters are not supported here.
    #[error("unsupported: {detail}")]
    Unsupported {
        /// What.
        detail: String,
    },
    /// Passive Authentication did not pass, so a chip check cannot vouch for the document.
    #[error("Passive Authentication did not pass")]
    PassiveAuthenticationNotPassed,
    /// The file holding the key is not covered by the verified EF.SOD.
    #[error("{file} is not covered by the verified EF.SOD")]
    NotCovered {
        /// DG14, DG15.
        file: LdsFile,
    },
    /// The chip's key came from EF.CardSecurity (PACE-CAM), whose own signature did not pass.
    #[error("the key came from EF.CardSecurity, whose signature did not pass")]
    CardSecurityNotPassed,
    /// The check was not run (e.g. no reader session: a folder of files).
    #[error("not run: {why}")]
    NotRun {
        /// Why.
        why: &'static str,
    },
}

impl Reason {
    /// A stable `snake_case` identifier (the JSON `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NoSignerInfo { .. } => "no_signer_info",
            Reason::NoSignedAttributes => "no_signed_attributes",
            Reason::NoMessageDigest => "no_message_digest",
            Reason::MessageDigestMismatch { .. } => "message_digest_mismatch",
            Reason::NoContentType => "no_content_type",
            Reason::WrongContentType { .. } => "wrong_content_type",
            Reason::BadSignature { .. } => "bad_signature",
            Reason::NoSignerCertificate { .. } => "no_signer_certificate",
            Reason::CertificateEncoding { .. } => "certificate_encoding",
            Reason::NotYetValid { .. } => "not_yet_valid",
            Reason::Expired { .. } => "expired",
            Reason::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            Reason::UnusableKey { .. } => "unusable_key",
            Reason::NoTrustAnchor => "no_trust_anchor",
            Reason::UnknownCsca => "unknown_csca",
            Reason::IssuerSignatureMismatch { .. } => "issuer_signature_mismatch",
            Reason::SignerNotCertified { .. } => "signer_not_certified",
            Reason::Revoked { .. } => "revoked",
            Reason::NoCrl => "no_crl",
            Reason::NotMasterListSigner => "not_master_list_signer",
            Reason::Missing { .. } => "missing_input",
            Reason::NotOffered { .. } => "not_offered",
            Reason::Undecodable { .. } => "undecodable",
            Reason::ChipProof { .. } => "chip_proof_failed",
            Reason::Unsupported { .. } => "unsupported",
            Reason::PassiveAuthenticationNotPassed => "passive_authentication_not_passed",
            Reason::NotCovered { .. } => "not_covered_by_sod",
            Reason::CardSecurityNotPassed => "card_security_not_passed",
            Reason::NotRun { .. } => "not_run",
        }
    }

    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            Reason::NoSignerInfo { .. }
            | Reason::NoSignedAttributes
            | Reason::NoMessageDigest
            | Reason::MessageDigestMismatch { .. }
            | Reason::NoContentType
            | Reason::WrongContentType { .. }
            | Reason::BadSignature { .. }
            | Reason::NoSignerCertificate { .. }
            | Reason::CertificateEncoding { .. }
            | Reason::Missing { .. }
            | Reason::Undecodable { .. }
            | Reason::PassiveAuthenticationNotPassed
            | Reason::CardSecurityNotPassed
            | Reason::NotCovered { .. } => Fault::Document,
            Reason::NotYetValid { .. }
            | Reason::Expired { .. }
            | Reason::Revoked { .. }
            | Reason::NotMasterListSigner => Fault::Issuer,
            Reason::NoTrustAnchor
            | Reason::UnknownCsca
            | Reason::IssuerSignatureMismatch { .. }
            | Reason::SignerNotCertified { .. }
            | Reason::NoCrl => Fault::Trust,
            Reason::NotOffered { .. } | Reason::ChipProof { .. } => Fault::Chip,
            Reason::UnsupportedAlgorithm { .. }
            | Reason::UnusableKey { .. }
            | Reason::Unsupported { .. }
            | Reason::NotRun { .. } => Fault::Verifier,
        }
    }
}
