//! Facts: the narrow table everything downstream reads. One row per (day, category, account,
//! service, usage type, cluster, namespace, workload, pod, container, node, resource, env,
//! labels) with the four cost metrics; names interned.
//!
//! The [`Aggregator`] builds them while line items stream in (one per report part, merged in
//! part order), then [`Partial::finish`] resolves what needs every row: which EC2 instances are
//! cluster nodes, the pods' share of each node, and idle = node − pods.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::config::EnvRules;
use crate::cur::attribution::{Category, Placement, RowKind, TagPlan, classify};
use crate::cur::columns::Field;
use crate::cur::line_item::{ColumnSet, LineItem};
use crate::cur::metrics::{Costs, Metric, line_item_costs};
use crate::cur::money::Money;
use crate::cur::time::Day;

/// An interned string; 0 is the empty string ("none").
pub type Sym = u32;

/// The empty string.
pub const NONE: Sym = 0;

/// Strings interned once per facts table.
#[derive(Debug, Clone)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: FxHashMap<Box<str>, Sym>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut index = FxHashMap::default();
        index.insert(Box::from(""), NONE);
        Self {
            strings: vec![Box::from("")],
            index,
        }
    }
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let sym = Sym::try_from(self.strings.len()).unwrap_or(Sym::MAX);
        self.strings.push(Box::from(s));
        self.index.insert(Box::from(s), sym);
        sym
    }

    /// The string of a symbol ("" for unknown symbols).
    pub fn get(&self, sym: Sym) -> &str {
        self.strings.get(sym as usize).map_or("", |s| s)
    }

    /// The symbol of a string already interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }
}

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
}

/// Number of [`Dim`]s.
pub const DIMS: usize = 12;

/// Key layout: `[day, category, dims.., labels..]`.
const K_DAY: usize = 0;
const K_CAT: usize = 1;
const K_DIMS: usize = 2;

fn kd(d: Dim) -> usize {
    K_DIMS + d as usize
}

/// One row of facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactRow {
    pub day: Day,
    pub category: Category,
    pub dims: [Sym; DIMS],
    /// Values of [`Facts::label_names`], in order.
    pub labels: Box<[Sym]>,
    pub costs: Costs,
}

impl FactRow {
    pub fn dim(&self, d: Dim) -> Sym {
        self.dims[d as usize]
    }
}

/// A line that could not be read, kept as an example for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub file: String,
    /// 1-based line (CSV) or row (Parquet) number.
    pub line: u64,
    pub reason: String,
}

/// Something that limits what can be shown, said in words.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// Stable code (`no-resource-ids`, `malformed-rows`, ...).
    pub code: &'static str,
    pub message: String,
}

/// How many examples of malformed rows are kept.
pub const MAX_EXAMPLES: usize = 5;

/// What the read saw: counts, examples, warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quality {
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows outside the window, skipped.
    pub rows_outside_window: u64,
    /// Split rows (EKS pods, ECS tasks) whose cost is already in their node.
    pub overlay_rows: u64,
    /// Split rows with no parent node and no cost (dropped, as AWS's own views do).
    pub empty_split_rows: u64,
    pub malformed_rows: u64,
    /// A line item started at another hour than midnight (the report is hourly).
    pub sub_daily_seen: bool,
    pub examples: Vec<Malformed>,
    /// Line item types curtop has no rule for (passed through as unblended), with counts.
    pub unknown_line_item_types: BTreeMap<String, u64>,
    pub warnings: Vec<Warning>,
    /// Report parts read and their compressed bytes.
    pub files: u64,
    pub bytes: u64,
}

impl Quality {
    /// Counts a malformed row, keeping the first few examples.
    pub fn malformed(&mut self, file: &str, line: u64, reason: impl Into<String>) {
        self.malformed_rows += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(Malformed {
                file: file.to_string(),
                line,
                reason: reason.into(),
            });
        }
    }

    pub fn warn(&mut self, code: &'static str, message: impl Into<String>) {
        let message = message.into();
        if !self
            .warnings
            .iter()
            .any(|w| w.code == code && w.message == message)
        {
            self.warnings.push(Warning { code, message });
        }
    }

    fn merge(&mut self, other: Quality) {
        self.rows_read += other.rows_read;
        self.rows_outside_window += other.rows_outside_window;
        self.overlay_rows += other.overlay_rows;
        self.empty_split_rows += other.empty_split_rows;
        self.malformed_rows += other.malformed_rows;
        self.sub_daily_seen |= other.sub_daily_seen;
        for e in other.examples {
            if self.examples.len() < MAX_EXAMPLES {
                self.examples.push(e);
            }
        }
        for (k, v) in other.unknown_line_item_types {
            *self.unknown_line_item_types.entry(k).or_default() += v;
        }
        for w in other.warnings {
            self.warn(w.code, w.message);
        }
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// Line item types with a rule (CUR.md §1.2); others pass through and are counted.
const KNOWN_TYPES: &[&str] = &[
    "Usage",
    "DiscountedUsage",
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "SavingsPlanUpfrontFee",
    "SavingsPlanRecurringFee",
    "Fee",
    "RIFee",
    "Credit",
    "Refund",
    "Tax",
    "EdpDiscount",
    "PrivateRateDiscount",
    "BundledDiscount",
    "Discount",
    "DistributorDiscount",
];

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
}

impl Facts {
    /// A row's dimension as text ("" for none).
    pub fn text(&self, row: &FactRow, d: Dim) -> &str {
        self.strings.get(row.dim(d))
    }

    /// First and last (inclusive) day with data.
    pub fn day_range(&self) -> Option<(Day, Day)> {
        Some((*self.bill.keys().next()?, *self.bill.keys().next_back()?))
    }

    /// The bill over `[start, end)`.
    pub fn bill_total(&self, start: Day, end: Day) -> Costs {
        self.bill
            .range(start..end)
            .fold(Costs::ZERO, |acc, (_, c)| acc + *c)
    }
}

/// Costs of the facts being built, by key.
type KeyMap = FxHashMap<Box<[u32]>, Costs>;

/// Per (day, node): the key of its largest idle row, and that row's size.
type Anchors = FxHashMap<(Day, Sym), (Box<[u32]>, Money)>;

/// The state of one part's read, mergeable with others.
#[derive(Debug, Default)]
pub struct Partial {
    strings: Interner,
    columns: ColumnSet,
    facts: KeyMap,
    /// EC2 instance rows, keyed as they would land were the instance no node.
    nodes: KeyMap,
    /// EKS split pod rows; metrics without a split column hold the amortized split cost until
    /// [`Partial::finish`] derives them from the node.
    pods: KeyMap,
    node_cluster_tag: FxHashMap<Sym, Sym>,
    pod_parents: FxHashMap<Sym, Sym>,
    bill: FxHashMap<Day, Costs>,
    quality: Quality,
}

/// What classifying a line item's texts gave: everything but its day and amounts. Readers
/// that can identify repeated texts cheaply (Parquet dictionary keys) classify each distinct
/// combination once ([`Aggregator::template`]) and add rows by template
/// ([`Aggregator::add_templated`]).
struct Template {
    kind: RowKind,
    /// The fact key; its day slot is filled per row.
    key: Box<[u32]>,
    /// Pod split rows: (node, cluster); node candidates with a cluster tag: (node, tag).
    claim: Option<(Sym, Sym)>,
    claimed: bool,
    split_parent_empty: bool,
    /// The line item type is not one AWS documents (when the identity includes the type).
    unknown_type: Option<bool>,
}

/// Builds facts from line items.
pub struct Aggregator<'p> {
    plan: &'p TagPlan,
    env_rules: &'p EnvRules,
    window: Option<(Day, Day)>,
    state: Partial,
    env_cache: FxHashMap<Sym, Sym>,
    key: Vec<u32>,
    label_count: usize,
    templates: Vec<Template>,
    /// Reader-given identity of the texts → template.
    memo: FxHashMap<Box<[u32]>, u32>,
    /// Costs of templated rows by (template, day), expanded into keys at the end.
    by_template: FxHashMap<(u32, Day), Costs>,
}

impl<'p> Aggregator<'p> {
    /// `window` = `[start, end)` days to keep; `None` keeps every day.
    pub fn new(plan: &'p TagPlan, env_rules: &'p EnvRules, window: Option<(Day, Day)>) -> Self {
        let label_count = plan.label_names().len();
        Self {
            plan,
            env_rules,
            window,
            state: Partial::default(),
            env_cache: FxHashMap::default(),
            key: Vec::with_capacity(K_DIMS + DIMS + label_count),
            label_count,
            templates: Vec::new(),
            memo: FxHashMap::default(),
            by_template: FxHashMap::default(),
        }
    }

    /// The tag plan the readers must fill [`LineItem::tags`] by.
    pub fn plan(&self) -> &TagPlan {
        self.plan
    }

    /// Records which columns a part has.
    pub fn set_columns(&mut self, columns: &ColumnSet) {
        self.state.columns.union(columns);
    }

    pub fn quality(&mut self) -> &mut Quality {
        &mut self.state.quality
    }

    /// Whether a day is inside the window.
    pub fn wants_day(&self, day: Day) -> bool {
        self.window.is_none_or(|(s, e)| day >= s && day < e)
    }

    /// Adds one line item read under `columns`. The reader counts it in `rows_read`.
    pub fn add(&mut self, li: &LineItem<'_>, columns: &ColumnSet) {
        let st = &mut self.state;
        if !self.window.is_none_or(|(s, e)| li.day >= s && li.day < e) {
            st.quality.rows_outside_window += 1;
            return;
        }
        let mut placement = Placement::default();
        let kind = classify(li, self.plan, &mut placement);
        if kind == RowKind::Overlay {
            st.quality.overlay_rows += 1;
            return;
        }
        if kind == RowKind::PodSplit {
            st.quality.overlay_rows += 1;
            let split = li.money(Field::SplitCost);
            if li.split_parent.is_empty() && split.0 == 0 {
                st.quality.empty_split_rows += 1;
                return;
            }
            let net = li.amount(Field::SplitNetSplitCost).unwrap_or(split);
            let od = li
                .amount(Field::SplitPublicOnDemandSplitCost)
                .unwrap_or(split);
            let costs = Costs([split, split, net, od]);
            self.build_key(li, &placement, li.split_parent);
            let st = &mut self.state;
            let node = st.strings.intern(li.split_parent);
            let cluster = st.strings.intern(placement.cluster);
            claim(&mut st.pod_parents, &st.strings, node, cluster);
            add_to(&mut st.pods, &self.key, costs);
            return;
        }
        if !KNOWN_TYPES.contains(&li.line_item_type) {
            *st.quality
                .unknown_line_item_types
                .entry(li.line_item_type.to_string())
                .or_default() += 1;
        }
        let costs = line_item_costs(li, columns);
        *st.bill.entry(li.day).or_default() += costs;
        let node = if kind == RowKind::NodeCandidate {
            li.resource_id
        } else {
            placement.node
        };
        self.build_key(li, &placement, node);
        let st = &mut self.state;
        if kind == RowKind::NodeCandidate {
            let node = self.key[kd(Dim::Node)];
            if !placement.node_cluster_tag.is_empty() {
                let c = st.strings.intern(placement.node_cluster_tag);
                claim(&mut st.node_cluster_tag, &st.strings, node, c);
            }
            add_to(&mut st.nodes, &self.key, costs);
        } else {
            add_to(&mut st.facts, &self.key, costs);
        }
    }

    fn build_key(&mut self, li: &LineItem<'_>, p: &Placement<'_>, node: &str) {
        let st = &mut self.state;
        let s = &mut st.strings;
        let env_raw = s.intern(p.env);
        let env = *self.env_cache.entry(env_raw).or_insert_with(|| {
            self.env_rules
                .normalize(p.env)
                .map_or(NONE, |e| s.intern(&e))
        });
        self.key.clear();
        self.key.push(li.day as u32);
        self.key
            .push(p.category.unwrap_or(Category::Unallocated) as u32);
        for v in [
            li.account,
            li.product_code,
            li.usage_type,
            p.cluster,
            p.namespace,
            p.workload_kind,
            p.workload,
            p.pod,
            p.container,
            node,
            li.resource_id,
        ] {
            self.key.push(s.intern(v));
        }
        self.key.push(env);
        debug_assert_eq!(p.labels.len(), self.label_count);
        for l in &p.labels {
            self.key.push(s.intern(l));
        }
    }

    /// The template of the texts identified by `ids` (any identity that is equal exactly when
    /// these texts are: line item type, operation, product, resource, split parent, account,
    /// usage type and the wanted tags), if already seen.
    pub fn template_of(&self, ids: &[u32]) -> Option<u32> {
        self.memo.get(ids).copied()
    }

    /// Classifies `li` (its texts filled) as the template of `ids`.
    pub fn template(&mut self, ids: &[u32], li: &LineItem<'_>) -> u32 {
        let mut placement = Placement::default();
        let kind = classify(li, self.plan, &mut placement);
        let node = match kind {
            RowKind::PodSplit => li.split_parent,
            RowKind::NodeCandidate => li.resource_id,
            _ => placement.node,
        };
        let template = if kind == RowKind::Overlay {
            Template {
                kind,
                key: Box::new([]),
                claim: None,
                claimed: false,
                split_parent_empty: false,
                unknown_type: None,
            }
        } else {
            self.build_key(li, &placement, node);
            let st = &mut self.state;
            let claim = match kind {
                RowKind::PodSplit => Some((
                    st.strings.intern(li.split_parent),
                    st.strings.intern(placement.cluster),
                )),
                RowKind::NodeCandidate if !placement.node_cluster_tag.is_empty() => Some((
                    self.key[kd(Dim::Node)],
                    st.strings.intern(placement.node_cluster_tag),
                )),
                _ => None,
            };
            Template {
                kind,
                key: self.key.as_slice().into(),
                claim,
                claimed: false,
                split_parent_empty: li.split_parent.is_empty(),
                unknown_type: None,
            }
        };
        let id = self.templates.len() as u32;
        self.templates.push(template);
        self.memo.insert(ids.into(), id);
        id
    }

    /// Adds a line item of a known template: only its day, line item type and amounts are
    /// read. Gives the same facts as [`Aggregator::add`] of the full line item.
    pub fn add_templated(&mut self, template: u32, li: &LineItem<'_>, columns: &ColumnSet) {
        let st = &mut self.state;
        if !self.window.is_none_or(|(s, e)| li.day >= s && li.day < e) {
            st.quality.rows_outside_window += 1;
            return;
        }
        let Some(t) = self.templates.get_mut(template as usize) else {
            return;
        };
        let costs = match t.kind {
            RowKind::Overlay => {
                st.quality.overlay_rows += 1;
                return;
            }
            RowKind::PodSplit => {
                st.quality.overlay_rows += 1;
                let split = li.money(Field::SplitCost);
                if t.split_parent_empty && split.0 == 0 {
                    st.quality.empty_split_rows += 1;
                    return;
                }
                let net = li.amount(Field::SplitNetSplitCost).unwrap_or(split);
                let od = li
                    .amount(Field::SplitPublicOnDemandSplitCost)
                    .unwrap_or(split);
                Costs([split, split, net, od])
            }
            RowKind::NodeCandidate | RowKind::Billed => {
                let unknown = *t
                    .unknown_type
                    .get_or_insert_with(|| !KNOWN_TYPES.contains(&li.line_item_type));
                if unknown {
                    *st.quality
                        .unknown_line_item_types
                        .entry(li.line_item_type.to_string())
                        .or_default() += 1;
                }
                let costs = line_item_costs(li, columns);
                *st.bill.entry(li.day).or_default() += costs;
                costs
            }
        };
        // Claims are idempotent: once per template is the same as once per row.
        if !t.claimed
            && let Some((node, cluster)) = t.claim
        {
            let map = if t.kind == RowKind::PodSplit {
                &mut st.pod_parents
            } else {
                &mut st.node_cluster_tag
            };
            claim(map, &st.strings, node, cluster);
            t.claimed = true;
        }
        *self.by_template.entry((template, li.day)).or_default() += costs;
    }

    /// The state to merge with other parts.
    pub fn into_partial(mut self) -> Partial {
        let st = &mut self.state;
        for ((template, day), costs) in self.by_template {
            let t = &mut self.templates[template as usize];
            t.key[K_DAY] = day as u32;
            let map = match t.kind {
                RowKind::PodSplit => &mut st.pods,
                RowKind::NodeCandidate => &mut st.nodes,
                _ => &mut st.facts,
            };
            add_to(map, &t.key, costs);
        }
        self.state
    }
}

/// Records that `node` belongs to `cluster`. Should data name two clusters for one node, the
/// first by name wins, so the outcome never depends on the order rows were read in.
fn claim(map: &mut FxHashMap<Sym, Sym>, strings: &Interner, node: Sym, cluster: Sym) {
    map.entry(node)
        .and_modify(|c| {
            if strings.get(cluster) < strings.get(*c) {
                *c = cluster;
            }
        })
        .or_insert(cluster);
}

/// A key as text, for tie-breaks that must not depend on symbol numbering.
fn key_text<'s>(strings: &'s Interner, key: &[u32]) -> Vec<&'s str> {
    key[K_DIMS..].iter().map(|s| strings.get(*s)).collect()
}

fn add_to(map: &mut KeyMap, key: &[u32], costs: Costs) {
    if let Some(c) = map.get_mut(key) {
        *c += costs;
    } else {
        map.insert(key.into(), costs);
    }
}

impl Partial {
    /// Folds `other` into `self` (symbols re-interned).
    pub fn merge(&mut self, other: Partial) {
        let map: Vec<Sym> = other
            .strings
            .strings
            .iter()
            .map(|s| self.strings.intern(s))
            .collect();
        let tr = |sym: Sym| map.get(sym as usize).copied().unwrap_or(NONE);
        let rekey = |key: &[u32]| -> Box<[u32]> {
            key.iter()
                .enumerate()
                .map(|(i, &v)| if i < K_DIMS { v } else { tr(v) })
                .collect()
        };
        for (dst, src) in [
            (&mut self.facts, other.facts),
            (&mut self.nodes, other.nodes),
            (&mut self.pods, other.pods),
        ] {
            for (k, c) in src {
                *dst.entry(rekey(&k)).or_default() += c;
            }
        }
        for (n, c) in other.node_cluster_tag {
            claim(&mut self.node_cluster_tag, &self.strings, tr(n), tr(c));
        }
        for (n, c) in other.pod_parents {
            claim(&mut self.pod_parents, &self.strings, tr(n), tr(c));
        }
        for (d, c) in other.bill {
            *self.bill.entry(d).or_default() += c;
        }
        self.columns.union(&other.columns);
        self.quality.merge(other.quality);
    }

    /// Resolves nodes, pods and idle, and returns the facts.
    pub fn finish(mut self, label_names: Vec<String>) -> Facts {
        // Cluster nodes: parents of pods (their ARN's cluster wins) or cluster-tagged instances.
        let mut node_cluster: FxHashMap<Sym, Sym> = self.node_cluster_tag.clone();
        for (&node, &cluster) in &self.pod_parents {
            if node != NONE {
                node_cluster.insert(node, cluster);
            }
        }
        let mut node_cost: FxHashMap<(Day, Sym), Costs> = FxHashMap::default();
        // The idle row of each node-day that absorbs the pods' share (its largest row).
        let mut idle_anchor: Anchors = FxHashMap::default();
        for (mut key, costs) in std::mem::take(&mut self.nodes) {
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
                *node_cost.entry((day, node)).or_default() += costs;
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
            *self.facts.entry(key).or_default() += costs;
        }

        // Pods: metrics without a split column follow their node's ratio to amortized.
        let derived: Vec<Metric> = [
            (Metric::Unblended, None),
            (Metric::Net, Some(Field::SplitNetSplitCost)),
            (Metric::OnDemand, Some(Field::SplitPublicOnDemandSplitCost)),
        ]
        .into_iter()
        .filter(|(_, f)| f.is_none_or(|f| !self.columns.has(f)))
        .map(|(m, _)| m)
        .collect();
        let mut pod_total: BTreeMap<(Day, Sym), (Costs, Sym)> = BTreeMap::new();
        for (key, mut costs) in std::mem::take(&mut self.pods) {
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
            total.0 += costs;
            if self.strings.get(cluster) < self.strings.get(total.1) {
                total.1 = cluster;
            }
            *self.facts.entry(key).or_default() += costs;
        }

        // Idle = node − pods.
        let mut orphan = Costs::ZERO;
        for ((day, node), (total, cluster)) in pod_total {
            if let Some((key, _)) = idle_anchor.get(&(day, node)) {
                *self.facts.entry(key.clone()).or_default() -= total;
            } else {
                orphan += total;
                let mut key = vec![NONE; K_DIMS + DIMS + label_names.len()];
                key[K_DAY] = day as u32;
                key[K_CAT] = Category::Idle as u32;
                key[kd(Dim::Cluster)] = cluster;
                key[kd(Dim::Node)] = node;
                key[kd(Dim::Service)] = self.strings.intern("AmazonEC2");
                *self.facts.entry(key.into()).or_default() -= total;
            }
        }
        if !orphan.is_zero() {
            self.quality.warn(
                "pods-without-node",
                format!(
                    "pod split rows worth {} (amortized) name nodes with no EC2 rows in this \
                     data; their cost is offset by negative idle so the bill still totals",
                    orphan[Metric::Amortized]
                ),
            );
        }

        let mut rows: Vec<FactRow> = self
            .facts
            .into_iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, costs)| {
                let mut dims = [NONE; DIMS];
                dims.copy_from_slice(&k[K_DIMS..K_DIMS + DIMS]);
                FactRow {
                    day: k[K_DAY] as Day,
                    category: Category::from_index(k[K_CAT]),
                    dims,
                    labels: k[K_DIMS + DIMS..].into(),
                    costs,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.day, a.category, a.dims, &a.labels).cmp(&(b.day, b.category, b.dims, &b.labels))
        });
        let bill: BTreeMap<Day, Costs> = self.bill.into_iter().collect();
        let mut facts = Facts {
            strings: self.strings,
            label_names,
            rows,
            bill,
            quality: self.quality,
            columns: self.columns,
        };
        check_reconciliation(&mut facts);
        facts
    }
}

/// Builds facts from rows already placed elsewhere (an Athena query's result): environment
/// values normalized, equal keys merged, zero rows dropped; the bill is what the rows sum to.
pub struct PlacedRows<'e> {
    env_rules: &'e EnvRules,
    strings: Interner,
    env_cache: FxHashMap<Sym, Sym>,
    facts: KeyMap,
    pub quality: Quality,
    columns: ColumnSet,
}

impl<'e> PlacedRows<'e> {
    pub fn new(env_rules: &'e EnvRules, columns: ColumnSet) -> Self {
        Self {
            env_rules,
            strings: Interner::default(),
            env_cache: FxHashMap::default(),
            facts: KeyMap::default(),
            quality: Quality::default(),
            columns,
        }
    }

    /// Adds a row; `dims` in [`Dim`] order with the raw environment value.
    pub fn add(
        &mut self,
        day: Day,
        category: Category,
        dims: &[&str; DIMS],
        labels: &[&str],
        costs: Costs,
    ) {
        let mut key: Vec<u32> = Vec::with_capacity(K_DIMS + DIMS + labels.len());
        key.push(day as u32);
        key.push(category as u32);
        for (i, v) in dims.iter().enumerate() {
            let sym = self.strings.intern(v);
            if i == Dim::Env as usize {
                let rules = self.env_rules;
                let strings = &mut self.strings;
                let env = *self
                    .env_cache
                    .entry(sym)
                    .or_insert_with(|| rules.normalize(v).map_or(NONE, |e| strings.intern(&e)));
                key.push(env);
            } else {
                key.push(sym);
            }
        }
        for l in labels {
            key.push(self.strings.intern(l));
        }
        add_to(&mut self.facts, &key, costs);
    }

    pub fn finish(self, label_names: Vec<String>) -> Facts {
        let mut bill: BTreeMap<Day, Costs> = BTreeMap::new();
        let mut rows: Vec<FactRow> = self
            .facts
            .into_iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, costs)| {
                let mut dims = [NONE; DIMS];
                dims.copy_from_slice(&k[K_DIMS..K_DIMS + DIMS]);
                let day = k[K_DAY] as Day;
                *bill.entry(day).or_default() += costs;
                FactRow {
                    day,
                    category: Category::from_index(k[K_CAT]),
                    dims,
                    labels: k[K_DIMS + DIMS..].into(),
                    costs,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.day, a.category, a.dims, &a.labels).cmp(&(b.day, b.category, b.dims, &b.labels))
        });
        Facts {
            strings: self.strings,
            label_names,
            rows,
            bill,
            quality: self.quality,
            columns: self.columns,
        }
    }
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
                "reconciliation",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TagMapping;
    use crate::cur::columns::tag_id;

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
        let facts = agg.into_partial().finish(vec![]);
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
        let facts = agg.into_partial().finish(vec![]);
        assert_eq!(facts.rows.len(), 1);
        assert_eq!(facts.rows[0].category, Category::Unallocated);
        assert_eq!(facts.text(&facts.rows[0], Dim::Node), "");
        assert_eq!(facts.text(&facts.rows[0], Dim::Resource), "i-9");
    }

    #[test]
    fn pods_on_unknown_nodes_are_offset_and_reported() {
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
        let facts = agg.into_partial().finish(vec![]);
        let sum: Money = facts.rows.iter().map(|r| r.costs[Metric::Amortized]).sum();
        assert_eq!(sum, Money::ZERO);
        assert!(
            facts
                .quality
                .warnings
                .iter()
                .any(|w| w.code == "pods-without-node")
        );
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
        let (fa, fb) = (a.finish(vec![]), b.finish(vec![]));
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
}
