//! DG15: any bytes decode or fail with an error; what decodes re-encodes to the same file.
#![no_main]
use cccd::lds::dg15::Dg15;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg) = Dg15::decode(data) {
        assert_eq!(Dg15::decode(&dg.encode()).expect("re-encoded DG15 decodes"), dg);
        let _ = dg.public_key.bits();
        let _ = dg.public_key.curve();
        let _ = dg.public_key.to_spki_der();
    }
});
