//! Stage 1, `line_items`: the columns curtop reads from the table (absent ones as `''` or 0),
//! the wanted tags as `tag_N`, and the four metrics of every line item.

use std::fmt::Write as _;

use super::builder::Builder;
use super::{ident, literal};
use crate::cur::columns::Field;
use crate::cur::line_item::item_type;

impl Builder<'_, '_> {
    /// The `line_items` CTE: one row per line item of the window, its texts, tags, metrics
    /// ([`Self::metric_columns`]) and split costs ([`Self::split_columns`]).
    pub(super) fn line_items(&self, s: &mut String) {
        let ts = ident(Field::UsageStartDate.column_name());
        let mut li = vec![
            format!("CAST(CAST({ts} AS DATE) AS VARCHAR) AS day"),
            format!("CASE WHEN hour({ts}) <> 0 THEN 1 ELSE 0 END AS sub_daily"),
            format!("{} AS line_item_type", self.text(Field::LineItemType)),
            format!("{} AS operation", self.text(Field::Operation)),
            format!("{} AS service", self.text(Field::ProductCode)),
            format!("{} AS account", self.text(Field::UsageAccountId)),
            format!("{} AS usage_type", self.text(Field::UsageType)),
            format!("{} AS resource", self.text(Field::ResourceId)),
            format!(
                "{} AS split_parent",
                self.text(Field::SplitParentResourceId)
            ),
        ];
        for (i, id) in self.q.plan.ids.iter().enumerate() {
            li.push(format!("{} AS tag_{i}", self.tag(id)));
        }
        li.extend(self.metric_columns());
        li.extend(self.quantity_columns());
        li.extend(self.split_columns());
        let _ = write!(
            s,
            "WITH\nline_items AS (\n  SELECT\n    {}\n  FROM {}{}\n),\n",
            li.join(",\n    "),
            self.q.table.sql(),
            self.where_clause()
        );
    }

    /// The four metrics of a billed line item, as [`crate::cur::metrics::line_item_costs`]
    /// computes them: unblended, amortized, net amortized (the net CASE when the row has a net
    /// unblended cost) and on-demand (none for a savings plan negation).
    fn metric_columns(&self) -> [String; 4] {
        let net = if self.has(Field::NetUnblendedCost) {
            format!(
                "CASE WHEN {} IS NULL THEN {} ELSE {} END",
                ident(Field::NetUnblendedCost.column_name()),
                self.amortized_case(false),
                self.amortized_case(true)
            )
        } else {
            self.amortized_case(false)
        };
        [
            format!("{} AS unblended", self.money(Field::UnblendedCost)),
            format!("{} AS amortized", self.amortized_case(false)),
            format!("{net} AS net_amortized"),
            format!(
                "CASE WHEN {} = {} THEN 0E0 ELSE {} END AS on_demand",
                ident(Field::LineItemType.column_name()),
                literal(item_type::SAVINGS_PLAN_NEGATION),
                self.money(Field::PublicOnDemandCost)
            ),
        ]
    }

    /// AWS's amortized CASE over the gross or the net columns, the SQL twin of the amortized
    /// rule in [`crate::cur::metrics`] (a net column the table lacks falls back to its gross
    /// twin there too).
    fn amortized_case(&self, net: bool) -> String {
        let pick = |net_field: Field, gross_field: Field| {
            if net && self.has(net_field) {
                self.money(net_field)
            } else {
                self.money(gross_field)
            }
        };
        let default = if net && self.has(Field::NetUnblendedCost) {
            format!(
                "COALESCE({}, {})",
                ident(Field::NetUnblendedCost.column_name()),
                self.money(Field::UnblendedCost)
            )
        } else {
            self.money(Field::UnblendedCost)
        };
        let t = ident(Field::LineItemType.column_name());
        format!(
            "CASE\n      \
             WHEN {t} = {covered} THEN {sp}\n      \
             WHEN {t} = {sp_recurring} THEN {total} - {used}\n      \
             WHEN {t} IN ({negation}, {sp_upfront}) THEN 0E0\n      \
             WHEN {t} = {discounted} THEN {ri}\n      \
             WHEN {t} = {ri_fee} THEN {upfront} + {recurring}\n      \
             WHEN {t} = {fee} AND {arn} <> '' THEN 0E0\n      \
             ELSE {default}\n    END",
            covered = literal(item_type::SAVINGS_PLAN_COVERED_USAGE),
            sp_recurring = literal(item_type::SAVINGS_PLAN_RECURRING_FEE),
            negation = literal(item_type::SAVINGS_PLAN_NEGATION),
            sp_upfront = literal(item_type::SAVINGS_PLAN_UPFRONT_FEE),
            discounted = literal(item_type::DISCOUNTED_USAGE),
            ri_fee = literal(item_type::RI_FEE),
            fee = literal(item_type::FEE),
            sp = pick(Field::SpNetEffectiveCost, Field::SpEffectiveCost),
            total = self.money(Field::SpTotalCommitment),
            used = self.money(Field::SpUsedCommitment),
            ri = pick(Field::RiNetEffectiveCost, Field::RiEffectiveCost),
            upfront = pick(
                Field::RiNetUnusedAmortizedUpfront,
                Field::RiUnusedAmortizedUpfront
            ),
            recurring = pick(Field::RiNetUnusedRecurring, Field::RiUnusedRecurring),
            arn = self.text(Field::ReservationArn),
        )
    }

    /// What the line item is priced by and its quantity, as `facts::basis_of` and the cost
    /// function read them: `usage` with `lineItem/UsageAmount` for a metered type, else
    /// `other` with none; and the split usage a pod row's quantity is.
    fn quantity_columns(&self) -> [String; 3] {
        let metered: Vec<String> = item_type::METERED.iter().map(|t| literal(t)).collect();
        let is_metered = format!(
            "{} IN ({})",
            ident(Field::LineItemType.column_name()),
            metered.join(", ")
        );
        [
            format!("CASE WHEN {is_metered} THEN 'usage' ELSE 'other' END AS basis"),
            format!(
                "CASE WHEN {is_metered} THEN {} ELSE 0E0 END AS quantity",
                self.money(Field::UsageAmount)
            ),
            format!("{} AS split_usage", self.money(Field::SplitUsage)),
        ]
    }

    /// An EKS pod row's split cost and its net and on-demand twins, each falling back to the
    /// split cost when its column is absent or null, as [`crate::facts::Aggregator::add`] reads
    /// a pod split row.
    fn split_columns(&self) -> Vec<String> {
        let split = self.money(Field::SplitCost);
        let mut cols = vec![format!("{split} AS split_cost")];
        for (f, name) in [
            (Field::SplitNetSplitCost, "split_net"),
            (Field::SplitPublicOnDemandSplitCost, "split_on_demand"),
        ] {
            if self.has(f) {
                cols.push(format!(
                    "COALESCE({}, {split}) AS {name}",
                    ident(f.column_name())
                ));
            } else {
                cols.push(format!("{split} AS {name}"));
            }
        }
        cols
    }
}
