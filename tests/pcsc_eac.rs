//! Extended Access Control end to end through a real `pcscd` with the `vsmartcard-vpcd` virtual reader: the
//! EAC PKI from `cccd pki cvca|dv|is`, a chip image from `cccd issue --fingerprints --cvca`, written to
//! `cccd emulate --blank` by `cccd perso --terminal` (PUT DATA of the trust point and current date, DG3 read
//! back through Terminal Authentication), then `cccd read --terminal` gets DG3 byte-identical; without the IS
//! chain DG3 is protected and the read is still genuine; bad inspection systems are refused by the chip
//! (`emulate --log-apdus`) with the status 9303-11 §7.1.5 names and reported by the reader with its own code.
//!
//! `pcscd` is system-wide: run under `flock /tmp/cccd-pcsc.lock`; the tests in this file run one at a time.
#![cfg(feature = "pcsc")]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use cccd::lds::LdsFile;

static PCSCD: Mutex<()> = Mutex::new(());

struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn cccd(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cccd")).args(args).output().expect("run cccd")
}

fn ok(args: &[&str]) {
    let out = cccd(args);
    assert!(
        out.status.success(),
        "cccd {args:?}: {} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `cccd emulate ARGS --json` and waits for its `ready` event (pcscd took the card).
fn emulate(args: &[&str]) -> Emulator {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cccd"))
        .args(args)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let emulator = Emulator(child);
    let mut lines = std::io::BufReader::new(stdout).lines();
    let ready = lines.find(|l| l.as_ref().is_ok_and(|l| l.contains("\"ready\"")));
    assert!(ready.is_some(), "cccd emulate {args:?} never became ready");
    // keep draining its events so it never blocks on a full pipe
    std::thread::spawn(move || for _ in lines {});
    emulator
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn require_pcscd() {
    let readers = cccd(&["readers"]);
    let list = String::from_utf8_lossy(&readers.stdout);
    assert!(
        readers.status.success() && list.contains("Virtual PCD 00 00"),
        "pcscd with the vsmartcard-vpcd driver must be running (scripts/test.sh starts it): {list} {}",
        String::from_utf8_lossy(&readers.stderr)
    );
}

const READER: &str = "Virtual PCD 00 00";

fn read(can: &str, csca: &Path, out: &Path, terminal: Option<&Path>) -> (i32, serde_json::Value) {
    let mut args = vec!["read", "--reader", READER, "--can", can, "--csca", s(csca), "--out", s(out), "--json"];
    args.extend(["--wait", "15"]);
    if let Some(t) = terminal {
        args.extend(["--terminal", s(t)]);
    }
    let out = cccd(&args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {} {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), report)
}

fn today_minus(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() - time::Duration::days(days)).to_string()
}

/// An IS folder copied from `from` with one byte of `is.cvcert`'s signature flipped.
fn with_bad_signature(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in ["cvca.cvcert", "dv.cvcert", "is.cvcert", "is.key"] {
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
    let mut cert = std::fs::read(to.join("is.cvcert")).unwrap();
    let last = cert.len() - 1;
    cert[last] ^= 0x01;
    std::fs::write(to.join("is.cvcert"), cert).unwrap();
}

/// `cccd pki init` in `base/pki`, then `cccd issue --fingerprints FINGERS --cvca CVCA --out CHIP` of the sample
/// record with the test face; the image issued.
fn issue_with_fingers(base: &Path, fingers: &Path, cvca: &Path, chip: &Path) -> cccd::image::ChipImage {
    let pki = base.join("pki");
    ok(&["pki", "init", "--out", s(&pki)]);
    let photo = base.join("photo.jpg");
    std::fs::write(&photo, common::chip::face_jpeg().0).unwrap();
    let record = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    let mut args = vec!["issue", "--record", record, "--photo", s(&photo), "--pki", s(&pki), "--out", s(chip)];
    args.extend(["--fingerprints", s(fingers), "--cvca", s(cvca)]);
    ok(&args);
    cccd::image::ChipImage::load_dir(chip).unwrap()
}

#[test]
fn eac_issue_perso_read_with_and_without_terminal_and_refusals() {
    let _one_at_a_time = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    require_pcscd();
    let base = std::env::temp_dir().join(format!("cccd-pcsc-eac-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let p = |n: &str| -> PathBuf { base.join(n) };

    // the EAC PKI: a CVCA with DG3/DG4, a domestic DV with DG3, terminals good and bad
    ok(&["pki", "cvca", "--out", s(&p("cvca")), "--chr", "VNCVCA00001", "--dg3", "--dg4"]);
    ok(&["pki", "dv", "--cvca", s(&p("cvca")), "--out", s(&p("dv")), "--chr", "VNDVPOLICE00001", "--dg3"]);
    ok(&["pki", "is", "--dv", s(&p("dv")), "--out", s(&p("is")), "--chr", "VNISHANOI00001", "--dg3"]);
    ok(&["pki", "is", "--dv", s(&p("dv")), "--out", s(&p("is-no-dg3")), "--chr", "VNISHANOI00002"]);
    let effective = today_minus(40);
    ok(&[
        "pki",
        "is",
        "--dv",
        s(&p("dv")),
        "--out",
        s(&p("is-expired")),
        "--chr",
        "VNISHANOI00003",
        "--dg3",
        "--effective",
        &effective,
        "--days",
        "30",
    ]);
    ok(&["pki", "cvca", "--out", s(&p("cvca-other")), "--chr", "XXCVCA00001", "--dg3", "--dg4"]);
    ok(&["pki", "dv", "--cvca", s(&p("cvca-other")), "--out", s(&p("dv-other")), "--chr", "XXDVPOLICE00001", "--dg3"]);
    ok(&["pki", "is", "--dv", s(&p("dv-other")), "--out", s(&p("is-other")), "--chr", "XXISHANOI00001", "--dg3"]);
    with_bad_signature(&p("is"), &p("is-bad-signature"));

    // a chip image with two fingers and the CVCA as its trust point
    let fingers = p("fingers");
    std::fs::create_dir_all(&fingers).unwrap();
    let img = image::GrayImage::from_fn(40, 50, |x, y| image::Luma([((x * 5 + y) % 256) as u8]));
    img.save(fingers.join("right-index.png")).unwrap();
    std::fs::write(fingers.join("left_index.wsq"), [0xFF, 0xA0, 0xFF, 0xA4, 1, 2]).unwrap();
    let chip = p("chip");
    let image = issue_with_fingers(&base, &fingers, &p("cvca"), &chip);
    let eac = image.eac.as_ref().expect("the image carries the trust point");
    let cvca = cccd::cvc::CvCertificate::decode(&std::fs::read(p("cvca").join("cvca.cvcert")).unwrap()).unwrap();
    assert_eq!(eac.trust_points(), std::slice::from_ref(&cvca));
    // EF.CVCA beside it names the CVCA; it is not a data group: neither EF.COM nor the SOD lists it
    let ef_cvca = cccd::cvc::EfCvca::decode(&std::fs::read(chip.join("eac/EF.CVCA.bin")).unwrap()).unwrap();
    assert_eq!(ef_cvca.cars, vec![cvca.chr().clone()]);
    let dg3 = LdsFile::dg(3).unwrap();
    assert!(image.files.contains_key(&dg3));
    let sod = cccd::lds::sod::Sod::decode(&image.files[&LdsFile::Sod]).unwrap();
    assert_eq!(
        sod.lds_security_object.data_group_hashes.len(),
        image.files.keys().filter(|f| f.dg_number().is_some()).count()
    );
    // EF.CardAccess and DG14 announce Terminal Authentication v1 (default EF.CVCA)
    let ca = cccd::lds::security_infos::CardAccess::decode(&image.files[&LdsFile::CardAccess]).unwrap();
    let ta = ca.infos.terminal_authentication().expect("TerminalAuthenticationInfo in EF.CardAccess");
    assert_eq!((ta.version, ta.ef_cvca.is_none()), (1, true));
    let dg14 = cccd::lds::security_infos::Dg14::decode(&image.files[&LdsFile::dg(14).unwrap()]).unwrap();
    assert_eq!(dg14.infos.terminal_authentication().map(|t| t.version), Some(1));

    let can = image.secrets.can.as_deref().unwrap().to_string();
    let csca = p("pki").join("csca.pem");
    let key = "000102030405060708090a0b0c0d0e0f";
    {
        // a blank chip: perso writes the trust point and date, reads DG3 back through TA, locks
        let log = p("perso-apdus.log");
        let _emulator =
            emulate(&["emulate", "--blank", "--port", "35963", "--transport-key", key, "--log-apdus", s(&log)]);
        let out = cccd(&[
            "perso",
            "--reader",
            READER,
            s(&chip),
            "--transport-key",
            key,
            "--terminal",
            s(&p("is")),
            "--json",
            "--wait",
            "15",
        ]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(out.status.success(), "cccd perso: {report} {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!((&report["locked"], &report["verdict"]["value"]), (&true.into(), &"genuine".into()), "{report}");
        // the PUT DATA of the trust point (64) and the current date (67) were accepted, and TA ran (EXTERNAL
        // AUTHENTICATE, INS 82, after the transport-key session's)
        let log = std::fs::read_to_string(&log).unwrap();
        assert!(log.contains("0C DA 00 64"), "trust point PUT DATA: {log}");
        assert!(log.contains("0C DA 00 67"), "current date PUT DATA: {log}");
        assert!(log.matches("0C 82 00 00").count() >= 1, "TA's EXTERNAL AUTHENTICATE under SM: {log}");

        // with the IS chain: TA passes and DG3 is read, byte for byte
        let (code, report) = read(&can, &csca, &p("read-ta"), Some(&p("is")));
        assert_eq!(code, 0, "{report}");
        assert_eq!(report["verdict"]["value"], "genuine", "{report}");
        assert_eq!(report["terminal_authentication"]["status"], "passed", "{report}");
        assert_eq!(report["protected"], serde_json::json!([]), "{report}");
        assert!(report["files"].as_array().unwrap().iter().any(|f| f["file"] == "DG3"), "{report}");
        assert_eq!(std::fs::read(p("read-ta").join("DG3.bin")).unwrap(), image.files[&dg3]);
        for (file, bytes) in &image.files {
            assert!(std::fs::read(p("read-ta").join(format!("{}.bin", file.name()))).unwrap() == *bytes, "{file}");
        }

        // without it: DG3 protected by EAC, everything else valid, the verdict genuine
        let (code, report) = read(&can, &csca, &p("read-no-ta"), None);
        assert_eq!(code, 0, "{report}");
        assert_eq!(report["verdict"]["value"], "genuine", "{report}");
        assert_eq!(report["protected"], serde_json::json!(["DG3"]), "{report}");
        assert_eq!(report["terminal_authentication"]["status"], "not_checked", "{report}");
        assert!(report["terminal_authentication"]["reason"].as_str().unwrap().contains("protected by EAC"), "{report}");
        assert_eq!(report["chip_authentication"]["status"], "passed", "{report}");
        assert!(!p("read-no-ta").join("DG3.bin").exists());
    }

    // the issued image served directly (TA enforced from its trust point): each bad inspection system is
    // refused by the chip with the status 9303-11 names, and the reader says why in its own words
    for (n, (terminal, chip_status, code)) in [
        ("is-no-dg3", "6982", "ta_not_granted"),
        ("is-expired", "6984", "ta_certificate_expired"),
        ("is-other", "6A88", "ta_unknown_trust_point"),
        ("is-bad-signature", "6984", "ta_certificate_signature"),
    ]
    .into_iter()
    .enumerate()
    {
        let log = p(&format!("apdus-{n}.log"));
        let emulator = emulate(&["emulate", s(&chip), "--port", "35963", "--log-apdus", s(&log)]);
        let (exit, report) = read(&can, &csca, &p(&format!("read-{terminal}")), Some(&p(terminal)));
        drop(emulator);
        assert_eq!(exit, 0, "{terminal}: the rest of the read is genuine: {report}");
        assert_eq!(report["verdict"]["value"], "genuine", "{terminal}: {report}");
        let ta = &report["terminal_authentication"];
        assert_eq!(ta["status"], "failed", "{terminal}: {report}");
        assert_eq!(ta["code"], code, "{terminal}: {report}");
        assert_eq!(ta["status_word"], chip_status, "{terminal}: {report}");
        assert_eq!(report["protected"], serde_json::json!(["DG3"]), "{terminal}: {report}");
        let log = std::fs::read_to_string(&log).unwrap();
        assert!(log.contains(&format!("sw={chip_status}")), "{terminal}: the chip answered {chip_status}: {log}");
    }
    std::fs::remove_dir_all(&base).unwrap();
}

/// The SoftHSM2 module (`apt-get install softhsm2`; `.ci/run` does it).
#[cfg(feature = "pkcs11")]
fn softhsm_module() -> PathBuf {
    ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("SoftHSM2 must be installed (apt-get install softhsm2; .ci/run does it)")
}

/// The EAC PKI with its CVCA and inspection-system keys in a real SoftHSM2 token (`pki cvca|is --hsm-*`, the
/// folders name them in `cvca.hsm`/`is.hsm`; the DV key in software, signed by the token's CVCA key): the CVCA
/// key change signs its link certificate in the token, and `cccd read --terminal` signs Terminal
/// Authentication with the token's IS key through pcscd, so the chip opens DG3.
#[cfg(feature = "pkcs11")]
#[test]
fn eac_keys_in_softhsm2_sign_the_chain_and_terminal_authentication() {
    let _one_at_a_time = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    require_pcscd();
    let base = std::env::temp_dir().join(format!("cccd-pcsc-eac-hsm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let p = |n: &str| -> PathBuf { base.join(n) };
    let token = format!("cccd-eac-{}", std::process::id());
    let made = Command::new("softhsm2-util")
        .args(["--init-token", "--free", "--label", &token, "--so-pin", "0000", "--pin", "1234"])
        .output()
        .expect("softhsm2-util (apt-get install softhsm2)");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let module = softhsm_module();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cccd")).args(args).env("CCCD_HSM_PIN", "1234").output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code().unwrap_or(-1), stdout, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (cvca_dir, dv_dir, is_dir, is_again) = (p("cvca"), p("dv"), p("is"), p("is-again"));
    let hsm = |label: &'static str| ["--hsm-module", s(&module), "--hsm-token", token.as_str(), "--hsm-key", label];

    let mut args = vec!["pki", "cvca", "--out", s(&cvca_dir), "--chr", "VNCVCA00001", "--dg3", "--json"];
    args.extend(hsm("cvca-1"));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("cvca.hsm") && !p("cvca").join("cvca.key").exists(), "no key file: {out}");
    let (code, out, err) =
        run(&["pki", "dv", "--cvca", s(&p("cvca")), "--out", s(&p("dv")), "--chr", "VNDVPOLICE00001", "--dg3"]);
    assert_eq!(code, 0, "the DV signed by the CVCA key in the token: {out}{err}");
    let mut args = vec!["pki", "is", "--dv", s(&dv_dir), "--out", s(&is_dir), "--chr", "VNISHANOI00001", "--dg3"];
    args.extend(hsm("is-1"));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(p("is").join("is.hsm").exists() && !p("is").join("is.key").exists());
    // a label already in the token is refused, the folder untouched
    let mut args = vec!["pki", "is", "--dv", s(&dv_dir), "--out", s(&is_again), "--chr", "VNISHANOI00002"];
    args.extend(hsm("is-1"));
    let (code, out, err) = run(&args);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("already holds a key labelled"), "{err}");
    assert!(!p("is-again").join("is.cvcert").exists());

    // the certificates verify: DV under the CVCA (token key), IS under the DV
    let cert = |path: PathBuf| cccd::cvc::CvCertificate::decode(&std::fs::read(path).unwrap()).unwrap();
    let (cvca, dv, is) =
        (cert(p("cvca").join("cvca.cvcert")), cert(p("dv").join("dv.cvcert")), cert(p("is").join("is.cvcert")));
    let algorithm = cvca.body.public_key.algorithm;
    let cvca_key = cvca.body.public_key.resolve(None).unwrap();
    cvca.verify_signature(&cvca_key, algorithm).expect("the self-signed CVCA, signed in the token");
    dv.verify_signature(&cvca_key, algorithm).expect("the DV certificate, signed in the token");
    let dv_key = dv.body.public_key.resolve(cvca.body.public_key.own_curve()).unwrap();
    is.verify_signature(&dv_key, algorithm).expect("the IS certificate, signed by the DV's software key");

    // a chip trusting the CVCA, served directly; the read signs TA with the token's IS key and gets DG3
    let fingers = p("fingers");
    std::fs::create_dir_all(&fingers).unwrap();
    image::GrayImage::from_fn(40, 50, |x, y| image::Luma([((x * 3 + y) % 256) as u8]))
        .save(fingers.join("right-index.png"))
        .unwrap();
    let chip = p("chip");
    let image = issue_with_fingers(&base, &fingers, &p("cvca"), &chip);
    let can = image.secrets.can.as_deref().unwrap().to_string();
    let csca = p("pki").join("csca.pem");
    {
        let _emulator = emulate(&["emulate", s(&chip), "--port", "35963"]);
        let read_dir = p("read");
        let mut args = vec!["read", "--reader", READER, "--can", &can, "--csca", s(&csca)];
        args.extend(["--out", s(&read_dir), "--json", "--wait", "15", "--terminal", s(&is_dir)]);
        let (code, out, err) = run(&args);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        assert_eq!(code, 0, "{report}");
        assert_eq!(report["terminal_authentication"]["status"], "passed", "{report}");
        assert_eq!(report["verdict"]["value"], "genuine", "{report}");
        let dg3 = LdsFile::dg(3).unwrap();
        assert_eq!(std::fs::read(p("read").join("DG3.bin")).unwrap(), image.files[&dg3]);
    }

    // the CVCA key changes inside the token: the link certificate is signed by the old key there
    let mut args = vec!["pki", "cvca", "--out", s(&cvca_dir), "--chr", "VNCVCA00002", "--dg3"];
    args.extend(hsm("cvca-2"));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}{err}");
    let link = cert(p("cvca").join("link-VNCVCA00002.cvcert"));
    link.verify_signature(&cvca_key, algorithm).expect("the link certificate, signed by the old key in the token");
    assert!(std::fs::read_to_string(p("cvca").join("cvca.hsm")).unwrap().contains("\"cvca-2\""));

    let _ = Command::new("softhsm2-util").args(["--delete-token", "--token", &token]).output();
    std::fs::remove_dir_all(&base).unwrap();
}
