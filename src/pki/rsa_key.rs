//! RSA signing keys in memory, for the many countries whose Document Signers and CSCAs sign with RSA.

use core::fmt;

use der::{Decode, Encode};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::{PkiError, Signer, pem_decode, pem_encode};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::crypto::signature::{SignatureAlgorithm, rsa_sign_prehash};
use crate::oid;

/// An RSA key held in memory that signs with RSASSA-PKCS1-v1_5 or RSASSA-PSS (ICAO 9303-12 allows both for
/// CSCAs and Document Signers). The private key is zeroized on drop (by the `rsa` crate); `Debug` prints the
/// modulus size and the scheme only.
#[derive(Clone)]
pub struct RsaSoftwareKey {
    key: rsa::RsaPrivateKey,
    algorithm: SignatureAlgorithm,
    identifier: AlgorithmIdentifierOwned,
}

impl fmt::Debug for RsaSoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSoftwareKey")
            .field("bits", &self.bits())
            .field("algorithm", &self.algorithm.name())
            .finish_non_exhaustive()
    }
}

impl RsaSoftwareKey {
    /// A new random key of `bits` (2048 at least) that signs with `algorithm`, an RSA one.
    pub fn generate(bits: usize, algorithm: SignatureAlgorithm) -> Result<Self, PkiError> {
        if bits < 2048 {
            return Err(PkiError::UnsupportedKey(format!("RSA-{bits}: ICAO 9303-12 asks for 2048 bits at least")));
        }
        let key = rsa::RsaPrivateKey::new(&mut rand::rng(), bits).map_err(|e| PkiError::Signing(e.to_string()))?;
        Self::new(key, algorithm)
    }

    /// A key that signs with `algorithm` (RSASSA-PKCS1-v1_5 or RSASSA-PSS with any hash).
    pub fn new(key: rsa::RsaPrivateKey, algorithm: SignatureAlgorithm) -> Result<Self, PkiError> {
        if !matches!(algorithm, SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss { .. }) {
            return Err(PkiError::UnsupportedKey(format!("an RSA key cannot sign with {}", algorithm.name())));
        }
        let identifier = algorithm.to_algorithm_identifier().map_err(|e| PkiError::Signing(e.to_string()))?;
        Ok(RsaSoftwareKey { key, algorithm, identifier })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().as_ref().bits() as usize
    }

    /// The signature scheme.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The key as PKCS#8 `PrivateKeyInfo` DER: `rsaEncryption` for a PKCS#1 v1.5 key, `id-RSASSA-PSS` with its
    /// parameters for a PSS key (as `openssl genpkey -algorithm RSA-PSS` writes it), so the file keeps its scheme.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        let asn1 = |e: der::Error| PkiError::Asn1(e.to_string());
        let inner = self.key.to_pkcs1_der().map_err(|e| PkiError::Asn1(e.to_string()))?;
        let algorithm = match self.algorithm {
            SignatureAlgorithm::RsaPss { .. } => self.identifier.clone(),
            _ => AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: Some(der::Any::encode_from(&der::asn1::Null).map_err(asn1)?),
            },
        };
        let algorithm = spki::AlgorithmIdentifierRef {
            oid: algorithm.oid,
            parameters: algorithm.parameters.as_ref().map(der::AnyRef::from),
        };
        let octets = der::asn1::OctetStringRef::new(inner.as_bytes()).map_err(asn1)?;
        let info = pkcs8::PrivateKeyInfoRef::new(algorithm, octets);
        Ok(Zeroizing::new(info.to_der().map_err(asn1)?))
    }

    /// The key as a PEM `PRIVATE KEY` (PKCS#8).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, PkiError> {
        Ok(Zeroizing::new(pem_encode("PRIVATE KEY", &self.to_pkcs8_der()?)))
    }

    /// A key from PKCS#8 DER (`rsaEncryption` or `id-RSASSA-PSS`) that signs with `algorithm`.
    pub fn from_pkcs8_der(der_bytes: &[u8], algorithm: SignatureAlgorithm) -> Result<Self, PkiError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der_bytes)?;
        if info.algorithm.oid != oid::RSA_ENCRYPTION && info.algorithm.oid != oid::RSASSA_PSS {
            return Err(PkiError::UnsupportedKey(format!("algorithm {} is not RSA", oid::name(&info.algorithm.oid))));
        }
        let key = rsa::RsaPrivateKey::from_pkcs1_der(info.private_key.as_bytes())
            .map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
        Self::new(key, algorithm)
    }

    /// A key from PKCS#8 DER with the scheme its algorithm names: `id-RSASSA-PSS` keys sign with RSASSA-PSS
    /// (their parameters, or SHA-256 with a 32-byte salt when they carry none), `rsaEncryption` keys with
    /// RSASSA-PKCS1-v1_5 and SHA-256.
    pub fn from_pkcs8_der_with_scheme(der_bytes: &[u8]) -> Result<Self, PkiError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der_bytes)?;
        let sha256 = crate::crypto::hash::HashAlgorithm::Sha256;
        let algorithm = if info.algorithm.oid == oid::RSASSA_PSS && info.algorithm.parameters.is_some() {
            let owned = AlgorithmIdentifierOwned::from_der(&info.algorithm.to_der()?)?;
            SignatureAlgorithm::from_algorithm_identifier(&owned, None)
                .map_err(|e| PkiError::UnsupportedKey(e.to_string()))?
        } else if info.algorithm.oid == oid::RSASSA_PSS {
            SignatureAlgorithm::RsaPss { hash: sha256, salt_len: 32 }
        } else {
            SignatureAlgorithm::RsaPkcs1v15(sha256)
        };
        Self::from_pkcs8_der(der_bytes, algorithm)
    }

    /// A key from a PEM `PRIVATE KEY` (PKCS#8) that signs with `algorithm`.
    pub fn from_pem(pem: &str, algorithm: SignatureAlgorithm) -> Result<Self, PkiError> {
        Self::from_pkcs8_der(&Self::pem_der(pem)?, algorithm)
    }

    /// A key from a PEM `PRIVATE KEY` (PKCS#8) with the scheme its algorithm names (see
    /// [`from_pkcs8_der_with_scheme`](Self::from_pkcs8_der_with_scheme)).
    pub fn from_pem_with_scheme(pem: &str) -> Result<Self, PkiError> {
        Self::from_pkcs8_der_with_scheme(&Self::pem_der(pem)?)
    }

    fn pem_der(pem: &str) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        let (label, der_bytes) = pem_decode(pem)?;
        if label != "PRIVATE KEY" {
            return Err(PkiError::UnsupportedKey(format!("PEM label {label}")));
        }
        Ok(der_bytes)
    }
}

impl Signer for RsaSoftwareKey {
    fn public_key(&self) -> Result<PublicKey, PkiError> {
        Ok(PublicKey::Rsa {
            modulus: self.key.n().as_ref().to_be_bytes_trimmed_vartime().to_vec(),
            exponent: self.key.e().to_be_bytes_trimmed_vartime().to_vec(),
        })
    }

    fn hash(&self) -> HashAlgorithm {
        self.algorithm.hash()
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        self.identifier.clone()
    }

    /// The RSA signature over a digest of [`hash`](Signer::hash).
    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        rsa_sign_prehash(&self.key, self.algorithm, digest, &mut rand::rng())
            .map_err(|e| PkiError::Signing(e.to_string()))
    }

    /// The RSA signature over `message` (X.509 and CMS carry it as is).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        self.sign_prehash(&self.hash().digest(message))
    }
}
