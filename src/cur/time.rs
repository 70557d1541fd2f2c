//! Dates in CUR files: `2023-11-01T00:00:00.000Z`, `2023-11-01T00:00:00Z`, Athena's
//! `2024-05-01 00:00:00.000`, manifests' `20161101T000000.000Z`. Facts are daily, so a
//! timestamp is reduced to its UTC day.

use chrono::{Datelike, NaiveDate};

/// A UTC calendar day as days since 1970-01-01.
pub type Day = i32;

/// Days since the Unix epoch of a calendar date.
pub fn day_of(date: NaiveDate) -> Day {
    // num_days_from_ce of 1970-01-01 is 719_163.
    date.num_days_from_ce() - 719_163
}

/// The calendar date of a day number.
pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + 719_163).unwrap_or(NaiveDate::MIN)
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// The UTC day of a CUR timestamp (`YYYY-MM-DD` followed by `T` or a space and a time, with or
/// without fractional seconds, `Z`; or a bare date). `None` when it is not one.
pub fn parse_day(text: &[u8]) -> Option<Day> {
    if text.len() < 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let y = digits(&text[0..4])?;
    let m = digits(&text[5..7])?;
    let d = digits(&text[8..10])?;
    let rest = &text[10..];
    if !rest.is_empty() {
        // Time part: [T ]HH:MM:SS[.fff][Z|+00:00]; only UTC exists in CUR.
        if rest.len() < 9 || !(rest[0] == b'T' || rest[0] == b' ') {
            return None;
        }
        let (h, mi, s) = (
            digits(&rest[1..3])?,
            digits(&rest[4..6])?,
            digits(&rest[7..9])?,
        );
        if rest[3] != b':' || rest[6] != b':' || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let mut tail = &rest[9..];
        if let Some(frac) = tail.strip_prefix(b".") {
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            tail = &frac[n..];
        }
        if !(tail.is_empty() || tail == b"Z" || tail == b"+00:00" || tail == b"UTC") {
            return None;
        }
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).map(day_of)
}

/// A manifest billing period bound: `20161101T000000.000Z` (or `2016-11-01T00:00:00Z`).
pub fn parse_manifest_day(text: &str) -> Option<Day> {
    let b = text.as_bytes();
    if b.len() >= 8 && b[..8].iter().all(u8::is_ascii_digit) {
        let y = digits(&b[0..4])?;
        let m = digits(&b[4..6])?;
        let d = digits(&b[6..8])?;
        return NaiveDate::from_ymd_opt(y as i32, m, d).map(day_of);
    }
    parse_day(b)
}

/// The first day of the month containing `day`.
pub fn month_start(day: Day) -> Day {
    let d = date_of(day);
    day_of(d.with_day(1).unwrap_or(d))
}

/// The first day of the month after the one containing `day`.
pub fn next_month_start(day: Day) -> Day {
    let d = date_of(day);
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(day + 31, day_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Day {
        day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn epoch_is_day_zero() {
        assert_eq!(ymd(1970, 1, 1), 0);
        assert_eq!(
            date_of(ymd(2024, 2, 29)),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }

    #[test]
    fn parses_every_cur_timestamp_shape() {
        let want = ymd(2023, 11, 1);
        for s in [
            "2023-11-01T00:00:00.000Z",
            "2023-11-01T23:59:59Z",
            "2023-11-01 13:00:00.000",
            "2023-11-01T05:00:00",
            "2023-11-01",
            "2023-11-01T00:00:00+00:00",
        ] {
            assert_eq!(parse_day(s.as_bytes()), Some(want), "{s}");
        }
    }

    #[test]
    fn rejects_broken_timestamps() {
        for s in [
            "",
            "2023-13-01T00:00:00Z",
            "2023-11-31",
            "2023/11/01",
            "2023-11-01T25:00:00Z",
            "2023-11-01Tfoo",
            "2023-11-01T00:00:00.Z",
            "2023-11-01T00:00:00+02:00",
        ] {
            assert_eq!(parse_day(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn manifest_periods_and_months() {
        assert_eq!(
            parse_manifest_day("20161101T000000.000Z"),
            Some(ymd(2016, 11, 1))
        );
        assert_eq!(
            parse_manifest_day("2016-12-01T00:00:00Z"),
            Some(ymd(2016, 12, 1))
        );
        assert_eq!(month_start(ymd(2024, 2, 17)), ymd(2024, 2, 1));
        assert_eq!(next_month_start(ymd(2024, 12, 17)), ymd(2025, 1, 1));
    }
}
