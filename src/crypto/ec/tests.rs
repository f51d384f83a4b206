use super::*;

struct Rng(u64);

impl rand_core::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        // splitmix64: deterministic test randomness
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Rng {}

#[test]
fn every_curve_signs_verifies_and_agrees() {
    let mut rng = Rng(7);
    for curve in NamedCurve::all() {
        let d = curve.parameters();
        assert_eq!(NamedCurve::from_explicit(&d.p, &d.a, &d.b, &d.order), Ok(curve), "{}", curve.name());
        assert_eq!(NamedCurve::from_oid(&curve.oid()), Some(curve));
        assert_eq!(d.generator.len(), 1 + 2 * curve.field_size());

        let a = curve.generate_secret(&mut rng);
        let b = curve.generate_secret(&mut rng);
        let pa = curve.public_key(&a).unwrap();
        let pb = curve.public_key(&b).unwrap();
        assert_eq!(curve.mul(&curve.generator(), &a).unwrap(), pa);
        assert_eq!(*curve.ecdh(&a, &pb).unwrap(), *curve.ecdh(&b, &pa).unwrap(), "{}", curve.name());

        // (a + b)·G = a·G + b·G, checked through the public API
        let sum = curve.add(&pa, &pb).unwrap();
        curve.validate_point(&sum).unwrap();

        let hash = vec![0x5Au8; 32.max(curve.field_size() / 2 + 1)];
        let sig = curve.ecdsa_sign_prehash(&a, &hash).unwrap();
        assert_eq!(sig.len(), 2 * curve.field_size());
        curve.ecdsa_verify_prehash(&pa, &hash, &sig).unwrap();
        curve.ecdsa_verify_prehash(&pa, &hash, &der_signature(&sig)).unwrap();
        let mut other = hash.clone();
        other[0] ^= 1;
        assert_eq!(curve.ecdsa_verify_prehash(&pa, &other, &sig), Err(EcError::BadSignature));
        assert_eq!(curve.ecdsa_verify_prehash(&pb, &hash, &sig), Err(EcError::BadSignature));
        assert!(curve.ecdsa_verify_prehash(&pa, &hash, &sig[1..]).is_err());
    }
}

#[test]
fn bad_points_and_parameters_are_rejected() {
    let curve = NamedCurve::BrainpoolP512r1;
    let mut g = curve.generator();
    let last = g.len() - 1;
    g[last] ^= 1;
    assert_eq!(curve.validate_point(&g), Err(EcError::InvalidPoint("brainpoolP512r1")));
    assert!(curve.validate_point(&[0x00]).is_err());
    assert!(curve.validate_point(&[]).is_err());
    let d = curve.parameters();
    let mut b = d.b.clone();
    b[0] ^= 1;
    assert_eq!(NamedCurve::from_explicit(&d.p, &d.a, &b, &d.order), Err(EcError::UnsupportedCurve));
    assert!(curve.public_key(&[0u8; 64]).is_err());
    assert!(curve.public_key(&[0xFFu8; 64]).is_err());
    assert!(curve.public_key(&[1u8; 65]).is_err());
}

#[test]
fn scalar_multiplication_matches_the_group_order() {
    // n·G is the identity (reported as an invalid result), (n-1)·G = -G
    for curve in NamedCurve::all() {
        let d = curve.parameters();
        assert!(curve.mul(&d.generator, &d.order).is_err(), "{}", curve.name());
        let mut n_minus_1 = d.order.clone();
        let last = n_minus_1.len() - 1;
        n_minus_1[last] -= 1;
        let neg_g = curve.mul(&d.generator, &n_minus_1).unwrap();
        let n = curve.field_size();
        assert_eq!(neg_g[1..1 + n], d.generator[1..1 + n], "{}", curve.name());
        assert_ne!(neg_g[1 + n..], d.generator[1 + n..]);
    }
}
