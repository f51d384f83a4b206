//! Signature verification for Passive and Active Authentication, and software signing for issuance:
//! ECDSA (DER or plain `r‖s`) on every curve of [`crate::crypto::ec`], RSA PKCS#1 v1.5 and RSASSA-PSS.
//!
//! ```text
//! RSASSA-PSS-params ::= SEQUENCE {
//!     hashAlgorithm     [0] HashAlgorithm     DEFAULT sha1,
//!     maskGenAlgorithm  [1] MaskGenAlgorithm  DEFAULT mgf1SHA1,
//!     saltLength        [2] INTEGER           DEFAULT 20,
//!     trailerField      [3] TrailerField      DEFAULT trailerFieldBC }
//! ```

use der::Decode;
use der::asn1::ObjectIdentifier;
use spki::AlgorithmIdentifierOwned;

use super::ec::{EcError, NamedCurve};
use super::hash::HashAlgorithm;
use super::public_key::{EcDomain, PublicKey};
use crate::oid;
use crate::tlv::{Tag, TlvReader};

/// Why a signature could not be checked, or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A signature algorithm this library does not implement (the OID, and why).
    #[error("unsupported signature algorithm {oid}: {reason}")]
    UnsupportedAlgorithm {
        /// The algorithm OID.
        oid: String,
        /// Why it is not supported.
        reason: &'static str,
    },
    /// The algorithm does not fit the key (e.g. ECDSA with an RSA key).
    #[error("the {algorithm} signature algorithm does not fit a {key} key")]
    KeyMismatch {
        /// The algorithm family.
        algorithm: &'static str,
        /// The key type.
        key: &'static str,
    },
    /// The public key is malformed or on an unsupported curve.
    #[error("malformed or unsupported public key: {0}")]
    MalformedKey(String),
    /// Malformed algorithm parameters (e.g. RSASSA-PSS-params).
    #[error("malformed signature algorithm parameters")]
    MalformedParameters,
    /// The signature is malformed (wrong length, bad DER).
    #[error("malformed signature")]
    MalformedSignature,
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
}

impl From<EcError> for SignatureError {
    fn from(e: EcError) -> Self {
        match e {
            EcError::BadSignature => SignatureError::BadSignature,
            EcError::MalformedSignature => SignatureError::MalformedSignature,
            other => SignatureError::MalformedKey(other.to_string()),
        }
    }
}

/// A signature algorithm with its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// ECDSA with a DER `Ecdsa-Sig-Value` (X9.62 `ecdsa-with-SHA*`).
    Ecdsa(HashAlgorithm),
    /// ECDSA with a plain `r‖s` signature (BSI TR-03111 `ecdsa-plain-SHA*`).
    EcdsaPlain(HashAlgorithm),
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1v15(HashAlgorithm),
    /// RSASSA-PSS with MGF1 over the same hash.
    RsaPss {
        /// The message hash (and MGF1 hash).
        hash: HashAlgorithm,
        /// The salt length in bytes.
        salt_len: usize,
    },
}

const TABLE: [(ObjectIdentifier, SignatureAlgorithm); 15] = [
    (oid::ECDSA_WITH_SHA1, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha1)),
    (oid::ECDSA_WITH_SHA224, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha224)),
    (oid::ECDSA_WITH_SHA256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)),
    (oid::ECDSA_WITH_SHA384, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384)),
    (oid::ECDSA_WITH_SHA512, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha512)),
    (oid::ECDSA_PLAIN_SHA1, SignatureAlgorithm::EcdsaPlain(HashAlgorithm::Sha1)),
    (oid::ECDSA_PLAIN_SHA224, SignatureAlgorithm::EcdsaPlain(HashAlgorithm::Sha224)),
    (oid::ECDSA_PLAIN_SHA256, SignatureAlgorithm::EcdsaPlain(HashAlgorithm::Sha256)),
    (oid::ECDSA_PLAIN_SHA384, SignatureAlgorithm::EcdsaPlain(HashAlgorithm::Sha384)),
    (oid::ECDSA_PLAIN_SHA512, SignatureAlgorithm::EcdsaPlain(HashAlgorithm::Sha512)),
    (oid::SHA1_WITH_RSA, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha1)),
    (oid::SHA224_WITH_RSA, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha224)),
    (oid::SHA256_WITH_RSA, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256)),
    (oid::SHA384_WITH_RSA, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha384)),
    (oid::SHA512_WITH_RSA, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha512)),
];

impl SignatureAlgorithm {
    /// The algorithm of an `AlgorithmIdentifier`. `digest` is the hash named elsewhere (a CMS SignerInfo's
    /// digestAlgorithm), used when the identifier names only the key type (`rsaEncryption`, `id-ecPublicKey`),
    /// as some issuers write it.
    pub fn from_algorithm_identifier(
        alg: &AlgorithmIdentifierOwned,
        digest: Option<HashAlgorithm>,
    ) -> Result<Self, SignatureError> {
        let unsupported = |reason| SignatureError::UnsupportedAlgorithm { oid: oid::name(&alg.oid), reason };
        if let Some((_, a)) = TABLE.iter().find(|(o, _)| *o == alg.oid) {
            return Ok(*a);
        }
        if alg.oid == oid::RSASSA_PSS {
            let params = alg.parameters.as_ref().map(der::Encode::to_der).transpose();
            let params = params.map_err(|_| SignatureError::MalformedParameters)?;
            return Self::pss(params.as_deref());
        }
        let digest = digest.ok_or(unsupported("a key algorithm without a digest algorithm"))?;
        if alg.oid == oid::RSA_ENCRYPTION {
            Ok(SignatureAlgorithm::RsaPkcs1v15(digest))
        } else if alg.oid == oid::EC_PUBLIC_KEY {
            Ok(SignatureAlgorithm::Ecdsa(digest))
        } else {
            Err(unsupported("unknown algorithm"))
        }
    }

    /// Parses `RSASSA-PSS-params` (DER, or absent for all defaults).
    fn pss(params: Option<&[u8]>) -> Result<Self, SignatureError> {
        let bad = SignatureError::MalformedParameters;
        let unsupported = |reason| SignatureError::UnsupportedAlgorithm { oid: "id-RSASSA-PSS".into(), reason };
        let mut hash = HashAlgorithm::Sha1;
        let mut mgf_hash = HashAlgorithm::Sha1;
        let mut salt_len = 20usize;
        if let Some(params) = params.filter(|p| *p != [0x05, 0x00]) {
            let seq = TlvReader::single(params, Tag::new(0x30)).map_err(|_| bad.clone())?;
            for field in seq.children() {
                let field = field.map_err(|_| bad.clone())?;
                let inner = TlvReader::single_any(field.value()).map_err(|_| bad.clone())?;
                match field.tag().value() {
                    0xA0 => {
                        let a = AlgorithmIdentifierOwned::from_der(inner.raw()).map_err(|_| bad.clone())?;
                        hash = HashAlgorithm::from_oid(&a.oid).ok_or(unsupported("unknown hash"))?;
                    }
                    0xA1 => {
                        let a = AlgorithmIdentifierOwned::from_der(inner.raw()).map_err(|_| bad.clone())?;
                        if a.oid != oid::MGF1 {
                            return Err(unsupported("mask generation other than MGF1"));
                        }
                        let h = a.parameters.ok_or(bad.clone())?;
                        let h: AlgorithmIdentifierOwned = h.decode_as().map_err(|_| bad.clone())?;
                        mgf_hash = HashAlgorithm::from_oid(&h.oid).ok_or(unsupported("unknown MGF1 hash"))?;
                    }
                    0xA2 => {
                        let v = inner.value();
                        if inner.tag() != Tag::new(0x02) || v.is_empty() || v.len() > 4 {
                            return Err(bad);
                        }
                        salt_len = v.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                    }
                    0xA3 => {
                        if inner.value() != [0x01] {
                            return Err(unsupported("trailer field other than 0xBC"));
                        }
                    }
                    _ => return Err(bad),
                }
            }
        }
        if hash != mgf_hash {
            return Err(unsupported("MGF1 hash differs from the message hash"));
        }
        Ok(SignatureAlgorithm::RsaPss { hash, salt_len })
    }

    /// The message hash.
    pub fn hash(&self) -> HashAlgorithm {
        match *self {
            SignatureAlgorithm::Ecdsa(h)
            | SignatureAlgorithm::EcdsaPlain(h)
            | SignatureAlgorithm::RsaPkcs1v15(h)
            | SignatureAlgorithm::RsaPss { hash: h, .. } => h,
        }
    }

    /// A readable name, e.g. `ecdsa-with-SHA256`.
    pub fn name(&self) -> String {
        match *self {
            SignatureAlgorithm::RsaPss { hash, salt_len } => format!("RSASSA-PSS ({}, salt {salt_len})", hash.name()),
            other => TABLE.iter().find(|(_, a)| *a == other).map(|(o, _)| oid::name(o)).unwrap_or_default(),
        }
    }

    /// Verifies `signature` over `message`.
    pub fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        self.verify_prehash(key, &self.hash().digest(message), signature)
    }

    /// Verifies `signature` over a message whose hash (with [`Self::hash`]) is `prehash`.
    pub fn verify_prehash(&self, key: &PublicKey, prehash: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        match (self, key) {
            (SignatureAlgorithm::Ecdsa(_) | SignatureAlgorithm::EcdsaPlain(_), PublicKey::Ec { domain, point }) => {
                let curve = curve_of(domain)?;
                if matches!(self, SignatureAlgorithm::EcdsaPlain(_)) && signature.len() != 2 * curve.field_size() {
                    return Err(SignatureError::MalformedSignature);
                }
                Ok(curve.ecdsa_verify_prehash(point, prehash, signature)?)
            }
            (SignatureAlgorithm::RsaPkcs1v15(h), PublicKey::Rsa { modulus, exponent }) => {
                let key = rsa_key(modulus, exponent)?;
                let scheme = match h {
                    HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                    HashAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                    HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(scheme, prehash, signature).map_err(|_| SignatureError::BadSignature)
            }
            (SignatureAlgorithm::RsaPss { hash, salt_len }, PublicKey::Rsa { modulus, exponent }) => {
                let key = rsa_key(modulus, exponent)?;
                let s = *salt_len;
                let r = match hash {
                    HashAlgorithm::Sha1 => key.verify(rsa::Pss::<sha1::Sha1>::new_with_salt(s), prehash, signature),
                    HashAlgorithm::Sha224 => key.verify(rsa::Pss::<sha2::Sha224>::new_with_salt(s), prehash, signature),
                    HashAlgorithm::Sha256 => key.verify(rsa::Pss::<sha2::Sha256>::new_with_salt(s), prehash, signature),
                    HashAlgorithm::Sha384 => key.verify(rsa::Pss::<sha2::Sha384>::new_with_salt(s), prehash, signature),
                    HashAlgorithm::Sha512 => key.verify(rsa::Pss::<sha2::Sha512>::new_with_salt(s), prehash, signature),
                };
                r.map_err(|_| SignatureError::BadSignature)
            }
            (SignatureAlgorithm::Ecdsa(_) | SignatureAlgorithm::EcdsaPlain(_), other) => {
                Err(SignatureError::KeyMismatch { algorithm: "ECDSA", key: key_type(other) })
            }
            (_, other) => Err(SignatureError::KeyMismatch { algorithm: "RSA", key: key_type(other) }),
        }
    }
}

fn key_type(key: &PublicKey) -> &'static str {
    match key {
        PublicKey::Rsa { .. } => "RSA",
        PublicKey::Ec { .. } => "EC",
        PublicKey::Dh { .. } => "DH",
        _ => "unknown",
    }
}

/// The named curve of EC domain parameters (named, or explicit parameters of a known curve).
pub fn curve_of(domain: &EcDomain) -> Result<NamedCurve, SignatureError> {
    match domain {
        EcDomain::Named(o) => {
            NamedCurve::from_oid(o).ok_or_else(|| SignatureError::MalformedKey(format!("unsupported curve {o}")))
        }
        EcDomain::Explicit(c) => Ok(NamedCurve::from_explicit(&c.p, &c.a, &c.b, &c.order)?),
        EcDomain::ImplicitlyCa => Err(SignatureError::MalformedKey("implicitlyCA parameters".into())),
    }
}

/// Verifies an ISO/IEC 9796-2 digital signature scheme 1 signature (partial message recovery, as RSA Active
/// Authentication uses it, ICAO 9303-11 §6.1): `F = s^e mod n` must be `6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer`, the
/// trailer `BC` (SHA-1) or `<hash id> CC` (`38` SHA-224, `34` SHA-256, `36` SHA-384, `35` SHA-512). Returns the
/// recovered part `M1`.
pub fn verify_iso9796_2(
    modulus: &[u8],
    exponent: &[u8],
    m2: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>, SignatureError> {
    use rsa::traits::PublicKeyParts;
    let key = rsa_key(modulus, exponent)?;
    let bad = |why: &str| SignatureError::MalformedKey(format!("ISO/IEC 9796-2: {why}"));
    let precision = key.n_bits_precision();
    let s = rsa::BoxedUint::from_be_slice(signature, precision).map_err(|_| SignatureError::MalformedSignature)?;
    if s >= *key.n().as_ref() {
        return Err(SignatureError::MalformedSignature);
    }
    let f = rsa::hazmat::rsa_encrypt(&key, &s).map_err(|_| SignatureError::MalformedSignature)?;
    // F, or n − F when the signer chose the smaller representative (ISO/IEC 9796-2 §B: F ≡ 12 mod 16)
    let candidates = [f.clone(), key.n().as_ref().wrapping_sub(&f)];
    let k = key.size();
    for f in candidates {
        let bytes = f.to_be_bytes();
        let f = bytes.get(bytes.len().saturating_sub(k)..).unwrap_or_default();
        if f.first() != Some(&0x6A) {
            continue;
        }
        let (hash, trailer) = match f.last() {
            Some(0xBC) => (HashAlgorithm::Sha1, 1),
            Some(0xCC) => match f.get(f.len().wrapping_sub(2)) {
                Some(0x38) => (HashAlgorithm::Sha224, 2),
                Some(0x34) => (HashAlgorithm::Sha256, 2),
                Some(0x36) => (HashAlgorithm::Sha384, 2),
                Some(0x35) => (HashAlgorithm::Sha512, 2),
                _ => return Err(bad("unknown hash identifier")),
            },
            _ => continue,
        };
        let hash_len = hash.digest(&[]).len();
        let end = f.len().checked_sub(trailer + hash_len).ok_or_else(|| bad("too short"))?;
        let (Some(m1), Some(digest)) = (f.get(1..end), f.get(end..end + hash_len)) else {
            return Err(bad("too short"));
        };
        let expected = hash.digest(&[m1, m2].concat());
        return if crate::crypto::sym::mac_eq(digest, &expected) {
            Ok(m1.to_vec())
        } else {
            Err(SignatureError::BadSignature)
        };
    }
    Err(SignatureError::BadSignature)
}

/// Signs `m2` (the non-recoverable part: an Active Authentication challenge) with ISO/IEC 9796-2 digital
/// signature scheme 1, as a chip does: `F = 6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer` with a random `M1` filling the
/// modulus, `s = F^d mod n` (the private operation blinded and checked), the smaller of `s` and `n − s`.
pub fn sign_iso9796_2(
    key: &rsa::RsaPrivateKey,
    hash: HashAlgorithm,
    m2: &[u8],
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<Vec<u8>, SignatureError> {
    use rsa::traits::PublicKeyParts;
    let k = key.size();
    let trailer: Vec<u8> = match hash {
        HashAlgorithm::Sha1 => vec![0xBC],
        HashAlgorithm::Sha224 => vec![0x38, 0xCC],
        HashAlgorithm::Sha256 => vec![0x34, 0xCC],
        HashAlgorithm::Sha384 => vec![0x36, 0xCC],
        HashAlgorithm::Sha512 => vec![0x35, 0xCC],
    };
    let hash_len = hash.digest(&[]).len();
    // the top byte 6A stays below a modulus whose top byte is at least 0x80 (a full-length modulus)
    if key.n_bits_precision() < 512 || !key.n().as_ref().bits().is_multiple_of(8) {
        return Err(SignatureError::MalformedKey("ISO/IEC 9796-2: the modulus must be a whole number of bytes".into()));
    }
    let m1_len =
        k.checked_sub(1 + hash_len + trailer.len()).ok_or(SignatureError::MalformedKey("modulus too short".into()))?;
    let mut m1 = zeroize::Zeroizing::new(vec![0u8; m1_len]);
    rng.fill_bytes(&mut m1);
    let digest = hash.digest(&[m1.as_slice(), m2].concat());
    let f = zeroize::Zeroizing::new([&[0x6A][..], &m1, &digest, &trailer].concat());
    let f =
        rsa::BoxedUint::from_be_slice(&f, key.n_bits_precision()).map_err(|_| SignatureError::MalformedSignature)?;
    let mut rng = rsa_rng(rng);
    let s = rsa::hazmat::rsa_decrypt_and_check(key, Some(&mut rng), &f)
        .map_err(|e| SignatureError::MalformedKey(e.to_string()))?;
    let other = key.n().as_ref().wrapping_sub(&s);
    let smaller = if other < s { other } else { s };
    let bytes = smaller.to_be_bytes();
    let mut out = vec![0u8; k.saturating_sub(bytes.len())];
    out.extend_from_slice(bytes.get(bytes.len().saturating_sub(k)..).unwrap_or_default());
    Ok(out)
}

/// ISO/IEC 9796-2 scheme 1 with SHA-1 as a chip that holds only the modulus and the private exponent signs
/// (the JMRTD applet's raw `ALG_RSA_NOPAD`): `s = F^d mod n` with `F = 6A ‖ M1 ‖ SHA-1(M1 ‖ M2) ‖ BC`, `M1` given
/// (it fills the modulus: `k − 22` bytes), `s` itself returned (not the smaller of `s` and `n − s`).
pub fn sign_iso9796_2_raw_sha1(
    modulus: &[u8],
    private_exponent: &[u8],
    m1: &[u8],
    m2: &[u8],
) -> Result<Vec<u8>, SignatureError> {
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    let bad = |why: &str| SignatureError::MalformedKey(format!("ISO/IEC 9796-2: {why}"));
    let n = crypto_bigint::BoxedUint::from_be_slice_vartime(modulus);
    let k = modulus.len();
    if k < 64 || n.bits() != u32::try_from(k * 8).unwrap_or(0) {
        return Err(bad("the modulus must be a whole number of bytes, at least 512 bits"));
    }
    if m1.len() + 22 != k {
        return Err(bad("M1 must fill the modulus"));
    }
    let digest = HashAlgorithm::Sha1.digest(&[m1, m2].concat());
    let f = zeroize::Zeroizing::new([&[0x6A][..], m1, &digest, &[0xBC]].concat());
    let precision = n.bits_precision();
    let f = crypto_bigint::BoxedUint::from_be_slice(&f, precision).map_err(|_| SignatureError::MalformedSignature)?;
    let d = crypto_bigint::BoxedUint::from_be_slice_vartime(private_exponent);
    let odd = Option::<crypto_bigint::Odd<crypto_bigint::BoxedUint>>::from(crypto_bigint::Odd::new(n))
        .ok_or_else(|| bad("an even modulus"))?;
    let params = BoxedMontyParams::new(odd);
    let s = BoxedMontyForm::new(f, &params).pow(&d).retrieve();
    let bytes = s.to_be_bytes();
    let mut out = vec![0u8; k.saturating_sub(bytes.len())];
    out.extend_from_slice(bytes.get(bytes.len().saturating_sub(k)..).unwrap_or_default());
    Ok(out)
}

/// A `rand_core` 0.10 generator over a `dyn CryptoRng` for the `rsa` crate's blinding.
fn rsa_rng(rng: &mut dyn rand_core::CryptoRng) -> impl rand_core::CryptoRng + '_ {
    struct Wrap<'a>(&'a mut dyn rand_core::CryptoRng);
    impl rand_core::TryRng for Wrap<'_> {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(self.0.next_u32())
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(self.0.next_u64())
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            self.0.fill_bytes(dst);
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Wrap<'_> {}
    Wrap(rng)
}

impl SignatureAlgorithm {
    /// The `AlgorithmIdentifier` X.509 and CMS carry for this algorithm: the `*WithRSAEncryption` OIDs with
    /// NULL parameters, `id-RSASSA-PSS` with its parameters (hash, MGF1 over the same hash, salt length),
    /// `ecdsa-with-SHA*` and `ecdsa-plain-SHA*` without parameters.
    pub fn to_algorithm_identifier(&self) -> Result<AlgorithmIdentifierOwned, SignatureError> {
        use der::{Any, Encode};
        let hash_id = |h: HashAlgorithm| -> Result<AlgorithmIdentifierOwned, der::Error> {
            Ok(AlgorithmIdentifierOwned { oid: h.oid(), parameters: Some(Any::encode_from(&der::asn1::Null)?) })
        };
        let enc = |e: der::Error| SignatureError::MalformedKey(e.to_string());
        if let SignatureAlgorithm::RsaPss { hash, salt_len } = *self {
            let explicit = |tag: u32, inner: Vec<u8>| crate::tlv::encode_tlv(Tag::new(tag), &inner);
            let mgf = AlgorithmIdentifierOwned {
                oid: oid::MGF1,
                parameters: Some(Any::encode_from(&hash_id(hash).map_err(enc)?).map_err(enc)?),
            };
            let salt = u32::try_from(salt_len).map_err(|_| SignatureError::MalformedParameters)?;
            let params = [
                explicit(0xA0, hash_id(hash).and_then(|h| h.to_der()).map_err(enc)?),
                explicit(0xA1, mgf.to_der().map_err(enc)?),
                explicit(0xA2, salt.to_der().map_err(enc)?),
            ]
            .concat();
            let params = crate::tlv::encode_tlv(Tag::new(0x30), &params);
            return Ok(AlgorithmIdentifierOwned {
                oid: oid::RSASSA_PSS,
                parameters: Some(Any::from_der(&params).map_err(enc)?),
            });
        }
        let (oid, _) = TABLE.iter().find(|(_, a)| a == self).ok_or(SignatureError::MalformedParameters)?;
        let parameters = match self {
            SignatureAlgorithm::RsaPkcs1v15(_) => Some(Any::encode_from(&der::asn1::Null).map_err(enc)?),
            _ => None,
        };
        Ok(AlgorithmIdentifierOwned { oid: *oid, parameters })
    }
}

/// Signs with an RSA private key over `prehash` (the digest of the algorithm's hash): RSASSA-PKCS1-v1_5, or
/// RSASSA-PSS with a fresh random salt. The private operation is blinded.
pub fn rsa_sign_prehash(
    key: &rsa::RsaPrivateKey,
    algorithm: SignatureAlgorithm,
    prehash: &[u8],
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<Vec<u8>, SignatureError> {
    if prehash.len() != algorithm.hash().digest(&[]).len() {
        return Err(SignatureError::MalformedParameters);
    }
    let mut rng = rsa_rng(rng);
    let r = match algorithm {
        SignatureAlgorithm::RsaPkcs1v15(h) => {
            let scheme = match h {
                HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                HashAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
                HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            key.sign_with_rng(&mut rng, scheme, prehash)
        }
        SignatureAlgorithm::RsaPss { hash, salt_len: s } => match hash {
            HashAlgorithm::Sha1 => key.sign_with_rng(&mut rng, rsa::Pss::<sha1::Sha1>::new_with_salt(s), prehash),
            HashAlgorithm::Sha224 => key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha224>::new_with_salt(s), prehash),
            HashAlgorithm::Sha256 => key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha256>::new_with_salt(s), prehash),
            HashAlgorithm::Sha384 => key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha384>::new_with_salt(s), prehash),
            HashAlgorithm::Sha512 => key.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha512>::new_with_salt(s), prehash),
        },
        _ => return Err(SignatureError::KeyMismatch { algorithm: "ECDSA", key: "RSA" }),
    };
    r.map_err(|e| SignatureError::MalformedKey(e.to_string()))
}

/// Verifies an RSASSA-PSS signature (MGF1 with `hash`) over `message` whatever its salt length: readers
/// tolerate signers that use the largest salt (OpenSSL's default) where a profile names the hash length.
pub fn verify_rsa_pss_any_salt(
    key: &PublicKey,
    hash: HashAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let PublicKey::Rsa { modulus, exponent } = key else {
        return Err(SignatureError::KeyMismatch { algorithm: "RSA", key: key_type(key) });
    };
    let key = rsa_key(modulus, exponent)?;
    let prehash = hash.digest(message);
    fn auto<D: digest::Digest + digest::FixedOutputReset>() -> rsa::Pss<D> {
        rsa::Pss { blinded: true, digest: D::new(), salt_len: None }
    }
    let r = match hash {
        HashAlgorithm::Sha1 => key.verify(auto::<sha1::Sha1>(), &prehash, signature),
        HashAlgorithm::Sha224 => key.verify(auto::<sha2::Sha224>(), &prehash, signature),
        HashAlgorithm::Sha256 => key.verify(auto::<sha2::Sha256>(), &prehash, signature),
        HashAlgorithm::Sha384 => key.verify(auto::<sha2::Sha384>(), &prehash, signature),
        HashAlgorithm::Sha512 => key.verify(auto::<sha2::Sha512>(), &prehash, signature),
    };
    r.map_err(|_| SignatureError::BadSignature)
}

fn rsa_key(modulus: &[u8], exponent: &[u8]) -> Result<rsa::RsaPublicKey, SignatureError> {
    let n = rsa::BoxedUint::from_be_slice_vartime(modulus);
    let e = rsa::BoxedUint::from_be_slice_vartime(exponent);
    rsa::RsaPublicKey::new(n, e).map_err(|e| SignatureError::MalformedKey(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_identifiers() {
        let alg = |o| AlgorithmIdentifierOwned { oid: o, parameters: None };
        assert_eq!(
            SignatureAlgorithm::from_algorithm_identifier(&alg(oid::ECDSA_WITH_SHA1), None),
            Ok(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha1))
        );
        assert_eq!(
            SignatureAlgorithm::from_algorithm_identifier(&alg(oid::RSA_ENCRYPTION), Some(HashAlgorithm::Sha256)),
            Ok(SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256))
        );
        assert!(matches!(
            SignatureAlgorithm::from_algorithm_identifier(&alg(oid::RSA_ENCRYPTION), None),
            Err(SignatureError::UnsupportedAlgorithm { .. })
        ));
        // PSS with defaults (absent parameters): SHA-1, salt 20
        assert_eq!(
            SignatureAlgorithm::from_algorithm_identifier(&alg(oid::RSASSA_PSS), None),
            Ok(SignatureAlgorithm::RsaPss { hash: HashAlgorithm::Sha1, salt_len: 20 })
        );
        // PSS with SHA-256, MGF1-SHA-256, salt 32 (as OpenSSL writes it)
        let params = hex::decode(
            "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120",
        )
        .unwrap();
        assert_eq!(
            SignatureAlgorithm::pss(Some(&params)),
            Ok(SignatureAlgorithm::RsaPss { hash: HashAlgorithm::Sha256, salt_len: 32 })
        );
        assert_eq!(SignatureAlgorithm::pss(Some(&params[..10])), Err(SignatureError::MalformedParameters));
    }

    #[test]
    fn ecdsa_key_mismatch_and_bad_signature() {
        let curve = NamedCurve::P256;
        let secret = [7u8; 32];
        let point = curve.public_key(&secret).unwrap();
        let key = PublicKey::Ec { domain: EcDomain::Named(oid::SECP256R1), point };
        let msg = b"document security object";
        let sig = curve.ecdsa_sign_prehash(&secret, &HashAlgorithm::Sha256.digest(msg)).unwrap();
        let alg = SignatureAlgorithm::EcdsaPlain(HashAlgorithm::Sha256);
        alg.verify(&key, msg, &sig).unwrap();
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)
            .verify(&key, msg, &super::super::ec::der_signature(&sig))
            .unwrap();
        assert_eq!(alg.verify(&key, b"other", &sig), Err(SignatureError::BadSignature));
        assert_eq!(alg.verify(&key, msg, &sig[..63]), Err(SignatureError::MalformedSignature));
        let rsa = PublicKey::Rsa { modulus: vec![0xC1; 128], exponent: vec![1, 0, 1] };
        assert!(matches!(alg.verify(&rsa, msg, &sig), Err(SignatureError::KeyMismatch { .. })));
        assert!(matches!(
            SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256).verify(&key, msg, &sig),
            Err(SignatureError::KeyMismatch { .. })
        ));
    }
}
