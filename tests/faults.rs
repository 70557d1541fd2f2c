//! Faults on the wire (issue 18): `curtop report` reads an S3 delivery through the fault proxy
//! of `scripts/test.sh` (`scripts/fault_proxy.py`, exported as `CURTOP_TEST_FAULT_PROXY`) in
//! front of the local S3 server. A read either retries to exactly the facts of a fault-free
//! read (`report -o json` compared byte for byte) or ends in a clear diagnosis — never partial
//! numbers shown as complete.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Output};

use chrono::NaiveDate;
use common::moto::{arm, fault_proxy, hits, put_object};
use common::temp_dir;
use curtop::demo::{DemoSpec, Scale};
use curtop::source::demo::generate_in_memory;

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
        .env("HOME", &dir)
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
