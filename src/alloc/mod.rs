//! The cost tree: facts of a window seen as levels the user drills through.
//!
//! (currencies, when the facts hold amounts in several: EUR, USD →) (providers, when the facts
//! hold several bills: AWS, Azure, Google Cloud →) all clusters → cluster (namespaces, `idle`,
//! `control-plane`, cluster-level `external`) →
//! namespace (workloads and external resources) → workload (pods, resources) → pod (usage
//! types); `idle` → nodes → usage types; `unallocated` → service → usage type → account.
//!
//! A level is built by giving each fact row of its parent exactly one child key ([`key`]), so
//! every child's facts are a partition of its parent's: a parent always equals the sum of its
//! children, and the root equals the bill. Each row keeps the indices of its fact rows, so
//! drilling in, the detail pane and a metric change only touch the facts below the row.
//!
//! Sums here add with plain `+`: the reads refuse facts whose amounts' magnitudes do not fit
//! in money ([`Facts::magnitude_fits`], `amount-overflow`), which proves no sum of any rows,
//! shared parts or change can overflow.
//!
//! `change` tells every row's Δ apart into usage, rate, new, gone, other, capacity and use;
//! `anomaly` flags the days a row leaves its recent range; `forecast` projects month to date;
//! `budget` sets that against the profile's budgets.

pub mod anomaly;
pub mod budget;
pub mod change;
pub mod forecast;

pub mod sharing;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::cur::attribution::Category;
use crate::cur::metrics::Metric;
use crate::cur::money::{Money, Unit};
use crate::cur::time::Day;
use crate::facts::{Dim, FactRow, Facts, NONE, Sym};
use crate::window::Window;

/// One step of a drill-down path: the key of a row at its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// The amounts in one currency (FOCUS `BillingCurrency`), above their providers: amounts
    /// in different currencies are never added.
    Currency(Sym),
    /// An environment of the environment view ([`NONE`]: `unassigned`).
    Env(Sym),
    /// One provider's bill (FOCUS `ProviderName`), above its clusters.
    Provider(Sym),
    Cluster(Sym),
    /// External resources whose tags name no cluster.
    NoCluster,
    Unallocated,
    Namespace(Sym),
    Idle,
    ControlPlane,
    /// External resources tagged with a cluster but no namespace.
    ClusterExternal,
    Workload {
        kind: Sym,
        name: Sym,
    },
    Pod(Sym),
    Resource(Sym),
    Node(Sym),
    Service(Sym),
    UsageType(Sym),
    Account(Sym),
    /// What sharing brought into the row above from one source (`idle`, a shared namespace,
    /// a sharing rule).
    Shared(Sym),
}

/// What the children of a path are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelKind {
    /// The environment view's top: environments (`unassigned` for rows with none).
    Envs,
    /// The top level of facts in several currencies ([`Level::root`]): nothing above it adds
    /// them up.
    Currencies,
    /// The top level of facts from several providers ([`Level::root`]).
    Providers,
    Clusters,
    Cluster,
    NoCluster,
    Namespace,
    Workload,
    Nodes,
    Resources,
    Services,
    UsageTypes,
    Accounts,
}

impl LevelKind {
    /// The children's kind of a path, `None` for a leaf.
    pub fn of(path: &[Step]) -> Option<LevelKind> {
        // Below a currency, its amounts are drilled as a bill of their own: its providers
        // (its clusters, or its environments, when `Level::children` sees it holds one).
        let path = match path.split_first() {
            Some((Step::Currency(_), [])) => return Some(LevelKind::Providers),
            Some((Step::Currency(_), rest)) => rest,
            _ => path,
        };
        // Below a provider, its bill is drilled as a bill of its own.
        let path = match path.split_first() {
            Some((Step::Provider(_), rest)) => rest,
            _ => path,
        };
        Some(match path.last() {
            // The top of the cluster view, and an environment of the environment view.
            None | Some(Step::Env(_)) => LevelKind::Clusters,
            Some(Step::Cluster(_)) => LevelKind::Cluster,
            Some(Step::NoCluster) => LevelKind::NoCluster,
            Some(Step::Unallocated) => LevelKind::Services,
            Some(Step::Namespace(_)) => LevelKind::Namespace,
            Some(Step::Idle) => LevelKind::Nodes,
            Some(Step::ClusterExternal) => LevelKind::Resources,
            Some(Step::Workload { .. }) => LevelKind::Workload,
            Some(
                Step::ControlPlane
                | Step::Pod(_)
                | Step::Resource(_)
                | Step::Node(_)
                | Step::Service(_),
            ) => LevelKind::UsageTypes,
            Some(Step::UsageType(_))
                if path.iter().find(|s| !matches!(s, Step::Env(_))) == Some(&Step::Unallocated) =>
            {
                LevelKind::Accounts
            }
            Some(
                Step::UsageType(_)
                | Step::Account(_)
                | Step::Shared(_)
                | Step::Provider(_)
                | Step::Currency(_),
            ) => {
                return None;
            }
        })
    }

    /// Whether this level groups by what the cache's roll-up leaves out (pods, idle's nodes:
    /// [`crate::facts::Facts::rollup`]), so it waits for the full facts.
    pub fn below_rollup(self) -> bool {
        matches!(self, LevelKind::Workload | LevelKind::Nodes)
    }

    /// What the rows of this level are, for column headers.
    pub fn noun(self) -> &'static str {
        match self {
            LevelKind::Envs => "environment",
            LevelKind::Currencies => "currency",
            LevelKind::Providers => "provider",
            LevelKind::Clusters => "cluster",
            LevelKind::Cluster | LevelKind::NoCluster => "namespace",
            LevelKind::Namespace => "workload",
            LevelKind::Workload => "pod",
            LevelKind::Nodes => "node",
            LevelKind::Resources => "resource",
            LevelKind::Services => "service",
            LevelKind::UsageTypes => "usage type",
            LevelKind::Accounts => "account",
        }
    }
}

/// The plural of a level's noun (`clusters`, `currencies`), for titles.
pub fn plural(noun: &str) -> String {
    match noun.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{noun}s"),
    }
}

/// The child key of a fact row at a level. Total: every row of the parent gets exactly one.
/// A shared-in row follows its target's cluster and namespace, then is a `shared` row of
/// its own at the first level below them.
pub fn key(kind: LevelKind, r: &FactRow) -> Step {
    let d = |dim: Dim| r.dim(dim);
    if r.shared != NONE {
        return match kind {
            LevelKind::Envs => Step::Env(d(Dim::Env)),
            LevelKind::Clusters if d(Dim::Cluster) != NONE => Step::Cluster(d(Dim::Cluster)),
            LevelKind::Cluster if d(Dim::Namespace) != NONE => Step::Namespace(d(Dim::Namespace)),
            _ => Step::Shared(r.shared),
        };
    }
    match kind {
        LevelKind::Envs => Step::Env(d(Dim::Env)),
        LevelKind::Currencies => Step::Currency(d(Dim::Currency)),
        LevelKind::Providers => Step::Provider(d(Dim::Provider)),
        LevelKind::Clusters => match r.category {
            Category::Unallocated => Step::Unallocated,
            _ if d(Dim::Cluster) != NONE => Step::Cluster(d(Dim::Cluster)),
            _ => Step::NoCluster,
        },
        LevelKind::Cluster => match r.category {
            Category::Idle => Step::Idle,
            Category::ControlPlane => Step::ControlPlane,
            Category::External if d(Dim::Namespace) == NONE => Step::ClusterExternal,
            _ => Step::Namespace(d(Dim::Namespace)),
        },
        LevelKind::NoCluster => match d(Dim::Namespace) {
            NONE => Step::Resource(d(Dim::Resource)),
            ns => Step::Namespace(ns),
        },
        LevelKind::Namespace => {
            if d(Dim::Workload) != NONE || r.category == Category::Pod {
                Step::Workload {
                    kind: d(Dim::WorkloadKind),
                    name: d(Dim::Workload),
                }
            } else {
                Step::Resource(d(Dim::Resource))
            }
        }
        LevelKind::Workload => match r.category {
            Category::Pod => Step::Pod(d(Dim::Pod)),
            _ => Step::Resource(d(Dim::Resource)),
        },
        LevelKind::Nodes => Step::Node(d(Dim::Node)),
        LevelKind::Resources => Step::Resource(d(Dim::Resource)),
        LevelKind::Services => Step::Service(d(Dim::Service)),
        LevelKind::UsageTypes => Step::UsageType(d(Dim::UsageType)),
        LevelKind::Accounts => Step::Account(d(Dim::Account)),
    }
}

/// A step as the user reads it: (name, kind column).
pub fn describe(facts: &Facts, step: Step) -> (String, String) {
    let s = |sym: Sym, none: &str| -> String {
        if sym == NONE {
            none.to_string()
        } else {
            facts.strings.get(sym).to_string()
        }
    };
    match step {
        Step::Env(e) => (s(e, "unassigned"), "environment".into()),
        Step::Shared(src) => (s(src, "(shared)"), "shared in".into()),
        Step::Currency(c) => (s(c, "(no currency)"), "currency".into()),
        Step::Provider(p) => (s(p, "(no provider)"), "provider".into()),
        Step::Cluster(c) => (s(c, "(none)"), "cluster".into()),
        Step::NoCluster => ("external (no cluster)".into(), "external".into()),
        Step::Unallocated => ("unallocated".into(), "unallocated".into()),
        Step::Namespace(n) => (s(n, "(no namespace)"), "namespace".into()),
        Step::Idle => ("idle".into(), "idle".into()),
        Step::ControlPlane => ("control-plane".into(), "control-plane".into()),
        Step::ClusterExternal => ("external".into(), "external".into()),
        Step::Workload { kind, name } => {
            if name == NONE {
                ("(no workload)".into(), "pods".into())
            } else {
                (s(name, "-"), s(kind, "workload"))
            }
        }
        Step::Pod(p) => (s(p, "(unknown pod)"), "pod".into()),
        Step::Resource(r) => (short_resource(&s(r, "(no resource id)")), "resource".into()),
        Step::Node(n) => (short_resource(&s(n, "(unknown node)")), "node".into()),
        Step::Service(v) => (s(v, "(no service)"), "service".into()),
        Step::UsageType(u) => (s(u, "(no usage type)"), "usage type".into()),
        // `Production (sub-1234)` where the bill names the account (FOCUS `SubAccountName`).
        Step::Account(a) => {
            let id = s(a, "(no account)");
            let name = match facts.account_names.get(&id) {
                Some(n) if *n != id => format!("{n} ({id})"),
                _ => id,
            };
            (name, "account".into())
        }
    }
}

/// The readable end of a resource id: `arn:aws:rds:…:db:orders` → `orders`,
/// `arn:aws:s3:::bucket` → `bucket`; ids that are not ARNs are kept whole.
pub fn short_resource(id: &str) -> String {
    if !id.starts_with("arn:") {
        return id.to_string();
    }
    let tail = id.rsplit([':', '/']).find(|p| !p.is_empty()).unwrap_or(id);
    tail.to_string()
}

/// What a level is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub window: Window,
    pub metric: Metric,
    /// Days from here on are inside the billing lag (provisional).
    pub provisional_from: Day,
    /// What the top level groups by: clusters, or environments (the environment view).
    pub top: LevelKind,
}

impl View {
    /// The window and the one of equal length before it, whose facts a level keeps.
    pub fn span(&self) -> Window {
        Window {
            start: self.window.previous().start,
            end: self.window.end,
        }
    }

    /// Sparkline buckets: one per day up to 31 days, else 31 buckets.
    pub fn buckets(&self) -> usize {
        (self.window.days().max(1) as usize).min(31)
    }

    /// The sparkline bucket of a day of the window.
    pub fn bucket(&self, day: Day) -> usize {
        let days = i64::from(self.window.days().max(1));
        let at = i64::from(day - self.window.start);
        (at * self.buckets() as i64 / days) as usize
    }
}

/// One row of a level.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub step: Step,
    pub name: String,
    /// A short word for what the row is (`deployment`, `namespace`, `idle`, …).
    pub kind: String,
    pub cost: Money,
    /// Cost in the previous window of equal length.
    pub prev: Money,
    /// Cost per sparkline bucket over the window.
    pub series: Vec<Money>,
    /// Has cost on provisional days.
    pub provisional: bool,
    /// Indices into `Facts::rows` (both windows).
    pub facts: Vec<u32>,
    /// What sharing brought into `cost`, by source, largest first (none without sharing).
    pub shared_in: Vec<(Sym, Money)>,
}

impl Row {
    /// Absent in the previous window.
    pub fn is_new(&self) -> bool {
        self.prev == Money::ZERO && self.cost != Money::ZERO
    }

    /// Absent in this window, present in the previous one.
    pub fn is_gone(&self) -> bool {
        self.cost == Money::ZERO && self.prev != Money::ZERO
    }

    pub fn delta(&self) -> Money {
        self.cost - self.prev
    }

    /// What sharing brought in, all sources together.
    pub fn shared_total(&self) -> Money {
        self.shared_in.iter().map(|(_, m)| *m).sum()
    }

    /// The row's cost before anything was shared into it.
    pub fn own(&self) -> Money {
        self.cost - self.shared_total()
    }

    /// What was shared in, by source, as the user reads it: `$412.00 idle, $96.00
    /// kube-system` (empty when nothing was).
    pub fn shared_in_text(&self, facts: &Facts, unit: Unit) -> String {
        self.shared_in
            .iter()
            .map(|(source, m)| format!("{} {}", m.display_in(unit), facts.strings.get(*source)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Relative change in percent; `None` when there was nothing before.
    pub fn delta_pct(&self) -> Option<f64> {
        (self.prev != Money::ZERO)
            .then(|| (self.cost - self.prev).dollars() / self.prev.dollars().abs() * 100.0)
    }

    /// Whether a path ending here can be opened.
    pub fn has_children(&self, path: &[Step]) -> bool {
        let mut p = path.to_vec();
        p.push(self.step);
        LevelKind::of(&p).is_some()
    }
}

/// The rows under one path, unsorted (the view sorts).
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub kind: LevelKind,
    pub rows: Vec<Row>,
    pub total: Money,
    pub prev_total: Money,
}

impl Level {
    /// The top level, from every fact row in the view's span: the clusters (or environments),
    /// the providers when the span holds more than one provider's bill, the currencies when it
    /// holds amounts in more than one.
    pub fn root(facts: &Facts, view: &View) -> Level {
        let span = view.span();
        let in_span: Vec<u32> = facts
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| span.contains(r.day))
            .map(|(i, _)| i as u32)
            .collect();
        let kind = if several(facts, &in_span, Dim::Currency) {
            LevelKind::Currencies
        } else {
            Level::top_of(facts, &in_span, view)
        };
        Level::build(facts, kind, in_span.into_iter(), view)
    }

    /// The view's top for `rows` of one currency: the providers when they are several
    /// providers' bills (above the clusters), else the view's own top.
    fn top_of(facts: &Facts, rows: &[u32], view: &View) -> LevelKind {
        if view.top == LevelKind::Clusters && several(facts, rows, Dim::Provider) {
            LevelKind::Providers
        } else {
            view.top
        }
    }

    /// The level below `parent` for a path ending in `parent.step`; `None` at a leaf.
    pub fn children(facts: &Facts, path: &[Step], parent: &Row, view: &View) -> Option<Level> {
        let kind = match path {
            // One currency's amounts start as a whole bill would.
            [Step::Currency(_)] => Level::top_of(facts, &parent.facts, view),
            _ => LevelKind::of(path)?,
        };
        Some(Level::build(
            facts,
            kind,
            parent.facts.iter().copied(),
            view,
        ))
    }

    /// Groups fact rows by their key at `kind`.
    pub fn build(
        facts: &Facts,
        kind: LevelKind,
        indices: impl Iterator<Item = u32>,
        view: &View,
    ) -> Level {
        let mut at: FxHashMap<Step, usize> = FxHashMap::default();
        let mut rows: Vec<Row> = Vec::new();
        // Facts come in runs of one row (sorted by day, category and dimensions): the map is
        // asked only when the step changes.
        let mut last: Option<(Step, usize)> = None;
        for i in indices {
            let r = &facts.rows[i as usize];
            let step = key(kind, r);
            if let Some((s, slot)) = last
                && s == step
            {
                rows[slot].facts.push(i);
                continue;
            }
            let slot = *at.entry(step).or_insert_with(|| {
                rows.push(Row {
                    step,
                    name: String::new(),
                    kind: String::new(),
                    cost: Money::ZERO,
                    prev: Money::ZERO,
                    series: Vec::new(),
                    provisional: false,
                    facts: Vec::new(),
                    shared_in: Vec::new(),
                });
                rows.len() - 1
            });
            last = Some((step, slot));
            rows[slot].facts.push(i);
        }
        for row in &mut rows {
            (row.name, row.kind) = describe(facts, row.step);
        }
        let mut level = Level {
            kind,
            rows,
            total: Money::ZERO,
            prev_total: Money::ZERO,
        };
        level.recost(facts, view);
        level
    }

    /// Recomputes costs, deltas and sparklines (a metric change keeps the grouping). Rows
    /// with no cost in either window are dropped.
    pub fn recost(&mut self, facts: &Facts, view: &View) {
        let buckets = view.buckets();
        let prev = view.window.previous();
        for row in &mut self.rows {
            row.cost = Money::ZERO;
            row.prev = Money::ZERO;
            row.provisional = false;
            row.series.clear();
            row.series.resize(buckets, Money::ZERO);
            let mut shared: BTreeMap<Sym, Money> = BTreeMap::new();
            for &i in &row.facts {
                let r = &facts.rows[i as usize];
                let c = r.costs[view.metric];
                if view.window.contains(r.day) {
                    row.cost += c;
                    if r.shared != NONE {
                        *shared.entry(r.shared).or_default() += c;
                    }
                    row.series[view.bucket(r.day)] += c;
                    if r.day >= view.provisional_from && c != Money::ZERO {
                        row.provisional = true;
                    }
                } else if prev.contains(r.day) {
                    row.prev += c;
                }
            }
            row.shared_in = shared
                .into_iter()
                .filter(|(_, m)| *m != Money::ZERO)
                .collect();
            row.shared_in
                .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        self.rows
            .retain(|r| r.cost != Money::ZERO || r.prev != Money::ZERO);
        self.total = self.rows.iter().map(|r| r.cost).sum();
        self.prev_total = self.rows.iter().map(|r| r.prev).sum();
    }
}

/// Whether fact rows `rows` hold more than one value of `dim`.
fn several(facts: &Facts, rows: &[u32], dim: Dim) -> bool {
    let mut values = rows.iter().map(|&i| facts.rows[i as usize].dim(dim));
    let first = values.next();
    values.any(|v| Some(v) != first)
}

/// Everything the detail pane shows about one row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    pub by_category: Vec<(Category, Money)>,
    /// Highest first, at most 5.
    pub by_service: Vec<(String, Money)>,
    /// The row's own children, highest first, at most 5.
    pub top_children: Vec<(String, Money)>,
    pub children_noun: Option<&'static str>,
    /// Cost per day in the window.
    pub by_day: Vec<(Day, Money)>,
    pub pod: Option<PodDetail>,
}

/// What the detail pane says about a pod.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodDetail {
    pub arn: String,
    pub nodes: Vec<String>,
    pub workload: String,
    pub workload_kind: String,
    pub namespace: String,
    pub cluster: String,
    pub cpu: Money,
    pub memory: Money,
    pub other: Money,
}

/// The detail of `row` at the end of `path` (the path includes the row's own step).
/// Sums by key over facts that mostly come in runs of one key (facts are sorted by day,
/// category and dimensions): the map is touched only when the key changes.
struct RunSums<K> {
    map: FxHashMap<K, Money>,
    run: Option<(K, Money)>,
}

impl<K: Copy + Eq + std::hash::Hash> RunSums<K> {
    fn new() -> Self {
        RunSums {
            map: FxHashMap::default(),
            run: None,
        }
    }

    fn add(&mut self, key: K, c: Money) {
        match &mut self.run {
            Some((k, sum)) if *k == key => *sum += c,
            run => {
                if let Some((k, sum)) = run.replace((key, c)) {
                    *self.map.entry(k).or_default() += sum;
                }
            }
        }
    }

    fn into_map(mut self) -> FxHashMap<K, Money> {
        if let Some((k, sum)) = self.run.take() {
            *self.map.entry(k).or_default() += sum;
        }
        self.map
    }
}

pub fn detail(facts: &Facts, path: &[Step], row: &Row, view: &View) -> Detail {
    let mut cats: RunSums<Category> = RunSums::new();
    let mut services: RunSums<Sym> = RunSums::new();
    let mut days: RunSums<Day> = RunSums::new();
    let child_kind = LevelKind::of(path);
    let mut children: RunSums<Step> = RunSums::new();
    let mut pod: Option<PodDetail> = None;
    let mut nodes: Vec<Sym> = Vec::new();
    for &i in &row.facts {
        let r = &facts.rows[i as usize];
        if !view.window.contains(r.day) {
            continue;
        }
        let c = r.costs[view.metric];
        cats.add(r.category, c);
        services.add(r.dim(Dim::Service), c);
        days.add(r.day, c);
        if let Some(kind) = child_kind {
            children.add(key(kind, r), c);
        }
        if let Step::Pod(_) = row.step {
            let p = pod.get_or_insert_with(|| PodDetail {
                arn: facts.text(r, Dim::Resource).to_string(),
                workload: facts.text(r, Dim::Workload).to_string(),
                workload_kind: facts.text(r, Dim::WorkloadKind).to_string(),
                namespace: facts.text(r, Dim::Namespace).to_string(),
                cluster: facts.text(r, Dim::Cluster).to_string(),
                ..PodDetail::default()
            });
            let usage = facts.text(r, Dim::UsageType);
            if usage.contains("vCPU") {
                p.cpu += c;
            } else if usage.contains("GB-Hours") {
                p.memory += c;
            } else {
                p.other += c;
            }
            let node = r.dim(Dim::Node);
            if node != NONE && !nodes.contains(&node) {
                nodes.push(node);
            }
        }
    }
    if let Some(p) = &mut pod {
        p.nodes = nodes
            .iter()
            .map(|&n| facts.strings.get(n).to_string())
            .collect();
        p.nodes.sort();
    }
    let top = |m: Vec<(String, Money)>| -> Vec<(String, Money)> {
        let mut m: Vec<(String, Money)> =
            m.into_iter().filter(|(_, c)| *c != Money::ZERO).collect();
        m.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        m.truncate(5);
        m
    };
    Detail {
        by_category: cats
            .into_map()
            .into_iter()
            .filter(|(_, c)| *c != Money::ZERO)
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect(),
        by_service: top(services
            .into_map()
            .into_iter()
            .map(|(s, c)| {
                let name = if s == NONE {
                    "(no service)"
                } else {
                    facts.strings.get(s)
                };
                (name.to_string(), c)
            })
            .collect()),
        top_children: top(children
            .into_map()
            .into_iter()
            .map(|(s, c)| (describe(facts, s).0, c))
            .collect()),
        children_noun: child_kind.map(LevelKind::noun),
        by_day: days
            .into_map()
            .into_iter()
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect(),
        pod,
    }
}

#[cfg(test)]
mod tests;
