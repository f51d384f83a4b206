//! The PC/SC transport of the C ABI through the real pcscd and the vsmartcard-vpcd reader (feature `pcsc`):
//! `cccd emulate --blank` behind `Virtual PCD 00 00`, personalized by `cccd_personalize_pcsc`, read back by
//! `cccd_read_pcsc` (genuine), and that read document equals `cccd read --json`'s without the fields only the
//! command knows (reader, APDU count, timing, face, saved files). Needs pcscd running with vpcd; run it alone
//! (`flock /tmp/cccd-pcsc.lock cargo test -p cccd-ffi --all-features --test pcsc` on a shared machine).
#![cfg(feature = "pcsc")]

use std::ffi::{CStr, CString, c_char};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use cccd_ffi::{cccd_error, cccd_error_free, cccd_personalize_pcsc, cccd_read_pcsc, cccd_status, cccd_string_free};
use serde_json::Value;

const READER: &str = "Virtual PCD 00 00";
const KEY: &str = "000102030405060708090A0B0C0D0E0F";

fn cccd_bin() -> PathBuf {
    let bin = std::env::var_os("CCCD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/cccd"));
    assert!(bin.exists(), "{} is missing: run `cargo build --all-features --bin cccd` first", bin.display());
    bin
}

fn cccd(args: &[&str]) -> std::process::Output {
    Command::new(cccd_bin()).args(args).output().unwrap()
}

/// `cccd emulate --blank` on vpcd port 35963, killed when dropped.
struct Emulator(Child);

impl Emulator {
    fn blank() -> Emulator {
        let mut child = Command::new(cccd_bin())
            .args(["emulate", "--blank", "--port", "35963", "--json"])
            .env("CCCD_TRANSPORT_KEY", KEY)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
        let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        assert_eq!(ready["event"], "ready", "{ready}");
        assert_eq!(ready["reader"], READER);
        Emulator(child)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The status, the document and the message of one call writing `json_out` and `err`.
fn call(f: impl FnOnce(*mut *mut c_char, *mut cccd_error) -> cccd_status) -> (cccd_status, String, String) {
    let mut json: *mut c_char = std::ptr::null_mut();
    let mut err = cccd_error { code: cccd_status::CCCD_OK, message: std::ptr::null_mut() };
    let rc = f(&mut json, &mut err);
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

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[test]
fn personalize_and_read_through_pcscd_by_reader_name() {
    let dir = std::env::temp_dir().join(format!("cccd-ffi-pcsc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    let (pki, chip, photo) = (dir.join("pki"), dir.join("chip"), dir.join("photo.png"));
    assert!(cccd(&["pki", "init", "--out", &s(&pki)]).status.success());
    image::RgbImage::from_fn(480, 600, |x, y| image::Rgb([(x * 255 / 480) as u8, (y * 255 / 600) as u8, 60]))
        .save(&photo)
        .unwrap();
    let record = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/records/nguyen-van-a.json");
    let issued =
        cccd(&["issue", "--record", &s(&record), "--photo", &s(&photo), "--pki", &s(&pki), "--out", &s(&chip)]);
    assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
    let can = std::fs::read_to_string(chip.join("secrets/can")).unwrap().trim().to_string();
    let csca = s(&pki.join("csca.pem"));

    let _emulator = Emulator::blank();
    let (reader, chip_dir) = (c(READER), c(&s(&chip)));
    let perso = c(&serde_json::json!({ "transport_key": KEY }).to_string());
    // SAFETY: NUL-terminated strings; `json`/`err` from `call`.
    let (rc, doc, msg) = call(|json, err| unsafe {
        cccd_personalize_pcsc(reader.as_ptr(), chip_dir.as_ptr(), perso.as_ptr(), json, err)
    });
    assert_eq!(rc, cccd_status::CCCD_OK, "{msg}\n{doc}");
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["command"], "perso");
    assert_eq!(doc["locked"], true, "{doc}");

    let options = c(&serde_json::json!({ "can": can, "trust": { "csca": [csca] } }).to_string());
    // SAFETY: as above.
    let (rc, doc, msg) = call(|json, err| unsafe { cccd_read_pcsc(reader.as_ptr(), options.as_ptr(), json, err) });
    assert_eq!(rc, cccd_status::CCCD_OK, "{msg}\n{doc}");
    let via_c: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(via_c["verdict"]["value"], "genuine", "{via_c}");

    let read = cccd(&["read", "--reader", READER, "--can", &can, "--csca", &csca, "--json", "--no-save"]);
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let mut via_cli: Value = serde_json::from_slice(&read.stdout).unwrap();
    for key in ["reader", "apdus", "milliseconds", "resumed", "face", "saved"] {
        via_cli.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(via_c, via_cli, "cccd_read_pcsc and `cccd read --json` differ");

    // a reader that is not there: a code and the reader's name
    let nowhere = c("No Such Reader 00 00");
    let quick = c(&serde_json::json!({ "can": can, "wait_seconds": 0 }).to_string());
    // SAFETY: as above.
    let (rc, _, msg) = call(|json, err| unsafe { cccd_read_pcsc(nowhere.as_ptr(), quick.as_ptr(), json, err) });
    assert!(matches!(rc, cccd_status::CCCD_ERR_NO_CARD | cccd_status::CCCD_ERR_CARD_REMOVED), "{rc:?}: {msg}");
    assert!(msg.contains("No Such Reader"), "{msg}");
    let _ = std::fs::remove_dir_all(&dir);
}
