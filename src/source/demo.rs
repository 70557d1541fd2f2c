//! The demo source: the deterministic generated bill (`crate::demo`), delivered in memory as a
//! legacy CUR and read through the same path as real data.

use std::io;

use chrono::{Days, NaiveDate};

use super::error::SourceError;
use super::store::MemStore;
use crate::demo::{DemoSpec, Truth, generate_to_memory};

/// The delivery of `spec` as an in-memory store (the dashboard's demo profile, tests), and its
/// truth.
pub fn generate_in_memory(spec: &DemoSpec) -> io::Result<(MemStore, Truth)> {
    let (sink, truth) = generate_to_memory(spec)?;
    let mut store = MemStore::new();
    for (key, bytes) in sink.into_objects() {
        store.put(key, bytes);
    }
    Ok((store, truth))
}

/// The demo delivery for `days` days ending today (today included).
pub fn demo_store(seed: u64, days: u32, today: NaiveDate) -> Result<MemStore, SourceError> {
    let end = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let spec = DemoSpec::demo(seed, days, end);
    generate_in_memory(&spec)
        .map(|(store, _truth)| store)
        .map_err(|e| SourceError::Unreadable {
            file: "demo data".into(),
            reason: e.to_string(),
        })
}
