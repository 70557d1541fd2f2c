//! What the Athena SQL means, checked by a real SQL engine: `DuckDB` (from `PyPI`, installed into
//! the test virtualenv by `scripts/test.sh`, which exports its Python as `CURTOP_TEST_PYTHON`)
//! runs the query curtop generates over a generated CUR written as Parquet with Athena's column
//! names; its rows, read by the same code that reads Athena's result pages, give the local
//! reader's facts for the same files, to the cent — for the legacy schema and CUR 2.0.
//! Golden files pin the SQL itself for both schemas and for a table without optional columns
//! (`CURTOP_BLESS=1` rewrites them).
#![allow(clippy::unwrap_used)]

mod common;

use common::canonical;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::cur::time::{Day, day_of};
use curtop::demo::{Cur2Format, DemoSpec, Layout, Scale, generate_to_dir};
use curtop::facts::Facts;
use curtop::source::athena::results::ResultRows;
use curtop::source::athena::sql::{Dialect, QuerySpec, TableRef, TableSchema, facts_query};
use curtop::source::local::{ReadOptions, open_local, read_delivery};

fn python() -> String {
    std::env::var("CURTOP_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "CURTOP_TEST_PYTHON is not set: the Athena SQL tests run the SQL in DuckDB, which \
             `bash scripts/test.sh` installs into target/test-venv"
        )
    })
}

fn duckdb(glob: &str, what: &str, out: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/duckdb_query.py");
    let status = Command::new(python())
        .arg(script)
        .args(["cur", "report", glob, what])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn mapping() -> TagMapping {
    let mut m = TagMapping::default();
    m.labels
        .push(("team".into(), TagMapping::label_default_keys("team")));
    m
}

/// Half a cent, in nano-dollars.
const HALF_CENT: i64 = 5_000_000;

fn assert_same_to_the_cent(sql: &Facts, local: &Facts, what: &str) {
    type Canon = BTreeMap<(Day, String, Vec<String>), [i64; 5]>;
    let a = canonical(sql);
    let b = canonical(local);
    let nonzero = |m: &Canon| {
        m.iter()
            .filter(|(_, v)| v[..4].iter().any(|x| x.abs() >= HALF_CENT))
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(nonzero(&a), nonzero(&b), "{what}: the same rows");
    for (k, want) in &b {
        let got = a.get(k).copied().unwrap_or([0; 5]);
        for i in 0..4 {
            assert!(
                (got[i] - want[i]).abs() < HALF_CENT,
                "{what}: {k:?} metric {i}: SQL {} vs local {}",
                got[i],
                want[i]
            );
        }
        // The SQL sums quantities as doubles: equal to a millionth of a unit.
        assert!(
            (got[4] - want[4]).abs() < 1_000,
            "{what}: {k:?} quantity: SQL {} vs local {}",
            got[4],
            want[4]
        );
    }
    assert_eq!(sql.bill.len(), local.bill.len(), "{what}: days");
    for (day, want) in &local.bill {
        let got = sql.bill[day];
        for i in 0..4 {
            assert!(
                (got.0[i].0 - want.0[i].0).abs() < HALF_CENT,
                "{what}: bill of day {day} metric {i}"
            );
        }
    }
}

fn generated(tag: &str, layout: Layout, net: bool) -> (PathBuf, DemoSpec) {
    let dir = common::temp_dir(tag);
    let mut spec = DemoSpec::demo(21, 12, NaiveDate::from_ymd_opt(2024, 3, 6).unwrap());
    spec.scale = Scale::tiny();
    spec.layout = layout;
    spec.with_net = net;
    generate_to_dir(&spec, &dir).unwrap();
    (dir, spec)
}

fn local_facts(dir: &Path, plan: &TagPlan, window: (Day, Day)) -> Facts {
    let (store, delivery) = open_local(dir).unwrap();
    let env = EnvRules::default();
    let opts = ReadOptions {
        plan,
        env: &env,
        window: Some(window),
        progress: None,
        threads: 2,
        currency: None,
    };
    read_delivery(&store, &delivery, &opts).unwrap()
}

fn sql_facts(dir: &Path, glob: &str, plan: &TagPlan, window: (Day, Day)) -> (Facts, String) {
    let glob = format!("{}/{glob}", dir.display());
    let schema_csv = dir.join("schema.csv");
    duckdb(&glob, "--schema", &schema_csv);
    let mut reader = csv::Reader::from_path(&schema_csv).unwrap();
    let cols: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    let schema = TableSchema::new(cols.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let table = TableRef {
        catalog: None,
        database: "cur".into(),
        table: "report".into(),
    };
    let sql = facts_query(&QuerySpec {
        table: &table,
        schema: &schema,
        plan,
        window: Some(window),
        dialect: Dialect::DuckDb,
    })
    .unwrap();
    let sql_file = dir.join("facts.sql");
    std::fs::write(&sql_file, &sql).unwrap();
    let out = dir.join("facts.csv");
    duckdb(&glob, sql_file.to_str().unwrap(), &out);

    let env = EnvRules::default();
    let mut rows = ResultRows::new(plan, &env, schema.column_set());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&out)
        .unwrap();
    let mut records = reader.records();
    let header = records.next().unwrap().unwrap();
    let header: Vec<&str> = header.iter().collect();
    rows.check_header(&header).unwrap();
    for r in records {
        let r = r.unwrap();
        // DuckDB writes SQL NULL as an empty field; the reader treats both alike.
        let cells: Vec<Option<&str>> = r.iter().map(Some).collect();
        rows.add(&cells);
    }
    (rows.finish(), sql)
}

fn check(tag: &str, layout: Layout, net: bool, glob: &str) {
    let (dir, spec) = generated(tag, layout, net);
    let plan = TagPlan::new(&mapping(), &["cost-center".to_string()]);
    // A window across the month boundary, cutting days off both ends: partitions of both
    // months are read, days outside are not.
    let end = day_of(spec.end);
    let window = (end - 9, end - 2);
    let local = local_facts(&dir, &plan, window);
    assert!(local.rows.len() > 50, "{tag}: a real bill");
    assert!(
        local
            .quality
            .warnings
            .iter()
            .all(|w| w.code != curtop::facts::WarningCode::Reconciliation)
    );
    let (sql, text) = sql_facts(&dir, glob, &plan, window);
    assert_eq!(
        sql.quality.malformed_rows, 0,
        "{tag}: {:?}",
        sql.quality.examples
    );
    assert!(
        text.contains("2024") && text.contains("TIMESTAMP"),
        "{tag}: the window is in the SQL"
    );
    assert_same_to_the_cent(&sql, &local, tag);
    // Every category the generator makes is there, so the comparison is not vacuous.
    let cats: std::collections::BTreeSet<&str> =
        sql.rows.iter().map(|r| r.category.name()).collect();
    for c in ["pod", "idle", "external", "control-plane", "unallocated"] {
        assert!(cats.contains(c), "{tag}: no {c} rows in {cats:?}");
    }
}

#[test]
fn the_sql_run_by_duckdb_gives_the_local_facts_for_legacy_parquet() {
    check(
        "athena-sql-legacy",
        Layout::LegacyParquet,
        true,
        "**/year=*/month=*/*.parquet",
    );
}

#[test]
fn the_sql_run_by_duckdb_gives_the_local_facts_for_cur2() {
    check(
        "athena-sql-cur2",
        Layout::Cur2 {
            format: Cur2Format::Parquet,
        },
        false,
        "**/data/BILLING_PERIOD=*/*.parquet",
    );
}

// ---- golden SQL ----

fn golden(name: &str, sql: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sql")
        .join(name);
    if std::env::var_os("CURTOP_BLESS").is_some() {
        std::fs::write(&path, sql).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing; run with CURTOP_BLESS=1", path.display()));
    assert_eq!(
        sql,
        want,
        "{} differs; if the change is intended, run with CURTOP_BLESS=1",
        path.display()
    );
}

fn golden_sql(columns: &[&str]) -> String {
    let mut cols: Vec<(&str, &str)> = vec![
        ("line_item_line_item_type", "varchar"),
        ("line_item_usage_start_date", "timestamp(3)"),
        ("line_item_unblended_cost", "double"),
    ];
    cols.extend(columns.iter().map(|c| (*c, "varchar")));
    let schema = TableSchema::new(cols);
    let plan = TagPlan::new(&mapping(), &[]);
    let table = TableRef {
        catalog: Some("AwsDataCatalog".into()),
        database: "athenacurcfn_acme".into(),
        table: "acme_hourly".into(),
    };
    let d = |y, m, dd| day_of(NaiveDate::from_ymd_opt(y, m, dd).unwrap());
    facts_query(&QuerySpec {
        table: &table,
        schema: &schema,
        plan: &plan,
        window: Some((d(2024, 2, 20), d(2024, 3, 6))),
        dialect: Dialect::Athena,
    })
    .unwrap()
}

const LEGACY_OPTIONAL: &[&str] = &[
    "line_item_usage_account_id",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_resource_id",
    "line_item_net_unblended_cost",
    "pricing_public_on_demand_cost",
    "reservation_reservation_a_r_n",
    "reservation_effective_cost",
    "reservation_net_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "reservation_net_unused_amortized_upfront_fee_for_billing_period",
    "reservation_net_unused_recurring_fee",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_net_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "split_line_item_parent_resource_id",
    "split_line_item_split_cost",
    "split_line_item_net_split_cost",
    "split_line_item_public_on_demand_split_cost",
    "resource_tags_aws_eks_cluster_name",
    "resource_tags_aws_eks_namespace",
    "resource_tags_aws_eks_deployment",
    "resource_tags_aws_eks_workload_name",
    "resource_tags_aws_eks_workload_type",
    "resource_tags_user_kubernetes_cluster",
    "resource_tags_user_kubernetes_namespace",
    "resource_tags_user_kubernetes_deployment",
    "resource_tags_user_kubernetes_label_team",
    "resource_tags_user_env",
    "year",
    "month",
];

#[test]
fn golden_sql_for_the_legacy_schema() {
    golden("legacy.sql", &golden_sql(LEGACY_OPTIONAL));
}

#[test]
fn golden_sql_for_the_cur2_schema() {
    let mut cols: Vec<&str> = LEGACY_OPTIONAL
        .iter()
        .copied()
        .filter(|c| !c.starts_with("resource_tags_") && *c != "year" && *c != "month")
        .collect();
    cols.extend(["resource_tags", "bill_payer_account_name", "billing_period"]);
    golden("cur2.sql", &golden_sql(&cols));
}

#[test]
fn golden_sql_without_optional_columns() {
    let sql = golden_sql(&[]);
    // No RI, SP, net, split, resource id or tag column is referenced; nothing is pruned.
    for absent in [
        "reservation_",
        "savings_plan_",
        "split_line_item",
        "line_item_resource_id",
        "resource_tags",
        "year =",
        "billing_period",
    ] {
        assert!(!sql.contains(absent), "{absent}");
    }
    golden("minimal.sql", &sql);
}

// ---- doctor's environment scan ----

/// doctor's scan of unmapped tag keys runs in `DuckDB` over the generated bill (legacy: one
/// branch per tag column; CUR 2.0: the tag map unnested): with no key mapped it finds the
/// environment tag's values, only env-like spellings, each with its cost.
fn env_scan(tag: &str, layout: Layout, glob: &str) {
    use curtop::source::athena::sql::env_scan_query;
    let (dir, spec) = generated(tag, layout, false);
    let glob = format!("{}/{glob}", dir.display());
    let schema_csv = dir.join("schema.csv");
    duckdb(&glob, "--schema", &schema_csv);
    let mut reader = csv::Reader::from_path(&schema_csv).unwrap();
    let cols: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    let schema = TableSchema::new(cols.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let table = TableRef {
        catalog: None,
        database: "cur".into(),
        table: "report".into(),
    };
    let plan = TagPlan::new(&mapping(), &[]);
    let end = day_of(spec.end);
    let values: Vec<String> = EnvRules::default()
        .aliases
        .into_iter()
        .map(|(from, _)| from)
        .collect();
    let sql = env_scan_query(
        &QuerySpec {
            table: &table,
            schema: &schema,
            plan: &plan,
            window: Some((end - 9, end - 2)),
            dialect: Dialect::DuckDb,
        },
        &[],
        &values,
    )
    .unwrap();
    let sql_file = dir.join("scan.sql");
    std::fs::write(&sql_file, &sql).unwrap();
    let out = dir.join("scan.csv");
    duckdb(&glob, sql_file.to_str().unwrap(), &out);
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let rows: Vec<(String, String, f64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string(), r[2].parse().unwrap())
        })
        .collect();
    assert!(!rows.is_empty(), "{tag}: {sql}");
    for (id, value, cost) in &rows {
        assert!(!id.starts_with("aws"), "{tag}: {id}");
        assert!(
            values.contains(&value.trim().to_lowercase()),
            "{tag}: {value}"
        );
        assert!(cost.is_finite(), "{tag}: {cost}");
    }
    assert!(rows.iter().any(|r| r.0.contains("env")), "{tag}: {rows:?}");
}

#[test]
fn the_env_scan_run_by_duckdb_finds_environment_values_in_legacy_parquet() {
    env_scan(
        "athena-scan-legacy",
        Layout::LegacyParquet,
        "**/year=*/month=*/*.parquet",
    );
}

#[test]
fn the_env_scan_run_by_duckdb_finds_environment_values_in_cur2() {
    env_scan(
        "athena-scan-cur2",
        Layout::Cur2 {
            format: Cur2Format::Parquet,
        },
        "**/data/BILLING_PERIOD=*/*.parquet",
    );
}
