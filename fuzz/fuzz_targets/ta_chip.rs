//! The chip's Terminal Authentication state machine: any sequence of commands (each prefixed by a length byte)
//! gets an answer and never grants DG3 without a valid signature chain (which random input cannot forge).
#![no_main]
use std::sync::OnceLock;

use cccd::access::ta::{IdIc, TaBinding, TaChip};
use cccd::apdu::CommandApdu;
use cccd::crypto::ec::NamedCurve;
use cccd::cvc::issue::{self, Rights};
use cccd::cvc::{CvCertificate, CvcDate, Reference};
use cccd::pki::SoftwareKey;
use libfuzzer_sys::fuzz_target;

fn cvca() -> &'static CvCertificate {
    static C: OnceLock<CvCertificate> = OnceLock::new();
    C.get_or_init(|| {
        let key = SoftwareKey::from_secret(NamedCurve::BrainpoolP256r1, &[0x42; 32]).unwrap();
        let d = |digits: [u8; 6]| CvcDate::decode(&digits, "date", 0).unwrap();
        let rights = Rights { dg3: true, dg4: true };
        issue::cvca(Reference::new("VNCVCA00001").unwrap(), &key, rights, d([2, 6, 0, 1, 0, 1]), d([2, 8, 0, 1, 0, 1])).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let date = CvcDate::decode(&[2, 6, 0, 6, 0, 1], "date", 0).unwrap();
    let mut chip = TaChip::new(cvca(), date).unwrap();
    let binding = TaBinding { id_ic: IdIc::from_pace(&[4; 65]), terminal_key_comp: vec![1; 32] };
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (cmd, next) = tail.split_at(n);
        rest = next;
        if let Ok(c) = CommandApdu::from_bytes(cmd) {
            if chip.handles(&c) {
                let _ = chip.process(&c, Some(&binding), [7; 8]);
            }
        }
        assert!(!chip.may_read(3) && !chip.may_read(4), "DG3/DG4 opened without a signature");
        let _ = chip.ef_cvca().unwrap();
    }
});
