//! What real documents send that our own chip never did (issue 16): EF.CardSecurity issued, inspected, checked by
//! `openssl cms -verify` and by `cccd verify`; files padded beyond their TLV or captured with their status word;
//! a DG1 with a wrong check digit; a TD2 DG1. Each is decoded with its values and its warnings, from the library
//! and from `cccd inspect --json`.
mod cli_support;
mod common;

use std::path::Path;
use std::process::Command;

use cccd::image::ChipImage;
use cccd::lds::card_security::CardSecurity;
use cccd::lds::dg1::Dg1;
use cccd::lds::security_infos::SecurityInfoKind;
use cccd::lds::{DecodeWarning, DecodeWarningKind, LdsFile};
use cccd::mrz::{Mrz, MrzField};
use serde_json::Value;

use cli_support::{cccd, issue, photo, record_path, s, tmp};

fn inspect_json(path: &Path) -> Value {
    let (code, out, err) = cccd(&["inspect", "--json", s(path)]);
    assert_eq!(code, 0, "{err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["files"][0]["content"].clone()
}

/// A PACE-CAM chip image from `cccd issue`: it holds EF.CardSecurity, signed by the DS; openssl accepts it,
/// `cccd inspect` lists its SecurityInfos (the chip's key among them), `cccd verify` reports its signature, and
/// a changed byte is caught.
#[test]
fn an_issued_pace_cam_image_holds_a_signed_ef_card_security() {
    let dir = tmp("cardsec");
    let photo = photo(&dir);
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki)]).0, 0);
    let chip = dir.join("chip");
    let (code, _, err) =
        issue(&record_path(), &photo, &pki, &chip, &["--pace", "gm-ecdh-aes128-13,cam-ecdh-aes128-13"]);
    assert_eq!(code, 0, "{err}");
    let image = ChipImage::load_dir(&chip).unwrap();
    let bytes = image.files.get(&LdsFile::CardSecurity).expect("EF.CardSecurity issued").clone();
    let cs = CardSecurity::decode(&bytes).unwrap();
    assert!(cs.warnings().is_empty());
    // its ChipAuthenticationPublicKeyInfo is DG14's, and every EF.CardAccess info is in it
    let dg14 = cccd::lds::security_infos::Dg14::decode(&image.files[&LdsFile::dg(14).unwrap()]).unwrap();
    let dg14_key = &dg14.infos.chip_authentication_public_keys().next().unwrap().public_key;
    assert_eq!(&cs.chip_authentication_public_keys().next().unwrap().public_key, dg14_key);
    let card_access = cccd::lds::security_infos::CardAccess::decode(&image.files[&LdsFile::CardAccess]).unwrap();
    for info in card_access.infos.infos() {
        assert!(cs.security_infos.infos().iter().any(|i| i.as_bytes() == info.as_bytes()));
    }
    // the SET is in DER order
    let encoded: Vec<&[u8]> = cs.security_infos.infos().iter().map(|i| i.as_bytes()).collect();
    assert!(encoded.windows(2).all(|w| w[0] < w[1]));

    // openssl, the independent checker: the signature and the chain to the CSCA, eContentType id-SecurityObject
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-in"])
        .arg(chip.join("EF.CardSecurity.bin"))
        .args(["-CAfile", s(&pki.join("csca.pem")), "-purpose", "any", "-binary", "-out"])
        .arg(dir.join("econtent.der"))
        .output()
        .expect("openssl must be installed");
    assert!(out.status.success(), "openssl rejects EF.CardSecurity: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(dir.join("econtent.der")).unwrap(), cs.econtent());
    let cms = Command::new("openssl")
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in"])
        .arg(chip.join("EF.CardSecurity.bin"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&cms.stdout).contains("0.4.0.127.0.7.3.2.1"));

    // cccd inspect: recognized, its SecurityInfos listed
    let v = inspect_json(&chip.join("EF.CardSecurity.bin"));
    assert_eq!(v["file"], "EF.CardSecurity");
    let types: Vec<&str> =
        v["security_infos"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"ChipAuthenticationPublicKeyInfo"), "{types:?}");
    assert!(types.contains(&"PACEInfo"), "{types:?}");
    assert_eq!(v["signer_infos"].as_array().unwrap().len(), 1);
    assert_eq!(v["warnings"], serde_json::json!([]));

    // cccd verify: its own report, valid under the CSCA
    let (code, out, err) = cccd(&["verify", s(&chip), "--csca", s(&pki.join("csca.pem")), "--json"]);
    assert_eq!(code, 0, "{err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["card_security"]["signature"]["status"], "passed", "{v}");
    assert_eq!(v["card_security"]["valid"], true);
    assert_eq!(v["valid"], true);

    // a changed SecurityInfo byte: the digest no longer matches, and verify says so (exit 1)
    let mut bad = bytes.clone();
    let at = bad.windows(3).position(|w| w == [0x02, 0x01, 0x02]).expect("a PACEInfo version");
    bad[at + 2] = 0x03;
    std::fs::write(chip.join("EF.CardSecurity.bin"), &bad).unwrap();
    let (code, out, _) = cccd(&["verify", s(&chip), "--csca", s(&pki.join("csca.pem")), "--json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["card_security"]["message_digest"]["status"], "failed", "{v}");
    assert_eq!(v["valid"], false);
    // and the library's report agrees
    let store = cccd::pa::TrustStore::from_certificates(
        &x509_cert::Certificate::load_pem_chain(&std::fs::read(pki.join("csca.pem")).unwrap()).unwrap(),
    );
    assert!(cccd::pa::verify_card_security(&bytes, &store, None).unwrap().is_valid());
    assert!(!cccd::pa::verify_card_security(&bad, &store, None).unwrap().is_valid());
    // the virtual chip serves it after PACE; the reader reads it for PACE-CAM and checks the proof against its
    // key, and says so; the key counts once EF.CardSecurity's signature is verified
    use cccd::access::pace::PacePassword;
    use cccd::emulator::{ChipConfig, VirtualChip};
    use cccd::pa::Check;
    use cccd::reader::{ChipKeySource, Reader};
    let can = PacePassword::Can(image.secrets.can.clone().unwrap());
    let result = Reader::pace(can.clone()).read(&mut VirtualChip::new(image.clone(), ChipConfig::default())).unwrap();
    assert!(result.access.to_string().starts_with("PACE-CAM"), "{}", result.access);
    assert!(result.files[&LdsFile::CardSecurity] == bytes, "EF.CardSecurity read back differs");
    assert_eq!(result.chip_authentication, Check::Passed);
    assert_eq!(result.chip_key_source, Some(ChipKeySource::CardSecurity));
    // the verifier counts the key because EF.CardSecurity's signature verifies
    use cccd::verify::{Policy, Verdict, Verifier};
    let verifier = Verifier::new(&store, Policy::counter());
    let verification = verifier.verify_read(&result);
    assert_eq!(verification.verdict, Verdict::Genuine, "{:?}", verification.findings);
    assert_eq!(verification.report.chip_authentication, Check::Passed);
    assert!(verification.report.card_security.as_ref().is_some_and(|r| r.is_valid()));
    // a chip serving the changed EF.CardSecurity: the PACE-CAM proof still matches the key it holds, but the
    // file is not what the issuer signed: tampered, and the key does not count
    let mut changed = image.clone();
    changed.files.insert(LdsFile::CardSecurity, bad.clone());
    let result2 = Reader::pace(can.clone()).read(&mut VirtualChip::new(changed, ChipConfig::default())).unwrap();
    assert_eq!(result2.chip_key_source, Some(ChipKeySource::CardSecurity));
    let verification = verifier.verify_read(&result2);
    assert!(matches!(verification.verdict, Verdict::Tampered { .. }), "{:?}", verification.verdict);
    assert_eq!(verification.report.chip_authentication, Check::NotChecked(cccd::pa::Reason::CardSecurityNotPassed));
    assert!(verification.findings.iter().any(|f| f.code == cccd::verify::FindingCode::CardSecurityFailed));
    // without EF.CardSecurity on the chip, DG14 is the fallback
    let mut without = image.clone();
    without.files.remove(&LdsFile::CardSecurity);
    let result = Reader::pace(can.clone()).read(&mut VirtualChip::new(without, ChipConfig::default())).unwrap();
    assert_eq!(result.chip_key_source, Some(ChipKeySource::Dg14));
    assert_eq!(result.chip_authentication, Check::Passed);
    assert!(result.missing.contains(&LdsFile::CardSecurity));
    // a clone (the files copied, another chip key): the proof fails against EF.CardSecurity's key
    let mut clone = image.clone();
    clone.secrets.chip_authentication.as_mut().unwrap().key = cccd::image::ChipAuthenticationPrivateKey::Ecdh(
        cccd::pki::SoftwareKey::generate(cccd::crypto::ec::NamedCurve::BrainpoolP256r1),
    );
    let result = Reader::pace(can.clone()).read(&mut VirtualChip::new(clone, ChipConfig::default())).unwrap();
    assert!(matches!(result.chip_authentication, Check::Failed(_)), "{:?}", result.chip_authentication);
    // not readable before access control
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
    use cccd::apdu::CommandApdu;
    use cccd::transport::Transport;
    let r = chip.transmit(&CommandApdu::new(0, 0xB0, 0x9D, 0).with_le(4)).unwrap();
    assert_eq!(r.sw, cccd::apdu::StatusWord::SecurityStatusNotSatisfied);
    // personalized onto a blank chip: EF.CardSecurity goes to the MF and reads back
    let key = *b"transport key 16";
    let mut blank = VirtualChip::blank(key, ChipConfig::default());
    let profile = cccd::perso::OpenEmrtdProfile::new(key);
    cccd::perso::Personalizer::new(&profile, &image).run(&mut blank).unwrap();
    assert!(blank.image().files.get(&LdsFile::CardSecurity) == Some(&bytes));
    assert!(blank.image().files.get(&LdsFile::Sod) == image.files.get(&LdsFile::Sod));

    // PACE-GM only: no EF.CardSecurity
    let chip_gm = dir.join("chip-gm");
    let (code, _, err) = issue(&record_path(), &photo, &pki, &chip_gm, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!ChipImage::load_dir(&chip_gm).unwrap().files.contains_key(&LdsFile::CardSecurity));
    std::fs::remove_dir_all(&dir).unwrap();
}

const TD2: [&str; 2] = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"];

fn dg1_of(text: &str) -> Vec<u8> {
    let mut value = vec![0x5F, 0x1F, text.len() as u8];
    value.extend_from_slice(text.as_bytes());
    let mut dg1 = vec![0x61, value.len() as u8];
    dg1.extend(value);
    dg1
}

/// A TD2 DG1 (the ICAO 9303-6 specimen): decoded, rebuilt byte for byte, shown by `cccd inspect`.
#[test]
fn a_td2_dg1_decodes_encodes_and_inspects() {
    let v = common::read_json("mrz_vectors.json");
    let lines: Vec<&str> =
        v["TD2_specimen_ICAO_9303_6"]["lines"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(lines, TD2);
    let bytes = dg1_of(&lines.concat());
    let dg1 = Dg1::decode(&bytes).unwrap();
    assert!(matches!(dg1.mrz(), Mrz::Td2(_)));
    assert_eq!(dg1.mrz().document_number(), "D23145890");
    assert!(dg1.warnings().is_empty());
    assert_eq!(dg1.encode().unwrap(), bytes);
    assert_eq!(Dg1::new(dg1.mrz().clone()).unwrap().raw(), &bytes[..]);
    // the BAC key from a TD2
    assert_eq!(dg1.mrz().mrz_information().unwrap().as_str(), "D23145890774081221204159");
    let dir = tmp("td2");
    let path = dir.join("DG1.bin");
    std::fs::write(&path, &bytes).unwrap();
    let v = inspect_json(&path);
    assert_eq!(v["mrz"]["lines"], serde_json::json!(TD2));
    assert_eq!(v["mrz"]["document_number"], "D23145890");
    assert_eq!(v["mrz"]["date_of_expiry"], "120415");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A DG1 whose composite check digit is wrong (issued documents have them): the MRZ is decoded as written, the
/// bad check digit is a warning; typed-in text stays strict.
#[test]
fn a_dg1_with_a_wrong_check_digit_is_shown_with_a_warning() {
    let td3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<11"];
    let bytes = dg1_of(&td3.concat());
    let dg1 = Dg1::decode(&bytes).unwrap();
    assert_eq!(dg1.mrz().document_number(), "L898902C3");
    assert_eq!(dg1.mrz().primary_identifier(), "ERIKSSON");
    assert_eq!(dg1.wrong_check_digits().collect::<Vec<_>>(), [MrzField::Composite]);
    assert_eq!(
        dg1.warnings(),
        [DecodeWarning { offset: 5, kind: DecodeWarningKind::CheckDigit { field: MrzField::Composite } }]
    );
    // the lines as read keep the wrong digit; a canonical encoding would correct it
    assert_eq!(dg1.lines(), td3);
    assert_eq!(dg1.raw(), &bytes[..]);
    assert_ne!(dg1.encode().unwrap(), bytes);
    // typed-in MRZ text (a user's input for BAC) is refused
    assert_eq!(Mrz::parse(&td3.join("\n")), Err(cccd::mrz::MrzError::CheckDigit { field: MrzField::Composite }));
    let dir = tmp("cd");
    let path = dir.join("DG1.bin");
    std::fs::write(&path, &bytes).unwrap();
    let v = inspect_json(&path);
    assert_eq!(v["mrz"]["lines"], serde_json::json!(td3));
    assert_eq!(v["mrz"]["wrong_check_digits"], serde_json::json!(["composite"]));
    assert_eq!(v["warnings"][0]["code"], "check_digit");
    assert_eq!(v["warnings"][0]["offset"], 5);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Files padded beyond their TLV (00 or FF, as a file allocated larger than its content reads) or captured with
/// their status word: decoded, with the warning and its offset; garbage before the TLV stays an error.
#[test]
fn padded_files_decode_with_a_warning() {
    let image = common::chip::cccd_image();
    let dir = tmp("pad");
    for (file, tail, code) in [
        (LdsFile::Com, vec![0xFF; 37], "padding"),
        (LdsFile::dg(1).unwrap(), vec![0x00; 64], "padding"),
        (LdsFile::dg(2).unwrap(), vec![0x90, 0x00], "status_word"),
        (LdsFile::dg(13).unwrap(), vec![0xFF; 3], "padding"),
        (LdsFile::dg(14).unwrap(), vec![0x00; 1], "padding"),
        (LdsFile::dg(15).unwrap(), vec![0x12, 0x34, 0x00], "trailing_bytes"),
        (LdsFile::CardAccess, vec![0x90, 0x00], "status_word"),
        (LdsFile::Sod, vec![0x00; 200], "padding"),
    ] {
        let content = &image.files[&file];
        let padded = [content.clone(), tail.clone()].concat();
        let path = dir.join(format!("{}.bin", file.name()));
        std::fs::write(&path, &padded).unwrap();
        let v = inspect_json(&path);
        assert_eq!(v["file"], file.name());
        assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{}: {v}", file.name());
        assert_eq!(v["warnings"][0]["code"], code, "{}", file.name());
        assert_eq!(v["warnings"][0]["offset"], content.len(), "{}", file.name());
        // the library keeps the TLV only (what EF.SOD hashes)
        match file {
            LdsFile::Sod => {
                let sod = cccd::lds::sod::Sod::decode(&padded).unwrap();
                assert_eq!(&sod.encode(), content);
                assert_eq!(sod.warnings().len(), 1);
            }
            LdsFile::CardAccess => {
                let ca = cccd::lds::security_infos::CardAccess::decode(&padded).unwrap();
                assert_eq!(&ca.encode(), content);
                assert_eq!(ca.infos.warnings()[0].kind, DecodeWarningKind::StatusWord { sw: 0x9000 });
            }
            _ => {}
        }
    }
    // bytes before the TLV are not padding: refused
    let bad = [vec![0x00], image.files[&LdsFile::Com].clone()].concat();
    let path = dir.join("bad.bin");
    std::fs::write(&path, &bad).unwrap();
    assert_eq!(cccd(&["inspect", "--json", s(&path)]).0, 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The ETSI TR 103 200 negative case: a ChipAuthenticationInfo with version 16, a PACEInfo with version 3 —
/// kept and flagged, never used for a protocol.
#[test]
fn security_infos_of_unknown_versions_are_flagged_and_not_used() {
    use cccd::lds::security_infos::{CardAccess, ChipAuthenticationInfo, PaceInfo, SecurityInfo, SecurityInfos};
    use cccd::oid::{CaProtocol, KeyAgreement, PaceMapping, PaceProtocol, SmCipher};
    let pace =
        PaceProtocol { key_agreement: KeyAgreement::Ecdh, mapping: PaceMapping::Generic, cipher: SmCipher::Aes128 };
    let ca = CaProtocol { key_agreement: KeyAgreement::Ecdh, cipher: SmCipher::Aes128 };
    let infos = vec![
        SecurityInfo::new(SecurityInfoKind::Pace(PaceInfo { protocol: pace, version: 3, parameter_id: Some(13) }))
            .unwrap(),
        SecurityInfo::new(SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo {
            protocol: ca,
            version: 16,
            key_id: None,
        }))
        .unwrap(),
        SecurityInfo::new(SecurityInfoKind::Pace(PaceInfo { protocol: pace, version: 2, parameter_id: Some(12) }))
            .unwrap(),
    ];
    let bytes = CardAccess { infos: SecurityInfos::new(infos) }.encode();
    let decoded = CardAccess::decode(&bytes).unwrap();
    assert_eq!(decoded.infos.infos().len(), 3);
    let kinds: Vec<&DecodeWarningKind> = decoded.infos.warnings().iter().map(|w| &w.kind).collect();
    assert_eq!(
        kinds,
        [
            &DecodeWarningKind::UnknownVersion { info: "PACEInfo", version: 3 },
            &DecodeWarningKind::UnknownVersion { info: "ChipAuthenticationInfo", version: 16 },
        ]
    );
    // only the version-2 PACEInfo is offered to PACE; no Chip Authentication info is
    assert_eq!(decoded.infos.pace_infos().map(|p| p.parameter_id).collect::<Vec<_>>(), [Some(12)]);
    assert_eq!(decoded.infos.chip_authentication_infos().count(), 0);
    // a DG14 whose only ChipAuthenticationInfo has version 16: no Chip Authentication is run on it (and none is
    // inferred from the key, as it is for a DG14 without any ChipAuthenticationInfo)
    use cccd::access::chip_auth::chip_authentication_keys;
    use cccd::lds::security_infos::Dg14;
    let curve = cccd::crypto::ec::NamedCurve::BrainpoolP256r1;
    let key = cccd::crypto::public_key::PublicKey::Ec {
        domain: cccd::crypto::public_key::EcDomain::Named(curve.oid()),
        point: curve.public_key(&[7u8; 32]).unwrap(),
    };
    let key_info = SecurityInfo::chip_authentication_public_key(&key, None).unwrap();
    let v16 = SecurityInfo::new(SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo {
        protocol: ca,
        version: 16,
        key_id: None,
    }))
    .unwrap();
    let dg14 = Dg14::decode(&Dg14 { infos: SecurityInfos::new(vec![v16, key_info.clone()]) }.encode()).unwrap();
    assert!(chip_authentication_keys(&dg14).is_err());
    let keyless_info = Dg14::decode(&Dg14 { infos: SecurityInfos::new(vec![key_info]) }.encode()).unwrap();
    let inferred = chip_authentication_keys(&keyless_info).unwrap();
    assert_eq!(inferred.protocol, CaProtocol { key_agreement: KeyAgreement::Ecdh, cipher: SmCipher::TripleDes });
    let dir = tmp("ver");
    let path = dir.join("EF.CardAccess.bin");
    std::fs::write(&path, &bytes).unwrap();
    let v = inspect_json(&path);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 2);
    assert_eq!(v["warnings"][1]["code"], "unknown_version");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The virtual chip playing real chips' quirks, one at a time and all together: the reader reads every file
/// byte-identical (without the padding), finds DG3 protected, and PACE, Chip and Active Authentication pass.
#[test]
fn the_reader_copes_with_every_chip_quirk() {
    use cccd::access::bac::BacKey;
    use cccd::access::pace::PacePassword;
    use cccd::emulator::{ChipConfig, Quirks, VirtualChip};
    use cccd::pa::Check;
    use cccd::reader::Reader;
    use cccd::transport::Recording;
    let (image, csca_pem) = common::chip::cccd_image_signed();
    let csca = x509_cert::Certificate::load_pem_chain(csca_pem.as_bytes()).unwrap();
    let record = common::chip::record();
    let mut expected = image.files.clone();
    expected.remove(&LdsFile::dg(3).unwrap());
    let one = |f: fn(&mut Quirks)| {
        let mut q = Quirks::default();
        f(&mut q);
        q
    };
    let cases = [
        one(|q| q.nonce_blocks = Some(2)),
        one(|q| q.pad_files = true),
        one(|q| q.eof_6282 = true),
        one(|q| q.wrong_le = true),
        one(|q| q.sw_only_errors = true),
        Quirks::all(),
    ];
    for quirks in cases {
        for (config, pace) in
            [(ChipConfig::default(), true), (ChipConfig::short_only(), false), (ChipConfig::short_only(), true)]
        {
            let config = config.with_quirks(quirks);
            let mut chip = Recording::new(VirtualChip::new(image.clone(), config));
            let mut reader = if pace {
                Reader::pace(PacePassword::Can(record.can().unwrap()))
            } else {
                Reader::bac(BacKey::from_mrz_information(&record.mrz_information().unwrap()))
            };
            let result = reader.read(&mut chip).unwrap_or_else(|e| panic!("{quirks}, pace {pace}: {e}"));
            let names =
                |m: &std::collections::BTreeMap<LdsFile, Vec<u8>>| m.keys().map(|k| k.name()).collect::<Vec<_>>();
            assert_eq!(names(&result.files), names(&expected), "{quirks}");
            for (f, b) in &expected {
                assert!(result.files[f] == *b, "{quirks}: {} differs", f.name());
            }
            assert_eq!(result.protected, [LdsFile::dg(3).unwrap()], "{quirks}");
            assert_eq!(result.chip_authentication, Check::Passed, "{quirks}");
            assert_eq!(result.active_authentication, Check::Passed, "{quirks}");
            let pa = cccd::pa::verify_with_trust(&result.files[&LdsFile::Sod], &result.files, None, &csca).unwrap();
            assert!(pa.hashes_match() && pa.first_failure().is_none(), "{quirks}");
            // the quirk was played
            let exchanges = chip.exchanges();
            if quirks.wrong_le && !quirks.pad_files {
                // (padded files never run short of what the reader asks: it reads to the end of the TLV)
                assert!(
                    exchanges.iter().any(|e| e.response.as_ref().is_ok_and(|r| r.sw.to_bytes()[0] == 0x6C)),
                    "{quirks}: no 6Cxx"
                );
            }
            if quirks.sw_only_errors {
                // DG3's 6982 came as two bytes, without DO'99 and MAC
                assert!(
                    exchanges.iter().any(|e| {
                        e.response.as_ref().is_ok_and(|r| {
                            r.data.is_empty() && r.sw == cccd::apdu::StatusWord::SecurityStatusNotSatisfied
                        })
                    }),
                    "{quirks}"
                );
            }
            if quirks.nonce_blocks.is_some() && pace {
                // GENERAL AUTHENTICATE's first answer: 7C 12 80 10 <16 bytes>... (32 bytes with AES-128)
                let first_ga = exchanges.iter().find(|e| e.command.ins == 0x86).unwrap();
                assert_eq!(first_ga.response.as_ref().unwrap().data.get(3), Some(&32), "{quirks}");
            }
        }
    }
}

/// A passport whose EF.SOD has the BER indefinite length (`77 80 … 00 00`, as US passports'): decoded with an
/// `indefinite_length` warning, its signature verifying, and read off the chip to its end-of-contents.
#[test]
fn an_indefinite_length_sod_is_decoded_verified_and_read() {
    use cccd::emulator::{ChipConfig, VirtualChip};
    use cccd::lds::sod::Sod;
    let (mut image, csca_pem) = common::chip::cccd_image_signed();
    let csca = x509_cert::Certificate::load_pem_chain(csca_pem.as_bytes()).unwrap();
    let definite = Sod::decode(&image.files[&LdsFile::Sod]).unwrap();
    let ber = [&[0x77u8, 0x80][..], definite.content_info_der(), &[0x00, 0x00]].concat();
    let sod = Sod::decode(&ber).unwrap();
    assert_eq!(sod.warnings(), [DecodeWarning { offset: 0, kind: DecodeWarningKind::IndefiniteLength }]);
    assert_eq!(sod.content_info_der(), definite.content_info_der());
    assert_eq!(sod.lds_security_object, definite.lds_security_object);
    image.files.insert(LdsFile::Sod, ber.clone());
    let pa = cccd::pa::verify_with_trust(&ber, &image.files, None, &csca).unwrap();
    assert!(pa.hashes_match() && pa.first_failure().is_none(), "{pa:?}");
    // the reader finds the end while reading, with and without extended length
    for config in [ChipConfig::default(), ChipConfig::short_only()] {
        let key = cccd::access::bac::BacKey::from_mrz_information(&common::chip::record().mrz_information().unwrap());
        let result = cccd::reader::Reader::bac(key).read(&mut VirtualChip::new(image.clone(), config)).unwrap();
        assert!(result.files[&LdsFile::Sod] == ber, "EF.SOD read differs");
    }
    // inspect: the warning
    let dir = tmp("indef");
    let path = dir.join("EF.SOD.bin");
    std::fs::write(&path, &ber).unwrap();
    assert_eq!(inspect_json(&path)["warnings"][0]["code"], "indefinite_length");
    std::fs::remove_dir_all(&dir).unwrap();
}
