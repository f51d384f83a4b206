//! Issuance and Passive Authentication, each beside the bare primitive it cannot avoid, in the same run:
//!
//! - issuing one full chip image (20 KB DG2, DS key P-256, chip keys made beforehand) against one bare
//!   ECDSA P-256 signature: the goal is issuance at ≥ 85 % of the bare signing rate on one core;
//! - issuing a batch of images on 1 and on 2 rayon threads (goal: 2 jobs ≥ 1.7 × one job);
//! - Passive Authentication of an issued image with a trust store (as a verifier keeps one) against one bare
//!   ECDSA P-256 verification (goal: ≥ 85 % of the bare verify rate).
//!
//! `cargo bench --bench issuance`; the rates are printed by criterion as time per iteration.
use std::hint::black_box;

use cccd::citizen::CitizenRecord;
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::issuance::{ChipKeys, FaceImage, IssueOptions, issue};
use cccd::lds::LdsFile;
use cccd::lds::dg2::facial::ImageDataType;
use cccd::pa::{TrustStore, verify_with_store};
use cccd::pki::{DocumentSigner, Signer, SoftwareKey};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;

fn sample_record() -> CitizenRecord {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    serde_json::from_slice(&std::fs::read(path).expect("sample record")).expect("record JSON")
}

fn bench(c: &mut Criterion) {
    let record = sample_record();
    let csca = cccd::pki::CertificateBuilder::country_signing_ca("CN=CSCA Bench,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::P256))
        .expect("csca");
    let ds_key = SoftwareKey::generate(NamedCurve::P256);
    let bare_key = ds_key.clone();
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds: DocumentSigner = cccd::pki::CertificateBuilder::document_signer("CN=DS Bench,C=VN")
        .serial(2)
        .not_before(yesterday)
        .valid_for_days(365)
        .issuer(&csca)
        .build_for_key(ds_key)
        .expect("ds")
        .into();
    let face = FaceImage {
        data: (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect(),
        image_type: ImageDataType::Jpeg,
        width: 480,
        height: 640,
    };
    let keys = ChipKeys::generate(NamedCurve::BrainpoolP256r1);
    let options = IssueOptions::default();

    let mut g = c.benchmark_group("issuance vs bare ECDSA P-256 sign");
    g.throughput(Throughput::Elements(1));
    let digest = HashAlgorithm::Sha256.digest(b"signed attributes");
    g.bench_function("bare ECDSA P-256 sign (prehashed)", |b| {
        b.iter(|| black_box(bare_key.sign_prehash(black_box(&digest)).expect("sign")))
    });
    g.bench_function("issue one chip image (20 KB DG2)", |b| {
        b.iter(|| black_box(issue(black_box(&record), &face, &keys, &ds, &options).expect("issue")))
    });
    g.finish();

    let batch = 32usize;
    let mut g = c.benchmark_group("batch issuance, 32 images");
    g.throughput(Throughput::Elements(batch as u64));
    g.sample_size(20);
    for jobs in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().expect("pool");
        g.bench_function(format!("{jobs} job(s)"), |b| {
            b.iter(|| {
                pool.install(|| {
                    (0..batch).into_par_iter().for_each(|_| {
                        black_box(issue(&record, &face, &keys, &ds, &options).expect("issue"));
                    })
                })
            })
        });
    }
    g.finish();

    let image = issue(&record, &face, &keys, &ds, &options).expect("issue");
    let sod = image.files[&LdsFile::Sod].clone();
    let store = TrustStore::from_certificates(std::slice::from_ref(&csca.certificate));
    let report = verify_with_store(&sod, &image.files, None, &store).expect("pa");
    assert!(report.hashes_match() && report.first_failure().is_none(), "{report:?}");
    let public = ds.signer.public_key().expect("public key");
    let message = b"signed attributes".to_vec();
    let signature = ds.signer.sign(&message).expect("sign");
    let alg = SignatureAlgorithm::from_algorithm_identifier(&ds.signer.signature_algorithm(), None).expect("alg");
    let mut g = c.benchmark_group("Passive Authentication vs bare ECDSA P-256 verify");
    g.throughput(Throughput::Elements(1));
    g.bench_function("bare ECDSA P-256 verify", |b| {
        b.iter(|| alg.verify(black_box(&public), black_box(&message), black_box(&signature)).expect("verify"))
    });
    g.bench_function("Passive Authentication (trust store kept)", |b| {
        b.iter(|| black_box(verify_with_store(black_box(&sod), &image.files, None, &store).expect("pa")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
