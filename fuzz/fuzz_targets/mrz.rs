//! Any text: MRZ parsing never panics, and what parses rebuilds to the canonical text it came from.
#![no_main]
use cccd::mrz::Mrz;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    if let Ok(mrz) = Mrz::parse(text) {
        let canonical = mrz.to_text().expect("a parsed MRZ rebuilds");
        let again = Mrz::parse(&canonical).expect("canonical text parses");
        assert_eq!(again, mrz);
        let _ = mrz.mrz_information();
        let _ = mrz.cccd_can();
    }
});
