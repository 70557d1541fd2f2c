//! `curtop doctor`: each profile's checks as text or JSON, or the minimal IAM policy. Exit
//! codes: 0 every check passed, 1 warnings only, 2 a check failed.

use clap::{Args, ValueEnum};

use super::{ReportOnly, SourceArgs, emit, emit_json, resolve_profile};
use std::collections::BTreeMap;

use crate::config::{Config, Profile, SourceSpec};
use crate::diag::doctor::{CheckId, ProfileReport, iam_policy, render_text, to_json};
use crate::source::athena::Athena;
use crate::untrusted;

#[derive(Debug, Args)]
pub(super) struct DoctorArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Every profile of the config (default: the default profile).
    #[arg(long, conflicts_with_all = ["profile", "cur"])]
    all: bool,
    /// Output format.
    #[arg(
        short = 'o',
        long,
        value_enum,
        default_value = "text",
        value_name = "F"
    )]
    output: OutputArg,
    /// Print the minimal read-only IAM policy for the profiles' AWS sources.
    #[arg(long)]
    iam_policy: bool,
    #[command(flatten)]
    report_only: ReportOnly,
}

/// `doctor -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputArg {
    Text,
    Json,
}

pub(super) fn run(a: &DoctorArgs) -> i32 {
    if a.report_only.given() {
        eprintln!("curtop doctor: --by and --explain belong to `curtop report`");
        return 2;
    }
    let json = a.output == OutputArg::Json;
    let profiles: Vec<Profile> = if a.all {
        match Config::discover(a.source.config.as_deref()) {
            Ok(Some(c)) => c.profiles,
            Ok(None) => Config::demo().profiles,
            Err(e) => return broken_config(&e.to_string(), json),
        }
    } else {
        match resolve_profile(&a.source) {
            Ok(p) => vec![p],
            Err(e) if e.contains("no profile `") => {
                eprintln!("curtop doctor: {}", untrusted::message(&e));
                return 2;
            }
            Err(e) => return broken_config(&e, json),
        }
    };
    if a.iam_policy {
        let (live, lookup) = table_locations(&profiles);
        let (policy, unknown_locations) = iam_policy(&profiles, &live);
        emit_json(&policy);
        if unknown_locations.is_empty() {
            return 0;
        }
        // Printed, but not complete: Athena reads the table's data with the caller's rights.
        for name in &unknown_locations {
            let why = lookup.get(name).map_or("", String::as_str);
            eprintln!(
                "curtop doctor: profile `{name}`: the table's data location is unknown \
                 (GetTableMetadata: {}), so the policy lacks s3:GetObject/s3:ListBucket on it \
                 (Athena would answer PERMISSION_ERROR); set `table-location = \
                 \"s3://BUCKET/PREFIX/\"` (the table's LOCATION: aws glue get-table --query \
                 Table.StorageDescriptor.Location)",
                untrusted::shown(why)
            );
        }
        return 1;
    }
    let clock = a.source.clock();
    let mut reports: Vec<ProfileReport> = Vec::new();
    for p in &profiles {
        let report = crate::source::doctor::check_profile(p, clock.now());
        if !json {
            // Each profile as soon as it is checked: a slow one does not hide the others.
            emit(&untrusted::message(&render_text(std::slice::from_ref(
                &report,
            ))));
        }
        reports.push(report);
    }
    if json {
        emit_json(&to_json(&reports));
    }
    reports
        .iter()
        .map(ProfileReport::exit_code)
        .max()
        .unwrap_or(0)
}

/// Each Athena profile's table location as its catalog answers it (`GetTableMetadata`), and
/// for the others why the lookup gave none (the profile's `table-location` is then used).
fn table_locations(profiles: &[Profile]) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut live = BTreeMap::new();
    let mut why = BTreeMap::new();
    for p in profiles {
        let SourceSpec::Athena(spec) = &p.source else {
            continue;
        };
        let found = Athena::new(spec)
            .map_err(|e| e.to_string())
            .and_then(|a| a.table_location().map_err(|e| e.to_string()));
        match found {
            Ok(Some(location)) => {
                live.insert(p.name.clone(), location);
            }
            Ok(None) => {
                why.insert(p.name.clone(), "the catalog names no S3 location".into());
            }
            Err(e) => {
                why.insert(p.name.clone(), e);
            }
        }
    }
    (live, why)
}

/// `doctor` on a config that does not parse: the first check fails, with the error.
fn broken_config(error: &str, json: bool) -> i32 {
    if json {
        let v = serde_json::json!({
            "exit_code": 2,
            "profiles": [{
                "profile": null,
                "exit_code": 2,
                "checks": [{"name": CheckId::ConfigValid, "status": "fail", "evidence": [error]}],
            }],
        });
        emit_json(&v);
    } else {
        emit(&untrusted::message(&format!(
            "config\n  [FAIL] {}\n         {error}\n",
            CheckId::ConfigValid
        )));
    }
    2
}
