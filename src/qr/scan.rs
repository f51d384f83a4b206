//! Find and decode QR symbols in an image (`rqrr`), with retries for hard photos.
//!
//! The image is first read as it is. When nothing decodes, the scanner retries on transformed copies,
//! cheapest and likeliest first, and stops at the first that yields text: Otsu's threshold, a 3×3
//! median (salt-and-pepper noise) and box blur (sensor noise), other scales (50 % to 300 %: rqrr's
//! detector works on whole pixel runs and is sensitive to the module size), local-mean thresholds
//! (uneven light), rotations by 15°, 30° and 45° (finder patterns missed at some angles), and the
//! inverted image (light modules on dark).

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::GrayImage;
use rqrr::BitGrid;

use super::{DecodeFault, ImageFault, QrError};
use super::{filters, resample};

/// Images with a longer side than this are first scaled down to it (rqrr's detector works on
/// pixel runs; symbols of a few thousand pixels gain nothing and cost time).
const MAX_SIDE: u32 = 2048;

/// Largest image side [`scan_image`] decodes.
const MAX_DECODED_SIDE: u32 = 16_384;

/// Most memory [`scan_image`] lets the decoder allocate.
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// Decodes every QR symbol in a PNG or JPEG image; their texts, in the order found, without repeats.
///
/// Images above 16 384 pixels a side or 256 MiB of decoded data are refused
/// ([`ImageFault::Limits`]).
pub fn scan_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| QrError::UnreadableImage(ImageFault::Decoding))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let img = reader.decode().map_err(image_fault)?;
    if img.width() == 0 || img.height() == 0 {
        return Err(QrError::UnreadableImage(ImageFault::Empty));
    }
    scan_luma(&img.to_luma8())
}

fn image_fault(e: image::ImageError) -> QrError {
    QrError::UnreadableImage(match e {
        image::ImageError::Unsupported(_) => ImageFault::Unsupported,
        // In-memory decoding: an I/O error is the data ending early.
        image::ImageError::Decoding(_) | image::ImageError::IoError(_) => ImageFault::Decoding,
        image::ImageError::Limits(_) => ImageFault::Limits,
        _ => ImageFault::Other,
    })
}

/// Decodes every QR symbol in a greyscale image; their texts, in the order found, without repeats.
/// Same as [`scan_luma_with`] at [`ScanEffort::Thorough`].
///
/// Errors: [`QrError::NoQrFound`] when no symbol was located in any attempt,
/// [`QrError::Undecodable`] when symbols were located but none decoded, [`QrError::ScannedNotUtf8`]
/// when the only decoded content is not UTF-8.
pub fn scan_luma(img: &GrayImage) -> Result<Vec<String>, QrError> {
    scan_luma_with(img, ScanEffort::Thorough)
}

/// How hard the scanner tries before giving up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScanEffort {
    /// The image as it is and its Otsu threshold: for video frames, where the next frame is the retry.
    /// A few milliseconds for a 640 × 480 frame in a release build.
    Quick,
    /// Every retry (scales, noise filters, thresholds, rotations, inversion): for a single photo.
    /// A photo that reads usually does in the first few attempts; an image with no symbol at all runs
    /// them all (0.5 to 1 s for 640 × 480 in a release build).
    #[default]
    Thorough,
}

/// Decodes every QR symbol in a greyscale image, with the given effort; see [`scan_luma`].
pub fn scan_luma_with(img: &GrayImage, effort: ScanEffort) -> Result<Vec<String>, QrError> {
    if img.width() == 0 || img.height() == 0 {
        return Err(QrError::UnreadableImage(ImageFault::Empty));
    }
    let longest = img.width().max(img.height());
    let base =
        if longest > MAX_SIDE { filters::scale(img, f64::from(MAX_SIDE) / f64::from(longest)) } else { img.clone() };
    let attempts = match effort {
        ScanEffort::Quick => ATTEMPTS.get(..QUICK_ATTEMPTS).unwrap_or(&ATTEMPTS),
        ScanEffort::Thorough => &ATTEMPTS[..],
    };
    let mut outcome = Outcome::default();
    for attempt in attempts {
        let Some(prepared) = attempt.apply(&base) else { continue };
        outcome.try_image(prepared);
        if !outcome.texts.is_empty() {
            return Ok(outcome.texts);
        }
    }
    Err(outcome.into_error())
}

/// [`ScanEffort::Quick`] runs this many of [`ATTEMPTS`] (plain and Otsu).
const QUICK_ATTEMPTS: usize = 2;

/// Clean-up applied (after scaling, before rotation) in one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pre {
    /// The image as it is.
    Plain,
    /// Otsu's global threshold.
    Otsu,
    /// 3×3 median: salt-and-pepper noise.
    Median,
    /// 3×3 median then a 3×3 box blur: mixed noise.
    Smooth,
    /// Median, blur, then Otsu.
    SmoothOtsu,
    /// Median, a 5×5 box blur, then Otsu: strong noise on an upscaled image.
    SmoothWideOtsu,
    /// Median, blur, then a local-mean threshold: uneven light.
    Adaptive,
    /// Light modules on a dark ground.
    Inverted,
}

/// One try: scale factor (in percent), clean-up, rotation (degrees).
#[derive(Debug, Clone, Copy)]
struct Attempt(u16, Pre, u16);

/// The attempts, cheapest and likeliest first. rqrr's finder-pattern and timing checks work on whole
/// pixel runs, so a symbol that fails at one scale often reads at another; rotations help when a
/// finder pattern is missed at some angle.
const ATTEMPTS: [Attempt; 26] = [
    Attempt(100, Pre::Plain, 0),
    Attempt(100, Pre::Otsu, 0),
    Attempt(100, Pre::Median, 0),
    Attempt(100, Pre::Smooth, 0),
    Attempt(100, Pre::SmoothOtsu, 0),
    Attempt(150, Pre::Plain, 0),
    Attempt(75, Pre::Plain, 0),
    Attempt(125, Pre::Plain, 0),
    Attempt(200, Pre::Plain, 0),
    Attempt(150, Pre::Smooth, 0),
    Attempt(75, Pre::Smooth, 0),
    Attempt(125, Pre::Smooth, 0),
    Attempt(200, Pre::SmoothOtsu, 0),
    Attempt(200, Pre::SmoothWideOtsu, 0),
    Attempt(300, Pre::SmoothWideOtsu, 0),
    Attempt(50, Pre::Smooth, 0),
    Attempt(100, Pre::Adaptive, 0),
    Attempt(150, Pre::Adaptive, 0),
    Attempt(100, Pre::Plain, 15),
    Attempt(100, Pre::Plain, 30),
    Attempt(100, Pre::Plain, 45),
    Attempt(100, Pre::Smooth, 15),
    Attempt(100, Pre::Smooth, 30),
    Attempt(100, Pre::Smooth, 45),
    Attempt(100, Pre::Inverted, 0),
    Attempt(150, Pre::Inverted, 0),
];

/// Scaled images below this side are skipped (no symbol fits), above [`MAX_SIDE`] too (cost).
const MIN_SIDE: u32 = 21;

impl Attempt {
    /// The transformed image, or `None` when the attempt does not apply to this size.
    fn apply(self, img: &GrayImage) -> Option<GrayImage> {
        let Attempt(percent, pre, degrees) = self;
        let longest = u64::from(img.width().max(img.height()));
        let scaled_longest = longest.saturating_mul(u64::from(percent)) / 100;
        if percent != 100 && !(u64::from(MIN_SIDE)..=u64::from(MAX_SIDE)).contains(&scaled_longest) {
            return None;
        }
        let scaled;
        let img = if percent == 100 {
            img
        } else {
            scaled = filters::scale(img, f64::from(percent) / 100.0);
            &scaled
        };
        let smooth = || filters::box_blur(&filters::median3(img), 1);
        let cleaned = match pre {
            Pre::Plain => img.clone(),
            Pre::Otsu => filters::otsu(img),
            Pre::Median => filters::median3(img),
            Pre::Smooth => smooth(),
            Pre::SmoothOtsu => filters::otsu(&smooth()),
            Pre::SmoothWideOtsu => filters::otsu(&filters::box_blur(&filters::median3(img), 2)),
            Pre::Adaptive => {
                let r = usize::try_from(scaled_longest / 16).unwrap_or(usize::MAX).max(8);
                filters::adaptive_threshold(&smooth(), r, 10)
            }
            Pre::Inverted => filters::invert(img),
        };
        Some(if degrees == 0 { cleaned } else { filters::rotate(&cleaned, f64::from(degrees)) })
    }
}

/// What the attempts so far have found.
#[derive(Default)]
struct Outcome {
    texts: Vec<String>,
    /// Most symbols located by one attempt.
    located: usize,
    /// Why the first undecodable symbol failed.
    fault: Option<DecodeFault>,
    /// First decoded content that was not UTF-8: offset of its first bad byte.
    not_utf8: Option<usize>,
}

impl Outcome {
    fn try_image(&mut self, img: GrayImage) {
        // rqrr is not fuzzed by us: a panic inside it on a hostile image becomes a decode failure.
        let results = catch_unwind(AssertUnwindSafe(|| {
            let mut prepared = rqrr::PreparedImage::prepare(img.clone());
            prepared
                .detect_grids()
                .iter()
                .map(|g| {
                    let mut out = Vec::new();
                    match g.decode_to(&mut out) {
                        Ok(_) => Ok(out),
                        Err(e) => resample::decode_resampled(&img, &g.bounds, g.grid.size()).ok_or(e),
                    }
                })
                .collect::<Vec<_>>()
        }));
        let Ok(results) = results else {
            self.fault.get_or_insert(DecodeFault::Other);
            return;
        };
        self.located = self.located.max(results.len());
        for r in results {
            match r {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        if !self.texts.contains(&text) {
                            self.texts.push(text);
                        }
                    }
                    Err(e) => {
                        self.not_utf8.get_or_insert(e.utf8_error().valid_up_to());
                    }
                },
                Err(e) => {
                    self.fault.get_or_insert(DecodeFault::from(e));
                }
            }
        }
    }

    fn into_error(self) -> QrError {
        if let Some(offset) = self.not_utf8 {
            QrError::ScannedNotUtf8 { offset }
        } else if self.located > 0 {
            QrError::Undecodable { found: self.located, reason: self.fault.unwrap_or(DecodeFault::Other) }
        } else {
            QrError::NoQrFound
        }
    }
}
