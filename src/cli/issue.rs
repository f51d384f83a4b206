//! `cccd pki init`, `master-list`, `check-master-list` and `cccd issue`: the issuer's side (`issue-batch` is
//! in `batch.rs`, `pki new-ds` and `pki crl` in `pki_ops.rs`).
//!
//! A PKI folder holds `csca.pem`, `csca.key`, `ds.pem`, `ds.key`, `mls.pem`, `mls.key` (keys as PKCS#8 PEM,
//! owner-only; `mls` is the Master List Signer). A chip
//! folder is what [`ChipImage::save_dir`] writes; it appears whole or not at all (written beside, then renamed).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use cccd::batch::{ChipRecipe, FolderTrust, publish};
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::issuance::IssueOptions;
use cccd::pki::{
    CertificateBuilder, DocumentSigner, Issued, MasterListBuilder, RsaSoftwareKey, Signer, SoftwareKey, pem_decode,
};

use super::CliError;

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
    NewDs(super::pki_ops::NewDsArgs),
    /// A certificate revocation list signed by the PKI's CSCA, listing the certificates given.
    Crl(super::pki_ops::CrlArgs),
    /// EAC: create a CVCA (self-signed; in a folder that has one, a new key and a link certificate).
    Cvca(super::eac::CvcaArgs),
    /// EAC: a Document Verifier certified by a CVCA folder.
    Dv(super::eac::DvArgs),
    /// EAC: an Inspection System (terminal) certified by a DV folder: the folder `cccd read --terminal` takes.
    Is(super::eac::IsArgs),
}

/// A Document Signer key in a PKCS#11 token instead of `ds.key` (feature `pkcs11`). The user PIN is read from
/// the environment variable `CCCD_HSM_PIN`, never from the command line.
#[derive(Debug, Default, clap::Args)]
pub struct HsmArgs {
    /// The PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    #[arg(long, requires_all = ["hsm_token", "hsm_key"])]
    hsm_module: Option<PathBuf>,
    /// The token's label.
    #[arg(long, requires = "hsm_module")]
    hsm_token: Option<String>,
    /// The key's label in the token (RSA keys sign with RSASSA-PKCS1-v1_5 and SHA-256 here).
    #[arg(long, requires = "hsm_module")]
    hsm_key: Option<String>,
}

impl HsmArgs {
    /// The module, token and key labels and the PIN, when an HSM is named.
    #[cfg(feature = "pkcs11")]
    pub(super) fn target(&self) -> Result<Option<HsmTarget<'_>>, CliError> {
        let (Some(module), Some(token), Some(key)) = (&self.hsm_module, &self.hsm_token, &self.hsm_key) else {
            return Ok(None);
        };
        let pin = std::env::var("CCCD_HSM_PIN")
            .map_err(|_| input("--hsm-module", "set the token's user PIN in CCCD_HSM_PIN"))?;
        Ok(Some((module.as_path(), token.as_str(), key.as_str(), zeroize::Zeroizing::new(pin))))
    }

    #[cfg(not(feature = "pkcs11"))]
    pub(super) fn target(&self) -> Result<Option<HsmTarget<'_>>, CliError> {
        match self.hsm_module {
            Some(_) => Err(input("--hsm-module", "this cccd was built without the pkcs11 feature")),
            None => Ok(None),
        }
    }
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
    /// An RSA Document Signer key of this many bits (2048 at least) instead of ECDSA; it signs with
    /// RSASSA-PKCS1-v1_5 and SHA-256, or RSASSA-PSS with `--ds-rsa-pss` (the key file keeps the scheme).
    #[arg(long)]
    ds_rsa: Option<usize>,
    /// With `--ds-rsa`: sign with RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt).
    #[arg(long, requires = "ds_rsa")]
    ds_rsa_pss: bool,
    /// Generate the Document Signer key in this PKCS#11 token (no `ds.key` is written).
    #[command(flatten)]
    hsm: HsmArgs,
    /// Overwrite an existing PKI folder.
    #[arg(long)]
    force: bool,
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io { path: path.display().to_string(), source }
}

pub(super) fn input(context: impl std::fmt::Display, e: impl std::fmt::Display) -> CliError {
    CliError::Input { context: context.to_string(), message: e.to_string() }
}

/// Writes a file readable by its owner only.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))
}

pub(super) fn parse_curve(name: &str) -> Result<NamedCurve, CliError> {
    NamedCurve::from_name(name).ok_or_else(|| input("--curve", format!("unknown curve {name:?}")))
}

/// Runs `cccd pki …`.
pub fn pki(command: &PkiCommand) -> Result<ExitCode, CliError> {
    match command {
        PkiCommand::Init(args) => pki_init(args),
        PkiCommand::MasterList(args) => pki_master_list(args),
        PkiCommand::CheckMasterList(args) => pki_check_master_list(args),
        PkiCommand::NewDs(args) => super::pki_ops::new_ds(args),
        PkiCommand::Crl(args) => super::pki_ops::crl(args),
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

/// A certificate and its key from a PKI folder (`NAME.pem`, `NAME.key`).
pub(super) fn load_issued(dir: &Path, name: &str) -> Result<Issued, CliError> {
    use der::Decode;
    let cert_path = dir.join(format!("{name}.pem"));
    let key_path = dir.join(format!("{name}.key"));
    let cert = std::fs::read_to_string(&cert_path).map_err(io(&cert_path))?;
    let (_, der) = pem_decode(&cert).map_err(|e| input(cert_path.display(), e))?;
    let certificate = x509_cert::Certificate::from_der(&der).map_err(|e| input(cert_path.display(), e))?;
    let key_pem = zeroize::Zeroizing::new(std::fs::read_to_string(&key_path).map_err(io(&key_path))?);
    let key = SoftwareKey::from_pem(&key_pem).map_err(|e| input(key_path.display(), e))?;
    Ok(Issued { certificate, der: der.to_vec(), key })
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
    let n = cccd::pa::MasterList::from_der(&ml).map_err(|e| input("master list", e))?.certificates().len();
    super::print(&format!(
        "{}: {n} CSCA certificates, signed by {}\n",
        args.out.display(),
        signer.certificate.tbs_certificate().subject()
    ));
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
    // one request for the Document Signer wherever its key is (software EC or RSA, an HSM)
    let ds_request = |public: Option<cccd::crypto::public_key::PublicKey>| {
        let request = CertificateBuilder::document_signer(format!("CN=Document Signer {c},O=cccd,C={c}"))
            .serial(2)
            .not_before(yesterday)
            .valid_for_days(args.ds_days)
            .issuer(&csca);
        match public {
            Some(public) => request.public_key(public),
            None => request,
        }
    };
    let sha256 = cccd::crypto::hash::HashAlgorithm::Sha256;
    let rsa_algorithm = if args.ds_rsa_pss {
        SignatureAlgorithm::RsaPss { hash: sha256, salt_len: 32 }
    } else {
        SignatureAlgorithm::RsaPkcs1v15(sha256)
    };
    let (ds_pem, ds_key, ds_kind) = match (args.hsm.target()?, args.ds_rsa) {
        (Some(hsm), bits) => {
            let public = hsm_generate(hsm, ds_curve, bits, rsa_algorithm)?;
            let ds = ds_request(Some(public)).build().map_err(|e| input("Document Signer", e))?;
            let kind = match bits {
                Some(bits) => format!("RSA-{bits} in the HSM"),
                None => format!("{} in the HSM", ds_curve.name()),
            };
            (ds.pem(), None, kind)
        }
        (None, None) => {
            let ds = ds_request(None)
                .build_for_key(SoftwareKey::generate(ds_curve))
                .map_err(|e| input("Document Signer", e))?;
            (ds.pem(), Some(ds.key.to_pkcs8_pem().map_err(|e| input("ds", e))?), ds_curve.name().to_string())
        }
        (None, Some(bits)) => {
            let key = RsaSoftwareKey::generate(bits, rsa_algorithm).map_err(|e| input("--ds-rsa", e))?;
            let public = key.public_key().map_err(|e| input("Document Signer", e))?;
            let pem = ds_request(Some(public)).build().map_err(|e| input("Document Signer", e))?.pem();
            let kind = format!("RSA-{bits} {}", rsa_algorithm.name());
            (pem, Some(key.to_pkcs8_pem().map_err(|e| input("ds", e))?), kind)
        }
    };
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
    super::print(&format!(
        "{}: csca.pem csca.key ({}), {ds_files} ({ds_kind}), mls.pem mls.key ({})\n",
        args.out.display(),
        csca_curve.name(),
        ds_curve.name()
    ));
    Ok(ExitCode::SUCCESS)
}

pub(super) type HsmTarget<'a> = (&'a Path, &'a str, &'a str, zeroize::Zeroizing<String>);

/// Generates the Document Signer key in the token (refusing a label already there); returns its public key.
#[cfg(feature = "pkcs11")]
pub(super) fn hsm_generate(
    (module, token, label, pin): HsmTarget<'_>,
    curve: NamedCurve,
    rsa_bits: Option<usize>,
    rsa_algorithm: SignatureAlgorithm,
) -> Result<cccd::crypto::public_key::PublicKey, CliError> {
    use cccd::pki::pkcs11::Pkcs11Key;
    if Pkcs11Key::open(module, token, &pin, label).is_ok() {
        return Err(input("--hsm-key", format!("the token already holds a key labelled {label:?}")));
    }
    let key = match rsa_bits {
        Some(bits) => Pkcs11Key::generate_rsa(module, token, &pin, label, bits as u64, rsa_algorithm),
        None => Pkcs11Key::generate(module, token, &pin, label, curve),
    };
    key.and_then(|k| k.public_key()).map_err(|e| input("HSM", e))
}

#[cfg(not(feature = "pkcs11"))]
pub(super) fn hsm_generate(
    _: HsmTarget<'_>,
    _: NamedCurve,
    _: Option<usize>,
    _: SignatureAlgorithm,
) -> Result<cccd::crypto::public_key::PublicKey, CliError> {
    Err(input("--hsm-module", "this cccd was built without the pkcs11 feature"))
}

/// A PKI folder's error as the command line reports it (the file as context).
fn folder_error(e: cccd::pki::folder::PkiFolderError) -> CliError {
    use cccd::pki::folder::PkiFolderError;
    match e {
        PkiFolderError::Io { path, source } => CliError::Io { path: path.display().to_string(), source },
        PkiFolderError::Invalid { path, source } => input(path.display(), source),
        PkiFolderError::Key { path, ec, rsa } => {
            input(path.display(), format!("neither an EC key ({ec}) nor an RSA key ({rsa})"))
        }
        other => input("PKI folder", other),
    }
}

/// The Document Signer of a PKI folder: `ds.pem` and `ds.key`, or `ds.pem` and a key in an HSM.
pub fn load_document_signer(dir: &Path, hsm: &HsmArgs) -> Result<DocumentSigner, CliError> {
    #[cfg(feature = "pkcs11")]
    if let Some((module, token, label, pin)) = hsm.target()? {
        let key = cccd::pki::pkcs11::Pkcs11Key::open(module, token, &pin, label).map_err(|e| input("HSM", e))?;
        return cccd::pki::folder::load_document_signer(dir, Some(Arc::new(key))).map_err(folder_error);
    }
    #[cfg(not(feature = "pkcs11"))]
    hsm.target()?;
    cccd::pki::folder::load_document_signer(dir, None).map_err(folder_error)
}

/// What `cccd issue` and `cccd issue-batch` share.
#[derive(Debug, clap::Args)]
pub struct IssueCommon {
    /// The PKI folder (`cccd pki init`): `ds.pem` and `ds.key` (or the key in an HSM, `--hsm-*`); its
    /// `csca.pem`, when there, for the warnings on cards that outlive it.
    #[arg(long)]
    pub(super) pki: PathBuf,
    /// The Document Signer key in a PKCS#11 token instead of `ds.key`.
    #[command(flatten)]
    pub(super) hsm: HsmArgs,
    /// The curve of the chip's Chip and Active Authentication keys.
    #[arg(long, default_value = "brainpoolP256r1")]
    chip_curve: String,
    /// An RSA Active Authentication key of this many bits (1024 to 4096) instead of ECDSA on the chip curve.
    #[arg(long)]
    aa_rsa: Option<usize>,
    /// A DH Chip Authentication key in this standardized MODP group (0: 1024/160, 1: 2048/224, 2: 2048/256)
    /// instead of ECDH on the chip curve; EF.CardAccess and DG14 then name CA-DH.
    #[arg(long)]
    ca_dh: Option<u8>,
    /// The byte budget of the face JPEG in DG2.
    #[arg(long, default_value_t = 15_000)]
    face_bytes: usize,
    /// The PACE protocols EF.CardAccess offers, comma-separated `MAPPING-AGREEMENT-CIPHER-ID` (mapping gm, im
    /// or cam; agreement ecdh or dh; cipher 3des, aes128, aes192 or aes256; a standardized domain parameter
    /// ID), e.g. `cam-ecdh-aes128-13,gm-ecdh-aes128-13`. Default: the CCCD's `gm-ecdh-aes128-13`.
    #[arg(long, value_delimiter = ',')]
    pace: Vec<String>,
    /// The chip the image is for: `open` (the CCCD's: PACE, Chip and Active Authentication) or `jmrtd-applet`
    /// (BAC only, RSA-1024 Active Authentication, no DG14, no EF.CardAccess).
    #[arg(long, default_value = "open", value_parser = ["open", "jmrtd-applet"])]
    profile: String,
}

/// EF.CardAccess offering these PACE protocols (with the CCCD's Terminal and Chip Authentication infos).
fn card_access_with(
    pace: &[String],
    chip_curve: NamedCurve,
    ca_dh: bool,
) -> Result<cccd::lds::security_infos::CardAccess, CliError> {
    use cccd::access::pace::{PaceDomain, PaceParameters};
    use cccd::lds::security_infos::{CardAccess, PaceInfo, SecurityInfo, SecurityInfoKind, SecurityInfos};
    use cccd::oid::{KeyAgreement, PaceMapping, SmCipher};
    // the Chip Authentication info names the chip key's agreement (DH with --ca-dh)
    let agreement = if ca_dh { KeyAgreement::Dh } else { KeyAgreement::Ecdh };
    let base = CardAccess::cccd().with_chip_authentication_agreement(agreement).map_err(|e| input("--ca-dh", e))?;
    let mut infos: Vec<SecurityInfo> = base.infos.infos().to_vec();
    if pace.is_empty() {
        return Ok(CardAccess { infos: SecurityInfos::new(infos) });
    }
    infos.retain(|i| !matches!(i.kind(), SecurityInfoKind::Pace(_)));
    for spec in pace {
        let bad = |why: &str| input("--pace", format!("{spec:?}: {why}"));
        let parts: Vec<&str> = spec.split('-').collect();
        let [mapping, agreement, cipher, id] = parts.as_slice() else {
            return Err(bad("expected MAPPING-AGREEMENT-CIPHER-ID, e.g. gm-ecdh-aes128-13"));
        };
        let mapping = match mapping.to_ascii_lowercase().as_str() {
            "gm" => PaceMapping::Generic,
            "im" => PaceMapping::Integrated,
            "cam" => PaceMapping::ChipAuthentication,
            _ => return Err(bad("mapping must be gm, im or cam")),
        };
        let cipher = match cipher.to_ascii_lowercase().as_str() {
            "3des" => SmCipher::TripleDes,
            "aes128" => SmCipher::Aes128,
            "aes192" => SmCipher::Aes192,
            "aes256" => SmCipher::Aes256,
            _ => return Err(bad("cipher must be 3des, aes128, aes192 or aes256")),
        };
        let domain = id
            .parse::<u8>()
            .ok()
            .and_then(PaceDomain::from_parameter_id)
            .ok_or_else(|| bad("not a standardized domain parameter ID (0-2, 8-18)"))?;
        let is_dh = matches!(domain, PaceDomain::Dh(_));
        if (agreement.eq_ignore_ascii_case("dh")) != is_dh
            || !["dh", "ecdh"].contains(&agreement.to_ascii_lowercase().as_str())
        {
            return Err(bad("the agreement must match the domain (dh for IDs 0-2, ecdh for 8-18)"));
        }
        let params = PaceParameters::new(mapping, cipher, domain).map_err(|e| bad(&e.to_string()))?;
        if mapping == PaceMapping::ChipAuthentication && ca_dh {
            return Err(bad("CAM needs an ECDH Chip Authentication key (not --ca-dh)"));
        }
        if mapping == PaceMapping::ChipAuthentication && params.curve() != Some(chip_curve) {
            return Err(bad("CAM runs on the curve of the chip's Chip Authentication key (--chip-curve)"));
        }
        let info =
            PaceInfo { protocol: params.protocol, version: 2, parameter_id: Some(u64::from(params.parameter_id)) };
        infos.push(SecurityInfo::new(SecurityInfoKind::Pace(info)).map_err(|e| bad(&e.to_string()))?);
    }
    Ok(CardAccess { infos: SecurityInfos::new(infos) })
}

/// Arguments of `cccd issue`.
#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// The citizen record (JSON).
    #[arg(long)]
    record: PathBuf,
    /// The photo (JPEG or PNG, any size): cropped and encoded for DG2.
    #[arg(long)]
    photo: PathBuf,
    /// The chip image folder to write (must not exist).
    #[arg(long)]
    out: PathBuf,
    /// A folder of fingerprint images for DG3 (PNG, JPEG 2000, WSQ…), one per finger, named by position:
    /// `right-index.png`, `left_thumb.wsq`, `07.jp2` (19794-4 position codes).
    #[arg(long)]
    fingerprints: Option<PathBuf>,
    #[command(flatten)]
    common: IssueCommon,
}

/// The PKI folder's CSCA certificate (`csca.pem`), when there is one.
pub fn load_csca(dir: &Path) -> Result<Option<x509_cert::Certificate>, CliError> {
    cccd::pki::folder::load_csca(dir).map_err(folder_error)
}

/// The Document Signer of `common`, refused when it may not sign today, and its CSCA.
pub fn signer_for_issue(common: &IssueCommon) -> Result<(DocumentSigner, Option<x509_cert::Certificate>), CliError> {
    let ds = load_document_signer(&common.pki, &common.hsm)?;
    cccd::issuance::check_document_signer(&ds, None).map_err(|e| input(common.pki.join("ds.pem").display(), e))?;
    Ok((ds, load_csca(&common.pki)?))
}

impl IssueCommon {
    /// How the chips are made, from the options.
    pub fn recipe(&self) -> Result<ChipRecipe, CliError> {
        let chip_curve = parse_curve(&self.chip_curve)?;
        let ca_dh = match self.ca_dh {
            Some(id) => Some(
                cccd::crypto::dh::ModpGroup::from_parameter_id(id)
                    .ok_or_else(|| input("--ca-dh", format!("{id} is not a MODP group ID (0, 1 or 2)")))?,
            ),
            None => None,
        };
        if let Some(bits) = self.aa_rsa
            && (!(1024..=4096).contains(&bits) || !bits.is_multiple_of(8))
        {
            return Err(input("--aa-rsa", format!("RSA-{bits}: 1024 to 4096 bits, whole bytes")));
        }
        let face = cccd::face::FaceOptions { max_bytes: self.face_bytes, ..Default::default() };
        if self.profile == "jmrtd-applet" {
            if !self.pace.is_empty() || self.ca_dh.is_some() {
                return Err(input("--profile jmrtd-applet", "the applet runs neither PACE nor Chip Authentication"));
            }
            let aa_rsa_bits = Some(self.aa_rsa.unwrap_or(1024));
            return Ok(ChipRecipe {
                face,
                chip_curve,
                aa_rsa_bits,
                ca_dh: None,
                options: IssueOptions::jmrtd_applet(),
            });
        }
        Ok(ChipRecipe {
            face,
            chip_curve,
            aa_rsa_bits: self.aa_rsa,
            ca_dh,
            options: IssueOptions {
                card_access: card_access_with(&self.pace, chip_curve, self.ca_dh.is_some())?,
                ..IssueOptions::default()
            },
        })
    }
}

/// Runs `cccd issue`: the folder appears complete and verified, or not at all.
pub fn issue_command(args: &IssueArgs) -> Result<ExitCode, CliError> {
    let record = super::read_record(&args.record)?;
    let photo = std::fs::read(&args.photo).map_err(io(&args.photo))?;
    let (ds, csca) = signer_for_issue(&args.common)?;
    let mut recipe = args.common.recipe()?;
    if args.out.exists() {
        return Err(input(args.out.display(), "already exists"));
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    for w in cccd::issuance::issue_warnings(&record, &ds, csca.as_ref()) {
        eprintln!("cccd: warning: {w}");
    }
    let dg3 = args.fingerprints.as_deref().map(super::eac::load_fingerprints).transpose()?;
    if dg3.is_some() && recipe.options.chip == cccd::issuance::ChipProfile::JmrtdApplet {
        return Err(input("--fingerprints", "the JMRTD applet profile carries no DG3"));
    }
    recipe.options.dg3 = dg3;
    let image = recipe.issue(&record, &photo, &ds).map_err(|e| input("issue", e))?;
    let trust = FolderTrust { ds: &ds, csca: csca.as_ref() };
    publish(&image, &args.out, &trust, false).map_err(|e| input(args.out.display(), e))?;
    let total: usize = image.files.values().map(Vec::len).sum();
    super::print(&format!(
        "{}: {} files, {total} bytes, EF.SOD signed and verified\n",
        args.out.display(),
        image.files.len()
    ));
    Ok(ExitCode::SUCCESS)
}
