//! Passive Authentication (ICAO 9303-11 §5.1): are the data groups the ones the Document Signer signed?
//!
//! Every check has its own verdict, so a verifier can show which passed, which failed and which could not be
//! done — never a bare bool: the data group hashes, the `messageDigest`, the CMS signature with the Document
//! Signer certificate (inside the SOD or supplied), the DS certificate's validity as of a date, its chain to a
//! trusted CSCA ([`TrustStore`]: files, folders, master lists whose own signature is checked, [`MasterList`])
//! and its revocation (CRLs, when given).

mod card_security;
mod master_list;
mod trust;

pub use card_security::{CardSecurityReport, verify_card_security};

pub use master_list::{MasterList, MasterListError, MasterListReport};
pub use trust::{MasterListPolicy, TrustError, TrustStore};

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::crypto::signature::SignatureAlgorithm;
use crate::lds::sod::Sod;
use crate::lds::{LdsError, LdsFile};

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
}

/// The verdict of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Check {
    /// Passed.
    Passed,
    /// Failed, and why.
    Failed(String),
    /// Could not be done, and why.
    NotChecked(String),
}

impl Check {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        *self == Check::Passed
    }
}

/// The Passive Authentication report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassiveAuthReport {
    /// The hash algorithm of the data group hashes.
    pub hash_algorithm: String,
    /// Each data group: the SOD's list and the files read.
    pub data_groups: BTreeMap<String, HashCheck>,
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
}

impl PassiveAuthReport {
    /// Whether the document is authentic: every data group read matches, the digest and the signature verify,
    /// the DS certificate is valid and chains to a trusted CSCA.
    pub fn is_valid(&self) -> bool {
        self.data_groups.values().all(|h| matches!(h, HashCheck::Match | HashCheck::NotPresent))
            && self.message_digest.passed()
            && self.signature.passed()
            && self.ds_certificate_validity.passed()
            && self.csca_chain.passed()
            && !matches!(self.revocation, Check::Failed(_))
    }
}

/// The checks of a CMS signer (EF.SOD, EF.CardSecurity): digest, signature, certificate validity, chain,
/// revocation.
pub(crate) struct SignerChecks {
    pub(crate) message_digest: Check,
    pub(crate) signature: Check,
    pub(crate) ds_certificate_validity: Check,
    pub(crate) csca_chain: Check,
    pub(crate) revocation: Check,
}

/// The one path that checks a Document Signer's CMS signature over `econtent`: the first signer info's
/// `messageDigest`, its signature with the DS certificate (in the SignedData or in `store`), the certificate's
/// validity as of `at`, its chain to a trusted CSCA and its revocation.
pub(crate) fn signer_checks(
    signer_infos: &[crate::lds::sod::SignerInfo],
    certificates: &[x509_cert::Certificate],
    econtent: &[u8],
    store: &TrustStore,
    at: Option<Date>,
) -> SignerChecks {
    let Some(si) = signer_infos.first() else {
        let missing = Check::Failed("no signer info".into());
        return SignerChecks {
            message_digest: missing.clone(),
            signature: missing,
            ds_certificate_validity: Check::NotChecked("no signer".into()),
            csca_chain: Check::NotChecked("no signer".into()),
            revocation: Check::NotChecked("no signer".into()),
        };
    };
    let digest = HashAlgorithm::from_oid(&si.digest_algorithm.oid);
    let message_digest = match (&si.signed_attributes, digest) {
        (Some(a), Some(d)) => match a.message_digest() {
            Some(md) if crate::crypto::sym::mac_eq(&md, &d.digest(econtent)) => Check::Passed,
            Some(_) => Check::Failed("messageDigest differs from the hash of the signed content".into()),
            None => Check::Failed("no messageDigest attribute".into()),
        },
        (None, _) => Check::NotChecked("no signed attributes".into()),
        (_, None) => Check::NotChecked("unsupported digest algorithm".into()),
    };
    // the DS certificate in the SignedData, or one the verifier supplied
    let cert = certificates.first().or_else(|| store.document_signer_for(&si.sid));
    let no_cert = || Check::NotChecked("no Document Signer certificate (none in the file, none supplied)".into());
    let signature = match cert {
        None => no_cert(),
        Some(c) => {
            let key = PublicKey::from_spki(c.tbs_certificate().subject_public_key_info());
            let alg = SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, digest);
            let signed = match &si.signed_attributes {
                Some(a) => a.signed_bytes(),
                None => econtent.to_vec(),
            };
            match (key, alg) {
                (Ok(key), Ok(alg)) => match alg.verify(&key, &signed, &si.signature) {
                    Ok(()) => Check::Passed,
                    Err(e) => Check::Failed(e.to_string()),
                },
                (Err(e), _) => Check::NotChecked(e.to_string()),
                (_, Err(e)) => Check::NotChecked(e.to_string()),
            }
        }
    };
    let at = at.unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let ds_certificate_validity = match cert {
        None => no_cert(),
        Some(c) => {
            let v = c.tbs_certificate().validity();
            let day = |t: &x509_cert::time::Time| OffsetDateTime::from(t.to_system_time()).date();
            let (from, to) = (day(&v.not_before), day(&v.not_after));
            if at < from {
                Check::Failed(format!("not yet valid as of {at} (valid from {from})"))
            } else if at > to {
                Check::Failed(format!("expired as of {at} (valid until {to})"))
            } else {
                Check::Passed
            }
        }
    };
    let (csca_chain, revocation) = match cert {
        Some(c) => chain(c, store, at),
        None => (no_cert(), no_cert()),
    };
    SignerChecks { message_digest, signature, ds_certificate_validity, csca_chain, revocation }
}

/// Checks `sod` against the data groups read, as of `at` (today when `None`), without trusted CSCAs (the chain
/// is reported as not checked).
pub fn verify(sod: &[u8], files: &BTreeMap<LdsFile, Vec<u8>>, at: Option<Date>) -> Result<PassiveAuthReport, LdsError> {
    verify_with_trust(sod, files, at, &[])
}

/// The Document Signer certificate's chain (a trusted CSCA with the DS's issuer name whose key verifies the DS
/// certificate's signature, valid as of `at`) and its revocation.
fn chain(ds: &x509_cert::Certificate, store: &TrustStore, at: Date) -> (Check, Check) {
    let csca = match store.issuer_of(ds) {
        Ok(c) => c,
        Err(check) => return (check, Check::NotChecked("no trusted CSCA".into())),
    };
    let v = csca.tbs_certificate().validity();
    let day = |t: &x509_cert::time::Time| OffsetDateTime::from(t.to_system_time()).date();
    let chain = if at < day(&v.not_before) || at > day(&v.not_after) {
        Check::Failed(format!("the CSCA certificate is not valid as of {at}"))
    } else {
        Check::Passed
    };
    (chain, store.revocation(ds, csca))
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
    let lso = &sod.lds_security_object;
    let hash = HashAlgorithm::from_oid(&lso.hash_algorithm.oid);
    let mut data_groups = BTreeMap::new();
    for h in &lso.data_group_hashes {
        let Some(file) = LdsFile::dg(h.number) else { continue };
        let verdict = match (files.get(&file), hash) {
            (Some(bytes), Some(alg)) if crate::crypto::sym::mac_eq(&alg.digest(bytes), &h.hash) => HashCheck::Match,
            (Some(_), _) => HashCheck::Mismatch,
            (None, _) => HashCheck::NotPresent,
        };
        data_groups.insert(file.name(), verdict);
    }
    for file in files.keys().filter(|f| f.dg_number().is_some()) {
        data_groups.entry(file.name()).or_insert(HashCheck::NotListed);
    }
    let SignerChecks { message_digest, signature, ds_certificate_validity, csca_chain, revocation } =
        signer_checks(&sod.signer_infos, &sod.certificates, sod.econtent(), store, at);
    Ok(PassiveAuthReport {
        hash_algorithm: crate::oid::name(&lso.hash_algorithm.oid),
        data_groups,
        message_digest,
        signature,
        ds_certificate_validity,
        csca_chain,
        revocation,
    })
}
