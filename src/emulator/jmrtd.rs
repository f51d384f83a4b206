//! A second, independent virtual chip: the JMRTD passport applet (`../shared/docs/jmrtd-applet.md`), with its
//! command set, its limits and its status words, so that the reader and the personalizer meet a chip that was
//! not built from this crate's own reading of the spec.
//!
//! What it does as the applet does (section numbers of that document):
//!
//! - After a reset nothing is selected: anything but SELECT by AID answers `6986` (§1). SELECT by AID (the
//!   full AID or a prefix of at least 5 bytes) answers `9000` without FCI and keeps a BAC session (§5).
//! - Extended APDUs answer `6700` unprotected (the applet does not implement extended length).
//! - Personalization is in the clear (§2): CREATE FILE `E0` with `63 04 SS SS FF FF` (sizes up to `7FFF`, the
//!   FIDs of DG1–DG15, EF.SOD, EF.COM, EF.CVCA and `DEAD` only, other FIDs `6F00`, DG3/DG4 `6982`; a second
//!   CREATE may shrink a file but not grow it, `6A84`); SELECT FILE (Lc 2, P1/P2 ignored, no FCI); UPDATE
//!   BINARY (offset P1‖P2, `6A84` past the end, `0001` under secure messaging); PUT DATA `62` (the BAC seed:
//!   document number, birth and expiry, the check digits computed by the chip over the bytes given), `60`/`61`
//!   (the RSA-1024 Active Authentication modulus and private exponent, outer length `00`, one leading `00`
//!   stripped), `63` (a 163-bit binary-curve Chip Authentication key: stored, see below), `N 64` (the CVCA body,
//!   once), `DE AD` (LOCK, final). After LOCK every personalization command answers `6985`.
//! - BAC (§3): GET CHALLENGE with Le exactly `08`, EXTERNAL AUTHENTICATE with Lc exactly `28`; a wrong
//!   cryptogram answers `6982` and the same challenge stays valid; one BAC per reset.
//! - Secure messaging: a wrong MAC (or malformed objects) answers a *protected* `6985` and the session goes
//!   on (§3); plain commands inside the session are answered and do not end it; plain READ BINARY answers
//!   `9000` with no data. READ BINARY returns at most 223 bytes, nothing for Le `00`, `9000` with nothing at
//!   the end of the file, and `6F00` unprotected past it; an SFI read answers `6985`.
//! - Active Authentication (§3): INTERNAL AUTHENTICATE with exactly 8 bytes, after BAC, plain or protected:
//!   raw RSA over `6A ‖ M1 ‖ SHA-1(M1 ‖ RND.IFD) ‖ BC` with `M1` 106 zero bytes.
//!
//! Not emulated: Chip Authentication (the applet runs it on binary curves, with its own key derivation; this
//! crate has neither: MSE answers `6D00` without a key and CVCA, `6985` with them), Terminal Authentication
//! (DG3 and DG4 stay `6982`), the `DEAD` log content. Faults and the link model are [`Faults`], as for
//! [`super::VirtualChip`].

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::{Faults, LifeCycle};
use crate::access::bac::{BacChip, BacKey};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::image::{ActiveAuthenticationKey, ChipImage};
use crate::lds::EMRTD_AID;
use crate::lds::LdsFile;
use crate::sm::SecureMessaging;
use crate::transport::{Transport, TransportError};

/// EF.CVCA's FID in the applet (EF.CardAccess's FID in the master file of other chips).
pub const FID_CVCA: u16 = 0x011C;
/// The applet's debug log file.
const FID_LOG: u16 = 0xDEAD;
/// The most plain bytes one READ BINARY returns (`buffer.length − 37`).
pub const MAX_READ: usize = 223;
/// The largest file the applet holds (a signed 16-bit size).
pub const MAX_FILE_SIZE: usize = 0x7FFF;
/// The size of the applet's Active Authentication key, in bytes (RSA-1024).
pub const AA_MODULUS_BYTES: usize = 128;

/// A file: its allocated bytes and its size now (a later CREATE may shrink it).
struct File {
    bytes: Vec<u8>,
    size: usize,
}

enum Access {
    None,
    /// GET CHALLENGE answered: RND.IC, valid until a BAC succeeds or the card resets.
    Challenged([u8; 8]),
    Secure(SecureMessaging),
}

/// The JMRTD passport applet as a virtual chip (see the module documentation).
pub struct JmrtdAppletChip {
    files: BTreeMap<u16, File>,
    app_selected: bool,
    current: Option<u16>,
    locked: bool,
    mrz_information: Option<Zeroizing<String>>,
    aa_modulus: Option<Vec<u8>>,
    aa_private_exponent: Option<Zeroizing<Vec<u8>>>,
    ca_key: bool,
    cvca_set: bool,
    cvca: Vec<Vec<u8>>,
    access: Access,
    /// BAC ran since the last reset (a second one is refused).
    bac_done: bool,
    faults: Faults,
    removed: bool,
    commands: usize,
    writes: usize,
}

impl core::fmt::Debug for JmrtdAppletChip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JmrtdAppletChip")
            .field("files", &self.files.len())
            .field("locked", &self.locked)
            .field("authenticated", &matches!(self.access, Access::Secure(_)))
            .finish_non_exhaustive()
    }
}

fn sw(s: u16) -> ResponseApdu {
    ResponseApdu::status(StatusWord::from(s))
}

/// The FIDs the applet's file system has (DG1–DG15, EF.SOD, EF.COM, EF.CVCA, the log).
fn known_fid(fid: u16) -> bool {
    (0x0101..=0x010F).contains(&fid) || matches!(fid, 0x011D | 0x011E | FID_CVCA | FID_LOG)
}

/// DG3 and DG4 need Terminal Authentication, which this emulation does not run.
fn needs_terminal_authentication(fid: u16) -> bool {
    matches!(fid, 0x0103 | 0x0104)
}

/// The 7-3-1 check digit over exactly these bytes, as the applet computes it (letters of either case 10–35,
/// `<` 0).
fn check_digit(field: &[u8]) -> u8 {
    let value = |b: u8| -> u32 {
        match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            b'a'..=b'z' => u32::from(b - b'a') + 10,
            _ => 0,
        }
    };
    let sum: u32 = field.iter().zip([7u32, 3, 1].iter().cycle()).map(|(b, w)| value(*b) * w).sum();
    (sum % 10) as u8
}

/// One TLV as the applet's scanner reads it: `00`/`FF` bytes skipped before the tag, a one-byte tag, a
/// definite length; the value and the rest.
fn scan_tlv(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let start = data.iter().position(|b| *b != 0x00 && *b != 0xFF)?;
    let rest = data.get(start..)?;
    let (&tag, rest) = rest.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7F => (usize::from(first), rest),
        0x81 => {
            let (&l, rest) = rest.split_first()?;
            (usize::from(l), rest)
        }
        0x82 => {
            let (l, rest) = rest.split_at_checked(2)?;
            (usize::from(u16::from_be_bytes([*l.first()?, *l.get(1)?])), rest)
        }
        _ => return None,
    };
    let (value, rest) = rest.split_at_checked(len)?;
    Some((tag, value, rest))
}

impl Default for JmrtdAppletChip {
    fn default() -> Self {
        Self::blank()
    }
}

impl JmrtdAppletChip {
    /// The applet just installed: no file, no key, not locked.
    pub fn blank() -> Self {
        JmrtdAppletChip {
            files: BTreeMap::new(),
            app_selected: false,
            current: None,
            locked: false,
            mrz_information: None,
            aa_modulus: None,
            aa_private_exponent: None,
            ca_key: false,
            cvca_set: false,
            cvca: Vec::new(),
            access: Access::None,
            bac_done: false,
            faults: Faults::default(),
            removed: false,
            commands: 0,
            writes: 0,
        }
    }

    /// An applet personalized with `image` and locked, as if a personalizer had written it: the files, the BAC
    /// seed from the MRZ information and an RSA-1024 Active Authentication key. `None` when the applet could
    /// not hold the image (a file it has no FID for or over `7FFF` bytes, DG3/DG4, another Active
    /// Authentication key); the personalization profile lists the reasons.
    pub fn issued(image: &ChipImage) -> Option<Self> {
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};
        let mut chip = Self::blank();
        for (file, bytes) in &image.files {
            let fid = file.fid();
            if *file == LdsFile::CardAccess
                || !known_fid(fid)
                || needs_terminal_authentication(fid)
                || bytes.len() > MAX_FILE_SIZE
            {
                return None;
            }
            chip.files.insert(fid, File { bytes: bytes.clone(), size: bytes.len() });
        }
        chip.mrz_information = image.secrets.mrz_information.clone();
        if let Some(key) = &image.secrets.active_authentication {
            let ActiveAuthenticationKey::Rsa(key) = key else { return None };
            let n = key.0.n().as_ref().to_be_bytes_trimmed_vartime().to_vec();
            if n.len() != AA_MODULUS_BYTES {
                return None;
            }
            chip.aa_private_exponent = Some(Zeroizing::new(key.0.d().to_be_bytes_trimmed_vartime().to_vec()));
            chip.aa_modulus = Some(n);
        }
        chip.locked = true;
        Some(chip)
    }

    /// Where the chip is in its life (LOCK makes it operational).
    pub fn life_cycle(&self) -> LifeCycle {
        if self.locked { LifeCycle::Operational } else { LifeCycle::Personalization }
    }

    /// The files written, at their current sizes, as LDS files (EF.CVCA and the log left out).
    pub fn files(&self) -> BTreeMap<LdsFile, Vec<u8>> {
        self.files
            .iter()
            .filter(|(fid, _)| **fid != FID_CVCA && **fid != FID_LOG)
            .filter_map(|(fid, f)| Some((LdsFile::from_fid(*fid)?, f.bytes.get(..f.size)?.to_vec())))
            .collect()
    }

    /// EF.CVCA as written (with UPDATE BINARY), when created.
    pub fn ef_cvca(&self) -> Option<&[u8]> {
        self.files.get(&FID_CVCA).and_then(|f| f.bytes.get(..f.size))
    }

    /// The MRZ information the BAC seed gave (document number, birth, expiry, each with its check digit).
    pub fn mrz_information(&self) -> Option<&Zeroizing<String>> {
        self.mrz_information.as_ref()
    }

    /// The Active Authentication modulus, once both key parts are set.
    pub fn active_authentication_modulus(&self) -> Option<&[u8]> {
        self.aa_private_exponent.as_ref().and(self.aa_modulus.as_deref())
    }

    /// Whether a Chip Authentication key (PUT DATA `63`) was stored.
    pub fn has_chip_authentication_key(&self) -> bool {
        self.ca_key
    }

    /// The CVCA bodies stored with PUT DATA `64` (slot 1 and 2).
    pub fn cvca_bodies(&self) -> &[Vec<u8>] {
        &self.cvca
    }

    /// Injects faults (replacing any set before).
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// The faults still armed and the link model's simulated time so far.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Whether a secure messaging session is open.
    pub fn is_authenticated(&self) -> bool {
        matches!(self.access, Access::Secure(_))
    }

    fn handle(&mut self, c: &CommandApdu) -> ResponseApdu {
        if c.is_extended() {
            return sw(0x6700);
        }
        let select_aid = c.ins == ins::SELECT && c.p1 == 0x04;
        if !self.app_selected && !select_aid {
            return sw(0x6986);
        }
        if c.cla & 0x0C == 0x0C {
            let Access::Secure(sm) = &mut self.access else { return sw(0x6882) };
            let plain = sm.unwrap_command_keeping_session(c);
            let response = match plain {
                Ok(plain) => match self.process(&plain, true) {
                    Processed::Answer(r) => r,
                    // an uncaught exception: the applet's SW, unprotected (the SSC moved on by one only)
                    Processed::Unprotected(s) => return sw(s),
                },
                // a wrong MAC: a protected 6985, and the session goes on
                Err(_) => sw(0x6985),
            };
            let Access::Secure(sm) = &mut self.access else { return response };
            return sm.wrap_response(&response).unwrap_or_else(|_| sw(0x6F00));
        }
        if c.cla != 0x00 {
            return sw(0x6E00);
        }
        match self.process(c, false) {
            Processed::Answer(r) => r,
            Processed::Unprotected(s) => sw(s),
        }
    }

    fn process(&mut self, c: &CommandApdu, secure: bool) -> Processed {
        let answer = |s: u16| Processed::Answer(sw(s));
        match c.ins {
            ins::SELECT if c.p1 == 0x04 => {
                if c.data.len() >= 5 && EMRTD_AID.starts_with(&c.data) {
                    self.app_selected = true;
                    self.current = None;
                    answer(0x9000)
                } else {
                    answer(0x6A82)
                }
            }
            ins::SELECT => answer(self.select_file(c)),
            ins::READ_BINARY => self.read_binary(c, secure),
            ins::UPDATE_BINARY if secure => answer(0x0001),
            ins::UPDATE_BINARY => answer(self.update_binary(c)),
            ins::CREATE_FILE => answer(self.create_file(c)),
            ins::PUT_DATA => answer(self.put_data(c)),
            ins::GET_CHALLENGE => Processed::Answer(self.get_challenge(c, secure)),
            ins::EXTERNAL_AUTHENTICATE if secure => answer(0x6985),
            ins::EXTERNAL_AUTHENTICATE => Processed::Answer(self.external_authenticate(c)),
            ins::INTERNAL_AUTHENTICATE => Processed::Answer(self.active_authentication(c)),
            ins::MANAGE_SECURITY_ENVIRONMENT | 0x2A if !secure => answer(0x6982),
            ins::MANAGE_SECURITY_ENVIRONMENT if self.ca_key && !self.cvca.is_empty() => answer(0x6985),
            _ => answer(0x6D00),
        }
    }

    fn select_file(&mut self, c: &CommandApdu) -> u16 {
        let [a, b] = c.data.as_slice() else { return 0x6700 };
        if self.locked && !self.bac_done {
            return 0x6982;
        }
        let fid = u16::from_be_bytes([*a, *b]);
        if needs_terminal_authentication(fid) {
            return 0x6982;
        }
        if self.files.contains_key(&fid) {
            self.current = Some(fid);
            0x9000
        } else {
            self.current = None;
            0x6A82
        }
    }

    fn read_binary(&mut self, c: &CommandApdu, secure: bool) -> Processed {
        if self.locked && !self.bac_done {
            return Processed::Answer(sw(0x6982));
        }
        if !secure {
            return Processed::Answer(sw(0x9000));
        }
        if c.p1 & 0x80 != 0 {
            return Processed::Answer(sw(0x6985));
        }
        let Some(file) = self.current.and_then(|f| self.files.get(&f)) else {
            return Processed::Answer(sw(0x6986));
        };
        let offset = usize::from(u16::from_be_bytes([c.p1, c.p2]));
        if offset > file.size {
            return Processed::Unprotected(0x6F00);
        }
        // Le is the literal byte of DO'97: `00` asks for nothing
        let le = match c.le {
            Some(256) | None => 0,
            Some(n) => n,
        };
        let n = le.min(MAX_READ).min(file.size - offset);
        let data = file.bytes.get(offset..offset + n).unwrap_or_default().to_vec();
        Processed::Answer(ResponseApdu::new(data, StatusWord::Success))
    }

    fn update_binary(&mut self, c: &CommandApdu) -> u16 {
        if self.locked {
            return 0x6985;
        }
        let Some(fid) = self.current else { return 0x6985 };
        if c.p1 & 0x80 != 0 {
            return 0x6F00;
        }
        let offset = usize::from(u16::from_be_bytes([c.p1, c.p2]));
        let Some(file) = self.files.get_mut(&fid) else { return 0x6985 };
        let Some(end) = offset.checked_add(c.data.len()).filter(|e| *e <= file.size) else { return 0x6A84 };
        let write = self.writes;
        self.writes += 1;
        let keep = match self.faults.tear {
            Some((at, keep)) if at == write => {
                self.faults.tear = None;
                self.removed = true;
                keep.min(c.data.len())
            }
            _ => c.data.len(),
        };
        if let (Some(target), Some(part)) = (file.bytes.get_mut(offset..offset + keep), c.data.get(..keep)) {
            target.copy_from_slice(part);
        }
        let _ = end;
        if self.removed { 0x6F00 } else { 0x9000 }
    }

    fn create_file(&mut self, c: &CommandApdu) -> u16 {
        if self.locked {
            return 0x6985;
        }
        let d = &c.data;
        if d.len() < 6 || d.get(1).is_some_and(|l| *l < 4) {
            return 0x6700;
        }
        let (Some(0x63), Some(s1), Some(s2), Some(f1), Some(f2)) = (d.first(), d.get(2), d.get(3), d.get(4), d.get(5))
        else {
            return 0x6984;
        };
        let size = u16::from_be_bytes([*s1, *s2]);
        let fid = u16::from_be_bytes([*f1, *f2]);
        if needs_terminal_authentication(fid) {
            return 0x6982;
        }
        if !known_fid(fid) || size > 0x7FFF {
            // an uncaught exception (no such file object, a negative array size)
            return 0x6F00;
        }
        let size = usize::from(size);
        match self.files.get_mut(&fid) {
            Some(f) if size <= f.bytes.len() => {
                f.size = size;
                0x9000
            }
            Some(_) => 0x6A84,
            None => {
                self.files.insert(fid, File { bytes: vec![0; size], size });
                0x9000
            }
        }
    }

    fn put_data(&mut self, c: &CommandApdu) -> u16 {
        if self.locked {
            return 0x6985;
        }
        match (c.p1, c.p2) {
            (0xDE, 0xAD) => {
                self.locked = true;
                0x9000
            }
            (0x00, 0x62) => self.put_bac_seed(&c.data),
            (0x00, 0x60 | 0x61) => {
                // outer tag and length, the outer value skipped (so its length must be 00), then `04 L value`
                let Some((_, skipped, rest)) = scan_tlv(&c.data) else { return 0x6F00 };
                let _ = skipped;
                let Some((_, value, _)) = scan_tlv(rest) else { return 0x6F00 };
                let value = match value.split_first() {
                    Some((0, v)) => v,
                    _ => value,
                };
                if value.len() != AA_MODULUS_BYTES {
                    return 0x6F00;
                }
                if c.p2 == 0x60 {
                    self.aa_modulus = Some(value.to_vec());
                } else {
                    self.aa_private_exponent = Some(Zeroizing::new(value.to_vec()));
                }
                0x9000
            }
            (0x00, 0x63) => self.put_chip_authentication_key(&c.data),
            (slot, 0x64) => {
                if self.cvca_set {
                    return 0x6985;
                }
                match crate::tlv::TlvReader::new(&c.data).read() {
                    Ok(body) if body.tag() == crate::tlv::Tag::new(0x7F4E) => {
                        self.cvca_set = true;
                        if slot == 1 || slot == 2 {
                            self.cvca.push(c.data.clone());
                        }
                        0x9000
                    }
                    _ => 0x6A80,
                }
            }
            _ => 0x6A86,
        }
    }

    fn put_bac_seed(&mut self, data: &[u8]) -> u16 {
        let Some((_, inner, _)) = scan_tlv(data) else { return 0x6F00 };
        let mut fields = Vec::new();
        let mut rest = inner;
        for _ in 0..3 {
            let Some((_, value, r)) = scan_tlv(rest) else { return 0x6F00 };
            fields.push(value);
            rest = r;
        }
        let valid = |b: &u8| b.is_ascii_alphanumeric() || *b == b'<';
        if !fields.iter().all(|f| f.iter().all(valid)) {
            return 0x6D04;
        }
        let mut info = Zeroizing::new(String::new());
        for f in &fields {
            info.push_str(&String::from_utf8_lossy(f));
            info.push(char::from(b'0' + check_digit(f)));
        }
        self.mrz_information = Some(info);
        0x9000
    }

    fn put_chip_authentication_key(&mut self, data: &[u8]) -> u16 {
        let mut rest = data;
        let mut seen = [false; 7];
        while !rest.iter().all(|b| *b == 0x00 || *b == 0xFF) {
            let Some((tag, value, r)) = scan_tlv(rest) else { return 0x6A80 };
            match tag {
                0x81 if value.len() == 6 || value.len() == 2 => {}
                0x81..=0x87 if tag != 0x81 => {}
                _ => return 0x6A80,
            }
            if let Some(s) = seen.get_mut(usize::from(tag - 0x81)) {
                *s = true;
            }
            let _ = value;
            rest = r;
        }
        if seen.iter().take(6).all(|s| *s) {
            self.ca_key = true;
            0x9000
        } else {
            0x6A80
        }
    }

    fn bac_key(&self) -> Option<BacKey> {
        self.mrz_information.as_ref().map(|m| BacKey::from_mrz_information(m))
    }

    fn get_challenge(&mut self, c: &CommandApdu, secure: bool) -> ResponseApdu {
        if c.le != Some(8) {
            return sw(0x6700);
        }
        if secure || self.bac_done || self.mrz_information.is_none() {
            return sw(0x6982);
        }
        let mut rnd_ic = [0u8; 8];
        rand::fill(&mut rnd_ic);
        self.access = Access::Challenged(rnd_ic);
        ResponseApdu::new(rnd_ic.to_vec(), StatusWord::Success)
    }

    fn external_authenticate(&mut self, c: &CommandApdu) -> ResponseApdu {
        if c.data.len() != 0x28 {
            return sw(0x6700);
        }
        if self.bac_done {
            return sw(0x6982);
        }
        let (Access::Challenged(rnd_ic), Some(key)) = (&self.access, self.bac_key()) else { return sw(0x6985) };
        let get_challenge = crate::apdu::commands::get_challenge(8);
        let Ok((_, challenged)) = BacChip::new(key).get_challenge(&get_challenge, *rnd_ic) else { return sw(0x6F00) };
        let mut k_ic = Zeroizing::new([0u8; 16]);
        rand::fill(&mut k_ic[..]);
        let plain = CommandApdu { le: None, ..c.clone() };
        match challenged.external_authenticate(&plain, *k_ic) {
            Ok((response, session)) => {
                self.access = Access::Secure(session);
                self.bac_done = true;
                response
            }
            // the same challenge stays valid
            Err(_) => sw(0x6982),
        }
    }

    fn active_authentication(&mut self, c: &CommandApdu) -> ResponseApdu {
        if c.data.len() != 8 {
            return sw(0x6700);
        }
        let (true, Some(n), Some(d)) = (self.bac_done, &self.aa_modulus, &self.aa_private_exponent) else {
            return sw(0x6982);
        };
        let m1 = [0u8; AA_MODULUS_BYTES - 22];
        match crate::crypto::signature::sign_iso9796_2_raw_sha1(n, d, &m1, &c.data) {
            Ok(signature) => ResponseApdu::new(signature, StatusWord::Success),
            Err(_) => sw(0x6F00),
        }
    }

    /// One exchange with the faults applied: a removed card answers nothing until it is reset.
    fn exchange(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        super::fault::exchange(self, command)
    }
}

impl super::fault::FaultyChip for JmrtdAppletChip {
    fn fault_state(&mut self) -> super::fault::FaultState<'_> {
        super::fault::FaultState { faults: &mut self.faults, removed: &mut self.removed, commands: &mut self.commands }
    }

    fn process(&mut self, command: &CommandApdu) -> ResponseApdu {
        self.handle(command)
    }
}

/// What a command's processing gives: an answer (protected when the command was), or an uncaught exception's
/// status word, which leaves the applet unprotected.
enum Processed {
    Answer(ResponseApdu),
    Unprotected(u16),
}

impl Transport for JmrtdAppletChip {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        self.exchange(command)
    }

    /// A card reset: no applet selected, BAC state (`CLEAR_ON_RESET`) and session gone; files, keys and the
    /// lock stay.
    fn reset(&mut self) -> Result<(), TransportError> {
        self.app_selected = false;
        self.current = None;
        self.access = Access::None;
        self.bac_done = false;
        self.removed = false;
        Ok(())
    }
}
