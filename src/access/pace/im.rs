//! PACE Integrated Mapping (ICAO Doc 9303-11 §4.4.3.3.2, Appendix B): the pseudo-random function `R_p(s, t)`
//! built from the protocol's block cipher, and the maps into the group: for ECDH the point encoding `f_G` of
//! Brier, Coron, Icart, Madore, Randriam and Tibouchi (CRYPTO 2010) in the affine form of Appendix B.2 (it
//! needs `p ≡ 3 mod 4`; the cofactor is 1 on every curve here), for DH `f_g(x) = x^((p−1)/q) mod p`. Field
//! arithmetic is `crypto-bigint`'s constant-time Montgomery form; the branch of the point encoding is a
//! constant-time selection.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, CtEq, CtSelect, NonZero, Odd};
use zeroize::Zeroizing;

use crate::access::{AccessError, Unsupported};
use crate::crypto::ec::NamedCurve;
use crate::crypto::sym::SymKey;
use crate::oid::SmCipher;

const C0_128: &str = "a668892a7c41e3ca739f40b057d85904";
const C1_128: &str = "a4e136ac725f738b01c1f60217c188ad";
const C0_256: &str = "d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676";
const C1_256: &str = "54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517";

/// The length in bytes of the terminal's nonce `t`: the cipher's key size (128 bits for 3DES).
pub fn terminal_nonce_len(cipher: SmCipher) -> usize {
    match cipher {
        SmCipher::TripleDes | SmCipher::Aes128 => 16,
        SmCipher::Aes192 => 24,
        SmCipher::Aes256 => 32,
    }
}

/// The length in bytes of the chip's nonce `s` with Integrated Mapping: the smallest multiple of the block
/// size not shorter than the key (16 for 3DES and AES-128, 32 for AES-192/256).
pub fn chip_nonce_len(cipher: SmCipher) -> usize {
    match cipher {
        SmCipher::TripleDes | SmCipher::Aes128 => 16,
        SmCipher::Aes192 | SmCipher::Aes256 => 32,
    }
}

/// `E(key, data)` in CBC mode with a zero IV, with the protocol's cipher (two-key 3DES for 3DES).
fn encrypt(cipher: SmCipher, key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, AccessError> {
    Ok(Zeroizing::new(SymKey::new(cipher, key)?.encrypt_cbc_zero_iv(data)?))
}

/// `x1‖x2‖…‖xn` of the pseudo-random number mapping, with `n` the smallest number such that
/// `n·l ≥ log2 p + 64` (before the reduction mod p).
pub fn pseudo_random(cipher: SmCipher, s: &[u8], t: &[u8], p_bits: usize) -> Result<Zeroizing<Vec<u8>>, AccessError> {
    let k = terminal_nonce_len(cipher);
    let block = if cipher == SmCipher::TripleDes { 8 } else { 16 };
    if s.len() < chip_nonce_len(cipher) || !s.len().is_multiple_of(block) || t.len() != k {
        return Err(AccessError::Malformed("Integrated Mapping nonce"));
    }
    let (c0, c1) = if chip_nonce_len(cipher) == 16 { (C0_128, C1_128) } else { (C0_256, C1_256) };
    let constant = |h: &str| hex::decode(h).map_err(|_| AccessError::Malformed("Integrated Mapping constant"));
    let (c0, c1) = (constant(c0)?, constant(c1)?);
    let l = c0.len() * 8;
    let n = (p_bits + 64).div_ceil(l);
    let mut key = encrypt(cipher, t, s)?;
    let mut out = Zeroizing::new(Vec::with_capacity(n * c0.len()));
    for _ in 0..n {
        let truncated = key.get(..k).ok_or(AccessError::Malformed("Integrated Mapping key"))?;
        out.extend_from_slice(&encrypt(cipher, truncated, &c1)?);
        key = encrypt(cipher, truncated, &c0)?;
    }
    Ok(out)
}

fn precision(bytes: usize) -> u32 {
    u32::try_from(bytes.max(1).div_ceil(8) * 64).unwrap_or(u32::MAX)
}

/// `R_p(s, t) = int(x1‖…‖xn) mod p`, big-endian, the length of `p`.
pub fn reduce(random: &[u8], p: &[u8]) -> Result<Zeroizing<Vec<u8>>, AccessError> {
    let bits = precision(random.len().max(p.len()));
    let x = BoxedUint::from_be_slice(random, bits).map_err(|_| AccessError::Malformed("Integrated Mapping value"))?;
    let m = BoxedUint::from_be_slice(p, bits).map_err(|_| AccessError::Malformed("Integrated Mapping modulus"))?;
    let m = NonZero::new(m).into_option().ok_or(AccessError::Malformed("Integrated Mapping modulus"))?;
    let r = x.rem(&m);
    let bytes = r.to_be_bytes();
    Ok(Zeroizing::new(bytes.get(bytes.len().saturating_sub(p.len())..).unwrap_or_default().to_vec()))
}

/// The point encoding `f_G(t)` of Appendix B.2 on `curve` (cofactor 1, `p ≡ 3 mod 4`), as an uncompressed
/// SEC1 point.
pub fn point_encoding(curve: NamedCurve, t: &[u8]) -> Result<Vec<u8>, AccessError> {
    let unsupported = || AccessError::Unsupported(Unsupported::IntegratedMapping(curve));
    let d = curve.parameters();
    let n = curve.field_size();
    let bits = precision(n);
    let int = |b: &[u8]| BoxedUint::from_be_slice(b, bits).map_err(|_| unsupported());
    let p = int(&d.p)?;
    // p ≡ 3 (mod 4): the square root exponent below needs it (P-224 does not have it)
    if p.as_words().first().map(|w| w & 3) != Some(3) {
        return Err(unsupported());
    }
    let params = BoxedMontyParams::new_vartime(Odd::new(p.clone()).into_option().ok_or_else(unsupported)?);
    let field = |b: &[u8]| -> Result<BoxedMontyForm, AccessError> { Ok(BoxedMontyForm::new(int(b)?, &params)) };
    let t_int = int(t)?;
    if bool::from(t_int.is_zero()) || t_int >= p {
        return Err(AccessError::Malformed("Integrated Mapping value"));
    }
    let (a, b, t) = (field(&d.a)?, field(&d.b)?, BoxedMontyForm::new(t_int, &params));
    let one = BoxedMontyForm::one(&params);
    // 1. α = −t²
    let alpha = -t.square();
    // 2. X2 = −b·(1 + α + α²)·(a·(α + α²))⁻¹
    let alpha_sum = &alpha + &alpha.square();
    let inverse = a.mul(&alpha_sum).invert().into_option().ok_or(AccessError::Malformed("Integrated Mapping value"))?;
    let x2 = -(b.mul(&(&one + &alpha_sum))).mul(&inverse);
    // 3. X3 = α·X2
    let x3 = alpha.mul(&x2);
    // 4. h2 = X2³ + a·X2 + b
    let h2 = &(&x2.square().mul(&x2) + &a.mul(&x2)) + &b;
    // 6. U = t³·h2
    let u = t.square().mul(&t).mul(&h2);
    // 7. A = h2^(p − 1 − (p + 1)/4)
    let one_int = BoxedUint::one_with_precision(bits);
    let exponent = p.wrapping_sub(&one_int).wrapping_sub(p.wrapping_add(&one_int).shr(2));
    let big_a = h2.pow(&exponent);
    // 8./9. (X2, A·h2) when A²·h2 = 1, else (X3, A·U)
    let first = big_a.square().mul(&h2).retrieve().ct_eq(&one.retrieve());
    let x = BoxedUint::ct_select(&x3.retrieve(), &x2.retrieve(), first);
    let y = BoxedUint::ct_select(&big_a.mul(&u).retrieve(), &big_a.mul(&h2).retrieve(), first);
    let fixed = |v: &BoxedUint| {
        let bytes = v.to_be_bytes();
        bytes.get(bytes.len().saturating_sub(n)..).unwrap_or_default().to_vec()
    };
    let mut point = Vec::with_capacity(1 + 2 * n);
    point.push(0x04);
    point.extend(fixed(&x));
    point.extend(fixed(&y));
    // 10. the cofactor is 1 for every curve here; the point must be on the curve
    curve.validate_point(&point)?;
    Ok(point)
}
