//! Athena failures matched against the catalogue of known ones (CUR.md §5.5): each keeps the
//! query id and Athena's `StateChangeReason`, says the probable causes and the fix, and names
//! the command that shows the query in AWS. An unknown failure still shows the raw reason.

use super::{DiagCode, Diagnosis, Severity, strings};
use crate::source::athena::{AthenaFailure, AthenaFailureKind};

const DOC_ATHENA_CUR: &str =
    "https://docs.aws.amazon.com/cur/latest/userguide/cur-query-athena.html";
const DOC_ATHENA_RESULTS: &str =
    "https://docs.aws.amazon.com/athena/latest/ug/querying.html#query-results-specify-location";
const DOC_ATHENA_ERRORS: &str =
    "https://docs.aws.amazon.com/athena/latest/ug/troubleshooting-athena.html";

/// The diagnosis of a failed Athena call or query.
#[expect(
    clippy::too_many_lines,
    reason = "the catalogue of Athena's failure reasons, one arm each, reads best whole"
)]
pub fn diagnose_athena(f: &AthenaFailure) -> Diagnosis {
    let mut seen = vec![f.to_string()];
    if let Some(id) = &f.query_id {
        seen.push(format!("query id: {id}"));
    }
    if let Some(reason) = &f.reason {
        seen.push(format!("StateChangeReason: {reason}"));
    }
    if let Some(t) = &f.error_type {
        seen.push(format!("AthenaError: {t}"));
    }
    seen.push(format!(
        "table {}, workgroup {}, output location {}, region {}, endpoint {}",
        f.table,
        f.workgroup.as_deref().unwrap_or("(default: primary)"),
        f.output_location.as_deref().unwrap_or("(the workgroup's)"),
        f.region,
        f.endpoint
    ));
    let text = format!(
        "{} {} {}",
        f.reason.as_deref().unwrap_or(""),
        f.message.as_deref().unwrap_or(""),
        f.code.as_deref().unwrap_or("")
    );
    let lower = text.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(&needle.to_ascii_lowercase());
    let show = f.query_id.as_ref().map(|id| {
        format!("see the query in AWS: aws athena get-query-execution --query-execution-id {id}")
    });
    let d = |code: DiagCode, title: String, causes: Vec<String>, mut fixes: Vec<String>| {
        if let Some(cmd) = &show {
            fixes.push(cmd.clone());
        }
        Diagnosis {
            code,
            severity: Severity::Error,
            title,
            seen: seen.clone(),
            causes,
            fixes,
            docs: vec![DOC_ATHENA_CUR, DOC_ATHENA_RESULTS, DOC_ATHENA_ERRORS],
        }
    };
    let (db, table) = f
        .table
        .rsplit_once('.')
        .map_or((f.table.as_str(), f.table.as_str()), |(a, b)| (a, b));

    let wire = match f.kind {
        AthenaFailureKind::Service if super::is_throttling(f.code.as_deref(), f.status) => {
            Some(super::WireFault::Throttled)
        }
        AthenaFailureKind::TimedOut => Some(super::WireFault::TimedOut),
        AthenaFailureKind::Interrupted => Some(super::WireFault::Interrupted),
        _ => None,
    };
    if let Some(w) = wire {
        return super::wire_fault("Athena", f.operation, w, &d);
    }
    match f.kind {
        AthenaFailureKind::NoCredentials => {
            return d(
                DiagCode::CredentialsMissing,
                "no AWS credentials were found".into(),
                super::credentials_causes(),
                super::credentials_fixes(),
            );
        }
        AthenaFailureKind::Unreachable => {
            return d(
                DiagCode::EndpointUnreachable,
                format!("the Athena endpoint {} did not answer", f.endpoint),
                vec![
                    format!(
                        "`region` ({}) is not one where Athena runs, or is misspelt (no endpoint resolves)",
                        f.region
                    ),
                    "no network route from this host, or a proxy is required (HTTPS_PROXY)".into(),
                    "a wrong endpoint-url or AWS_ENDPOINT_URL".into(),
                ],
                vec![
                    "set `region` to the region of the Athena database (e.g. us-east-1)".into(),
                    format!(
                        "test the route: curl -sI https://athena.{}.amazonaws.com",
                        f.region
                    ),
                    "fix or remove `endpoint-url` / AWS_ENDPOINT_URL".into(),
                ],
            );
        }
        AthenaFailureKind::TableNotFound => {
            return d(
                DiagCode::AthenaTableMissing,
                format!("the table {} was not found", f.table),
                strings([
                    "a typo in `database` or `table` (Glue names are lower case)",
                    "the CUR's Glue crawler has not run yet, or the table lives in another account's catalog",
                    "Lake Formation hides the table from this principal",
                ]),
                vec![
                    format!("list the tables: aws glue get-tables --database-name {}", unquote(db)),
                    "run the CUR's crawler (crawler-cfn.yml in the report's S3 prefix) or create the table".into(),
                    format!("set `database` and `table` in the profile (now {})", unquote(table)),
                ],
            );
        }
        _ => {}
    }
    if has("AssumeRole") {
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
    if has("line_item_resource_id") && (has("cannot be resolved") || has("COLUMN_NOT_FOUND")) {
        return d(
            DiagCode::ReportMisconfigured,
            "the CUR table has no resource IDs (line_item_resource_id)".into(),
            strings(["the report was created without \"Include resource IDs\""]),
            strings([
                "create a new report with resource IDs included (existing reports cannot be changed) and point the profile at its table",
                "meanwhile curtop reads the bill without pod and resource views once the schema is re-read: restart curtop",
            ]),
        );
    }
    if has("ManagedQueryResultsConfiguration") {
        return d(
            DiagCode::AthenaManagedResults,
            format!(
                "workgroup {} manages query results: no output location may be given",
                f.workgroup.as_deref().unwrap_or("primary")
            ),
            strings([
                "the workgroup has managed query results on, and the profile sets `output-location`",
            ]),
            strings([
                "remove `output-location` from the profile (the workgroup keeps the results)",
            ]),
        );
    }
    if has("outputLocation") || has("output location") || has("output bucket") {
        return d(
            DiagCode::AthenaOutputLocation,
            "Athena cannot write the query results".into(),
            strings([
                "`output-location` is not an s3://bucket/path/ URL, or its bucket does not exist or is in another region",
                "the workgroup has no result location and the profile gives none",
                "the identity may not s3:PutObject / s3:GetBucketLocation on the result bucket",
            ]),
            vec![
                "set `output-location = \"s3://BUCKET/athena-results/\"` (a bucket in the same region) or configure the workgroup's result location".into(),
                format!(
                    "check the workgroup: aws athena get-work-group --work-group {}",
                    f.workgroup.as_deref().unwrap_or("primary")
                ),
                "allow s3:GetBucketLocation, s3:PutObject, s3:GetObject on the result location".into(),
            ],
        );
    }
    if has("PERMISSION_ERROR")
        || has("Permission denied on S3 path")
        || (has("Access Denied") && has("S3"))
    {
        let path = s3_path(&text).unwrap_or_else(|| "s3://CUR-BUCKET/PREFIX/".into());
        let bucket = path
            .trim_start_matches("s3://")
            .split('/')
            .next()
            .unwrap_or("CUR-BUCKET")
            .to_string();
        return d(
            DiagCode::AccessDenied,
            format!("Athena may not read the CUR files under {path}"),
            strings([
                "the identity can run Athena queries but may not read the CUR bucket (s3:GetObject / s3:ListBucket)",
                "the bucket is in another account and its bucket policy does not trust this principal",
                "the objects are encrypted with a KMS key the identity may not use",
            ]),
            vec![
                "see who you are: aws sts get-caller-identity".into(),
                format!(
                    "add this read-only statement to the identity's policy: {{\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\",\"s3:ListBucket\"],\"Resource\":\"arn:aws:s3:::{bucket}\"}},{{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::{bucket}/*\"}}"
                ),
                "for KMS-encrypted reports, allow kms:Decrypt on the key".into(),
            ],
        );
    }
    if has("AccessDenied") || f.status == Some(403) {
        return d(
            DiagCode::AccessDenied,
            format!("Athena {} was denied", f.operation),
            strings([
                "the identity's IAM policy does not allow running Athena queries on this workgroup and Glue table",
            ]),
            vec![
                "see who you are: aws sts get-caller-identity".into(),
                format!(
                    "allow athena:StartQueryExecution, athena:GetQueryExecution, athena:GetQueryResults, athena:StopQueryExecution on the workgroup, and glue:GetDatabase, glue:GetTable, glue:GetPartitions on {}",
                    unquote(&f.table)
                ),
            ],
        );
    }
    if has("TABLE_NOT_FOUND")
        || has("SCHEMA_NOT_FOUND")
        || (has("Schema") && has("does not exist"))
        || (has("Table") && has("does not exist"))
        || has("Database") && has("not found")
    {
        return d(
            DiagCode::AthenaTableMissing,
            format!("the table {} was not found", f.table),
            strings([
                "a typo in `database`, `table` or `catalog`",
                "the Glue database lives in another account or catalog, or cross-account Glue access is flaky",
                "Lake Formation hides it from this principal",
            ]),
            vec![
                format!("list the tables: aws glue get-tables --database-name {}", unquote(db)),
                "set `database`, `table` (and `catalog` for another account's catalog) in the profile".into(),
            ],
        );
    }
    if has("WorkGroup") && (has("not found") || has("does not exist")) {
        return d(
            DiagCode::AthenaWorkgroupMissing,
            format!(
                "the workgroup {} does not exist",
                f.workgroup.as_deref().unwrap_or("primary")
            ),
            strings(["a typo in `workgroup`, or the workgroup is in another region"]),
            vec![
                "list the workgroups: aws athena list-work-groups".into(),
                "set `workgroup` (and `region`) in the profile".into(),
            ],
        );
    }
    if (has("cannot be resolved") || has("COLUMN_NOT_FOUND"))
        && (has("'year'") || has("'month'") || has("billing_period"))
    {
        return d(
            DiagCode::AthenaSchemaMismatch,
            "the table's partitions are not the ones the query names".into(),
            strings([
                "the table is a CUR 2.0 export (billing_period) or a hand-made crawler table, but the schema curtop cached is older",
            ]),
            strings(["restart curtop so it reads the table's columns again"]),
        );
    }
    if has("cannot be resolved") || has("COLUMN_NOT_FOUND") {
        return d(
            DiagCode::AthenaSchemaMismatch,
            "the query names a column the table does not have".into(),
            strings([
                "the table is not a Cost and Usage Report table (wrong `database`/`table`)",
                "the table changed since curtop read its columns",
            ]),
            strings([
                "check the table's columns: aws glue get-table --database-name DB --name TABLE",
                "restart curtop so it reads the columns again",
            ]),
        );
    }
    let title = match f.kind {
        AthenaFailureKind::QueryCancelled => {
            format!("the {} query was cancelled outside curtop", f.query)
        }
        AthenaFailureKind::QueryFailed => format!("the {} query failed", f.query),
        _ => format!("Athena {} failed", f.operation),
    };
    d(
        DiagCode::AthenaQueryFailed,
        title,
        strings([
            "see Athena's reason above (the full text as Athena gave it)",
            "a query cancelled by someone else, a workgroup limit (bytes scanned, concurrency), or an Athena outage",
        ]),
        strings([
            "run the command again (in the dashboard: r)",
            "check the workgroup's limits: aws athena get-work-group --work-group NAME",
        ]),
    )
}

/// `"db"."t"` → `db.t` for shell commands.
fn unquote(s: &str) -> String {
    s.replace('"', "")
}

/// The first `s3://…` path in a text.
fn s3_path(text: &str) -> Option<String> {
    let start = text.find("s3://")?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == ')' || c == ',' || c == '\'' || c == '"')
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(reason: &str) -> AthenaFailure {
        AthenaFailure {
            operation: "query",
            query: "facts",
            kind: AthenaFailureKind::QueryFailed,
            code: None,
            message: None,
            status: None,
            request_id: None,
            query_id: Some("q-123".into()),
            reason: Some(reason.into()),
            error_type: None,
            table: "\"cur\".\"report\"".into(),
            workgroup: Some("finops".into()),
            output_location: None,
            region: "us-east-1".into(),
            endpoint: "athena.us-east-1.amazonaws.com".into(),
        }
    }

    #[test]
    fn the_catalogue_of_known_failures_is_matched() {
        let cases = [
            (
                "COLUMN_NOT_FOUND: line 3:5: Column 'line_item_resource_id' cannot be resolved",
                DiagCode::ReportMisconfigured,
            ),
            (
                "COLUMN_NOT_FOUND: line 9:9: Column 'year' cannot be resolved or requester is not authorized to access requested resources",
                DiagCode::AthenaSchemaMismatch,
            ),
            (
                "SYNTAX_ERROR: line 1:8: Column 'line_item_usage_start_date' cannot be resolved",
                DiagCode::AthenaSchemaMismatch,
            ),
            (
                "PERMISSION_ERROR: Permission denied on S3 path: s3://acme-cur/cur/report/year=2021/month=8/report-00002.snappy.parquet",
                DiagCode::AccessDenied,
            ),
            (
                "outputLocation is not a valid S3 path. Provided s3:/bad",
                DiagCode::AthenaOutputLocation,
            ),
            (
                "Unable to verify/create output bucket acme-athena-results",
                DiagCode::AthenaOutputLocation,
            ),
            (
                "ManagedQueryResultsConfiguration and ResultConfiguration cannot be set together",
                DiagCode::AthenaManagedResults,
            ),
            (
                "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.cur.report' does not exist",
                DiagCode::AthenaTableMissing,
            ),
            (
                "SCHEMA_NOT_FOUND: line 1:15: Schema cost_and_usage_reports does not exist",
                DiagCode::AthenaTableMissing,
            ),
            (
                "Query exhausted resources at this scale factor",
                DiagCode::AthenaQueryFailed,
            ),
        ];
        for (reason, code) in cases {
            let d = diagnose_athena(&failed(reason));
            assert_eq!(d.code, code, "{reason}");
            assert!(d.seen.iter().any(|s| s.contains("q-123")), "{reason}");
            assert!(d.seen.iter().any(|s| s.contains(reason)), "{reason}");
            assert!(
                d.fixes.iter().any(
                    |f| f.contains("aws athena get-query-execution --query-execution-id q-123")
                ),
                "{reason}"
            );
            assert!(!d.causes.is_empty() && !d.fixes.is_empty());
        }
        let d = diagnose_athena(&failed(
            "PERMISSION_ERROR: Permission denied on S3 path: s3://acme-cur/cur/x.parquet",
        ));
        assert!(d.title.contains("s3://acme-cur/cur/x.parquet"));
        assert!(
            d.fixes
                .iter()
                .any(|f| f.contains("arn:aws:s3:::acme-cur/*"))
        );
    }

    #[test]
    fn api_failures_and_missing_tables_are_diagnosed() {
        let mut f = failed("");
        f.reason = None;
        f.query_id = None;
        f.kind = AthenaFailureKind::Unreachable;
        assert_eq!(diagnose_athena(&f).code, DiagCode::EndpointUnreachable);
        f.kind = AthenaFailureKind::NoCredentials;
        assert_eq!(diagnose_athena(&f).code, DiagCode::CredentialsMissing);
        f.kind = AthenaFailureKind::TableNotFound;
        let d = diagnose_athena(&f);
        assert_eq!(d.code, DiagCode::AthenaTableMissing);
        assert!(d.fixes.iter().any(|s| s.contains("--database-name cur")));
        f.kind = AthenaFailureKind::Service;
        f.code = Some("InvalidRequestException".into());
        f.message = Some("WorkGroup finops is not found.".into());
        assert_eq!(diagnose_athena(&f).code, DiagCode::AthenaWorkgroupMissing);
        f.code = Some("AccessDeniedException".into());
        f.message = Some(
            "User: arn:aws:iam::1:user/x is not authorized to perform: athena:StartQueryExecution"
                .into(),
        );
        f.status = Some(400);
        assert_eq!(diagnose_athena(&f).code, DiagCode::AccessDenied);
    }
}
