//! Parquet written by other tools gives the CSV's facts, to the nano-dollar. Real exports come
//! from writers curtop does not choose, so a generated bill is written as CSV and as Parquet,
//! and the Parquet rewritten by `DuckDB` and by pyarrow (`bench/rewrite_parquet.py`, run by the
//! test virtualenv's Python, `CURTOP_TEST_PYTHON`, which `scripts/test.sh` sets up) at their
//! default settings and in every encoding the reader meets: dictionary pages, plain pages,
//! dictionaries falling back to plain, many small row groups and pages, version 2 pages, and
//! empty strings where the generator writes nulls (which it does in most columns). The legacy
//! (Athena) layout and CUR 2.0's (tags in one map column).
#![allow(clippy::unwrap_used)]

mod common;

use common::canonical;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use curtop::config::TagMapping;
use curtop::demo::generate_to_dir;
use curtop::demo::{Compression, Cur2Format, DemoSpec, Granularity, Layout, Scale, Versioning};
use curtop::facts::Facts;
use curtop::source::local::open_local;

fn python() -> String {
    std::env::var("CURTOP_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "CURTOP_TEST_PYTHON is not set: the Parquet of DuckDB and pyarrow is written by \
             them, which `bash scripts/test.sh` installs into target/test-venv"
        )
    })
}

/// The same bill in `layout`, written to a fresh folder.
fn generated(tag: &str, layout: Layout) -> PathBuf {
    let dir = common::temp_dir(tag);
    let mut spec = DemoSpec::demo(31, 4, NaiveDate::from_ymd_opt(2024, 3, 2).unwrap());
    spec.scale = Scale::tiny();
    spec.granularity = Granularity::Hourly;
    spec.layout = layout;
    generate_to_dir(&spec, &dir).unwrap();
    dir
}

/// `src` rewritten by `writer` in `variant` (see `bench/rewrite_parquet.py`).
fn rewritten(src: &Path, writer: &str, variant: &str) -> PathBuf {
    let dst = PathBuf::from(format!("{}-{writer}-{variant}", src.display()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/rewrite_parquet.py");
    let run = Command::new(python())
        .arg(script)
        .arg(writer)
        .arg(src)
        .arg(&dst)
        .arg(variant)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{writer} {variant}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    dst
}

fn facts(dir: &Path) -> Facts {
    let (store, delivery) = open_local(dir).unwrap();
    let mut mapping = TagMapping::default();
    mapping
        .labels
        .push(("team".into(), TagMapping::label_default_keys("team")));
    common::read_with(&store, &delivery, &mapping).unwrap()
}

/// Every writer's and variant's Parquet of `parquet` gives `csv`'s facts exactly.
fn check(tag: &str, csv: Layout, parquet: Layout, variants: &[&str]) {
    let expected = facts(&generated(&format!("{tag}-csv"), csv));
    assert!(
        expected.rows.len() > 100,
        "{tag}: a bill worth comparing: {} rows",
        expected.rows.len()
    );
    assert_eq!(expected.quality.malformed_rows, 0, "{tag}: CSV");
    let want = canonical(&expected);
    let generator = generated(&format!("{tag}-parquet"), parquet);
    let got = facts(&generator);
    assert!(canonical(&got) == want, "{tag}: generator's Parquet");
    for writer in ["duckdb", "pyarrow"] {
        for variant in variants {
            let got = facts(&rewritten(&generator, writer, variant));
            let what = format!("{tag}: {writer} {variant}");
            assert_eq!(got.quality.rows_read, expected.quality.rows_read, "{what}");
            assert_eq!(got.quality.malformed_rows, 0, "{what}");
            assert_eq!(got.bill, expected.bill, "{what}: the bill");
            assert!(canonical(&got) == want, "{what}: facts differ");
        }
    }
}

#[test]
fn legacy_parquet_of_duckdb_and_pyarrow_gives_the_csv_facts() {
    check(
        "writers-legacy",
        Layout::LegacyCsv {
            versioning: Versioning::Overwrite,
            compression: Compression::Gzip,
            parts: 2,
        },
        Layout::LegacyParquet,
        &[
            "default",
            "plain",
            "fallback",
            "small-groups",
            "empty-texts",
        ],
    );
}

#[test]
fn cur2_parquet_of_duckdb_and_pyarrow_gives_the_csv_facts() {
    check(
        "writers-cur2",
        Layout::Cur2 {
            format: Cur2Format::CsvGz,
        },
        Layout::Cur2 {
            format: Cur2Format::Parquet,
        },
        &["default", "plain", "small-groups"],
    );
}
