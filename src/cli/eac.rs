//! `cccd pki cvca|dv|is`: the EAC PKI (ICAO 9303-12 §3.2, Table 2): a CVCA (self-signed, or a link certificate
//! to a new key), Document Verifiers and Inspection Systems, with ECDSA or RSA keys in software or in a PKCS#11
//! token (`--hsm-*`, see [`super::eac_key`]).
//!
//! Folders: a CVCA folder holds `cvca.cvcert` and `cvca.key` (PKCS#8 PEM, mode 0600; `cvca.hsm` for a key in a
//! token), plus `link-CHR.cvcert` and the previous `cvca-CHR.cvcert` after a key change; a DV folder
//! `dv.cvcert`, `dv.key` (or `dv.hsm`) and the CVCA's certificate; an IS folder (a *terminal* folder, what
//! `cccd read --terminal` takes) `cvca.cvcert`, `dv.cvcert`, `is.cvcert` and `is.key` (or `is.hsm`).

use cccd::crypto::ec::NamedCurve;
use cccd::cvc::issue::{self, Issuer, Rights};
use cccd::cvc::{CvCertificate, CvcDate, Reference, Role};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{CliError, eac_key};

fn input(context: impl std::fmt::Display, message: impl std::fmt::Display) -> CliError {
    CliError::Input { context: context.to_string(), message: message.to_string() }
}

/// Validity and rights shared by the EAC PKI commands.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// First day of validity, `YYYY-MM-DD` (default: today, UTC).
    #[arg(long)]
    effective: Option<String>,
    /// Validity in days, the first day included (default and bounds per ICAO 9303-12 Table 2: CVCA 1095 of
    /// 182–1096, DV 90 of 14–92, IS 30 of 1–31).
    #[arg(long)]
    days: Option<i64>,
    /// Grant read access to DG3 (fingerprints).
    #[arg(long)]
    dg3: bool,
    /// Grant read access to DG4 (iris).
    #[arg(long)]
    dg4: bool,
    /// Print JSON: the certificate (CHR, CAR, role, validity, rights, SHA-256) and the files written.
    #[arg(long)]
    json: bool,
    /// The new key in a PKCS#11 token instead of software (`NAME.hsm` then names it; PIN in `CCCD_HSM_PIN`).
    #[command(flatten)]
    hsm: super::issue::HsmArgs,
}

/// Arguments of `cccd pki cvca`.
#[derive(Debug, clap::Args)]
pub struct CvcaArgs {
    /// The CVCA folder. When it already holds a CVCA, a new key is made and certified by the old one (a link
    /// certificate).
    #[arg(long)]
    out: PathBuf,
    /// The CHR, e.g. `VNCVCA00001` (country code, mnemonic, 5-character sequence number).
    #[arg(long)]
    chr: String,
    /// The curve (brainpoolP256r1 by default; every eMRTD curve works).
    #[arg(long, default_value = "brainpoolP256r1")]
    curve: String,
    /// An RSA key of this many bits (2048 to 4096) instead of ECDSA: id-TA-RSA-v1-5-SHA-256 (the DVs and
    /// terminals under it get RSA keys of the same size and scheme).
    #[arg(long, value_name = "BITS")]
    rsa: Option<usize>,
    /// With `--rsa`: id-TA-RSA-PSS-SHA-256 instead.
    #[arg(long, requires = "rsa")]
    rsa_pss: bool,
    #[command(flatten)]
    common: Common,
}

/// Arguments of `cccd pki dv`.
#[derive(Debug, clap::Args)]
pub struct DvArgs {
    /// The CVCA folder that signs.
    #[arg(long)]
    cvca: PathBuf,
    /// The DV folder to create.
    #[arg(long)]
    out: PathBuf,
    /// The DV's CHR, e.g. `VNDVPOLICE00001`.
    #[arg(long)]
    chr: String,
    /// A foreign (non-official) DV: its terminals' certificates never move a chip's date.
    #[arg(long)]
    foreign: bool,
    #[command(flatten)]
    common: Common,
}

/// Arguments of `cccd pki is`.
#[derive(Debug, clap::Args)]
pub struct IsArgs {
    /// The DV folder that signs.
    #[arg(long)]
    dv: PathBuf,
    /// The terminal folder to create.
    #[arg(long)]
    out: PathBuf,
    /// The inspection system's CHR, e.g. `VNISHANOI00001`.
    #[arg(long)]
    chr: String,
    #[command(flatten)]
    common: Common,
}

fn date(text: Option<&str>) -> Result<CvcDate, CliError> {
    let d = match text {
        Some(t) => time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|e| input("--effective", e))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    CvcDate::new(d).map_err(|e| input("--effective", e))
}

impl Common {
    fn period(&self, role: Role) -> Result<(CvcDate, CvcDate), CliError> {
        let effective = date(self.effective.as_deref())?;
        let days = self.days.unwrap_or(*issue::validity_range(role).end()).max(1);
        let expiry = effective.date().checked_add(time::Duration::days(days - 1)).ok_or(input("--days", "too far"))?;
        Ok((effective, CvcDate::new(expiry).map_err(|e| input("--days", e))?))
    }

    fn rights(&self) -> Rights {
        Rights { dg3: self.dg3, dg4: self.dg4 }
    }
}

fn reference(text: &str) -> Result<Reference, CliError> {
    Reference::new(text).map_err(|e| input("--chr", e))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    super::write_file(path, bytes)
}

/// Reads a CV certificate file.
pub fn read_certificate(path: &Path) -> Result<CvCertificate, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
    CvCertificate::decode(&bytes).map_err(|e| input(path.display(), e))
}

/// The curve, `RSA-<bits>`, or that the domain parameters come from the CVCA.
fn key_size(c: &CvCertificate) -> String {
    match &c.body.public_key.key {
        cccd::cvc::key::CvcKey::Rsa { modulus, .. } => {
            let first = modulus.iter().position(|b| *b != 0).unwrap_or(modulus.len());
            format!("RSA-{}", (modulus.len() - first) * 8)
        }
        _ => c.body.public_key.own_curve().map_or("inherited domain parameters", |k| k.name()).to_string(),
    }
}

fn summary(c: &CvCertificate) -> String {
    let chat = &c.body.chat;
    format!(
        "{}: {} {} signed by {}, {} to {}, {}, DG3 {} DG4 {}\n",
        c.chr(),
        chat.role().name(),
        c.body.public_key.algorithm.name(),
        c.car(),
        c.body.effective,
        c.body.expiry,
        key_size(c),
        if chat.reads_dg3() { "yes" } else { "no" },
        if chat.reads_dg4() { "yes" } else { "no" },
    )
}

/// A CV certificate in the JSON documents: `chr`, `car`, `role`, `effective`, `expiry` (`YYYY-MM-DD`),
/// `algorithm`, `curve` (null when inherited), `dg3`, `dg4`, `sha256` (of the whole certificate), `path`.
fn certificate_json(c: &CvCertificate, path: &Path) -> serde_json::Value {
    let chat = &c.body.chat;
    serde_json::json!({
        "chr": c.chr().to_string(),
        "car": c.car().to_string(),
        "role": chat.role().name(),
        "effective": c.body.effective.date().to_string(),
        "expiry": c.body.expiry.date().to_string(),
        "algorithm": c.body.public_key.algorithm.name(),
        "curve": c.body.public_key.own_curve().map(|k| k.name()),
        "dg3": chat.reads_dg3(),
        "dg4": chat.reads_dg4(),
        "sha256": super::output::sha256_hex(&c.raw),
        "path": path.display().to_string(),
    })
}

/// Prints what an EAC PKI command made: the summary line, or its JSON document.
fn report(json: bool, command: &str, folder: &Path, cert: &CvCertificate, files: &[String]) {
    let cert_path = folder.join(files.first().map_or("", String::as_str));
    let fields = serde_json::json!({
        "folder": folder.display().to_string(),
        "certificate": certificate_json(cert, &cert_path),
        "files": files,
        "warnings": [],
    });
    super::output::finish(json, &format!("pki {command}"), fields, &summary(cert));
}

/// `cccd pki cvca`.
pub fn cvca(args: &CvcaArgs) -> Result<ExitCode, CliError> {
    let spec = match args.rsa {
        Some(bits) if !(2048..=4096).contains(&bits) || !bits.is_multiple_of(8) => {
            return Err(input("--rsa", format!("RSA-{bits}: 2048 to 4096 bits, whole bytes")));
        }
        Some(bits) => eac_key::KeySpec::Rsa { bits, pss: args.rsa_pss },
        None => eac_key::KeySpec::Ec(NamedCurve::from_name(&args.curve).ok_or(input("--curve", "not an eMRTD curve"))?),
    };
    let chr = reference(&args.chr)?;
    let (effective, expiry) = args.common.period(Role::Cvca)?;
    let cert_path = args.out.join("cvca.cvcert");
    let previous = match cert_path.exists() {
        true => Some((read_certificate(&cert_path)?, eac_key::load(&args.out, "cvca")?)),
        false => None,
    };
    let new = eac_key::generate("cvca", spec, &args.common.hsm)?;
    let key = new.key.signer.as_ref();
    let mut extra = Vec::new();
    let cert = if let Some((old, old_key)) = previous {
        let previous = Issuer { certificate: &old, key: old_key.signer.as_ref() };
        let link = issue::link(chr, key, previous, args.common.rights(), effective, expiry)
            .map_err(|e| input("link certificate", e))?;
        let kept = format!("cvca-{}.cvcert", old.chr());
        let link_name = format!("link-{}.cvcert", link.chr());
        write(&args.out.join(&kept), &old.raw)?;
        write(&args.out.join(&link_name), &link.raw)?;
        extra = vec![link_name, kept];
        link
    } else {
        issue::cvca(chr, key, args.common.rights(), effective, expiry).map_err(|e| input("CVCA", e))?
    };
    write(&cert_path, &cert.raw)?;
    new.save(&args.out, "cvca")?;
    let mut files = vec!["cvca.cvcert".to_string(), new.key.file.clone()];
    files.extend(extra);
    report(args.common.json, "cvca", &args.out, &cert, &files);
    Ok(ExitCode::SUCCESS)
}

fn subordinate(
    signer_dir: &Path,
    signer_name: &str,
    out: &Path,
    name: &str,
    chr: &str,
    role: Role,
    common: &Common,
) -> Result<(CvCertificate, String), CliError> {
    let issuer = read_certificate(&signer_dir.join(format!("{signer_name}.cvcert")))?;
    let issuer_key = eac_key::load(signer_dir, signer_name)?;
    let new = eac_key::generate(name, issuer_key.spec, &common.hsm)?;
    let (effective, expiry) = common.period(role)?;
    let public = new.key.signer.public_key().map_err(|e| input("key", e))?;
    let cert = issue::subordinate(
        reference(chr)?,
        &public,
        role,
        common.rights(),
        Issuer { certificate: &issuer, key: issuer_key.signer.as_ref() },
        effective,
        expiry,
    )
    .map_err(|e| input(name, e))?;
    write(&out.join(format!("{name}.cvcert")), &cert.raw)?;
    new.save(out, name)?;
    Ok((cert, new.key.file.clone()))
}

/// `cccd pki dv`.
pub fn dv(args: &DvArgs) -> Result<ExitCode, CliError> {
    let role = if args.foreign { Role::DvForeign } else { Role::DvDomestic };
    let (cert, key_file) = subordinate(&args.cvca, "cvca", &args.out, "dv", &args.chr, role, &args.common)?;
    let cvca = read_certificate(&args.cvca.join("cvca.cvcert"))?;
    write(&args.out.join("cvca.cvcert"), &cvca.raw)?;
    let files = ["dv.cvcert".to_string(), key_file, "cvca.cvcert".to_string()];
    report(args.common.json, "dv", &args.out, &cert, &files);
    Ok(ExitCode::SUCCESS)
}

/// `cccd pki is`.
pub fn is(args: &IsArgs) -> Result<ExitCode, CliError> {
    let (cert, key_file) = subordinate(&args.dv, "dv", &args.out, "is", &args.chr, Role::Terminal, &args.common)?;
    for name in ["cvca", "dv"] {
        let c = read_certificate(&args.dv.join(format!("{name}.cvcert")))?;
        write(&args.out.join(format!("{name}.cvcert")), &c.raw)?;
    }
    let files = ["is.cvcert".to_string(), key_file, "cvca.cvcert".to_string(), "dv.cvcert".to_string()];
    report(args.common.json, "is", &args.out, &cert, &files);
    Ok(ExitCode::SUCCESS)
}

/// DG3 from a folder of finger images named by position (`right-index.png`, `left_thumb.wsq`, `07.jp2`): one
/// template per image, in position order; the codec from the image's magic number, the size from its header
/// (0×0 for WSQ, whose header this does not read).
pub fn load_fingerprints(dir: &Path) -> Result<cccd::lds::dg3::Dg3, CliError> {
    use cccd::lds::dg3::finger::FingerPosition;
    use cccd::lds::dg3::{Dg3, FingerImage, ImageCodec};
    let io = |source| CliError::Io { path: dir.display().to_string(), source };
    let mut images = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if stem.starts_with('.') || !path.is_file() {
            continue;
        }
        let position = FingerPosition::from_name(stem)
            .ok_or_else(|| input(path.display(), "the file name names no finger (right-index, left_thumb, 07 …)"))?;
        let image = std::fs::read(&path).map_err(|source| CliError::Io { path: path.display().to_string(), source })?;
        let codec = ImageCodec::sniff(&image);
        if codec == ImageCodec::Unknown {
            return Err(input(path.display(), "neither PNG, JPEG, JPEG 2000 nor WSQ"));
        }
        let (width, height) = cccd::face::biometric_image_size(&image).unwrap_or((0, 0));
        images.push(FingerImage { position, compression: codec.finger_compression(), width, height, image });
    }
    if images.is_empty() {
        return Err(input(dir.display(), "no fingerprint images"));
    }
    images.sort_by_key(|f| f.position.code());
    if images.windows(2).any(|w| w[0].position == w[1].position) {
        return Err(input(dir.display(), "two images of the same finger"));
    }
    Ok(Dg3::fingerprints(images))
}

/// An inspection system's credentials from a terminal folder (`cccd pki is`): the chain `cvca.cvcert` (when
/// there), `dv.cvcert`, `is.cvcert`, and the key `is.key` or the token key `is.hsm` names (`read --terminal`,
/// `perso --terminal`).
#[cfg(feature = "pcsc")]
pub fn load_terminal(dir: &Path) -> Result<cccd::access::ta::TerminalCredentials, CliError> {
    let mut chain = Vec::new();
    let cvca = dir.join("cvca.cvcert");
    if cvca.exists() {
        chain.push(read_certificate(&cvca)?);
    }
    chain.push(read_certificate(&dir.join("dv.cvcert"))?);
    let is = read_certificate(&dir.join("is.cvcert"))?;
    if is.body.chat.role() != Role::Terminal {
        return Err(input(dir.join("is.cvcert").display(), "not an inspection-system certificate"));
    }
    chain.push(is);
    let key = eac_key::load(dir, "is")?;
    Ok(cccd::access::ta::TerminalCredentials { chain, key: key.signer })
}

/// The chip's EAC trust from `--cvca DIR` (its `cvca.cvcert`) and `--trust-point CERT`s (most recent first),
/// its current date today (UTC); `None` when neither is given.
pub fn load_trust(
    cvca_dir: Option<&Path>,
    trust_points: &[PathBuf],
) -> Result<Option<cccd::image::EacTrust>, CliError> {
    let mut certs = Vec::new();
    if let Some(dir) = cvca_dir {
        certs.push(read_certificate(&dir.join("cvca.cvcert"))?);
    }
    for path in trust_points {
        certs.push(read_certificate(path)?);
    }
    if certs.is_empty() {
        return Ok(None);
    }
    let today = date(None)?;
    cccd::image::EacTrust::new(certs, today).map(Some).map_err(|e| input("--cvca/--trust-point", e))
}
