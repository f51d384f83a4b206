//! Quirk switches: the virtual chip behaving as real chips were seen to behave, so the reader's tolerance is
//! tested end to end (in process and through `pcscd`), not only by unit tests. Each is allowed by the
//! specifications or reported from the field; the reader must cope with every combination.
//!
//! | switch (`cccd emulate --quirk`) | what the chip does | source |
//! |---|---|---|
//! | `nonce16` | PACE encrypted nonces of two cipher blocks (16 bytes with 3DES, 32 with AES) | ICAO 9303-11 §4.4.3.1 (any multiple of the block size); a recorded PACE-ECDH-GM-3DES passport |
//! | `pad-files` | every file followed by `FF` up to the next multiple of 256 bytes (at least 32) | files allocated larger than their content (ICAO 9303-10 sizes files by the issuer) |
//! | `eof-6282` | `6282` (end of file) on every read that reaches the end, even one that returned all it asked | ISO/IEC 7816-4 §7.2.3 (`6282` "end of file reached before reading Ne bytes"), chips that set it whenever the end is reached |
//! | `wrong-le` | `6Cxx` ("wrong Le, xx available") instead of a short answer when `Le` runs past the end | ISO/IEC 7816-4 §5.1.3; readers' issue threads ("6Cxx passport") |
//! | `sw-only-errors` | error status words under secure messaging without DO'99 and MAC | ICAO 9303-11 §9.8.6 (SM errors unprotected); chips answering `6A82`/`6982` unprotected |

use core::fmt;

/// The quirks a virtual chip plays (all off by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quirks {
    /// PACE nonces of this many cipher blocks instead of the shortest allowed.
    pub nonce_blocks: Option<u8>,
    /// Files padded with `FF` beyond their TLV.
    pub pad_files: bool,
    /// `6282` on every read reaching the end of the file.
    pub eof_6282: bool,
    /// `6Cxx` when `Le` runs past the end of the file.
    pub wrong_le: bool,
    /// Error status words under secure messaging sent without protection.
    pub sw_only_errors: bool,
}

/// A `--quirk` list that names an unknown switch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown quirk {0:?} (known: nonce16, pad-files, eof-6282, wrong-le, sw-only-errors, all)")]
pub struct UnknownQuirk(pub String);

impl Quirks {
    /// Every quirk on.
    pub fn all() -> Self {
        Quirks { nonce_blocks: Some(2), pad_files: true, eof_6282: true, wrong_le: true, sw_only_errors: true }
    }

    /// Parses a comma-separated list of switches (`nonce16,pad-files,…`, or `all`).
    pub fn parse(list: &str) -> Result<Self, UnknownQuirk> {
        let mut q = Quirks::default();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "nonce16" => q.nonce_blocks = Some(2),
                "pad-files" => q.pad_files = true,
                "eof-6282" => q.eof_6282 = true,
                "wrong-le" => q.wrong_le = true,
                "sw-only-errors" => q.sw_only_errors = true,
                "all" => q = Quirks::all(),
                other => return Err(UnknownQuirk(other.to_string())),
            }
        }
        Ok(q)
    }

    /// `bytes` followed by the padding the `pad-files` quirk adds.
    pub(crate) fn padded(bytes: &[u8]) -> Vec<u8> {
        let target = (bytes.len() + 32).div_ceil(256) * 256;
        let mut out = Vec::with_capacity(target);
        out.extend_from_slice(bytes);
        out.resize(target, 0xFF);
        out
    }
}

impl fmt::Display for Quirks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = [
            (self.nonce_blocks.is_some(), "nonce16"),
            (self.pad_files, "pad-files"),
            (self.eof_6282, "eof-6282"),
            (self.wrong_le, "wrong-le"),
            (self.sw_only_errors, "sw-only-errors"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        let q = Quirks::parse("nonce16, pad-files,eof-6282").unwrap();
        assert_eq!(q, Quirks { nonce_blocks: Some(2), pad_files: true, eof_6282: true, ..Quirks::default() });
        assert_eq!(Quirks::parse(&q.to_string()).unwrap(), q);
        assert_eq!(Quirks::parse("all").unwrap(), Quirks::all());
        assert_eq!(Quirks::parse(""), Ok(Quirks::default()));
        assert_eq!(Quirks::parse("nonce8"), Err(UnknownQuirk("nonce8".into())));
        assert_eq!(Quirks::padded(&[1; 10]).len(), 256);
        assert_eq!(Quirks::padded(&[1; 230]).len(), 512);
        assert!(Quirks::padded(&[1; 230]).ends_with(&[0xFF; 32]));
    }
}
