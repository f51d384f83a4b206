//! Terminal Authentication through the virtual chip: BAC or PACE, Chip Authentication, EF.CVCA, TA, then DG3
//! byte-identical; without TA (or before Chip Authentication) DG3 stays closed with 6982.

mod common;

use std::sync::Arc;

use cccd::access::bac::{self, BacKey};
use cccd::access::chip_auth::chip_authenticate;
use cccd::access::pace::{self, PaceParameters, PacePassword};
use cccd::access::ta::{IdIc, TaChip, TaError, TerminalCredentials, comp, terminal_authenticate};
use cccd::apdu::{CommandApdu, StatusWord};
use cccd::crypto::ec::NamedCurve;
use cccd::cvc::issue::{self, Issuer, Rights};
use cccd::cvc::{CvcDate, EfCvca, Reference, Role};
use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::lds::LdsFile;
use cccd::lds::security_infos::{CardAccess, Dg14};
use cccd::pki::{Signer, SoftwareKey};
use cccd::sm::SecureChannel;
use cccd::transport::Transport;
use common::chip::{cccd_image, record};

fn d(s: &str) -> CvcDate {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    CvcDate::new(time::Date::parse(s, f).unwrap()).unwrap()
}

struct Eac {
    chip_ta: TaChip,
    terminal: TerminalCredentials,
}

fn eac(dg3_right: bool) -> Eac {
    let curve = NamedCurve::BrainpoolP256r1;
    let all = Rights { dg3: true, dg4: true };
    let cvca_key = SoftwareKey::generate(curve);
    let cvca =
        issue::cvca(Reference::new("VNCVCA00001").unwrap(), &cvca_key, all, d("2026-01-01"), d("2028-12-31")).unwrap();
    let dv_key = SoftwareKey::generate(curve);
    let dv = issue::subordinate(
        Reference::new("VNDVPOLICE00001").unwrap(),
        &dv_key.public_key().unwrap(),
        Role::DvDomestic,
        all,
        Issuer { certificate: &cvca, key: &cvca_key },
        d("2026-11-01"),
        d("2027-01-15"),
    )
    .unwrap();
    let is_key = SoftwareKey::generate(curve);
    let is = issue::subordinate(
        Reference::new("VNISHANOI00001").unwrap(),
        &is_key.public_key().unwrap(),
        Role::Terminal,
        Rights { dg3: dg3_right, dg4: false },
        Issuer { certificate: &dv, key: &dv_key },
        d("2026-12-01"),
        d("2026-12-20"),
    )
    .unwrap();
    Eac {
        chip_ta: TaChip::new(&cvca, d("2026-12-01")).unwrap(),
        terminal: TerminalCredentials { chain: vec![cvca, dv, is], key: Arc::new(is_key) },
    }
}

fn select(ch: &mut SecureChannel<&mut VirtualChip>, fid: u16) -> StatusWord {
    ch.transmit(&CommandApdu::new(0, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec())).unwrap().sw
}

fn read_all(ch: &mut SecureChannel<&mut VirtualChip>, sfi: u8) -> Result<Vec<u8>, StatusWord> {
    let first = ch.transmit(&CommandApdu::new(0, 0xB0, 0x80 | sfi, 0).with_le(4)).unwrap();
    if first.sw != StatusWord::Success {
        return Err(first.sw);
    }
    let mut out = Vec::new();
    while out.len() < 5 || out.len() < tlv_len(&out) {
        let r = ch.transmit(&CommandApdu::new(0, 0xB0, (out.len() >> 8) as u8, out.len() as u8).with_le(200)).unwrap();
        if !matches!(r.sw, StatusWord::Success | StatusWord::EndOfFileReached) || r.data.is_empty() {
            break;
        }
        out.extend(r.data);
    }
    Ok(out)
}

fn tlv_len(b: &[u8]) -> usize {
    cccd::tlv::TlvReader::new(b).read().map(|t| t.raw().len()).unwrap_or(b.len() + 1)
}

fn open_app(chip: &mut VirtualChip) {
    let aid = cccd::lds::EMRTD_AID.to_vec();
    assert_eq!(chip.transmit(&CommandApdu::new(0, 0xA4, 0x04, 0x0C).with_data(aid)).unwrap().sw, StatusWord::Success);
}

fn dg14(image: &cccd::image::ChipImage) -> Dg14 {
    Dg14::decode(&image.files[&LdsFile::dg(14).unwrap()]).unwrap()
}

/// BAC (`pace` false) or PACE with the CAN, then Chip Authentication; the channel, ID_IC and Comp(PK_IFD).
fn session<'a>(
    chip: &'a mut VirtualChip,
    use_pace: bool,
    dg14: &Dg14,
) -> (SecureChannel<&'a mut VirtualChip>, IdIc, Vec<u8>) {
    open_app(chip);
    let r = record();
    let (mut ch, id) = if use_pace {
        let ca = CardAccess::decode(&cccd_image().files[&LdsFile::CardAccess]).unwrap();
        let params = PaceParameters::from_security_infos(&ca.infos).into_iter().next().unwrap().unwrap();
        let mut t: &mut VirtualChip = chip;
        let outcome = pace::authenticate(&mut t, &params, &PacePassword::Can(r.can().unwrap()), false).unwrap();
        let id = IdIc::from_pace(&outcome.chip_ephemeral_key);
        assert_eq!(id.as_bytes().len(), 32);
        (SecureChannel::new(t, outcome.session), id)
    } else {
        let key = BacKey::from_mrz_information(&r.mrz_information().unwrap());
        let ch = bac::authenticate(chip, key, &mut rand::rng()).unwrap();
        let id = IdIc::from_bac(&r.mrz_information().unwrap()[..9]).unwrap();
        (ch, id)
    };
    let keys = chip_authenticate(&mut ch, dg14).unwrap();
    assert!(!keys.terminal_ephemeral_key.is_empty());
    (ch, id, comp(&keys.terminal_ephemeral_key))
}

#[test]
fn ta_after_bac_or_pace_and_chip_authentication_reads_dg3() {
    let image = cccd_image();
    let want = image.files[&LdsFile::dg(3).unwrap()].clone();
    for use_pace in [false, true] {
        let e = eac(true);
        let mut chip = VirtualChip::new(image.clone(), ChipConfig::default()).with_terminal_authentication(e.chip_ta);
        let (mut ch, id, ca_comp) = session(&mut chip, use_pace, &dg14(&image));
        assert_eq!(read_all(&mut ch, 3), Err(StatusWord::SecurityStatusNotSatisfied), "DG3 is closed before TA");
        assert_eq!(select(&mut ch, 0x011C), StatusWord::Success);
        let cvca = EfCvca::decode(&read_all(&mut ch, 0x1C).unwrap_or_else(|sw| panic!("EF.CVCA: {sw}"))).unwrap();
        assert_eq!(cvca.cars, vec![e.terminal.chain[0].chr().clone()]);
        let out = terminal_authenticate(&mut ch, &e.terminal, &cvca.cars, &id, &ca_comp, d("2026-12-02")).unwrap();
        assert!(out.reads_dg3());
        assert_eq!(read_all(&mut ch, 3).unwrap(), want, "pace: {use_pace}");
        // this image has no DG4
        assert_eq!(read_all(&mut ch, 4), Err(StatusWord::FileNotFound));
    }
}

#[test]
fn the_wrong_id_ic_and_ta_without_the_right_bits() {
    let image = cccd_image();
    // ID_IC of the other access protocol: the chip's signature check fails (6300)
    let e = eac(true);
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default()).with_terminal_authentication(e.chip_ta);
    let (mut ch, _, ca_comp) = session(&mut chip, true, &dg14(&image));
    let bac_id = IdIc::from_bac(&record().mrz_information().unwrap()[..9]).unwrap();
    let cars = vec![e.terminal.chain[0].chr().clone()];
    let r = terminal_authenticate(&mut ch, &e.terminal, &cars, &bac_id, &ca_comp, d("2026-12-02"));
    assert_eq!(r, Err(TaError::SignatureRejected(StatusWord::VerificationFailed)));
    assert_eq!(read_all(&mut ch, 3), Err(StatusWord::SecurityStatusNotSatisfied));
    // an IS certificate without the DG3 right: TA succeeds, DG3 stays closed
    let e = eac(false);
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default()).with_terminal_authentication(e.chip_ta);
    let (mut ch, id, ca_comp) = session(&mut chip, false, &dg14(&image));
    let out = terminal_authenticate(&mut ch, &e.terminal, &cars, &id, &ca_comp, d("2026-12-02")).unwrap();
    assert!(!out.reads_dg3());
    assert_eq!(read_all(&mut ch, 3), Err(StatusWord::SecurityStatusNotSatisfied));
}

#[test]
fn ta_before_chip_authentication_is_not_allowed() {
    let image = cccd_image();
    let e = eac(true);
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default()).with_terminal_authentication(e.chip_ta);
    open_app(&mut chip);
    let r = record();
    let key = BacKey::from_mrz_information(&r.mrz_information().unwrap());
    let mut ch = bac::authenticate(&mut chip, key, &mut rand::rng()).unwrap();
    let id = IdIc::from_bac(&r.mrz_information().unwrap()[..9]).unwrap();
    let cars = vec![e.terminal.chain[0].chr().clone()];
    let res = terminal_authenticate(&mut ch, &e.terminal, &cars, &id, &[0; 32], d("2026-12-02"));
    assert_eq!(res, Err(TaError::NotAllowed(StatusWord::SecurityStatusNotSatisfied)));
    assert_eq!(read_all(&mut ch, 3), Err(StatusWord::SecurityStatusNotSatisfied));
}

#[test]
fn the_reader_runs_ta_with_a_terminal_chain_and_reports_dg3_protected_without_one() {
    use cccd::pa::Check;
    use cccd::reader::Reader;
    let image = cccd_image();
    let dg3 = LdsFile::dg(3).unwrap();
    let r = record();
    for use_pace in [false, true] {
        let e = eac(true);
        let mut chip = VirtualChip::new(image.clone(), ChipConfig::default()).with_terminal_authentication(e.chip_ta);
        let reader = if use_pace {
            Reader::pace(PacePassword::Can(r.can().unwrap()))
        } else {
            Reader::bac(BacKey::from_mrz_information(&r.mrz_information().unwrap()))
        };
        let result = reader.with_terminal(e.terminal).read(&mut chip).unwrap();
        assert_eq!(result.terminal_authentication, Check::Passed, "pace: {use_pace}");
        assert_eq!(result.chip_authentication, Check::Passed);
        assert_eq!(result.files[&dg3], image.files[&dg3], "DG3 byte-identical");
        assert!(result.protected.is_empty());
    }
    // without a chain: everything else is read, DG3 is protected by EAC, not an error
    let e = eac(true);
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default()).with_terminal_authentication(e.chip_ta);
    let result = Reader::bac(BacKey::from_mrz_information(&r.mrz_information().unwrap())).read(&mut chip).unwrap();
    assert_eq!(result.protected, vec![dg3]);
    assert!(
        matches!(&result.terminal_authentication, Check::NotChecked(why) if why.to_string().contains("protected by EAC"))
    );
    assert!(result.files.contains_key(&LdsFile::dg(2).unwrap()));
    // a chain the chip refuses (from another CVCA): the read goes on, TA failed with the chip's reason
    let other = eac(true);
    let e = eac(true);
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default()).with_terminal_authentication(e.chip_ta);
    let result = Reader::bac(BacKey::from_mrz_information(&r.mrz_information().unwrap()))
        .with_terminal(other.terminal)
        .read(&mut chip)
        .unwrap();
    match &result.terminal_authentication {
        Check::Failed(why) => {
            assert!(why.to_string().contains("does not trust") || why.to_string().contains("refused"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(result.protected, vec![dg3]);
}

/// A chip made from an image that carries EAC trust (`ChipImage::eac`, as `cccd issue --cvca` and
/// personalization give it) runs TA with no extra call; the reader's order, after BAC and after PACE, is
/// access control, Chip Authentication, then TA (MSE:Set DST, PSO:Verify Certificate, MSE:Set AT, GET
/// CHALLENGE, EXTERNAL AUTHENTICATE), then DG3, and the ID_IC it signs is the session's (TA passes).
#[test]
fn image_trust_points_run_ta_in_the_readers_order_after_bac_and_pace() {
    use cccd::image::EacTrust;
    use cccd::pa::Check;
    use cccd::reader::Reader;
    use cccd::transport::Recording;
    let r = record();
    let dg3 = LdsFile::dg(3).unwrap();
    for use_pace in [false, true] {
        let e = eac(true);
        let mut image = cccd_image();
        image.eac = Some(EacTrust::new(vec![e.terminal.chain[0].clone()], d("2026-12-01")).unwrap());
        let mut chip = Recording::new(VirtualChip::new(image.clone(), ChipConfig::default()));
        let reader = if use_pace {
            Reader::pace(PacePassword::Can(r.can().unwrap()))
        } else {
            Reader::bac(BacKey::from_mrz_information(&r.mrz_information().unwrap()))
        };
        let result = reader.with_terminal(e.terminal).read(&mut chip).unwrap();
        assert_eq!(result.terminal_authentication, Check::Passed, "pace: {use_pace}");
        assert_eq!(result.files[&dg3], image.files[&dg3], "DG3 byte-identical, pace: {use_pace}");
        let (vchip, log) = chip.into_parts();
        assert_eq!(
            vchip.terminal_authentication().unwrap().trust_points(),
            vec![Reference::new("VNCVCA00001").unwrap()]
        );
        let at = |pred: &dyn Fn(&CommandApdu) -> bool| log.iter().position(|x| pred(&x.command));
        let access = if use_pace {
            at(&|c| c.ins == 0x86 && c.cla & 0x0C == 0)
        } else {
            at(&|c| c.ins == 0x82 && c.cla == 0 && c.data.len() == 40)
        }
        .expect("access control ran");
        let ca = at(&|c| c.cla == 0x0C && c.ins == 0x22 && c.p1 == 0x41).expect("Chip Authentication ran");
        let steps: Vec<usize> =
            [(0x22, 0x81, 0xB6), (0x2A, 0x00, 0xBE), (0x22, 0x81, 0xA4), (0x84, 0, 0), (0x82, 0, 0)]
                .into_iter()
                .map(|(ins, p1, p2)| {
                    at(&|c| c.cla == 0x0C && c.ins == ins && c.p1 == p1 && c.p2 == p2).expect("every TA step ran")
                })
                .collect();
        assert!(access < ca && ca < steps[0], "access, then CA, then TA (pace: {use_pace})");
        assert!(steps.windows(2).all(|w| w[0] < w[1]), "TA's steps in order: {steps:?}");
        let dg3_read = log.iter().rposition(|x| x.command.ins == 0xB0 && x.command.p1 == 0x83).expect("DG3 read");
        assert!(dg3_read > steps[4], "DG3 is read after EXTERNAL AUTHENTICATE");
    }
}
