//! Reader of CUR Parquet parts: legacy Athena-integration files (flat `resource_tags_*`
//! columns) and CUR 2.0 files (`resource_tags` map). Only the needed columns are decoded
//! (projection), batch by batch.

use std::fs::File;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int32Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, MapArray, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use parquet::file::reader::ChunkReader;
use rustc_hash::FxHashMap;

use super::error::SourceError;
use super::read_csv::{ColumnMap, parse_tag_json};
use crate::cur::columns::{FIELDS, Field};
use crate::cur::line_item::LineItem;
use crate::cur::money::Money;
use crate::cur::time::{Day, parse_day};
use crate::facts::Aggregator;

const BATCH_ROWS: usize = 8192;

/// Where a Parquet part's bytes come from.
pub enum ParquetInput<'a> {
    File(File),
    Bytes(bytes::Bytes),
    /// A remote object read by ranges: its footer is already parsed; the needed column chunks
    /// of the row group are fetched (`fetch(start, len)`) once the projection is known.
    Ranged {
        meta: Arc<ParquetMetaData>,
        size: u64,
        fetch: &'a (dyn Fn(u64, u64) -> std::io::Result<Vec<u8>> + Sync),
    },
}

/// The footer of a Parquet object of `size` bytes, read by ranges: the last 64 KiB (which
/// usually hold the whole footer), then the rest of the metadata when it is larger.
pub fn ranged_metadata(
    size: u64,
    fetch: &dyn Fn(u64, u64) -> std::io::Result<Vec<u8>>,
    file: &str,
) -> Result<Arc<ParquetMetaData>, SourceError> {
    let bad = |reason: String| SourceError::Unreadable {
        file: file.to_string(),
        reason: format!("not a readable Parquet file: {reason}"),
    };
    let io = |e: std::io::Error| SourceError::Io {
        path: file.to_string(),
        error: e,
    };
    if size < 12 {
        return Err(bad(format!("{size} bytes is too small")));
    }
    let tail_len = size.min(64 * 1024);
    let tail = fetch(size - tail_len, tail_len).map_err(io)?;
    let n = tail.len();
    if n < 8 || &tail[n - 4..] != b"PAR1" {
        return Err(bad("no PAR1 magic at its end".into()));
    }
    let mut len_bytes = [0u8; 4];
    len_bytes.copy_from_slice(&tail[n - 8..n - 4]);
    let meta_len = u64::from(u32::from_le_bytes(len_bytes));
    if meta_len + 8 > size {
        return Err(bad(format!("its footer claims {meta_len} bytes of {size}")));
    }
    let footer = if meta_len + 8 <= tail_len {
        let from = usize::try_from(tail_len - 8 - meta_len).unwrap_or(0);
        tail[from..n - 8].to_vec()
    } else {
        fetch(size - 8 - meta_len, meta_len).map_err(io)?
    };
    ParquetMetaDataReader::decode_metadata(&footer)
        .map(Arc::new)
        .map_err(|e| bad(e.to_string()))
}

/// A Parquet object of which only some byte ranges are in memory (the column chunks a read
/// needs); asking for anything else is an error, never a fetch.
struct Sparse {
    size: u64,
    /// `(start, bytes)`, sorted by start, not overlapping.
    ranges: Vec<(u64, bytes::Bytes)>,
}

impl Sparse {
    fn find(&self, start: u64, len: u64) -> parquet::errors::Result<bytes::Bytes> {
        let i = self.ranges.partition_point(|(s, _)| *s <= start);
        if let Some((s, b)) = i.checked_sub(1).and_then(|i| self.ranges.get(i)) {
            let off = start - s;
            let end = off.saturating_add(len);
            if end <= b.len() as u64 {
                return Ok(
                    b.slice(usize::try_from(off).unwrap_or(0)..usize::try_from(end).unwrap_or(0))
                );
            }
            if len == u64::MAX && off <= b.len() as u64 {
                return Ok(b.slice(usize::try_from(off).unwrap_or(0)..));
            }
        }
        Err(parquet::errors::ParquetError::General(format!(
            "bytes {start}+{len} were not fetched"
        )))
    }
}

impl parquet::file::reader::Length for Sparse {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for Sparse {
    type T = bytes::buf::Reader<bytes::Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        use bytes::Buf;
        Ok(self.find(start, u64::MAX)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        self.find(start, length as u64)
    }
}

/// Unneeded bytes between two needed column chunks fetched rather than split into two requests.
const MERGE_GAP: u64 = 8 << 20;

/// The byte ranges of the chunks of `columns` (leaf indices) in row group `rg`, merged when
/// less than [`MERGE_GAP`] apart. Requests cost more than bytes (measured against moto: one
/// request per needed column took 3.0 s where 8 MiB gaps took 1.0 s for the same 2M-row
/// file), so only large unneeded columns (tag JSON, descriptions) are skipped.
fn chunk_ranges(
    meta: &ParquetMetaData,
    rg: usize,
    leaves: &[usize],
    size: u64,
) -> Result<Vec<(u64, u64)>, String> {
    let group = meta
        .row_groups()
        .get(rg)
        .ok_or_else(|| format!("no row group {rg}"))?;
    let mut ranges = Vec::with_capacity(leaves.len());
    for &leaf in leaves {
        let c = group
            .columns()
            .get(leaf)
            .ok_or_else(|| format!("row group {rg} has no column {leaf}"))?;
        let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
        let len = c.compressed_size();
        let (Ok(start), Ok(len)) = (u64::try_from(start), u64::try_from(len)) else {
            return Err(format!(
                "column {leaf} of row group {rg} has a negative offset or size"
            ));
        };
        if start.saturating_add(len) > size {
            return Err(format!(
                "column {leaf} of row group {rg} ends past the file"
            ));
        }
        ranges.push((start, len));
    }
    Ok(merge_ranges(ranges, MERGE_GAP))
}

/// `(start, len)` ranges sorted and merged where less than `gap` bytes apart (or overlapping).
fn merge_ranges(mut ranges: Vec<(u64, u64)>, gap: u64) -> Vec<(u64, u64)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (start, len) in ranges {
        match merged.last_mut() {
            Some((s, l)) if start <= s.saturating_add(*l).saturating_add(gap) => {
                *l = (*l).max(start + len - *s);
            }
            _ => merged.push((start, len)),
        }
    }
    merged
}

#[cfg(test)]
mod range_tests {
    use super::merge_ranges;

    #[test]
    fn near_ranges_merge_and_a_large_gap_is_skipped() {
        let mib = 1 << 20;
        let got = merge_ranges(
            vec![(100 * mib, 10), (0, 10), (15, 5), (12, 2), (30 * mib, mib)],
            8 * mib,
        );
        assert_eq!(got, vec![(0, 20), (30 * mib, mib), (100 * mib, 10)]);
        // Overlapping and contained ranges collapse; no gap allowed means only touching ones.
        assert_eq!(
            merge_ranges(vec![(0, 10), (5, 2), (10, 5), (16, 1)], 0),
            vec![(0, 15), (16, 1)]
        );
    }
}

/// How many row groups a local Parquet file has (read from its footer only), so that large
/// files can be read by several threads, one row group each.
pub fn row_group_count(path: &std::path::Path, file: &str) -> Result<usize, SourceError> {
    let f = File::open(path).map_err(|e| SourceError::Io {
        path: file.to_string(),
        error: e,
    })?;
    let meta = parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(&f)
        .map_err(|e| SourceError::Unreadable {
            file: file.to_string(),
            reason: format!("not a readable Parquet file: {e}"),
        })?;
    Ok(meta.num_row_groups())
}

/// Reads one Parquet part (or one of its row groups) into the aggregator.
pub fn read_parquet_part(
    input: ParquetInput<'_>,
    row_group: Option<usize>,
    file: &str,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    let bad = |e: &dyn std::fmt::Display| SourceError::Unreadable {
        file: file.to_string(),
        reason: format!("not a readable Parquet file: {e}"),
    };
    match input {
        ParquetInput::File(f) => {
            let meta = load_metadata(&f, file)?;
            let (map, roots) = projection(&meta, file, agg)?;
            read_from(f, meta, row_group, file, agg, &map, &roots)
        }
        ParquetInput::Bytes(b) => {
            let meta = load_metadata(&b, file)?;
            let (map, roots) = projection(&meta, file, agg)?;
            read_from(b, meta, row_group, file, agg, &map, &roots)
        }
        ParquetInput::Ranged { meta, size, fetch } => {
            let meta = hinted(
                ArrowReaderMetadata::try_new(meta, ArrowReaderOptions::new())
                    .map_err(|e| bad(&e))?,
            );
            let (map, roots) = projection(&meta, file, agg)?;
            // Only the projected columns' chunks of the row group(s) read are fetched.
            let descr = meta.metadata().file_metadata().schema_descr();
            let leaves: Vec<usize> = (0..descr.num_columns())
                .filter(|&leaf| {
                    roots
                        .binary_search(&descr.get_column_root_idx(leaf))
                        .is_ok()
                })
                .collect();
            let groups: Vec<usize> = match row_group {
                Some(rg) => vec![rg],
                None => (0..meta.metadata().num_row_groups()).collect(),
            };
            let mut ranges = Vec::new();
            for rg in groups {
                ranges
                    .extend(chunk_ranges(meta.metadata(), rg, &leaves, size).map_err(|e| bad(&e))?);
            }
            ranges.sort_unstable();
            let mut sparse = Sparse {
                size,
                ranges: Vec::with_capacity(ranges.len()),
            };
            for (start, len) in ranges {
                let bytes = fetch(start, len).map_err(|e| SourceError::Io {
                    path: file.to_string(),
                    error: e,
                })?;
                sparse.ranges.push((start, bytes::Bytes::from(bytes)));
            }
            read_from(sparse, meta, row_group, file, agg, &map, &roots)
        }
    }
}

fn load_metadata<T: ChunkReader>(
    input: &T,
    file: &str,
) -> Result<ArrowReaderMetadata, SourceError> {
    ArrowReaderMetadata::load(input, ArrowReaderOptions::new())
        .map(hinted)
        .map_err(|e| SourceError::Unreadable {
            file: file.to_string(),
            reason: format!("not a readable Parquet file: {e}"),
        })
}

/// Text columns are read as dictionaries: CUR texts repeat (one resource, many hours), so
/// each distinct value is decoded and classified once instead of once per row.
fn hinted(plain: ArrowReaderMetadata) -> ArrowReaderMetadata {
    ArrowReaderMetadata::try_new(
        Arc::clone(plain.metadata()),
        ArrowReaderOptions::new().with_schema(Arc::new(dictionary_hint(plain.schema()))),
    )
    .unwrap_or(plain)
}

/// Where each needed value sits, and the top-level columns to decode (sorted).
fn projection(
    meta: &ArrowReaderMetadata,
    file: &str,
    agg: &mut Aggregator<'_>,
) -> Result<(ColumnMap, Vec<usize>), SourceError> {
    let names: Vec<&str> = meta
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let map = ColumnMap::new(names.iter().copied(), &agg.plan().ids, file)?;
    agg.set_columns(&map.columns);
    let mut roots: Vec<usize> = map.fields.iter().flatten().copied().collect();
    roots.extend(map.tags.iter().flatten().copied());
    roots.sort_unstable();
    roots.dedup();
    Ok((map, roots))
}

/// Reads `input` (every row group, or one) whose metadata is parsed and projection known.
fn read_from<T: ChunkReader + 'static>(
    input: T,
    meta: ArrowReaderMetadata,
    row_group: Option<usize>,
    file: &str,
    agg: &mut Aggregator<'_>,
    map: &ColumnMap,
    roots: &[usize],
) -> Result<(), SourceError> {
    let bad = |e: &dyn std::fmt::Display| SourceError::Unreadable {
        file: file.to_string(),
        reason: format!("not a readable Parquet file: {e}"),
    };
    let mut builder = ParquetRecordBatchReaderBuilder::new_with_metadata(input, meta);
    // Row numbers in messages count from the file's start.
    let mut row_base: u64 = 0;
    if let Some(rg) = row_group {
        let meta = builder.metadata();
        row_base = (0..rg.min(meta.num_row_groups()))
            .map(|i| meta.row_group(i).num_rows() as u64)
            .sum();
        builder = builder.with_row_groups(vec![rg]);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| bad(&e))?;
    // Positions of the projected columns inside each batch.
    let pos = |orig: usize| roots.iter().position(|&r| r == orig);
    let wanted = agg.plan().ids.clone();
    let mut identity = Identity::default();
    for batch in reader {
        let batch = batch.map_err(|e| bad(&e))?;
        read_batch(
            &batch,
            map,
            &pos,
            &wanted,
            file,
            row_base,
            &mut identity,
            agg,
        )?;
        row_base += batch.num_rows() as u64;
    }
    Ok(())
}

/// The schema with every top-level text column as `Dictionary(Int32, Utf8)`.
fn dictionary_hint(schema: &Schema) -> Schema {
    let fields: Vec<Arc<arrow_schema::Field>> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                Arc::new(f.as_ref().clone().with_data_type(DataType::Dictionary(
                    Box::new(DataType::Int32),
                    Box::new(DataType::Utf8),
                )))
            }
            _ => Arc::clone(f),
        })
        .collect();
    Schema::new_with_metadata(fields, schema.metadata().clone())
}

/// Numbers the distinct values of one text column across a part's batches (0 = empty), so a
/// row's texts can be identified by small integers.
#[derive(Default)]
struct ColumnIds {
    index: FxHashMap<Box<str>, u32>,
    /// The dictionary the per-key ids below belong to (its values buffer and length).
    dict: (usize, usize),
    by_key: Vec<u32>,
}

impl ColumnIds {
    fn id_of(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.index.len() as u32 + 1;
        self.index.insert(Box::from(s), id);
        id
    }

    /// Prepares for a batch: maps a dictionary's keys to ids once per dictionary.
    fn prepare(&mut self, t: &Text<'_>) {
        if let Text::Dict(_, values) = t {
            let dict = (values.values().as_ptr() as usize, values.len());
            if dict != self.dict {
                self.by_key.clear();
                for i in 0..values.len() {
                    let id = if values.is_null(i) {
                        0
                    } else {
                        self.id_of(values.value(i))
                    };
                    self.by_key.push(id);
                }
                self.dict = dict;
            }
        }
    }

    fn id(&mut self, t: &Text<'_>, row: usize) -> u32 {
        match t {
            Text::Absent => 0,
            Text::Dict(d, _) => {
                if d.is_null(row) {
                    0
                } else {
                    usize::try_from(d.keys().value(row))
                        .ok()
                        .and_then(|k| self.by_key.get(k).copied())
                        .unwrap_or(0)
                }
            }
            other => self.id_of(other.get(row)),
        }
    }
}

/// Per part: the ids of the columns that classification reads.
#[derive(Default)]
struct Identity {
    columns: Vec<ColumnIds>,
    row: Vec<u32>,
}

/// A text column of any Arrow string encoding.
enum Text<'a> {
    Absent,
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    Dict(
        &'a arrow_array::DictionaryArray<Int32Type>,
        &'a arrow_array::StringArray,
    ),
}

impl<'a> Text<'a> {
    fn of(col: Option<&'a ArrayRef>) -> Result<Text<'a>, String> {
        let Some(a) = col else {
            return Ok(Text::Absent);
        };
        Ok(match a.data_type() {
            DataType::Utf8 => Text::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(a.as_string::<i64>()),
            DataType::Utf8View => Text::View(a.as_string_view()),
            DataType::Dictionary(k, v) if **k == DataType::Int32 && **v == DataType::Utf8 => {
                let d = a.as_dictionary::<Int32Type>();
                Text::Dict(d, d.values().as_string::<i32>())
            }
            DataType::Null => Text::Absent,
            other => return Err(format!("a text column has type {other}")),
        })
    }

    fn get(&self, row: usize) -> &'a str {
        match self {
            Text::Absent => "",
            Text::Utf8(a) => {
                if a.is_null(row) {
                    ""
                } else {
                    a.value(row)
                }
            }
            Text::Large(a) => {
                if a.is_null(row) {
                    ""
                } else {
                    a.value(row)
                }
            }
            Text::View(a) => {
                if a.is_null(row) {
                    ""
                } else {
                    a.value(row)
                }
            }
            Text::Dict(d, v) => {
                if d.is_null(row) {
                    ""
                } else {
                    let k = d.keys().value(row);
                    usize::try_from(k)
                        .ok()
                        .filter(|k| *k < v.len())
                        .map_or("", |k| v.value(k))
                }
            }
        }
    }
}

/// A money column: floating point (Athena `double`), decimal, or text.
enum Amount<'a> {
    F64(&'a arrow_array::Float64Array),
    F32(&'a arrow_array::Float32Array),
    Decimal(&'a arrow_array::Decimal128Array, i8),
    Text(Text<'a>),
}

impl<'a> Amount<'a> {
    fn of(a: &'a ArrayRef) -> Result<Amount<'a>, String> {
        Ok(match a.data_type() {
            DataType::Float64 => Amount::F64(a.as_primitive::<Float64Type>()),
            DataType::Float32 => Amount::F32(a.as_primitive::<Float32Type>()),
            DataType::Decimal128(_, s) => {
                Amount::Decimal(a.as_primitive::<arrow_array::types::Decimal128Type>(), *s)
            }
            _ => Amount::Text(Text::of(Some(a))?),
        })
    }

    fn get(&self, row: usize) -> Result<Option<Money>, String> {
        let float = |v: f64| {
            Money::from_f64(v)
                .map(Some)
                .map_err(|e| format!("{v}: {e}"))
        };
        match self {
            Amount::F64(a) => {
                if a.is_null(row) {
                    Ok(None)
                } else {
                    float(a.value(row))
                }
            }
            Amount::F32(a) => {
                if a.is_null(row) {
                    Ok(None)
                } else {
                    float(f64::from(a.value(row)))
                }
            }
            Amount::Decimal(a, scale) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                let text = format!("{}e{}", a.value(row), -i32::from(*scale));
                Money::parse(text.as_bytes())
                    .map(Some)
                    .map_err(|e| format!("{text}: {e}"))
            }
            Amount::Text(t) => {
                let s = t.get(row);
                if s.is_empty() {
                    Ok(None)
                } else {
                    Money::parse(s.as_bytes())
                        .map(Some)
                        .map_err(|e| format!("`{s}`: {e}"))
                }
            }
        }
    }
}

/// The usage start date column: timestamp, date or text.
enum Days<'a> {
    Ts(&'a dyn Array, i64),
    Date32(&'a arrow_array::Date32Array),
    Text(Text<'a>),
}

impl<'a> Days<'a> {
    fn of(a: &'a ArrayRef) -> Result<Days<'a>, String> {
        let per_day = |u: &TimeUnit| match u {
            TimeUnit::Second => 86_400,
            TimeUnit::Millisecond => 86_400_000,
            TimeUnit::Microsecond => 86_400_000_000,
            TimeUnit::Nanosecond => 86_400_000_000_000,
        };
        Ok(match a.data_type() {
            DataType::Timestamp(u, _) => Days::Ts(a.as_ref(), per_day(u)),
            DataType::Date32 => Days::Date32(a.as_primitive()),
            _ => Days::Text(Text::of(Some(a))?),
        })
    }

    fn get(&self, row: usize) -> Option<Day> {
        match self {
            Days::Ts(a, per_day) => {
                if a.is_null(row) {
                    return None;
                }
                let v = match a.data_type() {
                    DataType::Timestamp(TimeUnit::Second, _) => {
                        a.as_primitive::<TimestampSecondType>().value(row)
                    }
                    DataType::Timestamp(TimeUnit::Millisecond, _) => {
                        a.as_primitive::<TimestampMillisecondType>().value(row)
                    }
                    DataType::Timestamp(TimeUnit::Microsecond, _) => {
                        a.as_primitive::<TimestampMicrosecondType>().value(row)
                    }
                    _ => a.as_primitive::<TimestampNanosecondType>().value(row),
                };
                Day::try_from(v.div_euclid(*per_day)).ok()
            }
            Days::Date32(a) => {
                if a.is_null(row) {
                    None
                } else {
                    Some(a.value(row))
                }
            }
            Days::Text(t) => parse_day(t.get(row).as_bytes()),
        }
    }

    /// Whether the row's start is not midnight (an hourly report).
    fn sub_daily(&self, row: usize) -> bool {
        match self {
            Days::Ts(a, per_day) => {
                if a.is_null(row) {
                    return false;
                }
                let v = match a.data_type() {
                    DataType::Timestamp(TimeUnit::Second, _) => {
                        a.as_primitive::<TimestampSecondType>().value(row)
                    }
                    DataType::Timestamp(TimeUnit::Millisecond, _) => {
                        a.as_primitive::<TimestampMillisecondType>().value(row)
                    }
                    DataType::Timestamp(TimeUnit::Microsecond, _) => {
                        a.as_primitive::<TimestampMicrosecondType>().value(row)
                    }
                    _ => a.as_primitive::<TimestampNanosecondType>().value(row),
                };
                v.rem_euclid(*per_day) != 0
            }
            Days::Date32(_) => false,
            Days::Text(t) => t
                .get(row)
                .as_bytes()
                .get(11..13)
                .is_some_and(|h| h != b"00"),
        }
    }
}

/// CUR 2.0's `resource_tags`: a Map<Utf8, Utf8> column, or a JSON text column.
enum TagMap<'a> {
    Absent,
    Map(&'a MapArray, Text<'a>, Text<'a>),
    Json(Text<'a>),
}

impl<'a> TagMap<'a> {
    fn of(col: Option<&'a ArrayRef>) -> Result<TagMap<'a>, String> {
        let Some(a) = col else {
            return Ok(TagMap::Absent);
        };
        if let DataType::Map(_, _) = a.data_type() {
            let m = a.as_map();
            return Ok(TagMap::Map(
                m,
                Text::of(Some(m.keys()))?,
                Text::of(Some(m.values()))?,
            ));
        }
        Ok(TagMap::Json(Text::of(Some(a))?))
    }

    fn entries(&self, row: usize) -> Result<Vec<(String, String)>, String> {
        match self {
            TagMap::Absent => Ok(Vec::new()),
            TagMap::Map(m, k, v) => {
                if m.is_null(row) {
                    return Ok(Vec::new());
                }
                let offsets = m.value_offsets();
                let (s, e) = (offsets[row] as usize, offsets[row + 1] as usize);
                Ok((s..e)
                    .map(|i| {
                        (
                            crate::cur::columns::normalize(k.get(i)),
                            v.get(i).to_string(),
                        )
                    })
                    .collect())
            }
            TagMap::Json(t) => {
                let s = t.get(row);
                if s.is_empty() {
                    Ok(Vec::new())
                } else {
                    parse_tag_json(s.as_bytes()).map_err(|e| format!("resource_tags: {e}"))
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn read_batch(
    batch: &RecordBatch,
    map: &ColumnMap,
    pos: &dyn Fn(usize) -> Option<usize>,
    wanted: &[String],
    file: &str,
    row_base: u64,
    identity: &mut Identity,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    let unreadable = |reason: String| SourceError::Unreadable {
        file: file.to_string(),
        reason,
    };
    let col = |f: Field| map.col(f).and_then(pos).map(|i| batch.column(i));
    let text =
        |f: Field| Text::of(col(f)).map_err(|e| unreadable(format!("{}: {e}", f.column_name())));
    let lit = text(Field::LineItemType)?;
    let account = text(Field::UsageAccountId)?;
    let product = text(Field::ProductCode)?;
    let usage_type = text(Field::UsageType)?;
    let operation = text(Field::Operation)?;
    let resource = text(Field::ResourceId)?;
    let description = text(Field::LineItemDescription)?;
    let ri_arn = text(Field::ReservationArn)?;
    let parent = text(Field::SplitParentResourceId)?;
    let days = match col(Field::UsageStartDate) {
        Some(a) => {
            Days::of(a).map_err(|e| unreadable(format!("line_item_usage_start_date: {e}")))?
        }
        None => return Err(unreadable("no usage start date column".into())),
    };
    let mut amounts: Vec<(Field, Amount<'_>)> = Vec::new();
    for (f, _) in FIELDS.iter().filter(|(f, _)| f.is_money()) {
        if let Some(a) = col(*f) {
            amounts.push((
                *f,
                Amount::of(a).map_err(|e| unreadable(format!("{}: {e}", f.column_name())))?,
            ));
        }
    }
    let tag_cols: Vec<Vec<Text<'_>>> = map
        .tags
        .iter()
        .map(|cols| {
            cols.iter()
                .map(|&c| Text::of(pos(c).map(|i| batch.column(i))))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(format!("tag column: {e}")))?;
    let tag_map = TagMap::of(col(Field::ResourceTagsMap))
        .map_err(|e| unreadable(format!("resource_tags: {e}")))?;
    let columns = map.columns;
    // The texts classification reads, in a fixed order; rows equal on all of them are
    // classified once. Tags from a map column (CUR 2.0) take the row-by-row path.
    let classify_cols: Vec<&Text<'_>> = [
        &lit,
        &operation,
        &product,
        &resource,
        &parent,
        &account,
        &usage_type,
    ]
    .into_iter()
    .chain(tag_cols.iter().flatten())
    .collect();
    let templated = matches!(tag_map, TagMap::Absent);
    if templated {
        identity
            .columns
            .resize_with(classify_cols.len(), ColumnIds::default);
        for (t, c) in classify_cols.iter().zip(identity.columns.iter_mut()) {
            c.prepare(t);
        }
    }

    // One row at another hour than midnight is enough to know the report is hourly.
    if !agg.quality().sub_daily_seen && (0..batch.num_rows()).any(|r| days.sub_daily(r)) {
        agg.quality().sub_daily_seen = true;
    }
    for row in 0..batch.num_rows() {
        let line = row_base + row as u64 + 1;
        agg.quality().rows_read += 1;
        let Some(day) = days.get(row) else {
            agg.quality().malformed(
                file,
                line,
                "line_item_usage_start_date is empty or not a date",
            );
            continue;
        };
        if !agg.wants_day(day) {
            agg.quality().rows_outside_window += 1;
            continue;
        }
        let line_item_type = lit.get(row);
        if line_item_type.is_empty() {
            agg.quality()
                .malformed(file, line, "line_item_line_item_type is empty");
            continue;
        }
        let mut li = LineItem::new(day, line_item_type, Money::ZERO);
        li.amounts[Field::UnblendedCost.index()] = None;
        let mut failed = None;
        for (f, a) in &amounts {
            match a.get(row) {
                Ok(v) => li.amounts[f.index()] = v,
                Err(e) => {
                    failed = Some(format!("{} {e}", f.column_name()));
                    break;
                }
            }
        }
        if failed.is_none() && li.amount(Field::UnblendedCost).is_none() {
            failed = Some("line_item_unblended_cost is empty".into());
        }
        let json = match tag_map.entries(row) {
            Ok(j) => j,
            Err(e) => {
                failed.get_or_insert(e);
                Vec::new()
            }
        };
        if let Some(reason) = failed {
            agg.quality().malformed(file, line, reason);
            continue;
        }
        // Costs read the reservation ARN (RI upfront fees); everything else comes from the
        // template.
        li.reservation_arn = ri_arn.get(row);
        if templated {
            let Identity {
                columns: ids,
                row: key,
            } = &mut *identity;
            key.clear();
            for (t, c) in classify_cols.iter().zip(ids.iter_mut()) {
                key.push(c.id(t, row));
            }
            if let Some(t) = agg.template_of(key) {
                agg.add_templated(t, &li, &columns);
                continue;
            }
        }
        li.account = account.get(row);
        li.product_code = product.get(row);
        li.usage_type = usage_type.get(row);
        li.operation = operation.get(row);
        li.resource_id = resource.get(row);
        li.description = description.get(row);
        li.reservation_arn = ri_arn.get(row);
        li.split_parent = parent.get(row);
        let tags: Vec<&str> = tag_cols
            .iter()
            .enumerate()
            .map(|(t, cols)| {
                cols.iter()
                    .map(|c| c.get(row))
                    .find(|v| !v.is_empty())
                    .or_else(|| {
                        json.iter()
                            .find(|(k, _)| *k == wanted[t])
                            .map(|(_, v)| v.as_str())
                    })
                    .unwrap_or("")
            })
            .collect();
        li.tags = &tags;
        if templated {
            let t = agg.template(&identity.row, &li);
            agg.add_templated(t, &li, &columns);
        } else {
            agg.add(&li, &columns);
        }
    }
    Ok(())
}
