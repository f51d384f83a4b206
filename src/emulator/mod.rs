//! The virtual chip: an ISO/IEC 7816-4 card holding an ICAO 9303 file system, answering APDUs as an issued
//! eMRTD does. It is a [`Transport`] itself (the in-memory transport) and [`crate::vpcd`] puts it behind a
//! real PC/SC reader.
//!
//! - Master file with EF.CardAccess (`011C`, readable without authentication, selectable by FID without
//!   selecting the MF first) and EF.ATR/INFO (`2F01`, announcing extended length when enabled).
//! - The eMRTD application (`A0 00 00 02 47 10 01`) with EF.COM, EF.SOD and the data groups; they are readable
//!   only after access control (BAC or PACE); DG3 and DG4 answer `6982` (they need Terminal Authentication).
//! - SELECT by AID and FID, READ BINARY with P1-P2 offsets, short file identifiers and the odd INS (`B1`, offset
//!   DO'54) for offsets beyond 32767; GET CHALLENGE and EXTERNAL AUTHENTICATE (BAC); PACE as EF.CardAccess
//!   offers it (every mapping, ECDH and DH; a CAN counter); then ICAO secure messaging, where a wrong MAC ends
//!   the session (`6988`); Chip Authentication with the image's ECDH or DH key and Active Authentication with
//!   its ECDSA or RSA key.
//! - Blank chips and the personalization command set ([`perso`]); faults and a link model ([`fault`]).
//! - Quirks of real chips ([`ChipConfig::like_jmrtd`]: SFI reads refused, nothing for `Le = 00`, fewer bytes a
//!   read), and a second, independent chip: the JMRTD passport applet ([`jmrtd`], [`JmrtdAppletChip`]).
//!
//! The chip never panics on any APDU: every malformed command gets a status word.

use crate::access::bac::{BacChip, BacChipChallenged, BacKey};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::image::{ActiveAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage};
use crate::lds::LdsFile;
use crate::perso_commands as commands;
use crate::sm::SecureMessaging;
use crate::tlv::{Tag, TlvReader, encode_tlv};
use crate::transport::{Transport, TransportError};

mod eac;
pub mod fault;
mod files;
pub mod jmrtd;
pub mod perso;
pub mod quirks;
mod verify_image;

pub use fault::{Faults, LinkModel};
pub use jmrtd::JmrtdAppletChip;
pub use perso::LifeCycle;
pub use quirks::Quirks;
pub use verify_image::{ImageVerification, image_access, verify_image};

/// What the chip can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChipConfig {
    /// Accept extended-length APDUs (and announce it in EF.ATR/INFO).
    pub extended_length: bool,
    /// The most data bytes one READ BINARY returns.
    pub max_read: usize,
    /// Whether the chip has EF.ATR/INFO (announcing extended length when it is on); chips without it make the
    /// reader find out by trying.
    pub atr_info: bool,
    /// Whether READ BINARY by short file identifier works; without, it answers `6985` (as the JMRTD applet).
    pub sfi_reads: bool,
    /// Whether a short READ BINARY with `Le = 00` answers no data (`9000`), as chips that take Le literally.
    pub empty_for_le_zero: bool,
    /// Behaviour seen on real chips ([`Quirks`]); all off by default.
    pub quirks: Quirks,
}

impl Default for ChipConfig {
    /// Extended length on, up to 65 536 bytes a read.
    fn default() -> Self {
        ChipConfig {
            extended_length: true,
            max_read: 65_536,
            atr_info: true,
            sfi_reads: true,
            empty_for_le_zero: false,
            quirks: Quirks::default(),
        }
    }
}

impl ChipConfig {
    /// A chip without extended length (256 bytes a read at most).
    pub fn short_only() -> Self {
        ChipConfig { extended_length: false, max_read: 256, ..ChipConfig::default() }
    }

    /// The same chip without EF.ATR/INFO.
    pub fn without_atr_info(self) -> Self {
        ChipConfig { atr_info: false, ..self }
    }

    /// The same chip as real chips that differ: SFI reads refused (`6985`), nothing for `Le = 00`, at most
    /// `max_read` bytes a read (223 and less: below what a short response holds).
    pub fn like_jmrtd(self, max_read: usize) -> Self {
        ChipConfig { sfi_reads: false, empty_for_le_zero: true, max_read, ..self }
    }

    /// The same chip playing these quirks.
    pub fn with_quirks(self, quirks: Quirks) -> Self {
        ChipConfig { quirks, ..self }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
    Nothing,
    Mf,
    App,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CurrentFile {
    None,
    CardAccess,
    AtrInfo,
    Lds(LdsFile),
    /// EF.CVCA (in the eMRTD application of a chip that runs Terminal Authentication).
    Cvca,
}

enum Access {
    None,
    Challenged(BacChipChallenged),
    Secure(SecureMessaging),
}

/// The virtual chip.
pub struct VirtualChip {
    image: ChipImage,
    config: ChipConfig,
    selected: Selected,
    current: CurrentFile,
    access: Access,
    atr_info: Vec<u8>,
    /// PACE as the chip runs it (when EF.CardAccess offers a PACEInfo this crate runs); kept across resets so
    /// the CAN counter holds.
    pace: Option<crate::access::pace::PaceChip>,
    /// The Chip Authentication protocol set by MSE:Set AT, waiting for its GENERAL AUTHENTICATE.
    ca_protocol: Option<crate::oid::CaProtocol>,
    /// The session Chip Authentication established: it replaces the current one after this response.
    next_session: Option<crate::sm::SecureMessaging>,
    /// Where the chip is in its life.
    life: LifeCycle,
    /// The personalization state (chips made blank); `None` for chips loaded already issued.
    perso: Option<perso::Perso>,
    /// Whether the open secure messaging session is the personalization session.
    perso_session: bool,
    /// Terminal Authentication, EF.CVCA and the DG3/DG4 access it gives.
    eac: eac::Eac,
    /// Injected faults and the link model (QA rigs).
    faults: Faults,
    /// The card is out of the field until the next reset.
    removed: bool,
    /// Commands received (counted for fault injection).
    commands: usize,
    /// UPDATE BINARY commands received.
    writes: usize,
}

impl core::fmt::Debug for VirtualChip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualChip")
            .field("image", &self.image)
            .field("config", &self.config)
            .field("authenticated", &matches!(self.access, Access::Secure(_)))
            .finish()
    }
}

fn sw(s: u16) -> ResponseApdu {
    ResponseApdu::status(StatusWord::from(s))
}

impl VirtualChip {
    /// A chip with this image and configuration, just powered on.
    pub fn new(mut image: ChipImage, config: ChipConfig) -> Self {
        if config.quirks.pad_files {
            image.files.values_mut().for_each(|f| *f = Quirks::padded(f));
        }
        // ISO/IEC 7816-4 extended length information: max command and response lengths
        let atr_info = if config.extended_length && config.atr_info {
            encode_tlv(Tag::new(0x7F66), &[0x02, 0x02, 0xFF, 0xFF, 0x02, 0x02, 0xFF, 0xFF])
        } else {
            Vec::new()
        };
        let pace = pace_chip(&image, config.quirks);
        let mut chip = VirtualChip {
            image,
            config,
            selected: Selected::Nothing,
            current: CurrentFile::None,
            access: Access::None,
            atr_info,
            pace,
            ca_protocol: None,
            next_session: None,
            life: LifeCycle::Operational,
            perso: None,
            perso_session: false,
            eac: eac::Eac::default(),
            faults: Faults::default(),
            removed: false,
            commands: 0,
            writes: 0,
        };
        chip.eac_from_image();
        chip
    }

    /// A blank chip (no file, no secret) waiting for personalization with this AES transport key.
    pub fn blank(transport_key: [u8; commands::TRANSPORT_KEY_LEN], config: ChipConfig) -> Self {
        let mut chip = VirtualChip::new(ChipImage::default(), config);
        chip.life = LifeCycle::Personalization;
        chip.perso = Some(perso::Perso::new(transport_key));
        chip
    }

    /// Where the chip is in its life.
    pub fn life_cycle(&self) -> LifeCycle {
        self.life
    }

    /// Injects faults (replacing any set before).
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// The faults still armed and the link model's simulated time so far.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The chip's image.
    pub fn image(&self) -> &ChipImage {
        &self.image
    }

    /// Whether a secure messaging session is open.
    pub fn is_authenticated(&self) -> bool {
        matches!(self.access, Access::Secure(_))
    }

    fn handle(&mut self, command: &CommandApdu) -> ResponseApdu {
        if command.is_extended() && !self.config.extended_length {
            return sw(0x6700);
        }
        if command.cla & 0x0C == 0x0C {
            let Access::Secure(sm) = &mut self.access else { return sw(0x6988) };
            let plain = match sm.unwrap_command(command) {
                Ok(p) => p,
                Err(e) => {
                    let status = e.chip_status();
                    self.access = Access::None;
                    self.eac_session(None);
                    return ResponseApdu::status(status);
                }
            };
            let response = self.process(&plain, true);
            let Access::Secure(sm) = &mut self.access else { return response };
            if self.config.quirks.sw_only_errors && response.data.is_empty() && is_error(response.sw) {
                // the error goes out without DO'99 and MAC; the counter moves as for a protected answer
                return match sm.wrap_response(&response) {
                    Ok(_) => response,
                    Err(_) => {
                        self.access = Access::None;
                        sw(0x6F00)
                    }
                };
            }
            let wrapped = match sm.wrap_response(&response) {
                Ok(r) => r,
                Err(_) => {
                    self.access = Access::None;
                    sw(0x6F00)
                }
            };
            // Chip Authentication: the response goes under the old keys, what follows under the new ones
            if let Some(next) = self.next_session.take() {
                self.access = Access::Secure(next);
            }
            return wrapped;
        }
        if command.cla != 0x00
            && !(command.cla == crate::apdu::CLA_CHAINING && command.ins == ins::GENERAL_AUTHENTICATE)
        {
            return sw(0x6E00);
        }
        // an unprotected command ends any secure messaging session (ICAO 9303-11 §9.8.6)
        if matches!(self.access, Access::Secure(_)) {
            self.access = Access::None;
            self.eac_session(None);
        }
        self.process(command, false)
    }

    fn process(&mut self, c: &CommandApdu, secure: bool) -> ResponseApdu {
        if let Some(r) = self.personalization(c, secure) {
            return r;
        }
        if self.life == LifeCycle::Personalization && c.ins == ins::MANAGE_SECURITY_ENVIRONMENT && !secure {
            // the secrets may have been written since: PACE as they are now
            self.pace = pace_chip(&self.image, self.config.quirks);
        }
        if let Some(r) = self.eac_command(c).filter(|_| secure) {
            return r;
        }
        match c.ins {
            ins::SELECT => self.select(c),
            ins::READ_BINARY | ins::READ_BINARY_ODD => self.read_binary(c, secure),
            ins::GET_CHALLENGE if !secure => self.get_challenge(c),
            ins::EXTERNAL_AUTHENTICATE if !secure => self.external_authenticate(c),
            ins::GET_CHALLENGE | ins::EXTERNAL_AUTHENTICATE => sw(0x6985),
            ins::MANAGE_SECURITY_ENVIRONMENT if !secure && c.p1 == 0xC1 && c.p2 == 0xA4 => match &mut self.pace {
                Some(pace) => pace.set_at(c),
                None => sw(0x6A80),
            },
            ins::MANAGE_SECURITY_ENVIRONMENT if secure && c.p1 == 0x41 && (c.p2 == 0xA4 || c.p2 == 0xA6) => {
                self.chip_authentication_mse(c)
            }
            ins::GENERAL_AUTHENTICATE if secure => self.chip_authentication_ga(c),
            ins::INTERNAL_AUTHENTICATE if secure => self.active_authentication(c),
            ins::GENERAL_AUTHENTICATE if !secure => {
                let Some(pace) = &mut self.pace else { return sw(0x6985) };
                let (response, outcome) = pace.general_authenticate(c);
                if let Some(outcome) = outcome {
                    self.eac_session(Some(crate::access::ta::IdIc::from_pace(&outcome.chip_ephemeral_key)));
                    self.access = Access::Secure(outcome.session);
                    self.perso_session = false;
                }
                response
            }
            _ => sw(0x6D00),
        }
    }

    fn bac_key(&self) -> Option<BacKey> {
        self.image.secrets.mrz_information.as_ref().map(|m| BacKey::from_mrz_information(m))
    }

    fn get_challenge(&mut self, c: &CommandApdu) -> ResponseApdu {
        let Some(key) = self.bac_key() else { return sw(0x6985) };
        let mut rnd_ic = [0u8; 8];
        rand::fill(&mut rnd_ic);
        match BacChip::new(key).get_challenge(c, rnd_ic) {
            Ok((response, challenged)) => {
                self.access = Access::Challenged(challenged);
                response
            }
            Err(e) => {
                self.access = Access::None;
                ResponseApdu::status(e.chip_status())
            }
        }
    }

    /// The personalization commands; `None` for the commands of an issued chip.
    fn personalization(&mut self, c: &CommandApdu, secure: bool) -> Option<ResponseApdu> {
        let perso_command =
            matches!(c.ins, ins::CREATE_FILE | ins::UPDATE_BINARY | ins::UPDATE_BINARY_ODD | ins::PUT_DATA);
        let transport_key_auth = !secure && (commands::is_get_challenge(c) || commands::is_external_authenticate(c));
        if !perso_command && !transport_key_auth {
            return None;
        }
        let Some(perso) = self.perso.as_mut() else { return Some(sw(0x6D00)) };
        if self.life == LifeCycle::Operational {
            return Some(sw(0x6985));
        }
        if transport_key_auth {
            if c.ins == ins::GET_CHALLENGE {
                self.access = Access::None;
                self.perso_session = false;
                return Some(perso.get_challenge());
            }
            return Some(match perso.external_authenticate(c) {
                Ok(sm) => {
                    self.access = Access::Secure(sm);
                    self.perso_session = true;
                    sw(0x9000)
                }
                Err(r) => r,
            });
        }
        if perso.blocked() {
            return Some(sw(0x6983));
        }
        if !(secure && self.perso_session) {
            return Some(sw(0x6982));
        }
        let status = match c.ins {
            ins::CREATE_FILE => match perso::create_file(&mut self.image, c, self.selected == Selected::Mf) {
                Ok(file) => {
                    self.current =
                        if file == LdsFile::CardAccess { CurrentFile::CardAccess } else { CurrentFile::Lds(file) };
                    0x9000
                }
                Err(status) => status,
            },
            ins::PUT_DATA if commands::is_lock(c) => {
                self.life = LifeCycle::Operational;
                self.pace = pace_chip(&self.image, self.config.quirks);
                0x9000
            }
            ins::PUT_DATA if matches!(c.p2, commands::objects::TRUST_POINT | commands::objects::CURRENT_DATE) => {
                let status = perso.put_eac(&mut self.image, c.p2, &c.data);
                self.eac_from_image();
                status
            }
            ins::PUT_DATA => perso::put_data(&mut self.image, c.p2, &c.data),
            _ => return Some(self.update_binary(c)),
        };
        Some(sw(status))
    }

    fn dg14(&self) -> Option<crate::lds::security_infos::Dg14> {
        crate::lds::security_infos::Dg14::decode(self.image.files.get(&LdsFile::dg(14)?)?).ok()
    }

    /// Chip Authentication keys: `K = x(SK_IC·PK_IFD)` (ECDH) or `PK_IFD^SK_IC mod p` (DH), new session keys, SSC 0 (after this response).
    fn chip_authentication_agree(&mut self, protocol: crate::oid::CaProtocol, ephemeral: &[u8]) -> ResponseApdu {
        let Some(key) = &self.image.secrets.chip_authentication else { return sw(0x6985) };
        if key.key.key_agreement() != protocol.key_agreement {
            return sw(0x6985);
        }
        let shared = match &key.key {
            ChipAuthenticationPrivateKey::Ecdh(key) => key.ecdh(ephemeral).ok(),
            ChipAuthenticationPrivateKey::Dh(key) => key.shared_secret(ephemeral).ok(),
        };
        match shared.ok_or(()) {
            Ok(shared) => {
                let keys = crate::crypto::sym::SessionKeys::derive(protocol.cipher, &shared);
                self.next_session = Some(crate::sm::SecureMessaging::with_zero_ssc(keys));
                self.eac_chip_authenticated(ephemeral);
                sw(0x9000)
            }
            Err(_) => sw(0x6A80),
        }
    }

    fn chip_authentication_mse(&mut self, c: &CommandApdu) -> ResponseApdu {
        let mut objects = std::collections::BTreeMap::new();
        for o in TlvReader::new(&c.data) {
            let Ok(o) = o else { return sw(0x6A80) };
            objects.insert(o.tag().value(), o.value().to_vec());
        }
        if c.p2 == 0xA6 {
            // MSE:Set KAT (3DES): the ephemeral key now, the protocol from DG14
            let Some(ephemeral) = objects.get(&0x91) else { return sw(0x6A80) };
            let protocol = self.dg14().and_then(|d| d.infos.chip_authentication_infos().next().map(|i| i.protocol));
            let Some(protocol) = protocol else { return sw(0x6A88) };
            return self.chip_authentication_agree(protocol, &ephemeral.clone());
        }
        let protocol = objects
            .get(&0x80)
            .and_then(|v| der::asn1::ObjectIdentifier::from_bytes(v).ok())
            .and_then(|o| crate::oid::CaProtocol::from_oid(&o));
        match protocol {
            Some(p) => {
                self.ca_protocol = Some(p);
                sw(0x9000)
            }
            _ => sw(0x6A80),
        }
    }

    fn chip_authentication_ga(&mut self, c: &CommandApdu) -> ResponseApdu {
        let Some(protocol) = self.ca_protocol.take() else { return sw(0x6985) };
        let Ok(ephemeral) = crate::access::pace::dynamic_object(&c.data, 0x80) else { return sw(0x6A80) };
        let r = self.chip_authentication_agree(protocol, &ephemeral);
        if r.sw == crate::apdu::StatusWord::Success {
            ResponseApdu { data: vec![0x7C, 0x00], sw: crate::apdu::StatusWord::Success }
        } else {
            r
        }
    }

    /// INTERNAL AUTHENTICATE: an ECDSA signature (plain `r || s`) over the hash of the challenge, or an RSA
    /// ISO/IEC 9796-2 scheme 1 signature (SHA-1) with the challenge as the non-recoverable part.
    fn active_authentication(&mut self, c: &CommandApdu) -> ResponseApdu {
        if c.data.len() != 8 {
            return sw(0x6700);
        }
        let signature = match &self.image.secrets.active_authentication {
            None => return sw(0x6985),
            Some(ActiveAuthenticationKey::Rsa(rsa_key)) => {
                let hash = crate::crypto::hash::HashAlgorithm::Sha1;
                crate::crypto::signature::sign_iso9796_2(&rsa_key.0, hash, &c.data, &mut rand::rng()).ok()
            }
            Some(ActiveAuthenticationKey::Ecdsa(key)) => {
                let digest = crate::access::chip_auth::aa_digest(self.dg14().as_ref(), &c.data);
                crate::pki::Signer::sign_prehash(key, &digest).ok()
            }
        };
        match signature {
            Some(signature) => ResponseApdu { data: signature, sw: crate::apdu::StatusWord::Success },
            None => sw(0x6F00),
        }
    }

    fn external_authenticate(&mut self, c: &CommandApdu) -> ResponseApdu {
        let Access::Challenged(challenged) = core::mem::replace(&mut self.access, Access::None) else {
            return sw(0x6985);
        };
        let mut k_ic = zeroize::Zeroizing::new([0u8; 16]);
        rand::fill(&mut k_ic[..]);
        match challenged.external_authenticate(c, *k_ic) {
            Ok((response, sm)) => {
                self.access = Access::Secure(sm);
                self.perso_session = false;
                let id = self.image.secrets.mrz_information.as_ref().and_then(|m| {
                    // the MRZ information starts with the document number and its check digit
                    m.get(..10).map(|d| crate::access::ta::IdIc::from_bac(d.get(..9).unwrap_or(d)))
                });
                self.eac_session(id.and_then(Result::ok));
                response
            }
            Err(e) => ResponseApdu::status(e.chip_status()),
        }
    }
}

/// An error status (not `9000`, not a `62xx`/`63xx` warning), which `sw-only-errors` sends unprotected.
fn is_error(status: StatusWord) -> bool {
    !status.is_success() && !status.is_warning()
}

/// The chip side of PACE for an image: the PACEInfos of its EF.CardAccess this crate runs, its passwords.
fn pace_chip(image: &ChipImage, quirks: Quirks) -> Option<crate::access::pace::PaceChip> {
    use crate::access::pace::{PaceChip, PaceParameters};
    let card_access = crate::lds::security_infos::CardAccess::decode(image.files.get(&LdsFile::CardAccess)?).ok()?;
    let offered: Vec<PaceParameters> =
        PaceParameters::from_security_infos(&card_access.infos).into_iter().filter_map(Result::ok).collect();
    if offered.is_empty() {
        return None;
    }
    let mrz = image.secrets.mrz_information.as_ref().map(|m| m.as_str());
    let can = image.secrets.can.as_ref().map(|c| c.as_str());
    let mut chip = PaceChip::new(offered, mrz, can);
    if let Some(blocks) = quirks.nonce_blocks {
        chip = chip.with_nonce_blocks(usize::from(blocks));
    }
    Some(match &image.secrets.chip_authentication {
        Some(key) => match &key.key {
            ChipAuthenticationPrivateKey::Ecdh(key) => chip.with_chip_authentication_key(key.clone()),
            ChipAuthenticationPrivateKey::Dh(_) => chip,
        },
        None => chip,
    })
}

impl VirtualChip {
    /// One exchange with the faults applied: a removed card answers nothing until it is reset.
    fn exchange(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        fault::exchange(self, command)
    }
}

impl fault::FaultyChip for VirtualChip {
    fn fault_state(&mut self) -> fault::FaultState<'_> {
        fault::FaultState { faults: &mut self.faults, removed: &mut self.removed, commands: &mut self.commands }
    }

    fn process(&mut self, command: &CommandApdu) -> ResponseApdu {
        self.handle(command)
    }
}

impl Transport for VirtualChip {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        self.exchange(command)
    }

    /// A re-powered card: no application selected, no session.
    fn reset(&mut self) -> Result<(), TransportError> {
        self.selected = Selected::Nothing;
        self.current = CurrentFile::None;
        self.access = Access::None;
        self.ca_protocol = None;
        self.next_session = None;
        self.perso_session = false;
        self.removed = false;
        if let Some(p) = &mut self.perso {
            p.session_open = false;
        }
        if let Some(p) = &mut self.pace {
            p.abort();
        }
        Ok(())
    }
}

/// Answers the raw bytes of a command APDU (as a card reader delivers them): malformed commands get `6700`.
/// `None` when an injected fault pulled the card (the bridge then takes it out of the reader).
pub fn answer_bytes(chip: &mut VirtualChip, command: &[u8]) -> Option<Vec<u8>> {
    match CommandApdu::from_bytes(command) {
        Ok(c) => chip.exchange(&c).ok().map(|r| r.to_bytes()),
        Err(_) => Some(sw(0x6700).to_bytes()),
    }
}
