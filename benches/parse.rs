//! Parsing benchmarks, each beside the bare primitive it is compared with: decoding the CCCD's data groups
//! and the sample SODs against SHA-256 over the same bytes (what Passive Authentication must do anyway), and
//! the SOD signature check against the bare verification.
use std::hint::black_box;

use cccd::citizen::CitizenRecord;
use cccd::crypto::hash::HashAlgorithm;
use cccd::crypto::public_key::PublicKey;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::lds::dg1::Dg1;
use cccd::lds::dg2::Dg2;
use cccd::lds::dg2::facial::ImageDataType;
use cccd::lds::dg13::Dg13;
use cccd::lds::sod::Sod;
use cccd::tlv::TlvReader;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn sample_record() -> CitizenRecord {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    serde_json::from_slice(&std::fs::read(path).expect("sample record")).expect("record JSON")
}

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/../shared/vectors/lds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn bench(c: &mut Criterion) {
    let record = sample_record();
    let dg1 = Dg1::new(record.to_mrz().expect("mrz")).expect("dg1").encode().expect("dg1 bytes");
    let dg13 = Dg13::from_record(&record).expect("dg13").encode().expect("dg13 bytes");
    let jpeg: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let dg2 = Dg2::from_image(jpeg, ImageDataType::Jpeg, 480, 640).encode().expect("dg2");

    let mut g = c.benchmark_group("decode vs SHA-256 of the same bytes");
    for (name, bytes) in [("DG1", &dg1), ("DG13", &dg13), ("DG2 20 KB", &dg2)] {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(format!("{name} decode"), |b| {
            b.iter(|| match name {
                "DG1" => drop(black_box(Dg1::decode(black_box(bytes)))),
                "DG13" => drop(black_box(Dg13::decode(black_box(bytes)))),
                _ => drop(black_box(Dg2::decode(black_box(bytes)))),
            })
        });
        g.bench_function(format!("{name} sha256"), |b| b.iter(|| HashAlgorithm::Sha256.digest(black_box(bytes))));
        g.bench_function(format!("{name} TLV walk"), |b| {
            b.iter(|| TlvReader::new(black_box(bytes)).filter_map(Result::ok).count())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("EF.SOD");
    for name in ["LOES2006_EF_SOD.bin", "BSI2008_EF_SOD.bin"] {
        let bytes = vector(name);
        let sod = Sod::decode(&bytes).expect("sample SOD");
        let si = &sod.signer_infos[0];
        let digest = HashAlgorithm::from_oid(&si.digest_algorithm.oid).expect("digest");
        let alg = SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, Some(digest)).expect("alg");
        let key = PublicKey::from_spki(sod.certificates[0].tbs_certificate().subject_public_key_info()).expect("key");
        let signed = si.signed_attributes.as_ref().expect("signed attributes").signed_bytes();
        let prehash = digest.digest(&signed);
        g.bench_function(format!("{name} decode"), |b| b.iter(|| Sod::decode(black_box(&bytes))));
        g.bench_function(format!("{name} verify signature (prehashed)"), |b| {
            b.iter(|| alg.verify_prehash(&key, black_box(&prehash), &si.signature))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
