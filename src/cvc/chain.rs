//! One certificate checked against the key that issued it (ICAO 9303-11 §7.1.4.3, TR-03110-3 §2.5): the one
//! validation path of the chip's Terminal Authentication and of the terminal's own diagnosis.
//!
//! For each certificate: the CAR names the issuer's key; the signature verifies with it (the issuer key's
//! algorithm); the hierarchy holds (a CVCA issues link certificates and DV certificates, a DV issues terminal
//! certificates); a DV or terminal certificate has not expired on the current date (expired link certificates
//! are accepted); the holder's key inherits the CVCA's domain parameters; the effective authorization is the
//! AND of the chain's relative authorizations.

use super::{CvCertificate, CvcDate, CvcError, Reference, Role, TaAlgorithm};
use crate::crypto::ec::NamedCurve;
use crate::crypto::public_key::PublicKey;

/// Why a certificate does not extend a chain. [`ChainError::status_hint`] names the chip's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The certificate's CAR is not the CHR of the key that should verify it.
    #[error("certificate {chr} names {car} as its issuer, not {expected}")]
    WrongIssuer {
        /// The certificate's holder.
        chr: Reference,
        /// Its CAR.
        car: Reference,
        /// The key selected to verify it.
        expected: Reference,
    },
    /// The signature does not verify with the issuer's key.
    #[error("the signature of certificate {chr} does not verify with {car}'s key")]
    BadSignature {
        /// The certificate's holder.
        chr: Reference,
        /// The issuer.
        car: Reference,
    },
    /// A DV or terminal certificate that expired before the current date.
    #[error("certificate {chr} expired on {expiry} (current date {current})")]
    Expired {
        /// The certificate's holder.
        chr: Reference,
        /// Its expiration date.
        expiry: CvcDate,
        /// The current date it was checked at.
        current: CvcDate,
    },
    /// A role the issuer cannot certify (e.g. a terminal certificate signed by the CVCA).
    #[error("a {issuer} cannot issue the {holder} certificate {chr}")]
    Hierarchy {
        /// The certificate's holder.
        chr: Reference,
        /// The issuer's role.
        issuer: &'static str,
        /// The certificate's role.
        holder: &'static str,
    },
    /// A DV or terminal key whose algorithm differs from its issuer's (only a link certificate may switch).
    #[error("certificate {chr} uses {holder} under an issuer using {issuer}")]
    AlgorithmMismatch {
        /// The certificate's holder.
        chr: Reference,
        /// The issuer's algorithm.
        issuer: &'static str,
        /// The certificate's algorithm.
        holder: &'static str,
    },
    /// The key cannot be used (no domain parameters to inherit, a point off the curve, a malformed key).
    #[error("the key of certificate {chr} cannot be used: {reason}")]
    UnusableKey {
        /// The certificate's holder.
        chr: Reference,
        /// Why.
        reason: String,
    },
}

impl ChainError {
    /// The certificate the error is about.
    pub fn chr(&self) -> &Reference {
        match self {
            ChainError::WrongIssuer { chr, .. }
            | ChainError::BadSignature { chr, .. }
            | ChainError::Expired { chr, .. }
            | ChainError::Hierarchy { chr, .. }
            | ChainError::AlgorithmMismatch { chr, .. }
            | ChainError::UnusableKey { chr, .. } => chr,
        }
    }

    /// The status word a chip answers PSO:Verify Certificate with: `6A88` when the CAR is not the selected
    /// key, `6984` otherwise (invalid signature, date, hierarchy or key; 9303-11 §7.1.5.2 says only "not 9000").
    pub fn status_hint(&self) -> u16 {
        match self {
            ChainError::WrongIssuer { .. } => 0x6A88,
            _ => 0x6984,
        }
    }
}

/// A key a chip or terminal holds in a chain: a trust point or an imported DV or terminal key, with what the
/// certificate said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyContext {
    /// The key's CHR.
    pub chr: Reference,
    /// The key, resolved with the chain's domain parameters.
    pub public_key: PublicKey,
    /// The algorithm it signs with.
    pub algorithm: TaAlgorithm,
    /// The chain's curve (EC keys), inherited down the chain.
    pub curve: Option<NamedCurve>,
    /// The role of the certificate.
    pub role: Role,
    /// The effective authorization so far: the AND of the relative authorizations down to this key.
    pub authorization: Vec<u8>,
    /// The certificate's effective date.
    pub effective: CvcDate,
    /// The certificate's expiration date.
    pub expiry: CvcDate,
    /// The role of the key that issued this one (a terminal certificate's DV role decides whether its date is
    /// "accurate"); the trust point's own role for a trust point.
    pub issuer_role: Role,
}

fn and(a: &[u8], b: &[u8]) -> Vec<u8> {
    // right-aligned AND (authorizations of one terminal type have the same length)
    let n = a.len().max(b.len());
    let pad = |v: &[u8]| -> Vec<u8> { core::iter::repeat_n(0u8, n - v.len()).chain(v.iter().copied()).collect() };
    pad(a).iter().zip(pad(b)).map(|(x, y)| x & y).collect()
}

impl KeyContext {
    /// A trust point from a CVCA certificate (its signature is not checked: it is trusted as given).
    pub fn trust_point(cvca: &CvCertificate) -> Result<Self, CvcError> {
        let curve = cvca.body.public_key.own_curve();
        if cvca.body.public_key.algorithm.is_ecdsa() && curve.is_none() {
            return Err(CvcError::Missing { field: "domain parameters of the trust point", offset: 0 });
        }
        Ok(KeyContext {
            chr: cvca.chr().clone(),
            public_key: cvca.body.public_key.resolve(curve)?,
            algorithm: cvca.body.public_key.algorithm,
            curve,
            role: cvca.body.chat.role(),
            authorization: cvca.body.chat.authorization.clone(),
            effective: cvca.body.effective,
            expiry: cvca.body.expiry,
            issuer_role: cvca.body.chat.role(),
        })
    }

    /// Checks `cert` as issued by this key on `current` and returns the holder's key context.
    pub fn verify(&self, cert: &CvCertificate, current: CvcDate) -> Result<KeyContext, ChainError> {
        let chr = cert.chr().clone();
        if cert.car() != &self.chr {
            return Err(ChainError::WrongIssuer { chr, car: cert.car().clone(), expected: self.chr.clone() });
        }
        cert.verify_signature(&self.public_key, self.algorithm)
            .map_err(|_| ChainError::BadSignature { chr: chr.clone(), car: self.chr.clone() })?;
        let role = cert.body.chat.role();
        let allowed = match self.role {
            Role::Cvca => matches!(role, Role::Cvca | Role::DvDomestic | Role::DvForeign),
            Role::DvDomestic | Role::DvForeign => role == Role::Terminal,
            Role::Terminal => false,
        };
        if !allowed {
            return Err(ChainError::Hierarchy { chr, issuer: self.role.name(), holder: role.name() });
        }
        let link = role == Role::Cvca;
        if !link && cert.body.expiry < current {
            return Err(ChainError::Expired { chr, expiry: cert.body.expiry, current });
        }
        let algorithm = cert.body.public_key.algorithm;
        if !link && algorithm != self.algorithm {
            return Err(ChainError::AlgorithmMismatch { chr, issuer: self.algorithm.name(), holder: algorithm.name() });
        }
        let curve = cert.body.public_key.own_curve().or(if link && cert.body.public_key.has_parameters() {
            None
        } else {
            self.curve
        });
        let public_key = cert
            .body
            .public_key
            .resolve(curve)
            .map_err(|e| ChainError::UnusableKey { chr: chr.clone(), reason: e.to_string() })?;
        Ok(KeyContext {
            chr,
            public_key,
            algorithm,
            curve,
            role,
            authorization: and(&self.authorization, &cert.body.chat.authorization),
            effective: cert.body.effective,
            expiry: cert.body.expiry,
            issuer_role: self.role,
        })
    }

    /// The effective access bits (DG3 `01`, DG4 `02`) of this key's authorization.
    pub fn access_bits(&self) -> u8 {
        self.authorization.last().copied().unwrap_or(0) & (super::READ_DG3 | super::READ_DG4)
    }

    /// Whether this certificate's effective date may move a chip's current date (9303-11 §7.1.4.3.3): CVCA
    /// (link) and DV certificates, and terminal certificates from a domestic DV ("accurate").
    pub fn moves_date(&self) -> bool {
        match self.role {
            Role::Cvca | Role::DvDomestic | Role::DvForeign => true,
            Role::Terminal => self.issuer_role == Role::DvDomestic,
        }
    }
}
