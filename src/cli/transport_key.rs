//! The blank chip's transport key, for `cccd perso` and `cccd emulate --blank`: from a file or the environment
//! (`CCCD_TRANSPORT_KEY`), like the HSM PIN; on the command line it still works, with a warning, since every
//! user of the machine sees it in `ps` and it stays in the shell's history.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CliError;

/// The environment variable holding the transport key (32 hex digits).
pub const ENV: &str = "CCCD_TRANSPORT_KEY";

/// Where the transport key comes from: `--transport-key-file`, `--transport-key` or `CCCD_TRANSPORT_KEY`.
#[derive(Debug, Default, clap::Args)]
pub struct TransportKeyArgs {
    /// A file holding the chip's AES transport key (32 hex digits; keep it owner-readable only). Without this
    /// option and `--transport-key`, the key is read from the environment variable `CCCD_TRANSPORT_KEY`.
    #[arg(long, conflicts_with = "transport_key")]
    transport_key_file: Option<PathBuf>,
    /// The key itself (32 hex digits): visible to other users in `ps` and kept in the shell's history; prefer
    /// `--transport-key-file` or `CCCD_TRANSPORT_KEY`.
    #[arg(long)]
    transport_key: Option<String>,
}

fn parse(context: &str, hex_key: &str) -> Result<Zeroizing<[u8; 16]>, CliError> {
    let bad = || CliError::Input { context: context.into(), message: "not 32 hex digits".into() };
    let bytes = Zeroizing::new(hex::decode(hex_key.trim()).map_err(|_| bad())?);
    <[u8; 16]>::try_from(bytes.as_slice()).map(Zeroizing::new).map_err(|_| bad())
}

impl TransportKeyArgs {
    /// The key: from the file, the command line (warning on standard error) or the environment, in that order.
    pub fn key(&self) -> Result<Zeroizing<[u8; 16]>, CliError> {
        if let Some(path) = &self.transport_key_file {
            let text = Zeroizing::new(
                std::fs::read_to_string(path)
                    .map_err(|source| CliError::Io { path: path.display().to_string(), source })?,
            );
            #[cfg(unix)]
            if let Ok(meta) = std::fs::metadata(path) {
                use std::os::unix::fs::PermissionsExt;
                if meta.permissions().mode() & 0o077 != 0 {
                    eprintln!("cccd: warning: {} is readable by other users (chmod 600 it)", path.display());
                }
            }
            return parse(&format!("--transport-key-file {}", path.display()), &text);
        }
        if let Some(key) = &self.transport_key {
            eprintln!(
                "cccd: warning: --transport-key is visible to other users (ps) and stays in the shell's history; \
                 use --transport-key-file FILE or {ENV}"
            );
            return parse("--transport-key", key);
        }
        match std::env::var(ENV) {
            Ok(key) => parse(ENV, &Zeroizing::new(key)),
            Err(_) => Err(CliError::Input {
                context: "transport key".into(),
                message: format!("give --transport-key-file FILE or set {ENV} (32 hex digits)"),
            }),
        }
    }
}
