//! Passive Authentication (ICAO 9303-11 §5.1): are the data groups the ones the Document Signer signed?
//!
//! Every check has its own verdict, so a verifier can show which passed, which failed and which could not be
//! done — never a bare bool: the data group hashes, the `messageDigest`, the CMS signature with the Document
//! Signer certificate (inside the SOD or supplied), the DS certificate's validity as of a date, its chain to a
//! trusted CSCA ([`TrustStore`]: files, folders, master lists whose own signature is checked, [`MasterList`])
//! and its revocation (CRLs, when given).

mod card_security;
mod check;
mod master_list;
pub mod signer;
mod trust;

pub use card_security::{CardSecurityReport, verify_card_security};
pub use check::{Check, Fault, Reason};
pub use master_list::{MasterList, MasterListError, MasterListReport};
pub use trust::{Anchor, MasterListPolicy, TrustError, TrustSource, TrustStore};

use std::collections::BTreeMap;

use der::asn1::ObjectIdentifier;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::crypto::hash::HashAlgorithm;
use crate::lds::sod::Sod;
use crate::lds::{LdsError, LdsFile};
use signer::{SignerView, validity, verify_signer};

/// One data group's hash check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HashCheck {
    /// The hash of the file read equals the one signed.
    Match,
    /// It differs: the file was changed.
    Mismatch,
    /// The SOD lists the data group but it was not read (or is protected).
    NotPresent,
    /// The data group was read but the SOD does not list it.
    NotListed,
    /// The SOD's hash algorithm is not one this verifier runs: the hash could not be checked.
    Unsupported,
}

/// The digest algorithm of the data group hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// One this crate computes.
    Supported(HashAlgorithm),
    /// Another (its OID).
    Unsupported(ObjectIdentifier),
}

impl DigestAlgorithm {
    fn of(oid: &ObjectIdentifier) -> Self {
        match HashAlgorithm::from_oid(oid) {
            Some(h) => DigestAlgorithm::Supported(h),
            None => DigestAlgorithm::Unsupported(*oid),
        }
    }

    /// Its name (`sha256`, …, or the OID's).
    pub fn name(&self) -> String {
        match self {
            DigestAlgorithm::Supported(h) => crate::oid::name(&h.oid()),
            DigestAlgorithm::Unsupported(o) => crate::oid::name(o),
        }
    }
}

/// As its name (JSON `"hash_algorithm": "sha256"`).
impl Serialize for DigestAlgorithm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

/// The Passive Authentication report: every check, none of them a verdict on its own (the
/// [verifier](crate::verify) decides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassiveAuthReport {
    /// The hash algorithm of the data group hashes.
    pub hash_algorithm: DigestAlgorithm,
    /// Each data group: the SOD's list and the files read.
    pub data_groups: BTreeMap<LdsFile, HashCheck>,
    /// The `messageDigest` signed attribute equals the hash of the LDSSecurityObject.
    pub message_digest: Check,
    /// The signer info's signature verifies with the Document Signer certificate's key.
    pub signature: Check,
    /// The Document Signer certificate is within its validity as of the date checked.
    pub ds_certificate_validity: Check,
    /// The Document Signer certificate chains to a trusted CSCA.
    pub csca_chain: Check,
    /// The Document Signer certificate is not revoked (a CRL from its CSCA, signed by it, does not list it);
    /// not checked when no CRL was given.
    pub revocation: Check,
    /// The Document Signer certificate's subject, when there is one.
    pub document_signer: Option<String>,
    /// The trusted CSCA that vouched (signed the DS certificate), and where it came from.
    pub csca: Option<Anchor>,
    /// The date the certificates were checked at.
    #[serde(serialize_with = "serialize_date")]
    pub checked_at: Date,
}

/// A date as `YYYY-MM-DD`.
pub(crate) fn serialize_date<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

impl PassiveAuthReport {
    /// The data groups the SOD lists.
    pub fn listed(&self) -> impl Iterator<Item = LdsFile> + '_ {
        self.data_groups.iter().filter(|(_, h)| **h != HashCheck::NotListed).map(|(f, _)| *f)
    }

    /// The first check of the signature and the chain that did not pass, with its name (`message_digest`,
    /// `signature`, `ds_certificate_validity`, `csca_chain`; a revocation check that could not run is not
    /// counted). A query on the report, not a verdict: data group hashes are not considered here.
    pub fn first_failure(&self) -> Option<(&'static str, &Check)> {
        [
            ("message_digest", &self.message_digest),
            ("signature", &self.signature),
            ("ds_certificate_validity", &self.ds_certificate_validity),
            ("csca_chain", &self.csca_chain),
            ("revocation", &self.revocation),
        ]
        .into_iter()
        .find(|(name, c)| !(c.passed() || (*name == "revocation" && matches!(c, Check::NotChecked(_)))))
    }

    /// Whether every data group read matches its signed hash (none changed, none unsigned).
    pub fn hashes_match(&self) -> bool {
        self.data_groups.values().all(|h| matches!(h, HashCheck::Match | HashCheck::NotPresent))
    }
}

/// The checks of a Document Signer's CMS signature (EF.SOD, EF.CardSecurity): digest, signature, certificate
/// validity, chain, revocation, and who signed and who vouched.
pub(crate) struct SignerChecks {
    pub(crate) message_digest: Check,
    pub(crate) signature: Check,
    pub(crate) ds_certificate_validity: Check,
    pub(crate) csca_chain: Check,
    pub(crate) revocation: Check,
    pub(crate) document_signer: Option<String>,
    pub(crate) csca: Option<Anchor>,
}

/// The one path that checks a Document Signer's signature: the signer ([`signer::verify_signer`]: its
/// certificate in the SignedData or supplied by `store`, the signed attributes, the signature), the DS
/// certificate's validity as of `at`, its chain to a trusted CSCA and its revocation. `view` is `None` when the
/// SignedData has no signer info.
pub(crate) fn signer_checks(
    container: &'static str,
    view: Option<&SignerView<'_>>,
    certificates: &[x509_cert::Certificate],
    store: &TrustStore,
    at: Date,
) -> SignerChecks {
    let Some(view) = view else {
        let missing = Check::Failed(Reason::NoSignerInfo { container });
        let no_signer = Check::NotChecked(Reason::Missing { what: "signer" });
        return SignerChecks {
            message_digest: missing.clone(),
            signature: missing,
            ds_certificate_validity: no_signer.clone(),
            csca_chain: no_signer.clone(),
            revocation: no_signer,
            document_signer: None,
            csca: None,
        };
    };
    // the DS certificate in the SignedData, or one the verifier supplied
    let signed = verify_signer(view, certificates, store.document_signers());
    let no_ds = || Check::NotChecked(Reason::NoSignerCertificate { role: "Document Signer", container });
    let (ds_certificate_validity, csca_chain, revocation, csca) = match signed.certificate {
        None => (no_ds(), no_ds(), no_ds(), None),
        Some(ds) => {
            let validity = Check::from_result(validity(ds, "DS", at));
            match store.issuer_of(ds) {
                Err(check) => (validity, check, Check::NotChecked(Reason::Missing { what: "trusted CSCA" }), None),
                Ok(csca) => {
                    let chain = match signer::validity(csca, "CSCA", at) {
                        Ok(()) => Check::Passed,
                        Err(r) => Check::Failed(r),
                    };
                    let anchor =
                        Anchor { subject: csca.tbs_certificate().subject().to_string(), source: store.source_of(csca) };
                    (validity, chain, store.revocation(ds, csca), Some(anchor))
                }
            }
        }
    };
    SignerChecks {
        message_digest: signed.signed_attributes,
        signature: signed.signature,
        ds_certificate_validity,
        csca_chain,
        revocation,
        document_signer: signed.certificate.map(|c| c.tbs_certificate().subject().to_string()),
        csca,
    }
}

/// Checks `sod` against the data groups read, as of `at` (today when `None`), without trusted CSCAs (the chain
/// is reported as not checked).
pub fn verify(sod: &[u8], files: &BTreeMap<LdsFile, Vec<u8>>, at: Option<Date>) -> Result<PassiveAuthReport, LdsError> {
    verify_with_store(sod, files, at, &TrustStore::new())
}

/// [`verify`] with trusted CSCA certificates: the DS certificate must be signed by one of them.
pub fn verify_with_trust(
    sod: &[u8],
    files: &BTreeMap<LdsFile, Vec<u8>>,
    at: Option<Date>,
    trust: &[x509_cert::Certificate],
) -> Result<PassiveAuthReport, LdsError> {
    verify_with_store(sod, files, at, &TrustStore::from_certificates(trust))
}

/// [`verify`] against a trust store (CSCAs, CRLs); keep one store for many documents.
pub fn verify_with_store(
    sod: &[u8],
    files: &BTreeMap<LdsFile, Vec<u8>>,
    at: Option<Date>,
    store: &TrustStore,
) -> Result<PassiveAuthReport, LdsError> {
    let sod = Sod::decode(sod)?;
    let at = at.unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let lso = &sod.lds_security_object;
    let hash = HashAlgorithm::from_oid(&lso.hash_algorithm.oid);
    let mut data_groups = BTreeMap::new();
    for h in &lso.data_group_hashes {
        let Some(file) = LdsFile::dg(h.number) else { continue };
        let verdict = match (files.get(&file), hash) {
            (None, _) => HashCheck::NotPresent,
            (Some(_), None) => HashCheck::Unsupported,
            (Some(bytes), Some(alg)) if crate::crypto::sym::mac_eq(&alg.digest(bytes), &h.hash) => HashCheck::Match,
            (Some(_), Some(_)) => HashCheck::Mismatch,
        };
        data_groups.insert(file, verdict);
    }
    for file in files.keys().filter(|f| f.dg_number().is_some()) {
        data_groups.entry(*file).or_insert(HashCheck::NotListed);
    }
    let hash_algorithm = DigestAlgorithm::of(&lso.hash_algorithm.oid);
    let view = SignerView::from_sod(&sod);
    let SignerChecks {
        message_digest,
        signature,
        ds_certificate_validity,
        csca_chain,
        revocation,
        document_signer,
        csca,
    } = signer_checks("SOD", view.as_ref(), &sod.certificates, store, at);
    Ok(PassiveAuthReport {
        hash_algorithm,
        data_groups,
        message_digest,
        signature,
        ds_certificate_validity,
        csca_chain,
        revocation,
        document_signer,
        csca,
        checked_at: at,
    })
}
