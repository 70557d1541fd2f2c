//! Aggregation: line items → costs by fact key, one report part at a time ([`Aggregator`]),
//! parts folded together in part order ([`Partial::merge`]).
//!
//! Each rule is written once and both ways of adding a line item use it: whole
//! ([`Aggregator::add`]) or by template ([`Aggregator::add_templated`], for readers that classify
//! each distinct combination of texts once). The window is [`Aggregator::wants_day`], what a
//! line item costs and counts is `Partial::line_costs`, and which cluster a row claims for its
//! node is `Aggregator::claim_of`.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::env::EnvCache;
use super::interner::{Interner, NONE, Sym};
use super::memo::{Memo, key_hash};
use super::quality::{CurrencyTotal, Quality, is_known_type};
use super::{
    Basis, DIMS, Dim, K_DAY, K_DIMS, KeyMap, Quantity, Sums, add_to, kd, merge_account_names,
};
use crate::config::EnvRules;
use crate::cur::attribution::{Category, Placement, RowKind, TagPlan, classify};
use crate::cur::columns::Field;
use crate::cur::line_item::{CORRECTION, ColumnSet, LineItem, item_type};
use crate::cur::metrics::{AMORTIZATION_COLUMNS, Costs, amortization_columns, line_item_costs};
use crate::cur::time::Day;

/// The state of one part's read, mergeable with others.
#[derive(Debug, Default)]
pub struct Partial {
    pub(super) strings: Interner,
    pub(super) columns: ColumnSet,
    pub(super) facts: KeyMap,
    /// EC2 instance rows, keyed as they would land were the instance no node.
    pub(super) nodes: KeyMap,
    /// EKS split pod rows; metrics without a split column hold the amortized split cost until
    /// [`Partial::finish`] derives them from the node.
    pub(super) pods: KeyMap,
    pub(super) node_cluster_tag: FxHashMap<Sym, Sym>,
    pub(super) pod_parents: FxHashMap<Sym, Sym>,
    pub(super) bill: FxHashMap<Day, Costs>,
    pub(super) quality: Quality,
    /// Account id → display name (FOCUS `SubAccountName`), the smallest when rows disagree.
    pub(super) account_names: BTreeMap<String, String>,
}

impl Partial {
    /// Keeps a line item's account name (few accounts: looked up, rarely inserted).
    fn name_account(&mut self, li: &LineItem<'_>) {
        if li.account_name.is_empty() || li.account.is_empty() {
            return;
        }
        match self.account_names.get_mut(li.account) {
            Some(n) if li.account_name < n.as_str() => li.account_name.clone_into(n),
            Some(_) => {}
            None => {
                self.account_names
                    .insert(li.account.to_string(), li.account_name.to_string());
            }
        }
    }
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
    /// The sums of the template's rows on the day it last met, kept beside the template (rows
    /// of one template come day after day, so a row rarely looks further), and on the days
    /// before ([`Template::add`]); expanded into keys at the end.
    day: Day,
    sums: Option<Sums>,
    other_days: Vec<(Day, Sums)>,
}

impl Template {
    /// The sums of the template's rows on `day`, to add a row's to.
    fn sums_on(&mut self, day: Day) -> &mut Sums {
        if self.sums.is_some() && self.day != day {
            let current = (self.day, self.sums.take().unwrap_or_default());
            match self.other_days.iter().position(|(d, _)| *d == day) {
                Some(i) => {
                    let (d, s) = std::mem::replace(&mut self.other_days[i], current);
                    self.day = d;
                    self.sums = Some(s);
                }
                None => self.other_days.push(current),
            }
        }
        self.day = day;
        self.sums.get_or_insert_default()
    }
}

/// Builds facts from line items.
pub struct Aggregator<'p> {
    plan: &'p TagPlan,
    window: Option<(Day, Day)>,
    state: Partial,
    env: EnvCache<'p>,
    key: Vec<u32>,
    /// Per interned slot of a key, the symbol it last had ([`Interner::intern_near`]): most
    /// slots repeat from one template to the next (account, service, cluster, labels).
    last_syms: Vec<Sym>,
    label_count: usize,
    templates: Vec<Template>,
    /// The one currency to read (`currency` of a profile); rows in others are skipped.
    currency: Option<&'p str>,
    /// Reader-given identity of the texts → template.
    memo: Memo,
}

impl<'p> Aggregator<'p> {
    /// `window` = `[start, end)` days to keep; `None` keeps every day.
    pub fn new(plan: &'p TagPlan, env_rules: &'p EnvRules, window: Option<(Day, Day)>) -> Self {
        let label_count = plan.label_names().len();
        Self {
            plan,
            window,
            state: Partial::default(),
            env: EnvCache::new(env_rules),
            key: Vec::with_capacity(K_DIMS + DIMS + label_count),
            last_syms: Vec::with_capacity(DIMS + 2 + label_count),
            label_count,
            templates: Vec::new(),
            currency: None,
            memo: Memo::default(),
        }
    }

    /// Reads only rows in `currency` (FOCUS `BillingCurrency`); rows in others are counted in
    /// [`Quality::rows_other_currency`] and skipped.
    pub fn only_currency(&mut self, currency: Option<&'p str>) {
        self.currency = currency;
    }

    /// Counts what a FOCUS row says besides its costs: a correction, its currency and what it
    /// billed in it. `false` for a row in another currency than the one asked for.
    fn counts_currency(&mut self, li: &LineItem<'_>) -> bool {
        let q = &mut self.state.quality;
        if li.charge_class == CORRECTION {
            q.corrections += 1;
        }
        if li.currency.is_empty() {
            return true;
        }
        if self.currency.is_some_and(|c| c != li.currency) {
            q.rows_other_currency += 1;
            return false;
        }
        let billed = li.money(Field::UnblendedCost);
        if let Some(t) = q.currencies.get_mut(li.currency) {
            t.rows += 1;
            t.billed += billed;
        } else {
            q.currencies
                .insert(li.currency.to_string(), CurrencyTotal { rows: 1, billed });
        }
        true
    }

    /// The tag plan the readers must fill [`LineItem::tags`] by.
    pub fn plan(&self) -> &TagPlan {
        self.plan
    }

    /// Records which columns a part has.
    pub fn set_columns(&mut self, columns: &ColumnSet) {
        self.state.columns.union(columns);
    }

    /// What the read has seen so far, for the reader to count rows, files and malformed lines.
    pub fn quality(&mut self) -> &mut Quality {
        &mut self.state.quality
    }

    /// Whether a day is inside the window.
    pub fn wants_day(&self, day: Day) -> bool {
        self.window.is_none_or(|(s, e)| day >= s && day < e)
    }

    /// Whether a line item's day is outside the window; such rows are counted and skipped.
    fn outside_window(&mut self, day: Day) -> bool {
        let outside = !self.wants_day(day);
        if outside {
            self.state.quality.rows_outside_window += 1;
        }
        outside
    }

    /// Adds one line item read under `columns`. The reader counts it in `rows_read`.
    pub fn add(&mut self, li: &LineItem<'_>, columns: &ColumnSet) {
        if self.outside_window(li.day) || !self.counts_currency(li) {
            return;
        }
        let mut placement = Placement::default();
        let kind = classify(li, self.plan, &mut placement);
        let unknown_type = |t: &str| !is_known_type(t);
        let split_parent_empty = li.split_parent.is_empty();
        let Some(sums) = self
            .state
            .line_costs(kind, split_parent_empty, unknown_type, li, columns)
        else {
            return;
        };
        self.build_key(kind, li, &placement, node_of(kind, li, &placement));
        if let Some(claim) = self.claim_of(kind, li, &placement) {
            self.state.claim(kind, claim);
        }
        self.state.name_account(li);
        let (map, quality) = self.state.map_for(kind);
        add_to(map, &self.key, sums, quality);
    }

    /// Fills `self.key` with a line item's key: its day, category, basis and dimensions
    /// (`node` as the node), the environment normalized, and its labels.
    fn build_key(&mut self, kind: RowKind, li: &LineItem<'_>, p: &Placement<'_>, node: &str) {
        let s = &mut self.state.strings;
        let env = self.env.normalize(s, p.env);
        self.key.clear();
        self.key.push(li.day as u32);
        self.key
            .push(p.category.unwrap_or(Category::Unallocated) as u32);
        self.key.push(basis_of(kind, li.line_item_type) as u32);
        let texts = [
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
        ];
        let tail = [li.provider, li.currency];
        debug_assert_eq!(p.labels.len(), self.label_count);
        let slots = texts.len() + tail.len() + p.labels.len();
        self.last_syms.resize(slots, NONE);
        let mut last = self.last_syms.iter_mut();
        let mut sym = |v: &str| match last.next() {
            Some(l) => s.intern_near(v, l),
            None => s.intern(v),
        };
        for v in texts {
            self.key.push(sym(v));
        }
        self.key.push(env);
        for v in tail {
            self.key.push(sym(v));
        }
        for l in &p.labels {
            self.key.push(sym(l));
        }
    }

    /// The (node, cluster) a row of `kind` claims, once [`Aggregator::build_key`] has built its
    /// key: a pod split's parent belongs to the pod ARN's cluster, a node candidate to its
    /// cluster tag if it has one.
    fn claim_of(
        &mut self,
        kind: RowKind,
        li: &LineItem<'_>,
        placement: &Placement<'_>,
    ) -> Option<(Sym, Sym)> {
        let s = &mut self.state.strings;
        match kind {
            RowKind::PodSplit => Some((s.intern(li.split_parent), s.intern(placement.cluster))),
            RowKind::NodeCandidate if !placement.node_cluster_tag.is_empty() => Some((
                self.key[kd(Dim::Node)],
                s.intern(placement.node_cluster_tag),
            )),
            _ => None,
        }
    }

    /// The template of the texts identified by `ids` (any identity that is equal exactly when
    /// these texts are: line item type, operation, product, resource, split parent, account,
    /// usage type and the wanted tags), if already seen.
    pub fn template_of(&self, ids: &[u32]) -> Option<u32> {
        self.memo.get(key_hash(ids), ids)
    }

    /// [`Aggregator::template_of`] for a reader that hashed `ids` itself: `hash` is their
    /// [`key_hash`] (built by [`super::key_step`] one id at a time).
    pub fn template_of_hashed(&self, hash: u64, ids: &[u32]) -> Option<u32> {
        self.memo.get(hash, ids)
    }

    /// The templates of many rows at once (`hashes` and `key` as for
    /// [`Aggregator::template_of_hashed`]) into `out`: every row's hash is looked up before
    /// any key is compared, so the lookups' cache misses overlap.
    pub fn templates_of_hashed<'k>(
        &self,
        hashes: &[u64],
        key: impl Fn(usize) -> &'k [u32],
        out: &mut Vec<Option<u32>>,
    ) {
        out.clear();
        out.extend(hashes.iter().map(|&h| self.memo.candidate(h)));
        for (r, (t, &h)) in out.iter_mut().zip(hashes).enumerate() {
            *t = self.memo.confirm(*t, h, key(r));
        }
    }

    /// Classifies `li` (its texts filled) as the template of `ids`.
    pub fn template(&mut self, ids: &[u32], li: &LineItem<'_>) -> u32 {
        self.template_hashed(key_hash(ids), ids, li)
    }

    /// [`Aggregator::template`] of `ids` whose [`key_hash`] is `hash`.
    pub fn template_hashed(&mut self, hash: u64, ids: &[u32], li: &LineItem<'_>) -> u32 {
        let mut placement = Placement::default();
        let kind = classify(li, self.plan, &mut placement);
        // Overlays add nothing: no key, nothing interned.
        let (key, claim) = if kind == RowKind::Overlay {
            (Box::default(), None)
        } else {
            self.build_key(kind, li, &placement, node_of(kind, li, &placement));
            let claim = self.claim_of(kind, li, &placement);
            (self.key.as_slice().into(), claim)
        };
        // The name is part of the template's identity: one look per distinct (account, name).
        self.state.name_account(li);
        let id = self.memo.insert(hash, ids);
        debug_assert_eq!(id as usize, self.templates.len());
        self.templates.push(Template {
            kind,
            key,
            claim,
            claimed: false,
            split_parent_empty: li.split_parent.is_empty(),
            unknown_type: None,
            day: li.day,
            sums: None,
            other_days: Vec::new(),
        });
        id
    }

    /// Adds a line item of a known template: only its day, line item type and amounts are
    /// read. Gives the same facts as [`Aggregator::add`] of the full line item.
    pub fn add_templated(&mut self, template: u32, li: &LineItem<'_>, columns: &ColumnSet) {
        if self.outside_window(li.day) || !self.counts_currency(li) {
            return;
        }
        let Some(t) = self.templates.get_mut(template as usize) else {
            return;
        };
        let (kind, split_parent_empty) = (t.kind, t.split_parent_empty);
        let unknown_type = |ty: &str| *t.unknown_type.get_or_insert_with(|| !is_known_type(ty));
        let Some(sums) = self
            .state
            .line_costs(kind, split_parent_empty, unknown_type, li, columns)
        else {
            return;
        };
        // Claims are idempotent: once per template is the same as once per row.
        if !t.claimed
            && let Some(claim) = t.claim
        {
            self.state.claim(kind, claim);
            t.claimed = true;
        }
        self.state.quality.sum_sums(t.sums_on(li.day), sums);
    }

    /// The state to merge with other parts.
    pub fn into_partial(mut self) -> Partial {
        self.env
            .record(&self.state.strings, &mut self.state.quality);
        for mut t in self.templates {
            let current = t.sums.map(|s| (t.day, s));
            for (day, sums) in t.other_days.into_iter().chain(current) {
                t.key[K_DAY] = day as u32;
                let (map, quality) = self.state.map_for(t.kind);
                add_to(map, &t.key, sums, quality);
            }
        }
        self.state
    }
}

/// What a row of `kind` and line item type `line_item_type` is priced by: a split pod row by
/// its split usage, a metered type by its usage amount, anything else by no quantity.
pub(crate) fn basis_of(kind: RowKind, line_item_type: &str) -> Basis {
    if kind == RowKind::PodSplit || item_type::METERED.contains(&line_item_type) {
        Basis::Usage
    } else {
        Basis::Other
    }
}

/// The node a row of `kind` is keyed under: a pod split's parent instance, a node candidate's
/// own instance, or where attribution placed the row.
fn node_of<'a>(kind: RowKind, li: &LineItem<'a>, placement: &Placement<'a>) -> &'a str {
    match kind {
        RowKind::PodSplit => li.split_parent,
        RowKind::NodeCandidate => li.resource_id,
        _ => placement.node,
    }
}

impl Partial {
    /// The one cost function: what a line item of `kind` adds to the facts (its costs, and
    /// its quantity when [`basis_of`] says it has one), counted in the quality and the bill as
    /// it goes; `None` for rows that add nothing.
    ///
    /// - Overlays (split rows whose cost is in their node's rows) are counted only.
    /// - Pod splits are overlays too, and cost their split cost in every metric without a split
    ///   column ([`Partial::finish`] derives those from the node); with neither parent nor cost
    ///   they are dropped, as AWS's own views do.
    /// - Every other row is billed; `unknown_type` says whether its line item type has no rule
    ///   (asked only of these rows, so a template can answer it once).
    fn line_costs(
        &mut self,
        kind: RowKind,
        split_parent_empty: bool,
        unknown_type: impl FnOnce(&str) -> bool,
        li: &LineItem<'_>,
        columns: &ColumnSet,
    ) -> Option<Sums> {
        match kind {
            RowKind::Overlay => {
                self.quality.overlay_rows += 1;
                None
            }
            RowKind::PodSplit => {
                self.quality.overlay_rows += 1;
                let split = li.money(Field::SplitCost);
                if split_parent_empty && split.0 == 0 {
                    self.quality.empty_split_rows += 1;
                    return None;
                }
                let net = li.amount(Field::SplitNetSplitCost).unwrap_or(split);
                let od = li
                    .amount(Field::SplitPublicOnDemandSplitCost)
                    .unwrap_or(split);
                let quantity = Quantity(li.money(Field::SplitUsage).0);
                Some(Sums::new(Costs([split, split, net, od]), quantity))
            }
            RowKind::NodeCandidate | RowKind::Billed => {
                if unknown_type(li.line_item_type) {
                    self.quality.unknown_type(li.line_item_type);
                }
                // Only a report lacking one of the columns pays for the type lookup.
                if !AMORTIZATION_COLUMNS.iter().all(|f| columns.has(*f))
                    && amortization_columns(li.line_item_type)
                        .iter()
                        .any(|f| !columns.has(*f))
                {
                    *self
                        .quality
                        .lacking_cost_columns
                        .entry(li.line_item_type.to_string())
                        .or_default() += 1;
                }
                let costs = line_item_costs(li, columns);
                self.quality
                    .sum(self.bill.entry(li.day).or_default(), costs);
                let quantity = match basis_of(kind, li.line_item_type) {
                    Basis::Usage => Quantity(li.money(Field::UsageAmount).0),
                    Basis::Other | Basis::PodUse => Quantity::ZERO,
                };
                Some(Sums::new(costs, quantity))
            }
        }
    }

    /// Records a row's claim (see `Aggregator::claim_of`) in the map its kind claims in.
    fn claim(&mut self, kind: RowKind, (node, cluster): (Sym, Sym)) {
        let map = if kind == RowKind::PodSplit {
            &mut self.pod_parents
        } else {
            &mut self.node_cluster_tag
        };
        claim(map, &self.strings, node, cluster);
    }

    /// Where rows of `kind` are summed until [`Partial::finish`] places them, with the
    /// quality that counts overflowing sums.
    fn map_for(&mut self, kind: RowKind) -> (&mut KeyMap, &mut Quality) {
        let map = match kind {
            RowKind::PodSplit => &mut self.pods,
            RowKind::NodeCandidate => &mut self.nodes,
            _ => &mut self.facts,
        };
        (map, &mut self.quality)
    }

    /// Whether nothing was read or merged into this state yet.
    fn is_empty(&self) -> bool {
        self.strings.is_empty()
            && self.facts.is_empty()
            && self.nodes.is_empty()
            && self.pods.is_empty()
            && self.node_cluster_tag.is_empty()
            && self.pod_parents.is_empty()
            && self.bill.is_empty()
            && self.account_names.is_empty()
            && self.quality == Quality::default()
    }

    /// Folds `other` into `self` (symbols re-interned).
    pub fn merge(&mut self, other: Partial) {
        // The first part merged into an empty state is that state: re-interning it into an
        // empty table would number every string as it is already numbered.
        if self.is_empty() {
            let columns = self.columns;
            *self = other;
            self.columns.union(&columns);
            return;
        }
        let map: Vec<Sym> = other
            .strings
            .iter()
            .map(|s| self.strings.intern(s))
            .collect();
        let tr = |sym: Sym| map.get(sym as usize).copied().unwrap_or(NONE);
        for (dst, src) in [
            (&mut self.facts, other.facts),
            (&mut self.nodes, other.nodes),
            (&mut self.pods, other.pods),
        ] {
            dst.reserve(src.len());
            for (mut k, c) in src {
                // The key is owned: its symbols are rewritten where it lies.
                for v in k.iter_mut().skip(K_DIMS) {
                    *v = tr(*v);
                }
                self.quality.sum_sums(dst.entry(k).or_default(), c);
            }
        }
        for (n, c) in other.node_cluster_tag {
            claim(&mut self.node_cluster_tag, &self.strings, tr(n), tr(c));
        }
        for (n, c) in other.pod_parents {
            claim(&mut self.pod_parents, &self.strings, tr(n), tr(c));
        }
        merge_account_names(&mut self.account_names, other.account_names);
        for (d, c) in other.bill {
            self.quality.sum(self.bill.entry(d).or_default(), c);
        }
        self.columns.union(&other.columns);
        self.quality.merge(other.quality);
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
