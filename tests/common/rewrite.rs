//! A legacy CUR delivery caught in the middle of AWS rewriting its open month.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use curtop::demo::{Compression, DemoSpec, Layout, Scale, Versioning};
use curtop::source::demo::generate_in_memory;
use curtop::source::store::MemStore;

/// A create-new delivery (the latest period holds an older assembly too) and a copy whose top
/// manifest still names that older assembly: the state just before AWS's latest rewrite.
pub fn before_and_after() -> (MemStore, MemStore, String, Vec<u8>) {
    let today = NaiveDate::from_ymd_opt(2024, 4, 10).unwrap();
    let mut spec = DemoSpec::demo(7, 40, today);
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyCsv {
        versioning: Versioning::CreateNew,
        compression: Compression::Gzip,
        parts: 2,
    };
    spec.prefix = String::new();
    let (after, _) = generate_in_memory(&spec).unwrap();
    let manifest = format!("{}-Manifest.json", spec.report);
    // The top manifest of the latest period, and the other assembly's copy in the same period.
    let top = after
        .keys()
        .filter(|k| k.ends_with(&manifest) && k.split('/').count() == 3)
        .max()
        .unwrap()
        .to_string();
    let period = top.rsplit_once('/').unwrap().0.to_string();
    let current = after.get(&top).unwrap().to_vec();
    let older = after
        .keys()
        .filter(|k| k.starts_with(&period) && k.ends_with(&manifest) && *k != top)
        .map(|k| after.get(k).unwrap().to_vec())
        .find(|b| *b != current)
        .unwrap();
    let mut before = after.clone();
    before.put(top.clone(), older);
    (before, after, top, current)
}
