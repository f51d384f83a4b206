//! Access control protocols (ICAO Doc 9303-11 §4): Basic Access Control ([`bac`]) and PACE ([`pace`]) — plus Chip
//! Authentication ([`chip_auth`]) and Terminal Authentication v1 ([`ta`]) — for the
//! terminal and for the chip. Both sides end with the same [`SecureMessaging`](crate::sm::SecureMessaging) session.

pub mod bac;
pub mod chip_auth;
pub mod pace;
pub mod ta;

use crate::apdu::StatusWord;
use crate::crypto::CryptoError;
use crate::crypto::ec::NamedCurve;
use crate::oid::{CaProtocol, ObjectIdentifier, PaceProtocol, StandardizedDomainParameter};
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
    Unsupported(#[from] Unsupported),
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

/// What [`AccessError::Unsupported`] refuses: a protocol variant, domain parameters or a situation this
/// implementation does not run. Names only public parameters (protocols, groups, files), never secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsupported {
    /// A PACEInfo with a proprietary (chip-specific) parameter ID and no explicit parameters to resolve it.
    #[error("PACE with proprietary domain parameters")]
    ProprietaryDomainParameters,
    /// Standardized domain parameters that PACE here does not run.
    #[error("PACE domain parameters {}", .0.name())]
    DomainParameters(StandardizedDomainParameter),
    /// A PACE protocol on a group it is not defined or not run on.
    #[error("{} on {}", .protocol.name(), .domain.name())]
    ProtocolOnDomain {
        /// The protocol the PACEInfo names.
        protocol: PaceProtocol,
        /// Its group.
        domain: pace::PaceDomain,
    },
    /// A PACEInfo with a chip-specific parameter ID that no PACEDomainParameterInfo describes.
    #[error("PACEInfo without standardized or explicit domain parameters")]
    NoDomainParameters,
    /// Explicit elliptic-curve PACE domain parameters that are none of the standardized curves.
    #[error("PACE with explicit curve parameters of no standardized curve")]
    ExplicitCurve,
    /// Explicit DH PACE domain parameters that are none of the standardized groups.
    #[error("PACE with DH parameters of no standardized group")]
    ExplicitDhGroup,
    /// A PACEDomainParameterInfo naming a standardized parameter ID that is not defined (or not run here).
    #[error("PACE with an unknown standardized domain parameter ID ({0})")]
    UnknownParameterId(u8),
    /// A PACEDomainParameterInfo of an algorithm other than EC, DH or standardized parameters.
    #[error("PACE with domain parameters of an unknown algorithm ({0})")]
    DomainParameterAlgorithm(ObjectIdentifier),
    /// PACE Integrated Mapping on a curve whose point encoding it cannot compute (it needs `p ≡ 3 mod 4`:
    /// P-224 does not have it).
    #[error("PACE Integrated Mapping on {} (p ≢ 3 mod 4)", if *.0 == NamedCurve::P224 { "P-224 (secp224r1)" } else { .0.name() })]
    IntegratedMapping(NamedCurve),
    /// PACE-CAM with 3DES.
    #[error("PACE-CAM with 3DES (the mapping is defined for AES only)")]
    CamWith3Des,
    /// PACE-CAM with DH.
    #[error("PACE-CAM with DH (the mapping is defined for ECDH only)")]
    CamWithDh,
    /// A group that has no PACE standardized parameter ID.
    #[error("{} is not a PACE standardized domain", .0.name())]
    NotStandardizedDomain(pace::PaceDomain),
    /// A PACE protocol combination without an OID (DH with CAM).
    #[error("protocol without an OID ({})", .0.name())]
    PaceProtocolWithoutOid(PaceProtocol),
    /// A Chip Authentication protocol combination without an OID.
    #[error("CA protocol without an OID ({})", .0.name())]
    CaProtocolWithoutOid(CaProtocol),
    /// PACE-CAM's proof cannot be checked: the SecurityInfos have no Chip Authentication key on the PACE curve.
    #[error("{file} has no Chip Authentication key on {} for PACE-CAM", .curve.name())]
    NoCamKey {
        /// Where the keys were looked for: `DG14`, `EF.CardSecurity`.
        file: &'static str,
        /// The PACE curve.
        curve: NamedCurve,
    },
    /// DG14 offers no Chip Authentication.
    #[error("DG14 offers no Chip Authentication")]
    NoChipAuthentication,
    /// DG14 offers Chip Authentication, but none this implementation runs.
    #[error("DG14 offers Chip Authentication only with keys on unknown curves or groups, or of unknown versions")]
    ChipAuthenticationKeys,
    /// An Active Authentication key (DG15) on a curve this implementation does not know.
    #[error("Active Authentication key on an unknown curve")]
    ActiveAuthenticationCurve,
    /// An Active Authentication key (DG15) that is a DH key.
    #[error("Active Authentication with a DH key")]
    ActiveAuthenticationWithDh,
    /// The reader asked for a result before any access control ran.
    #[error("no access control ran")]
    NoAccessControlRan,
    /// The reader was given no access control it can run (PACE failed and no BAC key).
    #[error("no access control to run")]
    NoAccessControl,
    /// PACE without EF.CardAccess.
    #[error("no EF.CardAccess: no PACE")]
    NoCardAccess,
    /// EF.CardAccess does not decode, so its PACEInfos are unknown.
    #[error("EF.CardAccess does not decode")]
    CardAccessUndecodable,
    /// EF.CardAccess has no PACEInfo.
    #[error("EF.CardAccess offers no PACE")]
    NoPaceOffered,
    /// Today's date cannot be written as a CV certificate date (2000–2099).
    #[error("a date outside 2000-2099")]
    DateOutOfRange,
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
