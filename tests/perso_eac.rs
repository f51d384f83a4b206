//! Personalization with EAC on the virtual blank chip: PUT DATA of the trust point and current date make the
//! chip run Terminal Authentication (EF.CVCA, DG3 closed until TA), and the personalizer given a terminal reads
//! DG3 back through TA in its reader session before LOCK; a terminal without the DG3 right stops it unlocked.

mod common;

use std::sync::Arc;

use cccd::access::ta::TerminalCredentials;
use cccd::crypto::ec::NamedCurve;
use cccd::cvc::issue::{self, Issuer, Rights};
use cccd::cvc::{CvCertificate, CvcDate, Reference, Role};
use cccd::emulator::{ChipConfig, LifeCycle, VirtualChip};
use cccd::image::EacTrust;
use cccd::lds::LdsFile;
use cccd::pa::Check;
use cccd::perso::{OpenEmrtdProfile, PersoError, Personalizer};
use cccd::pki::{Signer, SoftwareKey};
use cccd::reader::Reader;
use cccd::transport::Recording;

const KEY: [u8; 16] = *b"transport key 16";

fn today_minus(days: i64) -> CvcDate {
    CvcDate::new(time::OffsetDateTime::now_utc().date() - time::Duration::days(days)).unwrap()
}

/// A CVCA, and terminals under one domestic DV with and without the DG3 right, valid around today.
fn pki() -> (CvCertificate, TerminalCredentials, TerminalCredentials) {
    let curve = NamedCurve::BrainpoolP256r1;
    let all = Rights { dg3: true, dg4: true };
    let cvca_key = SoftwareKey::generate(curve);
    let cvca = issue::cvca(Reference::new("VNCVCA00001").unwrap(), &cvca_key, all, today_minus(30), today_minus(-700))
        .unwrap();
    let dv_key = SoftwareKey::generate(curve);
    let dv = issue::subordinate(
        Reference::new("VNDVPOLICE00001").unwrap(),
        &dv_key.public_key().unwrap(),
        Role::DvDomestic,
        all,
        Issuer { certificate: &cvca, key: &cvca_key },
        today_minus(10),
        today_minus(-60),
    )
    .unwrap();
    let terminal = |n: &str, dg3: bool| {
        let key = SoftwareKey::generate(curve);
        let is = issue::subordinate(
            Reference::new(n).unwrap(),
            &key.public_key().unwrap(),
            Role::Terminal,
            Rights { dg3, dg4: false },
            Issuer { certificate: &dv, key: &dv_key },
            today_minus(1),
            today_minus(-20),
        )
        .unwrap();
        TerminalCredentials { chain: vec![cvca.clone(), dv.clone(), is], key: Arc::new(key) }
    };
    let (with, without) = (terminal("VNISHANOI00001", true), terminal("VNISHANOI00002", false));
    (cvca, with, without)
}

#[test]
fn perso_writes_the_trust_point_and_reads_dg3_back_through_ta() {
    let (mut image, _) = common::chip::cccd_image_signed();
    let (cvca, terminal, no_dg3) = pki();
    image.eac = Some(EacTrust::new(vec![cvca.clone()], today_minus(0)).unwrap());
    let dg3 = LdsFile::dg(3).unwrap();
    let profile = OpenEmrtdProfile::new(KEY);

    // given a terminal: the reader session runs TA and DG3 is compared there, not read in the perso session
    let mut chip = Recording::new(VirtualChip::blank(KEY, ChipConfig::default()));
    let report = Personalizer::new(&profile, &image).with_terminal(terminal.clone()).run(&mut chip).unwrap();
    assert!(report.verification.unwrap().verdict.is_genuine());
    let (mut chip, log) = chip.into_parts();
    assert_eq!(chip.life_cycle(), LifeCycle::Operational);
    assert_eq!(chip.image().eac, image.eac, "the chip holds the trust point and date it was given");
    let ta = chip.terminal_authentication().expect("the chip runs TA");
    assert_eq!(ta.trust_points(), vec![cvca.chr().clone()]);
    let puts: Vec<u8> =
        log.iter().filter(|x| x.command.ins == 0xDA && x.command.p1 == 0).map(|x| x.command.p2).collect();
    assert!(puts.contains(&0x64) && puts.contains(&0x67), "PUT DATA 64 and 67: {puts:02X?}");
    let external_authenticates = log.iter().filter(|x| x.command.ins == 0x82 && x.command.cla == 0x0C).count();
    assert_eq!(external_authenticates, 1, "one TA, in the reader session");
    // locked: DG3 only through TA
    let r = common::chip::record();
    let bac = || Reader::bac(cccd::access::bac::BacKey::from_mrz_information(&r.mrz_information().unwrap()));
    let result = bac().read(&mut chip).unwrap();
    assert_eq!(result.protected, vec![dg3]);
    let result = bac().with_terminal(terminal).read(&mut chip).unwrap();
    assert_eq!(result.terminal_authentication, Check::Passed);
    assert_eq!(result.files[&dg3], image.files[&dg3]);

    // without a terminal: DG3 read back in the perso session, as before
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    Personalizer::new(&profile, &image).run(&mut chip).unwrap();
    assert_eq!(chip.life_cycle(), LifeCycle::Operational);

    // a terminal without the DG3 right: DG3 cannot be read back, the chip stays unlocked
    let mut chip = VirtualChip::blank(KEY, ChipConfig::default());
    let e = Personalizer::new(&profile, &image).with_terminal(no_dg3).run(&mut chip).unwrap_err();
    assert!(
        matches!(&e, PersoError::TerminalAuthentication(r) if r.code() == "ta_not_granted"),
        "the chip refused DG3 to a terminal without the right: {e}"
    );
    assert_eq!(chip.life_cycle(), LifeCycle::Personalization);
}
