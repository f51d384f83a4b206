//! The virtual chip and the reader, in process: a CCCD-sized image is read back byte for byte, with and without
//! extended length, and survives a card pulled at every APDU of the read.
mod common;

use cccd::access::bac::BacKey;
use cccd::apdu::{CommandApdu, StatusWord};
use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::image::{ActiveAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage};
use cccd::lds::LdsFile;
use cccd::reader::{ReadError, Reader};
use cccd::transport::{PullCard, Recording, Transport, TransportError};
use common::chip::{cccd_image, record};

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

fn key() -> BacKey {
    BacKey::from_mrz_information(&record().mrz_information().unwrap())
}

fn expected_image_files(image: &ChipImage) -> std::collections::BTreeMap<LdsFile, Vec<u8>> {
    expected(image)
}

fn expected(image: &ChipImage) -> std::collections::BTreeMap<LdsFile, Vec<u8>> {
    let mut files = image.files.clone();
    files.remove(&LdsFile::dg(3).unwrap());
    files
}

/// Compares file sets without printing their (personal) bytes.
fn assert_same(
    got: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
    want: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
) {
    let names = |m: &std::collections::BTreeMap<LdsFile, Vec<u8>>| m.keys().map(|k| k.name()).collect::<Vec<_>>();
    assert_eq!(names(got), names(want));
    for (k, v) in want {
        assert!(got[k] == *v, "{} differs", k.name());
    }
}

#[test]
fn reads_every_file_byte_identical_with_and_without_extended_length() {
    let image = cccd_image();
    let mut counts = Vec::new();
    for (config, short) in
        [(ChipConfig::default(), false), (ChipConfig::short_only(), false), (ChipConfig::default(), true)]
    {
        let mut chip = Recording::new(VirtualChip::new(image.clone(), config));
        let mut reader = Reader::bac(key());
        if short {
            reader = reader.short_reads();
        }
        let result = reader.read(&mut chip).unwrap();
        assert_same(&result.files, &expected(&image));
        assert_eq!(result.protected, vec![LdsFile::dg(3).unwrap()]);
        assert_eq!(result.access.to_string(), "BAC");
        assert_eq!(result.extended_length, config.extended_length && !short);
        assert_eq!(reader.apdu_count(), chip.exchanges().len());
        counts.push(reader.apdu_count());
    }
    let total: usize = image.files.values().map(Vec::len).sum();
    eprintln!(
        "CCCD image of {total} bytes: {} APDUs with extended length, {} short (chip without), {} short (reader forced)",
        counts[0], counts[1], counts[2]
    );
    // extended length reads the 20 KB face in one READ BINARY
    assert!(counts[0] < 25, "{counts:?}");
    assert!(counts[1] > counts[0] + 80, "{counts:?}");
}

#[test]
fn a_wrong_mrz_is_refused_and_nothing_is_read_before_access_control() {
    let mut chip = VirtualChip::new(cccd_image(), ChipConfig::default());
    let wrong = BacKey::from_document("000000000", "990115", "390115").unwrap();
    match Reader::bac(wrong).read(&mut chip) {
        Err(ReadError::Access(e)) => assert_eq!(e.chip_status(), StatusWord::VerificationFailed),
        other => panic!("expected an access error, got {other:?}"),
    }
    chip.reset().unwrap();
    let select = CommandApdu::new(0, 0xA4, 0x04, 0x0C).with_data(cccd::lds::EMRTD_AID.to_vec());
    assert_eq!(chip.transmit(&select).unwrap().sw, StatusWord::Success);
    let read_dg1 = CommandApdu::new(0, 0xB0, 0x81, 0x00).with_le(4);
    assert_eq!(chip.transmit(&read_dg1).unwrap().sw, StatusWord::SecurityStatusNotSatisfied);
    // EF.CardAccess is readable in the clear, by FID, without selecting the MF
    chip.reset().unwrap();
    let sel = CommandApdu::new(0, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x1C]);
    assert_eq!(chip.transmit(&sel).unwrap().sw, StatusWord::Success);
    let r = chip.transmit(&CommandApdu::new(0, 0xB0, 0, 0).with_le(256)).unwrap();
    assert_eq!(r.data, cccd_image().files[&LdsFile::CardAccess]);
}

#[test]
fn a_tampered_mac_ends_the_session() {
    let mut chip = VirtualChip::new(cccd_image(), ChipConfig::default());
    let select = CommandApdu::new(0, 0xA4, 0x04, 0x0C).with_data(cccd::lds::EMRTD_AID.to_vec());
    chip.transmit(&select).unwrap();
    let mut channel = cccd::access::bac::authenticate(&mut chip, key(), &mut rand::rng()).unwrap();
    let read = CommandApdu::new(0, 0xB0, 0x81, 0x00).with_le(8);
    assert_eq!(channel.transmit(&read).unwrap().sw, StatusWord::Success);
    let mut sm = channel.session().clone();
    let mut protected = sm.wrap(&read).unwrap();
    let last = protected.data.len() - 1;
    protected.data[last] ^= 0x01;
    let chip = channel.transport_mut();
    assert_eq!(chip.transmit(&protected).unwrap().sw, StatusWord::from(0x6988));
    assert!(!chip.is_authenticated());
    // the next protected command is refused too: the session is gone
    let again = sm.wrap(&read).unwrap();
    assert_eq!(chip.transmit(&again).unwrap().sw, StatusWord::from(0x6988));
}

#[test]
fn a_card_pulled_at_any_apdu_resumes_to_identical_bytes_reading_nothing_twice() {
    let image = cccd_image();
    let want = expected(&image);
    let file_bytes: usize = want.values().map(Vec::len).sum();
    // the last chip makes the reader probe extended length (EF.CardAccess read twice, the second time short)
    for config in [ChipConfig::default(), ChipConfig::short_only(), ChipConfig::short_only().without_atr_info()] {
        let full = {
            let mut chip = VirtualChip::new(image.clone(), config);
            let mut r = Reader::bac(key());
            r.read(&mut chip).unwrap();
            r.apdu_count()
        };
        for at in 0..full {
            let mut card = PullCard::new(VirtualChip::new(image.clone(), config), at);
            let mut reader = Reader::bac(key());
            match reader.read(&mut card) {
                Err(ReadError::Transport(TransportError::CardRemoved)) => {}
                other => panic!("APDU {at}: expected the pulled card, got {other:?}"),
            }
            assert!(card.pulled());
            let result = reader.read(&mut card).unwrap_or_else(|e| panic!("resume after APDU {at}: {e}"));
            assert_same(&result.files, &want);
            assert_eq!(reader.bytes_read(), file_bytes, "bytes read twice after APDU {at}");
        }
    }
}

#[test]
fn chip_image_folders_round_trip() {
    let image = cccd_image();
    let dir = std::env::temp_dir().join(format!("cccd-chip-{}", std::process::id()));
    image.save_dir(&dir).unwrap();
    assert!(dir.join("DG13.bin").is_file() && dir.join("EF.SOD.bin").is_file() && dir.join("manifest.json").is_file());
    let loaded = ChipImage::load_dir(&dir).unwrap();
    assert_eq!(loaded, image);
    assert!(!format!("{loaded:?}").contains(&*record().mrz_information().unwrap()));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(ChipImage::load_dir(&dir).is_err());
}

#[test]
fn files_beyond_32767_bytes_are_read_with_the_odd_instruction() {
    use cccd::lds::dg2::Dg2;
    use cccd::lds::dg2::facial::ImageDataType;
    let mut image = cccd_image();
    let big: Vec<u8> = (0..40_000u32).map(|i| (i % 253) as u8).collect();
    image.files.insert(LdsFile::dg(2).unwrap(), Dg2::from_image(big, ImageDataType::Jpeg, 480, 640).encode().unwrap());
    for config in [ChipConfig::default(), ChipConfig::short_only()] {
        let mut chip = Recording::new(VirtualChip::new(image.clone(), config));
        let mut reader = Reader::bac(key());
        let result = reader.read(&mut chip).unwrap();
        assert_same(&result.files, &expected(&image));
        if !config.extended_length {
            // protected READ BINARY commands keep their INS in the header: B1 for offsets above 32767
            assert!(chip.exchanges().iter().any(|e| e.command.ins == 0xB1), "no odd-INS read");
        }
    }
}

/// Without EF.ATR/INFO the reader finds out by trying: an extended read of EF.CardAccess in the clear, or (no
/// EF.CardAccess either) the first long read under secure messaging, recovering from `6700` with a new session.
#[test]
fn extended_length_is_found_by_trying_when_ef_atr_info_is_absent() {
    let with_card_access = cccd_image();
    let mut without_card_access = cccd_image();
    without_card_access.files.remove(&LdsFile::CardAccess);
    for image in [with_card_access, without_card_access] {
        let has_card_access = image.files.contains_key(&LdsFile::CardAccess);
        let mut counts = Vec::new();
        for config in [ChipConfig::default(), ChipConfig::short_only()] {
            let mut known = Recording::new(VirtualChip::new(image.clone(), config));
            let mut reader = Reader::bac(key());
            reader.read(&mut known).unwrap();
            let baseline = reader.apdu_count();

            let mut chip = Recording::new(VirtualChip::new(image.clone(), config.without_atr_info()));
            let mut reader = Reader::bac(key());
            let result = reader.read(&mut chip).unwrap();
            assert_same(&result.files, &expected(&image));
            assert_eq!(result.extended_length, config.extended_length);
            let refused = chip
                .exchanges()
                .iter()
                .filter(|e| e.response.as_ref().is_ok_and(|r| r.sw == StatusWord::WrongLength))
                .count();
            assert_eq!(refused, usize::from(!config.extended_length), "one refused probe at most");
            counts.push((baseline, reader.apdu_count()));
            // the probe costs at most a re-read of EF.CardAccess, or a second access control
            let extra = reader.apdu_count() as isize - baseline as isize;
            let bound = match (config.extended_length, has_card_access) {
                (true, _) => 0,
                (false, true) => 1,
                (false, false) => 6,
            };
            assert!(extra <= bound, "{extra} extra APDUs (bound {bound})");
        }
        eprintln!("EF.CardAccess {has_card_access}: (with EF.ATR/INFO, without) APDUs: {counts:?}");
    }
}

/// The chip's private keys survive a save and a load (PKCS#8 files, owner-only), and never show in `Debug`.
#[test]
fn chip_private_keys_round_trip_through_the_image_folder() {
    use cccd::crypto::ec::NamedCurve;
    use cccd::image::ChipAuthenticationKey;
    use cccd::pki::SoftwareKey;
    let mut image = cccd_image();
    let ca = SoftwareKey::generate(NamedCurve::BrainpoolP256r1);
    let aa = SoftwareKey::generate(NamedCurve::P256);
    image.secrets.chip_authentication =
        Some(ChipAuthenticationKey { key_id: Some(7), key: ChipAuthenticationPrivateKey::Ecdh(ca.clone()) });
    image.secrets.active_authentication = Some(ActiveAuthenticationKey::Ecdsa(aa.clone()));
    let dir = std::env::temp_dir().join(format!("cccd-keys-{}", std::process::id()));
    image.save_dir(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("secrets/chip_authentication.pk8")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "key readable by others: {mode:o}");
    }
    let back = ChipImage::load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(back == image);
    let ca_back = back.secrets.chip_authentication.as_ref().unwrap();
    assert_eq!(ca_back.key_id, Some(7));
    assert!(ca_back.key == ChipAuthenticationPrivateKey::Ecdh(ca.clone()));
    assert!(back.secrets.active_authentication == Some(ActiveAuthenticationKey::Ecdsa(aa)));
    let debug = format!("{back:?}");
    let der = hex::encode(ca.to_pkcs8_der().unwrap().as_slice());
    assert!(!debug.contains(&der[der.len() - 40..]), "key material in Debug");
    assert!(debug.contains("brainpoolP256r1"));
}

fn can() -> cccd::access::pace::PacePassword {
    cccd::access::pace::PacePassword::Can(record().can().unwrap())
}

/// The CCCD is read with PACE and its CAN: the same bytes as with BAC, the run named; PACE then BAC falls back
/// only when PACE cannot run, and says so; a wrong CAN is a typed error.
#[test]
fn reads_with_pace_and_the_can() {
    use cccd::access::AccessError;
    use cccd::access::pace::PacePassword;
    use cccd::reader::{Access, AccessControl};
    let image = cccd_image();
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
    let mut reader = Reader::pace(can());
    let result = reader.read(&mut chip).unwrap();
    assert_same(&result.files, &expected(&image));
    assert_eq!(result.access.to_string(), "PACE-GM-ECDH-AES128 (brainpoolP256r1)");
    eprintln!("PACE read: {} APDUs", reader.apdu_count());

    let mrz = PacePassword::Mrz(record().mrz_information().unwrap());
    let result = Reader::pace(mrz.clone()).read(&mut VirtualChip::new(image.clone(), ChipConfig::default())).unwrap();
    assert_eq!(result.access.to_string(), "PACE-GM-ECDH-AES128 (brainpoolP256r1)");

    // a chip without EF.CardAccess: PACE only fails, PACE then BAC says why BAC ran (PACE not offered)
    let mut bac_only = image.clone();
    bac_only.files.remove(&LdsFile::CardAccess);
    let mut chip = VirtualChip::new(bac_only.clone(), ChipConfig::default());
    assert!(matches!(Reader::pace(can()).read(&mut chip), Err(ReadError::Access(AccessError::Unsupported(_)))));
    let result = Reader::new(AccessControl::PaceThenBac(mrz, key())).read(&mut chip).unwrap();
    assert!(matches!(result.access, Access::BacAfterPace { pace_offered: false, .. }), "{:?}", result.access);
    assert!(result.access.to_string().starts_with("BAC (PACE not offered: "), "{}", result.access);
    assert_same(&result.files, &expected(&bac_only));

    // a wrong CAN
    let wrong = PacePassword::Can(zeroize::Zeroizing::new("000000".into()));
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
    match Reader::pace(wrong).read(&mut chip) {
        Err(ReadError::Access(AccessError::PasswordRejected { retries_left: Some(2) })) => {}
        other => panic!("expected a refused CAN, got {other:?}"),
    }
}

#[test]
fn a_card_pulled_at_any_apdu_of_a_pace_read_resumes_to_identical_bytes() {
    let image = cccd_image();
    let want = expected(&image);
    let full = {
        let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
        let mut r = Reader::pace(can());
        r.read(&mut chip).unwrap();
        r.apdu_count()
    };
    for at in 0..full {
        let mut card = PullCard::new(VirtualChip::new(image.clone(), ChipConfig::default()), at);
        let mut reader = Reader::pace(can());
        assert!(matches!(reader.read(&mut card), Err(ReadError::Transport(TransportError::CardRemoved))), "{at}");
        let result = reader.read(&mut card).unwrap_or_else(|e| panic!("resume after APDU {at}: {e}"));
        assert_same(&result.files, &want);
    }
}

/// Chip and Active Authentication: a genuine chip passes both (after BAC and after PACE, CA with AES and with
/// 3DES); a chip whose private keys are not those of DG14/DG15 (a clone) fails both; neither counts unless
/// Passive Authentication vouches for DG14 and DG15.
#[test]
fn chip_and_active_authentication_catch_a_clone() {
    use cccd::crypto::ec::NamedCurve;
    use cccd::lds::security_infos::{ChipAuthenticationInfo, Dg14, SecurityInfo, SecurityInfoKind, SecurityInfos};
    use cccd::oid::{CaProtocol, KeyAgreement, SmCipher};
    use cccd::pa::Check;
    use cccd::pki::SoftwareKey;

    let (image, csca_pem) = common::chip::cccd_image_signed();
    let csca = x509_cert::Certificate::load_pem_chain(csca_pem.as_bytes()).unwrap();
    for pace in [false, true] {
        let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
        let mut reader = if pace { Reader::pace(can()) } else { Reader::bac(key()) };
        let result = reader.read(&mut chip).unwrap();
        assert_eq!(result.chip_authentication, Check::Passed, "pace {pace}");
        assert_eq!(result.active_authentication, Check::Passed, "pace {pace}");
        let pa = cccd::pa::verify_with_trust(&result.files[&LdsFile::Sod], &result.files, None, &csca).unwrap();
        assert!(pa_ok(&pa));
        assert_eq!(counted(&result, &csca), (Check::Passed, Check::Passed));
        // without the trust anchor, a passing chip check is not a verdict on the document
        assert!(matches!(counted(&result, &[]).0, Check::NotChecked(_)));
    }

    // a clone: the files copied, other private keys
    let mut clone = image.clone();
    clone.secrets.chip_authentication.as_mut().unwrap().key =
        ChipAuthenticationPrivateKey::Ecdh(SoftwareKey::generate(NamedCurve::BrainpoolP256r1));
    clone.secrets.active_authentication =
        Some(ActiveAuthenticationKey::Ecdsa(SoftwareKey::generate(NamedCurve::BrainpoolP256r1)));
    let result = Reader::pace(can()).read(&mut VirtualChip::new(clone, ChipConfig::default())).unwrap();
    assert!(matches!(result.chip_authentication, Check::Failed(_)), "{:?}", result.chip_authentication);
    assert!(matches!(result.active_authentication, Check::Failed(_)), "{:?}", result.active_authentication);

    // Chip Authentication with 3DES (MSE:Set KAT), key id 5
    let mut des = image.clone();
    let ca_key = des.secrets.chip_authentication.as_ref().unwrap().key.clone();
    let infos = vec![
        SecurityInfo::new(SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo {
            protocol: CaProtocol { key_agreement: KeyAgreement::Ecdh, cipher: SmCipher::TripleDes },
            version: 1,
            key_id: Some(5),
        }))
        .unwrap(),
        SecurityInfo::chip_authentication_public_key(&ca_key.public_key().unwrap(), Some(5)).unwrap(),
    ];
    des.files.insert(LdsFile::dg(14).unwrap(), Dg14 { infos: SecurityInfos::new(infos) }.encode());
    let result = Reader::bac(key()).read(&mut VirtualChip::new(des, ChipConfig::default())).unwrap();
    assert_eq!(result.chip_authentication, Check::Passed);
}

/// PACE-CAM: a chip whose EF.CardAccess offers Generic Mapping and Chip Authentication Mapping is read with
/// CAM, which proves the DG14 key without a separate Chip Authentication; a clone's proof fails.
#[test]
fn pace_cam_proves_the_chip_authentication_key_and_catches_a_clone() {
    use cccd::crypto::ec::NamedCurve;
    use cccd::lds::security_infos::{CardAccess, PaceInfo, SecurityInfo, SecurityInfoKind, SecurityInfos};
    use cccd::oid::{KeyAgreement, PaceMapping, PaceProtocol, SmCipher};
    use cccd::pa::Check;
    use cccd::pki::SoftwareKey;

    let (mut image, csca_pem) = common::chip::cccd_image_signed();
    let mut infos: Vec<SecurityInfo> = CardAccess::cccd().infos.infos().to_vec();
    let cam = PaceProtocol {
        key_agreement: KeyAgreement::Ecdh,
        mapping: PaceMapping::ChipAuthentication,
        cipher: SmCipher::Aes256,
    };
    infos.push(
        SecurityInfo::new(SecurityInfoKind::Pace(PaceInfo { protocol: cam, version: 2, parameter_id: Some(13) }))
            .unwrap(),
    );
    image.files.insert(LdsFile::CardAccess, CardAccess { infos: SecurityInfos::new(infos) }.encode());
    let csca = x509_cert::Certificate::load_pem_chain(csca_pem.as_bytes()).unwrap();

    let mut chip = Recording::new(VirtualChip::new(image.clone(), ChipConfig::default()));
    let result = Reader::pace(can()).read(&mut chip).unwrap();
    assert_eq!(result.access.to_string(), "PACE-CAM-ECDH-AES256 (brainpoolP256r1)");
    assert_eq!(result.chip_authentication, Check::Passed);
    assert_eq!(result.active_authentication, Check::Passed);
    // no MSE:Set AT for Chip Authentication after PACE (P1 41): CAM did it
    assert!(
        !chip.exchanges().iter().any(|e| e.command.ins == 0x22 && e.command.p1 == 0x41),
        "a separate Chip Authentication ran"
    );
    let pa = cccd::pa::verify_with_trust(&result.files[&LdsFile::Sod], &result.files, None, &csca).unwrap();
    assert!(pa_ok(&pa));
    assert_eq!(counted(&result, &csca).0, Check::Passed);
    assert_same(&result.files, &expected(&image));

    // a clone: the files copied, another Chip Authentication key
    let mut clone = image.clone();
    clone.secrets.chip_authentication.as_mut().unwrap().key =
        ChipAuthenticationPrivateKey::Ecdh(SoftwareKey::generate(NamedCurve::BrainpoolP256r1));
    let result = Reader::pace(can()).read(&mut VirtualChip::new(clone, ChipConfig::default())).unwrap();
    assert!(result.access.to_string().starts_with("PACE-CAM"), "{}", result.access);
    assert!(matches!(result.chip_authentication, Check::Failed(_)), "{:?}", result.chip_authentication);
}

/// PACE with DH Generic Mapping and with Integrated Mapping (ECDH and DH) between the reader and the virtual
/// chip, as EF.CardAccess offers them.
#[test]
fn pace_dh_and_integrated_mapping_read_the_chip() {
    use cccd::lds::security_infos::{CardAccess, PaceInfo, SecurityInfo, SecurityInfoKind, SecurityInfos};
    use cccd::oid::{KeyAgreement, PaceMapping, PaceProtocol, SmCipher};

    for (key_agreement, mapping, cipher, id, expected_access) in [
        (
            KeyAgreement::Dh,
            PaceMapping::Generic,
            SmCipher::Aes128,
            2,
            "PACE-GM-DH-AES128 (2048-bit MODP (256-bit subgroup))",
        ),
        (KeyAgreement::Ecdh, PaceMapping::Integrated, SmCipher::Aes256, 16, "PACE-IM-ECDH-AES256 (brainpoolP384r1)"),
        (
            KeyAgreement::Dh,
            PaceMapping::Integrated,
            SmCipher::TripleDes,
            1,
            "PACE-IM-DH-3DES (2048-bit MODP (224-bit subgroup))",
        ),
    ] {
        let mut image = cccd_image();
        let protocol = PaceProtocol { key_agreement, mapping, cipher };
        let info = SecurityInfo::new(SecurityInfoKind::Pace(PaceInfo { protocol, version: 2, parameter_id: Some(id) }));
        image.files.insert(LdsFile::CardAccess, CardAccess { infos: SecurityInfos::new(vec![info.unwrap()]) }.encode());
        let result = Reader::pace(can()).read(&mut VirtualChip::new(image.clone(), ChipConfig::default())).unwrap();
        assert_eq!(result.access.to_string(), expected_access);
        assert_same(&result.files, &expected(&image));
    }
}

/// PACE with explicit domain parameters: PACEInfos with chip-specific parameter IDs and their
/// PACEDomainParameterInfos (brainpoolP256r1 spelled out as explicit ECParameters, the 2048-bit MODP group as
/// X9.42 DomainParameters) are read like the standardized ones; parameters of no standardized curve are
/// refused as unsupported, never run or skipped silently.
#[test]
fn pace_with_explicit_domain_parameters() {
    use cccd::access::pace::PaceParameters;
    use cccd::access::{AccessError, Unsupported};
    use cccd::crypto::dh::ModpGroup;
    use cccd::crypto::ec::NamedCurve;
    use cccd::crypto::public_key::{EcDomain, ExplicitCurve, PublicKey};
    use cccd::lds::security_infos::{CardAccess, SecurityInfo};
    use cccd::tlv::{Tag, TlvReader, encode_tlv};

    let seq = |parts: &[Vec<u8>]| encode_tlv(Tag::new(0x30), &parts.concat());
    let int = |v: &[u8]| {
        encode_tlv(
            Tag::new(0x02),
            &[if v.first().is_some_and(|b| *b >= 0x80) { vec![0] } else { vec![] }, v.to_vec()].concat(),
        )
    };
    let oid = |v: &[u8]| encode_tlv(Tag::new(0x06), v);
    let explicit_ec = |curve: NamedCurve| {
        let d = curve.parameters();
        let curve = ExplicitCurve {
            p: d.p,
            a: d.a,
            b: d.b,
            generator: d.generator.clone(),
            order: d.order,
            cofactor: Some(vec![1]),
            seed: None,
        };
        let spki = PublicKey::Ec { domain: EcDomain::Explicit(curve), point: d.generator }.to_spki_der().unwrap();
        let outer = TlvReader::single(&spki, Tag::new(0x30)).unwrap();
        let alg = TlvReader::new(outer.value()).next().unwrap().unwrap();
        encode_tlv(alg.tag(), alg.value())
    };
    let group = ModpGroup::Modp2048_256.domain();
    let dh_alg = seq(&[
        oid(&[0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01]),
        seq(&[int(group.p()), int(group.g()), int(group.q())]),
    ]);
    // id-PACE-ECDH-GM-AES-CBC-CMAC-128 / id-PACE-DH-GM-AES-CBC-CMAC-256, and the id-PACE-*-GM arcs
    let pace_ecdh_gm = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02];
    let pace_dh_gm = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x01];
    let pace_info = |arc: &[u8], cipher: u8, id: u8| seq(&[oid(&[arc, &[cipher]].concat()), int(&[2]), int(&[id])]);
    let domain_info = |arc: &[u8], alg: Vec<u8>, id: u8| seq(&[oid(arc), alg, int(&[id])]);
    let card_access = |infos: Vec<Vec<u8>>| encode_tlv(Tag::new(0x31), &infos.concat());

    for (infos, expected) in [
        (
            vec![
                pace_info(&pace_ecdh_gm, 2, 32),
                domain_info(&pace_ecdh_gm, explicit_ec(NamedCurve::BrainpoolP256r1), 32),
            ],
            "PACE-GM-ECDH-AES128 (brainpoolP256r1)",
        ),
        (
            vec![pace_info(&pace_dh_gm, 4, 33), domain_info(&pace_dh_gm, dh_alg.clone(), 33)],
            "PACE-GM-DH-AES256 (2048-bit MODP (256-bit subgroup))",
        ),
    ] {
        let bytes = card_access(infos);
        let decoded = CardAccess::decode(&bytes).unwrap();
        let params = PaceParameters::from_security_infos(&decoded.infos);
        assert!(params[0].as_ref().is_ok_and(|p| p.parameter_id >= 32), "{params:?}");
        let mut image = cccd_image();
        image.files.insert(LdsFile::CardAccess, bytes);
        let mut chip = Recording::new(VirtualChip::new(image.clone(), ChipConfig::default()));
        let result = Reader::pace(can()).read(&mut chip).unwrap();
        assert_eq!(result.access.to_string(), expected);
        assert_same(&result.files, &expected_image_files(&image));
    }

    // explicit parameters of a curve that is none of the standardized ones (b changed): refused, with a reason
    let mut d = NamedCurve::BrainpoolP256r1.parameters();
    if let Some(last) = d.b.last_mut() {
        *last ^= 1;
    }
    let odd = ExplicitCurve {
        p: d.p,
        a: d.a,
        b: d.b,
        generator: d.generator.clone(),
        order: d.order,
        cofactor: None,
        seed: None,
    };
    let spki = PublicKey::Ec { domain: EcDomain::Explicit(odd), point: d.generator }.to_spki_der().unwrap();
    let outer = TlvReader::single(&spki, Tag::new(0x30)).unwrap();
    let alg = TlvReader::new(outer.value()).next().unwrap().unwrap();
    let bytes = card_access(vec![
        pace_info(&pace_ecdh_gm, 2, 40),
        domain_info(&pace_ecdh_gm, encode_tlv(alg.tag(), alg.value()), 40),
    ]);
    let decoded = CardAccess::decode(&bytes).unwrap();
    let params = PaceParameters::from_security_infos(&decoded.infos);
    assert!(matches!(&params[0], Err(AccessError::Unsupported(Unsupported::ExplicitCurve))), "{params:?}");
    let _ = SecurityInfo::decode;
}

/// A chip that signs Active Authentication with RSA (ISO/IEC 9796-2 scheme 1, SHA-1): the virtual chip signs,
/// the reader verifies with DG15's RSA key; another RSA key (a clone) fails; the key survives a save and load.
#[test]
fn rsa_active_authentication_on_the_virtual_chip() {
    use cccd::crypto::public_key::PublicKey;
    use cccd::image::RsaActiveAuthenticationKey;
    use cccd::lds::dg15::Dg15;
    use cccd::pa::Check;
    use rsa::traits::PublicKeyParts;

    let rsa_key = |bits| rsa::RsaPrivateKey::new(&mut rand::rng(), bits).unwrap();
    let public = |k: &rsa::RsaPrivateKey| PublicKey::Rsa {
        modulus: k.n().as_ref().to_be_bytes_trimmed_vartime().to_vec(),
        exponent: k.e().to_be_bytes_trimmed_vartime().to_vec(),
    };
    let key = rsa_key(1024);
    let mut image = cccd_image();
    image.files.insert(LdsFile::dg(15).unwrap(), Dg15::new(public(&key)).unwrap().encode());
    image.secrets.active_authentication =
        Some(ActiveAuthenticationKey::Rsa(Box::new(RsaActiveAuthenticationKey(key.clone()))));
    let result = Reader::pace(can()).read(&mut VirtualChip::new(image.clone(), ChipConfig::default())).unwrap();
    assert_eq!(result.active_authentication, Check::Passed);
    assert!(
        !format!("{:?}", image.secrets).contains(&hex::encode(rsa::traits::PrivateKeyParts::d(&key).to_be_bytes()))
    );

    // saved and loaded, the chip still signs
    let dir = std::env::temp_dir().join(format!("cccd-rsa-aa-{}", std::process::id()));
    image.save_dir(&dir).unwrap();
    let loaded = ChipImage::load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(loaded.secrets.active_authentication == image.secrets.active_authentication);
    assert!(matches!(loaded.secrets.active_authentication, Some(ActiveAuthenticationKey::Rsa(_))));
    let result = Reader::bac(key_bac()).read(&mut VirtualChip::new(loaded, ChipConfig::default())).unwrap();
    assert_eq!(result.active_authentication, Check::Passed);

    // a clone: DG15 copied, another key
    let mut clone = image.clone();
    clone.secrets.active_authentication =
        Some(ActiveAuthenticationKey::Rsa(Box::new(RsaActiveAuthenticationKey(rsa_key(1024)))));
    let result = Reader::pace(can()).read(&mut VirtualChip::new(clone, ChipConfig::default())).unwrap();
    assert!(matches!(result.active_authentication, Check::Failed(_)), "{:?}", result.active_authentication);
}

fn key_bac() -> BacKey {
    key()
}

/// Chip Authentication with DH: DG14 holds a `dhpublicnumber` key (2048-bit MODP group), the virtual chip
/// its private half; the reader runs it with AES (MSE:Set AT + GENERAL AUTHENTICATE) and 3DES (MSE:Set KAT),
/// after PACE and after BAC; a clone's key fails; the key survives a save and load.
#[test]
fn dh_chip_authentication_on_the_virtual_chip() {
    use cccd::crypto::dh::{DhPrivateKey, ModpGroup};
    use cccd::image::ChipAuthenticationKey;
    use cccd::lds::security_infos::{ChipAuthenticationInfo, Dg14, SecurityInfo, SecurityInfoKind, SecurityInfos};
    use cccd::oid::{CaProtocol, KeyAgreement, SmCipher};
    use cccd::pa::Check;

    let key = DhPrivateKey::generate(ModpGroup::Modp2048_256.domain());
    for (cipher, key_id) in [(SmCipher::Aes128, Some(7)), (SmCipher::TripleDes, None)] {
        let mut image = cccd_image();
        let infos = vec![
            SecurityInfo::new(SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo {
                protocol: CaProtocol { key_agreement: KeyAgreement::Dh, cipher },
                version: 1,
                key_id,
            }))
            .unwrap(),
            SecurityInfo::chip_authentication_public_key(&key.public_key().unwrap(), key_id).unwrap(),
        ];
        image.files.insert(LdsFile::dg(14).unwrap(), Dg14 { infos: SecurityInfos::new(infos) }.encode());
        image.secrets.chip_authentication =
            Some(ChipAuthenticationKey { key_id, key: ChipAuthenticationPrivateKey::Dh(key.clone()) });
        for pace in [true, false] {
            let mut reader = if pace { Reader::pace(can()) } else { Reader::bac(key_bac()) };
            let result = reader.read(&mut VirtualChip::new(image.clone(), ChipConfig::default())).unwrap();
            assert_eq!(result.chip_authentication, Check::Passed, "{cipher:?} pace {pace}");
        }
        let dir = std::env::temp_dir().join(format!("cccd-dh-ca-{}-{cipher:?}", std::process::id()));
        image.save_dir(&dir).unwrap();
        let loaded = ChipImage::load_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(loaded.secrets.chip_authentication == image.secrets.chip_authentication);
        assert!(matches!(
            loaded.secrets.chip_authentication.as_ref().map(|k| &k.key),
            Some(ChipAuthenticationPrivateKey::Dh(_))
        ));
        assert!(!format!("{:?}", loaded.secrets).contains("secret"));

        let mut clone = image.clone();
        let other = DhPrivateKey::generate(ModpGroup::Modp2048_256.domain());
        clone.secrets.chip_authentication =
            Some(ChipAuthenticationKey { key_id, key: ChipAuthenticationPrivateKey::Dh(other) });
        let result = Reader::pace(can()).read(&mut VirtualChip::new(clone, ChipConfig::default())).unwrap();
        assert!(matches!(result.chip_authentication, Check::Failed(_)), "{:?}", result.chip_authentication);
    }
}
