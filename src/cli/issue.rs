//! `cccd pki init`, `cccd issue`, `cccd issue-batch`: the issuer's side.
//!
//! A PKI folder holds `csca.pem`, `csca.key`, `ds.pem`, `ds.key`, `mls.pem`, `mls.key` (keys as PKCS#8 PEM,
//! owner-only; `mls` is the Master List Signer). A chip
//! folder is what [`ChipImage::save_dir`] writes; it appears whole or not at all (written beside, then renamed).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cccd::crypto::ec::NamedCurve;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::image::ChipImage;
use cccd::image::{ActiveAuthenticationKey, ChipAuthenticationPrivateKey};
use cccd::issuance::{ChipKeys, FaceImage, IssueOptions, issue};
use cccd::pki::{
    DocumentSigner, Issued, RsaSoftwareKey, Signer, SoftwareKey, country_signing_ca, document_signer,
    document_signer_certificate, master_list_signer, pem_decode, pem_encode, sign_master_list,
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
    fn target(&self) -> Result<Option<HsmTarget<'_>>, CliError> {
        let (Some(module), Some(token), Some(key)) = (&self.hsm_module, &self.hsm_token, &self.hsm_key) else {
            return Ok(None);
        };
        let pin = std::env::var("CCCD_HSM_PIN")
            .map_err(|_| input("--hsm-module", "set the token's user PIN in CCCD_HSM_PIN"))?;
        Ok(Some((module.as_path(), token.as_str(), key.as_str(), zeroize::Zeroizing::new(pin))))
    }

    #[cfg(not(feature = "pkcs11"))]
    fn target(&self) -> Result<Option<HsmTarget<'_>>, CliError> {
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
    /// Validity of the Document Signer certificate, in days (starting yesterday).
    #[arg(long, default_value_t = 3650)]
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

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io { path: path.display().to_string(), source }
}

fn input(context: impl std::fmt::Display, e: impl std::fmt::Display) -> CliError {
    CliError::Input { context: context.to_string(), message: e.to_string() }
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))
}

fn parse_curve(name: &str) -> Result<NamedCurve, CliError> {
    NamedCurve::from_name(name).ok_or_else(|| input("--curve", format!("unknown curve {name:?}")))
}

/// Runs `cccd pki …`.
pub fn pki(command: &PkiCommand) -> Result<ExitCode, CliError> {
    match command {
        PkiCommand::Init(args) => pki_init(args),
        PkiCommand::MasterList(args) => pki_master_list(args),
        PkiCommand::CheckMasterList(args) => pki_check_master_list(args),
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
fn load_issued(dir: &Path, name: &str) -> Result<Issued, CliError> {
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
    let ml = sign_master_list(&cscas, &signer).map_err(|e| input("master list", e))?;
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
    let csca = country_signing_ca(&format!("CN=CSCA {c},O=cccd,C={c}"), SoftwareKey::generate(csca_curve), 5475)
        .map_err(|e| input("CSCA", e))?;
    let yesterday = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    let ds_subject = format!("CN=Document Signer {c},O=cccd,C={c}");
    let sha256 = cccd::crypto::hash::HashAlgorithm::Sha256;
    let rsa_algorithm = if args.ds_rsa_pss {
        SignatureAlgorithm::RsaPss { hash: sha256, salt_len: 32 }
    } else {
        SignatureAlgorithm::RsaPkcs1v15(sha256)
    };
    let (ds_pem, ds_key, ds_kind) = match (args.hsm.target()?, args.ds_rsa) {
        (Some(hsm), bits) => {
            let public = hsm_generate(hsm, ds_curve, bits, rsa_algorithm)?;
            let (_, der) = document_signer_certificate(&ds_subject, &csca, &public, 2, yesterday, args.ds_days)
                .map_err(|e| input("Document Signer", e))?;
            let kind = match bits {
                Some(bits) => format!("RSA-{bits} in the HSM"),
                None => format!("{} in the HSM", ds_curve.name()),
            };
            (pem_encode("CERTIFICATE", &der), None, kind)
        }
        (None, None) => {
            let ds = document_signer(&ds_subject, &csca, SoftwareKey::generate(ds_curve), 2, yesterday, args.ds_days)
                .map_err(|e| input("Document Signer", e))?;
            (ds.pem(), Some(ds.key.to_pkcs8_pem().map_err(|e| input("ds", e))?), ds_curve.name().to_string())
        }
        (None, Some(bits)) => {
            let key = RsaSoftwareKey::generate(bits, rsa_algorithm).map_err(|e| input("--ds-rsa", e))?;
            let public = key.public_key().map_err(|e| input("Document Signer", e))?;
            let (_, der) = document_signer_certificate(&ds_subject, &csca, &public, 2, yesterday, args.ds_days)
                .map_err(|e| input("Document Signer", e))?;
            let pem = pem_encode("CERTIFICATE", &der);
            let kind = format!("RSA-{bits} {}", rsa_algorithm.name());
            (pem, Some(key.to_pkcs8_pem().map_err(|e| input("ds", e))?), kind)
        }
    };
    let mls = master_list_signer(
        &format!("CN=Master List Signer {c},O=cccd,C={c}"),
        &csca,
        SoftwareKey::generate(ds_curve),
        3,
        yesterday,
        args.ds_days,
    )
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

type HsmTarget<'a> = (&'a Path, &'a str, &'a str, zeroize::Zeroizing<String>);

/// Generates the Document Signer key in the token (refusing a label already there); returns its public key.
#[cfg(feature = "pkcs11")]
fn hsm_generate(
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
fn hsm_generate(
    _: HsmTarget<'_>,
    _: NamedCurve,
    _: Option<usize>,
    _: SignatureAlgorithm,
) -> Result<cccd::crypto::public_key::PublicKey, CliError> {
    Err(input("--hsm-module", "this cccd was built without the pkcs11 feature"))
}

/// The Document Signer of a PKI folder: `ds.pem` and `ds.key`, or `ds.pem` and a key in an HSM.
pub fn load_document_signer(dir: &Path, hsm: &HsmArgs) -> Result<DocumentSigner, CliError> {
    let cert_path = dir.join("ds.pem");
    let key_path = dir.join("ds.key");
    let cert = std::fs::read_to_string(&cert_path).map_err(io(&cert_path))?;
    let (_, der) = pem_decode(&cert).map_err(|e| input(cert_path.display(), e))?;
    #[cfg(feature = "pkcs11")]
    if let Some((module, token, label, pin)) = hsm.target()? {
        let key = cccd::pki::pkcs11::Pkcs11Key::open(module, token, &pin, label).map_err(|e| input("HSM", e))?;
        return DocumentSigner::new(der.to_vec(), Arc::new(key)).map_err(|e| input(dir.display(), e));
    }
    #[cfg(not(feature = "pkcs11"))]
    hsm.target()?;
    let key_pem = zeroize::Zeroizing::new(std::fs::read_to_string(&key_path).map_err(io(&key_path))?);
    let key: Arc<dyn cccd::pki::Signer> = match SoftwareKey::from_pem(&key_pem) {
        Ok(key) => Arc::new(key),
        Err(ec) => Arc::new(
            RsaSoftwareKey::from_pem_with_scheme(&key_pem)
                .map_err(|rsa| input(key_path.display(), format!("neither an EC key ({ec}) nor an RSA key ({rsa})")))?,
        ),
    };
    DocumentSigner::new(der.to_vec(), key).map_err(|e| input(dir.display(), e))
}

/// What `cccd issue` and `cccd issue-batch` share.
#[derive(Debug, clap::Args)]
pub struct IssueCommon {
    /// The PKI folder (`cccd pki init`): `ds.pem` and `ds.key` (or the key in an HSM, `--hsm-*`).
    #[arg(long)]
    pki: PathBuf,
    /// The Document Signer key in a PKCS#11 token instead of `ds.key`.
    #[command(flatten)]
    hsm: HsmArgs,
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
    #[command(flatten)]
    common: IssueCommon,
}

/// Issues one chip image into `out`, which appears complete or not at all.
fn issue_one(
    record: &cccd::citizen::CitizenRecord,
    photo: &[u8],
    ds: &DocumentSigner,
    common: &IssueCommon,
    out: &Path,
) -> Result<ChipImage, CliError> {
    if out.exists() {
        return Err(input(out.display(), "already exists"));
    }
    let options = cccd::face::FaceOptions { max_bytes: common.face_bytes, ..Default::default() };
    let face: FaceImage = cccd::face::prepare(photo, &options).map_err(|e| input("photo", e))?.into();
    let chip_curve = parse_curve(&common.chip_curve)?;
    let mut keys = ChipKeys::generate(chip_curve);
    if let Some(id) = common.ca_dh {
        let group = cccd::crypto::dh::ModpGroup::from_parameter_id(id)
            .ok_or_else(|| input("--ca-dh", format!("{id} is not a MODP group ID (0, 1 or 2)")))?;
        keys.chip_authentication =
            ChipAuthenticationPrivateKey::Dh(cccd::crypto::dh::DhPrivateKey::generate(group.domain()));
    }
    if let Some(bits) = common.aa_rsa {
        keys.active_authentication = ActiveAuthenticationKey::generate_rsa(bits).map_err(|e| input("--aa-rsa", e))?;
    }
    let options = IssueOptions {
        card_access: card_access_with(&common.pace, chip_curve, common.ca_dh.is_some())?,
        ..IssueOptions::default()
    };
    let image = issue(record, &face, &keys, ds, &options).map_err(|e| input("issue", e))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let written = image
        .save_dir(&tmp)
        .map_err(|e| input(out.display(), e))
        .and_then(|()| std::fs::rename(&tmp, out).map_err(io(out)));
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    written.map(|()| image)
}

/// Runs `cccd issue`.
pub fn issue_command(args: &IssueArgs) -> Result<ExitCode, CliError> {
    let record = super::read_record(&args.record)?;
    let photo = std::fs::read(&args.photo).map_err(io(&args.photo))?;
    let ds = load_document_signer(&args.common.pki, &args.common.hsm)?;
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let image = issue_one(&record, &photo, &ds, &args.common, &args.out)?;
    let total: usize = image.files.values().map(Vec::len).sum();
    super::print(&format!("{}: {} files, {total} bytes, EF.SOD signed\n", args.out.display(), image.files.len()));
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `cccd issue-batch`.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Citizen records, one JSON object a line.
    #[arg(long)]
    records: PathBuf,
    /// A folder of photos named after the ID number (`001099012345.jpg` or `.png`).
    #[arg(long, conflicts_with = "photo")]
    photos: Option<PathBuf>,
    /// One photo for every record (test rigs).
    #[arg(long)]
    photo: Option<PathBuf>,
    /// The folder to write one chip image folder per record into (named after the ID number), and
    /// `errors.jsonl` for the records that failed.
    #[arg(long)]
    out: PathBuf,
    /// Parallel jobs (default: every core).
    #[arg(long)]
    jobs: Option<usize>,
    #[command(flatten)]
    common: IssueCommon,
}

/// Runs `cccd issue-batch`: exit status 1 when any record failed (see `errors.jsonl`).
pub fn batch(args: &BatchArgs) -> Result<ExitCode, CliError> {
    use rayon::prelude::*;
    let text = std::fs::read_to_string(&args.records).map_err(io(&args.records))?;
    let ds = load_document_signer(&args.common.pki, &args.common.hsm)?;
    parse_curve(&args.common.chip_curve)?;
    let shared_photo = match &args.photo {
        Some(p) => Some(std::fs::read(p).map_err(io(p))?),
        None => None,
    };
    if shared_photo.is_none() && args.photos.is_none() {
        return Err(input("issue-batch", "give --photos DIR or --photo FILE"));
    }
    std::fs::create_dir_all(&args.out).map_err(io(&args.out))?;
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty()).collect();
    let bar = indicatif::ProgressBar::new(lines.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} records, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let done = AtomicUsize::new(0);
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build().map_err(|e| input("--jobs", e))?;
    let started = std::time::Instant::now();
    let failures: Vec<(usize, String)> = pool.install(|| {
        lines
            .par_iter()
            .filter_map(|(line, json)| {
                let result = (|| -> Result<(), CliError> {
                    let record: cccd::citizen::CitizenRecord = serde_json::from_str(json)
                        .map_err(|e| input("record", format!("not a citizen record: {e}")))?;
                    let photo = match (&shared_photo, &args.photos) {
                        (Some(p), _) => p.clone(),
                        (None, Some(dir)) => ["jpg", "jpeg", "png"]
                            .iter()
                            .map(|ext| dir.join(format!("{}.{ext}", record.id_number)))
                            .find_map(|p| std::fs::read(p).ok())
                            .ok_or_else(|| input("photo", "no photo named after the ID number"))?,
                        (None, None) => return Err(input("photo", "none")),
                    };
                    let out = args.out.join(&record.id_number);
                    issue_one(&record, &photo, &ds, &args.common, &out).map(|_| ())
                })();
                done.fetch_add(1, Ordering::Relaxed);
                bar.inc(1);
                result.err().map(|e| (*line, e.to_string()))
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut failures = failures;
    failures.sort();
    let report: String =
        failures.iter().map(|(line, e)| serde_json::json!({ "line": line, "error": e }).to_string() + "\n").collect();
    let errors = args.out.join("errors.jsonl");
    std::fs::write(&errors, report).map_err(io(&errors))?;
    let n = done.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    super::print(&format!(
        "{} issued, {} failed (see {}), {jobs} jobs, {:.1} s, {:.1} records/s\n",
        n - failures.len(),
        failures.len(),
        errors.display(),
        secs,
        n as f64 / secs.max(1e-9)
    ));
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
