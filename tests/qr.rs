//! The card's QR code: payload round trips and errors, rendering checked by zbar, scanning of
//! qrencode output, scan errors. Synthetic photos are in `qr_photo.rs`.
//!
//! `zbarimg` (zbar-tools) and `qrencode` must be installed: the tests fail, with a message saying so,
//! when they are not.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use cccd::qr::{
    EcLevel, FieldErrorKind, ImageFault, QrError, QrField, QrLayout, QrPayload, QrSize, RenderOptions, Sex,
    encode_matrix, render_luma, render_png, render_svg, scan_image, scan_luma,
};
use image::{GrayImage, ImageEncoder, Luma};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

const SAMPLE_2021: &str =
    "001099012345|123456789|Nguyễn Văn A|15011999|Nam|Số 1 Đường X, Phường Y, Quận Z, Hà Nội|20042021";
const SAMPLE_2024: &str = "079303001234||Trần Thị Bích Ngọc|29022004|Nữ|Tổ 5, Khu phố Mỹ Hoà, Phường Tân Định, Quận 1, Thành phố Hồ Chí Minh|05082024||||";
const FEMALE_NO_CMND: &str =
    "038186009876||LÊ THỊ HỒNG NHUNG|31121986|Nữ|Thôn Đông Ổ, Xã Quảng Thịnh, Huyện Quảng Xương, Thanh Hóa|11072021";
const OLD_12_DIGIT_CMND: &str =
    "001200054321|012345678901|Đặng Quốc Hưng|01022000|Nam|Ngõ 18 Phố Huế, Hai Bà Trưng, Hà Nội|30062021";

fn payloads() -> [&'static str; 4] {
    [SAMPLE_2021, SAMPLE_2024, FEMALE_NO_CMND, OLD_12_DIGIT_CMND]
}

// ---------------------------------------------------------------------------------------------
// External tools

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

fn temp_path(ext: &str) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("cccd-qr-test-{}-{n}.{ext}", std::process::id()))
}

fn run_tool(cmd: &mut Command, name: &str, package: &str) -> std::process::Output {
    match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("`{name}` is not installed; these tests need it (apt-get install {package})")
        }
        Err(e) => panic!("could not run `{name}`: {e}"),
    }
}

/// `zbarimg -q` with `extra` arguments: its standard output.
fn zbarimg(png: &[u8], extra: &[&str]) -> Vec<u8> {
    let path = temp_path("png");
    std::fs::write(&path, png).unwrap();
    let out = run_tool(Command::new("zbarimg").args(extra).arg("-q").arg(&path), "zbarimg", "zbar-tools");
    std::fs::remove_file(&path).unwrap();
    assert!(out.status.success(), "zbarimg found no symbol (status {:?})", out.status);
    out.stdout
}

/// `zbarimg --raw -Sbinary`: the symbol's bytes exactly, without zbar's charset guessing and without
/// a trailing newline.
fn zbar_binary(png: &[u8]) -> Vec<u8> {
    zbarimg(png, &["--raw", "-Sbinary"])
}

/// `zbarimg --raw`: the text after zbar's charset guess (plain `--raw` still guesses, and reads short
/// UTF-8 text such as `Nữ` as Shift-JIS), with its trailing newline removed.
fn zbar_raw(png: &[u8]) -> Vec<u8> {
    let mut out = zbarimg(png, &["--raw"]);
    assert_eq!(out.pop(), Some(b'\n'), "zbarimg --raw ends its output with a newline");
    out
}

/// `qrencode -o file.png` with extra arguments; the PNG bytes.
fn qrencode(data: &[u8], args: &[&str]) -> Vec<u8> {
    let input = temp_path("txt");
    let output = temp_path("png");
    std::fs::write(&input, data).unwrap();
    let out = run_tool(
        Command::new("qrencode").args(args).arg("-r").arg(&input).arg("-o").arg(&output),
        "qrencode",
        "qrencode",
    );
    assert!(out.status.success(), "qrencode failed: {}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&output).unwrap();
    std::fs::remove_file(&input).unwrap();
    std::fs::remove_file(&output).unwrap();
    png
}

// ---------------------------------------------------------------------------------------------
// Payload

#[test]
fn parses_both_layouts() {
    let p = QrPayload::parse(SAMPLE_2024).unwrap();
    assert_eq!(p.layout, QrLayout::V2024);
    assert_eq!(p.id_number, "079303001234");
    assert_eq!(p.old_id_number, None);
    assert_eq!(p.full_name, "Trần Thị Bích Ngọc");
    assert_eq!(p.date_of_birth, date!(2004 - 02 - 29));
    assert_eq!(p.sex, Sex::Female);
    assert_eq!(p.place_of_residence, "Tổ 5, Khu phố Mỹ Hoà, Phường Tân Định, Quận 1, Thành phố Hồ Chí Minh");
    assert_eq!(p.date_of_issue, date!(2024 - 08 - 05));
    assert_eq!(p.extra, vec![String::new(); 4]);
    p.validate().unwrap();
    assert_eq!(p.build(), SAMPLE_2024);

    for text in payloads() {
        let p = QrPayload::parse(text).unwrap();
        p.validate().unwrap();
        assert_eq!(p.build(), text);
    }
    let p = QrPayload::parse(OLD_12_DIGIT_CMND).unwrap();
    assert_eq!(p.old_id_number.as_deref(), Some("012345678901"));
    assert_eq!(p.layout, QrLayout::V2021);
}

#[test]
fn parse_is_tolerant() {
    let expected = QrPayload::parse(SAMPLE_2021).unwrap();
    for variant in [
        format!("{SAMPLE_2021}\n"),
        format!("{SAMPLE_2021}\r\n"),
        format!("{SAMPLE_2021}\r"),
        format!("\u{FEFF}{SAMPLE_2021}"),
        format!("\u{FEFF}{SAMPLE_2021}\r\n"),
        format!("{SAMPLE_2021}\n\n\r\n"),
    ] {
        assert_eq!(QrPayload::parse(&variant).unwrap(), expected);
        assert_eq!(QrPayload::parse_bytes(variant.as_bytes()).unwrap(), expected);
    }
    // "Nữ" decomposed (NFD: N, u, combining horn, combining tilde) reads as female, rebuilt in NFC.
    let nfd = FEMALE_NO_CMND.replace("Nữ", "Nu\u{31B}\u{303}");
    let p = QrPayload::parse(&nfd).unwrap();
    assert_eq!(p.sex, Sex::Female);
    assert_eq!(p.build(), FEMALE_NO_CMND);
    // More than 11 fields: a 2024 payload whose extra fields are kept verbatim.
    let longer = format!("{}|0123|Hộ gia đình", SAMPLE_2024.trim_end_matches('|'));
    let longer = longer.replacen("05082024", "05082024||||", 1);
    let p = QrPayload::parse(&longer).unwrap();
    assert_eq!(p.layout, QrLayout::V2024);
    assert_eq!(p.extra, ["", "", "", "", "0123", "Hộ gia đình"]);
    p.validate().unwrap();
    assert_eq!(p.build(), longer);
    // Extra fields with content in the 4 fields of 2024 are kept too.
    let filled = SAMPLE_2024.replace("05082024||||", "05082024|001234567890|Chủ hộ||x");
    let p = QrPayload::parse(&filled).unwrap();
    assert_eq!(p.extra, ["001234567890", "Chủ hộ", "", "x"]);
    assert_eq!(p.build(), filled);
    // Line breaks at the end go, even after an extra field; inside a field they stay.
    let p = QrPayload::parse(&format!("{filled}\r\r")).unwrap();
    assert_eq!(p.extra, ["001234567890", "Chủ hộ", "", "x"]);
    let inner = SAMPLE_2024.replace("05082024||||", "05082024|a\nb|||");
    assert_eq!(QrPayload::parse(&inner).unwrap().extra, ["a\nb", "", "", ""]);
}

fn field_err(field: QrField, offset: usize, kind: FieldErrorKind) -> QrError {
    QrError::Field { field, offset: Some(offset), kind }
}

#[test]
fn malformed_payloads_give_exact_errors() {
    let s = SAMPLE_2021;
    let at = |needle: &str| s.find(needle).unwrap();
    let cases: Vec<(String, QrError)> = vec![
        (String::new(), QrError::FieldCount { found: 1 }),
        ("a|b|c".into(), QrError::FieldCount { found: 3 }),
        (format!("{s}|"), QrError::FieldCount { found: 8 }),
        (format!("{s}|||"), QrError::FieldCount { found: 10 }),
        (s.replacen("|", "", 1), QrError::FieldCount { found: 6 }),
        (
            s.replace("001099012345", "00109901234"),
            field_err(QrField::IdNumber, 0, FieldErrorKind::WrongLength { found: 11, expected: "12" }),
        ),
        (
            s.replace("001099012345", "0010990123456"),
            field_err(QrField::IdNumber, 0, FieldErrorKind::WrongLength { found: 13, expected: "12" }),
        ),
        (
            s.replace("001099012345", "00109901234X"),
            field_err(QrField::IdNumber, 0, FieldErrorKind::NonDigit { position: 11 }),
        ),
        (
            s.replace("001099012345", "００1099012345"),
            field_err(QrField::IdNumber, 0, FieldErrorKind::NonDigit { position: 0 }),
        ),
        (s.replace("001099012345", ""), field_err(QrField::IdNumber, 0, FieldErrorKind::Empty)),
        (
            s.replace("123456789", "12345678"),
            field_err(QrField::OldIdNumber, 13, FieldErrorKind::WrongLength { found: 8, expected: "9 or 12" }),
        ),
        (
            s.replace("123456789", "12345678a"),
            field_err(QrField::OldIdNumber, 13, FieldErrorKind::NonDigit { position: 8 }),
        ),
        (s.replace("Nguyễn Văn A", ""), field_err(QrField::FullName, 23, FieldErrorKind::Empty)),
        (s.replace("15011999", "1501199"), field_err(QrField::DateOfBirth, at("15011999"), FieldErrorKind::DateFormat)),
        (
            s.replace("15011999", "15-01-99"),
            field_err(QrField::DateOfBirth, at("15011999"), FieldErrorKind::DateFormat),
        ),
        (
            s.replace("15011999", "1501199９"),
            field_err(QrField::DateOfBirth, at("15011999"), FieldErrorKind::DateFormat),
        ),
        (
            s.replace("15011999", "32011999"),
            field_err(QrField::DateOfBirth, at("15011999"), FieldErrorKind::NoSuchDate),
        ),
        (
            s.replace("15011999", "29021999"),
            field_err(QrField::DateOfBirth, at("15011999"), FieldErrorKind::NoSuchDate),
        ),
        (
            s.replace("15011999", "15001999"),
            field_err(QrField::DateOfBirth, at("15011999"), FieldErrorKind::NoSuchDate),
        ),
        (s.replace("|Nam|", "|nam|"), field_err(QrField::Sex, at("Nam"), FieldErrorKind::UnknownSex)),
        (s.replace("|Nam|", "|Nu|"), field_err(QrField::Sex, at("Nam"), FieldErrorKind::UnknownSex)),
        (s.replace("|Nam|", "||"), field_err(QrField::Sex, at("Nam"), FieldErrorKind::UnknownSex)),
        (s.replace("20042021", "2004202"), field_err(QrField::DateOfIssue, at("20042021"), FieldErrorKind::DateFormat)),
        (
            s.replace("20042021", "31042021"),
            field_err(QrField::DateOfIssue, at("20042021"), FieldErrorKind::NoSuchDate),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(QrPayload::parse(&input).unwrap_err(), expected, "input {input:?}");
    }
    // With a BOM, offsets count its 3 bytes.
    let bom = format!("\u{FEFF}{}", s.replace("20042021", "20x42021"));
    assert_eq!(
        QrPayload::parse(&bom).unwrap_err(),
        field_err(QrField::DateOfIssue, at("20042021") + 3, FieldErrorKind::DateFormat)
    );
    // Bytes that are not UTF-8: the offset of the first bad byte.
    let mut bytes = s.as_bytes().to_vec();
    let name_at = at("Nguy");
    bytes[name_at + 4] = 0xFF;
    assert_eq!(QrPayload::parse_bytes(&bytes).unwrap_err(), QrError::NotUtf8 { offset: name_at + 4 });
    // Latin-1 "Nữ" is impossible, but Latin-1 "é" is a classic: 0xE9 alone.
    assert_eq!(QrPayload::parse_bytes(b"\xE9").unwrap_err(), QrError::NotUtf8 { offset: 0 });
}

#[test]
fn errors_never_echo_personal_values() {
    let bad = SAMPLE_2021.replace("15011999", "99999999");
    let e = QrPayload::parse(&bad).unwrap_err();
    let shown = format!("{e} {e:?} {}", cccd::Error::from(e.clone()));
    for secret in ["99999999", "001099012345", "Nguyễn", "123456789"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let at = bad.find("99999999").unwrap();
    assert_eq!(e.to_string(), format!("QR payload field 3 (date of birth) at byte offset {at}: no such calendar date"));
}

#[test]
fn validate_checks_what_parse_leaves() {
    let good = QrPayload::parse(SAMPLE_2021).unwrap();
    let mut p = good.clone();
    p.date_of_issue = date!(1998 - 12 - 31);
    assert_eq!(p.validate(), Err(QrError::IssueBeforeBirth));
    // Still builds and parses: parse checks fields, validate the record.
    assert_eq!(QrPayload::parse(&p.build()).unwrap(), p);

    let mut p = good.clone();
    p.full_name = "Nguyễn|Văn A".into();
    assert_eq!(
        p.validate(),
        Err(QrError::Field {
            field: QrField::FullName,
            offset: None,
            kind: FieldErrorKind::ForbiddenCharacter { position: 6 }
        })
    );
    let mut p = good.clone();
    p.place_of_residence = "Hà Nội\n".into();
    assert_eq!(
        p.validate(),
        Err(QrError::Field {
            field: QrField::PlaceOfResidence,
            offset: None,
            kind: FieldErrorKind::ForbiddenCharacter { position: 6 }
        })
    );
    let mut p = good.clone();
    p.extra.push(String::new());
    assert_eq!(p.validate(), Err(QrError::ExtraFields { layout: QrLayout::V2021, found: 1 }));
    let mut p = good.clone();
    p.layout = QrLayout::V2024;
    assert_eq!(p.validate(), Err(QrError::ExtraFields { layout: QrLayout::V2024, found: 0 }));
    // build pads the 2024 layout to 11 fields.
    assert_eq!(p.build(), format!("{SAMPLE_2021}||||"));
    let mut p = good.clone();
    p.old_id_number = Some(String::new());
    assert_eq!(
        p.validate(),
        Err(QrError::Field { field: QrField::OldIdNumber, offset: None, kind: FieldErrorKind::Empty })
    );
    let mut p = good.clone();
    p.id_number = "0010990123".into();
    assert_eq!(
        p.validate(),
        Err(QrError::Field {
            field: QrField::IdNumber,
            offset: None,
            kind: FieldErrorKind::WrongLength { found: 10, expected: "12" }
        })
    );
    let mut p = good.clone();
    p.extra = vec!["a|b".into()];
    p.layout = QrLayout::V2024;
    p.extra.extend(["".into(), "".into(), "".into()]);
    assert_eq!(
        p.validate(),
        Err(QrError::Field {
            field: QrField::Extra(7),
            offset: None,
            kind: FieldErrorKind::ForbiddenCharacter { position: 1 }
        })
    );
    let mut p = good;
    p.date_of_birth = Date::from_calendar_date(-1, time::Month::January, 1).unwrap();
    assert_eq!(
        p.validate(),
        Err(QrError::Field { field: QrField::DateOfBirth, offset: None, kind: FieldErrorKind::NoSuchDate })
    );
}

const VIETNAMESE: &str = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ\
AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬBCDĐEÈẺẼÉẸÊỀỂỄẾỆGHIÌỈĨÍỊKLMNOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢPQRSTUÙỦŨÚỤƯỪỬỮỨỰVXYỲỶỸÝỴ";

fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    let mut alphabet: Vec<char> = VIETNAMESE.chars().collect();
    alphabet.extend(" 0123456789,./-'()".chars());
    proptest::collection::vec(proptest::sample::select(alphabet), min..=max).prop_map(|v| v.into_iter().collect())
}

fn date_between(from: Date, days: i32) -> impl Strategy<Value = Date> {
    (0..days).prop_map(move |d| from + time::Duration::days(i64::from(d)))
}

fn payload() -> impl Strategy<Value = QrPayload> {
    (
        any::<bool>(),
        "[0-9]{12}",
        prop_oneof![Just(None), "[0-9]{9}".prop_map(Some), "[0-9]{12}".prop_map(Some)],
        text(1, 40),
        date_between(date!(1900 - 01 - 01), 365 * 120),
        0..(365 * 30),
        any::<bool>(),
        text(0, 120),
        (4usize..=6).prop_flat_map(|n| proptest::collection::vec(text(0, 12), n)),
    )
        .prop_map(|(v2024, id, old, name, dob, issue_after, male, residence, extra)| QrPayload {
            layout: if v2024 { QrLayout::V2024 } else { QrLayout::V2021 },
            id_number: id,
            old_id_number: old,
            full_name: name,
            date_of_birth: dob,
            sex: if male { Sex::Male } else { Sex::Female },
            place_of_residence: residence,
            date_of_issue: dob + time::Duration::days(i64::from(issue_after)),
            extra: if v2024 { extra } else { Vec::new() },
        })
}

proptest! {
    #[test]
    fn parse_build_round_trip(p in payload()) {
        p.validate().unwrap();
        let text = p.build();
        let back = QrPayload::parse(&text).unwrap();
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.build(), text.clone());
        prop_assert_eq!(QrPayload::parse_bytes(format!("\u{FEFF}{text}\r\n").as_bytes()).unwrap(), p);
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,200}", cuts in proptest::collection::vec(0usize..200, 0..12)) {
        let _ = QrPayload::parse(&s);
        let mut with_bars = s.clone();
        for c in cuts {
            let at = with_bars.char_indices().nth(c).map_or(with_bars.len(), |(i, _)| i);
            with_bars.insert(at, '|');
        }
        if let Ok(p) = QrPayload::parse(&with_bars) {
            prop_assert_eq!(QrPayload::parse(&p.build()).unwrap(), p);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn render_scan_round_trip(p in payload(), ec in prop_oneof![Just(EcLevel::L), Just(EcLevel::M), Just(EcLevel::Q), Just(EcLevel::H)]) {
        let text = p.build();
        let png = render_png(&text, &RenderOptions { ec_level: ec, size: QrSize::ModulePixels(3), ..Default::default() }).unwrap();
        prop_assert_eq!(scan_image(&png).unwrap(), vec![text]);
    }
}

// ---------------------------------------------------------------------------------------------
// Render, checked by zbar

#[test]
fn zbar_reads_rendered_png_exactly() {
    for text in payloads() {
        for ec_level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            for utf8_eci in [false, true] {
                let options = RenderOptions { ec_level, utf8_eci, size: QrSize::ModulePixels(4), ..Default::default() };
                let png = render_png(text, &options).unwrap();
                assert_eq!(zbar_binary(&png), text.as_bytes(), "{ec_level:?} eci={utf8_eci}");
                assert_eq!(scan_image(&png).unwrap(), vec![text.to_owned()]);
            }
        }
    }
}

/// zbar's plain `--raw` guesses a charset for byte-mode data without ECI, and takes short UTF-8 text
/// such as the sex field alone for Shift-JIS; `-Sbinary` (or an ECI 26 header) gives the exact bytes.
#[test]
fn zbar_charset_guessing_and_eci() {
    let plain = render_png("Nữ", &RenderOptions::default()).unwrap();
    assert_ne!(zbar_raw(&plain), "Nữ".as_bytes());
    assert_eq!(zbar_binary(&plain), "Nữ".as_bytes());
    let eci = render_png("Nữ", &RenderOptions { utf8_eci: true, ..Default::default() }).unwrap();
    assert_eq!(zbar_raw(&eci), "Nữ".as_bytes());
    assert_eq!(scan_image(&eci).unwrap(), ["Nữ"]);
    // Whole payloads are long enough for zbar's guess to be UTF-8 even without ECI.
    for text in payloads() {
        let png = render_png(text, &RenderOptions::default()).unwrap();
        assert_eq!(zbar_raw(&png), text.as_bytes());
    }
}

#[test]
fn byte_mode_and_smallest_version() {
    // 2021 sample: 113 UTF-8 bytes in byte mode. Version 6-M holds up to 106 bytes, 7-M 122.
    assert_eq!(SAMPLE_2021.len(), 113);
    let m = encode_matrix(SAMPLE_2021, &RenderOptions::default()).unwrap();
    assert_eq!((m.version(), m.width()), (7, 45));
    let h = encode_matrix(SAMPLE_2021, &RenderOptions { ec_level: EcLevel::H, ..Default::default() }).unwrap();
    assert_eq!(h.version(), 10); // 9-H holds 98 bytes, 10-H 119
    assert!(format!("{m:?}").starts_with("QrMatrix { version: 7, width: 45"));
}

#[test]
fn svg_draws_the_same_modules() {
    let options = RenderOptions { size: QrSize::ModulePixels(5), ..Default::default() };
    let svg = render_svg(SAMPLE_2024, &options).unwrap();
    let m = encode_matrix(SAMPLE_2024, &options).unwrap();
    let n = m.width() + 8;
    assert!(svg.contains(&format!(r#"width="{}" height="{}" viewBox="0 0 {n} {n}""#, n * 5, n * 5)), "{svg}");
    // Rasterize the path (runs "Mx yhWv1h-Wz") and compare with the matrix, module by module.
    let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut grid = vec![false; n * n];
    for run in d.split('M').filter(|r| !r.is_empty()) {
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let w: usize = rest.split_once('v').unwrap().0.parse().unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        for i in x..x + w {
            assert!(!grid[y * n + i], "overlapping runs");
            grid[y * n + i] = true;
        }
    }
    for y in 0..n {
        for x in 0..n {
            let expected = x >= 4 && y >= 4 && m.is_dark(x - 4, y - 4);
            assert_eq!(grid[y * n + x], expected, "module ({x}, {y})");
        }
    }
    // And the rasterized SVG scans.
    let img = GrayImage::from_fn((n * 4) as u32, (n * 4) as u32, |x, y| {
        Luma([if grid[(y as usize / 4) * n + x as usize / 4] { 0 } else { 255 }])
    });
    assert_eq!(scan_luma(&img).unwrap(), [SAMPLE_2024]);
}

#[test]
fn png_is_greyscale_of_the_requested_size() {
    let png =
        render_png(SAMPLE_2021, &RenderOptions { size: QrSize::TargetPixels(400), ..Default::default() }).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!(img.color(), image::ColorType::L8);
    assert_eq!((img.width(), img.height()), (400, 400));
    assert_eq!(zbar_binary(&png), SAMPLE_2021.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// Scan: qrencode output

#[test]
fn scans_qrencode_pngs() {
    for text in payloads() {
        for args in [&["-8"][..], &[][..], &["-l", "H", "-s", "2", "-m", "1"][..], &["-l", "L", "-s", "9"][..]] {
            let png = qrencode(text.as_bytes(), args);
            assert_eq!(scan_image(&png).unwrap(), vec![text.to_owned()], "qrencode {args:?}");
            assert_eq!(QrPayload::parse(&scan_image(&png).unwrap()[0]).unwrap().build(), text);
        }
    }
}

#[test]
fn scan_errors_are_typed() {
    assert_eq!(scan_image(b"not an image at all").unwrap_err(), QrError::UnreadableImage(ImageFault::Unsupported));
    let png = render_png(SAMPLE_2021, &RenderOptions::default()).unwrap();
    assert_eq!(scan_image(&png[..png.len() / 2]).unwrap_err(), QrError::UnreadableImage(ImageFault::Decoding));
    // 20000 pixels wide: above the scanner's 16384 px limit.
    let mut huge = Vec::new();
    image::codecs::png::PngEncoder::new(&mut huge)
        .write_image(&[0u8; 20_000], 20_000, 1, image::ExtendedColorType::L8)
        .unwrap();
    assert_eq!(scan_image(&huge).unwrap_err(), QrError::UnreadableImage(ImageFault::Limits));
    let blank = GrayImage::from_pixel(200, 150, Luma([255]));
    assert_eq!(scan_luma(&blank).unwrap_err(), QrError::NoQrFound);
    assert_eq!(scan_luma(&GrayImage::new(0, 0)).unwrap_err(), QrError::UnreadableImage(ImageFault::Empty));

    // Latin-1 bytes (valid QR byte-mode data, not UTF-8).
    let latin1 = b"001099012345||Nguy\xEAn V\xE3n A|15011999|Nam|H\xE0 N\xF4i|20042021";
    let png = qrencode(latin1, &["-8"]);
    assert_eq!(scan_image(&png).unwrap_err(), QrError::ScannedNotUtf8 { offset: 18 });

    // Finder patterns intact, data area scrambled: located but undecodable.
    let options = RenderOptions { ec_level: EcLevel::L, size: QrSize::ModulePixels(4), ..Default::default() };
    let mut img = render_luma(SAMPLE_2021, &options).unwrap();
    let width = encode_matrix(SAMPLE_2021, &options).unwrap().width() as u32;
    let mut rng = Rng(7);
    let (lo, hi) = ((4 + 9) * 4, (4 + width - 9) * 4);
    for my in (lo..hi).step_by(4) {
        for mx in (lo..hi).step_by(4) {
            let v = if rng.next() & 1 == 0 { 0 } else { 255 };
            for dy in 0..4 {
                for dx in 0..4 {
                    img.put_pixel(mx + dx, my + dy, Luma([v]));
                }
            }
        }
    }
    assert!(matches!(scan_luma(&img).unwrap_err(), QrError::Undecodable { found: 1.., .. }));
}

/// SplitMix64: deterministic noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
