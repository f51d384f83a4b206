//! DG3/DG4 (CBEFF with ISO/IEC 19794-4 and 19794-6 records): any bytes decode or fail with an error; what
//! decodes re-encodes to a file that decodes the same.
#![no_main]
use cccd::lds::dg3::BiometricGroup;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg) = BiometricGroup::decode(data) {
        let bytes = dg.encode().expect("a decoded DG3/DG4 encodes");
        let mut again = BiometricGroup::decode(&bytes).expect("re-encoded DG3/DG4 decodes");
        // the length-mismatch flags describe the input, not the model
        for (a, b) in again.templates.iter_mut().zip(&dg.templates) {
            if let (cccd::lds::dg3::BiometricRecord::Finger(x), cccd::lds::dg3::BiometricRecord::Finger(y)) = (&mut a.record, &b.record) {
                x.length_mismatch = y.length_mismatch;
            }
            if let (cccd::lds::dg3::BiometricRecord::Iris(x), cccd::lds::dg3::BiometricRecord::Iris(y)) = (&mut a.record, &b.record) {
                x.length_mismatch = y.length_mismatch;
            }
        }
        assert_eq!(again, dg);
    }
});
