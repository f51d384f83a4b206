//! `cccd inspect --json` for EAC files: CV certificates (`7F21`), certificate requests (`7F21` without CHAT,
//! or inside `67`), and DG3/DG4 biometrics (header fields; images by codec and length, never their bytes).

use serde_json::{Value, json};

use crate::cvc::key::CvcKey;
use crate::cvc::{CertificateRequest, CvCertificate, CvcPublicKey, Tolerated};
use crate::lds::dg3::finger::FingerPosition;
use crate::lds::dg3::{BiometricGroup, BiometricRecord, ImageCodec};
use crate::lds::iso39794::Iso39794Block;
use crate::tlv::Tag;

fn key(k: &CvcPublicKey) -> Value {
    match &k.key {
        CvcKey::Ec { parameters, point } => json!({
            "algorithm": k.algorithm.name(),
            "type": "EC",
            "curve": parameters.as_ref().map(|p| p.curve().map(|c| c.name()).unwrap_or("unknown explicit curve")),
            "domain_parameters": parameters.is_some(),
            "point": hex::encode(point),
        }),
        CvcKey::Rsa { modulus, exponent } => json!({
            "algorithm": k.algorithm.name(),
            "type": "RSA",
            "bits": crate::crypto::public_key::bit_length(modulus),
            "exponent": hex::encode(exponent),
        }),
    }
}

fn tolerated(t: &[Tolerated]) -> Vec<String> {
    t.iter().map(|t| format!("{t:?}")).collect()
}

fn certificate(c: &CvCertificate) -> Value {
    let chat = &c.body.chat;
    json!({
        "file": "CV certificate",
        "length": c.raw.len(),
        "profile_identifier": c.profile_id,
        "car": c.car().to_string(),
        "chr": c.chr().to_string(),
        "self_signed": c.is_self_signed(),
        "role": chat.role().name(),
        "terminal_type": chat.terminal_type.to_string(),
        "authorization": hex::encode(&chat.authorization),
        "read_dg3": chat.reads_dg3(),
        "read_dg4": chat.reads_dg4(),
        "effective": c.body.effective.to_string(),
        "expiry": c.body.expiry.to_string(),
        "public_key": key(&c.body.public_key),
        "extensions": c.body.extensions.len(),
        "signature_length": c.signature.len(),
        "tolerated": tolerated(&c.tolerated),
    })
}

fn request(r: &CertificateRequest) -> Value {
    json!({
        "file": "CV certificate request",
        "length": r.raw.len(),
        "car": r.car.as_ref().map(|c| c.to_string()),
        "chr": r.chr.to_string(),
        "public_key": key(&r.public_key),
        "inner_signature": if r.verify_inner().is_ok() { "valid" } else { "invalid" },
        "outer_car": r.outer.as_ref().map(|(c, _)| c.to_string()),
        "tolerated": tolerated(&r.tolerated),
    })
}

/// The decoded EAC file, when `tag` starts one (`None`: not an EAC file).
pub(super) fn decode(tag: Tag, bytes: &[u8]) -> Option<Result<Value, String>> {
    match tag.value() {
        0x7F21 => Some(match CvCertificate::decode(bytes) {
            Ok(c) => Ok(certificate(&c)),
            // a request has no CHAT nor dates
            Err(cert_err) => CertificateRequest::decode(bytes).map(|r| request(&r)).map_err(|_| cert_err.to_string()),
        }),
        0x67 => Some(CertificateRequest::decode(bytes).map(|r| request(&r)).map_err(|e| e.to_string())),
        _ => None,
    }
}

/// A finger position as a file-name-friendly word (`RightThumb` → `right-thumb`), as the JSON and `cccd inspect
/// --out` name it.
pub fn finger_position_name(p: FingerPosition) -> String {
    format!("{p:?}").chars().fold(String::new(), |mut s, c| {
        if c.is_uppercase() && !s.is_empty() {
            s.push('-');
        }
        s.push(c.to_ascii_lowercase());
        s
    })
}

/// DG3/DG4 as JSON: every header field of every record; images by codec and length, never their bytes.
pub(super) fn biometrics(g: &BiometricGroup) -> Value {
    let templates: Vec<Value> = g
        .templates
        .iter()
        .map(|t| {
            let header: Vec<Value> =
                t.header.iter().map(|(tag, v)| json!({ "tag": format!("{tag}"), "value": hex::encode(v) })).collect();
            let record = match &t.record {
                BiometricRecord::Finger(r) => json!({
                    "format": "ISO/IEC 19794-4",
                    "encoding": "ISO/IEC 19794-4",
                    "capture_device_id": r.capture_device_id,
                    "acquisition_level": r.acquisition_level,
                    "scale_units": r.scale_units,
                    "scan_resolution": [r.scan_resolution.0, r.scan_resolution.1],
                    "image_resolution": [r.image_resolution.0, r.image_resolution.1],
                    "pixel_depth": r.pixel_depth,
                    "compression": format!("{:?}", r.compression),
                    "length_mismatch": r.length_mismatch,
                    "views": r.views.iter().map(|v| json!({
                        "position": finger_position_name(v.position),
                        "view": v.view_number, "views": v.view_count, "quality": v.quality,
                        "impression": format!("{:?}", v.impression),
                        "width": v.width, "height": v.height,
                        "image": format!("{:?}", ImageCodec::sniff(&v.image)), "image_length": v.image.len(),
                        "encoding": "ISO/IEC 19794-4",
                    })).collect::<Vec<_>>(),
                }),
                BiometricRecord::Iris(r) => json!({
                    "format": "ISO/IEC 19794-6",
                    "encoding": "ISO/IEC 19794-6",
                    "capture_device_id": r.capture_device_id,
                    "image_properties": r.image_properties,
                    "iris_diameter": r.iris_diameter,
                    "image_format": r.image_format,
                    "width": r.width, "height": r.height,
                    "intensity_depth": r.intensity_depth,
                    "eyes": r.eyes.iter().map(|e| json!({
                        "eye": match e.eye { 1 => "right", 2 => "left", _ => "undefined" },
                        "images": e.images.iter().map(|i| i.image.len()).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                }),
                BiometricRecord::Iso39794 { block, value } => iso39794(block, value.len()),
                BiometricRecord::Other { tag, value } => {
                    json!({ "format": "other", "tag": format!("{tag}"), "length": value.len() })
                }
            };
            json!({ "header": header, "record": record })
        })
        .collect();
    json!({ "templates": templates, "issuer_data_length": g.issuer_data.as_ref().map(Vec::len) })
}

/// An ISO/IEC 39794 block (DG2, DG3 or DG4) as JSON, with the field names of the 19794 output where they mean
/// the same (`views` of fingers, `faces` of a face block) and `encoding` naming the part: images by format and
/// length, never their bytes. Widths and heights of fingers come from the image's own header (the 39794-4 record
/// has none); `null` when it cannot be read (WSQ).
pub(super) fn iso39794(block: &Iso39794Block, length: usize) -> Value {
    let version = block.version();
    let mut v = json!({
        "format": block.encoding(),
        "encoding": block.encoding(),
        "version": { "generation": version.generation, "year": version.year },
        "length": length,
    });
    let extra = match block {
        Iso39794Block::Finger(b) => json!({ "views": b.representations.iter().map(|r| {
            let size = crate::face::biometric_image_size(&r.image);
            json!({
                "position": finger_position_name(r.position),
                "impression": format!("{:?}", r.impression),
                "compression": format!("{:?}", r.format),
                "width": size.map(|s| s.0), "height": size.map(|s| s.1),
                "resolution": r.sampling_rate.map(|s| json!({
                    "samples_per_unit": s.samples_per_unit, "unit": s.unit.map(|u| format!("{u:?}")),
                })),
                "image": format!("{:?}", ImageCodec::sniff(&r.image)), "image_length": r.image.len(),
                "encoding": block.encoding(),
            })
        }).collect::<Vec<_>>() }),
        Iso39794Block::Face(b) => json!({ "faces": b.representations.iter().map(|r| match &r.image {
            Some(i) => json!({
                "representation_id": r.id,
                "image_type": i.format.name(),
                "width": i.size.map(|s| s.0), "height": i.size.map(|s| s.1),
                "image_length": i.data.len(),
                "face_image_type": i.kind.map(|k| format!("{k:?}")),
                "encoding": block.encoding(),
            }),
            None => json!({ "representation_id": r.id, "image_type": null, "encoding": block.encoding() }),
        }).collect::<Vec<_>>() }),
        Iso39794Block::Iris(b) => json!({ "representations": b.representations }),
    };
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}
