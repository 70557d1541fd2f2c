//! One CUR line item as the readers hand it over: borrowed text fields, parsed amounts, and
//! the values of the tags the profile asked for. Format-independent. Also the line-item
//! literals the rules test (line item types, operations, product codes): the Rust rules in
//! [`crate::cur::metrics`] and [`crate::cur::attribution`] and the Athena SQL
//! (`source::athena::sql`) read them from here, so the two cannot drift apart.

use super::columns::{FIELD_COUNT, Field};
use super::money::Money;
use super::time::Day;

/// The `lineItem/LineItemType` values a cost rule names (CUR.md §1.2, [`crate::cur::metrics`]).
pub mod item_type {
    /// Usage at the public or negotiated rate.
    pub const USAGE: &str = "Usage";
    /// Usage a savings plan covers: priced at its savings plan effective cost.
    pub const SAVINGS_PLAN_COVERED_USAGE: &str = "SavingsPlanCoveredUsage";
    /// A savings plan's recurring fee: amortized, only its unused commitment remains.
    pub const SAVINGS_PLAN_RECURRING_FEE: &str = "SavingsPlanRecurringFee";
    /// The negation of covered usage's on-demand cost: nothing once amortized.
    pub const SAVINGS_PLAN_NEGATION: &str = "SavingsPlanNegation";
    /// A savings plan's upfront fee: amortized into the usage it covers.
    pub const SAVINGS_PLAN_UPFRONT_FEE: &str = "SavingsPlanUpfrontFee";
    /// Usage a reservation covers: priced at its reservation effective cost.
    pub const DISCOUNTED_USAGE: &str = "DiscountedUsage";
    /// A reservation's recurring fee: amortized, only its unused part remains.
    pub const RI_FEE: &str = "RIFee";
    /// A fee; with a reservation ARN it is a reservation's upfront fee, amortized away.
    pub const FEE: &str = "Fee";

    /// The types whose cost is for a metered quantity (`lineItem/UsageAmount`); every other
    /// type (fees, tax, credits, refunds, discounts, negations) has none.
    pub const METERED: [&str; 3] = [USAGE, DISCOUNTED_USAGE, SAVINGS_PLAN_COVERED_USAGE];
}

/// The `lineItem/Operation` values of split cost allocation rows ([`crate::cur::attribution`]).
pub mod operation {
    /// An EKS pod's split share of its EC2 node.
    pub const EKS_POD_EC2: &str = "EKSPod-EC2";
    /// An ECS task's split share of its EC2 instance: already billed on the instance.
    pub const ECS_TASK_EC2: &str = "ECSTask-EC2";
}

/// The `lineItem/ProductCode` values attribution tests ([`crate::cur::attribution`]), and their
/// FOCUS `ServiceName`s.
pub mod product {
    /// EKS: control planes and directly billed (Fargate) pods.
    pub const AMAZON_EKS: &str = "AmazonEKS";
    /// EC2: instances, which may be cluster nodes.
    pub const AMAZON_EC2: &str = "AmazonEC2";
    /// EKS as an AWS FOCUS export's `ServiceName` says it.
    pub const AMAZON_EKS_NAME: &str = "Amazon Elastic Kubernetes Service";
    /// EC2 as an AWS FOCUS export's `ServiceName` says it.
    pub const AMAZON_EC2_NAME: &str = "Amazon Elastic Compute Cloud";

    /// Whether a product (CUR product code or FOCUS service name) is EKS.
    pub fn is_eks(product: &str) -> bool {
        product == AMAZON_EKS || product == AMAZON_EKS_NAME
    }

    /// Whether a product (CUR product code or FOCUS service name) is EC2.
    pub fn is_ec2(product: &str) -> bool {
        product == AMAZON_EC2 || product == AMAZON_EC2_NAME
    }
}

/// How an EC2 instance's `lineItem/ResourceId` starts (`i-0abc…`): such rows may be nodes.
pub const INSTANCE_ID_PREFIX: &str = "i-";

/// The provider of every CUR line item (FOCUS's `ProviderName` for AWS).
pub const AWS_PROVIDER: &str = "AWS";

/// FOCUS's `ChargeClass` of a row that corrects an earlier one.
pub const CORRECTION: &str = "Correction";

/// Which fields a report has (its schema, as far as curtop cares).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSet {
    present: [bool; FIELD_COUNT],
}

impl Default for ColumnSet {
    fn default() -> Self {
        Self {
            present: [false; FIELD_COUNT],
        }
    }
}

impl ColumnSet {
    pub fn with(fields: &[Field]) -> Self {
        let mut s = Self::default();
        for f in fields {
            s.insert(*f);
        }
        s
    }

    pub fn insert(&mut self, field: Field) {
        self.present[field.index()] = true;
    }

    pub fn has(&self, field: Field) -> bool {
        self.present[field.index()]
    }

    /// Union (parts of one delivery may differ).
    pub fn union(&mut self, other: &ColumnSet) {
        for (a, b) in self.present.iter_mut().zip(other.present) {
            *a |= b;
        }
    }
}

/// A line item. Text fields are empty when the column is absent or the cell empty.
#[derive(Debug, Clone, Copy)]
pub struct LineItem<'a> {
    pub day: Day,
    pub line_item_type: &'a str,
    pub account: &'a str,
    pub product_code: &'a str,
    pub usage_type: &'a str,
    pub operation: &'a str,
    pub resource_id: &'a str,
    pub description: &'a str,
    pub reservation_arn: &'a str,
    pub split_parent: &'a str,
    /// FOCUS `ProviderName`; CUR readers say `AWS` ([`AWS_PROVIDER`]).
    pub provider: &'a str,
    /// FOCUS `BillingCurrency` (empty for CUR, whose amounts are all in one currency).
    pub currency: &'a str,
    /// FOCUS `ChargeClass` (`Correction` or empty).
    pub charge_class: &'a str,
    /// FOCUS `SubAccountName`, the account's display name (empty for CUR).
    pub account_name: &'a str,
    /// Money fields by [`Field::index`]; `None` when absent or empty.
    pub amounts: [Option<Money>; FIELD_COUNT],
    /// Values of the wanted tags, aligned with [`crate::cur::attribution::TagPlan::ids`]; empty
    /// string when the row has no value.
    pub tags: &'a [&'a str],
}

impl<'a> LineItem<'a> {
    /// A line item with only the required fields set (tests, generators).
    pub fn new(day: Day, line_item_type: &'a str, unblended: Money) -> Self {
        let mut amounts = [None; FIELD_COUNT];
        amounts[Field::UnblendedCost.index()] = Some(unblended);
        Self {
            day,
            line_item_type,
            account: "",
            product_code: "",
            usage_type: "",
            operation: "",
            resource_id: "",
            description: "",
            reservation_arn: "",
            split_parent: "",
            provider: "",
            currency: "",
            charge_class: "",
            account_name: "",
            amounts,
            tags: &[],
        }
    }

    /// An amount, `None` when absent or empty.
    pub fn amount(&self, field: Field) -> Option<Money> {
        self.amounts[field.index()]
    }

    /// An amount, 0 when absent or empty.
    pub fn money(&self, field: Field) -> Money {
        self.amounts[field.index()].unwrap_or(Money::ZERO)
    }

    pub fn set(&mut self, field: Field, value: Money) {
        self.amounts[field.index()] = Some(value);
    }
}
