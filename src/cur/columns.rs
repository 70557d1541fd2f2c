//! The one column-alias table. Legacy CSV headers (`lineItem/UnblendedCost`), Athena / legacy
//! Parquet names (`line_item_unblended_cost`) and CUR 2.0 names are all brought to one form by
//! AWS's own Athena rule ([`normalize`]), then looked up here. Tag keys go through the same rule.

/// A CUR column curtop reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    LineItemType,
    UsageStartDate,
    UnblendedCost,
    UsageAccountId,
    ProductCode,
    UsageType,
    Operation,
    ResourceId,
    LineItemDescription,
    NetUnblendedCost,
    PublicOnDemandCost,
    ReservationArn,
    RiEffectiveCost,
    RiNetEffectiveCost,
    RiUnusedAmortizedUpfront,
    RiUnusedRecurring,
    RiNetUnusedAmortizedUpfront,
    RiNetUnusedRecurring,
    SpEffectiveCost,
    SpNetEffectiveCost,
    SpTotalCommitment,
    SpUsedCommitment,
    SplitParentResourceId,
    SplitCost,
    SplitNetSplitCost,
    SplitPublicOnDemandSplitCost,
    /// The line item's usage quantity, in its pricing unit (hours, GB, requests).
    UsageAmount,
    /// A split pod row's share of its node's usage (vCPU-hours, GB-hours).
    SplitUsage,
    /// CUR 2.0 only: its presence marks a CUR 2.0 table (CUR.md §2.1).
    BillPayerAccountName,
    /// CUR 2.0 only: the `resource_tags` map column.
    ResourceTagsMap,
}

/// Every field with its normalized column name.
pub const FIELDS: &[(Field, &str)] = &[
    (Field::LineItemType, "line_item_line_item_type"),
    (Field::UsageStartDate, "line_item_usage_start_date"),
    (Field::UnblendedCost, "line_item_unblended_cost"),
    (Field::UsageAccountId, "line_item_usage_account_id"),
    (Field::ProductCode, "line_item_product_code"),
    (Field::UsageType, "line_item_usage_type"),
    (Field::Operation, "line_item_operation"),
    (Field::ResourceId, "line_item_resource_id"),
    (
        Field::LineItemDescription,
        "line_item_line_item_description",
    ),
    (Field::NetUnblendedCost, "line_item_net_unblended_cost"),
    (Field::PublicOnDemandCost, "pricing_public_on_demand_cost"),
    (Field::ReservationArn, "reservation_reservation_a_r_n"),
    (Field::RiEffectiveCost, "reservation_effective_cost"),
    (Field::RiNetEffectiveCost, "reservation_net_effective_cost"),
    (
        Field::RiUnusedAmortizedUpfront,
        "reservation_unused_amortized_upfront_fee_for_billing_period",
    ),
    (Field::RiUnusedRecurring, "reservation_unused_recurring_fee"),
    (
        Field::RiNetUnusedAmortizedUpfront,
        "reservation_net_unused_amortized_upfront_fee_for_billing_period",
    ),
    (
        Field::RiNetUnusedRecurring,
        "reservation_net_unused_recurring_fee",
    ),
    (
        Field::SpEffectiveCost,
        "savings_plan_savings_plan_effective_cost",
    ),
    (
        Field::SpNetEffectiveCost,
        "savings_plan_net_savings_plan_effective_cost",
    ),
    (
        Field::SpTotalCommitment,
        "savings_plan_total_commitment_to_date",
    ),
    (Field::SpUsedCommitment, "savings_plan_used_commitment"),
    (
        Field::SplitParentResourceId,
        "split_line_item_parent_resource_id",
    ),
    (Field::SplitCost, "split_line_item_split_cost"),
    (Field::SplitNetSplitCost, "split_line_item_net_split_cost"),
    (
        Field::SplitPublicOnDemandSplitCost,
        "split_line_item_public_on_demand_split_cost",
    ),
    (Field::UsageAmount, "line_item_usage_amount"),
    (Field::SplitUsage, "split_line_item_split_usage"),
    (Field::BillPayerAccountName, "bill_payer_account_name"),
    (Field::ResourceTagsMap, "resource_tags"),
];

/// Number of fields (size of per-field arrays).
pub const FIELD_COUNT: usize = FIELDS.len();

/// Without these no cost can be computed: their absence is fatal.
pub const REQUIRED: &[Field] = &[
    Field::LineItemType,
    Field::UsageStartDate,
    Field::UnblendedCost,
];

impl Field {
    /// Position in [`FIELDS`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The normalized (Athena) column name.
    pub fn column_name(self) -> &'static str {
        FIELDS[self.index()].1
    }

    /// The legacy CSV header a user knows from the CUR docs (`lineItem/ResourceId`).
    pub fn legacy_name(self) -> &'static str {
        match self {
            Field::LineItemType => "lineItem/LineItemType",
            Field::UsageStartDate => "lineItem/UsageStartDate",
            Field::UnblendedCost => "lineItem/UnblendedCost",
            Field::UsageAccountId => "lineItem/UsageAccountId",
            Field::ProductCode => "lineItem/ProductCode",
            Field::UsageType => "lineItem/UsageType",
            Field::Operation => "lineItem/Operation",
            Field::ResourceId => "lineItem/ResourceId",
            Field::LineItemDescription => "lineItem/LineItemDescription",
            Field::NetUnblendedCost => "lineItem/NetUnblendedCost",
            Field::PublicOnDemandCost => "pricing/publicOnDemandCost",
            Field::ReservationArn => "reservation/ReservationARN",
            Field::RiEffectiveCost => "reservation/EffectiveCost",
            Field::RiNetEffectiveCost => "reservation/NetEffectiveCost",
            Field::RiUnusedAmortizedUpfront => {
                "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"
            }
            Field::RiUnusedRecurring => "reservation/UnusedRecurringFee",
            Field::RiNetUnusedAmortizedUpfront => {
                "reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod"
            }
            Field::RiNetUnusedRecurring => "reservation/NetUnusedRecurringFee",
            Field::SpEffectiveCost => "savingsPlan/SavingsPlanEffectiveCost",
            Field::SpNetEffectiveCost => "savingsPlan/NetSavingsPlanEffectiveCost",
            Field::SpTotalCommitment => "savingsPlan/TotalCommitmentToDate",
            Field::SpUsedCommitment => "savingsPlan/UsedCommitment",
            Field::SplitParentResourceId => "splitLineItem/ParentResourceId",
            Field::SplitCost => "splitLineItem/SplitCost",
            Field::SplitNetSplitCost => "splitLineItem/NetSplitCost",
            Field::SplitPublicOnDemandSplitCost => "splitLineItem/PublicOnDemandSplitCost",
            Field::UsageAmount => "lineItem/UsageAmount",
            Field::SplitUsage => "splitLineItem/SplitUsage",
            Field::BillPayerAccountName => "bill_payer_account_name",
            Field::ResourceTagsMap => "resource_tags",
        }
    }

    /// Whether the value is a number read in nano fixed point (parsed as
    /// [`crate::cur::money::Money`]): every amount of money, and the two usage quantities.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Field::UnblendedCost
                | Field::NetUnblendedCost
                | Field::PublicOnDemandCost
                | Field::RiEffectiveCost
                | Field::RiNetEffectiveCost
                | Field::RiUnusedAmortizedUpfront
                | Field::RiUnusedRecurring
                | Field::RiNetUnusedAmortizedUpfront
                | Field::RiNetUnusedRecurring
                | Field::SpEffectiveCost
                | Field::SpNetEffectiveCost
                | Field::SpTotalCommitment
                | Field::SpUsedCommitment
                | Field::SplitCost
                | Field::SplitNetSplitCost
                | Field::SplitPublicOnDemandSplitCost
                | Field::UsageAmount
                | Field::SplitUsage
        )
    }
}

/// AWS's CSV → Athena column-name rule (CUR.md §1.3): an underscore before each uppercase
/// letter, lower case, every other non-alphanumeric to `_`, runs of `_` folded, no `_` at
/// either end. Idempotent, so Athena and CUR 2.0 names pass through unchanged.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        let mapped = if c.is_ascii_uppercase() {
            if !out.ends_with('_') {
                out.push('_');
            }
            c.to_ascii_lowercase()
        } else if c.is_ascii_alphanumeric() {
            c
        } else {
            '_'
        };
        if mapped == '_' && out.ends_with('_') {
            continue;
        }
        out.push(mapped);
    }
    out.trim_matches('_').to_string()
}

/// The field a normalized column name stands for.
pub fn field_of(normalized: &str) -> Option<Field> {
    FIELDS
        .iter()
        .find(|(_, n)| *n == normalized)
        .map(|(f, _)| *f)
}

/// The tag id of a column: `resourceTags/user:team` → `user_team` (legacy CSV and Athena
/// flat tag columns). `None` for other columns, and for CUR 2.0's `resource_tags` map itself.
pub fn tag_of_column(normalized: &str) -> Option<&str> {
    normalized
        .strip_prefix("resource_tags_")
        .filter(|t| !t.is_empty())
}

/// The tag id of a key as a user writes it: `team` → `user_team`,
/// `aws:eks:cluster-name` → `aws_eks_cluster_name`, `user:Env` → `user_env`. A key already in
/// column form (`resource_tags_user_team`) is accepted too.
pub fn tag_id(key: &str) -> String {
    if let Some(rest) = key.strip_prefix("resource_tags_") {
        return normalize(rest);
    }
    if key.starts_with("aws:") || key.starts_with("user:") {
        normalize(key)
    } else {
        normalize(&format!("user:{key}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_follows_the_athena_rule() {
        assert_eq!(
            normalize("lineItem/UsageStartDate"),
            "line_item_usage_start_date"
        );
        assert_eq!(
            normalize("reservation/ReservationARN"),
            "reservation_reservation_a_r_n"
        );
        assert_eq!(
            normalize("resourceTags/user:app.kubernetes.io/name"),
            "resource_tags_user_app_kubernetes_io_name"
        );
        assert_eq!(
            normalize("resourceTags/user:Environment"),
            "resource_tags_user_environment"
        );
        assert_eq!(
            normalize("line_item_usage_start_date"),
            "line_item_usage_start_date"
        );
    }

    #[test]
    fn every_legacy_name_normalizes_to_its_column_name() {
        for (field, name) in FIELDS {
            assert_eq!(field.column_name(), *name);
            if !matches!(field, Field::BillPayerAccountName | Field::ResourceTagsMap) {
                assert_eq!(normalize(field.legacy_name()), *name, "{field:?}");
            }
            assert_eq!(field_of(name), Some(*field));
            assert_eq!(
                field.index(),
                FIELDS.iter().position(|(f, _)| f == field).unwrap()
            );
        }
    }

    #[test]
    fn tag_ids_match_across_schemas() {
        assert_eq!(tag_id("kubernetes_namespace"), "user_kubernetes_namespace");
        assert_eq!(tag_id("aws:eks:cluster-name"), "aws_eks_cluster_name");
        assert_eq!(tag_id("eks:cluster-name"), "user_eks_cluster_name");
        assert_eq!(tag_id("Environment"), "user_environment");
        assert_eq!(tag_id("resource_tags_user_team"), "user_team");
        let col = normalize("resourceTags/user:kubernetes_namespace");
        assert_eq!(tag_of_column(&col), Some("user_kubernetes_namespace"));
        assert_eq!(tag_of_column("resource_tags"), None);
    }
}
