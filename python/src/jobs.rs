//! `issue` and `personalize`: a chip image folder from a record, a photo and a PKI folder; a chip written,
//! verified by a reader session and locked.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cccd::batch::ChipRecipe;
use cccd::batch::{FolderTrust, publish};
use cccd::citizen::{CitizenRecord, RawRecord, Severity};
use cccd::image::ChipImage;
use cccd::perso::{JmrtdAppletProfile, OpenEmrtdProfile, PersoError, PersoProfile, Personalizer};
use cccd::pki::{DocumentSigner, RsaSoftwareKey, SoftwareKey};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::error::{Class, Failure, run};
use crate::transport::Link;

/// A citizen record (JSON text), checked leniently: every problem of every field at once; errors refuse it,
/// warnings come back.
pub fn parse_record(text: &str) -> Result<(CitizenRecord, Vec<String>), Failure> {
    let raw = RawRecord::from_json(text).map_err(|e| Failure::input("record", format!("not a citizen record: {e}")))?;
    let check = raw.check();
    let problems = check.problems();
    let warnings = problems.iter().filter(|p| p.severity == Severity::Warning).map(ToString::to_string).collect();
    match check.record {
        Some(record) => Ok((record, warnings)),
        None => {
            let errors: Vec<String> =
                problems.iter().filter(|p| p.severity == Severity::Error).map(ToString::to_string).collect();
            Err(Failure::input("record", errors.join("; ")))
        }
    }
}

fn pem_file(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Failure> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Failure::io(path, &e))?);
    let (_, der) = cccd::pki::pem_decode(&text).map_err(|e| Failure::input(path.display(), e))?;
    Ok(der)
}

/// The Document Signer of a PKI folder (`cccd pki init`): `ds.pem` and `ds.key` (EC or RSA, PEM); and its
/// `csca.pem` when there.
pub fn load_pki(dir: &Path) -> Result<(DocumentSigner, Option<x509_cert::Certificate>), Failure> {
    use der::Decode;
    let cert = pem_file(&dir.join("ds.pem"))?;
    let key_path = dir.join("ds.key");
    let key_pem = zeroize::Zeroizing::new(std::fs::read_to_string(&key_path).map_err(|e| Failure::io(&key_path, &e))?);
    let key: Arc<dyn cccd::pki::Signer> = match SoftwareKey::from_pem(&key_pem) {
        Ok(k) => Arc::new(k),
        Err(ec) => Arc::new(RsaSoftwareKey::from_pem_with_scheme(&key_pem).map_err(|rsa| {
            Failure::input(key_path.display(), format!("neither an EC key ({ec}) nor an RSA key ({rsa})"))
        })?),
    };
    let ds = DocumentSigner::new(cert.to_vec(), key).map_err(|e| Failure::input(dir.display(), e))?;
    let csca_path = dir.join("csca.pem");
    let csca = match csca_path.exists() {
        true => Some(
            x509_cert::Certificate::from_der(&pem_file(&csca_path)?)
                .map_err(|e| Failure::input(csca_path.display(), e))?,
        ),
        false => None,
    };
    Ok((ds, csca))
}

/// How `issue` makes the chip.
pub struct IssueSettings {
    /// The curve of the chip's Chip and Active Authentication keys.
    pub chip_curve: String,
    /// RSA Active Authentication of this many bits instead of ECDSA.
    pub aa_rsa_bits: Option<usize>,
    /// The face JPEG's byte budget.
    pub face_bytes: usize,
    /// `open` or `jmrtd-applet`.
    pub profile: String,
}

fn recipe(s: &IssueSettings) -> Result<ChipRecipe, Failure> {
    let chip_curve = cccd::crypto::ec::NamedCurve::from_name(&s.chip_curve)
        .ok_or_else(|| Failure::input("chip_curve", format!("{:?} is not a curve cccd knows", s.chip_curve)))?;
    if let Some(bits) = s.aa_rsa_bits
        && (!(1024..=4096).contains(&bits) || bits % 8 != 0)
    {
        return Err(Failure::input("aa_rsa_bits", format!("RSA-{bits}: 1024 to 4096 bits, whole bytes")));
    }
    let face = cccd::face::FaceOptions { max_bytes: s.face_bytes, ..Default::default() };
    match s.profile.as_str() {
        "open" => Ok(ChipRecipe { face, chip_curve, aa_rsa_bits: s.aa_rsa_bits, ..ChipRecipe::default() }),
        "jmrtd-applet" => Ok(ChipRecipe {
            face,
            chip_curve,
            aa_rsa_bits: Some(s.aa_rsa_bits.unwrap_or(1024)),
            ca_dh: None,
            options: cccd::issuance::IssueOptions::jmrtd_applet(),
        }),
        other => Err(Failure::input("profile", format!("{other:?} is neither \"open\" nor \"jmrtd-applet\""))),
    }
}

/// Issues a chip image folder and returns the issue document.
pub fn issue(
    py: Python<'_>,
    record_json: String,
    photo: Vec<u8>,
    pki_dir: PathBuf,
    out_dir: PathBuf,
    settings: IssueSettings,
) -> PyResult<Value> {
    run(py, move || {
        let (record, mut warnings) = parse_record(&record_json)?;
        let recipe = recipe(&settings)?;
        let (ds, csca) = load_pki(&pki_dir)?;
        cccd::issuance::check_document_signer(&ds, None)
            .map_err(|e| Failure::input(pki_dir.join("ds.pem").display(), e))?;
        if out_dir.exists() {
            return Err(Failure::input(out_dir.display(), "already exists"));
        }
        if let Some(parent) = out_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Failure::io(parent, &e))?;
        }
        warnings.extend(cccd::issuance::issue_warnings(&record, &ds, csca.as_ref()).iter().map(ToString::to_string));
        let image = recipe.issue(&record, &photo, &ds).map_err(|e| Failure::input("issue", e))?;
        let trust = FolderTrust { ds: &ds, csca: csca.as_ref() };
        publish(&image, &out_dir, &trust, false).map_err(|e| Failure::input(out_dir.display(), e))?;
        let files: Vec<Value> =
            image.files.iter().map(|(f, b)| json!({ "file": f.name(), "length": b.len() })).collect();
        Ok(json!({
            "schema_version": 1,
            "command": "issue",
            "out": out_dir.display().to_string(),
            "files": files,
            "bytes": image.files.values().map(Vec::len).sum::<usize>(),
            "warnings": warnings,
        }))
    })
}

/// What `personalize` reports when it stopped: the chip's state, for the exception's `details`.
pub struct PersoStopped {
    /// The error.
    pub failure: Failure,
    /// `{"locked", "holds_this_image", "bytes_written", "run_again", "unsupported"?}`.
    pub details: Value,
}

/// Personalizes the chip behind `link` with `image_dir`: the perso document, or why it stopped with what the
/// chip is.
pub fn personalize(
    py: Python<'_>,
    mut link: Link,
    image_dir: PathBuf,
    transport_key: Option<[u8; 16]>,
    profile: String,
) -> PyResult<Result<Value, PersoStopped>> {
    run(py, move || {
        let image = ChipImage::load_dir(&image_dir).map_err(|e| Failure::Lib(e.into()))?;
        let profile: Box<dyn PersoProfile> = match (profile.as_str(), transport_key) {
            ("jmrtd-applet", _) => Box::new(JmrtdAppletProfile::new()),
            ("open", Some(key)) => Box::new(OpenEmrtdProfile::new(key)),
            ("open", None) => return Err(Failure::input("personalize", "the open profile needs transport_key")),
            (other, _) => {
                return Err(Failure::input("profile", format!("{other:?} is neither \"open\" nor \"jmrtd-applet\"")));
            }
        };
        let started = std::time::Instant::now();
        let mut personalizer = Personalizer::new(&*profile, &image);
        let result = personalizer.run(&mut link);
        let status = personalizer.chip_status();
        let chip = serde_json::to_value(status).unwrap_or_default();
        match result {
            Ok(r) => {
                let mut v = json!({
                    "schema_version": 1,
                    "command": "perso",
                    "locked": true,
                    "already_locked": r.already_locked,
                    "holds_this_image": true,
                    "chip": chip,
                    "apdus": r.apdus,
                    "bytes_written": r.bytes_written,
                    "files_kept": r.files_kept,
                    "verified_with": r.reader_access,
                    "milliseconds": started.elapsed().as_millis() as u64,
                });
                if let Some(verification) = &r.verification {
                    crate::docs::add_verification(&mut v, verification);
                }
                Ok(Ok(v))
            }
            Err(e) => {
                let run_again = matches!(e, PersoError::Transport(_) | PersoError::SecureMessaging(_));
                let mut details = json!({
                    "locked": status.locked,
                    "holds_this_image": status.holds_this_image,
                    "bytes_written": status.bytes_written,
                    "run_again": run_again,
                });
                if let PersoError::Unsupported { reasons, .. } = &e {
                    details["unsupported"] = reasons.iter().map(ToString::to_string).collect();
                }
                let failure = match &e {
                    PersoError::Verification(why) => {
                        Failure::new(Class::VerificationError, format!("verification failed, chip not locked: {why}"))
                    }
                    _ => link.explain(cccd::Error::from(e)),
                };
                Ok(Err(PersoStopped { failure, details }))
            }
        }
    })
}
