//! Faults on the wire (issue 18): `curtop report` reads an S3 delivery, or an Athena table's
//! query results, through the fault proxy of `scripts/test.sh` (`scripts/fault_proxy.py`,
//! exported as `CURTOP_TEST_FAULT_PROXY`) in front of the local S3/Athena server. A read either retries to exactly the facts of a fault-free
//! read (`report -o json` compared byte for byte) or ends in a clear diagnosis — never partial
//! numbers shown as complete.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDate;
use common::athena::{facts_rows, schema_result};
use common::moto::{self, arm, arm_after, fault_proxy, hits, put_object, queue};
use common::{read_with, temp_dir};
use curtop::config::TagMapping;
use curtop::cur::attribution::TagPlan;
use curtop::demo::{DemoSpec, Layout, Scale};
use curtop::source::athena::sql::result_columns;
use curtop::source::demo::generate_in_memory;
use curtop::source::discover::discover;

const AS_OF: &str = "2024-04-10";

/// Uploads a tiny generated delivery to `bucket` under `billing/`; its report name and the
/// path of one of its data parts (the object the faults hit: its bucket in it, so that the
/// tests running at once never hit each other's objects).
fn delivery(bucket: &str) -> (String, String) {
    let mut spec = DemoSpec::demo(5, 10, NaiveDate::from_ymd_opt(2024, 4, 10).unwrap());
    spec.scale = Scale::tiny();
    spec.prefix = String::new();
    let (store, _) = generate_in_memory(&spec).unwrap();
    let mut part = None;
    for key in store.keys() {
        put_object(bucket, &format!("billing/{key}"), store.get(key).unwrap());
        if key.ends_with(".csv.gz") || key.ends_with(".parquet") {
            part.get_or_insert_with(|| format!("/{bucket}/billing/{key}"));
        }
    }
    (spec.report.clone(), part.expect("a data part"))
}

/// `report -o json` of the bucket through the proxy, with the profile's retry keys.
fn report(bucket: &str, report: &str, keys: &str) -> Output {
    let dir = temp_dir(&format!("faults-{bucket}"));
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.s3]\nsource = \"s3\"\nbucket = \"{bucket}\"\nprefix = \"billing\"\n\
             report = \"{report}\"\nregion = \"us-east-1\"\nendpoint-url = \"{}\"\n{keys}\n",
            fault_proxy()
        ),
    )
    .unwrap();
    run_report(&config, &dir)
}

/// `report -o json --window all` with `config`, `dir` as home, never the cache.
fn run_report(config: &Path, dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(["report", "--config", config.to_str().unwrap()])
        // The source every time: a cached period would not touch the faulty object.
        .args([
            "--window",
            "all",
            "--as-of",
            AS_OF,
            "-o",
            "json",
            "--no-cache",
        ])
        .env("HOME", dir)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("CURTOP_CONFIG")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fault-free read of the bucket: the facts every faulty read must give, or none.
fn baseline(bucket: &str, name: &str) -> String {
    let out = report(bucket, name, "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// A failed read: exit 1, nothing on stdout, the diagnosis `code` on stderr.
fn assert_failed_with(out: &Output, code: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        out.stdout.is_empty(),
        "partial numbers: {}",
        text(&out.stdout)
    );
    assert!(err.contains(&format!("diagnosis [{code}]")), "{err}");
}

/// Arms `count` times `fault` on a part of a fresh delivery in `bucket`, reads it with the
/// profile keys `keys`, and requires the facts of a fault-free read, the fault served `count`
/// times.
fn retried_to_the_same_facts(bucket: &str, fault: &str, count: u32, keys: &str) {
    let (name, part) = delivery(bucket);
    let expected = baseline(bucket, &name);
    arm(&part, fault, count);
    let out = report(bucket, &name, keys);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected, "{fault}: not the same facts");
    assert_eq!(hits(&part)[fault], count);
}

#[test]
fn throttling_is_retried_to_the_same_facts() {
    retried_to_the_same_facts("curtop-faults-slowdown", "slowdown", 2, "max-attempts = 4");
}

#[test]
fn throttling_past_max_attempts_is_a_diagnosis_that_says_so() {
    let bucket = "curtop-faults-throttled";
    let (name, part) = delivery(bucket);
    arm(&part, "slowdown", 100);
    let out = report(bucket, &name, "max-attempts = 2");
    assert_failed_with(&out, "throttled");
    assert!(text(&out.stderr).contains("max-attempts"));
    assert_eq!(
        hits(&part)["slowdown"],
        2,
        "tried exactly max-attempts times"
    );
}

#[test]
fn a_connection_reset_mid_object_is_resumed_to_the_same_facts() {
    retried_to_the_same_facts("curtop-faults-reset", "reset", 1, "max-attempts = 3");
}

#[test]
fn a_connection_lost_on_every_try_is_a_diagnosis_not_a_shorter_file() {
    let bucket = "curtop-faults-lost";
    let (name, part) = delivery(bucket);
    arm(&part, "reset", 100);
    let out = report(bucket, &name, "max-attempts = 2");
    assert_failed_with(&out, "connection-lost");
    assert_eq!(hits(&part)["reset"], 2, "the first try and one resume");
}

#[test]
fn a_stall_past_read_timeout_is_a_timeout_diagnosis() {
    let bucket = "curtop-faults-stall";
    let (name, part) = delivery(bucket);
    arm(&part, "stall", 100);
    let out = report(bucket, &name, "max-attempts = 1\nread-timeout = 1");
    assert_failed_with(&out, "timeout");
    assert_eq!(hits(&part)["stall"], 1);
}

// ---- Athena ----

/// The facts query's result rows of a generated bill (several result pages) and the local
/// read's JSON they must give.
fn athena_rows() -> Vec<Vec<Option<String>>> {
    let mut spec = DemoSpec::demo(5, 20, NaiveDate::from_ymd_opt(2024, 4, 10).unwrap());
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyParquet;
    let (store, _) = generate_in_memory(&spec).unwrap();
    let delivery = discover(&store, "generated").unwrap();
    let rows = facts_rows(&read_with(&store, &delivery, &TagMapping::default()).unwrap());
    assert!(
        rows.len() > 2 * 1000,
        "three result pages or more: {}",
        rows.len()
    );
    rows
}

/// Queues one read's results in `region` (the schema, then the facts) and runs
/// `report -o json` of an Athena profile of that region through the proxy with `keys`.
fn athena_report(region: &str, rows: &[Vec<Option<String>>], keys: &str) -> Output {
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let header = result_columns(&plan);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    queue(
        region,
        &[schema_result("acme", false), moto::result(&header, rows)],
    );
    let dir = temp_dir(&format!("faults-athena-{region}"));
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.athena]\nsource = \"athena\"\ndatabase = \"athenacurcfn_acme\"\n\
             table = \"acme\"\noutput-location = \"s3://acme-athena-results/curtop/\"\n\
             region = \"{region}\"\nendpoint-url = \"{}\"\n{keys}\n",
            fault_proxy()
        ),
    )
    .unwrap();
    run_report(&config, &dir)
}

/// The fault's match for the `GetQueryResults` calls of `region`.
fn results_of(region: &str) -> String {
    format!("AmazonAthena.GetQueryResults @{region}")
}

/// Arms `count` times `fault` on the result pages after the first, reads with `keys`, and
/// requires the facts of a fault-free read.
fn athena_retried_to_the_same_facts(region: &str, fault: &str, count: u32, keys: &str) {
    let rows = athena_rows();
    let clean = athena_report(region, &rows, "");
    assert!(clean.status.success(), "{}", text(&clean.stderr));
    arm_after(&results_of(region), fault, count, 1);
    let out = athena_report(region, &rows, keys);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        text(&clean.stdout),
        "{fault}: not the same facts"
    );
    assert_eq!(hits(&results_of(region))[fault], count);
}

#[test]
fn athena_throttling_is_retried_to_the_same_facts() {
    athena_retried_to_the_same_facts("eu-south-1", "throttle", 2, "max-attempts = 4");
}

#[test]
fn athena_503_is_retried_to_the_same_facts() {
    athena_retried_to_the_same_facts("eu-south-2", "slowdown", 1, "max-attempts = 3");
}

#[test]
fn an_athena_connection_reset_mid_page_is_retried_to_the_same_facts() {
    athena_retried_to_the_same_facts("eu-central-2", "reset", 1, "max-attempts = 3");
}

#[test]
fn athena_throttled_on_every_try_is_a_diagnosis_never_partial_numbers() {
    let region = "me-central-1";
    arm_after(&results_of(region), "throttle", 100, 1);
    let out = athena_report(region, &athena_rows(), "max-attempts = 2");
    assert_failed_with(&out, "throttled");
    assert!(text(&out.stderr).contains("max-attempts"));
    assert_eq!(hits(&results_of(region))["throttle"], 2);
}

#[test]
fn an_athena_connection_lost_on_every_try_is_a_diagnosis_never_partial_numbers() {
    let region = "me-south-1";
    arm_after(&results_of(region), "reset", 100, 1);
    let out = athena_report(region, &athena_rows(), "max-attempts = 2");
    assert_failed_with(&out, "connection-lost");
    assert_eq!(hits(&results_of(region))["reset"], 2);
}

#[test]
fn an_athena_stall_past_read_timeout_is_a_timeout_diagnosis() {
    let region = "il-central-1";
    arm_after(&results_of(region), "stall", 100, 1);
    let out = athena_report(region, &athena_rows(), "max-attempts = 1\nread-timeout = 1");
    assert_failed_with(&out, "timeout");
    assert_eq!(hits(&results_of(region))["stall"], 1);
}
