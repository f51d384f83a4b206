//! The JMRTD passport applet's personalization command set (`../shared/docs/jmrtd-applet.md` §2), and what the
//! applet cannot hold.
//!
//! Everything goes in the clear before the lock: SELECT of the application, CREATE FILE `00 E0 00 00 06 63 04
//! SS SS FF FF` (it does not select), SELECT FILE, UPDATE BINARY of up to 255 bytes at offset P1‖P2, PUT DATA
//! `00 62` (the BAC seed: document number padded with `<` to 9 characters, birth and expiry `YYMMDD`, each in a
//! `04` object; the chip computes the check digits), `00 60` and `00 61` (the RSA-1024 Active Authentication
//! modulus and private exponent as `60 00 04 81 80 ‖ 128 bytes`: the outer length must be `00`, the applet
//! skips the outer value), `0N 64` (a CVCA certificate body, slot 1 or 2, once), and `00 DA DE AD` (LOCK).
//!
//! The applet runs BAC with 3DES secure messaging and RSA-1024 Active Authentication (SHA-1) only: no PACE, no
//! AES, no ECDSA, Chip Authentication on 163-bit binary curves only (this crate issues prime-curve and DH
//! keys), no master file (its `011C` is EF.CVCA, not EF.CardAccess), files of at most `7FFF` bytes, DG1–DG15,
//! EF.SOD and EF.COM only, and DG3/DG4 cannot be created in the clear. [`JmrtdAppletProfile::check`] lists
//! every one of these an image runs into.

use zeroize::Zeroizing;

use super::{PersoError, PersoProfile, PersoSession};
use crate::apdu::commands as iso;
use crate::apdu::{CommandApdu, StatusWord};
use crate::image::{ActiveAuthenticationKey, ChipImage};
use crate::lds::LdsFile;
use crate::lds::security_infos::{CardAccess, Dg14};
use crate::oid::SmCipher;
use crate::transport::Transport;

/// The largest file the applet holds (its sizes are signed 16-bit).
pub const MAX_FILE_SIZE: usize = 0x7FFF;
/// The largest UPDATE BINARY data in the clear (short APDUs only).
const MAX_WRITE: usize = 255;
/// The applet's Active Authentication key size, in bits.
const AA_BITS: usize = 1024;
/// LOCK of the applet: PUT DATA `DE AD` (the same header as `docs/perso-commands.md`'s).
const LOCK_P1: u8 = 0xDE;
const LOCK_P2: u8 = 0xAD;

/// Something of an image a profile's chip cannot hold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// EF.CardAccess (or a CAN) asks for PACE; the chip runs BAC only.
    Pace,
    /// A protocol the image names needs AES secure messaging; the chip has 3DES only.
    AesSecureMessaging,
    /// An ECDSA Active Authentication key; the chip signs with RSA only.
    EcdsaActiveAuthentication,
    /// An RSA Active Authentication key of another size than the chip's.
    RsaActiveAuthenticationSize {
        /// The key's size in bits.
        bits: usize,
        /// The size the chip holds.
        supported: usize,
    },
    /// A Chip Authentication key on a prime curve or in a DH group; the chip runs it on binary curves only.
    ChipAuthentication,
    /// A file the chip has no place for.
    File(LdsFile),
    /// A file larger than the chip's largest.
    FileTooLarge {
        /// The file.
        file: LdsFile,
        /// Its size.
        size: usize,
        /// The largest the chip holds.
        max: usize,
    },
    /// A file the chip cannot be given in the clear (DG3/DG4 need Terminal Authentication even to be created).
    NotWritableInTheClear(LdsFile),
    /// No BAC key material (MRZ information): the chip could not be read.
    NoBacKey,
}

impl core::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Unsupported::Pace => f.write_str("PACE (the chip runs BAC only)"),
            Unsupported::AesSecureMessaging => f.write_str("AES secure messaging (3DES only)"),
            Unsupported::EcdsaActiveAuthentication => f.write_str("ECDSA Active Authentication (RSA only)"),
            Unsupported::RsaActiveAuthenticationSize { bits, supported } => {
                write!(f, "an RSA-{bits} Active Authentication key (RSA-{supported} only)")
            }
            Unsupported::ChipAuthentication => {
                f.write_str("Chip Authentication with a prime-curve or DH key (163-bit binary curves only)")
            }
            Unsupported::File(file) => write!(f, "{} (no such file on the chip)", file.name()),
            Unsupported::FileTooLarge { file, size, max } => {
                write!(f, "{} of {size} bytes (at most {max})", file.name())
            }
            Unsupported::NotWritableInTheClear(file) => {
                write!(f, "{} (needs Terminal Authentication even to be written)", file.name())
            }
            Unsupported::NoBacKey => f.write_str("no MRZ information for BAC"),
        }
    }
}

/// Every reason, `; `-separated.
pub(super) fn list(reasons: &[Unsupported]) -> String {
    reasons.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// The JMRTD passport applet's command set (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct JmrtdAppletProfile {
    cvca: Option<(u8, Vec<u8>)>,
}

impl JmrtdAppletProfile {
    /// The profile.
    pub fn new() -> Self {
        JmrtdAppletProfile { cvca: None }
    }

    /// Also gives the chip a CVCA trust anchor: the CV certificate body (`7F 4E …`, no signature) in `slot`
    /// (1 or 2), with PUT DATA `0N 64`.
    pub fn with_cvca(mut self, slot: u8, body: Vec<u8>) -> Self {
        self.cvca = Some((slot, body));
        self
    }

    /// PUT DATA `0N 64`: a CVCA certificate body.
    pub fn cvca_command(slot: u8, body: &[u8]) -> CommandApdu {
        iso::put_data(slot, 0x64, body.to_vec())
    }

    /// The BAC seed from MRZ information (`doc cd dob cd doe cd`): PUT DATA `00 62`, the document number as
    /// the MRZ has it (at least 9 characters, `<`-padded), the chip computing the check digits itself.
    pub fn bac_seed_command(mrz_information: &str) -> Result<CommandApdu, PersoError> {
        let n = mrz_information.len();
        let bad = || PersoError::Unsupported { profile: "the JMRTD applet", reasons: vec![Unsupported::NoBacKey] };
        let (Some(doc), Some(dob), Some(doe)) = (
            mrz_information.get(..n.saturating_sub(15)),
            mrz_information.get(n.saturating_sub(14)..n.saturating_sub(8)),
            mrz_information.get(n.saturating_sub(7)..n.saturating_sub(1)),
        ) else {
            return Err(bad());
        };
        if n < 24 || doc.len() > 0x7F {
            return Err(bad());
        }
        let mut body = Vec::with_capacity(n + 8);
        for field in [doc, dob, doe] {
            body.push(0x04);
            body.push(field.len() as u8);
            body.extend_from_slice(field.as_bytes());
        }
        let mut data = vec![0x62, body.len() as u8];
        data.extend(body);
        Ok(iso::put_data(0x00, 0x62, data))
    }

    /// PUT DATA `00 60` / `00 61`: one part of the RSA-1024 key, `TAG 00 04 81 80 ‖ value` (the outer length
    /// `00`: the applet skips the outer value).
    fn rsa_part(p2: u8, value: &[u8]) -> Zeroizing<CommandApdu> {
        let mut padded = vec![0u8; (AA_BITS / 8).saturating_sub(value.len())];
        padded.extend_from_slice(value);
        let mut data = vec![p2, 0x00, 0x04, 0x81, padded.len() as u8];
        data.extend_from_slice(&padded);
        padded.iter_mut().for_each(|b| *b = 0);
        Zeroizing::new(iso::put_data(0x00, p2, data))
    }
}

fn names_aes(cipher: SmCipher) -> bool {
    cipher != SmCipher::TripleDes
}

impl PersoProfile for JmrtdAppletProfile {
    fn name(&self) -> &'static str {
        "the JMRTD applet"
    }

    fn check(&self, image: &ChipImage) -> Vec<Unsupported> {
        let mut out = Vec::new();
        let s = &image.secrets;
        let mut aes = false;
        if let Some(card_access) = image.files.get(&LdsFile::CardAccess) {
            if let Ok(ca) = CardAccess::decode(card_access) {
                aes |= ca.infos.pace_infos().any(|p| names_aes(p.protocol.cipher));
            }
            out.push(Unsupported::Pace);
        } else if s.can.is_some() {
            out.push(Unsupported::Pace);
        }
        if let Some(dg14) = LdsFile::dg(14).and_then(|f| image.files.get(&f)).and_then(|b| Dg14::decode(b).ok()) {
            aes |= dg14.infos.chip_authentication_infos().any(|i| names_aes(i.protocol.cipher));
            if dg14.infos.chip_authentication_infos().next().is_some() {
                out.push(Unsupported::ChipAuthentication);
            }
        }
        if aes {
            out.push(Unsupported::AesSecureMessaging);
        }
        if s.chip_authentication.is_some() && !out.contains(&Unsupported::ChipAuthentication) {
            out.push(Unsupported::ChipAuthentication);
        }
        match &s.active_authentication {
            Some(ActiveAuthenticationKey::Ecdsa(_)) => out.push(Unsupported::EcdsaActiveAuthentication),
            Some(ActiveAuthenticationKey::Rsa(rsa)) => {
                use rsa::traits::PublicKeyParts;
                let bits = rsa.0.n().as_ref().bits() as usize;
                if bits != AA_BITS {
                    out.push(Unsupported::RsaActiveAuthenticationSize { bits, supported: AA_BITS });
                }
            }
            None => {}
        }
        if s.mrz_information.as_ref().is_none_or(|m| Self::bac_seed_command(m).is_err()) {
            out.push(Unsupported::NoBacKey);
        }
        for (file, bytes) in &image.files {
            match file {
                LdsFile::CardAccess => {}
                LdsFile::Dg(_) if file.dg_number().is_some_and(|n| n > 15) => out.push(Unsupported::File(*file)),
                LdsFile::Dg(_) if matches!(file.dg_number(), Some(3 | 4)) => {
                    out.push(Unsupported::NotWritableInTheClear(*file))
                }
                _ if bytes.len() > MAX_FILE_SIZE => {
                    out.push(Unsupported::FileTooLarge { file: *file, size: bytes.len(), max: MAX_FILE_SIZE })
                }
                _ => {}
            }
        }
        out
    }

    fn max_write(&self, _extended: bool) -> usize {
        MAX_WRITE
    }

    /// SELECT of the application, then SELECT of EF.COM: before the lock it answers (`9000` or `6A82`), after
    /// it `6982` (no BAC yet): the chip is locked.
    fn open_session(&self, t: &mut dyn Transport) -> Result<Option<PersoSession>, PersoError> {
        let r = t.transmit(&iso::select_application(&crate::lds::EMRTD_AID))?;
        if r.sw != StatusWord::Success {
            return Err(PersoError::Rejected { step: "SELECT eMRTD application", sw: r.sw });
        }
        match t.transmit(&iso::select_ef(LdsFile::Com.fid()))?.sw {
            StatusWord::Success | StatusWord::FileNotFound => Ok(Some(PersoSession::Plain)),
            StatusWord::SecurityStatusNotSatisfied => Ok(None),
            sw => Err(PersoError::Rejected { step: "SELECT EF.COM", sw }),
        }
    }

    /// `63 04 SS SS FF FF` (sizes up to `7FFF`).
    fn create_file(&self, file: LdsFile, size: usize) -> Result<CommandApdu, PersoError> {
        let size = u16::try_from(size).ok().filter(|s| usize::from(*s) <= MAX_FILE_SIZE).ok_or_else(|| {
            PersoError::Unsupported {
                profile: self.name(),
                reasons: vec![Unsupported::FileTooLarge { file, size, max: MAX_FILE_SIZE }],
            }
        })?;
        Ok(iso::create_file(file.fid(), size))
    }

    fn create_selects(&self) -> bool {
        false
    }

    fn write(&self, offset: usize, data: &[u8]) -> CommandApdu {
        // offsets stay below 7FFF: `check` refuses larger files
        iso::update_binary_at(offset, data)
    }

    fn put_secrets(&self, image: &ChipImage) -> Result<Vec<Zeroizing<CommandApdu>>, PersoError> {
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};
        let s = &image.secrets;
        let mut out = Vec::new();
        let info = s
            .mrz_information
            .as_ref()
            .ok_or(PersoError::Unsupported { profile: self.name(), reasons: vec![Unsupported::NoBacKey] })?;
        out.push(Zeroizing::new(Self::bac_seed_command(info)?));
        if let Some(ActiveAuthenticationKey::Rsa(key)) = &s.active_authentication {
            let n = key.0.n().as_ref().to_be_bytes_trimmed_vartime();
            let d = Zeroizing::new(key.0.d().to_be_bytes_trimmed_vartime().to_vec());
            out.push(Self::rsa_part(0x60, &n));
            out.push(Self::rsa_part(0x61, &d));
        }
        if let Some((slot, body)) = &self.cvca {
            out.push(Zeroizing::new(Self::cvca_command(*slot, body)));
        }
        Ok(out)
    }

    /// The CVCA is accepted once: on a resumed run, `6985` to PUT DATA `64` means an earlier run set it.
    fn put_data_accepted(&self, command: &CommandApdu, sw: StatusWord) -> bool {
        sw == StatusWord::Success || (command.p2 == 0x64 && sw == StatusWord::ConditionsNotSatisfied)
    }

    fn lock(&self) -> CommandApdu {
        iso::put_data(LOCK_P1, LOCK_P2, Vec::new())
    }
}
