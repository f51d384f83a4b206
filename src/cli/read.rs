//! `cccd readers` and `cccd read`: choosing a PC/SC reader, reading a chip (waiting for a pulled card to come
//! back and resuming), and what the clerk sees and keeps (text, `--json`, `--html`, the saved folder).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use cccd::lds::LdsFile;
use cccd::reader::ReadError;
use cccd::transport::TransportError;
use cccd::transport::pcsc::{PcscError, PcscTransport};
use serde_json::{Value, json};

use super::CliError;

/// Arguments of `cccd readers`.
#[derive(Debug, clap::Args)]
pub struct ReadersArgs {
    /// Print JSON: `{"schema_version": 1, "command": "readers", "readers": [{"index", "name"}]}`.
    #[arg(long)]
    json: bool,
}

/// Runs `cccd readers`: one reader a line, with the index `--reader` accepts.
pub fn readers(args: &ReadersArgs) -> Result<ExitCode, CliError> {
    let names = list()?;
    if args.json {
        let list: Vec<Value> = names.iter().enumerate().map(|(i, n)| json!({ "index": i, "name": n })).collect();
        super::print(&format!("{}\n", super::verdict::document("readers", json!({ "readers": list }))));
    } else {
        let mut out = String::new();
        for (i, n) in names.iter().enumerate() {
            out.push_str(&format!("{i}: {n}\n"));
        }
        super::print(&out);
    }
    Ok(ExitCode::SUCCESS)
}

/// The readers PC/SC knows.
pub fn list() -> Result<Vec<String>, CliError> {
    cccd::transport::pcsc::list_readers().map_err(|e| pcsc_failure("PC/SC", &e))
}

/// A PC/SC failure in its class: a removed card (exit 4), else no card, no reader or PC/SC itself (exit 5).
fn pcsc_failure(context: &str, e: &PcscError) -> CliError {
    let (context, message) = (context.to_string(), e.to_string());
    match e.kind {
        TransportError::CardRemoved => CliError::CardRemoved { context, message },
        _ => CliError::NoCard { context, message },
    }
}

/// The reader `wanted` names among `names`: the exact name, else an index (`0`, `1`, …), else the one name it
/// is a prefix of (case ignored). When none or several match, the error lists every reader.
pub fn resolve_reader(wanted: Option<&str>, names: &[String]) -> Result<String, CliError> {
    let listing = || {
        if names.is_empty() {
            "no PC/SC reader is connected".to_string()
        } else {
            let l: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("{i}: {n}")).collect();
            format!("the readers are {}", l.join("; "))
        }
    };
    let fail = |why: String| CliError::NoCard { context: "--reader".into(), message: format!("{why}; {}", listing()) };
    let Some(wanted) = wanted else {
        return match names {
            [only] => Ok(only.clone()),
            [] => Err(fail("no reader".into())),
            _ => Err(fail("several readers: choose one with --reader NAME, a prefix of it or its index".into())),
        };
    };
    if let Some(n) = names.iter().find(|n| n.as_str() == wanted) {
        return Ok(n.clone());
    }
    if let Ok(i) = wanted.parse::<usize>() {
        return names.get(i).cloned().ok_or_else(|| fail(format!("no reader with index {i}")));
    }
    let lower = wanted.to_lowercase();
    let matching: Vec<&String> = names.iter().filter(|n| n.to_lowercase().starts_with(&lower)).collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(fail(format!("no reader named {wanted:?} or starting so"))),
        _ => Err(fail(format!("{wanted:?} starts several reader names"))),
    }
}

/// Connects to the card in `reader`, waiting until `deadline` for one to be put there.
pub fn connect_waiting(reader: &str, deadline: Instant) -> Result<PcscTransport, CliError> {
    loop {
        match PcscTransport::open(reader) {
            Ok(t) => return Ok(t),
            Err(e) if Instant::now() < deadline && !matches!(e.kind, TransportError::Pcsc(_)) => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => {
                let mut failure = pcsc_failure(reader, &e);
                if let (CliError::NoCard { message, .. }, TransportError::NoCard) = (&mut failure, &e.kind) {
                    *message = format!("{message}; put the card on the reader (or wait longer with --wait SECONDS)");
                }
                return Err(failure);
            }
        }
    }
}

/// Arguments of `cccd read`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).multiple(false).args(["mrz", "doc", "can"])))]
pub struct ReadArgs {
    /// The PC/SC reader: its name, a unique prefix of it, or its index in `cccd readers` (default: the only one).
    #[arg(long)]
    reader: Option<String>,
    /// The card access number printed on the card (6 digits on a CCCD), for PACE.
    #[arg(long)]
    can: Option<String>,
    /// The MRZ printed on the document, for BAC or PACE: the whole MRZ, TD1's first two lines or TD3's second
    /// line; case, spaces and line breaks do not matter.
    #[arg(long)]
    mrz: Option<String>,
    /// The access control: `bac`, `pace` or `pace-then-bac`. Default: PACE when EF.CardAccess offers it, BAC
    /// otherwise (the report says which ran and why).
    #[arg(long, value_parser = ["bac", "pace", "pace-then-bac"])]
    access: Option<String>,
    /// The document number, for BAC (with --dob and --doe).
    #[arg(long, requires_all = ["dob", "doe"])]
    doc: Option<String>,
    /// Date of birth `YYMMDD`.
    #[arg(long)]
    dob: Option<String>,
    /// Date of expiry `YYMMDD`.
    #[arg(long)]
    doe: Option<String>,
    /// Keep what was read here: each file (`NAME.bin`), `face.png`, the finger and iris images of DG3/DG4 in
    /// `DG3/`, `DG4/` (PNG where the codec allows), `report.txt`, `report.json`. Default: a folder named after
    /// the document number in the current folder.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Save nothing (no folder, no face).
    #[arg(long, conflicts_with = "out")]
    no_save: bool,
    /// Also write a one-page HTML report (face, holder, verdict, checks, certificate chain) to this file.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    #[command(flatten)]
    trust: super::chip::TrustArgs,
    /// An inspection-system folder (`cccd pki is`: `cvca.cvcert`, `dv.cvcert`, `is.cvcert`, `is.key`):
    /// Terminal Authentication after Chip Authentication, then DG3/DG4 as its rights allow. Without it they
    /// are reported protected by EAC.
    #[arg(long, value_name = "DIR")]
    terminal: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for a card in the reader, and for a card pulled during the read to be put back.
    #[arg(long, default_value_t = 10)]
    wait: u64,
}

/// The access control the arguments ask for, and how it was chosen (for the report).
fn access_control(args: &ReadArgs) -> Result<cccd::reader::AccessControl, CliError> {
    use cccd::access::bac::BacKey;
    use cccd::access::pace::PacePassword;
    use cccd::reader::AccessControl;
    let input = |m: String| CliError::Input { context: "access key".into(), message: m };
    if let Some(can) = &args.can {
        if can.len() != 6 || !can.bytes().all(|b| b.is_ascii_digit()) {
            return Err(input("the CAN is 6 digits".into()));
        }
        if matches!(args.access.as_deref(), Some("bac")) {
            return Err(input("BAC needs the MRZ; the CAN is for PACE".into()));
        }
        return Ok(AccessControl::Pace(PacePassword::Can(zeroize::Zeroizing::new(can.clone()))));
    }
    let information = match (&args.mrz, &args.doc, &args.dob, &args.doe) {
        (Some(text), ..) => cccd::mrz::access_key_from_text(text).map_err(|e| input(e.to_string()))?,
        (None, Some(doc), Some(dob), Some(doe)) => {
            BacKey::mrz_information_of(&doc.to_ascii_uppercase(), dob, doe).map_err(|e| input(e.to_string()))?
        }
        _ => return Err(input("give --can, --mrz, or --doc with --dob and --doe".into())),
    };
    let bac = BacKey::from_mrz_information(&information);
    let pace = PacePassword::Mrz(information);
    Ok(match args.access.as_deref() {
        Some("pace") => AccessControl::Pace(pace),
        Some("bac") => AccessControl::Bac(bac),
        // explicit or by default: PACE when EF.CardAccess offers it, else BAC (said in the result)
        _ => AccessControl::PaceThenBac(pace, bac),
    })
}

/// A read failure as the clerk should see it: what happened and what to do, in its class (exit code).
fn read_failure(reader: &str, e: &ReadError) -> CliError {
    use cccd::access::AccessError;
    enum Class {
        AccessRefused,
        CardRemoved,
        NoCard,
        Chip,
    }
    let (class, advice) = match e {
        ReadError::Transport(TransportError::CardRemoved | TransportError::NoCard) => {
            (Class::CardRemoved, "put the card back on the reader and read again".to_string())
        }
        ReadError::Transport(_) => (Class::NoCard, "check the reader's cable and pcscd".to_string()),
        ReadError::Access(AccessError::PasswordRejected { retries_left: Some(1) }) => (
            Class::AccessRefused,
            "WARNING: one try left; check the CAN (or use the MRZ) before trying again".to_string(),
        ),
        ReadError::Access(AccessError::PasswordRejected { retries_left: Some(0) }) => {
            (Class::AccessRefused, "the CAN is blocked on this chip: read it with the MRZ (--mrz)".to_string())
        }
        ReadError::Access(AccessError::PasswordRejected { .. } | AccessError::AuthenticationFailed) => {
            (Class::AccessRefused, "check the MRZ or CAN typed against the document".to_string())
        }
        ReadError::Access(AccessError::Rejected(sw)) => (Class::AccessRefused, sw.meaning().action.to_string()),
        ReadError::Access(_) => (Class::AccessRefused, "check the access key".to_string()),
        ReadError::Status { sw, .. } => (Class::Chip, sw.meaning().action.to_string()),
        ReadError::SecureMessaging(cccd::sm::SmError::UnprotectedResponse(sw)) => {
            (Class::Chip, sw.meaning().action.to_string())
        }
        _ => (Class::Chip, "read again; a chip that keeps failing may be damaged".to_string()),
    };
    let (context, message) = (reader.to_string(), format!("{e}; what to do: {advice}"));
    match class {
        Class::AccessRefused => CliError::AccessRefused { context, message },
        Class::CardRemoved => CliError::CardRemoved { context, message },
        Class::NoCard => CliError::NoCard { context, message },
        Class::Chip => CliError::Chip { context, message },
    }
}

/// Runs `cccd read`.
pub fn read(args: &ReadArgs) -> Result<ExitCode, CliError> {
    use cccd::reader::Reader;
    let access = access_control(args)?;
    let terminal = args.terminal.as_deref().map(super::eac::load_terminal).transpose()?;
    let reader_name = resolve_reader(args.reader.as_deref(), &list()?)?;
    let wait = Duration::from_secs(args.wait);
    let mut transport = connect_waiting(&reader_name, Instant::now() + wait)?;
    let mut reader = match terminal {
        Some(t) => Reader::new(access).with_terminal(t),
        None => Reader::new(access),
    };
    let started = Instant::now();
    let mut resumed = 0u64;
    let result = loop {
        match reader.read(&mut transport) {
            Ok(r) => break r,
            Err(ReadError::Transport(TransportError::CardRemoved | TransportError::NoCard)) if resumed < 20 => {
                resumed += 1;
                eprintln!(
                    "cccd: the card left {reader_name} after {} bytes; put it back (waiting up to {} s), the read resumes",
                    reader.bytes_read(),
                    args.wait
                );
                drop(transport);
                transport = connect_waiting(&reader_name, Instant::now() + wait).map_err(|e| match e {
                    CliError::CardRemoved { context, message } | CliError::NoCard { context, message } => {
                        CliError::CardRemoved {
                            context,
                            message: format!("the card was not put back within {} s ({message})", args.wait),
                        }
                    }
                    other => other,
                })?;
            }
            Err(e) => return Err(read_failure(&reader_name, &e)),
        }
    };
    let elapsed = started.elapsed();
    let trust = args.trust.load(None)?;
    let verification = cccd::verify::Verifier::new(&trust, cccd::verify::Policy::counter()).verify_read(&result);
    let mut v = cccd::json::read(&result, &verification, &trust);
    v["reader"] = json!(reader_name);
    v["apdus"] = json!(reader.apdu_count());
    v["milliseconds"] = json!(elapsed.as_millis() as u64);
    v["resumed"] = json!(resumed);
    let face_png = face_png(&result.files);
    v["face"] = match &face_png {
        Ok(Some(_)) => json!({ "decoded": true }),
        Ok(None) => Value::Null,
        Err(e) => json!({ "error": e }),
    };
    let face = face_png.ok().flatten();
    if !args.no_save {
        let dir = match &args.out {
            Some(d) => d.clone(),
            None => PathBuf::from(default_folder(&v)),
        };
        save(&dir, &result.files, face.as_deref(), &mut v)?;
    }
    if let Some(path) = &args.html {
        super::write_file(path, super::report::html(&v, face.as_deref()).as_bytes())?;
        v["saved"]["html"] = json!(path.display().to_string());
    }
    if args.json {
        super::print(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
    } else {
        super::print(&super::report::text(&v));
    }
    Ok(super::verdict::exit_of(&verification))
}

/// The default folder: the document number (letters and digits only), else `cccd-read`.
fn default_folder(v: &Value) -> String {
    let doc: String = v["holder"]["document_number"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if doc.is_empty() { "cccd-read".into() } else { doc }
}

/// Writes every file, the face and the short report (text and JSON) in `dir`; records what went where.
fn save(
    dir: &Path,
    files: &std::collections::BTreeMap<LdsFile, Vec<u8>>,
    face: Option<&[u8]>,
    v: &mut Value,
) -> Result<(), CliError> {
    for (file, bytes) in files {
        super::write_file(&dir.join(format!("{}.bin", file.name())), bytes)?;
    }
    v["saved"] = json!({ "folder": dir.display().to_string() });
    if let Some(png) = face {
        let path = dir.join("face.png");
        super::write_file(&path, png)?;
        v["saved"]["face"] = json!(path.display().to_string());
        // kept for readers of the earlier field
        v["face"]["png"] = json!(path.display().to_string());
    }
    // DG3/DG4 (read after Terminal Authentication): each finger or iris image in DIR/DG3/, DIR/DG4/, as
    // `cccd inspect --out` writes them (19794 records and 39794 blocks alike)
    for (file, bytes) in files.iter().filter(|(f, _)| matches!(f.dg_number(), Some(3 | 4))) {
        if let Ok(group) = cccd::lds::dg3::BiometricGroup::decode(bytes) {
            let images = super::inspect_eac::write_images(&dir.join(file.name()), &group)?;
            if !images.is_empty() {
                v["saved"][file.name()] = json!(dir.join(file.name()).display().to_string());
            }
        }
    }
    v["saved"]["report"] = json!(dir.join("report.txt").display().to_string());
    super::write_file(&dir.join("report.txt"), super::report::text(v).as_bytes())?;
    super::write_file(&dir.join("report.json"), (serde_json::to_string_pretty(v).unwrap_or_default() + "\n").as_bytes())
}

/// The first face of DG2 as PNG; `None` when no DG2 was read.
fn face_png(files: &std::collections::BTreeMap<LdsFile, Vec<u8>>) -> Result<Option<Vec<u8>>, String> {
    let Some(dg2) = LdsFile::dg(2).and_then(|f| files.get(&f)) else { return Ok(None) };
    let dg2 = cccd::lds::dg2::Dg2::decode(dg2).map_err(|e| e.to_string())?;
    let face = dg2.faces().next().ok_or("DG2 holds no face")?;
    cccd::face::decode(&face).and_then(|i| cccd::face::to_png(&i)).map(Some).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_are_chosen_by_name_prefix_or_index() {
        let names = vec!["Virtual PCD 00 00".to_string(), "Virtual PCD 00 01".to_string(), "ACS ACR122U".to_string()];
        assert_eq!(resolve_reader(Some("Virtual PCD 00 01"), &names).unwrap(), "Virtual PCD 00 01");
        assert_eq!(resolve_reader(Some("1"), &names).unwrap(), "Virtual PCD 00 01");
        assert_eq!(resolve_reader(Some("acs"), &names).unwrap(), "ACS ACR122U");
        let e = resolve_reader(Some("Virtual"), &names).unwrap_err().to_string();
        assert!(e.contains("starts several") && e.contains("0: Virtual PCD 00 00") && e.contains("2: ACS"), "{e}");
        let e = resolve_reader(Some("7"), &names).unwrap_err().to_string();
        assert!(e.contains("no reader with index 7") && e.contains("1: Virtual PCD 00 01"), "{e}");
        assert!(resolve_reader(None, &names).is_err());
        assert_eq!(resolve_reader(None, &names[2..]).unwrap(), "ACS ACR122U");
        assert!(resolve_reader(None, &[]).unwrap_err().to_string().contains("no PC/SC reader"));
    }

    /// A DG3 of one ISO/IEC 39794-4 finger (right index, PNG).
    fn dg3_39794(png: &[u8]) -> Vec<u8> {
        use cccd::tlv::{Tag, TlvWriter};
        let t = Tag::new;
        let mut w = TlvWriter::new();
        w.constructed(t(0x63), |w| {
            w.constructed(t(0x7F61), |w| {
                w.primitive(t(0x02), &[1]);
                w.constructed(t(0x7F60), |w| {
                    w.constructed(t(0xA1), |w| {
                        w.primitive(t(0x87), &[1, 1]).primitive(t(0x88), &[0, 0x28]);
                    });
                    w.constructed(t(0x7F2E), |w| {
                        w.constructed(t(0xA1), |w| {
                            w.constructed(t(0x64), |w| {
                                w.constructed(t(0xA0), |w| {
                                    w.primitive(t(0x80), &[3]).primitive(t(0x81), &[0x07, 0xE3]);
                                });
                                w.constructed(t(0xA1), |w| {
                                    w.constructed(t(0x30), |w| {
                                        for (tag, code) in [(0xA0, 2u8), (0xA1, 0), (0xA2, 4)] {
                                            w.constructed(t(tag), |w| {
                                                w.primitive(t(0x80), &[code]);
                                            });
                                        }
                                        w.primitive(t(0x83), png);
                                    });
                                });
                            });
                        });
                    });
                });
            });
        });
        w.into_bytes()
    }

    #[test]
    fn saving_writes_the_fingers_of_dg3() {
        let img = image::GrayImage::from_fn(8, 8, |x, y| image::Luma([(x * 30 + y) as u8]));
        let mut png = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageLuma8(img).write_to(&mut png, image::ImageFormat::Png).unwrap();
        let png = png.into_inner();
        let dir = std::env::temp_dir().join(format!("cccd-read-save-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files: std::collections::BTreeMap<_, _> = [(LdsFile::dg(3).unwrap(), dg3_39794(&png))].into();
        let mut v = json!({});
        save(&dir, &files, None, &mut v).unwrap();
        assert_eq!(std::fs::read(dir.join("DG3").join("01-right-index.png")).unwrap(), png);
        assert_eq!(v["saved"]["DG3"], json!(dir.join("DG3").display().to_string()));
        assert!(dir.join("DG3.bin").is_file() && v["saved"].get("DG4").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
