//! One generated line item ([`Row`]), the columns it is written under ([`Column`]) and how
//! amounts are written (fixed-point nano-dollars, never through floating point in CSV).

use std::fmt::Write as _;

use super::model::{Model, Product};

/// Nano-units per unit: every amount and quantity of the generator is an `i64` of 1e-9 units.
pub const NANO: i64 = 1_000_000_000;

/// Whom a row's cost belongs to, as the generator's model knows it (the truth reads this,
/// never the written cells).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Alloc {
    /// Tax, credits, commitments, untagged shared services.
    #[default]
    Unallocated,
    /// A row of an EC2 instance that is a cluster node (`node` indexes `Model::nodes`).
    Node { node: u32 },
    /// An EKS split pod row (overlay) of `Model::pods[pod]` on node `node`.
    PodSplit { node: u32, pod: u32, cpu: bool },
    /// A split row with an empty parent and `SplitCost` 0 (dropped by readers).
    Dropped,
    /// A Fargate pod row (`Model::fargate[pod]`).
    Fargate { pod: u32 },
    /// An EKS control-plane row of `Model::clusters[cluster]`.
    ControlPlane { cluster: u32 },
    /// A row of `Model::externals[ext]` (tagged with Kubernetes tags of some scheme).
    External { ext: u32 },
}

/// The four metrics of a row, as the model priced it: unblended, amortized, net, on-demand.
pub type Metrics = [i64; 4];

/// The split columns of an EKS pod row (named as AWS names them).
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::struct_field_names)]
pub struct Split<'a> {
    pub parent: &'a str,
    pub reserved_usage: i64,
    pub split_usage: i64,
    /// Written on hourly reports only.
    pub ratio: Option<i64>,
    pub split_cost: i64,
    pub unused_cost: i64,
    pub net_split_cost: i64,
    pub net_unused_cost: i64,
    pub od_split_cost: i64,
    pub od_unused_cost: i64,
}

/// Reservation columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reservation<'a> {
    pub arn: &'a str,
    pub effective_cost: Option<i64>,
    pub net_effective_cost: Option<i64>,
    pub unused_amortized_upfront: Option<i64>,
    pub net_unused_amortized_upfront: Option<i64>,
    pub unused_recurring: Option<i64>,
    pub net_unused_recurring: Option<i64>,
    pub amortized_upfront: Option<i64>,
}

/// Savings plan columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct SavingsPlan<'a> {
    pub arn: &'a str,
    pub effective_cost: Option<i64>,
    pub net_effective_cost: Option<i64>,
    pub total_commitment: Option<i64>,
    pub used_commitment: Option<i64>,
    pub rate: Option<i64>,
}

/// One line item. Times are Unix seconds (UTC); amounts and quantities nano-units.
#[derive(Debug, Clone, Copy, Default)]
pub struct Row<'a> {
    /// Days since the window start (the truth's day index).
    pub day: u32,
    /// Unique per row within a delivery (seeds `identity/LineItemId`).
    pub id: u64,
    pub start: i64,
    pub end: i64,
    /// Written with `.000Z` milliseconds.
    pub millis: bool,
    pub period_start: i64,
    pub period_end: i64,
    pub account: &'a str,
    pub line_item_type: &'static str,
    pub product_code: &'static str,
    pub usage_type: &'a str,
    pub operation: &'static str,
    pub az: &'a str,
    pub resource_id: &'a str,
    pub usage_amount: Option<i64>,
    pub rate: Option<i64>,
    pub unblended: i64,
    pub net_unblended: Option<i64>,
    /// Cost cells written in scientific notation (`1.5E-8`).
    pub sci: bool,
    pub description: &'a str,
    pub product: Option<&'a Product>,
    pub on_demand: Option<i64>,
    pub on_demand_rate: Option<i64>,
    pub term: &'static str,
    pub ri: Reservation<'a>,
    pub sp: SavingsPlan<'a>,
    pub split: Option<Split<'a>>,
    /// (index into `Model::tag_keys`, value).
    pub tags: &'a [(u8, &'a str)],
    pub alloc: Alloc,
    pub metrics: Metrics,
}

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

/// A cell's value, borrowed from the row or the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    /// Fixed-point 1e-9.
    Number(i64),
    /// Fixed-point 1e-9 written in scientific notation in CSV.
    Sci(i64),
    Time(i64),
    /// `start/end` of the row (`identity/TimeInterval`).
    Interval(i64, i64),
    /// The row's `identity/LineItemId`.
    Id(u64),
}

fn opt(v: Option<i64>) -> Cell<'static> {
    v.map_or(Cell::Empty, Cell::Number)
}

fn text(s: &str) -> Cell<'_> {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

impl<'a> Row<'a> {
    fn cost(&self, v: i64) -> Cell<'a> {
        if self.sci {
            Cell::Sci(v)
        } else {
            Cell::Number(v)
        }
    }

    /// The cell of `field` in this row.
    pub fn cell(&self, model: &'a Model, field: Field) -> Cell<'a> {
        use Field as F;
        let product = self.product;
        let p = |f: fn(&'a Product) -> &'a str| product.map_or(Cell::Empty, |p| text(f(p)));
        let split = self.split;
        let s = |f: fn(&Split<'a>) -> i64| split.map_or(Cell::Empty, |s| Cell::Number(f(&s)));
        match field {
            F::LineItemId => Cell::Id(self.id),
            F::TimeInterval => Cell::Interval(self.start, self.end),
            F::InvoiceId => Cell::Empty,
            F::InvoicingEntity => Cell::Text("Amazon Web Services, Inc."),
            F::BillingEntity => Cell::Text("AWS"),
            F::BillType => Cell::Text("Anniversary"),
            F::PayerAccountId => Cell::Text(&model.accounts[0].id),
            F::PayerAccountName => Cell::Text(&model.accounts[0].name),
            F::BillingPeriodStart => Cell::Time(self.period_start),
            F::BillingPeriodEnd => Cell::Time(self.period_end),
            F::UsageAccountId => Cell::Text(self.account),
            F::UsageAccountName => Cell::Text(model.account_name(self.account)),
            F::LineItemType => Cell::Text(self.line_item_type),
            F::UsageStart => Cell::Time(self.start),
            F::UsageEnd => Cell::Time(self.end),
            F::ProductCode => Cell::Text(self.product_code),
            F::UsageType => text(self.usage_type),
            F::Operation => text(self.operation),
            F::AvailabilityZone => text(self.az),
            F::ResourceId => text(self.resource_id),
            F::UsageAmount => opt(self.usage_amount),
            F::CurrencyCode => Cell::Text("USD"),
            F::UnblendedRate | F::BlendedRate => opt(self.rate),
            F::UnblendedCost | F::BlendedCost => self.cost(self.unblended),
            F::NetUnblendedCost => self.net_unblended.map_or(Cell::Empty, |v| self.cost(v)),
            F::Description => text(self.description),
            F::ProductName => p(|p| &p.name),
            F::ProductFamily => p(|p| &p.family),
            F::InstanceType => p(|p| &p.instance_type),
            F::Region => p(|p| &p.region_code),
            F::RegionCode => p(|p| &p.region_code),
            F::ServiceCode => p(|p| &p.servicecode),
            F::Vcpu => p(|p| &p.vcpu),
            F::Memory => p(|p| &p.memory),
            F::Sku => p(|p| &p.sku),
            F::PublicOnDemandCost => self.on_demand.map_or(Cell::Empty, |v| self.cost(v)),
            F::PublicOnDemandRate => opt(self.on_demand_rate),
            F::Term => text(self.term),
            F::Unit => p(|p| &p.unit),
            F::ReservationArn => text(self.ri.arn),
            F::RiEffectiveCost => opt(self.ri.effective_cost),
            F::RiNetEffectiveCost => opt(self.ri.net_effective_cost),
            F::RiUnusedAmortizedUpfront => opt(self.ri.unused_amortized_upfront),
            F::RiNetUnusedAmortizedUpfront => opt(self.ri.net_unused_amortized_upfront),
            F::RiUnusedRecurring => opt(self.ri.unused_recurring),
            F::RiNetUnusedRecurring => opt(self.ri.net_unused_recurring),
            F::RiAmortizedUpfront => opt(self.ri.amortized_upfront),
            F::SpArn => text(self.sp.arn),
            F::SpEffectiveCost => opt(self.sp.effective_cost),
            F::SpNetEffectiveCost => opt(self.sp.net_effective_cost),
            F::SpTotalCommitment => opt(self.sp.total_commitment),
            F::SpUsedCommitment => opt(self.sp.used_commitment),
            F::SpRate => opt(self.sp.rate),
            F::SplitParent => split.map_or(Cell::Empty, |s| text(s.parent)),
            F::SplitReservedUsage => s(|s| s.reserved_usage),
            F::SplitSplitUsage => s(|s| s.split_usage),
            F::SplitUsageRatio => split
                .and_then(|s| s.ratio)
                .map_or(Cell::Empty, Cell::Number),
            F::SplitCost => s(|s| s.split_cost),
            F::SplitUnusedCost => s(|s| s.unused_cost),
            F::SplitNetSplitCost => s(|s| s.net_split_cost),
            F::SplitNetUnusedCost => s(|s| s.net_unused_cost),
            F::SplitOdSplitCost => s(|s| s.od_split_cost),
            F::SplitOdUnusedCost => s(|s| s.od_unused_cost),
            F::Tag(k) => self
                .tags
                .iter()
                .find(|(key, _)| *key == k)
                .map_or(Cell::Empty, |(_, v)| text(v)),
            F::Pad(i) => self.pad(usize::from(i)),
        }
    }

    fn pad(&self, i: usize) -> Cell<'a> {
        let (cat, name, _) = PAD_COLUMNS[i];
        match (cat, name) {
            ("lineItem", "NormalizationFactor") => self
                .product
                .filter(|p| p.normalization > 0)
                .map_or(Cell::Empty, |p| Cell::Number(p.normalization * NANO)),
            ("lineItem", "NormalizedUsageAmount") => {
                match (
                    self.product.filter(|p| p.normalization > 0),
                    self.usage_amount,
                ) {
                    (Some(p), Some(u)) => Cell::Number(u.saturating_mul(p.normalization)),
                    _ => Cell::Empty,
                }
            }
            ("lineItem", "TaxType") if self.line_item_type == "Tax" => Cell::Text("Sales Tax"),
            ("lineItem", "LegalEntity") => Cell::Text("Amazon Web Services, Inc."),
            ("product", "usagetype") => text(self.usage_type),
            ("product", "operation") => text(self.operation),
            ("pricing", "currency") if self.rate.is_some() => Cell::Text("USD"),
            ("reservation", "SubscriptionId") => Cell::Text(""),
            _ => match self.product {
                Some(p) => text(p.pad.get(i).map_or("", String::as_str)),
                None => Cell::Empty,
            },
        }
    }
}

/// Appends a fixed-point 1e-9 value as a plain decimal with at most 9 decimals, trailing zeros
/// trimmed (`1.5`, `0.000000015`, `-3`).
pub fn push_fixed(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    let int = a / NANO as u64;
    let mut frac = a % NANO as u64;
    push_u64(out, int);
    if frac != 0 {
        out.push(b'.');
        let mut width = 9;
        while frac.is_multiple_of(10) {
            frac /= 10;
            width -= 1;
        }
        let mut digits = [b'0'; 9];
        let mut f = frac;
        for i in (0..width).rev() {
            digits[i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
        out.extend_from_slice(&digits[..width]);
    }
}

/// Appends a fixed-point 1e-9 value in Java-style scientific notation (`1.5E-8`, `3.0E-9`),
/// exactly representable in nano-units by construction.
pub fn push_sci(out: &mut Vec<u8>, v: i64) {
    if v == 0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    if v < 0 {
        out.push(b'-');
    }
    let mut a = v.unsigned_abs();
    let mut zeros = 0_i32;
    while a.is_multiple_of(10) {
        a /= 10;
        zeros += 1;
    }
    let digits = a.to_string();
    let exp = digits.len() as i32 - 1 + zeros - 9;
    out.push(digits.as_bytes()[0]);
    out.push(b'.');
    if digits.len() > 1 {
        out.extend_from_slice(&digits.as_bytes()[1..]);
    } else {
        out.push(b'0');
    }
    out.push(b'E');
    let mut s = String::new();
    let _ = write!(s, "{exp}");
    out.extend_from_slice(s.as_bytes());
}

/// Appends an unsigned integer in decimal.
pub fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0_u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A fixed-point value as a `String`.
#[cfg(test)]
pub fn fixed_string(v: i64) -> String {
    let mut out = Vec::new();
    push_fixed(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

/// `identity/LineItemId`: 52 characters of base-32, like AWS's.
pub fn push_line_item_id(out: &mut Vec<u8>, id: u64) {
    const B32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut h = 0;
    for i in 0..52_u64 {
        if i % 12 == 0 {
            h = super::rng::hash(&[id, i]);
        }
        out.push(B32[(h & 31) as usize]);
        h >>= 5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: i64) -> String {
        fixed_string(v)
    }

    fn sci(v: i64) -> String {
        let mut out = Vec::new();
        push_sci(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fixed_point_text() {
        assert_eq!(fixed(0), "0");
        assert_eq!(fixed(1_500_000_000), "1.5");
        assert_eq!(fixed(15), "0.000000015");
        assert_eq!(fixed(-3 * NANO), "-3");
        assert_eq!(fixed(-1), "-0.000000001");
        assert_eq!(fixed(123_456_789_012), "123.456789012");
    }

    #[test]
    fn scientific_text_is_exact_in_nanos() {
        assert_eq!(sci(15), "1.5E-8");
        assert_eq!(sci(3), "3.0E-9");
        assert_eq!(sci(-250), "-2.5E-7");
        assert_eq!(sci(NANO), "1.0E0");
        assert_eq!(sci(123_456_789), "1.23456789E-1");
    }

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

    #[test]
    fn line_item_ids_are_52_chars_and_distinct() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        push_line_item_id(&mut a, 1);
        push_line_item_id(&mut b, 2);
        assert_eq!(a.len(), 52);
        assert_ne!(a, b);
    }
}
