//! The recorded exchanges of the corpus (PACE, BAC, Chip and Active Authentication), replayed through the
//! library's terminal and secure messaging against the recorded chip answers.

use super::*;
use cccd::access::chip_auth::{CaDomain, chip_authentication_keys, verify_active_authentication};
use cccd::access::pace::{PaceParameters, PacePassword, TerminalSecrets, authenticate_with};
use cccd::apdu::{CommandApdu, ResponseApdu};
use cccd::crypto::sym::{SessionKeys, SymKey};
use cccd::oid::SmCipher;
use cccd::sm::{SecureChannel, SecureMessaging};
use cccd::transport::{Transport, TransportError};
use zeroize::Zeroizing;

/// Plays a recorded exchange: each command our terminal sends must be the recorded one (class, instruction,
/// parameters and data byte for byte; the expected length may differ, readers choose it), and gets the
/// recorded answer.
struct RecordedChip {
    script: Vec<(Vec<u8>, Vec<u8>)>,
    next: usize,
}

impl Transport for RecordedChip {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let index = self.next;
        let (recorded, answer) = self.script.get(index).ok_or(TransportError::UnexpectedCommand { index })?;
        self.next += 1;
        let recorded = CommandApdu::from_bytes(recorded)?;
        let same = recorded.header() == command.header() && recorded.data == command.data;
        if !same {
            return Err(TransportError::UnexpectedCommand { index });
        }
        Ok(ResponseApdu::from_bytes(answer)?)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

fn z(v: &Value) -> Option<Zeroizing<Vec<u8>>> {
    v.as_str().map(|_| Zeroizing::new(h(v)))
}

/// The OID bytes of DO'80 in a recorded MSE:SET AT's data.
fn recorded_oid(data: &[u8]) -> Option<&[u8]> {
    match data {
        [0x80, len, rest @ ..] => rest.get(..usize::from(*len)),
        _ => None,
    }
}

fn cipher(name: &str) -> SmCipher {
    match name {
        "3DES" => SmCipher::TripleDes,
        "AES128" => SmCipher::Aes128,
        "AES192" => SmCipher::Aes192,
        "AES256" => SmCipher::Aes256,
        other => panic!("unknown cipher {other}"),
    }
}

/// The recorded secure messaging session an exchange starts in (keys and send sequence counter).
fn recorded_session(session: &Value) -> SecureMessaging {
    let c = cipher(session["cipher"].as_str().expect("cipher"));
    let key = |k: &str| SymKey::new(c, &h(&session[k])).expect("session key");
    SecureMessaging::new(SessionKeys { ks_enc: key("ks_enc"), ks_mac: key("ks_mac") }, &h(&session["ssc"]))
        .expect("session")
}

fn script_of(ex: &Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    ex["apdus"].as_array().expect("apdus").iter().map(|pair| (h(&pair[0]), h(&pair[1]))).collect()
}

/// Active Authentication inside a recorded session: INTERNAL AUTHENTICATE with the recorded challenge
/// (wrapped by our secure messaging, compared byte for byte), the chip's signature checked with DG15's key.
fn check_active_authentication(ex: &Value) -> Result<Observed, String> {
    let dg15 =
        Dg15::decode(&read(&format!("{}.bin", ex["dg15"].as_str().expect("dg15")))).map_err(|e| e.to_string())?;
    let mut chip = RecordedChip { script: script_of(ex), next: 0 };
    let mut channel = SecureChannel::new(&mut chip, recorded_session(&ex["session"]));
    let challenge = h(&ex["challenge"]);
    let command = CommandApdu::new(0x00, 0x88, 0x00, 0x00).with_data(challenge.clone()).with_le(256);
    let r = channel.transmit(&command).map_err(|e| e.to_string())?;
    assert!(r.is_success(), "INTERNAL AUTHENTICATE: {:?}", r.sw);
    assert_eq!(hex::encode(&r.data), ex["expected"]["signature"].as_str().expect("signature"), "the signature");
    assert_eq!(hex::encode(channel.session().ssc()), ex["expected"]["final_ssc"].as_str().expect("ssc"), "SSC");
    verify_active_authentication(&dg15.public_key, None, &challenge, &r.data).map_err(|e| e.to_string())?;
    let mut o = Observed::new();
    o.insert("verified".into(), json!(true));
    Ok(o)
}

/// Chip Authentication inside a recorded session: the library picks the protocol and the chip's key from DG14
/// (`chip_authentication_keys`); the terminal's ephemeral key is the recorded one (`chip_authenticate` draws
/// its own at random, so the commands are built here the way the recording has them: MSE:Set KAT, or MSE:Set
/// AT and GENERAL AUTHENTICATE); the keys derived from the shared secret must be the recorded ones, and the
/// chip's next answer must verify under them.
fn check_chip_authentication(ex: &Value) -> Result<Observed, String> {
    let dg14 =
        Dg14::decode(&read(&format!("{}.bin", ex["dg14"].as_str().expect("dg14")))).map_err(|e| e.to_string())?;
    let keys = chip_authentication_keys(&dg14).map_err(|e| e.to_string())?;
    let CaDomain::Ec(curve) = keys.domain else { return Err("not an ECDH key".into()) };
    let secret = h(&ex["terminal_secret"]);
    let ephemeral = curve.public_key(&secret).map_err(|e| e.to_string())?;
    let script = script_of(ex);
    let kat = script.first().and_then(|(c, _)| c.get(3)) == Some(&0xA6);
    let key_id = keys.key_id.map(|id| {
        let bytes: Vec<u8> = id.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        [vec![0x84, bytes.len() as u8], bytes].concat()
    });
    let mut chip = RecordedChip { script, next: 0 };
    let mut channel = SecureChannel::new(&mut chip, recorded_session(&ex["session"]));
    let tlv = |tag: u8, v: &[u8]| [vec![tag, v.len() as u8], v.to_vec()].concat();
    if kat {
        let data = [tlv(0x91, &ephemeral), key_id.unwrap_or_default()].concat();
        let r =
            channel.transmit(&CommandApdu::new(0x00, 0x22, 0x41, 0xA6).with_data(data)).map_err(|e| e.to_string())?;
        assert!(r.is_success(), "MSE:Set KAT: {:?}", r.sw);
    } else {
        let oid = keys.protocol.oid().ok_or("CA protocol without an OID")?;
        let data = [tlv(0x80, oid.as_bytes()), key_id.unwrap_or_default()].concat();
        let r =
            channel.transmit(&CommandApdu::new(0x00, 0x22, 0x41, 0xA4).with_data(data)).map_err(|e| e.to_string())?;
        assert!(r.is_success(), "MSE:Set AT: {:?}", r.sw);
        let ga = CommandApdu::new(0x00, 0x86, 0x00, 0x00).with_data(tlv(0x7C, &tlv(0x80, &ephemeral))).with_le(256);
        let r = channel.transmit(&ga).map_err(|e| e.to_string())?;
        assert!(r.is_success(), "GENERAL AUTHENTICATE: {:?}", r.sw);
    }
    let shared = curve.ecdh(&secret, &keys.public_key).map_err(|e| e.to_string())?;
    let new_keys = SessionKeys::derive(keys.protocol.cipher, &shared);
    assert_eq!(hexu(new_keys.ks_enc.as_bytes()), ex["expected"]["ks_enc"].as_str().unwrap().to_uppercase(), "KS_enc");
    assert_eq!(hexu(new_keys.ks_mac.as_bytes()), ex["expected"]["ks_mac"].as_str().unwrap().to_uppercase(), "KS_mac");
    channel.set_session(SecureMessaging::with_zero_ssc(new_keys));
    let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x0E]);
    let r = channel.transmit(&select).map_err(|e| e.to_string())?;
    assert!(r.is_success(), "SELECT DG14 under the new keys: {:?}", r.sw);
    drop(channel);
    assert_eq!(chip.next, chip.script.len(), "every recorded APDU played");
    let mut o = Observed::new();
    o.insert("protocol".into(), json!(keys.protocol.oid().map(|o| o.to_string())));
    o.insert("key_id".into(), json!(keys.key_id));
    Ok(o)
}

/// BAC through the library's terminal (`bac::authenticate_with`) with the recorded RND.IFD and K.IFD.
fn check_bac(ex: &Value) -> Result<Observed, String> {
    let pw = &ex["password"];
    let key = cccd::access::bac::BacKey::from_document(
        pw["document_number"].as_str().expect("document_number"),
        pw["date_of_birth"].as_str().expect("date_of_birth"),
        pw["date_of_expiry"].as_str().expect("date_of_expiry"),
    )
    .map_err(|e| e.to_string())?;
    let fixed = |k: &str| h(&ex["terminal_secrets"][k]);
    let rnd_ifd: [u8; 8] = fixed("rnd_ifd").try_into().expect("8-byte RND.IFD");
    let k_ifd: [u8; 16] = fixed("k_ifd").try_into().expect("16-byte K.IFD");
    let mut chip = RecordedChip { script: script_of(ex), next: 0 };
    let channel = cccd::access::bac::authenticate_with(&mut chip, key, rnd_ifd, k_ifd).map_err(|e| e.to_string())?;
    let keys = channel.session().keys();
    assert_eq!(hexu(keys.ks_enc.as_bytes()), ex["expected"]["ks_enc"].as_str().unwrap().to_uppercase(), "KS_enc");
    assert_eq!(hexu(keys.ks_mac.as_bytes()), ex["expected"]["ks_mac"].as_str().unwrap().to_uppercase(), "KS_mac");
    assert_eq!(hexu(channel.session().ssc()), ex["expected"]["final_ssc"].as_str().unwrap().to_uppercase(), "SSC");
    drop(channel);
    assert_eq!(chip.next, chip.script.len(), "every recorded APDU played");
    let mut o = Observed::new();
    o.insert("session".into(), json!("3DES"));
    Ok(o)
}

/// Replays a recorded exchange through the library's terminal, with the recorded terminal secrets.
pub(super) fn check_exchange(item: &Value) -> Result<Observed, String> {
    let ex: Value = serde_json::from_slice(&read(item["file"].as_str().expect("file"))).expect("exchange JSON");
    match ex["type"].as_str() {
        Some("active_authentication") => return check_active_authentication(&ex),
        Some("chip_authentication") => return check_chip_authentication(&ex),
        Some("bac") => return check_bac(&ex),
        _ => {}
    }
    let script: Vec<(Vec<u8>, Vec<u8>)> =
        ex["apdus"].as_array().expect("apdus").iter().map(|pair| (h(&pair[0]), h(&pair[1]))).collect();
    let card_access = CardAccess::decode(&h(&ex["card_access"])).map_err(|e| e.to_string())?;
    // The protocol the terminal chose: the one named in the recorded MSE:SET AT (DO'80).
    let set_at = CommandApdu::from_bytes(&script[0].0).map_err(|e| e.to_string())?;
    let params = PaceParameters::from_security_infos(&card_access.infos)
        .into_iter()
        .filter_map(Result::ok)
        .find(|p| p.protocol.oid().is_some_and(|oid| recorded_oid(&set_at.data) == Some(oid.as_bytes())))
        .ok_or("no PACE parameters of EF.CardAccess match the recorded MSE:SET AT")?;
    let pw = &ex["password"];
    let mrz = cccd::mrz::mrz_information(
        pw["document_number"].as_str().expect("document_number"),
        pw["date_of_birth"].as_str().expect("date_of_birth"),
        pw["date_of_expiry"].as_str().expect("date_of_expiry"),
    )
    .map_err(|e| e.to_string())?;
    let password = PacePassword::Mrz(mrz);
    let secrets = TerminalSecrets {
        mapping: z(&ex["terminal_secrets"]["mapping"]),
        key_agreement: z(&ex["terminal_secrets"]["key_agreement"]),
        nonce: None,
    };
    let mut chip = RecordedChip { script, next: 0 };
    let outcome = authenticate_with(&mut chip, &params, &password, false, &secrets).map_err(|e| e.to_string())?;
    let mut o = Observed::new();
    o.insert("protocol".into(), json!(outcome.description()));
    let keys = outcome.session.keys();
    assert_eq!(hexu(keys.ks_enc.as_bytes()), ex["expected"]["ks_enc"].as_str().unwrap().to_uppercase(), "KS_enc");
    assert_eq!(hexu(keys.ks_mac.as_bytes()), ex["expected"]["ks_mac"].as_str().unwrap().to_uppercase(), "KS_mac");

    if let Some(card_security_id) = item["expected"]["card_security"].as_str() {
        // EF.CardSecurity read under the PACE session: SELECT 011D, then READ BINARY as recorded.
        let mut reads = Vec::new();
        for (command, _) in &chip.script[chip.next + 1..] {
            let c = CommandApdu::from_bytes(command).map_err(|e| e.to_string())?;
            // DO'97 inside the protected command: the expected length (00 = 256).
            let le = match c.data.as_slice() {
                [0x97, 0x01, n, ..] => {
                    if *n == 0 {
                        256
                    } else {
                        usize::from(*n)
                    }
                }
                _ => return Err("recorded READ BINARY without DO'97".into()),
            };
            reads.push((c.p1, c.p2, le));
        }
        let mut channel = SecureChannel::new(&mut chip, outcome.session.clone());
        let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x1D]);
        let r = channel.transmit(&select).map_err(|e| e.to_string())?;
        assert!(r.is_success(), "SELECT EF.CardSecurity: {:?}", r.sw);
        let mut file = Vec::new();
        for (p1, p2, le) in reads {
            let r = channel.transmit(&CommandApdu::new(0x00, 0xB0, p1, p2).with_le(le)).map_err(|e| e.to_string())?;
            assert!(r.is_success(), "READ BINARY {p1:02X}{p2:02X}: {:?}", r.sw);
            file.extend_from_slice(&r.data);
        }
        if let Some(ssc) = ex["expected"]["final_ssc"].as_str() {
            assert_eq!(hexu(channel.session().ssc()), ssc.to_uppercase(), "SSC after the reads");
        }
        o.insert(
            "card_security".into(),
            json!(if file == read(&format!("{card_security_id}.bin")) {
                card_security_id.to_owned()
            } else {
                format!("{} other bytes", file.len())
            }),
        );
        let infos = card_security_parts(&file)?.infos;
        let cam = outcome.chip_authentication_mapping.as_ref().ok_or("no PACE-CAM data")?;
        let key_id = cam.verify(&Dg14 { infos }).map_err(|e| e.to_string())?;
        o.insert("cam_key_id".into(), json!(key_id));
    }
    assert!(
        chip.next == chip.script.len(),
        "{}: {} of {} recorded APDUs played",
        item["id"],
        chip.next,
        chip.script.len()
    );
    Ok(o)
}
