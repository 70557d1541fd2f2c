//! What the bill prices: AWS regions, EC2 instance types, and the product catalog
//! (`product/*` and the product-only padding columns) built with a random stream of its own.

use crate::demo::rng::Rng;
use crate::demo::row::PAD_COLUMNS;

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

/// The regions the company runs in: us-east-1 first (the default), eu-west-1.
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

/// The instance types its node groups pick from (indices in the clusters' type lists).
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

/// The products of the bill, in the order they were made (entities hold indices into it).
pub(super) struct Catalog {
    /// SKUs and rate ids: a stream of its own, so entity draws do not shift with product ones.
    pub(super) rng: Rng,
    pub(super) products: Vec<Product>,
}

impl Catalog {
    /// Adds a product, drawing its SKU (when it has a name) and its rate id and version.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn product(
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
