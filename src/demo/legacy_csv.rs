//! Legacy CUR CSV deliveries (CUR.md §1.4–1.5): parts, manifests, create-new assemblies (with
//! one stale assembly per period that readers must ignore) or overwrite.

use std::io::{self, Write};

use flate2::write::GzEncoder;
use serde_json::json;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::model::{Model, Period};
use super::out::{Object, Sink};
use super::rng::Rng;
use super::row::{
    Cell, Column, Kind, Row, columns, push_fixed, push_line_item_id, push_sci, push_u64,
};
use super::truth::TruthBuilder;
use super::{Compression, DemoSpec, Versioning};

/// Seed offset of stale assemblies' data.
const STALE: u64 = 0x57A1E;

/// Appends a CSV field, quoted when needed.
fn push_text(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    // `<[u8]>::contains` is memchr, fast even in debug builds.
    if b.contains(&b',') || b.contains(&b'"') || b.contains(&b'\n') || b.contains(&b'\r') {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn push_2(out: &mut Vec<u8>, v: i64) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Appends `YYYY-MM-DDTHH:MM:SS[.000]Z` for Unix seconds (civil-from-days, no allocation).
pub fn push_time(out: &mut Vec<u8>, secs: i64, millis: bool) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    push_u64(out, y as u64);
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
    out.push(b'T');
    push_2(out, rem / 3600);
    out.push(b':');
    push_2(out, rem / 60 % 60);
    out.push(b':');
    push_2(out, rem % 60);
    if millis {
        out.extend_from_slice(b".000");
    }
    out.push(b'Z');
}

/// Appends one cell as CSV text. `millis` applies to usage dates.
pub fn push_cell(out: &mut Vec<u8>, cell: Cell<'_>, field_is_period: bool, millis: bool) {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => push_text(out, s),
        Cell::Number(v) => push_fixed(out, v),
        Cell::Sci(v) => push_sci(out, v),
        Cell::Time(t) => push_time(out, t, millis || field_is_period),
        Cell::Interval(a, b) => {
            push_time(out, a, false);
            out.push(b'/');
            push_time(out, b, false);
        }
        Cell::Id(id) => push_line_item_id(out, id),
    }
}

/// Appends a row's cells for `cols`, then a newline.
pub fn push_row(out: &mut Vec<u8>, model: &Model, cols: &[Column], row: &Row<'_>) {
    use super::row::Field;
    let mut tags: [&str; 32] = [""; 32];
    for (k, v) in row.tags {
        tags[usize::from(*k) & 31] = v;
    }
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match c.field {
            Field::Tag(k) => push_text(out, tags[usize::from(k) & 31]),
            Field::BillingPeriodStart | Field::BillingPeriodEnd => {
                push_cell(out, row.cell(model, c.field), true, row.millis);
            }
            f => push_cell(out, row.cell(model, f), false, row.millis),
        }
    }
    out.push(b'\n');
}

/// A part's byte stream with its compression.
pub enum Encoded {
    Plain(Object),
    Gz(Box<GzEncoder<Object>>),
    Zip(Box<ZipWriter<Object>>),
}

impl Encoded {
    pub fn gzip(o: Object) -> Self {
        Encoded::Gz(Box::new(GzEncoder::new(o, flate2::Compression::fast())))
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Encoded::Plain(o) => o.write_all(bytes),
            Encoded::Gz(g) => g.write_all(bytes),
            Encoded::Zip(z) => z.write_all(bytes),
        }
    }

    pub fn finish(self) -> io::Result<Object> {
        match self {
            Encoded::Plain(o) => Ok(o),
            Encoded::Gz(g) => g.finish(),
            Encoded::Zip(z) => z.finish().map_err(io::Error::other),
        }
    }
}

/// Parts written round-robin, with a reusable buffer each.
pub struct Parts {
    parts: Vec<(Encoded, Vec<u8>)>,
    next: usize,
}

const FLUSH_AT: usize = 256 * 1024;

impl Parts {
    pub fn new(parts: Vec<Encoded>, header: &[u8]) -> Self {
        Self {
            parts: parts
                .into_iter()
                .map(|e| {
                    let mut buf = Vec::with_capacity(FLUSH_AT + 64 * 1024);
                    buf.extend_from_slice(header);
                    (e, buf)
                })
                .collect(),
            next: 0,
        }
    }

    /// The buffer the next row goes to; flushes it when full.
    pub fn row(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        let i = self.next;
        self.next = (self.next + 1) % self.parts.len();
        let (enc, buf) = &mut self.parts[i];
        f(buf);
        if buf.len() >= FLUSH_AT {
            enc.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }

    pub fn finish(self, sink: &mut dyn Sink) -> io::Result<()> {
        for (mut enc, buf) in self.parts {
            enc.write_all(&buf)?;
            sink.commit(enc.finish()?)?;
        }
        Ok(())
    }
}

/// `20161101T000000.000Z`.
pub fn manifest_date(d: chrono::NaiveDate) -> String {
    format!("{}T000000.000Z", d.format("%Y%m%d"))
}

/// The CSV header line of `cols`.
pub fn header(cols: &[Column], name: impl Fn(&Column) -> String) -> Vec<u8> {
    let mut h = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            h.push(b',');
        }
        push_text(&mut h, &name(c));
    }
    h.push(b'\n');
    h
}

/// Writes one assembly (parts + its manifest(s)); returns the manifest JSON and part keys.
#[allow(clippy::too_many_arguments)]
fn write_assembly(
    spec: &DemoSpec,
    model: &Model,
    period: &Period,
    (compression, parts): (Compression, usize),
    folder: &str,
    assembly_id: &str,
    end_day: u32,
    vseed: u64,
    sink: &mut dyn Sink,
    mut truth: Option<&mut TruthBuilder<'_>>,
) -> io::Result<(Vec<u8>, Vec<String>)> {
    let cols = columns(model);
    let ext = match compression {
        Compression::Gzip => "csv.gz",
        Compression::Zip => "csv.zip",
        Compression::None => "csv",
    };
    let mut keys = Vec::new();
    let mut encoders = Vec::new();
    for n in 1..=parts {
        let key = format!("{folder}/{}-{n}.{ext}", spec.report);
        let obj = sink.create(&key)?;
        keys.push(key);
        encoders.push(match compression {
            Compression::Gzip => Encoded::gzip(obj),
            Compression::None => Encoded::Plain(obj),
            Compression::Zip => {
                let mut z = ZipWriter::new(obj);
                let opts = SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .large_file(true)
                    .last_modified_time(zip::DateTime::default());
                z.start_file(format!("{}-{n}.csv", spec.report), opts)
                    .map_err(io::Error::other)?;
                Encoded::Zip(Box::new(z))
            }
        });
    }
    let mut out = Parts::new(encoders, &header(&cols, Column::csv_name));
    model.emit_days(period, end_day, vseed, &mut |row| {
        if let Some(t) = truth.as_deref_mut() {
            t.add(row);
        }
        out.row(|buf| push_row(buf, model, &cols, row))
    })?;
    out.finish(sink)?;
    let mut rng = Rng::derive(&[spec.seed, 0x4E9, period.first_day.into()]);
    let manifest = json!({
        "assemblyId": assembly_id,
        "account": model.accounts[0].id,
        "columns": cols.iter().map(|c| json!({
            "category": c.category,
            "name": c.name,
            "type": match c.kind {
                Kind::Text => "OptionalString",
                Kind::Number => "OptionalBigDecimal",
                Kind::Time => "DateTime",
            },
        })).collect::<Vec<_>>(),
        "charset": "UTF-8",
        "compression": match compression {
            Compression::Gzip => "GZIP",
            Compression::Zip => "ZIP",
            Compression::None => "NONE",
        },
        "contentType": "text/csv",
        "reportId": rng.hex(64),
        "reportName": spec.report,
        "billingPeriod": {
            "start": manifest_date(period.start),
            "end": manifest_date(period.end),
        },
        "bucket": spec.bucket,
        "reportKeys": keys,
        "additionalArtifactKeys": [],
    });
    let bytes = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
    Ok((bytes, keys))
}

/// Writes one billing period of a legacy CSV delivery.
#[allow(clippy::too_many_arguments)]
pub fn write_period(
    spec: &DemoSpec,
    model: &Model,
    period: &Period,
    (versioning, compression, parts): (Versioning, Compression, usize),
    sink: &mut dyn Sink,
    truth: &mut TruthBuilder<'_>,
    written: &mut Vec<String>,
    stale: &mut Vec<String>,
) -> io::Result<()> {
    let root = format!("{}/{}", spec.report_root(), period.folder());
    let manifest_name = format!("{}-Manifest.json", spec.report);
    let mut rng = Rng::derive(&[spec.seed, 0xA55E, period.first_day.into()]);
    let create_new = versioning == Versioning::CreateNew;
    // Create-new: the latest period keeps an older delivery too (AWS re-delivers the open month),
    // with fewer days and different numbers; only the top manifest says which is current.
    if create_new && period.end_day == model.days {
        let stale_id = rng.uuid();
        let days = period.end_day - period.first_day;
        let stale_end = period.first_day + days.saturating_sub(2).max(1);
        let folder = format!("{root}/{stale_id}");
        let (bytes, keys) = write_assembly(
            spec,
            model,
            period,
            (compression, parts),
            &folder,
            &stale_id,
            stale_end,
            spec.seed ^ STALE,
            sink,
            None,
        )?;
        let key = format!("{folder}/{manifest_name}");
        sink.put(&key, &bytes)?;
        stale.extend(keys.iter().cloned());
        stale.push(key.clone());
        written.extend(keys);
        written.push(key);
    }
    let id = rng.uuid();
    let folder = if create_new {
        format!("{root}/{id}")
    } else {
        root.clone()
    };
    let (bytes, keys) = write_assembly(
        spec,
        model,
        period,
        (compression, parts),
        &folder,
        &id,
        period.end_day,
        model.seed,
        sink,
        Some(truth),
    )?;
    written.extend(keys);
    let mut manifests = vec![format!("{root}/{manifest_name}")];
    if create_new {
        manifests.push(format!("{folder}/{manifest_name}"));
    }
    for key in manifests {
        sink.put(&key, &bytes)?;
        written.push(key);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64, millis: bool) -> String {
        let mut v = Vec::new();
        push_time(&mut v, secs, millis);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(t(0, false), "1970-01-01T00:00:00Z");
        assert_eq!(t(1_714_521_600, false), "2024-05-01T00:00:00Z");
        assert_eq!(
            t(1_714_521_600 + 3600 * 13 + 61, true),
            "2024-05-01T13:01:01.000Z"
        );
        assert_eq!(t(951_782_400, false), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn text_is_quoted_only_when_needed() {
        let mut v = Vec::new();
        push_text(&mut v, "a,b \"c\"");
        assert_eq!(v, b"\"a,b \"\"c\"\"\"");
        v.clear();
        push_text(&mut v, "plain");
        assert_eq!(v, b"plain");
    }
}
