//! Status words (ISO/IEC 7816-4 §5.6, ICAO Doc 9303-10/11).

use core::fmt;

/// A status word `SW1 SW2`, named after ISO/IEC 7816-4, with the parameterised families (`61xx`, `63Cx`,
/// `6Cxx`) typed and an [`Other`](StatusWord::Other) fallback. `StatusWord::from(u16)` and `u16::from` round trip
/// for every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusWord {
    /// `9000`: normal processing.
    Success,
    /// `61xx`: `xx` more response bytes are available (GET RESPONSE); `00` means 256 or more.
    BytesRemaining(u8),
    /// `6281`: part of the returned data may be corrupted.
    PartOfDataCorrupted,
    /// `6282`: end of file reached before reading `Ne` bytes.
    EndOfFileReached,
    /// `6300`: verification failed (authentication failed, no further information).
    VerificationFailed,
    /// `63Cx`: verification failed, `x` tries left (`x` is 0 to 15).
    VerificationFailedRetries(u8),
    /// `6400`: execution error, the state of non-volatile memory is unchanged.
    ExecutionError,
    /// `6581`: memory failure.
    MemoryFailure,
    /// `6700`: wrong length (`Lc` or `Le`).
    WrongLength,
    /// `6882`: secure messaging not supported.
    SecureMessagingNotSupported,
    /// `6982`: security status not satisfied.
    SecurityStatusNotSatisfied,
    /// `6983`: authentication method blocked.
    AuthenticationMethodBlocked,
    /// `6984`: reference data not usable.
    ReferenceDataNotUsable,
    /// `6985`: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `6986`: command not allowed (no current EF).
    CommandNotAllowed,
    /// `6987`: expected secure messaging data objects missing.
    SmDataObjectsMissing,
    /// `6988`: incorrect secure messaging data objects.
    SmDataObjectsIncorrect,
    /// `6A80`: incorrect parameters in the command data field.
    IncorrectData,
    /// `6A81`: function not supported.
    FunctionNotSupported,
    /// `6A82`: file or application not found.
    FileNotFound,
    /// `6A84`: not enough memory space in the file.
    NotEnoughMemory,
    /// `6A86`: incorrect parameters P1-P2.
    IncorrectP1P2,
    /// `6A87`: `Nc` inconsistent with P1-P2.
    LcInconsistentWithP1P2,
    /// `6A88`: referenced data or reference data not found.
    ReferencedDataNotFound,
    /// `6A89`: file already exists.
    FileAlreadyExists,
    /// `6A8A`: DF name already exists.
    DfNameAlreadyExists,
    /// `6B00`: wrong parameters P1-P2 (e.g. offset outside the EF).
    WrongParameters,
    /// `6Cxx`: wrong `Le`; `xx` is the exact number of available bytes.
    WrongLe(u8),
    /// `6D00`: instruction code not supported or invalid.
    InsNotSupported,
    /// `6E00`: class not supported.
    ClaNotSupported,
    /// `6F00`: no precise diagnosis.
    NoPreciseDiagnosis,
    /// Any other status word.
    Other(u16),
}

/// The fixed status words and their values (the parameterised families are handled apart).
const NAMED: [(StatusWord, u16); 28] = [
    (StatusWord::Success, 0x9000),
    (StatusWord::PartOfDataCorrupted, 0x6281),
    (StatusWord::EndOfFileReached, 0x6282),
    (StatusWord::VerificationFailed, 0x6300),
    (StatusWord::ExecutionError, 0x6400),
    (StatusWord::MemoryFailure, 0x6581),
    (StatusWord::WrongLength, 0x6700),
    (StatusWord::SecureMessagingNotSupported, 0x6882),
    (StatusWord::SecurityStatusNotSatisfied, 0x6982),
    (StatusWord::AuthenticationMethodBlocked, 0x6983),
    (StatusWord::ReferenceDataNotUsable, 0x6984),
    (StatusWord::ConditionsNotSatisfied, 0x6985),
    (StatusWord::CommandNotAllowed, 0x6986),
    (StatusWord::SmDataObjectsMissing, 0x6987),
    (StatusWord::SmDataObjectsIncorrect, 0x6988),
    (StatusWord::IncorrectData, 0x6A80),
    (StatusWord::FunctionNotSupported, 0x6A81),
    (StatusWord::FileNotFound, 0x6A82),
    (StatusWord::NotEnoughMemory, 0x6A84),
    (StatusWord::IncorrectP1P2, 0x6A86),
    (StatusWord::LcInconsistentWithP1P2, 0x6A87),
    (StatusWord::ReferencedDataNotFound, 0x6A88),
    (StatusWord::FileAlreadyExists, 0x6A89),
    (StatusWord::DfNameAlreadyExists, 0x6A8A),
    (StatusWord::WrongParameters, 0x6B00),
    (StatusWord::InsNotSupported, 0x6D00),
    (StatusWord::ClaNotSupported, 0x6E00),
    (StatusWord::NoPreciseDiagnosis, 0x6F00),
];

impl From<u16> for StatusWord {
    fn from(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x61, n) => StatusWord::BytesRemaining(n),
            (0x63, n) if n & 0xF0 == 0xC0 => StatusWord::VerificationFailedRetries(n & 0x0F),
            (0x6C, n) => StatusWord::WrongLe(n),
            _ => NAMED.iter().find(|(_, v)| *v == sw).map(|(s, _)| *s).unwrap_or(StatusWord::Other(sw)),
        }
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> u16 {
        match sw {
            StatusWord::BytesRemaining(n) => 0x6100 | u16::from(n),
            StatusWord::VerificationFailedRetries(n) => 0x63C0 | u16::from(n & 0x0F),
            StatusWord::WrongLe(n) => 0x6C00 | u16::from(n),
            StatusWord::Other(v) => v,
            named => NAMED.iter().find(|(s, _)| *s == named).map(|(_, v)| *v).unwrap_or(0x6F00),
        }
    }
}

impl StatusWord {
    /// The status word from `SW1` and `SW2`.
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        StatusWord::from(u16::from_be_bytes([sw1, sw2]))
    }

    /// The two bytes `SW1 SW2`.
    pub fn to_bytes(self) -> [u8; 2] {
        u16::from(self).to_be_bytes()
    }

    /// `9000`.
    pub fn is_success(self) -> bool {
        self == StatusWord::Success
    }

    /// A warning (`62xx`, `63xx`): processing completed, possibly with data, but something is to be noted.
    pub fn is_warning(self) -> bool {
        matches!(self.to_bytes(), [0x62 | 0x63, _])
    }
}

/// What a status word means and what to do about it, for a person at the reader (a row of
/// [`StatusWord::meaning`]'s table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusMeaning {
    /// What the chip said, in a few words (`"authentication method blocked"`).
    pub what: &'static str,
    /// What to do next (`"the chip no longer accepts this password …"`).
    pub action: &'static str,
}

impl StatusWord {
    /// What this status word means and what to do, from one table (ISO/IEC 7816-4 §5.6 and the eMRTD usage of
    /// ICAO Doc 9303-11 and BSI TR-03110-3). A status word the table does not know gets the meaning of its
    /// class (`64xx`, `65xx`, `69xx`, …) or a generic one.
    pub fn meaning(self) -> StatusMeaning {
        let m = |what, action| StatusMeaning { what, action };
        match self {
            StatusWord::Success => m("success", "nothing to do"),
            StatusWord::BytesRemaining(_) => m("more response bytes are available", "send GET RESPONSE"),
            StatusWord::PartOfDataCorrupted => {
                m("part of the returned data may be corrupted", "read again; a chip that keeps saying so is damaged")
            }
            StatusWord::EndOfFileReached => {
                m("end of file reached before the requested length", "nothing: the file is shorter than asked")
            }
            StatusWord::VerificationFailed => m(
                "authentication failed (wrong access key)",
                "check the MRZ or CAN typed against the document and try again",
            ),
            StatusWord::VerificationFailedRetries(0) => m(
                "authentication failed and no try is left: the password is blocked",
                "this password no longer opens the chip; use another (the MRZ instead of the CAN) or have it unblocked",
            ),
            StatusWord::VerificationFailedRetries(1) => m(
                "authentication failed; one try left before the password is blocked (a PIN is suspended)",
                "check the password very carefully before the last try: a wrong one blocks it",
            ),
            StatusWord::VerificationFailedRetries(_) => m(
                "authentication failed; the low digit counts the tries left",
                "check the MRZ or CAN typed against the document and try again",
            ),
            StatusWord::ExecutionError => m("execution error, memory unchanged", "try again; then try another reader"),
            StatusWord::MemoryFailure => m("memory failure on the chip", "the chip is damaged: replace the document"),
            StatusWord::WrongLength => {
                m("wrong length (Lc or Le)", "the chip refuses the APDU size; a reader should retry with short APDUs")
            }
            StatusWord::SecureMessagingNotSupported => {
                m("secure messaging not supported", "the chip does not expect protected commands here")
            }
            StatusWord::SecurityStatusNotSatisfied => m(
                "security status not satisfied (access not granted)",
                "authenticate first (BAC/PACE); DG3/DG4 need Terminal Authentication",
            ),
            StatusWord::AuthenticationMethodBlocked => m(
                "authentication method blocked",
                "the chip no longer accepts this password: use the MRZ instead of the CAN, or have the card unblocked by its issuer",
            ),
            StatusWord::ReferenceDataNotUsable => {
                m("reference data not usable (password deactivated or suspended)", "use another password (CAN or MRZ)")
            }
            StatusWord::ConditionsNotSatisfied => m(
                "conditions of use not satisfied (command out of sequence)",
                "start the session again: remove the card, put it back and read again",
            ),
            StatusWord::CommandNotAllowed => m("command not allowed (no current file)", "select a file first"),
            StatusWord::SmDataObjectsMissing => m(
                "expected secure messaging data objects missing",
                "the session was lost (card moved in the field): read again",
            ),
            StatusWord::SmDataObjectsIncorrect => m(
                "incorrect secure messaging data objects (the chip could not verify the reader's MAC)",
                "the session keys differ or the session was lost: read again; if it persists the access key is wrong",
            ),
            StatusWord::IncorrectData => {
                m("incorrect data in the command", "the reader sent something this chip does not accept")
            }
            StatusWord::FunctionNotSupported => m("function not supported", "this chip does not offer it"),
            StatusWord::FileNotFound => m("file or application not found", "this chip does not hold it"),
            StatusWord::NotEnoughMemory => {
                m("not enough memory space in the file", "the chip is too small for this image")
            }
            StatusWord::IncorrectP1P2 => {
                m("incorrect parameters P1-P2", "the reader sent something this chip does not accept")
            }
            StatusWord::LcInconsistentWithP1P2 => {
                m("Lc inconsistent with P1-P2", "the reader sent something this chip does not accept")
            }
            StatusWord::ReferencedDataNotFound => m(
                "referenced data not found (key or parameter reference)",
                "the chip lacks the key or parameters named",
            ),
            StatusWord::FileAlreadyExists => m("file already exists", "nothing to create: it is there"),
            StatusWord::DfNameAlreadyExists => m("DF name already exists", "nothing to create: it is there"),
            StatusWord::WrongParameters => {
                m("wrong parameters (offset outside the file)", "read within the file's length")
            }
            StatusWord::WrongLe(_) => {
                m("wrong Le; the low byte gives the bytes available", "send the command again with that Le")
            }
            StatusWord::InsNotSupported => m("instruction not supported", "this chip does not offer the command"),
            StatusWord::ClaNotSupported => {
                m("class not supported", "this chip does not accept the command's class (chaining or logical channel)")
            }
            StatusWord::NoPreciseDiagnosis => {
                m("error without precise diagnosis", "try again; a chip that keeps saying so may be damaged")
            }
            StatusWord::Other(v) => match v >> 8 {
                0x62 | 0x63 => m("warning", "processing completed with a warning"),
                0x64 => m("execution error", "try again; then try another reader"),
                0x65 => m("memory error", "the chip may be damaged"),
                0x67..=0x6F => m("checking error", "the chip refused the command"),
                _ => m("unknown status", "the chip answered something ISO/IEC 7816-4 does not define"),
            },
        }
    }

    /// The status word with its meaning, for messages: `6983 (authentication method blocked)`.
    pub fn explained(self) -> Explained {
        Explained(self)
    }
}

impl fmt::Display for StatusMeaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.action)
    }
}

/// A status word shown with what it means (`6300 (authentication failed (wrong access key))`); made by
/// [`StatusWord::explained`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explained(pub StatusWord);

impl fmt::Display for Explained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.0.meaning().what)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", u16::from(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        for v in 0..=u16::MAX {
            assert_eq!(u16::from(StatusWord::from(v)), v, "{v:04X}");
        }
    }

    #[test]
    fn named_values() {
        assert_eq!(StatusWord::from(0x9000), StatusWord::Success);
        assert_eq!(StatusWord::from(0x63C2), StatusWord::VerificationFailedRetries(2));
        assert_eq!(StatusWord::from(0x6300), StatusWord::VerificationFailed);
        assert_eq!(StatusWord::from(0x6C10), StatusWord::WrongLe(0x10));
        assert_eq!(StatusWord::from(0x6110), StatusWord::BytesRemaining(0x10));
        assert_eq!(StatusWord::from(0x6A82), StatusWord::FileNotFound);
        assert_eq!(StatusWord::from(0x6A89), StatusWord::FileAlreadyExists);
        assert_eq!(StatusWord::from(0x6988), StatusWord::SmDataObjectsIncorrect);
        assert_eq!(StatusWord::from(0x6F01), StatusWord::Other(0x6F01));
        assert_eq!(StatusWord::from_bytes(0x69, 0x87), StatusWord::SmDataObjectsMissing);
        assert_eq!(StatusWord::WrongLength.to_bytes(), [0x67, 0x00]);
        assert_eq!(StatusWord::Other(0x9000), StatusWord::Other(0x9000));
        assert_eq!(StatusWord::EndOfFileReached.to_string(), "6282");
        assert!(StatusWord::EndOfFileReached.is_warning() && !StatusWord::Success.is_warning());
        // every named value is distinct
        for (i, (a, va)) in NAMED.iter().enumerate() {
            for (b, vb) in NAMED.iter().skip(i + 1) {
                assert!(a != b && va != vb);
            }
        }
    }
    #[test]
    fn every_status_word_has_a_meaning_and_the_eac_ones_say_what_to_do() {
        for v in 0..=u16::MAX {
            let m = StatusWord::from(v).meaning();
            assert!(!m.what.is_empty() && !m.action.is_empty(), "{v:04X}");
        }
        assert!(StatusWord::from(0x6300).meaning().what.contains("wrong access key"));
        assert!(StatusWord::from(0x6983).meaning().what.contains("blocked"));
        assert!(StatusWord::from(0x6983).meaning().action.contains("MRZ instead of the CAN"));
        assert!(StatusWord::from(0x6988).meaning().what.contains("MAC"));
        assert!(StatusWord::from(0x63C1).meaning().what.contains("one try left"));
        assert!(StatusWord::from(0x63C1).meaning().action.contains("last try"));
        assert!(StatusWord::from(0x63C0).meaning().what.contains("blocked"));
        assert_eq!(StatusWord::from(0x6983).explained().to_string(), "6983 (authentication method blocked)");
        assert_eq!(StatusWord::from(0x6401).meaning().what, "execution error");
    }
}
