#![allow(clippy::unwrap_used)]
//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod athena;
pub mod counting;
pub mod moto;

use std::path::{Path, PathBuf};

use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::facts::Facts;
use curtop::source::discover::Delivery;
use curtop::source::error::SourceError;
use curtop::source::local::{ReadOptions, open_local, read_delivery};
use curtop::source::store::Store;

/// `../shared/cur-samples/NAME` (the real public samples beside the repository).
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/cur-samples")
        .join(name)
}

/// A fresh, empty temporary folder for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("curtop-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Files under `root` whose name ends with `suffix`.
pub fn files_ending(root: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads a local path with `mapping`, every day kept.
pub fn read_path(path: &Path, mapping: &TagMapping) -> Result<Facts, SourceError> {
    let (store, delivery) = open_local(path)?;
    read_with(&store, &delivery, mapping)
}

/// Reads a discovered delivery of any store with `mapping`, every day kept.
pub fn read_with(
    store: &dyn Store,
    delivery: &Delivery,
    mapping: &TagMapping,
) -> Result<Facts, SourceError> {
    let plan = TagPlan::new(mapping, &[]);
    let env = EnvRules::default();
    let opts = ReadOptions {
        plan: &plan,
        env: &env,
        window: None,
        progress: None,
        threads: 2,
        currency: None,
    };
    read_delivery(store, delivery, &opts)
}

/// Writes `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Writes `bytes` as the single deflated entry `name` of a zip archive.
pub fn zip(name: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap().into_inner()
}

/// Facts as text-keyed sums (the four metrics, then the quantity), labels and basis included
/// (symbol numbers differ between reads, so two reads compare by name).
pub fn canonical(
    f: &Facts,
) -> std::collections::BTreeMap<(curtop::cur::time::Day, String, Vec<String>), [i64; 5]> {
    let mut out = std::collections::BTreeMap::new();
    for r in &f.rows {
        let mut key: Vec<String> = (0..curtop::facts::DIMS)
            .map(|d| f.strings.get(r.dims[d]).to_string())
            .collect();
        key.extend(r.labels.iter().map(|l| f.strings.get(*l).to_string()));
        key.push(r.basis.name().to_string());
        let e = out
            .entry((r.day, r.category.name().to_string(), key))
            .or_insert([0; 5]);
        for (i, m) in r.costs.0.iter().enumerate() {
            e[i] += m.0;
        }
        e[4] += r.quantity.0;
    }
    out
}
