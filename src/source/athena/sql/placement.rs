//! Stages 2 and 3, `parsed` and `placed`: the EKS pod and cluster ARNs taken apart, then each
//! line item placed — its kind (pod, overlay, node, billed), category and Kubernetes
//! coordinates — by the rules of [`crate::cur::attribution::classify`].

use std::fmt::Write as _;

use super::builder::Builder;
use super::literal;
use crate::cur::line_item::{INSTANCE_ID_PREFIX, operation, product};

/// The conditions on a `parsed` row that decide which rule of
/// [`crate::cur::attribution::classify`] applies.
struct Rules {
    /// An EKS split pod row ([`crate::cur::attribution::RowKind::PodSplit`]).
    pod_split: String,
    /// A directly billed EKS pod row (Fargate).
    eks_pod: String,
    /// An EKS control plane row.
    control_plane: String,
}

impl Rules {
    fn new() -> Self {
        let eks = literal(product::AMAZON_EKS);
        Self {
            pod_split: format!("operation = {}", literal(operation::EKS_POD_EC2)),
            eks_pod: format!("service = {eks} AND arn_pod <> ''"),
            control_plane: format!("service = {eks} AND arn_control_plane <> ''"),
        }
    }
}

/// The plan's tags as SQL expressions over `tag_N`: the AWS-generated EKS tags of split pod
/// rows, and the mapped Kubernetes tags of out-of-cluster resources.
struct PlanTags {
    eks_cluster: String,
    eks_namespace: String,
    eks_kind: String,
    eks_workload: String,
    tag_cluster: String,
    tag_namespace: String,
    /// The kind of the first workload tag set (deployment, daemonset, statefulset).
    tag_kind: String,
    /// The name of the first workload tag set.
    tag_workload: String,
    tag_pod: String,
    tag_container: String,
}

impl PlanTags {
    fn new(b: &Builder<'_, '_>) -> Self {
        let plan = b.q.plan;
        let first = Builder::first;
        let eks = |i: usize| first(&plan.eks[i..=i]);
        let workload_tags = [
            (first(&plan.deployment), "Deployment"),
            (first(&plan.daemonset), "DaemonSet"),
            (first(&plan.statefulset), "StatefulSet"),
        ];
        let mut tag_kind = String::from("CASE");
        let mut tag_workload = String::from("CASE");
        for (expr, kind) in &workload_tags {
            let _ = write!(tag_kind, " WHEN {expr} <> '' THEN '{kind}'");
            let _ = write!(tag_workload, " WHEN {expr} <> '' THEN {expr}");
        }
        tag_kind.push_str(" ELSE '' END");
        tag_workload.push_str(" ELSE '' END");
        // The deployment tag wins; else the workload name with its type.
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
        Self {
            eks_cluster: first(&plan.eks[0..2]),
            eks_namespace: eks(2),
            eks_kind,
            eks_workload,
            tag_cluster: first(&plan.cluster),
            tag_namespace: first(&plan.namespace),
            tag_kind,
            tag_workload,
            tag_pod: first(&plan.pod),
            tag_container: first(&plan.container),
        }
    }
}

impl Builder<'_, '_> {
    /// The `parsed` CTE: the cluster, namespace and pod of a pod ARN and the cluster of a
    /// cluster ARN, as [`crate::cur::attribution::parse_pod_arn`] and
    /// [`crate::cur::attribution::parse_cluster_arn`] read them (any partition).
    pub(super) fn parsed(s: &mut String) {
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
    }

    /// The `placed` CTE: each line item's kind ([`Self::kind_case`]), category
    /// ([`Self::category_case`]) and coordinates ([`Self::coordinates`]), its environment and
    /// labels, and its metrics carried on — [`crate::cur::attribution::classify`] in SQL.
    pub(super) fn placed(&self, s: &mut String) {
        let plan = self.q.plan;
        let rules = Rules::new();
        let tags = PlanTags::new(self);
        let mut placed = vec![
            "day".to_string(),
            "sub_daily".into(),
            "account".into(),
            "service".into(),
            "usage_type".into(),
            "resource".into(),
            "split_parent".into(),
            Self::kind_case(&rules),
            Self::category_case(&rules, &tags),
            "basis".into(),
        ];
        placed.extend(Self::coordinates(&rules, &tags));
        placed.push(format!("{} AS env", Self::first(&plan.env)));
        for (i, (_, idx)) in plan.labels.iter().enumerate() {
            placed.push(format!("{} AS label_{i}", Self::first(idx)));
        }
        placed.extend(
            [
                "unblended",
                "amortized",
                "net_amortized",
                "on_demand",
                "quantity",
                "split_usage",
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
    }

    /// What a line item is for the later stages, [`crate::cur::attribution::RowKind`]: `pod`
    /// (split pod row), `overlay` (ECS split row, dropped), `node` (an EC2 instance row, a node
    /// candidate) or `billed`.
    fn kind_case(r: &Rules) -> String {
        let Rules {
            pod_split: is_pod_split,
            eks_pod: is_eks_pod,
            control_plane: is_control,
        } = r;
        format!(
            "CASE\n      WHEN {is_pod_split} THEN 'pod'\n      \
             WHEN operation = {ecs} THEN 'overlay'\n      \
             WHEN ({is_eks_pod}) OR ({is_control}) THEN 'billed'\n      \
             WHEN service = {ec2} AND resource LIKE {instance} THEN 'node'\n      \
             ELSE 'billed'\n    END AS kind",
            ecs = literal(operation::ECS_TASK_EC2),
            ec2 = literal(product::AMAZON_EC2),
            instance = literal(&format!("{INSTANCE_ID_PREFIX}%")),
        )
    }

    /// Where the dollar lands, [`crate::cur::attribution::Category`]: pods (split or
    /// Fargate), control planes, out-of-cluster resources with a Kubernetes tag, the rest
    /// unallocated (node candidates become idle in `nodes`).
    fn category_case(r: &Rules, t: &PlanTags) -> String {
        let Rules {
            pod_split: is_pod_split,
            eks_pod: is_eks_pod,
            control_plane: is_control,
        } = r;
        let PlanTags {
            tag_cluster,
            tag_namespace,
            tag_workload,
            tag_pod,
            tag_container,
            ..
        } = t;
        let tagged = format!(
            "{tag_cluster} <> '' OR {tag_namespace} <> '' OR ({tag_workload}) <> '' OR \
             {tag_pod} <> '' OR {tag_container} <> ''"
        );
        format!(
            "CASE\n      WHEN {is_pod_split} OR ({is_eks_pod}) THEN 'pod'\n      \
             WHEN {is_control} THEN 'control-plane'\n      \
             WHEN {tagged} THEN 'external'\n      \
             ELSE 'unallocated'\n    END AS category"
        )
    }

    /// The Kubernetes coordinates (cluster … container) and a node candidate's cluster tag:
    /// from the pod ARN and EKS tags for pod rows, the cluster ARN for control planes, the
    /// mapped tags (deepest level named) for everything else.
    fn coordinates(r: &Rules, t: &PlanTags) -> [String; 7] {
        let Rules {
            pod_split: is_pod_split,
            eks_pod: is_eks_pod,
            control_plane: is_control,
        } = r;
        let PlanTags {
            eks_cluster,
            eks_namespace,
            eks_kind,
            eks_workload,
            tag_cluster,
            tag_namespace,
            tag_kind,
            tag_workload,
            tag_pod,
            tag_container,
        } = t;
        let eks = literal(product::AMAZON_EKS);
        [
            format!(
                "CASE\n      WHEN arn_pod <> '' AND (({is_pod_split}) OR service = {eks}) \
                 THEN arn_cluster\n      \
                 WHEN {is_pod_split} THEN {eks_cluster}\n      \
                 WHEN {is_control} THEN arn_control_plane\n      \
                 ELSE {tag_cluster}\n    END AS cluster"
            ),
            format!(
                "CASE\n      WHEN arn_pod <> '' AND (({is_pod_split}) OR service = {eks}) \
                 THEN arn_namespace\n      \
                 WHEN {is_pod_split} THEN {eks_namespace}\n      \
                 WHEN {is_control} THEN ''\n      \
                 ELSE {tag_namespace}\n    END AS namespace"
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
        ]
    }
}
