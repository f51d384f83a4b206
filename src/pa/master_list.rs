//! ICAO CSCA master lists (ICAO 9303-12 §9), with their own signature checked.
//!
//! ```text
//! ContentInfo { id-signedData, SignedData {
//!     encapContentInfo { id-icao-cscaMasterList (2.23.136.1.1.2),
//!                        CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate } },
//!     certificates { the Master List Signer certificate, … },
//!     signerInfos { one, signed by the Master List Signer } } }
//! ```
//!
//! A master list is trust material, so its own signature matters: [`MasterList::verify`] checks the signed
//! attributes (content type and `messageDigest`), the signature with the Master List Signer certificate, that
//! certificate's chain to an anchor (a CSCA the verifier already trusts, usually the publishing country's),
//! the validity of both as of a date, and that the signer's certificate is a Master List Signer's (extended key
//! usage `id-icao-cscaMasterListSigningKey`), each with its own [`Check`].
//!
//! Without an anchor of its own, a verifier can still check that a list is *intact*
//! ([`MasterListReport::is_intact`] after [`MasterList::verify_intact`]): signed by a signer that a CSCA in the
//! list itself certified. That catches corruption and editing by anyone without the signer's key, not a list
//! forged whole; tie the list to a CSCA you trust for that.

use der::{Decode, Encode};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use x509_cert::Certificate;

use super::Check;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::crypto::signature::SignatureAlgorithm;
use crate::oid;

/// Why bytes are not a CSCA master list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MasterListError {
    /// The DER does not decode as CMS `ContentInfo` / `SignedData`.
    #[error("not a CMS SignedData: {0}")]
    NotSignedData(String),
    /// The SignedData holds something else.
    #[error("SignedData content is {0}, not id-icao-cscaMasterList")]
    NotMasterList(String),
    /// The SignedData has no encapsulated content.
    #[error("master list without content")]
    NoContent,
    /// The content does not decode as `CscaMasterList`.
    #[error("CscaMasterList: {0}")]
    Content(String),
}

#[derive(der::Sequence)]
struct CscaMasterListAsn1 {
    version: u8,
    cert_list: der::asn1::SetOfVec<Certificate>,
}

/// A CSCA master list: the CSCA certificates it carries and what signed them.
#[derive(Clone)]
pub struct MasterList {
    version: u8,
    certificates: Vec<Certificate>,
    content: Vec<u8>,
    signed_data_certificates: Vec<Certificate>,
    signer_info: Option<cms::signed_data::SignerInfo>,
}

impl core::fmt::Debug for MasterList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MasterList")
            .field("version", &self.version)
            .field("certificates", &self.certificates.len())
            .field("signer", &self.signer_certificate().map(|c| c.tbs_certificate().subject().to_string()))
            .finish()
    }
}

/// The verdict on a master list's signature, check by check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MasterListReport {
    /// How many CSCA certificates the list carries.
    pub certificates: usize,
    /// The Master List Signer's subject, when its certificate is in the list's SignedData.
    pub signer: Option<String>,
    /// The signed attributes name the master list content type and carry its hash (`messageDigest`).
    pub signed_attributes: Check,
    /// The signer info's signature verifies with the Master List Signer certificate's key.
    pub signature: Check,
    /// The Master List Signer certificate is signed by an anchor (or is one).
    pub signer_chain: Check,
    /// The Master List Signer certificate and its anchor are within their validity as of the date checked.
    pub validity: Check,
    /// The Master List Signer certificate is one (ICAO 9303-12): extended key usage
    /// `id-icao-cscaMasterListSigningKey`.
    pub signer_key_usage: Check,
}

impl MasterListReport {
    /// Intact and trusted: every check passed.
    pub fn is_valid(&self) -> bool {
        self.is_intact() && self.validity.passed() && self.signer_key_usage.passed()
    }

    /// Intact: the content is what the signer signed and the signer chains to an anchor; dates not considered
    /// (master lists are kept in use after their signer's certificate expires).
    pub fn is_intact(&self) -> bool {
        self.signed_attributes.passed() && self.signature.passed() && self.signer_chain.passed()
    }

    /// The first check that did not pass, as a sentence (for errors).
    pub fn reason(&self) -> Option<String> {
        [
            ("signed attributes", &self.signed_attributes),
            ("signature", &self.signature),
            ("signer chain", &self.signer_chain),
            ("validity", &self.validity),
            ("signer key usage", &self.signer_key_usage),
        ]
        .into_iter()
        .find_map(|(name, c)| match c {
            Check::Passed => None,
            Check::Failed(r) => Some(format!("{name} failed: {r}")),
            Check::NotChecked(r) => Some(format!("{name} not checked: {r}")),
        })
    }
}

fn signed_data(bytes: &[u8]) -> Result<cms::signed_data::SignedData, MasterListError> {
    let ci =
        cms::content_info::ContentInfo::from_der(bytes).map_err(|e| MasterListError::NotSignedData(e.to_string()))?;
    if ci.content_type != oid::CMS_SIGNED_DATA {
        return Err(MasterListError::NotSignedData(format!("content type {}", oid::name(&ci.content_type))));
    }
    ci.content.decode_as().map_err(|e: der::Error| MasterListError::NotSignedData(e.to_string()))
}

fn day(t: &x509_cert::time::Time) -> Date {
    OffsetDateTime::from(t.to_system_time()).date()
}

fn within(cert: &Certificate, at: Date) -> bool {
    let v = cert.tbs_certificate().validity();
    day(&v.not_before) <= at && at <= day(&v.not_after)
}

/// Whether `issuer`'s key verifies `cert`'s signature (and the names match).
fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return false;
    }
    let (Ok(tbs), Some(sig), Ok(alg), Ok(key)) = (
        cert.tbs_certificate().to_der(),
        cert.signature().as_bytes(),
        SignatureAlgorithm::from_algorithm_identifier(cert.signature_algorithm(), None),
        PublicKey::from_spki(issuer.tbs_certificate().subject_public_key_info()),
    ) else {
        return false;
    };
    alg.verify(&key, &tbs, sig).is_ok()
}

/// Whether the certificate's extended key usage names `id-icao-cscaMasterListSigningKey`.
fn master_list_signing(cert: &Certificate) -> bool {
    use x509_cert::ext::pkix::ExtendedKeyUsage;
    cert.tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .filter(|e| e.extn_id == oid::EXTENDED_KEY_USAGE)
        .filter_map(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
        .any(|eku| eku.0.contains(&oid::ID_ICAO_MASTER_LIST_SIGNING_KEY))
}

impl MasterList {
    /// Decodes a master list (DER `ContentInfo`, as published in the ICAO PKD and by countries).
    pub fn from_der(bytes: &[u8]) -> Result<Self, MasterListError> {
        let sd = signed_data(bytes)?;
        if sd.encap_content_info.econtent_type != oid::ID_CSCA_MASTER_LIST {
            return Err(MasterListError::NotMasterList(oid::name(&sd.encap_content_info.econtent_type)));
        }
        let content = sd.encap_content_info.econtent.as_ref().ok_or(MasterListError::NoContent)?;
        let octets =
            content.decode_as::<der::asn1::OctetString>().map_err(|e| MasterListError::Content(e.to_string()))?;
        let list =
            CscaMasterListAsn1::from_der(octets.as_bytes()).map_err(|e| MasterListError::Content(e.to_string()))?;
        let signed_data_certificates = sd
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        Ok(MasterList {
            version: list.version,
            certificates: list.cert_list.into_vec(),
            content: octets.as_bytes().to_vec(),
            signed_data_certificates,
            signer_info: sd.signer_infos.0.iter().next().cloned(),
        })
    }

    /// The CSCA certificates the list carries.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The `CscaMasterList` version (0).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The Master List Signer certificate: the SignedData certificate the signer info names.
    pub fn signer_certificate(&self) -> Option<&Certificate> {
        let sid = &self.signer_info.as_ref()?.sid;
        self.signed_data_certificates.iter().find(|c| super::trust::names(sid, c))
    }

    /// Checks the list's signature and its signer's chain to one of `anchors` (CSCA certificates the verifier
    /// trusts), with validity as of `at` (today when `None`).
    pub fn verify(&self, anchors: &[Certificate], at: Option<Date>) -> MasterListReport {
        let at = at.unwrap_or_else(|| OffsetDateTime::now_utc().date());
        let signer = self.signer_certificate();
        let none = |what: &str| Check::NotChecked(format!("no {what}"));
        let Some(si) = &self.signer_info else {
            let missing = Check::Failed("the master list has no signer info".into());
            return MasterListReport {
                certificates: self.certificates.len(),
                signer: None,
                signed_attributes: missing.clone(),
                signature: missing,
                signer_chain: none("signer"),
                validity: none("signer"),
                signer_key_usage: none("signer"),
            };
        };
        let digest = HashAlgorithm::from_oid(&si.digest_alg.oid);
        let signed_attributes = match (&si.signed_attrs, digest) {
            (None, _) => Check::Failed("no signed attributes (ICAO requires them)".into()),
            (Some(_), None) => Check::NotChecked(format!("unsupported digest {}", oid::name(&si.digest_alg.oid))),
            (Some(attrs), Some(d)) => {
                let value = |o| attrs.iter().find(|a| a.oid == o).and_then(|a| a.values.iter().next());
                let content_type =
                    value(oid::CMS_CONTENT_TYPE).and_then(|v| v.decode_as::<der::asn1::ObjectIdentifier>().ok());
                let md = value(oid::CMS_MESSAGE_DIGEST).and_then(|v| v.decode_as::<der::asn1::OctetString>().ok());
                match (content_type, md) {
                    (Some(ct), _) if ct != oid::ID_CSCA_MASTER_LIST => {
                        Check::Failed(format!("contentType attribute is {}", oid::name(&ct)))
                    }
                    (None, _) => Check::Failed("no contentType attribute".into()),
                    (_, None) => Check::Failed("no messageDigest attribute".into()),
                    (_, Some(md)) if crate::crypto::sym::mac_eq(md.as_bytes(), &d.digest(&self.content)) => {
                        Check::Passed
                    }
                    _ => Check::Failed("messageDigest differs from the hash of the CscaMasterList".into()),
                }
            }
        };
        let signature = match signer {
            None => Check::NotChecked("the signer's certificate is not in the master list's SignedData".into()),
            Some(cert) => {
                let key = PublicKey::from_spki(cert.tbs_certificate().subject_public_key_info());
                let alg = SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, digest);
                let signed = match &si.signed_attrs {
                    Some(a) => a.to_der().unwrap_or_default(),
                    None => self.content.clone(),
                };
                match (key, alg) {
                    (Ok(key), Ok(alg)) => match alg.verify(&key, &signed, si.signature.as_bytes()) {
                        Ok(()) => Check::Passed,
                        Err(e) => Check::Failed(e.to_string()),
                    },
                    (Err(e), _) => Check::NotChecked(e.to_string()),
                    (_, Err(e)) => Check::NotChecked(e.to_string()),
                }
            }
        };
        let anchor = signer.and_then(|cert| {
            anchors.iter().find(|a| *a == cert).or_else(|| anchors.iter().find(|a| signed_by(cert, a)))
        });
        let signer_chain = match (signer, anchor) {
            (None, _) => none("signer certificate"),
            (Some(_), _) if anchors.is_empty() => none("anchor given"),
            (Some(_), Some(_)) => Check::Passed,
            (Some(_), None) => Check::Failed("no anchor certified the master list signer".into()),
        };
        let validity = match (signer, anchor) {
            (None, _) => none("signer certificate"),
            (Some(cert), _) if !within(cert, at) => {
                Check::Failed(format!("the master list signer certificate is not valid as of {at}"))
            }
            (Some(_), Some(a)) if !within(a, at) => {
                Check::Failed(format!("the anchor certificate is not valid as of {at}"))
            }
            (Some(_), _) => Check::Passed,
        };
        let signer_key_usage = match signer {
            None => none("signer certificate"),
            Some(cert) if master_list_signing(cert) => Check::Passed,
            Some(_) => {
                Check::Failed("the signer certificate lacks extended key usage id-icao-cscaMasterListSigningKey".into())
            }
        };
        MasterListReport {
            certificates: self.certificates.len(),
            signer: signer.map(|c| c.tbs_certificate().subject().to_string()),
            signed_attributes,
            signature,
            signer_chain,
            validity,
            signer_key_usage,
        }
    }

    /// [`verify`](Self::verify) with the list's own certificates as anchors: whether it is intact
    /// ([`MasterListReport::is_intact`]), not whether to trust it.
    pub fn verify_intact(&self, at: Option<Date>) -> MasterListReport {
        self.verify(&self.certificates, at)
    }
}
