//! Any bytes: DG1 decoding never panics, and a decoded DG1 re-encodes to bytes that decode to the same MRZ.
#![no_main]
use cccd::lds::dg1::Dg1;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg1) = Dg1::decode(data) {
        let bytes = dg1.encode().expect("a decoded DG1 re-encodes");
        let again = Dg1::decode(&bytes).expect("the canonical encoding decodes");
        assert_eq!(again.mrz(), dg1.mrz());
    }
});
