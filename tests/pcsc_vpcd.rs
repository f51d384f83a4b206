//! End to end through a real `pcscd` with the `vsmartcard-vpcd` virtual reader: `cccd emulate` serves a chip
//! image, `cccd read` reads it over PC/SC with BAC and writes every file, byte-identical to the image.
//!
//! `pcscd` is system-wide: `scripts/test.sh` starts it, and the tests in this file run one at a time.
#![cfg(feature = "pcsc")]
mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use common::chip::cccd_image_signed;

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

fn require_pcscd() {
    let readers = cccd(&["readers"]);
    let list = String::from_utf8_lossy(&readers.stdout);
    assert!(
        readers.status.success() && list.contains("Virtual PCD 00 00"),
        "pcscd with the vsmartcard-vpcd driver must be running (scripts/test.sh starts it): {list} {}",
        String::from_utf8_lossy(&readers.stderr)
    );
}

#[test]
fn emulate_and_read_over_pcsc_with_bac_and_pace() {
    let _one_at_a_time = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    require_pcscd();
    let (image, csca_pem) = cccd_image_signed();
    let base = std::env::temp_dir().join(format!("cccd-pcsc-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let csca = base.join("csca.pem");
    std::fs::write(&csca, csca_pem).unwrap();
    let chipdir = base.join("chip");
    let out = base.join("read");
    image.save_dir(&chipdir).unwrap();
    let mrz = common::chip::record().to_mrz().unwrap().to_text().unwrap();
    let can = common::chip::record().can().unwrap().to_string();
    // BAC asked for explicitly: by default the reader runs PACE when EF.CardAccess offers it
    let bac = ["--mrz", mrz.as_str(), "--access", "bac"];
    let pace = ["--can", can.as_str(), "--access", "pace"];
    for (flags, port, reader, key, access) in [
        (vec![], "35963", "Virtual PCD 00 00", bac, "BAC"),
        (vec!["--no-extended-length"], "35964", "Virtual PCD 00 01", bac, "BAC"),
        (vec!["--no-extended-length", "--no-atr-info"], "35963", "Virtual PCD 00 00", bac, "BAC"),
        (vec![], "35964", "Virtual PCD 00 01", pace, "PACE-GM-ECDH-AES128 (brainpoolP256r1)"),
    ] {
        let mut args = vec!["emulate", chipdir.to_str().unwrap(), "--port", port];
        args.extend(flags.iter().copied());
        let _emulator = Emulator(
            Command::new(env!("CARGO_BIN_EXE_cccd"))
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let read = cccd(&[
            "read",
            "--reader",
            reader,
            key[0],
            key[1],
            key[2],
            key[3],
            "--out",
            out.to_str().unwrap(),
            "--csca",
            csca.to_str().unwrap(),
            "--json",
            "--wait",
            "15",
        ]);
        assert!(
            read.status.success(),
            "cccd read failed: {} {}",
            String::from_utf8_lossy(&read.stderr),
            String::from_utf8_lossy(&read.stdout)
        );
        let report: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
        assert_eq!(report["access"], access);
        assert_eq!(report["extended_length"], flags.is_empty());
        assert_eq!(report["protected"], serde_json::json!(["DG3"]));
        assert_eq!(report["passive_authentication"]["valid"], true, "{}", report["passive_authentication"]);
        assert_eq!(report["chip_authentication"]["status"], "passed", "{}", report["chip_authentication"]);
        assert_eq!(report["active_authentication"]["status"], "passed", "{}", report["active_authentication"]);
        assert_eq!(report["clone_suspected"], false);
        assert_eq!((report["schema_version"].as_u64(), report["command"].as_str()), (Some(1), Some("read")));
        assert_eq!(report["verdict"]["value"], "genuine", "{}", report["verdict"]);
        let face = image::open(out.join("face.png")).expect("cccd read --out writes the face as PNG");
        assert!(face.width() > 0 && face.height() > face.width(), "portrait face");
        eprintln!(
            "{reader} {access}: {} APDUs, {} ms, extended length {}",
            report["apdus"], report["milliseconds"], report["extended_length"]
        );
        for (file, bytes) in &image.files {
            if file.dg_number() == Some(3) {
                continue;
            }
            let got = std::fs::read(out.join(format!("{}.bin", file.name()))).unwrap();
            assert!(got == *bytes, "{} differs", file.name());
        }
        std::fs::remove_dir_all(&out).unwrap();
    }

    // a clone: the signed files copied onto a chip with other private keys
    let mut clone = image.clone();
    clone.secrets.chip_authentication.as_mut().unwrap().key = cccd::image::ChipAuthenticationPrivateKey::Ecdh(
        cccd::pki::SoftwareKey::generate(cccd::crypto::ec::NamedCurve::BrainpoolP256r1),
    );
    clone.secrets.active_authentication = Some(cccd::image::ActiveAuthenticationKey::Ecdsa(
        cccd::pki::SoftwareKey::generate(cccd::crypto::ec::NamedCurve::BrainpoolP256r1),
    ));
    let clone_dir = base.join("clone");
    clone.save_dir(&clone_dir).unwrap();
    let _emulator = Emulator(
        Command::new(env!("CARGO_BIN_EXE_cccd"))
            .args(["emulate", clone_dir.to_str().unwrap(), "--port", "35963"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let read = Command::new(env!("CARGO_BIN_EXE_cccd"))
        .args(["read", "--reader", "Virtual PCD 00 00", "--can", &can, "--json", "--wait", "15", "--no-save"])
        .args(["--csca", csca.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(read.status.code(), Some(1), "{}", String::from_utf8_lossy(&read.stderr));
    let report: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(report["passive_authentication"]["valid"], true, "the copied files verify");
    assert_eq!(report["chip_authentication"]["status"], "failed");
    assert_eq!(report["active_authentication"]["status"], "failed");
    assert_eq!(report["clone_suspected"], true);
    assert_eq!(report["verdict"]["value"], "clone_suspected", "{}", report["verdict"]);
    let codes: Vec<&str> =
        report["verdict"]["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    assert!(codes.contains(&"chip_authentication_failed"), "{codes:?}");
    std::fs::remove_dir_all(&base).unwrap();
}

/// The card-printing path through real `pcscd`: `cccd emulate --blank` + `cccd perso` + `cccd read` ends with a
/// locked chip whose every file is byte-identical and whose verification passes; a card pulled mid-write (an
/// injected fault) is completed by a second `cccd perso`. The second chip comes from `cccd pki init` and
/// `cccd issue --aa-rsa 2048 --ca-dh 1`: RSA Active Authentication and DH Chip Authentication keys, put with
/// PUT DATA and proven before LOCK.
#[test]
fn emulate_blank_perso_then_read_over_pcsc() {
    let _one_at_a_time = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    require_pcscd();
    let base = std::env::temp_dir().join(format!("cccd-pcsc-perso-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    // chip 1: the test image (ECDSA Active Authentication)
    let (image, csca_pem) = cccd_image_signed();
    let csca = base.join("csca.pem");
    std::fs::write(&csca, csca_pem).unwrap();
    let chipdir = base.join("chip");
    image.save_dir(&chipdir).unwrap();
    // chip 2: issued by the command line with RSA Active Authentication and DH Chip Authentication keys
    let pki = base.join("pki");
    assert!(cccd(&["pki", "init", "--out", pki.to_str().unwrap(), "--curve", "secp256r1"]).status.success());
    let photo = base.join("photo.jpg");
    std::fs::write(&photo, common::chip::face_jpeg().0).unwrap();
    let rsa_chipdir = base.join("chip-rsa");
    let record = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    let issued = cccd(&[
        "issue",
        "--record",
        record,
        "--photo",
        photo.to_str().unwrap(),
        "--pki",
        pki.to_str().unwrap(),
        "--out",
        rsa_chipdir.to_str().unwrap(),
        "--aa-rsa",
        "2048",
        "--ca-dh",
        "1",
    ]);
    assert!(issued.status.success(), "cccd issue: {}", String::from_utf8_lossy(&issued.stderr));
    let rsa_image = cccd::image::ChipImage::load_dir(&rsa_chipdir).unwrap();
    assert!(matches!(rsa_image.secrets.active_authentication, Some(cccd::image::ActiveAuthenticationKey::Rsa(_))));
    assert!(matches!(
        rsa_image.secrets.chip_authentication.as_ref().map(|k| &k.key),
        Some(cccd::image::ChipAuthenticationPrivateKey::Dh(_))
    ));
    let rsa_csca = pki.join("csca.pem");
    let key = "000102030405060708090a0b0c0d0e0f";
    let can = common::chip::record().can().unwrap().to_string();
    for (port, reader, fault, chipdir, csca, image) in [
        ("35963", "Virtual PCD 00 00", None, &chipdir, &csca, &image),
        ("35964", "Virtual PCD 00 01", Some("drop-after=25"), &rsa_chipdir, &rsa_csca, &rsa_image),
    ] {
        // the first chip takes its transport key from the environment (emulate) and a file (perso); the second
        // from the command line, which still works
        let key_file = base.join("transport.key");
        std::fs::write(&key_file, format!("{key}\n")).unwrap();
        let from_env = fault.is_none();
        let mut args = vec!["emulate", "--blank", "--port", port];
        if !from_env {
            args.extend(["--transport-key", key]);
        }
        if let Some(f) = fault {
            args.extend(["--fault", f]);
        }
        let mut emulate = Command::new(env!("CARGO_BIN_EXE_cccd"));
        emulate.args(&args).env_remove("CCCD_TRANSPORT_KEY").stdout(Stdio::null()).stderr(Stdio::null());
        if from_env {
            emulate.env("CCCD_TRANSPORT_KEY", key);
        }
        let _emulator = Emulator(emulate.spawn().unwrap());
        let perso = || {
            let mut args = vec!["perso", "--reader", reader, chipdir.to_str().unwrap(), "--json", "--wait", "15"];
            if from_env {
                args.extend(["--transport-key-file", key_file.to_str().unwrap()]);
            } else {
                args.extend(["--transport-key", key]);
            }
            cccd(&args)
        };
        let mut out = perso();
        if fault.is_some() {
            // the pulled card is a removed card (not a zero-byte APDU error): exit 4, and the report says run again
            assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stdout));
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(report["locked"], false);
            assert_eq!(report["run_again"], true, "{report}");
            std::thread::sleep(std::time::Duration::from_millis(800));
            out = perso();
        }
        assert!(
            out.status.success(),
            "cccd perso: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["locked"], true);
        eprintln!("{reader}: perso {} APDUs, {} ms (fault {fault:?})", report["apdus"], report["milliseconds"]);

        let readout = base.join(format!("read-{port}"));
        let read = cccd(&[
            "read",
            "--reader",
            reader,
            "--can",
            &can,
            "--csca",
            csca.to_str().unwrap(),
            "--out",
            readout.to_str().unwrap(),
            "--json",
            "--wait",
            "15",
        ]);
        assert!(read.status.success(), "cccd read: {}", String::from_utf8_lossy(&read.stdout));
        let report: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
        assert_eq!(report["valid"], true);
        assert_eq!(report["chip_authentication"]["status"], "passed");
        assert_eq!(report["active_authentication"]["status"], "passed");
        for (file, bytes) in &image.files {
            if file.dg_number() == Some(3) {
                continue;
            }
            let got = std::fs::read(readout.join(format!("{}.bin", file.name()))).unwrap();
            assert!(got == *bytes, "{} differs", file.name());
        }
        // locked: a second personalization only checks the chip
        let again = perso();
        let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(report["already_locked"], true, "{report}");
        assert_eq!(report["verdict"]["value"], "genuine", "{report}");
        // locked with this image, asked to write another: the chip says what it is, nothing is written
        let other_dir = base.join(format!("other-{port}"));
        let mut other = image.clone();
        let dg13 = cccd::lds::LdsFile::dg(13).unwrap();
        other.files.get_mut(&dg13).unwrap()[10] ^= 1;
        other.save_dir(&other_dir).unwrap();
        let refused = cccd(&[
            "perso",
            "--reader",
            reader,
            other_dir.to_str().unwrap(),
            "--transport-key",
            key,
            "--json",
            "--wait",
            "15",
        ]);
        assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stdout));
        let report: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
        assert_eq!((&report["locked"], &report["holds_this_image"]), (&true.into(), &false.into()), "{report}");
        assert_eq!(report["bytes_written"], 0, "{report}");
        assert_eq!(report["state"], "locked, holding another image: nothing written", "{report}");
    }
    std::fs::remove_dir_all(&base).unwrap();
}

/// The JMRTD passport applet through real `pcscd`: `cccd issue --profile jmrtd-applet` makes an image it can
/// hold, `cccd emulate --profile jmrtd-applet --blank` serves the applet, `cccd perso --profile jmrtd-applet`
/// first refuses the CCCD image (every reason listed, nothing written), then writes, verifies and locks the
/// applet's image, and `cccd read` with BAC gets every file byte-identical and a passing report although the
/// chip answers `6985` to SFI reads, nothing to Le = `00` and 223 bytes a read at most.
#[test]
fn emulate_jmrtd_applet_perso_then_read_over_pcsc() {
    let _one_at_a_time = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    require_pcscd();
    let base = std::env::temp_dir().join(format!("cccd-pcsc-jmrtd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let pki = base.join("pki");
    assert!(cccd(&["pki", "init", "--out", pki.to_str().unwrap(), "--curve", "secp256r1"]).status.success());
    let photo = base.join("photo.jpg");
    std::fs::write(&photo, common::chip::face_jpeg().0).unwrap();
    let chipdir = base.join("chip");
    let record = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    let issued = cccd(&[
        "issue",
        "--record",
        record,
        "--photo",
        photo.to_str().unwrap(),
        "--pki",
        pki.to_str().unwrap(),
        "--out",
        chipdir.to_str().unwrap(),
        "--profile",
        "jmrtd-applet",
    ]);
    assert!(issued.status.success(), "cccd issue: {}", String::from_utf8_lossy(&issued.stderr));
    let image = cccd::image::ChipImage::load_dir(&chipdir).unwrap();
    assert!(!image.files.contains_key(&cccd::lds::LdsFile::CardAccess) && image.secrets.can.is_none());
    let cccd_dir = base.join("cccd-chip");
    cccd_image_signed().0.save_dir(&cccd_dir).unwrap();

    let _emulator = Emulator(
        Command::new(env!("CARGO_BIN_EXE_cccd"))
            .args(["emulate", "--profile", "jmrtd-applet", "--blank", "--port", "35963"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let perso = |dir: &std::path::Path| {
        let args = ["perso", "--profile", "jmrtd-applet", "--reader", "Virtual PCD 00 00", "--json", "--wait", "15"];
        Command::new(env!("CARGO_BIN_EXE_cccd")).args(args).arg(dir).output().unwrap()
    };
    // the CCCD image: refused before the first write, every reason listed
    let refused = perso(&cccd_dir);
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stderr));
    let report: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    // refused before the first APDU: not locked by this run (the chip was not even asked), nothing written
    assert_ne!(report["locked"], true, "{report}");
    assert_eq!(report["bytes_written"], 0, "{report}");
    let reasons: Vec<String> =
        report["unsupported"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    for word in ["PACE", "AES", "Chip Authentication", "ECDSA", "DG3"] {
        assert!(reasons.iter().any(|r| r.contains(word)), "{word} not in {reasons:?}");
    }
    // the applet's image: written (nothing was there), verified, locked
    let out = perso(&chipdir);
    assert!(
        out.status.success(),
        "cccd perso: {} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["locked"], true);
    assert_eq!(report["files_kept"], 0, "the refused run wrote nothing");
    assert_eq!(report["verified_with"], "BAC");
    assert_eq!(report["bytes_written"], image.files.values().map(Vec::len).sum::<usize>());
    eprintln!("JMRTD applet: perso {} APDUs, {} ms", report["apdus"], report["milliseconds"]);

    let mrz = common::chip::record().to_mrz().unwrap().to_text().unwrap();
    let readout = base.join("read");
    let read = cccd(&[
        "read",
        "--reader",
        "Virtual PCD 00 00",
        "--mrz",
        &mrz,
        // BAC asked for: by default the reader would say why it ran BAC (`BAC (PACE not offered: …)`)
        "--access",
        "bac",
        "--csca",
        pki.join("csca.pem").to_str().unwrap(),
        "--out",
        readout.to_str().unwrap(),
        "--json",
        "--wait",
        "15",
    ]);
    assert!(
        read.status.success(),
        "cccd read: {} {}",
        String::from_utf8_lossy(&read.stdout),
        String::from_utf8_lossy(&read.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(report["access"], "BAC");
    assert_eq!(report["extended_length"], false);
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["passive_authentication"]["valid"], true);
    assert_eq!(report["active_authentication"]["status"], "passed", "{}", report["active_authentication"]);
    assert_eq!(report["clone_suspected"], false);
    for (file, bytes) in &image.files {
        let got = std::fs::read(readout.join(format!("{}.bin", file.name()))).unwrap();
        assert!(got == *bytes, "{} differs", file.name());
    }
    eprintln!("JMRTD applet: read {} APDUs, {} ms", report["apdus"], report["milliseconds"]);
    std::fs::remove_dir_all(&base).unwrap();
}

/// Real chips' quirks through real `pcscd`: `cccd emulate --quirk all` (16-byte PACE nonces, files padded with
/// FF, 6282 on every last read, 6Cxx for a Le past the end, errors without secure messaging) serving images
/// from `cccd issue`: a 3DES PACE-GM chip (16-byte nonces, both sides ours) and a PACE-CAM chip whose
/// EF.CardSecurity vouches for the chip key. `cccd read` gets every file byte-identical and a valid verdict.
#[test]
fn emulate_with_every_quirk_and_read_over_pcsc() {
    let _one_at_a_time = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    require_pcscd();
    let base = std::env::temp_dir().join(format!("cccd-pcsc-quirks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let photo = base.join("photo.png");
    image::RgbImage::from_fn(600, 800, |x, y| image::Rgb([(x / 3) as u8, 190, (y / 4) as u8])).save(&photo).unwrap();
    let pki = base.join("pki");
    assert!(cccd(&["pki", "init", "--out", pki.to_str().unwrap()]).status.success());
    let record = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    let can = common::chip::record().can().unwrap().to_string();
    for (pace, access, key_source) in [
        ("gm-ecdh-3des-13", "PACE-GM-ECDH-3DES (brainpoolP256r1)", "dg14"),
        ("cam-ecdh-aes128-13", "PACE-CAM-ECDH-AES128 (brainpoolP256r1)", "card_security"),
    ] {
        let chip = base.join(format!("chip-{pace}"));
        let issue = cccd(&[
            "issue",
            "--record",
            record,
            "--photo",
            photo.to_str().unwrap(),
            "--pki",
            pki.to_str().unwrap(),
            "--out",
            chip.to_str().unwrap(),
            "--pace",
            pace,
        ]);
        assert!(issue.status.success(), "{}", String::from_utf8_lossy(&issue.stderr));
        let image = cccd::image::ChipImage::load_dir(&chip).unwrap();
        let _emulator = Emulator(
            Command::new(env!("CARGO_BIN_EXE_cccd"))
                .args(["emulate", chip.to_str().unwrap(), "--port", "35963", "--quirk", "all"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let out = base.join(format!("read-{pace}"));
        let read = cccd(&[
            "read",
            "--reader",
            "Virtual PCD 00 00",
            "--can",
            &can,
            "--out",
            out.to_str().unwrap(),
            "--csca",
            pki.join("csca.pem").to_str().unwrap(),
            "--json",
            "--wait",
            "15",
        ]);
        assert!(
            read.status.success(),
            "cccd read failed: {} {}",
            String::from_utf8_lossy(&read.stderr),
            String::from_utf8_lossy(&read.stdout)
        );
        let report: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
        assert_eq!(report["access"], access);
        assert_eq!(report["passive_authentication"]["valid"], true, "{}", report["passive_authentication"]);
        assert_eq!(report["chip_authentication"]["status"], "passed", "{}", report["chip_authentication"]);
        assert_eq!(report["chip_key_source"], key_source);
        assert_eq!(report["valid"], true);
        if key_source == "card_security" {
            assert_eq!(report["card_security"]["valid"], true, "{}", report["card_security"]);
        }
        for (file, bytes) in &image.files {
            let got = std::fs::read(out.join(format!("{}.bin", file.name()))).unwrap();
            assert!(got == *bytes, "{} differs (padding kept?)", file.name());
        }
    }
    std::fs::remove_dir_all(&base).unwrap();
}
