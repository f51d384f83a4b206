//! The one place that decides whether a chip is genuine.
//!
//! A [`Verifier`] holds a [`TrustStore`] and a [`Policy`] and turns what was read — a reader session
//! ([`ReadResult`]: files, protected and missing files, the access that ran, Chip and Active Authentication) or
//! a folder of files — into a [`Verification`]: a typed [`Verdict`], every [`Finding`] (the document's expiry
//! first) and the per-check report behind it. Nothing else in the crate decides: the reader, the personalizer
//! (before LOCK, with [`Policy::personalizer`]) and every command of the command line ask the verifier.
//!
//! The rules, in order (the first that applies names the verdict):
//!
//! 1. **Tampered**: a data group's hash differs or is not signed, the `messageDigest` or the SOD's signature
//!    fails, EF.SOD does not decode, EF.CardSecurity's `messageDigest` or signature fails or it does not decode,
//!    or (personalizer) a file differs from the image.
//! 2. **Clone suspected**: Chip or Active Authentication ran and failed (the chip does not hold the key its
//!    signed DG14/DG15 names, or, with PACE-CAM, the key EF.CardSecurity holds).
//! 3. **Untrusted**: the Document Signer does not chain to a trusted CSCA (unknown, bad signature, CSCA out of
//!    validity), is revoked, or is out of its own validity (EF.SOD's or EF.CardSecurity's signer).
//! 4. **Incomplete**: a file EF.COM or the SOD lists is absent or unreadable, a mandatory file (DG1, DG2, a
//!    CCCD's DG13) is absent, no EF.SOD, or a check the policy requires could not run (no trust anchor, an
//!    unsupported algorithm, Chip Authentication not run although DG14 is there, a chip key from an
//!    EF.CardSecurity whose signature did not pass, …).
//! 5. Otherwise **Genuine**. An expired document is a finding (`document_expired`, shown first), never a
//!    verdict of its own: "authentic chip, expired document".

mod card_security;
mod verdict;

pub use verdict::{CheckName, ChipProtocol, Finding, FindingCode, Severity, Verdict, VerdictObject};

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::lds::LdsFile;
use crate::pa::{CardSecurityReport, Check, HashCheck, PassiveAuthReport, Reason, TrustStore};
use crate::reader::{Access, ChipKeySource, ReadResult};

/// When a chip check (Chip or Active Authentication) is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Counted when it ran; its absence does not matter.
    Optional,
    /// Required when the chip offers it (DG14 for Chip Authentication, DG15 for Active Authentication).
    WhenOffered,
    /// Always required.
    Always,
}

/// What a verifier requires before it says genuine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// A trusted CSCA must vouch for the Document Signer.
    pub trust_anchor: bool,
    /// Data groups that must be present.
    pub mandatory: Vec<LdsFile>,
    /// Data groups that must be present on a CCCD (DG1 says `I…` issued by `VNM`).
    pub mandatory_for_cccd: Vec<LdsFile>,
    /// Chip Authentication.
    pub chip_authentication: Requirement,
    /// Active Authentication.
    pub active_authentication: Requirement,
    /// Files the chip must hold byte for byte (the image, before LOCK).
    pub expected_files: Option<BTreeMap<LdsFile, Vec<u8>>>,
}

fn dgs(numbers: &[u8]) -> Vec<LdsFile> {
    numbers.iter().filter_map(|n| LdsFile::dg(*n)).collect()
}

impl Policy {
    /// A counter verifier's: a trusted CSCA required; DG1 and DG2 mandatory, and DG13 on a CCCD; Chip and
    /// Active Authentication required when DG14/DG15 are present.
    pub fn counter() -> Self {
        Policy {
            trust_anchor: true,
            mandatory: dgs(&[1, 2]),
            mandatory_for_cccd: dgs(&[13]),
            chip_authentication: Requirement::WhenOffered,
            active_authentication: Requirement::WhenOffered,
            expected_files: None,
        }
    }

    /// The personalizer's before LOCK: no trust anchor yet, but every file of the image on the chip byte for
    /// byte, every listed file present, and every key check the image offers passing.
    pub fn personalizer(image_files: BTreeMap<LdsFile, Vec<u8>>) -> Self {
        Policy {
            trust_anchor: false,
            mandatory: Vec::new(),
            mandatory_for_cccd: Vec::new(),
            chip_authentication: Requirement::WhenOffered,
            active_authentication: Requirement::WhenOffered,
            expected_files: Some(image_files),
        }
    }

    /// A strict demo's: a trust anchor, DG1, DG2 and DG13, and both Chip and Active Authentication.
    pub fn strict() -> Self {
        Policy {
            trust_anchor: true,
            mandatory: dgs(&[1, 2, 13]),
            mandatory_for_cccd: Vec::new(),
            chip_authentication: Requirement::Always,
            active_authentication: Requirement::Always,
            expected_files: None,
        }
    }
}

/// The per-check report behind a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Passive Authentication, when an EF.SOD was there and decoded.
    pub passive_authentication: Option<PassiveAuthReport>,
    /// Whether Passive Authentication passed under the policy (hashes, digest, signature, DS validity and,
    /// when required, the chain).
    pub passive_authentication_passed: bool,
    /// Chip Authentication as it counts: a pass the verified SOD does not vouch for is not checked.
    pub chip_authentication: Check,
    /// Active Authentication as it counts.
    pub active_authentication: Check,
    /// EF.CardSecurity's own signature report, when the chip or folder had one that decoded.
    pub card_security: Option<CardSecurityReport>,
    /// Whether EF.CardSecurity's signature passed under the policy (`false` when there is none).
    pub card_security_passed: bool,
    /// Where the chip key that Chip Authentication (or PACE-CAM) checked came from.
    pub chip_key_source: Option<ChipKeySource>,
    /// The access control that ran (`None` for a folder of files).
    pub access: Option<Access>,
    /// Files listed that the chip protects.
    pub protected: Vec<LdsFile>,
    /// Files listed (EF.COM, the SOD) or mandatory that were not read.
    pub missing: Vec<LdsFile>,
    /// The document's date of expiry (DG1), when it has one.
    #[serde(serialize_with = "option_date")]
    pub date_of_expiry: Option<Date>,
    /// The date checked at.
    #[serde(serialize_with = "crate::pa::serialize_date")]
    pub checked_at: Date,
}

fn option_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// A verdict, its findings and the report behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The verdict.
    pub verdict: Verdict,
    /// Everything seen, `document_expired` first, then by severity.
    pub findings: Vec<Finding>,
    /// The per-check report.
    pub report: Report,
}

impl Verification {
    /// One sentence for a person.
    pub fn summary(&self) -> String {
        let expired = self.findings.iter().any(|f| f.code == FindingCode::DocumentExpired);
        let first_error = self.findings.iter().find(|f| f.severity == Severity::Error).map(|f| f.message.as_str());
        let why = |s: &str| first_error.map(|e| format!("{s}: {e}.")).unwrap_or_else(|| format!("{s}."));
        match &self.verdict {
            Verdict::Genuine if expired => "Authentic chip, expired document.".into(),
            Verdict::Genuine => "Authentic chip: every required check passed.".into(),
            Verdict::Tampered { .. } => why("Tampered: the files are not what the issuer signed"),
            Verdict::Untrusted { reason } => format!("Untrusted: the signature is intact but {reason}."),
            Verdict::CloneSuspected { protocol, reason } => {
                let (name, file) = match protocol {
                    ChipProtocol::ChipAuthentication => ("Chip Authentication", "DG14"),
                    ChipProtocol::ActiveAuthentication => ("Active Authentication", "DG15"),
                };
                format!("Clone suspected: the files verify but the chip did not prove {file}'s key ({name}: {reason}).")
            }
            Verdict::Incomplete { .. } => why("Incomplete: not everything required could be checked"),
        }
    }

    /// The `verdict` object of the JSON contract.
    pub fn verdict_object(&self) -> VerdictObject<'_> {
        VerdictObject { value: self.verdict.value(), summary: self.summary(), findings: &self.findings }
    }
}

/// Decides, under a [`Policy`], against a [`TrustStore`].
#[derive(Debug, Clone)]
pub struct Verifier<'t> {
    trust: &'t TrustStore,
    policy: Policy,
    at: Option<Date>,
}

/// What was read, however it was read.
struct Evidence<'a> {
    files: &'a BTreeMap<LdsFile, Vec<u8>>,
    protected: &'a [LdsFile],
    access: Option<&'a Access>,
    chip_authentication: Check,
    active_authentication: Check,
    chip_key_source: Option<ChipKeySource>,
}

impl<'t> Verifier<'t> {
    /// A verifier trusting `trust` under `policy`, checking as of today.
    pub fn new(trust: &'t TrustStore, policy: Policy) -> Self {
        Verifier { trust, policy, at: None }
    }

    /// Checks certificates and the document's expiry as of `at` instead of today.
    pub fn at(mut self, at: Option<Date>) -> Self {
        self.at = at;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The verdict on a reader session.
    pub fn verify_read(&self, result: &ReadResult) -> Verification {
        self.evaluate(Evidence {
            files: &result.files,
            protected: &result.protected,
            access: Some(&result.access),
            chip_authentication: result.chip_authentication.clone(),
            active_authentication: result.active_authentication.clone(),
            chip_key_source: result.chip_key_source,
        })
    }

    /// The verdict on a folder of files, without a chip session: Chip and Active Authentication did not run
    /// (so a policy that requires them says incomplete when DG14/DG15 are there).
    pub fn verify_files(&self, files: &BTreeMap<LdsFile, Vec<u8>>) -> Verification {
        let not_run = Check::NotChecked(Reason::NotRun { why: "no chip session (files only)" });
        self.evaluate(Evidence {
            files,
            protected: &[],
            access: None,
            chip_authentication: not_run.clone(),
            active_authentication: not_run,
            chip_key_source: None,
        })
    }

    fn evaluate(&self, e: Evidence<'_>) -> Verification {
        let at = self.at.unwrap_or_else(|| OffsetDateTime::now_utc().date());
        let mut out = Outcome::default();
        let dg = |n| LdsFile::dg(n).unwrap_or(LdsFile::Sod);
        let dg1 = e.files.get(&dg(1)).and_then(|b| crate::lds::dg1::Dg1::decode(b).ok());
        let date_of_expiry = dg1.as_ref().and_then(|d| expiry(d.mrz().date_of_expiry()));
        if let Some(doe) = date_of_expiry.filter(|d| *d < at) {
            out.push(FindingCode::DocumentExpired, Severity::Warning, format!("the document expired on {doe}"));
        }

        // Passive Authentication
        let pa = match e.files.get(&LdsFile::Sod) {
            None => {
                out.push(FindingCode::SodMissing, Severity::Error, "no EF.SOD: nothing vouches for the files");
                out.missing.insert(LdsFile::Sod);
                out.not_checked.push(CheckName::PassiveAuthentication);
                None
            }
            Some(sod) => match crate::pa::verify_with_store(sod, e.files, Some(at), self.trust) {
                Ok(r) => Some(r),
                Err(err) => {
                    out.push(FindingCode::SodMalformed, Severity::Error, format!("EF.SOD does not decode: {err}"));
                    out.tampered = true;
                    None
                }
            },
        };
        let pa_passed = pa.as_ref().is_some_and(|r| self.passive_authentication(r, &mut out));

        // the files listed (EF.COM, the SOD) and the mandatory ones
        let com = e.files.get(&LdsFile::Com).and_then(|b| crate::lds::com::Com::decode(b).ok());
        let com_list: BTreeSet<LdsFile> = com.map(|c| c.data_groups().into_iter().collect()).unwrap_or_default();
        let sod_list: BTreeSet<LdsFile> = pa.as_ref().map(|r| r.listed().collect()).unwrap_or_default();
        if !com_list.is_empty() && !sod_list.is_empty() && com_list != sod_list {
            let names = |s: &BTreeSet<LdsFile>| s.iter().map(|f| f.name()).collect::<Vec<_>>().join(" ");
            out.push(
                FindingCode::ListsDisagree,
                Severity::Warning,
                format!("EF.COM lists {} but the SOD {}", names(&com_list), names(&sod_list)),
            );
        }
        for file in com_list.union(&sod_list) {
            if e.files.contains_key(file) {
                continue;
            }
            if e.protected.contains(file) {
                out.push(FindingCode::FileProtected, Severity::Info, format!("{file} is protected (not read)"));
            } else {
                out.push(
                    FindingCode::FileMissing,
                    Severity::Error,
                    format!("{file} is listed but absent or unreadable"),
                );
                out.missing.insert(*file);
            }
        }
        let cccd =
            dg1.as_ref().is_some_and(|d| d.mrz().issuing_state() == "VNM" && d.mrz().document_code().starts_with('I'));
        let mandatory = self.policy.mandatory.iter().chain(self.policy.mandatory_for_cccd.iter().filter(|_| cccd));
        for file in mandatory {
            if !e.files.contains_key(file) {
                let why = if e.protected.contains(file) { "protected" } else { "absent" };
                out.push(FindingCode::MandatoryFileMissing, Severity::Error, format!("{file} is mandatory but {why}"));
                out.missing.insert(*file);
            }
        }

        // the image, byte for byte (the personalizer)
        if let Some(expected) = &self.policy.expected_files {
            for (file, bytes) in expected {
                if e.protected.contains(file) {
                    continue;
                }
                match e.files.get(file) {
                    Some(b) if b == bytes => {}
                    Some(_) => {
                        out.push(
                            FindingCode::FileDiffers,
                            Severity::Error,
                            format!("{file} on the chip differs from the image"),
                        );
                        out.changed.insert(*file);
                    }
                    None => {
                        out.push(
                            FindingCode::FileMissing,
                            Severity::Error,
                            format!("{file} of the image is not on the chip"),
                        );
                        out.missing.insert(*file);
                    }
                }
            }
        }

        // EF.CardSecurity: its own signature, on the same path and trust store
        let (card_security, card_security_passed) = match e.files.get(&LdsFile::CardSecurity) {
            Some(bytes) => card_security::check(bytes, self.trust, &self.policy, at, &mut out),
            None => (None, false),
        };

        // Chip and Active Authentication, counted only when Passive Authentication vouches for their key (or,
        // for a key PACE-CAM proved against EF.CardSecurity, that file's signature)
        let sod_vouches = |file: LdsFile| match pa.as_ref().filter(|_| pa_passed) {
            None => Err(Reason::PassiveAuthenticationNotPassed),
            Some(pa) if pa.data_groups.get(&file) != Some(&HashCheck::Match) => Err(Reason::NotCovered { file }),
            Some(_) => Ok(()),
        };
        let ca_vouched = match e.chip_key_source {
            Some(ChipKeySource::CardSecurity) if card_security_passed => Ok(()),
            Some(ChipKeySource::CardSecurity) => Err(Reason::CardSecurityNotPassed),
            _ => sod_vouches(dg(14)),
        };
        let offers_ca = e.files.contains_key(&dg(14)) || e.chip_key_source == Some(ChipKeySource::CardSecurity);
        let chip_authentication =
            self.chip_check(ChipProtocol::ChipAuthentication, &e.chip_authentication, offers_ca, ca_vouched, &mut out);
        let active_authentication = self.chip_check(
            ChipProtocol::ActiveAuthentication,
            &e.active_authentication,
            e.files.contains_key(&dg(15)),
            sod_vouches(dg(15)),
            &mut out,
        );

        let verdict = out.verdict();
        let mut findings = out.findings;
        // expiry first, then errors, warnings, notes
        findings.sort_by_key(|f| (f.code != FindingCode::DocumentExpired, f.severity));
        Verification {
            verdict,
            findings,
            report: Report {
                passive_authentication: pa,
                passive_authentication_passed: pa_passed,
                chip_authentication,
                active_authentication,
                card_security,
                card_security_passed,
                chip_key_source: e.chip_key_source,
                access: e.access.cloned(),
                protected: e.protected.to_vec(),
                missing: out.missing.into_iter().collect(),
                date_of_expiry,
                checked_at: at,
            },
        }
    }

    /// The findings of a Passive Authentication report; whether it passed under the policy.
    fn passive_authentication(&self, r: &PassiveAuthReport, out: &mut Outcome) -> bool {
        let mut passed = true;
        for (file, h) in &r.data_groups {
            match h {
                HashCheck::Match | HashCheck::NotPresent => {}
                HashCheck::Mismatch => {
                    out.push(
                        FindingCode::HashMismatch,
                        Severity::Error,
                        format!("{file} differs from the signed hash"),
                    );
                    out.changed.insert(*file);
                    passed = false;
                }
                HashCheck::NotListed => {
                    out.push(FindingCode::FileNotSigned, Severity::Error, format!("{file} is not listed in the SOD"));
                    out.changed.insert(*file);
                    passed = false;
                }
                HashCheck::Unsupported => {
                    let alg = r.hash_algorithm.name();
                    out.push(FindingCode::HashNotChecked, Severity::Error, format!("{file}: hash {alg} not supported"));
                    if !out.not_checked.contains(&CheckName::DataGroupHashes) {
                        out.not_checked.push(CheckName::DataGroupHashes);
                    }
                    passed = false;
                }
            }
        }
        for (name, check, code) in [
            (CheckName::MessageDigest, &r.message_digest, FindingCode::MessageDigestFailed),
            (CheckName::Signature, &r.signature, FindingCode::SignatureFailed),
        ] {
            match check {
                Check::Passed => {}
                Check::Failed(reason) => {
                    out.push(code, Severity::Error, format!("{}: {reason}", name.as_str()));
                    out.signature.get_or_insert_with(|| reason.clone());
                    passed = false;
                }
                Check::NotChecked(reason) => {
                    out.push(code, Severity::Error, format!("{} not checked: {reason}", name.as_str()));
                    out.not_checked.push(name);
                    passed = false;
                }
            }
        }
        match &r.ds_certificate_validity {
            Check::Passed => {}
            Check::Failed(reason) => {
                out.push(FindingCode::DsCertificateInvalid, Severity::Error, reason.to_string());
                out.untrusted.get_or_insert_with(|| reason.clone());
                passed = false;
            }
            Check::NotChecked(reason) => {
                out.push(FindingCode::DsCertificateInvalid, Severity::Error, format!("not checked: {reason}"));
                out.not_checked.push(CheckName::DsCertificateValidity);
                passed = false;
            }
        }
        match (&r.csca_chain, &r.csca) {
            (Check::Passed, Some(anchor)) => {
                let from = match &anchor.source {
                    crate::pa::TrustSource::Given => String::new(),
                    crate::pa::TrustSource::File { path } => format!(" (trusted file {path})"),
                    crate::pa::TrustSource::MasterList { path, signer } => format!(
                        " (from the master list{}{})",
                        path.as_deref().map(|p| format!(" {p}")).unwrap_or_default(),
                        signer.as_deref().map(|s| format!(" signed by {s}")).unwrap_or_default()
                    ),
                };
                out.push(
                    FindingCode::VouchedBy,
                    Severity::Info,
                    format!("vouched for by CSCA {}{from}", anchor.subject),
                );
            }
            (Check::Passed, None) => {}
            (Check::NotChecked(Reason::NoTrustAnchor), _) if !self.policy.trust_anchor => {
                out.push(FindingCode::NoTrustAnchor, Severity::Info, "no trust anchor given (not required here)");
            }
            (Check::NotChecked(reason), _) => {
                let code = if *reason == Reason::NoTrustAnchor {
                    FindingCode::NoTrustAnchor
                } else {
                    FindingCode::CscaChainFailed
                };
                out.push(code, Severity::Error, format!("the chain to a trusted CSCA was not checked: {reason}"));
                out.not_checked.push(CheckName::CscaChain);
                passed = false;
            }
            (Check::Failed(reason), _) => {
                out.push(FindingCode::CscaChainFailed, Severity::Error, reason.to_string());
                out.untrusted.get_or_insert_with(|| reason.clone());
                passed = false;
            }
        }
        match &r.revocation {
            Check::Passed => {}
            Check::Failed(reason) => {
                out.push(FindingCode::Revoked, Severity::Error, reason.to_string());
                out.untrusted.get_or_insert_with(|| reason.clone());
                passed = false;
            }
            Check::NotChecked(reason) => {
                out.push(
                    FindingCode::RevocationNotChecked,
                    Severity::Info,
                    format!("revocation not checked: {reason}"),
                );
            }
        }
        passed
    }

    /// Chip or Active Authentication as it counts, with its findings.
    fn chip_check(
        &self,
        protocol: ChipProtocol,
        ran: &Check,
        offered: bool,
        vouched: Result<(), Reason>,
        out: &mut Outcome,
    ) -> Check {
        let (requirement, name, failed, not_checked) = match protocol {
            ChipProtocol::ChipAuthentication => (
                self.policy.chip_authentication,
                CheckName::ChipAuthentication,
                FindingCode::ChipAuthenticationFailed,
                FindingCode::ChipAuthenticationNotChecked,
            ),
            ChipProtocol::ActiveAuthentication => (
                self.policy.active_authentication,
                CheckName::ActiveAuthentication,
                FindingCode::ActiveAuthenticationFailed,
                FindingCode::ActiveAuthenticationNotChecked,
            ),
        };
        let label = name.as_str().replace('_', " ");
        let counted = match ran {
            Check::Passed => match vouched {
                Err(reason) => Check::NotChecked(reason),
                Ok(()) => Check::Passed,
            },
            other => other.clone(),
        };
        let required = match requirement {
            Requirement::Optional => false,
            Requirement::WhenOffered => offered,
            Requirement::Always => true,
        };
        match &counted {
            Check::Passed => {}
            Check::Failed(reason) => {
                out.push(failed, Severity::Error, format!("{label} failed: {reason}"));
                out.clone_suspected.get_or_insert((protocol, reason.clone()));
            }
            Check::NotChecked(reason) if required => {
                out.push(not_checked, Severity::Error, format!("{label} required but not checked: {reason}"));
                out.not_checked.push(name);
            }
            Check::NotChecked(reason) => {
                out.push(not_checked, Severity::Info, format!("{label} not checked: {reason}"));
            }
        }
        counted
    }
}

/// `YYMMDD` of an MRZ date of expiry as a date (20YY; `<<<<<<` and malformed dates: none).
fn expiry(yymmdd: &str) -> Option<Date> {
    let n = |r: core::ops::Range<usize>| yymmdd.get(r).and_then(|s| s.parse::<u8>().ok());
    let (yy, mm, dd) = (n(0..2)?, n(2..4)?, n(4..6)?);
    let month = time::Month::try_from(mm).ok()?;
    Date::from_calendar_date(2000 + i32::from(yy), month, dd).ok()
}

/// What the rules collected.
#[derive(Default)]
struct Outcome {
    findings: Vec<Finding>,
    tampered: bool,
    changed: BTreeSet<LdsFile>,
    signature: Option<Reason>,
    untrusted: Option<Reason>,
    clone_suspected: Option<(ChipProtocol, Reason)>,
    missing: BTreeSet<LdsFile>,
    not_checked: Vec<CheckName>,
}

impl Outcome {
    fn push(&mut self, code: FindingCode, severity: Severity, message: impl Into<String>) {
        self.findings.push(Finding::new(code, severity, message));
    }

    fn verdict(&self) -> Verdict {
        if self.tampered || !self.changed.is_empty() || self.signature.is_some() {
            return Verdict::Tampered {
                files: self.changed.iter().copied().collect(),
                signature: self.signature.clone(),
            };
        }
        if let Some((protocol, reason)) = &self.clone_suspected {
            return Verdict::CloneSuspected { protocol: *protocol, reason: reason.clone() };
        }
        if let Some(reason) = &self.untrusted {
            return Verdict::Untrusted { reason: reason.clone() };
        }
        if !self.missing.is_empty() || !self.not_checked.is_empty() {
            return Verdict::Incomplete {
                missing: self.missing.iter().copied().collect(),
                not_checked: self.not_checked.clone(),
            };
        }
        Verdict::Genuine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates() {
        assert_eq!(expiry("390115"), Date::from_calendar_date(2039, time::Month::January, 15).ok());
        assert_eq!(expiry("<<<<<<"), None);
        assert_eq!(expiry("391315"), None);
    }
}
