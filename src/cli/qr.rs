//! `cccd qr decode (--text "…" | --image F) [--json]`: read the QR payload printed on the card.

use std::path::PathBuf;
use std::process::ExitCode;

use cccd::qr::{QrLayout, QrPayload, Sex, scan_image};
use serde_json::{Value, json};

use super::CliError;

/// `cccd qr …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Decode a QR payload from its text or from a photo/scan of the card's QR code.
    Decode(DecodeArgs),
}

/// Arguments of `cccd qr decode`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).multiple(false)))]
pub struct DecodeArgs {
    /// The payload text (`id|cmnd|name|ddMMyyyy|sex|residence|ddMMyyyy[|…]`).
    #[arg(long, group = "input")]
    text: Option<String>,
    /// A PNG or JPEG image holding the QR code.
    #[arg(long, group = "input")]
    image: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `cccd qr …`.
pub fn run(cmd: &Command) -> Result<ExitCode, CliError> {
    match cmd {
        Command::Decode(args) => decode(args),
    }
}

fn decode(args: &DecodeArgs) -> Result<ExitCode, CliError> {
    let texts: Vec<String> = match (&args.text, &args.image) {
        (Some(t), _) => vec![t.clone()],
        (None, Some(path)) => {
            let bytes =
                std::fs::read(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
            scan_image(&bytes)
                .map_err(|e| CliError::Input { context: path.display().to_string(), message: e.to_string() })?
        }
        (None, None) => Vec::new(),
    };
    let mut results = Vec::new();
    let mut ok = true;
    for text in &texts {
        match QrPayload::parse(text).and_then(|p| p.validate().map(|()| p)) {
            Ok(p) => results.push(json!({ "ok": true, "payload": payload_json(&p) })),
            Err(e) => {
                ok = false;
                results.push(json!({ "ok": false, "error": e.to_string() }));
            }
        }
    }
    let out = if args.json {
        serde_json::to_string_pretty(&Value::Array(results)).unwrap_or_default() + "\n"
    } else {
        let mut s = String::new();
        for r in &results {
            super::inspect::write_text(&mut s, r, 0);
        }
        s
    };
    super::print(&out);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The payload with the citizen record's field names.
pub fn payload_json(p: &QrPayload) -> Value {
    json!({
        "layout": match p.layout { QrLayout::V2021 => "2021", QrLayout::V2024 => "2024" },
        "id_number": p.id_number,
        "old_id_number": p.old_id_number,
        "full_name": p.full_name,
        "date_of_birth": date(p.date_of_birth),
        "sex": match p.sex { Sex::Male => "M", Sex::Female => "F" },
        "place_of_residence": p.place_of_residence,
        "date_of_issue": date(p.date_of_issue),
        "extra": p.extra,
    })
}
