//! The days a certificate vouches for: its validity and, when it names one, its private-key usage period
//! (RFC 5280 §4.2.1.4 was dropped, but ICAO 9303-12 §7.1.1 keeps the extension for Document Signers: the key
//! signs within that period, the certificate outlives it by the validity of the documents signed).

use time::{Date, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::pkix::PrivateKeyUsagePeriod;

/// A certificate's dates, as days (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateDates {
    /// The first day of validity.
    pub not_before: Date,
    /// The last day of validity.
    pub not_after: Date,
    /// The first day the private key may sign, when the certificate has a private-key usage period.
    pub key_usage_not_before: Option<Date>,
    /// The last day the private key may sign, when the certificate has a private-key usage period.
    pub key_usage_not_after: Option<Date>,
}

fn day(t: std::time::SystemTime) -> Date {
    OffsetDateTime::from(t).date()
}

impl CertificateDates {
    /// The dates of `certificate` (a private-key usage period that does not decode is ignored).
    pub fn of(certificate: &Certificate) -> CertificateDates {
        let tbs = certificate.tbs_certificate();
        let v = tbs.validity();
        let period = tbs.get_extension::<PrivateKeyUsagePeriod>().ok().flatten().map(|(_, p)| p);
        CertificateDates {
            not_before: day(v.not_before.to_system_time()),
            not_after: day(v.not_after.to_system_time()),
            key_usage_not_before: period.as_ref().and_then(|p| p.not_before.map(|t| day(t.to_system_time()))),
            key_usage_not_after: period.as_ref().and_then(|p| p.not_after.map(|t| day(t.to_system_time()))),
        }
    }

    /// The first day the key may sign: the later of the validity's and the usage period's start.
    pub fn signing_from(&self) -> Date {
        self.key_usage_not_before.map_or(self.not_before, |d| d.max(self.not_before))
    }

    /// The last day the key may sign: the earlier of the validity's and the usage period's end.
    pub fn signing_until(&self) -> Date {
        self.key_usage_not_after.map_or(self.not_after, |d| d.min(self.not_after))
    }
}
