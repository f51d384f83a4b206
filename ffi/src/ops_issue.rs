//! Issuing a chip image, and the card's QR payload.

use std::ffi::c_char;
use std::path::Path;

use serde::Deserialize;
use zeroize::Zeroizing;

use cccd::citizen::{CitizenRecord, RawRecord, Severity};
use cccd::qr::{QrLayout, QrPayload, QrSize, RenderOptions};

use crate::args::{bytes, clear_out, opt_text, options, put_json, text};
use crate::{Failure, cccd_error, cccd_status, guard};

fn input(context: impl std::fmt::Display, e: impl std::fmt::Display) -> Failure {
    Failure::new(cccd_status::CCCD_ERR_INPUT, format!("{context}: {e}"))
}

/// A citizen record (JSON), read leniently as the CLI reads it: every error of every field refuses it.
fn record(json: &str) -> Result<CitizenRecord, Failure> {
    let raw = RawRecord::from_json(json).map_err(|e| input("record_json", format!("not a citizen record: {e}")))?;
    let check = raw.check();
    let problems = check.problems();
    check.record.ok_or_else(|| {
        let list: Vec<String> =
            problems.iter().filter(|p| p.severity == Severity::Error).map(ToString::to_string).collect();
        input("record_json", list.join("; "))
    })
}

/// A Document Signer key in a PKCS#11 token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pkcs11Options {
    /// The PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`).
    module: std::path::PathBuf,
    /// The token's label.
    token: String,
    /// The key's label.
    label: String,
    /// The user PIN.
    pin: Zeroizing<String>,
}

/// How to issue.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueOptions {
    /// `"open"` (the default: the CCCD's PACE, Chip and Active Authentication) or `"jmrtd-applet"`.
    profile: Option<String>,
    /// The Document Signer key in a PKCS#11 token instead of the PKI folder's `ds.key`.
    pkcs11: Option<Pkcs11Options>,
}

fn folder_failure(e: cccd::pki::folder::PkiFolderError) -> Failure {
    use cccd::pki::folder::PkiFolderError;
    let code =
        if matches!(e, PkiFolderError::Io { .. }) { cccd_status::CCCD_ERR_IO } else { cccd_status::CCCD_ERR_INPUT };
    Failure::new(code, e.to_string())
}

fn document_signer(pki: &Path, opts: &IssueOptions) -> Result<cccd::pki::DocumentSigner, Failure> {
    let key: Option<std::sync::Arc<dyn cccd::pki::Signer>> = match &opts.pkcs11 {
        None => None,
        #[cfg(feature = "pkcs11")]
        Some(p) => Some(std::sync::Arc::new(
            cccd::pki::pkcs11::Pkcs11Key::open(&p.module, &p.token, &p.pin, &p.label)
                .map_err(|e| input("PKCS#11 token", e))?,
        )),
        #[cfg(not(feature = "pkcs11"))]
        Some(p) => {
            let _ = (&p.module, &p.token, &p.label, &p.pin);
            return Err(Failure::new(cccd_status::CCCD_ERR_UNSUPPORTED, "built without the pkcs11 feature"));
        }
    };
    cccd::pki::folder::load_document_signer(pki, key).map_err(folder_failure)
}

/// Issues one chip image from a citizen record and a photo, signed by the Document Signer of the PKI folder
/// `pki_dir` (`cccd pki init`), into the new folder `out_dir` (it must not exist; it appears complete and
/// verified, or not at all), as `cccd issue` does.
///
/// `options_json` (NULL: none): `{"profile": "open" | "jmrtd-applet", "pkcs11": {"module": "…so", "token":
/// "…", "label": "…", "pin": "…"}}`. `*json_out` receives `{"schema_version": 1, "command": "issue", "out",
/// "files": [{file, length}], "bytes", "has_secrets"}`.
///
/// # Safety
/// Text arguments NUL-terminated; `photo` points to `photo_len` bytes; `json_out` writable; `err` as in the
/// crate docs.
/// Thread-safety: any thread, concurrently (different `out_dir`s).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_issue(
    record_json: *const c_char,
    photo: *const u8,
    photo_len: usize,
    pki_dir: *const c_char,
    out_dir: *const c_char,
    options_json: *const c_char,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(json_out, "json_out")?;
            let record = record(text(record_json, "record_json")?)?;
            let photo = bytes(photo, photo_len, "photo")?;
            let pki = Path::new(text(pki_dir, "pki_dir")?);
            let out_text = text(out_dir, "out_dir")?;
            let out = Path::new(out_text);
            let opts: IssueOptions = options(opt_text(options_json, "options_json")?)?;
            let recipe = match opts.profile.as_deref() {
                None | Some("open") => cccd::batch::ChipRecipe::default(),
                Some("jmrtd-applet") => cccd::batch::ChipRecipe {
                    aa_rsa_bits: Some(1024),
                    options: cccd::issuance::IssueOptions::jmrtd_applet(),
                    ..cccd::batch::ChipRecipe::default()
                },
                Some(_) => {
                    return Err(Failure::new(
                        cccd_status::CCCD_ERR_INVALID_ARGUMENT,
                        "profile: \"open\" or \"jmrtd-applet\"",
                    ));
                }
            };
            let ds = document_signer(pki, &opts)?;
            cccd::issuance::check_document_signer(&ds, None).map_err(|e| input(pki.join("ds.pem").display(), e))?;
            let csca = cccd::pki::folder::load_csca(pki).map_err(folder_failure)?;
            if out.exists() {
                return Err(input(out_text, "already exists"));
            }
            let image = recipe.issue(&record, photo, &ds).map_err(|e| input("issue", e))?;
            let trust = cccd::batch::FolderTrust { ds: &ds, csca: csca.as_ref() };
            cccd::batch::publish(&image, out, &trust, false).map_err(|e| input(out_text, e))?;
            put_json(json_out, &cccd::json::issue(out_text, &image));
            Ok(cccd_status::CCCD_OK)
        })
    }
}

/// Builds the card's QR payload text from a citizen record (JSON); `layout` is 2021 or 2024 (the current
/// layout). `*payload_out` receives the text (free with `cccd_string_free`).
///
/// # Safety
/// `record_json` NUL-terminated; `payload_out` writable; `err` as the conventions at the top of cccd.h say.
/// Thread-safety: any thread, concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_qr_build(
    record_json: *const c_char,
    layout: u32,
    payload_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(payload_out, "payload_out")?;
            let record = record(text(record_json, "record_json")?)?;
            let layout = match layout {
                2021 => QrLayout::V2021,
                2024 => QrLayout::V2024,
                other => {
                    return Err(Failure::new(
                        cccd_status::CCCD_ERR_INVALID_ARGUMENT,
                        format!("layout: 2021 or 2024, not {other}"),
                    ));
                }
            };
            let payload = QrPayload::from_record(&record, layout);
            payload.validate().map_err(|e| input("record_json", e))?;
            let text = Zeroizing::new(payload.build());
            *payload_out = crate::c_string(&text);
            Ok(cccd_status::CCCD_OK)
        })
    }
}

/// Parses and validates a card QR payload (the text a scanner gives): `*json_out` receives
/// `{"schema_version": 1, "command": "qr", "payload": {…}}` with the citizen record's field names.
///
/// # Safety
/// `payload` NUL-terminated; `json_out` writable; `err` as the conventions at the top of cccd.h say.
/// Thread-safety: any thread, concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_qr_parse(
    payload: *const c_char,
    json_out: *mut *mut c_char,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(json_out, "json_out")?;
            let text = text(payload, "payload")?;
            let parsed =
                QrPayload::parse(text).and_then(|p| p.validate().map(|()| p)).map_err(|e| input("payload", e))?;
            put_json(json_out, &cccd::json::qr(&parsed));
            Ok(cccd_status::CCCD_OK)
        })
    }
}

/// Renders a QR payload as a PNG (`module_px` pixels a module, 1 to 64; error correction M):
/// `*png_out`/`*png_len` receive the bytes (free with `cccd_bytes_free(png, len)`).
///
/// # Safety
/// `payload` NUL-terminated; `png_out` and `png_len` writable; `err` as the conventions at the top of cccd.h say.
/// Thread-safety: any thread, concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cccd_qr_png(
    payload: *const c_char,
    module_px: u32,
    png_out: *mut *mut u8,
    png_len: *mut usize,
    err: *mut cccd_error,
) -> cccd_status {
    // SAFETY: the contract above.
    unsafe {
        guard(err, || {
            clear_out(png_out, "png_out")?;
            if png_len.is_null() {
                return Err(Failure::new(cccd_status::CCCD_ERR_NULL_ARGUMENT, "png_len is NULL"));
            }
            *png_len = 0;
            if !(1..=64).contains(&module_px) {
                return Err(Failure::new(cccd_status::CCCD_ERR_INVALID_ARGUMENT, "module_px: 1 to 64"));
            }
            let text = text(payload, "payload")?;
            let options = RenderOptions { size: QrSize::ModulePixels(module_px), ..RenderOptions::default() };
            let png = cccd::qr::render_png(text, &options).map_err(|e| input("payload", e))?;
            let boxed = png.into_boxed_slice();
            *png_len = boxed.len();
            *png_out = Box::into_raw(boxed).cast::<u8>();
            Ok(cccd_status::CCCD_OK)
        })
    }
}
