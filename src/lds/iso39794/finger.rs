//! ISO/IEC 39794-4 finger image data (`FingerImageDataBlock ::= [APPLICATION 4]`).
//!
//! ```text
//! 64 FingerImageDataBlock
//!   A0 versionBlock
//!   A1 representationBlocks
//!     30 RepresentationBlock
//!       A0 position              CHOICE { code [0], extensionBlock [1] }: the 19794-4 position codes
//!                                (an extension without a fallback code reads as unknown, as does the impression's)
//!       A1 impression            CHOICE …
//!       A2 imageDataFormat       CHOICE …: 0 PGM, 1 WSQ, 2 JPEG 2000 lossy, 3 JPEG 2000 lossless, 4 PNG
//!       83 imageData             the image, as it is
//!       A4 … A6                  capture date and time, capture device, quality: skipped
//!       A7 spatialSamplingRateBlock { 80 samplesPerUnit, 81 unitDimension (0 inch, 1 cm) } (optional)
//!       88 … B0                  segmentation, annotations, PAD, comments, vendor data …: skipped
//! ```
//!
//! The image data format codes differ from the 19794-4 compression codes ([`crate::lds::dg3::finger`]);
//! the positions are the same. The record has no width or height: the image's own header has them.

use core::fmt;

use super::{Fields, Iso39794Error, Len, VersionBlock, code, required_code, u16_of};
use crate::lds::dg3::finger::FingerPosition;
use crate::tlv::Tlv;

code_enum!(
    /// `ImpressionCode` of 39794-4 (not the 19794-4 codes).
    FingerImpression: u64 {
        /** Plain, contact. */ PlainContact = 0, /** Rolled, contact. */ RolledContact = 1,
        /** Latent. */ Latent = 4, /** Swipe, contact. */ SwipeContact = 8,
        /** Stationary subject, contactless, plain. */ StationaryContactlessPlain = 24,
        /** Stationary subject, contactless, rolled. */ StationaryContactlessRolled = 25,
        /** Another impression. */ OtherImpression = 28, /** Unknown. */ Unknown = 29,
        /** Moving subject, contactless, plain. */ MovingContactlessPlain = 41,
        /** Moving subject, contactless, rolled. */ MovingContactlessRolled = 42,
    }
);

code_enum!(
    /// `ImageDataFormatCode` of 39794-4 (not the 19794-4 compression codes).
    FingerImageFormat: u64 {
        /** PGM. */ Pgm = 0, /** WSQ. */ Wsq = 1, /** JPEG 2000, lossy. */ Jpeg2000Lossy = 2,
        /** JPEG 2000, lossless. */ Jpeg2000Lossless = 3, /** PNG. */ Png = 4,
    }
);

code_enum!(
    /// `UnitDimensionCode` of the spatial sampling rate.
    SamplingUnit: u64 { /** Pixels per inch. */ Inch = 0, /** Pixels per centimetre. */ Centimetre = 1 }
);

/// `spatialSamplingRateBlock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplingRate {
    /// Samples per unit (500, 1000 …).
    pub samples_per_unit: u16,
    /// The unit; `None` for an extension block without a fallback code.
    pub unit: Option<SamplingUnit>,
}

/// One finger `RepresentationBlock`.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerRepresentation {
    /// Finger position (19794-4 codes).
    pub position: FingerPosition,
    /// Impression type (39794-4 codes).
    pub impression: FingerImpression,
    /// Image data format (39794-4 codes).
    pub format: FingerImageFormat,
    /// The image, as it is.
    pub image: Vec<u8>,
    /// The spatial sampling rate, when present.
    pub sampling_rate: Option<SamplingRate>,
}

impl fmt::Debug for FingerRepresentation {
    /// Biometric data: the image is not printed, only its length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FingerRepresentation")
            .field("position", &self.position)
            .field("impression", &self.impression)
            .field("format", &self.format)
            .field("sampling_rate", &self.sampling_rate)
            .field("image", &Len(self.image.len()))
            .finish()
    }
}

/// An ISO/IEC 39794-4 `FingerImageDataBlock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerImageDataBlock {
    /// The version block.
    pub version: VersionBlock,
    /// The representations (one per finger image).
    pub representations: Vec<FingerRepresentation>,
}

impl FingerImageDataBlock {
    /// Decodes the `64` object.
    pub(super) fn decode_tlv(t: &Tlv<'_>) -> Result<Self, Iso39794Error> {
        let (version, representations) = super::data_block(t, representation)?;
        Ok(FingerImageDataBlock { version, representations })
    }
}

fn representation(t: &Tlv<'_>) -> Result<FingerRepresentation, Iso39794Error> {
    let f = Fields::of(t)?;
    // an extension block without a fallback code: the position or impression is unknown (both have that code)
    let pos = f.need(0xA0, "finger position")?;
    let position = u8::try_from(code(pos, "finger position")?.unwrap_or(0))
        .map(FingerPosition::from_code)
        .map_err(|_| Iso39794Error::invalid(pos.offset(), "finger position", "over 255"))?;
    let impression =
        code(f.need(0xA1, "impression")?, "impression")?.map_or(FingerImpression::Unknown, FingerImpression::from_code);
    let format = FingerImageFormat::from_code(required_code(f.need(0xA2, "imageDataFormat")?, "imageDataFormat")?);
    let image = f.need(0x83, "imageData")?.value().to_vec();
    let sampling_rate = match f.get(0xA7) {
        Some(s) => {
            let s = Fields::of(s)?;
            let samples_per_unit = u16_of(s.need(0x80, "samplesPerUnit")?, "samplesPerUnit")?;
            let unit = code(s.need(0x81, "unitDimension")?, "unitDimension")?.map(SamplingUnit::from_code);
            Some(SamplingRate { samples_per_unit, unit })
        }
        None => None,
    };
    Ok(FingerRepresentation { position, impression, format, image, sampling_rate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::{Tag, TlvReader, TlvWriter};

    fn rep(build: impl FnOnce(&mut TlvWriter)) -> Result<FingerRepresentation, Iso39794Error> {
        let mut w = TlvWriter::new();
        w.constructed(Tag::new(0x30), build);
        let bytes = w.into_bytes();
        representation(&TlvReader::single_any(&bytes).map_err(Iso39794Error::from)?)
    }

    fn choice(w: &mut TlvWriter, tag: u32, inner: &[u8]) {
        w.primitive(Tag::new(tag), inner);
    }

    #[test]
    fn extension_forms_and_unknown_codes() {
        // position as an extension block with a fallback, impression as one without: right thumb, unknown
        let r = rep(|w| {
            choice(w, 0xA0, &[0xA1, 0x03, 0x80, 0x01, 0x01]);
            choice(w, 0xA1, &[0xA1, 0x00]);
            choice(w, 0xA2, &[0x80, 0x01, 0x01]);
            w.primitive(Tag::new(0x83), &[0xFF, 0xA0]);
            choice(w, 0xA7, &[0x80, 0x02, 0x03, 0xE8, 0x81, 0x01, 0x01]);
        })
        .unwrap();
        assert_eq!(r.position, FingerPosition::RightThumb);
        assert_eq!(r.impression, FingerImpression::Unknown);
        assert_eq!(r.format, FingerImageFormat::Wsq);
        assert_eq!(
            r.sampling_rate,
            Some(SamplingRate { samples_per_unit: 1000, unit: Some(SamplingUnit::Centimetre) })
        );
        assert!(!format!("{r:?}").contains("255, 160"));
        // codes this library has no name for
        let r = rep(|w| {
            choice(w, 0xA0, &[0x80, 0x01, 0x28]);
            choice(w, 0xA1, &[0x80, 0x01, 0x63]);
            choice(w, 0xA2, &[0x80, 0x01, 0x09]);
            w.primitive(Tag::new(0x83), &[]);
        })
        .unwrap();
        assert_eq!(
            (r.position, r.impression, r.format),
            (FingerPosition::Other(40), FingerImpression::Other(99), FingerImageFormat::Other(9))
        );
        // the image format has no "unknown" code: an extension without a fallback is an error
        let e = rep(|w| {
            choice(w, 0xA0, &[0x80, 0x01, 0x02]);
            choice(w, 0xA1, &[0x80, 0x01, 0x00]);
            choice(w, 0xA2, &[0xA1, 0x00]);
            w.primitive(Tag::new(0x83), &[]);
        })
        .unwrap_err();
        assert!(matches!(e.kind, super::super::Iso39794ErrorKind::Invalid { field: "imageDataFormat", .. }), "{e:?}");
        // a position over 255, and a missing image
        let e = rep(|w| {
            choice(w, 0xA0, &[0x80, 0x02, 0x01, 0x00]);
            choice(w, 0xA1, &[0x80, 0x01, 0x00]);
            choice(w, 0xA2, &[0x80, 0x01, 0x04]);
            w.primitive(Tag::new(0x83), &[]);
        })
        .unwrap_err();
        assert_eq!(e.offset, 2);
        let e = rep(|w| {
            choice(w, 0xA0, &[0x80, 0x01, 0x02]);
            choice(w, 0xA1, &[0x80, 0x01, 0x00]);
            choice(w, 0xA2, &[0x80, 0x01, 0x04]);
        })
        .unwrap_err();
        assert_eq!(e.kind, super::super::Iso39794ErrorKind::Missing("imageData"));
    }
}
