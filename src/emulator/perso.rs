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

use super::{ChipAuthenticationKey, ChipImage};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::crypto::sym::{KdfCounter, SessionKeys, SymKey, aes_cmac, mac_eq};
use crate::lds::LdsFile;
use crate::oid::SmCipher;
use crate::pki::SoftwareKey;
use crate::sm::SecureMessaging;
use crate::tlv::{Tag, TlvReader};

/// Wrong transport-key MACs a blank chip accepts before it blocks.
pub const TRANSPORT_KEY_TRIES: u8 = 10;

/// PUT DATA tags (P2).
pub mod put_data {
    /// BAC key material: `A0 { 80 document number, 81 birth YYMMDD, 82 expiry YYMMDD }`.
    pub const BAC: u8 = 0x62;
    /// Chip Authentication private key: `[84 key id]` then the PKCS#8 `PrivateKeyInfo` DER.
    pub const CHIP_AUTHENTICATION: u8 = 0x63;
    /// PACE passwords: `A1 { 80 CAN }`.
    pub const PACE: u8 = 0x65;
    /// Active Authentication private key: PKCS#8 `PrivateKeyInfo` DER.
    pub const ACTIVE_AUTHENTICATION: u8 = 0x66;
}

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
    transport_key: Zeroizing<[u8; 16]>,
    tries: u8,
    challenge: Option<[u8; 16]>,
    pub(super) session_open: bool,
}

impl Perso {
    pub(super) fn new(transport_key: [u8; 16]) -> Self {
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
        let mut rnd = [0u8; 16];
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
        let (Some(rnd_ifd), Some(mac)) = (c.data.get(..16), c.data.get(16..32)) else { return Err(status(0x6700)) };
        if c.data.len() != 32 {
            return Err(status(0x6700));
        }
        let expected =
            aes_cmac(self.transport_key.as_slice(), &[rnd_ifd, &rnd_ic].concat()).map_err(|_| status(0x6F00))?;
        if !mac_eq(mac, &expected) {
            self.tries = self.tries.saturating_sub(1);
            return Err(status(if self.blocked() { 0x6983 } else { 0x63C0 | u16::from(self.tries.min(15)) }));
        }
        self.tries = TRANSPORT_KEY_TRIES;
        self.session_open = true;
        Ok(SecureMessaging::with_zero_ssc(session_keys(self.transport_key.as_slice(), &rnd_ic, rnd_ifd)))
    }
}

/// The personalization session keys: `KDF(K_T || RND.IC || RND.IFD, c)`, AES-128.
pub fn session_keys(transport_key: &[u8], rnd_ic: &[u8], rnd_ifd: &[u8]) -> SessionKeys {
    let seed = Zeroizing::new([transport_key, rnd_ic, rnd_ifd].concat());
    SessionKeys {
        ks_enc: SymKey::derive(SmCipher::Aes128, &seed, KdfCounter::Enc),
        ks_mac: SymKey::derive(SmCipher::Aes128, &seed, KdfCounter::Mac),
    }
}

/// CREATE FILE: `63 04 <size:2> <fid:2>`; the new file (on success) to make current.
pub(super) fn create_file(image: &mut ChipImage, c: &CommandApdu, in_mf: bool) -> Result<LdsFile, u16> {
    let Ok(fcp) = TlvReader::single(&c.data, Tag::new(0x63)) else { return Err(0x6A80) };
    let [s1, s2, f1, f2] = fcp.value() else { return Err(0x6A80) };
    let size = usize::from(u16::from_be_bytes([*s1, *s2]));
    let fid = u16::from_be_bytes([*f1, *f2]);
    let file =
        if in_mf && fid == LdsFile::CardSecurity.fid() { Some(LdsFile::CardSecurity) } else { LdsFile::from_fid(fid) };
    let Some(file) = file else { return Err(0x6A80) };
    if image.files.contains_key(&file) {
        return Err(0x6A89);
    }
    image.files.insert(file, vec![0; size]);
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

fn object(data: &[u8], outer: u32, inner: u32) -> Option<Vec<u8>> {
    let o = TlvReader::single(data, Tag::new(outer)).ok()?;
    TlvReader::new(o.value()).filter_map(Result::ok).find(|t| t.tag() == Tag::new(inner)).map(|t| t.value().to_vec())
}

/// PUT DATA: the chip's secrets.
pub(super) fn put_data(image: &mut ChipImage, p2: u8, data: &[u8]) -> u16 {
    let text = |v: Vec<u8>| String::from_utf8(v).ok();
    match p2 {
        put_data::BAC => {
            let field = |tag| object(data, 0xA0, tag).and_then(text);
            let (Some(doc), Some(dob), Some(doe)) = (field(0x80), field(0x81), field(0x82)) else { return 0x6A80 };
            match crate::access::bac::BacKey::mrz_information_of(&doc, &dob, &doe) {
                Ok(info) => {
                    image.secrets.mrz_information = Some(info);
                    0x9000
                }
                Err(_) => 0x6A80,
            }
        }
        put_data::PACE => match object(data, 0xA1, 0x80).and_then(text) {
            Some(can) if !can.is_empty() && can.bytes().all(|b| b.is_ascii_digit()) => {
                image.secrets.can = Some(Zeroizing::new(can));
                0x9000
            }
            _ => 0x6A80,
        },
        put_data::CHIP_AUTHENTICATION => {
            let (key_id, der) = match TlvReader::new(data).read() {
                Ok(t) if t.tag() == Tag::new(0x84) => {
                    let id = t.value().iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
                    (Some(id), data.get(t.raw().len()..).unwrap_or_default())
                }
                _ => (None, data),
            };
            // PKCS#8: an EC key (ECDH) or a DH key (X9.42 domain parameters); the chip holds one of them
            if let Ok(key) = SoftwareKey::from_pkcs8_der(der) {
                image.secrets.chip_authentication = Some(ChipAuthenticationKey { key_id, key });
                image.secrets.chip_authentication_dh = None;
                0x9000
            } else if let Ok(key) = crate::crypto::dh::DhPrivateKey::from_pkcs8_der(der) {
                image.secrets.chip_authentication_dh = Some(super::DhChipAuthenticationKey { key_id, key });
                image.secrets.chip_authentication = None;
                0x9000
            } else {
                0x6A80
            }
        }
        put_data::ACTIVE_AUTHENTICATION => {
            // PKCS#8: an EC key (ECDSA) or an RSA key (ISO/IEC 9796-2); the chip holds one of them
            if let Ok(key) = SoftwareKey::from_pkcs8_der(data) {
                image.secrets.active_authentication = Some(key);
                image.secrets.active_authentication_rsa = None;
                0x9000
            } else if let Some(key) = super::RsaActiveAuthenticationKey::from_pkcs8_der(data) {
                image.secrets.active_authentication_rsa = Some(key);
                image.secrets.active_authentication = None;
                0x9000
            } else {
                0x6A80
            }
        }
        _ => 0x6A88,
    }
}
