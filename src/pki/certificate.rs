//! Certificates of the ICAO 9303-12 profiles, built by [`CertificateBuilder`] on `x509-cert`'s certificate
//! builder and extension types, signed by any [`Signer`].

use std::time::Duration;

use const_oid::AssociatedOid;
use der::asn1::{BitString, OctetString};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::builder::Builder as _;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, PrivateKeyUsagePeriod,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use super::period::{self, End, Period, PkiTime};
use super::{BuildError, DocumentSigner, PkiError, Signer, SoftwareKey, pem_encode};
use crate::crypto::public_key::PublicKey;
use crate::oid;

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

impl CertificateProfile {
    /// The key usage the profile sets unless told otherwise.
    pub fn default_key_usage(self) -> KeyUsage {
        match self {
            CertificateProfile::CountrySigningCa => KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            CertificateProfile::DocumentSigner | CertificateProfile::MasterListSigner => {
                KeyUsage(KeyUsages::DigitalSignature.into())
            }
        }
    }

    /// Whether `usage` fits the profile (ICAO 9303-12 §7.1.1): a CSCA signs certificates and CRLs; a Document
    /// or Master List Signer signs (digitalSignature) and never certificates.
    fn check_key_usage(self, usage: KeyUsage) -> Result<(), BuildError> {
        let refuse = |reason| Err(BuildError::KeyUsageForProfile { profile: self, reason });
        match self {
            CertificateProfile::CountrySigningCa if !usage.key_cert_sign() => refuse("no keyCertSign"),
            CertificateProfile::CountrySigningCa if !usage.crl_sign() => refuse("no cRLSign"),
            CertificateProfile::DocumentSigner | CertificateProfile::MasterListSigner if !usage.digital_signature() => {
                refuse("no digitalSignature")
            }
            CertificateProfile::DocumentSigner | CertificateProfile::MasterListSigner
                if usage.key_cert_sign() || usage.crl_sign() =>
            {
                refuse("keyCertSign or cRLSign on a signer that is not a CA")
            }
            _ => Ok(()),
        }
    }
}

/// A signed certificate: the decoded [`Certificate`] and its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCertificate {
    /// The certificate.
    pub certificate: Certificate,
    /// Its DER encoding.
    pub der: Vec<u8>,
}

impl SignedCertificate {
    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }
}

/// A certificate with its software key.
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

/// Who signs the certificate.
#[derive(Clone, Copy)]
enum Signing<'a> {
    /// The subject's own key (a CSCA).
    SelfSigned(&'a dyn Signer),
    /// An issuing CA: its certificate and its key.
    Issuer { certificate: &'a Certificate, signer: &'a dyn Signer },
}

/// The settings of a certificate, apart from who signs it.
#[derive(Debug, Clone)]
struct Request {
    profile: CertificateProfile,
    subject: String,
    serial: Option<Vec<u8>>,
    not_before: Option<PkiTime>,
    not_after: Option<End>,
    key_usage: Option<KeyUsage>,
    private_key_usage: Option<(Option<PkiTime>, End)>,
}

/// A certificate request for any [`CertificateProfile`]: named settings, checked on [`build`](Self::build).
///
/// - the subject (an RFC 4514 name) and the profile, from [`new`](Self::new) or one of
///   [`country_signing_ca`](Self::country_signing_ca), [`document_signer`](Self::document_signer),
///   [`master_list_signer`](Self::master_list_signer);
/// - [`serial`](Self::serial) or [`serial_bytes`](Self::serial_bytes) (positive, at most 20 octets; a random
///   63-bit serial when not set, as RFC 5280 recommends unpredictable ones);
/// - [`not_before`](Self::not_before) (now when not set) and one end: [`not_after`](Self::not_after),
///   [`valid_for`](Self::valid_for) or [`valid_for_days`](Self::valid_for_days);
/// - optionally [`key_usage`](Self::key_usage) (the profile's when not set; refused when the profile forbids it)
///   and the private key usage period ([`private_key_usage_period`](Self::private_key_usage_period) or
///   [`private_key_usage_days`](Self::private_key_usage_days), within the validity);
/// - the key certified, [`public_key`](Self::public_key) (or the key given to
///   [`build_for_key`](Self::build_for_key), or the self-signing key), and who signs:
///   [`self_signed`](Self::self_signed), [`issuer`](Self::issuer) or [`issued_by`](Self::issued_by) (a CA
///   certificate whose key is the signer's).
///
/// Extensions: authority and subject key identifiers (SHA-1 of the key bits), key usage (critical), the private
/// key usage period when set, the Master List Signer's extended key usage (critical), a CSCA's basic
/// constraints (CA, path length 0, critical).
#[derive(Clone)]
pub struct CertificateBuilder<'a> {
    request: Request,
    public_key: Option<PublicKey>,
    signing: Option<Signing<'a>>,
}

impl core::fmt::Debug for CertificateBuilder<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertificateBuilder").field("request", &self.request).finish_non_exhaustive()
    }
}

impl<'a> CertificateBuilder<'a> {
    /// A request for a certificate of `profile` for `subject` (an RFC 4514 distinguished name).
    pub fn new(profile: CertificateProfile, subject: impl Into<String>) -> Self {
        CertificateBuilder {
            request: Request {
                profile,
                subject: subject.into(),
                serial: None,
                not_before: None,
                not_after: None,
                key_usage: None,
                private_key_usage: None,
            },
            public_key: None,
            signing: None,
        }
    }

    /// A Country Signing CA certificate request.
    pub fn country_signing_ca(subject: impl Into<String>) -> Self {
        Self::new(CertificateProfile::CountrySigningCa, subject)
    }

    /// A Document Signer certificate request.
    pub fn document_signer(subject: impl Into<String>) -> Self {
        Self::new(CertificateProfile::DocumentSigner, subject)
    }

    /// A Master List Signer certificate request.
    pub fn master_list_signer(subject: impl Into<String>) -> Self {
        Self::new(CertificateProfile::MasterListSigner, subject)
    }

    /// The serial number.
    pub fn serial(mut self, serial: u64) -> Self {
        self.request.serial = Some(serial.to_be_bytes().to_vec());
        self
    }

    /// The serial number as big-endian unsigned bytes (up to 20 octets without leading zeros).
    pub fn serial_bytes(mut self, serial: &[u8]) -> Self {
        self.request.serial = Some(serial.to_vec());
        self
    }

    /// The start of the validity (now when not set).
    pub fn not_before(mut self, t: impl Into<PkiTime>) -> Self {
        self.request.not_before = Some(t.into());
        self
    }

    /// The end of the validity.
    pub fn not_after(mut self, t: impl Into<PkiTime>) -> Self {
        self.request.not_after = Some(End::At(t.into()));
        self
    }

    /// The length of the validity, from `not_before`.
    pub fn valid_for(mut self, duration: Duration) -> Self {
        self.request.not_after = Some(End::After(duration));
        self
    }

    /// The length of the validity in days, from `not_before`.
    pub fn valid_for_days(self, days: u32) -> Self {
        self.valid_for(period::days(days))
    }

    /// The key usage, in place of the profile's.
    pub fn key_usage(mut self, usage: KeyUsage) -> Self {
        self.request.key_usage = Some(usage);
        self
    }

    /// The private key usage period: how long the key may sign (ICAO 9303-12 §7.1.1; within the validity).
    pub fn private_key_usage_period(mut self, start: impl Into<PkiTime>, end: impl Into<PkiTime>) -> Self {
        self.request.private_key_usage = Some((Some(start.into()), End::At(end.into())));
        self
    }

    /// The private key usage period as `days` days from `not_before`.
    pub fn private_key_usage_days(mut self, days: u32) -> Self {
        self.request.private_key_usage = Some((None, End::After(period::days(days))));
        self
    }

    /// The public key certified (EC or RSA).
    pub fn public_key(mut self, key: PublicKey) -> Self {
        self.public_key = Some(key);
        self
    }

    /// Self-signed by `signer`, the subject's own key (the certified key, unless another is set and refused).
    pub fn self_signed(mut self, signer: &'a dyn Signer) -> Self {
        self.signing = Some(Signing::SelfSigned(signer));
        self
    }

    /// Signed by a CA whose certificate and software key are `issuer`.
    pub fn issuer(self, issuer: &'a Issued) -> Self {
        self.issued_by(&issuer.certificate, &issuer.key)
    }

    /// Signed by the CA of `certificate` with `signer`, its key (software, RSA, an HSM).
    pub fn issued_by(mut self, certificate: &'a Certificate, signer: &'a dyn Signer) -> Self {
        self.signing = Some(Signing::Issuer { certificate, signer });
        self
    }

    /// Checks the settings and signs the certificate.
    pub fn build(self) -> Result<SignedCertificate, PkiError> {
        let signing = self.signing.ok_or(BuildError::MissingSigner)?;
        let public_key = match (self.public_key, signing) {
            (Some(k), _) => k,
            (None, Signing::SelfSigned(s)) => s.public_key()?,
            (None, Signing::Issuer { .. }) => return Err(BuildError::MissingPublicKey.into()),
        };
        self.request.sign(&public_key, signing)
    }

    /// Checks the settings and certifies `key`: signed by the issuer when one is set, else self-signed by `key`.
    pub fn build_for_key(self, key: SoftwareKey) -> Result<Issued, PkiError> {
        let public_key = key.public_key()?;
        if self.public_key.as_ref().is_some_and(|k| *k != public_key) {
            return Err(PkiError::KeyMismatch);
        }
        let SignedCertificate { certificate, der } =
            self.request.sign(&public_key, self.signing.unwrap_or(Signing::SelfSigned(&key)))?;
        Ok(Issued { certificate, der, key })
    }
}

/// The serial number: positive, at most 20 octets, random when not set.
fn serial_number(serial: Option<&[u8]>) -> Result<SerialNumber, PkiError> {
    let bytes = match serial {
        Some(b) => b.to_vec(),
        None => {
            let mut b = rand::random::<u64>().to_be_bytes();
            b[0] = (b[0] & 0x7F) | 0x40; // positive, and 8 octets long
            b.to_vec()
        }
    };
    let significant = bytes.iter().skip_while(|&&b| b == 0).count();
    if significant == 0 {
        return Err(BuildError::SerialNotPositive { what: "certificate" }.into());
    }
    if significant > 20 {
        return Err(BuildError::SerialTooLong { octets: significant }.into());
    }
    Ok(SerialNumber::new(&bytes)?)
}

/// Whether `certificate` may issue certificates: basic constraints `cA` and, when it has a key usage,
/// keyCertSign.
fn is_ca(certificate: &Certificate) -> Result<bool, PkiError> {
    let tbs = certificate.tbs_certificate();
    let ca = tbs.get_extension::<BasicConstraints>()?.is_some_and(|(_, bc)| bc.ca);
    let signs = tbs.get_extension::<KeyUsage>()?.is_none_or(|(_, ku)| ku.key_cert_sign());
    Ok(ca && signs)
}

/// An extension holding `value`, critical or not as ICAO 9303-12 asks (not as the type's default).
fn extension<T: AssociatedOid + Encode>(value: &T, critical: bool) -> Result<Extension, der::Error> {
    Ok(Extension { extn_id: T::OID, critical, extn_value: OctetString::new(value.to_der()?)? })
}

impl Request {
    /// Checks the settings and signs a certificate for `public_key`.
    fn sign(&self, public_key: &PublicKey, signing: Signing<'_>) -> Result<SignedCertificate, PkiError> {
        let subject: Name = self.subject.parse().map_err(|_| PkiError::InvalidName)?;
        let serial = serial_number(self.serial.as_deref())?;
        let not_before = self.not_before.unwrap_or_else(PkiTime::now);
        let end = self.not_after.ok_or(BuildError::MissingEnd { period: Period::CertificateValidity })?;
        let not_after = period::resolve(Period::CertificateValidity, not_before, end)?;
        let validity = Validity::new(not_before.to_x509("notBefore")?, not_after.to_x509("notAfter")?);
        let private_key_usage = match self.private_key_usage {
            Some((start, end)) => {
                let start = start.unwrap_or(not_before);
                let end = period::resolve(Period::PrivateKeyUsage, start, end)?;
                if start < not_before || end > not_after {
                    return Err(BuildError::KeyUsageOutsideValidity { start, end }.into());
                }
                Some(PrivateKeyUsagePeriod {
                    not_before: Some(start.to_generalized("privateKeyUsagePeriod notBefore")?),
                    not_after: Some(end.to_generalized("privateKeyUsagePeriod notAfter")?),
                })
            }
            None => None,
        };
        let key_usage = self.key_usage.unwrap_or(self.profile.default_key_usage());
        self.profile.check_key_usage(key_usage)?;
        let (issuer, signer) = match signing {
            Signing::SelfSigned(signer) => {
                if signer.public_key()? != *public_key {
                    return Err(BuildError::SelfSignedKeyMismatch.into());
                }
                (subject.clone(), signer)
            }
            Signing::Issuer { certificate, signer } => {
                if !is_ca(certificate)? {
                    return Err(BuildError::IssuerNotCa.into());
                }
                let certified = PublicKey::from_spki(certificate.tbs_certificate().subject_public_key_info())
                    .map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
                if certified != signer.public_key()? {
                    return Err(PkiError::KeyMismatch);
                }
                (certificate.tbs_certificate().subject().clone(), signer)
            }
        };

        let spki = spki_of(public_key)?;
        let key = X509Key { spki: spki_of(&signer.public_key()?)?, algorithm: signer.signature_algorithm() };
        let profile = IcaoProfile { profile: self.profile, subject, issuer, key_usage, private_key_usage };
        let mut builder =
            x509_cert::builder::CertificateBuilder::new(profile, serial, validity, spki).map_err(builder_error)?;
        let tbs = builder.finalize(&key).map_err(builder_error)?;
        let signature = BitString::from_bytes(&signer.sign(&tbs)?)?;
        let certificate = builder.assemble(signature, &key).map_err(builder_error)?;
        let der = certificate.to_der()?;
        Ok(SignedCertificate { certificate, der })
    }
}

fn spki_of(key: &PublicKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    let der_bytes = key.to_spki_der().map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
    Ok(SubjectPublicKeyInfoOwned::from_der(&der_bytes)?)
}

fn builder_error(e: x509_cert::builder::Error) -> PkiError {
    match e {
        x509_cert::builder::Error::Asn1(e) => PkiError::from(e),
        other => PkiError::Asn1(other.to_string()),
    }
}

/// The ICAO 9303-12 profile as `x509-cert`'s builder takes one: names and extensions.
struct IcaoProfile {
    profile: CertificateProfile,
    subject: Name,
    issuer: Name,
    key_usage: KeyUsage,
    private_key_usage: Option<PrivateKeyUsagePeriod>,
}

impl BuilderProfile for IcaoProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions = vec![
            extension(&AuthorityKeyIdentifier::try_from(issuer_spk)?, false)?,
            extension(&SubjectKeyIdentifier::try_from(spk)?, false)?,
            extension(&self.key_usage, true)?,
        ];
        if let Some(period) = &self.private_key_usage {
            extensions.push(extension(period, false)?);
        }
        match self.profile {
            CertificateProfile::MasterListSigner => {
                extensions.push(extension(&ExtendedKeyUsage(vec![oid::ID_ICAO_MASTER_LIST_SIGNING_KEY]), true)?);
            }
            CertificateProfile::CountrySigningCa => {
                extensions.push(extension(&BasicConstraints { ca: true, path_len_constraint: Some(0) }, true)?);
            }
            CertificateProfile::DocumentSigner => {}
        }
        Ok(extensions)
    }
}

/// The signing key as `x509-cert`'s builder sees it: its public key and signature algorithm. The signature
/// itself comes from our [`Signer`] between `finalize` and `assemble`.
struct X509Key {
    spki: SubjectPublicKeyInfoOwned,
    algorithm: AlgorithmIdentifierOwned,
}

/// A public key's `SubjectPublicKeyInfo`.
#[derive(Clone)]
struct SpkiKey(SubjectPublicKeyInfoOwned);

impl spki::EncodePublicKey for SpkiKey {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::encode_msg(&self.0)?)
    }
}

impl signature::Keypair for X509Key {
    type VerifyingKey = SpkiKey;

    fn verifying_key(&self) -> SpkiKey {
        SpkiKey(self.spki.clone())
    }
}

impl spki::DynSignatureAlgorithmIdentifier for X509Key {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(self.algorithm.clone())
    }
}
