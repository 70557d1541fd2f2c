//! Reads through the facts cache ([`crate::cache`]): each billing period of the window is
//! taken from the cache when its version there is the delivery's now, read from the source
//! otherwise (and then stored); the periods' facts are joined over the window. Offline, only
//! the cache is read; when the source cannot be reached, the cached facts are returned with
//! what failed.
//!
//! Cold and warm reads take the same path — every period placed on its own, then joined — so
//! they give the same facts.

use super::discover::{Delivery, Layout, Period};
use super::error::SourceError;
use super::local::{self, ReadOptions};
use super::{Loaded, ReadRequest, data_window, staleness, store};
use crate::cache::{Cache, CacheMode, Lookup, Meta, SourceKey, period_name};
use crate::cur::time::Day;
use crate::facts::{Facts, Quality, WarningCode};

/// What a read did with the cache, for the header and `report`.
#[derive(Debug, Default)]
pub struct CacheNote {
    /// Periods taken from the cache, by name.
    pub cached: Vec<String>,
    /// Periods read from the source, by name.
    pub read: Vec<String>,
    /// Report parts read and their bytes (files); queries sent and bytes they scanned (Athena).
    pub parts: u64,
    pub bytes: u64,
    pub queries: u64,
    pub scanned: u64,
    /// What the queries cost at Athena's price.
    pub dollars: f64,
    /// When the oldest period taken from the cache was read from the source (seconds since the
    /// Unix epoch); `None` when nothing came from the cache.
    pub cached_since: Option<i64>,
    /// Why the source was not read: the error of the attempt (offline fallback), or `None`
    /// when it was (or `--offline` asked not to).
    pub offline: Option<Box<SourceError>>,
    /// `--offline`: the source was not contacted at all.
    pub offline_by_request: bool,
    /// The facts are the cache's roll-up ([`CacheMode::Rollup`]): no pods, containers or
    /// nodes yet — the full facts follow.
    pub rolled_up: bool,
}

impl CacheNote {
    /// What two reads did together (a combined profile's parts): periods of both, their
    /// counts summed, the older cached time, the first failure.
    #[must_use]
    pub fn and(mut self, other: CacheNote) -> CacheNote {
        self.cached.extend(other.cached);
        self.read.extend(other.read);
        self.parts += other.parts;
        self.bytes += other.bytes;
        self.queries += other.queries;
        self.scanned += other.scanned;
        self.dollars += other.dollars;
        self.cached_since = match (self.cached_since, other.cached_since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.offline = self.offline.or(other.offline);
        self.offline_by_request |= other.offline_by_request;
        self.rolled_up |= other.rolled_up;
        self
    }

    /// "2 periods from cache, 1 read (38 parts, 410 MB)", "1 query, 212 MB scanned, $0.0011",
    /// "offline: 2 periods from cache".
    pub fn summary(&self) -> String {
        let periods = |n: usize| {
            if n == 1 {
                "1 period".to_string()
            } else {
                format!("{n} periods")
            }
        };
        let mut out = Vec::new();
        if self.offline.is_some() || self.offline_by_request {
            out.push("offline".to_string());
        }
        if !self.cached.is_empty() {
            out.push(format!("{} from cache", periods(self.cached.len())));
        }
        if self.queries > 0 {
            out.push(format!(
                "{} {}, {} scanned, ${:.4}",
                self.queries,
                if self.queries == 1 {
                    "query"
                } else {
                    "queries"
                },
                super::athena::decimal_bytes(self.scanned),
                self.dollars
            ));
        } else if !self.read.is_empty() {
            out.push(format!(
                "{} read ({} parts, {})",
                if self.cached.is_empty() {
                    periods(self.read.len())
                } else {
                    self.read.len().to_string()
                },
                self.parts,
                super::athena::decimal_bytes(self.bytes)
            ));
        }
        if out.is_empty() {
            return "nothing to read".into();
        }
        out.join(", ")
    }
}

/// Whether a failed read means the source cannot be reached now (no network, an expired
/// session, throttling): then the cached facts are worth showing. A source that answers
/// with a fault of its own (a missing bucket, a corrupt part, access refused) is shown as the
/// failure it is.
pub fn unreachable(e: &SourceError) -> bool {
    use super::athena::AthenaFailureKind;
    use super::s3::S3FailureKind;
    const TRANSIENT: &[&str] = &[
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestTimeout",
        "ServiceUnavailable",
        "InternalError",
    ];
    let transient = |code: Option<&str>, status: Option<u16>| {
        code.is_some_and(|c| TRANSIENT.contains(&c)) || matches!(status, Some(500 | 502..=504))
    };
    match e {
        SourceError::Io { error, .. } => {
            if let Some(f) = super::s3::failure_of(error) {
                return match f.kind {
                    S3FailureKind::NoCredentials
                    | S3FailureKind::Unreachable
                    | S3FailureKind::TimedOut
                    | S3FailureKind::Interrupted => true,
                    S3FailureKind::Service => transient(f.code.as_deref(), f.status),
                };
            }
            matches!(
                error.kind(),
                std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::NotConnected
                    | std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::HostUnreachable
                    | std::io::ErrorKind::NetworkUnreachable
            )
        }
        SourceError::Athena(f) => match f.kind {
            AthenaFailureKind::NoCredentials
            | AthenaFailureKind::Unreachable
            | AthenaFailureKind::TimedOut
            | AthenaFailureKind::Interrupted => true,
            AthenaFailureKind::Service => transient(f.code.as_deref(), f.status),
            _ => false,
        },
        _ => false,
    }
}

/// The version of a file delivery's period: its assembly and every part's key, size and time.
/// A new assembly, a part rewritten or added, changes it.
pub fn version_of(p: &Period) -> String {
    use std::fmt::Write as _;
    let mut v = format!("assembly={}", p.assembly.as_deref().unwrap_or("-"));
    for part in &p.parts {
        let _ = write!(v, "\n{} {}", part.key, part.size);
        if let Some(d) = part
            .modified
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        {
            let _ = write!(v, " {}.{:09}", d.as_secs(), d.subsec_nanos());
        }
    }
    if !p.missing.is_empty() {
        let _ = write!(v, "\nmissing {}", p.missing.len());
    }
    v
}

/// Seconds since the Unix epoch of the request's moment.
fn now_secs(req: &ReadRequest<'_>) -> i64 {
    req.as_of.now.timestamp()
}

/// A delivery's periods in the window through the cache (see the module's docs); public so
/// tests can put a store of their own in between.
pub fn read_store_cached(
    store: &dyn store::Store,
    delivery: Delivery,
    origin: String,
    req: &ReadRequest<'_>,
    cache: &Cache,
    key: &SourceKey,
) -> Result<Loaded, SourceError> {
    let plan = req.plan();
    let latest = delivery.latest_span();
    let window = req.window.resolve(req.as_of, latest, None);
    let span = window.map(|w| (w.start, w.end));
    let mut note = CacheNote::default();
    let mut problems = Quality::default();
    let mut facts_of: Vec<(Option<(Day, Day)>, Facts)> = Vec::new();
    let mut to_read: Vec<Option<(Day, Day)>> = Vec::new();
    for p in local::in_window(&delivery, span) {
        let name = period_name(p.span);
        if req.cache_mode == CacheMode::Refresh {
            to_read.push(p.span);
            continue;
        }
        let version = version_of(p);
        let current = |m: &Meta| m.version == version;
        let again = "read again from the source";
        match from_cache(cache, key, name, &current, again, &mut note, &mut problems) {
            Some(facts) => facts_of.push((p.span, facts)),
            None => to_read.push(p.span),
        }
    }
    let opts = ReadOptions {
        plan: &plan,
        env: &req.profile.env,
        // Whole periods: the cache keeps a period, the window is cut when they are joined.
        window: None,
        progress: req.progress,
        threads: 0,
        currency: req.currency(),
    };
    let read = if to_read.is_empty() {
        local::PeriodsRead {
            periods: Vec::new(),
            delivery,
            restarted: Vec::new(),
        }
    } else {
        let read_span = |p: &Period| to_read.contains(&p.span);
        local::read_periods_consistent(store, delivery, &origin, &opts, &read_span)?
    };
    for (period, partial) in read.periods {
        let facts = partial.finish(plan.label_names(), &req.profile.env);
        note.parts += facts.quality.files;
        note.bytes += facts.quality.bytes;
        let name = period_name(period.span);
        // A single file's period is known once read; its name stays `file`.
        let span = period
            .span
            .or_else(|| facts.day_range().map(|(s, e)| (s, e + 1)));
        let meta = Meta::new(
            &req.profile.name,
            &key.source,
            name.clone(),
            span,
            version_of(&period),
            now_secs(req),
        );
        keep(cache, key, &facts, &meta, "read", &mut problems);
        note.read.push(name);
        facts_of.push((period.span, facts));
    }
    facts_of.sort_by_key(|(s, _)| *s);
    let mut facts = Facts::of_periods(facts_of.into_iter().map(|(_, f)| f).collect(), span);
    local::warn_about_delivery(&read.delivery, &mut facts);
    local::warn_restarted(&read.restarted, &mut facts);
    if let Some(message) = staleness(&read.delivery, req.as_of) {
        facts.quality.warn(WarningCode::StaleData, message);
    }
    for w in problems.warnings {
        facts.quality.warn(w.code, w.message);
    }
    super::check_readable(&facts, &origin)?;
    let window = data_window(window, req, latest, &facts, &origin)?;
    Ok(Loaded {
        facts,
        delivery: read.delivery,
        window,
        origin,
        athena: None,
        cache: Some(note),
        shared: None,
    })
}

/// A period's facts from the cache when the file there is `current`, counted in `note`;
/// `None` when it must be read (`again` says how), with a warning when the file was unusable.
fn from_cache(
    cache: &Cache,
    key: &SourceKey,
    name: String,
    current: &dyn Fn(&Meta) -> bool,
    again: &str,
    note: &mut CacheNote,
    problems: &mut Quality,
) -> Option<Facts> {
    // A file of another version is not decoded: its footer says so (the open month's, every
    // day AWS rewrites it). A footer that cannot be read is looked up whole, to say why.
    if cache
        .meta(key, &name)
        .is_some_and(|m| m.period == name && !current(&m))
    {
        return None;
    }
    match cache.get(key, &name) {
        Lookup::Hit(hit) if current(&hit.meta) => {
            let at = hit.meta.read_at;
            note.cached_since = Some(note.cached_since.map_or(at, |t| t.min(at)));
            note.cached.push(name);
            Some(hit.facts)
        }
        Lookup::Hit(_) | Lookup::Miss => None,
        Lookup::Invalid { path, why } => {
            problems.warn(
                WarningCode::CacheInvalid,
                format!("the cached {name} ({}) is {why}: {again}", path.display()),
            );
            None
        }
    }
}

/// Stores a period just read (or queried, `how`); a cache that cannot be written is a
/// warning, not a failure.
fn keep(
    cache: &Cache,
    key: &SourceKey,
    facts: &Facts,
    meta: &Meta,
    how: &str,
    problems: &mut Quality,
) {
    if let Err(e) = cache.put(key, facts, meta) {
        problems.warn(
            WarningCode::CacheUnwritable,
            format!(
                "the cache in {} cannot be written ({e}): the facts are shown but will be {how} \
                 again next time",
                cache.facts_dir().display()
            ),
        );
    }
}

/// The window's facts from the cache alone. `failure`: why the source was not read (`None`
/// for `--offline`). Fails with [`SourceError::NotCached`] when the cache holds nothing for
/// the window. With [`CacheMode::Rollup`], the periods' roll-ups, and a failure unless every
/// period the window needs has one.
pub fn load_offline(
    req: &ReadRequest<'_>,
    cache: &Cache,
    key: &SourceKey,
    origin: String,
    failure: Option<SourceError>,
) -> Result<Loaded, SourceError> {
    let mut problems = Quality::default();
    // The footers first, to resolve the window; then only the periods it overlaps are
    // decoded (a year of cached months, a 30-day window: two files read).
    let names: Vec<(String, Option<Meta>)> = cache
        .periods(key)
        .into_iter()
        .map(|name| {
            let meta = cache.meta(key, &name);
            (name, meta)
        })
        .collect();
    let latest = names.iter().filter_map(|(_, m)| m.as_ref()?.span).max();
    let window = req.window.resolve(req.as_of, latest, None);
    let span = window.map(|w| (w.start, w.end));
    let overlaps = |m: &Meta| match (m.span, span) {
        (Some((s, e)), Some((ws, we))) => s < we && ws < e,
        _ => true,
    };
    let mut periods: Vec<(Meta, Facts)> = Vec::new();
    let rollup = req.cache_mode == CacheMode::Rollup;
    let not_cached = || SourceError::NotCached {
        profile: req.profile.name.clone(),
        cache: cache.facts_dir().display().to_string(),
    };
    // A file whose footer cannot be read is still looked up, so that its warning is given.
    for (name, _) in names
        .iter()
        .filter(|(_, m)| m.as_ref().is_none_or(overlaps))
    {
        if rollup {
            let hit = cache.get_rollup(key, name).ok_or_else(not_cached)?;
            periods.push((hit.meta, hit.facts));
            continue;
        }
        match cache.get(key, name) {
            Lookup::Hit(hit) => periods.push((hit.meta, hit.facts)),
            Lookup::Miss => {}
            Lookup::Invalid { path, why } => problems.warn(
                WarningCode::CacheInvalid,
                format!("the cached {name} ({}) is {why}: left out", path.display()),
            ),
        }
    }
    periods.retain(|(m, _)| overlaps(m));
    if periods.is_empty() {
        return Err(failure.unwrap_or_else(not_cached));
    }
    periods.sort_by_key(|(m, _)| m.span);
    let note = CacheNote {
        cached: periods.iter().map(|(m, _)| m.period.clone()).collect(),
        cached_since: periods.iter().map(|(m, _)| m.read_at).min(),
        // A roll-up is the first frame of a read that goes on, not an offline read.
        offline_by_request: failure.is_none() && !rollup,
        offline: failure.map(Box::new),
        rolled_up: rollup,
        ..CacheNote::default()
    };
    let delivery = Delivery {
        report: origin.clone(),
        layout: if matches!(req.profile.source, crate::config::SourceSpec::Athena(_)) {
            Layout::Athena
        } else {
            Layout::Legacy
        },
        periods: periods
            .iter()
            .map(|(m, _)| Period {
                span: m.span,
                manifest: None,
                assembly: None,
                parts: Vec::new(),
                missing: Vec::new(),
                duplicates: Vec::new(),
                modified: None,
            })
            .collect(),
    };
    let mut facts = Facts::of_periods(periods.into_iter().map(|(_, f)| f).collect(), span);
    for w in problems.warnings {
        facts.quality.warn(w.code, w.message);
    }
    super::check_readable(&facts, &origin)?;
    let window = data_window(window, req, latest, &facts, &origin)?;
    Ok(Loaded {
        facts,
        delivery,
        window,
        origin,
        athena: None,
        cache: Some(note),
        shared: None,
    })
}

/// The billing months `[start, end)` that overlap `window`, oldest first.
fn months_of(window: (Day, Day)) -> Vec<(Day, Day)> {
    use crate::cur::time::{month_start, next_month_start};
    let mut out = Vec::new();
    let mut m = month_start(window.0);
    while m < window.1 {
        let next = next_month_start(m);
        out.push((m, next));
        m = next;
    }
    out
}

/// The version an Athena month is cached with. A month that ended more than the billing lag
/// ago, while the data status says READY (or the table has none, as CUR 2.0's), is final and
/// never queried again; any other is queried on every refresh.
fn athena_version(
    month: (Day, Day),
    req: &ReadRequest<'_>,
    status_table: bool,
    status: Option<&str>,
) -> String {
    let ended = month.1 <= req.as_of.provisional_from();
    match (ended, status_table, status) {
        (true, false, _) => "closed; no data status table".into(),
        (true, true, Some(s)) if s.eq_ignore_ascii_case("READY") => "closed; status READY".into(),
        _ => format!(
            "open; queried {}",
            req.as_of.now.format("%Y-%m-%dT%H:%M:%SZ")
        ),
    }
}

/// An Athena profile's window through the cache: one query per month not final in the cache
/// (each pruned to its partition), the data status once, the months joined.
pub fn load_athena_cached(
    a: &crate::config::AthenaSpec,
    req: &ReadRequest<'_>,
    cache: &Cache,
    key: &SourceKey,
) -> Result<Loaded, SourceError> {
    let athena = super::plan_athena(a, req)?;
    let origin = a.url();
    let Some(window) = athena.window else {
        // `--window all`: the table's span is known only by querying it all.
        let mut loaded = super::load_athena(a, req)?;
        loaded.cache = None;
        return Ok(loaded);
    };
    let span = (window.start, window.end);
    let mut note = CacheNote::default();
    let mut problems = Quality::default();
    let mut months: Vec<((Day, Day), Facts)> = Vec::new();
    let mut to_query = Vec::new();
    for m in months_of(span) {
        let name = period_name(Some(m));
        if req.cache_mode == CacheMode::Refresh {
            to_query.push(m);
            continue;
        }
        let fin = |m: &Meta| m.version.starts_with("closed");
        match from_cache(
            cache,
            key,
            name,
            &fin,
            "queried again",
            &mut note,
            &mut problems,
        ) {
            Some(facts) => months.push((m, facts)),
            None => to_query.push(m),
        }
    }
    let mut queried = Vec::new();
    let mut ids = Vec::new();
    for m in to_query {
        let sql = athena.query_for(m)?;
        let (facts, id, scan) = athena.run_facts(&sql, &req.profile.env, req.progress)?;
        super::check_readable(&facts, &format!("the result of query {id}"))?;
        note.queries += 1;
        note.scanned += scan.bytes;
        note.dollars += scan.dollars();
        ids.push(format!("{id} ({scan}, {} result rows)", facts.rows.len()));
        queried.push((m, facts));
    }
    let mut status_facts = Facts::default();
    let (status_note, status) = if queried.is_empty() {
        (None, None)
    } else {
        athena.status(req.progress, &mut status_facts)?
    };
    for (m, facts) in queried {
        let name = period_name(Some(m));
        let meta = Meta::new(
            &req.profile.name,
            &key.source,
            name.clone(),
            Some(m),
            athena_version(m, req, athena.status_table, status.as_deref()),
            now_secs(req),
        );
        keep(cache, key, &facts, &meta, "queried", &mut problems);
        note.read.push(name);
        months.push((m, facts));
    }
    months.sort_by_key(|(m, _)| *m);
    let mut facts = Facts::of_periods(months.into_iter().map(|(_, f)| f).collect(), Some(span));
    let delivery = Delivery {
        report: athena.client.table().sql(),
        layout: Layout::Athena,
        periods: Vec::new(),
    };
    local::warn_about_delivery(&delivery, &mut facts);
    for w in status_facts
        .quality
        .warnings
        .into_iter()
        .chain(problems.warnings)
    {
        facts.quality.warn(w.code, w.message);
    }
    let query = if ids.is_empty() {
        "no facts query: every month of the window is final in the cache".to_string()
    } else {
        format!("facts queries: {}", ids.join("; "))
    };
    Ok(Loaded {
        facts,
        delivery,
        window,
        origin: format!("{origin} ({})", note.summary()),
        athena: Some(super::AthenaNotes {
            table: athena.table_note(),
            query,
            status: status_note,
            env_scan: None,
        }),
        cache: Some(note),
        shared: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_say_what_a_refresh_did() {
        let note = CacheNote {
            cached: vec!["2026-09".into(), "2026-10".into()],
            read: vec!["2026-11".into()],
            parts: 38,
            bytes: 410_000_000,
            ..CacheNote::default()
        };
        assert_eq!(
            note.summary(),
            "2 periods from cache, 1 read (38 parts, 410.0 MB)"
        );
        let athena = CacheNote {
            cached: vec!["2026-10".into()],
            read: vec!["2026-11".into()],
            queries: 1,
            scanned: 212_000_000,
            dollars: 0.00106,
            ..CacheNote::default()
        };
        assert_eq!(
            athena.summary(),
            "1 period from cache, 1 query, 212.0 MB scanned, $0.0011"
        );
    }
}
