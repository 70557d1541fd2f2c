//! The one clock. Every "now" and "today" in curtop — the default window, relative windows, the
//! provisional 48 h billing lag, staleness, the demo bill's last day, ages on screen — comes from
//! a [`Clock`] made once by the command line and read into an [`AsOf`] that callers pass down.
//! Nothing else reads the system time.
//!
//! `--as-of DATE` makes a clock that starts at that date's first moment (UTC) and runs from
//! there: curtop shows the bill as it stood on that date, and line items dated after it are
//! left out. Tests use it (or an [`AsOf`] built from a date) so that no test depends on the day
//! it runs.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::cur::time::{Day, day_of};

/// AWS finalises a day's line items up to 48 h after the day ends: days after this lag are
/// provisional.
pub const BILLING_LAG: TimeDelta = TimeDelta::hours(48);

/// Where "now" comes from: the system time, or the system time moved to another date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Added to the system time.
    offset: TimeDelta,
    /// Set by `--as-of`: the bill as it stood then (later days left out).
    pinned: bool,
}

impl Clock {
    /// The system's time.
    pub fn system() -> Clock {
        Clock {
            offset: TimeDelta::zero(),
            pinned: false,
        }
    }

    /// As if it were `start` now: the clock starts there and runs at the system's pace.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            offset: start - Utc::now(),
            pinned: true,
        }
    }

    /// The time now, by this clock.
    pub fn now(&self) -> AsOf {
        AsOf {
            now: Utc::now() + self.offset,
            pinned: self.pinned,
        }
    }
}

/// One reading of the clock: the moment a read, a check or a screen is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    pub now: DateTime<Utc>,
    /// The user fixed the date (`--as-of`): days after it are not part of the bill shown.
    pub pinned: bool,
}

impl AsOf {
    /// The first moment (00:00 UTC) of `date`, pinned: the bill as it stood on that date.
    pub fn date(date: NaiveDate) -> AsOf {
        AsOf {
            now: date.and_time(chrono::NaiveTime::MIN).and_utc(),
            pinned: true,
        }
    }

    /// A fixed moment, not pinned (what a system clock would read at `now`).
    pub fn at(now: DateTime<Utc>) -> AsOf {
        AsOf { now, pinned: false }
    }

    /// Today's date (UTC).
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// Today as a [`Day`].
    pub fn day(&self) -> Day {
        day_of(self.today())
    }

    /// Days from here on are inside AWS's 48 h billing lag: a day is final 48 h after it ends.
    pub fn provisional_from(&self) -> Day {
        day_of((self.now - BILLING_LAG).date_naive())
    }

    /// The first day that is not part of the bill shown: the day after a pinned date.
    pub fn cutoff(&self) -> Option<Day> {
        self.pinned.then(|| self.day() + 1)
    }

    /// How long before now `then` was; `None` when it is not before now (a file written after
    /// a pinned date).
    pub fn age_of(&self, then: SystemTime) -> Option<Duration> {
        self.system_time().duration_since(then).ok()
    }

    /// Now as a [`SystemTime`] (file and object times compare against it).
    pub fn system_time(&self) -> SystemTime {
        let nanos = self.now.timestamp_nanos_opt().unwrap_or(0);
        if nanos >= 0 {
            SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos as u64)
        } else {
            SystemTime::UNIX_EPOCH - Duration::from_nanos(nanos.unsigned_abs())
        }
    }
}

/// Parses `--as-of`: `YYYY-MM-DD` (that day's first moment, UTC) or an RFC 3339 time
/// (`2026-11-27T15:00:00Z`).
pub fn parse_as_of(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(AsOf::date(date).now);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "--as-of `{text}`: expected a date (2026-11-27) or a time (2026-11-27T15:00:00Z)"
            )
        })
}

/// Dates on which a test whose meaning depends on where "today" falls is run: the 1st of a
/// month, the 15th, a month's last day, 1 January, 29 February of a leap year, and days inside
/// the 2026 daylight-saving changes (Europe 29 March, US 1 November).
pub const TEST_DATES: [&str; 8] = [
    "2026-12-01",
    "2026-11-15",
    "2026-11-30",
    "2027-01-01",
    "2028-02-29",
    "2026-03-29",
    "2026-11-01",
    "2027-03-05",
];

/// [`TEST_DATES`] as dates.
pub fn test_dates() -> impl Iterator<Item = NaiveDate> {
    TEST_DATES.iter().filter_map(|d| d.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_date_is_its_first_moment_and_pinned() {
        let a = AsOf::date(d("2028-02-29"));
        assert_eq!(a.today(), d("2028-02-29"));
        assert_eq!(a.cutoff(), Some(day_of(d("2028-03-01"))));
        assert_eq!(AsOf::at(a.now).cutoff(), None);
        assert_eq!(parse_as_of("2028-02-29"), Ok(a.now));
        assert_eq!(
            parse_as_of("2026-11-27T15:30:00+01:00").map(|t| t.to_rfc3339()),
            Ok("2026-11-27T14:30:00+00:00".to_string())
        );
        assert!(parse_as_of("2026-13-01").unwrap_err().contains("--as-of"));
        assert!(parse_as_of("friday").is_err());
    }

    #[test]
    fn provisional_days_are_those_within_48_hours() {
        // At 00:00 on the 1st, the 30th ended 24 h ago and the 29th 48 h ago (final).
        let a = AsOf::date(d("2026-12-01"));
        assert_eq!(a.provisional_from(), day_of(d("2026-11-29")));
        let noon = AsOf::at(a.now + TimeDelta::hours(12));
        assert_eq!(noon.provisional_from(), day_of(d("2026-11-29")));
        let late = AsOf::at(a.now + TimeDelta::hours(24));
        assert_eq!(late.provisional_from(), day_of(d("2026-11-30")));
    }

    #[test]
    fn ages_are_measured_against_the_clock_not_the_system() {
        let a = AsOf::date(d("2024-04-10"));
        let before = a.system_time() - Duration::from_secs(3600);
        assert_eq!(a.age_of(before), Some(Duration::from_secs(3600)));
        assert_eq!(a.age_of(a.system_time() + Duration::from_secs(1)), None);
    }

    #[test]
    fn a_clock_moved_to_a_date_reads_that_date_and_runs() {
        let start = AsOf::date(d("2027-03-05")).now;
        let clock = Clock::starting_at(start);
        let first = clock.now();
        assert!(first.pinned);
        assert_eq!(first.today(), d("2027-03-05"));
        assert!(clock.now().now >= first.now);
        assert!(!Clock::system().now().pinned);
    }

    #[test]
    fn the_test_dates_parse() {
        assert_eq!(test_dates().count(), TEST_DATES.len());
    }
}
