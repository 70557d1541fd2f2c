//! Property: for random mixes of line items (nodes on demand / RI / SP, pod split rows on known,
//! unknown and missing nodes, Fargate, control plane, tagged and untagged services, fees, tax,
//! credits), split into random parts merged in random orders, every day's categories sum to
//! that day's bill for every metric, and the facts do not depend on the split or the order.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::{Category, TagPlan};
use curtop::cur::columns::{FIELDS, Field, tag_id};
use curtop::cur::line_item::{ColumnSet, LineItem};
use curtop::cur::metrics::{Costs, Metric, line_item_costs};
use curtop::cur::money::Money;
use curtop::facts::{Aggregator, Dim, Facts, Partial};

/// splitmix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn money(&mut self, max_dollars: i64) -> Money {
        Money((self.next() % (max_dollars as u64 * 1_000_000_000)) as i64)
    }
}

/// An owned line item, borrowed into a `LineItem` when fed.
#[derive(Clone)]
struct Row {
    day: i32,
    kind: &'static str,
    product: &'static str,
    operation: &'static str,
    resource: String,
    parent: String,
    ri_arn: &'static str,
    amounts: Vec<(Field, Money)>,
    tags: Vec<(&'static str, &'static str)>,
}

#[expect(
    clippy::too_many_lines,
    reason = "one list of every kind of line item the property mixes, read top to bottom"
)]
fn random_rows(rng: &mut Rng) -> Vec<Row> {
    let nodes = ["i-a", "i-b", "i-c", "i-d", "i-e"];
    let clusters = ["prod", "dev"];
    let mut rows = Vec::new();
    let n = 40 + rng.below(200);
    for _ in 0..n {
        let day = rng.below(4) as i32;
        let row = match rng.below(10) {
            // EC2 instance rows, maybe cluster-tagged.
            0..=2 => {
                let kind = rng.pick(&[
                    "Usage",
                    "DiscountedUsage",
                    "SavingsPlanCoveredUsage",
                    "SavingsPlanNegation",
                ]);
                let node = rng.pick(&nodes);
                let mut tags = Vec::new();
                match rng.below(3) {
                    0 => tags.push(("aws:eks:cluster-name", rng.pick(&clusters))),
                    1 => tags.push(("eks:cluster-name", rng.pick(&clusters))),
                    _ => {}
                }
                let unblended = if kind == "SavingsPlanNegation" {
                    -rng.money(2)
                } else {
                    rng.money(2)
                };
                Row {
                    day,
                    kind,
                    product: "AmazonEC2",
                    operation: "RunInstances",
                    resource: node.to_string(),
                    parent: String::new(),
                    ri_arn: "",
                    amounts: vec![
                        (Field::UnblendedCost, unblended),
                        (Field::RiEffectiveCost, rng.money(1)),
                        (Field::SpEffectiveCost, rng.money(1)),
                        (Field::PublicOnDemandCost, rng.money(3)),
                        (Field::NetUnblendedCost, rng.money(2)),
                    ],
                    tags,
                }
            }
            // EKS split pod rows: known nodes, an unknown node, or no parent.
            3..=5 => {
                let parent = match rng.below(8) {
                    0 => String::new(),
                    1 => "i-zzz".to_string(),
                    _ => rng.pick(&nodes).to_string(),
                };
                let cluster = rng.pick(&clusters);
                let ns = rng.pick(&["payments", "search", "kube-system"]);
                let pod = rng.pick(&["api-1", "api-2", "worker-1"]);
                let split = if parent.is_empty() && rng.below(2) == 0 {
                    Money::ZERO
                } else {
                    rng.money(1)
                };
                Row {
                    day,
                    kind: "Usage",
                    product: "AmazonEKS",
                    operation: "EKSPod-EC2",
                    resource: format!("arn:aws:eks:us-east-1:1:pod/{cluster}/{ns}/{pod}/uid"),
                    parent,
                    ri_arn: "",
                    amounts: vec![
                        (Field::UnblendedCost, Money::ZERO),
                        (Field::SplitCost, split),
                        (Field::SplitPublicOnDemandSplitCost, rng.money(1)),
                    ],
                    tags: vec![("aws:eks:deployment", "api")],
                }
            }
            6 => {
                let fargate = rng.below(2) == 0;
                Row {
                    day,
                    kind: "Usage",
                    product: "AmazonEKS",
                    operation: if fargate {
                        "FargatePod"
                    } else {
                        "CreateOperation"
                    },
                    resource: if fargate {
                        "arn:aws:eks:us-east-1:1:pod/prod/batch/job-9/u".into()
                    } else {
                        format!("arn:aws:eks:us-east-1:1:cluster/{}", rng.pick(&clusters))
                    },
                    parent: String::new(),
                    ri_arn: "",
                    amounts: vec![
                        (Field::UnblendedCost, rng.money(1)),
                        (Field::PublicOnDemandCost, rng.money(1)),
                    ],
                    tags: Vec::new(),
                }
            }
            // Services, tagged or not, and the bill's other line item types.
            _ => {
                let kind = rng.pick(&[
                    "Usage",
                    "Tax",
                    "Credit",
                    "RIFee",
                    "Fee",
                    "SavingsPlanRecurringFee",
                    "Refund",
                    "NewType",
                ]);
                let mut tags = Vec::new();
                if rng.below(2) == 0 {
                    tags.push(("kubernetes_cluster", rng.pick(&clusters)));
                }
                if rng.below(2) == 0 {
                    tags.push(("kubernetes_namespace", rng.pick(&["payments", "search"])));
                }
                if rng.below(3) == 0 {
                    tags.push(("environment", rng.pick(&["prod", "Production", "stg"])));
                }
                let unblended = if kind == "Credit" {
                    -rng.money(5)
                } else {
                    rng.money(5)
                };
                Row {
                    day,
                    kind,
                    product: rng.pick(&["AmazonRDS", "AmazonS3", "AmazonDynamoDB"]),
                    operation: "",
                    resource: format!("res-{}", rng.below(5)),
                    parent: String::new(),
                    ri_arn: if rng.below(2) == 0 {
                        "arn:aws:ec2:us-east-1:1:reserved-instances/r"
                    } else {
                        ""
                    },
                    amounts: vec![
                        (Field::UnblendedCost, unblended),
                        (Field::RiUnusedAmortizedUpfront, rng.money(1)),
                        (Field::RiUnusedRecurring, rng.money(1)),
                        (Field::SpTotalCommitment, rng.money(3)),
                        (Field::SpUsedCommitment, rng.money(2)),
                    ],
                    tags,
                }
            }
        };
        rows.push(row);
    }
    rows
}

fn all_columns() -> ColumnSet {
    let fields: Vec<Field> = FIELDS.iter().map(|(f, _)| *f).collect();
    ColumnSet::with(&fields)
}

/// Feeds rows into one aggregator.
fn feed(rows: &[Row], plan: &TagPlan, env: &EnvRules) -> Partial {
    let cols = all_columns();
    let mut agg = Aggregator::new(plan, env, None);
    for r in rows {
        let mut tags = vec![""; plan.ids.len()];
        for (k, v) in &r.tags {
            let i = plan.ids.iter().position(|x| *x == tag_id(k)).unwrap();
            tags[i] = v;
        }
        let mut li = LineItem::new(r.day, r.kind, Money::ZERO);
        li.product_code = r.product;
        li.operation = r.operation;
        li.resource_id = &r.resource;
        li.split_parent = &r.parent;
        li.reservation_arn = r.ri_arn;
        for (f, m) in &r.amounts {
            li.set(*f, *m);
        }
        li.tags = &tags;
        agg.add(&li, &cols);
    }
    agg.into_partial()
}

/// Splits rows into `parts` random parts, merged in a random order.
fn facts_of(rows: &[Row], parts: usize, rng: &mut Rng, plan: &TagPlan, env: &EnvRules) -> Facts {
    let mut buckets: Vec<Vec<Row>> = vec![Vec::new(); parts];
    for r in rows {
        buckets[rng.below(parts)].push(r.clone());
    }
    let mut partials: Vec<Partial> = buckets.iter().map(|b| feed(b, plan, env)).collect();
    let mut merged = Partial::default();
    while !partials.is_empty() {
        let i = rng.below(partials.len());
        merged.merge(partials.swap_remove(i));
    }
    merged.finish(plan.label_names(), env)
}

/// Facts as comparable text rows.
fn canonical(f: &Facts) -> Vec<(i32, Category, Vec<String>, Costs)> {
    let dims = [
        Dim::Account,
        Dim::Service,
        Dim::UsageType,
        Dim::Cluster,
        Dim::Namespace,
        Dim::WorkloadKind,
        Dim::Workload,
        Dim::Pod,
        Dim::Container,
        Dim::Node,
        Dim::Resource,
        Dim::Env,
    ];
    let mut v: Vec<_> = f
        .rows
        .iter()
        .map(|r| {
            (
                r.day,
                r.category,
                dims.iter().map(|d| f.text(r, *d).to_string()).collect(),
                r.costs,
            )
        })
        .collect();
    v.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    v
}

#[test]
fn every_day_and_metric_reconciles_to_the_bill_whatever_the_split() {
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let cols = all_columns();
    for seed in 0..300 {
        let mut rng = Rng(seed);
        let rows = random_rows(&mut rng);
        // The bill, straight from the rows: every non-overlay line item's metrics.
        let mut bill: BTreeMap<i32, Costs> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.operation != "EKSPod-EC2") {
            let mut li = LineItem::new(r.day, r.kind, Money::ZERO);
            li.reservation_arn = r.ri_arn;
            for (f, m) in &r.amounts {
                li.set(*f, *m);
            }
            *bill.entry(r.day).or_default() += line_item_costs(&li, &cols);
        }
        let parts = 1 + rng.below(4);
        let a = facts_of(&rows, parts, &mut rng, &plan, &env);
        let b = facts_of(&rows, 1 + rng.below(4), &mut rng, &plan, &env);
        assert!(
            !a.quality
                .warnings
                .iter()
                .any(|w| w.code == curtop::facts::WarningCode::Reconciliation),
            "seed {seed}: {:?}",
            a.quality.warnings
        );
        let mut by_day: BTreeMap<i32, Costs> = BTreeMap::new();
        for r in &a.rows {
            *by_day.entry(r.day).or_default() += r.costs;
        }
        for (day, want) in &bill {
            let got = by_day.get(day).copied().unwrap_or_default();
            for m in Metric::ALL {
                assert_eq!(got[m], want[m], "seed {seed} day {day} metric {m}");
            }
        }
        assert_eq!(a.bill, bill, "seed {seed}");
        assert_eq!(
            canonical(&a),
            canonical(&b),
            "seed {seed}: facts depend on the split"
        );
        // Pods are only ever placed on pods; idle only on clusters.
        for r in &a.rows {
            match r.category {
                Category::Pod => assert!(!a.text(r, Dim::Pod).is_empty(), "seed {seed}"),
                Category::Idle => assert!(!a.text(r, Dim::Cluster).is_empty(), "seed {seed}"),
                _ => {}
            }
        }
    }
}
