//! Property tests: encode → decode → encode is the identity for SecurityInfos (EF.CardAccess, DG14), DG15 and the
//! LDSSecurityObject.
use cccd::lds::dg15::Dg15;
use cccd::lds::public_key::{EcDomain, PublicKey};
use cccd::lds::security_infos::{
    ActiveAuthenticationInfo, CardAccess, ChipAuthenticationInfo, Dg14, PaceInfo, SecurityInfo, SecurityInfoKind,
    SecurityInfos, TerminalAuthenticationInfo,
};
use cccd::lds::sod::{DataGroupHash, LdsSecurityObject};
use cccd::oid::{self, CaProtocol, KeyAgreement, PaceMapping, PaceProtocol, SmCipher};
use proptest::prelude::*;
use spki::AlgorithmIdentifierOwned;

fn cipher() -> impl Strategy<Value = SmCipher> {
    prop_oneof![Just(SmCipher::TripleDes), Just(SmCipher::Aes128), Just(SmCipher::Aes192), Just(SmCipher::Aes256)]
}

fn pace() -> impl Strategy<Value = SecurityInfoKind> {
    let mapping = prop_oneof![
        Just((KeyAgreement::Dh, PaceMapping::Generic)),
        Just((KeyAgreement::Ecdh, PaceMapping::Generic)),
        Just((KeyAgreement::Dh, PaceMapping::Integrated)),
        Just((KeyAgreement::Ecdh, PaceMapping::Integrated)),
        Just((KeyAgreement::Ecdh, PaceMapping::ChipAuthentication)),
    ];
    (mapping, cipher(), 1u64..3, proptest::option::of(0u64..40)).prop_map(|((ka, m), c, v, p)| {
        SecurityInfoKind::Pace(PaceInfo {
            protocol: PaceProtocol { key_agreement: ka, mapping: m, cipher: c },
            version: v,
            parameter_id: p,
        })
    })
}

fn ec_key() -> impl Strategy<Value = PublicKey> {
    let curve = prop_oneof![
        Just((oid::BRAINPOOL_P256R1, 32usize)),
        Just((oid::SECP256R1, 32)),
        Just((oid::BRAINPOOL_P384R1, 48)),
        Just((oid::BRAINPOOL_P512R1, 64))
    ];
    (curve, proptest::collection::vec(any::<u8>(), 128)).prop_map(|((o, n), bytes)| {
        let mut point = vec![0x04];
        point.extend(bytes.iter().cycle().take(2 * n));
        PublicKey::Ec { domain: EcDomain::Named(o), point }
    })
}

fn info() -> impl Strategy<Value = SecurityInfoKind> {
    prop_oneof![
        pace(),
        (
            prop_oneof![Just(KeyAgreement::Dh), Just(KeyAgreement::Ecdh)],
            cipher(),
            1u64..3,
            proptest::option::of(any::<u64>())
        )
            .prop_map(|(ka, c, v, k)| SecurityInfoKind::ChipAuthentication(ChipAuthenticationInfo {
                protocol: CaProtocol { key_agreement: ka, cipher: c },
                version: v,
                key_id: k,
            })),
        (1u64..3).prop_map(|v| SecurityInfoKind::TerminalAuthentication(TerminalAuthenticationInfo {
            version: v,
            ef_cvca: None
        })),
        prop_oneof![Just(oid::ECDSA_PLAIN_SHA256), Just(oid::ECDSA_WITH_SHA384)].prop_map(|a| {
            SecurityInfoKind::ActiveAuthentication(ActiveAuthenticationInfo { version: 1, signature_algorithm: a })
        }),
    ]
}

proptest! {
    #[test]
    fn security_infos_round_trip(kinds in proptest::collection::vec(info(), 0..6), key in proptest::option::of(ec_key())) {
        let mut infos: Vec<SecurityInfo> = kinds.into_iter().map(|k| SecurityInfo::new(k).unwrap()).collect();
        if let Some(k) = &key {
            infos.push(SecurityInfo::chip_authentication_public_key(k, Some(1)).unwrap());
        }
        let ca = CardAccess { infos: SecurityInfos::new(infos.clone()) };
        let bytes = ca.encode();
        let decoded = CardAccess::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.infos.infos(), ca.infos.infos());
        prop_assert_eq!(decoded.encode(), bytes);
        // an info of an unknown version (a PACEInfo other than 2, …) is kept and flagged, one warning each
        let unknown = ca.infos.infos().iter().filter(|i| i.unknown_version().is_some()).count();
        prop_assert_eq!(decoded.infos.warnings().len(), unknown);

        let dg14 = Dg14 { infos: SecurityInfos::new(infos) };
        let bytes = dg14.encode();
        let decoded = Dg14::decode(&bytes).unwrap();
        prop_assert_eq!(decoded.encode(), bytes);
        prop_assert_eq!(decoded.infos.infos(), dg14.infos.infos());
    }

    #[test]
    fn dg15_round_trip(key in ec_key(), modulus in proptest::collection::vec(any::<u8>(), 64..300)) {
        for k in [key, PublicKey::Rsa { modulus: {
            let mut m = modulus.clone();
            if let Some(f) = m.first_mut() { *f |= 0x80; }
            m
        }, exponent: vec![1, 0, 1] }] {
            let dg = Dg15::new(k).unwrap();
            let bytes = dg.encode();
            let decoded = Dg15::decode(&bytes).unwrap();
            prop_assert_eq!(decoded.encode(), bytes);
            prop_assert_eq!(decoded, dg);
        }
    }

    #[test]
    fn lds_security_object_round_trip(
        hashes in proptest::collection::btree_map(1u8..=16, proptest::collection::vec(any::<u8>(), 20..=64), 2..16),
        v1 in any::<bool>(),
        alg in prop_oneof![Just(oid::SHA1), Just(oid::SHA256), Just(oid::SHA384), Just(oid::SHA512)],
    ) {
        let lso = LdsSecurityObject {
            version: u8::from(v1),
            hash_algorithm: AlgorithmIdentifierOwned { oid: alg, parameters: None },
            data_group_hashes: hashes.into_iter().map(|(number, hash)| DataGroupHash { number, hash }).collect(),
            lds_version: v1.then(|| ("0108".to_string(), "040000".to_string())),
        };
        let der = lso.encode().unwrap();
        let decoded = LdsSecurityObject::decode(&der).unwrap();
        prop_assert_eq!(decoded.encode().unwrap(), der);
        prop_assert_eq!(decoded, lso);
    }
}
