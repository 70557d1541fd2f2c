//! The command line (clap): the dashboard (no command), `report`, `doctor`, `demo-data`,
//! `completions` and `man`, one file each. Errors in the arguments or the config are printed
//! with what to do and exit with code 2; a source that cannot be read exits with 1.

mod budget;
mod cache;
mod dashboard;
mod demo_data;
mod doctor;
mod report;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::clock::{Clock, parse_as_of};
use crate::config::{Config, EnvRules, Profile, SourceSpec, TagMapping};
use crate::cur::metrics::Metric;
use crate::window::WindowSpec;

/// curtop — where the AWS bill goes inside your Kubernetes clusters.
///
/// Without a command: the dashboard (the default profile, or the built-in demo). Exit codes:
/// 0 ok, 1 the data could not be read, 2 bad arguments or config (`doctor`: 1 warnings only,
/// 2 a check failed).
#[derive(Debug, Parser)]
#[command(name = "curtop", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    dashboard: dashboard::DashboardArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Costs grouped by dimensions, as a table, CSV or JSON.
    Report(report::ReportArgs),
    /// Check integrations in order, with evidence and fixes.
    Doctor(doctor::DoctorArgs),
    /// Each budget's spend and month-end forecast; exit 0 within, 1 forecast to exceed, 2 exceeded.
    Budget(budget::BudgetArgs),
    /// Write a generated CUR delivery (any layout) with its truth to a folder.
    DemoData(demo_data::DemoDataArgs),
    /// What the facts cache holds (profile, period, version, size, age); `cache clear` empties it.
    Cache(cache::CacheArgs),
    /// Print a shell completion script (e.g. `curtop completions bash > /etc/bash_completion.d/curtop`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `curtop man | man -l -`.
    Man,
}

/// Where the data comes from, and when: shared by the commands that read a profile.
#[derive(Debug, Args, Default)]
struct SourceArgs {
    /// Config file (default: `$CURTOP_CONFIG`, else curtop/config.toml in the user config
    /// directory; without one, the built-in demo profile).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// A profile of the config file (default: its default-profile).
    #[arg(long, value_name = "NAME", conflicts_with = "cur")]
    profile: Option<String>,
    /// Ad hoc: a local CUR delivery folder (or any parent), one CUR file (.csv, .csv.gz,
    /// .csv.zip, .parquet), or `s3://bucket/prefix/report`.
    #[arg(long, value_name = "PATH", value_parser = non_empty_path())]
    cur: Option<PathBuf>,
    /// As if it were DATE (YYYY-MM-DD, or an RFC 3339 time): the bill as it stood then;
    /// relative windows end on it and later days are left out.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    as_of: Option<DateTime<Utc>>,
}

impl SourceArgs {
    /// The clock the command runs by: the system's, or one moved to `--as-of`.
    fn clock(&self) -> Clock {
        self.as_of.map_or_else(Clock::system, Clock::starting_at)
    }
}

/// How a read uses the facts cache (`$XDG_CACHE_HOME/curtop`, `~/.cache/curtop`).
#[derive(Debug, Args, Default)]
struct CacheArgs {
    /// Never contact the source: show what the cache holds, with its age.
    #[arg(long, conflicts_with = "refresh")]
    offline: bool,
    /// Read every period from the source again, ignoring (and then replacing) the cache.
    #[arg(long, conflicts_with = "no_cache")]
    refresh: bool,
    /// Neither read nor write the cache: the source alone, nothing kept on disk.
    #[arg(long, conflicts_with = "offline")]
    no_cache: bool,
}

impl CacheArgs {
    /// The user's cache and how to use it; `None` when the system has no cache folder.
    fn cache(&self) -> Option<(crate::cache::Cache, crate::cache::CacheMode)> {
        use crate::cache::CacheMode;
        if self.no_cache {
            return None;
        }
        let mode = if self.offline {
            CacheMode::Offline
        } else if self.refresh {
            CacheMode::Refresh
        } else {
            CacheMode::Use
        };
        Some((crate::cache::Cache::user()?, mode))
    }
}

/// The window and metric of what is shown.
#[derive(Debug, Args, Default)]
struct ViewArgs {
    /// all, latest (default: the latest billing period), YYYY-MM, YYYY-MM-DD..YYYY-MM-DD (end
    /// exclusive), today, yesterday, 7d, 30d, Nd, mtd, last-month.
    #[arg(long, value_name = "W", default_value = "latest", value_parser = parse_window)]
    window: WindowSpec,
    /// The cost metric (default amortized).
    #[arg(long, value_enum, value_name = "M")]
    metric: Option<MetricArg>,
}

fn parse_window(s: &str) -> Result<WindowSpec, String> {
    s.parse()
}

/// `--metric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MetricArg {
    /// Amortized: reservations and savings plans spread over the usage they cover.
    #[value(alias = "amortised")]
    Amortized,
    /// Unblended: what each line item was charged.
    Unblended,
    /// Net amortized: after discounts.
    #[value(alias = "net-amortized")]
    Net,
    /// On-demand (list) price.
    #[value(alias = "ondemand", alias = "list")]
    OnDemand,
}

impl From<MetricArg> for Metric {
    fn from(m: MetricArg) -> Metric {
        match m {
            MetricArg::Amortized => Metric::Amortized,
            MetricArg::Unblended => Metric::Unblended,
            MetricArg::Net => Metric::Net,
            MetricArg::OnDemand => Metric::OnDemand,
        }
    }
}

/// Flags that belong to `report` only, accepted (hidden) elsewhere to say so.
#[derive(Debug, Args, Default)]
struct ReportOnly {
    #[arg(long, hide = true, value_name = "DIMS")]
    by: Option<String>,
    #[arg(long, hide = true)]
    explain: bool,
}

impl ReportOnly {
    fn given(&self) -> bool {
        self.by.is_some() || self.explain
    }
}

/// A path that is not empty (`--cur ""` is a usage error, exit 2).
fn non_empty_path() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser;
    clap::builder::OsStringValueParser::new().try_map(|s| {
        if s.is_empty() {
            Err("the path is empty")
        } else {
            Ok(PathBuf::from(s))
        }
    })
}

/// Runs the command line; returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let argv = std::iter::once(OsString::from("curtop")).chain(args);
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match cli.command {
        None => dashboard::run(&cli.dashboard),
        Some(Command::Report(a)) => report::run(&a),
        Some(Command::Doctor(a)) => doctor::run(&a),
        Some(Command::Budget(a)) => budget::run(&a),
        Some(Command::DemoData(a)) => demo_data::run(&a),
        Some(Command::Cache(a)) => cache::run(&a),
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "curtop", &mut out);
            emit(&String::from_utf8_lossy(&out));
            0
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => {
                    emit(&String::from_utf8_lossy(&out));
                    0
                }
                Err(e) => {
                    eprintln!("curtop man: {e}");
                    1
                }
            }
        }
    }
}

/// The profile the options name: `--cur` ad hoc, else the config's, else the built-in demo.
fn resolve_profile(d: &SourceArgs) -> Result<Profile, String> {
    if let Some(path) = &d.cur {
        let text = path.to_string_lossy();
        let source = if text.starts_with("s3://") {
            SourceSpec::S3(crate::config::S3Spec::parse_url(&text)?)
        } else {
            SourceSpec::Local { path: path.clone() }
        };
        return Ok(Profile {
            name: "cur".into(),
            source,
            tags: TagMapping::default(),
            env: EnvRules::default(),
            budgets: Vec::new(),
            sharing: crate::config::Sharing::default(),
        });
    }
    let config = discover_config(d)?;
    match &d.profile {
        Some(name) => config
            .profile(name)
            .cloned()
            .ok_or_else(|| no_profile(&config, name)),
        None => Ok(config.default_profile().clone()),
    }
}

/// The config file the options name, or the built-in demo config.
fn discover_config(d: &SourceArgs) -> Result<Config, String> {
    Ok(Config::discover(d.config.as_deref())
        .map_err(|e| e.to_string())?
        .unwrap_or_else(Config::demo))
}

fn no_profile(config: &Config, name: &str) -> String {
    let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
    format!(
        "no profile `{name}` in {}; profiles: {}",
        config_origin(config),
        names.join(", ")
    )
}

fn config_origin(c: &Config) -> String {
    c.path.as_ref().map_or_else(
        || "the built-in demo config".into(),
        |p| p.display().to_string(),
    )
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
/// JSON on stdout, pretty, its hostile characters escaped when stdout is a terminal.
fn emit_json<T: serde::Serialize>(value: &T) {
    let json = format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        emit(&crate::untrusted::json_for_terminal(&json));
    } else {
        emit(&json);
    }
}

fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Dimension, Format};

    fn parse(s: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("curtop").chain(s.split_whitespace()))
    }

    fn report(s: &str) -> report::ReportArgs {
        match parse(s).unwrap().command {
            Some(Command::Report(a)) => a,
            other => panic!("not report: {other:?}"),
        }
    }

    #[test]
    fn parses_report_options_in_both_spellings() {
        let d = report("report --window 7d --metric=net --by cluster,tag:team -o json");
        assert_eq!(d.view.window, WindowSpec::LastDays(7));
        assert_eq!(d.view.metric.map(Metric::from), Some(Metric::Net));
        assert_eq!(
            d.by.map(|b| b.0),
            Some(vec![Dimension::Cluster, Dimension::Tag("team".into())])
        );
        assert_eq!(d.output.map(Format::from), Some(Format::Json));
        let d = report("report --window=all --metric list --output=csv");
        assert_eq!(d.view.window, WindowSpec::All);
        assert_eq!(d.view.metric.map(Metric::from), Some(Metric::OnDemand));
        assert_eq!(d.output.map(Format::from), Some(Format::Csv));
    }

    #[test]
    fn rejects_bad_options_with_a_reason() {
        let err = |s: &str| parse(s).unwrap_err().to_string();
        assert!(err("report --window").contains("a value is required"));
        assert!(err("report --bogus 1").contains("unexpected argument '--bogus'"));
        assert!(err("report --by planet").contains("unknown dimension"));
        assert!(err("report --cur x --profile y").contains("cannot be used with"));
        assert!(err("report --as-of friday").contains("--as-of `friday`"));
        assert!(err("reprot").contains("tip: a similar subcommand exists: 'report'"));
        assert_eq!(run(vec!["nope".into()]), 2);
        let help = parse("report --help").unwrap_err();
        assert_eq!(
            (help.kind(), help.exit_code()),
            (clap::error::ErrorKind::DisplayHelp, 0)
        );
    }

    #[test]
    fn the_dashboard_takes_its_options_without_a_command() {
        let cli = parse("--metric on-demand --window mtd --no-colour --ascii").unwrap();
        assert!(cli.command.is_none());
        assert_eq!(
            cli.dashboard.view.metric.map(Metric::from),
            Some(Metric::OnDemand)
        );
        assert_eq!(cli.dashboard.view.window, WindowSpec::MonthToDate);
        assert!(cli.dashboard.no_color && cli.dashboard.ascii);
        // Dashboard options are not mixed with a command.
        assert!(parse("--ascii report").is_err());
    }

    #[test]
    fn completions_and_the_man_page_generate() {
        for shell in ["bash", "zsh", "fish"] {
            let cli = parse(&format!("completions {shell}")).unwrap();
            let Some(Command::Completions { shell }) = cli.command else {
                panic!("not completions");
            };
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "curtop", &mut out);
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("demo-data"), "{shell}: {text}");
            assert!(text.contains("as-of"), "{shell}: {text}");
        }
        let mut out = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .unwrap();
        let man = String::from_utf8(out).unwrap();
        assert!(man.contains(".TH curtop"), "{man}");
    }
}
