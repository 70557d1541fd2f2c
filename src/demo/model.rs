//! The demo company: accounts, clusters, nodes, pods, external resources, commitments, and
//! how they turn into line items day by day ([`Model::emit_days`]).
//!
//! Every amount is an integer of nano-dollars computed with integer arithmetic, so what is
//! written equals what the truth sums. Daily choices (which nodes run, which pods are
//! scheduled where) are hashed from (seed, entity, day), so a day can be re-emitted alone.

use std::io;

use chrono::{Days, NaiveDate};

use super::rng::{Rng, hash};
use super::row::{Alloc, NANO, PAD_COLUMNS, Reservation, Row, SavingsPlan, Split};
use super::{DemoSpec, Granularity, Scale};

/// The tag key of the alternative Kubernetes tagging scheme for clusters (not in the default
/// mapping: its rows are unallocated unless a profile maps it).
pub const ALT_CLUSTER_KEY: &str = "k8s-cluster";
/// The alternative scheme's namespace key.
pub const ALT_NAMESPACE_KEY: &str = "k8s-namespace";

/// Tag columns, as written after `resourceTags/`. Indices are the `T_*` constants.
const TAG_KEYS: [&str; 21] = [
    "aws:eks:cluster-name",
    "aws:eks:namespace",
    "aws:eks:node",
    "aws:eks:workload-type",
    "aws:eks:workload-name",
    "aws:eks:deployment",
    "user:eks:cluster-name",
    "user:app",
    "user:team",
    "user:env",
    "user:environment",
    "user:Environment",
    "user:kubernetes_cluster",
    "user:kubernetes_namespace",
    "user:kubernetes_deployment",
    "user:kubernetes_pod",
    "user:kubernetes_container",
    "user:k8s-cluster",
    "user:k8s-namespace",
    "user:Name",
    "aws:createdBy",
];
const T_EKS_CLUSTER: u8 = 0;
const T_EKS_NAMESPACE: u8 = 1;
const T_EKS_NODE: u8 = 2;
const T_EKS_WORKLOAD_TYPE: u8 = 3;
const T_EKS_WORKLOAD_NAME: u8 = 4;
const T_EKS_DEPLOYMENT: u8 = 5;
const T_EKS_CLUSTER_USER: u8 = 6;
const T_APP: u8 = 7;
const T_TEAM: u8 = 8;
const T_ENV: [u8; 3] = [9, 10, 11];
const T_K_CLUSTER: u8 = 12;
const T_K_NAMESPACE: u8 = 13;
const T_K_DEPLOYMENT: u8 = 14;
const T_K_POD: u8 = 15;
const T_K_CONTAINER: u8 = 16;
const T_ALT_CLUSTER: u8 = 17;
const T_ALT_NAMESPACE: u8 = 18;
const T_NAME: u8 = 19;
const T_CREATED_BY: u8 = 20;

/// An AWS region as the bill names it.
#[derive(Debug)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    /// Usage-type prefix (`USE1-`).
    pub prefix: &'static str,
    /// Prefix of EC2 box usage (empty in us-east-1).
    pub box_prefix: &'static str,
    /// Price multiplier in percent of us-east-1.
    pub price_pct: i64,
    pub azs: [&'static str; 3],
    pub dns: &'static str,
}

pub static REGIONS: [Region; 2] = [
    Region {
        code: "us-east-1",
        name: "US East (N. Virginia)",
        prefix: "USE1-",
        box_prefix: "",
        price_pct: 100,
        azs: ["us-east-1a", "us-east-1b", "us-east-1c"],
        dns: "ec2.internal",
    },
    Region {
        code: "eu-west-1",
        name: "EU (Ireland)",
        prefix: "EUW1-",
        box_prefix: "EUW1-",
        price_pct: 112,
        azs: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        dns: "eu-west-1.compute.internal",
    },
];

/// An EC2 instance type with its us-east-1 on-demand price.
#[derive(Debug)]
pub struct InstanceType {
    pub name: &'static str,
    pub vcpu: i64,
    pub mem_gib: i64,
    /// Nano-dollars per hour (us-east-1 Linux on-demand).
    pub od_hour: i64,
    pub family: &'static str,
    pub normalization: i64,
    pub processor: &'static str,
    pub network: &'static str,
}

pub static INSTANCE_TYPES: [InstanceType; 6] = [
    InstanceType {
        name: "m5.large",
        vcpu: 2,
        mem_gib: 8,
        od_hour: 96_000_000,
        family: "General purpose",
        normalization: 4,
        processor: "Intel Xeon Platinum 8175",
        network: "Up to 10 Gigabit",
    },
    InstanceType {
        name: "m5.xlarge",
        vcpu: 4,
        mem_gib: 16,
        od_hour: 192_000_000,
        family: "General purpose",
        normalization: 8,
        processor: "Intel Xeon Platinum 8175",
        network: "Up to 10 Gigabit",
    },
    InstanceType {
        name: "m5.2xlarge",
        vcpu: 8,
        mem_gib: 32,
        od_hour: 384_000_000,
        family: "General purpose",
        normalization: 16,
        processor: "Intel Xeon Platinum 8175",
        network: "Up to 10 Gigabit",
    },
    InstanceType {
        name: "c5.2xlarge",
        vcpu: 8,
        mem_gib: 16,
        od_hour: 340_000_000,
        family: "Compute optimized",
        normalization: 16,
        processor: "Intel Xeon Platinum 8124M",
        network: "Up to 10 Gigabit",
    },
    InstanceType {
        name: "r5.xlarge",
        vcpu: 4,
        mem_gib: 32,
        od_hour: 252_000_000,
        family: "Memory optimized",
        normalization: 8,
        processor: "Intel Xeon Platinum 8175",
        network: "Up to 10 Gigabit",
    },
    InstanceType {
        name: "t3.large",
        vcpu: 2,
        mem_gib: 8,
        od_hour: 83_200_000,
        family: "General purpose",
        normalization: 4,
        processor: "Intel Skylake E5 2686 v5",
        network: "Low to Moderate",
    },
];

/// Product attributes of a line item (`product/*` columns).
#[derive(Debug, Clone, Default)]
pub struct Product {
    pub name: String,
    pub family: String,
    pub servicecode: String,
    pub region_code: String,
    pub instance_type: String,
    pub vcpu: String,
    pub memory: String,
    pub sku: String,
    pub unit: String,
    pub normalization: i64,
    /// Values of [`PAD_COLUMNS`] that depend on the product only.
    pub pad: Vec<String>,
}

#[derive(Debug)]
pub struct Account {
    pub id: String,
    pub name: String,
}

#[derive(Debug)]
pub struct Cluster {
    pub name: String,
    pub region: &'static Region,
    pub account: usize,
    pub arn: String,
    pub product: usize,
    pub usage_type: String,
}

#[derive(Debug)]
pub struct Namespace {
    pub cluster: usize,
    pub name: String,
    pub team: String,
    /// Which env tag key its pods use (index into `T_ENV`) and the value.
    pub env_key: u8,
    pub env_value: &'static str,
}

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

/// How a node's hours are paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchase {
    OnDemand,
    Reserved(usize),
    SavingsPlan(usize),
    /// 60% of its hours covered by the savings plan, the rest on demand.
    Mixed(usize),
}

#[derive(Debug)]
pub struct Node {
    pub cluster: usize,
    pub id: String,
    pub name: String,
    pub itype: &'static InstanceType,
    pub purchase: Purchase,
    /// Its cluster tag: None when it is known only as the parent of pod rows.
    pub tags: Vec<(u8, String)>,
    pub az: &'static str,
    pub product: usize,
    pub usage_type: String,
    pub dt_product: usize,
    pub dt_usage_type: String,
    /// Runs every day and is never left without pods.
    pub always: bool,
    /// Nano-dollars per hour, regional on-demand.
    pub od_hour: i64,
}

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

/// Which tagging scheme an external resource uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `kubernetes_*` (the default mapping).
    Kubecost,
    /// [`ALT_CLUSTER_KEY`] / [`ALT_NAMESPACE_KEY`].
    Alternative,
}

#[derive(Debug)]
pub struct External {
    pub cluster: usize,
    pub scheme: Scheme,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub account: usize,
    pub product_code: &'static str,
    pub product: usize,
    pub usage_type: String,
    pub operation: &'static str,
    pub resource_id: String,
    pub az: &'static str,
    pub hour_cost: i64,
    pub tags: Vec<(u8, String)>,
}

#[derive(Debug)]
pub struct Ri {
    pub arn: String,
    /// `HeavyUsage:<instance type>`.
    pub usage_type: String,
    pub account: usize,
    pub count: i64,
    pub upfront_hour: i64,
    pub recurring_hour: i64,
    pub upfront_total: i64,
}

#[derive(Debug)]
pub struct Sp {
    pub arn: String,
    pub account: usize,
    pub commit_hour: i64,
}

/// Shared untagged services of one account.
#[derive(Debug)]
struct Shared {
    account: usize,
    cloudwatch: usize,
    kms: usize,
    kms_key: String,
    nat: usize,
    nat_id: String,
    route53: usize,
    zone: String,
    tax: usize,
}

/// The calendar-month billing period of some days of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    /// Exclusive (first day of the next month).
    pub end: NaiveDate,
    /// Window day indices of its days in the window.
    pub first_day: u32,
    pub end_day: u32,
}

impl Period {
    /// `yyyymmdd-yyyymmdd`.
    pub fn folder(&self) -> String {
        format!(
            "{}-{}",
            self.start.format("%Y%m%d"),
            self.end.format("%Y%m%d")
        )
    }
}

/// The demo company.
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools)] // the spec's independent switches
pub struct Model {
    pub seed: u64,
    pub start: NaiveDate,
    pub days: u32,
    pub hourly: bool,
    pub with_net: bool,
    pub with_resource_ids: bool,
    pub wide: bool,
    pub tag_keys: Vec<String>,
    pub accounts: Vec<Account>,
    pub clusters: Vec<Cluster>,
    pub namespaces: Vec<Namespace>,
    pub pods: Vec<Pod>,
    pub nodes: Vec<Node>,
    pub fargate: Vec<FargatePod>,
    pub externals: Vec<External>,
    pub ris: Vec<Ri>,
    pub sps: Vec<Sp>,
    pub products: Vec<Product>,
    shared: Vec<Shared>,
    ebs: Vec<(usize, String, usize, String)>,
    eks_pod_products: Vec<[usize; 2]>,
    fargate_products: [usize; 2],
    credit_product: usize,
}

const NAMESPACE_NAMES: [&str; 24] = [
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
const TEAMS: [&str; 6] = ["core", "growth", "platform", "data", "commerce", "identity"];
const CLUSTER_NAMES: [(&str, usize); 3] = [("prod-use1", 0), ("staging-use1", 0), ("dev-euw1", 1)];

fn product_pad(p: &Product, region: Option<&Region>, extra: &[(&str, String)]) -> Vec<String> {
    PAD_COLUMNS
        .iter()
        .map(|(cat, name, _)| match (*cat, *name) {
            ("product", "location") => region.map_or(String::new(), |r| r.name.to_string()),
            ("product", "locationType") => {
                region.map_or(String::new(), |_| "AWS Region".to_string())
            }
            ("product", "servicename") => p.name.clone(),
            ("pricing", "RateCode") if !p.sku.is_empty() => {
                format!("{}.JRTCKXETXF.6YS6EN2CT7", p.sku)
            }
            _ => extra
                .iter()
                .find(|(k, _)| k == name)
                .map_or(String::new(), |(_, v)| v.clone()),
        })
        .collect()
}

struct Builder {
    rng: Rng,
    products: Vec<Product>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn product(
        &mut self,
        name: &str,
        family: &str,
        servicecode: &str,
        region: Option<&'static Region>,
        unit: &str,
        itype: Option<&InstanceType>,
        extra: &[(&str, String)],
    ) -> usize {
        let mut p = Product {
            name: name.to_string(),
            family: family.to_string(),
            servicecode: servicecode.to_string(),
            region_code: region.map_or(String::new(), |r| r.code.to_string()),
            unit: unit.to_string(),
            sku: if name.is_empty() {
                String::new()
            } else {
                self.rng.alnum(16).to_uppercase()
            },
            ..Product::default()
        };
        if let Some(t) = itype {
            p.instance_type = t.name.to_string();
            p.vcpu = t.vcpu.to_string();
            p.memory = format!("{} GiB", t.mem_gib);
            p.normalization = t.normalization;
        }
        let mut extra: Vec<(&str, String)> = extra.to_vec();
        extra.push((
            "RateId",
            self.rng.between(1_000_000_000, 9_999_999_999).to_string(),
        ));
        extra.push((
            "version",
            format!("{}", 20_240_000 + self.rng.between(100, 999)),
        ));
        p.pad = product_pad(&p, region, &extra);
        self.products.push(p);
        self.products.len() - 1
    }
}

fn s(v: &str) -> String {
    v.to_string()
}

/// `v` less a 3% negotiated discount (the `with_net` model).
fn discounted(v: i64) -> i64 {
    v - v * 3 / 100
}

impl Model {
    /// Builds the company of a spec (no rows yet).
    pub fn build(spec: &DemoSpec) -> Model {
        let scale = &spec.scale;
        let mut rng = Rng::derive(&[spec.seed, 0xB111D]);
        let mut b = Builder {
            rng: Rng::derive(&[spec.seed, 0x9A0D]),
            products: Vec::new(),
        };
        let accounts = vec![
            Account {
                id: s("111122223333"),
                name: s("acme-payer"),
            },
            Account {
                id: s("444455556666"),
                name: s("acme-prod"),
            },
            Account {
                id: s("777788889999"),
                name: s("acme-nonprod"),
            },
        ];
        let start = spec.start();
        let mut model = Model {
            seed: spec.seed,
            start,
            days: spec.days,
            hourly: spec.granularity == Granularity::Hourly,
            with_net: spec.with_net,
            with_resource_ids: spec.with_resource_ids,
            wide: spec.wide,
            tag_keys: TAG_KEYS.iter().map(|k| s(k)).collect(),
            accounts,
            clusters: Vec::new(),
            namespaces: Vec::new(),
            pods: Vec::new(),
            nodes: Vec::new(),
            fargate: Vec::new(),
            externals: Vec::new(),
            ris: Vec::new(),
            sps: Vec::new(),
            products: Vec::new(),
            shared: Vec::new(),
            ebs: Vec::new(),
            eks_pod_products: Vec::new(),
            fargate_products: [0, 0],
            credit_product: 0,
        };
        let sp_arn = format!(
            "arn:aws:savingsplans::{}:savingsplan/{}",
            model.accounts[1].id,
            rng.uuid()
        );
        let mut sp_commit_hour = 0_i64;
        let mut ns_pool: Vec<&str> = NAMESPACE_NAMES.to_vec();
        rng.shuffle(&mut ns_pool);
        let mut ns_counter = 0_usize;

        for ci in 0..scale.clusters.max(1) {
            let (name, region_ix) = CLUSTER_NAMES
                .get(ci)
                .map_or((format!("team{ci}-use1"), 0), |(n, r)| (s(n), *r));
            let region = &REGIONS[region_ix];
            let account = if ci == 0 { 1 } else { 2 };
            let acct = model.accounts[account].id.clone();
            let env_values: &[&'static str] = match ci % 3 {
                0 => &["prod", "production"],
                1 => &["stg", "staging"],
                _ => &["dev"],
            };
            let cp_product = b.product(
                "Amazon Elastic Container Service for Kubernetes",
                "Compute",
                "AmazonEKS",
                Some(region),
                "Hours",
                None,
                &[("operation", s("CreateOperation"))],
            );
            model.clusters.push(Cluster {
                arn: format!("arn:aws:eks:{}:{acct}:cluster/{name}", region.code),
                usage_type: format!("{}AmazonEKS-Hours:perCluster", region.prefix),
                name: name.clone(),
                region,
                account,
                product: cp_product,
            });
            let cpu_p = b.product(
                "Amazon Elastic Container Service for Kubernetes",
                "Compute",
                "AmazonEKS",
                Some(region),
                "vCPU-Hours",
                None,
                &[],
            );
            let mem_p = b.product(
                "Amazon Elastic Container Service for Kubernetes",
                "Compute",
                "AmazonEKS",
                Some(region),
                "GB-Hours",
                None,
                &[],
            );
            model.eks_pod_products.push([cpu_p, mem_p]);

            // Nodes.
            let types: &[usize] = match ci % 3 {
                0 => &[1, 2, 2, 3, 4],
                1 => &[0, 1, 1],
                _ => &[0, 5],
            };
            let first_node = model.nodes.len();
            let mut ri_of_type: Vec<(usize, usize)> = Vec::new();
            for j in 0..scale.nodes_per_cluster.max(1) {
                let itype = &INSTANCE_TYPES[*rng.pick(types)];
                let od_hour = itype.od_hour * region.price_pct / 100;
                let purchase = match (ci, j % 5) {
                    (0, _) if j == 2 => Purchase::Mixed(0),
                    (0, 0 | 1) => {
                        let t = INSTANCE_TYPES
                            .iter()
                            .position(|t| t.name == itype.name)
                            .unwrap_or(0);
                        let ri = if let Some((_, r)) = ri_of_type.iter().find(|(tt, _)| *tt == t) {
                            *r
                        } else {
                            let arn = format!(
                                "arn:aws:ec2:{}:{acct}:reserved-instances/{}",
                                region.code,
                                rng.uuid()
                            );
                            // Partial upfront, 1 year: 62% of on-demand in all.
                            let upfront_hour = od_hour * 31 / 100;
                            let recurring_hour = od_hour * 31 / 100;
                            model.ris.push(Ri {
                                arn,
                                usage_type: format!(
                                    "{}HeavyUsage:{}",
                                    region.box_prefix, itype.name
                                ),
                                account,
                                count: 1,
                                upfront_hour,
                                recurring_hour,
                                upfront_total: upfront_hour * 8760,
                            });
                            ri_of_type.push((t, model.ris.len() - 1));
                            model.ris.len() - 1
                        };
                        model.ris[ri].count += 1;
                        Purchase::Reserved(ri)
                    }
                    (0, 2 | 3) | (1, 0 | 2 | 4) => Purchase::SavingsPlan(0),
                    _ => Purchase::OnDemand,
                };
                match purchase {
                    Purchase::SavingsPlan(_) => sp_commit_hour += od_hour * 7173 / 10000,
                    Purchase::Mixed(_) => sp_commit_hour += od_hour * 6 / 10 * 7173 / 10000,
                    _ => {}
                }
                let mut tags = Vec::new();
                let untagged = j % 10 == 7;
                if !untagged {
                    if j % 5 == 3 {
                        tags.push((T_EKS_CLUSTER_USER, name.clone()));
                    } else {
                        tags.push((T_EKS_CLUSTER, name.clone()));
                    }
                    tags.push((
                        T_NAME,
                        format!("{name}-ng-{}", itype.name.replace('.', "-")),
                    ));
                }
                let ip = [10, ci as i64, rng.between(0, 255), rng.between(1, 254)];
                let node_name =
                    format!("ip-{}-{}-{}-{}.{}", ip[0], ip[1], ip[2], ip[3], region.dns);
                let ec2_extra = [
                    ("capacitystatus", s("Used")),
                    ("clockSpeed", s("3.1 GHz")),
                    ("currentGeneration", s("Yes")),
                    ("dedicatedEbsThroughput", s("Up to 4750 Mbps")),
                    ("ecu", (itype.vcpu * 4).to_string()),
                    ("enhancedNetworkingSupported", s("Yes")),
                    ("instanceFamily", s(itype.family)),
                    ("intelAvxAvailable", s("Yes")),
                    ("licenseModel", s("No License required")),
                    ("marketoption", s("OnDemand")),
                    ("networkPerformance", s(itype.network)),
                    ("normalizationSizeFactor", itype.normalization.to_string()),
                    ("operatingSystem", s("Linux")),
                    ("physicalProcessor", s(itype.processor)),
                    ("preInstalledSw", s("NA")),
                    ("processorArchitecture", s("64-bit")),
                    (
                        "processorFeatures",
                        s("Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo"),
                    ),
                    ("storage", s("EBS only")),
                    ("tenancy", s("Shared")),
                    ("vpcnetworkingsupport", s("true")),
                ];
                let product = b.product(
                    "Amazon Elastic Compute Cloud",
                    "Compute Instance",
                    "AmazonEC2",
                    Some(region),
                    "Hrs",
                    Some(itype),
                    &ec2_extra,
                );
                let dt_product = b.product(
                    "Amazon Elastic Compute Cloud",
                    "Data Transfer",
                    "AWSDataTransfer",
                    Some(region),
                    "GB",
                    None,
                    &[
                        ("fromLocation", s(region.name)),
                        ("toLocation", s(region.name)),
                        ("transferType", s("IntraRegion")),
                    ],
                );
                model.nodes.push(Node {
                    cluster: ci,
                    id: format!("i-0{}", rng.hex(16)),
                    name: node_name,
                    itype,
                    purchase,
                    tags,
                    az: rng.pick_str(&region.azs),
                    product,
                    usage_type: format!("{}BoxUsage:{}", region.box_prefix, itype.name),
                    dt_product,
                    dt_usage_type: format!("{}DataTransfer-Regional-Bytes", region.prefix),
                    always: j < 2 || untagged,
                    od_hour,
                });
            }
            let cluster_nodes: Vec<usize> = (first_node..model.nodes.len()).collect();
            let cap_mc: i64 = cluster_nodes
                .iter()
                .map(|&n| model.nodes[n].itype.vcpu * 1000)
                .sum();
            let cap_mib: i64 = cluster_nodes
                .iter()
                .map(|&n| model.nodes[n].itype.mem_gib * 1024)
                .sum();

            // Namespaces and their workloads' pods.
            let first_ns = model.namespaces.len();
            let mut ns_names = vec![s("kube-system")];
            for _ in 1..scale.namespaces_per_cluster.max(1) {
                let n = ns_pool
                    .get(ns_counter % ns_pool.len())
                    .copied()
                    .unwrap_or("svc");
                let round = ns_counter / ns_pool.len();
                ns_names.push(if round == 0 {
                    s(n)
                } else {
                    format!("{n}-{round}")
                });
                ns_counter += 1;
            }
            for nsn in &ns_names {
                let env_key = rng.below(3) as u8;
                model.namespaces.push(Namespace {
                    cluster: ci,
                    name: nsn.clone(),
                    team: s(if nsn == "kube-system" {
                        "platform"
                    } else {
                        rng.pick_str(&TEAMS)
                    }),
                    env_key,
                    env_value: rng.pick_str(env_values),
                });
            }
            // (name, kind, deployment, replicas, ns)
            let mut workloads: Vec<(String, &'static str, bool, usize, usize)> = Vec::new();
            for ns in first_ns + 1..model.namespaces.len() {
                let mut names: Vec<&str> = WORKLOAD_NAMES.to_vec();
                rng.shuffle(&mut names);
                for w in 0..scale.workloads_per_namespace.max(1) {
                    let base = names[w % names.len()];
                    let wname = if w < names.len() {
                        format!("{}-{base}", model.namespaces[ns].name)
                    } else {
                        format!("{}-{base}-{w}", model.namespaces[ns].name)
                    };
                    let roll = rng.below(100);
                    let (kind, deployment) = if roll < 70 {
                        ("ReplicaSet", true)
                    } else if roll < 85 {
                        ("StatefulSet", false)
                    } else {
                        ("Job", false)
                    };
                    let replicas = rng.between(1, scale.pods_per_workload.max(1) as i64) as usize;
                    workloads.push((wname, kind, deployment, replicas, ns));
                }
            }
            let total_pods: usize = workloads.iter().map(|w| w.3).sum::<usize>().max(1);
            // Requests fill ~70% of the cluster, leaving room for DaemonSets and idle.
            let avg_mc = cap_mc * 70 / 100 / total_pods as i64;
            let avg_mib = cap_mib * 62 / 100 / total_pods as i64;
            for (wname, kind, deployment, replicas, ns) in workloads {
                let rs_hash = rng.alnum(10);
                let presence = if kind == "Job" { 35 } else { 92 };
                let cpu_mc = (avg_mc * rng.between(40, 160) / 100 / 50 * 50).max(50);
                let mem_mib = (avg_mib * rng.between(40, 160) / 100 / 64 * 64).max(64);
                for r in 0..replicas {
                    let pod_name = match kind {
                        "ReplicaSet" => format!("{wname}-{rs_hash}-{}", rng.alnum(5)),
                        "StatefulSet" => format!("{wname}-{r}"),
                        _ => format!("{wname}-{}", rng.alnum(5)),
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
                    model.push_pod(
                        ci, ns, pod_name, cpu_mc, mem_mib, presence, None, tags, &mut rng,
                    );
                }
            }
            // A DaemonSet pod on every node.
            for &n in &cluster_nodes {
                let tags = vec![
                    (T_EKS_WORKLOAD_TYPE, s("DaemonSet")),
                    (T_EKS_WORKLOAD_NAME, s("aws-node")),
                    (T_APP, s("aws-node")),
                ];
                let pod_name = format!("aws-node-{}", rng.alnum(5));
                model.push_pod(
                    ci,
                    first_ns,
                    pod_name,
                    50,
                    128,
                    100,
                    Some(n),
                    tags,
                    &mut rng,
                );
            }

            // External resources.
            for k in 0..scale.externals_per_cluster {
                let ns_ix =
                    first_ns + 1 + (k * 3 + 1) % (model.namespaces.len() - first_ns - 1).max(1);
                let ns_ix = ns_ix.min(model.namespaces.len() - 1);
                let ns_name = model.namespaces[ns_ix].name.clone();
                let ext = model.external(&mut b, &mut rng, ci, k, &ns_name);
                model.externals.push(ext);
            }
            // A volume tagged only with the AWS cluster tag (unallocated by default).
            let ebs_p = b.product(
                "Amazon Elastic Compute Cloud",
                "Storage",
                "AmazonEC2",
                Some(region),
                "GB-Mo",
                None,
                &[
                    ("volumeApiName", s("gp3")),
                    ("volumeType", s("General Purpose")),
                    ("storageMedia", s("SSD-backed")),
                ],
            );
            model.ebs.push((
                ci,
                format!("vol-0{}", rng.hex(16)),
                ebs_p,
                format!("{}EBS:VolumeUsage.gp3", region.box_prefix),
            ));
        }

        // Fargate pods in the first cluster.
        let fp_cpu = b.product(
            "Amazon Elastic Container Service for Kubernetes",
            "Compute",
            "AmazonEKS",
            Some(&REGIONS[0]),
            "hours",
            None,
            &[],
        );
        let fp_mem = b.product(
            "Amazon Elastic Container Service for Kubernetes",
            "Compute",
            "AmazonEKS",
            Some(&REGIONS[0]),
            "GB-Hours",
            None,
            &[],
        );
        model.fargate_products = [fp_cpu, fp_mem];
        if let Some(ns) = model
            .namespaces
            .iter()
            .position(|n| n.cluster == 0 && n.name != "kube-system")
        {
            for f in 0..scale.fargate_pods {
                let name = format!("etl-batch-{}", rng.alnum(5));
                let c = &model.clusters[0];
                let uid = rng.uuid();
                let arn = format!(
                    "arn:aws:eks:{}:{}:pod/{}/{}/{name}/{uid}",
                    c.region.code, model.accounts[c.account].id, c.name, model.namespaces[ns].name
                );
                let tags = vec![
                    (T_EKS_CLUSTER, c.name.clone()),
                    (T_EKS_NAMESPACE, model.namespaces[ns].name.clone()),
                    (T_EKS_WORKLOAD_TYPE, s("Job")),
                    (T_EKS_WORKLOAD_NAME, s("etl-batch")),
                    (T_APP, s("etl-batch")),
                    (T_TEAM, model.namespaces[ns].team.clone()),
                ];
                model.fargate.push(FargatePod {
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

        model.sps.push(Sp {
            arn: sp_arn,
            account: 1,
            commit_hour: sp_commit_hour * 115 / 100 / 1000 * 1000,
        });

        // Shared services and tax per account.
        for account in 0..model.accounts.len() {
            let region = &REGIONS[0];
            let acct = model.accounts[account].id.clone();
            let cloudwatch = b.product(
                "AmazonCloudWatch",
                "Metric",
                "AmazonCloudWatch",
                Some(region),
                "Metrics",
                None,
                &[],
            );
            let kms = b.product(
                "AWS Key Management Service",
                "Encryption Key",
                "awskms",
                Some(region),
                "Requests",
                None,
                &[],
            );
            let nat = b.product(
                "Amazon Elastic Compute Cloud",
                "NAT Gateway",
                "AmazonEC2",
                Some(region),
                "GB",
                None,
                &[],
            );
            let route53 = b.product(
                "Amazon Route 53",
                "DNS Zone",
                "AmazonRoute53",
                None,
                "HostedZone",
                None,
                &[("locationType", s(""))],
            );
            let tax = b.product("", "", "", None, "", None, &[]);
            let kms_key = format!("arn:aws:kms:{}:{acct}:key/{}", region.code, rng.uuid());
            let nat_id = format!(
                "arn:aws:ec2:{}:{acct}:natgateway/nat-0{}",
                region.code,
                rng.hex(16)
            );
            let zone = format!(
                "arn:aws:route53:::hostedzone/Z{}",
                rng.alnum(12).to_uppercase()
            );
            model.shared.push(Shared {
                account,
                cloudwatch,
                kms,
                kms_key,
                nat,
                nat_id,
                route53,
                zone,
                tax,
            });
        }
        model.credit_product = b.product("", "", "", None, "", None, &[]);
        model.products = b.products;
        model
    }

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

    fn external(&self, b: &mut Builder, rng: &mut Rng, ci: usize, k: usize, ns: &str) -> External {
        let c = &self.clusters[ci];
        let region = c.region;
        let acct = &self.accounts[c.account].id;
        let cluster = c.name.clone();
        let suffix = rng.alnum(4);
        let kc = |tags: &mut Vec<(u8, String)>| tags.push((T_K_CLUSTER, cluster.clone()));
        let mut tags: Vec<(u8, String)> = Vec::new();
        let mut namespace = Some(s(ns));
        let mut pod = None;
        let mut scheme = Scheme::Kubecost;
        let (code, name, family, unit, usage, op, rid, hour_cost): (
            &'static str,
            &str,
            &str,
            &str,
            String,
            &'static str,
            String,
            i64,
        ) = match k % 7 {
            0 => {
                kc(&mut tags);
                tags.push((T_K_NAMESPACE, s(ns)));
                tags.push((T_K_DEPLOYMENT, format!("{ns}-api")));
                (
                    "AmazonRDS",
                    "Amazon Relational Database Service",
                    "Database Instance",
                    "Hrs",
                    format!(
                        "{}InstanceUsage:db.r5.large",
                        region.box_prefix.replace("EUW1-", "EU-")
                    ),
                    "CreateDBInstance:0002",
                    format!("arn:aws:rds:{}:{acct}:db:{ns}-db-{suffix}", region.code),
                    250_000_000,
                )
            }
            1 => {
                kc(&mut tags);
                tags.push((T_K_NAMESPACE, s(ns)));
                (
                    "AmazonS3",
                    "Amazon Simple Storage Service",
                    "Storage",
                    "GB-Mo",
                    format!("{}TimedStorage-ByteHrs", region.prefix.replace("USE1-", "")),
                    "StandardStorage",
                    format!("acme-{cluster}-{ns}-{suffix}"),
                    rng.between(5_000_000, 90_000_000),
                )
            }
            2 => {
                kc(&mut tags);
                tags.push((T_K_NAMESPACE, s(ns)));
                (
                    "AmazonDynamoDB",
                    "Amazon DynamoDB",
                    "Amazon DynamoDB PayPerRequest Throughput",
                    "WriteRequestUnits",
                    format!("{}WriteRequestUnits", region.prefix),
                    "PayPerRequestThroughput",
                    format!(
                        "arn:aws:dynamodb:{}:{acct}:table/{ns}-sessions",
                        region.code
                    ),
                    rng.between(1_000_000, 40_000_000),
                )
            }
            3 => {
                kc(&mut tags);
                tags.push((T_K_NAMESPACE, s(ns)));
                let p = format!("{ns}-redis-0");
                tags.push((T_K_POD, p.clone()));
                tags.push((T_K_CONTAINER, s("redis")));
                pod = Some(p);
                (
                    "AmazonElastiCache",
                    "Amazon ElastiCache",
                    "Cache Instance",
                    "Hrs",
                    format!("{}NodeUsage:cache.r6g.large", region.prefix),
                    "CreateCacheCluster:0002",
                    format!(
                        "arn:aws:elasticache:{}:{acct}:cluster:{ns}-cache-{suffix}",
                        region.code
                    ),
                    206_000_000,
                )
            }
            4 => {
                scheme = Scheme::Alternative;
                tags.push((T_ALT_CLUSTER, cluster.clone()));
                tags.push((T_ALT_NAMESPACE, s(ns)));
                (
                    "AmazonS3",
                    "Amazon Simple Storage Service",
                    "Storage",
                    "GB-Mo",
                    format!("{}TimedStorage-ByteHrs", region.prefix.replace("USE1-", "")),
                    "StandardStorage",
                    format!("acme-{cluster}-{ns}-assets-{suffix}"),
                    rng.between(2_000_000, 30_000_000),
                )
            }
            5 => {
                kc(&mut tags);
                namespace = None;
                (
                    "AWSELB",
                    "Elastic Load Balancing",
                    "Load Balancer-Application",
                    "Hrs",
                    format!("{}LoadBalancerUsage", region.prefix),
                    "LoadBalancing:Application",
                    format!(
                        "arn:aws:elasticloadbalancing:{}:{acct}:loadbalancer/app/k8s-{suffix}/{}",
                        region.code,
                        rng.hex(16)
                    ),
                    22_500_000,
                )
            }
            _ => {
                scheme = Scheme::Alternative;
                tags.push((T_ALT_CLUSTER, cluster.clone()));
                tags.push((T_ALT_NAMESPACE, s(ns)));
                (
                    "AWSQueueService",
                    "Amazon Simple Queue Service",
                    "API Request",
                    "Requests",
                    format!("{}Requests-Tier1", region.prefix),
                    "GetQueueAttributes",
                    format!("arn:aws:sqs:{}:{acct}:{ns}-events-{suffix}", region.code),
                    rng.between(100_000, 3_000_000),
                )
            }
        };
        tags.push((T_NAME, format!("{ns}-{suffix}")));
        tags.push((T_TEAM, s(rng.pick_str(&TEAMS))));
        if k.is_multiple_of(2) {
            tags.push((
                T_CREATED_BY,
                format!("AssumedRole:AROA{}:terraform", rng.alnum(12).to_uppercase()),
            ));
        }
        tags.sort_by_key(|t| t.0);
        let product = b.product(name, family, code, Some(region), unit, None, &[]);
        External {
            cluster: ci,
            scheme,
            namespace,
            pod,
            account: c.account,
            product_code: code,
            product,
            usage_type: usage,
            operation: op,
            resource_id: rid,
            az: if code == "AmazonS3" {
                ""
            } else {
                region.azs[0]
            },
            hour_cost,
            tags,
        }
    }

    /// The account name of an account id.
    pub fn account_name(&self, id: &str) -> &str {
        self.accounts
            .iter()
            .find(|a| a.id == id)
            .map_or("", |a| a.name.as_str())
    }

    /// The billing periods (calendar months) the window touches.
    pub fn periods(&self) -> Vec<Period> {
        let mut out: Vec<Period> = Vec::new();
        for d in 0..self.days {
            let date = self.date(d);
            let month = date.with_day0(0).unwrap_or(date);
            match out.last_mut() {
                Some(p) if p.start == month => p.end_day = d + 1,
                _ => out.push(Period {
                    start: month,
                    end: next_month(month),
                    first_day: d,
                    end_day: d + 1,
                }),
            }
        }
        out
    }

    pub fn date(&self, day: u32) -> NaiveDate {
        self.start
            .checked_add_days(Days::new(u64::from(day)))
            .unwrap_or(self.start)
    }

    fn node_present(&self, vseed: u64, node: usize, day: u32) -> bool {
        self.nodes[node].always || hash(&[vseed, 1, node as u64, u64::from(day)]) % 100 >= 6
    }

    fn node_empty(&self, vseed: u64, node: usize, day: u32) -> bool {
        !self.nodes[node].always && hash(&[vseed, 2, node as u64, u64::from(day)]) % 100 < 7
    }

    /// Which pods run on which node on a day (indices into `pods`), per node.
    fn schedule(&self, vseed: u64, day: u32) -> (Vec<bool>, Vec<Vec<usize>>) {
        let present: Vec<bool> = (0..self.nodes.len())
            .map(|n| self.node_present(vseed, n, day))
            .collect();
        let open: Vec<bool> = (0..self.nodes.len())
            .map(|n| present[n] && !self.node_empty(vseed, n, day))
            .collect();
        let mut on: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        let mut free: Vec<(i64, i64)> = self
            .nodes
            .iter()
            .map(|n| (n.itype.vcpu * 1000, n.itype.mem_gib * 1024))
            .collect();
        let mut rng = Rng::derive(&[vseed, 3, u64::from(day)]);
        let mut waiting: Vec<usize> = Vec::new();
        for (p, pod) in self.pods.iter().enumerate() {
            if let Some(n) = pod.daemon_node {
                if open[n] {
                    on[n].push(p);
                    free[n].0 -= pod.cpu_mc;
                    free[n].1 -= pod.mem_mib;
                }
            } else if hash(&[vseed, 4, p as u64, u64::from(day)]) % 100 < pod.presence {
                waiting.push(p);
            }
        }
        rng.shuffle(&mut waiting);
        let mut by_cluster: Vec<Vec<usize>> = vec![Vec::new(); self.clusters.len()];
        for (n, node) in self.nodes.iter().enumerate() {
            if open[n] {
                by_cluster[node.cluster].push(n);
            }
        }
        for p in waiting {
            let pod = &self.pods[p];
            let nodes = &by_cluster[pod.cluster];
            if nodes.is_empty() {
                continue;
            }
            let offset = rng.below(nodes.len() as u64) as usize;
            for i in 0..nodes.len() {
                let n = nodes[(offset + i) % nodes.len()];
                if free[n].0 >= pod.cpu_mc && free[n].1 >= pod.mem_mib {
                    free[n].0 -= pod.cpu_mc;
                    free[n].1 -= pod.mem_mib;
                    on[n].push(p);
                    break;
                }
            }
        }
        for list in &mut on {
            list.sort_unstable();
        }
        (present, on)
    }

    /// Emits the rows of days `first..end` of a period. `vseed` is the model seed for the current
    /// delivery, another value for a stale one.
    pub fn emit_days(
        &self,
        period: &Period,
        end_day: u32,
        vseed: u64,
        out: &mut dyn FnMut(&Row<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut e = Emitter {
            m: self,
            vseed,
            seq: 0,
            period_start: ts(period.start),
            period_end: ts(period.end),
            out,
        };
        for day in period.first_day..end_day.min(period.end_day) {
            e.day(period, day)?;
        }
        Ok(())
    }
}

fn next_month(d: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

trait Day0 {
    fn with_day0(self, d: u32) -> Option<NaiveDate>;
}

impl Day0 for NaiveDate {
    fn with_day0(self, d: u32) -> Option<NaiveDate> {
        chrono::Datelike::with_day0(&self, d)
    }
}

/// Unix seconds of midnight UTC of a date.
pub fn ts(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}

/// Splits `base` nano-dollars of a node over its pods by AWS's 9:1 vCPU:GiB weights (CUR.md
/// §3.3): per pod `[cpu split, cpu unused, memory split, memory unused]`, summing to `base`.
pub fn split_node(base: i64, vcpu: i64, mem_gib: i64, pods: &[(i64, i64)]) -> Vec<[i64; 4]> {
    let w = i128::from(9 * vcpu + mem_gib);
    let cpu_pool = (i128::from(base) * i128::from(9 * vcpu) / w) as i64;
    let mem_pool = base - cpu_pool;
    let cap_mc = i128::from(vcpu * 1000);
    let cap_mib = i128::from(mem_gib * 1024);
    let mut out: Vec<[i64; 4]> = pods
        .iter()
        .map(|&(mc, mib)| {
            [
                (i128::from(cpu_pool) * i128::from(mc) / cap_mc) as i64,
                0,
                (i128::from(mem_pool) * i128::from(mib) / cap_mib) as i64,
                0,
            ]
        })
        .collect();
    for (pool, split_ix, weight) in [(cpu_pool, 0, 0), (mem_pool, 2, 1)] {
        let used: i64 = out.iter().map(|p| p[split_ix]).sum();
        let unused = pool - used;
        let total_w: i128 = pods
            .iter()
            .map(|p| i128::from(if weight == 0 { p.0 } else { p.1 }))
            .sum::<i128>()
            .max(1);
        let mut given = 0;
        for (i, p) in pods.iter().enumerate() {
            let wt = i128::from(if weight == 0 { p.0 } else { p.1 });
            let share = (i128::from(unused) * wt / total_w) as i64;
            out[i][split_ix + 1] = share;
            given += share;
        }
        if let Some(first) = out.first_mut() {
            first[split_ix + 1] += unused - given;
        }
    }
    out
}

/// Writes rows for one delivery.
struct Emitter<'m, 'o> {
    m: &'m Model,
    vseed: u64,
    seq: u64,
    period_start: i64,
    period_end: i64,
    out: &'o mut dyn FnMut(&Row<'_>) -> io::Result<()>,
}

/// Per-slot bookkeeping of one node.
#[derive(Default, Clone, Copy)]
struct NodeBases {
    amortized: i64,
    on_demand: i64,
    net: i64,
}

impl Emitter<'_, '_> {
    fn base<'a>(&mut self, day: u32, start: i64, end: i64, account: &'a str) -> Row<'a> {
        self.seq += 1;
        Row {
            day,
            id: hash(&[self.vseed, u64::from(day), self.seq]),
            start,
            end,
            millis: false,
            period_start: self.period_start,
            period_end: self.period_end,
            account,
            ..Row::default()
        }
    }

    fn net(&self, v: i64) -> Option<i64> {
        self.m.with_net.then(|| discounted(v))
    }

    fn emit(&mut self, row: &Row<'_>) -> io::Result<()> {
        (self.out)(row)
    }

    fn day(&mut self, period: &Period, day: u32) -> io::Result<()> {
        let m = self.m;
        let (present, on) = m.schedule(self.vseed, day);
        let day_start = ts(m.date(day));
        let mut rng = Rng::derive(&[self.vseed, 5, u64::from(day)]);
        let (slots, hours) = if m.hourly { (24, 1) } else { (1, 24) };
        if day == period.first_day {
            self.monthly(period, day_start)?;
        }
        for slot in 0..slots {
            let start = day_start + i64::from(slot) * 3600 * hours;
            let end = start + 3600 * hours;
            let mut sp_used = vec![0_i64; m.sps.len()];
            for n in 0..m.nodes.len() {
                if present[n] {
                    self.node(day, start, end, hours, n, &on[n], &mut sp_used)?;
                }
            }
            self.fargate(day, start, end, hours)?;
            self.fixed(day, start, end, hours, &mut rng)?;
            for (i, sp) in m.sps.iter().enumerate() {
                let total = sp.commit_hour * hours;
                let used = sp_used[i];
                let mut r = self.base(day, start, end, &m.accounts[sp.account].id);
                r.line_item_type = "SavingsPlanRecurringFee";
                r.product_code = "ComputeSavingsPlans";
                r.usage_type = "ComputeSP:1yrNoUpfront";
                r.operation = "";
                r.usage_amount = Some(hours * NANO);
                r.rate = Some(sp.commit_hour);
                r.unblended = total;
                r.net_unblended = self.net(total);
                r.description = "1 year No Upfront Compute Savings Plan";
                r.sp = SavingsPlan {
                    arn: &sp.arn,
                    total_commitment: Some(total),
                    used_commitment: Some(used),
                    ..SavingsPlan::default()
                };
                r.resource_id = &sp.arn;
                r.metrics = [total, total - used, total - used, 0];
                self.emit(&r)?;
            }
            if slot == slots / 2 {
                self.daily(day, start, end, &present, &on, &mut rng)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn node(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
        n: usize,
        pods: &[usize],
        sp_used: &mut [i64],
    ) -> io::Result<()> {
        let m = self.m;
        let node = &m.nodes[n];
        let cluster = &m.clusters[node.cluster];
        let account = &m.accounts[cluster.account].id;
        let tags: Vec<(u8, &str)> = node.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let od = node.od_hour * hours;
        let mut bases = NodeBases::default();
        let alloc = Alloc::Node { node: n as u32 };
        let template = |e: &mut Self| {
            let mut r = e.base(day, start, end, account);
            r.product_code = "AmazonEC2";
            r.usage_type = &node.usage_type;
            r.operation = "RunInstances";
            r.az = node.az;
            r.resource_id = &node.id;
            r.product = Some(&m.products[node.product]);
            r.on_demand_rate = Some(node.od_hour);
            r.tags = &tags;
            r.alloc = alloc;
            r
        };
        let (sp_hours_pct, sp_ix) = match node.purchase {
            Purchase::SavingsPlan(s) => (100, Some(s)),
            Purchase::Mixed(s) => (60, Some(s)),
            _ => (0, None),
        };
        match node.purchase {
            Purchase::OnDemand | Purchase::Mixed(_) => {
                let cost = od * (100 - sp_hours_pct) / 100;
                let mut r = template(self);
                r.line_item_type = "Usage";
                r.term = "OnDemand";
                r.usage_amount = Some(hours * NANO * (100 - sp_hours_pct) / 100);
                r.rate = Some(node.od_hour);
                r.unblended = cost;
                r.net_unblended = self.net(cost);
                r.on_demand = Some(cost);
                r.description = "On Demand Linux instance hour";
                let net = r.net_unblended.unwrap_or(cost);
                r.metrics = [cost, cost, net, cost];
                bases.amortized += cost;
                bases.on_demand += cost;
                bases.net += net;
                self.emit(&r)?;
            }
            Purchase::Reserved(ri_ix) => {
                let ri = &m.ris[ri_ix];
                let eff = (ri.upfront_hour + ri.recurring_hour) * hours;
                let mut r = template(self);
                r.line_item_type = "DiscountedUsage";
                r.term = "Reserved";
                r.usage_amount = Some(hours * NANO);
                r.rate = Some(0);
                r.unblended = 0;
                r.net_unblended = self.net(0);
                r.on_demand = Some(od);
                r.description = "Linux/UNIX (Amazon VPC), reserved instance applied";
                r.ri = Reservation {
                    arn: &ri.arn,
                    effective_cost: Some(eff),
                    net_effective_cost: self.net(eff),
                    ..Reservation::default()
                };
                let net = r.ri.net_effective_cost.unwrap_or(eff);
                r.metrics = [0, eff, net, od];
                bases.amortized += eff;
                bases.on_demand += od;
                bases.net += net;
                self.emit(&r)?;
            }
            Purchase::SavingsPlan(_) => {}
        }
        if let Some(s) = sp_ix {
            let sp = &m.sps[s];
            let covered = od * sp_hours_pct / 100;
            let sp_rate = node.od_hour * 7173 / 10000;
            let eff = sp_rate * hours * sp_hours_pct / 100;
            sp_used[s] += eff;
            let mut r = template(self);
            r.line_item_type = "SavingsPlanCoveredUsage";
            r.term = "OnDemand";
            r.usage_amount = Some(hours * NANO * sp_hours_pct / 100);
            r.rate = Some(node.od_hour);
            r.unblended = covered;
            r.net_unblended = self.net(covered);
            r.on_demand = Some(covered);
            r.description = "Savings Plan covered usage";
            r.sp = SavingsPlan {
                arn: &sp.arn,
                effective_cost: Some(eff),
                net_effective_cost: self.net(eff),
                rate: Some(sp_rate),
                ..SavingsPlan::default()
            };
            let net = r.sp.net_effective_cost.unwrap_or(eff);
            r.metrics = [covered, eff, net, covered];
            bases.amortized += eff;
            bases.on_demand += covered;
            bases.net += net;
            self.emit(&r)?;
            let mut r = template(self);
            r.line_item_type = "SavingsPlanNegation";
            r.term = "OnDemand";
            r.usage_amount = Some(hours * NANO * sp_hours_pct / 100);
            r.rate = Some(-node.od_hour);
            r.on_demand_rate = None;
            r.unblended = -covered;
            r.net_unblended = self.net(-covered);
            r.description = "SavingsPlanNegation used by AccountId and UsageSku";
            r.sp = SavingsPlan {
                arn: &sp.arn,
                ..SavingsPlan::default()
            };
            r.metrics = [-covered, 0, 0, 0];
            self.emit(&r)?;
        }
        if !m.with_resource_ids || pods.is_empty() {
            return Ok(());
        }
        // Split pod rows (overlay).
        let it = node.itype;
        let req: Vec<(i64, i64)> = pods
            .iter()
            .map(|&p| (m.pods[p].cpu_mc, m.pods[p].mem_mib))
            .collect();
        let amort = split_node(bases.amortized, it.vcpu, it.mem_gib, &req);
        let ods = split_node(bases.on_demand, it.vcpu, it.mem_gib, &req);
        let nets = split_node(bases.net, it.vcpu, it.mem_gib, &req);
        let [cpu_p, mem_p] = m.eks_pod_products[node.cluster];
        for (i, &p) in pods.iter().enumerate() {
            let pod = &m.pods[p];
            let mut ptags: Vec<(u8, &str)> =
                pod.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ptags.push((T_EKS_NODE, &node.name));
            ptags.sort_by_key(|t| t.0);
            for cpu in [true, false] {
                let (k, usage, cap, product, ut) = if cpu {
                    (
                        0,
                        pod.cpu_mc * 1_000_000 * hours,
                        it.vcpu * 1000,
                        cpu_p,
                        "EKS-EC2-vCPU-Hours",
                    )
                } else {
                    (
                        2,
                        pod.mem_mib * NANO / 1024 * hours,
                        it.mem_gib * 1024,
                        mem_p,
                        "EKS-EC2-GB-Hours",
                    )
                };
                let own = if cpu { pod.cpu_mc } else { pod.mem_mib };
                let usage_type = format!("{}{ut}", cluster.region.prefix);
                let mut r = self.base(day, start, end, account);
                r.line_item_type = "Usage";
                r.product_code = "AmazonEKS";
                r.usage_type = &usage_type;
                r.operation = "EKSPod-EC2";
                r.az = node.az;
                r.resource_id = &pod.arn;
                r.usage_amount = Some(usage);
                r.unblended = 0;
                r.net_unblended = self.net(0);
                r.product = Some(&m.products[product]);
                r.description = if cpu {
                    "EKS split cost: vCPU allocated to the pod"
                } else {
                    "EKS split cost: memory allocated to the pod"
                };
                r.split = Some(Split {
                    parent: &node.id,
                    reserved_usage: usage,
                    split_usage: usage,
                    ratio: m
                        .hourly
                        .then(|| (i128::from(own) * i128::from(NANO) / i128::from(cap)) as i64),
                    split_cost: amort[i][k],
                    unused_cost: amort[i][k + 1],
                    net_split_cost: nets[i][k],
                    net_unused_cost: nets[i][k + 1],
                    od_split_cost: ods[i][k],
                    od_unused_cost: ods[i][k + 1],
                });
                r.tags = &ptags;
                r.alloc = Alloc::PodSplit {
                    node: n as u32,
                    pod: p as u32,
                    cpu,
                };
                r.metrics = [0, 0, 0, 0];
                self.emit(&r)?;
            }
        }
        Ok(())
    }

    fn fargate(&mut self, day: u32, start: i64, end: i64, hours: i64) -> io::Result<()> {
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

    /// Control planes, external resources and shared services: every slot.
    fn fixed(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
        rng: &mut Rng,
    ) -> io::Result<()> {
        let m = self.m;
        for (ci, c) in m.clusters.iter().enumerate() {
            let cost = 100_000_000 * hours;
            let mut r = self.base(day, start, end, &m.accounts[c.account].id);
            r.line_item_type = "Usage";
            r.product_code = "AmazonEKS";
            r.usage_type = &c.usage_type;
            r.operation = "CreateOperation";
            r.resource_id = &c.arn;
            r.usage_amount = Some(hours * NANO);
            r.rate = Some(100_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(100_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[c.product]);
            r.description = "Amazon EKS cluster usage";
            r.millis = true;
            r.alloc = Alloc::ControlPlane { cluster: ci as u32 };
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        for (x, ext) in m.externals.iter().enumerate() {
            let tags: Vec<(u8, &str)> = ext.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // Storage-like costs wobble from day to day at 9 decimals.
            let cost =
                ext.hour_cost * hours * (1000 + rng.between(-40, 40)) / 1000 + rng.between(0, 999);
            let mut r = self.base(day, start, end, &m.accounts[ext.account].id);
            r.line_item_type = "Usage";
            r.product_code = ext.product_code;
            r.usage_type = &ext.usage_type;
            r.operation = ext.operation;
            r.az = ext.az;
            r.resource_id = &ext.resource_id;
            r.usage_amount = Some(hours * NANO);
            r.rate = Some(ext.hour_cost);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(ext.hour_cost);
            r.term = "OnDemand";
            r.product = Some(&m.products[ext.product]);
            r.description = "Usage";
            r.tags = &tags;
            r.alloc = Alloc::External { ext: x as u32 };
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        for sh in &m.shared {
            let acct = &m.accounts[sh.account].id;
            // CloudWatch metrics.
            let metrics_n = rng.between(40_000_000_000, 90_000_000_000) * hours / 720;
            let cost = metrics_n * 300_000_000 / NANO;
            let mut r = self.base(day, start, end, acct);
            r.line_item_type = "Usage";
            r.product_code = "AmazonCloudWatch";
            r.usage_type = "CW:MetricMonitorUsage";
            r.operation = "MetricStorage";
            r.usage_amount = Some(metrics_n);
            r.rate = Some(300_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(300_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.cloudwatch]);
            r.description = "$0.30 per metric-month for the first 10,000 metrics";
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
            // KMS requests: tiny amounts, written in scientific notation.
            let requests = rng.between(1, 40);
            let cost = requests * 3_000 / 2 * 2 + 5;
            let mut r = self.base(day, start, end, acct);
            r.line_item_type = "Usage";
            r.product_code = "awskms";
            r.usage_type = "us-east-1-KMS-Requests";
            r.operation = "GenerateDataKey";
            r.resource_id = &sh.kms_key;
            r.usage_amount = Some(requests * NANO);
            r.rate = Some(3_000);
            r.unblended = cost;
            r.sci = true;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(3_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.kms]);
            r.description = "$0.03 per 10,000 requests";
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
            // NAT gateway bytes.
            let gb = rng.between(1_000_000_000, 60_000_000_000) * hours / 24;
            let cost = gb / 1000 * 45;
            let mut r = self.base(day, start, end, acct);
            r.line_item_type = "Usage";
            r.product_code = "AmazonEC2";
            r.usage_type = "NatGateway-Bytes";
            r.operation = "NatGateway";
            r.az = "us-east-1a";
            r.resource_id = &sh.nat_id;
            r.usage_amount = Some(gb);
            r.rate = Some(45_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(45_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.nat]);
            r.description = "$0.045 per GB Data Processed by NAT Gateways";
            r.millis = true;
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        Ok(())
    }

    /// Once a day: node data transfer, EBS volumes, Route 53, dropped split rows.
    fn daily(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        present: &[bool],
        on: &[Vec<usize>],
        rng: &mut Rng,
    ) -> io::Result<()> {
        let m = self.m;
        for (n, node) in m.nodes.iter().enumerate() {
            if !present[n] || n % 3 != 0 {
                continue;
            }
            let account = &m.accounts[m.clusters[node.cluster].account].id;
            let tags: Vec<(u8, &str)> = node.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let gb = rng.between(100_000_000, 80_000_000_000);
            let cost = gb / 100;
            let mut r = self.base(day, start, end, account);
            r.line_item_type = "Usage";
            r.product_code = "AmazonEC2";
            r.usage_type = &node.dt_usage_type;
            r.operation = "InterZone-Out";
            r.az = node.az;
            r.resource_id = &node.id;
            r.usage_amount = Some(gb);
            r.rate = Some(10_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(10_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[node.dt_product]);
            r.description = "$0.01 per GB - regional data transfer - in/out/between EC2 AZs";
            r.tags = &tags;
            r.alloc = Alloc::Node { node: n as u32 };
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        for (ci, vol, product, usage_type) in &m.ebs {
            let c = &m.clusters[*ci];
            let tags = [(T_EKS_CLUSTER, c.name.as_str())];
            let gb_month = 500 * NANO / 30;
            let cost = gb_month * 80 / 1000;
            let mut r = self.base(day, start, end, &m.accounts[c.account].id);
            r.line_item_type = "Usage";
            r.product_code = "AmazonEC2";
            r.usage_type = usage_type;
            r.operation = "CreateVolume-Gp3";
            r.az = c.region.azs[1];
            r.resource_id = vol;
            r.usage_amount = Some(gb_month);
            r.rate = Some(80_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(80_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[*product]);
            r.description = "$0.08 per GB-month of General Purpose (gp3) provisioned storage";
            r.tags = &tags;
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        for sh in &m.shared {
            let cost = 16_129_032;
            let mut r = self.base(day, start, end, &m.accounts[sh.account].id);
            r.line_item_type = "Usage";
            r.product_code = "AmazonRoute53";
            r.usage_type = "HostedZone";
            r.operation = "";
            r.resource_id = &sh.zone;
            r.usage_amount = Some(32_258_064);
            r.rate = Some(500_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(500_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.route53]);
            r.description = "$0.50 per Hosted Zone for the first 25 Hosted Zones";
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        // Split rows with an empty parent and no cost (readers drop them).
        if m.with_resource_ids
            && let Some((n, list)) = on.iter().enumerate().find(|(_, l)| !l.is_empty())
        {
            {
                let pod = &m.pods[list[0]];
                let c = &m.clusters[m.nodes[n].cluster];
                let usage_type = format!("{}EKS-EC2-vCPU-Hours", c.region.prefix);
                let tags: Vec<(u8, &str)> =
                    pod.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let mut r = self.base(day, start, end, &m.accounts[c.account].id);
                r.line_item_type = "Usage";
                r.product_code = "AmazonEKS";
                r.usage_type = &usage_type;
                r.operation = "EKSPod-EC2";
                r.resource_id = &pod.arn;
                r.usage_amount = Some(0);
                r.unblended = 0;
                r.net_unblended = self.net(0);
                r.split = Some(Split::default());
                r.tags = &tags;
                r.alloc = Alloc::Dropped;
                self.emit(&r)?;
            }
        }
        Ok(())
    }

    /// Rows of the first day of a period in the window: RI fees, RI purchases, tax, credit.
    fn monthly(&mut self, period: &Period, day_start: i64) -> io::Result<()> {
        let m = self.m;
        let day = period.first_day;
        let (start, end) = (day_start, self.period_end);
        let hours = i64::from(period.end_day - period.first_day) * 24;
        for ri in &m.ris {
            let used: i64 = (period.first_day..period.end_day)
                .map(|d| {
                    m.nodes
                        .iter()
                        .enumerate()
                        .filter(|(n, node)| {
                            matches!(node.purchase, Purchase::Reserved(r) if m.ris[r].arn == ri.arn)
                                && m.node_present(self.vseed, *n, d)
                        })
                        .count() as i64
                        * 24
                })
                .sum();
            let units = ri.count * hours;
            let unused = units - used;
            let unblended = ri.recurring_hour * units;
            let uu = ri.upfront_hour * unused;
            let ur = ri.recurring_hour * unused;
            let mut r = self.base(day, start, end, &m.accounts[ri.account].id);
            r.line_item_type = "RIFee";
            r.product_code = "AmazonEC2";
            r.usage_type = &ri.usage_type;
            r.operation = "RunInstances";
            r.usage_amount = Some(units * NANO);
            r.rate = Some(ri.recurring_hour);
            r.unblended = unblended;
            r.net_unblended = self.net(unblended);
            r.description = "Sales Tax not included; reserved instance recurring fee";
            r.millis = true;
            r.ri = Reservation {
                arn: &ri.arn,
                unused_amortized_upfront: Some(uu),
                net_unused_amortized_upfront: self.net(uu),
                unused_recurring: Some(ur),
                net_unused_recurring: self.net(ur),
                amortized_upfront: Some(ri.upfront_hour * units),
                ..Reservation::default()
            };
            let net = if m.with_net {
                discounted(uu) + discounted(ur)
            } else {
                uu + ur
            };
            r.metrics = [unblended, uu + ur, net, 0];
            self.emit(&r)?;
            if period.first_day == 0 {
                let mut r = self.base(day, start, end, &m.accounts[ri.account].id);
                r.line_item_type = "Fee";
                r.product_code = "AmazonEC2";
                r.usage_type = &ri.usage_type;
                r.operation = "RunInstances";
                r.usage_amount = Some(ri.count * NANO);
                r.unblended = ri.upfront_total * ri.count;
                r.net_unblended = self.net(r.unblended);
                r.description =
                    "Sign up charge for subscription: reserved instances, partial upfront";
                r.ri = Reservation {
                    arn: &ri.arn,
                    ..Reservation::default()
                };
                r.metrics = [r.unblended, 0, 0, 0];
                self.emit(&r)?;
            }
        }
        let mut rng = Rng::derive(&[self.vseed, 7, u64::from(day)]);
        for sh in &m.shared {
            let cost = rng.between(20_000_000_000, 180_000_000_000) / 10_000 * 10_000;
            let mut r = self.base(day, start, end, &m.accounts[sh.account].id);
            r.line_item_type = "Tax";
            r.product_code = "AmazonEC2";
            r.usage_amount = Some(NANO);
            r.unblended = cost;
            r.net_unblended = self.net(cost).map(|_| cost);
            r.product = Some(&m.products[sh.tax]);
            r.description = "Tax for product code AmazonEC2";
            r.millis = true;
            r.metrics = [cost, cost, cost, 0];
            self.emit(&r)?;
        }
        let credit = -rng.between(100_000_000_000, 400_000_000_000) / 1000 * 1000;
        let mut r = self.base(day, start, end, &m.accounts[0].id);
        r.line_item_type = "Credit";
        r.product_code = "AmazonEC2";
        r.usage_type = "";
        r.usage_amount = Some(0);
        r.unblended = credit;
        r.net_unblended = self.net(credit).map(|_| credit);
        r.product = Some(&m.products[m.credit_product]);
        r.description = "AWS Activate Credits";
        r.millis = true;
        r.metrics = [credit, credit, credit, 0];
        self.emit(&r)
    }
}

impl Scale {
    /// Rows one slot (an hour, or a day of a daily report) produces, roughly.
    pub fn rows_per_slot(&self) -> f64 {
        let clusters = self.clusters.max(1) as f64;
        let nodes = clusters * self.nodes_per_cluster.max(1) as f64;
        let pods = clusters
            * (self.namespaces_per_cluster.max(2) - 1) as f64
            * self.workloads_per_namespace.max(1) as f64
            * (self.pods_per_workload.max(1) as f64 + 1.0)
            / 2.0
            * 0.82
            + nodes * 0.87;
        pods * 2.0
            + nodes * 1.5
            + self.fargate_pods as f64 * 1.2
            + clusters * (1.0 + self.externals_per_cluster as f64)
            + 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_sums_to_the_base_and_weights_cpu_nine_to_one() {
        let parts = split_node(
            1_000_000_000,
            4,
            16,
            &[(1000, 2048), (500, 4096), (250, 1024)],
        );
        let total: i64 = parts.iter().flatten().sum();
        assert_eq!(total, 1_000_000_000);
        // AWS's worked example: $1/h, 4 vCPU/16 GB → $0.17/vCPU-h... (9:1 weights).
        let cpu_pool = 1_000_000_000_i64 * 36 / 52;
        assert_eq!(parts[0][0], cpu_pool / 4);
        assert!(parts.iter().all(|p| p.iter().all(|v| *v >= 0)));
    }

    #[test]
    fn periods_split_at_month_boundaries() {
        let spec = DemoSpec::demo(
            1,
            45,
            NaiveDate::from_ymd_opt(2024, 6, 15).unwrap_or_default(),
        );
        let m = Model::build(&spec);
        let p = m.periods();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].folder(), "20240501-20240601");
        assert_eq!(p[0].first_day, 0);
        assert_eq!(p[0].end_day, 31);
        assert_eq!(p[1].end_day, 45);
    }
}
