//! ISO/IEC 19794-5:2005 facial record data, as ICAO 9303-10 puts it in DG2's Biometric Data Block.
//!
//! ```text
//! General header   'FAC\0' | '010\0' | record length (4) | number of facial images (2)
//! per face:
//!   Facial information  block length (4) | feature points (2) | gender (1) | eye colour (1) | hair colour (1)
//!                       | property mask (3) | expression (2) | pose yaw/pitch/roll (3) | pose uncertainty (3)
//!   Feature points      8 bytes each: type (1) | major<<4 | minor (1) | x (2) | y (2) | reserved (2)
//!   Image information   face image type (1) | image data type (1) | width (2) | height (2)
//!                       | colour space (1) | source type (1) | device type (2) | quality (2)
//!   Image data          JPEG or JPEG 2000, carried as it is
//! ```
//!
//! All integers are big-endian. Every length is checked against the bytes present.

use core::fmt;

/// What is wrong with a facial record; `offset` counts from the start of the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ISO/IEC 19794-5 record at byte {offset}: {reason}")]
pub struct FacialRecordError {
    /// Offset from the start of the record.
    pub offset: usize,
    /// What is wrong.
    pub reason: &'static str,
}

code_enum!(
    /// Gender (19794-5 §5.5.3).
    Gender: u8 { /** Unspecified. */ Unspecified = 0x00, /** Male. */ Male = 0x01, /** Female. */ Female = 0x02, /** Unknown. */ Unknown = 0xFF }
);
code_enum!(
    /// Eye colour (§5.5.4).
    EyeColour: u8 { /** Unspecified. */ Unspecified = 0x00, /** Black. */ Black = 0x01, /** Blue. */ Blue = 0x02, /** Brown. */ Brown = 0x03, /** Grey. */ Grey = 0x04, /** Green. */ Green = 0x05, /** Multi-coloured. */ MultiColoured = 0x06, /** Pink. */ Pink = 0x07, /** Unknown. */ Unknown = 0xFF }
);
code_enum!(
    /// Hair colour (§5.5.5).
    HairColour: u8 { /** Unspecified. */ Unspecified = 0x00, /** Bald. */ Bald = 0x01, /** Black. */ Black = 0x02, /** Blonde. */ Blonde = 0x03, /** Brown. */ Brown = 0x04, /** Grey. */ Grey = 0x05, /** White. */ White = 0x06, /** Red. */ Red = 0x07, /** Unknown. */ Unknown = 0xFF }
);
code_enum!(
    /// Expression (§5.5.7).
    Expression: u16 { /** Unspecified. */ Unspecified = 0x0000, /** Neutral. */ Neutral = 0x0001, /** Smile, closed jaw. */ SmileClosedJaw = 0x0002, /** Smile, open jaw. */ SmileOpenJaw = 0x0003, /** Raised eyebrows. */ RaisedEyebrows = 0x0004, /** Eyes looking away. */ EyesLookingAway = 0x0005, /** Squinting. */ Squinting = 0x0006, /** Frowning. */ Frowning = 0x0007 }
);
code_enum!(
    /// Face image type (§5.7.1).
    FaceImageType: u8 { /** Basic. */ Basic = 0x00, /** Full frontal. */ FullFrontal = 0x01, /** Token frontal. */ TokenFrontal = 0x02 }
);
code_enum!(
    /// Image data type (§5.7.2).
    ImageDataType: u8 { /** JPEG (ISO/IEC 10918). */ Jpeg = 0x00, /** JPEG 2000 (ISO/IEC 15444). */ Jpeg2000 = 0x01 }
);
code_enum!(
    /// Image colour space (§5.7.5).
    ColourSpace: u8 { /** Unspecified. */ Unspecified = 0x00, /** 24-bit RGB. */ Rgb24 = 0x01, /** YUV 4:2:2. */ Yuv422 = 0x02, /** 8-bit greyscale. */ Grey8 = 0x03, /** Other. */ Vendor = 0x04 }
);
code_enum!(
    /// Source type (§5.7.6).
    SourceType: u8 { /** Unspecified. */ Unspecified = 0x00, /** Static photo, unknown source. */ StaticPhotoUnknown = 0x01, /** Static photo, digital still camera. */ StaticPhotoDigitalCam = 0x02, /** Static photo, scanner. */ StaticPhotoScanner = 0x03, /** Video frame, unknown source. */ VideoFrameUnknown = 0x04, /** Video frame, analogue camera. */ VideoFrameAnalog = 0x05, /** Video frame, digital camera. */ VideoFrameDigital = 0x06, /** Unknown. */ Unknown = 0x07 }
);

/// A feature point (8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeaturePoint {
    /// Feature point type (1 = 2D, per MPEG-4).
    pub kind: u8,
    /// Major code (high nibble of the second byte).
    pub major: u8,
    /// Minor code (low nibble).
    pub minor: u8,
    /// Horizontal position in pixels.
    pub x: u16,
    /// Vertical position in pixels.
    pub y: u16,
    /// The reserved field, kept so that re-encoding is exact.
    pub reserved: u16,
}

/// One facial image with its descriptive data.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage {
    /// Gender.
    pub gender: Gender,
    /// Eye colour.
    pub eye_colour: EyeColour,
    /// Hair colour.
    pub hair_colour: HairColour,
    /// Property mask (24 bits).
    pub property_mask: u32,
    /// Expression.
    pub expression: Expression,
    /// Pose angles: yaw, pitch, roll (encoded as in §5.5.8).
    pub pose_angle: [u8; 3],
    /// Pose angle uncertainty: yaw, pitch, roll.
    pub pose_angle_uncertainty: [u8; 3],
    /// Feature points.
    pub feature_points: Vec<FeaturePoint>,
    /// Face image type.
    pub face_image_type: FaceImageType,
    /// Image data type.
    pub image_data_type: ImageDataType,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// Colour space.
    pub colour_space: ColourSpace,
    /// Source type.
    pub source_type: SourceType,
    /// Device type (vendor specific).
    pub device_type: u16,
    /// Quality (0 = unspecified).
    pub quality: u16,
    /// The encoded image, carried as it is.
    pub image: Vec<u8>,
}

impl fmt::Debug for FaceImage {
    /// Prints the descriptive data and the image length, never the image (it is personal data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaceImage")
            .field("face_image_type", &self.face_image_type)
            .field("image_data_type", &self.image_data_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("feature_points", &self.feature_points.len())
            .field("image_len", &self.image.len())
            .finish_non_exhaustive()
    }
}

impl FaceImage {
    /// A full-frontal face from an encoded image, with unspecified descriptive data (as issuers commonly write).
    pub fn new(image: Vec<u8>, image_data_type: ImageDataType, width: u16, height: u16) -> Self {
        FaceImage {
            gender: Gender::Unspecified,
            eye_colour: EyeColour::Unspecified,
            hair_colour: HairColour::Unspecified,
            property_mask: 0,
            expression: Expression::Unspecified,
            pose_angle: [0; 3],
            pose_angle_uncertainty: [0; 3],
            feature_points: Vec::new(),
            face_image_type: FaceImageType::FullFrontal,
            image_data_type,
            width,
            height,
            colour_space: ColourSpace::Rgb24,
            source_type: SourceType::StaticPhotoDigitalCam,
            device_type: 0,
            quality: 0,
            image,
        }
    }

    fn encoded_len(&self) -> usize {
        20 + 8 * self.feature_points.len() + 12 + self.image.len()
    }
}

/// An ISO/IEC 19794-5 facial record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacialRecord {
    /// The version field, `010\0` for 19794-5:2005.
    pub version: [u8; 4],
    /// The faces (usually one).
    pub faces: Vec<FaceImage>,
}

const FORMAT_ID: [u8; 4] = *b"FAC\0";
const VERSION_2005: [u8; 4] = *b"010\0";
const HEADER_LEN: usize = 14;

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FacialRecordError> {
        let end = self.pos.checked_add(n).ok_or(FacialRecordError { offset: self.pos, reason: what })?;
        let s = self.data.get(self.pos..end).ok_or(FacialRecordError { offset: self.pos, reason: what })?;
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, FacialRecordError> {
        self.take(1, what).map(|s| s.first().copied().unwrap_or(0))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, FacialRecordError> {
        self.take(2, what).map(|s| s.iter().fold(0u16, |a, b| (a << 8) | u16::from(*b)))
    }

    fn u24(&mut self, what: &'static str) -> Result<u32, FacialRecordError> {
        self.take(3, what).map(|s| s.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, FacialRecordError> {
        self.take(4, what).map(|s| s.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
    }

    fn arr3(&mut self, what: &'static str) -> Result<[u8; 3], FacialRecordError> {
        let s = self.take(3, what)?;
        let mut a = [0u8; 3];
        a.copy_from_slice(s);
        Ok(a)
    }
}

impl FacialRecord {
    /// A 19794-5:2005 record with one face.
    pub fn single(face: FaceImage) -> Self {
        FacialRecord { version: VERSION_2005, faces: vec![face] }
    }

    /// Decodes a record; every length must agree with the bytes present.
    pub fn decode(data: &[u8]) -> Result<Self, FacialRecordError> {
        let mut c = Cursor { data, pos: 0 };
        if c.take(4, "record shorter than its header")? != FORMAT_ID {
            return Err(FacialRecordError { offset: 0, reason: "format identifier is not 'FAC\\0'" });
        }
        let mut version = [0u8; 4];
        version.copy_from_slice(c.take(4, "record shorter than its header")?);
        let record_len = c.u32("record shorter than its header")? as usize;
        if record_len != data.len() {
            return Err(FacialRecordError { offset: 8, reason: "record length does not match the data" });
        }
        let count = c.u16("record shorter than its header")?;
        let mut faces = Vec::new();
        for _ in 0..count {
            let start = c.pos;
            let block_len = c.u32("truncated facial information")? as usize;
            let end = start
                .checked_add(block_len)
                .filter(|e| *e <= data.len())
                .ok_or(FacialRecordError { offset: start, reason: "facial record length exceeds the data" })?;
            let n_points = c.u16("truncated facial information")?;
            let gender = Gender::from_code(c.u8("truncated facial information")?);
            let eye_colour = EyeColour::from_code(c.u8("truncated facial information")?);
            let hair_colour = HairColour::from_code(c.u8("truncated facial information")?);
            let property_mask = c.u24("truncated facial information")?;
            let expression = Expression::from_code(c.u16("truncated facial information")?);
            let pose_angle = c.arr3("truncated facial information")?;
            let pose_angle_uncertainty = c.arr3("truncated facial information")?;
            let mut feature_points = Vec::new();
            for _ in 0..n_points {
                let kind = c.u8("truncated feature point")?;
                let code = c.u8("truncated feature point")?;
                let x = c.u16("truncated feature point")?;
                let y = c.u16("truncated feature point")?;
                let reserved = c.u16("truncated feature point")?;
                feature_points.push(FeaturePoint { kind, major: code >> 4, minor: code & 0x0F, x, y, reserved });
            }
            let face_image_type = FaceImageType::from_code(c.u8("truncated image information")?);
            let image_data_type = ImageDataType::from_code(c.u8("truncated image information")?);
            let width = c.u16("truncated image information")?;
            let height = c.u16("truncated image information")?;
            let colour_space = ColourSpace::from_code(c.u8("truncated image information")?);
            let source_type = SourceType::from_code(c.u8("truncated image information")?);
            let device_type = c.u16("truncated image information")?;
            let quality = c.u16("truncated image information")?;
            if c.pos > end {
                return Err(FacialRecordError { offset: start, reason: "facial record length too small" });
            }
            let image = c.take(end - c.pos, "truncated image data")?.to_vec();
            faces.push(FaceImage {
                gender,
                eye_colour,
                hair_colour,
                property_mask,
                expression,
                pose_angle,
                pose_angle_uncertainty,
                feature_points,
                face_image_type,
                image_data_type,
                width,
                height,
                colour_space,
                source_type,
                device_type,
                quality,
                image,
            });
        }
        if c.pos != data.len() {
            return Err(FacialRecordError { offset: c.pos, reason: "trailing data after the last face" });
        }
        Ok(FacialRecord { version, faces })
    }

    /// Encodes the record. Fails only if it does not fit the format's length fields.
    pub fn encode(&self) -> Result<Vec<u8>, FacialRecordError> {
        let too_long = FacialRecordError { offset: 0, reason: "record too long for its length fields" };
        let total = HEADER_LEN + self.faces.iter().map(FaceImage::encoded_len).sum::<usize>();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&FORMAT_ID);
        out.extend_from_slice(&self.version);
        out.extend_from_slice(&u32::try_from(total).map_err(|_| too_long.clone())?.to_be_bytes());
        out.extend_from_slice(&u16::try_from(self.faces.len()).map_err(|_| too_long.clone())?.to_be_bytes());
        for f in &self.faces {
            out.extend_from_slice(&u32::try_from(f.encoded_len()).map_err(|_| too_long.clone())?.to_be_bytes());
            out.extend_from_slice(&u16::try_from(f.feature_points.len()).map_err(|_| too_long.clone())?.to_be_bytes());
            out.extend_from_slice(&[f.gender.code(), f.eye_colour.code(), f.hair_colour.code()]);
            out.extend_from_slice(f.property_mask.to_be_bytes().get(1..).unwrap_or_default());
            out.extend_from_slice(&f.expression.code().to_be_bytes());
            out.extend_from_slice(&f.pose_angle);
            out.extend_from_slice(&f.pose_angle_uncertainty);
            for p in &f.feature_points {
                out.push(p.kind);
                out.push((p.major << 4) | (p.minor & 0x0F));
                out.extend_from_slice(&p.x.to_be_bytes());
                out.extend_from_slice(&p.y.to_be_bytes());
                out.extend_from_slice(&p.reserved.to_be_bytes());
            }
            out.extend_from_slice(&[f.face_image_type.code(), f.image_data_type.code()]);
            out.extend_from_slice(&f.width.to_be_bytes());
            out.extend_from_slice(&f.height.to_be_bytes());
            out.extend_from_slice(&[f.colour_space.code(), f.source_type.code()]);
            out.extend_from_slice(&f.device_type.to_be_bytes());
            out.extend_from_slice(&f.quality.to_be_bytes());
            out.extend_from_slice(&f.image);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FacialRecord {
        let mut face = FaceImage::new(vec![0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9], ImageDataType::Jpeg, 480, 640);
        face.gender = Gender::Female;
        face.expression = Expression::Neutral;
        face.property_mask = 0x00_0001;
        face.feature_points = vec![FeaturePoint { kind: 1, major: 12, minor: 1, x: 200, y: 300, reserved: 0 }];
        FacialRecord::single(face)
    }

    #[test]
    fn round_trip_and_layout() {
        let r = sample();
        let bytes = r.encode().unwrap();
        assert_eq!(&bytes[..8], [b'F', b'A', b'C', 0, b'0', b'1', b'0', 0]);
        assert_eq!(u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as usize, bytes.len());
        assert_eq!(bytes.len(), 14 + 20 + 8 + 12 + 7);
        let d = FacialRecord::decode(&bytes).unwrap();
        assert_eq!(d, r);
        assert_eq!(d.faces[0].feature_points[0].major, 12);
        assert!(!format!("{:?}", d).contains("255, 216"));
    }

    #[test]
    fn bad_records() {
        let bytes = sample().encode().unwrap();
        for cut in 0..bytes.len() {
            assert!(FacialRecord::decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(FacialRecord::decode(&long).unwrap_err().offset, 8);
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(FacialRecord::decode(&bad).unwrap_err().offset, 0);
        // a face block that claims more than the record holds
        let mut bad = bytes.clone();
        bad[14..18].copy_from_slice(&1000u32.to_be_bytes());
        assert_eq!(FacialRecord::decode(&bad).unwrap_err().offset, 14);
    }
}
