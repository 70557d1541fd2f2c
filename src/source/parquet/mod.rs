//! Reader of CUR Parquet parts: legacy Athena-integration files (flat `resource_tags_*`
//! columns) and CUR 2.0 files (`resource_tags` map). Only the needed columns are decoded
//! (projection), batch by batch.
//!
//! This module opens a part (a file, bytes in memory, or a remote object read by ranges) and
//! streams its batches; `ranges` owns the ranged reads of remote objects, `projection` which
//! columns are decoded and how, `columns` the typed views of one Arrow column, `identity` the
//! per-column value ids that let equal rows be classified once, and `batch` one batch → facts.

mod batch;
mod columns;
mod identity;
mod projection;
mod ranges;

use std::fs::File;
use std::ops::Range;
use std::sync::Arc;

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;

pub use ranges::ranged_metadata;

use super::error::SourceError;
use super::read_csv::ColumnMap;
use crate::facts::Aggregator;
use batch::{BatchAmounts, read_batch};
use identity::Identity;
use projection::{hinted, load_metadata, projection};

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

/// The one error of a part the Parquet decoder refuses, whatever part of the decoder said so.
fn not_parquet(file: &str, e: &dyn std::fmt::Display) -> SourceError {
    SourceError::Unreadable {
        file: file.to_string(),
        reason: format!("not a readable Parquet file: {e}"),
    }
}

/// The rows of each row group of a local Parquet file (read from its footer only), so that
/// large files can be read by several threads, a run of row groups each.
pub fn row_group_rows(path: &std::path::Path, file: &str) -> Result<Vec<u64>, SourceError> {
    let f = File::open(path).map_err(|e| SourceError::Io {
        path: file.to_string(),
        error: e,
    })?;
    let meta = parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(&f)
        .map_err(|e| not_parquet(file, &e))?;
    Ok(meta
        .row_groups()
        .iter()
        .map(|rg| u64::try_from(rg.num_rows()).unwrap_or(0))
        .collect())
}

/// Reads one Parquet part (or a run of its row groups) into the aggregator.
pub fn read_parquet_part(
    input: ParquetInput<'_>,
    row_groups: Option<Range<usize>>,
    file: &str,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    match input {
        ParquetInput::File(f) => {
            let meta = load_metadata(&f, file, row_groups.as_ref())?;
            let (map, roots) = projection(&meta, file, agg)?;
            read_from(f, meta, row_groups, file, agg, &map, &roots)
        }
        ParquetInput::Bytes(b) => {
            let meta = load_metadata(&b, file, row_groups.as_ref())?;
            let (map, roots) = projection(&meta, file, agg)?;
            read_from(b, meta, row_groups, file, agg, &map, &roots)
        }
        ParquetInput::Ranged { meta, size, fetch } => {
            let meta = hinted(
                ArrowReaderMetadata::try_new(meta, ArrowReaderOptions::new())
                    .map_err(|e| not_parquet(file, &e))?,
                row_groups.as_ref(),
            );
            let (map, roots) = projection(&meta, file, agg)?;
            let sparse =
                ranges::fetch_projected(&meta, &roots, row_groups.clone(), size, fetch, file)?;
            read_from(sparse, meta, row_groups, file, agg, &map, &roots)
        }
    }
}

/// Reads `input` (every row group, or a run) whose metadata is parsed and projection known.
fn read_from<T: ChunkReader + 'static>(
    input: T,
    meta: ArrowReaderMetadata,
    row_groups: Option<Range<usize>>,
    file: &str,
    agg: &mut Aggregator<'_>,
    map: &ColumnMap,
    roots: &[usize],
) -> Result<(), SourceError> {
    let mut builder = ParquetRecordBatchReaderBuilder::new_with_metadata(input, meta);
    // Row numbers in messages count from the file's start.
    let mut row_base: u64 = 0;
    if let Some(run) = row_groups {
        let meta = builder.metadata();
        row_base = (0..run.start.min(meta.num_row_groups()))
            .map(|i| meta.row_group(i).num_rows() as u64)
            .sum();
        builder = builder.with_row_groups(run.collect());
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| not_parquet(file, &e))?;
    // Positions of the projected columns inside each batch.
    let pos = |orig: usize| roots.iter().position(|&r| r == orig);
    let wanted = agg.plan().ids.clone();
    let mut identity = Identity::default();
    let mut amounts = BatchAmounts::default();
    for batch in reader {
        let batch = batch.map_err(|e| not_parquet(file, &e))?;
        read_batch(
            &batch,
            map,
            &pos,
            &wanted,
            file,
            row_base,
            &mut identity,
            &mut amounts,
            agg,
        )?;
        row_base += batch.num_rows() as u64;
    }
    Ok(())
}
