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
use crate::pki::{DocumentSigner, Signer, SoftwareKey};

/// Why a chip image could not be issued. Names the field or step, never personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The record has validation errors (the fields named).
    #[error("invalid citizen record: {0}")]
    InvalidRecord(String),
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

/// What goes on the chip besides the record, face and keys.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// The hash of the data group hashes in EF.SOD (SHA-256 for the CCCD).
    pub dg_hash: HashAlgorithm,
    /// EF.CardAccess (the CCCD's PACE-GM-ECDH-AES128 on brainpoolP256r1 by default).
    pub card_access: CardAccess,
}

impl Default for IssueOptions {
    fn default() -> Self {
        IssueOptions { dg_hash: HashAlgorithm::Sha256, card_access: CardAccess::cccd() }
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
/// validation errors (warnings do not stop issuance).
pub fn issue(
    record: &CitizenRecord,
    face: &FaceImage,
    keys: &ChipKeys,
    ds: &DocumentSigner,
    options: &IssueOptions,
) -> Result<ChipImage, IssueError> {
    let validation = record.validate();
    if !validation.errors.is_empty() {
        let fields: Vec<&str> = validation.errors.iter().map(|p| p.field).collect();
        return Err(IssueError::InvalidRecord(fields.join(", ")));
    }
    let fail = |file: &'static str| move |e: crate::Error| IssueError::DataGroup { file, message: e.to_string() };
    let agreement = keys.chip_authentication.key_agreement();
    if options.card_access.infos.chip_authentication_infos().any(|i| i.protocol.key_agreement != agreement) {
        return Err(IssueError::DataGroup {
            file: "EF.CardAccess",
            message: format!(
                "its Chip Authentication info names another key agreement than the chip key's ({agreement:?})"
            ),
        });
    }
    let mrz = record.to_mrz().map_err(|e| fail("DG1")(e.into()))?;
    let mut files = BTreeMap::new();
    files.insert(dg(1), Dg1::new(mrz).and_then(|d| d.encode()).map_err(|e| fail("DG1")(e.into()))?);
    let dg2 = Dg2::from_image(face.data.clone(), face.image_type, face.width, face.height);
    files.insert(dg(2), dg2.encode().map_err(|e| fail("DG2")(e.into()))?);
    files.insert(dg(13), Dg13::from_record(record).and_then(|d| d.encode()).map_err(|e| fail("DG13")(e.into()))?);
    files.insert(dg(14), dg14(keys)?.encode());
    let aa_public = keys
        .active_authentication
        .public_key()
        .map_err(|e| IssueError::DataGroup { file: "DG15", message: e.to_string() })?;
    files.insert(dg(15), Dg15::new(aa_public).map_err(|e| fail("DG15")(e.into()))?.encode());
    let sod = ds.sign_sod(&files, options.dg_hash)?;
    let listed: Vec<LdsFile> = files.keys().copied().collect();
    files.insert(LdsFile::Com, Com::new(listed).encode());
    files.insert(LdsFile::CardAccess, options.card_access.encode());
    files.insert(LdsFile::Sod, sod);
    if let Some(infos) = card_security_infos(&options.card_access, keys)? {
        files.insert(LdsFile::CardSecurity, ds.sign_card_security(&infos)?);
    }
    let secrets = ChipSecrets {
        mrz_information: Some(record.mrz_information().map_err(|e| fail("DG1")(e.into()))?),
        can: Some(record.can().map_err(|e| fail("DG1")(e.into()))?),
        chip_authentication: Some(ChipAuthenticationKey {
            key_id: keys.chip_authentication_key_id,
            key: keys.chip_authentication.clone(),
        }),
        active_authentication: Some(keys.active_authentication.clone()),
    };
    Ok(ChipImage { files, secrets })
}
