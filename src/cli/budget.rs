//! `curtop budget`: each budget's spend this month and its month-end forecast (the 7-day run
//! rate, `alloc::budget`), amortized and with the profile's sharing rules applied, for cron. Exit codes: 0 every budget within, 1 one is forecast to
//! exceed, 2 one is already exceeded (or the command could not run).

use clap::Args;

use super::{SourceArgs, emit, resolve_profile};
use crate::alloc::{budget, forecast};
use crate::app::resolve_view;
use crate::config::{Config, Profile};
use crate::cur::metrics::Metric;
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
        // Teams are charged what the sharing rules give them, as the dashboard shows.
        for s in budget::standings(loaded.shown(true), &p.budgets, &view) {
            worst = worst.max(s.state);
            emit(&format!(
                "{} {}: spent {} of {} ({:.0}%), forecast {} ({}-day run rate): {}\n",
                p.name,
                s.budget.key(),
                s.spent,
                s.budget.monthly,
                s.spent_pct(),
                s.projected,
                forecast::RUN_RATE_DAYS,
                s.state.word(),
            ));
        }
    }
    worst as i32
}
