//! A cap on the length of one CSV record, applied to the bytes before the CSV parser sees
//! them: the parser holds a whole record in memory, so one 1 GB line would make it hold 1 GiB.
//! [`LineCap`] follows the record boundaries as the `csv` crate finds them (quotes open only
//! at a field's start, `""` inside quotes is a quote, newlines inside quotes belong to the
//! field), passes the first [`MAX_RECORD_BYTES`] of a record, drops the rest up to the record's
//! end and puts [`CUT_MARKER`] in its place as a last field, so the reader counts the record as
//! malformed. A field is capped by its record.

use std::io::{self, Read};

/// The longest record (line) read: 1 MiB. Real CUR rows are a few KiB (a wide legacy report
/// with many tags stays under 64 KiB).
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The last field of a record that was cut at the cap.
pub const CUT_MARKER: &[u8] = b"\0curtop: record cut at the length cap\0";

/// What a scan of buffered bytes stopped at.
enum Stop {
    /// Every byte scanned.
    None,
    /// The record reached the cap here: what follows is dropped up to the record's end.
    Cut,
    /// The dropped record ends here (its newline is the next byte).
    RecordEnd,
}

/// Caps the records of a CSV stream at `cap` bytes (see the module docs).
pub struct LineCap<R> {
    inner: R,
    cap: u64,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// Bytes of the current record before `buf[pos]`.
    len: u64,
    quoted: bool,
    /// A quote inside quotes was the last byte scanned: closing, or the first of `""`.
    quote_pending: bool,
    /// The byte before `buf[pos]` (a quote after a separator opens a quoted field).
    prev: u8,
    /// Dropping the rest of a record that reached the cap.
    skipping: bool,
    /// Bytes to hand out before any more input (the end of a cut record).
    marker: Vec<u8>,
    marker_pos: usize,
}

impl<R: Read> LineCap<R> {
    pub fn new(inner: R, cap: u64) -> Self {
        Self {
            inner,
            cap,
            buf: vec![0; 256 * 1024].into_boxed_slice(),
            pos: 0,
            end: 0,
            len: 0,
            quoted: false,
            quote_pending: false,
            prev: b'\n',
            skipping: false,
            marker: Vec::new(),
            marker_pos: 0,
        }
    }

    /// Scans `buf[pos..pos + limit]`, updating the record state; returns how many bytes were
    /// scanned and why it stopped there.
    fn scan(&mut self, limit: usize) -> (usize, Stop) {
        let chunk = &self.buf[self.pos..self.pos + limit];
        let mut start = 0; // where the current record began in `chunk`, or 0 if before it
        let mut len_before = self.len;
        let mut i = 0;
        if self.quote_pending && !chunk.is_empty() {
            self.quote_pending = false;
            if chunk[0] == b'"' {
                i = 1; // `""`: a quote inside the field
            } else {
                self.quoted = false;
            }
        }
        while i < chunk.len() {
            let rest = &chunk[i..];
            let hit = if self.quoted {
                memchr::memchr(b'"', rest)
            } else {
                memchr::memchr3(b'"', b'\n', b'\r', rest)
            };
            let at = hit.map_or(chunk.len(), |h| i + h);
            if !self.skipping {
                let used = len_before + (at - start) as u64;
                if used >= self.cap {
                    let cut = start + usize::try_from(self.cap - len_before).unwrap_or(0);
                    return (cut.max(i), Stop::Cut);
                }
            }
            if hit.is_none() {
                break;
            }
            let b = chunk[at];
            if self.quoted {
                // b == '"'
                match chunk.get(at + 1) {
                    Some(b'"') => i = at + 2,
                    Some(_) => {
                        self.quoted = false;
                        i = at + 1;
                    }
                    None => {
                        self.quote_pending = true;
                        i = at + 1;
                    }
                }
            } else if b == b'"' {
                let prev = if at == 0 { self.prev } else { chunk[at - 1] };
                if matches!(prev, b',' | b'\n' | b'\r') {
                    self.quoted = true;
                }
                i = at + 1;
            } else {
                // A record's end.
                if self.skipping {
                    self.skipping = false;
                    self.len = 0;
                    return (at, Stop::RecordEnd);
                }
                start = at + 1;
                len_before = 0;
                i = at + 1;
            }
        }
        self.len = len_before + (chunk.len() - start) as u64;
        (chunk.len(), Stop::None)
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.marker_pos < self.marker.len() {
                let n = (self.marker.len() - self.marker_pos).min(out.len());
                out[..n].copy_from_slice(&self.marker[self.marker_pos..self.marker_pos + n]);
                self.marker_pos += n;
                return Ok(n);
            }
            if self.pos == self.end {
                self.end = self.inner.read(&mut self.buf)?;
                self.pos = 0;
                if self.end == 0 {
                    return Ok(0);
                }
            }
            let limit = if self.skipping {
                self.end - self.pos
            } else {
                (self.end - self.pos).min(out.len())
            };
            let (n, stop) = self.scan(limit);
            let scanned = &self.buf[self.pos..self.pos + n];
            if let Some(&last) = scanned.last() {
                self.prev = last;
            }
            let was_skipping = self.skipping || matches!(stop, Stop::RecordEnd);
            if was_skipping {
                self.pos += n;
                if matches!(stop, Stop::RecordEnd) {
                    self.marker_pos = 0;
                }
                continue;
            }
            out[..n].copy_from_slice(scanned);
            self.pos += n;
            if matches!(stop, Stop::Cut) {
                // Close an open quote (`"` after a closing quote would escape it), then the
                // marker as the record's last field; its end comes with the record's newline.
                self.marker.clear();
                if self.quoted && !self.quote_pending {
                    self.marker.push(b'"');
                }
                self.quote_pending = false;
                self.marker.push(b',');
                self.marker.extend_from_slice(CUT_MARKER);
                self.marker_pos = self.marker.len(); // held back until the record ends
                self.skipping = true;
            }
            if n > 0 {
                return Ok(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8], cap: u64) -> Vec<Vec<Vec<u8>>> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineCap::new(input, cap));
        rdr.byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    #[test]
    fn short_records_pass_unchanged_quotes_and_newlines_included() {
        let text = b"a,b,c\n\"x,\"\"y\"\"\nz\",2,3\r\n4,5,6\n";
        let plain: Vec<Vec<Vec<u8>>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&text[..])
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect();
        assert_eq!(records(text, 1 << 20), plain);
        // Every cap at least as long as each record gives the same records.
        assert_eq!(records(text, 16), plain);
    }

    #[test]
    fn a_long_record_is_cut_and_marked_and_the_next_one_is_whole() {
        let mut text = b"h1,h2\n".to_vec();
        text.extend_from_slice(b"1,");
        text.extend(std::iter::repeat_n(b'x', 5000));
        text.extend_from_slice(b"\n2,ok\n");
        let rs = records(&text, 100);
        assert_eq!(
            rs.len(),
            3,
            "{:?}",
            rs.iter().map(Vec::len).collect::<Vec<_>>()
        );
        assert_eq!(rs[0], [b"h1".to_vec(), b"h2".to_vec()]);
        assert_eq!(rs[1].last().map(Vec::as_slice), Some(CUT_MARKER));
        assert!(rs[1].iter().map(Vec::len).sum::<usize>() < 200);
        assert_eq!(rs[2], [b"2".to_vec(), b"ok".to_vec()]);
    }

    #[test]
    fn a_long_quoted_field_with_newlines_is_cut_inside_its_quotes() {
        let mut text = b"1,\"".to_vec();
        for _ in 0..1000 {
            text.extend_from_slice(b"ab\"\"\n");
        }
        text.extend_from_slice(b"\",end\n2,ok\n");
        let rs = records(&text, 64);
        assert_eq!(rs.len(), 2, "{rs:?}");
        assert_eq!(rs[0].last().map(Vec::as_slice), Some(CUT_MARKER));
        assert_eq!(rs[1], [b"2".to_vec(), b"ok".to_vec()]);
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_data_as_csv_reads_it() {
        // `a"b` is a literal quote: the newline after it still ends the record.
        let text = b"a\"b,c\nd,e\n";
        let rs = records(text, 1 << 20);
        assert_eq!(rs.len(), 2);
        assert_eq!(records(text, 8).len(), 2);
    }
}
