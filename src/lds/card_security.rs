//! EF.CardSecurity (ICAO 9303-11 §9.2, ICAO 9303-10 §3.11.3, BSI TR-03110-3 §A.1.2.2): the chip's SecurityInfos
//! signed by the Document Signer, in the master file (FID `011D`, SFI `1D`), readable after PACE. It holds what
//! EF.CardAccess holds plus the ChipAuthenticationPublicKeyInfo that PACE-CAM's proof is checked against.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
//!   SignedData.encapContentInfo ::= SEQUENCE { eContentType id-SecurityObject (0.4.0.127.0.7.3.2.1),
//!                                              eContent [0] EXPLICIT OCTET STRING (SecurityInfos) }
//! ```
//!
//! The file is the bare `ContentInfo` (no `77` wrapper as EF.SOD has). Decoding keeps every part's exact bytes
//! (the eContent is what `messageDigest` hashes); Passive Authentication of the signature is
//! [`crate::pa::verify_card_security`]'s job.

use core::fmt;

use cms::signed_data::SignerIdentifier;
use der::asn1::ObjectIdentifier;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use super::security_infos::{ChipAuthenticationPublicKeyInfo, SecurityInfos};
use super::sod::{SignerInfo, walk_content_info};
use super::warning::outer_content;
use super::{DecodeWarning, LdsError, LdsErrorKind, LdsFile};
use crate::oid;
use crate::tlv::Tag;

/// EF.CardSecurity, decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct CardSecurity {
    raw: Vec<u8>,
    /// The signed SecurityInfos, in file order.
    pub security_infos: SecurityInfos,
    /// The SignedData digest algorithms.
    pub digest_algorithms: Vec<AlgorithmIdentifierOwned>,
    /// The certificates in the SignedData (the Document Signer certificate, usually).
    pub certificates: Vec<Certificate>,
    certificates_raw: Vec<Vec<u8>>,
    /// The signer infos (one, usually).
    pub signer_infos: Vec<SignerInfo>,
    econtent: Vec<u8>,
    warnings: Vec<DecodeWarning>,
}

impl fmt::Debug for CardSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardSecurity")
            .field("security_infos", &self.security_infos.infos().len())
            .field("certificates", &self.certificates.len())
            .field("signer_infos", &self.signer_infos)
            .field("len", &self.raw.len())
            .finish()
    }
}

impl CardSecurity {
    /// Decodes EF.CardSecurity. Its eContentType must be `id-SecurityObject` and its eContent a SecurityInfos
    /// `SET`; bytes after the `ContentInfo` are a warning ([`super::warning`]), as are SecurityInfos of unknown
    /// versions.
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let file = LdsFile::CardSecurity;
        let (bytes, mut warnings) = outer_content(file, Tag::new(0x30), bytes)?;
        let parts = walk_content_info(file, bytes, 0)?;
        if parts.econtent_type != oid::ID_SECURITY_OBJECT {
            return Err(LdsError::at(
                file,
                parts.econtent_offset,
                LdsErrorKind::Invalid { field: "eContentType", reason: "not id-SecurityObject" },
            ));
        }
        let security_infos = SecurityInfos::decode_set(&parts.econtent, parts.econtent_offset, file, Vec::new())?;
        warnings.extend(security_infos.warnings().iter().cloned());
        Ok(CardSecurity {
            raw: bytes.to_vec(),
            security_infos,
            digest_algorithms: parts.digest_algorithms,
            certificates: parts.certificates,
            certificates_raw: parts.certificates_raw,
            signer_infos: parts.signer_infos,
            econtent: parts.econtent,
            warnings,
        })
    }

    /// The file's bytes (the DER `ContentInfo`, what `openssl cms -inform DER` reads), as decoded.
    pub fn encode(&self) -> Vec<u8> {
        self.raw.clone()
    }

    /// The exact bytes of the encapsulated SecurityInfos (what `messageDigest` hashes).
    pub fn econtent(&self) -> &[u8] {
        &self.econtent
    }

    /// The exact bytes of each certificate in the SignedData.
    pub fn certificates_der(&self) -> &[Vec<u8>] {
        &self.certificates_raw
    }

    /// The signer of the first signer info.
    pub fn signer_identifier(&self) -> Option<&SignerIdentifier> {
        self.signer_infos.first().map(|s| &s.sid)
    }

    /// The chip's Chip Authentication public keys (what PACE-CAM proves).
    pub fn chip_authentication_public_keys(&self) -> impl Iterator<Item = &ChipAuthenticationPublicKeyInfo> {
        self.security_infos.chip_authentication_public_keys()
    }

    /// What the decoder tolerated: bytes after the file's TLV, SecurityInfos of unknown versions.
    pub fn warnings(&self) -> &[DecodeWarning] {
        &self.warnings
    }

    /// The eContentType (always `id-SecurityObject` once decoded).
    pub fn econtent_type(&self) -> ObjectIdentifier {
        oid::ID_SECURITY_OBJECT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_rejected() {
        assert!(CardSecurity::decode(&[]).is_err());
        assert!(CardSecurity::decode(&[0x30, 0x00]).is_err());
        assert!(CardSecurity::decode(&[0x31, 0x00]).is_err());
        // an EF.SOD is not an EF.CardSecurity
        assert!(CardSecurity::decode(&[0x77, 0x02, 0x30, 0x00]).is_err());
    }
}
