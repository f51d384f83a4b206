//! Machine-readable everywhere (issue 15): every subcommand of `cccd --help` takes `--json`; `issue`, every
//! `pki` subcommand and `qr encode`/`decode` print one versioned document (`schema_version`, `command`) with
//! what a script needs (paths, serials, validity, fingerprints, the CAN of an issued chip, warnings), checked
//! against the files and `openssl`; failures under `--json` are JSON too, usage errors included.
mod cli_support;

use std::path::Path;
use std::process::Command;

use cli_support::{cccd, cccd_json, issue, photo, record_path, s, tmp};
use serde_json::Value;

/// The subcommands a `--help` text lists (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect()
}

/// Every command, as the words after `cccd` (`["pki", "init"]`), found by walking `--help`.
fn every_command() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    while let Some(words) = todo.pop() {
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        args.push("--help");
        let (code, help, err) = cccd(&args);
        assert_eq!(code, 0, "cccd {args:?}: {err}");
        let subs = subcommands(&help);
        if subs.is_empty() {
            out.push(words);
        } else {
            todo.extend(subs.into_iter().map(|sub| [words.clone(), vec![sub]].concat()));
        }
    }
    out.sort();
    out
}

/// The document's contract fields.
fn assert_contract(v: &Value, command: &str) {
    assert_eq!((v["schema_version"].as_u64(), v["command"].as_str()), (Some(1), Some(command)), "{v}");
}

/// What `openssl` says of a file: `x509 -fingerprint -sha256` of a PEM certificate, or `dgst -sha256` of any
/// file, as upper-case hex without colons.
fn openssl_sha256(path: &Path, certificate: bool) -> String {
    let args: Vec<&str> = if certificate {
        vec!["x509", "-in", s(path), "-noout", "-fingerprint", "-sha256"]
    } else {
        vec!["dgst", "-sha256", "-r", s(path)]
    };
    let out = Command::new("openssl").args(&args).output().expect("openssl must be installed");
    assert!(out.status.success(), "openssl {args:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let hex = if certificate {
        text.trim().rsplit('=').next().unwrap().replace(':', "")
    } else {
        text.split_whitespace().next().unwrap().to_string()
    };
    hex.to_uppercase()
}

fn openssl_serial(pem: &Path) -> String {
    let out = Command::new("openssl").args(["x509", "-in", s(pem), "-noout", "-serial"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().trim_start_matches("serial=").to_string()
}

fn date(v: &Value) -> time::Date {
    time::Date::parse(v.as_str().unwrap(), time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

fn warning_codes(v: &Value) -> Vec<&str> {
    v["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("no warnings array: {v}"))
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect()
}

/// A new command without `--json` fails here: each one found by walking `cccd --help` must accept it.
#[test]
fn every_subcommand_of_help_accepts_json() {
    let commands = every_command();
    let names: Vec<String> = commands.iter().map(|w| w.join(" ")).collect();
    for expected in ["issue", "pki init", "pki new-ds", "pki crl", "pki cvca", "qr encode", "qr decode", "verify"] {
        assert!(names.iter().any(|n| n == expected), "the walk missed {expected}: {names:?}");
    }
    for words in &commands {
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        args.extend(["--json", "--help"]);
        let (code, help, err) = cccd(&args);
        assert_eq!(code, 0, "cccd {} does not accept --json: {err}", words.join(" "));
        assert!(help.contains("--json"), "cccd {} --help lists no --json", words.join(" "));
    }
}

#[test]
fn pki_commands_print_files_serials_validity_fingerprints_and_warnings() {
    let dir = tmp("pki");
    let pki = dir.join("pki");
    let (code, v) = cccd_json(&["pki", "init", "--out", s(&pki), "--ds-days", "400", "--json"]);
    assert_eq!(code, 0, "{v}");
    assert_contract(&v, "pki init");
    assert_eq!(v["folder"], s(&pki));
    for f in v["files"].as_array().unwrap() {
        assert!(pki.join(f.as_str().unwrap()).is_file(), "{f} not written");
    }
    assert_eq!(v["files"].as_array().unwrap().len(), 6, "{v}");
    for key in ["csca", "document_signer", "master_list_signer"] {
        let c = &v[key];
        let pem = Path::new(c["path"].as_str().unwrap());
        assert_eq!(c["sha256"].as_str().unwrap(), openssl_sha256(pem, true), "{key}");
        assert_eq!(c["serial_number"].as_str().unwrap(), openssl_serial(pem), "{key}");
        assert_eq!(c["issuer"], v["csca"]["subject"], "{key}");
    }
    let ds = &v["document_signer"];
    assert_eq!(date(&ds["not_after"]) - date(&ds["not_before"]), time::Duration::days(400), "{ds}");
    assert_eq!((ds["key"].as_str(), ds["key_in_hsm"].as_bool()), (Some("brainpoolP384r1"), Some(false)));
    // a DS of 400 days: the cards it signs outlive it (warned in the document and on standard error)
    assert_eq!(warning_codes(&v), ["cards_outlive_document_signer"], "{v}");
    let (code, _, err) = cccd(&["pki", "init", "--out", s(&dir.join("quiet")), "--json"]);
    assert!(code == 0 && !err.contains("warning"), "the default 10-year DS is not warned about: {err}");

    // new-ds: a new serial, the old one archived under its serial; one that outlives the CSCA is warned about
    let (code, n) = cccd_json(&["pki", "new-ds", "--pki", s(&pki), "--days", "9000", "--json"]);
    assert_eq!(code, 0, "{n}");
    assert_contract(&n, "pki new-ds");
    assert_ne!(n["document_signer"]["serial_number"], n["previous"]["serial_number"]);
    assert_eq!(n["previous"]["serial_number"], ds["serial_number"]);
    assert_eq!(n["archived"], serde_json::json!(["ds-02.pem", "ds-02.key"]), "{n}");
    assert!(pki.join("ds-02.pem").is_file() && pki.join("ds-02.key").is_file());
    assert_eq!(n["document_signer"]["sha256"].as_str().unwrap(), openssl_sha256(&pki.join("ds.pem"), true));
    assert_eq!(n["document_signer"]["serial_number"].as_str().unwrap(), openssl_serial(&pki.join("ds.pem")));
    assert_eq!(warning_codes(&n), ["document_signer_outlives_csca"], "{n}");

    // crl: its number grows, it lists the serial revoked, openssl reads the same
    let crl = dir.join("crl.der");
    let (code, c) =
        cccd_json(&["pki", "crl", "--pki", s(&pki), "--revoke", s(&pki.join("ds-02.pem")), "--out", s(&crl), "--json"]);
    assert_eq!(code, 0, "{c}");
    assert_contract(&c, "pki crl");
    assert_eq!((c["crl_number"].as_u64(), c["revoked"][0]["serial_number"].as_str()), (Some(1), Some("02")), "{c}");
    assert_eq!(c["sha256"].as_str().unwrap(), openssl_sha256(&crl, false));
    assert_eq!(date(&c["next_update"]) - date(&c["this_update"]), time::Duration::days(30));
    let text =
        Command::new("openssl").args(["crl", "-inform", "DER", "-in", s(&crl), "-noout", "-text"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Serial Number: 02"), "{text}");
    let (_, c2) = cccd_json(&["pki", "crl", "--pki", s(&pki), "--out", s(&crl), "--json"]);
    assert_eq!((c2["crl_number"].as_u64(), c2["revoked"].as_array().map(Vec::len)), (Some(2), Some(0)), "{c2}");

    // master-list and check-master-list
    let ml = dir.join("ml.der");
    let (code, m) = cccd_json(&["pki", "master-list", "--pki", s(&pki), "--out", s(&ml), "--json"]);
    assert_eq!(code, 0, "{m}");
    assert_contract(&m, "pki master-list");
    assert_eq!(m["sha256"].as_str().unwrap(), openssl_sha256(&ml, false));
    assert_eq!(m["bytes"].as_u64(), Some(std::fs::metadata(&ml).unwrap().len()));
    assert_eq!(m["cscas"][0]["sha256"], v["csca"]["sha256"], "{m}");
    assert_eq!(m["signer"]["sha256"], v["master_list_signer"]["sha256"], "{m}");
    let (code, k) = cccd_json(&["pki", "check-master-list", s(&ml), "--anchor", s(&pki.join("csca.pem")), "--json"]);
    assert_eq!(code, 0, "{k}");
    assert_contract(&k, "pki check-master-list");
    assert_eq!((k["valid"].as_bool(), k["anchored"].as_bool()), (Some(true), Some(true)), "{k}");

    // the EAC PKI: each certificate's CHR, CAR and file
    let (cvca, dv, is) = (dir.join("cvca"), dir.join("dv"), dir.join("is"));
    let (code, a) = cccd_json(&["pki", "cvca", "--out", s(&cvca), "--chr", "VNCVCA00001", "--dg3", "--json"]);
    assert_eq!(code, 0, "{a}");
    let (_, b) = cccd_json(&["pki", "dv", "--cvca", s(&cvca), "--out", s(&dv), "--chr", "VNDVPOLICE00001", "--json"]);
    let (_, t) = cccd_json(&["pki", "is", "--dv", s(&dv), "--out", s(&is), "--chr", "VNISHANOI00001", "--json"]);
    for (doc, command, role, signer) in [
        (&a, "pki cvca", "CVCA", "VNCVCA00001"),
        (&b, "pki dv", "DV (domestic)", "VNCVCA00001"),
        (&t, "pki is", "IS", "VNDVPOLICE00001"),
    ] {
        assert_contract(doc, command);
        let cert = &doc["certificate"];
        assert_eq!((cert["car"].as_str(), cert["role"].as_str()), (Some(signer), Some(role)), "{doc}");
        assert_eq!(cert["sha256"].as_str().unwrap(), openssl_sha256(Path::new(cert["path"].as_str().unwrap()), false));
        let folder = Path::new(doc["folder"].as_str().unwrap());
        for f in doc["files"].as_array().unwrap() {
            assert!(folder.join(f.as_str().unwrap()).is_file(), "{f} not written");
        }
    }
    assert_eq!((a["certificate"]["dg3"].as_bool(), a["certificate"]["dg4"].as_bool()), (Some(true), Some(false)));
    // a second CVCA in the same folder: a link certificate and the old one kept
    let (_, l) = cccd_json(&["pki", "cvca", "--out", s(&cvca), "--chr", "VNCVCA00002", "--json"]);
    assert_eq!(l["certificate"]["car"], "VNCVCA00001", "{l}");
    assert!(l["files"].as_array().unwrap().iter().any(|f| f == "link-VNCVCA00002.cvcert"), "{l}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn issue_prints_the_folder_the_can_the_files_and_the_warnings() {
    let dir = tmp("issue");
    let pki = dir.join("pki");
    assert_eq!(cccd(&["pki", "init", "--out", s(&pki), "--ds-days", "400"]).0, 0);
    let chip = dir.join("chip");
    let photo = photo(&dir);
    let (code, out, err) = issue(&record_path(), &photo, &pki, &chip, &["--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_contract(&v, "issue");
    assert_eq!((v["folder"].as_str(), v["verified"].as_bool()), (Some(s(&chip)), Some(true)), "{v}");
    assert_eq!((v["id_number"].as_str(), v["document_number"].as_str()), (Some("001099012345"), Some("099012345")));
    // the CAN is the product here: the one the chip holds, the last six digits of the ID
    assert_eq!(v["can"].as_str(), Some("012345"), "{v}");
    assert_eq!(std::fs::read_to_string(chip.join("secrets/can")).unwrap().trim(), "012345");
    // but it is never in the log
    assert!(!err.contains("012345"), "{err}");
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    for f in &files {
        assert!(chip.join(f).is_file(), "{f}");
    }
    assert!(files.contains(&"EF.SOD.bin") && files.contains(&"secrets/can"), "{files:?}");
    let mut total = 0;
    for f in v["lds_files"].as_array().unwrap() {
        let len = std::fs::metadata(chip.join(format!("{}.bin", f["file"].as_str().unwrap()))).unwrap().len();
        assert_eq!(f["length"].as_u64(), Some(len), "{f}");
        total += len;
    }
    assert_eq!(v["bytes"].as_u64(), Some(total));
    assert_eq!(v["document_signer"]["sha256"].as_str().unwrap(), openssl_sha256(&pki.join("ds.pem"), true));
    assert_eq!(v["csca"]["sha256"].as_str().unwrap(), openssl_sha256(&pki.join("csca.pem"), true));
    // the card (valid to 2039) outlives the 400-day Document Signer: warned in the document and on stderr
    assert_eq!(warning_codes(&v), ["outlives_document_signer"], "{v}");
    assert!(err.contains("warning: the card outlives the Document Signer certificate"), "{err}");

    // failures under --json: JSON on standard output, the kind and the usage exit code
    let (code, out, _) = issue(&record_path(), &photo, &pki, &chip, &["--json"]);
    let e: Value = serde_json::from_str(&out).unwrap();
    assert_contract(&e, "issue");
    assert_eq!((code, e["error"]["kind"].as_str()), (2, Some("input")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("already exists"), "{e}");
    let (code, e) = cccd_json(&["pki", "new-ds", "--pki", s(&dir.join("nowhere")), "--json"]);
    assert_contract(&e, "pki new-ds");
    assert_eq!((code, e["error"]["kind"].as_str()), (2, Some("io")), "{e}");
    // a command line clap refuses is a JSON error of kind usage, naming the subcommand and what is missing
    let (code, e) = cccd_json(&["pki", "crl", "--json"]);
    assert_contract(&e, "pki crl");
    assert_eq!((code, e["error"]["kind"].as_str()), (2, Some("usage")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("--pki"), "{e}");
    let (code, e) = cccd_json(&["qr", "encode", "--no-such-flag", "--json"]);
    assert_contract(&e, "qr encode");
    assert_eq!((code, e["error"]["kind"].as_str()), (2, Some("usage")), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn qr_encode_prints_the_payload_and_the_files_that_zbarimg_reads_back() {
    let dir = tmp("qr");
    let png = dir.join("qr.png");
    let (code, v) = cccd_json(&["qr", "encode", "--record", s(&record_path()), "--png", s(&png), "--json"]);
    assert_eq!(code, 0, "{v}");
    assert_contract(&v, "qr encode");
    let text = v["text"].as_str().unwrap();
    assert_eq!((v["layout"].as_str(), text.split('|').count()), (Some("2024"), 11), "{v}");
    assert_eq!(v["payload"]["id_number"], "001099012345");
    assert_eq!(v["payload"]["full_name"], "Nguyễn Văn A");
    assert_eq!(v["files"][0]["path"].as_str(), Some(s(&png)));
    assert_eq!(v["files"][0]["bytes"].as_u64(), Some(std::fs::metadata(&png).unwrap().len()));
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sbinary", s(&png)])
        .output()
        .expect("zbarimg must be installed (apt-get install zbar-tools)");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
    // --json alone is an output: the payload, no file
    let (code, w) = cccd_json(&["qr", "encode", "--record", s(&record_path()), "--layout", "2021", "--json"]);
    assert_eq!((code, w["text"].as_str().map(|t| t.split('|').count())), (0, Some(7)), "{w}");
    assert_eq!(w["files"], serde_json::json!([]));
    // and decode reads it back into the same fields
    let (code, d) = cccd_json(&["qr", "decode", "--text", text, "--json"]);
    assert_eq!(code, 0, "{d}");
    assert_contract(&d, "qr decode");
    assert_eq!(d["results"][0]["payload"], v["payload"], "{d}");
    std::fs::remove_dir_all(&dir).unwrap();
}
