//! `cccd inspect FILE... [--json] [--tree]`: recognize LDS files by their tag and print them.

use std::path::PathBuf;
use std::process::ExitCode;

use cccd::lds::card_security::CardSecurity;
use cccd::lds::com::{Com, ComEntry};
use cccd::lds::details::{DetailFields, Dg11, Dg12, FieldValue as DetailValue};
use cccd::lds::dg1::Dg1;
use cccd::lds::dg2::facial::ImageDataType;
use cccd::lds::dg2::{BiometricData, Dg2};
use cccd::lds::dg13::{Dg13, FieldValue as Dg13Value};
use cccd::lds::dg15::Dg15;
use cccd::lds::public_key::{EcDomain, PublicKey};
use cccd::lds::raw::RawDataGroup;
use cccd::lds::security_infos::{CardAccess, Dg14, SecurityInfoKind, SecurityInfos};
use cccd::lds::sod::Sod;
use cccd::lds::{DecodeWarning, LdsFile};
use cccd::mrz::Mrz;
use cccd::oid;
use cccd::tlv::{Tlv, TlvReader};
use serde_json::{Value, json};

use super::CliError;

/// Arguments of `cccd inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to decode (EF.COM, EF.SOD, EF.CardAccess, EF.CardSecurity, DG1–DG16), in any order.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON (one object per file, in an array) instead of text.
    #[arg(long)]
    json: bool,
    /// Print the raw BER-TLV structure instead of the decoded model.
    #[arg(long)]
    tree: bool,
    /// Write the face of a DG2 here as PNG (the first face of the first DG2 given); for DG3/DG4 a folder that
    /// receives each finger or iris image, as PNG where the codec allows (PNG, JPEG, JPEG 2000; WSQ kept as bytes).
    #[arg(long, value_name = "PNG")]
    out: Option<PathBuf>,
}

/// Runs `cccd inspect`; exit status 1 when a file does not decode.
pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let mut out = Vec::new();
    let mut failed = false;
    let mut face_written = false;
    for path in &args.files {
        let bytes = std::fs::read(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
        if let (Some(dir), Ok(group)) = (&args.out, cccd::lds::dg3::BiometricGroup::decode(&bytes)) {
            for line in super::inspect_eac::write_images(dir, &group)? {
                eprintln!("cccd: {line}");
            }
            face_written = true;
        }
        if let (Some(png_path), false, Ok(dg2)) = (&args.out, face_written, Dg2::decode(&bytes)) {
            {
                let face = dg2.faces().next().ok_or(CliError::Input {
                    context: path.display().to_string(),
                    message: "DG2 holds no face".into(),
                })?;
                let img = cccd::face::decode(face)
                    .map_err(|e| CliError::Input { context: path.display().to_string(), message: e.to_string() })?;
                let png = cccd::face::to_png(&img)
                    .map_err(|e| CliError::Input { context: path.display().to_string(), message: e.to_string() })?;
                super::write_file(png_path, &png)?;
                face_written = true;
            }
        }
        let name = path.display().to_string();
        let decoded = if args.tree { tree(&bytes) } else { decode(&bytes) };
        let item = match decoded {
            Ok(v) => json!({ "path": name, "ok": true, "content": v }),
            Err(e) => {
                failed = true;
                json!({ "path": name, "ok": false, "error": e })
            }
        };
        out.push(item);
    }
    let text = if args.json {
        serde_json::to_string_pretty(&Value::Array(out)).unwrap_or_default() + "\n"
    } else {
        let mut text = String::new();
        for item in &out {
            write_text(&mut text, item, 0);
            text.push('\n');
        }
        text
    };
    super::print(&text);
    if let (Some(p), false) = (&args.out, face_written) {
        return Err(CliError::Input {
            context: p.display().to_string(),
            message: "no DG2, DG3 or DG4 among the files".into(),
        });
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Decodes one file, recognized by its first tag.
fn decode(bytes: &[u8]) -> Result<Value, String> {
    let first = TlvReader::new(bytes).read().map_err(|e| e.to_string())?;
    if let Some(v) = super::inspect_eac::decode(first.tag(), bytes) {
        return v;
    }
    let Some(file) = LdsFile::from_tag(first.tag()) else {
        return Err(format!("unknown file: first tag {} is not an LDS file tag", first.tag()));
    };
    // each decoder: its content and what it tolerated
    let content = match file {
        LdsFile::CardAccess => CardAccess::decode(bytes).map(|c| with(security_infos(&c.infos), c.infos.warnings())),
        LdsFile::CardSecurity => CardSecurity::decode(bytes).map(|c| with(card_security(&c), c.warnings())),
        LdsFile::Sod => Sod::decode(bytes).map(|s| with(sod(&s), s.warnings())),
        LdsFile::Com => Com::decode(bytes).map(|c| with(com(&c), &c.warnings)),
        LdsFile::Dg(_) => match file.dg_number() {
            Some(1) => Dg1::decode(bytes).map(|d| with(json!({ "mrz": dg1_mrz(&d) }), d.warnings())),
            Some(2) => Dg2::decode(bytes).map(|d| with(dg2(&d), &d.warnings)),
            Some(11) => Dg11::decode(bytes).map(|d| with(details(&d.fields), &d.warnings)),
            Some(12) => Dg12::decode(bytes).map(|d| with(details(&d.fields), &d.warnings)),
            Some(13) => Dg13::decode(bytes).map(|d| with(dg13(&d), d.warnings())),
            Some(14) => Dg14::decode(bytes).map(|d| with(security_infos(&d.infos), d.infos.warnings())),
            Some(15) => {
                Dg15::decode(bytes).map(|d| with(json!({ "public_key": public_key(&d.public_key) }), d.warnings()))
            }
            Some(3 | 4) => {
                cccd::lds::dg3::BiometricGroup::decode(bytes).map(|d| with(super::inspect_eac::biometrics(&d), &[]))
            }
            _ => RawDataGroup::decode(file, bytes)
                .map(|d| with(json!({ "value_length": d.value().len() }), d.warnings())),
        },
    }
    .map_err(|e| e.to_string())?;
    let mut v = json!({ "file": file.name(), "length": bytes.len() });
    if let (Value::Object(m), Value::Object(c)) = (&mut v, content) {
        m.extend(c);
    }
    Ok(v)
}

/// `content` with `"warnings": [{"code", "offset", "message"}]` (always present, empty when nothing was tolerated).
fn with(mut content: Value, warnings: &[DecodeWarning]) -> Value {
    let list: Vec<Value> = warnings
        .iter()
        .map(|w| json!({ "code": w.kind.code(), "offset": w.offset, "message": w.kind.to_string() }))
        .collect();
    if let Value::Object(m) = &mut content {
        m.insert("warnings".into(), Value::Array(list));
    }
    content
}

/// DG1's MRZ: the lines as read (check digits as written), the fields, and the wrong check digits.
fn dg1_mrz(d: &Dg1) -> Value {
    let mut v = mrz(d.mrz());
    v["lines"] = json!(d.lines());
    v["wrong_check_digits"] = json!(d.wrong_check_digits().map(|f| f.to_string()).collect::<Vec<_>>());
    v
}

fn card_security(c: &CardSecurity) -> Value {
    let mut v = security_infos(&c.security_infos);
    let signed = signed_data(&c.certificates, &c.signer_infos);
    if let (Value::Object(m), Value::Object(s)) = (&mut v, signed) {
        m.extend(s);
    }
    v
}

fn com(c: &Com) -> Value {
    let (a, b) = c.lds_version;
    let (u1, u2, u3) = c.unicode_version;
    let entries: Vec<Value> = c
        .entries
        .iter()
        .map(|e| match e {
            ComEntry::Dg(f) => Value::String(f.name()),
            ComEntry::Unknown(t) => Value::String(format!("unknown tag {t:02X}")),
        })
        .collect();
    json!({
        "lds_version": format!("{a}.{b}"),
        "unicode_version": format!("{u1}.{u2}.{u3}"),
        "data_groups": entries,
    })
}

pub(super) fn mrz(m: &Mrz) -> Value {
    json!({
        "lines": m.to_lines().unwrap_or_default(),
        "document_code": m.document_code(),
        "issuing_state": m.issuing_state(),
        "document_number": m.document_number(),
        "primary_identifier": m.primary_identifier(),
        "secondary_identifier": m.secondary_identifier(),
        "nationality": m.nationality(),
        "date_of_birth": m.date_of_birth(),
        "sex": m.sex().to_char().to_string(),
        "date_of_expiry": m.date_of_expiry(),
        "optional_data": m.optional_data(),
        "cccd_id_number": m.cccd_id_number(),
    })
}

fn dg2(d: &Dg2) -> Value {
    let templates: Vec<Value> = d
        .templates
        .iter()
        .map(|t| {
            let header: Vec<Value> =
                t.header.iter().map(|(tag, v)| json!({ "tag": tag.to_string(), "value": hex(v) })).collect();
            let data = match &t.data {
                BiometricData::Facial(r) => {
                    let faces: Vec<Value> = r
                        .faces
                        .iter()
                        .map(|f| {
                            json!({
                                "image_type": match f.image_data_type {
                                    ImageDataType::Jpeg => "JPEG".to_string(),
                                    ImageDataType::Jpeg2000 => "JPEG 2000".to_string(),
                                    ImageDataType::Other(v) => format!("other ({v})"),
                                },
                                "width": f.width,
                                "height": f.height,
                                "image_length": f.image.len(),
                                "face_image_type": format!("{:?}", f.face_image_type),
                                "gender": format!("{:?}", f.gender),
                                "feature_points": f.feature_points.len(),
                            })
                        })
                        .collect();
                    json!({ "format": "ISO/IEC 19794-5", "faces": faces })
                }
                BiometricData::Other { tag, value } => {
                    json!({ "format": "other", "tag": tag.to_string(), "length": value.len() })
                }
            };
            json!({ "header": header, "data": data })
        })
        .collect();
    json!({ "templates": templates })
}

fn details(d: &DetailFields) -> Value {
    let fields: Vec<Value> = d
        .fields
        .iter()
        .map(|f| match &f.value {
            DetailValue::Single(v) => match std::str::from_utf8(v) {
                Ok(t) => json!({ "tag": f.tag.to_string(), "text": t }),
                Err(_) => json!({ "tag": f.tag.to_string(), "length": v.len() }),
            },
            DetailValue::Repeated { tag, values } => json!({
                "tag": tag.to_string(),
                "values": values.iter().map(|v| String::from_utf8_lossy(v).into_owned()).collect::<Vec<_>>(),
            }),
        })
        .collect();
    json!({ "fields": fields })
}

/// The DG13 field names of cccd-profile §4.
const DG13_NAMES: [&str; 16] = [
    "id_number",
    "full_name",
    "date_of_birth",
    "sex",
    "nationality",
    "ethnicity",
    "religion",
    "place_of_origin",
    "place_of_residence",
    "identifying_marks",
    "date_of_issue",
    "date_of_expiry",
    "parents",
    "spouse",
    "old_id_number",
    "field_16",
];

pub(super) fn dg13(d: &Dg13) -> Value {
    let fields: Vec<Value> = d
        .fields
        .iter()
        .map(|f| {
            let name = usize::try_from(f.number)
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| DG13_NAMES.get(i))
                .copied()
                .unwrap_or("unknown");
            let value = match &f.value {
                Dg13Value::Text { text, .. } => json!(text),
                Dg13Value::Parents { father, mother } => json!({ "father": father, "mother": mother }),
                Dg13Value::Spouse(s) => json!(s),
                Dg13Value::Other(b) => json!({ "der": hex(b) }),
            };
            json!({ "number": f.number, "name": name, "value": value })
        })
        .collect();
    json!({ "fields": fields })
}

fn hex(b: &[u8]) -> Value {
    Value::String(hex::encode_upper(b))
}

fn public_key(k: &PublicKey) -> Value {
    match k {
        PublicKey::Rsa { modulus, exponent } => json!({
            "type": "RSA", "bits": k.bits(), "modulus": hex(modulus), "exponent": hex(exponent)
        }),
        PublicKey::Ec { domain, point } => {
            let params = match domain {
                EcDomain::Named(_) => "named",
                EcDomain::Explicit(_) => "explicit",
                EcDomain::ImplicitlyCa => "implicitlyCA",
            };
            json!({
                "type": "EC", "bits": k.bits(), "curve": k.curve().map(|o| oid::name(&o)),
                "parameters": params, "point": hex(point)
            })
        }
        PublicKey::Dh { public_value, .. } => {
            json!({ "type": "DH", "bits": k.bits(), "public_value": hex(public_value) })
        }
        PublicKey::Other { algorithm } => json!({ "type": "other", "algorithm": oid::name(algorithm) }),
        _ => json!({ "type": "unknown" }),
    }
}

fn security_infos(infos: &SecurityInfos) -> Value {
    let items: Vec<Value> = infos
        .infos()
        .iter()
        .map(|i| {
            let protocol = oid::name(&i.protocol());
            match i.kind() {
                SecurityInfoKind::Pace(p) => json!({
                    "type": "PACEInfo", "protocol": protocol, "version": p.version,
                    "parameter_id": p.parameter_id,
                    "parameters": p.standardized_parameters().map(|s| s.name()),
                }),
                SecurityInfoKind::PaceDomainParameter(d) => json!({
                    "type": "PACEDomainParameterInfo", "protocol": protocol,
                    "algorithm": oid::name(&d.algorithm), "parameter_id": d.id,
                }),
                SecurityInfoKind::ChipAuthentication(c) => json!({
                    "type": "ChipAuthenticationInfo", "protocol": protocol, "version": c.version, "key_id": c.key_id,
                }),
                SecurityInfoKind::ChipAuthenticationDomainParameter(d) => json!({
                    "type": "ChipAuthenticationDomainParameterInfo", "protocol": protocol,
                    "algorithm": oid::name(&d.algorithm), "key_id": d.id,
                }),
                SecurityInfoKind::ChipAuthenticationPublicKey(k) => json!({
                    "type": "ChipAuthenticationPublicKeyInfo", "protocol": protocol,
                    "public_key": public_key(&k.public_key), "key_id": k.key_id,
                }),
                SecurityInfoKind::TerminalAuthentication(t) => json!({
                    "type": "TerminalAuthenticationInfo", "protocol": protocol, "version": t.version,
                }),
                SecurityInfoKind::ActiveAuthentication(a) => json!({
                    "type": "ActiveAuthenticationInfo", "protocol": protocol, "version": a.version,
                    "signature_algorithm": oid::name(&a.signature_algorithm),
                }),
                _ => json!({ "type": "unknown", "protocol": protocol, "der": hex(i.as_bytes()) }),
            }
        })
        .collect();
    json!({ "security_infos": items })
}

pub(super) fn sod(s: &Sod) -> Value {
    let lso = &s.lds_security_object;
    let hashes: Vec<Value> =
        lso.data_group_hashes.iter().map(|h| json!({ "data_group": h.number, "hash": hex(&h.hash) })).collect();
    let mut v = json!({
        "lds_security_object": {
            "version": lso.version,
            "hash_algorithm": oid::name(&lso.hash_algorithm.oid),
            "lds_version": lso.lds_version.as_ref().map(|(l, _)| l.clone()),
            "unicode_version": lso.lds_version.as_ref().map(|(_, u)| u.clone()),
            "data_group_hashes": hashes,
        },
    });
    if let (Value::Object(m), Value::Object(s)) = (&mut v, signed_data(&s.certificates, &s.signer_infos)) {
        m.extend(s);
    }
    v
}

/// The certificates and signer infos of a CMS SignedData (EF.SOD, EF.CardSecurity).
fn signed_data(certificates: &[x509_cert::Certificate], signer_infos: &[cccd::lds::sod::SignerInfo]) -> Value {
    let certificates: Vec<Value> = certificates
        .iter()
        .map(|c| {
            let tbs = c.tbs_certificate();
            json!({
                "subject": tbs.subject().to_string(),
                "issuer": tbs.issuer().to_string(),
                "serial_number": hex(tbs.serial_number().as_bytes()),
                "not_before": tbs.validity().not_before.to_string(),
                "not_after": tbs.validity().not_after.to_string(),
                "signature_algorithm": oid::name(&c.signature_algorithm().oid),
            })
        })
        .collect();
    let signers: Vec<Value> = signer_infos
        .iter()
        .map(|si| {
            json!({
                "digest_algorithm": oid::name(&si.digest_algorithm.oid),
                "signature_algorithm": oid::name(&si.signature_algorithm.oid),
                "signed_attributes": si.signed_attributes.is_some(),
                "signature_length": si.signature.len(),
            })
        })
        .collect();
    json!({
        "certificates": certificates,
        "signer_infos": signers,
    })
}

/// The BER-TLV structure: tags, lengths, offsets; primitive values in hex.
fn tree(bytes: &[u8]) -> Result<Value, String> {
    fn node(t: &Tlv<'_>, depth: usize) -> Value {
        let mut v = json!({ "tag": t.tag().to_string(), "offset": t.offset(), "length": t.value().len() });
        if t.tag().is_constructed() && depth < 16 {
            let children: Result<Vec<Value>, _> =
                t.children().map(|c| c.map(|c| node(&c, depth + 1))).collect::<Result<_, _>>();
            match children {
                Ok(c) => v["children"] = Value::Array(c),
                Err(_) => v["value"] = Value::String(hex::encode_upper(t.value())),
            }
        } else {
            v["value"] = Value::String(hex::encode_upper(t.value()));
        }
        v
    }
    let items: Vec<Value> =
        TlvReader::new(bytes).map(|t| t.map(|t| node(&t, 0))).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    Ok(Value::Array(items))
}

/// Writes a JSON value as indented `key: value` lines.
pub fn write_text(out: &mut String, v: &Value, indent: usize) {
    use std::fmt::Write;
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                match val {
                    Value::Object(_) | Value::Array(_) => {
                        let _ = writeln!(out, "{pad}{k}:");
                        write_text(out, val, indent + 1);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}{k}: {}", scalar(val));
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, val) in items.iter().enumerate() {
                match val {
                    Value::Object(_) | Value::Array(_) => {
                        let _ = writeln!(out, "{pad}- [{i}]");
                        write_text(out, val, indent + 1);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}- {}", scalar(val));
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}
