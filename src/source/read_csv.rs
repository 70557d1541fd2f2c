//! Streaming reader of CUR CSV parts (plain, `.gz`, `.zip`): legacy `category/Name` headers and
//! CUR 2.0 `snake_case` headers (with `resource_tags` as a JSON cell). Only the needed columns
//! are decoded; a malformed row is counted and skipped.

use std::io::{BufRead, BufReader, Read};

use csv::ByteRecord;

use super::error::SourceError;
use super::line_cap::{CUT_MARKER, LineCap, MAX_RECORD_BYTES};
use super::text_ids::RowIds;
use crate::cur::columns::{
    FIELD_COUNT, FIELDS, FOCUS_REQUIRED, Field, REQUIRED, column_of, normalize, tag_id,
    tag_of_column,
};
use crate::cur::line_item::{AWS_PROVIDER, ColumnSet, LineItem};
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
    /// Tag columns no wanted id names, as tag ids (`doctor` looks at them).
    pub unread_tags: Vec<String>,
    pub columns: ColumnSet,
    pub width: usize,
    /// The table is a FOCUS export (`docs/focus.md`): its names are FOCUS's, its tag keys are
    /// written as providers name them.
    pub focus: bool,
}

impl ColumnMap {
    /// Maps header names (any schema: legacy CUR, CUR 2.0, FOCUS) to fields and wanted tags.
    /// Where a table has two names of one field, the preferred one wins. Fails on missing
    /// required columns.
    pub fn new<'h>(
        headers: impl Iterator<Item = &'h str>,
        tag_ids: &[String],
        file: &str,
    ) -> Result<ColumnMap, SourceError> {
        let mut fields = [None; FIELD_COUNT];
        let mut ranks = [usize::MAX; FIELD_COUNT];
        let mut tags = vec![Vec::new(); tag_ids.len()];
        let mut unread_tags = Vec::new();
        let mut columns = ColumnSet::default();
        let mut width = 0;
        let mut focus = false;
        for (i, raw) in headers.enumerate() {
            width += 1;
            let name = normalize(raw.trim_start_matches('\u{feff}'));
            if let Some(c) = column_of(&name) {
                let f = c.field.index();
                focus |= c.focus;
                if c.rank < ranks[f] {
                    ranks[f] = c.rank;
                    fields[f] = Some(i);
                    columns.insert(c.field);
                }
            } else if let Some(tag) = tag_of_column(&name) {
                match tag_ids.iter().position(|id| id == tag) {
                    Some(t) => tags[t].push(i),
                    None => unread_tags.push(tag.to_string()),
                }
            }
        }
        let required = if focus { FOCUS_REQUIRED } else { REQUIRED };
        let missing: Vec<&'static str> = required
            .iter()
            .filter(|f| !columns.has(**f))
            .map(|f| f.name_in(focus))
            .collect();
        if !missing.is_empty() {
            return Err(SourceError::MissingColumns {
                file: file.to_string(),
                columns: missing,
            });
        }
        Ok(ColumnMap {
            fields,
            tags,
            unread_tags,
            columns,
            width,
            focus,
        })
    }

    pub fn col(&self, f: Field) -> Option<usize> {
        self.fields[f.index()]
    }

    /// A field's name as this table's users know it (`BilledCost` in FOCUS).
    pub fn name(&self, f: Field) -> &'static str {
        f.name_in(self.focus)
    }

    /// The provider of rows with no `ProviderName` value: AWS for a CUR, unknown for FOCUS.
    pub fn default_provider(&self) -> &'static str {
        if self.focus { "" } else { AWS_PROVIDER }
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
        Compression::None => {
            let mut input = BufReader::with_capacity(256 * 1024, input);
            if let Some(what) = sniff_compressed(input.fill_buf().map_err(io_err)?) {
                return Err(SourceError::Unreadable {
                    file: file.to_string(),
                    reason: format!("this file is {what} but named .csv; rename it accordingly"),
                });
            }
            read_csv_stream(input, file, agg)
        }
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

/// What a file named `.csv` really is when its first bytes say it is compressed (or Parquet).
fn sniff_compressed(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some("gzip-compressed (.csv.gz)")
    } else if head.starts_with(b"PK\x03\x04") {
        Some("a zip archive (.csv.zip)")
    } else if head.starts_with(b"PAR1") {
        Some("Parquet (.parquet)")
    } else {
        None
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
        .from_reader(LineCap::new(input, MAX_RECORD_BYTES));
    let mut record = ByteRecord::new();
    // An S3 body that broke off keeps its failure, for its diagnosis (a broken connection is
    // not a broken file).
    let io = |e: csv::Error| {
        let reason = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(error) if super::s3::failure_of(&error).is_some() => {
                SourceError::Io {
                    path: file.to_string(),
                    error,
                }
            }
            _ => SourceError::Unreadable {
                file: file.to_string(),
                reason,
            },
        }
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
    agg.quality()
        .unread(map.unread_tags.iter().map(String::as_str), &[]);
    let money_fields: Vec<(Field, usize)> = FIELDS
        .iter()
        .filter(|(f, _)| f.is_number())
        .filter_map(|(f, _)| map.col(*f).map(|i| (*f, i)))
        .collect();
    let day_col = map.col(Field::UsageStartDate).unwrap_or(0);
    let wanted = agg.plan().ids.clone();
    // Rows equal on every classified text are classified once. Tags from a JSON cell (CUR
    // 2.0) take the row-by-row path.
    let mut ids = tag_map_col.is_none().then(RowIds::default);
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
        if record.iter().next_back() == Some(CUT_MARKER) {
            agg.quality().malformed(
                file,
                line,
                format!(
                    "the line is longer than {} MiB, the longest curtop reads",
                    MAX_RECORD_BYTES >> 20
                ),
            );
            continue;
        }
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
            ids.as_mut(),
            agg,
        ) {
            Ok(()) => {}
            Err(reason) => agg.quality().malformed(file, line, reason),
        }
    }
    Ok(())
}

/// A text field of a row ("" when the table has no such column). FOCUS writes SQL nulls as
/// `NULL` in CSV, which reads as empty.
fn text<'r>(record: &'r ByteRecord, map: &ColumnMap, field: Field) -> Result<&'r str, String> {
    match map.col(field) {
        None => Ok(""),
        Some(i) if map.focus && &record[i] == b"NULL" => Ok(""),
        Some(i) => std::str::from_utf8(&record[i])
            .map_err(|_| format!("{} is not valid UTF-8", map.name(field))),
    }
}

/// Reads one row into the aggregator: by template when `ids` identifies its classified texts.
#[expect(
    clippy::too_many_arguments,
    reason = "the part's column layout, read once per part, and the row"
)]
fn parse_row(
    record: &ByteRecord,
    map: &ColumnMap,
    money_fields: &[(Field, usize)],
    day_col: usize,
    tag_map_col: Option<usize>,
    wanted: &[String],
    ids: Option<&mut RowIds>,
    agg: &mut Aggregator<'_>,
) -> Result<(), String> {
    let raw_day = &record[day_col];
    let day = parse_day(raw_day).ok_or_else(|| {
        format!(
            "{} `{}` is not a timestamp",
            map.name(Field::UsageStartDate),
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
    let line_item_type = text(record, map, Field::LineItemType)?;
    if line_item_type.is_empty() {
        return Err(format!("{} is empty", map.name(Field::LineItemType)));
    }
    let mut li = LineItem::new(day, line_item_type, Money::ZERO);
    li.amounts[Field::UnblendedCost.index()] = None;
    for &(f, i) in money_fields {
        let cell = &record[i];
        let null = cell.is_empty() || (map.focus && cell == b"NULL");
        if !null {
            let m = Money::parse(cell)
                .map_err(|e| format!("{} `{}`: {e}", map.name(f), String::from_utf8_lossy(cell)))?;
            li.amounts[f.index()] = Some(m);
        }
    }
    if li.amount(Field::UnblendedCost).is_none() {
        return Err(format!("{} is empty", map.name(Field::UnblendedCost)));
    }
    li.account = text(record, map, Field::UsageAccountId)?;
    li.product_code = text(record, map, Field::ProductCode)?;
    li.usage_type = text(record, map, Field::UsageType)?;
    li.operation = text(record, map, Field::Operation)?;
    li.resource_id = text(record, map, Field::ResourceId)?;
    li.description = text(record, map, Field::LineItemDescription)?;
    li.reservation_arn = text(record, map, Field::ReservationArn)?;
    li.split_parent = text(record, map, Field::SplitParentResourceId)?;
    li.provider = text(record, map, Field::ProviderName)?;
    if li.provider.is_empty() {
        li.provider = map.default_provider();
    }
    li.currency = text(record, map, Field::BillingCurrency)?;
    li.charge_class = text(record, map, Field::ChargeClass)?;
    li.account_name = text(record, map, Field::SubAccountName)?;

    // Tags: flat columns (legacy, Athena) or CUR 2.0's JSON map cell (FOCUS's `Tags`).
    let json_tags: Vec<(String, String)> = match tag_map_col {
        Some(i) if !wanted.is_empty() && !text(record, map, Field::ResourceTagsMap)?.is_empty() => {
            parse_tag_json(&record[i], map.focus).map_err(|e| {
                format!(
                    "{} is not a JSON object: {e}",
                    map.name(Field::ResourceTagsMap)
                )
            })?
        }
        _ => Vec::new(),
    };
    agg.quality()
        .unread(json_tags.iter().map(|(k, _)| k.as_str()), wanted);
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
    let Some(ids) = ids else {
        agg.add(&li, &columns);
        return Ok(());
    };
    // The texts classification reads, as the Parquet reader identifies them.
    let key = ids.key(
        [
            li.line_item_type,
            li.operation,
            li.product_code,
            li.resource_id,
            li.split_parent,
            li.account,
            li.usage_type,
            li.provider,
            li.currency,
        ]
        .into_iter()
        .chain(tags.iter().copied()),
    );
    let template = match agg.template_of(key) {
        Some(t) => t,
        None => agg.template(key, &li),
    };
    agg.add_templated(template, &li, &columns);
    Ok(())
}

/// A tag map cell (CUR 2.0 `resource_tags`, FOCUS `Tags`): a JSON object, keys as tag ids.
/// CUR 2.0 keys are already in column form (`user_team`); FOCUS keys are as the provider
/// names them (`team`, `goog-k8s-cluster-name`) and take the rule a mapping's keys take.
pub fn parse_tag_json(
    cell: &[u8],
    focus: bool,
) -> Result<Vec<(String, String)>, serde_json::Error> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(cell)?;
    let id = |k: &str| if focus { tag_id(k) } else { normalize(k) };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((id(&k), s)),
            serde_json::Value::Null => None,
            other => Some((id(&k), other.to_string())),
        })
        .collect())
}
