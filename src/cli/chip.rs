//! `cccd emulate`, `cccd verify` and `cccd perso`: the virtual chip behind a PC/SC reader, the verdict on a chip
//! image folder, and personalizing a chip (`cccd readers` and `cccd read` are in `read`).

use std::path::PathBuf;
use std::process::ExitCode;
#[cfg(feature = "pcsc")]
use std::time::{Duration, Instant};

use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::image::ChipImage;
use cccd::verify::{Policy, Verification, Verifier};

use super::CliError;

/// Arguments of `cccd emulate`.
#[derive(Debug, clap::Args)]
pub struct EmulateArgs {
    /// The chip image folder (one `NAME.bin` per EF, `secrets/`), as `cccd issue` writes it.
    #[arg(required_unless_present = "blank", conflicts_with = "blank")]
    chipdir: Option<PathBuf>,
    /// Serve a blank chip waiting for personalization (`cccd perso`); the open profile's transport key from
    /// `--transport-key-file`, `CCCD_TRANSPORT_KEY` or `--transport-key`.
    #[arg(long)]
    blank: bool,
    /// The chip: `open` (the virtual chip of `docs/perso-commands.md`) or `jmrtd-applet` (the JMRTD passport
    /// applet: personalized in the clear, BAC only, no SFI reads, 223 bytes a read, no extended length).
    #[arg(long, default_value = "open", value_parser = ["open", "jmrtd-applet"])]
    profile: String,
    /// The blank chip's AES transport key (the open profile).
    #[command(flatten)]
    transport_key: super::transport_key::TransportKeyArgs,
    /// Faults to inject: `drop-after=N`, `sw=N:6A82`, `corrupt=N`, `tear=N:K` (comma-separated; commands and
    /// writes counted from 0). A pulled card is taken out of the reader and put back half a second later.
    #[arg(long)]
    fault: Option<String>,
    /// A contactless link to simulate, in real time: `106k`, `212k`, `424k`, `848k`.
    #[arg(long)]
    link: Option<String>,
    /// The vpcd reader port (35963: `Virtual PCD 00 00`, 35964: `Virtual PCD 00 01`).
    #[arg(long, default_value_t = cccd::vpcd::DEFAULT_PORT)]
    port: u16,
    /// The host where the vpcd driver (pcscd) listens.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Behave as a chip without extended-length APDUs.
    #[arg(long)]
    no_extended_length: bool,
    /// Behave as a chip without EF.ATR/INFO (readers must try extended length to find out).
    #[arg(long)]
    no_atr_info: bool,
    /// Log every command and response to FILE (`-`: standard error), numbered from 0 as `--fault` counts them:
    /// header, lengths and status word only, data (personal data, keys, secure messaging) never.
    #[arg(long, value_name = "FILE")]
    log_apdus: Option<PathBuf>,
    /// Print the ready line (and card pulled/back events) as JSON lines on standard output.
    #[arg(long)]
    json: bool,
    /// Behave as real chips were seen to: comma-separated `nonce16` (PACE nonces of 2 blocks), `pad-files`
    /// (files padded with FF), `eof-6282` (6282 on every read reaching the end), `wrong-le` (6Cxx when Le runs
    /// past the end), `sw-only-errors` (errors without secure messaging), or `all`.
    #[arg(long, value_name = "LIST")]
    quirk: Option<String>,
}

/// The name `pcscd` gives the vpcd reader on `port` (`Virtual PCD 00 00` on 35963, `Virtual PCD 00 01` on
/// 35964, …: the slot is the port's offset from 35963).
pub fn vpcd_reader_name(port: u16) -> String {
    format!("Virtual PCD 00 {:02}", port.saturating_sub(cccd::vpcd::DEFAULT_PORT))
}

/// Reports an emulator event: text on standard error, or one JSON line on standard output.
fn emulator_event(json: bool, event: &str, text: &str, fields: serde_json::Value) {
    if json {
        let mut v = super::verdict::document("emulate", serde_json::json!({ "event": event }));
        if let (Some(obj), serde_json::Value::Object(more)) = (v.as_object_mut(), fields) {
            obj.extend(more);
        }
        super::print(&format!("{v}\n"));
    } else {
        eprintln!("cccd: {text}");
    }
}

/// Where `--log-apdus` writes.
enum ApduLog {
    Stderr,
    File(std::io::LineWriter<std::fs::File>),
}

impl ApduLog {
    fn line(&mut self, line: &str) {
        use std::io::Write;
        match self {
            ApduLog::Stderr => eprintln!("{line}"),
            ApduLog::File(f) => {
                let _ = writeln!(f, "{line}");
            }
        }
    }
}

/// Runs `cccd emulate`: serves the chip until the reader driver closes the connection.
pub fn emulate(args: &EmulateArgs) -> Result<ExitCode, CliError> {
    let mut config = if args.no_extended_length { ChipConfig::short_only() } else { ChipConfig::default() };
    if args.no_atr_info {
        config = config.without_atr_info();
    }
    if let Some(list) = &args.quirk {
        let quirks = cccd::emulator::Quirks::parse(list)
            .map_err(|e| CliError::Input { context: "--quirk".into(), message: e.to_string() })?;
        config = config.with_quirks(quirks);
    }
    let load = |dir: &PathBuf| {
        ChipImage::load_dir(dir)
            .map_err(|e| CliError::Input { context: dir.display().to_string(), message: e.to_string() })
    };
    let jmrtd = args.profile == "jmrtd-applet";
    let mut faults = match &args.fault {
        Some(spec) => cccd::emulator::Faults::parse(spec)
            .ok_or_else(|| CliError::Input { context: "--fault".into(), message: "not a fault list".into() })?,
        None => cccd::emulator::Faults::default(),
    };
    if let Some(link) = &args.link {
        let mut model = cccd::emulator::LinkModel::parse(link)
            .ok_or_else(|| CliError::Input { context: "--link".into(), message: "give e.g. 106k".into() })?;
        model.sleep = true;
        faults.link = Some(model);
    }
    let mut chip: Box<dyn cccd::transport::Transport> = match (&args.chipdir, args.blank, jmrtd) {
        (Some(dir), _, true) => {
            let image = load(dir)?;
            let mut chip = cccd::emulator::JmrtdAppletChip::issued(&image).ok_or_else(|| {
                let reasons = cccd::perso::PersoProfile::check(&cccd::perso::JmrtdAppletProfile::new(), &image);
                let list: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                CliError::Input {
                    context: dir.display().to_string(),
                    message: format!("the JMRTD applet cannot hold it: {}", list.join("; ")),
                }
            })?;
            chip.set_faults(faults);
            Box::new(chip)
        }
        (None, true, true) => {
            let mut chip = cccd::emulator::JmrtdAppletChip::blank();
            chip.set_faults(faults);
            Box::new(chip)
        }
        (Some(dir), _, false) => {
            let mut chip = VirtualChip::new(load(dir)?, config);
            chip.set_faults(faults);
            Box::new(chip)
        }
        (None, true, false) => {
            let mut chip = VirtualChip::blank(*args.transport_key.key()?, config);
            chip.set_faults(faults);
            Box::new(chip)
        }
        (None, false, _) => {
            let message = "give CHIPDIR or --blank".into();
            return Err(CliError::Input { context: "emulate".into(), message });
        }
    };
    let vpcd_err = |e: cccd::vpcd::VpcdError| CliError::Input {
        context: format!("vpcd {}:{}", args.host, args.port),
        message: e.to_string(),
    };
    let mut log = match &args.log_apdus {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(ApduLog::Stderr),
        Some(p) => Some(ApduLog::File(std::io::LineWriter::new(
            std::fs::File::create(p).map_err(|source| CliError::Io { path: p.display().to_string(), source })?,
        ))),
    };
    let reader = vpcd_reader_name(args.port);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // commands numbered as the chip's faults count them: from 0 over the chip's life, across pulls
    let mut index = 0usize;
    loop {
        let mut conn = cccd::vpcd::VpcdConnection::connect(&args.host, args.port).map_err(vpcd_err)?;
        let json = args.json;
        let mut on_ready = || {
            emulator_event(
                json,
                "ready",
                &format!("ready on {reader}"),
                serde_json::json!({ "reader": reader, "host": args.host, "port": args.port }),
            );
        };
        let served = match &mut log {
            None => conn.serve_observed(&mut chip, &cccd::vpcd::DEFAULT_ATR, &stop, &mut on_ready),
            Some(log) => {
                let mut logged = cccd::transport::Logging::new(&mut chip, |line: &str| {
                    if line.starts_with('>') {
                        log.line(&format!("#{index} {line}"));
                        index += 1;
                    } else if line.starts_with('<') || line.starts_with('!') {
                        log.line(&format!("#{} {line}", index.saturating_sub(1)));
                    } else {
                        log.line(&format!("-- {line}"));
                    }
                });
                conn.serve_observed(&mut logged, &cccd::vpcd::DEFAULT_ATR, &stop, &mut on_ready)
            }
        };
        match served {
            Ok(cccd::vpcd::ServeEnd::CardRemoved) => {
                // out of the field: the reader sees the card go, then come back with its memory intact
                drop(conn);
                emulator_event(
                    args.json,
                    "card_pulled",
                    "card pulled (injected fault); back in 0.5 s",
                    serde_json::json!({ "reader": reader }),
                );
                std::thread::sleep(std::time::Duration::from_millis(500));
                let _ = chip.reset();
            }
            Ok(cccd::vpcd::ServeEnd::Stopped) => return Ok(ExitCode::SUCCESS),
            Err(cccd::vpcd::VpcdError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Ok(ExitCode::SUCCESS);
            }
            Err(e) => return Err(vpcd_err(e)),
        }
    }
}

/// Prints a verification document: JSON, or the verdict first and then the report as text.
fn print_verification(v: &serde_json::Value, verification: &Verification, json: bool) {
    if !json {
        super::print(&super::verdict::verdict_text(verification));
    }
    print_report(v, json);
}

/// Trust material for Passive Authentication.
#[derive(Debug, clap::Args)]
pub struct TrustArgs {
    /// Trusted CSCA certificates: a PEM or DER file, a folder of them, or an ICAO CSCA master list (repeatable).
    /// A master list must be intact (signed by a signer a CSCA in it certified) unless `--ml-anchor` asks more.
    #[arg(long)]
    csca: Vec<PathBuf>,
    /// A CSCA certificate trusted beforehand (PEM or DER file, or a folder; repeatable): every master list
    /// given with `--csca` must be signed by a signer one of these certified, valid as of the date checked.
    #[arg(long)]
    ml_anchor: Vec<PathBuf>,
    /// A certificate revocation list from a CSCA (DER or PEM; repeatable).
    #[arg(long)]
    crl: Vec<PathBuf>,
    /// A Document Signer certificate (PEM or DER), for SODs that do not carry theirs (repeatable).
    #[arg(long)]
    ds: Vec<PathBuf>,
}

impl TrustArgs {
    /// The trust store these arguments name, master lists checked as of `at` (today when `None`).
    pub fn load(&self, at: Option<time::Date>) -> Result<cccd::pa::TrustStore, CliError> {
        let mut store = cccd::pa::TrustStore::new();
        let bad = |e: cccd::pa::TrustError| CliError::Input { context: "trust store".into(), message: e.to_string() };
        if !self.ml_anchor.is_empty() {
            let mut anchors = cccd::pa::TrustStore::new();
            anchors.set_master_list_policy(cccd::pa::MasterListPolicy::Unchecked);
            for path in &self.ml_anchor {
                anchors.add_path(path).map_err(bad)?;
            }
            store
                .set_master_list_policy(cccd::pa::MasterListPolicy::Anchored { anchors: anchors.cscas().to_vec(), at });
        }
        for path in &self.csca {
            store.add_path(path).map_err(bad)?;
        }
        for path in &self.crl {
            store.add_crl_path(path).map_err(bad)?;
        }
        for path in &self.ds {
            let bytes =
                std::fs::read(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
            store
                .add_document_signer_bytes(&bytes)
                .map_err(|e| CliError::Input { context: path.display().to_string(), message: e.to_string() })?;
        }
        Ok(store)
    }
}

/// Arguments of `cccd verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// A chip image folder, or the folder `cccd read --out` wrote.
    chipdir: PathBuf,
    /// Check certificate validity as of this date (`YYYY-MM-DD`; default today).
    #[arg(long)]
    at: Option<String>,
    #[command(flatten)]
    trust: TrustArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `cccd verify`: the verdict on a chip image folder. With the image's secrets (a folder `cccd issue`
/// wrote) the image is served by an in-process virtual chip and read as `cccd read` reads a card, so Chip and
/// Active Authentication run; a folder of files only (`cccd read --out`) is verified as files. Exit status 0
/// only when genuine.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, CliError> {
    let ctx = || args.chipdir.display().to_string();
    let image =
        ChipImage::load_dir(&args.chipdir).map_err(|e| CliError::Input { context: ctx(), message: e.to_string() })?;
    let at = match &args.at {
        Some(d) => Some(
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| CliError::Input { context: "--at".into(), message: "not a YYYY-MM-DD date".into() })?,
        ),
        None => None,
    };
    let trust = args.trust.load(at)?;
    let verifier = Verifier::new(&trust, Policy::counter()).at(at);
    let checked = cccd::emulator::verify_image(&image, &verifier)
        .map_err(|e| CliError::Input { context: ctx(), message: format!("reading the image's virtual chip: {e}") })?;
    let verification = checked.verification;
    let v = cccd::json::verify(&verification, checked.session, checked.access);
    print_verification(&v, &verification, args.json);
    Ok(super::verdict::exit_of(&verification))
}

/// Arguments of `cccd perso`.
#[cfg(feature = "pcsc")]
#[derive(Debug, clap::Args)]
pub struct PersoArgs {
    /// The PC/SC reader holding the blank (or half-written) chip: its name, a unique prefix or its index.
    #[arg(long)]
    reader: String,
    /// The chip image folder to write (`cccd issue` makes one).
    chipdir: PathBuf,
    /// The chip's AES transport key (the open profile): `--transport-key-file`, `CCCD_TRANSPORT_KEY` or
    /// `--transport-key`.
    #[command(flatten)]
    transport_key: super::transport_key::TransportKeyArgs,
    /// The chip's personalization commands: `open` (`docs/perso-commands.md`) or `jmrtd-applet` (the JMRTD
    /// passport applet, in the clear; an image it cannot hold is refused before the first write).
    #[arg(long, default_value = "open", value_parser = ["open", "jmrtd-applet"])]
    profile: String,
    /// Seconds to wait for a card in the reader.
    #[arg(long, default_value_t = 10)]
    wait: u64,
    /// An inspection-system folder (`cccd pki is`): the reader session before LOCK runs Terminal
    /// Authentication with it and reads DG3/DG4 back through it (else they are read back in the
    /// personalization session).
    #[arg(long, value_name = "DIR")]
    terminal: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `cccd perso`: writes, verifies, locks; exit 1 when the chip was not completed (run again), 4 when the
/// card was pulled (run again), 3 when the chip refused the transport key.
#[cfg(feature = "pcsc")]
pub fn perso(args: &PersoArgs) -> Result<ExitCode, CliError> {
    use cccd::perso::{JmrtdAppletProfile, OpenEmrtdProfile, PersoError, PersoProfile};
    let image = ChipImage::load_dir(&args.chipdir)
        .map_err(|e| CliError::Input { context: args.chipdir.display().to_string(), message: e.to_string() })?;
    let terminal = args.terminal.as_deref().map(super::eac::load_terminal).transpose()?;
    let profile: Box<dyn PersoProfile> = match args.profile.as_str() {
        "jmrtd-applet" => Box::new(JmrtdAppletProfile::new()),
        _ => Box::new(OpenEmrtdProfile::new(*args.transport_key.key()?)),
    };
    let names = super::read::list()?;
    let reader = super::read::resolve_reader(Some(&args.reader), &names)?;
    let mut transport = super::read::connect_waiting(&reader, Instant::now() + Duration::from_secs(args.wait))?;
    let total: usize = image.files.values().map(Vec::len).sum();
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let mut personalizer = cccd::perso::Personalizer::new(&*profile, &image).on_progress(|p| {
        bar.set_position(p.bytes_written as u64);
        bar.set_message(p.step);
    });
    if let Some(t) = terminal {
        personalizer = personalizer.with_terminal(t);
    }
    let result = personalizer.run(&mut transport);
    let status = personalizer.chip_status();
    drop(personalizer);
    bar.finish_and_clear();
    let code = match &result {
        Ok(_) => ExitCode::SUCCESS,
        Err(PersoError::WrongTransportKey { .. } | PersoError::Blocked) => super::verdict::Exit::AccessRefused.into(),
        Err(PersoError::Transport(cccd::transport::TransportError::CardRemoved)) => {
            super::verdict::Exit::CardRemoved.into()
        }
        Err(_) => super::verdict::Exit::NotValid.into(),
    };
    let v = cccd::json::perso(&result, status, started.elapsed().as_millis() as u64);
    print_report(&v, args.json);
    Ok(code)
}

/// Prints a report as JSON or as indented text.
pub(super) fn print_report(v: &serde_json::Value, json: bool) {
    let text = if json {
        serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
    } else {
        let mut s = String::new();
        super::inspect::write_text(&mut s, v, 0);
        s
    };
    super::print(&text);
}
