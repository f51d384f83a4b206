//! Cryptographic primitives: the only module that imports cipher, hash, MAC and curve crates.
//!
//! - [`ec`]: every elliptic curve eMRTDs use, by runtime dispatch over [`ec::NamedCurve`].
//! - [`hash`]: SHA-1/224/256/384/512 by algorithm.
//! - [`public_key`]: `SubjectPublicKeyInfo` as eMRTDs carry it (RSA, EC with named or explicit parameters, DH).
//! - [`signature`]: verification (and software signing) of ECDSA, RSA PKCS#1 v1.5 and RSASSA-PSS signatures.
//! - [`sym`]: 3DES (2-key) and AES CBC without padding, ISO/IEC 9797-1 padding method 2, the retail MAC
//!   (ISO/IEC 9797-1 MAC algorithm 3), AES-CMAC, the ICAO Doc 9303-11 §9.7.1 key derivation function and the
//!   secure messaging keys ([`SymKey`], [`SessionKeys`]).

pub mod dh;
pub mod ec;
pub mod hash;
pub mod public_key;
pub mod signature;
pub mod sym;

pub use sym::{KdfCounter, SessionKeys, SymKey};

/// What went wrong in a cryptographic primitive. Never carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A key of the wrong length for its algorithm (the caller's fault).
    #[error("invalid key length {actual} for {algorithm} (expected {expected})")]
    InvalidKeyLength {
        /// The algorithm's name.
        algorithm: &'static str,
        /// The length the algorithm needs.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// An IV (or send sequence counter) that is not one block long.
    #[error("invalid IV length {actual} (expected {expected})")]
    InvalidIvLength {
        /// The cipher's block size.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// Input to an unpadded CBC operation that is not a whole number of blocks.
    #[error("data length {len} is not a multiple of the block size {block_size}")]
    NotBlockAligned {
        /// The data length.
        len: usize,
        /// The cipher's block size.
        block_size: usize,
    },
    /// Data that does not end in ISO/IEC 9797-1 padding method 2 (`80 00 … 00` within the last block).
    #[error("invalid ISO/IEC 9797-1 padding method 2")]
    InvalidPadding,
}
