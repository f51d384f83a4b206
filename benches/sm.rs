//! Secure messaging, each beside the bare cipher work it cannot avoid, in the same run: a protected READ BINARY
//! response of 1 KB and of 64 KB (chip side wraps, terminal side unwraps) against one CBC encryption plus one
//! MAC of the same bytes (a full exchange does that work twice: encrypt+MAC on the chip, MAC+decrypt on the
//! terminal) with the bare primitives (AES-128-CBC + AES-CMAC; 3DES-CBC + retail MAC).
//!
//! `cargo bench --bench sm`
use std::hint::black_box;

use cccd::apdu::{ResponseApdu, StatusWord};
use cccd::crypto::sym::{SessionKeys, aes_cmac, pad_m2, retail_mac};
use cccd::oid::SmCipher;
use cccd::sm::SecureMessaging;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    for (cipher, name) in [(SmCipher::Aes128, "AES-128"), (SmCipher::TripleDes, "3DES")] {
        let keys = SessionKeys::derive(cipher, b"a shared secret from access control");
        let mut g = c.benchmark_group(format!("SM {name}: protected response vs bare CBC + MAC"));
        for size in [1024usize, 65_000] {
            let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            g.throughput(Throughput::Bytes(size as u64));
            let padded = pad_m2(&data, keys.ks_enc.block_size());
            let iv = vec![0u8; keys.ks_enc.block_size()];
            g.bench_function(format!("bare CBC encrypt + MAC, {size} B"), |b| {
                b.iter(|| {
                    let ct = keys.ks_enc.encrypt_cbc(&iv, black_box(&padded)).expect("encrypt");
                    let mac_input = pad_m2(&ct, keys.ks_mac.block_size());
                    black_box(match cipher {
                        SmCipher::TripleDes => retail_mac(keys.ks_mac.as_bytes(), &mac_input).expect("mac").to_vec(),
                        _ => aes_cmac(keys.ks_mac.as_bytes(), &mac_input).expect("mac").to_vec(),
                    })
                })
            });
            let response = ResponseApdu { data: data.clone(), sw: StatusWord::Success };
            g.bench_function(format!("chip wrap_response, {size} B"), |b| {
                let mut chip = SecureMessaging::with_zero_ssc(keys.clone());
                b.iter(|| black_box(chip.wrap_response(black_box(&response)).expect("wrap")))
            });
            // a whole protected exchange, both sides: the READ BINARY command wrapped and unwrapped (no data),
            // the response wrapped by the chip and unwrapped (MAC checked, decrypted) by the terminal
            g.bench_function(format!("full exchange, both sides, {size} B"), |b| {
                let mut chip = SecureMessaging::with_zero_ssc(keys.clone());
                let mut terminal = SecureMessaging::with_zero_ssc(keys.clone());
                let read = cccd::apdu::CommandApdu::new(0x00, 0xB0, 0, 0).with_le(size.min(65_536));
                b.iter(|| {
                    let command = terminal.wrap(&read).expect("wrap command");
                    chip.unwrap_command(&command).expect("unwrap command");
                    let wrapped = chip.wrap_response(&response).expect("wrap response");
                    black_box(terminal.unwrap(&wrapped).expect("unwrap response"))
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
