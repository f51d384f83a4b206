//! Terminal Authentication v1 both sides: the BSI worked example byte for byte, then our terminal against our
//! chip state machine through real secure messaging, with every refusal the issue names.

use std::sync::Arc;

use cccd::access::ta::{
    IdIc, TaBinding, TaChip, TaError, TerminalCredentials, comp, signature_input, terminal_authenticate,
};
use cccd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::sym::SessionKeys;
use cccd::cvc::issue::{self, Issuer, Rights};
use cccd::cvc::{ChainError, CvCertificate, CvcDate, EfCvca, KeyContext, Reference, Role};
use cccd::oid::SmCipher;
use cccd::pki::{Signer, SoftwareKey};
use cccd::sm::{SecureChannel, SecureMessaging};
use cccd::transport::{Transport, TransportError};

fn vector() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/bsi_eac_worked_example_ta.json");
    serde_json::from_slice(&std::fs::read(path).expect("the worked-example vector file")).unwrap()
}

fn hex_of(v: &serde_json::Value, k: &str) -> Vec<u8> {
    hex::decode(v[k].as_str().unwrap_or_else(|| panic!("{k} missing"))).unwrap()
}

fn d(s: &str) -> CvcDate {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    CvcDate::new(time::Date::parse(s, f).unwrap()).unwrap()
}

#[test]
fn bsi_worked_example_signature_input_and_chain() {
    let v = vector();
    let cvca = CvCertificate::decode(&hex_of(&v, "cvca_certificate")).unwrap();
    let dv = CvCertificate::decode(&hex_of(&v, "dv_certificate")).unwrap();
    let at = CvCertificate::decode(&hex_of(&v, "terminal_certificate")).unwrap();
    assert_eq!(cvca.chr().to_string(), "DECVCAAT00001");
    assert_eq!(dv.chr().to_string(), "DETESTDVDE019");
    assert_eq!(at.chr().to_string(), "DETESTATDE019");
    assert!(cvca.tolerated.is_empty() && dv.tolerated.is_empty() && at.tolerated.is_empty());
    // canonical re-encoding gives the bytes the BSI example signed
    for c in [&cvca, &dv, &at] {
        assert_eq!(c.body.encode().unwrap(), c.body_raw, "{}", c.chr());
    }
    assert_eq!(cvca.body.public_key.own_curve(), Some(NamedCurve::BrainpoolP512r1));
    assert_eq!(cvca.body.effective, d("2010-09-30"));
    assert_eq!(at.body.expiry, d("2010-10-30"));

    // the chain verifies from the CVCA down, the terminal key inheriting brainpoolP512r1
    let tp = KeyContext::trust_point(&cvca).unwrap();
    let dv_ctx = tp.verify(&dv, d("2010-10-01")).unwrap();
    assert_eq!(dv_ctx.role, Role::DvDomestic);
    let at_ctx = dv_ctx.verify(&at, d("2010-10-01")).unwrap();
    assert_eq!(at_ctx.curve, Some(NamedCurve::BrainpoolP512r1));
    // effective authorization = AND over the chain (C3 from the CVCA is right-aligned with the 5-byte AT CHATs)
    assert_eq!(at_ctx.authorization, vec![0; 5], "C3 & 10 & 10 = 00");
    assert!(matches!(dv_ctx.verify(&at, d("2010-11-01")), Err(ChainError::Expired { .. })));

    // the signature input: ID_PICC = Comp(PACE chip key) ‖ r ‖ Comp(CA terminal key), 72 bytes
    let id = IdIc::from_pace(&hex_of(&v, "pace_chip_ephemeral_public_key"));
    let nonce = hex_of(&v, "ta_nonce");
    let message = signature_input(&id, &nonce, &comp(&hex_of(&v, "ca_terminal_ephemeral_public_key")));
    assert_eq!(message.len(), 72);
    assert_eq!(&message[..4], &[0x28, 0x2C, 0xF3, 0x80]);
    assert_eq!(&message[28..32], &[0xEB, 0x0F, 0xD6, 0x80]);
    assert_eq!(&message[32..40], &nonce[..]);
    assert_eq!(&message[40..44], &[0x5A, 0x7A, 0x37, 0x7F]);
    assert_eq!(&message[68..], &[0x49, 0xDF, 0x37, 0x99]);
    let signature = hex_of(&v, "ta_signature");
    at_ctx.algorithm.signature_algorithm().verify(&at_ctx.public_key, &message, &signature).unwrap();

    // the chip state machine accepts the example's chain and signature with the example's challenge
    let mut chip = TaChip::new(&cvca, d("2010-10-01")).unwrap();
    let binding = TaBinding { id_ic: id, terminal_key_comp: comp(&hex_of(&v, "ca_terminal_ephemeral_public_key")) };
    let r: [u8; 8] = nonce.clone().try_into().unwrap();
    let mut run = |c: CommandApdu| chip.process(&c, Some(&binding), r).sw;
    let mse = |p2: u8, r: &Reference| {
        let mut data = vec![0x83, r.as_bytes().len() as u8];
        data.extend(r.as_bytes());
        CommandApdu::new(0, 0x22, 0x81, p2).with_data(data)
    };
    assert_eq!(run(mse(0xB6, dv.car())), StatusWord::Success);
    assert_eq!(run(CommandApdu::new(0, 0x2A, 0, 0xBE).with_data(dv.value().to_vec())), StatusWord::Success);
    assert_eq!(run(mse(0xB6, at.car())), StatusWord::Success);
    assert_eq!(run(CommandApdu::new(0, 0x2A, 0, 0xBE).with_data(at.value().to_vec())), StatusWord::Success);
    assert_eq!(run(mse(0xA4, at.chr())), StatusWord::Success);
    assert_eq!(run(CommandApdu::new(0, 0x84, 0, 0).with_le(8)), StatusWord::Success);
    let mut bad = signature.clone();
    bad[5] ^= 1;
    assert_eq!(run(CommandApdu::new(0, 0x82, 0, 0).with_data(bad)), StatusWord::VerificationFailed);
    assert_eq!(run(CommandApdu::new(0, 0x84, 0, 0).with_le(8)), StatusWord::Success);
    assert_eq!(run(CommandApdu::new(0, 0x82, 0, 0).with_data(signature.clone())), StatusWord::Success);
    // one TA per session
    assert_eq!(run(CommandApdu::new(0, 0x82, 0, 0).with_data(signature)), StatusWord::SecurityStatusNotSatisfied);
    // the DV certificate's effective date 2010-09-30 is older than the chip's date: it did not move
    assert_eq!(chip.current_date(), d("2010-10-01"));
}

// ---- our terminal against our chip, through secure messaging ----

/// A chip that speaks secure messaging, runs [`TaChip`] and serves a DG3 behind it (SFI 03 READ BINARY).
struct Chip {
    sm: SecureMessaging,
    ta: TaChip,
    binding: Option<TaBinding>,
    dg3: Vec<u8>,
}

impl Transport for Chip {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let plain = match self.sm.unwrap_command(command) {
            Ok(c) => c,
            Err(e) => return Ok(ResponseApdu::status(e.chip_status())),
        };
        let response = if self.ta.handles(&plain) {
            let mut r = [0u8; 8];
            rand::fill(&mut r);
            self.ta.process(&plain, self.binding.as_ref(), r)
        } else if plain.ins == 0xB0 && plain.p1 == 0x83 {
            if self.ta.may_read(3) {
                ResponseApdu::new(self.dg3.clone(), StatusWord::Success)
            } else {
                ResponseApdu::status(StatusWord::SecurityStatusNotSatisfied)
            }
        } else {
            ResponseApdu::status(StatusWord::InsNotSupported)
        };
        Ok(self.sm.wrap_response(&response).unwrap())
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.ta.end_session();
        Ok(())
    }
}

struct Pki {
    cvca_key: SoftwareKey,
    cvca: CvCertificate,
    dv_key: SoftwareKey,
    dv: CvCertificate,
}

const CURVE: NamedCurve = NamedCurve::BrainpoolP256r1;

fn pki(name: &str, domestic: bool) -> Pki {
    let cvca_key = SoftwareKey::generate(CURVE);
    let all = Rights { dg3: true, dg4: true };
    let cvca = issue::cvca(
        Reference::new(&format!("VN{name}00001")).unwrap(),
        &cvca_key,
        all,
        d("2026-01-01"),
        d("2028-12-31"),
    )
    .unwrap();
    let dv_key = SoftwareKey::generate(CURVE);
    let role = if domestic { Role::DvDomestic } else { Role::DvForeign };
    let dv = issue::subordinate(
        Reference::new("VNDVPOLICE00001").unwrap(),
        &dv_key.public_key().unwrap(),
        role,
        all,
        Issuer { certificate: &cvca, key: &cvca_key },
        d("2026-11-01"),
        d("2027-01-15"),
    )
    .unwrap();
    Pki { cvca_key, cvca, dv_key, dv }
}

fn terminal(pki: &Pki, rights: Rights, effective: &str, expiry: &str) -> TerminalCredentials {
    let key = SoftwareKey::generate(CURVE);
    let is = issue::subordinate(
        Reference::new("VNISHANOI00007").unwrap(),
        &key.public_key().unwrap(),
        Role::Terminal,
        rights,
        Issuer { certificate: &pki.dv, key: &pki.dv_key },
        d(effective),
        d(expiry),
    )
    .unwrap();
    TerminalCredentials { chain: vec![pki.cvca.clone(), pki.dv.clone(), is], key: Arc::new(key) }
}

const DG3: &[u8] = &[0x63, 0x03, 0x7F, 0x61, 0x00];

/// A session after "Chip Authentication": shared SM keys, the chip bound to `chip_id` and the terminal key.
fn session(chip_pki: &Pki, chip_id: &IdIc, ca_key_comp: &[u8]) -> SecureChannel<Chip> {
    let secret = [0x5Au8; 32];
    let keys = || SecureMessaging::with_zero_ssc(SessionKeys::derive(SmCipher::Aes128, &secret));
    let ta = TaChip::new(&chip_pki.cvca, d("2026-12-01")).unwrap();
    let binding = Some(TaBinding { id_ic: chip_id.clone(), terminal_key_comp: ca_key_comp.to_vec() });
    SecureChannel::new(Chip { sm: keys(), ta, binding, dg3: DG3.to_vec() }, keys())
}

fn read_dg3(ch: &mut SecureChannel<Chip>) -> ResponseApdu {
    ch.transmit(&CommandApdu::new(0, 0xB0, 0x83, 0).with_le(256)).unwrap()
}

fn ca_comp() -> Vec<u8> {
    comp(&CURVE.public_key(&[0x33; 32]).unwrap())
}

#[test]
fn id_ic_after_bac_and_after_pace() {
    // BAC: the document number with its check digit (9303-3 example L898902C<, check digit 3)
    let bac = IdIc::from_bac("L898902C").unwrap();
    assert_eq!(bac.as_bytes(), b"L898902C<3");
    let cccd = IdIc::from_bac("C01234567").unwrap();
    assert_eq!(cccd.as_bytes().len(), 10);
    // PACE: Comp of the chip's ephemeral key, the x-coordinate
    let point = CURVE.public_key(&[0x44; 32]).unwrap();
    assert_eq!(IdIc::from_pace(&point).as_bytes(), &point[1..33]);
    // DH: SHA-1 of the public value
    assert_eq!(comp(&[0x12; 128]).len(), 20);
    // message lengths for a brainpoolP256r1 CA key: 50 after BAC, 72 after PACE
    assert_eq!(signature_input(&cccd, &[0; 8], &ca_comp()).len(), 50);
    assert_eq!(signature_input(&IdIc::from_pace(&point), &[0; 8], &ca_comp()).len(), 72);
}

fn run(
    pki_chip: &Pki,
    creds: &TerminalCredentials,
    chip_id: &IdIc,
    terminal_id: &IdIc,
) -> (Result<cccd::access::ta::TaOutcome, TaError>, SecureChannel<Chip>) {
    let mut ch = session(pki_chip, chip_id, &ca_comp());
    let tps = vec![pki_chip.cvca.chr().clone()];
    let r = terminal_authenticate(&mut ch, creds, &tps, terminal_id, &ca_comp(), d("2026-12-02"));
    (r, ch)
}

#[test]
fn ta_after_bac_and_after_pace_opens_dg3() {
    let p = pki("CVCA", true);
    let creds = terminal(&p, Rights { dg3: true, dg4: false }, "2026-12-01", "2026-12-20");
    let bac = IdIc::from_bac("C01234567").unwrap();
    let pace = IdIc::from_pace(&CURVE.public_key(&[0x44; 32]).unwrap());
    for id in [&bac, &pace] {
        let mut ch = session(&p, id, &ca_comp());
        assert_eq!(read_dg3(&mut ch).sw, StatusWord::SecurityStatusNotSatisfied, "DG3 is closed before TA");
        let out =
            terminal_authenticate(&mut ch, &creds, &[p.cvca.chr().clone()], id, &ca_comp(), d("2026-12-02")).unwrap();
        assert_eq!(out.sent, vec![p.dv.chr().clone(), creds.chain[2].chr().clone()], "the CVCA itself is not sent");
        assert!(out.reads_dg3() && !out.reads_dg4());
        let r = read_dg3(&mut ch);
        assert_eq!((r.sw, r.data.as_slice()), (StatusWord::Success, DG3));
        // a second TA in the same session is refused
        let again = terminal_authenticate(&mut ch, &creds, &[p.cvca.chr().clone()], id, &ca_comp(), d("2026-12-02"));
        assert_eq!(again, Err(TaError::NotAllowed(StatusWord::SecurityStatusNotSatisfied)));
    }
    // the wrong ID_IC makes the signature invalid for the chip: BAC's where the chip ran PACE, and PACE's where
    // it ran BAC
    for (chip_id, terminal_id) in [(&pace, &bac), (&bac, &pace)] {
        let (r, mut ch) = run(&p, &creds, chip_id, terminal_id);
        assert_eq!(r, Err(TaError::SignatureRejected(StatusWord::VerificationFailed)));
        assert_eq!(read_dg3(&mut ch).sw, StatusWord::SecurityStatusNotSatisfied, "DG3 stays closed");
    }
}

#[test]
fn is_certificate_without_the_dg3_right() {
    let p = pki("CVCA", true);
    let creds = terminal(&p, Rights { dg3: false, dg4: true }, "2026-12-01", "2026-12-20");
    let id = IdIc::from_bac("C01234567").unwrap();
    let (r, mut ch) = run(&p, &creds, &id, &id);
    let out = r.unwrap();
    assert!(!out.reads_dg3(), "the terminal knows before reading that its chain grants no DG3");
    assert!(out.reads_dg4());
    assert_eq!(read_dg3(&mut ch).sw, StatusWord::SecurityStatusNotSatisfied);
}

#[test]
fn expired_is_certificate_is_refused() {
    let p = pki("CVCA", true);
    let creds = terminal(&p, Rights { dg3: true, dg4: false }, "2026-11-01", "2026-11-20");
    let id = IdIc::from_bac("C01234567").unwrap();
    let (r, mut ch) = run(&p, &creds, &id, &id);
    match r {
        Err(TaError::CertificateRefused { chr, status, reason: Some(ChainError::Expired { expiry, .. }) }) => {
            assert_eq!(chr, *creds.chain[2].chr());
            assert_eq!(status, StatusWord::ReferenceDataNotUsable);
            assert_eq!(expiry, d("2026-11-20"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(read_dg3(&mut ch).sw, StatusWord::SecurityStatusNotSatisfied);
}

#[test]
fn chain_from_another_cvca_is_refused() {
    let ours = pki("CVCA", true);
    let theirs = pki("XCVCA", true);
    let creds = terminal(&theirs, Rights { dg3: true, dg4: false }, "2026-12-01", "2026-12-20");
    let id = IdIc::from_bac("C01234567").unwrap();
    let (r, _) = run(&ours, &creds, &id, &id);
    match r {
        Err(TaError::UnknownTrustPoint { car, chip_trust_points, status }) => {
            assert_eq!(car, *theirs.cvca.chr());
            assert_eq!(chip_trust_points, vec![ours.cvca.chr().clone()]);
            assert_eq!(status, StatusWord::ReferencedDataNotFound);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_signatures_are_refused() {
    let p = pki("CVCA", true);
    let id = IdIc::from_bac("C01234567").unwrap();
    // the terminal signs with a key that is not its certificate's
    let mut creds = terminal(&p, Rights { dg3: true, dg4: false }, "2026-12-01", "2026-12-20");
    creds.key = Arc::new(SoftwareKey::generate(CURVE));
    let (r, _) = run(&p, &creds, &id, &id);
    assert_eq!(r, Err(TaError::SignatureRejected(StatusWord::VerificationFailed)));
    // an IS certificate whose signature is broken
    let mut creds = terminal(&p, Rights { dg3: true, dg4: false }, "2026-12-01", "2026-12-20");
    let mut raw = creds.chain[2].raw.clone();
    let n = raw.len();
    raw[n - 3] ^= 0x40;
    creds.chain[2] = CvCertificate::decode(&raw).unwrap();
    let (r, _) = run(&p, &creds, &id, &id);
    match r {
        Err(TaError::CertificateRefused { status, reason: Some(ChainError::BadSignature { .. }), .. }) => {
            assert_eq!(status, StatusWord::ReferenceDataNotUsable)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn chip_without_chip_authentication_refuses_ta() {
    let p = pki("CVCA", true);
    let creds = terminal(&p, Rights { dg3: true, dg4: false }, "2026-12-01", "2026-12-20");
    // TA before Chip Authentication, after BAC and after PACE alike
    for id in [IdIc::from_bac("C01234567").unwrap(), IdIc::from_pace(&CURVE.public_key(&[0x44; 32]).unwrap())] {
        let mut ch = session(&p, &id, &ca_comp());
        ch.transport_mut().binding = None;
        let r = terminal_authenticate(&mut ch, &creds, &[p.cvca.chr().clone()], &id, &ca_comp(), d("2026-12-02"));
        assert_eq!(r, Err(TaError::NotAllowed(StatusWord::SecurityStatusNotSatisfied)));
        assert_eq!(read_dg3(&mut ch).sw, StatusWord::SecurityStatusNotSatisfied);
    }
}

#[test]
fn link_certificate_updates_trust_point_date_and_ef_cvca() {
    let p = pki("CVCA", true);
    let new_key = SoftwareKey::generate(CURVE);
    let link = issue::link(
        Reference::new("VNCVCA00002").unwrap(),
        &new_key,
        Issuer { certificate: &p.cvca, key: &p.cvca_key },
        Rights { dg3: true, dg4: true },
        d("2027-01-01"),
        d("2029-12-31"),
    )
    .unwrap();
    let mut chip = TaChip::new(&p.cvca, d("2026-12-01")).unwrap();
    let mse = |r: &Reference| {
        let mut data = vec![0x83, r.as_bytes().len() as u8];
        data.extend(r.as_bytes());
        CommandApdu::new(0, 0x22, 0x81, 0xB6).with_data(data)
    };
    assert_eq!(chip.process(&mse(link.car()), None, [0; 8]).sw, StatusWord::Success);
    let pso = CommandApdu::new(0, 0x2A, 0, 0xBE).with_data(link.value().to_vec());
    assert_eq!(chip.process(&pso, None, [0; 8]).sw, StatusWord::Success);
    assert_eq!(chip.trust_points(), vec![link.chr().clone(), p.cvca.chr().clone()]);
    assert_eq!(chip.current_date(), d("2027-01-01"), "a valid link certificate moves the date");
    let ef = EfCvca::decode(&chip.ef_cvca().unwrap()).unwrap();
    assert_eq!(ef.cars, vec![link.chr().clone(), p.cvca.chr().clone()]);
    // the old DV (valid to 2027-01-15) still verifies under the old trust point
    assert_eq!(chip.process(&mse(p.dv.car()), None, [0; 8]).sw, StatusWord::Success);
    let pso = CommandApdu::new(0, 0x2A, 0, 0xBE).with_data(p.dv.value().to_vec());
    assert_eq!(chip.process(&pso, None, [0; 8]).sw, StatusWord::Success);
    // a DV certificate from a foreign CVCA's chain is not known
    let other = pki("XCVCA", true);
    assert_eq!(chip.process(&mse(other.dv.car()), None, [0; 8]).sw, StatusWord::ReferencedDataNotFound);
}

#[test]
fn only_accurate_terminal_certificates_move_the_date() {
    for (domestic, moved) in [(true, true), (false, false)] {
        let p = pki("CVCA", domestic);
        let creds = terminal(&p, Rights { dg3: true, dg4: false }, "2026-12-10", "2026-12-20");
        let mut chip = TaChip::new(&p.cvca, d("2026-12-01")).unwrap();
        for c in &creds.chain[1..] {
            let mut data = vec![0x83, c.car().as_bytes().len() as u8];
            data.extend(c.car().as_bytes());
            assert_eq!(
                chip.process(&CommandApdu::new(0, 0x22, 0x81, 0xB6).with_data(data), None, [0; 8]).sw,
                StatusWord::Success
            );
            let pso = CommandApdu::new(0, 0x2A, 0, 0xBE).with_data(c.value().to_vec());
            assert_eq!(chip.process(&pso, None, [0; 8]).sw, StatusWord::Success);
        }
        let expect = if moved { d("2026-12-10") } else { d("2026-12-01") };
        assert_eq!(chip.current_date(), expect, "domestic DV: {domestic}");
    }
}

#[test]
fn chain_and_key_made_by_openpace_pass_our_chip() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("cccd-ta-openpace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run_tool = |program: &str, args: &[&str]| {
        let out =
            Command::new(program).args(args).current_dir(&dir).output().expect("openssl and cvc-create (openpace)");
        assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    for k in ["cvca.pkcs8", "dv.pkcs8"] {
        run_tool(
            "openssl",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:brainpoolP256r1",
                "-outform",
                "DER",
                "-out",
                k,
            ],
        );
    }
    run_tool(
        "cvc-create",
        &[
            "--role=cvca",
            "--type=is",
            "--chr=VNCVCA00009",
            "--issued=261101",
            "--expires=281231",
            "--sign-with=cvca.pkcs8",
            "--scheme=ECDSA_SHA_256",
            "--read-finger",
        ],
    );
    run_tool(
        "cvc-create",
        &[
            "--role=dv_domestic",
            "--chr=VNDVOP00009",
            "--issued=261101",
            "--expires=270115",
            "--sign-with=cvca.pkcs8",
            "--sign-as=VNCVCA00009.cvcert",
            "--key=dv.pkcs8",
            "--scheme=ECDSA_SHA_256",
            "--read-finger",
        ],
    );
    run_tool(
        "cvc-create",
        &[
            "--role=terminal",
            "--chr=VNISOP00009",
            "--issued=261201",
            "--expires=261220",
            "--sign-with=dv.pkcs8",
            "--sign-as=VNDVOP00009.cvcert",
            "--scheme=ECDSA_SHA_256",
            "--read-finger",
        ],
    );
    let cert = |f: &str| CvCertificate::decode(&std::fs::read(dir.join(f)).unwrap()).unwrap();
    let chain = vec![cert("VNCVCA00009.cvcert"), cert("VNDVOP00009.cvcert"), cert("VNISOP00009.cvcert")];
    let key = SoftwareKey::from_der(&std::fs::read(dir.join("VNISOP00009.pkcs8")).unwrap()).unwrap();
    let creds = TerminalCredentials { chain: chain.clone(), key: Arc::new(key) };
    let chip_pki = Pki {
        cvca_key: SoftwareKey::generate(CURVE),
        cvca: chain[0].clone(),
        dv_key: SoftwareKey::generate(CURVE),
        dv: chain[1].clone(),
    };
    let id = IdIc::from_pace(&CURVE.public_key(&[0x44; 32]).unwrap());
    let (r, mut ch) = run(&chip_pki, &creds, &id, &id);
    assert!(r.unwrap().reads_dg3());
    assert_eq!(read_dg3(&mut ch).data, DG3);
}
