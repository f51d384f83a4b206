//! The EAC command line: `cccd pki cvca|dv|is` (checked by OpenPACE's `cvc-print`), `cccd inspect` on CV
//! certificates, requests and DG3 (fingers written as PNG where the codec allows).
mod cli_support;

use cli_support::{cccd, issue, issue_batch, photo, record_path, record_with_id, s, tmp as workdir};

use std::path::Path;
use std::process::Command;

use cccd::lds::dg3::finger::{FingerCompression, FingerPosition};
use cccd::lds::dg3::{Dg3, FingerImage};

fn cvc_print(trust: &[&Path], cert: &Path, dir: &Path) -> String {
    let t = dir.join("trust");
    std::fs::create_dir_all(&t).unwrap();
    for c in trust {
        let chr = cccd::cvc::CvCertificate::decode(&std::fs::read(c).unwrap()).unwrap().chr().to_string();
        std::fs::copy(c, t.join(chr)).unwrap();
    }
    let out = Command::new("cvc-print").arg(format!("--cvc={}", s(cert))).arg(format!("--cvc-dir={}", s(&t))).output();
    String::from_utf8_lossy(&out.expect("cvc-print (Debian package openpace)").stdout).into_owned()
}

#[test]
fn pki_cvca_dv_is_and_link() {
    let dir = workdir("pki");
    let (cvca, dv, is) = (dir.join("cvca"), dir.join("dv"), dir.join("is"));
    let (code, out, err) = cccd(&["pki", "cvca", "--out", s(&cvca), "--chr", "VNCVCA00001", "--dg3", "--dg4"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("VNCVCA00001: CVCA id-TA-ECDSA-SHA-256"), "{out}");
    let (code, _, err) = cccd(&["pki", "dv", "--cvca", s(&cvca), "--out", s(&dv), "--chr", "VNDVPOLICE00001", "--dg3"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) =
        cccd(&["pki", "is", "--dv", s(&dv), "--out", s(&is), "--chr", "VNISHANOI00001", "--dg3", "--days", "7"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DG3 yes DG4 no"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(is.join("is.key")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let printed = cvc_print(&[&is.join("cvca.cvcert"), &is.join("dv.cvcert")], &is.join("is.cvcert"), &dir);
    assert!(printed.contains("certificate verified"), "{printed}");
    assert!(printed.contains("Read fingerprint") && printed.contains("Terminal certificate"), "{printed}");

    // inspect recognizes a CV certificate
    let (code, out, _) = cccd(&["inspect", "--json", s(&is.join("is.cvcert"))]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let c = &v["files"][0]["content"];
    assert_eq!(c["file"], "CV certificate");
    assert_eq!(
        (c["role"].as_str(), c["chr"].as_str(), c["car"].as_str()),
        (Some("IS"), Some("VNISHANOI00001"), Some("VNDVPOLICE00001"))
    );
    assert_eq!((c["read_dg3"].as_bool(), c["read_dg4"].as_bool()), (Some(true), Some(false)));
    assert_eq!(c["public_key"]["domain_parameters"], false);

    // ICAO's validity periods are enforced
    let (code, _, err) =
        cccd(&["pki", "is", "--dv", s(&dv), "--out", s(&dir.join("is2")), "--chr", "VNISHANOI00002", "--days", "60"]);
    assert_eq!(code, 2);
    assert!(err.contains("1 day to 1 month"), "{err}");

    // a second `pki cvca` in the same folder makes a link certificate signed by the old key
    let (code, _, err) = cccd(&["pki", "cvca", "--out", s(&cvca), "--chr", "VNCVCA00002", "--dg3", "--dg4"]);
    assert_eq!(code, 0, "{err}");
    let link = cvca.join("link-VNCVCA00002.cvcert");
    let printed = cvc_print(&[&cvca.join("cvca-VNCVCA00001.cvcert")], &link, &dir);
    assert!(printed.contains("CAR: VNCVCA00001") && printed.contains("certificate verified"), "{printed}");
}

#[test]
fn inspect_writes_fingers_as_png_and_keeps_wsq() {
    let dir = workdir("dg3");
    // a PNG finger (made here), a JPEG 2000 finger (made by OpenJPEG's encoder) and a WSQ finger (kept as is)
    let img = image::GrayImage::from_fn(64, 80, |x, y| image::Luma([((x * 7 + y * 3) % 256) as u8]));
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(img.clone()).write_to(&mut png, image::ImageFormat::Png).unwrap();
    let png = png.into_inner();
    std::fs::write(dir.join("f.png"), &png).unwrap();
    let st = Command::new("opj_compress")
        .args(["-i", s(&dir.join("f.png")), "-o", s(&dir.join("f.jp2"))])
        .output()
        .expect("opj_compress");
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let jp2 = std::fs::read(dir.join("f.jp2")).unwrap();
    let wsq = vec![0xFF, 0xA0, 0xFF, 0xA4, 0x00, 0x3A];
    let finger = |position, compression, image| FingerImage { position, compression, width: 64, height: 80, image };
    let dg3 = Dg3::fingerprints(vec![
        finger(FingerPosition::RightIndex, FingerCompression::Png, png.clone()),
        finger(FingerPosition::LeftIndex, FingerCompression::Jpeg2000, jp2),
        finger(FingerPosition::RightThumb, FingerCompression::Wsq, wsq.clone()),
    ]);
    std::fs::write(dir.join("DG3.bin"), dg3.encode().unwrap()).unwrap();
    let out_dir = dir.join("fingers");
    let (code, out, err) = cccd(&["inspect", "--json", "--out", s(&out_dir), s(&dir.join("DG3.bin"))]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = &v["files"][0]["content"]["templates"];
    assert_eq!(t.as_array().unwrap().len(), 3);
    assert_eq!(t[1]["record"]["views"][0]["position"], "left-index");
    assert_eq!(t[2]["record"]["views"][0]["image"], "Wsq");
    assert_eq!(std::fs::read(out_dir.join("01-right-index.png")).unwrap(), png);
    let decoded = image::open(out_dir.join("02-left-index.png")).expect("the JPEG 2000 finger became a PNG").to_luma8();
    assert_eq!(decoded.dimensions(), (64, 80));
    assert_eq!(decoded, img, "OpenJPEG's default is lossless: the pixels come back");
    assert_eq!(std::fs::read(out_dir.join("03-right-thumb.wsq")).unwrap(), wsq);
    assert!(err.contains("03-right-thumb.wsq: kept as bytes") && err.contains("WSQ (no decoder here"), "{err}");
}

#[test]
fn issue_with_fingerprints_puts_dg3_under_the_sod_and_the_chip_protects_it() {
    use cccd::emulator::{ChipConfig, VirtualChip};
    use cccd::lds::LdsFile;
    let dir = workdir("issue");
    let photo = dir.join("photo.png");
    image::RgbImage::from_fn(600, 800, |x, y| image::Rgb([(x / 3) as u8, 160, (y / 4) as u8])).save(&photo).unwrap();
    let fingers = dir.join("fingers");
    std::fs::create_dir_all(&fingers).unwrap();
    let img = image::GrayImage::from_fn(40, 50, |x, y| image::Luma([((x * 5 + y) % 256) as u8]));
    img.save(fingers.join("right-index.png")).unwrap();
    std::fs::write(fingers.join("left_index.wsq"), [0xFF, 0xA0, 0xFF, 0xA4, 1, 2]).unwrap();
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki)]).0, 0);
    let chip = dir.join("chip");
    let (code, _, err) = issue(&record_path(), &photo, &pki, &chip, &["--fingerprints", s(&fingers)]);
    assert_eq!(code, 0, "{err}");
    // DG3 holds both fingers in position order, sized from their headers (WSQ: not read, 0×0)
    let image = cccd::image::ChipImage::load_dir(&chip).unwrap();
    let dg3 = Dg3::decode(&image.files[&LdsFile::dg(3).unwrap()]).unwrap();
    let views: Vec<_> = dg3.finger_views().map(|(r, v)| (v.position, r.compression, v.width, v.height)).collect();
    assert_eq!(
        views,
        vec![
            (FingerPosition::RightIndex, FingerCompression::Png, 40, 50),
            (FingerPosition::LeftIndex, FingerCompression::Wsq, 0, 0)
        ]
    );
    // EF.COM lists DG3 and Passive Authentication checks its hash
    let com = cccd::lds::com::Com::decode(&image.files[&LdsFile::Com]).unwrap();
    assert!(com.data_groups().contains(&LdsFile::dg(3).unwrap()), "EF.COM lists DG3");
    let (code, out, err) = cccd(&["verify", s(&chip), "--csca", s(&pki.join("csca.pem")), "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("DG3"), "{out}");
    // the virtual chip refuses DG3 without Terminal Authentication; the reader reports it protected
    let mut vchip = VirtualChip::new(image.clone(), ChipConfig::default());
    let key = cccd::access::bac::BacKey::from_mrz_information(image.secrets.mrz_information.as_deref().unwrap());
    let result = cccd::reader::Reader::bac(key).read(&mut vchip).unwrap();
    assert_eq!(result.protected, vec![LdsFile::dg(3).unwrap()]);
    assert!(!result.files.contains_key(&LdsFile::dg(3).unwrap()));
}

#[test]
fn issue_batch_with_a_cvca_gives_every_chip_the_trust_point() {
    let dir = workdir("batch");
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki)]).0, 0);
    let cvca = dir.join("cvca");
    let (code, _, err) = cccd(&["pki", "cvca", "--out", s(&cvca), "--chr", "VNCVCA00001", "--dg3"]);
    assert_eq!(code, 0, "{err}");
    let records = dir.join("records.jsonl");
    let lines: Vec<String> = ["001099012345", "001099012346"].iter().map(|id| record_with_id(id).to_string()).collect();
    std::fs::write(&records, lines.join("\n") + "\n").unwrap();
    let photo = photo(&dir);
    let out = dir.join("out");
    let (code, stdout, err) = issue_batch(&records, &photo, &pki, &out, &["--cvca", s(&cvca), "--jobs", "2"]);
    assert_eq!(code, 0, "{stdout}{err}");
    let trust_point = std::fs::read(cvca.join("cvca.cvcert")).unwrap();
    for id in ["001099012345", "001099012346"] {
        let chip = out.join(id);
        assert_eq!(std::fs::read(chip.join("eac/trust-point-1.cvcert")).unwrap(), trust_point, "{id}");
        let image = cccd::image::ChipImage::load_dir(&chip).unwrap();
        let eac = image.eac.expect("the chip image carries the EAC trust");
        assert_eq!(eac.trust_points().len(), 1);
        let (code, v) = cli_support::verify_json(&chip, &["--csca", s(&pki.join("csca.pem"))]);
        assert_eq!(code, 0, "{v}");
    }
    // the JMRTD applet profile runs no Terminal Authentication: refused before anything is issued
    let applet = dir.join("applet");
    let (code, _, err) =
        issue_batch(&records, &photo, &pki, &applet, &["--cvca", s(&cvca), "--profile", "jmrtd-applet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no Terminal Authentication"), "{err}");
    assert!(!applet.join("001099012345").exists());
}

/// `pki cvca --rsa 2048 --rsa-pss`: an RSA-PSS chain (the DV and IS get RSA keys of the CVCA's size and scheme)
/// that OpenPACE's `cvc-print` verifies; a chip trusting that CVCA (`issue --cvca`) opens DG3 to the terminal's
/// RSA key through Terminal Authentication; `--rsa 1024` is refused.
#[test]
fn an_rsa_eac_pki_signs_terminal_authentication() {
    use cccd::emulator::{ChipConfig, VirtualChip};
    use cccd::lds::LdsFile;
    let dir = workdir("rsa");
    let (cvca, dv, is) = (dir.join("cvca"), dir.join("dv"), dir.join("is"));
    let (code, out, err) =
        cccd(&["pki", "cvca", "--out", s(&cvca), "--chr", "VNCVCA00001", "--dg3", "--rsa", "2048", "--rsa-pss"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("VNCVCA00001: CVCA id-TA-RSA-PSS-SHA-256") && out.contains("RSA-2048"), "{out}");
    let (code, _, err) = cccd(&["pki", "dv", "--cvca", s(&cvca), "--out", s(&dv), "--chr", "VNDVPOLICE00001", "--dg3"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = cccd(&["pki", "is", "--dv", s(&dv), "--out", s(&is), "--chr", "VNISHANOI00001", "--dg3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("id-TA-RSA-PSS-SHA-256") && out.contains("RSA-2048"), "the IS key follows the CVCA's: {out}");
    let printed = cvc_print(&[&is.join("cvca.cvcert"), &is.join("dv.cvcert")], &is.join("is.cvcert"), &dir);
    assert!(printed.contains("certificate verified"), "{printed}");
    let (code, _, err) = cccd(&["pki", "cvca", "--out", s(&dir.join("weak")), "--chr", "VNCVCA00009", "--rsa", "1024"]);
    assert_eq!(code, 2);
    assert!(err.contains("2048 to 4096"), "{err}");

    // the chip trusts the RSA CVCA; the terminal signs TA with its RSA-PSS key and reads DG3
    let fingers = dir.join("fingers");
    std::fs::create_dir_all(&fingers).unwrap();
    image::GrayImage::from_fn(30, 40, |x, y| image::Luma([((x + 2 * y) % 256) as u8]))
        .save(fingers.join("left-thumb.png"))
        .unwrap();
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki)]).0, 0);
    let chip = dir.join("chip");
    let photo = photo(&dir);
    let (code, _, err) =
        issue(&record_path(), &photo, &pki, &chip, &["--fingerprints", s(&fingers), "--cvca", s(&cvca)]);
    assert_eq!(code, 0, "{err}");
    let image = cccd::image::ChipImage::load_dir(&chip).unwrap();
    let cert = |p: std::path::PathBuf| cccd::cvc::CvCertificate::decode(&std::fs::read(p).unwrap()).unwrap();
    let key_pem = std::fs::read_to_string(is.join("is.key")).unwrap();
    let key = cccd::pki::RsaSoftwareKey::from_pem_with_scheme(&key_pem).unwrap();
    let terminal = cccd::access::ta::TerminalCredentials {
        chain: vec![cert(is.join("dv.cvcert")), cert(is.join("is.cvcert"))],
        key: std::sync::Arc::new(key),
    };
    let can = cccd::access::pace::PacePassword::Can(image.secrets.can.clone().unwrap());
    let mut vchip = VirtualChip::new(image.clone(), ChipConfig::default());
    let result = cccd::reader::Reader::pace(can).with_terminal(terminal).read(&mut vchip).unwrap();
    assert_eq!(result.terminal_authentication, cccd::pa::Check::Passed, "{:?}", result.terminal_authentication);
    let dg3 = LdsFile::dg(3).unwrap();
    assert_eq!(result.files.get(&dg3), image.files.get(&dg3));
    assert!(result.protected.is_empty());
}
