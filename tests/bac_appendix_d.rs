//! ICAO Doc 9303-11 Appendix D replayed byte for byte: BAC keys from the MRZ information, mutual
//! authentication from both sides, session keys and SSC, then the protected SELECT / READ BINARY exchange
//! that reads EF.COM, with the terminal and the chip both driven by this crate.

mod common;

use cccd::access::AccessError;
use cccd::access::bac::{BacChip, BacKey, BacTerminal};
use cccd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use cccd::crypto::sym::{pad_m2, retail_mac};
use serde_json::Value;

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))).unwrap()
}

fn arr<const N: usize>(v: &Value) -> [u8; N] {
    h(v).try_into().unwrap()
}

#[test]
fn appendix_d_byte_for_byte() {
    let v = common::json_vector("bac_sm_appendix_d.json");
    let mrz = &v["mrz"];
    let kd = &v["key_derivation"];
    let ma = &v["mutual_authentication"];

    // D.2: keys from the MRZ information, built from the fields and from the string.
    let info = mrz["MRZ_information"].as_str().unwrap();
    let number = mrz["document_number"].as_str().unwrap().trim_end_matches('<');
    let key =
        BacKey::from_document(number, mrz["date_of_birth"].as_str().unwrap(), mrz["date_of_expiry"].as_str().unwrap())
            .unwrap();
    assert_eq!(key, BacKey::from_mrz_information(info));
    assert_eq!(key.k_seed(), h(&kd["K_seed"]));
    assert_eq!(key.k_enc().as_bytes(), h(&kd["K_enc"]));
    assert_eq!(key.k_mac().as_bytes(), h(&kd["K_mac"]));

    // D.3: mutual authentication.
    let terminal = BacTerminal::new(key.clone());
    let chip = BacChip::new(BacKey::from_mrz_information(info));
    let get_challenge = terminal.get_challenge();
    assert_eq!(get_challenge.to_bytes().unwrap(), h(&ma["GET_CHALLENGE_command"]));
    let (challenge, chip) = chip
        .get_challenge(&CommandApdu::from_bytes(&get_challenge.to_bytes().unwrap()).unwrap(), arr(&ma["RND_IC"]))
        .unwrap();
    assert_eq!(challenge.to_bytes(), h(&ma["GET_CHALLENGE_response"]));

    let (ext_auth, terminal) = terminal
        .external_authenticate(
            &ResponseApdu::from_bytes(&challenge.to_bytes()).unwrap(),
            arr(&ma["RND_IFD"]),
            arr(&ma["K_IFD"]),
        )
        .unwrap();
    let ext_auth_bytes = ext_auth.to_bytes().unwrap();
    assert_eq!(ext_auth_bytes, h(&ma["EXTERNAL_AUTHENTICATE_command (gmrtd TestDoBAC; Le=28)"]));
    assert_eq!(ext_auth.data, h(&ma["cmd_data"]));
    assert_eq!(ext_auth.data[..32], h(&ma["E_IFD"])[..]);
    assert_eq!(ext_auth.data[32..], h(&ma["M_IFD"])[..]);
    // S, as the chip decrypts it.
    assert_eq!(key.k_enc().decrypt_cbc_zero_iv(&h(&ma["E_IFD"])).unwrap(), h(&ma["S"]));
    assert_eq!(retail_mac(key.k_mac().as_bytes(), &pad_m2(&h(&ma["E_IFD"]), 8)).unwrap().to_vec(), h(&ma["M_IFD"]));

    let (answer, mut chip_sm) =
        chip.external_authenticate(&CommandApdu::from_bytes(&ext_auth_bytes).unwrap(), arr(&ma["K_IC"])).unwrap();
    assert_eq!(answer.to_bytes(), h(&ma["response_APDU"]));
    assert_eq!(answer.data, h(&ma["resp_data"]));
    assert_eq!(answer.data[..32], h(&ma["E_IC"])[..]);
    assert_eq!(answer.data[32..], h(&ma["M_IC"])[..]);
    assert_eq!(key.k_enc().decrypt_cbc_zero_iv(&h(&ma["E_IC"])).unwrap(), h(&ma["R"]));

    let mut terminal_sm = terminal.finish(&ResponseApdu::from_bytes(&h(&ma["response_APDU"])).unwrap()).unwrap();
    let k_seed: Vec<u8> = h(&ma["K_IFD"]).iter().zip(h(&ma["K_IC"])).map(|(a, b)| a ^ b).collect();
    assert_eq!(k_seed, h(&ma["K_seed_session (K_IFD xor K_IC)"]));
    for sm in [&terminal_sm, &chip_sm] {
        assert_eq!(sm.keys().ks_enc.as_bytes(), h(&ma["KS_enc"]));
        assert_eq!(sm.keys().ks_mac.as_bytes(), h(&ma["KS_mac"]));
        assert_eq!(sm.ssc(), h(&ma["SSC (last 4 bytes RND.IC || last 4 bytes RND.IFD)"]));
    }

    // D.4: SELECT EF.COM, READ BINARY 4 bytes, READ BINARY the remaining 18 bytes.
    let ef_com = h(&v["resulting_EF_COM"]);
    let mut read = Vec::new();
    for step in v["secure_messaging"].as_array().unwrap() {
        let name = step["step"].as_str().unwrap();
        let command = CommandApdu::from_bytes(&h(&step["unprotected_command"])).unwrap();
        let protected = terminal_sm.wrap(&command).unwrap().to_bytes().unwrap();
        assert_eq!(protected, h(&step["protected_command"]), "{name}");
        assert_eq!(terminal_sm.ssc(), h(&step["SSC_used_for_command"]), "{name}");

        // The chip recovers the command and answers from its EF.COM.
        let seen = chip_sm.unwrap_command(&CommandApdu::from_bytes(&protected).unwrap()).unwrap();
        assert_eq!(seen, command, "{name}");
        let data = match seen.ins {
            0xA4 => Vec::new(),
            0xB0 => {
                let offset = usize::from(u16::from_be_bytes([seen.p1, seen.p2]));
                ef_com[offset..offset + seen.le.unwrap()].to_vec()
            }
            other => panic!("unexpected INS {other:02X}"),
        };
        let response = chip_sm.wrap_response(&ResponseApdu::new(data, StatusWord::Success)).unwrap();
        assert_eq!(response.to_bytes(), h(&step["response_APDU"]), "{name}");

        let plain = terminal_sm.unwrap(&ResponseApdu::from_bytes(&response.to_bytes()).unwrap()).unwrap();
        assert_eq!(terminal_sm.ssc(), h(&step["SSC_used_for_response"]), "{name}");
        assert!(plain.is_success());
        if let Some(d) = step.get("decrypted_data") {
            assert_eq!(plain.data, h(d), "{name}");
        }
        read.extend_from_slice(&plain.data);
    }
    assert_eq!(read, ef_com);
    assert_eq!(terminal_sm.ssc(), h(&v["final_SSC_after_D4 (gmrtd)"]));
    assert_eq!(chip_sm.ssc(), terminal_sm.ssc());
}

#[test]
fn wrong_mrz_fails_on_both_sides() {
    let v = common::json_vector("bac_sm_appendix_d.json");
    let ma = &v["mutual_authentication"];
    let right = BacKey::from_mrz_information(v["mrz"]["MRZ_information"].as_str().unwrap());
    // Same document, wrong date of birth.
    let wrong = BacKey::from_document("L898902C", "690807", "940623").unwrap();
    assert_ne!(right, wrong);

    // Terminal with the wrong MRZ: the chip's check fails, it answers 6300.
    let terminal = BacTerminal::new(wrong.clone());
    let chip = BacChip::new(right.clone());
    let (challenge, chip) = chip.get_challenge(&terminal.get_challenge(), arr(&ma["RND_IC"])).unwrap();
    let (cmd, terminal) = terminal.external_authenticate(&challenge, arr(&ma["RND_IFD"]), arr(&ma["K_IFD"])).unwrap();
    let err = chip.external_authenticate(&cmd, arr(&ma["K_IC"])).unwrap_err();
    assert_eq!(err, AccessError::AuthenticationFailed);
    assert_eq!(err.chip_status(), StatusWord::VerificationFailed);
    let refused = ResponseApdu::status(err.chip_status());
    assert_eq!(terminal.finish(&refused).unwrap_err(), AccessError::Rejected(StatusWord::VerificationFailed));

    // A chip answer made with other keys: the terminal's MAC check fails.
    let terminal = BacTerminal::new(wrong);
    let challenge = ResponseApdu::from_bytes(&h(&ma["GET_CHALLENGE_response"])).unwrap();
    let (_, terminal) = terminal.external_authenticate(&challenge, arr(&ma["RND_IFD"]), arr(&ma["K_IFD"])).unwrap();
    let answer = ResponseApdu::from_bytes(&h(&ma["response_APDU"])).unwrap();
    assert_eq!(terminal.finish(&answer).unwrap_err(), AccessError::AuthenticationFailed);

    // The right key but a different RND.IFD in the chip's answer (replayed from another session).
    let terminal = BacTerminal::new(right.clone());
    let (_, terminal) = terminal.external_authenticate(&challenge, [0x11; 8], arr(&ma["K_IFD"])).unwrap();
    assert_eq!(terminal.finish(&answer).unwrap_err(), AccessError::AuthenticationFailed);

    // Truncated answers and challenges.
    let terminal = BacTerminal::new(right.clone());
    let short = ResponseApdu::new(vec![1, 2, 3], StatusWord::Success);
    assert_eq!(
        terminal.external_authenticate(&short, [0; 8], [0; 16]).unwrap_err(),
        AccessError::UnexpectedResponseLength { expected: 8, actual: 3 }
    );
    let terminal = BacTerminal::new(right.clone());
    let (_, terminal) = terminal.external_authenticate(&challenge, arr(&ma["RND_IFD"]), arr(&ma["K_IFD"])).unwrap();
    let cut = ResponseApdu::new(answer.data[..39].to_vec(), StatusWord::Success);
    assert!(matches!(terminal.finish(&cut), Err(AccessError::UnexpectedResponseLength { expected: 40, actual: 39 })));

    // The chip refuses commands out of sequence.
    let chip = BacChip::new(right);
    let select = CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(vec![1, 0x1E]);
    assert!(matches!(chip.get_challenge(&select, [0; 8]), Err(AccessError::UnexpectedCommand { ins: 0xA4 })));
}

#[test]
fn random_sessions_agree() {
    // Two full runs with fresh randomness from a fixed-seed RNG agree on both sides.
    use rand_core::{Infallible, TryCryptoRng, TryRng};
    struct Counter(u8);
    impl TryRng for Counter {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            self.0 = self.0.wrapping_add(1);
            Ok(u32::from(self.0))
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            self.0 = self.0.wrapping_add(1);
            Ok(u64::from(self.0))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            for b in dst {
                self.0 = self.0.wrapping_add(37);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl TryCryptoRng for Counter {}
    let mut rng = Counter(0);
    let key = BacKey::from_document("C11T002JM", "960812", "231031").unwrap();
    let terminal = BacTerminal::new(key.clone());
    let (challenge, chip) = BacChip::new(key).get_challenge_with_rng(&terminal.get_challenge(), &mut rng).unwrap();
    let (cmd, terminal) = terminal.external_authenticate_with_rng(&challenge, &mut rng).unwrap();
    let (answer, mut chip_sm) = chip.external_authenticate_with_rng(&cmd, &mut rng).unwrap();
    let mut terminal_sm = terminal.finish(&answer).unwrap();
    assert_eq!(terminal_sm.keys(), chip_sm.keys());
    let read = terminal_sm.wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_le(4)).unwrap();
    assert_eq!(chip_sm.unwrap_command(&read).unwrap().le, Some(4));
    let r = chip_sm.wrap_response(&ResponseApdu::new(vec![0x60, 0x14, 0x5F, 0x01], StatusWord::Success)).unwrap();
    assert_eq!(terminal_sm.unwrap(&r).unwrap().data, [0x60, 0x14, 0x5F, 0x01]);
}

#[test]
fn appendix_d_over_a_replayed_transport() {
    use cccd::transport::{Recording, Replay};
    let v = common::json_vector("bac_sm_appendix_d.json");
    let ma = &v["mutual_authentication"];
    let mut script = vec![
        (h(&ma["GET_CHALLENGE_command"]), h(&ma["GET_CHALLENGE_response"])),
        (h(&ma["EXTERNAL_AUTHENTICATE_command (gmrtd TestDoBAC; Le=28)"]), h(&ma["response_APDU"])),
    ];
    for step in v["secure_messaging"].as_array().unwrap() {
        script.push((h(&step["protected_command"]), h(&step["response_APDU"])));
    }
    let key = BacKey::from_mrz_information(v["mrz"]["MRZ_information"].as_str().unwrap());
    let transport = Recording::new(Replay::new(script));
    let mut channel =
        cccd::access::bac::authenticate_with(transport, key, arr(&ma["RND_IFD"]), arr(&ma["K_IFD"])).unwrap();
    assert!(channel.transmit(&CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(vec![0x01, 0x1E])).unwrap().is_success());
    let mut ef_com = channel.transmit(&CommandApdu::new(0, 0xB0, 0, 0).with_le(4)).unwrap().data;
    ef_com.extend(channel.transmit(&CommandApdu::new(0, 0xB0, 0, 4).with_le(18)).unwrap().data);
    assert_eq!(ef_com, h(&v["resulting_EF_COM"]));
    let (replay, exchanges) = channel.into_transport().into_parts();
    assert!(replay.is_finished());
    assert_eq!(exchanges.len(), 5);
    // Nothing more was recorded: a sixth command is a transport error, surfaced through secure messaging.
    let mut channel = cccd::sm::SecureChannel::new(
        replay,
        cccd::sm::SecureMessaging::with_zero_ssc(cccd::crypto::SessionKeys::derive(
            cccd::oid::SmCipher::TripleDes,
            b"k",
        )),
    );
    assert!(matches!(
        channel.transmit(&CommandApdu::new(0, 0xB0, 0, 0).with_le(1)),
        Err(cccd::sm::SmError::Transport(cccd::transport::TransportError::UnexpectedCommand { index: 5 }))
    ));
}
