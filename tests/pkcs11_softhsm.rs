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

/// A fresh SoftHSM2 token (user PIN 1234) in SoftHSM2's configured token folder (`SOFTHSM2_CONF` or
/// `/etc/softhsm/softhsm2.conf`); deleted when dropped.
struct Token(String);

impl Token {
    fn new() -> Self {
        let label = format!("cccd-test-{}", std::process::id());
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

#[test]
fn a_sod_signed_in_softhsm2_verifies_with_openssl() {
    let dir = std::env::temp_dir().join(format!("cccd-softhsm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token = Token::new();
    let t = token.0.as_str();
    let dgs: std::collections::BTreeMap<_, _> =
        common::chip::cccd_image().files.into_iter().filter(|(f, _)| f.dg_number().is_some()).collect();

    // a wrong PIN and an unknown token are typed errors
    assert!(matches!(Pkcs11Key::open(&module(), t, "9999", "ds"), Err(PkiError::Pkcs11(_))));
    assert!(matches!(Pkcs11Key::open(&module(), "nope", "1234", "ds"), Err(PkiError::Pkcs11(_))));

    for (i, curve) in [NamedCurve::P256, NamedCurve::BrainpoolP384r1, NamedCurve::P521].into_iter().enumerate() {
        let label = format!("ds-{}", curve.name());
        let key = Pkcs11Key::generate(&module(), t, "1234", &label, curve).unwrap();
        assert_eq!(key.curve(), curve);
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

        let ci = dir.join(format!("{}.p7", curve.name()));
        let ca = dir.join(format!("{}-csca.pem", curve.name()));
        std::fs::write(&ci, Sod::decode(&sod).unwrap().content_info_der()).unwrap();
        std::fs::write(&ca, csca.pem()).unwrap();
        let out = Command::new("openssl")
            .args(["cms", "-verify", "-inform", "DER", "-in"])
            .arg(&ci)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
            .output()
            .expect("openssl must be installed");
        assert!(out.status.success(), "openssl rejects the HSM-signed SOD: {}", String::from_utf8_lossy(&out.stderr));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
