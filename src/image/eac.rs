//! The chip's Extended Access Control trust: the CVCA certificates whose keys it trusts (its trust points,
//! what EF.CVCA names) and its current date, both set at personalization (ICAO 9303-11 §7.1.4.3.1).
//!
//! In an image folder (`CHIPDIR/eac/`):
//!
//! ```text
//! eac/trust-point-1.cvcert    the most recent CVCA certificate (self-signed or link, with domain parameters)
//! eac/trust-point-2.cvcert    the previous CVCA certificate, when the chip keeps two
//! eac/current-date            the chip's current date at personalization, YYYY-MM-DD
//! eac/EF.CVCA.bin             EF.CVCA as the chip serves it (derived from the trust points; never read back)
//! ```
//!
//! EF.CVCA (FID `011C`, SFI `1C` in the eMRTD application) is not a data group: it is in neither EF.COM nor
//! the SOD, and the chip rewrites it whenever a link certificate adds a trust point, so it is derived from the
//! trust points here rather than kept as a file of the image.

use std::path::Path;

use crate::cvc::{CvCertificate, CvcDate, CvcError, EfCvca, KeyContext, Reference, Role};

/// The folder, inside an image folder, that holds the EAC trust.
pub const EAC_DIR: &str = "eac";
/// EF.CVCA's file name inside [`EAC_DIR`].
pub const EF_CVCA_FILE: &str = "EF.CVCA.bin";
const CURRENT_DATE_FILE: &str = "current-date";

/// Why EAC trust points cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustPointError {
    /// One or two trust points are needed (9303-11 §7.1.4.3.2: a chip holds two at most).
    #[error("{0} trust points: a chip holds one or two")]
    Count(usize),
    /// A trust point is not a CVCA certificate (role bits `11`).
    #[error("trust point {chr}: a {role} certificate, not a CVCA's")]
    NotCvca {
        /// Its holder.
        chr: Reference,
        /// Its role.
        role: &'static str,
    },
    /// Two trust points with the same holder.
    #[error("trust point {0} given twice")]
    Duplicate(Reference),
    /// A certificate that cannot be a trust point (no domain parameters, a malformed key…).
    #[error("trust point: {0}")]
    Certificate(#[from] CvcError),
}

/// The chip's EAC trust: one or two CVCA certificates (most recent first) and its current date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EacTrust {
    trust_points: Vec<CvCertificate>,
    /// The chip's current date (the personalization date, 9303-11 §7.1.4.3.1).
    pub current_date: CvcDate,
}

impl EacTrust {
    /// Trust in `trust_points` (most recent first, one or two CVCA certificates each usable as a trust point:
    /// an EC key needs its domain parameters) with the chip's date set to `current_date`.
    pub fn new(trust_points: Vec<CvCertificate>, current_date: CvcDate) -> Result<Self, TrustPointError> {
        if !(1..=2).contains(&trust_points.len()) {
            return Err(TrustPointError::Count(trust_points.len()));
        }
        for (i, c) in trust_points.iter().enumerate() {
            let role = c.body.chat.role();
            if role != Role::Cvca {
                return Err(TrustPointError::NotCvca { chr: c.chr().clone(), role: role.name() });
            }
            KeyContext::trust_point(c)?;
            if trust_points.iter().take(i).any(|o| o.chr() == c.chr()) {
                return Err(TrustPointError::Duplicate(c.chr().clone()));
            }
        }
        Ok(EacTrust { trust_points, current_date })
    }

    /// The trust points, most recent first.
    pub fn trust_points(&self) -> &[CvCertificate] {
        &self.trust_points
    }

    /// EF.CVCA naming the trust points (36 bytes).
    pub fn ef_cvca(&self) -> Result<Vec<u8>, CvcError> {
        EfCvca { cars: self.trust_points.iter().map(|c| c.chr().clone()).collect() }.encode()
    }

    /// Loads `dir/eac/` (see the module docs); `Ok(None)` when the image folder has no `eac/`.
    pub fn load(dir: &Path) -> Result<Option<Self>, super::ImageError> {
        let eac = dir.join(EAC_DIR);
        if !eac.is_dir() {
            return Ok(None);
        }
        let bad = |path: &Path, e: &dyn std::fmt::Display| super::ImageError::Eac(format!("{}: {e}", path.display()));
        let mut certs = Vec::new();
        for n in 1..=2 {
            let path = eac.join(format!("trust-point-{n}.cvcert"));
            match std::fs::read(&path) {
                Ok(bytes) => certs.push(CvCertificate::decode(&bytes).map_err(|e| bad(&path, &e))?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(super::ImageError::Io { path: path.display().to_string(), source: e }),
            }
        }
        let path = eac.join(CURRENT_DATE_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| super::ImageError::Io { path: path.display().to_string(), source: e })?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(text.trim(), &format).map_err(|e| bad(&path, &e))?;
        let date = CvcDate::new(date).map_err(|e| bad(&path, &e))?;
        EacTrust::new(certs, date).map(Some).map_err(|e| bad(&eac, &e))
    }

    /// Writes `dir/eac/` (see the module docs), replacing what an earlier image left there.
    pub fn save(&self, dir: &Path) -> Result<(), super::ImageError> {
        let eac = dir.join(EAC_DIR);
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| super::ImageError::Io { path, source }
        };
        std::fs::create_dir_all(&eac).map_err(io(&eac))?;
        for n in 1..=2 {
            let path = eac.join(format!("trust-point-{n}.cvcert"));
            match self.trust_points.get(n - 1) {
                Some(c) => std::fs::write(&path, &c.raw).map_err(io(&path))?,
                None => remove(&path)?,
            }
        }
        let path = eac.join(CURRENT_DATE_FILE);
        std::fs::write(&path, format!("{}\n", self.current_date)).map_err(io(&path))?;
        let path = eac.join(EF_CVCA_FILE);
        let ef = self.ef_cvca().map_err(|e| super::ImageError::Eac(e.to_string()))?;
        std::fs::write(&path, ef).map_err(io(&path))
    }

    /// Removes `dir/eac/` (an image without trust points saved over one with them).
    pub fn remove(dir: &Path) -> Result<(), super::ImageError> {
        let eac = dir.join(EAC_DIR);
        for name in ["trust-point-1.cvcert", "trust-point-2.cvcert", CURRENT_DATE_FILE, EF_CVCA_FILE] {
            remove(&eac.join(name))?;
        }
        match std::fs::remove_dir(&eac) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(super::ImageError::Io { path: eac.display().to_string(), source: e }),
        }
    }
}

fn remove(path: &Path) -> Result<(), super::ImageError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(super::ImageError::Io { path: path.display().to_string(), source: e }),
    }
}
