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
    call_with(
        base,
        method,
        path,
        "Content-Type: application/json\r\n",
        body,
    )
}

/// [`call`] with its own header lines (each ending in `\r\n`), `Content-Type` included.
pub fn call_with(base: &str, method: &str, path: &str, headers: &str, body: &[u8]) -> String {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// Creates the Glue database (if new) and an external table in `region` whose data is at
/// `location` (what Athena's `GetTableMetadata` answers as its `location`).
pub fn glue_table(region: &str, database: &str, table: &str, location: &str) {
    let glue = |action: &str, body: Value| {
        // moto reads the service and region from the credential scope; it checks no signature.
        let headers = format!(
            "Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSGlue.{action}\r\n\
             Authorization: AWS4-HMAC-SHA256 \
             Credential=testing/20260101/{region}/glue/aws4_request, SignedHeaders=host, \
             Signature=0\r\n"
        );
        call_with(
            &endpoint(),
            "POST",
            "/",
            &headers,
            body.to_string().as_bytes(),
        )
    };
    let _ = glue(
        "CreateDatabase",
        json!({ "DatabaseInput": { "Name": database } }),
    );
    let answer = glue(
        "CreateTable",
        json!({
            "DatabaseName": database,
            "TableInput": {
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "StorageDescriptor": {
                    "Columns": [{ "Name": "line_item_line_item_type", "Type": "string" }],
                    "Location": location,
                },
            },
        }),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
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
    arm_after(matching, fault, count, 0);
}

/// [`arm`], the fault served only after `skip` matching requests went through untouched (a
/// fault on the second result page, not the first).
pub fn arm_after(matching: &str, fault: &str, count: u32, skip: u32) {
    let body =
        json!({ "match": matching, "fault": fault, "count": count, "skip": skip }).to_string();
    let answer = call(&fault_proxy(), "POST", "/__fault", body.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// How many times each fault was served for `matching`.
pub fn hits(matching: &str) -> Value {
    let answer = call(
        &fault_proxy(),
        "GET",
        &format!(
            "/__fault?match={}",
            matching.replace(' ', "%20").replace('@', "%40")
        ),
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

fn s3_client(rt: &tokio::runtime::Runtime, endpoint: &str) -> aws_sdk_s3::Client {
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(curtop::source::aws::https_client())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .load(),
    );
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    )
}

/// Creates `bucket` on the server at `endpoint` and uploads every object of `store` under
/// `prefix/`.
pub fn upload(endpoint: &str, bucket: &str, prefix: &str, store: &curtop::source::store::MemStore) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let c = s3_client(&rt, endpoint);
    rt.block_on(async {
        let _ = c.create_bucket().bucket(bucket).send().await;
        for key in store.keys() {
            c.put_object()
                .bucket(bucket)
                .key(format!("{prefix}/{key}"))
                .body(aws_sdk_s3::primitives::ByteStream::from(
                    store.get(key).unwrap().to_vec(),
                ))
                .send()
                .await
                .unwrap();
        }
    });
}

/// A private server a test can stop (the shared one must keep running for the others).
pub struct Server {
    child: std::process::Child,
    pub endpoint: String,
}

impl Server {
    pub fn start() -> Server {
        let python = std::env::var("CURTOP_TEST_PYTHON")
            .expect("CURTOP_TEST_PYTHON is not set: run the tests through scripts/test.sh");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/moto_server.py");
        let child = std::process::Command::new(python)
            .arg(script)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "moto did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
