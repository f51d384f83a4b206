//! Certificate revocation lists (RFC 5280 v2, the ICAO 9303-12 §7.1.4 profile), built by [`CrlBuilder`] from
//! `x509-cert`'s CRL types.

use std::time::Duration;

use der::Encode;
use der::asn1::{BitString, Uint};
use der::referenced::OwnedToRef;
use x509_cert::Certificate;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, KeyUsage, SubjectKeyIdentifier};
use x509_cert::serial_number::SerialNumber;

use super::period::{self, End, Period, PkiTime};
use super::{BuildError, Issued, PkiError, Signer};
use crate::crypto::public_key::PublicKey;

/// A CRL signed by a CSCA: named settings, checked on [`build`](Self::build).
///
/// - who signs: [`new`](Self::new) (a CSCA with its software key) or [`issued_by`](Self::issued_by) (its
///   certificate and any [`Signer`]; the certificate must allow cRLSign and the key must be its key);
/// - [`number`](Self::number), the `cRLNumber` (mandatory; it must grow from one CRL to the next);
/// - [`this_update`](Self::this_update) (now when not set) and one end: [`next_update`](Self::next_update),
///   [`valid_for`](Self::valid_for) or [`valid_for_days`](Self::valid_for_days);
/// - [`revoke`](Self::revoke) for each revoked serial number (positive, each once) with its revocation time.
///
/// Extensions: `cRLNumber` and the authority key identifier (the CSCA's subject key identifier).
#[derive(Clone)]
pub struct CrlBuilder<'a> {
    certificate: &'a Certificate,
    signer: &'a dyn Signer,
    number: Option<u64>,
    this_update: Option<PkiTime>,
    next_update: Option<End>,
    revoked: Vec<(Vec<u8>, PkiTime)>,
}

impl core::fmt::Debug for CrlBuilder<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CrlBuilder")
            .field("issuer", &self.certificate.tbs_certificate().subject().to_string())
            .field("number", &self.number)
            .field("revoked", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

impl<'a> CrlBuilder<'a> {
    /// A CRL signed by the CSCA `csca` (certificate and software key).
    pub fn new(csca: &'a Issued) -> Self {
        Self::issued_by(&csca.certificate, &csca.key)
    }

    /// A CRL signed by the CA of `certificate` with `signer`, its key (software, RSA, an HSM).
    pub fn issued_by(certificate: &'a Certificate, signer: &'a dyn Signer) -> Self {
        CrlBuilder { certificate, signer, number: None, this_update: None, next_update: None, revoked: Vec::new() }
    }

    /// The `cRLNumber`.
    pub fn number(mut self, number: u64) -> Self {
        self.number = Some(number);
        self
    }

    /// When the CRL was issued (now when not set).
    pub fn this_update(mut self, t: impl Into<PkiTime>) -> Self {
        self.this_update = Some(t.into());
        self
    }

    /// When the next CRL will be issued.
    pub fn next_update(mut self, t: impl Into<PkiTime>) -> Self {
        self.next_update = Some(End::At(t.into()));
        self
    }

    /// The next update `duration` after `this_update`.
    pub fn valid_for(mut self, duration: Duration) -> Self {
        self.next_update = Some(End::After(duration));
        self
    }

    /// The next update `days` days after `this_update`.
    pub fn valid_for_days(self, days: u32) -> Self {
        self.valid_for(period::days(days))
    }

    /// Lists serial number `serial` as revoked at `when`.
    pub fn revoke(self, serial: u64, when: impl Into<PkiTime>) -> Self {
        self.revoke_bytes(&serial.to_be_bytes(), when)
    }

    /// Lists the serial number of big-endian unsigned bytes `serial` as revoked at `when`.
    pub fn revoke_bytes(mut self, serial: &[u8], when: impl Into<PkiTime>) -> Self {
        let significant: Vec<u8> = serial.iter().copied().skip_while(|&b| b == 0).collect();
        self.revoked.push((significant, when.into()));
        self
    }

    /// Checks the settings and signs the CRL (DER).
    pub fn build(self) -> Result<Vec<u8>, PkiError> {
        let number = self.number.ok_or(BuildError::MissingCrlNumber)?;
        let this_update = self.this_update.unwrap_or_else(PkiTime::now);
        let end = self.next_update.ok_or(BuildError::MissingEnd { period: Period::CrlUpdate })?;
        let next_update = period::resolve(Period::CrlUpdate, this_update, end)?;
        let tbs = self.certificate.tbs_certificate();
        if tbs.get_extension::<KeyUsage>()?.is_some_and(|(_, ku)| !ku.crl_sign()) {
            return Err(BuildError::IssuerNotCrlSigner.into());
        }
        let certified =
            PublicKey::from_spki(tbs.subject_public_key_info()).map_err(|e| PkiError::UnsupportedKey(e.to_string()))?;
        if certified != self.signer.public_key()? {
            return Err(PkiError::KeyMismatch);
        }

        let mut entries: Vec<RevokedCert> = Vec::with_capacity(self.revoked.len());
        for (i, (serial, when)) in self.revoked.iter().enumerate() {
            if serial.is_empty() {
                return Err(BuildError::SerialNotPositive { what: "revoked certificate" }.into());
            }
            if serial.len() > 20 {
                return Err(BuildError::SerialTooLong { octets: serial.len() }.into());
            }
            if self.revoked.iter().take(i).any(|(s, _)| s == serial) {
                return Err(BuildError::DuplicateRevocation { serial: hex::encode_upper(serial) }.into());
            }
            entries.push(RevokedCert {
                serial_number: SerialNumber::new(serial)?,
                revocation_date: when.to_x509("revocationDate")?,
                crl_entry_extensions: None,
            });
        }

        let key_identifier = match tbs.get_extension::<SubjectKeyIdentifier>()? {
            Some((_, ski)) => ski.0,
            None => SubjectKeyIdentifier::try_from(tbs.subject_public_key_info().owned_to_ref())?.0,
        };
        let aki = AuthorityKeyIdentifier { key_identifier: Some(key_identifier), ..Default::default() };
        let issuer = tbs.subject();
        let extensions =
            vec![der_extension(&CrlNumber(Uint::new(&number.to_be_bytes())?), issuer)?, der_extension(&aki, issuer)?];
        let algorithm = self.signer.signature_algorithm();
        let tbs_cert_list = TbsCertList {
            version: x509_cert::Version::V2,
            signature: algorithm.clone(),
            issuer: issuer.clone(),
            this_update: this_update.to_x509("thisUpdate")?,
            next_update: Some(next_update.to_x509("nextUpdate")?),
            revoked_certificates: if entries.is_empty() { None } else { Some(entries) },
            crl_extensions: Some(extensions),
        };
        let signature = self.signer.sign(&tbs_cert_list.to_der()?)?;
        let crl = CertificateList {
            tbs_cert_list,
            signature_algorithm: algorithm,
            signature: BitString::from_bytes(&signature)?,
        };
        Ok(crl.to_der()?)
    }
}

/// An extension with the type's own criticality (both CRL extensions are non-critical).
fn der_extension<T>(value: &T, issuer: &x509_cert::name::Name) -> Result<x509_cert::ext::Extension, der::Error>
where
    for<'v> &'v T: x509_cert::ext::ToExtension<Error = der::Error>,
{
    use x509_cert::ext::ToExtension;
    value.to_extension(issuer, &[])
}
