//! The `cccd` command line, run as a user would run it.
mod cli_support;
mod common;

use cli_support::cccd;

use std::process::Command;

use common::vectors_dir;

#[test]
fn inspect_recognizes_every_sample_file_by_its_tag() {
    let dir = vectors_dir().join("lds");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".bin"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 9);
    let mut args = vec!["inspect", "--json"];
    args.extend(files.iter().map(String::as_str));
    let (code, stdout, stderr) = cccd(&args);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["command"], "inspect");
    assert_eq!(v["ok"], true);
    let items = v["files"].as_array().unwrap();
    assert_eq!(items.len(), 9);
    for (item, path) in items.iter().zip(&files) {
        assert_eq!(item["ok"], true, "{path}");
        let name = path.rsplit('/').next().unwrap();
        let expected = match name.split_once('_').unwrap().1 {
            "DG1.bin" => "DG1",
            "DG14.bin" => "DG14",
            "DG15.bin" => "DG15",
            "EF_COM.bin" => "EF.COM",
            "EF_SOD.bin" => "EF.SOD",
            other => panic!("unexpected sample {other}"),
        };
        assert_eq!(item["content"]["file"], expected, "{path}");
    }
    let sod = items.iter().find(|i| i["path"].as_str().unwrap().ends_with("LOES2006_EF_SOD.bin")).unwrap();
    assert_eq!(sod["content"]["lds_security_object"]["hash_algorithm"], "SHA-256");
    assert_eq!(
        sod["content"]["lds_security_object"]["data_group_hashes"][0]["hash"],
        "9C2432BC26CF6B250839DEDC658F2BF72FA3ADAD32EC9656395F53C8D7AA13ED"
    );
    let dg14 = items.iter().find(|i| i["content"]["file"] == "DG14").unwrap();
    assert_eq!(dg14["content"]["security_infos"][0]["public_key"]["curve"], "brainpoolP224r1");
}

#[test]
fn inspect_reports_bad_files_and_exits_non_zero() {
    let dir = std::env::temp_dir().join(format!("cccd-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("truncated.bin");
    let mut bytes = std::fs::read(vectors_dir().join("lds/LOES2006_EF_SOD.bin")).unwrap();
    bytes.truncate(300);
    std::fs::write(&bad, &bytes).unwrap();
    let (code, stdout, _) = cccd(&["inspect", "--json", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["files"][0]["ok"], false);
    assert!(v["files"][0]["error"].as_str().unwrap().contains("truncated"), "{}", v["files"][0]["error"]);
    let (code, _, stderr) = cccd(&["inspect", dir.join("missing.bin").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.bin"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn qr_decode_reads_text_and_a_qrencode_image() {
    let payload = "001099012345|123456789|Nguyễn Văn A|15011999|Nam|Số 1 Đường X, Hà Nội|20042021";
    let (code, stdout, _) = cccd(&["qr", "decode", "--json", "--text", payload]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((v["schema_version"].as_u64(), v["command"].as_str()), (Some(1), Some("qr decode")), "{v}");
    assert_eq!((v["codes"].as_u64(), v["valid"].as_bool()), (Some(1), Some(true)), "{v}");
    assert_eq!(v["results"][0]["payload"]["full_name"], "Nguyễn Văn A");
    assert_eq!(v["results"][0]["payload"]["date_of_birth"], "1999-01-15");

    let dir = std::env::temp_dir().join(format!("cccd-cli-qr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("q.png");
    let status = Command::new("qrencode")
        .args(["-o", png.to_str().unwrap(), payload])
        .status()
        .expect("qrencode must be installed (apt-get install qrencode)");
    assert!(status.success());
    let (code, stdout, _) = cccd(&["qr", "decode", "--json", "--image", png.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["results"][0]["payload"]["place_of_residence"], "Số 1 Đường X, Hà Nội");
    // a photo without a code is a result, not valid (exit 1); a file that is no image is bad input (exit 2)
    let blank = dir.join("blank.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255u8])).save(&blank).unwrap();
    let (code, stdout, _) = cccd(&["qr", "decode", "--json", "--image", blank.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((v["codes"].as_u64(), v["valid"].as_bool()), (Some(0), Some(false)), "{v}");
    assert!(v["results"][0]["error"].as_str().unwrap().contains("no QR"), "{v}");
    let not_image = dir.join("not-an-image.png");
    std::fs::write(&not_image, b"hello").unwrap();
    let (code, stdout, _) = cccd(&["qr", "decode", "--json", "--image", not_image.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();

    let (code, stdout, _) = cccd(&["qr", "decode", "--json", "--text", "1|2"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((v["valid"].as_bool(), v["results"][0]["ok"].as_bool()), (Some(false), Some(false)), "{v}");
    assert!(v["results"][0]["error"].as_str().unwrap().contains("2 fields"), "{v}");
}

fn sample_record() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/records/nguyen-van-a.json")
}

#[test]
fn qr_encode_renders_what_zbarimg_reads_back() {
    let dir = std::env::temp_dir().join(format!("cccd-cli-qrenc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("qr.png");
    let svg = dir.join("qr.svg");
    let record = sample_record();
    for layout in ["2021", "2024"] {
        let (code, text, stderr) = cccd(&[
            "qr",
            "encode",
            "--record",
            record.to_str().unwrap(),
            "--layout",
            layout,
            "--text",
            "--png",
            png.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let text = text.trim_end_matches('\n');
        assert_eq!(text.split('|').count(), if layout == "2021" { 7 } else { 11 });
        assert!(text.starts_with("001099012345|123456789|Nguyễn Văn A|15011999|Nam|Số 1 Đường X"), "{text}");
        let out = Command::new("zbarimg")
            .args(["--raw", "-q", "-Sbinary", png.to_str().unwrap()])
            .output()
            .expect("zbarimg must be installed (apt-get install zbar-tools)");
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
        let svg_text = std::fs::read_to_string(&svg).unwrap();
        assert!(svg_text.contains("<svg") && svg_text.contains("</svg>"), "not an SVG");
    }
    // a record with an error is refused with the field named, not its value
    let bad = dir.join("bad.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    v["id_number"] = "12345".into();
    std::fs::write(&bad, v.to_string()).unwrap();
    let (code, _, stderr) = cccd(&["qr", "encode", "--record", bad.to_str().unwrap(), "--text"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("id_number"), "{stderr}");
    assert!(!stderr.contains("12345\""), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inspect_decodes_a_dg13_with_diacritics() {
    use cccd::citizen::CitizenRecord;
    use cccd::lds::dg13::Dg13;
    let record: CitizenRecord = serde_json::from_slice(&std::fs::read(sample_record()).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("cccd-cli-dg13-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("DG13.bin");
    std::fs::write(&path, Dg13::from_record(&record).unwrap().encode().unwrap()).unwrap();
    let (code, stdout, stderr) = cccd(&["inspect", "--json", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let fields = v["files"][0]["content"]["fields"].as_array().unwrap();
    let by_name = |n: &str| fields.iter().find(|f| f["name"] == n).map(|f| f["value"].clone());
    assert_eq!(by_name("full_name").unwrap(), "Nguyễn Văn A");
    assert_eq!(by_name("sex").unwrap(), "Nam");
    assert_eq!(by_name("parents").unwrap()["mother"], "Trần Thị C");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_prepared_photo_goes_into_dg2_and_comes_back_as_png() {
    use cccd::face::{FaceOptions, prepare};
    use cccd::lds::dg2::Dg2;
    use cccd::lds::dg2::facial::ImageDataType;
    use image::GenericImageView;
    let dir = std::env::temp_dir().join(format!("cccd-cli-face-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // a "photo": a 1000×1300 PNG with some structure
    let photo = image::RgbImage::from_fn(1000, 1300, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(photo).write_to(&mut png, image::ImageFormat::Png).unwrap();
    let face =
        prepare(png.get_ref(), &FaceOptions { max_bytes: 20_000, min_quality: 5, ..FaceOptions::default() }).unwrap();
    assert!(face.jpeg.len() <= 20_000);
    let dg2 = Dg2::from_image(face.jpeg.clone(), ImageDataType::Jpeg, face.width, face.height).encode().unwrap();
    let dg2_path = dir.join("DG2.bin");
    std::fs::write(&dg2_path, &dg2).unwrap();
    let out = dir.join("face.png");
    let (code, _, stderr) = cccd(&["inspect", dg2_path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let back = image::load_from_memory(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(back.dimensions(), (480, 640));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verify_reports_each_check_and_fails_without_a_trusted_csca() {
    let dir = std::env::temp_dir().join(format!("cccd-cli-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (from, to) in
        [("LOES2006_DG1.bin", "DG1.bin"), ("LOES2006_DG15.bin", "DG15.bin"), ("LOES2006_EF_SOD.bin", "EF.SOD.bin")]
    {
        std::fs::copy(vectors_dir().join("lds").join(from), dir.join(to)).unwrap();
    }
    let (code, stdout, stderr) = cccd(&["verify", dir.to_str().unwrap(), "--at", "2006-09-30", "--json"]);
    assert_eq!(code, 1, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["data_groups"]["DG1"], "match");
    assert_eq!(v["signature"]["status"], "passed");
    assert_eq!(v["ds_certificate_validity"]["status"], "passed");
    assert_eq!(v["csca_chain"]["status"], "not_checked");
    assert_eq!(v["valid"], false);
    let (_, stdout, _) = cccd(&["verify", dir.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ds_certificate_validity"]["status"], "failed");
    let (code, _, stderr) = cccd(&["verify", dir.to_str().unwrap(), "--at", "30/09/2006"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("YYYY-MM-DD"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn demo_issues_reads_and_verifies_and_openssl_agrees() {
    let dir = std::env::temp_dir().join(format!("cccd-cli-demo-{}", std::process::id()));
    let (code, stdout, stderr) = cccd(&["demo", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("result: VALID"), "{stdout}");
    assert!(stdout.contains("locked: true"), "{stdout}");
    for access in ["PACE-GM-ECDH-AES128 (brainpoolP256r1), ", "BAC, "] {
        let line = stdout.lines().find(|l| l.contains(access)).unwrap_or_else(|| panic!("no {access} read: {stdout}"));
        assert!(line.contains("files identical: true, PA valid, CA passed, AA passed"), "{line}");
    }
    // the SOD on the chip verifies with openssl against the demo's CSCA
    let sod = std::fs::read(dir.join("chip/EF.SOD.bin")).unwrap();
    let ci = dir.join("sod.p7");
    std::fs::write(&ci, &sod[4..]).unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-inform", "DER", "-in"])
        .arg(&ci)
        .arg("-CAfile")
        .arg(dir.join("pki/csca.pem"))
        .args(["-purpose", "any", "-binary", "-out", "/dev/null"])
        .output()
        .expect("openssl must be installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // the chip image folder verifies with the CLI too (no CSCA given: not valid, but every other check passes)
    let (code, stdout, _) = cccd(&["verify", dir.join("chip").to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    let csca = dir.join("pki/csca.pem");
    assert_eq!(cccd(&["verify", dir.join("chip").to_str().unwrap(), "--csca", csca.to_str().unwrap()]).0, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["signature"]["status"], "passed");
    assert_eq!(v["data_groups"]["DG13"], "match");
    // the chip's secrets are not readable by others
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("chip/secrets/mrz_information")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
