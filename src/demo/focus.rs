//! The demo bill as a FOCUS 1.0 Data Export (AWS's `FOCUS_1_0_AWS` columns, CSV.gz, the Data
//! Exports layout with its manifest), and, for the multi-cloud demo, an Azure- and a Google
//! Cloud-shaped FOCUS file of AKS and GKE clusters beside it (listed in the same manifest).
//!
//! The AWS rows are the CUR's rows less the EKS split rows (FOCUS has none): each row's
//! `BilledCost`, `EffectiveCost` and `ListCost` are the model's unblended, amortized and
//! on-demand for it, so the export totals what the CUR does by service and account.

use std::io;

use super::DemoSpec;
use super::legacy_csv::{Encoded, Parts, push_time};
use super::model::{Model, Period};
use super::out::Sink;
use super::parquet::{push_json_str, put_export_manifest};
use super::rng::Rng;
use super::row::{Alloc, Row, push_fixed};
use super::truth::TruthBuilder;

/// The columns written, in order.
const COLUMNS: [&str; 18] = [
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingCurrency",
    "ChargeCategory",
    "ChargeClass",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ProviderName",
    "ServiceName",
    "SubAccountId",
    "SubAccountName",
    "ResourceId",
    "ConsumedQuantity",
    "x_UsageType",
    "x_Operation",
    "x_ServiceCode",
    "Tags",
];

/// The `ServiceName` AWS's FOCUS export gives a CUR product code (the two curtop's rules
/// name; other codes are written as they are).
pub fn service_name(product_code: &str) -> &str {
    match product_code {
        "AmazonEC2" => "Amazon Elastic Compute Cloud",
        "AmazonEKS" => "Amazon Elastic Kubernetes Service",
        other => other,
    }
}

/// FOCUS's `ChargeCategory` of a CUR line item type.
fn charge_category(line_item_type: &str) -> &'static str {
    match line_item_type {
        "Tax" => "Tax",
        "Credit"
        | "Refund"
        | "EdpDiscount"
        | "PrivateRateDiscount"
        | "BundledDiscount"
        | "Discount"
        | "DistributorDiscount" => "Credit",
        "Fee" | "RIFee" | "SavingsPlanRecurringFee" | "SavingsPlanUpfrontFee" => "Purchase",
        _ => "Usage",
    }
}

/// A CSV cell, quoted when it must be.
fn push_cell(out: &mut Vec<u8>, cell: &[u8]) {
    if cell.iter().any(|b| matches!(b, b',' | b'"' | b'\n')) {
        out.push(b'"');
        for &b in cell {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(cell);
    }
}

/// One FOCUS row's cells.
struct FocusRow<'a> {
    costs: [i64; 3],
    category: &'a str,
    start: i64,
    end: i64,
    provider: &'a str,
    service: &'a str,
    account: &'a str,
    account_name: &'a str,
    resource: &'a str,
    quantity: Option<i64>,
    usage_type: &'a str,
    operation: &'a str,
    service_code: &'a str,
    /// (key as the provider names it, value).
    tags: Vec<(&'a str, &'a str)>,
}

impl FocusRow<'_> {
    fn push(&self, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
        for c in self.costs {
            push_fixed(out, c);
            out.push(b',');
        }
        out.extend_from_slice(b"USD,");
        out.extend_from_slice(self.category.as_bytes());
        out.extend_from_slice(b",,");
        push_time(out, self.start, false);
        out.push(b',');
        push_time(out, self.end, false);
        for text in [
            self.provider,
            self.service,
            self.account,
            self.account_name,
            self.resource,
        ] {
            out.push(b',');
            push_cell(out, text.as_bytes());
        }
        out.push(b',');
        if let Some(q) = self.quantity {
            push_fixed(out, q);
        }
        for text in [self.usage_type, self.operation, self.service_code] {
            out.push(b',');
            push_cell(out, text.as_bytes());
        }
        out.push(b',');
        if !self.tags.is_empty() {
            scratch.clear();
            scratch.push(b'{');
            for (i, (k, v)) in self.tags.iter().enumerate() {
                if i > 0 {
                    scratch.push(b',');
                }
                push_json_str(scratch, k.as_bytes());
                scratch.push(b':');
                push_json_str(scratch, v.as_bytes());
            }
            scratch.push(b'}');
            push_cell(out, scratch);
        }
        out.push(b'\n');
    }
}

/// The FOCUS row of a CUR row; `None` for EKS split rows, which FOCUS does not have.
fn aws_row<'a>(model: &'a Model, row: &Row<'a>) -> Option<FocusRow<'a>> {
    if matches!(row.alloc, Alloc::PodSplit { .. } | Alloc::Dropped) {
        return None;
    }
    let tags = row
        .tags
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            let key = model.tag_keys[usize::from(*k)].as_str();
            // AWS's FOCUS export writes user tags without their `user:` prefix.
            (key.strip_prefix("user:").unwrap_or(key), *v)
        })
        .collect();
    Some(FocusRow {
        costs: [row.metrics[0], row.metrics[1], row.metrics[3]],
        category: charge_category(row.line_item_type),
        start: row.start,
        end: row.end,
        provider: "AWS",
        service: service_name(row.product_code),
        account: row.account,
        account_name: model.account_name(row.account),
        resource: row.resource_id,
        quantity: row.usage_amount,
        usage_type: row.usage_type,
        operation: row.operation,
        service_code: row.product_code,
        tags,
    })
}

/// An AKS or GKE cluster of the multi-cloud demo.
struct OtherCluster {
    provider: &'static str,
    service: &'static str,
    account: &'static str,
    account_name: &'static str,
    name: &'static str,
    /// The provider's cluster tag key, and its namespace key (GKE only).
    cluster_key: &'static str,
    namespace_key: Option<&'static str>,
    namespaces: &'static [&'static str],
    /// Nano-dollars a day per namespace (before jitter).
    daily: i64,
}

const OTHER_CLUSTERS: [OtherCluster; 2] = [
    OtherCluster {
        provider: "Microsoft",
        service: "Virtual Machine Scale Sets",
        account: "9ec51cfd-5ca7-4d76-8101-dd0a4abc5674",
        account_name: "acme-azure-prod",
        name: "aks-westeurope",
        cluster_key: "aks-managed-cluster-name",
        // AKS tags its node pools, not namespaces: the cluster is as deep as its bill goes.
        namespace_key: None,
        namespaces: &["pool-system", "pool-apps"],
        daily: 41_000_000_000,
    },
    OtherCluster {
        provider: "Google Cloud",
        service: "Compute Engine",
        account: "acme-gcp-prod",
        account_name: "acme-gcp-prod",
        name: "gke-europe-west1",
        cluster_key: "goog-k8s-cluster-name",
        namespace_key: Some("k8s-namespace"),
        namespaces: &["checkout", "search", "kube-system"],
        daily: 23_000_000_000,
    },
];

/// The Azure and Google Cloud rows of day `day` (Unix seconds at midnight): per cluster and
/// namespace one tagged row, and one untagged storage row per provider.
fn other_rows(day: i64, rng: &mut Rng, mut push: impl FnMut(&FocusRow<'_>)) {
    for c in &OTHER_CLUSTERS {
        for ns in c.namespaces {
            let cost = c.daily / 2 + rng.below(c.daily as u64) as i64;
            let mut tags = vec![(c.cluster_key, c.name)];
            let resource = format!("{}/{ns}", c.name);
            if let Some(k) = c.namespace_key {
                tags.push((k, *ns));
            }
            push(&FocusRow {
                costs: [cost, cost, cost + cost / 5],
                category: "Usage",
                start: day,
                end: day + 86_400,
                provider: c.provider,
                service: c.service,
                account: c.account,
                account_name: c.account_name,
                resource: &resource,
                quantity: Some(24 * 1_000_000_000),
                usage_type: "",
                operation: "",
                service_code: "",
                tags,
            });
        }
        let storage = 3_000_000_000 + rng.below(1_000_000_000) as i64;
        push(&FocusRow {
            costs: [storage, storage, storage],
            category: "Usage",
            start: day,
            end: day + 86_400,
            provider: c.provider,
            service: "Storage",
            account: c.account,
            account_name: c.account_name,
            resource: "backups",
            quantity: None,
            usage_type: "",
            operation: "",
            service_code: "",
            tags: Vec::new(),
        });
    }
}

/// Writes one billing period of the FOCUS export: the data file(s) and the manifest.
pub fn write_period(
    spec: &DemoSpec,
    model: &Model,
    period: &Period,
    other_clouds: bool,
    sink: &mut dyn Sink,
    truth: &mut TruthBuilder<'_>,
    written: &mut Vec<String>,
) -> io::Result<()> {
    let bp = period.start.format("%Y-%m").to_string();
    let root = spec.report_root();
    let data = format!("{root}/data/BILLING_PERIOD={bp}");
    let mut header = COLUMNS.join(",").into_bytes();
    header.push(b'\n');
    let key = format!("{data}/{}-00001.csv.gz", spec.report);
    let mut parts = Parts::new(vec![Encoded::gzip(sink.create(&key)?)], &header);
    let mut scratch = Vec::new();
    model.emit_days(period, period.end_day, model.seed, &mut |row| {
        truth.add(row);
        match aws_row(model, row) {
            Some(f) => parts.row(|buf| f.push(buf, &mut scratch)),
            None => Ok(()),
        }
    })?;
    parts.finish(sink)?;
    let mut keys = vec![key];
    if other_clouds {
        let key = format!("{data}/{}-other-clouds-00001.csv.gz", spec.report);
        let mut parts = Parts::new(vec![Encoded::gzip(sink.create(&key)?)], &header);
        let mut rng = Rng::derive(&[spec.seed, 0xF0C5, period.first_day.into()]);
        let start = model
            .start
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp())
            + i64::from(period.first_day) * 86_400;
        let mut result = Ok(());
        for d in 0..(period.end_day - period.first_day) {
            other_rows(start + i64::from(d) * 86_400, &mut rng, |f| {
                if result.is_ok() {
                    result = parts.row(|buf| f.push(buf, &mut scratch));
                }
            });
        }
        result?;
        parts.finish(sink)?;
        keys.push(key);
    }
    let columns: Vec<(&str, &str)> = COLUMNS.iter().map(|c| (*c, "string")).collect();
    put_export_manifest(spec, model, period, 0xF0C, &columns, &keys, sink, written)
}
