//! `cccd emulate`, `cccd readers` and `cccd read`: the virtual chip behind a PC/SC reader, and reading a chip.

use std::path::PathBuf;
use std::process::ExitCode;
#[cfg(feature = "pcsc")]
use std::time::{Duration, Instant};

use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::image::ChipImage;

use super::CliError;

/// Arguments of `cccd emulate`.
#[derive(Debug, clap::Args)]
pub struct EmulateArgs {
    /// The chip image folder (one `NAME.bin` per EF, `secrets/`), as `cccd issue` writes it.
    #[arg(required_unless_present = "blank", conflicts_with = "blank")]
    chipdir: Option<PathBuf>,
    /// Serve a blank chip waiting for personalization (`cccd perso`).
    #[arg(long, requires = "transport_key")]
    blank: bool,
    /// The blank chip's AES transport key (32 hex digits).
    #[arg(long)]
    transport_key: Option<String>,
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
    /// Behave as real chips were seen to: comma-separated `nonce16` (PACE nonces of 2 blocks), `pad-files`
    /// (files padded with FF), `eof-6282` (6282 on every read reaching the end), `wrong-le` (6Cxx when Le runs
    /// past the end), `sw-only-errors` (errors without secure messaging), or `all`.
    #[arg(long, value_name = "LIST")]
    quirk: Option<String>,
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
    let mut chip = match (&args.chipdir, &args.transport_key) {
        (Some(dir), _) => VirtualChip::new(
            ChipImage::load_dir(dir)
                .map_err(|e| CliError::Input { context: dir.display().to_string(), message: e.to_string() })?,
            config,
        ),
        (None, Some(key)) => VirtualChip::blank(parse_transport_key(key)?, config),
        (None, None) => {
            return Err(CliError::Input { context: "emulate".into(), message: "give CHIPDIR or --blank".into() });
        }
    };
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
    chip.set_faults(faults);
    let vpcd_err = |e: cccd::vpcd::VpcdError| CliError::Input {
        context: format!("vpcd {}:{}", args.host, args.port),
        message: e.to_string(),
    };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    loop {
        let mut conn = cccd::vpcd::VpcdConnection::connect(&args.host, args.port).map_err(vpcd_err)?;
        eprintln!("cccd: virtual chip connected to vpcd at {}:{}", args.host, args.port);
        match conn.serve(&mut chip, &cccd::vpcd::DEFAULT_ATR, &stop) {
            Ok(cccd::vpcd::ServeEnd::CardRemoved) => {
                // out of the field: the reader sees the card go, then come back with its memory intact
                drop(conn);
                eprintln!("cccd: card pulled (injected fault); back in 0.5 s");
                std::thread::sleep(std::time::Duration::from_millis(500));
                let _ = cccd::transport::Transport::reset(&mut chip);
            }
            Ok(cccd::vpcd::ServeEnd::Stopped) => return Ok(ExitCode::SUCCESS),
            Err(cccd::vpcd::VpcdError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Ok(ExitCode::SUCCESS);
            }
            Err(e) => return Err(vpcd_err(e)),
        }
    }
}

/// A 16-byte AES transport key from 32 hex digits.
pub fn parse_transport_key(hex_key: &str) -> Result<[u8; 16], CliError> {
    let bad = || CliError::Input { context: "--transport-key".into(), message: "32 hex digits".into() };
    let bytes = zeroize::Zeroizing::new(hex::decode(hex_key.trim()).map_err(|_| bad())?);
    <[u8; 16]>::try_from(bytes.as_slice()).map_err(|_| bad())
}

/// Runs `cccd readers`.
#[cfg(feature = "pcsc")]
pub fn readers() -> Result<ExitCode, CliError> {
    let names = cccd::transport::pcsc::list_readers()
        .map_err(|e| CliError::Input { context: "PC/SC".into(), message: e.to_string() })?;
    let mut out = String::new();
    for n in names {
        out.push_str(&n);
        out.push('\n');
    }
    super::print(&out);
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `cccd read`.
#[cfg(feature = "pcsc")]
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).multiple(false).args(["mrz", "doc", "can"])))]
pub struct ReadArgs {
    /// The PC/SC reader.
    #[arg(long)]
    reader: String,
    /// The card access number printed on the card (6 digits on a CCCD), for PACE.
    #[arg(long)]
    can: Option<String>,
    /// The MRZ printed on the document (lines separated by newlines), for BAC or PACE.
    #[arg(long)]
    mrz: Option<String>,
    /// The access control with an MRZ key: `bac`, `pace` or `pace-then-bac` (the report says which ran).
    #[arg(long, default_value = "bac", value_parser = ["bac", "pace", "pace-then-bac"])]
    access: String,
    /// The document number, for BAC (with --dob and --doe).
    #[arg(long, requires_all = ["dob", "doe"])]
    doc: Option<String>,
    /// Date of birth `YYMMDD`.
    #[arg(long)]
    dob: Option<String>,
    /// Date of expiry `YYMMDD`.
    #[arg(long)]
    doe: Option<String>,
    /// Write each file read here (`NAME.bin`).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    trust: TrustArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for a card in the reader.
    #[arg(long, default_value_t = 10)]
    wait: u64,
}

/// Runs `cccd read`.
#[cfg(feature = "pcsc")]
pub fn read(args: &ReadArgs) -> Result<ExitCode, CliError> {
    use cccd::access::bac::BacKey;
    use cccd::access::pace::PacePassword;
    use cccd::reader::{AccessControl, Reader};
    use serde_json::json;
    let input = |m: String| CliError::Input { context: "access key".into(), message: m };
    let access = if let Some(can) = &args.can {
        if can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()) {
            return Err(input("the CAN is 6 digits".into()));
        }
        AccessControl::Pace(PacePassword::Can(zeroize::Zeroizing::new(can.clone())))
    } else {
        let information = match (&args.mrz, &args.doc, &args.dob, &args.doe) {
            (Some(text), ..) => {
                let mrz = cccd::mrz::Mrz::parse(text).map_err(|e| input(e.to_string()))?;
                mrz.mrz_information().map_err(|e| input(e.to_string()))?
            }
            (None, Some(doc), Some(dob), Some(doe)) => {
                BacKey::mrz_information_of(doc, dob, doe).map_err(|e| input(e.to_string()))?
            }
            _ => return Err(input("give --can, --mrz, or --doc with --dob and --doe".into())),
        };
        let bac = BacKey::from_mrz_information(&information);
        let pace = PacePassword::Mrz(information);
        match args.access.as_str() {
            "pace" => AccessControl::Pace(pace),
            "pace-then-bac" => AccessControl::PaceThenBac(pace, bac),
            _ => AccessControl::Bac(bac),
        }
    };
    let deadline = Instant::now() + Duration::from_secs(args.wait);
    let mut transport = loop {
        match cccd::transport::pcsc::PcscTransport::connect(&args.reader) {
            Ok(t) => break t,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(CliError::Input { context: args.reader.clone(), message: e.to_string() }),
        }
    };
    let mut reader = Reader::new(access);
    let started = Instant::now();
    let result = reader
        .read(&mut transport)
        .map_err(|e| CliError::Input { context: args.reader.clone(), message: e.to_string() })?;
    let elapsed = started.elapsed();
    let mut face = serde_json::Value::Null;
    if let Some(dir) = &args.out {
        for (file, bytes) in &result.files {
            super::write_file(&dir.join(format!("{}.bin", file.name())), bytes)?;
        }
        face = match write_face(dir, &result.files) {
            Ok(Some(path)) => json!({ "png": path }),
            Ok(None) => serde_json::Value::Null,
            Err(e) => json!({ "error": e }),
        };
    }
    let files: Vec<_> = result.files.iter().map(|(f, b)| json!({ "file": f.name(), "length": b.len() })).collect();
    let trust = args.trust.load(None)?;
    let mut valid = false;
    let unverified = cccd::pa::Check::NotChecked("no Passive Authentication".into());
    let mut authenticity =
        cccd::reader::Authenticity { chip_authentication: unverified.clone(), active_authentication: unverified };
    // EF.CardSecurity (read after PACE-CAM): its own signature report; it vouches for the chip key it holds
    let card_security_report =
        result.files.get(&cccd::lds::LdsFile::CardSecurity).map(|b| cccd::pa::verify_card_security(b, &trust, None));
    let card_security = match &card_security_report {
        Some(Ok(r)) => {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["valid"] = serde_json::Value::Bool(r.is_valid());
            v
        }
        Some(Err(e)) => json!({ "error": e.to_string() }),
        None => serde_json::Value::Null,
    };
    let passive_authentication = match result.files.get(&cccd::lds::LdsFile::Sod) {
        Some(sod) => match cccd::pa::verify_with_store(sod, &result.files, None, &trust) {
            Ok(r) => {
                valid = r.is_valid();
                authenticity = result
                    .authenticity_with_card_security(&r, card_security_report.as_ref().and_then(|c| c.as_ref().ok()));
                let mut v = serde_json::to_value(&r).unwrap_or_default();
                v["valid"] = serde_json::Value::Bool(valid);
                v
            }
            Err(e) => json!({ "error": e.to_string() }),
        },
        None => json!({ "error": "no EF.SOD read" }),
    };
    // a chip that fails Chip or Active Authentication does not hold the keys its signed files name: a clone
    let failed = |c: &cccd::pa::Check| matches!(c, cccd::pa::Check::Failed(_));
    let clone = failed(&result.chip_authentication) || failed(&result.active_authentication);
    let card_security_valid = card_security_report.as_ref().is_none_or(|r| r.as_ref().is_ok_and(|r| r.is_valid()));
    valid = valid && !clone && card_security_valid;
    let v = json!({
        "reader": args.reader,
        "access": result.access,
        "extended_length": result.extended_length,
        "apdus": reader.apdu_count(),
        "milliseconds": elapsed.as_millis() as u64,
        "files": files,
        "protected": result.protected.iter().map(|f| f.name()).collect::<Vec<_>>(),
        "passive_authentication": passive_authentication,
        "card_security": card_security,
        "chip_authentication": authenticity.chip_authentication,
        "chip_key_source": result.chip_key_source,
        "active_authentication": authenticity.active_authentication,
        "clone_suspected": clone,
        "valid": valid,
        "face": face,
    });
    print_report(&v, args.json);
    Ok(if valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Writes the first face of DG2 as `face.png` in `dir`; `None` when no DG2 was read.
#[cfg(feature = "pcsc")]
fn write_face(
    dir: &std::path::Path,
    files: &std::collections::BTreeMap<cccd::lds::LdsFile, Vec<u8>>,
) -> Result<Option<String>, String> {
    let Some(dg2) = cccd::lds::LdsFile::dg(2).and_then(|f| files.get(&f)) else { return Ok(None) };
    let dg2 = cccd::lds::dg2::Dg2::decode(dg2).map_err(|e| e.to_string())?;
    let face = dg2.faces().next().ok_or("DG2 holds no face")?;
    let png = cccd::face::decode(face).and_then(|i| cccd::face::to_png(&i)).map_err(|e| e.to_string())?;
    let path = dir.join("face.png");
    std::fs::write(&path, png).map_err(|e| e.to_string())?;
    Ok(Some(path.display().to_string()))
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
                .map_err(|message| CliError::Input { context: path.display().to_string(), message })?;
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

/// Runs `cccd verify`: Passive Authentication of a folder of files; exit status 1 when not valid.
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
    let sod = image
        .files
        .get(&cccd::lds::LdsFile::Sod)
        .ok_or(CliError::Input { context: ctx(), message: "no EF.SOD.bin".into() })?;
    let trust = args.trust.load(at)?;
    let report = cccd::pa::verify_with_store(sod, &image.files, at, &trust)
        .map_err(|e| CliError::Input { context: ctx(), message: e.to_string() })?;
    let mut v = serde_json::to_value(&report).unwrap_or_default();
    // EF.CardSecurity, when the folder has one: its own signature report, part of the verdict
    let card_security = image.files.get(&cccd::lds::LdsFile::CardSecurity).map(|bytes| {
        cccd::pa::verify_card_security(bytes, &trust, at)
            .map_err(|e| CliError::Input { context: ctx(), message: e.to_string() })
    });
    let card_security_valid = match card_security {
        Some(Ok(r)) => {
            v["card_security"] = serde_json::to_value(&r).unwrap_or_default();
            v["card_security"]["valid"] = serde_json::Value::Bool(r.is_valid());
            r.is_valid()
        }
        Some(Err(e)) => return Err(e),
        None => true,
    };
    let valid = report.is_valid() && card_security_valid;
    v["valid"] = serde_json::Value::Bool(valid);
    print_report(&v, args.json);
    Ok(if valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Arguments of `cccd perso`.
#[cfg(feature = "pcsc")]
#[derive(Debug, clap::Args)]
pub struct PersoArgs {
    /// The PC/SC reader holding the blank (or half-written) chip.
    #[arg(long)]
    reader: String,
    /// The chip image folder to write (`cccd issue` makes one).
    chipdir: PathBuf,
    /// The chip's AES transport key (32 hex digits).
    #[arg(long)]
    transport_key: String,
    /// Seconds to wait for a card in the reader.
    #[arg(long, default_value_t = 10)]
    wait: u64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `cccd perso`: writes, verifies, locks; exit 1 when the chip was not completed (run again).
#[cfg(feature = "pcsc")]
pub fn perso(args: &PersoArgs) -> Result<ExitCode, CliError> {
    use cccd::perso::{OpenEmrtdProfile, PersoError, Personalizer};
    let image = ChipImage::load_dir(&args.chipdir)
        .map_err(|e| CliError::Input { context: args.chipdir.display().to_string(), message: e.to_string() })?;
    let profile = OpenEmrtdProfile::new(parse_transport_key(&args.transport_key)?);
    let deadline = Instant::now() + Duration::from_secs(args.wait);
    let mut transport = loop {
        match cccd::transport::pcsc::PcscTransport::connect(&args.reader) {
            Ok(t) => break t,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(CliError::Input { context: args.reader.clone(), message: e.to_string() }),
        }
    };
    let total: usize = image.files.values().map(Vec::len).sum();
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let result = Personalizer::new(&profile, &image)
        .on_progress(|p| {
            bar.set_position(p.bytes_written as u64);
            bar.set_message(p.step);
        })
        .run(&mut transport);
    bar.finish_and_clear();
    let (code, v) = match result {
        Ok(r) => (
            ExitCode::SUCCESS,
            serde_json::json!({
                "locked": true,
                "already_locked": r.already_locked,
                "apdus": r.apdus,
                "bytes_written": r.bytes_written,
                "files_kept": r.files_kept,
                "verified_with": r.reader_access,
                "milliseconds": started.elapsed().as_millis() as u64,
            }),
        ),
        Err(e) => {
            let resumable = matches!(e, PersoError::Transport(_) | PersoError::SecureMessaging(_));
            (ExitCode::from(1), serde_json::json!({ "locked": false, "error": e.to_string(), "run_again": resumable }))
        }
    };
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
