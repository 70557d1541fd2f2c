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
pub enum ParquetInput {
    File(File),
    Bytes(bytes::Bytes),
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
    input: ParquetInput,
    row_group: Option<usize>,
    file: &str,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    match input {
        ParquetInput::File(f) => read_from(f, row_group, file, agg),
        ParquetInput::Bytes(b) => read_from(b, row_group, file, agg),
    }
}

fn read_from<T: ChunkReader + 'static>(
    input: T,
    row_group: Option<usize>,
    file: &str,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    let bad = |e: &dyn std::fmt::Display| SourceError::Unreadable {
        file: file.to_string(),
        reason: format!("not a readable Parquet file: {e}"),
    };
    // Text columns are read as dictionaries: CUR texts repeat (one resource, many hours), so
    // each distinct value is decoded and classified once instead of once per row.
    let plain =
        ArrowReaderMetadata::load(&input, ArrowReaderOptions::new()).map_err(|e| bad(&e))?;
    let hinted = ArrowReaderMetadata::try_new(
        Arc::clone(plain.metadata()),
        ArrowReaderOptions::new().with_schema(Arc::new(dictionary_hint(plain.schema()))),
    );
    let mut builder =
        ParquetRecordBatchReaderBuilder::new_with_metadata(input, hinted.unwrap_or(plain));
    // Row numbers in messages count from the file's start.
    let mut row_base: u64 = 0;
    if let Some(rg) = row_group {
        let meta = builder.metadata();
        row_base = (0..rg.min(meta.num_row_groups()))
            .map(|i| meta.row_group(i).num_rows() as u64)
            .sum();
        builder = builder.with_row_groups(vec![rg]);
    }
    let schema = Arc::clone(builder.schema());
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let map = ColumnMap::new(names.iter().copied(), &agg.plan().ids, file)?;
    agg.set_columns(&map.columns);
    let mut roots: Vec<usize> = map.fields.iter().flatten().copied().collect();
    roots.extend(map.tags.iter().flatten().copied());
    roots.sort_unstable();
    roots.dedup();
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
            &map,
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
