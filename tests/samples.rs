//! The real, anonymized public exports in `../shared/cur-samples/` read through every layout
//! AWS delivers them in, and broken copies of them.

#![allow(clippy::unwrap_used)]

mod common;

use common::{gzip, read_path, sample, temp_dir, zip};
use curtop::config::TagMapping;
use curtop::cur::attribution::Category;
use curtop::cur::metrics::Metric;
use curtop::cur::money::Money;
use curtop::facts::Facts;
use curtop::source::error::SourceError;

const LEGACY: &str = "legacy-cur-csv-anonymized-2023-11.csv";

fn total(f: &Facts, m: Metric) -> Money {
    f.rows.iter().map(|r| r.costs[m]).sum()
}

fn unblended_cents(f: &Facts) -> i64 {
    (total(f, Metric::Unblended).0 + 5_000_000) / 10_000_000
}

#[test]
fn legacy_sample_totals_its_bill_and_reports_missing_resource_ids() {
    let f = read_path(&sample(LEGACY), &TagMapping::default()).unwrap();
    assert_eq!(f.quality.rows_read, 1281);
    assert_eq!(f.quality.malformed_rows, 0, "{:?}", f.quality.examples);
    // The sample's bill: 1.6823 USD unblended (sum of lineItem/UnblendedCost).
    let t = total(&f, Metric::Unblended);
    assert!((t.dollars() - 1.6823).abs() < 0.00005, "{t:?}");
    assert_eq!(unblended_cents(&f), 168);
    // Usage and Tax only: amortized equals unblended, nothing reaches a cluster.
    assert_eq!(total(&f, Metric::Amortized), t);
    assert!(f.rows.iter().all(|r| r.category == Category::Unallocated));
    let codes: Vec<&str> = f.quality.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["no-resource-ids"]);
    assert!(
        f.quality.warnings[0]
            .message
            .contains("report created without resource IDs")
    );
    // The sample's rows start on 14 distinct days of November 2023.
    assert_eq!(f.bill.len(), 14);
    assert_eq!(
        f.bill.values().map(|c| c[Metric::Unblended]).sum::<Money>(),
        t
    );
}

/// How a part's bytes are compressed.
type Encode = dyn Fn(&[u8]) -> Vec<u8>;

/// Lays the sample out as AWS would deliver it and returns the folder.
fn deliver(
    tag: &str,
    create_new: bool,
    ext: &str,
    encode: &dyn Fn(&[u8]) -> Vec<u8>,
) -> std::path::PathBuf {
    let csv = std::fs::read(sample(LEGACY)).unwrap();
    // Two parts, split on a line boundary, each with the header.
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(rows.len() / 2);
    let part = |rows: &[&str]| format!("{header}\n{}\n", rows.join("\n")).into_bytes();
    let root = temp_dir(tag);
    let period = "cur/sample/20231101-20231201";
    let folder = if create_new {
        format!("{period}/asm-2")
    } else {
        period.to_string()
    };
    let keys: Vec<String> = (1..=2)
        .map(|n| format!("{folder}/sample-{n}.{ext}"))
        .collect();
    std::fs::create_dir_all(root.join(&folder)).unwrap();
    std::fs::write(root.join(&keys[0]), encode(&part(a))).unwrap();
    std::fs::write(root.join(&keys[1]), encode(&part(b))).unwrap();
    let manifest = |assembly: &str, keys: &[String]| {
        serde_json::json!({"assemblyId": assembly, "reportName": "sample", "bucket": "b",
            "billingPeriod": {"start": "20231101T000000.000Z", "end": "20231201T000000.000Z"},
            "reportKeys": keys})
        .to_string()
    };
    std::fs::write(
        root.join(format!("{period}/sample-Manifest.json")),
        manifest("asm-2", &keys),
    )
    .unwrap();
    if create_new {
        // An older assembly that must not be read (it would double the bill).
        let old = format!("{period}/asm-1");
        std::fs::create_dir_all(root.join(&old)).unwrap();
        let old_key = format!("{old}/sample-1.{ext}");
        std::fs::write(root.join(&old_key), encode(&part(&rows))).unwrap();
        std::fs::write(
            root.join(format!("{old}/sample-Manifest.json")),
            manifest("asm-1", &[old_key]),
        )
        .unwrap();
        std::fs::write(
            root.join(format!("{folder}/sample-Manifest.json")),
            manifest("asm-2", &keys),
        )
        .unwrap();
    }
    root
}

#[test]
fn every_compression_and_versioning_mode_gives_the_same_bill() {
    let plain: &Encode = &|b: &[u8]| b.to_vec();
    let gz: &Encode = &|b: &[u8]| gzip(b);
    let zipped: &Encode = &|b: &[u8]| zip("part.csv", b);
    let cases: [(&str, bool, &str, &Encode); 4] = [
        ("overwrite-gz", false, "csv.gz", gz),
        ("create-new-gz", true, "csv.gz", gz),
        ("overwrite-zip", false, "csv.zip", zipped),
        ("create-new-plain", true, "csv", plain),
    ];
    for (tag, create_new, ext, enc) in cases {
        let root = deliver(tag, create_new, ext, enc);
        // Rooted at the bucket, the report folder, and the period folder alike.
        for sub in ["", "cur/sample", "cur/sample/20231101-20231201"] {
            let f = read_path(&root.join(sub), &TagMapping::default()).unwrap();
            assert_eq!(f.quality.rows_read, 1281, "{tag} {sub}");
            assert_eq!(f.quality.files, 2, "{tag} {sub}");
            assert_eq!(unblended_cents(&f), 168, "{tag} {sub}");
        }
        std::fs::remove_dir_all(root).unwrap();
    }
}

#[test]
fn malformed_rows_are_counted_with_examples_and_never_stop_the_read() {
    let mut rdr = csv::Reader::from_path(sample(LEGACY)).unwrap();
    let header = rdr.headers().unwrap().clone();
    let cost_col = header
        .iter()
        .position(|h| h == "lineItem/UnblendedCost")
        .unwrap();
    let date_col = header
        .iter()
        .position(|h| h == "lineItem/UsageStartDate")
        .unwrap();
    let mut records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let edit = |r: &csv::StringRecord, col: usize, v: &str| -> csv::StringRecord {
        r.iter()
            .enumerate()
            .map(|(i, x)| if i == col { v } else { x })
            .collect()
    };
    // Data row 5 (line 6): a cost that is not a number; line 10: a broken date; line 13: fields missing.
    records[4] = edit(&records[4], cost_col, "12x");
    records[8] = edit(&records[8], date_col, "2023-11-31T00:00:00Z");
    records[11] = csv::StringRecord::from(vec!["only", "three", "fields"]);
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for r in &records {
        w.write_record(r).unwrap();
    }
    let bytes = w.into_inner().unwrap();
    let dir = temp_dir("malformed");
    let file = dir.join("broken.csv");
    std::fs::write(&file, bytes).unwrap();
    let f = read_path(&file, &TagMapping::default()).unwrap();
    assert_eq!(f.quality.rows_read, 1281);
    assert_eq!(f.quality.malformed_rows, 3);
    let ex: Vec<(u64, &str)> = f
        .quality
        .examples
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    assert_eq!(ex[0].0, 6);
    assert!(ex[0].1.contains("lineItem/UnblendedCost `12x`"), "{ex:?}");
    assert_eq!(ex[1].0, 10);
    assert!(ex[1].1.contains("not a timestamp"), "{ex:?}");
    assert_eq!(ex[2], (13, "3 fields where the header has 94"));
    assert!(
        f.quality
            .examples
            .iter()
            .all(|e| e.file.ends_with("broken.csv"))
    );
    assert!(
        f.quality
            .warnings
            .iter()
            .any(|w| w.code == curtop::facts::WarningCode::MalformedRows
                && w.message.contains("3 malformed row(s)"))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_missing_required_column_is_a_typed_error_naming_it() {
    let text = std::fs::read_to_string(sample(LEGACY)).unwrap();
    let renamed = text.replacen("lineItem/UnblendedCost", "lineItem/SomethingElse", 1);
    let dir = temp_dir("missing-col");
    let file = dir.join("nocost.csv.gz");
    std::fs::write(&file, gzip(renamed.as_bytes())).unwrap();
    match read_path(&file, &TagMapping::default()) {
        Err(SourceError::MissingColumns { columns, file }) => {
            assert_eq!(columns, ["lineItem/UnblendedCost"]);
            assert!(file.ends_with("nocost.csv.gz"));
        }
        other => panic!("expected MissingColumns, got {other:?}"),
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_focus_export_under_a_cur_path_is_read_as_focus() {
    // The readers tell FOCUS from CUR by its columns (tests/focus.rs has the details).
    let f = read_path(
        &sample("focus-1.0-sample-1000rows.csv"),
        &TagMapping::default(),
    )
    .unwrap();
    assert_eq!(f.quality.rows_read, 1000);
    assert!(curtop::source::focus::is_focus(&f.columns));
    assert!(
        f.rows
            .iter()
            .any(|r| f.text(r, curtop::facts::Dim::Provider) == "Oracle")
    );
}

#[test]
fn a_folder_without_a_delivery_says_what_it_found() {
    let dir = temp_dir("empty-delivery");
    std::fs::write(dir.join("README.txt"), "hello").unwrap();
    let err = read_path(&dir, &TagMapping::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("no CUR delivery") && msg.contains("README.txt"),
        "{msg}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
