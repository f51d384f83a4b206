//! Any text typed as an MRZ for an access key: the lenient input path never panics, ignores case and
//! whitespace, and agrees with the strict parser on every MRZ that parses.
#![no_main]
use cccd::mrz::{Mrz, access_key_from_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let key = access_key_from_text(text);
    if let Ok(k) = &key {
        let lower = access_key_from_text(&text.to_lowercase()).expect("case does not matter");
        assert_eq!(lower.as_str(), k.as_str());
    }
    if let Ok(mrz) = Mrz::parse(text) {
        let strict = mrz.mrz_information().expect("a parsed MRZ has its key");
        assert_eq!(key.expect("what parses strictly parses leniently").as_str(), strict.as_str());
    }
});
