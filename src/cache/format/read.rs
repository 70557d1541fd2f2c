//! Reading a cached file: its footer alone ([`meta_of`]), or the whole file checked and decoded
//! into facts on every core ([`decode`]).

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Date32Array, Decimal128Array, DictionaryArray, RecordBatch, StringArray,
};
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::metadata::{KeyValue, ParquetMetaDataReader};
use parquet::file::reader::ChunkReader;

use super::{
    BASES, BATCH_ROWS, CHECKSUM_KEY, FORMAT_VERSION, Invalid, META_KEY, Meta, TEXT_COLUMNS, crc32,
    schema, unreadable,
};
use crate::cur::attribution::Category;
use crate::cur::columns::FIELDS;
use crate::cur::metrics::Costs;
use crate::cur::money::Money;
use crate::facts::{Basis, DIMS, FactRow, Facts, NONE, Quantity, Sym};

/// Only the footer's metadata (to list the cache, or to choose the periods a window needs,
/// without reading rows): from a file, only its footer is read.
pub fn meta_of<R: ChunkReader>(reader: &R) -> Result<Meta, Invalid> {
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(reader)
        .map_err(unreadable)?;
    read_meta(metadata.file_metadata().key_value_metadata())
}

/// The footer's metadata and its checksum entry, which names this exact file (its data's and
/// its metadata's checksums): a roll-up file records the entry of the facts it rolls up.
pub fn stamp_of<R: ChunkReader>(reader: &R) -> Result<(Meta, String), Invalid> {
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(reader)
        .map_err(unreadable)?;
    let kvs = metadata.file_metadata().key_value_metadata();
    let meta = read_meta(kvs)?;
    let stamp = kv(kvs, CHECKSUM_KEY).ok_or_else(|| unreadable("no checksum"))?;
    Ok((meta, stamp.to_string()))
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
    let layout = Layout::of(&meta, expected.fields().len());
    let layout = &layout;
    let runs = runs_of(groups, threads);
    let parts: Vec<Result<Facts, Invalid>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .enumerate()
            .map(|(k, run)| {
                let metadata = metadata.clone();
                // The first run's rows become the file's, so it makes room for all of them.
                let room = (k == 0).then_some(usize::try_from(meta.rows).unwrap_or(0));
                scope.spawn(move || decode_run(bytes, metadata, run.clone(), layout, room))
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
    facts.account_names = meta.account_names.clone();
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

/// Which of a file's columns are read, and where each is in a batch read with them.
struct Layout {
    labels: usize,
    /// Per column of the file: its position in a batch, `None` for an empty text column
    /// (not read: [`Meta::empty_columns`]).
    at: Vec<Option<usize>>,
}

impl Layout {
    fn of(meta: &Meta, columns: usize) -> Layout {
        let names = super::DIM_COLUMNS
            .iter()
            .copied()
            .chain(meta.label_names.iter().map(String::as_str));
        let mut read = vec![true; columns];
        for (c, name) in names.enumerate() {
            if meta.empty_columns.iter().any(|e| e == name) {
                read[TEXT_COLUMNS + c] = false;
            }
        }
        let mut next = 0;
        let at = read
            .iter()
            .map(|&r| {
                r.then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        Layout {
            labels: meta.label_names.len(),
            at,
        }
    }

    /// The file's columns to read.
    fn read(&self) -> impl Iterator<Item = usize> + '_ {
        self.at
            .iter()
            .enumerate()
            .filter_map(|(c, at)| at.map(|_| c))
    }

    /// A column's position in a batch, for a column always read.
    fn column<'b>(&self, batch: &'b RecordBatch, c: usize) -> Result<&'b ArrayRef, Invalid> {
        self.at
            .get(c)
            .copied()
            .flatten()
            .filter(|&i| i < batch.num_columns())
            .map(|i| batch.column(i))
            .ok_or_else(|| unreadable("a column is missing"))
    }
}

/// One run of row groups into facts of their own (rows and symbols; nothing else).
fn decode_run(
    bytes: &Bytes,
    metadata: ArrowReaderMetadata,
    run: std::ops::Range<usize>,
    layout: &Layout,
    room: Option<usize>,
) -> Result<Facts, Invalid> {
    let row_count: i64 = run
        .clone()
        .map(|g| metadata.metadata().row_group(g).num_rows())
        .sum();
    let row_count = usize::try_from(row_count).unwrap_or(0);
    let mask = ProjectionMask::roots(
        metadata.metadata().file_metadata().schema_descr(),
        layout.read(),
    );
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), metadata)
        .with_row_groups(run.collect())
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(unreadable)?;
    let mut facts = Facts::default();
    facts.rows.reserve(room.unwrap_or(row_count).max(row_count));
    for batch in reader {
        let batch = batch.map_err(unreadable)?;
        append_rows(&batch, layout, &mut facts)?;
    }
    Ok(facts)
}

/// A dictionary-encoded text column of a batch: its keys, and each dictionary value's symbol
/// (interned once per batch, not once per row); no keys for a column not read (empty).
struct TextColumn<'a> {
    dict: Option<&'a DictionaryArray<Int32Type>>,
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
            dict: Some(dict),
            keys,
            nulls: dict.null_count() > 0,
            symbols,
        })
    }

    /// A column of no values (not read).
    fn empty() -> TextColumn<'a> {
        TextColumn {
            dict: None,
            keys: &[],
            nulls: false,
            symbols: Vec::new(),
        }
    }

    /// Row `i`'s symbol ([`NONE`] for null).
    fn at(&self, i: usize) -> Sym {
        let Some(dict) = self.dict else {
            return NONE;
        };
        if self.nulls && dict.is_null(i) {
            return NONE;
        }
        usize::try_from(self.keys[i])
            .ok()
            .and_then(|k| self.symbols.get(k))
            .copied()
            .unwrap_or(NONE)
    }
}

fn append_rows(batch: &RecordBatch, layout: &Layout, facts: &mut Facts) -> Result<(), Invalid> {
    let labels = layout.labels;
    let days = layout
        .column(batch, 0)?
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
    let category = TextColumn::of(layout.column(batch, 1)?, |name| {
        position(name, &category_names)
    })?;
    let basis_names = BASES.map(Basis::name);
    let basis = TextColumn::of(layout.column(batch, 2)?, |name| {
        position(name, &basis_names)
    })?;
    let mut text = Vec::with_capacity(DIMS + labels);
    for c in TEXT_COLUMNS..TEXT_COLUMNS + DIMS + labels {
        text.push(match layout.at.get(c).copied().flatten() {
            None => TextColumn::empty(),
            Some(_) => TextColumn::of(layout.column(batch, c)?, |s| facts.strings.intern(s))?,
        });
    }
    let decimal = |c: usize| {
        layout
            .column(batch, c)?
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
