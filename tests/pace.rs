//! PACE: ICAO Doc 9303-11 Appendix G.1 (ECDH Generic Mapping, brainpoolP256r1, AES-128) reproduced value by
//! value and APDU by APDU on both sides, and every cipher × standardized curve round trip between the terminal
//! and the chip side, for Generic Mapping and Chip Authentication Mapping (whose proof is checked against a
//! DG14 and refused for another chip's key); wrong passwords fail cleanly and the CAN counter is enforced.
mod common;

use cccd::access::AccessError;
use cccd::access::pace::{
    ChipSecretsOverride, PaceChip, PaceParameters, PacePassword, TerminalSecrets, authenticate, authenticate_with,
};
use cccd::apdu::{CommandApdu, ResponseApdu, ins};
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::sym::KdfCounter;
use cccd::lds::security_infos::CardAccess;
use cccd::oid::SmCipher;
use cccd::transport::{Replay, Transport, TransportError};
use zeroize::Zeroizing;

fn h(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn point(v: &serde_json::Value) -> Vec<u8> {
    [vec![0x04], h(&v["x"]), h(&v["y"])].concat()
}

fn g1() -> serde_json::Value {
    common::json_vector("pace_gm_ecdh_appendix_g1.json")
}

fn g1_parameters(v: &serde_json::Value) -> PaceParameters {
    let card_access = CardAccess::decode(&h(&v["EF_CardAccess"])).unwrap();
    let info = card_access.infos.pace_infos().next().unwrap();
    PaceParameters::from_info(info).unwrap()
}

fn mrz(v: &serde_json::Value) -> PacePassword {
    PacePassword::Mrz(Zeroizing::new(v["password"]["MRZ_information"].as_str().unwrap().to_string()))
}

#[test]
fn appendix_g1_values() {
    let v = g1();
    let params = g1_parameters(&v);
    assert_eq!(params.curve(), Some(NamedCurve::BrainpoolP256r1));
    assert_eq!(params.parameter_id, 13);
    assert_eq!(params.description(), "PACE-GM-ECDH-AES128 (brainpoolP256r1)");
    let k_pi = mrz(&v).key(SmCipher::Aes128);
    assert_eq!(k_pi.as_bytes(), h(&v["K_pi = KDF(K,3) AES-128"]));
    assert_eq!(k_pi.decrypt_cbc_zero_iv(&h(&v["encrypted_nonce_z"])).unwrap(), h(&v["decrypted_nonce_s"]));
    let curve = params.curve().unwrap();
    assert_eq!(curve.public_key(&h(&v["SK_Map_IFD"])).unwrap(), point(&v["PK_Map_IFD"]));
    assert_eq!(curve.public_key(&h(&v["SK_Map_IC"])).unwrap(), point(&v["PK_Map_IC"]));
    let hp = curve.mul(&point(&v["PK_Map_IC"]), &h(&v["SK_Map_IFD"])).unwrap();
    assert_eq!(hp, point(&v["H (shared mapping point)"]));
    let sg = curve.mul(&curve.generator(), &h(&v["decrypted_nonce_s"])).unwrap();
    let g_tilde = curve.add(&sg, &hp).unwrap();
    assert_eq!(g_tilde, point(&v["mapped_generator G~ = s*G + H"]));
    assert_eq!(curve.mul(&g_tilde, &h(&v["SK_DH_IFD"])).unwrap(), point(&v["PK_DH_IFD"]));
    assert_eq!(curve.mul(&g_tilde, &h(&v["SK_DH_IC"])).unwrap(), point(&v["PK_DH_IC"]));
    let k = curve.ecdh(&h(&v["SK_DH_IFD"]), &point(&v["PK_DH_IC"])).unwrap();
    assert_eq!(k.as_slice(), h(&v["K (shared secret = x-coordinate)"]));
    let _ = KdfCounter::Pi;
}

#[test]
fn appendix_g1_terminal_side_apdu_by_apdu() {
    let v = g1();
    let params = g1_parameters(&v);
    let script: Vec<(Vec<u8>, Vec<u8>)> =
        v["apdus"].as_array().unwrap().iter().map(|a| (h(&a["cmd"]), h(&a["rsp"]))).collect();
    let mut chip = Replay::new(script);
    let secrets = TerminalSecrets {
        mapping: Some(Zeroizing::new(h(&v["SK_Map_IFD"]))),
        key_agreement: Some(Zeroizing::new(h(&v["SK_DH_IFD"]))),
        nonce: None,
    };
    // one PACEInfo: no parameter ID sent, as in the published trace
    let outcome = authenticate_with(&mut chip, &params, &mrz(&v), false, &secrets).unwrap();
    assert!(chip.is_finished());
    let keys = outcome.session.keys();
    assert_eq!(keys.ks_enc.as_bytes(), h(&v["KS_enc"]));
    assert_eq!(keys.ks_mac.as_bytes(), h(&v["KS_mac"]));
    assert_eq!(outcome.session.ssc(), h(&v["SSC_after_PACE"]));
    assert_eq!(outcome.chip_ephemeral_key, point(&v["PK_DH_IC"]));
}

#[test]
fn appendix_g1_chip_side_apdu_by_apdu() {
    let v = g1();
    let params = g1_parameters(&v);
    let mut chip = PaceChip::new(vec![params], v["password"]["MRZ_information"].as_str(), None).with_secrets(
        ChipSecretsOverride {
            nonce: Some(Zeroizing::new(h(&v["decrypted_nonce_s"]))),
            mapping: Some(Zeroizing::new(h(&v["SK_Map_IC"]))),
            key_agreement: Some(Zeroizing::new(h(&v["SK_DH_IC"]))),
        },
    );
    let mut outcome = None;
    for a in v["apdus"].as_array().unwrap() {
        let command = CommandApdu::from_bytes(&h(&a["cmd"])).unwrap();
        let response = match command.ins {
            ins::MANAGE_SECURITY_ENVIRONMENT => chip.set_at(&command),
            _ => {
                let (r, done) = chip.general_authenticate(&command);
                outcome = done.or(outcome);
                r
            }
        };
        assert_eq!(hex::encode_upper(response.to_bytes()), a["rsp"].as_str().unwrap(), "{}", a["cmd"]);
    }
    let outcome = outcome.expect("PACE completed");
    assert_eq!(outcome.session.keys().ks_enc.as_bytes(), h(&v["KS_enc"]));
    assert_eq!(outcome.session.keys().ks_mac.as_bytes(), h(&v["KS_mac"]));
}

/// The chip side behind a `Transport`.
struct Chip(PaceChip, Option<cccd::access::pace::PaceOutcome>);

impl Transport for Chip {
    fn transmit(&mut self, c: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        Ok(match c.ins {
            ins::MANAGE_SECURITY_ENVIRONMENT => self.0.set_at(c),
            _ => {
                let (r, done) = self.0.general_authenticate(c);
                if done.is_some() {
                    self.1 = done;
                }
                r
            }
        })
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.0.abort();
        Ok(())
    }
}

#[test]
fn every_cipher_and_curve_round_trips_between_terminal_and_chip() {
    let mut runs = 0;
    for cipher in [SmCipher::TripleDes, SmCipher::Aes128, SmCipher::Aes192, SmCipher::Aes256] {
        for curve in NamedCurve::all() {
            let params = PaceParameters::generic_ecdh(cipher, curve).unwrap();
            for (password, use_can) in [("T22000129364081251010318", false), ("123456", true)] {
                let mut chip =
                    Chip(PaceChip::new(vec![params], Some("T22000129364081251010318"), Some("123456")), None);
                let pw = if use_can {
                    PacePassword::Can(Zeroizing::new(password.into()))
                } else {
                    PacePassword::Mrz(Zeroizing::new(password.into()))
                };
                let outcome = authenticate(&mut chip, &params, &pw, true)
                    .unwrap_or_else(|e| panic!("{}: {e}", params.description()));
                let chip_side = chip.1.take().unwrap();
                assert!(outcome.session.keys() == chip_side.session.keys(), "{}", params.description());
                // the sessions talk: a protected command and response
                let mut terminal = outcome.session;
                let mut card = chip_side.session;
                let wrapped = terminal.wrap(&CommandApdu::new(0, ins::READ_BINARY, 0, 0).with_le(4)).unwrap();
                card.unwrap_command(&wrapped).unwrap();
                let r =
                    card.wrap_response(&ResponseApdu::new(vec![1, 2, 3, 4], cccd::apdu::StatusWord::Success)).unwrap();
                assert_eq!(terminal.unwrap(&r).unwrap().data, vec![1, 2, 3, 4]);
                runs += 1;
            }
        }
    }
    assert_eq!(runs, 4 * 11 * 2);
}

#[test]
fn integrated_mapping_round_trips_on_every_cipher_curve_and_group() {
    use cccd::access::pace::PaceDomain;
    use cccd::crypto::dh::ModpGroup;
    let mut runs = 0;
    let domains: Vec<PaceDomain> = NamedCurve::all()
        .filter(|c| *c != NamedCurve::P224)
        .map(PaceDomain::Ec)
        .chain(ModpGroup::all().into_iter().map(PaceDomain::Dh))
        .collect();
    for cipher in [SmCipher::TripleDes, SmCipher::Aes128, SmCipher::Aes192, SmCipher::Aes256] {
        for domain in &domains {
            let params = PaceParameters::new(cccd::oid::PaceMapping::Integrated, cipher, *domain).unwrap();
            assert!(params.description().starts_with("PACE-IM-"), "{}", params.description());
            let mut chip = Chip(PaceChip::new(vec![params], Some("T22000129364081251010318"), Some("123456")), None);
            let pw = PacePassword::Mrz(Zeroizing::new("T22000129364081251010318".into()));
            let outcome =
                authenticate(&mut chip, &params, &pw, true).unwrap_or_else(|e| panic!("{}: {e}", params.description()));
            assert!(outcome.session.keys() == chip.1.take().unwrap().session.keys(), "{}", params.description());
            runs += 1;
        }
    }
    assert_eq!(runs, 4 * 13);
    // the point encoding needs p ≡ 3 (mod 4): not P-224
    assert!(PaceParameters::integrated_ecdh(SmCipher::Aes128, NamedCurve::P224).is_err());
    // a wrong CAN is counted with IM as with GM
    let params = PaceParameters::integrated_ecdh(SmCipher::Aes128, NamedCurve::BrainpoolP256r1).unwrap();
    let mut chip = Chip(PaceChip::new(vec![params], None, Some("123456")), None);
    let wrong = PacePassword::Can(Zeroizing::new("000000".into()));
    assert!(matches!(
        authenticate(&mut chip, &params, &wrong, false),
        Err(AccessError::PasswordRejected { retries_left: Some(2) })
    ));
}

#[test]
fn dh_generic_mapping_round_trips_in_every_modp_group_and_cipher() {
    use cccd::crypto::dh::ModpGroup;
    let mut runs = 0;
    for group in ModpGroup::all() {
        for cipher in [SmCipher::TripleDes, SmCipher::Aes128, SmCipher::Aes192, SmCipher::Aes256] {
            let params = PaceParameters::generic_dh(cipher, group).unwrap();
            assert!(params.description().starts_with("PACE-GM-DH-"), "{}", params.description());
            assert_eq!(params.parameter_id, group.parameter_id());
            let mut chip = Chip(PaceChip::new(vec![params], Some("T22000129364081251010318"), Some("123456")), None);
            let pw = PacePassword::Can(Zeroizing::new("123456".into()));
            let outcome =
                authenticate(&mut chip, &params, &pw, true).unwrap_or_else(|e| panic!("{}: {e}", params.description()));
            assert!(outcome.session.keys() == chip.1.take().unwrap().session.keys(), "{}", params.description());
            assert!(outcome.chip_authentication_mapping.is_none());
            runs += 1;
        }
    }
    assert_eq!(runs, 3 * 4);
    // a wrong password fails cleanly, counted
    let params = PaceParameters::generic_dh(SmCipher::Aes128, ModpGroup::Modp1024_160).unwrap();
    let mut chip = Chip(PaceChip::new(vec![params], None, Some("123456")), None);
    let wrong = PacePassword::Can(Zeroizing::new("000000".into()));
    assert!(matches!(
        authenticate(&mut chip, &params, &wrong, false),
        Err(AccessError::PasswordRejected { retries_left: Some(2) })
    ));
    // CAM is not defined for DH
    assert!(
        PaceParameters::new(
            cccd::oid::PaceMapping::ChipAuthentication,
            SmCipher::Aes128,
            cccd::access::pace::PaceDomain::Dh(ModpGroup::Modp2048_256)
        )
        .is_err()
    );
}

#[test]
fn chip_authentication_mapping_round_trips_on_every_aes_cipher_and_curve_and_proves_the_dg14_key() {
    use cccd::lds::security_infos::Dg14;
    use cccd::pki::{Signer, SoftwareKey};
    let mut runs = 0;
    for cipher in [SmCipher::Aes128, SmCipher::Aes192, SmCipher::Aes256] {
        for curve in NamedCurve::all() {
            let params = PaceParameters::chip_authentication_mapping(cipher, curve).unwrap();
            assert!(params.description().starts_with("PACE-CAM-ECDH-AES"), "{}", params.description());
            let key = SoftwareKey::generate(curve);
            let dg14_for = |k: &SoftwareKey| Dg14::for_chip_authentication(&k.public_key().unwrap(), None).unwrap();
            let mut chip =
                Chip(PaceChip::new(vec![params], None, Some("123456")).with_chip_authentication_key(key.clone()), None);
            let pw = PacePassword::Can(Zeroizing::new("123456".into()));
            let outcome = authenticate(&mut chip, &params, &pw, false)
                .unwrap_or_else(|e| panic!("{}: {e}", params.description()));
            assert!(outcome.session.keys() == chip.1.take().unwrap().session.keys());
            let cam = outcome.chip_authentication_mapping.expect("CAM data");
            assert_eq!(cam.verify(&dg14_for(&key)).unwrap(), None, "{}", params.description());
            // a DG14 with another chip's key: not this chip
            let other = SoftwareKey::generate(curve);
            assert_eq!(cam.verify(&dg14_for(&other)), Err(AccessError::AuthenticationFailed));
            // a tampered proof
            let mut bad = cam.clone();
            if let Some(b) = bad.chip_authentication_data.last_mut() {
                *b ^= 1;
            }
            assert!(bad.verify(&dg14_for(&key)).is_err());
            runs += 1;
        }
    }
    assert_eq!(runs, 3 * 11);
    // no 3DES CAM; a chip without a key on the curve refuses CAM at MSE:Set AT
    assert!(PaceParameters::chip_authentication_mapping(SmCipher::TripleDes, NamedCurve::P256).is_err());
    let params = PaceParameters::chip_authentication_mapping(SmCipher::Aes128, NamedCurve::P256).unwrap();
    let mut keyless = Chip(PaceChip::new(vec![params], None, Some("123456")), None);
    let pw = PacePassword::Can(Zeroizing::new("123456".into()));
    assert!(matches!(authenticate(&mut keyless, &params, &pw, false), Err(AccessError::Rejected(_))));
    let mut wrong_curve = Chip(
        PaceChip::new(vec![params], None, Some("123456"))
            .with_chip_authentication_key(SoftwareKey::generate(NamedCurve::BrainpoolP256r1)),
        None,
    );
    assert!(matches!(authenticate(&mut wrong_curve, &params, &pw, false), Err(AccessError::Rejected(_))));
}

#[test]
fn a_wrong_can_fails_cleanly_and_the_chip_counts() {
    let params = PaceParameters::generic_ecdh(SmCipher::Aes128, NamedCurve::BrainpoolP256r1).unwrap();
    let mut chip = Chip(PaceChip::new(vec![params], None, Some("123456")), None);
    let wrong = PacePassword::Can(Zeroizing::new("654321".into()));
    let right = PacePassword::Can(Zeroizing::new("123456".into()));
    for left in [2u8, 1] {
        match authenticate(&mut chip, &params, &wrong, false) {
            Err(AccessError::PasswordRejected { retries_left }) => assert_eq!(retries_left, Some(left)),
            other => panic!("expected a refused password, got {other:?}"),
        }
    }
    // a right CAN restores the counter
    authenticate(&mut chip, &params, &right, false).unwrap();
    assert_eq!(chip.0.can_tries(), 3);
    for left in [2u8, 1, 0] {
        assert!(matches!(
            authenticate(&mut chip, &params, &wrong, false),
            Err(AccessError::PasswordRejected { retries_left: Some(n) }) if n == left
        ));
    }
    // blocked: even the right CAN is refused at MSE:Set AT
    match authenticate(&mut chip, &params, &right, false) {
        Err(AccessError::Rejected(sw)) => assert_eq!(u16::from(sw), 0x6983),
        other => panic!("expected blocked, got {other:?}"),
    }
    // a password the chip does not have, and an error message that holds no password
    let mut no_can = Chip(PaceChip::new(vec![params], Some("T22000129364081251010318"), None), None);
    let e = authenticate(&mut no_can, &params, &right, false).unwrap_err();
    assert!(!e.to_string().contains("123456"));
    assert!(!format!("{right:?}").contains("123456"));
}
