//! The verifier on any files: the input is cut at `0xFF 0x00 0xFF` into EF.COM, EF.SOD, DG1, DG14 and DG15
//! (missing parts absent), and every policy gives a verdict, findings and a JSON verdict object without
//! panicking; the same files with the well-formed LOES2006 SOD too.
#![no_main]
use cccd::lds::LdsFile;
use cccd::pa::TrustStore;
use cccd::verify::{Policy, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let names = [LdsFile::Com, LdsFile::Sod, LdsFile::dg(1).unwrap(), LdsFile::dg(14).unwrap(), LdsFile::dg(15).unwrap()];
    let mut files = std::collections::BTreeMap::new();
    let mut rest = data;
    for name in names {
        let (part, tail) = match rest.windows(3).position(|w| w == [0xFF, 0x00, 0xFF]) {
            Some(i) => (&rest[..i], &rest[i + 3..]),
            None => (rest, &[][..]),
        };
        if !part.is_empty() {
            files.insert(name, part.to_vec());
        }
        rest = tail;
    }
    let store = TrustStore::new();
    for policy in [Policy::counter(), Policy::strict(), Policy::personalizer(files.clone())] {
        let v = Verifier::new(&store, policy).verify_files(&files);
        let _ = (v.summary(), format!("{:?}", v.verdict_object()));
    }
    static SOD: &[u8] = include_bytes!("../../../shared/vectors/lds/LOES2006_EF_SOD.bin");
    files.insert(LdsFile::Sod, SOD.to_vec());
    let _ = Verifier::new(&store, Policy::counter()).verify_files(&files).summary();
});
