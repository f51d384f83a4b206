//! Reading a chip: run access control ([`AccessControl`]: BAC, PACE with the MRZ or the CAN using the
//! parameters of EF.CardAccess, or PACE then BAC), select the application, read EF.COM, EF.SOD and the data
//! groups in as few APDUs as the chip allows, and survive a card pulled mid-read.
//!
//! Each file is read by short file identifier (the first READ BINARY selects it), its length taken from the
//! first bytes, then the rest in reads as large as the chip accepts: extended length when EF.ATR/INFO announces
//! it, else 223 bytes (the most that still fits a short response once secure messaging wraps it).
//!
//! A chip without EF.ATR/INFO is asked by trying: EF.CardAccess is read in the clear with an extended `Le`
//! (one APDU, which also reads the file); `6700` means short reads only, and the file is read again short. A chip
//! without EF.CardAccess is tried with the first long read under secure messaging; a `6700` there (chips often
//! end the session with it) makes the reader authenticate again and go on with short reads.
//!
//! [`Reader`] keeps what it has read. When the card is pulled ([`ReadError::Transport`]), call
//! [`Reader::read`] again after reconnecting: it authenticates again and continues each file from the byte it
//! stopped at, reading nothing twice.

mod eac;
mod files;

use std::collections::BTreeMap;

use crate::access::bac::{self, BacKey};
use crate::access::chip_auth;
use crate::access::pace::{self, PacePassword};
use crate::access::{AccessError, Unsupported};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord, commands};
use crate::lds::LdsFile;
use crate::lds::com::Com;
use crate::pa::{Check, Reason};
use crate::sm::{SecureChannel, SmError};
use crate::transport::{Transport, TransportError};

/// The largest plain read that fits a short response under secure messaging.
pub const SHORT_READ: usize = 223;
/// The largest plain read with extended length (leaves room for the secure messaging overhead).
pub const EXTENDED_READ: usize = 65_000;

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The link to the card failed (card pulled, reader gone); what was read is kept: call `read` again.
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// Access control failed (wrong MRZ, the chip refused).
    #[error("access control: {0}")]
    Access(#[source] AccessError),
    /// Secure messaging failed (a response with a bad MAC, an unprotected status word).
    #[error("secure messaging: {0}")]
    SecureMessaging(#[source] SmError),
    /// The chip answered a step with an unexpected status word.
    #[error("{step}: the chip answered {}", sw.explained())]
    Status {
        /// What was being done.
        step: &'static str,
        /// The status word.
        sw: StatusWord,
    },
    /// An extended-length read was refused with `6700`: go on with short reads (handled inside [`Reader::read`]).
    #[error("the chip refused an extended-length read")]
    ExtendedLengthRefused,
    /// A file's first bytes are not a TLV header.
    #[error("{0}: malformed file header")]
    MalformedFile(LdsFile),
}

impl From<AccessError> for ReadError {
    /// A transport failure during access control is still a transport failure (the read can resume).
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Transport(t) => ReadError::Transport(t),
            other => ReadError::Access(other),
        }
    }
}

impl From<SmError> for ReadError {
    /// A transport failure under secure messaging is still a transport failure (the read can resume).
    fn from(e: SmError) -> Self {
        match e {
            SmError::Transport(t) => ReadError::Transport(t),
            other => ReadError::SecureMessaging(other),
        }
    }
}

/// The access control that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// Basic Access Control.
    Bac,
    /// PACE with these parameters.
    Pace {
        /// The protocol and domain parameters that ran.
        parameters: pace::PaceParameters,
        /// The password: `Can` or `Mrz`.
        password: PasswordKind,
    },
    /// BAC, after PACE did not succeed ([`AccessControl::PaceThenBac`]).
    BacAfterPace {
        /// Whether EF.CardAccess offered PACE (`false`: BAC ran because PACE was not offered; `true`: PACE was
        /// offered and failed).
        pace_offered: bool,
        /// Why PACE did not succeed.
        pace_failure: String,
    },
}

/// Which PACE password was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordKind {
    /// The MRZ information.
    Mrz,
    /// The card access number.
    Can,
}

impl Access {
    /// Whether PACE ran.
    pub fn is_pace(&self) -> bool {
        matches!(self, Access::Pace { .. })
    }
}

/// `BAC`, `PACE-CAM-ECDH-AES256 (brainpoolP256r1)`, `BAC (PACE not offered: …)`, `BAC (PACE failed: …)`.
impl core::fmt::Display for Access {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Access::Bac => f.write_str("BAC"),
            Access::Pace { parameters, .. } => f.write_str(&parameters.description()),
            Access::BacAfterPace { pace_offered: false, pace_failure } => {
                write!(f, "BAC (PACE not offered: {pace_failure})")
            }
            Access::BacAfterPace { pace_offered: true, pace_failure } => write!(f, "BAC (PACE failed: {pace_failure})"),
        }
    }
}

/// As its description (JSON `"access": "BAC"`).
impl serde::Serialize for Access {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a read produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadResult {
    /// Every file read, complete.
    pub files: BTreeMap<LdsFile, Vec<u8>>,
    /// Files listed in EF.COM that the chip protects (DG3, DG4 without Terminal Authentication).
    pub protected: Vec<LdsFile>,
    /// Files listed in EF.COM that the chip does not have (`6A82`).
    pub missing: Vec<LdsFile>,
    /// The access control that ran.
    pub access: Access,
    /// Whether extended-length reads were used.
    pub extended_length: bool,
    /// Chip Authentication with DG14's key (run after every file is read): passed means the chip holds the
    /// private key — worth something only when Passive Authentication vouches for DG14 (the
    /// [verifier](crate::verify) decides).
    pub chip_authentication: Check,
    /// Active Authentication with DG15's key.
    pub active_authentication: Check,
    /// Terminal Authentication (with [`Reader::with_terminal`]): passed means the chip accepted the inspection
    /// system, and the data groups it opened were read.
    pub terminal_authentication: Check,
    /// Where the Chip Authentication key that [`ReadResult::chip_authentication`] checked came from: with
    /// PACE-CAM, EF.CardSecurity when it was read and holds a key on the PACE curve, else DG14; with Chip
    /// Authentication, DG14. `None` when no key was checked.
    pub chip_key_source: Option<ChipKeySource>,
}

/// The file that held the Chip Authentication public key a chip proved it holds; that file's own Passive
/// Authentication (EF.CardSecurity's signature, or EF.SOD's hash of DG14) is what vouches for the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChipKeySource {
    /// EF.CardSecurity's ChipAuthenticationPublicKeyInfo (PACE-CAM).
    CardSecurity,
    /// DG14's ChipAuthenticationPublicKeyInfo.
    Dg14,
}

/// The access control the reader runs: the caller chooses, and [`ReadResult::access`] says what ran. There is
/// no silent fallback: `PaceThenBac` falls back to BAC only when PACE did not succeed, and says so.
#[derive(Debug, Clone)]
pub enum AccessControl {
    /// Basic Access Control with the MRZ key.
    Bac(BacKey),
    /// PACE with the MRZ or the CAN, with the parameters of EF.CardAccess.
    Pace(PacePassword),
    /// PACE, and BAC when PACE is not offered or fails.
    PaceThenBac(PacePassword, BacKey),
}

/// A reader of one chip, keeping its progress across interruptions.
#[derive(Debug)]
pub struct Reader {
    access: AccessControl,
    ran: Option<Access>,
    /// What PACE-CAM proved, to check against DG14 once it is read.
    cam: Option<pace::ChipAuthenticationMapping>,
    /// Files asked for (`None`: everything EF.COM lists, plus EF.COM, EF.SOD, EF.CardAccess).
    wanted: Option<Vec<LdsFile>>,
    done: BTreeMap<LdsFile, Vec<u8>>,
    partial: Option<(LdsFile, Vec<u8>, usize)>,
    protected: Vec<LdsFile>,
    missing: Vec<LdsFile>,
    extended: Option<bool>,
    /// Whether READ BINARY by short file identifier works on this chip (`None`: not tried yet).
    sfi: Option<bool>,
    /// The most data a short READ BINARY gets from this chip (256 until a chip shows less).
    max_short: usize,
    apdus: usize,
    bytes_read: usize,
    /// The inspection system's chain and key, for Terminal Authentication.
    terminal: Option<crate::access::ta::TerminalCredentials>,
    /// The chip's ephemeral PACE key of the session (ID_IC after PACE).
    pace_chip_key: Option<Vec<u8>>,
}

struct Counting<'a, T> {
    inner: &'a mut T,
    count: &'a mut usize,
}

impl<T: Transport> Transport for Counting<'_, T> {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        *self.count += 1;
        self.inner.transmit(command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}

/// A chip check's verdict; a transport failure stays an error (the read resumes and runs the check again).
fn verdict(result: Result<(), AccessError>) -> Result<Check, ReadError> {
    match result {
        Ok(()) => Ok(Check::Passed),
        Err(AccessError::Transport(t) | AccessError::Sm(SmError::Transport(t))) => Err(ReadError::Transport(t)),
        Err(AccessError::Unsupported(u)) => Ok(Check::NotChecked(Reason::Unsupported { detail: u.to_string() })),
        Err(e) => Ok(Check::Failed(Reason::ChipProof { detail: e.to_string() })),
    }
}

fn expect_ok(step: &'static str, r: &ResponseApdu) -> Result<(), ReadError> {
    if r.sw == StatusWord::Success { Ok(()) } else { Err(ReadError::Status { step, sw: r.sw }) }
}

impl Reader {
    /// A reader that will authenticate with BAC and read every file EF.COM lists.
    pub fn bac(key: BacKey) -> Self {
        Reader::new(AccessControl::Bac(key))
    }

    /// A reader that will authenticate with PACE (MRZ or CAN) and read every file EF.COM lists.
    pub fn pace(password: PacePassword) -> Self {
        Reader::new(AccessControl::Pace(password))
    }

    /// A reader with this access control.
    pub fn new(access: AccessControl) -> Self {
        Reader {
            access,
            ran: None,
            cam: None,
            wanted: None,
            done: BTreeMap::new(),
            partial: None,
            protected: Vec::new(),
            missing: Vec::new(),
            extended: None,
            sfi: None,
            max_short: 256,
            apdus: 0,
            bytes_read: 0,
            terminal: None,
            pace_chip_key: None,
        }
    }

    /// Reads only these files (EF.COM is always read).
    pub fn only(mut self, files: Vec<LdsFile>) -> Self {
        self.wanted = Some(files);
        self
    }

    /// Forces short reads (as most eMRTD libraries read), for comparison.
    pub fn short_reads(mut self) -> Self {
        self.extended = Some(false);
        self
    }

    /// APDUs sent so far, over every attempt.
    pub fn apdu_count(&self) -> usize {
        self.apdus
    }

    /// File bytes received so far, over every attempt (each byte once, whatever the interruptions).
    pub fn bytes_read(&self) -> usize {
        self.bytes_read
    }

    /// Reads the chip (or continues after an interruption) and returns every file.
    pub fn read<T: Transport>(&mut self, transport: &mut T) -> Result<ReadResult, ReadError> {
        let mut apdus = 0usize;
        let result = self.read_inner(&mut Counting { inner: transport, count: &mut apdus });
        self.apdus += apdus;
        result
    }

    fn read_inner<T: Transport>(&mut self, t: &mut T) -> Result<ReadResult, ReadError> {
        match self.session(t) {
            Err(ReadError::ExtendedLengthRefused) => {
                // the probe under secure messaging failed: a new session after a reset (some chips run one
                // access control per reset), with short reads
                self.extended = Some(false);
                t.reset()?;
                self.session(t)
            }
            other => other,
        }
    }

    fn session<T: Transport>(&mut self, t: &mut T) -> Result<ReadResult, ReadError> {
        if !self.done.contains_key(&LdsFile::CardAccess) || self.extended.is_none() {
            self.probe_mf(t)?;
        }
        let mut channel = self.open(t)?;
        if !self.done.contains_key(&LdsFile::Com) {
            self.read_file(&mut channel, LdsFile::Com)?;
        }
        let com = self.done.get(&LdsFile::Com).map(|b| Com::decode(b));
        let listed = match com {
            Some(Ok(com)) => com.data_groups(),
            _ => Vec::new(),
        };
        let mut plan = vec![LdsFile::Sod];
        plan.extend(listed);
        if let Some(w) = &self.wanted {
            plan.retain(|f| w.contains(f));
        }
        for file in plan {
            if self.done.contains_key(&file) || self.protected.contains(&file) || self.missing.contains(&file) {
                continue;
            }
            match self.read_file(&mut channel, file) {
                Ok(()) => {}
                Err(ReadError::Status { sw: StatusWord::SecurityStatusNotSatisfied, .. }) => self.protected.push(file),
                Err(ReadError::Status { sw: StatusWord::FileNotFound, .. }) => self.missing.push(file),
                Err(e) => return Err(e),
            }
        }
        // Active Authentication first: a failed Chip Authentication leaves no usable session
        let dg14 = LdsFile::dg(14)
            .and_then(|f| self.done.get(&f))
            .and_then(|b| crate::lds::security_infos::Dg14::decode(b).ok());
        let dg15 = LdsFile::dg(15).and_then(|f| self.done.get(&f)).map(|b| crate::lds::dg15::Dg15::decode(b));
        let dg = |n| LdsFile::dg(n).unwrap_or(LdsFile::Sod);
        let active_authentication = match dg15 {
            None => Check::NotChecked(Reason::NotOffered { file: dg(15), protocol: "Active Authentication" }),
            Some(Err(e)) => Check::Failed(Reason::Undecodable { file: dg(15), detail: e.to_string() }),
            Some(Ok(dg15)) => verdict(chip_auth::active_authenticate(&mut channel, &dg15.public_key, dg14.as_ref()))?,
        };
        let card_security = self
            .done
            .get(&LdsFile::CardSecurity)
            .and_then(|b| crate::lds::card_security::CardSecurity::decode(b).ok())
            .filter(|c| c.chip_authentication_public_keys().next().is_some());
        let mut ca_keys = None;
        let (chip_authentication, chip_key_source) = match (&dg14, &self.cam, &card_security) {
            // PACE-CAM proved the key already: checked against EF.CardSecurity's key (DG14 as the fallback)
            (_, Some(cam), Some(cs)) => (
                verdict(cam.verify_infos(&cs.security_infos, "EF.CardSecurity").map(|_| ()))?,
                ChipKeySource::CardSecurity,
            ),
            (Some(d), Some(cam), None) => (verdict(cam.verify(d).map(|_| ()))?, ChipKeySource::Dg14),
            (None, _, _) => (
                Check::NotChecked(Reason::NotOffered { file: dg(14), protocol: "Chip Authentication" }),
                ChipKeySource::Dg14,
            ),
            (Some(d), None, _) => match chip_auth::chip_authenticate(&mut channel, d) {
                Ok(keys) => {
                    ca_keys = Some(keys);
                    (Check::Passed, ChipKeySource::Dg14)
                }
                Err(e) => (verdict(Err(e))?, ChipKeySource::Dg14),
            },
        };
        let chip_key_source = match chip_authentication {
            Check::NotChecked(_) => None,
            _ => Some(chip_key_source),
        };
        let access = self.ran.clone().ok_or(ReadError::Access(Unsupported::NoAccessControlRan.into()))?;
        let terminal_authentication = self.terminal_authentication(&mut channel, ca_keys.as_ref())?;
        Ok(ReadResult {
            files: self.done.clone(),
            protected: self.protected.clone(),
            missing: self.missing.clone(),
            access,
            extended_length: self.extended == Some(true),
            chip_authentication,
            active_authentication,
            terminal_authentication,
            chip_key_source,
        })
    }

    /// Runs the access control and selects the eMRTD application: BAC after a plain SELECT, PACE before a
    /// protected one.
    fn open<'t, T: Transport>(&mut self, t: &'t mut T) -> Result<SecureChannel<&'t mut T>, ReadError> {
        let select = || commands::select_application(&crate::lds::EMRTD_AID);
        let pace_password = match &self.access {
            AccessControl::Pace(p) | AccessControl::PaceThenBac(p, _) => Some(p.clone()),
            AccessControl::Bac(_) => None,
        };
        let mut pace_failure = None;
        if let Some(password) = pace_password {
            let parameters = self.pace_parameters();
            let offered = parameters.is_ok();
            match parameters.and_then(|(params, several)| {
                pace::authenticate(&mut *t, &params, &password, several).map_err(ReadError::from)
            }) {
                Ok(outcome) => {
                    let password = match password {
                        PacePassword::Can(_) => PasswordKind::Can,
                        PacePassword::Mrz(_) => PasswordKind::Mrz,
                    };
                    self.ran = Some(Access::Pace { parameters: outcome.parameters, password });
                    self.cam = outcome.chip_authentication_mapping.clone();
                    self.pace_chip_key = Some(outcome.chip_ephemeral_key.clone());
                    let mut channel = SecureChannel::new(t, outcome.session);
                    // PACE-CAM: EF.CardSecurity (in the MF, readable now) holds the key the proof is checked against
                    let cs = LdsFile::CardSecurity;
                    let wanted = self.wanted.as_ref().is_none_or(|w| w.contains(&cs));
                    let tried =
                        self.done.contains_key(&cs) || self.missing.contains(&cs) || self.protected.contains(&cs);
                    if self.cam.is_some() && wanted && !tried {
                        match self.read_file(&mut channel, cs) {
                            Ok(()) => {}
                            Err(ReadError::Status { sw: StatusWord::SecurityStatusNotSatisfied, .. }) => {
                                self.protected.push(cs)
                            }
                            Err(ReadError::Status { sw: StatusWord::FileNotFound, .. }) => self.missing.push(cs),
                            Err(e) => return Err(e),
                        }
                    }
                    expect_ok("SELECT eMRTD application", &channel.transmit(&select())?)?;
                    return Ok(channel);
                }
                Err(e @ ReadError::Transport(_)) => return Err(e),
                Err(e) if matches!(self.access, AccessControl::Pace(_)) => return Err(e),
                Err(e) => pace_failure = Some((offered, e.to_string())),
            }
        }
        let (AccessControl::Bac(key) | AccessControl::PaceThenBac(_, key)) = &self.access else {
            return Err(ReadError::Access(Unsupported::NoAccessControl.into()));
        };
        let key = key.clone();
        self.pace_chip_key = None;
        expect_ok("SELECT eMRTD application", &t.transmit(&select())?)?;
        let channel = bac::authenticate(&mut *t, key, &mut rand::rng())?;
        self.ran = Some(match pace_failure {
            Some((pace_offered, why)) => Access::BacAfterPace { pace_offered, pace_failure: why },
            None => Access::Bac,
        });
        Ok(channel)
    }

    /// The PACE parameters from EF.CardAccess (the first PACE-CAM PACEInfo this crate runs, else the first it
    /// runs) and whether the chip offers
    /// several (then MSE:Set AT names the parameter ID).
    fn pace_parameters(&self) -> Result<(pace::PaceParameters, bool), ReadError> {
        let unsupported = |u: Unsupported| ReadError::Access(u.into());
        let bytes = self.done.get(&LdsFile::CardAccess).ok_or_else(|| unsupported(Unsupported::NoCardAccess))?;
        let card_access = crate::lds::security_infos::CardAccess::decode(bytes)
            .map_err(|_| unsupported(Unsupported::CardAccessUndecodable))?;
        let infos = pace::PaceParameters::from_security_infos(&card_access.infos);
        let mut last = None;
        let mut runnable = Vec::new();
        for info in &infos {
            match info {
                Ok(p) => runnable.push(*p),
                Err(e) => last = Some(e.clone()),
            }
        }
        // PACE-CAM first: it proves the Chip Authentication key within PACE
        let best = runnable.iter().find(|p| p.is_chip_authentication_mapping()).or(runnable.first());
        match best {
            Some(p) => Ok((*p, infos.len() > 1)),
            None => Err(ReadError::Access(last.unwrap_or(Unsupported::NoPaceOffered.into()))),
        }
    }
}
