//! The S3 source: a [`Store`] over `s3://bucket/prefix/report/`, through the AWS SDK, so S3
//! deliveries go through exactly the discovery, readers and aggregation of local ones (and give
//! the same facts). Credentials and region come from the SDK's standard chain, a named profile,
//! or an assumed role with its external id; an `endpoint-url` (S3-compatible stores, local
//! testing) switches to path-style addressing.
//!
//! Objects are streamed: a body is pulled chunk by chunk through a bounded channel, never held
//! whole (Parquet parts, which need random access, are the exception: read into memory).
//!
//! The SDK retries a call until its answer starts; a body that breaks off later (a connection
//! reset mid-object) is resumed here, from the byte it broke at, of the same object version
//! (`If-Match` its `ETag`), up to the profile's `max-attempts` in all. A body that cannot be
//! completed is an error ([`FaultKind::Interrupted`]), never a shorter file read as whole.

use std::io::{self, Read};
use std::time::SystemTime;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::RequestId;
use bytes::Bytes;
use tokio::runtime::Runtime;
use tokio::sync::mpsc::{Receiver, channel};

use super::aws::{FaultKind, classify, sdk_config};
use super::store::{Object, Store};
use crate::config::{AwsAccess, S3Spec};

/// What an S3 call returned instead of data, as the diagnoses need it. Never holds a
/// credential: only AWS's error code and message, the HTTP status and the request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Failure {
    /// `ListObjectsV2`, `GetObject`, `AssumeRole`, ...
    pub operation: &'static str,
    pub bucket: String,
    pub key: String,
    pub kind: S3FailureKind,
    /// AWS's error code (`AccessDenied`, `NoSuchBucket`, ...).
    pub code: Option<String>,
    pub message: Option<String>,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    /// The bucket's region, when S3 said it is elsewhere.
    pub bucket_region: Option<String>,
    pub endpoint: String,
}

/// The broad class of a failed call: the classifier's own, shared by every SDK call.
pub type S3FailureKind = FaultKind;

impl std::fmt::Display for S3Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} s3://{}/{}", self.operation, self.bucket, self.key)?;
        if let Some(status) = self.status {
            write!(f, ": HTTP {status}")?;
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for S3Failure {}

/// The S3 failure an I/O error carries, if it is one.
pub fn failure_of(e: &io::Error) -> Option<&S3Failure> {
    e.get_ref().and_then(|x| x.downcast_ref::<S3Failure>())
}

/// Objects downloaded at once (each through its own reader thread, a few chunks buffered).
pub const PARALLEL_GETS: usize = 4;

/// The SDK's default number of tries of a call, also the tries of a broken body by default.
const DEFAULT_ATTEMPTS: u32 = 3;

/// A bucket and report prefix as a [`Store`] (keys relative to the report's parent prefix).
pub struct S3Store {
    runtime: Runtime,
    client: Client,
    spec: S3Spec,
    endpoint: String,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client holds credentials providers: show only where it points.
        write!(f, "S3Store({})", self.spec.url())
    }
}

impl S3Store {
    /// Connects (lazily: the first call resolves credentials) to the profile's bucket.
    pub fn new(spec: &S3Spec) -> io::Result<S3Store> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("curtop-s3")
            .enable_all()
            .build()?;
        let client = runtime.block_on(client_for(&spec.access));
        let endpoint = spec
            .access
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            // Shown in diagnoses: a password in the URL's user info is not.
            .map_or_else(
                || "AWS".into(),
                |url| crate::untrusted::redact_url(&url).into_owned(),
            );
        Ok(S3Store {
            runtime,
            client,
            spec: spec.clone(),
            endpoint,
        })
    }

    /// The key prefix everything lives under (`prefix/`), and the report folder within it.
    fn root(&self) -> String {
        if self.spec.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.spec.prefix)
        }
    }

    fn failure<E, R>(&self, operation: &'static str, key: &str, e: &SdkError<E, R>) -> io::Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
        SdkError<E, R>: RequestId,
    {
        io::Error::other(describe(
            operation,
            &self.spec.bucket,
            key,
            &self.endpoint,
            e,
        ))
    }
}

/// The client for a profile's access settings.
async fn client_for(access: &AwsAccess) -> Client {
    let config = sdk_config(access).await;
    let path_style =
        access.endpoint_url.is_some() || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    let s3 = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(path_style)
        .build();
    Client::from_conf(s3)
}

/// A failed SDK call as an [`S3Failure`].
pub(crate) fn describe<E, R>(
    operation: &'static str,
    bucket: &str,
    key: &str,
    endpoint: &str,
    e: &SdkError<E, R>,
) -> S3Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: RequestId,
{
    let fault = classify(e, "x-amz-bucket-region");
    S3Failure {
        operation,
        bucket: bucket.to_string(),
        key: key.to_string(),
        kind: fault.kind,
        code: fault.code,
        message: fault.message,
        status: fault.status,
        request_id: fault.request_id,
        bucket_region: fault.header,
        endpoint: endpoint.to_string(),
    }
}

/// What a body task needs to resume an object and, failing that, to say why it could not.
struct BrokenBody {
    bucket: String,
    key: String,
    endpoint: String,
}

impl BrokenBody {
    /// The error of a body that broke after `received` bytes and `tries` tries (`again`: the
    /// resume that failed too).
    fn after(
        &self,
        received: u64,
        tries: u32,
        e: &dyn std::error::Error,
        again: Option<&dyn std::error::Error>,
    ) -> io::Error {
        let mut message = format!(
            "the connection broke off after {received} bytes of the object, {tries} tries in all: {}",
            super::aws::error_chain(e)
        );
        if let Some(again) = again {
            message.push_str("; resuming failed: ");
            message.push_str(&super::aws::error_chain(again));
        }
        io::Error::other(S3Failure {
            operation: "GetObject",
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            kind: FaultKind::Interrupted,
            code: None,
            message: Some(message),
            status: None,
            request_id: None,
            bucket_region: None,
            endpoint: self.endpoint.clone(),
        })
    }
}

impl S3Store {
    /// How many times a call (and a broken body) is tried: the profile's `max-attempts`.
    fn attempts(&self) -> u32 {
        self.spec.access.max_attempts.unwrap_or(DEFAULT_ATTEMPTS)
    }

    fn broken_body(&self, full_key: &str) -> BrokenBody {
        BrokenBody {
            bucket: self.spec.bucket.clone(),
            key: full_key.to_string(),
            endpoint: self.endpoint.clone(),
        }
    }

    /// What lies under the profile's prefix (beside the report folder), for a report that was
    /// not found: a few keys, and the report names their manifests give (`NAME-Manifest.json`).
    pub fn look_around(&self) -> io::Result<(Vec<String>, Vec<String>)> {
        let root = self.root();
        let out = self
            .runtime
            .block_on(
                self.client
                    .list_objects_v2()
                    .bucket(&self.spec.bucket)
                    .prefix(&root)
                    .max_keys(1000)
                    .send(),
            )
            .map_err(|e| self.failure("ListObjectsV2", &root, &e))?;
        let keys: Vec<String> = out
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect();
        let mut reports: Vec<String> = keys
            .iter()
            .filter_map(|k| {
                let name = k.rsplit('/').next()?.strip_suffix("-Manifest.json")?;
                (!name.is_empty()).then(|| name.to_string())
            })
            .collect();
        reports.sort();
        reports.dedup();
        Ok((keys, reports))
    }
}

impl Store for S3Store {
    fn list(&self) -> io::Result<Vec<Object>> {
        let root = self.root();
        let prefix = format!("{root}{}/", self.spec.report);
        let mut out = Vec::new();
        self.runtime.block_on(async {
            let mut pages = self
                .client
                .list_objects_v2()
                .bucket(&self.spec.bucket)
                .prefix(&prefix)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| self.failure("ListObjectsV2", &prefix, &e))?;
                for o in page.contents() {
                    let Some(key) = o.key() else { continue };
                    let Some(rel) = key.strip_prefix(&root) else {
                        continue;
                    };
                    out.push(Object {
                        key: rel.to_string(),
                        size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                        modified: o
                            .last_modified()
                            .and_then(|t| SystemTime::try_from(*t).ok()),
                    });
                }
            }
            Ok::<(), io::Error>(())
        })?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>> {
        let full = format!("{}{key}", self.root());
        let output = self
            .runtime
            .block_on(
                self.client
                    .get_object()
                    .bucket(&self.spec.bucket)
                    .key(&full)
                    .send(),
            )
            .map_err(|e| self.failure("GetObject", &full, &e))?;
        // The body is pulled by a task into a bounded channel: at most a few chunks in memory.
        let (tx, rx) = channel::<io::Result<Bytes>>(8);
        let etag = output.e_tag().map(str::to_string);
        let mut body = output.body;
        let client = self.client.clone();
        let broken = self.broken_body(&full);
        let attempts = self.attempts();
        self.runtime.spawn(async move {
            let (mut received, mut tries) = (0_u64, 1_u32);
            loop {
                let item = match body.try_next().await {
                    Ok(Some(chunk)) => {
                        received += chunk.len() as u64;
                        Ok(chunk)
                    }
                    Ok(None) => break,
                    Err(e) if tries < attempts => {
                        // Resume where it broke, of the same version of the object.
                        tries += 1;
                        let mut resume = client
                            .get_object()
                            .bucket(&broken.bucket)
                            .key(&broken.key)
                            .range(format!("bytes={received}-"));
                        if let Some(etag) = &etag {
                            resume = resume.if_match(etag);
                        }
                        match resume.send().await {
                            Ok(rest) => {
                                body = rest.body;
                                continue;
                            }
                            Err(again) => Err(broken.after(received, tries, &e, Some(&again))),
                        }
                    }
                    Err(e) => Err(broken.after(received, tries, &e, None)),
                };
                let failed = item.is_err();
                // A closed channel: the reader stopped (an error elsewhere, or cancelled).
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(Box::new(ChunkReader {
            rx,
            chunk: Bytes::new(),
        }))
    }

    fn describe(&self, key: &str) -> String {
        format!("s3://{}/{}{key}", self.spec.bucket, self.root())
    }

    fn min_parallel_reads(&self) -> usize {
        PARALLEL_GETS
    }

    fn read_range(&self, key: &str, start: u64, len: u64) -> io::Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let full = format!("{}{key}", self.root());
        let broken = self.broken_body(&full);
        self.runtime.block_on(async {
            let mut tries = 0;
            let bytes = loop {
                tries += 1;
                let output = self
                    .client
                    .get_object()
                    .bucket(&self.spec.bucket)
                    .key(&full)
                    .range(format!("bytes={start}-{}", start + len - 1))
                    .send()
                    .await
                    .map_err(|e| self.failure("GetObject", &full, &e))?;
                // A range is small: a broken one is asked for again, whole.
                match output.body.collect().await {
                    Ok(body) => break body.into_bytes(),
                    Err(e) if tries < self.attempts() => {
                        let _ = e;
                    }
                    Err(e) => return Err(broken.after(0, tries, &e, None)),
                }
            };
            if bytes.len() as u64 != len {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "asked for {len} bytes at {start} of {full}, got {}",
                        bytes.len()
                    ),
                ));
            }
            Ok(bytes.to_vec())
        })
    }

    fn ranged_parquet(&self) -> bool {
        true
    }
}

/// A `Read` over chunks arriving from the body task.
struct ChunkReader {
    rx: Receiver<io::Result<Bytes>>,
    chunk: Bytes,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            // The reader runs on a plain thread, so it may block on the channel.
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) => return Err(e),
                // The sender is gone: the body ended.
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_into_bucket_prefix_and_report() {
        let s = S3Spec::parse_url("s3://billing/cur/daily/my-report/").unwrap();
        assert_eq!(
            (s.bucket.as_str(), s.prefix.as_str(), s.report.as_str()),
            ("billing", "cur/daily", "my-report")
        );
        assert_eq!(s.url(), "s3://billing/cur/daily/my-report");
        let s = S3Spec::parse_url("s3://billing/my-report").unwrap();
        assert_eq!((s.prefix.as_str(), s.report.as_str()), ("", "my-report"));
        assert!(
            S3Spec::parse_url("s3://billing")
                .unwrap_err()
                .contains("no report")
        );
        assert!(S3Spec::parse_url("billing/x").is_err());
    }
}
