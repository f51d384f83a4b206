//! The card side of the personalization command set (`docs/perso-commands.md`): the life cycle BLANK →
//! PERSONALIZATION → OPERATIONAL, the transport-key session, CREATE FILE, UPDATE BINARY, PUT DATA, LOCK.
//!
//! A blank chip holds a 16-byte AES transport key. GET CHALLENGE (`00 84 00 00 10`) and EXTERNAL AUTHENTICATE
//! (`00 82 00 00 20`, `RND.IFD || AES-CMAC(K_T, RND.IFD || RND.IC)`) open a session whose keys are
//! `KDF(K_T || RND.IC || RND.IFD, 1|2)` (AES-128); every later personalization command comes in ICAO AES secure
//! messaging. Ten wrong MACs block the chip for good (`6983`). Until LOCK the chip also runs BAC and PACE as
//! an issued chip would (once its secrets are written), so the writer can test it before locking. After LOCK
//! every personalization command answers `6985`.

use zeroize::Zeroizing;

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::sym::mac_eq;
use crate::image::{ActiveAuthenticationKey, ChipAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage};
use crate::lds::LdsFile;
use crate::perso_commands::{self as commands, CHALLENGE_LEN, TRANSPORT_KEY_LEN, TRANSPORT_KEY_TRIES};
use crate::sm::SecureMessaging;

/// Where a chip is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifeCycle {
    /// Being personalized (blank or partly written); personalization commands accepted in a session.
    Personalization,
    /// Locked: an issued eMRTD; personalization commands refused.
    Operational,
}

/// The personalization state of a chip.
pub(super) struct Perso {
    transport_key: Zeroizing<[u8; TRANSPORT_KEY_LEN]>,
    tries: u8,
    challenge: Option<[u8; CHALLENGE_LEN]>,
    pub(super) session_open: bool,
}

impl Perso {
    pub(super) fn new(transport_key: [u8; TRANSPORT_KEY_LEN]) -> Self {
        Perso {
            transport_key: Zeroizing::new(transport_key),
            tries: TRANSPORT_KEY_TRIES,
            challenge: None,
            session_open: false,
        }
    }

    pub(super) fn blocked(&self) -> bool {
        self.tries == 0
    }

    /// GET CHALLENGE with `Le = 16`: RND.IC.
    pub(super) fn get_challenge(&mut self) -> ResponseApdu {
        if self.blocked() {
            return ResponseApdu::status(StatusWord::from(0x6983));
        }
        let mut rnd = [0u8; CHALLENGE_LEN];
        rand::fill(&mut rnd);
        self.challenge = Some(rnd);
        self.session_open = false;
        ResponseApdu { data: rnd.to_vec(), sw: StatusWord::Success }
    }

    /// EXTERNAL AUTHENTICATE with the transport key's MAC; the session on success.
    pub(super) fn external_authenticate(&mut self, c: &CommandApdu) -> Result<SecureMessaging, ResponseApdu> {
        let status = |s: u16| ResponseApdu::status(StatusWord::from(s));
        if self.blocked() {
            return Err(status(0x6983));
        }
        let Some(rnd_ic) = self.challenge.take() else { return Err(status(0x6985)) };
        let (Some(rnd_ifd), Some(mac)) = (c.data.get(..CHALLENGE_LEN), c.data.get(CHALLENGE_LEN..2 * CHALLENGE_LEN))
        else {
            return Err(status(0x6700));
        };
        if c.data.len() != 2 * CHALLENGE_LEN {
            return Err(status(0x6700));
        }
        let expected =
            commands::transport_key_mac(self.transport_key.as_slice(), rnd_ifd, &rnd_ic).map_err(|_| status(0x6F00))?;
        if !mac_eq(mac, &expected) {
            self.tries = self.tries.saturating_sub(1);
            return Err(status(if self.blocked() { 0x6983 } else { 0x63C0 | u16::from(self.tries.min(15)) }));
        }
        self.tries = TRANSPORT_KEY_TRIES;
        self.session_open = true;
        Ok(SecureMessaging::with_zero_ssc(commands::session_keys(self.transport_key.as_slice(), &rnd_ic, rnd_ifd)))
    }
}

/// CREATE FILE: `63 04 <size:2> <fid:2>`; the new file (on success) to make current.
pub(super) fn create_file(image: &mut ChipImage, c: &CommandApdu, in_mf: bool) -> Result<LdsFile, u16> {
    let Some((fid, size)) = commands::parse_create_file(&c.data) else { return Err(0x6A80) };
    // EF.CardSecurity is created with the MF selected, where its FID is not EF.SOD's
    let file =
        if in_mf && fid == LdsFile::CardSecurity.fid() { Some(LdsFile::CardSecurity) } else { LdsFile::from_fid(fid) };
    let Some(file) = file else { return Err(0x6A80) };
    if image.files.contains_key(&file) {
        return Err(0x6A89);
    }
    image.files.insert(file, vec![0; usize::from(size)]);
    Ok(file)
}

/// UPDATE BINARY into `file` at `offset`.
pub(super) fn update_binary(image: &mut ChipImage, file: LdsFile, offset: usize, data: &[u8]) -> u16 {
    let Some(bytes) = image.files.get_mut(&file) else { return 0x6986 };
    let Some(end) = offset.checked_add(data.len()).filter(|e| *e <= bytes.len()) else { return 0x6B00 };
    match bytes.get_mut(offset..end) {
        Some(target) => {
            target.copy_from_slice(data);
            0x9000
        }
        None => 0x6B00,
    }
}

/// PUT DATA: the chip's secrets.
pub(super) fn put_data(image: &mut ChipImage, p2: u8, data: &[u8]) -> u16 {
    match p2 {
        commands::objects::BAC => {
            let Some((doc, dob, doe)) = commands::parse_bac_object(data) else { return 0x6A80 };
            match crate::access::bac::BacKey::mrz_information_of(&doc, &dob, &doe) {
                Ok(info) => {
                    image.secrets.mrz_information = Some(info);
                    0x9000
                }
                Err(_) => 0x6A80,
            }
        }
        commands::objects::PACE => match commands::parse_pace_object(data) {
            Some(can) if !can.is_empty() && can.bytes().all(|b| b.is_ascii_digit()) => {
                image.secrets.can = Some(can);
                0x9000
            }
            _ => 0x6A80,
        },
        commands::objects::CHIP_AUTHENTICATION => {
            // PKCS#8: an EC key (ECDH) or a DH key (X9.42 domain parameters); the chip holds one of them
            let Some((key_id, der)) = commands::parse_chip_authentication_object(data) else { return 0x6A80 };
            match ChipAuthenticationPrivateKey::from_pkcs8_der(der) {
                Some(key) => {
                    image.secrets.chip_authentication = Some(ChipAuthenticationKey { key_id, key });
                    0x9000
                }
                None => 0x6A80,
            }
        }
        commands::objects::ACTIVE_AUTHENTICATION => match ActiveAuthenticationKey::from_pkcs8_der(data) {
            // PKCS#8: an EC key (ECDSA) or an RSA key (ISO/IEC 9796-2); the chip holds one of them
            Some(key) => {
                image.secrets.active_authentication = Some(key);
                0x9000
            }
            None => 0x6A80,
        },
        _ => 0x6A88,
    }
}
