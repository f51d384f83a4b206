//! DG1: the MRZ (ICAO Doc 9303-10 §4.7.1).
//!
//! ```text
//! 61 LL            DG1
//!    5F 1F LL      MRZ data element: the MRZ lines concatenated (90 characters TD1, 88 TD3)
//! ```

use core::fmt;

use super::{LdsError, LdsErrorKind, LdsFile};
use crate::mrz::Mrz;
use crate::tlv::{Tag, TlvReader, TlvWriter};

/// Tag of the MRZ data element inside DG1.
pub const TAG_MRZ: Tag = Tag::new(0x5F1F);

fn file() -> LdsFile {
    LdsFile::dg(1).unwrap_or(LdsFile::Com)
}

/// DG1: the MRZ, with the bytes it was decoded from (those are what EF.SOD hashes).
#[derive(Clone, PartialEq, Eq)]
pub struct Dg1 {
    mrz: Mrz,
    raw: Vec<u8>,
}

impl fmt::Debug for Dg1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dg1").field("mrz", &self.mrz).field("len", &self.raw.len()).finish()
    }
}

impl Dg1 {
    /// Decodes DG1, checking the MRZ's layout and check digits; trailing data is an error.
    pub fn decode(data: &[u8]) -> Result<Dg1, LdsError> {
        let f = file();
        let outer = TlvReader::single(data, f.tag()).map_err(|e| LdsError::tlv(f, e))?;
        let mut inner = outer.children();
        let mrz_tlv = inner.expect(TAG_MRZ).map_err(|e| LdsError::tlv(f, e))?;
        inner.finish().map_err(|e| LdsError::tlv(f, e))?;
        let text = core::str::from_utf8(mrz_tlv.value()).map_err(|_| {
            LdsError::at(f, mrz_tlv.value_offset(), LdsErrorKind::Invalid { field: "MRZ", reason: "not ASCII" })
        })?;
        if text.contains(['\n', '\r']) {
            return Err(LdsError::at(
                f,
                mrz_tlv.value_offset(),
                LdsErrorKind::Invalid { field: "MRZ", reason: "line breaks inside the MRZ data element" },
            ));
        }
        let mrz = Mrz::parse(text).map_err(|e| LdsError::at(f, mrz_tlv.value_offset(), LdsErrorKind::Mrz(e)))?;
        Ok(Dg1 { mrz, raw: data.to_vec() })
    }

    /// DG1 for an MRZ (encoded canonically).
    pub fn new(mrz: Mrz) -> Result<Dg1, LdsError> {
        let raw = encode_mrz(&mrz)?;
        Ok(Dg1 { mrz, raw })
    }

    /// The MRZ.
    pub fn mrz(&self) -> &Mrz {
        &self.mrz
    }

    /// The bytes this DG1 was decoded from (or encoded to, for [`Dg1::new`]).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The canonical encoding of the MRZ (equal to [`Dg1::raw`] for any well-formed DG1).
    pub fn encode(&self) -> Result<Vec<u8>, LdsError> {
        encode_mrz(&self.mrz)
    }
}

fn encode_mrz(mrz: &Mrz) -> Result<Vec<u8>, LdsError> {
    let text = mrz.to_concatenated().map_err(|e| LdsError::new(file(), LdsErrorKind::Mrz(e)))?;
    let mut w = TlvWriter::new();
    w.constructed(file().tag(), |w| {
        w.primitive(TAG_MRZ, text.as_bytes());
    });
    Ok(w.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::TlvErrorKind;

    const CCCD: &str = "IDVNM0990123459001099012345<<09901155M3901153VNM<<<<<<<<<<<6NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";

    #[test]
    fn round_trip_and_errors() {
        let mrz = Mrz::parse(CCCD).unwrap();
        let dg1 = Dg1::new(mrz.clone()).unwrap();
        let bytes = dg1.encode().unwrap();
        assert_eq!(&bytes[..5], [0x61, 0x5D, 0x5F, 0x1F, 0x5A]);
        assert_eq!(&bytes[5..], CCCD.as_bytes());
        let back = Dg1::decode(&bytes).unwrap();
        assert_eq!(back.mrz(), &mrz);
        assert_eq!(back.raw(), &bytes[..]);
        assert!(!format!("{back:?}").contains("NGUYEN"));

        // truncated
        for n in [0, 1, 4, 50, bytes.len() - 1] {
            assert!(matches!(Dg1::decode(&bytes[..n]).unwrap_err().kind, LdsErrorKind::Tlv(_)));
        }
        // trailing data
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(Dg1::decode(&long).unwrap_err().kind, LdsErrorKind::Tlv(TlvErrorKind::TrailingData(1)));
        // garbage MRZ content
        let mut bad = bytes.clone();
        bad[10] = b'a';
        let e = Dg1::decode(&bad).unwrap_err();
        assert_eq!(e.offset, Some(5));
        assert!(matches!(e.kind, LdsErrorKind::Mrz(_)));
        let mut bad = bytes.clone();
        bad[20] = 0xFF;
        assert!(matches!(Dg1::decode(&bad).unwrap_err().kind, LdsErrorKind::Invalid { .. }));
        // wrong inner tag
        let mut bad = bytes;
        bad[3] = 0x1E;
        assert!(matches!(Dg1::decode(&bad).unwrap_err().kind, LdsErrorKind::Tlv(TlvErrorKind::UnexpectedTag { .. })));
    }
}
