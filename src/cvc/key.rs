//! The public key data object `7F49` of a CV certificate (TR-03110-3 D.3, ICAO 9303-11 §9.4.4): the
//! Terminal Authentication algorithm OID, then the key's data objects in a fixed order.
//!
//! | tag | EC | RSA |
//! |---|---|---|
//! | 81 | prime p | modulus n |
//! | 82 | coefficient a | exponent e |
//! | 83 | coefficient b | — |
//! | 84 | generator G | — |
//! | 85 | order r | — |
//! | 86 | public point Y | — |
//! | 87 | cofactor f | — |
//!
//! The domain parameters (81–85, 87) are in a CVCA certificate (and requests) only; DV and IS keys inherit them.

use super::{CvcError, TaAlgorithm, Tolerated};
use crate::crypto::ec::NamedCurve;
use crate::crypto::public_key::{EcDomain, PublicKey};
use crate::oid::ObjectIdentifier;
use crate::tlv::{Tag, Tlv, TlvWriter};

/// Explicit EC domain parameters as a CVCA certificate carries them (unsigned big-endian integers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcParameters {
    /// The prime p.
    pub p: Vec<u8>,
    /// Coefficient a.
    pub a: Vec<u8>,
    /// Coefficient b.
    pub b: Vec<u8>,
    /// The generator, uncompressed.
    pub generator: Vec<u8>,
    /// The order r.
    pub order: Vec<u8>,
    /// The cofactor f, when present.
    pub cofactor: Option<Vec<u8>>,
}

impl EcParameters {
    /// The parameters of a named curve (cofactor 1: every eMRTD curve has it).
    pub fn of(curve: NamedCurve) -> Self {
        let d = curve.parameters();
        EcParameters { p: d.p, a: d.a, b: d.b, generator: d.generator, order: d.order, cofactor: Some(vec![1]) }
    }

    /// The named curve these parameters describe.
    pub fn curve(&self) -> Option<NamedCurve> {
        NamedCurve::from_explicit(&self.p, &self.a, &self.b, &self.order).ok()
    }
}

/// The key inside `7F49`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CvcKey {
    /// An EC key: its point and, in a CVCA certificate, the domain parameters.
    Ec {
        /// The domain parameters, when the certificate carries them.
        parameters: Option<EcParameters>,
        /// The public point Y (uncompressed SEC1).
        point: Vec<u8>,
    },
    /// An RSA key.
    Rsa {
        /// The modulus n.
        modulus: Vec<u8>,
        /// The public exponent e.
        exponent: Vec<u8>,
    },
}

/// A CV certificate public key: the algorithm it signs with and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvcPublicKey {
    /// The OID as encoded.
    pub oid: ObjectIdentifier,
    /// The algorithm of the OID.
    pub algorithm: TaAlgorithm,
    /// The key.
    pub key: CvcKey,
}

fn trim(v: &[u8]) -> &[u8] {
    let i = v.iter().position(|b| *b != 0).unwrap_or(v.len().saturating_sub(1));
    v.get(i..).unwrap_or_default()
}

impl CvcPublicKey {
    /// An EC key on `curve` with its point; `with_parameters` for a CVCA certificate or a request.
    pub fn ec(
        algorithm: TaAlgorithm,
        curve: NamedCurve,
        point: Vec<u8>,
        with_parameters: bool,
    ) -> Result<Self, CvcError> {
        let oid = algorithm.oid().ok_or(CvcError::Unencodable("an algorithm without an id-TA OID"))?;
        if !algorithm.is_ecdsa() {
            return Err(CvcError::SignerMismatch("ECDSA"));
        }
        let parameters = with_parameters.then(|| EcParameters::of(curve));
        Ok(CvcPublicKey { oid, algorithm, key: CvcKey::Ec { parameters, point } })
    }

    /// The key of a [`PublicKey`] (an EC key on a named curve, or RSA) for `algorithm`.
    pub fn from_public_key(algorithm: TaAlgorithm, key: &PublicKey, with_parameters: bool) -> Result<Self, CvcError> {
        match key {
            PublicKey::Ec { point, .. } => {
                let curve = key.curve().and_then(|o| NamedCurve::from_oid(&o));
                let curve = curve.ok_or(CvcError::Unencodable("an EC key on a curve eMRTDs do not use"))?;
                CvcPublicKey::ec(algorithm, curve, point.clone(), with_parameters)
            }
            PublicKey::Rsa { modulus, exponent } => {
                if algorithm.is_ecdsa() {
                    return Err(CvcError::SignerMismatch("RSA"));
                }
                let oid = algorithm.oid().ok_or(CvcError::Unencodable("an algorithm without an id-TA OID"))?;
                Ok(CvcPublicKey {
                    oid,
                    algorithm,
                    key: CvcKey::Rsa { modulus: trim(modulus).to_vec(), exponent: trim(exponent).to_vec() },
                })
            }
            _ => Err(CvcError::Unencodable("a key that is neither EC nor RSA")),
        }
    }

    /// Decodes the value of `7F49`, noting what it tolerated.
    pub fn decode(tlv: &Tlv<'_>, tolerated: &mut Vec<Tolerated>) -> Result<Self, CvcError> {
        let mut r = tlv.children();
        let oid_tlv = r.expect(Tag::new(0x06))?;
        let oid = ObjectIdentifier::from_bytes(oid_tlv.value()).map_err(|_| CvcError::Invalid {
            field: "public key OID",
            offset: oid_tlv.value_offset(),
            reason: "not an OID",
        })?;
        let algorithm = TaAlgorithm::from_oid(&oid).ok_or_else(|| CvcError::UnknownAlgorithm(oid.to_string()))?;
        let mut fields: [Option<Tlv<'_>>; 7] = [None; 7];
        while !r.is_empty() {
            let t = r.read()?;
            let n = t.tag().value();
            let slot = n.checked_sub(0x81).and_then(|i| fields.get_mut(i as usize));
            match slot {
                Some(s @ None) => *s = Some(t),
                Some(Some(_)) => return Err(CvcError::Duplicate { field: "public key object", offset: t.offset() }),
                None => tolerated.push(Tolerated::UnknownObject(n)),
            }
        }
        let int = |i: usize, name: &'static str, tolerated: &mut Vec<Tolerated>| -> Option<Vec<u8>> {
            let t = fields.get(i).copied().flatten()?;
            let v = t.value();
            if v.len() > 1 && v.first() == Some(&0) {
                tolerated.push(Tolerated::NonMinimalInteger(name));
            }
            Some(trim(v).to_vec())
        };
        let missing = |field| CvcError::Missing { field, offset: tlv.offset() };
        let key = if algorithm.is_ecdsa() {
            let point = fields[5].map(|t| t.value().to_vec()).ok_or(missing("public point (86)"))?;
            let params = [0usize, 1, 2, 3, 4].map(|i| fields.get(i).copied().flatten().is_some());
            let parameters = if params.iter().all(|p| *p) {
                Some(EcParameters {
                    p: int(0, "p", tolerated).unwrap_or_default(),
                    a: int(1, "a", tolerated).unwrap_or_default(),
                    b: int(2, "b", tolerated).unwrap_or_default(),
                    generator: fields[3].map(|t| t.value().to_vec()).unwrap_or_default(),
                    order: int(4, "r", tolerated).unwrap_or_default(),
                    cofactor: int(6, "f", tolerated),
                })
            } else if params.iter().any(|p| *p) {
                return Err(CvcError::Invalid {
                    field: "public key",
                    offset: tlv.value_offset(),
                    reason: "some but not all domain parameters",
                });
            } else {
                None
            };
            CvcKey::Ec { parameters, point }
        } else {
            let modulus = int(0, "n", tolerated).ok_or(missing("modulus (81)"))?;
            let exponent = int(1, "e", tolerated).ok_or(missing("exponent (82)"))?;
            CvcKey::Rsa { modulus, exponent }
        };
        Ok(CvcPublicKey { oid, algorithm, key })
    }

    /// The canonical `7F49` object.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = TlvWriter::new();
        w.constructed(Tag::new(0x7F49), |w| {
            w.primitive(Tag::new(0x06), self.oid.as_bytes());
            match &self.key {
                CvcKey::Ec { parameters, point } => {
                    if let Some(p) = parameters {
                        w.primitive(Tag::new(0x81), trim(&p.p));
                        w.primitive(Tag::new(0x82), trim(&p.a));
                        w.primitive(Tag::new(0x83), trim(&p.b));
                        w.primitive(Tag::new(0x84), &p.generator);
                        w.primitive(Tag::new(0x85), trim(&p.order));
                        w.primitive(Tag::new(0x86), point);
                        if let Some(f) = &p.cofactor {
                            w.primitive(Tag::new(0x87), trim(f));
                        }
                    } else {
                        w.primitive(Tag::new(0x86), point);
                    }
                }
                CvcKey::Rsa { modulus, exponent } => {
                    w.primitive(Tag::new(0x81), trim(modulus));
                    w.primitive(Tag::new(0x82), trim(exponent));
                }
            }
        });
        w.into_bytes()
    }

    /// The curve named by this key's own domain parameters.
    pub fn own_curve(&self) -> Option<NamedCurve> {
        match &self.key {
            CvcKey::Ec { parameters: Some(p), .. } => p.curve(),
            _ => None,
        }
    }

    /// Whether the key carries domain parameters.
    pub fn has_parameters(&self) -> bool {
        matches!(self.key, CvcKey::Ec { parameters: Some(_), .. })
    }

    /// The key as a [`PublicKey`] that can check signatures: an EC key's curve comes from its own parameters or,
    /// for DV and IS keys, from `inherited` (the CVCA's curve).
    pub fn resolve(&self, inherited: Option<NamedCurve>) -> Result<PublicKey, CvcError> {
        match &self.key {
            CvcKey::Rsa { modulus, exponent } => {
                Ok(PublicKey::Rsa { modulus: modulus.clone(), exponent: exponent.clone() })
            }
            CvcKey::Ec { parameters, point } => {
                let curve = match parameters {
                    Some(p) => p.curve().ok_or(CvcError::Invalid {
                        field: "domain parameters",
                        offset: 0,
                        reason: "none of the curves eMRTDs use",
                    })?,
                    None => {
                        inherited.ok_or(CvcError::Missing { field: "domain parameters (from the CVCA)", offset: 0 })?
                    }
                };
                curve.validate_point(point).map_err(|_| CvcError::Invalid {
                    field: "public point",
                    offset: 0,
                    reason: "not a point on the curve",
                })?;
                Ok(PublicKey::Ec { domain: EcDomain::Named(curve.oid()), point: point.clone() })
            }
        }
    }
}
