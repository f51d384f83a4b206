//! The verdict on a chip image folder, as `cccd verify` (and the bindings) give it: with the image's secrets
//! the image is served by an in-process virtual chip and read as a card is read, so Chip and Active
//! Authentication run; an image of files only (the folder `cccd read --out` wrote) is verified as files.

use crate::image::ChipImage;
use crate::reader::{Access, AccessControl, ReadError, Reader};
use crate::verify::{Verification, Verifier};

use super::{ChipConfig, VirtualChip};

/// How a chip image was verified, and the verification.
#[derive(Debug)]
pub struct ImageVerification {
    /// The Verifier's verification.
    pub verification: Verification,
    /// How the image was read: [`ImageVerification::VIRTUAL_CHIP`] or [`ImageVerification::FILES_ONLY`].
    pub session: &'static str,
    /// The access control the read used (none for files only).
    pub access: Option<Access>,
}

impl ImageVerification {
    /// The session of an image read through a virtual chip from its own secrets.
    pub const VIRTUAL_CHIP: &'static str = "virtual chip from the image's secrets";
    /// The session of an image verified as files (no secrets to serve it with).
    pub const FILES_ONLY: &'static str = "files only";
}

/// The access control a chip image's own secrets allow: PACE with its CAN when it has EF.CardAccess, else
/// BAC with its MRZ information.
pub fn image_access(image: &ChipImage) -> Option<AccessControl> {
    let s = &image.secrets;
    let bac = s.mrz_information.as_ref().map(|m| crate::access::bac::BacKey::from_mrz_information(m));
    let pace = s.can.as_ref().map(|c| crate::access::pace::PacePassword::Can(c.clone()));
    match (pace, bac) {
        (Some(p), Some(b)) if image.files.contains_key(&crate::lds::LdsFile::CardAccess) => {
            Some(AccessControl::PaceThenBac(p, b))
        }
        (Some(p), None) => Some(AccessControl::Pace(p)),
        (_, Some(b)) => Some(AccessControl::Bac(b)),
        (None, None) => None,
    }
}

/// Verifies a chip image with `verifier`: read through a virtual chip when its secrets give an access key,
/// else as files. Fails only when the image's own virtual chip cannot be read (the error says which step).
pub fn verify_image(image: &ChipImage, verifier: &Verifier<'_>) -> Result<ImageVerification, ReadError> {
    match image_access(image) {
        Some(access) => {
            let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
            let result = Reader::new(access).read(&mut chip)?;
            Ok(ImageVerification {
                verification: verifier.verify_read(&result),
                session: ImageVerification::VIRTUAL_CHIP,
                access: Some(result.access),
            })
        }
        None => Ok(ImageVerification {
            verification: verifier.verify_files(&image.files),
            session: ImageVerification::FILES_ONLY,
            access: None,
        }),
    }
}
