//! The verdict, its findings and the JSON object of the verdict contract.

use serde::Serialize;

use crate::lds::LdsFile;
use crate::pa::Reason;

/// Whether a chip is genuine, and if not, the class of the problem. Decided only by
/// [`Verifier`](super::Verifier); the [`Finding`]s say everything that was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Every check the policy requires ran and passed: the files are the ones the issuer signed, a trusted CSCA
    /// vouches for the signer (when the policy requires a trust anchor) and the chip proved its keys.
    Genuine,
    /// The files are not what the issuer signed: a data group's hash differs, a file is not signed, the SOD's
    /// signature or digest fails, or (before LOCK) the chip holds other bytes than the image.
    Tampered {
        /// The files found changed, unsigned or different (empty when only the signature is at fault).
        files: Vec<LdsFile>,
        /// Why the signature failed, when it did.
        signature: Option<Reason>,
    },
    /// The signature is intact but nothing the verifier trusts vouches for it: unknown CSCA, a chain that does
    /// not verify, a revoked or out-of-validity Document Signer.
    Untrusted {
        /// The first reason.
        reason: Reason,
    },
    /// The files verify but the chip does not hold the key they name: a copy of another chip's files.
    CloneSuspected {
        /// The protocol whose proof failed.
        protocol: ChipProtocol,
        /// Why.
        reason: Reason,
    },
    /// Something the policy requires could not be checked: a file listed but absent or unreadable, a mandatory
    /// data group missing, a check that could not run. Never genuine.
    Incomplete {
        /// Files listed (EF.COM, EF.SOD) or mandatory but not read.
        missing: Vec<LdsFile>,
        /// Checks the policy requires that could not run.
        not_checked: Vec<CheckName>,
    },
}

/// Chip Authentication or Active Authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChipProtocol {
    /// Chip Authentication (DG14's key), or PACE-CAM.
    ChipAuthentication,
    /// Active Authentication (DG15's key).
    ActiveAuthentication,
}

/// A check by name, as the JSON per-check fields name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckName {
    /// Passive Authentication as a whole (no EF.SOD, or one that does not decode).
    PassiveAuthentication,
    /// The data group hashes (an algorithm this verifier does not run).
    DataGroupHashes,
    /// The `messageDigest` signed attribute.
    MessageDigest,
    /// The SOD's signature.
    Signature,
    /// The DS certificate's validity.
    DsCertificateValidity,
    /// The DS certificate's chain to a trusted CSCA.
    CscaChain,
    /// Chip Authentication.
    ChipAuthentication,
    /// Active Authentication.
    ActiveAuthentication,
    /// EF.CardSecurity's signature.
    CardSecurity,
}

impl CheckName {
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::PassiveAuthentication => "passive_authentication",
            CheckName::DataGroupHashes => "data_group_hashes",
            CheckName::MessageDigest => "message_digest",
            CheckName::Signature => "signature",
            CheckName::DsCertificateValidity => "ds_certificate_validity",
            CheckName::CscaChain => "csca_chain",
            CheckName::ChipAuthentication => "chip_authentication",
            CheckName::ActiveAuthentication => "active_authentication",
            CheckName::CardSecurity => "card_security",
        }
    }
}

impl Verdict {
    /// The JSON `value`: `genuine`, `tampered`, `untrusted`, `clone_suspected`, `incomplete`.
    pub fn value(&self) -> &'static str {
        match self {
            Verdict::Genuine => "genuine",
            Verdict::Tampered { .. } => "tampered",
            Verdict::Untrusted { .. } => "untrusted",
            Verdict::CloneSuspected { .. } => "clone_suspected",
            Verdict::Incomplete { .. } => "incomplete",
        }
    }

    /// Whether the chip is genuine.
    pub fn is_genuine(&self) -> bool {
        *self == Verdict::Genuine
    }
}

impl core::fmt::Display for Verdict {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.value())
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Decides the verdict against the chip.
    Error,
    /// Worth a person's attention; the verdict may still be genuine (an expired document).
    Warning,
    /// For the record (who vouched, what was not required).
    Info,
}

/// What a finding is about (the JSON `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingCode {
    /// The document's date of expiry (DG1) is before the date checked: an authentic chip, an expired document.
    DocumentExpired,
    /// No EF.SOD: nothing vouches for the files.
    SodMissing,
    /// EF.SOD does not decode.
    SodMalformed,
    /// A data group's hash differs from the signed one.
    HashMismatch,
    /// A data group was read that the SOD does not list.
    FileNotSigned,
    /// The SOD's hash algorithm is not one this verifier runs.
    HashNotChecked,
    /// A file EF.COM or the SOD lists is absent or unreadable.
    FileMissing,
    /// A file the policy requires (DG1, DG2, a CCCD's DG13) is absent.
    MandatoryFileMissing,
    /// A listed file the chip protects (DG3/DG4 without Terminal Authentication).
    FileProtected,
    /// EF.COM and the SOD list different data groups.
    ListsDisagree,
    /// The `messageDigest` does not match, or could not be checked.
    MessageDigestFailed,
    /// The SOD's signature does not verify, or could not be checked.
    SignatureFailed,
    /// The DS certificate is out of its validity.
    DsCertificateInvalid,
    /// No trusted CSCA vouches for the DS certificate.
    CscaChainFailed,
    /// No trust anchor was given (required by the policy, or noted when not).
    NoTrustAnchor,
    /// The DS certificate is revoked.
    Revoked,
    /// Revocation was not checked (no CRL).
    RevocationNotChecked,
    /// The CSCA that vouched (subject and source).
    VouchedBy,
    /// Chip Authentication failed: the chip does not hold DG14's key.
    ChipAuthenticationFailed,
    /// Chip Authentication could not run or does not count.
    ChipAuthenticationNotChecked,
    /// Active Authentication failed: the chip does not hold DG15's key.
    ActiveAuthenticationFailed,
    /// Active Authentication could not run or does not count.
    ActiveAuthenticationNotChecked,
    /// A file on the chip differs from the image written (personalization).
    FileDiffers,
    /// EF.CardSecurity does not decode.
    CardSecurityMalformed,
    /// EF.CardSecurity's `messageDigest` or signature fails, or its Document Signer is out of validity, does
    /// not chain to a trusted CSCA or is revoked.
    CardSecurityFailed,
    /// EF.CardSecurity's signature could not be checked.
    CardSecurityNotChecked,
}

/// One thing the verifier saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is about.
    pub code: FindingCode,
    /// How much it matters.
    pub severity: Severity,
    /// A sentence for a person (no personal data beyond the dates and names of certificates).
    pub message: String,
}

impl Finding {
    pub(crate) fn new(code: FindingCode, severity: Severity, message: impl Into<String>) -> Self {
        Finding { code, severity, message: message.into() }
    }
}

/// The `verdict` object of the JSON contract: `{"value", "summary", "findings"}`.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictObject<'a> {
    /// `genuine`, `tampered`, `untrusted`, `clone_suspected`, `incomplete`.
    pub value: &'static str,
    /// One sentence for a person.
    pub summary: String,
    /// Every finding, `document_expired` first.
    pub findings: &'a [Finding],
}
