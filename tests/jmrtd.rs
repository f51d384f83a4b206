//! The JMRTD passport applet as a second, independent chip (`../shared/docs/jmrtd-applet.md`): its virtual chip
//! answers byte for byte as the document says, its perso profile writes it in the clear and refuses what it
//! cannot hold before the first write, and the reader copes with it (and with any chip that refuses SFI reads,
//! answers nothing for Le = 00 or returns less than 256 bytes a read).
mod common;

use cccd::access::bac::{self, BacKey};
use cccd::apdu::{CommandApdu, ResponseApdu, StatusWord, ins};
use cccd::emulator::{ChipConfig, Faults, JmrtdAppletChip, LifeCycle, VirtualChip};
use cccd::image::{ActiveAuthenticationKey, ChipImage};
use cccd::issuance::{ChipKeys, FaceImage, IssueOptions, issue};
use cccd::lds::LdsFile;
use cccd::pa::Check;
use cccd::perso::{JmrtdAppletProfile, PersoError, PersoProfile, Personalizer, Unsupported};
use cccd::reader::Reader;
use cccd::transport::{Transport, TransportError};

/// Chip and Active Authentication as the verifier counts them, with these CSCAs trusted.
fn counted(result: &cccd::reader::ReadResult, cscas: &[x509_cert::Certificate]) -> (Check, Check) {
    let trust = cccd::pa::TrustStore::from_certificates(cscas);
    let v = cccd::verify::Verifier::new(&trust, cccd::verify::Policy::counter()).verify_read(result);
    (v.report.chip_authentication, v.report.active_authentication)
}

fn sw(r: &ResponseApdu) -> u16 {
    u16::from(r.sw)
}

/// An image for the applet from the sample record: BAC, RSA-1024 Active Authentication, no Chip
/// Authentication, no EF.CardAccess; and the CSCA certificate.
fn applet_image() -> (ChipImage, x509_cert::Certificate) {
    use cccd::crypto::ec::NamedCurve;
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
    let face = FaceImage { data: jpeg, image_type: cccd::lds::dg2::facial::ImageDataType::Jpeg, width, height };
    let mut keys = ChipKeys::generate(NamedCurve::P256);
    keys.active_authentication = ActiveAuthenticationKey::generate_rsa(1024).unwrap();
    let image = issue(&common::chip::record(), &face, &keys, &ds.into(), &IssueOptions::jmrtd_applet()).unwrap();
    (image, csca.certificate)
}

fn bac_key(image: &ChipImage) -> BacKey {
    BacKey::from_mrz_information(image.secrets.mrz_information.as_ref().unwrap())
}

fn select_aid() -> CommandApdu {
    CommandApdu::new(0, ins::SELECT, 0x04, 0x0C).with_data(cccd::lds::EMRTD_AID.to_vec())
}

#[test]
fn issued_for_the_applet_personalized_in_the_clear_verified_by_bac_and_locked() {
    let (image, csca) = applet_image();
    // what issuance makes for the applet: BAC only, RSA-1024 Active Authentication, no CA, no EF.CardAccess
    let names: Vec<String> = image.files.keys().map(|f| f.name()).collect();
    assert_eq!(names, ["EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG15"]);
    assert!(image.secrets.can.is_none() && image.secrets.chip_authentication.is_none());
    let profile = JmrtdAppletProfile::new();
    assert_eq!(profile.check(&image), vec![]);

    let mut chip = JmrtdAppletChip::blank();
    let mut steps = Vec::new();
    let report = Personalizer::new(&profile, &image).on_progress(|p| steps.push(p.step)).run(&mut chip).unwrap();
    assert_eq!(report.reader_access.as_ref().map(ToString::to_string).as_deref(), Some("BAC"));
    assert!(!steps.contains(&"read back"), "the reader session is the read-back: {steps:?}");
    assert_eq!(chip.life_cycle(), LifeCycle::Operational);
    assert!(chip.files() == image.files, "the chip holds exactly the image's files");
    assert!(chip.mrz_information() == image.secrets.mrz_information.as_ref());
    assert!(chip.active_authentication_modulus().is_some());
    assert!(!chip.has_chip_authentication_key());

    // a verifier reads it with BAC: SFI refused and found, Le stepped down to 223, AA RSA-1024/SHA-1
    let mut reader = Reader::bac(bac_key(&image));
    let result = reader.read(&mut chip).unwrap();
    assert!(result.files == image.files, "every file byte-identical");
    assert_eq!(reader.sfi_reads(), Some(false));
    assert_eq!(reader.max_short_read(), 223);
    assert!(!result.extended_length);
    assert_eq!(reader.bytes_read(), image.files.values().map(Vec::len).sum::<usize>(), "nothing read twice");
    let pa =
        cccd::pa::verify_with_trust(&result.files[&LdsFile::Sod], &result.files, None, std::slice::from_ref(&csca))
            .unwrap();
    assert!(pa.hashes_match() && pa.first_failure().is_none(), "{pa:?}");
    let (ca, aa) = counted(&result, &[csca]);
    assert_eq!(aa, Check::Passed);
    assert!(matches!(ca, Check::NotChecked(_)));
    eprintln!("JMRTD applet read: {} APDUs", reader.apdu_count());

    // locked: personalization commands refused; a second run only checks
    chip.reset().unwrap();
    chip.transmit(&select_aid()).unwrap();
    let create = CommandApdu::new(0, ins::CREATE_FILE, 0, 0).with_data(vec![0x63, 4, 0, 16, 0x01, 0x0E]);
    assert_eq!(sw(&chip.transmit(&create).unwrap()), 0x6985);
    assert_eq!(sw(&chip.transmit(&CommandApdu::new(0, ins::PUT_DATA, 0xDE, 0xAD)).unwrap()), 0x6985);
    chip.reset().unwrap();
    let again = Personalizer::new(&profile, &image).run(&mut chip).unwrap();
    assert!(again.already_locked && again.bytes_written == 0);
    // the same chip, issued directly, reads the same
    let mut issued = JmrtdAppletChip::issued(&image).unwrap();
    assert!(Reader::bac(bac_key(&image)).read(&mut issued).unwrap().files == image.files);
}

#[test]
fn an_image_the_applet_cannot_hold_is_refused_before_the_first_write_with_every_reason() {
    struct Counting<'a>(&'a mut JmrtdAppletChip, usize);
    impl Transport for Counting<'_> {
        fn transmit(&mut self, c: &CommandApdu) -> Result<ResponseApdu, TransportError> {
            self.1 += 1;
            self.0.transmit(c)
        }
        fn reset(&mut self) -> Result<(), TransportError> {
            self.0.reset()
        }
    }
    // the CCCD image: PACE (AES) in EF.CardAccess and a CAN, DG3, CA-ECDH-AES in DG14, an ECDSA AA key
    let (mut image, _) = common::chip::cccd_image_signed();
    image.files.insert(LdsFile::dg(16).unwrap(), vec![0x70, 0x00]);
    image.files.insert(LdsFile::dg(5).unwrap(), vec![0x65; 0x8000]);
    let mut chip = JmrtdAppletChip::blank();
    let mut t = Counting(&mut chip, 0);
    let err = Personalizer::new(&JmrtdAppletProfile::new(), &image).run(&mut t).unwrap_err();
    assert_eq!(t.1, 0, "not one APDU sent");
    let PersoError::Unsupported { reasons, .. } = &err else { panic!("expected Unsupported, got {err:?}") };
    let dg = |n| LdsFile::dg(n).unwrap();
    for expected in [
        Unsupported::Pace,
        Unsupported::AesSecureMessaging,
        Unsupported::ChipAuthentication,
        Unsupported::EcdsaActiveAuthentication,
        Unsupported::NotWritableInTheClear(dg(3)),
        Unsupported::File(dg(16)),
        Unsupported::FileTooLarge { file: dg(5), size: 0x8000, max: 0x7FFF },
    ] {
        assert!(reasons.contains(&expected), "{expected:?} missing from {reasons:?}");
    }
    assert_eq!(reasons.len(), 7, "{reasons:?}");
    let message = err.to_string();
    for word in ["PACE", "AES", "Chip Authentication", "ECDSA", "DG3", "DG16", "DG5 of 32768 bytes"] {
        assert!(message.contains(word), "{word} not in: {message}");
    }
    assert!(chip.files().is_empty() && chip.life_cycle() == LifeCycle::Personalization);

    // an RSA-2048 Active Authentication key, no MRZ information
    let (mut image, _) = applet_image();
    image.secrets.active_authentication = Some(ActiveAuthenticationKey::generate_rsa(2048).unwrap());
    image.secrets.mrz_information = None;
    assert_eq!(
        JmrtdAppletProfile::new().check(&image),
        vec![Unsupported::RsaActiveAuthenticationSize { bits: 2048, supported: 1024 }, Unsupported::NoBacKey]
    );
}

#[test]
fn the_applet_answers_as_the_document_says() {
    let mut chip = JmrtdAppletChip::blank();
    let t = |chip: &mut JmrtdAppletChip, c: CommandApdu| sw(&chip.transmit(&c).unwrap());
    let create = |size: u16, fid: u16| {
        let mut d = vec![0x63, 0x04];
        d.extend(size.to_be_bytes());
        d.extend(fid.to_be_bytes());
        CommandApdu::new(0, ins::CREATE_FILE, 0, 0).with_data(d)
    };
    let select = |fid: u16| CommandApdu::new(0, ins::SELECT, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec());
    // before SELECT by AID, anything else is 6986; a partial AID selects
    assert_eq!(t(&mut chip, select(0x011C)), 0x6986);
    let partial = CommandApdu::new(0, ins::SELECT, 0x04, 0x0C).with_data(vec![0xA0, 0x00, 0x00, 0x02, 0x47]);
    let r = chip.transmit(&partial).unwrap();
    assert_eq!((sw(&r), r.data.len()), (0x9000, 0), "no FCI");
    // CREATE FILE: its checks, in the document's order
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::CREATE_FILE, 0, 0).with_data(vec![0x63, 4, 0, 1])), 0x6700);
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::CREATE_FILE, 0, 0).with_data(vec![0x62, 4, 0, 1, 1, 1])), 0x6984);
    assert_eq!(t(&mut chip, create(16, 0x0110)), 0x6F00, "DG16 has no file object");
    assert_eq!(t(&mut chip, create(16, 0x0103)), 0x6982, "DG3 needs Terminal Authentication");
    assert_eq!(t(&mut chip, create(0x8000, 0x0101)), 0x6F00, "a negative size");
    assert_eq!(t(&mut chip, create(16, 0x0101)), 0x9000);
    assert_eq!(t(&mut chip, create(17, 0x0101)), 0x6A84, "larger than the first size");
    assert_eq!(t(&mut chip, create(8, 0x0101)), 0x9000, "smaller: kept");
    assert_eq!(t(&mut chip, select(0x0102)), 0x6A82);
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::UPDATE_BINARY, 0, 0).with_data(vec![1])), 0x6985, "none selected");
    assert_eq!(t(&mut chip, select(0x0101)), 0x9000);
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::UPDATE_BINARY, 0, 4).with_data(vec![1; 5])), 0x6A84);
    assert_eq!(
        t(&mut chip, CommandApdu::new(0, ins::UPDATE_BINARY, 0, 0).with_data(b"\x61\x06ABCDEF".to_vec())),
        0x9000
    );
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::UPDATE_BINARY, 0, 0).with_data(vec![0; 300])), 0x6700, "extended");
    // PUT DATA: the ICAO worked example's BAC seed, check digits computed by the chip
    let seed = JmrtdAppletProfile::bac_seed_command("L898902C<369080619406236").unwrap();
    assert_eq!(
        hex::encode_upper(seed.to_bytes().unwrap()),
        "00DA00621D621B04094C383938393032433C04063639303830360406393430363233"
    );
    assert_eq!(t(&mut chip, seed), 0x9000);
    assert_eq!(chip.mrz_information().map(|m| m.as_str()), Some("L898902C<369080619406236"));
    let bad_seed =
        CommandApdu::new(0, ins::PUT_DATA, 0, 0x62).with_data(b"\x62\x0B\x04\x01#\x04\x02AB\x04\x02CD".to_vec());
    assert_eq!(t(&mut chip, bad_seed), 0x6D04);
    // the AA modulus: outer length 00 works, JMRTD's own nested encoding does not
    let nested = [&[0x60, 0x81, 0x84, 0x04, 0x81, 0x81, 0x00][..], &[0xC5; 128]].concat();
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::PUT_DATA, 0, 0x60).with_data(nested)), 0x6F00);
    // the CVCA body once; an unknown P1P2
    let body = [&[0x7F, 0x4E, 0x03][..], &[0x5F, 0x29, 0x00]].concat();
    assert_eq!(t(&mut chip, JmrtdAppletProfile::cvca_command(1, &body)), 0x9000);
    assert_eq!(t(&mut chip, JmrtdAppletProfile::cvca_command(2, &body)), 0x6985);
    assert_eq!(chip.cvca_bodies(), [body]);
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::PUT_DATA, 0, 0x99).with_data(vec![1])), 0x6A86);

    // BAC: Le must be 08, one BAC per reset
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::GET_CHALLENGE, 0, 0).with_le(256)), 0x6700);
    let key = BacKey::from_mrz_information("L898902C<369080619406236");
    let mut channel = bac::authenticate(&mut chip, key.clone(), &mut rand::rng()).unwrap();
    // a wrong MAC: a protected 6985, and the session goes on
    let mut sm = channel.session().clone();
    let read = CommandApdu::new(0, ins::READ_BINARY, 0, 0).with_le(8);
    let mut bad = sm.wrap(&read).unwrap();
    *bad.data.last_mut().unwrap() ^= 1;
    let r = channel.transport_mut().transmit(&bad).unwrap();
    assert_eq!(sm.unwrap(&r).unwrap().sw, StatusWord::ConditionsNotSatisfied);
    channel.set_session(sm);
    let r = channel.transmit(&read).unwrap();
    assert_eq!((r.sw, r.data.as_slice()), (StatusWord::Success, &b"\x61\x06ABCDEF"[..]), "the session went on");
    // Le = 00 gives nothing, an SFI read 6985, at most 223 bytes, UPDATE BINARY under SM 0001
    assert!(channel.transmit(&CommandApdu::new(0, ins::READ_BINARY, 0, 0).with_le(256)).unwrap().data.is_empty());
    assert_eq!(
        u16::from(channel.transmit(&CommandApdu::new(0, ins::READ_BINARY, 0x81, 0).with_le(4)).unwrap().sw),
        0x6985
    );
    let r = channel.transmit(&CommandApdu::new(0, ins::READ_BINARY, 0, 8).with_le(4)).unwrap();
    assert!(r.sw.is_success() && r.data.is_empty(), "at the end of the file");
    let write = CommandApdu::new(0, ins::UPDATE_BINARY, 0, 0).with_data(vec![1]);
    assert_eq!(u16::from(channel.transmit(&write).unwrap().sw), 0x0001);
    // plain commands inside the session: READ BINARY answers nothing, the session stays
    let r = channel.transport_mut().transmit(&read).unwrap();
    assert_eq!((sw(&r), r.data.len()), (0x9000, 0));
    assert_eq!(channel.transmit(&read).unwrap().data.len(), 8);
    drop(channel);
    assert!(bac::authenticate(&mut chip, key.clone(), &mut rand::rng()).is_err(), "a second BAC without reset");

    // LOCK; then, after a reset, SELECT FILE needs BAC and Active Authentication needs both key parts
    assert_eq!(t(&mut chip, CommandApdu::new(0, ins::PUT_DATA, 0xDE, 0xAD)), 0x9000);
    chip.reset().unwrap();
    assert_eq!(t(&mut chip, select_aid()), 0x9000);
    assert_eq!(t(&mut chip, select(0x0101)), 0x6982);
    let mut channel = bac::authenticate(&mut chip, key, &mut rand::rng()).unwrap();
    let aa = CommandApdu::new(0, ins::INTERNAL_AUTHENTICATE, 0, 0).with_data(vec![1; 8]).with_le(256);
    assert_eq!(u16::from(channel.transmit(&aa).unwrap().sw), 0x6982, "no AA key");
    assert_eq!(
        u16::from(channel.transmit(&CommandApdu::new(0, ins::PUT_DATA, 0, 0x62).with_data(vec![0])).unwrap().sw),
        0x6985
    );
}

#[test]
fn active_authentication_signs_with_m1_all_zero() {
    use cccd::crypto::public_key::PublicKey;
    let (image, _) = applet_image();
    let mut chip = JmrtdAppletChip::issued(&image).unwrap();
    chip.transmit(&select_aid()).unwrap();
    let mut channel = bac::authenticate(&mut chip, bac_key(&image), &mut rand::rng()).unwrap();
    let challenge = [7u8; 8];
    let aa = CommandApdu::new(0, ins::INTERNAL_AUTHENTICATE, 0, 0).with_data(challenge.to_vec()).with_le(256);
    let signature = channel.transmit(&aa).unwrap().data;
    assert_eq!(signature.len(), 128);
    let dg15 = cccd::lds::dg15::Dg15::decode(&image.files[&LdsFile::dg(15).unwrap()]).unwrap();
    let PublicKey::Rsa { modulus, exponent } = &dg15.public_key else { panic!() };
    let m1 = cccd::crypto::signature::verify_iso9796_2(modulus, exponent, &challenge, &signature).unwrap();
    assert_eq!(m1, vec![0u8; 106]);
    // in the clear too (plain commands are answered inside the session)
    let r = channel.transport_mut().transmit(&aa).unwrap();
    assert!(cccd::crypto::signature::verify_iso9796_2(modulus, exponent, &challenge, &r.data).is_ok());
}

#[test]
fn a_pulled_card_and_a_torn_write_on_the_applet_resume_to_a_correct_locked_chip() {
    let (image, _) = applet_image();
    let profile = JmrtdAppletProfile::new();
    let full = Personalizer::new(&profile, &image).run(&mut JmrtdAppletChip::blank()).unwrap().apdus;
    for n in (0..full).step_by(2) {
        let mut chip = JmrtdAppletChip::blank();
        chip.set_faults(Faults { drop_after: Some(n), ..Faults::default() });
        assert!(matches!(Personalizer::new(&profile, &image).run(&mut chip), Err(PersoError::Transport(_))), "{n}");
        if chip.life_cycle() == LifeCycle::Operational {
            assert!(chip.files() == image.files, "APDU {n}: locked with wrong data");
        }
        chip.reset().unwrap();
        Personalizer::new(&profile, &image).run(&mut chip).unwrap_or_else(|e| panic!("resume after APDU {n}: {e}"));
        assert!(chip.life_cycle() == LifeCycle::Operational && chip.files() == image.files, "APDU {n}");
    }
    for w in [0, 3, 20, 60] {
        let mut chip = JmrtdAppletChip::blank();
        chip.set_faults(Faults { tear: Some((w, 7)), ..Faults::default() });
        assert!(Personalizer::new(&profile, &image).run(&mut chip).is_err(), "write {w}");
        assert_eq!(chip.life_cycle(), LifeCycle::Personalization, "locked after a torn write");
        chip.reset().unwrap();
        Personalizer::new(&profile, &image).run(&mut chip).unwrap();
        assert!(chip.files() == image.files, "write {w}");
    }
    // a CVCA set by an interrupted run is not refused as an error on the next
    let profile = JmrtdAppletProfile::new().with_cvca(1, vec![0x7F, 0x4E, 0x03, 0x5F, 0x29, 0x00]);
    let mut chip = JmrtdAppletChip::blank();
    chip.set_faults(Faults { drop_after: Some(full), ..Faults::default() });
    assert!(Personalizer::new(&profile, &image).run(&mut chip).is_err());
    chip.reset().unwrap();
    Personalizer::new(&profile, &image).run(&mut chip).unwrap();
    assert_eq!(chip.cvca_bodies().len(), 1);
}

#[test]
fn the_reader_copes_with_chips_that_refuse_sfi_answer_nothing_for_le_00_and_return_less() {
    // the CCCD chip (PACE-CAM-less GM, CA, AA) behaving like the applet: a genuine chip, not a clone
    let (image, csca) = common::chip::cccd_image_signed();
    let csca = x509_cert::Certificate::load_pem_chain(csca.as_bytes()).unwrap();
    let total: usize = image.files.iter().filter(|(f, _)| f.dg_number() != Some(3)).map(|(_, b)| b.len()).sum();
    for (config, max) in [
        (ChipConfig::short_only().like_jmrtd(223), 223),
        (ChipConfig::short_only().without_atr_info().like_jmrtd(200), 200),
        (ChipConfig::default().without_atr_info().like_jmrtd(65_536), 223),
    ] {
        let mut chip = VirtualChip::new(image.clone(), config);
        let can = cccd::access::pace::PacePassword::Can(image.secrets.can.clone().unwrap());
        let mut reader = Reader::pace(can);
        let result = reader.read(&mut chip).unwrap_or_else(|e| panic!("{config:?}: {e}"));
        for (f, b) in &image.files {
            if f.dg_number() != Some(3) {
                assert!(result.files.get(f) == Some(b), "{config:?}: {}", f.name());
            }
        }
        assert_eq!(reader.sfi_reads(), Some(false), "{config:?}");
        assert_eq!(reader.bytes_read(), total, "{config:?}: nothing read twice");
        if !config.extended_length {
            assert_eq!(reader.max_short_read(), max, "{config:?}");
        }
        assert_eq!(counted(&result, &csca), (Check::Passed, Check::Passed), "{config:?}");
        assert_eq!(result.protected, vec![LdsFile::dg(3).unwrap()]);
    }
}
