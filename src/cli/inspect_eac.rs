//! `cccd inspect --out DIR` (and `cccd read --out`) for DG3/DG4: each finger or iris image, of ISO/IEC 19794-4/-6
//! records and of ISO/IEC 39794-4 blocks, written (PNG where the codec allows); their
//! JSON (and that of CV certificates and requests) is `cccd::json`'s.

use std::path::Path;

use cccd::lds::dg3::{BiometricGroup, BiometricRecord, ImageCodec};
use cccd::lds::iso39794::Iso39794Block;

use super::CliError;

/// Writes every finger (and iris) image of `g` into `dir`: `NN-POSITION.png` where the codec allows (PNG, JPEG,
/// JPEG 2000), else the bytes as they are (`.wsq`, `.bin`). Returns a line per image.
pub fn write_images(dir: &Path, g: &BiometricGroup) -> Result<Vec<String>, CliError> {
    let mut lines = Vec::new();
    let mut n = 0usize;
    let mut images: Vec<(String, &[u8])> = Vec::new();
    for t in &g.templates {
        match &t.record {
            BiometricRecord::Finger(r) => {
                for v in &r.views {
                    images.push((cccd::json::finger_position_name(v.position), &v.image));
                }
            }
            BiometricRecord::Iris(r) => {
                for e in &r.eyes {
                    for i in &e.images {
                        images.push((format!("iris-{}", e.eye), &i.image));
                    }
                }
            }
            BiometricRecord::Iso39794 { block: Iso39794Block::Finger(b), .. } => {
                for r in &b.representations {
                    images.push((cccd::json::finger_position_name(r.position), &r.image));
                }
            }
            BiometricRecord::Iso39794 { .. } | BiometricRecord::Other { .. } => {}
        }
    }
    for (name, image) in images {
        n += 1;
        let (file, bytes, note) = match cccd::face::biometric_image_to_png(image) {
            Ok(png) => (format!("{n:02}-{name}.png"), png, "PNG".to_string()),
            Err(e) => {
                let ext = if ImageCodec::sniff(image) == ImageCodec::Wsq { "wsq" } else { "bin" };
                (format!("{n:02}-{name}.{ext}"), image.to_vec(), format!("kept as bytes: {e}"))
            }
        };
        super::write_file(&dir.join(&file), &bytes)?;
        lines.push(format!("{}: {note}", dir.join(&file).display()));
    }
    Ok(lines)
}
