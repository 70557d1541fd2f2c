//! What a read saw besides the facts: row counts, examples of malformed rows, the line item
//! types curtop has no rule for, and warnings in words.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::cur::money::Money;

/// A line that could not be read, kept as an example for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malformed {
    pub file: String,
    /// 1-based line (CSV) or row (Parquet) number.
    pub line: u64,
    pub reason: String,
}

/// Something that limits what can be shown, said in words.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    /// Stable code (`no-resource-ids`, `malformed-rows`, ...).
    pub code: WarningCode,
    pub message: String,
}

/// What a [`Warning`] is about. [`WarningCode::as_str`] is its stable kebab-case name, which
/// `Display` writes; the variants are in the order of their names, so sorting by code sorts
/// by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningCode {
    /// `cache-invalid`: a cached file could not be used (corrupt, truncated, another format).
    CacheInvalid,
    /// `cache-unwritable`: the cache folder cannot be written.
    CacheUnwritable,
    /// `corrections`: FOCUS rows that correct an earlier period, kept and counted.
    Corrections,
    /// `daily-granularity`: the report is daily or monthly, not hourly.
    DailyGranularity,
    /// `data-updating`: Athena's `cost_and_usage_data_status` is not READY.
    DataUpdating,
    /// `duplicate-parts`: a manifest names a part twice (read once).
    DuplicateParts,
    /// `empty-period`: a manifest names no parts (`reportKeys: []`): that period has no data.
    EmptyPeriod,
    /// `focus-columns-missing`: a FOCUS export lacks optional columns (older versions, a
    /// provider's subset); what they feed is unavailable.
    FocusColumnsMissing,
    /// `malformed-rows`: rows that do not parse were counted and left out.
    MalformedRows,
    /// `missing-cost-columns`: a column a metric needs is missing, so that metric is lower
    /// than the bill for the line item types it names.
    MissingCostColumns,
    /// `mixed-currencies`: the bill is in several currencies; the views group by currency and
    /// never add them.
    MixedCurrencies,
    /// `missing-parts`: report parts named by the manifest are missing.
    MissingParts,
    /// `no-resource-ids`: the report has no resource IDs.
    NoResourceIds,
    /// `no-split-cost`: the report has no split cost allocation data.
    NoSplitCost,
    /// `nothing-to-share-into`: a sharing rule had no target on some days; that cost stays
    /// where it was.
    NothingToShareInto,
    /// `other-currency`: FOCUS rows in another currency than the profile's, skipped.
    OtherCurrency,
    /// `period-restarted`: AWS delivered a new version of the period during the read.
    PeriodRestarted,
    /// `pods-beyond-node-cost`: pods claim more than their node cost; its idle is zero and
    /// the excess is taken out of unallocated.
    PodsBeyondNodeCost,
    /// `pods-without-node`: pod split rows name nodes with no EC2 rows in the data.
    PodsWithoutNode,
    /// `reconciliation`: a day's categories do not sum to its bill (a bug in curtop).
    Reconciliation,
    /// `stale-data`: the open period was not delivered for too long.
    StaleData,
    /// `unknown-line-item-types`: line item types curtop has no rule for.
    UnknownLineItemTypes,
}

impl WarningCode {
    /// Every code, in the order of their names.
    pub const ALL: [WarningCode; 22] = [
        WarningCode::CacheInvalid,
        WarningCode::CacheUnwritable,
        WarningCode::Corrections,
        WarningCode::DailyGranularity,
        WarningCode::DataUpdating,
        WarningCode::DuplicateParts,
        WarningCode::EmptyPeriod,
        WarningCode::FocusColumnsMissing,
        WarningCode::MalformedRows,
        WarningCode::MissingCostColumns,
        WarningCode::MissingParts,
        WarningCode::MixedCurrencies,
        WarningCode::NoResourceIds,
        WarningCode::NoSplitCost,
        WarningCode::NothingToShareInto,
        WarningCode::OtherCurrency,
        WarningCode::PeriodRestarted,
        WarningCode::PodsBeyondNodeCost,
        WarningCode::PodsWithoutNode,
        WarningCode::Reconciliation,
        WarningCode::StaleData,
        WarningCode::UnknownLineItemTypes,
    ];

    /// The stable kebab-case name (`no-resource-ids`, `malformed-rows`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::CacheInvalid => "cache-invalid",
            WarningCode::CacheUnwritable => "cache-unwritable",
            WarningCode::Corrections => "corrections",
            WarningCode::DailyGranularity => "daily-granularity",
            WarningCode::FocusColumnsMissing => "focus-columns-missing",
            WarningCode::OtherCurrency => "other-currency",
            WarningCode::DataUpdating => "data-updating",
            WarningCode::DuplicateParts => "duplicate-parts",
            WarningCode::EmptyPeriod => "empty-period",
            WarningCode::MalformedRows => "malformed-rows",
            WarningCode::MissingCostColumns => "missing-cost-columns",
            WarningCode::MissingParts => "missing-parts",
            WarningCode::MixedCurrencies => "mixed-currencies",
            WarningCode::NoResourceIds => "no-resource-ids",
            WarningCode::NoSplitCost => "no-split-cost",
            WarningCode::NothingToShareInto => "nothing-to-share-into",
            WarningCode::PeriodRestarted => "period-restarted",
            WarningCode::PodsBeyondNodeCost => "pods-beyond-node-cost",
            WarningCode::PodsWithoutNode => "pods-without-node",
            WarningCode::Reconciliation => "reconciliation",
            WarningCode::StaleData => "stale-data",
            WarningCode::UnknownLineItemTypes => "unknown-line-item-types",
        }
    }
}

impl std::fmt::Display for WarningCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How many examples of malformed rows are kept.
pub const MAX_EXAMPLES: usize = 5;

/// What the read saw: counts, examples, warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Raw environment tag values seen → what they normalize to (`doctor` shows them).
    pub env_values: BTreeMap<String, String>,
    /// Tag ids the bill holds that the read did not keep (no mapping, label, report or rule
    /// names them): `doctor` reads again keeping them, to find environments in them.
    #[serde(default)]
    pub unread_tags: BTreeSet<String>,
    /// Rows (by line item type) whose amortized cost needs a column the report lacks
    /// ([`crate::cur::metrics::amortization_columns`]).
    #[serde(default)]
    pub lacking_cost_columns: BTreeMap<String, u64>,
    /// Sums that went beyond what [`crate::cur::money::Money`] holds (±$9.2 billion): the
    /// facts are wrong and the read is an error.
    #[serde(default)]
    pub overflowed_sums: u64,
    /// FOCUS rows of `ChargeClass` `Correction` (kept: they fix an earlier period's bill).
    pub corrections: u64,
    /// FOCUS rows in another currency than the profile's `currency`, skipped.
    pub rows_other_currency: u64,
    /// FOCUS rows and billed cost per `BillingCurrency` read (empty for CUR).
    pub currencies: BTreeMap<String, CurrencyTotal>,
}

/// What a read found in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub rows: u64,
    /// `BilledCost` summed, in this currency.
    pub billed: Money,
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

    /// Notes the tag ids of a row's tag map that the read does not keep (not `wanted`).
    pub fn unread<'k>(&mut self, seen: impl IntoIterator<Item = &'k str>, wanted: &[String]) {
        for id in seen {
            if !wanted.iter().any(|w| w == id) && !self.unread_tags.contains(id) {
                self.unread_tags.insert(id.to_string());
            }
        }
    }

    /// Adds a warning, once: the same code and message from several parts say it once.
    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        let message = message.into();
        if !self
            .warnings
            .iter()
            .any(|w| w.code == code && w.message == message)
        {
            self.warnings.push(Warning { code, message });
        }
    }

    /// `into += add`, counting a sum that overflows (the read then fails, see
    /// [`Quality::overflowed_sums`]).
    pub(super) fn sum(
        &mut self,
        into: &mut crate::cur::metrics::Costs,
        add: crate::cur::metrics::Costs,
    ) {
        if !into.add_checked(add) {
            self.overflowed_sums += 1;
        }
    }

    /// Adds `add` (costs and quantity) to `into`, counting an overflowing cost sum.
    pub(super) fn sum_sums(&mut self, into: &mut super::Sums, add: super::Sums) {
        self.sum(&mut into.costs, add.costs);
        into.quantity += add.quantity;
    }

    /// Counts a line item of a type [`is_known_type`] has no rule for.
    pub(super) fn unknown_type(&mut self, line_item_type: &str) {
        *self
            .unknown_line_item_types
            .entry(line_item_type.to_string())
            .or_default() += 1;
    }

    /// Folds another part's quality into this one (examples capped, warnings deduplicated).
    pub(super) fn merge(&mut self, other: Quality) {
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
        for (k, v) in other.lacking_cost_columns {
            *self.lacking_cost_columns.entry(k).or_default() += v;
        }
        for (k, v) in other.unknown_line_item_types {
            *self.unknown_line_item_types.entry(k).or_default() += v;
        }
        for w in other.warnings {
            self.warn(w.code, w.message);
        }
        self.files += other.files;
        self.bytes += other.bytes;
        self.env_values.extend(other.env_values);
        self.unread_tags.extend(other.unread_tags);
        self.overflowed_sums += other.overflowed_sums;
        self.corrections += other.corrections;
        self.rows_other_currency += other.rows_other_currency;
        for (k, v) in other.currencies {
            let t = self.currencies.entry(k).or_default();
            t.rows += v.rows;
            t.billed += v.billed;
        }
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
    // FOCUS charge categories (`Usage`, `Credit` and `Tax` are above): FOCUS gives each row's
    // amortized cost, so every category has its rule.
    "Purchase",
    "Adjustment",
];

/// Whether curtop has a rule for a line item type.
pub(super) fn is_known_type(line_item_type: &str) -> bool {
    KNOWN_TYPES.contains(&line_item_type)
}

#[cfg(test)]
mod tests {
    use super::WarningCode;

    #[test]
    fn codes_are_kebab_case_distinct_and_sorted() {
        let names: Vec<&str> = WarningCode::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        for n in names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        }
    }
}
