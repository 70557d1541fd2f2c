//! The command line: `curtop report`, `curtop demo-data`, help. Errors in the arguments or the
//! config are printed with what to do and exit with code 2; a failing source exits with 1.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use chrono::Utc;

use crate::config::{Config, EnvRules, Profile, SourceSpec, TagMapping};
use crate::cur::metrics::Metric;
use crate::report::{self, Dimension, Format};
use crate::source;
use crate::window::WindowSpec;

const HELP: &str = "\
curtop — where the AWS bill goes inside your Kubernetes clusters

USAGE:
  curtop report [OPTIONS]           costs grouped by dimensions, as a table, CSV or JSON
  curtop demo-data --out DIR        write the demo CUR delivery (legacy CSV) to a folder
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

DEMO DATA:
  --out DIR         where to write (created)
  --days N          days of data ending today (default 45)
  --seed S          generator seed (default 7)

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
        None | Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            0
        }
        Some("--version" | "-V") => {
            println!("curtop {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some("report") => report_cmd(&args[1..]),
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
        return Ok(Profile {
            name: "cur".into(),
            source: SourceSpec::Local { path: path.clone() },
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
    let today = Utc::now().date_naive();
    let loaded = match source::load(&profile, d.window, &extra, today, None) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("curtop: profile `{}`: {e}", profile.name);
            return 1;
        }
    };
    let q = &loaded.facts.quality;
    let mut err = std::io::stderr().lock();
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

fn demo_data_cmd(args: &[String]) -> i32 {
    let mut out: Option<PathBuf> = None;
    let mut days: u32 = 45;
    let mut seed: u64 = 7;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let v = match take_value(args, &mut i, flag) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("curtop demo-data: {e}");
                return 2;
            }
        };
        let parsed = match flag {
            "--out" => {
                out = Some(PathBuf::from(v));
                Ok(())
            }
            "--days" => v
                .parse()
                .map(|n| days = n)
                .map_err(|_| format!("--days `{v}` is not a number")),
            "--seed" => v
                .parse()
                .map(|n| seed = n)
                .map_err(|_| format!("--seed `{v}` is not a number")),
            other => Err(format!("unknown option `{other}`")),
        };
        if let Err(e) = parsed {
            eprintln!("curtop demo-data: {e}");
            return 2;
        }
        i += 1;
    }
    let Some(out) = out else {
        eprintln!("curtop demo-data: --out DIR is required");
        return 2;
    };
    if days == 0 || days > 400 {
        eprintln!("curtop demo-data: --days must be 1..=400");
        return 2;
    }
    let today = Utc::now().date_naive();
    let end = today
        .checked_add_days(chrono::Days::new(1))
        .unwrap_or(today);
    let spec = crate::demo::DemoSpec::demo(seed, days, end);
    match crate::demo::generate_to_dir(&spec, &out) {
        Ok(_truth) => {
            println!(
                "wrote a {days}-day demo CUR delivery (seed {seed}) to {}",
                out.display()
            );
            println!("read it with: curtop report --cur {}", out.display());
            0
        }
        Err(e) => {
            eprintln!("curtop demo-data: cannot write {}: {e}", out.display());
            1
        }
    }
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
}
