//! # cccd — personalize and verify ICAO 9303 eMRTD chips
//!
//! `cccd` builds, writes, reads and verifies the chip of Vietnam's citizen identity card
//! (*Căn cước công dân gắn chip*, an ICAO Doc 9303 eMRTD) and of any other ICAO 9303 chip.
//!
//! ## Layers
//!
//! A module uses its own layer and the layers below it, never above.
//!
//! | layer | modules | what lives there |
//! |---|---|---|
//! | 0 | [`error`] | the crate's [`Error`]; one structured enum per module, wrapped there |
//! | 1 | [`tlv`] | bounded, zero-copy BER-TLV reader and canonical writer |
//! | 2 | [`mrz`], [`citizen`], [`lds`] | MRZ (TD1/TD3, check digits, transliteration); the Vietnamese citizen record and ID rules; every data group as a typed model with `encode` and `decode` that keeps the exact bytes read |
//!
//! Parsers never panic on input, report the byte offset where they failed and treat trailing
//! data as an error. Personal data never reaches `Debug` output or error messages.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod citizen;
pub mod error;
pub mod lds;
pub mod mrz;
pub mod tlv;

pub use error::{Error, Result};
