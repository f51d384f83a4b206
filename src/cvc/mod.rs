//! Card-verifiable certificates (BSI TR-03110-3 Appendix C, ICAO 9303-12 §7.2, ISO/IEC 7816-8) for Extended
//! Access Control: the CVCA, Document Verifier and Inspection System certificates a chip checks during Terminal
//! Authentication, and certificate requests.
//!
//! ```text
//! 7F21 CV Certificate
//!   7F4E Certificate Body          the signature covers this TLV, tag and length included
//!     5F29 01 00                   Certificate Profile Identifier (version 1)
//!     42   CAR                     Certification Authority Reference (ISO 8859-1, ≤ 16)
//!     7F49 Public Key              06 OID ‖ 81 p 82 a 83 b 84 G 85 r 86 Y 87 f (EC) | 81 n 82 e (RSA)
//!     5F20 CHR                     Certificate Holder Reference
//!     7F4C CHAT                    06 terminal type ‖ 53 relative authorization
//!     5F25 Effective Date          YYMMDD, one digit per byte
//!     5F24 Expiration Date
//!     65   Extensions (optional)   73 { 06 OID, … }*
//!   5F37 Signature                 ECDSA plain r‖s (TR-03111), or the RSA signature
//! ```
//!
//! [`CvCertificate::decode`] is tolerant where real certificates differ (field order, unknown data objects,
//! control characters in a reference, non-minimal integers) and says what it tolerated; [`CertificateBody`]
//! encodes canonically and signs with any [`crate::pki::Signer`]. [`chain`] checks one certificate against the
//! key that issued it — the one path the chip (Terminal Authentication) and the terminal (its own diagnosis)
//! share.

pub mod certificate;
pub mod chain;
pub mod ef_cvca;
pub mod issue;
pub mod key;
pub mod request;
#[cfg(test)]
mod tests;

pub use certificate::{CertificateBody, CvCertificate};
pub use chain::{ChainError, KeyContext};
pub use ef_cvca::{EF_CVCA_FID, EfCvca};
pub use key::{CvcPublicKey, EcParameters};
pub use request::CertificateRequest;

use core::fmt;

use crate::crypto::hash::HashAlgorithm;
use crate::crypto::signature::{SignatureAlgorithm, SignatureError};
use crate::oid::ObjectIdentifier;
use crate::pki::{PkiError, Signer};
use crate::tlv::TlvError;

/// Why a CV certificate or request could not be decoded, encoded, signed or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CvcError {
    /// Malformed TLV (the document's fault), with its offset.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// A required data object is missing.
    #[error("the {field} data object is missing (in the object at offset {offset})")]
    Missing {
        /// The field (`CAR`, `CHR`, `CHAT`…).
        field: &'static str,
        /// The offset of the enclosing object.
        offset: usize,
    },
    /// A data object appears twice.
    #[error("the {field} data object appears twice (offset {offset})")]
    Duplicate {
        /// The field.
        field: &'static str,
        /// The offset of the second one.
        offset: usize,
    },
    /// A data object has a value the format does not allow.
    #[error("invalid {field} at offset {offset}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// The offset of its value.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A public key OID that is none of the Terminal Authentication algorithms.
    #[error("unknown Terminal Authentication algorithm {0}")]
    UnknownAlgorithm(String),
    /// The caller asked for something the format cannot hold (the caller's fault).
    #[error("cannot encode: {0}")]
    Unencodable(&'static str),
    /// The signing key does not fit the algorithm asked for (the caller's fault).
    #[error("the signing key does not fit {0}")]
    SignerMismatch(&'static str),
    /// The key could not sign.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The signature could not be checked, or does not verify.
    #[error(transparent)]
    Signature(#[from] SignatureError),
}

impl From<PkiError> for CvcError {
    fn from(e: PkiError) -> Self {
        CvcError::Signing(e.to_string())
    }
}

/// Something [`CvCertificate::decode`] accepted although a strict reader would not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tolerated {
    /// The body's data objects are not in the order of TR-03110-3 Table C.1.
    FieldOrder,
    /// A data object the profile does not define, kept as it was (its tag).
    UnknownObject(u32),
    /// A reference (CAR or CHR) with characters ISO 8859-1 control ranges forbid.
    ControlCharacters(&'static str),
    /// An integer of the public key with leading zero bytes.
    NonMinimalInteger(&'static str),
}

/// A certificate reference (CAR or CHR): country code (2), holder mnemonic (≤ 9), sequence number (5), in
/// ISO 8859-1. Kept as the bytes that were read.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference(Vec<u8>);

impl Reference {
    /// A reference from its text (ISO 8859-1 characters only, 1–16 of them, none in the control ranges).
    pub fn new(text: &str) -> Result<Self, CvcError> {
        let bytes: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
        let bytes = bytes.ok_or(CvcError::Unencodable("a reference outside ISO 8859-1"))?;
        let r = Reference(bytes);
        if r.0.is_empty() || r.0.len() > 16 {
            return Err(CvcError::Unencodable("a reference of 1 to 16 characters"));
        }
        if r.has_control_characters() {
            return Err(CvcError::Unencodable("a reference with control characters"));
        }
        Ok(r)
    }

    /// The reference as it was read.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Reference(bytes.to_vec())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The country code (the first two characters).
    pub fn country(&self) -> String {
        latin1(self.0.get(..2).unwrap_or(&self.0))
    }

    /// The sequence number (the last five characters).
    pub fn sequence(&self) -> String {
        latin1(self.0.get(self.0.len().saturating_sub(5)..).unwrap_or_default())
    }

    /// The holder mnemonic (between the country code and the sequence number).
    pub fn mnemonic(&self) -> String {
        latin1(self.0.get(2..self.0.len().saturating_sub(5)).unwrap_or_default())
    }

    fn has_control_characters(&self) -> bool {
        self.0.iter().any(|b| *b < 0x20 || (0x7F..=0x9F).contains(b))
    }
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&latin1(&self.0))
    }
}

impl fmt::Debug for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reference({self})")
    }
}

/// A certificate's date: `YYMMDD` one digit per byte ("unpacked BCD"), the year in 2000–2099 (TR-03110-3 D.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CvcDate(time::Date);

impl CvcDate {
    /// A date from a calendar date (2000-01-01 to 2099-12-31).
    pub fn new(date: time::Date) -> Result<Self, CvcError> {
        if !(2000..=2099).contains(&date.year()) {
            return Err(CvcError::Unencodable("a date outside 2000-2099"));
        }
        Ok(CvcDate(date))
    }

    /// The calendar date.
    pub fn date(&self) -> time::Date {
        self.0
    }

    /// Decodes the six digit bytes.
    pub fn decode(bytes: &[u8], field: &'static str, offset: usize) -> Result<Self, CvcError> {
        let bad = |reason| CvcError::Invalid { field, offset, reason };
        let d: [u8; 6] = bytes.try_into().map_err(|_| bad("not six digits"))?;
        if d.iter().any(|b| *b > 9) {
            return Err(bad("a digit above 9"));
        }
        let year = 2000 + i32::from(d[0] * 10 + d[1]);
        let month = time::Month::try_from(d[2] * 10 + d[3]).map_err(|_| bad("no such month"))?;
        let date = time::Date::from_calendar_date(year, month, d[4] * 10 + d[5]).map_err(|_| bad("no such day"))?;
        Ok(CvcDate(date))
    }

    /// The six digit bytes.
    pub fn encode(&self) -> [u8; 6] {
        let y = (self.0.year() - 2000).clamp(0, 99) as u8;
        let m = u8::from(self.0.month());
        let d = self.0.day();
        [y / 10, y % 10, m / 10, m % 10, d / 10, d % 10]
    }
}

impl fmt::Display for CvcDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The role a CHAT gives its holder (the two most significant bits of the relative authorization).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// `00`: a terminal (inspection system).
    Terminal,
    /// `01`: a foreign (non-official) Document Verifier.
    DvForeign,
    /// `10`: a domestic (official) Document Verifier.
    DvDomestic,
    /// `11`: the Country Verifying CA.
    Cvca,
}

impl Role {
    /// The role of the first byte of a relative authorization.
    pub fn from_bits(byte: u8) -> Self {
        match byte >> 6 {
            0b11 => Role::Cvca,
            0b10 => Role::DvDomestic,
            0b01 => Role::DvForeign,
            _ => Role::Terminal,
        }
    }

    /// The two role bits in place.
    pub fn bits(self) -> u8 {
        match self {
            Role::Cvca => 0xC0,
            Role::DvDomestic => 0x80,
            Role::DvForeign => 0x40,
            Role::Terminal => 0x00,
        }
    }

    /// `CVCA`, `DV (domestic)`, `DV (foreign)`, `IS`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Cvca => "CVCA",
            Role::DvDomestic => "DV (domestic)",
            Role::DvForeign => "DV (foreign)",
            Role::Terminal => "IS",
        }
    }
}

/// `id-IS` (`0.4.0.127.0.7.3.1.2.1`): the inspection-system terminal type of an eMRTD CHAT.
pub const ID_IS: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.3.1.2.1");
/// Relative authorization bit: read access to DG3 (fingerprints).
pub const READ_DG3: u8 = 0x01;
/// Relative authorization bit: read access to DG4 (iris).
pub const READ_DG4: u8 = 0x02;

/// The Certificate Holder Authorization Template: a terminal type and the relative authorization bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// The terminal type (`id-IS` for eMRTDs).
    pub terminal_type: ObjectIdentifier,
    /// The relative authorization (one byte for an inspection system: role bits, RFU, DG4, DG3).
    pub authorization: Vec<u8>,
}

impl Chat {
    /// An inspection-system CHAT with `role` and the DG3/DG4 bits.
    pub fn inspection_system(role: Role, dg3: bool, dg4: bool) -> Self {
        let mut b = role.bits();
        if dg3 {
            b |= READ_DG3;
        }
        if dg4 {
            b |= READ_DG4;
        }
        Chat { terminal_type: ID_IS, authorization: vec![b] }
    }

    /// The role.
    pub fn role(&self) -> Role {
        Role::from_bits(self.authorization.first().copied().unwrap_or(0))
    }

    /// The access bits of an inspection system (the last byte without the role bits; RFU bits cleared).
    pub fn access_bits(&self) -> u8 {
        self.authorization.last().copied().unwrap_or(0) & (READ_DG3 | READ_DG4)
    }

    /// Whether DG3 may be read.
    pub fn reads_dg3(&self) -> bool {
        self.access_bits() & READ_DG3 != 0
    }

    /// Whether DG4 may be read.
    pub fn reads_dg4(&self) -> bool {
        self.access_bits() & READ_DG4 != 0
    }
}

/// The Terminal Authentication signature algorithms (`id-TA-*`, TR-03110-3 Tables A.2/A.3, ICAO 9303-11 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaAlgorithm {
    /// `id-TA-RSA-v1-5-SHA-*`: RSASSA-PKCS1-v1_5 (SHA-1, SHA-256, SHA-512; reading only in ICAO's 8th edition).
    RsaV15(HashAlgorithm),
    /// `id-TA-RSA-PSS-SHA-*`: RSASSA-PSS, MGF1 with the same hash, salt of the hash length.
    RsaPss(HashAlgorithm),
    /// `id-TA-ECDSA-SHA-*`: ECDSA with a plain `r‖s` signature.
    Ecdsa(HashAlgorithm),
}

const TA_ALGORITHMS: [(&str, TaAlgorithm, &str); 11] = [
    ("0.4.0.127.0.7.2.2.2.1.1", TaAlgorithm::RsaV15(HashAlgorithm::Sha1), "id-TA-RSA-v1-5-SHA-1"),
    ("0.4.0.127.0.7.2.2.2.1.2", TaAlgorithm::RsaV15(HashAlgorithm::Sha256), "id-TA-RSA-v1-5-SHA-256"),
    ("0.4.0.127.0.7.2.2.2.1.3", TaAlgorithm::RsaPss(HashAlgorithm::Sha1), "id-TA-RSA-PSS-SHA-1"),
    ("0.4.0.127.0.7.2.2.2.1.4", TaAlgorithm::RsaPss(HashAlgorithm::Sha256), "id-TA-RSA-PSS-SHA-256"),
    ("0.4.0.127.0.7.2.2.2.1.5", TaAlgorithm::RsaV15(HashAlgorithm::Sha512), "id-TA-RSA-v1-5-SHA-512"),
    ("0.4.0.127.0.7.2.2.2.1.6", TaAlgorithm::RsaPss(HashAlgorithm::Sha512), "id-TA-RSA-PSS-SHA-512"),
    ("0.4.0.127.0.7.2.2.2.2.1", TaAlgorithm::Ecdsa(HashAlgorithm::Sha1), "id-TA-ECDSA-SHA-1"),
    ("0.4.0.127.0.7.2.2.2.2.2", TaAlgorithm::Ecdsa(HashAlgorithm::Sha224), "id-TA-ECDSA-SHA-224"),
    ("0.4.0.127.0.7.2.2.2.2.3", TaAlgorithm::Ecdsa(HashAlgorithm::Sha256), "id-TA-ECDSA-SHA-256"),
    ("0.4.0.127.0.7.2.2.2.2.4", TaAlgorithm::Ecdsa(HashAlgorithm::Sha384), "id-TA-ECDSA-SHA-384"),
    ("0.4.0.127.0.7.2.2.2.2.5", TaAlgorithm::Ecdsa(HashAlgorithm::Sha512), "id-TA-ECDSA-SHA-512"),
];

impl TaAlgorithm {
    /// The algorithm of an `id-TA-*` OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        TA_ALGORITHMS.iter().find(|(o, _, _)| ObjectIdentifier::new(o).ok().as_ref() == Some(oid)).map(|(_, a, _)| *a)
    }

    /// The OID (`None` for a combination TR-03110 does not name, e.g. RSA v1.5 with SHA-384).
    pub fn oid(self) -> Option<ObjectIdentifier> {
        TA_ALGORITHMS.iter().find(|(_, a, _)| *a == self).and_then(|(o, _, _)| ObjectIdentifier::new(o).ok())
    }

    /// The OID's name, e.g. `id-TA-ECDSA-SHA-256`.
    pub fn name(self) -> &'static str {
        TA_ALGORITHMS.iter().find(|(_, a, _)| *a == self).map(|(_, _, n)| *n).unwrap_or("id-TA-?")
    }

    /// The hash.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            TaAlgorithm::RsaV15(h) | TaAlgorithm::RsaPss(h) | TaAlgorithm::Ecdsa(h) => h,
        }
    }

    /// Whether the key is an EC key.
    pub fn is_ecdsa(self) -> bool {
        matches!(self, TaAlgorithm::Ecdsa(_))
    }

    /// The signature scheme that checks certificate and Terminal Authentication signatures.
    pub fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            TaAlgorithm::RsaV15(h) => SignatureAlgorithm::RsaPkcs1v15(h),
            TaAlgorithm::RsaPss(h) => SignatureAlgorithm::RsaPss { hash: h, salt_len: h.output_len() },
            TaAlgorithm::Ecdsa(h) => SignatureAlgorithm::EcdsaPlain(h),
        }
    }

    /// Verifies a certificate or Terminal Authentication signature with `key`. RSA-PSS signatures verify with
    /// any salt length (TR-03110 names the hash length; OpenPACE signs with the largest).
    pub fn verify(
        self,
        key: &crate::crypto::public_key::PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CvcError> {
        match self {
            TaAlgorithm::RsaPss(h) => {
                Ok(crate::crypto::signature::verify_rsa_pss_any_salt(key, h, message, signature)?)
            }
            other => Ok(other.signature_algorithm().verify(key, message, signature)?),
        }
    }

    /// The algorithm a signer signs with: ECDSA with its hash, or its RSA scheme (PSS only with a salt of the
    /// hash length, as TA asks).
    pub fn of_signer(signer: &dyn Signer) -> Result<Self, CvcError> {
        use crate::crypto::public_key::PublicKey;
        match signer.public_key()? {
            PublicKey::Ec { .. } => Ok(TaAlgorithm::Ecdsa(signer.hash())),
            PublicKey::Rsa { .. } => {
                let alg =
                    SignatureAlgorithm::from_algorithm_identifier(&signer.signature_algorithm(), Some(signer.hash()))?;
                match alg {
                    SignatureAlgorithm::RsaPkcs1v15(h) => Ok(TaAlgorithm::RsaV15(h)),
                    SignatureAlgorithm::RsaPss { hash, salt_len } if salt_len == hash.output_len() => {
                        Ok(TaAlgorithm::RsaPss(hash))
                    }
                    _ => Err(CvcError::SignerMismatch("RSA-PSS with a salt of the hash length")),
                }
            }
            _ => Err(CvcError::SignerMismatch("an ECDSA or RSA Terminal Authentication algorithm")),
        }
    }

    /// Signs `message` with `signer`, which must sign with this algorithm: ECDSA as plain `r‖s`, RSA as is.
    pub fn sign(self, signer: &dyn Signer, message: &[u8]) -> Result<Vec<u8>, CvcError> {
        let own = TaAlgorithm::of_signer(signer)?;
        if own != self {
            return Err(CvcError::SignerMismatch(self.name()));
        }
        Ok(signer.sign_prehash(&self.hash().digest(message))?)
    }
}
