//! Property tests: encode → decode → encode is the identity for BER-TLV, EF.COM, DG2 (with its ISO/IEC
//! 19794-5 record), DG11 and DG12, and decoders never panic on arbitrary bytes.
use cccd::lds::LdsFile;
use cccd::lds::com::{Com, ComEntry};
use cccd::lds::details::{DetailFields, Dg11, Dg12, Field, FieldValue};
use cccd::lds::dg2::facial::{
    ColourSpace, EyeColour, FaceImage, FaceImageType, FacialRecord, FeaturePoint, Gender, HairColour, ImageDataType,
    SourceType,
};
use cccd::lds::dg2::{BiometricData, BiometricTemplate, Dg2};
use cccd::tlv::{Tag, TlvReader, TlvWriter};
use proptest::prelude::*;

fn tag() -> impl Strategy<Value = Tag> {
    prop_oneof![
        (0x01u32..=0x1E).prop_map(|t| Tag::new(t | 0x80)),
        (0x1Fu32..=0x7F).prop_map(|t| Tag::new(0x5F00 | t)),
        (0x1Fu32..=0x7F).prop_map(|t| Tag::new(0x9F00 | t)),
    ]
}

proptest! {
    #[test]
    fn tlv_round_trip(items in proptest::collection::vec((tag(), proptest::collection::vec(any::<u8>(), 0..300)), 0..8)) {
        let mut w = TlvWriter::new();
        for (t, v) in &items {
            w.primitive(*t, v);
        }
        let bytes = w.into_bytes();
        let read: Vec<(Tag, Vec<u8>)> = TlvReader::new(&bytes)
            .map(|t| t.map(|t| (t.tag(), t.value().to_vec())))
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(read, items);
    }

    #[test]
    fn tlv_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        for t in TlvReader::new(&bytes).flatten() {
            prop_assert!(t.raw().len() <= bytes.len());
        }
    }

    #[test]
    fn com_round_trip(dgs in proptest::collection::vec(1u8..=16, 0..16), extra in proptest::option::of(0x80u8..=0xFF),
                      v in (0u8..100, 0u8..100), u in (0u8..100, 0u8..100, 0u8..100)) {
        let mut com = Com::new(dgs.into_iter().filter_map(LdsFile::dg).collect());
        com.lds_version = v;
        com.unicode_version = u;
        if let Some(t) = extra {
            com.entries.push(ComEntry::Unknown(t));
        }
        let bytes = com.encode();
        let back = Com::decode(&bytes).unwrap();
        prop_assert_eq!(back.encode(), bytes);
        prop_assert_eq!(back, com);
    }

    #[test]
    fn dg2_round_trip(
        image in proptest::collection::vec(any::<u8>(), 0..2000),
        w in any::<u16>(), h in any::<u16>(),
        codes in (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()),
        mask in 0u32..0x0100_0000, expression in any::<u16>(),
        pose in any::<[u8; 3]>(), unc in any::<[u8; 3]>(),
        points in proptest::collection::vec((any::<u8>(), 0u8..16, 0u8..16, any::<u16>(), any::<u16>()), 0..5),
        templates in 1usize..3,
    ) {
        let mut face = FaceImage::new(image, ImageDataType::from_code(codes.0), w, h);
        face.gender = Gender::from_code(codes.1);
        face.eye_colour = EyeColour::from_code(codes.2);
        face.hair_colour = HairColour::from_code(codes.3);
        face.face_image_type = FaceImageType::from_code(codes.4);
        face.colour_space = ColourSpace::from_code(codes.5);
        face.source_type = SourceType::from_code(codes.6);
        face.property_mask = mask;
        face.expression = cccd::lds::dg2::facial::Expression::from_code(expression);
        face.pose_angle = pose;
        face.pose_angle_uncertainty = unc;
        face.feature_points = points.into_iter()
            .map(|(kind, major, minor, x, y)| FeaturePoint { kind, major, minor, x, y, reserved: 0 })
            .collect();
        let record = FacialRecord::single(face);
        let rec_bytes = record.encode().unwrap();
        prop_assert_eq!(&FacialRecord::decode(&rec_bytes).unwrap(), &record);
        let mut t = BiometricTemplate::face(record.faces[0].clone());
        t.data = BiometricData::Facial(record);
        let dg = Dg2 { templates: vec![t; templates], warnings: Vec::new() };
        let bytes = dg.encode().unwrap();
        let back = Dg2::decode(&bytes).unwrap();
        prop_assert_eq!(back.encode().unwrap(), bytes);
        prop_assert_eq!(back, dg);
    }

    #[test]
    fn dg11_dg12_round_trip(
        singles in proptest::collection::btree_map(0x5F0Eu32..=0x5F1E, proptest::collection::vec(any::<u8>(), 0..60), 0..8),
        repeated in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..30), 1..4),
    ) {
        let mut fields = DetailFields::default();
        for (t, v) in &singles {
            fields.fields.push(Field { tag: Tag::new(*t), value: FieldValue::Single(v.clone()) });
        }
        fields.set_repeated(0x5F0F, repeated);
        let dg11 = Dg11 { fields: fields.clone(), warnings: Vec::new() };
        let bytes = dg11.encode().unwrap();
        let back = Dg11::decode(&bytes).unwrap();
        prop_assert_eq!(back.encode().unwrap(), bytes);
        prop_assert_eq!(back, dg11);
        let dg12 = Dg12 { fields, warnings: Vec::new() };
        let bytes = dg12.encode().unwrap();
        prop_assert_eq!(Dg12::decode(&bytes).unwrap(), dg12);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Com::decode(&bytes);
        let _ = Dg2::decode(&bytes);
        let _ = FacialRecord::decode(&bytes);
        let _ = Dg11::decode(&bytes);
        let _ = Dg12::decode(&bytes);
    }
}
