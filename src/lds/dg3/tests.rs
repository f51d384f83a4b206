use super::finger::{FingerView, Impression};
use super::iris::{IrisEye, IrisImage};
use super::*;

/// A 19794-4 record written byte by byte from the table in the module docs.
fn hand_record() -> Vec<u8> {
    let image = [0xFF, 0xA0, 0xFF, 0xA4, 1, 2, 3];
    let mut r = b"FIR\x00010\x00".to_vec();
    let total = 32 + 14 + image.len();
    r.extend(&(total as u64).to_be_bytes()[2..]);
    r.extend([0x01, 0x23]); // capture device id
    r.extend([0x00, 0x1F]); // acquisition level 31
    r.push(1); // fingers
    r.push(1); // ppi
    r.extend([0x01, 0xF4, 0x01, 0xF4, 0x01, 0xF4, 0x01, 0xF4]); // 500 x 500, 500 x 500
    r.push(8);
    r.push(2); // WSQ
    r.extend([0, 0]);
    r.extend(((14 + image.len()) as u32).to_be_bytes());
    r.extend([7, 1, 1, 88, 1]); // left index, 1 view, view 1, quality 88, rolled
    r.extend([0x01, 0x90, 0x01, 0xF4]); // 400 x 500
    r.push(0);
    r.extend(image);
    r
}

#[test]
fn finger_record_fields_decode_at_their_offsets() {
    let rec = FingerRecord::decode(&hand_record()).unwrap();
    assert_eq!(rec.capture_device_id, 0x0123);
    assert_eq!(rec.acquisition_level, 31);
    assert_eq!((rec.scale_units, rec.scan_resolution, rec.image_resolution), (1, (500, 500), (500, 500)));
    assert_eq!((rec.pixel_depth, rec.compression), (8, FingerCompression::Wsq));
    assert!(!rec.length_mismatch);
    let v = &rec.views[0];
    assert_eq!(v.position, FingerPosition::LeftIndex);
    assert_eq!((v.view_count, v.view_number, v.quality), (1, 1, 88));
    assert_eq!(v.impression, Impression::LiveScanRolled);
    assert_eq!((v.width, v.height), (400, 500));
    assert_eq!(ImageCodec::sniff(&v.image), ImageCodec::Wsq);
    assert_eq!(rec.encode().unwrap(), hand_record());
    // errors name the offset
    for cut in 0..hand_record().len() {
        assert!(FingerRecord::decode(&hand_record()[..cut]).is_err(), "cut {cut}");
    }
    let mut bad = hand_record();
    bad[4] = b'9';
    assert_eq!(FingerRecord::decode(&bad).unwrap_err().offset, 4);
    let mut long = hand_record();
    long.push(0);
    assert_eq!(FingerRecord::decode(&long).unwrap_err().offset, hand_record().len());
    // a wrong record length field is tolerated and noted
    let mut lying = hand_record();
    lying[13] ^= 1;
    assert!(FingerRecord::decode(&lying).unwrap().length_mismatch);
}

#[test]
fn subtypes_and_names_of_fingers() {
    assert_eq!(FingerPosition::RightIndex.cbeff_subtype(), 0x09);
    assert_eq!(FingerPosition::LeftIndex.cbeff_subtype(), 0x0A);
    assert_eq!(FingerPosition::RightThumb.cbeff_subtype(), 0x05);
    assert_eq!(FingerPosition::LeftLittle.cbeff_subtype(), 0x16);
    assert_eq!(FingerPosition::from_name("right-index"), Some(FingerPosition::RightIndex));
    assert_eq!(FingerPosition::from_name("L_thumb"), Some(FingerPosition::LeftThumb));
    assert_eq!(FingerPosition::from_name("7"), Some(FingerPosition::LeftIndex));
    assert_eq!(FingerPosition::from_name("nose"), None);
    assert_eq!(FingerPosition::from_name("99"), None);
}

fn png() -> Vec<u8> {
    let mut v = vec![0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    v.extend(0..200u8);
    v
}

#[test]
fn dg3_with_two_fingers_round_trips() {
    let dg = Dg3::fingerprints(vec![
        FingerImage {
            position: FingerPosition::RightIndex,
            compression: FingerCompression::Png,
            width: 300,
            height: 400,
            image: png(),
        },
        FingerImage {
            position: FingerPosition::LeftIndex,
            compression: FingerCompression::Wsq,
            width: 300,
            height: 400,
            image: vec![0xFF, 0xA0, 9],
        },
    ]);
    let bytes = dg.encode().unwrap();
    assert_eq!(bytes[0], 0x63);
    let back = Dg3::decode(&bytes).unwrap();
    assert_eq!(back, dg);
    assert_eq!(back.encode().unwrap(), bytes);
    assert_eq!(back.templates[0].header_value(0x82), Some(&[0x09][..]));
    assert_eq!(back.templates[1].header_value(0x82), Some(&[0x0A][..]));
    assert_eq!(back.templates[0].format_type(), Some(0x0007));
    let views: Vec<_> = back.finger_views().map(|(_, v)| v.position).collect();
    assert_eq!(views, vec![FingerPosition::RightIndex, FingerPosition::LeftIndex]);
    for cut in 0..bytes.len() {
        assert!(Dg3::decode(&bytes[..cut]).is_err(), "cut {cut}");
    }
    // a broken record reports an offset inside the file
    let mut bad = bytes.clone();
    let fir = bytes.windows(4).position(|w| w == b"FIR\0").unwrap();
    bad[fir + 4] = b'9';
    let e = Dg3::decode(&bad).unwrap_err();
    assert_eq!(e.offset, Some(fir + 4));
    // a 39794 block without its mandatory elements is a typed error inside the file
    let mut other = dg.clone();
    other.templates[0].record = BiometricRecord::Other { tag: Tag::new(0x7F2E), value: vec![0xA1, 0x02, 0x64, 0x00] };
    let bytes = other.encode().unwrap();
    let e = Dg3::decode(&bytes).unwrap_err();
    assert_eq!(e.kind, LdsErrorKind::Missing("versionBlock"));
    assert_eq!(
        e.offset,
        Some(bytes.windows(7).position(|w| w == [0x7F, 0x2E, 0x04, 0xA1, 0x02, 0x64, 0x00]).unwrap() + 7)
    );
    // a constructed block in another format is kept as bytes
    other.templates[0].record = BiometricRecord::Other { tag: Tag::new(0x7F2E), value: vec![0x30, 0x00] };
    assert_eq!(Dg3::decode(&other.encode().unwrap()).unwrap(), other);
}

#[test]
fn zero_instance_dg3_and_dg4_iris() {
    let zero = BiometricGroup::zero_instances(LdsFile::dg(3).unwrap(), vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let bytes = zero.encode().unwrap();
    assert_eq!(bytes, hex::decode("63107f610302010053080102030405060708").unwrap());
    assert_eq!(Dg3::decode(&bytes).unwrap(), zero);

    let iris = IrisRecord {
        capture_device_id: 7,
        image_properties: 0x0205,
        iris_diameter: 200,
        image_format: 0x000E,
        width: 640,
        height: 480,
        intensity_depth: 8,
        image_transformation: 0,
        device_unique_id: *b"D000000000000042",
        eyes: vec![IrisEye {
            eye: 1,
            images: vec![IrisImage {
                number: 1,
                quality: 90,
                rotation_angle: 0xFFFF,
                rotation_uncertainty: 0xFFFF,
                image: vec![0xFF, 0x4F, 0xFF, 0x51, 0],
            }],
        }],
        length_mismatch: false,
    };
    let rec = iris.encode().unwrap();
    assert_eq!(&rec[..12], b"IIR\x00010\x00\x00\x00\x00\x40");
    assert_eq!(rec.len(), 45 + 3 + 11 + 5);
    assert_eq!(&rec[15..17], &[0, 45]);
    assert_eq!(IrisRecord::decode(&rec).unwrap(), iris);
    let dg4 = Dg4::irises(vec![iris]);
    let bytes = dg4.encode().unwrap();
    assert_eq!(bytes[0], 0x76);
    let back = Dg4::decode(&bytes).unwrap();
    assert_eq!(back, dg4);
    assert_eq!(back.file, LdsFile::dg(4).unwrap());
    assert_eq!(back.templates[0].header_value(0x81), Some(&[0x10][..]));
    for cut in 0..rec.len() {
        assert!(IrisRecord::decode(&rec[..cut]).is_err(), "cut {cut}");
    }
}

#[test]
fn views_do_not_print_images() {
    let v = FingerView {
        position: FingerPosition::RightIndex,
        view_count: 1,
        view_number: 1,
        quality: 1,
        impression: Impression::LiveScanPlain,
        width: 1,
        height: 1,
        reserved: 0,
        image: vec![0xAB; 4],
    };
    assert!(!format!("{v:?}").contains("171"));
}
