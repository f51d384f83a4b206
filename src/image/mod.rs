//! A chip image: the files of an eMRTD and the chip's secrets, as issuance makes them, the personalizer writes
//! them, the virtual chip serves them and the reader compares them. Saved as a folder on disk:
//!
//! ```text
//! CHIPDIR/
//!   EF.COM.bin  EF.SOD.bin  EF.CardAccess.bin  DG1.bin  DG2.bin …   one file per EF, named after LdsFile::name
//!   secrets/mrz_information                                          the BAC key material (never printed)
//!   secrets/can                                                      the PACE CAN, when set
//!   secrets/chip_authentication.pk8                                  the Chip Authentication private key
//!                                                                    (PKCS#8: an EC key, or DH `dhpublicnumber`)
//!   secrets/chip_authentication.key_id                               its key id (decimal), when DG14 names one
//!   secrets/active_authentication.pk8                                the Active Authentication private key
//!                                                                    (PKCS#8: an EC key, or RSA `rsaEncryption`)
//!   manifest.json                                                    the files with their sizes and SHA-256
//!   eac/trust-point-1.cvcert, eac/current-date …                     the EAC trust points and the chip's
//!                                                                    current date, when the chip runs
//!                                                                    Terminal Authentication ([`eac`])
//! ```
//!
//! Folders written before the keys became one file each (`secrets/chip_authentication_dh.pk8`,
//! `secrets/active_authentication_rsa.pk8`) still load; a folder holding two keys for one role is refused
//! ([`ImageError::TwoKeys`]): a chip has one Chip Authentication key and one Active Authentication key.

pub mod eac;
mod folder;

pub use eac::{EacTrust, TrustPointError};

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use crate::crypto::dh::{DhError, DhPrivateKey};
use crate::crypto::public_key::PublicKey;
use crate::lds::LdsFile;
use crate::oid::KeyAgreement;
use crate::pki::{PkiError, Signer, SoftwareKey};

/// Why a chip image could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The folder holds no LDS file.
    #[error("{0}: no LDS file (EF.COM.bin, DG1.bin, …) in this folder")]
    Empty(String),
    /// A secret file is not valid text (or a key id is not a decimal number).
    #[error("{0}: not valid text")]
    BadSecret(String),
    /// A private key file is not a PKCS#8 key of a type its role takes.
    #[error("{path}: not a PKCS#8 {expected} private key")]
    BadKey {
        /// The file.
        path: String,
        /// The key types the role takes (`EC or DH`, `EC or RSA`).
        expected: &'static str,
    },
    /// The folder holds two private keys for one role (an old-style and a new-style file).
    #[error("{first} and {second}: two private keys for one role; keep one")]
    TwoKeys {
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
    /// A key could not be encoded as PKCS#8.
    #[error("{path}: {source}")]
    Key {
        /// The file it was meant for.
        path: String,
        /// Why.
        source: KeyError,
    },
    /// The EAC trust points or current date (`eac/`) cannot be read or written.
    #[error("EAC trust: {0}")]
    Eac(String),
}

/// Why a chip key could not be used (its public half computed, or encoded).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// An EC key.
    #[error("EC key: {0}")]
    Ec(#[from] PkiError),
    /// A DH key.
    #[error("DH key: {0}")]
    Dh(#[from] DhError),
    /// An RSA key that does not encode as PKCS#8.
    #[error("RSA key does not encode as PKCS#8")]
    RsaEncoding,
    /// An RSA Active Authentication key size this crate does not make (the caller's).
    #[error("RSA-{bits}: 1024 to 4096 bits, whole bytes")]
    RsaSize {
        /// The size asked for.
        bits: usize,
    },
    /// RSA key generation failed.
    #[error("RSA key generation failed")]
    RsaGeneration,
}

/// The chip's Chip Authentication private key: ECDH (the CCCD's) or DH in a MODP group; DG14 names the
/// matching protocol (`id-CA-ECDH-…` or `id-CA-DH-…`) and carries the public half. `Debug` is redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChipAuthenticationPrivateKey {
    /// ECDH.
    Ecdh(SoftwareKey),
    /// DH.
    Dh(DhPrivateKey),
}

impl ChipAuthenticationPrivateKey {
    /// The public key DG14 carries.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        match self {
            ChipAuthenticationPrivateKey::Ecdh(k) => Ok(k.public_key()?),
            ChipAuthenticationPrivateKey::Dh(k) => Ok(k.public_key()?),
        }
    }

    /// ECDH or DH.
    pub fn key_agreement(&self) -> KeyAgreement {
        match self {
            ChipAuthenticationPrivateKey::Ecdh(_) => KeyAgreement::Ecdh,
            ChipAuthenticationPrivateKey::Dh(_) => KeyAgreement::Dh,
        }
    }

    /// The key as PKCS#8 `PrivateKeyInfo` DER (`id-ecPublicKey`, or `dhpublicnumber` with its domain).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        match self {
            ChipAuthenticationPrivateKey::Ecdh(k) => Ok(k.to_pkcs8_der()?),
            ChipAuthenticationPrivateKey::Dh(k) => Ok(k.to_pkcs8_der()),
        }
    }

    /// A key from PKCS#8 DER: an EC key on a known curve, else a DH key; `None` for anything else.
    pub fn from_pkcs8_der(der: &[u8]) -> Option<Self> {
        if let Ok(key) = SoftwareKey::from_pkcs8_der(der) {
            return Some(ChipAuthenticationPrivateKey::Ecdh(key));
        }
        DhPrivateKey::from_pkcs8_der(der).ok().map(ChipAuthenticationPrivateKey::Dh)
    }
}

/// The chip's Active Authentication private key: ECDSA (DG14 then names the signature algorithm) or RSA
/// (ISO/IEC 9796-2 signatures); DG15 carries the public half. `Debug` is redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActiveAuthenticationKey {
    /// ECDSA.
    Ecdsa(SoftwareKey),
    /// RSA (boxed: an RSA private key with its precomputed values is large).
    Rsa(Box<RsaActiveAuthenticationKey>),
}

impl ActiveAuthenticationKey {
    /// A new RSA key of `bits` (1024 to 4096, whole bytes: ISO/IEC 9796-2 signs with the full modulus).
    pub fn generate_rsa(bits: usize) -> Result<Self, KeyError> {
        if !(1024..=4096).contains(&bits) || !bits.is_multiple_of(8) {
            return Err(KeyError::RsaSize { bits });
        }
        rsa::RsaPrivateKey::new(&mut rand::rng(), bits)
            .map(|k| ActiveAuthenticationKey::Rsa(Box::new(RsaActiveAuthenticationKey(k))))
            .map_err(|_| KeyError::RsaGeneration)
    }

    /// The public key DG15 carries.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        match self {
            ActiveAuthenticationKey::Ecdsa(k) => Ok(k.public_key()?),
            ActiveAuthenticationKey::Rsa(k) => Ok(k.public_key()),
        }
    }

    /// The key as PKCS#8 `PrivateKeyInfo` DER (`id-ecPublicKey` or `rsaEncryption`).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        match self {
            ActiveAuthenticationKey::Ecdsa(k) => Ok(k.to_pkcs8_der()?),
            ActiveAuthenticationKey::Rsa(k) => k.to_pkcs8_der().ok_or(KeyError::RsaEncoding),
        }
    }

    /// A key from PKCS#8 DER: an EC key on a known curve, else an RSA key; `None` for anything else.
    pub fn from_pkcs8_der(der: &[u8]) -> Option<Self> {
        if let Ok(key) = SoftwareKey::from_pkcs8_der(der) {
            return Some(ActiveAuthenticationKey::Ecdsa(key));
        }
        RsaActiveAuthenticationKey::from_pkcs8_der(der).map(|k| ActiveAuthenticationKey::Rsa(Box::new(k)))
    }
}

/// The Chip Authentication key pair of a chip (its public half is in DG14) and the key id DG14 names for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationKey {
    /// The key id of the matching `ChipAuthenticationPublicKeyInfo` in DG14, when the chip has several keys or
    /// names it.
    pub key_id: Option<u64>,
    /// The private key, ECDH or DH.
    pub key: ChipAuthenticationPrivateKey,
}

/// An RSA Active Authentication private key (zeroized on drop by the `rsa` crate). `Debug` prints its size only.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaActiveAuthenticationKey(pub rsa::RsaPrivateKey);

impl RsaActiveAuthenticationKey {
    /// The public key (DG15's).
    pub fn public_key(&self) -> PublicKey {
        use rsa::traits::PublicKeyParts;
        PublicKey::Rsa {
            modulus: self.0.n().as_ref().to_be_bytes_trimmed_vartime().to_vec(),
            exponent: self.0.e().to_be_bytes_trimmed_vartime().to_vec(),
        }
    }

    /// The key as PKCS#8 DER (`rsaEncryption`).
    pub fn to_pkcs8_der(&self) -> Option<Zeroizing<Vec<u8>>> {
        use rsa::pkcs8::EncodePrivateKey;
        self.0.to_pkcs8_der().ok().map(|d| Zeroizing::new(d.as_bytes().to_vec()))
    }

    /// A key from PKCS#8 DER (`rsaEncryption`).
    pub fn from_pkcs8_der(der: &[u8]) -> Option<Self> {
        use rsa::pkcs8::DecodePrivateKey;
        rsa::RsaPrivateKey::from_pkcs8_der(der).ok().map(RsaActiveAuthenticationKey)
    }
}

impl core::fmt::Debug for RsaActiveAuthenticationKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use rsa::traits::PublicKeyParts;
        write!(f, "RsaActiveAuthenticationKey({} bits, REDACTED)", self.0.n().as_ref().bits())
    }
}

/// The chip's secrets: access-control passwords and private keys, one key per role (an ECDH or a DH Chip
/// Authentication key, an ECDSA or an RSA Active Authentication key). Zeroized on drop; `Debug` prints which
/// are set and the key types, never their values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChipSecrets {
    /// The MRZ information (document number, birth and expiry dates with check digits) for BAC.
    pub mrz_information: Option<Zeroizing<String>>,
    /// The card access number for PACE.
    pub can: Option<Zeroizing<String>>,
    /// The Chip Authentication private key (ECDH or DH) and its key id.
    pub chip_authentication: Option<ChipAuthenticationKey>,
    /// The Active Authentication private key, ECDSA or RSA (its public half is DG15).
    pub active_authentication: Option<ActiveAuthenticationKey>,
}

impl core::fmt::Debug for ChipSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipSecrets")
            .field("mrz_information", &self.mrz_information.as_ref().map(|_| "REDACTED"))
            .field("can", &self.can.as_ref().map(|_| "REDACTED"))
            .field("chip_authentication", &self.chip_authentication)
            .field("active_authentication", &self.active_authentication)
            .finish()
    }
}

/// The files and secrets of a chip.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChipImage {
    /// The files, by LDS file.
    pub files: BTreeMap<LdsFile, Vec<u8>>,
    /// The secrets.
    pub secrets: ChipSecrets,
    /// The EAC trust points and current date, when the chip runs Terminal Authentication (it then serves
    /// EF.CVCA and opens DG3/DG4 only to terminals that pass it).
    pub eac: Option<EacTrust>,
}

impl core::fmt::Debug for ChipImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let sizes: Vec<(String, usize)> = self.files.iter().map(|(k, v)| (k.name(), v.len())).collect();
        let eac: Option<Vec<String>> =
            self.eac.as_ref().map(|e| e.trust_points().iter().map(|c| c.chr().to_string()).collect());
        f.debug_struct("ChipImage")
            .field("files", &sizes)
            .field("secrets", &self.secrets)
            .field("trust_points", &eac)
            .finish()
    }
}

#[cfg(test)]
mod tests;
