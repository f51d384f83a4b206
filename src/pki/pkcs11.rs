//! Document Signer keys in an HSM, over PKCS#11 ([`cryptoki`]); feature `pkcs11`.
//!
//! The key never leaves the token: [`Pkcs11Key`] asks the token for signatures over digests the library
//! computes — `CKM_ECDSA` for EC keys, `CKM_RSA_PKCS` (over the DigestInfo) or `CKM_RSA_PKCS_PSS` for RSA keys.
//! Tested against SoftHSM2 (`.ci/run` installs and initializes a token).
//!
//! ```no_run
//! # fn main() -> Result<(), cccd::pki::PkiError> {
//! use cccd::pki::pkcs11::Pkcs11Key;
//! let key = Pkcs11Key::open("/usr/lib/softhsm/libsofthsm2.so".as_ref(), "cccd", "1234", "ds-2026")?;
//! # Ok(()) }
//! ```

use std::path::Path;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use der::Encode;

use super::{PkiError, Signer};
use crate::crypto::ec::NamedCurve;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::{EcDomain, PublicKey};
use crate::crypto::signature::SignatureAlgorithm;

fn p11(e: cryptoki::error::Error) -> PkiError {
    PkiError::Pkcs11(e.to_string())
}

/// What the token's key is.
enum KeyKind {
    Ec {
        curve: NamedCurve,
        point: Vec<u8>,
    },
    Rsa {
        modulus: Vec<u8>,
        exponent: Vec<u8>,
        algorithm: SignatureAlgorithm,
        identifier: spki::AlgorithmIdentifierOwned,
    },
}

/// A private key (EC, or RSA with PKCS#1 v1.5 or PSS) in a PKCS#11 token. One session, used by one signature at
/// a time (`Sync` through a mutex, so one key serves parallel issuance; an HSM's own throughput is the limit).
pub struct Pkcs11Key {
    session: Mutex<Session>,
    key: ObjectHandle,
    kind: KeyKind,
    label: String,
    _context: Pkcs11,
}

impl core::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Pkcs11Key");
        d.field("label", &self.label);
        match &self.kind {
            KeyKind::Ec { curve, .. } => d.field("curve", &curve.name()),
            KeyKind::Rsa { modulus, algorithm, .. } => {
                d.field("rsa_bits", &(modulus.len() * 8)).field("algorithm", &algorithm.name())
            }
        };
        d.finish()
    }
}

fn rsa_identifier(algorithm: SignatureAlgorithm) -> Result<spki::AlgorithmIdentifierOwned, PkiError> {
    if !matches!(algorithm, SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss { .. }) {
        return Err(PkiError::UnsupportedKey(format!("an RSA key cannot sign with {}", algorithm.name())));
    }
    algorithm.to_algorithm_identifier().map_err(|e| PkiError::Signing(e.to_string()))
}

/// The PKCS#11 hash mechanism and MGF1 type of a hash.
fn pss_types(hash: HashAlgorithm) -> (MechanismType, PkcsMgfType) {
    match hash {
        HashAlgorithm::Sha1 => (MechanismType::SHA1, PkcsMgfType::MGF1_SHA1),
        HashAlgorithm::Sha224 => (MechanismType::SHA224, PkcsMgfType::MGF1_SHA224),
        HashAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        HashAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        HashAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    }
}

/// Loads the module, finds the token by label and logs in as user.
fn login(module: &Path, token_label: &str, pin: &str) -> Result<(Pkcs11, Session), PkiError> {
    let context = Pkcs11::new(module).map_err(p11)?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(p11(e)),
    }
    let mut found = None;
    for slot in context.get_slots_with_token().map_err(p11)? {
        if context.get_token_info(slot).map_err(p11)?.label().trim_end() == token_label {
            found = Some(slot);
            break;
        }
    }
    let slot = found.ok_or_else(|| PkiError::Pkcs11(format!("no token labelled {token_label:?}")))?;
    let session = context.open_rw_session(slot).map_err(p11)?;
    let pin = AuthPin::from(pin.to_string());
    match session.login(UserType::User, Some(&pin)) {
        Ok(()) | Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _)) => {}
        Err(e) => return Err(p11(e)),
    }
    Ok((context, session))
}

/// The curve named by a `CKA_EC_PARAMS` value (a DER OID).
fn curve_of(params: &[u8]) -> Result<NamedCurve, PkiError> {
    use der::Decode;
    let oid = der::asn1::ObjectIdentifier::from_der(params)?;
    NamedCurve::from_oid(&oid).ok_or_else(|| PkiError::UnsupportedKey(format!("curve {oid}")))
}

/// The point of a `CKA_EC_POINT` value: a DER OCTET STRING around the uncompressed point (or, from some
/// tokens, the bare point).
fn point_of(value: &[u8]) -> Result<Vec<u8>, PkiError> {
    use der::Decode;
    match der::asn1::OctetString::from_der(value) {
        Ok(os) if os.as_bytes().first() == Some(&0x04) => Ok(os.as_bytes().to_vec()),
        _ if value.first() == Some(&0x04) => Ok(value.to_vec()),
        _ => Err(PkiError::UnsupportedKey("unreadable CKA_EC_POINT".into())),
    }
}

/// Generates a key pair with `mechanism` in the token, both halves labelled `key_label`: the public one with
/// `public` (its type and size) added, the private one sensitive, not extractable, for signing only.
fn generate_pair(
    module: &Path,
    token_label: &str,
    pin: &str,
    key_label: &str,
    mechanism: &Mechanism<'_>,
    public: &[Attribute],
) -> Result<(), PkiError> {
    let (_context, session) = login(module, token_label, pin)?;
    let label = Attribute::Label(key_label.as_bytes().to_vec());
    let mut public_template = vec![Attribute::Token(true), Attribute::Verify(true), label.clone()];
    public_template.extend_from_slice(public);
    let private_template = [
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
        label,
    ];
    session.generate_key_pair(mechanism, &public_template, &private_template).map_err(p11)?;
    Ok(())
}

impl Pkcs11Key {
    /// Opens the private key labelled `key_label` (and its public key of the same label) in the token
    /// `token_label` of the PKCS#11 module at `module`.
    pub fn open(module: &Path, token_label: &str, pin: &str, key_label: &str) -> Result<Self, PkiError> {
        let (context, session) = login(module, token_label, pin)?;
        let find = |class| {
            session
                .find_objects(&[Attribute::Class(class), Attribute::Label(key_label.as_bytes().to_vec())])
                .map_err(p11)?
                .first()
                .copied()
                .ok_or_else(|| PkiError::Pkcs11(format!("no {class} labelled {key_label:?}")))
        };
        let key = find(ObjectClass::PRIVATE_KEY)?;
        let public = find(ObjectClass::PUBLIC_KEY)?;
        let key_type = session.get_attributes(public, &[AttributeType::KeyType]).map_err(p11)?;
        let kind = if key_type.iter().any(|a| matches!(a, Attribute::KeyType(t) if *t == KeyType::RSA)) {
            let attributes = session
                .get_attributes(public, &[AttributeType::Modulus, AttributeType::PublicExponent])
                .map_err(p11)?;
            let (mut modulus, mut exponent) = (None, None);
            for a in attributes {
                match a {
                    Attribute::Modulus(m) => modulus = Some(m),
                    Attribute::PublicExponent(e) => exponent = Some(e),
                    _ => {}
                }
            }
            let algorithm = SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256);
            KeyKind::Rsa {
                modulus: modulus.ok_or_else(|| PkiError::UnsupportedKey("no RSA modulus".into()))?,
                exponent: exponent.ok_or_else(|| PkiError::UnsupportedKey("no RSA public exponent".into()))?,
                algorithm,
                identifier: rsa_identifier(algorithm)?,
            }
        } else {
            let attributes =
                session.get_attributes(public, &[AttributeType::EcParams, AttributeType::EcPoint]).map_err(p11)?;
            let (mut curve, mut point) = (None, None);
            for a in attributes {
                match a {
                    Attribute::EcParams(p) => curve = Some(curve_of(&p)?),
                    Attribute::EcPoint(p) => point = Some(point_of(&p)?),
                    _ => {}
                }
            }
            KeyKind::Ec {
                curve: curve.ok_or_else(|| PkiError::UnsupportedKey("neither an EC nor an RSA key".into()))?,
                point: point.ok_or_else(|| PkiError::UnsupportedKey("no public point".into()))?,
            }
        };
        Ok(Pkcs11Key { session: Mutex::new(session), key, kind, label: key_label.into(), _context: context })
    }

    /// For an RSA key: sign with `algorithm` (RSASSA-PKCS1-v1_5 or RSASSA-PSS with any hash) instead of the
    /// default RSASSA-PKCS1-v1_5 with SHA-256 (a token does not record the scheme a key is for).
    pub fn with_rsa_algorithm(mut self, algorithm: SignatureAlgorithm) -> Result<Self, PkiError> {
        match &mut self.kind {
            KeyKind::Rsa { algorithm: a, identifier, .. } => {
                *identifier = rsa_identifier(algorithm)?;
                *a = algorithm;
                Ok(self)
            }
            KeyKind::Ec { .. } => Err(PkiError::UnsupportedKey("not an RSA key".into())),
        }
    }

    /// Generates a new RSA key pair of `bits` (2048 at least; public exponent 65537) in the token (private key
    /// sensitive and not extractable), labelled `key_label`, and opens it to sign with `algorithm`.
    pub fn generate_rsa(
        module: &Path,
        token_label: &str,
        pin: &str,
        key_label: &str,
        bits: u64,
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, PkiError> {
        if bits < 2048 {
            return Err(PkiError::UnsupportedKey(format!("RSA-{bits}: ICAO 9303-12 asks for 2048 bits at least")));
        }
        rsa_identifier(algorithm)?;
        let public = [Attribute::ModulusBits(bits.into()), Attribute::PublicExponent(vec![0x01, 0x00, 0x01])];
        generate_pair(module, token_label, pin, key_label, &Mechanism::RsaPkcsKeyPairGen, &public)?;
        Pkcs11Key::open(module, token_label, pin, key_label)?.with_rsa_algorithm(algorithm)
    }

    /// Generates a new EC key pair on `curve` in the token (private key sensitive and not extractable), labelled
    /// `key_label`, and opens it.
    pub fn generate(
        module: &Path,
        token_label: &str,
        pin: &str,
        key_label: &str,
        curve: NamedCurve,
    ) -> Result<Self, PkiError> {
        let public = [Attribute::KeyType(KeyType::EC), Attribute::EcParams(curve.oid().to_der()?)];
        generate_pair(module, token_label, pin, key_label, &Mechanism::EccKeyPairGen, &public)?;
        Pkcs11Key::open(module, token_label, pin, key_label)
    }

    /// The curve of an EC key (`None` for RSA).
    pub fn curve(&self) -> Option<NamedCurve> {
        match &self.kind {
            KeyKind::Ec { curve, .. } => Some(*curve),
            KeyKind::Rsa { .. } => None,
        }
    }
}

impl Signer for Pkcs11Key {
    fn public_key(&self) -> Result<PublicKey, PkiError> {
        Ok(match &self.kind {
            KeyKind::Ec { curve, point } => {
                PublicKey::Ec { domain: EcDomain::Named(curve.oid()), point: point.clone() }
            }
            KeyKind::Rsa { modulus, exponent, .. } => {
                PublicKey::Rsa { modulus: modulus.clone(), exponent: exponent.clone() }
            }
        })
    }

    fn hash(&self) -> HashAlgorithm {
        match &self.kind {
            KeyKind::Ec { curve, .. } => super::hash_for_curve(*curve),
            KeyKind::Rsa { algorithm, .. } => algorithm.hash(),
        }
    }

    fn signature_algorithm(&self) -> spki::AlgorithmIdentifierOwned {
        match &self.kind {
            KeyKind::Ec { .. } => {
                let oid = match self.hash() {
                    HashAlgorithm::Sha384 => crate::oid::ECDSA_WITH_SHA384,
                    HashAlgorithm::Sha512 => crate::oid::ECDSA_WITH_SHA512,
                    HashAlgorithm::Sha224 => crate::oid::ECDSA_WITH_SHA224,
                    _ => crate::oid::ECDSA_WITH_SHA256,
                };
                spki::AlgorithmIdentifierOwned { oid, parameters: None }
            }
            KeyKind::Rsa { identifier, .. } => identifier.clone(),
        }
    }

    /// ECDSA: `CKM_ECDSA` over the digest (plain `r‖s`). RSA: `CKM_RSA_PKCS` over the DigestInfo, or
    /// `CKM_RSA_PKCS_PSS` over the digest.
    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        let session = self.session.lock().map_err(|_| PkiError::Pkcs11("session lock poisoned".into()))?;
        match &self.kind {
            KeyKind::Ec { .. } => session.sign(&Mechanism::Ecdsa, self.key, digest).map_err(p11),
            KeyKind::Rsa { algorithm: SignatureAlgorithm::RsaPss { hash, salt_len }, .. } => {
                let (hash_alg, mgf) = pss_types(*hash);
                let params = PkcsPssParams { hash_alg, mgf, s_len: (*salt_len as u64).into() };
                session.sign(&Mechanism::RsaPkcsPss(params), self.key, digest).map_err(p11)
            }
            KeyKind::Rsa { algorithm, .. } => {
                use crate::tlv::{Tag, encode_tlv};
                let null = [0x05, 0x00];
                let oid = algorithm.hash().oid().to_der()?;
                let digest_algorithm = encode_tlv(Tag::new(0x30), &[oid.as_slice(), &null].concat());
                let digest_info =
                    encode_tlv(Tag::new(0x30), &[digest_algorithm, encode_tlv(Tag::new(0x04), digest)].concat());
                session.sign(&Mechanism::RsaPkcs, self.key, &digest_info).map_err(p11)
            }
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        let signature = self.sign_prehash(&self.hash().digest(message))?;
        match &self.kind {
            KeyKind::Ec { .. } => Ok(super::der_signature(&signature)),
            KeyKind::Rsa { .. } => Ok(signature),
        }
    }
}
