//! `issue` and `personalize`: a chip image folder from a record, a photo and a PKI folder; a chip written,
//! verified by a reader session and locked.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cccd::batch::ChipRecipe;
use cccd::batch::{FolderTrust, publish};
use cccd::citizen::{CitizenRecord, RawRecord, Severity};
use cccd::image::ChipImage;
use cccd::perso::{JmrtdAppletProfile, OpenEmrtdProfile, PersoError, PersoProfile, Personalizer};
use cccd::pki::DocumentSigner;
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
            // every problem by field and code, as `cccd validate --json` names them (never the values)
            let listed: Vec<Value> = problems
                .iter()
                .map(|p| {
                    let severity = if p.severity == Severity::Error { "error" } else { "warning" };
                    json!({ "field": p.field, "code": p.kind.code(), "severity": severity, "message": p.to_string() })
                })
                .collect();
            Err(Failure::Detailed {
                class: Class::InvalidInput,
                message: format!("record: {}", errors.join("; ")),
                details: json!({ "problems": listed }),
            })
        }
    }
}

/// The Document Signer of a PKI folder (`ds.pem`, `ds.key`) and its `csca.pem` when there, as `cccd issue`
/// loads them.
/// and with `hsm` the Document Signer key in that PKCS#11 token instead of `ds.key`.
pub fn load_pki(dir: &Path, hsm: Option<&Hsm>) -> Result<(DocumentSigner, Option<x509_cert::Certificate>), Failure> {
    let input = |e: cccd::pki::folder::PkiFolderError| Failure::new(Class::InvalidInput, e.to_string());
    let key = match hsm {
        None => None,
        Some(h) => Some(h.open()?),
    };
    let ds = cccd::pki::folder::load_document_signer(dir, key).map_err(input)?;
    Ok((ds, cccd::pki::folder::load_csca(dir).map_err(input)?))
}

/// A Document Signer key in a PKCS#11 token: the module, the token's label, the key's label and the user PIN
/// (zeroized; never in a message).
pub struct Hsm {
    /// The PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`).
    pub module: PathBuf,
    /// The token's label.
    pub token: String,
    /// The key's label.
    pub key: String,
    /// The user PIN.
    pub pin: zeroize::Zeroizing<String>,
}

impl Hsm {
    #[cfg(feature = "pkcs11")]
    fn open(&self) -> Result<Arc<dyn cccd::pki::Signer>, Failure> {
        let key = cccd::pki::pkcs11::Pkcs11Key::open(&self.module, &self.token, &self.pin, &self.key)
            .map_err(|e| Failure::input("PKCS#11 token", e))?;
        Ok(Arc::new(key))
    }

    #[cfg(not(feature = "pkcs11"))]
    fn open(&self) -> Result<Arc<dyn cccd::pki::Signer>, Failure> {
        let _ = (&self.module, &self.token, &self.key, &self.pin);
        Err(Failure::input("hsm", "this cccd was built without PKCS#11 (feature pkcs11)"))
    }
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
    /// The Document Signer key in a PKCS#11 token instead of `ds.key`.
    pub hsm: Option<Hsm>,
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

/// Issues a chip image folder: the library's issue document, and the warnings on the record and the Document
/// Signer.
pub fn issue(
    py: Python<'_>,
    record_json: String,
    photo: Vec<u8>,
    pki_dir: PathBuf,
    out_dir: PathBuf,
    settings: IssueSettings,
) -> PyResult<(Value, Vec<String>)> {
    run(py, move || {
        let (record, mut warnings) = parse_record(&record_json)?;
        let recipe = recipe(&settings)?;
        let (ds, csca) = load_pki(&pki_dir, settings.hsm.as_ref())?;
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
        Ok((cccd::json::issue(&out_dir.display().to_string(), &image), warnings))
    })
}

/// What `personalize` reports when it stopped: the error, and the perso document (what the chip is left as)
/// for the exception's `details`.
pub struct PersoStopped {
    /// The error.
    pub failure: Failure,
    /// `cccd perso --json`'s document of the failed run (`locked`, `holds_this_image`, `state`,
    /// `bytes_written`, `error`, `run_again`, ...).
    pub details: Value,
}

/// Personalizes the chip behind `link` with `image_dir`: `cccd perso --json`'s document, or why it stopped
/// with that document.
pub fn personalize(
    py: Python<'_>,
    mut link: Link,
    image_dir: PathBuf,
    transport_key: Option<[u8; 16]>,
    profile: String,
    progress: Option<Py<PyAny>>,
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
        let mut personalizer = Personalizer::new(&*profile, &image).on_progress(|p| {
            // the caller's callback, with the GIL; what it raises is reported as unraisable, never stops the chip
            if let Some(callback) = &progress {
                Python::attach(|py| {
                    let args = (p.step, p.file.as_deref(), p.bytes_written, p.bytes_total);
                    if let Err(e) = callback.bind(py).call1(args) {
                        e.write_unraisable(py, Some(callback.bind(py)));
                    }
                });
            }
        });
        let result = personalizer.run(&mut link);
        let status = personalizer.chip_status();
        drop(personalizer);
        let doc = cccd::json::perso(&result, status, started.elapsed().as_millis() as u64);
        match result {
            Ok(_) => Ok(Ok(doc)),
            Err(e) => {
                // a read-back that ran and did not verify is a VerificationError; anything else (the reader
                // session's own failure, the chip, the transport, the input) is the library's kind
                let failure = match &e {
                    PersoError::NotGenuine(_) | PersoError::ReadBackDiffers { .. } => {
                        Failure::new(Class::VerificationError, e.to_string())
                    }
                    _ => link.explain(cccd::Error::from(e)),
                };
                Ok(Err(PersoStopped { failure, details: doc }))
            }
        }
    })
}
