//! `cccd inspect FILE... [--json] [--tree]`: recognize LDS files by their tag and print them.

use std::path::PathBuf;
use std::process::ExitCode;

use cccd::lds::dg2::Dg2;
use serde_json::Value;

use super::CliError;

/// Arguments of `cccd inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to decode (EF.COM, EF.SOD, EF.CardAccess, EF.CardSecurity, DG1–DG16), in any order.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON instead of text: `{"schema_version", "command": "inspect", "ok", "files": [one object per
    /// file]}`.
    #[arg(long)]
    json: bool,
    /// Print the raw BER-TLV structure instead of the decoded model.
    #[arg(long)]
    tree: bool,
    /// Write the face of a DG2 here as PNG (the first face of the first DG2 given); for DG3/DG4 a folder that
    /// receives each finger or iris image, as PNG where the codec allows (PNG, JPEG, JPEG 2000; WSQ kept as bytes).
    #[arg(long, value_name = "PNG")]
    out: Option<PathBuf>,
}

/// Runs `cccd inspect`; exit status 1 when a file does not decode.
pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let mut out = Vec::new();
    let mut failed = false;
    let mut face_written = false;
    for path in &args.files {
        let bytes = std::fs::read(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
        if let (Some(dir), Ok(group)) = (&args.out, cccd::lds::dg3::BiometricGroup::decode(&bytes)) {
            for line in super::inspect_eac::write_images(dir, &group)? {
                eprintln!("cccd: {line}");
            }
            face_written = true;
        }
        if let (Some(png_path), false, Ok(dg2)) = (&args.out, face_written, Dg2::decode(&bytes)) {
            {
                let face = dg2.faces().next().ok_or(CliError::Input {
                    context: path.display().to_string(),
                    message: "DG2 holds no face".into(),
                })?;
                let img = cccd::face::decode(&face)
                    .map_err(|e| CliError::Input { context: path.display().to_string(), message: e.to_string() })?;
                let png = cccd::face::to_png(&img)
                    .map_err(|e| CliError::Input { context: path.display().to_string(), message: e.to_string() })?;
                super::write_file(png_path, &png)?;
                face_written = true;
            }
        }
        let name = path.display().to_string();
        let item = if args.tree { cccd::json::inspect_tree(&name, &bytes) } else { cccd::json::inspect(&name, &bytes) };
        failed |= item["ok"] != Value::Bool(true);
        out.push(item);
    }
    let text = if args.json {
        let doc = cccd::json::document("inspect", serde_json::json!({ "ok": !failed, "files": out }));
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    } else {
        let mut text = String::new();
        for item in &out {
            write_text(&mut text, item, 0);
            text.push('\n');
        }
        text
    };
    super::print(&text);
    if let (Some(p), false) = (&args.out, face_written) {
        return Err(CliError::Input {
            context: p.display().to_string(),
            message: "no DG2, DG3 or DG4 among the files".into(),
        });
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Writes a JSON value as indented `key: value` lines.
pub fn write_text(out: &mut String, v: &Value, indent: usize) {
    use std::fmt::Write;
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                match val {
                    Value::Object(_) | Value::Array(_) => {
                        let _ = writeln!(out, "{pad}{k}:");
                        write_text(out, val, indent + 1);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}{k}: {}", scalar(val));
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, val) in items.iter().enumerate() {
                match val {
                    Value::Object(_) | Value::Array(_) => {
                        let _ = writeln!(out, "{pad}- [{i}]");
                        write_text(out, val, indent + 1);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}- {}", scalar(val));
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", scalar(other));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}
