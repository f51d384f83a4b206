//! One chip image, three ways in: the C ABI's `cccd_verify_image`, the CLI's `cccd verify --json` and the
//! library (`cccd::emulator::verify_image` + `cccd::json::verify`) give the same JSON document and verdict, for
//! a genuine image and for a tampered one. The CLI binary is `target/debug/cccd` (`cargo build --all-features
//! --bin cccd`; `ffi/run-c-tests.sh` and `scripts/test.sh` build it) or `$CCCD_BIN`.

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::process::Command;

use cccd_ffi::{cccd_error, cccd_error_free, cccd_status, cccd_string_free, cccd_verify_image};
use serde_json::Value;

fn cccd_bin() -> PathBuf {
    let bin = std::env::var_os("CCCD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/cccd"));
    assert!(bin.exists(), "{} is missing: run `cargo build --all-features --bin cccd` first", bin.display());
    bin
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(cccd_bin()).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A smooth portrait-sized photo.
fn photo(dir: &Path) -> PathBuf {
    let img =
        image::RgbImage::from_fn(480, 600, |x, y| image::Rgb([(x * 255 / 480) as u8, (y * 255 / 600) as u8, 128]));
    let path = dir.join("photo.png");
    img.save(&path).unwrap();
    path
}

/// The C ABI's verdict document on `dir` with `csca` trusted.
fn via_c(dir: &Path, csca: &Path) -> (cccd_status, String) {
    let dir = CString::new(s(dir)).unwrap();
    let options = CString::new(serde_json::json!({ "csca": [s(csca)] }).to_string()).unwrap();
    let mut json: *mut c_char = std::ptr::null_mut();
    let mut err = cccd_error { code: cccd_status::CCCD_OK, message: std::ptr::null_mut() };
    // SAFETY: valid NUL-terminated strings, a writable out-pointer and a zeroed error.
    let rc = unsafe { cccd_verify_image(dir.as_ptr(), options.as_ptr(), &mut json, &mut err) };
    assert!(!json.is_null(), "no document (code {rc:?})");
    // SAFETY: the library returned a NUL-terminated string.
    let text = unsafe { CStr::from_ptr(json) }.to_str().unwrap().to_owned();
    // SAFETY: both came from the library and are freed once.
    unsafe {
        cccd_string_free(json);
        cccd_error_free(&mut err);
    }
    (rc, text)
}

/// The library's document on `dir` with `csca` trusted.
fn via_library(dir: &Path, csca: &Path) -> Value {
    let mut trust = cccd::pa::TrustStore::new();
    trust.add_path(csca).unwrap();
    let image = cccd::image::ChipImage::load_dir(dir).unwrap();
    let verifier = cccd::verify::Verifier::new(&trust, cccd::verify::Policy::counter());
    let checked = cccd::emulator::verify_image(&image, &verifier).unwrap();
    cccd::json::verify(&checked.verification, checked.session, checked.access)
}

#[test]
fn c_cli_and_library_give_the_same_verdict_document() {
    let dir = std::env::temp_dir().join(format!("cccd-ffi-same-verdict-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let pki = dir.join("pki");
    assert_eq!(run(&["pki", "init", "--out", s(&pki)]).0, 0);
    let chip = dir.join("chip");
    let record = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/records/nguyen-van-a.json");
    let photo = photo(&dir);
    let (code, _) = run(&["issue", "--record", s(&record), "--photo", s(&photo), "--pki", s(&pki), "--out", s(&chip)]);
    assert_eq!(code, 0);
    let csca = pki.join("csca.pem");

    let tampered = dir.join("tampered");
    std::fs::create_dir_all(tampered.join("secrets")).unwrap();
    for entry in std::fs::read_dir(&chip).unwrap().chain(std::fs::read_dir(chip.join("secrets")).unwrap()) {
        let path = entry.unwrap().path();
        if path.is_file() {
            let rel = path.strip_prefix(&chip).unwrap();
            std::fs::copy(&path, tampered.join(rel)).unwrap();
        }
    }
    let mut dg13 = std::fs::read(tampered.join("DG13.bin")).unwrap();
    let last = dg13.len() - 1;
    dg13[last] ^= 0x01;
    std::fs::write(tampered.join("DG13.bin"), dg13).unwrap();

    for (image, want_code, want_verdict) in
        [(&chip, cccd_status::CCCD_OK, "genuine"), (&tampered, cccd_status::CCCD_NOT_GENUINE, "tampered")]
    {
        let (cli_code, cli_out) = run(&["verify", s(image), "--csca", s(&csca), "--json"]);
        let cli: Value = serde_json::from_str(&cli_out).unwrap();
        let (rc, c_text) = via_c(image, &csca);
        let c: Value = serde_json::from_str(&c_text).unwrap();
        let library = via_library(image, &csca);
        assert_eq!(rc, want_code, "{c}");
        assert_eq!(c["verdict"]["value"], want_verdict, "{c}");
        assert_eq!(cli_code, if want_verdict == "genuine" { 0 } else { 1 });
        assert_eq!(c, cli, "the C ABI and `cccd verify --json` differ on {}", image.display());
        assert_eq!(c, library, "the C ABI and the library differ on {}", image.display());
        // byte for byte too: the CLI prints the document as the ABI returns it, and a newline
        assert_eq!(c_text + "\n", cli_out);
    }
    // the same call from four threads at once: the same document each time (the ABI keeps no global state)
    let (_, alone) = via_c(&chip, &csca);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (chip, csca) = (chip.clone(), csca.clone());
            std::thread::spawn(move || via_c(&chip, &csca))
        })
        .collect();
    for t in threads {
        let (rc, text) = t.join().unwrap();
        assert_eq!(rc, cccd_status::CCCD_OK);
        assert_eq!(text, alone);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
