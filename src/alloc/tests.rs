//! The cost tree on the demo bill: every parent is the sum of its children, at every level.

use super::*;
use crate::config::Config;
use crate::source;
use crate::window::WindowSpec;

fn demo() -> (Facts, View) {
    let config = Config::demo();
    let today = crate::clock::AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
    let loaded = source::load(&source::ReadRequest::new(
        config.default_profile(),
        WindowSpec::All,
        today,
    ))
    .unwrap();
    let (first, last) = loaded.facts.day_range().unwrap();
    let view = View {
        window: Window {
            start: last - 6,
            end: last + 1,
        },
        metric: Metric::Amortized,
        provisional_from: last - 1,
    };
    assert!(first < last - 13, "the demo holds two windows of a week");
    (loaded.facts, view)
}

/// Walks every level below `path` and asserts each parent equals its children.
fn check_partition(
    facts: &Facts,
    path: &mut Vec<Step>,
    level: &Level,
    view: &View,
    depth: usize,
) -> usize {
    let mut levels = 1;
    for row in &level.rows {
        path.push(row.step);
        if let Some(children) = Level::children(facts, path, row, view) {
            assert_eq!(children.total, row.cost, "{path:?}");
            assert_eq!(children.prev_total, row.prev, "{path:?}");
            assert_eq!(row.series.iter().copied().sum::<Money>(), row.cost);
            // Only the costliest branch is walked deeply, to keep the test quick.
            if depth < 6 && (row.step == level.rows[0].step || depth < 2) {
                levels += check_partition(facts, path, &children, view, depth + 1);
            }
        }
        path.pop();
    }
    levels
}

#[test]
fn the_root_is_the_bill_and_every_parent_is_the_sum_of_its_children() {
    let (facts, view) = demo();
    for metric in Metric::ALL {
        let view = View { metric, ..view };
        let root = Level::root(&facts, &view);
        let bill = facts.bill_total(view.window.start, view.window.end);
        assert_eq!(root.total, bill[metric], "{metric:?}");
        let prev = view.window.previous();
        assert_eq!(
            root.prev_total,
            facts.bill_total(prev.start, prev.end)[metric]
        );
        let walked = check_partition(&facts, &mut Vec::new(), &root, &view, 0);
        assert!(walked > 20, "walked only {walked} levels");
    }
}

#[test]
fn drilling_reaches_pods_with_their_detail() {
    let (facts, view) = demo();
    let root = Level::root(&facts, &view);
    let steps: Vec<Step> = root.rows.iter().map(|r| r.step).collect();
    assert!(steps.contains(&Step::Unallocated));
    let cluster = root
        .rows
        .iter()
        .find(|r| matches!(r.step, Step::Cluster(_)))
        .unwrap();
    let mut path = vec![cluster.step];
    let level = Level::children(&facts, &path, cluster, &view).unwrap();
    let kinds: Vec<&str> = level.rows.iter().map(|r| r.kind.as_str()).collect();
    for k in ["namespace", "idle", "control-plane"] {
        assert!(kinds.contains(&k), "{kinds:?} lacks {k}");
    }
    let ns = level
        .rows
        .iter()
        .filter(|r| matches!(r.step, Step::Namespace(_)))
        .max_by_key(|r| r.facts.len())
        .unwrap();
    path.push(ns.step);
    let workloads = Level::children(&facts, &path, ns, &view).unwrap();
    let wl = workloads
        .rows
        .iter()
        .find(|r| matches!(r.step, Step::Workload { name, .. } if name != NONE))
        .unwrap();
    path.push(wl.step);
    let pods = Level::children(&facts, &path, wl, &view).unwrap();
    let pod = pods
        .rows
        .iter()
        .find(|r| matches!(r.step, Step::Pod(_)))
        .unwrap();
    path.push(pod.step);
    let d = detail(&facts, &path, pod, &view);
    let p = d.pod.as_ref().unwrap();
    assert!(p.arn.starts_with("arn:aws:eks:"), "{}", p.arn);
    assert!(!p.nodes.is_empty());
    assert!(p.cpu > Money::ZERO && p.memory > Money::ZERO, "{p:?}");
    assert_eq!(p.cpu + p.memory + p.other, pod.cost);
    assert_eq!(d.by_day.iter().map(|d| d.1).sum::<Money>(), pod.cost);
    assert_eq!(d.children_noun, Some("usage type"));
    let usage = Level::children(&facts, &path, pod, &view).unwrap();
    path.push(usage.rows[0].step);
    assert_eq!(
        LevelKind::of(&path),
        None,
        "usage types of a pod are a leaf"
    );
}

#[test]
fn unallocated_drills_to_services_usage_types_and_accounts() {
    let (facts, view) = demo();
    let root = Level::root(&facts, &view);
    let un = root
        .rows
        .iter()
        .find(|r| r.step == Step::Unallocated)
        .unwrap();
    let mut path = vec![Step::Unallocated];
    let services = Level::children(&facts, &path, un, &view).unwrap();
    assert_eq!(services.kind, LevelKind::Services);
    let svc = &services.rows[0];
    path.push(svc.step);
    let usage = Level::children(&facts, &path, svc, &view).unwrap();
    path.push(usage.rows[0].step);
    assert_eq!(LevelKind::of(&path), Some(LevelKind::Accounts));
}

#[test]
fn resource_names_are_shortened_from_arns() {
    assert_eq!(
        short_resource("arn:aws:rds:us-east-1:1:db:orders"),
        "orders"
    );
    assert_eq!(short_resource("arn:aws:s3:::my-bucket"), "my-bucket");
    assert_eq!(short_resource("i-0abc"), "i-0abc");
    assert_eq!(
        short_resource("arn:aws:dynamodb:us-east-1:1:table/carts"),
        "carts"
    );
}

#[test]
fn several_providers_put_a_providers_level_above_the_clusters() {
    use crate::cur::line_item::LineItem;
    use crate::cur::money::Money;
    let env = crate::config::EnvRules::default();
    let plan = crate::cur::attribution::TagPlan::new(&crate::config::TagMapping::default(), &[]);
    let mut agg = crate::facts::Aggregator::new(&plan, &env, None);
    let columns = crate::cur::line_item::ColumnSet::default();
    for (provider, cost) in [("AWS", 3.0), ("Microsoft", 2.0), ("", 0.5)] {
        let mut li = LineItem::new(0, "Usage", Money::from_f64(cost).unwrap());
        li.provider = provider;
        li.product_code = "Storage";
        agg.add(&li, &columns);
    }
    let facts = agg.into_partial().finish(Vec::new());
    let view = View {
        window: Window { start: 0, end: 1 },
        metric: Metric::Unblended,
        provisional_from: 1,
    };
    let root = Level::root(&facts, &view);
    assert_eq!(root.kind, LevelKind::Providers);
    let mut names: Vec<&str> = root.rows.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["(no provider)", "AWS", "Microsoft"]);
    assert_eq!(root.total, Money::from_f64(5.5).unwrap());
    // Below a provider its bill reads as a bill of its own: clusters, then as before.
    let azure = root.rows.iter().find(|r| r.name == "Microsoft").unwrap();
    let path = [azure.step];
    let below = Level::children(&facts, &path, azure, &view).unwrap();
    assert_eq!(below.kind, LevelKind::Clusters);
    assert_eq!(below.total, azure.cost);
    let unallocated = &below.rows[0];
    assert_eq!(unallocated.step, Step::Unallocated);
    let path = [azure.step, unallocated.step];
    assert_eq!(LevelKind::of(&path), Some(LevelKind::Services));
}
