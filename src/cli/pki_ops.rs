//! `cccd pki …`: `init` (a CSCA, a Document Signer and a Master List Signer), `master-list` and
//! `check-master-list`, and the day-to-day operations after `init`: `new-ds` and `crl` (the EAC PKI, `cvca`,
//! `dv` and `is`, is in `eac.rs`). Each has `--json`: the files written, each certificate with its serial,
//! validity and SHA-256 fingerprint, and the warnings (a Document Signer that outlives its CSCA, or that
//! cards will outlive).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::pki::{
    CertificateBuilder, CertificateDates, CrlBuilder, MasterListBuilder, RsaSoftwareKey, Signer, SoftwareKey,
    pem_decode, pem_encode,
};
use serde_json::{Value, json};

use super::CliError;
use super::issue::{HsmArgs, hsm_generate, input, io, load_issued, parse_curve, write_private};
use super::output::{certificate, finish, sha256_hex, warning};

/// `cccd pki …`
#[derive(Debug, clap::Subcommand)]
pub enum PkiCommand {
    /// Create a test or pilot PKI: a self-signed CSCA, a Document Signer and a Master List Signer, with keys.
    Init(InitArgs),
    /// Sign an ICAO CSCA master list (the PKI's CSCA and the certificates given) with the PKI's Master List
    /// Signer.
    MasterList(MasterListArgs),
    /// Check a CSCA master list's own signature: intact, and with `--anchor` signed by a signer that a CSCA
    /// you trust certified; exit 1 when not.
    CheckMasterList(CheckMasterListArgs),
    /// A new Document Signer under the PKI's CSCA: the old `ds.pem` (and `ds.key`) kept as
    /// `ds-<serial>.pem` (`.key`), never overwritten.
    NewDs(NewDsArgs),
    /// A certificate revocation list signed by the PKI's CSCA, listing the certificates given.
    Crl(CrlArgs),
    /// EAC: create a CVCA (self-signed; in a folder that has one, a new key and a link certificate).
    Cvca(super::eac::CvcaArgs),
    /// EAC: a Document Verifier certified by a CVCA folder.
    Dv(super::eac::DvArgs),
    /// EAC: an Inspection System (terminal) certified by a DV folder: the folder `cccd read --terminal` takes.
    Is(super::eac::IsArgs),
}

/// Arguments of `cccd pki master-list`.
#[derive(Debug, clap::Args)]
pub struct MasterListArgs {
    /// The PKI folder (`cccd pki init`): `csca.pem`, `mls.pem`, `mls.key`.
    #[arg(long)]
    pki: PathBuf,
    /// The master list file to write (DER).
    #[arg(long)]
    out: PathBuf,
    /// More CSCA certificates to list: PEM or DER files, or folders of them.
    certificates: Vec<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `cccd pki check-master-list`.
#[derive(Debug, clap::Args)]
pub struct CheckMasterListArgs {
    /// The master list (DER).
    file: PathBuf,
    /// A CSCA certificate trusted beforehand (PEM or DER file, or a folder; repeatable).
    #[arg(long)]
    anchor: Vec<PathBuf>,
    /// Check validity as of this date (`YYYY-MM-DD`; default today).
    #[arg(long)]
    at: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `cccd pki init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to write `csca.pem`, `csca.key`, `ds.pem`, `ds.key`, `mls.pem`, `mls.key` to.
    #[arg(long)]
    out: PathBuf,
    /// The curve of both keys (secp256r1, secp384r1, secp521r1, brainpoolP256r1, brainpoolP384r1,
    /// brainpoolP512r1, …); default CSCA brainpoolP512r1 and DS brainpoolP384r1, as the Vietnamese chain.
    #[arg(long)]
    curve: Option<String>,
    /// The country code in the names.
    #[arg(long, default_value = "VN")]
    country: String,
    /// Validity of the Document Signer certificate, in days (starting yesterday; at least 2, so that it is
    /// valid today).
    #[arg(long, default_value_t = 3650, value_parser = clap::value_parser!(u32).range(2..))]
    ds_days: u32,
    /// The Document Signer's key: EC in software, RSA (`--ds-rsa`), or in a PKCS#11 token (`--hsm-*`).
    #[command(flatten)]
    ds_key: DsKeyArgs,
    /// Overwrite an existing PKI folder.
    #[arg(long)]
    force: bool,
    /// Print JSON: the files written, each certificate (serial, validity, SHA-256), the warnings.
    #[arg(long)]
    json: bool,
}

impl PkiCommand {
    /// The subcommand's name (`init`, `new-ds`, …), as the JSON documents' `command` names it after `pki`.
    pub fn name(&self) -> &'static str {
        match self {
            PkiCommand::Init(_) => "init",
            PkiCommand::MasterList(_) => "master-list",
            PkiCommand::CheckMasterList(_) => "check-master-list",
            PkiCommand::NewDs(_) => "new-ds",
            PkiCommand::Crl(_) => "crl",
            PkiCommand::Cvca(_) => "cvca",
            PkiCommand::Dv(_) => "dv",
            PkiCommand::Is(_) => "is",
        }
    }
}

/// Runs `cccd pki …`.
pub fn pki(command: &PkiCommand) -> Result<ExitCode, CliError> {
    match command {
        PkiCommand::Init(args) => pki_init(args),
        PkiCommand::MasterList(args) => pki_master_list(args),
        PkiCommand::CheckMasterList(args) => pki_check_master_list(args),
        PkiCommand::NewDs(args) => new_ds(args),
        PkiCommand::Crl(args) => crl(args),
        PkiCommand::Cvca(args) => super::eac::cvca(args),
        PkiCommand::Dv(args) => super::eac::dv(args),
        PkiCommand::Is(args) => super::eac::is(args),
    }
}

/// Loads CSCA certificates from files and folders (no master lists).
fn load_certificates(paths: &[PathBuf]) -> Result<Vec<x509_cert::Certificate>, CliError> {
    let mut store = cccd::pa::TrustStore::new();
    store.set_master_list_policy(cccd::pa::MasterListPolicy::Unchecked);
    for p in paths {
        store.add_path(p).map_err(|e| input("certificates", e))?;
    }
    Ok(store.cscas().to_vec())
}

fn pki_master_list(args: &MasterListArgs) -> Result<ExitCode, CliError> {
    if !args.pki.join("mls.key").exists() {
        return Err(input(
            args.pki.display(),
            "no Master List Signer (mls.pem, mls.key): make the folder with this version's `cccd pki init`",
        ));
    }
    let signer = load_issued(&args.pki, "mls")?;
    let mut cscas = load_certificates(&[args.pki.join("csca.pem")])?;
    cscas.extend(load_certificates(&args.certificates)?);
    let ml = MasterListBuilder::new(&signer).certificates(&cscas).build().map_err(|e| input("master list", e))?;
    std::fs::write(&args.out, &ml).map_err(io(&args.out))?;
    let list = cccd::pa::MasterList::from_der(&ml).map_err(|e| input("master list", e))?;
    let n = list.certificates().len();
    let text = format!(
        "{}: {n} CSCA certificates, signed by {}\n",
        args.out.display(),
        signer.certificate.tbs_certificate().subject()
    );
    let fields = json!({
        "path": args.out.display().to_string(),
        "bytes": ml.len(),
        "sha256": sha256_hex(&ml),
        "signer": certificate(&signer.certificate, Some(&args.pki.join("mls.pem"))),
        "cscas": list.certificates().iter().map(|c| certificate(c, None)).collect::<Vec<_>>(),
    });
    finish(args.json, "pki master-list", fields, &text);
    Ok(ExitCode::SUCCESS)
}

fn pki_check_master_list(args: &CheckMasterListArgs) -> Result<ExitCode, CliError> {
    let bytes = std::fs::read(&args.file).map_err(io(&args.file))?;
    let list = cccd::pa::MasterList::from_der(&bytes).map_err(|e| input(args.file.display(), e))?;
    let at = match &args.at {
        Some(d) => Some(
            time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| input("--at", "not a YYYY-MM-DD date"))?,
        ),
        None => None,
    };
    let anchored = !args.anchor.is_empty();
    let report = if anchored { list.verify(&load_certificates(&args.anchor)?, at) } else { list.verify_intact(at) };
    let ok = if anchored { report.is_valid() } else { report.is_intact() };
    let mut v = serde_json::to_value(&report).unwrap_or_default();
    v["anchored"] = serde_json::Value::Bool(anchored);
    v["csca_subjects"] = list
        .certificates()
        .iter()
        .map(|c| serde_json::Value::String(c.tbs_certificate().subject().to_string()))
        .collect();
    v["valid"] = serde_json::Value::Bool(ok);
    let v = super::verdict::document("pki check-master-list", v);
    super::chip::print_report(&v, args.json);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn pki_init(args: &InitArgs) -> Result<ExitCode, CliError> {
    let (csca_curve, ds_curve) = match &args.curve {
        Some(c) => (parse_curve(c)?, parse_curve(c)?),
        None => (NamedCurve::BrainpoolP512r1, NamedCurve::BrainpoolP384r1),
    };
    if args.out.join("csca.key").exists() && !args.force {
        return Err(input(args.out.display(), "already holds a PKI (use --force to replace it)"));
    }
    std::fs::create_dir_all(&args.out).map_err(io(&args.out))?;
    let c = &args.country;
    let csca = CertificateBuilder::country_signing_ca(format!("CN=CSCA {c},O=cccd,C={c}"))
        .serial(1)
        .valid_for_days(5475)
        .build_for_key(SoftwareKey::generate(csca_curve))
        .map_err(|e| input("CSCA", e))?;
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds_request = CertificateBuilder::document_signer(format!("CN=Document Signer {c},O=cccd,C={c}"))
        .serial(2)
        .not_before(yesterday)
        .valid_for_days(args.ds_days)
        .issuer(&csca);
    let NewSigner { der: ds_der, key_pem: ds_key, kind: ds_kind } = args.ds_key.sign(ds_request, ds_curve)?;
    let ds_pem = pem_encode("CERTIFICATE", &ds_der);
    let mls = CertificateBuilder::master_list_signer(format!("CN=Master List Signer {c},O=cccd,C={c}"))
        .serial(3)
        .not_before(yesterday)
        .valid_for_days(args.ds_days)
        .issuer(&csca)
        .build_for_key(SoftwareKey::generate(ds_curve))
        .map_err(|e| input("Master List Signer", e))?;
    let files = [
        ("csca", csca.pem(), Some(csca.key.to_pkcs8_pem().map_err(|e| input("csca", e))?)),
        ("ds", ds_pem, ds_key),
        ("mls", mls.pem(), Some(mls.key.to_pkcs8_pem().map_err(|e| input("mls", e))?)),
    ];
    let _ = std::fs::remove_file(args.out.join("ds.key")); // --force over a software DS with an HSM one
    for (name, certificate, key) in &files {
        let cert = args.out.join(format!("{name}.pem"));
        std::fs::write(&cert, certificate).map_err(io(&cert))?;
        if let Some(key) = key {
            write_private(&args.out.join(format!("{name}.key")), key.as_bytes())?;
        }
    }
    let ds_files = if files[1].2.is_some() { "ds.pem ds.key" } else { "ds.pem" };
    let text = format!(
        "{}: csca.pem csca.key ({}), {ds_files} ({ds_kind}), mls.pem mls.key ({})\n",
        args.out.display(),
        csca_curve.name(),
        ds_curve.name()
    );
    let mut written = Vec::new();
    let mut described = Vec::new();
    for (name, _, key) in &files {
        let pem = args.out.join(format!("{name}.pem"));
        let cert = read_certificate(&pem)?;
        written.push(format!("{name}.pem"));
        if key.is_some() {
            written.push(format!("{name}.key"));
        }
        described.push((cert, pem));
    }
    let [(csca_cert, csca_pem), (ds_cert, ds_pem), (mls_cert, mls_pem)] = described.as_slice() else {
        return Err(input(args.out.display(), "the PKI folder was not written whole"));
    };
    let with_key = |mut v: Value, key: &str, in_hsm: bool| {
        v["key"] = json!(key);
        v["key_in_hsm"] = json!(in_hsm);
        v
    };
    let fields = json!({
        "folder": args.out.display().to_string(),
        "files": written,
        "csca": with_key(certificate(csca_cert, Some(csca_pem)), csca_curve.name(), false),
        "document_signer": with_key(certificate(ds_cert, Some(ds_pem)), &ds_kind, files[1].2.is_none()),
        "master_list_signer": with_key(certificate(mls_cert, Some(mls_pem)), ds_curve.name(), false),
        "warnings": document_signer_warnings(ds_cert, csca_cert),
    });
    finish(args.json, "pki init", fields, &text);
    Ok(ExitCode::SUCCESS)
}

/// The key of a new Document Signer (`pki init`, `pki new-ds`): EC on the curve chosen, in software (the
/// default), RSA in software, or generated in a PKCS#11 token.
#[derive(Debug, clap::Args)]
pub struct DsKeyArgs {
    /// An RSA Document Signer key of this many bits (2048 at least) instead of ECDSA; it signs with
    /// RSASSA-PKCS1-v1_5 and SHA-256, or RSASSA-PSS with `--ds-rsa-pss` (the key file keeps the scheme).
    #[arg(long)]
    ds_rsa: Option<usize>,
    /// With `--ds-rsa`: sign with RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt).
    #[arg(long, requires = "ds_rsa")]
    ds_rsa_pss: bool,
    /// Generate the Document Signer key in this PKCS#11 token (no `ds.key` is written; PIN from
    /// `CCCD_HSM_PIN`).
    #[command(flatten)]
    hsm: HsmArgs,
}

/// A new Document Signer certificate, its key (PKCS#8 PEM; none when the key is in a token) and what key it is.
struct NewSigner {
    der: Vec<u8>,
    key_pem: Option<zeroize::Zeroizing<String>>,
    kind: String,
}

impl DsKeyArgs {
    /// Makes the key and has `request` (a Document Signer request, issuer set) certify it.
    fn sign(&self, request: CertificateBuilder<'_>, curve: NamedCurve) -> Result<NewSigner, CliError> {
        let sha256 = cccd::crypto::hash::HashAlgorithm::Sha256;
        let rsa_algorithm = if self.ds_rsa_pss {
            SignatureAlgorithm::RsaPss { hash: sha256, salt_len: 32 }
        } else {
            SignatureAlgorithm::RsaPkcs1v15(sha256)
        };
        let certify = |e| input("Document Signer", e);
        Ok(match (self.hsm.target()?, self.ds_rsa) {
            (Some(hsm), bits) => {
                let public = hsm_generate(hsm, curve, bits, rsa_algorithm)?;
                let der = request.public_key(public).build().map_err(certify)?.der;
                let kind = match bits {
                    Some(bits) => format!("RSA-{bits} in the HSM"),
                    None => format!("{} in the HSM", curve.name()),
                };
                NewSigner { der, key_pem: None, kind }
            }
            (None, None) => {
                let ds = request.build_for_key(SoftwareKey::generate(curve)).map_err(certify)?;
                let key_pem = Some(ds.key.to_pkcs8_pem().map_err(|e| input("ds", e))?);
                NewSigner { der: ds.der, key_pem, kind: curve.name().to_string() }
            }
            (None, Some(bits)) => {
                let key = RsaSoftwareKey::generate(bits, rsa_algorithm).map_err(|e| input("--ds-rsa", e))?;
                let public = key.public_key().map_err(certify)?;
                let der = request.public_key(public).build().map_err(certify)?.der;
                let key_pem = Some(key.to_pkcs8_pem().map_err(|e| input("ds", e))?);
                NewSigner { der, key_pem, kind: format!("RSA-{bits} {}", rsa_algorithm.name()) }
            }
        })
    }
}

/// Arguments of `cccd pki new-ds`.
#[derive(Debug, clap::Args)]
pub struct NewDsArgs {
    /// The PKI folder (`cccd pki init`): `csca.pem`, `csca.key`; the new `ds.pem` (and `ds.key`) go there.
    #[arg(long)]
    pki: PathBuf,
    /// The curve of the new key (default brainpoolP384r1, as the Vietnamese chain).
    #[arg(long)]
    curve: Option<String>,
    /// Validity of the new certificate, in days (starting yesterday; at least 2).
    #[arg(long, default_value_t = 3650, value_parser = clap::value_parser!(u32).range(2..))]
    days: u32,
    /// The new key: EC in software, RSA (`--ds-rsa`), or in a PKCS#11 token (`--hsm-*`).
    #[command(flatten)]
    ds_key: DsKeyArgs,
    /// Print JSON: the new certificate (serial, validity, SHA-256), the files written and archived, warnings.
    #[arg(long)]
    json: bool,
}

/// Arguments of `cccd pki crl`.
#[derive(Debug, clap::Args)]
pub struct CrlArgs {
    /// The PKI folder: `csca.pem`, `csca.key` sign the list.
    #[arg(long)]
    pki: PathBuf,
    /// A certificate to list as revoked (PEM or DER, issued by this CSCA; repeatable; none: an empty list).
    #[arg(long)]
    revoke: Vec<PathBuf>,
    /// The CRL file to write (DER).
    #[arg(long)]
    out: PathBuf,
    /// Days until the next CRL is due (`nextUpdate`).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    next_update_days: u32,
    /// Print JSON: the file, its CRL number, dates and SHA-256, the serials listed.
    #[arg(long)]
    json: bool,
}

/// A certificate from a PEM or DER file.
fn read_certificate(path: &Path) -> Result<x509_cert::Certificate, CliError> {
    use der::Decode;
    let bytes = std::fs::read(path).map_err(io(path))?;
    let der = match std::str::from_utf8(&bytes).ok().filter(|t| t.contains("-----BEGIN")) {
        Some(pem) => pem_decode(pem).map_err(|e| input(path.display(), e))?.1.to_vec(),
        None => bytes,
    };
    x509_cert::Certificate::from_der(&der).map_err(|e| input(path.display(), e))
}

fn serial_hex(c: &x509_cert::Certificate) -> String {
    hex::encode_upper(c.tbs_certificate().serial_number().as_bytes())
}

/// Runs `cccd pki new-ds`: the new Document Signer is made and written beside first; the old one is then moved
/// to `ds-<serial>.pem` (`.key`), and the new one into `ds.pem` (`ds.key`). Nothing is overwritten.
pub fn new_ds(args: &NewDsArgs) -> Result<ExitCode, CliError> {
    let dir = &args.pki;
    let csca = load_issued(dir, "csca")?;
    let old = read_certificate(&dir.join("ds.pem")).ok();
    let archived = old.as_ref().map(|c| format!("ds-{}", serial_hex(c)));
    if let Some(name) = &archived {
        for ext in ["pem", "key"] {
            let p = dir.join(format!("{name}.{ext}"));
            if p.exists() {
                return Err(input(p.display(), "exists already: not overwriting an archived Document Signer"));
            }
        }
    }
    let subject = match &old {
        Some(c) => c.tbs_certificate().subject().to_string(),
        None => {
            let country = csca
                .certificate
                .tbs_certificate()
                .subject()
                .to_string()
                .split(',')
                .find_map(|p| p.trim().strip_prefix("C=").map(str::to_string))
                .unwrap_or_else(|| "VN".into());
            format!("CN=Document Signer {country},O=cccd,C={country}")
        }
    };
    let old_serial = old.as_ref().map(|c| c.tbs_certificate().serial_number().as_bytes().to_vec());
    let serial = loop {
        let s = rand::random::<u64>() >> 1;
        if s != 0 && old_serial.as_deref() != Some(s.to_be_bytes().as_slice()) {
            break s;
        }
    };
    let curve = match &args.curve {
        Some(c) => parse_curve(c)?,
        None => cccd::crypto::ec::NamedCurve::BrainpoolP384r1,
    };
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let request = CertificateBuilder::document_signer(subject.as_str())
        .serial(serial)
        .not_before(yesterday)
        .valid_for_days(args.days)
        .issuer(&csca);
    let NewSigner { der: cert_der, key_pem, kind } = args.ds_key.sign(request, curve)?;
    // write the new one beside, then move the old one away and the new one in
    let new_pem = dir.join(".ds.pem.new");
    let new_key = dir.join(".ds.key.new");
    std::fs::write(&new_pem, pem_encode("CERTIFICATE", &cert_der)).map_err(io(&new_pem))?;
    if let Some(key) = &key_pem {
        write_private(&new_key, key.as_bytes())?;
    }
    if let Some(name) = &archived {
        for ext in ["pem", "key"] {
            let from = dir.join(format!("ds.{ext}"));
            if from.exists() {
                std::fs::rename(&from, dir.join(format!("{name}.{ext}"))).map_err(io(&from))?;
            }
        }
    }
    let pem = dir.join("ds.pem");
    std::fs::rename(&new_pem, &pem).map_err(io(&pem))?;
    if key_pem.is_some() {
        let key = dir.join("ds.key");
        std::fs::rename(&new_key, &key).map_err(io(&key))?;
    }
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(&cert_der).map_err(|e| input("Document Signer", e))?;
    let dates = CertificateDates::of(&cert);
    let files = if key_pem.is_some() { "ds.pem ds.key" } else { "ds.pem" };
    let kept = match &archived {
        Some(name) => format!("; the old one kept as {name}.pem (and .key)"),
        None => String::new(),
    };
    let text = format!(
        "{}: {files} ({kind}), serial {}, valid {} to {}{kept}\n",
        dir.display(),
        serial_hex(&cert),
        dates.not_before,
        dates.not_after
    );
    let archived_files: Vec<String> = archived
        .iter()
        .flat_map(|name| ["pem", "key"].map(|ext| format!("{name}.{ext}")))
        .filter(|f| dir.join(f).exists())
        .collect();
    let mut ds = certificate(&cert, Some(&pem));
    ds["key"] = json!(kind);
    ds["key_in_hsm"] = json!(key_pem.is_none());
    let fields = json!({
        "folder": dir.display().to_string(),
        "files": files.split(' ').collect::<Vec<_>>(),
        "document_signer": ds,
        "previous": old.as_ref().map(|c| certificate(c, archived.as_ref().map(|n| dir.join(format!("{n}.pem"))).as_deref())),
        "archived": archived_files,
        "warnings": document_signer_warnings(&cert, &csca.certificate),
    });
    finish(args.json, "pki new-ds", fields, &text);
    Ok(ExitCode::SUCCESS)
}

/// A card's longest validity that a Document Signer certificate should cover, in days (10 years: ICAO 9303-12
/// §7.1 makes a DS certificate valid for its key's signing period plus the documents' validity).
const CARD_VALIDITY_DAYS: i64 = 3650;

/// Warnings on a new Document Signer certificate: it outlives its CSCA (chips it signs stop verifying when
/// the CSCA expires), or it ends within a card's validity (the cards it signs will outlive it; `cccd issue`
/// then warns on each).
pub(super) fn document_signer_warnings(ds: &x509_cert::Certificate, csca: &x509_cert::Certificate) -> Vec<Value> {
    let ds_dates = CertificateDates::of(ds);
    let csca_dates = CertificateDates::of(csca);
    let mut out = Vec::new();
    if ds_dates.not_after > csca_dates.not_after {
        out.push(warning(
            "document_signer_outlives_csca",
            format!(
                "the Document Signer certificate (valid until {}) outlives its CSCA certificate (valid until {}): \
                 chips stop verifying when the CSCA expires",
                ds_dates.not_after, csca_dates.not_after
            ),
        ));
    }
    let days = (ds_dates.not_after - ds_dates.not_before).whole_days();
    if days < CARD_VALIDITY_DAYS {
        out.push(warning(
            "cards_outlive_document_signer",
            format!(
                "the Document Signer certificate is valid for {days} days (until {}), less than a card's 10 years: \
                 the cards it signs will outlive it",
                ds_dates.not_after
            ),
        ));
    }
    out
}

/// The file in the PKI folder holding the `cRLNumber` of the last CRL `cccd pki crl` signed.
const CRL_NUMBER_FILE: &str = "crl-number";

/// The `cRLNumber` of the last CRL signed from `dir` (0 when none was).
fn last_crl_number(dir: &Path) -> Result<u64, CliError> {
    let path = dir.join(CRL_NUMBER_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| input(path.display(), "not a CRL number (a decimal integer): not guessing the next one")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(io(&path)(e)),
    }
}

/// Runs `cccd pki crl`: the `cRLNumber` is one more than the last CRL's (kept in `DIR/crl-number`), so every
/// CRL of the PKI has a larger number than the one before (RFC 5280 §5.2.3).
pub fn crl(args: &CrlArgs) -> Result<ExitCode, CliError> {
    let csca = load_issued(&args.pki, "csca")?;
    let csca_name = csca.certificate.tbs_certificate().subject();
    let now = std::time::SystemTime::now();
    let number = last_crl_number(&args.pki)?
        .checked_add(1)
        .ok_or_else(|| input(args.pki.join(CRL_NUMBER_FILE).display(), "the CRL number cannot grow"))?;
    let mut builder = CrlBuilder::new(&csca).number(number).this_update(now).valid_for_days(args.next_update_days);
    let mut revoked = 0usize;
    let mut revoked_serials = Vec::new();
    for path in &args.revoke {
        let cert = read_certificate(path)?;
        if cert.tbs_certificate().issuer() != csca_name {
            return Err(input(path.display(), "not issued by this PKI's CSCA (its issuer is another name)"));
        }
        builder = builder.revoke_bytes(cert.tbs_certificate().serial_number().as_bytes(), now);
        revoked += 1;
        revoked_serials.push(json!({ "serial_number": serial_hex(&cert), "path": path.display().to_string() }));
    }
    let der = builder.build().map_err(|e| input("CRL", e))?;
    let der_len = der.len();
    std::fs::write(&args.out, &der).map_err(io(&args.out))?;
    let number_path = args.pki.join(CRL_NUMBER_FILE);
    std::fs::write(&number_path, format!("{number}\n")).map_err(io(&number_path))?;
    let text = format!(
        "{}: CRL number {number} signed by {csca_name}, {revoked} revoked, next update in {} days\n",
        args.out.display(),
        args.next_update_days
    );
    let this_update = time::OffsetDateTime::from(now).date();
    let next_update = this_update + time::Duration::days(i64::from(args.next_update_days));
    let fields = json!({
        "path": args.out.display().to_string(),
        "crl_number": number,
        "issuer": csca_name.to_string(),
        "this_update": this_update.to_string(),
        "next_update": next_update.to_string(),
        "revoked": revoked_serials,
        "bytes": der_len,
        "sha256": sha256_hex(&der),
        "crl_number_file": number_path.display().to_string(),
    });
    finish(args.json, "pki crl", fields, &text);
    Ok(ExitCode::SUCCESS)
}
