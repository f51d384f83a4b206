//! ISO/IEC 39794 blocks (the value of a `7F2E` Biometric Data Block: `A1 { 64|65|66 … }`): any bytes decode or
//! fail with an error whose offset lies in the input; as the block of a DG3 and of a DG2 they decode the same
//! way, and what decodes re-encodes to a file that decodes the same.
#![no_main]
use cccd::lds::dg2::Dg2;
use cccd::lds::dg3::BiometricGroup;
use cccd::lds::iso39794::Iso39794Block;
use cccd::tlv::{Tag, TlvWriter};
use libfuzzer_sys::fuzz_target;

fn group(tag: u32, format: u8, block: &[u8]) -> Vec<u8> {
    let mut w = TlvWriter::new();
    w.constructed(Tag::new(tag), |w| {
        w.constructed(Tag::new(0x7F61), |w| {
            w.primitive(Tag::new(0x02), &[1]);
            w.constructed(Tag::new(0x7F60), |w| {
                w.constructed(Tag::new(0xA1), |w| {
                    w.primitive(Tag::new(0x87), &[1, 1]).primitive(Tag::new(0x88), &[0, format]);
                });
                w.primitive(Tag::new(0x7F2E), block);
            });
        });
    });
    w.into_bytes()
}

fuzz_target!(|data: &[u8]| {
    let alone = Iso39794Block::decode(data, 0);
    if let Err(e) = &alone {
        assert!(e.offset <= data.len(), "offset {} past {} bytes", e.offset, data.len());
    }
    let dg3 = group(0x63, 0x28, data);
    if let Ok(g) = BiometricGroup::decode(&dg3) {
        assert_eq!(BiometricGroup::decode(&g.encode().expect("a decoded DG3 encodes")).expect("re-encoded DG3"), g);
    }
    let dg2 = group(0x75, 0x2A, data);
    if let Ok(d) = Dg2::decode(&dg2) {
        assert_eq!(Dg2::decode(&d.encode().expect("a decoded DG2 encodes")).expect("re-encoded DG2"), d);
        for face in d.faces() {
            let _ = cccd::face::decode(&face);
        }
    }
    if Iso39794Block::recognizes(data) {
        // DG3 and DG2 reach the same decoder: both fail where it fails
        assert_eq!(alone.is_err(), BiometricGroup::decode(&dg3).is_err());
    }
});
