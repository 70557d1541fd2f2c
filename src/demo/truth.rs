//! The truth: what every dollar of a generated delivery is, computed from the model as rows
//! are emitted (never by reading the files back), following `docs/allocation.md`.
//!
//! Units: integer nano-dollars (1e-9 USD) everywhere. Each row's amounts are the exact integers
//! written to the files, so a correct reader reproduces these sums to the nano-dollar.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::model::{Model, Scheme};
use super::row::{Alloc, Row};

/// Category names, as in `docs/allocation.md`.
pub const CATEGORIES: [&str; 5] = ["pod", "idle", "external", "control-plane", "unallocated"];
/// Metric names, as curtop spells them.
pub const METRICS: [&str; 4] = ["unblended", "amortized", "net", "on-demand"];
/// The cluster key of costs that name no cluster.
pub const NO_CLUSTER: &str = "-";

const POD: u8 = 0;
const IDLE: u8 = 1;
const EXTERNAL: u8 = 2;
const CONTROL_PLANE: u8 = 3;
const UNALLOCATED: u8 = 4;

/// One metric's totals, in nano-dollars.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTruth {
    pub total: i64,
    /// Category name → amount.
    pub by_category: BTreeMap<String, i64>,
    /// Cluster → amount; costs naming no cluster under [`NO_CLUSTER`].
    pub by_cluster: BTreeMap<String, i64>,
    /// Cluster → category → amount.
    pub by_cluster_category: BTreeMap<String, BTreeMap<String, i64>>,
    /// Cluster → namespace → amount: only costs that name a namespace (pods, and external
    /// resources tagged with a namespace). Idle and control plane have no namespace.
    pub by_namespace: BTreeMap<String, BTreeMap<String, i64>>,
    /// Day (`YYYY-MM-DD`, UTC of `lineItem/UsageStartDate`) → amount.
    pub by_day: BTreeMap<String, i64>,
    /// Day → category → amount.
    pub by_day_category: BTreeMap<String, BTreeMap<String, i64>>,
}

impl MetricTruth {
    /// The amount of (cluster, namespace); pods are in [`Allocation::by_pod`].
    pub fn namespace(&self, cluster: &str, namespace: &str) -> i64 {
        self.by_namespace
            .get(cluster)
            .and_then(|m| m.get(namespace))
            .copied()
            .unwrap_or(0)
    }

    pub fn category(&self, category: &str) -> i64 {
        self.by_category.get(category).copied().unwrap_or(0)
    }
}

/// Cluster → namespace → pod → metric name → amount.
pub type PodTree = BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeMap<String, i64>>>>;

/// All metrics of a delivery under one tag mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub unblended: MetricTruth,
    pub amortized: MetricTruth,
    pub net: MetricTruth,
    #[serde(rename = "on-demand")]
    pub on_demand: MetricTruth,
    /// Cluster → namespace → pod → metric name → amount (pods: EKS split and Fargate pods, and
    /// external resources tagged down to a pod).
    pub by_pod: PodTree,
}

impl Allocation {
    /// The truth of one metric by its name (`unblended`, `amortized`, `net`, `on-demand`).
    pub fn metric(&self, name: &str) -> Option<&MetricTruth> {
        match name {
            "unblended" => Some(&self.unblended),
            "amortized" => Some(&self.amortized),
            "net" => Some(&self.net),
            "on-demand" => Some(&self.on_demand),
            _ => None,
        }
    }

    fn metric_mut(&mut self, i: usize) -> &mut MetricTruth {
        match i {
            0 => &mut self.unblended,
            1 => &mut self.amortized,
            2 => &mut self.net,
            _ => &mut self.on_demand,
        }
    }

    /// A pod's amount of one metric.
    pub fn pod(&self, cluster: &str, namespace: &str, pod: &str, metric: &str) -> i64 {
        self.by_pod
            .get(cluster)
            .and_then(|m| m.get(namespace))
            .and_then(|m| m.get(pod))
            .and_then(|m| m.get(metric))
            .copied()
            .unwrap_or(0)
    }
}

/// Per (day, node) and metric: the node's cost and the sum of its pods, for self-checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDay {
    pub day: String,
    pub node: String,
    pub cluster: String,
    /// The node's cost per metric (all its rows).
    pub cost: [i64; 4],
    /// Σ over its pods' split rows of `SplitCost + UnusedCost`.
    pub split_plus_unused: i64,
    /// The node's amortized compute cost (the base AWS splits; excludes data transfer).
    pub compute_amortized: i64,
}

/// What a delivery contains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// Always `nano-USD`: every amount is an integer of 1e-9 dollars.
    pub unit: String,
    pub seed: u64,
    /// First day of data (inclusive) and the end (exclusive), `YYYY-MM-DD`.
    pub start: String,
    pub end: String,
    /// Data rows of the current delivery (all files, overlay rows included; stale assemblies
    /// excluded).
    pub rows: u64,
    /// Of which overlay rows (`EKSPod-EC2`), dropped ones included.
    pub overlay_rows: u64,
    /// Object keys written (data, manifests, status), stale ones included, sorted.
    pub keys: Vec<String>,
    /// Keys of stale assemblies that a reader must ignore.
    pub stale_keys: Vec<String>,
    /// Under curtop's default tag mapping (Kubecost `kubernetes_*` keys).
    pub default_mapping: Allocation,
    /// With the alternative keys ([`super::ALT_CLUSTER_KEY`], [`super::ALT_NAMESPACE_KEY`])
    /// added to the cluster and namespace concepts.
    pub alt_mapping: Allocation,
    /// Per (day, node) figures, sorted by day then node id.
    pub node_days: Vec<NodeDay>,
}

/// Where a cost lands: (day, category, cluster, namespace, pod) as interned names (0 = none).
type Key = (u32, u8, u32, u32, u32);

/// Accumulates the truth as rows are emitted.
pub struct TruthBuilder<'m> {
    m: &'m Model,
    names: Vec<String>,
    index: FxHashMap<String, u32>,
    node_day: FxHashMap<(u32, u32), [i64; 4]>,
    node_compute: FxHashMap<(u32, u32), i64>,
    node_split: FxHashMap<(u32, u32), i64>,
    /// (day, node, pod, cpu) → Σ `SplitCost`, Σ `NetSplitCost`, Σ `PublicOnDemandSplitCost`.
    pod_day: FxHashMap<(u32, u32, u32, bool), [i64; 3]>,
    acc: [FxHashMap<Key, [i64; 4]>; 2],
    rows: u64,
    overlay_rows: u64,
}

/// `v × num / den` rounded half away from zero (0 when `den` is 0), as the doc prescribes.
pub fn scale(v: i64, num: i64, den: i64) -> i64 {
    if den == 0 {
        return 0;
    }
    let p = i128::from(v) * i128::from(num);
    let d = i128::from(den);
    let q = p / d;
    let r = p % d;
    let adjust = if 2 * r.abs() >= d.abs() {
        if (p < 0) == (d < 0) { 1 } else { -1 }
    } else {
        0
    };
    (q + adjust) as i64
}

impl<'m> TruthBuilder<'m> {
    pub fn new(m: &'m Model) -> Self {
        let mut t = Self {
            m,
            names: vec![String::new()],
            index: FxHashMap::default(),
            node_day: FxHashMap::default(),
            node_compute: FxHashMap::default(),
            node_split: FxHashMap::default(),
            pod_day: FxHashMap::default(),
            acc: [FxHashMap::default(), FxHashMap::default()],
            rows: 0,
            overlay_rows: 0,
        };
        t.index.insert(String::new(), 0);
        t
    }

    fn sym(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.index.get(name) {
            return s;
        }
        let s = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), s);
        s
    }

    fn put(&mut self, mapping: usize, key: Key, metrics: [i64; 4]) {
        let e = self.acc[mapping].entry(key).or_insert([0; 4]);
        for (a, b) in e.iter_mut().zip(metrics) {
            *a += b;
        }
    }

    fn both(&mut self, key: Key, metrics: [i64; 4]) {
        self.put(0, key, metrics);
        self.put(1, key, metrics);
    }

    /// Counts one emitted row of the current delivery.
    pub fn add(&mut self, row: &Row<'_>) {
        let m = self.m;
        self.rows += 1;
        let day = row.day;
        let mut alloc = row.alloc;
        if !m.with_resource_ids {
            // Without resource ids nothing identifies nodes, pods or cluster ARNs.
            if matches!(
                alloc,
                Alloc::Node { .. } | Alloc::Fargate { .. } | Alloc::ControlPlane { .. }
            ) {
                alloc = Alloc::Unallocated;
            }
        }
        match alloc {
            Alloc::PodSplit { node, pod, cpu } => {
                self.overlay_rows += 1;
                if let Some(s) = row.split {
                    let e = self.pod_day.entry((day, node, pod, cpu)).or_insert([0; 3]);
                    e[0] += s.split_cost;
                    e[1] += s.net_split_cost;
                    e[2] += s.od_split_cost;
                    *self.node_split.entry((day, node)).or_insert(0) +=
                        s.split_cost + s.unused_cost;
                }
            }
            Alloc::Dropped => self.overlay_rows += 1,
            Alloc::Node { node } => {
                let e = self.node_day.entry((day, node)).or_insert([0; 4]);
                for (a, b) in e.iter_mut().zip(row.metrics) {
                    *a += b;
                }
                if row.operation == "RunInstances" {
                    *self.node_compute.entry((day, node)).or_insert(0) += row.metrics[1];
                }
            }
            Alloc::Fargate { pod } => {
                let p = &m.fargate[pod as usize];
                let c = self.sym(&m.clusters[p.cluster].name);
                let ns = self.sym(&m.namespaces[p.ns].name);
                let name = self.sym(&p.name);
                self.both((day, POD, c, ns, name), row.metrics);
            }
            Alloc::ControlPlane { cluster } => {
                let c = self.sym(&m.clusters[cluster as usize].name);
                self.both((day, CONTROL_PLANE, c, 0, 0), row.metrics);
            }
            Alloc::External { ext } => {
                let x = &m.externals[ext as usize];
                let c = self.sym(&m.clusters[x.cluster].name);
                let ns = x.namespace.as_deref().map_or(0, |n| self.sym(n));
                let pod = x.pod.as_deref().map_or(0, |p| self.sym(p));
                let key = (day, EXTERNAL, c, ns, pod);
                if x.scheme == Scheme::Kubecost {
                    self.both(key, row.metrics);
                } else {
                    self.put(0, (day, UNALLOCATED, 0, 0, 0), row.metrics);
                    self.put(1, key, row.metrics);
                }
            }
            Alloc::Unallocated => self.both((day, UNALLOCATED, 0, 0, 0), row.metrics),
        }
    }

    /// Resolves pods and idle and returns the truth.
    pub fn finish(mut self, seed: u64, keys: Vec<String>, stale_keys: Vec<String>) -> Truth {
        let m = self.m;
        let with_net = m.with_net;
        // Pods: amortized = SplitCost; on-demand = PublicOnDemandSplitCost; net = NetSplitCost
        // when written, else scaled like unblended: SplitCost × node metric / node amortized.
        let mut pods_of_node: FxHashMap<(u32, u32), [i64; 4]> = FxHashMap::default();
        let mut pod_entries: Vec<_> = self.pod_day.iter().map(|(k, v)| (*k, *v)).collect();
        pod_entries.sort_unstable_by_key(|e| e.0);
        for ((day, node, pod, _cpu), [split, net_split, od_split]) in pod_entries {
            let nc = self.node_day.get(&(day, node)).copied().unwrap_or([0; 4]);
            let net = if with_net {
                net_split
            } else {
                scale(split, nc[2], nc[1])
            };
            let costs = [scale(split, nc[0], nc[1]), split, net, od_split];
            let total = pods_of_node.entry((day, node)).or_insert([0; 4]);
            for (a, b) in total.iter_mut().zip(costs) {
                *a += b;
            }
            let p = &m.pods[pod as usize];
            let c = self.sym(&m.clusters[p.cluster].name);
            let ns = self.sym(&m.namespaces[p.ns].name);
            let name = self.sym(&p.name);
            self.both((day, POD, c, ns, name), costs);
        }
        // Idle: node − Σ pods, per (day, node).
        let mut node_keys: Vec<(u32, u32)> = self.node_day.keys().copied().collect();
        node_keys.sort_unstable();
        let mut node_days = Vec::with_capacity(node_keys.len());
        for (day, node) in node_keys {
            let cost = self.node_day[&(day, node)];
            let pods = pods_of_node.get(&(day, node)).copied().unwrap_or([0; 4]);
            let idle = [0, 1, 2, 3].map(|i| cost[i] - pods[i]);
            let n = &m.nodes[node as usize];
            let c = self.sym(&m.clusters[n.cluster].name);
            self.both((day, IDLE, c, 0, 0), idle);
            node_days.push(NodeDay {
                day: m.date(day).to_string(),
                node: n.id.clone(),
                cluster: m.clusters[n.cluster].name.clone(),
                cost,
                split_plus_unused: self.node_split.get(&(day, node)).copied().unwrap_or(0),
                compute_amortized: self.node_compute.get(&(day, node)).copied().unwrap_or(0),
            });
        }
        let [a0, a1] = std::mem::take(&mut self.acc);
        let default_mapping = self.allocation(&a0);
        let alt_mapping = self.allocation(&a1);
        Truth {
            unit: "nano-USD".into(),
            seed,
            start: m.start.to_string(),
            end: m.date(m.days).to_string(),
            rows: self.rows,
            overlay_rows: self.overlay_rows,
            keys,
            stale_keys,
            default_mapping,
            alt_mapping,
            node_days,
        }
    }

    fn allocation(&self, acc: &FxHashMap<Key, [i64; 4]>) -> Allocation {
        let m = self.m;
        let mut out = Allocation::default();
        let mut entries: Vec<_> = acc.iter().collect();
        entries.sort_unstable_by_key(|e| *e.0);
        for (&(day, cat, c, ns, pod), costs) in entries {
            let day_s = m.date(day).to_string();
            let cat_s = CATEGORIES[usize::from(cat)];
            let cluster = if c == 0 {
                NO_CLUSTER
            } else {
                &self.names[c as usize]
            };
            for (i, &v) in costs.iter().enumerate() {
                let t = out.metric_mut(i);
                t.total += v;
                *t.by_category.entry(cat_s.into()).or_insert(0) += v;
                *t.by_cluster.entry(cluster.into()).or_insert(0) += v;
                *t.by_cluster_category
                    .entry(cluster.into())
                    .or_default()
                    .entry(cat_s.into())
                    .or_insert(0) += v;
                *t.by_day.entry(day_s.clone()).or_insert(0) += v;
                *t.by_day_category
                    .entry(day_s.clone())
                    .or_default()
                    .entry(cat_s.into())
                    .or_insert(0) += v;
                if ns != 0 {
                    *t.by_namespace
                        .entry(cluster.into())
                        .or_default()
                        .entry(self.names[ns as usize].clone())
                        .or_insert(0) += v;
                }
            }
            if pod != 0 {
                let e = out
                    .by_pod
                    .entry(cluster.into())
                    .or_default()
                    .entry(self.names[ns as usize].clone())
                    .or_default()
                    .entry(self.names[pod as usize].clone())
                    .or_default();
                for (i, &v) in costs.iter().enumerate() {
                    *e.entry(METRICS[i].into()).or_insert(0) += v;
                }
            }
        }
        out
    }
}
