//! Where an EAC PKI folder keeps its key: `NAME.key` (PKCS#8 PEM, mode 0600) in the folder, or a key in a
//! PKCS#11 token named by `NAME.hsm` (`{"module", "token", "key"}`: the module's path, the token's label and the
//! key's label; the user PIN from `CCCD_HSM_PIN`, never in a file). `cccd pki cvca|dv|is --hsm-*` make the
//! folder's new key in the token; the folders signed next (`pki dv`, `pki is`, a CVCA link) and the terminal
//! (`read --terminal`, `perso --terminal`) find it the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cccd::crypto::ec::NamedCurve;
use cccd::pki::{Signer, SoftwareKey};

use super::CliError;
use super::issue::HsmArgs;

fn input(context: impl std::fmt::Display, message: impl std::fmt::Display) -> CliError {
    CliError::Input { context: context.to_string(), message: message.to_string() }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io { path: path.display().to_string(), source }
}

/// A folder's key and its curve (EAC keys here are ECDSA).
pub struct CvKey {
    /// The key (software, or a handle on the key in the token).
    pub signer: Arc<dyn Signer>,
    /// Its curve: the subordinate keys are made on it.
    pub curve: NamedCurve,
    /// The file naming it in the folder (`NAME.key` or `NAME.hsm`).
    pub file: String,
}

/// A key in a token, as `NAME.hsm` records it.
#[derive(serde::Serialize, serde::Deserialize)]
struct HsmReference {
    module: PathBuf,
    token: String,
    key: String,
}

fn key_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.key"))
}

fn hsm_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.hsm"))
}

/// The key of the folder `dir` for `name` (`cvca`, `dv`, `is`): `NAME.key`, else the token key `NAME.hsm`
/// names.
pub fn load(dir: &Path, name: &str) -> Result<CvKey, CliError> {
    let pem_path = key_file(dir, name);
    let hsm_path = hsm_file(dir, name);
    if !pem_path.exists() && hsm_path.exists() {
        let text = std::fs::read_to_string(&hsm_path).map_err(io(&hsm_path))?;
        let r: HsmReference = serde_json::from_str(&text).map_err(|e| input(hsm_path.display(), e))?;
        return open_in_token(&r, &hsm_path, format!("{name}.hsm"));
    }
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(&pem_path).map_err(io(&pem_path))?);
    let key = SoftwareKey::from_pem(&text).map_err(|e| input(pem_path.display(), e))?;
    let curve = key.curve();
    Ok(CvKey { signer: Arc::new(key), curve, file: format!("{name}.key") })
}

fn pin() -> Result<zeroize::Zeroizing<String>, CliError> {
    std::env::var("CCCD_HSM_PIN")
        .map(zeroize::Zeroizing::new)
        .map_err(|_| input("--hsm-module", "set the token's user PIN in CCCD_HSM_PIN"))
}

#[cfg(feature = "pkcs11")]
fn open_in_token(r: &HsmReference, context: &Path, file: String) -> Result<CvKey, CliError> {
    let key = cccd::pki::pkcs11::Pkcs11Key::open(&r.module, &r.token, &pin()?, &r.key)
        .map_err(|e| input(context.display(), e))?;
    let curve = key.curve().ok_or_else(|| input(context.display(), "an RSA key: EAC keys here are ECDSA"))?;
    Ok(CvKey { signer: Arc::new(key), curve, file })
}

#[cfg(not(feature = "pkcs11"))]
fn open_in_token(_: &HsmReference, context: &Path, _: String) -> Result<CvKey, CliError> {
    pin()?;
    Err(input(context.display(), "a key in a PKCS#11 token, and this cccd was built without the pkcs11 feature"))
}

/// A new key, not yet recorded in its folder ([`NewKey::save`] does, once the certificate is made: a failure
/// before leaves the folder as it was).
pub struct NewKey {
    /// The key.
    pub key: CvKey,
    /// What `save` writes: the PEM of a software key, or the reference of a token key.
    record: zeroize::Zeroizing<String>,
    in_token: bool,
}

/// A new key on `curve` for the folder of `name` (`cvca`, `dv`, `is`): in the token `hsm` names (its label must
/// be new there), else in software.
pub fn generate(name: &str, curve: NamedCurve, hsm: &HsmArgs) -> Result<NewKey, CliError> {
    Ok(match hsm.reference() {
        Some((module, token, label)) => {
            let r = HsmReference { module: module.to_path_buf(), token: token.to_string(), key: label.to_string() };
            let signer = generate_in_token(&r, curve)?;
            let record = serde_json::to_string_pretty(&r).map_err(|e| input("--hsm-key", e))? + "\n";
            let key = CvKey { signer, curve, file: format!("{name}.hsm") };
            NewKey { key, record: zeroize::Zeroizing::new(record), in_token: true }
        }
        None => {
            let soft = SoftwareKey::generate(curve);
            let record = soft.to_pkcs8_pem().map_err(|e| input(format!("{name}.key"), e))?;
            let key = CvKey { signer: Arc::new(soft), curve, file: format!("{name}.key") };
            NewKey { key, record, in_token: false }
        }
    })
}

impl NewKey {
    /// Records the key in `dir` as `NAME.hsm` or `NAME.key` (mode 0600), removing the other kind's file an
    /// earlier key left.
    pub fn save(&self, dir: &Path, name: &str) -> Result<(), CliError> {
        let (pem_path, hsm_path) = (key_file(dir, name), hsm_file(dir, name));
        if self.in_token {
            super::write_file(&hsm_path, self.record.as_bytes())?;
            let _ = std::fs::remove_file(&pem_path);
        } else {
            super::issue::write_private(&pem_path, self.record.as_bytes())?;
            let _ = std::fs::remove_file(&hsm_path);
        }
        Ok(())
    }
}

#[cfg(feature = "pkcs11")]
fn generate_in_token(r: &HsmReference, curve: NamedCurve) -> Result<Arc<dyn Signer>, CliError> {
    use cccd::pki::pkcs11::Pkcs11Key;
    let pin = pin()?;
    if Pkcs11Key::open(&r.module, &r.token, &pin, &r.key).is_ok() {
        return Err(input("--hsm-key", format!("the token already holds a key labelled {:?}", r.key)));
    }
    let key = Pkcs11Key::generate(&r.module, &r.token, &pin, &r.key, curve).map_err(|e| input("HSM", e))?;
    Ok(Arc::new(key))
}

#[cfg(not(feature = "pkcs11"))]
fn generate_in_token(_: &HsmReference, _: NamedCurve) -> Result<Arc<dyn Signer>, CliError> {
    Err(input("--hsm-module", "this cccd was built without the pkcs11 feature"))
}
