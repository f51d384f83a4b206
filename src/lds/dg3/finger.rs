//! ISO/IEC 19794-4:2005 finger image records, as DG3 holds them (one image per Biometric Data Block, ICAO
//! 9303-10 Tables 51/52).
//!
//! ```text
//! General header (32 bytes, big-endian)
//!   0  "FIR\0"   4  "010\0"   8  record length (6)   14 capture device id (2)   16 image acquisition level (2)
//!   18 number of fingers (1)  19 scale units (1)     20 scan resolution H, V (2+2)   24 image resolution H, V (2+2)
//!   28 pixel depth (1)        29 image compression (1)   30 reserved (2)
//! Finger header (14 bytes) then the image, per finger view
//!   0  finger data block length incl. header (4)   4 finger position   5 count of views   6 view number
//!   7  quality   8 impression type   9 horizontal line length (2)   11 vertical line length (2)   13 reserved
//! ```

use super::{Cursor, RecordError};

code_enum!(
    /// Finger position (19794-4 Table 2).
    FingerPosition: u8 {
        /** Unknown. */ Unknown = 0, /** Right thumb. */ RightThumb = 1, /** Right index. */ RightIndex = 2,
        /** Right middle. */ RightMiddle = 3, /** Right ring. */ RightRing = 4, /** Right little. */ RightLittle = 5,
        /** Left thumb. */ LeftThumb = 6, /** Left index. */ LeftIndex = 7, /** Left middle. */ LeftMiddle = 8,
        /** Left ring. */ LeftRing = 9, /** Left little. */ LeftLittle = 10,
        /** Plain right four fingers. */ PlainRightFour = 13, /** Plain left four fingers. */ PlainLeftFour = 14,
        /** Plain thumbs. */ PlainThumbs = 15,
    }
);

code_enum!(
    /// Image compression algorithm (19794-4 Table 3).
    FingerCompression: u8 {
        /** Uncompressed, no bit packing. */ Raw = 0, /** Uncompressed, bit packed. */ RawPacked = 1,
        /** WSQ. */ Wsq = 2, /** JPEG. */ Jpeg = 3, /** JPEG 2000. */ Jpeg2000 = 4, /** PNG. */ Png = 5,
    }
);

code_enum!(
    /// Impression type (19794-4 Table 4).
    Impression: u8 {
        /** Live-scan plain. */ LiveScanPlain = 0, /** Live-scan rolled. */ LiveScanRolled = 1,
        /** Non-live-scan plain. */ NonLivePlain = 2, /** Non-live-scan rolled. */ NonLiveRolled = 3,
        /** Latent. */ Latent = 7, /** Swipe. */ Swipe = 8, /** Live-scan contactless. */ Contactless = 9,
    }
);

impl FingerPosition {
    /// The CBEFF biometric subtype of this finger (9303-10 Table 49): bits b2b1 01 right / 10 left,
    /// b5b4b3 001 thumb … 101 little; `00` when no single finger is named.
    pub fn cbeff_subtype(self) -> u8 {
        let c = self.code();
        match c {
            1..=5 => 0x01 | (c << 2),
            6..=10 => 0x02 | ((c - 5) << 2),
            _ => 0x00,
        }
    }

    /// The position from a name such as `right-index`, `left_thumb`, `L-little` or the number `2`.
    pub fn from_name(name: &str) -> Option<Self> {
        let n = name.to_ascii_lowercase().replace(['_', ' ', '.'], "-");
        if let Ok(code) = n.parse::<u8>() {
            return Some(FingerPosition::from_code(code)).filter(|p| !matches!(p, FingerPosition::Other(_)));
        }
        let (hand, finger) = n.split_once('-')?;
        let left = match hand {
            "right" | "r" => false,
            "left" | "l" => true,
            _ => return None,
        };
        let i = match finger {
            "thumb" => 1,
            "index" | "pointer" => 2,
            "middle" => 3,
            "ring" => 4,
            "little" | "pinky" => 5,
            _ => return None,
        };
        Some(FingerPosition::from_code(if left { i + 5 } else { i }))
    }
}

/// One finger view: its header fields and the image bytes (in the record's compression).
#[derive(Clone, PartialEq, Eq)]
pub struct FingerView {
    /// Finger position.
    pub position: FingerPosition,
    /// Count of views of this finger.
    pub view_count: u8,
    /// This view's number.
    pub view_number: u8,
    /// Image quality (0–100; 254/255 as the standard defines).
    pub quality: u8,
    /// Impression type.
    pub impression: Impression,
    /// Width in pixels (horizontal line length).
    pub width: u16,
    /// Height in pixels (vertical line length).
    pub height: u16,
    /// The reserved byte, as read.
    pub reserved: u8,
    /// The image.
    pub image: Vec<u8>,
}

impl core::fmt::Debug for FingerView {
    /// Biometric data: the image is not printed, only its length.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FingerView")
            .field("position", &self.position)
            .field("view", &(self.view_number, self.view_count))
            .field("quality", &self.quality)
            .field("impression", &self.impression)
            .field("size", &(self.width, self.height))
            .field("image_len", &self.image.len())
            .finish()
    }
}

/// An ISO/IEC 19794-4 finger image record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerRecord {
    /// Capture device id (0 = unreported).
    pub capture_device_id: u16,
    /// Image acquisition level (31 at 500 ppi, 41 at 1000 ppi).
    pub acquisition_level: u16,
    /// Scale units: 1 pixels per inch, 2 pixels per centimetre.
    pub scale_units: u8,
    /// Scan resolution (horizontal, vertical).
    pub scan_resolution: (u16, u16),
    /// Image resolution (horizontal, vertical).
    pub image_resolution: (u16, u16),
    /// Bits per pixel.
    pub pixel_depth: u8,
    /// Compression of every image in the record.
    pub compression: FingerCompression,
    /// The two reserved bytes, as read.
    pub reserved: [u8; 2],
    /// The finger views.
    pub views: Vec<FingerView>,
    /// Whether the record length field disagreed with the bytes (tolerated on reading).
    pub length_mismatch: bool,
}

const GENERAL_HEADER: usize = 32;
const VIEW_HEADER: usize = 14;

impl FingerRecord {
    /// A 500 ppi, 8-bit record of one finger image.
    pub fn single(
        position: FingerPosition,
        compression: FingerCompression,
        width: u16,
        height: u16,
        image: Vec<u8>,
    ) -> Self {
        FingerRecord {
            capture_device_id: 0,
            acquisition_level: 31,
            scale_units: 1,
            scan_resolution: (500, 500),
            image_resolution: (500, 500),
            pixel_depth: 8,
            compression,
            reserved: [0, 0],
            views: vec![FingerView {
                position,
                view_count: 1,
                view_number: 1,
                quality: 100,
                impression: Impression::LiveScanPlain,
                width,
                height,
                reserved: 0,
                image,
            }],
            length_mismatch: false,
        }
    }

    /// Decodes a record. A record length field that disagrees with the data is tolerated (and noted).
    pub fn decode(data: &[u8]) -> Result<Self, RecordError> {
        let mut c = Cursor::new(data);
        c.magic(b"FIR\0", "format identifier \"FIR\\0\"")?;
        c.magic(b"010\0", "version \"010\\0\"")?;
        let record_length = c.uint(6)?;
        let capture_device_id = c.u16()?;
        let acquisition_level = c.u16()?;
        let count = c.u8()?;
        let scale_units = c.u8()?;
        let scan_resolution = (c.u16()?, c.u16()?);
        let image_resolution = (c.u16()?, c.u16()?);
        let pixel_depth = c.u8()?;
        let compression = FingerCompression::from_code(c.u8()?);
        let reserved = [c.u8()?, c.u8()?];
        let mut views = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let start = c.offset();
            let len = c.uint(4)?;
            let len = usize::try_from(len)
                .ok()
                .filter(|l| *l >= VIEW_HEADER)
                .ok_or(RecordError { offset: start, reason: "finger data block shorter than its header" })?;
            let position = FingerPosition::from_code(c.u8()?);
            let view_count = c.u8()?;
            let view_number = c.u8()?;
            let quality = c.u8()?;
            let impression = Impression::from_code(c.u8()?);
            let width = c.u16()?;
            let height = c.u16()?;
            let reserved = c.u8()?;
            let image = c.bytes(len - VIEW_HEADER, "finger image data")?.to_vec();
            views.push(FingerView {
                position,
                view_count,
                view_number,
                quality,
                impression,
                width,
                height,
                reserved,
                image,
            });
        }
        c.finish()?;
        Ok(FingerRecord {
            capture_device_id,
            acquisition_level,
            scale_units,
            scan_resolution,
            image_resolution,
            pixel_depth,
            compression,
            reserved,
            views,
            length_mismatch: usize::try_from(record_length).ok() != Some(data.len()),
        })
    }

    /// Encodes the record with its lengths computed.
    pub fn encode(&self) -> Result<Vec<u8>, RecordError> {
        let bad = |reason| RecordError { offset: 0, reason };
        let count = u8::try_from(self.views.len()).map_err(|_| bad("more than 255 finger views"))?;
        let total = GENERAL_HEADER + self.views.iter().map(|v| VIEW_HEADER + v.image.len()).sum::<usize>();
        if total >= 1 << 48 {
            return Err(bad("a record longer than 2^48 bytes"));
        }
        let mut out = Vec::with_capacity(total);
        out.extend(b"FIR\x00010\x00");
        out.extend(&(total as u64).to_be_bytes()[2..]);
        out.extend(self.capture_device_id.to_be_bytes());
        out.extend(self.acquisition_level.to_be_bytes());
        out.push(count);
        out.push(self.scale_units);
        for v in [self.scan_resolution.0, self.scan_resolution.1, self.image_resolution.0, self.image_resolution.1] {
            out.extend(v.to_be_bytes());
        }
        out.push(self.pixel_depth);
        out.push(self.compression.code());
        out.extend(self.reserved);
        for v in &self.views {
            let len = u32::try_from(VIEW_HEADER + v.image.len()).map_err(|_| bad("a finger image over 4 GiB"))?;
            out.extend(len.to_be_bytes());
            out.extend([v.position.code(), v.view_count, v.view_number, v.quality, v.impression.code()]);
            out.extend(v.width.to_be_bytes());
            out.extend(v.height.to_be_bytes());
            out.push(v.reserved);
            out.extend(&v.image);
        }
        Ok(out)
    }
}
