//! DG2 (CBEFF + ISO/IEC 19794-5): any bytes decode or fail with an error; what decodes re-encodes to a file
//! that decodes the same.
#![no_main]
use cccd::lds::dg2::Dg2;
use cccd::lds::dg2::facial::FacialRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg) = Dg2::decode(data) {
        let again = dg.encode().expect("a decoded DG2 encodes");
        let mut without = dg.clone();
        without.warnings.clear();
        assert_eq!(Dg2::decode(&again).expect("re-encoded DG2 decodes"), without);
    }
    if let Ok(r) = FacialRecord::decode(data) {
        assert_eq!(r.encode().expect("a decoded record encodes"), data);
    }
});
