//! Placement: what needs every row of a read, done once all parts are merged
//! ([`Partial::finish`]). Which EC2 instances are cluster nodes, the pods' share of each node,
//! idle = node − pods, and the check that every day still sums to its bill.
//!
//! Tie-breaks go by text, never by symbol number or hash order, so the facts do not depend on
//! the order parts were read in.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::aggregate::Partial;
use super::env::apply_fallbacks;
use super::interner::{Interner, NONE, Sym};
use super::{
    Basis, DIMS, Dim, Facts, K_BASIS, K_CAT, K_DAY, K_DIMS, Quantity, Sums, WarningCode, into_rows,
    kd,
};
use crate::config::EnvRules;
use crate::cur::attribution::Category;
use crate::cur::columns::Field;
use crate::cur::metrics::{Costs, Metric};
use crate::cur::money::Money;
use crate::cur::time::Day;

/// Per (day, node): what the node cost.
type NodeCosts = FxHashMap<(Day, Sym), Costs>;

/// Per (day, node): the key of its largest idle row, and that row's size.
type Anchors = FxHashMap<(Day, Sym), (Box<[u32]>, Money)>;

/// Per (day, node): what its pods cost, and their cluster (the first by name).
type PodTotals = BTreeMap<(Day, Sym), (Costs, Sym)>;

impl Partial {
    /// Resolves nodes, pods and idle, gives rows with no environment tag the one `env`'s
    /// fallbacks give, and returns the facts.
    pub fn finish(mut self, label_names: Vec<String>, env: &EnvRules) -> Facts {
        let node_cluster = self.node_clusters();
        let (node_cost, idle_anchor) = self.place_nodes(&node_cluster);
        let pod_total = self.place_pods(&node_cost);
        self.subtract_pods_from_idle(pod_total, &node_cost, &idle_anchor, label_names.len());
        self.facts = apply_fallbacks(
            std::mem::take(&mut self.facts),
            &mut self.strings,
            env,
            &mut self.quality,
        );
        let mut facts = Facts {
            strings: self.strings,
            label_names,
            rows: into_rows(self.facts),
            bill: self.bill.into_iter().collect(),
            quality: self.quality,
            columns: self.columns,
            account_names: self.account_names,
        };
        check_reconciliation(&mut facts);
        facts
    }

    /// Cluster nodes: parents of pods (their ARN's cluster wins) or cluster-tagged instances.
    fn node_clusters(&self) -> FxHashMap<Sym, Sym> {
        let mut node_cluster: FxHashMap<Sym, Sym> = self.node_cluster_tag.clone();
        for (&node, &cluster) in &self.pod_parents {
            if node != NONE {
                node_cluster.insert(node, cluster);
            }
        }
        node_cluster
    }

    /// Files each EC2 instance row: a cluster node's rows become its idle rows (cluster set,
    /// pod coordinates cleared), other instances stay where they were with no node. Returns
    /// what each node cost per day, and the idle row of each node-day that absorbs the pods'
    /// share: its largest row, the first by text among equals.
    fn place_nodes(&mut self, node_cluster: &FxHashMap<Sym, Sym>) -> (NodeCosts, Anchors) {
        let mut node_cost: NodeCosts = FxHashMap::default();
        let mut idle_anchor: Anchors = FxHashMap::default();
        // Node and pod rows all land in the facts (some merging into one key).
        self.facts.reserve(self.nodes.len() + self.pods.len());
        for (mut key, sums) in std::mem::take(&mut self.nodes) {
            let costs = sums.costs;
            let node = key[kd(Dim::Node)];
            let day = key[K_DAY] as Day;
            if let Some(&cluster) = node_cluster.get(&node) {
                key[K_CAT] = Category::Idle as u32;
                key[kd(Dim::Cluster)] = cluster;
                for d in [
                    Dim::Namespace,
                    Dim::WorkloadKind,
                    Dim::Workload,
                    Dim::Pod,
                    Dim::Container,
                ] {
                    key[kd(d)] = NONE;
                }
                self.quality
                    .sum(node_cost.entry((day, node)).or_default(), costs);
                let size = Money(costs[Metric::Amortized].0.abs());
                let anchor = idle_anchor
                    .entry((day, node))
                    .or_insert_with(|| (key.clone(), size));
                let larger = size > anchor.1
                    || (size == anchor.1
                        && key_text(&self.strings, &key) < key_text(&self.strings, &anchor.0));
                if larger {
                    *anchor = (key.clone(), size);
                }
            } else {
                key[kd(Dim::Node)] = NONE;
            }
            self.quality
                .sum_sums(self.facts.entry(key).or_default(), sums);
        }
        (node_cost, idle_anchor)
    }

    /// Files the pod rows. Metrics without a split column follow their node's ratio to
    /// amortized. Returns what the pods cost per node-day.
    fn place_pods(&mut self, node_cost: &NodeCosts) -> PodTotals {
        let derived: Vec<Metric> = [
            (Metric::Unblended, None),
            (Metric::Net, Some(Field::SplitNetSplitCost)),
            (Metric::OnDemand, Some(Field::SplitPublicOnDemandSplitCost)),
        ]
        .into_iter()
        .filter(|(_, f)| f.is_none_or(|f| !self.columns.has(f)))
        .map(|(m, _)| m)
        .collect();
        let mut pod_total: PodTotals = BTreeMap::new();
        for (key, mut sums) in std::mem::take(&mut self.pods) {
            let costs = &mut sums.costs;
            let day = key[K_DAY] as Day;
            let node = key[kd(Dim::Node)];
            let nc = node_cost.get(&(day, node)).copied().unwrap_or_default();
            let split = costs[Metric::Amortized];
            for &m in &derived {
                costs[m] = split.scale(nc[m], nc[Metric::Amortized]);
            }
            let cluster = key[kd(Dim::Cluster)];
            let total = pod_total
                .entry((day, node))
                .or_insert((Costs::ZERO, cluster));
            self.quality.sum(&mut total.0, *costs);
            if self.strings.get(cluster) < self.strings.get(total.1) {
                total.1 = cluster;
            }
            self.quality
                .sum_sums(self.facts.entry(key).or_default(), sums);
        }
        pod_total
    }

    /// Idle = node − pods: each node-day's pods come off its idle anchor, as a row of the
    /// anchor's key with [`Basis::PodUse`] (so the node's own rows keep its cost and hours, and
    /// a change of idle splits into capacity and use). Pods whose node has no EC2 rows in this
    /// data (a report without resource IDs: the node's instance rows are there, unrecognised,
    /// in unallocated) keep their pod cost and are taken out of unallocated by a negative
    /// `pod-use` row of their own, and said in a warning: the bill still totals, idle never
    /// goes below zero for want of a node, and the node is not counted twice.
    ///
    /// Pods that claim more than their node cost (per metric) take the node's idle to zero,
    /// not below: the excess stays pod cost and is taken out of unallocated by a negative row
    /// of usage type [`PODS_BEYOND_NODE_COST`] (the node's name, service `AmazonEC2`), said in
    /// the `pods-beyond-node-cost` warning, so idle is never negative and the bill totals.
    fn subtract_pods_from_idle(
        &mut self,
        pod_total: PodTotals,
        node_cost: &NodeCosts,
        idle_anchor: &Anchors,
        label_count: usize,
    ) {
        let mut orphan = Costs::ZERO;
        let mut beyond = Costs::ZERO;
        let off = |total: Costs| Sums::new(-total, Quantity::ZERO);
        for ((day, node), (total, _)) in pod_total {
            if let Some((key, _)) = idle_anchor.get(&(day, node)) {
                let nc = node_cost.get(&(day, node)).copied().unwrap_or_default();
                let (used, excess) = split_at_node_cost(total, nc);
                let mut key = key.clone();
                key[K_BASIS] = Basis::PodUse as u32;
                self.quality
                    .sum_sums(self.facts.entry(key).or_default(), off(used));
                if !excess.is_zero() {
                    self.quality.sum(&mut beyond, excess);
                    let key =
                        self.unallocated_pod_use(day, node, PODS_BEYOND_NODE_COST, label_count);
                    self.quality
                        .sum_sums(self.facts.entry(key).or_default(), off(excess));
                }
            } else {
                self.quality.sum(&mut orphan, total);
                let key = self.unallocated_pod_use(day, node, "", label_count);
                self.quality
                    .sum_sums(self.facts.entry(key).or_default(), off(total));
            }
        }
        if !beyond.is_zero() {
            self.quality.warn(
                WarningCode::PodsBeyondNodeCost,
                format!(
                    "pod split rows claim {} (amortized) more than their nodes cost: those \
                     nodes' idle is zero, not negative, and the excess stays pod cost, taken \
                     out of unallocated as usage type `{PODS_BEYOND_NODE_COST}`, so the bill \
                     still totals",
                    beyond[Metric::Amortized]
                ),
            );
        }
        if !orphan.is_zero() {
            self.quality.warn(
                WarningCode::PodsWithoutNode,
                format!(
                    "pod split rows worth {} (amortized) name nodes with no EC2 rows in this \
                     data: they stay pod cost and are taken out of unallocated (where their \
                     nodes' unrecognised instance rows are), so the bill still totals; those \
                     nodes' idle is unknown",
                    orphan[Metric::Amortized]
                ),
            );
        }
    }

    /// The key of a negative unallocated `pod-use` row for `node` on `day`: service `AmazonEC2`,
    /// `usage_type` (empty for pods whose node has no rows), everything else empty.
    fn unallocated_pod_use(
        &mut self,
        day: Day,
        node: Sym,
        usage_type: &str,
        label_count: usize,
    ) -> Box<[u32]> {
        let mut key = vec![NONE; K_DIMS + DIMS + label_count];
        key[K_DAY] = day as u32;
        key[K_CAT] = Category::Unallocated as u32;
        key[K_BASIS] = Basis::PodUse as u32;
        key[kd(Dim::Node)] = node;
        key[kd(Dim::Service)] = self
            .strings
            .intern(crate::cur::line_item::product::AMAZON_EC2);
        if !usage_type.is_empty() {
            key[kd(Dim::UsageType)] = self.strings.intern(usage_type);
        }
        key.into()
    }
}

/// The usage type of the negative unallocated row that balances what pods claim beyond their
/// node's cost (also written by the Athena query, `overlay.rs`).
pub const PODS_BEYOND_NODE_COST: &str = "pods-beyond-node-cost";

/// What a node-day's pods take off its idle and what they claim beyond it, per metric: the
/// pods' total up to the node's cost, and the rest. Idle (node − used) is then never below
/// zero.
fn split_at_node_cost(pods: Costs, node: Costs) -> (Costs, Costs) {
    let mut used = pods;
    let mut excess = Costs::ZERO;
    for m in Metric::ALL {
        if pods[m] > node[m] {
            used[m] = node[m];
            excess[m] = Money(pods[m].0.saturating_sub(node[m].0));
        }
    }
    (used, excess)
}

/// A key as text, for tie-breaks that must not depend on symbol numbering.
/// Dimensions and labels, then the basis by name (the order the Athena query ranks by).
fn key_text<'s>(strings: &'s Interner, key: &[u32]) -> Vec<&'s str> {
    key[K_DIMS..]
        .iter()
        .map(|s| strings.get(*s))
        .chain([Basis::from_index(key[K_BASIS]).name()])
        .collect()
}

/// Every day's categories must sum to that day's bill, exactly. A mismatch is a bug in
/// curtop, reported rather than hidden.
fn check_reconciliation(facts: &mut Facts) {
    let mut sums: BTreeMap<Day, Costs> = BTreeMap::new();
    for r in &facts.rows {
        *sums.entry(r.day).or_default() += r.costs;
    }
    for (day, bill) in &facts.bill {
        let got = sums.get(day).copied().unwrap_or_default();
        if got != *bill {
            let diff = got - *bill;
            facts.quality.warn(
                WarningCode::Reconciliation,
                format!(
                    "internal error: day {} allocates {} more than its bill (amortized); please \
                     report this",
                    crate::cur::time::date_of(*day),
                    diff[Metric::Amortized]
                ),
            );
        }
    }
}
