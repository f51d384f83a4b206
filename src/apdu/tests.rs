use super::*;
use proptest::prelude::*;

fn hx(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn encode_every_case() {
    // Case 1.
    assert_eq!(CommandApdu::new(0, 0x44, 0, 0).to_bytes().unwrap(), hx("00440000"));
    // Case 2S, Le = 00 means 256.
    assert_eq!(CommandApdu::new(0, 0x84, 0, 0).with_le(8).to_bytes().unwrap(), hx("0084000008"));
    assert_eq!(CommandApdu::new(0, 0xB0, 0, 0).with_le(256).to_bytes().unwrap(), hx("00B0000000"));
    // Case 3S (ICAO D.4.1 SELECT EF.COM).
    assert_eq!(CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(hx("011E")).to_bytes().unwrap(), hx("00A4020C02011E"));
    // Case 4S.
    assert_eq!(
        CommandApdu::new(0, 0x82, 0, 0).with_data(vec![0xAA; 2]).with_le(0x28).to_bytes().unwrap(),
        hx("0082000002AAAA28")
    );
    // Case 2E, 65536 is 0000.
    assert_eq!(CommandApdu::new(0, 0xB0, 0, 0).with_le(65536).to_bytes().unwrap(), hx("00B00000000000"));
    assert_eq!(CommandApdu::new(0, 0xB0, 0, 0).with_le(257).to_bytes().unwrap(), hx("00B00000000101"));
    assert_eq!(CommandApdu::new(0, 0xB0, 0, 0).with_le(4).extended().to_bytes().unwrap(), hx("00B00000000004"));
    // Case 3E.
    let big = vec![0x5A; 300];
    let enc = CommandApdu::new(0, 0xD6, 0, 0).with_data(big.clone()).to_bytes().unwrap();
    assert_eq!(enc[..7], hx("00D6000000012C")[..]);
    assert_eq!(enc.len(), 307);
    // Case 4E.
    let enc = CommandApdu::new(0, 0x88, 0, 0).with_data(hx("0102")).with_le(65536).extended().to_bytes().unwrap();
    assert_eq!(enc, hx("0088000000000201020000"));
    // Errors.
    assert_eq!(CommandApdu::new(0, 0, 0, 0).with_le(0).to_bytes(), Err(ApduError::InvalidLe(0)));
    assert_eq!(CommandApdu::new(0, 0, 0, 0).with_le(65537).to_bytes(), Err(ApduError::InvalidLe(65537)));
    assert_eq!(CommandApdu::new(0, 0, 0, 0).with_data(vec![0; 65536]).to_bytes(), Err(ApduError::DataTooLong(65536)));
}

#[test]
fn parse_every_case() {
    let p = |s: &str| CommandApdu::from_bytes(&hx(s));
    let a = p("00440000").unwrap();
    assert_eq!((a.ins, a.data.len(), a.le), (0x44, 0, None));
    assert_eq!(p("0084000008").unwrap().le, Some(8));
    assert_eq!(p("00B0000000").unwrap().le, Some(256));
    let a = p("00A4020C02011E").unwrap();
    assert_eq!((a.data, a.le), (hx("011E"), None));
    let a = p("0082000002AAAA00").unwrap();
    assert_eq!((a.data, a.le, a.form), (hx("AAAA"), Some(256), LengthForm::Auto));
    let a = p("00B00000000000").unwrap();
    assert_eq!((a.le, a.form), (Some(65536), LengthForm::Extended));
    let a = p("00880000000002010200FF").unwrap();
    assert_eq!((a.data, a.le), (hx("0102"), Some(255)));
    let a = p("0088000000000201020000").unwrap();
    assert_eq!(a.le, Some(65536));
    let a = p("008800000000020102").unwrap();
    assert_eq!((a.data, a.le), (hx("0102"), None));
}

#[test]
fn parse_rejects_malformed() {
    let p = |s: &str| CommandApdu::from_bytes(&hx(s));
    assert_eq!(p("004400"), Err(ApduError::TooShort { len: 3, min: 4 }));
    assert_eq!(p(""), Err(ApduError::TooShort { len: 0, min: 4 }));
    // Lc longer than the data.
    assert!(matches!(p("00A4020C03011E"), Err(ApduError::LengthMismatch { offset: 4, .. })));
    // Two bytes after data in a short APDU.
    assert!(matches!(p("00A4020C02011E0000"), Err(ApduError::LengthMismatch { .. })));
    // 00 followed by a single byte.
    assert!(matches!(p("00B0000000FF"), Err(ApduError::LengthMismatch { offset: 4, .. })));
    // Extended Lc of zero.
    assert_eq!(p("00D600000000000102"), Err(ApduError::ZeroLc));
    // Extended Lc longer than the data, and one byte of Le.
    assert!(matches!(p("00D60000000005010203"), Err(ApduError::LengthMismatch { .. })));
    assert!(matches!(p("00D6000000000201020A"), Err(ApduError::LengthMismatch { .. })));
    assert!(matches!(p("00D600000000020102000000"), Err(ApduError::LengthMismatch { .. })));
}

#[test]
fn response_apdu() {
    let r = ResponseApdu::from_bytes(&hx("4608F919887022129000")).unwrap();
    assert_eq!(r.data, hx("4608F91988702212"));
    assert!(r.is_success());
    assert_eq!(r.to_bytes(), hx("4608F919887022129000"));
    assert_eq!(ResponseApdu::from_bytes(&hx("6A82")).unwrap(), ResponseApdu::status(StatusWord::FileNotFound));
    assert_eq!(ResponseApdu::from_bytes(&hx("90")), Err(ApduError::TooShort { len: 1, min: 2 }));
}

#[test]
fn debug_redacts_data() {
    let c = CommandApdu::new(0, 0x82, 0, 0).with_data(hx("DEADBEEFCAFE")).with_le(40);
    let r = ResponseApdu::new(hx("DEADBEEFCAFE"), StatusWord::Success);
    let s = format!("{c:?} {r:?}");
    assert!(!s.to_uppercase().contains("DEAD") && !s.contains("222"), "{s}");
    assert!(s.contains("nc: 6") && s.contains("nr: 6") && s.contains("00820000"), "{s}");
}

#[test]
fn chaining() {
    let c = CommandApdu::new(0x00, 0xDB, 0x3F, 0xFF).with_data((0..10u8).collect::<Vec<_>>()).with_le(256);
    let chain = c.chain(4).unwrap();
    assert_eq!(chain.len(), 3);
    assert_eq!(chain.iter().map(|a| a.cla).collect::<Vec<_>>(), [0x10, 0x10, 0x00]);
    assert_eq!(chain.iter().map(|a| a.le).collect::<Vec<_>>(), [None, None, Some(256)]);
    assert!(chain[0].is_chained() && !chain[2].is_chained());
    assert_eq!(chain.iter().flat_map(|a| a.data.clone()).collect::<Vec<_>>(), c.data);
    assert_eq!(c.chain(10).unwrap(), vec![c.clone()]);
    assert_eq!(c.chain(0), Err(ApduError::InvalidChunkSize));
}

fn arb_command() -> impl Strategy<Value = CommandApdu> {
    (
        any::<[u8; 4]>(),
        prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), Just(Vec::new())],
        prop_oneof![Just(None), (1usize..=65536).prop_map(Some), (1usize..=256).prop_map(Some)],
        any::<bool>(),
    )
        .prop_map(|([cla, ins, p1, p2], data, le, ext)| {
            let c = CommandApdu { cla, ins, p1, p2, data, le, form: LengthForm::Auto };
            if ext { c.extended() } else { c }
        })
}

proptest! {
    #[test]
    fn encode_parse_encode(c in arb_command()) {
        let bytes = c.to_bytes().unwrap();
        let parsed = CommandApdu::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&parsed.data, &c.data);
        prop_assert_eq!(parsed.le, c.le);
        prop_assert_eq!(parsed.header(), c.header());
        prop_assert_eq!(parsed.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(c) = CommandApdu::from_bytes(&bytes) {
            prop_assert_eq!(c.to_bytes().unwrap(), bytes);
        }
    }
}
