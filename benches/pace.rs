//! PACE, Chip Authentication and Active Authentication against the bare elliptic-curve work they cannot
//! avoid, in the same run (both sides in process, the virtual chip answering):
//!
//! - a full PACE-GM-ECDH-AES128 handshake on brainpoolP256r1 (the terminal's five scalar multiplications and
//!   the chip's five) against ten bare brainpoolP256r1 scalar multiplications;
//! - Chip Authentication (ECDH, AES-128, brainpoolP256r1, inside a PACE session: the terminal's ephemeral key
//!   and shared secret, the chip's shared secret, the proof read under the new keys) against three bare
//!   scalar multiplications;
//! - Active Authentication (ECDSA P-256 with SHA-256 inside a PACE session: the chip signs, the terminal
//!   verifies) against one bare ECDSA sign plus one bare verify;
//! - the other PACE variants for reference: CAM and IM on brainpoolP256r1, GM and IM with DH in the 2048-bit
//!   MODP group with a 256-bit subgroup.
//!
//! `cargo bench --bench pace`
use std::hint::black_box;

use cccd::access::chip_auth::{active_authenticate, chip_authenticate};
use cccd::access::pace::{PaceChip, PaceParameters, PacePassword, authenticate};
use cccd::apdu::{CommandApdu, ResponseApdu, ins};
use cccd::citizen::CitizenRecord;
use cccd::crypto::dh::ModpGroup;
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::issuance::{ChipKeys, FaceImage, IssueOptions, issue};
use cccd::lds::EMRTD_AID;
use cccd::lds::LdsFile;
use cccd::lds::dg2::facial::ImageDataType;
use cccd::lds::dg15::Dg15;
use cccd::lds::security_infos::Dg14;
use cccd::oid::SmCipher;
use cccd::pki::{DocumentSigner, Signer, SoftwareKey, country_signing_ca, document_signer};
use cccd::sm::SecureChannel;
use cccd::transport::{Transport, TransportError};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use zeroize::Zeroizing;

struct Chip(PaceChip);

impl Transport for Chip {
    fn transmit(&mut self, c: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        Ok(match c.ins {
            ins::MANAGE_SECURITY_ENVIRONMENT => self.0.set_at(c),
            _ => self.0.general_authenticate(c).0,
        })
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.0.abort();
        Ok(())
    }
}

fn bench(c: &mut Criterion) {
    let curve = NamedCurve::BrainpoolP256r1;
    let params = PaceParameters::generic_ecdh(SmCipher::Aes128, curve).expect("params");
    let password = PacePassword::Can(Zeroizing::new("123456".into()));
    let mut chip = Chip(PaceChip::new(vec![params], None, Some("123456")));
    let secret = curve.generate_secret(&mut rand::rng());
    let point = curve.public_key(&secret).expect("point");

    let mut g = c.benchmark_group("PACE-GM-ECDH brainpoolP256r1 vs bare scalar multiplications");
    g.bench_function("10 bare scalar multiplications", |b| {
        b.iter(|| {
            for _ in 0..10 {
                black_box(curve.mul(black_box(&point), black_box(&secret)).expect("mul"));
            }
        })
    });
    g.bench_function("full PACE handshake (terminal + chip)", |b| {
        b.iter(|| black_box(authenticate(&mut chip, &params, &password, false).expect("pace")))
    });
    g.finish();

    // the other mappings and DH, each a full handshake (terminal + chip)
    let mut g = c.benchmark_group("PACE variants (terminal + chip)");
    g.sample_size(20);
    let cam_key = cccd::pki::SoftwareKey::generate(curve);
    let variants = [
        ("CAM-ECDH-AES128 brainpoolP256r1", PaceParameters::chip_authentication_mapping(SmCipher::Aes128, curve)),
        ("IM-ECDH-AES128 brainpoolP256r1", PaceParameters::integrated_ecdh(SmCipher::Aes128, curve)),
        ("GM-DH-AES128 2048-bit MODP/256", PaceParameters::generic_dh(SmCipher::Aes128, ModpGroup::Modp2048_256)),
        ("IM-DH-AES128 2048-bit MODP/256", PaceParameters::integrated_dh(SmCipher::Aes128, ModpGroup::Modp2048_256)),
    ];
    for (name, variant) in variants {
        let variant = variant.expect("parameters");
        let mut chip =
            Chip(PaceChip::new(vec![variant], None, Some("123456")).with_chip_authentication_key(cam_key.clone()));
        g.bench_function(name, |b| {
            b.iter(|| black_box(authenticate(&mut chip, &variant, &password, false).expect("pace")))
        });
    }
    g.finish();

    // an issued CCCD-like image: CA key on brainpoolP256r1, AA key on P-256
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/records/nguyen-van-a.json");
    let record: CitizenRecord = serde_json::from_slice(&std::fs::read(path).expect("record")).expect("record JSON");
    let csca = country_signing_ca("CN=CSCA Bench,C=VN", SoftwareKey::generate(NamedCurve::P256), 3650).expect("csca");
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds: DocumentSigner =
        document_signer("CN=DS Bench,C=VN", &csca, SoftwareKey::generate(NamedCurve::P256), 2, yesterday, 365)
            .expect("ds")
            .into();
    let face = FaceImage { data: vec![0xFF; 1000], image_type: ImageDataType::Jpeg, width: 480, height: 640 };
    let mut keys = ChipKeys::generate(NamedCurve::BrainpoolP256r1);
    let aa_key = SoftwareKey::generate(NamedCurve::P256);
    keys.active_authentication = cccd::image::ActiveAuthenticationKey::Ecdsa(aa_key.clone());
    let image = issue(&record, &face, &keys, &ds, &IssueOptions::default()).expect("issue");
    let dg14 = Dg14::decode(&image.files[&LdsFile::dg(14).expect("dg14")]).expect("DG14");
    let dg15 = Dg15::decode(&image.files[&LdsFile::dg(15).expect("dg15")]).expect("DG15");
    let can = image.secrets.can.clone().expect("CAN");
    let password = PacePassword::Can(Zeroizing::new(can.to_string()));
    // a chip runs Chip Authentication once per session: each iteration gets a fresh PACE session (set up
    // outside the measured time)
    let fresh_session = || {
        let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
        let session = authenticate(&mut chip, &params, &password, false).expect("pace").session;
        let mut channel = SecureChannel::new(chip, session);
        let select = CommandApdu::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        channel.transmit(&select).expect("SELECT eMRTD application");
        channel
    };
    let mut channel = fresh_session();

    let mut g = c.benchmark_group("Chip Authentication brainpoolP256r1 vs bare scalar multiplications");
    g.bench_function("3 bare scalar multiplications", |b| {
        b.iter(|| {
            for _ in 0..3 {
                black_box(curve.mul(black_box(&point), black_box(&secret)).expect("mul"));
            }
        })
    });
    g.bench_function("Chip Authentication (terminal + chip)", |b| {
        b.iter_batched(
            fresh_session,
            |mut channel| black_box(chip_authenticate(&mut channel, &dg14).expect("CA")),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let digest = HashAlgorithm::Sha256.digest(b"challenge");
    let aa_public = aa_key.public_key().expect("AA public key");
    let mut g = c.benchmark_group("Active Authentication ECDSA P-256 vs bare sign + verify");
    g.bench_function("bare ECDSA P-256 sign + verify", |b| {
        b.iter(|| {
            let signature = aa_key.sign_prehash(black_box(&digest)).expect("sign");
            let cccd::crypto::public_key::PublicKey::Ec { point, .. } = &aa_public else { unreachable!() };
            NamedCurve::P256.ecdsa_verify_prehash(point, &digest, &signature).expect("verify")
        })
    });
    g.bench_function("Active Authentication (chip signs, terminal verifies)", |b| {
        b.iter(|| active_authenticate(&mut channel, &dg15.public_key, Some(&dg14)).expect("AA"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
