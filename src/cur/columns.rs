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
    /// CUR 2.0 only: the `resource_tags` map column (FOCUS: `Tags`).
    ResourceTagsMap,
    /// FOCUS only: `EffectiveCost`, the amortized cost after negotiated discounts. Its
    /// presence marks a FOCUS table (`docs/focus.md`).
    EffectiveCost,
    /// FOCUS only: `ChargeClass` (`Correction` marks a fix of an earlier period).
    ChargeClass,
    /// FOCUS only: `ProviderName` (AWS, Microsoft, Google Cloud, Oracle, ...).
    ProviderName,
    /// FOCUS only: `BillingCurrency`; amounts in different currencies are never added.
    BillingCurrency,
    /// FOCUS only: `SubAccountName`, the account's display name.
    SubAccountName,
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
    (Field::EffectiveCost, "effective_cost"),
    (Field::ChargeClass, "charge_class"),
    (Field::ProviderName, "provider_name"),
    (Field::BillingCurrency, "billing_currency"),
    (Field::SubAccountName, "sub_account_name"),
];

/// FOCUS columns that mean a CUR field, as (field, normalized name, FOCUS name), in order of
/// preference where two name one field (`SkuMeter` before AWS's `x_UsageType`). The same
/// [`normalize`] rule brings FOCUS's `PascalCase` names here (`BilledCost` → `billed_cost`).
/// `ChargeType` is FOCUS 1.0-preview's `ChargeCategory`, `ServiceProviderName` FOCUS 1.3's
/// `ProviderName`.
pub const FOCUS_ALIASES: &[(Field, &str, &str)] = &[
    (
        Field::UsageStartDate,
        "charge_period_start",
        "ChargePeriodStart",
    ),
    (Field::UnblendedCost, "billed_cost", "BilledCost"),
    (Field::PublicOnDemandCost, "list_cost", "ListCost"),
    (Field::LineItemType, "charge_category", "ChargeCategory"),
    (Field::LineItemType, "charge_type", "ChargeType"),
    (Field::ProductCode, "service_name", "ServiceName"),
    (Field::UsageAccountId, "sub_account_id", "SubAccountId"),
    (Field::ResourceId, "resource_id", "ResourceId"),
    (Field::UsageType, "sku_meter", "SkuMeter"),
    (Field::UsageType, "x_usage_type", "x_UsageType"),
    (Field::Operation, "x_operation", "x_Operation"),
    (
        Field::LineItemDescription,
        "charge_description",
        "ChargeDescription",
    ),
    (Field::ResourceTagsMap, "tags", "Tags"),
    (Field::UsageAmount, "consumed_quantity", "ConsumedQuantity"),
    (
        Field::ProviderName,
        "service_provider_name",
        "ServiceProviderName",
    ),
];

/// Without these a FOCUS table has no cost: their absence is fatal.
pub const FOCUS_REQUIRED: &[Field] = &[
    Field::UsageStartDate,
    Field::UnblendedCost,
    Field::EffectiveCost,
    Field::LineItemType,
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
            Field::EffectiveCost => "EffectiveCost",
            Field::ChargeClass => "ChargeClass",
            Field::ProviderName => "ProviderName",
            Field::BillingCurrency => "BillingCurrency",
            Field::SubAccountName => "SubAccountName",
        }
    }

    /// The name a user of a `focus` table knows the field by (`BilledCost`), or its CUR name.
    pub fn name_in(self, focus: bool) -> &'static str {
        if focus && let Some((_, _, name)) = FOCUS_ALIASES.iter().find(|(f, _, _)| *f == self) {
            return name;
        }
        self.legacy_name()
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
                | Field::EffectiveCost
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

/// The field a normalized column name stands for (CUR names and [`FOCUS_ALIASES`]).
pub fn field_of(normalized: &str) -> Option<Field> {
    column_of(normalized).map(|c| c.field)
}

/// What a normalized column name means: its field, whether the name is FOCUS's, and its rank
/// among the names of that field (0 = CUR's own name; a lower rank wins when a table has two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnName {
    pub field: Field,
    pub focus: bool,
    pub rank: usize,
}

/// The [`ColumnName`] of a normalized column name.
pub fn column_of(normalized: &str) -> Option<ColumnName> {
    if let Some((field, _)) = FIELDS.iter().find(|(_, n)| *n == normalized) {
        // The FOCUS-only fields have no CUR twin: their own names are FOCUS's.
        let focus = field.index() >= Field::EffectiveCost.index();
        return Some(ColumnName {
            field: *field,
            focus,
            rank: 0,
        });
    }
    FOCUS_ALIASES
        .iter()
        .position(|(_, n, _)| *n == normalized)
        .map(|i| ColumnName {
            field: FOCUS_ALIASES[i].0,
            focus: true,
            rank: 1 + i,
        })
}

/// The tag id of a column: `resourceTags/user:team` → `user_team` (legacy CSV and Athena
/// flat tag columns). `None` for other columns, and for CUR 2.0's `resource_tags` map itself.
pub fn tag_of_column(normalized: &str) -> Option<&str> {
    normalized
        .strip_prefix("resource_tags_")
        .filter(|t| !t.is_empty())
}

/// A key a profile can write for tag id `id` (`user_stage` → `user:stage`, which [`tag_id`]
/// maps back to `id`); an id in column form (`resource_tags_user_stage`) is read as its id.
pub fn key_of_tag_id(id: &str) -> String {
    let id = id.strip_prefix("resource_tags_").unwrap_or(id);
    for (prefix, scope) in [("user_", "user"), ("aws_", "aws")] {
        if let Some(rest) = id.strip_prefix(prefix) {
            return format!("{scope}:{rest}");
        }
    }
    id.to_string()
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
    fn keys_written_for_tag_ids_map_back_to_them() {
        for id in [
            "user_stage",
            "user_environment",
            "aws_created_by",
            "cost_center",
        ] {
            let key = key_of_tag_id(id);
            assert_eq!(
                tag_id(&key),
                if id == "cost_center" {
                    "user_cost_center"
                } else {
                    id
                }
            );
        }
        assert_eq!(key_of_tag_id("resource_tags_user_stage"), "user:stage");
    }

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
    fn focus_names_are_aliases_of_the_cur_fields() {
        let billed = column_of(&normalize("BilledCost")).unwrap();
        assert_eq!(billed.field, Field::UnblendedCost);
        assert!(billed.focus);
        let cur = column_of("line_item_unblended_cost").unwrap();
        assert_eq!((cur.focus, cur.rank), (false, 0));
        let sku = column_of(&normalize("SkuMeter")).unwrap();
        let x = column_of(&normalize("x_UsageType")).unwrap();
        assert_eq!((sku.field, x.field), (Field::UsageType, Field::UsageType));
        assert!(sku.rank < x.rank);
        assert!(column_of("effective_cost").unwrap().focus);
        assert_eq!(Field::UnblendedCost.name_in(true), "BilledCost");
        assert_eq!(Field::EffectiveCost.name_in(true), "EffectiveCost");
        assert_eq!(
            Field::UnblendedCost.name_in(false),
            "lineItem/UnblendedCost"
        );
        for (_, n, name) in FOCUS_ALIASES {
            assert_eq!(normalize(name), *n);
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
