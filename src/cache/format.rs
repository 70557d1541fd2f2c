//! The file format of a cached billing period: one Parquet file, so that a user can open the
//! facts in `DuckDB` (`SELECT namespace, sum(amortized) FROM '…/2026-11.parquet' GROUP BY 1`).
//!
//! Columns: `day` (DATE), `category`, `basis` (what the cost is priced by: `usage`, `other`,
//! `pod-use`), one per dimension and one per label (dictionary-encoded text, null for none),
//! the four metrics as `DECIMAL(18, 9)` (exactly the nano-dollars the facts hold) and
//! `quantity` (nano-units of usage, `DECIMAL(18, 9)`). Everything else a read saw (the bill per day, quality, the report's columns,
//! what the entry is) is JSON in the footer's key-value metadata under [`META_KEY`].
//!
//! Integrity: [`CHECKSUM_KEY`] holds `LEN:CRC32` of the file's first `LEN` bytes (every data
//! page), computed before the footer is written; the footer itself is checked by parsing it
//! and by the row count it must agree with. Readers load dictionary columns as Arrow
//! dictionaries and map each dictionary to symbols once per batch, not each row.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, Decimal128Array, DictionaryArray, Int32Array, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field as ArrowField, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use serde::{Deserialize, Serialize};

use crate::cur::attribution::Category;
use crate::cur::columns::FIELDS;
use crate::cur::metrics::Metric;
use crate::cur::time::Day;
use crate::facts::{Basis, DIMS, Dim, FactRow, Facts, NONE, Quality, Sym};

mod read;

pub use read::{decode, meta_of, stamp_of};

/// The version of this layout (3: the `currency` column, and placement's idle stopping at zero
/// with `pods-beyond-node-cost`, which makes other facts of the same rows; 4: the accounts'
/// names); a file of another version is read again from the source.
pub const FORMAT_VERSION: u32 = 4;

/// Footer key of the JSON [`Meta`].
pub const META_KEY: &str = "curtop.meta";
/// Footer key of the data pages' checksum.
pub const CHECKSUM_KEY: &str = "curtop.checksum";

/// Rows per record batch (and per row group) written.
const BATCH_ROWS: usize = 1 << 17;

/// The column of the first dimension (after `day`, `category`, `basis`).
const TEXT_COLUMNS: usize = 3;

/// Every [`Basis`], in the order of their dictionary.
const BASES: [Basis; 3] = [Basis::Usage, Basis::Other, Basis::PodUse];

/// Column names of the dimensions, in [`Dim`] order.
const DIM_COLUMNS: [&str; DIMS] = [
    "account",
    "service",
    "usage_type",
    "cluster",
    "namespace",
    "workload_kind",
    "workload",
    "pod",
    "container",
    "node",
    "resource",
    "env",
    "provider",
    "currency",
];

/// What a cached file says about itself besides its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub format: u32,
    /// The profile it was read for (for `curtop cache`; the key is the folder).
    pub profile: String,
    /// Where the data came from, without secrets (`s3://bucket/prefix/report`).
    pub source: String,
    /// The billing period's name (`2026-11`, or `file` for a single CUR file).
    pub period: String,
    /// Its days `[start, end)`, when known.
    pub span: Option<(Day, Day)>,
    /// The delivery version the facts are of (assembly, parts, or the Athena query's state).
    pub version: String,
    /// When the source was read, seconds since the Unix epoch.
    pub read_at: i64,
    /// Rows in the file (checked against the footer).
    pub rows: u64,
    pub label_names: Vec<String>,
    /// The report's columns, by normalized name.
    pub columns: Vec<String>,
    /// The bill per day, nano-dollars per metric.
    pub bill: Vec<(Day, [i64; 4])>,
    pub quality: Quality,
    /// Account id → display name ([`Facts::account_names`]); absent before version 4 (such
    /// a file is then refused by its version, not as unreadable).
    #[serde(default)]
    pub account_names: BTreeMap<String, String>,
    /// In a roll-up file (`rollup/<period>.parquet`, [`crate::facts::Facts::rollup`]): the
    /// checksum entry of the facts file it rolls up, which it is used with only. `None` in a
    /// facts file.
    #[serde(default)]
    pub rollup_of: Option<String>,
    /// The text columns no row has a value in (a bill without containers, a roll-up's pod
    /// column): not read back, every row's is none. Reading a column of nulls only through
    /// Arrow's dictionary reader costs ~200 ns a row for nothing (absent in files written
    /// before: then every column is read).
    #[serde(default)]
    pub empty_columns: Vec<String>,
}

impl Meta {
    /// What a period's file says of itself; its rows, labels, columns, bill and quality are
    /// filled in from the facts when it is written ([`encode`]).
    pub fn new(
        profile: &str,
        source: &str,
        period: String,
        span: Option<(Day, Day)>,
        version: String,
        read_at: i64,
    ) -> Meta {
        Meta {
            format: FORMAT_VERSION,
            profile: profile.to_string(),
            source: source.to_string(),
            period,
            span,
            version,
            read_at,
            rows: 0,
            label_names: Vec::new(),
            columns: Vec::new(),
            bill: Vec::new(),
            quality: Quality::default(),
            account_names: BTreeMap::new(),
            rollup_of: None,
            empty_columns: Vec::new(),
        }
    }
}

/// Why a file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Not Parquet, a torn or truncated file, a bad footer.
    Unreadable(String),
    /// The data pages do not match their checksum.
    Checksum,
    /// Written by another version of curtop.
    Version(u32),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Unreadable(why) => write!(f, "unreadable ({why})"),
            Invalid::Checksum => f.write_str("its checksum does not match (a corrupt file)"),
            Invalid::Version(v) => write!(
                f,
                "written in cache format {v}, this curtop reads format {FORMAT_VERSION}"
            ),
        }
    }
}

fn unreadable(e: impl std::fmt::Display) -> Invalid {
    Invalid::Unreadable(e.to_string())
}

/// A metric's column name (`on_demand`).
fn metric_column(m: Metric) -> String {
    m.name().replace('-', "_")
}

fn schema(label_names: &[String]) -> Arc<Schema> {
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let mut fields = vec![
        ArrowField::new("day", DataType::Date32, false),
        ArrowField::new("category", dict.clone(), false),
        ArrowField::new("basis", dict.clone(), false),
    ];
    for name in DIM_COLUMNS {
        fields.push(ArrowField::new(name, dict.clone(), true));
    }
    for name in label_names {
        fields.push(ArrowField::new(name.as_str(), dict.clone(), true));
    }
    for m in Metric::ALL {
        fields.push(ArrowField::new(
            metric_column(m),
            DataType::Decimal128(18, 9),
            false,
        ));
    }
    fields.push(ArrowField::new(
        "quantity",
        DataType::Decimal128(18, 9),
        false,
    ));
    Arc::new(Schema::new(fields))
}

/// A text column's dictionary: each symbol used in the column once, in order of first use.
struct ColumnDict {
    keys: Vec<i32>,
    values: StringArray,
}

impl ColumnDict {
    fn of(facts: &Facts, sym: impl Fn(&FactRow) -> Sym) -> ColumnDict {
        let mut local: Vec<i32> = vec![-1; facts.strings.len()];
        let mut values = StringBuilder::new();
        let mut next = 0i32;
        let keys = facts
            .rows
            .iter()
            .map(|r| {
                let s = sym(r);
                if s == NONE {
                    return -1;
                }
                let slot = &mut local[s as usize];
                if *slot < 0 {
                    *slot = next;
                    next += 1;
                    values.append_value(facts.strings.get(s));
                }
                *slot
            })
            .collect();
        ColumnDict {
            keys,
            values: values.finish(),
        }
    }

    fn slice(&self, start: usize, end: usize) -> ArrayRef {
        let keys: Int32Array = self.keys[start..end]
            .iter()
            .map(|&k| (k >= 0).then_some(k))
            .collect();
        Arc::new(DictionaryArray::<Int32Type>::new(
            keys,
            Arc::new(self.values.clone()),
        ))
    }
}

/// The facts of one period as a Parquet file. `meta.rows`, `label_names`, `columns` and `bill`
/// are filled in from `facts`.
pub fn encode(facts: &Facts, mut meta: Meta) -> Result<Vec<u8>, String> {
    meta.format = FORMAT_VERSION;
    meta.rows = facts.rows.len() as u64;
    meta.label_names.clone_from(&facts.label_names);
    meta.columns = FIELDS
        .iter()
        .filter(|(f, _)| facts.columns.has(*f))
        .map(|(_, name)| (*name).to_string())
        .collect();
    meta.bill = facts
        .bill
        .iter()
        .map(|(d, c)| (*d, c.0.map(|m| m.0)))
        .collect();
    meta.quality = facts.quality.clone();
    meta.account_names.clone_from(&facts.account_names);
    let schema = schema(&facts.label_names);
    // Categories are not interned: their dictionary is the list of categories.
    let mut dicts = vec![
        ColumnDict::categories(&facts.rows),
        ColumnDict::bases(&facts.rows),
    ];
    for d in 0..DIMS {
        dicts.push(ColumnDict::of(facts, |r| r.dims[d]));
    }
    for l in 0..facts.label_names.len() {
        dicts.push(ColumnDict::of(facts, |r| {
            r.labels.get(l).copied().unwrap_or(NONE)
        }));
    }
    meta.empty_columns = DIM_COLUMNS
        .iter()
        .copied()
        .chain(facts.label_names.iter().map(String::as_str))
        .zip(&dicts[TEXT_COLUMNS - 1..])
        .filter(|(_, d)| d.values.is_empty())
        .map(|(name, _)| name.to_string())
        .collect();
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::None)
        .set_dictionary_page_size_limit(64 << 20)
        .set_max_row_group_row_count(Some(BATCH_ROWS));
    // Amounts are nearly all distinct: a dictionary of them is larger than the values and
    // slower to read (each value looked up), so they are written plain.
    for m in Metric::ALL {
        props = props.set_column_dictionary_enabled(ColumnPath::from(metric_column(m)), false);
    }
    props = props.set_column_dictionary_enabled(ColumnPath::from("quantity"), false);
    let props = props.build();
    let mut writer = ArrowWriter::try_new(Vec::new(), Arc::clone(&schema), Some(props))
        .map_err(|e| e.to_string())?;
    let n = facts.rows.len();
    let mut start = 0;
    while start < n || (n == 0 && start == 0) {
        let end = (start + BATCH_ROWS).min(n);
        let rows = &facts.rows[start..end];
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        columns.push(Arc::new(Date32Array::from_iter_values(
            rows.iter().map(|r| r.day),
        )));
        for dict in &dicts {
            columns.push(dict.slice(start, end));
        }
        for m in Metric::ALL {
            let values = Decimal128Array::from_iter_values(
                rows.iter().map(|r| i128::from(r.costs.0[m as usize].0)),
            )
            .with_precision_and_scale(18, 9)
            .map_err(|e| e.to_string())?;
            columns.push(Arc::new(values));
        }
        let quantity =
            Decimal128Array::from_iter_values(rows.iter().map(|r| i128::from(r.quantity.0)))
                .with_precision_and_scale(18, 9)
                .map_err(|e| e.to_string())?;
        columns.push(Arc::new(quantity));
        let batch =
            RecordBatch::try_new(Arc::clone(&schema), columns).map_err(|e| e.to_string())?;
        writer.write(&batch).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        start = end;
    }
    writer.flush().map_err(|e| e.to_string())?;
    writer.sync().map_err(|e| e.to_string())?;
    let data = writer.inner();
    let len = data.len();
    let crc = crc32(data);
    let json = serde_json::to_string(&meta).map_err(|e| e.to_string())?;
    let meta_crc = crc32(json.as_bytes());
    writer.append_key_value_metadata(KeyValue::new(
        CHECKSUM_KEY.to_string(),
        format!("{len}:{crc:08x}:{meta_crc:08x}"),
    ));
    writer.append_key_value_metadata(KeyValue::new(META_KEY.to_string(), json));
    writer.into_inner().map_err(|e| e.to_string())
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

impl ColumnDict {
    fn bases(rows: &[FactRow]) -> ColumnDict {
        let mut values = StringBuilder::new();
        for b in BASES {
            values.append_value(b.name());
        }
        ColumnDict {
            keys: rows
                .iter()
                .map(|r| BASES.iter().position(|b| *b == r.basis).unwrap_or(0) as i32)
                .collect(),
            values: values.finish(),
        }
    }

    fn categories(rows: &[FactRow]) -> ColumnDict {
        let mut values = StringBuilder::new();
        for c in Category::ALL {
            values.append_value(c.name());
        }
        ColumnDict {
            keys: rows.iter().map(|r| r.category as i32).collect(),
            values: values.finish(),
        }
    }
}

/// The dimension a column name is of (for tests and tools reading the files).
pub fn dim_column(d: Dim) -> &'static str {
    DIM_COLUMNS[d as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::AsOf;
    use crate::cur::metrics::Costs;
    use crate::source::{ReadRequest, load};
    use crate::window::WindowSpec;
    use bytes::Bytes;

    fn demo_facts() -> Facts {
        let config = crate::config::Config::demo();
        let profile = &config.profiles[0];
        let as_of = AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap());
        load(&ReadRequest::new(profile, WindowSpec::All, as_of))
            .unwrap()
            .facts
    }

    fn meta() -> Meta {
        Meta {
            format: 0,
            profile: "demo".into(),
            source: "demo data".into(),
            period: "2026-11".into(),
            span: None,
            version: "v".into(),
            read_at: 0,
            rows: 0,
            label_names: Vec::new(),
            columns: Vec::new(),
            bill: Vec::new(),
            quality: Quality::default(),
            account_names: BTreeMap::new(),
            rollup_of: None,
            empty_columns: Vec::new(),
        }
    }

    fn texts(f: &Facts) -> Vec<(Day, Category, Vec<String>, Costs)> {
        let mut v: Vec<_> = f
            .rows
            .iter()
            .map(|r| {
                let mut t: Vec<String> = r
                    .dims
                    .iter()
                    .map(|s| f.strings.get(*s).to_string())
                    .collect();
                t.extend(r.labels.iter().map(|s| f.strings.get(*s).to_string()));
                (r.day, r.category, t, r.costs)
            })
            .collect();
        v.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
        v
    }

    #[test]
    fn facts_round_trip_exactly() {
        let facts = demo_facts();
        assert!(facts.rows.len() > 1000);
        let bytes = encode(&facts, meta()).unwrap();
        let (back, m) = decode(&Bytes::from(bytes)).unwrap();
        assert_eq!(m.rows, facts.rows.len() as u64);
        assert_eq!(texts(&back), texts(&facts));
        assert_eq!(back.bill, facts.bill);
        assert_eq!(back.quality, facts.quality);
        assert_eq!(back.columns, facts.columns);
        assert_eq!(back.label_names, facts.label_names);
    }

    #[test]
    fn columns_without_a_value_are_named_and_not_read_back() {
        let facts = demo_facts().rollup();
        let bytes = encode(&facts, meta()).unwrap();
        let (back, m) = decode(&Bytes::from(bytes)).unwrap();
        for name in ["pod", "container", "node"] {
            assert!(m.empty_columns.iter().any(|c| c == name), "{name}: {m:?}");
        }
        assert!(!m.empty_columns.iter().any(|c| c == "namespace"));
        assert_eq!(texts(&back), texts(&facts));
    }

    #[test]
    fn empty_facts_round_trip() {
        let facts = Facts::default();
        let bytes = encode(&facts, meta()).unwrap();
        let (back, _) = decode(&Bytes::from(bytes)).unwrap();
        assert!(back.rows.is_empty());
    }

    #[test]
    fn corruption_is_detected_never_read_as_numbers() {
        let facts = demo_facts();
        let good = encode(&facts, meta()).unwrap();
        // Bytes all over the file flipped in turn: each one is refused or reads back exactly.
        let mut refused = 0;
        for at in (0..good.len()).step_by(good.len() / 150 + 1) {
            let mut bad = good.clone();
            bad[at] ^= 0x5a;
            match decode(&Bytes::from(bad)) {
                Err(_) => refused += 1,
                Ok((back, _)) => {
                    assert_eq!(texts(&back), texts(&facts), "byte {at}");
                    assert_eq!(back.bill, facts.bill, "byte {at}");
                }
            }
        }
        assert!(refused > 0);
        // Truncated anywhere: refused.
        for cut in [0, 4, good.len() / 2, good.len() - 1] {
            assert!(
                decode(&Bytes::from(good[..cut].to_vec())).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn another_format_version_says_so() {
        let mut m = meta();
        m.format = 0;
        let bytes = encode(&Facts::default(), m).unwrap();
        // encode always writes the current version; rewrite the JSON's version by hand.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let current = format!("\"format\":{FORMAT_VERSION}");
        assert!(text.contains(&current));
        let old = bytes
            .windows(current.len())
            .position(|w| w == current.as_bytes())
            .map(|at| {
                let mut b = bytes.clone();
                b[at + current.len() - 1] = b'0';
                b
            })
            .unwrap();
        assert_eq!(decode(&Bytes::from(old)).err(), Some(Invalid::Version(0)));
    }
}
