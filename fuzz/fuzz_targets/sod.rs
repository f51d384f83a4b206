//! EF.SOD: any bytes decode or fail with an error; a decoded SOD's accessors never panic.
#![no_main]
use cccd::lds::sod::{LdsSecurityObject, Sod};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sod) = Sod::decode(data) {
        // the TLV, without what followed it (a warning)
        assert!(data.starts_with(&sod.encode()));
        assert_eq!(sod.warnings().is_empty(), sod.encode().len() == data.len());
        let _ = sod.content_info_der();
        for si in &sod.signer_infos {
            if let Some(a) = &si.signed_attributes {
                let _ = a.message_digest();
                let _ = a.content_type();
                let _ = a.signing_time();
                let _ = a.signed_bytes();
            }
        }
        let lso = &sod.lds_security_object;
        if let Ok(der) = lso.encode() {
            assert_eq!(&LdsSecurityObject::decode(&der).expect("re-encoded LDSSecurityObject decodes"), lso);
        }
    }
    let _ = LdsSecurityObject::decode(data);
});
