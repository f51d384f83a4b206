//! The PKI's traps on the command line: `--ds-days 0`, an expired Document Signer, cards that outlive their
//! certificates, `cccd pki new-ds` (the old signer kept, never overwritten) and `cccd pki crl` (checked by
//! `openssl crl` and by `cccd verify --crl`); and the transport key kept off the command line.
mod cli_support;

use cli_support::{cccd, photo, s, tmp, verify_json as verify};
use std::path::Path;
use std::process::Command;

const RECORD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");

fn issue(pki: &Path, photo: &Path, out: &Path) -> (i32, String, String) {
    cli_support::issue(Path::new(RECORD), photo, pki, out, &[])
}

#[test]
fn an_expired_document_signer_is_refused_and_outliving_cards_are_warned_about() {
    use cccd::crypto::ec::NamedCurve;
    use cccd::pki::{CertificateBuilder, SoftwareKey};
    let dir = tmp("expired");
    let photo = photo(&dir);
    let (code, _, err) = cccd(&["pki", "init", "--out", s(&dir.join("zero")), "--ds-days", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--ds-days"), "{err}");
    assert!(!dir.join("zero").join("ds.pem").exists());
    // the defaults: a 10-year Document Signer under a 15-year CSCA; the sample card runs to 2039
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki), "--curve", "secp256r1"]).0, 0);
    let (code, _, err) = issue(&pki, &photo, &dir.join("chip"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: the card outlives the Document Signer certificate (valid until"), "{err}");
    // a PKI folder whose Document Signer expired ten days ago
    let old = dir.join("old");
    std::fs::create_dir_all(&old).unwrap();
    let csca = CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(40 * 86_400);
    let ds = CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(5)
        .not_before(then)
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    std::fs::write(old.join("csca.pem"), csca.pem()).unwrap();
    std::fs::write(old.join("ds.pem"), ds.pem()).unwrap();
    std::fs::write(old.join("ds.key"), ds.key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    let chip = dir.join("chip-old");
    let (code, _, err) = issue(&old, &photo, &chip);
    assert_eq!(code, 2);
    assert!(err.contains("the Document Signer expired on") && err.contains("cccd pki new-ds"), "{err}");
    assert!(!chip.exists());
    // issue-batch refuses to start with it
    let records = dir.join("r.jsonl");
    std::fs::write(&records, std::fs::read_to_string(RECORD).unwrap().replace('\n', " ") + "\n").unwrap();
    let out = dir.join("batch");
    let (code, _, err) = cli_support::issue_batch(&records, &photo, &old, &out, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("expired"), "{err}");
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn new_document_signers_keep_the_old_ones_and_a_crl_revokes_one() {
    let dir = tmp("newds");
    let photo = photo(&dir);
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki), "--curve", "secp256r1"]).0, 0);
    let csca = pki.join("csca.pem");
    let first = std::fs::read(pki.join("ds.pem")).unwrap();
    let first_key = std::fs::read(pki.join("ds.key")).unwrap();
    let chip1 = dir.join("chip1");
    assert_eq!(issue(&pki, &photo, &chip1).0, 0);

    let (code, out, err) = cccd(&["pki", "new-ds", "--pki", s(&pki), "--curve", "secp256r1", "--days", "4000"]);
    assert_eq!(code, 0, "{err}");
    // `pki init` numbers its Document Signer 2
    assert!(out.contains("the old one kept as ds-02.pem"), "{out}");
    assert_eq!(std::fs::read(pki.join("ds-02.pem")).unwrap(), first);
    assert_eq!(std::fs::read(pki.join("ds-02.key")).unwrap(), first_key);
    assert_ne!(std::fs::read(pki.join("ds.pem")).unwrap(), first);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(pki.join("ds.key")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let chip2 = dir.join("chip2");
    assert_eq!(issue(&pki, &photo, &chip2).0, 0);
    for chip in [&chip1, &chip2] {
        assert_eq!(verify(chip, &["--csca", s(&csca)]).0, 0);
    }
    // a second new-ds keeps the second one too; nothing is ever overwritten
    let second = std::fs::read(pki.join("ds.pem")).unwrap();
    assert_eq!(cccd(&["pki", "new-ds", "--pki", s(&pki), "--curve", "secp256r1"]).0, 0);
    let kept: Vec<String> = std::fs::read_dir(&pki)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("ds-") && n.ends_with(".pem"))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().any(|n| std::fs::read(pki.join(n)).unwrap() == second));
    // a Document Signer whose archive name is taken: refused, nothing moved
    let current = std::fs::read(pki.join("ds.pem")).unwrap();
    std::fs::write(pki.join("ds.pem"), &first).unwrap();
    let (code, _, err) = cccd(&["pki", "new-ds", "--pki", s(&pki)]);
    assert_eq!(code, 2, "an archive name that is taken is refused");
    assert!(err.contains("not overwriting"), "{err}");
    assert_eq!(std::fs::read(pki.join("ds.pem")).unwrap(), first);
    assert_eq!(std::fs::read(pki.join("ds-02.pem")).unwrap(), first);
    std::fs::write(pki.join("ds.pem"), &current).unwrap();

    // a CRL revoking the first Document Signer: openssl checks its signature, verify reports chip 1 revoked
    let crl = dir.join("ds.crl");
    let (code, out, err) = cccd(&[
        "pki",
        "crl",
        "--pki",
        s(&pki),
        "--revoke",
        s(&pki.join("ds-02.pem")),
        "--out",
        s(&crl),
        "--next-update-days",
        "7",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 revoked"), "{out}");
    let checked = Command::new("openssl")
        .args(["crl", "-inform", "DER", "-in", s(&crl), "-CAfile", s(&csca), "-noout", "-text"])
        .output()
        .expect("openssl must be installed");
    let text = String::from_utf8_lossy(&checked.stdout);
    assert!(
        String::from_utf8_lossy(&checked.stderr).contains("verify OK"),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(text.contains("Serial Number: 02"), "{text}");
    // the cRLNumber grows from one CRL to the next (kept in the PKI folder)
    assert!(text.contains("X509v3 CRL Number"), "{text}");
    assert_eq!(std::fs::read_to_string(pki.join("crl-number")).unwrap().trim(), "1");
    let (code, out, err) = cccd(&["pki", "crl", "--pki", s(&pki), "--out", s(&dir.join("empty.crl"))]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("CRL number 2"), "{out}");
    assert_eq!(std::fs::read_to_string(pki.join("crl-number")).unwrap().trim(), "2");
    let (code, v) = verify(&chip1, &["--csca", s(&csca), "--crl", s(&crl)]);
    assert_eq!(code, 1, "{v}");
    assert!(v["revocation"]["reason"].as_str().unwrap().contains("revoked"), "{v}");
    let (code, v) = verify(&chip2, &["--csca", s(&csca), "--crl", s(&crl)]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["revocation"]["status"], "passed");
    // a certificate of another CSCA is not this CSCA's to revoke
    let other = dir.join("other");
    assert_eq!(cccd(&["pki", "init", "--out", s(&other), "--curve", "secp256r1", "--country", "LA"]).0, 0);
    let (code, _, err) =
        cccd(&["pki", "crl", "--pki", s(&pki), "--revoke", s(&other.join("ds.pem")), "--out", s(&dir.join("x.crl"))]);
    assert_eq!(code, 2);
    assert!(err.contains("not issued by this PKI's CSCA"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_transport_key_comes_from_a_file_or_the_environment() {
    let dir = tmp("tk");
    // no key anywhere: refused before anything runs, naming the safe ways
    let (code, _, err) = cccd(&["emulate", "--blank", "--port", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--transport-key-file") && err.contains("CCCD_TRANSPORT_KEY"), "{err}");
    let bad = dir.join("bad.key");
    std::fs::write(&bad, "0011").unwrap();
    let (code, _, err) = cccd(&["emulate", "--blank", "--transport-key-file", s(&bad), "--port", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("not 32 hex digits") && !err.contains("0011"), "{err}");
    // on the command line it still works, with a warning (port 1: nothing listens, so it stops at connecting)
    let (code, _, err) =
        cccd(&["emulate", "--blank", "--transport-key", "000102030405060708090a0b0c0d0e0f", "--port", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("warning: --transport-key is visible to other users"), "{err}");
    assert!(err.contains("vpcd 127.0.0.1:1"), "{err}");
    let env = Command::new(env!("CARGO_BIN_EXE_cccd"))
        .args(["emulate", "--blank", "--port", "1"])
        .env("CCCD_TRANSPORT_KEY", "000102030405060708090a0b0c0d0e0f")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&env.stderr);
    assert!(err.contains("vpcd 127.0.0.1:1") && !err.contains("warning"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
