//! Date and time text in the spec's several formats.
//!
//! Formats are checked by shape (digit positions) and by calendar validity.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// `YYYY-MM-DD` (request parameters, full-transaction dates).
pub(crate) const YMD: &str = "dddd-dd-dd";
/// `DD-MM-YYYY HH:MM:SS` (pending list `date`, draw `tanggal`).
pub(crate) const DMY_TIME: &str = "dd-dd-dddd dd:dd:dd";
/// `YYYY-MM-DD HH:MM:SS.mmm` (history `date`, PGA request/processed dates).
pub(crate) const YMD_TIME_MS: &str = "dddd-dd-dd dd:dd:dd.ddd";
/// `YYYY-MM-DD HH:MM:SS.fffffff` (referral `joindate`).
pub(crate) const YMD_TIME_7: &str = "dddd-dd-dd dd:dd:dd.ddddddd";

/// Whether `text` has `pattern`'s shape: `d` is any ASCII digit, anything else literal.
fn has_shape(text: &str, pattern: &str) -> bool {
    text.len() == pattern.len()
        && text.bytes().zip(pattern.bytes()).all(|(t, p)| {
            if p == b'd' {
                t.is_ascii_digit()
            } else {
                t == p
            }
        })
}

fn number(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
    text.get(range)?.parse().ok()
}

/// Parses a strict `YYYY-MM-DD` date.
pub(crate) fn parse_ymd(text: &str) -> Option<NaiveDate> {
    if !has_shape(text, YMD) {
        return None;
    }
    let year = i32::try_from(number(text, 0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(text, 5..7)?, number(text, 8..10)?)
}

/// Whether `text` is a valid date-time in one of this module's formats.
pub(crate) fn is_valid(text: &str, format: &str) -> bool {
    if !has_shape(text, format) {
        return false;
    }
    let (date_ok, time_at) = if format == DMY_TIME {
        let date = number(text, 6..10).and_then(|year| {
            NaiveDate::from_ymd_opt(
                i32::try_from(year).ok()?,
                number(text, 3..5)?,
                number(text, 0..2)?,
            )
        });
        (date.is_some(), 11)
    } else {
        (parse_ymd(&text[..10]).is_some(), 11)
    };
    let time = number(text, time_at..time_at + 2).and_then(|hour| {
        NaiveTime::from_hms_opt(
            hour,
            number(text, time_at + 3..time_at + 5)?,
            number(text, time_at + 6..time_at + 8)?,
        )
    });
    date_ok && time.is_some()
}

/// The `YYYY-MM-DD` prefix of a `YYYY-MM-DD ...` date-time.
pub(crate) fn day_of(text: &str) -> &str {
    text.get(..10).unwrap_or(text)
}

/// `YYYY-MM-DD HH:MM:SS.mmm`.
pub(crate) fn format_ms(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

#[cfg(test)]
mod tests {
    use super::{is_valid, parse_ymd, DMY_TIME, YMD_TIME_7, YMD_TIME_MS};

    #[test]
    fn checks_shapes_and_calendar() {
        assert!(parse_ymd("2024-02-29").is_some());
        assert!(parse_ymd("2023-02-29").is_none());
        assert!(parse_ymd("2024-5-17").is_none());
        assert!(parse_ymd("2024-05-17 ").is_none());
        assert!(is_valid("23-02-2021 15:38:48", DMY_TIME));
        assert!(!is_valid("32-02-2021 15:38:48", DMY_TIME));
        assert!(!is_valid("23-02-2021 25:38:48", DMY_TIME));
        assert!(is_valid("2021-04-19 04:36:47.760", YMD_TIME_MS));
        assert!(is_valid("2017-04-27 13:27:05.5570000", YMD_TIME_7));
        assert!(!is_valid("2017-04-27 13:27:05.557", YMD_TIME_7));
    }
}
