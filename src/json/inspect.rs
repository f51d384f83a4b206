//! `cccd inspect --json`: LDS files recognized by their first tag and decoded to JSON, or their BER-TLV tree.

use serde_json::{Value, json};

use crate::lds::card_security::CardSecurity;
use crate::lds::com::{Com, ComEntry};
use crate::lds::details::{DetailFields, Dg11, Dg12, FieldValue as DetailValue};
use crate::lds::dg1::Dg1;
use crate::lds::dg2::facial::ImageDataType;
use crate::lds::dg2::{BiometricData, Dg2};
use crate::lds::dg13::{Dg13, FieldValue as Dg13Value};
use crate::lds::dg15::Dg15;
use crate::lds::public_key::{EcDomain, PublicKey};
use crate::lds::raw::RawDataGroup;
use crate::lds::security_infos::{CardAccess, Dg14, SecurityInfoKind, SecurityInfos};
use crate::lds::sod::Sod;
use crate::lds::{DecodeWarning, LdsFile};
use crate::mrz::Mrz;
use crate::oid;
use crate::tlv::{Tlv, TlvReader};

/// One item of `files` in `cccd inspect --json` for the file `name` holding `bytes`: `{"path": name, "ok": true,
/// "content": {"file": "DG1", "length": …, …}}`, or `{"path": name, "ok": false, "error": "…"}` when it does
/// not decode (the message gives the offset; never the file's content).
pub fn inspect(name: &str, bytes: &[u8]) -> Value {
    item(name, decode_file(bytes))
}

/// One item of `cccd inspect --tree --json`'s array: the file's BER-TLV structure (`tag`, `offset`, `length`,
/// `children` or `value` in hex) as [`inspect`]'s `content`.
pub fn inspect_tree(name: &str, bytes: &[u8]) -> Value {
    item(name, tree(bytes))
}

fn item(name: &str, decoded: Result<Value, String>) -> Value {
    match decoded {
        Ok(v) => json!({ "path": name, "ok": true, "content": v }),
        Err(e) => json!({ "path": name, "ok": false, "error": e }),
    }
}

/// Decodes one file, recognized by its first tag (LDS files, CV certificates and requests): `{"file", "length",
/// …, "warnings"}`; the error message says what failed and where.
pub fn decode_file(bytes: &[u8]) -> Result<Value, String> {
    let first = TlvReader::new(bytes).read().map_err(|e| e.to_string())?;
    if let Some(v) = super::eac::decode(first.tag(), bytes) {
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
                crate::lds::dg3::BiometricGroup::decode(bytes).map(|d| with(super::eac::biometrics(&d), &[]))
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
    if let Some(m) = v.as_object_mut() {
        m.insert("lines".into(), json!(d.lines()));
        m.insert("wrong_check_digits".into(), json!(d.wrong_check_digits().map(|f| f.to_string()).collect::<Vec<_>>()));
    }
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

/// An MRZ: its lines and every field as printed (dates `YYMMDD`), the CCCD's 12-digit ID number.
pub fn mrz(m: &Mrz) -> Value {
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
                                "encoding": "ISO/IEC 19794-5",
                            })
                        })
                        .collect();
                    json!({ "format": "ISO/IEC 19794-5", "encoding": "ISO/IEC 19794-5", "faces": faces })
                }
                BiometricData::Iso39794 { block, value } => super::eac::iso39794(block, value.len()),
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

/// DG13 (the CCCD's personal data): `{"fields": [{number, name, value}]}` with the field names of
/// cccd-profile §4.
pub fn dg13(d: &Dg13) -> Value {
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

/// EF.SOD: the LDS security object (hash algorithm, data group hashes), the certificates it carries and its
/// signer infos.
pub fn sod(s: &Sod) -> Value {
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
fn signed_data(certificates: &[x509_cert::Certificate], signer_infos: &[crate::lds::sod::SignerInfo]) -> Value {
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
        let mut v = serde_json::Map::new();
        v.insert("tag".into(), json!(t.tag().to_string()));
        v.insert("offset".into(), json!(t.offset()));
        v.insert("length".into(), json!(t.value().len()));
        let children = match (t.tag().is_constructed(), depth < 16) {
            (true, true) => t.children().map(|c| c.map(|c| node(&c, depth + 1))).collect::<Result<Vec<_>, _>>().ok(),
            _ => None,
        };
        match children {
            Some(c) => v.insert("children".into(), Value::Array(c)),
            None => v.insert("value".into(), Value::String(hex::encode_upper(t.value()))),
        };
        Value::Object(v)
    }
    let items: Vec<Value> =
        TlvReader::new(bytes).map(|t| t.map(|t| node(&t, 0))).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    Ok(Value::Array(items))
}
