//! Reads a discovered delivery from any [`Store`]: report parts in parallel (one thread per core,
//! parts handed out in order), each streamed through its reader into its own aggregator, merged
//! in part order so the result does not depend on timing.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::discover::{Delivery, Layout, Part, PartFormat, Period, discover};
use super::error::SourceError;
use super::parquet::{ParquetInput, ranged_metadata, read_parquet_part, row_group_rows};
use super::read_csv::{CountingReader, read_csv_part};
use super::store::{DirStore, Object, Store};
use crate::config::EnvRules;
use crate::cur::attribution::TagPlan;
use crate::cur::columns::Field;
use crate::cur::time::Day;
use crate::facts::{Aggregator, Facts, Partial, WarningCode};

/// Live counters of a read, shared with whoever shows progress.
#[derive(Debug, Default)]
pub struct Progress {
    pub parts_total: AtomicU64,
    pub parts_done: AtomicU64,
    pub bytes_total: AtomicU64,
    pub bytes_read: Arc<AtomicU64>,
    /// Set when the read is no longer wanted (a refresh, quitting): readers stop between parts.
    pub cancelled: std::sync::atomic::AtomicBool,
    /// Athena: the query's stage (`athena::stage`), bytes it scanned so far, rows read back.
    pub query_stage: AtomicU64,
    pub scanned_bytes: AtomicU64,
    pub rows_fetched: AtomicU64,
}

impl Progress {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
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
    /// FOCUS: the one `BillingCurrency` to read (a profile's `currency`); `None` reads all,
    /// and more than one is refused ([`super::focus::one_currency`]).
    pub currency: Option<&'a str>,
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
    if !meta.is_dir() {
        return Err(SourceError::Unreadable {
            file: shown,
            reason: "not a file or folder curtop can read (a device, pipe or socket); point at \
                     the report's folder or one CUR file"
                .into(),
        });
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
    let periods = in_window(delivery, opts.window);
    let partials = read_periods(store, &periods, opts)?;
    Ok(finish(partials, delivery, opts))
}

/// How often a delivery AWS keeps rewriting is read again before curtop gives up on it.
pub const MAX_RESTARTS: usize = 3;

/// Reads the delivery like [`read_delivery`], then lists the store again: a period whose
/// manifest changed meanwhile (a new `assemblyId`: AWS rewrote the report during the read) is
/// read again, alone, until the listing stands still (at most [`MAX_RESTARTS`] times). Returns
/// the facts and the delivery they match.
pub fn read_delivery_consistent(
    store: &dyn Store,
    delivery: Delivery,
    root: &str,
    opts: &ReadOptions<'_>,
) -> Result<(Facts, Delivery), SourceError> {
    let read = read_periods_consistent(store, delivery, root, opts, &|_| true)?;
    let partials = read.periods.into_iter().map(|(_, p)| p).collect();
    let mut facts = finish(partials, &read.delivery, opts);
    warn_restarted(&read.restarted, &mut facts);
    Ok((facts, read.delivery))
}

/// Periods read apart and the delivery they match (see [`read_periods_consistent`]).
pub struct PeriodsRead {
    /// Each period read, with its line items aggregated (not yet placed), oldest first.
    pub periods: Vec<(Period, Partial)>,
    pub delivery: Delivery,
    /// The periods read again because AWS rewrote them meanwhile.
    pub restarted: Vec<String>,
}

/// Says which periods were read again because AWS rewrote them during the read.
pub fn warn_restarted(restarted: &[String], facts: &mut Facts) {
    if !restarted.is_empty() {
        facts.quality.warn(
            WarningCode::PeriodRestarted,
            format!(
                "AWS rewrote the report during the read; read again: {}",
                restarted.join(", ")
            ),
        );
    }
}

/// The periods of the delivery in the window that `wanted` accepts, read consistently: after
/// the read the store is listed again, and a period whose delivery changed meanwhile is read
/// again, alone (at most [`MAX_RESTARTS`] times).
pub fn read_periods_consistent(
    store: &dyn Store,
    delivery: Delivery,
    root: &str,
    opts: &ReadOptions<'_>,
    wanted: &dyn Fn(&Period) -> bool,
) -> Result<PeriodsRead, SourceError> {
    let mut delivery = delivery;
    let select = |d: &Delivery| -> Vec<Period> {
        in_window(d, opts.window)
            .into_iter()
            .filter(|p| wanted(p))
            .cloned()
            .collect()
    };
    let periods = select(&delivery);
    let mut partials = read_periods(store, &periods.iter().collect::<Vec<_>>(), opts)?;
    let mut read: Vec<(Period, Partial)> = periods.into_iter().zip(partials.drain(..)).collect();
    let checkable = matches!(delivery.layout, Layout::Legacy | Layout::Cur2);
    let mut restarted: Vec<String> = Vec::new();
    let mut attempt = 0;
    loop {
        if !checkable {
            break;
        }
        let again = discover(store, root)?;
        let wanted = select(&again);
        let stale: Vec<&Period> = wanted
            .iter()
            .filter(|p| !read.iter().any(|(r, _)| same_delivery(r, p)))
            .collect();
        let gone = read
            .iter()
            .any(|(r, _)| !wanted.iter().any(|p| p.span == r.span));
        if stale.is_empty() && !gone {
            delivery = again;
            break;
        }
        attempt += 1;
        if attempt > MAX_RESTARTS {
            return Err(SourceError::DeliveryChanging {
                manifest: stale
                    .first()
                    .and_then(|p| p.manifest.clone())
                    .unwrap_or_else(|| root.to_string()),
                restarts: MAX_RESTARTS,
            });
        }
        restarted.extend(stale.iter().map(|p| describe_period(p)));
        let fresh = read_periods(store, &stale, opts)?;
        let mut fresh: Vec<(Period, Partial)> =
            stale.iter().map(|p| (*p).clone()).zip(fresh).collect();
        let mut next = Vec::with_capacity(wanted.len());
        for p in &wanted {
            if let Some(i) = fresh.iter().position(|(f, _)| f.span == p.span) {
                next.push(fresh.swap_remove(i));
            } else if let Some(i) = read.iter().position(|(r, _)| same_delivery(r, p)) {
                next.push(read.swap_remove(i));
            }
        }
        read = next;
        delivery = again;
    }
    Ok(PeriodsRead {
        periods: read,
        delivery,
        restarted,
    })
}

/// The same delivery of a period: same span, same assembly, same parts.
fn same_delivery(a: &Period, b: &Period) -> bool {
    a.span == b.span && a.assembly == b.assembly && a.parts == b.parts
}

fn describe_period(p: &Period) -> String {
    match (p.span, &p.assembly) {
        (Some((s, _)), Some(a)) => format!(
            "{} (assembly {a})",
            crate::cur::time::date_of(s).format("%Y-%m")
        ),
        (Some((s, _)), None) => crate::cur::time::date_of(s).format("%Y-%m").to_string(),
        _ => p.manifest.clone().unwrap_or_default(),
    }
}

/// The periods that overlap the window (`[start, end)` days; every period when `None`).
pub fn in_window(delivery: &Delivery, window: Option<(Day, Day)>) -> Vec<&Period> {
    delivery
        .periods
        .iter()
        .filter(|p| match (p.span, window) {
            (Some((s, e)), Some((ws, we))) => s < we && ws < e,
            _ => true,
        })
        .collect()
}

fn finish(partials: Vec<Partial>, delivery: &Delivery, opts: &ReadOptions<'_>) -> Facts {
    let mut merged = Partial::default();
    for p in partials {
        merged.merge(p);
    }
    let mut facts = merged.finish(opts.plan.label_names(), opts.env);
    warn_about_delivery(delivery, &mut facts);
    facts
}

/// Reads periods' parts in parallel; one merged partial per period, in the given order.
fn read_periods(
    store: &dyn Store,
    periods: &[&Period],
    opts: &ReadOptions<'_>,
) -> Result<Vec<Partial>, SourceError> {
    let parts: Vec<(usize, &Part)> = periods
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.parts.iter().map(move |part| (i, part)))
        .collect();
    let footers = remote_footers(store, &parts)?;
    let cores = if opts.threads == 0 {
        std::thread::available_parallelism()
            .map_or(2, std::num::NonZero::get)
            .max(store.min_parallel_reads())
    } else {
        opts.threads
    };
    let tasks = read_tasks(store, &parts, &footers, cores)?;
    if let Some(p) = opts.progress {
        p.parts_total
            .fetch_add(parts.len() as u64, Ordering::Relaxed);
        p.bytes_total
            .fetch_add(parts.iter().map(|(_, p)| p.size).sum(), Ordering::Relaxed);
    }
    let counter = opts.progress.map_or_else(
        || Arc::new(AtomicU64::new(0)),
        |p| Arc::clone(&p.bytes_read),
    );
    let threads = cores.min(tasks.len().max(1));

    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Partial, SourceError>>> = Vec::new();
    results.resize_with(tasks.len(), || None);
    let results = std::sync::Mutex::new(results);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    if opts.progress.is_some_and(Progress::is_cancelled) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(task) = tasks.get(i).cloned() else {
                        break;
                    };
                    let (part, bytes) = (task.1, task.3);
                    let first_of_part = task.2.as_ref().is_none_or(|rg| rg.start == 0);
                    let mut agg = Aggregator::new(opts.plan, opts.env, opts.window);
                    agg.only_currency(opts.currency);
                    let shown = store.describe(&part.key);
                    let footer = footers.get(&part.key).map(Arc::clone);
                    let outcome = guarded(&shown, || {
                        read_part(store, task, footer, &shown, &counter, &mut agg)
                    })
                    .map(|()| {
                        let q = agg.quality();
                        q.files += u64::from(first_of_part);
                        q.bytes += bytes;
                        agg.into_partial()
                    });
                    let last_of_part = tasks.get(i + 1).is_none_or(|t| !std::ptr::eq(t.1, part));
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
    if opts.progress.is_some_and(Progress::is_cancelled) {
        return Err(SourceError::Cancelled);
    }
    let results = results.into_inner().unwrap_or_default();
    let mut merged: Vec<Partial> = Vec::with_capacity(periods.len());
    merged.resize_with(periods.len(), Partial::default);
    for (r, &(period, part, _, _)) in results.into_iter().zip(&tasks) {
        match r {
            Some(Ok(p)) => merged[period].merge(p),
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
    Ok(merged)
}

/// One unit of a read: (period index, part, row groups or the whole part, bytes it counts for).
type ReadTask<'p> = (usize, &'p Part, Option<Range<usize>>, u64);

/// The tasks of a read, in part order. Parquet parts are split by row groups so one big file
/// uses every core: a local file into one run of consecutive row groups per core (balanced by
/// rows; each run classifies its repeated texts once, however small the writer's row groups),
/// a remote one into single row groups (they download while others decode).
fn read_tasks<'p>(
    store: &dyn Store,
    parts: &[(usize, &'p Part)],
    footers: &Footers,
    cores: usize,
) -> Result<Vec<ReadTask<'p>>, SourceError> {
    let mut tasks: Vec<ReadTask<'p>> = Vec::with_capacity(parts.len());
    for &(period, part) in parts {
        let runs: Option<Vec<Range<usize>>> = match part.format {
            PartFormat::Csv(_) => None,
            PartFormat::Parquet => match (store.local_path(&part.key), footers.get(&part.key)) {
                (Some(path), _) => {
                    let shown = store.describe(&part.key);
                    Some(runs_of(
                        &guarded(&shown, || row_group_rows(&path, &shown))?,
                        cores,
                    ))
                }
                (None, Some(meta)) => {
                    Some((0..meta.num_row_groups()).map(|rg| rg..rg + 1).collect())
                }
                (None, None) => None,
            },
        };
        match runs {
            Some(runs) if !runs.is_empty() => {
                let groups = runs.last().map_or(1, |r| r.end) as u64;
                for run in runs {
                    // Shares that sum to the part's size exactly.
                    let bytes =
                        part.size * run.end as u64 / groups - part.size * run.start as u64 / groups;
                    tasks.push((period, part, Some(run), bytes));
                }
            }
            _ => tasks.push((period, part, None, part.size)),
        }
    }
    Ok(tasks)
}

/// Consecutive row groups (of `rows` each) in at most `n` runs of about equal rows.
fn runs_of(rows: &[u64], n: usize) -> Vec<Range<usize>> {
    let total: u64 = rows.iter().sum();
    let n = n.clamp(1, rows.len().max(1)) as u64;
    let mut runs = Vec::new();
    let (mut start, mut seen) = (0, 0u64);
    for (i, r) in rows.iter().enumerate() {
        seen += r;
        // Close the run once it reaches its share of the rows.
        if seen * n >= total * (runs.len() as u64 + 1) || i + 1 == rows.len() {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    runs
}

/// Parsed footers of remote Parquet parts, by key.
type Footers = std::collections::HashMap<String, Arc<parquet::file::metadata::ParquetMetaData>>;

/// The footers of a remote store's Parquet parts, fetched by ranges, several at once.
fn remote_footers(store: &dyn Store, parts: &[(usize, &Part)]) -> Result<Footers, SourceError> {
    let keys: Vec<&Part> = parts
        .iter()
        .map(|(_, p)| *p)
        .filter(|p| p.format == PartFormat::Parquet && store.ranged_parquet())
        .collect();
    let next = AtomicUsize::new(0);
    let found = std::sync::Mutex::new(Vec::with_capacity(keys.len()));
    std::thread::scope(|scope| {
        for _ in 0..store.min_parallel_reads().min(keys.len()) {
            scope.spawn(|| {
                while let Some(part) = keys.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let fetch = |start, len| store.read_range(&part.key, start, len);
                    let shown = store.describe(&part.key);
                    let meta = guarded(&shown, || ranged_metadata(part.size, &fetch, &shown));
                    if let Ok(mut f) = found.lock() {
                        f.push((part.key.clone(), meta));
                    }
                }
            });
        }
    });
    let mut out = std::collections::HashMap::new();
    for (key, meta) in found.into_inner().unwrap_or_default() {
        out.insert(key, meta?);
    }
    Ok(out)
}

/// Runs one part's reader; a panic inside it (a dependency's decoder meeting a corrupt file)
/// is that part's `Unreadable`, printed nowhere, rather than the end of the process.
fn guarded<T>(
    shown: &str,
    read: impl FnOnce() -> Result<T, SourceError>,
) -> Result<T, SourceError> {
    crate::panics::catch_quietly(read).unwrap_or_else(|panic| {
        Err(SourceError::Unreadable {
            file: shown.to_string(),
            reason: format!("the file is corrupt (its decoder failed: {panic})"),
        })
    })
}

fn read_part(
    store: &dyn Store,
    (_, part, row_groups, bytes): ReadTask<'_>,
    footer: Option<Arc<parquet::file::metadata::ParquetMetaData>>,
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
            // Ranged reads fetch only the needed columns: progress counts each row group as
            // its share of the part, so it ends at the part's size.
            let fetch = |start: u64, len: u64| store.read_range(key, start, len);
            let input = if let Some(meta) = footer {
                counter.fetch_add(bytes, Ordering::Relaxed);
                ParquetInput::Ranged {
                    meta,
                    size: part.size,
                    fetch: &fetch,
                }
            } else if let Some(path) = store.local_path(key) {
                let f = std::fs::File::open(&path).map_err(io)?;
                counter.fetch_add(bytes, Ordering::Relaxed);
                ParquetInput::File(f)
            } else {
                let bytes = store.read_all(key).map_err(io)?;
                counter.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                ParquetInput::Bytes(bytes::Bytes::from(bytes))
            };
            read_parquet_part(input, row_groups, shown, agg)
        }
    }
}

/// Says in words what the delivery's missing columns and parts mean for what can be shown.
pub(crate) fn warn_about_delivery(delivery: &Delivery, facts: &mut Facts) {
    let q = &mut facts.quality;
    let cols = facts.columns;
    // No part read (the window misses every period): no evidence about the columns.
    let known = q.rows_read > 0 || delivery.layout == super::discover::Layout::Athena;
    if super::focus::is_focus(&cols) {
        super::focus::warn_about_columns(q, &cols);
    } else if known && !cols.has(Field::ResourceId) {
        q.warn(
            WarningCode::NoResourceIds,
            "report created without resource IDs (no lineItem/ResourceId column): the bill still \
             totals, but pod, node and resource views are unavailable. Fix: create the report with \
             \"Include resource IDs\" (AdditionalSchemaElements RESOURCES)",
        );
    } else if known && !cols.has(Field::SplitCost) {
        q.warn(
            WarningCode::NoSplitCost,
            "no split cost allocation data (no splitLineItem/SplitCost column): EC2 node costs of \
             EKS clusters show as idle, not per pod. Fix: opt in to split cost allocation data in \
             Billing preferences and include it in the report (SPLIT_COST_ALLOCATION_DATA)",
        );
    }
    // Tiny files (a few rows, all at midnight) prove nothing about the granularity.
    if !q.sub_daily_seen && q.rows_read >= 1000 && cols.has(Field::ResourceId) {
        q.warn(
            WarningCode::DailyGranularity,
            "every line item starts at midnight: a daily (or monthly) report. Daily totals are \
             complete, but usage is summed per day, so hourly detail and short-lived pods' exact \
             hours are unavailable. Fix: a report with hourly time granularity",
        );
    }
    for p in &delivery.periods {
        let manifest = p.manifest.as_deref().unwrap_or("?");
        if let Some(first) = p.duplicates.first() {
            q.warn(
                WarningCode::DuplicateParts,
                format!(
                    "manifest {manifest} names {} part(s) more than once, e.g. {first}: each is \
                     read once",
                    p.duplicates.len()
                ),
            );
        }
        if p.manifest.is_some() && p.parts.is_empty() && p.missing.is_empty() {
            q.warn(
                WarningCode::EmptyPeriod,
                format!(
                    "manifest {manifest} names no report parts: that billing period has no data"
                ),
            );
        }
        if !p.missing.is_empty() {
            q.warn(
                WarningCode::MissingParts,
                format!(
                    "manifest {} lists {} part(s) that cannot be read, e.g. {}: that period's bill is incomplete",
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
            WarningCode::MalformedRows,
            format!(
                "{} malformed row(s) skipped out of {}{}",
                q.malformed_rows,
                q.rows_read,
                first.unwrap_or_default()
            ),
        );
    }
    // What a line item type lacks of the columns its amortized cost needs.
    let missing = |t: &str| -> String {
        crate::cur::metrics::amortization_columns(t)
            .iter()
            .filter(|f| !cols.has(**f))
            .map(|f| format!("{} ({})", f.legacy_name(), f.column_name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if delivery.layout == super::discover::Layout::Athena && !super::focus::is_focus(&cols) {
        // The query returns sums, not rows: what can be said comes from the table's columns.
        let list: Vec<String> = crate::cur::metrics::AMORTIZED_LINE_ITEM_TYPES
            .iter()
            .map(|t| (t, missing(t)))
            .filter(|(_, m)| !m.is_empty())
            .map(|(t, m)| format!("{t} without {m}"))
            .collect();
        if !list.is_empty() {
            q.warn(
                WarningCode::MissingCostColumns,
                format!(
                    "amortized and net cost may be lower than the bill: the table lacks columns \
                     they need, so any rows of these types count as $0 there: {}. Unblended and \
                     on-demand cost are complete",
                    list.join("; ")
                ),
            );
        }
    }
    if !q.lacking_cost_columns.is_empty() {
        let list: Vec<String> = q
            .lacking_cost_columns
            .iter()
            .map(|(t, n)| format!("{t} ({n} rows) without {}", missing(t)))
            .collect();
        q.warn(
            WarningCode::MissingCostColumns,
            format!(
                "amortized and net cost are lower than the bill: the report lacks columns they \
                 need, so these rows count as $0 there: {}. Unblended and on-demand cost are \
                 complete",
                list.join("; ")
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
            WarningCode::UnknownLineItemTypes,
            format!(
                "line item types without a rule, counted as unblended cost: {}",
                list.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::runs_of;

    #[test]
    fn row_groups_split_into_runs_of_about_equal_rows() {
        assert_eq!(runs_of(&[100; 16], 2), vec![0..8, 8..16]);
        assert_eq!(runs_of(&[1_000_000, 950_790], 2), vec![0..1, 1..2]);
        assert_eq!(runs_of(&[10, 10, 10, 70], 2), vec![0..4]);
        assert_eq!(runs_of(&[10], 4), vec![0..1]);
        assert_eq!(runs_of(&[5, 5, 5], 1), vec![0..3]);
        assert!(runs_of(&[], 2).is_empty());
    }
}
