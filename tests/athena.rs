//! The Athena source over the wire: the real `aws-sdk-athena` against moto's server
//! (`scripts/moto_server.py`, started by `scripts/test.sh`, which exports its URL as
//! `CURTOP_TEST_S3_ENDPOINT`). moto runs no SQL: each test queues the rows its queries return
//! (the schema, the facts, the data status) through moto's `/moto-api/static/athena/
//! query-results`, or an outcome (FAILED with Athena's reason, RUNNING until stopped). Each test
//! uses its own region, so their queues never mix. What the SQL computes is checked against
//! `DuckDB` in `tests/athena_sql.rs`.
#![allow(clippy::unwrap_used)]

mod common;

use common::canonical;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use common::athena::{facts_rows, schema_result};
use common::moto::{endpoint, outcome, queue, result};
use curtop::clock::AsOf;
use curtop::config::{AthenaSpec, AwsAccess, EnvRules, Profile, SourceSpec, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::cur::time::day_of;
use curtop::demo::{DemoSpec, Layout, Scale};
use curtop::facts::{Dim, Facts};
use curtop::source::ReadRequest;
use curtop::source::athena::sql::result_columns;
use curtop::source::demo::generate_in_memory;
use curtop::source::discover::discover;
use curtop::source::error::SourceError;
use curtop::source::local::{Progress, ReadOptions, read_delivery};
use curtop::window::WindowSpec;

fn profile(region: &str, table: &str, workgroup: Option<&str>) -> Profile {
    Profile {
        name: format!("athena-{region}"),
        source: SourceSpec::Athena(AthenaSpec {
            database: "athenacurcfn_acme".into(),
            table: table.into(),
            workgroup: workgroup.map(str::to_string),
            output_location: Some("s3://acme-athena-results/curtop/".into()),
            catalog: None,
            table_location: None,
            access: AwsAccess {
                region: Some(region.into()),
                endpoint_url: Some(endpoint()),
                ..AwsAccess::default()
            },
        }),
        tags: TagMapping::default(),
        env: EnvRules::default(),
        budgets: Vec::new(),
        sharing: curtop::config::Sharing::default(),
    }
}

fn today() -> AsOf {
    AsOf::date(NaiveDate::from_ymd_opt(2024, 4, 10).unwrap())
}

fn load(
    p: &Profile,
    window: WindowSpec,
    progress: Option<&Progress>,
) -> Result<Facts, SourceError> {
    let req = ReadRequest::new(p, window, today());
    let req = match progress {
        Some(progress) => req.with_progress(progress),
        None => req,
    };
    curtop::source::load(&req).map(|l| l.facts)
}

fn athena_client(region: &str) -> (tokio::runtime::Runtime, aws_sdk_athena::Client) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(curtop::source::aws::https_client())
            .region(aws_config::Region::new(region.to_string()))
            .endpoint_url(endpoint())
            .load(),
    );
    let client = aws_sdk_athena::Client::new(&config);
    (rt, client)
}

/// The queries started in `region`, oldest first: (SQL, state).
fn executions(region: &str) -> Vec<(String, String)> {
    let (rt, client) = athena_client(region);
    rt.block_on(async {
        let ids = client
            .list_query_executions()
            .send()
            .await
            .unwrap()
            .query_execution_ids()
            .to_vec();
        let mut out = Vec::new();
        for id in ids {
            let got = client
                .get_query_execution()
                .query_execution_id(&id)
                .send()
                .await
                .unwrap();
            let x = got.query_execution().unwrap();
            out.push((
                x.query().unwrap_or_default().to_string(),
                x.status()
                    .and_then(|s| s.state())
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ));
        }
        out
    })
}

#[test]
fn a_refresh_is_one_query_whose_pages_become_the_facts() {
    let region = "us-west-2";
    let before = executions(region).len();
    // The bill the query returns: a generated CUR read locally, thousands of fact rows.
    let mut spec = DemoSpec::demo(5, 40, NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyParquet;
    let (store, _) = generate_in_memory(&spec).unwrap();
    let delivery = discover(&store, "generated").unwrap();
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let local = read_delivery(
        &store,
        &delivery,
        &ReadOptions {
            plan: &plan,
            env: &env,
            window: None,
            progress: None,
            threads: 2,
            currency: None,
        },
    )
    .unwrap();
    let rows = facts_rows(&local);
    assert!(rows.len() > 2500, "several result pages: {}", rows.len());
    let header = result_columns(&plan);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    queue(
        region,
        &[
            schema_result("acme_hourly", true),
            result(&header, &rows),
            result(&["status"], &[vec![Some("UPDATING".into())]]),
        ],
    );

    let p = profile(region, "acme_hourly", None);
    let progress = Progress::default();
    let loaded = curtop::source::load(
        &ReadRequest::new(
            &p,
            WindowSpec::Range(day_of(spec.end) - 40, day_of(spec.end)),
            today(),
        )
        .with_progress(&progress),
    )
    .unwrap();
    assert_eq!(
        canonical(&loaded.facts),
        canonical(&local),
        "every page, every row"
    );
    assert_eq!(loaded.facts.quality.malformed_rows, 0);
    assert_eq!(
        progress
            .rows_fetched
            .load(std::sync::atomic::Ordering::Relaxed),
        rows.len() as u64
    );
    assert!(loaded.origin.contains("query "), "{}", loaded.origin);
    assert!(loaded.origin.contains("scanned"), "{}", loaded.origin);
    let codes: Vec<&str> = loaded
        .facts
        .quality
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert!(codes.contains(&"data-updating"), "{codes:?}");
    // The table has none of the amortization columns: amortized may be short, and it says so.
    let short = loaded
        .facts
        .quality
        .warnings
        .iter()
        .find(|w| w.code == curtop::facts::WarningCode::MissingCostColumns)
        .expect("missing-cost-columns");
    assert!(
        short
            .message
            .contains("DiscountedUsage without reservation/EffectiveCost"),
        "{}",
        short.message
    );

    // Three queries ran: the schema, the facts (the SQL --explain prints), the data status.
    let ran = executions(region).split_off(before);
    assert_eq!(ran.len(), 3, "{ran:?}");
    assert!(ran[0].0.contains("information_schema.columns"));
    assert!(ran[1].0.starts_with("-- curtop facts"));
    assert!(
        ran[1].0.contains("(year = '2024' AND month = '2')"),
        "pruned to the window"
    );
    assert!(ran[2].0.contains("cost_and_usage_data_status"));

    // A second refresh reuses the schema: one facts query (and the status), no schema query.
    queue(
        region,
        &[
            result(&header, &rows[..10]),
            result(&["status"], &[vec![Some("READY".into())]]),
        ],
    );
    let again = load(
        &p,
        WindowSpec::Range(day_of(spec.end) - 40, day_of(spec.end)),
        None,
    )
    .unwrap();
    assert_eq!(executions(region).len(), before + 5);
    assert!(
        again
            .quality
            .warnings
            .iter()
            .all(|w| w.code != curtop::facts::WarningCode::DataUpdating)
    );
    assert!(again.rows.len() <= 10);
    assert!(
        again
            .rows
            .iter()
            .all(|r| !again.text(r, Dim::Account).is_empty())
    );
}

#[test]
fn failed_queries_end_in_their_diagnoses_with_the_query_id_and_reason() {
    let region = "eu-west-1";
    let cases = [
        (
            "COLUMN_NOT_FOUND: line 12:5: Column 'line_item_resource_id' cannot be resolved",
            "report-misconfigured",
        ),
        (
            "COLUMN_NOT_FOUND: line 40:9: Column 'year' cannot be resolved or requester is not authorized to access requested resources",
            "athena-schema-mismatch",
        ),
        (
            "PERMISSION_ERROR: Permission denied on S3 path: s3://acme-cur/cur/acme/year=2024/month=2/acme-00001.snappy.parquet",
            "access-denied",
        ),
        (
            "outputLocation is not a valid S3 path. Provided: acme-athena-results",
            "athena-output-location",
        ),
        (
            "Unable to verify/create output bucket acme-athena-results",
            "athena-output-location",
        ),
        (
            "ManagedQueryResultsConfiguration and ResultConfiguration cannot be set together",
            "athena-managed-results",
        ),
        (
            "TABLE_NOT_FOUND: line 30:8: Table 'awsdatacatalog.athenacurcfn_acme.acme' does not exist",
            "athena-table-missing",
        ),
        (
            "Query exhausted resources at this scale factor",
            "athena-query-failed",
        ),
    ];
    for (i, (reason, code)) in cases.iter().enumerate() {
        // Each case its own table: the schema is cached per table.
        let table = format!("acme_{i}");
        queue(
            region,
            &[schema_result(&table, false), outcome("FAILED", reason)],
        );
        let err = load(
            &profile(region, &table, None),
            WindowSpec::LastDays(7),
            None,
        )
        .unwrap_err();
        let d = curtop::diag::diagnose(&err);
        assert_eq!(d.code.as_str(), *code, "{reason}: {err}");
        assert!(
            d.seen.iter().any(|s| s.contains(reason)),
            "{reason}: {:?}",
            d.seen
        );
        let id = d
            .seen
            .iter()
            .find_map(|s| s.strip_prefix("query id: "))
            .unwrap_or_else(|| panic!("{reason}: no query id in {:?}", d.seen))
            .to_string();
        assert!(
            d.fixes
                .iter()
                .any(|f| f.ends_with(&format!("--query-execution-id {id}"))),
            "{reason}: {:?}",
            d.fixes
        );
    }

    // Cancelled by someone else.
    queue(
        region,
        &[
            schema_result("acme_x", false),
            outcome("CANCELLED", "Query cancelled by user"),
        ],
    );
    let err = load(
        &profile(region, "acme_x", None),
        WindowSpec::LastDays(7),
        None,
    )
    .unwrap_err();
    let d = curtop::diag::diagnose(&err);
    assert_eq!(d.code, curtop::diag::DiagCode::AthenaQueryFailed);
    assert!(d.title.contains("cancelled outside curtop"), "{}", d.title);

    // No such table: the schema query finds no columns.
    queue(
        region,
        &[result(&["table_name", "column_name", "data_type"], &[])],
    );
    let err = load(
        &profile(region, "nope", None),
        WindowSpec::LastDays(7),
        None,
    )
    .unwrap_err();
    assert_eq!(
        curtop::diag::diagnose(&err).code,
        curtop::diag::DiagCode::AthenaTableMissing
    );

    // No such workgroup: moto refuses StartQueryExecution with a 400, as Athena does.
    let err = load(
        &profile(region, "acme_wg", Some("finops")),
        WindowSpec::LastDays(7),
        None,
    )
    .unwrap_err();
    let d = curtop::diag::diagnose(&err);
    assert_eq!(
        d.code,
        curtop::diag::DiagCode::AthenaWorkgroupMissing,
        "{err}"
    );
    assert!(d.seen[0].contains("HTTP 400"), "{:?}", d.seen);
}

#[test]
fn a_cancelled_fetch_stops_its_query() {
    let region = "ap-southeast-2";
    let before = executions(region).len();
    queue(
        region,
        &[schema_result("acme_hourly", false), outcome("RUNNING", "")],
    );
    let progress = Arc::new(Progress::default());
    let p = profile(region, "acme_hourly", None);
    let worker = {
        let progress = Arc::clone(&progress);
        std::thread::spawn(move || load(&p, WindowSpec::LastDays(7), Some(&progress)))
    };
    // Wait until the facts query runs, then cancel as a refresh or quit does.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while executions(region).len() < before + 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the query never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    progress.cancel();
    let got = worker.join().unwrap();
    assert!(matches!(got, Err(SourceError::Cancelled)), "{got:?}");
    let ran = executions(region).split_off(before);
    assert_eq!(
        ran[1].1, "CANCELLED",
        "StopQueryExecution reached Athena: {ran:?}"
    );
}

#[test]
fn an_unreachable_endpoint_and_the_explained_sql() {
    let mut p = profile("sa-east-1", "acme_hourly", None);
    if let SourceSpec::Athena(a) = &mut p.source {
        a.access.endpoint_url = Some("http://127.0.0.1:9".into());
    }
    let err = load(&p, WindowSpec::LastDays(7), None).unwrap_err();
    assert_eq!(
        curtop::diag::diagnose(&err).code,
        curtop::diag::DiagCode::EndpointUnreachable,
        "{err}"
    );

    // --explain reads the schema and prints the SQL, running nothing else.
    let region = "ca-central-1";
    let before = executions(region).len();
    queue(region, &[schema_result("acme_hourly", false)]);
    let p = profile(region, "acme_hourly", None);
    let sql =
        curtop::source::explain(&ReadRequest::new(&p, WindowSpec::LastDays(7), today())).unwrap();
    assert!(sql.starts_with("-- curtop facts"));
    assert!(sql.contains("\"athenacurcfn_acme\".\"acme_hourly\""));
    assert!(sql.contains("TIMESTAMP '2024-04-04 00:00:00'"), "{sql}");
    assert_eq!(executions(region).len(), before + 1);
}

/// Through the facts cache: a month that ended (past the billing lag) while the data status
/// said READY is never queried again; the open month is queried on every refresh, pruned to its
/// own partition.
#[test]
fn a_cached_closed_month_is_never_queried_again_and_the_open_month_alone_is() {
    use curtop::cache::{Cache, CacheMode};
    let region = "eu-north-1";
    let before = executions(region).len();
    let mut spec = DemoSpec::demo(5, 70, NaiveDate::from_ymd_opt(2024, 4, 10).unwrap());
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyParquet;
    let (store, _) = generate_in_memory(&spec).unwrap();
    let delivery = discover(&store, "generated").unwrap();
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let local = read_delivery(
        &store,
        &delivery,
        &ReadOptions {
            plan: &plan,
            env: &env,
            window: None,
            progress: None,
            threads: 2,
            currency: None,
        },
    )
    .unwrap();
    let rows = facts_rows(&local);
    let month = |m: &str| -> Vec<Vec<Option<String>>> {
        rows.iter()
            .filter(|r| r[0].as_deref().is_some_and(|d| d.starts_with(m)))
            .cloned()
            .collect()
    };
    let header = result_columns(&plan);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let dir = common::temp_dir("athena-cache");
    let cache = Cache::at(&dir);
    let p = profile(region, "acme_cached", None);
    let read = |window: WindowSpec| {
        curtop::source::load(
            &ReadRequest::new(&p, window, today()).with_cache(&cache, CacheMode::Use),
        )
        .unwrap()
    };
    let feb_mar = WindowSpec::Range(
        day_of(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
        day_of(NaiveDate::from_ymd_opt(2024, 4, 1).unwrap()),
    );
    // Cold: the schema, one query per month (each pruned to it), the status.
    queue(
        region,
        &[
            schema_result("acme_cached", true),
            result(&header, &month("2024-02")),
            result(&header, &month("2024-03")),
            result(&["status"], &[vec![Some("READY".into())]]),
        ],
    );
    let cold = read(feb_mar);
    let ran = executions(region).split_off(before);
    assert_eq!(ran.len(), 4, "{ran:?}");
    assert!(
        ran[1].0.contains("(year = '2024' AND month = '2')"),
        "{}",
        ran[1].0
    );
    assert!(!ran[1].0.contains("month = '3'"));
    assert!(
        ran[2].0.contains("(year = '2024' AND month = '3')"),
        "{}",
        ran[2].0
    );
    let note = cold.cache.as_ref().unwrap();
    assert_eq!(note.queries, 2);
    assert!(
        note.summary().starts_with("2 queries, "),
        "{}",
        note.summary()
    );

    // Warm: both months ended before 2024-04-08 with the status READY: no query at all.
    let warm = read(feb_mar);
    assert_eq!(executions(region).len(), before + 4, "no query was sent");
    assert_eq!(canonical(&warm.facts), canonical(&cold.facts));
    assert!(
        warm.cache
            .as_ref()
            .unwrap()
            .summary()
            .contains("2 periods from cache")
    );

    // March and the open April: March from the cache, April queried with its partition alone.
    queue(
        region,
        &[
            result(&header, &month("2024-04")),
            result(&["status"], &[vec![Some("READY".into())]]),
        ],
    );
    let mar_apr = WindowSpec::Range(
        day_of(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()),
        day_of(NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()),
    );
    let open = read(mar_apr);
    let ran = executions(region).split_off(before + 4);
    assert_eq!(ran.len(), 2, "{ran:?}");
    assert!(
        ran[0].0.contains("(year = '2024' AND month = '4')"),
        "{}",
        ran[0].0
    );
    assert!(!ran[0].0.contains("month = '3'"), "{}", ran[0].0);
    assert!(ran[1].0.contains("cost_and_usage_data_status"));
    assert_eq!(
        open.cache.as_ref().unwrap().summary(),
        format!(
            "1 period from cache, 1 query, {}",
            open.cache
                .as_ref()
                .unwrap()
                .summary()
                .split("1 query, ")
                .nth(1)
                .unwrap()
        )
    );
    // And the open month is queried again on the next refresh.
    queue(
        region,
        &[
            result(&header, &month("2024-04")),
            result(&["status"], &[vec![Some("READY".into())]]),
        ],
    );
    read(mar_apr);
    assert_eq!(executions(region).len(), before + 8);
}

/// An Athena read queries only the mapped tag keys: doctor's one extra query scans the others
/// for values that look like environments, and the environment-coverage check names the
/// unmapped key, what it scanned, and the config line to add.
#[test]
fn doctor_scans_an_athena_tables_unmapped_tag_keys_for_environments() {
    let region = "ap-south-1";
    let mut spec = DemoSpec::demo(5, 10, NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
    spec.scale = Scale::tiny();
    spec.layout = Layout::LegacyParquet;
    let (store, _) = generate_in_memory(&spec).unwrap();
    let delivery = discover(&store, "generated").unwrap();
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let local = read_delivery(
        &store,
        &delivery,
        &ReadOptions {
            plan: &plan,
            env: &env,
            window: None,
            progress: None,
            threads: 2,
            currency: None,
        },
    )
    .unwrap();
    let header = result_columns(&plan);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let columns: Vec<Vec<Option<String>>> = common::athena::COLUMNS
        .iter()
        .chain(&["resource_tags_user_lifecycle"])
        .map(|c| {
            vec![
                Some("acme_envs".to_string()),
                Some((*c).to_string()),
                Some("varchar".into()),
            ]
        })
        .collect();
    let schema = result(&["table_name", "column_name", "data_type"], &columns);
    queue(
        region,
        &[
            result(&["_col0"], &[vec![Some("1".into())]]),
            schema,
            result(&header, &facts_rows(&local)),
            result(
                &["tag", "value", "cost"],
                &[
                    vec![
                        Some("user_lifecycle".into()),
                        Some("prod".into()),
                        Some("12.5".into()),
                    ],
                    vec![
                        Some("user_lifecycle".into()),
                        Some("stg".into()),
                        Some("2.5".into()),
                    ],
                ],
            ),
        ],
    );
    let p = profile(region, "acme_envs", None);
    let report = curtop::source::doctor::check_profile(&p, today());
    let text = curtop::diag::doctor::render_text(std::slice::from_ref(&report));
    let check = report
        .checks
        .iter()
        .find(|c| c.name == curtop::diag::doctor::CheckId::EnvironmentCoverage)
        .expect("the environment-coverage check");
    let evidence = check.evidence.join("\n");
    assert!(
        evidence.contains(
            "tag key `user:lifecycle`, not in the profile's env keys, holds values that look \
             like environments: prod → production, stg → staging"
        ),
        "{text}"
    );
    assert!(evidence.contains("scan of the unmapped tag keys"), "{text}");
    assert!(evidence.contains("scanned"), "{text}");
    let fixes = &check.diagnosis.as_ref().expect("a diagnosis").fixes;
    assert!(
        fixes[0].ends_with(", \"user:lifecycle\"]"),
        "{fixes:?}\n{text}"
    );
    // The scan ran over the read's window, on the unmapped column only.
    let scan = executions(region)
        .into_iter()
        .map(|(sql, _)| sql)
        .find(|sql| sql.starts_with("-- curtop doctor: env-like values"))
        .expect("the scan query");
    assert!(scan.contains("\"resource_tags_user_lifecycle\""), "{scan}");
    assert!(
        !scan.contains("resource_tags_user_kubernetes_namespace"),
        "{scan}"
    );
}
