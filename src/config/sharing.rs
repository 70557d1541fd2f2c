//! A profile's sharing rules (`[profiles.NAME.sharing]`): which costs are spread over whom.
//! Plain, hashable data, validated by `file::sharing`; `alloc::sharing` applies it to facts.

use serde::Deserialize;

use crate::cur::attribution::Category;

/// Ratios are fixed-point: this many parts make the whole (ratios are read as decimals with
/// nine places, so that `0.7 + 0.3` is exactly one).
pub const RATIO_ONE: u64 = 1_000_000_000;

/// All sharing rules of a profile. The default shares nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Sharing {
    pub idle: IdleRule,
    /// Namespaces whose cost goes to their cluster's other namespaces.
    pub shared_namespaces: Vec<String>,
    /// How a shared namespace's cost is split.
    pub split: Split,
    /// `[[sharing.costs]]`, in the order written: a fact is taken by the first that selects it.
    pub costs: Vec<CostRule>,
}

impl Sharing {
    /// Whether any rule shares anything.
    pub fn is_active(&self) -> bool {
        self.idle == IdleRule::Share || !self.shared_namespaces.is_empty() || !self.costs.is_empty()
    }

    /// The tag keys the rules select by, each once, in the order written: the read keeps them
    /// beside the profile's mapping.
    pub fn tag_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for (key, _) in self.costs.iter().flat_map(|r| &r.select.tags) {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        keys
    }
}

/// What happens to a cluster's idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdleRule {
    /// Idle stays a row of its own.
    #[default]
    Keep,
    /// Each cluster's idle of a day goes to that cluster's namespaces, in proportion to their
    /// own cost that day.
    Share,
}

/// How a shared namespace's cost is split over the cluster's other namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    /// In proportion to each namespace's own cost that day.
    #[default]
    Weighted,
    /// Equal parts for every namespace with cost that day.
    Even,
}

/// `[[sharing.costs]]`: facts selected by what they are, sent to targets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CostRule {
    /// Shown as the source of what it shares ("shared in: $1 200 datadog").
    pub name: String,
    pub select: Selector,
    pub into: TargetKind,
    pub split: TargetSplit,
}

/// Which facts a rule takes: every given list must match (a list matches any of its values);
/// an empty selector takes everything not taken before.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Selector {
    pub services: Vec<String>,
    pub usage_types: Vec<String>,
    pub accounts: Vec<String>,
    pub categories: Vec<Category>,
    /// (label concept, value): the fact's label must have that value.
    pub labels: Vec<(String, String)>,
    /// (tag key as the bill writes it, value): any key of the bill, declared or not; the read
    /// keeps the keys rules name ([`Sharing::tag_keys`]) as it keeps a report's `tag:KEY`.
    pub tags: Vec<(String, String)>,
}

/// What a rule's targets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    Environments,
    Clusters,
    /// `cluster/namespace`, or a bare namespace name meaning that namespace in every cluster.
    Namespaces,
}

impl TargetKind {
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Environments => "environments",
            TargetKind::Clusters => "clusters",
            TargetKind::Namespaces => "namespaces",
        }
    }
}

/// How a rule divides what it takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TargetSplit {
    /// (target, parts of [`RATIO_ONE`]); the parts sum to exactly [`RATIO_ONE`].
    Ratios(Vec<(String, u64)>),
    /// In proportion to the targets' own cost that day; an empty list means every target of
    /// the kind with cost that day.
    Proportional(Vec<String>),
}
