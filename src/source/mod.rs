//! Sources: turn a profile and a window into [`crate::facts::Facts`].
//!
//! `local` reads CUR deliveries laid out as AWS writes them (from a folder or from memory);
//! `demo` generates the demo bill and reads it through the same path.

pub mod demo;
pub mod discover;
pub mod error;
pub mod local;
pub mod manifest;
pub mod read_csv;
pub mod read_parquet;
pub mod s3;
pub mod store;

use chrono::NaiveDate;

use crate::config::{Profile, SourceSpec};
use crate::cur::attribution::TagPlan;
use crate::facts::Facts;
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
}

/// Reads a profile's data for a window. `extra_tags` are tag keys a report groups by.
pub fn load(
    profile: &Profile,
    spec: WindowSpec,
    extra_tags: &[String],
    today: NaiveDate,
    progress: Option<&Progress>,
) -> Result<Loaded, SourceError> {
    match &profile.source {
        SourceSpec::Local { path } => {
            let (store, delivery) = local::open_local(path)?;
            let origin = path.display().to_string();
            read_store(
                &store, delivery, origin, profile, spec, extra_tags, today, progress,
            )
        }
        SourceSpec::S3(s3_spec) => {
            let url = s3_spec.url();
            let store = s3::S3Store::new(s3_spec).map_err(|e| SourceError::Io {
                path: url.clone(),
                error: e,
            })?;
            let delivery = discover::discover(&store, &url)?;
            read_store(
                &store, delivery, url, profile, spec, extra_tags, today, progress,
            )
        }
        SourceSpec::Demo { seed, days } => {
            let store = demo::demo_store(*seed, *days, today)?;
            let delivery = discover::discover(&store, "demo data")?;
            let origin = format!("demo data (seed {seed}, {days} days)");
            read_store(
                &store, delivery, origin, profile, spec, extra_tags, today, progress,
            )
        }
    }
}

/// How old the manifest of the open billing period may be before the data counts as stale:
/// AWS refreshes it several times a day (up to 24 h apart).
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(36 * 3600);

/// Reads a discovered delivery of `store` for a profile (the part of [`load`] after
/// discovery; public so tests can put a store of their own in between).
#[allow(clippy::too_many_arguments)]
pub fn read_store(
    store: &dyn store::Store,
    delivery: Delivery,
    origin: String,
    profile: &Profile,
    spec: WindowSpec,
    extra_tags: &[String],
    today: NaiveDate,
    progress: Option<&Progress>,
) -> Result<Loaded, SourceError> {
    let plan = TagPlan::new(&profile.tags, extra_tags);
    let latest = delivery.latest_span();
    let window = spec.resolve(today, latest, None);
    let opts = ReadOptions {
        plan: &plan,
        env: &profile.env,
        window: window.map(|w| (w.start, w.end)),
        progress,
        threads: 0,
    };
    let (mut facts, delivery) = local::read_delivery_consistent(store, delivery, &origin, &opts)?;
    if let Some(message) = staleness(&delivery, today, std::time::SystemTime::now()) {
        facts.quality.warn("stale-data", message);
    }
    let window = match window {
        Some(w) => w,
        None => spec
            .resolve(today, latest, facts.day_range())
            .ok_or_else(|| SourceError::NothingInWindow {
                path: origin.clone(),
                window: "latest".into(),
                available: "no rows".into(),
            })?,
    };
    Ok(Loaded {
        facts,
        delivery,
        window,
        origin,
    })
}

/// Says so when the open billing period (the one holding `today`) was last delivered more than
/// [`STALE_AFTER`] before `now`: AWS should have refreshed it by then.
pub fn staleness(
    delivery: &Delivery,
    today: NaiveDate,
    now: std::time::SystemTime,
) -> Option<String> {
    let today = crate::cur::time::day_of(today);
    let open = delivery
        .periods
        .iter()
        .find(|p| p.span.is_some_and(|(s, e)| s <= today && today < e))?;
    let modified = open.modified?;
    let age = now.duration_since(modified).ok()?;
    (age > STALE_AFTER).then(|| {
        format!(
            "the open billing period was last delivered {} h ago ({}); AWS refreshes it at \
             least daily, so the report may have stopped being delivered",
            age.as_secs() / 3600,
            open.manifest.as_deref().unwrap_or("no manifest")
        )
    })
}
