//! Any bytes: DG13 decoding never panics; a decoded DG13 re-encodes, and the canonical encoding is stable.
#![no_main]
use cccd::citizen::CitizenRecord;
use cccd::lds::dg13::Dg13;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg13) = Dg13::decode(data) {
        let _ = format!("{dg13:?}");
        // Encoding may fail only for a PrintableString holding characters outside its set.
        if let Ok(bytes) = dg13.encode() {
            let again = Dg13::decode(&bytes).expect("the canonical encoding decodes");
            assert_eq!(again.encode().expect("re-encodes"), bytes);
        }
        let text = "IDVNM0990123459001099012345<<09901155M3901153VNM<<<<<<<<<<<6NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";
        let mrz = cccd::mrz::Mrz::parse(text).expect("the profile MRZ parses");
        let dg1 = cccd::lds::dg1::Dg1::new(mrz).expect("DG1 encodes");
        let _ = CitizenRecord::from_dg1_dg13(&dg1, &dg13);
    }
});
