//! `cccd demo [--out DIR]`: the whole chain on the built-in virtual chip, no reader and no system package.
//!
//! A test PKI (CSCA brainpoolP512r1, Document Signer brainpoolP384r1, as the Vietnamese chain), a sample citizen
//! record and photo become a chip image (EF.CardAccess, EF.COM, DG1, DG2, DG13, DG14, DG15, a signed EF.SOD);
//! the virtual chip serves it; the reader reads it back with BAC and Passive Authentication checks it against
//! the CSCA.

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
use cccd::pki::{DocumentSigner, SoftwareKey, country_signing_ca, document_signer};
use cccd::reader::Reader;

use super::CliError;

/// Arguments of `cccd demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the files: the PKI, the chip image, the files read back and the card's QR code.
    #[arg(long)]
    out: Option<PathBuf>,
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
    let csca = country_signing_ca(
        "CN=CSCA Viet Nam (demo),O=cccd demo,C=VN",
        SoftwareKey::generate(NamedCurve::BrainpoolP512r1),
        3650,
    )
    .map_err(|e| fail("CSCA", e))?;
    let ds = document_signer(
        "CN=Document Signer (demo),O=cccd demo,C=VN",
        &csca,
        SoftwareKey::generate(NamedCurve::BrainpoolP384r1),
        2,
        std::time::SystemTime::now() - std::time::Duration::from_secs(86_400),
        365,
    )
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
    let mut chip = VirtualChip::new(image.clone(), ChipConfig::default());
    let key = cccd::access::bac::BacKey::from_mrz_information(&record.mrz_information().map_err(|e| fail("MRZ", e))?);
    let mut reader = Reader::bac(key);
    let read = reader.read(&mut chip).map_err(|e| fail("read", e))?;
    let identical = image.files.iter().all(|(f, b)| read.files.get(f) == Some(b));
    step(
        "read back (BAC, in memory)",
        t,
        format!(
            "{} APDUs, extended length, {} files byte-identical: {identical}",
            reader.apdu_count(),
            read.files.len()
        ),
    );

    let t = Instant::now();
    let sod = read.files.get(&LdsFile::Sod).ok_or_else(|| fail("verify", "no EF.SOD read"))?;
    let report = cccd::pa::verify_with_trust(sod, &read.files, None, std::slice::from_ref(&csca.certificate))
        .map_err(|e| fail("verify", e))?;
    step(
        "Passive Authentication",
        t,
        format!(
            "hashes {}, signature {:?}, DS validity {:?}, CSCA chain {:?}",
            if report.data_groups.values().all(|h| *h == cccd::pa::HashCheck::Match) {
                "all match"
            } else {
                "MISMATCH"
            },
            report.signature,
            report.ds_certificate_validity,
            report.csca_chain
        ),
    );

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

    let ok = identical && report.is_valid() && back == record;
    let mut out = String::from("cccd demo: issue → virtual chip → read → verify\n\n");
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
    out.push_str(if ok { "\nresult: VALID\n" } else { "\nresult: NOT VALID\n" });
    out.push_str("(not yet in this demo: personalization commands, PACE, Chip and Active Authentication)\n");
    super::print(&out);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
