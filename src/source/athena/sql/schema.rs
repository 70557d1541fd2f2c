//! What the query is written against: the CUR table's columns (as `information_schema` lists
//! them), how it is partitioned, and its quoted name with the schema and status queries.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{ident, literal};
use crate::cur::columns::{Field, REQUIRED, field_of, normalize};
use crate::cur::line_item::ColumnSet;

/// How the table is partitioned, so the query reads only the window's months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitions {
    /// Legacy CUR's Athena integration: `year` and `month` (strings, month not zero-padded).
    YearMonth,
    /// CUR 2.0 Data Exports: `billing_period` (`'2024-05'`).
    BillingPeriod,
    /// Neither: every file is scanned (a hand-made or crawler table).
    Unpartitioned,
}

impl Partitions {
    /// In words, for `doctor`.
    pub fn describe(self) -> &'static str {
        match self {
            Partitions::YearMonth => "partitioned by year/month (legacy CUR's Athena integration)",
            Partitions::BillingPeriod => "partitioned by billing_period (CUR 2.0 Data Export)",
            Partitions::Unpartitioned => {
                "not partitioned: every query scans every file (a hand-made or crawler table)"
            }
        }
    }
}

/// The columns of the CUR table, as `information_schema.columns` lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSchema {
    /// Lower-case column name → data type.
    pub columns: BTreeMap<String, String>,
}

impl TableSchema {
    pub fn new<'a>(columns: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            columns: columns
                .into_iter()
                .map(|(n, t)| (n.to_ascii_lowercase(), t.to_ascii_lowercase()))
                .collect(),
        }
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    pub(super) fn has_field(&self, field: Field) -> bool {
        self.has(field.column_name())
    }

    pub fn partitions(&self) -> Partitions {
        if self.has("year") && self.has("month") {
            Partitions::YearMonth
        } else if self.has("billing_period") {
            Partitions::BillingPeriod
        } else {
            Partitions::Unpartitioned
        }
    }

    /// CUR 2.0 keeps tags in the `resource_tags` map; legacy CUR has a column per tag.
    pub fn tags_in_map(&self) -> bool {
        self.has_field(Field::ResourceTagsMap)
    }

    /// The fields the table has.
    pub fn column_set(&self) -> ColumnSet {
        let mut set = ColumnSet::default();
        for name in self.columns.keys() {
            if let Some(f) = field_of(&normalize(name)) {
                set.insert(f);
            }
        }
        set
    }

    /// Columns without which no cost can be computed, missing from the table.
    pub fn missing_required(&self) -> Vec<Field> {
        REQUIRED
            .iter()
            .copied()
            .filter(|f| !self.has_field(*f))
            .collect()
    }

    /// The flat tag columns (`resource_tags_user_team`), as tag ids (`user_team`).
    pub fn tag_columns(&self) -> Vec<&str> {
        self.columns
            .keys()
            .filter_map(|c| c.strip_prefix("resource_tags_"))
            .filter(|t| !t.is_empty())
            .collect()
    }
}

/// `"catalog"."database"."table"`, quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    pub catalog: Option<String>,
    pub database: String,
    pub table: String,
}

impl TableRef {
    pub fn sql(&self) -> String {
        let mut s = String::new();
        if let Some(c) = &self.catalog {
            s.push_str(&ident(c));
            s.push('.');
        }
        let _ = write!(s, "{}.{}", ident(&self.database), ident(&self.table));
        s
    }

    /// The query listing the table's columns (and whether the legacy CUR's data status table
    /// sits beside it).
    pub fn schema_query(&self) -> String {
        let schema = match &self.catalog {
            Some(c) => format!("{}.information_schema.columns", ident(c)),
            None => "information_schema.columns".to_string(),
        };
        format!(
            "SELECT table_name, column_name, data_type\nFROM {schema}\nWHERE table_schema = {}\n  \
             AND table_name IN ({}, 'cost_and_usage_data_status')\nORDER BY table_name, \
             ordinal_position",
            literal(&self.database.to_ascii_lowercase()),
            literal(&self.table.to_ascii_lowercase()),
        )
    }

    /// The legacy CUR's data status (`READY` or `UPDATING`), a table AWS keeps beside the CUR's.
    pub fn status_query(&self) -> String {
        let table = TableRef {
            table: "cost_and_usage_data_status".into(),
            ..self.clone()
        };
        format!("SELECT status FROM {}", table.sql())
    }
}
