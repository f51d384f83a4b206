//! Passive Authentication of the sample documents: every check has its own verdict.
mod common;

use std::collections::BTreeMap;

use cccd::lds::LdsFile;
use cccd::pa::{Check, HashCheck, verify};
use common::vector;
use time::macros::date;

fn files(names: &[(&str, u8)]) -> BTreeMap<LdsFile, Vec<u8>> {
    names.iter().map(|(n, dg)| (LdsFile::dg(*dg).unwrap(), vector(n))).collect()
}

#[test]
fn loes2006_hashes_signature_and_validity() {
    let sod = vector("lds/LOES2006_EF_SOD.bin");
    let read = files(&[("lds/LOES2006_DG1.bin", 1), ("lds/LOES2006_DG15.bin", 15)]);
    let in_period = verify(&sod, &read, Some(date!(2006 - 09 - 30))).unwrap();
    assert_eq!(in_period.hash_algorithm.name(), "SHA-256");
    assert_eq!(in_period.data_groups[&cccd::lds::LdsFile::dg(1).unwrap()], HashCheck::Match);
    assert_eq!(in_period.data_groups[&cccd::lds::LdsFile::dg(15).unwrap()], HashCheck::Match);
    assert_eq!(in_period.data_groups[&cccd::lds::LdsFile::dg(2).unwrap()], HashCheck::NotPresent);
    assert_eq!(in_period.message_digest, Check::Passed);
    assert_eq!(in_period.signature, Check::Passed);
    assert_eq!(in_period.ds_certificate_validity, Check::Passed);
    assert!(matches!(in_period.csca_chain, Check::NotChecked(_)));
    assert!(in_period.first_failure().is_some(), "no CSCA: not valid");

    let today = verify(&sod, &read, None).unwrap();
    assert!(
        matches!(&today.ds_certificate_validity, Check::Failed(r) if r.to_string().contains("expired")),
        "{today:?}"
    );

    let mut changed = read.clone();
    let dg1 = changed.get_mut(&LdsFile::dg(1).unwrap()).unwrap();
    let last = dg1.len() - 1;
    dg1[last] ^= 1;
    let report = verify(&sod, &changed, Some(date!(2006 - 09 - 30))).unwrap();
    assert_eq!(report.data_groups[&cccd::lds::LdsFile::dg(1).unwrap()], HashCheck::Mismatch);
    assert_eq!(report.signature, Check::Passed);
}

#[test]
fn bsi2008_ecdsa_on_explicit_brainpool224() {
    let sod = vector("lds/BSI2008_EF_SOD.bin");
    let read = files(&[("lds/BSI2008_DG1.bin", 1), ("lds/BSI2008_DG14.bin", 14)]);
    let report = verify(&sod, &read, None).unwrap();
    assert_eq!(report.hash_algorithm.name(), "SHA-1");
    assert_eq!(report.data_groups[&cccd::lds::LdsFile::dg(1).unwrap()], HashCheck::Match);
    assert_eq!(report.data_groups[&cccd::lds::LdsFile::dg(14).unwrap()], HashCheck::Match);
    assert_eq!(report.data_groups[&cccd::lds::LdsFile::dg(3).unwrap()], HashCheck::NotPresent);
    assert_eq!(report.signature, Check::Passed);
    assert_eq!(report.message_digest, Check::Passed);
    // a data group the SOD does not list
    let mut extra = read.clone();
    extra.insert(LdsFile::dg(11).unwrap(), vec![0x6B, 0x00]);
    assert_eq!(
        verify(&sod, &extra, None).unwrap().data_groups[&cccd::lds::LdsFile::dg(11).unwrap()],
        HashCheck::NotListed
    );
    assert!(verify(&[0x77, 0x00], &read, None).is_err());
}
