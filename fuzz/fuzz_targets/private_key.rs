//! Key files an issuer loads: any bytes as PKCS#8 DER or as PEM (PKCS#8, SEC1) give a key or an error.
#![no_main]
use cccd::pki::SoftwareKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = SoftwareKey::from_pkcs8_der(data) {
        let der = key.to_pkcs8_der().expect("a loaded key encodes");
        assert!(SoftwareKey::from_pkcs8_der(&der).expect("re-encoded key loads") == key);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = SoftwareKey::from_pem(text);
    }
});
