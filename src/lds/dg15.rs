//! DG15: the Active Authentication public key (`6F` wrapping a `SubjectPublicKeyInfo`), RSA or EC.

use super::public_key::PublicKey;
use super::{LdsError, LdsErrorKind, LdsFile};
use crate::tlv::{Tag, TlvReader, encode_tlv};

const TAG: Tag = Tag::new(0x6F);

/// DG15.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg15 {
    /// The key.
    pub public_key: PublicKey,
    spki: Vec<u8>,
    warnings: Vec<super::DecodeWarning>,
}

impl Dg15 {
    fn file() -> LdsFile {
        LdsFile::dg(15).unwrap_or(LdsFile::Com)
    }

    /// Decodes DG15.
    pub fn decode(bytes: &[u8]) -> Result<Self, LdsError> {
        let (bytes, warnings) = super::warning::outer_content(Self::file(), TAG, bytes)?;
        let outer = TlvReader::single(bytes, TAG).map_err(|e| LdsError::tlv(Self::file(), e))?;
        let spki = outer.value();
        let public_key = PublicKey::from_spki_der(spki)
            .map_err(|e| LdsError::at(Self::file(), outer.value_offset(), LdsErrorKind::Asn1(e.to_string())))?;
        Ok(Dg15 { public_key, spki: spki.to_vec(), warnings })
    }

    /// A DG15 for a public key.
    pub fn new(public_key: PublicKey) -> Result<Self, LdsError> {
        let spki =
            public_key.to_spki_der().map_err(|e| LdsError::new(Self::file(), LdsErrorKind::Asn1(e.to_string())))?;
        Ok(Dg15 { public_key, spki, warnings: Vec::new() })
    }

    /// What the decoder tolerated ([`super::warning`]).
    pub fn warnings(&self) -> &[super::DecodeWarning] {
        &self.warnings
    }

    /// The `SubjectPublicKeyInfo` as encoded (DER).
    pub fn spki(&self) -> &[u8] {
        &self.spki
    }

    /// Encodes DG15.
    pub fn encode(&self) -> Vec<u8> {
        encode_tlv(TAG, &self.spki)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lds::public_key::EcDomain;

    #[test]
    fn round_trip_and_errors() {
        let mut point = vec![0x04];
        point.extend([9u8; 96]);
        let dg = Dg15::new(PublicKey::Ec { domain: EcDomain::Named(crate::oid::BRAINPOOL_P384R1), point }).unwrap();
        let bytes = dg.encode();
        assert_eq!(Dg15::decode(&bytes).unwrap(), dg);
        for cut in 0..bytes.len() {
            assert!(Dg15::decode(&bytes[..cut]).is_err());
        }
        let mut long = bytes.clone();
        long.push(0);
        let padded = Dg15::decode(&long).unwrap();
        assert_eq!(
            padded.warnings(),
            [crate::lds::DecodeWarning {
                offset: bytes.len(),
                kind: crate::lds::DecodeWarningKind::Padding { byte: 0, len: 1 }
            }]
        );
        assert_eq!(padded.encode(), bytes);
        assert!(Dg15::decode(&[0x6F, 0x02, 0x30, 0x00]).is_err());
    }
}
