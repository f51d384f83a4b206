//! Public keys as eMRTDs carry them: `SubjectPublicKeyInfo` (RFC 5280) with RSA, EC (named **or explicit**
//! parameters, RFC 3279 / X9.62) or Diffie–Hellman keys. DG14, DG15 and certificates use this.
//!
//! ```text
//! SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
//! ECParameters ::= SEQUENCE {
//!     version   INTEGER { ecpVer1(1) },
//!     fieldID   FieldID,               -- { fieldType prime-field, parameters INTEGER p }
//!     curve     Curve,                 -- { a OCTET STRING, b OCTET STRING, seed BIT STRING OPTIONAL }
//!     base      ECPoint,               -- OCTET STRING, the generator
//!     order     INTEGER,
//!     cofactor  INTEGER OPTIONAL }
//! RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
//! ```

use der::asn1::{Any, BitString, Int, ObjectIdentifier, OctetString, Uint};
use der::{Decode, Encode, Sequence, Tagged};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::crypto::ec::NamedCurve;
use crate::oid;

/// An error decoding or encoding a public key (the caller wraps it with the file it came from).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublicKeyError {
    /// Malformed DER.
    #[error("malformed public key: {0}")]
    Asn1(String),
    /// A field has a value the format does not allow.
    #[error("invalid public key: {0}")]
    Invalid(&'static str),
}

impl From<der::Error> for PublicKeyError {
    fn from(e: der::Error) -> Self {
        PublicKeyError::Asn1(e.to_string())
    }
}

/// EC domain parameters: a named curve or explicit parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcDomain {
    /// A named curve (`namedCurve` OID).
    Named(ObjectIdentifier),
    /// Explicit prime-field parameters.
    Explicit(ExplicitCurve),
    /// `implicitlyCA` (NULL): the parameters come from elsewhere.
    ImplicitlyCa,
}

/// Explicit prime-field curve parameters; integers as unsigned big-endian bytes without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplicitCurve {
    /// The field prime `p`.
    pub p: Vec<u8>,
    /// Coefficient `a`, as encoded (field-element octet string).
    pub a: Vec<u8>,
    /// Coefficient `b`, as encoded.
    pub b: Vec<u8>,
    /// The generator, an uncompressed (or compressed) SEC1 point.
    pub generator: Vec<u8>,
    /// The order `n` of the generator.
    pub order: Vec<u8>,
    /// The cofactor `h`, when present.
    pub cofactor: Option<Vec<u8>>,
    /// The seed, when present.
    pub seed: Option<Vec<u8>>,
}

impl ExplicitCurve {
    /// The size of the field prime in bits.
    pub fn field_bits(&self) -> usize {
        bit_length(&self.p)
    }

    /// The named curve these parameters describe, if they are one of the curves eMRTDs use.
    pub fn named_curve(&self) -> Option<ObjectIdentifier> {
        NamedCurve::from_explicit(&self.p, &self.a, &self.b, &self.order).ok().map(NamedCurve::oid)
    }
}

/// Bit length of an unsigned big-endian integer.
pub fn bit_length(bytes: &[u8]) -> usize {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => bytes.get(i..).unwrap_or_default(),
        None => return 0,
    };
    let lead = trimmed.first().map(|b| 8 - b.leading_zeros() as usize).unwrap_or(0);
    (trimmed.len() - 1) * 8 + lead
}

fn trim(bytes: &[u8]) -> Vec<u8> {
    let i = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(i..).unwrap_or_default().to_vec()
}

/// A public key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// RSA.
    Rsa {
        /// The modulus `n`, unsigned big-endian.
        modulus: Vec<u8>,
        /// The public exponent `e`, unsigned big-endian.
        exponent: Vec<u8>,
    },
    /// Elliptic curve (ECDSA / ECDH).
    Ec {
        /// The domain parameters.
        domain: EcDomain,
        /// The public point, SEC1 encoded.
        point: Vec<u8>,
    },
    /// Diffie–Hellman (X9.42 `dhpublicnumber` or `id-PK-DH`).
    Dh {
        /// The domain parameters as encoded (DER).
        parameters: Option<Vec<u8>>,
        /// The public value `y`, unsigned big-endian.
        public_value: Vec<u8>,
    },
    /// Any other algorithm, kept as its algorithm OID.
    Other {
        /// The algorithm OID.
        algorithm: ObjectIdentifier,
    },
}

#[derive(Sequence)]
struct FieldId {
    field_type: ObjectIdentifier,
    parameters: Any,
}

#[derive(Sequence)]
struct CurveAsn1 {
    a: OctetString,
    b: OctetString,
    #[asn1(optional = "true")]
    seed: Option<BitString>,
}

/// ECParameters as encoded by this library (canonical unsigned integers).
#[derive(Sequence)]
struct EcParametersAsn1 {
    version: Uint,
    field_id: FieldId,
    curve: CurveAsn1,
    base: OctetString,
    order: Uint,
    #[asn1(optional = "true")]
    cofactor: Option<Uint>,
}

/// ECParameters as found on documents: integers read as signed, because some issuers forget the leading zero
/// that keeps a large unsigned value positive; their two's-complement bytes are the unsigned magnitude.
#[derive(Sequence)]
struct EcParametersIn {
    version: Int,
    field_id: FieldId,
    curve: CurveAsn1,
    base: OctetString,
    order: Int,
    #[asn1(optional = "true")]
    cofactor: Option<Int>,
}

#[derive(Sequence)]
struct RsaPublicKeyAsn1 {
    modulus: Uint,
    public_exponent: Uint,
}

/// RSAPublicKey as found on documents (see [`EcParametersIn`] for why the integers are signed).
#[derive(Sequence)]
struct RsaPublicKeyIn {
    modulus: Int,
    public_exponent: Int,
}

impl EcDomain {
    /// Interprets `ECParameters` (a named curve OID, NULL, or explicit parameters).
    pub fn from_any(params: Option<&Any>) -> Result<Self, PublicKeyError> {
        let Some(params) = params else { return Err(PublicKeyError::Invalid("EC key without domain parameters")) };
        match params.tag() {
            der::Tag::ObjectIdentifier => Ok(EcDomain::Named(params.decode_as::<ObjectIdentifier>()?)),
            der::Tag::Null => Ok(EcDomain::ImplicitlyCa),
            der::Tag::Sequence => {
                let e: EcParametersIn = params.decode_as()?;
                if e.field_id.field_type != oid::PRIME_FIELD {
                    return Err(PublicKeyError::Invalid("only prime-field curves are supported"));
                }
                let p: Int = e.field_id.parameters.decode_as()?;
                Ok(EcDomain::Explicit(ExplicitCurve {
                    p: trim(p.as_bytes()),
                    a: e.curve.a.as_bytes().to_vec(),
                    b: e.curve.b.as_bytes().to_vec(),
                    generator: e.base.as_bytes().to_vec(),
                    order: trim(e.order.as_bytes()),
                    cofactor: e.cofactor.map(|c| trim(c.as_bytes())),
                    seed: e.curve.seed.map(|s| s.raw_bytes().to_vec()),
                }))
            }
            _ => Err(PublicKeyError::Invalid("EC parameters are neither a named curve nor explicit")),
        }
    }

    fn to_any(&self) -> Result<Any, PublicKeyError> {
        Ok(match self {
            EcDomain::Named(o) => Any::encode_from(o)?,
            EcDomain::ImplicitlyCa => Any::encode_from(&der::asn1::Null)?,
            EcDomain::Explicit(c) => {
                let e = EcParametersAsn1 {
                    version: Uint::new(&[1])?,
                    field_id: FieldId {
                        field_type: oid::PRIME_FIELD,
                        parameters: Any::encode_from(&Uint::new(&c.p)?)?,
                    },
                    curve: CurveAsn1 {
                        a: OctetString::new(c.a.clone())?,
                        b: OctetString::new(c.b.clone())?,
                        seed: c.seed.as_ref().map(|s| BitString::from_bytes(s)).transpose()?,
                    },
                    base: OctetString::new(c.generator.clone())?,
                    order: Uint::new(&c.order)?,
                    cofactor: c.cofactor.as_ref().map(|h| Uint::new(h)).transpose()?,
                };
                Any::encode_from(&e)?
            }
        })
    }
}

impl PublicKey {
    /// Decodes a DER `SubjectPublicKeyInfo`.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, PublicKeyError> {
        let spki = SubjectPublicKeyInfoOwned::from_der(der)?;
        Self::from_spki(&spki)
    }

    /// Interprets a decoded `SubjectPublicKeyInfo`.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, PublicKeyError> {
        let alg = spki.algorithm.oid;
        let key_bits = spki.subject_public_key.as_bytes().ok_or(PublicKeyError::Invalid("unused bits in key"))?;
        if alg == oid::RSA_ENCRYPTION || alg == oid::RSASSA_PSS {
            let k = RsaPublicKeyIn::from_der(key_bits)?;
            Ok(PublicKey::Rsa { modulus: trim(k.modulus.as_bytes()), exponent: trim(k.public_exponent.as_bytes()) })
        } else if alg == oid::EC_PUBLIC_KEY || alg == oid::ID_PK_ECDH {
            let domain = EcDomain::from_any(spki.algorithm.parameters.as_ref())?;
            if !matches!(key_bits.first(), Some(0x02..=0x04)) {
                return Err(PublicKeyError::Invalid("EC point is not SEC1 encoded"));
            }
            Ok(PublicKey::Ec { domain, point: key_bits.to_vec() })
        } else if alg == oid::STANDARDIZED_DOMAIN_PARAMETERS {
            // a standardized domain parameter ID: a named curve (8–18, SEC1 point) or a MODP group (0–2, INTEGER)
            let id = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<u8>().ok())
                .ok_or(PublicKeyError::Invalid("standardized domain parameter ID"))?;
            let sdp = oid::StandardizedDomainParameter::from_id(id)
                .ok_or(PublicKeyError::Invalid("unknown standardized domain parameter ID"))?;
            if let Some(curve) = sdp.curve_oid() {
                if !matches!(key_bits.first(), Some(0x02..=0x04)) {
                    return Err(PublicKeyError::Invalid("EC point is not SEC1 encoded"));
                }
                Ok(PublicKey::Ec { domain: EcDomain::Named(curve), point: key_bits.to_vec() })
            } else {
                let y = Int::from_der(key_bits)?;
                let parameters = spki.algorithm.parameters.as_ref().map(|p| p.to_der()).transpose()?;
                Ok(PublicKey::Dh { parameters, public_value: trim(y.as_bytes()) })
            }
        } else if alg == oid::DH_PUBLIC_NUMBER || alg == oid::ID_PK_DH {
            let y = Int::from_der(key_bits)?;
            let parameters = spki.algorithm.parameters.as_ref().map(|p| p.to_der()).transpose()?;
            Ok(PublicKey::Dh { parameters, public_value: trim(y.as_bytes()) })
        } else {
            Ok(PublicKey::Other { algorithm: alg })
        }
    }

    /// Encodes as a DER `SubjectPublicKeyInfo` (`id-ecPublicKey` for EC keys, `dhpublicnumber` for DH).
    pub fn to_spki_der(&self) -> Result<Vec<u8>, PublicKeyError> {
        let (algorithm, key): (AlgorithmIdentifierOwned, Vec<u8>) = match self {
            PublicKey::Rsa { modulus, exponent } => (
                AlgorithmIdentifierOwned {
                    oid: oid::RSA_ENCRYPTION,
                    parameters: Some(Any::encode_from(&der::asn1::Null)?),
                },
                RsaPublicKeyAsn1 { modulus: Uint::new(modulus)?, public_exponent: Uint::new(exponent)? }.to_der()?,
            ),
            PublicKey::Ec { domain, point } => (
                AlgorithmIdentifierOwned { oid: oid::EC_PUBLIC_KEY, parameters: Some(domain.to_any()?) },
                point.clone(),
            ),
            PublicKey::Dh { parameters, public_value } => (
                AlgorithmIdentifierOwned {
                    oid: oid::DH_PUBLIC_NUMBER,
                    parameters: parameters.as_deref().map(Any::from_der).transpose()?,
                },
                Uint::new(public_value)?.to_der()?,
            ),
            PublicKey::Other { .. } => return Err(PublicKeyError::Invalid("unknown key algorithm cannot be encoded")),
        };
        let spki = SubjectPublicKeyInfoOwned { algorithm, subject_public_key: BitString::from_bytes(&key)? };
        Ok(spki.to_der()?)
    }

    /// Key size in bits: the modulus for RSA, the field for EC with explicit parameters or a known curve, `y` for DH.
    pub fn bits(&self) -> Option<usize> {
        match self {
            PublicKey::Rsa { modulus, .. } => Some(bit_length(modulus)),
            PublicKey::Ec { domain: EcDomain::Explicit(c), .. } => Some(c.field_bits()),
            PublicKey::Ec { domain: EcDomain::Named(o), .. } => NamedCurve::from_oid(o).map(NamedCurve::field_bits),
            PublicKey::Dh { public_value, .. } => Some(bit_length(public_value)),
            _ => None,
        }
    }

    /// The named curve of an EC key, identified from explicit parameters when needed.
    pub fn curve(&self) -> Option<ObjectIdentifier> {
        match self {
            PublicKey::Ec { domain: EcDomain::Named(o), .. } => Some(*o),
            PublicKey::Ec { domain: EcDomain::Explicit(c), .. } => c.named_curve(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[1]), 1);
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01, 0xFF]), 9);
    }

    #[test]
    fn named_ec_round_trip() {
        let mut point = vec![0x04];
        point.extend([7u8; 64]);
        let k = PublicKey::Ec { domain: EcDomain::Named(oid::BRAINPOOL_P256R1), point };
        let der = k.to_spki_der().unwrap();
        assert_eq!(PublicKey::from_spki_der(&der).unwrap(), k);
        assert_eq!(k.bits(), Some(256));
    }

    #[test]
    fn rsa_round_trip() {
        let k = PublicKey::Rsa { modulus: vec![0xC5; 128], exponent: vec![1, 0, 1] };
        let der = k.to_spki_der().unwrap();
        assert_eq!(PublicKey::from_spki_der(&der).unwrap(), k);
        assert_eq!(k.bits(), Some(1024));
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(PublicKey::from_spki_der(&[]).is_err());
        assert!(PublicKey::from_spki_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    }
}
