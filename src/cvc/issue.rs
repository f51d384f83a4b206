//! Issuing an EAC PKI's certificates (ICAO 9303-12 §3.2, §4.2 Table 2): the CVCA (self-signed, with the
//! domain parameters; link certificates signed by the previous CVCA key), Document Verifiers (domestic or
//! foreign) and Inspection Systems, each within the validity period ICAO names for its role.

use super::{CertificateBody, Chat, CvCertificate, CvcDate, CvcError, CvcPublicKey, Reference, Role, TaAlgorithm};
use crate::crypto::public_key::PublicKey;
use crate::pki::Signer;

/// A certificate and the private key of its holder: what signs the next certificate down.
#[derive(Clone, Copy)]
pub struct Issuer<'a> {
    /// The issuer's certificate.
    pub certificate: &'a CvCertificate,
    /// The issuer's private key.
    pub key: &'a dyn Signer,
}

/// The validity period ICAO 9303-12 Table 2 names for a role, in days: CVCA 6 months to 3 years, DV 2 weeks to
/// 3 months, IS 1 day to 1 month.
pub fn validity_range(role: Role) -> core::ops::RangeInclusive<i64> {
    match role {
        Role::Cvca => 182..=1096,
        Role::DvDomestic | Role::DvForeign => 14..=92,
        Role::Terminal => 1..=31,
    }
}

fn check_validity(role: Role, effective: CvcDate, expiry: CvcDate) -> Result<(), CvcError> {
    let days = (expiry.date() - effective.date()).whole_days() + 1;
    if validity_range(role).contains(&days) {
        Ok(())
    } else {
        Err(CvcError::Unencodable(match role {
            Role::Cvca => "a CVCA validity outside 6 months to 3 years (ICAO 9303-12 Table 2)",
            Role::DvDomestic | Role::DvForeign => "a DV validity outside 2 weeks to 3 months (ICAO 9303-12 Table 2)",
            Role::Terminal => "an IS validity outside 1 day to 1 month (ICAO 9303-12 Table 2)",
        }))
    }
}

/// The access rights of an inspection-system CHAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    /// Read DG3 (fingerprints).
    pub dg3: bool,
    /// Read DG4 (iris).
    pub dg4: bool,
}

/// A self-signed CVCA certificate for `key` (its public key with the domain parameters).
pub fn cvca(
    chr: Reference,
    key: &dyn Signer,
    rights: Rights,
    effective: CvcDate,
    expiry: CvcDate,
) -> Result<CvCertificate, CvcError> {
    check_validity(Role::Cvca, effective, expiry)?;
    let algorithm = TaAlgorithm::of_signer(key)?;
    let body = CertificateBody {
        car: chr.clone(),
        public_key: CvcPublicKey::from_public_key(algorithm, &key.public_key()?, true)?,
        chr,
        chat: Chat::inspection_system(Role::Cvca, rights.dg3, rights.dg4),
        effective,
        expiry,
        extensions: Vec::new(),
    };
    body.sign(algorithm, key)
}

/// A CVCA link certificate: the new CVCA key (`new_key`, with domain parameters) certified by the previous one.
pub fn link(
    chr: Reference,
    new_key: &dyn Signer,
    previous: Issuer<'_>,
    rights: Rights,
    effective: CvcDate,
    expiry: CvcDate,
) -> Result<CvCertificate, CvcError> {
    check_validity(Role::Cvca, effective, expiry)?;
    let algorithm = TaAlgorithm::of_signer(new_key)?;
    let body = CertificateBody {
        car: previous.certificate.chr().clone(),
        public_key: CvcPublicKey::from_public_key(algorithm, &new_key.public_key()?, true)?,
        chr,
        chat: Chat::inspection_system(Role::Cvca, rights.dg3, rights.dg4),
        effective,
        expiry,
        extensions: Vec::new(),
    };
    body.sign(previous.certificate.body.public_key.algorithm, previous.key)
}

/// A certificate for `holder` (a DV or IS public key, written without domain parameters) signed by `issuer`;
/// the holder's algorithm is the issuer's (one algorithm per chain).
pub fn subordinate(
    chr: Reference,
    holder: &PublicKey,
    role: Role,
    rights: Rights,
    issuer: Issuer<'_>,
    effective: CvcDate,
    expiry: CvcDate,
) -> Result<CvCertificate, CvcError> {
    if role == Role::Cvca {
        return Err(CvcError::Unencodable("a CVCA certificate through subordinate (use cvca or link)"));
    }
    check_validity(role, effective, expiry)?;
    let algorithm = issuer.certificate.body.public_key.algorithm;
    let body = CertificateBody {
        car: issuer.certificate.chr().clone(),
        public_key: CvcPublicKey::from_public_key(algorithm, holder, false)?,
        chr,
        chat: Chat::inspection_system(role, rights.dg3, rights.dg4),
        effective,
        expiry,
        extensions: Vec::new(),
    };
    body.sign(algorithm, issuer.key)
}
