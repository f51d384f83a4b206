//! Find and decode QR symbols in an image (`rqrr`), with retries for hard photos.
//!
//! The image is first read as it is. When nothing decodes, the scanner retries on transformed copies,
//! cheapest first, and stops at the first that yields text: a 3×3 median (salt-and-pepper noise), a
//! box blur (sensor noise), half and double scale (very large or very small modules), Otsu and
//! local-mean thresholds (uneven light, low contrast), rotations by 15° to 75° (finder patterns the
//! detector missed at some angles), and the inverted image (light modules on dark).

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::GrayImage;

use super::filters;
use super::{DecodeFault, ImageFault, QrError};

/// Images with a longer side than this are first scaled down to it (rqrr's detector works on
/// pixel runs; symbols of a few thousand pixels gain nothing and cost time).
const MAX_SIDE: u32 = 2048;

/// Decodes every QR symbol in a PNG or JPEG image; their texts, in the order found, without repeats.
pub fn scan_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    let img = image::load_from_memory(bytes).map_err(image_fault)?;
    if img.width() == 0 || img.height() == 0 {
        return Err(QrError::UnreadableImage(ImageFault::Empty));
    }
    scan_luma(&img.to_luma8())
}

fn image_fault(e: image::ImageError) -> QrError {
    QrError::UnreadableImage(match e {
        image::ImageError::Unsupported(_) => ImageFault::Unsupported,
        image::ImageError::Decoding(_) => ImageFault::Decoding,
        image::ImageError::Limits(_) => ImageFault::Limits,
        _ => ImageFault::Other,
    })
}

/// Decodes every QR symbol in a greyscale image; their texts, in the order found, without repeats.
///
/// Errors: [`QrError::NoQrFound`] when no symbol was located in any attempt,
/// [`QrError::Undecodable`] when symbols were located but none decoded, [`QrError::ScannedNotUtf8`]
/// when the only decoded content is not UTF-8.
pub fn scan_luma(img: &GrayImage) -> Result<Vec<String>, QrError> {
    if img.width() == 0 || img.height() == 0 {
        return Err(QrError::UnreadableImage(ImageFault::Empty));
    }
    let longest = img.width().max(img.height());
    let base =
        if longest > MAX_SIDE { filters::scale(img, f64::from(MAX_SIDE) / f64::from(longest)) } else { img.clone() };
    let mut outcome = Outcome::default();
    for attempt in Attempt::ALL {
        let Some(prepared) = attempt.apply(&base) else { continue };
        outcome.try_image(prepared);
        if !outcome.texts.is_empty() {
            return Ok(outcome.texts);
        }
    }
    Err(outcome.into_error())
}

/// A transformation tried when the plain image does not decode.
#[derive(Debug, Clone, Copy)]
enum Attempt {
    Plain,
    Median,
    Blur,
    Half,
    Double,
    Otsu,
    Adaptive,
    Rotate(u8),
    Inverted,
}

impl Attempt {
    const ALL: [Attempt; 12] = [
        Attempt::Plain,
        Attempt::Median,
        Attempt::Blur,
        Attempt::Half,
        Attempt::Double,
        Attempt::Otsu,
        Attempt::Adaptive,
        Attempt::Rotate(15),
        Attempt::Rotate(30),
        Attempt::Rotate(45),
        Attempt::Rotate(75),
        Attempt::Inverted,
    ];

    /// The transformed image, or `None` when the attempt does not apply to this size.
    fn apply(self, img: &GrayImage) -> Option<GrayImage> {
        let longest = img.width().max(img.height());
        Some(match self {
            Attempt::Plain => img.clone(),
            Attempt::Median => filters::median3(img),
            Attempt::Blur => filters::box_blur(&filters::median3(img), 1),
            Attempt::Half if longest >= 160 => filters::scale(&filters::median3(img), 0.5),
            Attempt::Double if longest <= MAX_SIDE / 2 => filters::scale(img, 2.0),
            Attempt::Otsu => filters::otsu(&filters::box_blur(&filters::median3(img), 1)),
            Attempt::Adaptive => {
                let r = (longest / 16).max(8) as usize;
                filters::adaptive_threshold(&filters::box_blur(&filters::median3(img), 1), r, 10)
            }
            Attempt::Rotate(deg) => filters::rotate(&filters::median3(img), f64::from(deg)),
            Attempt::Inverted => filters::invert(img),
            Attempt::Half | Attempt::Double => return None,
        })
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
            let mut prepared = rqrr::PreparedImage::prepare(img);
            prepared
                .detect_grids()
                .iter()
                .map(|g| {
                    let mut out = Vec::new();
                    g.decode_to(&mut out).map(|_| out)
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
