//! `YYMMDD` dates of the MRZ.

use time::{Date, Month};

use super::{MrzError, MrzField};

/// Converts an MRZ date `YYMMDD` to a date, choosing the century so that the year is the first one
/// `>= earliest_year` that ends in `YY` (e.g. for a date of birth, `earliest_year` = this year − 99;
/// for a date of expiry, this year − 50).
pub fn yymmdd_to_date(raw: &str, earliest_year: i32, field: MrzField) -> Result<Date, MrzError> {
    let err = MrzError::InvalidDate { field };
    if raw.len() != 6 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err);
    }
    let num = |a: usize| raw.get(a..a + 2).and_then(|s| s.parse::<u8>().ok()).ok_or(err.clone());
    let yy = i32::from(num(0)?);
    let month = Month::try_from(num(2)?).map_err(|_| err.clone())?;
    let day = num(4)?;
    let base = earliest_year.checked_sub(earliest_year.rem_euclid(100)).ok_or(err.clone())?;
    let mut year = base.checked_add(yy).ok_or(err.clone())?;
    if year < earliest_year {
        year = year.checked_add(100).ok_or(err.clone())?;
    }
    Date::from_calendar_date(year, month, day).map_err(|_| err)
}

/// Writes a date as `YYMMDD`.
pub fn date_to_yymmdd(date: Date) -> String {
    format!("{:02}{:02}{:02}", date.year().rem_euclid(100), u8::from(date.month()), date.day())
}
