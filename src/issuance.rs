//! Issuance: a citizen record, a face image and the chip's keys become a complete chip image, signed by the
//! Document Signer.
//!
//! ```text
//! CitizenRecord ─┬─ DG1 (MRZ, TD1 CCCD layout)      ┐
//!                └─ DG13 (Vietnamese personal data)  │
//! FaceImage ─────── DG2 (CBEFF + ISO/IEC 19794-5)    ├─ SHA-256 ─ LDSSecurityObject ─ EF.SOD (CMS, DS key)
//! ChipKeys ──────┬─ DG14 (Chip Authentication info)  │
//!                └─ DG15 (Active Authentication key) ┘
//!                   EF.COM, EF.CardAccess (PACE-GM-ECDH-AES128, brainpoolP256r1 as the CCCD)
//!                   EF.CardSecurity (EF.CardAccess's and DG14's SecurityInfos, CMS, DS key) when
//!                   EF.CardAccess offers PACE-CAM
//! ```
//!
//! For the JMRTD passport applet ([`IssueOptions::jmrtd_applet`]) the image is BAC only: DG1, DG2, DG13, DG15
//! (RSA-1024), EF.COM and EF.SOD, no EF.CardAccess, no DG14, no CAN.
//!
//! The chip's own secrets (BAC MRZ information, CAN, the Chip and Active Authentication private keys) go to
//! [`ChipSecrets`], apart from the public files; they are zeroized when dropped.
//! Face preparation (cropping, JPEG under a byte budget) is [`crate::face::prepare`]; chip key generation is
//! [`ChipKeys::generate`]. Both are kept out of [`issue`] so a printing line can run them ahead, in parallel,
//! or on the chip itself.

use std::collections::BTreeMap;

use crate::citizen::CitizenRecord;
use crate::crypto::ec::NamedCurve;
use crate::crypto::hash::HashAlgorithm;
use crate::image::{
    ActiveAuthenticationKey, ChipAuthenticationKey, ChipAuthenticationPrivateKey, ChipImage, ChipSecrets,
};
use crate::lds::LdsFile;
use crate::lds::com::Com;
use crate::lds::dg1::Dg1;
use crate::lds::dg2::Dg2;
use crate::lds::dg2::facial::ImageDataType;
use crate::lds::dg13::Dg13;
use crate::lds::dg15::Dg15;
use crate::lds::security_infos::{
    ActiveAuthenticationInfo, CardAccess, Dg14, SecurityInfo, SecurityInfoKind, SecurityInfos,
};
use crate::pki::{CertificateDates, DocumentSigner, Signer, SoftwareKey};
use time::Date;

/// Why a chip image could not be issued. Names the field or step, never personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The record has validation errors (the caller's): the fields named, never their values.
    #[error("invalid citizen record: {}", fields.join(", "))]
    InvalidRecord {
        /// The record's fields with an error, in the validation's order.
        fields: Vec<&'static str>,
    },
    /// A data group could not be built.
    #[error("{file}: {message}")]
    DataGroup {
        /// The file.
        file: &'static str,
        /// Why.
        message: String,
    },
    /// The Document Signer could not sign.
    #[error("signing EF.SOD: {0}")]
    Signing(#[from] crate::pki::PkiError),
    /// The Document Signer may not sign yet on the day of issue (its certificate, or its private-key usage
    /// period, starts later).
    #[error("the Document Signer may not sign before {signing_from} (issuing on {at})")]
    DocumentSignerNotYetValid {
        /// The day of issue.
        at: Date,
        /// The first day it may sign.
        signing_from: Date,
    },
    /// The Document Signer may no longer sign on the day of issue: its certificate (or its private-key usage
    /// period) has ended. A card signed now would fail Passive Authentication from the start.
    #[error("the Document Signer expired on {signing_until} (issuing on {at}): make a new one (`cccd pki new-ds`)")]
    DocumentSignerExpired {
        /// The day of issue.
        at: Date,
        /// The last day it could sign.
        signing_until: Date,
    },
}

/// What does not stop issuance but is worth a look: the card would outlive a certificate that vouches for it,
/// so Passive Authentication reports it as signed by an expired certificate before the card itself expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueWarning {
    /// The card expires after the Document Signer certificate (or has no expiry).
    #[error("the card outlives the Document Signer certificate (valid until {ds_not_after})")]
    OutlivesDocumentSigner {
        /// The certificate's last day.
        ds_not_after: Date,
    },
    /// The card expires after the CSCA certificate (or has no expiry).
    #[error("the card outlives the CSCA certificate (valid until {csca_not_after})")]
    OutlivesCsca {
        /// The certificate's last day.
        csca_not_after: Date,
    },
}

impl IssueWarning {
    /// A stable snake_case code (`outlives_document_signer`, `outlives_csca`).
    pub fn code(&self) -> &'static str {
        match self {
            IssueWarning::OutlivesDocumentSigner { .. } => "outlives_document_signer",
            IssueWarning::OutlivesCsca { .. } => "outlives_csca",
        }
    }
}

/// Refuses a Document Signer that may not sign on `at` (today when `None`): its certificate's validity and,
/// when present, its private-key usage period.
pub fn check_document_signer(ds: &DocumentSigner, at: Option<Date>) -> Result<(), IssueError> {
    let at = at.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let dates = CertificateDates::of(&ds.certificate);
    if at < dates.signing_from() {
        return Err(IssueError::DocumentSignerNotYetValid { at, signing_from: dates.signing_from() });
    }
    if at > dates.signing_until() {
        return Err(IssueError::DocumentSignerExpired { at, signing_until: dates.signing_until() });
    }
    Ok(())
}

/// The warnings for a card of `record` signed by `ds` under `csca` (when known): a card that outlives them.
pub fn issue_warnings(
    record: &CitizenRecord,
    ds: &DocumentSigner,
    csca: Option<&x509_cert::Certificate>,
) -> Vec<IssueWarning> {
    let outlives = |not_after: Date| record.date_of_expiry.is_none_or(|doe| doe > not_after);
    let mut out = Vec::new();
    let ds_not_after = CertificateDates::of(&ds.certificate).not_after;
    if outlives(ds_not_after) {
        out.push(IssueWarning::OutlivesDocumentSigner { ds_not_after });
    }
    if let Some(csca) = csca {
        let csca_not_after = CertificateDates::of(csca).not_after;
        if outlives(csca_not_after) {
            out.push(IssueWarning::OutlivesCsca { csca_not_after });
        }
    }
    out
}

/// The face image put in DG2: already prepared (see [`crate::face::prepare`]).
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage {
    /// The encoded image (JPEG or JPEG 2000).
    pub data: Vec<u8>,
    /// Its type.
    pub image_type: ImageDataType,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
}

impl core::fmt::Debug for FaceImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaceImage")
            .field("bytes", &self.data.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl From<crate::face::PreparedFace> for FaceImage {
    fn from(p: crate::face::PreparedFace) -> Self {
        FaceImage { data: p.jpeg, image_type: ImageDataType::Jpeg, width: p.width, height: p.height }
    }
}

/// The chip's key pairs: Chip Authentication (DG14) and Active Authentication (DG15).
#[derive(Clone, Debug)]
pub struct ChipKeys {
    /// The Chip Authentication key (ECDH or DH).
    pub chip_authentication: ChipAuthenticationPrivateKey,
    /// Its key id in DG14 (`None`: a single key, no id).
    pub chip_authentication_key_id: Option<u64>,
    /// The Active Authentication key (ECDSA or RSA).
    pub active_authentication: ActiveAuthenticationKey,
}

impl ChipKeys {
    /// New random keys on `curve` (the CCCD uses brainpoolP256r1), Active Authentication with ECDSA.
    pub fn generate(curve: NamedCurve) -> Self {
        ChipKeys {
            chip_authentication: ChipAuthenticationPrivateKey::Ecdh(SoftwareKey::generate(curve)),
            chip_authentication_key_id: None,
            active_authentication: ActiveAuthenticationKey::Ecdsa(SoftwareKey::generate(curve)),
        }
    }
}

/// The kind of chip an image is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ChipProfile {
    /// A chip like the CCCD's: EF.CardAccess (PACE with the CAN), DG14 (Chip Authentication), DG15.
    #[default]
    Open,
    /// The JMRTD passport applet: BAC only (no EF.CardAccess, no CAN), RSA-1024 Active Authentication (DG15),
    /// no Chip Authentication (no DG14): the image [`crate::perso::JmrtdAppletProfile`] can write.
    JmrtdApplet,
}

/// What goes on the chip besides the record, face and keys.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// The hash of the data group hashes in EF.SOD (SHA-256 for the CCCD).
    pub dg_hash: HashAlgorithm,
    /// EF.CardAccess (the CCCD's PACE-GM-ECDH-AES128 on brainpoolP256r1 by default).
    pub card_access: CardAccess,
    /// The day of issue the Document Signer must be able to sign on (`None`: today).
    pub at: Option<Date>,
    /// DG3 (fingerprints), when the card carries them: listed in EF.COM and hashed in EF.SOD like any data
    /// group (the chip serves it only after Terminal Authentication).
    pub dg3: Option<crate::lds::dg3::Dg3>,
    /// The kind of chip (the CCCD's by default).
    pub chip: ChipProfile,
    /// The chip's EAC trust points and current date ([`ChipImage::eac`]): written at personalization, the chip
    /// then serves EF.CVCA and opens DG3/DG4 only after Terminal Authentication. Not for the JMRTD applet
    /// profile (it runs no Chip Authentication, so no Terminal Authentication).
    pub eac: Option<crate::image::EacTrust>,
}

impl Default for IssueOptions {
    fn default() -> Self {
        IssueOptions {
            dg_hash: HashAlgorithm::Sha256,
            card_access: CardAccess::cccd(),
            at: None,
            dg3: None,
            chip: ChipProfile::Open,
            eac: None,
        }
    }
}

impl IssueOptions {
    /// An image for the JMRTD passport applet ([`ChipProfile::JmrtdApplet`]); the keys' Active Authentication
    /// key must be RSA-1024 (their Chip Authentication key is not used).
    pub fn jmrtd_applet() -> Self {
        IssueOptions { chip: ChipProfile::JmrtdApplet, ..IssueOptions::default() }
    }
}

fn dg(n: u8) -> LdsFile {
    LdsFile::dg(n).unwrap_or(LdsFile::Com)
}

/// DG14 for the chip's keys: TerminalAuthenticationInfo, ChipAuthenticationInfo and its public key, and for an
/// ECDSA Active Authentication key an ActiveAuthenticationInfo naming the algorithm (9303-11 §6.1 needs it; RSA
/// Active Authentication names its hash in the signature's trailer instead).
fn dg14(keys: &ChipKeys) -> Result<Dg14, IssueError> {
    let fail = |e: String| IssueError::DataGroup { file: "DG14", message: e };
    let ca_public = keys.chip_authentication.public_key().map_err(|e| fail(e.to_string()))?;
    let base =
        Dg14::for_chip_authentication(&ca_public, keys.chip_authentication_key_id).map_err(|e| fail(e.to_string()))?;
    let mut infos: Vec<SecurityInfo> = base.infos.infos().to_vec();
    if let ActiveAuthenticationKey::Ecdsa(key) = &keys.active_authentication {
        let signature_algorithm = match key.hash() {
            HashAlgorithm::Sha384 => crate::oid::ECDSA_PLAIN_SHA384,
            HashAlgorithm::Sha512 => crate::oid::ECDSA_PLAIN_SHA512,
            _ => crate::oid::ECDSA_PLAIN_SHA256,
        };
        let aa = SecurityInfo::new(SecurityInfoKind::ActiveAuthentication(ActiveAuthenticationInfo {
            version: 1,
            signature_algorithm,
        }))
        .map_err(|e| fail(e.to_string()))?;
        infos.push(aa);
    }
    Ok(Dg14 { infos: SecurityInfos::new(infos) })
}

/// The SecurityInfos of EF.CardSecurity when EF.CardAccess offers PACE-CAM (ICAO 9303-11 §4.4.3.5.1: the chip
/// key PACE-CAM proves must be in EF.CardSecurity): EF.CardAccess's infos and DG14's (ChipAuthenticationInfo,
/// ChipAuthenticationPublicKeyInfo, TerminalAuthenticationInfo), each once. `None` without PACE-CAM.
fn card_security_infos(card_access: &CardAccess, keys: &ChipKeys) -> Result<Option<SecurityInfos>, IssueError> {
    let cam = card_access.infos.pace_infos().any(|p| p.protocol.mapping == crate::oid::PaceMapping::ChipAuthentication);
    if !cam {
        return Ok(None);
    }
    let mut infos: Vec<SecurityInfo> = card_access.infos.infos().to_vec();
    for info in dg14(keys)?.infos.infos() {
        if !infos.iter().any(|i| i.as_bytes() == info.as_bytes()) {
            infos.push(info.clone());
        }
    }
    Ok(Some(SecurityInfos::new(infos)))
}

/// Issues a chip image: every file, EF.SOD signed by `ds`, and the chip's secrets. Refuses a record with
/// validation errors (warnings do not stop issuance) and a Document Signer that may not sign on the day of
/// issue ([`check_document_signer`]). Text is encoded in Unicode NFC ([`CitizenRecord::to_nfc`]).
pub fn issue(
    record: &CitizenRecord,
    face: &FaceImage,
    keys: &ChipKeys,
    ds: &DocumentSigner,
    options: &IssueOptions,
) -> Result<ChipImage, IssueError> {
    let validation = record.validate();
    if !validation.errors.is_empty() {
        return Err(IssueError::InvalidRecord { fields: validation.errors.iter().map(|p| p.field).collect() });
    }
    check_document_signer(ds, options.at)?;
    let record = &record.to_nfc();
    let fail = |file: &'static str, e: &dyn core::fmt::Display| IssueError::DataGroup { file, message: e.to_string() };
    if options.chip == ChipProfile::JmrtdApplet {
        if options.eac.is_some() {
            return Err(IssueError::DataGroup {
                file: "EF.CVCA",
                message: "the JMRTD applet profile runs no Chip Authentication, so no Terminal Authentication".into(),
            });
        }
        return issue_bac_only(record, face, keys, ds, options);
    }
    let agreement = keys.chip_authentication.key_agreement();
    if options.card_access.infos.chip_authentication_infos().any(|i| i.protocol.key_agreement != agreement) {
        return Err(IssueError::DataGroup {
            file: "EF.CardAccess",
            message: format!(
                "its Chip Authentication info names another key agreement than the chip key's ({agreement:?})"
            ),
        });
    }
    let mrz = record.to_mrz().map_err(|e| fail("DG1", &e))?;
    let mut files = BTreeMap::new();
    files.insert(dg(1), Dg1::new(mrz).and_then(|d| d.encode()).map_err(|e| fail("DG1", &e))?);
    let dg2 = Dg2::from_image(face.data.clone(), face.image_type, face.width, face.height);
    files.insert(dg(2), dg2.encode().map_err(|e| fail("DG2", &e))?);
    if let Some(dg3) = &options.dg3 {
        if dg3.file != dg(3) {
            return Err(IssueError::DataGroup { file: "DG3", message: "a DG4 given as DG3".into() });
        }
        files.insert(dg(3), dg3.encode().map_err(|e| fail("DG3", &e))?);
    }
    files.insert(dg(13), Dg13::from_record(record).and_then(|d| d.encode()).map_err(|e| fail("DG13", &e))?);
    files.insert(dg(14), dg14(keys)?.encode());
    let aa_public = keys
        .active_authentication
        .public_key()
        .map_err(|e| IssueError::DataGroup { file: "DG15", message: e.to_string() })?;
    files.insert(dg(15), Dg15::new(aa_public).map_err(|e| fail("DG15", &e))?.encode());
    let sod = ds.sod().data_groups(&files).hash(options.dg_hash).build()?;
    let listed: Vec<LdsFile> = files.keys().copied().collect();
    files.insert(LdsFile::Com, Com::new(listed).encode());
    files.insert(LdsFile::CardAccess, options.card_access.encode());
    files.insert(LdsFile::Sod, sod);
    if let Some(infos) = card_security_infos(&options.card_access, keys)? {
        files.insert(LdsFile::CardSecurity, ds.card_security(&infos)?);
    }
    let secrets = ChipSecrets {
        mrz_information: Some(record.mrz_information().map_err(|e| fail("DG1", &e))?),
        can: Some(record.can().map_err(|e| fail("DG1", &e))?),
        chip_authentication: Some(ChipAuthenticationKey {
            key_id: keys.chip_authentication_key_id,
            key: keys.chip_authentication.clone(),
        }),
        active_authentication: Some(keys.active_authentication.clone()),
    };
    Ok(ChipImage { files, secrets, eac: options.eac.clone() })
}

/// [`issue`] for [`ChipProfile::JmrtdApplet`]: DG1, DG2, DG13, DG15 (RSA-1024), EF.COM, EF.SOD; BAC only.
fn issue_bac_only(
    record: &CitizenRecord,
    face: &FaceImage,
    keys: &ChipKeys,
    ds: &DocumentSigner,
    options: &IssueOptions,
) -> Result<ChipImage, IssueError> {
    let fail = |file: &'static str, e: &dyn core::fmt::Display| IssueError::DataGroup { file, message: e.to_string() };
    let ActiveAuthenticationKey::Rsa(aa) = &keys.active_authentication else {
        return Err(IssueError::DataGroup {
            file: "DG15",
            message: "the JMRTD applet signs with RSA-1024 only".into(),
        });
    };
    let public = aa.public_key();
    if let crate::crypto::public_key::PublicKey::Rsa { modulus, .. } = &public
        && modulus.len() != 128
    {
        return Err(IssueError::DataGroup {
            file: "DG15",
            message: format!("RSA-{}: the JMRTD applet holds RSA-1024 only", modulus.len() * 8),
        });
    }
    let mrz = record.to_mrz().map_err(|e| fail("DG1", &e))?;
    let mut files = BTreeMap::new();
    files.insert(dg(1), Dg1::new(mrz).and_then(|d| d.encode()).map_err(|e| fail("DG1", &e))?);
    let dg2 = Dg2::from_image(face.data.clone(), face.image_type, face.width, face.height);
    files.insert(dg(2), dg2.encode().map_err(|e| fail("DG2", &e))?);
    files.insert(dg(13), Dg13::from_record(record).and_then(|d| d.encode()).map_err(|e| fail("DG13", &e))?);
    files.insert(dg(15), Dg15::new(public).map_err(|e| fail("DG15", &e))?.encode());
    let sod = ds.sod().data_groups(&files).hash(options.dg_hash).build()?;
    let listed: Vec<LdsFile> = files.keys().copied().collect();
    files.insert(LdsFile::Com, Com::new(listed).encode());
    files.insert(LdsFile::Sod, sod);
    let secrets = ChipSecrets {
        mrz_information: Some(record.mrz_information().map_err(|e| fail("DG1", &e))?),
        active_authentication: Some(ActiveAuthenticationKey::Rsa(aa.clone())),
        ..ChipSecrets::default()
    };
    Ok(ChipImage { files, secrets, eac: None })
}
