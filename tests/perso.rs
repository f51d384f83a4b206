//! Personalization of a blank virtual chip: the whole image written, verified by a reader session (which is the
//! read-back), locked;
//! interrupted at every APDU, torn at every write, refused with a wrong transport key — and never a locked chip
//! with wrong data.
mod common;

use cccd::apdu::{CommandApdu, StatusWord, ins};
use cccd::emulator::{ChipConfig, Faults, LifeCycle, LinkModel, VirtualChip};
use cccd::image::{ActiveAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage};
use cccd::pa::Check;
use cccd::perso::{ChipStatus, OpenEmrtdProfile, PersoError, PersoProfile, Personalizer};
use cccd::reader::Reader;
use cccd::transport::{Transport, TransportError};

/// Every Passive Authentication check passed (a query on the report; the verdict is the verifier's).
fn pa_ok(report: &cccd::pa::PassiveAuthReport) -> bool {
    report.hashes_match() && report.first_failure().is_none()
}

/// Chip and Active Authentication as the verifier counts them, with these CSCAs trusted.
fn counted(result: &cccd::reader::ReadResult, cscas: &[x509_cert::Certificate]) -> (cccd::pa::Check, cccd::pa::Check) {
    let trust = cccd::pa::TrustStore::from_certificates(cscas);
    let v = cccd::verify::Verifier::new(&trust, cccd::verify::Policy::counter()).verify_read(result);
    (v.report.chip_authentication, v.report.active_authentication)
}

const KEY: [u8; 16] = *b"transport key 16";

fn image() -> (ChipImage, Vec<x509_cert::Certificate>) {
    let (image, csca) = common::chip::cccd_image_signed();
    (image, x509_cert::Certificate::load_pem_chain(csca.as_bytes()).unwrap())
}

/// The chip holds exactly the image (files and secrets) and is locked.
fn assert_issued(chip: &VirtualChip, image: &ChipImage) {
    assert_eq!(chip.life_cycle(), LifeCycle::Operational);
    let got = chip.image();
    for (f, b) in &image.files {
        assert!(got.files.get(f) == Some(b), "{} differs", f.name());
    }
    assert_eq!(got.files.len(), image.files.len());
    let (a, b) = (&got.secrets, &image.secrets);
    assert!(a.mrz_information == b.mrz_information, "MRZ information differs");
    assert!(a.can == b.can, "CAN differs");
    assert!(a.chip_authentication == b.chip_authentication, "CA key differs");
    assert!(a.active_authentication == b.active_authentication, "AA key differs");
}

fn personalize(chip: &mut VirtualChip, image: &ChipImage) -> Result<cccd::perso::PersoReport, PersoError> {
    let profile = OpenEmrtdProfile::new(KEY);
    Personalizer::new(&profile, image).run(chip)
}

#[test]
fn a_blank_chip_is_written_verified_and_locked() {
    let (image, csca) = image();
    for (config, name) in [(ChipConfig::default(), "extended length"), (ChipConfig::short_only(), "short APDUs")] {
        let mut chip = VirtualChip::blank(KEY, config);
        let mut steps = Vec::new();
        let profile = OpenEmrtdProfile::new(KEY);
        let report = Personalizer::new(&profile, &image).on_progress(|p| steps.push(p.step)).run(&mut chip).unwrap();
        assert_issued(&chip, &image);
        assert_eq!(report.bytes_written, image.files.values().map(Vec::len).sum::<usize>());
        assert_eq!(
            report.reader_access.as_ref().map(ToString::to_string).as_deref(),
            Some("PACE-GM-ECDH-AES128 (brainpoolP256r1)")
        );
        assert_eq!(steps.first(), Some(&"session"));
        assert_eq!(steps.last(), Some(&"done"));
        let lock_step = steps.iter().position(|s| *s == "lock").unwrap();
        assert!(steps.iter().position(|s| *s == "reader session").unwrap() < lock_step);

        // an issued chip: a verifier reads it with PACE, everything passes
        let can = cccd::access::pace::PacePassword::Can(image.secrets.can.clone().unwrap());
        let result = Reader::pace(can).read(&mut chip).unwrap();
        let pa =
            cccd::pa::verify_with_trust(&result.files[&cccd::lds::LdsFile::Sod], &result.files, None, &csca).unwrap();
        assert!(pa_ok(&pa));
        assert_eq!(counted(&result, &csca), (Check::Passed, Check::Passed));

        // the link model: a CCCD-sized image (20 KB DG2) timed at 106 and 424 kbit/s
        let (big, _) = common::chip::cccd_image_20k_signed();
        for kbit in [106, 424] {
            let mut chip = VirtualChip::blank(KEY, config);
            chip.set_faults(Faults { link: Some(LinkModel::iso14443(kbit)), ..Faults::default() });
            let report = personalize(&mut chip, &big).unwrap();
            assert_issued(&chip, &big);
            eprintln!(
                "personalization ({name}) of {} bytes: {} APDUs, {} bytes on the link, {:.0} ms at {kbit} kbit/s",
                report.bytes_written,
                report.apdus,
                chip.faults().link_bytes,
                chip.faults().link_time_us as f64 / 1000.0
            );
            // the image crosses the link twice (written once, read once by the verifying reader session), not
            // three times: every byte on the link, commands, secure messaging and PACE included, under 2.3 × (2.7
            // × with short APDUs) the image
            let image_bytes = big.files.values().map(Vec::len).sum::<usize>() as f64;
            let bound = if config.extended_length { 2.3 } else { 2.7 };
            assert!((chip.faults().link_bytes as f64) < bound * image_bytes, "{name}: {}", chip.faults().link_bytes);
        }
    }
}

#[test]
fn a_card_pulled_at_every_apdu_resumes_to_a_correct_locked_chip() {
    let (image, _) = image();
    let full = {
        let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
        personalize(&mut chip, &image).unwrap().apdus
    };
    for n in 0..full {
        let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
        chip.set_faults(Faults { drop_after: Some(n), ..Faults::default() });
        match personalize(&mut chip, &image) {
            Err(PersoError::Transport(TransportError::CardRemoved)) => {}
            other => panic!("APDU {n}: expected the pulled card, got {other:?}"),
        }
        // never locked with anything but the image (a pull right after LOCK leaves it locked and correct)
        if chip.life_cycle() == LifeCycle::Operational {
            assert!(chip.image() == &image, "APDU {n}: locked with wrong data");
        }
        chip.reset().unwrap();
        let report = personalize(&mut chip, &image).unwrap_or_else(|e| panic!("resume after APDU {n}: {e}"));
        assert_issued(&chip, &image);
        assert!(report.bytes_written <= image.files.values().map(Vec::len).sum::<usize>());
    }
    eprintln!("pulled at each of {full} APDUs: every resumed run ended in a correct, locked chip");
}

#[test]
fn torn_writes_and_corrupted_answers_never_lock_a_wrong_chip() {
    let (image, _) = image();
    for config in [ChipConfig::default(), ChipConfig::short_only()] {
        let writes = {
            let mut chip = VirtualChip::blank(KEY, config);
            personalize(&mut chip, &image).unwrap();
            chip.image().files.len() + 200 // an upper bound on UPDATE BINARY commands
        };
        let mut torn = 0;
        for w in 0..writes {
            // the write torn before its first byte, after one, or after a hundred
            for keep in [[0, 1, 100][w % 3]] {
                let mut chip = VirtualChip::blank(KEY, config);
                chip.set_faults(Faults { tear: Some((w, keep)), ..Faults::default() });
                match personalize(&mut chip, &image) {
                    Ok(_) => break, // fewer writes than `w`: nothing torn
                    Err(PersoError::Transport(_)) => torn += 1,
                    Err(e) => panic!("write {w}: {e}"),
                }
                assert_eq!(chip.life_cycle(), LifeCycle::Personalization, "locked after a torn write");
                chip.reset().unwrap();
                personalize(&mut chip, &image).unwrap_or_else(|e| panic!("resume after torn write {w}: {e}"));
                assert_issued(&chip, &image);
            }
        }
        assert!(torn > 3, "{torn}");
    }
    // a corrupted answer (bad MAC) stops the run before LOCK; a second run completes
    let full = {
        let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
        personalize(&mut chip, &image).unwrap().apdus
    };
    for n in (0..full).step_by(3) {
        let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
        chip.set_faults(Faults { corrupt_at: Some(n), ..Faults::default() });
        if personalize(&mut chip, &image).is_err() {
            assert!(chip.life_cycle() == LifeCycle::Personalization || chip.image() == &image, "APDU {n}");
            chip.reset().unwrap();
            personalize(&mut chip, &image).unwrap_or_else(|e| panic!("after corrupted answer {n}: {e}"));
        }
        assert_issued(&chip, &image);
    }
}

#[test]
fn the_transport_key_guards_the_chip_and_lock_is_final() {
    let (image, _) = image();
    // without the session every personalization command is refused
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    let create = CommandApdu::new(0, ins::CREATE_FILE, 0, 0).with_data(vec![0x63, 0x04, 0x00, 0x10, 0x01, 0x1E]);
    let commands = [
        create.clone(),
        CommandApdu::new(0, ins::UPDATE_BINARY, 0, 0).with_data(vec![1, 2, 3]),
        CommandApdu::new(0, ins::PUT_DATA, 0, 0x65).with_data(vec![0xA1, 0x03, 0x80, 0x01, 0x31]),
        CommandApdu::new(0, ins::PUT_DATA, 0xDE, 0xAD),
    ];
    for c in &commands {
        assert_eq!(u16::from(chip.transmit(c).unwrap().sw), 0x6982, "{:02X}", c.ins);
    }
    // wrong keys: counted, then blocked for good
    let wrong = OpenEmrtdProfile::new([0x55; 16]);
    for left in (1..10u8).rev() {
        match Personalizer::new(&wrong, &image).run(&mut chip) {
            Err(PersoError::WrongTransportKey { retries_left }) => assert_eq!(retries_left, left),
            other => panic!("expected a wrong key, got {other:?}"),
        }
    }
    assert!(matches!(Personalizer::new(&wrong, &image).run(&mut chip), Err(PersoError::Blocked)));
    assert!(matches!(personalize(&mut chip, &image), Err(PersoError::Blocked)), "the right key is refused too");
    assert_eq!(chip.life_cycle(), LifeCycle::Personalization);

    // a right key after a few wrong ones restores the count
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    for _ in 0..3 {
        assert!(Personalizer::new(&wrong, &image).run(&mut chip).is_err());
    }
    personalize(&mut chip, &image).unwrap();
    assert_issued(&chip, &image);

    // after LOCK: every personalization command is refused, even in a session attempt
    for c in &commands {
        assert_eq!(chip.transmit(c).unwrap().sw, StatusWord::ConditionsNotSatisfied, "{:02X}", c.ins);
    }
    let profile = OpenEmrtdProfile::new(KEY);
    let mut t: &mut dyn Transport = &mut chip;
    assert!(profile.open_session(&mut t).unwrap().is_none());
    // a run on a locked chip with the same image only checks it
    let report = personalize(&mut chip, &image).unwrap();
    assert!(report.already_locked && report.bytes_written == 0);
    // with another image it fails and says so
    let mut other = image.clone();
    other.files.get_mut(&cccd::lds::LdsFile::dg(13).unwrap()).unwrap()[10] ^= 1;
    let profile = OpenEmrtdProfile::new(KEY);
    let mut personalizer = Personalizer::new(&profile, &other);
    assert!(matches!(personalizer.run(&mut chip), Err(PersoError::LockedWithOtherContent(_))));
    // what the chip is: locked, holding another image, nothing written
    assert_eq!(
        personalizer.chip_status(),
        ChipStatus { locked: Some(true), holds_this_image: Some(false), bytes_written: 0 }
    );
}

/// A transport that must not be used.
struct Untouched;

impl Transport for Untouched {
    fn transmit(&mut self, command: &CommandApdu) -> Result<cccd::apdu::ResponseApdu, TransportError> {
        panic!("an APDU ({:02X}) was sent for an incomplete image", command.ins)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

#[test]
fn an_incomplete_image_is_refused_before_anything_is_written() {
    use cccd::perso::ImageProblem;
    let (image, _) = image();
    let profile = OpenEmrtdProfile::new(KEY);
    let dg = |n| cccd::lds::LdsFile::dg(n).unwrap();
    // a data group the SOD lists is not in the image
    let mut without_dg2 = image.clone();
    without_dg2.files.remove(&dg(2));
    // DG14 offers Chip Authentication, DG15 is there, but the keys are not
    let mut without_keys = image.clone();
    without_keys.secrets.chip_authentication = None;
    without_keys.secrets.active_authentication = None;
    // no access key at all, and a data group the SOD does not list
    let mut unlisted = image.clone();
    unlisted.secrets.can = None;
    unlisted.secrets.mrz_information = None;
    unlisted.files.insert(dg(11), vec![0x6B, 0x03, 0x5C, 0x01, 0x00]);
    for (img, expected) in [
        (&without_dg2, vec![ImageProblem::Missing(dg(2))]),
        (&without_keys, vec![ImageProblem::NoChipAuthenticationKey, ImageProblem::NoActiveAuthenticationKey]),
        (&unlisted, vec![ImageProblem::NoAccessKey, ImageProblem::NotListed(dg(11))]),
    ] {
        assert_eq!(cccd::perso::check_image(img), expected);
        let mut personalizer = Personalizer::new(&profile, img);
        match personalizer.run(&mut Untouched) {
            Err(PersoError::IncompleteImage(problems)) => assert_eq!(problems, expected),
            other => panic!("expected an incomplete image, got {other:?}"),
        }
        assert_eq!(personalizer.chip_status(), ChipStatus::default(), "nothing known, nothing written");
    }
    assert!(cccd::perso::check_image(&image).is_empty());
}

#[test]
fn a_chip_holding_another_image_is_not_overwritten_and_not_locked() {
    let (image, _) = image();
    let (mut other, _) = common::chip::cccd_image_signed();
    // the other image's DG13 is longer: a chip half-written with it cannot take this image
    let dg13 = cccd::lds::LdsFile::dg(13).unwrap();
    let mut record = common::chip::record();
    record.full_name.push_str(" Thêm");
    other.files.insert(dg13, cccd::lds::dg13::Dg13::from_record(&record).unwrap().encode().unwrap());
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    chip.set_faults(Faults { drop_after: Some(30), ..Faults::default() });
    assert!(personalize(&mut chip, &other).is_err());
    chip.reset().unwrap();
    match personalize(&mut chip, &image) {
        Err(PersoError::FileSizeMismatch(f)) => assert_eq!(f.name(), "DG13"),
        other => panic!("expected a size mismatch, got {other:?}"),
    }
    assert_eq!(chip.life_cycle(), LifeCycle::Personalization);
}

#[test]
fn an_rsa_active_authentication_key_is_issued_personalized_and_proven() {
    use cccd::crypto::ec::NamedCurve;
    use cccd::crypto::public_key::PublicKey;
    use cccd::issuance::{ChipKeys, FaceImage, IssueOptions, issue};
    use cccd::lds::LdsFile;
    use cccd::lds::dg2::facial::ImageDataType;
    use cccd::lds::security_infos::{Dg14, SecurityInfoKind};
    use cccd::pki::SoftwareKey;

    let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .serial(1)
        .valid_for_days(30)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(2)
        .not_before(yesterday)
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let (jpeg, width, height) = common::chip::face_jpeg();
    let face = FaceImage { data: jpeg, image_type: ImageDataType::Jpeg, width, height };
    let mut keys = ChipKeys::generate(NamedCurve::BrainpoolP256r1);
    keys.active_authentication = ActiveAuthenticationKey::generate_rsa(2048).unwrap();
    let image = issue(&common::chip::record(), &face, &keys, &ds.into(), &IssueOptions::default()).unwrap();

    // DG15 holds the RSA key, DG14 no ActiveAuthenticationInfo (that is for ECDSA), the secrets the RSA key only
    let dg15 = cccd::lds::dg15::Dg15::decode(&image.files[&LdsFile::dg(15).unwrap()]).unwrap();
    assert!(matches!(dg15.public_key, PublicKey::Rsa { .. }));
    assert_eq!(dg15.public_key, keys.active_authentication.public_key().unwrap());
    let dg14 = Dg14::decode(&image.files[&LdsFile::dg(14).unwrap()]).unwrap();
    assert!(!dg14.infos.infos().iter().any(|i| matches!(i.kind(), SecurityInfoKind::ActiveAuthentication(_))));
    assert!(matches!(image.secrets.active_authentication, Some(ActiveAuthenticationKey::Rsa(_))));
    assert!(!format!("{:?}", image.secrets).contains("RsaPrivateKey"), "the key must not reach Debug");

    // personalized through PUT DATA 66 (PKCS#8 rsaEncryption), proven in the reader session, locked
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    personalize(&mut chip, &image).unwrap();
    assert_eq!(chip.life_cycle(), LifeCycle::Operational);
    assert!(chip.image().secrets.active_authentication == image.secrets.active_authentication);
    let can = cccd::access::pace::PacePassword::Can(image.secrets.can.clone().unwrap());
    let result = Reader::pace(can).read(&mut chip).unwrap();
    let pa = cccd::pa::verify_with_trust(
        &result.files[&LdsFile::Sod],
        &result.files,
        None,
        std::slice::from_ref(&csca.certificate),
    )
    .unwrap();
    assert!(pa_ok(&pa), "{pa:?}");
    assert!(pa.hashes_match());
    assert_eq!(counted(&result, &[csca.certificate]), (Check::Passed, Check::Passed));

    // an image whose RSA secret is not DG15's key: Active Authentication fails before LOCK, the chip stays open
    let mut wrong = image.clone();
    let ActiveAuthenticationKey::Rsa(other) = ActiveAuthenticationKey::generate_rsa(2048).unwrap() else { panic!() };
    wrong.secrets.active_authentication = Some(ActiveAuthenticationKey::Rsa(other));
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    match personalize(&mut chip, &wrong) {
        Err(PersoError::NotGenuine(v)) => {
            assert!(!v.verdict.is_genuine());
            assert!(v.summary().contains("(Active Authentication: "), "{}", v.summary())
        }
        other => panic!("expected a failed verification, got {other:?}"),
    }
    assert_ne!(chip.life_cycle(), LifeCycle::Operational);
    // sizes outside what ISO/IEC 9796-2 signing takes are refused
    assert!(ActiveAuthenticationKey::generate_rsa(1000).is_err());
}

#[test]
fn a_dh_chip_authentication_key_is_issued_personalized_and_proven() {
    use cccd::crypto::dh::{DhPrivateKey, ModpGroup};
    use cccd::crypto::ec::NamedCurve;
    use cccd::issuance::{ChipKeys, FaceImage, IssueError, IssueOptions, issue};
    use cccd::lds::LdsFile;
    use cccd::lds::dg2::facial::ImageDataType;
    use cccd::lds::security_infos::{CardAccess, Dg14};
    use cccd::oid::KeyAgreement;
    use cccd::pki::SoftwareKey;

    let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .serial(1)
        .valid_for_days(30)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds = cccd::pki::CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(2)
        .not_before(yesterday)
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap()
        .into();
    let (jpeg, width, height) = common::chip::face_jpeg();
    let face = FaceImage { data: jpeg, image_type: ImageDataType::Jpeg, width, height };
    let mut keys = ChipKeys::generate(NamedCurve::BrainpoolP256r1);
    keys.chip_authentication =
        ChipAuthenticationPrivateKey::Dh(DhPrivateKey::generate(ModpGroup::Modp2048_224.domain()));
    keys.chip_authentication_key_id = Some(3);

    // the CCCD's EF.CardAccess announces CA-ECDH: issuing a DH key under it is refused, not silently mismatched
    match issue(&common::chip::record(), &face, &keys, &ds, &IssueOptions::default()) {
        Err(IssueError::DataGroup { file: "EF.CardAccess", .. }) => {}
        other => panic!("expected a refused EF.CardAccess, got {other:?}"),
    }
    let card_access = CardAccess::cccd().with_chip_authentication_agreement(KeyAgreement::Dh).unwrap();
    let options = IssueOptions { card_access, ..IssueOptions::default() };
    let image = issue(&common::chip::record(), &face, &keys, &ds, &options).unwrap();
    let dg14 = Dg14::decode(&image.files[&LdsFile::dg(14).unwrap()]).unwrap();
    let ca: Vec<_> = dg14.infos.chip_authentication_infos().collect();
    assert_eq!((ca.len(), ca[0].protocol.key_agreement, ca[0].key_id), (1, KeyAgreement::Dh, Some(3)));
    assert!(matches!(
        image.secrets.chip_authentication.as_ref().map(|k| (&k.key, k.key_id)),
        Some((ChipAuthenticationPrivateKey::Dh(_), Some(3)))
    ));

    // PUT DATA 63 with the key id and the DH PKCS#8, proven in the reader session, locked; a verifier agrees
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    personalize(&mut chip, &image).unwrap();
    assert_eq!(chip.life_cycle(), LifeCycle::Operational);
    assert!(chip.image().secrets.chip_authentication == image.secrets.chip_authentication);
    let can = cccd::access::pace::PacePassword::Can(image.secrets.can.clone().unwrap());
    let result = Reader::pace(can).read(&mut chip).unwrap();
    let pa = cccd::pa::verify_with_trust(
        &result.files[&LdsFile::Sod],
        &result.files,
        None,
        std::slice::from_ref(&csca.certificate),
    )
    .unwrap();
    assert!(pa.hashes_match());
    assert_eq!(counted(&result, &[csca.certificate]), (Check::Passed, Check::Passed));

    // a DH secret that is not DG14's key: Chip Authentication fails before LOCK, the chip stays open
    let mut wrong = image.clone();
    wrong.secrets.chip_authentication.as_mut().unwrap().key =
        ChipAuthenticationPrivateKey::Dh(DhPrivateKey::generate(ModpGroup::Modp2048_224.domain()));
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    match personalize(&mut chip, &wrong) {
        Err(PersoError::NotGenuine(v)) => {
            assert!(!v.verdict.is_genuine());
            assert!(v.summary().contains("(Chip Authentication: "), "{}", v.summary())
        }
        other => panic!("expected a failed verification, got {other:?}"),
    }
    assert_ne!(chip.life_cycle(), LifeCycle::Operational);
}
