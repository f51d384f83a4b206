//! JPEG 2000 faces (feature `jpeg2000`): a DG2 carrying a JPEG 2000 image made by OpenJPEG's `opj_compress`
//! (an independent encoder; `.ci/run` installs `libopenjp2-tools`) decodes to the same pixels, as a raw
//! codestream and as a JP2 file, through the library and through `cccd inspect DG2.bin --out face.png`.
#![cfg(feature = "jpeg2000")]

use std::path::Path;
use std::process::Command;

use cccd::lds::dg2::Dg2;
use cccd::lds::dg2::facial::ImageDataType;

fn portrait() -> image::RgbImage {
    image::RgbImage::from_fn(240, 320, |x, y| {
        let (dx, dy) = (x as f32 - 120.0, y as f32 - 140.0);
        if (dx / 70.0).powi(2) + (dy / 95.0).powi(2) < 1.0 {
            image::Rgb([220, 180, (150 + (x + y) % 40) as u8])
        } else {
            image::Rgb([(x % 200) as u8, (y % 200) as u8, 210])
        }
    })
}

fn opj_compress(input: &Path, output: &Path) {
    let out = Command::new("opj_compress")
        .arg("-i")
        .arg(input)
        .arg("-o")
        .arg(output)
        .output()
        .expect("opj_compress must be installed (apt-get install libopenjp2-tools; .ci/run does it)");
    assert!(out.status.success(), "opj_compress: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn jpeg2000_faces_decode_to_the_encoded_pixels() {
    let dir = std::env::temp_dir().join(format!("cccd-j2k-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let original = portrait();
    let ppm = dir.join("face.ppm");
    let mut ppm_bytes = b"P6\n240 320\n255\n".to_vec();
    ppm_bytes.extend_from_slice(original.as_raw());
    std::fs::write(&ppm, ppm_bytes).unwrap();
    for ext in ["j2k", "jp2"] {
        let encoded = dir.join(format!("face.{ext}"));
        opj_compress(&ppm, &encoded); // lossless (reversible 5/3 wavelet) by default
        let bytes = std::fs::read(&encoded).unwrap();
        let dg2 = Dg2::from_image(bytes, ImageDataType::Jpeg2000, 240, 320).encode().unwrap();
        let face = Dg2::decode(&dg2).unwrap().faces().next().unwrap().into_owned();
        let decoded = cccd::face::decode(&face).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (240, 320), "{ext}");
        assert!(decoded == original, "{ext}: lossless JPEG 2000 must decode to the same pixels");

        // the command line writes it as PNG
        let dg2_path = dir.join(format!("DG2-{ext}.bin"));
        std::fs::write(&dg2_path, &dg2).unwrap();
        let png = dir.join(format!("face-{ext}.png"));
        let out = Command::new(env!("CARGO_BIN_EXE_cccd"))
            .args(["inspect", dg2_path.to_str().unwrap(), "--out", png.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(image::open(&png).unwrap().to_rgb8() == original);
    }
    // truncated and garbage JPEG 2000 data are errors, not panics
    let good = std::fs::read(dir.join("face.j2k")).unwrap();
    for bad in [good[..good.len() / 3].to_vec(), vec![0xFF, 0x4F, 0xFF, 0x51, 0, 0, 0xFF], b"not an image".to_vec()] {
        let dg2 = Dg2::from_image(bad, ImageDataType::Jpeg2000, 240, 320).encode().unwrap();
        let face = Dg2::decode(&dg2).unwrap().faces().next().unwrap().into_owned();
        assert!(cccd::face::decode(&face).is_err());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Found by the fuzzing campaign: JPEG 2000 headers claiming 10–12 million pixels in a few hundred bytes, or a
/// 24-pixel-wide sliver 43 778 pixels tall, kept the decoder busy for seconds. Such claims are refused before
/// decoding (more pixels than the bytes can carry, no portrait's aspect ratio); a JPEG header forged the same
/// way is refused too, while real faces still decode.
#[test]
fn headers_claiming_more_pixels_than_their_bytes_carry_are_refused() {
    use cccd::lds::dg2::facial::FaceImage;
    let regressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/face");
    for name in ["j2k-12mp-from-1366-bytes", "j2k-10mp-from-499-bytes"] {
        let bytes = std::fs::read(regressions.join(name)).unwrap();
        let e = cccd::face::decode(&FaceImage::new(bytes, ImageDataType::Jpeg2000, 0, 0)).unwrap_err();
        assert!(e.to_string().contains("pixels claimed by"), "{name}: {e}");
    }
    // a 24×43 778 sliver (2.6 s in the decoder): no portrait
    let bytes = std::fs::read(regressions.join("j2k-24x43778-sliver")).unwrap();
    let e = cccd::face::decode(&FaceImage::new(bytes, ImageDataType::Jpeg2000, 0, 0)).unwrap_err();
    assert!(e.to_string().contains("no portrait"), "{e}");
    // a real 480×640 JPEG decodes; the same bytes with a SOF0 claiming 30000×30000 do not
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(portrait())
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let face = FaceImage::new(jpeg.clone(), ImageDataType::Jpeg, 0, 0);
    let decoded = cccd::face::decode(&face).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (portrait().width(), portrait().height()));
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("SOF0");
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0x75, 0x30, 0x75, 0x30]);
    let e = cccd::face::decode(&FaceImage::new(jpeg, ImageDataType::Jpeg, 0, 0)).unwrap_err();
    assert!(e.to_string().contains("30000×30000 pixels claimed"), "{e}");
}
