//! `cccd_issue` with the Document Signer key in a real SoftHSM2 token (feature `pkcs11`): the PKI is made by
//! `cccd pki init --hsm-*` (the key generated in the token), the image issued through the C ABI verifies as
//! genuine, and a wrong PIN is refused with a code and a message that does not echo it.
#![cfg(feature = "pkcs11")]

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::process::Command;

use cccd_ffi::{cccd_error, cccd_error_free, cccd_issue, cccd_status, cccd_string_free, cccd_verify_image};

fn module() -> PathBuf {
    ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("SoftHSM2 must be installed (apt-get install softhsm2; .ci/run does it)")
}

fn cccd_bin() -> PathBuf {
    let bin = std::env::var_os("CCCD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/cccd"));
    assert!(bin.exists(), "{} is missing: run `cargo build --all-features --bin cccd` first", bin.display());
    bin
}

/// A fresh token (user PIN 1234), deleted when dropped.
struct Token(String);

impl Drop for Token {
    fn drop(&mut self) {
        let _ = Command::new("softhsm2-util").args(["--delete-token", "--token", &self.0]).output();
    }
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Calls `cccd_issue`; the status, the document (if any) and the message (if any).
fn issue(record: &str, photo: &[u8], pki: &Path, out: &Path, options: &str) -> (cccd_status, String, String) {
    let (record, pki, out, options) = (c(record), c(pki.to_str().unwrap()), c(out.to_str().unwrap()), c(options));
    let mut json: *mut c_char = std::ptr::null_mut();
    let mut err = cccd_error { code: cccd_status::CCCD_OK, message: std::ptr::null_mut() };
    // SAFETY: NUL-terminated strings, `photo` for its length, writable out-pointers, a zeroed error.
    let rc = unsafe {
        cccd_issue(
            record.as_ptr(),
            photo.as_ptr(),
            photo.len(),
            pki.as_ptr(),
            out.as_ptr(),
            options.as_ptr(),
            &mut json,
            &mut err,
        )
    };
    // SAFETY: NULL or NUL-terminated strings from the library, each freed once.
    unsafe {
        let doc = if json.is_null() { String::new() } else { CStr::from_ptr(json).to_string_lossy().into_owned() };
        let msg = if err.message.is_null() {
            String::new()
        } else {
            CStr::from_ptr(err.message).to_string_lossy().into_owned()
        };
        cccd_string_free(json);
        cccd_error_free(&mut err);
        (rc, doc, msg)
    }
}

#[test]
fn a_chip_issued_with_the_document_signer_key_in_softhsm2_is_genuine() {
    let dir = std::env::temp_dir().join(format!("cccd-ffi-pkcs11-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let token = Token(format!("cccd-ffi-{}", std::process::id()));
    let out = Command::new("softhsm2-util")
        .args(["--init-token", "--free", "--label", &token.0, "--so-pin", "0000", "--pin", "1234"])
        .output()
        .expect("softhsm2-util must be installed");
    assert!(out.status.success(), "softhsm2-util: {}", String::from_utf8_lossy(&out.stderr));
    let module = module();
    let pki = dir.join("pki");
    let out = Command::new(cccd_bin())
        .args(["pki", "init", "--out", pki.to_str().unwrap(), "--curve", "secp256r1"])
        .args(["--hsm-module", module.to_str().unwrap(), "--hsm-token", &token.0, "--hsm-key", "ds"])
        .env("CCCD_HSM_PIN", "1234")
        .output()
        .unwrap();
    assert!(out.status.success(), "pki init: {}", String::from_utf8_lossy(&out.stderr));
    assert!(!pki.join("ds.key").exists(), "the Document Signer key must stay in the token");

    let record =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/records/nguyen-van-a.json"))
            .unwrap();
    let img = image::RgbImage::from_fn(480, 600, |x, y| image::Rgb([(x * 255 / 480) as u8, (y * 255 / 600) as u8, 90]));
    let mut photo = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut photo), image::ImageFormat::Png).unwrap();
    let options = |pin: &str| {
        serde_json::json!({ "pkcs11": { "module": module, "token": token.0, "label": "ds", "pin": pin } }).to_string()
    };

    let chip = dir.join("chip");
    let (rc, doc, msg) = issue(&record, &photo, &pki, &chip, &options("1234"));
    assert_eq!(rc, cccd_status::CCCD_OK, "{msg}");
    assert!(doc.contains("\"command\": \"issue\""), "{doc}");

    let (path, trust) =
        (c(chip.to_str().unwrap()), c(&serde_json::json!({ "csca": [pki.join("csca.pem")] }).to_string()));
    let mut json: *mut c_char = std::ptr::null_mut();
    let mut err = cccd_error { code: cccd_status::CCCD_OK, message: std::ptr::null_mut() };
    // SAFETY: as in `issue`.
    let rc = unsafe { cccd_verify_image(path.as_ptr(), trust.as_ptr(), &mut json, &mut err) };
    // SAFETY: a NUL-terminated string from the library, freed once.
    let report = unsafe { CStr::from_ptr(json) }.to_string_lossy().into_owned();
    // SAFETY: both from the library, freed once.
    unsafe {
        cccd_string_free(json);
        cccd_error_free(&mut err);
    }
    assert_eq!(rc, cccd_status::CCCD_OK, "{report}");
    assert!(report.contains("\"value\": \"genuine\""), "{report}");

    let (rc, doc, msg) = issue(&record, &photo, &pki, &dir.join("chip-2"), &options("987654"));
    assert_eq!(rc, cccd_status::CCCD_ERR_INPUT, "{msg}");
    assert!(doc.is_empty() && !msg.is_empty() && !msg.contains("987654"), "{msg}");
    assert!(!dir.join("chip-2").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
