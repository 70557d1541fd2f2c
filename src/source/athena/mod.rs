//! The Athena source: the CUR table's schema found once per profile (and cached), then one
//! aggregating query per refresh whose rows are facts ([`sql`]), read page by page into
//! [`crate::facts::Facts`] ([`results`]). The query is started with the profile's workgroup and
//! output location, polled with backoff, stopped when the fetch is cancelled; every failure
//! keeps the query id and Athena's `StateChangeReason` for the diagnosis.

pub mod results;
pub mod sql;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use aws_sdk_athena::Client;
use aws_sdk_athena::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_athena::operation::RequestId;
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use tokio::runtime::Runtime;

use super::error::SourceError;
use super::local::Progress;
use crate::config::AthenaSpec;
use sql::{TableRef, TableSchema};

/// What Athena charges per byte scanned: $5 per TB (10^12 bytes).
pub const PRICE_PER_TB: f64 = 5.0;

/// Result rows asked for per `GetQueryResults` page (Athena's maximum).
const PAGE_ROWS: i32 = 1000;

/// Polling: first wait, growth, and the longest wait between `GetQueryExecution` calls.
const POLL_FIRST: Duration = Duration::from_millis(100);
const POLL_MAX: Duration = Duration::from_secs(2);

/// The query's stage, for the progress display (`Progress::query_stage`).
pub mod stage {
    pub const QUEUED: u64 = 1;
    pub const RUNNING: u64 = 2;
    pub const RESULTS: u64 = 3;
}

/// Why an Athena call or query did not give rows. Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AthenaFailure {
    /// `StartQueryExecution`, `GetQueryExecution`, `GetQueryResults`, or `query` (it ran and
    /// failed).
    pub operation: &'static str,
    /// Which query: `schema`, `facts` or `data status`.
    pub query: &'static str,
    pub kind: AthenaFailureKind,
    /// The API error code (`InvalidRequestException`, `AccessDeniedException`, ...).
    pub code: Option<String>,
    pub message: Option<String>,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub query_id: Option<String>,
    /// Athena's `StateChangeReason` of a failed or cancelled query.
    pub reason: Option<String>,
    /// Athena's error category and type (`AthenaError`), when given.
    pub error_type: Option<String>,
    pub table: String,
    pub workgroup: Option<String>,
    pub output_location: Option<String>,
    pub region: String,
    pub endpoint: String,
}

/// The broad class of an Athena failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AthenaFailureKind {
    NoCredentials,
    /// The endpoint did not answer, or none could be resolved for the region.
    Unreachable,
    /// A call got no answer within the read timeout, on every try.
    TimedOut,
    /// A call's answer broke off (a connection reset mid-body), on every try.
    Interrupted,
    /// An API call was refused.
    Service,
    /// The query ran and failed.
    QueryFailed,
    /// Somebody else stopped the query.
    QueryCancelled,
    /// The schema query found no columns: the table (or database) does not exist there.
    TableNotFound,
}

impl fmt::Display for AthenaFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            AthenaFailureKind::QueryFailed => write!(f, "the Athena {} query failed", self.query)?,
            AthenaFailureKind::QueryCancelled => {
                write!(f, "the Athena {} query was cancelled", self.query)?;
            }
            AthenaFailureKind::TableNotFound => {
                write!(f, "Athena lists no columns for table {}", self.table)?;
            }
            _ => write!(f, "Athena {} ({} query)", self.operation, self.query)?,
        }
        if let Some(status) = self.status {
            write!(f, ": HTTP {status}")?;
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(m) = self.reason.as_ref().or(self.message.as_ref()) {
            write!(f, ": {m}")?;
        }
        if let Some(id) = &self.query_id {
            write!(f, " (query id {id})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AthenaFailure {}

/// What a finished query cost.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scan {
    pub bytes: u64,
}

impl Scan {
    /// Athena's price for it, in dollars (10 MB minimum per query).
    pub fn dollars(self) -> f64 {
        let billed = self.bytes.max(10 * 1_000_000);
        billed as f64 / 1e12 * PRICE_PER_TB
    }
}

impl fmt::Display for Scan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "scanned {} (${:.4} at ${PRICE_PER_TB}/TB)",
            decimal_bytes(self.bytes),
            self.dollars()
        )
    }
}

/// Bytes in the decimal units Athena prices in (`1.23 GB`).
pub fn decimal_bytes(n: u64) -> String {
    let b = n as f64;
    if b >= 1e12 {
        format!("{:.2} TB", b / 1e12)
    } else if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{n} B")
    }
}

/// A profile's Athena table, reached through the SDK.
pub struct Athena {
    runtime: Runtime,
    client: Client,
    spec: AthenaSpec,
    region: String,
    endpoint: String,
}

impl fmt::Debug for Athena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Athena({})", self.table().sql())
    }
}

/// The schemas found so far, by table and endpoint: discovery runs once per profile.
fn schema_cache() -> &'static Mutex<HashMap<String, (TableSchema, bool)>> {
    static CACHE: OnceLock<Mutex<HashMap<String, (TableSchema, bool)>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

impl Athena {
    pub fn new(spec: &AthenaSpec) -> std::io::Result<Athena> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("curtop-athena")
            .enable_all()
            .build()?;
        let config = runtime.block_on(super::aws::sdk_config(&spec.access));
        let region = config
            .region()
            .map_or_else(|| "us-east-1".to_string(), ToString::to_string);
        let endpoint = spec
            .access
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            // Shown in diagnoses: a password in the URL's user info is not.
            .map_or_else(
                || format!("athena.{region}.amazonaws.com"),
                |url| crate::untrusted::redact_url(&url).into_owned(),
            );
        Ok(Athena {
            runtime,
            client: Client::new(&config),
            spec: spec.clone(),
            region,
            endpoint,
        })
    }

    pub fn table(&self) -> TableRef {
        TableRef {
            catalog: self.spec.catalog.clone(),
            database: self.spec.database.clone(),
            table: self.spec.table.clone(),
        }
    }

    fn failure(&self, operation: &'static str, query: &'static str) -> AthenaFailure {
        AthenaFailure {
            operation,
            query,
            kind: AthenaFailureKind::Service,
            code: None,
            message: None,
            status: None,
            request_id: None,
            query_id: None,
            reason: None,
            error_type: None,
            table: self.table().sql(),
            workgroup: self.spec.workgroup.clone(),
            output_location: self.spec.output_location.clone(),
            region: self.region.clone(),
            endpoint: self.endpoint.clone(),
        }
    }

    fn sdk_failure<E, R>(
        &self,
        operation: &'static str,
        query: &'static str,
        e: &SdkError<E, R>,
    ) -> SourceError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
        SdkError<E, R>: RequestId,
    {
        let mut f = self.failure(operation, query);
        let fault = super::aws::classify(e, "");
        f.kind = match fault.kind {
            super::aws::FaultKind::NoCredentials => AthenaFailureKind::NoCredentials,
            super::aws::FaultKind::Unreachable => AthenaFailureKind::Unreachable,
            super::aws::FaultKind::TimedOut => AthenaFailureKind::TimedOut,
            super::aws::FaultKind::Interrupted => AthenaFailureKind::Interrupted,
            super::aws::FaultKind::Service => AthenaFailureKind::Service,
        };
        f.status = fault.status;
        f.code = fault.code;
        // Athena's diagnoses quote the whole chain when AWS gave no message.
        f.message = fault.message.or(Some(fault.chain));
        f.request_id = fault.request_id;
        SourceError::Athena(Box::new(f))
    }

    /// The table's columns (once per table and endpoint; later calls use the cache), and
    /// whether the legacy CUR's `cost_and_usage_data_status` table is beside it.
    pub fn schema(&self, progress: Option<&Progress>) -> Result<(TableSchema, bool), SourceError> {
        let key = format!("{}@{}/{}", self.table().sql(), self.endpoint, self.region);
        if let Some(hit) = schema_cache()
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return Ok(hit);
        }
        let found = self.discover_schema(progress)?;
        if let Ok(mut c) = schema_cache().lock() {
            c.insert(key, found.clone());
        }
        Ok(found)
    }

    fn discover_schema(
        &self,
        progress: Option<&Progress>,
    ) -> Result<(TableSchema, bool), SourceError> {
        let sql = self.table().schema_query();
        let mut columns = Vec::new();
        let mut status_table = false;
        let table = self.spec.table.to_ascii_lowercase();
        self.run("schema", &sql, progress, &mut |header, cells| {
            if header {
                return;
            }
            if let [Some(t), Some(name), ty] = cells {
                if t.eq_ignore_ascii_case(&table) {
                    columns.push(((*name).to_string(), ty.unwrap_or("").to_string()));
                } else {
                    status_table = true;
                }
            }
        })?;
        if columns.is_empty() {
            let mut f = self.failure("query", "schema");
            f.kind = AthenaFailureKind::TableNotFound;
            return Err(SourceError::Athena(Box::new(f)));
        }
        let schema = TableSchema::new(columns.iter().map(|(n, t)| (n.as_str(), t.as_str())));
        Ok((schema, status_table))
    }

    /// Where the table's data is (`s3://BUCKET/PREFIX/`), as the catalog says: Athena's
    /// `GetTableMetadata`, whose `Parameters` hold a Glue table's `location` (its
    /// `StorageDescriptor.Location`). `None` when the catalog names none. Athena reads that
    /// data with the caller's permissions, so `doctor --iam-policy` must grant it.
    pub fn table_location(&self) -> Result<Option<String>, SourceError> {
        self.runtime.block_on(async {
            let out = self
                .client
                .get_table_metadata()
                .catalog_name(self.spec.catalog.as_deref().unwrap_or("AwsDataCatalog"))
                .database_name(&self.spec.database)
                .table_name(&self.spec.table)
                .send()
                .await
                .map_err(|e| self.sdk_failure("GetTableMetadata", "table location", &e))?;
            Ok(out
                .table_metadata()
                .and_then(|t| t.parameters())
                .and_then(|p| p.get("location"))
                .filter(|l| l.starts_with("s3://"))
                .cloned())
        })
    }

    /// The legacy CUR's data status (`READY`, `UPDATING`), when the table is there.
    pub fn data_status(&self, progress: Option<&Progress>) -> Result<Option<String>, SourceError> {
        let mut status = None;
        self.run(
            "data status",
            &self.table().status_query(),
            progress,
            &mut |header, cells| {
                if header {
                    return;
                }
                if let [Some(s), ..] = cells {
                    status = Some((*s).to_string());
                }
            },
        )?;
        Ok(status)
    }

    /// Runs `sql` to completion and hands every row to `row` (the header first, flagged).
    /// Returns the query id and what it scanned.
    pub fn run(
        &self,
        query: &'static str,
        sql: &str,
        progress: Option<&Progress>,
        row: &mut dyn FnMut(bool, &[Option<&str>]),
    ) -> Result<(String, Scan), SourceError> {
        self.runtime
            .block_on(self.run_async(query, sql, progress, row))
    }

    async fn run_async(
        &self,
        query: &'static str,
        sql: &str,
        progress: Option<&Progress>,
        row: &mut dyn FnMut(bool, &[Option<&str>]),
    ) -> Result<(String, Scan), SourceError> {
        let id = self.start(query, sql).await?;
        set_stage(progress, stage::QUEUED);
        let scan = self.wait_for(query, &id, progress).await?;
        set_stage(progress, stage::RESULTS);
        self.read_results(query, &id, progress, row).await?;
        Ok((id, scan))
    }

    /// Starts `sql` with the profile's database, catalog, workgroup and output location;
    /// returns the query id.
    async fn start(&self, query: &'static str, sql: &str) -> Result<String, SourceError> {
        let mut context = QueryExecutionContext::builder().database(&self.spec.database);
        if let Some(c) = &self.spec.catalog {
            context = context.catalog(c);
        }
        let mut start = self
            .client
            .start_query_execution()
            .query_string(sql)
            .query_execution_context(context.build());
        if let Some(wg) = &self.spec.workgroup {
            start = start.work_group(wg);
        }
        if let Some(out) = &self.spec.output_location {
            start = start
                .result_configuration(ResultConfiguration::builder().output_location(out).build());
        }
        let started = start
            .send()
            .await
            .map_err(|e| self.sdk_failure("StartQueryExecution", query, &e))?;
        Ok(started.query_execution_id().unwrap_or_default().to_string())
    }

    /// Polls query `id` until it ends, backing off; stops it when the fetch is no longer
    /// wanted. Returns what it scanned once it succeeded.
    async fn wait_for(
        &self,
        query: &'static str,
        id: &str,
        progress: Option<&Progress>,
    ) -> Result<Scan, SourceError> {
        let cancelled = || progress.is_some_and(Progress::is_cancelled);
        let mut wait = POLL_FIRST;
        loop {
            if cancelled() {
                // Best effort: the fetch ends as cancelled whether or not the stop lands.
                let _ = self
                    .client
                    .stop_query_execution()
                    .query_execution_id(id)
                    .send()
                    .await;
                return Err(SourceError::Cancelled);
            }
            let got = self
                .client
                .get_query_execution()
                .query_execution_id(id)
                .send()
                .await
                .map_err(|e| self.sdk_failure_of(id, "GetQueryExecution", query, &e))?;
            let exec = got.query_execution();
            let scanned = exec
                .and_then(|x| x.statistics())
                .and_then(aws_sdk_athena::types::QueryExecutionStatistics::data_scanned_in_bytes)
                .unwrap_or(0);
            if let Some(p) = progress {
                p.scanned_bytes
                    .store(u64::try_from(scanned).unwrap_or(0), Ordering::Relaxed);
            }
            let status = exec.and_then(|x| x.status());
            match status.and_then(|s| s.state()) {
                Some(QueryExecutionState::Succeeded) => {
                    return Ok(Scan {
                        bytes: u64::try_from(scanned).unwrap_or(0),
                    });
                }
                Some(state @ (QueryExecutionState::Failed | QueryExecutionState::Cancelled)) => {
                    return Err(self.ended(query, id, state, status));
                }
                Some(QueryExecutionState::Running) => set_stage(progress, stage::RUNNING),
                Some(QueryExecutionState::Queued) | None => {}
                Some(other) => {
                    let mut f = self.failure("query", query);
                    f.kind = AthenaFailureKind::QueryFailed;
                    f.query_id = Some(id.to_string());
                    f.reason = Some(format!(
                        "Athena reported the state `{}`, which curtop does not know",
                        other.as_str()
                    ));
                    return Err(SourceError::Athena(Box::new(f)));
                }
            }
            // Sleep in short steps, so a cancel is seen at once.
            let until = tokio::time::Instant::now() + wait;
            while tokio::time::Instant::now() < until && !cancelled() {
                tokio::time::sleep(POLL_FIRST.min(until - tokio::time::Instant::now())).await;
            }
            wait = (wait * 3 / 2).min(POLL_MAX);
        }
    }

    /// The failure of query `id` that failed or was cancelled, with Athena's reason and error
    /// type.
    fn ended(
        &self,
        query: &'static str,
        id: &str,
        state: &QueryExecutionState,
        status: Option<&aws_sdk_athena::types::QueryExecutionStatus>,
    ) -> SourceError {
        let mut f = self.failure("query", query);
        f.kind = if *state == QueryExecutionState::Failed {
            AthenaFailureKind::QueryFailed
        } else {
            AthenaFailureKind::QueryCancelled
        };
        f.query_id = Some(id.to_string());
        f.reason = status
            .and_then(|s| s.state_change_reason())
            .map(str::to_string);
        f.error_type = status.and_then(|s| s.athena_error()).map(|e| {
            format!(
                "category {} type {}{}",
                e.error_category().unwrap_or(0),
                e.error_type().unwrap_or(0),
                e.error_message()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            )
        });
        SourceError::Athena(Box::new(f))
    }

    /// Reads the result pages of query `id`; the first row of the first page is the header.
    async fn read_results(
        &self,
        query: &'static str,
        id: &str,
        progress: Option<&Progress>,
        row: &mut dyn FnMut(bool, &[Option<&str>]),
    ) -> Result<(), SourceError> {
        let mut token: Option<String> = None;
        let mut header_skipped = false;
        loop {
            if progress.is_some_and(Progress::is_cancelled) {
                return Err(SourceError::Cancelled);
            }
            let page = self
                .client
                .get_query_results()
                .query_execution_id(id)
                .max_results(PAGE_ROWS)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.sdk_failure_of(id, "GetQueryResults", query, &e))?;
            if let Some(set) = page.result_set() {
                for r in set.rows() {
                    let cells: Vec<Option<&str>> =
                        r.data().iter().map(|d| d.var_char_value()).collect();
                    if !header_skipped {
                        header_skipped = true;
                        row(true, &cells);
                        continue;
                    }
                    row(false, &cells);
                    if let Some(p) = progress.filter(|_| query == "facts") {
                        p.rows_fetched.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(()),
            }
        }
    }

    /// [`Athena::sdk_failure`] of a call about query `id`, which the failure keeps.
    fn sdk_failure_of<E, R>(
        &self,
        id: &str,
        operation: &'static str,
        query: &'static str,
        e: &SdkError<E, R>,
    ) -> SourceError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
        SdkError<E, R>: RequestId,
    {
        let mut err = self.sdk_failure(operation, query, e);
        if let SourceError::Athena(f) = &mut err {
            f.query_id = Some(id.to_string());
        }
        err
    }
}

/// Shows the query's stage (`stage::…`) in the progress display, if any.
fn set_stage(progress: Option<&Progress>, s: u64) {
    if let Some(p) = progress {
        p.query_stage.store(s, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_priced_per_terabyte_with_athenas_minimum() {
        let s = Scan {
            bytes: 250_000_000_000,
        };
        assert!((s.dollars() - 1.25).abs() < 1e-9);
        assert_eq!(s.to_string(), "scanned 250.00 GB ($1.2500 at $5/TB)");
        // Athena bills at least 10 MB per query.
        let tiny = Scan { bytes: 0 };
        assert!((tiny.dollars() - 0.00005).abs() < 1e-12);
        assert_eq!(decimal_bytes(1_500), "1.5 kB");
    }
}
