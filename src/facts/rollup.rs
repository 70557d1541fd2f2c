//! The roll-up of a table: its rows with the dimensions below a workload left out — pod,
//! container and node on every row, and the resource of pod rows (their node's instance) —
//! and the rows that then share a key summed. The facts cache keeps it beside each period's
//! facts, so a warm start draws its first frame from it while the full facts are decoded.
//!
//! What the roll-up keeps is exactly what the levels above the pods need: clusters,
//! namespaces, workloads, idle, external resources, services, usage types, accounts,
//! environments, labels, every day. Sums over any set of its rows equal the same sums over
//! the facts, sharing gives the same result on it (sharing moves money by day, category,
//! service and namespace), and the change analysis sees the same components (pod cost is
//! one component per workload and usage type, everything else per resource or service:
//! [`crate::alloc::change::ComponentKey`]). Only the levels of pods and of idle's nodes need
//! the full facts.

use rustc_hash::FxHashMap;

use super::{DIMS, Dim, FactRow, Facts, NONE};
use crate::cur::attribution::Category;
use crate::cur::time::Day;

/// The dimensions the roll-up leaves out on every row.
pub const ROLLED_UP: [Dim; 3] = [Dim::Pod, Dim::Container, Dim::Node];

/// What a rolled-up row is summed under.
type Key = (
    Day,
    Category,
    super::Basis,
    [super::Sym; DIMS],
    Box<[super::Sym]>,
);

impl Facts {
    /// The roll-up of these facts (see the module's docs): same strings, bill, quality,
    /// columns and names; rows summed under their rolled-up key, in the facts' order of
    /// first appearance. Every row is kept, a sum of zero too, so the quantities the change
    /// analysis reads are the facts' own.
    #[must_use]
    pub fn rollup(&self) -> Facts {
        let mut rows: Vec<FactRow> = Vec::new();
        let mut at: FxHashMap<Key, usize> = FxHashMap::default();
        // Facts come sorted by day, category, basis and dimensions, so the rows one rolled-up
        // row gathers mostly follow each other: the map is asked only when the key changes.
        let mut last: Option<usize> = None;
        for r in &self.rows {
            let mut dims = r.dims;
            for d in ROLLED_UP {
                dims[d as usize] = NONE;
            }
            if r.category == Category::Pod {
                dims[Dim::Resource as usize] = NONE;
            }
            let same = |o: &FactRow| {
                o.day == r.day
                    && o.category == r.category
                    && o.basis == r.basis
                    && o.shared == r.shared
                    && o.dims == dims
                    && o.labels == r.labels
            };
            let slot = match last {
                Some(i) if same(&rows[i]) => i,
                _ => {
                    let key = (r.day, r.category, r.basis, dims, r.labels.clone());
                    // Rows shared in are never in the cache; should a table hold some, they
                    // stay rows of their own.
                    let found = (r.shared == NONE).then(|| at.get(&key).copied()).flatten();
                    found.unwrap_or_else(|| {
                        rows.push(FactRow {
                            dims,
                            costs: crate::cur::metrics::Costs::ZERO,
                            quantity: super::Quantity::ZERO,
                            ..r.clone()
                        });
                        if r.shared == NONE {
                            at.insert(key, rows.len() - 1);
                        }
                        rows.len() - 1
                    })
                }
            };
            let row = &mut rows[slot];
            // The facts' amounts fit summed in any order (`Facts::magnitude_fits`, checked
            // on every read), so these sums cannot overflow.
            row.costs += r.costs;
            row.quantity += r.quantity;
            last = Some(slot);
        }
        Facts {
            strings: self.strings.clone(),
            label_names: self.label_names.clone(),
            rows,
            bill: self.bill.clone(),
            quality: self.quality.clone(),
            columns: self.columns,
            account_names: self.account_names.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::change::ComponentKey;
    use crate::clock::AsOf;
    use crate::cur::metrics::{Costs, Metric};
    use crate::cur::money::Money;
    use crate::source::{ReadRequest, load};
    use crate::window::WindowSpec;
    use std::collections::BTreeMap;

    fn demo() -> Facts {
        let config = crate::config::Config::demo();
        let as_of = AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap());
        load(&ReadRequest::new(
            &config.profiles[0],
            WindowSpec::All,
            as_of,
        ))
        .unwrap()
        .facts
    }

    type Texts = (Day, Category, crate::facts::Basis, Vec<String>);

    /// Sums (costs, quantity) by a key of the rows' texts, so that two tables' symbols need
    /// not agree.
    fn by(f: &Facts, key: fn(&Facts, &FactRow) -> Texts) -> BTreeMap<Texts, (Costs, i64)> {
        let mut out: BTreeMap<Texts, (Costs, i64)> = BTreeMap::new();
        for r in &f.rows {
            let e = out.entry(key(f, r)).or_insert((Costs::ZERO, 0));
            e.0 += r.costs;
            e.1 += r.quantity.0;
        }
        out
    }

    /// Every dimension the roll-up keeps (a pod row's resource is its node's, not kept).
    fn kept(f: &Facts, x: &FactRow) -> Texts {
        let mut t: Vec<String> = [
            Dim::Account,
            Dim::Service,
            Dim::UsageType,
            Dim::Cluster,
            Dim::Namespace,
            Dim::WorkloadKind,
            Dim::Workload,
            Dim::Env,
            Dim::Provider,
            Dim::Currency,
        ]
        .iter()
        .map(|d| f.text(x, *d).to_string())
        .collect();
        if x.category != Category::Pod {
            t.push(f.text(x, Dim::Resource).to_string());
        }
        t.extend(x.labels.iter().map(|s| f.strings.get(*s).to_string()));
        t.push(f.strings.get(x.shared).to_string());
        (x.day, x.category, x.basis, t)
    }

    /// The change analysis's component of a row.
    fn component(f: &Facts, x: &FactRow) -> Texts {
        let k = ComponentKey::of(x);
        let t = k
            .dims
            .iter()
            .map(|s| f.strings.get(*s).to_string())
            .collect();
        (x.day, k.category, k.basis, t)
    }

    #[test]
    fn the_rollup_keeps_every_sum_above_the_pods_and_is_much_smaller() {
        let facts = demo();
        let pod_rows = |f: &Facts| {
            f.rows
                .iter()
                .filter(|r| r.category == Category::Pod)
                .count()
        };
        assert!(pod_rows(&facts) > 1000, "the demo has pods to roll up");
        let r = facts.rollup();
        // The demo runs about three pods per workload: a third of its pod rows.
        assert!(
            pod_rows(&r) * 2 < pod_rows(&facts),
            "{} of {}",
            pod_rows(&r),
            pod_rows(&facts)
        );
        assert!(
            r.rows
                .iter()
                .all(|x| ROLLED_UP.iter().all(|d| x.dim(*d) == NONE))
        );
        assert_eq!(by(&r, kept), by(&facts, kept));
        assert_eq!(by(&r, component), by(&facts, component));
        let total = |f: &Facts| {
            f.rows
                .iter()
                .map(|x| x.costs[Metric::Amortized])
                .sum::<Money>()
        };
        assert_eq!(total(&r), total(&facts));
        assert_eq!(r.bill, facts.bill);
        assert_eq!(r.quality, facts.quality);
        assert_eq!(r.rollup().rows, r.rows, "a roll-up rolls up to itself");
    }

    #[test]
    fn sharing_the_rollup_is_the_rollup_of_sharing() {
        let config = crate::config::Config::demo();
        let rules = &config.profiles[0].sharing;
        assert!(rules.is_active(), "the demo profile shares");
        let facts = demo();
        let a = crate::alloc::sharing::share(&facts.rollup(), rules).facts;
        let b = crate::alloc::sharing::share(&facts, rules).facts.rollup();
        assert!(
            a.rows.iter().any(|x| x.shared != NONE),
            "something was shared"
        );
        assert_eq!(by(&a, kept), by(&b, kept));
    }
}
