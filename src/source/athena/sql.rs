//! The Athena table's schema, and the one SQL query that turns its line items into facts rows
//! with the same rules as the local reader (`docs/allocation.md`): every line item type, AWS's
//! amortized CASE, EKS pod rows as an overlay whose split cost comes off its node, idle = node −
//! pods (on the node-day's largest row), Kubernetes tags for out-of-cluster resources.
//!
//! Only columns the table has are referenced; identifiers and literals that come from the
//! config (database, table, tag keys, label names) are quoted and escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::Datelike as _;

use crate::cur::attribution::TagPlan;
use crate::cur::columns::{Field, REQUIRED, field_of, normalize};
use crate::cur::line_item::ColumnSet;
use crate::cur::time::{Day, date_of};

/// The SQL engine the query is written for. They differ only in how a map is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Amazon Athena (Trino): `element_at(map, key)`.
    Athena,
    /// `DuckDB`, used by the tests to run the query over the same Parquet files:
    /// `map_extract_value(map, key)`.
    DuckDb,
}

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

    fn has_field(&self, field: Field) -> bool {
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
            "line_items",
            "sub_daily",
        ]
        .map(String::from),
    );
    cols
}

/// The dimension columns every stage carries, in result order (labels follow).
const KEY_COLUMNS: [&str; 14] = [
    "day",
    "category",
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
    let b = Builder { q };
    Ok(b.build())
}

struct Builder<'q, 'a> {
    q: &'q QuerySpec<'a>,
}

impl Builder<'_, '_> {
    fn has(&self, f: Field) -> bool {
        self.q.schema.has_field(f)
    }

    /// A text column, `''` when absent or null.
    fn text(&self, f: Field) -> String {
        if self.has(f) {
            format!("COALESCE({}, '')", ident(f.column_name()))
        } else {
            "''".into()
        }
    }

    /// A money column, 0 when absent or null.
    fn money(&self, f: Field) -> String {
        if self.has(f) {
            format!("COALESCE({}, 0E0)", ident(f.column_name()))
        } else {
            "0E0".into()
        }
    }

    /// The value of tag id `id` (`user_kubernetes_namespace`), `''` when absent.
    fn tag(&self, id: &str) -> String {
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

    /// AWS's amortized CASE over the gross or the net columns (`cur::metrics`).
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
             WHEN {t} = 'SavingsPlanCoveredUsage' THEN {sp}\n      \
             WHEN {t} = 'SavingsPlanRecurringFee' THEN {total} - {used}\n      \
             WHEN {t} IN ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') THEN 0E0\n      \
             WHEN {t} = 'DiscountedUsage' THEN {ri}\n      \
             WHEN {t} = 'RIFee' THEN {upfront} + {recurring}\n      \
             WHEN {t} = 'Fee' AND {arn} <> '' THEN 0E0\n      \
             ELSE {default}\n    END",
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

    /// The first non-empty of the tags at `idx` (tag columns `tag_N` of the first stage).
    fn first(idx: &[usize]) -> String {
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

    fn labels(&self) -> Vec<String> {
        (0..self.q.plan.labels.len())
            .map(|i| format!("label_{i}"))
            .collect()
    }

    /// The key columns of a stage (labels as `label_N`).
    fn keys(&self) -> String {
        let mut k: Vec<String> = KEY_COLUMNS.iter().map(|s| (*s).to_string()).collect();
        k.extend(self.labels());
        k.join(", ")
    }

    fn where_clause(&self) -> String {
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

    fn build(&self) -> String {
        let q = self.q;
        let plan = q.plan;
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

        // 1. The line items: the columns curtop reads, and the four metrics.
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
        for (i, id) in plan.ids.iter().enumerate() {
            li.push(format!("{} AS tag_{i}", self.tag(id)));
        }
        li.push(format!("{} AS unblended", self.money(Field::UnblendedCost)));
        li.push(format!("{} AS amortized", self.amortized_case(false)));
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
        li.push(format!("{net} AS net_amortized"));
        li.push(format!(
            "CASE WHEN {} = 'SavingsPlanNegation' THEN 0E0 ELSE {} END AS on_demand",
            ident(Field::LineItemType.column_name()),
            self.money(Field::PublicOnDemandCost)
        ));
        let split = self.money(Field::SplitCost);
        li.push(format!("{split} AS split_cost"));
        for (f, name) in [
            (Field::SplitNetSplitCost, "split_net"),
            (Field::SplitPublicOnDemandSplitCost, "split_on_demand"),
        ] {
            if self.has(f) {
                li.push(format!(
                    "COALESCE({}, {split}) AS {name}",
                    ident(f.column_name())
                ));
            } else {
                li.push(format!("{split} AS {name}"));
            }
        }
        let _ = write!(
            s,
            "WITH\nline_items AS (\n  SELECT\n    {}\n  FROM {}{}\n),\n",
            li.join(",\n    "),
            q.table.sql(),
            self.where_clause()
        );

        // 2. Pod and cluster ARNs parsed.
        let pod_re = "'^arn:[^:]*:eks:[^:]*:[^:]*:pod/([^/]+)/([^/]+)/([^/]+)'";
        let cluster_re = "'^arn:[^:]*:eks:[^:]*:[^:]*:cluster/([^/]+)$'";
        let _ = write!(
            s,
            "parsed AS (\n  SELECT *,\n    \
             COALESCE(regexp_extract(resource, {pod_re}, 1), '') AS arn_cluster,\n    \
             COALESCE(regexp_extract(resource, {pod_re}, 2), '') AS arn_namespace,\n    \
             COALESCE(regexp_extract(resource, {pod_re}, 3), '') AS arn_pod,\n    \
             COALESCE(regexp_extract(resource, {cluster_re}, 1), '') AS arn_control_plane\n  \
             FROM line_items\n),\n"
        );

        // 3. Each line item placed (cur::attribution::classify).
        let eks = |i: usize| Self::first(&plan.eks[i..=i]);
        let eks_cluster = Self::first(&plan.eks[0..2]);
        let tag_cluster = Self::first(&plan.cluster);
        let tag_namespace = Self::first(&plan.namespace);
        let workload_tags = [
            (Self::first(&plan.deployment), "Deployment"),
            (Self::first(&plan.daemonset), "DaemonSet"),
            (Self::first(&plan.statefulset), "StatefulSet"),
        ];
        let tag_pod = Self::first(&plan.pod);
        let tag_container = Self::first(&plan.container);
        let mut tag_kind = String::from("CASE");
        let mut tag_workload = String::from("CASE");
        for (expr, kind) in &workload_tags {
            let _ = write!(tag_kind, " WHEN {expr} <> '' THEN '{kind}'");
            let _ = write!(tag_workload, " WHEN {expr} <> '' THEN {expr}");
        }
        tag_kind.push_str(" ELSE '' END");
        tag_workload.push_str(" ELSE '' END");
        let is_pod_split = "operation = 'EKSPod-EC2'";
        let is_eks_pod = "service = 'AmazonEKS' AND arn_pod <> ''";
        let is_control = "service = 'AmazonEKS' AND arn_control_plane <> ''";
        let tagged = format!(
            "{tag_cluster} <> '' OR {tag_namespace} <> '' OR ({tag_workload}) <> '' OR \
             {tag_pod} <> '' OR {tag_container} <> ''"
        );
        let eks_workload = format!(
            "CASE WHEN {dep} <> '' THEN {dep} ELSE {name} END",
            dep = eks(6),
            name = eks(5)
        );
        let eks_kind = format!(
            "CASE WHEN {dep} <> '' THEN 'Deployment' WHEN {name} <> '' THEN {ty} ELSE '' END",
            dep = eks(6),
            name = eks(5),
            ty = eks(4)
        );
        let mut placed = vec![
            "day".to_string(),
            "sub_daily".into(),
            "account".into(),
            "service".into(),
            "usage_type".into(),
            "resource".into(),
            "split_parent".into(),
            format!(
                "CASE\n      WHEN {is_pod_split} THEN 'pod'\n      \
                 WHEN operation = 'ECSTask-EC2' THEN 'overlay'\n      \
                 WHEN ({is_eks_pod}) OR ({is_control}) THEN 'billed'\n      \
                 WHEN service = 'AmazonEC2' AND resource LIKE 'i-%' THEN 'node'\n      \
                 ELSE 'billed'\n    END AS kind"
            ),
            format!(
                "CASE\n      WHEN {is_pod_split} OR ({is_eks_pod}) THEN 'pod'\n      \
                 WHEN {is_control} THEN 'control-plane'\n      \
                 WHEN {tagged} THEN 'external'\n      \
                 ELSE 'unallocated'\n    END AS category"
            ),
            format!(
                "CASE\n      WHEN arn_pod <> '' AND (({is_pod_split}) OR service = 'AmazonEKS') \
                 THEN arn_cluster\n      \
                 WHEN {is_pod_split} THEN {eks_cluster}\n      \
                 WHEN {is_control} THEN arn_control_plane\n      \
                 ELSE {tag_cluster}\n    END AS cluster"
            ),
            format!(
                "CASE\n      WHEN arn_pod <> '' AND (({is_pod_split}) OR service = 'AmazonEKS') \
                 THEN arn_namespace\n      \
                 WHEN {is_pod_split} THEN {ns}\n      \
                 WHEN {is_control} THEN ''\n      \
                 ELSE {tag_namespace}\n    END AS namespace",
                ns = eks(2)
            ),
            format!(
                "CASE\n      WHEN {is_pod_split} THEN {eks_kind}\n      \
                 WHEN ({is_eks_pod}) OR ({is_control}) THEN ''\n      \
                 ELSE {tag_kind}\n    END AS workload_kind"
            ),
            format!(
                "CASE\n      WHEN {is_pod_split} THEN {eks_workload}\n      \
                 WHEN ({is_eks_pod}) OR ({is_control}) THEN ''\n      \
                 ELSE {tag_workload}\n    END AS workload"
            ),
            format!(
                "CASE\n      WHEN ({is_pod_split}) OR ({is_eks_pod}) THEN arn_pod\n      \
                 WHEN {is_control} THEN ''\n      \
                 ELSE {tag_pod}\n    END AS pod"
            ),
            format!(
                "CASE WHEN ({is_pod_split}) OR ({is_eks_pod}) OR ({is_control}) THEN '' \
                 ELSE {tag_container} END AS container"
            ),
            format!("{eks_cluster} AS node_cluster_tag"),
            format!("{} AS env", Self::first(&plan.env)),
        ];
        for (i, (_, idx)) in plan.labels.iter().enumerate() {
            placed.push(format!("{} AS label_{i}", Self::first(idx)));
        }
        placed.extend(
            [
                "unblended",
                "amortized",
                "net_amortized",
                "on_demand",
                "split_cost",
                "split_net",
                "split_on_demand",
            ]
            .map(String::from),
        );
        let _ = write!(
            s,
            "placed AS (\n  SELECT\n    {}\n  FROM parsed\n),\n",
            placed.join(",\n    ")
        );

        let keys = self.keys();
        let labels = self.labels();
        let label_cols = if labels.is_empty() {
            String::new()
        } else {
            format!(", {}", labels.join(", "))
        };
        let sums = METRICS.map(|m| format!("SUM({m}) AS {m}")).join(", ");
        let counts = "COUNT(*) AS line_items, MAX(sub_daily) AS sub_daily";

        // 4. Which EC2 instances are cluster nodes: parents of pods (their ARN's cluster), else
        //    instances with a cluster tag; the first cluster by name should data name several.
        let _ = write!(
            s,
            "node_cluster AS (\n  \
             SELECT node, COALESCE(MIN(pod_cluster), MIN(tag_cluster)) AS cluster\n  \
             FROM (\n    \
             SELECT split_parent AS node, cluster AS pod_cluster, CAST(NULL AS VARCHAR) AS tag_cluster\n    \
             FROM placed WHERE kind = 'pod' AND split_parent <> ''\n    \
             UNION ALL\n    \
             SELECT resource, CAST(NULL AS VARCHAR), node_cluster_tag\n    \
             FROM placed WHERE kind = 'node' AND node_cluster_tag <> ''\n  \
             ) claims\n  GROUP BY node\n),\n"
        );

        // 5. Line items billed where they were placed.
        let _ = write!(
            s,
            "billed AS (\n  \
             SELECT day, category, account, service, usage_type, cluster, namespace, workload_kind, \
             workload, pod, container, '' AS node, resource, env{label_cols},\n    {sums}, {counts}\n  \
             FROM placed WHERE kind = 'billed'\n  \
             GROUP BY day, category, account, service, usage_type, cluster, namespace, \
             workload_kind, workload, pod, container, resource, env{label_cols}\n),\n"
        );

        // 6. EC2 instance rows: a node's rows are its cluster's idle; other instances stay
        //    where their tags put them.
        let _ = write!(
            s,
            "nodes AS (\n  SELECT {keys},\n    {sums}, {counts}\n  FROM (\n    SELECT p.day, \
             CASE WHEN nc.node IS NULL THEN p.category ELSE 'idle' END AS category, p.account, \
             p.service, p.usage_type,\n      \
             CASE WHEN nc.node IS NULL THEN p.cluster ELSE nc.cluster END AS cluster,\n      \
             CASE WHEN nc.node IS NULL THEN p.namespace ELSE '' END AS namespace,\n      \
             CASE WHEN nc.node IS NULL THEN p.workload_kind ELSE '' END AS workload_kind,\n      \
             CASE WHEN nc.node IS NULL THEN p.workload ELSE '' END AS workload,\n      \
             CASE WHEN nc.node IS NULL THEN p.pod ELSE '' END AS pod,\n      \
             CASE WHEN nc.node IS NULL THEN p.container ELSE '' END AS container,\n      \
             CASE WHEN nc.node IS NULL THEN '' ELSE p.resource END AS node,\n      \
             p.resource, p.env{p_labels}, p.sub_daily, p.unblended, p.amortized, p.net_amortized, \
             p.on_demand\n    \
             FROM placed p LEFT JOIN node_cluster nc ON nc.node = p.resource\n    \
             WHERE p.kind = 'node'\n  ) n\n  GROUP BY {keys}\n),\n",
            p_labels = labels.iter().fold(String::new(), |mut acc, l| {
                let _ = write!(acc, ", p.{l}");
                acc
            }),
        );
        let _ = write!(
            s,
            "node_day AS (\n  SELECT day, node, {sums}\n  FROM nodes WHERE node <> ''\n  \
             GROUP BY day, node\n),\n"
        );

        // 7. Pods: their split cost; metrics without a split column follow the node's ratio of
        //    that metric to amortized. Pod rows with neither a node nor a cost are dropped.
        let derived = |m: &str| {
            format!(
                "CASE WHEN COALESCE(d.amortized, 0E0) = 0E0 THEN 0E0 \
                 ELSE p.amortized * d.{m} / d.amortized END"
            )
        };
        let net = if self.has(Field::SplitNetSplitCost) {
            "p.net_amortized".to_string()
        } else {
            derived("net_amortized")
        };
        let on_demand = if self.has(Field::SplitPublicOnDemandSplitCost) {
            "p.on_demand".to_string()
        } else {
            derived("on_demand")
        };
        let _ = write!(
            s,
            "pod_rows AS (\n  \
             SELECT day, 'pod' AS category, account, service, usage_type, cluster, namespace, \
             workload_kind, workload, pod, container, split_parent AS node, resource, env{label_cols},\n    \
             SUM(split_cost) AS amortized, SUM(split_net) AS net_amortized, \
             SUM(split_on_demand) AS on_demand, {counts}\n  \
             FROM placed WHERE kind = 'pod' AND NOT (split_parent = '' AND split_cost = 0E0)\n  \
             GROUP BY day, account, service, usage_type, cluster, namespace, workload_kind, \
             workload, pod, container, split_parent, resource, env{label_cols}\n),\n\
             pods AS (\n  SELECT {p_keys},\n    \
             {unblended} AS unblended, p.amortized, {net} AS net_amortized, {on_demand} AS on_demand,\n    \
             p.line_items, p.sub_daily\n  \
             FROM pod_rows p LEFT JOIN node_day d ON d.day = p.day AND d.node = p.node\n),\n",
            p_keys = keys
                .split(", ")
                .map(|k| format!("p.{k}"))
                .collect::<Vec<_>>()
                .join(", "),
            unblended = derived("unblended"),
        );

        // 8. Idle = node − pods: what each node-day's pods used comes off its largest idle row;
        //    pods whose node has no rows that day leave a negative idle row, so the bill totals.
        let _ = write!(
            s,
            "pod_day AS (\n  SELECT day, node, MIN(cluster) AS cluster, {sums}\n  FROM pods\n  \
             GROUP BY day, node\n),\n\
             anchored AS (\n  SELECT nodes.*, row_number() OVER (PARTITION BY day, node \
             ORDER BY abs(amortized) DESC, account, service, usage_type, cluster, namespace, \
             workload_kind, workload, pod, container, node, resource, env{label_cols}) AS size_rank\n  \
             FROM nodes WHERE category = 'idle'\n),\n"
        );
        let minus = METRICS
            .map(|m| {
                format!("a.{m} - CASE WHEN a.size_rank = 1 THEN COALESCE(u.{m}, 0E0) ELSE 0E0 END AS {m}")
            })
            .join(",\n    ");
        let a_keys = keys
            .split(", ")
            .map(|k| format!("a.{k}"))
            .collect::<Vec<_>>()
            .join(", ");
        let orphan_keys = {
            let mut k = vec![
                "u.day".to_string(),
                "'idle'".into(),
                "''".into(),
                "'AmazonEC2'".into(),
                "''".into(),
                "u.cluster".into(),
            ];
            k.extend(std::iter::repeat_n("''".to_string(), 5));
            k.push("u.node".into());
            k.push("''".into());
            k.push("''".into());
            k.extend(std::iter::repeat_n("''".to_string(), labels.len()));
            k.join(", ")
        };
        let negated = METRICS.map(|m| format!("-u.{m}")).join(", ");
        let _ = write!(
            s,
            "facts AS (\n  SELECT * FROM billed\n  UNION ALL\n  \
             SELECT * FROM nodes WHERE category <> 'idle'\n  UNION ALL\n  \
             SELECT {a_keys},\n    {minus},\n    a.line_items, a.sub_daily\n  \
             FROM anchored a LEFT JOIN pod_day u ON u.day = a.day AND u.node = a.node\n  \
             UNION ALL\n  SELECT * FROM pods\n  UNION ALL\n  \
             SELECT {orphan_keys},\n    {negated}, 0, 0\n  FROM pod_day u\n  \
             WHERE NOT EXISTS (SELECT 1 FROM anchored a WHERE a.day = u.day AND a.node = u.node)\n)\n"
        );

        // The result, columns named after the facts fields.
        let mut out: Vec<String> = KEY_COLUMNS.iter().map(|s| (*s).to_string()).collect();
        for (i, name) in plan.label_names().iter().enumerate() {
            out.push(format!("label_{i} AS {}", ident(name)));
        }
        out.extend(METRICS.map(String::from));
        out.push("line_items".into());
        out.push("sub_daily".into());
        let _ = write!(s, "SELECT {}\nFROM facts", out.join(", "));
        s
    }
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
