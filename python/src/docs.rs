//! `verify`, `read`, `inspect` and the QR code: the library's JSON documents (`cccd::json`, the same the CLI
//! prints with `--json` and the C ABI returns). The verdict in them is the library's [`Verifier`]'s.

use std::path::PathBuf;

use cccd::image::ChipImage;
use cccd::pa::{MasterListPolicy, TrustStore};
use cccd::reader::{AccessControl, Reader};
use cccd::verify::{Policy, Verifier};
use pyo3::prelude::*;
use serde_json::Value;

use crate::error::{Failure, run};
use crate::transport::Link;

/// Trust material: CSCA certificates, folders of them or master lists; anchors for master lists; CRLs;
/// Document Signer certificates for SODs without theirs. As `cccd verify`'s `--csca`, `--ml-anchor`, `--crl`,
/// `--ds`.
#[derive(Debug, Default, Clone)]
pub struct Trust {
    /// `--csca`.
    pub csca: Vec<PathBuf>,
    /// `--ml-anchor`.
    pub ml_anchor: Vec<PathBuf>,
    /// `--crl`.
    pub crl: Vec<PathBuf>,
    /// `--ds`.
    pub ds: Vec<PathBuf>,
}

impl Trust {
    /// The trust store, master lists checked as of `at`.
    pub fn load(&self, at: Option<time::Date>) -> Result<TrustStore, Failure> {
        let mut store = TrustStore::new();
        let lib = |e: cccd::pa::TrustError| Failure::Lib(e.into());
        if !self.ml_anchor.is_empty() {
            let mut anchors = TrustStore::new();
            anchors.set_master_list_policy(MasterListPolicy::Unchecked);
            for path in &self.ml_anchor {
                anchors.add_path(path).map_err(lib)?;
            }
            store.set_master_list_policy(MasterListPolicy::Anchored { anchors: anchors.cscas().to_vec(), at });
        }
        for path in &self.csca {
            store.add_path(path).map_err(lib)?;
        }
        for path in &self.crl {
            store.add_crl_path(path).map_err(lib)?;
        }
        for path in &self.ds {
            let bytes = std::fs::read(path).map_err(|e| Failure::io(path, &e))?;
            store.add_document_signer_bytes(&bytes).map_err(lib)?;
        }
        Ok(store)
    }
}

/// A `YYYY-MM-DD` date.
pub fn date(text: Option<&str>) -> Result<Option<time::Date>, Failure> {
    text.map(|d| {
        time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| Failure::input("at", "not a YYYY-MM-DD date"))
    })
    .transpose()
}

/// `cccd verify`'s document for a chip image folder ([`cccd::emulator::verify_image`]: with the image's
/// secrets, its virtual chip read as a card is, so Chip and Active Authentication run; a folder of files only
/// verified as files).
pub fn verify(py: Python<'_>, image_dir: PathBuf, trust: Trust, at: Option<String>) -> PyResult<Value> {
    run(py, move || {
        let image = ChipImage::load_dir(&image_dir).map_err(|e| Failure::Lib(e.into()))?;
        let at = date(at.as_deref())?;
        let store = trust.load(at)?;
        let verifier = Verifier::new(&store, Policy::counter()).at(at);
        let checked = cccd::emulator::verify_image(&image, &verifier)
            .map_err(|e| Failure::input(image_dir.display(), format!("reading the image's virtual chip: {e}")))?;
        Ok(cccd::json::verify(&checked.verification, checked.session, checked.access))
    })
}

/// What opens the chip for `read`.
pub enum Key {
    /// The CAN (PACE).
    Can(String),
    /// The MRZ as printed (BAC, or PACE with `access`).
    Mrz(String),
}

/// The files of a read, by name.
pub type Files = Vec<(String, Vec<u8>)>;

/// The access control `key` and `access` ask for, as `cccd read` chooses it: the CAN for PACE; the MRZ for
/// PACE when EF.CardAccess offers it, else BAC (the result says which ran), unless `access` says.
pub fn access_control(key: Key, access: Option<&str>) -> Result<AccessControl, Failure> {
    use cccd::access::bac::BacKey;
    use cccd::access::pace::PacePassword;
    let lib = |e: cccd::access::AccessError| Failure::Lib(e.into());
    Ok(match (key, access) {
        (Key::Can(_), Some("bac")) => return Err(Failure::input("access", "BAC needs the MRZ; the CAN is for PACE")),
        (Key::Can(can), None | Some("pace" | "pace-then-bac")) => {
            AccessControl::Pace(PacePassword::can(&can).map_err(lib)?)
        }
        (Key::Mrz(text), access @ (None | Some("bac" | "pace" | "pace-then-bac"))) => {
            let info = cccd::mrz::access_key_from_text(&text).map_err(|e| Failure::Lib(e.into()))?;
            let bac = BacKey::from_mrz_information(&info);
            match access {
                Some("bac") => AccessControl::Bac(bac),
                Some("pace") => AccessControl::Pace(PacePassword::Mrz(info)),
                _ => AccessControl::PaceThenBac(PacePassword::Mrz(info), bac),
            }
        }
        (_, Some(other)) => return Err(Failure::input("access", format!("{other:?}: bac, pace or pace-then-bac"))),
    })
}

/// Reads (or goes on reading) the chip behind `link` with `reader` and verifies it: `cccd read`'s document
/// and the files read. After a pulled card the same `reader` resumes where it stopped.
pub fn read_with(
    reader: &mut Reader,
    link: &mut Link,
    trust: &Trust,
    at: Option<&str>,
) -> Result<(Value, Files), Failure> {
    let at = date(at)?;
    let store = trust.load(at)?;
    let result = reader.read(link).map_err(|e| link.explain(cccd::Error::from(e)))?;
    let verification = Verifier::new(&store, Policy::counter()).at(at).verify_read(&result);
    let doc = cccd::json::read(&result, &verification, &store);
    let files = result.files.iter().map(|(f, b)| (f.name().to_string(), b.clone())).collect();
    Ok((doc, files))
}

/// Reads the chip behind `link` and verifies it: `cccd read`'s document and the files read.
pub fn read(
    py: Python<'_>,
    mut link: Link,
    key: Key,
    access: Option<String>,
    trust: Trust,
    at: Option<String>,
) -> PyResult<(Value, Files)> {
    run(py, move || {
        let mut reader = Reader::new(access_control(key, access.as_deref())?);
        read_with(&mut reader, &mut link, &trust, at.as_deref())
    })
}

/// One item of `cccd inspect --json` (`{path, ok, content}` or `{path, ok: false, error}`).
pub fn inspect(py: Python<'_>, name: String, bytes: Vec<u8>, tree: bool) -> PyResult<Value> {
    run(py, move || Ok(if tree { cccd::json::inspect_tree(&name, &bytes) } else { cccd::json::inspect(&name, &bytes) }))
}

/// The QR payload of a record (its text).
pub fn qr_encode(py: Python<'_>, record_json: String, layout: String) -> PyResult<String> {
    run(py, move || {
        let (record, _) = crate::jobs::parse_record(&record_json)?;
        let layout = match layout.as_str() {
            "2021" => cccd::qr::QrLayout::V2021,
            "2024" => cccd::qr::QrLayout::V2024,
            other => return Err(Failure::input("layout", format!("{other:?}: \"2021\" or \"2024\""))),
        };
        let payload = cccd::qr::QrPayload::from_record(&record, layout);
        payload.validate().map_err(|e| Failure::Lib(e.into()))?;
        Ok(payload.build())
    })
}

/// A QR payload's text, decoded (`cccd::json::qr_payload`).
pub fn qr_parse(py: Python<'_>, text: String) -> PyResult<Value> {
    run(py, move || {
        let p = cccd::qr::QrPayload::parse(&text).and_then(|p| p.validate().map(|()| p));
        Ok(cccd::json::qr_payload(&p.map_err(|e| Failure::Lib(e.into()))?))
    })
}

/// The texts of the QR codes in a photo or scan (PNG, JPEG).
pub fn qr_scan(py: Python<'_>, image: Vec<u8>) -> PyResult<Vec<String>> {
    run(py, move || cccd::qr::scan_image(&image).map_err(|e| Failure::Lib(e.into())))
}

/// The QR code of `text` as PNG bytes or SVG text.
pub fn qr_render(py: Python<'_>, text: String, svg: bool, module_px: u32, ec: String) -> PyResult<Vec<u8>> {
    run(py, move || {
        let ec = match ec.as_str() {
            "L" => cccd::qr::EcLevel::L,
            "M" => cccd::qr::EcLevel::M,
            "Q" => cccd::qr::EcLevel::Q,
            "H" => cccd::qr::EcLevel::H,
            other => return Err(Failure::input("ec", format!("{other:?}: L, M, Q or H"))),
        };
        let size = cccd::qr::QrSize::ModulePixels(module_px);
        let options = cccd::qr::RenderOptions { ec_level: ec, size, ..Default::default() };
        let lib = |e: cccd::qr::QrError| Failure::Lib(e.into());
        if svg {
            Ok(cccd::qr::render_svg(&text, &options).map_err(lib)?.into_bytes())
        } else {
            cccd::qr::render_png(&text, &options).map_err(lib)
        }
    })
}
