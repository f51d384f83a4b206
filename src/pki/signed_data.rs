//! CMS `SignedData` (RFC 5652) from the `cms` crate's types: EF.SOD over an `LDSSecurityObject`
//! ([`SodBuilder`], ICAO 9303-10 §4.6.2) and CSCA master lists ([`MasterListBuilder`], ICAO 9303-12 §9), signed
//! by any [`Signer`]; [`SignedDataBuilder`] for any other content.

use core::fmt;
use std::collections::BTreeMap;
use std::sync::Arc;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence, Tag, TagMode, TagNumber};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;

use super::{BuildError, Issued, PkiError, Signer};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::lds::LdsFile;
use crate::lds::sod::{DataGroupHash, LdsSecurityObject};
use crate::oid;

/// Who signs a `SignedData`: a certificate and its key (software, RSA, an HSM).
#[derive(Clone, Copy)]
pub struct CmsSigner<'a> {
    certificate: &'a Certificate,
    key: &'a dyn Signer,
}

impl fmt::Debug for CmsSigner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CmsSigner")
            .field("subject", &self.certificate.tbs_certificate().subject().to_string())
            .finish_non_exhaustive()
    }
}

impl<'a> CmsSigner<'a> {
    /// A signer from a certificate and its key; fails when the key is not the one the certificate certifies.
    pub fn new(certificate: &'a Certificate, key: &'a dyn Signer) -> Result<Self, PkiError> {
        check_key(certificate, key)?;
        Ok(CmsSigner { certificate, key })
    }
}

impl<'a> From<&'a Issued> for CmsSigner<'a> {
    fn from(issued: &'a Issued) -> Self {
        CmsSigner { certificate: &issued.certificate, key: &issued.key }
    }
}

impl<'a> From<&'a DocumentSigner> for CmsSigner<'a> {
    fn from(ds: &'a DocumentSigner) -> Self {
        CmsSigner { certificate: &ds.certificate, key: ds.signer.as_ref() }
    }
}

fn check_key(certificate: &Certificate, key: &dyn Signer) -> Result<(), PkiError> {
    let certified = PublicKey::from_spki(certificate.tbs_certificate().subject_public_key_info())
        .map_err(|e| PkiError::Asn1(e.to_string()))?;
    if certified != key.public_key()? {
        return Err(PkiError::KeyMismatch);
    }
    Ok(())
}

/// A Document Signer ready to sign: its certificate and its key, wherever the key is.
#[derive(Clone)]
pub struct DocumentSigner {
    /// The certificate.
    pub certificate: Certificate,
    /// Its DER encoding (put in every EF.SOD).
    pub der: Vec<u8>,
    /// The key.
    pub signer: Arc<dyn Signer>,
}

impl fmt::Debug for DocumentSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentSigner")
            .field("subject", &self.certificate.tbs_certificate().subject().to_string())
            .finish_non_exhaustive()
    }
}

impl DocumentSigner {
    /// A Document Signer from its certificate (DER) and key; fails when the key is not the certificate's.
    pub fn new(der: Vec<u8>, signer: Arc<dyn Signer>) -> Result<Self, PkiError> {
        let certificate = Certificate::from_der(&der)?;
        check_key(&certificate, signer.as_ref())?;
        Ok(DocumentSigner { certificate, der, signer })
    }

    /// An EF.SOD builder signed by this Document Signer.
    pub fn sod(&self) -> SodBuilder<'_> {
        SodBuilder::new(self)
    }

    /// EF.CardSecurity (ICAO 9303-11 §9.2, BSI TR-03110-3 §A.1.2.2) over these SecurityInfos: a
    /// [`SignedDataBuilder`] with eContentType `id-SecurityObject`, signed by this Document Signer as EF.SOD is,
    /// its certificate included. The SET is written in DER order (sorted by encoding, duplicates once), whatever
    /// order `infos` has.
    pub fn card_security(&self, infos: &crate::lds::security_infos::SecurityInfos) -> Result<Vec<u8>, PkiError> {
        let mut encoded: Vec<&[u8]> = infos.infos().iter().map(|i| i.as_bytes()).collect();
        encoded.sort();
        encoded.dedup();
        let econtent = crate::tlv::encode_tlv(crate::tlv::Tag::new(0x31), &encoded.concat());
        SignedDataBuilder::new(self).content(oid::ID_SECURITY_OBJECT, &econtent).build()
    }
}

impl From<Issued> for DocumentSigner {
    fn from(issued: Issued) -> Self {
        DocumentSigner { certificate: issued.certificate, der: issued.der, signer: Arc::new(issued.key) }
    }
}

/// EF.SOD: named settings, checked on [`build`](Self::build).
///
/// - [`data_groups`](Self::data_groups) or [`data_group`](Self::data_group): the data groups' whole encoded
///   bytes (2 to 16 of them; files that are not data groups, such as EF.COM, are left out);
/// - [`hash`](Self::hash), the data group hash algorithm (SHA-256 when not set; the signer's own digest,
///   which `messageDigest` uses, follows its signature algorithm);
/// - [`lds_version`](Self::lds_version) for a version 1 `LDSSecurityObject` with `LDSVersionInfo`;
/// - [`without_certificate`](Self::without_certificate): leave the Document Signer certificate out (some
///   issuers do; verifiers then need it from elsewhere, e.g. [`crate::pa::TrustStore::add_document_signer`]).
#[derive(Debug, Clone)]
pub struct SodBuilder<'a> {
    signer: CmsSigner<'a>,
    data_groups: BTreeMap<u8, &'a [u8]>,
    hash: HashAlgorithm,
    lds_version: Option<(String, String)>,
    include_certificate: bool,
}

impl<'a> SodBuilder<'a> {
    /// An SOD signed by `signer` (a [`DocumentSigner`], an [`Issued`] or a [`CmsSigner`]).
    pub fn new(signer: impl Into<CmsSigner<'a>>) -> Self {
        SodBuilder {
            signer: signer.into(),
            data_groups: BTreeMap::new(),
            hash: HashAlgorithm::Sha256,
            lds_version: None,
            include_certificate: true,
        }
    }

    /// Adds every data group of `files` (other files are left out).
    pub fn data_groups(mut self, files: &'a BTreeMap<LdsFile, Vec<u8>>) -> Self {
        for (file, bytes) in files {
            if let Some(n) = file.dg_number() {
                self.data_groups.insert(n, bytes);
            }
        }
        self
    }

    /// Adds one data group (a file that is not a data group is left out).
    pub fn data_group(mut self, file: LdsFile, bytes: &'a [u8]) -> Self {
        if let Some(n) = file.dg_number() {
            self.data_groups.insert(n, bytes);
        }
        self
    }

    /// The data group hash algorithm.
    pub fn hash(mut self, hash: HashAlgorithm) -> Self {
        self.hash = hash;
        self
    }

    /// Makes a version 1 `LDSSecurityObject` with `LDSVersionInfo`: `lds` as four digits (`"0108"`) and
    /// `unicode` as six (`"040000"`).
    pub fn lds_version(mut self, lds: &str, unicode: &str) -> Self {
        self.lds_version = Some((lds.to_string(), unicode.to_string()));
        self
    }

    /// Leaves the Document Signer certificate out of the SignedData.
    pub fn without_certificate(mut self) -> Self {
        self.include_certificate = false;
        self
    }

    /// Checks the settings, hashes the data groups and signs EF.SOD (`77 LL` around the `ContentInfo`).
    pub fn build(self) -> Result<Vec<u8>, PkiError> {
        let count = self.data_groups.len();
        if !(2..=16).contains(&count) {
            return Err(BuildError::DataGroupCount { count }.into());
        }
        if let Some((lds, unicode)) = &self.lds_version {
            let digits = |s: &str, n| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(lds, 4) || !digits(unicode, 6) {
                return Err(BuildError::InvalidLdsVersion.into());
            }
        }
        let data_group_hashes = self
            .data_groups
            .iter()
            .map(|(&number, bytes)| DataGroupHash { number, hash: self.hash.digest(bytes) })
            .collect();
        let lso = LdsSecurityObject {
            version: u8::from(self.lds_version.is_some()),
            hash_algorithm: AlgorithmIdentifierOwned { oid: self.hash.oid(), parameters: None },
            data_group_hashes,
            lds_version: self.lds_version,
        };
        let econtent = lso.encode().map_err(|e| PkiError::Asn1(e.to_string()))?;
        let content_info = signed_data(oid::ID_LDS_SECURITY_OBJECT, &econtent, &self.signer, self.include_certificate)?;
        // EF.SOD is [APPLICATION 23] around the ContentInfo (ICAO 9303-10 §4.6.2)
        let sod =
            der::asn1::Application { tag_number: TagNumber(23), tag_mode: TagMode::Explicit, value: content_info };
        Ok(sod.to_der()?)
    }
}

/// `CscaMasterList ::= SEQUENCE { version CscaMasterListVersion, certList SET OF Certificate }` (9303-12 §9).
#[derive(Sequence)]
struct CscaMasterList {
    version: u8,
    cert_list: SetOfVec<Certificate>,
}

/// An ICAO CSCA master list (DER `ContentInfo`), signed by a Master List Signer whose certificate goes in:
/// named settings, checked on [`build`](Self::build). The certificates are put in DER `SET OF` order, each
/// once; a list needs at least one.
#[derive(Debug, Clone)]
pub struct MasterListBuilder<'a> {
    signer: CmsSigner<'a>,
    certificates: Vec<&'a Certificate>,
}

impl<'a> MasterListBuilder<'a> {
    /// A master list signed by `signer` (an [`Issued`] Master List Signer, or a [`CmsSigner`]).
    pub fn new(signer: impl Into<CmsSigner<'a>>) -> Self {
        MasterListBuilder { signer: signer.into(), certificates: Vec::new() }
    }

    /// Adds a CSCA certificate.
    pub fn certificate(mut self, certificate: &'a Certificate) -> Self {
        self.certificates.push(certificate);
        self
    }

    /// Adds CSCA certificates.
    pub fn certificates(mut self, certificates: impl IntoIterator<Item = &'a Certificate>) -> Self {
        self.certificates.extend(certificates);
        self
    }

    /// Checks the settings and signs the master list.
    pub fn build(self) -> Result<Vec<u8>, PkiError> {
        let mut certificates: Vec<Certificate> = Vec::with_capacity(self.certificates.len());
        for c in self.certificates {
            if !certificates.contains(c) {
                certificates.push(c.clone());
            }
        }
        if certificates.is_empty() {
            return Err(BuildError::EmptyMasterList.into());
        }
        let list = CscaMasterList { version: 0, cert_list: SetOfVec::try_from(certificates)? };
        Ok(signed_data(oid::ID_CSCA_MASTER_LIST, &list.to_der()?, &self.signer, true)?.to_der()?)
    }
}

/// Any CMS `SignedData` (DER `ContentInfo`) the way EF.SOD and master lists are made: `content` of type
/// `content_type` encapsulated, contentType and messageDigest signed attributes, the signer's certificate
/// included unless [`without_certificate`](Self::without_certificate). For eMRTD objects that have no builder of
/// their own (EF.CardSecurity: `id-SecurityObject` over SecurityInfos, BSI TR-03110-3).
#[derive(Debug, Clone)]
pub struct SignedDataBuilder<'a> {
    signer: CmsSigner<'a>,
    content: Option<(ObjectIdentifier, &'a [u8])>,
    include_certificate: bool,
}

impl<'a> SignedDataBuilder<'a> {
    /// A SignedData signed by `signer`.
    pub fn new(signer: impl Into<CmsSigner<'a>>) -> Self {
        SignedDataBuilder { signer: signer.into(), content: None, include_certificate: true }
    }

    /// The encapsulated content (its DER bytes) and its type.
    pub fn content(mut self, content_type: ObjectIdentifier, content: &'a [u8]) -> Self {
        self.content = Some((content_type, content));
        self
    }

    /// Leaves the signer's certificate out.
    pub fn without_certificate(mut self) -> Self {
        self.include_certificate = false;
        self
    }

    /// Checks the settings and signs: the DER `ContentInfo`.
    pub fn build(self) -> Result<Vec<u8>, PkiError> {
        let (content_type, content) = self.content.ok_or(BuildError::MissingContent)?;
        Ok(signed_data(content_type, content, &self.signer, self.include_certificate)?.to_der()?)
    }
}

/// A signed attribute with one value.
fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, der::Error> {
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value])? })
}

/// A CMS `ContentInfo` holding `SignedData` (version 3) over `econtent` of type `econtent_type`, with the signed
/// attributes contentType and messageDigest (a DER `SET OF`, sorted), signed by `signer`, whose certificate goes
/// in when `include_certificate`. The signer's digest (messageDigest, the signed attributes) is the one its
/// signature algorithm names; an SOD's data group hashes may use another (CCCD: SHA-256 hashes, ECDSA-SHA-384).
fn signed_data(
    econtent_type: ObjectIdentifier,
    econtent: &[u8],
    signer: &CmsSigner<'_>,
    include_certificate: bool,
) -> Result<ContentInfo, PkiError> {
    let digest = signer.key.hash();
    let digest_alg = AlgorithmIdentifierOwned { oid: digest.oid(), parameters: None };
    let signed_attrs: SignedAttributes = SetOfVec::try_from(vec![
        attribute(oid::CMS_CONTENT_TYPE, Any::encode_from(&econtent_type)?)?,
        attribute(oid::CMS_MESSAGE_DIGEST, Any::encode_from(&OctetString::new(digest.digest(econtent))?)?)?,
    ])?;
    // the signature covers the DER encoding of the SET OF (RFC 5652 §5.4), not the [0] IMPLICIT field
    let signature = signer.key.sign(&signed_attrs.to_der()?)?;
    let tbs = signer.certificate.tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signer.key.signature_algorithm(),
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let certificates = if include_certificate {
        Some(CertificateSet::try_from(vec![CertificateChoices::Certificate(signer.certificate.clone())])?)
    } else {
        None
    };
    let signed_data = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type,
            econtent: Some(Any::new(Tag::OctetString, econtent)?),
        },
        certificates,
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info])?,
    };
    Ok(ContentInfo { content_type: oid::CMS_SIGNED_DATA, content: Any::encode_from(&signed_data)? })
}
