//! Kubernetes namespaces and their pods: workloads' replicas and a `DaemonSet` pod per node on
//! EC2, and Fargate pods in the first cluster; the Fargate pods' usage rows. (Pods on EC2 have
//! no rows of their own: the split rows of their node, `split.rs`, carry their cost.)

use std::io;
use std::ops::Range;

use super::catalog::REGIONS;
use super::emit::Emitter;
use super::tags::{
    T_APP, T_EKS_CLUSTER, T_EKS_DEPLOYMENT, T_EKS_NAMESPACE, T_EKS_WORKLOAD_NAME,
    T_EKS_WORKLOAD_TYPE, T_ENV, T_TEAM,
};
use super::{Draft, Model, s};
use crate::demo::rng::{Rng, hash};
use crate::demo::row::{Alloc, NANO};

/// A Kubernetes namespace of a cluster, with its team and environment tag.
#[derive(Debug)]
pub struct Namespace {
    pub cluster: usize,
    pub name: String,
    pub team: String,
    /// Which env tag key its pods use (index into `T_ENV`) and the value.
    pub env_key: u8,
    pub env_value: &'static str,
}

/// A pod on EC2 nodes (placed day by day by the schedule).
#[derive(Debug)]
pub struct Pod {
    pub cluster: usize,
    pub ns: usize,
    pub name: String,
    pub arn: String,
    pub cpu_mc: i64,
    pub mem_mib: i64,
    /// Percent of days it exists.
    pub presence: u64,
    /// `DaemonSet` pods are bound to one node.
    pub daemon_node: Option<usize>,
    /// Tags except `aws:eks:node`.
    pub tags: Vec<(u8, String)>,
}

/// A pod on Fargate, billed for its own vCPU and memory.
#[derive(Debug)]
pub struct FargatePod {
    pub cluster: usize,
    pub ns: usize,
    pub name: String,
    pub arn: String,
    pub vcpu_milli: i64,
    pub mem_mib: i64,
    pub presence: u64,
    pub tags: Vec<(u8, String)>,
}

/// Namespace names, taken in turn (with a round suffix once used up).
pub(super) const NAMESPACE_NAMES: [&str; 24] = [
    "checkout",
    "payments",
    "search",
    "catalog",
    "accounts",
    "notifications",
    "analytics",
    "ml-serving",
    "web",
    "api-gateway",
    "inventory",
    "shipping",
    "recommendations",
    "auth",
    "billing",
    "reporting",
    "ingest",
    "media",
    "monitoring",
    "logging",
    "orders",
    "pricing",
    "fraud",
    "growth",
];
/// Workload name suffixes, shuffled per namespace.
const WORKLOAD_NAMES: [&str; 10] = [
    "api",
    "worker",
    "frontend",
    "backend",
    "cron",
    "consumer",
    "db",
    "cache",
    "gateway",
    "scheduler",
];
/// Team tag values.
pub(super) const TEAMS: [&str; 6] = ["core", "growth", "platform", "data", "commerce", "identity"];

/// A workload to run: (name, kind, deployment, replicas, namespace index).
type Workload = (String, &'static str, bool, usize, usize);

impl Draft<'_> {
    /// The namespaces of cluster `ci`, `kube-system` first (its index is returned), named from
    /// the shuffled pool in turn.
    pub(super) fn add_namespaces(&mut self, ci: usize) -> usize {
        let env_values: &[&'static str] = match ci % 3 {
            0 => &["prod", "production"],
            1 => &["stg", "staging"],
            _ => &["dev"],
        };
        let first_ns = self.model.namespaces.len();
        let mut ns_names = vec![s("kube-system")];
        for _ in 1..self.scale.namespaces_per_cluster.max(1) {
            let n = self
                .ns_pool
                .get(self.ns_counter % self.ns_pool.len())
                .copied()
                .unwrap_or("svc");
            let round = self.ns_counter / self.ns_pool.len();
            ns_names.push(if round == 0 {
                s(n)
            } else {
                format!("{n}-{round}")
            });
            self.ns_counter += 1;
        }
        for nsn in &ns_names {
            let env_key = self.rng.below(3) as u8;
            self.model.namespaces.push(Namespace {
                cluster: ci,
                name: nsn.clone(),
                team: s(if nsn == "kube-system" {
                    "platform"
                } else {
                    self.rng.pick_str(&TEAMS)
                }),
                env_key,
                env_value: self.rng.pick_str(env_values),
            });
        }
        first_ns
    }

    /// The workloads of the namespaces after `first_ns` (not `kube-system`).
    pub(super) fn plan_workloads(&mut self, first_ns: usize) -> Vec<Workload> {
        let mut workloads: Vec<Workload> = Vec::new();
        for ns in first_ns + 1..self.model.namespaces.len() {
            let mut names: Vec<&str> = WORKLOAD_NAMES.to_vec();
            self.rng.shuffle(&mut names);
            for w in 0..self.scale.workloads_per_namespace.max(1) {
                let base = names[w % names.len()];
                let wname = if w < names.len() {
                    format!("{}-{base}", self.model.namespaces[ns].name)
                } else {
                    format!("{}-{base}-{w}", self.model.namespaces[ns].name)
                };
                let roll = self.rng.below(100);
                let (kind, deployment) = if roll < 70 {
                    ("ReplicaSet", true)
                } else if roll < 85 {
                    ("StatefulSet", false)
                } else {
                    ("Job", false)
                };
                let replicas = self
                    .rng
                    .between(1, self.scale.pods_per_workload.max(1) as i64)
                    as usize;
                workloads.push((wname, kind, deployment, replicas, ns));
            }
        }
        workloads
    }

    /// The pods of a cluster's workloads, sized so that requests fill about 70% of its `nodes`.
    pub(super) fn add_workload_pods(
        &mut self,
        ci: usize,
        nodes: &Range<usize>,
        workloads: Vec<Workload>,
    ) {
        let cap_mc: i64 = nodes
            .clone()
            .map(|n| self.model.nodes[n].itype.vcpu * 1000)
            .sum();
        let cap_mib: i64 = nodes
            .clone()
            .map(|n| self.model.nodes[n].itype.mem_gib * 1024)
            .sum();
        let total_pods: usize = workloads.iter().map(|w| w.3).sum::<usize>().max(1);
        // Requests fill ~70% of the cluster, leaving room for DaemonSets and idle.
        let avg_mc = cap_mc * 70 / 100 / total_pods as i64;
        let avg_mib = cap_mib * 62 / 100 / total_pods as i64;
        for (wname, kind, deployment, replicas, ns) in workloads {
            let rs_hash = self.rng.alnum(10);
            let presence = if kind == "Job" { 35 } else { 92 };
            let cpu_mc = (avg_mc * self.rng.between(40, 160) / 100 / 50 * 50).max(50);
            let mem_mib = (avg_mib * self.rng.between(40, 160) / 100 / 64 * 64).max(64);
            for r in 0..replicas {
                let pod_name = match kind {
                    "ReplicaSet" => format!("{wname}-{rs_hash}-{}", self.rng.alnum(5)),
                    "StatefulSet" => format!("{wname}-{r}"),
                    _ => format!("{wname}-{}", self.rng.alnum(5)),
                };
                let workload_name = if deployment {
                    format!("{wname}-{rs_hash}")
                } else {
                    wname.clone()
                };
                let mut tags = vec![
                    (T_EKS_WORKLOAD_TYPE, s(kind)),
                    (T_EKS_WORKLOAD_NAME, workload_name),
                ];
                if deployment {
                    tags.push((T_EKS_DEPLOYMENT, wname.clone()));
                }
                tags.push((T_APP, wname.clone()));
                self.model.push_pod(
                    ci,
                    ns,
                    pod_name,
                    cpu_mc,
                    mem_mib,
                    presence,
                    None,
                    tags,
                    &mut self.rng,
                );
            }
        }
    }

    /// A `DaemonSet` pod on every node of cluster `ci` (in `kube-system`, at `first_ns`).
    pub(super) fn add_daemonsets(&mut self, ci: usize, first_ns: usize, nodes: Range<usize>) {
        for n in nodes {
            let tags = vec![
                (T_EKS_WORKLOAD_TYPE, s("DaemonSet")),
                (T_EKS_WORKLOAD_NAME, s("aws-node")),
                (T_APP, s("aws-node")),
            ];
            let pod_name = format!("aws-node-{}", self.rng.alnum(5));
            self.model.push_pod(
                ci,
                first_ns,
                pod_name,
                50,
                128,
                100,
                Some(n),
                tags,
                &mut self.rng,
            );
        }
    }

    /// Fargate pods in the first cluster (its first namespace after `kube-system`).
    pub(super) fn add_fargate(&mut self) {
        let fp_cpu = self.catalog.product(
            "Amazon Elastic Container Service for Kubernetes",
            "Compute",
            "AmazonEKS",
            Some(&REGIONS[0]),
            "hours",
            None,
            &[],
        );
        let fp_mem = self.catalog.product(
            "Amazon Elastic Container Service for Kubernetes",
            "Compute",
            "AmazonEKS",
            Some(&REGIONS[0]),
            "GB-Hours",
            None,
            &[],
        );
        self.model.fargate_products = [fp_cpu, fp_mem];
        if let Some(ns) = self
            .model
            .namespaces
            .iter()
            .position(|n| n.cluster == 0 && n.name != "kube-system")
        {
            for f in 0..self.scale.fargate_pods {
                let name = format!("etl-batch-{}", self.rng.alnum(5));
                let c = &self.model.clusters[0];
                let uid = self.rng.uuid();
                let arn = format!(
                    "arn:aws:eks:{}:{}:pod/{}/{}/{name}/{uid}",
                    c.region.code,
                    self.model.accounts[c.account].id,
                    c.name,
                    self.model.namespaces[ns].name
                );
                let tags = vec![
                    (T_EKS_CLUSTER, c.name.clone()),
                    (T_EKS_NAMESPACE, self.model.namespaces[ns].name.clone()),
                    (T_EKS_WORKLOAD_TYPE, s("Job")),
                    (T_EKS_WORKLOAD_NAME, s("etl-batch")),
                    (T_APP, s("etl-batch")),
                    (T_TEAM, self.model.namespaces[ns].team.clone()),
                ];
                self.model.fargate.push(FargatePod {
                    cluster: 0,
                    ns,
                    name,
                    arn,
                    vcpu_milli: [250, 500, 1000, 2000][f % 4],
                    mem_mib: [512, 1024, 2048, 4096][f % 4],
                    presence: 60,
                    tags,
                });
            }
        }
    }
}

impl Model {
    /// Adds a pod with its cluster, namespace, team and environment tags.
    #[allow(clippy::too_many_arguments)]
    fn push_pod(
        &mut self,
        ci: usize,
        ns: usize,
        name: String,
        cpu_mc: i64,
        mem_mib: i64,
        presence: u64,
        daemon_node: Option<usize>,
        mut tags: Vec<(u8, String)>,
        rng: &mut Rng,
    ) {
        let c = &self.clusters[ci];
        let n = &self.namespaces[ns];
        let uid = rng.uuid();
        let arn = format!(
            "arn:aws:eks:{}:{}:pod/{}/{}/{name}/{uid}",
            c.region.code, self.accounts[c.account].id, c.name, n.name
        );
        tags.push((T_EKS_CLUSTER, c.name.clone()));
        tags.push((T_EKS_NAMESPACE, n.name.clone()));
        tags.push((T_TEAM, n.team.clone()));
        tags.push((T_ENV[usize::from(n.env_key)], s(n.env_value)));
        tags.sort_by_key(|t| t.0);
        self.pods.push(Pod {
            cluster: ci,
            ns,
            name,
            arn,
            cpu_mc,
            mem_mib,
            presence,
            daemon_node,
            tags,
        });
    }
}

impl Emitter<'_, '_> {
    /// The usage of the Fargate pods running on the day, in a slot.
    pub(super) fn fargate(&mut self, day: u32, start: i64, end: i64, hours: i64) -> io::Result<()> {
        let m = self.m;
        for (f, pod) in m.fargate.iter().enumerate() {
            if hash(&[self.vseed, 6, f as u64, u64::from(day)]) % 100 >= pod.presence {
                continue;
            }
            let c = &m.clusters[pod.cluster];
            let tags: Vec<(u8, &str)> = pod.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
            for cpu in [true, false] {
                let (usage, rate, ut, prod) = if cpu {
                    (
                        pod.vcpu_milli * 1_000_000 * hours,
                        40_480_000,
                        "Fargate-vCPU-Hours:perCPU",
                        m.fargate_products[0],
                    )
                } else {
                    (
                        pod.mem_mib * NANO / 1024 * hours,
                        4_445_000,
                        "Fargate-GB-Hours",
                        m.fargate_products[1],
                    )
                };
                let cost = (i128::from(usage) * i128::from(rate) / i128::from(NANO)) as i64;
                let usage_type = format!("{}{ut}", c.region.prefix);
                let mut r = self.base(day, start, end, &m.accounts[c.account].id);
                r.line_item_type = "Usage";
                r.product_code = "AmazonEKS";
                r.usage_type = &usage_type;
                r.operation = "FargatePod";
                r.resource_id = &pod.arn;
                r.usage_amount = Some(usage);
                r.rate = Some(rate);
                r.unblended = cost;
                r.net_unblended = self.net(cost);
                r.on_demand = Some(cost);
                r.on_demand_rate = Some(rate);
                r.term = "OnDemand";
                r.product = Some(&m.products[prod]);
                r.description = "AWS Fargate pod usage";
                r.tags = &tags;
                r.alloc = Alloc::Fargate { pod: f as u32 };
                r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
                self.emit(&r)?;
            }
        }
        Ok(())
    }
}
