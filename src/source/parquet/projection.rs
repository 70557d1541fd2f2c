//! What a Parquet part is decoded as: the columns curtop needs (the projection, from the
//! one column-alias table of `read_csv::ColumnMap`) and which text columns as dictionaries.

use std::ops::Range;
use std::sync::Arc;

use arrow_schema::{DataType, Schema};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::basic::Encoding;
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::reader::ChunkReader;

use super::not_parquet;
use crate::facts::Aggregator;
use crate::source::error::SourceError;
use crate::source::read_csv::ColumnMap;

/// The metadata of a whole Parquet file or buffer, read from its footer (then hinted for the
/// row groups to be read).
pub(super) fn load_metadata<T: ChunkReader>(
    input: &T,
    file: &str,
    row_groups: Option<&Range<usize>>,
) -> Result<ArrowReaderMetadata, SourceError> {
    ArrowReaderMetadata::load(input, ArrowReaderOptions::new())
        .map(|m| hinted(m, row_groups))
        .map_err(|e| not_parquet(file, &e))
}

/// Text columns the writer dictionary-encoded throughout the row groups read (and that are
/// not all null in any of them) are decoded as dictionaries: CUR texts repeat (one resource, many hours), so each distinct value is
/// classified once instead of once per row. Columns with plain pages (a writer without
/// dictionaries, or one whose dictionary overflowed) are decoded as they are: as a dictionary
/// arrow would rebuild one for every batch, hashing each value, only for the reader to hash
/// each distinct value again.
pub(super) fn hinted(
    plain: ArrowReaderMetadata,
    row_groups: Option<&Range<usize>>,
) -> ArrowReaderMetadata {
    let meta = plain.metadata();
    let groups = row_groups.cloned().unwrap_or(0..meta.num_row_groups());
    let descr = meta.file_metadata().schema_descr();
    let mut dictionary = vec![true; plain.schema().fields().len()];
    for leaf in 0..descr.num_columns() {
        let encoded = groups
            .clone()
            .filter_map(|rg| meta.row_groups().get(rg))
            .all(|rg| {
                dictionary_only(rg.column(leaf)) && !all_null(rg.column(leaf), rg.num_rows())
            });
        if let Some(d) = dictionary.get_mut(descr.get_column_root_idx(leaf)) {
            *d &= encoded;
        }
    }
    ArrowReaderMetadata::try_new(
        Arc::clone(meta),
        ArrowReaderOptions::new()
            .with_schema(Arc::new(dictionary_hint(plain.schema(), &dictionary))),
    )
    .unwrap_or(plain)
}

/// Whether every data page of a column chunk is dictionary-encoded (when the writer kept
/// page encoding statistics; otherwise whether it has a dictionary at all).
fn dictionary_only(chunk: &ColumnChunkMetaData) -> bool {
    chunk.dictionary_page_offset().is_some()
        && chunk.page_encoding_stats_mask().is_none_or(|m| {
            m.is_only(Encoding::RLE_DICTIONARY) || m.is_only(Encoding::PLAIN_DICTIONARY)
        })
}

/// Whether a column chunk's statistics say it holds only nulls. Arrow builds a dictionary
/// array of such a chunk slowly (it compares every null slot's empty value), where a plain
/// column of nulls costs next to nothing, and there are no texts to identify.
fn all_null(chunk: &ColumnChunkMetaData, rows: i64) -> bool {
    chunk
        .statistics()
        .and_then(parquet::file::statistics::Statistics::null_count_opt)
        .is_some_and(|nulls| i64::try_from(nulls).is_ok_and(|n| n == rows))
}

/// Where each needed value sits, and the top-level columns to decode (sorted).
pub(super) fn projection(
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
    agg.quality()
        .unread(map.unread_tags.iter().map(String::as_str), &[]);
    let mut roots: Vec<usize> = map.fields.iter().flatten().copied().collect();
    roots.extend(map.tags.iter().flatten().copied());
    roots.sort_unstable();
    roots.dedup();
    Ok((map, roots))
}

/// The schema with the top-level text columns marked in `dictionary` as
/// `Dictionary(Int32, Utf8)`.
fn dictionary_hint(schema: &Schema, dictionary: &[bool]) -> Schema {
    let fields: Vec<Arc<arrow_schema::Field>> = schema
        .fields()
        .iter()
        .zip(dictionary)
        .map(|(f, &dict)| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View if dict => {
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
