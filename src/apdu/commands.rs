//! The command catalogue: one constructor per command APDU the host side (reader, personalizer, terminal
//! protocols) sends, named after the specification that defines it, with its section. Every constructor gives
//! a plain [`CommandApdu`] (`CLA = 00`, short length fields unless the data or `Ne` need extended ones); secure
//! messaging wraps it later ([`crate::sm`]), so the bytes here are those of the unprotected command.
//!
//! | command | header | specification |
//! |---|---|---|
//! | [`select_mf`], [`select_application`], [`select_ef`] | `00 A4 00 0C`, `00 A4 04 0C`, `00 A4 02 0C` | ISO/IEC 7816-4 §11.2.2; ICAO 9303-10 §3.6.1 |
//! | [`read_binary`], [`read_binary_sfi`], [`read_binary_odd`], [`read_binary_at`] | `00 B0`, `00 B0 8x`, `00 B1 00 00` | ISO/IEC 7816-4 §11.3.3; ICAO 9303-10 §3.6.2 |
//! | [`update_binary`], [`update_binary_odd`], [`update_binary_at`] | `00 D6`, `00 D7 00 00` | ISO/IEC 7816-4 §11.3.5 |
//! | [`get_challenge`] | `00 84 00 00` | ISO/IEC 7816-4 §11.5.6; ICAO 9303-11 §4.3.4.1 (BAC), §7.1 (TA) |
//! | [`mutual_authenticate`] | `00 82 00 00` with `Le` | ICAO 9303-11 §4.3.4.2 (BAC) |
//! | [`external_authenticate`] | `00 82 00 00` | ISO/IEC 7816-4 §11.5.4; ICAO 9303-11 §7.1 (TA) |
//! | [`internal_authenticate`] | `00 88 00 00` | ISO/IEC 7816-4 §11.5.2; ICAO 9303-11 §6.1 (AA) |
//! | [`mse_set_at_pace`] | `00 22 C1 A4` | ICAO 9303-11 §4.4.4.1 (PACE) |
//! | [`mse_set_at_chip_authentication`], [`mse_set_kat`] | `00 22 41 A4`, `00 22 41 A6` | ICAO 9303-11 §6.2.4 (CA) |
//! | [`mse_set_dst`], [`mse_set_at_terminal_authentication`] | `00 22 81 B6`, `00 22 81 A4` | ICAO 9303-11 §7.1; BSI TR-03110-3 B.11.1 |
//! | [`general_authenticate`] and the PACE steps [`pace_encrypted_nonce`], [`pace_map_nonce`], [`pace_key_agreement`], [`pace_mutual_authentication`]; [`general_authenticate_chip_authentication`] | `10 86 00 00` … `00 86 00 00` | ICAO 9303-11 §4.4.4.2 (PACE), §6.2.4 (CA) |
//! | [`pso_verify_certificate`] | `00 2A 00 BE` | ICAO 9303-11 §7.1; BSI TR-03110-3 B.11.5 |
//! | [`get_response`] | `xx C0 00 00` | ISO/IEC 7816-4 §11.4.4 |
//! | [`create_file`], [`put_data`] | `00 E0 00 00`, `00 DA P1 P2` | ISO/IEC 7816-4 §11.3.2 (CREATE FILE as `docs/perso-commands.md` uses it), §11.4.5 |
//!
//! The personalization command set (transport-key session, PUT DATA objects, LOCK) is built on these in
//! [`crate::perso_commands`].

use super::{ApduError, CLA_CHAINING, CommandApdu, MAX_SHORT_NE, ins};
use crate::tlv::{Tag, encode_tlv, unsigned_be};

/// The largest offset READ/UPDATE BINARY with an even INS carries in P1-P2 (bit 8 of P1 is clear).
pub const MAX_EVEN_OFFSET: usize = 0x7FFF;
/// The largest offset READ BINARY by short file identifier carries (in P2).
pub const MAX_SFI_OFFSET: usize = 0xFF;
/// The tag of the offset data object of the odd-INS READ/UPDATE BINARY.
pub const OFFSET_DO: u32 = 0x54;
/// The tag of the discretionary data object carrying the data of the odd-INS UPDATE BINARY (and of its
/// READ BINARY's answer).
pub const DISCRETIONARY_DO: u32 = 0x53;
/// The tag of the dynamic authentication data of GENERAL AUTHENTICATE.
pub const DYNAMIC_AUTHENTICATION_DATA: u32 = 0x7C;
/// P2 of PSO:Verify Certificate.
pub const VERIFY_CERTIFICATE: u8 = 0xBE;

const SELECT_NO_RESPONSE: u8 = 0x0C;

/// SELECT the master file: `00 A4 00 0C`, no data (ISO/IEC 7816-4 §11.2.2, P1 = 00 "select MF").
pub fn select_mf() -> CommandApdu {
    CommandApdu::new(0x00, ins::SELECT, 0x00, SELECT_NO_RESPONSE)
}

/// SELECT an application by its AID: `00 A4 04 0C Lc AID` (ISO/IEC 7816-4 §11.2.2, P1 = 04 "select by DF
/// name"; ICAO 9303-10 §3.6.1, the eMRTD application is [`crate::lds`]'s `EMRTD_AID`).
pub fn select_application(aid: &[u8]) -> CommandApdu {
    CommandApdu::new(0x00, ins::SELECT, 0x04, SELECT_NO_RESPONSE).with_data(aid.to_vec())
}

/// SELECT an elementary file by its file identifier: `00 A4 02 0C 02 FID` (ISO/IEC 7816-4 §11.2.2, P1 = 02
/// "select EF under the current DF"; ICAO 9303-10 §3.6.1).
pub fn select_ef(fid: u16) -> CommandApdu {
    CommandApdu::new(0x00, ins::SELECT, 0x02, SELECT_NO_RESPONSE).with_data(fid.to_be_bytes().to_vec())
}

/// READ BINARY of the current file from `offset` (at most `7FFF`): `00 B0 P1-P2 Le` (ISO/IEC 7816-4 §11.3.3;
/// ICAO 9303-10 §3.6.2). An offset above `7FFF` needs [`read_binary_odd`] (or [`read_binary_at`]).
pub fn read_binary(offset: usize, ne: usize) -> Result<CommandApdu, ApduError> {
    let offset = u16::try_from(offset).ok().filter(|o| usize::from(*o) <= MAX_EVEN_OFFSET).ok_or(
        ApduError::ParameterOutOfRange { parameter: "READ BINARY offset", value: offset, max: MAX_EVEN_OFFSET },
    )?;
    let [p1, p2] = offset.to_be_bytes();
    Ok(CommandApdu::new(0x00, ins::READ_BINARY, p1, p2).with_le(ne))
}

/// READ BINARY by short file identifier: `00 B0 8x P2 Le`, P1 = `80 | SFI` (1 to 30), the offset (at most
/// `FF`) in P2; the file becomes the current one (ISO/IEC 7816-4 §11.3.3; ICAO 9303-10 §3.6.2).
pub fn read_binary_sfi(sfi: u8, offset: usize, ne: usize) -> Result<CommandApdu, ApduError> {
    if !(1..=30).contains(&sfi) {
        return Err(ApduError::ParameterOutOfRange { parameter: "short file identifier", value: sfi.into(), max: 30 });
    }
    let p2 = u8::try_from(offset).map_err(|_| ApduError::ParameterOutOfRange {
        parameter: "READ BINARY offset by short file identifier",
        value: offset,
        max: MAX_SFI_OFFSET,
    })?;
    Ok(CommandApdu::new(0x00, ins::READ_BINARY, 0x80 | sfi, p2).with_le(ne))
}

/// READ BINARY with the odd INS: `00 B1 00 00 Lc 54 L offset Le`, the offset in the data object `54` (minimal
/// big-endian bytes), for offsets above `7FFF` (ISO/IEC 7816-4 §11.3.3; ICAO 9303-10 §3.6.2). The chip
/// answers the data inside a discretionary data object `53`.
pub fn read_binary_odd(offset: u64, ne: usize) -> CommandApdu {
    CommandApdu::new(0x00, ins::READ_BINARY_ODD, 0x00, 0x00)
        .with_data(encode_tlv(Tag::new(OFFSET_DO), &unsigned_be(offset)))
        .with_le(ne)
}

/// READ BINARY of the current file from any offset: [`read_binary`] up to `7FFF`, [`read_binary_odd`] above.
pub fn read_binary_at(offset: usize, ne: usize) -> CommandApdu {
    match read_binary(offset, ne) {
        Ok(c) => c,
        Err(_) => read_binary_odd(offset as u64, ne),
    }
}

/// UPDATE BINARY of the current file at `offset` (at most `7FFF`): `00 D6 P1-P2 Lc data` (ISO/IEC 7816-4
/// §11.3.5).
pub fn update_binary(offset: usize, data: &[u8]) -> Result<CommandApdu, ApduError> {
    let offset = u16::try_from(offset).ok().filter(|o| usize::from(*o) <= MAX_EVEN_OFFSET).ok_or(
        ApduError::ParameterOutOfRange { parameter: "UPDATE BINARY offset", value: offset, max: MAX_EVEN_OFFSET },
    )?;
    let [p1, p2] = offset.to_be_bytes();
    Ok(CommandApdu::new(0x00, ins::UPDATE_BINARY, p1, p2).with_data(data.to_vec()))
}

/// UPDATE BINARY with the odd INS: `00 D7 00 00 Lc 54 L offset 53 L data` (ISO/IEC 7816-4 §11.3.5), for
/// offsets above `7FFF`.
pub fn update_binary_odd(offset: u64, data: &[u8]) -> CommandApdu {
    let mut body = encode_tlv(Tag::new(OFFSET_DO), &unsigned_be(offset));
    body.extend(encode_tlv(Tag::new(DISCRETIONARY_DO), data));
    CommandApdu::new(0x00, ins::UPDATE_BINARY_ODD, 0x00, 0x00).with_data(body)
}

/// UPDATE BINARY of the current file at any offset: [`update_binary`] up to `7FFF`, [`update_binary_odd`]
/// above.
pub fn update_binary_at(offset: usize, data: &[u8]) -> CommandApdu {
    match update_binary(offset, data) {
        Ok(c) => c,
        Err(_) => update_binary_odd(offset as u64, data),
    }
}

/// GET CHALLENGE for `ne` bytes: `00 84 00 00 Le` (ISO/IEC 7816-4 §11.5.6; ICAO 9303-11 §4.3.4.1: 8 bytes of
/// RND.IC for BAC, §7.1 for Terminal Authentication; 16 for the transport-key session of
/// `docs/perso-commands.md`).
pub fn get_challenge(ne: usize) -> CommandApdu {
    CommandApdu::new(0x00, ins::GET_CHALLENGE, 0x00, 0x00).with_le(ne)
}

/// EXTERNAL AUTHENTICATE with a response: `00 82 00 00 Lc data Le`, BAC's mutual authentication with
/// `E_IFD ‖ M_IFD` and `Ne = 40` (ICAO 9303-11 §4.3.4.2, ISO/IEC 7816-4 §11.5.4 "MUTUAL AUTHENTICATE").
pub fn mutual_authenticate(data: &[u8], ne: usize) -> CommandApdu {
    external_authenticate(data).with_le(ne)
}

/// EXTERNAL AUTHENTICATE without a response: `00 82 00 00 Lc data` (ISO/IEC 7816-4 §11.5.4; ICAO 9303-11 §7.1:
/// the terminal's signature in Terminal Authentication; the transport-key MAC of `docs/perso-commands.md`).
pub fn external_authenticate(data: &[u8]) -> CommandApdu {
    CommandApdu::new(0x00, ins::EXTERNAL_AUTHENTICATE, 0x00, 0x00).with_data(data.to_vec())
}

/// INTERNAL AUTHENTICATE: `00 88 00 00 Lc challenge Le` (ISO/IEC 7816-4 §11.5.2; ICAO 9303-11 §6.1, Active
/// Authentication with an 8-byte challenge and `Le = 00`).
pub fn internal_authenticate(challenge: &[u8], ne: usize) -> CommandApdu {
    CommandApdu::new(0x00, ins::INTERNAL_AUTHENTICATE, 0x00, 0x00).with_data(challenge.to_vec()).with_le(ne)
}

fn mse(p1: u8, p2: u8, data: Vec<u8>) -> CommandApdu {
    CommandApdu::new(0x00, ins::MANAGE_SECURITY_ENVIRONMENT, p1, p2).with_data(data)
}

/// The key reference DO'84 of a key id (minimal big-endian bytes), nothing without one.
fn key_reference(key_id: Option<u64>) -> Vec<u8> {
    key_id.map(|id| encode_tlv(Tag::new(0x84), &unsigned_be(id))).unwrap_or_default()
}

/// MSE:Set AT for PACE: `00 22 C1 A4 Lc [80 protocol OID] [83 password] {84 parameter ID}` (ICAO 9303-11
/// §4.4.4.1; `protocol` is the OID's value bytes, `password` 01 MRZ or 02 CAN; the parameter ID when the chip
/// offers several).
pub fn mse_set_at_pace(protocol: &[u8], password: u8, parameter_id: Option<u8>) -> CommandApdu {
    let mut data = encode_tlv(Tag::new(0x80), protocol);
    data.extend(encode_tlv(Tag::new(0x83), &[password]));
    if let Some(id) = parameter_id {
        data.extend(encode_tlv(Tag::new(0x84), &[id]));
    }
    mse(0xC1, 0xA4, data)
}

/// MSE:Set AT for Chip Authentication with AES: `00 22 41 A4 Lc [80 protocol OID] {84 key id}` (ICAO 9303-11
/// §6.2.4.2), followed by [`general_authenticate_chip_authentication`].
pub fn mse_set_at_chip_authentication(protocol: &[u8], key_id: Option<u64>) -> CommandApdu {
    let mut data = encode_tlv(Tag::new(0x80), protocol);
    data.extend(key_reference(key_id));
    mse(0x41, 0xA4, data)
}

/// MSE:Set KAT, Chip Authentication with 3DES: `00 22 41 A6 Lc [91 ephemeral public key] {84 key id}` (ICAO
/// 9303-11 §6.2.4.1).
pub fn mse_set_kat(ephemeral_public_key: &[u8], key_id: Option<u64>) -> CommandApdu {
    let mut data = encode_tlv(Tag::new(0x91), ephemeral_public_key);
    data.extend(key_reference(key_id));
    mse(0x41, 0xA6, data)
}

/// MSE:Set DST before PSO:Verify Certificate: `00 22 81 B6 Lc [83 CAR]`, the certificate authority reference of
/// the certificate to verify next (ICAO 9303-11 §7.1; BSI TR-03110-3 B.11.1.2).
pub fn mse_set_dst(car: &[u8]) -> CommandApdu {
    mse(0x81, 0xB6, encode_tlv(Tag::new(0x83), car))
}

/// MSE:Set AT for Terminal Authentication v1: `00 22 81 A4 Lc [83 CHR]`, the terminal's certificate holder
/// reference (ICAO 9303-11 §7.1; BSI TR-03110-3 B.11.1.3).
pub fn mse_set_at_terminal_authentication(chr: &[u8]) -> CommandApdu {
    mse(0x81, 0xA4, encode_tlv(Tag::new(0x83), chr))
}

/// GENERAL AUTHENTICATE with dynamic authentication data `7C { tag value }` (`7C 00` without an object) and
/// `Le = 00`: `10 86 00 00` while more steps follow (command chaining), `00 86 00 00` for the last (ICAO 9303-11
/// §4.4.4.2).
pub fn general_authenticate(object: Option<(u8, &[u8])>, last: bool) -> CommandApdu {
    let inner = object.map(|(tag, value)| encode_tlv(Tag::new(u32::from(tag)), value)).unwrap_or_default();
    let cla = if last { 0x00 } else { CLA_CHAINING };
    CommandApdu::new(cla, ins::GENERAL_AUTHENTICATE, 0x00, 0x00)
        .with_data(encode_tlv(Tag::new(DYNAMIC_AUTHENTICATION_DATA), &inner))
        .with_le(MAX_SHORT_NE)
}

/// PACE step 1, the encrypted nonce: `10 86 00 00 02 7C 00 00` (ICAO 9303-11 §4.4.4.2, Table 6: the chip answers
/// `7C { 80 z }`).
pub fn pace_encrypted_nonce() -> CommandApdu {
    general_authenticate(None, false)
}

/// PACE step 2, map the nonce: `7C { 81 mapping data }` (the terminal's ephemeral mapping key for the Generic
/// Mapping, the nonce `t` for the Integrated Mapping; ICAO 9303-11 §4.4.4.2, Table 6).
pub fn pace_map_nonce(mapping_data: &[u8]) -> CommandApdu {
    general_authenticate(Some((0x81, mapping_data)), false)
}

/// PACE step 3, key agreement: `7C { 83 ephemeral public key }` (ICAO 9303-11 §4.4.4.2, Table 6).
pub fn pace_key_agreement(ephemeral_public_key: &[u8]) -> CommandApdu {
    general_authenticate(Some((0x83, ephemeral_public_key)), false)
}

/// PACE step 4, mutual authentication, the last of the chain: `00 86 00 00 … 7C { 85 T_IFD }` (ICAO 9303-11
/// §4.4.4.2, Table 6).
pub fn pace_mutual_authentication(token: &[u8]) -> CommandApdu {
    general_authenticate(Some((0x85, token)), true)
}

/// GENERAL AUTHENTICATE of Chip Authentication with AES: `00 86 00 00 … 7C { 80 ephemeral public key } 00`
/// (ICAO 9303-11 §6.2.4.2).
pub fn general_authenticate_chip_authentication(ephemeral_public_key: &[u8]) -> CommandApdu {
    general_authenticate(Some((0x80, ephemeral_public_key)), true)
}

/// PSO:Verify Certificate: `00 2A 00 BE Lc body-and-signature`, the value of a CV certificate's `7F21` (the
/// body `7F4E` and the signature `5F37`; ICAO 9303-11 §7.1; BSI TR-03110-3 B.11.5).
pub fn pso_verify_certificate(certificate_value: &[u8]) -> CommandApdu {
    CommandApdu::new(0x00, ins::PERFORM_SECURITY_OPERATION, 0x00, VERIFY_CERTIFICATE)
        .with_data(certificate_value.to_vec())
}

/// GET RESPONSE for `ne` bytes after `61xx`: `CLA C0 00 00 Le`, the CLA's logical channel bits kept (ISO/IEC
/// 7816-4 §11.4.4, §5.1.3).
pub fn get_response(cla: u8, ne: usize) -> CommandApdu {
    CommandApdu::new(cla & 0x03, ins::GET_RESPONSE, 0x00, 0x00).with_le(ne)
}

/// CREATE FILE of a transparent EF: `00 E0 00 00 06 63 04 <size:2> <fid:2>` (ISO/IEC 7816-9 §6.1 / 7816-4's
/// CREATE FILE with the file control parameters of `docs/perso-commands.md`, which the JMRTD applet takes too).
pub fn create_file(fid: u16, size: u16) -> CommandApdu {
    let mut fcp = size.to_be_bytes().to_vec();
    fcp.extend(fid.to_be_bytes());
    CommandApdu::new(0x00, ins::CREATE_FILE, 0x00, 0x00).with_data(encode_tlv(Tag::new(0x63), &fcp))
}

/// PUT DATA: `00 DA P1 P2 [Lc data]` (ISO/IEC 7816-4 §11.4.5; the personalization objects of
/// `docs/perso-commands.md` and of the JMRTD applet). The data are often secrets: wrap the command in
/// `Zeroizing`.
pub fn put_data(p1: u8, p2: u8, data: Vec<u8>) -> CommandApdu {
    CommandApdu::new(0x00, ins::PUT_DATA, p1, p2).with_data(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(c: &CommandApdu) -> String {
        c.to_bytes().unwrap().iter().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn select_read_update_are_the_iso_headers() {
        assert_eq!(hex(&select_mf()), "00A4000C");
        assert_eq!(hex(&select_application(&[0xA0, 0, 0, 2, 0x47, 0x10, 1])), "00A4040C07A0000002471001");
        // ICAO 9303-11 D.4.1 (the unprotected command)
        assert_eq!(hex(&select_ef(0x011E)), "00A4020C02011E");
        // D.4.2 and D.4.3
        assert_eq!(hex(&read_binary(0, 4).unwrap()), "00B0000004");
        assert_eq!(hex(&read_binary(4, 0x12).unwrap()), "00B0000412");
        assert_eq!(hex(&read_binary(0x7FFF, 256).unwrap()), "00B07FFF00");
        assert_eq!(
            read_binary(0x8000, 1),
            Err(ApduError::ParameterOutOfRange { parameter: "READ BINARY offset", value: 0x8000, max: 0x7FFF })
        );
        assert_eq!(hex(&read_binary_sfi(0x1E, 0, 1).unwrap()), "00B09E0001");
        assert_eq!(hex(&read_binary_sfi(0x01, 0xFF, 65_536).unwrap()), "00B081FF000000");
        assert!(read_binary_sfi(0, 0, 1).is_err() && read_binary_sfi(31, 0, 1).is_err());
        assert!(read_binary_sfi(1, 256, 1).is_err());
        assert_eq!(hex(&read_binary_odd(0x8000, 256)), "00B10000045402800000");
        assert_eq!(hex(&read_binary_odd(0, 1)), "00B100000354010001");
        assert_eq!(read_binary_at(0x7FFF, 16), read_binary(0x7FFF, 16).unwrap());
        assert_eq!(read_binary_at(0x1_0000, 16), read_binary_odd(0x1_0000, 16));
        assert_eq!(hex(&update_binary(0x0102, &[9, 8]).unwrap()), "00D60102020908");
        assert!(update_binary(0x8000, &[1]).is_err());
        assert_eq!(hex(&update_binary_odd(0x12345, &[7])), "00D70000085403012345530107");
        assert_eq!(update_binary_at(0x12345, &[7]), update_binary_odd(0x12345, &[7]));
        assert_eq!(update_binary_at(5, &[7]), update_binary(5, &[7]).unwrap());
    }

    #[test]
    fn authentication_and_security_environment_headers() {
        assert_eq!(hex(&get_challenge(8)), "0084000008");
        assert_eq!(hex(&get_challenge(16)), "0084000010");
        assert_eq!(hex(&external_authenticate(&[1, 2])), "00820000020102");
        assert_eq!(hex(&mutual_authenticate(&[1, 2], 40)), "0082000002010228");
        assert_eq!(hex(&internal_authenticate(&[0xAA; 8], 256)), "0088000008AAAAAAAAAAAAAAAA00");
        assert_eq!(hex(&mse_set_at_pace(&[1, 2], 2, Some(13))), "0022C1A40A8002010283010284010D");
        assert_eq!(hex(&mse_set_at_chip_authentication(&[1], None)), "002241A403800101");
        assert_eq!(hex(&mse_set_at_chip_authentication(&[1], Some(0))), "002241A406800101840100");
        assert_eq!(hex(&mse_set_kat(&[4, 5], Some(0x0102))), "002241A6089102040584020102");
        assert_eq!(hex(&mse_set_dst(b"DECVCA")), "002281B6088306444543564341");
        assert_eq!(hex(&mse_set_at_terminal_authentication(b"X")), "002281A403830158");
        assert_eq!(hex(&general_authenticate_chip_authentication(&[4])), "00860000057C0380010400");
        assert_eq!(hex(&pso_verify_certificate(&[0x7F, 0x4E, 0x00])), "002A00BE037F4E00");
        assert_eq!(hex(&get_response(0x0C, 0x20)), "00C0000020");
        assert_eq!(hex(&get_response(0x01, 256)), "01C0000000");
        assert_eq!(hex(&create_file(0x010D, 0x1234)), "00E000000663041234010D");
        assert_eq!(hex(&put_data(0xDE, 0xAD, Vec::new())), "00DADEAD");
        assert_eq!(hex(&put_data(0x00, 0x65, vec![0xA1, 0x00])), "00DA006502A100");
    }

    #[test]
    fn pace_steps_chain_until_the_last() {
        assert_eq!(hex(&pace_encrypted_nonce()), "10860000027C0000");
        assert_eq!(hex(&pace_map_nonce(&[4])), "10860000057C0381010400");
        assert_eq!(hex(&pace_key_agreement(&[4])), "10860000057C0383010400");
        assert_eq!(hex(&pace_mutual_authentication(&[1; 8])), "008600000C7C0A8508010101010101010100");
        // a key too long for a short Lc goes extended
        let long = pace_key_agreement(&[4; 300]);
        assert!(long.is_extended() && long.is_chained());
    }
}
