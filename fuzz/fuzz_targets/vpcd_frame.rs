//! vpcd frames as the virtual card receives them from the reader driver: any payload parses or fails with an
//! error, never panics; a parsed APDU frame keeps its bytes.
#![no_main]
use cccd::vpcd::{Frame, parse_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = parse_frame(data) {
        match frame {
            Frame::Apdu(bytes) => assert_eq!(bytes, data),
            _ => assert_eq!(data.len(), 1),
        }
    }
});
