//! The Athena table's schema, and the one SQL query that turns its line items into facts rows
//! with the same rules as the local reader (`docs/allocation.md`): every line item type, AWS's
//! amortized CASE, EKS pod rows as an overlay whose split cost comes off its node, idle = node −
//! pods (on the node-day's largest row), Kubernetes tags for out-of-cluster resources.
//!
//! Only columns the table has are referenced; identifiers and literals that come from the
//! config (database, table, tag keys, label names) are quoted and escaped.
//!
//! The query is a chain of CTEs, each written by one function that links the Rust rule it
//! mirrors: `schema` knows the table; `builder` the column expressions, the window's partition
//! pruning and the order of the stages; `line_items` the projection and the metric CASEs;
//! `placement` where each line item lands; `overlay` nodes, pods, idle and the result.

mod builder;
mod env_scan;
mod line_items;
mod overlay;
mod placement;
mod schema;

pub use env_scan::{MAX_SCANNED_TAGS, env_scan_query};
pub use schema::{Partitions, TableRef, TableSchema};

use crate::cur::attribution::TagPlan;
use crate::cur::columns::Field;
use crate::cur::time::Day;

/// The SQL engine the query is written for. They differ only in how a map is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Amazon Athena (Trino): `element_at(map, key)`.
    Athena,
    /// `DuckDB`, used by the tests to run the query over the same Parquet files:
    /// `map_extract_value(map, key)`.
    DuckDb,
}

/// A quoted identifier: `"a""b"`.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A quoted string literal: `'it''s'`.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// What the query is for.
pub struct QuerySpec<'a> {
    pub table: &'a TableRef,
    pub schema: &'a TableSchema,
    pub plan: &'a TagPlan,
    /// `[start, end)` days; `None` reads everything.
    pub window: Option<(Day, Day)>,
    pub dialect: Dialect,
}

/// Names of the result columns, in order: the facts fields, then one per label, then the four
/// metrics and the row counts.
pub fn result_columns(plan: &TagPlan) -> Vec<String> {
    let mut cols: Vec<String> = KEY_COLUMNS.iter().map(|s| (*s).to_string()).collect();
    cols.extend(plan.label_names());
    cols.extend(
        [
            "unblended",
            "amortized",
            "net_amortized",
            "on_demand",
            "quantity",
            "line_items",
            "sub_daily",
        ]
        .map(String::from),
    );
    cols
}

/// The dimension columns every stage carries, in result order (labels follow).
const KEY_COLUMNS: [&str; 15] = [
    "day",
    "category",
    "basis",
    "account",
    "service",
    "usage_type",
    "cluster",
    "namespace",
    "workload_kind",
    "workload",
    "pod",
    "container",
    "node",
    "resource",
    "env",
];

/// The metric columns every stage carries.
const METRICS: [&str; 4] = ["unblended", "amortized", "net_amortized", "on_demand"];

/// The facts query. `Err` names the required columns the table lacks.
pub fn facts_query(q: &QuerySpec<'_>) -> Result<String, Vec<Field>> {
    let missing = q.schema.missing_required();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(builder::Builder { q }.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TagMapping;

    fn legacy() -> TableSchema {
        TableSchema::new([
            ("line_item_line_item_type", "varchar"),
            ("line_item_usage_start_date", "timestamp(3)"),
            ("line_item_unblended_cost", "double"),
            ("resource_tags_user_kubernetes_namespace", "varchar"),
            ("year", "varchar"),
            ("month", "varchar"),
        ])
    }

    #[test]
    fn identifiers_and_literals_are_escaped() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
        let t = TableRef {
            catalog: None,
            database: "cur\"; DROP".into(),
            table: "t".into(),
        };
        assert_eq!(t.sql(), "\"cur\"\"; DROP\".\"t\"");
        assert!(t.schema_query().contains("table_schema = 'cur\"; drop'"));
    }

    #[test]
    fn schema_knows_its_layout() {
        let s = legacy();
        assert_eq!(s.partitions(), Partitions::YearMonth);
        assert!(!s.tags_in_map());
        assert_eq!(s.tag_columns(), ["user_kubernetes_namespace"]);
        assert!(s.missing_required().is_empty());
        let cur2 = TableSchema::new([
            ("line_item_line_item_type", "varchar"),
            ("billing_period", "varchar"),
            ("resource_tags", "map(varchar, varchar)"),
        ]);
        assert_eq!(cur2.partitions(), Partitions::BillingPeriod);
        assert!(cur2.tags_in_map());
        assert_eq!(
            cur2.missing_required(),
            [Field::UsageStartDate, Field::UnblendedCost]
        );
    }

    #[test]
    fn only_existing_columns_are_referenced_and_partitions_are_pruned() {
        let plan = TagPlan::new(&TagMapping::default(), &[]);
        let table = TableRef {
            catalog: None,
            database: "cur".into(),
            table: "report".into(),
        };
        let schema = legacy();
        let sql = facts_query(&QuerySpec {
            table: &table,
            schema: &schema,
            plan: &plan,
            window: Some((
                crate::cur::time::day_of(chrono::NaiveDate::from_ymd_opt(2024, 2, 20).unwrap()),
                crate::cur::time::day_of(chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()),
            )),
            dialect: Dialect::Athena,
        })
        .unwrap();
        assert!(sql.contains("(year = '2024' AND month = '2') OR (year = '2024' AND month = '3')"));
        assert!(sql.contains("\"resource_tags_user_kubernetes_namespace\""));
        assert!(!sql.contains("split_line_item_split_cost"));
        assert!(!sql.contains("resource_tags_aws_eks_cluster_name"));
        assert!(!sql.contains("line_item_resource_id"));
    }

    #[test]
    fn a_tag_key_cannot_escape_its_literal() {
        let mapping = TagMapping {
            namespace: vec!["x') OR 1=1 --".into()],
            ..TagMapping::default()
        };
        let plan = TagPlan::new(&mapping, &[]);
        let schema = TableSchema::new([
            ("line_item_line_item_type", "varchar"),
            ("line_item_usage_start_date", "timestamp"),
            ("line_item_unblended_cost", "double"),
            ("resource_tags", "map(varchar,varchar)"),
        ]);
        let table = TableRef {
            catalog: Some("AwsDataCatalog".into()),
            database: "cur".into(),
            table: "t".into(),
        };
        let sql = facts_query(&QuerySpec {
            table: &table,
            schema: &schema,
            plan: &plan,
            window: None,
            dialect: Dialect::Athena,
        })
        .unwrap();
        // The key is normalized to a tag id before it reaches SQL, then quoted.
        assert!(sql.contains("element_at(\"resource_tags\", 'user_x_o_r_1_1')"));
        assert!(!sql.contains("1=1"));
    }
}
