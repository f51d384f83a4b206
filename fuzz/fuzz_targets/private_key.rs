//! Key files an issuer loads: any bytes as PKCS#8 DER or as PEM (PKCS#8, SEC1) give a key or an error — EC
//! keys, RSA signing keys (rsaEncryption, id-RSASSA-PSS with its parameters) and RSA Active Authentication keys.
#![no_main]
use cccd::crypto::hash::HashAlgorithm;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::image::RsaActiveAuthenticationKey;
use cccd::pki::{RsaSoftwareKey, SoftwareKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = SoftwareKey::from_pkcs8_der(data) {
        let der = key.to_pkcs8_der().expect("a loaded key encodes");
        assert!(SoftwareKey::from_pkcs8_der(&der).expect("re-encoded key loads") == key);
    }
    if let Ok(key) = RsaSoftwareKey::from_pkcs8_der_with_scheme(data) {
        let der = key.to_pkcs8_der().expect("a loaded RSA key encodes");
        let again = RsaSoftwareKey::from_pkcs8_der_with_scheme(&der).expect("re-encoded RSA key loads");
        assert_eq!(again.algorithm(), key.algorithm());
    }
    let _ = RsaSoftwareKey::from_pkcs8_der(data, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256));
    let _ = RsaActiveAuthenticationKey::from_pkcs8_der(data);
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = SoftwareKey::from_pem(text);
        let _ = RsaSoftwareKey::from_pem_with_scheme(text);
    }
});
