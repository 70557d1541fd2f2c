//! `curtop doctor` as cron and CI run it: the real binary, its exit codes (0 all pass, 1
//! warnings only, 2 a failure), its text and JSON, and `--iam-policy`. The S3 and Athena checks
//! run over the wire against the local server of `scripts/test.sh` (STS, S3, Athena).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_s3::primitives::ByteStream;
use common::moto::{self, endpoint, outcome, queue, result};
use curtop::config::TagMapping;
use curtop::cur::attribution::TagPlan;
use curtop::demo::{DemoSpec, Scale};
use curtop::source::athena::sql::result_columns;
use curtop::source::demo::generate_in_memory;
use serde_json::{Value, json};

/// The date every run here is as of (`--as-of`): no test depends on the day it runs.
const AS_OF: &str = "2026-11-18";

fn as_of() -> chrono::NaiveDate {
    AS_OF.parse().unwrap()
}

fn temp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("curtop-doctor-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: not JSON:\n{}\n{}", self.stdout, self.stderr))
    }
}

/// The binary with a clean environment: no user config, no AWS profile, nothing from outside
/// answering for credentials. `with_keys` keeps the test server's fake keys.
fn doctor(args: &[&str], home: &Path, with_keys: bool) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_curtop"));
    cmd.arg("doctor")
        .args(args)
        .args(["--as-of", AS_OF])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("CURTOP_CONFIG")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL");
    if !with_keys {
        cmd.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN");
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The checks of one profile of a JSON report, as (name, status, diagnosis code).
fn checks(report: &Value, profile: &str) -> Vec<(String, String, Option<String>)> {
    let p = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == profile)
        .unwrap_or_else(|| panic!("no profile {profile} in {report:#}"));
    p["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["diagnosis"]["code"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// `out` contains `needle` (the whole output shown when not).
fn has(out: &str, needle: &str) {
    assert!(out.contains(needle), "`{needle}` not in:\n{out}");
}

fn check<'a>(
    all: &'a [(String, String, Option<String>)],
    name: &str,
) -> &'a (String, String, Option<String>) {
    all.iter()
        .find(|c| c.0 == name)
        .unwrap_or_else(|| panic!("no check {name} in {all:?}"))
}

fn evidence(report: &Value, profile: &str, name: &str) -> String {
    let p = report["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == profile)
        .unwrap();
    let c = p["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap();
    c["evidence"].to_string()
}

#[test]
fn the_built_in_demo_passes_and_its_broken_example_fails_with_the_rest_skipped() {
    let home = temp("demo");
    let run = doctor(&[], &home, false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("profile demo (demo)\n"),
        "{}",
        run.stdout
    );
    has(&run.stdout, "  [pass] tag coverage\n");

    let run = doctor(&["--all", "-o", "json"], &home, false);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["exit_code"], 2);
    let demo = checks(&report, "demo");
    assert!(demo.iter().all(|c| c.1 == "pass"), "{demo:?}");
    let broken = checks(&report, "broken-example");
    assert_eq!(broken[0], ("config valid".into(), "pass".into(), None));
    assert_eq!(
        broken[1],
        (
            "delivery found".into(),
            "fail".into(),
            Some("path-not-found".into())
        )
    );
    let p = &report["profiles"][1];
    assert_eq!(p["exit_code"], 2);
    for c in p["checks"].as_array().unwrap().iter().skip(2) {
        assert_eq!(c["status"], "skipped", "{c}");
        assert_eq!(c["skipped_because"], "because `delivery found` failed");
    }
    let fixes = p["checks"][1]["diagnosis"]["fixes"].to_string();
    assert!(
        fixes.contains("ls -la /nonexistent/curtop/broken-example/cur-copy"),
        "{fixes}"
    );
}

#[test]
fn a_report_without_resource_ids_warns_and_exits_1() {
    let home = temp("warn");
    let out = home.join("cur");
    let generated = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args([
            "demo-data",
            "--as-of",
            AS_OF,
            "--days",
            "10",
            "--no-resource-ids",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let run = doctor(&["--cur", out.to_str().unwrap()], &home, false);
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    has(&run.stdout, "  [WARN] report settings\n");
    has(&run.stdout, "no: ");
    has(&run.stdout, "diagnosis [report-misconfigured]");
    assert!(!run.stdout.contains("[FAIL]"), "{}", run.stdout);
}

/// A generated bill whose `user:environment` key (holding prod, production, stg, …) the
/// profile does not read, because its env keys are only `env`: doctor reads the key anyway,
/// names it with its values and what they normalise to, and the fix is the config line that
/// adds it.
#[test]
fn environment_coverage_names_tag_keys_the_profile_does_not_read() {
    let home = temp("env-keys");
    let out = home.join("cur");
    let generated = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(["demo-data", "--as-of", AS_OF, "--days", "10"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(generated.status.success());
    let file = home.join("curtop.toml");
    std::fs::write(
        &file,
        format!(
            "[profiles.p]\nsource = \"local\"\npath = \"{}\"\n[profiles.p.tags]\nenv = [\"env\"]\n",
            out.display()
        ),
    )
    .unwrap();
    let run = doctor(
        &["--config", file.to_str().unwrap(), "-o", "json"],
        &home,
        false,
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let all = checks(&report, "p");
    let (_, status, code) = check(&all, "environment coverage");
    assert_eq!(
        (status.as_str(), code.as_deref()),
        ("warn", Some("environments-unmapped"))
    );
    let ev = evidence(&report, "p", "environment coverage");
    has(&ev, "of the bill has no environment");
    has(
        &ev,
        "tag key `user:environment`, not in the profile's env keys, holds values",
    );
    has(&ev, "stg → staging");
    let text = report.to_string();
    has(
        &text,
        r#"[profiles.p.tags] env = [\"env\", \"user:environment\"]"#,
    );
}

#[test]
fn a_broken_config_fails_the_first_check_naming_file_line_and_key() {
    let home = temp("config");
    let file = home.join("curtop.toml");
    std::fs::write(
        &file,
        "[profiles.prod]\nsource = \"s3\"\nbucket = \"acme-cur\"\nreprot = \"acme\"\n",
    )
    .unwrap();
    let run = doctor(&["--config", file.to_str().unwrap()], &home, false);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    has(&run.stdout, "[FAIL] config valid");
    has(&run.stdout, "curtop.toml");
    has(&run.stdout, "curtop.toml:4:1");
    has(&run.stdout, "reprot");
    let run = doctor(
        &["--config", file.to_str().unwrap(), "-o", "json"],
        &home,
        false,
    );
    assert_eq!(run.code, Some(2));
    let report = run.json();
    assert_eq!(report["profiles"][0]["checks"][0]["status"], "fail");
}

const CONFIG: &str = r#"
default-profile = "prod"

[profiles.prod]
source = "s3"
bucket = "curtop-doctor"
prefix = "billing"
report = "curtop-demo"
region = "us-east-1"
endpoint-url = "ENDPOINT"

[profiles.assumed]
source = "s3"
bucket = "curtop-doctor"
prefix = "billing"
report = "curtop-demo"
region = "us-east-1"
endpoint-url = "ENDPOINT"
role-arn = "arn:aws:iam::123456789012:role/curtop-reader"
external-id = "curtop-test-external-id"

[profiles.gone]
source = "s3"
bucket = "curtop-doctor-no-such-bucket"
prefix = "billing"
report = "curtop-demo"
region = "us-east-1"
endpoint-url = "ENDPOINT"

[profiles.warehouse]
source = "athena"
database = "athenacurcfn_acme"
table = "acme"
output-location = "s3://acme-athena-results/curtop/"
table-location = "s3://acme-cur-data/cur/acme/acme/"
region = "ap-northeast-2"
endpoint-url = "ENDPOINT"
"#;

fn config(home: &Path) -> PathBuf {
    let file = home.join("curtop.toml");
    std::fs::write(&file, CONFIG.replace("ENDPOINT", &endpoint())).unwrap();
    file
}

#[test]
fn the_iam_policy_grants_only_reads_on_the_configured_resources() {
    let home = temp("iam");
    let file = config(&home);
    let run = doctor(
        &["--config", file.to_str().unwrap(), "--all", "--iam-policy"],
        &home,
        false,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let policy = run.json();
    assert_eq!(policy["Version"], "2012-10-17");
    let reads: BTreeSet<&str> = [
        "s3:ListBucket",
        "s3:GetObject",
        "s3:GetBucketLocation",
        "athena:StartQueryExecution",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
        "athena:StopQueryExecution",
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetPartitions",
    ]
    .into_iter()
    .collect();
    let mut actions = BTreeSet::new();
    for st in policy["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        let resources: Vec<String> = match &st["Resource"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|r| r.as_str().unwrap().to_string()).collect(),
            other => panic!("{other}"),
        };
        for a in st["Action"].as_array().unwrap() {
            let a = a.as_str().unwrap();
            actions.insert(a.to_string());
            assert!(!a.contains('*'), "no wildcard actions: {a}");
            if a == "s3:PutObject" {
                // Athena writes its results, and only there.
                assert_eq!(resources, ["arn:aws:s3:::acme-athena-results/curtop/*"]);
            } else {
                assert!(reads.contains(a), "not a read action: {a}");
            }
        }
        for r in &resources {
            assert_ne!(r, "*", "no resource wildcard: {st}");
            if let Some(s3) = r.strip_prefix("arn:aws:s3:::") {
                assert!(
                    s3 == "curtop-doctor"
                        || s3 == "curtop-doctor/billing/curtop-demo/*"
                        || s3 == "curtop-doctor-no-such-bucket"
                        || s3 == "curtop-doctor-no-such-bucket/billing/curtop-demo/*"
                        || s3.starts_with("acme-athena-results")
                        || s3 == "acme-cur-data"
                        || s3 == "acme-cur-data/cur/acme/acme/*",
                    "S3 beyond the CUR and the output location: {r}"
                );
            }
            if r.starts_with("arn:aws:athena:") {
                assert_eq!(r, "arn:aws:athena:ap-northeast-2:*:workgroup/primary");
            }
            if let Some(g) = r.strip_prefix("arn:aws:glue:ap-northeast-2:*:") {
                assert!(
                    g == "catalog"
                        || g == "database/athenacurcfn_acme"
                        || g.starts_with("table/athenacurcfn_acme/"),
                    "Glue beyond the CUR database: {r}"
                );
            }
        }
        if st["Action"] == json!(["s3:ListBucket"]) && resources == ["arn:aws:s3:::curtop-doctor"] {
            assert_eq!(
                st["Condition"]["StringLike"]["s3:prefix"],
                json!(["billing/curtop-demo/*", "billing/curtop-demo/"])
            );
        }
    }
    for needed in [
        "s3:ListBucket",
        "s3:GetObject",
        "athena:GetQueryResults",
        "glue:GetTable",
    ] {
        assert!(actions.contains(needed), "{needed} missing: {actions:?}");
    }
}

#[test]
fn an_athena_policy_without_the_tables_location_says_what_it_lacks_and_exits_1() {
    let home = temp("iam-no-location");
    let file = home.join("curtop.toml");
    // Nothing answers at that endpoint: the live lookup fails at once, and no key is set.
    std::fs::write(
        &file,
        "[profiles.warehouse]\nsource = \"athena\"\ndatabase = \"d\"\ntable = \"t\"\n\
         region = \"us-east-1\"\nendpoint-url = \"http://127.0.0.1:1\"\nmax-attempts = 1\n",
    )
    .unwrap();
    let run = doctor(
        &["--config", file.to_str().unwrap(), "--iam-policy"],
        &home,
        false,
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("profile `warehouse`") && run.stderr.contains("table-location"),
        "{}",
        run.stderr
    );
    // The policy is still printed, for the rest of what it grants.
    assert_eq!(run.json()["Version"], "2012-10-17");
}

#[test]
fn the_iam_policy_takes_the_tables_location_from_the_catalog() {
    // The catalog's location wins over a stale key, and is enough without one.
    moto::glue_table(
        "eu-west-3",
        "athenacurcfn_live",
        "live",
        "s3://live-cur-data/cur/live/live/",
    );
    let home = temp("iam-live-location");
    let file = home.join("curtop.toml");
    let profile = |name: &str, extra: &str| {
        format!(
            "[profiles.{name}]\nsource = \"athena\"\ndatabase = \"athenacurcfn_live\"\n\
             table = \"live\"\nregion = \"eu-west-3\"\nendpoint-url = \"{}\"\n{extra}",
            endpoint()
        )
    };
    std::fs::write(
        &file,
        format!(
            "default-profile = \"keyless\"\n{}{}",
            profile("keyless", ""),
            profile("stale", "table-location = \"s3://old-cur-data/\"\n")
        ),
    )
    .unwrap();
    let run = doctor(
        &["--config", file.to_str().unwrap(), "--all", "--iam-policy"],
        &home,
        true,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = run.json().to_string();
    assert!(
        text.contains("arn:aws:s3:::live-cur-data/cur/live/live/*"),
        "{text}"
    );
    assert!(text.contains("\"arn:aws:s3:::live-cur-data\""), "{text}");
    assert!(!text.contains("old-cur-data"), "{text}");
}

/// Uploads a generated delivery to the test server's `curtop-doctor` bucket.
fn upload_delivery() {
    let mut spec = DemoSpec::demo(11, 5, as_of());
    spec.scale = Scale::tiny();
    spec.prefix = String::new();
    let (store, _) = generate_in_memory(&spec).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(curtop::source::aws::https_client())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(endpoint())
            .load()
            .await;
        let c = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let _ = c.create_bucket().bucket("curtop-doctor").send().await;
        for key in store.keys() {
            c.put_object()
                .bucket("curtop-doctor")
                .key(format!("billing/{key}"))
                .body(ByteStream::from(store.get(key).unwrap().to_vec()))
                .send()
                .await
                .unwrap();
        }
    });
}

#[test]
fn s3_profiles_show_the_identity_the_role_and_where_the_chain_breaks() {
    upload_delivery();
    let home = temp("s3");
    let file = config(&home);
    let f = file.to_str().unwrap();

    let run = doctor(&["--config", f, "-o", "json"], &home, true);
    let report = run.json();
    let prod = checks(&report, "prod");
    let names: Vec<&str> = prod.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "config valid",
            "credentials resolve",
            "role assumable",
            "bucket reachable in its region",
            "manifest present and fresh",
            "report settings",
            "required columns present",
            "tag coverage",
            "environment coverage"
        ]
    );
    for (name, status, _) in &prod {
        let expected = match name.as_str() {
            "role assumable" => "skipped",
            _ => "pass",
        };
        assert_eq!(status, expected, "{name}: {prod:?}");
    }
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let settings = evidence(&report, "prod", "report settings");
    assert!(settings.contains("format GZIP CSV"), "{settings}");
    assert!(settings.contains("versioning create-new"), "{settings}");
    let fresh = evidence(&report, "prod", "manifest present and fresh");
    // The server stamps the upload with its own clock, after the date the run is as of.
    assert!(
        fresh.contains("after the moment checked (2026-11-18 00:00 UTC)"),
        "{fresh}"
    );
    let who = evidence(&report, "prod", "credentials resolve");
    assert!(who.contains("account 123456789012"), "{who}");
    assert!(who.contains("principal arn:aws:"), "{who}");

    let run = doctor(
        &["--config", f, "--profile", "assumed", "-o", "json"],
        &home,
        true,
    );
    let report = run.json();
    assert_eq!(
        check(&checks(&report, "assumed"), "role assumable").1,
        "pass"
    );
    let role = evidence(&report, "assumed", "role assumable");
    assert!(
        role.contains("assumed arn:aws:iam::123456789012:role/curtop-reader"),
        "{role}"
    );
    assert!(role.contains("assumed-role/curtop-reader"), "{role}");

    let run = doctor(&["--config", f, "--profile", "gone"], &home, true);
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    has(&run.stdout, "  [FAIL] bucket reachable in its region\n");
    has(&run.stdout, "diagnosis [bucket-not-found]");
    has(
        &run.stdout,
        "  [skip] manifest present and fresh (because `bucket reachable in its region` failed)",
    );

    // No credentials anywhere: the chain stops at the second check, and no key is printed.
    let run = doctor(&["--config", f, "-o", "json"], &home, false);
    assert_eq!(run.code, Some(2));
    let report = run.json();
    let prod = checks(&report, "prod");
    assert_eq!(
        prod[1],
        (
            "credentials resolve".into(),
            "fail".into(),
            Some("credentials-missing".into())
        )
    );
    assert!(prod[2..].iter().all(|c| c.1 == "skipped"), "{prod:?}");
    assert!(!run.stdout.contains("testing-secret"), "{}", run.stdout);
}

/// The answer to the doctor's `SELECT 1`.
fn probe() -> Value {
    result(&["_col0"], &[vec![Some("1".into())]])
}

fn schema() -> Value {
    let columns = [
        "line_item_line_item_type",
        "line_item_usage_start_date",
        "line_item_unblended_cost",
        "line_item_usage_account_id",
        "line_item_product_code",
        "line_item_usage_type",
        "line_item_resource_id",
        "split_line_item_parent_resource_id",
        "split_line_item_split_cost",
        "resource_tags_aws_eks_cluster_name",
        "year",
        "month",
    ];
    let cell = |s: &str| Some(s.to_string());
    let mut rows: Vec<Vec<Option<String>>> = columns
        .iter()
        .map(|c| vec![cell("acme"), cell(c), cell("varchar")])
        .collect();
    rows.push(vec![
        cell("cost_and_usage_data_status"),
        cell("status"),
        cell("varchar"),
    ]);
    result(&["table_name", "column_name", "data_type"], &rows)
}

#[test]
fn athena_checks_name_the_table_layout_the_query_and_the_data_status() {
    let region = "ap-northeast-2";
    let home = temp("athena");
    let file = config(&home);
    let f = file.to_str().unwrap();
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let header = result_columns(&plan);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();

    // The query runs, the data is still being updated by AWS.
    queue(
        region,
        &[
            probe(),
            schema(),
            result(&header, &[]),
            result(&["status"], &[vec![Some("UPDATING".into())]]),
        ],
    );
    let run = doctor(
        &["--config", f, "--profile", "warehouse", "-o", "json"],
        &home,
        true,
    );
    let report = run.json();
    let all = checks(&report, "warehouse");
    assert_eq!(check(&all, "credentials resolve").1, "pass", "{all:?}");
    assert_eq!(check(&all, "database and table found").1, "pass", "{all:?}");
    assert_eq!(check(&all, "test query").1, "pass", "{all:?}");
    assert_eq!(
        check(&all, "data status READY"),
        &(
            "data status READY".to_string(),
            "warn".to_string(),
            Some("data-updating".to_string())
        )
    );
    assert_eq!(check(&all, "output location writable").1, "pass", "{all:?}");
    let written = evidence(&report, "warehouse", "output location writable");
    assert!(
        written.contains("SELECT 1 ran as query")
            && written.contains("s3://acme-athena-results/curtop/"),
        "{written}"
    );
    let table = evidence(&report, "warehouse", "database and table found");
    assert!(table.contains("partitioned by year/month"), "{table}");
    let query = evidence(&report, "warehouse", "test query");
    assert!(
        query.contains("facts query ") && query.contains("scanned"),
        "{query}"
    );
    assert!(
        evidence(&report, "warehouse", "data status READY")
            .contains("cost_and_usage_data_status: UPDATING")
    );
    assert_eq!(run.code, Some(1), "{}", run.stdout);

    // The facts query fails: the test query check carries Athena's reason and the query id;
    // the rest is skipped.
    queue(
        region,
        &[
            probe(),
            schema(),
            outcome(
                "FAILED",
                "PERMISSION_ERROR: Permission denied on S3 path: s3://acme-cur/cur/acme/year=2024/month=2/part-0.parquet",
            ),
        ],
    );
    let run = doctor(&["--config", f, "--profile", "warehouse"], &home, true);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    has(&run.stdout, "  [FAIL] test query\n");
    has(&run.stdout, "diagnosis [access-denied]");
    has(&run.stdout, "Permission denied on S3 path");
    has(
        &run.stdout,
        "aws athena get-query-execution --query-execution-id",
    );
    has(&run.stdout, "  [pass] output location writable\n");
    has(
        &run.stdout,
        "  [skip] data status READY (because `test query` failed)",
    );

    // The probe itself fails: Athena cannot write to the output location. Nothing else runs.
    queue(
        region,
        &[outcome(
            "FAILED",
            "Unable to verify/create output bucket acme-athena-results",
        )],
    );
    let run = doctor(&["--config", f, "--profile", "warehouse"], &home, true);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    has(&run.stdout, "  [FAIL] output location writable\n");
    has(&run.stdout, "diagnosis [athena-output-location]");
    has(
        &run.stdout,
        "  [skip] database and table found (because `output location writable` failed)",
    );
}

#[test]
fn doctor_rejects_report_flags_and_unknown_output() {
    let home = temp("args");
    let run = doctor(&["-o", "yaml"], &home, false);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("[possible values: text, json]"),
        "{}",
        run.stderr
    );
    let run = doctor(&["--by", "namespace"], &home, false);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("belong to `curtop report`"),
        "{}",
        run.stderr
    );
}
