//! The Logical Data Structure (ICAO Doc 9303-10): every elementary file of an eMRTD as a typed model.
//!
//! Each file type has `decode(&[u8])` (tolerant where real cards differ, never panicking, keeping
//! the exact bytes that were read) and `encode()` (canonical). What a decoder tolerated is a typed
//! [`DecodeWarning`] in the decoded model (the rule and the list are in [`warning`]). [`LdsFile`] is the
//! one table that maps a file to its tag, file identifier (FID) and short file identifier (SFI).
//!
//! Biometrics come in two encodings (LDS 1.8): the ISO/IEC 19794 records of [`dg2::facial`], [`dg3::finger`] and
//! [`dg3::iris`] (`5F2E`), and the ISO/IEC 39794 blocks of [`iso39794`] (`7F2E`), which DG2, DG3 and DG4 decode
//! alike.

/// An enum of wire codes with an `Other` fallback, for the 19794-5 enums of DG2, DG3/DG4
/// and ISO/IEC 39794.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident : $repr:ty { $($(#[$vm:meta])* $variant:ident = $value:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// A value this library has no name for.
            Other($repr),
        }

        impl $name {
            /// The encoded value.
            pub fn code(self) -> $repr {
                match self {
                    $($name::$variant => $value,)*
                    $name::Other(v) => v,
                }
            }

            /// The variant for an encoded value.
            pub fn from_code(v: $repr) -> Self {
                match v {
                    $($value => $name::$variant,)*
                    other => $name::Other(other),
                }
            }
        }
    };
}

pub mod card_security;
pub mod com;
pub mod details;
pub mod dg15;
pub mod dg2;
pub mod dg3;
pub mod iso39794;
pub mod raw;
/// Public keys (`SubjectPublicKeyInfo`), shared with the crypto layer.
pub use crate::crypto::public_key;
pub mod dg1;
pub mod dg13;
pub mod security_infos;
pub mod sod;
pub mod warning;

pub use warning::{DecodeWarning, DecodeWarningKind};

use crate::tlv::{Tag, TlvError, TlvErrorKind};

/// The eMRTD application identifier (ICAO Doc 9303-10 §3.6.1): `A0 00 00 02 47 10 01`.
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
/// The file identifier of the master file (ISO/IEC 7816-4).
pub const MF_FID: u16 = 0x3F00;
/// The file identifier of EF.ATR/INFO in the master file (ISO/IEC 7816-4 §8.2.1.1; announces extended length).
pub const EF_ATR_INFO_FID: u16 = 0x2F01;

/// An elementary file of the eMRTD application (or EF.CardAccess in the master file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LdsFile {
    /// EF.COM: LDS version and the list of data groups present.
    Com,
    /// EF.SOD: the Document Security Object.
    Sod,
    /// EF.CardAccess: SecurityInfos for PACE, in the master file, readable without authentication.
    CardAccess,
    /// EF.CardSecurity: SecurityInfos signed by the Document Signer (CMS), in the master file (FID `011D`,
    /// SFI `1D`, like EF.SOD in the application), readable after PACE; every PACE-CAM chip has it.
    CardSecurity,
    /// Data group 1 to 16.
    Dg(DgNumber),
}

/// A data group number, 1 to 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DgNumber(u8);

impl DgNumber {
    /// The data group number if it is 1 to 16.
    pub const fn new(n: u8) -> Option<Self> {
        if n >= 1 && n <= 16 { Some(DgNumber(n)) } else { None }
    }

    /// The number, 1 to 16.
    pub const fn get(self) -> u8 {
        self.0
    }
}

/// `(number, tag)` for DG1 to DG16 (ICAO 9303-10 §4.6.2, Table 34).
const DG_TAGS: [(u8, u8); 16] = [
    (1, 0x61),
    (2, 0x75),
    (3, 0x63),
    (4, 0x76),
    (5, 0x65),
    (6, 0x66),
    (7, 0x67),
    (8, 0x68),
    (9, 0x69),
    (10, 0x6A),
    (11, 0x6B),
    (12, 0x6C),
    (13, 0x6D),
    (14, 0x6E),
    (15, 0x6F),
    (16, 0x70),
];

impl LdsFile {
    /// Data group `n` (1 to 16).
    pub const fn dg(n: u8) -> Option<Self> {
        match DgNumber::new(n) {
            Some(d) => Some(LdsFile::Dg(d)),
            None => None,
        }
    }

    /// Every file this table knows, in FID order of the application (EF.CardAccess first), then
    /// EF.CardSecurity (whose FID and SFI, in the master file, are EF.SOD's in the application: [`LdsFile::from_fid`]
    /// and [`LdsFile::from_sfi`] name EF.SOD; [`LdsFile::in_master_file`] tells them apart).
    pub fn all() -> impl Iterator<Item = LdsFile> {
        [LdsFile::CardAccess, LdsFile::Com, LdsFile::Sod]
            .into_iter()
            .chain(DG_TAGS.iter().filter_map(|(n, _)| LdsFile::dg(*n)))
            .chain([LdsFile::CardSecurity])
    }

    /// Whether the file lives in the master file (EF.CardAccess, EF.CardSecurity) rather than the eMRTD
    /// application.
    pub fn in_master_file(self) -> bool {
        matches!(self, LdsFile::CardAccess | LdsFile::CardSecurity)
    }

    /// The outermost tag of the file's content. EF.CardAccess is a bare `SET` (`31`).
    pub fn tag(self) -> Tag {
        match self {
            LdsFile::Com => Tag::new(0x60),
            LdsFile::Sod => Tag::new(0x77),
            LdsFile::CardAccess => Tag::new(0x31),
            LdsFile::CardSecurity => Tag::new(0x30),
            LdsFile::Dg(n) => {
                let tag = DG_TAGS.iter().find(|(k, _)| *k == n.0).map(|(_, t)| *t).unwrap_or(0);
                Tag::new(u32::from(tag))
            }
        }
    }

    /// The file identifier: `011E` EF.COM, `011D` EF.SOD, `011C` EF.CardAccess, `01nn` DG*n*.
    pub fn fid(self) -> u16 {
        match self {
            LdsFile::Com => 0x011E,
            LdsFile::Sod => 0x011D,
            LdsFile::CardAccess => 0x011C,
            LdsFile::CardSecurity => 0x011D,
            LdsFile::Dg(n) => 0x0100 | u16::from(n.0),
        }
    }

    /// The short file identifier (the low five bits of the FID).
    pub fn sfi(self) -> u8 {
        (self.fid() & 0x1F) as u8
    }

    /// The file whose content starts with `tag` (EF.CardAccess and DG14 share no tag: `31` is EF.CardAccess).
    pub fn from_tag(tag: Tag) -> Option<Self> {
        Self::all().find(|f| f.tag() == tag)
    }

    /// The file with this FID.
    pub fn from_fid(fid: u16) -> Option<Self> {
        Self::all().find(|f| f.fid() == fid)
    }

    /// The file with this SFI.
    pub fn from_sfi(sfi: u8) -> Option<Self> {
        Self::all().find(|f| f.sfi() == sfi)
    }

    /// The data group number, for data groups.
    pub fn dg_number(self) -> Option<u8> {
        match self {
            LdsFile::Dg(n) => Some(n.0),
            _ => None,
        }
    }

    /// The name used in the specifications and in file names: `EF.COM`, `EF.SOD`, `EF.CardAccess`, `DG1`….
    pub fn name(self) -> String {
        match self {
            LdsFile::Com => "EF.COM".into(),
            LdsFile::Sod => "EF.SOD".into(),
            LdsFile::CardAccess => "EF.CardAccess".into(),
            LdsFile::CardSecurity => "EF.CardSecurity".into(),
            LdsFile::Dg(n) => format!("DG{}", n.0),
        }
    }

    /// Parses a name as [`LdsFile::name`] writes it (case-insensitive; `COM`, `SOD`, `CardAccess` also accepted).
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.trim().to_ascii_uppercase();
        let n = n.strip_prefix("EF.").unwrap_or(&n);
        match n {
            "COM" => Some(LdsFile::Com),
            "SOD" => Some(LdsFile::Sod),
            "CARDACCESS" => Some(LdsFile::CardAccess),
            "CARDSECURITY" => Some(LdsFile::CardSecurity),
            _ => n.strip_prefix("DG").and_then(|d| d.parse::<u8>().ok()).and_then(LdsFile::dg),
        }
    }
}

impl core::fmt::Display for LdsFile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.name())
    }
}

/// As its [name](LdsFile::name) (`"DG1"`, `"EF.SOD"`): JSON maps keyed by file stay readable.
impl serde::Serialize for LdsFile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

/// What went wrong while decoding or encoding an LDS file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LdsErrorKind {
    /// Malformed BER-TLV.
    #[error("{0}")]
    Tlv(TlvErrorKind),
    /// Malformed DER (ASN.1 structures: SecurityInfos, LDSSecurityObject, SubjectPublicKeyInfo, CMS).
    #[error("ASN.1: {0}")]
    Asn1(String),
    /// A required element is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// An element has a value that the format does not allow.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The element.
        field: &'static str,
        /// Why it is invalid (never the value itself).
        reason: &'static str,
    },
    /// A malformed MRZ (DG1).
    #[error("MRZ: {0}")]
    Mrz(crate::mrz::MrzError),
    /// A value cannot be encoded (too long, characters outside the allowed set).
    #[error("cannot encode {field}: {reason}")]
    Unencodable {
        /// The element.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
}

/// An error decoding or encoding an LDS file: which file, where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {kind}{}", offset.map(|o| format!(" (at byte {o})")).unwrap_or_default())]
pub struct LdsError {
    /// The file.
    pub file: LdsFile,
    /// Byte offset from the start of the file, when known.
    pub offset: Option<usize>,
    /// What went wrong.
    pub kind: LdsErrorKind,
}

impl LdsError {
    /// An error in `file` at `offset`.
    pub fn at(file: LdsFile, offset: usize, kind: LdsErrorKind) -> Self {
        LdsError { file, offset: Some(offset), kind }
    }

    /// An error in `file` with no known offset.
    pub fn new(file: LdsFile, kind: LdsErrorKind) -> Self {
        LdsError { file, offset: None, kind }
    }

    /// Wraps a TLV error found in `file`.
    pub fn tlv(file: LdsFile, e: TlvError) -> Self {
        LdsError { file, offset: Some(e.offset), kind: LdsErrorKind::Tlv(e.kind) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_round_trips() {
        for f in LdsFile::all() {
            assert_eq!(LdsFile::from_tag(f.tag()), Some(f));
            let in_app = if f == LdsFile::CardSecurity { LdsFile::Sod } else { f };
            assert_eq!(LdsFile::from_fid(f.fid()), Some(in_app));
            assert_eq!(LdsFile::from_sfi(f.sfi()), Some(in_app));
            assert_eq!(LdsFile::from_name(&f.name()), Some(f));
        }
        assert_eq!(LdsFile::all().count(), 20);
        assert!(LdsFile::CardSecurity.in_master_file() && !LdsFile::Sod.in_master_file());
        assert_eq!(LdsFile::dg(13).map(LdsFile::fid), Some(0x010D));
        assert_eq!(LdsFile::dg(2).map(LdsFile::tag), Some(Tag::new(0x75)));
        assert_eq!(LdsFile::dg(15).map(LdsFile::sfi), Some(0x0F));
        assert_eq!(LdsFile::Com.sfi(), 0x1E);
        assert_eq!(LdsFile::dg(0), None);
        assert_eq!(LdsFile::dg(17), None);
        assert_eq!(LdsFile::from_name("dg13"), LdsFile::dg(13));
    }
}
