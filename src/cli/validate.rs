//! `cccd validate`: every problem of every record of a file, before printing.

use std::path::PathBuf;
use std::process::ExitCode;

use cccd::citizen::{RawRecord, Severity};

use super::CliError;

/// Arguments of `cccd validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Citizen records: one JSON object a line (`.jsonl`), or a single JSON record (may span lines).
    records: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// One record's problems, for the report.
struct Checked {
    line: usize,
    id_number: Option<String>,
    problems: Vec<serde_json::Value>,
    refused: bool,
}

fn problem(field: Option<&str>, severity: Severity, code: &str, message: String) -> serde_json::Value {
    serde_json::json!({ "field": field, "severity": severity, "code": code, "message": message })
}

/// Runs `cccd validate`: exit 0 when every record would be issued (warnings allowed), 1 when any would be
/// refused, 2 when the file cannot be read.
pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(&args.records)
        .map_err(|source| CliError::Io { path: args.records.display().to_string(), source })?;
    // a single record may span lines; a JSON-lines file holds one record a line
    let single = text.trim_start().starts_with('{') && RawRecord::from_json(&text).is_ok();
    let lines: Vec<(usize, &str)> = if single {
        vec![(1, text.as_str())]
    } else {
        text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty()).collect()
    };
    let mut checked: Vec<Checked> = lines
        .iter()
        .map(|(line, json)| match RawRecord::from_json(json) {
            Err(e) => Checked {
                line: *line,
                id_number: None,
                problems: vec![problem(None, Severity::Error, "not_a_record", e.to_string())],
                refused: true,
            },
            Ok(raw) => {
                let check = raw.check();
                let problems = check
                    .problems()
                    .iter()
                    .map(|p| problem(Some(&p.field), p.severity, &p.kind.code(), p.to_string()))
                    .collect();
                Checked {
                    line: *line,
                    id_number: raw.id_number().map(str::to_string),
                    problems,
                    refused: !check.is_ok(),
                }
            }
        })
        .collect();
    let mut lines_of: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for c in &checked {
        if let Some(id) = &c.id_number {
            lines_of.entry(id.clone()).or_default().push(c.line);
        }
    }
    let mut duplicates = 0;
    for c in &mut checked {
        let Some(lines) = c.id_number.as_ref().and_then(|id| lines_of.get(id)).filter(|l| l.len() > 1) else {
            continue;
        };
        let others: Vec<String> = lines.iter().filter(|l| **l != c.line).map(ToString::to_string).collect();
        let message = format!("id_number: also on line {}", others.join(", "));
        c.problems.insert(0, problem(Some("id_number"), Severity::Error, "duplicate_id", message));
        c.refused = true;
        duplicates += 1;
    }
    let refused = checked.iter().filter(|c| c.refused).count();
    let warned = checked.iter().filter(|c| !c.refused && !c.problems.is_empty()).count();
    if args.json {
        let records: Vec<serde_json::Value> = checked
            .iter()
            .map(|c| {
                serde_json::json!({
                    "line": c.line, "id_number": c.id_number, "refused": c.refused, "problems": c.problems,
                })
            })
            .collect();
        let v = serde_json::json!({
            "schema_version": 1, "command": "validate", "records": checked.len(), "refused": refused,
            "with_warnings": warned, "duplicate_lines": duplicates, "valid": refused == 0, "results": records,
        });
        super::print(&format!("{v}\n"));
    } else {
        let mut out = String::new();
        for c in checked.iter().filter(|c| !c.problems.is_empty()) {
            let id = c.id_number.as_deref().unwrap_or("no ID");
            let verdict = if c.refused { "refused" } else { "ok, with warnings" };
            out.push_str(&format!("line {} ({id}): {verdict}\n", c.line));
            for p in &c.problems {
                out.push_str(&format!(
                    "  {}: {}\n",
                    p["severity"].as_str().unwrap_or(""),
                    p["message"].as_str().unwrap_or("")
                ));
            }
        }
        out.push_str(&format!(
            "{} records: {} would be issued ({warned} with warnings), {refused} refused\n",
            checked.len(),
            checked.len() - refused
        ));
        super::print(&out);
    }
    Ok(if refused == 0 { ExitCode::SUCCESS } else { super::verdict::Exit::NotValid.into() })
}
