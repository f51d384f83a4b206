//! A chip image: the files of an eMRTD and the chip's secrets, as a folder on disk.
//!
//! ```text
//! CHIPDIR/
//!   EF.COM.bin  EF.SOD.bin  EF.CardAccess.bin  DG1.bin  DG2.bin …   one file per EF, named after LdsFile::name
//!   secrets/mrz_information                                          the BAC key material (never printed)
//!   secrets/can                                                      the PACE CAN, when set
//!   secrets/chip_authentication.pk8                                  the Chip Authentication private key (PKCS#8)
//!   secrets/chip_authentication.key_id                               its key id (decimal), when DG14 names one
//!   secrets/active_authentication.pk8                                the Active Authentication private key (PKCS#8)
//!   secrets/chip_authentication_dh.pk8                               or a DH one (PKCS#8, dhpublicnumber)
//!   secrets/active_authentication_rsa.pk8                            or an RSA one (PKCS#8; ISO/IEC 9796-2 signing)
//!   manifest.json                                                    the files with their sizes and SHA-256
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use zeroize::Zeroizing;

use crate::crypto::hash::HashAlgorithm;
use crate::lds::LdsFile;
use crate::pki::SoftwareKey;

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
    /// A private key file is not a PKCS#8 key this crate can use.
    #[error("{path}: {source}")]
    BadKey {
        /// The file.
        path: String,
        /// Why.
        source: crate::pki::PkiError,
    },
}

/// The Chip Authentication key pair of a chip (its public half is in DG14).
#[derive(Clone, PartialEq, Eq)]
pub struct ChipAuthenticationKey {
    /// The key id of the matching `ChipAuthenticationPublicKeyInfo` in DG14, when the chip has several keys or
    /// names it.
    pub key_id: Option<u64>,
    /// The private key.
    pub key: SoftwareKey,
}

impl core::fmt::Debug for ChipAuthenticationKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipAuthenticationKey").field("key_id", &self.key_id).field("key", &self.key).finish()
    }
}

/// The chip's secrets: access-control passwords and, later, private keys. `Debug` prints nothing of them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ChipSecrets {
    /// The MRZ information (document number, birth and expiry dates with check digits) for BAC.
    pub mrz_information: Option<Zeroizing<String>>,
    /// The card access number for PACE.
    pub can: Option<Zeroizing<String>>,
    /// The Chip Authentication private key.
    pub chip_authentication: Option<ChipAuthenticationKey>,
    /// The Active Authentication private key (its public half is DG15).
    pub active_authentication: Option<SoftwareKey>,
    /// A DH Chip Authentication private key instead (DG14 then holds a `dhpublicnumber` key), used when
    /// `chip_authentication` is `None`.
    pub chip_authentication_dh: Option<DhChipAuthenticationKey>,
    /// An RSA Active Authentication private key instead (ISO/IEC 9796-2 scheme 1 with SHA-1), for chips that
    /// sign with RSA; used when `active_authentication` is `None`.
    pub active_authentication_rsa: Option<RsaActiveAuthenticationKey>,
}

/// A DH Chip Authentication private key and the key id DG14 names for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhChipAuthenticationKey {
    /// The key id, when DG14 names one.
    pub key_id: Option<u64>,
    /// The private key (its `Debug` is redacted).
    pub key: crate::crypto::dh::DhPrivateKey,
}

/// An RSA Active Authentication private key (zeroized on drop by the `rsa` crate). `Debug` prints its size only.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaActiveAuthenticationKey(pub rsa::RsaPrivateKey);

impl RsaActiveAuthenticationKey {
    /// The public key (DG15's).
    pub fn public_key(&self) -> crate::crypto::public_key::PublicKey {
        use rsa::traits::PublicKeyParts;
        crate::crypto::public_key::PublicKey::Rsa {
            modulus: self.0.n().as_ref().to_be_bytes_trimmed_vartime().to_vec(),
            exponent: self.0.e().to_be_bytes_trimmed_vartime().to_vec(),
        }
    }

    /// The key as PKCS#8 DER (`rsaEncryption`).
    pub fn to_pkcs8_der(&self) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        use rsa::pkcs8::EncodePrivateKey;
        self.0.to_pkcs8_der().ok().map(|d| zeroize::Zeroizing::new(d.as_bytes().to_vec()))
    }

    /// A key from PKCS#8 DER (`rsaEncryption`).
    pub fn from_pkcs8_der(der: &[u8]) -> Option<Self> {
        use rsa::pkcs8::DecodePrivateKey;
        rsa::RsaPrivateKey::from_pkcs8_der(der).ok().map(RsaActiveAuthenticationKey)
    }
}

impl core::fmt::Debug for RsaActiveAuthenticationKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use rsa::traits::PublicKeyParts;
        write!(f, "RsaActiveAuthenticationKey({} bits, REDACTED)", self.0.n().as_ref().bits())
    }
}

impl core::fmt::Debug for ChipSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipSecrets")
            .field("mrz_information", &self.mrz_information.as_ref().map(|_| "REDACTED"))
            .field("can", &self.can.as_ref().map(|_| "REDACTED"))
            .field("chip_authentication", &self.chip_authentication)
            .field("active_authentication", &self.active_authentication)
            .field("chip_authentication_dh", &self.chip_authentication_dh)
            .field("active_authentication_rsa", &self.active_authentication_rsa)
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

fn read_key(path: &Path) -> Result<Option<SoftwareKey>, ImageError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            SoftwareKey::from_pkcs8_der(&bytes)
                .map(Some)
                .map_err(|source| ImageError::BadKey { path: path.display().to_string(), source })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

fn read_dh_key(path: &Path) -> Result<Option<crate::crypto::dh::DhPrivateKey>, ImageError> {
    match std::fs::read(path) {
        Ok(der) => {
            let der = zeroize::Zeroizing::new(der);
            crate::crypto::dh::DhPrivateKey::from_pkcs8_der(&der)
                .map(Some)
                .map_err(|_| ImageError::BadSecret(path.display().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ImageError::Io { path: path.display().to_string(), source: e }),
    }
}

fn read_rsa_key(path: &Path) -> Result<Option<RsaActiveAuthenticationKey>, ImageError> {
    use rsa::pkcs8::DecodePrivateKey;
    match std::fs::read(path) {
        Ok(der) => {
            let der = zeroize::Zeroizing::new(der);
            rsa::RsaPrivateKey::from_pkcs8_der(&der)
                .map(|k| Some(RsaActiveAuthenticationKey(k)))
                .map_err(|_| ImageError::BadSecret(path.display().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ImageError::Io { path: path.display().to_string(), source: e }),
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
        let key_id = match read_secret(&dir.join("secrets/chip_authentication.key_id"))? {
            Some(t) => {
                Some(t.parse::<u64>().map_err(|_| ImageError::BadSecret("secrets/chip_authentication.key_id".into()))?)
            }
            None => None,
        };
        let secrets = ChipSecrets {
            mrz_information: read_secret(&dir.join("secrets/mrz_information"))?,
            can: read_secret(&dir.join("secrets/can"))?,
            chip_authentication: read_key(&dir.join("secrets/chip_authentication.pk8"))?
                .map(|key| ChipAuthenticationKey { key_id, key }),
            active_authentication: read_key(&dir.join("secrets/active_authentication.pk8"))?,
            chip_authentication_dh: read_dh_key(&dir.join("secrets/chip_authentication_dh.pk8"))?
                .map(|key| DhChipAuthenticationKey { key_id, key }),
            active_authentication_rsa: read_rsa_key(&dir.join("secrets/active_authentication_rsa.pk8"))?,
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
        let pk8 = |key: &SoftwareKey, path: &Path| {
            key.to_pkcs8_der().map_err(|source| ImageError::BadKey { path: path.display().to_string(), source })
        };
        if let Some(ca) = &self.secrets.chip_authentication {
            let path = dir.join("secrets/chip_authentication.pk8");
            write_private(&path, &pk8(&ca.key, &path)?)?;
            if let Some(id) = ca.key_id {
                write_private(&dir.join("secrets/chip_authentication.key_id"), id.to_string().as_bytes())?;
            }
        }
        if let Some(aa) = &self.secrets.active_authentication {
            let path = dir.join("secrets/active_authentication.pk8");
            write_private(&path, &pk8(aa, &path)?)?;
        }
        if let Some(ca) = &self.secrets.chip_authentication_dh {
            write_private(&dir.join("secrets/chip_authentication_dh.pk8"), &ca.key.to_pkcs8_der())?;
            if let Some(id) = ca.key_id {
                write_private(&dir.join("secrets/chip_authentication.key_id"), id.to_string().as_bytes())?;
            }
        }
        if let Some(aa) = &self.secrets.active_authentication_rsa {
            use rsa::pkcs8::EncodePrivateKey;
            let path = dir.join("secrets/active_authentication_rsa.pk8");
            let der =
                aa.0.to_pkcs8_der()
                    .map_err(|_| ImageError::BadSecret("secrets/active_authentication_rsa.pk8".into()))?;
            write_private(&path, der.as_bytes())?;
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
