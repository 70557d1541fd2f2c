//! Hostile text through the real binary (issue 18, item 9): a tag value that would retitle and
//! clear the terminal, a path full of escapes, a 50 MB manifest key, a password in
//! `endpoint-url`. None of it may reach the terminal as it is.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::temp_dir;

/// The tag value of the issue: OSC 0 (set the title) ended by BEL, then "clear the screen".
const EVIL: &str = "evil\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}31m";
/// How it is shown.
const EVIL_SHOWN: &str = "evil\\e]0;PWNED\\x07\\e[2J\\u{9b}31m";

fn curtop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(args)
        .env_remove("CURTOP_CONFIG")
        .env("XDG_CONFIG_HOME", temp_dir("hostile-no-user-config"))
        // A cache of its own (created by the binary; never removed while another test runs).
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join(format!("curtop-hostile-cache-{}", std::process::id())),
        )
        .env("AWS_ACCESS_KEY_ID", "testing-key-id")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_no_controls(what: &str, s: &str) {
    assert!(
        !s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' || c == '\u{202e}'),
        "{what} holds a control character: {s:?}"
    );
}

/// A one-row legacy CUR CSV whose namespace tag is `namespace`.
fn cur_with_namespace(dir: &Path, namespace: &str) -> String {
    let file = dir.join("cur.csv");
    let quoted = namespace.replace('"', "\"\"");
    std::fs::write(
        &file,
        format!(
            "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,lineItem/ProductCode,resourceTags/user:kubernetes_namespace\n\
             Usage,2026-03-02T00:00:00Z,1.5,AmazonEC2,\"{quoted}\"\n"
        ),
    )
    .unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn a_hostile_tag_value_is_escaped_in_the_table_and_exact_in_csv_and_json_to_a_pipe() {
    let dir = temp_dir("hostile-tag");
    let cur = cur_with_namespace(&dir, EVIL);
    let args = |o: &'static str| {
        [
            "report",
            "--cur",
            cur.as_str(),
            "--window",
            "2026-03",
            "--by",
            "tag:kubernetes_namespace",
            "-o",
            o,
        ]
    };
    let table = curtop(&args("table"));
    assert!(table.status.success(), "{}", text(&table.stderr));
    let out = text(&table.stdout);
    assert_no_controls("the table", &out);
    assert!(out.contains(EVIL_SHOWN), "{out}");

    // To a pipe or a file the data stays exact (stdout is not a terminal here); the escaping
    // a terminal gets is tested beside `Report::render`.
    let csv = curtop(&args("csv"));
    assert!(text(&csv.stdout).contains(EVIL), "{}", text(&csv.stdout));
    let json = curtop(&args("json"));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["rows"][0]["tag:kubernetes_namespace"], EVIL);
}

#[test]
fn an_error_escapes_the_path_it_echoes() {
    let path = format!("/nonexistent/{EVIL}");
    let out = curtop(&["report", "--cur", &path]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_no_controls("stderr", &err);
    assert!(err.contains(EVIL_SHOWN), "{err}");
    let doctor = curtop(&["doctor", "--cur", &path]);
    assert_no_controls("doctor's output", &text(&doctor.stdout));
    assert!(text(&doctor.stdout).contains(EVIL_SHOWN));
}

#[test]
fn a_50_mb_manifest_key_comes_back_cut_with_its_length() {
    let dir = temp_dir("hostile-long-key");
    let report = dir.join("cur").join("20260301-20260401");
    std::fs::create_dir_all(&report).unwrap();
    let key = format!("{}\u{1b}[2J", "k".repeat(50 * 1024 * 1024));
    let manifest = serde_json::json!({
        "assemblyId": "a1",
        "account": "123456789012",
        "columns": [
            {"category": "lineItem", "name": "LineItemType"},
            {"category": "lineItem", "name": "UsageStartDate"},
            {"category": "lineItem", "name": "UnblendedCost"}
        ],
        "charset": "UTF-8",
        "compression": "GZIP",
        "contentType": "text/csv",
        "reportId": "r",
        "reportName": "cur",
        "billingPeriod": {"start": "20260301T000000.000Z", "end": "20260401T000000.000Z"},
        "bucket": "b",
        // A string where a list belongs: serde's message quotes the whole value.
        "reportKeys": key,
    });
    std::fs::write(
        report.join("cur-Manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
    let out = curtop(&[
        "report",
        "--cur",
        dir.to_str().unwrap(),
        "--window",
        "2026-03",
    ]);
    assert_ne!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(
        err.len() < 20_000,
        "{} bytes of stderr: {}",
        err.len(),
        &err[..2000]
    );
    assert_no_controls("stderr", &err);
    assert!(err.contains("bytes in all)"), "{err}");
}

#[test]
fn a_password_in_endpoint_url_is_never_shown() {
    let dir = temp_dir("hostile-endpoint");
    let config = dir.join("config.toml");
    // Port 1 on loopback: nothing answers, so the endpoint is named in the diagnosis.
    std::fs::write(
        &config,
        r#"
default-profile = "s3"
[profiles.s3]
source = "s3"
bucket = "b"
report = "r"
region = "us-east-1"
endpoint-url = "http://curtop:Sup3rS3cretPW@127.0.0.1:1"
"#,
    )
    .unwrap();
    let config = config.to_str().unwrap();
    for args in [
        &["report", "--config", config][..],
        &["doctor", "--config", config],
        &["doctor", "--config", config, "-o", "json"],
    ] {
        let out = curtop(args);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains("Sup3rS3cretPW"), "{args:?}: {all}");
        if args[0] == "report" {
            // The unreachable endpoint is named, without its password.
            assert!(all.contains("curtop:***@127.0.0.1:1"), "{args:?}: {all}");
        }
    }
}
