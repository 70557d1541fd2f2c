//! Each rule kind on a small hand-made bill, with the amounts worked out by hand.

use super::*;
use crate::config::sharing::RATIO_ONE;
use crate::cur::money::NANOS;
use crate::facts::DIMS;

/// Dollars.
fn usd(d: i64) -> Money {
    Money(d * NANOS)
}

/// A bill being written by hand: one row per call, the same amount in every metric.
struct Bill(Facts);

impl Bill {
    fn new() -> Bill {
        Bill(Facts::default())
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a row written out in full reads best"
    )]
    fn row(
        &mut self,
        day: Day,
        category: Category,
        cluster: &str,
        namespace: &str,
        env: &str,
        service: &str,
        amount: Money,
    ) -> &mut Bill {
        let f = &mut self.0;
        let mut dims = [NONE; DIMS];
        for (d, v) in [
            (Dim::Cluster, cluster),
            (Dim::Namespace, namespace),
            (Dim::Env, env),
            (Dim::Service, service),
        ] {
            dims[d as usize] = f.strings.intern(v);
        }
        let costs = Costs([amount; 4]);
        let labels = vec![NONE; f.label_names.len()].into();
        f.rows.push(FactRow {
            day,
            category,
            dims,
            labels,
            costs,
            shared: NONE,
            basis: crate::facts::Basis::Usage,
            quantity: crate::facts::Quantity::ZERO,
        });
        *f.bill.entry(day).or_default() += costs;
        self
    }

    /// Gives the last row written label `name` (as the facts name it: `label:NAME`,
    /// `tag:KEY`) = `value`; the bill's label names grow as needed.
    fn labelled(&mut self, name: &str, value: &str) -> &mut Bill {
        let f = &mut self.0;
        let at = f
            .label_names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| {
                f.label_names.push(name.to_string());
                for r in &mut f.rows {
                    let mut labels = r.labels.to_vec();
                    labels.push(NONE);
                    r.labels = labels.into();
                }
                f.label_names.len() - 1
            });
        let value = f.strings.intern(value);
        f.rows.last_mut().unwrap().labels[at] = value;
        self
    }

    fn unallocated(&mut self, day: Day, service: &str, amount: Money) -> &mut Bill {
        self.row(day, Category::Unallocated, "", "", "", service, amount)
    }

    fn pod(&mut self, day: Day, cluster: &str, ns: &str, amount: Money) -> &mut Bill {
        self.row(day, Category::Pod, cluster, ns, "", "AmazonEC2", amount)
    }
}

/// What was shared from `source` into rows whose `dim` is `value`, amortized.
fn shared_to(s: &Shared, source: &str, dim: Dim, value: &str) -> Money {
    let f = &s.facts;
    f.rows
        .iter()
        .filter(|r| r.shared != NONE && f.strings.get(r.shared) == source)
        .filter(|r| f.text(r, dim) == value)
        .map(|r| r.costs[Metric::Amortized])
        .sum()
}

/// What was shared into `namespace` (of any cluster) from `source`, amortized.
fn shared_into(s: &Shared, namespace: &str, source: &str) -> Money {
    shared_to(s, source, Dim::Namespace, namespace)
}

/// `share`, asserting every day of the result still sums to its bill.
fn checked(facts: &Facts, rules: &Sharing) -> Shared {
    let s = share(facts, rules);
    reconciles(&s);
    s
}

/// Every day of the shared facts still sums to its bill, in every metric.
fn reconciles(s: &Shared) {
    let mut sums: BTreeMap<Day, Costs> = BTreeMap::new();
    for r in &s.facts.rows {
        *sums.entry(r.day).or_default() += r.costs;
    }
    for (day, bill) in &s.facts.bill {
        assert_eq!(
            sums.get(day).copied().unwrap_or_default(),
            *bill,
            "day {day}"
        );
    }
}

fn category_total(s: &Shared, c: Category) -> Money {
    s.facts
        .rows
        .iter()
        .filter(|r| r.category == c && r.shared == NONE)
        .map(|r| r.costs[Metric::Amortized])
        .sum()
}

#[test]
fn largest_remainder_parts_sum_exactly() {
    assert_eq!(split(Money(10), &[1, 1, 1]), [Money(4), Money(3), Money(3)]);
    assert_eq!(
        split(Money(-10), &[1, 1, 1]),
        [Money(-4), Money(-3), Money(-3)]
    );
    // 0.7 / 0.3 of one nano-dollar: the larger remainder takes it.
    assert_eq!(split(Money(1), &[7, 3]), [Money(1), Money(0)]);
    assert_eq!(split(Money(100), &[0, 5]), [Money(0), Money(100)]);
    assert_eq!(split(Money(5), &[0, 0]), [Money(0), Money(0)]);
    let parts = split(Money(1_000_000_007), &[3, 3, 3, 1]);
    assert_eq!(parts.iter().copied().sum::<Money>(), Money(1_000_000_007));
}

#[test]
fn idle_goes_to_the_namespaces_that_ran_that_day() {
    let mut b = Bill::new();
    // Day 1: a $30, b $10, idle $8 → a +$6, b +$2.
    b.pod(1, "c", "a", usd(30)).pod(1, "c", "b", usd(10));
    b.row(1, Category::Idle, "c", "", "", "AmazonEC2", usd(8));
    // Day 2: only a ran: it takes all of that day's $4 idle.
    b.pod(2, "c", "a", usd(5));
    b.row(2, Category::Idle, "c", "", "", "AmazonEC2", usd(4));
    // Day 3: nothing ran: the $7 idle has nowhere to go and stays idle.
    b.row(3, Category::Idle, "c", "", "", "AmazonEC2", usd(7));
    let rules = Sharing {
        idle: IdleRule::Share,
        ..Sharing::default()
    };
    let s = checked(&b.0, &rules);
    assert_eq!(shared_into(&s, "a", "idle"), usd(6 + 4));
    assert_eq!(shared_into(&s, "b", "idle"), usd(2));
    assert_eq!(category_total(&s, Category::Idle), usd(7));
    let notes: Vec<&str> = s
        .facts
        .quality
        .warnings
        .iter()
        .filter(|w| w.code == WarningCode::NothingToShareInto)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("idle of cluster c: $7.00 (amortized) on 1 day(s) from 1970-01-04"),
        "{}",
        notes[0]
    );
    // The un-shared facts are untouched.
    assert_eq!(b.0.rows.len(), 6);
}

#[test]
fn shared_namespaces_split_weighted_or_even() {
    let mut b = Bill::new();
    b.pod(1, "c", "a", usd(30))
        .pod(1, "c", "b", usd(10))
        .pod(1, "c", "kube-system", usd(8));
    // Another cluster's namespaces take none of this cluster's kube-system.
    b.pod(1, "d", "z", usd(100));
    let mut rules = Sharing {
        shared_namespaces: vec!["kube-system".into()],
        ..Sharing::default()
    };
    let s = checked(&b.0, &rules);
    assert_eq!(shared_into(&s, "a", "kube-system"), usd(6));
    assert_eq!(shared_into(&s, "b", "kube-system"), usd(2));
    assert_eq!(shared_into(&s, "z", "kube-system"), Money::ZERO);
    rules.split = Split::Even;
    let s = checked(&b.0, &rules);
    assert_eq!(shared_into(&s, "a", "kube-system"), usd(4));
    assert_eq!(shared_into(&s, "b", "kube-system"), usd(4));
    // An odd nano-dollar goes to the first among equals.
    let mut odd = Bill::new();
    odd.pod(1, "c", "a", usd(1))
        .pod(1, "c", "b", usd(1))
        .pod(1, "c", "kube-system", Money(9));
    let s = share(&odd.0, &rules);
    assert_eq!(shared_into(&s, "a", "kube-system"), Money(5));
    assert_eq!(shared_into(&s, "b", "kube-system"), Money(4));
}

fn rule(name: &str, select: Selector, into: TargetKind, split: TargetSplit) -> CostRule {
    CostRule {
        name: name.into(),
        select,
        into,
        split,
    }
}

/// Rules with just one cost rule.
fn one_rule(name: &str, select: Selector, into: TargetKind, split: TargetSplit) -> Sharing {
    Sharing {
        costs: vec![rule(name, select, into, split)],
        ..Sharing::default()
    }
}

fn by_service(service: &str) -> Selector {
    Selector {
        services: vec![service.into()],
        ..Selector::default()
    }
}

/// Amortized cost per environment of shared rows from `source`.
fn to_env(s: &Shared, source: &str, env: &str) -> Money {
    shared_to(s, source, Dim::Env, env)
}

#[test]
fn fixed_ratios_send_a_leftover_to_environments() {
    let mut b = Bill::new();
    b.unallocated(1, "Datadog", usd(100));
    b.pod(1, "c", "a", usd(1));
    let rules = one_rule(
        "datadog",
        by_service("Datadog"),
        TargetKind::Environments,
        TargetSplit::Ratios(vec![
            ("production".into(), RATIO_ONE / 10 * 7),
            ("staging".into(), RATIO_ONE / 10 * 3),
        ]),
    );
    let s = checked(&b.0, &rules);
    assert_eq!(to_env(&s, "datadog", "production"), usd(70));
    assert_eq!(to_env(&s, "datadog", "staging"), usd(30));
    assert_eq!(category_total(&s, Category::Unallocated), Money::ZERO);
}

#[test]
fn proportional_follows_the_targets_own_cost() {
    let mut b = Bill::new();
    b.unallocated(1, "AWSDataTransfer", usd(12));
    b.pod(1, "c1", "a", usd(20)).pod(1, "c2", "b", usd(10));
    let rules = one_rule(
        "network",
        by_service("AWSDataTransfer"),
        TargetKind::Clusters,
        TargetSplit::Proportional(vec![]),
    );
    let s = checked(&b.0, &rules);
    let to_cluster = |c: &str| shared_to(&s, "network", Dim::Cluster, c);
    assert_eq!(to_cluster("c1"), usd(8));
    assert_eq!(to_cluster("c2"), usd(4));
    // Named namespaces only: all of it to `b`.
    let rules = one_rule(
        "network",
        by_service("AWSDataTransfer"),
        TargetKind::Namespaces,
        TargetSplit::Proportional(vec!["c2/b".into()]),
    );
    let s = checked(&b.0, &rules);
    assert_eq!(shared_into(&s, "b", "network"), usd(12));
}

/// A rule sending all it selects to one environment.
fn to(name: &str, env: &str, select: Selector) -> CostRule {
    rule(
        name,
        select,
        TargetKind::Environments,
        TargetSplit::Ratios(vec![(env.into(), RATIO_ONE)]),
    )
}

#[test]
fn the_first_rule_that_selects_a_row_takes_it() {
    let mut b = Bill::new();
    b.unallocated(1, "Datadog", usd(10));
    b.unallocated(1, "AWSDataTransfer", usd(6));
    let everything = Selector {
        categories: vec![Category::Unallocated],
        ..Selector::default()
    };
    let rules = Sharing {
        costs: vec![
            to("datadog", "production", by_service("Datadog")),
            to("rest", "staging", everything),
        ],
        ..Sharing::default()
    };
    let s = checked(&b.0, &rules);
    assert_eq!(to_env(&s, "datadog", "production"), usd(10));
    assert_eq!(to_env(&s, "rest", "staging"), usd(6));
    assert_eq!(to_env(&s, "rest", "production"), Money::ZERO);
}

#[test]
fn a_rule_that_selects_nothing_changes_nothing() {
    let mut b = Bill::new();
    b.pod(1, "c", "a", usd(3));
    b.row(1, Category::Idle, "c", "", "", "AmazonEC2", usd(1));
    let rules = one_rule(
        "nothing",
        by_service("NoSuchService"),
        TargetKind::Clusters,
        TargetSplit::Proportional(vec![]),
    );
    let s = share(&b.0, &rules);
    assert_eq!(s.facts.rows, b.0.rows);
    assert!(s.facts.quality.warnings.is_empty());
}

/// A rule selects by a declared label (`label = { tier = "prod" }`) or by any tag key of the
/// bill (`tag = { "user:stage" = "stg" }`, kept by the read as `tag:user:stage`); a row
/// carrying neither stays where it was.
#[test]
fn rules_select_by_declared_labels_and_by_any_tag_key() {
    let mut b = Bill::new();
    b.unallocated(1, "Datadog", usd(10))
        .labelled("tag:user:stage", "stg");
    b.unallocated(1, "Datadog", usd(6))
        .labelled("label:tier", "prod");
    b.unallocated(1, "Datadog", usd(4));
    let rules = Sharing {
        costs: vec![
            to(
                "stg-tools",
                "staging",
                Selector {
                    tags: vec![("user:stage".into(), "stg".into())],
                    ..Selector::default()
                },
            ),
            to(
                "prod-tools",
                "production",
                Selector {
                    labels: vec![("tier".into(), "prod".into())],
                    ..Selector::default()
                },
            ),
        ],
        ..Sharing::default()
    };
    let s = checked(&b.0, &rules);
    assert_eq!(to_env(&s, "stg-tools", "staging"), usd(10));
    assert_eq!(to_env(&s, "prod-tools", "production"), usd(6));
    assert_eq!(category_total(&s, Category::Unallocated), usd(4));
    assert_eq!(rules.tag_keys(), ["user:stage"], "what the read must keep");
}
