//! A 64 MiB CSV line is read with bounded memory: the record cap (`source::line_cap`) keeps
//! the CSV parser from holding the line. Alone in its test binary, so the process's peak
//! memory is this read's.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

/// The process's peak resident memory (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_64_mib_line_does_not_make_the_reader_hold_it() {
    let dir = common::temp_dir("line-cap-memory");
    let file = dir.join("bill.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&file).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(
        b"lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost\n\
          Usage,2026-11-02T00:00:00Z,1\n\"",
    )
    .unwrap();
    // One quoted field of short lines: a record, not a physical line, is what is capped.
    let piece = b"x\n".repeat(1 << 19);
    for _ in 0..64 {
        gz.write_all(&piece).unwrap();
    }
    gz.write_all(b"\",2026-11-02T00:00:00Z,1\nUsage,2026-11-02T00:00:00Z,2\n")
        .unwrap();
    gz.finish().unwrap();
    let before = peak_rss_kib();
    let facts = common::read_path(&file, &curtop::config::TagMapping::default()).unwrap();
    let grew = peak_rss_kib().saturating_sub(before);
    // The line is 64 MiB; the read's buffers are a few MiB.
    assert!(grew < 24 * 1024, "peak memory grew by {grew} KiB");
    assert_eq!(facts.quality.rows_read, 3);
    assert_eq!(facts.quality.malformed_rows, 1);
    assert!(
        facts.quality.examples[0]
            .reason
            .contains("longer than 1 MiB"),
        "{:?}",
        facts.quality.examples
    );
}
