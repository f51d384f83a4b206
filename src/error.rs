//! The crate's error type.
//!
//! Every module has its own structured error enum; [`Error`] wraps them so that a caller can
//! use `?` across layers and still match on who is at fault. No variant carries secrets or
//! personal data: values that failed to parse are described, never echoed.

use crate::access::AccessError;
use crate::apdu::ApduError;
use crate::citizen::CitizenError;
use crate::crypto::CryptoError;
use crate::cvc::CvcError;
use crate::lds::LdsError;
use crate::mrz::MrzError;
use crate::qr::QrError;
use crate::sm::SmError;
use crate::tlv::TlvError;
use crate::transport::TransportError;

/// Any error this crate returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed BER-TLV bytes.
    #[error(transparent)]
    Tlv(#[from] TlvError),
    /// A malformed or unencodable LDS file (data group, EF.COM, EF.SOD, EF.CardAccess).
    #[error(transparent)]
    Lds(#[from] LdsError),
    /// A malformed card QR payload, or a QR code that cannot be rendered or scanned.
    #[error(transparent)]
    Qr(#[from] QrError),
    /// A cryptographic primitive was misused (wrong key or IV length, bad padding).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Malformed APDU bytes, or an APDU that cannot be encoded.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// A secure messaging failure (bad or missing MAC, malformed data objects, unprotected response).
    #[error(transparent)]
    Sm(#[from] SmError),
    /// An access control protocol failed (BAC): the chip refused, or a cryptogram did not verify.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The channel to the chip failed (card removed, reader unavailable, timeout).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A malformed MRZ or a value that cannot be written to one.
    #[error(transparent)]
    Mrz(#[from] MrzError),
    /// A citizen record that cannot be used as asked.
    #[error(transparent)]
    Citizen(#[from] CitizenError),
    /// A malformed, unencodable or unverifiable card-verifiable certificate (EAC).
    #[error(transparent)]
    Cvc(#[from] CvcError),
    /// Reading a chip failed.
    #[error(transparent)]
    Read(Box<crate::reader::ReadError>),
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
