//! Hostile and broken input through the real `curtop` binary: corrupt Parquet, money that
//! overflows, files whose rows are all malformed, impossible manifests, huge lines, and the
//! messages such input gets. Each test is one fault of issue 18, seen through the binary.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{files_ending, temp_dir};

/// The binary with no user config and a fresh facts cache per run: these tests rewrite files
/// in place (same size, same second), which a shared cache could answer from.
fn curtop(args: &[&str]) -> Output {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(args)
        .env_remove("CURTOP_CONFIG")
        .env("XDG_CONFIG_HOME", temp_dir("hardening-no-user-config"))
        .env(
            "XDG_CACHE_HOME",
            temp_dir(&format!("hardening-cache-{run}")),
        )
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `curtop demo-data` of a few days into a fresh folder.
fn demo(tag: &str, layout: &str, extra: &[&str]) -> PathBuf {
    let dir = temp_dir(tag);
    let mut args = vec![
        "demo-data",
        "--out",
        dir.to_str().unwrap(),
        "--days",
        "5",
        "--layout",
        layout,
        "--as-of",
        "2026-11-18",
    ];
    args.extend_from_slice(extra);
    let out = curtop(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

fn report_all(dir: &Path) -> Output {
    curtop(&[
        "report",
        "--cur",
        dir.to_str().unwrap(),
        "--window",
        "all",
        "--as-of",
        "2026-11-18",
        "-o",
        "json",
    ])
}

#[test]
fn a_flipped_byte_anywhere_in_a_parquet_part_is_a_diagnosis_never_a_panic() {
    let mut unreadable = 0;
    for layout in ["cur2-parquet", "legacy-parquet"] {
        let dir = demo(&format!("flip-{layout}"), layout, &[]);
        let file = files_ending(&dir, ".parquet").remove(0);
        let original = std::fs::read(&file).unwrap();
        for i in 1..=40 {
            let offset = original.len() * i / 41;
            let mut bytes = original.clone();
            bytes[offset] ^= 0xff;
            std::fs::write(&file, &bytes).unwrap();
            let out = report_all(&dir);
            let stderr = text(&out.stderr);
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(1),
                "{layout} byte {offset}: exit {code:?}\n{stderr}"
            );
            assert!(
                !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
                "{layout} byte {offset}: a panic reached stderr\n{stderr}"
            );
            if code == Some(1) {
                assert!(stderr.contains("[unreadable-file]"), "{stderr}");
                unreadable += 1;
            }
        }
    }
    assert!(unreadable > 0, "no flipped byte was noticed");
}

/// The demo bill as one legacy CSV without the named columns: a report created without
/// resource IDs (`lineItem/ResourceId`), or one whose columns were dropped.
fn bill_without(tag: &str, dropped: &[&str]) -> PathBuf {
    let dir = demo(tag, "legacy-csv", &[]);
    let mut parts = files_ending(&dir, ".csv");
    // The newest assembly only (the folder keeps one older delivery of the period).
    let current = files_ending(&dir, "Manifest.json")
        .into_iter()
        .min_by_key(|p| p.components().count())
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(current).unwrap()).unwrap();
    let assembly = manifest["assemblyId"].as_str().unwrap().to_string();
    parts.retain(|p| p.to_string_lossy().contains(&assembly));
    assert!(!parts.is_empty());
    let out = dir.join("dropped.csv");
    let mut w = csv::Writer::from_path(&out).unwrap();
    let mut wrote_header = false;
    for part in parts {
        let mut r = csv::Reader::from_path(part).unwrap();
        let header = r.headers().unwrap().clone();
        let skip: Vec<usize> = dropped
            .iter()
            .map(|d| header.iter().position(|h| h == *d).unwrap())
            .collect();
        let keep = |rec: &csv::StringRecord| -> Vec<String> {
            rec.iter()
                .enumerate()
                .filter(|(i, _)| !skip.contains(i))
                .map(|(_, v)| v.to_string())
                .collect()
        };
        if !wrote_header {
            w.write_record(keep(&header)).unwrap();
            wrote_header = true;
        }
        for rec in r.records() {
            w.write_record(keep(&rec.unwrap())).unwrap();
        }
    }
    w.flush().unwrap();
    out
}

#[test]
fn without_resource_ids_idle_is_never_negative_and_the_total_is_the_bill() {
    let file = bill_without("no-ids", &["lineItem/ResourceId"]);
    let path = file.to_str().unwrap();
    let out = curtop(&["doctor", "--cur", path, "--as-of", "2026-11-18"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("idle: 0.0% of the bill"), "{stdout}");
    let out = curtop(&[
        "report",
        "--cur",
        path,
        "--window",
        "all",
        "--as-of",
        "2026-11-18",
        "--by",
        "cluster,category",
        "-o",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[pods-without-node]"), "{stderr}");
    assert!(stderr.contains("taken out of unallocated"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let mut sum = 0.0;
    let mut pods = 0.0;
    for r in rows {
        let cost = r["cost"].as_f64().unwrap();
        sum += cost;
        match r["category"].as_str().unwrap() {
            "idle" => assert!(cost >= 0.0, "negative idle: {r}"),
            "pod" => pods += cost,
            _ => {}
        }
    }
    assert!(pods > 0.0, "the pods' cost is kept as pod cost: {json}");
    let total = json["total"].as_f64().unwrap();
    assert!((sum - total).abs() < 0.01, "rows {sum} vs total {total}");
}

#[test]
fn pods_claiming_more_than_their_node_leave_idle_at_zero_and_the_excess_named() {
    // One node of cluster prod costs $10; its two pods' split cost claims $13.
    let dir = temp_dir("pods-beyond-node");
    let file = dir.join("bill.csv");
    std::fs::write(
        &file,
        "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/Operation,\
         lineItem/ResourceId,lineItem/UnblendedCost,splitLineItem/ParentResourceId,\
         splitLineItem/SplitCost,resourceTags/aws:eks:cluster-name\n\
         Usage,2026-11-02T00:00:00Z,AmazonEC2,RunInstances,i-0node,10,,,prod\n\
         Usage,2026-11-02T00:00:00Z,AmazonEKS,EKSPod-EC2,arn:aws:eks:us-east-1:1:pod/prod/web/a/u1,0,i-0node,8,\n\
         Usage,2026-11-02T00:00:00Z,AmazonEKS,EKSPod-EC2,arn:aws:eks:us-east-1:1:pod/prod/web/b/u2,0,i-0node,5,\n\
         Usage,2026-11-02T00:00:00Z,AmazonS3,PutObject,bucket,2,,,\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = curtop(&["doctor", "--cur", path, "--as-of", "2026-11-18"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("idle: 0.0% of the bill"), "{stdout}");
    assert!(stdout.contains("pods-beyond-node-cost"), "{stdout}");
    let out = curtop(&[
        "report",
        "--cur",
        path,
        "--window",
        "all",
        "--as-of",
        "2026-11-18",
        "--by",
        "category,usage-type",
        "-o",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[pods-beyond-node-cost]"), "{stderr}");
    assert!(stderr.contains("$3.00"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut by = std::collections::BTreeMap::<(String, String), f64>::new();
    for r in json["rows"].as_array().unwrap() {
        let key = (
            r["category"].as_str().unwrap().to_string(),
            r["usage_type"].as_str().unwrap_or("").to_string(),
        );
        *by.entry(key).or_default() += r["cost"].as_f64().unwrap();
    }
    let of = |cat: &str| -> f64 { by.iter().filter(|(k, _)| k.0 == cat).map(|(_, v)| v).sum() };
    assert!(of("idle").abs() < 0.005, "idle is zero, not -3: {by:?}");
    assert!((of("pod") - 13.0).abs() < 0.005, "{by:?}");
    let beyond = by[&(
        "unallocated".to_string(),
        "pods-beyond-node-cost".to_string(),
    )];
    assert!((beyond + 3.0).abs() < 0.005, "{by:?}");
    assert!(
        (json["total"].as_f64().unwrap() - 12.0).abs() < 0.005,
        "the bill: {json}"
    );
}

/// A small legacy CUR CSV (type, start, product, cost) written to a fresh folder.
fn csv_bill(tag: &str, rows: &[&str]) -> PathBuf {
    let dir = temp_dir(tag);
    let mut body = String::from(
        "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost\n",
    );
    for r in rows {
        body.push_str(r);
        body.push('\n');
    }
    let file = dir.join("bill.csv");
    std::fs::write(&file, body).unwrap();
    file
}

#[test]
fn a_sum_beyond_what_money_holds_is_an_error_not_a_wrapped_total() {
    let file = csv_bill(
        "overflow",
        &[
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,5e9",
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,5e9",
        ],
    );
    let out = report_all(&file);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stderr}\n{}",
        text(&out.stdout)
    );
    assert!(stderr.contains("[amount-overflow]"), "{stderr}");
    assert!(
        !text(&out.stdout).contains("total"),
        "{}",
        text(&out.stdout)
    );
    // Each amount alone fits; so do sums across days that stay under the limit.
    let file = csv_bill(
        "no-overflow",
        &[
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,5e9",
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,-4e9",
        ],
    );
    let out = report_all(&file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total"].as_f64(), Some(1e9));
    // An amount that cannot be held at all is a malformed row.
    let file = csv_bill(
        "too-big",
        &[
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,1e10",
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,2",
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,3",
        ],
    );
    let out = report_all(&file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("[malformed-rows]"),
        "{}",
        text(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total"].as_f64(), Some(5.0));
}

#[test]
fn a_bill_whose_total_fits_but_some_of_its_sums_would_not_is_an_error() {
    // The bill totals $9e9, but S3 alone (both days) is $18e9: the report's service sum
    // would wrap (or panic), so the read refuses it before any sum is made.
    let file = csv_bill(
        "later-overflow",
        &[
            "Usage,2026-11-02T00:00:00Z,AmazonS3,9e9",
            "Usage,2026-11-03T00:00:00Z,AmazonS3,9e9",
            "Usage,2026-11-03T00:00:00Z,AmazonEC2,-9e9",
        ],
    );
    let out = curtop(&[
        "report",
        "--cur",
        file.to_str().unwrap(),
        "--window",
        "all",
        "--as-of",
        "2026-11-18",
        "--by",
        "service",
        "-o",
        "json",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stderr}\n{}",
        text(&out.stdout)
    );
    assert!(stderr.contains("[amount-overflow]"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}

#[test]
fn a_file_whose_rows_are_mostly_malformed_is_an_error_naming_counts_and_examples() {
    let file = csv_bill(
        "all-malformed",
        &[
            "Usage,2023-13-01T00:00:00Z,AmazonEC2,1.5",
            "Usage,AmazonEC2,2023-11-01T00:00:00Z,1.5",
            "Usage,2023-11-01T00:00:00Z,AmazonEC2,one",
        ],
    );
    let out = report_all(&file);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("[malformed-rows]"), "{stderr}");
    assert!(stderr.contains("3 of 3 rows"), "{stderr}");
    assert!(
        stderr.contains("bill.csv:2:"),
        "the first example: {stderr}"
    );
    assert!(stderr.contains("2023-13-01"), "{stderr}");
    // One bad row in three is a warning; the rest is read.
    let file = csv_bill(
        "some-malformed",
        &[
            "Usage,2023-13-01T00:00:00Z,AmazonEC2,1.5",
            "Usage,2023-11-01T00:00:00Z,AmazonEC2,1.5",
            "Usage,2023-11-02T00:00:00Z,AmazonEC2,1.5",
        ],
    );
    let out = report_all(&file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("1 malformed row(s) skipped out of 3"));
}

/// The current (top-level) manifest of the demo's legacy delivery, edited by `edit`.
fn edit_current_manifest(dir: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let path = files_ending(dir, "Manifest.json")
        .into_iter()
        .min_by_key(|p| p.components().count())
        .unwrap();
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut m);
    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
}

fn total_of(out: &Output) -> f64 {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["total"].as_f64().unwrap()
}

#[test]
fn manifests_naming_a_part_twice_an_impossible_period_or_no_parts_are_said() {
    let dir = demo("manifest-dup", "legacy-csv", &[]);
    let before = total_of(&report_all(&dir));
    edit_current_manifest(&dir, |m| {
        let keys = m["reportKeys"].as_array_mut().unwrap();
        let first = keys[0].clone();
        keys.push(first);
    });
    let out = report_all(&dir);
    assert!((total_of(&out) - before).abs() < 1e-9, "a part read twice");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[duplicate-parts]"), "{stderr}");
    assert!(stderr.contains("read once"), "{stderr}");

    let dir = demo("manifest-backwards", "legacy-csv", &[]);
    edit_current_manifest(&dir, |m| {
        m["billingPeriod"]["start"] = "20261201T000000.000Z".into();
        m["billingPeriod"]["end"] = "20261101T000000.000Z".into();
    });
    let out = report_all(&dir);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("[bad-manifest]"), "{stderr}");
    assert!(
        stderr.contains("starts 2026-12-01 and ends 2026-11-01"),
        "{stderr}"
    );

    let dir = demo("manifest-empty", "legacy-csv", &[]);
    edit_current_manifest(&dir, |m| m["reportKeys"] = serde_json::json!([]));
    let out = report_all(&dir);
    let stderr = text(&out.stderr);
    // The only period is empty: nothing to show, and the warning says why.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("[empty-period]"), "{stderr}");
    assert!(stderr.contains("names no report parts"), "{stderr}");
}

#[test]
fn a_missing_column_that_lowers_amortized_cost_is_a_named_warning() {
    let dropped = [
        "reservation/EffectiveCost",
        "savingsPlan/SavingsPlanEffectiveCost",
        "reservation/UnusedRecurringFee",
    ];
    let file = bill_without("no-effective-cost", &dropped);
    let path = file.to_str().unwrap();
    let out = curtop(&[
        "report",
        "--cur",
        path,
        "--window",
        "all",
        "--as-of",
        "2026-11-18",
        "-o",
        "json",
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("[missing-cost-columns]"), "{stderr}");
    for want in [
        "amortized and net cost are lower than the bill",
        "DiscountedUsage (",
        "reservation/EffectiveCost (reservation_effective_cost)",
        "SavingsPlanCoveredUsage (",
        "savingsPlan/SavingsPlanEffectiveCost",
        "RIFee (",
        "reservation/UnusedRecurringFee",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in {stderr}");
    }
    // doctor says it too.
    let out = curtop(&["doctor", "--cur", path, "--as-of", "2026-11-18"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(all.contains("missing-cost-columns"), "{all}");
    // The whole report has no such warning.
    let dir = demo("with-effective-cost", "legacy-csv", &[]);
    let out = report_all(&dir);
    assert!(!text(&out.stderr).contains("missing-cost-columns"));
}

#[test]
fn window_all_is_shown_as_the_data_span() {
    let file = csv_bill(
        "window-all",
        &[
            "Usage,2026-10-30T00:00:00Z,AmazonEC2,1",
            "Usage,2026-11-02T00:00:00Z,AmazonEC2,2",
        ],
    );
    let out = report_all(&file);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["window"]["start"], "2026-10-30");
    assert_eq!(json["window"]["end"], "2026-11-03");
    let out = curtop(&[
        "report",
        "--cur",
        file.to_str().unwrap(),
        "--window",
        "all",
        "--as-of",
        "2026-11-18",
    ]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("2026-10-30..2026-11-03"), "{stdout}");
    assert!(!stdout.contains("-262143"), "{stdout}");
}

#[test]
fn report_and_doctor_never_say_press_r() {
    let missing = temp_dir("press-r").join("nothing-here");
    let gone = missing.to_str().unwrap();
    let file = csv_bill("press-r-io", &["Usage,2026-11-02T00:00:00Z,AmazonEC2,1"]);
    std::fs::write(&file, common::gzip(b"not a csv")).unwrap();
    for args in [
        vec!["report", "--cur", gone],
        vec!["doctor", "--cur", gone],
        vec!["report", "--cur", file.to_str().unwrap()],
        vec!["doctor", "--cur", file.to_str().unwrap()],
    ] {
        let out = curtop(&args);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("press r"), "{args:?}: {all}");
        assert!(!all.contains("retry with r"), "{args:?}: {all}");
    }
}

#[test]
fn an_empty_cur_path_is_a_usage_error() {
    let out = curtop(&["report", "--cur", ""]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the path is empty"));
}

#[test]
fn a_gzip_file_named_csv_says_it_is_gzip() {
    let file = csv_bill(
        "gzip-named-csv",
        &["Usage,2026-11-02T00:00:00Z,AmazonEC2,1"],
    );
    let plain = std::fs::read(&file).unwrap();
    std::fs::write(&file, common::gzip(&plain)).unwrap();
    let out = report_all(&file);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("this file is gzip-compressed"), "{stderr}");
    assert!(!stderr.contains("lacks the column"), "{stderr}");
}

#[test]
fn a_device_as_the_path_is_a_clear_error() {
    let out = report_all(Path::new("/dev/zero"));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not a file or folder curtop can read"),
        "{stderr}"
    );
    assert!(!stderr.contains("Not a directory"), "{stderr}");
}

#[test]
fn a_part_that_is_a_symlink_is_refused_not_missing() {
    let dir = demo("symlink-part", "legacy-csv", &[]);
    let current = files_ending(&dir, "Manifest.json")
        .into_iter()
        .min_by_key(|p| p.components().count())
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(current).unwrap()).unwrap();
    let assembly = manifest["assemblyId"].as_str().unwrap();
    let part = files_ending(&dir, ".csv")
        .into_iter()
        .find(|p| p.to_string_lossy().contains(assembly))
        .unwrap();
    let moved = dir.join("elsewhere.csv");
    std::fs::rename(&part, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &part).unwrap();
    let out = report_all(&dir);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[missing-parts]"), "{stderr}");
    assert!(stderr.contains("refused: symlink"), "{stderr}");
    assert!(!stderr.contains("not found"), "{stderr}");
}

#[test]
fn with_keys_in_the_environment_the_causes_do_not_say_there_are_none() {
    let home = temp_dir("env-keys-home");
    let run = |env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_curtop"));
        cmd.args(["report", "--cur", "s3://curtop-test-bucket/pre/rep"])
            .env_clear()
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &home)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", home.join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        text(&out.stderr)
    };
    let none = run(&[]);
    assert!(none.contains("[credentials-missing]"), "{none}");
    assert!(none.contains("no keys in the environment"), "{none}");
    let half = run(&[("AWS_ACCESS_KEY_ID", "fake-key-id-without-secret")]);
    assert!(half.contains("[credentials-missing]"), "{half}");
    assert!(!half.contains("no keys in the environment"), "{half}");
    assert!(half.contains("AWS_SECRET_ACCESS_KEY is not"), "{half}");
    assert!(!half.contains("fake-key-id-without-secret"), "{half}");
}

#[test]
fn the_default_window_holds_at_least_a_week_of_billed_days() {
    for date in curtop::clock::TEST_DATES {
        let out = curtop(&["report", "--as-of", date, "-o", "json"]);
        assert!(out.status.success(), "{date}: {}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let day = |s: &serde_json::Value| {
            chrono::NaiveDate::parse_from_str(s.as_str().unwrap(), "%Y-%m-%d").unwrap()
        };
        let (start, end) = (day(&json["window"]["start"]), day(&json["window"]["end"]));
        let today: chrono::NaiveDate = date.parse().unwrap();
        assert_eq!(end, today.succ_opt().unwrap(), "{date}");
        assert!((today - start).num_days() >= 7, "{date}: {start}..{end}");
        assert!((today - start).num_days() <= 37, "{date}: {start}..{end}");
    }
}

/// A gzip CSV whose second row is one `mib` MiB line, written in pieces (never whole in
/// memory), between two good rows.
fn gzip_with_a_long_line(tag: &str, mib: usize) -> PathBuf {
    use std::io::Write;
    let dir = temp_dir(tag);
    let file = dir.join("bill.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&file).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(
        b"lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UnblendedCost\n\
          Usage,2026-11-02T00:00:00Z,AmazonEC2,1.5\n\
          Usage,2026-11-02T00:00:00Z,",
    )
    .unwrap();
    let piece = vec![b'x'; 1 << 20];
    for _ in 0..mib {
        gz.write_all(&piece).unwrap();
    }
    gz.write_all(b",2\nUsage,2026-11-02T00:00:00Z,AmazonEC2,2.5\n")
        .unwrap();
    gz.finish().unwrap();
    file
}

#[test]
fn a_line_past_the_cap_is_a_malformed_row_and_the_rest_is_read() {
    let file = gzip_with_a_long_line("long-line", 64);
    assert!(std::fs::metadata(&file).unwrap().len() < 4 << 20);
    let out = report_all(&file);
    let stderr = text(&out.stderr);
    assert!((total_of(&out) - 4.0).abs() < 1e-9, "{stderr}");
    assert!(stderr.contains("[malformed-rows]"), "{stderr}");
    assert!(
        stderr.contains("bill.csv.gz:3: the line is longer than 1 MiB"),
        "{stderr}"
    );
}
