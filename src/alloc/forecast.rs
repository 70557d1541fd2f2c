//! Month-end forecast for a month-to-date window: what a row (or the bill) will have cost by
//! the end of the month if it keeps spending at the run rate of its last [`RUN_RATE_DAYS`]
//! complete days. Provisional days are not complete (AWS is still billing them): they count
//! neither in the run rate nor as spent; the days from the first provisional one to the end of
//! the month are projected at the run rate.

use std::collections::BTreeMap;

use super::View;
use crate::cur::money::Money;
use crate::cur::time::{Day, month_start, next_month_start};

/// Complete days the run rate is the mean of.
pub const RUN_RATE_DAYS: Day = 7;

/// A projected month total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forecast {
    /// Spent on the complete days so far.
    pub spent: Money,
    /// Per day, over the last complete days.
    pub run_rate: Money,
    /// `spent` + `run_rate` × the days left.
    pub projected: Money,
    /// The first day after the month.
    pub month_end: Day,
}

/// Whether the view is month to date: it starts on the 1st and ends before the month does.
pub fn month_to_date(view: &View) -> Option<Day> {
    let start = view.window.start;
    let end = next_month_start(start);
    (month_start(start) == start && view.window.end < end).then_some(end)
}

/// The forecast of a daily series for a month-to-date view; `None` for other views or before
/// the first complete day.
pub fn forecast(daily: &BTreeMap<Day, Money>, view: &View) -> Option<Forecast> {
    let month_end = month_to_date(view)?;
    let start = view.window.start;
    let complete_end = view.window.end.min(view.provisional_from);
    if complete_end <= start {
        return None;
    }
    let rate_start = (complete_end - RUN_RATE_DAYS).max(start);
    let sum = |a: Day, b: Day| -> Money { daily.range(a..b).map(|(_, m)| *m).sum() };
    let spent = sum(start, complete_end);
    let recent = sum(rate_start, complete_end);
    let days = i64::from(complete_end - rate_start);
    let run_rate = Money(recent.0 / days);
    let left = i64::from(month_end - complete_end);
    // Scaled from the sum, not the rounded rate, so the projection loses no nano-dollars.
    let projected = spent
        + Money(
            i64::try_from(i128::from(recent.0) * i128::from(left) / i128::from(days))
                .unwrap_or(i64::MAX),
        );
    Some(Forecast {
        spent,
        run_rate,
        projected,
        month_end,
    })
}

/// The forecast of a row of a month-to-date view from its sparkline series, which there holds
/// one bucket per day of the window (so the table needs no pass over the facts per row).
pub fn of_series(series: &[Money], view: &View) -> Option<Forecast> {
    month_to_date(view)?;
    if i64::try_from(series.len()).ok() != Some(i64::from(view.window.days())) {
        return None;
    }
    let daily: BTreeMap<Day, Money> = (view.window.start..view.window.end)
        .zip(series.iter().copied())
        .collect();
    forecast(&daily, view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::metrics::Metric;
    use crate::cur::time::day_of;
    use crate::window::Window;

    fn day(d: u32) -> Day {
        day_of(chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap())
    }

    #[test]
    fn month_to_date_projects_the_last_seven_complete_days() {
        // March 1..=15 billed, 14 and 15 provisional: $10/day, then $20/day from the 7th.
        let daily: BTreeMap<Day, Money> = (1..=15)
            .map(|d| (day(d), Money(if d < 7 { 10 } else { 20 } * 1_000_000_000)))
            .collect();
        let view = View {
            window: Window {
                start: day(1),
                end: day(16),
            },
            metric: Metric::Amortized,
            provisional_from: day(14),
            top: crate::alloc::LevelKind::Clusters,
        };
        let f = forecast(&daily, &view).unwrap();
        assert_eq!(f.spent, Money(200 * 1_000_000_000), "6 × $10 + 7 × $20");
        assert_eq!(f.run_rate, Money(20 * 1_000_000_000));
        assert_eq!(
            f.projected,
            Money((200 + 18 * 20) * 1_000_000_000),
            "18 days left at $20"
        );
        assert_eq!(f.month_end, day(1) + 31);
        // The table's way, from a row's series of one bucket per day, says the same.
        let series: Vec<Money> = daily.values().copied().collect();
        assert_eq!(of_series(&series, &view), Some(f));
        assert_eq!(
            of_series(&series[1..], &view),
            None,
            "not one bucket per day"
        );
        // A whole month, or a window not starting on the 1st, has no forecast.
        let whole = View {
            window: Window {
                start: day(1),
                end: day(1) + 31,
            },
            ..view
        };
        assert_eq!(forecast(&daily, &whole), None);
        let week = View {
            window: Window {
                start: day(8),
                end: day(15),
            },
            ..view
        };
        assert_eq!(forecast(&daily, &week), None);
    }
}
