//! `cccd verify --json` on chip image folders: one verdict per kind of chip (genuine, tampered, untrusted,
//! clone suspected, incomplete), the rules of issue 15 (listed and mandatory data groups, the document's
//! expiry shown first, the CSCA that vouched), the same verdict as the library's, and errors as JSON.
//! Each of these said `valid: true` (exit 0) or had no verdict before the verifier.
mod cli_support;

use cli_support::{cccd, copy_dir, photo, record_path, s, tmp, verify_json as verify};

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A PKI and a chip issued from `record` with it.
fn issue(dir: &Path, record: &Path) -> (PathBuf, PathBuf) {
    let pki = dir.join("pki");
    let chip = dir.join("chip");
    let (code, _, err) = cccd(&["pki", "init", "--out", s(&pki)]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli_support::issue(record, &photo(dir), &pki, &chip, &[]);
    assert_eq!(code, 0, "{err}");
    (pki, chip)
}

fn codes(v: &Value) -> Vec<String> {
    v["verdict"]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn verify_gives_each_kind_of_chip_its_own_verdict() {
    let dir = tmp("kinds");
    let (pki, chip) = issue(&dir, &record_path());
    let csca = pki.join("csca.pem");

    // genuine: the image's own virtual chip is read, Chip and Active Authentication run; the CSCA is named
    let (code, v) = verify(&chip, &["--csca", s(&csca)]);
    assert_eq!((code, v["verdict"]["value"].as_str()), (0, Some("genuine")), "{v}");
    assert_eq!((v["schema_version"].as_u64(), v["command"].as_str()), (Some(1), Some("verify")));
    assert_eq!(v["valid"], true);
    assert_eq!(v["session"], "virtual chip from the image's secrets");
    assert_eq!(v["chip_authentication"]["status"], "passed", "{v}");
    assert_eq!(v["active_authentication"]["status"], "passed", "{v}");
    let subject = v["csca"]["subject"].as_str().unwrap();
    assert!(subject.contains("CSCA"), "{subject}");
    assert_eq!(v["csca"]["source"]["path"], s(&csca));
    let vouched = v["verdict"]["findings"].as_array().unwrap().iter().find(|f| f["code"] == "vouched_by").unwrap();
    assert!(vouched["message"].as_str().unwrap().contains(subject), "{vouched}");

    // the library gives the same verdict object for the same chip
    let image = cccd::image::ChipImage::load_dir(&chip).unwrap();
    let mut store = cccd::pa::TrustStore::new();
    store.add_path(&csca).unwrap();
    let mut virtual_chip = cccd::emulator::VirtualChip::new(image.clone(), cccd::emulator::ChipConfig::default());
    let access = cccd::reader::AccessControl::PaceThenBac(
        cccd::access::pace::PacePassword::Can(image.secrets.can.clone().unwrap()),
        cccd::access::bac::BacKey::from_mrz_information(image.secrets.mrz_information.as_ref().unwrap()),
    );
    let result = cccd::reader::Reader::new(access).read(&mut virtual_chip).unwrap();
    let library = cccd::verify::Verifier::new(&store, cccd::verify::Policy::counter()).verify_read(&result);
    assert_eq!(serde_json::to_value(library.verdict_object()).unwrap(), v["verdict"]);

    // tampered: one byte of DG13 changed
    let tampered = dir.join("tampered");
    copy_dir(&chip, &tampered);
    let mut dg13 = std::fs::read(tampered.join("DG13.bin")).unwrap();
    *dg13.last_mut().unwrap() ^= 0x01;
    std::fs::write(tampered.join("DG13.bin"), dg13).unwrap();
    let (code, v) = verify(&tampered, &["--csca", s(&csca)]);
    assert_eq!((code, v["verdict"]["value"].as_str()), (1, Some("tampered")), "{v}");
    assert!(codes(&v).contains(&"hash_mismatch".to_string()), "{v}");

    // untrusted: another PKI's CSCA
    let (code, _, err) = cccd(&["pki", "init", "--out", s(&dir.join("other"))]);
    assert_eq!(code, 0, "{err}");
    let (code, v) = verify(&chip, &["--csca", s(&dir.join("other/csca.pem"))]);
    assert_eq!((code, v["verdict"]["value"].as_str()), (1, Some("untrusted")), "{v}");
    assert_eq!(v["csca_chain"]["status"], "failed");
    assert!(v["csca_chain"]["code"].is_string(), "{v}");

    // a clone: the same signed files on a chip with another chip's keys (a second chip issued for the record)
    let second = dir.join("second");
    let (code, _, err) = cccd(&[
        "issue",
        "--record",
        s(&record_path()),
        "--photo",
        s(&photo(&dir)),
        "--pki",
        s(&pki),
        "--out",
        s(&second),
    ]);
    assert_eq!(code, 0, "{err}");
    let clone = dir.join("clone");
    copy_dir(&chip, &clone);
    for key in ["chip_authentication.pk8", "active_authentication.pk8"] {
        std::fs::copy(second.join("secrets").join(key), clone.join("secrets").join(key)).unwrap();
    }
    let (code, v) = verify(&clone, &["--csca", s(&csca)]);
    assert_eq!((code, v["verdict"]["value"].as_str()), (1, Some("clone_suspected")), "{v}");
    assert_eq!(v["passive_authentication"]["valid"], true, "the copied files verify: {v}");
    assert_eq!(v["clone_suspected"], true);

    // Chip Authentication not checked: the files alone (as `cccd read --out` writes them), no chip session
    let files = dir.join("files");
    copy_dir(&chip, &files);
    std::fs::remove_dir_all(files.join("secrets")).unwrap();
    let (code, v) = verify(&files, &["--csca", s(&csca)]);
    assert_eq!((code, v["verdict"]["value"].as_str()), (1, Some("incomplete")), "{v}");
    assert_eq!(v["session"], "files only");
    assert_eq!(v["chip_authentication"]["status"], "not_checked");
    assert!(codes(&v).contains(&"chip_authentication_not_checked".to_string()), "{v}");

    // errors under --json are JSON on stdout, with the usage exit code
    let (code, out, _) = cccd(&["verify", s(&dir.join("nowhere")), "--json"]);
    let e: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!((code, e["schema_version"].as_u64(), e["command"].as_str()), (2, Some(1), Some("verify")), "{e}");
    assert_eq!(e["error"]["kind"], "input", "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("nowhere"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn listed_mandatory_and_expired() {
    let dir = tmp("rules");
    let (pki, chip) = issue(&dir, &record_path());
    let csca = pki.join("csca.pem");

    // only EF.COM and EF.SOD left (with the chip's secrets): said valid before, incomplete now
    let bare = dir.join("bare");
    copy_dir(&chip, &bare);
    for e in std::fs::read_dir(&bare).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with("DG") {
            std::fs::remove_file(&p).unwrap();
        }
    }
    let (code, v) = verify(&bare, &["--csca", s(&csca)]);
    assert_eq!((code, v["verdict"]["value"].as_str()), (1, Some("incomplete")), "{v}");
    let missing: Vec<&str> = v["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    for dg in ["DG1", "DG2", "DG13", "DG14", "DG15"] {
        assert!(missing.contains(&dg), "{dg}: {v}");
    }
    assert!(codes(&v).contains(&"file_missing".to_string()));

    // without DG2, and without DG13 (a CCCD's mandatory data groups)
    for dg in ["DG2", "DG13"] {
        let without = dir.join(format!("without-{dg}"));
        copy_dir(&chip, &without);
        std::fs::remove_file(without.join(format!("{dg}.bin"))).unwrap();
        let (code, v) = verify(&without, &["--csca", s(&csca)]);
        assert_eq!((code, v["verdict"]["value"].as_str()), (1, Some("incomplete")), "{dg}: {v}");
        let mandatory = v["verdict"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "mandatory_file_missing")
            .unwrap_or_else(|| panic!("{dg}: {v}"));
        assert!(mandatory["message"].as_str().unwrap().contains(dg), "{mandatory}");
        assert_eq!(mandatory["severity"], "error");
    }

    // an expired document on an authentic chip: genuine, and `document_expired` is the first finding
    let mut record = cli_support::record_json();
    record["date_of_issue"] = "2005-03-10".into();
    record["date_of_expiry"] = "2020-01-15".into();
    let old = dir.join("old");
    std::fs::create_dir_all(&old).unwrap();
    let path = old.join("record.json");
    std::fs::write(&path, record.to_string()).unwrap();
    let (pki, chip) = issue(&old, &path);
    let (code, v) = verify(&chip, &["--csca", s(&pki.join("csca.pem"))]);
    assert_eq!((code, v["verdict"]["value"].as_str()), (0, Some("genuine")), "{v}");
    assert_eq!(v["verdict"]["findings"][0]["code"], "document_expired", "{v}");
    assert!(v["verdict"]["findings"][0]["message"].as_str().unwrap().contains("2020-01-15"));
    assert_eq!(v["verdict"]["summary"], "Authentic chip, expired document.");
    assert_eq!(v["date_of_expiry"], "2020-01-15");
    std::fs::remove_dir_all(&dir).unwrap();
}
