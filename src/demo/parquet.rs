//! Parquet deliveries: legacy CUR with Athena integration (CUR.md §1.5) and CUR 2.0 Data Exports
//! (§2.1–2.2, Parquet or CSV.gz), with `snake_case` columns.

use std::io;
use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, MapBuilder, StringBuilder, TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression as PqCompression;
use parquet::file::properties::WriterProperties;
use serde_json::json;

use super::legacy_csv::{Encoded, Parts, manifest_date, push_cell, push_time};
use super::model::{Model, Period, ts};
use super::out::{Object, Sink};
use super::rng::Rng;
use super::row::{Cell, Field, Kind, NANO, Row, columns, push_fixed, push_line_item_id};
use super::truth::TruthBuilder;
use super::{Cur2Format, DemoSpec};

/// Product columns CUR 2.0 keeps flat; the others go to the `product` map.
const CUR2_FLAT_PRODUCT: [&str; 7] = [
    "product_instance_type",
    "product_region_code",
    "product_servicecode",
    "product_sku",
    "product_product_family",
    "product_from_location",
    "product_to_location",
];

const BATCH_ROWS: usize = 32 * 1024;

/// Where an output column's values come from.
#[derive(Debug, Clone)]
enum Source {
    /// The first non-empty of these fields (Athena merges columns whose names collide).
    Fields(Vec<Field>),
    /// A `map<string,string>` of (key, field).
    Map(Vec<(String, Field)>),
}

/// An output column of a `snake_case` table.
#[derive(Debug, Clone)]
pub struct OutColumn {
    pub name: String,
    kind: Kind,
    source: Source,
    is_map: bool,
}

impl OutColumn {
    fn data_type(&self) -> DataType {
        if self.is_map {
            return map_type();
        }
        match self.kind {
            Kind::Text => DataType::Utf8,
            Kind::Number => DataType::Float64,
            Kind::Time => DataType::Timestamp(TimeUnit::Millisecond, None),
        }
    }

    /// The type name of a CUR 2.0 manifest.
    fn type_name(&self) -> &'static str {
        if self.is_map {
            return "map<string,string>";
        }
        match self.kind {
            Kind::Text => "string",
            Kind::Number => "double",
            Kind::Time => "timestamp",
        }
    }
}

fn map_type() -> DataType {
    DataType::Map(
        Arc::new(ArrowField::new(
            "entries",
            DataType::Struct(
                vec![
                    ArrowField::new("key", DataType::Utf8, false),
                    ArrowField::new("value", DataType::Utf8, true),
                ]
                .into(),
            ),
            false,
        )),
        false,
    )
}

/// Legacy Athena columns: every report column under its Athena name, collisions merged.
pub fn legacy_columns(model: &Model) -> Vec<OutColumn> {
    let mut out: Vec<OutColumn> = Vec::new();
    for c in columns(model) {
        let name = c.athena_name();
        if let Some(existing) = out.iter_mut().find(|o| o.name == name) {
            if let Source::Fields(f) = &mut existing.source {
                f.push(c.field);
            }
        } else {
            out.push(OutColumn {
                name,
                kind: c.kind,
                source: Source::Fields(vec![c.field]),
                is_map: false,
            });
        }
    }
    out
}

/// CUR 2.0 columns: flat `snake_case` columns, `resource_tags` and `product` maps, and the
/// CUR 2.0 account-name columns.
pub fn cur2_columns(model: &Model) -> Vec<OutColumn> {
    let mut flat: Vec<OutColumn> = Vec::new();
    let mut tags: Vec<(String, Field)> = Vec::new();
    let mut product: Vec<(String, Field)> = Vec::new();
    for c in columns(model) {
        let name = c.athena_name();
        if let Some(key) = name.strip_prefix("resource_tags_") {
            tags.push((key.to_string(), c.field));
        } else if c.category == "product" && !CUR2_FLAT_PRODUCT.contains(&name.as_str()) {
            let key = name.trim_start_matches("product_").to_string();
            product.push((key, c.field));
        } else {
            flat.push(OutColumn {
                name: name.clone(),
                kind: c.kind,
                source: Source::Fields(vec![c.field]),
                is_map: false,
            });
            let extra = match name.as_str() {
                "bill_payer_account_id" => {
                    Some(("bill_payer_account_name", Field::PayerAccountName))
                }
                "line_item_usage_account_id" => {
                    Some(("line_item_usage_account_name", Field::UsageAccountName))
                }
                _ => None,
            };
            if let Some((n, f)) = extra {
                flat.push(OutColumn {
                    name: n.into(),
                    kind: Kind::Text,
                    source: Source::Fields(vec![f]),
                    is_map: false,
                });
            }
        }
    }
    for (name, entries) in [("product", product), ("resource_tags", tags)] {
        flat.push(OutColumn {
            name: name.into(),
            kind: Kind::Text,
            source: Source::Map(entries),
            is_map: true,
        });
    }
    flat
}

/// The text of a cell (text columns, map values, CSV).
fn cell_text(out: &mut Vec<u8>, cell: Cell<'_>, millis: bool) {
    match cell {
        Cell::Number(v) | Cell::Sci(v) => push_fixed(out, v),
        Cell::Text(s) => out.extend_from_slice(s.as_bytes()),
        Cell::Id(id) => push_line_item_id(out, id),
        c => push_cell(out, c, false, millis),
    }
}

fn first_cell<'a>(row: &Row<'a>, model: &'a Model, fields: &[Field]) -> Cell<'a> {
    fields
        .iter()
        .map(|f| row.cell(model, *f))
        .find(|c| *c != Cell::Empty && *c != Cell::Text(""))
        .unwrap_or(Cell::Empty)
}

#[allow(clippy::large_enum_variant)] // one per column, not per row
enum Builder {
    Text(StringBuilder),
    Number(Float64Builder),
    Time(TimestampMillisecondBuilder),
    Map(MapBuilder<StringBuilder, StringBuilder>),
}

/// A Parquet file being written in batches.
struct Table {
    cols: Vec<OutColumn>,
    schema: SchemaRef,
    builders: Vec<Builder>,
    rows: usize,
    writer: ArrowWriter<Object>,
    scratch: Vec<u8>,
}

fn new_builders(cols: &[OutColumn]) -> Vec<Builder> {
    cols.iter()
        .map(|c| {
            if c.is_map {
                return Builder::Map(MapBuilder::new(
                    None,
                    StringBuilder::new(),
                    StringBuilder::new(),
                ));
            }
            match c.kind {
                Kind::Text => {
                    Builder::Text(StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 8))
                }
                Kind::Number => Builder::Number(Float64Builder::with_capacity(BATCH_ROWS)),
                Kind::Time => Builder::Time(TimestampMillisecondBuilder::with_capacity(BATCH_ROWS)),
            }
        })
        .collect()
}

impl Table {
    fn new(cols: Vec<OutColumn>, obj: Object) -> io::Result<Self> {
        let schema: SchemaRef = Arc::new(Schema::new(
            cols.iter()
                .map(|c| ArrowField::new(&c.name, c.data_type(), true))
                .collect::<Vec<_>>(),
        ));
        let props = WriterProperties::builder()
            .set_compression(PqCompression::SNAPPY)
            .set_created_by("curtop demo generator".into())
            .build();
        let writer = ArrowWriter::try_new(obj, Arc::clone(&schema), Some(props))
            .map_err(io::Error::other)?;
        Ok(Self {
            builders: new_builders(&cols),
            cols,
            schema,
            rows: 0,
            writer,
            scratch: Vec::new(),
        })
    }

    fn push(&mut self, model: &Model, row: &Row<'_>) -> io::Result<()> {
        for (c, b) in self.cols.iter().zip(self.builders.iter_mut()) {
            match (&c.source, b) {
                (Source::Fields(fields), Builder::Text(b)) => {
                    match first_cell(row, model, fields) {
                        Cell::Empty => b.append_null(),
                        Cell::Text(s) => b.append_value(s),
                        cell => {
                            self.scratch.clear();
                            cell_text(&mut self.scratch, cell, row.millis);
                            b.append_value(String::from_utf8_lossy(&self.scratch));
                        }
                    }
                }
                (Source::Fields(fields), Builder::Number(b)) => {
                    match first_cell(row, model, fields) {
                        Cell::Number(v) | Cell::Sci(v) => b.append_value(v as f64 / NANO as f64),
                        _ => b.append_null(),
                    }
                }
                (Source::Fields(fields), Builder::Time(b)) => {
                    match first_cell(row, model, fields) {
                        Cell::Time(t) => b.append_value(t * 1000),
                        _ => b.append_null(),
                    }
                }
                (Source::Map(entries), Builder::Map(b)) => {
                    for (key, f) in entries {
                        let cell = row.cell(model, *f);
                        if cell == Cell::Empty {
                            continue;
                        }
                        self.scratch.clear();
                        cell_text(&mut self.scratch, cell, row.millis);
                        b.keys().append_value(key);
                        b.values()
                            .append_value(String::from_utf8_lossy(&self.scratch));
                    }
                    b.append(true).map_err(io::Error::other)?;
                }
                _ => {}
            }
        }
        self.rows += 1;
        if self.rows.is_multiple_of(BATCH_ROWS) {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let arrays: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    Builder::Text(b) => Arc::new(b.finish()),
                    Builder::Number(b) => Arc::new(b.finish()),
                    Builder::Time(b) => Arc::new(b.finish()),
                    Builder::Map(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        if arrays.first().is_some_and(|a| a.is_empty()) {
            return Ok(());
        }
        let batch =
            RecordBatch::try_new(Arc::clone(&self.schema), arrays).map_err(io::Error::other)?;
        self.writer.write(&batch).map_err(io::Error::other)
    }

    fn finish(mut self, sink: &mut dyn Sink) -> io::Result<()> {
        self.flush()?;
        let obj = self.writer.into_inner().map_err(io::Error::other)?;
        sink.commit(obj)
    }
}

/// One legacy Athena-integration month: `<report>/year=YYYY/month=M/<report>-00001.snappy.parquet`.
pub fn write_legacy_period(
    spec: &DemoSpec,
    model: &Model,
    period: &Period,
    sink: &mut dyn Sink,
    truth: &mut TruthBuilder<'_>,
    written: &mut Vec<String>,
) -> io::Result<()> {
    use chrono::Datelike;
    let key = format!(
        "{}/{}/year={}/month={}/{}-00001.snappy.parquet",
        spec.report_root(),
        spec.report,
        period.start.year(),
        period.start.month(),
        spec.report
    );
    let mut table = Table::new(legacy_columns(model), sink.create(&key)?)?;
    model.emit_days(period, period.end_day, model.seed, &mut |row| {
        truth.add(row);
        table.push(model, row)
    })?;
    table.finish(sink)?;
    written.push(key);
    Ok(())
}

/// `cost_and_usage_data_status/cost_and_usage_data_status.parquet` with `status` = `READY`.
pub fn write_status(
    spec: &DemoSpec,
    sink: &mut dyn Sink,
    written: &mut Vec<String>,
) -> io::Result<()> {
    let key = format!(
        "{}/cost_and_usage_data_status/cost_and_usage_data_status.parquet",
        spec.report_root()
    );
    let schema = Arc::new(Schema::new(vec![ArrowField::new(
        "status",
        DataType::Utf8,
        true,
    )]));
    let mut w = ArrowWriter::try_new(sink.create(&key)?, Arc::clone(&schema), None)
        .map_err(io::Error::other)?;
    let mut b = StringBuilder::new();
    b.append_value("READY");
    let batch = RecordBatch::try_new(schema, vec![Arc::new(b.finish()) as ArrayRef])
        .map_err(io::Error::other)?;
    w.write(&batch).map_err(io::Error::other)?;
    sink.commit(w.into_inner().map_err(io::Error::other)?)?;
    written.push(key);
    Ok(())
}

pub(super) fn push_json_str(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// A CUR 2.0 CSV row: maps as JSON object cells, times with milliseconds.
fn push_cur2_csv_row(
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
    model: &Model,
    cols: &[OutColumn],
    row: &Row<'_>,
) {
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        scratch.clear();
        match &c.source {
            Source::Fields(fields) => match first_cell(row, model, fields) {
                Cell::Time(t) => push_time(scratch, t, true),
                cell => cell_text(scratch, cell, row.millis),
            },
            Source::Map(entries) => {
                scratch.push(b'{');
                let mut first = true;
                let mut v = Vec::new();
                for (key, f) in entries {
                    let cell = row.cell(model, *f);
                    if cell == Cell::Empty {
                        continue;
                    }
                    if !first {
                        scratch.push(b',');
                    }
                    first = false;
                    push_json_str(scratch, key.as_bytes());
                    scratch.push(b':');
                    v.clear();
                    cell_text(&mut v, cell, row.millis);
                    push_json_str(scratch, &v);
                }
                scratch.push(b'}');
            }
        }
        if scratch.contains(&b',') || scratch.contains(&b'"') || scratch.contains(&b'\n') {
            out.push(b'"');
            for &b in scratch.iter() {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(scratch);
        }
    }
    out.push(b'\n');
}

/// One CUR 2.0 billing period: data file and manifest.
pub fn write_cur2_period(
    spec: &DemoSpec,
    model: &Model,
    period: &Period,
    format: Cur2Format,
    sink: &mut dyn Sink,
    truth: &mut TruthBuilder<'_>,
    written: &mut Vec<String>,
) -> io::Result<()> {
    let bp = period.start.format("%Y-%m").to_string();
    let root = spec.report_root();
    let cols = cur2_columns(model);
    let ext = match format {
        Cur2Format::Parquet => "snappy.parquet",
        Cur2Format::CsvGz => "csv.gz",
    };
    let key = format!(
        "{root}/data/BILLING_PERIOD={bp}/{}-00001.{ext}",
        spec.report
    );
    match format {
        Cur2Format::Parquet => {
            let mut table = Table::new(cols.clone(), sink.create(&key)?)?;
            model.emit_days(period, period.end_day, model.seed, &mut |row| {
                truth.add(row);
                table.push(model, row)
            })?;
            table.finish(sink)?;
        }
        Cur2Format::CsvGz => {
            let mut header = Vec::new();
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    header.push(b',');
                }
                header.extend_from_slice(c.name.as_bytes());
            }
            header.push(b'\n');
            let mut parts = Parts::new(vec![Encoded::gzip(sink.create(&key)?)], &header);
            let mut scratch = Vec::new();
            model.emit_days(period, period.end_day, model.seed, &mut |row| {
                truth.add(row);
                parts.row(|buf| push_cur2_csv_row(buf, &mut scratch, model, &cols, row))
            })?;
            parts.finish(sink)?;
        }
    }
    let columns: Vec<(&str, &str)> = cols
        .iter()
        .map(|c| (c.name.as_str(), c.type_name()))
        .collect();
    put_export_manifest(spec, model, period, 0xC2, &columns, &[key], sink, written)
}

/// Writes a Data Export's manifest for `period` (`data_keys` its data files, already written)
/// and records both in `written`. `tag` seeds its execution id.
#[allow(clippy::too_many_arguments)]
pub(super) fn put_export_manifest(
    spec: &DemoSpec,
    model: &Model,
    period: &Period,
    tag: u64,
    columns: &[(&str, &str)],
    data_keys: &[String],
    sink: &mut dyn Sink,
    written: &mut Vec<String>,
) -> io::Result<()> {
    let mut rng = Rng::derive(&[spec.seed, tag, period.first_day.into()]);
    let manifest = json!({
        "executionId": rng.uuid(),
        "exportArn": format!(
            "arn:aws:bcm-data-exports:us-east-1:{}:export/{}",
            model.accounts[0].id, spec.report
        ),
        "exportName": spec.report,
        "columns": columns.iter().map(|(name, ty)| json!({"name": name, "type": ty})).collect::<Vec<_>>(),
        "dataFiles": data_keys.iter().map(|k| format!("s3://{}/{k}", spec.bucket)).collect::<Vec<_>>(),
        "billingPeriod": {
            "start": manifest_date(period.start),
            "end": manifest_date(period.end),
        },
        "deliveryTimestamp": format!("{}", ts(period.start)),
    });
    let bp = period.start.format("%Y-%m");
    let mkey = format!(
        "{}/metadata/BILLING_PERIOD={bp}/{}-Manifest.json",
        spec.report_root(),
        spec.report
    );
    sink.put(
        &mkey,
        &serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?,
    )?;
    written.extend(data_keys.iter().cloned());
    written.push(mkey);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_type_is_a_string_map() {
        assert!(matches!(map_type(), DataType::Map(_, false)));
    }

    #[test]
    fn column_name_sets() {
        let spec = DemoSpec::demo(
            1,
            2,
            chrono::NaiveDate::from_ymd_opt(2024, 5, 3).unwrap_or_default(),
        );
        let m = Model::build(&spec);
        let legacy: Vec<String> = legacy_columns(&m).into_iter().map(|c| c.name).collect();
        assert!(legacy.contains(&"resource_tags_user_environment".to_string()));
        assert!(legacy.contains(&"reservation_reservation_a_r_n".to_string()));
        let cur2: Vec<String> = cur2_columns(&m).into_iter().map(|c| c.name).collect();
        assert!(cur2.contains(&"bill_payer_account_name".to_string()));
        assert!(cur2.contains(&"resource_tags".to_string()));
        assert!(!cur2.iter().any(|c| c.starts_with("resource_tags_")));
    }
}
