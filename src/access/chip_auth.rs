//! Chip Authentication (ICAO Doc 9303-11 §6.2, ECDH and DH) and Active Authentication (§6.1, ECDSA and RSA),
//! terminal side; the chip side lives in the virtual chip, which uses [`chip_authentication_keys`],
//! [`aa_digest`] and [`crate::crypto::signature::sign_iso9796_2`].
//!
//! Chip Authentication runs inside the access-control session: with 3DES, MSE:Set KAT (`00 22 41 A6`,
//! `91` ephemeral key, `84` key id); with AES, MSE:Set AT (`00 22 41 A4`, `80` protocol, `84` key id) then
//! GENERAL AUTHENTICATE (`7C { 80 ephemeral key }`). Both sides then derive `K = x(SK·PK)` (ECDH) or
//! `K = PK^SK mod p` (DH, the key's group from its X9.42 or standardized parameters), new session keys
//! and SSC 0. The chip proves it holds the private key of DG14 by answering the next command correctly under
//! the new keys, so [`chip_authenticate`] reads a byte of EF.COM with them (by short file identifier, or by
//! SELECT when the chip refuses SFI reads: a genuine chip without SFI reads is not a clone).
//!
//! Active Authentication signs an 8-byte challenge: ECDSA over `H(challenge)` with the hash of the
//! ActiveAuthenticationInfo in DG14 (the plain `r || s` signature checked with DG15's key), or RSA with
//! ISO/IEC 9796-2 scheme 1 (message recovery). Neither result means "genuine" unless Passive Authentication
//! vouched for DG14 and DG15 (the [verifier](crate::verify) decides).

use zeroize::Zeroizing;

use super::{AccessError, Unsupported};
use crate::apdu::{StatusWord, commands};
use crate::crypto::dh::DhDomain;
use crate::crypto::ec::NamedCurve;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::crypto::sym::SessionKeys;
use crate::lds::LdsFile;
use crate::lds::security_infos::{ChipAuthenticationPublicKeyInfo, Dg14, SecurityInfoKind};
use crate::oid::{CaProtocol, KeyAgreement, SmCipher};
use crate::sm::{SecureChannel, SecureMessaging};
use crate::transport::{Transport, TransportError};

/// The group of a Chip Authentication key: a curve (ECDH) or a DH group from the key's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaDomain {
    /// ECDH on a curve.
    Ec(NamedCurve),
    /// DH in a group.
    Dh(DhDomain),
}

impl CaDomain {
    fn generate_secret(&self) -> Zeroizing<Vec<u8>> {
        match self {
            CaDomain::Ec(c) => c.generate_secret(&mut rand::rng()),
            CaDomain::Dh(d) => d.generate_secret(&mut rand::rng()),
        }
    }

    fn public_key(&self, secret: &[u8]) -> Result<Vec<u8>, AccessError> {
        Ok(match self {
            CaDomain::Ec(c) => c.public_key(secret)?,
            CaDomain::Dh(d) => d.public_key(secret)?,
        })
    }

    fn shared_secret(&self, secret: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, AccessError> {
        Ok(match self {
            CaDomain::Ec(c) => c.ecdh(secret, peer)?,
            CaDomain::Dh(d) => d.shared_secret(secret, peer)?,
        })
    }
}

/// The Chip Authentication DG14 offers: protocol, the chip's static public key and its group.
#[derive(Debug, Clone)]
pub struct ChipAuthenticationKeys {
    /// The protocol.
    pub protocol: CaProtocol,
    /// The key id, when DG14 names one.
    pub key_id: Option<u64>,
    /// The chip's static public key: an uncompressed point (ECDH) or the public value (DH).
    pub public_key: Vec<u8>,
    /// Its group.
    pub domain: CaDomain,
    /// The terminal's ephemeral public key of the run (empty before [`chip_authenticate`]): Terminal
    /// Authentication signs `Comp` of it.
    pub terminal_ephemeral_key: Vec<u8>,
}

/// The Chip Authentication DG14 describes: the first ChipAuthenticationInfo (ECDH or DH) with a matching
/// public key on a known curve or in a DH group its parameters define.
pub fn chip_authentication_keys(dg14: &Dg14) -> Result<ChipAuthenticationKeys, AccessError> {
    let keys: Vec<&ChipAuthenticationPublicKeyInfo> = dg14.infos.chip_authentication_public_keys().collect();
    let mut info_seen = false;
    for info in dg14.infos.chip_authentication_infos() {
        info_seen = true;
        let Some(key) = keys.iter().find(|k| info.key_id.is_none() || k.key_id == info.key_id) else { continue };
        let found = match (&key.public_key, info.protocol.key_agreement) {
            (PublicKey::Ec { point, .. }, KeyAgreement::Ecdh) => {
                key.public_key.curve().and_then(|o| NamedCurve::from_oid(&o)).map(|c| (point.clone(), CaDomain::Ec(c)))
            }
            (PublicKey::Dh { parameters: Some(params), public_value }, KeyAgreement::Dh) => {
                DhDomain::from_parameters_der(params).ok().map(|d| (public_value.clone(), CaDomain::Dh(d)))
            }
            _ => None,
        };
        let Some((public_key, domain)) = found else { continue };
        return Ok(ChipAuthenticationKeys {
            protocol: info.protocol,
            key_id: info.key_id.or(key.key_id),
            public_key,
            domain,
            terminal_ephemeral_key: Vec::new(),
        });
    }
    // No ChipAuthenticationInfo at all (not even one of an unknown version) but a public key: early documents
    // omit the info for Chip Authentication version 1 with 3DES (BSI TR-03110 v1.11 §A.1.1.2; readers infer
    // id-CA-ECDH-3DES-CBC-CBC or id-CA-DH-3DES-CBC-CBC from the key, as JMRTD does)
    let any_info = dg14.infos.infos().iter().any(|i| matches!(i.kind(), SecurityInfoKind::ChipAuthentication(_)));
    if !any_info {
        for key in &keys {
            let inferred = match &key.public_key {
                PublicKey::Ec { point, .. } => key
                    .public_key
                    .curve()
                    .and_then(|o| NamedCurve::from_oid(&o))
                    .map(|c| (KeyAgreement::Ecdh, point.clone(), CaDomain::Ec(c))),
                PublicKey::Dh { parameters: Some(params), public_value } => DhDomain::from_parameters_der(params)
                    .ok()
                    .map(|d| (KeyAgreement::Dh, public_value.clone(), CaDomain::Dh(d))),
                _ => None,
            };
            if let Some((key_agreement, public_key, domain)) = inferred {
                return Ok(ChipAuthenticationKeys {
                    protocol: CaProtocol { key_agreement, cipher: SmCipher::TripleDes },
                    key_id: key.key_id,
                    public_key,
                    domain,
                    terminal_ephemeral_key: Vec::new(),
                });
            }
        }
    }
    Err(AccessError::Unsupported(if info_seen || any_info {
        Unsupported::ChipAuthenticationKeys
    } else {
        Unsupported::NoChipAuthentication
    }))
}

fn expect_ok(step: &'static str, sw: StatusWord) -> Result<(), AccessError> {
    let _ = step;
    if sw == StatusWord::Success { Ok(()) } else { Err(AccessError::Rejected(sw)) }
}

/// Runs Chip Authentication inside `channel`'s session and switches it to the new keys, then proves them with
/// a one-byte read of EF.COM. An error that is the chip's answer means the chip is not genuine (or not the
/// one DG14 describes); the channel's session is then unusable.
pub fn chip_authenticate<T: Transport>(
    channel: &mut SecureChannel<T>,
    dg14: &Dg14,
) -> Result<ChipAuthenticationKeys, AccessError> {
    let mut keys = chip_authentication_keys(dg14)?;
    let secret = keys.domain.generate_secret();
    let ephemeral = keys.domain.public_key(&secret)?;
    if keys.protocol.cipher == SmCipher::TripleDes {
        let kat = commands::mse_set_kat(&ephemeral, keys.key_id);
        expect_ok("MSE:Set KAT", channel.transmit(&kat)?.sw)?;
    } else {
        let oid = keys.protocol.oid().ok_or(Unsupported::CaProtocolWithoutOid(keys.protocol))?;
        let set_at = commands::mse_set_at_chip_authentication(oid.as_bytes(), keys.key_id);
        expect_ok("MSE:Set AT", channel.transmit(&set_at)?.sw)?;
        let ga = commands::general_authenticate_chip_authentication(&ephemeral);
        expect_ok("GENERAL AUTHENTICATE", channel.transmit(&ga)?.sw)?;
    }
    let shared = keys.domain.shared_secret(&secret, &keys.public_key)?;
    channel.set_session(SecureMessaging::with_zero_ssc(SessionKeys::derive(keys.protocol.cipher, &shared)));
    // the proof: the chip answers under the new keys (a wrong key makes its MAC fail here)
    prove_session(channel)?;
    keys.terminal_ephemeral_key = ephemeral;
    Ok(keys)
}

/// A one-byte read of EF.COM under the session's keys: by short file identifier, and when the chip refuses
/// that (chips without SFI reads answer e.g. `6985` or `6A86`), by SELECT and READ BINARY. A protected answer
/// of any status proves the keys; the read must still succeed one way or the other.
fn prove_session<T: Transport>(channel: &mut SecureChannel<T>) -> Result<(), AccessError> {
    let probe = commands::read_binary_sfi(LdsFile::Com.sfi(), 0, 1).map_err(TransportError::from)?;
    match channel.transmit(&probe) {
        Ok(r) if r.sw.is_success() => return Ok(()),
        Ok(_) | Err(crate::sm::SmError::UnprotectedResponse(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let select = commands::select_ef(LdsFile::Com.fid());
    expect_ok("SELECT EF.COM after Chip Authentication", channel.transmit(&select)?.sw)?;
    let read = commands::read_binary_at(0, 1);
    expect_ok("READ BINARY after Chip Authentication", channel.transmit(&read)?.sw)
}

/// The hash an ECDSA Active Authentication signs with, from DG14's ActiveAuthenticationInfo (SHA-256 when
/// DG14 names none).
pub fn aa_hash(dg14: Option<&Dg14>) -> HashAlgorithm {
    use crate::oid::*;
    let oid = dg14.and_then(|d| d.infos.active_authentication()).map(|a| a.signature_algorithm);
    match oid {
        Some(o) if o == ECDSA_PLAIN_SHA1 || o == ECDSA_WITH_SHA1 => HashAlgorithm::Sha1,
        Some(o) if o == ECDSA_PLAIN_SHA224 || o == ECDSA_WITH_SHA224 => HashAlgorithm::Sha224,
        Some(o) if o == ECDSA_PLAIN_SHA384 || o == ECDSA_WITH_SHA384 => HashAlgorithm::Sha384,
        Some(o) if o == ECDSA_PLAIN_SHA512 || o == ECDSA_WITH_SHA512 => HashAlgorithm::Sha512,
        _ => HashAlgorithm::Sha256,
    }
}

/// The digest an ECDSA Active Authentication signs: `H(challenge)`.
pub fn aa_digest(dg14: Option<&Dg14>, challenge: &[u8]) -> Vec<u8> {
    aa_hash(dg14).digest(challenge)
}

/// Checks an Active Authentication signature over `challenge` with DG15's key: ECDSA (plain `r‖s` or DER) over
/// `H(challenge)` with the hash of DG14's ActiveAuthenticationInfo, or RSA ISO/IEC 9796-2 scheme 1 with the
/// challenge as the non-recoverable part.
pub fn verify_active_authentication(
    dg15_key: &PublicKey,
    dg14: Option<&Dg14>,
    challenge: &[u8],
    signature: &[u8],
) -> Result<(), AccessError> {
    match dg15_key {
        PublicKey::Ec { point, .. } => {
            let curve = dg15_key
                .curve()
                .and_then(|o| NamedCurve::from_oid(&o))
                .ok_or(Unsupported::ActiveAuthenticationCurve)?;
            let digest = aa_digest(dg14, challenge);
            curve.ecdsa_verify_prehash(point, &digest, signature).map_err(|_| AccessError::AuthenticationFailed)
        }
        PublicKey::Rsa { modulus, exponent } => {
            crate::crypto::signature::verify_iso9796_2(modulus, exponent, challenge, signature)
                .map(|_| ())
                .map_err(|_| AccessError::AuthenticationFailed)
        }
        _ => Err(Unsupported::ActiveAuthenticationWithDh.into()),
    }
}

/// Runs Active Authentication: INTERNAL AUTHENTICATE with a random 8-byte challenge, the signature checked with
/// DG15's public key ([`verify_active_authentication`]). `Ok(())` when it verifies.
pub fn active_authenticate<T: Transport>(
    channel: &mut SecureChannel<T>,
    dg15_key: &PublicKey,
    dg14: Option<&Dg14>,
) -> Result<(), AccessError> {
    if matches!(dg15_key, PublicKey::Dh { .. }) {
        return Err(Unsupported::ActiveAuthenticationWithDh.into());
    }
    let mut challenge = Zeroizing::new([0u8; 8]);
    rand::fill(&mut challenge[..]);
    let command = commands::internal_authenticate(challenge.as_slice(), 256);
    let response = channel.transmit(&command)?;
    expect_ok("INTERNAL AUTHENTICATE", response.sw)?;
    verify_active_authentication(dg15_key, dg14, challenge.as_slice(), &response.data)
}
