//! FOCUS exports (the `FinOps` Open Cost and Usage Specification, versions 1.0 to 1.2): AWS Data
//! Exports `FOCUS_1_0_AWS` / `FOCUS_1_2_AWS`, Azure cost exports, Google Cloud's FOCUS view
//! exported to files, OCI. They are read by the CUR readers (CSV, CSV.gz, Parquet; a folder,
//! one file, or AWS's export layout through its manifest): the one column-alias table
//! (`cur::columns::FOCUS_ALIASES`) maps FOCUS names to the same fields. This module holds
//! what only FOCUS needs: where a `focus` profile reads, the providers' Kubernetes tag keys,
//! what missing optional columns mean, and the refusal to add currencies together
//! (`docs/focus.md`).

use super::error::SourceError;
use super::{Loaded, ReadRequest, load_local, load_s3};
use crate::config::{FocusPath, FocusSpec, TagMapping};
use crate::cur::columns::Field;
use crate::cur::line_item::ColumnSet;
use crate::facts::{Quality, WarningCode};

/// Reads a `focus` profile: a local folder or file, or an AWS Data Export in S3, through the
/// same discovery and readers as a CUR.
pub fn load(spec: &FocusSpec, req: &ReadRequest<'_>) -> Result<Loaded, SourceError> {
    match &spec.location {
        FocusPath::Local(path) => load_local(path, req),
        FocusPath::S3(s3_spec) => load_s3(s3_spec, req),
    }
}

/// The profile's mapping with each provider's Kubernetes keys after the profile's own (the
/// first key with a value wins, so the profile's keys come first):
///
/// - EKS: `aws:eks:cluster-name` (and the default `kubernetes_*` scheme);
/// - GKE cost allocation: `goog-k8s-cluster-name`, `k8s-namespace`, `k8s-label/NAME`;
/// - AKS: `aks-managed-cluster-name`, the cluster tag AKS puts on its node resource group's
///   resources (node VM scale sets, disks, load balancers).
pub fn provider_mapping(mapping: &TagMapping) -> TagMapping {
    let mut m = mapping.clone();
    let add = |keys: &mut Vec<String>, extra: &[&str]| {
        for k in extra {
            if !keys.iter().any(|have| have == k) {
                keys.push((*k).to_string());
            }
        }
    };
    add(
        &mut m.cluster,
        &[
            "aws:eks:cluster-name",
            "goog-k8s-cluster-name",
            "aks-managed-cluster-name",
        ],
    );
    add(&mut m.namespace, &["k8s-namespace"]);
    for (name, keys) in &mut m.labels {
        add(keys, &[&format!("k8s-label/{name}")]);
    }
    m
}

/// Whether a table's columns are a FOCUS export's.
pub fn is_focus(columns: &ColumnSet) -> bool {
    columns.has(Field::EffectiveCost)
}

/// The optional FOCUS columns curtop reads, and what is unavailable without them.
const OPTIONAL: [(Field, &str); 9] = [
    (Field::PublicOnDemandCost, "ListCost (on-demand shows 0)"),
    (Field::ProviderName, "ProviderName (no provider)"),
    (Field::ProductCode, "ServiceName (no service)"),
    (Field::UsageAccountId, "SubAccountId (no account)"),
    (Field::UsageType, "SkuMeter or x_UsageType (no usage type)"),
    (
        Field::ResourceTagsMap,
        "Tags (nothing is attributed to clusters)",
    ),
    (
        Field::BillingCurrency,
        "BillingCurrency (currencies cannot be told apart)",
    ),
    (Field::ChargeClass, "ChargeClass (corrections not counted)"),
    (
        Field::UsageAmount,
        "ConsumedQuantity (a change of cost is not told apart into usage and rate)",
    ),
];

/// Says in words what a FOCUS read lacks and what it found besides costs: missing optional
/// columns (FOCUS 1.0 has no `SkuMeter`; providers leave some out), no resource ids,
/// corrections, rows of another currency skipped.
pub fn warn_about_columns(q: &mut Quality, cols: &ColumnSet) {
    let missing: Vec<&str> = OPTIONAL
        .iter()
        .filter(|(f, _)| !cols.has(*f))
        .map(|(_, what)| *what)
        .collect();
    if !missing.is_empty() {
        q.warn(
            WarningCode::FocusColumnsMissing,
            format!(
                "the FOCUS export lacks {}: an older FOCUS version or a provider's subset",
                missing.join(", ")
            ),
        );
    }
    if !cols.has(Field::ResourceId) {
        q.warn(
            WarningCode::NoResourceIds,
            "the FOCUS export has no ResourceId column: the bill still totals, but node and \
             resource views are unavailable",
        );
    }
    if q.corrections > 0 {
        q.warn(
            WarningCode::Corrections,
            format!(
                "{} row(s) of ChargeClass Correction fix earlier periods' bills; they are kept, \
                 on the day they were charged",
                q.corrections
            ),
        );
    }
    if q.rows_other_currency > 0 {
        q.warn(
            WarningCode::OtherCurrency,
            format!(
                "{} row(s) in other currencies than the profile's `currency` were skipped",
                q.rows_other_currency
            ),
        );
    }
}

/// Says so when a read's rows are in more than one `BillingCurrency`: their sum would mean
/// nothing, so the views group by currency (`alloc::LevelKind::Currencies`, `report`'s
/// currency column) and never add them. The warning lists each currency's billed cost; the
/// profile's `currency` reads one alone. Replaces an earlier such warning (a combined
/// profile's parts may carry theirs).
pub fn warn_currencies(q: &mut Quality) {
    q.warnings
        .retain(|w| w.code != WarningCode::MixedCurrencies);
    if q.currencies.len() <= 1 {
        return;
    }
    let each: Vec<String> = q
        .currencies
        .iter()
        .map(|(c, t)| format!("{c} {:.2} billed in {} row(s)", t.billed.dollars(), t.rows))
        .collect();
    let first = q.currencies.keys().next().map_or("USD", String::as_str);
    let message = format!(
        "the bill is in several currencies ({}), which curtop never adds together: the views \
         group by currency, each summing in its own; `currency = \"{first}\"` in the profile \
         reads one alone",
        each.join("; ")
    );
    q.warn(WarningCode::MixedCurrencies, message);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::money::Money;
    use crate::facts::CurrencyTotal;

    #[test]
    fn provider_keys_follow_the_profiles_own() {
        let mut mine = TagMapping::default();
        mine.labels.push(("team".into(), vec!["team".into()]));
        let m = provider_mapping(&mine);
        assert_eq!(m.cluster[0], "kubernetes_cluster");
        assert!(m.cluster.contains(&"goog-k8s-cluster-name".to_string()));
        assert!(m.cluster.contains(&"aks-managed-cluster-name".to_string()));
        assert_eq!(m.namespace, vec!["kubernetes_namespace", "k8s-namespace"]);
        assert_eq!(m.labels[0].1, vec!["team", "k8s-label/team"]);
        // Idempotent.
        assert_eq!(provider_mapping(&m), m);
    }

    #[test]
    fn several_currencies_are_named_with_each_total() {
        let mut q = Quality::default();
        warn_currencies(&mut q);
        assert!(q.warnings.is_empty());
        q.currencies.insert(
            "USD".into(),
            CurrencyTotal {
                rows: 2,
                billed: Money::from_f64(3.5).unwrap(),
            },
        );
        warn_currencies(&mut q);
        assert!(q.warnings.is_empty());
        q.currencies.insert(
            "EUR".into(),
            CurrencyTotal {
                rows: 1,
                billed: Money::from_f64(1.25).unwrap(),
            },
        );
        warn_currencies(&mut q);
        warn_currencies(&mut q);
        assert_eq!(q.warnings.len(), 1);
        let msg = &q.warnings[0].message;
        assert!(msg.contains("EUR 1.25 billed in 1 row(s)"), "{msg}");
        assert!(msg.contains("USD 3.50 billed in 2 row(s)"), "{msg}");
        assert!(msg.contains("currency = \"EUR\""), "{msg}");
    }
}
