//! Sharing: a profile's rules applied to the facts of a read, giving facts in which shared
//! costs sit with the rows that pay for them.
//!
//! Each fact row is taken by at most one rule: the `[[sharing.costs]]` rules in the order
//! written, then the shared namespaces, then idle. What a rule takes is summed per day (and per
//! cluster for idle and shared namespaces) and split over that day's targets in integer
//! nano-dollars by largest remainder ([`split`]), per metric, so the parts sum to the whole
//! exactly: every day still sums to its bill. Weights are the targets' own cost in the
//! un-shared facts that day, so rules never feed each other and the order of rules only decides
//! which rule takes a row.
//!
//! The new rows carry their source in [`FactRow::shared`]; the tree shows them as a `shared
//! in` row under their target and counts them in each row's shared-in amounts. What has no
//! target on a day (idle of a cluster whose pods did not run that day) is not taken: it stays
//! where it was, visible, and a `nothing-to-share-into` warning of the shared facts says so. The un-shared facts are left
//! untouched, so turning sharing off restores them exactly.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Sharing;
use crate::config::sharing::{CostRule, IdleRule, Selector, Split, TargetKind, TargetSplit};
use crate::cur::attribution::Category;
use crate::cur::metrics::{Costs, Metric};
use crate::cur::money::Money;
use crate::cur::time::{Day, date_of};
use crate::facts::{Dim, FactRow, Facts, NONE, Sym, WarningCode};

/// The facts with sharing applied. Their warnings add one `nothing-to-share-into` per source
/// and scope whose cost had, on some days, nothing to go to.
#[derive(Debug, Clone)]
pub struct Shared {
    pub facts: Facts,
}

/// Splits `amount` in proportion to `weights` (none negative, not all zero) by largest
/// remainder: each part is the floor of its exact share, and what the floors leave goes one
/// nano-dollar at a time to the largest remainders (the first among equals). The parts sum to
/// `amount` exactly. Negative amounts split as their opposite.
pub fn split(amount: Money, weights: &[i128]) -> Vec<Money> {
    let total: i128 = weights.iter().sum();
    if total <= 0 {
        return vec![Money::ZERO; weights.len()];
    }
    let whole = i128::from(amount.0).abs();
    let mut parts: Vec<i128> = weights.iter().map(|w| whole * w / total).collect();
    let mut left = whole - parts.iter().sum::<i128>();
    let mut by_remainder: Vec<(i128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (whole * w % total, i))
        .collect();
    by_remainder.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in by_remainder {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    let sign = if amount.0 < 0 { -1 } else { 1 };
    parts
        .into_iter()
        .map(|p| Money(i64::try_from(p * sign).unwrap_or(0)))
        .collect()
}

/// Where a shared part lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    cluster: Sym,
    namespace: Sym,
    env: Sym,
}

/// What a rule took on one day, summed: (day, source, scope cluster, category, service,
/// provider, currency). The parts keep their provider and currency: sharing moves money
/// within a provider's bill view, it does not make a provider of its own, and never carries
/// an amount into another currency's sum.
type GroupKey = (Day, Sym, Sym, Category, Sym, Sym, Sym);

/// Who takes a group: a cost rule (by index), a shared namespace, or idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Taker {
    Rule(usize),
    Namespace,
    Idle,
}

/// The un-shared facts' own costs that weigh targets.
#[derive(Default)]
struct Weights {
    /// Namespaces (not shared ones) by day: their own cost per environment.
    namespaces: BTreeMap<Day, BTreeMap<Target, Costs>>,
    /// Clusters by day, per environment.
    clusters: BTreeMap<Day, BTreeMap<Target, Costs>>,
    /// Environments by day.
    envs: BTreeMap<Day, BTreeMap<Target, Costs>>,
}

/// Applies `rules` to `facts`. With no active rule the result equals `facts`.
pub fn share(facts: &Facts, rules: &Sharing) -> Shared {
    let mut out = facts.clone();
    if !rules.is_active() {
        return Shared { facts: out };
    }
    let shared_ns: Vec<Sym> = rules
        .shared_namespaces
        .iter()
        .filter_map(|n| out.strings.lookup(n))
        .collect();
    let weights = weigh(facts, &shared_ns);
    let idle = out.strings.intern("idle");
    let rule_names: Vec<Sym> = rules
        .costs
        .iter()
        .map(|r| out.strings.intern(&r.name))
        .collect();
    // Which rows each group took, so that a group with no target gives its rows back.
    let mut groups: BTreeMap<(Taker, GroupKey), (Costs, Vec<usize>)> = BTreeMap::new();
    for (i, r) in facts.rows.iter().enumerate() {
        let taker = rules
            .costs
            .iter()
            .position(|rule| selects(facts, &rule.select, r))
            .map(Taker::Rule)
            .or_else(|| {
                (r.dim(Dim::Cluster) != NONE && shared_ns.contains(&r.dim(Dim::Namespace)))
                    .then_some(Taker::Namespace)
            })
            .or_else(|| {
                (rules.idle == IdleRule::Share && r.category == Category::Idle)
                    .then_some(Taker::Idle)
            });
        let Some(taker) = taker else { continue };
        let (source, scope) = match taker {
            Taker::Rule(k) => (rule_names[k], NONE),
            Taker::Namespace => (r.dim(Dim::Namespace), r.dim(Dim::Cluster)),
            Taker::Idle => (idle, r.dim(Dim::Cluster)),
        };
        let key = (
            r.day,
            source,
            scope,
            r.category,
            r.dim(Dim::Service),
            r.dim(Dim::Provider),
            r.dim(Dim::Currency),
        );
        let g = groups.entry((taker, key)).or_default();
        g.0 += r.costs;
        g.1.push(i);
    }
    let mut taken = vec![false; facts.rows.len()];
    let mut added: BTreeMap<(Day, Category, [Sym; crate::facts::DIMS], Sym), Costs> =
        BTreeMap::new();
    let mut unshared: BTreeMap<(Sym, Sym), (BTreeSet<Day>, Costs)> = BTreeMap::new();
    for ((taker, key), (amount, rows)) in groups {
        let (day, source, scope, category, service, provider, currency) = key;
        let targets = match taker {
            Taker::Rule(k) => rule_targets(&mut out, &rules.costs[k], &weights, day),
            Taker::Namespace => in_cluster(&weights, day, scope, rules.split == Split::Even),
            Taker::Idle => in_cluster(&weights, day, scope, false),
        };
        if targets.is_empty() {
            let u = unshared.entry((source, scope)).or_default();
            u.0.insert(day);
            u.1 += amount;
            continue;
        }
        for &i in &rows {
            taken[i] = true;
        }
        for (target, part) in split_costs(amount, &targets) {
            let mut dims = [NONE; crate::facts::DIMS];
            dims[Dim::Service as usize] = service;
            dims[Dim::Provider as usize] = provider;
            dims[Dim::Currency as usize] = currency;
            dims[Dim::Cluster as usize] = target.cluster;
            dims[Dim::Namespace as usize] = target.namespace;
            dims[Dim::Env as usize] = target.env;
            *added.entry((day, category, dims, source)).or_default() += part;
        }
    }
    let labels: Box<[Sym]> = vec![NONE; facts.label_names.len()].into();
    let mut rows: Vec<FactRow> = facts
        .rows
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|(r, _)| r.clone())
        .collect();
    rows.extend(added.into_iter().filter(|(_, c)| !c.is_zero()).map(
        |((day, category, dims, shared), costs)| FactRow {
            day,
            category,
            dims,
            labels: labels.clone(),
            costs,
            shared,
            // Money moved by a rule has no usage of its own: its change reads as `other`.
            basis: crate::facts::Basis::Other,
            quantity: crate::facts::Quantity::ZERO,
        },
    ));
    rows.sort_by(|a, b| {
        (a.day, a.category, a.dims, &a.labels, a.shared)
            .cmp(&(b.day, b.category, b.dims, &b.labels, b.shared))
    });
    out.rows = rows;
    for ((source, scope), (days, amount)) in unshared {
        let what = out.strings.get(source);
        let within = if scope == NONE {
            String::new()
        } else {
            format!(" of cluster {}", out.strings.get(scope))
        };
        let first = days
            .first()
            .map_or(String::new(), |d| date_of(*d).to_string());
        let message = format!(
            "{what}{within}: {} ({}) on {} day(s) from {first} had nothing to be shared into \
             and stays where it was",
            amount[Metric::Amortized],
            Metric::Amortized.name(),
            days.len()
        );
        out.quality.warn(WarningCode::NothingToShareInto, message);
    }
    Shared { facts: out }
}

/// Whether a rule's selector takes a row (rows already shared are never taken again).
fn selects(facts: &Facts, s: &Selector, r: &FactRow) -> bool {
    let any =
        |list: &[String], d: Dim| list.is_empty() || list.iter().any(|v| v == facts.text(r, d));
    any(&s.services, Dim::Service)
        && any(&s.usage_types, Dim::UsageType)
        && any(&s.accounts, Dim::Account)
        && (s.categories.is_empty() || s.categories.contains(&r.category))
        && s.labels
            .iter()
            .all(|(name, value)| has_label(facts, r, &format!("label:{name}"), value))
        && s.tags
            .iter()
            .all(|(key, value)| has_label(facts, r, &format!("tag:{key}"), value))
}

/// Whether the row's label `name` (`label:NAME` for a declared label, `tag:KEY` for a key
/// the read kept, as [`crate::cur::attribution::TagPlan::label_names`] names them) is
/// `value`.
fn has_label(facts: &Facts, r: &FactRow, name: &str, value: &str) -> bool {
    facts
        .label_names
        .iter()
        .position(|n| n == name)
        .and_then(|i| r.labels.get(i))
        .is_some_and(|&v| facts.strings.get(v) == value)
}

/// The targets' own costs, per day, from the un-shared facts.
fn weigh(facts: &Facts, shared_ns: &[Sym]) -> Weights {
    let mut w = Weights::default();
    for r in &facts.rows {
        let (cluster, namespace, env) =
            (r.dim(Dim::Cluster), r.dim(Dim::Namespace), r.dim(Dim::Env));
        let own = matches!(r.category, Category::Pod | Category::External);
        if own && cluster != NONE && namespace != NONE && !shared_ns.contains(&namespace) {
            let t = Target {
                cluster,
                namespace,
                env,
            };
            *w.namespaces.entry(r.day).or_default().entry(t).or_default() += r.costs;
        }
        if cluster != NONE && r.category != Category::Unallocated {
            let t = Target {
                cluster,
                namespace: NONE,
                env,
            };
            *w.clusters.entry(r.day).or_default().entry(t).or_default() += r.costs;
        }
        if env != NONE {
            let t = Target {
                cluster: NONE,
                namespace: NONE,
                env,
            };
            *w.envs.entry(r.day).or_default().entry(t).or_default() += r.costs;
        }
    }
    w
}

/// A cluster's namespaces on a day, weighted by their own cost (or evenly).
fn in_cluster(w: &Weights, day: Day, cluster: Sym, even: bool) -> Vec<(Target, Costs)> {
    let Some(day) = w.namespaces.get(&day) else {
        return Vec::new();
    };
    let mut targets: Vec<(Target, Costs)> = day
        .iter()
        .filter(|(t, c)| t.cluster == cluster && !c.is_zero())
        .map(|(t, c)| (*t, *c))
        .collect();
    if even {
        // Equal parts per namespace: a namespace's environments share its one part.
        let mut per_ns: BTreeMap<Sym, Vec<usize>> = BTreeMap::new();
        for (i, (t, _)) in targets.iter().enumerate() {
            per_ns.entry(t.namespace).or_default().push(i);
        }
        let mut even_targets = Vec::new();
        for idx in per_ns.values() {
            // The namespace's first environment takes its part.
            even_targets.push((targets[idx[0]].0, Costs([Money(1); 4])));
        }
        targets = even_targets;
    }
    targets
}

/// A cost rule's targets on a day, with their weights.
fn rule_targets(out: &mut Facts, rule: &CostRule, w: &Weights, day: Day) -> Vec<(Target, Costs)> {
    let pool = match rule.into {
        TargetKind::Environments => w.envs.get(&day),
        TargetKind::Clusters => w.clusters.get(&day),
        TargetKind::Namespaces => w.namespaces.get(&day),
    };
    let empty = BTreeMap::new();
    let pool = pool.unwrap_or(&empty);
    let named = |t: &Target, name: &str, strings: &crate::facts::Interner| match rule.into {
        TargetKind::Environments => strings.get(t.env) == name,
        TargetKind::Clusters => strings.get(t.cluster) == name,
        TargetKind::Namespaces => match name.split_once('/') {
            Some((c, n)) => strings.get(t.cluster) == c && strings.get(t.namespace) == n,
            None => strings.get(t.namespace) == name,
        },
    };
    match &rule.split {
        TargetSplit::Proportional(names) => pool
            .iter()
            .filter(|(t, c)| {
                !c.is_zero()
                    && (names.is_empty() || names.iter().any(|n| named(t, n, &out.strings)))
            })
            .map(|(t, c)| (*t, *c))
            .collect(),
        TargetSplit::Ratios(ratios) => {
            let mut targets = Vec::new();
            for (name, parts) in ratios {
                let ratio = i64::try_from(*parts).unwrap_or(0);
                // Environments and clusters are named whole; a namespace may live in several
                // clusters, which share its ratio by their own cost.
                let present: Vec<(Target, Costs)> = pool
                    .iter()
                    .filter(|(t, _)| named(t, name, &out.strings))
                    .map(|(t, c)| (*t, *c))
                    .collect();
                match rule.into {
                    TargetKind::Namespaces if !present.is_empty() => {
                        let total: Costs = present.iter().fold(Costs::ZERO, |a, (_, c)| a + *c);
                        for (t, c) in present {
                            let mut weight = Costs::ZERO;
                            for m in Metric::ALL {
                                weight[m] = Money(ratio).scale(c[m], total[m]);
                            }
                            targets.push((t, weight));
                        }
                    }
                    TargetKind::Namespaces => {}
                    _ => {
                        let sym = out.strings.intern(name);
                        let t = match rule.into {
                            TargetKind::Environments => Target {
                                cluster: NONE,
                                namespace: NONE,
                                env: sym,
                            },
                            _ => Target {
                                cluster: sym,
                                namespace: NONE,
                                env: NONE,
                            },
                        };
                        targets.push((t, Costs([Money(ratio); 4])));
                    }
                }
            }
            targets
        }
    }
}

/// Splits `amount` over `targets` by their weights, metric by metric. Negative weights count
/// as zero; a metric whose weights are all zero splits evenly.
fn split_costs(amount: Costs, targets: &[(Target, Costs)]) -> Vec<(Target, Costs)> {
    let mut parts: Vec<(Target, Costs)> = targets.iter().map(|(t, _)| (*t, Costs::ZERO)).collect();
    for m in Metric::ALL {
        let mut weights: Vec<i128> = targets
            .iter()
            .map(|(_, c)| i128::from(c[m].0.max(0)))
            .collect();
        if weights.iter().all(|&w| w == 0) {
            weights.fill(1);
        }
        for (i, p) in split(amount[m], &weights).into_iter().enumerate() {
            parts[i].1[m] = p;
        }
    }
    parts
}

#[cfg(test)]
mod tests;
