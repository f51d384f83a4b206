//! Every value of `mac_kdf_cmac.json` (KDF, retail MAC, padding, AES-CMAC, AES secure messaging) and the key
//! derivation values of `bac_sm_appendix_d.json`, asserted against `cccd::crypto`.

mod common;

use cccd::crypto::sym::{aes_cmac, mac_eq, pad_m2, retail_mac, sha1, unpad_m2};
use cccd::crypto::{KdfCounter, SessionKeys, SymKey};
use cccd::oid::SmCipher;
use serde_json::Value;

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

fn cipher_of(alg: &str) -> SmCipher {
    if alg.starts_with("3DES") {
        SmCipher::TripleDes
    } else if alg.starts_with("AES-128") {
        SmCipher::Aes128
    } else if alg.starts_with("AES-192") {
        SmCipher::Aes192
    } else if alg.starts_with("AES-256") {
        SmCipher::Aes256
    } else {
        panic!("unknown algorithm {alg}")
    }
}

#[test]
fn kdf_vectors() {
    let v = common::json_vector("mac_kdf_cmac.json");
    let list = v["kdf_9303_11_s9.7.1"].as_array().unwrap();
    assert_eq!(list.len(), 11);
    for case in list {
        let counter = match case["c"].as_u64().unwrap() {
            1 => KdfCounter::Enc,
            2 => KdfCounter::Mac,
            3 => KdfCounter::Pi,
            c => panic!("counter {c}"),
        };
        let key = SymKey::derive(cipher_of(s(&case["alg"])), &h(&case["K"]), counter);
        assert_eq!(key.as_bytes(), h(&case["out"]), "{}", case["src"]);
    }
}

#[test]
fn bac_key_derivation_appendix_d() {
    let v = common::json_vector("bac_sm_appendix_d.json");
    let kd = &v["key_derivation"];
    let digest = sha1(s(&v["mrz"]["MRZ_information"]).as_bytes());
    assert_eq!(digest.to_vec(), h(&kd["H_SHA1_MRZ_information"]));
    let k_seed = &digest[..16];
    assert_eq!(k_seed, h(&kd["K_seed"]));
    let keys = SessionKeys::derive(SmCipher::TripleDes, k_seed);
    assert_eq!(keys.ks_enc.as_bytes(), h(&kd["K_enc"]));
    assert_eq!(keys.ks_mac.as_bytes(), h(&kd["K_mac"]));
}

#[test]
fn retail_mac_vectors() {
    let v = common::json_vector("mac_kdf_cmac.json");
    let list = v["retail_mac_iso9797_1_alg3"].as_array().unwrap();
    assert_eq!(list.len(), 21);
    for case in list {
        let key = h(&case["key"]);
        let data = if let Some(a) = case.get("data_ascii") {
            s(a).as_bytes().to_vec()
        } else if let Some(d) = case.get("data") {
            h(d)
        } else {
            h(&case["data_prepadded"])
        };
        let padding = s(&case["padding"]);
        let input = if padding == "method 2" {
            pad_m2(&data, 8)
        } else if padding == "method 3" {
            // ISO/IEC 9797-1 padding method 3: a block holding the bit length, then zero padding (method 1).
            let mut p = ((data.len() as u64) * 8).to_be_bytes().to_vec();
            p.extend_from_slice(&data);
            p
        } else {
            // method 1, block-aligned data and caller-padded data: zero padding is the MAC's own.
            data
        };
        let mac = retail_mac(&key, &input).unwrap();
        if let Some(full) = case.get("mac") {
            assert_eq!(mac.to_vec(), h(full), "{}", case["src"]);
            // The SM MAC of a 3DES key is the retail MAC.
            let k = SymKey::new(SmCipher::TripleDes, &key).unwrap();
            assert_eq!(k.sm_mac(&input).unwrap().to_vec(), h(full));
            assert!(mac_eq(&mac, &h(full)));
        } else {
            assert_eq!(mac[..4].to_vec(), h(&case["mac_first_32_bits"]), "{}", case["src"]);
        }
    }
}

#[test]
fn padding_method_2_vectors() {
    let v = common::json_vector("mac_kdf_cmac.json");
    let list = v["iso9797_padding_method2_examples (dmrtd test/iso9797_test.dart, blocksize 8)"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    for pair in list {
        let (data, padded) = (h(&pair[0]), h(&pair[1]));
        assert_eq!(pad_m2(&data, 8), padded);
        assert_eq!(unpad_m2(&padded, 8).unwrap(), data);
    }
}

#[test]
fn aes_cmac_vectors() {
    let v = common::json_vector("mac_kdf_cmac.json");
    let c = &v["aes_cmac_nist_sp800_38b_appD_rfc4493"];
    let msg = h(&c["message_prefix_source"]);
    let lengths: Vec<usize> = c["lengths"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap() as usize).collect();
    assert_eq!(lengths, [0, 16, 40, 64]);
    for (name, cipher) in [("AES-128", SmCipher::Aes128), ("AES-192", SmCipher::Aes192), ("AES-256", SmCipher::Aes256)]
    {
        let key = h(&c[name]["key"]);
        let tags = c[name]["tags"].as_array().unwrap();
        assert_eq!(tags.len(), 4);
        for (len, tag) in lengths.iter().zip(tags) {
            let t = aes_cmac(&key, &msg[..*len]).unwrap();
            assert_eq!(t.to_vec(), h(tag), "{name} length {len}");
            let k = SymKey::new(cipher, &key).unwrap();
            assert_eq!(k.sm_mac(&msg[..*len]).unwrap().to_vec(), h(tag)[..8].to_vec());
        }
    }
    // Subkeys of AES-128: L = AES(K, 0), K1 = L << 1 (^ 0x87), K2 = K1 << 1 (^ 0x87).
    let a = &c["AES-128"];
    let k = SymKey::new(SmCipher::Aes128, &h(&a["key"])).unwrap();
    let l = k.encrypt_cbc_zero_iv(&[0u8; 16]).unwrap();
    assert_eq!(l, h(&a["L=AES(K,0)"]));
    let dbl = |x: &[u8]| -> Vec<u8> {
        let n = u128::from_be_bytes(x.try_into().unwrap());
        let mut r = n << 1;
        if n >> 127 == 1 {
            r ^= 0x87;
        }
        r.to_be_bytes().to_vec()
    };
    let k1 = dbl(&l);
    assert_eq!(k1, h(&a["K1"]));
    assert_eq!(dbl(&k1), h(&a["K2"]));
}

#[test]
fn aes_secure_messaging_primitives() {
    let v = common::json_vector("mac_kdf_cmac.json");
    let list = v["aes_secure_messaging"].as_array().unwrap();
    assert_eq!(list.len(), 4);

    // 1. IV = AES(KS_enc, SSC), AES-CBC over pad2(plaintext).
    let c = &list[0];
    let k = SymKey::new(SmCipher::Aes128, &h(&c["KS_enc"])).unwrap();
    let iv = k.sm_iv(&h(&c["SSC"])).unwrap();
    let ct = k.encrypt_cbc(&iv, &pad_m2(&h(&c["plaintext"]), 16)).unwrap();
    assert_eq!(ct, h(&c["ciphertext"]));
    assert_eq!(unpad_m2(&k.decrypt_cbc(&iv, &ct).unwrap(), 16).unwrap(), h(&c["plaintext"]));

    // 2. CMAC(KS_mac, pad2(SSC || data)) truncated to 8 bytes.
    let c = &list[1];
    let k = SymKey::new(SmCipher::Aes128, &h(&c["KS_mac"])).unwrap();
    let mut input = h(&c["SSC"]);
    input.extend_from_slice(&h(&c["data"]));
    assert_eq!(k.sm_mac(&pad_m2(&input, 16)).unwrap().to_vec(), h(&c["mac"]));

    // 4. AES-256 DO'87 decryption: padding-content indicator 01, then the cryptogram.
    let c = &list[3];
    let k = SymKey::new(SmCipher::Aes256, &h(&c["KS_enc"])).unwrap();
    let value = h(&c["DO87_value"]);
    assert_eq!(value[0], 0x01);
    let iv = k.sm_iv(&h(&c["SSC"])).unwrap();
    let pt = k.decrypt_cbc(&iv, &value[1..]).unwrap();
    assert_eq!(unpad_m2(&pt, 16).unwrap(), h(&c["plaintext"]));
    // (3. the gmrtd AES-128 command wrap is asserted in tests/sm_vectors.rs through `SecureMessaging`.)
}

/// A plain `r‖s` signature whose first byte happens to be 0x30 is not mistaken for DER (found by the
/// personalization tests: 1 Active Authentication in 256 failed).
#[test]
fn raw_signatures_starting_with_0x30_verify() {
    use cccd::crypto::ec::NamedCurve;
    use cccd::pki::{Signer, SoftwareKey};
    for curve in [NamedCurve::BrainpoolP256r1, NamedCurve::P256, NamedCurve::P384] {
        let key = SoftwareKey::from_secret(curve, &[0x42; 32]).unwrap();
        let cccd::crypto::public_key::PublicKey::Ec { point, .. } = key.public_key().unwrap() else { panic!() };
        // RFC 6979 nonces: the same digests give the same signatures, so this search is deterministic
        let (digest, sig) = (0u32..)
            .map(|i| cccd::crypto::hash::HashAlgorithm::Sha256.digest(&i.to_be_bytes()))
            .map(|d| {
                let s = key.sign_prehash(&d).unwrap();
                (d, s)
            })
            .find(|(_, s)| s[0] == 0x30)
            .unwrap();
        curve.ecdsa_verify_prehash(&point, &digest, &sig).unwrap();
        let mut bad = sig.clone();
        bad[10] ^= 1;
        assert!(curve.ecdsa_verify_prehash(&point, &digest, &bad).is_err());
    }
}

/// RSA Active Authentication (ISO/IEC 9796-2 scheme 1): signatures made by openssl's raw RSA private operation
/// over `6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer` verify, with SHA-1 (`BC`) and SHA-256 (`34 CC`) trailers; a
/// wrong challenge or a changed signature fails.
#[test]
fn rsa_active_authentication_signatures_made_by_openssl_verify() {
    use cccd::access::chip_auth::verify_active_authentication;
    use cccd::crypto::hash::HashAlgorithm;
    use der::Decode;
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("cccd-aa-rsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("k.pem");
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().expect("openssl must be installed");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1536", "-out", key.to_str().unwrap()]);
    let spki = run(&["pkey", "-in", key.to_str().unwrap(), "-pubout", "-outform", "DER"]);
    let public =
        cccd::crypto::public_key::PublicKey::from_spki(&spki::SubjectPublicKeyInfoOwned::from_der(&spki).unwrap())
            .unwrap();
    let k = 1536 / 8;
    let challenge = [1u8, 2, 3, 4, 5, 6, 7, 8];
    for (hash, trailer) in [(HashAlgorithm::Sha1, vec![0xBC]), (HashAlgorithm::Sha256, vec![0x34, 0xCC])] {
        let h_len = hash.digest(&[]).len();
        let m1: Vec<u8> = (0..k - 1 - h_len - trailer.len()).map(|i| (i * 7 + 3) as u8).collect();
        let digest = hash.digest(&[m1.as_slice(), &challenge].concat());
        let f = [vec![0x6A], m1.clone(), digest, trailer.clone()].concat();
        assert_eq!(f.len(), k);
        let (f_path, s_path) = (dir.join("f.bin"), dir.join("s.bin"));
        std::fs::write(&f_path, &f).unwrap();
        run(&[
            // the raw private operation (RSA "decryption" without padding is s = F^d mod n)
            "pkeyutl",
            "-decrypt",
            "-inkey",
            key.to_str().unwrap(),
            "-pkeyopt",
            "rsa_padding_mode:none",
            "-in",
            f_path.to_str().unwrap(),
            "-out",
            s_path.to_str().unwrap(),
        ]);
        let signature = std::fs::read(&s_path).unwrap();
        verify_active_authentication(&public, None, &challenge, &signature).unwrap();
        assert!(verify_active_authentication(&public, None, &[9; 8], &signature).is_err());
        let mut bad = signature.clone();
        bad[k / 2] ^= 1;
        assert!(verify_active_authentication(&public, None, &challenge, &bad).is_err());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The chip side's RSA Active Authentication signature, opened by openssl's raw RSA public operation, is
/// `6A ‖ M1 ‖ SHA-1(M1 ‖ challenge) ‖ BC` (or its complement to n); and a DH Chip Authentication key written
/// as PKCS#8 is read by openssl as X9.42 DH with the same public value.
#[test]
fn chip_side_rsa_signature_and_dh_key_checked_by_openssl() {
    use cccd::crypto::dh::{DhPrivateKey, ModpGroup};
    use cccd::crypto::hash::HashAlgorithm;
    use rsa::pkcs8::EncodePrivateKey;
    use rsa::traits::PublicKeyParts;
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("cccd-chip-side-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().expect("openssl must be installed");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let key = rsa::RsaPrivateKey::new(&mut rand::rng(), 1024).unwrap();
    let key_path = dir.join("aa.der");
    std::fs::write(&key_path, key.to_pkcs8_der().unwrap().as_bytes()).unwrap();
    let challenge = [9u8, 8, 7, 6, 5, 4, 3, 2];
    let signature =
        cccd::crypto::signature::sign_iso9796_2(&key, HashAlgorithm::Sha1, &challenge, &mut rand::rng()).unwrap();
    let sig_path = dir.join("sig.bin");
    std::fs::write(&sig_path, &signature).unwrap();
    let opened = run(&[
        "pkeyutl",
        "-verifyrecover",
        "-inkey",
        key_path.to_str().unwrap(),
        "-keyform",
        "DER",
        "-pkeyopt",
        "rsa_padding_mode:none",
        "-in",
        sig_path.to_str().unwrap(),
    ]);
    let n = key.n().as_ref().to_be_bytes_trimmed_vartime().to_vec();
    let f = if opened.first() == Some(&0x6A) {
        opened
    } else {
        // the signer sent n − s: openssl opens it to n − F
        let n_int = rsa::BoxedUint::from_be_slice_vartime(&n);
        let o = rsa::BoxedUint::from_be_slice(&opened, n_int.bits_precision()).unwrap();
        n_int.wrapping_sub(&o).to_be_bytes_trimmed_vartime().to_vec()
    };
    assert_eq!(f.len(), 128);
    assert_eq!((f[0], f[127]), (0x6A, 0xBC));
    let m1 = &f[1..107];
    assert_eq!(&f[107..127], HashAlgorithm::Sha1.digest(&[m1, &challenge].concat()).as_slice());

    let dh = DhPrivateKey::generate(ModpGroup::Modp2048_224.domain());
    let dh_path = dir.join("dh.der");
    std::fs::write(&dh_path, dh.to_pkcs8_der().as_slice()).unwrap();
    let text = String::from_utf8(run(&["pkey", "-inform", "DER", "-in", dh_path.to_str().unwrap(), "-text", "-noout"]))
        .unwrap();
    let public_hex: String = text
        .split("public-key:")
        .nth(1)
        .and_then(|rest| rest.split("P:").next())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect();
    let ours = hex::encode(dh.public_value().unwrap());
    assert_eq!(public_hex.trim_start_matches('0'), ours.trim_start_matches('0'), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
