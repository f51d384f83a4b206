//! The conformance corpus (`tests/corpus/`): real-world eMRTD files and recorded APDU exchanges published by
//! other projects and specifications, each run through this library's public API and compared with the outcome
//! its source states (`tests/corpus/manifest.json`, provenance in `tests/corpus/README.md`).
//!
//! An item with `"status": "passes"` must give exactly the expected values (or be refused with the expected
//! error). An item with `"status": "known_failure"` is something the library does not handle yet: the test
//! asserts it still fails the way the manifest says, so that whoever fixes it is told to flip the status.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cccd::crypto::public_key::PublicKey;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::lds::LdsFile;
use cccd::lds::com::Com;
use cccd::lds::details::{DetailFields, Dg11, Dg12};
use cccd::lds::dg1::Dg1;
use cccd::lds::dg15::Dg15;
use cccd::lds::security_infos::{CardAccess, Dg14, SecurityInfoKind, SecurityInfos};
use cccd::lds::sod::Sod;
use der::{Decode, Encode};
use serde_json::{Map, Value, json};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn read(name: &str) -> Vec<u8> {
    let path = corpus_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("corpus file {} missing: {e}", path.display()))
}

fn manifest() -> Value {
    serde_json::from_slice(&read("manifest.json")).expect("manifest.json is JSON")
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("{v} is not a hex string"))).expect("hex")
}

/// What a checker saw: named values to compare with the manifest's `expected`.
type Observed = Map<String, Value>;

/// The codes of what a decoder tolerated (`padding`, `status_word`, `check_digit`, `unknown_version`, …).
fn warning_codes(warnings: &[cccd::lds::DecodeWarning]) -> Value {
    json!(warnings.iter().map(|w| w.kind.code()).collect::<Vec<_>>())
}

fn hexu(b: &[u8]) -> String {
    hex::encode_upper(b)
}

fn security_infos_observed(infos: &SecurityInfos, o: &mut Observed) {
    o.insert("count".into(), json!(infos.infos().len()));
    o.insert("protocols".into(), json!(infos.infos().iter().map(|i| i.protocol().to_string()).collect::<Vec<_>>()));
    o.insert("pace_infos".into(), json!(infos.pace_infos().count()));
    o.insert("pace_parameter_ids".into(), json!(infos.pace_infos().filter_map(|p| p.parameter_id).collect::<Vec<_>>()));
    o.insert("chip_authentication_infos".into(), json!(infos.chip_authentication_infos().count()));
    o.insert("chip_authentication_public_keys".into(), json!(infos.chip_authentication_public_keys().count()));
    o.insert(
        "chip_authentication_key_ids".into(),
        json!(infos.chip_authentication_public_keys().filter_map(|k| k.key_id).collect::<Vec<_>>()),
    );
    o.insert(
        "chip_authentication_domain_parameters".into(),
        json!(
            infos
                .infos()
                .iter()
                .filter(|i| matches!(i.kind(), SecurityInfoKind::ChipAuthenticationDomainParameter(_)))
                .count()
        ),
    );
    o.insert("terminal_authentication".into(), json!(infos.terminal_authentication().is_some()));
    o.insert(
        "unknown_infos".into(),
        json!(infos.infos().iter().filter(|i| matches!(i.kind(), SecurityInfoKind::Unknown { .. })).count()),
    );
}

fn detail_fields_observed(fields: &DetailFields, expected: &Value, o: &mut Observed) {
    let mut seen = Map::new();
    for tag in expected["fields"].as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
        let t = u32::from_str_radix(&tag, 16).expect("field tag in hex");
        seen.insert(tag, fields.text(t).map_or(Value::Null, |s| json!(s)));
    }
    o.insert("fields".into(), Value::Object(seen));
}

fn key_observed(key: &PublicKey, o: &mut Observed) {
    let algorithm = match key {
        PublicKey::Rsa { exponent, .. } => {
            o.insert("exponent".into(), json!(hexu(exponent.strip_prefix(&[0u8][..]).unwrap_or(exponent))));
            "rsa"
        }
        PublicKey::Ec { .. } => "ec",
        PublicKey::Dh { .. } => "dh",
        _ => "other",
    };
    o.insert("algorithm".into(), json!(algorithm));
    o.insert("bits".into(), json!(key.bits()));
}

/// The subject's common name of a certificate.
fn common_name(name: &x509_cert::name::Name) -> Option<String> {
    name.to_string().split(',').find_map(|rdn| rdn.trim().strip_prefix("CN=").map(str::to_owned))
}

/// The date Passive Authentication is checked as of (`pa_at`).
fn pa_date(expected: &Value) -> Option<time::Date> {
    expected["pa_at"]
        .as_str()
        .map(|d| time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).expect("pa_at date"))
}

fn sod_observed(bytes: &[u8], expected: &Value) -> Result<Observed, String> {
    let sod = Sod::decode(bytes).map_err(|e| e.to_string())?;
    let mut o = Observed::new();
    let lso = &sod.lds_security_object;
    o.insert("hash_algorithm".into(), json!(lso.hash_algorithm.oid.to_string()));
    o.insert("data_groups".into(), json!(lso.data_group_hashes.iter().map(|d| d.number).collect::<Vec<_>>()));
    o.insert("certificates".into(), json!(sod.certificates.len()));
    if let Some(si) = sod.signer_infos.first() {
        o.insert("signature_algorithm".into(), json!(si.signature_algorithm.oid.to_string()));
        let digest = si.signed_attributes.as_ref().and_then(|a| a.message_digest());
        o.insert("message_digest".into(), json!(digest.map(|d| hexu(&d))));
    }
    o.insert("econtent_type".into(), json!(sod.econtent_type.to_string()));
    o.insert("lds_version".into(), json!(lso.lds_version.as_ref().map(|(l, u)| vec![l.clone(), u.clone()])));
    if let Some(csca_id) = expected["pa_csca"].as_str() {
        // Passive Authentication of the SOD alone (no data group read) against the CSCA published with it.
        let csca = x509_cert::Certificate::from_der(&read(&format!("{csca_id}.bin"))).map_err(|e| e.to_string())?;
        let report = cccd::pa::verify_with_trust(bytes, &BTreeMap::new(), pa_date(expected), &[csca])
            .map_err(|e| e.to_string())?;
        o.insert("pa_csca".into(), json!(csca_id));
        o.insert("pa_at".into(), expected["pa_at"].clone());
        o.insert("pa_message_digest".into(), json!(report.message_digest.passed()));
        o.insert("pa_signature".into(), json!(report.signature.passed()));
        o.insert("pa_ds_certificate_validity".into(), json!(report.ds_certificate_validity.passed()));
        o.insert("pa_csca_chain".into(), json!(report.csca_chain.passed()));
    }
    if let Some(files) = expected["pa_files"].as_object() {
        let mut read_files = BTreeMap::new();
        for (name, id) in files {
            let file = LdsFile::from_name(name).unwrap_or_else(|| panic!("{name} is not an LDS file name"));
            read_files.insert(file, read(&format!("{}.bin", id.as_str().expect("corpus id"))));
        }
        o.insert("pa_files".into(), expected["pa_files"].clone());
        o.insert("pa_at".into(), expected["pa_at"].clone());
        let report = cccd::pa::verify(bytes, &read_files, pa_date(expected)).map_err(|e| e.to_string())?;
        let matched = report.data_groups.values().filter(|c| matches!(c, cccd::pa::HashCheck::Match)).count();
        o.insert("pa_present_hashes_match".into(), json!(matched == read_files.len()));
        o.insert("pa_message_digest".into(), json!(report.message_digest.passed()));
        o.insert("pa_signature".into(), json!(report.signature.passed()));
        o.insert("pa_ds_certificate_validity".into(), json!(report.ds_certificate_validity.passed()));
    }
    Ok(o)
}

/// The CMS SignedData of an EF.CardSecurity, its eContent's SecurityInfos and its Document Signer, taken apart
/// with the `cms` crate, independently of the library's own model (`lds::card_security`: the `_as_lds_file` item).
struct CardSecurityParts {
    econtent_type: String,
    digest_algorithm: String,
    infos: SecurityInfos,
    signer: x509_cert::Certificate,
    signed_attributes: Vec<u8>,
    signature_algorithm: spki::AlgorithmIdentifierOwned,
    signature: Vec<u8>,
}

fn card_security_parts(bytes: &[u8]) -> Result<CardSecurityParts, String> {
    use cms::cert::CertificateChoices;
    let ci = cms::content_info::ContentInfo::from_der(bytes).map_err(|e| e.to_string())?;
    if ci.content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
        return Err(format!("content type {} is not signed-data", ci.content_type));
    }
    let sd = cms::signed_data::SignedData::from_der(&ci.content.to_der().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let econtent = sd.encap_content_info.econtent.as_ref().ok_or("no eContent")?;
    let infos = CardAccess::decode(econtent.value()).map_err(|e| e.to_string())?.infos;
    let signer = sd
        .certificates
        .as_ref()
        .and_then(|c| {
            c.0.iter().find_map(|c| match c {
                CertificateChoices::Certificate(c) => Some(c.clone()),
                _ => None,
            })
        })
        .ok_or("no certificate")?;
    let si = sd.signer_infos.0.iter().next().ok_or("no signer info")?;
    Ok(CardSecurityParts {
        econtent_type: sd.encap_content_info.econtent_type.to_string(),
        digest_algorithm: sd.digest_algorithms.iter().next().map(|a| a.oid.to_string()).unwrap_or_default(),
        infos,
        signer,
        signed_attributes: si
            .signed_attrs
            .as_ref()
            .ok_or("no signed attributes")?
            .to_der()
            .map_err(|e| e.to_string())?,
        signature_algorithm: si.signature_algorithm.clone(),
        signature: si.signature.as_bytes().to_vec(),
    })
}

fn verify_certificate_signature(issuer_key: &PublicKey, cert: &x509_cert::Certificate) -> bool {
    let Ok(alg) = SignatureAlgorithm::from_algorithm_identifier(cert.signature_algorithm(), None) else { return false };
    let Ok(tbs) = cert.tbs_certificate().to_der() else { return false };
    alg.verify(issuer_key, &tbs, cert.signature().raw_bytes()).is_ok()
}

/// `openssl cms -verify -noverify`: the signature over the signed attributes, checked by an independent tool
/// (the chain is not: openssl refuses certificates with explicit EC parameters).
fn openssl_cms_signature_ok(file: &Path) -> bool {
    let status = std::process::Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-noverify", "-binary", "-out", "/dev/null", "-in"])
        .arg(file)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl must be installed (it is in .ci/run)");
    status.success()
}

fn card_security_observed(file: &str) -> Result<Observed, String> {
    let bytes = read(file);
    let parts = card_security_parts(&bytes)?;
    let mut o = Observed::new();
    o.insert("econtent_type".into(), json!(parts.econtent_type));
    o.insert("digest_algorithm".into(), json!(parts.digest_algorithm));
    security_infos_observed(&parts.infos, &mut o);
    o.insert("signer_cn".into(), json!(common_name(parts.signer.tbs_certificate().subject())));
    let key =
        PublicKey::from_spki(parts.signer.tbs_certificate().subject_public_key_info()).map_err(|e| e.to_string())?;
    let ours = SignatureAlgorithm::from_algorithm_identifier(&parts.signature_algorithm, None)
        .map_err(|e| e.to_string())?
        .verify(&key, &parts.signed_attributes, &parts.signature)
        .is_ok();
    o.insert("signature_verifies".into(), json!(ours));
    o.insert("openssl_signature_ok".into(), json!(openssl_cms_signature_ok(&corpus_dir().join(file))));
    Ok(o)
}

fn dg1_observed(bytes: &[u8]) -> Result<Observed, String> {
    let dg1 = Dg1::decode(bytes).map_err(|e| e.to_string())?;
    let mrz = dg1.mrz();
    // the MRZ as read (a wrong check digit stays as written; it is a warning)
    let lines = dg1.lines();
    let format = match (lines.len(), lines.first().map(String::len)) {
        (3, _) => "TD1",
        (2, Some(36)) => "TD2",
        (2, Some(44)) => "TD3",
        _ => "other",
    };
    let text = |s: &str| s.trim_end_matches('<').replace('<', " ").trim().to_owned();
    let mut o = Observed::new();
    o.insert("format".into(), json!(format));
    o.insert("mrz".into(), json!(lines.concat()));
    o.insert("document_code".into(), json!(text(mrz.document_code())));
    o.insert("issuing_state".into(), json!(text(mrz.issuing_state())));
    o.insert("document_number".into(), json!(mrz.document_number().trim_end_matches('<')));
    o.insert("date_of_birth".into(), json!(mrz.date_of_birth()));
    o.insert("date_of_expiry".into(), json!(mrz.date_of_expiry()));
    o.insert("nationality".into(), json!(text(mrz.nationality())));
    o.insert("optional_data".into(), json!(text(mrz.optional_data())));
    o.insert("primary_identifier".into(), json!(text(mrz.primary_identifier())));
    o.insert("secondary_identifier".into(), json!(text(mrz.secondary_identifier())));
    o.insert("warnings".into(), warning_codes(dg1.warnings()));
    o.insert("wrong_check_digits".into(), json!(dg1.wrong_check_digits().map(|f| f.to_string()).collect::<Vec<_>>()));
    Ok(o)
}

/// A Card Verifiable certificate (BSI TR-03110-3 Appendix C) taken apart with the library's BER-TLV reader (the
/// library has no CV certificate model yet), and the same fields as `cvc-print` (OpenPACE) reads them.
fn cv_certificate_observed(file: &str) -> Result<Observed, String> {
    use cccd::tlv::{Tag, TlvReader};
    let bytes = read(file);
    let e = |err: cccd::tlv::TlvError| err.to_string();
    let cert = TlvReader::single(&bytes, Tag::new(0x7F21)).map_err(e)?;
    let mut outer = cert.children();
    let body = outer.expect(Tag::new(0x7F4E)).map_err(e)?;
    let signature = outer.expect(Tag::new(0x5F37)).map_err(e)?;
    outer.finish().map_err(e)?;
    let mut o = Observed::new();
    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    let date = |v: &[u8]| v.iter().map(|d| char::from(b'0' + (d % 10))).collect::<String>();
    let mut fields = body.children();
    while !fields.is_empty() {
        let f = fields.read().map_err(e)?;
        match f.tag().to_bytes().as_slice() {
            [0x5F, 0x29] => drop(o.insert("profile".into(), json!(f.value().first()))),
            [0x42] => drop(o.insert("car".into(), json!(text(f.value())))),
            [0x5F, 0x20] => drop(o.insert("chr".into(), json!(text(f.value())))),
            [0x5F, 0x25] => drop(o.insert("effective".into(), json!(date(f.value())))),
            [0x5F, 0x24] => drop(o.insert("expiry".into(), json!(date(f.value())))),
            [0x65] => drop(o.insert("extensions".into(), json!(true))),
            [0x7F, 0x49] => {
                let mut key = f.children();
                let oid = key.expect(Tag::new(0x06)).map_err(e)?;
                let oid = const_oid::ObjectIdentifier::from_bytes(oid.value()).map_err(|e| e.to_string())?;
                o.insert("key_protocol".into(), json!(oid.to_string()));
                let mut domain_parameters = false;
                while !key.is_empty() {
                    domain_parameters |= key.read().map_err(e)?.tag() == Tag::new(0x81);
                }
                o.insert("domain_parameters".into(), json!(domain_parameters));
            }
            [0x7F, 0x4C] => {
                let mut chat = f.children();
                chat.expect(Tag::new(0x06)).map_err(e)?;
                let bits = chat.expect(Tag::new(0x53)).map_err(e)?;
                let role = match bits.value().first().map(|b| b >> 6) {
                    Some(3) => "CVCA",
                    Some(2) => "DV (official domestic)",
                    Some(1) => "DV (non-official / foreign)",
                    Some(0) => "terminal",
                    _ => "none",
                };
                o.insert("role".into(), json!(role));
            }
            _ => {}
        }
    }
    o.insert("signature_len".into(), json!(signature.value().len()));
    // The independent reading: OpenPACE's cvc-print (its trust-anchor and validity checks fail here, which is
    // expected without /etc/eac/cvc; the fields are printed anyway).
    let out = std::process::Command::new("cvc-print")
        .arg("--cvc")
        .arg(corpus_dir().join(file))
        .output()
        .expect("cvc-print (OpenPACE) must be installed (it is in .ci/run)");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = |key: &str| printed.lines().find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_owned()));
    let agrees = line("CAR:") == o.get("car").and_then(Value::as_str).map(str::to_owned)
        && line("CHR:") == o.get("chr").and_then(Value::as_str).map(str::to_owned);
    o.insert("cvc_print_agrees".into(), json!(agrees));
    Ok(o)
}

/// Runs one file item through the library; `Err` carries the library's error message.
fn check_file(item: &Value) -> Result<Observed, String> {
    let file = item["file"].as_str().expect("file");
    let bytes = read(file);
    let expected = &item["expected"];
    if item["kind"] == "CVCertificate" {
        return cv_certificate_observed(file);
    }
    let mut o = Observed::new();
    match item["kind"].as_str().expect("kind") {
        "EF.COM" => {
            let com = Com::decode(&bytes).map_err(|e| e.to_string())?;
            o.insert("lds_version".into(), json!(format!("{}.{}", com.lds_version.0, com.lds_version.1)));
            let (a, b, c) = com.unicode_version;
            o.insert("unicode_version".into(), json!(format!("{a}.{b}.{c}")));
            o.insert("data_groups".into(), json!(com.data_groups().iter().map(|f| f.name()).collect::<Vec<_>>()));
            o.insert("warnings".into(), warning_codes(&com.warnings));
        }
        "DG1" => return dg1_observed(&bytes),
        "DG11" => detail_fields_observed(&Dg11::decode(&bytes).map_err(|e| e.to_string())?.fields, expected, &mut o),
        "DG12" => detail_fields_observed(&Dg12::decode(&bytes).map_err(|e| e.to_string())?.fields, expected, &mut o),
        "EF.CardAccess" => {
            let infos = CardAccess::decode(&bytes).map_err(|e| e.to_string())?.infos;
            security_infos_observed(&infos, &mut o);
            o.insert("warnings".into(), warning_codes(infos.warnings()));
        }
        "DG14" => {
            let infos = Dg14::decode(&bytes).map_err(|e| e.to_string())?.infos;
            security_infos_observed(&infos, &mut o);
            o.insert("warnings".into(), warning_codes(infos.warnings()));
        }
        "DG15" => {
            let dg15 = Dg15::decode(&bytes).map_err(|e| e.to_string())?;
            o.insert("spki_len".into(), json!(dg15.spki().len()));
            key_observed(&dg15.public_key, &mut o);
        }
        "DG2" => {
            let dg2 = cccd::lds::dg2::Dg2::decode(&bytes).map_err(|e| e.to_string())?;
            o.insert("faces".into(), json!(dg2.faces().count()));
        }
        "DG7" => {
            let file = LdsFile::dg(7).expect("DG7");
            cccd::lds::raw::RawDataGroup::decode(file, &bytes).map_err(|e| e.to_string())?;
        }
        "EF.SOD" => return sod_observed(&bytes, expected),
        "EF.CardSecurity" if item["id"].as_str().is_some_and(|id| id.ends_with("_as_lds_file")) => {
            // The library's own model: EF.CardSecurity is FID 011D in the master file, decoded by
            // `lds::card_security`, its signature checked by `pa::verify_card_security` (no CSCA published: the
            // chain is not checked)
            let file = LdsFile::from_name("EF.CardSecurity").ok_or("no LDS file named EF.CardSecurity")?;
            o.insert("fid".into(), json!(format!("{:04X}", file.fid())));
            o.insert("in_master_file".into(), json!(file.in_master_file()));
            let cs = cccd::lds::card_security::CardSecurity::decode(&bytes).map_err(|e| e.to_string())?;
            security_infos_observed(&cs.security_infos, &mut o);
            o.insert("warnings".into(), warning_codes(cs.warnings()));
            let report = cccd::pa::verify_card_security(&bytes, &cccd::pa::TrustStore::new(), None)
                .map_err(|e| e.to_string())?;
            o.insert("message_digest".into(), json!(report.message_digest.passed()));
            o.insert("signature".into(), json!(report.signature.passed()));
        }
        "EF.CardSecurity" => return card_security_observed(file),
        "CSCA" => {
            let csca = x509_cert::Certificate::from_der(&bytes).map_err(|e| e.to_string())?;
            o.insert("subject_cn".into(), json!(common_name(csca.tbs_certificate().subject())));
            let key =
                PublicKey::from_spki(csca.tbs_certificate().subject_public_key_info()).map_err(|e| e.to_string())?;
            key_observed(&key, &mut o);
            if let Some(sod_id) = expected["issues_sod"].as_str() {
                // The CSCA's key verifies the signature on the SOD's Document Signer certificate.
                let sod = Sod::decode(&read(&format!("{sod_id}.bin"))).map_err(|e| e.to_string())?;
                if sod.certificates.first().is_some_and(|ds| verify_certificate_signature(&key, ds)) {
                    o.insert("issues_sod".into(), json!(sod_id));
                }
            }
            if let Some(signed) = expected["issues"].as_str() {
                let ds = card_security_parts(&read(&format!("{signed}.bin")))?.signer;
                if verify_certificate_signature(&key, &ds) {
                    o.insert("issues".into(), json!(signed));
                }
            }
        }
        other => panic!("unknown corpus kind {other}"),
    }
    Ok(o)
}

#[path = "corpus_support/exchanges.rs"]
mod exchanges;
use exchanges::check_exchange;

fn compare(id: &str, expected: &Value, observed: &Observed) {
    for (key, want) in expected.as_object().expect("expected is an object") {
        if key == "error_contains" {
            continue;
        }
        let got = observed.get(key).unwrap_or(&Value::Null);
        assert_eq!(got, want, "{id}: {key}");
    }
}

#[test]
fn every_corpus_item_gives_its_expected_outcome() {
    let manifest = manifest();
    let items = manifest["items"].as_array().expect("items");
    let (mut files, mut exchanges, mut known) = (0usize, 0usize, Vec::new());
    let mut failed = Vec::new();
    for item in items {
        let id = item["id"].as_str().expect("id");
        let exchange = item["kind"] == "exchange";
        // Every item is checked even when one fails, so that one run lists them all.
        if std::panic::catch_unwind(|| check_item(item, id, exchange)).map_err(|_| failed.push(id.to_owned())).ok()
            == Some(true)
        {
            known.push(id.to_owned());
        }
        if exchange {
            exchanges += 1;
        } else {
            files += 1;
        }
    }
    println!(
        "corpus: {files} files, {exchanges} exchanges checked ({} known failures: {})",
        known.len(),
        known.join(", ")
    );
    assert!(failed.is_empty(), "corpus items not as the manifest says: {}", failed.join(", "));
    assert!(files >= 30 && exchanges >= 3, "the corpus shrank: {files} files, {exchanges} exchanges");
}

/// Checks one item against the manifest (panics when it differs); `true` for a known failure that still fails.
fn check_item(item: &Value, id: &str, exchange: bool) -> bool {
    {
        let result = if exchange { check_exchange(item) } else { check_file(item) };
        let expected = &item["expected"];
        match item["status"].as_str().expect("status") {
            "passes" => match (item["outcome"].as_str().expect("outcome"), &result) {
                ("refused", Err(e)) => {
                    let want = expected["error_contains"].as_str().expect("error_contains");
                    assert!(e.contains(want), "{id}: refused with «{e}», expected an error containing «{want}»");
                    println!("refused as expected {id}: {e}");
                    false
                }
                ("refused", Ok(o)) => panic!("{id}: expected to be refused, decoded as {o:?}"),
                (_, Ok(o)) => {
                    compare(id, expected, o);
                    false
                }
                (_, Err(e)) => panic!("{id}: expected to pass, failed: {e}"),
            },
            "known_failure" => {
                let kf = &item["known_failure"];
                match (&result, kf["error_contains"].as_str(), kf["observed"].as_str()) {
                    (Err(e), Some(want), _) => {
                        assert!(
                            e.contains(want),
                            "{id}: a known failure now fails differently: «{e}» (the manifest says «{want}»)"
                        );
                        println!("known failure {id}: {e}");
                    }
                    (Ok(_), None, Some("decodes")) => println!("known failure {id}: accepted, should be refused"),
                    (r, _, _) => panic!(
                        "{id} is listed as a known failure ({}) but now gives {r:?}: check it against `expected` and \
                         flip its status to \"passes\" in tests/corpus/manifest.json",
                        kf["reason"]
                    ),
                }
                true
            }
            other => panic!("{id}: unknown status {other}"),
        }
    }
}

#[test]
fn every_corpus_file_is_in_the_manifest_with_its_source() {
    let manifest = manifest();
    let items = manifest["items"].as_array().expect("items");
    let mut listed = std::collections::BTreeSet::new();
    let mut ids = std::collections::BTreeSet::new();
    for item in items {
        let id = item["id"].as_str().expect("id");
        assert!(ids.insert(id.to_owned()), "{id} is listed twice");
        let file = item["file"].as_str().expect("file");
        assert!(corpus_dir().join(file).is_file(), "{id}: {file} is missing");
        listed.insert(file.to_owned());
        for key in ["repository", "path", "licence", "origin"] {
            assert!(item["source"][key].as_str().is_some_and(|s| !s.is_empty()), "{id}: source.{key} missing");
        }
        if item["status"] == "known_failure" {
            assert!(item["known_failure"]["reason"].as_str().is_some_and(|s| !s.is_empty()), "{id}: no reason");
        }
    }
    for entry in std::fs::read_dir(corpus_dir()).expect("tests/corpus") {
        let name = entry.expect("entry").file_name().into_string().expect("UTF-8 name");
        if name == "manifest.json" || name == "README.md" {
            continue;
        }
        assert!(listed.contains(&name), "tests/corpus/{name} is not in the manifest");
    }
    let readme = String::from_utf8(read("README.md")).expect("README is UTF-8");
    for id in &ids {
        assert!(readme.contains(id.as_str()), "tests/corpus/README.md does not describe {id}");
    }
}
