//! QR benchmarks: build/parse the payload, render PNG/SVG, scan a clean render and a noisy photo.
use std::hint::black_box;

use cccd::qr::{QrPayload, QrSize, RenderOptions, render_luma, render_png, render_svg, scan_image, scan_luma};
use criterion::{Criterion, criterion_group, criterion_main};
use image::{GrayImage, Luma};

const SAMPLE: &str = "079303001234||Trần Thị Bích Ngọc|29022004|Nữ|Tổ 5, Khu phố Mỹ Hoà, Phường Tân Định, Quận 1, Thành phố Hồ Chí Minh|05082024||||";

/// The clean render rotated by 17°, with deterministic noise: a stand-in for a phone photo.
fn photo() -> GrayImage {
    let clean = render_luma(SAMPLE, &RenderOptions { size: QrSize::ModulePixels(5), ..Default::default() }).unwrap();
    let (w, h) = (clean.width() as f64, clean.height() as f64);
    let (s, c) = 17f64.to_radians().sin_cos();
    let side = (w * c + h * s).ceil();
    let mut state = 0x1234_5678_u64;
    GrayImage::from_fn(side as u32, side as u32, |x, y| {
        let (dx, dy) = (x as f64 - side / 2.0, y as f64 - side / 2.0);
        let (sx, sy) = (c * dx + s * dy + w / 2.0, -s * dx + c * dy + h / 2.0);
        let v =
            if sx >= 0.0 && sy >= 0.0 && sx < w && sy < h { clean.get_pixel(sx as u32, sy as u32).0[0] } else { 220 };
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 41) as i32 - 20;
        Luma([(i32::from(v) + noise).clamp(0, 255) as u8])
    })
}

fn bench(c: &mut Criterion) {
    let options = RenderOptions::default();
    c.bench_function("qr/parse+build", |b| b.iter(|| QrPayload::parse(black_box(SAMPLE)).unwrap().build()));
    c.bench_function("qr/render_png", |b| b.iter(|| render_png(black_box(SAMPLE), &options).unwrap()));
    c.bench_function("qr/render_svg", |b| b.iter(|| render_svg(black_box(SAMPLE), &options).unwrap()));
    let png = render_png(SAMPLE, &options).unwrap();
    c.bench_function("qr/scan_image clean png", |b| b.iter(|| scan_image(black_box(&png)).unwrap()));
    let photo = photo();
    assert_eq!(scan_luma(&photo).unwrap(), [SAMPLE]);
    c.bench_function("qr/scan_luma noisy rotated photo", |b| b.iter(|| scan_luma(black_box(&photo)).unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
