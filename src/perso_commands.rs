//! The personalization command set of `docs/perso-commands.md` (the "open eMRTD applet" profile), in the one
//! place both sides take it from: the personalizer ([`crate::perso`]) builds these commands and the virtual
//! chip (`crate::emulator`, feature `emulator`) parses them.
//!
//! - The transport-key session: GET CHALLENGE (`00 84 00 00 10`), EXTERNAL AUTHENTICATE (`00 82 00 00 20`,
//!   `RND.IFD || AES-CMAC(K_T, RND.IFD || RND.IC)`), session keys `KDF(K_T || RND.IC || RND.IFD, 1|2)`
//!   (AES-128); ten wrong MACs block the chip.
//! - CREATE FILE (`00 E0 00 00`, FCP `63 04 <size:2> <fid:2>`), PUT DATA (`00 DA 00 <P2>`, the objects of
//!   [`objects`]) and LOCK (`00 DA DE AD`).
//!
//! The commands themselves come from the catalogue [`crate::apdu::commands`]; UPDATE BINARY and READ BINARY
//! are its ISO/IEC 7816-4 commands.

use zeroize::Zeroizing;

use crate::apdu::{CommandApdu, commands, ins};
use crate::crypto::CryptoError;
use crate::crypto::sym::{KdfCounter, SessionKeys, SymKey, aes_cmac};
use crate::oid::SmCipher;
use crate::tlv::{Tag, TlvReader, encode_tlv};

/// The length of the AES transport key.
pub const TRANSPORT_KEY_LEN: usize = 16;
/// The length of RND.IC and RND.IFD.
pub const CHALLENGE_LEN: usize = 16;
/// Wrong transport-key MACs a blank chip accepts before it blocks.
pub const TRANSPORT_KEY_TRIES: u8 = 10;
/// The tag of the file control parameters of CREATE FILE.
pub const FCP_TAG: u32 = 0x63;
/// P1 of LOCK (PUT DATA `DE AD`).
pub const LOCK_P1: u8 = 0xDE;
/// P2 of LOCK.
pub const LOCK_P2: u8 = 0xAD;

/// PUT DATA objects (P2) and the tags inside them.
pub mod objects {
    /// BAC key material: `A0 { 80 document number, 81 birth YYMMDD, 82 expiry YYMMDD }`.
    pub const BAC: u8 = 0x62;
    /// Chip Authentication private key: `[84 key id]` then the PKCS#8 `PrivateKeyInfo` DER (EC or DH).
    pub const CHIP_AUTHENTICATION: u8 = 0x63;
    /// PACE passwords: `A1 { 80 CAN }`.
    pub const PACE: u8 = 0x65;
    /// Active Authentication private key: PKCS#8 `PrivateKeyInfo` DER (EC or RSA).
    pub const ACTIVE_AUTHENTICATION: u8 = 0x66;
    /// The template of the BAC key material.
    pub const BAC_TEMPLATE: u32 = 0xA0;
    /// The template of the PACE passwords.
    pub const PACE_TEMPLATE: u32 = 0xA1;
    /// The key id before a Chip Authentication key.
    pub const KEY_ID: u32 = 0x84;
}

/// The MAC of EXTERNAL AUTHENTICATE: `AES-CMAC(K_T, RND.IFD || RND.IC)`.
pub fn transport_key_mac(transport_key: &[u8], rnd_ifd: &[u8], rnd_ic: &[u8]) -> Result<[u8; 16], CryptoError> {
    aes_cmac(transport_key, &[rnd_ifd, rnd_ic].concat())
}

/// The personalization session keys: `KDF(K_T || RND.IC || RND.IFD, c)`, AES-128.
pub fn session_keys(transport_key: &[u8], rnd_ic: &[u8], rnd_ifd: &[u8]) -> SessionKeys {
    let seed = Zeroizing::new([transport_key, rnd_ic, rnd_ifd].concat());
    SessionKeys {
        ks_enc: SymKey::derive(SmCipher::Aes128, &seed, KdfCounter::Enc),
        ks_mac: SymKey::derive(SmCipher::Aes128, &seed, KdfCounter::Mac),
    }
}

/// GET CHALLENGE for RND.IC (`00 84 00 00 10`).
pub fn get_challenge() -> CommandApdu {
    commands::get_challenge(CHALLENGE_LEN)
}

/// Whether a command is the transport-key GET CHALLENGE (BAC's asks for 8 bytes).
pub fn is_get_challenge(c: &CommandApdu) -> bool {
    c.ins == ins::GET_CHALLENGE && c.le == Some(CHALLENGE_LEN)
}

/// EXTERNAL AUTHENTICATE with the transport key: `RND.IFD || MAC`.
pub fn external_authenticate(rnd_ifd: &[u8], mac: &[u8]) -> CommandApdu {
    commands::external_authenticate(&[rnd_ifd, mac].concat())
}

/// Whether a command is the transport-key EXTERNAL AUTHENTICATE (32 data bytes; BAC's has 40).
pub fn is_external_authenticate(c: &CommandApdu) -> bool {
    c.ins == ins::EXTERNAL_AUTHENTICATE && c.data.len() == 2 * CHALLENGE_LEN
}

/// CREATE FILE of `size` bytes with file identifier `fid`.
pub fn create_file(fid: u16, size: u16) -> CommandApdu {
    commands::create_file(fid, size)
}

/// The `(fid, size)` of CREATE FILE's data; `None` when it is not `63 04 <size:2> <fid:2>`.
pub fn parse_create_file(data: &[u8]) -> Option<(u16, u16)> {
    let fcp = TlvReader::single(data, Tag::new(FCP_TAG)).ok()?;
    let [s1, s2, f1, f2] = fcp.value() else { return None };
    Some((u16::from_be_bytes([*f1, *f2]), u16::from_be_bytes([*s1, *s2])))
}

/// PUT DATA of object `p2` (one of [`objects`]). Zeroized when dropped: the data are secrets.
pub fn put_data(p2: u8, data: Vec<u8>) -> Zeroizing<CommandApdu> {
    Zeroizing::new(commands::put_data(0x00, p2, data))
}

/// LOCK: the chip becomes an issued eMRTD for good.
pub fn lock() -> CommandApdu {
    commands::put_data(LOCK_P1, LOCK_P2, Vec::new())
}

/// Whether a command is LOCK.
pub fn is_lock(c: &CommandApdu) -> bool {
    c.ins == ins::PUT_DATA && c.p1 == LOCK_P1 && c.p2 == LOCK_P2
}

/// The BAC key material object: `A0 { 80 document number, 81 birth YYMMDD, 82 expiry YYMMDD }`.
pub fn bac_object(document_number: &str, date_of_birth: &str, date_of_expiry: &str) -> Zeroizing<Vec<u8>> {
    let mut body = Zeroizing::new(encode_tlv(Tag::new(0x80), document_number.as_bytes()));
    body.extend(encode_tlv(Tag::new(0x81), date_of_birth.as_bytes()));
    body.extend(encode_tlv(Tag::new(0x82), date_of_expiry.as_bytes()));
    Zeroizing::new(encode_tlv(Tag::new(objects::BAC_TEMPLATE), &body))
}

/// The `(document number, birth, expiry)` texts of a BAC key material object.
pub fn parse_bac_object(data: &[u8]) -> Option<(Zeroizing<String>, Zeroizing<String>, Zeroizing<String>)> {
    let field = |tag| object(data, objects::BAC_TEMPLATE, tag);
    Some((field(0x80)?, field(0x81)?, field(0x82)?))
}

/// The PACE passwords object: `A1 { 80 CAN }`.
pub fn pace_object(can: &str) -> Zeroizing<Vec<u8>> {
    let inner = Zeroizing::new(encode_tlv(Tag::new(0x80), can.as_bytes()));
    Zeroizing::new(encode_tlv(Tag::new(objects::PACE_TEMPLATE), &inner))
}

/// The CAN of a PACE passwords object (not checked: the chip decides what it accepts).
pub fn parse_pace_object(data: &[u8]) -> Option<Zeroizing<String>> {
    object(data, objects::PACE_TEMPLATE, 0x80)
}

/// The Chip Authentication key object: `[84 key id]` then the PKCS#8 DER.
pub fn chip_authentication_object(key_id: Option<u64>, pkcs8: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut data = Zeroizing::new(
        key_id.map(|id| encode_tlv(Tag::new(objects::KEY_ID), &crate::tlv::unsigned_be(id))).unwrap_or_default(),
    );
    data.extend_from_slice(pkcs8);
    data
}

/// The key id (when present) and the PKCS#8 DER of a Chip Authentication key object; `None` for a key id of
/// more than 8 bytes.
pub fn parse_chip_authentication_object(data: &[u8]) -> Option<(Option<u64>, &[u8])> {
    match TlvReader::new(data).read() {
        Ok(t) if t.tag() == Tag::new(objects::KEY_ID) => {
            if t.value().len() > 8 {
                return None;
            }
            let id = t.value().iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
            Some((Some(id), data.get(t.raw().len()..).unwrap_or_default()))
        }
        _ => Some((None, data)),
    }
}

/// The text of `inner` in the template `outer` that is all of `data`.
fn object(data: &[u8], outer: u32, inner: u32) -> Option<Zeroizing<String>> {
    let o = TlvReader::single(data, Tag::new(outer)).ok()?;
    let value = TlvReader::new(o.value()).filter_map(Result::ok).find(|t| t.tag() == Tag::new(inner))?.value();
    core::str::from_utf8(value).ok().map(|s| Zeroizing::new(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_the_bytes_of_the_document() {
        assert_eq!(get_challenge().to_bytes().unwrap(), [0x00, 0x84, 0x00, 0x00, 0x10]);
        assert_eq!(lock().to_bytes().unwrap(), [0x00, 0xDA, 0xDE, 0xAD]);
        assert!(is_lock(&lock()) && !is_lock(&put_data(objects::PACE, vec![])));
        let create = create_file(0x010D, 0x1234);
        assert_eq!(create.to_bytes().unwrap(), [0x00, 0xE0, 0x00, 0x00, 0x06, 0x63, 0x04, 0x12, 0x34, 0x01, 0x0D]);
        assert_eq!(parse_create_file(&create.data), Some((0x010D, 0x1234)));
        assert_eq!(parse_create_file(&[0x63, 0x03, 0, 0, 0]), None);
        let auth = external_authenticate(&[1; 16], &[2; 16]);
        assert_eq!(&auth.to_bytes().unwrap()[..5], [0x00, 0x82, 0x00, 0x00, 0x20]);
        assert!(is_external_authenticate(&auth) && is_get_challenge(&get_challenge()));
    }

    #[test]
    fn put_data_objects_round_trip() {
        let bac = bac_object("123456789", "900101", "341231");
        let (doc, dob, doe) = parse_bac_object(&bac).unwrap();
        assert_eq!((doc.as_str(), dob.as_str(), doe.as_str()), ("123456789", "900101", "341231"));
        assert_eq!(parse_bac_object(&bac[..bac.len() - 1]), None);
        assert_eq!(parse_pace_object(&pace_object("493817")).unwrap().as_str(), "493817");
        for id in [None, Some(0), Some(7), Some(0x0102_0304_0506)] {
            let data = chip_authentication_object(id, &[0x30, 0x00]);
            assert_eq!(parse_chip_authentication_object(&data), Some((id, [0x30u8, 0x00].as_slice())));
        }
        assert_eq!(parse_chip_authentication_object(&[0x84, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9]), None);
    }

    #[test]
    fn session_keys_depend_on_every_input() {
        let k = session_keys(&[1; 16], &[2; 16], &[3; 16]);
        assert_ne!(k, session_keys(&[1; 16], &[3; 16], &[2; 16]));
        assert_ne!(k, session_keys(&[9; 16], &[2; 16], &[3; 16]));
        assert_ne!(k.ks_enc, k.ks_mac);
        assert_eq!(transport_key_mac(&[1; 16], &[2; 16], &[3; 16]).unwrap().len(), 16);
    }
}
