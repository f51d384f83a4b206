//! The chip side of secure messaging: verify and decrypt commands, protect responses.

use super::objects::{self, Cryptogram, TAG_MAC, TAG_STATUS};
use super::{SecureMessaging, SmError};
use crate::apdu::{CLA_SM, CommandApdu, LengthForm, MAX_EXTENDED_NE, MAX_SHORT_NE, ResponseApdu, StatusWord};
use crate::tlv::encode_tlv;

impl SecureMessaging {
    /// Chip side: verifies and decrypts a protected command. Increments the SSC, requires CLA `0C` and a DO'8E
    /// that is the last object, checks the MAC over `SSC ∥ padded header ∥ DO'87/85 ∥ DO'97` in constant time,
    /// decrypts the data and restores `Le` from DO'97 (`00` is 256, `0000` is 65536, extended when two bytes).
    /// The returned command has the secure messaging bits cleared from CLA. Any failure aborts the session
    /// (the chip then answers [`SmError::chip_status`] unprotected and forgets the keys).
    pub fn unwrap_command(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.guarded(|_| true, |sm| sm.unwrap_command_inner(command))
    }

    /// Chip side, as some chips do it (the JMRTD applet): like [`unwrap_command`](Self::unwrap_command), but a
    /// failure does not abort the session. The SSC has moved on by one either way, so the chip can answer the
    /// failed command with a protected status word (`6985`, SSC moved on by two) and keep the session.
    pub fn unwrap_command_keeping_session(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.guarded(|_| false, |sm| sm.unwrap_command_inner(command))
    }

    fn unwrap_command_inner(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.increment_ssc()?;
        if command.cla & CLA_SM != CLA_SM {
            return Err(SmError::UnprotectedCommand(command.cla));
        }
        let dos = objects::parse_command(&command.data, command.ins)?;
        let mut m = self.padded_header(command.header());
        m.extend_from_slice(dos.authenticated);
        self.verify_mac(&m, dos.mac)?;
        let data = match dos.cryptogram {
            None => Vec::new(),
            Some(Cryptogram::Even(value)) => match value.split_first() {
                Some((0x01, c)) => self.decrypt(c)?,
                _ => return Err(SmError::InvalidPaddingIndicator),
            },
            Some(Cryptogram::Odd(c)) => self.decrypt(c)?,
        };
        let (le, form) = match dos.le {
            None => (None, LengthForm::Auto),
            Some([0]) => (Some(MAX_SHORT_NE), LengthForm::Auto),
            Some([n]) => (Some(usize::from(*n)), LengthForm::Auto),
            Some([0, 0]) => (Some(MAX_EXTENDED_NE), LengthForm::Extended),
            Some([a, b]) => (Some(usize::from(u16::from_be_bytes([*a, *b]))), LengthForm::Extended),
            Some(other) => return Err(SmError::InvalidLe(other.len())),
        };
        self.last_ins_odd = command.ins & 1 == 1;
        Ok(CommandApdu { cla: command.cla & !CLA_SM, ins: command.ins, p1: command.p1, p2: command.p2, data, le, form })
    }

    /// Chip side: protects a response to the last unwrapped command. Increments the SSC, encrypts the data into
    /// DO'87 (or DO'85 when the command's INS was odd), adds DO'99 with the status word and DO'8E. The trailer
    /// keeps the same status word.
    pub fn wrap_response(&mut self, response: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        self.guarded(|_| true, |sm| sm.wrap_response_inner(response))
    }

    fn wrap_response_inner(&mut self, response: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        self.increment_ssc()?;
        let mut dos = Vec::new();
        if !response.data.is_empty() {
            let cryptogram = self.encrypt(&response.data)?;
            dos.extend_from_slice(&super::cryptogram_object(&cryptogram, self.last_ins_odd));
        }
        dos.extend_from_slice(&encode_tlv(TAG_STATUS, &response.sw.to_bytes()));
        let cc = self.mac(&dos)?;
        dos.extend_from_slice(&encode_tlv(TAG_MAC, &cc));
        Ok(ResponseApdu { data: dos, sw: response.sw })
    }
}

impl SmError {
    /// The status word a chip answers (unprotected) when unwrapping a command fails this way: `6987` when
    /// expected data objects are missing, `6988` when they are incorrect (wrong MAC, malformed, bad padding).
    pub fn chip_status(&self) -> StatusWord {
        match self {
            SmError::MissingMac | SmError::UnprotectedCommand(_) => StatusWord::SmDataObjectsMissing,
            _ => StatusWord::SmDataObjectsIncorrect,
        }
    }
}
