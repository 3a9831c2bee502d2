//! Writers for the canonical JSON's dates and timestamps.
//!
//! The text is exactly chrono's ISO form (`YYYY-MM-DDTHH:MM:SS` plus `.mmm`,
//! `.uuuuuu` or `.nnnnnnnnn` when the fraction is not zero), written digit
//! by digit into a stack buffer: chrono's own `Serialize` goes through the
//! formatting machinery, about a third of the cost of writing a page of
//! rows. Values the parser cannot produce (years outside 0..=9999, leap
//! seconds) fall back to chrono.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::Serializer;

fn put(buf: &mut [u8], at: usize, value: u32, width: usize) {
    let mut v = value;
    for i in (0..width).rev() {
        buf[at + i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// `YYYY-MM-DD` into `buf[..10]`, or `None` outside years 0..=9999.
fn write_date(date: NaiveDate, buf: &mut [u8; 29]) -> Option<usize> {
    let year = u32::try_from(date.year()).ok().filter(|y| *y < 10_000)?;
    put(buf, 0, year, 4);
    buf[4] = b'-';
    put(buf, 5, date.month(), 2);
    buf[7] = b'-';
    put(buf, 8, date.day(), 2);
    Some(10)
}

fn write_datetime(v: &NaiveDateTime, buf: &mut [u8; 29]) -> Option<usize> {
    write_date(v.date(), buf)?;
    buf[10] = b'T';
    put(buf, 11, v.hour(), 2);
    buf[13] = b':';
    put(buf, 14, v.minute(), 2);
    buf[16] = b':';
    put(buf, 17, v.second(), 2);
    let nanos = v.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    if nanos == 0 {
        return Some(19);
    }
    buf[19] = b'.';
    let (value, width) = if nanos % 1_000_000 == 0 {
        (nanos / 1_000_000, 3)
    } else if nanos % 1_000 == 0 {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    put(buf, 20, value, width);
    Some(20 + width)
}

fn emit<S: Serializer>(s: S, buf: &[u8]) -> Result<S::Ok, S::Error> {
    // Only ASCII digits and separators were written.
    s.serialize_str(std::str::from_utf8(buf).unwrap_or_default())
}

/// A timestamp as canonical text.
pub(crate) fn ser_datetime<S: Serializer>(v: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 29];
    match write_datetime(v, &mut buf) {
        Some(n) => emit(s, &buf[..n]),
        None => s.collect_str(&format_args!("{v:?}")),
    }
}

/// An optional timestamp: the text, or null.
pub(crate) fn ser_opt_datetime<S: Serializer>(
    v: &Option<NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => ser_datetime(v, s),
        None => s.serialize_none(),
    }
}

/// A date as canonical text.
pub(crate) fn ser_date<S: Serializer>(v: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 29];
    match write_date(*v, &mut buf) {
        Some(n) => emit(s, &buf[..n]),
        None => s.collect_str(&format_args!("{v:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via<T>(
        f: fn(&T, serde_json::value::Serializer) -> Result<serde_json::Value, serde_json::Error>,
        v: &T,
    ) -> String {
        match f(v, serde_json::value::Serializer) {
            Ok(serde_json::Value::String(s)) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    #[test]
    fn same_text_as_chrono() {
        let nanos = [
            0,
            1,
            7,
            999,
            1_000,
            5_000,
            999_000,
            1_000_000,
            760_000_000,
            557_000_000,
            123_456_789,
            999_999_999,
            1_500_000_000,
        ];
        let dates = [
            (0, 1, 1),
            (1, 2, 3),
            (999, 12, 31),
            (2021, 2, 23),
            (2024, 2, 29),
            (9999, 12, 31),
            (10_000, 1, 1),
            (-1, 6, 15),
            (-44, 3, 15),
        ];
        for (y, m, d) in dates {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(via(ser_date, &date), format!("{date:?}"));
            for (h, mi, s) in [(0, 0, 0), (15, 38, 48), (23, 59, 59)] {
                for n in nanos {
                    let Some(dt) = date.and_hms_nano_opt(h, mi, s, n) else {
                        continue;
                    };
                    assert_eq!(via(ser_datetime, &dt), format!("{dt:?}"), "{dt:?}");
                    assert_eq!(
                        serde_json::to_value(dt).unwrap(),
                        serde_json::Value::String(via(ser_datetime, &dt))
                    );
                }
            }
        }
        assert_eq!(
            ser_opt_datetime(&None, serde_json::value::Serializer).unwrap(),
            serde_json::Value::Null
        );
    }
}
