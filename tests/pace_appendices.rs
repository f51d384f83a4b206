//! The other worked examples of ICAO Doc 9303-11 (8th edition), reproduced value by value, then run between
//! the terminal and the chip side with the examples' secrets:
//! - G.2: PACE Generic Mapping with DH (1024-bit MODP group, ID 0), AES-128, MRZ password;
//! - H.1: PACE Integrated Mapping with ECDH (brainpoolP256r1), AES-128: `R_p(s,t)`, the point encoding, keys, tokens;
//! - H.2: PACE Integrated Mapping with DH (ID 0), AES-128;
//! - I.1: PACE Chip Authentication Mapping (brainpoolP256r1), AES-128, MRZ password: the chip's encrypted
//!   Chip Authentication Data byte for byte, and its check against the ChipAuthenticationPublicKeyInfo.
//!
//! The values are in `tests/vectors/icao_9303_11_pace_examples.json`, transcribed from the document.

use cccd::access::pace::{
    ChipSecretsOverride, PaceChip, PaceDomain, PaceOutcome, PaceParameters, PacePassword, TerminalSecrets,
    authenticate_with, im,
};
use cccd::apdu::{CommandApdu, ResponseApdu, ins};
use cccd::crypto::dh::ModpGroup;
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::sym::{SessionKeys, SymKey};
use cccd::lds::security_infos::{CardAccess, Dg14, SecurityInfo, SecurityInfos};
use cccd::oid::SmCipher;
use cccd::transport::{Recording, Transport, TransportError};
use zeroize::Zeroizing;

fn vectors() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/icao_9303_11_pace_examples.json");
    serde_json::from_slice(&std::fs::read(path).expect("vector file")).expect("JSON")
}

fn h(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("hex")
}

fn z(v: &serde_json::Value) -> Option<Zeroizing<Vec<u8>>> {
    Some(Zeroizing::new(h(v)))
}

/// The chip side behind a `Transport`, keeping its outcome.
struct Chip(PaceChip, Option<PaceOutcome>);

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
fn appendix_g2_dh_generic_mapping() {
    let v = &vectors()["G2_DH_GM"];
    let params = PaceParameters::generic_dh(SmCipher::Aes128, ModpGroup::Modp1024_160).unwrap();
    assert_eq!(params.description(), "PACE-GM-DH-AES128 (1024-bit MODP (160-bit subgroup))");
    let d = params.domain;
    let password = PacePassword::Mrz(Zeroizing::new(v["mrz_information"].as_str().unwrap().into()));
    assert_eq!(password.key(SmCipher::Aes128).decrypt_cbc_zero_iv(&h(&v["z"])).unwrap(), h(&v["s"]));
    assert_eq!(d.public_key(&h(&v["SK_Map_IFD"])).unwrap(), h(&v["PK_Map_IFD"]));
    assert_eq!(d.public_key(&h(&v["SK_Map_IC"])).unwrap(), h(&v["PK_Map_IC"]));
    let hh = d.exp(&h(&v["PK_Map_IC"]), &h(&v["SK_Map_IFD"])).unwrap();
    assert_eq!(hh, h(&v["H"]));
    let g_tilde = d.generic_mapping(&h(&v["s"]), &hh).unwrap();
    assert_eq!(g_tilde, h(&v["mapped_generator"]));
    assert_eq!(d.exp(&g_tilde, &h(&v["SK_DH_IFD"])).unwrap(), h(&v["PK_DH_IFD"]));
    assert_eq!(d.exp(&g_tilde, &h(&v["SK_DH_IC"])).unwrap(), h(&v["PK_DH_IC"]));
    let k = d.shared_secret(&h(&v["SK_DH_IFD"]), &h(&v["PK_DH_IC"])).unwrap();
    assert_eq!(k.as_slice(), h(&v["K"]));
    let keys = SessionKeys::derive(SmCipher::Aes128, &k);
    assert_eq!(keys.ks_enc.as_bytes(), h(&v["KS_enc"]));
    assert_eq!(keys.ks_mac.as_bytes(), h(&v["KS_mac"]));
    assert_eq!(params.authentication_token(&keys, &h(&v["PK_DH_IC"])).unwrap().to_vec(), h(&v["T_IFD"]));
    assert_eq!(params.authentication_token(&keys, &h(&v["PK_DH_IFD"])).unwrap().to_vec(), h(&v["T_IC"]));

    // both sides with the example's secrets: the same messages and keys
    let chip = PaceChip::new(vec![params], v["mrz_information"].as_str(), None).with_secrets(ChipSecretsOverride {
        nonce: z(&v["s"]),
        mapping: z(&v["SK_Map_IC"]),
        key_agreement: z(&v["SK_DH_IC"]),
    });
    let mut chip = Recording::new(Chip(chip, None));
    let secrets = TerminalSecrets { mapping: z(&v["SK_Map_IFD"]), key_agreement: z(&v["SK_DH_IFD"]), nonce: None };
    let outcome = authenticate_with(&mut chip, &params, &password, false, &secrets).unwrap();
    assert_eq!(outcome.session.keys().ks_enc.as_bytes(), h(&v["KS_enc"]));
    assert_eq!(outcome.chip_ephemeral_key, h(&v["PK_DH_IC"]));
    let exchanges = chip.exchanges();
    let last = exchanges.last().unwrap();
    assert_eq!(last.command.data[4..], h(&v["T_IFD"])[..]);
    assert_eq!(last.response.as_ref().unwrap().data[4..12], h(&v["T_IC"])[..]);

    // the published last answer also carries a CAR (87): the terminal takes T_IC among other objects
    let r = ResponseApdu::new(h(&v["last_response"]), cccd::apdu::StatusWord::Success);
    assert_eq!(cccd::access::pace::dynamic_object(&r.data, 0x86).unwrap(), h(&v["T_IC"]));
}

#[test]
fn appendix_h1_ecdh_integrated_mapping() {
    let v = &vectors()["H1_ECDH_IM"];
    let params = PaceParameters::integrated_ecdh(SmCipher::Aes128, NamedCurve::BrainpoolP256r1).unwrap();
    assert_eq!(params.description(), "PACE-IM-ECDH-AES128 (brainpoolP256r1)");
    let k_pi = SymKey::new(SmCipher::Aes128, &h(&v["K_pi"])).unwrap();
    assert_eq!(k_pi.decrypt_cbc_zero_iv(&h(&v["z"])).unwrap(), h(&v["s"]));
    let random = im::pseudo_random(SmCipher::Aes128, &h(&v["s"]), &h(&v["t"]), 256).unwrap();
    assert_eq!(random.as_slice(), h(&v["R"]));
    let p = NamedCurve::BrainpoolP256r1.parameters().p;
    let rp = im::reduce(&random, &p).unwrap();
    assert_eq!(rp.as_slice(), h(&v["R_p"]));
    assert_eq!(im::point_encoding(NamedCurve::BrainpoolP256r1, &rp).unwrap(), h(&v["mapped_generator"]));
    let d = params.domain;
    let g_tilde = d.integrated_mapping(SmCipher::Aes128, &h(&v["s"]), &h(&v["t"])).unwrap();
    assert_eq!(g_tilde, h(&v["mapped_generator"]));
    assert_eq!(d.exp(&g_tilde, &h(&v["SK_DH_IC"])).unwrap(), h(&v["PK_DH_IC"]));
    assert_eq!(d.exp(&g_tilde, &h(&v["SK_DH_IFD"])).unwrap(), h(&v["PK_DH_IFD"]));
    let k = d.shared_secret(&h(&v["SK_DH_IFD"]), &h(&v["PK_DH_IC"])).unwrap();
    assert_eq!(k.as_slice(), h(&v["K"]));
    let keys = SessionKeys::derive(SmCipher::Aes128, &k);
    assert_eq!(keys.ks_enc.as_bytes(), h(&v["KS_enc"]));
    assert_eq!(keys.ks_mac.as_bytes(), h(&v["KS_mac"]));
    assert_eq!(params.authentication_token(&keys, &h(&v["PK_DH_IFD"])).unwrap().to_vec(), h(&v["T_IC"]));
    assert_eq!(params.authentication_token(&keys, &h(&v["PK_DH_IC"])).unwrap().to_vec(), h(&v["T_IFD"]));
}

#[test]
fn appendix_h2_dh_integrated_mapping() {
    let v = &vectors()["H2_DH_IM"];
    let params = PaceParameters::integrated_dh(SmCipher::Aes128, ModpGroup::Modp1024_160).unwrap();
    let k_pi = SymKey::new(SmCipher::Aes128, &h(&v["K_pi"])).unwrap();
    assert_eq!(k_pi.decrypt_cbc_zero_iv(&h(&v["z"])).unwrap(), h(&v["s"]));
    let random = im::pseudo_random(SmCipher::Aes128, &h(&v["s"]), &h(&v["t"]), 1024).unwrap();
    assert_eq!(random.as_slice(), h(&v["R"]));
    let group = ModpGroup::Modp1024_160.domain();
    assert_eq!(im::reduce(&random, group.p()).unwrap().as_slice(), h(&v["R_p"]));
    let d = params.domain;
    let g_tilde = d.integrated_mapping(SmCipher::Aes128, &h(&v["s"]), &h(&v["t"])).unwrap();
    assert_eq!(g_tilde, h(&v["mapped_generator"]));
    // the example's exponents are the length of p: the same powers as their residues mod q
    assert_eq!(d.exp(&g_tilde, &h(&v["SK_DH_IC"])).unwrap(), h(&v["PK_DH_IC"]));
    assert_eq!(d.exp(&g_tilde, &h(&v["SK_DH_IFD"])).unwrap(), h(&v["PK_DH_IFD"]));
    let k = d.shared_secret(&h(&v["SK_DH_IFD"]), &h(&v["PK_DH_IC"])).unwrap();
    assert_eq!(k.as_slice(), h(&v["K"]));
    let keys = SessionKeys::derive(SmCipher::Aes128, &k);
    assert_eq!(keys.ks_enc.as_bytes(), h(&v["KS_enc"]));
    assert_eq!(keys.ks_mac.as_bytes(), h(&v["KS_mac"]));
    assert_eq!(params.authentication_token(&keys, &h(&v["PK_DH_IFD"])).unwrap().to_vec(), h(&v["T_IC"]));
    assert_eq!(params.authentication_token(&keys, &h(&v["PK_DH_IC"])).unwrap().to_vec(), h(&v["T_IFD"]));
}

#[test]
fn appendix_i1_chip_authentication_mapping() {
    let v = &vectors()["I1_ECDH_CAM"];
    let infos = CardAccess::decode(&[vec![0x31, 0x14], h(&v["EF_CardAccess_PACEInfo"])].concat()).unwrap();
    let params = PaceParameters::from_info(infos.infos.pace_infos().next().unwrap()).unwrap();
    assert_eq!(params.description(), "PACE-CAM-ECDH-AES128 (brainpoolP256r1)");
    let curve = NamedCurve::BrainpoolP256r1;
    let password = PacePassword::Mrz(Zeroizing::new(v["mrz_information"].as_str().unwrap().into()));
    assert_eq!(password.key(SmCipher::Aes128).as_bytes(), h(&v["K_pi"]));
    let d = PaceDomain::Ec(curve);
    assert_eq!(d.public_key(&h(&v["SK_Map_IFD"])).unwrap(), h(&v["PK_Map_IFD"]));
    assert_eq!(d.public_key(&h(&v["SK_Map_IC"])).unwrap(), h(&v["PK_Map_IC"]));
    assert_eq!(d.exp(&h(&v["PK_Map_IC"]), &h(&v["SK_Map_IFD"])).unwrap(), h(&v["H"]));
    assert_eq!(d.generic_mapping(&h(&v["s"]), &h(&v["H"])).unwrap(), h(&v["mapped_generator"]));

    // the chip's static key follows from the example: SK_IC = CA_IC⁻¹·SK_Map,IC
    let sk_ic = curve.inverse_times(&h(&v["CA_IC"]), &h(&v["SK_Map_IC"])).unwrap();
    assert_eq!(curve.public_key(&sk_ic).unwrap(), h(&v["PK_IC"]));
    let static_key = cccd::pki::SoftwareKey::from_secret(curve, &sk_ic).unwrap();

    let chip = PaceChip::new(vec![params], v["mrz_information"].as_str(), None)
        .with_secrets(ChipSecretsOverride {
            nonce: z(&v["s"]),
            mapping: z(&v["SK_Map_IC"]),
            key_agreement: z(&v["SK_DH_IC"]),
        })
        .with_chip_authentication_key(static_key);
    let mut chip = Recording::new(Chip(chip, None));
    let secrets = TerminalSecrets { mapping: z(&v["SK_Map_IFD"]), key_agreement: z(&v["SK_DH_IFD"]), nonce: None };
    let outcome = authenticate_with(&mut chip, &params, &password, false, &secrets).unwrap();
    assert_eq!(outcome.session.keys().ks_enc.as_bytes(), h(&v["KS_enc"]));
    assert_eq!(outcome.session.keys().ks_mac.as_bytes(), h(&v["KS_mac"]));
    let last = chip.exchanges().last().unwrap().clone();
    // the published last exchange: T_IFD; then 86 T_IC and 8A A_IC
    assert_eq!(last.command.data, [vec![0x7C, 0x0A, 0x85, 0x08], h(&v["T_IFD"])].concat());
    let response = last.response.unwrap();
    assert_eq!(cccd::access::pace::dynamic_object(&response.data, 0x86).unwrap(), h(&v["T_IC"]));
    assert_eq!(cccd::access::pace::dynamic_object(&response.data, 0x8A).unwrap(), h(&v["A_IC"]));
    assert_eq!(outcome.session.keys().ks_enc.sm_iv(&[0xFF; 16]).unwrap(), h(&v["IV"]));

    // the terminal's check, with the ChipAuthenticationPublicKeyInfo of the example
    let cam = outcome.chip_authentication_mapping.expect("CAM data");
    assert_eq!(cam.chip_authentication_data, h(&v["CA_IC"]));
    assert_eq!(cam.mapping_key, h(&v["PK_Map_IC"]));
    let info = SecurityInfo::decode(&h(&v["ChipAuthenticationPublicKeyInfo"])).unwrap();
    let dg14 = Dg14 { infos: SecurityInfos::new(vec![info]) };
    assert_eq!(cam.verify(&dg14).unwrap(), Some(13));
}
