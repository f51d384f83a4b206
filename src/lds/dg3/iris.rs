//! ISO/IEC 19794-6:2005 iris image records, as DG4 holds them.
//!
//! ```text
//! Record header (45 bytes, big-endian)
//!   0 "IIR\0"  4 "010\0"  8 record length (4)  12 capture device id (2)  14 number of eyes (1)
//!   15 record header length (2) = 45   17 image properties (2): b1-2 horizontal orientation, b3-4 vertical,
//!   b5-7 scan type, b8 iris occlusion, b9 occlusion filling, b10 boundary extraction
//!   19 iris diameter (2)  21 image format (2)  23 raw width (2)  25 raw height (2)  27 intensity depth (1)
//!   28 image transformation (1)  29 device unique id (16)
//! Per eye: biometric subtype (1: 0 undefined, 1 right, 2 left), number of images (2), then per image:
//!   image number (2), quality (1), rotation angle (2), rotation uncertainty (2), image length (4), image
//! ```

use super::{Cursor, RecordError};

const HEADER_LEN: u16 = 45;

/// One iris image.
#[derive(Clone, PartialEq, Eq)]
pub struct IrisImage {
    /// Image number.
    pub number: u16,
    /// Quality.
    pub quality: u8,
    /// Rotation angle of the eye.
    pub rotation_angle: u16,
    /// Rotation uncertainty.
    pub rotation_uncertainty: u16,
    /// The image bytes (in the record's image format).
    pub image: Vec<u8>,
}

impl core::fmt::Debug for IrisImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IrisImage").field("number", &self.number).field("image_len", &self.image.len()).finish()
    }
}

/// The images of one eye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrisEye {
    /// `0` undefined, `1` right eye, `2` left eye.
    pub eye: u8,
    /// The images.
    pub images: Vec<IrisImage>,
}

/// An ISO/IEC 19794-6 iris image record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrisRecord {
    /// Capture device id.
    pub capture_device_id: u16,
    /// The image property bits as encoded (orientation, scan type, occlusion, boundary extraction).
    pub image_properties: u16,
    /// Expected iris diameter in pixels.
    pub iris_diameter: u16,
    /// Image format (`0x0002` mono raw, `0x0006` mono JPEG, `0x000E` mono JPEG 2000 …).
    pub image_format: u16,
    /// Raw image width.
    pub width: u16,
    /// Raw image height.
    pub height: u16,
    /// Bits per colour.
    pub intensity_depth: u8,
    /// Transformation to polar image.
    pub image_transformation: u8,
    /// Device unique id (16 bytes).
    pub device_unique_id: [u8; 16],
    /// The eyes.
    pub eyes: Vec<IrisEye>,
    /// Whether the record length field disagreed with the bytes (tolerated on reading).
    pub length_mismatch: bool,
}

impl IrisRecord {
    /// Decodes a record.
    pub fn decode(data: &[u8]) -> Result<Self, RecordError> {
        let mut c = Cursor::new(data);
        c.magic(b"IIR\0", "format identifier \"IIR\\0\"")?;
        c.magic(b"010\0", "version \"010\\0\"")?;
        let record_length = c.uint(4)?;
        let capture_device_id = c.u16()?;
        let count = c.u8()?;
        let at = c.offset();
        if c.u16()? != HEADER_LEN {
            return Err(RecordError { offset: at, reason: "record header length is not 45" });
        }
        let image_properties = c.u16()?;
        let iris_diameter = c.u16()?;
        let image_format = c.u16()?;
        let width = c.u16()?;
        let height = c.u16()?;
        let intensity_depth = c.u8()?;
        let image_transformation = c.u8()?;
        let mut device_unique_id = [0u8; 16];
        device_unique_id.copy_from_slice(c.bytes(16, "device unique id")?);
        let mut eyes = Vec::new();
        for _ in 0..count {
            let eye = c.u8()?;
            let n = c.u16()?;
            let mut images = Vec::new();
            for _ in 0..n {
                let number = c.u16()?;
                let quality = c.u8()?;
                let rotation_angle = c.u16()?;
                let rotation_uncertainty = c.u16()?;
                let len = c.uint(4)?;
                let len =
                    usize::try_from(len).map_err(|_| RecordError { offset: c.offset(), reason: "image too long" })?;
                let image = c.bytes(len, "iris image data")?.to_vec();
                images.push(IrisImage { number, quality, rotation_angle, rotation_uncertainty, image });
            }
            eyes.push(IrisEye { eye, images });
        }
        c.finish()?;
        Ok(IrisRecord {
            capture_device_id,
            image_properties,
            iris_diameter,
            image_format,
            width,
            height,
            intensity_depth,
            image_transformation,
            device_unique_id,
            eyes,
            length_mismatch: usize::try_from(record_length).ok() != Some(data.len()),
        })
    }

    /// Encodes the record with its lengths computed.
    pub fn encode(&self) -> Result<Vec<u8>, RecordError> {
        let bad = |reason| RecordError { offset: 0, reason };
        let count = u8::try_from(self.eyes.len()).map_err(|_| bad("more than 255 eyes"))?;
        let mut body = Vec::new();
        for e in &self.eyes {
            body.push(e.eye);
            body.extend(u16::try_from(e.images.len()).map_err(|_| bad("too many images"))?.to_be_bytes());
            for i in &e.images {
                body.extend(i.number.to_be_bytes());
                body.push(i.quality);
                body.extend(i.rotation_angle.to_be_bytes());
                body.extend(i.rotation_uncertainty.to_be_bytes());
                body.extend(u32::try_from(i.image.len()).map_err(|_| bad("an image over 4 GiB"))?.to_be_bytes());
                body.extend(&i.image);
            }
        }
        let total = u32::try_from(usize::from(HEADER_LEN) + body.len()).map_err(|_| bad("a record over 4 GiB"))?;
        let mut out = Vec::with_capacity(total as usize);
        out.extend(b"IIR\x00010\x00");
        out.extend(total.to_be_bytes());
        out.extend(self.capture_device_id.to_be_bytes());
        out.push(count);
        out.extend(HEADER_LEN.to_be_bytes());
        for v in [self.image_properties, self.iris_diameter, self.image_format, self.width, self.height] {
            out.extend(v.to_be_bytes());
        }
        out.push(self.intensity_depth);
        out.push(self.image_transformation);
        out.extend(self.device_unique_id);
        out.extend(body);
        Ok(out)
    }
}
