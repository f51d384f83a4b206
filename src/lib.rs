//! # cccd — personalize and verify ICAO 9303 eMRTD chips
//!
//! `cccd` builds, writes, reads and verifies the chip of Vietnam's citizen identity card
//! (*Căn cước công dân gắn chip*, an ICAO Doc 9303 eMRTD) and of any other ICAO 9303 chip.
//!
//! ## Layers
//!
//! A module uses its own layer and the layers below it, never above, and no two top-level modules import each
//! other (`tests/layers.rs` reads this table and checks both). The card side (the virtual chip) and the host side
//! (issuance, reader, personalizer, verifier) share layers 1–3 and meet only through APDUs: the host side never
//! imports the emulator, which sits on top of it (layer 5) behind the cargo feature `emulator`.
//!
//! | layer | modules | what lives there |
//! |---|---|---|
//! | 1 | [`tlv`], [`oid`], [`apdu`], [`crypto`] | bounded zero-copy BER-TLV; named OIDs with typed PACE/CA protocols; command/response APDUs and status words (with what each means and what to do), and the command catalogue (`apdu::commands`, one constructor per command the host side sends); the only module that imports cipher, hash and curve crates (3DES/AES, retail MAC, CMAC, KDF, SHA-*, every eMRTD curve, the PACE MODP groups, ECDSA/RSA/DH) |
//! | 2 | [`mrz`], [`citizen`], [`lds`] | MRZ (TD1/TD2/TD3, check digits, transliteration, the CCCD layout); the Vietnamese citizen record and its validation; every LDS file as a typed model with `decode` (tolerant, never panicking, exact bytes kept) and canonical `encode` |
//! | 2 | [`transport`] | the `Transport` trait (APDU in, APDU out) and wrappers that log (redacted), record or replay |
//! | 2 | [`vpcd`] | the card side of the `vsmartcard-vpcd` protocol (any `Transport` behind a real `pcscd`) |
//! | 2 | [`perso_commands`] | the personalization command set of `docs/perso-commands.md` (transport-key session and its keys, CREATE FILE, PUT DATA objects, LOCK), built by the personalizer and parsed by the virtual chip |
//! | 3 | [`sm`], [`access`], [`qr`], [`face`] | ICAO secure messaging (3DES and AES, terminal and chip side) and the secure channel; BAC, PACE (GM, IM, CAM; ECDH and DH), Chip Authentication and Active Authentication, both sides; the card's QR payload, rendering and scanning; face photos to DG2 images and back to pixels |
//! | 3 | [`pki`], [`pa`] | the `Signer` trait (software keys, PKCS#11) and builders for CSCA/DS/MLS certificates, CRLs, signed EF.SOD and master lists (`x509-cert` and `cms` types); Passive Authentication with trust stores, typed check reasons and one signer-verification path for every CMS SignedData |
//! | 3 | [`cvc`] | card-verifiable certificates and requests for Extended Access Control (decode, encode, sign, one chain check shared by chip and terminal), EF.CVCA, EAC PKI issuing |
//! | 3 | [`image`] | the chip image: the files, the chip's secrets (one ECDH or DH Chip Authentication key, one ECDSA or RSA Active Authentication key) and its EAC trust points and current date, image folders on disk |
//! | 4 | [`issuance`], [`batch`], [`reader`], [`perso`], [`verify`] | record + face + keys → chip image; a batch of records → verified chip folders published whole, a report and a printing manifest, resumable; the reader (BAC/PACE, largest reads, resume after a pulled card, fallbacks for chips that refuse SFI reads or answer less, Chip and Active Authentication); the personalizer (check the image, write, verify with one reader session, then lock; the open and the JMRTD applet profiles); the verifier, the one place that decides whether a chip is genuine (`Policy`, `Verifier`, `Verdict`) |
//! | 5 | `emulator` (feature `emulator`) | the virtual chip (issued or blank, with fault injection and a link model) and a second one, the JMRTD passport applet, built on the host side's types |
//! | 5 | [`error`] | the crate's [`Error`], which wraps every module's error so an application can `?` across the crate; modules return their own errors and never import it |
//! | 6 | [`json`] | the documented JSON of `read`, `verify`, `inspect`, the QR payload and errors (schema version 1), built from library types: what the CLI's `--json`, the C ABI and the Python package all print |
//!
//! Parsers never panic on input and report the byte offset where they failed; every one has a fuzz target
//! (`fuzz/`). Personal data and keys never reach `Debug` output or error messages; keys are zeroized and MACs
//! compared in constant time.
//!
//! ## Tolerant readers, strict writers
//!
//! Real chips and real files differ from the letter of the specifications. Every decoder and every protocol
//! step here accepts what the specifications allow and what real documents are known to send, and **says what
//! it tolerated**: a typed [`lds::DecodeWarning`] (offset and kind) kept in the decoded model and listed by
//! `cccd inspect --json` as `"warnings"`, or a named field in a protocol result. What cannot be read safely is
//! refused with a typed error (who is at fault, where). Every encoder, and the virtual chip by default, writes
//! the canonical form only, so nothing this crate produces carries a warning.
//!
//! | tolerated | reported as | source |
//! |---|---|---|
//! | bytes after a file's outer TLV: `00`/`FF` padding, a captured `9000`, left-over bytes (the model keeps the TLV only, which is what EF.SOD hashes) | `DecodeWarningKind::{Padding, StatusWord, TrailingBytes}` | files allocated larger than their content; dumps that include the status word |
//! | a DG1 MRZ with a wrong check digit (the MRZ is shown as written; typed-in MRZ text for BAC stays strict: [`mrz::Mrz::parse`]) | `DecodeWarningKind::CheckDigit`, [`lds::dg1::Dg1::wrong_check_digits`] | issued documents and a printed ICAO example with a wrong composite digit |
//! | SecurityInfos of a known protocol with an unknown version: kept, never used for a protocol | `DecodeWarningKind::UnknownVersion` | ETSI TR 103 200 negative cases (ChipAuthenticationInfo version 16) |
//! | non-minimal BER lengths in TLV files | accepted silently ([`tlv`]) | ISO/IEC 7816-4 BER-TLV allows them |
//! | the BER indefinite length on constructed objects (`77 80 … 00 00`) | `DecodeWarningKind::IndefiniteLength` for a file's outer TLV ([`tlv::Tlv::is_indefinite`]) | US passports' EF.SOD (proxmark3 PR #1145) |
//! | TD2 (2×36) and MRV-B MRZs | [`mrz::Td2`] | ICAO 9303-6/-7; ID cards and visas |
//! | a PACE encrypted nonce of any multiple of the block size (Integrated Mapping: not shorter than the key) | accepted ([`access::pace::PaceParameters::nonce_len_allowed`]) | ICAO 9303-11 §4.4.3.1; a PACE-ECDH-GM-3DES passport sending 16 bytes |
//! | a status word alone (no DO'99, no MAC) for an error under secure messaging | the status word, the session kept ([`sm`]); the reader treats it as the chip's answer | ICAO 9303-11 §9.8.6; chips answering `6982`/`6A82` unprotected |
//! | `6282` (end of file) with data, on any read reaching the end | data kept | ISO/IEC 7816-4 §7.2.3 |
//! | `6Cxx` ("wrong Le, xx available") to a READ BINARY | asked again with `Le = xx` | ISO/IEC 7816-4 §5.1.3 |
//! | EF.CardAccess longer than its TLV when read with a large `Le` | cut to its TLV | padded files |
//! | a DG14 with a ChipAuthenticationPublicKeyInfo and no ChipAuthenticationInfo at all | Chip Authentication inferred as `id-CA-ECDH-3DES-CBC-CBC` / `id-CA-DH-3DES-CBC-CBC` ([`access::chip_auth::chip_authentication_keys`]) | BSI TR-03110 v1.11 §A.1.1.2; a recorded French passport |
//! | EF.CardSecurity absent on a PACE-CAM chip | the CAM proof checked against DG14; [`reader::ReadResult::chip_key_source`] says which file held the key | ICAO 9303-11 §4.4.3.5.1 (EF.CardSecurity), older chips |
//!
//! Refused: a wrong outer tag, lengths past the data, an indefinite length on a primitive object, malformed inner
//! structures, an MRZ with a wrong layout or alphabet, an encrypted nonce that is not a multiple of the block
//! size, an unprotected `9000` under secure messaging, a wrong MAC. The virtual chip plays the tolerated
//! behaviours on request (`emulator::Quirks`, feature `emulator`; `cccd emulate --quirk`), so the reader's tolerance is tested end
//! to end, through `pcscd` too.
//!
//! ## Verifying a card
//!
//! The verifier's whole path: trust material, a card in a PC/SC reader, a validated CAN, read, verify, one
//! verdict ([`verify::Verdict`]: genuine, tampered, untrusted, clone suspected or incomplete, with findings).
//!
//! ```no_run
//! # #[cfg(feature = "pcsc")] fn main() -> Result<(), cccd::Error> {
//! use cccd::{access::pace::PacePassword, pa::TrustStore, reader::Reader, transport::pcsc::PcscTransport};
//! use cccd::verify::{Policy, Verifier};
//!
//! let mut trust = TrustStore::new();
//! trust.add_path("csca/".as_ref())?; // CSCA certificates, master lists
//! let mut card = PcscTransport::wait_for_card("ACS ACR1252 1S CL Reader PICC 0", std::time::Duration::from_secs(30))?;
//! let result = Reader::pace(PacePassword::can("123456")?).read(&mut card)?;
//! let verification = Verifier::new(&trust, Policy::counter()).verify_read(&result);
//! println!("{}: {}", verification.verdict, verification.summary());
//! # Ok(()) }
//! # #[cfg(not(feature = "pcsc"))] fn main() {}
//! ```
//!
//! ## Example
//!
//! ```
//! use cccd::citizen::CitizenRecord;
//! use cccd::lds::{dg1::Dg1, dg13::Dg13};
//!
//! let record: CitizenRecord = serde_json::from_str(r#"{
//!     "id_number": "001099012345", "full_name": "Nguyễn Văn A", "date_of_birth": "1999-01-15",
//!     "sex": "M", "nationality": "Việt Nam", "date_of_issue": "2023-03-10", "date_of_expiry": "2039-01-15"
//! }"#)?;
//! assert!(record.validate().errors.is_empty());
//! let dg1 = Dg1::new(record.to_mrz()?)?;
//! let dg13 = Dg13::from_record(&record)?;
//! let back = CitizenRecord::from_dg1_dg13(&Dg1::decode(&dg1.encode()?)?, &Dg13::decode(&dg13.encode()?)?)?;
//! assert_eq!(back.full_name, "Nguyễn Văn A");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod access;
pub mod apdu;
pub mod batch;
pub mod citizen;
pub mod crypto;
pub mod cvc;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod face;
pub mod image;
pub mod issuance;
pub mod json;
pub mod lds;
pub mod mrz;
pub mod oid;
pub mod pa;
pub mod perso;
pub mod perso_commands;
pub mod pki;
pub mod qr;
pub mod reader;
pub mod sm;
pub mod tlv;
pub mod transport;
pub mod verify;
pub mod vpcd;

pub use error::{Error, Result};

/// The README's Rust examples, compiled (and run, unless `no_run`) as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
