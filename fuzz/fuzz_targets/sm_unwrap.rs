//! Any bytes as a protected response to the terminal (fixed keys, 3DES and AES): unwrap never panics. The
//! first byte chooses the cipher, the rest is the response APDU (data and status word).
#![no_main]
use cccd::apdu::ResponseApdu;
use cccd::crypto::SessionKeys;
use cccd::oid::SmCipher;
use cccd::sm::SecureMessaging;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let cipher = match first % 4 {
        0 => SmCipher::TripleDes,
        1 => SmCipher::Aes128,
        2 => SmCipher::Aes192,
        _ => SmCipher::Aes256,
    };
    let Ok(response) = ResponseApdu::from_bytes(rest) else { return };
    let mut terminal = SecureMessaging::with_zero_ssc(SessionKeys::derive(cipher, b"fuzz"));
    let _ = terminal.unwrap(&response);
});
