//! Trust material a verifier loads: any bytes as CSCA certificates (PEM, DER, ICAO master list) or as a CRL
//! load or fail with an error; what loads is then used in a Passive Authentication check without panicking.
//! Master lists have their own signature checked (intact, anchored at their own certificates, unchecked).
#![no_main]
use cccd::pa::{MasterList, MasterListPolicy, TrustStore};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut store = TrustStore::new();
    let _ = store.add_bytes(data);
    let _ = store.add_crl_bytes(data);
    if let Ok(list) = MasterList::from_der(data) {
        let report = list.verify(list.certificates(), None);
        let _ = (report.is_valid(), report.reason(), list.verify_intact(None).is_intact(), format!("{list:?}"));
        store.set_master_list_policy(MasterListPolicy::Unchecked);
        let _ = store.add_bytes(data);
    }
    // a fixed, well-formed SOD checked against whatever loaded
    static SOD: &[u8] = include_bytes!("../../../shared/vectors/lds/LOES2006_EF_SOD.bin");
    let _ = cccd::pa::verify_with_store(SOD, &Default::default(), None, &store);
});
