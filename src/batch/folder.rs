//! A chip folder is published only complete and verified: written under a unique temporary name beside its
//! place, read back, checked ([`check_chip_folder`]), then renamed into place in one step.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::citizen::CitizenRecord;
use crate::crypto::public_key::PublicKey;
use crate::image::{ChipImage, ImageError};
use crate::lds::LdsFile;
use crate::lds::dg1::Dg1;
use crate::lds::dg13::Dg13;
use crate::lds::dg15::Dg15;
use crate::lds::security_infos::Dg14;
use crate::pa::{Check, HashCheck};
use crate::pki::DocumentSigner;

/// What is wrong with a chip folder (nothing of the holder's data is quoted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FolderError {
    /// The folder could not be read or written.
    #[error("{0}")]
    Image(#[from] ImageError),
    /// A file could not be written, renamed or removed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder (never a temporary name: the folder's own name).
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A file the chip needs is not there.
    #[error("{0} is missing")]
    Missing(String),
    /// A file does not decode.
    #[error("{file} does not decode: {reason}")]
    Undecodable {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// A data group's hash is not the one EF.SOD signed, or EF.SOD lists a file that is absent, or a data
    /// group is there that EF.SOD does not list.
    #[error("{file}: {state:?} in EF.SOD")]
    DataGroup {
        /// The file.
        file: String,
        /// What Passive Authentication found.
        state: HashCheck,
    },
    /// EF.COM lists other data groups than EF.SOD.
    #[error("EF.COM lists other data groups than EF.SOD")]
    ComDisagrees,
    /// The signature (or messageDigest) of EF.SOD does not verify.
    #[error("EF.SOD signature: {0}")]
    Signature(String),
    /// EF.SOD is signed by another Document Signer than this batch's, and not one under the CSCA given.
    #[error("EF.SOD is signed by another Document Signer")]
    OtherSigner,
    /// A secret the chip needs is missing (`can`, `mrz_information`, a Chip or Active Authentication key).
    #[error("secret {0} is missing")]
    SecretMissing(&'static str),
    /// A private key is not the one whose public key the file carries (DG14 or DG15).
    #[error("the private key does not match {0}")]
    KeyMismatch(&'static str),
    /// The CAN or the BAC MRZ information is not the one DG1 and DG13 give.
    #[error("secret {0} does not match DG1/DG13")]
    SecretMismatch(&'static str),
    /// The folder holds another holder's chip (DG13's ID number is not the folder's).
    #[error("holds another ID number than its name")]
    WrongHolder,
    /// What was read back differs from what was written.
    #[error("what was read back differs from what was written")]
    ReadBackDiffers,
    /// The folder exists already.
    #[error("already exists")]
    Exists,
    /// What was written could not be read back (the message names the folder's place, not the temporary one).
    #[error("read back: {0}")]
    ReadBack(String),
}

/// Whom a chip folder's EF.SOD may be signed by: this Document Signer, or any under `csca` (folders issued
/// before a `cccd pki new-ds`).
#[derive(Debug, Clone, Copy)]
pub struct FolderTrust<'a> {
    /// The Document Signer of the batch.
    pub ds: &'a DocumentSigner,
    /// Its CSCA, when known.
    pub csca: Option<&'a x509_cert::Certificate>,
}

fn secret<T>(value: Option<T>, name: &'static str) -> Result<T, FolderError> {
    value.ok_or(FolderError::SecretMissing(name))
}

fn file(image: &ChipImage, f: LdsFile) -> Result<&[u8], FolderError> {
    image.files.get(&f).map(Vec::as_slice).ok_or_else(|| FolderError::Missing(f.name()))
}

fn undecodable(f: LdsFile) -> impl FnOnce(crate::lds::LdsError) -> FolderError {
    move |e| FolderError::Undecodable { file: f.name(), reason: e.to_string() }
}

/// Checks a chip image as issued: EF.COM, EF.SOD, EF.CardAccess, DG1, DG2, DG13, DG14, DG15 present; every data
/// group's hash signed by EF.SOD and every signed one present; EF.COM lists the same data groups; the SOD's
/// signature verifies with its certificate, which is `trust.ds` (or chains to `trust.csca`); the secrets are
/// there and match (the Chip and Active Authentication private keys are those of DG14 and DG15, the CAN and the
/// MRZ information are DG1's); and, with `id_number`, the chip is that holder's. Returns the holder's record
/// (`None` for a chip without DG13, whose holder is then not checked).
pub fn check_chip_image(
    image: &ChipImage,
    id_number: Option<&str>,
    trust: &FolderTrust<'_>,
) -> Result<Option<CitizenRecord>, FolderError> {
    let dg = |n: u8| LdsFile::dg(n).unwrap_or(LdsFile::Com);
    for f in [LdsFile::Com, LdsFile::Sod, dg(1), dg(2), dg(15)] {
        file(image, f)?;
    }
    // a chip with Chip Authentication (the CCCD's) has DG14, EF.CardAccess and DG13; a BAC-only one (the JMRTD
    // applet's) may have none of them
    if image.secrets.chip_authentication.is_some() {
        for f in [LdsFile::CardAccess, dg(13), dg(14)] {
            file(image, f)?;
        }
    }
    let sod = file(image, LdsFile::Sod)?;
    let cscas: Vec<x509_cert::Certificate> = trust.csca.into_iter().cloned().collect();
    let report = crate::pa::verify_with_trust(sod, &image.files, None, &cscas).map_err(undecodable(LdsFile::Sod))?;
    for (name, state) in &report.data_groups {
        if *state != HashCheck::Match {
            return Err(FolderError::DataGroup { file: name.to_string(), state: *state });
        }
    }
    for check in [&report.message_digest, &report.signature] {
        if let Check::Failed(why) | Check::NotChecked(why) = check {
            return Err(FolderError::Signature(why.to_string()));
        }
    }
    let decoded = crate::lds::sod::Sod::decode(sod).map_err(undecodable(LdsFile::Sod))?;
    let ours = decoded.certificates.first() == Some(&trust.ds.certificate);
    if !ours && !report.csca_chain.passed() {
        return Err(FolderError::OtherSigner);
    }
    let com = crate::lds::com::Com::decode(file(image, LdsFile::Com)?).map_err(undecodable(LdsFile::Com))?;
    let mut listed = com.data_groups();
    listed.sort();
    let signed: Vec<LdsFile> = image.files.keys().copied().filter(|f| f.dg_number().is_some()).collect();
    if listed != signed {
        return Err(FolderError::ComDisagrees);
    }
    // the secrets belong to these files
    let s = &image.secrets;
    let dg15 = Dg15::decode(file(image, dg(15))?).map_err(undecodable(dg(15)))?;
    let aa: PublicKey = s
        .active_authentication
        .as_ref()
        .ok_or(FolderError::SecretMissing("active_authentication"))?
        .public_key()
        .map_err(|_| FolderError::KeyMismatch("DG15"))?;
    if aa != dg15.public_key {
        return Err(FolderError::KeyMismatch("DG15"));
    }
    match (&s.chip_authentication, image.files.get(&dg(14))) {
        (Some(key), Some(bytes)) => {
            let dg14 = Dg14::decode(bytes).map_err(undecodable(dg(14)))?;
            let ca: PublicKey = key.key.public_key().map_err(|_| FolderError::KeyMismatch("DG14"))?;
            if !dg14.infos.chip_authentication_public_keys().any(|i| i.public_key == ca) {
                return Err(FolderError::KeyMismatch("DG14"));
            }
        }
        (None, Some(_)) => return Err(FolderError::SecretMissing("chip_authentication")),
        (_, None) => {}
    }
    let dg1 = Dg1::decode(file(image, dg(1))?).map_err(undecodable(dg(1)))?;
    let Some(dg13) = image.files.get(&dg(13)) else {
        // no DG13 (a passport applet): the MRZ information is DG1's; the holder is not named
        let mrz = dg1.mrz().mrz_information().map_err(|_| FolderError::SecretMismatch("mrz_information"))?;
        let same = |a: &str, b: &str| crate::crypto::sym::mac_eq(a.as_bytes(), b.as_bytes());
        if !same(&mrz, secret(s.mrz_information.as_ref(), "mrz_information")?) {
            return Err(FolderError::SecretMismatch("mrz_information"));
        }
        return Ok(None);
    };
    let dg13 = Dg13::decode(dg13).map_err(undecodable(dg(13)))?;
    let record = CitizenRecord::from_dg1_dg13(&dg1, &dg13)
        .map_err(|e| FolderError::Undecodable { file: "DG13".into(), reason: e.to_string() })?;
    let same = |a: &str, b: &str| crate::crypto::sym::mac_eq(a.as_bytes(), b.as_bytes());
    // the CAN is needed where PACE is offered (EF.CardAccess); a BAC-only chip may have none
    match (&s.can, image.files.contains_key(&LdsFile::CardAccess)) {
        (Some(given), _) => {
            let can = record.can().map_err(|_| FolderError::SecretMismatch("can"))?;
            if !same(&can, given) {
                return Err(FolderError::SecretMismatch("can"));
            }
        }
        (None, true) => return Err(FolderError::SecretMissing("can")),
        (None, false) => {}
    }
    let mrz = record.mrz_information().map_err(|_| FolderError::SecretMismatch("mrz_information"))?;
    if !same(&mrz, secret(s.mrz_information.as_ref(), "mrz_information")?) {
        return Err(FolderError::SecretMismatch("mrz_information"));
    }
    if id_number.is_some_and(|id| id != record.id_number) {
        return Err(FolderError::WrongHolder);
    }
    Ok(Some(record))
}

/// Loads and checks a chip folder ([`check_chip_image`]); its `manifest.json` must be there too.
pub fn check_chip_folder(
    dir: &Path,
    id_number: Option<&str>,
    trust: &FolderTrust<'_>,
) -> Result<(ChipImage, Option<CitizenRecord>), FolderError> {
    let image = ChipImage::load_dir(dir)?;
    if !dir.join("manifest.json").is_file() {
        return Err(FolderError::Missing("manifest.json".into()));
    }
    let record = check_chip_image(&image, id_number, trust)?;
    Ok((image, record))
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A name beside `out` no other writer uses: the process, a counter and the clock.
fn unique_beside(out: &Path, what: &str) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    out.with_file_name(format!(".{name}.{what}-{}-{n}-{nanos}", std::process::id()))
}

/// Writes `image` to `out` so that `out` appears complete and verified or not at all: into a fresh temporary
/// folder beside it, read back and compared, checked with [`check_chip_folder`], then renamed to `out`. With
/// `replace`, an existing `out` (a broken folder) is moved aside and removed once the new one is in place;
/// without, an existing `out` is an error. Errors name `out`, never the temporary folder.
pub fn publish(image: &ChipImage, out: &Path, trust: &FolderTrust<'_>, replace: bool) -> Result<(), FolderError> {
    let named = |source: std::io::Error| FolderError::Io { path: out.display().to_string(), source };
    if out.exists() && !replace {
        return Err(FolderError::Exists);
    }
    let tmp = unique_beside(out, "partial");
    std::fs::create_dir(&tmp).map_err(named)?;
    let hide = |e: FolderError| match e {
        FolderError::Image(ImageError::Io { source, .. }) => named(source),
        FolderError::Image(e) => {
            FolderError::ReadBack(e.to_string().replace(&tmp.display().to_string(), &out.display().to_string()))
        }
        other => other,
    };
    let result = (|| {
        image.save_dir(&tmp)?;
        let (back, _) = check_chip_folder(&tmp, None, trust)?;
        if back != *image {
            return Err(FolderError::ReadBackDiffers);
        }
        if out.exists() {
            let old = unique_beside(out, "replaced");
            std::fs::rename(out, &old).map_err(named)?;
            std::fs::rename(&tmp, out).map_err(named)?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&tmp, out).map_err(named)?;
        }
        Ok(())
    })()
    .map_err(hide);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
