//! Draw a payload as a QR symbol: PNG (8-bit greyscale) or SVG.
//!
//! The text is encoded as a single byte-mode segment holding its UTF-8 bytes (Vietnamese letters
//! with diacritics are multi-byte), in the smallest version (1–40) that fits at the chosen
//! error-correction level. The image is drawn here from the module matrix of the `qrcode` crate (its
//! renderers are off).
//!
//! No ECI header is written by default, as on most UTF-8 QR codes. Readers then guess the charset of
//! byte-mode data: rqrr returns the bytes, and `zbarimg --raw` guesses too: it reads whole card payloads
//! as UTF-8 but takes short UTF-8 text such as `Nữ` alone for Shift-JIS (`N盻ｯ`).
//! `zbarimg --raw -Sbinary` returns the exact bytes (without a trailing newline), and so does plain
//! `--raw` when the symbol has [`RenderOptions::utf8_eci`] (ECI 26, UTF-8) set.

use std::io::Cursor;

use image::{GrayImage, ImageEncoder, Luma, codecs::png::PngEncoder};
use qrcode::{QrCode, bits::Bits};

use super::{QrError, RenderOptionsError};

/// QR error-correction level (ISO/IEC 18004 §7.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EcLevel {
    /// About 7 % of codewords recoverable.
    L,
    /// About 15 % (the default).
    #[default]
    M,
    /// About 25 %.
    Q,
    /// About 30 %.
    H,
}

impl EcLevel {
    fn to_qrcode(self) -> qrcode::EcLevel {
        match self {
            EcLevel::L => qrcode::EcLevel::L,
            EcLevel::M => qrcode::EcLevel::M,
            EcLevel::Q => qrcode::EcLevel::Q,
            EcLevel::H => qrcode::EcLevel::H,
        }
    }
}

/// How large to draw the symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrSize {
    /// Each module is this many pixels square; the image side is `(width + 2 × quiet zone) × n`.
    ModulePixels(u32),
    /// The image is this many pixels square; modules take the largest whole pixel size that fits and
    /// the remainder is added to the margin.
    TargetPixels(u32),
}

/// Options for [`render_png`], [`render_svg`] and [`render_luma`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    /// Image size.
    pub size: QrSize,
    /// Light margin around the symbol, in modules (ISO/IEC 18004 asks for 4).
    pub quiet_zone: u32,
    /// Error-correction level.
    pub ec_level: EcLevel,
    /// Write an ECI 26 (UTF-8) designator before the data.
    pub utf8_eci: bool,
}

impl Default for RenderOptions {
    /// 8 px per module, 4-module quiet zone, level M, no ECI.
    fn default() -> Self {
        RenderOptions { size: QrSize::ModulePixels(8), quiet_zone: 4, ec_level: EcLevel::M, utf8_eci: false }
    }
}

/// ECI designator of UTF-8 (AIM ECI 26).
const ECI_UTF8: u32 = 26;

/// The modules of an encoded QR symbol, without quiet zone.
#[derive(Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    version: u8,
    ec_level: EcLevel,
    dark: Vec<bool>,
}

impl core::fmt::Debug for QrMatrix {
    /// Size and level only: the modules encode personal data.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("QrMatrix")
            .field("version", &self.version)
            .field("width", &self.width)
            .field("ec_level", &self.ec_level)
            .finish_non_exhaustive()
    }
}

impl QrMatrix {
    /// Modules per side (21 for version 1, +4 per version).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The QR version, 1 to 40.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The error-correction level.
    pub fn ec_level(&self) -> EcLevel {
        self.ec_level
    }

    /// Whether module `(x, y)` is dark; `false` outside the symbol.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        if x >= self.width {
            return false;
        }
        y.checked_mul(self.width)
            .and_then(|r| r.checked_add(x))
            .and_then(|i| self.dark.get(i))
            .copied()
            .unwrap_or(false)
    }
}

/// Encodes `text` (its UTF-8 bytes, one byte-mode segment) in the smallest version that fits.
pub fn encode_matrix(text: &str, options: &RenderOptions) -> Result<QrMatrix, QrError> {
    let data = text.as_bytes();
    let ec = options.ec_level.to_qrcode();
    for v in 1..=40u8 {
        let mut bits = Bits::new(qrcode::Version::Normal(i16::from(v)));
        let pushed = (if options.utf8_eci { bits.push_eci_designator(ECI_UTF8) } else { Ok(()) })
            .and_then(|()| bits.push_byte_data(data))
            .and_then(|()| bits.push_terminator(ec));
        match pushed {
            Ok(()) => {}
            Err(qrcode::types::QrError::DataTooLong) => continue,
            Err(e) => return Err(encoder_error(e)),
        }
        let code = QrCode::with_bits(bits, ec).map_err(encoder_error)?;
        let width = code.width();
        let dark = code.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
        return Ok(QrMatrix { width, version: v, ec_level: options.ec_level, dark });
    }
    Err(QrError::DataTooLong { bytes: data.len(), ec_level: options.ec_level })
}

fn encoder_error(e: qrcode::types::QrError) -> QrError {
    QrError::Encoder(match e {
        qrcode::types::QrError::DataTooLong => "data too long",
        qrcode::types::QrError::InvalidVersion => "invalid version",
        qrcode::types::QrError::UnsupportedCharacterSet => "unsupported character set",
        qrcode::types::QrError::InvalidEciDesignator => "invalid ECI designator",
        qrcode::types::QrError::InvalidCharacter => "invalid character",
    })
}

/// Pixel geometry of a rendered symbol.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Image side in pixels.
    side: u32,
    /// Pixels per module.
    module_px: u32,
    /// Pixels from the image edge to the first module of the symbol.
    origin: u32,
    /// Image side in modules, quiet zone included.
    total_modules: u32,
}

fn layout(width: usize, options: &RenderOptions) -> Result<Layout, QrError> {
    let too_large = QrError::RenderOptions(RenderOptionsError::TooLarge);
    let width = u32::try_from(width).map_err(|_| too_large.clone())?;
    let total_modules =
        options.quiet_zone.checked_mul(2).and_then(|q| q.checked_add(width)).ok_or_else(|| too_large.clone())?;
    let (side, module_px) = match options.size {
        QrSize::ModulePixels(0) => return Err(QrError::RenderOptions(RenderOptionsError::ZeroModuleSize)),
        QrSize::ModulePixels(px) => (total_modules.checked_mul(px).ok_or_else(|| too_large.clone())?, px),
        QrSize::TargetPixels(target_px) => {
            let px = target_px.checked_div(total_modules).unwrap_or(0);
            if px == 0 {
                return Err(QrError::RenderOptions(RenderOptionsError::TargetTooSmall {
                    target_px,
                    needed_px: total_modules,
                }));
            }
            (target_px, px)
        }
    };
    if side > u32::from(u16::MAX) {
        return Err(too_large);
    }
    // side >= total_modules * module_px and quiet_zone * module_px <= side: no overflow below.
    let margin = side.saturating_sub(total_modules.saturating_mul(module_px)) / 2;
    let origin = margin.saturating_add(options.quiet_zone.saturating_mul(module_px));
    Ok(Layout { side, module_px, origin, total_modules })
}

/// Draws `text` as an 8-bit greyscale image: dark modules 0, light 255.
pub fn render_luma(text: &str, options: &RenderOptions) -> Result<GrayImage, QrError> {
    let matrix = encode_matrix(text, options)?;
    let l = layout(matrix.width(), options)?;
    let module_at = |p: u32| -> Option<usize> {
        let rel = p.checked_sub(l.origin)?;
        usize::try_from(rel.checked_div(l.module_px)?).ok()
    };
    Ok(GrayImage::from_fn(l.side, l.side, |x, y| {
        let dark = match (module_at(x), module_at(y)) {
            (Some(mx), Some(my)) => matrix.is_dark(mx, my),
            _ => false,
        };
        Luma([if dark { 0 } else { 255 }])
    }))
}

/// Draws `text` as a PNG (8-bit greyscale).
pub fn render_png(text: &str, options: &RenderOptions) -> Result<Vec<u8>, QrError> {
    let img = render_luma(text, options)?;
    let mut out = Cursor::new(Vec::new());
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::L8)
        .map_err(|_| QrError::ImageEncode)?;
    Ok(out.into_inner())
}

/// Draws `text` as an SVG document: a white square and one black path, one unit per module (quiet zone
/// included in the `viewBox`); `width`/`height` in pixels as [`RenderOptions::size`] gives them.
pub fn render_svg(text: &str, options: &RenderOptions) -> Result<String, QrError> {
    use core::fmt::Write;
    let matrix = encode_matrix(text, options)?;
    let l = layout(matrix.width(), options)?;
    let q = options.quiet_zone;
    let n = l.total_modules;
    let mut d = String::new();
    let w = matrix.width();
    for y in 0..w {
        let mut x = 0;
        while x < w {
            if !matrix.is_dark(x, y) {
                x = x.saturating_add(1);
                continue;
            }
            let start = x;
            while x < w && matrix.is_dark(x, y) {
                x = x.saturating_add(1);
            }
            // Writing to a String cannot fail.
            let _ = write!(
                d,
                "M{} {}h{}v1h-{}z",
                u64::from(q).saturating_add(start as u64),
                u64::from(q).saturating_add(y as u64),
                x.saturating_sub(start),
                x.saturating_sub(start)
            );
        }
    }
    let mut svg = String::with_capacity(d.len().saturating_add(300));
    let _ = write!(
        svg,
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "\n",
            r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{side}" height="{side}" viewBox="0 0 {n} {n}" shape-rendering="crispEdges">"#,
            r##"<rect width="{n}" height="{n}" fill="#ffffff"/><path fill="#000000" d="{d}"/></svg>"##,
            "\n"
        ),
        side = l.side,
        n = n,
        d = d
    );
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_version_and_geometry() {
        let o = RenderOptions::default();
        let m = encode_matrix("HELLO", &o).unwrap();
        assert_eq!((m.version(), m.width()), (1, 21));
        let img = render_luma("HELLO", &o).unwrap();
        assert_eq!(img.dimensions(), (29 * 8, 29 * 8));
        // Top-left finder pattern starts at the quiet zone: dark at (32, 32), light at (31, 31).
        assert_eq!(img.get_pixel(32, 32).0, [0]);
        assert_eq!(img.get_pixel(31, 31).0, [255]);
        // Byte mode: 2,953 bytes is the capacity of version 40-L; one more does not fit.
        let lo = RenderOptions { ec_level: EcLevel::L, ..o };
        assert_eq!(encode_matrix(&"a".repeat(2953), &lo).unwrap().version(), 40);
        assert_eq!(
            encode_matrix(&"a".repeat(2954), &lo).unwrap_err(),
            QrError::DataTooLong { bytes: 2954, ec_level: EcLevel::L }
        );
    }

    #[test]
    fn target_size() {
        let o = RenderOptions { size: QrSize::TargetPixels(300), ..Default::default() };
        let img = render_luma("HELLO", &o).unwrap();
        assert_eq!(img.dimensions(), (300, 300));
        let o = RenderOptions { size: QrSize::TargetPixels(28), ..Default::default() };
        assert_eq!(
            render_luma("HELLO", &o).unwrap_err(),
            QrError::RenderOptions(RenderOptionsError::TargetTooSmall { target_px: 28, needed_px: 29 })
        );
        let o = RenderOptions { size: QrSize::ModulePixels(0), ..Default::default() };
        assert_eq!(render_png("HELLO", &o).unwrap_err(), QrError::RenderOptions(RenderOptionsError::ZeroModuleSize));
    }
}
