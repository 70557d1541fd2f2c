//! Anomalies: days on which a row leaves its recent range. The rule is robust to the spikes it
//! looks for: a day is flagged when it is further from the median of the previous
//! [`LOOKBACK`] billed days than [`K`] scaled MADs (median absolute deviation × 1.4826, the
//! standard deviation of normal data), with a floor of a tenth of the median and a cent so a
//! flat series does not flag every wobble. At least [`MIN_HISTORY`] billed days are needed
//! before a day can be judged; provisional days are never flagged (AWS has not finished
//! billing them, so a low one is expected).

use std::collections::BTreeMap;

use super::View;
use super::change::{Change, Parts};
use crate::cur::money::Money;
use crate::cur::time::Day;
use crate::facts::Facts;
use crate::window::Window;

/// Billed days a day is compared with.
pub const LOOKBACK: usize = 14;
/// Fewer billed days before it, and a day is not judged.
pub const MIN_HISTORY: usize = 7;
/// How many scaled MADs away is unusual, in thousandths (3 × 1.4826).
const K_MAD_MILLI: i128 = 4_448;

/// A flagged day of a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    pub day: Day,
    pub cost: Money,
    /// The median of the previous billed days, and how far from it counts as unusual.
    pub median: Money,
    pub threshold: Money,
    /// The day's change against the day before, told apart.
    pub parts: Parts,
}

/// Spans of at most this many days are summed in an array, longer ones in a map.
const DENSE_DAYS: i64 = 4096;

/// The row's cost per day over `indices` (both windows of the view's span). Drawn for the
/// selected row and each visible one on every frame, and the top level's rows hold every
/// fact: so summed by position in the span, not by looking a day up per fact.
pub fn daily(facts: &Facts, indices: &[u32], view: &View) -> BTreeMap<Day, Money> {
    let span = view.span();
    let rows = indices.iter().filter_map(|&i| facts.rows.get(i as usize));
    let len = i64::from(span.end) - i64::from(span.start);
    let mut days: BTreeMap<Day, Money> = BTreeMap::new();
    if !(0..=DENSE_DAYS).contains(&len) {
        for r in rows.filter(|r| span.contains(r.day)) {
            *days.entry(r.day).or_default() += r.costs[view.metric];
        }
        return days;
    }
    let mut sums: Vec<Option<Money>> = vec![None; usize::try_from(len).unwrap_or(0)];
    for r in rows {
        if let Some(slot) = usize::try_from(i64::from(r.day) - i64::from(span.start))
            .ok()
            .and_then(|k| sums.get_mut(k))
        {
            *slot = Some(slot.unwrap_or_default() + r.costs[view.metric]);
        }
    }
    days.extend(
        (span.start..span.end)
            .zip(sums)
            .filter_map(|(day, sum)| Some((day, sum?))),
    );
    days
}

fn median(sorted: &[i64]) -> i64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        i64::midpoint(sorted[n / 2 - 1], sorted[n / 2])
    }
}

/// The days of `series` in `window` that leave their recent range: (day, cost, median,
/// threshold). Days at or after `provisional_from` are never flagged.
pub fn unusual_days(
    series: &BTreeMap<Day, Money>,
    window: Window,
    provisional_from: Day,
) -> Vec<(Day, Money, Money, Money)> {
    let billed: Vec<(Day, Money)> = series
        .iter()
        .filter(|(_, m)| **m != Money::ZERO)
        .map(|(d, m)| (*d, *m))
        .collect();
    let mut out = Vec::new();
    for (at, &(day, cost)) in billed.iter().enumerate() {
        if !window.contains(day) || day >= provisional_from || at < MIN_HISTORY {
            continue;
        }
        let mut before: Vec<i64> = billed[at.saturating_sub(LOOKBACK)..at]
            .iter()
            .map(|(_, m)| m.0)
            .collect();
        before.sort_unstable();
        let m = median(&before);
        let mut dev: Vec<i64> = before.iter().map(|x| (x - m).abs()).collect();
        dev.sort_unstable();
        let mad = i128::from(median(&dev));
        let scaled = i64::try_from(mad * K_MAD_MILLI / 1000).unwrap_or(i64::MAX);
        let threshold = scaled.max(m.abs() / 10).max(10_000_000);
        if (cost.0 - m).abs() > threshold {
            out.push((day, cost, Money(m), Money(threshold)));
        }
    }
    out
}

/// The anomalies of a row (its fact rows `indices`), each decomposed against the day before.
pub fn anomalies(facts: &Facts, indices: &[u32], view: &View) -> Vec<Anomaly> {
    let series = daily(facts, indices, view);
    unusual_days(&series, view.window, view.provisional_from)
        .into_iter()
        .map(|(day, cost, median, threshold)| {
            let day_view = View {
                window: Window {
                    start: day,
                    end: day + 1,
                },
                ..*view
            };
            let change = Change::of_rows(facts, indices, &day_view);
            Anomaly {
                day,
                cost,
                median,
                threshold,
                parts: change.parts(facts, indices),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[i64]) -> BTreeMap<Day, Money> {
        values
            .iter()
            .enumerate()
            .map(|(d, v)| (d as Day, Money(v * 1_000_000_000)))
            .collect()
    }

    const ALL: Window = Window { start: 0, end: 100 };

    #[test]
    fn a_known_spike_is_flagged_and_nothing_else() {
        // Three weeks of $100 ± $3, a $160 day on day 17, then back to normal.
        let mut v: Vec<i64> = (0..21)
            .map(|d| 100 + [0, 3, -2, 1, -3, 2, -1][d % 7])
            .collect();
        v[17] = 160;
        let flagged = unusual_days(&series(&v), ALL, 100);
        assert_eq!(flagged.len(), 1, "{flagged:?}");
        let (day, cost, median, threshold) = flagged[0];
        assert_eq!((day, cost), (17, Money(160_000_000_000)));
        assert_eq!(median, Money(100_000_000_000));
        assert!(threshold < Money(60_000_000_000));
        // A drop is as unusual as a rise.
        v[17] = 40;
        assert_eq!(unusual_days(&series(&v), ALL, 100).len(), 1);
    }

    #[test]
    fn provisional_days_and_days_without_history_are_never_flagged() {
        let mut v: Vec<i64> = vec![100; 21];
        v[20] = 10; // the last day, still being billed
        v[3] = 500; // too early to judge
        assert!(unusual_days(&series(&v), ALL, 20).is_empty());
        assert_eq!(
            unusual_days(&series(&v), ALL, 21).len(),
            1,
            "judged once billed"
        );
    }

    #[test]
    fn a_flat_series_does_not_flag_small_wobbles() {
        let mut v: Vec<i64> = vec![100; 21];
        v[15] = 105;
        assert!(unusual_days(&series(&v), ALL, 100).is_empty());
    }
}
