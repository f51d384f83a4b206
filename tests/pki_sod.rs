//! SODs signed by this library: Passive Authentication passes, and `openssl cms -verify` (an independent
//! implementation, with the CSCA as trust anchor) accepts them, on every curve ICAO issuers use.
mod common;

use std::collections::BTreeMap;
use std::process::Command;

/// Every Passive Authentication check passed (a query on the report; the verdict is the verifier's).
fn pa_ok(report: &cccd::pa::PassiveAuthReport) -> bool {
    report.hashes_match() && report.first_failure().is_none()
}

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::lds::LdsFile;
use cccd::lds::sod::Sod;
use cccd::pa::{Check, HashCheck, verify, verify_with_trust};
use cccd::pki::SoftwareKey;

fn data_groups() -> BTreeMap<LdsFile, Vec<u8>> {
    let image = common::chip::cccd_image();
    image.files.into_iter().filter(|(f, _)| f.dg_number().is_some()).collect()
}

#[test]
fn signed_sods_verify_here_and_with_openssl_on_every_curve() {
    let dgs = data_groups();
    let dir = std::env::temp_dir().join(format!("cccd-pki-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for curve in [
        NamedCurve::P256,
        NamedCurve::P384,
        NamedCurve::P521,
        NamedCurve::BrainpoolP256r1,
        NamedCurve::BrainpoolP384r1,
        NamedCurve::BrainpoolP512r1,
    ] {
        let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA Test,O=Test,C=VN")
            .serial(1)
            .valid_for_days(3650)
            .build_for_key(SoftwareKey::generate(curve))
            .unwrap();
        let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS Test,O=Test,C=VN")
            .serial(7)
            .not_before(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
            .valid_for_days(365)
            .issuer(&csca)
            .build_for_key(SoftwareKey::generate(curve))
            .unwrap();
        let sod = cccd::pki::SodBuilder::new(&ds).data_groups(&dgs).hash(HashAlgorithm::Sha256).build().unwrap();
        let decoded = Sod::decode(&sod).unwrap();
        assert_eq!(decoded.lds_security_object.data_group_hashes.len(), dgs.len());
        let report = verify(&sod, &dgs, None).unwrap();
        assert!(report.data_groups.values().all(|h| *h == HashCheck::Match), "{}: {report:?}", curve.name());
        assert_eq!(report.signature, Check::Passed, "{}", curve.name());
        assert_eq!(report.message_digest, Check::Passed);
        assert_eq!(report.ds_certificate_validity, Check::Passed);

        // openssl: the ContentInfo without the 77 wrapper, the CSCA as the only trust anchor
        let ci = dir.join(format!("{}.p7", curve.name()));
        let ca = dir.join(format!("{}-csca.pem", curve.name()));
        std::fs::write(&ci, decoded.content_info_der()).unwrap();
        std::fs::write(&ca, csca.pem()).unwrap();
        let out = Command::new("openssl")
            .args(["cms", "-verify", "-inform", "DER", "-in"])
            .arg(&ci)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
            .output()
            .expect("openssl must be installed");
        assert!(
            out.status.success(),
            "openssl rejects the {} SOD: {}",
            curve.name(),
            String::from_utf8_lossy(&out.stderr)
        );

        // with the CSCA trusted, Passive Authentication is complete; another CSCA of the same name is refused
        let trusted = verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&csca.certificate)).unwrap();
        assert_eq!(trusted.csca_chain, Check::Passed, "{}", curve.name());
        assert!(pa_ok(&trusted));
        let impostor = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA Test,O=Test,C=VN")
            .serial(1)
            .valid_for_days(3650)
            .build_for_key(SoftwareKey::generate(curve))
            .unwrap();
        let wrong = verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&impostor.certificate)).unwrap();
        assert!(
            matches!(&wrong.csca_chain, Check::Failed(r) if r.to_string().starts_with("bad signature")),
            "{wrong:?}"
        );
        let stranger = cccd::pki::CertificateBuilder::country_signing_ca("CN=Other CSCA,C=XX")
            .serial(1)
            .valid_for_days(3650)
            .build_for_key(SoftwareKey::generate(curve))
            .unwrap();
        let unknown = verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&stranger.certificate)).unwrap();
        assert!(
            matches!(&unknown.csca_chain, Check::Failed(r) if r.to_string().starts_with("unknown CSCA")),
            "{unknown:?}"
        );
        assert!(!pa_ok(&unknown));

        // a changed data group breaks its hash, nothing else
        let mut changed = dgs.clone();
        changed.get_mut(&LdsFile::dg(13).unwrap()).unwrap()[10] ^= 1;
        let report = verify(&sod, &changed, None).unwrap();
        assert_eq!(report.data_groups[&cccd::lds::LdsFile::dg(13).unwrap()], HashCheck::Mismatch);
        assert_eq!(report.signature, Check::Passed);

        // another CSCA is not the trust anchor: openssl refuses
        let other = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA Test,O=Test,C=VN")
            .serial(1)
            .valid_for_days(3650)
            .build_for_key(SoftwareKey::generate(curve))
            .unwrap();
        std::fs::write(&ca, other.pem()).unwrap();
        let out = Command::new("openssl")
            .args(["cms", "-verify", "-inform", "DER", "-in"])
            .arg(&ci)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "openssl accepted a SOD under the wrong CSCA ({})", curve.name());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_expired_document_signer_is_reported_as_expired() {
    let curve = NamedCurve::BrainpoolP384r1;
    let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA Test,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::BrainpoolP512r1))
        .unwrap();
    let two_years_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 365 * 86_400);
    let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS Test,C=VN")
        .serial(9)
        .not_before(two_years_ago)
        .valid_for_days(365)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(curve))
        .unwrap();
    let dgs = data_groups();
    let sod = cccd::pki::SodBuilder::new(&ds).data_groups(&dgs).hash(HashAlgorithm::Sha256).build().unwrap();
    let report = verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&csca.certificate)).unwrap();
    assert!(
        matches!(&report.ds_certificate_validity, Check::Failed(r) if r.to_string().contains("expired")),
        "{report:?}"
    );
    assert_eq!(report.signature, Check::Passed);
    assert_eq!(report.csca_chain, Check::Passed);
    assert!(!pa_ok(&report));
}

/// An SOD without its Document Signer certificate verifies when the verifier supplies the certificate (found by
/// issuer and serial number), and says what is missing when it does not.
#[test]
fn a_sod_without_its_ds_certificate_verifies_with_a_supplied_one() {
    use cccd::pa::{TrustStore, verify_with_store};
    let dgs = data_groups();
    let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(9)
        .not_before(yesterday)
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let sod = cccd::pki::SodBuilder::new(&ds).data_groups(&dgs).without_certificate().build().unwrap();
    assert!(Sod::decode(&sod).unwrap().certificates.is_empty());
    let mut store = TrustStore::from_certificates(std::slice::from_ref(&csca.certificate));
    let without = verify_with_store(&sod, &dgs, None, &store).unwrap();
    assert!(
        matches!(&without.signature, Check::NotChecked(r) if r.to_string().contains("none supplied")),
        "{without:?}"
    );
    assert!(!pa_ok(&without));
    // another DS certificate (other serial) is not taken for it
    let other = cccd::pki::CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(10)
        .not_before(yesterday)
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    store.add_document_signer(other.certificate.clone());
    assert!(!verify_with_store(&sod, &dgs, None, &store).unwrap().signature.passed());
    store.add_document_signer_bytes(ds.pem().as_bytes()).unwrap();
    let with = verify_with_store(&sod, &dgs, None, &store).unwrap();
    assert_eq!(with.signature, Check::Passed);
    assert!(pa_ok(&with), "{with:?}");
}
