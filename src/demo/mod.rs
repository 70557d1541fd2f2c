//! The deterministic demo bill: a realistic company's AWS CUR, with EKS split cost allocation
//! data, written in any of the layouts AWS delivers (legacy CSV, legacy Athena Parquet, CUR 2.0,
//! FOCUS),
//! together with its [`Truth`] — every dollar's place per `docs/allocation.md`, computed from the
//! generator's own model as it emits rows, never by reading its output back.
//!
//! Same [`DemoSpec`] → byte-identical files on every machine (own PRNG, integer money).
//! Amounts are integers of nano-dollars; files carry at most 9 decimals (a few costs are
//! written in scientific notation, exactly representable in nano-dollars).
//!
//! Size: [`Scale::demo`] (3 clusters, ~30 namespaces, ~330 pods, 39 nodes) gives ~750 rows a day
//! on a daily report; [`Scale::with_target_rows`] sizes a bill for a row count (benchmarks).

mod focus;
mod legacy_csv;
mod model;
mod out;
mod parquet;
pub(crate) mod rng;
mod row;
mod truth;

use std::io;
use std::path::Path;

use chrono::{Days, NaiveDate};

pub use focus::service_name as focus_service_name;
pub use model::{ALT_CLUSTER_KEY, ALT_NAMESPACE_KEY, Model, Period};
pub use out::{DirSink, MemSink, Object, Sink};
pub use row::{Column, athena_name, columns};
pub use truth::{Allocation, CATEGORIES, METRICS, MetricTruth, NO_CLUSTER, NodeDay, Truth};

/// Hourly or daily line items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Daily,
    Hourly,
}

/// Legacy CUR report versioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioning {
    /// Each delivery in `<period>/<assemblyId>/`, the top manifest names the current one.
    CreateNew,
    /// Parts replaced in place under `<period>/`.
    Overwrite,
}

/// Legacy CSV compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zip,
    None,
}

/// CUR 2.0 file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cur2Format {
    Parquet,
    CsvGz,
}

/// How the delivery is laid out under `<prefix>/<report>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `<period>/[<assemblyId>/]<report>-<n>.csv.gz` and `<report>-Manifest.json`.
    LegacyCsv {
        versioning: Versioning,
        compression: Compression,
        parts: usize,
    },
    /// Athena integration: `<report>/year=YYYY/month=M/<report>-00001.snappy.parquet`.
    LegacyParquet,
    /// Data Exports: `data/BILLING_PERIOD=YYYY-MM/...` and `metadata/.../<export>-Manifest.json`.
    Cur2 { format: Cur2Format },
    /// A FOCUS 1.0 Data Export (AWS columns, CSV.gz) in the Data Exports layout; with
    /// `other_clouds`, an Azure- and a Google Cloud-shaped FOCUS file of AKS and GKE clusters
    /// beside it.
    Focus { other_clouds: bool },
}

/// How big the company is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    pub clusters: usize,
    /// Including `kube-system`.
    pub namespaces_per_cluster: usize,
    pub workloads_per_namespace: usize,
    /// Replicas per workload: uniform in `1..=pods_per_workload`.
    pub pods_per_workload: usize,
    pub nodes_per_cluster: usize,
    /// Fargate pods (first cluster).
    pub fargate_pods: usize,
    /// External resources per cluster (databases, buckets, tables, caches, load balancers, queues).
    pub externals_per_cluster: usize,
}

impl Scale {
    /// The dashboard's demo: 3 clusters, 30 namespaces, ~330 pods, 39 nodes.
    pub fn demo() -> Self {
        Self {
            clusters: 3,
            namespaces_per_cluster: 10,
            workloads_per_namespace: 3,
            pods_per_workload: 5,
            nodes_per_cluster: 13,
            fargate_pods: 4,
            externals_per_cluster: 7,
        }
    }

    /// A tiny company (fast unit tests).
    pub fn tiny() -> Self {
        Self {
            clusters: 3,
            namespaces_per_cluster: 3,
            workloads_per_namespace: 2,
            pods_per_workload: 2,
            nodes_per_cluster: 8,
            fargate_pods: 2,
            externals_per_cluster: 7,
        }
    }

    /// The demo company grown (namespaces and nodes) so that `days` of `granularity` come to
    /// about `rows` rows (within ~15%).
    pub fn with_target_rows(rows: u64, days: u32, granularity: Granularity) -> Self {
        let slots = f64::from(days.max(1))
            * if granularity == Granularity::Hourly {
                24.0
            } else {
                1.0
            };
        let mut s = Self::demo();
        let per_slot = rows as f64 / slots;
        let k = per_slot / s.rows_per_slot();
        s.namespaces_per_cluster =
            ((s.namespaces_per_cluster - 1) as f64 * k).round().max(1.0) as usize + 1;
        s.nodes_per_cluster = (s.nodes_per_cluster as f64 * k).round().max(8.0) as usize;
        // Refine namespaces for the rounding above.
        let k2 = per_slot / s.rows_per_slot();
        s.namespaces_per_cluster = (((s.namespaces_per_cluster - 1) as f64 * k2)
            .round()
            .max(1.0) as usize)
            + 1;
        s
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    pub seed: u64,
    /// Days of data: `[end - days, end)`.
    pub days: u32,
    /// Exclusive end date.
    pub end: NaiveDate,
    pub scale: Scale,
    pub granularity: Granularity,
    pub layout: Layout,
    pub bucket: String,
    /// Report path prefix (may be empty).
    pub prefix: String,
    /// Report (legacy) or export (CUR 2.0) name.
    pub report: String,
    /// Write `lineItem/NetUnblendedCost` and the net twins (a 3% negotiated discount).
    pub with_net: bool,
    /// Write `lineItem/ResourceId` (off: no ids, hence no split rows, as AWS requires ids for SCAD).
    pub with_resource_ids: bool,
    /// ~80 more real CUR columns (`product/*`, `pricing/*`, `reservation/*`, ...).
    pub wide: bool,
}

impl DemoSpec {
    /// The dashboard's demo: daily legacy CSV (gzip, create-new versioning, 2 parts).
    pub fn demo(seed: u64, days: u32, end: NaiveDate) -> Self {
        Self {
            seed,
            days,
            end,
            scale: Scale::demo(),
            granularity: Granularity::Daily,
            layout: Layout::LegacyCsv {
                versioning: Versioning::CreateNew,
                compression: Compression::Gzip,
                parts: 2,
            },
            bucket: "demo-billing-bucket".into(),
            prefix: "cur".into(),
            report: "curtop-demo".into(),
            with_net: false,
            with_resource_ids: true,
            wide: false,
        }
    }

    /// First day of data.
    pub fn start(&self) -> NaiveDate {
        self.end
            .checked_sub_days(Days::new(u64::from(self.days)))
            .unwrap_or(self.end)
    }

    /// `<prefix>/<report>` (no trailing slash).
    pub fn report_root(&self) -> String {
        if self.prefix.is_empty() {
            self.report.clone()
        } else {
            format!("{}/{}", self.prefix.trim_end_matches('/'), self.report)
        }
    }
}

/// Writes the delivery of `spec` into `sink` and returns its truth.
pub fn generate(spec: &DemoSpec, sink: &mut dyn Sink) -> io::Result<Truth> {
    let model = Model::build(spec);
    let mut truth = truth::TruthBuilder::new(&model);
    let mut written = Vec::new();
    let mut stale = Vec::new();
    for period in model.periods() {
        match spec.layout {
            Layout::LegacyCsv {
                versioning,
                compression,
                parts,
            } => legacy_csv::write_period(
                spec,
                &model,
                &period,
                (versioning, compression, parts.max(1)),
                sink,
                &mut truth,
                &mut written,
                &mut stale,
            )?,
            Layout::LegacyParquet => {
                parquet::write_legacy_period(
                    spec,
                    &model,
                    &period,
                    sink,
                    &mut truth,
                    &mut written,
                )?;
            }
            Layout::Focus { other_clouds } => focus::write_period(
                spec,
                &model,
                &period,
                other_clouds,
                sink,
                &mut truth,
                &mut written,
            )?,
            Layout::Cur2 { format } => {
                parquet::write_cur2_period(
                    spec,
                    &model,
                    &period,
                    format,
                    sink,
                    &mut truth,
                    &mut written,
                )?;
            }
        }
    }
    if spec.layout == Layout::LegacyParquet {
        parquet::write_status(spec, sink, &mut written)?;
    }
    written.sort();
    stale.sort();
    Ok(truth.finish(spec.seed, written, stale))
}

/// Writes the delivery under `dir` (as the bucket's root) and `truth.json` beside it (at
/// `dir/truth.json`, outside the report prefix). Streams: no file is held in memory.
pub fn generate_to_dir(spec: &DemoSpec, dir: &Path) -> io::Result<Truth> {
    let mut sink = DirSink::new(dir);
    let truth = generate(spec, &mut sink)?;
    let json = serde_json::to_vec_pretty(&truth).map_err(io::Error::other)?;
    std::fs::write(dir.join("truth.json"), json)?;
    Ok(truth)
}

/// The delivery as objects in memory, and its truth (`source::demo` makes a store of them).
pub fn generate_to_memory(spec: &DemoSpec) -> io::Result<(MemSink, Truth)> {
    let mut sink = MemSink::default();
    let truth = generate(spec, &mut sink)?;
    Ok((sink, truth))
}

#[cfg(test)]
mod tests;
