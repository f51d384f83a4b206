//! Personalization: writing a chip image to a chip, verifying it, and only then locking it.
//!
//! How a chip is written is vendor-specific, so the commands come from a [`PersoProfile`]; the library ships
//! [`OpenEmrtdProfile`], the command set of `docs/perso-commands.md`, which the virtual chip implements. The
//! [`Personalizer`] runs the same steps whatever the profile:
//!
//! 1. open the protected personalization session (transport key);
//! 2. for each file: CREATE FILE (the new file becomes current) and write it in the largest UPDATE BINARY the
//!    chip accepts; a file that already exists (an earlier, interrupted run) is read back and rewritten only if
//!    it differs; one of another size is an error (this chip holds someone else's data);
//! 3. PUT DATA: BAC key material, the CAN, the Chip and Active Authentication private keys;
//! 4. read every file back and compare it byte for byte;
//! 5. a full reader session on the still-unlocked chip: PACE with the CAN (BAC when the image has no PACE),
//!    every file again, Passive Authentication (hashes, messageDigest, signature, DS validity), Chip and Active
//!    Authentication;
//! 6. only then LOCK.
//!
//! Any interruption (card pulled, transport error, a wrong transport key) leaves a chip a second run
//! completes: nothing is locked before step 6, and step 6 runs only after steps 4 and 5 passed on this very
//! chip. A chip that is already locked is only checked: the run succeeds if it holds exactly this image (the
//! LOCK of an earlier run went through but its answer was lost), and fails otherwise.

use zeroize::Zeroizing;

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::image::ChipImage;
use crate::lds::{EF_ATR_INFO_FID, EMRTD_AID, LdsFile};
use crate::pa::Check;
use crate::perso_commands::{self as commands, CHALLENGE_LEN, TRANSPORT_KEY_LEN, objects};
use crate::reader::{AccessControl, ReadError, Reader};
use crate::sm::{SecureChannel, SecureMessaging, SmError};
use crate::tlv::{Tag, TlvReader, encode_tlv};
use crate::transport::{Transport, TransportError};

/// Why a personalization stopped. Never carries keys or personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersoError {
    /// The link failed (card pulled, reader error): run again to complete the chip.
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// The transport key is wrong (the chip counts: `retries_left`).
    #[error("wrong transport key ({retries_left} tries left)")]
    WrongTransportKey {
        /// Tries left before the chip blocks.
        retries_left: u8,
    },
    /// The chip is blocked (too many wrong transport keys).
    #[error("the chip is blocked")]
    Blocked,
    /// The chip is locked and holds other content than this image.
    #[error("the chip is already locked and holds different content: {0}")]
    LockedWithOtherContent(String),
    /// A file on the chip has another size than the image's (another image was written to it).
    #[error("{0} exists on the chip with another size")]
    FileSizeMismatch(String),
    /// A step was refused.
    #[error("{step}: the chip answered {sw}")]
    Rejected {
        /// The step.
        step: &'static str,
        /// The status word.
        sw: StatusWord,
    },
    /// Secure messaging failed (a response with a bad MAC: a corrupted answer).
    #[error("secure messaging: {0}")]
    SecureMessaging(SmError),
    /// The verification before LOCK failed: the chip is not locked.
    #[error("verification failed, chip not locked: {0}")]
    Verification(String),
}

impl From<SmError> for PersoError {
    fn from(e: SmError) -> Self {
        match e {
            SmError::Transport(t) => PersoError::Transport(t),
            other => PersoError::SecureMessaging(other),
        }
    }
}

impl From<ReadError> for PersoError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Transport(t) => PersoError::Transport(t),
            other => PersoError::Verification(format!("reader session: {other}")),
        }
    }
}

/// A vendor's personalization command set.
pub trait PersoProfile {
    /// Opens the protected personalization session: `Ok(None)` when the chip says it is already locked.
    fn open_session(&self, transport: &mut dyn Transport) -> Result<Option<SecureMessaging>, PersoError>;
    /// CREATE FILE of `size` bytes; the created file becomes the current file.
    fn create_file(&self, file: LdsFile, size: usize) -> Result<CommandApdu, PersoError>;
    /// UPDATE BINARY of `data` at `offset` of the current file.
    fn write(&self, offset: usize, data: &[u8]) -> CommandApdu;
    /// The PUT DATA commands that give the chip its secrets.
    fn put_secrets(&self, image: &ChipImage) -> Result<Vec<Zeroizing<CommandApdu>>, PersoError>;
    /// LOCK.
    fn lock(&self) -> CommandApdu;
}

/// The command set of `docs/perso-commands.md` (the open eMRTD applet lineage, with a transport-key session).
pub struct OpenEmrtdProfile {
    transport_key: Zeroizing<[u8; TRANSPORT_KEY_LEN]>,
}

impl core::fmt::Debug for OpenEmrtdProfile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("OpenEmrtdProfile { transport_key: REDACTED }")
    }
}

impl OpenEmrtdProfile {
    /// The profile with this AES transport key.
    pub fn new(transport_key: [u8; TRANSPORT_KEY_LEN]) -> Self {
        OpenEmrtdProfile { transport_key: Zeroizing::new(transport_key) }
    }
}

impl PersoProfile for OpenEmrtdProfile {
    fn open_session(&self, t: &mut dyn Transport) -> Result<Option<SecureMessaging>, PersoError> {
        let r = t.transmit(&commands::get_challenge())?;
        match r.sw {
            StatusWord::Success => {}
            StatusWord::ConditionsNotSatisfied => return Ok(None),
            StatusWord::AuthenticationMethodBlocked => return Err(PersoError::Blocked),
            sw => return Err(PersoError::Rejected { step: "GET CHALLENGE", sw }),
        }
        let rnd_ic = r.data;
        if rnd_ic.len() != CHALLENGE_LEN {
            return Err(PersoError::Rejected { step: "GET CHALLENGE", sw: StatusWord::WrongLength });
        }
        let mut rnd_ifd = [0u8; CHALLENGE_LEN];
        rand::fill(&mut rnd_ifd);
        let mac = commands::transport_key_mac(self.transport_key.as_slice(), &rnd_ifd, &rnd_ic)
            .map_err(|e| PersoError::Verification(e.to_string()))?;
        let auth = commands::external_authenticate(&rnd_ifd, &mac);
        let r = t.transmit(&auth)?;
        match r.sw {
            StatusWord::Success => {}
            StatusWord::VerificationFailedRetries(n) => return Err(PersoError::WrongTransportKey { retries_left: n }),
            StatusWord::AuthenticationMethodBlocked => return Err(PersoError::Blocked),
            StatusWord::ConditionsNotSatisfied => return Ok(None),
            sw => return Err(PersoError::Rejected { step: "EXTERNAL AUTHENTICATE", sw }),
        }
        Ok(Some(SecureMessaging::with_zero_ssc(commands::session_keys(
            self.transport_key.as_slice(),
            &rnd_ic,
            &rnd_ifd,
        ))))
    }

    fn create_file(&self, file: LdsFile, size: usize) -> Result<CommandApdu, PersoError> {
        let size = u16::try_from(size).map_err(|_| PersoError::FileSizeMismatch(file.name()))?;
        Ok(commands::create_file(file.fid(), size))
    }

    fn write(&self, offset: usize, data: &[u8]) -> CommandApdu {
        match u16::try_from(offset) {
            Ok(o) if o <= 0x7FFF => {
                let [p1, p2] = o.to_be_bytes();
                CommandApdu::new(0x00, ins::UPDATE_BINARY, p1, p2).with_data(data.to_vec())
            }
            _ => {
                let o: Vec<u8> = (offset as u64).to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
                let mut body = encode_tlv(Tag::new(0x54), &o);
                body.extend(encode_tlv(Tag::new(0x53), data));
                CommandApdu::new(0x00, ins::UPDATE_BINARY_ODD, 0x00, 0x00).with_data(body)
            }
        }
    }

    fn put_secrets(&self, image: &ChipImage) -> Result<Vec<Zeroizing<CommandApdu>>, PersoError> {
        let mut out = Vec::new();
        let s = &image.secrets;
        if let Some(info) = &s.mrz_information {
            // MRZ information = document number, check digit, birth, check digit, expiry, check digit; the chip
            // recomputes the check digits
            let n = info.len();
            let (Some(doc), Some(dob), Some(doe)) = (
                info.get(..n.saturating_sub(15)),
                info.get(n.saturating_sub(14)..n.saturating_sub(8)),
                info.get(n.saturating_sub(7)..n.saturating_sub(1)),
            ) else {
                return Err(PersoError::Verification("malformed MRZ information".into()));
            };
            let object = commands::bac_object(doc.trim_end_matches('<'), dob, doe);
            out.push(commands::put_data(objects::BAC, object.to_vec()));
        }
        if let Some(can) = &s.can {
            out.push(commands::put_data(objects::PACE, commands::pace_object(can).to_vec()));
        }
        let pk8 = |e: crate::image::KeyError| PersoError::Verification(e.to_string());
        if let Some(ca) = &s.chip_authentication {
            let object = commands::chip_authentication_object(ca.key_id, &ca.key.to_pkcs8_der().map_err(pk8)?);
            out.push(commands::put_data(objects::CHIP_AUTHENTICATION, object.to_vec()));
        }
        if let Some(aa) = &s.active_authentication {
            out.push(commands::put_data(objects::ACTIVE_AUTHENTICATION, aa.to_pkcs8_der().map_err(pk8)?.to_vec()));
        }
        Ok(out)
    }

    fn lock(&self) -> CommandApdu {
        commands::lock()
    }
}

/// Where a personalization is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The step: `session`, `write`, `keys`, `read back`, `reader session`, `lock`, `done`.
    pub step: &'static str,
    /// The file being written or read back.
    pub file: Option<String>,
    /// Bytes written so far in this run.
    pub bytes_written: usize,
    /// Bytes of the whole image.
    pub bytes_total: usize,
}

/// What a personalization did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersoReport {
    /// APDUs sent in this run.
    pub apdus: usize,
    /// File bytes written in this run.
    pub bytes_written: usize,
    /// Files found already written and correct (a resumed run).
    pub files_kept: usize,
    /// The chip was found locked with exactly this image (nothing written).
    pub already_locked: bool,
    /// The access control of the verifying reader session.
    pub reader_access: String,
}

/// A progress callback.
type ProgressFn<'a> = Box<dyn FnMut(&Progress) + 'a>;

/// Writes a chip image with a profile; see the module documentation for the steps.
pub struct Personalizer<'a, P: PersoProfile> {
    profile: &'a P,
    image: &'a ChipImage,
    progress: Option<ProgressFn<'a>>,
}

struct Counting<'a, T: Transport + ?Sized> {
    inner: &'a mut T,
    count: usize,
}

impl<T: Transport + ?Sized> Transport for Counting<'_, T> {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        self.count += 1;
        self.inner.transmit(command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}

fn ok(step: &'static str, r: &ResponseApdu) -> Result<(), PersoError> {
    if r.sw == StatusWord::Success { Ok(()) } else { Err(PersoError::Rejected { step, sw: r.sw }) }
}

/// The largest UPDATE BINARY data under secure messaging: extended length when the chip announces it.
const SHORT_WRITE: usize = 223;
const EXTENDED_WRITE: usize = 32_768;

impl<'a, P: PersoProfile> Personalizer<'a, P> {
    /// A personalizer of `image` with `profile`.
    pub fn new(profile: &'a P, image: &'a ChipImage) -> Self {
        Personalizer { profile, image, progress: None }
    }

    /// Reports progress to `f`.
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    fn report(&mut self, step: &'static str, file: Option<LdsFile>, written: usize) {
        let total = self.image.files.values().map(Vec::len).sum();
        if let Some(p) = &mut self.progress {
            p(&Progress { step, file: file.map(|f| f.name()), bytes_written: written, bytes_total: total });
        }
    }

    /// Personalizes the chip behind `transport` (or completes an interrupted run).
    pub fn run<T: Transport>(&mut self, transport: &mut T) -> Result<PersoReport, PersoError> {
        let mut t = Counting { inner: transport, count: 0 };
        let result = self.run_inner(&mut t);
        result.map(|mut r| {
            r.apdus = t.count;
            r
        })
    }

    fn run_inner<T: Transport>(&mut self, t: &mut Counting<'_, T>) -> Result<PersoReport, PersoError> {
        let mut report = PersoReport::default();
        self.report("session", None, 0);
        let extended = extended_length(t)?;
        let Some(session) = self.profile.open_session(t)? else {
            // locked already: succeed only if it holds exactly this image
            report.reader_access = self.verify_with_reader(t)?;
            report.already_locked = true;
            self.report("done", None, 0);
            return Ok(report);
        };
        let mut ch = SecureChannel::new(&mut *t, session);
        let select = CommandApdu::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        ok("SELECT eMRTD application", &ch.transmit(&select)?)?;
        let chunk = if extended { EXTENDED_WRITE } else { SHORT_WRITE };
        // EF.CardAccess first, EF.SOD last: a chip with an EF.SOD has every data group; then EF.CardSecurity,
        // in the master file (its FID is EF.SOD's in the application), with the MF selected
        let last = [LdsFile::Sod, LdsFile::CardSecurity];
        let mut order: Vec<LdsFile> = self.image.files.keys().copied().filter(|f| !last.contains(f)).collect();
        order.sort_by_key(|f| (*f != LdsFile::CardAccess, *f != LdsFile::Com, f.fid()));
        order.extend(last.into_iter().filter(|f| self.image.files.contains_key(f)));
        for file in order {
            let Some(bytes) = self.image.files.get(&file) else { continue };
            if file == LdsFile::CardSecurity {
                ok("SELECT MF", &ch.transmit(&select_mf())?)?;
            }
            let r = ch.transmit(&self.profile.create_file(file, bytes.len())?)?;
            match r.sw {
                StatusWord::Success => {}
                StatusWord::FileAlreadyExists => {
                    let sel =
                        CommandApdu::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
                    ok("SELECT file", &ch.transmit(&sel)?)?;
                    let on_chip = read_whole(&mut ch, bytes.len(), extended)?;
                    if on_chip.len() != bytes.len() || longer_than(&mut ch, bytes.len())? {
                        return Err(PersoError::FileSizeMismatch(file.name()));
                    }
                    if on_chip == *bytes {
                        report.files_kept += 1;
                        continue;
                    }
                }
                sw => return Err(PersoError::Rejected { step: "CREATE FILE", sw }),
            }
            for (i, part) in bytes.chunks(chunk).enumerate() {
                ok("UPDATE BINARY", &ch.transmit(&self.profile.write(i * chunk, part))?)?;
                report.bytes_written += part.len();
                self.report("write", Some(file), report.bytes_written);
            }
        }
        self.report("keys", None, report.bytes_written);
        for command in self.profile.put_secrets(self.image)? {
            ok("PUT DATA", &ch.transmit(&command)?)?;
        }
        // the application again (EF.CardSecurity, written last, left the MF selected); EF.CardSecurity last
        ok("SELECT eMRTD application", &ch.transmit(&select)?)?;
        let files = self.image.files.iter().filter(|(f, _)| **f != LdsFile::CardSecurity);
        for (file, bytes) in files.chain(self.image.files.get_key_value(&LdsFile::CardSecurity)) {
            self.report("read back", Some(*file), report.bytes_written);
            if *file == LdsFile::CardSecurity {
                ok("SELECT MF", &ch.transmit(&select_mf())?)?;
            }
            let sel = CommandApdu::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
            ok("SELECT file", &ch.transmit(&sel)?)?;
            if read_whole(&mut ch, bytes.len(), extended)? != *bytes {
                return Err(PersoError::Verification(format!("{} reads back different", file.name())));
            }
        }
        drop(ch);
        self.report("reader session", None, report.bytes_written);
        t.reset()?;
        report.reader_access = self.verify_with_reader(t)?;
        self.report("lock", None, report.bytes_written);
        t.reset()?;
        let Some(session) = self.profile.open_session(t)? else {
            return Err(PersoError::Verification("the chip locked itself".into()));
        };
        let mut ch = SecureChannel::new(&mut *t, session);
        ok("LOCK", &ch.transmit(&self.profile.lock())?)?;
        self.report("done", None, report.bytes_written);
        Ok(report)
    }

    /// A full reader session: every file identical, Passive Authentication (without a trust anchor: hashes,
    /// digest, signature, DS validity), Chip and Active Authentication when the image has their keys.
    fn verify_with_reader<T: Transport>(&mut self, t: &mut T) -> Result<String, PersoError> {
        let s = &self.image.secrets;
        let bac = s.mrz_information.as_ref().map(|m| crate::access::bac::BacKey::from_mrz_information(m));
        let pace = s.can.as_ref().map(|c| crate::access::pace::PacePassword::Can(c.clone()));
        let access = match (pace, bac) {
            (Some(p), Some(b)) if self.image.files.contains_key(&LdsFile::CardAccess) => {
                AccessControl::PaceThenBac(p, b)
            }
            (Some(p), None) => AccessControl::Pace(p),
            (_, Some(b)) => AccessControl::Bac(b),
            (None, None) => return Err(PersoError::Verification("the image has no access key".into())),
        };
        let result = Reader::new(access).read(t)?;
        let locked_or = |m: String| PersoError::Verification(m);
        for (file, bytes) in &self.image.files {
            if result.protected.contains(file) {
                continue;
            }
            if result.files.get(file) != Some(bytes) {
                return Err(locked_or(format!("{} read by the reader differs or is missing", file.name())));
            }
        }
        let sod = result.files.get(&LdsFile::Sod).ok_or_else(|| locked_or("no EF.SOD".into()))?;
        let pa = crate::pa::verify(sod, &result.files, None).map_err(|e| locked_or(e.to_string()))?;
        let hashes = pa
            .data_groups
            .values()
            .all(|h| matches!(h, crate::pa::HashCheck::Match | crate::pa::HashCheck::NotPresent));
        if !(hashes && pa.message_digest.passed() && pa.signature.passed() && pa.ds_certificate_validity.passed()) {
            return Err(locked_or("Passive Authentication failed".into()));
        }
        for (name, check, needed) in [
            ("Chip Authentication", &result.chip_authentication, s.chip_authentication.is_some()),
            ("Active Authentication", &result.active_authentication, s.active_authentication.is_some()),
        ] {
            if needed && *check != Check::Passed {
                return Err(locked_or(format!("{name}: {check:?}")));
            }
        }
        Ok(result.access)
    }
}

/// Whether the chip announces extended length in EF.ATR/INFO (read in the clear).
fn extended_length<T: Transport>(t: &mut T) -> Result<bool, PersoError> {
    let sel = CommandApdu::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(EF_ATR_INFO_FID.to_be_bytes().to_vec());
    if t.transmit(&sel)?.sw != StatusWord::Success {
        return Ok(false);
    }
    let r = t.transmit(&CommandApdu::new(0x00, ins::READ_BINARY, 0x00, 0x00).with_le(256))?;
    Ok(TlvReader::new(&r.data).any(|o| o.is_ok_and(|o| o.tag() == Tag::new(0x7F66))))
}

/// Whether the current file has a byte at `offset` (it is longer than `offset` bytes).
fn longer_than<T: Transport>(ch: &mut SecureChannel<T>, offset: usize) -> Result<bool, PersoError> {
    let c = match u16::try_from(offset) {
        Ok(o) if o <= 0x7FFF => {
            let [p1, p2] = o.to_be_bytes();
            CommandApdu::new(0x00, ins::READ_BINARY, p1, p2).with_le(1)
        }
        _ => {
            let o: Vec<u8> = (offset as u64).to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            CommandApdu::new(0x00, ins::READ_BINARY_ODD, 0x00, 0x00)
                .with_data(encode_tlv(Tag::new(0x54), &o))
                .with_le(1)
        }
    };
    let r = ch.transmit(&c)?;
    Ok(r.sw == StatusWord::Success && !r.data.is_empty())
}

/// Reads `len` bytes of the current file.
fn read_whole<T: Transport>(ch: &mut SecureChannel<T>, len: usize, extended: bool) -> Result<Vec<u8>, PersoError> {
    let chunk = if extended { 65_000 } else { 223 };
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let offset = out.len();
        let want = (len - offset).min(chunk);
        let c = if offset <= 0x7FFF {
            let [p1, p2] = (offset as u16).to_be_bytes();
            CommandApdu::new(0x00, ins::READ_BINARY, p1, p2).with_le(want)
        } else {
            let o: Vec<u8> = (offset as u64).to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            CommandApdu::new(0x00, ins::READ_BINARY_ODD, 0x00, 0x00)
                .with_data(encode_tlv(Tag::new(0x54), &o))
                .with_le(want)
        };
        let r = ch.transmit(&c)?;
        if r.sw != StatusWord::Success && r.sw != StatusWord::EndOfFileReached {
            return Err(PersoError::Rejected { step: "READ BINARY", sw: r.sw });
        }
        let data = if c.ins == ins::READ_BINARY_ODD {
            TlvReader::single(&r.data, Tag::new(0x53)).map(|t| t.value().to_vec()).unwrap_or_default()
        } else {
            r.data
        };
        if data.is_empty() {
            break;
        }
        out.extend_from_slice(&data);
    }
    out.truncate(len);
    Ok(out)
}

/// SELECT the master file (`00 A4 00 0C`, no data), where EF.CardAccess and EF.CardSecurity live.
fn select_mf() -> CommandApdu {
    CommandApdu::new(0x00, ins::SELECT, 0x00, 0x0C)
}
