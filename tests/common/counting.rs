//! A store that counts the objects it opens: a warm read through the cache opens no part.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;

use curtop::source::store::{Object, Store};

/// A store that counts the objects it opens.
pub struct Counting<S> {
    inner: S,
    opened: Mutex<BTreeMap<String, usize>>,
}

impl<S: Store> Counting<S> {
    pub fn new(inner: S) -> Self {
        Counting {
            inner,
            opened: Mutex::new(BTreeMap::new()),
        }
    }

    fn count(&self, key: &str) {
        *self
            .opened
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default() += 1;
    }

    /// Report parts (not manifests) opened, by key; the counts reset.
    pub fn parts_opened(&self) -> BTreeMap<String, usize> {
        let mut m = self.opened.lock().unwrap();
        let parts = m
            .iter()
            .filter(|(k, _)| !k.to_ascii_lowercase().ends_with(".json"))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        m.clear();
        parts
    }
}

impl<S: Store> Store for Counting<S> {
    fn list(&self) -> std::io::Result<Vec<Object>> {
        self.inner.list()
    }
    fn open(&self, key: &str) -> std::io::Result<Box<dyn Read + Send>> {
        self.count(key);
        self.inner.open(key)
    }
    fn describe(&self, key: &str) -> String {
        self.inner.describe(key)
    }
    fn read_range(&self, key: &str, start: u64, len: u64) -> std::io::Result<Vec<u8>> {
        self.count(key);
        self.inner.read_range(key, start, len)
    }
    fn ranged_parquet(&self) -> bool {
        self.inner.ranged_parquet()
    }
    fn read_all(&self, key: &str) -> std::io::Result<Vec<u8>> {
        self.count(key);
        self.inner.read_all(key)
    }
}
