//! Reports on a hand-built bill: the comparison's fields and parts, and every format.

use super::*;
use crate::cur::attribution::Category;
use crate::cur::metrics::Costs;
use crate::facts::{Basis, DIMS, NONE, Quantity};

const D: i64 = 1_000_000_000;

/// Two clusters over days 0..14: `prod`'s api doubled its vCPU-hours at the same rate, `dev`'s
/// tax rose, `prod` gained a provisional day.
fn bill() -> Facts {
    let mut f = Facts::default();
    let row = |f: &mut Facts, day: Day, cluster: &str, basis: Basis, dollars: i64, units: i64| {
        let mut dims = [NONE; DIMS];
        dims[Dim::Cluster as usize] = f.strings.intern(cluster);
        dims[Dim::UsageType as usize] = f.strings.intern("vCPU-Hours");
        let costs = Costs([Money(dollars * D); 4]);
        *f.bill.entry(day).or_default() += costs;
        f.rows.push(FactRow {
            day,
            category: Category::Pod,
            basis,
            dims,
            labels: Box::new([]),
            costs,
            quantity: Quantity(units * D),
            shared: crate::facts::NONE,
        });
    };
    row(&mut f, 2, "prod", Basis::Usage, 10, 100);
    row(&mut f, 9, "prod", Basis::Usage, 20, 200);
    row(&mut f, 13, "prod", Basis::Usage, 1, 10);
    row(&mut f, 3, "dev|x", Basis::Other, 4, 0);
    row(&mut f, 10, "dev|x", Basis::Other, 3, 0);
    f
}

fn view() -> View {
    View {
        window: Window { start: 7, end: 14 },
        metric: Metric::Amortized,
        provisional_from: 13,
        top: crate::alloc::LevelKind::Clusters,
    }
}

#[test]
fn a_comparison_gives_previous_delta_and_parts_largest_change_first() {
    let r = build_compare(&bill(), &view(), &[Dimension::Cluster]);
    let c = r.compare.as_ref().unwrap();
    assert_eq!(c.previous, Window { start: 0, end: 7 });
    assert_eq!(r.rows[0].key, vec![Some("prod".to_string())]);
    assert_eq!(r.rows[0].previous, Money(10 * D));
    assert_eq!(r.rows[0].parts.usage, Money(11 * D));
    assert!(r.rows[0].provisional);
    assert_eq!(r.rows[1].parts.other, Money(-D));
    assert!(!r.rows[1].provisional);
    assert_eq!(c.parts.sum(), r.total - c.previous_total);

    let json: serde_json::Value = serde_json::from_str(&r.render(Format::Json, false)).unwrap();
    let row = &json["rows"][0];
    for (field, want) in [
        ("cost", 21.0),
        ("previous", 10.0),
        ("delta", 11.0),
        ("usage", 11.0),
        ("rate", 0.0),
        ("new", 0.0),
        ("gone", 0.0),
        ("other", 0.0),
        ("capacity", 0.0),
        ("use", 0.0),
    ] {
        assert_eq!(row[field].as_f64(), Some(want), "{field}");
    }
    assert_eq!(row["provisional"], true);
    assert_eq!(json["compare"]["delta"].as_f64(), Some(10.0));

    let table = r.render(Format::Table, false);
    assert!(table.contains("against"), "{table}");
    assert!(table.contains("PREVIOUS") && table.contains("USAGE") && table.contains("+$11.00"));
    assert!(table.contains("provisional days (from"), "{table}");
    let csv = r.render(Format::Csv, false);
    assert!(
        csv.starts_with(
            "cluster,cost,previous,delta,usage,rate,new,gone,other,capacity,use,provisional\n"
        ),
        "{csv}"
    );
}

#[test]
fn markdown_is_a_table_for_every_report() {
    let plain = build(
        &bill(),
        Window { start: 7, end: 14 },
        Metric::Amortized,
        &[Dimension::Cluster],
    );
    let md = plain.render(Format::Markdown, false);
    let lines: Vec<&str> = md.lines().collect();
    assert!(
        lines[0].starts_with("**") && lines[0].ends_with("rows**"),
        "{md}"
    );
    assert_eq!(lines[2], "| CLUSTER | COST | SHARE |");
    assert_eq!(lines[3], "| --- | ---: | ---: |");
    assert_eq!(lines[4], "| prod | $21.00 | 87.5% |");
    assert_eq!(lines[5], "| dev\\|x | $3.00 | 12.5% |", "pipes are escaped");
    assert_eq!(lines[6], "| **TOTAL** | **$24.00** | **100.0%** |");
    let md = build_compare(&bill(), &view(), &[Dimension::Cluster]).render(Format::Markdown, false);
    assert!(
        md.contains("| CLUSTER | COST | PREVIOUS | DELTA | USAGE | RATE | NEW | GONE | OTHER | CAPACITY | USE | PROV |"),
        "{md}"
    );
    assert!(md.contains("\\* has cost on provisional days"), "{md}");
}

/// A report of one row whose value is hostile.
fn hostile() -> Report {
    Report {
        window: Window { start: 0, end: 1 },
        metric: Metric::Amortized,
        dims: vec![Dimension::Namespace],
        rows: vec![ReportRow {
            key: vec![Some("evil\u{1b}]0;PWNED\u{7}\u{9b}2J".into())],
            cost: Money(1_000_000_000),
            previous: Money::ZERO,
            parts: crate::alloc::change::Parts::ZERO,
            provisional: false,
            shared_in: Money::ZERO,
        }],
        total: Money(1_000_000_000),
        currency_at: None,
        currency: String::new(),
        compare: None,
        sharing: false,
    }
}

#[test]
fn control_characters_reach_a_terminal_only_escaped() {
    let r = hostile();
    for format in [Format::Table, Format::Csv, Format::Json, Format::Markdown] {
        let out = r.render(format, true);
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{format:?}: {out:?}"
        );
    }
    assert!(
        r.render(Format::Table, false)
            .contains("evil\\e]0;PWNED\\x07\\u{9b}2J")
    );
    assert!(
        r.render(Format::Csv, true)
            .contains("evil\\e]0;PWNED\\x07\\u{9b}2J")
    );
    // JSON escaped for a terminal is still the same JSON.
    let json: serde_json::Value = serde_json::from_str(&r.render(Format::Json, true)).unwrap();
    assert_eq!(
        json["rows"][0]["namespace"],
        "evil\u{1b}]0;PWNED\u{7}\u{9b}2J"
    );
    // To a pipe CSV and JSON are the data as it is.
    assert!(
        r.render(Format::Csv, false)
            .contains("evil\u{1b}]0;PWNED\u{7}\u{9b}2J")
    );
}
