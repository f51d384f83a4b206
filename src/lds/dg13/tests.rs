use super::*;
use crate::tlv::TlvErrorKind;

/// A hand-written DG13: fields 1 (PrintableString), 4 (`Nữ`), 13 (two-SEQUENCE parents), 14 (bare), 99 (unknown).
fn sample() -> Vec<u8> {
    let mut v = hex::decode("6D49 3047 020101 0606 28D316010008 313A".replace(' ', "")).unwrap();
    v.extend(hex::decode("3011020101130C").unwrap());
    v.extend(b"001099012345");
    v.extend(hex::decode("30090201040C044EE1BBAF").unwrap());
    v.extend(hex::decode("300D02010D30030C014130030C0142").unwrap());
    v.extend(hex::decode("300302010E").unwrap());
    v.extend(hex::decode("300602016304 01AA".replace(' ', "")).unwrap());
    v
}

#[test]
fn decodes_and_reencodes_byte_identically() {
    let bytes = sample();
    assert_eq!(bytes.len(), 75);
    let d = Dg13::decode(&bytes).unwrap();
    assert_eq!(d.version, 1);
    assert_eq!(d.oid, DG13_OID);
    assert_eq!(d.fields.iter().map(|f| f.number).collect::<Vec<_>>(), [1, 4, 13, 14, 99]);
    assert_eq!(d.field(1), Some(&FieldValue::Text { tag: PRINTABLE_STRING, text: "001099012345".into() }));
    assert_eq!(d.text(4), Some("Nữ"));
    assert_eq!(d.parents(), (Some("A"), Some("B")));
    assert_eq!(d.field(14), Some(&FieldValue::Spouse(None)));
    assert_eq!(d.field(99), Some(&FieldValue::Other(vec![0x04, 0x01, 0xAA])));
    assert_eq!(d.raw(), Some(&bytes[..]));
    assert_eq!(d.encode().unwrap(), bytes);
    let dbg = format!("{d:?}");
    assert!(!dbg.contains("001099012345") && !dbg.contains("Nữ"), "{dbg}");
}

#[test]
fn long_form_lengths_anywhere() {
    let short = sample();
    let mut long = hex::decode("6D82004E 30814B 020101 0606 28D316010008 31813D".replace(' ', "")).unwrap();
    long.extend(hex::decode("308113020101138200 0C".replace(' ', "")).unwrap());
    long.extend(b"001099012345");
    long.extend_from_slice(&short[2 + 2 + 3 + 8 + 2 + 19..]);
    let d = Dg13::decode(&long).unwrap();
    assert_eq!(d.text(1), Some("001099012345"));
    assert_eq!(d.raw(), Some(&long[..]));
    assert_eq!(d.encode().unwrap(), short);
}

#[test]
fn parents_single_sequence_form_and_spouse() {
    // field 13 as one SEQUENCE holding both names; field 14 with a spouse.
    let fields = hex::decode("300E02010D30090C03C3814E0C024242 300A02010E30050C03414243".replace(' ', "")).unwrap();
    let mut body = hex::decode("020101060628D316010008").unwrap();
    body.extend(crate::tlv::encode_tlv(SET, &fields));
    let seq = crate::tlv::encode_tlv(SEQUENCE, &body);
    let bytes = crate::tlv::encode_tlv(Tag::new(0x6D), &seq);
    let d = Dg13::decode(&bytes).unwrap();
    assert_eq!(d.parents(), (Some("ÁN"), Some("BB")));
    assert_eq!(d.spouse(), Some("ABC"));
    // encoded in the two-SEQUENCE form
    let re = Dg13::decode(&d.encode().unwrap()).unwrap();
    assert_eq!(re.fields, d.fields);
    let enc = d.encode().unwrap();
    let needle = hex::decode("301002010D30050C03C3814E30040C024242").unwrap();
    assert!(enc.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn rejects_truncated_trailing_and_garbage() {
    let bytes = sample();
    for n in 0..bytes.len() {
        let e = Dg13::decode(&bytes[..n]).unwrap_err();
        assert!(matches!(e.kind, LdsErrorKind::Tlv(_)), "{n}: {e}");
    }
    let mut long = bytes.clone();
    long.push(0x00);
    let padded = Dg13::decode(&long).unwrap();
    assert_eq!(
        padded.warnings(),
        [crate::lds::DecodeWarning {
            offset: bytes.len(),
            kind: crate::lds::DecodeWarningKind::Padding { byte: 0, len: 1 }
        }]
    );
    assert_eq!(padded.raw(), Some(&bytes[..]));
    // trailing data inside the SEQUENCE (after the SET)
    let mut inner = bytes.clone();
    inner[1] += 2;
    inner[3] += 2;
    inner.extend([0x05, 0x00]);
    assert!(matches!(Dg13::decode(&inner).unwrap_err().kind, LdsErrorKind::Tlv(TlvErrorKind::TrailingData(2))));
    assert!(Dg13::decode(b"garbage garbage").is_err());
    assert!(Dg13::decode(&[0x61, 0x00]).is_err());
    // a field that is not a SEQUENCE
    let mut bad = bytes.clone();
    bad[17] = 0x31;
    assert!(matches!(Dg13::decode(&bad).unwrap_err().kind, LdsErrorKind::Invalid { .. }));
    // invalid UTF-8 in a string
    let mut bad = bytes.clone();
    let pos = bytes.windows(4).position(|w| w == [0x4E, 0xE1, 0xBB, 0xAF]).unwrap();
    bad[pos + 1] = 0xFF;
    let e = Dg13::decode(&bad).unwrap_err();
    assert_eq!(e.offset, Some(pos));
    // negative field number
    let mut bad = bytes;
    bad[21] = 0x81;
    assert!(matches!(Dg13::decode(&bad).unwrap_err().kind, LdsErrorKind::Invalid { .. }));
}

#[test]
fn printable_string_is_checked_on_encode() {
    let mut d = Dg13::new();
    d.set(1, FieldValue::Text { tag: PRINTABLE_STRING, text: "Nữ".into() });
    assert!(matches!(d.encode().unwrap_err().kind, LdsErrorKind::Unencodable { .. }));
    d.set(1, FieldValue::Text { tag: UTF8_STRING, text: "Nữ".into() });
    assert!(d.encode().is_ok());
    assert_eq!(integer_bytes(0), [0]);
    assert_eq!(integer_bytes(0x80), [0, 0x80]);
    assert_eq!(integer_bytes(0x0100), [1, 0]);
}
