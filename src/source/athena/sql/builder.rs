//! The query builder: the order of the stages, the column expressions every stage uses (a
//! column or tag that may be absent, the first non-empty of several tags), and the window's
//! `WHERE` with its partition pruning.

use std::fmt::Write as _;

use chrono::Datelike as _;

use super::{Dialect, KEY_COLUMNS, Partitions, QuerySpec, ident, literal};
use crate::cur::columns::Field;
use crate::cur::time::date_of;

/// Writes the facts query of one [`QuerySpec`]; each stage (a CTE) is one method, in
/// `line_items`, `placement` and `overlay`.
pub(super) struct Builder<'q, 'a> {
    pub(super) q: &'q QuerySpec<'a>,
}

impl Builder<'_, '_> {
    /// The whole query: a header naming the table and window, the stages in order, the result.
    pub(super) fn build(&self) -> String {
        let q = self.q;
        let mut s = String::new();
        let window = match q.window {
            Some((a, b)) => format!("from {} to {} (exclusive)", date_of(a), date_of(b)),
            None => "over all days".into(),
        };
        let _ = writeln!(
            s,
            "-- curtop facts: every line item of {} {window}, placed exactly once.\n\
             -- Rules: docs/allocation.md. Result columns are the facts fields.",
            q.table.sql()
        );
        self.line_items(&mut s);
        Self::parsed(&mut s);
        self.placed(&mut s);
        let stage = self.stage_columns();
        Self::node_cluster(&mut s);
        Self::billed(&mut s, &stage);
        Self::nodes(&mut s, &stage);
        self.pods(&mut s, &stage);
        Self::idle(&mut s, &stage);
        self.result(&mut s);
        s
    }

    pub(super) fn has(&self, f: Field) -> bool {
        self.q.schema.has_field(f)
    }

    /// A text column, `''` when absent or null.
    pub(super) fn text(&self, f: Field) -> String {
        if self.has(f) {
            format!("COALESCE({}, '')", ident(f.column_name()))
        } else {
            "''".into()
        }
    }

    /// A money column, 0 when absent or null.
    pub(super) fn money(&self, f: Field) -> String {
        if self.has(f) {
            format!("COALESCE({}, 0E0)", ident(f.column_name()))
        } else {
            "0E0".into()
        }
    }

    /// The value of tag id `id` (`user_kubernetes_namespace`), `''` when absent.
    pub(super) fn tag(&self, id: &str) -> String {
        if self.q.schema.tags_in_map() {
            let map = ident(Field::ResourceTagsMap.column_name());
            let get = match self.q.dialect {
                Dialect::Athena => "element_at",
                Dialect::DuckDb => "map_extract_value",
            };
            format!("COALESCE({get}({map}, {}), '')", literal(id))
        } else {
            let column = format!("resource_tags_{id}");
            if self.q.schema.has(&column) {
                format!("COALESCE({}, '')", ident(&column))
            } else {
                "''".into()
            }
        }
    }

    /// The first non-empty of the tags at `idx` (tag columns `tag_N` of the first stage), as
    /// the Rust rules pick among a concept's mapped keys.
    pub(super) fn first(idx: &[usize]) -> String {
        match idx {
            [] => "''".into(),
            [i] => format!("tag_{i}"),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|i| format!("NULLIF(tag_{i}, '')"))
                    .collect();
                format!("COALESCE({}, '')", parts.join(", "))
            }
        }
    }

    pub(super) fn labels(&self) -> Vec<String> {
        (0..self.q.plan.labels.len())
            .map(|i| format!("label_{i}"))
            .collect()
    }

    /// The key columns of a stage (labels as `label_N`).
    pub(super) fn keys(&self) -> String {
        let mut k: Vec<String> = KEY_COLUMNS.iter().map(|s| (*s).to_string()).collect();
        k.extend(self.labels());
        k.join(", ")
    }

    /// The window as a `WHERE` on the usage start (the days
    /// [`crate::facts::Aggregator::wants_day`] keeps), plus the partitions of the window's
    /// months so Athena scans only those.
    pub(super) fn where_clause(&self) -> String {
        let Some((start, end)) = self.q.window else {
            return String::new();
        };
        let start_date = date_of(start);
        let end_date = date_of(end);
        let mut months = Vec::new();
        let mut m = start_date.with_day0(0).unwrap_or(start_date);
        while m < end_date {
            months.push(m);
            m = m
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(end_date);
        }
        let mut conds = Vec::new();
        match self.q.schema.partitions() {
            Partitions::YearMonth => {
                let parts: Vec<String> = months
                    .iter()
                    .map(|m| format!("(year = '{}' AND month = '{}')", m.year(), m.month()))
                    .collect();
                conds.push(format!("({})", parts.join(" OR ")));
            }
            Partitions::BillingPeriod => {
                let parts: Vec<String> = months
                    .iter()
                    .map(|m| format!("'{}'", m.format("%Y-%m")))
                    .collect();
                conds.push(format!("billing_period IN ({})", parts.join(", ")));
            }
            Partitions::Unpartitioned => {}
        }
        let ts = ident(Field::UsageStartDate.column_name());
        conds.push(format!("{ts} >= TIMESTAMP '{start_date} 00:00:00'"));
        conds.push(format!("{ts} < TIMESTAMP '{end_date} 00:00:00'"));
        format!("\n  WHERE {}", conds.join("\n    AND "))
    }
}
