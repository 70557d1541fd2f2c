//! The demo company: accounts, clusters, nodes, pods, external resources, commitments, and
//! how they turn into line items day by day ([`Model::emit_days`]).
//!
//! Every amount is an integer of nano-dollars computed with integer arithmetic, so what is
//! written equals what the truth sums. Daily choices (which nodes run, which pods are
//! scheduled where) are hashed from (seed, entity, day), so a day can be re-emitted alone.
//!
//! [`Model::build`] runs one stage per part of the company; each part's file holds what it is,
//! the stages that build it and the rows it emits: `cluster` (control planes, EC2 nodes, EBS),
//! `pods` (namespaces, pods, Fargate), `external`, `commitments` (RIs, the savings plan),
//! `shared` (shared services, tax, credit), `split` (EKS split rows), with `catalog` (regions,
//! instance types, products), `tags`, `schedule` (who runs on a day) and `emit` (the order of a
//! day's rows).

mod catalog;
mod cluster;
mod commitments;
mod emit;
mod external;
mod pods;
mod schedule;
mod shared;
mod split;
mod tags;

use chrono::{Days, NaiveDate};

pub use catalog::Product;
pub use external::Scheme;
pub use tags::{ALT_CLUSTER_KEY, ALT_NAMESPACE_KEY};

use super::rng::Rng;
use super::{DemoSpec, Granularity, Scale};
use catalog::Catalog;
use cluster::{Cluster, Node};
use commitments::{Ri, Sp};
use external::External;
use pods::{FargatePod, NAMESPACE_NAMES, Namespace, Pod};
use shared::Shared;
use tags::TAG_KEYS;

/// An AWS account of the organization (the first is the payer).
#[derive(Debug)]
pub struct Account {
    pub id: String,
    pub name: String,
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

/// The company while [`Model::build`] makes it: the model so far, its two random streams, and
/// what a stage leaves for a later one.
struct Draft<'s> {
    scale: &'s Scale,
    model: Model,
    /// Entity choices: names, sizes, ids, placements.
    rng: Rng,
    /// The products, with their own stream.
    catalog: Catalog,
    /// The savings plan's ARN: drawn first, the plan made once every node is known.
    sp_arn: String,
    /// What the nodes under the savings plan cost an hour at its rate.
    sp_commit_hour: i64,
    /// Namespace names, shuffled once, taken in turn by every cluster.
    ns_pool: Vec<&'static str>,
    ns_counter: usize,
}

fn s(v: &str) -> String {
    v.to_string()
}

/// `v` less a 3% negotiated discount (the `with_net` model).
fn discounted(v: i64) -> i64 {
    v - v * 3 / 100
}

impl Model {
    /// Builds the company of a spec (no rows yet). The stages draw from the same random streams
    /// in this order: the order is part of every generated bill.
    pub fn build(spec: &DemoSpec) -> Model {
        let mut d = Draft::new(spec);
        for ci in 0..spec.scale.clusters.max(1) {
            d.add_cluster(ci);
            let nodes = d.add_nodes(ci);
            let first_ns = d.add_namespaces(ci);
            let workloads = d.plan_workloads(first_ns);
            d.add_workload_pods(ci, &nodes, workloads);
            d.add_daemonsets(ci, first_ns, nodes);
            d.add_externals(ci, first_ns);
            d.add_volume(ci);
        }
        d.add_fargate();
        d.add_savings_plan();
        d.add_shared_services();
        d.add_credit();
        d.finish()
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

    /// The date of window day `day`.
    pub fn date(&self, day: u32) -> NaiveDate {
        self.start
            .checked_add_days(Days::new(u64::from(day)))
            .unwrap_or(self.start)
    }
}

impl<'s> Draft<'s> {
    /// The accounts, an empty company and the streams; draws the savings plan's ARN and
    /// shuffles the namespace names.
    fn new(spec: &'s DemoSpec) -> Self {
        let mut rng = Rng::derive(&[spec.seed, 0xB111D]);
        let catalog = Catalog {
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
        let model = Model {
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
        let mut ns_pool: Vec<&str> = NAMESPACE_NAMES.to_vec();
        rng.shuffle(&mut ns_pool);
        Self {
            scale: &spec.scale,
            model,
            rng,
            catalog,
            sp_arn,
            sp_commit_hour: 0,
            ns_pool,
            ns_counter: 0,
        }
    }

    /// The company, with the products its stages made.
    fn finish(mut self) -> Model {
        self.model.products = self.catalog.products;
        self.model
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
