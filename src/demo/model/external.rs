//! External resources of a cluster's namespaces (databases, buckets, tables, caches, load
//! balancers, queues), tagged with the Kubecost or the alternative Kubernetes scheme, and their
//! usage rows every slot.

use std::io;

use super::catalog::Catalog;
use super::emit::Emitter;
use super::pods::TEAMS;
use super::tags::{
    T_ALT_CLUSTER, T_ALT_NAMESPACE, T_CREATED_BY, T_K_CLUSTER, T_K_CONTAINER, T_K_DEPLOYMENT,
    T_K_NAMESPACE, T_K_POD, T_NAME, T_TEAM,
};
use super::{Draft, Model, s};
use crate::demo::rng::Rng;
use crate::demo::row::{Alloc, NANO};

/// Which tagging scheme an external resource uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `kubernetes_*` (the default mapping).
    Kubecost,
    /// [`ALT_CLUSTER_KEY`] / [`ALT_NAMESPACE_KEY`].
    Alternative,
}

/// A resource outside the cluster that a namespace (or the whole cluster) uses.
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

impl Draft<'_> {
    /// The external resources of cluster `ci`, spread over its namespaces (not `kube-system`,
    /// the first at `first_ns`).
    pub(super) fn add_externals(&mut self, ci: usize, first_ns: usize) {
        for k in 0..self.scale.externals_per_cluster {
            let ns_ix =
                first_ns + 1 + (k * 3 + 1) % (self.model.namespaces.len() - first_ns - 1).max(1);
            let ns_ix = ns_ix.min(self.model.namespaces.len() - 1);
            let ns_name = self.model.namespaces[ns_ix].name.clone();
            let ext = self
                .model
                .external(&mut self.catalog, &mut self.rng, ci, k, &ns_name);
            self.model.externals.push(ext);
        }
    }
}

impl Model {
    /// External resource `k` of cluster `ci`, in namespace `ns`: its kind is `k % 7`.
    #[expect(
        clippy::too_many_lines,
        reason = "a table: one arm of literal fields per kind of resource"
    )]
    fn external(
        &self,
        catalog: &mut Catalog,
        rng: &mut Rng,
        ci: usize,
        k: usize,
        ns: &str,
    ) -> External {
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
        let product = catalog.product(name, family, code, Some(region), unit, None, &[]);
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
}

impl Emitter<'_, '_> {
    /// Every external resource's usage in a slot (a day's costs wobble a little).
    pub(super) fn externals(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
        rng: &mut Rng,
    ) -> io::Result<()> {
        let m = self.m;
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
        Ok(())
    }
}
