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

/// Cross-implementation vectors produced with OpenSSL 3 (`openssl ecparam -genkey`, `pkeyutl -derive`,
/// `dgst -sha256 -sign` over "sample") for every curve.
struct Vector {
    curve: NamedCurve,
    d_a: &'static str,
    q_a: &'static str,
    q_b: &'static str,
    shared: &'static str,
    sig_sha256_sample: &'static str,
}

const OPENSSL: [Vector; 11] = [
    Vector {
        curve: NamedCurve::BrainpoolP192r1,
        d_a: "1ab0950e7819589aad2634b3aa35ed5f5bc85ee7110e126b",
        q_a: "040b3c7c3cb71ad8fc8c185366a90d536620ec0560a56ef24718760193026172116afee1a229f986fac4febc6ecafc9ec5",
        q_b: "042bed801ccd3c581d93d95fa9a3b4bcad5000cd9d4f961200802955cbd65d8586037038526606e3bf44b96130987f1465",
        shared: "7a1cf544e7535c1587c1990be67e76c5a43470616f82d320",
        sig_sha256_sample: "303402185d3bb7c898593e20d6cb629e399beb0042b8af20f92bb9ee0218486e29589e53bb03e1888ce49d057e21c18b18e6e66e715b",
    },
    Vector {
        curve: NamedCurve::BrainpoolP224r1,
        d_a: "53614fb5b325f634b7d395193536650fdcf1ea8f0d63e5d72184b21e",
        q_a: "04d0ccf2bff32bece46d9b9e28bb55c0fdf59b0c81111a1800309083ba494cd27418f6ca2ce7676756affe0db60065b25fd5e58778b5a1cb27",
        q_b: "048c48f1ff29443f63a5c8de87ae8fcbaafb582bc181d5b27150171e2c2cddd8338b9bdfab7965810bb4971b2367af251f082bdb1dd28f47cb",
        shared: "1588b12605024e2809ebef3ba7f31a50568fdc92116aad28cb85590d",
        sig_sha256_sample: "303d021c727aa9b98cf2460dbdaa90b7517c93e38f12f7f2c92b56d7bd5ebb37021d0094acfd8a4e9cb310a579f8e8df89b85f6824820c2a789a09b058560e",
    },
    Vector {
        curve: NamedCurve::BrainpoolP320r1,
        d_a: "9d4172120e59617544dfedd0d84de19a53e426056972bdfcf2d3feaa9b9b921ed4f5d5ddb27f0560",
        q_a: "041c9429ae5dd62b2ed2b99918355484afb8b15616f2335ca26b8ed23dd2bbd945c59359f1fa3e7c86b398303e79d72336835b7be9ba1b282355d739cec019a1435780ec93370fc78417bb605ee02106e0",
        q_b: "043232155e8426036d40a9e0a781140167cb66076ed3e32ab221efc14913a3d45b4f3de4451443c1b0d233d277769d078a9bdd5bb6a3f0de75c965e6782cbf47cd71ab6143200c92ac85d3dce648ec9f51",
        shared: "547125f56dd5f097c14219fe0538548a62f1c2e02a9cb82d43fa53ce6aa359b71e5512d20319836d",
        sig_sha256_sample: "3054022817589de28da401937ad2ee194e1f36f46634aba94b2348aec87fd549012b5523fcba74d63121f501022813ee7e28c91e30ce643b3667bc3380c028289c69adee2e059573a30b07c8faf51f3267a73885a089",
    },
    Vector {
        curve: NamedCurve::BrainpoolP512r1,
        d_a: "85ebad806c24660854c1ff53d336bd9b476539e401eb5494852d2c17f72aef880c93a5d37767ea09343cdbf68c79fcfb5193ac92c19c471a8f4b33599516958c",
        q_a: "043a74dde7c191d9c8c0b1a11e0254b4d7d32dd58b9f081d24af873b8abfd38b562bbb9db96fc1eb89cf43a587861a1f744f9e4fe153f9e11e38bf1457a007f6d82a330a68a13f0c9d9692651c56901a3195beb1f933294886dd786be53a9249b03151ac60993c529efec8d237b405392572a1dbb35d798e059461d293f99e3dca",
        q_b: "0403484b20d19e2647372e1bbe7a7c3a6f31a3b6efa8f683addfd6fb76fba3d865cce23f8d334e44dffbbe6faf211424a0e0356be9eea0523cb6aad837d8a9e181583594d28f0a5d1edf34251d6f6ada46a9e4dd1dd01d1573866c84c37e699071ac82b3af4a348e9698a1518323b9eca2f39f787d905aaf7763a119e5df621df7",
        shared: "6f1d28d657a78904b7795c69eaf712391f6751552e0b2d4e0658bc077061823ee0232879379b0f74bf760545a674fe17e1af0040ce2a44278e5b851a30c30ded",
        sig_sha256_sample: "30818602410081cbb1a6c83751b95d67a679124baca01535fc446ddd7062c51ba0b4482ac1861928df7f35f78f857dad397bee62928c057d2bd6ea376cfe4dc08dde8abfb395024100a8fb517154035df737b9d05ea2e05254387b3d5d9edc245cf5babd57f5852bfb0bc95bf4eb0791f2a5c91d94d301acafcb9940f629eabdb7e44539bf256d7b57",
    },
    Vector {
        curve: NamedCurve::P192,
        d_a: "f039a0d33be902ffdeb4200eaac70a790dffc23db7117c8c",
        q_a: "048d531837f24eaace69e93caa6922577c6aadcb868faa2b8a6a3fc17d6196b122b1b3c82aed5a517ef2e80116221bfbb5",
        q_b: "04547fea016dba8420fc3c02a6e549abe5a6993d84281cae6dc0e716ec6a109fbad3affe2dbaad8b9cfd830f0581f3a064",
        shared: "fb89f53238f6ba10537ab2686af3af74fee3fd3586ef17b8",
        sig_sha256_sample: "3035021900f791e0e9e1a61eb5a9f1b8c347a23c4cd5b77246afd61e8802186c8acfe4213b9283f1150079d6af9dbdfe9ae9216ebc93f1",
    },
    Vector {
        curve: NamedCurve::P224,
        d_a: "ff8865d32505d5e3d41b8e59a72d8bdae8c9b60381b709c4fbcbe620",
        q_a: "045ff45c42e313494f6cb345e5006f112fb86e7cd397ba7d90efdda31f3d48159cec5d088648c677e3c3aff23b5563a71aa6c45c65ac31c974",
        q_b: "0498fa1f9ba4eb408668b8d78922ba3deb20af5a4d70102e2ec599c7b72f9a2ec1fd2835b8e5ec46703f0e3a00bcf8d5bc2a36cb9a8a0f602a",
        shared: "9b0e446d0a9c566a6f449c511eb22205713fac63674bc4218b60f769",
        sig_sha256_sample: "303d021c39531f57187bea9ca1a7224a88a7b8649479ec841fe52c83e03276b0021d00c2b4c4fb477719afc155672e8907e5aa924182b977a460571fdbef83",
    },
    Vector {
        curve: NamedCurve::BrainpoolP256r1,
        d_a: "998d7cbb34af02f773042b9c9b5ec5b00878cfc40fc192484a22620933011df6",
        q_a: "04963cae46608036e84d9453bb4a25f2f9dd42ad135531bfa0e98ee521e18c3bfc2859f7d5c51e91baf86cb6a03a80ddc4980d729a531b06b3038523bb42f5422f",
        q_b: "04a1ae1b52870619e0402d385e48316da6adb729cff999fd8e08938d3fd5c6ad78706ce266a098f86aefcbb34e3564b4c4770063ea0e75aab495a334f1ea487064",
        shared: "3509b38549c02773c6b77dadc6309d37f741233bf497bfe83594953edef6dbd6",
        sig_sha256_sample: "3044021f0c957a3f497542ce6e1412eda32c5dd1b45e96c7423b717efa4d078d310b650221009084ee8bbe6d8b5afa72d779b1e006828cc5ee0474aaa20a6fd878f384b9bce1",
    },
    Vector {
        curve: NamedCurve::BrainpoolP384r1,
        d_a: "5553b1d25d5f0988f241ec5d2bd7d6b6de57159539ebf7233d3691b1d70db5fe07634812cdfacf3a2993ea4efa8790c6",
        q_a: "045fa602f287be0eed8c959a8839dc07c24cb431f162d5c9c519b295fa3a1273630854b6006a2ef30c36141d1b1b0ff73836171f415be1a9eedc16f6a8b5c6a3da323810a9edf7867cde799e53ca6099941048598ac0258a37a090486114f13581",
        q_b: "0422a32d1ec043741be3a1f4ac250d684b356a777c89f453193da0141cb5437a2620eacc88dd030a209767e287190c4fe129e0ef5ffc10ee0b0db9212ee47b458d532a594d79c4100983da3b28ddc0afdc00c0e5ecf95a1e75be2ec959f538f003",
        shared: "3577806eca103a353986f45110db3eb7f7435cc5774942cb77daad7cfcd333cc7f568d2c413260314f961ecbafc6168b",
        sig_sha256_sample: "306402305f78918d2c9ddf8b98775fc9cc15c5b359e5b77da0c2cb06e5a6be39f232475906f92a9d1d085bf13538935e5b3f67ab02302ad2c4ad8124a74d7cac1754265cf2d5e37381a1d19852fa49a00dc0d25079b9af186cd159abbc2d704882fb7480a490",
    },
    Vector {
        curve: NamedCurve::P256,
        d_a: "0415525a5b92d17f83baba6b461cf2f7d259a2d6bb8de0cc5c04d0c069e102d3",
        q_a: "042f2e5be11aa7ba7d135daede2ca9d2b97ddb668297aece247dab2fd4d45ce7577ab552dea00859a2d66fc7f2237c66eb9b50307b2aba2e28876a723aa871861e",
        q_b: "045982d0780ec53a03412dc3257c9883111040eeff90142936d4057cb140e3378ff7debe1d31f7e283fe9aaf7943df96eacbb408958f1973b14371bd1adecce0d6",
        shared: "2c0c5dcace24e878558eb980a0f9a5d5c39e005d5cd07cf61965b1ac64ec21c2",
        sig_sha256_sample: "3045022100871d2f8228948256305ef28d86312476da065b70f3ab37cfbe955cd82d0fd7ea022063fe2e35453c2b5978275141c6882568c578b3913f695ec334e3e27a0c22659a",
    },
    Vector {
        curve: NamedCurve::P384,
        d_a: "e7580e11ea5d18e730241035cbf5e1a6dc69fce9c5d10b39e3194a33ecbade4652806f3940cce84ed08288cd60a7d3be",
        q_a: "0492858e9a37caff0eaf656009434a0e7eb9adb645b0d5ffe0cc501518b863f4ce3a6025ba62af9f5eecf8e9f7ed84a9bd21bce879ca917502e4c8db4fc7f588e9ef06196de342ae99683f7dfe1ec1e82938f44d8ee38dbd898ae346cbf18dfbed",
        q_b: "046271743693bec4f7e92c0d69dc54b974cc2a9f4601ed0a739a27f0c430e99f456653e6ca74a0b9d8ce902ec721bab4b20e27224ea8364238e9e1f8d6856e149b46d86e54684491731fa3dd53a34e1c13d9caa1319545cb79b6497f234360e195",
        shared: "d018ee018c6feb0ff581645c74b847f2d67da9931010086d2f901b7b9f40f3d7c5a95805b784ecd79514243d6f2d8d78",
        sig_sha256_sample: "306402306ec01c1b01518fa690b3f55db9394a9899832a5fa9045611fe7c4831c1d8cba3f1e3c8ffcc52ae43873a8d29b4435f99023078cd040586f1ce61192e79939ab97a2d21bcc287ca26fb375e34adc91e3286ae7e271fcf0eda3a30836d59406a991381",
    },
    Vector {
        curve: NamedCurve::P521,
        d_a: "00b6772246819ad30abcd41201981c2e31ce792825a76fbc1b58683703d0bed560e5d76e9214560c34646972e4c6ddcf3f59eff36bd9583df84e3b7f195803f621e5",
        q_a: "04014db666f158b46c161f6d2077f78bcc78c4a73ef56a56acbd06683d8e576b168ffd689ef841e1c23295231934500d211074b7ce069d69e9712f3b4ae98651bf6e0b00b318b4a48c8646b7d17aab88ac5f53829077d955ab8b4977a2c11730e365fa44a46d4c5ee8018a75e5d8cd1f10494fe94e52150623977564d379f9416c0bc49997",
        q_b: "0400cede346c7c73c7669b0accf7309659103107e7a4885a2c4b9723cf37732d7ae5f00ba052e6205b867454f0d4af744a7567ae872719ef479cbdd045d77f1ab981c200aa5e56716090e9be92be7af4122879bbc9e474143c5756867a6f995857820dbac037ffae3a639eebe02d9be4da61086e0fe24793ba9f7bc2678a33cca0a9c5d42f",
        shared: "00302a32ca80d80a19f411e5770656a2b5b871c805cd74fccbab244d2b3ad6878ebcb9c6caca155060a74387b3065e1a7b6bb97f78266adb9507129babd4b89189be",
        sig_sha256_sample: "308188024201cbeef1db255c80cbe00131aec9a1925516137ab0c1e9d31bf21fb0d0c24f9d7cbe28e68dcbec8801bbe255ad10a0642ea44dfc349c9bde8d5834eae2e8a6ea01690242014764bcd874b672f872c5cd78f41f2ee91d78e975a31aa8037d14311856b9d2c8c8cf55aa61b566b4aaae775b2303d0ada07817353c0bb3f022ec7b50b6b97ed9d4",
    },
];

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn openssl_vectors_public_key_ecdh_and_signature() {
    let sample = crate::crypto::hash::HashAlgorithm::Sha256.digest(b"sample");
    let samplf = crate::crypto::hash::HashAlgorithm::Sha256.digest(b"samplf");
    for v in &OPENSSL {
        let name = v.curve.name();
        assert_eq!(v.curve.public_key(&h(v.d_a)).unwrap(), h(v.q_a), "{name}");
        assert_eq!(*v.curve.ecdh(&h(v.d_a), &h(v.q_b)).unwrap(), h(v.shared), "{name}");
        let sig = h(v.sig_sha256_sample);
        v.curve.ecdsa_verify_prehash(&h(v.q_a), &sample, &sig).unwrap();
        assert_eq!(v.curve.ecdsa_verify_prehash(&h(v.q_a), &samplf, &sig), Err(EcError::BadSignature), "{name}");
        assert_eq!(v.curve.ecdsa_verify_prehash(&h(v.q_b), &sample, &sig), Err(EcError::BadSignature), "{name}");
        let raw = raw_signature(&sig, v.curve.field_size()).unwrap();
        assert_eq!(der_signature(&raw), sig, "{name}");
    }
}

/// RFC 6979 A.2.5: P-256, SHA-256, message "sample" — the deterministic nonce uses the message's hash.
#[test]
fn rfc6979_p256_sha256_sample() {
    let d = h("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    let sig =
        NamedCurve::P256.ecdsa_sign_prehash(&d, &crate::crypto::hash::HashAlgorithm::Sha256.digest(b"sample")).unwrap();
    assert_eq!(
        hex::encode(sig),
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716\
         f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
    );
}
