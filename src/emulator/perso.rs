//! The card side of the personalization command set (`docs/perso-commands.md`): the life cycle BLANK →
//! PERSONALIZATION → OPERATIONAL, the transport-key session, CREATE FILE, UPDATE BINARY, PUT DATA, LOCK.
//!
//! A blank chip holds a 16-byte AES transport key. GET CHALLENGE (`00 84 00 00 10`) and EXTERNAL AUTHENTICATE
//! (`00 82 00 00 20`, `RND.IFD || AES-CMAC(K_T, RND.IFD || RND.IC)`) open a session whose keys are
//! `KDF(K_T || RND.IC || RND.IFD, 1|2)` (AES-128); every later personalization command comes in ICAO AES secure
//! messaging. Ten wrong MACs block the chip for good (`6983`). Until LOCK the chip also runs BAC and PACE as
//! an issued chip would (once its secrets are written), so the writer can test it before locking. After LOCK
//! every personalization command answers `6985`. PUT DATA `64`/`67` give the chip its EAC trust points and
//! current date: from then on it serves EF.CVCA and runs Terminal Authentication.

use zeroize::Zeroizing;

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::sym::mac_eq;
use crate::cvc::{CvCertificate, CvcDate, KeyContext, Role};
use crate::image::{ActiveAuthenticationKey, ChipAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage, EacTrust};
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
    /// Trust points (slot 1, slot 2) and the current date received so far: the chip's EAC trust once slot 1
    /// and the date are both there.
    trust_points: [Option<CvCertificate>; 2],
    current_date: Option<CvcDate>,
}

impl Perso {
    pub(super) fn new(transport_key: [u8; TRANSPORT_KEY_LEN]) -> Self {
        Perso {
            transport_key: Zeroizing::new(transport_key),
            tries: TRANSPORT_KEY_TRIES,
            challenge: None,
            session_open: false,
            trust_points: [None, None],
            current_date: None,
        }
    }

    /// PUT DATA of a trust point (`64`) or the current date (`67`): the image's EAC trust once slot 1 and the
    /// date are there (each later object replaces its part). `6A80` for an object that is not one of
    /// `docs/perso-commands.md`, a certificate that is not a CVCA's usable as a trust point, or no such date.
    pub(super) fn put_eac(&mut self, image: &mut ChipImage, p2: u8, data: &[u8]) -> u16 {
        match p2 {
            commands::objects::TRUST_POINT => {
                let Some((slot, der)) = commands::parse_trust_point_object(data) else { return 0x6A80 };
                let Ok(cert) = CvCertificate::decode(der) else { return 0x6A80 };
                if cert.body.chat.role() != Role::Cvca || KeyContext::trust_point(&cert).is_err() {
                    return 0x6A80;
                }
                let index = usize::from(slot == commands::objects::SLOT_PREVIOUS);
                if let Some(t) = self.trust_points.get_mut(index) {
                    *t = Some(cert);
                }
            }
            commands::objects::CURRENT_DATE => {
                let Some(digits) = commands::parse_current_date_object(data) else { return 0x6A80 };
                let Ok(date) = CvcDate::decode(&digits, "current date", 0) else { return 0x6A80 };
                self.current_date = Some(date);
            }
            _ => return 0x6A88,
        }
        let [Some(current), previous] = &self.trust_points else { return 0x9000 };
        let Some(date) = self.current_date else { return 0x9000 };
        let certs: Vec<CvCertificate> = core::iter::once(current).chain(previous.iter()).cloned().collect();
        match EacTrust::new(certs, date) {
            Ok(trust) => {
                image.eac = Some(trust);
                0x9000
            }
            Err(_) => 0x6A80,
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
