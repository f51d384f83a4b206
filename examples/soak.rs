//! Soak: consecutive read sessions and personalizations through a real `pcscd` and the `vsmartcard-vpcd`
//! virtual reader, every result checked, memory compared at start and end.
//!
//! `cargo run --release --features pcsc --example soak -- [READS] [PERSOS]` (default 1000 and 200), with pcscd
//! running (scripts/soak.sh starts it). Exit status 1 on any failure.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use cccd::access::pace::PacePassword;
use cccd::apdu::{CommandApdu, ResponseApdu};
use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::perso::{OpenEmrtdProfile, Personalizer};
use cccd::reader::Reader;
use cccd::transport::pcsc::PcscTransport;
use cccd::transport::{Transport, TransportError};

#[path = "../tests/common/mod.rs"]
mod common;

/// The chip behind the vpcd bridge, swappable between runs.
#[derive(Clone)]
struct Shared(Arc<Mutex<VirtualChip>>);

impl Transport for Shared {
    fn transmit(&mut self, c: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        self.0.lock().map_err(|_| TransportError::ReaderUnavailable)?.transmit(c)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.0.lock().map_err(|_| TransportError::ReaderUnavailable)?.reset()
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn connect() -> PcscTransport {
    for _ in 0..150 {
        if let Ok(t) = PcscTransport::connect("Virtual PCD 00 00") {
            return t;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("no card in Virtual PCD 00 00: is pcscd with vsmartcard-vpcd running?");
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let reads = args.first().copied().unwrap_or(1000);
    let persos = args.get(1).copied().unwrap_or(200);
    let (image, _) = common::chip::cccd_image_signed();
    let key = *b"soak transport k";
    let chip = Shared(Arc::new(Mutex::new(VirtualChip::new(image.clone(), ChipConfig::default()))));
    let stop = Arc::new(AtomicBool::new(false));
    let bridge = {
        let (mut card, stop) = (chip.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut conn = cccd::vpcd::VpcdConnection::connect("127.0.0.1", 35963).expect("vpcd port 35963");
            let _ = conn.serve(&mut card, &cccd::vpcd::DEFAULT_ATR, &stop);
        })
    };
    let mut t = connect();
    let can = PacePassword::Can(image.secrets.can.clone().expect("CAN"));
    let mut failures = 0usize;
    let mut rss_start = 0;
    let started = std::time::Instant::now();
    for i in 0..reads {
        if i == 10 {
            rss_start = rss_kib();
        }
        let ok = match Reader::pace(can.clone()).read(&mut t) {
            Ok(r) => {
                let pa = cccd::pa::verify(&r.files[&cccd::lds::LdsFile::Sod], &r.files, None);
                image.files.iter().all(|(f, b)| r.files.get(f) == Some(b) || r.protected.contains(f))
                    && pa.is_ok_and(|p| p.signature.passed() && p.message_digest.passed())
                    && r.chip_authentication.passed()
                    && r.active_authentication.passed()
            }
            Err(_) => false,
        };
        failures += usize::from(!ok);
        let _ = t.reset();
    }
    let read_secs = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let profile = OpenEmrtdProfile::new(key);
    for _ in 0..persos {
        *chip.0.lock().expect("chip") = VirtualChip::blank(key, ChipConfig::default());
        let _ = t.reset();
        let ok = Personalizer::new(&profile, &image).run(&mut t).is_ok()
            && chip
                .0
                .lock()
                .is_ok_and(|c| c.life_cycle() == cccd::emulator::LifeCycle::Operational && *c.image() == image);
        failures += usize::from(!ok);
    }
    let perso_secs = started.elapsed().as_secs_f64();
    let rss_end = rss_kib();
    stop.store(true, Ordering::Relaxed);
    drop(t);
    let _ = bridge.join();
    println!(
        "soak: {reads} read sessions ({:.1} ms each), {persos} personalizations ({:.1} ms each), failures {failures}, \
         RSS {rss_start} KiB after 10 sessions, {rss_end} KiB at the end",
        read_secs * 1000.0 / reads.max(1) as f64,
        perso_secs * 1000.0 / persos.max(1) as f64
    );
    if failures > 0 || rss_end > rss_start + 8 * 1024 {
        std::process::exit(1);
    }
}
