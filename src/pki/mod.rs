//! Issuer PKI: Country Signing CA, Document Signer and Master List Signer certificates (ICAO 9303-12 profile),
//! CRLs, the signed Document Security Object (EF.SOD) and signed CSCA master lists, each made by a builder.
//!
//! Keys are behind the [`Signer`] trait: [`SoftwareKey`] (ECDSA on any curve of [`crate::crypto::ec`], read and
//! written as PKCS#8 or SEC1, PEM or DER), [`RsaSoftwareKey`] (RSASSA-PKCS1-v1_5 or RSASSA-PSS) or, with the
//! `pkcs11` feature, `pkcs11::Pkcs11Key` (EC or RSA) in an HSM. An ECDSA key's hash follows the curve size
//! (SHA-256 up to 256 bits, SHA-384 up to 384, SHA-512 above); an RSA key's is its scheme's.
//!
//! | what | builder | made from |
//! |---|---|---|
//! | a certificate of any [`CertificateProfile`] | [`CertificateBuilder`] | `x509-cert`'s certificate builder with an ICAO profile; its extension types (authority and subject key identifiers, key usage, basic constraints, extended key usage, private key usage period) |
//! | a CRL | [`CrlBuilder`] | `x509-cert`'s `TbsCertList`, with the `cRLNumber` and authority key identifier extensions ICAO 9303-12 asks for |
//! | EF.SOD | [`SodBuilder`] | `cms`'s `SignedData` over an `LDSSecurityObject` |
//! | a CSCA master list | [`MasterListBuilder`] | `cms`'s `SignedData` over a `CscaMasterList` |
//! | any other SignedData (EF.CardSecurity) | [`SignedDataBuilder`] | `cms`'s `SignedData` over the content given |
//!
//! Every builder takes named settings and checks them on `build()`, with a [`BuildError`] naming what is wrong
//! (an end before its start, a zero-length period, a serial number that is not positive, a key usage the
//! profile forbids, too few data groups…). Every signature comes from a [`Signer`], so an HSM key signs SODs,
//! master lists, certificates and CRLs alike. SignedData carries the signer's certificate (unless asked not
//! to), `contentType` and `messageDigest` signed attributes in DER order, as ICAO 9303-10 §4.6.2 asks.
//!
//! ```
//! use cccd::crypto::{ec::NamedCurve, hash::HashAlgorithm};
//! use cccd::lds::LdsFile;
//! use cccd::pki::{CertificateBuilder, DocumentSigner, SodBuilder, SoftwareKey};
//!
//! let csca = CertificateBuilder::country_signing_ca("CN=CSCA,O=Example,C=VN")
//!     .serial(1)
//!     .valid_for_days(15 * 365)
//!     .build_for_key(SoftwareKey::generate(NamedCurve::P256))?;
//! let ds: DocumentSigner = CertificateBuilder::document_signer("CN=Document Signer,O=Example,C=VN")
//!     .serial(2)
//!     .valid_for_days(10 * 365)
//!     .private_key_usage_days(90)
//!     .issuer(&csca)
//!     .build_for_key(SoftwareKey::generate(NamedCurve::P256))?
//!     .into();
//! let (dg1, dg2) = (LdsFile::dg(1).expect("DG1"), LdsFile::dg(2).expect("DG2"));
//! let files = [(dg1, vec![0x61, 0x00]), (dg2, vec![0x75, 0x00])].into_iter().collect();
//! let sod = SodBuilder::new(&ds).data_groups(&files).hash(HashAlgorithm::Sha256).build()?;
//! assert_eq!(sod[0], 0x77);
//! # Ok::<(), cccd::pki::PkiError>(())
//! ```

mod certificate;
mod crl;
mod ec_key;
pub mod folder;
mod period;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
mod rsa_key;
mod signed_data;
mod validity;

pub use certificate::{CertificateBuilder, CertificateProfile, Issued, SignedCertificate};
pub use crl::CrlBuilder;
pub use ec_key::SoftwareKey;
pub use period::{Period, PkiTime};
pub use rsa_key::RsaSoftwareKey;
pub use signed_data::{CmsSigner, DocumentSigner, MasterListBuilder, SignedDataBuilder, SodBuilder};
pub use validity::CertificateDates;

use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::crypto::ec::{NamedCurve, der_signature};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::oid;

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
    /// A builder was given settings that make no valid certificate, CRL, SOD or master list (the caller's
    /// fault; nothing was signed).
    #[error("{0}")]
    Build(#[from] BuildError),
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Asn1(e.to_string())
    }
}

/// What a builder refused on `build()`: the caller's settings, before anything was signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No end of the period was given (`not_after`, `valid_for`, `next_update`…).
    #[error("{period}: no end given")]
    MissingEnd {
        /// Which period.
        period: Period,
    },
    /// The period ends before it starts.
    #[error("{period}: ends at {end}, before it starts at {start}")]
    EndBeforeStart {
        /// Which period.
        period: Period,
        /// Its start.
        start: PkiTime,
        /// Its end.
        end: PkiTime,
    },
    /// The period ends when it starts (a zero-day validity).
    #[error("{period}: ends when it starts, at {at}")]
    EmptyPeriod {
        /// Which period.
        period: Period,
        /// Its start and end.
        at: PkiTime,
    },
    /// The private key usage period reaches outside the certificate's validity.
    #[error("private key usage period {start} to {end} is not within the certificate's validity")]
    KeyUsageOutsideValidity {
        /// The usage period's start.
        start: PkiTime,
        /// The usage period's end.
        end: PkiTime,
    },
    /// A time an X.509 `Time` cannot hold (before 1970 or after 9999).
    #[error("{field} {time} cannot be written as an X.509 time")]
    TimeOutOfRange {
        /// The field.
        field: &'static str,
        /// The time (or the start it was counted from).
        time: PkiTime,
    },
    /// A serial number that is zero (RFC 5280 §4.1.2.2: a positive integer).
    #[error("{what} serial number is not positive")]
    SerialNotPositive {
        /// Whose serial number (`"certificate"`, `"revoked certificate"`).
        what: &'static str,
    },
    /// A serial number longer than RFC 5280's 20 octets.
    #[error("serial number of {octets} octets (at most 20)")]
    SerialTooLong {
        /// Its length without leading zeros.
        octets: usize,
    },
    /// No key signs: neither `self_signed` nor `issuer`/`issued_by` was given.
    #[error("no signer: the certificate is neither self-signed nor given an issuer")]
    MissingSigner,
    /// No public key to certify (`public_key`, or a self-signing key, or `build_for_key`).
    #[error("no public key to certify")]
    MissingPublicKey,
    /// A self-signed certificate whose certified key is not the signing key.
    #[error("self-signed, but the signing key is not the certified key")]
    SelfSignedKeyMismatch,
    /// A key usage the profile does not allow (ICAO 9303-12 §7.1.1).
    #[error("{profile:?} certificate: {reason}")]
    KeyUsageForProfile {
        /// The profile.
        profile: CertificateProfile,
        /// What is wrong.
        reason: &'static str,
    },
    /// An issuer that is not a CA: its certificate has no basic constraints with `cA` or no keyCertSign.
    #[error("the issuer certificate is not a CA (basic constraints cA and keyCertSign)")]
    IssuerNotCa,
    /// A CRL issuer whose key usage does not include cRLSign.
    #[error("the issuer certificate's key usage does not allow cRLSign")]
    IssuerNotCrlSigner,
    /// An `LDSVersionInfo` that is not four and six digits (`"0108"`, `"040000"`).
    #[error("LDS version info: ldsVersion is four digits and unicodeVersion six")]
    InvalidLdsVersion,
    /// A SignedData without content.
    #[error("a SignedData without content")]
    MissingContent,
    /// A master list without a certificate.
    #[error("a master list without a CSCA certificate")]
    EmptyMasterList,
    /// An SOD over fewer data groups than ICAO 9303-10 allows (`SIZE (2..ub-DataGroups)`).
    #[error("an LDSSecurityObject lists 2 to 16 data groups, not {count}")]
    DataGroupCount {
        /// How many data groups were given.
        count: usize,
    },
    /// A CRL without a `cRLNumber` (ICAO 9303-12 §7.1.4 and RFC 5280 §5.2.3 make it mandatory).
    #[error("CRL without a cRLNumber")]
    MissingCrlNumber,
    /// The same serial number revoked twice in one CRL.
    #[error("serial number {serial} revoked twice")]
    DuplicateRevocation {
        /// The serial number (hexadecimal).
        serial: String,
    },
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
