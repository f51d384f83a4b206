//! `cccd inspect FILE... [--json] [--tree]`: recognize LDS files by their tag and print them.

use std::path::PathBuf;
use std::process::ExitCode;

use cccd::lds::LdsFile;
use cccd::tlv::{Tlv, TlvReader};
use serde_json::{Value, json};

use super::CliError;

/// Arguments of `cccd inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to decode (EF.COM, EF.SOD, EF.CardAccess, DG1–DG16), in any order.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON (one object per file, in an array) instead of text.
    #[arg(long)]
    json: bool,
    /// Print the raw BER-TLV structure instead of the decoded model.
    #[arg(long)]
    tree: bool,
}

/// Runs `cccd inspect`; exit status 1 when a file does not decode.
pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let mut out = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let bytes = std::fs::read(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
        let name = path.display().to_string();
        let decoded = if args.tree { tree(&bytes) } else { decode(&bytes) };
        let item = match decoded {
            Ok(v) => json!({ "path": name, "ok": true, "content": v }),
            Err(e) => {
                failed = true;
                json!({ "path": name, "ok": false, "error": e })
            }
        };
        out.push(item);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&Value::Array(out)).unwrap_or_default());
    } else {
        for item in &out {
            print_text(item, 0);
            println!();
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Decodes one file, recognized by its first tag.
fn decode(bytes: &[u8]) -> Result<Value, String> {
    let first = TlvReader::new(bytes).read().map_err(|e| e.to_string())?;
    let Some(file) = LdsFile::from_tag(first.tag()) else {
        return Err(format!("unknown file: first tag {} is not an LDS file tag", first.tag()));
    };
    Ok(json!({ "file": file.name(), "length": bytes.len(), "structure": tree(bytes)? }))
}

/// The BER-TLV structure: tags, lengths, offsets; primitive values in hex.
fn tree(bytes: &[u8]) -> Result<Value, String> {
    fn node(t: &Tlv<'_>, depth: usize) -> Value {
        let mut v = json!({ "tag": t.tag().to_string(), "offset": t.offset(), "length": t.value().len() });
        if t.tag().is_constructed() && depth < 16 {
            let children: Result<Vec<Value>, _> =
                t.children().map(|c| c.map(|c| node(&c, depth + 1))).collect::<Result<_, _>>();
            match children {
                Ok(c) => v["children"] = Value::Array(c),
                Err(_) => v["value"] = Value::String(hex::encode_upper(t.value())),
            }
        } else {
            v["value"] = Value::String(hex::encode_upper(t.value()));
        }
        v
    }
    let items: Vec<Value> =
        TlvReader::new(bytes).map(|t| t.map(|t| node(&t, 0))).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    Ok(Value::Array(items))
}

/// Prints a JSON value as indented `key: value` lines.
fn print_text(v: &Value, indent: usize) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                match val {
                    Value::Object(_) | Value::Array(_) => {
                        println!("{pad}{k}:");
                        print_text(val, indent + 1);
                    }
                    _ => println!("{pad}{k}: {}", scalar(val)),
                }
            }
        }
        Value::Array(items) => {
            for (i, val) in items.iter().enumerate() {
                match val {
                    Value::Object(_) | Value::Array(_) => {
                        println!("{pad}- [{i}]");
                        print_text(val, indent + 1);
                    }
                    _ => println!("{pad}- {}", scalar(val)),
                }
            }
        }
        other => println!("{pad}{}", scalar(other)),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}
