//! The columns of the legacy report ([`Column`]): what each holds ([`Field`]), how Parquet
//! types it ([`Kind`]), their order for a model's flags ([`columns`]), the padding columns of
//! `wide` reports, and AWS's rule for their Athena names.

use crate::demo::model::Model;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    LineItemId,
    TimeInterval,
    InvoiceId,
    InvoicingEntity,
    BillingEntity,
    BillType,
    PayerAccountId,
    PayerAccountName,
    BillingPeriodStart,
    BillingPeriodEnd,
    UsageAccountId,
    UsageAccountName,
    LineItemType,
    UsageStart,
    UsageEnd,
    ProductCode,
    UsageType,
    Operation,
    AvailabilityZone,
    ResourceId,
    UsageAmount,
    CurrencyCode,
    UnblendedRate,
    UnblendedCost,
    BlendedRate,
    BlendedCost,
    NetUnblendedCost,
    Description,
    ProductName,
    ProductFamily,
    InstanceType,
    Region,
    RegionCode,
    ServiceCode,
    Vcpu,
    Memory,
    Sku,
    PublicOnDemandCost,
    PublicOnDemandRate,
    Term,
    Unit,
    ReservationArn,
    RiEffectiveCost,
    RiNetEffectiveCost,
    RiUnusedAmortizedUpfront,
    RiNetUnusedAmortizedUpfront,
    RiUnusedRecurring,
    RiNetUnusedRecurring,
    RiAmortizedUpfront,
    SpArn,
    SpEffectiveCost,
    SpNetEffectiveCost,
    SpTotalCommitment,
    SpUsedCommitment,
    SpRate,
    SplitParent,
    SplitReservedUsage,
    SplitSplitUsage,
    SplitUsageRatio,
    SplitCost,
    SplitUnusedCost,
    SplitNetSplitCost,
    SplitNetUnusedCost,
    SplitOdSplitCost,
    SplitOdUnusedCost,
    /// A tag column: index into `Model::tag_keys`.
    Tag(u8),
    /// A padding column (`wide` reports): index into [`PAD_COLUMNS`].
    Pad(u8),
}

/// How a column's cells are typed in Parquet (CSV writes all as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Fixed-point 1e-9 amount or quantity (Parquet `double`).
    Number,
    /// Unix seconds (Parquet `timestamp[ms]`).
    Time,
}

/// A column of the legacy report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub category: &'static str,
    pub name: String,
    pub field: Field,
    pub kind: Kind,
}

impl Column {
    fn new(category: &'static str, name: &str, field: Field, kind: Kind) -> Self {
        Self {
            category,
            name: name.to_string(),
            field,
            kind,
        }
    }

    /// The legacy CSV header, `category/Name`.
    pub fn csv_name(&self) -> String {
        format!("{}/{}", self.category, self.name)
    }

    /// The Athena / Parquet / CUR 2.0 name (CUR.md §1.3).
    pub fn athena_name(&self) -> String {
        athena_name(&self.csv_name())
    }
}

/// AWS's CSV → Athena column-name rule (CUR.md §1.3): `_` before upper-case letters, lower-case,
/// non-alphanumerics → `_`, runs of `_` collapsed, leading/trailing `_` removed.
pub fn athena_name(csv: &str) -> String {
    let mut out = String::with_capacity(csv.len() + 8);
    for c in csv.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if c == '_' && (collapsed.is_empty() || collapsed.ends_with('_')) {
            continue;
        }
        collapsed.push(c);
    }
    while collapsed.ends_with('_') {
        collapsed.pop();
    }
    collapsed
}

/// Padding columns of `wide` reports: real legacy CUR columns curtop does not read.
pub const PAD_COLUMNS: &[(&str, &str, Kind)] = &[
    ("lineItem", "NormalizationFactor", Kind::Number),
    ("lineItem", "NormalizedUsageAmount", Kind::Number),
    ("lineItem", "TaxType", Kind::Text),
    ("lineItem", "LegalEntity", Kind::Text),
    ("product", "availability", Kind::Text),
    ("product", "capacitystatus", Kind::Text),
    ("product", "clockSpeed", Kind::Text),
    ("product", "currentGeneration", Kind::Text),
    ("product", "dedicatedEbsThroughput", Kind::Text),
    ("product", "durability", Kind::Text),
    ("product", "ecu", Kind::Text),
    ("product", "enhancedNetworkingSupported", Kind::Text),
    ("product", "eventType", Kind::Text),
    ("product", "feeCode", Kind::Text),
    ("product", "fromLocation", Kind::Text),
    ("product", "fromLocationType", Kind::Text),
    ("product", "fromRegionCode", Kind::Text),
    ("product", "group", Kind::Text),
    ("product", "groupDescription", Kind::Text),
    ("product", "instanceFamily", Kind::Text),
    ("product", "intelAvxAvailable", Kind::Text),
    ("product", "licenseModel", Kind::Text),
    ("product", "location", Kind::Text),
    ("product", "locationType", Kind::Text),
    ("product", "marketoption", Kind::Text),
    ("product", "networkPerformance", Kind::Text),
    ("product", "normalizationSizeFactor", Kind::Text),
    ("product", "operatingSystem", Kind::Text),
    ("product", "operation", Kind::Text),
    ("product", "physicalProcessor", Kind::Text),
    ("product", "preInstalledSw", Kind::Text),
    ("product", "processorArchitecture", Kind::Text),
    ("product", "processorFeatures", Kind::Text),
    ("product", "servicename", Kind::Text),
    ("product", "storage", Kind::Text),
    ("product", "storageClass", Kind::Text),
    ("product", "storageMedia", Kind::Text),
    ("product", "tenancy", Kind::Text),
    ("product", "toLocation", Kind::Text),
    ("product", "toLocationType", Kind::Text),
    ("product", "toRegionCode", Kind::Text),
    ("product", "transferType", Kind::Text),
    ("product", "usagetype", Kind::Text),
    ("product", "version", Kind::Text),
    ("product", "vpcnetworkingsupport", Kind::Text),
    ("product", "volumeApiName", Kind::Text),
    ("product", "volumeType", Kind::Text),
    ("pricing", "LeaseContractLength", Kind::Text),
    ("pricing", "OfferingClass", Kind::Text),
    ("pricing", "PurchaseOption", Kind::Text),
    ("pricing", "RateCode", Kind::Text),
    ("pricing", "RateId", Kind::Text),
    ("pricing", "currency", Kind::Text),
    ("reservation", "AmortizedUpfrontCostForUsage", Kind::Number),
    ("reservation", "AvailabilityZone", Kind::Text),
    ("reservation", "EndTime", Kind::Text),
    ("reservation", "ModificationStatus", Kind::Text),
    ("reservation", "NormalizedUnitsPerReservation", Kind::Text),
    ("reservation", "NumberOfReservations", Kind::Text),
    ("reservation", "RecurringFeeForUsage", Kind::Number),
    ("reservation", "StartTime", Kind::Text),
    ("reservation", "SubscriptionId", Kind::Text),
    ("reservation", "TotalReservedNormalizedUnits", Kind::Text),
    ("reservation", "TotalReservedUnits", Kind::Text),
    ("reservation", "UnitsPerReservation", Kind::Text),
    ("reservation", "UnusedNormalizedUnitQuantity", Kind::Number),
    ("reservation", "UnusedQuantity", Kind::Number),
    ("reservation", "UpfrontValue", Kind::Number),
    (
        "savingsPlan",
        "AmortizedUpfrontCommitmentForBillingPeriod",
        Kind::Number,
    ),
    ("savingsPlan", "EndTime", Kind::Text),
    ("savingsPlan", "InstanceTypeFamily", Kind::Text),
    ("savingsPlan", "OfferingType", Kind::Text),
    ("savingsPlan", "PaymentOption", Kind::Text),
    ("savingsPlan", "PurchaseTerm", Kind::Text),
    (
        "savingsPlan",
        "RecurringCommitmentForBillingPeriod",
        Kind::Number,
    ),
    ("savingsPlan", "Region", Kind::Text),
    ("savingsPlan", "StartTime", Kind::Text),
    ("splitLineItem", "ActualUsage", Kind::Number),
];

/// The report's columns, in file order, for a model and its flags.
#[expect(
    clippy::too_many_lines,
    reason = "the report header in file order: one list, each optional group where it falls"
)]
pub fn columns(model: &Model) -> Vec<Column> {
    use Field as F;
    use Kind::{Number as N, Text as T, Time as D};
    let mut c = vec![
        Column::new("identity", "LineItemId", F::LineItemId, T),
        Column::new("identity", "TimeInterval", F::TimeInterval, T),
        Column::new("bill", "InvoiceId", F::InvoiceId, T),
        Column::new("bill", "InvoicingEntity", F::InvoicingEntity, T),
        Column::new("bill", "BillingEntity", F::BillingEntity, T),
        Column::new("bill", "BillType", F::BillType, T),
        Column::new("bill", "PayerAccountId", F::PayerAccountId, T),
        Column::new("bill", "BillingPeriodStartDate", F::BillingPeriodStart, D),
        Column::new("bill", "BillingPeriodEndDate", F::BillingPeriodEnd, D),
        Column::new("lineItem", "UsageAccountId", F::UsageAccountId, T),
        Column::new("lineItem", "LineItemType", F::LineItemType, T),
        Column::new("lineItem", "UsageStartDate", F::UsageStart, D),
        Column::new("lineItem", "UsageEndDate", F::UsageEnd, D),
        Column::new("lineItem", "ProductCode", F::ProductCode, T),
        Column::new("lineItem", "UsageType", F::UsageType, T),
        Column::new("lineItem", "Operation", F::Operation, T),
        Column::new("lineItem", "AvailabilityZone", F::AvailabilityZone, T),
    ];
    if model.with_resource_ids {
        c.push(Column::new("lineItem", "ResourceId", F::ResourceId, T));
    }
    c.extend([
        Column::new("lineItem", "UsageAmount", F::UsageAmount, N),
        Column::new("lineItem", "CurrencyCode", F::CurrencyCode, T),
        Column::new("lineItem", "UnblendedRate", F::UnblendedRate, T),
        Column::new("lineItem", "UnblendedCost", F::UnblendedCost, N),
        Column::new("lineItem", "BlendedRate", F::BlendedRate, T),
        Column::new("lineItem", "BlendedCost", F::BlendedCost, N),
    ]);
    if model.with_net {
        c.push(Column::new(
            "lineItem",
            "NetUnblendedCost",
            F::NetUnblendedCost,
            N,
        ));
    }
    c.extend([
        Column::new("lineItem", "LineItemDescription", F::Description, T),
        Column::new("product", "ProductName", F::ProductName, T),
        Column::new("product", "instanceType", F::InstanceType, T),
        Column::new("product", "memory", F::Memory, T),
        Column::new("product", "productFamily", F::ProductFamily, T),
        Column::new("product", "region", F::Region, T),
        Column::new("product", "regionCode", F::RegionCode, T),
        Column::new("product", "servicecode", F::ServiceCode, T),
        Column::new("product", "sku", F::Sku, T),
        Column::new("product", "vcpu", F::Vcpu, T),
        Column::new("pricing", "publicOnDemandCost", F::PublicOnDemandCost, N),
        Column::new("pricing", "publicOnDemandRate", F::PublicOnDemandRate, T),
        Column::new("pricing", "term", F::Term, T),
        Column::new("pricing", "unit", F::Unit, T),
        Column::new(
            "reservation",
            "AmortizedUpfrontFeeForBillingPeriod",
            F::RiAmortizedUpfront,
            N,
        ),
        Column::new("reservation", "EffectiveCost", F::RiEffectiveCost, N),
        Column::new("reservation", "ReservationARN", F::ReservationArn, T),
        Column::new(
            "reservation",
            "UnusedAmortizedUpfrontFeeForBillingPeriod",
            F::RiUnusedAmortizedUpfront,
            N,
        ),
        Column::new("reservation", "UnusedRecurringFee", F::RiUnusedRecurring, N),
    ]);
    if model.with_net {
        c.extend([
            Column::new("reservation", "NetEffectiveCost", F::RiNetEffectiveCost, N),
            Column::new(
                "reservation",
                "NetUnusedAmortizedUpfrontFeeForBillingPeriod",
                F::RiNetUnusedAmortizedUpfront,
                N,
            ),
            Column::new(
                "reservation",
                "NetUnusedRecurringFee",
                F::RiNetUnusedRecurring,
                N,
            ),
        ]);
    }
    c.extend([
        Column::new("savingsPlan", "SavingsPlanARN", F::SpArn, T),
        Column::new(
            "savingsPlan",
            "SavingsPlanEffectiveCost",
            F::SpEffectiveCost,
            N,
        ),
        Column::new("savingsPlan", "SavingsPlanRate", F::SpRate, T),
        Column::new(
            "savingsPlan",
            "TotalCommitmentToDate",
            F::SpTotalCommitment,
            N,
        ),
        Column::new("savingsPlan", "UsedCommitment", F::SpUsedCommitment, N),
    ]);
    if model.with_net {
        c.push(Column::new(
            "savingsPlan",
            "NetSavingsPlanEffectiveCost",
            F::SpNetEffectiveCost,
            N,
        ));
    }
    if model.with_resource_ids {
        c.extend([
            Column::new("splitLineItem", "ParentResourceId", F::SplitParent, T),
            Column::new(
                "splitLineItem",
                "PublicOnDemandSplitCost",
                F::SplitOdSplitCost,
                N,
            ),
            Column::new(
                "splitLineItem",
                "PublicOnDemandUnusedCost",
                F::SplitOdUnusedCost,
                N,
            ),
            Column::new("splitLineItem", "ReservedUsage", F::SplitReservedUsage, N),
            Column::new("splitLineItem", "SplitCost", F::SplitCost, N),
            Column::new("splitLineItem", "SplitUsage", F::SplitSplitUsage, N),
            Column::new("splitLineItem", "SplitUsageRatio", F::SplitUsageRatio, N),
            Column::new("splitLineItem", "UnusedCost", F::SplitUnusedCost, N),
        ]);
        if model.with_net {
            c.extend([
                Column::new("splitLineItem", "NetSplitCost", F::SplitNetSplitCost, N),
                Column::new("splitLineItem", "NetUnusedCost", F::SplitNetUnusedCost, N),
            ]);
        }
    }
    if model.wide {
        for (i, (cat, name, kind)) in PAD_COLUMNS.iter().enumerate() {
            c.push(Column::new(cat, name, F::Pad(i as u8), *kind));
        }
    }
    for (i, key) in model.tag_keys.iter().enumerate() {
        c.push(Column {
            category: "resourceTags",
            name: key.clone(),
            field: F::Tag(i as u8),
            kind: T,
        });
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn athena_names_follow_the_documented_rule() {
        assert_eq!(
            athena_name("lineItem/UsageStartDate"),
            "line_item_usage_start_date"
        );
        assert_eq!(
            athena_name("reservation/ReservationARN"),
            "reservation_reservation_a_r_n"
        );
        assert_eq!(
            athena_name("resourceTags/user:app.kubernetes.io/name"),
            "resource_tags_user_app_kubernetes_io_name"
        );
        assert_eq!(
            athena_name("resourceTags/user:Environment"),
            "resource_tags_user_environment"
        );
        assert_eq!(
            athena_name("resourceTags/aws:eks:cluster-name"),
            "resource_tags_aws_eks_cluster_name"
        );
        assert_eq!(
            athena_name("savingsPlan/SavingsPlanARN"),
            "savings_plan_savings_plan_a_r_n"
        );
    }
}
