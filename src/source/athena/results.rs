//! The facts query's result rows (Athena's `GetQueryResults` pages, or any engine's output of
//! the same SQL) turned into [`Facts`]: typed parsing, a malformed row counted and shown, never
//! a panic.

use std::str::FromStr;

use chrono::NaiveDate;

use super::sql::result_columns;
use crate::config::EnvRules;
use crate::cur::attribution::{Category, TagPlan};
use crate::cur::line_item::{AWS_PROVIDER, ColumnSet};
use crate::cur::metrics::Costs;
use crate::cur::money::Money;
use crate::cur::time::day_of;
use crate::facts::{Basis, DIMS, Dim, Facts, PlacedRows, Quantity};

/// The dimensions the query selects, in [`Dim`] order: all but the last two, the provider
/// (always AWS) and the currency (a CUR's, unnamed).
const SQL_DIMS: usize = Dim::Provider as usize;

/// Where malformed rows are said to be.
const ORIGIN: &str = "query result";

/// Reads result rows into facts.
pub struct ResultRows<'e> {
    placed: PlacedRows<'e>,
    columns: Vec<String>,
    labels: usize,
    label_names: Vec<String>,
    row: u64,
}

impl<'e> ResultRows<'e> {
    pub fn new(plan: &TagPlan, env: &'e EnvRules, columns: ColumnSet) -> Self {
        Self {
            placed: PlacedRows::new(env, columns),
            columns: result_columns(plan),
            labels: plan.label_names().len(),
            label_names: plan.label_names(),
            row: 0,
        }
    }

    /// Checks the header row names the columns the query selects, in order.
    pub fn check_header(&self, got: &[&str]) -> Result<(), String> {
        let same = got.len() == self.columns.len()
            && got
                .iter()
                .zip(&self.columns)
                .all(|(g, w)| g.eq_ignore_ascii_case(w));
        if same {
            Ok(())
        } else {
            Err(format!(
                "the result has columns [{}], expected [{}]",
                got.join(", "),
                self.columns.join(", ")
            ))
        }
    }

    /// Adds one data row (cells in column order; `None` = SQL NULL).
    pub fn add(&mut self, cells: &[Option<&str>]) {
        self.row += 1;
        if let Err(reason) = self.try_add(cells) {
            self.placed.quality.malformed(ORIGIN, self.row, reason);
        }
    }

    fn try_add(&mut self, cells: &[Option<&str>]) -> Result<(), String> {
        if cells.len() != self.columns.len() {
            return Err(format!(
                "{} cells, expected {}",
                cells.len(),
                self.columns.len()
            ));
        }
        let text = |i: usize| cells[i].unwrap_or("");
        let day = NaiveDate::parse_from_str(text(0), "%Y-%m-%d")
            .map_err(|_| format!("day `{}` is not a date", text(0)))?;
        let category = Category::from_str(text(1))?;
        let basis =
            Basis::from_name(text(2)).ok_or_else(|| format!("basis `{}` is unknown", text(2)))?;
        // The query selects every dimension but the provider: an Athena CUR table is AWS's.
        let mut dims = [""; DIMS];
        for (i, d) in dims[..SQL_DIMS].iter_mut().enumerate() {
            *d = text(3 + i);
        }
        dims[Dim::Provider as usize] = AWS_PROVIDER;
        let labels: Vec<&str> = (0..self.labels).map(|i| text(3 + SQL_DIMS + i)).collect();
        let at = 3 + SQL_DIMS + self.labels;
        let number = |i: usize| -> Result<Money, String> {
            match cells[i] {
                None => Ok(Money::ZERO),
                Some(v) => Money::parse(v.trim().as_bytes())
                    .map_err(|e| format!("{} `{v}`: {e}", self.columns[i])),
            }
        };
        let mut costs = Costs::ZERO;
        for (m, slot) in costs.0.iter_mut().enumerate() {
            *slot = number(at + m)?;
        }
        let quantity = Quantity(number(at + 4)?.0);
        let count = |i: usize| -> Result<u64, String> {
            let v = text(i).trim();
            if v.is_empty() {
                return Ok(0);
            }
            v.parse::<u64>()
                .map_err(|_| format!("{} `{v}` is not a count", self.columns[i]))
        };
        let line_items = count(at + 5)?;
        let sub_daily = count(at + 6)? > 0;
        self.placed.add(
            day_of(day),
            category,
            basis,
            &dims,
            &labels,
            costs,
            quantity,
        );
        let q = &mut self.placed.quality;
        q.rows_read += line_items;
        q.sub_daily_seen |= sub_daily;
        Ok(())
    }

    /// Data rows seen so far.
    pub fn rows(&self) -> u64 {
        self.row
    }

    pub fn finish(self) -> Facts {
        self.placed.finish(self.label_names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TagMapping;
    use crate::cur::metrics::Metric;

    fn row<'a>(cells: &[&'a str]) -> Vec<Option<&'a str>> {
        cells
            .iter()
            .map(|c| if *c == "NULL" { None } else { Some(*c) })
            .collect()
    }

    #[test]
    fn rows_parse_merge_by_normalized_env_and_bad_ones_are_counted() {
        let plan = TagPlan::new(&TagMapping::default(), &[]);
        let env = EnvRules::default();
        let mut r = ResultRows::new(&plan, &env, ColumnSet::default());
        let header = result_columns(&plan);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        r.check_header(&header).unwrap();
        assert!(r.check_header(&header[1..]).is_err());
        let base = [
            "2024-03-01",
            "pod",
            "usage",
            "111",
            "AmazonEC2",
            "BoxUsage",
            "prod",
            "web",
            "Deployment",
            "api",
            "api-1",
            "",
            "i-1",
            "arn",
            "prod",
        ];
        let mut a = base.to_vec();
        a.extend(["1.5", "1.25", "NULL", "2", "4", "3", "0"]);
        r.add(&row(&a));
        let mut b = base.to_vec();
        b[14] = "production";
        b.extend(["1.0E-1", "0.25", "0.25", "1", "0.5", "1", "1"]);
        r.add(&row(&b));
        let mut bad = base.to_vec();
        bad[0] = "yesterday";
        bad.extend(["1", "1", "1", "1", "1", "1", "0"]);
        r.add(&row(&bad));
        assert_eq!(r.rows(), 3);
        let facts = r.finish();
        assert_eq!(facts.quality.malformed_rows, 1);
        assert!(facts.quality.examples[0].reason.contains("yesterday"));
        assert_eq!(facts.quality.rows_read, 4);
        assert!(facts.quality.sub_daily_seen);
        assert_eq!(
            facts.rows.len(),
            1,
            "prod and production are one environment"
        );
        let f = &facts.rows[0];
        assert_eq!(facts.text(f, Dim::Env), "production");
        assert_eq!(f.costs[Metric::Unblended], Money::from_f64(1.6).unwrap());
        assert_eq!(f.costs[Metric::Net], Money::from_f64(0.25).unwrap());
        assert_eq!(
            f.quantity,
            Quantity(4_500_000_000),
            "quantities sum as the costs do"
        );
        assert_eq!(facts.bill.values().next().copied(), Some(f.costs));
    }
}
