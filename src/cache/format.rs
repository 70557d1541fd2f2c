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

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, Decimal128Array, DictionaryArray, Int32Array, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field as ArrowField, Schema};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::basic::Compression;
use parquet::file::metadata::{KeyValue, ParquetMetaDataReader};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::reader::ChunkReader;
use parquet::schema::types::ColumnPath;
use serde::{Deserialize, Serialize};

use crate::cur::attribution::Category;
use crate::cur::columns::FIELDS;
use crate::cur::metrics::{Costs, Metric};
use crate::cur::money::Money;
use crate::cur::time::Day;
use crate::facts::{Basis, DIMS, Dim, FactRow, Facts, NONE, Quality, Quantity, Sym};

/// The version of this layout (3: the `currency` column, and placement's idle stopping at zero
/// with `pods-beyond-node-cost`, which makes other facts of the same rows); a file of another
/// version is read again from the source.
pub const FORMAT_VERSION: u32 = 3;

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

/// Only the footer's metadata (to list the cache, or to choose the periods a window needs,
/// without reading rows): from a file, only its footer is read.
pub fn meta_of<R: ChunkReader>(reader: &R) -> Result<Meta, Invalid> {
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(reader)
        .map_err(unreadable)?;
    read_meta(metadata.file_metadata().key_value_metadata())
}

fn kv<'a>(kvs: Option<&'a Vec<KeyValue>>, key: &str) -> Option<&'a str> {
    kvs?.iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_deref())
}

/// The checksum entry: bytes covered, their CRC-32, the metadata's CRC-32.
fn checksum(kvs: Option<&Vec<KeyValue>>) -> Result<(usize, u32, u32), Invalid> {
    let text = kv(kvs, CHECKSUM_KEY).ok_or_else(|| unreadable("no checksum"))?;
    let mut it = text.split(':');
    let mut next = || it.next().ok_or_else(|| unreadable("a malformed checksum"));
    let len = next()?.parse::<usize>().map_err(unreadable)?;
    let data = u32::from_str_radix(next()?, 16).map_err(unreadable)?;
    let meta = u32::from_str_radix(next()?, 16).map_err(unreadable)?;
    Ok((len, data, meta))
}

fn read_meta(kvs: Option<&Vec<KeyValue>>) -> Result<Meta, Invalid> {
    let text = kv(kvs, META_KEY).ok_or_else(|| unreadable("no curtop metadata"))?;
    // The version first, so that a file of another version says so rather than "unreadable".
    let version: serde_json::Value = serde_json::from_str(text).map_err(unreadable)?;
    let format = version
        .get("format")
        .and_then(serde_json::Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0);
    if format != FORMAT_VERSION {
        return Err(Invalid::Version(format));
    }
    if crc32(text.as_bytes()) != checksum(kvs)?.2 {
        return Err(Invalid::Checksum);
    }
    serde_json::from_value(version).map_err(unreadable)
}

/// Most threads a file is decoded on (its row groups split between them).
const MAX_THREADS: usize = 8;

/// A cached file back into facts, checked: its checksum, version, footer and row count.
///
/// The first frame of a warm start waits for this, so it runs on every core: the checksum in
/// byte ranges, then the row groups in runs, each run into its own facts, joined in file order
/// (so the facts, symbols included, are the same whatever the number of cores).
pub fn decode(bytes: &Bytes) -> Result<(Facts, Meta), Invalid> {
    let metadata =
        ArrowReaderMetadata::load(bytes, ArrowReaderOptions::new()).map_err(unreadable)?;
    let kvs = metadata.metadata().file_metadata().key_value_metadata();
    let meta = read_meta(kvs)?;
    let (len, crc, _) = checksum(kvs)?;
    let data = bytes.get(..len).ok_or(Invalid::Checksum)?;
    let expected = schema(&meta.label_names);
    if metadata.schema().fields().len() != expected.fields().len() {
        return Err(unreadable(
            "its columns are not the ones this format writes",
        ));
    }
    let groups = metadata.metadata().num_row_groups();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, MAX_THREADS);
    // Checked before a row is decoded: a corrupt file never reaches the Parquet decoder.
    if parallel_crc(data, threads) != crc {
        return Err(Invalid::Checksum);
    }
    let labels = meta.label_names.len();
    let runs = runs_of(groups, threads);
    let parts: Vec<Result<Facts, Invalid>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .enumerate()
            .map(|(k, run)| {
                let metadata = metadata.clone();
                // The first run's rows become the file's, so it makes room for all of them.
                let room = (k == 0).then_some(usize::try_from(meta.rows).unwrap_or(0));
                scope.spawn(move || decode_run(bytes, metadata, run.clone(), labels, room))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(unreadable("its decoding stopped on a bug")))
            })
            .collect()
    });
    let mut periods = Vec::with_capacity(parts.len());
    for part in parts {
        let mut part = part?;
        part.label_names.clone_from(&meta.label_names);
        periods.push(part);
    }
    let mut facts = Facts::of_periods(periods, None);
    if facts.rows.len() as u64 != meta.rows {
        return Err(unreadable(format!(
            "{} rows where its metadata says {}",
            facts.rows.len(),
            meta.rows
        )));
    }
    facts.label_names.clone_from(&meta.label_names);
    for name in &meta.columns {
        if let Some((f, _)) = FIELDS.iter().find(|(_, n)| n == name) {
            facts.columns.insert(*f);
        }
    }
    facts.bill = meta
        .bill
        .iter()
        .map(|(d, c)| (*d, Costs(c.map(Money))))
        .collect();
    facts.quality = meta.quality.clone();
    Ok((facts, meta))
}

/// The CRC-32 of `data`, computed in `threads` ranges at once and combined.
fn parallel_crc(data: &[u8], threads: usize) -> u32 {
    let chunk = data.len().div_ceil(threads).max(1 << 20);
    let crcs: Vec<flate2::Crc> = std::thread::scope(|scope| {
        let handles: Vec<_> = data
            .chunks(chunk)
            .map(|c| {
                scope.spawn(move || {
                    let mut crc = flate2::Crc::new();
                    crc.update(c);
                    crc
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut all = flate2::Crc::new();
    for c in &crcs {
        all.combine(c);
    }
    all.sum()
}

/// Row groups `0..groups` as at most `threads` runs of consecutive groups, as even as can be.
fn runs_of(groups: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let n = threads.min(groups).max(1);
    (0..n)
        .map(|k| groups * k / n..groups * (k + 1) / n)
        .collect()
}

/// One run of row groups into facts of their own (rows and symbols; nothing else).
fn decode_run(
    bytes: &Bytes,
    metadata: ArrowReaderMetadata,
    run: std::ops::Range<usize>,
    labels: usize,
    room: Option<usize>,
) -> Result<Facts, Invalid> {
    let row_count: i64 = run
        .clone()
        .map(|g| metadata.metadata().row_group(g).num_rows())
        .sum();
    let row_count = usize::try_from(row_count).unwrap_or(0);
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), metadata)
        .with_row_groups(run.collect())
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(unreadable)?;
    let mut facts = Facts::default();
    facts.rows.reserve(room.unwrap_or(row_count).max(row_count));
    for batch in reader {
        let batch = batch.map_err(unreadable)?;
        append_rows(&batch, labels, &mut facts)?;
    }
    Ok(facts)
}

/// A dictionary-encoded text column of a batch: its keys, and each dictionary value's symbol
/// (interned once per batch, not once per row).
struct TextColumn<'a> {
    dict: &'a DictionaryArray<Int32Type>,
    keys: &'a [i32],
    nulls: bool,
    symbols: Vec<Sym>,
}

impl<'a> TextColumn<'a> {
    fn of(column: &'a ArrayRef, mut intern: impl FnMut(&str) -> Sym) -> Result<Self, Invalid> {
        let dict = column
            .as_any()
            .downcast_ref::<DictionaryArray<Int32Type>>()
            .ok_or_else(|| unreadable("a text column is not dictionary-encoded"))?;
        let values = dict
            .values()
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| unreadable("a dictionary is not text"))?;
        let symbols: Vec<Sym> = (0..values.len())
            .map(|i| {
                if values.is_null(i) {
                    NONE
                } else {
                    intern(values.value(i))
                }
            })
            .collect();
        let keys = dict.keys().values().as_ref();
        // Every key checked once here, so a row's lookup cannot miss (a null's key is
        // whatever the writer left there).
        let outside = |k: i32| usize::try_from(k).map_or(true, |k| k >= symbols.len());
        let bad = if dict.null_count() == 0 {
            keys.iter().any(|&k| outside(k))
        } else {
            keys.iter()
                .enumerate()
                .any(|(i, &k)| dict.is_valid(i) && outside(k))
        };
        if bad {
            return Err(unreadable("a dictionary key out of range"));
        }
        Ok(TextColumn {
            dict,
            keys,
            nulls: dict.null_count() > 0,
            symbols,
        })
    }

    /// Row `i`'s symbol ([`NONE`] for null).
    fn at(&self, i: usize) -> Sym {
        if self.nulls && self.dict.is_null(i) {
            return NONE;
        }
        usize::try_from(self.keys[i])
            .ok()
            .and_then(|k| self.symbols.get(k))
            .copied()
            .unwrap_or(NONE)
    }
}

fn append_rows(batch: &RecordBatch, labels: usize, facts: &mut Facts) -> Result<(), Invalid> {
    let days = batch
        .column(0)
        .as_any()
        .downcast_ref::<Date32Array>()
        .ok_or_else(|| unreadable("`day` is not a date"))?
        .values();
    // Categories and bases are small dictionaries of names: symbols are positions in `ALL`,
    // `NONE` (0) for a name this version does not know.
    let position = |name: &str, names: &[&str]| {
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|p| Sym::try_from(p + 1).ok())
            .unwrap_or(NONE)
    };
    let category_names = Category::ALL.map(Category::name);
    let category = TextColumn::of(batch.column(1), |name| position(name, &category_names))?;
    let basis_names = BASES.map(Basis::name);
    let basis = TextColumn::of(batch.column(2), |name| position(name, &basis_names))?;
    let mut text = Vec::with_capacity(DIMS + labels);
    for c in 0..DIMS + labels {
        text.push(TextColumn::of(batch.column(TEXT_COLUMNS + c), |s| {
            facts.strings.intern(s)
        })?);
    }
    let decimal = |c: usize| {
        batch
            .column(c)
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .map(|a| a.values().as_ref())
            .ok_or_else(|| unreadable("a metric is not a decimal"))
    };
    let mut metrics: [&[i128]; 4] = [&[]; 4];
    for (m, slot) in metrics.iter_mut().enumerate() {
        *slot = decimal(TEXT_COLUMNS + DIMS + labels + m)?;
    }
    let quantities = decimal(TEXT_COLUMNS + DIMS + labels + 4)?;
    let n = batch.num_rows();
    if days.len() != n || quantities.len() != n || metrics.iter().any(|m| m.len() != n) {
        return Err(unreadable("its columns differ in length"));
    }
    let nanos = |v: i128| i64::try_from(v).map_err(|_| unreadable("an amount out of range"));
    let (dims, label_columns) = text.split_at(DIMS);
    for i in 0..n {
        let category = Category::ALL
            .get((category.at(i) as usize).wrapping_sub(1))
            .copied()
            .ok_or_else(|| unreadable("an unknown category"))?;
        let basis = BASES
            .get((basis.at(i) as usize).wrapping_sub(1))
            .copied()
            .ok_or_else(|| unreadable("an unknown basis"))?;
        let mut row_dims = [NONE; DIMS];
        for (slot, column) in row_dims.iter_mut().zip(dims) {
            *slot = column.at(i);
        }
        let mut costs = Costs::ZERO;
        for (slot, column) in costs.0.iter_mut().zip(&metrics) {
            *slot = Money(nanos(column[i])?);
        }
        facts.rows.push(FactRow {
            day: days[i],
            category,
            dims: row_dims,
            labels: label_columns.iter().map(|c| c.at(i)).collect(),
            costs,
            // The cache holds facts as read; sharing is applied to them afterwards.
            shared: NONE,
            basis,
            quantity: Quantity(nanos(quantities[i])?),
        });
    }
    Ok(())
}

/// The dimension a column name is of (for tests and tools reading the files).
pub fn dim_column(d: Dim) -> &'static str {
    DIM_COLUMNS[d as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::AsOf;
    use crate::source::{ReadRequest, load};
    use crate::window::WindowSpec;

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
