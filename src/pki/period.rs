//! Points in time and periods as the PKI builders take them: a date, a date and time, or a `SystemTime`, to the
//! second (X.509 and CMS times carry no fractions), checked against what an X.509 `Time` can say.

use core::fmt;
use std::time::{Duration, SystemTime};

use der::asn1::GeneralizedTime;
use time::OffsetDateTime;
use x509_cert::time::Time;

use super::BuildError;

/// A point in time a certificate, a CRL or a private key usage period names, in UTC and to the second.
///
/// Made from a [`SystemTime`], a [`time::OffsetDateTime`] or a [`time::Date`] (midnight UTC); fractions of a
/// second are dropped, as X.509 times carry none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PkiTime(OffsetDateTime);

impl PkiTime {
    /// Now.
    pub fn now() -> Self {
        PkiTime::from(SystemTime::now())
    }

    /// The time as a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        SystemTime::from(self.0)
    }

    /// The time as a `time::OffsetDateTime` (UTC).
    pub fn to_offset_date_time(self) -> OffsetDateTime {
        self.0
    }

    /// `duration` later, or `None` past what a date can hold.
    pub fn checked_add(self, duration: Duration) -> Option<Self> {
        let duration = time::Duration::try_from(duration).ok()?;
        self.0.checked_add(duration).map(PkiTime)
    }

    /// The seconds from `earlier` to this time (negative when `earlier` is later).
    pub(crate) fn seconds_since(self, earlier: PkiTime) -> i64 {
        (self.0 - earlier.0).whole_seconds()
    }

    /// The X.509 `Time` (UTCTime through 2049, GeneralizedTime from 2050, as RFC 5280 §4.1.2.5 asks).
    pub(crate) fn to_x509(self, field: &'static str) -> Result<Time, BuildError> {
        Time::try_from(self.to_system_time()).map_err(|_| BuildError::TimeOutOfRange { field, time: self })
    }

    /// The time as a `GeneralizedTime` (private key usage periods are always GeneralizedTime).
    pub(crate) fn to_generalized(self, field: &'static str) -> Result<GeneralizedTime, BuildError> {
        GeneralizedTime::from_system_time(self.to_system_time())
            .map_err(|_| BuildError::TimeOutOfRange { field, time: self })
    }
}

impl From<OffsetDateTime> for PkiTime {
    fn from(t: OffsetDateTime) -> Self {
        let utc = t.to_offset(time::UtcOffset::UTC);
        PkiTime(utc.replace_nanosecond(0).unwrap_or(utc))
    }
}

impl From<SystemTime> for PkiTime {
    fn from(t: SystemTime) -> Self {
        PkiTime::from(OffsetDateTime::from(t))
    }
}

impl From<time::Date> for PkiTime {
    /// Midnight UTC of the date.
    fn from(d: time::Date) -> Self {
        PkiTime(d.midnight().assume_utc())
    }
}

impl fmt::Display for PkiTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

/// Which period a [`BuildError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Period {
    /// A certificate's validity (`notBefore`, `notAfter`).
    CertificateValidity,
    /// A certificate's private key usage period (ICAO 9303-12; RFC 3280 §4.2.1.4).
    PrivateKeyUsage,
    /// A CRL's `thisUpdate` to `nextUpdate`.
    CrlUpdate,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Period::CertificateValidity => "certificate validity",
            Period::PrivateKeyUsage => "private key usage period",
            Period::CrlUpdate => "CRL update period",
        })
    }
}

/// The end of a period: a point in time, or a length from its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    At(PkiTime),
    After(Duration),
}

/// Resolves `start .. end` of `period`: the end must be after the start (a zero-length period is refused).
pub(crate) fn resolve(period: Period, start: PkiTime, end: End) -> Result<PkiTime, BuildError> {
    let end = match end {
        End::At(t) => t,
        End::After(d) => start.checked_add(d).ok_or(BuildError::TimeOutOfRange { field: "end", time: start })?,
    };
    match end.seconds_since(start) {
        0 => Err(BuildError::EmptyPeriod { period, at: start }),
        s if s < 0 => Err(BuildError::EndBeforeStart { period, start, end }),
        _ => Ok(end),
    }
}

/// `days` days.
pub(crate) fn days(days: u32) -> Duration {
    Duration::from_secs(u64::from(days) * 86_400)
}
