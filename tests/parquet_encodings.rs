//! The Parquet reader classifies rows by their text columns' dictionary ids. Real files vary in
//! how those columns are encoded: dictionary pages, plain pages (a writer without
//! dictionaries), dictionaries that overflow mid-chunk and fall back to plain, many small row
//! groups and pages. The same bill rewritten in each encoding must give exactly the same facts.
#![allow(clippy::unwrap_used)]

mod common;

use common::canonical;

use bytes::Bytes;
use chrono::NaiveDate;
use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::demo::{DemoSpec, Granularity, Layout, Scale};
use curtop::facts::Facts;
use curtop::source::demo::generate_in_memory;
use curtop::source::discover::discover;
use curtop::source::error::SourceError;
use curtop::source::local::{ReadOptions, read_delivery};
use curtop::source::store::{MemStore, Object, Store};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use std::sync::atomic::{AtomicU64, Ordering};

fn read(store: &MemStore) -> Facts {
    let delivery = discover(store, "generated").unwrap();
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let opts = ReadOptions {
        plan: &plan,
        env: &env,
        window: None,
        progress: None,
        threads: 2,
        currency: None,
    };
    read_delivery(store, &delivery, &opts).unwrap()
}

/// A remote-like store: Parquet parts are read by ranges (footer, then each row group's
/// projected column chunks), as from S3. Counts the requests and bytes fetched.
struct Ranged {
    inner: MemStore,
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl Ranged {
    fn new(inner: MemStore) -> Self {
        Self {
            inner,
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        }
    }
}

impl Store for Ranged {
    fn list(&self) -> std::io::Result<Vec<Object>> {
        self.inner.list()
    }
    fn open(&self, key: &str) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        assert!(
            !key.ends_with(".parquet"),
            "a Parquet part read whole: {key}"
        );
        self.inner.open(key)
    }
    fn describe(&self, key: &str) -> String {
        format!("ranged://{key}")
    }
    fn min_parallel_reads(&self) -> usize {
        4
    }
    fn read_range(&self, key: &str, start: u64, len: u64) -> std::io::Result<Vec<u8>> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len, Ordering::Relaxed);
        let all = self.inner.get(key).unwrap();
        let (s, e) = (start as usize, (start + len) as usize);
        assert!(e <= all.len(), "range {s}..{e} past the end of {key}");
        Ok(all[s..e].to_vec())
    }
    fn ranged_parquet(&self) -> bool {
        true
    }
}

fn read_ranged(store: &Ranged) -> Result<Facts, SourceError> {
    let delivery = discover(store, "generated").unwrap();
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let opts = ReadOptions {
        plan: &plan,
        env: &env,
        window: None,
        progress: None,
        threads: 2,
        currency: None,
    };
    read_delivery(store, &delivery, &opts)
}

/// The store with every Parquet file rewritten under `props`.
fn rewritten(store: &MemStore, props: &WriterProperties) -> (MemStore, usize) {
    let mut out = MemStore::new();
    let mut files = 0;
    for key in store.keys().map(str::to_string).collect::<Vec<_>>() {
        let bytes = store.get(&key).unwrap().to_vec();
        if !key.ends_with(".parquet") {
            out.put(key, bytes);
            continue;
        }
        files += 1;
        let builder = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(bytes)).unwrap();
        let schema = std::sync::Arc::clone(builder.schema());
        let reader = builder.with_batch_size(777).build().unwrap();
        let mut buf = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut buf, schema, Some(props.clone())).unwrap();
        for batch in reader {
            writer.write(&batch.unwrap()).unwrap();
        }
        writer.close().unwrap();
        out.put(key, buf);
    }
    (out, files)
}

#[test]
fn every_parquet_encoding_gives_the_same_facts() {
    let mut spec = DemoSpec::demo(11, 6, NaiveDate::from_ymd_opt(2024, 5, 20).unwrap());
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyParquet;
    spec.granularity = Granularity::Hourly;
    let (store, _) = generate_in_memory(&spec).unwrap();
    let expected = canonical(&read(&store));
    assert!(
        expected.len() > 100,
        "a bill worth comparing: {} keys",
        expected.len()
    );
    let variants = [
        (
            "plain pages, small row groups",
            WriterProperties::builder()
                .set_dictionary_enabled(false)
                .set_max_row_group_row_count(Some(1000))
                .build(),
        ),
        (
            "dictionaries overflowing into plain pages",
            WriterProperties::builder()
                .set_dictionary_page_size_limit(256)
                .set_data_page_size_limit(512)
                .set_max_row_group_row_count(Some(3000))
                .build(),
        ),
        (
            "dictionaries, one row group per 500 rows",
            WriterProperties::builder()
                .set_max_row_group_row_count(Some(500))
                .build(),
        ),
    ];
    for (name, props) in variants {
        let (copy, files) = rewritten(&store, &props);
        assert!(files > 0, "no Parquet file in the delivery");
        let got = canonical(&read(&copy));
        assert_eq!(got.len(), expected.len(), "{name}: number of fact keys");
        assert!(got == expected, "{name}: facts differ");
        // Read by ranges, as from S3: the same facts, from fewer bytes than the files hold.
        let parquet_bytes: u64 = copy
            .keys()
            .filter(|k| k.ends_with(".parquet"))
            .map(|k| copy.get(k).unwrap().len() as u64)
            .sum();
        let ranged = Ranged::new(copy);
        let got = canonical(&read_ranged(&ranged).unwrap());
        assert!(got == expected, "{name}: facts read by ranges differ");
        let (requests, bytes) = (
            ranged.requests.load(Ordering::Relaxed),
            ranged.bytes.load(Ordering::Relaxed),
        );
        assert!(
            requests > files as u64 * 2,
            "{name}: footer and row groups: {requests} requests"
        );
        assert!(
            bytes < parquet_bytes,
            "{name}: only the needed columns: {bytes} of {parquet_bytes} bytes"
        );
    }
}

#[test]
fn a_ranged_read_of_a_broken_footer_is_an_error_not_a_panic() {
    let mut spec = DemoSpec::demo(12, 3, NaiveDate::from_ymd_opt(2024, 5, 20).unwrap());
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyParquet;
    let (store, _) = generate_in_memory(&spec).unwrap();
    for damage in ["no magic", "footer too long", "garbage footer"] {
        let mut broken = MemStore::new();
        for key in store.keys() {
            let mut bytes = store.get(key).unwrap().to_vec();
            if key.ends_with(".parquet") {
                let n = bytes.len();
                match damage {
                    "no magic" => bytes[n - 1] = b'X',
                    "footer too long" => {
                        bytes[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
                    }
                    _ => {
                        for b in &mut bytes[n - 200..n - 8] {
                            *b = 0xEE;
                        }
                    }
                }
            }
            broken.put(key, bytes);
        }
        match read_ranged(&Ranged::new(broken)) {
            Err(SourceError::Unreadable { reason, .. }) => {
                assert!(
                    reason.contains("not a readable Parquet file"),
                    "{damage}: {reason}"
                );
            }
            other => panic!("{damage}: {other:?}"),
        }
    }
}
