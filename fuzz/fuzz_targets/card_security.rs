//! EF.CardSecurity: any bytes decode or fail with an error; a decoded file keeps its TLV and its accessors never
//! panic; its SecurityInfos re-encode to what was read.
#![no_main]
use cccd::lds::card_security::CardSecurity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cs) = CardSecurity::decode(data) {
        assert!(data.starts_with(&cs.encode()));
        let _ = cs.chip_authentication_public_keys().count();
        let _ = cs.signer_identifier();
        let _ = format!("{cs:?}");
        for si in &cs.signer_infos {
            if let Some(a) = &si.signed_attributes {
                let _ = a.message_digest();
                let _ = a.signed_bytes();
            }
        }
    }
});
