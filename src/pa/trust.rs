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

use super::master_list::{MasterList, MasterListReport};
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
    #[error("{path}: master list refused: {reason}")]
    MasterList {
        /// The file.
        path: String,
        /// The first check that did not pass.
        reason: String,
        /// Every check.
        report: Box<MasterListReport>,
    },
    /// A file is not a certificate, a master list or a CRL.
    #[error("{path}: {message}")]
    Unrecognized {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// Whether a CMS signer identifier names `cert` (issuer and serial number, or subject key identifier).
pub(crate) fn names(sid: &cms::signed_data::SignerIdentifier, cert: &Certificate) -> bool {
    use cms::signed_data::SignerIdentifier;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(i) => {
            cert.tbs_certificate().issuer() == &i.issuer && cert.tbs_certificate().serial_number() == &i.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert
            .tbs_certificate()
            .extensions()
            .into_iter()
            .flatten()
            .filter(|e| e.extn_id == crate::oid::SUBJECT_KEY_IDENTIFIER)
            .filter_map(|e| der::asn1::OctetString::from_der(e.extn_value.as_bytes()).ok())
            .any(|v| v.as_bytes() == ski.0.as_bytes()),
    }
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
        TrustStore { cscas: cscas.to_vec(), ..TrustStore::default() }
    }

    /// Trusts a CSCA certificate.
    pub fn add_csca(&mut self, certificate: Certificate) {
        self.cscas.push(certificate);
    }

    /// Supplies a Document Signer certificate, for SODs that do not carry theirs (it must still chain to a
    /// trusted CSCA).
    pub fn add_document_signer(&mut self, certificate: Certificate) {
        self.document_signers.push(certificate);
    }

    /// Supplies Document Signer certificates from bytes (PEM, one or more, or DER).
    pub fn add_document_signer_bytes(&mut self, bytes: &[u8]) -> Result<usize, String> {
        let certs = if bytes.starts_with(b"-----BEGIN") {
            Certificate::load_pem_chain(bytes).map_err(|e| e.to_string())?
        } else {
            vec![Certificate::from_der(bytes).map_err(|e| e.to_string())?]
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
        self.cscas.extend_from_slice(list.certificates());
        Ok(list.certificates().len())
    }

    /// Loads CSCA certificates from bytes: PEM (one or more certificates), a DER certificate, or a DER CSCA
    /// master list (checked under the store's [`MasterListPolicy`]). Returns how many certificates were added.
    pub fn add_bytes(&mut self, bytes: &[u8]) -> Result<usize, String> {
        let certs = if bytes.starts_with(b"-----BEGIN") {
            Certificate::load_pem_chain(bytes).map_err(|e| e.to_string())?
        } else if let Ok(c) = Certificate::from_der(bytes) {
            vec![c]
        } else {
            let list = MasterList::from_der(bytes).map_err(|e| e.to_string())?;
            return self
                .add_master_list(&list)
                .map_err(|r| format!("master list refused: {}", r.reason().unwrap_or_else(|| "not valid".into())));
        };
        let n = certs.len();
        self.cscas.extend(certs);
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
        let is_certificate = bytes.starts_with(b"-----BEGIN") || Certificate::from_der(&bytes).is_ok();
        if !is_certificate && let Ok(list) = MasterList::from_der(&bytes) {
            return self.add_master_list(&list).map_err(|report| TrustError::MasterList {
                path: path.display().to_string(),
                reason: report.reason().unwrap_or_else(|| "not valid".into()),
                report,
            });
        }
        self.add_bytes(&bytes).map_err(|message| TrustError::Unrecognized { path: path.display().to_string(), message })
    }

    /// Loads a CRL file (DER or PEM `X509 CRL`).
    pub fn add_crl_path(&mut self, path: &Path) -> Result<(), TrustError> {
        let bytes =
            std::fs::read(path).map_err(|source| TrustError::Io { path: path.display().to_string(), source })?;
        self.add_crl_bytes(&bytes)
            .map_err(|message| TrustError::Unrecognized { path: path.display().to_string(), message })
    }

    /// Adds a CRL from bytes (DER or PEM `X509 CRL`); it is used only if a trusted CSCA signed it.
    pub fn add_crl_bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        let crl = if bytes.starts_with(b"-----BEGIN") {
            let text = String::from_utf8_lossy(bytes);
            let (_, der_bytes) = crate::pki::pem_decode(&text).map_err(|e| e.to_string())?;
            CertificateList::from_der(&der_bytes)
        } else {
            CertificateList::from_der(bytes)
        };
        self.crls.push(crl.map_err(|e| e.to_string())?);
        Ok(())
    }

    /// The trusted CSCA that signed `cert` (by issuer name and signature), remembering the verdict.
    pub fn issuer_of(&self, cert: &Certificate) -> Result<&Certificate, super::Check> {
        use super::Check;
        let issuer = cert.tbs_certificate().issuer();
        let candidates: Vec<&Certificate> =
            self.cscas.iter().filter(|c| c.tbs_certificate().subject() == issuer).collect();
        if self.cscas.is_empty() {
            return Err(Check::NotChecked("no trusted CSCA certificates given".into()));
        }
        if candidates.is_empty() {
            return Err(Check::Failed("unknown CSCA: no trusted certificate has the DS issuer's name".into()));
        }
        let fingerprint = cert.to_der().map(|d| HashAlgorithm::Sha256.digest(&d)).unwrap_or_default();
        let key_fp = |i: usize| [fingerprint.as_slice(), &(i as u64).to_be_bytes()].concat();
        // a DS certificate seen before: no re-encoding, no signature check
        if let Ok(v) = self.verified.lock()
            && let Some((_, csca)) = candidates.iter().enumerate().find(|(i, _)| v.contains(&key_fp(*i)))
        {
            return Ok(csca);
        }
        let Ok(tbs) = cert.tbs_certificate().to_der() else {
            return Err(Check::Failed("DS certificate does not encode".into()));
        };
        let Some(sig) = cert.signature().as_bytes() else {
            return Err(Check::Failed("DS signature has unused bits".into()));
        };
        let Ok(alg) = SignatureAlgorithm::from_algorithm_identifier(cert.signature_algorithm(), None) else {
            return Err(Check::NotChecked("unsupported DS certificate signature algorithm".into()));
        };
        for (i, csca) in candidates.iter().enumerate() {
            let key_fp = key_fp(i);
            let Ok(key) = PublicKey::from_spki(csca.tbs_certificate().subject_public_key_info()) else { continue };
            if alg.verify(&key, &tbs, sig).is_ok() {
                if let Ok(mut v) = self.verified.lock() {
                    v.insert(key_fp);
                }
                return Ok(csca);
            }
        }
        Err(Check::Failed("bad signature: no trusted CSCA of that name signed the DS certificate".into()))
    }

    /// Revocation of `cert` (signed by `csca`) as the trusted CRLs say.
    pub(crate) fn revocation(&self, cert: &Certificate, csca: &Certificate) -> super::Check {
        use super::Check;
        let issuer = cert.tbs_certificate().issuer();
        let Ok(key) = PublicKey::from_spki(csca.tbs_certificate().subject_public_key_info()) else {
            return Check::NotChecked("the CSCA key is not usable".into());
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
                let date = time::OffsetDateTime::from(r.revocation_date.to_system_time()).date();
                return Check::Failed(format!("the DS certificate was revoked on {date}"));
            }
        }
        if any { Check::Passed } else { Check::NotChecked("no CRL from the DS issuer given".into()) }
    }
}
