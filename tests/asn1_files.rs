//! The DER-based LDS files of the sample documents in `../shared/vectors/lds/`: EF.CardAccess/DG14
//! SecurityInfos, DG15 public keys, EF.SOD.
mod common;

use cccd::lds::public_key::{EcDomain, PublicKey};
use cccd::lds::security_infos::{Dg14, SecurityInfoKind};
use cccd::oid;
use common::vector;

#[test]
fn bsi2008_dg14_decodes_with_explicit_parameters_and_round_trips() {
    let bytes = vector("lds/BSI2008_DG14.bin");
    let dg14 = Dg14::decode(&bytes).unwrap();
    assert_eq!(dg14.encode(), bytes);
    let keys: Vec<_> = dg14.infos.chip_authentication_public_keys().collect();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key.protocol, oid::ID_PK_ECDH);
    let PublicKey::Ec { domain: EcDomain::Explicit(curve), point } = &key.public_key else {
        panic!("expected an EC key with explicit parameters, got {:?}", key.public_key)
    };
    assert_eq!(curve.field_bits(), 224);
    assert_eq!(point.first(), Some(&0x04));
    assert_eq!(point.len(), 1 + 2 * 28);
    assert_eq!(curve.named_curve(), Some(oid::BRAINPOOL_P224R1));
    let kinds: Vec<_> = dg14.infos.infos().iter().map(|i| i.kind()).collect();
    assert!(kinds.iter().any(|k| matches!(k, SecurityInfoKind::ChipAuthentication(_))));
}

#[test]
fn dg15_samples_decode_and_round_trip() {
    use cccd::lds::dg15::Dg15;
    let loes = vector("lds/LOES2006_DG15.bin");
    let dg = Dg15::decode(&loes).unwrap();
    assert_eq!(dg.encode(), loes);
    let PublicKey::Rsa { modulus, exponent } = &dg.public_key else { panic!("LOES2006 DG15 is RSA") };
    assert_eq!(dg.public_key.bits(), Some(1024));
    assert_eq!(modulus.len(), 128);
    assert_eq!(exponent, &[0x01, 0x00, 0x01]);

    let bsi = vector("lds/BSI2008_DG15.bin");
    let dg = Dg15::decode(&bsi).unwrap();
    assert_eq!(dg.encode(), bsi);
    eprintln!("BSI2008 DG15: {:?} bits", dg.public_key.bits());
    assert!(matches!(dg.public_key, PublicKey::Rsa { .. }));
    assert_eq!(dg.public_key.bits(), Some(1024));
}

fn upper_hex(b: &[u8]) -> String {
    hex::encode_upper(b)
}

#[test]
fn loes2006_sod_decodes_to_the_stated_hashes() {
    use cccd::lds::sod::Sod;
    let bytes = vector("lds/LOES2006_EF_SOD.bin");
    let sod = Sod::decode(&bytes).unwrap();
    assert_eq!(sod.encode(), bytes);
    let lso = &sod.lds_security_object;
    assert_eq!(lso.hash_algorithm.oid, oid::SHA256);
    assert_eq!(sod.econtent_type, oid::ID_LDS_SECURITY_OBJECT);
    let numbers: Vec<u8> = lso.data_group_hashes.iter().map(|h| h.number).collect();
    assert_eq!(numbers, [1, 2, 15]);
    assert_eq!(
        upper_hex(sod.data_group_hash(1).unwrap()),
        "9C2432BC26CF6B250839DEDC658F2BF72FA3ADAD32EC9656395F53C8D7AA13ED"
    );
    assert_eq!(
        upper_hex(sod.data_group_hash(2).unwrap()),
        "D419C73F496341FBD4F52961CC806867E17578615074DA6289A667EE741A2D9B"
    );
    assert_eq!(
        upper_hex(sod.data_group_hash(15).unwrap()),
        "CB54D8B2EF0A2EBA98F69C1162AB6308386343A4EFE66B5AC8037E240BFE051D"
    );
    assert_eq!(sod.signer_infos.len(), 1);
    let si = &sod.signer_infos[0];
    assert_eq!(si.signature_algorithm.oid, oid::SHA256_WITH_RSA);
    let attrs = si.signed_attributes.as_ref().unwrap();
    assert_eq!(attrs.content_type(), Some(oid::ID_LDS_SECURITY_OBJECT));
    assert_eq!(attrs.message_digest().unwrap().len(), 32);
    assert_eq!(attrs.signed_bytes()[0], 0x31);
    // the DS certificate and its validity: 2006-09-25 to 2011-10-04 (its private key usage period, the
    // README's "valid 2006-09-25 to 2006-10-02", is an extension that Passive Authentication checks)
    assert_eq!(sod.certificates.len(), 1);
    let validity = sod.certificates[0].tbs_certificate().validity();
    let nb = validity.not_before.to_date_time();
    let na = validity.not_after.to_date_time();
    assert_eq!((nb.year(), nb.month(), nb.day()), (2006, 9, 25));
    assert_eq!((na.year(), na.month(), na.day()), (2011, 10, 4));
    // the ContentInfo (what openssl reads) is the file without its 4-byte wrapper
    assert_eq!(sod.content_info_der(), &bytes[4..]);
}

#[test]
fn bsi2008_sod_decodes_to_the_stated_hashes() {
    use cccd::lds::sod::Sod;
    let bytes = vector("lds/BSI2008_EF_SOD.bin");
    let sod = Sod::decode(&bytes).unwrap();
    assert_eq!(sod.encode(), bytes);
    assert_eq!(sod.lds_security_object.hash_algorithm.oid, oid::SHA1);
    let expected = [
        (1, "FB1BC1921F4DC07947408A7CDD5CC0C928353809"),
        (2, "0F34E1E194035A036AC87B134E0AE41BCFD0C991"),
        (3, "5D14A5FB5261932CFF2BB3CB2235CCC8561CAFA6"),
        (14, "0C023A95B0D3C7F70C4B05E21F57AF03992B3EE4"),
    ];
    assert_eq!(sod.lds_security_object.data_group_hashes.len(), expected.len());
    for (n, h) in expected {
        assert_eq!(upper_hex(sod.data_group_hash(n).unwrap()), h, "DG{n}");
    }
    assert_eq!(sod.signer_infos[0].signature_algorithm.oid, oid::ECDSA_WITH_SHA1);
    // the DS key uses explicit 224-bit parameters
    let spki = sod.certificates[0].tbs_certificate().subject_public_key_info();
    let key = PublicKey::from_spki(spki).unwrap();
    assert_eq!(key.bits(), Some(224));
    assert_eq!(key.curve(), Some(oid::BRAINPOOL_P224R1));
}

#[test]
fn sod_rejects_truncation_and_reports_trailing_padding() {
    use cccd::lds::sod::Sod;
    for name in ["lds/LOES2006_EF_SOD.bin", "lds/BSI2008_EF_SOD.bin"] {
        let bytes = vector(name);
        for cut in (0..bytes.len()).step_by(7) {
            assert!(Sod::decode(&bytes[..cut]).is_err(), "{name} truncated at {cut}");
        }
        // padding after the TLV: decoded, a warning at its offset, the TLV kept
        let mut long = bytes.clone();
        long.extend([0, 0]);
        let sod = Sod::decode(&long).unwrap();
        assert_eq!(sod.encode(), bytes);
        assert_eq!(
            sod.warnings(),
            [cccd::lds::DecodeWarning {
                offset: bytes.len(),
                kind: cccd::lds::DecodeWarningKind::Padding { byte: 0, len: 2 }
            }]
        );
    }
}
