//! ISO/IEC 39794-5 face image data (`FaceImageDataBlock ::= [APPLICATION 5]`), the parts a verifier shows.
//!
//! ```text
//! 65 FaceImageDataBlock
//!   A0 versionBlock
//!   A1 representationBlocks
//!     30 RepresentationBlock
//!       80 representationId
//!       A1 imageRepresentation (CHOICE)
//!         A0 base (CHOICE)
//!           A0 imageRepresentation2DBlock
//!             80 representationData2D      the image (JPEG, JPEG 2000 …)
//!             A1 imageInformation2DBlock
//!               A0 imageDataFormat         CHOICE { code [0], extensionBlock [1] }
//!               A1 faceImageKind2D         (optional)
//!               A7 imageSizeBlock          { 80 width, 81 height } (optional)
//!             A2 captureDevice2DBlock      (optional, skipped)
//!       A2 … A9                            capture date, quality, PAD, identity metadata, landmarks: skipped
//! ```

use core::fmt;

use super::{Fields, Iso39794Error, Len, VersionBlock, code, u16_of, uint};
use crate::lds::dg2::facial::{FaceImage, ImageDataType};
use crate::lds::dg3::ImageCodec;
use crate::tlv::Tlv;

code_enum!(
    /// `ImageDataFormatCode` of 39794-5. The ICAO application profile allows JPEG and JPEG 2000 only; PNG (5)
    /// is named after the base module's list as this library knows it, not checked against the standard's text.
    FaceImageFormat: u64 {
        /** Unknown. */ Unknown = 0, /** JPEG (ISO/IEC 10918). */ Jpeg = 2,
        /** JPEG 2000, lossy. */ Jpeg2000Lossy = 3, /** JPEG 2000, lossless. */ Jpeg2000Lossless = 4,
        /** PNG. */ Png = 5,
    }
);

code_enum!(
    /// `FaceImageKind2DCode`.
    FaceImageKind: u64 { /** An MRTD portrait. */ Mrtd = 0, /** General purpose. */ GeneralPurpose = 1 }
);

impl FaceImageFormat {
    /// The name the JSON uses: `JPEG`, `JPEG 2000 lossy`, ….
    pub fn name(self) -> String {
        match self {
            FaceImageFormat::Unknown => "unknown".into(),
            FaceImageFormat::Jpeg => "JPEG".into(),
            FaceImageFormat::Jpeg2000Lossy => "JPEG 2000 lossy".into(),
            FaceImageFormat::Jpeg2000Lossless => "JPEG 2000 lossless".into(),
            FaceImageFormat::Png => "PNG".into(),
            FaceImageFormat::Other(v) => format!("other ({v})"),
        }
    }
}

/// A 2D face image (`imageRepresentation2DBlock`).
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage2D {
    /// The encoded image (`representationData2D`), as it is.
    pub data: Vec<u8>,
    /// The image data format ([`FaceImageFormat::Unknown`] also for an extension without a fallback code).
    pub format: FaceImageFormat,
    /// The face image kind, when given (`None` also for an extension without a fallback code).
    pub kind: Option<FaceImageKind>,
    /// `(width, height)` in pixels from the `imageSizeBlock`, when present.
    pub size: Option<(u16, u16)>,
}

impl fmt::Debug for FaceImage2D {
    /// The descriptive data and the image length, never the image (personal data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaceImage2D")
            .field("format", &self.format)
            .field("kind", &self.kind)
            .field("size", &self.size)
            .field("data", &Len(self.data.len()))
            .finish()
    }
}

impl FaceImage2D {
    /// The image in the shape [`crate::face::decode`] and the rest of the crate take (an ISO/IEC 19794-5 face):
    /// only the image, its type, width and height are meaningful; the descriptive 19794-5 fields are left
    /// unspecified. A format code that names neither JPEG nor JPEG 2000 is resolved from the image's magic
    /// number; PNG (and anything else) becomes [`ImageDataType::Other`] with this block's code.
    pub fn to_face_image(&self) -> FaceImage {
        let kind = match self.format {
            FaceImageFormat::Jpeg => ImageDataType::Jpeg,
            FaceImageFormat::Jpeg2000Lossy | FaceImageFormat::Jpeg2000Lossless => ImageDataType::Jpeg2000,
            other => match ImageCodec::sniff(&self.data) {
                ImageCodec::Jpeg => ImageDataType::Jpeg,
                ImageCodec::Jpeg2000 => ImageDataType::Jpeg2000,
                _ => ImageDataType::Other(u8::try_from(other.code()).unwrap_or(u8::MAX)),
            },
        };
        let (w, h) = self.size.unwrap_or((0, 0));
        FaceImage::new(self.data.clone(), kind, w, h)
    }
}

/// One `RepresentationBlock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceRepresentation {
    /// `representationId`.
    pub id: u64,
    /// The 2D image; `None` when the representation is an extension this library does not read.
    pub image: Option<FaceImage2D>,
}

/// An ISO/IEC 39794-5 `FaceImageDataBlock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceImageDataBlock {
    /// The version block.
    pub version: VersionBlock,
    /// The representations (the ICAO profile has exactly one).
    pub representations: Vec<FaceRepresentation>,
}

impl FaceImageDataBlock {
    /// Decodes the `65` object.
    pub(super) fn decode_tlv(t: &Tlv<'_>) -> Result<Self, Iso39794Error> {
        let (version, representations) = super::data_block(t, representation)?;
        Ok(FaceImageDataBlock { version, representations })
    }
}

fn representation(t: &Tlv<'_>) -> Result<FaceRepresentation, Iso39794Error> {
    let f = Fields::of(t)?;
    let id = uint(f.need(0x80, "representationId")?, "representationId")?;
    let repr = Fields::of(f.need(0xA1, "imageRepresentation")?)?;
    // base [0] → imageRepresentation2DBlock [0]; an extensionBlock [1] (or another base) is not read
    let two_d = match repr.get(0xA0) {
        Some(base) => Fields::of(base)?.get(0xA0).copied(),
        None => None,
    };
    let image = two_d.map(|b| image_2d(&b)).transpose()?;
    Ok(FaceRepresentation { id, image })
}

fn image_2d(t: &Tlv<'_>) -> Result<FaceImage2D, Iso39794Error> {
    let f = Fields::of(t)?;
    let data = f.need(0x80, "representationData2D")?.value().to_vec();
    let info = Fields::of(f.need(0xA1, "imageInformation2DBlock")?)?;
    // an extension block without a fallback code: a format this library cannot name
    let format = code(info.need(0xA0, "imageDataFormat")?, "imageDataFormat")?
        .map_or(FaceImageFormat::Unknown, FaceImageFormat::from_code);
    let kind = match info.get(0xA1) {
        Some(k) => code(k, "faceImageKind2D")?.map(FaceImageKind::from_code),
        None => None,
    };
    let size = match info.get(0xA7) {
        Some(s) => {
            let s = Fields::of(s)?;
            Some((
                u16_of(s.need(0x80, "image width")?, "image width")?,
                u16_of(s.need(0x81, "image height")?, "image height")?,
            ))
        }
        None => None,
    };
    Ok(FaceImage2D { data, format, kind, size })
}
