//! `cccd.VirtualChip`: the library's virtual chip (the open profile's, or the JMRTD passport applet), in
//! process or behind pcscd's vsmartcard-vpcd reader, with the emulator's fault switches.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use cccd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use cccd::emulator::{ChipConfig, Faults, JmrtdAppletChip, LifeCycle, LinkModel, VirtualChip};
use cccd::image::ChipImage;
use cccd::transport::{Transport, TransportError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::error::{Class, Failure, guarded};

/// The chip behind a `cccd.VirtualChip`.
pub enum Chip {
    /// The open profile's chip (`docs/perso-commands.md`).
    Open(Box<VirtualChip>),
    /// The JMRTD passport applet.
    Jmrtd(Box<JmrtdAppletChip>),
}

impl Chip {
    fn transport(&mut self) -> &mut dyn Transport {
        match self {
            Chip::Open(c) => c.as_mut(),
            Chip::Jmrtd(c) => c.as_mut(),
        }
    }
}

/// A chip shared by its Python object, the calls that use it as a transport and its vpcd server thread: each
/// APDU takes the lock.
#[derive(Clone)]
pub struct SharedChip(Arc<Mutex<Chip>>);

impl SharedChip {
    fn lock(&self) -> std::sync::MutexGuard<'_, Chip> {
        // a panic in the chip is caught and raised; the chip's state stays usable for what follows
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Transport for SharedChip {
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        self.lock().transport().transmit(command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.lock().transport().reset()
    }
}

/// The library's virtual chip: an issued chip image (`from_image`) or a blank chip waiting for
/// personalization (`blank`), as the open profile's chip or the JMRTD passport applet. Use it as the
/// transport of `cccd.read`/`cccd.personalize`, send it APDUs with `transmit`, inject faults with
/// `set_faults`, or serve it behind pcscd's vpcd reader with `serve_vpcd`.
#[pyclass(name = "VirtualChip", module = "cccd._native", frozen)]
pub struct PyVirtualChip {
    chip: SharedChip,
    profile: &'static str,
}

impl PyVirtualChip {
    /// The chip, shared.
    pub fn shared(&self) -> SharedChip {
        self.chip.clone()
    }

    fn wrap(chip: Chip, profile: &'static str) -> Self {
        PyVirtualChip { chip: SharedChip(Arc::new(Mutex::new(chip))), profile }
    }
}

fn config(extended_length: bool, atr_info: bool) -> ChipConfig {
    let c = if extended_length { ChipConfig::default() } else { ChipConfig::short_only() };
    if atr_info { c } else { c.without_atr_info() }
}

/// A transport key given as 16 bytes or 32 hex digits.
pub fn transport_key(value: &Bound<'_, PyAny>) -> Result<[u8; 16], Failure> {
    let bytes = if let Ok(text) = value.extract::<String>() {
        hex::decode(text.trim()).map_err(|_| Failure::input("transport_key", "not 32 hex digits"))?
    } else {
        value.extract::<Vec<u8>>().map_err(|_| Failure::input("transport_key", "give 16 bytes or 32 hex digits"))?
    };
    <[u8; 16]>::try_from(bytes.as_slice()).map_err(|_| Failure::input("transport_key", "an AES-128 key is 16 bytes"))
}

fn profile_name(profile: &str) -> Result<&'static str, Failure> {
    match profile {
        "open" => Ok("open"),
        "jmrtd-applet" => Ok("jmrtd-applet"),
        other => Err(Failure::input("profile", format!("{other:?} is neither \"open\" nor \"jmrtd-applet\""))),
    }
}

#[pymethods]
impl PyVirtualChip {
    /// A blank chip waiting for personalization. `profile="open"` (the default) needs the AES transport key
    /// (16 bytes or 32 hex digits) that `cccd.personalize` must then be given; `profile="jmrtd-applet"` is the
    /// JMRTD passport applet, personalized in the clear. `extended_length=False` makes a chip of short APDUs
    /// only, `atr_info=False` one without EF.ATR/INFO.
    #[staticmethod]
    #[pyo3(signature = (transport_key=None, *, profile="open", extended_length=true, atr_info=true))]
    fn blank(
        py: Python<'_>,
        transport_key: Option<&Bound<'_, PyAny>>,
        profile: &str,
        extended_length: bool,
        atr_info: bool,
    ) -> PyResult<Self> {
        guarded(py, || {
            let profile = profile_name(profile)?;
            if profile == "jmrtd-applet" {
                return Ok(Self::wrap(Chip::Jmrtd(Box::new(JmrtdAppletChip::blank())), profile));
            }
            let key = transport_key.ok_or_else(|| Failure::input("blank", "the open profile needs transport_key"))?;
            let chip = VirtualChip::blank(self::transport_key(key)?, config(extended_length, atr_info));
            Ok(Self::wrap(Chip::Open(Box::new(chip)), profile))
        })
    }

    /// A chip holding the chip image folder `image_dir` (as `cccd.issue` writes it), issued and locked.
    /// `profile="jmrtd-applet"` serves it as the JMRTD applet would (BAC only; an image the applet cannot
    /// hold raises `InvalidInput` with every reason).
    #[staticmethod]
    #[pyo3(signature = (image_dir, *, profile="open", extended_length=true, atr_info=true))]
    fn from_image(
        py: Python<'_>,
        image_dir: PathBuf,
        profile: &str,
        extended_length: bool,
        atr_info: bool,
    ) -> PyResult<Self> {
        guarded(py, || {
            let profile = profile_name(profile)?;
            let image = ChipImage::load_dir(&image_dir).map_err(|e| Failure::Lib(e.into()))?;
            if profile == "jmrtd-applet" {
                let chip = JmrtdAppletChip::issued(&image).ok_or_else(|| {
                    let profile = cccd::perso::JmrtdAppletProfile::new();
                    let reasons = cccd::perso::PersoProfile::check(&profile, &image);
                    let list: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                    Failure::input(image_dir.display(), format!("the JMRTD applet cannot hold it: {}", list.join("; ")))
                })?;
                return Ok(Self::wrap(Chip::Jmrtd(Box::new(chip)), profile));
            }
            Ok(Self::wrap(Chip::Open(Box::new(VirtualChip::new(image, config(extended_length, atr_info)))), profile))
        })
    }

    /// Sends one command APDU (bytes as a reader delivers them) and returns the response APDU (data and
    /// status word). A malformed command gets `6700`; a card pulled by an injected fault raises
    /// `CardRemoved` (call `reset()` to put it back).
    fn transmit<'py>(&self, py: Python<'py>, apdu: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let answer = guarded(py, || {
            let Ok(command) = CommandApdu::from_bytes(apdu) else {
                return Ok(ResponseApdu::status(StatusWord::from(0x6700)).to_bytes());
            };
            match self.chip.lock().transport().transmit(&command) {
                Ok(r) => Ok(r.to_bytes()),
                Err(TransportError::CardRemoved) => {
                    Err(Failure::new(Class::CardRemoved, "the virtual chip left the field (an injected fault)"))
                }
                Err(e) => Err(Failure::Lib(e.into())),
            }
        })?;
        Ok(PyBytes::new(py, &answer))
    }

    /// Resets the chip (a new field activation): no application selected, no session; a card pulled by a
    /// fault is back.
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        guarded(py, || self.chip.lock().transport().reset().map_err(|e| Failure::Lib(e.into())))
    }

    /// Arms faults, replacing those set before; each fires once (commands and writes counted from 0 over the
    /// chip's life). `spec` is the command line's list (`"drop-after=5,sw=3:6A82,corrupt=7,tear=1:10"`);
    /// the keywords say the same: `drop_after=N` (the card leaves when command N arrives), `status_at=(N,
    /// 0x6A82)` (command N answered with that status word), `corrupt_at=N` (a bit of its response flipped),
    /// `tear=(N, K)` (UPDATE BINARY number N: only its first K bytes land, then the card leaves); `link="106k"`
    /// counts the time an ISO 14443 link would take (`faults()["link_time_us"]`).
    #[pyo3(signature = (spec=None, *, drop_after=None, status_at=None, corrupt_at=None, tear=None, link=None))]
    #[allow(clippy::too_many_arguments)]
    fn set_faults(
        &self,
        py: Python<'_>,
        spec: Option<&str>,
        drop_after: Option<usize>,
        status_at: Option<(usize, u16)>,
        corrupt_at: Option<usize>,
        tear: Option<(usize, usize)>,
        link: Option<&str>,
    ) -> PyResult<()> {
        guarded(py, || {
            let mut faults = match spec {
                Some(s) => Faults::parse(s).ok_or_else(|| {
                    Failure::input("spec", "not a fault list (drop-after=N, sw=N:6A82, corrupt=N, tear=N:K)")
                })?,
                None => Faults::default(),
            };
            faults.drop_after = drop_after.or(faults.drop_after);
            faults.status_at = status_at.or(faults.status_at);
            faults.corrupt_at = corrupt_at.or(faults.corrupt_at);
            faults.tear = tear.or(faults.tear);
            if let Some(l) = link {
                faults.link = Some(LinkModel::parse(l).ok_or_else(|| Failure::input("link", "give e.g. \"106k\""))?);
            }
            match &mut *self.chip.lock() {
                Chip::Open(c) => c.set_faults(faults),
                Chip::Jmrtd(c) => c.set_faults(faults),
            }
            Ok(())
        })
    }

    /// The faults still armed, and what the link counted: `{"drop_after", "status_at", "corrupt_at", "tear",
    /// "link_time_us", "link_bytes"}` (a fault that fired is `None`).
    fn faults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = match &*self.chip.lock() {
            Chip::Open(c) => c.faults().clone(),
            Chip::Jmrtd(c) => c.faults().clone(),
        };
        let d = PyDict::new(py);
        d.set_item("drop_after", f.drop_after)?;
        d.set_item("status_at", f.status_at)?;
        d.set_item("corrupt_at", f.corrupt_at)?;
        d.set_item("tear", f.tear)?;
        d.set_item("link_time_us", f.link_time_us)?;
        d.set_item("link_bytes", f.link_bytes)?;
        Ok(d)
    }

    /// `"personalization"` (blank or partly written) or `"operational"` (locked, issued).
    #[getter]
    fn life_cycle(&self) -> &'static str {
        let life = match &*self.chip.lock() {
            Chip::Open(c) => c.life_cycle(),
            Chip::Jmrtd(c) => c.life_cycle(),
        };
        match life {
            LifeCycle::Personalization => "personalization",
            LifeCycle::Operational => "operational",
        }
    }

    /// `"open"` or `"jmrtd-applet"`.
    #[getter]
    fn profile(&self) -> &'static str {
        self.profile
    }

    /// Whether a secure messaging session is open.
    #[getter]
    fn is_authenticated(&self) -> bool {
        match &*self.chip.lock() {
            Chip::Open(c) => c.is_authenticated(),
            Chip::Jmrtd(c) => c.is_authenticated(),
        }
    }

    /// Serves the chip behind pcscd's vsmartcard-vpcd reader on `port` (35963 is `Virtual PCD 00 00`, 35964
    /// `Virtual PCD 00 01`) from a background thread, and returns once pcscd took the card (at most `timeout`
    /// seconds; else `TransportError`). The returned `VpcdServer` names the reader and stops serving on
    /// `stop()` or at the end of a `with` block. A card pulled by a fault leaves the reader and comes back
    /// half a second later, as `cccd emulate` does. The chip stays usable in process meanwhile.
    #[pyo3(signature = (port=35963, *, host="127.0.0.1", timeout=10.0))]
    fn serve_vpcd(&self, py: Python<'_>, port: u16, host: &str, timeout: f64) -> PyResult<VpcdServer> {
        let chip = self.chip.clone();
        let host = host.to_string();
        guarded(py, || VpcdServer::start(chip, host, port, timeout))
    }

    fn __repr__(&self) -> String {
        format!("<cccd.VirtualChip profile={:?} life_cycle={:?}>", self.profile, self.life_cycle())
    }
}

/// A virtual chip served behind pcscd's vpcd reader (`VirtualChip.serve_vpcd`).
#[pyclass(name = "VpcdServer", module = "cccd._native")]
pub struct VpcdServer {
    reader: String,
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

enum Event {
    Ready,
    Failed(String),
}

impl VpcdServer {
    fn start(chip: SharedChip, host: String, port: u16, timeout: f64) -> Result<Self, Failure> {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || serve(chip, &host, port, &flag, &tx));
        let wait = Duration::from_secs_f64(timeout.clamp(0.0, 3600.0));
        let reader = format!("Virtual PCD 00 {:02}", port.saturating_sub(cccd::vpcd::DEFAULT_PORT));
        let mut server = VpcdServer { reader, port, stop, thread: Some(thread) };
        let why = match rx.recv_timeout(wait) {
            Ok(Event::Ready) => return Ok(server),
            Ok(Event::Failed(why)) => why,
            Err(_) => format!("pcscd did not take the card within {timeout} s (is pcscd running with vpcd?)"),
        };
        server.halt();
        Err(Failure::new(Class::TransportError, format!("vpcd port {port}: {why}")))
    }

    fn halt(&mut self) -> Option<String> {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.take()?;
        thread.join().map_err(|p| crate::error::panic_message(p.as_ref())).and_then(|r| r).err()
    }
}

/// The server thread: connects, serves until stopped or the driver closes, and after a pulled card (a fault)
/// comes back half a second later.
fn serve(
    mut card: SharedChip,
    host: &str,
    port: u16,
    stop: &Arc<AtomicBool>,
    events: &mpsc::Sender<Event>,
) -> Result<(), String> {
    loop {
        let failed = |why: String| {
            let _ = events.send(Event::Failed(why.clone()));
            Err(why)
        };
        let mut conn = match cccd::vpcd::VpcdConnection::connect(host, port) {
            Ok(c) => c,
            Err(e) => return failed(e.to_string()),
        };
        let mut on_ready = || {
            let _ = events.send(Event::Ready);
        };
        match conn.serve_observed(&mut card, &cccd::vpcd::DEFAULT_ATR, stop, &mut on_ready) {
            Ok(cccd::vpcd::ServeEnd::CardRemoved) => {
                // out of the field: the reader sees the card go, then come back with its memory intact
                drop(conn);
                std::thread::sleep(Duration::from_millis(500));
                let _ = card.reset();
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
            }
            Ok(cccd::vpcd::ServeEnd::Stopped) => return Ok(()),
            Err(cccd::vpcd::VpcdError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return failed(e.to_string()),
        }
    }
}

#[pymethods]
impl VpcdServer {
    /// The PC/SC reader name the chip is in (`"Virtual PCD 00 00"` for port 35963).
    #[getter]
    fn reader(&self) -> &str {
        &self.reader
    }

    /// The vpcd port.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    /// Whether it still serves.
    #[getter]
    fn running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops serving (the card leaves the reader); raises `TransportError` if the link had failed.
    fn stop(&mut self, py: Python<'_>) -> PyResult<()> {
        let failed = py.detach(|| self.halt());
        match failed {
            Some(why) => {
                Err(Failure::new(Class::TransportError, format!("vpcd port {}: {why}", self.port)).into_pyerr(py))
            }
            None => Ok(()),
        }
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&mut self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("<cccd.VpcdServer reader={:?} running={}>", self.reader, self.running())
    }
}

impl Drop for VpcdServer {
    fn drop(&mut self) {
        let _ = self.halt();
    }
}
