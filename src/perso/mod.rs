//! Personalization: writing a chip image to a chip, verifying it, and only then locking it.
//!
//! How a chip is written is vendor-specific, so the commands come from a [`PersoProfile`]; the library ships
//! [`OpenEmrtdProfile`], the command set of `docs/perso-commands.md`, which the virtual chip implements, and
//! [`JmrtdAppletProfile`], the JMRTD passport applet's (`../shared/docs/jmrtd-applet.md`). The
//! [`Personalizer`] runs the same steps whatever the profile:
//!
//! 0. check the whole image before any APDU ([`check_image`]: an access key, EF.COM and EF.SOD, every data
//!    group the SOD or EF.COM lists, none the SOD does not, the Chip and Active Authentication keys DG14 and
//!    DG15 call for), and the profile checks what its chip cannot hold (every reason in one
//!    [`PersoError::Unsupported`]); an incomplete image is refused and nothing is written;
//! 1. open the personalization session (protected with a transport key, or in the clear, as the profile says);
//! 2. for each file: CREATE FILE (the new file becomes current) and write it in the largest UPDATE BINARY the
//!    chip accepts; a file that already exists (an earlier, interrupted run) is read back and rewritten only if
//!    it differs; one of another size is an error (this chip holds someone else's data);
//! 3. PUT DATA: BAC key material, the CAN, the Chip and Active Authentication private keys;
//! 4. read back, in the personalization session, only what a reader cannot read (DG3, DG4);
//! 5. a full reader session on the still-unlocked chip, which is the read-back of everything else: PACE with
//!    the CAN (BAC when the image has no PACE), then the [verifier](crate::verify) with
//!    [`Policy::personalizer`] (no trust anchor yet; every file of the image byte for byte, hashes,
//!    messageDigest, signature, DS validity, Chip and Active Authentication) must say genuine;
//! 6. only then LOCK.
//!
//! The image crosses the link twice: written once, read once. Any interruption (card pulled, transport error, a
//! wrong transport key) leaves a chip a second run completes: nothing is locked before step 6, and step 6 runs
//! only after steps 4 and 5 passed on this very chip (a torn write is found by the second run's comparison, or
//! by step 5). A chip that is already locked is only checked: the run succeeds if it holds exactly this image (the
//! LOCK of an earlier run went through but its answer was lost), and fails otherwise with
//! [`PersoError::LockedWithOtherContent`]. After any run, [`Personalizer::chip_status`] says what the chip is.

use zeroize::Zeroizing;

use crate::apdu::commands as iso;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use crate::image::ChipImage;
use crate::lds::{EF_ATR_INFO_FID, EMRTD_AID, LdsFile};
use crate::perso_commands::{self as commands, CHALLENGE_LEN, TRANSPORT_KEY_LEN, objects};
use crate::reader::{Access, AccessControl, ReadError, Reader};
use crate::sm::{SecureChannel, SecureMessaging, SmError};
use crate::tlv::{Tag, TlvReader};
use crate::transport::{Transport, TransportError};
use crate::verify::{Policy, Verifier};

mod jmrtd;

pub use jmrtd::{JmrtdAppletProfile, Unsupported};

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
    /// The chip is locked and holds other content than this image: why its reader session does not match it.
    #[error("the chip is already locked and holds different content: {0}")]
    LockedWithOtherContent(#[source] Box<PersoError>),
    /// A file on the chip has another size than the image's (another image was written to it).
    #[error("{0} exists on the chip with another size")]
    FileSizeMismatch(LdsFile),
    /// A step was refused.
    #[error("{step}: the chip answered {}", sw.explained())]
    Rejected {
        /// The step.
        step: &'static str,
        /// The status word.
        sw: StatusWord,
    },
    /// Secure messaging failed (a response with a bad MAC: a corrupted answer).
    #[error("secure messaging: {0}")]
    SecureMessaging(#[source] SmError),
    /// The reader session before LOCK failed (access control, secure messaging, the chip's answers): the chip is
    /// not locked.
    #[error("verification failed, chip not locked: reader session: {0}")]
    ReaderSession(#[source] Box<ReadError>),
    /// A file the reader session cannot read (DG3, DG4) reads back other than the image's: the chip is not
    /// locked (the chip's fault, or a torn write).
    #[error("verification failed, chip not locked: {} reads back different", file.name())]
    ReadBackDiffers {
        /// The file.
        file: LdsFile,
    },
    /// The reader session's verdict under the personalizer's policy is not genuine (a file differs from the
    /// image, a signature or a key check fails): the chip is not locked. The verification says why.
    #[error("verification failed, chip not locked: {}", .0.summary())]
    NotGenuine(Box<crate::verify::Verification>),
    /// The image has neither CAN nor MRZ information: no reader session can verify the chip (the caller's).
    #[error("verification failed, chip not locked: the image has no access key")]
    NoAccessKey,
    /// The chip refused the personalization session just before LOCK, as a locked chip does: it locked itself
    /// (the chip's fault); nothing was locked by the personalizer.
    #[error("verification failed, chip not locked: the chip locked itself")]
    ChipLockedItself,
    /// The image's MRZ information does not split into document number, birth and expiry date (the caller's).
    #[error("malformed MRZ information in the image")]
    MalformedMrzInformation,
    /// A chip key of the image does not encode as PKCS#8 (the caller's).
    #[error("a chip key of the image: {0}")]
    Key(#[source] crate::image::KeyError),
    /// The transport key cannot key AES-CMAC (not 16 bytes: the caller's).
    #[error("the transport key: {0}")]
    TransportKey(#[source] crate::crypto::CryptoError),
    /// The image is not complete: nothing was written.
    #[error("the image is incomplete, nothing written: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    IncompleteImage(Vec<ImageProblem>),
    /// The image holds what the profile's chip cannot hold; nothing was written. Every reason is listed.
    #[error("{profile} cannot hold this image (nothing written): {}", jmrtd::list(.reasons))]
    Unsupported {
        /// The profile.
        profile: &'static str,
        /// Every reason.
        reasons: Vec<Unsupported>,
    },
}

/// Why an image cannot be personalized (checked before the first write).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageProblem {
    /// Neither the CAN nor the MRZ information: no reader could open the chip.
    #[error("no access key (neither CAN nor MRZ information)")]
    NoAccessKey,
    /// A file every chip needs (EF.COM, EF.SOD) or one the SOD or EF.COM lists is not in the image.
    #[error("{0} is missing")]
    Missing(LdsFile),
    /// A data group is in the image but the SOD does not list it.
    #[error("{0} is not listed in the SOD")]
    NotListed(LdsFile),
    /// EF.SOD does not decode.
    #[error("EF.SOD does not decode: {0}")]
    SodUndecodable(#[source] crate::lds::LdsError),
    /// DG14 offers Chip Authentication but the image has no Chip Authentication key.
    #[error("DG14 is there but the image has no Chip Authentication key")]
    NoChipAuthenticationKey,
    /// DG15 is there but the image has no Active Authentication key.
    #[error("DG15 is there but the image has no Active Authentication key")]
    NoActiveAuthenticationKey,
}

/// Every problem that would make a personalization of `image` fail: checked before anything is written.
pub fn check_image(image: &ChipImage) -> Vec<ImageProblem> {
    let mut problems = Vec::new();
    let s = &image.secrets;
    if s.can.is_none() && s.mrz_information.is_none() {
        problems.push(ImageProblem::NoAccessKey);
    }
    for f in [LdsFile::Com, LdsFile::Sod] {
        if !image.files.contains_key(&f) {
            problems.push(ImageProblem::Missing(f));
        }
    }
    let mut listed: Vec<LdsFile> = Vec::new();
    if let Some(com) = image.files.get(&LdsFile::Com).and_then(|b| crate::lds::com::Com::decode(b).ok()) {
        listed.extend(com.data_groups());
    }
    if let Some(sod) = image.files.get(&LdsFile::Sod) {
        match crate::lds::sod::Sod::decode(sod) {
            Ok(sod) => {
                let in_sod: Vec<LdsFile> =
                    sod.lds_security_object.data_group_hashes.iter().filter_map(|h| LdsFile::dg(h.number)).collect();
                for f in image.files.keys().filter(|f| f.dg_number().is_some() && !in_sod.contains(f)) {
                    problems.push(ImageProblem::NotListed(*f));
                }
                listed.extend(in_sod);
            }
            Err(e) => problems.push(ImageProblem::SodUndecodable(e)),
        }
    }
    listed.sort();
    listed.dedup();
    for f in listed.into_iter().filter(|f| !image.files.contains_key(f)) {
        problems.push(ImageProblem::Missing(f));
    }
    let dg = |n| LdsFile::dg(n).unwrap_or(LdsFile::Sod);
    let offers_ca = image
        .files
        .get(&dg(14))
        .and_then(|b| crate::lds::security_infos::Dg14::decode(b).ok())
        .is_some_and(|d| d.infos.chip_authentication_infos().next().is_some());
    if offers_ca && s.chip_authentication.is_none() {
        problems.push(ImageProblem::NoChipAuthenticationKey);
    }
    if image.files.contains_key(&dg(15)) && s.active_authentication.is_none() {
        problems.push(ImageProblem::NoActiveAuthenticationKey);
    }
    problems
}

/// What the chip is, as far as a personalization run found out (also after it failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ChipStatus {
    /// Whether the chip is locked (`None`: the run did not get that far).
    pub locked: Option<bool>,
    /// Whether the chip holds exactly this image (`None`: not known).
    pub holds_this_image: Option<bool>,
    /// File bytes written in this run (0: nothing written).
    pub bytes_written: usize,
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
            other => PersoError::ReaderSession(Box::new(other)),
        }
    }
}

/// The personalization session a profile opens.
#[derive(Debug)]
pub enum PersoSession {
    /// Every command protected with these keys (a transport-key session).
    Secure(SecureMessaging),
    /// Commands in the clear (chips personalized before their lock without any authentication).
    Plain,
}

/// A vendor's personalization command set.
pub trait PersoProfile {
    /// What the profile's chip cannot hold of `image` (every reason; empty when it can hold all of it).
    fn check(&self, image: &ChipImage) -> Vec<Unsupported> {
        let _ = image;
        Vec::new()
    }
    /// The profile's name in messages.
    fn name(&self) -> &'static str {
        "the chip"
    }
    /// The largest UPDATE BINARY data: with extended length (when the chip announces it) or short.
    fn max_write(&self, extended: bool) -> usize {
        if extended { EXTENDED_WRITE } else { SHORT_WRITE }
    }
    /// Opens the personalization session: `Ok(None)` when the chip says it is already locked.
    fn open_session(&self, transport: &mut dyn Transport) -> Result<Option<PersoSession>, PersoError>;
    /// CREATE FILE of `size` bytes.
    fn create_file(&self, file: LdsFile, size: usize) -> Result<CommandApdu, PersoError>;
    /// Whether CREATE FILE makes the new file current (else the personalizer selects it before writing).
    fn create_selects(&self) -> bool {
        true
    }
    /// UPDATE BINARY of `data` at `offset` of the current file.
    fn write(&self, offset: usize, data: &[u8]) -> CommandApdu;
    /// The PUT DATA commands that give the chip its secrets.
    fn put_secrets(&self, image: &ChipImage) -> Result<Vec<Zeroizing<CommandApdu>>, PersoError>;
    /// Whether `sw` to the PUT DATA `command` means the secret is in place (`9000`; a profile may also take
    /// the answer of a chip that accepts a secret only once, on a resumed run).
    fn put_data_accepted(&self, command: &CommandApdu, sw: StatusWord) -> bool {
        let _ = command;
        sw == StatusWord::Success
    }
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
    fn open_session(&self, t: &mut dyn Transport) -> Result<Option<PersoSession>, PersoError> {
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
            .map_err(PersoError::TransportKey)?;
        let auth = commands::external_authenticate(&rnd_ifd, &mac);
        let r = t.transmit(&auth)?;
        match r.sw {
            StatusWord::Success => {}
            StatusWord::VerificationFailedRetries(n) => return Err(PersoError::WrongTransportKey { retries_left: n }),
            StatusWord::AuthenticationMethodBlocked => return Err(PersoError::Blocked),
            StatusWord::ConditionsNotSatisfied => return Ok(None),
            sw => return Err(PersoError::Rejected { step: "EXTERNAL AUTHENTICATE", sw }),
        }
        let keys = commands::session_keys(self.transport_key.as_slice(), &rnd_ic, &rnd_ifd);
        Ok(Some(PersoSession::Secure(SecureMessaging::with_zero_ssc(keys))))
    }

    fn create_file(&self, file: LdsFile, size: usize) -> Result<CommandApdu, PersoError> {
        let size = u16::try_from(size).map_err(|_| PersoError::FileSizeMismatch(file))?;
        Ok(commands::create_file(file.fid(), size))
    }

    fn write(&self, offset: usize, data: &[u8]) -> CommandApdu {
        iso::update_binary_at(offset, data)
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
                return Err(PersoError::MalformedMrzInformation);
            };
            let object = commands::bac_object(doc.trim_end_matches('<'), dob, doe);
            out.push(commands::put_data(objects::BAC, object.to_vec()));
        }
        if let Some(can) = &s.can {
            out.push(commands::put_data(objects::PACE, commands::pace_object(can).to_vec()));
        }
        let pk8 = PersoError::Key;
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
    pub reader_access: Option<Access>,
    /// The verdict of that session under [`Policy::personalizer`], which allowed LOCK.
    pub verification: Option<crate::verify::Verification>,
}

/// A progress callback.
type ProgressFn<'a> = Box<dyn FnMut(&Progress) + 'a>;

/// Writes a chip image with a profile; see the module documentation for the steps.
pub struct Personalizer<'a, P: PersoProfile + ?Sized> {
    profile: &'a P,
    image: &'a ChipImage,
    progress: Option<ProgressFn<'a>>,
    status: ChipStatus,
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
const SHORT_WRITE: usize = 239;
const EXTENDED_WRITE: usize = 32_768;

impl<'a, P: PersoProfile + ?Sized> Personalizer<'a, P> {
    /// A personalizer of `image` with `profile`.
    pub fn new(profile: &'a P, image: &'a ChipImage) -> Self {
        Personalizer { profile, image, progress: None, status: ChipStatus::default() }
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

    /// What the chip is, as far as the last run found out: locked or not, holding this image or not, bytes
    /// written (also after an error).
    pub fn chip_status(&self) -> ChipStatus {
        self.status
    }

    /// Personalizes the chip behind `transport` (or completes an interrupted run). The image is checked first
    /// ([`check_image`]): an incomplete one is refused before any APDU.
    pub fn run<T: Transport>(&mut self, transport: &mut T) -> Result<PersoReport, PersoError> {
        self.status = ChipStatus::default();
        // what the profile's chip cannot hold first, then whether the image is complete: nothing written either way
        let reasons = self.profile.check(self.image);
        if !reasons.is_empty() {
            return Err(PersoError::Unsupported { profile: self.profile.name(), reasons });
        }
        let problems = check_image(self.image);
        if !problems.is_empty() {
            return Err(PersoError::IncompleteImage(problems));
        }
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
            self.status.locked = Some(true);
            report.reader_access = Some(match self.verify_with_reader(t) {
                Ok((access, verification)) => {
                    report.verification = Some(verification);
                    access
                }
                Err(e @ PersoError::Transport(_)) => return Err(e),
                Err(e) => {
                    self.status.holds_this_image = Some(false);
                    return Err(PersoError::LockedWithOtherContent(Box::new(e)));
                }
            });
            self.status.holds_this_image = Some(true);
            report.already_locked = true;
            self.report("done", None, 0);
            return Ok(report);
        };
        self.status.locked = Some(false);
        let mut ch = Link::new(&mut *t, session);
        ok("SELECT eMRTD application", &ch.transmit(&iso::select_application(&EMRTD_AID))?)?;
        let chunk = self.profile.max_write(extended);
        // EF.CardAccess first, EF.SOD last: a chip with an EF.SOD has every data group; then EF.CardSecurity,
        // in the master file (its FID is EF.SOD's in the application), with the MF selected
        let last = [LdsFile::Sod, LdsFile::CardSecurity];
        let mut order: Vec<LdsFile> = self.image.files.keys().copied().filter(|f| !last.contains(f)).collect();
        order.sort_by_key(|f| (*f != LdsFile::CardAccess, *f != LdsFile::Com, f.fid()));
        order.extend(last.into_iter().filter(|f| self.image.files.contains_key(f)));
        for file in order {
            let Some(bytes) = self.image.files.get(&file) else { continue };
            if file == LdsFile::CardSecurity {
                ok("SELECT MF", &ch.transmit(&iso::select_mf())?)?;
            }
            let r = ch.transmit(&self.profile.create_file(file, bytes.len())?)?;
            match r.sw {
                StatusWord::Success => {}
                StatusWord::FileAlreadyExists => {
                    select_file(&mut ch, file)?;
                    let on_chip = read_whole(&mut ch, bytes.len(), extended)?;
                    if on_chip.len() != bytes.len() || longer_than(&mut ch, bytes.len())? {
                        self.status.holds_this_image = Some(false);
                        return Err(PersoError::FileSizeMismatch(file));
                    }
                    if on_chip == *bytes {
                        report.files_kept += 1;
                        continue;
                    }
                }
                // a chip that keeps a file's first size and refuses a larger one (`6A84`)
                StatusWord::NotEnoughMemory => return Err(PersoError::FileSizeMismatch(file)),
                sw => return Err(PersoError::Rejected { step: "CREATE FILE", sw }),
            }
            if !self.profile.create_selects() {
                select_file(&mut ch, file)?;
            }
            for (i, part) in bytes.chunks(chunk).enumerate() {
                ok("UPDATE BINARY", &ch.transmit(&self.profile.write(i * chunk, part))?)?;
                report.bytes_written += part.len();
                self.status.bytes_written = report.bytes_written;
                self.report("write", Some(file), report.bytes_written);
            }
        }
        self.report("keys", None, report.bytes_written);
        for command in self.profile.put_secrets(self.image)? {
            let r = ch.transmit(&command)?;
            if !self.profile.put_data_accepted(&command, r.sw) {
                return Err(PersoError::Rejected { step: "PUT DATA", sw: r.sw });
            }
        }
        // the application again when EF.CardSecurity, written last, left the MF selected
        if self.image.files.contains_key(&LdsFile::CardSecurity) {
            ok("SELECT eMRTD application", &ch.transmit(&iso::select_application(&EMRTD_AID))?)?;
        }
        // what the reader session cannot read (DG3, DG4 need Terminal Authentication): read back here
        for (file, bytes) in self.image.files.iter().filter(|(f, _)| reader_cannot_read(**f)) {
            self.report("read back", Some(*file), report.bytes_written);
            select_file(&mut ch, *file)?;
            if read_whole(&mut ch, bytes.len(), extended)? != *bytes {
                return Err(PersoError::ReadBackDiffers { file: *file });
            }
        }
        drop(ch);
        // the reader session is the read-back of everything else: every file compared byte for byte
        self.report("reader session", None, report.bytes_written);
        t.reset()?;
        let (access, verification) = self.verify_with_reader(t)?;
        report.reader_access = Some(access);
        report.verification = Some(verification);
        self.report("lock", None, report.bytes_written);
        t.reset()?;
        let Some(session) = self.profile.open_session(t)? else {
            return Err(PersoError::ChipLockedItself);
        };
        let mut ch = Link::new(&mut *t, session);
        ok("LOCK", &ch.transmit(&self.profile.lock())?)?;
        self.status.locked = Some(true);
        self.status.holds_this_image = Some(true);
        self.report("done", None, report.bytes_written);
        Ok(report)
    }

    /// A full reader session: every file identical, Passive Authentication (without a trust anchor: hashes,
    /// digest, signature, DS validity), Chip and Active Authentication when the image has their keys.
    fn verify_with_reader<T: Transport>(
        &mut self,
        t: &mut T,
    ) -> Result<(Access, crate::verify::Verification), PersoError> {
        let s = &self.image.secrets;
        let bac = s.mrz_information.as_ref().map(|m| crate::access::bac::BacKey::from_mrz_information(m));
        let pace = s.can.as_ref().map(|c| crate::access::pace::PacePassword::Can(c.clone()));
        let access = match (pace, bac) {
            (Some(p), Some(b)) if self.image.files.contains_key(&LdsFile::CardAccess) => {
                AccessControl::PaceThenBac(p, b)
            }
            (Some(p), None) => AccessControl::Pace(p),
            (_, Some(b)) => AccessControl::Bac(b),
            (None, None) => return Err(PersoError::NoAccessKey),
        };
        let result = Reader::new(access).read(t)?;
        // the personalizer's policy: no trust anchor yet, every file of the image, every key check passing
        let trust = crate::pa::TrustStore::new();
        let verification = Verifier::new(&trust, Policy::personalizer(self.image.files.clone())).verify_read(&result);
        if !verification.verdict.is_genuine() {
            return Err(PersoError::NotGenuine(Box::new(verification)));
        }
        Ok((result.access, verification))
    }
}

/// Whether the chip announces extended length in EF.ATR/INFO (read in the clear).
fn extended_length<T: Transport>(t: &mut T) -> Result<bool, PersoError> {
    if t.transmit(&iso::select_ef(EF_ATR_INFO_FID))?.sw != StatusWord::Success {
        return Ok(false);
    }
    let r = t.transmit(&iso::read_binary_at(0, 256))?;
    Ok(TlvReader::new(&r.data).any(|o| o.is_ok_and(|o| o.tag() == Tag::new(0x7F66))))
}

/// The personalization link: protected by the session, or in the clear.
enum Link<'t, T: Transport + ?Sized> {
    Secure(SecureChannel<&'t mut T>),
    Plain(&'t mut T),
}

impl<'t, T: Transport + ?Sized> Link<'t, T> {
    fn new(t: &'t mut T, session: PersoSession) -> Self {
        match session {
            PersoSession::Secure(sm) => Link::Secure(SecureChannel::new(t, sm)),
            PersoSession::Plain => Link::Plain(t),
        }
    }

    fn transmit(&mut self, c: &CommandApdu) -> Result<ResponseApdu, PersoError> {
        Ok(match self {
            Link::Secure(ch) => ch.transmit(c)?,
            Link::Plain(t) => t.transmit(c)?,
        })
    }
}

/// Whether the verifying reader session cannot read `file` (DG3 and DG4 need Terminal Authentication).
fn reader_cannot_read(file: LdsFile) -> bool {
    matches!(file.dg_number(), Some(3 | 4))
}

fn select_file<T: Transport + ?Sized>(ch: &mut Link<'_, T>, file: LdsFile) -> Result<(), PersoError> {
    ok("SELECT file", &ch.transmit(&iso::select_ef(file.fid()))?)
}

/// Whether the current file has a byte at `offset` (it is longer than `offset` bytes).
fn longer_than<T: Transport + ?Sized>(ch: &mut Link<'_, T>, offset: usize) -> Result<bool, PersoError> {
    let r = ch.transmit(&iso::read_binary_at(offset, 1))?;
    Ok(r.sw == StatusWord::Success && !r.data.is_empty())
}

/// Reads `len` bytes of the current file.
fn read_whole<T: Transport + ?Sized>(ch: &mut Link<'_, T>, len: usize, extended: bool) -> Result<Vec<u8>, PersoError> {
    let chunk = if extended { 65_000 } else { 223 };
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let offset = out.len();
        let want = (len - offset).min(chunk);
        let c = iso::read_binary_at(offset, want);
        let r = ch.transmit(&c)?;
        if r.sw != StatusWord::Success && r.sw != StatusWord::EndOfFileReached {
            return Err(PersoError::Rejected { step: "READ BINARY", sw: r.sw });
        }
        let data = if c.ins == ins::READ_BINARY_ODD {
            TlvReader::single(&r.data, Tag::new(iso::DISCRETIONARY_DO)).map(|t| t.value().to_vec()).unwrap_or_default()
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
