//! The verifier's trust store: CSCA certificates (PEM or DER files, a folder of them, or ICAO CSCA master
//! lists) and certificate revocation lists.
//!
//! A Document Signer certificate serves many thousands of documents, so the store remembers the DS
//! certificates whose CSCA signature it has verified (by SHA-256 of the certificate): a verifier checking card
//! after card pays for that signature once. Validity dates and revocation are checked every time.
//!
//! Master lists ([`MasterList`]) contribute their certificates once their own signature is checked: by
//! default that the list is intact (signed by a signer a CSCA in the list certified), and with
//! [`MasterListPolicy::Anchored`] that its signer chains to a CSCA the verifier already trusts, valid as of a
//! date. A list that fails is an error, never a silent partial load.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

use super::check::{Check, Reason};
use super::master_list::{MasterList, MasterListReport};
use super::signer::{issued_by, names};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::public_key::PublicKey;
use crate::crypto::signature::SignatureAlgorithm;

/// Why trust material could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A master list's own signature did not verify under the policy asked for.
    #[error("{}master list refused: {}", path.as_deref().map(|p| format!("{p}: ")).unwrap_or_default(),
        report.reason().unwrap_or_else(|| "not valid".into()))]
    MasterList {
        /// The file, when loaded from one.
        path: Option<String>,
        /// Every check (the first that did not pass is the reason).
        report: Box<MasterListReport>,
    },
    /// Bytes that are not the trust material asked for.
    #[error("{}{what}: {detail}", path.as_deref().map(|p| format!("{p}: ")).unwrap_or_default())]
    Malformed {
        /// The file, when loaded from one.
        path: Option<String>,
        /// What was expected: `certificate`, `CRL`, `certificate or master list`.
        what: &'static str,
        /// The decoder's error.
        detail: String,
    },
}

impl TrustError {
    fn at(self, file: &Path) -> Self {
        let p = Some(file.display().to_string());
        match self {
            TrustError::MasterList { report, .. } => TrustError::MasterList { path: p, report },
            TrustError::Malformed { what, detail, .. } => TrustError::Malformed { path: p, what, detail },
            other => other,
        }
    }
}

/// Where a trusted CSCA certificate came from: what vouches for a document it anchors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrustSource {
    /// Added through the API.
    Given,
    /// A certificate file.
    File {
        /// The file.
        path: String,
    },
    /// A CSCA master list (its own signature checked under the store's policy).
    MasterList {
        /// The file, when loaded from one.
        path: Option<String>,
        /// The Master List Signer's subject.
        signer: Option<String>,
    },
}

/// The trusted CSCA that vouched for a Document Signer certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Anchor {
    /// The CSCA certificate's subject.
    pub subject: String,
    /// Where it came from.
    pub source: TrustSource,
}

/// How much a master list must prove before its certificates are trusted.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum MasterListPolicy {
    /// Intact: signed by a signer that a CSCA inside the list certified ([`MasterList::verify_intact`]); dates
    /// not considered. Catches corruption and editing, not a list forged whole.
    #[default]
    Intact,
    /// Signed by a signer that one of these anchors (CSCAs trusted beforehand) certified, with the signer and
    /// anchor valid as of the date (today when `None`).
    Anchored {
        /// The anchors.
        anchors: Vec<Certificate>,
        /// The date validity is checked at.
        at: Option<time::Date>,
    },
    /// No check of the list's signature: its certificates are trusted as the file's source is.
    Unchecked,
}

/// CSCA certificates and CRLs a verifier trusts.
#[derive(Default)]
pub struct TrustStore {
    cscas: Vec<Certificate>,
    /// Where each of `cscas` came from (same index).
    sources: Vec<TrustSource>,
    document_signers: Vec<Certificate>,
    crls: Vec<CertificateList>,
    verified: Mutex<HashSet<Vec<u8>>>,
    master_list_policy: MasterListPolicy,
}

impl core::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrustStore").field("cscas", &self.cscas.len()).field("crls", &self.crls.len()).finish()
    }
}

impl Clone for TrustStore {
    fn clone(&self) -> Self {
        TrustStore {
            cscas: self.cscas.clone(),
            sources: self.sources.clone(),
            document_signers: self.document_signers.clone(),
            crls: self.crls.clone(),
            verified: Mutex::default(),
            master_list_policy: self.master_list_policy.clone(),
        }
    }
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        TrustStore::default()
    }

    /// A store of these CSCA certificates.
    pub fn from_certificates(cscas: &[Certificate]) -> Self {
        TrustStore { cscas: cscas.to_vec(), sources: vec![TrustSource::Given; cscas.len()], ..TrustStore::default() }
    }

    /// Trusts a CSCA certificate.
    pub fn add_csca(&mut self, certificate: Certificate) {
        self.push(certificate, TrustSource::Given);
    }

    fn push(&mut self, certificate: Certificate, source: TrustSource) {
        self.cscas.push(certificate);
        self.sources.push(source);
    }

    /// Where the trusted CSCA `csca` came from (the store's own certificate, or an equal one).
    pub fn source_of(&self, csca: &Certificate) -> TrustSource {
        self.cscas
            .iter()
            .position(|c| std::ptr::eq(c, csca))
            .or_else(|| self.cscas.iter().position(|c| c == csca))
            .and_then(|i| self.sources.get(i).cloned())
            .unwrap_or(TrustSource::Given)
    }

    /// Supplies a Document Signer certificate, for SODs that do not carry theirs (it must still chain to a
    /// trusted CSCA).
    pub fn add_document_signer(&mut self, certificate: Certificate) {
        self.document_signers.push(certificate);
    }

    /// Supplies Document Signer certificates from bytes (PEM, one or more, or DER).
    pub fn add_document_signer_bytes(&mut self, bytes: &[u8]) -> Result<usize, TrustError> {
        let bad = |e: der::Error| TrustError::Malformed { path: None, what: "certificate", detail: e.to_string() };
        let certs = if bytes.starts_with(b"-----BEGIN") {
            Certificate::load_pem_chain(bytes).map_err(bad)?
        } else {
            vec![Certificate::from_der(bytes).map_err(bad)?]
        };
        let n = certs.len();
        self.document_signers.extend(certs);
        Ok(n)
    }

    /// The supplied Document Signer certificate a signer info names (issuer and serial number, or subject key
    /// identifier).
    pub fn document_signer_for(&self, sid: &cms::signed_data::SignerIdentifier) -> Option<&Certificate> {
        self.document_signers.iter().find(|c| names(sid, c))
    }

    /// The supplied Document Signer certificates.
    pub fn document_signers(&self) -> &[Certificate] {
        &self.document_signers
    }

    /// Adds a CRL (DER); it is used only if a trusted CSCA signed it.
    pub fn add_crl(&mut self, crl: CertificateList) {
        self.crls.push(crl);
    }

    /// The trusted CSCA certificates.
    pub fn cscas(&self) -> &[Certificate] {
        &self.cscas
    }

    /// Sets what master lists loaded from now on must prove ([`MasterListPolicy::Intact`] by default).
    pub fn set_master_list_policy(&mut self, policy: MasterListPolicy) {
        self.master_list_policy = policy;
    }

    /// Checks a master list under the store's policy and, when it passes, trusts its certificates. Returns how
    /// many were added, or the report of a list refused.
    pub fn add_master_list(&mut self, list: &MasterList) -> Result<usize, Box<MasterListReport>> {
        self.add_master_list_from(list, None)
    }

    fn add_master_list_from(
        &mut self,
        list: &MasterList,
        path: Option<String>,
    ) -> Result<usize, Box<MasterListReport>> {
        match &self.master_list_policy {
            MasterListPolicy::Unchecked => {}
            MasterListPolicy::Intact => {
                let report = list.verify_intact(None);
                if !report.is_intact() {
                    return Err(Box::new(report));
                }
            }
            MasterListPolicy::Anchored { anchors, at } => {
                let report = list.verify(anchors, *at);
                if !report.is_valid() {
                    return Err(Box::new(report));
                }
            }
        }
        let signer = list.signer_certificate().map(|c| c.tbs_certificate().subject().to_string());
        for c in list.certificates() {
            self.push(c.clone(), TrustSource::MasterList { path: path.clone(), signer: signer.clone() });
        }
        Ok(list.certificates().len())
    }

    /// Loads CSCA certificates from bytes: PEM (one or more certificates), a DER certificate, or a DER CSCA
    /// master list (checked under the store's [`MasterListPolicy`]). Returns how many certificates were added.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<usize, TrustError> {
        self.add_bytes_from(bytes, None)
    }

    fn add_bytes_from(&mut self, bytes: &[u8], path: Option<&Path>) -> Result<usize, TrustError> {
        let certs = if bytes.starts_with(b"-----BEGIN") {
            Certificate::load_pem_chain(bytes).map_err(|e| TrustError::Malformed {
                path: None,
                what: "PEM certificate",
                detail: e.to_string(),
            })?
        } else if let Ok(c) = Certificate::from_der(bytes) {
            vec![c]
        } else {
            let list = MasterList::from_der(bytes).map_err(|e| TrustError::Malformed {
                path: None,
                what: "certificate or master list",
                detail: e.to_string(),
            })?;
            let p = path.map(|p| p.display().to_string());
            return self.add_master_list_from(&list, p).map_err(|report| TrustError::MasterList { path: None, report });
        };
        let n = certs.len();
        let source = match path {
            Some(p) => TrustSource::File { path: p.display().to_string() },
            None => TrustSource::Given,
        };
        for c in certs {
            self.push(c, source.clone());
        }
        Ok(n)
    }

    /// Loads CSCA certificates from a file (see [`add_bytes`](Self::add_bytes)) or from every file of a
    /// folder (files that are not certificates are an error: a trust store should hold nothing unexpected).
    pub fn add_path(&mut self, path: &Path) -> Result<usize, TrustError> {
        let io = |source| TrustError::Io { path: path.display().to_string(), source };
        if path.is_dir() {
            let mut entries: Vec<_> =
                std::fs::read_dir(path).map_err(io)?.filter_map(Result::ok).map(|e| e.path()).collect();
            entries.sort();
            let mut n = 0;
            for p in entries.iter().filter(|p| p.is_file()) {
                n += self.add_path(p)?;
            }
            return Ok(n);
        }
        let bytes = std::fs::read(path).map_err(io)?;
        self.add_bytes_from(&bytes, Some(path)).map_err(|e| e.at(path))
    }

    /// Loads a CRL file (DER or PEM `X509 CRL`).
    pub fn add_crl_path(&mut self, path: &Path) -> Result<(), TrustError> {
        let bytes =
            std::fs::read(path).map_err(|source| TrustError::Io { path: path.display().to_string(), source })?;
        self.add_crl_bytes(&bytes).map_err(|e| e.at(path))
    }

    /// Adds a CRL from bytes (DER or PEM `X509 CRL`); it is used only if a trusted CSCA signed it.
    pub fn add_crl_bytes(&mut self, bytes: &[u8]) -> Result<(), TrustError> {
        let bad = |detail: String| TrustError::Malformed { path: None, what: "CRL", detail };
        let crl = if bytes.starts_with(b"-----BEGIN") {
            let text = String::from_utf8_lossy(bytes);
            let (_, der_bytes) = crate::pki::pem_decode(&text).map_err(|e| bad(e.to_string()))?;
            CertificateList::from_der(&der_bytes)
        } else {
            CertificateList::from_der(bytes)
        };
        self.crls.push(crl.map_err(|e| bad(e.to_string()))?);
        Ok(())
    }

    /// The trusted CSCA that signed `cert` (by issuer name and signature), remembering the verdict.
    pub fn issuer_of(&self, cert: &Certificate) -> Result<&Certificate, Check> {
        let issuer = cert.tbs_certificate().issuer();
        if self.cscas.is_empty() {
            return Err(Check::NotChecked(Reason::NoTrustAnchor));
        }
        let candidates: Vec<&Certificate> =
            self.cscas.iter().filter(|c| c.tbs_certificate().subject() == issuer).collect();
        if candidates.is_empty() {
            return Err(Check::Failed(Reason::UnknownCsca));
        }
        let fingerprint = cert.to_der().map(|d| HashAlgorithm::Sha256.digest(&d)).unwrap_or_default();
        let key_fp = |i: usize| [fingerprint.as_slice(), &(i as u64).to_be_bytes()].concat();
        // a DS certificate seen before: no re-encoding, no signature check
        if let Ok(v) = self.verified.lock()
            && let Some((_, csca)) = candidates.iter().enumerate().find(|(i, _)| v.contains(&key_fp(*i)))
        {
            return Ok(csca);
        }
        let mut last = Reason::IssuerSignatureMismatch { role: "DS" };
        for (i, csca) in candidates.iter().enumerate() {
            match issued_by(cert, csca, "DS") {
                Ok(()) => {
                    if let Ok(mut v) = self.verified.lock() {
                        v.insert(key_fp(i));
                    }
                    return Ok(csca);
                }
                Err(r @ (Reason::CertificateEncoding { .. } | Reason::UnsupportedAlgorithm { .. })) => {
                    return Err(match r {
                        Reason::UnsupportedAlgorithm { .. } => Check::NotChecked(r),
                        r => Check::Failed(r),
                    });
                }
                Err(r) => last = r,
            }
        }
        Err(Check::Failed(match last {
            Reason::UnusableKey { .. } => Reason::IssuerSignatureMismatch { role: "DS" },
            r => r,
        }))
    }

    /// Revocation of `cert` (signed by `csca`) as the trusted CRLs say.
    pub(crate) fn revocation(&self, cert: &Certificate, csca: &Certificate) -> Check {
        let issuer = cert.tbs_certificate().issuer();
        let Ok(key) = PublicKey::from_spki(csca.tbs_certificate().subject_public_key_info()) else {
            return Check::NotChecked(Reason::UnusableKey { role: "CSCA", detail: "not a key this crate uses".into() });
        };
        let mut any = false;
        for crl in self.crls.iter().filter(|c| c.tbs_cert_list.issuer == *issuer) {
            let (Ok(tbs), Some(sig), Ok(alg)) = (
                crl.tbs_cert_list.to_der(),
                crl.signature.as_bytes(),
                SignatureAlgorithm::from_algorithm_identifier(&crl.signature_algorithm, None),
            ) else {
                continue;
            };
            if alg.verify(&key, &tbs, sig).is_err() {
                continue;
            }
            any = true;
            let serial = cert.tbs_certificate().serial_number();
            if let Some(r) =
                crl.tbs_cert_list.revoked_certificates.iter().flatten().find(|r| r.serial_number == *serial)
            {
                return Check::Failed(Reason::Revoked { on: super::signer::day(&r.revocation_date) });
            }
        }
        if any { Check::Passed } else { Check::NotChecked(Reason::NoCrl) }
    }
}
