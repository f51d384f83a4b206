//! Argument parsing and dispatch for the `cccd` binary.

mod batch;
mod chip;
mod demo;
mod eac;
mod eac_key;
mod inspect;
mod inspect_eac;
mod issue;
mod output;
mod pki_ops;
mod qr;
#[cfg(feature = "pcsc")]
mod read;
#[cfg(feature = "pcsc")]
mod report;
mod transport_key;
mod validate;
mod verdict;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Personalize and verify ICAO 9303 eMRTD chips; Vietnam's chip ID card (CCCD) first.
#[derive(Debug, Parser)]
#[command(name = "cccd", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The whole chain on the built-in virtual chip: test PKI, issue a sample citizen's chip, read it back, verify.
    Demo(demo::Args),
    /// Decode LDS files (EF.COM, EF.SOD, EF.CardAccess, DG1–DG16), recognized by their tag, and print them.
    Inspect(inspect::Args),
    /// The issuer's PKI: `cccd pki init --out DIR` creates a CSCA, a Document Signer and a Master List Signer
    /// with their keys; `new-ds` and `crl` keep it; `master-list` signs a CSCA master list, `check-master-list`
    /// checks one; `cvca`, `dv`, `is` make the EAC PKI.
    #[command(subcommand)]
    Pki(pki_ops::PkiCommand),
    /// Issue one chip image (every EF, signed EF.SOD, the chip's secrets) from a citizen record and a photo.
    Issue(issue::IssueArgs),
    /// Issue chip images for many records (JSON lines), in parallel: duplicate IDs refused first, each folder
    /// published only complete and verified, every problem in errors.jsonl, the printing manifest in
    /// issued.jsonl; a rerun resumes.
    IssueBatch(batch::BatchArgs),
    /// Check citizen records (a JSON-lines file or one JSON record) before printing: duplicate IDs, every
    /// problem of every record; exit 1 when any record would be refused.
    Validate(validate::Args),
    /// Passive Authentication of a chip image folder (hashes, signature, DS certificate); exit 1 when not valid.
    Verify(chip::VerifyArgs),
    /// Serve a chip image (or a blank chip) as a virtual chip behind the vsmartcard-vpcd reader of pcscd.
    Emulate(chip::EmulateArgs),
    /// List the PC/SC readers (with the index `--reader` accepts).
    #[cfg(feature = "pcsc")]
    Readers(read::ReadersArgs),
    /// Read a chip in a PC/SC reader (PACE or BAC), show the verdict and the holder, save the files and face.
    #[cfg(feature = "pcsc")]
    Read(read::ReadArgs),
    /// Personalize a chip in a PC/SC reader with a chip image: write, verify (reader session), lock.
    #[cfg(feature = "pcsc")]
    Perso(chip::PersoArgs),
    /// The QR code printed on the card: build and render it from a record, or decode it from text or an image.
    #[command(subcommand)]
    Qr(qr::Command),
}

/// Runs the command line; returns the process exit code.
pub fn run() -> ExitCode {
    // every command has `--json` and prints its errors as JSON too, usage errors included
    let json = std::env::args().skip(1).any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, json),
    };
    let name = command_name(&cli.command);
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Qr(cmd) => qr::run(&cmd),
        Command::Emulate(args) => chip::emulate(&args),
        Command::Verify(args) => chip::verify(&args),
        Command::Pki(cmd) => pki_ops::pki(&cmd),
        Command::Issue(args) => issue::issue_command(&args),
        Command::IssueBatch(args) => batch::run(&args),
        Command::Validate(args) => validate::run(&args),
        #[cfg(feature = "pcsc")]
        Command::Readers(args) => read::readers(&args),
        #[cfg(feature = "pcsc")]
        Command::Read(args) => read::read(&args),
        #[cfg(feature = "pcsc")]
        Command::Perso(args) => chip::perso(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if json {
                print_error(&name, e.kind(), &e.to_string());
            } else {
                eprintln!("cccd: {e}");
            }
            e.exit().into()
        }
    }
}

/// Prints an error as the JSON document of `command`: `{"schema_version", "command", "error": {"kind",
/// "message"}}`.
fn print_error(command: &str, kind: &str, message: &str) {
    let doc = cccd::json::error_document(command, kind, message);
    print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
}

/// A command line clap refused (exit 2), or `--help`/`--version` (exit 0, printed as clap prints them). Under
/// `--json` the refusal is a JSON error of kind `usage`, its `command` the subcommand named on the line.
fn usage_error(e: &clap::Error, json: bool) -> ExitCode {
    use clap::error::ErrorKind;
    let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if !json || shown {
        let _ = e.print();
        return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
    }
    // the subcommand words given (`pki new-ds`), as far as they name commands
    let mut words: Vec<String> = Vec::new();
    let mut cmd = <Cli as clap::CommandFactory>::command();
    for arg in std::env::args().skip(1) {
        let Some(sub) = cmd.find_subcommand(&arg).cloned() else { break };
        words.push(sub.get_name().to_string());
        cmd = sub;
    }
    let name = if words.is_empty() { "cccd".to_string() } else { words.join(" ") };
    let message = e.render().to_string();
    // what clap said, without the usage lines and the hint that follow it
    let said = message.split("\n\nUsage:").next().unwrap_or_default().trim_start_matches("error: ");
    let said: Vec<&str> = said.split_whitespace().collect();
    print_error(&name, "usage", &said.join(" "));
    verdict::Exit::Usage.into()
}

/// The subcommand's name, as the JSON documents' `command` names it (`pki new-ds`, `qr encode`).
fn command_name(c: &Command) -> String {
    let name = match c {
        Command::Demo(_) => "demo",
        Command::Inspect(_) => "inspect",
        Command::Pki(cmd) => return format!("pki {}", cmd.name()),
        Command::Issue(_) => "issue",
        Command::IssueBatch(_) => "issue-batch",
        Command::Validate(_) => "validate",
        Command::Verify(_) => "verify",
        Command::Emulate(_) => "emulate",
        #[cfg(feature = "pcsc")]
        Command::Readers(_) => "readers",
        #[cfg(feature = "pcsc")]
        Command::Read(_) => "read",
        #[cfg(feature = "pcsc")]
        Command::Perso(_) => "perso",
        Command::Qr(cmd) => return format!("qr {}", cmd.name()),
    };
    name.to_string()
}

/// An error the command line reports; its exit code says which class it is ([`verdict::Exit`]). The classes
/// of a card in a reader (access refused, card removed, no card, the chip's error) come only from the PC/SC
/// commands (feature `pcsc`).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// An input was refused (unreadable image, malformed text); the message names the input, never its content.
    #[error("{context}: {message}")]
    Input {
        /// Which input.
        context: String,
        /// What is wrong with it.
        message: String,
    },
    /// The chip refused access (wrong CAN or MRZ, blocked password, wrong transport key).
    #[cfg(feature = "pcsc")]
    #[error("{context}: access refused: {message}")]
    AccessRefused {
        /// The reader.
        context: String,
        /// What the chip or the protocol said.
        message: String,
    },
    /// The card was removed (and, for `cccd read`, not put back within `--wait`).
    #[cfg(feature = "pcsc")]
    #[error("{context}: {message}")]
    CardRemoved {
        /// The reader.
        context: String,
        /// What happened (it says the card was removed) and what to do.
        message: String,
    },
    /// No card in the reader, or no such reader (the message lists the readers), or PC/SC itself failed.
    #[cfg(feature = "pcsc")]
    #[error("{context}: {message}")]
    NoCard {
        /// The reader.
        context: String,
        /// What PC/SC said (with its code) and what to do.
        message: String,
    },
    /// The chip answered a step of the read with an error (a status word, a broken secure messaging response,
    /// a malformed file): not the caller's input, not the access key. Only `cccd read` (feature `pcsc`).
    #[cfg(feature = "pcsc")]
    #[error("{context}: {message}")]
    Chip {
        /// The reader.
        context: String,
        /// What the chip did (status words explained) and what to do.
        message: String,
    },
}

impl CliError {
    /// The JSON `error.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Io { .. } => "io",
            CliError::Input { .. } => "input",
            #[cfg(feature = "pcsc")]
            CliError::AccessRefused { .. } => "access_refused",
            #[cfg(feature = "pcsc")]
            CliError::CardRemoved { .. } => "card_removed",
            #[cfg(feature = "pcsc")]
            CliError::NoCard { .. } => "no_card",
            #[cfg(feature = "pcsc")]
            CliError::Chip { .. } => "chip_error",
        }
    }

    /// The exit code.
    pub fn exit(&self) -> verdict::Exit {
        match self {
            CliError::Io { .. } | CliError::Input { .. } => verdict::Exit::Usage,
            #[cfg(feature = "pcsc")]
            CliError::AccessRefused { .. } => verdict::Exit::AccessRefused,
            #[cfg(feature = "pcsc")]
            CliError::CardRemoved { .. } => verdict::Exit::CardRemoved,
            #[cfg(feature = "pcsc")]
            CliError::NoCard { .. } => verdict::Exit::NoCard,
            #[cfg(feature = "pcsc")]
            CliError::Chip { .. } => verdict::Exit::ChipError,
        }
    }
}

/// Writes to standard output; a closed pipe (`cccd … | head`) ends the output quietly instead of panicking.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Reads a citizen record (JSON), leniently, and reports every problem of every field at once: errors (all of
/// them) refuse the record, warnings come back (`{"code", "field", "message"}`, for [`output::finish`] to
/// show). Text comes back in Unicode NFC.
pub fn read_record(path: &std::path::Path) -> Result<(cccd::citizen::CitizenRecord, Vec<serde_json::Value>), CliError> {
    use cccd::citizen::{RawRecord, Severity};
    let text =
        std::fs::read_to_string(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
    let refuse = |message: String| CliError::Input { context: path.display().to_string(), message };
    let raw = RawRecord::from_json(&text).map_err(|e| refuse(format!("not a citizen record: {e}")))?;
    let check = raw.check();
    let problems = check.problems();
    let warnings = problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|w| {
            let mut v = output::warning(&w.kind.code(), format!("{}: {w}", path.display()));
            v["field"] = serde_json::json!(w.field);
            v
        })
        .collect();
    let record = check.record.ok_or_else(|| {
        let list: Vec<String> =
            problems.iter().filter(|p| p.severity == Severity::Error).map(ToString::to_string).collect();
        refuse(list.join("; "))
    })?;
    Ok((record, warnings))
}

/// Writes a file (creating its folder).
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    let io = |source| CliError::Io { path: path.display().to_string(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}
