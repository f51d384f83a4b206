//! Argument parsing and dispatch for the `cccd` binary.

mod inspect;
mod qr;

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
    /// Decode LDS files (EF.COM, EF.SOD, EF.CardAccess, DG1–DG16), recognized by their tag, and print them.
    Inspect(inspect::Args),
    /// The QR code printed on the card: decode it from text or an image.
    #[command(subcommand)]
    Qr(qr::Command),
}

/// Runs the command line; returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Qr(cmd) => qr::run(&cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cccd: {e}");
            ExitCode::from(2)
        }
    }
}

/// An error the command line reports and exits with status 2.
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
}

/// Writes to standard output; a closed pipe (`cccd … | head`) ends the output quietly instead of panicking.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
