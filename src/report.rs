//! `curtop report`: facts grouped by dimensions over a window, as an aligned table, CSV, JSON
//! or markdown; with `--compare`, each group's previous cost, Δ and the Δ's parts
//! ([`crate::alloc::change`]). The same core as the dashboard, without a terminal. A bill in
//! several currencies is grouped by currency first, with a total per currency and none over
//! them (currencies are never added).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::str::FromStr;

use rustc_hash::FxHashMap;

use crate::alloc::View;
use crate::alloc::change::{Change, Part, Parts};
use crate::cur::metrics::Metric;
use crate::cur::money::{Money, Unit};
use crate::cur::time::{Day, date_of};
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
    /// The account's display name where the bill gives it (FOCUS `SubAccountName`).
    AccountName,
    Resource,
    Day,
    Env,
    /// Whose bill (FOCUS `ProviderName`; `AWS` for a CUR).
    Provider,
    /// The amounts' currency (FOCUS `BillingCurrency`; none for a CUR).
    Currency,
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
            "account-name" => Dimension::AccountName,
            "resource" => Dimension::Resource,
            "day" => Dimension::Day,
            "env" | "environment" => Dimension::Env,
            "provider" => Dimension::Provider,
            "currency" => Dimension::Currency,
            _ => {
                return Err(format!(
                    "unknown dimension `{s}`; expected cluster, namespace, workload, \
                     workload-kind, pod, container, node, category, service, usage-type, \
                     account, account-name, resource, day, env, provider, currency, label:NAME \
                     or tag:KEY"
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
            Dimension::AccountName => "account_name".into(),
            Dimension::Resource => "resource".into(),
            Dimension::Day => "day".into(),
            Dimension::Env => "env".into(),
            Dimension::Provider => "provider".into(),
            Dimension::Currency => "currency".into(),
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
    /// A GitHub-flavoured markdown table (a Slack message, a ticket, `$GITHUB_STEP_SUMMARY`).
    Markdown,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err(format!(
                "unknown output format `{s}`; expected table, csv, json or markdown"
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
    /// Highest cost first; with a comparison, largest |Δ| first.
    pub rows: Vec<ReportRow>,
    /// The rows' sum; not shown for a bill in several currencies (see `currency_at`).
    pub total: Money,
    /// For a bill in several currencies: the position of the currency among `dims` (the
    /// groups are by currency first). Each currency then has its own total, and there is no
    /// grand total.
    pub currency_at: Option<usize>,
    /// The bill's one currency (FOCUS `BillingCurrency`; "" for a CUR, in US dollars) when
    /// it has one; with several the rows name theirs (`currency_at`).
    pub currency: String,
    /// The comparison with the previous window, when asked for.
    pub compare: Option<Compare>,
    /// The facts had shared-in rows (sharing rules applied): the shared-in amounts are shown.
    pub sharing: bool,
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    /// Values per dimension, `None` = no value.
    pub key: Vec<Option<String>>,
    pub cost: Money,
    /// Cost in the previous window (zero without a comparison).
    pub previous: Money,
    /// The Δ's parts (zero without a comparison).
    pub parts: Parts,
    /// Has cost on provisional days (billing lag: they may still change).
    pub provisional: bool,
    /// What sharing rules brought into `cost`.
    pub shared_in: Money,
}

impl ReportRow {
    /// A row of `key` with nothing in it yet.
    fn empty(key: Vec<Option<String>>) -> ReportRow {
        ReportRow {
            key,
            cost: Money::ZERO,
            previous: Money::ZERO,
            parts: Parts::ZERO,
            provisional: false,
            shared_in: Money::ZERO,
        }
    }
}

/// What a comparing report compares with.
#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    pub previous: Window,
    pub previous_total: Money,
    pub parts: Parts,
    /// Days from here on are provisional: included in the current window, and marked.
    pub provisional_from: Day,
}

/// How to read one dimension off a fact row.
enum Getter {
    Dim(Dim),
    Category,
    Day,
    Label(usize),
    AccountName,
    Missing,
}

/// How each dimension's value is read from a fact row.
fn getters(facts: &Facts, dims: &[Dimension]) -> Vec<Getter> {
    dims.iter()
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
            Dimension::AccountName => Getter::AccountName,
            Dimension::Resource => Getter::Dim(Dim::Resource),
            Dimension::Env => Getter::Dim(Dim::Env),
            Dimension::Provider => Getter::Dim(Dim::Provider),
            Dimension::Currency => Getter::Dim(Dim::Currency),
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
        .collect()
}

/// Groups facts in the window by the dimensions.
pub fn build(facts: &Facts, window: Window, metric: Metric, dims: &[Dimension]) -> Report {
    let view = View {
        window,
        metric,
        provisional_from: Day::MAX,
        top: crate::alloc::LevelKind::Clusters,
    };
    group(facts, &view, dims, None)
}

/// Groups facts of the view's window and the one before it by the dimensions, with each
/// group's previous cost and the parts of its Δ. Provisional days are kept (so the Δ is the
/// dashboard's and the parts add up to it) and the groups with cost on them are marked.
pub fn build_compare(facts: &Facts, view: &View, dims: &[Dimension]) -> Report {
    let change = Change::new(facts, view);
    group(facts, view, dims, Some(&change))
}

/// The one grouping both reports share. A bill in several currencies is grouped by currency
/// first, unless `dims` name it.
fn group(facts: &Facts, view: &View, dims: &[Dimension], change: Option<&Change>) -> Report {
    let (window, metric) = (view.window, view.metric);
    let mut dims = dims.to_vec();
    let currency_at = facts.mixed_currencies().map(|_| {
        dims.iter()
            .position(|d| *d == Dimension::Currency)
            .unwrap_or_else(|| {
                dims.insert(0, Dimension::Currency);
                0
            })
    });
    let dims = dims.as_slice();
    let getters = getters(facts, dims);
    let value = |r: &FactRow, g: &Getter| -> Option<String> {
        let s = match g {
            // Rows no environment rule reaches are a group of their own, named.
            Getter::Dim(Dim::Env) if r.dim(Dim::Env) == NONE => "unassigned".to_string(),
            Getter::Dim(d) => facts.text(r, *d).to_string(),
            Getter::Category => r.category.name().to_string(),
            Getter::Day => date_of(r.day).to_string(),
            Getter::Label(i) => facts.strings.get(r.labels[*i]).to_string(),
            Getter::AccountName => facts
                .account_names
                .get(facts.text(r, Dim::Account))
                .cloned()
                .unwrap_or_default(),
            Getter::Missing => String::new(),
        };
        (!s.is_empty()).then_some(s)
    };
    // What a row is grouped under first: a number per dimension (its symbol, category, day),
    // so that no text is made or hashed per fact row. Different numbers can name the same
    // group (no environment is `unassigned` by name, two accounts can share a display name),
    // so the groups are then joined by their texts.
    let number = |r: &FactRow, g: &Getter| -> u32 {
        match g {
            Getter::Dim(d) => r.dim(*d),
            Getter::Category => r.category as u32,
            Getter::Day => r.day.cast_unsigned(),
            Getter::Label(i) => r.labels.get(*i).copied().unwrap_or(NONE),
            Getter::AccountName => r.dim(Dim::Account),
            Getter::Missing => 0,
        }
    };
    // Only a comparison has a previous window (`all` has none to speak of).
    let previous = change.map(|_| window.previous());
    // Each group's sums, and a fact row of it (its texts are the group's).
    let mut numbered: FxHashMap<Box<[u32]>, (usize, ReportRow)> = FxHashMap::default();
    let mut key: Vec<u32> = Vec::with_capacity(getters.len());
    let mut total = Money::ZERO;
    let mut sharing = false;
    for (i, r) in facts.rows.iter().enumerate() {
        let current = window.contains(r.day);
        if !current && !previous.is_some_and(|p| p.contains(r.day)) {
            continue;
        }
        key.clear();
        key.extend(getters.iter().map(|g| number(r, g)));
        let c = r.costs[metric];
        if !numbered.contains_key(key.as_slice()) {
            numbered.insert(key.as_slice().into(), (i, ReportRow::empty(Vec::new())));
        }
        let Some((_, g)) = numbered.get_mut(key.as_slice()) else {
            continue;
        };
        if current {
            g.cost += c;
            total += c;
            if r.shared != NONE {
                g.shared_in += c;
                sharing = true;
            }
            g.provisional |= r.day >= view.provisional_from && c != Money::ZERO;
        } else {
            g.previous += c;
        }
        if let Some(change) = change {
            g.parts += change.row_parts(r);
        }
    }
    let mut groups: HashMap<Vec<Option<String>>, ReportRow> = HashMap::new();
    for (first, sums) in numbered.into_values() {
        let r = &facts.rows[first];
        let key: Vec<Option<String>> = getters.iter().map(|g| value(r, g)).collect();
        let g = groups
            .entry(key.clone())
            .or_insert_with(|| ReportRow::empty(key));
        g.cost += sums.cost;
        g.previous += sums.previous;
        g.parts += sums.parts;
        g.provisional |= sums.provisional;
        g.shared_in += sums.shared_in;
    }
    let mut rows: Vec<ReportRow> = groups
        .into_values()
        .filter(|g| g.cost != Money::ZERO || g.previous != Money::ZERO)
        .collect();
    if change.is_some() {
        rows.sort_by(|a, b| {
            let d = |r: &ReportRow| (r.cost - r.previous).0.unsigned_abs();
            d(b).cmp(&d(a)).then_with(|| a.key.cmp(&b.key))
        });
    } else {
        rows.sort_by(|a, b| b.cost.cmp(&a.cost).then_with(|| a.key.cmp(&b.key)));
    }
    let compare = previous.map(|previous| {
        let mut parts = Parts::ZERO;
        for r in &rows {
            parts += r.parts;
        }
        Compare {
            previous,
            previous_total: rows.iter().map(|r| r.previous).sum(),
            parts,
            provisional_from: view.provisional_from,
        }
    });
    Report {
        window,
        metric,
        dims: dims.to_vec(),
        rows,
        total,
        currency: match currency_at {
            Some(_) => String::new(),
            None => facts
                .rows
                .first()
                .map_or_else(String::new, |r| facts.text(r, Dim::Currency).to_string()),
        },
        currency_at,
        compare,
        sharing,
    }
}

/// The number columns after the dimensions: (header, value of a row) — cost and share, or with
/// a comparison cost, previous, delta and the parts.
type Column<'r> = (&'static str, Box<dyn Fn(&ReportRow) -> Money + 'r>);

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
            Format::Markdown => self.markdown(),
        }
    }

    /// The money columns, by field name.
    fn columns(&self) -> Vec<Column<'_>> {
        let mut cols: Vec<Column<'_>> = vec![("cost", Box::new(|r: &ReportRow| r.cost))];
        if self.sharing {
            cols.push(("shared_in", Box::new(|r: &ReportRow| r.shared_in)));
        }
        if self.compare.is_some() {
            cols.push(("previous", Box::new(|r: &ReportRow| r.previous)));
            cols.push(("delta", Box::new(|r: &ReportRow| r.cost - r.previous)));
            for p in Part::ALL {
                cols.push((p.name(), Box::new(move |r: &ReportRow| r.parts.get(p))));
            }
        }
        cols
    }

    /// The TOTAL rows: one over every row, or for a bill in several currencies one per
    /// currency (its name beside it), over that currency's rows.
    fn totals(&self) -> Vec<(Option<String>, ReportRow)> {
        let Some(at) = self.currency_at else {
            return vec![(None, total_of(self.rows.iter()))];
        };
        let mut currencies: Vec<Option<String>> =
            self.rows.iter().map(|r| r.key[at].clone()).collect();
        currencies.sort();
        currencies.dedup();
        currencies
            .into_iter()
            .map(|c| {
                let t = total_of(self.rows.iter().filter(|r| r.key[at] == c));
                (Some(c.unwrap_or_default()), t)
            })
            .collect()
    }

    /// The header and the body (the rows, then TOTAL, or a TOTAL per currency) as text cells
    /// for the table and markdown forms: dimensions, money columns, and share (or the
    /// provisional mark); and where the totals start in the body.
    fn cells(&self) -> (Vec<String>, Vec<Vec<String>>, usize) {
        let cols = self.columns();
        let mut head: Vec<String> = self.dims.iter().map(|d| d.name().to_uppercase()).collect();
        head.extend(cols.iter().map(|(n, _)| n.to_uppercase().replace('_', " ")));
        let compare = self.compare.is_some();
        head.push(if compare { "PROV" } else { "SHARE" }.into());
        let totals = self.totals();
        // A share is of its currency's total (of the one total for a bill in one).
        let total_of_row = |r: &ReportRow| match self.currency_at {
            Some(at) => totals
                .iter()
                .find(|(c, _)| c.as_deref() == Some(r.key[at].as_deref().unwrap_or("")))
                .map_or(Money::ZERO, |(_, t)| t.cost),
            None => self.total,
        };
        let money = |name: &str, m: Money, unit: Unit| match name {
            "shared_in" if m == Money::ZERO => "-".into(),
            "cost" | "previous" | "shared_in" => m.display_in(unit),
            _ => m.display_signed_in(unit),
        };
        // Amounts in their currency: the row's, for a bill in several.
        let unit_of =
            |currency: Option<&str>| Unit::of(currency.unwrap_or(self.currency.as_str()), false);
        let row_unit = |r: &ReportRow| {
            unit_of(
                self.currency_at
                    .map(|at| r.key[at].as_deref().unwrap_or("")),
            )
        };
        let line = |key: Vec<String>, r: &ReportRow, of: Money, unit: Unit| -> Vec<String> {
            let mut v = key;
            v.extend(cols.iter().map(|(n, f)| money(n, f(r), unit)));
            v.push(if compare {
                if r.provisional { "*" } else { "" }.to_string()
            } else if of.0 == 0 {
                "-".to_string()
            } else {
                format!("{:.1}%", r.cost.0 as f64 * 100.0 / of.0 as f64)
            });
            v
        };
        let mut body: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let key = r
                    .key
                    .iter()
                    .map(|x| {
                        x.as_deref()
                            .map_or_else(|| "-".into(), |v| untrusted::escape(v).into_owned())
                    })
                    .collect();
                line(key, r, total_of_row(r), row_unit(r))
            })
            .collect();
        let first_total = body.len();
        for (currency, t) in &totals {
            let mut total_key: Vec<String> = vec![String::new(); self.dims.len()];
            total_key[0] = match currency {
                Some(c) => format!("TOTAL {}", untrusted::escape(c)),
                None => "TOTAL".into(),
            };
            body.push(line(total_key, t, t.cost, unit_of(currency.as_deref())));
        }
        (head, body, first_total)
    }

    /// The first line: window, metric, row count; with a comparison, what it compares with.
    fn title(&self) -> String {
        let mut t = format!(
            "{} · {} · {} rows",
            self.window,
            self.metric,
            self.rows.len()
        );
        if let Some(c) = &self.compare {
            let _ = write!(t, " · against {}", c.previous);
        }
        if self.currency_at.is_some() {
            let currencies: Vec<String> = self
                .totals()
                .into_iter()
                .filter_map(|(c, _)| c.map(|c| untrusted::escape(&c).into_owned()))
                .collect();
            let _ = write!(
                t,
                " · in {}: never added, a total per currency",
                currencies.join(", ")
            );
        }
        t
    }

    /// What the provisional mark means, when a row has it.
    fn provisional_note(&self) -> Option<String> {
        let c = self.compare.as_ref()?;
        self.rows.iter().any(|r| r.provisional).then(|| {
            format!(
                "* has cost on provisional days (from {}): AWS may still revise them; they are \
                 compared as billed so far, so the parts add up to the Δ",
                date_of(c.provisional_from)
            )
        })
    }

    fn table(&self) -> String {
        let (head, body, first_total) = self.cells();
        let n = head.len();
        let dims = self.dims.len();
        let widths: Vec<usize> = (0..n)
            .map(|i| {
                std::iter::once(&head)
                    .chain(body.iter())
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = format!("{}\n", self.title());
        let line = |out: &mut String, r: &[String]| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i >= dims {
                        format!("{c:>w$}", w = widths[i])
                    } else {
                        format!("{c:<w$}", w = widths[i])
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        };
        line(&mut out, &head);
        for (i, r) in body.iter().enumerate() {
            if i == first_total {
                let _ = writeln!(
                    out,
                    "{}",
                    "-".repeat(widths.iter().sum::<usize>() + 2 * (n - 1))
                );
            }
            line(&mut out, r);
        }
        if let Some(note) = self.provisional_note() {
            let _ = writeln!(out, "{note}");
        }
        out
    }

    /// A markdown table: a bold title line, dimensions left-aligned, figures right-aligned,
    /// `|` in values escaped.
    fn markdown(&self) -> String {
        let (head, body, first_total) = self.cells();
        let dims = self.dims.len();
        let row = |cells: &[String]| -> String {
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |", cells.join(" | "))
        };
        let mut out = format!("**{}**\n\n", self.title());
        let _ = writeln!(out, "{}", row(&head));
        let rule: Vec<String> = (0..head.len())
            .map(|i| if i < dims { "---" } else { "---:" }.to_string())
            .collect();
        let _ = writeln!(out, "| {} |", rule.join(" | "));
        for (i, r) in body.iter().enumerate() {
            if i >= first_total {
                let bold: Vec<String> = r
                    .iter()
                    .map(|c| {
                        if c.is_empty() {
                            String::new()
                        } else {
                            format!("**{c}**")
                        }
                    })
                    .collect();
                let _ = writeln!(out, "{}", row(&bold));
            } else {
                let _ = writeln!(out, "{}", row(r));
            }
        }
        if let Some(note) = self.provisional_note() {
            let _ = writeln!(out, "\n{}", note.replacen('*', "\\*", 1));
        }
        out
    }

    fn csv(&self) -> String {
        let cols = self.columns();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut head: Vec<String> = self.dims.iter().map(Dimension::name).collect();
        head.extend(cols.iter().map(|(n, _)| (*n).to_string()));
        if self.compare.is_some() {
            head.push("provisional".into());
        }
        let _ = w.write_record(&head);
        for r in &self.rows {
            let mut rec: Vec<String> = r
                .key
                .iter()
                .map(|x| x.clone().unwrap_or_default())
                .collect();
            rec.extend(cols.iter().map(|(_, f)| f(r).to_decimal_string()));
            if self.compare.is_some() {
                rec.push(r.provisional.to_string());
            }
            let _ = w.write_record(&rec);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    fn json(&self) -> String {
        use serde_json::{Map, Value, json};
        let cols = self.columns();
        let object = |key: &[Option<String>], r: &ReportRow| -> Map<String, Value> {
            let mut o = Map::new();
            for (d, v) in self.dims.iter().zip(key) {
                o.insert(d.name(), v.clone().map_or(Value::Null, Value::String));
            }
            for (n, f) in &cols {
                o.insert((*n).to_string(), json!(f(r).dollars()));
            }
            if self.compare.is_some() {
                o.insert("provisional".into(), json!(r.provisional));
            }
            o
        };
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| Value::Object(object(&r.key, r)))
            .collect();
        let window = |w: Window| json!({"start": date_of(w.start).to_string(), "end": date_of(w.end).to_string()});
        let totals = self.totals();
        let mut v = json!({
            "window": window(self.window),
            "metric": self.metric.name(),
            "total": self.total.dollars(),
            "rows": rows,
        });
        if self.currency_at.is_some() {
            // No grand total over currencies: a total per currency instead.
            v["total"] = Value::Null;
            v["totals"] = Value::Array(
                totals
                    .iter()
                    .map(|(c, t)| {
                        let mut o = object(&[], t);
                        o.insert("currency".into(), json!(c));
                        Value::Object(o)
                    })
                    .collect(),
            );
        }
        if let Some(c) = &self.compare {
            let mut t = if self.currency_at.is_some() {
                Map::new()
            } else {
                object(&[], &totals[0].1)
            };
            t.insert("window".into(), window(c.previous));
            t.insert(
                "provisional_from".into(),
                json!(date_of(c.provisional_from).to_string()),
            );
            v["previous"] = if self.currency_at.is_some() {
                Value::Null
            } else {
                json!(c.previous_total.dollars())
            };
            v["compare"] = Value::Object(t);
        }
        let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// The TOTAL row of `rows`: their sums, provisional when one of them is.
fn total_of<'r>(rows: impl Iterator<Item = &'r ReportRow>) -> ReportRow {
    let mut t = ReportRow {
        key: Vec::new(),
        cost: Money::ZERO,
        previous: Money::ZERO,
        parts: Parts::ZERO,
        provisional: false,
        shared_in: Money::ZERO,
    };
    for r in rows {
        t.cost += r.cost;
        t.previous += r.previous;
        t.parts += r.parts;
        t.provisional |= r.provisional;
        t.shared_in += r.shared_in;
    }
    t
}

#[cfg(test)]
mod tests;
