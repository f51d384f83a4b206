//! PACE messages from the other side: a chip fed arbitrary MSE:Set AT and GENERAL AUTHENTICATE data, and the
//! terminal's parser of dynamic authentication data, answer or fail with an error, never panic.
#![no_main]
use cccd::access::pace::{PaceChip, PaceParameters, dynamic_object};
use cccd::apdu::CommandApdu;
use cccd::crypto::ec::NamedCurve;
use cccd::oid::SmCipher;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for tag in [0x80, 0x82, 0x84, 0x86] {
        let _ = dynamic_object(data, tag);
    }
    let params = PaceParameters::generic_ecdh(SmCipher::Aes128, NamedCurve::BrainpoolP256r1).expect("params");
    let mut chip = PaceChip::new(vec![params], Some("T22000129364081251010318"), Some("123456"));
    let _ = chip.set_at(&CommandApdu::new(0, 0x22, 0xC1, 0xA4).with_data(data.to_vec()));
    // a valid Set AT, then the data as each GENERAL AUTHENTICATE step
    let oid = params.protocol.oid().expect("oid");
    let mut set = vec![0x80, oid.as_bytes().len() as u8];
    set.extend_from_slice(oid.as_bytes());
    set.extend_from_slice(&[0x83, 0x01, 0x02]);
    let _ = chip.set_at(&CommandApdu::new(0, 0x22, 0xC1, 0xA4).with_data(set));
    for _ in 0..4 {
        let _ = chip.general_authenticate(&CommandApdu::new(0x10, 0x86, 0, 0).with_data(data.to_vec()));
    }
});
