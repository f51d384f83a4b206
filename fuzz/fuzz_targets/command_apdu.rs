//! Any bytes as a command APDU (the chip side's parser): never panics, and what parses re-encodes to the same
//! bytes; then the same bytes as a protected command (chip-side secure messaging unwrap with fixed keys).
#![no_main]
use cccd::apdu::{CommandApdu, ResponseApdu};
use cccd::crypto::SessionKeys;
use cccd::oid::SmCipher;
use cccd::sm::SecureMessaging;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(command) = CommandApdu::from_bytes(data) {
        let bytes = command.to_bytes().expect("a parsed command encodes");
        assert_eq!(bytes, data);
        for cipher in [SmCipher::TripleDes, SmCipher::Aes128] {
            let mut chip = SecureMessaging::with_zero_ssc(SessionKeys::derive(cipher, b"fuzz"));
            let _ = chip.unwrap_command(&command);
        }
        let _ = command.chain(16);
    }
    if let Ok(response) = ResponseApdu::from_bytes(data) {
        assert_eq!(response.to_bytes(), data);
    }
});
