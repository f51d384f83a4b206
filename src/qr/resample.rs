//! Second reading of a located symbol whose modules rqrr could not decode.
//!
//! rqrr reads each module as one pixel of its own binarized image; on noisy or blurred photos a few
//! percent of those pixels are wrong, beyond what error correction repairs. Here the symbol's outline
//! (from rqrr's grid bounds) maps every module to the greyscale image, each module is the mean of
//! 3 × 3 bilinear samples around its centre, and the modules are split into dark and light by Otsu's
//! threshold over the symbol, then by a local mean. The result goes back to rqrr's decoder.

use image::GrayImage;
use rqrr::{Grid, Point, SimpleGrid};

/// Maps the square `[0, 1]²` onto a quadrilateral (Heckbert's projective mapping).
struct Homography([f64; 8]);

impl Homography {
    /// `(0,0) → q0`, `(1,0) → q1`, `(1,1) → q2`, `(0,1) → q3`; `None` when the quadrilateral is degenerate.
    fn square_to_quad(q: [(f64, f64); 4]) -> Option<Self> {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let den = dx1 * dy2 - dx2 * dy1;
        if !den.is_finite() || den.abs() < 1e-9 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / den;
        let h = (dx1 * dy3 - dx3 * dy1) / den;
        Some(Homography([x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h]))
    }

    fn map(&self, u: f64, v: f64) -> (f64, f64) {
        let [a, b, c, d, e, f, g, h] = self.0;
        let w = g * u + h * v + 1.0;
        ((a * u + b * v + c) / w, (d * u + e * v + f) / w)
    }
}

/// Bilinear sample; pixels outside the image read as white.
fn sample(img: &GrayImage, x: f64, y: f64) -> f64 {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let get = |xx: f64, yy: f64| -> f64 {
        if !(xx >= 0.0 && yy >= 0.0 && xx < w && yy < h) {
            return 255.0;
        }
        img.get_pixel_checked(xx as u32, yy as u32).map_or(255.0, |p| f64::from(p.0[0]))
    };
    // Pixel centres are at +0.5.
    let (x, y) = (x - 0.5, y - 0.5);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let top = get(x0, y0) * (1.0 - fx) + get(x0 + 1.0, y0) * fx;
    let bottom = get(x0, y0 + 1.0) * (1.0 - fx) + get(x0 + 1.0, y0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// rqrr's bounds are its grid mapping at `(0, 0)`, `(size + 1, 0)`, `(size + 1, size + 1)`, `(0, size + 1)`.
fn outline(bounds: &[Point; 4]) -> [(f64, f64); 4] {
    let corner = |p: &Point| (f64::from(p.x), f64::from(p.y));
    let [b0, b1, b2, b3] = bounds;
    [corner(b0), corner(b1), corner(b2), corner(b3)]
}

/// Mean of 3 × 3 bilinear samples around the centre of module `(mx, my)`.
fn module_level(img: &GrayImage, hom: &Homography, span: f64, mx: usize, my: usize) -> f64 {
    const OFFSETS: [f64; 3] = [0.3, 0.5, 0.7];
    let mut sum = 0.0;
    for oy in OFFSETS {
        for ox in OFFSETS {
            let (x, y) = hom.map((mx as f64 + ox) / span, (my as f64 + oy) / span);
            sum += sample(img, x, y);
        }
    }
    sum / 9.0
}

/// The mean grey level of each module, row by row; `None` for an implausible outline.
fn module_levels(img: &GrayImage, quad: [(f64, f64); 4], size: usize) -> Option<Vec<f64>> {
    if !(21..=177).contains(&size) {
        return None;
    }
    let hom = Homography::square_to_quad(quad)?;
    let span = size as f64 + 1.0;
    let mut levels = Vec::with_capacity(size.saturating_mul(size));
    for my in 0..size {
        for mx in 0..size {
            levels.push(module_level(img, &hom, span, mx, my));
        }
    }
    Some(levels)
}

/// The modules whose colour every symbol of this size has: finder patterns with their separators,
/// timing patterns, and (version 2 and up) the bottom-right alignment pattern. `(x, y, dark)`.
fn function_modules(size: usize) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let far = size.saturating_sub(7);
    for (ox, oy) in [(0, 0), (far, 0), (0, far)] {
        // The 7 × 7 pattern and the light separator around it (clipped to the symbol).
        for dy in -1i64..=7 {
            for dx in -1i64..=7 {
                let (x, y) = (ox as i64 + dx, oy as i64 + dy);
                if x < 0 || y < 0 || x >= size as i64 || y >= size as i64 {
                    continue;
                }
                let ring = (dx - 3).abs().max((dy - 3).abs());
                out.push((x as usize, y as usize, ring != 2 && ring != 4));
            }
        }
    }
    for i in 8..size.saturating_sub(8) {
        out.push((i, 6, i % 2 == 0));
        out.push((6, i, i % 2 == 0));
    }
    if size > 21 {
        let c = size.saturating_sub(7);
        for dy in -2i64..=2 {
            for dx in -2i64..=2 {
                let ring = dx.abs().max(dy.abs());
                out.push(((c as i64 + dx) as usize, (c as i64 + dy) as usize, ring != 1));
            }
        }
    }
    out
}

/// Contrast between the expected-light and expected-dark function modules under `quad`.
fn fit(img: &GrayImage, quad: [(f64, f64); 4], size: usize, known: &[(usize, usize, bool)]) -> f64 {
    let Some(hom) = Homography::square_to_quad(quad) else { return f64::NEG_INFINITY };
    let span = size as f64 + 1.0;
    let (mut dark, mut n_dark, mut light, mut n_light) = (0.0, 0.0, 0.0, 0.0);
    for &(x, y, is_dark) in known {
        let v = module_level(img, &hom, span, x, y);
        if is_dark {
            dark += v;
            n_dark += 1.0;
        } else {
            light += v;
            n_light += 1.0;
        }
    }
    if n_dark == 0.0 || n_light == 0.0 {
        return f64::NEG_INFINITY;
    }
    light / n_light - dark / n_dark
}

/// Moves the four corners, one coordinate at a time, while the function patterns fit better.
fn refine(img: &GrayImage, mut quad: [(f64, f64); 4], size: usize) -> [(f64, f64); 4] {
    let known = function_modules(size);
    let [(x0, y0), (x1, y1), ..] = quad;
    let module_px = ((x1 - x0).hypot(y1 - y0) / (size as f64 + 1.0)).max(0.5);
    let mut best = fit(img, quad, size, &known);
    let mut step = module_px * 0.5;
    let mut rounds = 0;
    while step > module_px * 0.05 && rounds < 200 {
        let mut improved = false;
        for corner in 0..4 {
            for axis in 0..2 {
                for delta in [step, -step] {
                    let mut trial = quad;
                    if let Some(p) = trial.get_mut(corner) {
                        if axis == 0 {
                            p.0 += delta;
                        } else {
                            p.1 += delta;
                        }
                    }
                    let score = fit(img, trial, size, &known);
                    if score > best {
                        best = score;
                        quad = trial;
                        improved = true;
                    }
                }
            }
        }
        rounds += 1;
        if !improved {
            step /= 2.0;
        }
    }
    quad
}

/// Otsu's threshold over the module levels.
fn otsu_level(levels: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = levels.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let total: f64 = sorted.iter().sum();
    let (mut best, mut threshold, mut sum_b) = (-1.0, 128.0, 0.0);
    for (i, pair) in sorted.windows(2).enumerate() {
        let [lo, hi] = pair else { continue };
        sum_b += lo;
        let w_b = i as f64 + 1.0;
        let w_f = n - w_b;
        let (m_b, m_f) = (sum_b / w_b, (total - sum_b) / w_f);
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            threshold = (lo + hi) / 2.0;
        }
    }
    threshold
}

/// Dark where below the mean of the surrounding `(2r + 1)²` modules, pulled towards the global level.
fn local_dark(levels: &[f64], size: usize, global: f64, r: usize) -> Vec<bool> {
    let at = |x: usize, y: usize| levels.get(y.saturating_mul(size).saturating_add(x)).copied().unwrap_or(255.0);
    let mut dark = Vec::with_capacity(levels.len());
    for y in 0..size {
        for x in 0..size {
            let (x0, x1) = (x.saturating_sub(r), x.saturating_add(r).min(size.saturating_sub(1)));
            let (y0, y1) = (y.saturating_sub(r), y.saturating_add(r).min(size.saturating_sub(1)));
            let (mut sum, mut count) = (0.0, 0.0);
            for yy in y0..=y1 {
                for xx in x0..=x1 {
                    sum += at(xx, yy);
                    count += 1.0;
                }
            }
            let local = if count > 0.0 { sum / count } else { global };
            dark.push(at(x, y) < (local + global) / 2.0);
        }
    }
    dark
}

/// Decodes the symbol inside `bounds` from the greyscale image, trying a global then a local threshold.
/// The decoded bytes, or `None`.
pub(super) fn decode_resampled(img: &GrayImage, bounds: &[Point; 4], size: usize) -> Option<Vec<u8>> {
    let quad = outline(bounds);
    decode_levels(&module_levels(img, quad, size)?, size)
        .or_else(|| decode_levels(&module_levels(img, refine(img, quad, size), size)?, size))
}

/// Splits the module levels into dark and light (global, then local threshold) and decodes.
fn decode_levels(levels: &[f64], size: usize) -> Option<Vec<u8>> {
    let global = otsu_level(levels);
    let by_global: Vec<bool> = levels.iter().map(|v| *v < global).collect();
    let by_local = local_dark(levels, size, global, 3);
    [by_global, by_local].into_iter().find_map(|dark| {
        let grid = SimpleGrid::from_func(size, |x, y| {
            y.checked_mul(size).and_then(|r| r.checked_add(x)).and_then(|i| dark.get(i)).copied().unwrap_or(false)
        });
        let mut out = Vec::new();
        Grid::new(grid).decode_to(&mut out).ok().map(|_| out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::{QrSize, RenderOptions, render_luma};
    use rqrr::BitGrid;

    #[test]
    fn resampling_a_clean_symbol_reads_it() {
        let text = "001099012345|123456789|Nguyễn Văn A|15011999|Nam|Hà Nội|20042021";
        for px in [3, 4, 7] {
            let img =
                render_luma(text, &RenderOptions { size: QrSize::ModulePixels(px), ..Default::default() }).unwrap();
            let mut prepared = rqrr::PreparedImage::prepare(img.clone());
            let grids = prepared.detect_grids();
            assert_eq!(grids.len(), 1);
            let g = &grids[0];
            let levels = module_levels(&img, outline(&g.bounds), g.grid.size()).unwrap();
            // Row 0 starts with the top-left finder pattern: 7 dark modules, then the light separator.
            assert!(levels[..7].iter().all(|v| *v < 64.0) && levels[7] > 192.0, "{:?}", &levels[..8]);
            assert_eq!(decode_resampled(&img, &g.bounds, g.grid.size()).unwrap(), text.as_bytes());
        }
    }
}
