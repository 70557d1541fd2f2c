//! The demo generator: deterministic bytes, manifests that list exactly what was written, files
//! that standard readers open, and a truth that agrees with the files. Independent of curtop's
//! own readers.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::Read;

use chrono::NaiveDate;
use curtop::demo::{
    Compression, Cur2Format, DemoSpec, Granularity, Layout, Scale, Truth, Versioning,
    generate_to_dir,
};
use curtop::source::demo::generate_in_memory;
use curtop::source::store::MemStore;
use parquet::file::reader::{FileReader, SerializedFileReader};

fn end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 10).unwrap()
}

fn spec(layout: Layout) -> DemoSpec {
    let mut s = DemoSpec::demo(42, 20, end());
    s.scale = Scale::tiny();
    s.layout = layout;
    s
}

/// A decimal (or `1.5E-8`) as nano-units, exactly.
fn nanos(text: &str) -> i64 {
    if text.is_empty() {
        return 0;
    }
    let (mant, exp) = match text.split_once(['E', 'e']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap()),
        None => (text, 0),
    };
    let neg = mant.starts_with('-');
    let mant = mant.trim_start_matches('-');
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits: i128 = format!("{int}{frac}").parse().unwrap();
    let scale = 9 + exp - frac.len() as i32;
    assert!(scale >= 0, "{text} is finer than a nano-dollar");
    let v = (digits * 10_i128.pow(scale as u32)) as i64;
    if neg { -v } else { v }
}

fn gunzip(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn json(store: &MemStore, key: &str) -> serde_json::Value {
    serde_json::from_slice(store.get(key).unwrap()).unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let s = spec(Layout::LegacyCsv {
        versioning: Versioning::CreateNew,
        compression: Compression::Gzip,
        parts: 2,
    });
    let (a, ta) = generate_in_memory(&s).unwrap();
    let (b, tb) = generate_in_memory(&s).unwrap();
    assert_eq!(ta, tb);
    let keys: Vec<&str> = a.keys().collect();
    assert_eq!(keys, b.keys().collect::<Vec<_>>());
    for k in &keys {
        assert_eq!(a.get(k), b.get(k), "{k}");
    }
    let mut other = s.clone();
    other.seed = 43;
    let (c, tc) = generate_in_memory(&other).unwrap();
    assert_ne!(
        ta.default_mapping.amortized.total,
        tc.default_mapping.amortized.total
    );
    let part = keys.iter().find(|k| k.ends_with("-1.csv.gz")).unwrap();
    assert!(c.keys().all(|k| c.get(k) != a.get(part)));
}

/// Σ of a CSV column over rows, skipping overlay rows.
struct CsvSums {
    rows: u64,
    unblended: i64,
}

fn csv_sums(text: &str, header_expected: &[String]) -> CsvSums {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, header_expected);
    let ub = header
        .iter()
        .position(|h| h == "lineItem/UnblendedCost")
        .unwrap();
    let op = header
        .iter()
        .position(|h| h == "lineItem/Operation")
        .unwrap();
    let mut sums = CsvSums {
        rows: 0,
        unblended: 0,
    };
    for rec in r.records() {
        let rec = rec.unwrap();
        assert_eq!(rec.len(), header.len());
        sums.rows += 1;
        if &rec[op] != "EKSPod-EC2" {
            sums.unblended += nanos(&rec[ub]);
        }
    }
    sums
}

#[test]
fn legacy_csv_create_new_lists_exactly_the_current_assembly() {
    let s = spec(Layout::LegacyCsv {
        versioning: Versioning::CreateNew,
        compression: Compression::Gzip,
        parts: 3,
    });
    let (store, truth) = generate_in_memory(&s).unwrap();
    let all: BTreeSet<String> = store.keys().map(str::to_string).collect();
    assert_eq!(all, truth.keys.iter().cloned().collect());
    let tops: Vec<&String> = all
        .iter()
        .filter(|k| k.matches('/').count() == 3 && k.ends_with("curtop-demo-Manifest.json"))
        .collect();
    assert_eq!(
        tops.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        [
            "cur/curtop-demo/20240501-20240601/curtop-demo-Manifest.json",
            "cur/curtop-demo/20240601-20240701/curtop-demo-Manifest.json"
        ]
    );
    let mut listed = BTreeSet::new();
    let (mut rows, mut unblended) = (0, 0);
    for top in tops {
        let m = json(&store, top);
        let id = m["assemblyId"].as_str().unwrap();
        let keys = strings(&m["reportKeys"]);
        assert_eq!(keys.len(), 3);
        let header: Vec<String> = m["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}/{}",
                    c["category"].as_str().unwrap(),
                    c["name"].as_str().unwrap()
                )
            })
            .collect();
        assert!(header.contains(&"splitLineItem/SplitCost".to_string()));
        assert!(header.contains(&"resourceTags/user:kubernetes_namespace".to_string()));
        for k in &keys {
            assert!(
                k.starts_with(&format!("cur/curtop-demo/{}/{id}/", &top[16..33])),
                "{k}"
            );
            let sums = csv_sums(&gunzip(store.get(k).unwrap()), &header);
            assert!(sums.rows > 0);
            rows += sums.rows;
            unblended += sums.unblended;
            listed.insert(k.clone());
        }
        assert_eq!(m["billingPeriod"]["start"].as_str().unwrap().len(), 20);
        // The assembly's own copy is the same manifest.
        let own = top.replace(
            "curtop-demo-Manifest.json",
            &format!("{id}/curtop-demo-Manifest.json"),
        );
        assert_eq!(store.get(&own), store.get(top));
    }
    // Every other part belongs to the stale assembly, which exists but is never listed.
    let parts: BTreeSet<String> = all
        .iter()
        .filter(|k| k.ends_with(".csv.gz"))
        .cloned()
        .collect();
    let stale: BTreeSet<String> = parts.difference(&listed).cloned().collect();
    assert_eq!(stale.len(), 3);
    assert!(stale.iter().all(|k| truth.stale_keys.contains(k)));
    assert_eq!(rows, truth.rows);
    assert_eq!(unblended, truth.default_mapping.unblended.total);
}

#[test]
fn legacy_csv_overwrite_zip_and_plain() {
    for compression in [Compression::Zip, Compression::None] {
        let s = spec(Layout::LegacyCsv {
            versioning: Versioning::Overwrite,
            compression,
            parts: 1,
        });
        let (store, truth) = generate_in_memory(&s).unwrap();
        assert!(truth.stale_keys.is_empty());
        let m = json(
            &store,
            "cur/curtop-demo/20240601-20240701/curtop-demo-Manifest.json",
        );
        let keys = strings(&m["reportKeys"]);
        let bytes = store.get(&keys[0]).unwrap();
        let text = if compression == Compression::Zip {
            assert!(keys[0].ends_with("/curtop-demo-1.csv.zip"), "{}", keys[0]);
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
            assert_eq!(z.len(), 1);
            let mut s = String::new();
            z.by_index(0).unwrap().read_to_string(&mut s).unwrap();
            s
        } else {
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        assert!(text.starts_with("identity/LineItemId,identity/TimeInterval,"));
        assert!(text.contains("E-"), "some costs in scientific notation");
        assert!(text.contains(".000Z"));
    }
}

fn parquet_columns_and_rows(
    bytes: &[u8],
) -> (Vec<String>, i64, SerializedFileReader<bytes::Bytes>) {
    let r = SerializedFileReader::new(bytes::Bytes::from(bytes.to_vec())).unwrap();
    let meta = r.metadata().file_metadata();
    let cols = meta
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    (cols, meta.num_rows(), r)
}

#[test]
fn legacy_parquet_has_athena_names_and_status() {
    let s = spec(Layout::LegacyParquet);
    let (store, truth) = generate_in_memory(&s).unwrap();
    let keys: Vec<&str> = store.keys().collect();
    assert_eq!(
        keys,
        [
            "cur/curtop-demo/cost_and_usage_data_status/cost_and_usage_data_status.parquet",
            "cur/curtop-demo/curtop-demo/year=2024/month=5/curtop-demo-00001.snappy.parquet",
            "cur/curtop-demo/curtop-demo/year=2024/month=6/curtop-demo-00001.snappy.parquet",
        ]
    );
    let mut rows = 0;
    for k in &keys[1..] {
        let (cols, n, _) = parquet_columns_and_rows(store.get(k).unwrap());
        rows += n;
        for c in [
            "line_item_usage_start_date",
            "line_item_unblended_cost",
            "reservation_reservation_a_r_n",
            "split_line_item_split_cost",
            "resource_tags_user_kubernetes_namespace",
            "resource_tags_aws_eks_cluster_name",
            "resource_tags_user_environment",
        ] {
            assert!(cols.iter().any(|x| x == c), "{c}");
        }
        assert_eq!(
            cols.iter().collect::<BTreeSet<_>>().len(),
            cols.len(),
            "names unique"
        );
    }
    assert_eq!(rows as u64, truth.rows);
    let (cols, n, _) = parquet_columns_and_rows(store.get(keys[0]).unwrap());
    assert_eq!((cols, n), (vec!["status".to_string()], 1));
}

#[test]
fn cur2_parquet_and_csv_manifests_name_their_data() {
    for format in [Cur2Format::Parquet, Cur2Format::CsvGz] {
        let s = spec(Layout::Cur2 { format });
        let (store, truth) = generate_in_memory(&s).unwrap();
        let m = json(
            &store,
            "cur/curtop-demo/metadata/BILLING_PERIOD=2024-05/curtop-demo-Manifest.json",
        );
        assert!(m["executionId"].is_string());
        assert!(
            m["exportArn"]
                .as_str()
                .unwrap()
                .ends_with(":export/curtop-demo")
        );
        let files = strings(&m["dataFiles"]);
        assert_eq!(files.len(), 1);
        let key = files[0].strip_prefix("s3://demo-billing-bucket/").unwrap();
        assert!(key.starts_with("cur/curtop-demo/data/BILLING_PERIOD=2024-05/curtop-demo-00001."));
        let names: Vec<String> = m["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        assert!(names.contains(&"bill_payer_account_name".to_string()));
        assert!(names.contains(&"resource_tags".to_string()));
        let bytes = store.get(key).unwrap();
        match format {
            Cur2Format::Parquet => {
                let (cols, _, _) = parquet_columns_and_rows(bytes);
                assert_eq!(cols, names);
            }
            Cur2Format::CsvGz => {
                let text = gunzip(bytes);
                let mut r = csv::Reader::from_reader(text.as_bytes());
                let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
                assert_eq!(header, names);
                let tags = header.iter().position(|h| h == "resource_tags").unwrap();
                let rec = r.records().next().unwrap().unwrap();
                let v: serde_json::Value = serde_json::from_str(&rec[tags]).unwrap();
                assert!(v.is_object());
                assert!(text.contains("\"\"user_kubernetes_namespace\"\":"));
            }
        }
        assert!(truth.rows > 0);
    }
}

#[test]
fn truth_json_is_written_outside_the_report() {
    let dir = std::env::temp_dir().join(format!("curtop-demo-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let s = spec(Layout::LegacyCsv {
        versioning: Versioning::Overwrite,
        compression: Compression::Gzip,
        parts: 2,
    });
    let truth = generate_to_dir(&s, &dir).unwrap();
    let back: Truth =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    assert_eq!(back, truth);
    assert_eq!(back.unit, "nano-USD");
    for k in &truth.keys {
        assert!(dir.join(k).is_file(), "{k}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sizes_follow_the_scale() {
    let mut s = spec(Layout::LegacyCsv {
        versioning: Versioning::Overwrite,
        compression: Compression::None,
        parts: 1,
    });
    s.days = 10;
    s.scale = Scale::with_target_rows(60_000, 10, Granularity::Daily);
    let (_, truth) = generate_in_memory(&s).unwrap();
    let r = truth.rows as f64;
    assert!((45_000.0..75_000.0).contains(&r), "{r}");
}

/// The benchmark delivery: ~2M hourly rows, wide, 4 gzip parts. Run with
/// `cargo test --release --test demo_generator -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark-sized (2M rows); run in release"]
fn benchmark_two_million_rows() {
    let days = 7;
    let mut s = DemoSpec::demo(1, days, end());
    s.granularity = Granularity::Hourly;
    s.scale = Scale::with_target_rows(2_000_000, days, Granularity::Hourly);
    s.wide = true;
    s.layout = Layout::LegacyCsv {
        versioning: Versioning::Overwrite,
        compression: Compression::Gzip,
        parts: 4,
    };
    let dir = std::env::temp_dir().join(format!("curtop-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t0 = std::time::Instant::now();
    let truth = generate_to_dir(&s, &dir).unwrap();
    let elapsed = t0.elapsed();
    let bytes: u64 = truth
        .keys
        .iter()
        .map(|k| std::fs::metadata(dir.join(k)).unwrap().len())
        .sum();
    eprintln!(
        "benchmark: {:?}, {} rows, {} files, {:.1} MB compressed, {elapsed:?}",
        s.scale,
        truth.rows,
        truth.keys.len(),
        bytes as f64 / 1e6
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
