//! DG15: any bytes decode or fail with an error; what decodes re-encodes to the same file.
#![no_main]
use cccd::lds::dg15::Dg15;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg) = Dg15::decode(data) {
        let again = Dg15::decode(&dg.encode()).expect("re-encoded DG15 decodes");
        assert_eq!((&again.public_key, again.spki()), (&dg.public_key, dg.spki()));
        let _ = dg.public_key.bits();
        let _ = dg.public_key.curve();
        let _ = dg.public_key.to_spki_der();
    }
});
