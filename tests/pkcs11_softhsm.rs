//! Document Signer keys in a real SoftHSM2 token over PKCS#11: the key is generated in the token, certified by
//! a software CSCA, and signs EF.SOD; `openssl cms -verify` and Passive Authentication accept the result.
//!
//! The test initializes its own token with `softhsm2-util --init-token` (and deletes it at the end), so it needs
//! the `softhsm2` package (`.ci/run` installs it) and write access to SoftHSM2's token folder.
#![cfg(feature = "pkcs11")]
mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::lds::sod::Sod;
use cccd::pa::{Check, verify_with_trust};
use cccd::pki::pkcs11::Pkcs11Key;
use cccd::pki::{DocumentSigner, PkiError, Signer, SoftwareKey, country_signing_ca, document_signer_certificate};

const MODULES: [&str; 3] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

fn module() -> PathBuf {
    MODULES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("SoftHSM2 must be installed (apt-get install softhsm2; .ci/run does it)")
}

/// Two tests creating tokens and signing at once in one process made SoftHSM2 answer "user not logged in"
/// (it re-reads its token folder when slots are listed); the tests of this file take turns.
static SOFTHSM: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A fresh SoftHSM2 token (user PIN 1234) in SoftHSM2's configured token folder (`SOFTHSM2_CONF` or
/// `/etc/softhsm/softhsm2.conf`); deleted when dropped.
struct Token(String);

impl Token {
    fn new(name: &str) -> Self {
        // one token per test: tests of this file run in parallel
        let label = format!("cccd-{name}-{}", std::process::id());
        let out = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", &label, "--so-pin", "0000", "--pin", "1234"])
            .output()
            .expect("softhsm2-util must be installed (apt-get install softhsm2; .ci/run does it)");
        assert!(out.status.success(), "softhsm2-util: {}", String::from_utf8_lossy(&out.stderr));
        Token(label)
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        let _ = Command::new("softhsm2-util").args(["--delete-token", "--token", &self.0]).output();
    }
}

/// The data groups of the test image.
fn data_groups() -> std::collections::BTreeMap<cccd::lds::LdsFile, Vec<u8>> {
    common::chip::cccd_image().files.into_iter().filter(|(f, _)| f.dg_number().is_some()).collect()
}

#[test]
fn a_sod_signed_in_softhsm2_verifies_with_openssl() {
    let dir = std::env::temp_dir().join(format!("cccd-softhsm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _turn = SOFTHSM.lock().unwrap_or_else(|e| e.into_inner());
    let token = Token::new("ec");
    let t = token.0.as_str();
    let dgs = data_groups();

    // a wrong PIN and an unknown token are typed errors
    assert!(matches!(Pkcs11Key::open(&module(), t, "9999", "ds"), Err(PkiError::Pkcs11(_))));
    assert!(matches!(Pkcs11Key::open(&module(), "nope", "1234", "ds"), Err(PkiError::Pkcs11(_))));

    for (i, curve) in [NamedCurve::P256, NamedCurve::BrainpoolP384r1, NamedCurve::P521].into_iter().enumerate() {
        let label = format!("ds-{}", curve.name());
        let key = Pkcs11Key::generate(&module(), t, "1234", &label, curve).unwrap();
        assert_eq!(key.curve(), Some(curve));
        let debug = format!("{key:?}");
        assert!(debug.contains(&label) && !debug.contains("1234"), "{debug}");
        // the same key opens again by label
        let reopened = Pkcs11Key::open(&module(), t, "1234", &label).unwrap();
        assert_eq!(reopened.public_key().unwrap(), key.public_key().unwrap());

        let csca =
            country_signing_ca("CN=CSCA HSM Test,O=Test,C=VN", SoftwareKey::generate(NamedCurve::P384), 3650).unwrap();
        let (_, der) = document_signer_certificate(
            "CN=DS HSM,O=Test,C=VN",
            &csca,
            &key.public_key().unwrap(),
            10 + i as u64,
            std::time::SystemTime::now() - std::time::Duration::from_secs(3600),
            365,
        )
        .unwrap();
        // a software key that is not the certificate's is refused
        let other: Arc<dyn Signer> = Arc::new(SoftwareKey::generate(curve));
        assert!(matches!(DocumentSigner::new(der.clone(), other), Err(PkiError::KeyMismatch)));
        let ds = DocumentSigner::new(der, Arc::new(key)).unwrap();
        let sod = ds.sign_sod(&dgs, HashAlgorithm::Sha256).unwrap();

        let report = verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&csca.certificate)).unwrap();
        assert_eq!(report.signature, Check::Passed, "{}", curve.name());
        assert!(report.is_valid(), "{report:?}");

        openssl_verifies(&sod, &csca.pem(), &dir, curve.name())
            .unwrap_or_else(|e| panic!("openssl rejects the HSM-signed SOD: {e}"));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `openssl cms -verify` with the CSCA as the only trust anchor.
fn openssl_verifies(sod: &[u8], csca_pem: &str, dir: &std::path::Path, name: &str) -> Result<(), String> {
    let ci = dir.join(format!("{name}.p7"));
    let ca = dir.join(format!("{name}-csca.pem"));
    std::fs::write(&ci, Sod::decode(sod).unwrap().content_info_der()).unwrap();
    std::fs::write(&ca, csca_pem).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-in"])
        .arg(&ci)
        .arg("-CAfile")
        .arg(&ca)
        .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
        .output()
        .expect("openssl must be installed");
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

#[test]
fn rsa_document_signer_keys_in_softhsm2_sign_sods_openssl_accepts() {
    use cccd::crypto::signature::SignatureAlgorithm;
    let dir = std::env::temp_dir().join(format!("cccd-softhsm-rsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let _turn = SOFTHSM.lock().unwrap_or_else(|e| e.into_inner());
    let token = Token::new("rsa");
    let t = token.0.as_str();
    let dgs = data_groups();
    let csca =
        country_signing_ca("CN=CSCA HSM RSA,O=Test,C=XX", SoftwareKey::generate(NamedCurve::P384), 3650).unwrap();
    let pss = SignatureAlgorithm::RsaPss { hash: HashAlgorithm::Sha256, salt_len: 32 };
    let pkcs1 = SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256);
    for (i, (bits, algorithm)) in [(2048, pkcs1), (3072, pss)].into_iter().enumerate() {
        let label = format!("ds-rsa-{bits}");
        let key = Pkcs11Key::generate_rsa(&module(), t, "1234", &label, bits, algorithm).unwrap();
        assert_eq!(key.curve(), None);
        let debug = format!("{key:?}");
        assert!(debug.contains(&format!("rsa_bits: {bits}")), "{debug}");
        // reopened by label it signs PKCS#1 v1.5 until told otherwise; the public key is the same
        let reopened = Pkcs11Key::open(&module(), t, "1234", &label).unwrap();
        assert_eq!(reopened.public_key().unwrap(), key.public_key().unwrap());
        assert_eq!(reopened.signature_algorithm().oid, cccd::oid::SHA256_WITH_RSA);
        let (_, der) = document_signer_certificate(
            "CN=DS HSM RSA,O=Test,C=XX",
            &csca,
            &key.public_key().unwrap(),
            20 + i as u64,
            std::time::SystemTime::now() - std::time::Duration::from_secs(3600),
            365,
        )
        .unwrap();
        let ds = DocumentSigner::new(der, Arc::new(key)).unwrap();
        let sod = ds.sign_sod(&dgs, HashAlgorithm::Sha256).unwrap();
        let decoded = Sod::decode(&sod).unwrap();
        let si = &decoded.signer_infos[0];
        assert_eq!(SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, None).unwrap(), algorithm);
        let report = verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&csca.certificate)).unwrap();
        assert!(report.is_valid(), "{report:?}");
        openssl_verifies(&sod, &csca.pem(), &dir, &label)
            .unwrap_or_else(|e| panic!("openssl rejects the HSM RSA-{bits} SOD: {e}"));
    }
    // what the token's keys cannot be asked to do
    let ec = Pkcs11Key::generate(&module(), t, "1234", "ec", NamedCurve::P256).unwrap();
    assert!(matches!(ec.with_rsa_algorithm(pss), Err(PkiError::UnsupportedKey(_))));
    assert!(matches!(
        Pkcs11Key::generate_rsa(&module(), t, "1234", "small", 1024, pkcs1),
        Err(PkiError::UnsupportedKey(_))
    ));
    let rsa = Pkcs11Key::open(&module(), t, "1234", "ds-rsa-2048").unwrap();
    let ecdsa = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    assert!(matches!(rsa.with_rsa_algorithm(ecdsa), Err(PkiError::UnsupportedKey(_))));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The command line with the Document Signer key in the token: `cccd pki init --hsm-*` generates it there (no
/// `ds.key` on disk), `cccd issue --hsm-*` signs with it, openssl and `cccd verify` accept the chip; the PIN
/// comes from `CCCD_HSM_PIN` only, and a wrong one, a missing one or a taken label are clear errors.
#[test]
fn the_command_line_issues_with_a_document_signer_key_in_softhsm2() {
    let _turn = SOFTHSM.lock().unwrap_or_else(|e| e.into_inner());
    let token = Token::new("cli");
    let dir = std::env::temp_dir().join(format!("cccd-softhsm-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let photo = dir.join("photo.jpg");
    std::fs::write(&photo, common::chip::face_jpeg().0).unwrap();
    let module = module();
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let cccd = |args: &[String], pin: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cccd"));
        c.args(args).env_remove("CCCD_HSM_PIN");
        if let Some(pin) = pin {
            c.env("CCCD_HSM_PIN", pin);
        }
        let out = c.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let hsm = |label: &str| -> Vec<String> {
        ["--hsm-module", &s(&module), "--hsm-token", &token.0, "--hsm-key", label].map(String::from).to_vec()
    };
    let record = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json").to_string();
    for (label, extra) in [("ds-ec", vec!["--curve", "brainpoolP384r1"]), ("ds-rsa", vec!["--ds-rsa", "2048"])] {
        let pki = dir.join(format!("pki-{label}"));
        let mut init: Vec<String> = ["pki", "init", "--out", &s(&pki)].map(String::from).to_vec();
        init.extend(extra.iter().map(|a| a.to_string()));
        init.extend(hsm(label));
        let (code, out, err) = cccd(&init, Some("1234"));
        assert_eq!(code, Some(0), "{err}");
        assert!(out.contains("in the HSM"), "{out}");
        assert!(pki.join("ds.pem").exists() && !pki.join("ds.key").exists(), "the DS key must stay in the token");
        // the label is taken now (even when the folder may be replaced)
        let csca_before = std::fs::read(pki.join("csca.pem")).unwrap();
        let (code, _, err) = cccd(&[init.clone(), vec!["--force".into()]].concat(), Some("1234"));
        assert_eq!(std::fs::read(pki.join("csca.pem")).unwrap(), csca_before, "a refused init writes nothing");
        assert_eq!(code, Some(2));
        assert!(err.contains("already holds a key labelled"), "{err}");

        let chip = dir.join(format!("chip-{label}"));
        let mut issue: Vec<String> =
            ["issue", "--record", &record, "--photo", &s(&photo), "--pki", &s(&pki), "--out", &s(&chip)]
                .map(String::from)
                .to_vec();
        // without the HSM there is no key; without or with a wrong PIN the token refuses
        let (code, _, err) = cccd(&issue, Some("1234"));
        assert_eq!(code, Some(2));
        assert!(err.contains("ds.key"), "{err}");
        issue.extend(hsm(label));
        let (code, _, err) = cccd(&issue, None);
        assert_eq!(code, Some(2));
        assert!(err.contains("CCCD_HSM_PIN"), "{err}");
        let (code, _, err) = cccd(&issue, Some("9999"));
        assert_eq!(code, Some(2), "{err}");
        assert!(!err.contains("9999"), "the PIN must not be echoed: {err}");
        assert!(!chip.exists(), "nothing is written when signing cannot happen");
        let (code, _, err) = cccd(&issue, Some("1234"));
        assert_eq!(code, Some(0), "{err}");

        let image = cccd::image::ChipImage::load_dir(&chip).unwrap();
        let csca_pem = std::fs::read_to_string(pki.join("csca.pem")).unwrap();
        openssl_verifies(&image.files[&cccd::lds::LdsFile::Sod], &csca_pem, &dir, label)
            .unwrap_or_else(|e| panic!("openssl rejects the {label} SOD: {e}"));
        let (code, out, err) =
            cccd(&["verify".into(), s(&chip), "--csca".into(), s(&pki.join("csca.pem")), "--json".into()], None);
        assert_eq!(code, Some(0), "{out} {err}");

        // a batch signs with the same token key from parallel jobs
        let records = dir.join(format!("records-{label}.jsonl"));
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
        std::fs::write(&records, format!("{json}\n")).unwrap();
        let batch_out = dir.join(format!("batch-{label}"));
        let mut batch: Vec<String> =
            ["issue-batch", "--records", &s(&records), "--photo", &s(&photo), "--pki", &s(&pki), "--jobs", "2"]
                .map(String::from)
                .to_vec();
        batch.extend(["--out".to_string(), s(&batch_out)]);
        batch.extend(hsm(label));
        let (code, _, err) = cccd(&batch, Some("1234"));
        assert_eq!(code, Some(0), "{err}");
        let issued: Vec<_> = std::fs::read_dir(&batch_out)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        assert_eq!(issued.len(), 1, "{issued:?}");
        let (code, out, err) =
            cccd(&["verify".into(), s(&issued[0]), "--csca".into(), s(&pki.join("csca.pem")), "--json".into()], None);
        assert_eq!(code, Some(0), "{out} {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
