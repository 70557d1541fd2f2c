//! `curtop report`: the facts of a profile grouped by dimensions, as a table, CSV, JSON or
//! markdown; `--compare` adds the previous window and the Δ's parts; warnings on stderr;
//! `--explain` prints an Athena profile's SQL.

use std::io::Write;

use clap::{Args, ValueEnum};

use super::{CacheArgs, SourceArgs, ViewArgs, resolve_profile};
use crate::app::{fetch_span, resolve_view};
use crate::config::SourceSpec;
use crate::cur::metrics::Metric;
use crate::report::{self, Dimension, Format};
use crate::source::{self, Loaded};
use crate::untrusted;

#[derive(Debug, Args)]
pub(super) struct ReportArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    pub(super) view: ViewArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// Comma list of cluster, namespace, workload, workload-kind, pod, container, node,
    /// category, service, usage-type, account, resource, day, env, provider, currency,
    /// label:NAME, tag:KEY (default: cluster).
    #[arg(long, value_name = "DIMS", value_parser = parse_dims)]
    pub(super) by: Option<Dims>,
    /// Output format (default table).
    #[arg(short = 'o', long, value_enum, value_name = "F")]
    pub(super) output: Option<FormatArg>,
    /// Compare with the previous window of equal length: previous cost, delta, and the
    /// delta's parts (usage, rate, new, gone, other, capacity, use); rows by largest |delta|.
    #[arg(long)]
    pub(super) compare: bool,
    /// Athena profiles: print the SQL the report would run (reads only the table's columns),
    /// and run nothing.
    #[arg(long)]
    explain: bool,
    /// The bill before the profile's sharing rules (idle, shared namespaces, cost rules).
    #[arg(long)]
    no_sharing: bool,
}

/// `--by`: one value holding the list (clap would take a `Vec` for repeated values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Dims(pub(super) Vec<Dimension>);

fn parse_dims(s: &str) -> Result<Dims, String> {
    Dimension::parse_list(s).map(Dims)
}

/// `report -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum FormatArg {
    Table,
    Csv,
    Json,
    Markdown,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
        }
    }
}

pub(super) fn run(a: &ReportArgs) -> i32 {
    let profile = match resolve_profile(&a.source) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("curtop: {}", untrusted::message(&e));
            return 2;
        }
    };
    let dims =
        a.by.clone()
            .map_or_else(|| vec![Dimension::Cluster], |d| d.0);
    let extra: Vec<String> = dims
        .iter()
        .filter_map(|x| match x {
            Dimension::Tag(k) => Some(k.clone()),
            _ => None,
        })
        .collect();
    let window = a.view.window;
    let clock = a.source.clock();
    let as_of = clock.now();
    // A comparison reads the previous window too, as the dashboard does for its Δ.
    let read = if a.compare {
        fetch_span(window, as_of)
    } else {
        window
    };
    let cache = a.cache.cache();
    let mut req = source::ReadRequest::new(&profile, read, as_of).with_tags(&extra);
    if let Some((cache, mode)) = &cache {
        req = req.with_cache(cache, *mode);
    }
    if a.explain {
        return match source::explain(&req) {
            Ok(sql) => {
                println!("{sql};");
                0
            }
            Err(e) => {
                eprintln!("curtop report --explain: {}", untrusted::message(&e));
                1
            }
        };
    }
    let loaded = match source::load(&req) {
        Ok(l) => l,
        Err(e) => return failed(&profile.name, &e),
    };
    // Warnings first: they may say why nothing was read (a manifest naming no parts).
    warn(
        &profile.name,
        &profile.source,
        &loaded,
        &dims,
        !a.no_sharing,
    );
    if loaded.facts.quality.rows_read == 0 && !loaded.delivery.periods.is_empty() {
        // The window misses every billing period the delivery holds: say what it does hold.
        let spans: Vec<String> = loaded
            .delivery
            .periods
            .iter()
            .filter_map(|p| p.span)
            .map(|(s, e)| {
                format!(
                    "{}..{}",
                    crate::cur::time::date_of(s),
                    crate::cur::time::date_of(e)
                )
            })
            .collect();
        let e = source::error::SourceError::NothingInWindow {
            path: loaded.origin.clone(),
            window: window.to_string(),
            available: spans.join(", "),
        };
        return failed(&profile.name, &e);
    }
    if let Some(note) = &loaded.cache {
        say_cache(&profile.name, note, clock.now());
    }
    let metric = a.view.metric.map_or(Metric::Amortized, Metric::from);
    let facts = loaded.shown(!a.no_sharing);
    let rep = if a.compare {
        let Some(view) = resolve_view(window, as_of, &loaded.delivery, facts, metric) else {
            eprintln!(
                "curtop: profile `{}`: the window {window} has no days",
                profile.name
            );
            return 1;
        };
        report::build_compare(facts, &view, &dims)
    } else {
        report::build(facts, loaded.window, metric, &dims)
    };
    let mut stdout = std::io::stdout().lock();
    let out = rep.render(
        a.output.map_or(Format::Table, Format::from),
        std::io::IsTerminal::is_terminal(&stdout),
    );
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    0
}

/// A read that failed: the error and its diagnosis (the same text as `doctor`'s), exit 1.
fn failed(profile: &str, e: &source::error::SourceError) -> i32 {
    let d = crate::diag::diagnose(e);
    eprintln!(
        "curtop: profile `{profile}`: {}",
        untrusted::message(&e.to_string())
    );
    eprint!(
        "{}",
        untrusted::message(&crate::diag::doctor::render_diagnosis(&d))
    );
    1
}

/// What the read did with the cache, on stderr; offline, why and how old the numbers are.
fn say_cache(profile: &str, note: &source::cached::CacheNote, as_of: crate::clock::AsOf) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "curtop: profile `{profile}`: {}", note.summary());
    let age = note.cached_since.map(|t| crate::cache::age(as_of, t));
    if let Some(e) = &note.offline {
        let d = crate::diag::diagnose(e);
        let _ = writeln!(
            err,
            "warning [offline]: the source could not be read ({}: {}); these are the cached \
             numbers{}. Run `curtop doctor --profile {profile}` for the diagnosis",
            d.code,
            d.title,
            age.map(|a| format!(", read {a}")).unwrap_or_default()
        );
    } else if note.offline_by_request
        && let Some(a) = age
    {
        let _ = writeln!(err, "curtop: --offline: cached numbers, read {a}");
    }
}

/// The read's warnings (with sharing's, when on), malformed-row examples and labels the
/// profile does not map, on stderr.
fn warn(profile: &str, source: &SourceSpec, loaded: &Loaded, dims: &[Dimension], sharing: bool) {
    let q = &loaded.shown(sharing).quality;
    let mut err = std::io::stderr().lock();
    if matches!(source, SourceSpec::Athena(_)) {
        let _ = writeln!(err, "{}", untrusted::message(&loaded.origin));
    }
    for w in &q.warnings {
        let _ = writeln!(
            err,
            "warning [{}]: {}",
            w.code,
            untrusted::message(&w.message)
        );
    }
    if q.malformed_rows > 1 {
        for e in q.examples.iter().skip(1) {
            let _ = writeln!(
                err,
                "  malformed: {}:{}: {}",
                untrusted::shown(&e.file),
                e.line,
                untrusted::message(&e.reason)
            );
        }
    }
    for dim in dims {
        if let Dimension::Label(n) = dim
            && !loaded
                .facts
                .label_names
                .iter()
                .any(|l| *l == format!("label:{n}"))
        {
            let _ = writeln!(
                err,
                "warning [unknown-label]: profile `{profile}` maps no label `{n}`; use tag:{n} for a raw tag key",
            );
        }
    }
}
