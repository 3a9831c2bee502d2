//! Posting times: `YYYY-MM-DD HH:MM:SS` in the server's zone (WIB, UTC+7,
//! no daylight saving), or with an explicit offset converted to WIB.

use chrono::{DateTime, NaiveDateTime, TimeDelta};

/// WIB (Western Indonesia Time), the server's zone: UTC+7, no daylight
/// saving.
const WIB_SECS: i64 = 7 * 3600;

/// A moment with an explicit offset, as the wall clock reads in WIB.
pub(crate) fn in_wib<Tz: chrono::TimeZone>(dt: &DateTime<Tz>) -> Option<NaiveDateTime> {
    dt.naive_utc()
        .checked_add_signed(TimeDelta::seconds(WIB_SECS))
}

/// Reads a posting time: `YYYY-MM-DD HH:MM:SS` (or `T`, with an optional
/// fraction) is WIB already; with `Z` or `±HH:MM` it is converted to WIB.
/// A bare date is refused: its time of day is not known.
pub(crate) fn parse_posted_at(text: &str) -> Result<NaiveDateTime, String> {
    let t = text.trim();
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Ok(dt);
        }
    }
    let zoned = DateTime::parse_from_rfc3339(t)
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f%:z"));
    if let Ok(dt) = zoned {
        return in_wib(&dt).ok_or_else(|| format!("{text:?} is out of range"));
    }
    if chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok() {
        return Err(format!(
            "{text:?} has no time of day: write YYYY-MM-DD HH:MM:SS (WIB), or leave it empty for a pending statement row"
        ));
    }
    Err(format!(
        "{text:?} is not a time: write YYYY-MM-DD HH:MM:SS (WIB)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn wib_as_written_and_offsets_converted() {
        assert_eq!(
            parse_posted_at("2024-05-16 08:05:00"),
            Ok(at("2024-05-16 08:05:00"))
        );
        assert_eq!(
            parse_posted_at(" 2024-05-16T08:05:00 "),
            Ok(at("2024-05-16 08:05:00"))
        );
        assert_eq!(
            parse_posted_at("2024-05-16T01:05:00Z"),
            Ok(at("2024-05-16 08:05:00"))
        );
        assert_eq!(
            parse_posted_at("2024-05-16T23:30:00+00:00"),
            Ok(at("2024-05-17 06:30:00"))
        );
        assert_eq!(
            parse_posted_at("2024-05-16 08:05:00+07:00"),
            Ok(at("2024-05-16 08:05:00"))
        );
        assert!(parse_posted_at("2024-05-16")
            .unwrap_err()
            .contains("no time of day"));
        assert!(parse_posted_at("16/05/2024 08:05").is_err());
        assert!(parse_posted_at("2024-02-30 08:05:00").is_err());
    }
}
