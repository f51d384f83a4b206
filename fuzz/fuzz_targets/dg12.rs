//! DG12: any bytes decode or fail with an error; what decodes re-encodes to a file that decodes the same.
#![no_main]
use cccd::lds::details::Dg12;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg) = Dg12::decode(data) {
        let again = dg.encode().expect("a decoded DG12 encodes");
        let mut without = dg.clone();
        without.warnings.clear();
        assert_eq!(Dg12::decode(&again).expect("re-encoded DG12 decodes"), without);
    }
});
