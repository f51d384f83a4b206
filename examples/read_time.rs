//! Read and personalization time on the ISO 14443 link model, against the floor the link allows and against a
//! baseline reader configured as most eMRTD libraries read (223-byte READ BINARY, no extended length).
//!
//! `cargo run --release --example read_time`
//!
//! The floor is the time the file bytes alone take on the link (9 bits a byte), with no command, no framing,
//! no turnaround and no access control. The times are simulated (the virtual chip counts them), so they do
//! not depend on this machine.
use cccd::access::pace::PacePassword;
use cccd::emulator::{ChipConfig, Faults, LinkModel, VirtualChip};
use cccd::image::ChipImage;
use cccd::reader::Reader;

#[path = "../tests/common/mod.rs"]
mod common;

fn run(image: &ChipImage, link: LinkModel, short: bool) -> (usize, f64) {
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
    chip.set_faults(Faults { link: Some(link), ..Faults::default() });
    let can = PacePassword::Can(image.secrets.can.clone().expect("CAN"));
    let mut reader = Reader::pace(can);
    if short {
        reader = reader.short_reads();
    }
    let result = reader.read(&mut chip).expect("read");
    assert!(result.chip_authentication.passed() && result.active_authentication.passed());
    let sod = &result.files[&cccd::lds::LdsFile::Sod];
    assert!(cccd::pa::verify(sod, &result.files, None).expect("pa").signature.passed());
    (reader.apdu_count(), chip.faults().link_time_us as f64 / 1000.0)
}

fn main() {
    let (image, _) = common::chip::cccd_image_20k_signed();
    let bytes: usize = image.files.iter().filter(|(f, _)| f.dg_number() != Some(3)).map(|(_, b)| b.len()).sum();
    println!("CCCD-sized chip image: {bytes} bytes readable (20 KB DG2), PACE-GM-ECDH-AES128 + AA + CA + PA\n");
    println!(
        "{:>9} {:>10} {:>22} {:>22} {:>9} {:>9}",
        "link", "floor ms", "cccd (APDUs, ms)", "baseline (APDUs, ms)", "cccd/floor", "base/cccd"
    );
    for kbit in [106u32, 212, 424, 848] {
        let link = LinkModel::iso14443(kbit);
        let floor = (bytes as f64 * 9.0) / f64::from(link.bit_rate) * 1000.0;
        let (n, t) = run(&image, link, false);
        let (bn, bt) = run(&image, link, true);
        println!(
            "{:>6} k {:>10.0} {:>12} {:>9.0} {:>12} {:>9.0} {:>9.2} {:>9.2}",
            kbit,
            floor,
            n,
            t,
            bn,
            bt,
            t / floor,
            bt / t
        );
    }
}
