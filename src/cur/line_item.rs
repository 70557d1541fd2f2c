//! One CUR line item as the readers hand it over: borrowed text fields, parsed amounts, and
//! the values of the tags the profile asked for. Format-independent.

use super::columns::{FIELD_COUNT, Field};
use super::money::Money;
use super::time::Day;

/// Which fields a report has (its schema, as far as curtop cares).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ColumnSet {
    present: [bool; FIELD_COUNT],
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
