//! Where one line item lands: pod (EKS split rows, Fargate), a node candidate (EC2 instance rows,
//! resolved to idle once every row is read), control-plane, external (Kubernetes tags) or
//! unallocated. Rules and their sources: `docs/allocation.md`.

use std::fmt;
use std::str::FromStr;

use super::columns::tag_id;
use super::line_item::{INSTANCE_ID_PREFIX, LineItem, operation, product};
use crate::config::TagMapping;

/// Where a dollar lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Cost of a pod: its split share of a node, or a Fargate pod's own bill.
    Pod = 0,
    /// Node capacity no pod used.
    Idle = 1,
    /// Out-of-cluster resources attached by Kubernetes tags.
    External = 2,
    /// The EKS control plane of a cluster.
    ControlPlane = 3,
    /// Everything no rule reaches.
    Unallocated = 4,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Pod,
        Category::Idle,
        Category::External,
        Category::ControlPlane,
        Category::Unallocated,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Pod => "pod",
            Category::Idle => "idle",
            Category::External => "external",
            Category::ControlPlane => "control-plane",
            Category::Unallocated => "unallocated",
        }
    }

    pub fn from_index(i: u32) -> Category {
        Category::ALL
            .get(i as usize)
            .copied()
            .unwrap_or(Category::Unallocated)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown category `{s}`"))
    }
}

/// The AWS-generated EKS tags (CUR.md §3.4) every plan reads.
const EKS_TAGS: [&str; 7] = [
    "aws:eks:cluster-name",
    "user:eks:cluster-name",
    "aws:eks:namespace",
    "aws:eks:node",
    "aws:eks:workload-type",
    "aws:eks:workload-name",
    "aws:eks:deployment",
];

/// Which tag values a reader must extract, and what each means. Built once per read from the
/// profile's mapping and any extra keys a report asks for (`--by tag:KEY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPlan {
    /// Normalized tag ids (`user_kubernetes_namespace`), deduplicated; readers fill values in
    /// this order.
    pub ids: Vec<String>,
    pub(crate) cluster: Vec<usize>,
    pub(crate) namespace: Vec<usize>,
    pub(crate) deployment: Vec<usize>,
    pub(crate) daemonset: Vec<usize>,
    pub(crate) statefulset: Vec<usize>,
    pub(crate) pod: Vec<usize>,
    pub(crate) container: Vec<usize>,
    pub(crate) env: Vec<usize>,
    /// (display name, tag indices): `label.NAME` concepts first, then extra keys as `tag:KEY`.
    pub(crate) labels: Vec<(String, Vec<usize>)>,
    pub(crate) eks: [usize; 7],
}

impl TagPlan {
    pub fn new(mapping: &TagMapping, extra_keys: &[String]) -> Self {
        let mut ids: Vec<String> = Vec::new();
        let mut index_of = |key: &str| {
            let id = tag_id(key);
            if let Some(i) = ids.iter().position(|x| *x == id) {
                i
            } else {
                ids.push(id);
                ids.len() - 1
            }
        };
        let mut list = |keys: &[String]| keys.iter().map(|k| index_of(k)).collect::<Vec<_>>();
        let cluster = list(&mapping.cluster);
        let namespace = list(&mapping.namespace);
        let deployment = list(&mapping.deployment);
        let daemonset = list(&mapping.daemonset);
        let statefulset = list(&mapping.statefulset);
        let pod = list(&mapping.pod);
        let container = list(&mapping.container);
        let env = list(&mapping.env);
        let mut labels: Vec<(String, Vec<usize>)> = mapping
            .labels
            .iter()
            .map(|(name, keys)| (format!("label:{name}"), list(keys)))
            .collect();
        for key in extra_keys {
            let name = format!("tag:{key}");
            if !labels.iter().any(|(n, _)| *n == name) {
                labels.push((name, list(std::slice::from_ref(key))));
            }
        }
        let eks = EKS_TAGS.map(|k| list(&[k.to_string()])[0]);
        Self {
            ids,
            cluster,
            namespace,
            deployment,
            daemonset,
            statefulset,
            pod,
            container,
            env,
            labels,
            eks,
        }
    }

    /// Names of the label dimensions, in the order of [`Placement::labels`].
    pub fn label_names(&self) -> Vec<String> {
        self.labels.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Whether any of the Kubecost-scheme concepts (not env, not labels) is among `present` ids.
    pub fn concept_ids(&self) -> Vec<&str> {
        [
            &self.cluster,
            &self.namespace,
            &self.deployment,
            &self.daemonset,
            &self.statefulset,
            &self.pod,
            &self.container,
        ]
        .into_iter()
        .flatten()
        .map(|i| self.ids[*i].as_str())
        .collect()
    }
}

fn first<'a>(tags: &[&'a str], idx: &[usize]) -> &'a str {
    idx.iter()
        .map(|i| tags.get(*i).copied().unwrap_or(""))
        .find(|v| !v.is_empty())
        .unwrap_or("")
}

/// What a line item is, for the aggregator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Split rows (`EKSPod-EC2`, `ECSTask-EC2`) whose cost is already in their node's rows.
    Overlay,
    /// An EKS split pod row: its placement is the pod; its split costs come off its node.
    PodSplit,
    /// An EC2 instance row: a node if some pod runs on it or it carries a cluster tag
    /// (`node_cluster_tag`); otherwise it stays where `placement` says.
    NodeCandidate,
    /// Billed where `placement` says.
    Billed,
}

/// The Kubernetes coordinates of a line item (empty = none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement<'a> {
    pub category: Option<Category>,
    pub cluster: &'a str,
    pub namespace: &'a str,
    pub workload_kind: &'a str,
    pub workload: &'a str,
    pub pod: &'a str,
    pub container: &'a str,
    pub node: &'a str,
    /// Raw environment value (normalized by the aggregator).
    pub env: &'a str,
    /// Label values aligned with [`TagPlan::label_names`].
    pub labels: Vec<&'a str>,
    /// A node candidate's cluster tag (`aws:eks:cluster-name`, `eks:cluster-name`).
    pub node_cluster_tag: &'a str,
}

/// The parts of a pod ARN `arn:aws:eks:<region>:<acct>:pod/<cluster>/<namespace>/<pod>/<uid>`.
pub fn parse_pod_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = eks_resource(arn)?.strip_prefix("pod/")?;
    let (cluster, rest) = split_at_byte(rest, b'/');
    let (namespace, rest) = split_at_byte(rest?, b'/');
    let (pod, _) = split_at_byte(rest?, b'/');
    [cluster, namespace, pod]
        .iter()
        .all(|p| !p.is_empty())
        .then_some((cluster, namespace, pod))
}

/// `s` up to the first `sep`, and what follows it (`None` when `sep` does not occur). A byte
/// loop: ARN parts are short, and classification parses an ARN per distinct row.
fn split_at_byte(s: &str, sep: u8) -> (&str, Option<&str>) {
    match s.bytes().position(|b| b == sep) {
        // `sep` is ASCII: both sides of it are whole characters.
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

/// The cluster name of a cluster ARN `arn:aws:eks:<region>:<acct>:cluster/<name>`.
pub fn parse_cluster_arn(arn: &str) -> Option<&str> {
    eks_resource(arn)?
        .strip_prefix("cluster/")
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

/// The resource part (after the 5th `:`) of an EKS ARN in any partition.
fn eks_resource(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, rest) = split_at_byte(rest, b':'); // aws, aws-cn, aws-us-gov
    let rest = rest?.strip_prefix("eks:")?;
    let (_region, rest) = split_at_byte(rest, b':');
    let (_account, rest) = split_at_byte(rest?, b':');
    rest
}

/// Classifies a line item and fills `out` (cleared first).
pub fn classify<'a>(li: &LineItem<'a>, plan: &TagPlan, out: &mut Placement<'a>) -> RowKind {
    let tags = li.tags;
    out.category = None;
    out.cluster = "";
    out.namespace = "";
    out.workload_kind = "";
    out.workload = "";
    out.pod = "";
    out.container = "";
    out.node = "";
    out.node_cluster_tag = "";
    out.env = first(tags, &plan.env);
    out.labels.clear();
    out.labels
        .extend(plan.labels.iter().map(|(_, idx)| first(tags, idx)));

    match li.operation {
        operation::EKS_POD_EC2 => {
            let eks = |i: usize| first(tags, &plan.eks[i..=i]);
            if let Some((cluster, namespace, pod)) = parse_pod_arn(li.resource_id) {
                out.cluster = cluster;
                out.namespace = namespace;
                out.pod = pod;
            } else {
                out.cluster = first(tags, &plan.eks[0..2]);
                out.namespace = eks(2);
            }
            let deployment = eks(6);
            if deployment.is_empty() {
                out.workload = eks(5);
                out.workload_kind = if out.workload.is_empty() { "" } else { eks(4) };
            } else {
                out.workload = deployment;
                out.workload_kind = "Deployment";
            }
            out.node = li.split_parent;
            out.category = Some(Category::Pod);
            return RowKind::PodSplit;
        }
        operation::ECS_TASK_EC2 => return RowKind::Overlay,
        _ => {}
    }

    if product::is_eks(li.product_code) {
        if let Some((cluster, namespace, pod)) = parse_pod_arn(li.resource_id) {
            // Fargate pods (and any other directly billed pod row).
            out.cluster = cluster;
            out.namespace = namespace;
            out.pod = pod;
            out.category = Some(Category::Pod);
            return RowKind::Billed;
        }
        if let Some(cluster) = parse_cluster_arn(li.resource_id) {
            out.cluster = cluster;
            out.category = Some(Category::ControlPlane);
            return RowKind::Billed;
        }
    }

    // Out-of-cluster attribution by tags, at the deepest level named.
    out.cluster = first(tags, &plan.cluster);
    out.namespace = first(tags, &plan.namespace);
    for (idx, kind) in [
        (&plan.deployment, "Deployment"),
        (&plan.daemonset, "DaemonSet"),
        (&plan.statefulset, "StatefulSet"),
    ] {
        let name = first(tags, idx);
        if !name.is_empty() {
            out.workload = name;
            out.workload_kind = kind;
            break;
        }
    }
    out.pod = first(tags, &plan.pod);
    out.container = first(tags, &plan.container);
    let tagged = [
        out.cluster,
        out.namespace,
        out.workload,
        out.pod,
        out.container,
    ]
    .iter()
    .any(|v| !v.is_empty());
    out.category = Some(if tagged {
        Category::External
    } else {
        Category::Unallocated
    });

    if product::is_ec2(li.product_code) && li.resource_id.starts_with(INSTANCE_ID_PREFIX) {
        out.node_cluster_tag = first(tags, &plan.eks[0..2]);
        return RowKind::NodeCandidate;
    }
    RowKind::Billed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::money::Money;

    fn plan() -> TagPlan {
        let mut m = TagMapping::default();
        m.labels
            .push(("team".into(), TagMapping::label_default_keys("team")));
        TagPlan::new(&m, &["cost-center".to_string()])
    }

    fn with_tags<'a>(plan: &TagPlan, pairs: &[(&str, &'a str)], buf: &mut Vec<&'a str>) {
        buf.clear();
        buf.resize(plan.ids.len(), "");
        for (k, v) in pairs {
            let id = tag_id(k);
            let i = plan.ids.iter().position(|x| *x == id).unwrap();
            buf[i] = v;
        }
    }

    #[test]
    fn pod_and_cluster_arns_parse_in_any_partition() {
        assert_eq!(
            parse_pod_arn("arn:aws:eks:us-east-1:123456789012:pod/prod/payments/api-7d9f/uid-1"),
            Some(("prod", "payments", "api-7d9f"))
        );
        assert_eq!(
            parse_pod_arn("arn:aws-cn:eks:cn-north-1:1:pod/c/ns/p/u"),
            Some(("c", "ns", "p"))
        );
        assert_eq!(parse_pod_arn("arn:aws:eks:us-east-1:1:pod/c/ns"), None);
        assert_eq!(parse_pod_arn("arn:ats:ec2:x:1:pod/c/ns/p/u"), None);
        // Without a uid the pod is still named; an empty part or a short ARN names none.
        assert_eq!(
            parse_pod_arn("arn:aws:eks:r:1:pod/c/ns/p"),
            Some(("c", "ns", "p"))
        );
        for arn in [
            "arn:aws:eks:r:1:pod/c/ns/",
            "arn:aws:eks:r:1:pod/c//p/u",
            "arn:aws:eks:r:1:pod//ns/p",
            "arn:aws:eks:r:1",
            "arn:aws:eks",
            "arn",
            "",
            "arn:aws:eks:r:1:cluster/c",
        ] {
            assert_eq!(parse_pod_arn(arn), None, "{arn}");
        }
        assert_eq!(
            parse_pod_arn("arn:aws:eks:r:1:pod/c:x/ns/p/u"),
            Some(("c:x", "ns", "p")),
            "the resource part keeps its colons"
        );
        assert_eq!(
            parse_cluster_arn("arn:aws:eks:us-east-1:1:cluster/prod-use1"),
            Some("prod-use1")
        );
        assert_eq!(
            parse_cluster_arn("arn:aws:eks:us-east-1:1:nodegroup/prod/x/y"),
            None
        );
    }

    #[test]
    fn split_pod_rows_are_placed_on_their_pod_with_workload() {
        let plan = plan();
        let mut tags = Vec::new();
        with_tags(
            &plan,
            &[
                ("aws:eks:deployment", "api"),
                ("aws:eks:workload-type", "ReplicaSet"),
                ("team", "core"),
                ("env", "prod"),
            ],
            &mut tags,
        );
        let mut li = LineItem::new(0, "Usage", Money::ZERO);
        li.operation = "EKSPod-EC2";
        li.resource_id = "arn:aws:eks:us-east-1:1:pod/prod/payments/api-1/u";
        li.split_parent = "i-0abc";
        li.tags = &tags;
        let mut out = Placement::default();
        assert_eq!(classify(&li, &plan, &mut out), RowKind::PodSplit);
        assert_eq!(
            (out.cluster, out.namespace, out.pod),
            ("prod", "payments", "api-1")
        );
        assert_eq!(
            (out.workload_kind, out.workload, out.node),
            ("Deployment", "api", "i-0abc")
        );
        assert_eq!(out.env, "prod");
        assert_eq!(out.labels, ["core", ""]);
    }

    #[test]
    fn ecs_split_rows_are_overlay_and_control_plane_is_found() {
        let plan = plan();
        let mut li = LineItem::new(0, "Usage", Money::ZERO);
        li.operation = "ECSTask-EC2";
        let mut out = Placement::default();
        assert_eq!(classify(&li, &plan, &mut out), RowKind::Overlay);
        li.operation = "CreateOperation";
        li.product_code = "AmazonEKS";
        li.resource_id = "arn:aws:eks:us-east-1:1:cluster/prod";
        assert_eq!(classify(&li, &plan, &mut out), RowKind::Billed);
        assert_eq!(
            (out.category, out.cluster),
            (Some(Category::ControlPlane), "prod")
        );
        li.operation = "FargatePod";
        li.resource_id = "arn:aws:eks:us-east-1:1:pod/prod/batch/job-1/u";
        assert_eq!(classify(&li, &plan, &mut out), RowKind::Billed);
        assert_eq!((out.category, out.pod), (Some(Category::Pod), "job-1"));
    }

    #[test]
    fn tags_attach_external_resources_at_the_deepest_level() {
        let plan = plan();
        let mut tags = Vec::new();
        with_tags(
            &plan,
            &[
                ("kubernetes_cluster", "prod"),
                ("kubernetes_namespace", "payments"),
                ("kubernetes_daemonset", "fluentbit"),
                ("cost-center", "42"),
            ],
            &mut tags,
        );
        let mut li = LineItem::new(0, "Usage", Money::ZERO);
        li.product_code = "AmazonRDS";
        li.tags = &tags;
        let mut out = Placement::default();
        assert_eq!(classify(&li, &plan, &mut out), RowKind::Billed);
        assert_eq!(out.category, Some(Category::External));
        assert_eq!(
            (out.workload_kind, out.workload),
            ("DaemonSet", "fluentbit")
        );
        assert_eq!(out.labels, ["", "42"]);

        let mut none = Vec::new();
        with_tags(&plan, &[], &mut none);
        li.tags = &none;
        classify(&li, &plan, &mut out);
        assert_eq!(out.category, Some(Category::Unallocated));
    }

    #[test]
    fn ec2_instances_are_node_candidates_with_their_cluster_tag() {
        let plan = plan();
        let mut tags = Vec::new();
        with_tags(&plan, &[("eks:cluster-name", "dev")], &mut tags);
        let mut li = LineItem::new(0, "Usage", Money::ZERO);
        li.product_code = "AmazonEC2";
        li.resource_id = "i-0123";
        li.tags = &tags;
        let mut out = Placement::default();
        assert_eq!(classify(&li, &plan, &mut out), RowKind::NodeCandidate);
        assert_eq!(out.node_cluster_tag, "dev");
        assert_eq!(out.category, Some(Category::Unallocated));
    }

    #[test]
    fn mapped_keys_first_match_wins() {
        let m = TagMapping {
            namespace: vec!["k8s-namespace".into(), "kubernetes_namespace".into()],
            ..TagMapping::default()
        };
        let plan = TagPlan::new(&m, &[]);
        let mut tags = Vec::new();
        with_tags(&plan, &[("kubernetes_namespace", "b")], &mut tags);
        let li = LineItem {
            tags: &tags,
            ..LineItem::new(0, "Usage", Money::ZERO)
        };
        let mut out = Placement::default();
        classify(&li, &plan, &mut out);
        assert_eq!(out.namespace, "b");
        let mut both = Vec::new();
        with_tags(
            &plan,
            &[("k8s-namespace", "a"), ("kubernetes_namespace", "b")],
            &mut both,
        );
        let li = LineItem { tags: &both, ..li };
        classify(&li, &plan, &mut out);
        assert_eq!(out.namespace, "a");
    }
}
