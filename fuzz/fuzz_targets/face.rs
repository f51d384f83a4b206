//! The face a verifier shows: any bytes as a DG2 (or as the image inside one, JPEG or JPEG 2000) decode to
//! pixels or fail with an error.
#![no_main]
use cccd::lds::dg2::Dg2;
use cccd::lds::dg2::facial::{FaceImage, ImageDataType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg2) = Dg2::decode(data) {
        for face in dg2.faces() {
            let _ = cccd::face::decode(&face);
        }
    }
    for kind in [ImageDataType::Jpeg, ImageDataType::Jpeg2000] {
        let _ = cccd::face::decode(&FaceImage::new(data.to_vec(), kind, 0, 0));
    }
});
