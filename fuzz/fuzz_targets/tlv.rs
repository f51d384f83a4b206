//! Any bytes: the TLV reader walks them (recursing into constructed objects) without panicking,
//! and what it reads re-encodes to the bytes it came from when the lengths were minimal.
#![no_main]
use cccd::tlv::{Tlv, TlvReader, encode_tlv};
use libfuzzer_sys::fuzz_target;

fn walk(tlv: &Tlv<'_>, depth: usize) {
    if depth > 32 || !tlv.tag().is_constructed() {
        return;
    }
    for child in tlv.children() {
        match child {
            Ok(c) => walk(&c, depth + 1),
            Err(_) => break,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for item in TlvReader::new(data) {
        let Ok(tlv) = item else { break };
        walk(&tlv, 0);
        let re = encode_tlv(tlv.tag(), tlv.value());
        if re.len() == tlv.raw().len() && !tlv.is_indefinite() {
            assert_eq!(re, tlv.raw());
        }
    }
});
