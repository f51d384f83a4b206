//! RSA CSCAs and Document Signers (RSASSA-PKCS1-v1_5 and RSASSA-PSS): certificates and EF.SOD signed by
//! `cccd::pki::RsaSoftwareKey`, accepted by `openssl cms -verify` and by Passive Authentication; keys read from
//! and written for openssl.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Every Passive Authentication check passed (a query on the report; the verdict is the verifier's).
fn pa_ok(report: &cccd::pa::PassiveAuthReport) -> bool {
    report.hashes_match() && report.first_failure().is_none()
}

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::lds::LdsFile;
use cccd::lds::sod::Sod;
use cccd::pki::{
    BuildError, CertificateBuilder, DocumentSigner, PkiError, RsaSoftwareKey, Signer, SoftwareKey, pem_encode,
};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cccd-rsa-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An RSA key made by `openssl genpkey`, read back as PKCS#8 PEM.
fn openssl_rsa_key(dir: &Path, bits: u32, algorithm: SignatureAlgorithm) -> RsaSoftwareKey {
    let path = dir.join(format!("rsa{bits}.key"));
    let out = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", &format!("rsa_keygen_bits:{bits}"), "-out", s(&path)])
        .output()
        .expect("openssl must be installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    RsaSoftwareKey::from_pem(&std::fs::read_to_string(&path).unwrap(), algorithm).unwrap()
}

fn openssl_verifies_sod(sod: &[u8], csca_der: &[u8], dir: &Path) -> Result<(), String> {
    let (input, ca) = (dir.join("sod.p7"), dir.join("csca.pem"));
    std::fs::write(&input, Sod::decode(sod).unwrap().content_info_der()).unwrap();
    std::fs::write(&ca, pem_encode("CERTIFICATE", csca_der)).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-in", s(&input), "-CAfile", s(&ca)])
        .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
        .output()
        .expect("openssl must be installed");
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

fn data_groups() -> std::collections::BTreeMap<LdsFile, Vec<u8>> {
    common::chip::cccd_image().files.into_iter().filter(|(f, _)| f.dg_number().is_some()).collect()
}

fn yesterday() -> SystemTime {
    SystemTime::now() - Duration::from_secs(86_400)
}

#[test]
fn rsa_chains_sign_sods_that_openssl_and_passive_authentication_accept() {
    let dir = tmp("chains");
    let pss = |hash: HashAlgorithm| SignatureAlgorithm::RsaPss { hash, salt_len: hash.digest(&[]).len() };
    let schemes = [
        ("PKCS#1 v1.5 SHA-256", SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256), 2048),
        ("PSS SHA-256", pss(HashAlgorithm::Sha256), 2048),
        ("PSS SHA-512", pss(HashAlgorithm::Sha512), 3072),
    ];
    let dgs = data_groups();
    for (name, algorithm, bits) in schemes {
        let csca_key = openssl_rsa_key(&dir, bits, algorithm);
        let csca = CertificateBuilder::country_signing_ca("CN=CSCA RSA,C=XX")
            .serial(1)
            .not_before(yesterday())
            .valid_for_days(3650)
            .self_signed(&csca_key)
            .build()
            .unwrap();
        let (csca_der, csca) = (csca.der, csca.certificate);
        let ds_key = openssl_rsa_key(&dir, 2048, algorithm);
        let ds_der = CertificateBuilder::document_signer("CN=DS RSA,C=XX")
            .serial(2)
            .not_before(yesterday())
            .valid_for_days(365)
            .public_key(ds_key.public_key().unwrap())
            .issued_by(&csca, &csca_key)
            .build()
            .unwrap()
            .der;
        let ds = DocumentSigner::new(ds_der, Arc::new(ds_key)).unwrap();
        let sod = ds.sod().data_groups(&dgs).hash(HashAlgorithm::Sha256).build().unwrap();
        openssl_verifies_sod(&sod, &csca_der, &dir).unwrap_or_else(|e| panic!("{name}: openssl: {e}"));
        let report = cccd::pa::verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&csca)).unwrap();
        assert!(pa_ok(&report), "{name}: {report:?}");
        let decoded = Sod::decode(&sod).unwrap();
        let si = &decoded.signer_infos[0];
        assert_eq!(SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, None).unwrap(), algorithm);

        // a changed data group and another CSCA are caught
        let mut changed = dgs.clone();
        changed.get_mut(&LdsFile::dg(1).unwrap()).unwrap()[5] ^= 1;
        assert!(!pa_ok(&cccd::pa::verify_with_trust(&sod, &changed, None, std::slice::from_ref(&csca)).unwrap()));
        let other = CertificateBuilder::country_signing_ca("CN=CSCA RSA,C=XX")
            .valid_for_days(10)
            .build_for_key(SoftwareKey::generate(NamedCurve::P256))
            .unwrap();
        let report = cccd::pa::verify_with_trust(&sod, &dgs, None, &[other.certificate]).unwrap();
        assert!(!report.csca_chain.passed(), "{name}: {report:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mixed_chains_an_ec_csca_over_an_rsa_document_signer_and_back() {
    let dir = tmp("mixed");
    let dgs = data_groups();
    let rsa = RsaSoftwareKey::generate(2048, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256)).unwrap();
    assert_eq!(rsa.bits(), 2048);

    // brainpoolP384r1 CSCA, RSA Document Signer
    let ec_csca = CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .valid_for_days(30)
        .build_for_key(SoftwareKey::generate(NamedCurve::BrainpoolP384r1))
        .unwrap();
    let ds_der = CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(7)
        .not_before(yesterday())
        .valid_for_days(30)
        .public_key(rsa.public_key().unwrap())
        .issuer(&ec_csca)
        .build()
        .unwrap()
        .der;
    let sod = DocumentSigner::new(ds_der, Arc::new(rsa.clone())).unwrap().sod().data_groups(&dgs).build().unwrap();
    openssl_verifies_sod(&sod, &ec_csca.der, &dir).unwrap();
    assert!(pa_ok(&cccd::pa::verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&ec_csca.certificate)).unwrap()));

    // RSA CSCA, P-256 Document Signer
    let rsa_csca = CertificateBuilder::country_signing_ca("CN=CSCA,C=XX")
        .serial(1)
        .not_before(yesterday())
        .valid_for_days(30)
        .self_signed(&rsa)
        .build()
        .unwrap();
    let (rsa_csca_der, rsa_csca) = (rsa_csca.der, rsa_csca.certificate);
    let ec_ds = SoftwareKey::generate(NamedCurve::P256);
    let ds_der = CertificateBuilder::document_signer("CN=DS,C=XX")
        .serial(3)
        .not_before(yesterday())
        .valid_for_days(30)
        .public_key(ec_ds.public_key().unwrap())
        .issued_by(&rsa_csca, &rsa)
        .build()
        .unwrap()
        .der;
    let sod = DocumentSigner::new(ds_der, Arc::new(ec_ds)).unwrap().sod().data_groups(&dgs).build().unwrap();
    openssl_verifies_sod(&sod, &rsa_csca_der, &dir).unwrap();
    assert!(pa_ok(&cccd::pa::verify_with_trust(&sod, &dgs, None, &[rsa_csca]).unwrap()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rsa_keys_round_trip_refuse_what_they_cannot_be_and_keep_their_secret() {
    use rsa::pkcs8::DecodePrivateKey;
    let dir = tmp("keys");
    let algorithm = SignatureAlgorithm::RsaPss { hash: HashAlgorithm::Sha256, salt_len: 32 };
    let key = openssl_rsa_key(&dir, 2048, algorithm);
    // PKCS#8 out, openssl reads it and agrees on the modulus size
    let pem = key.to_pkcs8_pem().unwrap();
    let path = dir.join("out.key");
    std::fs::write(&path, pem.as_bytes()).unwrap();
    let out = Command::new("openssl").args(["pkey", "-in", s(&path), "-noout", "-text"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("2048 bit"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("PSS parameter restrictions") && text.contains("Minimum Salt Length: 32"), "{text}");
    let again = RsaSoftwareKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), algorithm).unwrap();
    assert_eq!(again.public_key().unwrap(), key.public_key().unwrap());
    // the file keeps its scheme: PSS written here, PSS made by openssl, PKCS#1 v1.5 for rsaEncryption keys
    assert_eq!(RsaSoftwareKey::from_pem_with_scheme(&pem).unwrap().algorithm(), algorithm);
    let openssl_pss = |mgf1: &str| {
        let path = dir.join(format!("pss-{mgf1}.key"));
        let out = Command::new("openssl")
            .args(["genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"])
            .args(["-pkeyopt", "rsa_pss_keygen_md:sha384", "-pkeyopt", &format!("rsa_pss_keygen_mgf1_md:{mgf1}")])
            .args(["-pkeyopt", "rsa_pss_keygen_saltlen:48", "-out", s(&path)])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        RsaSoftwareKey::from_pem_with_scheme(&std::fs::read_to_string(&path).unwrap())
    };
    let read = openssl_pss("sha384").unwrap();
    assert_eq!(read.algorithm(), SignatureAlgorithm::RsaPss { hash: HashAlgorithm::Sha384, salt_len: 48 });
    // a mask hash other than the message hash is refused, with the reason
    match openssl_pss("sha1") {
        Err(PkiError::UnsupportedKey(reason)) => assert!(reason.contains("MGF1 hash differs"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let pkcs1 = RsaSoftwareKey::from_pkcs8_der(
        &key.to_pkcs8_der().unwrap(),
        SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
    )
    .unwrap();
    let pkcs1_pem = pkcs1.to_pkcs8_pem().unwrap();
    assert_eq!(
        RsaSoftwareKey::from_pem_with_scheme(&pkcs1_pem).unwrap().algorithm(),
        SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256)
    );
    // signatures verify with the public key; PSS signatures are randomized
    let (a, b) = (key.sign(b"message").unwrap(), key.sign(b"message").unwrap());
    assert_ne!(a, b);
    for sig in [&a, &b] {
        algorithm.verify(&key.public_key().unwrap(), b"message", sig).unwrap();
    }
    assert!(algorithm.verify(&key.public_key().unwrap(), b"massage", &a).is_err());

    // Debug shows the size and scheme, never the key
    let debug = format!("{key:?}");
    assert!(debug.contains("2048") && debug.contains("PSS"), "{debug}");
    let private = rsa::RsaPrivateKey::from_pkcs8_der(&pkcs1.to_pkcs8_der().unwrap()).unwrap();
    let d = rsa::traits::PrivateKeyParts::d(&private).to_be_bytes_trimmed_vartime();
    let hex: String = d[..8].iter().map(|b| format!("{b:02x}")).collect();
    assert!(!debug.to_lowercase().contains(&hex));

    // what an RSA key cannot be
    assert!(matches!(
        RsaSoftwareKey::generate(1024, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256)),
        Err(PkiError::UnsupportedKey(_))
    ));
    assert!(matches!(
        RsaSoftwareKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)),
        Err(PkiError::UnsupportedKey(_))
    ));
    let ec = SoftwareKey::generate(NamedCurve::P256);
    assert!(RsaSoftwareKey::from_pkcs8_der(&ec.to_pkcs8_der().unwrap(), algorithm).is_err());
    // a self-signed certificate needs the subject's own key
    let err = CertificateBuilder::country_signing_ca("CN=X,C=XX")
        .serial(1)
        .valid_for_days(1)
        .public_key(ec.public_key().unwrap())
        .self_signed(&key)
        .build()
        .unwrap_err();
    assert!(matches!(err, PkiError::Build(BuildError::SelfSignedKeyMismatch)), "{err:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
