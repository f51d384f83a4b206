//! The PKI builders: what they write (read back with the `cms` and `x509-cert` types and with openssl) and what
//! they refuse on `build()`, one test per `BuildError`.
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::lds::LdsFile;
use cccd::lds::sod::Sod;
use cccd::pki::{
    BuildError, CertificateBuilder, CmsSigner, CrlBuilder, DocumentSigner, Issued, MasterListBuilder, Period, PkiError,
    PkiTime, Signer, SodBuilder, SoftwareKey,
};
use der::{Decode, Encode};
use time::macros::{date, datetime};
use x509_cert::ext::pkix::{KeyUsage, KeyUsages, PrivateKeyUsagePeriod};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cccd-builders-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().expect("openssl must be installed");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn data_groups() -> BTreeMap<LdsFile, Vec<u8>> {
    common::chip::cccd_image().files.into_iter().filter(|(f, _)| f.dg_number().is_some()).collect()
}

fn csca(curve: NamedCurve) -> Issued {
    CertificateBuilder::country_signing_ca("CN=CSCA Builder,O=Test,C=VN")
        .serial(1)
        .not_before(date!(2024 - 01 - 01))
        .not_after(date!(2039 - 01 - 01))
        .build_for_key(SoftwareKey::generate(curve))
        .unwrap()
}

fn ds(csca: &Issued, curve: NamedCurve) -> Issued {
    CertificateBuilder::document_signer("CN=DS Builder,O=Test,C=VN")
        .serial(0x0102_0304)
        .not_before(date!(2024 - 06 - 01))
        .valid_for_days(10 * 365)
        .private_key_usage_period(date!(2024 - 06 - 01), date!(2024 - 09 - 01))
        .issuer(csca)
        .build_for_key(SoftwareKey::generate(curve))
        .unwrap()
}

fn build_error(result: Result<impl std::fmt::Debug, PkiError>) -> BuildError {
    match result {
        Err(PkiError::Build(e)) => {
            assert!(!e.to_string().is_empty());
            e
        }
        other => panic!("expected a build error, got {other:?}"),
    }
}

/// The SOD's SignedData decodes with the `cms` types and re-encodes to the same bytes; its signed attributes
/// are a DER-sorted SET OF with the exact contentType and messageDigest, for a signer whose digest differs
/// from the data group hash (brainpoolP384r1: SHA-384 over SHA-256 hashes) and one whose does not.
#[test]
fn the_sods_signed_data_decodes_with_the_cms_types_and_re_encodes_to_the_same_bytes() {
    use cms::content_info::{CmsVersion, ContentInfo};
    use cms::signed_data::{SignedData, SignerIdentifier};
    let dgs = data_groups();
    for (curve, signer_hash) in
        [(NamedCurve::P256, HashAlgorithm::Sha256), (NamedCurve::BrainpoolP384r1, HashAlgorithm::Sha384)]
    {
        let csca = csca(curve);
        let ds: DocumentSigner = ds(&csca, curve).into();
        let sod = SodBuilder::new(&ds).data_groups(&dgs).hash(HashAlgorithm::Sha256).build().unwrap();
        let decoded = Sod::decode(&sod).unwrap();
        let ci_der = decoded.content_info_der();
        let ci = ContentInfo::from_der(ci_der).unwrap();
        assert_eq!(ci.content_type, cccd::oid::CMS_SIGNED_DATA);
        assert_eq!(ci.to_der().unwrap(), ci_der, "ContentInfo re-encodes differently");
        let sd_der = ci.content.to_der().unwrap();
        let sd: SignedData = ci.content.decode_as().unwrap();
        assert_eq!(sd.to_der().unwrap(), sd_der, "SignedData re-encodes differently");
        assert_eq!(sd.version, CmsVersion::V3);
        assert_eq!(sd.encap_content_info.econtent_type, cccd::oid::ID_LDS_SECURITY_OBJECT);
        let econtent = sd.encap_content_info.econtent.as_ref().unwrap().value();
        assert_eq!(econtent, decoded.econtent());
        assert_eq!(sd.digest_algorithms.as_slice().len(), 1);
        assert_eq!(sd.digest_algorithms.as_slice()[0].oid, signer_hash.oid());
        let certs = sd.certificates.as_ref().unwrap().0.as_slice();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].to_der().unwrap(), ds.der);

        let signer_infos = sd.signer_infos.0.as_slice();
        assert_eq!(signer_infos.len(), 1);
        let si = &signer_infos[0];
        assert_eq!(si.version, CmsVersion::V1);
        match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                assert_eq!(&isn.issuer, ds.certificate.tbs_certificate().issuer());
                assert_eq!(isn.serial_number.as_bytes(), [1, 2, 3, 4]);
            }
            other => panic!("expected issuer and serial number, got {other:?}"),
        }
        assert_eq!(si.digest_alg.oid, signer_hash.oid());
        assert_eq!(si.signature_algorithm, ds.signer.signature_algorithm());
        let attrs = si.signed_attrs.as_ref().unwrap();
        let encoded: Vec<Vec<u8>> = attrs.iter().map(|a| a.to_der().unwrap()).collect();
        assert_eq!(encoded.len(), 2);
        assert!(encoded.windows(2).all(|w| w[0] < w[1]), "signed attributes not in DER SET OF order");
        let value = |oid| {
            let a = attrs.iter().find(|a| a.oid == oid).unwrap();
            assert_eq!(a.values.len(), 1);
            a.values.get(0).unwrap().clone()
        };
        let content_type: der::asn1::ObjectIdentifier = value(cccd::oid::CMS_CONTENT_TYPE).decode_as().unwrap();
        assert_eq!(content_type, cccd::oid::ID_LDS_SECURITY_OBJECT);
        let digest: der::asn1::OctetString = value(cccd::oid::CMS_MESSAGE_DIGEST).decode_as().unwrap();
        assert_eq!(digest.as_bytes(), signer_hash.digest(econtent), "messageDigest is not the eContent's hash");
        // the signature covers the SET OF, and our own Passive Authentication agrees
        let alg = cccd::crypto::signature::SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, None)
            .unwrap();
        alg.verify(&ds.signer.public_key().unwrap(), &attrs.to_der().unwrap(), si.signature.as_bytes()).unwrap();
        let report = cccd::pa::verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&csca.certificate)).unwrap();
        assert!(report.hashes_match() && report.first_failure().is_none(), "{report:?}");
        // each data group hash is the data group's SHA-256, in data group order
        let numbers: Vec<u8> = decoded.lds_security_object.data_group_hashes.iter().map(|h| h.number).collect();
        assert_eq!(numbers, dgs.keys().filter_map(|f| f.dg_number()).collect::<Vec<_>>());
        for (file, bytes) in &dgs {
            let n = file.dg_number().unwrap();
            assert_eq!(decoded.data_group_hash(n).unwrap(), HashAlgorithm::Sha256.digest(bytes));
        }
    }
}

/// A master list's SignedData also round-trips through the `cms` types; its CSCAs are listed once each, in
/// DER order.
#[test]
fn the_master_lists_signed_data_round_trips_and_lists_each_csca_once() {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    let (vn, xx) = (csca(NamedCurve::P256), csca(NamedCurve::BrainpoolP256r1));
    let mls = CertificateBuilder::master_list_signer("CN=MLS Builder,O=Test,C=VN")
        .serial(3)
        .not_before(date!(2024 - 06 - 01))
        .valid_for_days(365 * 5)
        .issuer(&vn)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let ml = MasterListBuilder::new(&mls)
        .certificate(&xx.certificate)
        .certificates([&vn.certificate, &xx.certificate])
        .build()
        .unwrap();
    let ci = ContentInfo::from_der(&ml).unwrap();
    assert_eq!(ci.to_der().unwrap(), ml);
    let sd: SignedData = ci.content.decode_as().unwrap();
    assert_eq!(sd.to_der().unwrap(), ci.content.to_der().unwrap());
    assert_eq!(sd.encap_content_info.econtent_type, cccd::oid::ID_CSCA_MASTER_LIST);
    let list = cccd::pa::MasterList::from_der(&ml).unwrap();
    let listed: Vec<Vec<u8>> = list.certificates().iter().map(|c| c.to_der().unwrap()).collect();
    assert_eq!(listed.len(), 2, "a CSCA given twice is listed once");
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "not in DER SET OF order");
    assert!(list.verify(std::slice::from_ref(&vn.certificate), None).is_valid());
}

/// Certificates carry what was asked, as openssl reads them: serial, dates to the second, ICAO extensions
/// (private key usage period, key usage, basic constraints, extended key usage), and the chains verify.
#[test]
fn certificates_carry_the_named_settings_and_openssl_verifies_the_chains() {
    let dir = tmp("certs");
    let csca = csca(NamedCurve::BrainpoolP384r1);
    let ds = ds(&csca, NamedCurve::P256);
    let mls = CertificateBuilder::master_list_signer("CN=MLS Builder,O=Test,C=VN")
        .not_before(datetime!(2025-02-03 04:05:06.789 UTC))
        .valid_for(Duration::from_secs(86_400 * 30 + 7))
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let (csca_pem, ds_pem, mls_pem) = (dir.join("csca.pem"), dir.join("ds.pem"), dir.join("mls.pem"));
    std::fs::write(&csca_pem, csca.pem()).unwrap();
    std::fs::write(&ds_pem, ds.pem()).unwrap();
    std::fs::write(&mls_pem, mls.pem()).unwrap();

    let (ok, text) = openssl(&["verify", "-CAfile", s(&csca_pem), s(&ds_pem)]);
    assert!(ok && text.contains("OK"), "{text}");
    let (ok, text) =
        openssl(&["verify", "-CAfile", s(&csca_pem), "-purpose", "any", "-attime", "1738641000", s(&mls_pem)]);
    assert!(ok, "{text}");

    let (_, text) = openssl(&["x509", "-in", s(&csca_pem), "-noout", "-text"]);
    assert!(text.contains("Serial Number: 1 (0x1)"), "{text}");
    assert!(
        text.contains("Not Before: Jan  1 00:00:00 2024 GMT") && text.contains("Not After : Jan  1 00:00:00 2039 GMT"),
        "{text}"
    );
    assert!(text.contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"), "{text}");
    assert!(text.contains("X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0"), "{text}");
    let (_, text) = openssl(&["x509", "-in", s(&ds_pem), "-noout", "-text"]);
    assert!(text.contains("Serial Number: 16909060 (0x1020304)"), "{text}");
    assert!(text.contains("X509v3 Key Usage: critical\n                Digital Signature"), "{text}");
    assert!(text.contains("X509v3 Private Key Usage Period"), "{text}");
    assert!(text.contains("Not Before: Jun  1 00:00:00 2024 GMT, Not After: Sep  1 00:00:00 2024 GMT"), "{text}");
    assert!(text.contains("X509v3 Authority Key Identifier") && text.contains("X509v3 Subject Key Identifier"));
    assert!(!text.contains("Basic Constraints"), "{text}");
    let (_, text) = openssl(&["x509", "-in", s(&mls_pem), "-noout", "-text"]);
    assert!(
        text.contains("Not Before: Feb  3 04:05:06 2025 GMT") && text.contains("Not After : Mar  5 04:05:13 2025 GMT"),
        "{text}"
    );
    assert!(text.contains("X509v3 Extended Key Usage: critical\n                2.23.136.1.1.3"), "{text}");

    // the same, read with x509-cert
    let tbs = ds.certificate.tbs_certificate();
    let (critical, period) = tbs.get_extension::<PrivateKeyUsagePeriod>().unwrap().unwrap();
    assert!(!critical);
    let start = period.not_before.unwrap().to_system_time();
    assert_eq!(PkiTime::from(start), PkiTime::from(date!(2024 - 06 - 01)));
    assert_eq!(tbs.validity().not_after.to_system_time(), PkiTime::from(date!(2034 - 05 - 30)).to_system_time());
    // the authority key identifier is the CSCA's subject key identifier
    use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};
    let (_, aki) = tbs.get_extension::<AuthorityKeyIdentifier>().unwrap().unwrap();
    let (_, ski) = csca.certificate.tbs_certificate().get_extension::<SubjectKeyIdentifier>().unwrap().unwrap();
    assert_eq!(aki.key_identifier.unwrap(), ski.0);
    // an unset serial is random, positive and 8 octets long
    let serial = |c: &Issued| c.certificate.tbs_certificate().serial_number().as_bytes().to_vec();
    let again = CertificateBuilder::master_list_signer("CN=MLS Builder,O=Test,C=VN")
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    assert_eq!(serial(&mls).len(), 8);
    assert!(serial(&mls)[0] & 0x80 == 0 && serial(&mls)[0] != 0);
    assert_ne!(serial(&mls), serial(&again));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A CRL carries its number, the CSCA's key identifier and the revoked serials; openssl checks its signature.
#[test]
fn crls_carry_their_number_and_authority_key_and_openssl_verifies_them() {
    let dir = tmp("crl");
    let csca = csca(NamedCurve::P256);
    let crl = CrlBuilder::new(&csca)
        .number(7)
        .this_update(date!(2025 - 01 - 01))
        .next_update(date!(2025 - 04 - 01))
        .revoke(0x0102_0304, date!(2024 - 12 - 24))
        .revoke_bytes(&[0, 0, 0x99], date!(2024 - 12 - 25))
        .build()
        .unwrap();
    let (crl_path, ca) = (dir.join("c.crl"), dir.join("csca.pem"));
    std::fs::write(&crl_path, &crl).unwrap();
    std::fs::write(&ca, csca.pem()).unwrap();
    let (_, text) = openssl(&["crl", "-inform", "DER", "-in", s(&crl_path), "-CAfile", s(&ca), "-noout", "-text"]);
    assert!(text.contains("verify OK"), "{text}");
    assert!(
        text.contains("X509v3 CRL Number: \n                7")
            || text.contains("X509v3 CRL Number:\n                7"),
        "{text}"
    );
    assert!(text.contains("X509v3 Authority Key Identifier"), "{text}");
    assert!(text.contains("Serial Number: 01020304") && text.contains("Serial Number: 99"), "{text}");
    assert!(
        text.contains("Last Update: Jan  1 00:00:00 2025 GMT")
            && text.contains("Next Update: Apr  1 00:00:00 2025 GMT"),
        "{text}"
    );
    let list: x509_cert::crl::CertificateList = x509_cert::crl::CertificateList::from_der(&crl).unwrap();
    assert_eq!(list.tbs_cert_list.revoked_certificates.as_ref().unwrap().len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Version 1 of the LDSSecurityObject, with LDSVersionInfo.
#[test]
fn an_sod_with_lds_version_info_is_version_1() {
    let csca = csca(NamedCurve::P256);
    let ds = ds(&csca, NamedCurve::P256);
    let dgs = data_groups();
    let sod = SodBuilder::new(&ds).data_groups(&dgs).lds_version("0108", "040000").build().unwrap();
    let decoded = Sod::decode(&sod).unwrap();
    assert_eq!(decoded.lds_security_object.version, 1);
    assert_eq!(decoded.lds_security_object.lds_version, Some(("0108".into(), "040000".into())));
    assert!(
        cccd::pa::verify_with_trust(&sod, &dgs, None, std::slice::from_ref(&csca.certificate))
            .unwrap()
            .first_failure()
            .is_none()
    );
}

// ---- one test per validation error ----

fn request() -> CertificateBuilder<'static> {
    CertificateBuilder::document_signer("CN=DS,C=VN").serial(2).not_before(date!(2025 - 01 - 01))
}

#[test]
fn a_certificate_whose_not_after_is_before_its_not_before_is_refused() {
    let csca = csca(NamedCurve::P256);
    let e = build_error(
        request().not_after(date!(2024 - 12 - 31)).issuer(&csca).build_for_key(SoftwareKey::generate(NamedCurve::P256)),
    );
    assert_eq!(
        e,
        BuildError::EndBeforeStart {
            period: Period::CertificateValidity,
            start: date!(2025 - 01 - 01).into(),
            end: date!(2024 - 12 - 31).into()
        }
    );
}

#[test]
fn a_zero_day_validity_is_refused() {
    let csca = csca(NamedCurve::P256);
    let e =
        build_error(request().valid_for_days(0).issuer(&csca).build_for_key(SoftwareKey::generate(NamedCurve::P256)));
    assert_eq!(e, BuildError::EmptyPeriod { period: Period::CertificateValidity, at: date!(2025 - 01 - 01).into() });
    // two times within one second are the same second: still zero
    let e = build_error(
        request()
            .not_before(datetime!(2025-01-01 00:00:00.100 UTC))
            .not_after(datetime!(2025-01-01 00:00:00.900 UTC))
            .issuer(&csca)
            .build_for_key(SoftwareKey::generate(NamedCurve::P256)),
    );
    assert_eq!(e, BuildError::EmptyPeriod { period: Period::CertificateValidity, at: date!(2025 - 01 - 01).into() });
}

#[test]
fn a_certificate_without_an_end_is_refused() {
    let csca = csca(NamedCurve::P256);
    let e = build_error(request().issuer(&csca).build_for_key(SoftwareKey::generate(NamedCurve::P256)));
    assert_eq!(e, BuildError::MissingEnd { period: Period::CertificateValidity });
}

#[test]
fn a_serial_that_is_not_positive_is_refused() {
    let csca = csca(NamedCurve::P256);
    for builder in [request().serial(0), request().serial_bytes(&[0, 0]), request().serial_bytes(&[])] {
        let e =
            build_error(builder.valid_for_days(1).issuer(&csca).build_for_key(SoftwareKey::generate(NamedCurve::P256)));
        assert_eq!(e, BuildError::SerialNotPositive { what: "certificate" });
    }
    // leading zeros do not count; a high bit is a positive serial (encoded with a leading zero)
    let c = request()
        .serial_bytes(&[0, 0, 0xFF])
        .valid_for_days(1)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    assert_eq!(c.certificate.tbs_certificate().serial_number().as_bytes(), [0, 0xFF]);
}

#[test]
fn a_serial_longer_than_20_octets_is_refused() {
    let csca = csca(NamedCurve::P256);
    let e = build_error(
        request()
            .serial_bytes(&[1; 21])
            .valid_for_days(1)
            .issuer(&csca)
            .build_for_key(SoftwareKey::generate(NamedCurve::P256)),
    );
    assert_eq!(e, BuildError::SerialTooLong { octets: 21 });
    assert!(
        request()
            .serial_bytes(&[0x7F; 20])
            .valid_for_days(1)
            .issuer(&csca)
            .build_for_key(SoftwareKey::generate(NamedCurve::P256))
            .is_ok()
    );
}

#[test]
fn a_certificate_without_a_signer_or_a_public_key_is_refused() {
    let e = build_error(
        request().valid_for_days(1).public_key(SoftwareKey::generate(NamedCurve::P256).public_key().unwrap()).build(),
    );
    assert_eq!(e, BuildError::MissingSigner);
    let csca = csca(NamedCurve::P256);
    let e = build_error(request().valid_for_days(1).issuer(&csca).build());
    assert_eq!(e, BuildError::MissingPublicKey);
}

#[test]
fn a_self_signed_certificate_for_another_key_is_refused() {
    let key = SoftwareKey::generate(NamedCurve::P256);
    let other = SoftwareKey::generate(NamedCurve::P256).public_key().unwrap();
    let e = build_error(
        CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
            .valid_for_days(1)
            .public_key(other)
            .self_signed(&key)
            .build(),
    );
    assert_eq!(e, BuildError::SelfSignedKeyMismatch);
}

#[test]
fn a_key_usage_the_profile_forbids_is_refused() {
    use cccd::pki::CertificateProfile;
    let csca_ = csca(NamedCurve::P256);
    let e = build_error(
        CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
            .valid_for_days(1)
            .key_usage(KeyUsage(KeyUsages::DigitalSignature.into()))
            .build_for_key(SoftwareKey::generate(NamedCurve::P256)),
    );
    assert_eq!(
        e,
        BuildError::KeyUsageForProfile { profile: CertificateProfile::CountrySigningCa, reason: "no keyCertSign" }
    );
    let e = build_error(
        request()
            .valid_for_days(1)
            .key_usage(KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyCertSign))
            .issuer(&csca_)
            .build_for_key(SoftwareKey::generate(NamedCurve::P256)),
    );
    assert!(matches!(e, BuildError::KeyUsageForProfile { profile: CertificateProfile::DocumentSigner, .. }), "{e:?}");
    // one the profile allows is written
    let ds = request()
        .valid_for_days(1)
        .key_usage(KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation))
        .issuer(&csca_)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let (_, ku) = ds.certificate.tbs_certificate().get_extension::<KeyUsage>().unwrap().unwrap();
    assert!(ku.digital_signature() && ku.non_repudiation());
}

#[test]
fn an_issuer_that_is_no_ca_or_whose_key_is_not_its_own_is_refused() {
    let csca = csca(NamedCurve::P256);
    let ds = ds(&csca, NamedCurve::P256);
    let e = build_error(request().valid_for_days(1).issuer(&ds).build_for_key(SoftwareKey::generate(NamedCurve::P256)));
    assert_eq!(e, BuildError::IssuerNotCa);
    let stranger = SoftwareKey::generate(NamedCurve::P256);
    let err = request()
        .valid_for_days(1)
        .issued_by(&csca.certificate, &stranger)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap_err();
    assert!(matches!(err, PkiError::KeyMismatch), "{err:?}");
}

#[test]
fn a_private_key_usage_period_outside_the_validity_or_backwards_is_refused() {
    let csca = csca(NamedCurve::P256);
    let key = || SoftwareKey::generate(NamedCurve::P256);
    let e = build_error(request().valid_for_days(30).private_key_usage_days(31).issuer(&csca).build_for_key(key()));
    assert_eq!(
        e,
        BuildError::KeyUsageOutsideValidity { start: date!(2025 - 01 - 01).into(), end: date!(2025 - 02 - 01).into() }
    );
    let e = build_error(
        request()
            .valid_for_days(30)
            .private_key_usage_period(date!(2024 - 12 - 01), date!(2025 - 01 - 10))
            .issuer(&csca)
            .build_for_key(key()),
    );
    assert!(matches!(e, BuildError::KeyUsageOutsideValidity { .. }), "{e:?}");
    let e = build_error(
        request()
            .valid_for_days(30)
            .private_key_usage_period(date!(2025 - 01 - 10), date!(2025 - 01 - 05))
            .issuer(&csca)
            .build_for_key(key()),
    );
    assert!(matches!(e, BuildError::EndBeforeStart { period: Period::PrivateKeyUsage, .. }), "{e:?}");
    let e = build_error(request().valid_for_days(30).private_key_usage_days(0).issuer(&csca).build_for_key(key()));
    assert!(matches!(e, BuildError::EmptyPeriod { period: Period::PrivateKeyUsage, .. }), "{e:?}");
}

#[test]
fn a_time_an_x509_time_cannot_hold_is_refused() {
    let csca = csca(NamedCurve::P256);
    let e = build_error(
        request()
            .not_before(date!(1960 - 01 - 01))
            .valid_for_days(1)
            .issuer(&csca)
            .build_for_key(SoftwareKey::generate(NamedCurve::P256)),
    );
    assert!(matches!(e, BuildError::TimeOutOfRange { field: "notBefore", .. }), "{e:?}");
}

#[test]
fn a_subject_that_is_no_distinguished_name_is_refused() {
    let err = CertificateBuilder::country_signing_ca("no equals sign here")
        .valid_for_days(1)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap_err();
    assert!(matches!(err, PkiError::InvalidName), "{err:?}");
}

#[test]
fn an_sod_over_fewer_than_two_data_groups_is_refused() {
    let csca = csca(NamedCurve::P256);
    let ds = ds(&csca, NamedCurve::P256);
    let dg1 = vec![0x61, 0x00];
    assert_eq!(build_error(SodBuilder::new(&ds).build()), BuildError::DataGroupCount { count: 0 });
    // EF.COM is no data group: still one
    let e = build_error(
        SodBuilder::new(&ds).data_group(LdsFile::dg(1).unwrap(), &dg1).data_group(LdsFile::Com, &dg1).build(),
    );
    assert_eq!(e, BuildError::DataGroupCount { count: 1 });
    assert!(
        SodBuilder::new(&ds)
            .data_group(LdsFile::dg(1).unwrap(), &dg1)
            .data_group(LdsFile::dg(2).unwrap(), &dg1)
            .build()
            .is_ok()
    );
}

#[test]
fn an_lds_version_that_is_not_four_and_six_digits_is_refused() {
    let csca = csca(NamedCurve::P256);
    let ds = ds(&csca, NamedCurve::P256);
    let dgs = data_groups();
    for (lds, unicode) in [("108", "040000"), ("0108", "04000"), ("01a8", "040000")] {
        let e = build_error(SodBuilder::new(&ds).data_groups(&dgs).lds_version(lds, unicode).build());
        assert_eq!(e, BuildError::InvalidLdsVersion);
    }
}

#[test]
fn an_empty_master_list_is_refused() {
    let csca = csca(NamedCurve::P256);
    assert_eq!(build_error(MasterListBuilder::new(&csca).build()), BuildError::EmptyMasterList);
}

#[test]
fn a_cms_signer_whose_key_is_not_its_certificates_is_refused() {
    let csca = csca(NamedCurve::P256);
    let stranger = SoftwareKey::generate(NamedCurve::P256);
    assert!(matches!(CmsSigner::new(&csca.certificate, &stranger), Err(PkiError::KeyMismatch)));
    assert!(CmsSigner::new(&csca.certificate, &csca.key).is_ok());
}

#[test]
fn a_crl_without_a_number_or_an_end_or_with_a_backwards_period_is_refused() {
    let csca = csca(NamedCurve::P256);
    let crl = || CrlBuilder::new(&csca).this_update(date!(2025 - 01 - 01));
    assert_eq!(build_error(crl().valid_for_days(30).build()), BuildError::MissingCrlNumber);
    assert_eq!(build_error(crl().number(1).build()), BuildError::MissingEnd { period: Period::CrlUpdate });
    assert!(matches!(
        build_error(crl().number(1).next_update(date!(2024 - 01 - 01)).build()),
        BuildError::EndBeforeStart { period: Period::CrlUpdate, .. }
    ));
    assert!(matches!(
        build_error(crl().number(1).valid_for_days(0).build()),
        BuildError::EmptyPeriod { period: Period::CrlUpdate, .. }
    ));
}

#[test]
fn a_crl_revoking_a_serial_that_is_not_positive_or_twice_is_refused() {
    let csca = csca(NamedCurve::P256);
    let crl = || CrlBuilder::new(&csca).number(1).valid_for_days(30);
    let when = date!(2025 - 01 - 01);
    assert_eq!(
        build_error(crl().revoke(0, when).build()),
        BuildError::SerialNotPositive { what: "revoked certificate" }
    );
    assert_eq!(
        build_error(crl().revoke(0x99, when).revoke_bytes(&[0, 0x99], when).build()),
        BuildError::DuplicateRevocation { serial: "99".into() }
    );
    assert_eq!(build_error(crl().revoke_bytes(&[1; 21], when).build()), BuildError::SerialTooLong { octets: 21 });
}

#[test]
fn a_crl_from_a_certificate_that_may_not_sign_crls_or_with_another_key_is_refused() {
    let csca = csca(NamedCurve::P256);
    let ds = ds(&csca, NamedCurve::P256);
    assert_eq!(build_error(CrlBuilder::new(&ds).number(1).valid_for_days(30).build()), BuildError::IssuerNotCrlSigner);
    let stranger = SoftwareKey::generate(NamedCurve::P256);
    let err = CrlBuilder::issued_by(&csca.certificate, &stranger).number(1).valid_for_days(30).build().unwrap_err();
    assert!(matches!(err, PkiError::KeyMismatch), "{err:?}");
}

/// Any other content (here EF.CardSecurity's `id-SecurityObject` over a SET of SecurityInfos) is signed the
/// same way: openssl verifies it under the CSCA and gives back the content.
#[test]
fn other_content_is_signed_as_signed_data_that_openssl_verifies() {
    use cccd::pki::SignedDataBuilder;
    let dir = tmp("signed-data");
    let csca = csca(NamedCurve::BrainpoolP256r1);
    let ds = ds(&csca, NamedCurve::BrainpoolP256r1);
    let security_object = der::asn1::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.3.2.1");
    // EF.CardAccess's SecurityInfos, a DER SET
    let content = common::chip::cccd_image().files[&LdsFile::CardAccess].clone();
    assert_eq!(content[0], 0x31);
    let signed = SignedDataBuilder::new(&ds).content(security_object, &content).build().unwrap();
    let (input, ca, out) = (dir.join("cs.der"), dir.join("csca.pem"), dir.join("content.der"));
    std::fs::write(&input, &signed).unwrap();
    std::fs::write(&ca, csca.pem()).unwrap();
    let (ok, text) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        s(&input),
        "-CAfile",
        s(&ca),
        "-purpose",
        "any",
        "-binary",
        "-out",
        s(&out),
    ]);
    assert!(ok, "{text}");
    assert_eq!(std::fs::read(&out).unwrap(), content);
    let ci = cms::content_info::ContentInfo::from_der(&signed).unwrap();
    let sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    assert_eq!(sd.encap_content_info.econtent_type, security_object);
    // without content there is nothing to sign
    assert_eq!(build_error(SignedDataBuilder::new(&ds).build()), BuildError::MissingContent);
    std::fs::remove_dir_all(&dir).unwrap();
}
