//! Diagnoses: why an integration fails (or reads less than it could), as data shared by the
//! dashboard's diagnostics pane and the command line. One function maps every
//! [`SourceError`] to a [`Diagnosis`] with a stable code, what was seen, the probable causes and
//! the fix steps; read warnings (missing resource IDs, no split cost data) get the same
//! treatment at warning severity.

mod athena;
mod code;
pub mod doctor;
mod warning;

use std::io::ErrorKind;

pub use athena::diagnose_athena;
pub use code::DiagCode;
pub use warning::diagnose_warning;

use crate::source::error::SourceError;
use crate::source::s3::{S3Failure, S3FailureKind};

/// How bad it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Data is read, but some views are missing or partial.
    Warning,
    /// No data could be read.
    Error,
}

/// One explained problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// Stable, kebab-case (`no-manifest`, `path-not-found`, …): safe to match on in scripts.
    pub code: DiagCode,
    pub severity: Severity,
    pub title: String,
    /// What curtop saw: paths, files, columns, errors as reported.
    pub seen: Vec<String>,
    pub causes: Vec<String>,
    /// Numbered steps, in order.
    pub fixes: Vec<String>,
    /// Where to read more.
    pub docs: Vec<&'static str>,
}

const DOC_CUR_CREATE: &str = "https://docs.aws.amazon.com/cur/latest/userguide/cur-create.html";
const DOC_SPLIT: &str =
    "https://docs.aws.amazon.com/cur/latest/userguide/split-cost-allocation-data.html";
const DOC_DATA_EXPORTS: &str =
    "https://docs.aws.amazon.com/cur/latest/userguide/what-is-data-exports.html";

fn strings<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

/// The diagnosis of a failed read.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per SourceError variant: the error-to-diagnosis table reads best whole"
)]
pub fn diagnose(e: &SourceError) -> Diagnosis {
    let error = |code, title: String, seen, causes, fixes, docs| Diagnosis {
        code,
        severity: Severity::Error,
        title,
        seen,
        causes,
        fixes,
        docs,
    };
    if let SourceError::Io { error: io, .. } = e
        && let Some(f) = crate::source::s3::failure_of(io)
    {
        return diagnose_s3(f);
    }
    match e {
        SourceError::Io { path, error: io } if io.kind() == ErrorKind::NotFound => error(
            DiagCode::PathNotFound,
            format!("{path} does not exist"),
            vec![format!("opening {path}: {io}")],
            strings([
                "the path in the profile (or --cur) has a typo",
                "the CUR copy was never synced to this machine, or was moved",
                "a relative path is resolved against the config file's folder, not the shell's",
            ]),
            vec![
                format!("check the folder: ls -la {path}"),
                "copy the report from S3, e.g. aws s3 sync s3://BUCKET/PREFIX/REPORT/ LOCAL/".into(),
                "set `path` of the profile (or --cur) to the folder holding <report>-Manifest.json, or any parent of it".into(),
            ],
            vec![DOC_CUR_CREATE],
        ),
        SourceError::Io { path, error: io } if io.kind() == ErrorKind::PermissionDenied => error(
            DiagCode::PermissionDenied,
            format!("{path} is not readable by this user"),
            vec![format!("opening {path}: {io}")],
            strings(["the files belong to another user or have mode 0600"]),
            vec![
                format!("check ownership and mode: ls -la {path}"),
                "make the report folder readable (chmod -R u+rX, or run curtop as its owner)".into(),
            ],
            vec![],
        ),
        SourceError::Io { path, error: io } => error(
            DiagCode::IoError,
            format!("reading {path} failed"),
            vec![format!("{path}: {io}")],
            strings(["a disk, network file system or permission problem"]),
            strings(["run the command again (in the dashboard: r); if it persists, check the file system (dmesg, df -h)"]),
            vec![],
        ),
        SourceError::NoDelivery { path, seen } => {
            let mut seen_lines = vec![format!("under {path}:")];
            if seen.is_empty() {
                seen_lines.push("  nothing (the folder is empty)".into());
            } else {
                seen_lines.extend(seen.iter().take(8).map(|s| format!("  {s}")));
            }
            error(
                DiagCode::NoManifest,
                format!("no CUR delivery under {path}"),
                seen_lines,
                strings([
                    "the path points above or beside the report: AWS writes <prefix>/<report>/<report>-Manifest.json",
                    "the report is new and AWS has not delivered it yet (first delivery takes up to 24 h)",
                    "a Data Export (CUR 2.0 or FOCUS) is named otherwise, or has no metadata/ folder",
                ]),
                strings([
                    "point the profile at the folder holding <report>-Manifest.json (or metadata/ for CUR 2.0), or any parent of it",
                    "for the Athena-integration Parquet layout, point at the folder holding year=YYYY/",
                    "check the report in the Billing console: Data Exports → your report → S3 bucket and path prefix",
                ]),
                vec![DOC_CUR_CREATE, DOC_DATA_EXPORTS],
            )
        }
        SourceError::SeveralReports { path, reports } => error(
            DiagCode::SeveralReports,
            format!("{path} holds {} reports", reports.len()),
            vec![format!("reports: {}", reports.join(", "))],
            strings(["the prefix is shared by several CUR reports; reading them together would count every dollar twice"]),
            vec![format!(
                "point the profile at one report's folder, e.g. {path}/{}",
                reports.first().map_or("REPORT", String::as_str)
            )],
            vec![],
        ),
        SourceError::BadManifest { file, reason } => error(
            DiagCode::BadManifest,
            format!("{file} is not a CUR manifest"),
            vec![format!("{file}: {reason}")],
            strings([
                "the manifest was truncated by an interrupted copy",
                "a file of another tool is named like a manifest",
            ]),
            strings(["copy the report folder again (aws s3 sync removes partial files)"]),
            vec![DOC_CUR_CREATE],
        ),
        SourceError::MissingColumns { file, columns } => error(
            DiagCode::RequiredColumnsMissing,
            format!("{file} lacks columns without which no cost can be computed"),
            vec![format!("missing: {}", columns.join(", "))],
            strings([
                "the file is not a Cost and Usage Report (e.g. a Cost Explorer CSV download)",
                "the report's columns were renamed by a hand-made export or ETL job",
            ]),
            strings([
                "export a Cost and Usage Report (legacy CUR or CUR 2.0) from Billing → Data Exports",
                "point the profile at the report's own files, not a transformed copy",
            ]),
            vec![DOC_CUR_CREATE],
        ),
        SourceError::Unreadable { file, reason } => error(
            DiagCode::UnreadableFile,
            format!("cannot read {file}"),
            vec![format!("{file}: {reason}")],
            strings([
                "a FOCUS export (curtop reads CUR and CUR 2.0; FOCUS has no pod rows)",
                "a partial download or an unknown compression",
            ]),
            strings([
                "export a CUR 2.0 (or legacy CUR) report with CSV.gz, ZIP or Parquet",
                "copy the file again and run the command again (in the dashboard: r)",
            ]),
            vec![DOC_DATA_EXPORTS],
        ),
        SourceError::NothingInWindow {
            path,
            window,
            available,
        } => error(
            DiagCode::NothingInWindow,
            format!("no billing data in the window {window}"),
            vec![format!("{path} covers {available}")],
            strings([
                "the window is outside the delivered billing periods",
                "the local copy is old and has not been synced",
            ]),
            strings([
                "pick a window the data covers (w, or --window all)",
                "sync the report folder again for recent days",
            ]),
            vec![],
        ),
        SourceError::DeliveryChanging { manifest, restarts } => error(
            DiagCode::DeliveryChanging,
            "the report changed during every read".to_string(),
            vec![format!("{manifest}: a new assemblyId after each of {restarts} reads")],
            strings([
                "AWS rewrites the current month's report several times a day and was doing so during the reads",
            ]),
            strings(["wait a few minutes and run the command again (in the dashboard: r)"]),
            vec![DOC_CUR_CREATE],
        ),
        SourceError::SumOverflow { path } => error(
            DiagCode::AmountOverflow,
            "the amounts sum beyond what curtop can hold".to_string(),
            vec![format!(
                "{path}: a sum of costs went beyond ±$9.2 billion (integer nano-dollars)"
            )],
            strings([
                "a corrupt or hand-edited file with absurd amounts (e.g. 5E9 in lineItem/UnblendedCost)",
                "two copies of the same huge report read together",
            ]),
            strings([
                "check the largest amounts: sort the file by lineItem/UnblendedCost",
                "point curtop at the report AWS delivered, not an edited copy",
            ]),
            vec![],
        ),
        SourceError::MostlyMalformed {
            path,
            malformed,
            rows,
            examples,
        } => {
            let mut seen = vec![format!(
                "{path}: {malformed} of {rows} rows could not be read (more than half)"
            )];
            seen.extend(
                examples
                    .iter()
                    .map(|e| format!("  {}:{}: {}", e.file, e.line, e.reason)),
            );
            error(
                DiagCode::MalformedRows,
                format!("{malformed} of {rows} rows are malformed"),
                seen,
                strings([
                    "the file is not a CUR export, or its columns were shifted by a hand edit",
                    "dates or amounts in another format than CUR writes (2024-01-01T00:00:00Z, 12.5)",
                ]),
                strings([
                    "look at the first malformed lines named above",
                    "point curtop at the report AWS delivered, not an edited copy",
                ]),
                vec![DOC_CUR_CREATE],
            )
        }
        SourceError::Athena(f) => diagnose_athena(f),
        SourceError::NotCached { profile, cache } => error(
            DiagCode::NotCached,
            "nothing cached to show offline".to_string(),
            vec![format!(
                "--offline reads only the cache, and {cache} holds no facts of profile \
                 `{profile}` in the window"
            )],
            strings([
                "the profile was never read on this machine, or not over this window",
                "the cache was cleared (curtop cache clear)",
            ]),
            strings([
                "run once without --offline while the source can be reached",
                "see what is cached: curtop cache",
            ]),
            vec![],
        ),
        SourceError::Cancelled => error(
            DiagCode::Cancelled,
            "the read was cancelled".to_string(),
            strings(["a refresh or quit replaced this read"]),
            strings(["r, a window change or quitting while the read ran"]),
            strings(["run the command again (in the dashboard: r)"]),
            vec![],
        ),
    }
}

/// Why the SDK may find no credentials; what the environment holds decides which causes are
/// possible (only whether the variables are set is looked at, never their values).
pub(crate) fn credentials_causes() -> Vec<String> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("AWS_ACCESS_KEY_ID") {
        let first = if set("AWS_SECRET_ACCESS_KEY") {
            "the keys in the environment (AWS_ACCESS_KEY_ID) are expired or revoked, or temporary keys lack AWS_SESSION_TOKEN"
        } else {
            "AWS_ACCESS_KEY_ID is set in the environment but AWS_SECRET_ACCESS_KEY is not"
        };
        return strings([
            first,
            "an SSO session has expired (when AWS_PROFILE / aws-profile names an SSO profile)",
        ]);
    }
    strings([
        "no AWS_PROFILE / aws-profile, no keys in the environment, no SSO session, no instance role",
        "an SSO session has expired, or the keys were revoked",
    ])
}

/// How to give the SDK credentials, and check what it sees.
pub(crate) fn credentials_fixes() -> Vec<String> {
    strings([
        "set `aws-profile = \"NAME\"` in the profile (a profile of ~/.aws/config)",
        "for SSO: aws sso login --profile NAME",
        "check what the SDK sees: aws sts get-caller-identity --profile NAME",
    ])
}

/// A fault of the wire, after the SDK's retries (and curtop's resumes of a broken body) ran
/// out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireFault {
    /// Throttled (`503 SlowDown`, `ThrottlingException`, …) on every try.
    Throttled,
    /// No answer within the read timeout.
    TimedOut,
    /// The answer broke off (a connection reset mid-body).
    Interrupted,
}

/// Whether an AWS error code or HTTP status says "slow down".
pub(crate) fn is_throttling(code: Option<&str>, status: Option<u16>) -> bool {
    matches!(
        code,
        Some(
            "SlowDown"
                | "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequests"
                | "TooManyRequestsException"
        )
    ) || status == Some(503)
}

/// The diagnosis of a wire fault of `service` (`S3`, `Athena`) during `operation`. `d` builds
/// it from code, title, causes and fixes. No partial data is ever used: the read failed.
pub(crate) fn wire_fault(
    service: &str,
    operation: &str,
    fault: WireFault,
    d: &dyn Fn(DiagCode, String, Vec<String>, Vec<String>) -> Diagnosis,
) -> Diagnosis {
    let retry = "raise `max-attempts` in the profile (default 3, at most 10) to retry longer";
    match fault {
        WireFault::Throttled => d(
            DiagCode::Throttled,
            format!("{service} throttled {operation} on every try"),
            strings([
                "many requests at once (other readers of the bucket or the account's API quota, a sync job)",
                "an endpoint with a low request limit",
            ]),
            strings([
                retry,
                "wait a minute and run the command again (in the dashboard: r)",
            ]),
        ),
        WireFault::TimedOut => d(
            DiagCode::Timeout,
            format!("{service} did not answer {operation} within the read timeout"),
            strings([
                "a slow or congested link (a bastion behind a VPN, a saturated NAT)",
                "`read-timeout` shorter than the endpoint needs",
            ]),
            strings([
                "raise `read-timeout` in the profile (seconds; at most 3600)",
                retry,
                "run the command again (in the dashboard: r)",
            ]),
        ),
        WireFault::Interrupted => d(
            DiagCode::ConnectionLost,
            format!(
                "the connection to {service} broke off during {operation} (no partial data was used)"
            ),
            strings([
                "an unstable network path (VPN, proxy or NAT resetting long transfers)",
                "the endpoint closing connections under load",
            ]),
            strings([retry, "run the command again (in the dashboard: r)"]),
        ),
    }
}

/// A failed S3 call: which of the known failures it is, with what AWS said.
pub fn diagnose_s3(f: &S3Failure) -> Diagnosis {
    let mut seen = vec![format!("{f}")];
    seen.push(format!("endpoint: {}", f.endpoint));
    let bucket = &f.bucket;
    let prefix = f.key.trim_end_matches('/');
    let status = f.status.unwrap_or(0);
    let code = f.code.as_deref().unwrap_or("");
    let d = |code, title: String, causes: Vec<String>, fixes: Vec<String>| Diagnosis {
        code,
        severity: Severity::Error,
        title,
        seen: seen.clone(),
        causes,
        fixes,
        docs: vec![DOC_CUR_CREATE],
    };
    if f.kind == S3FailureKind::NoCredentials {
        return d(
            DiagCode::CredentialsMissing,
            "no AWS credentials were found".into(),
            credentials_causes(),
            credentials_fixes(),
        );
    }
    let wire = match f.kind {
        S3FailureKind::Service if is_throttling(f.code.as_deref(), f.status) => {
            Some(WireFault::Throttled)
        }
        S3FailureKind::TimedOut => Some(WireFault::TimedOut),
        S3FailureKind::Interrupted => Some(WireFault::Interrupted),
        _ => None,
    };
    if let Some(w) = wire {
        return wire_fault("S3", f.operation, w, &d);
    }
    if f.kind == S3FailureKind::Unreachable {
        return d(
            DiagCode::EndpointUnreachable,
            format!("the S3 endpoint {} did not answer", f.endpoint),
            strings([
                "no network route from this host (a bastion without internet or a VPC endpoint)",
                "a wrong endpoint-url or AWS_ENDPOINT_URL",
                "a proxy is required (HTTPS_PROXY)",
            ]),
            strings([
                "test the route: curl -sI https://s3.amazonaws.com (or the endpoint-url)",
                "fix or remove `endpoint-url` / AWS_ENDPOINT_URL",
                "run the command again once the network is back (in the dashboard: r)",
            ]),
        );
    }
    if f.operation == "AssumeRole"
        || f.message
            .as_deref()
            .is_some_and(|m| m.contains("AssumeRole"))
    {
        return d(
            DiagCode::RoleAssumeFailed,
            "the role could not be assumed".into(),
            strings([
                "the role's trust policy does not trust this principal",
                "the external id differs from the one the trust policy requires",
            ]),
            strings([
                "check the trust policy of the role (Principal and sts:ExternalId condition)",
                "check `external-id` in the profile",
                "try it: aws sts assume-role --role-arn ROLE --role-session-name curtop --external-id ID",
            ]),
        );
    }
    if code == "NoSuchBucket" {
        return d(
            DiagCode::BucketNotFound,
            format!("the bucket {bucket} does not exist"),
            strings([
                "a typo in `bucket`",
                "the report delivers to another bucket or account",
            ]),
            strings([
                "Billing console → Data Exports → the report → S3 bucket: copy the name into `bucket`",
                &format!("check: aws s3 ls s3://{bucket}/"),
            ]),
        );
    }
    if status == 301 || code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" {
        let real = f
            .bucket_region
            .clone()
            .unwrap_or_else(|| "(see the error)".into());
        return d(
            DiagCode::WrongRegion,
            format!("the bucket {bucket} is in another region ({real})"),
            strings(["`region` (or AWS_REGION) names another region than the bucket's"]),
            vec![format!("set `region = \"{real}\"` in the profile")],
        );
    }
    if status == 403 || code == "AccessDenied" || code == "AllAccessDisabled" {
        let (action, resource) = if f.operation == "ListObjectsV2" {
            ("s3:ListBucket", format!("arn:aws:s3:::{bucket}"))
        } else {
            ("s3:GetObject", format!("arn:aws:s3:::{bucket}/{prefix}"))
        };
        let report_prefix = prefix.split('/').next().unwrap_or(prefix);
        return d(
            DiagCode::AccessDenied,
            format!("{action} on {resource} was denied"),
            strings([
                "the identity's IAM policy does not allow reading the CUR bucket and prefix",
                "a bucket policy denies this principal, or the role assumed is not the expected one",
            ]),
            vec![
                "see who you are: aws sts get-caller-identity".into(),
                format!(
                    "add this read-only statement to the identity's policy: {{\"Effect\":\"Allow\",\"Action\":[\"s3:ListBucket\"],\"Resource\":\"arn:aws:s3:::{bucket}\"}},{{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::{bucket}/{report_prefix}*\"}}"
                ),
                "or set `role-arn` (+ `external-id`) to a role that has it".into(),
            ],
        );
    }
    if code == "NoSuchKey" {
        return d(
            DiagCode::ObjectMissing,
            format!("s3://{bucket}/{} vanished during the read", f.key),
            strings([
                "AWS rewrote the report while it was read (it overwrites the current version several times a day)",
            ]),
            strings(["run the command again (in the dashboard: r)"]),
        );
    }
    d(
        DiagCode::S3Error,
        format!("S3 {} failed", f.operation),
        strings(["see what S3 said above"]),
        strings([
            "run the command again (in the dashboard: r); if it persists, check the request id with AWS support",
        ]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::local::open_local;

    #[test]
    fn every_source_error_has_a_code_causes_and_fixes() {
        let errors = [
            SourceError::Io {
                path: "/x".into(),
                error: std::io::Error::from(ErrorKind::NotFound),
            },
            SourceError::Io {
                path: "/x".into(),
                error: std::io::Error::from(ErrorKind::PermissionDenied),
            },
            SourceError::Io {
                path: "/x".into(),
                error: std::io::Error::other("boom"),
            },
            SourceError::NoDelivery {
                path: "/x".into(),
                seen: vec!["notes.txt".into()],
            },
            SourceError::SeveralReports {
                path: "/x".into(),
                reports: vec!["a".into(), "b".into()],
            },
            SourceError::BadManifest {
                file: "m.json".into(),
                reason: "eof".into(),
            },
            SourceError::MissingColumns {
                file: "f.csv".into(),
                columns: vec!["lineItem/UnblendedCost"],
            },
            SourceError::Unreadable {
                file: "f".into(),
                reason: "FOCUS".into(),
            },
            SourceError::NothingInWindow {
                path: "/x".into(),
                window: "7d".into(),
                available: "2024-01".into(),
            },
            SourceError::DeliveryChanging {
                manifest: "r/20240101-20240201/r-Manifest.json".into(),
                restarts: 3,
            },
            SourceError::Cancelled,
            SourceError::SumOverflow { path: "/x".into() },
            SourceError::MostlyMalformed {
                path: "/x".into(),
                malformed: 3,
                rows: 3,
                examples: vec![],
            },
            SourceError::NotCached {
                profile: "p".into(),
                cache: "/c".into(),
            },
        ];
        let mut codes: Vec<&str> = errors.iter().map(|e| diagnose(e).code.as_str()).collect();
        for e in &errors {
            let d = diagnose(e);
            assert_eq!(d.severity, Severity::Error);
            assert!(
                !d.seen.is_empty() && !d.causes.is_empty() && !d.fixes.is_empty(),
                "{d:?}"
            );
            assert!(
                d.code
                    .as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                d.code
            );
        }
        codes.dedup();
        assert_eq!(
            codes.len(),
            errors.len(),
            "each case its own code: {codes:?}"
        );
    }

    #[test]
    fn a_missing_folder_is_diagnosed_through_the_real_path() {
        let e = open_local(std::path::Path::new("/nonexistent/curtop-diag")).unwrap_err();
        let d = diagnose(&e);
        assert_eq!(d.code, DiagCode::PathNotFound);
        assert!(d.fixes.iter().any(|f| f.contains("aws s3 sync")), "{d:?}");
    }
}
