//! `doctor`'s environment scan: the distinct (tag, value, cost) of the table's tag keys the
//! profile does not map, keeping only values that could be environments, over the same window
//! (and partitions) as the facts query. Legacy CUR has a column per tag (one `UNION ALL` branch
//! each); CUR 2.0 keeps tags in the `resource_tags` map (unnested).

use std::fmt::Write as _;

use super::builder::Builder;
use super::{Dialect, QuerySpec, ident, literal};
use crate::cur::columns::Field;

/// At most this many unmapped tag columns are scanned (each is one branch of the query).
pub const MAX_SCANNED_TAGS: usize = 32;

/// The scan's SQL, with columns `tag` (a tag id), `value` (as billed) and `cost` (unblended).
/// `mapped` are the tag ids the profile already reads; `values` the lower-case spellings that
/// could be environments. `None` when there is nothing to scan.
pub fn env_scan_query(q: &QuerySpec<'_>, mapped: &[String], values: &[String]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let b = Builder { q };
    let cost = b.money(Field::UnblendedCost);
    let wanted: Vec<String> = values.iter().map(|v| literal(v)).collect();
    let wanted = wanted.join(", ");
    let window = b.where_clause();
    let and = |cond: String| {
        if window.is_empty() {
            format!("\n  WHERE {cond}")
        } else {
            format!("{window}\n    AND {cond}")
        }
    };
    let table = q.table.sql();
    let mut s = String::from("-- curtop doctor: env-like values of unmapped tag keys\n");
    if q.schema.tags_in_map() {
        let map = ident(Field::ResourceTagsMap.column_name());
        let skip: Vec<String> = mapped.iter().map(|m| literal(m)).collect();
        let mut cond = format!("lower(trim(u.v)) IN ({wanted}) AND u.k NOT LIKE 'aws%'");
        if !skip.is_empty() {
            let _ = write!(cond, " AND u.k NOT IN ({})", skip.join(", "));
        }
        match q.dialect {
            Dialect::Athena => {
                let _ = write!(
                    s,
                    "SELECT u.k AS tag, u.v AS value, SUM({cost}) AS cost\nFROM {table}\n  \
                     CROSS JOIN UNNEST({map}) AS u (k, v){}\nGROUP BY 1, 2\nORDER BY 3 DESC",
                    and(cond)
                );
            }
            Dialect::DuckDb => {
                let inner = format!(
                    "SELECT {cost} AS c, unnest(map_entries({map})) AS e FROM {table}{window}"
                );
                let cond = cond.replace("u.v", "e.value").replace("u.k", "e.key");
                let _ = write!(
                    s,
                    "SELECT e.key AS tag, e.value AS value, SUM(c) AS cost\nFROM ({inner}) AS u\n  \
                     WHERE {cond}\nGROUP BY 1, 2\nORDER BY 3 DESC"
                );
            }
        }
        return Some(s);
    }
    let columns: Vec<&str> = q
        .schema
        .tag_columns()
        .into_iter()
        .filter(|id| !id.starts_with("aws_") && !mapped.iter().any(|m| m == id))
        .take(MAX_SCANNED_TAGS)
        .collect();
    if columns.is_empty() {
        return None;
    }
    let branches: Vec<String> = columns
        .iter()
        .map(|id| {
            let col = ident(&format!("resource_tags_{id}"));
            format!(
                "SELECT {} AS tag, {col} AS value, SUM({cost}) AS cost\nFROM {table}{}\nGROUP BY 1, 2",
                literal(id),
                and(format!("lower(trim({col})) IN ({wanted})"))
            )
        })
        .collect();
    let _ = write!(s, "{}\nORDER BY 3 DESC", branches.join("\nUNION ALL\n"));
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TagMapping;
    use crate::cur::attribution::TagPlan;
    use crate::source::athena::sql::{TableRef, TableSchema};

    fn table() -> TableRef {
        TableRef {
            catalog: None,
            database: "cur".into(),
            table: "t".into(),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> crate::cur::time::Day {
        crate::cur::time::day_of(chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date"))
    }

    fn envs() -> Vec<String> {
        vec!["prod".into(), "stg".into(), "it's".into()]
    }

    #[test]
    fn legacy_scans_each_unmapped_column_in_the_window() {
        let schema = TableSchema::new([
            ("year", "varchar"),
            ("month", "varchar"),
            ("line_item_usage_start_date", "timestamp"),
            ("line_item_unblended_cost", "double"),
            ("resource_tags_user_environment", "varchar"),
            ("resource_tags_user_env", "varchar"),
            ("resource_tags_aws_created_by", "varchar"),
        ]);
        let plan = TagPlan::new(&TagMapping::default(), &[]);
        let t = table();
        let q = QuerySpec {
            table: &t,
            schema: &schema,
            plan: &plan,
            window: Some((day(2024, 5, 1), day(2024, 6, 1))),
            dialect: Dialect::Athena,
        };
        let sql = env_scan_query(&q, &["user_env".into()], &envs()).expect("a scan");
        assert!(sql.contains("'user_environment' AS tag"), "{sql}");
        assert!(!sql.contains("resource_tags_user_env\""), "{sql}");
        assert!(!sql.contains("aws_created_by"), "{sql}");
        assert!(sql.contains("(year = '2024' AND month = '5')"), "{sql}");
        assert!(sql.contains("IN ('prod', 'stg', 'it''s')"), "{sql}");
        assert!(
            env_scan_query(&q, &["user_env".into(), "user_environment".into()], &envs()).is_none()
        );
    }

    #[test]
    fn cur2_unnests_the_tag_map() {
        let schema = TableSchema::new([
            ("billing_period", "varchar"),
            ("line_item_usage_start_date", "timestamp"),
            ("line_item_unblended_cost", "double"),
            ("resource_tags", "map(varchar,varchar)"),
        ]);
        let plan = TagPlan::new(&TagMapping::default(), &[]);
        let t = table();
        let q = QuerySpec {
            table: &t,
            schema: &schema,
            plan: &plan,
            window: None,
            dialect: Dialect::Athena,
        };
        let sql = env_scan_query(&q, &["user_env".into()], &envs()).expect("a scan");
        assert!(
            sql.contains("CROSS JOIN UNNEST(\"resource_tags\") AS u (k, v)"),
            "{sql}"
        );
        assert!(sql.contains("u.k NOT IN ('user_env')"), "{sql}");
        assert!(sql.contains("\n  WHERE lower(trim(u.v)) IN"), "{sql}");
    }
}
