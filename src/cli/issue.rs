//! `cccd issue` and what the issuer's commands share (the Document Signer of a PKI folder, HSM options);
//! `issue-batch` is in `batch.rs`, the `pki` commands in `pki_ops.rs`.
//!
//! A PKI folder holds `csca.pem`, `csca.key`, `ds.pem`, `ds.key`, `mls.pem`, `mls.key` (keys as PKCS#8 PEM,
//! owner-only; `mls` is the Master List Signer). A chip
//! folder is what [`ChipImage::save_dir`] writes; it appears whole or not at all (written beside, then renamed).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cccd::batch::{ChipRecipe, FolderTrust, publish};
use cccd::crypto::ec::NamedCurve;
use cccd::crypto::signature::SignatureAlgorithm;
use cccd::issuance::IssueOptions;
use cccd::pki::{DocumentSigner, Issued, SoftwareKey, pem_decode};
use serde_json::json;

use super::CliError;

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
    /// The module, token and key labels, when an HSM is named (no PIN).
    pub(super) fn reference(&self) -> Option<(&Path, &str, &str)> {
        match (&self.hsm_module, &self.hsm_token, &self.hsm_key) {
            (Some(m), Some(t), Some(k)) => Some((m.as_path(), t.as_str(), k.as_str())),
            _ => None,
        }
    }

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

pub(super) type HsmTarget<'a> = (&'a Path, &'a str, &'a str, zeroize::Zeroizing<String>);

/// Generates the Document Signer key in the token (refusing a label already there); returns its public key.
#[cfg(feature = "pkcs11")]
pub(super) fn hsm_generate(
    (module, token, label, pin): HsmTarget<'_>,
    curve: NamedCurve,
    rsa_bits: Option<usize>,
    rsa_algorithm: SignatureAlgorithm,
) -> Result<cccd::crypto::public_key::PublicKey, CliError> {
    use cccd::pki::Signer;
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
        return cccd::pki::folder::load_document_signer(dir, Some(std::sync::Arc::new(key))).map_err(folder_error);
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
    /// A CVCA folder (`cccd pki cvca`): its `cvca.cvcert` becomes the chip's EAC trust point (saved in
    /// `CHIPDIR/eac/`, written at personalization; the chip then serves EF.CVCA and runs Terminal
    /// Authentication), the chip's current date today.
    #[arg(long, value_name = "DIR")]
    cvca: Option<PathBuf>,
    /// A CVCA certificate as a trust point (after `--cvca`'s, most recent first; two at most).
    #[arg(long, value_name = "CERT")]
    trust_point: Vec<PathBuf>,
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
    /// Print JSON: the folder, the CAN, the files, the Document Signer, the warnings.
    #[arg(long)]
    json: bool,
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
        let eac = super::eac::load_trust(self.cvca.as_deref(), &self.trust_point)?;
        if self.profile == "jmrtd-applet" {
            if !self.pace.is_empty() || self.ca_dh.is_some() {
                return Err(input("--profile jmrtd-applet", "the applet runs neither PACE nor Chip Authentication"));
            }
            if eac.is_some() {
                return Err(input(
                    "--cvca",
                    "the JMRTD applet profile runs no Chip Authentication, so no Terminal Authentication",
                ));
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
                eac,
                ..IssueOptions::default()
            },
        })
    }
}

/// Runs `cccd issue`: the folder appears complete and verified, or not at all. Under `--json` the document
/// holds the CAN (the product, printed on the card as in `issue-batch`'s `issued.jsonl`); the text line and
/// the warnings never do.
pub fn issue_command(args: &IssueArgs) -> Result<ExitCode, CliError> {
    let (record, mut warnings) = super::read_record(&args.record)?;
    let photo = std::fs::read(&args.photo).map_err(io(&args.photo))?;
    let (ds, csca) = signer_for_issue(&args.common)?;
    let mut recipe = args.common.recipe()?;
    if args.out.exists() {
        return Err(input(args.out.display(), "already exists"));
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    warnings.extend(
        cccd::issuance::issue_warnings(&record, &ds, csca.as_ref()).iter().map(|w| super::output::warning(w.code(), w)),
    );
    let dg3 = args.fingerprints.as_deref().map(super::eac::load_fingerprints).transpose()?;
    if dg3.is_some() && recipe.options.chip == cccd::issuance::ChipProfile::JmrtdApplet {
        return Err(input("--fingerprints", "the JMRTD applet profile carries no DG3"));
    }
    recipe.options.dg3 = dg3;
    let image = recipe.issue(&record, &photo, &ds).map_err(|e| input("issue", e))?;
    let trust = FolderTrust { ds: &ds, csca: csca.as_ref() };
    publish(&image, &args.out, &trust, false).map_err(|e| input(args.out.display(), e))?;
    let total: usize = image.files.values().map(Vec::len).sum();
    let text =
        format!("{}: {} files, {total} bytes, EF.SOD signed and verified\n", args.out.display(), image.files.len());
    let lds: Vec<serde_json::Value> =
        image.files.iter().map(|(f, b)| json!({ "file": f.name(), "length": b.len() })).collect();
    let fields = json!({
        "folder": args.out.display().to_string(),
        "id_number": record.id_number,
        "document_number": record.to_mrz().ok().map(|m| m.document_number().to_string()),
        "date_of_expiry": record.date_of_expiry.map(|d| d.to_string()),
        "can": image.secrets.can.as_ref().map(|c| c.as_str()),
        "profile": args.common.profile,
        "lds_files": lds,
        "bytes": total,
        "files": super::output::files_under(&args.out),
        "document_signer": super::output::certificate(&ds.certificate, Some(&args.common.pki.join("ds.pem"))),
        "csca": csca.as_ref().map(|c| super::output::certificate(c, Some(&args.common.pki.join("csca.pem")))),
        "verified": true,
        "warnings": warnings,
    });
    super::output::finish(args.json, "issue", fields, &text);
    Ok(ExitCode::SUCCESS)
}
