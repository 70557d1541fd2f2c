//! The command line: the dashboard (no command), `curtop report`, `curtop demo-data`, help. Errors in the arguments or the
//! config are printed with what to do and exit with code 2; a failing source exits with 1.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::clock::{Clock, parse_as_of};
use crate::config::{Config, EnvRules, Profile, SourceSpec, TagMapping};
use crate::cur::metrics::Metric;
use crate::report::{self, Dimension, Format};
use crate::source;
use crate::window::WindowSpec;

const HELP: &str = "\
curtop — where the AWS bill goes inside your Kubernetes clusters

USAGE:
  curtop [OPTIONS]                  the dashboard (default profile, or the built-in demo)
  curtop report [OPTIONS]           costs grouped by dimensions, as a table, CSV or JSON
  curtop doctor [OPTIONS]           check integrations in order, with evidence and fixes
  curtop demo-data --out DIR        write a generated CUR delivery (any layout) to a folder
  curtop help | --help | --version

DATA (report):
  --config FILE     config file (default: $CURTOP_CONFIG, else the user config dir's
                    curtop/config.toml; without one, the built-in demo profile)
  --profile NAME    a profile of the config file (default: its default-profile)
  --cur PATH        ad hoc: a local CUR delivery folder (or any parent), or one CUR file
                    (.csv, .csv.gz, .csv.zip, .parquet)
  --window W        all, latest (default: the latest billing period), YYYY-MM,
                    YYYY-MM-DD..YYYY-MM-DD (end exclusive), today, yesterday, 7d, 30d, Nd,
                    mtd, last-month
  --metric M        amortized (default), unblended, net, on-demand
  --by DIMS         comma list of cluster, namespace, workload, workload-kind, pod, container,
                    node, category, service, usage-type, account, resource, day, env,
                    label:NAME, tag:KEY (default: cluster)
  -o, --output F    table (default), csv, json
  --explain         Athena profiles: print the SQL the report would run (reads only the
                    table's columns), and run nothing
  --as-of DATE      as if it were DATE (YYYY-MM-DD, or an RFC 3339 time): the bill as it
                    stood then; relative windows end on it and later days are left out

DOCTOR (also takes --config, --profile, --cur, --as-of):
  --all             every profile of the config (default: the default profile)
  -o, --output F    text (default) or json
  --iam-policy      print the minimal read-only IAM policy for the profiles' AWS sources
  Exit codes: 0 every check passed, 1 warnings only, 2 a check failed.

DASHBOARD (also takes --config, --profile, --cur, --window, --metric, --as-of):
  --no-color        no colours (also when NO_COLOR is set): reverse video and markers only
  --ascii           no box-drawing, block or arrow glyphs

DEMO DATA (a deterministic bill with its truth in DIR/truth.json):
  --out DIR         where to write (created)
  --days N          days of data ending today (default 45)
  --as-of DATE      the demo bill's last day instead of today
  --seed S          generator seed (default 7)
  --layout L        legacy-csv-gz (default), legacy-csv-zip, legacy-csv, legacy-parquet
                    (Athena integration), cur2-parquet, cur2-csv-gz (Data Exports)
  --parts N         CSV parts per billing period (default 2)
  --versioning V    create-new (default) or overwrite
  --hourly          hourly line items (default daily)
  --wide            ~155 columns, as a real report with every option has
  --net             net (discounted) columns
  --no-resource-ids a report created without resource IDs
  --bench-rows N    benchmark size: about N hourly, wide line items (default 7 days)

Warnings (malformed rows, missing columns) go to stderr. Exit codes: 0 ok, 1 the data could not
be read, 2 bad arguments or config.
";

/// Runs the command line; returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let args: Vec<String> = match args.into_iter().map(OsString::into_string).collect() {
        Ok(a) => a,
        Err(bad) => {
            eprintln!(
                "curtop: argument `{}` is not valid UTF-8",
                bad.to_string_lossy()
            );
            return 2;
        }
    };
    match args.first().map(String::as_str) {
        None => dashboard_cmd(&[]),
        Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            0
        }
        Some("--version" | "-V") => {
            println!("curtop {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some("report") => report_cmd(&args[1..]),
        Some("doctor") => doctor_cmd(&args[1..]),
        Some(flag) if flag.starts_with('-') => dashboard_cmd(&args),
        Some("demo-data") => demo_data_cmd(&args[1..]),
        Some(other) => {
            eprintln!("curtop: unknown command `{other}`; run `curtop help`");
            2
        }
    }
}

/// Options shared by the commands that read data.
#[derive(Debug, Default)]
struct DataArgs {
    config: Option<PathBuf>,
    profile: Option<String>,
    cur: Option<PathBuf>,
    window: WindowSpec,
    metric: Option<Metric>,
    by: Option<Vec<Dimension>>,
    output: Option<Format>,
    no_color: bool,
    ascii: bool,
    explain: bool,
    /// `--as-of`: the moment to act as if it were.
    as_of: Option<DateTime<Utc>>,
}

impl DataArgs {
    /// The clock the command runs by: the system's, or one moved to `--as-of`.
    fn clock(&self) -> Clock {
        self.as_of.map_or_else(Clock::system, Clock::starting_at)
    }
}

fn take_value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, String> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| format!("{flag} needs a value"))
}

fn parse_data_args(args: &[String]) -> Result<DataArgs, String> {
    let mut d = DataArgs::default();
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (args[i].clone(), None),
        };
        let value = |i: &mut usize| -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => take_value(args, i, &flag).map(str::to_string),
            }
        };
        match flag.as_str() {
            "--config" => d.config = Some(PathBuf::from(value(&mut i)?)),
            "--profile" => d.profile = Some(value(&mut i)?),
            "--cur" => d.cur = Some(PathBuf::from(value(&mut i)?)),
            "--window" => d.window = value(&mut i)?.parse()?,
            "--metric" => d.metric = Some(value(&mut i)?.parse()?),
            "--by" => d.by = Some(Dimension::parse_list(&value(&mut i)?)?),
            "-o" | "--output" => d.output = Some(value(&mut i)?.parse()?),
            "--no-color" | "--no-colour" => d.no_color = true,
            "--ascii" => d.ascii = true,
            "--explain" => d.explain = true,
            "--as-of" => d.as_of = Some(parse_as_of(&value(&mut i)?)?),
            other => return Err(format!("unknown option `{other}`; run `curtop help`")),
        }
        i += 1;
    }
    if d.cur.is_some() && d.profile.is_some() {
        return Err("--cur and --profile cannot be used together".into());
    }
    Ok(d)
}

/// The profile the options name: `--cur` ad hoc, else the config's, else the built-in demo.
fn resolve_profile(d: &DataArgs) -> Result<Profile, String> {
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
        });
    }
    let config = match Config::discover(d.config.as_deref()).map_err(|e| e.to_string())? {
        Some(c) => c,
        None => Config::demo(),
    };
    match &d.profile {
        Some(name) => config.profile(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
            format!(
                "no profile `{name}` in {}; profiles: {}",
                config_origin(&config),
                names.join(", ")
            )
        }),
        None => Ok(config.default_profile().clone()),
    }
}

/// The dashboard's config: `--cur` as a one-profile config, else the discovered file, else the
/// built-in demo; and the index of the profile to show first.
fn dashboard_config(d: &DataArgs) -> Result<(Config, usize), String> {
    if d.cur.is_some() {
        let profile = resolve_profile(d)?;
        let mut config = Config::demo();
        config.default_profile.clone_from(&profile.name);
        config.profiles = vec![profile];
        return Ok((config, 0));
    }
    let config = match Config::discover(d.config.as_deref()).map_err(|e| e.to_string())? {
        Some(c) => c,
        None => Config::demo(),
    };
    let name = d.profile.as_deref().unwrap_or(&config.default_profile);
    if let Some(i) = config.profiles.iter().position(|p| p.name == name) {
        return Ok((config, i));
    }
    let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
    Err(format!(
        "no profile `{name}` in {}; profiles: {}",
        config_origin(&config),
        names.join(", ")
    ))
}

/// The dashboard. Argument and config errors are printed before the terminal is touched.
fn dashboard_cmd(args: &[String]) -> i32 {
    let d = match parse_data_args(args) {
        Ok(d) if d.by.is_some() || d.output.is_some() || d.explain => {
            eprintln!("curtop: --by, -o and --explain belong to `curtop report`");
            return 2;
        }
        Ok(d) => d,
        Err(e) => {
            eprintln!("curtop: {e}");
            return 2;
        }
    };
    let (config, active) = match dashboard_config(&d) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("curtop: {e}");
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
        color: !(d.no_color || no_color_env),
        ascii: d.ascii,
    };
    let clock = d.clock();
    let mut app = crate::app::App::new(config, active, clock.now(), display);
    app.window = d.window;
    if let Some(m) = d.metric {
        app.metric = m;
    }
    match crate::runtime::run(app, clock) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("curtop: terminal error: {e}");
            1
        }
    }
}

fn config_origin(c: &Config) -> String {
    c.path.as_ref().map_or_else(
        || "the built-in demo config".into(),
        |p| p.display().to_string(),
    )
}

fn report_cmd(args: &[String]) -> i32 {
    let d = match parse_data_args(args) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("curtop report: {e}");
            return 2;
        }
    };
    let profile = match resolve_profile(&d) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("curtop: {e}");
            return 2;
        }
    };
    let dims = d.by.clone().unwrap_or_else(|| vec![Dimension::Cluster]);
    let extra: Vec<String> = dims
        .iter()
        .filter_map(|x| {
            if let Dimension::Tag(k) = x {
                Some(k.clone())
            } else {
                None
            }
        })
        .collect();
    let as_of = d.clock().now();
    if d.explain {
        return match source::explain(&profile, d.window, &extra, as_of) {
            Ok(sql) => {
                println!("{sql};");
                0
            }
            Err(e) => {
                eprintln!("curtop report --explain: {e}");
                1
            }
        };
    }
    let loaded = match source::load(&profile, d.window, &extra, as_of, None) {
        Ok(l) => l,
        Err(e) => {
            let d = crate::diag::diagnose(&e);
            eprintln!("curtop: profile `{}`: {e}", profile.name);
            eprintln!("diagnosis [{}]: {}", d.code, d.title);
            for (i, fix) in d.fixes.iter().enumerate() {
                eprintln!("  fix {}. {fix}", i + 1);
            }
            return 1;
        }
    };
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
            window: d.window.to_string(),
            available: spans.join(", "),
        };
        let diagnosis = crate::diag::diagnose(&e);
        eprintln!("curtop: profile `{}`: {e}", profile.name);
        eprintln!("diagnosis [{}]: {}", diagnosis.code, diagnosis.title);
        for (i, fix) in diagnosis.fixes.iter().enumerate() {
            eprintln!("  fix {}. {fix}", i + 1);
        }
        return 1;
    }
    let q = &loaded.facts.quality;
    let mut err = std::io::stderr().lock();
    if matches!(profile.source, SourceSpec::Athena(_)) {
        let _ = writeln!(err, "{}", loaded.origin);
    }
    for w in &q.warnings {
        let _ = writeln!(err, "warning [{}]: {}", w.code, w.message);
    }
    if q.malformed_rows > 1 {
        for e in q.examples.iter().skip(1) {
            let _ = writeln!(err, "  malformed: {}:{}: {}", e.file, e.line, e.reason);
        }
    }
    for dim in &dims {
        if let Dimension::Label(n) = dim
            && !loaded
                .facts
                .label_names
                .iter()
                .any(|l| *l == format!("label:{n}"))
        {
            let _ = writeln!(
                err,
                "warning [unknown-label]: profile `{}` maps no label `{n}`; use tag:{n} for a raw tag key",
                profile.name
            );
        }
    }
    drop(err);
    let metric = d.metric.unwrap_or(Metric::Amortized);
    let rep = report::build(&loaded.facts, loaded.window, metric, &dims);
    let out = rep.render(d.output.unwrap_or(Format::Table));
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // A closed pipe (`| head`) is not an error worth a message.
        return 0;
    }
    0
}

/// What `demo-data` was asked for.
#[derive(Debug)]
struct DemoArgs {
    out: PathBuf,
    spec: crate::demo::DemoSpec,
}

fn parse_demo_args(args: &[String], mut today: chrono::NaiveDate) -> Result<DemoArgs, String> {
    use crate::demo::{Compression, Cur2Format, DemoSpec, Granularity, Layout, Scale, Versioning};
    let mut out = None;
    let mut days: Option<u32> = None;
    let mut seed: u64 = 7;
    let mut layout = "legacy-csv-gz".to_string();
    let mut parts: usize = 2;
    let mut versioning = Versioning::CreateNew;
    let mut hourly = false;
    let mut wide = false;
    let mut net = false;
    let mut resource_ids = true;
    let mut bench_rows: Option<u64> = None;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let number = |i: &mut usize| -> Result<u64, String> {
            let v = take_value(args, i, flag)?;
            v.parse()
                .map_err(|_| format!("{flag} `{v}` is not a number"))
        };
        match flag {
            "--out" => out = Some(PathBuf::from(take_value(args, &mut i, flag)?)),
            "--days" => days = Some(u32::try_from(number(&mut i)?).unwrap_or(u32::MAX)),
            "--seed" => seed = number(&mut i)?,
            "--layout" => layout = take_value(args, &mut i, flag)?.to_string(),
            "--parts" => parts = usize::try_from(number(&mut i)?).unwrap_or(usize::MAX),
            "--versioning" => {
                versioning = match take_value(args, &mut i, flag)? {
                    "create-new" => Versioning::CreateNew,
                    "overwrite" => Versioning::Overwrite,
                    v => {
                        return Err(format!(
                            "--versioning `{v}`: expected create-new or overwrite"
                        ));
                    }
                }
            }
            "--hourly" => hourly = true,
            "--wide" => wide = true,
            "--net" => net = true,
            "--no-resource-ids" => resource_ids = false,
            "--bench-rows" => bench_rows = Some(number(&mut i)?),
            "--as-of" => today = parse_as_of(take_value(args, &mut i, flag)?)?.date_naive(),
            other => return Err(format!("unknown option `{other}`")),
        }
        i += 1;
    }
    let out = out.ok_or("--out DIR is required")?;
    let days = days.unwrap_or(if bench_rows.is_some() { 7 } else { 45 });
    if days == 0 || days > 400 {
        return Err("--days must be 1..=400".into());
    }
    if parts == 0 || parts > 64 {
        return Err("--parts must be 1..=64".into());
    }
    let csv = |compression| Layout::LegacyCsv {
        versioning,
        compression,
        parts,
    };
    let layout = match layout.as_str() {
        "legacy-csv-gz" => csv(Compression::Gzip),
        "legacy-csv-zip" => csv(Compression::Zip),
        "legacy-csv" => csv(Compression::None),
        "legacy-parquet" => Layout::LegacyParquet,
        "cur2-parquet" => Layout::Cur2 {
            format: Cur2Format::Parquet,
        },
        "cur2-csv-gz" => Layout::Cur2 {
            format: Cur2Format::CsvGz,
        },
        v => {
            return Err(format!(
                "--layout `{v}`: expected legacy-csv-gz, legacy-csv-zip, legacy-csv, \
                 legacy-parquet, cur2-parquet or cur2-csv-gz"
            ));
        }
    };
    let end = today
        .checked_add_days(chrono::Days::new(1))
        .unwrap_or(today);
    let mut spec = DemoSpec::demo(seed, days, end);
    spec.layout = layout;
    spec.with_net = net;
    spec.with_resource_ids = resource_ids;
    spec.wide = wide;
    if hourly {
        spec.granularity = Granularity::Hourly;
    }
    if let Some(rows) = bench_rows {
        spec.granularity = Granularity::Hourly;
        spec.wide = true;
        spec.scale = Scale::with_target_rows(rows, days, Granularity::Hourly);
    }
    Ok(DemoArgs { out, spec })
}

fn demo_data_cmd(args: &[String]) -> i32 {
    let d = match parse_demo_args(args, Clock::system().now().today()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("curtop demo-data: {e}");
            return 2;
        }
    };
    match crate::demo::generate_to_dir(&d.spec, &d.out) {
        Ok(truth) => {
            println!(
                "wrote {} line items ({} days, seed {}) to {}; truth in {}",
                truth.rows,
                d.spec.days,
                d.spec.seed,
                d.out.display(),
                d.out.join("truth.json").display()
            );
            println!(
                "read it with: curtop report --cur {} --window all",
                d.out.display()
            );
            0
        }
        Err(e) => {
            eprintln!("curtop demo-data: cannot write {}: {e}", d.out.display());
            1
        }
    }
}

fn doctor_cmd(args: &[String]) -> i32 {
    let mut rest = Vec::new();
    let mut all = false;
    let mut json = false;
    let mut iam = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--all" => all = true,
            "--iam-policy" => iam = true,
            "-o" | "--output" => {
                i += 1;
                match args.get(i).map(String::as_str) {
                    Some("json") => json = true,
                    Some("text") => json = false,
                    other => {
                        eprintln!(
                            "curtop doctor: -o takes text or json, not `{}`",
                            other.unwrap_or("")
                        );
                        return 2;
                    }
                }
            }
            "--output=json" | "-ojson" => json = true,
            "--output=text" => json = false,
            _ => rest.push(args[i].clone()),
        }
        i += 1;
    }
    let d = match parse_data_args(&rest) {
        Ok(d) if d.by.is_some() || d.output.is_some() || d.explain => {
            eprintln!("curtop doctor: --by and --explain belong to `curtop report`");
            return 2;
        }
        Ok(d) => d,
        Err(e) => {
            eprintln!("curtop doctor: {e}");
            return 2;
        }
    };
    if all && (d.profile.is_some() || d.cur.is_some()) {
        eprintln!("curtop doctor: --all checks every profile; leave out --profile / --cur");
        return 2;
    }
    let profiles: Vec<Profile> = if all {
        match Config::discover(d.config.as_deref()) {
            Ok(Some(c)) => c.profiles,
            Ok(None) => Config::demo().profiles,
            Err(e) => return broken_config(&e.to_string(), json),
        }
    } else {
        match resolve_profile(&d) {
            Ok(p) => vec![p],
            Err(e) if e.contains("no profile `") => {
                eprintln!("curtop doctor: {e}");
                return 2;
            }
            Err(e) => return broken_config(&e, json),
        }
    };
    if iam {
        let policy = crate::doctor::iam_policy(&profiles);
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&policy).unwrap_or_default()
        ));
        return 0;
    }
    let clock = d.clock();
    let mut reports: Vec<crate::doctor::ProfileReport> = Vec::new();
    for p in &profiles {
        let report = crate::doctor::check_profile(p, clock.now());
        if !json {
            // Each profile as soon as it is checked: a slow one does not hide the others.
            emit(&crate::doctor::render_text(std::slice::from_ref(&report)));
        }
        reports.push(report);
    }
    if json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&crate::doctor::to_json(&reports)).unwrap_or_default()
        ));
    }
    reports
        .iter()
        .map(crate::doctor::ProfileReport::exit_code)
        .max()
        .unwrap_or(0)
}

/// `doctor` on a config that does not parse: the first check fails, with the error.
fn broken_config(error: &str, json: bool) -> i32 {
    if json {
        let v = serde_json::json!({
            "exit_code": 2,
            "profiles": [{
                "profile": null,
                "exit_code": 2,
                "checks": [{"name": "config valid", "status": "fail", "evidence": [error]}],
            }],
        });
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ));
    } else {
        emit(&format!(
            "config\n  [FAIL] config valid\n         {error}\n"
        ));
    }
    2
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_report_options_in_both_spellings() {
        let d = parse_data_args(&args(
            "--window 7d --metric=net --by cluster,tag:team -o json",
        ))
        .unwrap();
        assert_eq!(d.window, WindowSpec::LastDays(7));
        assert_eq!(d.metric, Some(Metric::Net));
        assert_eq!(
            d.by,
            Some(vec![Dimension::Cluster, Dimension::Tag("team".into())])
        );
        assert_eq!(d.output, Some(Format::Json));
    }

    #[test]
    fn rejects_bad_options_with_a_reason() {
        assert!(
            parse_data_args(&args("--window"))
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(
            parse_data_args(&args("--bogus 1"))
                .unwrap_err()
                .contains("unknown option")
        );
        assert!(
            parse_data_args(&args("--by planet"))
                .unwrap_err()
                .contains("unknown dimension")
        );
        assert!(
            parse_data_args(&args("--cur x --profile y"))
                .unwrap_err()
                .contains("together")
        );
        assert_eq!(run(vec!["nope".into()]), 2);
    }

    #[test]
    fn demo_data_options_build_the_spec() {
        use crate::demo::{Granularity, Layout};
        let today = chrono::NaiveDate::from_ymd_opt(2024, 5, 20).unwrap();
        let d = parse_demo_args(
            &args("--out x --layout cur2-parquet --days 3 --hourly --net"),
            today,
        )
        .unwrap();
        assert_eq!(
            d.spec.layout,
            Layout::Cur2 {
                format: crate::demo::Cur2Format::Parquet
            }
        );
        assert_eq!(
            (d.spec.days, d.spec.granularity, d.spec.with_net),
            (3, Granularity::Hourly, true)
        );
        assert_eq!(
            d.spec.end,
            chrono::NaiveDate::from_ymd_opt(2024, 5, 21).unwrap()
        );
        let b = parse_demo_args(&args("--out x --bench-rows 100000"), today).unwrap();
        assert!(b.spec.wide && b.spec.days == 7);
        assert!(
            parse_demo_args(&args("--layout xml --out x"), today)
                .unwrap_err()
                .contains("expected")
        );
        assert!(
            parse_demo_args(&args("--days 5"), today)
                .unwrap_err()
                .contains("--out")
        );
        assert!(
            parse_demo_args(&args("--out x --parts 0"), today)
                .unwrap_err()
                .contains("1..=64")
        );
    }
}
