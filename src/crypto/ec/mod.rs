//! Every elliptic curve eMRTDs use, behind one runtime-dispatched API: NIST P-192/224/256/384/521 and
//! brainpoolP192r1/224r1/256r1/320r1/384r1/512r1 (the curves of ICAO 9303-11 Table 6 / BSI TR-03110-3).
//!
//! Points cross this API as SEC1 bytes, scalars as big-endian bytes, so protocol code (PACE, Chip and Active
//! Authentication, Passive Authentication) needs no generics. Secret scalars are zeroized after use and every
//! operation on them runs in constant time (the RustCrypto arithmetic); only verification is variable-time.

pub mod brainpool;

use elliptic_curve::ff::PrimeField;
use elliptic_curve::ops::{Invert, Reduce};
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, Sec1Point, ToSec1Point};
use elliptic_curve::subtle::CtOption;
use elliptic_curve::{AffinePoint, FieldBytes, FieldBytesSize, Group, NonZeroScalar, ProjectivePoint, Scalar};
use primeorder::PrimeCurveParams;
use zeroize::Zeroizing;

use crate::oid::{self, ObjectIdentifier};

/// An elliptic-curve error. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcError {
    /// Explicit domain parameters that match none of the supported curves.
    #[error("unsupported elliptic curve")]
    UnsupportedCurve,
    /// A point that is not a valid SEC1 encoding of a point on the curve (or is the identity).
    #[error("invalid point for {0}")]
    InvalidPoint(&'static str),
    /// A scalar of the wrong length, zero, or not below the group order.
    #[error("invalid scalar for {0}")]
    InvalidScalar(&'static str),
    /// A signature that is not a valid DER or raw `r‖s` encoding.
    #[error("malformed ECDSA signature")]
    MalformedSignature,
    /// The signature does not verify.
    #[error("ECDSA signature does not verify")]
    BadSignature,
    /// The hash is too short for the curve (ECDSA needs at least half the field size).
    #[error("hash too short for the curve")]
    HashTooShort,
}

/// A supported named curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedCurve {
    /// NIST P-192 (secp192r1).
    P192,
    /// NIST P-224 (secp224r1).
    P224,
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// brainpoolP192r1.
    BrainpoolP192r1,
    /// brainpoolP224r1.
    BrainpoolP224r1,
    /// brainpoolP256r1.
    BrainpoolP256r1,
    /// brainpoolP320r1.
    BrainpoolP320r1,
    /// brainpoolP384r1.
    BrainpoolP384r1,
    /// brainpoolP512r1.
    BrainpoolP512r1,
}

/// Calls `$f::<CurveType>($args)` for the curve `$c`.
macro_rules! dispatch {
    ($c:expr, $f:ident($($arg:expr),*)) => {
        match $c {
            NamedCurve::P192 => $f::<p192::NistP192>($($arg),*),
            NamedCurve::P224 => $f::<p224::NistP224>($($arg),*),
            NamedCurve::P256 => $f::<p256::NistP256>($($arg),*),
            NamedCurve::P384 => $f::<p384::NistP384>($($arg),*),
            NamedCurve::P521 => $f::<p521::NistP521>($($arg),*),
            NamedCurve::BrainpoolP192r1 => $f::<brainpool::p192r1::BrainpoolP192r1>($($arg),*),
            NamedCurve::BrainpoolP224r1 => $f::<brainpool::p224r1::BrainpoolP224r1>($($arg),*),
            NamedCurve::BrainpoolP256r1 => $f::<bp256::BrainpoolP256r1>($($arg),*),
            NamedCurve::BrainpoolP320r1 => $f::<brainpool::p320r1::BrainpoolP320r1>($($arg),*),
            NamedCurve::BrainpoolP384r1 => $f::<bp384::BrainpoolP384r1>($($arg),*),
            NamedCurve::BrainpoolP512r1 => $f::<brainpool::p512r1::BrainpoolP512r1>($($arg),*),
        }
    };
}

/// What the generic operations need of a curve.
pub trait EcCurve: PrimeCurveParams + ecdsa::EcdsaCurve
where
    FieldBytesSize<Self>: ModulusSize,
    AffinePoint<Self>: FromSec1Point<Self> + ToSec1Point<Self> + AffineCoordinates<FieldRepr = FieldBytes<Self>>,
    Scalar<Self>: Invert<Output = CtOption<Scalar<Self>>> + Reduce<FieldBytes<Self>>,
{
}

impl<C> EcCurve for C
where
    C: PrimeCurveParams + ecdsa::EcdsaCurve,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
    Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
{
}

const ALL: [NamedCurve; 11] = [
    NamedCurve::P192,
    NamedCurve::P224,
    NamedCurve::P256,
    NamedCurve::P384,
    NamedCurve::P521,
    NamedCurve::BrainpoolP192r1,
    NamedCurve::BrainpoolP224r1,
    NamedCurve::BrainpoolP256r1,
    NamedCurve::BrainpoolP320r1,
    NamedCurve::BrainpoolP384r1,
    NamedCurve::BrainpoolP512r1,
];

/// A curve's domain parameters as unsigned big-endian integers without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainParameters {
    /// The field prime.
    pub p: Vec<u8>,
    /// Coefficient `a`.
    pub a: Vec<u8>,
    /// Coefficient `b`.
    pub b: Vec<u8>,
    /// The generator, uncompressed SEC1.
    pub generator: Vec<u8>,
    /// The group order.
    pub order: Vec<u8>,
}

fn trim(bytes: &[u8]) -> Vec<u8> {
    let i = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(i..).unwrap_or_default().to_vec()
}

fn params<C: EcCurve>() -> DomainParameters
where
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
    Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
{
    use crypto_bigint::ArrayEncoding;
    let modulus_hex = <C::FieldElement as PrimeField>::MODULUS;
    let g: AffinePoint<C> = ProjectivePoint::<C>::generator().into();
    DomainParameters {
        p: trim(&hex::decode(modulus_hex.trim_start_matches("0x")).unwrap_or_default()),
        a: trim(C::EQUATION_A.to_repr().as_ref()),
        b: trim(C::EQUATION_B.to_repr().as_ref()),
        generator: g.to_sec1_point(false).as_bytes().to_vec(),
        order: trim(&C::ORDER.get().to_be_byte_array()),
    }
}

impl NamedCurve {
    /// Every supported curve.
    pub fn all() -> impl Iterator<Item = NamedCurve> {
        ALL.into_iter()
    }

    /// The curve's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            NamedCurve::P192 => oid::SECP192R1,
            NamedCurve::P224 => oid::SECP224R1,
            NamedCurve::P256 => oid::SECP256R1,
            NamedCurve::P384 => oid::SECP384R1,
            NamedCurve::P521 => oid::SECP521R1,
            NamedCurve::BrainpoolP192r1 => oid::BRAINPOOL_P192R1,
            NamedCurve::BrainpoolP224r1 => oid::BRAINPOOL_P224R1,
            NamedCurve::BrainpoolP256r1 => oid::BRAINPOOL_P256R1,
            NamedCurve::BrainpoolP320r1 => oid::BRAINPOOL_P320R1,
            NamedCurve::BrainpoolP384r1 => oid::BRAINPOOL_P384R1,
            NamedCurve::BrainpoolP512r1 => oid::BRAINPOOL_P512R1,
        }
    }

    /// The curve with this OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        ALL.into_iter().find(|c| c.oid() == *oid)
    }

    /// The curve by name, case-insensitively: `secp256r1` (also `P-256`, `prime256v1`), `brainpoolP256r1`….
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.to_ascii_lowercase().replace('-', "");
        let alias = match n.as_str() {
            "p192" | "prime192v1" => "secp192r1",
            "p224" => "secp224r1",
            "p256" | "prime256v1" => "secp256r1",
            "p384" => "secp384r1",
            "p521" => "secp521r1",
            other => other,
        };
        ALL.into_iter().find(|c| c.name().to_ascii_lowercase() == alias)
    }

    /// The usual name: `secp256r1`, `brainpoolP256r1`….
    pub fn name(self) -> &'static str {
        match self {
            NamedCurve::P192 => "secp192r1",
            NamedCurve::P224 => "secp224r1",
            NamedCurve::P256 => "secp256r1",
            NamedCurve::P384 => "secp384r1",
            NamedCurve::P521 => "secp521r1",
            NamedCurve::BrainpoolP192r1 => "brainpoolP192r1",
            NamedCurve::BrainpoolP224r1 => "brainpoolP224r1",
            NamedCurve::BrainpoolP256r1 => "brainpoolP256r1",
            NamedCurve::BrainpoolP320r1 => "brainpoolP320r1",
            NamedCurve::BrainpoolP384r1 => "brainpoolP384r1",
            NamedCurve::BrainpoolP512r1 => "brainpoolP512r1",
        }
    }

    /// The curve's domain parameters.
    pub fn parameters(self) -> DomainParameters {
        dispatch!(self, params())
    }

    /// Bytes of a field element (and of each coordinate of a point).
    pub fn field_size(self) -> usize {
        match self {
            NamedCurve::P192 | NamedCurve::BrainpoolP192r1 => 24,
            NamedCurve::P224 | NamedCurve::BrainpoolP224r1 => 28,
            NamedCurve::P256 | NamedCurve::BrainpoolP256r1 => 32,
            NamedCurve::BrainpoolP320r1 => 40,
            NamedCurve::P384 | NamedCurve::BrainpoolP384r1 => 48,
            NamedCurve::BrainpoolP512r1 => 64,
            NamedCurve::P521 => 66,
        }
    }

    /// The size of the field prime in bits.
    pub fn field_bits(self) -> usize {
        if self == NamedCurve::P521 { 521 } else { self.field_size() * 8 }
    }

    /// The named curve with these explicit parameters (`p`, `a`, `b`, order `n`; leading zeros ignored).
    pub fn from_explicit(p: &[u8], a: &[u8], b: &[u8], order: &[u8]) -> Result<Self, EcError> {
        let (p, a, b, order) = (trim(p), trim(a), trim(b), trim(order));
        ALL.into_iter()
            .find(|c| {
                let d = c.parameters();
                d.p == p && d.a == a && d.b == b && d.order == order
            })
            .ok_or(EcError::UnsupportedCurve)
    }

    /// The generator, uncompressed SEC1.
    pub fn generator(self) -> Vec<u8> {
        self.parameters().generator
    }

    /// A new random secret scalar (big-endian, zeroized on drop).
    pub fn generate_secret(self, rng: &mut dyn rand_core::CryptoRng) -> Zeroizing<Vec<u8>> {
        fn go<C: EcCurve>(rng: &mut dyn rand_core::CryptoRng) -> Zeroizing<Vec<u8>>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            use elliptic_curve::Generate;
            let k = elliptic_curve::SecretKey::<C>::generate_from_rng(rng);
            Zeroizing::new(k.to_bytes().to_vec())
        }
        dispatch!(self, go(rng))
    }

    /// The public point (uncompressed SEC1) of a secret scalar.
    pub fn public_key(self, secret: &[u8]) -> Result<Vec<u8>, EcError> {
        fn go<C: EcCurve>(curve: NamedCurve, secret: &[u8]) -> Result<Vec<u8>, EcError>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            let k = secret_scalar::<C>(curve, secret)?;
            let p: AffinePoint<C> = (ProjectivePoint::<C>::generator() * *k).into();
            Ok(p.to_sec1_point(false).as_bytes().to_vec())
        }
        dispatch!(self, go(self, secret))
    }

    /// `k·P` for a point `P` (SEC1) and a scalar `k` (big-endian); the result uncompressed SEC1.
    pub fn mul(self, point: &[u8], scalar: &[u8]) -> Result<Vec<u8>, EcError> {
        fn go<C: EcCurve>(curve: NamedCurve, point: &[u8], scalar: &[u8]) -> Result<Vec<u8>, EcError>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            let p = point_from::<C>(curve, point)?;
            let k = reduced_scalar::<C>(curve, scalar)?;
            encode_nonidentity::<C>(curve, ProjectivePoint::<C>::from(p) * k)
        }
        dispatch!(self, go(self, point, scalar))
    }

    /// `P + Q` for points in SEC1; the result uncompressed SEC1 (an error if it is the identity).
    pub fn add(self, p: &[u8], q: &[u8]) -> Result<Vec<u8>, EcError> {
        fn go<C: EcCurve>(curve: NamedCurve, p: &[u8], q: &[u8]) -> Result<Vec<u8>, EcError>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            let p = point_from::<C>(curve, p)?;
            let q = point_from::<C>(curve, q)?;
            encode_nonidentity::<C>(curve, ProjectivePoint::<C>::from(p) + ProjectivePoint::<C>::from(q))
        }
        dispatch!(self, go(self, p, q))
    }

    /// `a⁻¹·b mod n` for secret scalars `a`, `b` (big-endian), as a big-endian scalar of the curve's length: the
    /// Chip Authentication Data `CA_IC = SK_IC⁻¹·SK_Map,IC` of PACE-CAM. Inversion is constant time.
    pub fn inverse_times(self, a: &[u8], b: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError> {
        fn go<C: EcCurve>(curve: NamedCurve, a: &[u8], b: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            let a = secret_scalar::<C>(curve, a)?;
            let b = secret_scalar::<C>(curve, b)?;
            let product: Scalar<C> = *a.invert() * *b;
            let repr: FieldBytes<C> = product.into();
            Ok(Zeroizing::new(repr.to_vec()))
        }
        dispatch!(self, go(self, a, b))
    }

    /// ECDH: the x-coordinate of `secret·peer` (ICAO 9303-11 §9.4.1: the shared secret is the x-coordinate).
    pub fn ecdh(self, secret: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError> {
        let shared = Zeroizing::new(self.mul(peer, secret)?);
        let n = self.field_size();
        Ok(Zeroizing::new(shared.get(1..1 + n).ok_or(EcError::InvalidPoint(self.name()))?.to_vec()))
    }

    /// Checks that `point` is a valid SEC1 point on the curve (not the identity).
    pub fn validate_point(self, point: &[u8]) -> Result<(), EcError> {
        fn go<C: EcCurve>(curve: NamedCurve, point: &[u8]) -> Result<(), EcError>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            point_from::<C>(curve, point).map(|_| ())
        }
        dispatch!(self, go(self, point))
    }

    /// ECDSA signature of a message hash (RFC 6979 deterministic nonce), as raw `r‖s`.
    pub fn ecdsa_sign_prehash(self, secret: &[u8], prehash: &[u8]) -> Result<Vec<u8>, EcError> {
        fn go<C: EcCurve>(curve: NamedCurve, secret: &[u8], prehash: &[u8]) -> Result<Vec<u8>, EcError>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            if prehash.len() < curve.field_size() / 2 {
                return Err(EcError::HashTooShort);
            }
            let d = secret_scalar::<C>(curve, secret)?;
            // RFC 6979 derives the nonce with the message's hash function, known here by its length
            let (sig, _) = match prehash.len() {
                20 => ecdsa::hazmat::sign_prehashed_rfc6979::<C, sha1::Sha1>(&d, prehash, &[]),
                28 => ecdsa::hazmat::sign_prehashed_rfc6979::<C, sha2::Sha224>(&d, prehash, &[]),
                32 => ecdsa::hazmat::sign_prehashed_rfc6979::<C, sha2::Sha256>(&d, prehash, &[]),
                48 => ecdsa::hazmat::sign_prehashed_rfc6979::<C, sha2::Sha384>(&d, prehash, &[]),
                _ => ecdsa::hazmat::sign_prehashed_rfc6979::<C, sha2::Sha512>(&d, prehash, &[]),
            };
            Ok(sig.to_bytes().to_vec())
        }
        dispatch!(self, go(self, secret, prehash))
    }

    /// Verifies an ECDSA signature (DER `Ecdsa-Sig-Value` or raw `r‖s`) of a message hash.
    pub fn ecdsa_verify_prehash(self, public: &[u8], prehash: &[u8], signature: &[u8]) -> Result<(), EcError> {
        fn go<C: EcCurve>(curve: NamedCurve, public: &[u8], prehash: &[u8], signature: &[u8]) -> Result<(), EcError>
        where
            FieldBytesSize<C>: ModulusSize,
            AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
            Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
        {
            use signature::hazmat::PrehashVerifier;
            let point = point_from::<C>(curve, public)?;
            let key = ecdsa::VerifyingKey::<C>::from_affine(point).map_err(|_| EcError::InvalidPoint(curve.name()))?;
            // a raw r‖s may begin with 0x30 by chance: try the DER reading and the raw reading
            let n = curve.field_size();
            let der = der_to_raw(signature, n);
            let raw = (signature.len() == 2 * n).then(|| signature.to_vec());
            let mut seen = false;
            for candidate in [der, raw].into_iter().flatten() {
                let Ok(sig) = ecdsa::Signature::<C>::from_slice(&candidate) else { continue };
                seen = true;
                if key.verify_prehash(prehash, &sig).is_ok() {
                    return Ok(());
                }
            }
            Err(if seen { EcError::BadSignature } else { EcError::MalformedSignature })
        }
        dispatch!(self, go(self, public, prehash, signature))
    }
}

/// Converts a DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` or a raw `r‖s` to raw `r‖s` of
/// `2·n` bytes.
pub fn raw_signature(signature: &[u8], n: usize) -> Option<Vec<u8>> {
    if signature.first() == Some(&0x30)
        && let Some(raw) = der_to_raw(signature, n)
    {
        return Some(raw);
    }
    (signature.len() == 2 * n).then(|| signature.to_vec())
}

/// The raw `r‖s` of a DER `Ecdsa-Sig-Value`, if `signature` is one.
fn der_to_raw(signature: &[u8], n: usize) -> Option<Vec<u8>> {
    let seq = crate::tlv::TlvReader::single(signature, crate::tlv::Tag::new(0x30)).ok()?;
    let mut r = seq.children();
    let mut out = Vec::with_capacity(2 * n);
    for _ in 0..2 {
        let int = r.expect(crate::tlv::Tag::new(0x02)).ok()?;
        let v = trim(int.value());
        if v.len() > n {
            return None;
        }
        out.extend(core::iter::repeat_n(0u8, n - v.len()));
        out.extend(v);
    }
    r.finish().ok()?;
    Some(out)
}

/// Encodes raw `r‖s` as DER `Ecdsa-Sig-Value`.
pub fn der_signature(raw: &[u8]) -> Vec<u8> {
    let half = raw.len() / 2;
    let (r, s) = (raw.get(..half).unwrap_or_default(), raw.get(half..).unwrap_or_default());
    let int = |v: &[u8]| {
        let mut v = trim(v);
        if v.first().is_none_or(|b| *b & 0x80 != 0) {
            v.insert(0, 0);
        }
        crate::tlv::encode_tlv(crate::tlv::Tag::new(0x02), &v)
    };
    let mut body = int(r);
    body.extend(int(s));
    crate::tlv::encode_tlv(crate::tlv::Tag::new(0x30), &body)
}

fn point_from<C: EcCurve>(curve: NamedCurve, bytes: &[u8]) -> Result<AffinePoint<C>, EcError>
where
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
    Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
{
    let encoded = Sec1Point::<C>::from_bytes(bytes).map_err(|_| EcError::InvalidPoint(curve.name()))?;
    let p: Option<AffinePoint<C>> = AffinePoint::<C>::from_sec1_point(&encoded).into();
    let p = p.ok_or(EcError::InvalidPoint(curve.name()))?;
    if bool::from(ProjectivePoint::<C>::from(p).is_identity()) {
        return Err(EcError::InvalidPoint(curve.name()));
    }
    Ok(p)
}

/// A big-endian scalar of at most the field's length, left-padded to it (kept zeroized).
fn padded_field_bytes<C: EcCurve>(curve: NamedCurve, bytes: &[u8]) -> Result<Zeroizing<FieldBytes<C>>, EcError>
where
    FieldBytesSize<C>: ModulusSize,
{
    let n = curve.field_size();
    if bytes.len() > n {
        return Err(EcError::InvalidScalar(curve.name()));
    }
    let mut padded = Zeroizing::new(FieldBytes::<C>::default());
    padded.get_mut(n - bytes.len()..).ok_or(EcError::InvalidScalar(curve.name()))?.copy_from_slice(bytes);
    Ok(padded)
}

fn secret_scalar<C: EcCurve>(curve: NamedCurve, bytes: &[u8]) -> Result<NonZeroScalar<C>, EcError>
where
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
    Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
{
    let padded = padded_field_bytes::<C>(curve, bytes)?;
    Option::from(NonZeroScalar::<C>::from_repr(*padded)).ok_or(EcError::InvalidScalar(curve.name()))
}

/// A scalar of at most the field's length reduced mod n (`k·P = (k mod n)·P`: some published examples use
/// ephemeral keys above n); zero is refused.
fn reduced_scalar<C: EcCurve>(curve: NamedCurve, bytes: &[u8]) -> Result<Scalar<C>, EcError>
where
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
    Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
{
    let padded = padded_field_bytes::<C>(curve, bytes)?;
    let k = <Scalar<C> as Reduce<FieldBytes<C>>>::reduce(&padded);
    if bool::from(elliptic_curve::ff::Field::is_zero(&k)) {
        return Err(EcError::InvalidScalar(curve.name()));
    }
    Ok(k)
}

fn encode_nonidentity<C: EcCurve>(curve: NamedCurve, p: ProjectivePoint<C>) -> Result<Vec<u8>, EcError>
where
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C> + AffineCoordinates<FieldRepr = FieldBytes<C>>,
    Scalar<C>: Invert<Output = CtOption<Scalar<C>>> + Reduce<FieldBytes<C>>,
{
    if bool::from(p.is_identity()) {
        return Err(EcError::InvalidPoint(curve.name()));
    }
    let a: AffinePoint<C> = p.into();
    Ok(a.to_sec1_point(false).as_bytes().to_vec())
}

#[cfg(test)]
mod tests;
