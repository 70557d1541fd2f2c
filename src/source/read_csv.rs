//! Streaming reader of CUR CSV parts (plain, `.gz`, `.zip`): legacy `category/Name` headers and
//! CUR 2.0 `snake_case` headers (with `resource_tags` as a JSON cell). Only the needed columns
//! are decoded; a malformed row is counted and skipped.

use std::io::{BufReader, Read};

use csv::ByteRecord;

use super::error::SourceError;
use crate::cur::columns::{
    FIELD_COUNT, FIELDS, Field, REQUIRED, field_of, normalize, tag_of_column,
};
use crate::cur::line_item::{ColumnSet, LineItem};
use crate::cur::money::Money;
use crate::cur::time::parse_day;
use crate::facts::Aggregator;

/// How a CSV part is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zip,
}

/// Where each needed value sits in a row.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    pub fields: [Option<usize>; FIELD_COUNT],
    /// Per wanted tag id: the columns that hold it (case-folded duplicates merge).
    pub tags: Vec<Vec<usize>>,
    pub columns: ColumnSet,
    pub width: usize,
}

impl ColumnMap {
    /// Maps header names (any schema) to fields and wanted tags. Fails on missing required
    /// columns or a FOCUS export.
    pub fn new<'h>(
        headers: impl Iterator<Item = &'h str>,
        tag_ids: &[String],
        file: &str,
    ) -> Result<ColumnMap, SourceError> {
        let mut fields = [None; FIELD_COUNT];
        let mut tags = vec![Vec::new(); tag_ids.len()];
        let mut columns = ColumnSet::default();
        let mut width = 0;
        let mut focus = false;
        for (i, raw) in headers.enumerate() {
            width += 1;
            let name = normalize(raw.trim_start_matches('\u{feff}'));
            if let Some(f) = field_of(&name) {
                if fields[f.index()].is_none() {
                    fields[f.index()] = Some(i);
                    columns.insert(f);
                }
            } else if let Some(tag) = tag_of_column(&name) {
                if let Some(t) = tag_ids.iter().position(|id| id == tag) {
                    tags[t].push(i);
                }
            } else if name == "billed_cost" || name == "charge_category" {
                focus = true;
            }
        }
        let missing: Vec<&'static str> = REQUIRED
            .iter()
            .filter(|f| !columns.has(**f))
            .map(|f| f.legacy_name())
            .collect();
        if !missing.is_empty() {
            if focus {
                return Err(SourceError::Unreadable {
                    file: file.to_string(),
                    reason: "this is a FOCUS export; curtop reads legacy CUR and CUR 2.0 \
                             (FOCUS has no split cost allocation columns for pods)"
                        .into(),
                });
            }
            return Err(SourceError::MissingColumns {
                file: file.to_string(),
                columns: missing,
            });
        }
        Ok(ColumnMap {
            fields,
            tags,
            columns,
            width,
        })
    }

    pub fn col(&self, f: Field) -> Option<usize> {
        self.fields[f.index()]
    }
}

/// Counts the compressed bytes a reader hands out (progress).
pub struct CountingReader<R> {
    inner: R,
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R> CountingReader<R> {
    pub fn new(inner: R, counter: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Self {
        Self { inner, counter }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads one CSV part into the aggregator. Row-level problems are counted in its quality;
/// only an unreadable stream or missing required columns fail the part.
pub fn read_csv_part(
    input: Box<dyn Read + Send>,
    compression: Compression,
    file: &str,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    let io_err = |e: std::io::Error| SourceError::Io {
        path: file.to_string(),
        error: e,
    };
    match compression {
        Compression::None => read_csv_stream(input, file, agg),
        Compression::Gzip => {
            let dec =
                flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, input));
            read_csv_stream(dec, file, agg)
        }
        Compression::Zip => {
            let mut input = input;
            match zip::read::read_zipfile_from_stream(&mut input) {
                Ok(Some(entry)) => read_csv_stream(entry, file, agg),
                Ok(None) => Err(SourceError::Unreadable {
                    file: file.to_string(),
                    reason: "the zip archive is empty".into(),
                }),
                Err(e) => Err(io_err(std::io::Error::other(e.to_string()))),
            }
        }
    }
}

fn read_csv_stream(
    input: impl Read,
    file: &str,
    agg: &mut Aggregator<'_>,
) -> Result<(), SourceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(input);
    let mut record = ByteRecord::new();
    let io = |e: csv::Error| SourceError::Unreadable {
        file: file.to_string(),
        reason: e.to_string(),
    };
    if !rdr.read_byte_record(&mut record).map_err(io)? {
        return Err(SourceError::Unreadable {
            file: file.to_string(),
            reason: "the file is empty".into(),
        });
    }
    let headers: Vec<String> = record
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let map = ColumnMap::new(headers.iter().map(String::as_str), &agg.plan().ids, file)?;
    let tag_map_col = map.col(Field::ResourceTagsMap);
    agg.set_columns(&map.columns);
    let money_fields: Vec<(Field, usize)> = FIELDS
        .iter()
        .filter(|(f, _)| f.is_number())
        .filter_map(|(f, _)| map.col(*f).map(|i| (*f, i)))
        .collect();
    let day_col = map.col(Field::UsageStartDate).unwrap_or(0);
    let wanted = agg.plan().ids.clone();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // A broken quote or invalid byte sequence: csv cannot resynchronize reliably
                // inside a quoted field, so count it and carry on with the next record.
                let line = e.position().map_or(0, csv::Position::line);
                agg.quality().rows_read += 1;
                agg.quality().malformed(file, line, e.to_string());
                if e.is_io_error() {
                    return Err(io(e));
                }
                continue;
            }
        }
        let line = record.position().map_or(0, csv::Position::line);
        agg.quality().rows_read += 1;
        if record.len() != map.width {
            if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
                agg.quality().rows_read -= 1; // a blank line
                continue;
            }
            agg.quality().malformed(
                file,
                line,
                format!("{} fields where the header has {}", record.len(), map.width),
            );
            continue;
        }
        match parse_row(
            &record,
            &map,
            &money_fields,
            day_col,
            tag_map_col,
            &wanted,
            agg,
        ) {
            Ok(()) => {}
            Err(reason) => agg.quality().malformed(file, line, reason),
        }
    }
    Ok(())
}

fn text(record: &ByteRecord, col: Option<usize>, name: Field) -> Result<&str, String> {
    match col {
        None => Ok(""),
        Some(i) => std::str::from_utf8(&record[i])
            .map_err(|_| format!("{} is not valid UTF-8", name.legacy_name())),
    }
}

fn parse_row(
    record: &ByteRecord,
    map: &ColumnMap,
    money_fields: &[(Field, usize)],
    day_col: usize,
    tag_map_col: Option<usize>,
    wanted: &[String],
    agg: &mut Aggregator<'_>,
) -> Result<(), String> {
    let raw_day = &record[day_col];
    let day = parse_day(raw_day).ok_or_else(|| {
        format!(
            "lineItem/UsageStartDate `{}` is not a timestamp",
            String::from_utf8_lossy(raw_day)
        )
    })?;
    if !agg.wants_day(day) {
        agg.quality().rows_outside_window += 1;
        return Ok(());
    }
    // `YYYY-MM-DDTHH`: an hour other than 00 means an hourly report.
    if raw_day.get(11..13).is_some_and(|h| h != b"00") {
        agg.quality().sub_daily_seen = true;
    }
    let line_item_type = text(record, map.col(Field::LineItemType), Field::LineItemType)?;
    if line_item_type.is_empty() {
        return Err("lineItem/LineItemType is empty".into());
    }
    let mut li = LineItem::new(day, line_item_type, Money::ZERO);
    li.amounts[Field::UnblendedCost.index()] = None;
    for &(f, i) in money_fields {
        let cell = &record[i];
        if !cell.is_empty() {
            let m = Money::parse(cell).map_err(|e| {
                format!(
                    "{} `{}`: {e}",
                    f.legacy_name(),
                    String::from_utf8_lossy(cell)
                )
            })?;
            li.amounts[f.index()] = Some(m);
        }
    }
    if li.amount(Field::UnblendedCost).is_none() {
        return Err("lineItem/UnblendedCost is empty".into());
    }
    li.account = text(
        record,
        map.col(Field::UsageAccountId),
        Field::UsageAccountId,
    )?;
    li.product_code = text(record, map.col(Field::ProductCode), Field::ProductCode)?;
    li.usage_type = text(record, map.col(Field::UsageType), Field::UsageType)?;
    li.operation = text(record, map.col(Field::Operation), Field::Operation)?;
    li.resource_id = text(record, map.col(Field::ResourceId), Field::ResourceId)?;
    li.description = text(
        record,
        map.col(Field::LineItemDescription),
        Field::LineItemDescription,
    )?;
    li.reservation_arn = text(
        record,
        map.col(Field::ReservationArn),
        Field::ReservationArn,
    )?;
    li.split_parent = text(
        record,
        map.col(Field::SplitParentResourceId),
        Field::SplitParentResourceId,
    )?;

    // Tags: flat columns (legacy, Athena) or CUR 2.0's JSON map cell.
    let json_tags: Vec<(String, String)> = match tag_map_col {
        Some(i) if !record[i].is_empty() && !wanted.is_empty() => parse_tag_json(&record[i])
            .map_err(|e| format!("resource_tags is not a JSON object: {e}"))?,
        _ => Vec::new(),
    };
    let mut tags: Vec<&str> = Vec::with_capacity(wanted.len());
    for (t, cols) in map.tags.iter().enumerate() {
        let mut value = "";
        for &c in cols {
            let v = std::str::from_utf8(&record[c])
                .map_err(|_| "a tag value is not valid UTF-8".to_string())?;
            if !v.is_empty() {
                value = v;
                break;
            }
        }
        if value.is_empty()
            && let Some((_, v)) = json_tags.iter().find(|(k, _)| *k == wanted[t])
        {
            value = v;
        }
        tags.push(value);
    }
    li.tags = &tags;
    let columns = map.columns;
    agg.add(&li, &columns);
    Ok(())
}

/// A CUR 2.0 `resource_tags` cell: a JSON object of string values, keys normalized.
pub fn parse_tag_json(cell: &[u8]) -> Result<Vec<(String, String)>, serde_json::Error> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(cell)?;
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((normalize(&k), s)),
            serde_json::Value::Null => None,
            other => Some((normalize(&k), other.to_string())),
        })
        .collect())
}
