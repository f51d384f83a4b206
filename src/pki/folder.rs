//! The PKI folder `cccd pki init` writes, as issuance reads it: the Document Signer (`ds.pem` and its key,
//! `ds.key`, or a key held elsewhere, e.g. in an HSM) and the CSCA certificate (`csca.pem`) when there.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use der::Decode;
use x509_cert::Certificate;

use super::{DocumentSigner, PkiError, RsaSoftwareKey, Signer, SoftwareKey, pem_decode};

/// A PKI folder that could not be loaded; the message names the file, never a key's content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiFolderError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A file is not what it should be (PEM, certificate, the key of the certificate).
    #[error("{}: {source}", path.display())]
    Invalid {
        /// The file (or the folder, when the key does not match the certificate).
        path: PathBuf,
        /// What is wrong.
        source: PkiError,
    },
    /// `ds.key` is neither an EC nor an RSA private key.
    #[error("{}: neither an EC key ({ec}) nor an RSA key ({rsa})", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why it is not an EC key.
        ec: PkiError,
        /// Why it is not an RSA key.
        rsa: PkiError,
    },
}

fn read_text(path: &Path) -> Result<String, PkiFolderError> {
    std::fs::read_to_string(path).map_err(|source| PkiFolderError::Io { path: path.to_path_buf(), source })
}

/// The Document Signer of the folder `dir`: `ds.pem` with `key`, or with the key in `ds.key` (EC or RSA,
/// PEM; its text zeroized after use) when `key` is `None`. Fails when the key is not the certificate's.
pub fn load_document_signer(dir: &Path, key: Option<Arc<dyn Signer>>) -> Result<DocumentSigner, PkiFolderError> {
    let cert_path = dir.join("ds.pem");
    let cert = read_text(&cert_path)?;
    let (_, der) = pem_decode(&cert).map_err(|source| PkiFolderError::Invalid { path: cert_path, source })?;
    let key: Arc<dyn Signer> = match key {
        Some(key) => key,
        None => {
            let path = dir.join("ds.key");
            let pem = zeroize::Zeroizing::new(read_text(&path)?);
            match SoftwareKey::from_pem(&pem) {
                Ok(key) => Arc::new(key) as Arc<dyn Signer>,
                Err(ec) => match RsaSoftwareKey::from_pem_with_scheme(&pem) {
                    Ok(key) => Arc::new(key),
                    Err(rsa) => return Err(PkiFolderError::Key { path, ec, rsa }),
                },
            }
        }
    };
    DocumentSigner::new(der.to_vec(), key).map_err(|source| PkiFolderError::Invalid { path: dir.to_path_buf(), source })
}

/// The folder's CSCA certificate (`csca.pem`), `None` when there is no such file.
pub fn load_csca(dir: &Path) -> Result<Option<Certificate>, PkiFolderError> {
    let path = dir.join("csca.pem");
    let Ok(pem) = std::fs::read_to_string(&path) else { return Ok(None) };
    let (_, der) = pem_decode(&pem).map_err(|source| PkiFolderError::Invalid { path: path.clone(), source })?;
    Certificate::from_der(&der).map(Some).map_err(|e| PkiFolderError::Invalid { path, source: PkiError::from(e) })
}
