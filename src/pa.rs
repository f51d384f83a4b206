//! Passive Authentication (ICAO 9303-11 §5.1): are the data groups the ones the Document Signer signed?
//!
//! Every check has its own verdict, so a verifier can show which passed, which failed and which could not be
//! done — never a bare bool. This module checks the SOD against the files read and against the Document Signer
//! certificate it carries; the chain to a trusted CSCA is reported as not checked (trust stores come with the
//! PKI module).

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
    }
}

/// Checks `sod` against the data groups read, as of `at` (today when `None`), without trusted CSCAs (the chain
/// is reported as not checked).
pub fn verify(sod: &[u8], files: &BTreeMap<LdsFile, Vec<u8>>, at: Option<Date>) -> Result<PassiveAuthReport, LdsError> {
    verify_with_trust(sod, files, at, &[])
}

/// The Document Signer certificate's chain: a trusted CSCA with the DS's issuer name whose key verifies the DS
/// certificate's signature, valid as of `at`.
fn chain(ds: &x509_cert::Certificate, trust: &[x509_cert::Certificate], at: Date) -> Check {
    use der::Encode;
    if trust.is_empty() {
        return Check::NotChecked("no trusted CSCA certificates given".into());
    }
    let issuer = ds.tbs_certificate().issuer();
    let candidates: Vec<_> = trust.iter().filter(|c| c.tbs_certificate().subject() == issuer).collect();
    if candidates.is_empty() {
        return Check::Failed("unknown CSCA: no trusted certificate has the DS issuer's name".into());
    }
    let Ok(tbs) = ds.tbs_certificate().to_der() else { return Check::Failed("DS certificate does not encode".into()) };
    let Some(sig) = ds.signature().as_bytes() else { return Check::Failed("DS signature has unused bits".into()) };
    let Ok(alg) = SignatureAlgorithm::from_algorithm_identifier(ds.signature_algorithm(), None) else {
        return Check::NotChecked("unsupported DS certificate signature algorithm".into());
    };
    for csca in candidates {
        let Ok(key) = PublicKey::from_spki(csca.tbs_certificate().subject_public_key_info()) else { continue };
        if alg.verify(&key, &tbs, sig).is_ok() {
            let v = csca.tbs_certificate().validity();
            let day = |t: &x509_cert::time::Time| OffsetDateTime::from(t.to_system_time()).date();
            if at < day(&v.not_before) || at > day(&v.not_after) {
                return Check::Failed(format!("the CSCA certificate is not valid as of {at}"));
            }
            return Check::Passed;
        }
    }
    Check::Failed("bad signature: no trusted CSCA of that name signed the DS certificate".into())
}

/// [`verify`] with trusted CSCA certificates: the DS certificate must be signed by one of them.
pub fn verify_with_trust(
    sod: &[u8],
    files: &BTreeMap<LdsFile, Vec<u8>>,
    at: Option<Date>,
    trust: &[x509_cert::Certificate],
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
    let Some(si) = sod.signer_infos.first() else {
        let missing = Check::Failed("the SOD has no signer info".into());
        return Ok(PassiveAuthReport {
            hash_algorithm: crate::oid::name(&lso.hash_algorithm.oid),
            data_groups,
            message_digest: missing.clone(),
            signature: missing,
            ds_certificate_validity: Check::NotChecked("no signer".into()),
            csca_chain: Check::NotChecked("no signer".into()),
        });
    };
    let digest = HashAlgorithm::from_oid(&si.digest_algorithm.oid);
    let message_digest = match (&si.signed_attributes, digest) {
        (Some(a), Some(d)) => match a.message_digest() {
            Some(md) if crate::crypto::sym::mac_eq(&md, &d.digest(sod.econtent())) => Check::Passed,
            Some(_) => Check::Failed("messageDigest differs from the hash of the LDSSecurityObject".into()),
            None => Check::Failed("no messageDigest attribute".into()),
        },
        (None, _) => Check::NotChecked("no signed attributes".into()),
        (_, None) => Check::NotChecked("unsupported digest algorithm".into()),
    };
    let cert = sod.certificates.first();
    let signature = match cert {
        None => Check::NotChecked("no Document Signer certificate in the SOD".into()),
        Some(c) => {
            let key = PublicKey::from_spki(c.tbs_certificate().subject_public_key_info());
            let alg = SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, digest);
            let signed = match &si.signed_attributes {
                Some(a) => a.signed_bytes(),
                None => sod.econtent().to_vec(),
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
    let ds_certificate_validity = match cert {
        None => Check::NotChecked("no Document Signer certificate in the SOD".into()),
        Some(c) => {
            let v = c.tbs_certificate().validity();
            let day = |t: &x509_cert::time::Time| OffsetDateTime::from(t.to_system_time()).date();
            let at = at.unwrap_or_else(|| OffsetDateTime::now_utc().date());
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
    Ok(PassiveAuthReport {
        hash_algorithm: crate::oid::name(&lso.hash_algorithm.oid),
        data_groups,
        message_digest,
        signature,
        ds_certificate_validity,
        csca_chain: match cert {
            Some(c) => chain(c, trust, at.unwrap_or_else(|| OffsetDateTime::now_utc().date())),
            None => Check::NotChecked("no Document Signer certificate in the SOD".into()),
        },
    })
}
