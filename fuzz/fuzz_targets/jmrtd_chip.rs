//! Command APDUs as the JMRTD applet's virtual chip receives them: any sequence of commands (split from the
//! input at 0xFF separators; a `00` command alone resets the card) gets a response with a status word, never a
//! panic, in every state the sequence reaches (blank, personalized in the clear, locked, in a BAC session).
#![no_main]
use cccd::apdu::CommandApdu;
use cccd::emulator::JmrtdAppletChip;
use cccd::transport::Transport;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut chip = JmrtdAppletChip::blank();
    for command in data.split(|b| *b == 0xFF) {
        if command == [0x00] {
            let _ = chip.reset();
            continue;
        }
        if let Ok(c) = CommandApdu::from_bytes(command) {
            let response = chip.transmit(&c).expect("the virtual chip always answers");
            assert!(response.to_bytes().len() >= 2);
        }
    }
});
