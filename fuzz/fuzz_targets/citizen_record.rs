//! Citizen records parsed leniently: any text parses or fails with an error; a record that checks clean
//! validates clean and is in NFC; every problem names a field.
#![no_main]
use cccd::citizen::RawRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(raw) = RawRecord::from_json(text) else { return };
    let check = raw.check();
    assert!(check.problems().iter().all(|p| !p.field.is_empty()));
    if let Some(record) = &check.record {
        assert!(record.validate().is_ok());
        assert!(*record == record.to_nfc());
    }
});
