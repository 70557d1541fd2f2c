//! Facts: the narrow table everything downstream reads. One row per (day, category, basis,
//! account, service, usage type, cluster, namespace, workload, pod, container, node, resource,
//! env, provider, labels) with the four cost metrics and the usage quantity; names interned.
//!
//! This module owns the table ([`Facts`], [`FactRow`], [`Dim`]), the layout of the keys rows
//! are summed under while being built, and the one conversion of those keys into rows. The
//! parts that build it:
//!
//! - `interner`: the strings rows point to ([`Interner`], [`Sym`]);
//! - `quality`: what the read saw besides the facts ([`Quality`], [`Warning`]);
//! - `aggregate`: the [`Aggregator`] builds facts while line items stream in (one per report
//!   part, merged in part order as [`Partial`]s), every line item's cost by one function;
//! - `placement`: [`Partial::finish`] resolves what needs every row: which EC2 instances are
//!   cluster nodes, the pods' share of each node, and idle = node − pods;
//! - `placed`: [`PlacedRows`] builds facts from rows already placed elsewhere (Athena);
//! - `env`: the environment normalisation both builders share;
//! - `rollup`: [`Facts::rollup`], the table without pods, containers and nodes (the facts
//!   cache's first frame).

mod aggregate;
mod combine;
mod env;
mod interner;
mod memo;
mod placed;
mod placement;
pub use placement::PODS_BEYOND_NODE_COST;
mod quality;
mod rollup;
pub use rollup::ROLLED_UP;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

pub use aggregate::{Aggregator, Partial};
pub use combine::combine;
pub use interner::{Interner, NONE, Sym};
pub use memo::{KEY_SEED, key_finish, key_step};
pub use placed::PlacedRows;
pub use quality::{CurrencyTotal, MAX_EXAMPLES, Malformed, Quality, Warning, WarningCode};

use crate::cur::attribution::Category;
use crate::cur::line_item::ColumnSet;
use crate::cur::metrics::Costs;
use crate::cur::time::Day;

/// A dimension of a fact row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    Account = 0,
    Service = 1,
    UsageType = 2,
    Cluster = 3,
    Namespace = 4,
    WorkloadKind = 5,
    Workload = 6,
    Pod = 7,
    Container = 8,
    Node = 9,
    Resource = 10,
    Env = 11,
    /// Whose bill the row is from: FOCUS `ProviderName` (`AWS` for CUR).
    Provider = 12,
    /// The currency of the row's amounts: FOCUS `BillingCurrency`; none for a CUR (its
    /// payer's currency). Amounts in different currencies are never added (`docs/focus.md`).
    Currency = 13,
}

/// Number of [`Dim`]s.
pub const DIMS: usize = 14;

/// Key layout: `[day, category, basis, dims.., labels..]`.
const K_DAY: usize = 0;
const K_CAT: usize = 1;
const K_BASIS: usize = 2;
const K_DIMS: usize = 3;

/// What a row's cost is priced by, so a change of cost can be told apart into usage and rate
/// (`alloc::change`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Basis {
    /// Metered usage: its [`FactRow::quantity`] is the usage the cost is for —
    /// `splitLineItem/SplitUsage` of a split pod row, `lineItem/UsageAmount` otherwise.
    #[default]
    Usage = 0,
    /// No quantity: fees, tax, credits, refunds, discounts, commitment fees, negations.
    Other = 1,
    /// The idle row that takes a node-day's pods off its node's cost (always ≤ 0 for
    /// positive pods): idle = the node's `Usage` rows + this.
    PodUse = 2,
}

impl Basis {
    /// The basis of a key slot value (unknown values read as `Other`).
    pub fn from_index(i: u32) -> Basis {
        match i {
            0 => Basis::Usage,
            2 => Basis::PodUse,
            _ => Basis::Other,
        }
    }

    /// The name the Athena query writes (`usage`, `other`, `pod-use`).
    pub fn name(self) -> &'static str {
        match self {
            Basis::Usage => "usage",
            Basis::Other => "other",
            Basis::PodUse => "pod-use",
        }
    }

    /// The basis of a name written by [`Basis::name`].
    pub fn from_name(s: &str) -> Option<Basis> {
        [Basis::Usage, Basis::Other, Basis::PodUse]
            .into_iter()
            .find(|b| b.name() == s)
    }
}

/// An amount of usage in nano-units of its pricing unit (10⁻⁹ hour, GB, request): the same
/// fixed point as [`crate::cur::money::Money`], so sums are exact in any order. Sums saturate
/// rather than wrap (beyond 9.2 billion units in one row-day, far past any real line item).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(pub i64);

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);

    /// The quantity in whole units, for display.
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    pub fn units(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

impl std::ops::AddAssign for Quantity {
    fn add_assign(&mut self, rhs: Quantity) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

/// What a key sums to while facts are built: the four metrics and the usage quantity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub costs: Costs,
    pub quantity: Quantity,
}

impl Sums {
    pub fn new(costs: Costs, quantity: Quantity) -> Self {
        Self { costs, quantity }
    }
}

impl std::ops::AddAssign for Sums {
    fn add_assign(&mut self, rhs: Sums) {
        self.costs += rhs.costs;
        self.quantity += rhs.quantity;
    }
}

/// The key slot of a dimension.
fn kd(d: Dim) -> usize {
    K_DIMS + d as usize
}

/// One row of facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactRow {
    pub day: Day,
    pub category: Category,
    /// What the cost is priced by; rows of one key but different bases stay apart.
    pub basis: Basis,
    pub dims: [Sym; DIMS],
    /// Values of [`Facts::label_names`], in order.
    pub labels: Box<[Sym]>,
    pub costs: Costs,
    /// The usage the cost is for ([`Basis::Usage`] rows; zero otherwise).
    pub quantity: Quantity,
    /// Where this cost was shared in from (`idle`, a shared namespace, a sharing rule's name);
    /// [`NONE`] for a row's own cost. Only `alloc::sharing` writes rows with a source.
    pub shared: Sym,
}

impl FactRow {
    /// The row's symbol for a dimension.
    pub fn dim(&self, d: Dim) -> Sym {
        self.dims[d as usize]
    }
}

/// The facts table.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub strings: Interner,
    /// Names of the label dimensions (`label:team`, `tag:cost-center`).
    pub label_names: Vec<String>,
    pub rows: Vec<FactRow>,
    /// The bill per day, summed straight from the line items (independent of attribution).
    pub bill: BTreeMap<Day, Costs>,
    pub quality: Quality,
    /// Which columns the report had.
    pub columns: ColumnSet,
    /// Account id → its display name, where the bill names it (FOCUS `SubAccountName`; the
    /// smallest name when rows disagree).
    pub account_names: BTreeMap<String, String>,
}

impl Facts {
    /// A row's dimension as text ("" for none).
    pub fn text(&self, row: &FactRow, d: Dim) -> &str {
        self.strings.get(row.dim(d))
    }

    /// The unit the amounts of these fact rows are written in: their `BillingCurrency` (rows
    /// shown or summed together are always in one: `alloc::Level::root`); for no rows, the
    /// bill's one currency; US dollars for none (a CUR).
    pub fn unit_of(&self, rows: &[u32], ascii: bool) -> crate::cur::money::Unit {
        let code = match rows.first().and_then(|&i| self.rows.get(i as usize)) {
            Some(r) => self.text(r, Dim::Currency),
            None if self.quality.currencies.len() == 1 => self
                .quality
                .currencies
                .keys()
                .next()
                .map_or("", String::as_str),
            None => "",
        };
        crate::cur::money::Unit::of(code, ascii)
    }

    /// The currencies of a bill in more than one (`EUR, USD`), which are never added
    /// together; `None` for a bill in one.
    pub fn mixed_currencies(&self) -> Option<String> {
        let c = &self.quality.currencies;
        (c.len() > 1).then(|| c.keys().cloned().collect::<Vec<_>>().join(", "))
    }

    /// First and last (inclusive) day with data.
    pub fn day_range(&self) -> Option<(Day, Day)> {
        Some((*self.bill.keys().next()?, *self.bill.keys().next_back()?))
    }

    /// Whether, per metric, the amounts' magnitudes (every row's, and every day's bill) sum
    /// within what [`crate::cur::money::Money`] holds. When they do, no sum of any of these rows — in any order,
    /// over any subset, or of the parts sharing splits them into (parts keep their row's sign)
    /// — and no difference of two such sums over different days can overflow: the cost tree,
    /// report totals, sharing, change and budgets add with plain `+` on that proof. The reads
    /// refuse facts for which this is false (`amount-overflow`, [`crate::source`]).
    pub fn magnitude_fits(&self) -> bool {
        let fits = |amounts: &mut dyn Iterator<Item = &Costs>| {
            let mut sum = [0_i128; 4];
            for c in amounts {
                for (s, m) in sum.iter_mut().zip(c.0) {
                    *s += i128::from(m.0).abs();
                }
            }
            sum.iter().all(|s| *s <= i128::from(i64::MAX))
        };
        fits(&mut self.rows.iter().map(|r| &r.costs)) && fits(&mut self.bill.values())
    }

    /// The bill over `[start, end)`.
    pub fn bill_total(&self, start: Day, end: Day) -> Costs {
        self.bill
            .range(start..end)
            .fold(Costs::ZERO, |acc, (_, c)| acc + *c)
    }
}

impl Facts {
    /// The facts of several billing periods (read apart, or kept in the cache) as one table
    /// over `window`'s days (every day when `None`): rows outside the window dropped, the
    /// later periods' strings interned into the first's, quality and columns combined.
    /// `periods` come oldest first and hold different days, so their rows, each period's in
    /// the order it has, are the table in day order — the same table whether a period was
    /// read just now or taken from the cache.
    pub fn of_periods(periods: Vec<Facts>, window: Option<(Day, Day)>) -> Facts {
        let inside = |d: Day| window.is_none_or(|(s, e)| d >= s && d < e);
        let mut periods = periods.into_iter();
        let Some(mut out) = periods.next() else {
            return Facts::default();
        };
        if window.is_some() {
            out.rows.retain(|r| inside(r.day));
        }
        out.rows
            .reserve(periods.as_slice().iter().map(|p| p.rows.len()).sum());
        out.bill.retain(|d, _| inside(*d));
        for p in periods {
            let map: Vec<Sym> = (0..p.strings.len())
                .map(|i| {
                    out.strings
                        .intern(p.strings.get(Sym::try_from(i).unwrap_or(NONE)))
                })
                .collect();
            let tr = |s: Sym| map.get(s as usize).copied().unwrap_or(NONE);
            // Labels by name: periods read with the same plan have the same ones.
            let label_at: Vec<Option<usize>> = out
                .label_names
                .iter()
                .map(|n| p.label_names.iter().position(|m| m == n))
                .collect();
            out.rows
                .extend(p.rows.into_iter().filter(|r| inside(r.day)).map(|r| {
                    let mut dims = r.dims;
                    for d in &mut dims {
                        *d = tr(*d);
                    }
                    FactRow {
                        labels: label_at
                            .iter()
                            .map(|at| at.and_then(|i| r.labels.get(i)).map_or(NONE, |&s| tr(s)))
                            .collect(),
                        dims,
                        ..r
                    }
                }));
            for (d, c) in p.bill.into_iter().filter(|(d, _)| inside(*d)) {
                *out.bill.entry(d).or_insert(Costs::ZERO) += c;
            }
            out.quality.merge(p.quality);
            out.columns.union(&p.columns);
            merge_account_names(&mut out.account_names, p.account_names);
        }
        out
    }
}

/// Adds `from`'s account names to `into`'s; where both name an account, the smaller name
/// (the same whatever the order of the parts).
fn merge_account_names(into: &mut BTreeMap<String, String>, from: BTreeMap<String, String>) {
    for (account, name) in from {
        match into.get_mut(&account) {
            Some(n) if name < *n => *n = name,
            Some(_) => {}
            None => {
                into.insert(account, name);
            }
        }
    }
}

/// Costs and quantities of the facts being built, by key.
type KeyMap = FxHashMap<Box<[u32]>, Sums>;

/// Adds `sums` under `key`, allocating the key only when it is new (most rows repeat one);
/// an overflowing sum is counted in `quality`.
fn add_to(map: &mut KeyMap, key: &[u32], sums: Sums, quality: &mut Quality) {
    if let Some(c) = map.get_mut(key) {
        quality.sum_sums(c, sums);
    } else {
        map.insert(key.into(), sums);
    }
}

/// The rows of built facts: zero rows dropped (a quantity that cost nothing too), sorted by day,
/// category, basis, dimension symbols and labels, so that equal inputs give equal tables.
fn into_rows(facts: KeyMap) -> Vec<FactRow> {
    let mut rows: Vec<FactRow> = facts
        .into_iter()
        .filter(|(_, s)| !s.costs.is_zero())
        .map(|(k, s)| {
            let mut dims = [NONE; DIMS];
            dims.copy_from_slice(&k[K_DIMS..K_DIMS + DIMS]);
            FactRow {
                day: k[K_DAY] as Day,
                category: Category::from_index(k[K_CAT]),
                basis: Basis::from_index(k[K_BASIS]),
                dims,
                labels: k[K_DIMS + DIMS..].into(),
                costs: s.costs,
                quantity: s.quantity,
                shared: NONE,
            }
        })
        .collect();
    sort_rows(&mut rows);
    rows
}

/// Rows at least this many are sorted in two halves on two threads, then merged.
const PARALLEL_SORT_ROWS: usize = 32 * 1024;

/// Sorts fact rows by day, category, basis, dimension symbols and labels. Their keys are
/// unique (they come from a map), so an unstable sort gives the one order; a large table's two
/// halves are sorted side by side (the sort is most of what is left to do once every part is
/// read, on one thread).
fn sort_rows(rows: &mut Vec<FactRow>) {
    fn order(a: &FactRow, b: &FactRow) -> std::cmp::Ordering {
        (a.day, a.category, a.basis, a.dims, &a.labels)
            .cmp(&(b.day, b.category, b.basis, b.dims, &b.labels))
    }
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if rows.len() < PARALLEL_SORT_ROWS || !two_cores {
        rows.sort_unstable_by(order);
        return;
    }
    let mut right = rows.split_off(rows.len() / 2);
    let left = std::mem::take(rows);
    let mut left = std::thread::scope(|s| {
        let sorted = s.spawn(move || {
            let mut left = left;
            left.sort_unstable_by(order);
            left
        });
        right.sort_unstable_by(order);
        sorted.join()
    })
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    rows.reserve(left.len() + right.len());
    let (mut l, mut r) = (left.drain(..).peekable(), right.drain(..).peekable());
    loop {
        let take_left = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => order(a, b).is_le(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        rows.extend(if take_left { l.next() } else { r.next() });
    }
}
