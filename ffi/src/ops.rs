//! The jobs: issue, verify, read, personalize, inspect, QR. Each parses its arguments, calls the library, and
//! returns the library's JSON document (`cccd::json`).

use std::ffi::{c_char, c_void};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use zeroize::Zeroizing;

use cccd::image::ChipImage;
use cccd::pa::TrustStore;
use cccd::transport::Transport;
use cccd::verify::{Policy, Verification, Verifier};

use crate::args::{bytes, clear_out, opt_text, options, put_json, text};
use crate::transport::Callback;
use crate::{Failure, cccd_error, cccd_status, guard, guard_verdict};

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(cccd_status::CCCD_ERR_INVALID_ARGUMENT, message)
}

fn input(context: impl std::fmt::Display, e: impl std::fmt::Display) -> Failure {
    Failure::new(cccd_status::CCCD_ERR_INPUT, format!("{context}: {e}"))
}

/// Trust material, as `cccd verify`'s `--csca`, `--crl`, `--ds` and `--at` name it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustOptions {
    /// CSCA certificates: PEM or DER files, folders of them, or CSCA master lists.
    #[serde(default)]
    csca: Vec<PathBuf>,
    /// Certificate revocation lists.
    #[serde(default)]
    crl: Vec<PathBuf>,
    /// Document Signer certificates for SODs that do not carry theirs.
    #[serde(default)]
    ds: Vec<PathBuf>,
    /// Check validity as of this date (`YYYY-MM-DD`; default today).
    at: Option<String>,
}

impl TrustOptions {
    fn load(&self) -> Result<(TrustStore, Option<time::Date>), Failure> {
        let at = match &self.at {
            Some(d) => Some(
                time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                    .map_err(|_| invalid("trust.at: not a YYYY-MM-DD date"))?,
            ),
            None => None,
        };
        let mut store = TrustStore::new();
        for path in &self.csca {
            store.add_path(path).map_err(|e| input(path.display(), e))?;
        }
        for path in &self.crl {
            store.add_crl_path(path).map_err(|e| input(path.display(), e))?;
        }
        for path in &self.ds {
            let der = std::fs::read(path)
                .map_err(|e| Failure::new(cccd_status::CCCD_ERR_IO, format!("{}: {e}", path.display())))?;
            store.add_document_signer_bytes(&der).map_err(|e| input(path.display(), e))?;
        }
        Ok((store, at))
    }
}

/// The JSON document and status of a verification: `CCCD_OK` only when genuine.
fn verdict(v: &Verification) -> (cccd_status, String) {
    let code = if v.verdict.is_genuine() { cccd_status::CCCD_OK } else { cccd_status::CCCD_NOT_GENUINE };
    (code, v.summary())
}

/// A chip image folder, loaded.
fn load_image(dir: &str) -> Result<ChipImage, Failure> {
    ChipImage::load_dir(Path::new(dir)).map_err(|e| {
        let e = cccd::Error::from(e);
        Failure::new(crate::status_of_kind(cccd::json::ErrorKind::of(&e)), format!("{dir}: {e}"))
    })
}

/// Verifies a chip image folder, as `cccd verify DIR --json` does: with the image's secrets it is served by an
/// in-process virtual chip and read (Chip and Active Authentication run), else verified as files.
///
/// `options_json` (NULL: none): `{"csca": ["csca.pem", …], "crl": […], "ds": […], "at": "YYYY-MM-DD"}`.
/// `*json_out` receives the `cccd verify --json` document (also with `CCCD_NOT_GENUINE`).
///
/// # Safety
/// Text arguments are NULL or NUL-terminated; `json_out` is writable; `err` as the conventions at the top of cccd.h say.
/// Thread-safety: any thread, concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_verify_image(
    image_dir: *const c_char,
    options_json: *const c_char,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard_verdict(err, || {
            clear_out(json_out, "json_out")?;
            let dir = text(image_dir, "image_dir")?;
            let trust: TrustOptions = options(opt_text(options_json, "options_json")?)?;
            let (store, at) = trust.load()?;
            let image = load_image(dir)?;
            let verifier = Verifier::new(&store, Policy::counter()).at(at);
            let checked = cccd::emulator::verify_image(&image, &verifier)
                .map_err(|e| input(dir, format!("reading the image's virtual chip: {e}")))?;
            put_json(json_out, &cccd::json::verify(&checked.verification, checked.session, checked.access));
            Ok(verdict(&checked.verification))
        })
    }
}

/// The access key and trust material of a read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadOptions {
    /// The card access number (6 digits), for PACE.
    can: Option<Zeroizing<String>>,
    /// The MRZ access key: the MRZ's lines, or document number, date of birth and date of expiry as typed.
    mrz: Option<Zeroizing<String>>,
    /// With `mrz`: `"pace"`, `"bac"` or `"pace-then-bac"` (the default: PACE when EF.CardAccess offers it).
    access: Option<String>,
    /// The trust material the verdict uses.
    #[serde(default)]
    trust: TrustOptions,
    /// Seconds to wait for a card in a PC/SC reader (default 10).
    wait_seconds: Option<u64>,
}

impl ReadOptions {
    fn access_control(&self) -> Result<cccd::reader::AccessControl, Failure> {
        use cccd::access::bac::BacKey;
        use cccd::access::pace::PacePassword;
        use cccd::reader::AccessControl;
        if let Some(can) = &self.can {
            if can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("can: the CAN is 6 digits"));
            }
            return Ok(AccessControl::Pace(PacePassword::Can(can.clone())));
        }
        let Some(mrz) = &self.mrz else { return Err(invalid("options: give \"can\" or \"mrz\"")) };
        let information = cccd::mrz::access_key_from_text(mrz).map_err(|e| invalid(format!("mrz: {e}")))?;
        let bac = BacKey::from_mrz_information(&information);
        let pace = PacePassword::Mrz(information);
        match self.access.as_deref() {
            Some("pace") => Ok(AccessControl::Pace(pace)),
            Some("bac") => Ok(AccessControl::Bac(bac)),
            None | Some("pace-then-bac") => Ok(AccessControl::PaceThenBac(pace, bac)),
            Some(_) => Err(invalid("access: \"pace\", \"bac\" or \"pace-then-bac\"")),
        }
    }
}

/// Reads a chip through `transport` and verifies it: the `cccd read --json` document (without the reader,
/// timing and saved-file fields).
fn read_with<T: Transport>(
    transport: &mut T,
    opts: &ReadOptions,
    json_out: *mut *mut c_char,
    failure: impl Fn(&T, cccd::reader::ReadError) -> Failure,
) -> Result<(cccd_status, String), Failure> {
    let access = opts.access_control()?;
    let (store, at) = opts.trust.load()?;
    let result = cccd::reader::Reader::new(access).read(&mut *transport).map_err(|e| failure(transport, e))?;
    let verification = Verifier::new(&store, Policy::counter()).at(at).verify_read(&result);
    // SAFETY: `json_out` was checked writable by the caller of this function.
    unsafe { put_json(json_out, &cccd::json::read(&result, &verification, &store)) };
    Ok(verdict(&verification))
}

/// Reads a chip through the caller's transmit callback and verifies it (PACE or BAC, every file, Chip and
/// Active Authentication, Passive Authentication, one verdict).
///
/// `options_json`: `{"can": "123456"}` or `{"mrz": "…", "access": "pace-then-bac"}`, and `"trust": {…}` as for
/// `cccd_verify_image`. `*json_out` receives the read document (also with `CCCD_NOT_GENUINE`).
///
/// # Safety
/// As for `cccd_verify_image`; `transmit` is called with `ctx` as `cccd_transmit_fn` says.
/// Thread-safety: any thread; the callback runs on the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_read(
    transmit: crate::cccd_transmit_fn,
    ctx: *mut c_void,
    options_json: *const c_char,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard_verdict(err, || {
            clear_out(json_out, "json_out")?;
            let opts: ReadOptions = options(opt_text(options_json, "options_json")?)?;
            let mut transport = Callback::new(transmit, ctx)?;
            read_with(&mut transport, &opts, json_out, |t, e| t.failure(e))
        })
    }
}

/// Reads and verifies a chip in the PC/SC reader `reader` (its full name), as `cccd_read`; waits
/// `wait_seconds` (default 10) for a card. `CCCD_ERR_UNSUPPORTED` without the `pcsc` feature.
///
/// # Safety
/// As for `cccd_verify_image`.
/// Thread-safety: any thread; one call per reader at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_read_pcsc(
    reader: *const c_char,
    options_json: *const c_char,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard_verdict(err, || {
            clear_out(json_out, "json_out")?;
            let name = text(reader, "reader")?;
            let opts: ReadOptions = options(opt_text(options_json, "options_json")?)?;
            #[cfg(feature = "pcsc")]
            {
                let mut transport = crate::transport::pcsc(name, opts.wait_seconds.unwrap_or(10))?;
                read_with(&mut transport, &opts, json_out, |_, e| Failure::from(e))
            }
            #[cfg(not(feature = "pcsc"))]
            {
                let _ = (name, opts.wait_seconds);
                Err(Failure::new(cccd_status::CCCD_ERR_UNSUPPORTED, "built without the pcsc feature"))
            }
        })
    }
}

/// How to personalize.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersoOptions {
    /// `"open"` (the default: `docs/perso-commands.md`) or `"jmrtd-applet"`.
    profile: Option<String>,
    /// The open profile's AES transport key, 32 hex digits.
    transport_key: Option<Zeroizing<String>>,
    /// Seconds to wait for a card in a PC/SC reader (default 10).
    wait_seconds: Option<u64>,
}

fn personalize_with<T: Transport>(
    transport: &mut T,
    image_dir: &str,
    opts: &PersoOptions,
    json_out: *mut *mut c_char,
    failure: impl Fn(&T, cccd::perso::PersoError) -> Failure,
) -> Result<cccd_status, Failure> {
    use cccd::perso::{JmrtdAppletProfile, OpenEmrtdProfile, PersoProfile, Personalizer};
    let image = load_image(image_dir)?;
    let profile: Box<dyn PersoProfile> = match opts.profile.as_deref() {
        Some("jmrtd-applet") => Box::new(JmrtdAppletProfile::new()),
        None | Some("open") => {
            let hex_key =
                opts.transport_key.as_ref().ok_or_else(|| invalid("transport_key: needed by the open profile"))?;
            let mut key = Zeroizing::new([0u8; 16]);
            hex::decode_to_slice(hex_key.trim(), key.as_mut_slice())
                .map_err(|_| invalid("transport_key: 32 hex digits"))?;
            Box::new(OpenEmrtdProfile::new(*key))
        }
        Some(_) => return Err(invalid("profile: \"open\" or \"jmrtd-applet\"")),
    };
    let started = std::time::Instant::now();
    let mut personalizer = Personalizer::new(&*profile, &image);
    let result = personalizer.run(&mut *transport);
    let doc = cccd::json::perso(&result, personalizer.chip_status(), started.elapsed().as_millis() as u64);
    // SAFETY: `json_out` was checked writable by the caller of this function.
    unsafe { put_json(json_out, &doc) };
    result.map(|_| cccd_status::CCCD_OK).map_err(|e| failure(transport, e))
}

/// Personalizes a chip through the caller's transmit callback with the chip image folder `image_dir`: write,
/// verify with one reader session, lock (a half-written chip resumes when run again).
///
/// `options_json`: `{"transport_key": "00112233…" (32 hex digits), "profile": "open"}` or
/// `{"profile": "jmrtd-applet"}`. `*json_out` receives the `cccd perso --json` document, also on failure (it
/// says what the chip is left as and whether to run again).
///
/// # Safety
/// As for `cccd_read`.
/// Thread-safety: any thread; the callback runs on the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_personalize(
    transmit: crate::cccd_transmit_fn,
    ctx: *mut c_void,
    image_dir: *const c_char,
    options_json: *const c_char,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(json_out, "json_out")?;
            let dir = text(image_dir, "image_dir")?;
            let opts: PersoOptions = options(opt_text(options_json, "options_json")?)?;
            let mut transport = Callback::new(transmit, ctx)?;
            personalize_with(&mut transport, dir, &opts, json_out, |t, e| t.failure(e))
        })
    }
}

/// Personalizes a chip in the PC/SC reader `reader`, as `cccd_personalize`. `CCCD_ERR_UNSUPPORTED` without
/// the `pcsc` feature.
///
/// # Safety
/// As for `cccd_verify_image`.
/// Thread-safety: any thread; one call per reader at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_personalize_pcsc(
    reader: *const c_char,
    image_dir: *const c_char,
    options_json: *const c_char,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(json_out, "json_out")?;
            let name = text(reader, "reader")?;
            let dir = text(image_dir, "image_dir")?;
            let opts: PersoOptions = options(opt_text(options_json, "options_json")?)?;
            #[cfg(feature = "pcsc")]
            {
                let mut transport = crate::transport::pcsc(name, opts.wait_seconds.unwrap_or(10))?;
                personalize_with(&mut transport, dir, &opts, json_out, |_, e| Failure::from(e))
            }
            #[cfg(not(feature = "pcsc"))]
            {
                let _ = (name, dir, opts.wait_seconds);
                Err(Failure::new(cccd_status::CCCD_ERR_UNSUPPORTED, "built without the pcsc feature"))
            }
        })
    }
}

/// Decodes one file (an LDS file, a CV certificate or request) recognized by its first tag: `*json_out`
/// receives its item of `files` in `cccd inspect --json` (`{"path": name, "ok": …}`), also when it does not decode
/// (then `CCCD_ERR_INPUT`, the message saying what failed where).
///
/// # Safety
/// `name` NUL-terminated; `data` points to `len` bytes; `json_out` writable; `err` as the conventions at the top of cccd.h say.
/// Thread-safety: any thread, concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_inspect(
    name: *const c_char,
    data: *const u8,
    len: usize,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(json_out, "json_out")?;
            let name = text(name, "name")?;
            let data = bytes(data, len, "data")?;
            let item = cccd::json::inspect(name, data);
            put_json(json_out, &item);
            match item.get("error").and_then(serde_json::Value::as_str) {
                Some(e) => Err(input(name, e)),
                None => Ok(cccd_status::CCCD_OK),
            }
        })
    }
}
