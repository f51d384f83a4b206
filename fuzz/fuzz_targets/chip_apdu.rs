//! Command APDUs as the virtual chip receives them: any sequence of commands (split from the input at 0xFF
//! separators) gets a response with a status word, never a panic, in every state the sequence reaches.
#![no_main]
use cccd::emulator::{ChipConfig, VirtualChip, answer_bytes};
use cccd::image::{ChipImage, ChipSecrets};
use cccd::lds::LdsFile;
use libfuzzer_sys::fuzz_target;

fn chip() -> VirtualChip {
    let mut files = std::collections::BTreeMap::new();
    files.insert(LdsFile::Com, vec![0x60, 0x08, 0x5F, 0x01, 0x04, b'0', b'1', b'0', b'7']);
    files.insert(LdsFile::CardAccess, vec![0x31, 0x00]);
    files.insert(LdsFile::dg(1).unwrap(), vec![0x61, 0x03, 0x5F, 0x1F, 0x00]);
    let secrets =
        ChipSecrets {
            mrz_information: Some(zeroize::Zeroizing::new("L898902C<369080619406236".into())),
            ..ChipSecrets::default()
        };
    VirtualChip::new(ChipImage { files, secrets, eac: None }, ChipConfig::default())
}

fuzz_target!(|data: &[u8]| {
    let mut c = chip();
    for command in data.split(|b| *b == 0xFF) {
        let response = answer_bytes(&mut c, command);
        assert!(response.is_none_or(|r| r.len() >= 2));
    }
});
