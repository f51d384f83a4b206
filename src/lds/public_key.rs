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
        crate::lds::public_key::known_curves::identify(self)
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
    fn from_any(params: Option<&Any>) -> Result<Self, PublicKeyError> {
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
            PublicKey::Ec { domain: EcDomain::Named(o), .. } => known_curves::field_bits(o),
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

/// Parameters of the named curves, to recognize explicit parameters (RFC 5639, FIPS 186-4).
pub(crate) mod known_curves {
    use super::{ExplicitCurve, ObjectIdentifier, trim};
    use crate::oid;

    /// `(oid, bits, p, a, b, n)` in hex.
    const CURVES: [(ObjectIdentifier, usize, &str, &str, &str, &str); 11] = [
        (
            oid::SECP192R1,
            192,
            "fffffffffffffffffffffffffffffffeffffffffffffffff",
            "fffffffffffffffffffffffffffffffefffffffffffffffc",
            "64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1",
            "ffffffffffffffffffffffff99def836146bc9b1b4d22831",
        ),
        (
            oid::SECP224R1,
            224,
            "ffffffffffffffffffffffffffffffff000000000000000000000001",
            "fffffffffffffffffffffffffffffffefffffffffffffffffffffffe",
            "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
            "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d",
        ),
        (
            oid::SECP256R1,
            256,
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        ),
        (
            oid::SECP384R1,
            384,
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        ),
        (
            oid::SECP521R1,
            521,
            "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc",
            "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
            "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
        ),
        (
            oid::BRAINPOOL_P192R1,
            192,
            "c302f41d932a36cda7a3463093d18db78fce476de1a86297",
            "6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef",
            "469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9",
            "c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1",
        ),
        (
            oid::BRAINPOOL_P224R1,
            224,
            "d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
            "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
            "2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
            "d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f",
        ),
        (
            oid::BRAINPOOL_P256R1,
            256,
            "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
            "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
            "26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
            "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
        ),
        (
            oid::BRAINPOOL_P320R1,
            320,
            "d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
            "3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
            "520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
            "d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311",
        ),
        (
            oid::BRAINPOOL_P384R1,
            384,
            "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
            "7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
            "04a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11",
            "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565",
        ),
        (
            oid::BRAINPOOL_P512R1,
            512,
            "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
            "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
            "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
            "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
        ),
    ];

    fn same(hex_value: &str, bytes: &[u8]) -> bool {
        hex::decode(hex_value).map(|v| trim(&v) == trim(bytes)).unwrap_or(false)
    }

    /// The named curve with these `p`, `a`, `b` and `n`.
    pub(crate) fn identify(c: &ExplicitCurve) -> Option<ObjectIdentifier> {
        CURVES
            .iter()
            .find(|(_, _, p, a, b, n)| same(p, &c.p) && same(a, &c.a) && same(b, &c.b) && same(n, &c.order))
            .map(|(o, ..)| *o)
    }

    /// Field size in bits of a named curve.
    pub(crate) fn field_bits(curve: &ObjectIdentifier) -> Option<usize> {
        CURVES.iter().find(|(o, ..)| o == curve).map(|(_, bits, ..)| *bits)
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

#[cfg(test)]
mod curve_table_tests {
    use super::known_curves::identify;
    use super::*;
    use primeorder::PrimeCurveParams;

    fn check<C>(oid: ObjectIdentifier)
    where
        C: PrimeCurveParams,
        elliptic_curve::FieldBytes<C>: AsRef<[u8]>,
    {
        use crypto_bigint::ArrayEncoding;
        use elliptic_curve::Field;
        use elliptic_curve::ff::PrimeField;
        let a = C::EQUATION_A.to_repr();
        let b = C::EQUATION_B.to_repr();
        let order: Vec<u8> = C::ORDER.get().to_be_byte_array().to_vec();
        let p_minus_1 = (C::FieldElement::ZERO - C::FieldElement::ONE).to_repr();
        let mut p = p_minus_1.as_ref().to_vec();
        // p = (p - 1) + 1: add one to the big-endian bytes
        for byte in p.iter_mut().rev() {
            let (v, carry) = byte.overflowing_add(1);
            *byte = v;
            if !carry {
                break;
            }
        }
        let curve = ExplicitCurve {
            p,
            a: a.as_ref().to_vec(),
            b: b.as_ref().to_vec(),
            generator: vec![],
            order: order.to_vec(),
            cofactor: None,
            seed: None,
        };
        assert_eq!(identify(&curve), Some(oid), "{oid}");
    }

    #[test]
    fn table_matches_the_rustcrypto_curves() {
        check::<p256::NistP256>(oid::SECP256R1);
        check::<p384::NistP384>(oid::SECP384R1);
        check::<p521::NistP521>(oid::SECP521R1);
        check::<bp256::BrainpoolP256r1>(oid::BRAINPOOL_P256R1);
        check::<bp384::BrainpoolP384r1>(oid::BRAINPOOL_P384R1);
    }
}
