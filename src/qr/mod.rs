//! The QR code printed on the Vietnamese citizen identity card (cccd-profile §6).
//!
//! - [`payload`]: the `|`-separated UTF-8 text ([`QrPayload`]) in its 2021 layout (7 fields) and its
//!   2024 layout (11 fields): build, tolerant parse with precise errors, validate.
//! - [`render`]: the text as a QR symbol in byte mode, drawn as PNG or SVG ([`render_png`], [`render_svg`]).
//! - [`scan`]: find and decode QR symbols in a photo or scan ([`scan_image`], [`scan_luma`]), robust to
//!   rotation, noise, blur and size.
//!
//! Errors ([`QrError`]) name the field index and byte offset at fault, never the personal values.

mod filters;
pub mod payload;
pub mod render;
mod resample;
pub mod scan;

pub use payload::{QrField, QrLayout, QrPayload, Sex};
pub use render::{EcLevel, QrMatrix, QrSize, RenderOptions, encode_matrix, render_luma, render_png, render_svg};
pub use scan::{ScanEffort, scan_image, scan_luma, scan_luma_with};

use core::fmt;

/// An error of the QR module: payload text, rendering or scanning.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The payload bytes are not UTF-8.
    #[error("QR payload is not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Offset of the first byte that is not valid UTF-8.
        offset: usize,
    },
    /// The payload has a number of `|`-separated fields that is neither 7 (2021 layout) nor 11 or more
    /// (2024 layout).
    #[error("QR payload has {found} fields; the 2021 layout has 7, the 2024 layout 11")]
    FieldCount {
        /// The number of fields found.
        found: usize,
    },
    /// One field is malformed.
    #[error("QR payload field {} ({}){}: {kind}", .field.index(), .field.name(), AtOffset(*.offset))]
    Field {
        /// The field at fault.
        field: QrField,
        /// Byte offset of the field's first byte in the parsed input (`None` from [`QrPayload::validate`]).
        offset: Option<usize>,
        /// What is wrong with it.
        kind: FieldErrorKind,
    },
    /// The date of issue is before the date of birth.
    #[error("QR payload: the date of issue is before the date of birth")]
    IssueBeforeBirth,
    /// The number of fields after the first 7 does not fit the layout (none for 2021, at least 4 for 2024).
    #[error("QR payload: {found} fields after the 7th do not fit the {layout} layout")]
    ExtraFields {
        /// The layout of the payload.
        layout: QrLayout,
        /// How many extra fields it holds.
        found: usize,
    },
    /// The text does not fit in a version-40 QR symbol at the chosen error-correction level.
    #[error("{bytes} bytes do not fit in a QR symbol (version 40) at error-correction level {ec_level:?}")]
    DataTooLong {
        /// Length of the text in bytes.
        bytes: usize,
        /// The error-correction level asked for.
        ec_level: EcLevel,
    },
    /// The QR encoder refused the data for a reason other than its length.
    #[error("the QR encoder failed: {0}")]
    Encoder(&'static str),
    /// The render options cannot produce an image.
    #[error("invalid render options: {0}")]
    RenderOptions(RenderOptionsError),
    /// The rendered image could not be encoded as PNG.
    #[error("could not encode the rendered image as PNG")]
    ImageEncode,
    /// The bytes given to the scanner are not a readable image.
    #[error("unreadable image: {0}")]
    UnreadableImage(ImageFault),
    /// No QR symbol (three finder patterns in place) was found in the image.
    #[error("no QR code found in the image")]
    NoQrFound,
    /// QR symbols were located but none could be decoded.
    #[error("{found} QR code(s) located but none could be decoded ({reason})")]
    Undecodable {
        /// How many symbols were located (in the attempt that located most).
        found: usize,
        /// Why the first of them failed.
        reason: DecodeFault,
    },
    /// A QR symbol was decoded but its content is not UTF-8.
    #[error("the QR code's content is not UTF-8 (invalid byte at offset {offset})")]
    ScannedNotUtf8 {
        /// Offset of the first byte that is not valid UTF-8.
        offset: usize,
    },
}

/// What is wrong with one field of the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldErrorKind {
    /// The field is required but empty.
    #[error("empty")]
    Empty,
    /// A number has the wrong count of characters (12 for the ID number, 9 or 12 for the old CMND number).
    #[error("{found} characters, expected {expected}")]
    WrongLength {
        /// Characters found.
        found: usize,
        /// Characters expected, as text (`"12"`, `"9 or 12"`).
        expected: &'static str,
    },
    /// A number holds something other than an ASCII digit.
    #[error("character {position} is not an ASCII digit")]
    NonDigit {
        /// Position (in characters, from 0) of the first non-digit.
        position: usize,
    },
    /// A date is not 8 ASCII digits `ddMMyyyy`.
    #[error("not a date in the form ddMMyyyy")]
    DateFormat,
    /// A date has the form `ddMMyyyy` but names no calendar day (e.g. `31022000`), or its year is
    /// outside 0000–9999.
    #[error("no such calendar date")]
    NoSuchDate,
    /// The sex is neither `Nam` nor `Nữ`.
    #[error("sex is neither \"Nam\" nor \"Nữ\"")]
    UnknownSex,
    /// A text field holds the separator `|` or a control character (which would not survive a round trip).
    #[error("character {position} is the separator '|' or a control character")]
    ForbiddenCharacter {
        /// Position (in characters, from 0) of the character.
        position: usize,
    },
}

/// Why render options cannot produce an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderOptionsError {
    /// The module size is 0 pixels.
    #[error("module size of 0 pixels")]
    ZeroModuleSize,
    /// The target size is smaller than one pixel per module (symbol and quiet zone).
    #[error("target size {target_px} px is below the {needed_px} px the symbol and quiet zone need")]
    TargetTooSmall {
        /// The target size asked for.
        target_px: u32,
        /// The smallest size that fits, at one pixel per module.
        needed_px: u32,
    },
    /// The image would be larger than 65 535 pixels a side.
    #[error("image side above 65535 px")]
    TooLarge,
}

/// Why an image could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageFault {
    /// The format is not recognized or not supported (PNG and JPEG are).
    #[error("unsupported or unrecognized image format")]
    Unsupported,
    /// The bytes are corrupt or truncated.
    #[error("corrupt or truncated image data")]
    Decoding,
    /// The image is larger than the decoder's limits.
    #[error("image exceeds the decoder's limits")]
    Limits,
    /// The image has no pixels.
    #[error("empty image")]
    Empty,
    /// Any other decoder failure.
    #[error("image decoder failure")]
    Other,
}

/// Why a located QR symbol could not be decoded (from the `rqrr` decoder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeFault {
    /// Too many errors to correct in the data codewords.
    #[error("too many errors to correct")]
    DataEcc,
    /// The format information is unreadable.
    #[error("format information unreadable")]
    FormatEcc,
    /// The version (size) read is invalid.
    #[error("invalid version or grid size")]
    InvalidVersion,
    /// The bit stream is inconsistent (under- or overflow, unknown mode).
    #[error("inconsistent bit stream")]
    BitStream,
    /// Any other decoder failure.
    #[error("decoder failure")]
    Other,
}

impl From<rqrr::DeQRError> for DecodeFault {
    fn from(e: rqrr::DeQRError) -> Self {
        match e {
            rqrr::DeQRError::DataEcc => DecodeFault::DataEcc,
            rqrr::DeQRError::FormatEcc => DecodeFault::FormatEcc,
            rqrr::DeQRError::InvalidVersion | rqrr::DeQRError::InvalidGridSize => DecodeFault::InvalidVersion,
            rqrr::DeQRError::DataUnderflow | rqrr::DeQRError::DataOverflow | rqrr::DeQRError::UnknownDataType => {
                DecodeFault::BitStream
            }
            _ => DecodeFault::Other,
        }
    }
}

/// Displays `" at byte offset N"` or nothing.
struct AtOffset(Option<usize>);

impl fmt::Display for AtOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(o) => write!(f, " at byte offset {o}"),
            None => Ok(()),
        }
    }
}
