//! Budgets against the bill: what each budget's cluster, namespace or environment spent in a
//! month-to-date view and its month-end forecast (the run rate of [`forecast`]). One
//! evaluation serves `curtop budget` and the dashboard's rows, so both say the same.

use std::collections::BTreeMap;

use super::{Step, View, forecast};
use crate::config::budget::{Budget, BudgetScope};
use crate::cur::money::Money;
use crate::cur::time::{Day, month_start, next_month_start};
use crate::facts::{Facts, NONE, Sym};

/// Where a budget stands; ordered from best to worst (the worst of several is `budget`'s exit
/// code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Within = 0,
    ForecastToExceed = 1,
    Exceeded = 2,
}

impl State {
    /// `within`, `forecast to exceed`, `EXCEEDED`.
    pub fn word(self) -> &'static str {
        match self {
            State::Within => "within",
            State::ForecastToExceed => "forecast to exceed",
            State::Exceeded => "EXCEEDED",
        }
    }
}

/// One budget's month so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub budget: Budget,
    /// What its scope cost in the view's window, provisional days included.
    pub spent: Money,
    /// The month-end forecast (spent when there is no complete day yet).
    pub projected: Money,
    pub state: State,
}

impl Standing {
    /// Spent as a percentage of the budget.
    pub fn spent_pct(&self) -> f64 {
        pct(self.spent, self.budget.monthly)
    }

    /// Forecast as a percentage of the budget.
    pub fn projected_pct(&self) -> f64 {
        pct(self.projected, self.budget.monthly)
    }
}

fn pct(m: Money, of: Money) -> f64 {
    if of == Money::ZERO {
        0.0
    } else {
        m.dollars() / of.dollars() * 100.0
    }
}

/// Every budget's standing in a `view` of `facts` from the 1st of a month to at most its
/// end (one pass over the facts); empty for any other view, since a budget is monthly.
pub fn standings(facts: &Facts, budgets: &[Budget], view: &View) -> Vec<Standing> {
    let start = view.window.start;
    if budgets.is_empty()
        || month_start(start) != start
        || view.window.end > next_month_start(start)
    {
        return Vec::new();
    }
    // A budget naming something the bill does not hold spends nothing.
    let keys: Vec<Option<Sym>> = budgets
        .iter()
        .map(|b| facts.strings.lookup(&b.name).filter(|s| *s != NONE))
        .collect();
    let mut daily: Vec<BTreeMap<Day, Money>> = vec![BTreeMap::new(); budgets.len()];
    for r in &facts.rows {
        if !view.window.contains(r.day) {
            continue;
        }
        for ((b, key), days) in budgets.iter().zip(&keys).zip(&mut daily) {
            if key.is_some_and(|k| r.dim(b.scope.dim()) == k) {
                *days.entry(r.day).or_default() += r.costs[view.metric];
            }
        }
    }
    budgets
        .iter()
        .zip(daily)
        .map(|(b, days)| {
            let spent: Money = days.values().copied().sum();
            let projected = forecast::forecast(&days, view).map_or(spent, |f| f.projected);
            let state = if spent > b.monthly {
                State::Exceeded
            } else if projected > b.monthly {
                State::ForecastToExceed
            } else {
                State::Within
            };
            Standing {
                budget: b.clone(),
                spent,
                projected,
                state,
            }
        })
        .collect()
}

/// The standing of the budget a row of the tree is (a cluster, namespace or environment row
/// whose name a budget names).
pub fn of_step<'a>(standings: &'a [Standing], facts: &Facts, step: Step) -> Option<&'a Standing> {
    let (scope, sym) = match step {
        Step::Cluster(s) => (BudgetScope::Cluster, s),
        Step::Namespace(s) => (BudgetScope::Namespace, s),
        Step::Env(s) => (BudgetScope::Env, s),
        _ => return None,
    };
    if sym == NONE {
        return None;
    }
    let name = facts.strings.get(sym);
    standings
        .iter()
        .find(|s| s.budget.scope == scope && s.budget.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::LevelKind;
    use crate::cur::metrics::Metric;
    use crate::cur::time::day_of;
    use crate::window::Window;

    fn day(d: u32) -> Day {
        day_of(chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap())
    }

    #[test]
    fn budgets_stand_within_forecast_to_exceed_or_exceeded() {
        let facts = super::super::tests::demo_facts(7, 45);
        let view = View {
            window: Window {
                start: day(1),
                end: day(16),
            },
            metric: Metric::Amortized,
            provisional_from: day(13),
            top: LevelKind::Clusters,
        };
        let cluster = |monthly: i64| Budget {
            scope: BudgetScope::Cluster,
            name: "prod-use1".into(),
            monthly: Money(monthly * 1_000_000_000),
        };
        let spent: Money = facts
            .rows
            .iter()
            .filter(|r| {
                view.window.contains(r.day)
                    && facts.text(r, crate::facts::Dim::Cluster) == "prod-use1"
            })
            .map(|r| r.costs[Metric::Amortized])
            .sum();
        let s = standings(&facts, &[cluster(1_000_000)], &view);
        assert_eq!(s[0].spent, spent, "the cluster's rows in the window");
        assert!(s[0].projected > s[0].spent, "half the month is left");
        assert_eq!(s[0].state, State::Within);
        let between = i64::midpoint(s[0].spent.0, s[0].projected.0) / 1_000_000_000;
        assert_eq!(
            standings(&facts, &[cluster(between)], &view)[0].state,
            State::ForecastToExceed
        );
        assert_eq!(
            standings(&facts, &[cluster(1)], &view)[0].state,
            State::Exceeded
        );
        // A name the bill does not hold spends nothing; a whole month has nothing to forecast;
        // a window not starting on the 1st is no month of a budget.
        let ghost = Budget {
            name: "no-such-cluster".into(),
            ..cluster(10)
        };
        assert_eq!(standings(&facts, &[ghost], &view)[0].spent, Money::ZERO);
        let whole = View {
            window: Window {
                start: day(1),
                end: day(1) + 31,
            },
            ..view
        };
        let month = standings(&facts, &[cluster(1_000_000)], &whole);
        assert_eq!(month[0].projected, month[0].spent);
        let week = View {
            window: Window {
                start: day(8),
                end: day(15),
            },
            ..view
        };
        assert!(standings(&facts, &[cluster(10)], &week).is_empty());
        // The cluster's row finds its budget; another cluster's does not.
        let prod = facts.strings.lookup("prod-use1").unwrap();
        assert!(of_step(&s, &facts, Step::Cluster(prod)).is_some());
        assert!(of_step(&s, &facts, Step::Namespace(prod)).is_none());
    }
}
