//! What a Parquet part is decoded as: the columns curtop needs (the projection, from the
//! one column-alias table of `read_csv::ColumnMap`) and text columns as dictionaries.

use std::sync::Arc;

use arrow_schema::{DataType, Schema};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::file::reader::ChunkReader;

use super::not_parquet;
use crate::facts::Aggregator;
use crate::source::error::SourceError;
use crate::source::read_csv::ColumnMap;

/// The metadata of a whole Parquet file or buffer, read from its footer (then hinted).
pub(super) fn load_metadata<T: ChunkReader>(
    input: &T,
    file: &str,
) -> Result<ArrowReaderMetadata, SourceError> {
    ArrowReaderMetadata::load(input, ArrowReaderOptions::new())
        .map(hinted)
        .map_err(|e| not_parquet(file, &e))
}

/// Text columns are read as dictionaries: CUR texts repeat (one resource, many hours), so
/// each distinct value is decoded and classified once instead of once per row.
pub(super) fn hinted(plain: ArrowReaderMetadata) -> ArrowReaderMetadata {
    ArrowReaderMetadata::try_new(
        Arc::clone(plain.metadata()),
        ArrowReaderOptions::new().with_schema(Arc::new(dictionary_hint(plain.schema()))),
    )
    .unwrap_or(plain)
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
    let mut roots: Vec<usize> = map.fields.iter().flatten().copied().collect();
    roots.extend(map.tags.iter().flatten().copied());
    roots.sort_unstable();
    roots.dedup();
    Ok((map, roots))
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
