//! `cccd pki new-ds` and `cccd pki crl`: the PKI's day-to-day operations after `cccd pki init`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cccd::crypto::signature::SignatureAlgorithm;
use cccd::pki::{
    CertificateBuilder, CertificateDates, CrlBuilder, RsaSoftwareKey, Signer, SoftwareKey, pem_decode, pem_encode,
};

use super::CliError;
use super::issue::{HsmArgs, hsm_generate, input, io, load_issued, parse_curve, write_private};

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
    /// An RSA key of this many bits (2048 at least) instead of ECDSA (RSASSA-PKCS1-v1_5 with SHA-256, or
    /// RSASSA-PSS with `--ds-rsa-pss`).
    #[arg(long)]
    ds_rsa: Option<usize>,
    /// With `--ds-rsa`: sign with RSASSA-PSS.
    #[arg(long, requires = "ds_rsa")]
    ds_rsa_pss: bool,
    /// Generate the key in this PKCS#11 token (no `ds.key` is written; PIN from `CCCD_HSM_PIN`).
    #[command(flatten)]
    hsm: HsmArgs,
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
    let sha256 = cccd::crypto::hash::HashAlgorithm::Sha256;
    let rsa_algorithm = if args.ds_rsa_pss {
        SignatureAlgorithm::RsaPss { hash: sha256, salt_len: 32 }
    } else {
        SignatureAlgorithm::RsaPkcs1v15(sha256)
    };
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    // one request wherever the key is (software EC or RSA, an HSM)
    let request = CertificateBuilder::document_signer(subject.as_str())
        .serial(serial)
        .not_before(yesterday)
        .valid_for_days(args.days)
        .issuer(&csca);
    let (cert_der, key_pem, kind) = match (args.hsm.target()?, args.ds_rsa) {
        (Some(hsm), bits) => {
            let public = hsm_generate(hsm, curve, bits, rsa_algorithm)?;
            let ds = request.public_key(public).build().map_err(|e| input("Document Signer", e))?;
            (ds.der, None, "in the HSM".to_string())
        }
        (None, None) => {
            let ds = request.build_for_key(SoftwareKey::generate(curve)).map_err(|e| input("Document Signer", e))?;
            let key = ds.key.to_pkcs8_pem().map_err(|e| input("ds", e))?;
            (ds.der, Some(key), curve.name().to_string())
        }
        (None, Some(bits)) => {
            let key = RsaSoftwareKey::generate(bits, rsa_algorithm).map_err(|e| input("--ds-rsa", e))?;
            let public = key.public_key().map_err(|e| input("Document Signer", e))?;
            let ds = request.public_key(public).build().map_err(|e| input("Document Signer", e))?;
            (
                ds.der,
                Some(key.to_pkcs8_pem().map_err(|e| input("ds", e))?),
                format!("RSA-{bits} {}", rsa_algorithm.name()),
            )
        }
    };
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
    super::print(&format!(
        "{}: {files} ({kind}), serial {}, valid {} to {}{kept}\n",
        dir.display(),
        serial_hex(&cert),
        dates.not_before,
        dates.not_after
    ));
    Ok(ExitCode::SUCCESS)
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
    for path in &args.revoke {
        let cert = read_certificate(path)?;
        if cert.tbs_certificate().issuer() != csca_name {
            return Err(input(path.display(), "not issued by this PKI's CSCA (its issuer is another name)"));
        }
        builder = builder.revoke_bytes(cert.tbs_certificate().serial_number().as_bytes(), now);
        revoked += 1;
    }
    let der = builder.build().map_err(|e| input("CRL", e))?;
    std::fs::write(&args.out, der).map_err(io(&args.out))?;
    let number_path = args.pki.join(CRL_NUMBER_FILE);
    std::fs::write(&number_path, format!("{number}\n")).map_err(io(&number_path))?;
    super::print(&format!(
        "{}: CRL number {number} signed by {csca_name}, {revoked} revoked, next update in {} days\n",
        args.out.display(),
        args.next_update_days
    ));
    Ok(ExitCode::SUCCESS)
}
