//! The group a PACE run computes in: a standardized elliptic curve (IDs 8–18) or MODP group (IDs 0–2), with
//! the operations both mappings and the key agreement need, the same on both sides.

use std::sync::OnceLock;

use zeroize::Zeroizing;

use super::{AccessError, im};
use crate::crypto::dh::{DhDomain, ModpGroup};
use crate::crypto::ec::NamedCurve;
use crate::oid::SmCipher;

/// A PACE group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaceDomain {
    /// An elliptic curve (ECDH).
    Ec(NamedCurve),
    /// A MODP group (DH).
    Dh(ModpGroup),
}

fn dh(group: ModpGroup) -> &'static DhDomain {
    static GROUPS: [OnceLock<DhDomain>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match group {
        ModpGroup::Modp1024_160 => &GROUPS[0],
        ModpGroup::Modp2048_224 => &GROUPS[1],
        ModpGroup::Modp2048_256 => &GROUPS[2],
    };
    slot.get_or_init(|| group.domain())
}

impl PaceDomain {
    /// The domain of a standardized parameter ID.
    pub fn from_parameter_id(id: u8) -> Option<Self> {
        if let Some(group) = ModpGroup::from_parameter_id(id) {
            return Some(PaceDomain::Dh(group));
        }
        let oid = crate::oid::StandardizedDomainParameter::from_id(id)?.curve_oid()?;
        NamedCurve::from_oid(&oid).map(PaceDomain::Ec)
    }

    /// Its standardized parameter ID.
    pub fn parameter_id(self) -> Option<u8> {
        (0u8..=31).find(|id| PaceDomain::from_parameter_id(*id) == Some(self))
    }

    /// `brainpoolP256r1`, `2048-bit MODP (224-bit subgroup)`.
    pub fn name(self) -> &'static str {
        match self {
            PaceDomain::Ec(c) => c.name(),
            PaceDomain::Dh(g) => g.name(),
        }
    }

    /// The curve, for ECDH.
    pub fn curve(self) -> Option<NamedCurve> {
        match self {
            PaceDomain::Ec(c) => Some(c),
            PaceDomain::Dh(_) => None,
        }
    }

    /// The tag of an ephemeral public key in the public key data object: `86` (EC point) or `84` (DH value).
    pub fn public_key_tag(self) -> u32 {
        match self {
            PaceDomain::Ec(_) => 0x86,
            PaceDomain::Dh(_) => 0x84,
        }
    }

    /// The standard generator (point or group element).
    pub fn generator(self) -> Vec<u8> {
        match self {
            PaceDomain::Ec(c) => c.generator(),
            PaceDomain::Dh(g) => dh(g).g().to_vec(),
        }
    }

    /// A random secret scalar or exponent.
    pub fn generate_secret(self) -> Zeroizing<Vec<u8>> {
        match self {
            PaceDomain::Ec(c) => c.generate_secret(&mut rand::rng()),
            PaceDomain::Dh(g) => dh(g).generate_secret(&mut rand::rng()),
        }
    }

    /// `secret · element` (EC) or `element ^ secret` (DH), the element checked to be in the group.
    pub fn exp(self, element: &[u8], secret: &[u8]) -> Result<Vec<u8>, AccessError> {
        match self {
            PaceDomain::Ec(c) => Ok(c.mul(element, secret)?),
            PaceDomain::Dh(g) => dh(g).pow(element, secret).map_err(AccessError::from),
        }
    }

    /// The public key of a secret on the standard generator.
    pub fn public_key(self, secret: &[u8]) -> Result<Vec<u8>, AccessError> {
        self.exp(&self.generator(), secret)
    }

    /// The key agreement's shared secret: the x-coordinate (ECDH) or the whole element (DH).
    pub fn shared_secret(self, secret: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, AccessError> {
        match self {
            PaceDomain::Ec(c) => Ok(c.ecdh(secret, peer)?),
            PaceDomain::Dh(g) => dh(g).shared_secret(secret, peer).map_err(AccessError::from),
        }
    }

    /// Integrated Mapping's new generator: `f_G(R_p(s, t))` (ECDH) or `R_p(s, t)^((p−1)/q)` (DH).
    pub fn integrated_mapping(self, cipher: SmCipher, s: &[u8], t: &[u8]) -> Result<Vec<u8>, AccessError> {
        match self {
            PaceDomain::Ec(c) => {
                let p = c.parameters().p;
                let random = im::pseudo_random(cipher, s, t, c.field_bits())?;
                im::point_encoding(c, &im::reduce(&random, &p)?)
            }
            PaceDomain::Dh(g) => {
                let d = dh(g);
                let p_bits = d.p().len() * 8 - d.p().first().map_or(8, |b| b.leading_zeros() as usize);
                let random = im::pseudo_random(cipher, s, t, p_bits)?;
                Ok(d.cofactor_map(&im::reduce(&random, d.p())?)?)
            }
        }
    }

    /// Generic Mapping's new generator: `s·G + H` (ECDH) or `g^s · h` (DH).
    pub fn generic_mapping(self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, AccessError> {
        match self {
            PaceDomain::Ec(c) => {
                // a nonce of several blocks can be longer than the order: s mod n (the same point)
                let s = im::reduce(s, &c.parameters().order)?;
                let sg = c.mul(&c.generator(), &s)?;
                Ok(c.add(&sg, h)?)
            }
            PaceDomain::Dh(g) => dh(g).generic_mapping(s, h).map_err(AccessError::from),
        }
    }
}
