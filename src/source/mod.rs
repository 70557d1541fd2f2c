//! Sources: turn a profile and a window into [`crate::facts::Facts`].
//!
//! `local` reads CUR deliveries laid out as AWS writes them (from a folder or from memory);
//! `demo` generates the demo bill and reads it through the same path.

pub mod athena;
pub mod aws;
pub mod cached;
pub mod combined;
pub mod demo;
pub mod discover;
pub mod doctor;
pub mod error;
pub mod focus;
pub mod line_cap;
pub mod local;
pub mod manifest;
pub mod parquet;
pub mod read_csv;
pub mod s3;
pub mod store;
mod text_ids;

use crate::alloc::sharing::Shared;
use crate::cache::{Cache, CacheMode, SourceKey};
use crate::clock::AsOf;
use crate::config::{Profile, SourceSpec};
use crate::cur::attribution::TagPlan;
use crate::cur::time::Day;
use crate::facts::{Facts, WarningCode};
use crate::window::{Window, WindowSpec};
use discover::Delivery;
use error::SourceError;
use local::{Progress, ReadOptions};

/// Facts of a profile over a window, with where they came from.
#[derive(Debug)]
pub struct Loaded {
    pub facts: Facts,
    pub delivery: Delivery,
    /// The resolved window.
    pub window: Window,
    /// Where the data came from, for headers and messages.
    pub origin: String,
    /// How an Athena read went, in words (`doctor` shows them). `None` for files.
    pub athena: Option<AthenaNotes>,
    /// What the read did with the cache; `None` when it did not use one.
    pub cache: Option<cached::CacheNote>,
    /// The facts with the profile's sharing rules applied; `None` when it has none. `facts`
    /// stay as read, so sharing can be turned off.
    pub shared: Option<Shared>,
}

impl Loaded {
    /// The facts to show: shared when `sharing` is on and the profile shares anything.
    pub fn shown(&self, sharing: bool) -> &Facts {
        match &self.shared {
            Some(s) if sharing => &s.facts,
            _ => &self.facts,
        }
    }

    /// Whether these facts are the cache's roll-up: no pods, containers or nodes yet (the
    /// full facts follow, [`crate::cache::CacheMode::Rollup`]).
    pub fn rolled_up(&self) -> bool {
        self.cache.as_ref().is_some_and(|n| n.rolled_up)
    }

    /// Applies `rules` (a profile's sharing) to the facts read.
    pub fn with_sharing(mut self, rules: &crate::config::Sharing) -> Self {
        self.shared = rules
            .is_active()
            .then(|| crate::alloc::sharing::share(&self.facts, rules));
        self
    }
}

/// How an Athena read went, in words: each line lands on its own `doctor` check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AthenaNotes {
    /// The table and its layout: columns, partitions, where the tags are.
    pub table: String,
    /// The facts query: its id, what it scanned, how many result rows.
    pub query: String,
    /// What `cost_and_usage_data_status` says, or that there is no such table; `None` when
    /// asking it failed.
    pub status: Option<String>,
    /// `doctor`'s scan for environment-like values in the tag keys the profile does not map;
    /// `None` outside `doctor`.
    pub env_scan: Option<EnvScan>,
}

/// What `doctor`'s environment scan of an Athena table found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvScan {
    /// (tag id, value as billed, unblended cost), and what the query scanned.
    Done {
        seen: Vec<(String, String, crate::cur::money::Money)>,
        scanned: String,
    },
    /// The table has no unmapped tag key to scan.
    Nothing,
    /// The query could not be run or read, in words.
    Failed(String),
}

/// What to read: a profile's data over a window as of a moment, the tag keys a report groups
/// by, and where the read reports its progress. One value passed down the whole read.
#[derive(Debug, Clone, Copy)]
pub struct ReadRequest<'a> {
    pub profile: &'a Profile,
    /// The window as the user wrote it; resolved once the delivery (or the data, for windows
    /// relative to it) is known.
    pub window: WindowSpec,
    /// Tag keys a report groups by (`--by tag:KEY`), read beside the profile's mapping.
    pub extra_tags: &'a [String],
    pub as_of: AsOf,
    pub progress: Option<&'a Progress>,
    /// The facts cache to read through; `None` reads the source alone.
    pub cache: Option<&'a Cache>,
    pub cache_mode: CacheMode,
}

impl<'a> ReadRequest<'a> {
    /// `profile` over `window` as of `as_of`, no extra tags, no progress.
    pub fn new(profile: &'a Profile, window: WindowSpec, as_of: AsOf) -> Self {
        ReadRequest {
            profile,
            window,
            extra_tags: &[],
            as_of,
            progress: None,
            cache: None,
            cache_mode: CacheMode::Use,
        }
    }

    /// Through `cache`, as `mode` says.
    pub fn with_cache(self, cache: &'a Cache, mode: CacheMode) -> Self {
        ReadRequest {
            cache: Some(cache),
            cache_mode: mode,
            ..self
        }
    }

    /// The cache and the key this request's facts have in it, when it reads through one.
    fn cache_key(&self) -> Option<(&'a Cache, SourceKey)> {
        Some((self.cache?, SourceKey::of(self.profile, &self.tag_keys())?))
    }

    /// The tag keys read beside the profile's mapping: those a report groups by, then those
    /// the profile's sharing rules select by (their facts keep them as `tag:KEY` labels).
    fn tag_keys(&self) -> Vec<String> {
        let mut keys = self.extra_tags.to_vec();
        for key in self.profile.sharing.tag_keys() {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// With the tag keys a report groups by.
    pub fn with_tags(self, extra_tags: &'a [String]) -> Self {
        ReadRequest { extra_tags, ..self }
    }

    /// Reporting to `progress` (which can also cancel the read).
    pub fn with_progress(self, progress: &'a Progress) -> Self {
        ReadRequest {
            progress: Some(progress),
            ..self
        }
    }

    /// The tag plan of the read: the profile's mapping (with the providers' Kubernetes keys
    /// for a FOCUS export, [`focus::provider_mapping`]) and [`ReadRequest::tag_keys`].
    fn plan(&self) -> TagPlan {
        match &self.profile.source {
            SourceSpec::Focus(_) => TagPlan::new(
                &focus::provider_mapping(&self.profile.tags),
                &self.tag_keys(),
            ),
            _ => TagPlan::new(&self.profile.tags, &self.tag_keys()),
        }
    }

    /// The one currency a FOCUS profile reads, if it names one.
    fn currency(&self) -> Option<&'a str> {
        match &self.profile.source {
            SourceSpec::Focus(f) => f.currency.as_deref(),
            _ => None,
        }
    }
}

/// Reads what `req` asks for, says so when it is in several currencies, then applies the
/// profile's sharing rules.
pub fn load(req: &ReadRequest<'_>) -> Result<Loaded, SourceError> {
    read(req).map(|mut loaded| {
        focus::warn_currencies(&mut loaded.facts.quality);
        loaded.with_sharing(&req.profile.sharing)
    })
}

/// The facts of `req` as read, before sharing: through the cache when it names one (offline,
/// only from it; when the source cannot be reached, what it holds, with the failure).
fn read(req: &ReadRequest<'_>) -> Result<Loaded, SourceError> {
    let Some((cache, key)) = req.cache_key() else {
        return load_source(req);
    };
    let origin = origin_of(req.profile);
    if matches!(req.cache_mode, CacheMode::Offline | CacheMode::Rollup) {
        return cached::load_offline(req, cache, &key, origin, None);
    }
    match load_source(req) {
        Err(e) if cached::unreachable(&e) => {
            cached::load_offline(req, cache, &key, origin, Some(e))
        }
        other => other,
    }
}

/// How a profile's source is named in headers and messages.
fn origin_of(profile: &Profile) -> String {
    match &profile.source {
        SourceSpec::Local { path } => path.display().to_string(),
        SourceSpec::S3(s) => s.url(),
        SourceSpec::Athena(a) => a.url(),
        SourceSpec::Demo { seed, days } => format!("demo data (seed {seed}, {days} days)"),
        SourceSpec::Focus(f) => match &f.location {
            crate::config::FocusPath::Local(path) => path.display().to_string(),
            crate::config::FocusPath::S3(s) => s.url(),
        },
        SourceSpec::Combined(parts) => format!(
            "combined: {}",
            parts.iter().map(origin_of).collect::<Vec<_>>().join(" + ")
        ),
    }
}

/// Reads a delivery found in a store: through the cache when the request names one.
fn read_found(
    store: &dyn store::Store,
    delivery: Delivery,
    origin: String,
    req: &ReadRequest<'_>,
) -> Result<Loaded, SourceError> {
    match req.cache_key() {
        Some((cache, key)) => cached::read_store_cached(store, delivery, origin, req, cache, &key),
        None => read_store(store, delivery, origin, req),
    }
}

/// Reads the source itself (the cache, when the request names one, for unchanged periods).
fn load_source(req: &ReadRequest<'_>) -> Result<Loaded, SourceError> {
    match &req.profile.source {
        SourceSpec::Local { path } => load_local(path, req),
        SourceSpec::S3(s3_spec) => load_s3(s3_spec, req),
        SourceSpec::Athena(a) => match req.cache_key() {
            Some((cache, key)) => cached::load_athena_cached(a, req, cache, &key),
            None => load_athena(a, req),
        },
        SourceSpec::Focus(f) => focus::load(f, req),
        SourceSpec::Combined(parts) => combined::load(parts, req),
        SourceSpec::Demo { seed, days } => {
            let store = demo::demo_store(*seed, *days, req.as_of.today())?;
            let delivery = discover::discover(&store, "demo data")?;
            let origin = format!("demo data (seed {seed}, {days} days)");
            let mut loaded = read_store(&store, delivery, origin, req)?;
            // The demo bill is daily to stay small; that is not a setting its user can change.
            loaded
                .facts
                .quality
                .warnings
                .retain(|w| w.code != WarningCode::DailyGranularity);
            Ok(loaded)
        }
    }
}

/// Reads a local folder or file (a CUR delivery or a FOCUS export) for `req`.
fn load_local(path: &std::path::Path, req: &ReadRequest<'_>) -> Result<Loaded, SourceError> {
    let (store, delivery) = local::open_local(path)?;
    let origin = path.display().to_string();
    read_found(&store, delivery, origin, req)
}

/// Reads a delivery (or Data Export) under an S3 prefix for `req`; an empty prefix says what
/// its parent holds instead.
fn load_s3(s3_spec: &crate::config::S3Spec, req: &ReadRequest<'_>) -> Result<Loaded, SourceError> {
    let url = s3_spec.url();
    let store = s3::S3Store::new(s3_spec).map_err(|e| SourceError::Io {
        path: url.clone(),
        error: e,
    })?;
    let delivery = match discover::discover(&store, &url) {
        Ok(d) => d,
        Err(SourceError::NoDelivery { path, seen }) if seen.is_empty() => {
            let focus = matches!(req.profile.source, SourceSpec::Focus(_));
            return Err(SourceError::NoDelivery {
                path,
                seen: nearby(&store, s3_spec, focus),
            });
        }
        Err(e) => return Err(e),
    };
    read_found(&store, delivery, url, req)
}

/// An Athena profile's query, ready to run: the client, the table's schema, whether the data
/// status table is beside it, the SQL and the resolved window.
pub(crate) struct AthenaPlan {
    pub(crate) client: athena::Athena,
    pub(crate) schema: athena::sql::TableSchema,
    pub(crate) status_table: bool,
    pub(crate) sql: String,
    pub(crate) window: Option<Window>,
    pub(crate) plan: TagPlan,
}

impl AthenaPlan {
    /// The facts query over `[start, end)`, pruned to its partitions.
    pub(crate) fn query_for(&self, days: (Day, Day)) -> Result<String, SourceError> {
        use athena::sql::{Dialect, QuerySpec, facts_query};
        let table = self.client.table();
        facts_query(&QuerySpec {
            table: &table,
            schema: &self.schema,
            plan: &self.plan,
            window: Some(days),
            dialect: Dialect::Athena,
        })
        .map_err(|missing| SourceError::MissingColumns {
            file: table.sql(),
            columns: missing.iter().map(|f| f.column_name()).collect(),
        })
    }

    /// Runs a facts query; its rows become facts. Returns them with the query's id and scan.
    pub(crate) fn run_facts(
        &self,
        sql: &str,
        env: &crate::config::EnvRules,
        progress: Option<&Progress>,
    ) -> Result<(crate::facts::Facts, String, athena::Scan), SourceError> {
        let mut rows = athena::results::ResultRows::new(&self.plan, env, self.schema.column_set());
        let mut bad_header = None;
        let (id, scan) = self
            .client
            .run("facts", sql, progress, &mut |header, cells| {
                if header {
                    let names: Vec<&str> = cells.iter().map(|c| c.unwrap_or("")).collect();
                    if let Err(e) = rows.check_header(&names) {
                        bad_header = Some(e);
                    }
                } else if bad_header.is_none() {
                    rows.add(cells);
                }
            })?;
        if let Some(reason) = bad_header {
            return Err(SourceError::Unreadable {
                file: format!("the result of query {id}"),
                reason,
            });
        }
        Ok((rows.finish(), id, scan))
    }

    /// The legacy CUR's data status (when AWS keeps the table beside it): a note for
    /// `doctor`, the status itself, and a warning on `facts` when it is not READY.
    pub(crate) fn status(
        &self,
        progress: Option<&Progress>,
        facts: &mut crate::facts::Facts,
    ) -> Result<(Option<String>, Option<String>), SourceError> {
        if !self.status_table {
            return Ok((
                Some("no cost_and_usage_data_status table beside it (CUR 2.0 has none)".into()),
                None,
            ));
        }
        let status = self.client.data_status(progress);
        let note = status.as_ref().ok().map(|s| {
            format!(
                "cost_and_usage_data_status: {}",
                s.as_deref().unwrap_or("(empty)")
            )
        });
        match status {
            Ok(Some(status)) => {
                if !status.eq_ignore_ascii_case("READY") {
                    facts.quality.warn(
                        WarningCode::DataUpdating,
                        format!(
                            "cost_and_usage_data_status says {status}: AWS is updating the CUR \
                             table, so these totals may be partial. Refresh once it says READY"
                        ),
                    );
                }
                Ok((note, Some(status)))
            }
            Err(SourceError::Cancelled) => Err(SourceError::Cancelled),
            _ => Ok((note, None)),
        }
    }

    /// The table's layout in words (`doctor` shows it).
    pub(crate) fn table_note(&self) -> String {
        format!(
            "table {}: {} columns, {}, tags {}",
            self.client.table().sql(),
            self.schema.columns.len(),
            self.schema.partitions().describe(),
            if self.schema.tags_in_map() {
                "in the resource_tags map (CUR 2.0)"
            } else {
                "one column per activated tag (legacy CUR)"
            }
        )
    }
}

pub(crate) fn plan_athena(
    a: &crate::config::AthenaSpec,
    req: &ReadRequest<'_>,
) -> Result<AthenaPlan, SourceError> {
    use athena::sql::{Dialect, QuerySpec, facts_query};
    let plan = req.plan();
    let this_month = {
        let t = req.as_of.day();
        let first = crate::cur::time::month_start(t);
        (first, crate::cur::time::next_month_start(first))
    };
    let window = match req.window {
        WindowSpec::All => None,
        spec => spec.resolve(req.as_of, Some(this_month), None),
    };
    let client = athena::Athena::new(a).map_err(|e| SourceError::Io {
        path: a.url(),
        error: e,
    })?;
    let (schema, status_table) = client.schema(req.progress)?;
    let table = client.table();
    let sql = facts_query(&QuerySpec {
        table: &table,
        schema: &schema,
        plan: &plan,
        window: window.map(|w| (w.start, w.end)),
        dialect: Dialect::Athena,
    })
    .map_err(|missing| SourceError::MissingColumns {
        file: table.sql(),
        columns: missing.iter().map(|f| f.column_name()).collect(),
    })?;
    Ok(AthenaPlan {
        client,
        schema,
        status_table,
        sql,
        window,
        plan,
    })
}

/// The SQL an Athena profile would run for a window (its table's schema is read, nothing
/// else): `curtop report --explain`.
pub fn explain(req: &ReadRequest<'_>) -> Result<String, String> {
    let SourceSpec::Athena(a) = &req.profile.source else {
        return Err(format!(
            "profile `{}` reads CUR files, not Athena: there is no SQL to explain",
            req.profile.name
        ));
    };
    plan_athena(
        a,
        &ReadRequest {
            progress: None,
            ..*req
        },
    )
    .map(|p| p.sql)
    .map_err(|e| e.to_string())
}

/// Queries a profile's Athena table for a window: schema (cached), then the facts query, then
/// the legacy CUR's data status when AWS keeps one beside the table.
pub(crate) fn load_athena(
    a: &crate::config::AthenaSpec,
    req: &ReadRequest<'_>,
) -> Result<Loaded, SourceError> {
    let origin = a.url();
    let athena = plan_athena(a, req)?;
    let progress = req.progress;
    let (mut facts, id, scan) = athena.run_facts(&athena.sql, &req.profile.env, progress)?;
    check_readable(&facts, &origin)?;
    let query_note = format!("facts query {id}: {scan}, {} result rows", facts.rows.len());
    let delivery = Delivery {
        report: athena.client.table().sql(),
        layout: discover::Layout::Athena,
        periods: Vec::new(),
    };
    local::warn_about_delivery(&delivery, &mut facts);
    let (status_note, _) = athena.status(progress, &mut facts)?;
    let window = data_window(athena.window, req, None, &facts, &origin)?;
    Ok(Loaded {
        facts,
        delivery,
        window,
        origin: format!("{origin} (query {id}, {scan})"),
        athena: Some(AthenaNotes {
            table: athena.table_note(),
            query: query_note,
            status: status_note,
            env_scan: None,
        }),
        cache: None,
        shared: None,
    })
}

/// A read whose numbers cannot be the bill is an error: a sum that overflowed (in any part, or
/// over the whole read), amounts whose magnitudes sum beyond what money holds (so a later sum
/// of some of them could: [`crate::facts::Facts::magnitude_fits`]), or more than
/// [`error::MAX_MALFORMED_SHARE`] of the rows malformed.
pub(crate) fn check_readable(facts: &crate::facts::Facts, origin: &str) -> Result<(), SourceError> {
    let q = &facts.quality;
    let mut total = crate::cur::metrics::Costs::ZERO;
    let total_fits = facts.bill.values().all(|c| total.add_checked(*c));
    if q.overflowed_sums > 0 || !total_fits || !facts.magnitude_fits() {
        return Err(SourceError::SumOverflow {
            path: origin.to_string(),
        });
    }
    let (num, den) = error::MAX_MALFORMED_SHARE;
    if q.malformed_rows > 0 && q.malformed_rows * den > q.rows_read * num {
        return Err(SourceError::MostlyMalformed {
            path: origin.to_string(),
            malformed: q.malformed_rows,
            rows: q.rows_read,
            examples: q.examples.clone(),
        });
    }
    Ok(())
}

/// The window resolved before the read, or (for windows relative to the data) from the days
/// the read found; none at all is `NothingInWindow`.
pub(crate) fn data_window(
    resolved: Option<Window>,
    req: &ReadRequest<'_>,
    latest: Option<(crate::cur::time::Day, crate::cur::time::Day)>,
    facts: &crate::facts::Facts,
    origin: &str,
) -> Result<Window, SourceError> {
    // `all` is the data's own span once it is read (not the unbounded window it was read in).
    if let Some(w) = resolved
        && req.window != WindowSpec::All
    {
        return Ok(w);
    }
    req.window
        .resolve(req.as_of, latest, facts.day_range())
        .ok_or_else(|| SourceError::NothingInWindow {
            path: origin.to_string(),
            window: req.window.to_string(),
            available: "no rows".into(),
        })
}

/// An empty report folder: what its parent prefix holds instead, and the report names found
/// there (usually a misspelt `report`, or `prefix` one level off), with the setting that
/// names it: `report` of an `s3` profile, the `path` of a `focus` one.
fn nearby(store: &s3::S3Store, spec: &crate::config::S3Spec, focus: bool) -> Vec<String> {
    let parent = if spec.prefix.is_empty() {
        format!("s3://{}/", spec.bucket)
    } else {
        format!("s3://{}/{}/", spec.bucket, spec.prefix)
    };
    match store.look_around() {
        Ok((keys, _)) if keys.is_empty() => {
            vec![format!("nothing under {}/ nor under {parent}", spec.report)]
        }
        Ok((keys, reports)) => {
            let mut seen = vec![format!("nothing under {}/; {parent} holds:", spec.report)];
            seen.extend(keys.iter().take(6).map(|k| format!("  {k}")));
            if keys.len() > 6 {
                seen.push(format!("  … ({} keys listed)", keys.len()));
            }
            if !reports.is_empty() {
                let setting = if focus {
                    let url = crate::config::S3Spec {
                        report: reports[0].clone(),
                        ..spec.clone()
                    }
                    .url();
                    format!("path = \"{url}\"")
                } else {
                    format!("report = \"{}\"", reports[0])
                };
                seen.push(format!(
                    "likely report name: {} (set `{setting}`)",
                    reports.join(", "),
                ));
            }
            seen
        }
        Err(e) => vec![format!("(could not list {parent}: {e})")],
    }
}

/// How old the manifest of the open billing period may be before the data counts as stale:
/// AWS refreshes it several times a day (up to 24 h apart).
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(36 * 3600);

/// Reads a discovered delivery of `store` for a request (the part of [`load`] after
/// discovery; public so tests can put a store of their own in between).
pub fn read_store(
    store: &dyn store::Store,
    delivery: Delivery,
    origin: String,
    req: &ReadRequest<'_>,
) -> Result<Loaded, SourceError> {
    let plan = req.plan();
    let latest = delivery.latest_span();
    let window = req.window.resolve(req.as_of, latest, None);
    let opts = ReadOptions {
        plan: &plan,
        env: &req.profile.env,
        window: window.map(|w| (w.start, w.end)),
        progress: req.progress,
        threads: 0,
        currency: req.currency(),
    };
    let (mut facts, delivery) = local::read_delivery_consistent(store, delivery, &origin, &opts)?;
    check_readable(&facts, &origin)?;
    if let Some(message) = staleness(&delivery, req.as_of) {
        facts.quality.warn(WarningCode::StaleData, message);
    }
    let window = data_window(window, req, latest, &facts, &origin)?;
    Ok(Loaded {
        facts,
        delivery,
        window,
        origin,
        athena: None,
        cache: None,
        shared: None,
    })
}

/// Says so when the open billing period (the one holding `as_of`'s day) was last delivered
/// more than [`STALE_AFTER`] before `as_of`: AWS should have refreshed it by then.
pub fn staleness(delivery: &Delivery, as_of: AsOf) -> Option<String> {
    let today = as_of.day();
    let open = delivery
        .periods
        .iter()
        .find(|p| p.span.is_some_and(|(s, e)| s <= today && today < e))?;
    let modified = open.modified?;
    let age = as_of.age_of(modified)?;
    (age > STALE_AFTER).then(|| {
        format!(
            "the open billing period was last delivered {} h ago ({}); AWS refreshes it at \
             least daily, so the report may have stopped being delivered",
            age.as_secs() / 3600,
            open.manifest.as_deref().unwrap_or("no manifest")
        )
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use chrono::NaiveDate;

    use super::*;
    use crate::cur::time::day_of;
    use discover::{Layout, Period};

    fn delivery(modified: SystemTime) -> Delivery {
        let start = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default();
        let end = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap_or_default();
        Delivery {
            report: "r".into(),
            layout: Layout::Legacy,
            periods: vec![Period {
                span: Some((day_of(start), day_of(end))),
                manifest: Some("r/20240401-20240501/r-Manifest.json".into()),
                assembly: Some("a".into()),
                parts: Vec::new(),
                missing: Vec::new(),
                duplicates: Vec::new(),
                modified: Some(modified),
            }],
        }
    }

    #[test]
    fn an_open_period_not_delivered_for_36_hours_is_stale() {
        let today = AsOf::date(NaiveDate::from_ymd_opt(2024, 4, 10).unwrap_or_default());
        let now = today.system_time();
        let hours = |h: u64| now - Duration::from_secs(h * 3600);
        assert_eq!(staleness(&delivery(hours(30)), today), None);
        let msg = staleness(&delivery(hours(40)), today).unwrap_or_default();
        assert!(msg.contains("40 h ago"), "{msg}");
        assert!(msg.contains("r-Manifest.json"), "{msg}");
        // A closed period is final: its age says nothing.
        let may = AsOf::date(NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default());
        assert_eq!(staleness(&delivery(hours(24 * 30)), may), None);
    }
}
