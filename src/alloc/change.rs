//! Why a cost changed: every row's Δ against the previous window of equal length (the Δ column,
//! [`super::Row::delta`]) told apart into parts that add up to it exactly.
//!
//! The leaves are *components*: for pod cost (cluster, namespace, workload, usage type), so a
//! workload's replicas coming and going read as usage; for everything else (category, cluster,
//! namespace, resource or else service, usage type). Each has a quantity `q` and a cost `k` in
//! each window (the facts' [`Quantity`] and cost). For a component in both windows with
//! `q > 0` in both, **usage** = (q₁ − q₀)·r₀ and **rate** = q₁·(r₁ − r₀), r = k/q; one only in
//! the current window is **new** (k₁), one only in the previous window **gone** (−k₀); costs
//! without a quantity (fees, tax, credits) are **other** (k₁ − k₀). Idle = node − pods, so its
//! Δ is **capacity** (its nodes' rows) and **use** (the [`Basis::PodUse`] rows: −Δ of the pods'
//! cost on them).
//!
//! The split is linear in the fact rows: with r₀ fixed per component, usage + rate
//! = q₁·r₀ − q₀·r₀ + (k₁ − q₁·r₀) = k₁ − k₀, and each fact row takes its own share —
//! a current row (q, k) gives usage q·r₀ and rate k − q·r₀, a previous row gives usage −q·r₀
//! and rate q·r₀ − k. So the parts of any set of fact rows add up to that set's Δ to the
//! nano-dollar (q·r₀ is rounded, the rate takes the rest), a row's parts are the sums over its
//! fact rows, and a parent's parts are the sums of its children's whatever the level.

use std::fmt;

use rustc_hash::FxHashMap;

use super::View;
use crate::cur::attribution::Category;
use crate::cur::metrics::Metric;
use crate::cur::money::{Money, Unit};
use crate::facts::{Basis, Dim, FactRow, Facts, NONE, Quantity, Sym};
use crate::window::Window;

/// A Δ told apart. Every field is nano-dollars; [`Parts::sum`] is the Δ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    /// More or less of a component at its previous rate.
    pub usage: Money,
    /// The same component at a different rate.
    pub rate: Money,
    /// Components absent in the previous window.
    pub new: Money,
    /// Components absent in the current window (negative).
    pub gone: Money,
    /// Costs without a quantity: fees, tax, credits, refunds, commitment fees.
    pub other: Money,
    /// Idle: the Δ of its nodes' cost.
    pub capacity: Money,
    /// Idle: −Δ of the pod cost on its nodes.
    pub pod_use: Money,
}

/// Which part a [`Parts`] field is; the names are the report's field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    Usage,
    Rate,
    New,
    Gone,
    Other,
    Capacity,
    Use,
}

impl Part {
    /// Every part, in column order.
    pub const ALL: [Part; 7] = [
        Part::Usage,
        Part::Rate,
        Part::New,
        Part::Gone,
        Part::Other,
        Part::Capacity,
        Part::Use,
    ];

    /// The field name (`usage`, …, `capacity`, `use`).
    pub fn name(self) -> &'static str {
        match self {
            Part::Usage => "usage",
            Part::Rate => "rate",
            Part::New => "new",
            Part::Gone => "gone",
            Part::Other => "other",
            Part::Capacity => "capacity",
            Part::Use => "use",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Parts {
    pub const ZERO: Parts = Parts {
        usage: Money::ZERO,
        rate: Money::ZERO,
        new: Money::ZERO,
        gone: Money::ZERO,
        other: Money::ZERO,
        capacity: Money::ZERO,
        pod_use: Money::ZERO,
    };

    /// The part `p`.
    pub fn get(&self, p: Part) -> Money {
        match p {
            Part::Usage => self.usage,
            Part::Rate => self.rate,
            Part::New => self.new,
            Part::Gone => self.gone,
            Part::Other => self.other,
            Part::Capacity => self.capacity,
            Part::Use => self.pod_use,
        }
    }

    fn get_mut(&mut self, p: Part) -> &mut Money {
        match p {
            Part::Usage => &mut self.usage,
            Part::Rate => &mut self.rate,
            Part::New => &mut self.new,
            Part::Gone => &mut self.gone,
            Part::Other => &mut self.other,
            Part::Capacity => &mut self.capacity,
            Part::Use => &mut self.pod_use,
        }
    }

    /// The parts as (part, amount), in column order.
    pub fn named(&self) -> [(Part, Money); 7] {
        Part::ALL.map(|p| (p, self.get(p)))
    }

    /// What the parts add up to: the Δ.
    pub fn sum(&self) -> Money {
        Part::ALL.iter().map(|&p| self.get(p)).sum()
    }
}

impl std::ops::AddAssign for Parts {
    fn add_assign(&mut self, rhs: Parts) {
        for p in Part::ALL {
            *self.get_mut(p) += rhs.get(p);
        }
    }
}

/// A component's identity: category, basis and the coordinates the issue names (pods by
/// workload, everything else by resource or else service), then the usage type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentKey {
    pub category: Category,
    pub basis: Basis,
    /// Cluster, namespace, workload kind, workload, resource, service, usage type; slots that
    /// do not name this component are [`NONE`].
    pub dims: [Sym; 7],
}

impl ComponentKey {
    /// The component a fact row belongs to.
    pub fn of(r: &FactRow) -> ComponentKey {
        let d = |dim: Dim| r.dim(dim);
        let dims = if r.category == Category::Pod {
            [
                d(Dim::Cluster),
                d(Dim::Namespace),
                d(Dim::WorkloadKind),
                d(Dim::Workload),
                NONE,
                NONE,
                d(Dim::UsageType),
            ]
        } else {
            let resource = d(Dim::Resource);
            [
                d(Dim::Cluster),
                d(Dim::Namespace),
                NONE,
                NONE,
                resource,
                if resource == NONE {
                    d(Dim::Service)
                } else {
                    NONE
                },
                d(Dim::UsageType),
            ]
        };
        ComponentKey {
            category: r.category,
            basis: r.basis,
            dims,
        }
    }

    /// The usage type.
    pub fn usage_type(&self) -> Sym {
        self.dims[6]
    }

    /// A short name: the workload, resource or service, then the usage type.
    pub fn describe(&self, facts: &Facts) -> String {
        let s = |sym: Sym| facts.strings.get(sym);
        let who = [self.dims[3], self.dims[4], self.dims[5]]
            .into_iter()
            .find(|&x| x != NONE)
            .map_or_else(
                || self.category.name().to_string(),
                |x| super::short_resource(s(x)),
            );
        let usage = s(self.usage_type());
        if usage.is_empty() {
            who
        } else {
            format!("{who} {}", short_usage_type(usage))
        }
    }
}

/// A usage type without its region prefix: `USE1-EKS-EC2-vCPU-Hours` → `EKS-EC2-vCPU-Hours`,
/// `BoxUsage:m6i.2xlarge` → `m6i.2xlarge`.
pub fn short_usage_type(usage: &str) -> &str {
    if let Some((_, t)) = usage.split_once(':') {
        return t;
    }
    match usage.split_once('-') {
        Some((region, rest))
            if region.len() <= 5 && region.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            rest
        }
        _ => usage,
    }
}

/// The unit a usage type's quantity is in, for the movers' text (`vCPU-h`, `GB-h`, `h`, …).
pub fn unit_of(usage: &str) -> &'static str {
    if usage.contains("vCPU") {
        "vCPU-h"
    } else if usage.contains("GB-Hours") || usage.contains("GB-Hrs") {
        "GB-h"
    } else if usage.contains("Accelerator") || usage.contains("GPU") {
        "GPU-h"
    } else if usage.contains("BoxUsage") || usage.contains("Hours") || usage.contains("Hrs") {
        "h"
    } else if usage.contains("Bytes") || usage.contains("GB") || usage.contains("DataTransfer") {
        "GB"
    } else if usage.contains("Requests") {
        "req"
    } else {
        "units"
    }
}

/// A component's sums in the two windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sides {
    pub q0: Quantity,
    pub q1: Quantity,
    pub k0: Money,
    pub k1: Money,
    /// Has fact rows in the previous / current window.
    pub seen0: bool,
    pub seen1: bool,
}

impl Sides {
    fn add(&mut self, current: bool, q: Quantity, k: Money) {
        if current {
            self.q1 += q;
            self.k1 += k;
            self.seen1 = true;
        } else {
            self.q0 += q;
            self.k0 += k;
            self.seen0 = true;
        }
    }

    /// Whether usage and rate apply: in both windows with a positive quantity in both.
    fn priced(&self) -> bool {
        self.seen0 && self.seen1 && self.q0.0 > 0 && self.q1.0 > 0
    }

    /// Quantity `q` at the previous rate, k₀/q₀, rounded to the nano-dollar.
    fn at_previous_rate(&self, q: Quantity) -> Money {
        // Money::scale is exact integer a·b/c with rounding; here a quantity times k₀ over q₀.
        Money(q.0).scale(self.k0, Money(self.q0.0))
    }

    /// The rate's relative change r₁/r₀ − 1, when both rates exist.
    pub fn rate_change(&self) -> Option<f64> {
        if !self.priced() || self.k0 == Money::ZERO {
            return None;
        }
        let r0 = self.k0.dollars() / self.q0.units();
        let r1 = self.k1.dollars() / self.q1.units();
        Some(r1 / r0 - 1.0)
    }
}

/// The change decomposition of one view (window, metric): every component's sums over the
/// view's span, from which any set of fact rows is decomposed ([`Change::parts`]).
#[derive(Debug, Clone)]
pub struct Change {
    metric: Metric,
    window: Window,
    previous: Window,
    /// Each component's key and sums, by component number.
    keys: Vec<ComponentKey>,
    sums: Vec<Sides>,
    numbers: FxHashMap<ComponentKey, u32>,
    /// Over the whole facts ([`Change::new`]): each fact row's component number
    /// ([`OUTSIDE`] for a row outside the span), so that the detail pane decomposes a row of
    /// a million facts without hashing a key per fact. Empty for [`Change::of_rows`].
    of_fact: Vec<u32>,
}

/// The component number of a fact row outside the view's span.
const OUTSIDE: u32 = u32::MAX;

impl Change {
    fn empty(view: &View) -> Change {
        Change {
            metric: view.metric,
            window: view.window,
            previous: view.window.previous(),
            keys: Vec::new(),
            sums: Vec::new(),
            numbers: FxHashMap::default(),
            of_fact: Vec::new(),
        }
    }

    /// The components of every fact row in the view's span.
    pub fn new(facts: &Facts, view: &View) -> Change {
        let mut c = Change::empty(view);
        c.of_fact = facts.rows.iter().map(|r| c.add(r)).collect();
        c
    }

    /// The components of only the fact rows `indices` (one row's own change, e.g. a day
    /// against the day before: its rates are its own, not its components' across the bill).
    pub fn of_rows(facts: &Facts, indices: &[u32], view: &View) -> Change {
        let mut c = Change::empty(view);
        for &i in indices {
            c.add(&facts.rows[i as usize]);
        }
        c
    }

    /// Adds a fact row to its component's sums; its component number ([`OUTSIDE`] when it
    /// is outside the span).
    fn add(&mut self, r: &FactRow) -> u32 {
        let Some(current) = self.side(r) else {
            return OUTSIDE;
        };
        let key = ComponentKey::of(r);
        let number = if let Some(&n) = self.numbers.get(&key) {
            n
        } else {
            let n = u32::try_from(self.keys.len()).unwrap_or(OUTSIDE);
            self.numbers.insert(key, n);
            self.keys.push(key);
            self.sums.push(Sides::default());
            n
        };
        if let Some(sums) = self.sums.get_mut(number as usize) {
            sums.add(current, r.quantity, r.costs[self.metric]);
        }
        number
    }

    /// `Some(true)` for a row of the current window, `Some(false)` of the previous one;
    /// `None` outside the span and for rows that cost nothing in this metric (their quantity
    /// is not priced here, and the cost tree drops rows that cost nothing in both windows).
    fn side(&self, r: &FactRow) -> Option<bool> {
        if r.costs[self.metric] == Money::ZERO {
            None
        } else if self.window.contains(r.day) {
            Some(true)
        } else if self.previous.contains(r.day) {
            Some(false)
        } else {
            None
        }
    }

    /// The sums of a component.
    pub fn sides(&self, key: &ComponentKey) -> Sides {
        self.numbers
            .get(key)
            .and_then(|&n| self.sums.get(n as usize))
            .copied()
            .unwrap_or_default()
    }

    /// The component number of fact row `i` of `facts` (by the precomputed table when there
    /// is one, else by its key).
    fn number_of(&self, facts: &Facts, i: u32) -> Option<u32> {
        match self.of_fact.get(i as usize) {
            Some(&n) => (n != OUTSIDE).then_some(n),
            None if self.of_fact.is_empty() => {
                let r = facts.rows.get(i as usize)?;
                self.side(r)?;
                self.numbers.get(&ComponentKey::of(r)).copied()
            }
            None => None,
        }
    }

    /// One fact row's share of its component's parts (zero outside the span).
    pub fn row_parts(&self, r: &FactRow) -> Parts {
        if self.side(r).is_none() {
            return Parts::ZERO;
        }
        self.parts_with(r, self.sides(&ComponentKey::of(r)))
    }

    /// A fact row's parts, its component's sums being `s` (the row is inside the span).
    fn parts_with(&self, r: &FactRow, s: Sides) -> Parts {
        let Some(current) = self.side(r) else {
            return Parts::ZERO;
        };
        let k = r.costs[self.metric];
        let signed = if current { k } else { -k };
        let mut p = Parts::ZERO;
        if r.category == Category::Idle {
            let part = if r.basis == Basis::PodUse {
                Part::Use
            } else {
                Part::Capacity
            };
            *p.get_mut(part) = signed;
            return p;
        }
        if r.basis != Basis::Usage {
            p.other = signed;
            return p;
        }
        if !s.seen0 {
            p.new = signed;
        } else if !s.seen1 {
            p.gone = signed;
        } else if s.priced() {
            let at_r0 = s.at_previous_rate(r.quantity);
            if current {
                p.usage = at_r0;
                p.rate = k - at_r0;
            } else {
                p.usage = -at_r0;
                p.rate = at_r0 - k;
            }
        } else {
            p.other = signed;
        }
        p
    }

    /// The parts of a set of fact rows (a row's [`super::Row::facts`]).
    pub fn parts(&self, facts: &Facts, indices: &[u32]) -> Parts {
        let mut p = Parts::ZERO;
        for &i in indices {
            if let (Some(n), Some(r)) = (self.number_of(facts, i), facts.rows.get(i as usize)) {
                p += self.parts_with(r, self.sums[n as usize]);
            }
        }
        p
    }

    /// The components of a set of fact rows that moved most: by the largest |part|, at most
    /// `n`, each restricted to those rows.
    pub fn movers(&self, facts: &Facts, indices: &[u32], n: usize) -> Vec<Mover> {
        let mut by: FxHashMap<u32, (Sides, Parts)> = FxHashMap::default();
        for &i in indices {
            let (Some(number), Some(r)) = (self.number_of(facts, i), facts.rows.get(i as usize))
            else {
                continue;
            };
            let Some(current) = self.side(r) else {
                continue;
            };
            let e = by.entry(number).or_default();
            e.0.add(current, r.quantity, r.costs[self.metric]);
            e.1 += self.parts_with(r, self.sums[number as usize]);
        }
        let mut movers: Vec<Mover> = by
            .into_iter()
            .filter_map(|(number, (mine, parts))| {
                let key = *self.keys.get(number as usize)?;
                let (part, amount) = parts
                    .named()
                    .into_iter()
                    .max_by_key(|(p, m)| (m.0.unsigned_abs(), std::cmp::Reverse(*p)))?;
                (amount != Money::ZERO).then(|| Mover {
                    name: key.describe(facts),
                    unit: unit_of(facts.strings.get(key.usage_type())),
                    key,
                    part,
                    amount,
                    parts,
                    quantity_delta: Quantity(mine.q1.0 - mine.q0.0),
                    rate_change: self.sums[number as usize].rate_change(),
                })
            })
            .collect();
        movers.sort_by(|a, b| {
            b.amount
                .0
                .unsigned_abs()
                .cmp(&a.amount.0.unsigned_abs())
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.key.cmp(&b.key))
        });
        movers.truncate(n);
        movers
    }
}

/// A component that moved, as the detail pane lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    pub key: ComponentKey,
    /// `api EKS-EC2-vCPU-Hours`, `i-0abc BoxUsage:m6i.2xlarge`.
    pub name: String,
    /// Its largest part and that part's amount.
    pub part: Part,
    pub amount: Money,
    pub parts: Parts,
    /// q₁ − q₀ over the rows asked about.
    pub quantity_delta: Quantity,
    pub unit: &'static str,
    /// The component's r₁/r₀ − 1.
    pub rate_change: Option<f64>,
}

impl Mover {
    /// As [`fmt::Display`] writes it, with the amount in `unit` (`⇒ +€9.80 usage`).
    pub fn text(&self, unit: Unit) -> String {
        let mut t = String::new();
        let _ = self.write(&mut t, unit);
        t
    }

    fn write(&self, f: &mut dyn fmt::Write, unit: Unit) -> fmt::Result {
        let money = self.amount.display_signed_in(unit);
        match self.part {
            Part::Usage => write!(
                f,
                "{}: {:+.0} {} ⇒ {money} usage",
                self.name,
                self.quantity_delta.units(),
                self.unit
            ),
            Part::Rate => match self.rate_change {
                Some(c) => write!(f, "{}: rate {:+.0} % ⇒ {money} rate", self.name, c * 100.0),
                None => write!(f, "{}: ⇒ {money} rate", self.name),
            },
            part => write!(f, "{}: ⇒ {money} {part}", self.name),
        }
    }
}

impl fmt::Display for Mover {
    /// `api vCPU-Hours: +212 vCPU-h ⇒ +$9.80 usage`, `m6i.2xlarge: rate +4 % ⇒ +$3.10 rate`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Unit::USD)
    }
}

#[cfg(test)]
mod tests;
