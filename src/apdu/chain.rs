//! Chip side of command chaining (ISO/IEC 7816-4 §5.4.1): reassembling a chain into one command.

use super::{ApduError, CLA_CHAINING, CommandApdu, MAX_EXTENDED_NC};

/// Collects the commands of a chain. Feed every received command to [`push`](ChainAssembler::push): it returns
/// `None` while the chain goes on (the chip answers `9000`) and the whole command on the last one.
#[derive(Debug, Default)]
pub struct ChainAssembler {
    first: Option<CommandApdu>,
    count: usize,
}

impl ChainAssembler {
    /// An assembler with no chain in progress.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a chain is in progress.
    pub fn in_progress(&self) -> bool {
        self.first.is_some()
    }

    /// Adds a command. An unchained command with no chain in progress is returned as is. On error the chain in
    /// progress is dropped.
    pub fn push(&mut self, command: CommandApdu) -> Result<Option<CommandApdu>, ApduError> {
        let chained = command.is_chained();
        let Some(mut whole) = self.first.take() else {
            if chained {
                self.count = 1;
                self.first = Some(command);
                return Ok(None);
            }
            return Ok(Some(command));
        };
        let index = self.count;
        if (whole.cla & !CLA_CHAINING) != (command.cla & !CLA_CHAINING)
            || whole.ins != command.ins
            || whole.p1 != command.p1
            || whole.p2 != command.p2
        {
            self.count = 0;
            return Err(ApduError::ChainHeaderMismatch { index });
        }
        if whole.data.len().saturating_add(command.data.len()) > MAX_EXTENDED_NC {
            self.count = 0;
            return Err(ApduError::ChainTooLong);
        }
        whole.data.extend_from_slice(&command.data);
        if chained {
            self.count = index.saturating_add(1);
            self.first = Some(whole);
            Ok(None)
        } else {
            self.count = 0;
            whole.cla = command.cla;
            whole.le = command.le;
            Ok(Some(whole))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reassembles_what_chain_splits() {
        let c = CommandApdu::new(0x00, 0xDB, 0x3F, 0xFF).with_data((0..=200u8).collect::<Vec<_>>()).with_le(256);
        let mut a = ChainAssembler::new();
        let parts = c.chain(64).unwrap();
        assert_eq!(parts.len(), 4);
        for p in &parts[..3] {
            assert_eq!(a.push(p.clone()), Ok(None));
            assert!(a.in_progress());
        }
        assert_eq!(a.push(parts[3].clone()), Ok(Some(c.clone())));
        assert!(!a.in_progress());
        // Unchained commands pass through.
        assert_eq!(a.push(c.clone()), Ok(Some(c.clone())));
        // A header change in the middle of a chain.
        a.push(parts[0].clone()).unwrap();
        let mut other = parts[1].clone();
        other.p2 = 0;
        assert_eq!(a.push(other), Err(ApduError::ChainHeaderMismatch { index: 1 }));
        assert!(!a.in_progress());
        // Too much data.
        let big = CommandApdu::new(0x10, 0xDB, 0, 0).with_data(vec![0; 40_000]);
        a.push(big.clone()).unwrap();
        assert_eq!(a.push(big), Err(ApduError::ChainTooLong));
    }
}
