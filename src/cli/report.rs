//! What a person sees of a read: the text view and the one-page HTML report, both rendered from the read's JSON
//! document (the one `cccd read --json` prints), so the three never disagree.
//!
//! The document's parts used here: `verdict` (`value`, `summary`, `findings`), `holder`, `access`,
//! `passive_authentication`, `chip_authentication`, `active_authentication`, `certificate_chain`, `files`,
//! `missing`, `protected`, `apdus`, `milliseconds`, `resumed`, `saved`.

use serde_json::Value;

/// The label a clerk reads for a holder field (English, with the card's Vietnamese term).
fn label(name: &str) -> &str {
    match name {
        "full_name" => "Name (Họ và tên)",
        "id_number" => "ID number (Số định danh)",
        "document_number" => "Document number",
        "date_of_birth" => "Date of birth (Ngày sinh)",
        "sex" => "Sex (Giới tính)",
        "nationality" => "Nationality (Quốc tịch)",
        "ethnicity" => "Ethnicity (Dân tộc)",
        "religion" => "Religion (Tôn giáo)",
        "place_of_origin" => "Place of origin (Quê quán)",
        "place_of_residence" => "Place of residence (Nơi thường trú)",
        "identifying_marks" => "Identifying marks (Đặc điểm nhận dạng)",
        "date_of_issue" => "Date of issue (Ngày cấp)",
        "date_of_expiry" => "Date of expiry (Có giá trị đến)",
        "father_name" => "Father (Họ tên cha)",
        "mother_name" => "Mother (Họ tên mẹ)",
        "spouse" => "Spouse (Vợ/chồng)",
        "old_id_number" => "Old ID number (Số CMND cũ)",
        "issuing_state" => "Issuing state",
        other => other,
    }
}

/// The holder fields shown first, in this order.
const HOLDER_FIELDS: [&str; 8] = [
    "full_name",
    "id_number",
    "document_number",
    "date_of_birth",
    "sex",
    "nationality",
    "date_of_expiry",
    "issuing_state",
];

/// The checks, in the order shown, with their labels.
const CHECKS: [(&str, &str); 3] = [
    ("passive_authentication", "Passive Authentication (signed data)"),
    ("chip_authentication", "Chip Authentication (chip not cloned)"),
    ("active_authentication", "Active Authentication (chip not cloned)"),
];

fn s(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Every row of the holder: the main fields, then the remaining personal data (DG13).
fn holder_rows(v: &Value) -> Vec<(String, String)> {
    let holder = &v["holder"];
    let mut rows: Vec<(String, String)> = HOLDER_FIELDS
        .iter()
        .filter(|f| !holder[**f].is_null())
        .map(|f| (label(f).to_string(), s(&holder[*f])))
        .collect();
    if let Some(details) = holder["details"].as_array() {
        for d in details {
            let name = d["name"].as_str().unwrap_or_default();
            if HOLDER_FIELDS.contains(&name) {
                continue;
            }
            rows.push((label(name).to_string(), s(&d["value"])));
        }
    }
    rows
}

/// A check as `(state, text)`: state `passed`, `failed`, `not_checked` or `error`.
fn check(v: &Value, key: &str) -> (String, String) {
    let c = &v[key];
    if key == "passive_authentication" {
        if let Some(e) = c["error"].as_str() {
            return ("error".into(), e.to_string());
        }
        // what failed decides "failed"; what could not run is "not checked", with its reason, never "failed"
        let mut failed = Vec::new();
        let mut not_run = Vec::new();
        for part in ["message_digest", "signature", "ds_certificate_validity", "csca_chain", "revocation"] {
            let line = format!("{}: {}", part.replace('_', " "), s(&c[part]["reason"]));
            match c[part]["status"].as_str() {
                Some("passed") => {}
                Some("failed") => failed.push(line),
                // a revocation check without a CRL is not required
                _ if part == "revocation" => {}
                Some(_) => not_run.push(line),
                None => not_run.push(format!("{}: not reported", part.replace('_', " "))),
            }
        }
        if let Some(dgs) = c["data_groups"].as_object() {
            for (dg, h) in dgs {
                match s(h).as_str() {
                    "match" | "not_present" => {}
                    "unsupported" => not_run.push(format!("{dg}: hash algorithm not supported")),
                    other => failed.push(format!("{dg}: {}", other.replace('_', " "))),
                }
            }
        }
        let n = c["data_groups"].as_object().map_or(0, |m| m.len());
        return if c["valid"].as_bool() == Some(true) {
            ("passed".into(), format!("{n} data groups match the signed hashes; signature and chain verify"))
        } else if !failed.is_empty() {
            ("failed".into(), failed.join("; "))
        } else if !not_run.is_empty() {
            ("not_checked".into(), format!("could not complete: {}", not_run.join("; ")))
        } else {
            ("not_checked".into(), "could not complete (see the verdict's findings)".into())
        };
    }
    let st = c["status"].as_str().unwrap_or("not_checked").to_string();
    let reason = s(&c["reason"]);
    (st, reason)
}

fn state_word(state: &str) -> &'static str {
    match state {
        "passed" => "passed",
        "failed" => "FAILED",
        "error" => "ERROR",
        _ => "not checked",
    }
}

/// The certificate rows: `(role, subject, details)`.
fn certificates(v: &Value) -> Vec<(String, Value)> {
    let chain = &v["certificate_chain"];
    let mut out = Vec::new();
    for (key, role) in [("document_signer", "Document Signer"), ("csca", "CSCA (country signing CA)")] {
        if chain[key].is_object() {
            out.push((role.to_string(), chain[key].clone()));
        }
    }
    out
}

/// The text view: the verdict line first, then the holder, each check, the certificate chain, the read.
pub fn text(v: &Value) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let verdict = &v["verdict"];
    let value = verdict["value"].as_str().unwrap_or("incomplete");
    let _ = writeln!(out, "{}: {}", value.to_uppercase().replace('_', " "), s(&verdict["summary"]));
    for f in verdict["findings"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "  {} {}: {}", s(&f["severity"]), s(&f["code"]), s(&f["message"]));
    }
    let rows = holder_rows(v);
    let width = rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0).max(24);
    let _ = writeln!(out, "\nHolder");
    for (l, val) in &rows {
        let _ = writeln!(out, "  {l:<width$}  {val}");
    }
    if let Some(lines) = v["holder"]["mrz"].as_array() {
        for (i, line) in lines.iter().enumerate() {
            let l = if i == 0 { "MRZ" } else { "" };
            let _ = writeln!(out, "  {l:<width$}  {}", s(line));
        }
    }
    let _ = writeln!(out, "\nChecks");
    let _ = writeln!(out, "  {:<42}  {}", "Access control", s(&v["access"]));
    for (key, l) in CHECKS {
        let (state, why) = check(v, key);
        let sep = if why.is_empty() { "" } else { ": " };
        let _ = writeln!(out, "  {l:<42}  {}{sep}{why}", state_word(&state));
    }
    let certs = certificates(v);
    if !certs.is_empty() {
        let _ = writeln!(out, "\nCertificate chain");
        for (role, c) in certs {
            let _ = writeln!(out, "  {role}: {}", s(&c["subject"]));
            let _ = writeln!(out, "      issuer {}; serial {}", s(&c["issuer"]), s(&c["serial_number"]));
            let _ = writeln!(out, "      valid {} to {}", s(&c["not_before"]), s(&c["not_after"]));
        }
    }
    let files: Vec<String> = v["files"].as_array().into_iter().flatten().map(|f| s(&f["file"])).collect();
    let _ = writeln!(out, "\nRead");
    let _ = writeln!(
        out,
        "  {} files ({}) in {} APDUs, {} ms{}",
        files.len(),
        files.join(", "),
        s(&v["apdus"]),
        s(&v["milliseconds"]),
        match v["resumed"].as_u64() {
            Some(n) if n > 0 => format!(", resumed {n}x after the card left the reader"),
            _ => String::new(),
        }
    );
    for key in ["protected", "missing"] {
        let list: Vec<String> = v[key].as_array().into_iter().flatten().map(s).collect();
        if !list.is_empty() {
            let _ = writeln!(out, "  {key}: {}", list.join(", "));
        }
    }
    if let Some(dir) = v["saved"]["folder"].as_str() {
        let _ = writeln!(out, "  saved in {dir}");
    }
    out
}

/// Escapes text for HTML.
fn esc(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
*{box-sizing:border-box}body{margin:0;background:#eef1f5;font:15px/1.45 'DejaVu Sans',system-ui,sans-serif;color:#1d2430}
main{max-width:940px;margin:24px auto;background:#fff;border-radius:10px;box-shadow:0 2px 10px #0002;overflow:hidden}
.verdict{padding:20px 28px;color:#fff}.verdict h1{margin:0;font-size:30px;letter-spacing:1px}
.verdict p{margin:4px 0 0;font-size:16px}.genuine{background:#1b7f3b}.tampered,.clone_suspected{background:#b00020}
.untrusted{background:#b26a00}.incomplete{background:#56657a}
.findings{margin:0;padding:10px 28px;background:#fff8e1;border-bottom:1px solid #eadfb8;list-style:none}
.findings li{padding:3px 0}.findings .error{color:#b00020;font-weight:bold}.findings .warning{color:#8a5300}
.holder{display:flex;gap:28px;padding:24px 28px}.face img{width:210px;border-radius:6px;border:1px solid #ccd;display:block}
.face .none{width:210px;height:280px;display:flex;align-items:center;justify-content:center;background:#f0f0f0;color:#888}
table{border-collapse:collapse;width:100%}td,th{padding:5px 8px;vertical-align:top;text-align:left}
.holder th{color:#56657a;font-weight:normal;width:44%}.holder td{font-weight:bold}
.name{font-size:22px}.mrz{font-family:'DejaVu Sans Mono',monospace;background:#f5f7fa;padding:10px 14px;margin:0 28px 20px;
border-radius:6px;white-space:pre;font-size:14px;letter-spacing:1px}
h2{margin:0;padding:14px 28px 6px;font-size:17px;color:#33415c;border-top:1px solid #e3e7ee}
.checks,.certs,.read{padding:4px 28px 18px}.checks th{width:40%}.checks td.st{width:110px;font-weight:bold}
.passed{color:#1b7f3b}.failed,.error{color:#b00020}.not_checked{color:#8a5300}
.certs th{color:#56657a;font-weight:normal;width:22%}.read{color:#56657a;font-size:13px}
";

/// The one-page, self-contained HTML report (face embedded as a `data:` URI, no external resource).
pub fn html(v: &Value, face_png: Option<&[u8]>) -> String {
    use base64::Engine as _;
    use std::fmt::Write;
    let verdict = &v["verdict"];
    let value = verdict["value"].as_str().unwrap_or("incomplete");
    let rows = holder_rows(v);
    let name = s(&v["holder"]["full_name"]);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{} — {}</title><style>{CSS}</style></head><body><main>",
        esc(&name),
        esc(value)
    );
    let _ = write!(
        h,
        "<section class=\"verdict {}\" id=\"verdict\" data-verdict=\"{}\"><h1>{}</h1><p>{}</p></section>",
        esc(value),
        esc(value),
        esc(&value.to_uppercase().replace('_', " ")),
        esc(&s(&verdict["summary"]))
    );
    let findings = verdict["findings"].as_array().cloned().unwrap_or_default();
    if !findings.is_empty() {
        h.push_str("<ul class=\"findings\">");
        for f in &findings {
            let sev = s(&f["severity"]);
            let _ = write!(h, "<li><span class=\"{}\">{}</span> {}</li>", esc(&sev), esc(&sev), esc(&s(&f["message"])));
        }
        h.push_str("</ul>");
    }
    h.push_str("<section class=\"holder\"><div class=\"face\">");
    match face_png {
        Some(png) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(png);
            let _ = write!(h, "<img id=\"face\" alt=\"face of the holder (DG2)\" src=\"data:image/png;base64,{b64}\">");
        }
        None => h.push_str("<div class=\"none\">no face read</div>"),
    }
    h.push_str("</div><table>");
    for (i, (l, val)) in rows.iter().enumerate() {
        let cls = if i == 0 { " class=\"name\" id=\"holder-name\"" } else { "" };
        let _ = write!(h, "<tr><th>{}</th><td{cls}>{}</td></tr>", esc(l), esc(val));
    }
    h.push_str("</table></section>");
    if let Some(lines) = v["holder"]["mrz"].as_array() {
        let text: Vec<String> = lines.iter().map(|l| esc(&s(l))).collect();
        let _ = write!(h, "<div class=\"mrz\">{}</div>", text.join("\n"));
    }
    h.push_str("<h2>Checks</h2><div class=\"checks\"><table>");
    let _ =
        write!(h, "<tr><th>Access control</th><td class=\"st passed\">ran</td><td>{}</td></tr>", esc(&s(&v["access"])));
    for (key, l) in CHECKS {
        let (state, why) = check(v, key);
        let _ = write!(
            h,
            "<tr id=\"check-{key}\"><th>{}</th><td class=\"st {}\">{}</td><td>{}</td></tr>",
            esc(l),
            esc(&state),
            state_word(&state),
            esc(&why)
        );
    }
    h.push_str("</table></div>");
    let certs = certificates(v);
    if !certs.is_empty() {
        h.push_str("<h2>Certificate chain</h2><div class=\"certs\"><table>");
        for (role, c) in certs {
            let _ = write!(
                h,
                "<tr><th>{}</th><td><b>{}</b><br>issuer {}<br>serial {} · valid {} to {}</td></tr>",
                esc(&role),
                esc(&s(&c["subject"])),
                esc(&s(&c["issuer"])),
                esc(&s(&c["serial_number"])),
                esc(&s(&c["not_before"])),
                esc(&s(&c["not_after"]))
            );
        }
        h.push_str("</table></div>");
    }
    let files: Vec<String> = v["files"].as_array().into_iter().flatten().map(|f| s(&f["file"])).collect();
    let _ = write!(
        h,
        "<h2>Read</h2><div class=\"read\">{} files ({}) · {} APDUs · {} ms · reader {}</div>",
        files.len(),
        esc(&files.join(", ")),
        esc(&s(&v["apdus"])),
        esc(&s(&v["milliseconds"])),
        esc(&s(&v["reader"]))
    );
    for (key, why) in [
        ("protected", "protected, not read (Terminal Authentication)"),
        ("missing", "listed in EF.COM, not on the chip"),
    ] {
        let list: Vec<String> = v[key].as_array().into_iter().flatten().map(s).collect();
        if !list.is_empty() {
            let _ = write!(h, "<div class=\"read\">{}: {}</div>", esc(why), esc(&list.join(", ")));
        }
    }
    // the face's decoded size, written into the page (what a test or a person can check the image showed)
    h.push_str(
        "</main><script>(function(){var i=document.getElementById('face');if(!i)return;\
         function f(){i.setAttribute('data-natural-size',i.naturalWidth+'x'+i.naturalHeight);}\
         if(i.complete)f();else i.addEventListener('load',f);})();</script></body></html>\n",
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_html_show_the_same_verdict_and_holder() {
        let v = serde_json::json!({
            "verdict": { "value": "tampered", "summary": "DG2 does not match", "findings": [
                { "code": "document_expired", "severity": "warning", "message": "expired <2020>" } ] },
            "holder": { "full_name": "Nguyễn Văn A", "id_number": "001099012345", "mrz": ["I<VNM", "99"],
                        "details": [ { "name": "ethnicity", "value": "Kinh" } ] },
            "access": "BAC",
            "passive_authentication": { "error": "no EF.SOD read" },
            "chip_authentication": { "status": "failed", "reason": "wrong key" },
        });
        let t = text(&v);
        assert!(t.starts_with("TAMPERED: DG2 does not match\n"), "{t}");
        assert!(t.contains("Nguyễn Văn A") && t.contains("Kinh") && t.contains("FAILED: wrong key"), "{t}");
        let h = html(&v, None);
        assert!(h.contains("data-verdict=\"tampered\"") && h.contains("Nguyễn Văn A"));
        assert!(h.contains("expired &lt;2020&gt;"), "escaped");
        assert!(!h.contains("<2020>"));
    }

    /// A Passive Authentication that could not complete (no trusted CSCA): "not checked" with the reason in
    /// the text and the HTML, never "failed … not valid".
    #[test]
    fn a_passive_authentication_that_could_not_complete_is_not_checked_not_failed() {
        let pa = serde_json::json!({
            "data_groups": { "DG1": "match", "DG2": "match" },
            "message_digest": { "status": "passed" }, "signature": { "status": "passed" },
            "ds_certificate_validity": { "status": "passed" },
            "csca_chain": { "status": "not_checked", "code": "no_trust_anchor", "fault": "trust",
                            "reason": "no trusted CSCA given" },
            "revocation": { "status": "not_checked", "code": "no_crl", "fault": "trust", "reason": "no CRL" },
            "valid": false,
        });
        let v = serde_json::json!({ "verdict": { "value": "incomplete", "summary": "no trust anchor" },
                                    "passive_authentication": pa });
        let (state, why) = check(&v, "passive_authentication");
        assert_eq!(state, "not_checked");
        assert_eq!(why, "could not complete: csca chain: no trusted CSCA given");
        let t = text(&v);
        assert!(t.contains("not checked: could not complete: csca chain: no trusted CSCA given"), "{t}");
        assert!(!t.contains("FAILED") && !t.contains("not valid"), "{t}");
        let h = html(&v, None);
        assert!(h.contains("could not complete: csca chain: no trusted CSCA given"), "{h}");
        assert!(!h.contains("not valid"), "{h}");

        // nothing reported as not run, nothing failed, not valid: still "not checked", never "failed"
        let mut bare = v.clone();
        bare["passive_authentication"] = serde_json::json!({ "data_groups": {}, "valid": false,
            "message_digest": { "status": "passed" }, "signature": { "status": "passed" },
            "ds_certificate_validity": { "status": "passed" }, "csca_chain": { "status": "passed" } });
        assert_eq!(check(&bare, "passive_authentication").0, "not_checked");

        // one that failed is failed, with what failed (not what could not run)
        let mut failed = v.clone();
        failed["passive_authentication"]["data_groups"]["DG2"] = serde_json::json!("mismatch");
        let (state, why) = check(&failed, "passive_authentication");
        assert_eq!((state.as_str(), why.as_str()), ("failed", "DG2: mismatch"));
    }
}
