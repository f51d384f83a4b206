//! PACE and Chip Authentication against the bare elliptic-curve work they cannot avoid, in the same run.
//!
//! - A full PACE-GM-ECDH-AES128 handshake on brainpoolP256r1 (both sides in process: the terminal's five
//!   scalar multiplications and the chip's five) against ten bare brainpoolP256r1 scalar multiplications.
//!
//! `cargo bench --bench pace`
use std::hint::black_box;

use cccd::access::pace::{PaceChip, PaceParameters, PacePassword, authenticate};
use cccd::apdu::{CommandApdu, ResponseApdu, ins};
use cccd::crypto::ec::NamedCurve;
use cccd::oid::SmCipher;
use cccd::transport::{Transport, TransportError};
use criterion::{Criterion, criterion_group, criterion_main};
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
