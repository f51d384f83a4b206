//! Symmetric primitives of ICAO Doc 9303-11: 3DES and AES in CBC mode, ISO/IEC 9797-1 padding method 2,
//! the retail MAC, AES-CMAC, the key derivation function of §9.7.1 and the secure messaging keys.

use core::fmt;

use aes::{Aes128, Aes192, Aes256};
use cipher::{BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use cmac::{Cmac, Mac};
use des::{Des, TdesEde2};
use retail_mac::RetailMac;
use sha1::{Digest, Sha1};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::CryptoError;
use crate::oid::SmCipher;

/// The DES block size (3DES secure messaging, retail MAC).
pub const DES_BLOCK: usize = 8;
/// The AES block size.
pub const AES_BLOCK: usize = 16;
/// The length of a secure messaging MAC (DO'8E), for both 3DES and AES (CMAC truncated).
pub const MAC_LEN: usize = 8;

/// The counter `c` of the key derivation function (ICAO Doc 9303-11 §9.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KdfCounter {
    /// `c = 1`: the encryption key (`K_enc`, `KS_enc`).
    Enc,
    /// `c = 2`: the MAC key (`K_mac`, `KS_mac`).
    Mac,
    /// `c = 3`: the PACE password key `K_π`.
    Pi,
}

impl KdfCounter {
    /// The 32-bit big-endian counter value.
    pub fn value(self) -> u32 {
        match self {
            KdfCounter::Enc => 1,
            KdfCounter::Mac => 2,
            KdfCounter::Pi => 3,
        }
    }
}

/// The key length in bytes of a secure messaging cipher (2-key 3DES is 16 bytes, parity bits included).
pub fn key_len(cipher: SmCipher) -> usize {
    match cipher {
        SmCipher::TripleDes | SmCipher::Aes128 => 16,
        SmCipher::Aes192 => 24,
        SmCipher::Aes256 => 32,
    }
}

/// The block size in bytes of a secure messaging cipher (also the length of its send sequence counter).
pub fn block_size(cipher: SmCipher) -> usize {
    match cipher {
        SmCipher::TripleDes => DES_BLOCK,
        SmCipher::Aes128 | SmCipher::Aes192 | SmCipher::Aes256 => AES_BLOCK,
    }
}

const MAX_KEY: usize = 32;

/// A symmetric key for one secure messaging cipher: `K_enc`, `K_mac`, `KS_enc`, `KS_mac` or `K_π`.
///
/// Zeroized on drop; `Debug` prints the algorithm only.
#[derive(Clone)]
pub struct SymKey {
    cipher: SmCipher,
    bytes: [u8; MAX_KEY],
}

impl Drop for SymKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for SymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SymKey").field("cipher", &self.cipher).field("key", &"REDACTED").finish()
    }
}

impl PartialEq for SymKey {
    /// Constant-time comparison of the key bytes.
    fn eq(&self, other: &Self) -> bool {
        self.cipher == other.cipher && bool::from(self.as_bytes().ct_eq(other.as_bytes()))
    }
}

impl Eq for SymKey {}

impl SymKey {
    /// A key from its bytes; the length must match the cipher ([`key_len`]). 3DES keys are taken as given
    /// (parity bits are ignored by DES).
    pub fn new(cipher: SmCipher, key: &[u8]) -> Result<Self, CryptoError> {
        let expected = key_len(cipher);
        if key.len() != expected {
            return Err(CryptoError::InvalidKeyLength { algorithm: cipher.name(), expected, actual: key.len() });
        }
        let mut bytes = [0u8; MAX_KEY];
        bytes.iter_mut().zip(key).for_each(|(b, k)| *b = *k);
        Ok(SymKey { cipher, bytes })
    }

    /// The key derivation function of ICAO Doc 9303-11 §9.7.1: `KDF(K, c) = H(K || c)` truncated to the key
    /// length, with SHA-1 for 3DES and AES-128 and SHA-256 for AES-192/256; 3DES keys get odd DES parity.
    pub fn derive(cipher: SmCipher, shared_secret: &[u8], counter: KdfCounter) -> Self {
        let c = counter.value().to_be_bytes();
        let mut digest = [0u8; MAX_KEY];
        match cipher {
            SmCipher::TripleDes | SmCipher::Aes128 => {
                let h = Sha1::new().chain_update(shared_secret).chain_update(c).finalize();
                digest.iter_mut().zip(h.iter()).for_each(|(d, s)| *d = *s);
            }
            SmCipher::Aes192 | SmCipher::Aes256 => {
                let h = Sha256::new().chain_update(shared_secret).chain_update(c).finalize();
                digest.iter_mut().zip(h.iter()).for_each(|(d, s)| *d = *s);
            }
        }
        let len = key_len(cipher);
        // Bytes past the key length are zero, as `new` leaves them.
        digest.iter_mut().skip(len).for_each(|b| *b = 0);
        if cipher == SmCipher::TripleDes {
            digest.iter_mut().take(len).for_each(|b| *b = with_des_parity(*b));
        }
        SymKey { cipher, bytes: digest }
    }

    /// The cipher this key is for.
    pub fn cipher(&self) -> SmCipher {
        self.cipher
    }

    /// The cipher's block size ([`block_size`]).
    pub fn block_size(&self) -> usize {
        block_size(self.cipher)
    }

    /// The key bytes. Handle with care: do not log them.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..key_len(self.cipher)).unwrap_or(&[])
    }

    /// CBC encryption with the given IV (one block), no padding: `data` must be a whole number of blocks.
    pub fn encrypt_cbc(&self, iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut buf = data.to_vec();
        let key = self.as_bytes();
        match self.cipher {
            SmCipher::TripleDes => cbc_encrypt::<TdesEde2>(key, iv, &mut buf)?,
            SmCipher::Aes128 => cbc_encrypt::<Aes128>(key, iv, &mut buf)?,
            SmCipher::Aes192 => cbc_encrypt::<Aes192>(key, iv, &mut buf)?,
            SmCipher::Aes256 => cbc_encrypt::<Aes256>(key, iv, &mut buf)?,
        }
        Ok(buf)
    }

    /// CBC decryption with the given IV (one block), no padding removed: `data` must be a whole number of blocks.
    pub fn decrypt_cbc(&self, iv: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut buf = data.to_vec();
        let key = self.as_bytes();
        match self.cipher {
            SmCipher::TripleDes => cbc_decrypt::<TdesEde2>(key, iv, &mut buf)?,
            SmCipher::Aes128 => cbc_decrypt::<Aes128>(key, iv, &mut buf)?,
            SmCipher::Aes192 => cbc_decrypt::<Aes192>(key, iv, &mut buf)?,
            SmCipher::Aes256 => cbc_decrypt::<Aes256>(key, iv, &mut buf)?,
        }
        Ok(buf)
    }

    /// CBC encryption with an all-zero IV, no padding.
    pub fn encrypt_cbc_zero_iv(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.encrypt_cbc(&vec![0u8; self.block_size()], data)
    }

    /// CBC decryption with an all-zero IV, no padding removed.
    pub fn decrypt_cbc_zero_iv(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.decrypt_cbc(&vec![0u8; self.block_size()], data)
    }

    /// The IV of secure messaging encryption for the send sequence counter `ssc` (ICAO Doc 9303-11 §9.8.6):
    /// all zeros for 3DES, `E(KS_enc, SSC)` for AES. `ssc` must be one block long.
    pub fn sm_iv(&self, ssc: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let bs = self.block_size();
        if ssc.len() != bs {
            return Err(CryptoError::InvalidIvLength { expected: bs, actual: ssc.len() });
        }
        match self.cipher {
            SmCipher::TripleDes => Ok(vec![0u8; bs]),
            // One CBC block with a zero IV is the block cipher applied to the SSC.
            _ => self.encrypt_cbc_zero_iv(ssc),
        }
    }

    /// The secure messaging MAC of `data` (already padded by the caller with [`pad_m2`]): the retail MAC for
    /// 3DES, AES-CMAC truncated to 8 bytes for AES.
    pub fn sm_mac(&self, data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
        match self.cipher {
            SmCipher::TripleDes => retail_mac(self.as_bytes(), data),
            _ => {
                let full = aes_cmac(self.as_bytes(), data)?;
                let mut out = [0u8; MAC_LEN];
                out.iter_mut().zip(full.iter()).for_each(|(o, f)| *o = *f);
                Ok(out)
            }
        }
    }
}

/// The secure messaging session keys `KS_enc` and `KS_mac`, derived from a shared secret (BAC: `K_seed`;
/// PACE / Chip Authentication: the key agreement's shared secret).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKeys {
    /// `KS_enc`, the encryption key (KDF counter 1).
    pub ks_enc: SymKey,
    /// `KS_mac`, the MAC key (KDF counter 2).
    pub ks_mac: SymKey,
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys").field("cipher", &self.ks_enc.cipher).field("keys", &"REDACTED").finish()
    }
}

impl SessionKeys {
    /// `KS_enc = KDF(K, 1)` and `KS_mac = KDF(K, 2)`.
    pub fn derive(cipher: SmCipher, shared_secret: &[u8]) -> Self {
        SessionKeys {
            ks_enc: SymKey::derive(cipher, shared_secret, KdfCounter::Enc),
            ks_mac: SymKey::derive(cipher, shared_secret, KdfCounter::Mac),
        }
    }

    /// The cipher of both keys.
    pub fn cipher(&self) -> SmCipher {
        self.ks_enc.cipher
    }
}

/// `b` with its least significant bit set so that the byte has odd parity (DES key parity).
pub fn with_des_parity(b: u8) -> u8 {
    let high = b & 0xFE;
    if high.count_ones().is_multiple_of(2) { high | 1 } else { high }
}

/// Adjusts every byte of a DES / 3DES key to odd parity.
pub fn adjust_des_parity(key: &mut [u8]) {
    key.iter_mut().for_each(|b| *b = with_des_parity(*b));
}

/// ISO/IEC 9797-1 padding method 2: append `80` then `00` bytes up to a multiple of `block_size`
/// (always at least one byte is added).
pub fn pad_m2(data: &[u8], block_size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len().saturating_add(block_size));
    out.extend_from_slice(data);
    out.push(0x80);
    if block_size > 0 {
        while !out.len().is_multiple_of(block_size) {
            out.push(0);
        }
    }
    out
}

/// Removes ISO/IEC 9797-1 padding method 2, strictly: `data` must be a non-empty whole number of blocks
/// ending in `80` followed by fewer than `block_size` zero bytes.
pub fn unpad_m2(data: &[u8], block_size: usize) -> Result<&[u8], CryptoError> {
    if data.is_empty() || block_size == 0 || !data.len().is_multiple_of(block_size) {
        return Err(CryptoError::InvalidPadding);
    }
    let zeros = data.iter().rev().take_while(|b| **b == 0).count();
    if zeros >= block_size {
        return Err(CryptoError::InvalidPadding);
    }
    let marker = data.len().checked_sub(zeros + 1).ok_or(CryptoError::InvalidPadding)?;
    match data.get(marker) {
        Some(0x80) => data.get(..marker).ok_or(CryptoError::InvalidPadding),
        _ => Err(CryptoError::InvalidPadding),
    }
}

/// The retail MAC (ISO/IEC 9797-1 MAC algorithm 3 with DES, `K = Ka || Kb`) of `data`. `data` that is not a
/// whole number of blocks is padded with zeros (padding method 1); callers wanting method 2 pad first with
/// [`pad_m2`].
pub fn retail_mac(key: &[u8], data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
    let mut mac = <RetailMac<Des> as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::InvalidKeyLength {
        algorithm: "retail MAC",
        expected: 16,
        actual: key.len(),
    })?;
    mac.update(data);
    let tag = mac.finalize().into_bytes();
    let mut out = [0u8; MAC_LEN];
    out.iter_mut().zip(tag.iter()).for_each(|(o, t)| *o = *t);
    Ok(out)
}

/// AES-CMAC (NIST SP 800-38B) of `data` with a 16, 24 or 32 byte key: the full 16-byte tag.
pub fn aes_cmac(key: &[u8], data: &[u8]) -> Result<[u8; AES_BLOCK], CryptoError> {
    fn run<C>(key: &[u8], data: &[u8]) -> Option<[u8; AES_BLOCK]>
    where
        C: cmac::block_api::CmacCipher,
        Cmac<C>: KeyInit + Mac,
    {
        let mut mac = <Cmac<C> as KeyInit>::new_from_slice(key).ok()?;
        mac.update(data);
        let tag = mac.finalize().into_bytes();
        let mut out = [0u8; AES_BLOCK];
        out.iter_mut().zip(tag.iter()).for_each(|(o, t)| *o = *t);
        Some(out)
    }
    let tag = match key.len() {
        16 => run::<Aes128>(key, data),
        24 => run::<Aes192>(key, data),
        32 => run::<Aes256>(key, data),
        _ => None,
    };
    tag.ok_or(CryptoError::InvalidKeyLength { algorithm: "AES-CMAC", expected: 16, actual: key.len() })
}

/// Constant-time equality of two MACs (or tokens); different lengths are unequal.
pub fn mac_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

/// SHA-1 of `data` (BAC's `K_seed`, the KDF for 3DES and AES-128).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

fn cbc_encrypt<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError>
where
    C: BlockCipherEncrypt + KeyInit,
    cbc::Encryptor<C>: KeyIvInit + BlockModeEncrypt,
{
    let bs = <cbc::Encryptor<C> as cipher::BlockSizeUser>::block_size();
    check_lengths(bs, iv, buf)?;
    let mut enc = cbc::Encryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| CryptoError::InvalidIvLength { expected: bs, actual: iv.len() })?;
    for chunk in buf.chunks_exact_mut(bs) {
        let block = <&mut cipher::Block<cbc::Encryptor<C>>>::try_from(chunk)
            .map_err(|_| CryptoError::NotBlockAligned { len: bs, block_size: bs })?;
        enc.encrypt_block(block);
    }
    Ok(())
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError>
where
    C: cipher::BlockCipherDecrypt + KeyInit,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let bs = <cbc::Decryptor<C> as cipher::BlockSizeUser>::block_size();
    check_lengths(bs, iv, buf)?;
    let mut dec = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| CryptoError::InvalidIvLength { expected: bs, actual: iv.len() })?;
    for chunk in buf.chunks_exact_mut(bs) {
        let block = <&mut cipher::Block<cbc::Decryptor<C>>>::try_from(chunk)
            .map_err(|_| CryptoError::NotBlockAligned { len: bs, block_size: bs })?;
        dec.decrypt_block(block);
    }
    Ok(())
}

fn check_lengths(bs: usize, iv: &[u8], buf: &[u8]) -> Result<(), CryptoError> {
    if iv.len() != bs {
        return Err(CryptoError::InvalidIvLength { expected: bs, actual: iv.len() });
    }
    if !buf.len().is_multiple_of(bs) {
        return Err(CryptoError::NotBlockAligned { len: buf.len(), block_size: bs });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity() {
        let mut k = hex::decode("AB94FCEDF2664EDFB9B291F85D7F77F2").unwrap();
        adjust_des_parity(&mut k);
        assert_eq!(hex::encode_upper(k), "AB94FDECF2674FDFB9B391F85D7F76F2");
    }

    #[test]
    fn unpad_strict() {
        assert_eq!(unpad_m2(&hex::decode("0102800000000000").unwrap(), 8).unwrap(), [1, 2]);
        assert_eq!(unpad_m2(&hex::decode("0102030405060780").unwrap(), 8).unwrap(), [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(unpad_m2(&hex::decode("8000000000000000").unwrap(), 8).unwrap(), [] as [u8; 0]);
        // no marker, marker too far, wrong length, empty, non-zero after marker
        for bad in ["0102030405060708", "01800000000000000000000000000000", "01800000", "", "0180000000000100"] {
            assert_eq!(unpad_m2(&hex::decode(bad).unwrap(), 8), Err(CryptoError::InvalidPadding), "{bad}");
        }
        assert_eq!(unpad_m2(&hex::decode("01800000000000000000000000000000").unwrap(), 16).unwrap(), [1]);
        assert_eq!(unpad_m2(&hex::decode("0180000000000000").unwrap(), 0), Err(CryptoError::InvalidPadding));
    }

    #[test]
    fn key_lengths_checked() {
        assert!(matches!(
            SymKey::new(SmCipher::Aes192, &[0; 16]),
            Err(CryptoError::InvalidKeyLength { expected: 24, actual: 16, .. })
        ));
        let k = SymKey::new(SmCipher::Aes128, &[7; 16]).unwrap();
        assert_eq!(k.encrypt_cbc(&[0; 8], &[0; 16]), Err(CryptoError::InvalidIvLength { expected: 16, actual: 8 }));
        assert_eq!(k.encrypt_cbc_zero_iv(&[0; 15]), Err(CryptoError::NotBlockAligned { len: 15, block_size: 16 }));
        assert!(retail_mac(&[0; 8], b"x").is_err());
        assert!(aes_cmac(&[0; 17], b"x").is_err());
    }

    #[test]
    fn debug_redacts() {
        let k = SymKey::new(SmCipher::TripleDes, &[0xAB; 16]).unwrap();
        let s = format!("{k:?} {:?}", SessionKeys::derive(SmCipher::Aes256, b"secret"));
        assert!(s.contains("REDACTED") && !s.contains("171") && !s.to_lowercase().contains("ab, "), "{s}");
    }

    #[test]
    fn cbc_round_trip() {
        for (c, n) in
            [(SmCipher::TripleDes, 16), (SmCipher::Aes128, 16), (SmCipher::Aes192, 24), (SmCipher::Aes256, 32)]
        {
            let k = SymKey::new(c, &vec![0x5A; n]).unwrap();
            let iv = vec![3u8; k.block_size()];
            let pt: Vec<u8> = (0..48u8).collect();
            let ct = k.encrypt_cbc(&iv, &pt).unwrap();
            assert_ne!(ct, pt);
            assert_eq!(k.decrypt_cbc(&iv, &ct).unwrap(), pt);
        }
    }
}
