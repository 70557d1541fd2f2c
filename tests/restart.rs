//! AWS rewrites the open month's report several times a day. A read that started on one
//! assembly and finished after the top manifest moved to another must not mix the two: the
//! manifest is read again after the download, and the changed period is read again alone.
#![allow(clippy::unwrap_used)]

use std::io::{self, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use curtop::clock::AsOf;
use curtop::config::{EnvRules, Profile, SourceSpec, TagMapping};
use curtop::facts::{DIMS, Facts};
use curtop::source::discover::discover;
use curtop::source::error::SourceError;
use curtop::source::store::{MemStore, Object, Store};
use curtop::window::WindowSpec;

#[path = "common/rewrite.rs"]
mod rewrite;
use rewrite::before_and_after;

pub fn profile() -> Profile {
    Profile {
        name: "p".into(),
        source: SourceSpec::Demo { seed: 0, days: 1 },
        tags: TagMapping::default(),
        env: EnvRules::default(),
        budgets: Vec::new(),
        sharing: curtop::config::Sharing::default(),
    }
}

/// Facts as text-keyed sums.
pub fn canonical(f: &Facts) -> Vec<(i32, String, Vec<String>, [i64; 4])> {
    let mut out = std::collections::BTreeMap::new();
    for r in &f.rows {
        let dims: Vec<String> = (0..DIMS)
            .map(|d| f.strings.get(r.dims[d]).to_string())
            .collect();
        let e = out
            .entry((r.day, r.category.name().to_string(), dims))
            .or_insert([0i64; 4]);
        for (i, m) in r.costs.0.iter().enumerate() {
            e[i] += m.0;
        }
    }
    out.into_iter().map(|((d, c, k), v)| (d, c, k, v)).collect()
}

fn read(store: &dyn Store) -> Result<curtop::source::Loaded, SourceError> {
    let delivery = discover(store, "mem").unwrap();
    let today = AsOf::date(NaiveDate::from_ymd_opt(2024, 4, 10).unwrap());
    let profile = profile();
    curtop::source::read_store(
        store,
        delivery,
        "mem".into(),
        &curtop::source::ReadRequest::new(&profile, WindowSpec::All, today),
    )
}

/// A store where AWS rewrites the top manifest with the next of `versions`: at each report
/// part opened, or (`on_list`) at each listing after the first.
struct Rewriting {
    state: Mutex<MemStore>,
    top: String,
    versions: Vec<Vec<u8>>,
    rewrites: AtomicUsize,
    on_list: bool,
    lists: AtomicUsize,
}

impl Store for Rewriting {
    fn list(&self) -> io::Result<Vec<Object>> {
        if self.on_list && self.lists.fetch_add(1, Ordering::SeqCst) > 0 {
            let n = self.rewrites.fetch_add(1, Ordering::SeqCst);
            let v = &self.versions[n % self.versions.len()];
            self.state.lock().unwrap().put(self.top.clone(), v.clone());
        }
        self.state.lock().unwrap().list()
    }

    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>> {
        if !self.on_list && !key.ends_with("Manifest.json") {
            let n = self.rewrites.fetch_add(1, Ordering::SeqCst);
            if let Some(v) = self.versions.get(n) {
                self.state.lock().unwrap().put(self.top.clone(), v.clone());
            }
        }
        self.state.lock().unwrap().open(key)
    }

    fn describe(&self, key: &str) -> String {
        key.to_string()
    }
}

#[test]
fn a_manifest_replaced_mid_read_restarts_that_period() {
    let (before, after, top, current) = before_and_after();
    let expected = canonical(&read(&after).unwrap().facts);
    let outdated = canonical(&read(&before).unwrap().facts);
    assert_ne!(
        expected, outdated,
        "the two assemblies must differ for this test to mean anything"
    );

    let store = Rewriting {
        state: Mutex::new(before),
        top,
        versions: vec![current],
        rewrites: AtomicUsize::new(0),
        on_list: false,
        lists: AtomicUsize::new(0),
    };
    let loaded = read(&store).unwrap();
    assert_eq!(canonical(&loaded.facts), expected);
    let w = loaded
        .facts
        .quality
        .warnings
        .iter()
        .find(|w| w.code == curtop::facts::WarningCode::PeriodRestarted)
        .expect("the restart is reported");
    assert!(w.message.contains("2024-04"), "{}", w.message);
}

#[test]
fn a_delivery_that_never_stands_still_is_an_error_not_a_mix() {
    let (before, _after, top, current) = before_and_after();
    let older = before.get(&top).unwrap().to_vec();
    // A new assembly at every listing: the read never matches the latest manifest.
    let store = Rewriting {
        state: Mutex::new(before),
        top,
        versions: vec![current, older],
        rewrites: AtomicUsize::new(0),
        on_list: true,
        lists: AtomicUsize::new(0),
    };
    match read(&store) {
        Err(e @ SourceError::DeliveryChanging { .. }) => {
            assert_eq!(
                curtop::diag::diagnose(&e).code,
                curtop::diag::DiagCode::DeliveryChanging
            );
        }
        Err(e) => panic!("expected DeliveryChanging, got {e}"),
        Ok(_) => panic!("expected DeliveryChanging, got facts"),
    }
    // listed once to discover, then once per check: the first read and each restart.
    assert_eq!(
        store.lists.load(Ordering::SeqCst),
        2 + curtop::source::local::MAX_RESTARTS
    );
}
