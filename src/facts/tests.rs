//! Unit tests of the facts built from line items: idle = node − pods, pods never adding to the
//! bill, orphan pods offset, and window, environment normalisation and part merging agreeing
//! in any order.

use super::{Aggregator, Dim, Facts, WarningCode};
use crate::config::{EnvRules, TagMapping};
use crate::cur::attribution::{Category, TagPlan};
use crate::cur::columns::{Field, tag_id};
use crate::cur::line_item::{ColumnSet, LineItem};
use crate::cur::metrics::{Costs, Metric};
use crate::cur::money::Money;
use crate::cur::time::Day;

fn m(d: f64) -> Money {
    Money::from_f64(d).unwrap()
}

struct Fixture {
    plan: TagPlan,
    env: EnvRules,
    cols: ColumnSet,
}

fn fixture() -> Fixture {
    let cols = ColumnSet::with(&[
        Field::LineItemType,
        Field::UsageStartDate,
        Field::UnblendedCost,
        Field::ResourceId,
        Field::SplitCost,
        Field::SplitParentResourceId,
        Field::SpEffectiveCost,
        Field::PublicOnDemandCost,
    ]);
    Fixture {
        plan: TagPlan::new(&TagMapping::default(), &[]),
        env: EnvRules::default(),
        cols,
    }
}

fn tags<'a>(plan: &TagPlan, pairs: &[(&str, &'a str)]) -> Vec<&'a str> {
    let mut v = vec![""; plan.ids.len()];
    for (k, val) in pairs {
        v[plan.ids.iter().position(|x| *x == tag_id(k)).unwrap()] = val;
    }
    v
}

fn total(f: &Facts, cat: Category, metric: Metric) -> Money {
    f.rows
        .iter()
        .filter(|r| r.category == cat)
        .map(|r| r.costs[metric])
        .sum()
}

#[test]
fn node_minus_pods_is_idle_and_pods_never_add_to_the_bill() {
    let fx = fixture();
    let mut agg = Aggregator::new(&fx.plan, &fx.env, None);
    let node_tags = tags(&fx.plan, &[("aws:eks:cluster-name", "prod")]);
    let mut node = LineItem::new(1, "SavingsPlanCoveredUsage", m(1.0));
    node.product_code = "AmazonEC2";
    node.resource_id = "i-1";
    node.set(Field::SpEffectiveCost, m(0.6));
    node.set(Field::PublicOnDemandCost, m(1.0));
    node.tags = &node_tags;
    agg.add(&node, &fx.cols);
    let mut neg = LineItem::new(1, "SavingsPlanNegation", m(-1.0));
    neg.product_code = "AmazonEC2";
    neg.resource_id = "i-1";
    neg.tags = &node_tags;
    agg.add(&neg, &fx.cols);
    let empty = tags(&fx.plan, &[]);
    for (pod, split) in [("a", 0.2), ("b", 0.1)] {
        let arn = format!("arn:aws:eks:us-east-1:1:pod/prod/ns/{pod}/uid");
        let arn: &'static str = Box::leak(arn.into_boxed_str());
        let mut li = LineItem::new(1, "Usage", Money::ZERO);
        li.product_code = "AmazonEKS";
        li.operation = "EKSPod-EC2";
        li.resource_id = arn;
        li.split_parent = "i-1";
        li.set(Field::SplitCost, m(split));
        li.tags = &empty;
        agg.add(&li, &fx.cols);
    }
    let facts = agg.into_partial().finish(vec![], &fx.env);
    assert!(
        facts.quality.warnings.is_empty(),
        "{:?}",
        facts.quality.warnings
    );
    assert_eq!(total(&facts, Category::Pod, Metric::Amortized), m(0.3));
    assert_eq!(total(&facts, Category::Idle, Metric::Amortized), m(0.3));
    // Unblended of an SP-covered node is 0 (usage + negation): pods and idle get 0.
    assert_eq!(total(&facts, Category::Pod, Metric::Unblended), m(0.0));
    // On-demand: pods scale by 1.0/0.6, idle takes the rest of 1.0.
    assert_eq!(total(&facts, Category::Pod, Metric::OnDemand), m(0.5));
    assert_eq!(total(&facts, Category::Idle, Metric::OnDemand), m(0.5));
    assert_eq!(facts.bill[&1], Costs([m(0.0), m(0.6), m(0.6), m(1.0)]));
    assert_eq!(facts.quality.overlay_rows, 2);
    let idle = facts
        .rows
        .iter()
        .find(|r| r.category == Category::Idle)
        .unwrap();
    assert_eq!(facts.text(idle, Dim::Cluster), "prod");
    assert_eq!(facts.text(idle, Dim::Node), "i-1");
}

#[test]
fn untagged_instances_without_pods_stay_unallocated() {
    let fx = fixture();
    let mut agg = Aggregator::new(&fx.plan, &fx.env, None);
    let empty = tags(&fx.plan, &[]);
    let mut li = LineItem::new(3, "Usage", m(2.0));
    li.product_code = "AmazonEC2";
    li.resource_id = "i-9";
    li.tags = &empty;
    agg.add(&li, &fx.cols);
    let facts = agg.into_partial().finish(vec![], &fx.env);
    assert_eq!(facts.rows.len(), 1);
    assert_eq!(facts.rows[0].category, Category::Unallocated);
    assert_eq!(facts.text(&facts.rows[0], Dim::Node), "");
    assert_eq!(facts.text(&facts.rows[0], Dim::Resource), "i-9");
}

#[test]
fn pods_on_unknown_nodes_are_offset_in_unallocated_and_reported() {
    let fx = fixture();
    let mut agg = Aggregator::new(&fx.plan, &fx.env, None);
    let empty = tags(&fx.plan, &[]);
    let mut li = LineItem::new(1, "Usage", Money::ZERO);
    li.operation = "EKSPod-EC2";
    li.resource_id = "arn:aws:eks:us-east-1:1:pod/prod/ns/p/uid";
    li.split_parent = "i-404";
    li.set(Field::SplitCost, m(0.5));
    li.tags = &empty;
    agg.add(&li, &fx.cols);
    let facts = agg.into_partial().finish(vec![], &fx.env);
    let sum: Money = facts.rows.iter().map(|r| r.costs[Metric::Amortized]).sum();
    assert_eq!(sum, Money::ZERO);
    assert!(
        facts
            .quality
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::PodsWithoutNode)
    );
    // The pod keeps its cost; the offset is unallocated, never a negative idle.
    let of = |c: Category| -> Money {
        facts
            .rows
            .iter()
            .filter(|r| r.category == c)
            .map(|r| r.costs[Metric::Amortized])
            .sum()
    };
    assert_eq!(of(Category::Pod), m(0.5));
    assert_eq!(of(Category::Idle), Money::ZERO);
    assert_eq!(of(Category::Unallocated), -m(0.5));
}

#[test]
fn window_and_env_normalization_and_merge_in_any_order_agree() {
    let fx = fixture();
    let build = |days: &[Day]| {
        let mut agg = Aggregator::new(&fx.plan, &fx.env, Some((1, 3)));
        for (i, d) in days.iter().enumerate() {
            let t = tags(
                &fx.plan,
                &[("environment", if i % 2 == 0 { "Prod" } else { "stg" })],
            );
            let mut li = LineItem::new(*d, "Usage", m(1.0));
            li.product_code = "AmazonS3";
            li.tags = &t;
            agg.add(&li, &fx.cols);
        }
        agg.into_partial()
    };
    let mut a = build(&[0, 1, 2]);
    a.merge(build(&[2, 3]));
    let mut b = build(&[2, 3]);
    b.merge(build(&[0, 1, 2]));
    let (fa, fb) = (a.finish(vec![], &fx.env), b.finish(vec![], &fx.env));
    assert_eq!(fa.quality.rows_outside_window, 2);
    let envs = |f: &Facts| {
        let mut v: Vec<(Day, String, Money)> = f
            .rows
            .iter()
            .map(|r| {
                (
                    r.day,
                    f.text(r, Dim::Env).to_string(),
                    r.costs[Metric::Amortized],
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(envs(&fa), envs(&fb));
    assert_eq!(
        envs(&fa),
        [
            (1, "staging".into(), m(1.0)),
            (2, "production".into(), m(2.0))
        ]
    );
}

#[test]
fn pods_beyond_their_node_cost_take_idle_to_zero_and_the_excess_is_named_in_unallocated() {
    let fx = fixture();
    let mut agg = Aggregator::new(&fx.plan, &fx.env, None);
    let node_tags = tags(&fx.plan, &[("aws:eks:cluster-name", "prod")]);
    let empty = tags(&fx.plan, &[]);
    // i-1 costs $1.00 and its pods claim $1.30; i-2 costs $2.00 and its pod $0.50.
    for (id, cost) in [("i-1", 1.0), ("i-2", 2.0)] {
        let mut node = LineItem::new(1, "Usage", m(cost));
        node.product_code = "AmazonEC2";
        node.resource_id = id;
        node.tags = &node_tags;
        agg.add(&node, &fx.cols);
    }
    for (pod, parent, split) in [("a", "i-1", 0.8), ("b", "i-1", 0.5), ("c", "i-2", 0.5)] {
        let arn = format!("arn:aws:eks:us-east-1:1:pod/prod/ns/{pod}/uid");
        let arn: &'static str = Box::leak(arn.into_boxed_str());
        let mut li = LineItem::new(1, "Usage", Money::ZERO);
        li.product_code = "AmazonEKS";
        li.operation = "EKSPod-EC2";
        li.resource_id = arn;
        li.split_parent = parent;
        li.set(Field::SplitCost, m(split));
        li.tags = &empty;
        agg.add(&li, &fx.cols);
    }
    let facts = agg.into_partial().finish(vec![], &fx.env);
    let idle_of = |node: &str| -> Money {
        facts
            .rows
            .iter()
            .filter(|r| r.category == Category::Idle && facts.text(r, Dim::Node) == node)
            .map(|r| r.costs[Metric::Amortized])
            .sum()
    };
    assert_eq!(idle_of("i-1"), Money::ZERO, "never below zero");
    assert_eq!(idle_of("i-2"), m(1.5));
    assert_eq!(total(&facts, Category::Pod, Metric::Amortized), m(1.8));
    let beyond: Vec<_> = facts
        .rows
        .iter()
        .filter(|r| facts.text(r, Dim::UsageType) == super::PODS_BEYOND_NODE_COST)
        .collect();
    assert_eq!(beyond.len(), 1);
    assert_eq!(beyond[0].category, Category::Unallocated);
    assert_eq!(facts.text(beyond[0], Dim::Node), "i-1");
    assert_eq!(beyond[0].costs[Metric::Amortized], m(-0.3));
    let sum: Money = facts.rows.iter().map(|r| r.costs[Metric::Amortized]).sum();
    assert_eq!(sum, facts.bill[&1][Metric::Amortized]);
    assert_eq!(sum, m(3.0));
    let w = facts
        .quality
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::PodsBeyondNodeCost)
        .expect("warned");
    assert!(w.message.contains("$0.30"), "{}", w.message);
    assert!(
        !facts
            .quality
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::Reconciliation)
    );
}

/// A row's amounts are in its currency; no rows, in the bill's one currency; a CUR's (no
/// currency) and a bill in several, when no row says, in dollars.
#[test]
fn amounts_are_in_the_rows_currency_or_the_bills_one() {
    use crate::cur::money::Unit;
    let mut f = Facts::default();
    assert_eq!(f.unit_of(&[], false), Unit::USD);
    let mut dims = [super::NONE; super::DIMS];
    dims[Dim::Currency as usize] = f.strings.intern("GBP");
    f.rows.push(super::FactRow {
        day: 0,
        category: Category::Unallocated,
        basis: super::Basis::Usage,
        dims,
        labels: Box::new([]),
        costs: Costs::ZERO,
        quantity: super::Quantity::default(),
        shared: super::NONE,
    });
    assert_eq!(f.unit_of(&[0], false), Unit::Sign("£"));
    f.quality
        .currencies
        .insert("EUR".into(), super::CurrencyTotal::default());
    assert_eq!(f.unit_of(&[], false), Unit::Sign("€"));
    assert_eq!(f.unit_of(&[], true), Unit::Code(*b"EUR"));
    f.quality
        .currencies
        .insert("USD".into(), super::CurrencyTotal::default());
    assert_eq!(f.unit_of(&[], false), Unit::USD);
}

#[test]
fn a_large_table_sorted_in_halves_is_in_the_one_order() {
    use super::{Basis, DIMS, FactRow, NONE, Quantity, sort_rows};
    // Distinct keys in scrambled order, more than one thread's share, ties broken deep in the
    // key (the last dimension, the labels).
    let mut rows: Vec<FactRow> = (0..70_001_u32)
        .map(|i| {
            let x = i.wrapping_mul(2_654_435_761);
            let mut dims = [NONE; DIMS];
            dims[0] = x % 3;
            dims[DIMS - 1] = i;
            FactRow {
                day: (x % 5) as Day,
                category: Category::from_index(x % 4),
                basis: Basis::from_index(x % 3),
                dims,
                labels: vec![x % 2].into(),
                costs: Costs::default(),
                quantity: Quantity::ZERO,
                shared: NONE,
            }
        })
        .collect();
    let mut expected = rows.clone();
    expected.sort_by(|a, b| {
        (a.day, a.category, a.basis, a.dims, &a.labels)
            .cmp(&(b.day, b.category, b.basis, b.dims, &b.labels))
    });
    sort_rows(&mut rows);
    assert_eq!(rows.len(), expected.len());
    assert!(rows == expected);
}
