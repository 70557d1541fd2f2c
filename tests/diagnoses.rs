//! Every diagnosis code reached through the real path that produces it: a generated CUR
//! delivery written to disk and then broken the way real ones break (a corrupt manifest, two
//! reports in one folder, a missing column, a truncated part, an old delivery, inactive tags),
//! read by the real binary (`doctor`, `report`); the S3 ones over the local server of
//! `scripts/test.sh`. The text of each diagnosis is asserted, not only its code.
//!
//! Each delivery ends on the date the binary runs as of (`--as-of`); the cases whose meaning
//! depends on where that date falls in its month run for every date of
//! [`curtop::clock::TEST_DATES`], and break a part of the billing period the checks read.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::NaiveDate;
use curtop::clock::AsOf;
use curtop::demo::{Compression, DemoSpec, Layout, Scale, Versioning};
use curtop::source::demo::generate_in_memory;
use curtop::source::store::MemStore;
use serde_json::Value;

fn temp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("curtop-diag-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The date of the cases that hold on any date.
fn a_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 18).unwrap()
}

/// Runs `case` as of every test date, each with its own tag.
fn on_every_date(tag: &str, case: impl Fn(&str, NaiveDate)) {
    for date in curtop::clock::test_dates() {
        case(&format!("{tag}-{date}"), date);
    }
}

/// A small generated delivery ending on `today` (included), as plain CSV (easy to break by
/// hand).
fn spec(report: &str, today: NaiveDate) -> DemoSpec {
    let end = today.succ_opt().unwrap();
    let mut spec = DemoSpec::demo(13, 20, end);
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyCsv {
        versioning: Versioning::CreateNew,
        compression: Compression::None,
        parts: 2,
    };
    spec.prefix = String::new();
    report.clone_into(&mut spec.report);
    spec
}

fn write(store: &MemStore, root: &Path) {
    for key in store.keys() {
        let path = root.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, store.get(key).unwrap()).unwrap();
    }
}

fn delivery(tag: &str, today: NaiveDate) -> (PathBuf, MemStore) {
    let root = temp(tag);
    let (store, _) = generate_in_memory(&spec("acme", today)).unwrap();
    write(&store, &root);
    (root, store)
}

/// The first part (as a path under `root`) of the billing period holding `today`: the one the
/// checks read, as its manifest names it.
fn part_read(store: &MemStore, root: &Path, today: NaiveDate) -> PathBuf {
    let delivery = curtop::source::discover::discover(store, "mem").unwrap();
    let day = curtop::cur::time::day_of(today);
    let period = delivery
        .periods
        .iter()
        .find(|p| p.span.is_some_and(|(s, e)| s <= day && day < e))
        .unwrap_or_else(|| panic!("no billing period holds {today}"));
    root.join(&period.parts[0].key)
}

/// Rewrites every CSV part without the columns `drop` says to drop.
fn drop_columns(root: &Path, drop: impl Fn(&str) -> bool) {
    for part in common::files_ending(root, ".csv") {
        let mut reader = csv::Reader::from_path(&part).unwrap();
        let header = reader.headers().unwrap().clone();
        let keep: Vec<usize> = (0..header.len()).filter(|&i| !drop(&header[i])).collect();
        assert!(
            keep.len() < header.len(),
            "nothing dropped from {}",
            part.display()
        );
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(keep.iter().map(|&i| &header[i])).unwrap();
        for r in reader.records() {
            let r = r.unwrap();
            out.write_record(keep.iter().map(|&i| &r[i])).unwrap();
        }
        std::fs::write(&part, out.into_inner().unwrap()).unwrap();
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn curtop(args: &[&str]) -> Run {
    let home = std::env::temp_dir().join(format!("curtop-diag-home-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(args)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("CURTOP_CONFIG")
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `doctor --cur ROOT -o json --as-of TODAY`: the one profile's checks.
fn doctor(root: &Path, today: NaiveDate) -> (Option<i32>, Vec<Value>) {
    let today = today.to_string();
    let run = curtop(&[
        "doctor",
        "--cur",
        root.to_str().unwrap(),
        "-o",
        "json",
        "--as-of",
        &today,
    ]);
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}:\n{}\n{}", run.stdout, run.stderr));
    (
        run.code,
        v["profiles"][0]["checks"].as_array().unwrap().clone(),
    )
}

fn find<'a>(checks: &'a [Value], name: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {checks:#?}"))
}

/// The check `name` has `status` and a diagnosis `code` whose text contains each of `texts`.
fn assert_check(checks: &[Value], name: &str, status: &str, code: &str, texts: &[&str]) {
    let c = find(checks, name);
    assert_eq!(c["status"], status, "{c:#}");
    assert_eq!(c["diagnosis"]["code"], code, "{c:#}");
    let all = c.to_string();
    for t in texts {
        assert!(all.contains(t), "{name}: `{t}` not in {c:#}");
    }
}

/// `doctor` on `root` ends in warnings only, `name` warning with `code`.
fn assert_warns(root: &Path, today: NaiveDate, name: &str, code: &str, texts: &[&str]) {
    let (exit, checks) = doctor(root, today);
    assert_eq!(exit, Some(1), "{checks:#?}");
    assert_check(&checks, name, "warn", code, texts);
}

#[test]
fn a_corrupt_manifest_is_bad_manifest() {
    let (root, _) = delivery("bad-manifest", a_date());
    for m in common::files_ending(&root, "acme-Manifest.json") {
        std::fs::write(m, "{\"assemblyId\": ").unwrap();
    }
    let (code, checks) = doctor(&root, a_date());
    assert_eq!(code, Some(2));
    assert_check(
        &checks,
        "delivery found",
        "fail",
        "bad-manifest",
        &["acme-Manifest.json"],
    );
}

#[test]
fn two_reports_in_one_folder_is_several_reports() {
    let (root, _) = delivery("several", a_date());
    let (other, _) = generate_in_memory(&spec("acme-hourly", a_date())).unwrap();
    write(&other, &root);
    let (code, checks) = doctor(&root, a_date());
    assert_eq!(code, Some(2));
    assert_check(
        &checks,
        "delivery found",
        "fail",
        "several-reports",
        &["acme", "acme-hourly"],
    );
}

#[test]
fn a_report_without_the_cost_column_is_required_columns_missing() {
    let (root, _) = delivery("columns", a_date());
    drop_columns(&root, |c| c == "lineItem/UnblendedCost");
    let (code, checks) = doctor(&root, a_date());
    assert_eq!(code, Some(2));
    assert_check(
        &checks,
        "required columns present",
        "fail",
        "required-columns-missing",
        &["lineItem/UnblendedCost"],
    );
    assert_eq!(find(&checks, "delivery found")["status"], "pass");
    assert_eq!(find(&checks, "tag coverage")["status"], "skipped");
}

#[test]
fn a_part_that_is_not_its_format_is_unreadable_file() {
    on_every_date("unreadable", |tag, today| {
        let root = temp(tag);
        let mut s = spec("acme", today);
        s.layout = Layout::LegacyCsv {
            versioning: Versioning::CreateNew,
            compression: Compression::Gzip,
            parts: 2,
        };
        let (store, _) = generate_in_memory(&s).unwrap();
        write(&store, &root);
        let part = part_read(&store, &root, today);
        assert!(part.to_string_lossy().ends_with(".csv.gz"), "{part:?}");
        std::fs::write(&part, b"this is not gzip").unwrap();
        let (code, checks) = doctor(&root, today);
        assert_eq!(code, Some(2), "{today}: {checks:#?}");
        let name = part.file_name().unwrap().to_str().unwrap();
        let c = checks.iter().find(|c| c["status"] == "fail").unwrap();
        assert_eq!(c["diagnosis"]["code"], "unreadable-file", "{today}: {c:#}");
        assert!(c.to_string().contains(name), "{today}: {c:#}");
    });
}

#[test]
fn a_window_without_data_is_nothing_in_window() {
    let (root, _) = delivery("window", a_date());
    let run = curtop(&[
        "report",
        "--cur",
        root.to_str().unwrap(),
        "--window",
        "2019-01",
        "--as-of",
        &a_date().to_string(),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("diagnosis [nothing-in-window]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2019-01"), "{}", run.stderr);
}

#[test]
fn a_part_the_manifest_lists_but_is_gone_warns_missing_parts() {
    on_every_date("missing-part", |tag, today| {
        let (root, store) = delivery(tag, today);
        let part = part_read(&store, &root, today);
        std::fs::remove_file(&part).unwrap();
        let (code, checks) = doctor(&root, today);
        assert_eq!(code, Some(1), "{today}: {checks:#?}");
        let c = find(&checks, "manifest fresh");
        assert_eq!(c["status"], "warn", "{today}: {c:#}");
        assert!(
            c["evidence"].to_string().contains("[missing-parts]"),
            "{today}: {c:#}"
        );
    });
}

#[test]
fn an_open_period_not_delivered_for_days_is_stale_data() {
    on_every_date("stale", |tag, today| {
        let (root, _) = delivery(tag, today);
        let old = AsOf::date(today).system_time() - Duration::from_secs(3 * 24 * 3600);
        for m in common::files_ending(&root, "acme-Manifest.json") {
            std::fs::File::options()
                .write(true)
                .open(m)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        assert_warns(
            &root,
            today,
            "manifest fresh",
            "stale-data",
            &["72 h ago", "AWS refreshes it at least daily"],
        );
    });
}

#[test]
fn a_report_without_split_cost_allocation_data_says_the_pod_view_is_lost() {
    let (root, _) = delivery("no-split", a_date());
    drop_columns(&root, |c| c.starts_with("splitLineItem/"));
    let (code, checks) = doctor(&root, a_date());
    assert_eq!(code, Some(1), "{checks:#?}");
    assert_check(
        &checks,
        "report settings",
        "warn",
        "report-misconfigured",
        &["[no-split-cost]", "split cost allocation"],
    );
}

#[test]
fn inactive_kubernetes_tags_are_tags_not_activated() {
    let (root, _) = delivery("tags", a_date());
    drop_columns(&root, |c| c.starts_with("resourceTags/user:kubernetes"));
    assert_warns(
        &root,
        a_date(),
        "tag coverage",
        "tags-not-activated",
        &["0.0% attached by kubernetes_* tags", "Cost allocation tags"],
    );
}

#[test]
fn unparseable_costs_are_counted_as_malformed_rows() {
    on_every_date("malformed", |tag, today| {
        let (root, store) = delivery(tag, today);
        let part = part_read(&store, &root, today);
        let mut reader = csv::Reader::from_path(&part).unwrap();
        let header = reader.headers().unwrap().clone();
        let cost = header
            .iter()
            .position(|h| h == "lineItem/UnblendedCost")
            .unwrap();
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(&header).unwrap();
        let mut rows = 0;
        for (i, r) in reader.records().enumerate() {
            let mut r: Vec<String> = r.unwrap().iter().map(str::to_string).collect();
            if i < 3 {
                r[cost] = "twelve dollars".into();
            }
            out.write_record(&r).unwrap();
            rows += 1;
        }
        assert!(rows > 3, "{today}: {} has {rows} rows", part.display());
        std::fs::write(&part, out.into_inner().unwrap()).unwrap();
        assert_warns(
            &root,
            today,
            "required columns present",
            "malformed-rows",
            &["3 malformed", "twelve dollars"],
        );
    });
}

/// The denied user of the IAM-enforcing server (`scripts/moto_denied_setup.py`) may not call
/// sts:AssumeRole: its identity resolves, the role does not.
#[test]
fn a_role_the_credentials_may_not_assume_is_role_assume_failed() {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: this test needs the IAM-enforcing server of scripts/test.sh")
        })
    };
    let endpoint = var("CURTOP_TEST_S3_AUTH_ENDPOINT");
    let home = temp("role");
    let file = home.join("curtop.toml");
    std::fs::write(
        &file,
        format!(
            "[profiles.cross]\nsource = \"s3\"\nbucket = \"curtop-denied\"\nprefix = \"cur\"\n\
             report = \"report\"\nregion = \"us-east-1\"\nendpoint-url = \"{endpoint}\"\n\
             role-arn = \"arn:aws:iam::210987654321:role/curtop-billing-reader\"\n\
             external-id = \"curtop-external\"\n"
        ),
    )
    .unwrap();
    let secret = var("CURTOP_TEST_S3_DENIED_SECRET");
    let out = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(["doctor", "--config", file.to_str().unwrap(), "-o", "json"])
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", var("CURTOP_TEST_S3_DENIED_ID"))
        .env("AWS_SECRET_ACCESS_KEY", &secret)
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("CURTOP_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(!stdout.contains(&secret), "a secret leaked:\n{stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let checks = v["profiles"][0]["checks"].as_array().unwrap().clone();
    let who = find(&checks, "credentials resolve");
    assert_eq!(who["status"], "pass", "{who:#}");
    assert!(who.to_string().contains("user/curtop-reader"), "{who:#}");
    assert_check(
        &checks,
        "role assumable",
        "fail",
        "role-assume-failed",
        &[
            "arn:aws:iam::210987654321:role/curtop-billing-reader",
            "sts:ExternalId",
            "aws sts assume-role --role-arn arn:aws:iam::210987654321:role/curtop-billing-reader",
        ],
    );
    assert_eq!(
        find(&checks, "bucket reachable in its region")["status"],
        "skipped"
    );
}
