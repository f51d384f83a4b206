//! The transports a Python caller hands in: a PC/SC reader name, a [`crate::chip::PyVirtualChip`] (in process,
//! no Python in between), or any object with `transmit(bytes) -> bytes` (a pyscard connection through
//! `cccd.PyscardTransport`, a printer SDK's encoder, a test double).

use std::sync::{Arc, Mutex};

use cccd::apdu::{CommandApdu, ResponseApdu};
use cccd::transport::{GetResponse, Transport, TransportError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::chip::{PyVirtualChip, SharedChip};
#[cfg(not(feature = "pcsc"))]
use crate::error::Class;
use crate::error::Failure;

/// An object with `transmit(bytes) -> bytes` (and optionally `reset()`), called with the GIL taken for each
/// APDU. What goes wrong is kept in [`PyTransport::failure`]: the library sees a transport error, the caller
/// gets a `TransportError` naming what the object did, chained to the exception it raised.
pub struct PyTransport {
    object: Py<PyAny>,
    /// The first failure of the object (an exception, a result that is not bytes or no response APDU).
    failure: FailureSlot,
    /// Commands sent.
    commands: usize,
}

/// Where a [`PyTransport`] keeps its first failure: what it did, and the exception it raised.
pub type FailureSlot = Arc<Mutex<Option<(String, Option<PyErr>)>>>;

impl PyTransport {
    /// Wraps `object`; its failures go to `failure`.
    pub fn new(object: Py<PyAny>, failure: FailureSlot) -> Self {
        PyTransport { object, failure, commands: 0 }
    }

    fn fail(&mut self, message: String, cause: Option<PyErr>, error: TransportError) -> TransportError {
        let mut slot = self.failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some((message, cause));
        }
        error
    }
}

/// Why a Python transport's answer is none: what it did, the exception it raised, and the error the library
/// sees.
type Refusal = (String, Option<PyErr>, TransportError);

/// Whether `e` is an instance of `cccd.errors.CardRemoved` (a Python transport says the card left).
fn is_card_removed(py: Python<'_>, e: &PyErr) -> bool {
    py.import("cccd.errors")
        .and_then(|m| m.getattr("CardRemoved"))
        .map(|class| e.value(py).is_instance(&class).unwrap_or(false))
        .unwrap_or(false)
}

impl Transport for PyTransport {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let bytes = command.to_bytes().map_err(TransportError::Apdu)?;
        let index = self.commands;
        self.commands += 1;
        let answer = Python::attach(|py| -> Result<Vec<u8>, Box<Refusal>> {
            let result = self.object.bind(py).call_method1("transmit", (PyBytes::new(py, &bytes),));
            let value = match result {
                Ok(v) => v,
                Err(e) if is_card_removed(py, &e) => {
                    let what = format!("command {index}: the transport says the card was removed");
                    return Err(Box::new((what, Some(e), TransportError::CardRemoved)));
                }
                Err(e) => {
                    let what = format!("command {index}: the transport's transmit() raised {e}");
                    return Err(Box::new((what, Some(e), TransportError::Protocol("the Python transport raised"))));
                }
            };
            match value.extract::<Vec<u8>>() {
                Ok(v) if value.is_instance_of::<PyBytes>() || value.is_instance_of::<pyo3::types::PyByteArray>() => {
                    Ok(v)
                }
                _ => {
                    let type_name = value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
                    Err(Box::new((
                        format!("command {index}: the transport's transmit() returned {type_name}, not bytes"),
                        None,
                        TransportError::Protocol("the Python transport returned no bytes"),
                    )))
                }
            }
        });
        match answer {
            Ok(bytes) => ResponseApdu::from_bytes(&bytes).map_err(|e| {
                let message = format!(
                    "command {index}: the transport's transmit() returned {} bytes, not a response APDU ({e})",
                    bytes.len()
                );
                self.fail(message, None, TransportError::Apdu(e))
            }),
            Err(refusal) => {
                let (message, cause, error) = *refusal;
                if matches!(error, TransportError::CardRemoved) {
                    // a removed card is the library's to handle (resume), not a failure of the object
                    return Err(error);
                }
                Err(self.fail(message, cause, error))
            }
        }
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        Python::attach(|py| {
            let object = self.object.bind(py);
            if !object.hasattr("reset").unwrap_or(false) {
                // an object without reset(): the session simply goes on (documented on `cccd.read`)
                return Ok(());
            }
            match object.call_method0("reset") {
                Ok(_) => Ok(()),
                Err(e) if is_card_removed(py, &e) => Err(TransportError::CardRemoved),
                Err(e) => {
                    let message = format!("the transport's reset() raised {e}");
                    Err(self.fail(message, Some(e), TransportError::Protocol("the Python transport's reset raised")))
                }
            }
        })
    }
}

/// The transport of one call.
pub enum Link {
    /// A PC/SC reader.
    #[cfg(feature = "pcsc")]
    Pcsc(cccd::transport::pcsc::PcscTransport),
    /// A virtual chip of this process.
    Chip(SharedChip),
    /// A Python object, `61xx`/`6Cxx` completed for it, and where it keeps its failure.
    Python(GetResponse<PyTransport>, FailureSlot),
}

impl Link {
    /// The transport `object` names: a reader name (`str`), a `cccd.VirtualChip`, or an object with
    /// `transmit`. A reader is connected to (waiting up to `wait` seconds for a card).
    pub fn from_object(object: &Bound<'_, PyAny>, wait: f64) -> Result<Link, Failure> {
        if let Ok(chip) = object.cast::<PyVirtualChip>() {
            return Ok(Link::Chip(chip.borrow().shared()));
        }
        if let Ok(name) = object.extract::<String>() {
            return Link::reader(object.py(), &name, wait);
        }
        if object.hasattr("transmit").unwrap_or(false) {
            let slot = FailureSlot::default();
            let transport = PyTransport::new(object.clone().unbind(), slot.clone());
            return Ok(Link::Python(GetResponse::new(transport), slot));
        }
        let type_name = object.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        Err(Failure::Python(pyo3::exceptions::PyTypeError::new_err(format!(
            "transport: a PC/SC reader name, a cccd.VirtualChip or an object with transmit(bytes) -> bytes, not \
             {type_name}"
        ))))
    }

    #[cfg(feature = "pcsc")]
    fn reader(py: Python<'_>, name: &str, wait: f64) -> Result<Link, Failure> {
        use cccd::transport::pcsc::PcscTransport;
        let timeout = std::time::Duration::from_secs_f64(wait.clamp(0.0, 3600.0));
        let opened = py.detach(|| PcscTransport::wait_for_card(name, timeout));
        opened.map(Link::Pcsc).map_err(|e| Failure::Lib(e.into()))
    }

    #[cfg(not(feature = "pcsc"))]
    fn reader(_: Python<'_>, name: &str, _: f64) -> Result<Link, Failure> {
        Err(Failure::new(Class::InvalidInput, format!("{name:?}: this cccd was built without PC/SC (feature pcsc)")))
    }

    /// The failure of a Python transport, if it failed: it replaces the library's error, which only says that
    /// the transport failed.
    pub fn take_failure(&mut self) -> Option<Failure> {
        match self {
            Link::Python(_, slot) => slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .map(|(message, cause)| Failure::Transport { message, cause }),
            _ => None,
        }
    }

    /// `error` as the caller sees it: the Python transport's own failure when there is one.
    pub fn explain(&mut self, error: impl Into<Failure>) -> Failure {
        self.take_failure().unwrap_or_else(|| error.into())
    }
}

impl Transport for Link {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        match self {
            #[cfg(feature = "pcsc")]
            Link::Pcsc(t) => t.transmit(command),
            Link::Chip(t) => t.transmit(command),
            Link::Python(t, _) => t.transmit(command),
        }
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        match self {
            #[cfg(feature = "pcsc")]
            Link::Pcsc(t) => t.reset(),
            Link::Chip(t) => t.reset(),
            Link::Python(t, _) => t.reset(),
        }
    }
}
