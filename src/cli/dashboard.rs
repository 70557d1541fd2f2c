//! The dashboard (`curtop` with no command). Argument and config errors are printed before the
//! terminal is touched.

use clap::Args;

use super::{
    CacheArgs, ReportOnly, SourceArgs, ViewArgs, discover_config, no_profile, resolve_profile,
};
use crate::config::Config;

#[derive(Debug, Args, Default)]
pub(super) struct DashboardArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    pub(super) view: ViewArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// No colours (also when `NO_COLOR` is set): reverse video and markers only.
    #[arg(long, alias = "no-colour")]
    pub(super) no_color: bool,
    /// No box-drawing, block or arrow glyphs.
    #[arg(long)]
    pub(super) ascii: bool,
    #[command(flatten)]
    report_only: ReportOnly,
    #[arg(short = 'o', long = "output", hide = true, value_name = "F")]
    output: Option<String>,
}

/// The dashboard's config: `--cur` as a one-profile config, else the discovered file, else the
/// built-in demo; and the index of the profile to show first.
fn dashboard_config(d: &SourceArgs) -> Result<(Config, usize), String> {
    if d.cur.is_some() {
        let profile = resolve_profile(d)?;
        let mut config = Config::demo();
        config.default_profile.clone_from(&profile.name);
        config.profiles = vec![profile];
        return Ok((config, 0));
    }
    let config = discover_config(d)?;
    let name = d.profile.as_deref().unwrap_or(&config.default_profile);
    match config.profiles.iter().position(|p| p.name == name) {
        Some(i) => Ok((config, i)),
        None => Err(no_profile(&config, name)),
    }
}

pub(super) fn run(a: &DashboardArgs) -> i32 {
    if a.report_only.given() || a.output.is_some() {
        eprintln!("curtop: --by, -o and --explain belong to `curtop report`");
        return 2;
    }
    let (config, active) = match dashboard_config(&a.source) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("curtop: {}", crate::untrusted::message(&e));
            return 2;
        }
    };
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        eprintln!(
            "curtop: the dashboard needs a terminal; for scripts use `curtop report` (see `curtop help`)"
        );
        return 2;
    }
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let display = crate::app::DrawMode {
        color: !(a.no_color || no_color_env),
        ascii: a.ascii,
    };
    let clock = a.source.clock();
    let mut app = crate::app::App::new(config, active, clock.now(), display);
    app.window = a.view.window;
    app.cache = a.cache.cache();
    if let Some(m) = a.view.metric {
        app.metric = m.into();
    }
    // A panic of the dashboard itself was logged (not drawn over the screen) and the terminal
    // restored on the way out: say where the log is.
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::runtime::run(app, clock)
    }));
    let Ok(result) = run else {
        eprintln!(
            "curtop: internal error (a bug in curtop); details and backtrace in {}",
            crate::panics::dashboard_log_path().display()
        );
        return 101;
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("curtop: terminal error: {e}");
            1
        }
    }
}
