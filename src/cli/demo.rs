//! `cccd demo [--out DIR]`: the whole chain on the built-in virtual chip, no reader and no system package.
//!
//! A test PKI (CSCA brainpoolP512r1, Document Signer brainpoolP384r1, as the Vietnamese chain), a sample citizen
//! record and photo become a chip image (EF.CardAccess, EF.COM, DG1, DG2, DG13, DG14, DG15, a signed EF.SOD);
//! the personalizer writes it to a blank virtual chip (transport key, write, read back, reader session, LOCK);
//! the reader reads it back with PACE (CAN) and with BAC, and Passive, Chip and Active Authentication check it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use cccd::citizen::CitizenRecord;
use cccd::crypto::ec::NamedCurve;
use cccd::emulator::{ChipConfig, VirtualChip};
use cccd::issuance::{ChipKeys, IssueOptions, issue};
use cccd::lds::LdsFile;
use cccd::lds::dg1::Dg1;
use cccd::lds::dg13::Dg13;
use cccd::pki::{CertificateBuilder, DocumentSigner, SoftwareKey};
use cccd::reader::{AccessControl, Reader};
use cccd::verify::{Policy, Verifier};

use super::CliError;

/// Arguments of `cccd demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the files: the PKI, the chip image, the files read back and the card's QR code.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the JSON verdict document (the same contract as `cccd read --json`) instead of the step log.
    #[arg(long)]
    json: bool,
}

const SAMPLE_RECORD: &str = include_str!("../../examples/records/nguyen-van-a.json");

fn fail(step: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Input { context: format!("demo: {step}"), message: e.to_string() }
}

/// A synthetic portrait photo (PNG), so the demo needs no file.
fn sample_photo() -> Result<Vec<u8>, CliError> {
    let (w, h) = (900u32, 1200u32);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - w as f32 / 2.0, y as f32 - h as f32 * 0.42);
        let face = (dx / 190.0).powi(2) + (dy / 250.0).powi(2) < 1.0;
        let eye = ((dx.abs() - 70.0) / 22.0).powi(2) + ((dy + 50.0) / 12.0).powi(2) < 1.0;
        if eye {
            image::Rgb([40, 30, 30])
        } else if face {
            image::Rgb([226, 186, 158])
        } else {
            image::Rgb([200, 210, 225])
        }
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut png, image::ImageFormat::Png).map_err(|e| fail("photo", e))?;
    Ok(png.into_inner())
}

/// Runs `cccd demo`.
pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let mut log = String::new();
    let mut step = |name: &str, started: Instant, detail: String| {
        log.push_str(&format!("{name:<28} {:>7.1} ms  {detail}\n", started.elapsed().as_secs_f64() * 1000.0));
    };

    let t = Instant::now();
    let csca = CertificateBuilder::country_signing_ca("CN=CSCA Viet Nam (demo),O=cccd demo,C=VN")
        .serial(1)
        .valid_for_days(3650)
        .build_for_key(SoftwareKey::generate(NamedCurve::BrainpoolP512r1))
        .map_err(|e| fail("CSCA", e))?;
    let ds = CertificateBuilder::document_signer("CN=Document Signer (demo),O=cccd demo,C=VN")
        .serial(2)
        .not_before(std::time::SystemTime::now() - std::time::Duration::from_secs(86_400))
        .valid_for_days(365)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(NamedCurve::BrainpoolP384r1))
        .map_err(|e| fail("Document Signer", e))?;
    step("test PKI", t, "CSCA brainpoolP512r1, DS brainpoolP384r1".into());

    let t = Instant::now();
    let record: CitizenRecord = serde_json::from_str(SAMPLE_RECORD).map_err(|e| fail("record", e))?;
    let validation = record.validate();
    if !validation.errors.is_empty() {
        return Err(fail("record", format!("{} validation errors", validation.errors.len())));
    }
    let face =
        cccd::face::prepare(&sample_photo()?, &cccd::face::FaceOptions::default()).map_err(|e| fail("face", e))?;
    let keys = ChipKeys::generate(NamedCurve::BrainpoolP256r1);
    let signer: DocumentSigner = ds.clone_signer().map_err(|e| fail("Document Signer", e))?;
    let image =
        issue(&record, &face.clone().into(), &keys, &signer, &IssueOptions::default()).map_err(|e| fail("issue", e))?;
    let total: usize = image.files.values().map(Vec::len).sum();
    step(
        "issue chip image",
        t,
        format!(
            "{} files, {total} bytes (face {}×{} JPEG q{}, {} bytes)",
            image.files.len(),
            face.width,
            face.height,
            face.quality,
            face.jpeg.len()
        ),
    );

    let t = Instant::now();
    let transport_key: [u8; 16] = rand::random();
    let mut chip = VirtualChip::blank(transport_key, ChipConfig::default());
    chip.set_faults(cccd::emulator::Faults {
        link: Some(cccd::emulator::LinkModel::iso14443(424)),
        ..Default::default()
    });
    let profile = cccd::perso::OpenEmrtdProfile::new(transport_key);
    let perso = cccd::perso::Personalizer::new(&profile, &image).run(&mut chip).map_err(|e| fail("perso", e))?;
    let locked = chip.life_cycle() == cccd::emulator::LifeCycle::Operational;
    step(
        "personalize blank chip",
        t,
        format!(
            "{} APDUs, {} bytes written, verified ({}), locked: {locked}; {:.0} ms on a 424 kbit/s link",
            perso.apdus,
            perso.bytes_written,
            perso.reader_access.as_ref().map(ToString::to_string).unwrap_or_default(),
            chip.faults().link_time_us as f64 / 1000.0
        ),
    );

    let trust = cccd::pa::TrustStore::from_certificates(std::slice::from_ref(&csca.certificate));
    let can = cccd::access::pace::PacePassword::Can(record.can().map_err(|e| fail("CAN", e))?);
    let bac = cccd::access::bac::BacKey::from_mrz_information(&record.mrz_information().map_err(|e| fail("MRZ", e))?);
    // the strict demo's policy: a trust anchor, DG1, DG2, DG13, Chip and Active Authentication
    let verifier = Verifier::new(&trust, Policy::strict());
    let mut verifications = Vec::new();
    let mut read = None;
    for (name, access) in
        [("read back (PACE, CAN)", AccessControl::Pace(can)), ("read back (BAC, MRZ)", AccessControl::Bac(bac))]
    {
        let t = Instant::now();
        let _ = cccd::transport::Transport::reset(&mut chip);
        let mut reader = Reader::new(access);
        let result = reader.read(&mut chip).map_err(|e| fail("read", e))?;
        let identical = image.files.iter().all(|(f, b)| result.files.get(f) == Some(b) || result.protected.contains(f));
        let verification = verifier.verify_read(&result);
        step(
            name,
            t,
            format!(
                "{}, {} APDUs, files identical: {identical}, PA {}, CA {}, AA {} → {}",
                result.access,
                reader.apdu_count(),
                if verification.report.passive_authentication_passed { "valid" } else { "NOT VALID" },
                verification.report.chip_authentication.status(),
                verification.report.active_authentication.status(),
                verification.verdict,
            ),
        );
        verifications.push((identical, verification));
        read = Some(result);
    }
    let read = read.ok_or_else(|| fail("read", "nothing read"))?;
    let identical = locked && verifications.iter().all(|(same, _)| *same);
    // the verdict shown: the first read's unless another one is worse
    let verification = verifications
        .iter()
        .map(|(_, v)| v)
        .find(|v| !v.verdict.is_genuine())
        .or(verifications.first().map(|(_, v)| v))
        .cloned()
        .ok_or_else(|| fail("verify", "nothing verified"))?;

    let dg = |n| LdsFile::dg(n).ok_or_else(|| fail("LDS", "data group number"));
    let back_dg13 = read.files.get(&dg(13)?).ok_or_else(|| fail("verify", "no DG13"))?;
    let back_dg1 = read.files.get(&dg(1)?).ok_or_else(|| fail("verify", "no DG1"))?;
    let back = CitizenRecord::from_dg1_dg13(
        &Dg1::decode(back_dg1).map_err(|e| fail("DG1", e))?,
        &Dg13::decode(back_dg13).map_err(|e| fail("DG13", e))?,
    )
    .map_err(|e| fail("record", e))?;
    let qr = cccd::qr::QrPayload::from_record(&record, cccd::qr::QrLayout::V2024).build();

    if let Some(dir) = &args.out {
        super::write_file(&dir.join("pki/csca.pem"), csca.pem().as_bytes())?;
        super::write_file(&dir.join("pki/ds.pem"), ds.pem().as_bytes())?;
        image.save_dir(&dir.join("chip")).map_err(|e| fail("save", e))?;
        for (f, b) in &read.files {
            super::write_file(&dir.join("read").join(format!("{}.bin", f.name())), b)?;
        }
        let png = cccd::qr::render_png(&qr, &cccd::qr::RenderOptions::default()).map_err(|e| fail("QR", e))?;
        super::write_file(&dir.join("qr.png"), &png)?;
        super::write_file(&dir.join("face.jpg"), &face.jpeg)?;
    }

    let ok = identical && verification.verdict.is_genuine() && back == record;
    if args.json {
        let mut v = super::verdict::document(
            "demo",
            serde_json::json!({
                "access": read.access,
                "files_identical": identical,
                "locked": locked,
                "record_round_trip": back == record,
            }),
        );
        super::verdict::add_verification(&mut v, &verification);
        v["valid"] = serde_json::Value::Bool(ok);
        super::print(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
        return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let mut out = String::from("cccd demo: issue → personalize a blank virtual chip → read (PACE, BAC) → verify\n\n");
    out.push_str(&log);
    out.push_str(&format!(
        "\nholder read back: {} ({}), born {}, ID …{} — record round trip: {}\n",
        back.full_name,
        back.sex.vietnamese(),
        back.date_of_birth,
        back.id_number.get(9..).unwrap_or(""),
        if back == record { "identical" } else { "DIFFERENT" }
    ));
    out.push_str(&format!("QR payload (2024 layout): {} fields\n", qr.split('|').count()));
    if let Some(dir) = &args.out {
        out.push_str(&format!("files kept in {}\n", dir.display()));
    }
    out.push('\n');
    out.push_str(&super::verdict::verdict_text(&verification));
    out.push_str(if ok { "\nresult: VALID\n" } else { "\nresult: NOT VALID\n" });
    super::print(&out);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
