//! Chip image folders: load and save (the layout is in the module docs).

use std::collections::BTreeMap;
use std::path::Path;

use zeroize::Zeroizing;

use super::{
    ActiveAuthenticationKey, ChipAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage, ChipSecrets, ImageError,
};
use crate::crypto::hash::HashAlgorithm;
use crate::lds::LdsFile;

/// The Chip Authentication key file (EC or DH).
const CA_KEY: &str = "secrets/chip_authentication.pk8";
/// The Chip Authentication key file of older folders (DH only).
const CA_KEY_DH_OLD: &str = "secrets/chip_authentication_dh.pk8";
/// The Chip Authentication key id.
const CA_KEY_ID: &str = "secrets/chip_authentication.key_id";
/// The Active Authentication key file (EC or RSA).
const AA_KEY: &str = "secrets/active_authentication.pk8";
/// The Active Authentication key file of older folders (RSA only).
const AA_KEY_RSA_OLD: &str = "secrets/active_authentication_rsa.pk8";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImageError + '_ {
    move |source| ImageError::Io { path: path.display().to_string(), source }
}

/// A file's bytes (zeroized when dropped), `None` when it does not exist.
fn read_private(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, ImageError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

fn read_secret(path: &Path) -> Result<Option<Zeroizing<String>>, ImageError> {
    let Some(bytes) = read_private(path)? else { return Ok(None) };
    let text = core::str::from_utf8(&bytes).map_err(|_| ImageError::BadSecret(path.display().to_string()))?;
    Ok(Some(Zeroizing::new(text.trim().to_string())))
}

/// The key of one role: from the current file name or the old one (never both), parsed by `parse`.
fn read_key<K>(
    dir: &Path,
    current: &str,
    old: &str,
    expected: &'static str,
    parse: impl Fn(&[u8]) -> Option<K>,
) -> Result<Option<K>, ImageError> {
    let (new_path, old_path) = (dir.join(current), dir.join(old));
    let (path, der) = match (read_private(&new_path)?, read_private(&old_path)?) {
        (Some(_), Some(_)) => {
            return Err(ImageError::TwoKeys {
                first: new_path.display().to_string(),
                second: old_path.display().to_string(),
            });
        }
        (Some(der), None) => (new_path, der),
        (None, Some(der)) => (old_path, der),
        (None, None) => return Ok(None),
    };
    parse(&der).map(Some).ok_or_else(|| ImageError::BadKey { path: path.display().to_string(), expected })
}

impl ChipImage {
    /// Loads a chip image folder (the layout of this module's docs, or the older one with separate DH and
    /// RSA key files).
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
        let key_id_path = dir.join(CA_KEY_ID);
        let key_id = match read_secret(&key_id_path)? {
            Some(t) => Some(t.parse::<u64>().map_err(|_| ImageError::BadSecret(key_id_path.display().to_string()))?),
            None => None,
        };
        let chip_authentication =
            read_key(dir, CA_KEY, CA_KEY_DH_OLD, "EC or DH", ChipAuthenticationPrivateKey::from_pkcs8_der)?
                .map(|key| ChipAuthenticationKey { key_id, key });
        let active_authentication =
            read_key(dir, AA_KEY, AA_KEY_RSA_OLD, "EC or RSA", ActiveAuthenticationKey::from_pkcs8_der)?;
        let secrets = ChipSecrets {
            mrz_information: read_secret(&dir.join("secrets/mrz_information"))?,
            can: read_secret(&dir.join("secrets/can"))?,
            chip_authentication,
            active_authentication,
        };
        Ok(ChipImage { files, secrets, eac: super::EacTrust::load(dir)? })
    }

    /// Writes the image to a folder (created if needed): one file per EF, the secrets (owner-readable only on
    /// Unix) and a manifest. Key files of an earlier image in the same folder that this one does not have
    /// (old-style names included) are removed, so the folder loads back as this image.
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
        for old in [CA_KEY, CA_KEY_DH_OLD, CA_KEY_ID, AA_KEY, AA_KEY_RSA_OLD] {
            remove_if_present(&dir.join(old))?;
        }
        let key_error = |path: &Path| {
            let path = path.display().to_string();
            move |source| ImageError::Key { path, source }
        };
        if let Some(ca) = &self.secrets.chip_authentication {
            let path = dir.join(CA_KEY);
            write_private(&path, &ca.key.to_pkcs8_der().map_err(key_error(&path))?)?;
            if let Some(id) = ca.key_id {
                write_private(&dir.join(CA_KEY_ID), id.to_string().as_bytes())?;
            }
        }
        if let Some(aa) = &self.secrets.active_authentication {
            let path = dir.join(AA_KEY);
            write_private(&path, &aa.to_pkcs8_der().map_err(key_error(&path))?)?;
        }
        match &self.eac {
            Some(eac) => eac.save(dir)?,
            None => super::EacTrust::remove(dir)?,
        }
        Ok(())
    }
}

fn remove_if_present(path: &Path) -> Result<(), ImageError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path)(e)),
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
