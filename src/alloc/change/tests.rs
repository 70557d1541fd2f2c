//! The decomposition: hand-built bills with one part each, and generated bills over many
//! windows where every row's parts add up to its Δ and every parent's to its children's.

use super::*;
use crate::alloc::{Level, Step};
use crate::config::{Config, Profile, SourceSpec};
use crate::cur::metrics::Costs;
use crate::cur::time::Day;
use crate::source;
use crate::window::WindowSpec;

const D: i64 = 1_000_000_000;

/// A hand-built bill: rows added by (day, category, basis, dims, dollars, units).
struct Bill(Facts);

impl Bill {
    fn new() -> Bill {
        Bill(Facts::default())
    }

    fn row(
        &mut self,
        day: Day,
        category: Category,
        basis: Basis,
        dims: &[(Dim, &str)],
        dollars: i64,
        units: i64,
    ) -> &mut Bill {
        let mut d = [NONE; crate::facts::DIMS];
        for (dim, v) in dims {
            d[*dim as usize] = self.0.strings.intern(v);
        }
        let costs = Costs([Money(dollars * D / 100); 4]);
        *self.0.bill.entry(day).or_default() += costs;
        self.0.rows.push(FactRow {
            day,
            category,
            basis,
            dims: d,
            labels: Box::new([]),
            costs,
            quantity: Quantity(units * D),
            shared: crate::facts::NONE,
        });
        self
    }
}

/// Days 0..7 are the previous window, 7..14 the current one.
fn view() -> View {
    View {
        window: Window { start: 7, end: 14 },
        metric: Metric::Amortized,
        provisional_from: 100,
        top: crate::alloc::LevelKind::Clusters,
    }
}

fn parts(bill: &Bill) -> Parts {
    let c = Change::new(&bill.0, &view());
    let all: Vec<u32> = (0..bill.0.rows.len() as u32).collect();
    c.parts(&bill.0, &all)
}

fn cents(c: i64) -> Money {
    Money(c * D / 100)
}

/// Parts with only `part`, of `c` cents.
fn only(part: Part, c: i64) -> Parts {
    let mut p = Parts::ZERO;
    *p.get_mut(part) = cents(c);
    p
}

const API: [(Dim, &str); 4] = [
    (Dim::Cluster, "prod"),
    (Dim::Namespace, "shop"),
    (Dim::Workload, "api"),
    (Dim::UsageType, "USE1-EKS-EC2-vCPU-Hours"),
];

#[test]
fn replicas_doubled_at_the_same_price_is_all_usage() {
    let mut b = Bill::new();
    // 2 replicas × 24 vCPU-h at 5 ¢, then 4 replicas; pods have new names, the workload not.
    b.row(
        3,
        Category::Pod,
        Basis::Usage,
        &[API.as_slice(), &[(Dim::Pod, "api-a")]].concat(),
        240,
        48,
    );
    b.row(
        10,
        Category::Pod,
        Basis::Usage,
        &[API.as_slice(), &[(Dim::Pod, "api-b")]].concat(),
        240,
        48,
    );
    b.row(
        10,
        Category::Pod,
        Basis::Usage,
        &[API.as_slice(), &[(Dim::Pod, "api-c")]].concat(),
        240,
        48,
    );
    let p = parts(&b);
    assert_eq!(p, only(Part::Usage, 240));
    let c = Change::new(&b.0, &view());
    let movers = c.movers(&b.0, &[0, 1, 2], 3);
    assert_eq!(
        movers[0].to_string(),
        "api EKS-EC2-vCPU-Hours: +48 vCPU-h ⇒ +$2.40 usage"
    );
}

#[test]
fn a_node_type_whose_price_rose_is_all_rate() {
    let mut b = Bill::new();
    let node = [
        (Dim::Resource, "i-0abc"),
        (Dim::Service, "AmazonEC2"),
        (Dim::UsageType, "BoxUsage:m6i.2xlarge"),
    ];
    b.row(2, Category::Unallocated, Basis::Usage, &node, 1000, 24);
    b.row(9, Category::Unallocated, Basis::Usage, &node, 1040, 24);
    let p = parts(&b);
    assert_eq!(p, only(Part::Rate, 40));
    let c = Change::new(&b.0, &view());
    assert_eq!(
        c.movers(&b.0, &[0, 1], 1)[0].to_string(),
        "i-0abc m6i.2xlarge: rate +4 % ⇒ +$0.40 rate"
    );
}

#[test]
fn a_workload_deployed_mid_window_is_new_and_a_deleted_one_gone() {
    let mut b = Bill::new();
    let web = [
        (Dim::Cluster, "prod"),
        (Dim::Workload, "web"),
        (Dim::UsageType, "vCPU"),
    ];
    b.row(11, Category::Pod, Basis::Usage, &API, 300, 10);
    b.row(1, Category::Pod, Basis::Usage, &web, 200, 10);
    assert_eq!(
        parts(&b),
        Parts {
            new: cents(300),
            gone: cents(-200),
            ..Parts::ZERO
        }
    );
}

#[test]
fn a_tax_line_is_other() {
    let mut b = Bill::new();
    let tax = [(Dim::Service, "AWS"), (Dim::UsageType, "")];
    b.row(0, Category::Unallocated, Basis::Other, &tax, 500, 0);
    b.row(8, Category::Unallocated, Basis::Other, &tax, 650, 0);
    assert_eq!(parts(&b), only(Part::Other, 150));
}

#[test]
fn an_idle_rise_from_a_node_added_with_no_pods_is_capacity() {
    let mut b = Bill::new();
    let n1 = [
        (Dim::Cluster, "prod"),
        (Dim::Node, "i-1"),
        (Dim::UsageType, "BoxUsage:m6i.large"),
    ];
    let n2 = [
        (Dim::Cluster, "prod"),
        (Dim::Node, "i-2"),
        (Dim::UsageType, "BoxUsage:m6i.large"),
    ];
    for day in [3, 10] {
        b.row(day, Category::Idle, Basis::Usage, &n1, 1000, 24);
        b.row(day, Category::Idle, Basis::PodUse, &n1, -600, 0);
    }
    b.row(10, Category::Idle, Basis::Usage, &n2, 1000, 24);
    assert_eq!(parts(&b), only(Part::Capacity, 1000));
    // The pods on i-1 growing is idle falling by use.
    b.row(10, Category::Idle, Basis::PodUse, &n1, -100, 0);
    assert_eq!(
        parts(&b),
        Parts {
            capacity: cents(1000),
            pod_use: cents(-100),
            ..Parts::ZERO
        }
    );
}

#[test]
fn usage_and_rate_together_add_up_exactly_even_when_rates_do_not_divide() {
    let mut b = Bill::new();
    // 3 units for $1, then 7 units for $2.57: r0 = 33.33… ¢, not a whole nano-dollar.
    b.row(1, Category::Pod, Basis::Usage, &API, 100, 3);
    b.row(12, Category::Pod, Basis::Usage, &API, 257, 7);
    let p = parts(&b);
    assert_eq!(p.sum(), cents(157));
    assert_eq!(p.usage, Money(1_333_333_333), "(7 − 3) × $1/3");
    assert_eq!(p.rate, cents(157) - p.usage);
}

/// Walks every level below `level` and checks each row: parts sum to its Δ, and its children's
/// parts sum to its parts. Returns the rows checked.
fn check_level(
    facts: &Facts,
    change: &Change,
    path: &mut Vec<Step>,
    level: &Level,
    view: &View,
) -> usize {
    let mut rows = 0;
    for row in &level.rows {
        let p = change.parts(facts, &row.facts);
        assert_eq!(p.sum(), row.delta(), "{path:?} {}: parts {p:?}", row.name);
        rows += 1;
        path.push(row.step);
        if path.len() < 5
            && let Some(children) = Level::children(facts, path, row, view)
        {
            let mut sum = Parts::ZERO;
            for c in &children.rows {
                sum += change.parts(facts, &c.facts);
            }
            assert_eq!(sum, p, "{path:?}: children's parts");
            rows += check_level(facts, change, path, &children, view);
        }
        path.pop();
    }
    rows
}

/// A small deterministic generator of windows (no proptest: the loop below is the property).
fn next(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

#[test]
fn on_generated_bills_and_windows_every_row_adds_up_and_parents_are_their_children() {
    let base = Config::demo();
    let today = crate::clock::AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
    let mut checked = 0;
    let mut seen = Parts::ZERO;
    for seed in [1_u64, 7] {
        let profile = Profile {
            source: SourceSpec::Demo { seed, days: 45 },
            ..base.default_profile().clone()
        };
        let loaded =
            source::load(&source::ReadRequest::new(&profile, WindowSpec::All, today)).unwrap();
        let facts = loaded.facts;
        assert!(
            facts.rows.iter().any(|r| r.quantity.0 > 0),
            "the demo bill has quantities"
        );
        let (first, last) = facts.day_range().unwrap();
        let mut state = seed;
        for _ in 0..4 {
            let len = 1 + (next(&mut state) % 14) as Day;
            let end =
                first + 2 * len + (next(&mut state) % (last - first - 2 * len + 2) as u64) as Day;
            let metric = Metric::ALL[(next(&mut state) % 4) as usize];
            let view = View {
                window: Window {
                    start: end - len,
                    end,
                },
                metric,
                provisional_from: last,
                top: crate::alloc::LevelKind::Clusters,
            };
            let change = Change::new(&facts, &view);
            let root = Level::root(&facts, &view);
            let total = change.parts(&facts, &(0..facts.rows.len() as u32).collect::<Vec<_>>());
            assert_eq!(total.sum(), root.total - root.prev_total, "the bill's Δ");
            checked += check_level(&facts, &change, &mut Vec::new(), &root, &view);
            for (p, m) in total.named() {
                *seen.get_mut(p) += Money(m.0.abs());
            }
        }
    }
    assert!(checked > 200, "checked only {checked} rows");
    for p in [
        Part::Usage,
        Part::Rate,
        Part::New,
        Part::Gone,
        Part::Capacity,
        Part::Use,
    ] {
        assert!(
            seen.get(p) != Money::ZERO,
            "no {p} in any generated window: the test is vacuous"
        );
    }
}
