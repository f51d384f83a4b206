//! `cccd qr encode --record R.json [--layout 2021|2024] (--png F | --svg F | --text | --json)` and
//! `cccd qr decode (--text "…" | --image F) [--json]`: the QR payload printed on the card. Both print the
//! JSON documents of the README (`schema_version`, `command`: `qr encode`, `qr decode`).

use std::path::PathBuf;
use std::process::ExitCode;

use cccd::qr::{EcLevel, QrError, QrLayout, QrPayload, QrSize, RenderOptions, render_png, render_svg, scan_image};
use serde_json::json;

use super::CliError;

/// `cccd qr …`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Build the QR payload of a citizen record and render it (PNG, SVG) or print its text.
    Encode(EncodeArgs),
    /// Decode a QR payload from its text or from a photo/scan of the card's QR code.
    Decode(DecodeArgs),
}

/// Arguments of `cccd qr encode`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("output").required(true).multiple(true)))]
pub struct EncodeArgs {
    /// The citizen record (JSON).
    #[arg(long)]
    record: PathBuf,
    /// The payload layout: the 2021 card (7 fields) or the 2024 card (11 fields).
    #[arg(long, default_value = "2024", value_parser = ["2021", "2024"])]
    layout: String,
    /// Write a PNG image here.
    #[arg(long, group = "output")]
    png: Option<PathBuf>,
    /// Write an SVG image here.
    #[arg(long, group = "output")]
    svg: Option<PathBuf>,
    /// Print the payload text.
    #[arg(long, group = "output")]
    text: bool,
    /// Pixels per module.
    #[arg(long, default_value_t = 8)]
    module_px: u32,
    /// Error-correction level.
    #[arg(long, default_value = "M", value_parser = ["L", "M", "Q", "H"])]
    ec: String,
    /// Print JSON: the payload text and its fields, the files written, the warnings (instead of `--text`).
    #[arg(long, group = "output")]
    json: bool,
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

impl Command {
    /// The subcommand's name (`encode`, `decode`), as the JSON documents' `command` names it after `qr`.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Encode(_) => "encode",
            Command::Decode(_) => "decode",
        }
    }
}

/// Runs `cccd qr …`.
pub fn run(cmd: &Command) -> Result<ExitCode, CliError> {
    match cmd {
        Command::Encode(args) => encode(args),
        Command::Decode(args) => decode(args),
    }
}

fn encode(args: &EncodeArgs) -> Result<ExitCode, CliError> {
    let (record, warnings) = super::read_record(&args.record)?;
    let layout = if args.layout == "2021" { QrLayout::V2021 } else { QrLayout::V2024 };
    let payload = QrPayload::from_record(&record, layout);
    payload
        .validate()
        .map_err(|e| CliError::Input { context: args.record.display().to_string(), message: e.to_string() })?;
    let text = payload.build();
    let ec_level = match args.ec.as_str() {
        "L" => EcLevel::L,
        "Q" => EcLevel::Q,
        "H" => EcLevel::H,
        _ => EcLevel::M,
    };
    let options = RenderOptions { size: QrSize::ModulePixels(args.module_px), ec_level, ..RenderOptions::default() };
    let render_err = |e: cccd::qr::QrError| CliError::Input { context: "QR rendering".into(), message: e.to_string() };
    let mut files = Vec::new();
    if let Some(path) = &args.png {
        let png = render_png(&text, &options).map_err(render_err)?;
        super::write_file(path, &png)?;
        files.push(json!({ "format": "png", "path": path.display().to_string(), "bytes": png.len() }));
    }
    if let Some(path) = &args.svg {
        let svg = render_svg(&text, &options).map_err(render_err)?;
        super::write_file(path, svg.as_bytes())?;
        files.push(json!({ "format": "svg", "path": path.display().to_string(), "bytes": svg.len() }));
    }
    let fields = json!({
        "layout": args.layout,
        "text": text,
        "payload": cccd::json::qr_payload(&payload),
        "ec_level": args.ec,
        "module_px": args.module_px,
        "files": files,
        "warnings": warnings,
    });
    let shown = if args.text { text + "\n" } else { String::new() };
    super::output::finish(args.json, "qr encode", fields, &shown);
    Ok(ExitCode::SUCCESS)
}

fn decode(args: &DecodeArgs) -> Result<ExitCode, CliError> {
    let mut results = Vec::new();
    let mut ok = true;
    let texts: Vec<String> = match (&args.text, &args.image) {
        (Some(t), _) => vec![t.clone()],
        (None, Some(path)) => {
            let bytes =
                std::fs::read(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
            match scan_image(&bytes) {
                Ok(texts) => texts,
                // an image without a readable code is a result (not valid, exit 1), not a usage error
                Err(e @ (QrError::NoQrFound | QrError::Undecodable { .. })) => {
                    ok = false;
                    results.push(json!({ "ok": false, "error": e.to_string() }));
                    Vec::new()
                }
                Err(e) => {
                    return Err(CliError::Input { context: path.display().to_string(), message: e.to_string() });
                }
            }
        }
        (None, None) => Vec::new(),
    };
    let found = texts.len();
    for text in &texts {
        match QrPayload::parse(text).and_then(|p| p.validate().map(|()| p)) {
            Ok(p) => results.push(json!({ "ok": true, "payload": cccd::json::qr_payload(&p) })),
            Err(e) => {
                ok = false;
                results.push(json!({ "ok": false, "error": e.to_string() }));
            }
        }
    }
    let ok = ok && found > 0;
    let out = if args.json {
        let doc = super::verdict::document("qr decode", json!({ "codes": found, "valid": ok, "results": results }));
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
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
