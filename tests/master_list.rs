//! CSCA master lists: signed by `cccd::pki::MasterListBuilder` and by openssl, checked by `cccd::pa::MasterList`
//! (intact, anchored, dated) and by `openssl cms -verify`; the trust store refuses lists that fail its policy.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use cccd::crypto::ec::NamedCurve;
use cccd::pa::{Check, MasterList, MasterListError, MasterListPolicy, TrustError, TrustStore};
use cccd::pki::{Issued, SoftwareKey};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cccd-ml-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Country {
    csca: Issued,
    mls: Issued,
}

fn country(code: &str, curve: NamedCurve) -> Country {
    let csca = cccd::pki::CertificateBuilder::country_signing_ca(format!("CN=CSCA {code},C={code}"))
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(curve))
        .unwrap();
    let yesterday = SystemTime::now() - Duration::from_secs(86_400);
    let mls = cccd::pki::CertificateBuilder::master_list_signer(format!("CN=MLS {code},C={code}"))
        .serial(9)
        .not_before(yesterday)
        .valid_for_days(90)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(curve))
        .unwrap();
    Country { csca, mls }
}

/// `openssl cms -verify` with `anchor` as the only trusted certificate.
fn openssl_verifies(ml: &[u8], anchor: &Issued, dir: &Path) -> Result<(), String> {
    let (input, ca) = (dir.join("ml.der"), dir.join("anchor.pem"));
    std::fs::write(&input, ml).unwrap();
    std::fs::write(&ca, anchor.pem()).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-in", s(&input), "-CAfile", s(&ca)])
        .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
        .output()
        .expect("openssl must be installed");
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

fn failed(c: &Check) -> String {
    match c {
        Check::Failed(r) => r.to_string(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_signed_master_list_verifies_here_and_in_openssl_on_each_curve() {
    let dir = tmp("curves");
    let other = country("XX", NamedCurve::P256);
    for curve in [NamedCurve::P256, NamedCurve::P384, NamedCurve::BrainpoolP384r1, NamedCurve::BrainpoolP512r1] {
        let vn = country("VN", curve);
        let ml = cccd::pki::MasterListBuilder::new(&vn.mls)
            .certificates(&[other.csca.certificate.clone(), vn.csca.certificate.clone()])
            .build()
            .unwrap();
        openssl_verifies(&ml, &vn.csca, &dir).unwrap_or_else(|e| panic!("{curve:?}: openssl: {e}"));
        assert!(openssl_verifies(&ml, &other.csca, &dir).is_err(), "openssl trusts a list the anchor did not sign");

        let list = MasterList::from_der(&ml).unwrap();
        assert_eq!(list.version(), 0);
        assert_eq!(list.certificates().len(), 2);
        assert_eq!(list.signer_certificate(), Some(&vn.mls.certificate));
        let report = list.verify(std::slice::from_ref(&vn.csca.certificate), None);
        assert!(report.is_valid(), "{curve:?}: {report:?}");
        assert_eq!(report.signer.as_deref(), Some("CN=MLS VN,C=VN"));
        assert!(list.verify_intact(None).is_intact());

        // another country's CSCA did not certify the signer
        let report = list.verify(std::slice::from_ref(&other.csca.certificate), None);
        assert!(!report.is_valid() && !report.is_intact());
        assert_eq!(failed(&report.signer_chain), "no anchor certified the master list signer");
        assert!(report.signature.passed() && report.signed_attributes.passed());
        // no anchors at all: not checked, not passed
        assert!(matches!(list.verify(&[], None).signer_chain, Check::NotChecked(_)));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_changed_list_or_signature_is_caught_and_refused_by_the_trust_store() {
    let dir = tmp("tamper");
    let (vn, xx) = (country("VN", NamedCurve::P256), country("XX", NamedCurve::BrainpoolP256r1));
    let ml = cccd::pki::MasterListBuilder::new(&vn.mls)
        .certificates(&[vn.csca.certificate.clone(), xx.csca.certificate.clone()])
        .build()
        .unwrap();
    let anchors = [vn.csca.certificate.clone()];

    // one listed CSCA renamed (XX → XY): still a master list, no longer the one signed
    let at = ml.windows(7).position(|w| w == b"CSCA XX").expect("the list names CSCA XX");
    let mut edited = ml.clone();
    edited[at + 6] = b'Y';
    let list = MasterList::from_der(&edited).unwrap();
    let report = list.verify(&anchors, None);
    assert_eq!(failed(&report.signed_attributes), "messageDigest differs from the hash of the CscaMasterList");
    assert!(!report.is_intact());
    assert!(openssl_verifies(&edited, &vn.csca, &dir).is_err(), "openssl accepts an edited list");
    let mut store = TrustStore::new();
    let err = store.add_bytes(&edited).unwrap_err();
    assert!(err.to_string().contains("messageDigest differs"), "{err}");
    assert!(store.cscas().is_empty(), "a refused list must add nothing");
    let path = dir.join("edited.ml");
    std::fs::write(&path, &edited).unwrap();
    match store.add_path(&path) {
        Err(TrustError::MasterList { report, .. }) => {
            let reason = report.reason().unwrap();
            assert!(reason.starts_with("signed attributes failed"), "{reason}");
            assert_eq!(report.certificates, 2);
        }
        other => panic!("expected a refused master list, got {other:?}"),
    }
    // whoever opts out of the check gets the certificates
    store.set_master_list_policy(MasterListPolicy::Unchecked);
    assert_eq!(store.add_path(&path).unwrap(), 2);

    // the signature's last byte changed
    let mut bad_sig = ml.clone();
    let last = bad_sig.len() - 1;
    bad_sig[last] ^= 0x01;
    let report = MasterList::from_der(&bad_sig).unwrap().verify(&anchors, None);
    assert!(report.signed_attributes.passed());
    assert!(!report.signature.passed(), "{report:?}");
    assert!(!report.is_intact());

    // the untouched list passes the default (intact) policy and the anchored one
    let mut store = TrustStore::new();
    assert_eq!(store.add_bytes(&ml).unwrap(), 2);
    let mut anchored = TrustStore::new();
    anchored.set_master_list_policy(MasterListPolicy::Anchored { anchors: anchors.to_vec(), at: None });
    assert_eq!(anchored.add_bytes(&ml).unwrap(), 2);
    let mut wrong = TrustStore::new();
    wrong.set_master_list_policy(MasterListPolicy::Anchored { anchors: vec![xx.csca.certificate.clone()], at: None });
    assert!(wrong.add_bytes(&ml).unwrap_err().to_string().contains("signer chain failed"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_expired_signer_leaves_the_list_intact_but_not_valid() {
    let vn = country("VN", NamedCurve::P256);
    let anchors = [vn.csca.certificate.clone()];
    let today = time::OffsetDateTime::now_utc().date();

    // a signer whose 30 days ended long ago (and began before the CSCA did)
    let long_ago = SystemTime::now() - Duration::from_secs(100 * 86_400);
    let mls = cccd::pki::CertificateBuilder::master_list_signer("CN=MLS VN,C=VN")
        .serial(4)
        .not_before(long_ago)
        .valid_for_days(30)
        .issuer(&vn.csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let ml = cccd::pki::MasterListBuilder::new(&mls)
        .certificates(std::slice::from_ref(&vn.csca.certificate))
        .build()
        .unwrap();
    let list = MasterList::from_der(&ml).unwrap();
    let report = list.verify(&anchors, None);
    assert!(report.is_intact() && !report.is_valid());
    let validity = failed(&report.validity);
    assert!(validity.starts_with(&format!("expired as of {today} (the master list signer certificate")), "{validity}");
    assert!(matches!(&report.validity, Check::Failed(cccd::pa::Reason::Expired { role: "master list signer", .. })));
    // within the signer's period the anchor (made today) was not yet valid: both dates are checked
    let then = today - time::Duration::days(90);
    let validity = failed(&list.verify(&anchors, Some(then)).validity);
    assert!(validity.starts_with(&format!("not yet valid as of {then} (the anchor certificate")), "{validity}");
    // the store: intact by default, refused when anchored
    assert_eq!(TrustStore::new().add_bytes(&ml).unwrap(), 1);
    let mut anchored = TrustStore::new();
    anchored.set_master_list_policy(MasterListPolicy::Anchored { anchors: anchors.to_vec(), at: None });
    assert!(anchored.add_bytes(&ml).unwrap_err().to_string().contains("validity failed"));

    // a signer valid for 90 days from yesterday: valid now, expired as of 100 days on
    let ml = cccd::pki::MasterListBuilder::new(&vn.mls)
        .certificates(std::slice::from_ref(&vn.csca.certificate))
        .build()
        .unwrap();
    let list = MasterList::from_der(&ml).unwrap();
    let later = today + time::Duration::days(100);
    assert!(list.verify(&anchors, Some(today + time::Duration::days(10))).is_valid());
    let report = list.verify(&anchors, Some(later));
    assert!(report.is_intact() && !report.is_valid(), "{report:?}");
    let mut dated = TrustStore::new();
    dated.set_master_list_policy(MasterListPolicy::Anchored { anchors: anchors.to_vec(), at: Some(later) });
    assert!(dated.add_bytes(&ml).unwrap_err().to_string().contains("validity failed"));
}

#[test]
fn a_master_list_signed_by_openssl_verifies_here() {
    let dir = tmp("openssl");
    let (vn, xx) = (country("VN", NamedCurve::P256), country("XX", NamedCurve::P384));
    // CscaMasterList ::= SEQUENCE { version 0, SET OF Certificate } (DER order), made by hand
    let mut certs = [vn.csca.der.clone(), xx.csca.der.clone()];
    certs.sort();
    let tlv = |tag: u8, v: &[u8]| [&[tag, 0x82][..], &(v.len() as u16).to_be_bytes(), v].concat();
    let content = tlv(0x30, &[&[0x02, 0x01, 0x00][..], &tlv(0x31, &certs.concat())].concat());
    let (input, out) = (dir.join("content.der"), dir.join("ml.der"));
    std::fs::write(&input, &content).unwrap();
    let (cert, key) = (dir.join("mls.pem"), dir.join("mls.key"));
    std::fs::write(&cert, vn.mls.pem()).unwrap();
    std::fs::write(&key, vn.mls.key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    let status = Command::new("openssl")
        .args(["cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-econtent_type", "2.23.136.1.1.2"])
        .args(["-md", "sha384", "-in", s(&input), "-out", s(&out), "-signer", s(&cert), "-inkey", s(&key)])
        .status()
        .expect("openssl must be installed");
    assert!(status.success());
    let ml = std::fs::read(&out).unwrap();
    let list = MasterList::from_der(&ml).unwrap();
    assert_eq!(list.certificates().len(), 2);
    let report = list.verify(std::slice::from_ref(&vn.csca.certificate), None);
    assert!(report.is_valid(), "{report:?}");
    // openssl's SOD-style lists of other content are not master lists
    let sod_like = std::fs::read(dir.join("content.der")).unwrap();
    assert!(matches!(MasterList::from_der(&sod_like), Err(MasterListError::NotSignedData(_))));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_list_signed_by_a_certificate_that_is_no_master_list_signer_is_intact_but_not_valid() {
    let vn = country("VN", NamedCurve::P256);
    let yesterday = SystemTime::now() - Duration::from_secs(86_400);
    // a Document Signer certificate (digitalSignature, no extended key usage) signing a master list
    let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS VN,C=VN")
        .serial(5)
        .not_before(yesterday)
        .valid_for_days(30)
        .issuer(&vn.csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let ml = cccd::pki::MasterListBuilder::new(&ds)
        .certificates(std::slice::from_ref(&vn.csca.certificate))
        .build()
        .unwrap();
    let list = MasterList::from_der(&ml).unwrap();
    let anchors = [vn.csca.certificate.clone()];
    let report = list.verify(&anchors, None);
    assert!(report.is_intact() && !report.is_valid(), "{report:?}");
    assert_eq!(
        failed(&report.signer_key_usage),
        "the signer certificate lacks extended key usage id-icao-cscaMasterListSigningKey"
    );
    let mut anchored = TrustStore::new();
    anchored.set_master_list_policy(MasterListPolicy::Anchored { anchors: anchors.to_vec(), at: None });
    assert!(anchored.add_bytes(&ml).unwrap_err().to_string().contains("signer key usage failed"));
    // the Master List Signer certificate `master_list_signer` issues has it
    let good = cccd::pki::MasterListBuilder::new(&vn.mls)
        .certificates(std::slice::from_ref(&vn.csca.certificate))
        .build()
        .unwrap();
    assert!(MasterList::from_der(&good).unwrap().verify(&anchors, None).signer_key_usage.passed());
}
