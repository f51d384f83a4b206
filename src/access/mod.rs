//! Access control protocols (ICAO Doc 9303-11 §4): Basic Access Control ([`bac`]) and PACE ([`pace`]) — plus Chip
//! Authentication ([`chip_auth`]) and Terminal Authentication v1 ([`ta`]) — for the
//! terminal and for the chip. Both sides end with the same [`SecureMessaging`](crate::sm::SecureMessaging) session.

pub mod bac;
pub mod chip_auth;
pub mod pace;
pub mod ta;

use crate::apdu::StatusWord;
use crate::crypto::CryptoError;
use crate::sm::SmError;
use crate::transport::TransportError;

/// What went wrong during an access control protocol. Never carries the MRZ, nonces or keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The chip refused a step with this status word (`6300` after a MUTUAL AUTHENTICATE usually means a wrong
    /// MRZ).
    #[error("the chip refused with status {}", .0.explained())]
    Rejected(StatusWord),
    /// The other side's cryptogram did not verify (wrong MAC or wrong nonce): it does not hold the same access
    /// key, e.g. the MRZ is wrong, or the message was altered.
    #[error("authentication failed: the other side's cryptogram does not verify")]
    AuthenticationFailed,
    /// A response of the wrong length (the chip's fault).
    #[error("response data of {actual} bytes, expected {expected}")]
    UnexpectedResponseLength {
        /// The length the protocol defines.
        expected: usize,
        /// The length received.
        actual: usize,
    },
    /// Chip side: a command that is not the one the protocol expects at this step (the terminal's fault).
    #[error("unexpected command {ins:02X} at this step of the protocol")]
    UnexpectedCommand {
        /// The command's INS.
        ins: u8,
    },
    /// The chip refused the password (PACE): `retries_left` when the chip counts (`63Cx`).
    #[error("the chip refused the password{}", match retries_left {
        Some(0) => " (63C0: no try left, the password is now blocked)".to_string(),
        Some(1) => " (63C1: 1 try left, a wrong password on the next try blocks it)".to_string(),
        Some(n) => format!(" ({n} tries left)"),
        None => String::new(),
    })]
    PasswordRejected {
        /// Tries left, when the chip says.
        retries_left: Option<u8>,
    },
    /// A message from the other side that does not parse.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A protocol variant or domain parameters this implementation does not run.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A card access number that is not six digits (the caller's input; never echoed).
    #[error("the card access number is 6 digits")]
    InvalidCan,
    /// Malformed MRZ information (document number, dates) given by the caller.
    #[error("invalid MRZ information: {0}")]
    InvalidMrzInformation(&'static str),
    /// A cryptographic primitive failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// An elliptic-curve operation failed: a point not on the curve, the identity (the other side's fault).
    #[error(transparent)]
    Ec(#[from] crate::crypto::ec::EcError),
    /// A finite-field DH operation failed: a public value outside the subgroup (the other side's fault).
    #[error(transparent)]
    Dh(#[from] crate::crypto::dh::DhError),
    /// Setting up secure messaging failed.
    #[error(transparent)]
    Sm(#[from] SmError),
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl AccessError {
    /// The status word a chip answers with when a step fails this way (`6300` for a failed authentication,
    /// `6700` for a wrong length, `6985` for a command out of sequence).
    pub fn chip_status(&self) -> StatusWord {
        match self {
            AccessError::Rejected(sw) => *sw,
            AccessError::AuthenticationFailed => StatusWord::VerificationFailed,
            AccessError::UnexpectedResponseLength { .. } => StatusWord::WrongLength,
            AccessError::UnexpectedCommand { .. } => StatusWord::ConditionsNotSatisfied,
            _ => StatusWord::NoPreciseDiagnosis,
        }
    }
}
