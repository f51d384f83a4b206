//! Cryptography: the only module that imports cipher, hash, MAC and curve crates.
//!
//! - [`ec`]: every elliptic curve eMRTDs use, by runtime dispatch over [`ec::NamedCurve`].

pub mod ec;
