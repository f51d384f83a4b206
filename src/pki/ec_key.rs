//! ECDSA signing keys in memory, on every curve of [`crate::crypto::ec`].

use core::fmt;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use zeroize::Zeroizing;

use super::{PkiError, Signer, hash_for_curve, pem_decode, pem_encode};
use crate::crypto::ec::NamedCurve;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::{EcDomain, PublicKey};
use crate::oid;

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
            "EC PRIVATE KEY" => SoftwareKey::from_sec1_der(&der_bytes),
            other => Err(PkiError::UnsupportedKey(format!("PEM label {other}"))),
        }
    }

    /// A key from SEC1 `ECPrivateKey` DER naming its curve.
    pub fn from_sec1_der(der_bytes: &[u8]) -> Result<Self, PkiError> {
        let ec = sec1::EcPrivateKey::from_der(der_bytes)?;
        let Some(sec1::EcParameters::NamedCurve(o)) = ec.parameters else {
            return Err(PkiError::UnsupportedKey("no curve named".into()));
        };
        let curve = NamedCurve::from_oid(&o).ok_or_else(|| PkiError::UnsupportedKey(format!("curve {o}")))?;
        SoftwareKey::from_secret(curve, ec.private_key)
    }

    /// A key from DER that is PKCS#8 or SEC1 (OpenPACE's `cvc-create` writes SEC1 into its `.pkcs8` files).
    pub fn from_der(der_bytes: &[u8]) -> Result<Self, PkiError> {
        SoftwareKey::from_pkcs8_der(der_bytes).or_else(|e| SoftwareKey::from_sec1_der(der_bytes).map_err(|_| e))
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
