//! Strict parsing of the secure messaging data objects of a protected command or response.

use super::SmError;
use crate::apdu::StatusWord;
use crate::tlv::{Tag, TlvReader};

/// DO'87: padding-content indicator and cryptogram (even INS).
pub const TAG_CRYPTOGRAM: Tag = Tag::new(0x87);
/// DO'85: cryptogram of BER-TLV data (odd INS).
pub const TAG_CRYPTOGRAM_ODD: Tag = Tag::new(0x85);
/// DO'97: protected `Le`.
pub const TAG_LE: Tag = Tag::new(0x97);
/// DO'99: processing status.
pub const TAG_STATUS: Tag = Tag::new(0x99);
/// DO'8E: cryptographic checksum (MAC).
pub const TAG_MAC: Tag = Tag::new(0x8E);

/// The encrypted data object of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cryptogram<'a> {
    /// DO'87's value (indicator included).
    Even(&'a [u8]),
    /// DO'85's value.
    Odd(&'a [u8]),
}

/// The data objects of a protected response.
pub(crate) struct ResponseObjects<'a> {
    pub cryptogram: Option<Cryptogram<'a>>,
    pub status: StatusWord,
    pub mac: &'a [u8],
    /// The raw bytes of every object before DO'8E (the MAC's input after the SSC).
    pub authenticated: &'a [u8],
}

/// The data objects of a protected command.
pub(crate) struct CommandObjects<'a> {
    pub cryptogram: Option<Cryptogram<'a>>,
    pub le: Option<&'a [u8]>,
    pub mac: &'a [u8],
    pub authenticated: &'a [u8],
}

/// Reads `[87|85] [97|99] 8E` in this order, each at most once, nothing after 8E. `middle` is the tag allowed
/// between the cryptogram and the MAC (97 in commands, 99 in responses).
// The four parts of a message are returned together; a struct would only be unpacked again.
#[allow(clippy::type_complexity)]
fn parse<'a>(
    data: &'a [u8],
    middle: Tag,
    allow_even: bool,
    allow_odd: bool,
) -> Result<(Option<Cryptogram<'a>>, Option<&'a [u8]>, &'a [u8], &'a [u8]), SmError> {
    let mut reader = TlvReader::new(data);
    let mut cryptogram = None;
    let mut mid = None;
    // 0: nothing read, 1: cryptogram read, 2: middle read.
    let mut stage = 0u8;
    while !reader.is_empty() {
        let tlv = reader.read()?;
        let tag = tlv.tag();
        let unexpected = SmError::UnexpectedDataObject { tag, offset: tlv.offset() };
        if tag == TAG_MAC {
            if !reader.is_empty() {
                // Something follows the MAC: it would not be authenticated.
                let next = reader.read()?;
                return Err(SmError::UnexpectedDataObject { tag: next.tag(), offset: next.offset() });
            }
            let authenticated = data.get(..tlv.offset()).ok_or(SmError::MissingMac)?;
            return Ok((cryptogram, mid, tlv.value(), authenticated));
        } else if tag == TAG_CRYPTOGRAM && allow_even && stage == 0 {
            cryptogram = Some(Cryptogram::Even(tlv.value()));
            stage = 1;
        } else if tag == TAG_CRYPTOGRAM_ODD && allow_odd && stage == 0 {
            cryptogram = Some(Cryptogram::Odd(tlv.value()));
            stage = 1;
        } else if tag == middle && stage < 2 {
            mid = Some(tlv.value());
            stage = 2;
        } else {
            return Err(unexpected);
        }
    }
    Err(SmError::MissingMac)
}

/// The data objects of a protected response: `[DO'87|DO'85] DO'99 DO'8E`.
pub(crate) fn parse_response(data: &[u8]) -> Result<ResponseObjects<'_>, SmError> {
    let (cryptogram, status, mac, authenticated) = parse(data, TAG_STATUS, true, true)?;
    let status = status.ok_or(SmError::MissingStatus)?;
    let status = match status {
        [sw1, sw2] => StatusWord::from_bytes(*sw1, *sw2),
        other => return Err(SmError::InvalidStatusLength(other.len())),
    };
    Ok(ResponseObjects { cryptogram, status, mac, authenticated })
}

/// The data objects of a protected command: `[DO'87 (even INS) | DO'85 (odd INS)] [DO'97] DO'8E`.
pub(crate) fn parse_command(data: &[u8], ins: u8) -> Result<CommandObjects<'_>, SmError> {
    let odd = ins & 1 == 1;
    let (cryptogram, le, mac, authenticated) = parse(data, TAG_LE, !odd, odd)?;
    Ok(CommandObjects { cryptogram, le, mac, authenticated })
}
