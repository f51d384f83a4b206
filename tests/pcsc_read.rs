//! `cccd read` at the counter, through a real `pcscd` with the `vsmartcard-vpcd` virtual reader and `cccd
//! emulate`: a card pulled mid-read, readers chosen by prefix or index, status words explained (the last CAN try
//! warned about), typed MRZs, default access from EF.CardAccess, the saved folder and the HTML report rendered
//! in headless Chromium.
//!
//! `pcscd` is system-wide: run this file under `flock /tmp/cccd-pcsc.lock`; its tests run one at a time.
#![cfg(feature = "pcsc")]
mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use serde_json::Value;

static PCSCD: Mutex<()> = Mutex::new(());

/// `cccd emulate --json` with its event lines (ready, card_pulled) on a channel.
struct Emulator {
    child: Child,
    events: Receiver<Value>,
}

impl Emulator {
    fn start(chipdir: &Path, port: &str, extra: &[&str]) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cccd"))
            .args(["emulate", chipdir.to_str().unwrap(), "--port", port, "--json"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, events) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let event: Value = serde_json::from_str(&line).expect("emulate --json prints JSON lines");
                if tx.send(event).is_err() {
                    break;
                }
            }
        });
        let emulator = Emulator { child, events };
        let ready = emulator.next_event();
        assert_eq!(ready["event"], "ready", "{ready}");
        assert_eq!(
            (ready["schema_version"].as_u64(), ready["command"].as_str()),
            (Some(1), Some("emulate")),
            "{ready}"
        );
        let reader = if port == "35963" { "Virtual PCD 00 00" } else { "Virtual PCD 00 01" };
        assert_eq!(ready["reader"], reader);
        emulator
    }

    fn next_event(&self) -> Value {
        // waiting for the emulator, not measuring it
        self.events.recv_timeout(Duration::from_secs(30)).expect("an event from cccd emulate")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cccd_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cccd")).current_dir(dir).args(args).output().expect("run cccd")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

struct Setup {
    base: PathBuf,
    chipdir: PathBuf,
    csca: PathBuf,
    image: cccd::image::ChipImage,
    can: String,
}

fn setup(name: &str) -> Setup {
    let (image, csca_pem) = common::chip::cccd_image_signed();
    let base = std::env::temp_dir().join(format!("cccd-pcsc-read-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let csca = base.join("csca.pem");
    std::fs::write(&csca, csca_pem).unwrap();
    let chipdir = base.join("chip");
    image.save_dir(&chipdir).unwrap();
    let can = common::chip::record().can().unwrap().to_string();
    Setup { base, chipdir, csca, image, can }
}

fn same_files(image: &cccd::image::ChipImage, dir: &Path) {
    for (file, bytes) in &image.files {
        if file.dg_number() == Some(3) {
            continue;
        }
        let got = std::fs::read(dir.join(format!("{}.bin", file.name()))).unwrap();
        assert!(got == *bytes, "{} differs", file.name());
    }
}

fn read_args<'a>(s: &'a Setup, reader: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["read", "--reader", reader, "--csca", s.csca.to_str().unwrap(), "--wait", "15"];
    args.extend_from_slice(more);
    args
}

#[test]
fn a_card_pulled_mid_read_is_waited_for_and_the_read_resumes() {
    let _one = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    let s = setup("pulled");
    let log = s.base.join("apdus.log");
    let emulator =
        Emulator::start(&s.chipdir, "35963", &["--fault", "drop-after=12", "--log-apdus", log.to_str().unwrap()]);
    let out = s.base.join("read");
    let read = cccd_in(
        &s.base,
        &read_args(&s, "Virtual PCD 00 00", &["--can", &s.can, "--out", out.to_str().unwrap(), "--json"]),
    );
    assert!(read.status.success(), "cccd read: {} {}", text(&read.stderr), text(&read.stdout));
    assert!(text(&read.stderr).contains("put it back"), "{}", text(&read.stderr));
    let report: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["resumed"], 1, "{report}");
    assert_eq!(report["verdict"]["value"], "genuine", "{report}");
    same_files(&s.image, &out);
    // the emulator said the card was pulled, then ready again once pcscd took it back
    assert_eq!(emulator.next_event()["event"], "card_pulled");
    assert_eq!(emulator.next_event()["event"], "ready");
    drop(emulator);
    // the APDU log: numbered as --fault counts, the pulled command shows no answer, and no data bytes at all
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("#12 > ") && log.contains("#12 ! card removed"), "{log}");
    assert!(log.lines().any(|l| l.starts_with("#0 > 00 A4 02 0C nc=2 ")), "{log}");
    let after = log.split("#12 ! card removed").nth(1).unwrap();
    assert!(
        after.contains("#13 > 00 22 C1 A4") && after.contains(" > 0C B0 "),
        "PACE again, then protected reads: {log}"
    );
    for line in log.lines().filter(|l| l.starts_with('#')) {
        assert!(line.split_whitespace().all(|w| w.len() <= 9), "a data field in the log: {line}");
    }
    std::fs::remove_dir_all(&s.base).unwrap();
}

#[test]
fn a_card_not_put_back_in_time_ends_with_its_own_exit_code() {
    let _one = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    let s = setup("gone");
    // the emulator puts the card back 0.5 s after pulling it: longer than --wait 0 waits
    let emulator = Emulator::start(&s.chipdir, "35963", &["--fault", "drop-after=12"]);
    let read = cccd_in(&s.base, &["read", "--reader", "0", "--can", &s.can, "--no-save", "--wait", "0"]);
    assert_eq!(read.status.code(), Some(4), "card removed: {}", text(&read.stderr));
    let err = text(&read.stderr);
    assert!(err.contains("put it back") && err.contains("card"), "{err}");
    assert!(!err.contains("APDU of 0 bytes"), "{err}");
    drop(emulator);
    std::fs::remove_dir_all(&s.base).unwrap();
}

#[test]
fn readers_are_chosen_by_prefix_or_index_and_pcsc_errors_name_their_code() {
    let _one = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    let s = setup("readers");
    let listed = cccd_in(&s.base, &["readers", "--json"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!((listed["schema_version"].as_u64(), listed["command"].as_str()), (Some(1), Some("readers")), "{listed}");
    assert_eq!(listed["readers"][0]["name"], "Virtual PCD 00 00", "{listed}");
    assert_eq!(listed["readers"][1]["index"], 1, "{listed}");
    let emulator = Emulator::start(&s.chipdir, "35964", &[]);
    for reader in ["1", "virtual pcd 00 01"] {
        let read = cccd_in(&s.base, &read_args(&s, reader, &["--can", &s.can, "--no-save", "--json"]));
        assert!(read.status.success(), "--reader {reader}: {}", text(&read.stderr));
        let report: Value = serde_json::from_slice(&read.stdout).unwrap();
        assert_eq!(report["reader"], "Virtual PCD 00 01");
    }
    // ambiguous, unknown: exit 5, every reader listed
    for reader in ["Virtual", "Nope", "7"] {
        let read = cccd_in(&s.base, &read_args(&s, reader, &["--can", &s.can, "--no-save"]));
        assert_eq!(read.status.code(), Some(5), "--reader {reader}");
        let err = text(&read.stderr);
        assert!(err.contains("0: Virtual PCD 00 00") && err.contains("1: Virtual PCD 00 01"), "{err}");
    }
    // no card in the first reader: the PC/SC code is named
    let read = cccd_in(&s.base, &["read", "--reader", "0", "--can", &s.can, "--no-save", "--wait", "1"]);
    assert_eq!(read.status.code(), Some(5), "{}", text(&read.stderr));
    assert!(text(&read.stderr).contains("(0x8010"), "{}", text(&read.stderr));
    assert!(text(&read.stderr).contains("SCARD_"), "{}", text(&read.stderr));
    drop(emulator);
    assert_eq!(std::fs::read_dir(&s.base).unwrap().count(), 2, "--no-save saved nothing: only chip/ and csca.pem");
    std::fs::remove_dir_all(&s.base).unwrap();
}

#[test]
fn a_wrong_can_is_explained_and_the_last_try_before_blocking_is_warned() {
    let _one = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    let s = setup("can");
    let emulator = Emulator::start(&s.chipdir, "35963", &[]);
    let wrong = |expect: &[&str]| {
        let read = cccd_in(&s.base, &read_args(&s, "0", &["--can", "000000", "--no-save"]));
        assert_eq!(read.status.code(), Some(3), "access refused: {}", text(&read.stderr));
        let err = text(&read.stderr);
        for e in expect {
            assert!(err.contains(e), "{e:?} not in {err}");
        }
    };
    wrong(&["2 tries left"]);
    wrong(&["63C1", "1 try left", "WARNING: one try left"]);
    wrong(&["63C0", "blocked", "read it with the MRZ"]);
    wrong(&["6983 (authentication method blocked)", "MRZ instead of the CAN"]);
    // the MRZ still opens the chip, typed in lowercase with spaces, only TD1's first two lines; default access:
    // PACE (EF.CardAccess offers it), said in the result
    let lines = common::chip::record().to_mrz().unwrap().to_lines().unwrap();
    let typed = format!("{} \n{}", lines[0].to_lowercase(), &lines[1][..15]) + " " + &lines[1][15..];
    let read = cccd_in(&s.base, &read_args(&s, "0", &["--mrz", &typed, "--no-save", "--json"]));
    assert!(read.status.success(), "typed MRZ: {}", text(&read.stderr));
    let report: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(report["access"], "PACE-GM-ECDH-AES128 (brainpoolP256r1)");
    let read = cccd_in(&s.base, &read_args(&s, "0", &["--mrz", &typed, "--access", "bac", "--no-save", "--json"]));
    let report: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(report["access"], "BAC");
    drop(emulator);
    // a chip whose EF.CardAccess offers no PACE: BAC, and why
    let bac_only = s.base.join("bac-only");
    let mut image = s.image.clone();
    image.files.remove(&cccd::lds::LdsFile::CardAccess);
    image.save_dir(&bac_only).unwrap();
    let emulator = Emulator::start(&bac_only, "35963", &[]);
    let read = cccd_in(&s.base, &read_args(&s, "0", &["--mrz", &typed, "--no-save", "--json"]));
    assert!(read.status.success(), "{}", text(&read.stderr));
    let report: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert!(report["access"].as_str().unwrap().starts_with("BAC (PACE not offered: "), "{report}");
    drop(emulator);
    std::fs::remove_dir_all(&s.base).unwrap();
}

/// The variance of a screenshot's luma: 0 for a blank page.
fn luma_variance(png: &Path) -> f64 {
    let img = image::open(png).unwrap().to_luma8();
    let n = f64::from(img.width() * img.height());
    let mean = img.pixels().map(|p| f64::from(p.0[0])).sum::<f64>() / n;
    img.pixels().map(|p| (f64::from(p.0[0]) - mean).powi(2)).sum::<f64>() / n
}

fn chromium(page: &Path, extra: &[&str]) -> Output {
    let profile = page.with_extension("chromium-profile");
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium is installed (apt-get install chromium)");
    let _ = std::fs::remove_dir_all(&profile);
    out
}

#[test]
fn the_clerk_sees_the_verdict_and_holder_and_gets_a_saved_folder_and_an_html_report() {
    let _one = PCSCD.lock().unwrap_or_else(|e| e.into_inner());
    let s = setup("clerk");
    let emulator = Emulator::start(&s.chipdir, "35963", &[]);
    let read = cccd_in(&s.base, &read_args(&s, "Virtual PCD 00 00", &["--can", &s.can, "--html", "report.html"]));
    assert!(read.status.success(), "{}", text(&read.stderr));
    drop(emulator);
    let shown = text(&read.stdout);
    let first = shown.lines().next().unwrap();
    assert!(first.starts_with("GENUINE: "), "the verdict line first: {shown}");
    let holder = shown.find("Nguyễn Văn A").expect("the name with diacritics");
    let checks = shown.find("Passive Authentication").unwrap();
    assert!(holder < checks, "the holder before the checks: {shown}");
    for field in ["001099012345", "1999-01-15", "Kinh", "IDVNM", "Document Signer: CN=DS Test,C=VN"] {
        assert!(shown.contains(field), "{field} not shown: {shown}");
    }
    // saved by default in a folder named after the document number
    let mrz = common::chip::record().to_mrz().unwrap();
    let folder = s.base.join(mrz.document_number());
    assert!(shown.contains(&format!("saved in {}", mrz.document_number())), "{shown}");
    same_files(&s.image, &folder);
    let face = image::open(folder.join("face.png")).unwrap();
    assert!(face.width() > 0 && face.height() > face.width(), "portrait face");
    let report = std::fs::read_to_string(folder.join("report.txt")).unwrap();
    assert_eq!(report, shown, "the saved report is what was shown");
    let json: Value = serde_json::from_slice(&std::fs::read(folder.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["command"], "read");
    assert_eq!(json["verdict"]["value"], "genuine");
    assert_eq!(json["holder"]["full_name"], "Nguyễn Văn A");

    // the HTML report, rendered by Chromium: what the DOM holds once the page ran, and what the screen shows
    let page = s.base.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "self-contained");
    let dom = chromium(&page, &["--dump-dom"]);
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    let dom = text(&dom.stdout);
    assert!(dom.contains("Nguyễn Văn A"), "name with diacritics in the DOM");
    assert!(dom.contains("data-verdict=\"genuine\"") && dom.contains(">GENUINE<"), "verdict in the DOM");
    let size = dom.split("data-natural-size=\"").nth(1).and_then(|r| r.split('"').next()).expect("face decoded");
    let (w, h) = size.split_once('x').unwrap();
    let (w, h): (u32, u32) = (w.parse().unwrap(), h.parse().unwrap());
    assert!(w > 0 && h > w, "the face <img> decoded to {w}x{h}");
    assert_eq!((w, h), (face.width(), face.height()), "the embedded face is the saved one");
    let shot = s.base.join("report.png");
    let out = chromium(&page, &[&format!("--screenshot={}", shot.display()), "--window-size=1000,1400"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let variance = luma_variance(&shot);
    assert!(variance > 100.0, "the screenshot is not blank (luma variance {variance})");
    eprintln!("report screenshot: luma variance {variance:.0}");
    if let Ok(keep) = std::env::var("CCCD_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    std::fs::remove_dir_all(&s.base).unwrap();
}
