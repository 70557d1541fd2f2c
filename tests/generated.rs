//! Generated CUR deliveries in every layout AWS writes (legacy CSV in both versioning modes and
//! every compression, legacy Athena Parquet, CUR 2.0 Parquet and CSV), read through curtop's
//! real discovery and readers, must equal the generator's independently computed truth to the
//! nano-dollar: per metric, category, cluster, namespace, pod and day, under the default tag
//! mapping and a mapped alternative schema.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::cur::metrics::Metric;
use curtop::demo::{
    ALT_CLUSTER_KEY, ALT_NAMESPACE_KEY, Allocation, Compression, Cur2Format, DemoSpec, Granularity,
    Layout, NO_CLUSTER, Scale, Versioning,
};
use curtop::facts::{Dim, Facts};
use curtop::source::demo::generate_in_memory;
use curtop::source::discover::discover;
use curtop::source::local::{ReadOptions, read_delivery};

fn layouts() -> Vec<Layout> {
    vec![
        Layout::LegacyCsv {
            versioning: Versioning::CreateNew,
            compression: Compression::Gzip,
            parts: 3,
        },
        Layout::LegacyCsv {
            versioning: Versioning::Overwrite,
            compression: Compression::Zip,
            parts: 2,
        },
        Layout::LegacyCsv {
            versioning: Versioning::Overwrite,
            compression: Compression::None,
            parts: 1,
        },
        Layout::LegacyParquet,
        Layout::Cur2 {
            format: Cur2Format::Parquet,
        },
        Layout::Cur2 {
            format: Cur2Format::CsvGz,
        },
    ]
}

fn spec(seed: u64, layout: Layout) -> DemoSpec {
    let mut s = DemoSpec::demo(seed, 12, NaiveDate::from_ymd_opt(2024, 3, 6).unwrap());
    s.scale = Scale::tiny();
    s.layout = layout;
    s.with_net = seed % 2 == 1;
    s
}

fn alt_mapping() -> TagMapping {
    let mut m = TagMapping::default();
    m.cluster.push(ALT_CLUSTER_KEY.into());
    m.namespace.push(ALT_NAMESPACE_KEY.into());
    m
}

fn read(spec: &DemoSpec, mapping: &TagMapping) -> Facts {
    let (store, _) = generate_in_memory(spec).unwrap();
    let delivery = discover(&store, "generated").unwrap();
    let plan = TagPlan::new(mapping, &[]);
    let env = EnvRules::default();
    let opts = ReadOptions {
        plan: &plan,
        env: &env,
        window: None,
        progress: None,
        threads: 2,
        currency: None,
    };
    read_delivery(&store, &delivery, &opts).unwrap()
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        NO_CLUSTER.to_string()
    } else {
        s.to_string()
    }
}

/// The facts summed the way the truth is keyed.
#[derive(Default, Debug, PartialEq)]
struct Sums {
    total: i64,
    by_category: BTreeMap<String, i64>,
    by_cluster: BTreeMap<String, i64>,
    by_cluster_category: BTreeMap<String, BTreeMap<String, i64>>,
    by_namespace: BTreeMap<String, BTreeMap<String, i64>>,
    by_day: BTreeMap<String, i64>,
    by_pod: BTreeMap<(String, String, String), i64>,
}

fn sums(f: &Facts, m: Metric) -> Sums {
    let mut s = Sums::default();
    for r in &f.rows {
        let v = r.costs[m].0;
        let cluster = or_dash(f.text(r, Dim::Cluster));
        let cat = r.category.name().to_string();
        s.total += v;
        *s.by_category.entry(cat.clone()).or_default() += v;
        *s.by_cluster.entry(cluster.clone()).or_default() += v;
        *s.by_cluster_category
            .entry(cluster.clone())
            .or_default()
            .entry(cat)
            .or_default() += v;
        let ns = f.text(r, Dim::Namespace);
        if !ns.is_empty() {
            *s.by_namespace
                .entry(cluster.clone())
                .or_default()
                .entry(ns.to_string())
                .or_default() += v;
            let pod = f.text(r, Dim::Pod);
            if !pod.is_empty() {
                *s.by_pod
                    .entry((cluster, ns.to_string(), pod.to_string()))
                    .or_default() += v;
            }
        }
        *s.by_day
            .entry(curtop::cur::time::date_of(r.day).to_string())
            .or_default() += v;
    }
    s
}

fn without_zeros<K: Ord + Clone>(m: &BTreeMap<K, i64>) -> BTreeMap<K, i64> {
    m.iter()
        .filter(|(_, v)| **v != 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

fn nested<K: Ord + Clone>(
    m: &BTreeMap<String, BTreeMap<K, i64>>,
) -> BTreeMap<String, BTreeMap<K, i64>> {
    m.iter()
        .map(|(k, v)| (k.clone(), without_zeros(v)))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn assert_matches(f: &Facts, truth: &Allocation, what: &str) {
    for m in Metric::ALL {
        let t = truth.metric(m.name()).unwrap();
        let s = sums(f, m);
        let ctx = format!("{what}, metric {m}");
        assert_eq!(s.total, t.total, "{ctx}: total");
        assert_eq!(
            without_zeros(&s.by_category),
            without_zeros(&t.by_category),
            "{ctx}: by category"
        );
        assert_eq!(
            without_zeros(&s.by_cluster),
            without_zeros(&t.by_cluster),
            "{ctx}: by cluster"
        );
        assert_eq!(
            nested(&s.by_cluster_category),
            nested(&t.by_cluster_category),
            "{ctx}: by cluster, category"
        );
        assert_eq!(
            nested(&s.by_namespace),
            nested(&t.by_namespace),
            "{ctx}: by namespace"
        );
        assert_eq!(
            without_zeros(&s.by_day),
            without_zeros(&t.by_day),
            "{ctx}: by day"
        );
        let mut want_pods = BTreeMap::new();
        for (c, nss) in &truth.by_pod {
            for (ns, pods) in nss {
                for (pod, metrics) in pods {
                    let v = metrics.get(m.name()).copied().unwrap_or(0);
                    want_pods.insert((c.clone(), ns.clone(), pod.clone()), v);
                }
            }
        }
        assert_eq!(
            without_zeros(&s.by_pod),
            without_zeros(&want_pods),
            "{ctx}: by pod"
        );
    }
}

#[test]
fn every_layout_equals_the_truth_to_the_nano_dollar() {
    for layout in layouts() {
        for seed in [11, 12] {
            let spec = spec(seed, layout);
            let (_, truth) = generate_in_memory(&spec).unwrap();
            let facts = read(&spec, &TagMapping::default());
            let what = format!("{layout:?} seed {seed}");
            assert_eq!(
                facts.quality.malformed_rows, 0,
                "{what}: {:?}",
                facts.quality.examples
            );
            assert_eq!(facts.quality.rows_read, truth.rows, "{what}: rows");
            // The generated report is daily, which is the one thing it has to say.
            assert_eq!(spec.granularity, Granularity::Daily);
            let codes: Vec<&str> = facts
                .quality
                .warnings
                .iter()
                .map(|w| w.code.as_str())
                .collect();
            assert_eq!(
                codes,
                ["daily-granularity"],
                "{what}: {:?}",
                facts.quality.warnings
            );
            assert_matches(&facts, &truth.default_mapping, &what);
        }
    }
}

#[test]
fn a_mapped_alternative_schema_attaches_what_the_default_leaves_unallocated() {
    let spec = spec(
        5,
        Layout::LegacyCsv {
            versioning: Versioning::Overwrite,
            compression: Compression::Gzip,
            parts: 2,
        },
    );
    let (_, truth) = generate_in_memory(&spec).unwrap();
    let alt = read(&spec, &alt_mapping());
    assert_matches(&alt, &truth.alt_mapping, "alternative mapping");
    let default = read(&spec, &TagMapping::default());
    let ext = |f: &Facts| {
        sums(f, Metric::Amortized)
            .by_category
            .get("external")
            .copied()
            .unwrap_or(0)
    };
    assert!(
        ext(&alt) > ext(&default),
        "the alternative keys must attach more"
    );
}

#[test]
fn hourly_deliveries_aggregate_to_the_same_daily_truth() {
    let mut spec = spec(
        3,
        Layout::LegacyCsv {
            versioning: Versioning::CreateNew,
            compression: Compression::Gzip,
            parts: 2,
        },
    );
    spec.days = 3;
    spec.granularity = Granularity::Hourly;
    let (_, truth) = generate_in_memory(&spec).unwrap();
    let facts = read(&spec, &TagMapping::default());
    assert_matches(&facts, &truth.default_mapping, "hourly");
    let codes: Vec<&str> = facts
        .quality
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert!(!codes.contains(&"daily-granularity"), "{codes:?}");
}

#[test]
fn a_daily_report_says_hourly_detail_is_unavailable() {
    let spec = spec(
        3,
        Layout::LegacyCsv {
            versioning: Versioning::Overwrite,
            compression: Compression::Gzip,
            parts: 1,
        },
    );
    assert_eq!(spec.granularity, Granularity::Daily);
    let facts = read(&spec, &TagMapping::default());
    assert!(
        facts.quality.rows_read >= 1000,
        "{}",
        facts.quality.rows_read
    );
    let w = facts
        .quality
        .warnings
        .iter()
        .find(|w| w.code == curtop::facts::WarningCode::DailyGranularity)
        .expect("a daily report is named as such");
    assert!(w.message.contains("hourly"), "{}", w.message);
    assert_eq!(
        curtop::diag::diagnose_warning(w).code,
        curtop::diag::DiagCode::ReportMisconfigured
    );
}

#[test]
fn a_report_without_resource_ids_still_totals_and_says_why_pods_are_missing() {
    let mut spec = spec(
        4,
        Layout::LegacyCsv {
            versioning: Versioning::Overwrite,
            compression: Compression::Gzip,
            parts: 1,
        },
    );
    spec.with_resource_ids = false;
    let (_, truth) = generate_in_memory(&spec).unwrap();
    let facts = read(&spec, &TagMapping::default());
    assert_eq!(
        sums(&facts, Metric::Amortized).total,
        truth.default_mapping.amortized.total
    );
    assert!(
        facts
            .quality
            .warnings
            .iter()
            .any(|w| w.code == curtop::facts::WarningCode::NoResourceIds)
    );
    assert!(
        facts
            .rows
            .iter()
            .all(|r| r.category != curtop::cur::attribution::Category::Pod
                || facts.text(r, Dim::Node).is_empty())
    );
}
