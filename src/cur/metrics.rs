//! The four cost metrics of a line item: unblended, amortized (AWS's canonical CASE on the line
//! item type, CUR.md §4), net amortized and on-demand. One function computes them all.

use std::fmt;
use std::ops::{Add, AddAssign, Index, IndexMut, Neg, Sub, SubAssign};
use std::str::FromStr;

use super::columns::Field;
use super::line_item::{ColumnSet, LineItem, item_type};
use super::money::Money;

/// A way of pricing the bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// What each line item charged before commitments are spread.
    Unblended = 0,
    /// Reservations and savings plans spread over the usage they cover (Cost Explorer's view).
    Amortized = 1,
    /// Amortized after negotiated discounts (EDP, PPA), when the report has net columns.
    Net = 2,
    /// At public on-demand (list) prices.
    OnDemand = 3,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Unblended,
        Metric::Amortized,
        Metric::Net,
        Metric::OnDemand,
    ];

    /// The name used on the command line and in output.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Unblended => "unblended",
            Metric::Amortized => "amortized",
            Metric::Net => "net",
            Metric::OnDemand => "on-demand",
        }
    }

    /// The next metric in [`Metric::ALL`], wrapping.
    pub fn next(self) -> Metric {
        Metric::ALL[(self as usize + 1) % Metric::ALL.len()]
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "unblended" => Ok(Metric::Unblended),
            "amortized" | "amortised" => Ok(Metric::Amortized),
            "net" | "net-amortized" => Ok(Metric::Net),
            "on-demand" | "ondemand" | "list" => Ok(Metric::OnDemand),
            other => Err(format!(
                "unknown metric `{other}`; expected one of amortized, unblended, net, on-demand"
            )),
        }
    }
}

/// One amount per metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Costs(pub [Money; 4]);

impl Costs {
    pub const ZERO: Costs = Costs([Money::ZERO; 4]);

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|m| m.0 == 0)
    }
}

impl Index<Metric> for Costs {
    type Output = Money;
    fn index(&self, m: Metric) -> &Money {
        &self.0[m as usize]
    }
}

impl IndexMut<Metric> for Costs {
    fn index_mut(&mut self, m: Metric) -> &mut Money {
        &mut self.0[m as usize]
    }
}

impl Costs {
    /// `self += rhs`, saying whether every metric's sum fits (`false`: one wrapped, and the
    /// sum is meaningless). What the readers sum with: an overflow must become an error,
    /// never a wrapped total.
    #[must_use]
    pub fn add_checked(&mut self, rhs: Costs) -> bool {
        let mut overflow = false;
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            let (sum, o) = a.0.overflowing_add(b.0);
            a.0 = sum;
            overflow |= o;
        }
        !overflow
    }
}

impl Add for Costs {
    type Output = Costs;
    fn add(mut self, rhs: Costs) -> Costs {
        self += rhs;
        self
    }
}

impl AddAssign for Costs {
    fn add_assign(&mut self, rhs: Costs) {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a += b;
        }
    }
}

impl Sub for Costs {
    type Output = Costs;
    fn sub(mut self, rhs: Costs) -> Costs {
        self -= rhs;
        self
    }
}

impl SubAssign for Costs {
    fn sub_assign(&mut self, rhs: Costs) {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a -= b;
        }
    }
}

impl Neg for Costs {
    type Output = Costs;
    fn neg(self) -> Costs {
        Costs(self.0.map(|m| -m))
    }
}

/// The amortized CASE, over either the gross or the net columns.
fn amortized_case(li: &LineItem<'_>, net: bool, cols: &ColumnSet) -> Money {
    // A net column missing from the report falls back to its gross twin.
    let pick = |net_field: Field, gross_field: Field| {
        if net && cols.has(net_field) {
            li.money(net_field)
        } else {
            li.money(gross_field)
        }
    };
    match li.line_item_type {
        item_type::SAVINGS_PLAN_COVERED_USAGE => {
            pick(Field::SpNetEffectiveCost, Field::SpEffectiveCost)
        }
        item_type::SAVINGS_PLAN_RECURRING_FEE => {
            li.money(Field::SpTotalCommitment) - li.money(Field::SpUsedCommitment)
        }
        item_type::SAVINGS_PLAN_NEGATION | item_type::SAVINGS_PLAN_UPFRONT_FEE => Money::ZERO,
        item_type::DISCOUNTED_USAGE => pick(Field::RiNetEffectiveCost, Field::RiEffectiveCost),
        item_type::RI_FEE => {
            pick(
                Field::RiNetUnusedAmortizedUpfront,
                Field::RiUnusedAmortizedUpfront,
            ) + pick(Field::RiNetUnusedRecurring, Field::RiUnusedRecurring)
        }
        item_type::FEE if !li.reservation_arn.is_empty() => Money::ZERO,
        _ => {
            if net {
                li.amount(Field::NetUnblendedCost)
                    .unwrap_or(li.money(Field::UnblendedCost))
            } else {
                li.money(Field::UnblendedCost)
            }
        }
    }
}

/// Every column the amortized CASE reads besides unblended cost.
pub const AMORTIZATION_COLUMNS: [Field; 6] = [
    Field::SpEffectiveCost,
    Field::SpTotalCommitment,
    Field::SpUsedCommitment,
    Field::RiEffectiveCost,
    Field::RiUnusedAmortizedUpfront,
    Field::RiUnusedRecurring,
];

/// The line item types whose amortized cost reads columns of their own
/// ([`amortization_columns`]).
pub const AMORTIZED_LINE_ITEM_TYPES: [&str; 4] = [
    item_type::SAVINGS_PLAN_COVERED_USAGE,
    item_type::SAVINGS_PLAN_RECURRING_FEE,
    item_type::DISCOUNTED_USAGE,
    item_type::RI_FEE,
];

/// The columns the amortized CASE reads for a line item type (none: it is unblended cost).
/// Without them such a row counts as $0 in amortized and net cost.
pub fn amortization_columns(line_item_type: &str) -> &'static [Field] {
    match line_item_type {
        item_type::SAVINGS_PLAN_COVERED_USAGE => &AMORTIZATION_COLUMNS[..1],
        item_type::SAVINGS_PLAN_RECURRING_FEE => &AMORTIZATION_COLUMNS[1..3],
        item_type::DISCOUNTED_USAGE => &AMORTIZATION_COLUMNS[3..4],
        item_type::RI_FEE => &AMORTIZATION_COLUMNS[4..],
        _ => &[],
    }
}

/// The four metrics of a billed line item (see `docs/allocation.md`).
pub fn line_item_costs(li: &LineItem<'_>, cols: &ColumnSet) -> Costs {
    if cols.has(Field::EffectiveCost) {
        return focus_costs(li);
    }
    let unblended = li.money(Field::UnblendedCost);
    let amortized = amortized_case(li, false, cols);
    let net = if cols.has(Field::NetUnblendedCost) && li.amount(Field::NetUnblendedCost).is_some() {
        amortized_case(li, true, cols)
    } else {
        amortized
    };
    let on_demand = if li.line_item_type == item_type::SAVINGS_PLAN_NEGATION {
        Money::ZERO
    } else {
        li.money(Field::PublicOnDemandCost)
    };
    Costs([unblended, amortized, net, on_demand])
}

/// A FOCUS row's metrics (`docs/focus.md`): FOCUS has already spread commitments, so there is
/// no CASE. `BilledCost` is unblended, `EffectiveCost` amortized and net (FOCUS's effective
/// cost is after negotiated discounts, and no FOCUS version has a separate net column),
/// `ListCost` on-demand.
fn focus_costs(li: &LineItem<'_>) -> Costs {
    let effective = li.money(Field::EffectiveCost);
    Costs([
        li.money(Field::UnblendedCost),
        effective,
        effective,
        li.money(Field::PublicOnDemandCost),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(d: f64) -> Money {
        Money::from_f64(d).unwrap()
    }

    fn all_cols() -> ColumnSet {
        let mut c = ColumnSet::default();
        // Every CUR column: `EffectiveCost` would make the table FOCUS's.
        for (f, _) in crate::cur::columns::FIELDS {
            if *f != Field::EffectiveCost {
                c.insert(*f);
            }
        }
        c
    }

    fn item(kind: &str, unblended: f64) -> LineItem<'_> {
        LineItem::new(0, kind, m(unblended))
    }

    #[test]
    fn metric_names_round_trip() {
        for metric in Metric::ALL {
            assert_eq!(metric.name().parse::<Metric>(), Ok(metric));
        }
        assert!(
            "blended"
                .parse::<Metric>()
                .unwrap_err()
                .contains("expected one of")
        );
        assert_eq!(Metric::OnDemand.next(), Metric::Unblended);
    }

    #[test]
    fn savings_plan_rows_follow_the_case() {
        let cols = all_cols();
        let mut covered = item("SavingsPlanCoveredUsage", 1.0);
        covered.set(Field::SpEffectiveCost, m(0.6));
        covered.set(Field::PublicOnDemandCost, m(1.0));
        assert_eq!(
            line_item_costs(&covered, &cols),
            Costs([m(1.0), m(0.6), m(0.6), m(1.0)])
        );

        let mut negation = item("SavingsPlanNegation", -1.0);
        negation.set(Field::PublicOnDemandCost, m(1.0));
        assert_eq!(
            line_item_costs(&negation, &cols),
            Costs([m(-1.0), m(0.0), m(0.0), m(0.0)])
        );

        let mut fee = item("SavingsPlanRecurringFee", 10.0);
        fee.set(Field::SpTotalCommitment, m(10.0));
        fee.set(Field::SpUsedCommitment, m(7.5));
        assert_eq!(line_item_costs(&fee, &cols)[Metric::Amortized], m(2.5));
        assert_eq!(
            line_item_costs(&item("SavingsPlanUpfrontFee", 99.0), &cols)[Metric::Amortized],
            m(0.0)
        );
    }

    #[test]
    fn reservation_rows_follow_the_case() {
        let cols = all_cols();
        let mut used = item("DiscountedUsage", 0.0);
        used.set(Field::RiEffectiveCost, m(0.3));
        assert_eq!(line_item_costs(&used, &cols)[Metric::Amortized], m(0.3));

        let mut rifee = item("RIFee", 50.0);
        rifee.set(Field::RiUnusedAmortizedUpfront, m(2.0));
        rifee.set(Field::RiUnusedRecurring, m(1.5));
        assert_eq!(line_item_costs(&rifee, &cols)[Metric::Amortized], m(3.5));

        let mut upfront = item("Fee", 1000.0);
        upfront.reservation_arn = "arn:aws:ec2:us-east-1:1:reserved-instances/x";
        assert_eq!(
            line_item_costs(&upfront, &cols),
            Costs([m(1000.0), m(0.0), m(0.0), m(0.0)])
        );
        // A Fee without a reservation (support, marketplace) is kept.
        assert_eq!(
            line_item_costs(&item("Fee", 29.0), &cols)[Metric::Amortized],
            m(29.0)
        );
    }

    #[test]
    fn everything_else_passes_through_unblended() {
        let cols = all_cols();
        for kind in [
            "Usage",
            "Tax",
            "Credit",
            "Refund",
            "EdpDiscount",
            "SomethingNew",
        ] {
            assert_eq!(
                line_item_costs(&item(kind, -4.25), &cols)[Metric::Amortized],
                m(-4.25)
            );
        }
    }

    #[test]
    fn net_uses_net_columns_and_falls_back_to_gross() {
        let cols = all_cols();
        let mut usage = item("Usage", 1.0);
        usage.set(Field::NetUnblendedCost, m(0.9));
        assert_eq!(line_item_costs(&usage, &cols)[Metric::Net], m(0.9));
        // Row without a net value: gross.
        assert_eq!(
            line_item_costs(&item("Usage", 1.0), &cols)[Metric::Net],
            m(1.0)
        );
        // Report without the net SP column: the gross SP column is used.
        let cols = ColumnSet::with(&[Field::NetUnblendedCost, Field::SpEffectiveCost]);
        let mut covered = item("SavingsPlanCoveredUsage", 1.0);
        covered.set(Field::NetUnblendedCost, m(0.95));
        covered.set(Field::SpEffectiveCost, m(0.6));
        assert_eq!(line_item_costs(&covered, &cols)[Metric::Net], m(0.6));
        // Report without any net column: net = amortized.
        let cols = ColumnSet::with(&[Field::SpEffectiveCost]);
        assert_eq!(line_item_costs(&covered, &cols)[Metric::Net], m(0.6));
    }

    #[test]
    fn focus_rows_take_their_costs_as_given() {
        let cols = ColumnSet::with(&[
            Field::UnblendedCost,
            Field::EffectiveCost,
            Field::PublicOnDemandCost,
        ]);
        // Commitment-covered usage: nothing billed, its amortized share effective.
        let mut covered = item("Usage", 0.0);
        covered.set(Field::EffectiveCost, m(0.6));
        covered.set(Field::PublicOnDemandCost, m(1.0));
        assert_eq!(
            line_item_costs(&covered, &cols),
            Costs([m(0.0), m(0.6), m(0.6), m(1.0)])
        );
        // The commitment's purchase: billed, spread away.
        let purchase = item("Purchase", 10.0);
        assert_eq!(
            line_item_costs(&purchase, &cols),
            Costs([m(10.0), m(0.0), m(0.0), m(0.0)])
        );
    }

    #[test]
    fn costs_add_and_subtract_per_metric() {
        let a = Costs([m(1.0), m(2.0), m(3.0), m(4.0)]);
        assert_eq!(a + a - a, a);
        assert_eq!(-a + a, Costs::ZERO);
        assert!(Costs::ZERO.is_zero());
    }
}
