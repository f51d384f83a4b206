//! `cccd._native`: the extension module behind the Python package `cccd` (PyO3, abi3). The package's
//! `__init__.py` wraps these functions: it turns their JSON documents into typed results and adapts
//! transports; nothing here or there decides a verdict, which comes from the library's `Verifier`.
//!
//! Every function runs without the GIL (a Python transport takes it back for each APDU), catches Rust panics
//! (raised as `cccd.InternalError`) and raises the `cccd.errors` exception of the library's error kind.

mod chip;
mod docs;
mod error;
mod jobs;
mod reader;
mod transport;

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use serde_json::Value;

use crate::error::{Failure, guarded};
use crate::transport::Link;

/// A JSON value as Python objects (`dict`, `list`, `str`, `int`, `float`, `bool`, `None`).
pub(crate) fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for item in a {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => {
            let dict = PyDict::new(py);
            for (k, item) in o {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

fn trust(csca: Vec<PathBuf>, ml_anchor: Vec<PathBuf>, crl: Vec<PathBuf>, ds: Vec<PathBuf>) -> docs::Trust {
    docs::Trust { csca, ml_anchor, crl, ds }
}

/// Issues a chip image folder `out_dir` (which must not exist) from a citizen record (JSON text), a photo
/// (JPEG or PNG bytes) and a PKI folder (`ds.pem`, `ds.key`, `csca.pem`): the folder appears complete and
/// verified, or not at all; `hsm=(module, token, key label, PIN)` signs with the Document Signer key in a
/// PKCS#11 token instead of `ds.key`. Returns the issue document (`out`, `files`, `bytes`, `has_secrets`) and the
/// warnings on the record and the Document Signer.
#[pyfunction]
#[pyo3(signature = (record_json, photo, pki_dir, out_dir, *, chip_curve="brainpoolP256r1".to_string(), aa_rsa_bits=None, face_bytes=15_000, profile="open".to_string(), hsm=None))]
#[allow(clippy::too_many_arguments)]
fn issue<'py>(
    py: Python<'py>,
    record_json: String,
    photo: Vec<u8>,
    pki_dir: PathBuf,
    out_dir: PathBuf,
    chip_curve: String,
    aa_rsa_bits: Option<usize>,
    face_bytes: usize,
    profile: String,
    hsm: Option<(PathBuf, String, String, String)>,
) -> PyResult<(Bound<'py, PyAny>, Vec<String>)> {
    let hsm = hsm.map(|(module, token, key, pin)| jobs::Hsm { module, token, key, pin: zeroize::Zeroizing::new(pin) });
    let settings = jobs::IssueSettings { chip_curve, aa_rsa_bits, face_bytes, profile, hsm };
    let (doc, warnings) = jobs::issue(py, record_json, photo, pki_dir, out_dir, settings)?;
    Ok((to_py(py, &doc)?, warnings))
}

/// `cccd verify --json`'s document for a chip image folder, against the trust material given.
#[pyfunction]
#[pyo3(signature = (image_dir, *, csca=Vec::new(), ml_anchor=Vec::new(), crl=Vec::new(), ds=Vec::new(), at=None))]
fn verify<'py>(
    py: Python<'py>,
    image_dir: PathBuf,
    csca: Vec<PathBuf>,
    ml_anchor: Vec<PathBuf>,
    crl: Vec<PathBuf>,
    ds: Vec<PathBuf>,
    at: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let doc = docs::verify(py, image_dir, trust(csca, ml_anchor, crl, ds), at)?;
    to_py(py, &doc)
}

/// Reads and verifies the chip behind `transport` (a PC/SC reader name, a `VirtualChip`, or an object with
/// `transmit(bytes) -> bytes`): `cccd read --json`'s document and `{file name: bytes}` of the files read.
#[pyfunction]
#[pyo3(signature = (transport, *, can=None, mrz=None, access=None, csca=Vec::new(), ml_anchor=Vec::new(), crl=Vec::new(), ds=Vec::new(), at=None, wait=10.0))]
#[allow(clippy::too_many_arguments)]
fn read<'py>(
    py: Python<'py>,
    transport: &Bound<'py, PyAny>,
    can: Option<String>,
    mrz: Option<String>,
    access: Option<String>,
    csca: Vec<PathBuf>,
    ml_anchor: Vec<PathBuf>,
    crl: Vec<PathBuf>,
    ds: Vec<PathBuf>,
    at: Option<String>,
    wait: f64,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let key = guarded(py, || match (can, mrz) {
        (Some(can), None) => Ok(docs::Key::Can(can)),
        (None, Some(mrz)) => Ok(docs::Key::Mrz(mrz)),
        _ => Err(Failure::input("read", "give exactly one of can= and mrz=")),
    })?;
    let link = guarded(py, || Link::from_object(transport, wait))?;
    let (doc, files) = docs::read(py, link, key, access, trust(csca, ml_anchor, crl, ds), at)?;
    read_output(py, &doc, files)
}

/// A read's document and its files as Python objects.
pub(crate) fn read_output<'py>(
    py: Python<'py>,
    doc: &Value,
    files: docs::Files,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
    let out = PyDict::new(py);
    for (name, bytes) in files {
        out.set_item(name, PyBytes::new(py, &bytes))?;
    }
    Ok((to_py(py, doc)?, out))
}

/// Personalizes the chip behind `transport` with the chip image folder `image_dir`: writes it, verifies it
/// with a reader session, then locks it. Returns `cccd perso --json`'s document; when it stops, the
/// exception's `details` are that document of the failed run (`locked`, `holds_this_image`, `state`,
/// `bytes_written`, `error`, `run_again`). `progress(step, file, bytes_written, bytes_total)` is called as it
/// goes (what it raises is reported as unraisable and does not stop the run).
#[pyfunction]
#[pyo3(signature = (transport, image_dir, *, transport_key=None, profile="open".to_string(), wait=10.0, progress=None))]
fn personalize<'py>(
    py: Python<'py>,
    transport: &Bound<'py, PyAny>,
    image_dir: PathBuf,
    transport_key: Option<&Bound<'py, PyAny>>,
    profile: String,
    wait: f64,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let key = guarded(py, || transport_key.map(chip::transport_key).transpose())?;
    let link = guarded(py, || Link::from_object(transport, wait))?;
    match jobs::personalize(py, link, image_dir, key, profile, progress)? {
        Ok(doc) => to_py(py, &doc),
        Err(stopped) => {
            let err = stopped.failure.into_pyerr(py);
            let _ = err.value(py).setattr("details", to_py(py, &stopped.details)?);
            Err(err)
        }
    }
}

/// One item of `cccd inspect --json` for a file's bytes: `{path, ok, content}` or `{path, ok: false,
/// error}`; `tree=True` gives the BER-TLV tree instead.
#[pyfunction]
#[pyo3(signature = (name, data, *, tree=false))]
fn inspect<'py>(py: Python<'py>, name: String, data: Vec<u8>, tree: bool) -> PyResult<Bound<'py, PyAny>> {
    let doc = docs::inspect(py, name, data, tree)?;
    to_py(py, &doc)
}

/// The card's QR payload text for a citizen record (JSON text), in the `"2021"` or `"2024"` layout.
#[pyfunction]
#[pyo3(signature = (record_json, *, layout="2024".to_string()))]
fn qr_encode(py: Python<'_>, record_json: String, layout: String) -> PyResult<String> {
    docs::qr_encode(py, record_json, layout)
}

/// The QR code of a payload text as PNG bytes (`svg=False`) or SVG text bytes (`svg=True`).
#[pyfunction]
#[pyo3(signature = (text, *, svg=false, module_px=8, ec="M".to_string()))]
fn qr_render<'py>(
    py: Python<'py>,
    text: String,
    svg: bool,
    module_px: u32,
    ec: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = docs::qr_render(py, text, svg, module_px, ec)?;
    Ok(PyBytes::new(py, &bytes))
}

/// A QR payload text decoded: the citizen record's field names (`cccd qr decode --json`'s `payload`).
#[pyfunction]
fn qr_parse<'py>(py: Python<'py>, text: String) -> PyResult<Bound<'py, PyAny>> {
    let doc = docs::qr_parse(py, text)?;
    to_py(py, &doc)
}

/// The texts of the QR codes found in a photo or scan (PNG or JPEG bytes).
#[pyfunction]
fn qr_scan(py: Python<'_>, image: Vec<u8>) -> PyResult<Vec<String>> {
    docs::qr_scan(py, image)
}

/// Raises `cccd.InternalError` from a Rust panic: shows that no panic crosses into Python (tests).
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    guarded(py, || -> Result<(), Failure> { panic!("a panic raised on purpose by _panic_for_tests") })
}

/// Whether this build signs with keys in PKCS#11 tokens (the `pkcs11` feature).
#[pyfunction]
fn has_pkcs11() -> bool {
    cfg!(feature = "pkcs11")
}

/// Whether this build reads PC/SC readers by name (the `pcsc` feature).
#[pyfunction]
fn has_pcsc() -> bool {
    cfg!(feature = "pcsc")
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<chip::PyVirtualChip>()?;
    m.add_class::<chip::VpcdServer>()?;
    m.add_class::<reader::PyReader>()?;
    m.add_function(wrap_pyfunction!(issue, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(personalize, m)?)?;
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(qr_encode, m)?)?;
    m.add_function(wrap_pyfunction!(qr_render, m)?)?;
    m.add_function(wrap_pyfunction!(qr_parse, m)?)?;
    m.add_function(wrap_pyfunction!(qr_scan, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(has_pcsc, m)?)?;
    m.add_function(wrap_pyfunction!(has_pkcs11, m)?)?;
    Ok(())
}
