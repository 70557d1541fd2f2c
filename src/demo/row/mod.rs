//! One generated line item ([`Row`]) and its cells: what each column of it holds, borrowed from
//! the row or the model. The columns themselves are in `column`, the text of amounts
//! (fixed-point nano-dollars, never through floating point in CSV) in `text`.

mod column;
mod text;

pub use column::{Column, Field, Kind, PAD_COLUMNS, athena_name, columns};
pub use text::{push_fixed, push_line_item_id, push_sci, push_u64};

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
