//! Stages 4 to 8 and the result: which instances are cluster nodes, line items billed where
//! placed, node rows as idle, pods priced from their split cost, idle = node − pods, and the
//! facts columns — the SQL twin of [`crate::facts::Aggregator::add`] and
//! [`crate::facts::Partial::finish`].

use std::fmt::Write as _;

use super::builder::Builder;
use super::{KEY_COLUMNS, METRICS, ident, literal};
use crate::cur::columns::Field;
use crate::cur::line_item::product;
use crate::facts::Basis;
use crate::facts::PODS_BEYOND_NODE_COST;

/// The column lists the aggregating stages share.
pub(super) struct StageColumns {
    /// Every key column, labels included (`day, category, …, label_0`).
    keys: String,
    /// `label_0`, `label_1`, …
    labels: Vec<String>,
    /// The labels as a trailing list (`, label_0, label_1`), empty without labels.
    label_cols: String,
    /// `SUM(m) AS m` for each metric, then the quantity's.
    sums: String,
    /// The row counts a group carries.
    counts: &'static str,
}

impl Builder<'_, '_> {
    pub(super) fn stage_columns(&self) -> StageColumns {
        let labels = self.labels();
        let label_cols = if labels.is_empty() {
            String::new()
        } else {
            format!(", {}", labels.join(", "))
        };
        StageColumns {
            keys: self.keys(),
            labels,
            label_cols,
            sums: format!(
                "{}, SUM(quantity) AS quantity",
                METRICS.map(|m| format!("SUM({m}) AS {m}")).join(", ")
            ),
            counts: "COUNT(*) AS line_items, MAX(sub_daily) AS sub_daily",
        }
    }

    /// Stage 4, `node_cluster`: which EC2 instances are cluster nodes — parents of pods (their
    /// ARN's cluster), else instances with a cluster tag; the first cluster by name should data
    /// name several, as [`crate::facts::Partial::finish`] resolves them.
    pub(super) fn node_cluster(s: &mut String) {
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
    }

    /// Stage 5, `billed`: line items billed where they were placed (`RowKind::Billed` in
    /// [`crate::facts::Aggregator::add`]), summed per key.
    pub(super) fn billed(s: &mut String, c: &StageColumns) {
        let StageColumns {
            label_cols,
            sums,
            counts,
            ..
        } = c;
        let _ = write!(
            s,
            "billed AS (\n  \
             SELECT day, category, basis, account, service, usage_type, cluster, namespace, workload_kind, \
             workload, pod, container, '' AS node, resource, env{label_cols},\n    {sums}, {counts}\n  \
             FROM placed WHERE kind = 'billed'\n  \
             GROUP BY day, category, basis, account, service, usage_type, cluster, namespace, \
             workload_kind, workload, pod, container, resource, env{label_cols}\n),\n"
        );
    }

    /// Stage 6, `nodes` and `node_day`: a node's rows are its cluster's idle (no namespace,
    /// workload, pod or container); other instances stay where their tags put them. Then each
    /// node-day's total, which prices its pods ([`crate::facts::Partial::finish`]).
    pub(super) fn nodes(s: &mut String, c: &StageColumns) {
        let StageColumns {
            keys,
            labels,
            sums,
            counts,
            ..
        } = c;
        let _ = write!(
            s,
            "nodes AS (\n  SELECT {keys},\n    {sums}, {counts}\n  FROM (\n    SELECT p.day, \
             CASE WHEN nc.node IS NULL THEN p.category ELSE 'idle' END AS category, p.basis, \
             p.account, p.service, p.usage_type,\n      \
             CASE WHEN nc.node IS NULL THEN p.cluster ELSE nc.cluster END AS cluster,\n      \
             CASE WHEN nc.node IS NULL THEN p.namespace ELSE '' END AS namespace,\n      \
             CASE WHEN nc.node IS NULL THEN p.workload_kind ELSE '' END AS workload_kind,\n      \
             CASE WHEN nc.node IS NULL THEN p.workload ELSE '' END AS workload,\n      \
             CASE WHEN nc.node IS NULL THEN p.pod ELSE '' END AS pod,\n      \
             CASE WHEN nc.node IS NULL THEN p.container ELSE '' END AS container,\n      \
             CASE WHEN nc.node IS NULL THEN '' ELSE p.resource END AS node,\n      \
             p.resource, p.env{p_labels}, p.sub_daily, p.unblended, p.amortized, p.net_amortized, \
             p.on_demand, p.quantity\n    \
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
    }

    /// Stage 7, `pod_rows` and `pods`: pods cost their split cost; metrics without a split
    /// column follow the node's ratio of that metric to amortized. Pod rows with neither a node
    /// nor a cost are dropped ([`crate::facts::Aggregator::add`],
    /// [`crate::facts::Partial::finish`]).
    pub(super) fn pods(&self, s: &mut String, c: &StageColumns) {
        let StageColumns {
            keys,
            label_cols,
            counts,
            ..
        } = c;
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
             SELECT day, 'pod' AS category, 'usage' AS basis, account, service, usage_type, \
             cluster, namespace, workload_kind, workload, pod, container, split_parent AS node, \
             resource, env{label_cols},\n    \
             SUM(split_cost) AS amortized, SUM(split_net) AS net_amortized, \
             SUM(split_on_demand) AS on_demand, SUM(split_usage) AS quantity, {counts}\n  \
             FROM placed WHERE kind = 'pod' AND NOT (split_parent = '' AND split_cost = 0E0)\n  \
             GROUP BY day, account, service, usage_type, cluster, namespace, workload_kind, \
             workload, pod, container, split_parent, resource, env{label_cols}\n),\n\
             pods AS (\n  SELECT {p_keys},\n    \
             {unblended} AS unblended, p.amortized, {net} AS net_amortized, {on_demand} AS on_demand,\n    \
             p.quantity, p.line_items, p.sub_daily\n  \
             FROM pod_rows p LEFT JOIN node_day d ON d.day = p.day AND d.node = p.node\n),\n",
            p_keys = prefixed("p", keys),
            unblended = derived("unblended"),
        );
    }

    /// Stage 8, `pod_day`, `anchored` and `facts`: idle = node − pods. What each node-day's
    /// pods used comes off its largest idle row as a `pod-use` row of that row's key (the
    /// node's rows keep its cost and hours) up to the node's cost, what they claim beyond it
    /// (per metric) is a negative unallocated row of usage type [`PODS_BEYOND_NODE_COST`]
    /// (idle never goes negative); pods whose node has no rows that day leave a
    /// negative unallocated `pod-use` row (they stay pod cost; idle never goes negative), so
    /// the bill totals ([`crate::facts::Partial::finish`]). `facts` is every placed row:
    /// billed, instances (idle or not), pods, what the pods use, those orphans.
    pub(super) fn idle(s: &mut String, c: &StageColumns) {
        let StageColumns {
            labels,
            label_cols,
            sums,
            ..
        } = c;
        let _ = write!(
            s,
            "pod_day AS (\n  SELECT day, node, MIN(cluster) AS cluster, {sums}\n  FROM pods\n  \
             GROUP BY day, node\n),\n\
             anchored AS (\n  SELECT nodes.*, row_number() OVER (PARTITION BY day, node \
             ORDER BY abs(amortized) DESC, account, service, usage_type, cluster, namespace, \
             workload_kind, workload, pod, container, node, resource, env{label_cols}, basis) \
             AS size_rank\n  FROM nodes WHERE category = 'idle'\n),\n"
        );
        let negated = METRICS.map(|m| format!("-u.{m}")).join(", ");
        let mut anchor_keys: Vec<String> = KEY_COLUMNS
            .iter()
            .map(|k| {
                if *k == "basis" {
                    format!("{} AS basis", literal(Basis::PodUse.name()))
                } else {
                    format!("a.{k}")
                }
            })
            .collect();
        anchor_keys.extend(labels.iter().map(|l| format!("a.{l}")));
        let anchor_keys = anchor_keys.join(", ");
        let orphan_keys = unallocated_pod_use_keys(labels.len(), "''");
        let beyond_keys = unallocated_pod_use_keys(labels.len(), &literal(PODS_BEYOND_NODE_COST));
        let used = METRICS.map(|m| format!("-LEAST(u.{m}, d.{m})")).join(", ");
        let beyond = METRICS
            .map(|m| format!("-GREATEST(u.{m} - d.{m}, 0E0)"))
            .join(", ");
        let any_beyond = METRICS.map(|m| format!("u.{m} > d.{m}")).join(" OR ");
        let anchored_pods = "FROM anchored a JOIN pod_day u ON u.day = a.day AND u.node = a.node \
             JOIN node_day d ON d.day = a.day AND d.node = a.node\n  WHERE a.size_rank = 1";
        let _ = write!(
            s,
            "facts AS (\n  SELECT * FROM billed\n  UNION ALL\n  \
             SELECT * FROM nodes\n  UNION ALL\n  SELECT * FROM pods\n  UNION ALL\n  \
             SELECT {anchor_keys},\n    {used}, 0E0, 0, 0\n  {anchored_pods}\n  \
             UNION ALL\n  SELECT {beyond_keys},\n    {beyond}, 0E0, 0, 0\n  {anchored_pods} \
             AND ({any_beyond})\n  \
             UNION ALL\n  SELECT {orphan_keys},\n    {negated}, 0E0, 0, 0\n  FROM pod_day u\n  \
             WHERE NOT EXISTS (SELECT 1 FROM anchored a WHERE a.day = u.day AND a.node = u.node)\n)\n"
        );
    }

    /// The result, columns named after the facts fields (read back by
    /// [`crate::source::athena::results::ResultRows`] in [`super::result_columns`] order).
    pub(super) fn result(&self, s: &mut String) {
        let mut out: Vec<String> = KEY_COLUMNS.iter().map(|s| (*s).to_string()).collect();
        for (i, name) in self.q.plan.label_names().iter().enumerate() {
            out.push(format!("label_{i} AS {}", ident(name)));
        }
        out.extend(METRICS.map(String::from));
        out.push("quantity".into());
        out.push("line_items".into());
        out.push("sub_daily".into());
        let _ = write!(s, "SELECT {}\nFROM facts", out.join(", "));
    }
}

/// `keys` (`day, category, …`) with each column qualified by `table` (`p.day, p.category, …`).
fn prefixed(table: &str, keys: &str) -> String {
    keys.split(", ")
        .map(|k| format!("{table}.{k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key of a negative unallocated `pod-use` row of a node-day's pods: its day, the EC2
/// service, `usage_type` (a SQL expression: `''` for pods whose node has no rows that day,
/// [`PODS_BEYOND_NODE_COST`] for what pods claim beyond their node's cost) and the node,
/// everything else empty.
fn unallocated_pod_use_keys(labels: usize, usage_type: &str) -> String {
    let mut k = vec![
        "u.day".to_string(),
        "'unallocated'".into(),
        literal(Basis::PodUse.name()),
        "''".into(),
        literal(product::AMAZON_EC2),
        usage_type.to_string(),
        "''".into(),
    ];
    k.extend(std::iter::repeat_n("''".to_string(), 5));
    k.push("u.node".into());
    k.push("''".into());
    k.push("''".into());
    k.extend(std::iter::repeat_n("''".to_string(), labels));
    k.join(", ")
}
