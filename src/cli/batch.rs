//! `cccd issue-batch`: the command line of [`cccd::batch`].

use std::path::PathBuf;
use std::process::ExitCode;

use cccd::batch::{Batch, Existing, FolderTrust, Photos};

use super::CliError;
use super::issue::{IssueCommon, input, io, signer_for_issue};

/// Arguments of `cccd issue-batch`.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Citizen records, one JSON object a line.
    #[arg(long)]
    records: PathBuf,
    /// A folder of photos named after the ID number (`001099012345.jpg` or `.png`).
    #[arg(long, conflicts_with = "photo")]
    photos: Option<PathBuf>,
    /// One photo for every record (test rigs).
    #[arg(long)]
    photo: Option<PathBuf>,
    /// The folder to write one chip image folder per record into (named after the ID number),
    /// `errors.jsonl` (every record with a problem) and `issued.jsonl` (the manifest for printing).
    #[arg(long)]
    out: PathBuf,
    /// Parallel jobs (default: every core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Refuse a record whose chip folder is already in OUT, instead of resuming (by default a folder already
    /// there that verifies is kept and skipped, and a broken one issued anew).
    #[arg(long)]
    no_resume: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    common: IssueCommon,
}

/// Runs `cccd issue-batch`: exit status 1 when any record was refused or failed (see `errors.jsonl`).
pub fn run(args: &BatchArgs) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(&args.records).map_err(io(&args.records))?;
    let (ds, csca) = signer_for_issue(&args.common)?;
    let recipe = args.common.recipe()?;
    let photos = match (&args.photo, &args.photos) {
        (Some(p), _) => Photos::Shared(std::fs::read(p).map_err(io(p))?),
        (None, Some(dir)) => Photos::Folder(dir.clone()),
        (None, None) => return Err(input("issue-batch", "give --photos DIR or --photo FILE")),
    };
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let existing = if args.no_resume { Existing::Refuse } else { Existing::Resume };
    let batch = Batch {
        out: args.out.clone(),
        photos,
        recipe,
        trust: FolderTrust { ds: &ds, csca: csca.as_ref() },
        jobs,
        existing,
    };
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let bar = indicatif::ProgressBar::new(lines as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} records, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if args.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let started = std::time::Instant::now();
    let report = cccd::batch::run(&batch, &text, &|| bar.inc(1)).map_err(|e| input("issue-batch", e))?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let errors = args.out.join("errors.jsonl");
    let manifest = args.out.join("issued.jsonl");
    let not_issued = report.refused() + report.failed();
    let warned = report.outcomes.iter().filter(|o| o.has_chip() && !o.problems.is_empty()).count();
    if args.json {
        let v = serde_json::json!({
            "schema_version": 1,
            "command": "issue-batch",
            "records": report.outcomes.len(),
            "issued": report.issued(),
            "reissued": report.reissued(),
            "skipped": report.skipped(),
            "refused": report.refused(),
            "failed": report.failed(),
            "with_warnings": warned,
            "resume": report.resumed,
            "errors": errors.display().to_string(),
            "manifest": manifest.display().to_string(),
            "jobs": jobs,
            "seconds": secs,
        });
        super::print(&format!("{v}\n"));
    } else {
        let resume = if report.resumed {
            format!(
                "resumed: {} already issued and verified, kept; {} broken folders issued anew",
                report.skipped(),
                report.reissued()
            )
        } else {
            "not resuming (--no-resume)".to_string()
        };
        super::print(&format!(
            "{} issued, {} refused, {} failed, {} skipped ({resume}); {warned} issued with warnings; problems in {}, \
             manifest in {}; {jobs} jobs, {:.1} s, {:.1} records/s\n",
            report.issued(),
            report.refused(),
            report.failed(),
            report.skipped(),
            errors.display(),
            manifest.display(),
            secs,
            report.outcomes.len() as f64 / secs.max(1e-9)
        ));
    }
    Ok(if not_issued == 0 { ExitCode::SUCCESS } else { super::verdict::Exit::NotValid.into() })
}
