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
    let plan = TagPlan::new(&profile.tags, extra_tags);
    let (store, delivery, origin): (Box<dyn store::Store>, Delivery, String) = match &profile.source
    {
        SourceSpec::Local { path } => {
            let (store, delivery) = local::open_local(path)?;
            (Box::new(store), delivery, path.display().to_string())
        }
        SourceSpec::Demo { seed, days } => {
            let store = demo::demo_store(*seed, *days, today)?;
            let delivery = discover::discover(&store, "demo data")?;
            (
                Box::new(store),
                delivery,
                format!("demo data (seed {seed}, {days} days)"),
            )
        }
    };
    let latest = delivery.latest_span();
    let window = spec.resolve(today, latest, None);
    let opts = ReadOptions {
        plan: &plan,
        env: &profile.env,
        window: window.map(|w| (w.start, w.end)),
        progress,
        threads: 0,
    };
    let facts = local::read_delivery(store.as_ref(), &delivery, &opts)?;
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
