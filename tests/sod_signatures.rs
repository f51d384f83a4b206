//! The signatures of the sample SODs verify with the Document Signer certificates they carry: RSA
//! PKCS#1 v1.5 with SHA-256 (LOES2006) and ECDSA with SHA-1 on an explicit brainpoolP224r1 key (BSI2008).
mod common;

use cccd::crypto::hash::HashAlgorithm;
use cccd::crypto::public_key::PublicKey;
use cccd::crypto::signature::{SignatureAlgorithm, SignatureError};
use cccd::lds::sod::Sod;
use common::vector;

fn check(name: &str) -> Result<(), SignatureError> {
    let sod = Sod::decode(&vector(name)).unwrap();
    let si = &sod.signer_infos[0];
    let digest = HashAlgorithm::from_oid(&si.digest_algorithm.oid).unwrap();
    let attrs = si.signed_attributes.as_ref().unwrap();
    // the messageDigest attribute is the hash of the encapsulated LDSSecurityObject
    assert_eq!(attrs.message_digest().unwrap(), digest.digest(sod.econtent()), "{name}");
    let alg = SignatureAlgorithm::from_algorithm_identifier(&si.signature_algorithm, Some(digest)).unwrap();
    let key = PublicKey::from_spki(sod.certificates[0].tbs_certificate().subject_public_key_info()).unwrap();
    alg.verify(&key, &attrs.signed_bytes(), &si.signature)?;
    // any change to the signed bytes breaks the signature
    let mut tampered = attrs.signed_bytes();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(alg.verify(&key, &tampered, &si.signature), Err(SignatureError::BadSignature));
    Ok(())
}

#[test]
fn loes2006_rsa_sha256_signature_verifies() {
    check("lds/LOES2006_EF_SOD.bin").unwrap();
}

#[test]
fn bsi2008_ecdsa_sha1_brainpool224_explicit_signature_verifies() {
    check("lds/BSI2008_EF_SOD.bin").unwrap();
}
