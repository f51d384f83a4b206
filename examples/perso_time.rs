//! Personalization time on the ISO 14443 link model, against the floor of writing the image once and reading
//! it once.
//!
//! `cargo run --example perso_time`
//!
//! The floor is the file bytes alone crossing the link twice (written once, read once: 9 bits a byte), with no
//! command, no framing, no turnaround, no access control and no LOCK. The times are simulated (the virtual
//! chip counts them), so they do not depend on this machine or on the build profile.
use cccd::emulator::{ChipConfig, Faults, LinkModel, VirtualChip};
use cccd::image::ChipImage;
use cccd::perso::{OpenEmrtdProfile, Personalizer};

#[path = "../tests/common/mod.rs"]
mod common;

const KEY: [u8; 16] = *b"transport key 16";

fn run(image: &ChipImage, config: ChipConfig, link: LinkModel) -> (usize, f64) {
    let mut chip = VirtualChip::blank(KEY, config);
    chip.set_faults(Faults { link: Some(link), ..Faults::default() });
    let profile = OpenEmrtdProfile::new(KEY);
    let report = Personalizer::new(&profile, image).run(&mut chip).expect("personalization");
    assert_eq!(chip.life_cycle(), cccd::emulator::LifeCycle::Operational);
    (report.apdus, chip.faults().link_time_us as f64 / 1000.0)
}

fn main() {
    let (image, _) = common::chip::cccd_image_20k_signed();
    let bytes: usize = image.files.values().map(Vec::len).sum();
    println!("CCCD-sized chip image: {bytes} bytes written (20 KB DG2), verified with PACE + PA + CA + AA, locked\n");
    println!("{:>9} {:>16} {:>10} {:>8} {:>10} {:>11}", "link", "chip", "floor ms", "APDUs", "ms", "ms / floor");
    for kbit in [106u32, 424] {
        let link = LinkModel::iso14443(kbit);
        let floor = (2 * bytes) as f64 * 9.0 / f64::from(link.bit_rate) * 1000.0;
        for (config, name) in [(ChipConfig::default(), "extended length"), (ChipConfig::short_only(), "short APDUs")] {
            let (apdus, ms) = run(&image, config, link);
            println!("{kbit:>6} k {name:>16} {floor:>10.0} {apdus:>8} {ms:>10.0} {:>11.2}", ms / floor);
        }
    }
}
