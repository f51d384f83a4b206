//! Batch issuance: a file of citizen records (JSON lines) becomes one verified chip folder per record, a
//! report of every problem, and the manifest the printing step reads.
//!
//! ```text
//! records.jsonl ─ parse leniently, check every record, refuse duplicate IDs ─┐  (before anything is issued)
//!                                                                           ├─ OUT/ID/       one chip folder per
//!   per record, in parallel: face, keys, issue, write beside, read back,    │                issued record
//!   check (SOD over every file with the DS certificate, secrets match),     ├─ OUT/errors.jsonl  every record with
//!   rename into place                                                       │                a problem
//!                                                                           └─ OUT/issued.jsonl  the manifest
//! ```
//!
//! A rerun resumes ([`Existing::Resume`], the default): a folder already there that passes
//! [`check_chip_folder`] is skipped (and listed in the manifest again), a broken one is issued anew. Folder names
//! starting with `.` are never chip folders (temporary folders of a run in progress).
//!
//! `errors.jsonl`: one JSON object a line, for each record refused, failed or issued with warnings, in line
//! order: `{"line": N, "id_number": "…" | null, "status": "refused" | "failed" | "issued" | "reissued" |
//! "skipped", "problems": [{"field": "…" | null, "severity": "error" | "warning", "code": "snake_case",
//! "message": "…"}]}`. `issued.jsonl` (owner-readable only): one line per chip folder in `OUT` that this run
//! issued or found issued, in line order: `{"line": N, "id_number": "…", "can": "…", "folder": "ID"}`
//! (`folder` relative to `OUT`).

mod folder;
mod report;

pub use folder::{FolderError, FolderTrust, check_chip_folder, check_chip_image, publish};
pub use report::{BatchProblem, BatchReport, RecordOutcome, RecordStatus};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::citizen::{CitizenRecord, RawRecord, Severity};
use crate::crypto::ec::NamedCurve;
use crate::face::FaceOptions;
use crate::image::{ActiveAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage};
use crate::issuance::{ChipKeys, FaceImage, IssueError, IssueOptions};
use crate::pki::DocumentSigner;

/// How the chips of a batch are made: the face, the chip's keys and the issue options.
#[derive(Debug, Clone)]
pub struct ChipRecipe {
    /// How the photo becomes the DG2 face.
    pub face: FaceOptions,
    /// The curve of the Chip and Active Authentication keys.
    pub chip_curve: NamedCurve,
    /// An RSA Active Authentication key of this many bits instead of ECDSA.
    pub aa_rsa_bits: Option<usize>,
    /// A DH Chip Authentication key in this MODP group instead of ECDH.
    pub ca_dh: Option<crate::crypto::dh::ModpGroup>,
    /// EF.CardAccess, the hash, the day of issue.
    pub options: IssueOptions,
}

impl Default for ChipRecipe {
    /// The CCCD's: brainpoolP256r1 keys, ECDSA Active Authentication, the default face.
    fn default() -> Self {
        ChipRecipe {
            face: FaceOptions::default(),
            chip_curve: NamedCurve::BrainpoolP256r1,
            aa_rsa_bits: None,
            ca_dh: None,
            options: IssueOptions::default(),
        }
    }
}

/// Why one chip could not be made (names the step, never personal data).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChipError {
    /// The photo could not be made a face.
    #[error("photo: {0}")]
    Photo(#[from] crate::face::FaceError),
    /// The chip's keys could not be made.
    #[error("chip keys: {0}")]
    Keys(#[from] crate::image::KeyError),
    /// Issuance refused or failed.
    #[error("{0}")]
    Issue(#[from] IssueError),
    /// The folder could not be published.
    #[error("{0}")]
    Folder(#[from] FolderError),
}

impl ChipRecipe {
    /// The face from `photo`, new keys, and the chip image of `record` signed by `ds`.
    pub fn issue(&self, record: &CitizenRecord, photo: &[u8], ds: &DocumentSigner) -> Result<ChipImage, ChipError> {
        let face: FaceImage = crate::face::prepare(photo, &self.face)?.into();
        self.issue_with_face(record, &face, ds)
    }

    /// New keys and the chip image of `record` with a face already prepared, signed by `ds`.
    pub fn issue_with_face(
        &self,
        record: &CitizenRecord,
        face: &FaceImage,
        ds: &DocumentSigner,
    ) -> Result<ChipImage, ChipError> {
        let mut keys = ChipKeys::generate(self.chip_curve);
        if let Some(group) = self.ca_dh {
            keys.chip_authentication =
                ChipAuthenticationPrivateKey::Dh(crate::crypto::dh::DhPrivateKey::generate(group.domain()));
        }
        if let Some(bits) = self.aa_rsa_bits {
            keys.active_authentication = ActiveAuthenticationKey::generate_rsa(bits)?;
        }
        Ok(crate::issuance::issue(record, face, &keys, ds, &self.options)?)
    }
}

/// Where the photos are.
#[derive(Debug, Clone)]
pub enum Photos {
    /// One photo for every record (test rigs).
    Shared(Vec<u8>),
    /// A folder of photos named after the ID number (`ID.jpg`, `ID.jpeg` or `ID.png`).
    Folder(PathBuf),
    /// One face already prepared ([`crate::face::prepare`]) for every record: a printing line that prepares
    /// faces ahead, or a test rig.
    Prepared(FaceImage),
}

/// What to do with a chip folder already in `OUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Existing {
    /// Skip a folder that passes [`check_chip_folder`] (issued by an earlier run); issue a broken one anew.
    #[default]
    Resume,
    /// Refuse the record.
    Refuse,
}

/// A batch to run.
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    /// The folder the chip folders, `errors.jsonl` and `issued.jsonl` go to.
    pub out: PathBuf,
    /// The photos.
    pub photos: Photos,
    /// How chips are made.
    pub recipe: ChipRecipe,
    /// The Document Signer, and its CSCA when known (warnings, resumed folders signed by an earlier DS).
    pub trust: FolderTrust<'a>,
    /// Parallel jobs (at least 1).
    pub jobs: usize,
    /// What to do with folders already there.
    pub existing: Existing,
}

/// Why a batch could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The output folder or a report could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The worker pool could not start.
    #[error("worker threads: {0}")]
    Threads(String),
}

/// One record as read and checked, before anything is issued.
struct Entry {
    line: usize,
    id_number: Option<String>,
    record: Option<CitizenRecord>,
    problems: Vec<BatchProblem>,
}

/// Reads every non-empty line, checks every record, and refuses every line of an ID that appears twice.
fn read_entries(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let line = i + 1;
            match RawRecord::from_json(l) {
                Err(e) => Entry { line, id_number: None, record: None, problems: vec![BatchProblem::not_a_record(&e)] },
                Ok(raw) => {
                    let check = raw.check();
                    let problems = check.problems().iter().map(BatchProblem::from_field).collect();
                    Entry { line, id_number: raw.id_number().map(str::to_string), record: check.record, problems }
                }
            }
        })
        .collect();
    let mut lines_of: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for e in &entries {
        if let Some(id) = &e.id_number {
            lines_of.entry(id.clone()).or_default().push(e.line);
        }
    }
    for e in &mut entries {
        let Some(lines) = e.id_number.as_ref().and_then(|id| lines_of.get(id)) else { continue };
        if lines.len() > 1 {
            let others: Vec<usize> = lines.iter().copied().filter(|l| *l != e.line).collect();
            e.problems.insert(0, BatchProblem::duplicate(&others));
            e.record = None;
        }
    }
    entries
}

/// A photo (to prepare) or a face already prepared.
enum Face {
    Photo(Vec<u8>),
    Prepared(FaceImage),
}

fn photo_for(photos: &Photos, id: &str) -> Result<Face, BatchProblem> {
    match photos {
        Photos::Shared(p) => Ok(Face::Photo(p.clone())),
        Photos::Prepared(f) => Ok(Face::Prepared(f.clone())),
        Photos::Folder(dir) => ["jpg", "jpeg", "png"]
            .iter()
            .map(|ext| dir.join(format!("{id}.{ext}")))
            .find_map(|p| std::fs::read(p).ok())
            .map(Face::Photo)
            .ok_or_else(BatchProblem::no_photo),
    }
}

/// Issues (or finds issued) one checked record.
fn run_one(batch: &Batch<'_>, entry: &Entry) -> RecordOutcome {
    let mut outcome = RecordOutcome {
        line: entry.line,
        id_number: entry.id_number.clone(),
        status: RecordStatus::Refused,
        problems: entry.problems.clone(),
        can: None,
    };
    let Some(record) = &entry.record else { return outcome };
    let out = batch.out.join(&record.id_number);
    for w in crate::issuance::issue_warnings(record, batch.trust.ds, batch.trust.csca) {
        outcome.problems.push(BatchProblem::issue_warning(&w));
    }
    let mut replace = false;
    if out.exists() {
        match (batch.existing, check_chip_folder(&out, Some(&record.id_number), &batch.trust)) {
            (Existing::Refuse, _) => {
                outcome.problems.insert(0, BatchProblem::folder(&FolderError::Exists, Severity::Error, &batch.out));
                return outcome;
            }
            (Existing::Resume, Ok((image, _))) => {
                outcome.status = RecordStatus::Skipped;
                outcome.can = image.secrets.can.clone();
                return outcome;
            }
            (Existing::Resume, Err(e)) => {
                outcome.problems.push(BatchProblem::folder(&e, Severity::Warning, &batch.out));
                replace = true;
            }
        }
    }
    let photo = match photo_for(&batch.photos, &record.id_number) {
        Ok(p) => p,
        Err(p) => {
            outcome.problems.insert(0, p);
            return outcome;
        }
    };
    let made = match &photo {
        Face::Photo(p) => batch.recipe.issue(record, p, batch.trust.ds),
        Face::Prepared(f) => batch.recipe.issue_with_face(record, f, batch.trust.ds),
    };
    let made =
        made.and_then(|image| publish(&image, &out, &batch.trust, replace).map(|()| image).map_err(ChipError::from));
    match made {
        Ok(image) => {
            outcome.status = if replace { RecordStatus::Reissued } else { RecordStatus::Issued };
            outcome.can = image.secrets.can.clone();
        }
        Err(e) => {
            outcome.status = RecordStatus::Failed;
            outcome.problems.insert(0, BatchProblem::chip(&e, &batch.out));
        }
    }
    outcome
}

/// Removes temporary folders left in `out` by runs that are no longer running (Linux: their process is gone).
fn remove_stale_temporaries(out: &Path) {
    let Ok(dir) = std::fs::read_dir(out) else { return };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix('.') else { continue };
        let Some((_, tail)) = rest.rsplit_once(".partial-").or_else(|| rest.rsplit_once(".replaced-")) else {
            continue;
        };
        let Some(pid) = tail.split('-').next() else { continue };
        let proc = Path::new("/proc");
        if proc.is_dir() && pid != std::process::id().to_string() && !proc.join(pid).exists() {
            let path = entry.path();
            let _ = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        }
    }
}

/// Runs a batch over `records` (JSON lines): checks every record and refuses duplicate IDs before anything is
/// issued, then issues the rest in parallel, each folder published only complete and verified, and writes
/// `errors.jsonl` and `issued.jsonl` (see the module documentation). `progress` is called once per record done.
pub fn run(batch: &Batch<'_>, records: &str, progress: &(dyn Fn() + Sync)) -> Result<BatchReport, BatchError> {
    use rayon::prelude::*;
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| BatchError::Io { path, source }
    };
    std::fs::create_dir_all(&batch.out).map_err(io(&batch.out))?;
    remove_stale_temporaries(&batch.out);
    let entries = read_entries(records);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(batch.jobs.max(1))
        .build()
        .map_err(|e| BatchError::Threads(e.to_string()))?;
    let outcomes: Vec<RecordOutcome> = pool.install(|| {
        entries
            .par_iter()
            .map(|e| {
                let o = run_one(batch, e);
                progress();
                o
            })
            .collect()
    });
    let report = BatchReport::new(outcomes, batch.existing);
    report.write(&batch.out).map_err(|(path, source)| BatchError::Io { path, source })?;
    Ok(report)
}
