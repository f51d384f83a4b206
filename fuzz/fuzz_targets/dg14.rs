//! DG14: any bytes decode or fail with an error; what decodes re-encodes to a file that decodes the same.
#![no_main]
use cccd::lds::security_infos::Dg14;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg) = Dg14::decode(data) {
        let again = Dg14::decode(&dg.encode()).expect("re-encoded DG14 decodes");
        assert_eq!(again.encode(), dg.encode());
        assert_eq!(again.infos.infos(), dg.infos.infos());
        for k in dg.infos.chip_authentication_public_keys() {
            let _ = k.public_key.curve();
            let _ = k.public_key.bits();
        }
    }
});
