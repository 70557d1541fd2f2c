//! Athena results as the tests queue them on moto: the schema query's rows for a CUR table
//! and the facts query's rows for given facts.

use curtop::cur::money::Money;
use curtop::facts::{Dim, Facts};
use serde_json::Value;

use super::moto::result;

/// The columns of the CUR table the tests' schema query lists.
pub const COLUMNS: &[&str] = &[
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_unblended_cost",
    "line_item_usage_account_id",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_resource_id",
    "pricing_public_on_demand_cost",
    "split_line_item_parent_resource_id",
    "split_line_item_split_cost",
    "resource_tags_aws_eks_cluster_name",
    "resource_tags_user_kubernetes_namespace",
    "year",
    "month",
];

/// The schema query's result for `table` (and `cost_and_usage_data_status` when asked).
pub fn schema_result(table: &str, with_status_table: bool) -> Value {
    let mut rows: Vec<Vec<Option<String>>> = COLUMNS
        .iter()
        .map(|c| {
            vec![
                Some(table.to_string()),
                Some((*c).to_string()),
                Some("varchar".into()),
            ]
        })
        .collect();
    if with_status_table {
        rows.push(vec![
            Some("cost_and_usage_data_status".into()),
            Some("status".into()),
            Some("varchar".into()),
        ]);
    }
    result(&["table_name", "column_name", "data_type"], &rows)
}

/// The facts query's rows for `facts`, as Athena would return them.
pub fn facts_rows(facts: &Facts) -> Vec<Vec<Option<String>>> {
    facts
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                Some(curtop::cur::time::date_of(r.day).to_string()),
                Some(r.category.name().to_string()),
                Some(r.basis.name().to_string()),
            ];
            // Every dimension but the provider: an Athena CUR table is AWS's.
            for d in 0..Dim::Provider as usize {
                row.push(Some(facts.strings.get(r.dims[d]).to_string()));
            }
            for m in r.costs.0 {
                row.push(Some(m.to_decimal_string()));
            }
            row.push(Some(Money(r.quantity.0).to_decimal_string()));
            row.push(Some("1".into()));
            row.push(Some("0".into()));
            row
        })
        .collect()
}
