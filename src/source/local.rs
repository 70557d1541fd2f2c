//! Reads a discovered delivery from any [`Store`]: report parts in parallel (one thread per core,
//! parts handed out in order), each streamed through its reader into its own aggregator, merged
//! in part order so the result does not depend on timing.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::discover::{Delivery, Part, PartFormat, discover};
use super::error::SourceError;
use super::read_csv::{CountingReader, read_csv_part};
use super::read_parquet::{ParquetInput, read_parquet_part, row_group_count};
use super::store::{DirStore, Object, Store};
use crate::config::EnvRules;
use crate::cur::attribution::TagPlan;
use crate::cur::columns::Field;
use crate::cur::time::Day;
use crate::facts::{Aggregator, Facts, Partial};

/// Live counters of a read, shared with whoever shows progress.
#[derive(Debug, Default)]
pub struct Progress {
    pub parts_total: AtomicU64,
    pub parts_done: AtomicU64,
    pub bytes_total: AtomicU64,
    pub bytes_read: Arc<AtomicU64>,
}

/// What to read and how to attribute it.
pub struct ReadOptions<'a> {
    pub plan: &'a TagPlan,
    pub env: &'a EnvRules,
    /// Days `[start, end)` to keep; periods outside it are not read at all.
    pub window: Option<(Day, Day)>,
    pub progress: Option<&'a Progress>,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
}

/// A local path as a store and its delivery: a folder (the report's, or any parent of it) or a
/// single CUR file.
pub fn open_local(path: &Path) -> Result<(DirStore, Delivery), SourceError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| SourceError::Io {
        path: shown.clone(),
        error: e,
    })?;
    if meta.is_file() {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let obj = Object {
            key: name,
            size: meta.len(),
            modified: meta.modified().ok(),
        };
        let delivery = Delivery::single(&obj).ok_or_else(|| SourceError::Unreadable {
            file: shown.clone(),
            reason: "not a CUR file (expected .csv, .csv.gz, .csv.zip or .parquet)".into(),
        })?;
        return Ok((DirStore::new(dir), delivery));
    }
    let store = DirStore::new(path);
    let delivery = discover(&store, &shown)?;
    Ok((store, delivery))
}

/// Reads the delivery's parts that overlap the window into facts.
pub fn read_delivery(
    store: &dyn Store,
    delivery: &Delivery,
    opts: &ReadOptions<'_>,
) -> Result<Facts, SourceError> {
    let parts: Vec<_> = delivery
        .periods
        .iter()
        .filter(|p| match (p.span, opts.window) {
            (Some((s, e)), Some((ws, we))) => s < we && ws < e,
            _ => true,
        })
        .flat_map(|p| p.parts.iter())
        .collect();
    // Local Parquet files are read one row group per task, so one big file uses every core.
    let mut tasks: Vec<(&Part, Option<usize>, u64)> = Vec::with_capacity(parts.len());
    for part in &parts {
        let path = match part.format {
            PartFormat::Parquet => store.local_path(&part.key),
            PartFormat::Csv(_) => None,
        };
        match path {
            Some(path) => {
                let groups = row_group_count(&path, &store.describe(&part.key))?.max(1);
                for rg in 0..groups {
                    tasks.push((part, Some(rg), part.size / groups as u64));
                }
            }
            None => tasks.push((part, None, part.size)),
        }
    }
    if let Some(p) = opts.progress {
        p.parts_total.store(parts.len() as u64, Ordering::Relaxed);
        p.bytes_total
            .store(parts.iter().map(|p| p.size).sum(), Ordering::Relaxed);
    }
    let counter = opts.progress.map_or_else(
        || Arc::new(AtomicU64::new(0)),
        |p| Arc::clone(&p.bytes_read),
    );
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
    } else {
        opts.threads
    }
    .min(tasks.len().max(1));

    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Partial, SourceError>>> = Vec::new();
    results.resize_with(tasks.len(), || None);
    let results = std::sync::Mutex::new(results);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(part, row_group, bytes)) = tasks.get(i) else {
                        break;
                    };
                    let mut agg = Aggregator::new(opts.plan, opts.env, opts.window);
                    let shown = store.describe(&part.key);
                    let outcome = read_part(store, part, row_group, &shown, &counter, &mut agg)
                        .map(|()| {
                            let q = agg.quality();
                            q.files += u64::from(row_group.is_none_or(|rg| rg == 0));
                            q.bytes += bytes;
                            agg.into_partial()
                        });
                    let last_of_part = tasks.get(i + 1).is_none_or(|t| !std::ptr::eq(t.0, part));
                    if let Some(p) = opts.progress.filter(|_| last_of_part) {
                        p.parts_done.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(outcome);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut merged = Partial::default();
    for (r, (part, _, _)) in results.into_iter().zip(&tasks) {
        match r {
            Some(Ok(p)) => merged.merge(p),
            Some(Err(e)) => return Err(e),
            // A reader thread died (a bug): say so rather than return a smaller bill.
            None => {
                return Err(SourceError::Unreadable {
                    file: store.describe(&part.key),
                    reason: "internal error: the reader of this part stopped unexpectedly".into(),
                });
            }
        }
    }
    let mut facts = merged.finish(opts.plan.label_names());
    warn_about_delivery(delivery, &mut facts);
    Ok(facts)
}

fn read_part(
    store: &dyn Store,
    part: &Part,
    row_group: Option<usize>,
    shown: &str,
    counter: &Arc<AtomicU64>,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    let io = |e: std::io::Error| SourceError::Io {
        path: shown.to_string(),
        error: e,
    };
    let key = part.key.as_str();
    match part.format {
        PartFormat::Csv(compression) => {
            let input = store.open(key).map_err(io)?;
            let input = Box::new(CountingReader::new(input, Arc::clone(counter)));
            read_csv_part(input, compression, shown, agg)
        }
        PartFormat::Parquet => {
            let input = if let Some(path) = store.local_path(key) {
                let f = std::fs::File::open(&path).map_err(io)?;
                let size = f.metadata().map_or(0, |m| m.len());
                let groups = match row_group {
                    Some(_) => row_group_count(&path, shown)?.max(1),
                    None => 1,
                };
                counter.fetch_add(size / groups as u64, Ordering::Relaxed);
                ParquetInput::File(f)
            } else {
                let bytes = store.read_all(key).map_err(io)?;
                counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                ParquetInput::Bytes(bytes::Bytes::from(bytes))
            };
            read_parquet_part(input, row_group, shown, agg)
        }
    }
}

/// Says in words what the delivery's missing columns and parts mean for what can be shown.
fn warn_about_delivery(delivery: &Delivery, facts: &mut Facts) {
    let q = &mut facts.quality;
    let cols = facts.columns;
    if !cols.has(Field::ResourceId) {
        q.warn(
            "no-resource-ids",
            "report created without resource IDs (no lineItem/ResourceId column): the bill still \
             totals, but pod, node and resource views are unavailable. Fix: create the report with \
             \"Include resource IDs\" (AdditionalSchemaElements RESOURCES)",
        );
    } else if !cols.has(Field::SplitCost) {
        q.warn(
            "no-split-cost",
            "no split cost allocation data (no splitLineItem/SplitCost column): EC2 node costs of \
             EKS clusters show as idle, not per pod. Fix: opt in to split cost allocation data in \
             Billing preferences and include it in the report (SPLIT_COST_ALLOCATION_DATA)",
        );
    }
    for p in &delivery.periods {
        if !p.missing.is_empty() {
            q.warn(
                "missing-parts",
                format!(
                    "manifest {} lists {} part(s) not found, e.g. {}: that period's bill is incomplete",
                    p.manifest.as_deref().unwrap_or("?"),
                    p.missing.len(),
                    p.missing[0]
                ),
            );
        }
    }
    if q.malformed_rows > 0 {
        let first = q
            .examples
            .first()
            .map(|e| format!("; first: {}:{}: {}", e.file, e.line, e.reason));
        q.warn(
            "malformed-rows",
            format!(
                "{} malformed row(s) skipped out of {}{}",
                q.malformed_rows,
                q.rows_read,
                first.unwrap_or_default()
            ),
        );
    }
    if !q.unknown_line_item_types.is_empty() {
        let list: Vec<String> = q
            .unknown_line_item_types
            .iter()
            .map(|(k, v)| format!("{k} ({v})"))
            .collect();
        q.warn(
            "unknown-line-item-types",
            format!(
                "line item types without a rule, counted as unblended cost: {}",
                list.join(", ")
            ),
        );
    }
}
