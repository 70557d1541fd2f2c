//! Finds the CUR delivery in a store exactly as AWS lays it out (CUR.md §1.5, §2.2): the
//! top-level manifest of each billing period names the current assembly and its parts; only
//! those parts are read, never a glob. Athena-integration Parquet without manifests is found by
//! its `year=YYYY/month=M/` folders.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use super::error::SourceError;
use super::manifest::{self, ManifestKind};
use super::read_csv::Compression;
use super::store::{Object, Store};
use crate::cur::time::{Day, day_of, next_month_start};

/// How a part is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartFormat {
    Csv(Compression),
    Parquet,
}

impl PartFormat {
    /// From a key's file name; `None` for files that are not report parts.
    #[allow(clippy::case_sensitive_file_extension_comparisons)] // `name` is lower-cased
    pub fn of(key: &str) -> Option<PartFormat> {
        let name = key.rsplit('/').next().unwrap_or(key).to_ascii_lowercase();
        if name.ends_with(".csv.gz") || name.ends_with(".csv.gzip") {
            Some(PartFormat::Csv(Compression::Gzip))
        } else if name.ends_with(".csv.zip") || name.ends_with(".zip") {
            Some(PartFormat::Csv(Compression::Zip))
        } else if name.ends_with(".csv") {
            Some(PartFormat::Csv(Compression::None))
        } else if name.ends_with(".parquet") {
            Some(PartFormat::Parquet)
        } else {
            None
        }
    }
}

/// One report part to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub key: String,
    pub size: u64,
    pub format: PartFormat,
    /// When the store says the object was written (part of a period's version in the cache).
    pub modified: Option<SystemTime>,
}

/// The layout a delivery was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Legacy CUR, CSV or Parquet, through `<report>-Manifest.json`.
    Legacy,
    /// Legacy CUR Parquet in the Athena-integration folders, without manifests.
    AthenaParquet,
    /// CUR 2.0 Data Exports.
    Cur2,
    /// One CUR file given directly.
    SingleFile,
    /// A table queried through Athena (no files: the query reads them).
    Athena,
}

/// One billing period of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `[start, end)`; `None` for a single file (known only once read).
    pub span: Option<(Day, Day)>,
    pub manifest: Option<String>,
    pub assembly: Option<String>,
    pub parts: Vec<Part>,
    /// Keys the manifest names that are not in the store, each with why: `(not found)`, or
    /// `(refused: symlink …)`.
    pub missing: Vec<String>,
    /// Keys the manifest names more than once (each part is read once).
    pub duplicates: Vec<String>,
    /// When the manifest (or newest part) was written.
    pub modified: Option<SystemTime>,
}

/// A report's delivery: its periods, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub report: String,
    pub layout: Layout,
    pub periods: Vec<Period>,
}

impl Delivery {
    /// A delivery of one file.
    pub fn single(obj: &Object) -> Option<Delivery> {
        let format = PartFormat::of(&obj.key)?;
        Some(Delivery {
            report: obj.key.rsplit('/').next().unwrap_or(&obj.key).to_string(),
            layout: Layout::SingleFile,
            periods: vec![Period {
                span: None,
                manifest: None,
                assembly: None,
                parts: vec![Part {
                    key: obj.key.clone(),
                    size: obj.size,
                    format,
                    modified: obj.modified,
                }],
                missing: Vec::new(),
                duplicates: Vec::new(),
                modified: obj.modified,
            }],
        })
    }

    /// The latest billing period's span, if known.
    pub fn latest_span(&self) -> Option<(Day, Day)> {
        self.periods.iter().filter_map(|p| p.span).max()
    }
}

fn parent(key: &str) -> &str {
    key.rsplit_once('/').map_or("", |(p, _)| p)
}

fn file_name(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// `20240101-20240201` → its days.
fn period_folder(name: &str) -> Option<(Day, Day)> {
    let (a, b) = name.split_once('-')?;
    if a.len() != 8 || b.len() != 8 {
        return None;
    }
    Some((
        crate::cur::time::parse_manifest_day(a)?,
        crate::cur::time::parse_manifest_day(b)?,
    ))
}

/// `BILLING_PERIOD=2024-05` → its days.
fn billing_period_folder(name: &str) -> Option<(Day, Day)> {
    let v = name.strip_prefix("BILLING_PERIOD=")?;
    let start = crate::cur::time::parse_day(format!("{v}-01").as_bytes())?;
    Some((start, next_month_start(start)))
}

/// Resolves a bucket key from a manifest against the store: the store may be rooted at the
/// bucket, the prefix, the report folder or deeper, so the longest suffix that exists wins.
fn resolve<'a>(key: &str, objects: &'a HashMap<&str, &Object>) -> Option<&'a Object> {
    let mut rest = key;
    loop {
        if let Some(o) = objects.get(rest) {
            return Some(o);
        }
        rest = rest.split_once('/')?.1;
    }
}

/// A manifest found while listing, with how it ranks against others of its period.
struct Found {
    /// 0 for the current manifest of a period, 1 for a copy kept in an assembly folder.
    depth_rank: u8,
    modified: Option<SystemTime>,
    key: String,
    manifest: manifest::Manifest,
}

/// The current manifest of each (report, period), by report and period.
type CurrentManifests = BTreeMap<(String, Option<(Day, Day)>), Found>;

/// Finds the delivery under the store's root. `root` names it in messages.
pub fn discover(store: &dyn Store, root: &str) -> Result<Delivery, SourceError> {
    let objects = store.list().map_err(|e| SourceError::Io {
        path: root.to_string(),
        error: e,
    })?;
    let by_key: HashMap<&str, &Object> = objects.iter().map(|o| (o.key.as_str(), o)).collect();
    let groups = current_manifests(store, &objects)?;
    let mut covered: HashSet<String> = HashSet::new();
    let mut reports = manifest_deliveries(store, groups, &by_key, &mut covered)?;
    add_athena_folders(&objects, &covered, &mut reports);
    the_one_report(reports, &objects, root)
}

/// Reads every manifest of the listing, grouped by (report, period); the one nearest the
/// period folder wins, the newest among equals.
fn current_manifests(
    store: &dyn Store,
    objects: &[Object],
) -> Result<CurrentManifests, SourceError> {
    let mut groups: CurrentManifests = BTreeMap::new();
    for o in objects {
        let name = file_name(&o.key);
        if !name.ends_with("Manifest.json") {
            continue;
        }
        let bytes = store.read_all(&o.key).map_err(|e| SourceError::Io {
            path: store.describe(&o.key),
            error: e,
        })?;
        let folder = file_name(parent(&o.key));
        let fallback = name
            .trim_end_matches(".json")
            .trim_end_matches("Manifest")
            .trim_end_matches('-');
        let mut m =
            manifest::parse(&bytes, fallback).map_err(|reason| SourceError::BadManifest {
                file: store.describe(&o.key),
                reason,
            })?;
        // The period from the folder when the manifest lacks it.
        if m.period.is_none() {
            m.period = period_folder(folder).or_else(|| billing_period_folder(folder));
        }
        // Legacy: `<period>/<report>-Manifest.json` is current; the copy in its assembly's own
        // folder `<period>/<assemblyId>/` is history (and older assemblies' too).
        let depth_rank =
            u8::from(m.assembly.as_deref() == Some(folder) && m.kind == ManifestKind::Legacy);
        let entry = (m.report.clone(), m.period);
        let candidate = Found {
            depth_rank,
            modified: o.modified,
            key: o.key.clone(),
            manifest: m,
        };
        match groups.get(&entry) {
            Some(f)
                if (f.depth_rank, std::cmp::Reverse(f.modified))
                    <= (candidate.depth_rank, std::cmp::Reverse(candidate.modified)) => {}
            _ => {
                groups.insert(entry, candidate);
            }
        }
    }
    Ok(groups)
}

/// The deliveries the current manifests describe, by report: the parts each names, resolved
/// against the store (recorded in `covered`), and those it names that are not there.
fn manifest_deliveries(
    store: &dyn Store,
    groups: CurrentManifests,
    by_key: &HashMap<&str, &Object>,
    covered: &mut HashSet<String>,
) -> Result<BTreeMap<String, Delivery>, SourceError> {
    let mut reports: BTreeMap<String, Delivery> = BTreeMap::new();
    for ((report, span), f) in groups {
        let mut parts: Vec<Part> = Vec::new();
        let mut missing = Vec::new();
        let mut duplicates = Vec::new();
        for k in &f.manifest.parts {
            match resolve(k, by_key) {
                Some(o) if parts.iter().any(|p| p.key == o.key) => duplicates.push(k.clone()),
                Some(o) => {
                    let format = PartFormat::of(&o.key).ok_or_else(|| SourceError::Unreadable {
                        file: store.describe(&o.key),
                        reason: "the manifest lists a file that is neither CSV nor Parquet".into(),
                    })?;
                    covered.insert(o.key.clone());
                    parts.push(Part {
                        key: o.key.clone(),
                        size: o.size,
                        format,
                        modified: o.modified,
                    });
                }
                None => missing.push(match store.refusal(k) {
                    Some(why) => format!("{k} (refused: {why})"),
                    None => format!("{k} (not found)"),
                }),
            }
        }
        let layout = if f.manifest.kind == ManifestKind::Cur2 {
            Layout::Cur2
        } else {
            Layout::Legacy
        };
        let d = reports.entry(report.clone()).or_insert_with(|| Delivery {
            report,
            layout,
            periods: Vec::new(),
        });
        d.periods.push(Period {
            span,
            manifest: Some(f.key),
            assembly: f.manifest.assembly,
            parts,
            missing,
            duplicates,
            modified: f.modified,
        });
    }
    Ok(reports)
}

/// Adds the Athena-integration Parquet folders (`<report>/year=YYYY/month=M/`) that no
/// manifest covers, one period per month.
fn add_athena_folders(
    objects: &[Object],
    covered: &HashSet<String>,
    reports: &mut BTreeMap<String, Delivery>,
) {
    let mut athena: BTreeMap<(String, Day), Period> = BTreeMap::new();
    for o in objects {
        if covered.contains(&o.key) || PartFormat::of(&o.key) != Some(PartFormat::Parquet) {
            continue;
        }
        let comps: Vec<&str> = o.key.split('/').collect();
        let n = comps.len();
        if n < 3 {
            continue;
        }
        let (y, m) = (
            comps[n - 3].strip_prefix("year="),
            comps[n - 2].strip_prefix("month="),
        );
        let (Some(y), Some(m)) = (y, m) else { continue };
        let (Ok(y), Ok(m)) = (y.parse::<i32>(), m.parse::<u32>()) else {
            continue;
        };
        let Some(start) = chrono::NaiveDate::from_ymd_opt(y, m, 1).map(day_of) else {
            continue;
        };
        let report = if n >= 4 {
            comps[n - 4].to_string()
        } else {
            "report".to_string()
        };
        let p = athena.entry((report, start)).or_insert_with(|| Period {
            span: Some((start, next_month_start(start))),
            manifest: None,
            assembly: None,
            parts: Vec::new(),
            missing: Vec::new(),
            duplicates: Vec::new(),
            modified: None,
        });
        p.modified = p.modified.max(o.modified);
        p.parts.push(Part {
            key: o.key.clone(),
            size: o.size,
            format: PartFormat::Parquet,
            modified: o.modified,
        });
    }
    for ((report, _), period) in athena {
        reports
            .entry(report.clone())
            .or_insert_with(|| Delivery {
                report,
                layout: Layout::AthenaParquet,
                periods: Vec::new(),
            })
            .periods
            .push(period);
    }
}

/// The one report found, its periods oldest first; none or several is an error that says
/// what the store holds.
fn the_one_report(
    reports: BTreeMap<String, Delivery>,
    objects: &[Object],
    root: &str,
) -> Result<Delivery, SourceError> {
    match reports.len() {
        0 => {
            let seen: Vec<String> = objects.iter().take(8).map(|o| o.key.clone()).collect();
            let mut seen = seen;
            if objects.len() > 8 {
                seen.push(format!("… {} more", objects.len() - 8));
            }
            Err(SourceError::NoDelivery {
                path: root.to_string(),
                seen,
            })
        }
        1 => {
            let mut d = reports
                .into_values()
                .next()
                .ok_or_else(|| SourceError::NoDelivery {
                    path: root.to_string(),
                    seen: Vec::new(),
                })?;
            d.periods.sort_by_key(|p| p.span);
            Ok(d)
        }
        _ => Err(SourceError::SeveralReports {
            path: root.to_string(),
            reports: reports.into_keys().collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::store::MemStore;

    fn manifest(report: &str, assembly: &str, keys: &[&str]) -> Vec<u8> {
        serde_json::json!({
            "assemblyId": assembly, "reportName": report, "bucket": "bkt",
            "billingPeriod": {"start": "20240501T000000.000Z", "end": "20240601T000000.000Z"},
            "reportKeys": keys,
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn create_new_versioning_reads_only_the_current_assembly() {
        let mut s = MemStore::new();
        let p = "cur/r/20240501-20240601";
        s.put(format!("{p}/old/r-1.csv.gz"), vec![1]);
        s.put(
            format!("{p}/old/r-Manifest.json"),
            manifest("r", "old", &["cur/r/20240501-20240601/old/r-1.csv.gz"]),
        );
        s.put(format!("{p}/new/r-1.csv.gz"), vec![1]);
        s.put(format!("{p}/new/r-2.csv.gz"), vec![1]);
        let keys = [
            "cur/r/20240501-20240601/new/r-1.csv.gz",
            "cur/r/20240501-20240601/new/r-2.csv.gz",
        ];
        s.put(
            format!("{p}/new/r-Manifest.json"),
            manifest("r", "new", &keys),
        );
        s.put(format!("{p}/r-Manifest.json"), manifest("r", "new", &keys));
        let d = discover(&s, "mem").unwrap();
        assert_eq!(d.layout, Layout::Legacy);
        assert_eq!(d.periods.len(), 1);
        let parts: Vec<_> = d.periods[0].parts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(parts, keys);
        assert_eq!(d.periods[0].assembly.as_deref(), Some("new"));
        assert_eq!(
            d.periods[0].manifest.as_deref(),
            Some("cur/r/20240501-20240601/r-Manifest.json")
        );
    }

    #[test]
    fn keys_resolve_when_rooted_below_the_bucket_and_missing_parts_are_listed() {
        let mut s = MemStore::new();
        s.put("20240501-20240601/r-1.csv", vec![1]);
        s.put(
            "20240501-20240601/r-Manifest.json",
            manifest(
                "r",
                "a",
                &[
                    "pre/r/20240501-20240601/r-1.csv",
                    "pre/r/20240501-20240601/r-2.csv",
                ],
            ),
        );
        let d = discover(&s, "mem").unwrap();
        assert_eq!(d.periods[0].parts[0].key, "20240501-20240601/r-1.csv");
        assert_eq!(
            d.periods[0].missing,
            ["pre/r/20240501-20240601/r-2.csv (not found)"]
        );
    }

    #[test]
    fn athena_parquet_folders_and_cur2_exports_are_found() {
        let mut s = MemStore::new();
        s.put("cur/r/r/year=2024/month=5/r-00001.snappy.parquet", vec![1]);
        s.put("cur/r/r/year=2024/month=6/r-00001.snappy.parquet", vec![1]);
        s.put("cur/r/cost_and_usage_data_status/status.parquet", vec![1]);
        let d = discover(&s, "mem").unwrap();
        assert_eq!(
            (d.layout, d.periods.len(), d.report.as_str()),
            (Layout::AthenaParquet, 2, "r")
        );

        let mut s = MemStore::new();
        s.put(
            "p/e/data/BILLING_PERIOD=2024-05/e-00001.snappy.parquet",
            vec![1],
        );
        s.put(
            "p/e/metadata/BILLING_PERIOD=2024-05/e-Manifest.json",
            serde_json::json!({"executionId": "x", "exportArn": "arn:aws:bcm-data-exports:us-east-1:1:export/e",
                "dataFiles": ["s3://b/p/e/data/BILLING_PERIOD=2024-05/e-00001.snappy.parquet"]})
            .to_string()
            .into_bytes(),
        );
        let d = discover(&s, "mem").unwrap();
        assert_eq!(d.layout, Layout::Cur2);
        assert!(d.periods[0].span.is_some());
        assert_eq!(d.periods[0].parts.len(), 1);
    }

    #[test]
    fn nothing_or_several_reports_are_errors() {
        let mut s = MemStore::new();
        s.put("notes.txt", vec![1]);
        assert!(matches!(
            discover(&s, "mem"),
            Err(SourceError::NoDelivery { .. })
        ));
        s.put(
            "a/20240501-20240601/a-Manifest.json",
            manifest("a", "1", &[]),
        );
        s.put(
            "b/20240501-20240601/b-Manifest.json",
            manifest("b", "1", &[]),
        );
        match discover(&s, "mem") {
            Err(SourceError::SeveralReports { reports, .. }) => assert_eq!(reports, ["a", "b"]),
            other => panic!("{other:?}"),
        }
    }
}
