//! A blank chip fed arbitrary command APDUs (personalization commands included, in and out of a session):
//! every command gets an answer or a pulled card, never a panic.
#![no_main]
use cccd::emulator::{ChipConfig, VirtualChip, answer_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut chip = VirtualChip::blank([0x11; 16], ChipConfig::default());
    // a sequence of commands, each prefixed by its length
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (command, next) = tail.split_at(n);
        if let Some(response) = answer_bytes(&mut chip, command) {
            assert!(response.len() >= 2);
        }
        rest = next;
    }
});
