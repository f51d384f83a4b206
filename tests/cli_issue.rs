//! The issuer's command line: `cccd pki init`, `cccd issue`, `cccd issue-batch`, and `cccd verify` with a
//! trust store. `openssl` is the independent checker of what `cccd issue` signs.
mod cli_support;
mod common;

use cli_support::{cccd, issue, issue_batch, photo, record_path, s, tmp, verify_json};

use std::path::{Path, PathBuf};
use std::process::Command;

use cccd::image::ChipImage;
use cccd::lds::LdsFile;
use cccd::lds::sod::Sod;

fn openssl_accepts(sod: &[u8], csca: &Path, dir: &Path) -> Result<(), String> {
    let ci = dir.join("sod.p7");
    std::fs::write(&ci, Sod::decode(sod).unwrap().content_info_der()).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-in", s(&ci), "-CAfile", s(csca)])
        .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
        .output()
        .expect("openssl must be installed");
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

#[test]
fn issued_chips_verify_with_openssl_on_every_curve() {
    let dir = tmp("curves");
    let photo = photo(&dir);
    for curve in ["secp256r1", "secp384r1", "secp521r1", "brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1"] {
        let pki = dir.join(format!("pki-{curve}"));
        let (code, _, err) = cccd(&["pki", "init", "--out", s(&pki), "--curve", curve]);
        assert_eq!(code, 0, "{err}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for key in ["csca.key", "ds.key"] {
                let mode = std::fs::metadata(pki.join(key)).unwrap().permissions().mode();
                assert_eq!(mode & 0o077, 0, "{key} readable by others");
            }
        }
        // openssl reads the keys (PKCS#8) and the certificates
        let out = Command::new("openssl").args(["pkey", "-in", s(&pki.join("ds.key")), "-noout"]).output().unwrap();
        assert!(out.status.success(), "openssl cannot read ds.key: {}", String::from_utf8_lossy(&out.stderr));

        let chip = dir.join(format!("chip-{curve}"));
        let (code, _, err) = issue(&record_path(), &photo, &pki, &chip, &[]);
        assert_eq!(code, 0, "{curve}: {err}");
        let image = ChipImage::load_dir(&chip).unwrap();
        for n in [1, 2, 13, 14, 15] {
            assert!(image.files.contains_key(&LdsFile::dg(n).unwrap()), "{curve}: DG{n} missing");
        }
        assert!(image.secrets.chip_authentication.is_some() && image.secrets.active_authentication.is_some());
        assert!(image.secrets.can.is_some() && image.secrets.mrz_information.is_some());
        openssl_accepts(&image.files[&LdsFile::Sod], &pki.join("csca.pem"), &dir)
            .unwrap_or_else(|e| panic!("openssl rejects the {curve} SOD: {e}"));
        let (code, v) = verify_json(&chip, &["--csca", s(&pki.join("csca.pem"))]);
        assert_eq!((code, &v["valid"]), (0, &serde_json::json!(true)), "{curve}: {v}");
        // no chip folder is overwritten
        let (code, _, err) = issue(&record_path(), &photo, &pki, &chip, &[]);
        assert_eq!(code, 2);
        assert!(err.contains("already exists"), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verify_rejects_each_fault_with_its_own_reason() {
    let dir = tmp("faults");
    let photo = photo(&dir);
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki), "--curve", "secp256r1", "--ds-days", "30"]).0, 0);
    let chip = dir.join("chip");
    let (code, _, err) = issue(&record_path(), &photo, &pki, &chip, &[]);
    assert_eq!(code, 0, "{err}");
    let csca = pki.join("csca.pem");
    let (code, v) = verify_json(&chip, &["--csca", s(&csca)]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "not_checked");

    // a changed DG byte
    let changed = dir.join("changed");
    let mut image = ChipImage::load_dir(&chip).unwrap();
    let dg13 = image.files.get_mut(&LdsFile::dg(13).unwrap()).unwrap();
    let last = dg13.len() - 1;
    dg13[last] ^= 0x01;
    image.save_dir(&changed).unwrap();
    let (code, v) = verify_json(&changed, &["--csca", s(&csca)]);
    assert_eq!(code, 1);
    assert_eq!(v["data_groups"]["DG13"], "mismatch", "{v}");
    assert_eq!(v["signature"]["status"], "passed");

    // a CSCA of another country: unknown
    let other = dir.join("other");
    assert_eq!(cccd(&["pki", "init", "--out", s(&other), "--curve", "secp256r1", "--country", "XX"]).0, 0);
    let (code, v) = verify_json(&chip, &["--csca", s(&other.join("csca.pem"))]);
    assert_eq!(code, 1);
    assert!(v["csca_chain"]["reason"].as_str().unwrap().starts_with("unknown CSCA"), "{v}");

    // a CSCA of the same name that did not sign the DS certificate
    let impostor = dir.join("impostor");
    assert_eq!(cccd(&["pki", "init", "--out", s(&impostor), "--curve", "secp256r1"]).0, 0);
    let (code, v) = verify_json(&chip, &["--csca", s(&impostor.join("csca.pem"))]);
    assert_eq!(code, 1);
    assert!(v["csca_chain"]["reason"].as_str().unwrap().starts_with("bad signature"), "{v}");

    // an expired DS certificate (30 days from yesterday): checked a year on
    let next_year = (time::OffsetDateTime::now_utc().date() + time::Duration::days(365)).to_string();
    let (code, v) = verify_json(&chip, &["--csca", s(&csca), "--at", &next_year]);
    assert_eq!(code, 1);
    assert!(v["ds_certificate_validity"]["reason"].as_str().unwrap().starts_with("expired as of"), "{v}");
    assert_eq!(v["csca_chain"]["status"], "passed");

    // a folder of CSCAs and a master list made by openssl hold the right CSCA among others
    let folder = dir.join("trust");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(&csca, folder.join("vn.pem")).unwrap();
    std::fs::copy(other.join("csca.pem"), folder.join("xx.pem")).unwrap();
    assert_eq!(verify_json(&chip, &["--csca", s(&folder)]).0, 0);
    let ml = master_list(&dir, &[&other.join("csca.pem"), &csca], &other);
    let (code, v) = verify_json(&chip, &["--csca", s(&ml)]);
    assert_eq!(code, 0, "{v}");

    // a master list from `cccd pki master-list`, signed by the other country's Master List Signer: trusted
    // when anchored at that country's CSCA, refused (before any verdict) when anchored elsewhere or edited
    let ml = dir.join("xx.ml");
    // a PKI folder without a Master List Signer (an older `pki init`) is told so, and no list is written
    let old_pki = dir.join("old-pki");
    std::fs::create_dir_all(&old_pki).unwrap();
    std::fs::copy(&csca, old_pki.join("csca.pem")).unwrap();
    let (code, _, err) = cccd(&["pki", "master-list", "--pki", s(&old_pki), "--out", s(&ml)]);
    assert_eq!(code, 2);
    assert!(err.contains("no Master List Signer"), "{err}");
    assert!(!ml.exists());
    let (code, out, err) = cccd(&["pki", "master-list", "--pki", s(&other), "--out", s(&ml), s(&csca)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 CSCA certificates, signed by CN=Master List Signer XX"), "{out}");
    let (code, v) = verify_json(&chip, &["--csca", s(&ml), "--ml-anchor", s(&other.join("csca.pem"))]);
    assert_eq!((code, &v["csca_chain"]["status"]), (0, &serde_json::json!("passed")), "{v}");
    let (code, _, err) = cccd(&["verify", s(&chip), "--csca", s(&ml), "--ml-anchor", s(&csca)]);
    assert_eq!(code, 2);
    assert!(err.contains("master list refused: signer chain failed"), "{err}");
    let (code, out, _) = cccd(&["pki", "check-master-list", s(&ml), "--anchor", s(&other.join("csca.pem")), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((code, &report["valid"], &report["anchored"]), (0, &serde_json::json!(true), &serde_json::json!(true)));
    assert_eq!(report["csca_subjects"].as_array().map(Vec::len), Some(2), "{report}");
    assert_eq!(cccd(&["pki", "check-master-list", s(&ml), "--anchor", s(&csca)]).0, 1);
    let mut edited = std::fs::read(&ml).unwrap();
    let at = edited.windows(7).position(|w| w == b"CSCA VN").unwrap();
    edited[at + 5] = b'W';
    std::fs::write(&ml, &edited).unwrap();
    let (code, _, err) = cccd(&["verify", s(&chip), "--csca", s(&ml)]);
    assert_eq!(code, 2);
    assert!(err.contains("master list refused: signed attributes failed: messageDigest differs"), "{err}");
    let (code, out, _) = cccd(&["pki", "check-master-list", s(&ml), "--json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (code, &report["valid"], &report["signature"]["status"]),
        (1, &serde_json::json!(false), &serde_json::json!("passed"))
    );

    std::fs::remove_dir_all(&dir).unwrap();
}

/// An ICAO CSCA master list (CMS SignedData over `CscaMasterList`) made with openssl, signed by `signer`'s CSCA.
fn master_list(dir: &Path, cscas: &[&Path], signer: &Path) -> PathBuf {
    use der::{Decode, Encode};
    let mut certs: Vec<Vec<u8>> = cscas
        .iter()
        .map(|p| {
            let pem = std::fs::read(p).unwrap();
            x509_cert::Certificate::load_pem_chain(&pem).unwrap()[0].to_der().unwrap()
        })
        .collect();
    certs.sort(); // DER SET OF order
    let set: Vec<u8> = certs.concat();
    let tlv = |tag: u8, v: &[u8]| {
        let mut out = vec![tag];
        let len = v.len();
        if len < 128 {
            out.push(len as u8);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(v);
        out
    };
    let content = tlv(0x30, &[vec![0x02, 0x01, 0x00], tlv(0x31, &set)].concat());
    assert!(x509_cert::Certificate::from_der(&certs[0]).is_ok());
    let input = dir.join("ml-content.der");
    std::fs::write(&input, &content).unwrap();
    let ml = dir.join("masterlist.ml");
    let out = Command::new("openssl")
        .args(["cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-econtent_type", "2.23.136.1.1.2"])
        .args(["-in", s(&input), "-out", s(&ml)])
        .args(["-signer", s(&signer.join("csca.pem")), "-inkey", s(&signer.join("csca.key"))])
        .output()
        .expect("openssl must be installed");
    assert!(out.status.success(), "openssl cms -sign: {}", String::from_utf8_lossy(&out.stderr));
    ml
}

#[test]
fn a_revoked_document_signer_is_reported() {
    use cccd::crypto::ec::NamedCurve;
    use cccd::pki::{CrlBuilder, SoftwareKey};
    let dir = tmp("crl");
    let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(77)
        .not_before(std::time::SystemTime::now() - std::time::Duration::from_secs(86_400))
        .valid_for_days(365)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let mut image = common::chip::cccd_image();
    let dgs: std::collections::BTreeMap<_, _> =
        image.files.iter().filter(|(f, _)| f.dg_number().is_some()).map(|(f, b)| (*f, b.clone())).collect();
    image.files.insert(
        LdsFile::Sod,
        cccd::pki::SodBuilder::new(&ds)
            .data_groups(&dgs)
            .hash(cccd::crypto::hash::HashAlgorithm::Sha256)
            .build()
            .unwrap(),
    );
    let chip = dir.join("chip");
    image.save_dir(&chip).unwrap();
    let csca_pem = dir.join("csca.pem");
    std::fs::write(&csca_pem, csca.pem()).unwrap();

    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let clean = dir.join("clean.crl");
    std::fs::write(&clean, CrlBuilder::new(&csca).number(1).revoke(5, yesterday).valid_for_days(30).build().unwrap())
        .unwrap();
    let revoked = dir.join("revoked.crl");
    let crl = CrlBuilder::new(&csca).number(2).revoke(5, yesterday).revoke(77, yesterday).valid_for_days(30);
    std::fs::write(&revoked, crl.build().unwrap()).unwrap();
    // openssl checks the CRL's signature with the CSCA
    for crl in [&clean, &revoked] {
        let out = Command::new("openssl")
            .args(["crl", "-inform", "DER", "-in", s(crl), "-CAfile", s(&csca_pem), "-noout"])
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stderr).contains("verify OK"), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (code, v) = verify_json(&chip, &["--csca", s(&csca_pem), "--crl", s(&clean)]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "passed");
    let (code, v) = verify_json(&chip, &["--csca", s(&csca_pem), "--crl", s(&revoked)]);
    assert_eq!(code, 1);
    assert!(v["revocation"]["reason"].as_str().unwrap().starts_with("the DS certificate was revoked"), "{v}");
    // a CRL signed by another key is not believed
    let stranger = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let forged = dir.join("forged.crl");
    std::fs::write(
        &forged,
        CrlBuilder::new(&stranger).number(1).revoke(77, yesterday).valid_for_days(30).build().unwrap(),
    )
    .unwrap();
    let (code, v) = verify_json(&chip, &["--csca", s(&csca_pem), "--crl", s(&forged)]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "not_checked");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn issue_batch_issues_in_parallel_and_reports_failures_without_partial_output() {
    let dir = tmp("batch");
    let photo = photo(&dir);
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki), "--curve", "secp256r1"]).0, 0);
    let base = cli_support::record_json();
    let mut lines = Vec::new();
    for i in 0..6 {
        let mut r = base.clone();
        r["id_number"] = serde_json::json!(format!("0010990123{:02}", 40 + i));
        lines.push(r.to_string());
    }
    let mut bad = base.clone();
    bad["id_number"] = serde_json::json!("001099012399");
    bad["date_of_birth"] = serde_json::json!("1999-02-30");
    lines.insert(2, bad.to_string());
    lines.insert(4, "{ not json".to_string());
    let records = dir.join("records.jsonl");
    std::fs::write(&records, lines.join("\n") + "\n").unwrap();
    let out = dir.join("out");
    let (code, stdout, err) = issue_batch(&records, &photo, &pki, &out, &["--jobs", "2"]);
    assert_eq!(code, 1, "{stdout} {err}");
    assert!(stdout.starts_with("6 issued, 2 refused, 0 failed, 0 skipped"), "{stdout}");
    let errors = std::fs::read_to_string(out.join("errors.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = errors.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let refused: Vec<u64> =
        rows.iter().filter(|v| v["status"] == "refused").map(|v| v["line"].as_u64().unwrap()).collect();
    assert_eq!(refused, vec![3, 5]);
    // every problem with its reason, warnings too: the cards outlive the default 10-year Document Signer
    assert_eq!(rows[2]["problems"][0]["code"], "impossible_date", "{errors}");
    assert_eq!(rows[4]["problems"][0]["code"], "not_json", "{errors}");
    assert!(
        rows.iter().filter(|v| v["status"] == "issued").all(|v| v["problems"][0]["code"] == "outlives_document_signer")
    );
    assert!(!errors.contains("Nguy"), "personal data in the error report");
    let mut folders: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    folders.sort();
    assert_eq!(folders.len(), 8, "{folders:?}"); // six chips, errors.jsonl and issued.jsonl, no partial folder
    for i in 0..6 {
        let chip = out.join(format!("0010990123{:02}", 40 + i));
        let (code, v) = verify_json(&chip, &["--csca", s(&pki.join("csca.pem"))]);
        assert_eq!(code, 0, "{v}");
    }
    // the manifest for printing: every chip with its CAN and folder, in line order
    let manifest = std::fs::read_to_string(out.join("issued.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = manifest.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["id_number"], "001099012340");
    assert_eq!(rows[0]["can"], "012340");
    assert_eq!(rows[0]["folder"], "001099012340");
    // a rerun resumes: nothing issued twice, and it says so (text and JSON)
    let (code, stdout, _) = issue_batch(&records, &photo, &pki, &out, &["--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (v["issued"].as_u64(), v["skipped"].as_u64(), v["refused"].as_u64()),
        (Some(0), Some(6), Some(2)),
        "{v}"
    );
    assert_eq!(v["resume"], true);
    assert_eq!(std::fs::read_to_string(out.join("issued.jsonl")).unwrap(), manifest);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cccd issue --pace` chooses the PACE protocols EF.CardAccess offers: the chip then runs them (the reader
/// prefers CAM), and a spec that names no runnable protocol is refused before anything is written.
#[test]
fn issue_offers_the_chosen_pace_protocols() {
    use cccd::access::pace::PacePassword;
    use cccd::emulator::{ChipConfig, VirtualChip};
    use cccd::pa::Check;
    use cccd::reader::Reader;
    let dir = tmp("pace");
    let photo = photo(&dir);
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki)]).0, 0);
    let chip = dir.join("chip");
    let record = record_path();
    let args = ["issue", "--record", s(&record), "--photo", s(&photo), "--pki", s(&pki), "--out", s(&chip)];
    let (code, _, err) = cccd(&[&args[..], &["--pace", "im-dh-3des-1,cam-ecdh-aes256-13"]].concat());
    assert_eq!(code, 0, "{err}");
    let image = ChipImage::load_dir(&chip).unwrap();
    let can = PacePassword::Can(image.secrets.can.clone().unwrap());
    let result = Reader::pace(can.clone()).read(&mut VirtualChip::new(image.clone(), ChipConfig::default())).unwrap();
    assert_eq!(result.access.to_string(), "PACE-CAM-ECDH-AES256 (brainpoolP256r1)");
    assert_eq!(result.chip_authentication, Check::Passed);

    for (bad, why) in [
        ("gm-ecdh-aes128-1", "agreement must match"),
        ("cam-ecdh-3des-13", "3DES"),
        ("cam-ecdh-aes128-12", "curve of the chip"),
        ("im-ecdh-aes128-10", "P-224"),
        ("xx-ecdh-aes128-13", "mapping"),
        ("gm-ecdh-aes128", "MAPPING-AGREEMENT-CIPHER-ID"),
    ] {
        let out = dir.join(format!("bad-{bad}"));
        let args = ["issue", "--record", s(&record), "--photo", s(&photo), "--pki", s(&pki), "--out", s(&out)];
        let (code, _, err) = cccd(&[&args[..], &["--pace", bad]].concat());
        assert_ne!(code, 0, "{bad}");
        assert!(err.contains(why), "{bad}: {err}");
        assert!(!out.exists(), "{bad}: output written");
    }
}

#[test]
fn rsa_document_signers_and_dh_chip_authentication_from_the_command_line() {
    let dir = tmp("rsa");
    let photo = photo(&dir);
    for (flags, scheme) in [
        (&["--ds-rsa", "2048"][..], "sha256WithRSAEncryption"),
        (&["--ds-rsa", "3072", "--ds-rsa-pss"][..], "id-RSASSA-PSS"),
    ] {
        let pki = dir.join(format!("pki-{}", flags.len()));
        let mut args = vec!["pki", "init", "--out", s(&pki), "--curve", "secp384r1"];
        args.extend_from_slice(flags);
        let (code, out, err) = cccd(&args);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(&format!("ds.pem ds.key (RSA-{}", flags[1])), "{out}");
        let chip = dir.join(format!("chip-{}", flags.len()));
        let (code, _, err) = issue(&record_path(), &photo, &pki, &chip, &[]);
        assert_eq!(code, 0, "{err}");
        let image = ChipImage::load_dir(&chip).unwrap();
        let sod = Sod::decode(&image.files[&LdsFile::Sod]).unwrap();
        assert_eq!(cccd::oid::name(&sod.signer_infos[0].signature_algorithm.oid), scheme);
        openssl_accepts(&image.files[&LdsFile::Sod], &pki.join("csca.pem"), &dir)
            .unwrap_or_else(|e| panic!("openssl rejects the {scheme} SOD: {e}"));
        let (code, v) = verify_json(&chip, &["--csca", s(&pki.join("csca.pem"))]);
        assert_eq!((code, &v["valid"]), (0, &serde_json::json!(true)), "{v}");
    }
    // a DH Chip Authentication key: DG14 and EF.CardAccess name CA-DH; CAM cannot run on it; unknown groups refused
    let pki = dir.join("pki-2");
    let chip = dir.join("chip-dh");
    let record = record_path();
    let issue = |extra: &[&str], out: &Path| {
        let mut args = vec!["issue", "--record", s(&record), "--photo", s(&photo), "--pki", s(&pki), "--out", s(out)];
        args.extend_from_slice(extra);
        cccd(&args)
    };
    let (code, _, err) = issue(&["--ca-dh", "2"], &chip);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = cccd(&["inspect", s(&chip.join("DG14.bin")), s(&chip.join("EF.CardAccess.bin")), "--json"]);
    assert_eq!(out.matches("id-CA-DH-AES-CBC-CMAC-128").count(), 2, "{out}");
    assert!(!out.contains("id-CA-ECDH"), "{out}");
    assert_eq!(verify_json(&chip, &["--csca", s(&pki.join("csca.pem"))]).0, 0);
    let (code, _, err) = issue(&["--ca-dh", "2", "--pace", "cam-ecdh-aes128-13"], &dir.join("chip-cam"));
    assert_eq!(code, 2);
    assert!(err.contains("CAM needs an ECDH Chip Authentication key"), "{err}");
    let (code, _, err) = issue(&["--ca-dh", "7"], &dir.join("chip-7"));
    assert_eq!(code, 2);
    assert!(err.contains("not a MODP group ID"), "{err}");

    // too small a key is refused before anything is written
    let (code, _, err) = cccd(&["pki", "init", "--out", s(&dir.join("small")), "--ds-rsa", "1024"]);
    assert_eq!(code, 2);
    assert!(err.contains("2048 bits at least"), "{err}");
    assert!(!dir.join("small").join("ds.key").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
