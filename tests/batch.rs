//! Batch issuance through the library function `cccd issue-batch` calls: duplicate IDs and bad records are
//! refused before anything is issued, a folder is counted as issued only when it is complete and verified,
//! reruns resume (skip what is issued, issue a broken folder anew), and the reports name records, never
//! temporary folders.
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cccd::batch::{Batch, ChipRecipe, Existing, FolderTrust, Photos, RecordStatus, check_chip_folder};
use cccd::crypto::ec::NamedCurve;
use cccd::issuance::FaceImage;
use cccd::lds::dg2::facial::ImageDataType;
use cccd::pki::{CertificateBuilder, Issued, SoftwareKey};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cccd-batch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn pki() -> (Issued, cccd::pki::DocumentSigner) {
    let csca = CertificateBuilder::country_signing_ca("CN=CSCA,C=VN")
        .serial(1)
        .valid_for_days(5475)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds = CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(9)
        .not_before(yesterday)
        .valid_for_days(3650)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap();
    (csca, ds.into())
}

fn face() -> FaceImage {
    let (data, width, height) = common::chip::face_jpeg();
    FaceImage { data, image_type: ImageDataType::Jpeg, width, height }
}

fn record_json(id: &str) -> serde_json::Value {
    let mut r: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json")).unwrap(),
    )
    .unwrap();
    r["id_number"] = serde_json::json!(id);
    r
}

/// The folders in `out` that are not temporary (`.`) and not reports.
fn chip_folders(out: &Path) -> BTreeSet<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect()
}

fn manifest_ids(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join("issued.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["folder"], v["id_number"]);
            assert_eq!(v["can"].as_str().unwrap().len(), 6);
            v["id_number"].as_str().unwrap().to_string()
        })
        .collect()
}

const GOOD: [&str; 2] = ["001099012340", "001099012342"];
const DUP: &str = "001099012341";

/// Breaks a chip folder the way a crash or a race would.
fn damage(out: &Path, run: usize) {
    let a = out.join(GOOD[0]);
    let b = out.join(GOOD[1]);
    match (run / 5) % 7 {
        0 => std::fs::remove_file(a.join("DG15.bin")).unwrap(),
        // another chip's DG15: what the old race left behind
        1 => std::fs::copy(b.join("DG15.bin"), a.join("DG15.bin")).map(|_| ()).unwrap(),
        // a folder holding only manifest.json
        2 => {
            std::fs::remove_dir_all(&a).unwrap();
            std::fs::create_dir_all(&a).unwrap();
            std::fs::copy(b.join("manifest.json"), a.join("manifest.json")).unwrap();
        }
        3 => std::fs::remove_file(a.join("secrets/can")).unwrap(),
        4 => std::fs::write(a.join("EF.SOD.bin"), [0x77, 0x03, 0x30, 0x01]).unwrap(),
        // the other holder's files in this holder's folder
        5 => {
            std::fs::remove_dir_all(&a).unwrap();
            copy_dir(&b, &a);
        }
        _ => {
            // a stale temporary folder of a dead run and a half folder for the duplicate ID
            let stale = out.join(format!(".{}.partial-999999999-0-0", GOOD[0]));
            std::fs::create_dir_all(&stale).unwrap();
            std::fs::copy(b.join("manifest.json"), stale.join("manifest.json")).unwrap();
            std::fs::create_dir_all(out.join(DUP)).unwrap();
            std::fs::copy(b.join("manifest.json"), out.join(DUP).join("manifest.json")).unwrap();
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn two_hundred_runs_with_duplicates_bad_records_and_broken_folders_count_only_verified_folders() {
    let dir = tmp("200");
    let out = dir.join("out");
    let (csca, ds) = pki();
    let mut bad = record_json("001099012343");
    bad["date_of_birth"] = serde_json::json!("1989-02-30");
    bad["sex"] = serde_json::json!("X");
    let lines = [
        record_json(GOOD[0]).to_string(),
        record_json(DUP).to_string(),
        bad.to_string(),
        record_json(DUP).to_string(),
        "{ not json".to_string(),
        record_json(GOOD[1]).to_string(),
    ];
    let records = lines.join("\n") + "\n";
    let batch = Batch {
        out: out.clone(),
        photos: Photos::Prepared(face()),
        recipe: ChipRecipe { chip_curve: NamedCurve::P256, ..ChipRecipe::default() },
        trust: FolderTrust { ds: &ds, csca: Some(&csca.certificate) },
        jobs: 2,
        existing: Existing::Resume,
    };
    let trust = batch.trust;
    let (mut issued, mut reissued) = (0, 0);
    for run in 0..200 {
        let damaged = run > 0 && run % 5 == 0;
        if damaged {
            damage(&out, run);
        }
        let report = cccd::batch::run(&batch, &records, &|| {}).unwrap();
        // duplicates, the bad record and the junk line are refused every time, before anything is issued
        assert_eq!(report.refused(), 4, "run {run}: {:?}", report.outcomes);
        assert_eq!(report.failed(), 0, "run {run}: {:?}", report.outcomes);
        assert_eq!(report.issued() + report.skipped(), 2, "run {run}: {:?}", report.outcomes);
        for o in &report.outcomes {
            match o.line {
                2 | 4 => assert_eq!(o.problems[0].code, "duplicate_id", "run {run}"),
                3 => {
                    let codes: Vec<&str> = o.problems.iter().map(|p| p.code.as_str()).collect();
                    assert!(codes.contains(&"impossible_date") && codes.contains(&"invalid_sex"), "{codes:?}");
                }
                _ => {}
            }
        }
        issued += report.issued() - report.reissued();
        reissued += report.reissued();
        if run == 0 {
            assert_eq!(report.issued(), 2);
        } else if damaged && (run / 5) % 7 != 6 {
            assert_eq!(report.reissued(), 1, "run {run}: a broken folder is issued anew: {:?}", report.outcomes);
            let o = &report.outcomes[0];
            assert_eq!(o.status, RecordStatus::Reissued);
            assert!(o.problems.iter().any(|p| p.code == "broken_folder"), "{:?}", o.problems);
        } else {
            assert_eq!(report.skipped(), 2, "run {run}: resumed without issuing again: {:?}", report.outcomes);
        }
        // every folder counted is complete, verified and its holder's; nothing else is counted
        let counted = manifest_ids(&out);
        assert_eq!(counted, GOOD.iter().map(|s| s.to_string()).collect(), "run {run}");
        std::thread::scope(|s| {
            for id in &counted {
                let (out, trust) = (&out, &trust);
                s.spawn(move || {
                    check_chip_folder(&out.join(id), Some(id), trust).unwrap_or_else(|e| panic!("run {run}: {id}: {e}"))
                });
            }
        });
        let folders = chip_folders(&out);
        assert!(folders.is_superset(&counted));
        assert!(folders.iter().all(|f| counted.contains(f) || f == DUP), "run {run}: {folders:?}");
        let errors = std::fs::read_to_string(out.join("errors.jsonl")).unwrap();
        assert!(!errors.contains("partial") && !errors.contains(&*dir.to_string_lossy()), "{errors}");
        assert!(!errors.contains("Nguy"), "personal data in errors.jsonl");
        let named: Vec<(u64, Option<String>)> = errors
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (v["line"].as_u64().unwrap(), v["id_number"].as_str().map(str::to_string))
            })
            .collect();
        assert!(named.contains(&(2, Some(DUP.into()))) && named.contains(&(4, Some(DUP.into()))), "{named:?}");
        assert!(named.contains(&(5, None)), "{named:?}");
        if run % 5 == 1 {
            // a stale temporary folder of a dead process is cleaned up by the next run
            assert!(
                std::fs::read_dir(&out).unwrap().all(|e| !e
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("999999999"))
            );
        }
        let _ = std::fs::remove_dir_all(out.join(DUP));
    }
    assert_eq!(issued, 2);
    assert_eq!(reissued, 34);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_resume_an_existing_folder_is_refused_and_an_expired_signer_issues_nothing() {
    let dir = tmp("noresume");
    let out = dir.join("out");
    let (csca, ds) = pki();
    let records = record_json(GOOD[0]).to_string() + "\n";
    let mut batch = Batch {
        out: out.clone(),
        photos: Photos::Prepared(face()),
        recipe: ChipRecipe { chip_curve: NamedCurve::P256, ..ChipRecipe::default() },
        trust: FolderTrust { ds: &ds, csca: Some(&csca.certificate) },
        jobs: 1,
        existing: Existing::Refuse,
    };
    assert_eq!(cccd::batch::run(&batch, &records, &|| {}).unwrap().issued(), 1);
    let again = cccd::batch::run(&batch, &records, &|| {}).unwrap();
    assert_eq!((again.issued(), again.refused()), (0, 1));
    assert_eq!(again.outcomes[0].problems[0].code, "folder_exists");
    assert!(!again.resumed);
    // a Document Signer whose validity ended refuses every record (typed), and no folder appears
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(40 * 86_400);
    let expired: cccd::pki::DocumentSigner = CertificateBuilder::document_signer("CN=DS,C=VN")
        .serial(10)
        .not_before(long_ago)
        .valid_for_days(30)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .unwrap()
        .into();
    batch.trust = FolderTrust { ds: &expired, csca: Some(&csca.certificate) };
    batch.out = dir.join("out2");
    let report = cccd::batch::run(&batch, &records, &|| {}).unwrap();
    assert_eq!(report.failed(), 1);
    assert_eq!(report.outcomes[0].problems[0].code, "document_signer_expired");
    assert!(chip_folders(&batch.out).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
