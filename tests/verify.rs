//! The verifier on an in-process virtual chip: a genuine chip, a tampered file, an unknown CSCA, a clone
//! (another chip key), a chip whose Chip Authentication is not checked, missing and mandatory files, and an
//! expired document each get their own verdict and findings.
mod common;

use cccd::crypto::ec::NamedCurve;
use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::image::ChipImage;
use cccd::lds::LdsFile;
use cccd::pa::{Check, Reason, TrustStore};
use cccd::reader::{ReadResult, Reader};
use cccd::verify::{ChipProtocol, FindingCode, Policy, Severity, Verdict, Verification, Verifier};

fn dg(n: u8) -> LdsFile {
    LdsFile::dg(n).unwrap()
}

fn read(image: &ChipImage) -> ReadResult {
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
    let can = cccd::access::pace::PacePassword::Can(image.secrets.can.clone().unwrap());
    Reader::pace(can).read(&mut chip).unwrap()
}

fn trust(csca_pem: &str) -> TrustStore {
    let mut store = TrustStore::new();
    store.add_bytes(csca_pem.as_bytes()).unwrap();
    store
}

fn codes(v: &Verification) -> Vec<FindingCode> {
    v.findings.iter().map(|f| f.code).collect()
}

#[test]
fn each_kind_of_chip_gets_its_own_verdict() {
    let (image, csca) = common::chip::cccd_image_signed();
    let store = trust(&csca);
    let verifier = Verifier::new(&store, Policy::counter());

    // genuine: every check ran and passed; the CSCA that vouched is named
    let genuine = verifier.verify_read(&read(&image));
    assert_eq!(genuine.verdict, Verdict::Genuine, "{:#?}", genuine.findings);
    assert!(genuine.findings.iter().all(|f| f.severity != Severity::Error), "{:#?}", genuine.findings);
    let vouched = genuine.findings.iter().find(|f| f.code == FindingCode::VouchedBy).unwrap();
    assert!(vouched.message.contains("CN=CSCA Test,C=VN"), "{}", vouched.message);
    assert_eq!(
        genuine.report.passive_authentication.as_ref().unwrap().csca.as_ref().unwrap().subject,
        "CN=CSCA Test,C=VN"
    );
    assert!(genuine.report.access.as_ref().unwrap().is_pace());
    // DG3 is protected on the chip: noted, not held against it
    assert!(codes(&genuine).contains(&FindingCode::FileProtected));

    // a tampered file: DG13 changed on the chip
    let mut tampered = image.clone();
    *tampered.files.get_mut(&dg(13)).unwrap().last_mut().unwrap() ^= 1;
    let v = verifier.verify_read(&read(&tampered));
    assert_eq!(v.verdict, Verdict::Tampered { files: vec![dg(13)], signature: None }, "{:#?}", v.findings);
    assert!(codes(&v).contains(&FindingCode::HashMismatch));

    // an unknown CSCA: the files verify against the SOD, but no trusted CSCA has the DS issuer's name
    let (_, other_csca) = common::chip::cccd_image_20k_signed();
    let mut stranger = cccd::pa::TrustStore::new();
    let other = x509_cert::Certificate::load_pem_chain(other_csca.as_bytes()).unwrap();
    // the other CSCA is named "CN=CSCA Test,C=VN" too: a CSCA of that name whose key did not sign the DS
    stranger.add_csca(other[0].clone());
    let v = Verifier::new(&stranger, Policy::counter()).verify_read(&read(&image));
    assert!(
        matches!(&v.verdict, Verdict::Untrusted { reason: Reason::IssuerSignatureMismatch { .. } }),
        "{:?}",
        v.verdict
    );
    let mut renamed = TrustStore::new();
    let cert = cccd::pki::CertificateBuilder::country_signing_ca("CN=Somebody Else,C=XX")
        .valid_for_days(30)
        .build_for_key(cccd::pki::SoftwareKey::generate(NamedCurve::BrainpoolP256r1))
        .unwrap()
        .certificate;
    renamed.add_csca(cert);
    let v = Verifier::new(&renamed, Policy::counter()).verify_read(&read(&image));
    assert_eq!(v.verdict, Verdict::Untrusted { reason: Reason::UnknownCsca });
    assert!(codes(&v).contains(&FindingCode::CscaChainFailed));

    // a clone: the signed files copied to a chip with other keys
    let mut clone = image.clone();
    let key = cccd::pki::SoftwareKey::from_secret(NamedCurve::BrainpoolP256r1, &[0x33; 32]).unwrap();
    clone.secrets.chip_authentication.as_mut().unwrap().key =
        cccd::image::ChipAuthenticationPrivateKey::Ecdh(key.clone());
    clone.secrets.active_authentication = Some(cccd::image::ActiveAuthenticationKey::Ecdsa(key));
    let v = verifier.verify_read(&read(&clone));
    assert!(
        matches!(
            v.verdict,
            Verdict::CloneSuspected {
                protocol: ChipProtocol::ActiveAuthentication | ChipProtocol::ChipAuthentication,
                ..
            }
        ),
        "{:?}",
        v.verdict
    );
    assert!(v.report.passive_authentication_passed, "the copied files verify");
    assert!(matches!(v.report.chip_authentication, Check::Failed(_)), "{:?}", v.report.chip_authentication);

    // Chip Authentication not checked: the same files without a chip session
    let files = read(&image).files;
    let v = verifier.verify_files(&files);
    assert!(
        // DG3 was protected on the chip, so the files hold no DG3: listed, absent
        matches!(&v.verdict, Verdict::Incomplete { missing, not_checked } if *missing == [dg(3)]
            && not_checked.contains(&cccd::verify::CheckName::ChipAuthentication)),
        "{:?}",
        v.verdict
    );
    assert!(codes(&v).contains(&FindingCode::ChipAuthenticationNotChecked));

    // no trust anchor under the counter policy: incomplete, never genuine; the personalizer's policy accepts it
    let empty = TrustStore::new();
    let v = Verifier::new(&empty, Policy::counter()).verify_read(&read(&image));
    assert!(
        matches!(&v.verdict, Verdict::Incomplete { not_checked, .. } if not_checked.contains(&cccd::verify::CheckName::CscaChain)),
        "{:?}",
        v.verdict
    );
    let v = Verifier::new(&empty, Policy::personalizer(image.files.clone())).verify_read(&read(&image));
    assert_eq!(v.verdict, Verdict::Genuine, "{:#?}", v.findings);
}

#[test]
fn listed_and_mandatory_files_must_be_there() {
    let (image, csca) = common::chip::cccd_image_signed();
    let store = trust(&csca);
    let verifier = Verifier::new(&store, Policy::counter());
    let result = read(&image);

    // only EF.COM and EF.SOD: every listed data group missing
    let mut only = result.files.clone();
    only.retain(|f, _| matches!(f, LdsFile::Com | LdsFile::Sod));
    let v = verifier.verify_files(&only);
    match &v.verdict {
        Verdict::Incomplete { missing, .. } => {
            for n in [1, 2, 13, 14, 15] {
                assert!(missing.contains(&dg(n)), "DG{n} not reported missing: {missing:?}");
            }
        }
        other => panic!("expected incomplete, got {other:?}"),
    }
    assert!(codes(&v).contains(&FindingCode::FileMissing));
    assert!(codes(&v).contains(&FindingCode::MandatoryFileMissing));

    // without DG2 (a reader that could not read it), and without DG13 (mandatory on a CCCD)
    for n in [2, 13] {
        let mut r = result.clone();
        r.files.remove(&dg(n));
        let v = verifier.verify_read(&r);
        assert!(
            matches!(&v.verdict, Verdict::Incomplete { missing, .. } if missing.contains(&dg(n))),
            "DG{n}: {:?}",
            v.verdict
        );
        let mandatory = v.findings.iter().find(|f| f.code == FindingCode::MandatoryFileMissing).unwrap();
        assert!(mandatory.message.contains(&format!("DG{n}")), "{}", mandatory.message);
    }

    // no EF.SOD at all
    let mut r = result.clone();
    r.files.remove(&LdsFile::Sod);
    let v = verifier.verify_read(&r);
    assert!(matches!(&v.verdict, Verdict::Incomplete { .. }), "{:?}", v.verdict);
    assert_eq!(v.findings.iter().find(|f| f.severity == Severity::Error).unwrap().code, FindingCode::SodMissing);
}

#[test]
fn an_expired_document_is_a_finding_shown_first_not_a_verdict() {
    let (image, csca) = common::chip::cccd_image_signed();
    let store = trust(&csca);
    let result = read(&image);
    // the sample record expires on 2039-01-15; checked the day after, the certificates are out of validity too,
    // so the date of expiry is compared with a verifier whose DS is still valid: the report's date
    let verification = Verifier::new(&store, Policy::counter()).verify_read(&result);
    let doe = verification.report.date_of_expiry.unwrap();
    assert_eq!(doe.to_string(), "2039-01-15");
    assert!(!codes(&verification).contains(&FindingCode::DocumentExpired));

    // a record that expired: DG1 with a past date of expiry, signed by a DS valid today
    let mut record = common::chip::record();
    record.date_of_issue = time::macros::date!(2005 - 03 - 10);
    record.date_of_expiry = Some(time::macros::date!(2020 - 01 - 15));
    let mut expired = image.clone();
    expired.files.insert(dg(1), cccd::lds::dg1::Dg1::new(record.to_mrz().unwrap()).unwrap().encode().unwrap());
    let (expired, csca) = common::chip::resign(expired);
    let store = trust(&csca);
    let v = Verifier::new(&store, Policy::counter()).verify_read(&read(&expired));
    assert_eq!(v.verdict, Verdict::Genuine, "{:#?}", v.findings);
    assert_eq!(v.findings[0].code, FindingCode::DocumentExpired, "{:#?}", v.findings);
    assert!(v.findings[0].message.contains("2020-01-15"));
    assert_eq!(v.summary(), "Authentic chip, expired document.");
    let json = serde_json::to_value(v.verdict_object()).unwrap();
    assert_eq!(json["value"], "genuine");
    assert_eq!(json["findings"][0]["code"], "document_expired");
    assert_eq!(json["findings"][0]["severity"], "warning");
}
