//! ISO/IEC 39794 biometric data blocks in DG2 (39794-5 face) and DG3 (39794-4 finger), LDS 1.8.
//!
//! No real 39794 chip file was available here: the files are built around the byte layouts documented in
//! `docs/eac.md` §4.4 (the GMRTD DG2 sample `75 82 … 7F61 … 02 01 01 7F60 … A1 08 87 02 0101 88 02 002A 7F2E …
//! A1 … 65 … A0 07 80 01 03 81 02 07E3 A1 …` and the JMRTD 39794-4 sample `64 82 0430 A0 07 80 01 03 81 02 07E3
//! A1 82 0423 30 … A0 03 80 01 02 A1 03 80 01 01 A2 03 80 01 04 83 82 02B1 <PNG>`), with our own small images and
//! the lengths recomputed.
mod cli_support;

use std::io::Cursor;

use cccd::lds::dg2::{BiometricData, Dg2};
use cccd::lds::dg3::finger::FingerPosition;
use cccd::lds::dg3::{BiometricRecord, Dg3};
use cccd::lds::iso39794::face::{FaceImageFormat, FaceImageKind};
use cccd::lds::iso39794::finger::{FingerImageFormat, FingerImpression, SamplingRate, SamplingUnit};
use cccd::lds::iso39794::{Iso39794Block, Iso39794ErrorKind, VersionBlock};
use cccd::lds::{LdsError, LdsErrorKind};
use cccd::tlv::{Tag, TlvWriter};
use cli_support::{cccd, s, tmp};

const T: fn(u32) -> Tag = Tag::new;

/// A grey, noisy 24×24 PNG (noise keeps it over 256 bytes, so its length takes `82 LL LL` as in the sample).
fn png() -> Vec<u8> {
    let img = image::GrayImage::from_fn(24, 24, |x, y| image::Luma([((x * 37 + y * 91) ^ (x * y * 13)) as u8]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A 48×64 colour JPEG portrait.
fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(48, 64, |x, y| image::Rgb([(x * 5) as u8, (y * 4) as u8, ((x + y) * 3) as u8]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn version(w: &mut TlvWriter) {
    w.constructed(T(0xA0), |w| {
        w.primitive(T(0x80), &[0x03]).primitive(T(0x81), &[0x07, 0xE3]);
    });
}

/// `CHOICE { code [0] }` under the context tag `tag`.
fn code(w: &mut TlvWriter, tag: u32, value: u8) {
    w.constructed(T(tag), |w| {
        w.primitive(T(0x80), &[value]);
    });
}

/// The 39794-4 FingerImageDataBlock: one right index finger, rolled, PNG, 500 ppi.
fn finger_block(png: &[u8]) -> Vec<u8> {
    let mut w = TlvWriter::new();
    w.constructed(T(0x64), |w| {
        version(w);
        w.constructed(T(0xA1), |w| {
            w.constructed(T(0x30), |w| {
                code(w, 0xA0, 2); // position: right index
                code(w, 0xA1, 1); // impression: rolled contact
                code(w, 0xA2, 4); // imageDataFormat: PNG
                w.primitive(T(0x83), png);
                w.constructed(T(0xA7), |w| {
                    w.primitive(T(0x80), &[0x01, 0xF4]).primitive(T(0x81), &[0x00]);
                });
                // a later element this library does not read (comment blocks [15]): skipped
                w.constructed(T(0xAF), |w| {
                    w.primitive(T(0x1A), b"x");
                });
            });
        });
    });
    w.into_bytes()
}

/// A CBEFF data group (`63` DG3 or `75` DG2) of one template with `header` and a `7F2E { A1 { block } }`.
fn data_group(tag: u32, header: &[(u32, &[u8])], block: &[u8]) -> Vec<u8> {
    let mut w = TlvWriter::new();
    w.constructed(T(tag), |w| {
        w.constructed(T(0x7F61), |w| {
            w.primitive(T(0x02), &[0x01]);
            w.constructed(T(0x7F60), |w| {
                w.constructed(T(0xA1), |w| {
                    for (t, v) in header {
                        w.primitive(T(*t), v);
                    }
                });
                w.constructed(T(0x7F2E), |w| {
                    w.constructed(T(0xA1), |w| {
                        w.raw(block);
                    });
                });
            });
        });
    });
    w.into_bytes()
}

fn dg3(png: &[u8]) -> Vec<u8> {
    let header: [(u32, &[u8]); 5] =
        [(0x80, &[1, 1]), (0x81, &[0x08]), (0x82, &[0x09]), (0x87, &[1, 1]), (0x88, &[0x00, 0x28])];
    data_group(0x63, &header, &finger_block(png))
}

/// The 39794-5 FaceImageDataBlock: one 2D JPEG representation, kind MRTD (as an extension block's fallback).
fn face_block(jpeg: &[u8]) -> Vec<u8> {
    let mut w = TlvWriter::new();
    w.constructed(T(0x65), |w| {
        version(w);
        w.constructed(T(0xA1), |w| {
            w.constructed(T(0x30), |w| {
                w.primitive(T(0x80), &[0x01]); // representationId
                w.constructed(T(0xA1), |w| {
                    w.constructed(T(0xA0), |w| {
                        w.constructed(T(0xA0), |w| {
                            w.primitive(T(0x80), jpeg);
                            w.constructed(T(0xA1), |w| {
                                code(w, 0xA0, 2); // JPEG
                                w.constructed(T(0xA1), |w| {
                                    w.constructed(T(0xA1), |w| {
                                        w.primitive(T(0x80), &[0x00]); // mrtd
                                    });
                                });
                                w.constructed(T(0xA7), |w| {
                                    w.primitive(T(0x80), &[48]).primitive(T(0x81), &[64]);
                                });
                            });
                        });
                    });
                });
                // identityMetadataBlock [8] { gender [0] { extensionBlock [1] { fallback 2 } } }: skipped
                w.constructed(T(0xA8), |w| {
                    w.constructed(T(0xA0), |w| {
                        w.constructed(T(0xA1), |w| {
                            w.primitive(T(0x80), &[0x02]);
                        });
                    });
                });
            });
        });
    });
    w.into_bytes()
}

fn dg2(jpeg: &[u8]) -> Vec<u8> {
    let header: [(u32, &[u8]); 2] = [(0x87, &[1, 1]), (0x88, &[0x00, 0x2A])];
    data_group(0x75, &header, &face_block(jpeg))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn dg3_39794_4_finger_decodes() {
    let png = png();
    assert!(png.len() > 255, "{} bytes", png.len());
    let block = finger_block(&png);
    // the documented prefix, lengths recomputed
    let total = block.len() - 4;
    assert_eq!(&block[..4], [0x64, 0x82, (total >> 8) as u8, total as u8]);
    assert_eq!(&block[4..13], [0xA0, 0x07, 0x80, 0x01, 0x03, 0x81, 0x02, 0x07, 0xE3]);
    assert_eq!(&block[13..15], [0xA1, 0x82]);
    let fields = [0xA0, 0x03, 0x80, 0x01, 0x02, 0xA1, 0x03, 0x80, 0x01, 0x01, 0xA2, 0x03, 0x80, 0x01, 0x04, 0x83, 0x82];
    let at = find(&block, &fields).expect("position, impression, format, imageData as in the sample");
    assert_eq!(&block[at + 17..at + 19], (png.len() as u16).to_be_bytes());
    assert_eq!(&block[at + 19..at + 27], &png[..8]);

    let bytes = dg3(&png);
    let dg = Dg3::decode(&bytes).unwrap();
    assert_eq!(dg.templates.len(), 1);
    assert_eq!(dg.templates[0].format_type(), Some(0x0028));
    let BiometricRecord::Iso39794 { block: Iso39794Block::Finger(b), value } = &dg.templates[0].record else {
        panic!("not a 39794-4 block: {:?}", dg.templates[0].record);
    };
    assert_eq!(value[0], 0xA1);
    assert_eq!(b.version, VersionBlock { generation: 3, year: 2019 });
    assert_eq!(b.representations.len(), 1);
    let r = &b.representations[0];
    assert_eq!(r.position, FingerPosition::RightIndex);
    assert_eq!(r.impression, FingerImpression::RolledContact);
    assert_eq!(r.format, FingerImageFormat::Png);
    assert_eq!(r.sampling_rate, Some(SamplingRate { samples_per_unit: 500, unit: Some(SamplingUnit::Inch) }));
    assert_eq!(r.image, png);
    let decoded = image::load_from_memory_with_format(&r.image, image::ImageFormat::Png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (24, 24));
    // Debug shows no image bytes
    let debug = format!("{dg:?}");
    assert!(debug.contains("RightIndex") && !debug.contains("137, 80, 78, 71"), "{debug}");
    // written back byte for byte
    assert_eq!(dg.encode().unwrap(), bytes);
}

#[test]
fn dg2_39794_5_face_decodes_and_shows() {
    let jpeg = jpeg();
    let bytes = dg2(&jpeg);
    // the documented prefix: 75 82 … 7F61 … 02 01 01 7F60 … A1 08 87 02 0101 88 02 002A 7F2E 82 … A1 82 … 65 82 …
    assert_eq!(&bytes[..2], [0x75, 0x82]);
    let bht = find(&bytes, &[0x02, 0x01, 0x01, 0x7F, 0x60]).unwrap();
    let after = &bytes[bht + 5..];
    let bit_len = if after[0] == 0x82 { 3 } else { 2 };
    let rest = &after[bit_len..];
    assert_eq!(&rest[..10], [0xA1, 0x08, 0x87, 0x02, 0x01, 0x01, 0x88, 0x02, 0x00, 0x2A]);
    assert_eq!(&rest[10..13], [0x7F, 0x2E, 0x82]);
    assert_eq!(&rest[15..17], [0xA1, 0x82]);
    assert_eq!(&rest[19..21], [0x65, 0x82]);
    assert_eq!(&rest[23..34], [0xA0, 0x07, 0x80, 0x01, 0x03, 0x81, 0x02, 0x07, 0xE3, 0xA1, 0x82]);

    let dg = Dg2::decode(&bytes).unwrap();
    let BiometricData::Iso39794 { block: Iso39794Block::Face(b), .. } = &dg.templates[0].data else {
        panic!("not a 39794-5 block: {:?}", dg.templates[0].data);
    };
    assert_eq!(b.version, VersionBlock { generation: 3, year: 2019 });
    let r = &b.representations[0];
    assert_eq!(r.id, 1);
    let image = r.image.as_ref().unwrap();
    assert_eq!(image.format, FaceImageFormat::Jpeg);
    assert_eq!(image.kind, Some(FaceImageKind::Mrtd));
    assert_eq!(image.size, Some((48, 64)));
    assert_eq!(image.data, jpeg);
    // where faces are used: Dg2::faces and cccd::face::decode
    let faces: Vec<_> = dg.faces().collect();
    assert_eq!(faces.len(), 1);
    assert_eq!((faces[0].width, faces[0].height), (48, 64));
    let pixels = cccd::face::decode(&faces[0]).unwrap();
    assert_eq!((pixels.width(), pixels.height()), (48, 64));
    assert_eq!(dg.encode().unwrap(), bytes);

    // cccd inspect --json lists it; --out writes the face
    let dir = tmp("face39794");
    std::fs::write(dir.join("DG2.bin"), &bytes).unwrap();
    let (code, out, err) = cccd(&["inspect", "--json", "--out", s(&dir.join("face.png")), s(&dir.join("DG2.bin"))]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let data = &v["files"][0]["content"]["templates"][0]["data"];
    assert_eq!(data["encoding"], "ISO/IEC 39794-5", "{data}");
    assert_eq!(data["version"]["year"], 2019);
    let face = &data["faces"][0];
    assert_eq!(
        (face["image_type"].as_str(), face["width"].as_u64(), face["height"].as_u64()),
        (Some("JPEG"), Some(48), Some(64))
    );
    assert_eq!(face["image_length"].as_u64(), Some(jpeg.len() as u64));
    assert_eq!(face["face_image_type"], "Mrtd");
    let png = image::open(dir.join("face.png")).unwrap();
    assert_eq!((png.width(), png.height()), (48, 64));
}

#[test]
fn a_png_face_is_shown_too() {
    // the format code named PNG, the bytes a PNG: cccd::face::decode reads it by its magic number
    let png = png();
    let mut block = face_block(&png);
    let at = find(&block, &[0xA0, 0x03, 0x80, 0x01, 0x02]).unwrap();
    block[at + 4] = 5;
    let header: [(u32, &[u8]); 2] = [(0x87, &[1, 1]), (0x88, &[0x00, 0x2A])];
    let dg = Dg2::decode(&data_group(0x75, &header, &block)).unwrap();
    let face = dg.faces().next().unwrap();
    let pixels = cccd::face::decode(&face).unwrap();
    assert_eq!((pixels.width(), pixels.height()), (24, 24));
}

#[test]
fn cli_lists_and_writes_39794_fingers() {
    let png = png();
    let dir = tmp("finger39794");
    std::fs::write(dir.join("DG3.bin"), dg3(&png)).unwrap();
    let out_dir = dir.join("out");
    let (code, out, err) = cccd(&["inspect", "--json", "--out", s(&out_dir), s(&dir.join("DG3.bin"))]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let record = &v["files"][0]["content"]["templates"][0]["record"];
    assert_eq!(record["encoding"], "ISO/IEC 39794-4", "{record}");
    assert_eq!(record["version"]["generation"], 3);
    let view = &record["views"][0];
    assert_eq!(view["position"], "right-index");
    assert_eq!(view["impression"], "RolledContact");
    assert_eq!(view["compression"], "Png");
    assert_eq!((view["width"].as_u64(), view["height"].as_u64()), (Some(24), Some(24)));
    assert_eq!(view["resolution"]["samples_per_unit"], 500);
    assert_eq!(view["image"], "Png");
    assert_eq!(view["image_length"].as_u64(), Some(png.len() as u64));
    assert_eq!(std::fs::read(out_dir.join("01-right-index.png")).unwrap(), png);
    assert!(err.contains("01-right-index.png: PNG"), "{err}");
}

fn lds_error(r: Result<impl std::fmt::Debug, LdsError>) -> LdsError {
    r.expect_err("a broken block must not decode")
}

#[test]
fn broken_blocks_are_typed_errors() {
    let png = png();
    let jpeg = jpeg();
    let good3 = dg3(&png);
    let good2 = dg2(&jpeg);
    for cut in 0..good3.len() {
        assert!(Dg3::decode(&good3[..cut]).is_err(), "DG3 cut {cut}");
    }
    for cut in 0..good2.len() {
        assert!(Dg2::decode(&good2[..cut]).is_err(), "DG2 cut {cut}");
    }
    // every byte of the structure (not of the images) garbled: decodes or fails, never panics
    for (bytes, image) in [(&good3, &png), (&good2, &jpeg)] {
        let img_at = find(bytes, &image[..16]).unwrap();
        for i in (0..bytes.len()).filter(|i| *i < img_at || *i >= img_at + image.len()) {
            for x in [0x01u8, 0x80, 0xFF] {
                let mut bad = bytes.clone();
                bad[i] ^= x;
                let _ = Dg3::decode(&bad);
                let _ = Dg2::decode(&bad);
            }
        }
    }
    // a missing mandatory element, with the offset of the representation block's value
    let block = finger_block(&png);
    let at = find(&block, &[0xA2, 0x03, 0x80, 0x01, 0x04]).unwrap();
    let mut bad = block.clone();
    bad[at] = 0xA9; // imageDataFormat [2] becomes an unknown [9]
    let header: [(u32, &[u8]); 2] = [(0x87, &[1, 1]), (0x88, &[0x00, 0x28])];
    let bytes = data_group(0x63, &header, &bad);
    let e = lds_error(Dg3::decode(&bytes));
    assert_eq!(e.kind, LdsErrorKind::Missing("imageDataFormat"));
    let rep = find(&bytes, &[0xA0, 0x03, 0x80, 0x01, 0x02]).unwrap();
    assert_eq!(e.offset, Some(rep), "the 30's value starts with the position");
    // a negative INTEGER
    let mut bad = block.clone();
    bad[at + 4] = 0x84;
    let e = lds_error(Dg3::decode(&data_group(0x63, &header, &bad)));
    assert_eq!(e.kind, LdsErrorKind::Invalid { field: "imageDataFormat", reason: "a negative INTEGER" });
    // the 39794 decoder on its own: every prefix of a block is an error
    let wrapped = [&[0xA1, 0x82, (block.len() >> 8) as u8, block.len() as u8][..], &block].concat();
    assert!(Iso39794Block::decode(&wrapped, 0).is_ok());
    for cut in 0..wrapped.len() {
        let e = Iso39794Block::decode(&wrapped[..cut], 0).unwrap_err();
        assert!(matches!(e.kind, Iso39794ErrorKind::Tlv(_)), "cut {cut}: {e:?}");
    }
    // a face block without its image format
    let face = face_block(&jpeg);
    let at = find(&face, &[0xA0, 0x03, 0x80, 0x01, 0x02]).unwrap();
    let mut bad = face.clone();
    bad[at] = 0xA5;
    let header: [(u32, &[u8]); 2] = [(0x87, &[1, 1]), (0x88, &[0x00, 0x2A])];
    let e = lds_error(Dg2::decode(&data_group(0x75, &header, &bad)));
    assert_eq!(e.kind, LdsErrorKind::Missing("imageDataFormat"));
    // cccd inspect reports the error and fails
    let dir = tmp("broken39794");
    std::fs::write(dir.join("DG2.bin"), data_group(0x75, &header, &bad)).unwrap();
    let (code, out, _) = cccd(&["inspect", "--json", s(&dir.join("DG2.bin"))]);
    assert_eq!(code, 1);
    assert!(out.contains("missing imageDataFormat"), "{out}");
}

#[test]
fn the_19794_output_names_its_encoding() {
    use cccd::lds::dg2::facial::ImageDataType;
    use cccd::lds::dg3::FingerImage;
    use cccd::lds::dg3::finger::FingerCompression;
    let png = png();
    let dg3 = Dg3::fingerprints(vec![FingerImage {
        position: FingerPosition::LeftThumb,
        compression: FingerCompression::Png,
        width: 24,
        height: 24,
        image: png,
    }]);
    let v = cccd::json::inspect("DG3", &dg3.encode().unwrap());
    let record = &v["content"]["templates"][0]["record"];
    assert_eq!(
        (record["format"].as_str(), record["encoding"].as_str()),
        (Some("ISO/IEC 19794-4"), Some("ISO/IEC 19794-4"))
    );
    assert_eq!(record["views"][0]["encoding"], "ISO/IEC 19794-4");
    assert_eq!(record["views"][0]["position"], "left-thumb");
    let dg2 = Dg2::from_image(jpeg(), ImageDataType::Jpeg, 48, 64);
    let v = cccd::json::inspect("DG2", &dg2.encode().unwrap());
    let data = &v["content"]["templates"][0]["data"];
    assert_eq!(data["encoding"], "ISO/IEC 19794-5", "{data}");
    assert_eq!(data["faces"][0]["encoding"], "ISO/IEC 19794-5");
    // the same names for both encodings of a finger
    let v39 = cccd::json::inspect("DG3", &dg3_bytes_39794());
    let view39 = &v39["content"]["templates"][0]["record"]["views"][0];
    for key in ["position", "impression", "width", "height", "image", "image_length", "encoding"] {
        assert!(record["views"][0].get(key).is_some(), "19794 lacks {key}");
        assert!(view39.get(key).is_some(), "39794 lacks {key}");
    }
    // 19794-4 names one compression for the record, 39794-4 one per representation
    assert_eq!((record["compression"].as_str(), view39["compression"].as_str()), (Some("Png"), Some("Png")));
}

fn dg3_bytes_39794() -> Vec<u8> {
    dg3(&png())
}
