//! `curtop budget`: each budget's spend this month and its month-end forecast (the 7-day run
//! rate, `alloc::budget`), amortized and with the profile's sharing rules applied, for cron. Exit codes: 0 every budget within, 1 one is forecast to
//! exceed, 2 one is already exceeded (or the command could not run).

use clap::Args;

use super::{SourceArgs, emit, resolve_profile};
use crate::alloc::{budget, forecast};
use crate::app::resolve_view;
use crate::config::budget::Budget;
use crate::config::{Config, Profile};
use crate::cur::metrics::Metric;
use crate::cur::money::Unit;
use crate::cur::time::Day;
use crate::facts::Facts;
use crate::source;
use crate::window::WindowSpec;

#[derive(Debug, Args)]
pub(super) struct BudgetArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Every profile of the config (default: the default profile).
    #[arg(long, conflicts_with_all = ["profile", "cur"])]
    all: bool,
}

pub(super) fn run(a: &BudgetArgs) -> i32 {
    let profiles: Vec<Profile> = if a.all {
        match Config::discover(a.source.config.as_deref()) {
            Ok(Some(c)) => c.profiles,
            Ok(None) => Config::demo().profiles,
            Err(e) => {
                eprintln!("curtop: {e}");
                return 2;
            }
        }
    } else {
        match resolve_profile(&a.source) {
            Ok(p) => vec![p],
            Err(e) => {
                eprintln!("curtop: {e}");
                return 2;
            }
        }
    };
    if profiles.iter().all(|p| p.budgets.is_empty()) {
        eprintln!(
            "curtop budget: no budgets; add [profiles.NAME.budgets] (see config/example.toml)"
        );
        return 0;
    }
    let as_of = a.source.clock().now();
    let mut worst = budget::State::Within;
    for p in profiles.iter().filter(|p| !p.budgets.is_empty()) {
        let req = source::ReadRequest::new(p, WindowSpec::MonthToDate, as_of);
        let loaded = match source::load(&req) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("curtop: profile `{}`: {e}", p.name);
                return 2;
            }
        };
        let Some(view) = resolve_view(
            WindowSpec::MonthToDate,
            as_of,
            &loaded.delivery,
            &loaded.facts,
            Metric::Amortized,
        ) else {
            eprintln!("curtop: profile `{}`: no days this month", p.name);
            return 2;
        };
        // Teams are charged what the sharing rules give them, as the dashboard shows; a
        // budget whose rows are in several currencies would add them, so it is not checked.
        let budgets: Vec<Budget> = p
            .budgets
            .iter()
            .filter(|b| {
                let currencies =
                    currencies_of(&loaded.facts, b, view.window.start, view.window.end);
                if currencies.len() > 1 {
                    eprintln!(
                        "curtop: profile `{}`: budget {}: its cost is in {}, which are never \
                         added together: not checked",
                        p.name,
                        b.key(),
                        currencies.join(", ")
                    );
                }
                currencies.len() <= 1
            })
            .cloned()
            .collect();
        for s in budget::standings(loaded.shown(true), &budgets, &view) {
            worst = worst.max(s.state);
            // In the budget's currency (the one its rows are in).
            let currency =
                currencies_of(&loaded.facts, &s.budget, view.window.start, view.window.end);
            let unit = Unit::of(currency.first().map_or("", String::as_str), false);
            emit(&format!(
                "{} {}: spent {} of {} ({:.0}%), forecast {} ({}-day run rate): {}\n",
                p.name,
                s.budget.key(),
                s.spent.display_in(unit),
                s.budget.monthly.display_in(unit),
                s.spent_pct(),
                s.projected.display_in(unit),
                forecast::RUN_RATE_DAYS,
                s.state.word(),
            ));
        }
    }
    worst as i32
}

/// The currencies of a budget's rows over `[start, end)` (one for a bill in one currency).
fn currencies_of(facts: &Facts, b: &Budget, start: Day, end: Day) -> Vec<String> {
    let dim = b.scope.dim();
    let mut out: Vec<String> = Vec::new();
    for r in &facts.rows {
        if r.day >= start && r.day < end && facts.text(r, dim) == b.name {
            let c = facts.text(r, crate::facts::Dim::Currency);
            if !out.iter().any(|have| have == c) {
                out.push(c.to_string());
            }
        }
    }
    out.sort();
    out
}
