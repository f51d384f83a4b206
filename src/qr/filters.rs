//! Small greyscale image filters for the scanner's retries: median, box blur, thresholds, scaling,
//! rotation. Bounds-checked throughout (`get`, saturating arithmetic): they run on untrusted images.

use image::{GrayImage, Luma, imageops};

const WHITE: u8 = 255;

/// Pixel `(x, y)` with coordinates clamped into the image; white for an empty image.
fn clamped(img: &GrayImage, x: i64, y: i64) -> u8 {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return WHITE;
    }
    let cx = x.clamp(0, i64::from(w) - 1);
    let cy = y.clamp(0, i64::from(h) - 1);
    match (u32::try_from(cx), u32::try_from(cy)) {
        (Ok(cx), Ok(cy)) => img.get_pixel_checked(cx, cy).map_or(WHITE, |p| p.0[0]),
        _ => WHITE,
    }
}

/// 3×3 median (removes salt-and-pepper noise), edges clamped.
pub(super) fn median3(img: &GrayImage) -> GrayImage {
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let (x, y) = (i64::from(x), i64::from(y));
        let mut v = [0u8; 9];
        for (k, slot) in v.iter_mut().enumerate() {
            let k = k as i64;
            *slot = clamped(img, x + k % 3 - 1, y + k / 3 - 1);
        }
        v.sort_unstable();
        Luma([v.get(4).copied().unwrap_or(WHITE)])
    })
}

/// Summed-area table: `(w + 1) × (h + 1)` sums, first row and column zero.
struct Integral {
    w: usize,
    h: usize,
    sums: Vec<u64>,
}

impl Integral {
    fn new(img: &GrayImage) -> Self {
        let w = img.width() as usize;
        let h = img.height() as usize;
        let stride = w.saturating_add(1);
        let mut sums = vec![0u64; stride.saturating_mul(h.saturating_add(1))];
        for (y, row) in img.as_raw().chunks(w.max(1)).take(h).enumerate() {
            let mut run = 0u64;
            for (x, p) in row.iter().enumerate() {
                run = run.saturating_add(u64::from(*p));
                // In bounds of `sums` (allocated above), so no overflow; saturating for the linter's sake.
                let here = x.saturating_add(1);
                let above = sums.get(y.saturating_mul(stride).saturating_add(here)).copied().unwrap_or(0);
                if let Some(s) = sums.get_mut(y.saturating_add(1).saturating_mul(stride).saturating_add(here)) {
                    *s = above.saturating_add(run);
                }
            }
        }
        Integral { w, h, sums }
    }

    fn at(&self, x: usize, y: usize) -> u64 {
        self.sums.get(y.saturating_mul(self.w.saturating_add(1)).saturating_add(x)).copied().unwrap_or(0)
    }

    /// Mean over the window of radius `r` around `(x, y)`, clipped to the image.
    fn mean(&self, x: usize, y: usize, r: usize) -> u64 {
        let x0 = x.saturating_sub(r);
        let y0 = y.saturating_sub(r);
        let x1 = x.saturating_add(r).saturating_add(1).min(self.w);
        let y1 = y.saturating_add(r).saturating_add(1).min(self.h);
        let area = (x1.saturating_sub(x0) as u64).saturating_mul(y1.saturating_sub(y0) as u64).max(1);
        let sum = self
            .at(x1, y1)
            .saturating_add(self.at(x0, y0))
            .saturating_sub(self.at(x0, y1))
            .saturating_sub(self.at(x1, y0));
        sum / area
    }
}

/// Box blur of radius `r` (a cheap low-pass against sensor noise).
pub(super) fn box_blur(img: &GrayImage, r: usize) -> GrayImage {
    let integral = Integral::new(img);
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        Luma([u8::try_from(integral.mean(x as usize, y as usize, r)).unwrap_or(WHITE)])
    })
}

/// Local-mean threshold: black where the pixel is `offset` below the mean of its `(2r + 1)²` window.
pub(super) fn adaptive_threshold(img: &GrayImage, r: usize, offset: u8) -> GrayImage {
    let integral = Integral::new(img);
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let mean = integral.mean(x as usize, y as usize, r);
        let v = u64::from(img.get_pixel_checked(x, y).map_or(WHITE, |p| p.0[0]));
        Luma([if v.saturating_add(u64::from(offset)) < mean { 0 } else { WHITE }])
    })
}

/// Global threshold chosen by Otsu's method.
pub(super) fn otsu(img: &GrayImage) -> GrayImage {
    let mut hist = [0u64; 256];
    for p in img.as_raw() {
        if let Some(h) = hist.get_mut(usize::from(*p)) {
            *h = h.saturating_add(1);
        }
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist.iter().enumerate().map(|(i, c)| i as f64 * *c as f64).sum();
    let (mut w_b, mut sum_b, mut best, mut threshold) = (0f64, 0f64, -1f64, 128u8);
    for (t, c) in hist.iter().enumerate() {
        w_b += *c as f64;
        let w_f = total as f64 - w_b;
        if w_b == 0.0 || w_f <= 0.0 {
            continue;
        }
        sum_b += t as f64 * *c as f64;
        let m_b = sum_b / w_b;
        let m_f = (sum_all - sum_b) / w_f;
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            threshold = u8::try_from(t).unwrap_or(128);
        }
    }
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let v = img.get_pixel_checked(x, y).map_or(WHITE, |p| p.0[0]);
        Luma([if v <= threshold { 0 } else { WHITE }])
    })
}

/// Scales by `factor` (bilinear), at least 1×1.
pub(super) fn scale(img: &GrayImage, factor: f64) -> GrayImage {
    let w = ((f64::from(img.width()) * factor).round() as u32).max(1);
    let h = ((f64::from(img.height()) * factor).round() as u32).max(1);
    imageops::resize(img, w, h, imageops::FilterType::Triangle)
}

/// Light-on-dark to dark-on-light.
pub(super) fn invert(img: &GrayImage) -> GrayImage {
    let mut out = img.clone();
    imageops::invert(&mut out);
    out
}

/// Rotates by `degrees` about the centre (bilinear), enlarging the canvas to keep every pixel and
/// filling the corners with white.
pub(super) fn rotate(img: &GrayImage, degrees: f64) -> GrayImage {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let (s, c) = degrees.to_radians().sin_cos();
    let out_w = (w * c.abs() + h * s.abs()).ceil().max(1.0);
    let out_h = (w * s.abs() + h * c.abs()).ceil().max(1.0);
    let (cx, cy, ocx, ocy) = (w / 2.0, h / 2.0, out_w / 2.0, out_h / 2.0);
    GrayImage::from_fn(out_w as u32, out_h as u32, |x, y| {
        // Inverse mapping: the source point that lands on (x, y).
        let dx = f64::from(x) + 0.5 - ocx;
        let dy = f64::from(y) + 0.5 - ocy;
        let sx = c * dx + s * dy + cx - 0.5;
        let sy = -s * dx + c * dy + cy - 0.5;
        Luma([bilinear(img, sx, sy)])
    })
}

fn bilinear(img: &GrayImage, x: f64, y: f64) -> u8 {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    if !(x > -1.0 && y > -1.0 && x < w && y < h) {
        return WHITE;
    }
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let get = |xx: f64, yy: f64| -> f64 {
        if xx < 0.0 || yy < 0.0 || xx >= w || yy >= h {
            return f64::from(WHITE);
        }
        f64::from(img.get_pixel_checked(xx as u32, yy as u32).map_or(WHITE, |p| p.0[0]))
    };
    let top = get(x0, y0) * (1.0 - fx) + get(x0 + 1.0, y0) * fx;
    let bottom = get(x0, y0 + 1.0) * (1.0 - fx) + get(x0 + 1.0, y0 + 1.0) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}
