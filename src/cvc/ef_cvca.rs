//! EF.CVCA (FID `011C`, SFI `1C` in the eMRTD application; ICAO 9303-11 Appendix K.2, TR-03110-3 A.6.2.4): the
//! CARs of the chip's trust points, most recent first, as `42 L CAR` objects padded with `00` to 36 bytes.
//!
//! It lives here rather than in [`crate::lds`] because its content is certificate references.

use super::{CvcError, Reference};
use crate::tlv::{Tag, encode_tlv};

/// The file identifier of EF.CVCA.
pub const EF_CVCA_FID: u16 = 0x011C;
/// The short file identifier of EF.CVCA.
pub const EF_CVCA_SFI: u8 = 0x1C;
/// The fixed size of EF.CVCA.
pub const EF_CVCA_LEN: usize = 36;

/// EF.CVCA: at most two trust point references, most recent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfCvca {
    /// The CARs, most recent first.
    pub cars: Vec<Reference>,
}

impl EfCvca {
    /// Decodes the file: one or two `42` objects (≤ 16 bytes each), then only `00` padding. Tolerant of a file
    /// shorter than 36 bytes (the padding is what may be missing).
    pub fn decode(bytes: &[u8]) -> Result<Self, CvcError> {
        let mut cars = Vec::new();
        let mut i = 0usize;
        while let Some(&b) = bytes.get(i) {
            if b == 0 {
                break;
            }
            if b != 0x42 || cars.len() == 2 {
                return Err(CvcError::Invalid {
                    field: "EF.CVCA",
                    offset: i,
                    reason: "expected a CAR (42) or padding",
                });
            }
            let len = usize::from(*bytes.get(i + 1).ok_or(CvcError::Invalid {
                field: "EF.CVCA",
                offset: i + 1,
                reason: "truncated",
            })?);
            let value = bytes.get(i + 2..i + 2 + len).ok_or(CvcError::Invalid {
                field: "EF.CVCA",
                offset: i + 1,
                reason: "truncated CAR",
            })?;
            if value.is_empty() || len > 16 {
                return Err(CvcError::Invalid { field: "EF.CVCA", offset: i + 1, reason: "a CAR of 1 to 16 bytes" });
            }
            cars.push(Reference::from_bytes(value));
            i += 2 + len;
        }
        if let Some(p) = bytes.get(i..).and_then(|rest| rest.iter().position(|b| *b != 0)) {
            return Err(CvcError::Invalid {
                field: "EF.CVCA",
                offset: i + p,
                reason: "non-zero byte after the padding",
            });
        }
        Ok(EfCvca { cars })
    }

    /// The 36-byte file.
    pub fn encode(&self) -> Result<Vec<u8>, CvcError> {
        if self.cars.len() > 2 {
            return Err(CvcError::Unencodable("more than two trust points in EF.CVCA"));
        }
        let mut out: Vec<u8> = self.cars.iter().flat_map(|c| encode_tlv(Tag::new(0x42), c.as_bytes())).collect();
        if out.len() > EF_CVCA_LEN {
            return Err(CvcError::Unencodable("CARs longer than EF.CVCA"));
        }
        out.resize(EF_CVCA_LEN, 0);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let f = EfCvca { cars: vec![Reference::new("DECVCAEPASS00102").unwrap()] };
        let bytes = f.encode().unwrap();
        assert_eq!(bytes.len(), 36);
        assert_eq!(&bytes[..2], &[0x42, 0x10]);
        assert!(bytes[18..].iter().all(|b| *b == 0));
        assert_eq!(EfCvca::decode(&bytes).unwrap(), f);
        let two = EfCvca { cars: vec![Reference::new("VNCVCA00002").unwrap(), Reference::new("VNCVCA00001").unwrap()] };
        assert_eq!(EfCvca::decode(&two.encode().unwrap()).unwrap(), two);
        let mut bad = bytes.clone();
        bad[30] = 1;
        assert!(matches!(EfCvca::decode(&bad), Err(CvcError::Invalid { offset: 30, .. })));
        assert!(EfCvca::decode(&[0x42, 0x10, b'D']).is_err());
        assert_eq!(EfCvca::decode(&[0; 36]).unwrap().cars, vec![]);
    }
}
