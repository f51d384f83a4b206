//! DG11: any bytes decode or fail with an error; what decodes re-encodes to a file that decodes the same.
#![no_main]
use cccd::lds::details::Dg11;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg) = Dg11::decode(data) {
        let again = dg.encode().expect("a decoded DG11 encodes");
        let mut without = dg.clone();
        without.warnings.clear();
        assert_eq!(Dg11::decode(&again).expect("re-encoded DG11 decodes"), without);
    }
});
