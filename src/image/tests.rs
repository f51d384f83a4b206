use super::*;
use crate::crypto::dh::ModpGroup;
use crate::crypto::ec::NamedCurve;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cccd-image-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("secrets")).unwrap();
    dir
}

fn rsa_key() -> RsaActiveAuthenticationKey {
    RsaActiveAuthenticationKey(rsa::RsaPrivateKey::new(&mut rand::rng(), 1024).unwrap())
}

fn image(ca: ChipAuthenticationPrivateKey, aa: ActiveAuthenticationKey) -> ChipImage {
    ChipImage {
        files: BTreeMap::from([(LdsFile::Com, vec![0x60, 0x00]), (LdsFile::dg(1).unwrap(), vec![0x61, 0x00])]),
        secrets: ChipSecrets {
            mrz_information: Some(Zeroizing::new("123456789<1990101219412315".into())),
            can: Some(Zeroizing::new("493817".into())),
            chip_authentication: Some(ChipAuthenticationKey { key_id: Some(3), key: ca }),
            active_authentication: Some(aa),
        },
        eac: None,
    }
}

/// A folder written before the keys were one file per role (DH and RSA keys under their own names) loads
/// into the same image as the current layout.
#[test]
fn old_folder_with_dh_and_rsa_key_files_loads() {
    let dh = DhPrivateKey::generate(ModpGroup::Modp2048_224.domain());
    let rsa = rsa_key();
    let dir = temp_dir("old");
    std::fs::write(dir.join("EF.COM.bin"), [0x60, 0x00]).unwrap();
    std::fs::write(dir.join("DG1.bin"), [0x61, 0x00]).unwrap();
    std::fs::write(dir.join("secrets/mrz_information"), "123456789<1990101219412315\n").unwrap();
    std::fs::write(dir.join("secrets/can"), "493817").unwrap();
    std::fs::write(dir.join("secrets/chip_authentication.key_id"), "3").unwrap();
    std::fs::write(dir.join("secrets/chip_authentication_dh.pk8"), dh.to_pkcs8_der().as_slice()).unwrap();
    std::fs::write(dir.join("secrets/active_authentication_rsa.pk8"), rsa.to_pkcs8_der().unwrap().as_slice()).unwrap();
    let loaded = ChipImage::load_dir(&dir).unwrap();
    let expected = image(ChipAuthenticationPrivateKey::Dh(dh), ActiveAuthenticationKey::Rsa(Box::new(rsa)));
    assert_eq!(loaded, expected);

    // saved again: one file per role under the current names, the old ones gone, and it loads back the same
    loaded.save_dir(&dir).unwrap();
    assert!(dir.join("secrets/chip_authentication.pk8").is_file());
    assert!(dir.join("secrets/active_authentication.pk8").is_file());
    assert!(!dir.join("secrets/chip_authentication_dh.pk8").exists());
    assert!(!dir.join("secrets/active_authentication_rsa.pk8").exists());
    assert_eq!(ChipImage::load_dir(&dir).unwrap(), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ec_keys_round_trip_and_a_saved_image_drops_keys_it_does_not_have() {
    let curve = NamedCurve::BrainpoolP256r1;
    let mut img = image(
        ChipAuthenticationPrivateKey::Ecdh(SoftwareKey::generate(curve)),
        ActiveAuthenticationKey::Ecdsa(SoftwareKey::generate(curve)),
    );
    let dir = temp_dir("ec");
    img.save_dir(&dir).unwrap();
    assert_eq!(ChipImage::load_dir(&dir).unwrap(), img);
    img.secrets.active_authentication = None;
    img.secrets.chip_authentication.as_mut().unwrap().key_id = None;
    img.save_dir(&dir).unwrap();
    assert!(!dir.join("secrets/active_authentication.pk8").exists());
    assert!(!dir.join("secrets/chip_authentication.key_id").exists());
    assert_eq!(ChipImage::load_dir(&dir).unwrap(), img);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_keys_for_one_role_and_foreign_keys_are_refused() {
    let curve = NamedCurve::P256;
    let dir = temp_dir("two");
    std::fs::write(dir.join("EF.COM.bin"), [0x60, 0x00]).unwrap();
    let ec = SoftwareKey::generate(curve).to_pkcs8_der().unwrap();
    std::fs::write(dir.join("secrets/chip_authentication.pk8"), ec.as_slice()).unwrap();
    let dh = DhPrivateKey::generate(ModpGroup::Modp1024_160.domain()).to_pkcs8_der();
    std::fs::write(dir.join("secrets/chip_authentication_dh.pk8"), dh.as_slice()).unwrap();
    match ChipImage::load_dir(&dir) {
        Err(ImageError::TwoKeys { first, second }) => {
            assert!(first.ends_with("chip_authentication.pk8"), "{first}");
            assert!(second.ends_with("chip_authentication_dh.pk8"), "{second}");
        }
        other => panic!("expected TwoKeys, got {other:?}"),
    }
    std::fs::remove_file(dir.join("secrets/chip_authentication_dh.pk8")).unwrap();
    // a DH key where an Active Authentication key belongs (EC or RSA only)
    std::fs::write(dir.join("secrets/active_authentication.pk8"), dh.as_slice()).unwrap();
    match ChipImage::load_dir(&dir) {
        Err(ImageError::BadKey { path, expected }) => {
            assert!(path.ends_with("active_authentication.pk8"), "{path}");
            assert_eq!(expected, "EC or RSA");
        }
        other => panic!("expected BadKey, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pkcs8_parsing_picks_the_key_type_of_the_role() {
    let ec = SoftwareKey::generate(NamedCurve::P256);
    let der = ec.to_pkcs8_der().unwrap();
    assert_eq!(
        ChipAuthenticationPrivateKey::from_pkcs8_der(&der),
        Some(ChipAuthenticationPrivateKey::Ecdh(ec.clone()))
    );
    assert_eq!(ActiveAuthenticationKey::from_pkcs8_der(&der), Some(ActiveAuthenticationKey::Ecdsa(ec)));
    let dh = DhPrivateKey::generate(ModpGroup::Modp1024_160.domain());
    let ca = ChipAuthenticationPrivateKey::from_pkcs8_der(&dh.to_pkcs8_der()).unwrap();
    assert_eq!(ca.key_agreement(), KeyAgreement::Dh);
    assert_eq!(ActiveAuthenticationKey::from_pkcs8_der(&dh.to_pkcs8_der()), None);
    assert_eq!(ChipAuthenticationPrivateKey::from_pkcs8_der(b"\x30\x03\x02\x01\x00"), None);
    assert!(matches!(ActiveAuthenticationKey::generate_rsa(1000), Err(KeyError::RsaSize { bits: 1000 })));
}

#[test]
fn debug_prints_no_secret() {
    let img = image(
        ChipAuthenticationPrivateKey::Dh(DhPrivateKey::generate(ModpGroup::Modp1024_160.domain())),
        ActiveAuthenticationKey::Rsa(Box::new(rsa_key())),
    );
    let text = format!("{img:?}");
    assert!(!text.contains("493817") && !text.contains("123456789"), "{text}");
    assert!(text.contains("REDACTED") && text.contains("1024 bits"), "{text}");
}

fn cvca(chr: &str) -> crate::cvc::CvCertificate {
    use crate::cvc::issue::{self, Rights};
    let key = SoftwareKey::generate(NamedCurve::BrainpoolP256r1);
    let day = |y: i32| crate::cvc::CvcDate::new(time::Date::from_calendar_date(y, time::Month::December, 1).unwrap());
    let reference = crate::cvc::Reference::new(chr).unwrap();
    issue::cvca(reference, &key, Rights { dg3: true, dg4: true }, day(2026).unwrap(), day(2028).unwrap()).unwrap()
}

#[test]
fn eac_trust_round_trips_in_eac_and_folders_without_it_still_load() {
    let curve = NamedCurve::BrainpoolP256r1;
    let mut img = image(
        ChipAuthenticationPrivateKey::Ecdh(SoftwareKey::generate(curve)),
        ActiveAuthenticationKey::Ecdsa(SoftwareKey::generate(curve)),
    );
    let dir = temp_dir("eac");
    // an old folder (no eac/): no trust
    img.save_dir(&dir).unwrap();
    assert!(!dir.join("eac").exists());
    assert_eq!(ChipImage::load_dir(&dir).unwrap().eac, None);
    let date =
        crate::cvc::CvcDate::new(time::Date::from_calendar_date(2026, time::Month::December, 4).unwrap()).unwrap();
    let (new, old) = (cvca("VNCVCA00002"), cvca("VNCVCA00001"));
    img.eac = Some(EacTrust::new(vec![new.clone(), old.clone()], date).unwrap());
    img.save_dir(&dir).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("eac/current-date")).unwrap(), "2026-12-04\n");
    let ef = crate::cvc::EfCvca::decode(&std::fs::read(dir.join("eac/EF.CVCA.bin")).unwrap()).unwrap();
    assert_eq!(ef.cars, vec![new.chr().clone(), old.chr().clone()], "most recent first");
    assert_eq!(ChipImage::load_dir(&dir).unwrap(), img);
    // saved again with one trust point, then none: the folder follows
    img.eac = Some(EacTrust::new(vec![new.clone()], date).unwrap());
    img.save_dir(&dir).unwrap();
    assert!(!dir.join("eac/trust-point-2.cvcert").exists());
    assert_eq!(ChipImage::load_dir(&dir).unwrap(), img);
    img.eac = None;
    img.save_dir(&dir).unwrap();
    assert!(!dir.join("eac").exists());
    // a broken trust point or date is an error naming the file, never silently dropped
    img.eac = Some(EacTrust::new(vec![new.clone()], date).unwrap());
    img.save_dir(&dir).unwrap();
    std::fs::write(dir.join("eac/current-date"), "2026-13-01\n").unwrap();
    let e = ChipImage::load_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("current-date"), "{e}");
    // trust points: one or two CVCA certificates, no duplicates
    assert!(matches!(EacTrust::new(vec![], date), Err(TrustPointError::Count(0))));
    assert!(matches!(EacTrust::new(vec![new.clone(), new.clone()], date), Err(TrustPointError::Duplicate(_))));
    assert!(matches!(
        EacTrust::new(vec![new.clone(), old.clone(), cvca("VNCVCA00003")], date),
        Err(TrustPointError::Count(3))
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
