//! Where an EAC PKI folder keeps its key: `NAME.key` (PKCS#8 PEM, mode 0600) in the folder, or a key in a
//! PKCS#11 token named by `NAME.hsm` (`{"module", "token", "key"}`: the module's path, the token's label and the
//! key's label; the user PIN from `CCCD_HSM_PIN`, never in a file). `cccd pki cvca|dv|is --hsm-*` make the
//! folder's new key in the token; the folders signed next (`pki dv`, `pki is`, a CVCA link) and the terminal
//! (`read --terminal`, `perso --terminal`) find it the same way. Keys are ECDSA on an eMRTD curve, or RSA
//! (`pki cvca --rsa BITS [--rsa-pss]`: id-TA-RSA-v1-5-SHA-256 or id-TA-RSA-PSS-SHA-256); the folders signed by
//! a key get new keys of the same kind.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::hash::HashAlgorithm;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::pki::{RsaSoftwareKey, Signer, SoftwareKey};

use super::CliError;
use super::issue::HsmArgs;

fn input(context: impl std::fmt::Display, message: impl std::fmt::Display) -> CliError {
    CliError::Input { context: context.to_string(), message: message.to_string() }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io { path: path.display().to_string(), source }
}

/// What kind of key: the subordinates of a key get a new key of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// ECDSA on this curve.
    Ec(NamedCurve),
    /// RSA of this many bits signing with RSASSA-PKCS1-v1_5 or RSASSA-PSS, SHA-256.
    Rsa {
        /// The modulus size.
        bits: usize,
        /// RSASSA-PSS (salt of the hash length) instead of PKCS#1 v1.5.
        pss: bool,
    },
}

impl KeySpec {
    fn rsa_algorithm(pss: bool) -> SignatureAlgorithm {
        let hash = HashAlgorithm::Sha256;
        if pss {
            SignatureAlgorithm::RsaPss { hash, salt_len: hash.output_len() }
        } else {
            SignatureAlgorithm::RsaPkcs1v15(hash)
        }
    }
}

/// A folder's key and its kind.
pub struct CvKey {
    /// The key (software, or a handle on the key in the token).
    pub signer: Arc<dyn Signer>,
    /// Its kind: the subordinate keys are made like it.
    pub spec: KeySpec,
    /// The file naming it in the folder (`NAME.key` or `NAME.hsm`).
    pub file: String,
}

/// A key in a token, as `NAME.hsm` records it.
#[derive(serde::Serialize, serde::Deserialize)]
struct HsmReference {
    module: PathBuf,
    token: String,
    key: String,
    /// For an RSA key: signs with RSASSA-PSS (a token does not record the scheme).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    rsa_pss: bool,
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
    let file = format!("{name}.key");
    match SoftwareKey::from_pem(&text) {
        Ok(key) => Ok(CvKey { spec: KeySpec::Ec(key.curve()), signer: Arc::new(key), file }),
        Err(ec) => {
            let key = RsaSoftwareKey::from_pem_with_scheme(&text)
                .map_err(|rsa| input(pem_path.display(), format!("neither an EC key ({ec}) nor an RSA key ({rsa})")))?;
            let pss = matches!(key.algorithm(), SignatureAlgorithm::RsaPss { .. });
            Ok(CvKey { spec: KeySpec::Rsa { bits: key.bits(), pss }, signer: Arc::new(key), file })
        }
    }
}

fn pin() -> Result<zeroize::Zeroizing<String>, CliError> {
    std::env::var("CCCD_HSM_PIN")
        .map(zeroize::Zeroizing::new)
        .map_err(|_| input("--hsm-module", "set the token's user PIN in CCCD_HSM_PIN"))
}

#[cfg(feature = "pkcs11")]
fn open_in_token(r: &HsmReference, context: &Path, file: String) -> Result<CvKey, CliError> {
    let fail = |e: cccd::pki::PkiError| input(context.display(), e);
    let key = cccd::pki::pkcs11::Pkcs11Key::open(&r.module, &r.token, &pin()?, &r.key).map_err(fail)?;
    if let Some(curve) = key.curve() {
        return Ok(CvKey { signer: Arc::new(key), spec: KeySpec::Ec(curve), file });
    }
    let key = key.with_rsa_algorithm(KeySpec::rsa_algorithm(r.rsa_pss)).map_err(fail)?;
    let bits = match key.public_key().map_err(fail)? {
        cccd::crypto::public_key::PublicKey::Rsa { modulus, .. } => modulus.len() * 8,
        _ => 0,
    };
    Ok(CvKey { signer: Arc::new(key), spec: KeySpec::Rsa { bits, pss: r.rsa_pss }, file })
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

/// A new key of `spec` for the folder of `name` (`cvca`, `dv`, `is`): in the token `hsm` names (its label must
/// be new there), else in software.
pub fn generate(name: &str, spec: KeySpec, hsm: &HsmArgs) -> Result<NewKey, CliError> {
    Ok(match hsm.reference() {
        Some((module, token, label)) => {
            let rsa_pss = matches!(spec, KeySpec::Rsa { pss: true, .. });
            let r = HsmReference {
                module: module.to_path_buf(),
                token: token.to_string(),
                key: label.to_string(),
                rsa_pss,
            };
            let signer = generate_in_token(&r, spec)?;
            let record = serde_json::to_string_pretty(&r).map_err(|e| input("--hsm-key", e))? + "\n";
            let key = CvKey { signer, spec, file: format!("{name}.hsm") };
            NewKey { key, record: zeroize::Zeroizing::new(record), in_token: true }
        }
        None => {
            let (signer, record): (Arc<dyn Signer>, _) = match spec {
                KeySpec::Ec(curve) => {
                    let soft = SoftwareKey::generate(curve);
                    let record = soft.to_pkcs8_pem().map_err(|e| input(format!("{name}.key"), e))?;
                    (Arc::new(soft), record)
                }
                KeySpec::Rsa { bits, pss } => {
                    let soft =
                        RsaSoftwareKey::generate(bits, KeySpec::rsa_algorithm(pss)).map_err(|e| input("--rsa", e))?;
                    let record = soft.to_pkcs8_pem().map_err(|e| input(format!("{name}.key"), e))?;
                    (Arc::new(soft), record)
                }
            };
            let key = CvKey { signer, spec, file: format!("{name}.key") };
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
fn generate_in_token(r: &HsmReference, spec: KeySpec) -> Result<Arc<dyn Signer>, CliError> {
    use cccd::pki::pkcs11::Pkcs11Key;
    let pin = pin()?;
    if Pkcs11Key::open(&r.module, &r.token, &pin, &r.key).is_ok() {
        return Err(input("--hsm-key", format!("the token already holds a key labelled {:?}", r.key)));
    }
    let key = match spec {
        KeySpec::Ec(curve) => Pkcs11Key::generate(&r.module, &r.token, &pin, &r.key, curve),
        KeySpec::Rsa { bits, pss } => {
            Pkcs11Key::generate_rsa(&r.module, &r.token, &pin, &r.key, bits as u64, KeySpec::rsa_algorithm(pss))
        }
    };
    Ok(Arc::new(key.map_err(|e| input("HSM", e))?))
}

#[cfg(not(feature = "pkcs11"))]
fn generate_in_token(_: &HsmReference, _: KeySpec) -> Result<Arc<dyn Signer>, CliError> {
    Err(input("--hsm-module", "this cccd was built without the pkcs11 feature"))
}
