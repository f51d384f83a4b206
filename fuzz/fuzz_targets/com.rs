//! EF.COM: any bytes decode or fail with an error; what decodes re-encodes to a file that decodes the same.
#![no_main]
use cccd::lds::com::Com;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(com) = Com::decode(data) {
        let mut without = com.clone();
        without.warnings.clear();
        assert_eq!(Com::decode(&com.encode()).expect("re-encoded EF.COM decodes"), without);
    }
});
