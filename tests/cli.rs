//! The `cccd` command line, run as a user would run it.
mod common;

use std::process::Command;

use common::vectors_dir;

fn cccd(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cccd")).args(args).output().expect("run cccd");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

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
    let items = v.as_array().unwrap();
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
    assert_eq!(v[0]["ok"], false);
    assert!(v[0]["error"].as_str().unwrap().contains("truncated"), "{}", v[0]["error"]);
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
    assert_eq!(v[0]["payload"]["full_name"], "Nguyễn Văn A");
    assert_eq!(v[0]["payload"]["date_of_birth"], "1999-01-15");

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
    assert_eq!(v[0]["payload"]["place_of_residence"], "Số 1 Đường X, Hà Nội");
    std::fs::remove_dir_all(&dir).unwrap();

    let (code, stdout, _) = cccd(&["qr", "decode", "--json", "--text", "1|2"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("2 fields"));
}
