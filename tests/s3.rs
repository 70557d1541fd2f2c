//! The S3 source over the real S3 wire protocol, against a local S3 server (moto's server
//! mode, started by `scripts/test.sh`, which exports its URL as `CURTOP_TEST_S3_ENDPOINT` and
//! fake credentials). Generated deliveries uploaded to a bucket read back to exactly the facts
//! the local reader gives for the same files; failures end in their diagnosis codes.
#![allow(clippy::unwrap_used)]

mod common;

use common::canonical;
use std::process::{Command, Output};

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use chrono::NaiveDate;
use curtop::clock::AsOf;
use curtop::config::{AwsAccess, EnvRules, Profile, S3Spec, SourceSpec, TagMapping};
use curtop::cur::attribution::TagPlan;
use curtop::demo::{Compression, Cur2Format, DemoSpec, Layout, Scale, Versioning};
use curtop::facts::Facts;
use curtop::source::ReadRequest;
use curtop::source::demo::generate_in_memory;
use curtop::source::discover::discover;
use curtop::source::local::{ReadOptions, read_delivery};
use curtop::source::store::{MemStore, Store};
use curtop::window::WindowSpec;

/// The local S3 server's URL; the tests cannot run without one.
fn endpoint() -> String {
    std::env::var("CURTOP_TEST_S3_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "CURTOP_TEST_S3_ENDPOINT is not set: the S3 tests need the local S3 server that \
             `bash scripts/test.sh` installs and starts"
        )
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn client(rt: &tokio::runtime::Runtime) -> Client {
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(curtop::source::aws::https_client())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(endpoint())
            .load(),
    );
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    )
}

/// Creates `bucket` on the shared server and uploads every object of `store` under `prefix/`.
fn upload(bucket: &str, prefix: &str, store: &MemStore) {
    common::moto::upload(&endpoint(), bucket, prefix, store);
}

fn s3_profile(bucket: &str, prefix: &str, report: &str) -> Profile {
    Profile {
        name: "s3".into(),
        source: SourceSpec::S3(S3Spec {
            bucket: bucket.into(),
            prefix: prefix.into(),
            report: report.into(),
            access: AwsAccess {
                region: Some("us-east-1".into()),
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

fn local(store: &MemStore) -> Facts {
    let delivery = discover(store, "local").unwrap();
    let plan = TagPlan::new(&TagMapping::default(), &[]);
    let env = EnvRules::default();
    let opts = ReadOptions {
        plan: &plan,
        env: &env,
        window: None,
        progress: None,
        threads: 2,
        currency: None,
    };
    read_delivery(store, &delivery, &opts).unwrap()
}

#[test]
fn deliveries_read_through_s3_equal_the_local_read() {
    let today = NaiveDate::from_ymd_opt(2024, 4, 10).unwrap();
    let layouts = [
        (
            "create-new",
            Layout::LegacyCsv {
                versioning: Versioning::CreateNew,
                compression: Compression::Gzip,
                parts: 2,
            },
        ),
        (
            "overwrite",
            Layout::LegacyCsv {
                versioning: Versioning::Overwrite,
                compression: Compression::Zip,
                parts: 1,
            },
        ),
        (
            "cur2",
            Layout::Cur2 {
                format: Cur2Format::Parquet,
            },
        ),
    ];
    for (i, (name, layout)) in layouts.into_iter().enumerate() {
        let mut spec = DemoSpec::demo(20 + i as u64, 15, today);
        spec.scale = Scale::tiny();
        spec.layout = layout;
        spec.prefix = String::new();
        let (store, _) = generate_in_memory(&spec).unwrap();
        let expected = canonical(&local(&store));
        let bucket = format!("curtop-{name}");
        upload(&bucket, "billing/cur", &store);
        let report = spec.report.clone();
        let profile = s3_profile(&bucket, "billing/cur", &report);
        let loaded = curtop::source::load(&ReadRequest::new(
            &profile,
            WindowSpec::All,
            AsOf::date(today),
        ))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(loaded.origin.starts_with("s3://"), "{}", loaded.origin);
        assert_eq!(
            canonical(&loaded.facts),
            expected,
            "{name}: S3 facts differ from local"
        );
    }
}

/// `curtop report` on an S3 URL, with the local server as the SDK's standard endpoint variable.
enum Creds {
    /// The fake credentials of the test environment.
    Ambient,
    /// None anywhere.
    Without,
    /// This access key id and secret.
    Key(String, String),
}

fn report(url: &str, endpoint: &str, creds: &Creds) -> Output {
    let home = std::env::temp_dir().join(format!("curtop-s3-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_curtop"));
    cmd.args(["report", "--window", "all", "--cur", url])
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("HOME", &home)
        .env_remove("AWS_PROFILE")
        .env_remove("CURTOP_CONFIG")
        // Nothing outside may answer for credentials (no instance metadata here).
        .env("AWS_EC2_METADATA_DISABLED", "true");
    match creds {
        Creds::Ambient => {}
        Creds::Without => {
            cmd.env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .env_remove("AWS_SESSION_TOKEN");
        }
        Creds::Key(id, secret) => {
            cmd.env("AWS_ACCESS_KEY_ID", id)
                .env("AWS_SECRET_ACCESS_KEY", secret)
                .env_remove("AWS_SESSION_TOKEN");
        }
    }
    cmd.output().unwrap()
}

fn assert_diagnosis(out: &Output, code: &str, secret: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let all = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("diagnosis [{code}]")),
        "expected {code}:\n{err}"
    );
    assert!(
        !all.contains(secret),
        "a credential value leaked into the output:\n{all}"
    );
    err
}

/// The S3 store, with AWS rewriting the top manifest (over the wire, in the bucket) when the
/// first report part is opened.
struct RewrittenMidRead {
    inner: curtop::source::s3::S3Store,
    bucket: String,
    key: String,
    manifest: Vec<u8>,
    done: std::sync::atomic::AtomicBool,
}

impl Store for RewrittenMidRead {
    fn list(&self) -> std::io::Result<Vec<curtop::source::store::Object>> {
        self.inner.list()
    }

    fn open(&self, key: &str) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        if !key.ends_with("Manifest.json")
            && !self.done.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let rt = runtime();
            let c = client(&rt);
            rt.block_on(
                c.put_object()
                    .bucket(&self.bucket)
                    .key(&self.key)
                    .body(ByteStream::from(self.manifest.clone()))
                    .send(),
            )
            .unwrap();
        }
        self.inner.open(key)
    }

    fn describe(&self, key: &str) -> String {
        self.inner.describe(key)
    }

    fn min_parallel_reads(&self) -> usize {
        self.inner.min_parallel_reads()
    }
}

#[path = "common/rewrite.rs"]
mod rewrite;

#[test]
fn a_manifest_replaced_mid_read_restarts_that_period_over_the_wire() {
    let (before, after, top, current) = rewrite::before_and_after();
    let expected = canonical(&local(&after));
    upload("curtop-rewritten", "cur", &before);
    let profile = s3_profile("curtop-rewritten", "cur", "curtop-demo");
    let SourceSpec::S3(spec) = &profile.source else {
        unreachable!()
    };
    let store = RewrittenMidRead {
        inner: curtop::source::s3::S3Store::new(spec).unwrap(),
        bucket: "curtop-rewritten".into(),
        key: format!("cur/{top}"),
        manifest: current,
        done: std::sync::atomic::AtomicBool::new(false),
    };
    let delivery = discover(&store, "s3").unwrap();
    let loaded = curtop::source::read_store(
        &store,
        delivery,
        spec.url(),
        &ReadRequest::new(
            &profile,
            WindowSpec::All,
            AsOf::date(NaiveDate::from_ymd_opt(2024, 4, 10).unwrap()),
        ),
    )
    .unwrap();
    assert!(store.done.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(canonical(&loaded.facts), expected);
    assert!(
        loaded
            .facts
            .quality
            .warnings
            .iter()
            .any(|w| w.code == curtop::facts::WarningCode::PeriodRestarted)
    );
}

#[test]
fn failures_end_in_their_diagnosis() {
    let ep = endpoint();
    // A bucket that does not exist.
    let out = report(
        "s3://curtop-no-such-bucket/cur/report",
        &ep,
        &Creds::Ambient,
    );
    let err = assert_diagnosis(&out, "bucket-not-found", "testing-secret");
    assert!(err.contains("NoSuchBucket"), "{err}");

    // A bucket without a delivery: what was found is listed.
    let mut junk = MemStore::new();
    junk.put("report/notes.txt", b"not a CUR".to_vec());
    upload("curtop-empty", "cur", &junk);
    let out = report("s3://curtop-empty/cur/report", &ep, &Creds::Ambient);
    let err = assert_diagnosis(&out, "no-manifest", "testing-secret");
    assert!(
        err.contains("notes.txt") || err.contains("no CUR delivery"),
        "{err}"
    );

    // A misspelt report name: what the prefix holds, and the likely name.
    let today = NaiveDate::from_ymd_opt(2024, 4, 10).unwrap();
    let mut spec = DemoSpec::demo(3, 10, today);
    spec.scale = Scale::tiny();
    spec.prefix = String::new();
    let (store, _) = generate_in_memory(&spec).unwrap();
    upload("curtop-misspelt", "billing", &store);
    let out = report(
        "s3://curtop-misspelt/billing/curtop-dmeo",
        &ep,
        &Creds::Ambient,
    );
    let err = assert_diagnosis(&out, "no-manifest", "testing-secret");
    assert!(err.contains("likely report name: curtop-demo"), "{err}");

    // Nothing listening on the endpoint.
    let out = report(
        "s3://curtop-empty/cur/report",
        "http://127.0.0.1:9",
        &Creds::Ambient,
    );
    assert_diagnosis(&out, "endpoint-unreachable", "testing-secret");

    // No credentials anywhere.
    let out = report("s3://curtop-empty/cur/report", &ep, &Creds::Without);
    assert_diagnosis(&out, "credentials-missing", "testing-secret");
}

/// A real 403 from a server that enforces IAM: the user may list the bucket but not read it.
#[test]
fn access_denied_names_the_action_and_the_statement_to_add() {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: this test needs the IAM-enforcing server of scripts/test.sh")
        })
    };
    let ep = var("CURTOP_TEST_S3_AUTH_ENDPOINT");
    let (id, secret) = (
        var("CURTOP_TEST_S3_DENIED_ID"),
        var("CURTOP_TEST_S3_DENIED_SECRET"),
    );
    let out = report(
        "s3://curtop-denied/cur/report",
        &ep,
        &Creds::Key(id.clone(), secret.clone()),
    );
    let err = assert_diagnosis(&out, "access-denied", &secret);
    assert!(err.contains("HTTP 403 AccessDenied"), "{err}");
    assert!(err.contains("request id"), "{err}");
    assert!(
        err.contains("s3:GetObject on arn:aws:s3:::curtop-denied/cur/report/"),
        "{err}"
    );
    assert!(err.contains(r#""Action":["s3:GetObject"]"#), "{err}");
}
