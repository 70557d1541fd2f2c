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
    let answer = call(
        &endpoint(),
        "POST",
        "/moto-api/static/athena/query-results",
        body.as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// One plain HTTP/1.1 call to a local server (no signature: moto's main server does not
/// check them); the whole answer, status line first.
pub fn call(base: &str, method: &str, path: &str, body: &[u8]) -> String {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// Creates `bucket` (if new) and puts `bytes` at `key`.
pub fn put_object(bucket: &str, key: &str, bytes: &[u8]) {
    let _ = call(&endpoint(), "PUT", &format!("/{bucket}"), b"");
    let answer = call(&endpoint(), "PUT", &format!("/{bucket}/{key}"), bytes);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// The fault proxy of `scripts/test.sh` (`scripts/fault_proxy.py`) in front of the server.
pub fn fault_proxy() -> String {
    std::env::var("CURTOP_TEST_FAULT_PROXY").unwrap_or_else(|_| {
        panic!(
            "CURTOP_TEST_FAULT_PROXY is not set: the fault tests need the proxy that \
             `bash scripts/test.sh` starts"
        )
    })
}

/// Arms `fault` (`reset`, `slowdown`, `stall`) for the next `count` requests whose path
/// contains `matching`.
pub fn arm(matching: &str, fault: &str, count: u32) {
    let body = json!({ "match": matching, "fault": fault, "count": count }).to_string();
    let answer = call(&fault_proxy(), "POST", "/__fault", body.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// How many times each fault was served for `matching`.
pub fn hits(matching: &str) -> Value {
    let answer = call(
        &fault_proxy(),
        "GET",
        &format!("/__fault?match={matching}"),
        b"",
    );
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("{}");
    serde_json::from_str::<Value>(body).unwrap()["hits"].clone()
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
