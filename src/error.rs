//! The crate's error type.
//!
//! Every module has its own structured error enum and returns it; [`Error`] wraps them all so that an
//! application can use `?` across the crate and still match on who is at fault. It is the top of the layer
//! table: it imports every module's error, and no module of the library imports it. No variant carries
//! secrets or personal data: values that failed to parse are described, never echoed.

use crate::access::AccessError;
use crate::apdu::ApduError;
use crate::citizen::CitizenError;
use crate::crypto::CryptoError;
use crate::cvc::CvcError;
use crate::face::FaceError;
use crate::image::ImageError;
use crate::issuance::IssueError;
use crate::lds::LdsError;
use crate::mrz::MrzError;
use crate::pa::{MasterListError, TrustError};
use crate::perso::PersoError;
use crate::pki::PkiError;
use crate::qr::QrError;
use crate::reader::ReadError;
use crate::sm::SmError;
use crate::tlv::TlvError;
use crate::transport::TransportError;
use crate::vpcd::VpcdError;

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
    /// An access control protocol failed (BAC, PACE, CA, AA): the chip refused, or a cryptogram did not verify.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The channel to the chip failed (card removed, reader unavailable, timeout).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The vsmartcard-vpcd link failed.
    #[error(transparent)]
    Vpcd(#[from] VpcdError),
    /// A malformed MRZ or a value that cannot be written to one.
    #[error(transparent)]
    Mrz(#[from] MrzError),
    /// A citizen record that cannot be used as asked.
    #[error(transparent)]
    Citizen(#[from] CitizenError),
    /// A malformed, unencodable or unverifiable card-verifiable certificate (EAC).
    #[error(transparent)]
    Cvc(#[from] CvcError),
    /// A face photo that cannot be prepared or decoded.
    #[error(transparent)]
    Face(#[from] FaceError),
    /// A key, certificate or signature of the issuer's PKI.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// Trust material (CSCA certificates, master lists, CRLs) that cannot be loaded.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// Bytes that are not a CSCA master list.
    #[error(transparent)]
    MasterList(#[from] MasterListError),
    /// A chip image folder that cannot be loaded or saved.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Issuing a chip image failed.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// Reading a chip failed.
    #[error(transparent)]
    Read(Box<ReadError>),
    /// Personalizing a chip failed.
    #[error(transparent)]
    Perso(Box<PersoError>),
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Self {
        Error::Read(Box::new(e))
    }
}

impl From<PersoError> for Error {
    fn from(e: PersoError) -> Self {
        Error::Perso(Box::new(e))
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
