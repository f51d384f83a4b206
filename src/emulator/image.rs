//! A chip image: the files of an eMRTD and the chip's secrets, as a folder on disk.
//!
//! ```text
//! CHIPDIR/
//!   EF.COM.bin  EF.SOD.bin  EF.CardAccess.bin  DG1.bin  DG2.bin …   one file per EF, named after LdsFile::name
//!   secrets/mrz_information                                          the BAC key material (never printed)
//!   secrets/can                                                      the PACE CAN, when set
//!   manifest.json                                                    the files with their sizes and SHA-256
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use zeroize::Zeroizing;

use crate::crypto::hash::HashAlgorithm;
use crate::lds::LdsFile;

/// Why a chip image could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The folder holds no LDS file.
    #[error("{0}: no LDS file (EF.COM.bin, DG1.bin, …) in this folder")]
    Empty(String),
    /// A secret file is not valid text.
    #[error("{0}: not valid text")]
    BadSecret(String),
}

/// The chip's secrets: access-control passwords and, later, private keys. `Debug` prints nothing of them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChipSecrets {
    /// The MRZ information (document number, birth and expiry dates with check digits) for BAC.
    pub mrz_information: Option<Zeroizing<String>>,
    /// The card access number for PACE.
    pub can: Option<Zeroizing<String>>,
}

impl core::fmt::Debug for ChipSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipSecrets")
            .field("mrz_information", &self.mrz_information.as_ref().map(|_| "REDACTED"))
            .field("can", &self.can.as_ref().map(|_| "REDACTED"))
            .finish()
    }
}

/// The files and secrets of a chip.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChipImage {
    /// The files, by LDS file.
    pub files: BTreeMap<LdsFile, Vec<u8>>,
    /// The secrets.
    pub secrets: ChipSecrets,
}

impl core::fmt::Debug for ChipImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let sizes: Vec<(String, usize)> = self.files.iter().map(|(k, v)| (k.name(), v.len())).collect();
        f.debug_struct("ChipImage").field("files", &sizes).field("secrets", &self.secrets).finish()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImageError + '_ {
    move |source| ImageError::Io { path: path.display().to_string(), source }
}

fn read_secret(path: &Path) -> Result<Option<Zeroizing<String>>, ImageError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            let text = core::str::from_utf8(&bytes).map_err(|_| ImageError::BadSecret(path.display().to_string()))?;
            Ok(Some(Zeroizing::new(text.trim().to_string())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

impl ChipImage {
    /// Loads a chip image folder.
    pub fn load_dir(dir: &Path) -> Result<Self, ImageError> {
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".bin") else { continue };
            let Some(file) = LdsFile::from_name(stem) else { continue };
            let path = entry.path();
            files.insert(file, std::fs::read(&path).map_err(io(&path))?);
        }
        if files.is_empty() {
            return Err(ImageError::Empty(dir.display().to_string()));
        }
        let secrets = ChipSecrets {
            mrz_information: read_secret(&dir.join("secrets/mrz_information"))?,
            can: read_secret(&dir.join("secrets/can"))?,
        };
        Ok(ChipImage { files, secrets })
    }

    /// Writes the image to a folder (created if needed): one file per EF, the secrets (owner-readable only on
    /// Unix) and a manifest.
    pub fn save_dir(&self, dir: &Path) -> Result<(), ImageError> {
        std::fs::create_dir_all(dir.join("secrets")).map_err(io(dir))?;
        let mut manifest = String::from("{\n  \"files\": [\n");
        let count = self.files.len();
        for (i, (file, bytes)) in self.files.iter().enumerate() {
            let path = dir.join(format!("{}.bin", file.name()));
            std::fs::write(&path, bytes).map_err(io(&path))?;
            let sha = hex::encode(HashAlgorithm::Sha256.digest(bytes));
            let comma = if i + 1 < count { "," } else { "" };
            manifest.push_str(&format!(
                "    {{ \"file\": \"{}\", \"fid\": \"{:04X}\", \"size\": {}, \"sha256\": \"{sha}\" }}{comma}\n",
                file.name(),
                file.fid(),
                bytes.len()
            ));
        }
        manifest.push_str("  ]\n}\n");
        let path = dir.join("manifest.json");
        std::fs::write(&path, manifest).map_err(io(&path))?;
        for (name, value) in [("mrz_information", &self.secrets.mrz_information), ("can", &self.secrets.can)] {
            let path = dir.join("secrets").join(name);
            if let Some(v) = value {
                write_private(&path, v.as_bytes())?;
            }
        }
        Ok(())
    }
}

/// Writes a file readable by its owner only (on Unix).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ImageError> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(io(path))?;
        f.write_all(bytes).map_err(io(path))
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes).map_err(io(path))
    }
}
