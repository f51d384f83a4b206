//! Any bytes: the QR payload parser never panics; what it accepts builds back to the same text (less
//! BOM, trailing line break and NFD "Nữ") and parses back to the same payload.
#![no_main]
use cccd::qr::QrPayload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = QrPayload::parse_bytes(data) else { return };
    let built = p.build();
    let again = QrPayload::parse(&built).expect("built payload parses");
    assert_eq!(again, p);
    assert_eq!(again.build(), built);
    let _ = p.validate();
    let _ = format!("{p:?}");
});
