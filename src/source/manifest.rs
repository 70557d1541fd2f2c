//! CUR manifests: legacy `<report>-Manifest.json` (`assemblyId`, `reportKeys`) and CUR 2.0 Data
//! Exports `Manifest.json` (`executionId`, `dataFiles` as `s3://` URIs). CUR.md §1.4, §2.2.

use serde::Deserialize;

use crate::cur::time::{Day, parse_manifest_day};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPeriod {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    assembly_id: Option<String>,
    report_name: Option<String>,
    report_keys: Option<Vec<String>>,
    bucket: Option<String>,
    billing_period: Option<RawPeriod>,
    execution_id: Option<String>,
    export_arn: Option<String>,
    data_files: Option<Vec<String>>,
}

/// Which kind of manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    Legacy,
    Cur2,
}

/// What curtop needs from a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub kind: ManifestKind,
    /// Report (legacy) or export (CUR 2.0) name.
    pub report: String,
    /// `assemblyId` (legacy) or `executionId` (CUR 2.0): changes with every delivery.
    pub assembly: Option<String>,
    /// `[start, end)` of the billing period.
    pub period: Option<(Day, Day)>,
    /// Object keys of the report parts, relative to the bucket.
    pub parts: Vec<String>,
}

/// Parses a manifest. `fallback_report` names the report when the manifest does not.
pub fn parse(bytes: &[u8], fallback_report: &str) -> Result<Manifest, String> {
    let raw: RawManifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let period = raw.billing_period.as_ref().and_then(|p| {
        Some((
            parse_manifest_day(p.start.as_deref()?)?,
            parse_manifest_day(p.end.as_deref()?)?,
        ))
    });
    if let Some((start, end)) = period
        && start >= end
    {
        let day = |d| crate::cur::time::date_of(d).format("%Y-%m-%d");
        return Err(format!(
            "its billingPeriod starts {} and ends {}: not a period",
            day(start),
            day(end)
        ));
    }
    if let Some(keys) = raw.report_keys {
        let bucket = raw.bucket.unwrap_or_default();
        let parts = keys.iter().map(|k| strip_uri(k, &bucket)).collect();
        return Ok(Manifest {
            kind: ManifestKind::Legacy,
            report: raw
                .report_name
                .unwrap_or_else(|| fallback_report.to_string()),
            assembly: raw.assembly_id,
            period,
            parts,
        });
    }
    if let Some(files) = raw.data_files {
        let report = raw
            .export_arn
            .as_deref()
            .and_then(|a| a.rsplit('/').next())
            .filter(|s| !s.is_empty())
            .map_or_else(|| fallback_report.to_string(), str::to_string);
        let parts = files.iter().map(|k| strip_uri(k, "")).collect();
        return Ok(Manifest {
            kind: ManifestKind::Cur2,
            report,
            assembly: raw.execution_id,
            period,
            parts,
        });
    }
    Err("it has neither `reportKeys` (legacy CUR) nor `dataFiles` (CUR 2.0)".into())
}

/// `s3://bucket/a/b` → `a/b`; a bare key is kept (without a leading `/`).
fn strip_uri(key: &str, bucket: &str) -> String {
    if let Some(rest) = key.strip_prefix("s3://") {
        return rest.split_once('/').map_or("", |(_, k)| k).to_string();
    }
    let key = key.trim_start_matches('/');
    if !bucket.is_empty()
        && let Some(rest) = key.strip_prefix(bucket).and_then(|r| r.strip_prefix('/'))
    {
        // Some tools write keys with the bucket in front.
        return rest.to_string();
    }
    key.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cur::time::day_of;
    use chrono::NaiveDate;

    #[test]
    fn parses_the_documented_legacy_manifest() {
        let text =
            br#"{"assemblyId":"aa1ddccb-abcd-1234-b849-57a32b6864a9","account":"012345678910",
 "columns":[{"category":"identity","name":"LineItemId"}],
 "charset":"UTF-8","compression":"GZIP","contentType":"text/csv",
 "reportId":"a5e3","reportName":"hourly2",
 "billingPeriod":{"start":"20161101T000000.000Z","end":"20161201T000000.000Z"},
 "bucket":"billing-bucket",
 "reportKeys":["report/path/20161101-20161201/aa1ddccb/hourly2-1.csv.gz"]}"#;
        let m = parse(text, "x").unwrap();
        assert_eq!(m.kind, ManifestKind::Legacy);
        assert_eq!(m.report, "hourly2");
        assert_eq!(
            m.assembly.as_deref(),
            Some("aa1ddccb-abcd-1234-b849-57a32b6864a9")
        );
        let d = |y, mo, da| day_of(NaiveDate::from_ymd_opt(y, mo, da).unwrap());
        assert_eq!(m.period, Some((d(2016, 11, 1), d(2016, 12, 1))));
        assert_eq!(
            m.parts,
            ["report/path/20161101-20161201/aa1ddccb/hourly2-1.csv.gz"]
        );
    }

    #[test]
    fn parses_a_data_exports_manifest() {
        let text = br#"{"executionId":"e1","exportArn":"arn:aws:bcm-data-exports:us-east-1:1:export/cur2-daily",
 "dataFiles":["s3://bkt/pre/cur2-daily/data/BILLING_PERIOD=2024-05/cur2-daily-00001.snappy.parquet"]}"#;
        let m = parse(text, "x").unwrap();
        assert_eq!(m.kind, ManifestKind::Cur2);
        assert_eq!(m.report, "cur2-daily");
        assert_eq!(
            m.parts,
            ["pre/cur2-daily/data/BILLING_PERIOD=2024-05/cur2-daily-00001.snappy.parquet"]
        );
        assert_eq!(m.period, None);
    }

    #[test]
    fn rejects_a_billing_period_that_ends_before_it_starts() {
        let text =
            br#"{"billingPeriod":{"start":"20240501T000000.000Z","end":"20240401T000000.000Z"},
 "reportKeys":["r/20240501-20240401/a/r-1.csv.gz"]}"#;
        let e = parse(text, "x").unwrap_err();
        assert!(e.contains("starts 2024-05-01 and ends 2024-04-01"), "{e}");
    }

    #[test]
    fn rejects_other_json() {
        assert!(parse(b"{}", "x").unwrap_err().contains("reportKeys"));
        assert!(parse(b"not json", "x").is_err());
    }
}
