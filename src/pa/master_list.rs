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

use der::Decode;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use x509_cert::Certificate;

use super::check::{Check, Reason};
use super::signer::{SignedContentKind, issued_by, names, signed_data_certificates, validity, verify_signed_data};
use crate::oid;

/// Why bytes are not a CSCA master list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MasterListError {
    /// The DER does not decode as CMS `ContentInfo` / `SignedData` (the document's fault).
    #[error("not a CMS SignedData: {0}")]
    NotSignedData(#[source] der::Error),
    /// A CMS `ContentInfo` of another content type than SignedData.
    #[error("not a CMS SignedData: content type {}", oid::name(.0))]
    NotSignedDataContent(der::oid::ObjectIdentifier),
    /// The SignedData holds something else.
    #[error("SignedData content is {}, not id-icao-cscaMasterList", oid::name(.0))]
    NotMasterList(der::oid::ObjectIdentifier),
    /// The SignedData has no encapsulated content.
    #[error("master list without content")]
    NoContent,
    /// The content does not decode as `CscaMasterList`.
    #[error("CscaMasterList: {0}")]
    Content(#[source] der::Error),
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
    signed_data: cms::signed_data::SignedData,
    signed_data_certificates: Vec<Certificate>,
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
        self.first_failure().map(|(name, c)| match c {
            Check::Failed(r) => format!("{name} failed: {r}"),
            Check::NotChecked(r) => format!("{name} not checked: {r}"),
            Check::Passed => String::new(),
        })
    }

    /// The first check that did not pass, with its name.
    pub fn first_failure(&self) -> Option<(&'static str, &Check)> {
        [
            ("signed attributes", &self.signed_attributes),
            ("signature", &self.signature),
            ("signer chain", &self.signer_chain),
            ("validity", &self.validity),
            ("signer key usage", &self.signer_key_usage),
        ]
        .into_iter()
        .find(|(_, c)| !c.passed())
    }
}

fn signed_data(bytes: &[u8]) -> Result<cms::signed_data::SignedData, MasterListError> {
    let ci = cms::content_info::ContentInfo::from_der(bytes).map_err(MasterListError::NotSignedData)?;
    if ci.content_type != oid::CMS_SIGNED_DATA {
        return Err(MasterListError::NotSignedDataContent(ci.content_type));
    }
    ci.content.decode_as().map_err(MasterListError::NotSignedData)
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
            return Err(MasterListError::NotMasterList(sd.encap_content_info.econtent_type));
        }
        let content = sd.encap_content_info.econtent.as_ref().ok_or(MasterListError::NoContent)?;
        let octets = content.decode_as::<der::asn1::OctetString>().map_err(MasterListError::Content)?;
        let list = CscaMasterListAsn1::from_der(octets.as_bytes()).map_err(MasterListError::Content)?;
        let signed_data_certificates = signed_data_certificates(&sd);
        Ok(MasterList {
            version: list.version,
            certificates: list.cert_list.into_vec(),
            signed_data: sd,
            signed_data_certificates,
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
        let sid = &self.signed_data.signer_infos.0.iter().next()?.sid;
        self.signed_data_certificates.iter().find(|c| names(sid, c))
    }

    /// Checks the list's signature and its signer's chain to one of `anchors` (CSCA certificates the verifier
    /// trusts), with validity as of `at` (today when `None`).
    pub fn verify(&self, anchors: &[Certificate], at: Option<Date>) -> MasterListReport {
        let at = at.unwrap_or_else(|| OffsetDateTime::now_utc().date());
        let signed = verify_signed_data(&self.signed_data, SignedContentKind::MASTER_LIST, &[]);
        let signer = signed.certificate.as_ref();
        let none = |what: &'static str| Check::NotChecked(Reason::Missing { what });
        if self.signed_data.signer_infos.0.is_empty() {
            return MasterListReport {
                certificates: self.certificates.len(),
                signer: None,
                signed_attributes: signed.signed_attributes,
                signature: signed.signature,
                signer_chain: none("signer"),
                validity: none("signer"),
                signer_key_usage: none("signer"),
            };
        }
        // ICAO requires signed attributes: their absence is a failure here, not a check that could not run
        let signed_attributes = match signed.signed_attributes {
            Check::NotChecked(Reason::NoSignedAttributes) => Check::Failed(Reason::NoSignedAttributes),
            other => other,
        };
        let signature = match signed.signature {
            Check::NotChecked(Reason::NoSignerCertificate { .. }) => {
                Check::NotChecked(Reason::Missing { what: "signer certificate in the master list's SignedData" })
            }
            other => other,
        };
        let role = "master list signer";
        let anchor = signer.and_then(|cert| {
            anchors.iter().find(|a| *a == cert).or_else(|| anchors.iter().find(|a| issued_by(cert, a, role).is_ok()))
        });
        let signer_chain = match (signer, anchor) {
            (None, _) => none("signer certificate"),
            (Some(_), _) if anchors.is_empty() => none("anchor given"),
            (Some(_), Some(_)) => Check::Passed,
            (Some(_), None) => Check::Failed(Reason::SignerNotCertified { role }),
        };
        let validity = match (signer, anchor) {
            (None, _) => none("signer certificate"),
            (Some(cert), a) => Check::from_result(
                validity(cert, role, at).and_then(|()| a.map_or(Ok(()), |a| validity(a, "anchor", at))),
            ),
        };
        let signer_key_usage = match signer {
            None => none("signer certificate"),
            Some(cert) if master_list_signing(cert) => Check::Passed,
            Some(_) => Check::Failed(Reason::NotMasterListSigner),
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
