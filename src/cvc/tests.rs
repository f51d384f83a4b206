use super::*;
use crate::crypto::ec::NamedCurve;
use crate::pki::SoftwareKey;

fn date(s: &str) -> CvcDate {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    CvcDate::new(time::Date::parse(s, f).unwrap()).unwrap()
}

#[test]
fn dates_round_trip_and_refuse_bad_digits() {
    let d = date("2027-12-31");
    assert_eq!(d.encode(), [2, 7, 1, 2, 3, 1]);
    assert_eq!(CvcDate::decode(&d.encode(), "x", 0).unwrap(), d);
    assert!(matches!(CvcDate::decode(&[2, 7, 1, 3, 0, 1], "x", 5), Err(CvcError::Invalid { offset: 5, .. })));
    assert!(CvcDate::decode(&[2, 7, 0, 2, 3, 0], "x", 0).is_err());
    assert!(CvcDate::decode(&[2, 7, 0, 2, 0x0A, 0], "x", 0).is_err());
}

#[test]
fn references_and_roles() {
    let r = Reference::new("VNCVCA00001").unwrap();
    assert_eq!((r.country().as_str(), r.mnemonic().as_str(), r.sequence().as_str()), ("VN", "CVCA", "00001"));
    assert!(Reference::new("").is_err());
    assert!(Reference::new("VN\u{1}X00001").is_err());
    assert!(Reference::new("VNCVCA0000100000X").is_err());
    for (b, role) in [(0xC3, Role::Cvca), (0x83, Role::DvDomestic), (0x43, Role::DvForeign), (0x01, Role::Terminal)] {
        assert_eq!(Role::from_bits(b), role);
        assert_eq!(Role::from_bits(role.bits()), role);
    }
    let chat = Chat::inspection_system(Role::Terminal, true, false);
    assert_eq!(chat.authorization, [0x01]);
    assert!(chat.reads_dg3() && !chat.reads_dg4());
}

#[test]
fn ta_algorithms_round_trip() {
    for (oid, alg, _) in TA_ALGORITHMS {
        let o = crate::oid::ObjectIdentifier::new(oid).unwrap();
        assert_eq!(TaAlgorithm::from_oid(&o), Some(alg));
        assert_eq!(alg.oid(), Some(o));
    }
}

fn cvca(curve: NamedCurve) -> (SoftwareKey, CvCertificate) {
    let key = SoftwareKey::generate(curve);
    let alg = TaAlgorithm::of_signer(&key).unwrap();
    let body = CertificateBody {
        car: Reference::new("VNCVCA00001").unwrap(),
        public_key: CvcPublicKey::from_public_key(alg, &crate::pki::Signer::public_key(&key).unwrap(), true).unwrap(),
        chr: Reference::new("VNCVCA00001").unwrap(),
        chat: Chat::inspection_system(Role::Cvca, true, true),
        effective: date("2026-01-01"),
        expiry: date("2028-12-31"),
        extensions: vec![],
    };
    let cert = body.sign(alg, &key).unwrap();
    (key, cert)
}

#[test]
fn self_signed_cvca_on_every_curve_round_trips_and_verifies() {
    for curve in NamedCurve::all() {
        let (_, cert) = cvca(curve);
        let again = CvCertificate::decode(&cert.raw).unwrap();
        assert_eq!(again, cert, "{}", curve.name());
        assert_eq!(again.body.encode().unwrap(), cert.body_raw);
        assert!(cert.tolerated.is_empty());
        let tp = KeyContext::trust_point(&cert).unwrap();
        assert_eq!(tp.curve, Some(curve));
        cert.verify_signature(&tp.public_key, tp.algorithm).unwrap();
        let mut bad = cert.clone();
        let last = bad.signature.len() - 1;
        bad.signature[last] ^= 1;
        assert!(bad.verify_signature(&tp.public_key, tp.algorithm).is_err());
    }
}

#[test]
fn decode_reports_truncation_and_missing_fields() {
    let (_, cert) = cvca(NamedCurve::BrainpoolP256r1);
    for cut in [1, 10, cert.raw.len() / 2, cert.raw.len() - 1] {
        assert!(CvCertificate::decode(&cert.raw[..cut]).is_err());
    }
    let mut trailing = cert.raw.clone();
    trailing.push(0);
    assert!(CvCertificate::decode(&trailing).is_err());
}
