//! EF.CardAccess: any bytes decode or fail with an error; what decodes re-encodes to a file that decodes the same.
#![no_main]
use cccd::lds::security_infos::CardAccess;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ca) = CardAccess::decode(data) {
        // bytes after the TLV are a warning, not part of the file: the re-encoding is the TLV alone
        let again = CardAccess::decode(&ca.encode()).expect("re-encoded EF.CardAccess decodes");
        assert_eq!(again.encode(), ca.encode());
        assert_eq!(again.infos.infos(), ca.infos.infos());
        // the re-encoding is DER and the reader is tolerant of BER lengths (`31 81 00`, found by this target):
        // the re-encoding is therefore not always a prefix of the input, only a fixed point of decode + encode
    }
});
