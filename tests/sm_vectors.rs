//! Secure messaging against ICAO Doc 9303-11 Appendix D.4 (3DES) and the AES vectors of `mac_kdf_cmac.json`:
//! terminal wrap / unwrap and chip unwrap_command / wrap_response reproduce every byte.

mod common;

use cccd::apdu::{CommandApdu, ResponseApdu};
use cccd::crypto::{SessionKeys, SymKey};
use cccd::oid::SmCipher;
use cccd::sm::SecureMessaging;
use serde_json::Value;

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))).unwrap()
}

fn appendix_d_session(v: &Value) -> SecureMessaging {
    let ma = &v["mutual_authentication"];
    let keys = SessionKeys {
        ks_enc: SymKey::new(SmCipher::TripleDes, &h(&ma["KS_enc"])).unwrap(),
        ks_mac: SymKey::new(SmCipher::TripleDes, &h(&ma["KS_mac"])).unwrap(),
    };
    SecureMessaging::new(keys, &h(&ma["SSC (last 4 bytes RND.IC || last 4 bytes RND.IFD)"])).unwrap()
}

#[test]
fn appendix_d4_terminal_and_chip() {
    let v = common::json_vector("bac_sm_appendix_d.json");
    let mut terminal = appendix_d_session(&v);
    let mut chip = appendix_d_session(&v);
    let steps = v["secure_messaging"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    let mut ef_com = Vec::new();
    for step in steps {
        let name = step["step"].as_str().unwrap();
        let command = CommandApdu::from_bytes(&h(&step["unprotected_command"])).unwrap();
        let protected = terminal.wrap(&command).unwrap();
        assert_eq!(terminal.ssc(), h(&step["SSC_used_for_command"]), "{name}");
        assert_eq!(protected.to_bytes().unwrap(), h(&step["protected_command"]), "{name}");
        let cc = &step["CC"];
        assert!(protected.data.ends_with(&h(cc)), "{name}");
        if let Some(do87) = step.get("DO87") {
            assert!(protected.data.starts_with(&h(do87)), "{name}");
        }
        if let Some(do97) = step.get("DO97") {
            assert!(protected.data.starts_with(&h(do97)), "{name}");
        }

        // The chip sees the bytes, verifies them and recovers the command.
        let received = CommandApdu::from_bytes(&h(&step["protected_command"])).unwrap();
        let recovered = chip.unwrap_command(&received).unwrap();
        assert_eq!(recovered.to_bytes().unwrap(), h(&step["unprotected_command"]), "{name}");
        assert_eq!(chip.ssc(), h(&step["SSC_used_for_command"]));

        // The chip answers: plain data (decrypted_data) and 9000, protected to the exact response bytes.
        let plain = step.get("decrypted_data").map(h).unwrap_or_default();
        let answer = chip.wrap_response(&ResponseApdu::new(plain.clone(), cccd::apdu::StatusWord::Success)).unwrap();
        assert_eq!(answer.to_bytes(), h(&step["response_APDU"]), "{name}");
        assert_eq!(chip.ssc(), h(&step["SSC_used_for_response"]));

        let response = ResponseApdu::from_bytes(&h(&step["response_APDU"])).unwrap();
        let unprotected = terminal.unwrap(&response).unwrap();
        assert_eq!(terminal.ssc(), h(&step["SSC_used_for_response"]), "{name}");
        assert_eq!(unprotected.data, plain, "{name}");
        assert!(unprotected.is_success());
        assert!(response.data.ends_with(&h(&step["CC_response"])));
        if let Some(k) = step.get("unprotected_response") {
            assert_eq!(unprotected.to_bytes(), h(k));
        }
        if let Some(e) = step.get("encrypted_DO87_value") {
            let mut do87_value = vec![0x01];
            do87_value.extend_from_slice(&h(e));
            assert!(response.data.windows(do87_value.len()).any(|w| w == do87_value));
        }
        ef_com.extend_from_slice(&unprotected.data);
    }
    assert_eq!(ef_com, h(&v["resulting_EF_COM"]));
    assert_eq!(terminal.ssc(), h(&v["final_SSC_after_D4 (gmrtd)"]));
}

#[test]
fn appendix_d4_replayed_response_fails() {
    let v = common::json_vector("bac_sm_appendix_d.json");
    let mut terminal = appendix_d_session(&v);
    let step = &v["secure_messaging"][0];
    terminal.wrap(&CommandApdu::from_bytes(&h(&step["unprotected_command"])).unwrap()).unwrap();
    let response = ResponseApdu::from_bytes(&h(&step["response_APDU"])).unwrap();
    terminal.unwrap(&response).unwrap();
    // Same response to the next command: the SSC moved on, the MAC no longer verifies.
    let step2 = &v["secure_messaging"][1];
    terminal.wrap(&CommandApdu::from_bytes(&h(&step2["unprotected_command"])).unwrap()).unwrap();
    assert_eq!(terminal.unwrap(&response), Err(cccd::sm::SmError::MacMismatch));
}

#[test]
fn gmrtd_aes128_wrap_of_mse_set_at() {
    let v = common::json_vector("mac_kdf_cmac.json");
    let c = &v["aes_secure_messaging"][2];
    let keys = SessionKeys {
        ks_enc: SymKey::new(SmCipher::Aes128, &h(&c["KS_enc"])).unwrap(),
        ks_mac: SymKey::new(SmCipher::Aes128, &h(&c["KS_mac"])).unwrap(),
    };
    let mut terminal = SecureMessaging::new(keys.clone(), &h(&c["SSC_before"])).unwrap();
    let mut chip = SecureMessaging::new(keys, &h(&c["SSC_before"])).unwrap();
    let command =
        CommandApdu::new(0x00, 0x22, 0x41, 0xA4).with_data(hex::decode("800a04007f000702020302028401c3").unwrap());
    let protected = terminal.wrap(&command).unwrap();
    assert_eq!(protected.to_bytes().unwrap(), h(&c["protected"]));
    assert_eq!(chip.unwrap_command(&protected).unwrap(), command);
}
