//! `cccd.Reader`: a reader session that keeps its progress, so that a read interrupted by a pulled card
//! (`CardRemoved`) goes on where it stopped when called again, without reading a byte twice (the library's
//! [`cccd::reader::Reader`]).

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::docs::{self, Key, Trust};
use crate::error::{Failure, guarded, run};
use crate::transport::Link;

/// A reader of one chip that keeps its progress across interruptions: `read()` again after `CardRemoved`
/// (the card back on the reader) resumes, reading nothing twice.
#[pyclass(name = "Reader", module = "cccd._native", frozen)]
pub struct PyReader {
    reader: Mutex<cccd::reader::Reader>,
}

impl PyReader {
    fn lock(&self) -> std::sync::MutexGuard<'_, cccd::reader::Reader> {
        self.reader.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[pymethods]
impl PyReader {
    /// A reader opening the chip with the CAN (PACE) or the MRZ (PACE when offered, else BAC; `access`:
    /// `"bac"`, `"pace"` or `"pace-then-bac"`), as `cccd.read` does.
    #[new]
    #[pyo3(signature = (*, can=None, mrz=None, access=None))]
    fn new(py: Python<'_>, can: Option<String>, mrz: Option<String>, access: Option<String>) -> PyResult<Self> {
        guarded(py, || {
            let key = match (can, mrz) {
                (Some(can), None) => Key::Can(can),
                (None, Some(mrz)) => Key::Mrz(mrz),
                _ => return Err(Failure::input("Reader", "give exactly one of can= and mrz=")),
            };
            let control = docs::access_control(key, access.as_deref())?;
            Ok(PyReader { reader: Mutex::new(cccd::reader::Reader::new(control)) })
        })
    }

    /// Reads (or goes on reading) the chip behind `transport` and verifies it: `cccd read --json`'s document
    /// and `{file name: bytes}`, as `cccd.read`.
    #[pyo3(signature = (transport, *, csca=Vec::new(), ml_anchor=Vec::new(), crl=Vec::new(), ds=Vec::new(), at=None, wait=10.0))]
    #[allow(clippy::too_many_arguments)]
    fn read<'py>(
        &self,
        py: Python<'py>,
        transport: &Bound<'py, PyAny>,
        csca: Vec<PathBuf>,
        ml_anchor: Vec<PathBuf>,
        crl: Vec<PathBuf>,
        ds: Vec<PathBuf>,
        at: Option<String>,
        wait: f64,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>)> {
        let mut link = guarded(py, || Link::from_object(transport, wait))?;
        let trust = Trust { csca, ml_anchor, crl, ds };
        let (doc, files) = run(py, || docs::read_with(&mut self.lock(), &mut link, &trust, at.as_deref()))?;
        crate::read_output(py, &doc, files)
    }

    /// Command APDUs sent so far, over every call.
    #[getter]
    fn apdus(&self) -> usize {
        self.lock().apdu_count()
    }

    /// File bytes read so far, over every call (a resumed read adds only what was missing).
    #[getter]
    fn bytes_read(&self) -> usize {
        self.lock().bytes_read()
    }
}
