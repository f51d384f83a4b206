//! Secure messaging (ICAO Doc 9303-11 §9.8, ISO/IEC 7816-4 §10): 3DES (retail MAC, 8-byte SSC) and AES
//! (CMAC, 16-byte SSC, IV = `E(KS_enc, SSC)`), for the terminal ([`SecureMessaging::wrap`],
//! [`SecureMessaging::unwrap`]) and for the chip ([`SecureMessaging::unwrap_command`],
//! [`SecureMessaging::wrap_response`]).
//!
//! Protected APDUs carry these data objects:
//!
//! | tag | content |
//! |---|---|
//! | `87` | padding-content indicator `01` then the encrypted, padded data (even INS) |
//! | `85` | the encrypted, padded data (odd INS, whose data is BER-TLV) |
//! | `97` | `Le`, one byte (short) or two (extended) |
//! | `99` | the processing status `SW1 SW2` (responses) |
//! | `8E` | the 8-byte MAC over `SSC ∥ [padded header] ∥ DOs`, padded |
//!
//! Every check is strict: a missing or wrong MAC, a missing DO'99, an unknown or repeated data object, bad
//! padding, or an unprotected `9000` while secure messaging is on is a typed error. Both sides increment the
//! send sequence counter before each command and each response, so a replayed message fails its MAC.

mod channel;
mod chip;
mod objects;
#[cfg(test)]
mod tests;

use core::fmt;

use crate::apdu::{ApduError, CLA_SM, CommandApdu, LengthForm, MAX_EXTENDED_NE, MAX_SHORT_NC, MAX_SHORT_NE};
use crate::apdu::{ResponseApdu, StatusWord};
use crate::crypto::CryptoError;
use crate::crypto::SessionKeys;
use crate::crypto::sym::{MAC_LEN, mac_eq, pad_m2, unpad_m2};
use crate::oid::SmCipher;
use crate::tlv::{Tag, TlvError, encode_tlv};
use crate::transport::TransportError;

pub use channel::SecureChannel;
pub use objects::{TAG_CRYPTOGRAM, TAG_CRYPTOGRAM_ODD, TAG_LE, TAG_MAC, TAG_STATUS};

/// The data object of a cryptogram, for commands and responses alike: DO'85 (the cryptogram alone) after an odd
/// INS, else DO'87 (the padding-content indicator `01` then the cryptogram; ICAO 9303-11 §9.8.4).
fn cryptogram_object(cryptogram: &[u8], odd_ins: bool) -> Vec<u8> {
    if odd_ins {
        encode_tlv(TAG_CRYPTOGRAM_ODD, cryptogram)
    } else {
        let mut value = Vec::with_capacity(cryptogram.len().saturating_add(1));
        value.push(0x01);
        value.extend_from_slice(cryptogram);
        encode_tlv(TAG_CRYPTOGRAM, &value)
    }
}

/// What went wrong while protecting or verifying an APDU. Says who is at fault: a malformed or forged message
/// from the other side (most variants), or a misuse of the API ([`SmError::Apdu`], [`SmError::Crypto`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmError {
    /// The message's data field is not a sequence of BER-TLV data objects.
    #[error("malformed secure messaging data objects: {0}")]
    Malformed(#[from] TlvError),
    /// A data object that does not belong at this place (unknown tag, repeated, out of order, or DO'87 with an odd
    /// INS / DO'85 with an even one).
    #[error("unexpected data object {tag} at offset {offset}")]
    UnexpectedDataObject {
        /// The tag found.
        tag: Tag,
        /// Its offset in the data field.
        offset: usize,
    },
    /// No DO'8E (cryptographic checksum), or a DO'8E that is not the last object.
    #[error("missing MAC (DO'8E)")]
    MissingMac,
    /// A DO'8E that is not 8 bytes long.
    #[error("MAC (DO'8E) of {0} bytes, expected 8")]
    InvalidMacLength(usize),
    /// The MAC does not verify: the message was altered, replayed or sent with other keys.
    #[error("MAC verification failed")]
    MacMismatch,
    /// A protected response without DO'99 (processing status).
    #[error("missing processing status (DO'99)")]
    MissingStatus,
    /// A DO'99 that is not two bytes long.
    #[error("processing status (DO'99) of {0} bytes, expected 2")]
    InvalidStatusLength(usize),
    /// The status word in DO'99 differs from the response's trailer.
    #[error("protected status {protected} differs from the trailer status {trailer}")]
    StatusMismatch {
        /// The status word in DO'99 (MAC-protected).
        protected: StatusWord,
        /// The status word of the response trailer (unprotected).
        trailer: StatusWord,
    },
    /// A response without any data while secure messaging is on: a chip that ended the session reports an error
    /// this way; an unprotected `9000` is never accepted.
    #[error("unprotected response with status {}", .0.explained())]
    UnprotectedResponse(StatusWord),
    /// A command whose CLA does not announce secure messaging (`0C`).
    #[error("command is not protected (CLA {0:02X})")]
    UnprotectedCommand(u8),
    /// A DO'87 whose padding-content indicator is not `01`, or an empty cryptogram.
    #[error("invalid padding-content indicator")]
    InvalidPaddingIndicator,
    /// A DO'97 that is not one or two bytes long.
    #[error("Le (DO'97) of {0} bytes")]
    InvalidLe(usize),
    /// The send sequence counter would wrap around: the session must end.
    #[error("send sequence counter exhausted")]
    SscExhausted,
    /// The session was aborted by an earlier integrity failure (wrong MAC, malformed data objects, unprotected
    /// `9000`); start a new access protocol.
    #[error("secure messaging session aborted by an earlier failure")]
    SessionAborted,
    /// The session keys are not for the same cipher.
    #[error("KS_enc and KS_mac are for different ciphers")]
    MismatchedKeys,
    /// A cryptographic error: bad padding in a decrypted cryptogram, or a cryptogram that is not whole blocks.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The protected command cannot be encoded (data too long).
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// The transport failed under a [`SecureChannel`].
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// A secure messaging session: the session keys and the send sequence counter (SSC).
///
/// `Debug` prints the cipher and the SSC, never the keys (which are zeroized on drop).
#[derive(Clone)]
pub struct SecureMessaging {
    keys: SessionKeys,
    ssc: Vec<u8>,
    /// Chip side: whether the last unwrapped command had an odd INS (its response data goes in DO'85).
    last_ins_odd: bool,
    /// Set by an integrity failure: the session is over (ICAO Doc 9303-11 §9.8.1, the chip discards its keys).
    aborted: bool,
}

impl fmt::Debug for SecureMessaging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureMessaging")
            .field("cipher", &self.keys.cipher())
            .field("ssc", &hex::encode_upper(&self.ssc))
            .field("keys", &"REDACTED")
            .finish()
    }
}

impl SecureMessaging {
    /// A session with keys `KS_enc`/`KS_mac` and an initial SSC, which must be one block long (8 bytes for
    /// 3DES, 16 for AES). BAC sets the SSC from the nonces; PACE and Chip Authentication start at zero
    /// ([`SecureMessaging::with_zero_ssc`]).
    pub fn new(keys: SessionKeys, ssc: &[u8]) -> Result<Self, SmError> {
        let bs = keys.ks_enc.block_size();
        if keys.ks_mac.cipher() != keys.ks_enc.cipher() {
            return Err(SmError::MismatchedKeys);
        }
        if ssc.len() != bs {
            return Err(CryptoError::InvalidIvLength { expected: bs, actual: ssc.len() }.into());
        }
        Ok(SecureMessaging { keys, ssc: ssc.to_vec(), last_ins_odd: false, aborted: false })
    }

    /// A session whose SSC starts at zero (PACE, Chip Authentication). The block size is `KS_enc`'s.
    pub fn with_zero_ssc(keys: SessionKeys) -> Self {
        let bs = keys.ks_enc.block_size();
        SecureMessaging { keys, ssc: vec![0; bs], last_ins_odd: false, aborted: false }
    }

    /// The cipher of the session.
    pub fn cipher(&self) -> SmCipher {
        self.keys.cipher()
    }

    /// The current send sequence counter (the value used by the last protected message).
    pub fn ssc(&self) -> &[u8] {
        &self.ssc
    }

    /// The session keys.
    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    fn block_size(&self) -> usize {
        self.keys.ks_enc.block_size()
    }

    /// Whether an integrity failure ended the session.
    pub fn is_aborted(&self) -> bool {
        self.aborted
    }

    /// Runs `f` unless the session is aborted; aborts it when `f` fails with an error for which `aborts` holds.
    fn guarded<R>(
        &mut self,
        aborts: fn(&SmError) -> bool,
        f: impl FnOnce(&mut Self) -> Result<R, SmError>,
    ) -> Result<R, SmError> {
        if self.aborted {
            return Err(SmError::SessionAborted);
        }
        let result = f(self);
        if let Err(e) = &result
            && aborts(e)
        {
            self.aborted = true;
        }
        result
    }

    fn increment_ssc(&mut self) -> Result<(), SmError> {
        for b in self.ssc.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                return Ok(());
            }
        }
        Err(SmError::SscExhausted)
    }

    /// `pad(data)` encrypted with `KS_enc` and the IV of the current SSC.
    fn encrypt(&self, data: &[u8]) -> Result<Vec<u8>, SmError> {
        let iv = self.keys.ks_enc.sm_iv(&self.ssc)?;
        Ok(self.keys.ks_enc.encrypt_cbc(&iv, &pad_m2(data, self.block_size()))?)
    }

    /// The cryptogram decrypted with the IV of the current SSC, padding removed strictly.
    fn decrypt(&self, cryptogram: &[u8]) -> Result<Vec<u8>, SmError> {
        if cryptogram.is_empty() {
            return Err(SmError::InvalidPaddingIndicator);
        }
        let iv = self.keys.ks_enc.sm_iv(&self.ssc)?;
        let padded = self.keys.ks_enc.decrypt_cbc(&iv, cryptogram)?;
        Ok(unpad_m2(&padded, self.block_size())?.to_vec())
    }

    /// The MAC of `pad(SSC ∥ input)` with `KS_mac`.
    fn mac(&self, input: &[u8]) -> Result<[u8; MAC_LEN], SmError> {
        let mut n = Vec::with_capacity(self.ssc.len().saturating_add(input.len()).saturating_add(16));
        n.extend_from_slice(&self.ssc);
        n.extend_from_slice(input);
        Ok(self.keys.ks_mac.sm_mac(&pad_m2(&n, self.block_size()))?)
    }

    /// Checks the MAC of `input` against `cc` in constant time.
    fn verify_mac(&self, input: &[u8], cc: &[u8]) -> Result<(), SmError> {
        if cc.len() != MAC_LEN {
            return Err(SmError::InvalidMacLength(cc.len()));
        }
        let expected = self.mac(input)?;
        if mac_eq(&expected, cc) { Ok(()) } else { Err(SmError::MacMismatch) }
    }

    /// The padded command header with the secure messaging CLA bits set.
    fn padded_header(&self, header: [u8; 4]) -> Vec<u8> {
        pad_m2(&header, self.block_size())
    }

    /// Terminal side: protects a command (ICAO Doc 9303-11 §9.8.4). Increments the SSC, encrypts the data into
    /// DO'87 (even INS, with the padding-content indicator `01`) or DO'85 (odd INS), encodes `Le` in DO'97 and
    /// appends DO'8E. The protected command has CLA `0C` (the chaining bit kept) and `Le = 00` (or `0000` when
    /// extended length is used).
    pub fn wrap(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        // Caller errors (data too long) leave the session usable; an exhausted SSC ends it.
        self.guarded(|e| matches!(e, SmError::SscExhausted), |sm| sm.wrap_inner(command))
    }

    fn wrap_inner(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.increment_ssc()?;
        let cla = command.cla | CLA_SM;
        let header = [cla, command.ins, command.p1, command.p2];
        let extended = command.is_extended();
        let mut dos = Vec::new();
        if !command.data.is_empty() {
            let cryptogram = self.encrypt(&command.data)?;
            dos.extend_from_slice(&cryptogram_object(&cryptogram, command.ins & 1 == 1));
        }
        if let Some(ne) = command.le {
            if !(1..=MAX_EXTENDED_NE).contains(&ne) {
                return Err(ApduError::InvalidLe(ne).into());
            }
            // 256 (short) and 65536 (extended) wrap to 00 / 0000.
            let le = u32::try_from(ne).unwrap_or(0).to_be_bytes();
            let value: &[u8] = if extended { le.get(2..).unwrap_or(&[]) } else { le.get(3..).unwrap_or(&[]) };
            dos.extend_from_slice(&encode_tlv(TAG_LE, value));
        }
        let mut m = self.padded_header(header);
        m.extend_from_slice(&dos);
        let cc = self.mac(&m)?;
        dos.extend_from_slice(&encode_tlv(TAG_MAC, &cc));
        let use_extended = extended || dos.len() > MAX_SHORT_NC;
        let protected = CommandApdu {
            cla,
            ins: command.ins,
            p1: command.p1,
            p2: command.p2,
            data: dos,
            le: Some(if use_extended { MAX_EXTENDED_NE } else { MAX_SHORT_NE }),
            form: if use_extended { LengthForm::Extended } else { LengthForm::Auto },
        };
        // Reject now what cannot be sent.
        protected.to_bytes()?;
        Ok(protected)
    }

    /// Terminal side: verifies and decrypts a protected response (ICAO Doc 9303-11 §9.8.5). Increments the SSC,
    /// requires DO'99 and DO'8E, checks the MAC over `SSC ∥ DO'87/85 ∥ DO'99` in constant time, checks that
    /// DO'99 matches the trailer, and decrypts the data. A response without data is an error
    /// ([`SmError::UnprotectedResponse`]) carrying its status word; it ends the session only when that status is
    /// `9000` (an error status without protection is how chips report secure messaging errors, and some chips
    /// answer e.g. `6A82` unprotected and go on). Every other failure aborts the session: later calls return
    /// [`SmError::SessionAborted`].
    pub fn unwrap(&mut self, response: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        self.guarded(
            |e| !matches!(e, SmError::UnprotectedResponse(sw) if !sw.is_success()),
            |sm| sm.unwrap_inner(response),
        )
    }

    fn unwrap_inner(&mut self, response: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        self.increment_ssc()?;
        if response.data.is_empty() {
            return Err(SmError::UnprotectedResponse(response.sw));
        }
        let dos = objects::parse_response(&response.data)?;
        self.verify_mac(dos.authenticated, dos.mac)?;
        let status = dos.status;
        if status != response.sw {
            return Err(SmError::StatusMismatch { protected: status, trailer: response.sw });
        }
        let data = match dos.cryptogram {
            None => Vec::new(),
            Some(objects::Cryptogram::Even(value)) => match value.split_first() {
                Some((0x01, c)) => self.decrypt(c)?,
                _ => return Err(SmError::InvalidPaddingIndicator),
            },
            Some(objects::Cryptogram::Odd(c)) => self.decrypt(c)?,
        };
        Ok(ResponseApdu { data, sw: status })
    }
}
