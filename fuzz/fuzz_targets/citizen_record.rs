//! Citizen records parsed leniently: any text parses or fails with an error; the one list of problems holds
//! every error, warning and unknown field (a JSON key may be any text, even empty); a record comes back exactly
//! when there is no error, and it validates clean and is in NFC.
#![no_main]
use cccd::citizen::RawRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(raw) = RawRecord::from_json(text) else { return };
    let check = raw.check();
    let v = &check.validation;
    assert_eq!(check.problems().len(), v.errors.len() + v.warnings.len() + check.unknown_fields.len());
    assert_eq!(check.record.is_some(), v.errors.is_empty() && check.unknown_fields.is_empty());
    if let Some(record) = &check.record {
        assert!(record.validate().is_ok());
        assert!(*record == record.to_nfc());
    }
});
