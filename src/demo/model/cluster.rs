//! Clusters and their EC2 nodes: the company's clusters (control plane, node groups and how
//! their hours are paid), and the rows they produce every slot (control plane, instance hours
//! on demand, reserved or under the savings plan) and once a day (data transfer, EBS volumes).

use std::io;
use std::ops::Range;

use super::catalog::{INSTANCE_TYPES, InstanceType, REGIONS, Region};
use super::commitments::Purchase;
use super::emit::Emitter;
use super::tags::{T_EKS_CLUSTER, T_EKS_CLUSTER_USER, T_NAME};
use super::{Draft, s};
use crate::demo::rng::Rng;
use crate::demo::row::{Alloc, NANO, Reservation, SavingsPlan};

/// The first clusters' names and regions (indices into [`REGIONS`]); more are `team<i>-use1`.
const CLUSTER_NAMES: [(&str, usize); 3] = [("prod-use1", 0), ("staging-use1", 0), ("dev-euw1", 1)];

/// An EKS cluster: its control plane's ARN, product and usage type.
#[derive(Debug)]
pub struct Cluster {
    pub name: String,
    pub region: &'static Region,
    pub account: usize,
    pub arn: String,
    pub product: usize,
    pub usage_type: String,
}

/// An EC2 node of a cluster.
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

/// Per-slot bookkeeping of one node: what its usage rows cost, which its split rows divide.
#[derive(Default, Clone, Copy)]
pub(super) struct NodeBases {
    pub(super) amortized: i64,
    pub(super) on_demand: i64,
    pub(super) net: i64,
}

impl Draft<'_> {
    /// Cluster `ci`: its control plane, and the products of its pods' split rows.
    pub(super) fn add_cluster(&mut self, ci: usize) {
        let (name, region_ix) = CLUSTER_NAMES
            .get(ci)
            .map_or((format!("team{ci}-use1"), 0), |(n, r)| (s(n), *r));
        let region = &REGIONS[region_ix];
        let account = if ci == 0 { 1 } else { 2 };
        let acct = self.model.accounts[account].id.clone();
        let cp_product = self.catalog.product(
            "Amazon Elastic Container Service for Kubernetes",
            "Compute",
            "AmazonEKS",
            Some(region),
            "Hours",
            None,
            &[("operation", s("CreateOperation"))],
        );
        self.model.clusters.push(Cluster {
            arn: format!("arn:aws:eks:{}:{acct}:cluster/{name}", region.code),
            usage_type: format!("{}AmazonEKS-Hours:perCluster", region.prefix),
            name: name.clone(),
            region,
            account,
            product: cp_product,
        });
        let cpu_p = self.catalog.product(
            "Amazon Elastic Container Service for Kubernetes",
            "Compute",
            "AmazonEKS",
            Some(region),
            "vCPU-Hours",
            None,
            &[],
        );
        let mem_p = self.catalog.product(
            "Amazon Elastic Container Service for Kubernetes",
            "Compute",
            "AmazonEKS",
            Some(region),
            "GB-Hours",
            None,
            &[],
        );
        self.model.eks_pod_products.push([cpu_p, mem_p]);
    }

    /// The nodes of cluster `ci` (their indices in `nodes`), each with its purchase option.
    pub(super) fn add_nodes(&mut self, ci: usize) -> Range<usize> {
        let c = &self.model.clusters[ci];
        let (name, region) = (c.name.clone(), c.region);
        let types: &[usize] = match ci % 3 {
            0 => &[1, 2, 2, 3, 4],
            1 => &[0, 1, 1],
            _ => &[0, 5],
        };
        let first_node = self.model.nodes.len();
        let mut ri_of_type: Vec<(usize, usize)> = Vec::new();
        for j in 0..self.scale.nodes_per_cluster.max(1) {
            let itype = &INSTANCE_TYPES[*self.rng.pick(types)];
            let od_hour = itype.od_hour * region.price_pct / 100;
            let purchase = self.purchase(ci, j, itype, od_hour, &mut ri_of_type);
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
            let ip = [
                10,
                ci as i64,
                self.rng.between(0, 255),
                self.rng.between(1, 254),
            ];
            let node_name = format!("ip-{}-{}-{}-{}.{}", ip[0], ip[1], ip[2], ip[3], region.dns);
            let (product, dt_product) = self.node_products(region, itype);
            self.model.nodes.push(Node {
                cluster: ci,
                id: format!("i-0{}", self.rng.hex(16)),
                name: node_name,
                itype,
                purchase,
                tags,
                az: self.rng.pick_str(&region.azs),
                product,
                usage_type: format!("{}BoxUsage:{}", region.box_prefix, itype.name),
                dt_product,
                dt_usage_type: format!("{}DataTransfer-Regional-Bytes", region.prefix),
                always: j < 2 || untagged,
                od_hour,
            });
        }
        first_node..self.model.nodes.len()
    }

    /// An EC2 node's products: its instance hours and its regional data transfer.
    fn node_products(&mut self, region: &'static Region, itype: &InstanceType) -> (usize, usize) {
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
        let product = self.catalog.product(
            "Amazon Elastic Compute Cloud",
            "Compute Instance",
            "AmazonEC2",
            Some(region),
            "Hrs",
            Some(itype),
            &ec2_extra,
        );
        let dt_product = self.catalog.product(
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
        (product, dt_product)
    }

    /// A volume tagged only with the AWS cluster tag (unallocated by default).
    pub(super) fn add_volume(&mut self, ci: usize) {
        let region = self.model.clusters[ci].region;
        let ebs_p = self.catalog.product(
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
        self.model.ebs.push((
            ci,
            format!("vol-0{}", self.rng.hex(16)),
            ebs_p,
            format!("{}EBS:VolumeUsage.gp3", region.box_prefix),
        ));
    }
}

impl Emitter<'_, '_> {
    /// The control plane hours of every cluster.
    pub(super) fn control_planes(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
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
        Ok(())
    }

    /// The usage rows of node `n` in a slot, then the split rows of its `pods`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn node(
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
        self.pod_splits(day, start, end, hours, n, pods, bases)
    }

    /// Data transfer of every third node present on the day.
    pub(super) fn node_transfer(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        present: &[bool],
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
        Ok(())
    }

    /// The EBS volumes, a day each.
    pub(super) fn volumes(&mut self, day: u32, start: i64, end: i64) -> io::Result<()> {
        let m = self.m;
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
        Ok(())
    }
}
