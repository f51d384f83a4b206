//! What a batch did, record by record, and the two files it writes (`errors.jsonl`, `issued.jsonl`).

use std::path::Path;

use serde::Serialize;
use zeroize::Zeroizing;

use super::{ChipError, Existing, FolderError};
use crate::citizen::{FieldProblem, RawRecordError, Severity};
use crate::issuance::IssueWarning;

/// One problem of one record: the field when it is a field's, how bad, a stable code and a message (never
/// the field's value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchProblem {
    /// The field's JSON name, when the problem is a field's.
    pub field: Option<String>,
    /// Error (the record is not issued) or warning.
    pub severity: Severity,
    /// A stable snake_case code (`impossible_date`, `duplicate_id`, `outlives_document_signer`, …).
    pub code: String,
    /// For a person.
    pub message: String,
}

impl BatchProblem {
    fn error(code: &str, message: String) -> Self {
        BatchProblem { field: None, severity: Severity::Error, code: code.into(), message }
    }

    pub(super) fn from_field(p: &FieldProblem) -> Self {
        BatchProblem { field: Some(p.field.clone()), severity: p.severity, code: p.kind.code(), message: p.to_string() }
    }

    pub(super) fn not_a_record(e: &RawRecordError) -> Self {
        let code = match e {
            RawRecordError::NotJson { .. } => "not_json",
            _ => "not_an_object",
        };
        Self::error(code, e.to_string())
    }

    pub(super) fn duplicate(other_lines: &[usize]) -> Self {
        let lines: Vec<String> = other_lines.iter().map(ToString::to_string).collect();
        BatchProblem {
            field: Some("id_number".into()),
            severity: Severity::Error,
            code: "duplicate_id".into(),
            message: format!("id_number: also on line {} (no record of this ID is issued)", lines.join(", ")),
        }
    }

    pub(super) fn no_photo() -> Self {
        Self::error("no_photo", "no photo named after the ID number (ID.jpg, ID.jpeg or ID.png)".into())
    }

    pub(super) fn issue_warning(w: &IssueWarning) -> Self {
        BatchProblem { field: None, severity: Severity::Warning, code: w.code().into(), message: w.to_string() }
    }

    /// `e` about a folder in `out`, naming files relative to `out`.
    pub(super) fn folder(e: &FolderError, severity: Severity, out: &Path) -> Self {
        let (code, message) = match e {
            FolderError::Exists => ("folder_exists", "the chip folder exists already (not resuming)".into()),
            e => (
                "broken_folder",
                format!("the chip folder already there is broken ({}): issued anew", relative(e, out)),
            ),
        };
        BatchProblem { field: None, severity, code: code.into(), message }
    }

    pub(super) fn chip(e: &ChipError, out: &Path) -> Self {
        let code = match e {
            ChipError::Photo(_) => "photo",
            ChipError::Keys(_) => "keys",
            ChipError::Issue(crate::issuance::IssueError::DocumentSignerExpired { .. }) => "document_signer_expired",
            ChipError::Issue(crate::issuance::IssueError::DocumentSignerNotYetValid { .. }) => {
                "document_signer_not_yet_valid"
            }
            ChipError::Issue(_) => "issue",
            ChipError::Folder(_) => "folder",
        };
        Self::error(code, relative(e, out))
    }
}

/// A message with the batch's output folder left out of the paths it names (`OUT/ID/DG1.bin` → `ID/DG1.bin`).
fn relative(e: &dyn std::fmt::Display, out: &Path) -> String {
    let prefix = format!("{}{}", out.display(), std::path::MAIN_SEPARATOR);
    e.to_string().replace(&prefix, "")
}

/// What became of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Issued by this run.
    Issued,
    /// A broken folder was there; issued anew by this run.
    Reissued,
    /// Issued by an earlier run (its folder checked and kept).
    Skipped,
    /// Not issued: the record (or its photo, or a duplicate ID) is at fault.
    Refused,
    /// Not issued: issuing or writing failed.
    Failed,
}

/// One record's outcome. `Debug` leaves out the CAN.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordOutcome {
    /// The line in the records file (1-based).
    pub line: usize,
    /// The ID number as given, when the line has one.
    pub id_number: Option<String>,
    /// What became of it.
    pub status: RecordStatus,
    /// Every problem, errors first.
    pub problems: Vec<BatchProblem>,
    /// The chip's CAN, when it is issued (for the printing step).
    pub can: Option<Zeroizing<String>>,
}

impl core::fmt::Debug for RecordOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordOutcome")
            .field("line", &self.line)
            .field("status", &self.status)
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

impl RecordOutcome {
    /// Whether its chip folder is in `OUT` and verified (issued now or before).
    pub fn has_chip(&self) -> bool {
        matches!(self.status, RecordStatus::Issued | RecordStatus::Reissued | RecordStatus::Skipped)
    }
}

/// Every record's outcome, in line order.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// One per non-empty line.
    pub outcomes: Vec<RecordOutcome>,
    /// Whether folders already there were checked and kept ([`Existing::Resume`]).
    pub resumed: bool,
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    line: usize,
    id_number: Option<&'a str>,
    status: RecordStatus,
    problems: &'a [BatchProblem],
}

#[derive(Serialize)]
struct ManifestLine<'a> {
    line: usize,
    id_number: &'a str,
    can: &'a str,
    folder: &'a str,
}

/// Writes `path` whole or not at all (beside, then renamed); owner-readable only with `private`.
fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), (String, std::io::Error)> {
    use std::io::Write;
    let named = |source| (path.display().to_string(), source);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let written = options.open(&tmp).and_then(|mut f| f.write_all(bytes)).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(named)
}

impl BatchReport {
    pub(super) fn new(mut outcomes: Vec<RecordOutcome>, existing: Existing) -> Self {
        outcomes.sort_by_key(|o| o.line);
        BatchReport { outcomes, resumed: existing == Existing::Resume }
    }

    fn count(&self, status: RecordStatus) -> usize {
        self.outcomes.iter().filter(|o| o.status == status).count()
    }

    /// Records issued by this run (anew over a broken folder included).
    pub fn issued(&self) -> usize {
        self.count(RecordStatus::Issued) + self.count(RecordStatus::Reissued)
    }

    /// Of those, issued over a broken folder.
    pub fn reissued(&self) -> usize {
        self.count(RecordStatus::Reissued)
    }

    /// Records whose folder an earlier run issued (checked and kept).
    pub fn skipped(&self) -> usize {
        self.count(RecordStatus::Skipped)
    }

    /// Records refused (the record, its photo or a duplicate ID at fault).
    pub fn refused(&self) -> usize {
        self.count(RecordStatus::Refused)
    }

    /// Records that failed in issuing or writing.
    pub fn failed(&self) -> usize {
        self.count(RecordStatus::Failed)
    }

    /// The lines of `errors.jsonl`.
    pub fn errors_jsonl(&self) -> String {
        let mut out = String::new();
        for o in self.outcomes.iter().filter(|o| !o.problems.is_empty()) {
            let line =
                ErrorLine { line: o.line, id_number: o.id_number.as_deref(), status: o.status, problems: &o.problems };
            out.push_str(&serde_json::to_string(&line).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// The lines of `issued.jsonl` (holds CANs).
    pub fn manifest_jsonl(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::new());
        for o in self.outcomes.iter().filter(|o| o.has_chip()) {
            let (Some(id), Some(can)) = (&o.id_number, &o.can) else { continue };
            let line = ManifestLine { line: o.line, id_number: id, can, folder: id };
            let text = Zeroizing::new(serde_json::to_string(&line).unwrap_or_default());
            out.push_str(&text);
            out.push('\n');
        }
        out
    }

    pub(super) fn write(&self, out: &Path) -> Result<(), (String, std::io::Error)> {
        write_atomic(&out.join("errors.jsonl"), self.errors_jsonl().as_bytes(), false)?;
        write_atomic(&out.join("issued.jsonl"), self.manifest_jsonl().as_bytes(), true)
    }
}
