//! Document Signer keys in an HSM, over PKCS#11 ([`cryptoki`]); feature `pkcs11`.
//!
//! The key never leaves the token: [`Pkcs11Key`] asks the token for `CKM_ECDSA` signatures over digests the
//! library computes. Tested against SoftHSM2 (`.ci/run` installs and initializes a token).
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
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use der::Encode;

use super::{PkiError, Signer};
use crate::crypto::ec::NamedCurve;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::{EcDomain, PublicKey};

fn p11(e: cryptoki::error::Error) -> PkiError {
    PkiError::Pkcs11(e.to_string())
}

/// An EC private key in a PKCS#11 token. One session, used by one signature at a time (`Sync` through a
/// mutex, so one key serves parallel issuance; an HSM's own throughput is the limit).
pub struct Pkcs11Key {
    session: Mutex<Session>,
    key: ObjectHandle,
    curve: NamedCurve,
    point: Vec<u8>,
    label: String,
    _context: Pkcs11,
}

impl core::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pkcs11Key").field("label", &self.label).field("curve", &self.curve.name()).finish()
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
        let curve = curve.ok_or_else(|| PkiError::UnsupportedKey("not an EC key".into()))?;
        let point = point.ok_or_else(|| PkiError::UnsupportedKey("no public point".into()))?;
        Ok(Pkcs11Key { session: Mutex::new(session), key, curve, point, label: key_label.into(), _context: context })
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
        let (context, session) = login(module, token_label, pin)?;
        let label = Attribute::Label(key_label.as_bytes().to_vec());
        let public_template = [
            Attribute::Token(true),
            Attribute::Verify(true),
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(curve.oid().to_der()?),
            label.clone(),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            label,
        ];
        session.generate_key_pair(&Mechanism::EccKeyPairGen, &public_template, &private_template).map_err(p11)?;
        drop(session);
        drop(context);
        Pkcs11Key::open(module, token_label, pin, key_label)
    }

    /// The curve.
    pub fn curve(&self) -> NamedCurve {
        self.curve
    }
}

impl Signer for Pkcs11Key {
    fn public_key(&self) -> Result<PublicKey, PkiError> {
        Ok(PublicKey::Ec { domain: EcDomain::Named(self.curve.oid()), point: self.point.clone() })
    }

    fn hash(&self) -> HashAlgorithm {
        super::hash_for_curve(self.curve)
    }

    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        let session = self.session.lock().map_err(|_| PkiError::Pkcs11("session lock poisoned".into()))?;
        session.sign(&Mechanism::Ecdsa, self.key, digest).map_err(p11)
    }
}
