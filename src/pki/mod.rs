//! Issuer PKI: Country Signing CA, Document Signer and Master List Signer certificates (ICAO 9303-12 profile),
//! CRLs, the signed Document Security Object (EF.SOD) and signed CSCA master lists.
//!
//! Keys are behind the [`Signer`] trait: [`SoftwareKey`] (ECDSA on any curve of [`crate::crypto::ec`], read and
//! written as PKCS#8 or SEC1, PEM or DER), [`RsaSoftwareKey`] (RSASSA-PKCS1-v1_5 or RSASSA-PSS) or, with the
//! `pkcs11` feature, `pkcs11::Pkcs11Key` (ECDSA) in an HSM. [`issue_certificate`] issues any
//! [`CertificateProfile`] for any key type with any signer. An ECDSA key's hash follows the curve size (SHA-256
//! up to 256 bits, SHA-384 up to 384, SHA-512 above); an RSA key's is its scheme's. Certificates are built as DER
//! `TBSCertificate`s and signed directly; the SOD is a CMS `SignedData` with `contentType` and `messageDigest` signed attributes and the
//! Document Signer certificate included, as ICAO 9303-10 §4.6.2 asks.

#[cfg(feature = "pkcs11")]
pub mod pkcs11;
mod rsa_key;

pub use rsa_key::RsaSoftwareKey;

use core::fmt;

use der::asn1::{ObjectIdentifier, OctetString, Uint};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

use crate::crypto::ec::{NamedCurve, der_signature};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::{EcDomain, PublicKey};
use crate::lds::LdsFile;
use crate::lds::sod::{DataGroupHash, LdsSecurityObject};
use crate::oid;
use crate::tlv::{Tag, TlvWriter, encode_tlv};

/// A PKI failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// An ASN.1 value could not be encoded or decoded.
    #[error("ASN.1: {0}")]
    Asn1(String),
    /// A name that is not an RFC 4514 distinguished name.
    #[error("invalid distinguished name")]
    InvalidName,
    /// The key could not sign.
    #[error("signing failed: {0}")]
    Signing(String),
    /// A key of a kind or on a curve this crate does not handle.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// The key is not the one the certificate certifies.
    #[error("the key does not match the certificate's public key")]
    KeyMismatch,
    /// An HSM (PKCS#11) operation failed.
    #[error("PKCS#11: {0}")]
    Pkcs11(String),
    /// A validity period outside what certificates can express.
    #[error("invalid validity period")]
    InvalidValidity,
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Asn1(e.to_string())
    }
}

/// A signing key: the Document Signer's (or a CSCA's), in memory ([`SoftwareKey`]) or in an HSM
/// (`pkcs11::Pkcs11Key`, feature `pkcs11`). `Send + Sync` so one key serves parallel issuance.
pub trait Signer: Send + Sync {
    /// The public key.
    fn public_key(&self) -> Result<PublicKey, PkiError>;
    /// The hash the signature algorithm uses (also the CMS signer's digest algorithm).
    fn hash(&self) -> HashAlgorithm;
    /// The signature algorithm identifier (`ecdsa-with-SHA*`).
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        let oid = match self.hash() {
            HashAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
            HashAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
            HashAlgorithm::Sha224 => oid::ECDSA_WITH_SHA224,
            _ => oid::ECDSA_WITH_SHA256,
        };
        AlgorithmIdentifierOwned { oid, parameters: None }
    }
    /// Signs a digest of [`hash`](Signer::hash) made by the caller: ECDSA's plain `r || s`, or the RSA
    /// signature.
    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, PkiError>;
    /// Signs `message` as X.509 and CMS carry it: ECDSA as a DER `Ecdsa-Sig-Value` (RSA keys override this).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        Ok(der_signature(&self.sign_prehash(&self.hash().digest(message))?))
    }
}

/// The hash an ECDSA key on `curve` signs with: SHA-256 up to 256 bits, SHA-384 up to 384, SHA-512 above.
pub fn hash_for_curve(curve: NamedCurve) -> HashAlgorithm {
    match curve.field_bits() {
        0..=256 => HashAlgorithm::Sha256,
        257..=384 => HashAlgorithm::Sha384,
        _ => HashAlgorithm::Sha512,
    }
}

/// An ECDSA key held in memory (zeroized on drop; `Debug` prints the curve only).
pub struct SoftwareKey {
    curve: NamedCurve,
    secret: Zeroizing<Vec<u8>>,
    /// The public point (uncompressed), computed once.
    point: Vec<u8>,
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey").field("curve", &self.curve.name()).finish_non_exhaustive()
    }
}

impl SoftwareKey {
    /// A new random key on `curve`.
    pub fn generate(curve: NamedCurve) -> Self {
        loop {
            let secret = curve.generate_secret(&mut rand::rng());
            // a fresh scalar in [1, n-1] always has a public point; retry rather than panic
            if let Ok(key) = SoftwareKey::from_secret(curve, &secret) {
                return key;
            }
        }
    }

    /// A key from its secret scalar (big-endian).
    pub fn from_secret(curve: NamedCurve, secret: &[u8]) -> Result<Self, PkiError> {
        let point = curve.public_key(secret).map_err(|e| PkiError::Signing(e.to_string()))?;
        Ok(SoftwareKey { curve, secret: Zeroizing::new(secret.to_vec()), point })
    }

    /// The curve.
    pub fn curve(&self) -> NamedCurve {
        self.curve
    }

    /// PACE-CAM's Chip Authentication Data `CA_IC = SK_IC⁻¹·SK_Map,IC mod n` for this (static Chip
    /// Authentication) key and the chip's ephemeral mapping secret.
    pub fn chip_authentication_data(&self, mapping_secret: &[u8]) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        self.curve.inverse_times(&self.secret, mapping_secret).map_err(|e| PkiError::Signing(e.to_string()))
    }

    /// Elliptic-curve Diffie–Hellman with a peer's public point (uncompressed): the shared x-coordinate
    /// (Chip Authentication, chip side).
    pub fn ecdh(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        self.curve.ecdh(&self.secret, peer).map_err(|e| PkiError::Signing(e.to_string()))
    }

    /// The key as PKCS#8 `PrivateKeyInfo` DER (RFC 5208; `id-ecPublicKey` with the named curve, an RFC 5915
    /// `ECPrivateKey` inside, public key included).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        let ec = sec1::EcPrivateKey { private_key: &self.secret, parameters: None, public_key: Some(&self.point) };
        let inner = Zeroizing::new(ec.to_der()?);
        let params = der::Any::encode_from(&self.curve.oid())?;
        let algorithm = spki::AlgorithmIdentifierRef { oid: oid::EC_PUBLIC_KEY, parameters: Some((&params).into()) };
        let info = pkcs8::PrivateKeyInfoRef::new(algorithm, der::asn1::OctetStringRef::new(&inner)?);
        Ok(Zeroizing::new(info.to_der()?))
    }

    /// A key from PKCS#8 `PrivateKeyInfo` DER (an EC key on a named curve this crate knows).
    pub fn from_pkcs8_der(der_bytes: &[u8]) -> Result<Self, PkiError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der_bytes)?;
        if info.algorithm.oid != oid::EC_PUBLIC_KEY {
            return Err(PkiError::UnsupportedKey(format!("algorithm {}", info.algorithm.oid)));
        }
        let ec = sec1::EcPrivateKey::from_der(info.private_key.as_bytes())?;
        let curve_oid = match (info.algorithm.parameters, &ec.parameters) {
            (Some(p), _) => p.decode_as::<ObjectIdentifier>()?,
            (None, Some(sec1::EcParameters::NamedCurve(o))) => *o,
            (None, None) => return Err(PkiError::UnsupportedKey("no curve named".into())),
        };
        let curve =
            NamedCurve::from_oid(&curve_oid).ok_or_else(|| PkiError::UnsupportedKey(format!("curve {curve_oid}")))?;
        // left-pad the scalar to the order's size (some encoders drop leading zeros)
        let size = curve.field_size();
        let mut secret = Zeroizing::new(vec![0u8; size.saturating_sub(ec.private_key.len())]);
        secret.extend_from_slice(ec.private_key);
        SoftwareKey::from_secret(curve, &secret)
    }

    /// The key as a PEM `PRIVATE KEY` (PKCS#8).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, PkiError> {
        let der_bytes = self.to_pkcs8_der()?;
        Ok(Zeroizing::new(pem_encode("PRIVATE KEY", &der_bytes)))
    }

    /// A key from a PEM `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1) document.
    pub fn from_pem(pem: &str) -> Result<Self, PkiError> {
        let (label, der_bytes) = pem_decode(pem)?;
        match label.as_str() {
            "PRIVATE KEY" => SoftwareKey::from_pkcs8_der(&der_bytes),
            "EC PRIVATE KEY" => {
                let ec = sec1::EcPrivateKey::from_der(&der_bytes)?;
                let Some(sec1::EcParameters::NamedCurve(o)) = ec.parameters else {
                    return Err(PkiError::UnsupportedKey("no curve named".into()));
                };
                let curve = NamedCurve::from_oid(&o).ok_or_else(|| PkiError::UnsupportedKey(format!("curve {o}")))?;
                SoftwareKey::from_secret(curve, ec.private_key)
            }
            other => Err(PkiError::UnsupportedKey(format!("PEM label {other}"))),
        }
    }
}

impl Signer for SoftwareKey {
    /// The public key.
    fn public_key(&self) -> Result<PublicKey, PkiError> {
        Ok(PublicKey::Ec { domain: EcDomain::Named(self.curve.oid()), point: self.point.clone() })
    }

    fn hash(&self) -> HashAlgorithm {
        hash_for_curve(self.curve)
    }

    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        self.curve.ecdsa_sign_prehash(&self.secret, digest).map_err(|e| PkiError::Signing(e.to_string()))
    }
}

impl Clone for SoftwareKey {
    fn clone(&self) -> Self {
        SoftwareKey { curve: self.curve, secret: self.secret.clone(), point: self.point.clone() }
    }
}

impl PartialEq for SoftwareKey {
    /// Compares the secrets in constant time.
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.curve == other.curve && bool::from(self.secret.as_slice().ct_eq(other.secret.as_slice()))
    }
}

impl Eq for SoftwareKey {}

/// PEM armour (RFC 7468) around DER bytes, 64 characters a line.
pub fn pem_encode(label: &str, der_bytes: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der_bytes).unwrap_or_default()
}

/// The label and DER bytes of the first PEM document in `pem`.
pub fn pem_decode(pem: &str) -> Result<(String, Zeroizing<Vec<u8>>), PkiError> {
    let (label, bytes) =
        der::pem::decode_vec(pem.trim_start().as_bytes()).map_err(|e| PkiError::Asn1(format!("PEM: {e}")))?;
    Ok((label.to_string(), Zeroizing::new(bytes)))
}

#[derive(Sequence)]
struct TbsCertificate {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: Uint,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

/// A certificate with its key.
#[derive(Debug)]
pub struct Issued {
    /// The certificate.
    pub certificate: Certificate,
    /// Its DER encoding.
    pub der: Vec<u8>,
    /// The key.
    pub key: SoftwareKey,
}

impl Issued {
    /// A [`DocumentSigner`] with this certificate and a copy of its key.
    pub fn clone_signer(&self) -> Result<DocumentSigner, PkiError> {
        DocumentSigner::new(self.der.clone(), std::sync::Arc::new(self.key.clone()))
    }

    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }
}

fn extension(id: ObjectIdentifier, critical: bool, value: Vec<u8>) -> Result<Extension, PkiError> {
    Ok(Extension { extn_id: id, critical, extn_value: OctetString::new(value)? })
}

/// The subject key identifier: SHA-1 of the public key bits (RFC 5280 §4.2.1.2, method 1): the EC point, the
/// DER `RSAPublicKey`.
fn key_identifier(key: &PublicKey) -> Result<Vec<u8>, PkiError> {
    let spki = key.to_spki_der().map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
    let spki = SubjectPublicKeyInfoOwned::from_der(&spki)?;
    Ok(HashAlgorithm::Sha1.digest(spki.subject_public_key.raw_bytes()))
}

const ID_CE_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const ID_CE_AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");

fn validity(not_before: std::time::SystemTime, days: u32) -> Result<Validity, PkiError> {
    let not_after = not_before + std::time::Duration::from_secs(u64::from(days) * 86_400);
    let t = |s| Time::try_from(s).map_err(|_| PkiError::InvalidValidity);
    Ok(Validity::new(t(not_before)?, t(not_after)?))
}

/// What a new certificate says of its subject.
struct CertificateRequest<'a> {
    subject: &'a str,
    public_key: &'a PublicKey,
    serial: u64,
    not_before: std::time::SystemTime,
    days: u32,
    profile: CertificateProfile,
}

/// Builds and signs a certificate: self-signed when `issuer` is `None` (then `signer` is the subject's key).
fn certificate(
    req: &CertificateRequest<'_>,
    issuer: Option<&Certificate>,
    signer: &dyn Signer,
) -> Result<(Certificate, Vec<u8>), PkiError> {
    let subject_name: Name = req.subject.parse().map_err(|_| PkiError::InvalidName)?;
    let spki =
        SubjectPublicKeyInfoOwned::from_der(&req.public_key.to_spki_der().map_err(|e| PkiError::Asn1(e.to_string()))?)?;
    let ski = key_identifier(req.public_key)?;
    let aki = key_identifier(&signer.public_key()?)?;
    let issuer_name = match issuer {
        Some(cert) => cert.tbs_certificate().subject().clone(),
        None => subject_name.clone(),
    };
    let ca = req.profile == CertificateProfile::CountrySigningCa;
    let key_usage = if ca { vec![0x03, 0x02, 0x01, 0x06] } else { vec![0x03, 0x02, 0x07, 0x80] };
    let mut extensions = vec![
        extension(ID_CE_AKI, false, encode_tlv(Tag::new(0x30), &encode_tlv(Tag::new(0x80), &aki)))?,
        extension(oid::SUBJECT_KEY_IDENTIFIER, false, encode_tlv(Tag::new(0x04), &ski))?,
        extension(ID_CE_KEY_USAGE, true, key_usage)?,
    ];
    if req.profile == CertificateProfile::MasterListSigner {
        let eku = oid::ID_ICAO_MASTER_LIST_SIGNING_KEY;
        extensions.push(extension(oid::EXTENDED_KEY_USAGE, true, encode_tlv(Tag::new(0x30), &eku.to_der()?))?);
    }
    if ca {
        extensions.push(extension(
            ID_CE_BASIC_CONSTRAINTS,
            true,
            vec![0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00],
        )?);
    }
    let tbs = TbsCertificate {
        version: 2,
        serial_number: Uint::new(&req.serial.to_be_bytes())?,
        signature: signer.signature_algorithm(),
        issuer: issuer_name,
        validity: validity(req.not_before, req.days)?,
        subject: subject_name,
        subject_public_key_info: spki,
        extensions,
    };
    let tbs_der = tbs.to_der()?;
    let signature = signer.sign(&tbs_der)?;
    let mut body = tbs_der;
    body.extend(signer.signature_algorithm().to_der()?);
    let mut bits = vec![0u8];
    bits.extend(signature);
    body.extend(encode_tlv(Tag::new(0x03), &bits));
    let der = encode_tlv(Tag::new(0x30), &body);
    let certificate = Certificate::from_der(&der)?;
    Ok((certificate, der))
}

/// The ICAO 9303-12 certificate profiles this module issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateProfile {
    /// Country Signing CA: CA, path length 0, keyCertSign and cRLSign.
    CountrySigningCa,
    /// Document Signer: digitalSignature.
    DocumentSigner,
    /// Master List Signer: digitalSignature, extended key usage `id-icao-cscaMasterListSigningKey`.
    MasterListSigner,
}

/// A certificate of `profile` for `public_key` (EC or RSA), valid from `not_before` for `days`, signed by
/// `signer` (any [`Signer`]: software EC or RSA, an HSM): the key of `issuer`, or the subject's own key when
/// `issuer` is `None` (self-signed; the keys must then match).
#[allow(clippy::too_many_arguments)]
pub fn issue_certificate(
    profile: CertificateProfile,
    subject: &str,
    public_key: &PublicKey,
    serial: u64,
    not_before: std::time::SystemTime,
    days: u32,
    issuer: Option<&Certificate>,
    signer: &dyn Signer,
) -> Result<(Certificate, Vec<u8>), PkiError> {
    if issuer.is_none() && signer.public_key()? != *public_key {
        return Err(PkiError::KeyMismatch);
    }
    let req = CertificateRequest { subject, public_key, serial, not_before, days, profile };
    certificate(&req, issuer, signer)
}

/// A certificate of `profile` for a software key, signed by `csca` (self-signed when `None`).
fn issue_for_key(
    profile: CertificateProfile,
    subject: &str,
    csca: Option<&Issued>,
    key: SoftwareKey,
    serial: u64,
    not_before: std::time::SystemTime,
    days: u32,
) -> Result<Issued, PkiError> {
    let public_key = key.public_key()?;
    let req = CertificateRequest { subject, public_key: &public_key, serial, not_before, days, profile };
    let (certificate, der) = match csca {
        Some(csca) => certificate(&req, Some(&csca.certificate), &csca.key)?,
        None => certificate(&req, None, &key)?,
    };
    Ok(Issued { certificate, der, key })
}

/// A self-signed Country Signing CA certificate (basic constraints CA, path length 0; keyCertSign, cRLSign).
pub fn country_signing_ca(subject: &str, key: SoftwareKey, days: u32) -> Result<Issued, PkiError> {
    let now = std::time::SystemTime::now();
    issue_for_key(CertificateProfile::CountrySigningCa, subject, None, key, 1, now, days)
}

/// A Document Signer certificate signed by the CSCA (digitalSignature), valid from `not_before` for `days`.
pub fn document_signer(
    subject: &str,
    csca: &Issued,
    key: SoftwareKey,
    serial: u64,
    not_before: std::time::SystemTime,
    days: u32,
) -> Result<Issued, PkiError> {
    issue_for_key(CertificateProfile::DocumentSigner, subject, Some(csca), key, serial, not_before, days)
}

/// A Document Signer certificate for a key held elsewhere (an HSM): only its public key is needed.
pub fn document_signer_certificate(
    subject: &str,
    csca: &Issued,
    public_key: &PublicKey,
    serial: u64,
    not_before: std::time::SystemTime,
    days: u32,
) -> Result<(Certificate, Vec<u8>), PkiError> {
    let profile = CertificateProfile::DocumentSigner;
    let req = CertificateRequest { subject, public_key, serial, not_before, days, profile };
    certificate(&req, Some(&csca.certificate), &csca.key)
}

/// A Document Signer ready to sign: its certificate and its key, wherever the key is.
#[derive(Clone)]
pub struct DocumentSigner {
    /// The certificate.
    pub certificate: Certificate,
    /// Its DER encoding (put in every EF.SOD).
    pub der: Vec<u8>,
    /// The key.
    pub signer: std::sync::Arc<dyn Signer>,
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
    pub fn new(der: Vec<u8>, signer: std::sync::Arc<dyn Signer>) -> Result<Self, PkiError> {
        let certificate = Certificate::from_der(&der)?;
        let certified = PublicKey::from_spki(certificate.tbs_certificate().subject_public_key_info())
            .map_err(|e| PkiError::Asn1(e.to_string()))?;
        if certified != signer.public_key()? {
            return Err(PkiError::KeyMismatch);
        }
        Ok(DocumentSigner { certificate, der, signer })
    }

    /// Builds and signs EF.SOD (see [`sign_sod`]).
    pub fn sign_sod(
        &self,
        data_groups: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
        hash: HashAlgorithm,
    ) -> Result<Vec<u8>, PkiError> {
        sign_sod_with(data_groups, hash, &self.certificate, &self.der, self.signer.as_ref())
    }

    /// Builds and signs EF.CardSecurity over these SecurityInfos (see [`sign_card_security`]).
    pub fn sign_card_security(&self, infos: &crate::lds::security_infos::SecurityInfos) -> Result<Vec<u8>, PkiError> {
        sign_card_security(infos, &self.certificate, &self.der, self.signer.as_ref())
    }
}

impl From<Issued> for DocumentSigner {
    fn from(issued: Issued) -> Self {
        DocumentSigner { certificate: issued.certificate, der: issued.der, signer: std::sync::Arc::new(issued.key) }
    }
}

/// Builds and signs EF.SOD over the data groups (their whole encoded bytes), hashed with `hash`.
pub fn sign_sod(
    data_groups: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
    hash: HashAlgorithm,
    ds: &Issued,
) -> Result<Vec<u8>, PkiError> {
    sign_sod_with(data_groups, hash, &ds.certificate, &ds.der, &ds.key)
}

/// [`sign_sod`] with the Document Signer's certificate and a key anywhere (software, HSM).
pub fn sign_sod_with(
    data_groups: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
    hash: HashAlgorithm,
    ds_certificate: &Certificate,
    ds_der: &[u8],
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    build_sod(data_groups, hash, ds_certificate, Some(ds_der), signer)
}

/// [`sign_sod_with`] without the Document Signer certificate in the SOD (some issuers leave it out: verifiers
/// then need it from elsewhere, e.g. [`crate::pa::TrustStore::add_document_signer`]).
pub fn sign_sod_without_certificate(
    data_groups: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
    hash: HashAlgorithm,
    ds_certificate: &Certificate,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    build_sod(data_groups, hash, ds_certificate, None, signer)
}

fn build_sod(
    data_groups: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
    hash: HashAlgorithm,
    ds_certificate: &Certificate,
    ds_der: Option<&[u8]>,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    let hashes = data_groups
        .iter()
        .filter_map(|(f, bytes)| f.dg_number().map(|number| DataGroupHash { number, hash: hash.digest(bytes) }))
        .collect();
    let digest_alg = AlgorithmIdentifierOwned { oid: hash.oid(), parameters: None };
    let lso =
        LdsSecurityObject { version: 0, hash_algorithm: digest_alg, data_group_hashes: hashes, lds_version: None };
    let econtent = lso.encode().map_err(|e| PkiError::Asn1(e.to_string()))?;

    let content_info = signed_data(oid::ID_LDS_SECURITY_OBJECT, &econtent, ds_certificate, ds_der, signer)?;
    Ok(encode_tlv(Tag::new(0x77), &content_info))
}

/// EF.CardSecurity (ICAO 9303-11 §9.2, BSI TR-03110-3 §A.1.2.2): a CMS `ContentInfo` whose `SignedData` holds
/// the SecurityInfos (eContentType `id-SecurityObject`), signed by the Document Signer as EF.SOD is, its
/// certificate included. The SET is written in DER order (sorted by encoding), whatever order `infos` has.
pub fn sign_card_security(
    infos: &crate::lds::security_infos::SecurityInfos,
    ds_certificate: &Certificate,
    ds_der: &[u8],
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    let mut encoded: Vec<&[u8]> = infos.infos().iter().map(|i| i.as_bytes()).collect();
    encoded.sort();
    encoded.dedup();
    let econtent = encode_tlv(Tag::new(0x31), &encoded.concat());
    signed_data(oid::ID_SECURITY_OBJECT, &econtent, ds_certificate, Some(ds_der), signer)
}

/// A CMS `ContentInfo` (DER) holding `SignedData` over `econtent` of type `econtent_type`, signed with signed
/// attributes (contentType, messageDigest) by `signer`, whose certificate goes in when `signer_der` is given.
fn signed_data(
    econtent_type: ObjectIdentifier,
    econtent: &[u8],
    signer_certificate: &Certificate,
    signer_der: Option<&[u8]>,
    signer: &dyn Signer,
) -> Result<Vec<u8>, PkiError> {
    // signed attributes, in DER order (contentType sorts before messageDigest)
    let attribute = |id: ObjectIdentifier, value: Vec<u8>| -> Result<Vec<u8>, PkiError> {
        let mut w = TlvWriter::new();
        w.constructed(Tag::new(0x30), |w| {
            w.raw(&id.to_der().unwrap_or_default());
            w.primitive(Tag::new(0x31), &value);
        });
        Ok(w.into_bytes())
    };
    // the signer's digest (messageDigest, the signed attributes) is the one its signature algorithm names;
    // the data group hashes may use another (CCCD: SHA-256 hashes, ECDSA-SHA-384 signature)
    let signer_digest = signer.hash();
    let signer_digest_alg = AlgorithmIdentifierOwned { oid: signer_digest.oid(), parameters: None };
    let mut attrs = attribute(oid::CMS_CONTENT_TYPE, econtent_type.to_der()?)?;
    attrs.extend(attribute(oid::CMS_MESSAGE_DIGEST, encode_tlv(Tag::new(0x04), &signer_digest.digest(econtent)))?);
    let signature = signer.sign(&encode_tlv(Tag::new(0x31), &attrs))?;

    let tbs = signer_certificate.tbs_certificate();
    let mut sid = tbs.issuer().to_der()?;
    sid.extend(tbs.serial_number().to_der()?);
    let mut si = encode_tlv(Tag::new(0x02), &[1]);
    si.extend(encode_tlv(Tag::new(0x30), &sid));
    si.extend(signer_digest_alg.to_der()?);
    si.extend(encode_tlv(Tag::new(0xA0), &attrs));
    si.extend(signer.signature_algorithm().to_der()?);
    si.extend(encode_tlv(Tag::new(0x04), &signature));

    let mut sd = encode_tlv(Tag::new(0x02), &[3]);
    sd.extend(encode_tlv(Tag::new(0x31), &signer_digest_alg.to_der()?));
    let mut encap = econtent_type.to_der()?;
    encap.extend(encode_tlv(Tag::new(0xA0), &encode_tlv(Tag::new(0x04), econtent)));
    sd.extend(encode_tlv(Tag::new(0x30), &encap));
    if let Some(der_bytes) = signer_der {
        sd.extend(encode_tlv(Tag::new(0xA0), der_bytes));
    }
    sd.extend(encode_tlv(Tag::new(0x31), &encode_tlv(Tag::new(0x30), &si)));

    let mut ci = oid::CMS_SIGNED_DATA.to_der()?;
    ci.extend(encode_tlv(Tag::new(0xA0), &encode_tlv(Tag::new(0x30), &sd)));
    Ok(encode_tlv(Tag::new(0x30), &ci))
}

/// A Master List Signer certificate signed by the CSCA (ICAO 9303-12: digitalSignature, extended key usage
/// `id-icao-cscaMasterListSigningKey`), valid from `not_before` for `days`.
pub fn master_list_signer(
    subject: &str,
    csca: &Issued,
    key: SoftwareKey,
    serial: u64,
    not_before: std::time::SystemTime,
    days: u32,
) -> Result<Issued, PkiError> {
    issue_for_key(CertificateProfile::MasterListSigner, subject, Some(csca), key, serial, not_before, days)
}

/// An ICAO CSCA master list (9303-12 §9; DER `ContentInfo`) of `cscas`, signed by a Master List Signer
/// (certificate included). Certificates are put in DER `SET OF` order.
pub fn sign_master_list(cscas: &[Certificate], signer: &Issued) -> Result<Vec<u8>, PkiError> {
    let mut certs = cscas.iter().map(Encode::to_der).collect::<Result<Vec<_>, _>>()?;
    certs.sort();
    certs.dedup();
    let mut list = encode_tlv(Tag::new(0x02), &[0]);
    list.extend(encode_tlv(Tag::new(0x31), &certs.concat()));
    let content = encode_tlv(Tag::new(0x30), &list);
    signed_data(oid::ID_CSCA_MASTER_LIST, &content, &signer.certificate, Some(&signer.der), &signer.key)
}

/// A certificate revocation list signed by the CSCA (RFC 5280 v2 CRL, DER) listing the Document Signer
/// serial numbers `revoked` with their revocation times, valid for `days` from now.
pub fn certificate_revocation_list(
    csca: &Issued,
    revoked: &[(u64, std::time::SystemTime)],
    days: u32,
) -> Result<Vec<u8>, PkiError> {
    use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
    use x509_cert::serial_number::SerialNumber;
    let now = std::time::SystemTime::now();
    let t = |s| Time::try_from(s).map_err(|_| PkiError::InvalidValidity);
    let entries = revoked
        .iter()
        .map(|(serial, when)| {
            Ok(RevokedCert {
                serial_number: SerialNumber::<x509_cert::certificate::Rfc5280>::new(&serial.to_be_bytes())?,
                revocation_date: t(*when)?,
                crl_entry_extensions: None,
            })
        })
        .collect::<Result<Vec<_>, PkiError>>()?;
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: csca.key.signature_algorithm(),
        issuer: csca.certificate.tbs_certificate().subject().clone(),
        this_update: t(now)?,
        next_update: Some(t(now + std::time::Duration::from_secs(u64::from(days) * 86_400))?),
        revoked_certificates: if entries.is_empty() { None } else { Some(entries) },
        crl_extensions: None,
    };
    let signature = csca.key.sign(&tbs.to_der()?)?;
    let crl = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: csca.key.signature_algorithm(),
        signature: der::asn1::BitString::from_bytes(&signature)?,
    };
    Ok(crl.to_der()?)
}
