//! FOCUS exports read into facts: the real FOCUS 1.0 sample in `../shared/cur-samples/` against
//! `DuckDB`'s sums over the same file (`DuckDB` from the test virtualenv, `CURTOP_TEST_PYTHON`,
//! which `scripts/test.sh` exports), FOCUS 1.0 against 1.2 column sets, a missing required
//! column, malformed rows, corrections, currencies never added, and Kubernetes costs from the
//! providers' tags.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use common::{sample, temp_dir};
use curtop::clock::AsOf;
use curtop::config::Config;
use curtop::cur::attribution::Category;
use curtop::cur::metrics::Metric;
use curtop::cur::money::Money;
use curtop::facts::{Dim, Facts};
use curtop::source::error::SourceError;
use curtop::source::{Loaded, ReadRequest, load};
use curtop::window::WindowSpec;

const SAMPLE: &str = "focus-1.0-sample-1000rows.csv";

/// Reads `path` as a `focus` profile (with `extra` profile keys), every day kept.
fn read_focus(path: &Path, extra: &str) -> Result<Loaded, SourceError> {
    let text = format!(
        "[profiles.f]\nsource = \"focus\"\npath = {:?}\n{extra}",
        path.display().to_string()
    );
    let config = Config::parse(&text, "t.toml").unwrap();
    let as_of = AsOf::date(NaiveDate::from_ymd_opt(2024, 11, 1).unwrap());
    load(&ReadRequest::new(
        config.default_profile(),
        WindowSpec::All,
        as_of,
    ))
}

/// Cost by a dimension's text, in one metric.
fn by(f: &Facts, d: Dim, m: Metric) -> BTreeMap<String, Money> {
    let mut out: BTreeMap<String, Money> = BTreeMap::new();
    for r in &f.rows {
        *out.entry(f.text(r, d).to_string()).or_default() += r.costs[m];
    }
    out.retain(|_, v| v.0 != 0);
    out
}

/// The codes of a read's warnings.
fn codes(f: &Facts) -> Vec<&str> {
    f.quality.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn total(f: &Facts, m: Metric) -> Money {
    f.rows.iter().map(|r| r.costs[m]).sum()
}

/// `DuckDB`'s `BilledCost` and `EffectiveCost` sums of the sample grouped by `column` (each
/// amount rounded to the nano-dollar first, as curtop stores money), as (billed, effective) in
/// nano-dollars per group.
fn duckdb_sums(column: &str) -> BTreeMap<String, (i64, i64)> {
    let python = std::env::var("CURTOP_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "CURTOP_TEST_PYTHON is not set: the FOCUS sample's totals are checked against \
             DuckDB, which `bash scripts/test.sh` installs into target/test-venv"
        )
    });
    let dir = temp_dir(&format!("focus-duckdb-{column}"));
    let sql = dir.join("q.sql");
    let nanos = |c: &str| {
        format!("CAST(SUM(ROUND(CAST({c} AS DECIMAL(38, 12)), 9)) * 1000000000 AS BIGINT)")
    };
    std::fs::write(
        &sql,
        format!(
            "SELECT coalesce({column}, '') AS k, {} AS billed, {} AS effective \
             FROM focus.sample GROUP BY 1 ORDER BY 1",
            nanos("BilledCost"),
            nanos("EffectiveCost")
        ),
    )
    .unwrap();
    let out = dir.join("out.csv");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/duckdb_query.py");
    let run = Command::new(python)
        .arg(script)
        .args(["focus", "sample"])
        .arg(sample(SAMPLE))
        .arg(&sql)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut sums = BTreeMap::new();
    for rec in csv::Reader::from_path(&out).unwrap().records() {
        let rec = rec.unwrap();
        let (b, e): (i64, i64) = (rec[1].parse().unwrap(), rec[2].parse().unwrap());
        if b != 0 || e != 0 {
            sums.insert(rec[0].to_string(), (b, e));
        }
    }
    sums
}

/// curtop's (unblended, amortized) by a dimension, in nano-dollars.
fn curtop_sums(f: &Facts, d: Dim) -> BTreeMap<String, (i64, i64)> {
    let billed = by(f, d, Metric::Unblended);
    let effective = by(f, d, Metric::Amortized);
    let mut keys: Vec<&String> = billed.keys().chain(effective.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let get = |m: &BTreeMap<String, Money>| m.get(k).map_or(0, |v| v.0);
            (k.clone(), (get(&billed), get(&effective)))
        })
        .collect()
}

#[test]
fn the_real_sample_matches_duckdb_by_service_and_account() {
    let loaded = read_focus(&sample(SAMPLE), "").unwrap();
    let f = &loaded.facts;
    assert_eq!(f.quality.rows_read, 1000);
    assert_eq!(f.quality.malformed_rows, 0, "{:?}", f.quality.examples);
    let all = duckdb_sums("'all'");
    let (billed, effective) = all["all"];
    assert_eq!(total(f, Metric::Unblended).0, billed);
    assert_eq!(total(f, Metric::Amortized).0, effective);
    // FOCUS has no net column: net is the effective cost (docs/focus.md).
    assert_eq!(total(f, Metric::Net).0, effective);
    assert_eq!(curtop_sums(f, Dim::Service), duckdb_sums("ServiceName"));
    assert_eq!(curtop_sums(f, Dim::Account), duckdb_sums("SubAccountId"));
    // The accounts' names (SubAccountName): curtop's sums by name are DuckDB's, and the
    // dashboard's account rows read `name (id)`.
    assert!(!f.account_names.is_empty());
    let mut by_name: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (id, (b, e)) in curtop_sums(f, Dim::Account) {
        let name = f.account_names.get(&id).cloned().unwrap_or_default();
        let sum = by_name.entry(name).or_default();
        sum.0 += b;
        sum.1 += e;
    }
    by_name.retain(|_, (b, e)| *b != 0 || *e != 0);
    assert_eq!(by_name, duckdb_sums("SubAccountName"));
    let row = &f.rows[0];
    let (id, name) = (
        f.text(row, Dim::Account),
        &f.account_names[f.text(row, Dim::Account)],
    );
    assert_eq!(
        curtop::alloc::describe(f, curtop::alloc::Step::Account(row.dim(Dim::Account))).0,
        format!("{name} ({id})")
    );
    assert_eq!(curtop_sums(f, Dim::Provider), duckdb_sums("ProviderName"));
    // Every day's categories sum to the bill.
    let bill: Money = f.bill.values().map(|c| c[Metric::Unblended]).sum();
    assert_eq!(bill.0, billed);
    // FOCUS 1.0 has no SkuMeter and the sample no x_UsageType: said, by name.
    let missing: Vec<&str> = f
        .quality
        .warnings
        .iter()
        .filter(|w| w.code.as_str() == "focus-columns-missing")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(missing.len(), 1, "{:?}", f.quality.warnings);
    assert!(missing[0].contains("SkuMeter"), "{}", missing[0]);
    // Its tags are business tags but for one Azure VM scale set of an AKS node pool, tagged
    // `aks-managed-cluster-name`: that row reaches its cluster, everything else stays
    // unallocated with its service.
    let external: Vec<(&str, &str, &str)> = f
        .rows
        .iter()
        .filter(|r| r.category != Category::Unallocated)
        .map(|r| {
            (
                f.text(r, Dim::Cluster),
                f.text(r, Dim::Service),
                f.text(r, Dim::Provider),
            )
        })
        .collect();
    assert_eq!(
        external,
        [("AnalyticsEngine", "Virtual Machine Scale Sets", "Microsoft")]
    );
}

/// The FOCUS columns of a small file, 1.0 or 1.2, with rows written as `cells`.
fn write_csv(dir: &Path, name: &str, header: &str, rows: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut text = format!("{header}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

const V1_0: &str = "BilledCost,EffectiveCost,ListCost,BillingCurrency,ChargeCategory,ChargeClass,\
                    ChargePeriodStart,ProviderName,ServiceName,SubAccountId,SubAccountName,\
                    ResourceId,ConsumedQuantity,ConsumedUnit,Tags";
/// FOCUS 1.2 adds (among others) `SkuMeter`, `InvoiceId` and `PricingCurrency`.
const V1_2: &str = "BilledCost,EffectiveCost,ListCost,BillingCurrency,ChargeCategory,ChargeClass,\
                    ChargePeriodStart,ProviderName,ServiceName,SubAccountId,SubAccountName,\
                    ResourceId,ConsumedQuantity,ConsumedUnit,Tags,SkuMeter,InvoiceId,\
                    PricingCurrency";

#[test]
fn focus_1_0_and_1_2_read_alike_and_1_2_gives_the_usage_type() {
    let dir = temp_dir("focus-versions");
    let v10 = write_csv(
        &dir,
        "v10.csv",
        V1_0,
        &[
            "2.5,2.0,3.0,USD,Usage,,2024-10-01T00:00:00Z,Microsoft,Virtual Machines,sub-1,Prod,\
           vm-1,1,Hours,",
        ],
    );
    let v12 = write_csv(
        &dir,
        "v12.csv",
        V1_2,
        &[
            "2.5,2.0,3.0,USD,Usage,,2024-10-01T00:00:00Z,Microsoft,Virtual Machines,sub-1,Prod,\
           vm-1,1,Hours,,D4s v5,INV-1,USD",
        ],
    );
    let a = read_focus(&v10, "").unwrap().facts;
    let b = read_focus(&v12, "").unwrap().facts;
    for m in Metric::ALL {
        assert_eq!(total(&a, m), total(&b, m), "{m}");
    }
    assert_eq!(total(&a, Metric::OnDemand), Money::from_f64(3.0).unwrap());
    assert_eq!(
        by(&a, Dim::UsageType, Metric::Unblended)
            .keys()
            .next()
            .unwrap(),
        ""
    );
    assert_eq!(
        by(&b, Dim::UsageType, Metric::Unblended)
            .keys()
            .collect::<Vec<_>>(),
        ["D4s v5"]
    );
    assert!(
        codes(&a).contains(&"focus-columns-missing"),
        "{:?}",
        codes(&a)
    );
    assert!(
        !codes(&b).contains(&"focus-columns-missing"),
        "{:?}",
        codes(&b)
    );
}

#[test]
fn a_missing_required_column_is_a_clear_error() {
    let dir = temp_dir("focus-required");
    let header = V1_0.replace("EffectiveCost,", "");
    let path = write_csv(
        &dir,
        "bill.csv",
        &header,
        &["1,1,USD,Usage,,2024-10-01,AWS,S3,1,a,r,1,GB,"],
    );
    let err = read_focus(&path, "").unwrap_err().to_string();
    assert!(err.contains("EffectiveCost"), "{err}");
    assert!(!err.contains("lineItem/"), "{err}");
}

#[test]
fn malformed_rows_are_counted_and_corrections_kept() {
    let dir = temp_dir("focus-malformed");
    let path = write_csv(
        &dir,
        "bill.csv",
        V1_0,
        &[
            "1.00,1.00,1.00,USD,Usage,,2024-10-01,AWS,Amazon S3,1,a,r1,1,GB,",
            "abc,1.00,1.00,USD,Usage,,2024-10-01,AWS,Amazon S3,1,a,r1,1,GB,",
            "1.00,1.00,1.00,USD,Usage,,not-a-day,AWS,Amazon S3,1,a,r1,1,GB,",
            "1.00,1.00",
            "-0.25,-0.25,0,USD,Adjustment,Correction,2024-10-02,AWS,Amazon S3,1,a,r1,,,",
            // Fewer than half the rows malformed: counted, not an error.
            "1.00,1.00,1.00,USD,Usage,,2024-10-02,AWS,Amazon S3,1,a,r1,1,GB,",
            "1.00,1.00,1.00,USD,Usage,,2024-10-03,AWS,Amazon S3,1,a,r1,1,GB,",
        ],
    );
    let f = read_focus(&path, "").unwrap().facts;
    assert_eq!(f.quality.rows_read, 7);
    assert_eq!(f.quality.malformed_rows, 3, "{:?}", f.quality.examples);
    assert!(
        f.quality.examples[0].reason.contains("BilledCost `abc`"),
        "{:?}",
        f.quality.examples
    );
    assert!(
        f.quality.examples[1].reason.contains("ChargePeriodStart"),
        "{:?}",
        f.quality.examples
    );
    assert_eq!(f.quality.corrections, 1);
    assert_eq!(total(&f, Metric::Unblended), Money::from_f64(2.75).unwrap());
    assert!(codes(&f).contains(&"malformed-rows"), "{:?}", codes(&f));
    assert!(codes(&f).contains(&"corrections"), "{:?}", codes(&f));
}

/// A FOCUS bill in USD (AWS) and EUR (Azure).
fn two_currencies(dir: &Path) -> std::path::PathBuf {
    write_csv(
        dir,
        "bill.csv",
        V1_0,
        &[
            "10.00,10.00,10.00,USD,Usage,,2024-10-01,AWS,Amazon S3,1,a,r1,1,GB,",
            "7.00,7.00,7.00,EUR,Usage,,2024-10-01,Microsoft,Storage,s,b,r2,1,GB,",
            "1.00,1.00,1.00,EUR,Usage,,2024-10-02,Microsoft,Storage,s,b,r2,1,GB,",
        ],
    )
}

#[test]
fn mixed_currencies_are_grouped_never_summed_and_read_one_at_a_time() {
    use curtop::alloc::{Level, LevelKind, Step, View};
    let dir = temp_dir("focus-currencies");
    let path = two_currencies(&dir);
    let f = read_focus(&path, "").unwrap().facts;
    assert_eq!(f.mixed_currencies().as_deref(), Some("EUR, USD"));
    let w = f
        .quality
        .warnings
        .iter()
        .find(|w| w.code.as_str() == "mixed-currencies")
        .unwrap();
    assert!(w.message.contains("EUR 8.00 billed in 2 row(s)"), "{w:?}");
    assert!(w.message.contains("USD 10.00 billed in 1 row(s)"), "{w:?}");
    assert!(w.message.contains("never adds"), "{w:?}");
    // Each row keeps its currency.
    let by_currency = by(&f, Dim::Currency, Metric::Unblended);
    assert_eq!(by_currency["EUR"], Money::from_f64(8.0).unwrap());
    assert_eq!(by_currency["USD"], Money::from_f64(10.0).unwrap());
    // The cost tree starts at the currencies; below each, its own bill.
    let view = View {
        window: curtop::window::Window {
            start: curtop::cur::time::day_of(NaiveDate::from_ymd_opt(2024, 10, 1).unwrap()),
            end: curtop::cur::time::day_of(NaiveDate::from_ymd_opt(2024, 10, 3).unwrap()),
        },
        metric: Metric::Unblended,
        provisional_from: i32::MAX,
        top: LevelKind::Clusters,
    };
    let root = Level::root(&f, &view);
    assert_eq!(root.kind, LevelKind::Currencies);
    let eur = root.rows.iter().find(|r| r.name == "EUR").unwrap();
    assert_eq!(eur.cost, Money::from_f64(8.0).unwrap());
    // One provider in EUR: its clusters directly.
    let below = Level::children(&f, &[eur.step], eur, &view).unwrap();
    assert_eq!(below.kind, LevelKind::Clusters);
    assert_eq!(below.total, eur.cost);
    assert_eq!(below.rows[0].step, Step::Unallocated);
    // `currency` reads one alone.
    let eur = read_focus(&path, "currency = \"eur\"\n").unwrap().facts;
    assert_eq!(
        total(&eur, Metric::Unblended),
        Money::from_f64(8.0).unwrap()
    );
    assert_eq!(eur.quality.rows_other_currency, 1);
    assert_eq!(eur.mixed_currencies(), None);
    assert!(codes(&eur).contains(&"other-currency"), "{:?}", codes(&eur));
}

/// Runs the curtop binary with `args`; (stdout, stderr, exit code).
fn curtop(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(args)
        .env_remove("CURTOP_CONFIG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn report_groups_a_mixed_currency_bill_by_currency_with_a_total_each() {
    let dir = temp_dir("focus-currencies-report");
    let path = two_currencies(&dir);
    let config = dir.join("curtop.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.f]\nsource = \"focus\"\npath = {:?}\n",
            path.display().to_string()
        ),
    )
    .unwrap();
    let cfg = config.display().to_string();
    let base = [
        "report",
        "--config",
        &cfg,
        "--no-cache",
        "--as-of",
        "2024-11-01",
        "--window",
        "2024-10",
        "--metric",
        "unblended",
        "--by",
        "provider",
    ];
    let (table, err, code) = curtop(&base);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("mixed-currencies"), "{err}");
    assert_eq!(
        table,
        "2024-10-01..2024-11-01 · unblended · 2 rows · in EUR, USD: never added, a total per \
         currency\n\
         CURRENCY   PROVIDER     COST   SHARE\n\
         USD        AWS        $10.00  100.0%\n\
         EUR        Microsoft   €8.00  100.0%\n\
         ------------------------------------\n\
         TOTAL EUR              €8.00  100.0%\n\
         TOTAL USD             $10.00  100.0%\n"
    );
    let mut args = base.to_vec();
    args.extend(["-o", "json"]);
    let (json, err, code) = curtop(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["total"].is_null(), "{json}");
    assert_eq!(
        v["totals"],
        serde_json::json!([
            {"currency": "EUR", "cost": 8.0},
            {"currency": "USD", "cost": 10.0}
        ])
    );
    assert_eq!(v["rows"][0]["currency"], "USD");
    assert_eq!(v["rows"][0]["provider"], "AWS");
}

/// FOCUS 1.0 with `ConsumedQuantity` read as the rows' usage: a change of cost told apart into
/// usage and rate by hand. Oct 1–3 (previous) 10 h at $0.10 and $0.05 of tax; Oct 4–6
/// (current) 12 h at $0.12 and $0.07 of tax: usage = (12 − 10) · 0.10 = $0.20, rate =
/// 12 · (0.12 − 0.10) = $0.24, other (tax) = $0.02; Δ = $0.46.
#[test]
fn consumed_quantity_feeds_the_usage_and_rate_parts_of_a_change() {
    use curtop::alloc::View;
    use curtop::alloc::change::{Change, Part};
    use curtop::cur::time::day_of;
    let dir = temp_dir("focus-quantity");
    let path = write_csv(
        &dir,
        "bill.csv",
        V1_0,
        &[
            "1.00,1.00,1.00,USD,Usage,,2024-10-01,AWS,Amazon EC2,1,a,i-1,10,Hours,",
            "0.05,0.05,0.05,USD,Tax,,2024-10-01,AWS,Amazon EC2,1,a,,,,",
            "1.44,1.44,1.44,USD,Usage,,2024-10-04,AWS,Amazon EC2,1,a,i-1,12,Hours,",
            "0.07,0.07,0.07,USD,Tax,,2024-10-04,AWS,Amazon EC2,1,a,,,,",
        ],
    );
    let f = read_focus(&path, "").unwrap().facts;
    let hours: i64 = f.rows.iter().map(|r| r.quantity.0).sum();
    assert_eq!(
        hours, 22_000_000_000,
        "ConsumedQuantity read as the quantity"
    );
    let day = |d: u32| day_of(NaiveDate::from_ymd_opt(2024, 10, d).unwrap());
    let view = View {
        window: curtop::window::Window {
            start: day(4),
            end: day(7),
        },
        metric: Metric::Unblended,
        provisional_from: i32::MAX,
        top: curtop::alloc::LevelKind::Clusters,
    };
    let all: Vec<u32> = (0..f.rows.len() as u32).collect();
    let parts = Change::new(&f, &view).parts(&f, &all);
    let cents = |c: f64| Money::from_f64(c / 100.0).unwrap();
    assert_eq!(parts.get(Part::Usage), cents(20.0));
    assert_eq!(parts.get(Part::Rate), cents(24.0));
    assert_eq!(parts.get(Part::Other), cents(2.0));
    assert_eq!(parts.get(Part::New), Money::ZERO);
    assert_eq!(parts.sum(), cents(46.0));
}

#[test]
fn kubernetes_costs_come_from_each_providers_tags() {
    let dir = temp_dir("focus-tags");
    let gke = r#""{""goog-k8s-cluster-name"": ""gke-prod"", ""k8s-namespace"": ""shop""}""#;
    let aks = r#""{""aks-managed-cluster-name"": ""aks-eu"", ""aks-managed-poolName"": ""np1""}""#;
    let eks = r#""{""aws:eks:cluster-name"": ""eks-use1"", ""kubernetes_namespace"": ""api""}""#;
    let path = write_csv(
        &dir,
        "bill.csv",
        V1_0,
        &[
            &format!(
                "4.00,4.00,4.00,USD,Usage,,2024-10-01,Google Cloud,Compute Engine,p,g,vm,1,h,{gke}"
            ),
            &format!(
                "3.00,3.00,3.00,USD,Usage,,2024-10-01,Microsoft,Virtual Machines,s,a,vmss,1,h,{aks}"
            ),
            &format!(
                "2.00,2.00,2.00,USD,Usage,,2024-10-01,AWS,Amazon Elastic Block Store,1,e,vol,1,GB,{eks}"
            ),
            "1.00,1.00,1.00,USD,Usage,,2024-10-01,Microsoft,Storage,s,a,disk,1,GB,",
        ],
    );
    let f = read_focus(&path, "").unwrap().facts;
    let m = Metric::Unblended;
    let d = |v: f64| Money::from_f64(v).unwrap();
    let clusters = by(&f, Dim::Cluster, m);
    assert_eq!(clusters["gke-prod"], d(4.0));
    assert_eq!(clusters["aks-eu"], d(3.0));
    assert_eq!(clusters["eks-use1"], d(2.0));
    // What no tag attributes stays unallocated, with its service.
    assert_eq!(clusters[""], d(1.0));
    let unallocated: Vec<(&str, &str)> = f
        .rows
        .iter()
        .filter(|r| r.category == Category::Unallocated)
        .map(|r| (f.text(r, Dim::Service), f.text(r, Dim::Provider)))
        .collect();
    assert_eq!(unallocated, [("Storage", "Microsoft")]);
    let ns = by(&f, Dim::Namespace, m);
    assert_eq!(ns["shop"], d(4.0));
    assert_eq!(ns["api"], d(2.0));
}

/// The demo bill (tiny company, 12 days) in `layout`, read with a FOCUS profile's mapping.
fn demo_facts(layout: curtop::demo::Layout) -> Facts {
    let mut spec =
        curtop::demo::DemoSpec::demo(7, 12, NaiveDate::from_ymd_opt(2024, 3, 6).unwrap());
    spec.scale = curtop::demo::Scale::tiny();
    spec.layout = layout;
    let (store, _) = curtop::source::demo::generate_in_memory(&spec).unwrap();
    let delivery = curtop::source::discover::discover(&store, "generated").unwrap();
    let mapping = curtop::source::focus::provider_mapping(&curtop::config::TagMapping::default());
    common::read_with(&store, &delivery, &mapping).unwrap()
}

/// Cost by (the texts of) several dimensions, in one metric, over rows `keep` selects.
fn by_dims(
    f: &Facts,
    dims: &[Dim],
    m: Metric,
    keep: impl Fn(&curtop::facts::FactRow) -> bool,
) -> BTreeMap<Vec<String>, i64> {
    let mut out: BTreeMap<Vec<String>, i64> = BTreeMap::new();
    for r in f.rows.iter().filter(|r| keep(r)) {
        let key = dims.iter().map(|d| f.text(r, *d).to_string()).collect();
        *out.entry(key).or_default() += r.costs[m].0;
    }
    out.retain(|_, v| *v != 0);
    out
}

#[test]
fn the_demo_bill_as_cur_and_as_focus_totals_alike() {
    use curtop::demo::{Cur2Format, Layout, focus_service_name};
    use curtop::facts::FactRow;
    let cur = demo_facts(Layout::Cur2 {
        format: Cur2Format::CsvGz,
    });
    let focus = demo_facts(Layout::Focus {
        other_clouds: false,
    });
    assert_eq!(
        focus.quality.malformed_rows, 0,
        "{:?}",
        focus.quality.examples
    );
    // Nodes only a CUR's split rows reveal (no cluster tag on the instance): FOCUS, without
    // split rows, cannot place them, so they stay unallocated with their service.
    let hidden: std::collections::BTreeSet<String> = focus
        .rows
        .iter()
        .filter(|r| r.category == Category::Unallocated)
        .map(|r| focus.text(r, Dim::Resource))
        .filter(|id| id.starts_with("i-"))
        .map(str::to_string)
        .collect();
    let on_hidden = |f: &Facts, r: &FactRow| hidden.contains(f.text(r, Dim::Node));
    let all = |_: &FactRow| true;
    for m in [Metric::Unblended, Metric::Amortized, Metric::OnDemand] {
        assert_eq!(total(&cur, m), total(&focus, m), "{m}");
        // By service, the CUR's product codes under AWS FOCUS's service names. A CUR's pods on
        // nodes carry their split rows' service (EKS); their dollars are the nodes' (EC2).
        let mut cur_services: BTreeMap<String, i64> = BTreeMap::new();
        for r in &cur.rows {
            let on_node = matches!(r.category, Category::Pod | Category::Idle)
                && !cur.text(r, Dim::Node).is_empty();
            let code = if on_node {
                "AmazonEC2"
            } else {
                cur.text(r, Dim::Service)
            };
            *cur_services
                .entry(focus_service_name(code).to_string())
                .or_default() += r.costs[m].0;
        }
        cur_services.retain(|_, v| *v != 0);
        let focus_services: BTreeMap<String, i64> = by_dims(&focus, &[Dim::Service], m, all)
            .into_iter()
            .map(|(k, v)| (k[0].clone(), v))
            .collect();
        assert_eq!(cur_services, focus_services, "{m}");
        assert_eq!(
            by_dims(&cur, &[Dim::Account], m, all),
            by_dims(&focus, &[Dim::Account], m, all),
            "{m}"
        );
        // Clusters: what the CUR places on nodes FOCUS can see (tagged instances), the
        // control planes, Fargate pods and tagged resources cost each cluster the same; a node
        // is idle in FOCUS where the CUR splits it into pods and idle.
        assert_eq!(
            by_dims(&cur, &[Dim::Cluster], m, |r| !on_hidden(&cur, r)),
            by_dims(&focus, &[Dim::Cluster], m, |r| {
                !hidden.contains(focus.text(r, Dim::Resource))
            }),
            "{m}"
        );
        // The hidden nodes cost the same in both.
        assert_eq!(
            by_dims(&cur, &[], m, |r| on_hidden(&cur, r)),
            by_dims(&focus, &[], m, |r| hidden
                .contains(focus.text(r, Dim::Resource))),
            "{m}"
        );
        // What the tags attribute (external resources) and the control planes: the same
        // clusters and namespaces.
        for category in [Category::External, Category::ControlPlane] {
            let is = |r: &FactRow| r.category == category;
            assert_eq!(
                by_dims(&cur, &[Dim::Cluster, Dim::Namespace], m, is),
                by_dims(&focus, &[Dim::Cluster, Dim::Namespace], m, is),
                "{m} {category}"
            );
        }
    }
    assert!(
        focus
            .rows
            .iter()
            .any(|r| r.category == Category::External && !focus.text(r, Dim::Namespace).is_empty())
    );
}

#[test]
fn the_multicloud_demo_shows_aks_and_gke_beside_aws() {
    use curtop::demo::Layout;
    let f = demo_facts(Layout::Focus { other_clouds: true });
    let providers = by(&f, Dim::Provider, Metric::Amortized);
    assert_eq!(
        providers.keys().collect::<Vec<_>>(),
        ["AWS", "Google Cloud", "Microsoft"]
    );
    let clusters = by_dims(
        &f,
        &[Dim::Provider, Dim::Cluster],
        Metric::Amortized,
        |_| true,
    );
    let key = |p: &str, c: &str| vec![p.to_string(), c.to_string()];
    assert!(clusters.contains_key(&key("Microsoft", "aks-westeurope")));
    assert!(clusters.contains_key(&key("Google Cloud", "gke-europe-west1")));
    // Each provider's untagged storage stays unallocated with its service.
    assert!(clusters.contains_key(&key("Microsoft", "")));
    let ns = by_dims(
        &f,
        &[Dim::Cluster, Dim::Namespace],
        Metric::Amortized,
        |_| true,
    );
    assert!(ns.contains_key(&key("gke-europe-west1", "checkout")));
}

#[test]
fn a_combined_profile_sums_its_sources_and_keeps_currencies_apart() {
    let dir = temp_dir("focus-combined");
    let aws = write_csv(
        &dir,
        "aws.csv",
        V1_0,
        &["10.00,9.00,12.00,USD,Usage,,2024-10-01,AWS,Amazon S3,1,a,r1,1,GB,"],
    );
    let azure = write_csv(
        &dir,
        "azure.csv",
        V1_0,
        &["4.00,4.00,4.00,USD,Usage,,2024-10-02,Microsoft,Storage,s,b,r2,1,GB,"],
    );
    let euro = write_csv(
        &dir,
        "euro.csv",
        V1_0,
        &["3.00,3.00,3.00,EUR,Usage,,2024-10-02,Microsoft,Storage,s,b,r2,1,GB,"],
    );
    let profile = |name: &str, path: &Path| {
        format!(
            "[profiles.{name}]\nsource = \"focus\"\npath = {:?}\n",
            path.display().to_string()
        )
    };
    let read = |text: &str| {
        let config = Config::parse(text, "t.toml").unwrap();
        let as_of = AsOf::date(NaiveDate::from_ymd_opt(2024, 11, 1).unwrap());
        load(&ReadRequest::new(
            config.profile("both").unwrap(),
            WindowSpec::All,
            as_of,
        ))
    };
    let text = format!(
        "default-profile = \"both\"\n{}{}[profiles.both]\nsource = \"combined\"\n\
         sources = [\"aws\", \"azure\"]\n",
        profile("aws", &aws),
        profile("azure", &azure)
    );
    let both = read(&text).unwrap().facts;
    assert_eq!(
        total(&both, Metric::Unblended),
        Money::from_f64(14.0).unwrap()
    );
    assert_eq!(
        total(&both, Metric::Amortized),
        Money::from_f64(13.0).unwrap()
    );
    let providers = by(&both, Dim::Provider, Metric::Unblended);
    assert_eq!(providers["AWS"], Money::from_f64(10.0).unwrap());
    assert_eq!(providers["Microsoft"], Money::from_f64(4.0).unwrap());
    let bill: Money = both.bill.values().map(|c| c[Metric::Unblended]).sum();
    assert_eq!(bill, Money::from_f64(14.0).unwrap());
    let text = format!(
        "default-profile = \"both\"\n{}{}[profiles.both]\nsource = \"combined\"\n\
         sources = [\"aws\", \"euro\"]\n",
        profile("aws", &aws),
        profile("euro", &euro)
    );
    let mixed = read(&text).unwrap().facts;
    assert_eq!(mixed.mixed_currencies().as_deref(), Some("EUR, USD"));
    let currencies = by(&mixed, Dim::Currency, Metric::Unblended);
    assert_eq!(currencies["EUR"], Money::from_f64(3.0).unwrap());
    assert_eq!(currencies["USD"], Money::from_f64(10.0).unwrap());
    assert!(codes(&mixed).contains(&"mixed-currencies"));
}

#[test]
fn a_focus_parquet_file_reads_like_its_csv() {
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, Decimal128Array, Float64Array, RecordBatch, StringArray,
        TimestampMicrosecondArray,
    };
    let dir = temp_dir("focus-parquet");
    let text = |v: &[Option<&str>]| Arc::new(StringArray::from(v.to_vec())) as ArrayRef;
    // 2024-10-01T00:00:00Z and 2024-10-02T05:00:00Z in microseconds.
    let start = TimestampMicrosecondArray::from(vec![1_727_740_800_000_000, 1_727_845_200_000_000])
        .with_timezone("UTC");
    let effective = Decimal128Array::from(vec![Some(25_000_000_000), Some(10_000_000_000)])
        .with_precision_and_scale(20, 10)
        .unwrap();
    let gke = r#"{"goog-k8s-cluster-name": "gke-prod", "k8s-namespace": "shop"}"#;
    let batch = RecordBatch::try_from_iter([
        (
            "BilledCost",
            Arc::new(Float64Array::from(vec![3.0, 1.0])) as ArrayRef,
        ),
        ("EffectiveCost", Arc::new(effective) as ArrayRef),
        ("ListCost", text(&[Some("4.0"), None])),
        ("BillingCurrency", text(&[Some("USD"), Some("USD")])),
        ("ChargeCategory", text(&[Some("Usage"), Some("Usage")])),
        ("ChargeClass", text(&[None, Some("Correction")])),
        ("ChargePeriodStart", Arc::new(start) as ArrayRef),
        (
            "ProviderName",
            text(&[Some("Google Cloud"), Some("Google Cloud")]),
        ),
        (
            "ServiceName",
            text(&[Some("Compute Engine"), Some("Cloud Storage")]),
        ),
        (
            "SubAccountId",
            text(&[Some("acme-prod"), Some("acme-prod")]),
        ),
        ("ResourceId", text(&[Some("vm-1"), Some("bucket-1")])),
        ("Tags", text(&[Some(gke), None])),
    ])
    .unwrap();
    let path = dir.join("part-0.parquet");
    let file = std::fs::File::create(&path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let f = read_focus(&path, "").unwrap().facts;
    assert_eq!(f.quality.malformed_rows, 0, "{:?}", f.quality.examples);
    assert_eq!(f.quality.rows_read, 2);
    assert_eq!(f.quality.corrections, 1);
    let d = |v: f64| Money::from_f64(v).unwrap();
    assert_eq!(total(&f, Metric::Unblended), d(4.0));
    assert_eq!(total(&f, Metric::Amortized), d(3.5));
    assert_eq!(total(&f, Metric::OnDemand), d(4.0));
    assert!(f.quality.sub_daily_seen);
    let ns = by_dims(
        &f,
        &[Dim::Cluster, Dim::Namespace],
        Metric::Amortized,
        |_| true,
    );
    assert_eq!(
        ns[&vec!["gke-prod".to_string(), "shop".to_string()]],
        d(2.5).0
    );
    assert_eq!(ns[&vec![String::new(), String::new()]], d(1.0).0);
}
