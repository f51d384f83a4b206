//! Finite-field Diffie–Hellman in a prime-order subgroup of `Z_p*` (ICAO Doc 9303-11 §9.5, BSI TR-03110-3
//! §A.2.1): the MODP groups of PACE's standardized domain parameters 0–2 (RFC 5114 §2.1–2.3) and explicit
//! `(p, g, q)` parameters. Arithmetic is `crypto-bigint`'s constant-time Montgomery form; public values are
//! checked to lie in the order-`q` subgroup (`1 < y < p − 1`, `y^q = 1`), secret exponents are drawn from
//! `[1, q − 1]` and zeroized.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};
use zeroize::{Zeroize, Zeroizing};

/// What can go wrong in a DH computation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DhError {
    /// Domain parameters that are not an odd prime modulus with a generator and a subgroup order.
    #[error("invalid DH domain parameters")]
    InvalidParameters,
    /// A public value outside the order-q subgroup (or 0, 1, p − 1).
    #[error("DH public value not in the prime-order subgroup")]
    InvalidPublicValue,
    /// A secret exponent that is 0 or not below q.
    #[error("DH secret exponent out of range")]
    InvalidSecret,
}

/// The standardized MODP groups of PACE (ICAO Doc 9303-11 §9.5.1, IDs 0–2; RFC 5114).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModpGroup {
    /// ID 0: 1024-bit MODP group with a 160-bit prime-order subgroup (RFC 5114 §2.1).
    Modp1024_160,
    /// ID 1: 2048-bit MODP group with a 224-bit prime-order subgroup (RFC 5114 §2.2).
    Modp2048_224,
    /// ID 2: 2048-bit MODP group with a 256-bit prime-order subgroup (RFC 5114 §2.3).
    Modp2048_256,
}

impl ModpGroup {
    /// Every group.
    pub fn all() -> [ModpGroup; 3] {
        [ModpGroup::Modp1024_160, ModpGroup::Modp2048_224, ModpGroup::Modp2048_256]
    }

    /// The standardized domain parameter ID.
    pub fn parameter_id(self) -> u8 {
        match self {
            ModpGroup::Modp1024_160 => 0,
            ModpGroup::Modp2048_224 => 1,
            ModpGroup::Modp2048_256 => 2,
        }
    }

    /// The group of a standardized domain parameter ID.
    pub fn from_parameter_id(id: u8) -> Option<Self> {
        ModpGroup::all().into_iter().find(|g| g.parameter_id() == id)
    }

    /// `1024-bit MODP (160-bit subgroup)`.
    pub fn name(self) -> &'static str {
        match self {
            ModpGroup::Modp1024_160 => "1024-bit MODP (160-bit subgroup)",
            ModpGroup::Modp2048_224 => "2048-bit MODP (224-bit subgroup)",
            ModpGroup::Modp2048_256 => "2048-bit MODP (256-bit subgroup)",
        }
    }

    fn hex(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ModpGroup::Modp1024_160 => (RFC5114_1_P, RFC5114_1_G, RFC5114_1_Q),
            ModpGroup::Modp2048_224 => (RFC5114_2_P, RFC5114_2_G, RFC5114_2_Q),
            ModpGroup::Modp2048_256 => (RFC5114_3_P, RFC5114_3_G, RFC5114_3_Q),
        }
    }

    /// The group's domain parameters.
    pub fn domain(self) -> DhDomain {
        let (p, g, q) = self.hex();
        let d = |h: &str| hex::decode(h).unwrap_or_default();
        // the constants are well-formed: checked by the tests
        DhDomain::new(&d(p), &d(g), &d(q)).unwrap_or_else(|_| DhDomain::empty())
    }
}

/// DH domain parameters `(p, g, q)`.
#[derive(Clone)]
pub struct DhDomain {
    p: Vec<u8>,
    g: Vec<u8>,
    q: Vec<u8>,
    p_bits: u32,
    params: Option<BoxedMontyParams>,
    q_int: BoxedUint,
}

impl core::fmt::Debug for DhDomain {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DhDomain({}-bit p, {}-bit q)", self.p_bits, self.q_int.bits())
    }
}

impl PartialEq for DhDomain {
    fn eq(&self, other: &Self) -> bool {
        (&self.p, &self.g, &self.q) == (&other.p, &other.g, &other.q)
    }
}

impl Eq for DhDomain {}

fn trim(bytes: &[u8]) -> &[u8] {
    let i = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(i..).unwrap_or_default()
}

fn precision(bytes: usize) -> u32 {
    u32::try_from(bytes.max(1).div_ceil(8) * 64).unwrap_or(u32::MAX)
}

/// `x` with another precision (it must fit).
fn with_precision(x: &BoxedUint, bits: u32) -> Result<BoxedUint, DhError> {
    let bytes = Zeroizing::new(x.to_be_bytes().to_vec());
    BoxedUint::from_be_slice(trim(&bytes), bits).map_err(|_| DhError::InvalidParameters)
}

impl DhDomain {
    fn empty() -> Self {
        DhDomain { p: Vec::new(), g: Vec::new(), q: Vec::new(), p_bits: 0, params: None, q_int: BoxedUint::zero() }
    }

    /// Domain parameters from big-endian `p`, `g`, `q` (leading zeros allowed). `p` must be odd and at most
    /// 8192 bits, `1 < g < p`, `1 < q < p`.
    pub fn new(p: &[u8], g: &[u8], q: &[u8]) -> Result<Self, DhError> {
        let (p, g, q) = (trim(p), trim(g), trim(q));
        if p.is_empty() || p.len() > 1024 || g.len() > p.len() || q.len() > p.len() {
            return Err(DhError::InvalidParameters);
        }
        let bits = precision(p.len());
        let p_int = BoxedUint::from_be_slice(p, bits).map_err(|_| DhError::InvalidParameters)?;
        let g_int = BoxedUint::from_be_slice(g, bits).map_err(|_| DhError::InvalidParameters)?;
        let q_int = BoxedUint::from_be_slice(q, bits).map_err(|_| DhError::InvalidParameters)?;
        let one = BoxedUint::one_with_precision(bits);
        if g_int <= one || g_int >= p_int || q_int <= one || q_int >= p_int {
            return Err(DhError::InvalidParameters);
        }
        let odd = Odd::new(p_int.clone()).into_option().ok_or(DhError::InvalidParameters)?;
        Ok(DhDomain {
            p: p.to_vec(),
            g: g.to_vec(),
            q: q.to_vec(),
            p_bits: p_int.bits(),
            params: Some(BoxedMontyParams::new_vartime(odd)),
            q_int: BoxedUint::from_be_slice(q, precision(q.len())).map_err(|_| DhError::InvalidParameters)?,
        })
    }

    /// `p`, big-endian.
    pub fn p(&self) -> &[u8] {
        &self.p
    }

    /// `g`, big-endian.
    pub fn g(&self) -> &[u8] {
        &self.g
    }

    /// `q`, big-endian.
    pub fn q(&self) -> &[u8] {
        &self.q
    }

    /// The length of `p` in bytes: public values and shared secrets are encoded with it.
    pub fn len(&self) -> usize {
        self.p.len()
    }

    /// Whether these are the empty (unusable) parameters.
    pub fn is_empty(&self) -> bool {
        self.p.is_empty()
    }

    /// The standardized group these parameters are, if any.
    pub fn standardized(&self) -> Option<ModpGroup> {
        ModpGroup::all().into_iter().find(|g| g.domain() == *self)
    }

    fn params(&self) -> Result<&BoxedMontyParams, DhError> {
        self.params.as_ref().ok_or(DhError::InvalidParameters)
    }

    fn element(&self, bytes: &[u8]) -> Result<BoxedMontyForm, DhError> {
        let params = self.params()?;
        let bytes = trim(bytes);
        if bytes.len() > self.p.len() {
            return Err(DhError::InvalidPublicValue);
        }
        let x = BoxedUint::from_be_slice(bytes, params.bits_precision()).map_err(|_| DhError::InvalidPublicValue)?;
        if x >= *params.modulus().as_ref() {
            return Err(DhError::InvalidPublicValue);
        }
        Ok(BoxedMontyForm::new(x, params))
    }

    /// A secret exponent as an integer below q: longer exponents (some chips and the ICAO examples use
    /// exponents the length of p) are reduced mod q, which gives the same powers of subgroup elements.
    fn exponent(&self, secret: &[u8]) -> Result<BoxedUint, DhError> {
        let secret = trim(secret);
        if secret.is_empty() || secret.len() > self.p.len() {
            return Err(DhError::InvalidSecret);
        }
        let wide = precision(secret.len().max(self.q.len()));
        let x = BoxedUint::from_be_slice(secret, wide).map_err(|_| DhError::InvalidSecret)?;
        let q = NonZero::new(with_precision(&self.q_int, wide)?).into_option().ok_or(DhError::InvalidParameters)?;
        let mut reduced = with_precision(&x.rem(&q), self.q_int.bits_precision())?;
        if bool::from(reduced.is_zero()) {
            reduced.zeroize();
            return Err(DhError::InvalidSecret);
        }
        Ok(reduced)
    }

    fn encode(&self, x: &BoxedMontyForm) -> Vec<u8> {
        let bytes = x.retrieve().to_be_bytes();
        let start = bytes.len().saturating_sub(self.p.len());
        bytes.get(start..).unwrap_or_default().to_vec()
    }

    /// Checks that `y` is in the order-q subgroup and is not 0, 1 or p − 1.
    pub fn validate(&self, y: &[u8]) -> Result<(), DhError> {
        let e = self.element(y)?;
        let v = e.retrieve();
        let bits = v.bits_precision();
        let one = BoxedUint::one_with_precision(bits);
        let p_minus_1 = self.params()?.modulus().as_ref().wrapping_sub(&one);
        if v <= one || v >= p_minus_1 {
            return Err(DhError::InvalidPublicValue);
        }
        if e.pow(&self.q_int).retrieve() != one {
            return Err(DhError::InvalidPublicValue);
        }
        Ok(())
    }

    /// A random secret exponent in `[1, q − 1]` (big-endian, the length of q).
    pub fn generate_secret(&self, rng: &mut dyn rand_core::CryptoRng) -> Zeroizing<Vec<u8>> {
        let bits = self.q_int.bits();
        let top = bits % 8;
        loop {
            let mut candidate = Zeroizing::new(vec![0u8; self.q.len()]);
            rng.fill_bytes(&mut candidate);
            if let (Some(first), true) = (candidate.first_mut(), top != 0) {
                *first &= (1u8 << top) - 1;
            }
            if let Ok(mut x) = self.exponent(&candidate) {
                x.zeroize();
                return candidate;
            }
        }
    }

    /// `base^secret mod p` for a public `base` (checked) and a secret exponent; encoded with the length of p.
    pub fn pow(&self, base: &[u8], secret: &[u8]) -> Result<Vec<u8>, DhError> {
        self.validate(base)?;
        let b = self.element(base)?;
        let mut x = self.exponent(secret)?;
        let r = b.pow_bounded_exp(&x, self.q_int.bits_precision());
        x.zeroize();
        Ok(self.encode(&r))
    }

    /// `g^secret mod p`: the public value of a secret exponent.
    pub fn public_key(&self, secret: &[u8]) -> Result<Vec<u8>, DhError> {
        self.pow(&self.g, secret)
    }

    /// The shared secret `peer^secret mod p` (the peer's value checked), encoded with the length of p
    /// (ICAO Doc 9303-11 §9.6: the whole group element).
    pub fn shared_secret(&self, secret: &[u8], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, DhError> {
        Ok(Zeroizing::new(self.pow(peer, secret)?))
    }

    /// `x^((p−1)/q) mod p`: PACE Integrated Mapping's map `f_g` of an integer `x < p` into the order-q
    /// subgroup (refused when the result is 1).
    pub fn cofactor_map(&self, x: &[u8]) -> Result<Vec<u8>, DhError> {
        let params = self.params()?;
        let bits = params.bits_precision();
        let e = self.element(x)?;
        let one = BoxedUint::one_with_precision(bits);
        let p_minus_1 = params.modulus().as_ref().wrapping_sub(&one);
        let q = NonZero::new(with_precision(&self.q_int, bits)?).into_option().ok_or(DhError::InvalidParameters)?;
        let cofactor = p_minus_1.wrapping_div(&q);
        let mapped = e.pow(&cofactor);
        let out = self.encode(&mapped);
        self.validate(&out)?;
        Ok(out)
    }

    /// `g^s · h mod p`: PACE Generic Mapping's new generator, for a nonce `s` (any integer below q's byte
    /// length) and the mapping's shared element `h`.
    pub fn generic_mapping(&self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, DhError> {
        let s_int = BoxedUint::from_be_slice(trim(s), precision(trim(s).len())).map_err(|_| DhError::InvalidSecret)?;
        let g = self.element(&self.g)?;
        let gs = g.pow(&s_int);
        let h = self.element(h)?;
        let mapped = gs.mul(&h);
        let out = self.encode(&mapped);
        self.validate(&out)?;
        Ok(out)
    }
}

impl DhDomain {
    /// Domain parameters as a DH key's AlgorithmIdentifier carries them: X9.42 `DomainParameters ::= SEQUENCE
    /// { p, g, q, … }`, PKCS#3 `SEQUENCE { p, g }` of a standardized group, or a standardized domain parameter
    /// ID (`INTEGER`, BSI TR-03110 `standardizedDomainParameters`).
    pub fn from_parameters_der(der: &[u8]) -> Result<Self, DhError> {
        use crate::tlv::{Tag, TlvReader};
        if let Ok(id) = TlvReader::single(der, Tag::new(0x02)) {
            let id = match id.value() {
                [v] => *v,
                _ => return Err(DhError::InvalidParameters),
            };
            return ModpGroup::from_parameter_id(id).map(ModpGroup::domain).ok_or(DhError::InvalidParameters);
        }
        let seq = TlvReader::single(der, Tag::new(0x30)).map_err(|_| DhError::InvalidParameters)?;
        let ints: Vec<&[u8]> = TlvReader::new(seq.value())
            .take(3)
            .map(|o| o.map(|o| o.value()))
            .collect::<Result<_, _>>()
            .map_err(|_| DhError::InvalidParameters)?;
        match ints.as_slice() {
            [p, g, q] => DhDomain::new(p, g, q),
            [p, g] => ModpGroup::all()
                .into_iter()
                .map(ModpGroup::domain)
                .find(|d| d.p() == trim(p) && d.g() == trim(g))
                .ok_or(DhError::InvalidParameters),
            _ => Err(DhError::InvalidParameters),
        }
    }

    /// X9.42 `DomainParameters ::= SEQUENCE { p, g, q }` (DER).
    pub fn to_parameters_der(&self) -> Vec<u8> {
        use crate::tlv::{Tag, encode_tlv};
        let int = |v: &[u8]| {
            let mut body = if v.first().is_some_and(|b| *b >= 0x80) { vec![0] } else { Vec::new() };
            body.extend_from_slice(v);
            encode_tlv(Tag::new(0x02), &body)
        };
        encode_tlv(Tag::new(0x30), &[int(&self.p), int(&self.g), int(&self.q)].concat())
    }
}

/// A DH private key with its domain (a chip's static Chip Authentication key). The exponent is zeroized on
/// drop; `Debug` prints the group size only.
#[derive(Clone, PartialEq, Eq)]
pub struct DhPrivateKey {
    domain: DhDomain,
    secret: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for DhPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DhPrivateKey({:?}, REDACTED)", self.domain)
    }
}

impl DhPrivateKey {
    /// A new random key in `domain`.
    pub fn generate(domain: DhDomain) -> Self {
        let secret = domain.generate_secret(&mut rand::rng());
        // generate_secret yields q-length big-endian bytes, as from_secret keeps them
        DhPrivateKey { domain, secret }
    }

    /// A key from its exponent (checked against the domain; kept as a big-endian number the length of q).
    pub fn from_secret(domain: DhDomain, secret: &[u8]) -> Result<Self, DhError> {
        domain.public_key(secret)?;
        let trimmed = trim(secret);
        let mut normalized = Zeroizing::new(vec![0u8; domain.q().len().saturating_sub(trimmed.len())]);
        normalized.extend_from_slice(trimmed);
        Ok(DhPrivateKey { domain, secret: normalized })
    }

    /// The domain.
    pub fn domain(&self) -> &DhDomain {
        &self.domain
    }

    /// The public value `g^x mod p`.
    pub fn public_value(&self) -> Result<Vec<u8>, DhError> {
        self.domain.public_key(&self.secret)
    }

    /// The public key as DG14 carries it (`dhpublicnumber` with X9.42 domain parameters).
    pub fn public_key(&self) -> Result<crate::crypto::public_key::PublicKey, DhError> {
        Ok(crate::crypto::public_key::PublicKey::Dh {
            parameters: Some(self.domain.to_parameters_der()),
            public_value: trim(&self.public_value()?).to_vec(),
        })
    }

    /// The shared secret with a peer's public value (checked), the length of p.
    pub fn shared_secret(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, DhError> {
        self.domain.shared_secret(&self.secret, peer)
    }

    /// PKCS#8 `PrivateKeyInfo` (`dhpublicnumber` with X9.42 domain parameters, the exponent as an INTEGER).
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        use crate::tlv::{Tag, encode_tlv};
        let int = |v: &[u8]| {
            let mut body = if v.first().is_some_and(|b| *b >= 0x80) { vec![0] } else { Vec::new() };
            body.extend_from_slice(v);
            encode_tlv(Tag::new(0x02), &body)
        };
        let oid = encode_tlv(Tag::new(0x06), crate::oid::DH_PUBLIC_NUMBER.as_bytes());
        let algorithm = encode_tlv(Tag::new(0x30), &[oid, self.domain.to_parameters_der()].concat());
        let key = Zeroizing::new(int(trim(&self.secret)));
        let octets = Zeroizing::new(encode_tlv(Tag::new(0x04), &key));
        Zeroizing::new(encode_tlv(Tag::new(0x30), &[int(&[0]), algorithm, octets.to_vec()].concat()))
    }

    /// Reads [`DhPrivateKey::to_pkcs8_der`]'s format.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, DhError> {
        use crate::tlv::{Tag, TlvReader};
        let bad = |_| DhError::InvalidParameters;
        let outer = TlvReader::single(der, Tag::new(0x30)).map_err(bad)?;
        let mut r = TlvReader::new(outer.value());
        r.expect(Tag::new(0x02)).map_err(bad)?;
        let algorithm = r.expect(Tag::new(0x30)).map_err(bad)?;
        let mut a = TlvReader::new(algorithm.value());
        let oid = a.expect(Tag::new(0x06)).map_err(bad)?;
        if oid.value() != crate::oid::DH_PUBLIC_NUMBER.as_bytes() {
            return Err(DhError::InvalidParameters);
        }
        let params = a.read().map_err(bad)?;
        let domain = DhDomain::from_parameters_der(params.raw())?;
        let octets = r.expect(Tag::new(0x04)).map_err(bad)?;
        let x = TlvReader::single(octets.value(), Tag::new(0x02)).map_err(|_| DhError::InvalidSecret)?;
        DhPrivateKey::from_secret(domain, x.value())
    }
}

const RFC5114_1_P: &str = "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371";
const RFC5114_1_G: &str = "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5";
const RFC5114_1_Q: &str = "F518AA8781A8DF278ABA4E7D64B7CB9D49462353";
const RFC5114_2_P: &str = "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F";
const RFC5114_2_G: &str = "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA";
const RFC5114_2_Q: &str = "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB";
const RFC5114_3_P: &str = "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597";
const RFC5114_3_G: &str = "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659";
const RFC5114_3_Q: &str = "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standardized_groups_are_sound() {
        for group in ModpGroup::all() {
            let d = group.domain();
            assert!(!d.is_empty(), "{}", group.name());
            // g generates the order-q subgroup
            d.validate(d.g()).unwrap();
            assert_eq!(d.standardized(), Some(group));
            assert_eq!(ModpGroup::from_parameter_id(group.parameter_id()), Some(group));
        }
    }

    #[test]
    fn key_agreement_and_mapping_agree_on_both_sides() {
        let d = ModpGroup::Modp1024_160.domain();
        let mut rng = rand::rng();
        let (a, b) = (d.generate_secret(&mut rng), d.generate_secret(&mut rng));
        let (pa, pb) = (d.public_key(&a).unwrap(), d.public_key(&b).unwrap());
        assert_eq!(pa.len(), 128);
        assert_eq!(d.shared_secret(&a, &pb).unwrap(), d.shared_secret(&b, &pa).unwrap());
        let h = d.shared_secret(&a, &pb).unwrap();
        let mapped = d.generic_mapping(&[0x12; 16], &h).unwrap();
        d.validate(&mapped).unwrap();
        // values outside the subgroup are refused
        let p_minus_1 = {
            let mut v = d.p().to_vec();
            if let Some(l) = v.last_mut() {
                *l -= 1;
            }
            v
        };
        for bad in [vec![0u8], vec![1], p_minus_1, d.p().to_vec(), vec![2]] {
            assert!(d.validate(&bad).is_err());
            assert!(d.shared_secret(&a, &bad).is_err());
        }
        assert_eq!(d.public_key(&[0]), Err(DhError::InvalidSecret));
        assert_eq!(d.public_key(d.q()), Err(DhError::InvalidSecret));
    }

    /// Values computed independently (Python's `pow(g, x, p)`) for group 0.
    #[test]
    fn matches_an_independent_computation() {
        let d = ModpGroup::Modp1024_160.domain();
        let h = |s: &str| hex::decode(s).unwrap();
        assert_eq!(
            d.public_key(&h("0123456789ABCDEF0123456789ABCDEF01234567")).unwrap(),
            h(
                "6B53FCDB967448A2E1F885B16B177164DF165DCEC41C9565204EFE5CEEDEB97B4799E4BF0A62C183E7360D86197E2A80FD6C71F6020AF316C2DAC27F99656B842D23164514A5BD7BF0F4A044D0D453394A3A90F227C7A17CB5C4AF7D14A37518033D592AA51C1E9F2BCE052458A726F4A73B745DEE733CF9DAEA0000D87B79BD"
            )
        );
        assert_eq!(
            d.generic_mapping(&h("00112233445566778899AABBCCDDEEFF"), &h("8BC4EA57CD105295F4176B7324403E316FE796EDC839D2411497F62855B923A8659642C21383AF6E42A431A6803235D519682F2FF574D9BE6E5422E45821CBABD0997EA6EA0EF9B640B0E19E35A59401C3C798F712B6134E983B336C16B85B0A23315A655E89B6F9A5104799474479FB8B0C6CE08E952DEFFAB853EC032D0301")).unwrap(),
            h("A78FAF44C5FCEDF74AB20CF1C60050DB54CDC54112134676CE56CCD1BCB56230D57782DB790446F31D3CAC640986FA3E66DD0DFC9A4A54582BB92A40D8002A180C04FDC302ACEF7228260648F187DA945564C1555D7C810F2CC4D99832A1AC81AE029364F3C9DAAE496FA317E7BB74FAAA0F222E4E3C3B87779DDB67DE534040")
        );
    }
}
