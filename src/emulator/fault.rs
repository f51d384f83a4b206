//! Fault injection and a link model for QA rigs: the virtual chip can leave the field after a chosen command,
//! answer a chosen status word, corrupt a response byte, tear a write (only its first bytes land), and count
//! the time a contactless link would take.
//!
//! Every fault fires once; a reset (the card back in the field) lets the next run go on. Commands are counted
//! from 0 over the chip's life, across resets.

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::transport::TransportError;

/// The contactless link: time per APDU as the turnaround plus the bits of both frames at the bit rate.
///
/// ISO/IEC 14443 sends 9 bits a byte at 106 kbit/s (8 data bits and parity; start/stop framing is folded into
/// the turnaround) and the same at the higher rates; each frame adds a 2-byte CRC and a 1-byte PCB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkModel {
    /// Bits per second (106 000, 212 000, 424 000, 848 000).
    pub bit_rate: u32,
    /// Per-APDU turnaround (reader, frame delay, chip processing), in microseconds.
    pub turnaround_us: u32,
    /// Whether the vpcd bridge really waits that long (the in-process chip only counts).
    pub sleep: bool,
}

impl LinkModel {
    /// ISO 14443 at `kbit` kbit/s (106, 212, 424, 848), 1 ms turnaround.
    pub fn iso14443(kbit: u32) -> Self {
        LinkModel { bit_rate: kbit.saturating_mul(1000), turnaround_us: 1000, sleep: false }
    }

    /// The time one exchange takes, in microseconds.
    pub fn exchange_us(&self, command_bytes: usize, response_bytes: usize) -> u64 {
        let bytes = (command_bytes + 3 + response_bytes + 3) as u64;
        let bits = bytes * 9;
        u64::from(self.turnaround_us) + bits * 1_000_000 / u64::from(self.bit_rate.max(1))
    }

    /// Parses `106k`, `424k`, `848000`.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        let kbit = match t.strip_suffix('k') {
            Some(k) => k.parse::<u32>().ok()?,
            None => t.parse::<u32>().ok()? / 1000,
        };
        (kbit > 0).then(|| LinkModel::iso14443(kbit))
    }
}

/// The fault state of a chip: what [`exchange`] reads and updates.
pub(super) struct FaultState<'a> {
    /// The armed faults and the link's counters.
    pub(super) faults: &'a mut Faults,
    /// Whether the card has left the field (until a reset).
    pub(super) removed: &'a mut bool,
    /// Commands received over the chip's life.
    pub(super) commands: &'a mut usize,
}

/// A virtual chip with faults: both chips (`VirtualChip`, `JmrtdAppletChip`) run their exchanges through
/// [`exchange`].
pub(super) trait FaultyChip {
    /// The chip's fault state.
    fn fault_state(&mut self) -> FaultState<'_>;
    /// The chip's answer to a command, without faults (it may leave the field: a torn write).
    fn process(&mut self, command: &CommandApdu) -> ResponseApdu;
}

/// One exchange with the faults applied: a removed card answers nothing until it is reset; `drop_after`,
/// `status_at` and `corrupt_at` fire once at their command; the link counts both frames.
pub(super) fn exchange(chip: &mut impl FaultyChip, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
    let s = chip.fault_state();
    if *s.removed {
        return Err(TransportError::CardRemoved);
    }
    let n = *s.commands;
    *s.commands += 1;
    if s.faults.drop_after.is_some_and(|d| n >= d) {
        s.faults.drop_after = None;
        *s.removed = true;
        return Err(TransportError::CardRemoved);
    }
    if let Some((_, status)) = s.faults.status_at.filter(|(at, _)| *at == n) {
        s.faults.status_at = None;
        return Ok(ResponseApdu::status(StatusWord::from(status)));
    }
    let mut response = chip.process(command);
    let s = chip.fault_state();
    if *s.removed {
        return Err(TransportError::CardRemoved);
    }
    if s.faults.corrupt_at == Some(n) {
        s.faults.corrupt_at = None;
        match response.data.last_mut() {
            Some(b) => *b ^= 0x01,
            None => response.sw = StatusWord::from(u16::from(response.sw) ^ 0x0001),
        }
    }
    let command_len = command.to_bytes().map(|b| b.len()).unwrap_or(0);
    s.faults.account(command_len, response.data.len() + 2);
    Ok(response)
}

/// The faults armed in a virtual chip.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Leave the field when command `n` arrives (it is not processed).
    pub drop_after: Option<usize>,
    /// Answer command `n` with this status word, unprocessed.
    pub status_at: Option<(usize, u16)>,
    /// Flip a bit in the last byte of the response to command `n` (the status word when there is no data).
    pub corrupt_at: Option<usize>,
    /// Tear UPDATE BINARY number `n` (counted from 0): only its first `k` bytes land, then the card leaves.
    pub tear: Option<(usize, usize)>,
    /// The link model.
    pub link: Option<LinkModel>,
    /// Simulated link time so far, in microseconds.
    pub link_time_us: u64,
    /// Bytes exchanged so far (commands and responses, status words included).
    pub link_bytes: u64,
}

impl Faults {
    /// Counts one exchange on the link.
    pub(super) fn account(&mut self, command_bytes: usize, response_bytes: usize) {
        self.link_bytes += (command_bytes + response_bytes) as u64;
        if let Some(link) = self.link {
            let us = link.exchange_us(command_bytes, response_bytes);
            self.link_time_us += us;
            if link.sleep {
                std::thread::sleep(std::time::Duration::from_micros(us));
            }
        }
    }

    /// Parses the command line's `drop-after=N`, `sw=N:6A82`, `corrupt=N`, `tear=N:K` (several separated by
    /// commas).
    pub fn parse(spec: &str) -> Option<Self> {
        let mut f = Faults::default();
        for item in spec.split(',').filter(|s| !s.is_empty()) {
            let (name, value) = item.split_once('=')?;
            let num = |s: &str| s.trim().parse::<usize>().ok();
            match name.trim() {
                "drop-after" => f.drop_after = Some(num(value)?),
                "corrupt" => f.corrupt_at = Some(num(value)?),
                "sw" => {
                    let (n, sw) = value.split_once(':')?;
                    f.status_at = Some((num(n)?, u16::from_str_radix(sw.trim(), 16).ok()?));
                }
                "tear" => {
                    let (n, k) = value.split_once(':')?;
                    f.tear = Some((num(n)?, num(k)?));
                }
                _ => return None,
            }
        }
        Some(f)
    }
}
