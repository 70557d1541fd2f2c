//! The Parquet reader classifies rows by their text columns' dictionary ids. Real files vary in
//! how those columns are encoded: dictionary pages, plain pages (a writer without
//! dictionaries), dictionaries that overflow mid-chunk and fall back to plain, many small row
//! groups and pages. The same bill rewritten in each encoding must give exactly the same facts.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::NaiveDate;
use curtop::config::{EnvRules, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::demo::{DemoSpec, Granularity, Layout, Scale, generate_in_memory};
use curtop::facts::{DIMS, Facts};
use curtop::source::discover::discover;
use curtop::source::local::{ReadOptions, read_delivery};
use curtop::source::store::MemStore;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;

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
    };
    read_delivery(store, &delivery, &opts).unwrap()
}

/// Facts as text-keyed sums (symbol numbers differ between reads).
fn canonical(f: &Facts) -> BTreeMap<(i32, String, Vec<String>), [i64; 4]> {
    let mut out = BTreeMap::new();
    for r in &f.rows {
        let dims: Vec<String> = (0..DIMS)
            .map(|d| f.strings.get(r.dims[d]).to_string())
            .collect();
        let e = out
            .entry((r.day, r.category.name().to_string(), dims))
            .or_insert([0; 4]);
        for (i, m) in r.costs.0.iter().enumerate() {
            e[i] += m.0;
        }
    }
    out
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
    }
}
