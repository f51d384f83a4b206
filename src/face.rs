//! The face image: from a user's photo to the JPEG a DG2 carries, and from a DG2 back to pixels.
//!
//! [`prepare`] crops a photo (JPEG or PNG, any size) to the portrait proportions of ICAO 9303-3 / ISO/IEC
//! 19794-5 token images (3:4 by default), resizes it to the chosen size (480×640 by default) and encodes it as
//! JPEG under a byte budget, searching the highest quality that fits. [`decode`] turns a DG2 face back into an
//! image (JPEG here; JPEG 2000 faces are reported as unsupported) and [`to_png`] exports it.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView, ImageFormat, RgbImage};

use crate::lds::dg2::facial::{FaceImage, ImageDataType};

/// What went wrong with a photo or a face image. Never carries image data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FaceError {
    /// The bytes are not an image this library reads (JPEG, PNG).
    #[error("unreadable image: {0}")]
    Unreadable(String),
    /// The photo has fewer pixels than the output needs (it would have to be enlarged).
    #[error("photo too small: {width}×{height} pixels, at least {min_width}×{min_height} needed")]
    TooSmall {
        /// The photo's width.
        width: u32,
        /// The photo's height.
        height: u32,
        /// The smallest width accepted.
        min_width: u32,
        /// The smallest height accepted.
        min_height: u32,
    },
    /// Even the lowest quality does not fit the byte budget.
    #[error("cannot encode the face under {budget} bytes (smallest: {smallest} bytes)")]
    OverBudget {
        /// The budget.
        budget: usize,
        /// The size at the lowest quality tried.
        smallest: usize,
    },
    /// A face whose image type this build cannot decode (JPEG 2000).
    #[error("unsupported face image type: {0}")]
    Unsupported(&'static str),
    /// Invalid options.
    #[error("invalid options: {0}")]
    Options(&'static str),
    /// Encoding failed.
    #[error("image encoding failed: {0}")]
    Encode(String),
}

/// How to prepare a face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceOptions {
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Largest JPEG size in bytes.
    pub max_bytes: usize,
    /// Lowest JPEG quality to try (1–100).
    pub min_quality: u8,
    /// Smallest accepted photo, as a fraction of the output size (0.5: the photo may be upscaled at most 2×).
    pub min_scale: f32,
}

impl Default for FaceOptions {
    /// 480×640, at most 15 000 bytes, quality not below 30, photo at least half the output size.
    fn default() -> Self {
        FaceOptions { width: 480, height: 640, max_bytes: 15_000, min_quality: 30, min_scale: 0.5 }
    }
}

/// A prepared face: JPEG bytes ready for [`crate::lds::dg2::Dg2::from_image`].
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedFace {
    /// The JPEG.
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The JPEG quality used.
    pub quality: u8,
}

impl core::fmt::Debug for PreparedFace {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreparedFace")
            .field("len", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("quality", &self.quality)
            .finish()
    }
}

fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, FaceError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).map_err(|e| FaceError::Encode(e.to_string()))?;
    Ok(out)
}

/// Crops, resizes and JPEG-encodes a photo under the byte budget.
pub fn prepare(photo: &[u8], options: &FaceOptions) -> Result<PreparedFace, FaceError> {
    if options.width == 0 || options.height == 0 || options.width > 4096 || options.height > 4096 {
        return Err(FaceError::Options("width and height must be 1 to 4096"));
    }
    let (Ok(out_w), Ok(out_h)) = (u16::try_from(options.width), u16::try_from(options.height)) else {
        return Err(FaceError::Options("width and height must be 1 to 4096"));
    };
    if options.min_quality == 0 || options.min_quality > 100 {
        return Err(FaceError::Options("min_quality must be 1 to 100"));
    }
    let img = image::load_from_memory(photo).map_err(|e| FaceError::Unreadable(e.to_string()))?;
    let (w, h) = img.dimensions();
    let min_w = (options.width as f32 * options.min_scale).ceil() as u32;
    let min_h = (options.height as f32 * options.min_scale).ceil() as u32;
    // the crop keeps the output's aspect ratio, centred horizontally and towards the top (where the face is)
    let target_ratio = options.width as f64 / options.height as f64;
    let (cw, ch) = if (w as f64 / h as f64) > target_ratio {
        (((h as f64) * target_ratio).round() as u32, h)
    } else {
        (w, ((w as f64) / target_ratio).round() as u32)
    };
    if cw < min_w || ch < min_h {
        return Err(FaceError::TooSmall { width: w, height: h, min_width: min_w, min_height: min_h });
    }
    let x = (w - cw) / 2;
    let y = (h - ch) / 4;
    let cropped = img.crop_imm(x, y, cw, ch);
    let resized = cropped.resize_exact(options.width, options.height, FilterType::Lanczos3).to_rgb8();

    // binary search for the highest quality under the budget
    let (mut lo, mut hi) = (options.min_quality, 95u8.max(options.min_quality));
    let smallest = encode_jpeg(&resized, lo)?;
    if smallest.len() > options.max_bytes {
        return Err(FaceError::OverBudget { budget: options.max_bytes, smallest: smallest.len() });
    }
    let mut best = (lo, smallest);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        let jpeg = encode_jpeg(&resized, mid)?;
        if jpeg.len() <= options.max_bytes {
            best = (mid, jpeg);
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(PreparedFace { jpeg: best.1, width: out_w, height: out_h, quality: best.0 })
}

/// Decodes the face image of a DG2 facial record (JPEG, JPEG 2000; PNG when the type is not one of those and the
/// bytes are PNG, as an ISO/IEC 39794-5 face may be). A header that claims more pixels than a face can have
/// ([`MAX_FACE_PIXELS`]), far more than its bytes can carry ([`MAX_PIXELS_PER_BYTE`]) or a sliver rather than
/// a portrait ([`MAX_ASPECT_RATIO`]) is refused before decoding: a forged kilobyte must not cost gigabytes or
/// seconds.
pub fn decode(face: &FaceImage) -> Result<DynamicImage, FaceError> {
    match face.image_data_type {
        ImageDataType::Jpeg => {
            let reader = image::ImageReader::with_format(Cursor::new(&face.image), ImageFormat::Jpeg);
            let (w, h) = reader.into_dimensions().map_err(|e| FaceError::Unreadable(e.to_string()))?;
            check_size("JPEG", w, h, face.image.len())?;
            image::load_from_memory_with_format(&face.image, ImageFormat::Jpeg)
                .map_err(|e| FaceError::Unreadable(e.to_string()))
        }
        ImageDataType::Jpeg2000 => decode_jpeg2000(&face.image),
        // an ISO/IEC 39794-5 face may be PNG (its own format codes): recognized by the magic number
        ImageDataType::Other(_)
            if crate::lds::dg3::ImageCodec::sniff(&face.image) == crate::lds::dg3::ImageCodec::Png =>
        {
            let reader = image::ImageReader::with_format(Cursor::new(&face.image), ImageFormat::Png);
            let (w, h) = reader.into_dimensions().map_err(|e| FaceError::Unreadable(e.to_string()))?;
            check_size("PNG", w, h, face.image.len())?;
            image::load_from_memory_with_format(&face.image, ImageFormat::Png)
                .map_err(|e| FaceError::Unreadable(e.to_string()))
        }
        ImageDataType::Other(_) => Err(FaceError::Unsupported("unknown image data type")),
    }
}

/// The most pixels a face image may have (16.7 million: ten times a 1200×1600 portrait).
pub const MAX_FACE_PIXELS: u64 = 4096 * 4096;

/// The most pixels per byte of image data a face may claim. Real faces carry tens of pixels a byte (480×640
/// in 15 KB is 20); a flat test image compresses to a few hundred.
pub const MAX_PIXELS_PER_BYTE: u64 = 1000;

/// The widest aspect ratio (either way) a face image may have.
pub const MAX_ASPECT_RATIO: u64 = 4;

fn check_size(kind: &str, w: u32, h: u32, bytes: usize) -> Result<(), FaceError> {
    let pixels = u64::from(w) * u64::from(h);
    let carried = MAX_PIXELS_PER_BYTE.saturating_mul(u64::try_from(bytes).unwrap_or(u64::MAX));
    if w == 0 || h == 0 || pixels > MAX_FACE_PIXELS || pixels > carried {
        return Err(FaceError::Unreadable(format!("{kind}: {w}×{h} pixels claimed by {bytes} bytes")));
    }
    // a portrait is about 3:4; slivers (24×43 778 took the JPEG 2000 decoder 2.6 s) are no face
    if u64::from(w.max(h)) > MAX_ASPECT_RATIO * u64::from(w.min(h)) {
        return Err(FaceError::Unreadable(format!(
            "{kind}: {w}×{h} pixels is no portrait (aspect ratio over {MAX_ASPECT_RATIO}:1)"
        )));
    }
    Ok(())
}

/// Decodes a JPEG 2000 codestream or JP2 file (feature `jpeg2000`, pure Rust `hayro-jpeg2000`); greyscale or
/// RGB, with or without alpha.
#[cfg(feature = "jpeg2000")]
fn decode_jpeg2000(data: &[u8]) -> Result<DynamicImage, FaceError> {
    use hayro_jpeg2000::{ColorSpace, DecodeSettings, Image};
    let unreadable = |e: &dyn std::fmt::Debug| FaceError::Unreadable(format!("JPEG 2000: {e:?}"));
    // the decoder is not fuzzed by this project: a panic inside it becomes an error, never a crash
    let decoded = std::panic::catch_unwind(|| -> Result<DynamicImage, FaceError> {
        let image = Image::new(data, &DecodeSettings::default()).map_err(|e| unreadable(&e))?;
        let (w, h) = (image.width(), image.height());
        check_size("JPEG 2000", w, h, data.len())?;
        let alpha = image.has_alpha();
        let color = image.color_space().clone();
        let pixels = image.decode().map_err(|e| unreadable(&e))?;
        let bad = || FaceError::Unreadable("JPEG 2000: pixel buffer of the wrong size".into());
        Ok(match (color.num_channels(), &color, alpha) {
            (1, ColorSpace::Gray | ColorSpace::Icc { .. }, false) => {
                DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, pixels).ok_or_else(bad)?)
            }
            (1, ColorSpace::Gray | ColorSpace::Icc { .. }, true) => {
                DynamicImage::ImageLumaA8(image::GrayAlphaImage::from_raw(w, h, pixels).ok_or_else(bad)?)
            }
            (3, ColorSpace::RGB | ColorSpace::Icc { .. }, false) => {
                DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, pixels).ok_or_else(bad)?)
            }
            (3, ColorSpace::RGB | ColorSpace::Icc { .. }, true) => {
                DynamicImage::ImageRgba8(image::RgbaImage::from_raw(w, h, pixels).ok_or_else(bad)?)
            }
            _ => return Err(FaceError::Unsupported("JPEG 2000 colour space other than grey or RGB")),
        })
    });
    decoded.unwrap_or_else(|_| Err(FaceError::Unreadable("JPEG 2000: the decoder failed".into())))
}

#[cfg(not(feature = "jpeg2000"))]
fn decode_jpeg2000(_data: &[u8]) -> Result<DynamicImage, FaceError> {
    Err(FaceError::Unsupported("JPEG 2000 (build with the jpeg2000 feature)"))
}

/// Encodes an image as PNG.
pub fn to_png(img: &DynamicImage) -> Result<Vec<u8>, FaceError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).map_err(|e| FaceError::Encode(e.to_string()))?;
    Ok(out.into_inner())
}

/// A finger (or iris) image from DG3/DG4 as PNG: PNG kept as it is once it decodes, JPEG and JPEG 2000
/// (feature `jpeg2000`) decoded and written as PNG; WSQ and other codecs are [`FaceError::Unsupported`] (there
/// is no WSQ decoder here: such images are kept as bytes).
pub fn biometric_image_to_png(image: &[u8]) -> Result<Vec<u8>, FaceError> {
    use crate::lds::dg3::ImageCodec;
    match ImageCodec::sniff(image) {
        ImageCodec::Png => {
            image::load_from_memory_with_format(image, ImageFormat::Png)
                .map_err(|e| FaceError::Unreadable(e.to_string()))?;
            Ok(image.to_vec())
        }
        ImageCodec::Jpeg => to_png(
            &image::load_from_memory_with_format(image, ImageFormat::Jpeg)
                .map_err(|e| FaceError::Unreadable(e.to_string()))?,
        ),
        ImageCodec::Jpeg2000 => to_png(&decode_jpeg2000(image)?),
        ImageCodec::Wsq => Err(FaceError::Unsupported("WSQ (no decoder here; the image is kept as bytes)")),
        ImageCodec::Unknown => Err(FaceError::Unsupported("an image codec that is neither PNG, JPEG nor JPEG 2000")),
    }
}

/// The width and height a finger image's own header states: PNG and JPEG (read by `image`), JPEG 2000 (the
/// JP2 `ihdr` box or the codestream's SIZ marker); `None` for WSQ and anything else.
pub fn biometric_image_size(image: &[u8]) -> Option<(u16, u16)> {
    use crate::lds::dg3::ImageCodec;
    let be32 = |b: &[u8], at: usize| -> Option<u32> { Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?)) };
    let (w, h) = match ImageCodec::sniff(image) {
        ImageCodec::Png | ImageCodec::Jpeg => {
            image::ImageReader::new(Cursor::new(image)).with_guessed_format().ok()?.into_dimensions().ok()?
        }
        ImageCodec::Jpeg2000 => {
            if let Some(i) = image.windows(4).position(|w| w == b"ihdr") {
                (be32(image, i + 8)?, be32(image, i + 4)?)
            } else {
                // SOC FF4F, SIZ FF51 Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz
                let (x, y, xo, yo) = (be32(image, 8)?, be32(image, 12)?, be32(image, 16)?, be32(image, 20)?);
                (x.checked_sub(xo)?, y.checked_sub(yo)?)
            }
        }
        ImageCodec::Wsq | ImageCodec::Unknown => return None,
    };
    Some((u16::try_from(w).ok()?, u16::try_from(h).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic portrait-like photo: smooth gradients and a face-like ellipse, PNG encoded.
    fn photo(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| {
            let (cx, cy) = (w as f32 / 2.0, h as f32 * 0.45);
            let d = ((x as f32 - cx) / (w as f32 * 0.22)).powi(2) + ((y as f32 - cy) / (h as f32 * 0.3)).powi(2);
            if d < 1.0 {
                image::Rgb([224, 180, 150])
            } else {
                image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 200])
            }
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn prepares_under_budget_with_the_right_size() {
        let p = prepare(&photo(1200, 1000), &FaceOptions::default()).unwrap();
        assert!(p.jpeg.len() <= 15_000, "{} bytes", p.jpeg.len());
        assert_eq!((p.width, p.height), (480, 640));
        let back = image::load_from_memory(&p.jpeg).unwrap();
        assert_eq!(back.dimensions(), (480, 640));
        // a tighter budget lowers the quality
        let budget = p.jpeg.len() - 1;
        let tight =
            prepare(&photo(1200, 1000), &FaceOptions { max_bytes: budget, min_quality: 1, ..FaceOptions::default() })
                .unwrap();
        assert!(tight.jpeg.len() <= budget);
        assert!(tight.quality < p.quality);
    }

    #[test]
    fn bad_photos_are_refused() {
        assert!(matches!(prepare(b"not an image", &FaceOptions::default()), Err(FaceError::Unreadable(_))));
        assert!(matches!(prepare(&photo(100, 120), &FaceOptions::default()), Err(FaceError::TooSmall { .. })));
        assert!(matches!(
            prepare(&photo(960, 1280), &FaceOptions { max_bytes: 200, ..FaceOptions::default() }),
            Err(FaceError::OverBudget { .. })
        ));
        assert!(matches!(
            prepare(&photo(960, 1280), &FaceOptions { width: 0, ..FaceOptions::default() }),
            Err(FaceError::Options(_))
        ));
    }
}
