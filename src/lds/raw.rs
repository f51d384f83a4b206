//! Data groups without a typed model here (DG3–DG10, DG16): the outer tag is checked, the bytes are kept.

use super::{LdsError, LdsFile};
use crate::tlv::TlvReader;

/// A data group kept as its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RawDataGroup {
    /// Which data group.
    pub file: LdsFile,
    raw: Vec<u8>,
    warnings: Vec<super::DecodeWarning>,
}

impl core::fmt::Debug for RawDataGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawDataGroup").field("file", &self.file).field("len", &self.raw.len()).finish()
    }
}

impl RawDataGroup {
    /// Checks that `bytes` starts with one TLV object with the file's tag; what follows it is a warning
    /// ([`super::warning`]) and not kept.
    pub fn decode(file: LdsFile, bytes: &[u8]) -> Result<Self, LdsError> {
        let (content, warnings) = super::warning::outer_content(file, file.tag(), bytes)?;
        Ok(RawDataGroup { file, raw: content.to_vec(), warnings })
    }

    /// What the decoder tolerated.
    pub fn warnings(&self) -> &[super::DecodeWarning] {
        &self.warnings
    }

    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.raw.clone()
    }

    /// The value inside the outer tag.
    pub fn value(&self) -> &[u8] {
        TlvReader::single(&self.raw, self.file.tag()).map(|t| t.value()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_tag_and_length() {
        let dg3 = LdsFile::dg(3).unwrap();
        let bytes = [0x63, 0x02, 0x01, 0x02];
        let raw = RawDataGroup::decode(dg3, &bytes).unwrap();
        assert_eq!(raw.encode(), bytes);
        assert_eq!(raw.value(), [1, 2]);
        assert!(RawDataGroup::decode(dg3, &bytes[..3]).is_err());
        assert!(RawDataGroup::decode(LdsFile::dg(4).unwrap(), &bytes).is_err());
        let padded = RawDataGroup::decode(dg3, &[0x63, 0x00, 0xFF, 0xFF]).unwrap();
        assert_eq!(padded.encode(), [0x63, 0x00]);
        assert_eq!(
            padded.warnings(),
            [crate::lds::DecodeWarning {
                offset: 2,
                kind: crate::lds::DecodeWarningKind::Padding { byte: 0xFF, len: 2 }
            }]
        );
    }
}
