//! Time windows: `all`, `YYYY-MM`, `YYYY-MM-DD..YYYY-MM-DD` (end exclusive), `today`,
//! `yesterday`, `7d`/`30d`/`Nd`, `mtd`, `last-month`, and the default: the latest billing
//! period in the data.

use std::fmt;
use std::str::FromStr;

use crate::clock::AsOf;
use crate::cur::time::{Day, date_of, month_start, next_month_start, parse_day};

/// A window as the user wrote it, resolved against today and the data by [`WindowSpec::resolve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowSpec {
    All,
    /// The latest billing period in the data (the default), with the one before it while the
    /// latest holds fewer than [`MIN_BILLED_DAYS`] billed days.
    #[default]
    Latest,
    Range(Day, Day),
    Today,
    Yesterday,
    /// The last N days, today included.
    LastDays(u32),
    MonthToDate,
    LastMonth,
}

/// Resolved `[start, end)` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Day,
    pub end: Day,
}

impl Window {
    pub fn contains(&self, day: Day) -> bool {
        day >= self.start && day < self.end
    }

    pub fn days(&self) -> i32 {
        self.end - self.start
    }

    /// The window of equal length just before this one.
    pub fn previous(&self) -> Window {
        Window {
            start: self.start - self.days(),
            end: self.start,
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", date_of(self.start), date_of(self.end))
    }
}

impl fmt::Display for WindowSpec {
    /// The form the parser reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowSpec::All => write!(f, "all"),
            WindowSpec::Latest => write!(f, "latest"),
            WindowSpec::Range(a, b) => {
                let (start, end) = (date_of(*a), date_of(*b));
                if *a == month_start(*a) && *b == next_month_start(*a) {
                    write!(f, "{}", start.format("%Y-%m"))
                } else {
                    write!(f, "{start}..{end}")
                }
            }
            WindowSpec::Today => write!(f, "today"),
            WindowSpec::Yesterday => write!(f, "yesterday"),
            WindowSpec::LastDays(n) => write!(f, "{n}d"),
            WindowSpec::MonthToDate => write!(f, "mtd"),
            WindowSpec::LastMonth => write!(f, "last-month"),
        }
    }
}

impl FromStr for WindowSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let err = || {
            format!(
                "unknown window `{s}`; expected all, latest, YYYY-MM, YYYY-MM-DD..YYYY-MM-DD, \
                 today, yesterday, 7d, 30d, Nd, mtd or last-month"
            )
        };
        Ok(match s {
            "all" => WindowSpec::All,
            "latest" => WindowSpec::Latest,
            "today" => WindowSpec::Today,
            "yesterday" => WindowSpec::Yesterday,
            "mtd" => WindowSpec::MonthToDate,
            "last-month" => WindowSpec::LastMonth,
            _ => {
                if let Some(n) = s.strip_suffix('d').and_then(|n| n.parse::<u32>().ok()) {
                    if n == 0 || n > 3660 {
                        return Err(err());
                    }
                    return Ok(WindowSpec::LastDays(n));
                }
                if let Some((a, b)) = s.split_once("..") {
                    let (a, b) = (parse_day(a.as_bytes()), parse_day(b.as_bytes()));
                    return match (a, b) {
                        (Some(a), Some(b)) if a < b => Ok(WindowSpec::Range(a, b)),
                        (Some(_), Some(_)) => Err(format!(
                            "window `{s}`: the end (exclusive) must be after the start"
                        )),
                        _ => Err(err()),
                    };
                }
                if s.len() == 7
                    && let Some(start) = parse_day(format!("{s}-01").as_bytes())
                {
                    return Ok(WindowSpec::Range(start, next_month_start(start)));
                }
                return Err(err());
            }
        })
    }
}

/// Fewer billed days than this in the open billing period, and the default window starts a
/// billing period earlier.
pub const MIN_BILLED_DAYS: Day = 7;

/// Where the default window starts: the latest billing period's start, or the start of the
/// period before it while today (`t`) is within the latest's first [`MIN_BILLED_DAYS`] days
/// (today itself is provisional, so on the 1st the latest period holds no billed day yet).
fn with_a_week(start: Day, t: Day) -> Day {
    if (start..start + MIN_BILLED_DAYS).contains(&t) {
        month_start(start - 1)
    } else {
        start
    }
}

impl WindowSpec {
    /// Resolves the window at `as_of`. `latest` is the latest billing period if known, `data`
    /// the first and last day with data. `None` when it cannot be known yet (latest of unread
    /// data). A pinned date (`--as-of`) ends every window on it: the latest period is the
    /// latest that began by then, and later days are not part of the bill.
    pub fn resolve(
        self,
        as_of: AsOf,
        latest: Option<(Day, Day)>,
        data: Option<(Day, Day)>,
    ) -> Option<Window> {
        let t = as_of.day();
        let cutoff = as_of.cutoff();
        let latest = match cutoff {
            Some(c) => latest
                .filter(|(start, _)| *start < c)
                .or_else(|| Some((month_start(t), next_month_start(t)))),
            None => latest,
        };
        let data = match cutoff {
            Some(c) => data
                .filter(|(first, _)| *first < c)
                .map(|(a, b)| (a, b.min(c - 1))),
            None => data,
        };
        let w = |start, end| Some(Window { start, end });
        let window = match self {
            WindowSpec::All => match (latest, data) {
                (_, Some((a, b))) => w(a, b + 1),
                _ => w(Day::MIN / 2, Day::MAX / 2),
            },
            WindowSpec::Latest => match (latest, data) {
                (Some((a, b)), _) => w(with_a_week(a, t), b),
                (None, Some((_, last))) => {
                    w(with_a_week(month_start(last), t), next_month_start(last))
                }
                (None, None) => None,
            },
            WindowSpec::Range(a, b) => w(a, b),
            WindowSpec::Today => w(t, t + 1),
            WindowSpec::Yesterday => w(t - 1, t),
            WindowSpec::LastDays(n) => w(t + 1 - n as Day, t + 1),
            WindowSpec::MonthToDate => w(month_start(t), t + 1),
            WindowSpec::LastMonth => {
                let this = month_start(t);
                w(month_start(this - 1), this)
            }
        }?;
        Some(match cutoff {
            Some(c) if window.end > c => Window {
                start: window.start.min(c),
                end: c,
            },
            _ => window,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::time::day_of;
    use chrono::NaiveDate;

    /// 2024-03-15 10:00 UTC, as a system clock would read it (not pinned).
    fn mid_march() -> AsOf {
        AsOf::at(
            NaiveDate::from_ymd_opt(2024, 3, 15)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc(),
        )
    }

    fn d(y: i32, m: u32, dd: u32) -> Day {
        day_of(NaiveDate::from_ymd_opt(y, m, dd).unwrap())
    }

    #[test]
    fn display_reads_back() {
        for s in [
            "all",
            "latest",
            "2024-02",
            "2024-02-03..2024-02-10",
            "today",
            "7d",
            "mtd",
        ] {
            assert_eq!(s.parse::<WindowSpec>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn parses_every_form() {
        assert_eq!("all".parse(), Ok(WindowSpec::All));
        assert_eq!("7d".parse(), Ok(WindowSpec::LastDays(7)));
        assert_eq!(
            "2024-02".parse(),
            Ok(WindowSpec::Range(d(2024, 2, 1), d(2024, 3, 1)))
        );
        assert_eq!(
            "2024-02-03..2024-02-10".parse(),
            Ok(WindowSpec::Range(d(2024, 2, 3), d(2024, 2, 10)))
        );
        assert!(
            "2024-02-10..2024-02-03"
                .parse::<WindowSpec>()
                .unwrap_err()
                .contains("after")
        );
        assert!("0d".parse::<WindowSpec>().is_err());
        assert!(
            "fortnight"
                .parse::<WindowSpec>()
                .unwrap_err()
                .contains("expected")
        );
    }

    #[test]
    fn resolves_relative_windows_against_today() {
        let today = mid_march();
        let r = |s: &str| {
            s.parse::<WindowSpec>()
                .unwrap()
                .resolve(today, None, None)
                .unwrap()
        };
        assert_eq!(
            r("today"),
            Window {
                start: d(2024, 3, 15),
                end: d(2024, 3, 16)
            }
        );
        assert_eq!(
            r("yesterday"),
            Window {
                start: d(2024, 3, 14),
                end: d(2024, 3, 15)
            }
        );
        assert_eq!(
            r("7d"),
            Window {
                start: d(2024, 3, 9),
                end: d(2024, 3, 16)
            }
        );
        assert_eq!(
            r("mtd"),
            Window {
                start: d(2024, 3, 1),
                end: d(2024, 3, 16)
            }
        );
        assert_eq!(
            r("last-month"),
            Window {
                start: d(2024, 2, 1),
                end: d(2024, 3, 1)
            }
        );
        assert_eq!(
            r("7d").previous(),
            Window {
                start: d(2024, 3, 2),
                end: d(2024, 3, 9)
            }
        );
    }

    #[test]
    fn latest_uses_the_billing_period_or_the_data() {
        let today = mid_march();
        let (start, end) = (d(2024, 1, 1), d(2024, 2, 1));
        assert_eq!(
            WindowSpec::Latest.resolve(today, Some((start, end)), None),
            Some(Window { start, end })
        );
        let data = Some((d(2023, 11, 1), d(2023, 11, 30)));
        assert_eq!(
            WindowSpec::Latest.resolve(today, None, data),
            Some(Window {
                start: d(2023, 11, 1),
                end: d(2023, 12, 1)
            })
        );
        assert_eq!(WindowSpec::Latest.resolve(today, None, None), None);
        assert_eq!(
            WindowSpec::All.resolve(today, None, data),
            Some(Window {
                start: d(2023, 11, 1),
                end: d(2023, 12, 1)
            })
        );
    }

    #[test]
    fn a_pinned_date_ends_every_window_on_it() {
        let as_of = AsOf::date(NaiveDate::from_ymd_opt(2024, 3, 15).unwrap());
        let cut = d(2024, 3, 16);
        // Periods January to April in the delivery: the latest that began by 15 March.
        assert_eq!(
            WindowSpec::Latest.resolve(as_of, Some((d(2024, 4, 1), d(2024, 5, 1))), None),
            Some(Window {
                start: d(2024, 3, 1),
                end: cut
            })
        );
        assert_eq!(
            WindowSpec::Latest.resolve(as_of, Some((d(2024, 2, 1), d(2024, 3, 1))), None),
            Some(Window {
                start: d(2024, 2, 1),
                end: d(2024, 3, 1)
            })
        );
        let data = Some((d(2024, 1, 1), d(2024, 4, 30)));
        assert_eq!(
            WindowSpec::All.resolve(as_of, None, data),
            Some(Window {
                start: d(2024, 1, 1),
                end: cut
            })
        );
        assert_eq!(
            WindowSpec::Range(d(2024, 3, 10), d(2024, 3, 20)).resolve(as_of, None, None),
            Some(Window {
                start: d(2024, 3, 10),
                end: cut
            })
        );
        // A range wholly after the date is empty, not reversed.
        let after = WindowSpec::Range(d(2024, 4, 1), d(2024, 4, 8))
            .resolve(as_of, None, None)
            .unwrap();
        assert_eq!(after.days(), 0);
        assert_eq!(
            WindowSpec::LastDays(7).resolve(as_of, None, None),
            Some(Window {
                start: d(2024, 3, 9),
                end: cut
            })
        );
    }

    #[test]
    fn the_default_window_holds_at_least_a_week_of_billed_days_on_every_test_date() {
        for date in crate::clock::test_dates() {
            let as_of = AsOf::date(date);
            let t = day_of(date);
            let open = (month_start(t), next_month_start(month_start(t)));
            let w = WindowSpec::Latest.resolve(as_of, Some(open), None).unwrap();
            // Billed days: those before today, whose bill is final.
            assert!(t - w.start >= MIN_BILLED_DAYS, "{date}: {w}");
            assert_eq!(w.end, t + 1, "{date}: ends on the pinned day");
            if t - month_start(t) >= MIN_BILLED_DAYS {
                assert_eq!(w.start, month_start(t), "{date}: the latest period alone");
            } else {
                assert_eq!(w.start, month_start(month_start(t) - 1), "{date}: {w}");
            }
            // The same from the data alone (no manifest: Athena-integration folders).
            let data = Some((month_start(t) - 40, t));
            let from_data = WindowSpec::Latest.resolve(as_of, None, data).unwrap();
            assert_eq!(from_data, w, "{date}");
        }
        // Unpinned, on the 1st: the previous month and the open one.
        let first = AsOf::at(
            NaiveDate::from_ymd_opt(2024, 3, 1)
                .unwrap()
                .and_hms_opt(6, 0, 0)
                .unwrap()
                .and_utc(),
        );
        assert_eq!(
            WindowSpec::Latest.resolve(first, Some((d(2024, 3, 1), d(2024, 4, 1))), None),
            Some(Window {
                start: d(2024, 2, 1),
                end: d(2024, 4, 1)
            })
        );
    }

    #[test]
    fn relative_windows_hold_on_every_test_date() {
        for date in crate::clock::test_dates() {
            let as_of = AsOf::date(date);
            let t = day_of(date);
            let mtd = WindowSpec::MonthToDate.resolve(as_of, None, None).unwrap();
            assert_eq!((mtd.start, mtd.end), (month_start(t), t + 1), "{date}");
            let last = WindowSpec::LastMonth.resolve(as_of, None, None).unwrap();
            assert_eq!(last.end, month_start(t), "{date}");
            assert_eq!(last.start, month_start(last.end - 1), "{date}");
            let week = WindowSpec::LastDays(7).resolve(as_of, None, None).unwrap();
            assert_eq!((week.days(), week.end), (7, t + 1), "{date}");
            assert_eq!(week.previous().end, week.start, "{date}");
        }
    }
}
