//! Errors of the binding and the Python exception each one raises (`cccd.errors`, defined in Python so that
//! `InvalidInput` is also a `ValueError`).
//!
//! The class of a library error is the library's own [`cccd::json::ErrorKind`] (the `error.kind` of the CLI's
//! JSON and the C ABI's error codes): the three front ends agree on who is at fault. Messages are the
//! library's, which never carry keys or personal data.

use cccd::json::ErrorKind;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception classes (`cccd.errors`), by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `InvalidInput`: the caller's input (record, file, image folder, PKI, trust material, argument).
    InvalidInput,
    /// `AccessRefused`: a wrong CAN or MRZ, a blocked password, a wrong transport key.
    AccessRefused,
    /// `CardRemoved`: the card left the field; what was read or written is kept, run again.
    CardRemoved,
    /// `NoCard`: no card in the reader, no such reader, or PC/SC itself failed.
    NoCard,
    /// `TransportError`: the transport failed (its `transmit` raised or answered something that is no
    /// response APDU, the vpcd link broke).
    TransportError,
    /// `ChipError`: the chip answered a step with an error (status word, secure messaging, malformed data).
    ChipError,
    /// `VerificationError`: a chip that had to verify did not (the personalizer's read-back before LOCK).
    VerificationError,
    /// `InternalError`: a bug in cccd (a Rust panic, caught).
    InternalError,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::InvalidInput => "InvalidInput",
            Class::AccessRefused => "AccessRefused",
            Class::CardRemoved => "CardRemoved",
            Class::NoCard => "NoCard",
            Class::TransportError => "TransportError",
            Class::ChipError => "ChipError",
            Class::VerificationError => "VerificationError",
            Class::InternalError => "InternalError",
        }
    }

    /// The `kind` attribute: the library's JSON `error.kind` names, and two of the binding's own.
    fn kind(self) -> &'static str {
        match self {
            Class::InvalidInput => "input",
            Class::AccessRefused => "access_refused",
            Class::CardRemoved => "card_removed",
            Class::NoCard => "no_card",
            Class::TransportError => "transport",
            Class::ChipError => "chip_error",
            Class::VerificationError => "verification",
            Class::InternalError => "internal",
        }
    }

    fn of_kind(kind: ErrorKind) -> Class {
        match kind {
            ErrorKind::AccessRefused => Class::AccessRefused,
            ErrorKind::CardRemoved => Class::CardRemoved,
            ErrorKind::NoCard => Class::NoCard,
            ErrorKind::Chip => Class::ChipError,
            _ => Class::InvalidInput,
        }
    }
}

/// Why a call failed.
#[derive(Debug)]
pub enum Failure {
    /// A library error.
    Lib(cccd::Error),
    /// An error of the binding (an argument, a file, a step the library reports as text).
    Binding {
        /// The exception.
        class: Class,
        /// What went wrong (names the input, never its content).
        message: String,
    },
    /// An error of the binding with more to say than its message (the exception's `details`).
    Detailed {
        /// The exception.
        class: Class,
        /// What went wrong.
        message: String,
        /// The exception's `details` (names and codes, never personal data).
        details: serde_json::Value,
    },
    /// The Python transport failed; `cause` is the exception its `transmit` raised, if any.
    Transport {
        /// What went wrong.
        message: String,
        /// The exception the transport raised.
        cause: Option<PyErr>,
    },
    /// A Python exception to pass on as it is (e.g. a `TypeError` from an argument conversion).
    Python(PyErr),
}

impl Failure {
    /// A refused input.
    pub fn input(context: impl std::fmt::Display, message: impl std::fmt::Display) -> Self {
        Failure::Binding { class: Class::InvalidInput, message: format!("{context}: {message}") }
    }

    /// An error of another class.
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Failure::Binding { class, message: message.into() }
    }

    /// A file that could not be read or written.
    pub fn io(path: &std::path::Path, e: &std::io::Error) -> Self {
        Failure::input(path.display(), e)
    }

    /// The Python exception.
    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        let kind = match &self {
            Failure::Lib(e) => Some(ErrorKind::of(e)),
            _ => None,
        };
        let (class, message, cause) = match self {
            Failure::Python(e) => return e,
            Failure::Detailed { class, message, details } => {
                let err = raise(py, class, class.kind(), &message, None);
                if let Ok(d) = crate::to_py(py, &details) {
                    let _ = err.value(py).setattr("details", d);
                }
                return err;
            }
            Failure::Lib(e) => (Class::of_kind(ErrorKind::of(&e)), e.to_string(), None),
            Failure::Binding { class, message } => (class, message, None),
            Failure::Transport { message, cause } => (Class::TransportError, message, cause),
        };
        let kind = kind.map_or(class.kind(), ErrorKind::as_str);
        raise(py, class, kind, &message, cause)
    }
}

impl From<cccd::Error> for Failure {
    fn from(e: cccd::Error) -> Self {
        Failure::Lib(e)
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Python(e)
    }
}

/// Builds `cccd.errors.<class>(message)` with `kind`, chained to `cause`.
fn raise(py: Python<'_>, class: Class, kind: &str, message: &str, cause: Option<PyErr>) -> PyErr {
    let built = (|| -> PyResult<PyErr> {
        let module = py.import("cccd.errors")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("kind", kind)?;
        let exc = module.getattr(class.name())?.call((message,), Some(&kwargs))?;
        let err = PyErr::from_value(exc);
        if let Some(cause) = cause {
            err.set_cause(py, Some(cause));
        }
        Ok(err)
    })();
    // the package's own module is always there; should it fail to import, say so with the message
    built.unwrap_or_else(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("{}: {message} (cccd.errors: {e})", class.name()))
    })
}

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    format!("internal error in cccd (a bug, please report it): {text}")
}

/// Runs `f` without the GIL (other Python threads go on; a Python transport takes the GIL back for each
/// APDU), catching a Rust panic as [`Class::InternalError`].
pub fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Failure> + Send) -> PyResult<T> {
    let out = py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    match out {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.into_pyerr(py)),
        Err(payload) => Err(Failure::new(Class::InternalError, panic_message(payload.as_ref())).into_pyerr(py)),
    }
}

/// Runs `f` with the GIL held, catching a Rust panic as [`Class::InternalError`].
pub fn guarded<T>(py: Python<'_>, f: impl FnOnce() -> Result<T, Failure>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.into_pyerr(py)),
        Err(payload) => Err(Failure::new(Class::InternalError, panic_message(payload.as_ref())).into_pyerr(py)),
    }
}
