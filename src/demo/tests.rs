//! Unit tests of the generator against the contract (`docs/allocation.md`).

use chrono::NaiveDate;

use super::row::{Alloc, Row};
use super::*;

fn end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()
}

/// `docs/allocation.md`'s CASE over a row's written fields.
fn case(row: &Row<'_>, with_net: bool) -> [i64; 4] {
    let amortized = |net: bool| -> i64 {
        let pick = |n: Option<i64>, g: Option<i64>| if net { n.or(g) } else { g }.unwrap_or(0);
        match row.line_item_type {
            "SavingsPlanCoveredUsage" => pick(row.sp.net_effective_cost, row.sp.effective_cost),
            "SavingsPlanRecurringFee" => {
                row.sp.total_commitment.unwrap_or(0) - row.sp.used_commitment.unwrap_or(0)
            }
            "SavingsPlanNegation" | "SavingsPlanUpfrontFee" => 0,
            "DiscountedUsage" => pick(row.ri.net_effective_cost, row.ri.effective_cost),
            "RIFee" => {
                pick(
                    row.ri.net_unused_amortized_upfront,
                    row.ri.unused_amortized_upfront,
                ) + pick(row.ri.net_unused_recurring, row.ri.unused_recurring)
            }
            "Fee" if !row.ri.arn.is_empty() => 0,
            _ => {
                if net {
                    row.net_unblended.unwrap_or(row.unblended)
                } else {
                    row.unblended
                }
            }
        }
    };
    let a = amortized(false);
    let n = if with_net && row.net_unblended.is_some() {
        amortized(true)
    } else {
        a
    };
    let od = if row.line_item_type == "SavingsPlanNegation" {
        0
    } else {
        row.on_demand.unwrap_or(0)
    };
    [row.unblended, a, n, od]
}

#[test]
fn every_row_is_priced_as_the_contract_says() {
    for with_net in [false, true] {
        let mut spec = DemoSpec::demo(3, 40, end());
        spec.scale = Scale::tiny();
        spec.with_net = with_net;
        let model = Model::build(&spec);
        let mut n = 0;
        for p in model.periods() {
            model
                .emit_days(&p, p.end_day, model.seed, &mut |row| {
                    n += 1;
                    let overlay = row.operation == "EKSPod-EC2";
                    assert_eq!(
                        overlay,
                        matches!(row.alloc, Alloc::PodSplit { .. } | Alloc::Dropped)
                    );
                    if !overlay {
                        assert_eq!(case(row, with_net), row.metrics, "{row:?}");
                    }
                    Ok(())
                })
                .unwrap();
        }
        assert!(n > 1000);
    }
}

fn check_truth(truth: &Truth) {
    for alloc in [&truth.default_mapping, &truth.alt_mapping] {
        for name in METRICS {
            let m = alloc.metric(name).unwrap();
            assert_eq!(m.by_category.values().sum::<i64>(), m.total, "{name}");
            assert_eq!(m.by_cluster.values().sum::<i64>(), m.total, "{name}");
            assert_eq!(m.by_day.values().sum::<i64>(), m.total, "{name}");
            for (day, cats) in &m.by_day_category {
                assert_eq!(cats.values().sum::<i64>(), m.by_day[day], "{name} {day}");
            }
            for (c, cats) in &m.by_cluster_category {
                assert_eq!(cats.values().sum::<i64>(), m.by_cluster[c], "{name} {c}");
            }
        }
    }
    // The alternative mapping moves dollars from unallocated to external only.
    let (d, a) = (
        &truth.default_mapping.amortized,
        &truth.alt_mapping.amortized,
    );
    assert_eq!(d.total, a.total);
    assert!(a.category("external") > d.category("external"));
    assert_eq!(
        a.category("external") - d.category("external"),
        d.category("unallocated") - a.category("unallocated")
    );
    assert_eq!(a.category("pod"), d.category("pod"));
    // Per node-day, pods' split + unused = the node's amortized compute cost.
    for nd in &truth.node_days {
        if nd.split_plus_unused != 0 {
            assert_eq!(nd.split_plus_unused, nd.compute_amortized, "{nd:?}");
        }
    }
}

#[test]
fn demo_truth_is_self_consistent_and_has_every_category() {
    let spec = DemoSpec::demo(7, 45, end());
    let t0 = std::time::Instant::now();
    let (store, truth) = generate_to_memory(&spec).unwrap();
    let elapsed = t0.elapsed();
    eprintln!(
        "demo: {} rows, {} objects, {elapsed:?}",
        truth.rows,
        store.keys().count()
    );
    check_truth(&truth);
    let m = &truth.default_mapping.amortized;
    for cat in CATEGORIES {
        assert!(m.category(cat) > 0, "{cat}: {m:?}");
    }
    assert_eq!(m.by_cluster.len(), 4, "{:?}", m.by_cluster.keys());
    assert!(m.by_namespace.values().map(BTreeMap::len).sum::<usize>() >= 25);
    // Some node-days are wholly idle.
    assert!(truth.node_days.iter().any(|n| n.split_plus_unused == 0));
    // SP-covered nodes: unblended 0 on the node (covered + negation).
    assert!(truth.default_mapping.unblended.category("idle") != m.category("idle"));
}

use std::collections::BTreeMap;

#[test]
fn hourly_with_net_and_without_resource_ids() {
    let mut spec = DemoSpec::demo(11, 3, end());
    spec.scale = Scale::tiny();
    spec.granularity = Granularity::Hourly;
    spec.with_net = true;
    let (_, truth) = generate_to_memory(&spec).unwrap();
    check_truth(&truth);
    let d = &truth.default_mapping;
    assert!(d.net.total < d.amortized.total);
    assert!(d.net.category("pod") < d.amortized.category("pod"));

    spec.with_resource_ids = false;
    let (store, truth) = generate_to_memory(&spec).unwrap();
    check_truth(&truth);
    let d = &truth.default_mapping.amortized;
    assert_eq!(truth.overlay_rows, 0);
    for cat in ["pod", "idle", "control-plane"] {
        assert_eq!(d.category(cat), 0, "{cat}");
    }
    let part = store
        .keys()
        .find(|k| k.ends_with(".csv.gz"))
        .unwrap()
        .to_string();
    let bytes = store.get(&part).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut text).unwrap();
    let header = text.lines().next().unwrap();
    assert!(!header.contains("lineItem/ResourceId"));
    assert!(!header.contains("splitLineItem/"));
}

#[test]
#[ignore = "timing probe"]
fn timing_probe() {
    let spec = DemoSpec::demo(7, 45, end());
    let t0 = std::time::Instant::now();
    let model = Model::build(&spec);
    eprintln!("build {:?}", t0.elapsed());
    let t0 = std::time::Instant::now();
    let mut n = 0;
    for p in model.periods() {
        model
            .emit_days(&p, p.end_day, model.seed, &mut |_| {
                n += 1;
                Ok(())
            })
            .unwrap();
    }
    eprintln!("emit {n} {:?}", t0.elapsed());
    let cols = super::row::columns(&model);
    let t0 = std::time::Instant::now();
    let mut buf = Vec::new();
    for p in model.periods() {
        model
            .emit_days(&p, p.end_day, model.seed, &mut |r| {
                super::legacy_csv::push_row(&mut buf, &model, &cols, r);
                Ok(())
            })
            .unwrap();
    }
    eprintln!("csv {} {:?}", buf.len(), t0.elapsed());
    let t0 = std::time::Instant::now();
    let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut g, &buf).unwrap();
    eprintln!("gz {} {:?}", g.finish().unwrap().len(), t0.elapsed());
}

#[test]
#[ignore = "writes a sample delivery to /tmp/curtop-demo-sample"]
fn write_sample() {
    let mut spec = DemoSpec::demo(7, 45, end());
    let dir = std::path::Path::new("/tmp/curtop-demo-sample");
    let _ = std::fs::remove_dir_all(dir);
    let t = generate_to_dir(&spec, dir).unwrap();
    eprintln!(
        "cols narrow {}",
        super::row::columns(&Model::build(&spec)).len()
    );
    spec.wide = true;
    eprintln!(
        "cols wide {}",
        super::row::columns(&Model::build(&spec)).len()
    );
    eprintln!("rows {} overlay {}", t.rows, t.overlay_rows);
}

#[test]
#[ignore = "prints the column lists"]
fn print_columns() {
    let mut spec = DemoSpec::demo(7, 2, end());
    spec.with_net = true;
    let m = Model::build(&spec);
    let cols: Vec<String> = super::row::columns(&m)
        .iter()
        .map(super::row::Column::csv_name)
        .collect();
    eprintln!("LEGACY {}", cols.join(" "));
    let c2: Vec<String> = super::parquet::cur2_columns(&m)
        .into_iter()
        .map(|c| c.name)
        .collect();
    eprintln!("CUR2 {}", c2.join(" "));
}
