//! `curtop report`: facts grouped by dimensions over a window, as an aligned table, CSV or
//! JSON. The same core as the dashboard, without a terminal.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::str::FromStr;

use crate::cur::metrics::Metric;
use crate::cur::money::Money;
use crate::cur::time::date_of;
use crate::facts::{Dim, FactRow, Facts, NONE};
use crate::untrusted;
use crate::window::Window;

/// A dimension to group by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dimension {
    Cluster,
    Namespace,
    Workload,
    WorkloadKind,
    Pod,
    Container,
    Node,
    Category,
    Service,
    UsageType,
    Account,
    Resource,
    Day,
    Env,
    /// Whose bill (FOCUS `ProviderName`; `AWS` for a CUR).
    Provider,
    /// A `label.NAME` concept of the profile.
    Label(String),
    /// Any tag key (`tag:team`), read for this report.
    Tag(String),
}

impl FromStr for Dimension {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(k) = s.strip_prefix("tag:").filter(|k| !k.is_empty()) {
            return Ok(Dimension::Tag(k.to_string()));
        }
        if let Some(k) = s.strip_prefix("label:").filter(|k| !k.is_empty()) {
            return Ok(Dimension::Label(k.to_string()));
        }
        Ok(match s {
            "cluster" => Dimension::Cluster,
            "namespace" | "ns" => Dimension::Namespace,
            "workload" => Dimension::Workload,
            "workload-kind" => Dimension::WorkloadKind,
            "pod" => Dimension::Pod,
            "container" => Dimension::Container,
            "node" => Dimension::Node,
            "category" => Dimension::Category,
            "service" => Dimension::Service,
            "usage-type" => Dimension::UsageType,
            "account" => Dimension::Account,
            "resource" => Dimension::Resource,
            "day" => Dimension::Day,
            "env" | "environment" => Dimension::Env,
            "provider" => Dimension::Provider,
            _ => {
                return Err(format!(
                    "unknown dimension `{s}`; expected cluster, namespace, workload, \
                     workload-kind, pod, container, node, category, service, usage-type, \
                     account, resource, day, env, provider, label:NAME or tag:KEY"
                ));
            }
        })
    }
}

impl Dimension {
    /// The column / JSON key name.
    pub fn name(&self) -> String {
        match self {
            Dimension::Cluster => "cluster".into(),
            Dimension::Namespace => "namespace".into(),
            Dimension::Workload => "workload".into(),
            Dimension::WorkloadKind => "workload_kind".into(),
            Dimension::Pod => "pod".into(),
            Dimension::Container => "container".into(),
            Dimension::Node => "node".into(),
            Dimension::Category => "category".into(),
            Dimension::Service => "service".into(),
            Dimension::UsageType => "usage_type".into(),
            Dimension::Account => "account".into(),
            Dimension::Resource => "resource".into(),
            Dimension::Day => "day".into(),
            Dimension::Env => "env".into(),
            Dimension::Provider => "provider".into(),
            Dimension::Label(n) => format!("label:{n}"),
            Dimension::Tag(k) => format!("tag:{k}"),
        }
    }

    /// Parses a comma list.
    pub fn parse_list(s: &str) -> Result<Vec<Dimension>, String> {
        let dims: Vec<Dimension> = s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        if dims.is_empty() {
            return Err("--by needs at least one dimension".into());
        }
        Ok(dims)
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(format!(
                "unknown output format `{s}`; expected table, csv or json"
            )),
        }
    }
}

/// A grouped report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub window: Window,
    pub metric: Metric,
    pub dims: Vec<Dimension>,
    /// Highest cost first.
    pub rows: Vec<ReportRow>,
    pub total: Money,
    /// The facts had shared-in rows (sharing rules applied): the shared-in amounts are shown.
    pub sharing: bool,
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// Values per dimension, `None` = no value.
    pub keys: Vec<Option<String>>,
    pub cost: Money,
    /// What sharing rules brought into `cost`.
    pub shared_in: Money,
}

/// How to read one dimension off a fact row.
enum Getter {
    Dim(Dim),
    Category,
    Day,
    Label(usize),
    Missing,
}

/// Groups facts in the window by the dimensions.
pub fn build(facts: &Facts, window: Window, metric: Metric, dims: &[Dimension]) -> Report {
    let getters: Vec<Getter> = dims
        .iter()
        .map(|d| match d {
            Dimension::Cluster => Getter::Dim(Dim::Cluster),
            Dimension::Namespace => Getter::Dim(Dim::Namespace),
            Dimension::Workload => Getter::Dim(Dim::Workload),
            Dimension::WorkloadKind => Getter::Dim(Dim::WorkloadKind),
            Dimension::Pod => Getter::Dim(Dim::Pod),
            Dimension::Container => Getter::Dim(Dim::Container),
            Dimension::Node => Getter::Dim(Dim::Node),
            Dimension::Service => Getter::Dim(Dim::Service),
            Dimension::UsageType => Getter::Dim(Dim::UsageType),
            Dimension::Account => Getter::Dim(Dim::Account),
            Dimension::Resource => Getter::Dim(Dim::Resource),
            Dimension::Env => Getter::Dim(Dim::Env),
            Dimension::Provider => Getter::Dim(Dim::Provider),
            Dimension::Category => Getter::Category,
            Dimension::Day => Getter::Day,
            Dimension::Label(_) | Dimension::Tag(_) => {
                let name = d.name();
                facts
                    .label_names
                    .iter()
                    .position(|n| *n == name)
                    .map_or(Getter::Missing, Getter::Label)
            }
        })
        .collect();
    let value = |r: &FactRow, g: &Getter| -> Option<String> {
        let s = match g {
            // Rows no environment rule reaches are a group of their own, named.
            Getter::Dim(Dim::Env) if r.dim(Dim::Env) == NONE => "unassigned".to_string(),
            Getter::Dim(d) => facts.text(r, *d).to_string(),
            Getter::Category => r.category.name().to_string(),
            Getter::Day => date_of(r.day).to_string(),
            Getter::Label(i) => facts.strings.get(r.labels[*i]).to_string(),
            Getter::Missing => String::new(),
        };
        (!s.is_empty()).then_some(s)
    };
    let mut groups: HashMap<Vec<Option<String>>, (Money, Money)> = HashMap::new();
    let mut total = Money::ZERO;
    let mut sharing = false;
    for r in facts.rows.iter().filter(|r| window.contains(r.day)) {
        let key: Vec<Option<String>> = getters.iter().map(|g| value(r, g)).collect();
        let g = groups.entry(key).or_default();
        g.0 += r.costs[metric];
        if r.shared != NONE {
            g.1 += r.costs[metric];
            sharing = true;
        }
        total += r.costs[metric];
    }
    let mut rows: Vec<ReportRow> = groups
        .into_iter()
        .map(|(keys, (cost, shared_in))| ReportRow {
            keys,
            cost,
            shared_in,
        })
        .collect();
    rows.sort_by(|a, b| b.cost.cmp(&a.cost).then_with(|| a.keys.cmp(&b.keys)));
    Report {
        window,
        metric,
        dims: dims.to_vec(),
        rows,
        total,
        sharing,
    }
}

impl Report {
    /// The report in a format. Values come from tags and line items, so a table (always meant
    /// for eyes) shows their control characters escaped; CSV and JSON keep the data exact
    /// unless `to_terminal` (stdout is a terminal), when they are escaped too: CSV's values
    /// visibly, JSON's as `\uXXXX` (still the same JSON).
    pub fn render(&self, format: Format, to_terminal: bool) -> String {
        match format {
            Format::Table => self.table(),
            Format::Csv if to_terminal => untrusted::for_terminal(&self.csv()).into_owned(),
            Format::Csv => self.csv(),
            Format::Json if to_terminal => untrusted::json_for_terminal(&self.json()).into_owned(),
            Format::Json => self.json(),
        }
    }

    fn table(&self) -> String {
        let mut head: Vec<String> = self.dims.iter().map(|d| d.name().to_uppercase()).collect();
        head.push("COST".into());
        if self.sharing {
            head.push("SHARED IN".into());
        }
        head.push("SHARE".into());
        let share = |m: Money| {
            if self.total.0 == 0 {
                "-".to_string()
            } else {
                format!("{:.1}%", m.0 as f64 * 100.0 / self.total.0 as f64)
            }
        };
        let mut body: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                let mut v: Vec<String> = row
                    .keys
                    .iter()
                    .map(|x| {
                        x.as_deref()
                            .map_or_else(|| "-".into(), |v| untrusted::escape(v).into_owned())
                    })
                    .collect();
                v.push(row.cost.display_dollars());
                if self.sharing {
                    v.push(if row.shared_in == Money::ZERO {
                        "-".into()
                    } else {
                        row.shared_in.display_dollars()
                    });
                }
                v.push(share(row.cost));
                v
            })
            .collect();
        let mut total: Vec<String> = vec![String::new(); self.dims.len()];
        total[0] = "TOTAL".into();
        total.push(self.total.display_dollars());
        if self.sharing {
            let shared: Money = self.rows.iter().map(|r| r.shared_in).sum();
            total.push(shared.display_dollars());
        }
        total.push(share(self.total));
        body.push(total);
        let n = head.len();
        let widths: Vec<usize> = (0..n)
            .map(|i| {
                std::iter::once(&head)
                    .chain(body.iter())
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = format!(
            "{} · {} · {} rows\n",
            self.window,
            self.metric,
            self.rows.len()
        );
        let line = |out: &mut String, r: &[String]| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i >= self.dims.len() {
                        format!("{c:>w$}", w = widths[i])
                    } else {
                        format!("{c:<w$}", w = widths[i])
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        };
        line(&mut out, &head);
        let last = body.len() - 1;
        for (i, r) in body.iter().enumerate() {
            if i == last {
                let _ = writeln!(
                    out,
                    "{}",
                    "-".repeat(widths.iter().sum::<usize>() + 2 * (n - 1))
                );
            }
            line(&mut out, r);
        }
        out
    }

    fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head: Vec<String> = self.dims.iter().map(Dimension::name).collect();
        head.push("cost".into());
        if self.sharing {
            head.push("shared_in".into());
        }
        let _ = w.write_record(&head);
        for row in &self.rows {
            let mut rec: Vec<String> = row
                .keys
                .iter()
                .map(|x| x.clone().unwrap_or_default())
                .collect();
            rec.push(row.cost.to_decimal_string());
            if self.sharing {
                rec.push(row.shared_in.to_decimal_string());
            }
            let _ = w.write_record(&rec);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    fn json(&self) -> String {
        use serde_json::{Map, Value, json};
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let mut o = Map::new();
                for (d, v) in self.dims.iter().zip(&row.keys) {
                    o.insert(d.name(), v.clone().map_or(Value::Null, Value::String));
                }
                o.insert("cost".into(), json!(row.cost.dollars()));
                if self.sharing {
                    o.insert("shared_in".into(), json!(row.shared_in.dollars()));
                }
                Value::Object(o)
            })
            .collect();
        let v = json!({
            "window": {"start": date_of(self.window.start).to_string(), "end": date_of(self.window.end).to_string()},
            "metric": self.metric.name(),
            "total": self.total.dollars(),
            "rows": rows,
        });
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::Window;

    /// A report of one row whose value is hostile.
    fn hostile() -> Report {
        Report {
            window: Window { start: 0, end: 1 },
            metric: Metric::Amortized,
            dims: vec![Dimension::Namespace],
            rows: vec![ReportRow {
                keys: vec![Some("evil\u{1b}]0;PWNED\u{7}\u{9b}2J".into())],
                cost: Money(1_000_000_000),
                shared_in: Money::ZERO,
            }],
            total: Money(1_000_000_000),
            sharing: false,
        }
    }

    #[test]
    fn control_characters_reach_a_terminal_only_escaped() {
        let r = hostile();
        for format in [Format::Table, Format::Csv, Format::Json] {
            let out = r.render(format, true);
            assert!(
                !out.chars().any(|c| c.is_control() && c != '\n'),
                "{format:?}: {out:?}"
            );
        }
        assert!(
            r.render(Format::Table, false)
                .contains("evil\\e]0;PWNED\\x07\\u{9b}2J")
        );
        assert!(
            r.render(Format::Csv, true)
                .contains("evil\\e]0;PWNED\\x07\\u{9b}2J")
        );
        // JSON escaped for a terminal is still the same JSON.
        let json: serde_json::Value = serde_json::from_str(&r.render(Format::Json, true)).unwrap();
        assert_eq!(
            json["rows"][0]["namespace"],
            "evil\u{1b}]0;PWNED\u{7}\u{9b}2J"
        );
        // To a pipe CSV and JSON are the data as it is.
        assert!(
            r.render(Format::Csv, false)
                .contains("evil\u{1b}]0;PWNED\u{7}\u{9b}2J")
        );
    }
}
