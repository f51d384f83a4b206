//! Running the `cccd` binary as a user would: the helpers the command-line tests (`tests/cli*.rs`) share.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Runs `cccd` with `args` (the transport key variable removed, so a test never inherits one): the exit code,
/// standard output and standard error.
pub fn cccd(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cccd"))
        .args(args)
        .env_remove("CCCD_TRANSPORT_KEY")
        .output()
        .expect("run cccd");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `cccd` with `args` and parses its standard output as one JSON document (panics, with standard error,
/// when it is not).
pub fn cccd_json(args: &[&str]) -> (i32, Value) {
    let (code, out, err) = cccd(args);
    (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("cccd {args:?}: {e}: {out} {err}")))
}

/// `cccd verify CHIP --json EXTRA…`: the exit code (0 or 1: the verification ran) and the document.
pub fn verify_json(chip: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", s(chip), "--json"];
    args.extend_from_slice(extra);
    let (code, v) = cccd_json(&args);
    assert!(code == 0 || code == 1, "verify failed to run: {v}");
    (code, v)
}

/// `cccd issue --record RECORD --photo PHOTO --pki PKI --out OUT EXTRA…`.
pub fn issue(record: &Path, photo: &Path, pki: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["issue", "--record", s(record), "--photo", s(photo), "--pki", s(pki), "--out", s(out)];
    args.extend_from_slice(extra);
    cccd(&args)
}

/// `cccd issue-batch --records RECORDS --photo PHOTO --pki PKI --out OUT EXTRA…`.
pub fn issue_batch(records: &Path, photo: &Path, pki: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["issue-batch", "--records", s(records), "--photo", s(photo), "--pki", s(pki), "--out", s(out)];
    args.extend_from_slice(extra);
    cccd(&args)
}

/// A fresh, empty folder for test `name` of this test binary (and this process).
pub fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cccd-{}-{name}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A path as the `&str` an argument list takes.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The sample citizen record (`examples/records/nguyen-van-a.json`).
pub fn record_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json"))
}

/// The sample citizen record, parsed.
pub fn record_json() -> Value {
    serde_json::from_slice(&std::fs::read(record_path()).unwrap()).unwrap()
}

/// The sample citizen record with another ID number.
pub fn record_with_id(id: &str) -> Value {
    let mut r = record_json();
    r["id_number"] = serde_json::json!(id);
    r
}

/// A portrait-like photo (a face-coloured ellipse on a gradient), 600×800 PNG, written to `dir/photo.png`.
pub fn photo(dir: &Path) -> PathBuf {
    let img = image::RgbImage::from_fn(600, 800, |x, y| {
        let (dx, dy) = (x as f32 - 300.0, y as f32 - 330.0);
        if (dx / 130.0).powi(2) + (dy / 170.0).powi(2) < 1.0 {
            image::Rgb([220, 180, 150])
        } else {
            image::Rgb([(x / 3) as u8, 200, (y / 4) as u8])
        }
    });
    let path = dir.join("photo.png");
    img.save(&path).unwrap();
    path
}

/// A copy of the folder `from` (and its subfolders) at `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
