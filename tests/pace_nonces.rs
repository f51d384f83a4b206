//! PACE nonce lengths (ICAO 9303-11 §4.4.3.1, BSI TR-03110-2 §3.2): the chip's encrypted nonce `z` may be any
//! multiple of the cipher's block size. A real PACE-ECDH-GM-3DES passport sends 16 bytes where one 3DES block
//! (8) is the shortest; our terminal must accept it, and our chip can be told to send it. Every mapping (GM,
//! IM, CAM), both key agreements (ECDH, DH) and every cipher are run with 1 to 4 blocks, and the terminal
//! refuses lengths the specification does not allow.

use cccd::access::AccessError;
use cccd::access::pace::{PaceChip, PaceDomain, PaceParameters, PacePassword, authenticate};
use cccd::apdu::{CommandApdu, ResponseApdu, ins};
use cccd::crypto::dh::ModpGroup;
use cccd::crypto::ec::NamedCurve;
use cccd::oid::{PaceMapping, SmCipher};
use cccd::pki::SoftwareKey;
use cccd::tlv::{Tag, TlvReader, encode_tlv};
use cccd::transport::{Transport, TransportError};
use zeroize::Zeroizing;

/// The chip side behind a transport; records the length of the encrypted nonce it sent and can cut it.
struct Chip {
    chip: PaceChip,
    nonce_len: Option<usize>,
    cut_nonce_to: Option<usize>,
    done: bool,
}

impl Transport for Chip {
    fn transmit(&mut self, c: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        if c.ins == ins::MANAGE_SECURITY_ENVIRONMENT {
            return Ok(self.chip.set_at(c));
        }
        let (mut r, outcome) = self.chip.general_authenticate(c);
        self.done |= outcome.is_some();
        if self.nonce_len.is_none() {
            let outer = TlvReader::single(&r.data, Tag::new(0x7C)).unwrap();
            let z = TlvReader::single(outer.value(), Tag::new(0x80)).unwrap().value().to_vec();
            self.nonce_len = Some(z.len());
            if let Some(n) = self.cut_nonce_to {
                r.data = encode_tlv(Tag::new(0x7C), &encode_tlv(Tag::new(0x80), &z[..n.min(z.len())]));
            }
        }
        Ok(r)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.chip.abort();
        Ok(())
    }
}

fn chip_for(params: PaceParameters, blocks: Option<usize>) -> PaceChip {
    let mut chip = PaceChip::new(vec![params], None, Some("123456"));
    if let Some(curve) = params.curve().filter(|_| params.is_chip_authentication_mapping()) {
        chip = chip.with_chip_authentication_key(SoftwareKey::generate(curve));
    }
    match blocks {
        Some(b) => chip.with_nonce_blocks(b),
        None => chip,
    }
}

fn can() -> PacePassword {
    PacePassword::Can(Zeroizing::new("123456".into()))
}

fn all_parameters() -> Vec<PaceParameters> {
    let ciphers = [SmCipher::TripleDes, SmCipher::Aes128, SmCipher::Aes192, SmCipher::Aes256];
    let mut out = Vec::new();
    for cipher in ciphers {
        for mapping in [PaceMapping::Generic, PaceMapping::Integrated, PaceMapping::ChipAuthentication] {
            for domain in [PaceDomain::Ec(NamedCurve::BrainpoolP256r1), PaceDomain::Dh(ModpGroup::Modp1024_160)] {
                // CAM is ECDH with AES only
                if let Ok(p) = PaceParameters::new(mapping, cipher, domain) {
                    out.push(p);
                }
            }
        }
    }
    out
}

#[test]
fn every_mapping_and_cipher_completes_with_every_nonce_length_the_spec_allows() {
    let params = all_parameters();
    // GM × {ECDH, DH} × 4 ciphers, IM × {ECDH, DH} × 4, CAM × ECDH × 3 AES
    assert_eq!(params.len(), 8 + 8 + 3);
    let mut runs = 0;
    for p in params {
        for blocks in 1..=4 {
            let mut chip = Chip { chip: chip_for(p, Some(blocks)), nonce_len: None, cut_nonce_to: None, done: false };
            let outcome = authenticate(&mut chip, &p, &can(), false)
                .unwrap_or_else(|e| panic!("{} with {blocks} blocks: {e}", p.description()));
            assert!(chip.done, "{}", p.description());
            let sent = chip.nonce_len.unwrap();
            // the chip sent the length asked for (Integrated Mapping: never shorter than the key)
            assert_eq!(sent, (blocks * p.block_size()).max(p.nonce_len()), "{}", p.description());
            assert!(p.nonce_len_allowed(sent));
            assert_eq!(outcome.chip_authentication_mapping.is_some(), p.is_chip_authentication_mapping());
            runs += 1;
        }
    }
    assert_eq!(runs, 19 * 4);
}

#[test]
fn a_3des_generic_mapping_session_with_16_byte_nonces_completes_both_ways() {
    let p = PaceParameters::generic_ecdh(SmCipher::TripleDes, NamedCurve::BrainpoolP256r1).unwrap();
    assert_eq!(p.nonce_len(), 8);
    // the chip sends 16 bytes (as the recorded passport did); the terminal accepts them
    let mut chip = Chip { chip: chip_for(p, Some(2)), nonce_len: None, cut_nonce_to: None, done: false };
    let mut outcome = authenticate(&mut chip, &p, &can(), false).unwrap();
    assert_eq!(chip.nonce_len, Some(16));
    assert!(chip.done);
    // the session protects commands (wrap on the terminal side works with the derived keys)
    let wrapped = outcome.session.wrap(&CommandApdu::new(0, ins::READ_BINARY, 0x9E, 0).with_le(4)).unwrap();
    assert!(wrapped.data.len() > 8);
    // and the default chip (8 bytes) still works
    let mut chip = Chip { chip: chip_for(p, None), nonce_len: None, cut_nonce_to: None, done: false };
    authenticate(&mut chip, &p, &can(), false).unwrap();
    assert_eq!(chip.nonce_len, Some(8));
}

#[test]
fn the_terminal_refuses_nonce_lengths_the_spec_does_not_allow() {
    let cases = [
        // not a multiple of the block size
        (PaceParameters::generic_ecdh(SmCipher::Aes128, NamedCurve::P256).unwrap(), 2, 20),
        (PaceParameters::generic_ecdh(SmCipher::TripleDes, NamedCurve::P256).unwrap(), 2, 12),
        // Integrated Mapping with AES-256: 16 bytes are shorter than the key
        (PaceParameters::integrated_ecdh(SmCipher::Aes256, NamedCurve::BrainpoolP256r1).unwrap(), 2, 16),
    ];
    for (p, blocks, cut) in cases {
        let mut chip = Chip { chip: chip_for(p, Some(blocks)), nonce_len: None, cut_nonce_to: Some(cut), done: false };
        match authenticate(&mut chip, &p, &can(), false) {
            Err(AccessError::UnexpectedResponseLength { actual, .. }) => assert_eq!(actual, cut, "{}", p.description()),
            other => panic!("{}: {:?}", p.description(), other.map(|_| ())),
        }
        assert!(!p.nonce_len_allowed(cut));
    }
    let p = PaceParameters::generic_ecdh(SmCipher::Aes128, NamedCurve::P256).unwrap();
    assert!(!p.nonce_len_allowed(0));
    assert!(!p.nonce_len_allowed(PaceParameters::MAX_NONCE_LEN + 16));
    assert!(p.nonce_len_allowed(PaceParameters::MAX_NONCE_LEN));
}
