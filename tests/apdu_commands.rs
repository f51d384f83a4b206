//! The command catalogue (`cccd::apdu::commands`) against the full APDUs of the spec's worked examples in
//! `../shared/vectors`: ICAO 9303-11 Appendix D (BAC: GET CHALLENGE, EXTERNAL AUTHENTICATE, the unprotected
//! SELECT and READ BINARY of D.4) and Appendix G.1 (PACE-ECDH-GM: MSE:Set AT and the four GENERAL AUTHENTICATE
//! steps, each built from the values the vector gives for it).

mod common;

use cccd::apdu::commands;
use cccd::apdu::{CommandApdu, ResponseApdu};
use cccd::lds::LdsFile;
use serde_json::Value;

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))).unwrap()
}

fn bytes(c: &CommandApdu) -> Vec<u8> {
    c.to_bytes().unwrap()
}

/// The uncompressed point `04 x y` of a vector's `{x, y}`.
fn point(v: &Value) -> Vec<u8> {
    [vec![0x04], h(&v["x"]), h(&v["y"])].concat()
}

#[test]
fn bac_appendix_d_commands() {
    let v = common::json_vector("bac_sm_appendix_d.json");
    let ma = &v["mutual_authentication"];
    assert_eq!(bytes(&commands::get_challenge(8)), h(&ma["GET_CHALLENGE_command"]));
    let external = &ma["EXTERNAL_AUTHENTICATE_command (gmrtd TestDoBAC; Le=28)"];
    assert_eq!(bytes(&commands::mutual_authenticate(&h(&ma["cmd_data"]), 40)), h(external));
    // the BAC terminal builds the same command from the same nonces
    let response = ResponseApdu::from_bytes(&h(&ma["GET_CHALLENGE_response"])).unwrap();
    let mrz = v["mrz"]["MRZ_information"].as_str().unwrap();
    let key = cccd::access::bac::BacKey::from_mrz_information(mrz);
    let terminal = cccd::access::bac::BacTerminal::new(key);
    assert_eq!(terminal.get_challenge(), commands::get_challenge(8));
    let rnd_ifd: [u8; 8] = h(&ma["RND_IFD"]).try_into().unwrap();
    let k_ifd: [u8; 16] = h(&ma["K_IFD"]).try_into().unwrap();
    let (command, _) = terminal.external_authenticate(&response, rnd_ifd, k_ifd).unwrap();
    assert_eq!(bytes(&command), h(external));

    let sm = v["secure_messaging"].as_array().unwrap();
    assert_eq!(bytes(&commands::select_ef(LdsFile::Com.fid())), h(&sm[0]["unprotected_command"]));
    assert_eq!(bytes(&commands::read_binary(0, 4).unwrap()), h(&sm[1]["unprotected_command"]));
    assert_eq!(bytes(&commands::read_binary_at(4, 0x12)), h(&sm[2]["unprotected_command"]));
}

#[test]
fn pace_appendix_g1_commands() {
    let v = common::json_vector("pace_gm_ecdh_appendix_g1.json");
    let apdus: Vec<Vec<u8>> = v["apdus"].as_array().unwrap().iter().map(|a| h(&a["cmd"])).collect();
    assert_eq!(apdus.len(), 5);
    // id-PACE-ECDH-GM-AES-CBC-CMAC-128, the MRZ (01), no parameter ID (the chip offers one PACEInfo)
    let oid = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02];
    assert_eq!(bytes(&commands::mse_set_at_pace(&oid, 0x01, None)), apdus[0]);
    // the vector's note: gmrtd HEAD adds the parameter ID 13
    assert_eq!(
        bytes(&commands::mse_set_at_pace(&oid, 0x01, Some(13))),
        hex::decode("0022C1A412800A04007F0007020204020283010184010D").unwrap()
    );
    assert_eq!(bytes(&commands::pace_encrypted_nonce()), apdus[1]);
    assert_eq!(bytes(&commands::pace_map_nonce(&point(&v["PK_Map_IFD"]))), apdus[2]);
    assert_eq!(bytes(&commands::pace_key_agreement(&point(&v["PK_DH_IFD"]))), apdus[3]);
    assert_eq!(bytes(&commands::pace_mutual_authentication(&h(&v["T_IFD (CMAC-AES128 truncated to 8)"]))), apdus[4]);
    // the terminal of `access::pace` sends the same MSE:Set AT
    let card_access = cccd::lds::security_infos::CardAccess::decode(&h(&v["EF_CardAccess"])).unwrap();
    let params = cccd::access::pace::PaceParameters::from_security_infos(&card_access.infos);
    let params = params.first().unwrap().as_ref().unwrap();
    assert_eq!(bytes(&cccd::access::pace::mse_set_at(params, 0x01, false).unwrap()), apdus[0]);
}
