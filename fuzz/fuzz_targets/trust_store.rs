//! Trust material a verifier loads: any bytes as CSCA certificates (PEM, DER, ICAO master list) or as a CRL
//! load or fail with an error; what loads is then used in a Passive Authentication check without panicking.
#![no_main]
use cccd::pa::TrustStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut store = TrustStore::new();
    let _ = store.add_bytes(data);
    let _ = store.add_crl_bytes(data);
    // a fixed, well-formed SOD checked against whatever loaded
    static SOD: &[u8] = include_bytes!("../../../shared/vectors/lds/LOES2006_EF_SOD.bin");
    let _ = cccd::pa::verify_with_store(SOD, &Default::default(), None, &store);
});
