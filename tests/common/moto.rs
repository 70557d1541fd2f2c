//! The local AWS server of `scripts/test.sh` (moto, with `scripts/moto_server.py`'s additions):
//! its URL, and Athena results queued for the next queries of a region.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};

/// The local server's URL; the tests that talk AWS cannot run without it.
pub fn endpoint() -> String {
    std::env::var("CURTOP_TEST_S3_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "CURTOP_TEST_S3_ENDPOINT is not set: the AWS tests need the local server that \
             `bash scripts/test.sh` installs and starts"
        )
    })
}

/// Queues results for the next queries started in `region`.
pub fn queue(region: &str, results: &[Value]) {
    let body = json!({ "region": region, "results": results }).to_string();
    let url = endpoint();
    let host = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST /moto-api/static/athena/query-results HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// A result: a header row then data rows (`None` = SQL NULL).
pub fn result(header: &[&str], rows: &[Vec<Option<String>>]) -> Value {
    let cell = |v: Option<&str>| v.map_or(json!({}), |v| json!({ "VarCharValue": v }));
    let mut all = vec![json!({ "Data": header.iter().map(|h| cell(Some(h))).collect::<Vec<_>>() })];
    for r in rows {
        all.push(json!({ "Data": r.iter().map(|c| cell(c.as_deref())).collect::<Vec<_>>() }));
    }
    let info: Vec<Value> = header
        .iter()
        .map(|h| json!({ "Name": h, "Label": h, "Type": "varchar" }))
        .collect();
    json!({ "rows": all, "column_info": info })
}

/// A query that ends in `state` with Athena's `reason` (see `scripts/moto_server.py`).
pub fn outcome(state: &str, reason: &str) -> Value {
    result(
        &["__curtop_outcome__", "reason"],
        &[vec![Some(state.to_string()), Some(reason.to_string())]],
    )
}
