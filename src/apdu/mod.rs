//! Command and response APDUs (ISO/IEC 7816-4 §5): encoding of cases 1, 2S, 3S, 4S, 2E, 3E, 4E, strict parsing
//! for the chip side, status words, and command chaining.
//!
//! `Debug` of an APDU prints its header and lengths, never its data: data fields carry keys, MRZ-derived
//! cryptograms and personal data.

mod chain;
pub mod commands;
mod status;

use core::fmt;

pub use chain::ChainAssembler;
pub use status::{Explained, StatusMeaning, StatusWord};

/// Instruction bytes used by eMRTDs (ICAO Doc 9303-10/11, BSI TR-03110).
pub mod ins {
    /// SELECT.
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY (offset in P1-P2).
    pub const READ_BINARY: u8 = 0xB0;
    /// READ BINARY with an offset data object (odd INS, for offsets above 32767).
    pub const READ_BINARY_ODD: u8 = 0xB1;
    /// UPDATE BINARY.
    pub const UPDATE_BINARY: u8 = 0xD6;
    /// UPDATE BINARY with offset and data objects (odd INS, for offsets above 32767).
    pub const UPDATE_BINARY_ODD: u8 = 0xD7;
    /// CREATE FILE (personalization).
    pub const CREATE_FILE: u8 = 0xE0;
    /// PUT DATA (personalization: keys, passwords, LOCK).
    pub const PUT_DATA: u8 = 0xDA;
    /// GET CHALLENGE.
    pub const GET_CHALLENGE: u8 = 0x84;
    /// EXTERNAL AUTHENTICATE / MUTUAL AUTHENTICATE (BAC).
    pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
    /// INTERNAL AUTHENTICATE (Active Authentication).
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    /// MANAGE SECURITY ENVIRONMENT.
    pub const MANAGE_SECURITY_ENVIRONMENT: u8 = 0x22;
    /// PERFORM SECURITY OPERATION (PSO:Verify Certificate in Terminal Authentication).
    pub const PERFORM_SECURITY_OPERATION: u8 = 0x2A;
    /// GENERAL AUTHENTICATE (PACE, Chip Authentication).
    pub const GENERAL_AUTHENTICATE: u8 = 0x86;
    /// GET RESPONSE.
    pub const GET_RESPONSE: u8 = 0xC0;
}

impl zeroize::Zeroize for CommandApdu {
    /// Clears the data field (commands that carry keys: PUT DATA during personalization).
    fn zeroize(&mut self) {
        self.data.zeroize();
    }
}

/// The CLA bit of command chaining (ISO/IEC 7816-4 §5.4.1): "not the last command of a chain".
pub const CLA_CHAINING: u8 = 0x10;
/// The CLA bits of secure messaging with a command header authenticated (`0C`).
pub const CLA_SM: u8 = 0x0C;

/// The largest `Nc` of a short APDU.
pub const MAX_SHORT_NC: usize = 255;
/// The largest `Ne` of a short APDU (encoded `00`).
pub const MAX_SHORT_NE: usize = 256;
/// The largest `Nc` of an extended APDU.
pub const MAX_EXTENDED_NC: usize = 65_535;
/// The largest `Ne` of an extended APDU (encoded `0000`).
pub const MAX_EXTENDED_NE: usize = 65_536;

/// What is wrong with an APDU's bytes, or with an APDU that cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApduError {
    /// Fewer bytes than a header (command: 4) or a status word (response: 2).
    #[error("APDU of {len} bytes is shorter than the minimum {min}")]
    TooShort {
        /// The length received.
        len: usize,
        /// The minimum length.
        min: usize,
    },
    /// The body's length fields do not match its length (no ISO/IEC 7816-4 case fits).
    #[error("APDU body of {body_len} bytes does not match its length field at offset {offset}")]
    LengthMismatch {
        /// Offset of the length field that does not fit.
        offset: usize,
        /// Length of the body (bytes after the header).
        body_len: usize,
    },
    /// An extended `Lc` of `0000`, which ISO/IEC 7816-4 forbids.
    #[error("extended Lc of zero at offset 5")]
    ZeroLc,
    /// Command data longer than an extended APDU can carry.
    #[error("command data of {0} bytes is longer than 65535")]
    DataTooLong(usize),
    /// An expected length outside `1..=65536`.
    #[error("expected length {0} is outside 1..=65536")]
    InvalidLe(usize),
    /// A command of a chain has another INS, P1, P2 or CLA (chaining bit aside) than the first.
    #[error("command {index} of the chain has a different header")]
    ChainHeaderMismatch {
        /// Index of the offending command in the chain.
        index: usize,
    },
    /// A chain carries more data than an extended command can.
    #[error("chained data longer than 65535 bytes")]
    ChainTooLong,
    /// Command chaining asked with a maximum chunk of zero bytes.
    #[error("command chaining needs a chunk size of at least one byte")]
    InvalidChunkSize,
    /// A command parameter the command cannot carry (an offset past P1-P2, a short file identifier outside
    /// 1–30): the caller's mistake.
    #[error("{parameter} {value} is outside what the command can carry (at most {max})")]
    ParameterOutOfRange {
        /// What the value is.
        parameter: &'static str,
        /// The value asked for.
        value: usize,
        /// The largest value the command carries.
        max: usize,
    },
}

/// Whether the length fields are short (one byte) or extended (three / two bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LengthForm {
    /// Short when the lengths fit (`Nc ≤ 255`, `Ne ≤ 256`), extended otherwise.
    #[default]
    Auto,
    /// Always extended (ISO/IEC 7816-4 cases 2E, 3E, 4E), e.g. for chips that announce extended length.
    Extended,
}

/// A command APDU: header `CLA INS P1 P2`, command data (`Nc` bytes) and the expected response length `Ne`.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (`Nc = data.len()`); empty for cases 1 and 2.
    pub data: Vec<u8>,
    /// Expected response length `Ne` (`1..=65536`); `None` for cases 1 and 3. `Le = 00` (short) means 256 and
    /// `Le = 0000` (extended) means 65536.
    pub le: Option<usize>,
    /// Short or extended length fields.
    pub form: LengthForm,
}

impl fmt::Debug for CommandApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CommandApdu {{ header: {:02X}{:02X}{:02X}{:02X}, nc: {}, ne: {:?}, form: {:?} }}",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le,
            self.form
        )
    }
}

impl CommandApdu {
    /// A case 1 command (header only).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        CommandApdu { cla, ins, p1, p2, data: Vec::new(), le: None, form: LengthForm::Auto }
    }

    /// The same command with data (`Nc = data.len()`).
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// The same command with `Ne` expected response bytes (256 is short `Le = 00`, 65536 extended `0000`).
    pub fn with_le(mut self, ne: usize) -> Self {
        self.le = Some(ne);
        self
    }

    /// The same command with extended length fields.
    pub fn extended(mut self) -> Self {
        self.form = LengthForm::Extended;
        self
    }

    /// The header `CLA INS P1 P2`.
    pub fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }

    /// Whether the encoding uses extended length fields (asked for, or needed by `Nc > 255` or `Ne > 256`).
    pub fn is_extended(&self) -> bool {
        self.form == LengthForm::Extended
            || self.data.len() > MAX_SHORT_NC
            || self.le.is_some_and(|ne| ne > MAX_SHORT_NE)
    }

    /// The encoded APDU (ISO/IEC 7816-4 §5.1).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        let nc = self.data.len();
        if nc > MAX_EXTENDED_NC {
            return Err(ApduError::DataTooLong(nc));
        }
        if let Some(ne) = self.le
            && !(1..=MAX_EXTENDED_NE).contains(&ne)
        {
            return Err(ApduError::InvalidLe(ne));
        }
        let mut out = Vec::with_capacity(nc.saturating_add(9));
        out.extend_from_slice(&self.header());
        let extended = self.is_extended();
        if nc > 0 {
            if extended {
                out.push(0);
                out.extend_from_slice(&len_bytes(nc));
            } else {
                out.push(nc.to_be_bytes().last().copied().unwrap_or(0));
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(ne) = self.le {
            if extended {
                if nc == 0 {
                    out.push(0);
                }
                // 65536 wraps to 0000.
                out.extend_from_slice(&len_bytes(ne));
            } else {
                // 256 wraps to 00.
                out.push(ne.to_be_bytes().last().copied().unwrap_or(0));
            }
        }
        Ok(out)
    }

    /// Parses a command APDU (chip side), strictly: exactly one ISO/IEC 7816-4 case must fit the length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ApduError> {
        let (header, body) = bytes.split_first_chunk::<4>().ok_or(ApduError::TooShort { len: bytes.len(), min: 4 })?;
        let [cla, ins, p1, p2] = *header;
        let mut apdu = CommandApdu::new(cla, ins, p1, p2);
        let mismatch = |offset| ApduError::LengthMismatch { offset, body_len: body.len() };
        match body {
            // Case 1.
            [] => {}
            // Case 2S.
            [le] => apdu.le = Some(short_ne(*le)),
            // Extended: a first body byte 00 followed by at least two bytes.
            [0, b1, b2, rest @ ..] => {
                apdu.form = LengthForm::Extended;
                let n = usize::from(u16::from_be_bytes([*b1, *b2]));
                if rest.is_empty() {
                    // Case 2E.
                    apdu.le = Some(extended_ne(n));
                } else {
                    if n == 0 {
                        return Err(ApduError::ZeroLc);
                    }
                    let data = rest.get(..n).ok_or(mismatch(5))?;
                    apdu.data = data.to_vec();
                    match rest.get(n..).unwrap_or(&[]) {
                        // Case 3E.
                        [] => {}
                        // Case 4E.
                        [l1, l2] => apdu.le = Some(extended_ne(usize::from(u16::from_be_bytes([*l1, *l2])))),
                        _ => return Err(mismatch(bytes.len().saturating_sub(rest.len()).saturating_add(n))),
                    }
                }
            }
            [0, ..] => return Err(mismatch(4)),
            // Short: Lc then data, then an optional Le.
            [lc, rest @ ..] => {
                let n = usize::from(*lc);
                let data = rest.get(..n).ok_or(mismatch(4))?;
                apdu.data = data.to_vec();
                match rest.get(n..).unwrap_or(&[]) {
                    // Case 3S.
                    [] => {}
                    // Case 4S.
                    [le] => apdu.le = Some(short_ne(*le)),
                    _ => return Err(mismatch(5usize.saturating_add(n))),
                }
            }
        }
        Ok(apdu)
    }

    /// Splits the command into a chain (ISO/IEC 7816-4 §5.4.1) of commands carrying at most `max_data` bytes each:
    /// every command but the last has the chaining bit `10` set in CLA and no `Le`. A command that fits is
    /// returned alone, unchanged.
    pub fn chain(&self, max_data: usize) -> Result<Vec<CommandApdu>, ApduError> {
        if max_data == 0 {
            return Err(ApduError::InvalidChunkSize);
        }
        if self.data.len() <= max_data {
            return Ok(vec![self.clone()]);
        }
        let chunks: Vec<&[u8]> = self.data.chunks(max_data).collect();
        let last = chunks.len().saturating_sub(1);
        Ok(chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let is_last = i == last;
                CommandApdu {
                    cla: if is_last { self.cla } else { self.cla | CLA_CHAINING },
                    ins: self.ins,
                    p1: self.p1,
                    p2: self.p2,
                    data: chunk.to_vec(),
                    le: if is_last { self.le } else { None },
                    form: self.form,
                }
            })
            .collect())
    }

    /// Whether the CLA says "more commands of this chain follow".
    pub fn is_chained(&self) -> bool {
        self.cla & CLA_CHAINING != 0
    }
}

fn len_bytes(n: usize) -> [u8; 2] {
    // Callers bound `n` to 1..=65536; 65536 encodes as 0000.
    let v = u16::try_from(n).unwrap_or(0);
    v.to_be_bytes()
}

fn short_ne(le: u8) -> usize {
    if le == 0 { MAX_SHORT_NE } else { usize::from(le) }
}

fn extended_ne(le: usize) -> usize {
    if le == 0 { MAX_EXTENDED_NE } else { le }
}

/// A response APDU: response data and the status word.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    /// Response data (may be empty).
    pub data: Vec<u8>,
    /// The status word.
    pub sw: StatusWord,
}

impl fmt::Debug for ResponseApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseApdu {{ nr: {}, sw: {} }}", self.data.len(), self.sw)
    }
}

impl ResponseApdu {
    /// A response with data and a status word.
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Self {
        ResponseApdu { data: data.into(), sw }
    }

    /// A response with no data.
    pub fn status(sw: StatusWord) -> Self {
        ResponseApdu { data: Vec::new(), sw }
    }

    /// Parses `data || SW1 SW2`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ApduError> {
        let (data, sw) = bytes.split_last_chunk::<2>().ok_or(ApduError::TooShort { len: bytes.len(), min: 2 })?;
        let [sw1, sw2] = *sw;
        Ok(ResponseApdu { data: data.to_vec(), sw: StatusWord::from_bytes(sw1, sw2) })
    }

    /// The encoded response `data || SW1 SW2`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len().saturating_add(2));
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }

    /// Whether the status word is `9000`.
    pub fn is_success(&self) -> bool {
        self.sw.is_success()
    }
}

#[cfg(test)]
mod tests;
