//! The cost tree on the demo bill: every parent is the sum of its children, at every level.

use super::*;
use crate::config::Config;
use crate::source;
use crate::window::WindowSpec;

/// The facts read of the built-in demo profile, its bill generated from `seed` over `days`
/// days up to 2026-03-15.
pub(super) fn demo_facts(seed: u64, days: u32) -> Facts {
    let mut config = Config::demo();
    config.profiles[0].source = crate::config::SourceSpec::Demo { seed, days };
    let today = crate::clock::AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
    source::load(&source::ReadRequest::new(
        config.default_profile(),
        WindowSpec::All,
        today,
    ))
    .unwrap()
    .facts
}

/// The last week of `facts`, amortized, by cluster; the last two days provisional.
fn last_week(facts: &Facts) -> View {
    let (_, last) = facts.day_range().unwrap();
    View {
        window: Window {
            start: last - 6,
            end: last + 1,
        },
        metric: Metric::Amortized,
        provisional_from: last - 1,
        top: LevelKind::Clusters,
    }
}

fn demo() -> (Facts, View) {
    let facts = demo_facts(7, 45);
    let (first, last) = facts.day_range().unwrap();
    let view = last_week(&facts);
    assert!(first < last - 13, "the demo holds two windows of a week");
    (facts, view)
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

/// A random sharing rule set over names that exist in `facts` (and some that do not).
fn random_rules(facts: &Facts, rng: &mut crate::demo::rng::Rng) -> crate::config::Sharing {
    use crate::config::sharing::{
        CostRule, IdleRule, RATIO_ONE, Selector, Sharing, Split, TargetKind, TargetSplit,
    };
    let names = |d: Dim| -> Vec<String> {
        let mut v: Vec<String> = facts
            .rows
            .iter()
            .map(|r| facts.text(r, d).to_string())
            .filter(|s| !s.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v.push(format!("missing-{}", d as u8));
        v
    };
    let (namespaces, clusters, envs, services) = (
        names(Dim::Namespace),
        names(Dim::Cluster),
        names(Dim::Env),
        names(Dim::Service),
    );
    let pick_some = |rng: &mut crate::demo::rng::Rng, from: &[String], most: u64| {
        let mut v: Vec<String> = (0..rng.below(most + 1))
            .map(|_| rng.pick(from).clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let shared_namespaces = pick_some(rng, &namespaces, 2);
    let mut costs = Vec::new();
    for i in 0..rng.below(4) {
        let into = *rng.pick(&[
            TargetKind::Environments,
            TargetKind::Clusters,
            TargetKind::Namespaces,
        ]);
        let pool: Vec<String> = match into {
            TargetKind::Environments => envs.clone(),
            TargetKind::Clusters => clusters.clone(),
            TargetKind::Namespaces => namespaces
                .iter()
                .filter(|n| !shared_namespaces.contains(n))
                .cloned()
                .collect(),
        };
        let targets = pick_some(rng, &pool, 3);
        let split = if rng.below(2) == 0 && !targets.is_empty() {
            // Random ratios summing to one: the last takes what the others leave.
            let mut left = RATIO_ONE;
            let mut ratios = Vec::new();
            for (k, t) in targets.iter().enumerate() {
                let part = if k + 1 == targets.len() {
                    left
                } else {
                    1 + rng.below(left / 2)
                };
                left -= part;
                ratios.push((t.clone(), part));
            }
            TargetSplit::Ratios(ratios)
        } else {
            TargetSplit::Proportional(targets)
        };
        let categories: Vec<Category> = (0..rng.below(3))
            .map(|_| *rng.pick(&Category::ALL))
            .collect();
        costs.push(CostRule {
            name: format!("rule-{i}"),
            select: Selector {
                services: pick_some(rng, &services, 2),
                categories,
                ..Selector::default()
            },
            into,
            split,
        });
    }
    Sharing {
        idle: if rng.below(2) == 0 {
            IdleRule::Share
        } else {
            IdleRule::Keep
        },
        shared_namespaces,
        split: if rng.below(2) == 0 {
            Split::Weighted
        } else {
            Split::Even
        },
        costs,
    }
}

/// For generated bills and random rule sets: every day still sums to its bill, the root of
/// either view equals the bill, every parent equals the sum of its children, what rows say was
/// shared in is what the shared rows hold, and the un-shared facts are untouched.
#[test]
fn sharing_keeps_every_dollar_in_one_place_for_random_rules() {
    for seed in [3_u64, 11] {
        let facts = demo_facts(seed, 21);
        let mut view = last_week(&facts);
        let before = Level::root(&facts, &view);
        let rows_before = facts.rows.clone();
        let mut rng = crate::demo::rng::Rng::derive(&[seed, 16]);
        let mut sharing_rounds = 0;
        for round in 0..6 {
            let rules = random_rules(&facts, &mut rng);
            let shared = sharing::share(&facts, &rules);
            let s = &shared.facts;
            let mut sums: BTreeMap<Day, crate::cur::metrics::Costs> = BTreeMap::new();
            for r in &s.rows {
                *sums.entry(r.day).or_default() += r.costs;
            }
            for (day, bill) in &s.bill {
                assert_eq!(
                    sums.get(day).copied().unwrap_or_default(),
                    *bill,
                    "{rules:?}"
                );
            }
            for top in [LevelKind::Clusters, LevelKind::Envs] {
                view.top = top;
                view.metric = Metric::ALL[round % 4];
                let root = Level::root(s, &view);
                let bill = s.bill_total(view.window.start, view.window.end);
                assert_eq!(root.total, bill[view.metric], "{rules:?}");
                check_partition(s, &mut Vec::new(), &root, &view, 0);
                let moved: Money = s
                    .rows
                    .iter()
                    .filter(|r| r.shared != NONE && view.window.contains(r.day))
                    .map(|r| r.costs[view.metric])
                    .sum();
                let said: Money = root.rows.iter().map(Row::shared_total).sum();
                assert_eq!(said, moved, "{rules:?}");
                sharing_rounds += usize::from(moved != Money::ZERO);
            }
            view.top = LevelKind::Clusters;
            view.metric = Metric::Amortized;
            assert_eq!(
                facts.rows, rows_before,
                "sharing leaves the facts read alone"
            );
            assert_eq!(Level::root(&facts, &view), before);
        }
        assert!(
            sharing_rounds >= 4,
            "only {sharing_rounds} views shared anything"
        );
    }
}

/// The built-in demo names environments by cluster (`env-clusters`): idle rows, which learn
/// their cluster only once nodes are placed, take it too; rows with no cluster get none from
/// that rule (`unassigned` unless their tags say otherwise).
#[test]
fn environment_fallbacks_reach_idle_rows() {
    let facts = demo_facts(7, 21);
    let idle: Vec<&FactRow> = facts
        .rows
        .iter()
        .filter(|r| r.category == Category::Idle && facts.text(r, Dim::Cluster) == "prod-use1")
        .collect();
    assert!(!idle.is_empty());
    assert!(idle.iter().all(|r| facts.text(r, Dim::Env) == "production"));
    let known: Vec<&String> = facts.quality.env_values.values().collect();
    assert!(
        facts
            .rows
            .iter()
            .filter(|r| r.dim(Dim::Cluster) == NONE && r.dim(Dim::Env) != NONE)
            .all(|r| known.iter().any(|v| v.as_str() == facts.text(r, Dim::Env))),
        "an environment without a cluster comes from a tag"
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
    let facts = agg.into_partial().finish(Vec::new(), &env);
    let view = View {
        window: Window { start: 0, end: 1 },
        metric: Metric::Unblended,
        provisional_from: 1,
        top: crate::alloc::LevelKind::Clusters,
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

#[test]
fn several_currencies_put_a_currencies_level_above_each_ones_own_bill() {
    use crate::cur::line_item::LineItem;
    use crate::cur::money::Money;
    let env = crate::config::EnvRules::default();
    let plan = crate::cur::attribution::TagPlan::new(&crate::config::TagMapping::default(), &[]);
    let mut agg = crate::facts::Aggregator::new(&plan, &env, None);
    let columns = crate::cur::line_item::ColumnSet::default();
    for (provider, currency, cost) in [
        ("AWS", "USD", 3.0),
        ("Google Cloud", "USD", 1.0),
        ("Microsoft", "EUR", 2.0),
    ] {
        let mut li = LineItem::new(0, "Usage", Money::from_f64(cost).unwrap());
        li.provider = provider;
        li.currency = currency;
        li.product_code = "Storage";
        agg.add(&li, &columns);
    }
    let facts = agg.into_partial().finish(Vec::new(), &env);
    let mut view = View {
        window: Window { start: 0, end: 1 },
        metric: Metric::Unblended,
        provisional_from: 1,
        top: crate::alloc::LevelKind::Clusters,
    };
    let root = Level::root(&facts, &view);
    assert_eq!(root.kind, LevelKind::Currencies);
    let get = |name: &str| root.rows.iter().find(|r| r.name == name).unwrap();
    let (usd, eur) = (get("USD"), get("EUR"));
    assert_eq!(usd.cost, Money::from_f64(4.0).unwrap());
    assert_eq!(eur.cost, Money::from_f64(2.0).unwrap());
    assert!(usd.has_children(&[]));
    // Two providers in USD: its providers; one in EUR: its clusters at once.
    let below = Level::children(&facts, &[usd.step], usd, &view).unwrap();
    assert_eq!(below.kind, LevelKind::Providers);
    assert_eq!(below.total, usd.cost);
    let aws = below.rows.iter().find(|r| r.name == "AWS").unwrap();
    let path = [usd.step, aws.step];
    assert_eq!(LevelKind::of(&path), Some(LevelKind::Clusters));
    let clusters = Level::children(&facts, &path, aws, &view).unwrap();
    assert_eq!(clusters.total, aws.cost);
    let path = [usd.step, aws.step, clusters.rows[0].step];
    assert_eq!(LevelKind::of(&path), Some(LevelKind::Services));
    let below = Level::children(&facts, &[eur.step], eur, &view).unwrap();
    assert_eq!(below.kind, LevelKind::Clusters);
    // The environment view: currencies, then each one's environments.
    view.top = LevelKind::Envs;
    let root = Level::root(&facts, &view);
    assert_eq!(root.kind, LevelKind::Currencies);
    let eur = root.rows.iter().find(|r| r.name == "EUR").unwrap();
    let below = Level::children(&facts, &[eur.step], eur, &view).unwrap();
    assert_eq!(below.kind, LevelKind::Envs);
    assert_eq!(below.total, eur.cost);
    assert_eq!(
        crate::alloc::plural(LevelKind::Currencies.noun()),
        "currencies"
    );
}
