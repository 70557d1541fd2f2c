//! The facts cache through the real binary and the real readers: cold and warm reads give the
//! same report byte for byte on every delivery layout; a rewritten open month is read again
//! alone; corrupt, truncated, old-format and unwritable caches are warnings, never wrong
//! numbers; two processes share one cache; offline, the cached numbers are shown with their
//! age and the diagnosis.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/rewrite.rs"]
mod rewrite;

use common::counting::Counting;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use common::temp_dir;
use curtop::cache::{Cache, CacheMode, SourceKey};
use curtop::clock::AsOf;
use curtop::config::{EnvRules, Profile, SourceSpec, TagMapping};
use curtop::source::ReadRequest;
use curtop::source::cached::read_store_cached;
use curtop::source::discover::discover;
use curtop::source::store::Store;
use curtop::window::WindowSpec;

const AS_OF: &str = "2026-11-18";

fn curtop(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn demo_delivery(tag: &str, layout: &str) -> PathBuf {
    let dir = temp_dir(tag);
    let out = curtop(
        &dir.join("unused-cache"),
        &[
            "demo-data",
            "--out",
            dir.join("cur").to_str().unwrap(),
            "--layout",
            layout,
            "--days",
            "50",
            "--as-of",
            AS_OF,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir.join("cur")
}

fn report(cache: &Path, cur: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "report",
        "--cur",
        cur.to_str().unwrap(),
        "--window",
        "all",
        "--by",
        "cluster,namespace,pod",
        "-o",
        "json",
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    curtop(cache, &args)
}

/// `N` of "N periods read (" in a report's stderr (0 when absent).
fn periods_read(stderr: &str) -> usize {
    stderr
        .split(" periods read (")
        .next()
        .filter(|head| head.len() < stderr.len())
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn cold_and_warm_reports_are_identical_on_every_layout() {
    for layout in [
        "legacy-csv-gz",
        "legacy-csv-zip",
        "legacy-csv",
        "legacy-parquet",
        "cur2-parquet",
        "cur2-csv-gz",
    ] {
        let cur = demo_delivery(&format!("cache-layout-{layout}"), layout);
        let cache = cur.parent().unwrap().join("cache");
        let cold = report(&cache, &cur, &[]);
        assert!(cold.status.success(), "{layout}: {}", text(&cold.stderr));
        let cold_err = text(&cold.stderr);
        let n = periods_read(&cold_err);
        assert!(n >= 2, "{layout}: {cold_err}");
        let warm = report(&cache, &cur, &[]);
        assert!(warm.status.success(), "{layout}: {}", text(&warm.stderr));
        let warm_err = text(&warm.stderr);
        let all_cached = format!("{n} periods from cache");
        assert!(warm_err.contains(&all_cached), "{layout}: {warm_err}");
        assert!(!warm_err.contains("read ("), "{layout}: {warm_err}");
        assert_eq!(text(&cold.stdout), text(&warm.stdout), "{layout}");
        // --refresh reads everything again, to the same numbers.
        let fresh = report(&cache, &cur, &["--refresh"]);
        assert_eq!(periods_read(&text(&fresh.stderr)), n, "{layout}");
        assert_eq!(text(&cold.stdout), text(&fresh.stdout), "{layout}");
        // A narrower window cut from the cached periods equals one read straight.
        let week = |c: &Path| {
            let args = [
                "report",
                "--cur",
                cur.to_str().unwrap(),
                "--window",
                "2026-10-28..2026-11-04",
                "-o",
                "json",
                "--by",
                "namespace",
                "--as-of",
                AS_OF,
            ];
            curtop(c, &args)
        };
        let from_cache = week(&cache);
        let straight = week(&cur.parent().unwrap().join("cache-2"));
        assert_eq!(text(&from_cache.stdout), text(&straight.stdout), "{layout}");
        assert!(text(&from_cache.stderr).contains("from cache"), "{layout}");
    }
}

#[test]
fn the_cache_is_private_and_listed_and_cleared_by_profile() {
    let cur = demo_delivery("cache-list", "legacy-csv-gz");
    let cache = cur.parent().unwrap().join("cache");
    assert!(report(&cache, &cur, &[]).status.success());
    let list = curtop(&cache, &["cache"]);
    let out = text(&list.stdout);
    assert!(out.contains("PROFILE"), "{out}");
    assert!(out.contains("2026-10") && out.contains("2026-11"), "{out}");
    let n = cached_files(&cache).len();
    assert!(out.contains(&format!("{n} periods, ")), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let facts = cache.join("curtop/facts");
        for dir in std::fs::read_dir(&facts).unwrap() {
            let dir = dir.unwrap().path();
            assert_eq!(
                std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
                0o700
            );
            // The periods' files, the roll-ups' folder and the roll-ups in it.
            let rollups = dir.join("rollup");
            assert_eq!(
                std::fs::metadata(&rollups).unwrap().permissions().mode() & 0o777,
                0o700
            );
            let files = std::fs::read_dir(&dir)
                .unwrap()
                .chain(std::fs::read_dir(&rollups).unwrap())
                .map(|f| f.unwrap().path())
                .filter(|f| f.is_file());
            for f in files {
                assert_eq!(
                    std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
                    0o600
                );
            }
        }
    }
    let none = curtop(&cache, &["cache", "clear", "--profile", "other"]);
    assert!(
        text(&none.stdout).contains("removed 0"),
        "{}",
        text(&none.stdout)
    );
    let cleared = curtop(&cache, &["cache", "clear", "--profile", "cur"]);
    assert!(
        text(&cleared.stdout).contains(&format!("removed {n} ")),
        "{}",
        text(&cleared.stdout)
    );
    assert!(text(&curtop(&cache, &["cache"]).stdout).contains("nothing cached"));
}

/// Every cached file of a cache folder (periods' facts; their roll-ups are in `rollup/`).
fn cached_files(cache: &Path) -> Vec<PathBuf> {
    files_in(cache, "")
}

/// Every file in `sub` of a cache folder's source folders.
fn files_in(cache: &Path, sub: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(cache.join("curtop/facts")).unwrap() {
        let Ok(files) = std::fs::read_dir(dir.unwrap().path().join(sub)) else {
            continue;
        };
        for f in files {
            let path = f.unwrap().path();
            if path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn corrupt_truncated_and_old_cache_files_are_read_again_never_believed() {
    let cur = demo_delivery("cache-corrupt", "cur2-parquet");
    let cache = cur.parent().unwrap().join("cache");
    let cold = report(&cache, &cur, &[]);
    assert!(cold.status.success());
    let files = cached_files(&cache);
    let n = files.len();
    assert!(n >= 2);
    let last = files.last().unwrap();
    let good = std::fs::read(last).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 3;
    flipped[mid] ^= 0x40;
    let old_format = {
        let current = format!("\"format\":{}", curtop::cache::format::FORMAT_VERSION);
        let at = good
            .windows(current.len())
            .position(|w| w == current.as_bytes())
            .unwrap();
        let mut b = good.clone();
        b[at + current.len() - 1] = b'0';
        b
    };
    for (what, bytes) in [
        ("corrupt", flipped),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("old format", old_format),
    ] {
        std::fs::write(last, &bytes).unwrap();
        let out = report(&cache, &cur, &[]);
        assert!(out.status.success(), "{what}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("warning [cache-invalid]"), "{what}: {err}");
        let partly = format!(
            "{} period{} from cache, 1 read",
            n - 1,
            if n == 2 { "" } else { "s" }
        );
        assert!(err.contains(&partly), "{what}: {err}");
        assert_eq!(text(&out.stdout), text(&cold.stdout), "{what}");
        // Read again and stored again: the next start is warm.
        let next = report(&cache, &cur, &[]);
        assert!(
            text(&next.stderr).contains(&format!("{n} periods from cache")),
            "{what}"
        );
        assert_eq!(text(&next.stdout), text(&cold.stdout), "{what}");
    }
}

#[test]
#[cfg(unix)]
fn a_cache_that_cannot_be_written_is_a_warning_and_the_report_still_right() {
    use std::os::unix::fs::PermissionsExt;
    let cur = demo_delivery("cache-readonly", "legacy-csv-gz");
    let good = report(&cur.parent().unwrap().join("cache-ok"), &cur, &[]);
    let cache = cur.parent().unwrap().join("cache-ro");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o500)).unwrap();
    // Root ignores permissions; then there is nothing to test.
    if std::fs::write(cache.join("probe"), b"x").is_ok() {
        return;
    }
    let out = report(&cache, &cur, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("warning [cache-unwritable]"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout), text(&good.stdout));
}

#[test]
fn two_processes_refreshing_one_cache_at_once_both_end_right() {
    let cur = demo_delivery("cache-race", "legacy-csv-gz");
    let cache = cur.parent().unwrap().join("cache");
    let good = report(&cur.parent().unwrap().join("cache-alone"), &cur, &[]);
    for round in 0..3 {
        let spawn = |extra: &'static [&'static str]| {
            let mut args = vec![
                "report",
                "--cur",
                cur.to_str().unwrap(),
                "--window",
                "all",
                "--by",
                "cluster,namespace,pod",
                "-o",
                "json",
                "--as-of",
                AS_OF,
            ];
            args.extend_from_slice(extra);
            Command::new(env!("CARGO_BIN_EXE_curtop"))
                .args(args)
                .env("XDG_CACHE_HOME", &cache)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        // One refreshes (writes every period), the others read what is there meanwhile.
        let children = [
            spawn(&["--refresh"]),
            spawn(&[]),
            spawn(&["--refresh"]),
            spawn(&[]),
        ];
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", text(&out.stderr));
            assert!(
                !text(&out.stderr).contains("cache-invalid"),
                "{}",
                text(&out.stderr)
            );
            assert_eq!(text(&out.stdout), text(&good.stdout), "round {round}");
        }
    }
    // No temporary file left behind, a roll-up beside each period.
    let (facts, rollups) = (cached_files(&cache), files_in(&cache, "rollup"));
    assert!(
        facts
            .iter()
            .chain(&rollups)
            .all(|p| p.extension().is_some_and(|x| x == "parquet")),
        "{facts:?} {rollups:?}"
    );
    assert_eq!(facts.len(), rollups.len());
}

/// The report JSON of loaded facts by `by` (every day of the window).
fn report_of(loaded: &curtop::source::Loaded, by: &[curtop::report::Dimension]) -> String {
    curtop::report::build(
        &loaded.facts,
        loaded.window,
        curtop::cur::metrics::Metric::Amortized,
        by,
    )
    .render(curtop::report::Format::Json, false)
}

/// A warm start's first frame: the roll-ups (`CacheMode::Rollup`) give every number above
/// the pods that the full facts give, to the nano-dollar; a cache without roll-ups (an older
/// curtop's) gets them the first time its facts are read in full.
#[test]
fn the_rollups_give_every_number_above_the_pods_and_are_made_for_older_caches() {
    use curtop::report::Dimension as D;
    let cur = demo_delivery("cache-rollup", "legacy-parquet");
    let root = cur.parent().unwrap().join("cache");
    let cache = Cache::at(root.join("curtop"));
    let p = Profile {
        source: SourceSpec::Local { path: cur.clone() },
        ..profile()
    };
    let as_of = AsOf::date(NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap());
    let req = ReadRequest::new(&p, WindowSpec::All, as_of);
    let load = |mode| curtop::source::load(&req.with_cache(&cache, mode));
    assert!(load(CacheMode::Rollup).is_err(), "nothing cached yet");
    let cold = load(CacheMode::Use).unwrap();
    assert!(!cold.rolled_up());
    let rolled = load(CacheMode::Rollup).unwrap();
    let full = load(CacheMode::Offline).unwrap();
    assert!(rolled.rolled_up() && !full.rolled_up());
    let periods = cold.cache.as_ref().unwrap().read.len();
    assert!(periods >= 2);
    assert_eq!(rolled.cache.as_ref().unwrap().cached.len(), periods);
    assert!(rolled.facts.rows.len() * 2 < full.facts.rows.len());
    for by in [
        vec![D::Cluster, D::Namespace, D::WorkloadKind, D::Workload],
        vec![D::Category, D::Service, D::UsageType, D::Account],
        vec![D::Day, D::Cluster, D::Env],
    ] {
        assert_eq!(report_of(&rolled, &by), report_of(&full, &by), "{by:?}");
    }
    assert_eq!(report_of(&full, &[D::Pod]), report_of(&cold, &[D::Pod]));
    // An older curtop's cache: no roll-ups. The first frame then waits for the full facts,
    // whose read makes the roll-ups again.
    let rollups = files_in(&root, "rollup");
    assert_eq!(rollups.len(), periods);
    for f in rollups {
        std::fs::remove_file(f).unwrap();
    }
    assert!(load(CacheMode::Rollup).is_err());
    assert!(load(CacheMode::Offline).is_ok());
    let again = load(CacheMode::Rollup).unwrap();
    assert_eq!(
        report_of(&again, &[D::Cluster, D::Namespace]),
        report_of(&full, &[D::Cluster, D::Namespace])
    );
}

fn profile() -> Profile {
    Profile {
        name: "rewrite".into(),
        source: SourceSpec::Local {
            path: PathBuf::from("/in-memory"),
        },
        tags: TagMapping::default(),
        env: EnvRules::default(),
        sharing: curtop::config::Sharing::default(),
        budgets: Vec::new(),
    }
}

/// Reads `store` through `cache`; returns the report JSON of its facts.
fn read_through(store: &dyn Store, cache: &Cache, key: &SourceKey) -> String {
    let p = profile();
    let as_of = AsOf::date(NaiveDate::from_ymd_opt(2024, 4, 10).unwrap());
    let req = ReadRequest::new(&p, WindowSpec::All, as_of).with_cache(cache, CacheMode::Use);
    let delivery = discover(store, "mem").unwrap();
    let loaded = read_store_cached(store, delivery, "mem".into(), &req, cache, key).unwrap();
    let rep = curtop::report::build(
        &loaded.facts,
        loaded.window,
        curtop::cur::metrics::Metric::Amortized,
        &[curtop::report::Dimension::Namespace],
    );
    rep.render(curtop::report::Format::Json, false)
}

#[test]
fn a_rewritten_open_month_is_read_again_alone() {
    let (before, after, top, _) = rewrite::before_and_after();
    let open_period = top.rsplit_once('/').unwrap().0.to_string();
    let cache = Cache::at(temp_dir("cache-rewrite"));
    let key = SourceKey::from_description("rewrite", "mem");
    let before = Counting::new(before);
    read_through(&before, &cache, &key);
    let cold = before.parts_opened();
    assert!(
        cold.keys().any(|k| !k.starts_with(&open_period)),
        "{cold:?}"
    );
    // Unchanged: no part read at all.
    read_through(&before, &cache, &key);
    assert_eq!(before.parts_opened(), BTreeMap::new());
    // AWS rewrote the open month (a new assemblyId): only its parts are read, and its cached
    // file, now of an old version, is not even decoded — its rows are damaged here (the
    // footer intact), which a decode would report as `cache-invalid`.
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in std::fs::read_dir(cache.facts_dir()).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let f = f.unwrap().path();
            if f.is_file() {
                files.push(f);
            }
        }
    }
    files.sort();
    let open_file = files.last().unwrap();
    let mut bytes = std::fs::read(open_file).unwrap();
    let mid = bytes.len() / 3;
    bytes[mid] ^= 0x40;
    std::fs::write(open_file, bytes).unwrap();
    let after = Counting::new(after);
    {
        let p = profile();
        let as_of = AsOf::date(NaiveDate::from_ymd_opt(2024, 4, 10).unwrap());
        let req = ReadRequest::new(&p, WindowSpec::All, as_of).with_cache(&cache, CacheMode::Use);
        let delivery = discover(&after, "mem").unwrap();
        let loaded = read_store_cached(&after, delivery, "mem".into(), &req, &cache, &key).unwrap();
        let codes: Vec<&str> = loaded
            .facts
            .quality
            .warnings
            .iter()
            .map(|w| w.code.as_str())
            .collect();
        assert!(!codes.contains(&"cache-invalid"), "{codes:?}");
    }
    let read = after.parts_opened();
    assert!(!read.is_empty());
    assert!(read.keys().all(|k| k.starts_with(&open_period)), "{read:?}");
    // Stored again: a second read of the new delivery opens no part.
    let warm = read_through(&after, &cache, &key);
    assert_eq!(after.parts_opened(), BTreeMap::new());
    // And the result equals a cold read of the new delivery.
    let fresh = Cache::at(temp_dir("cache-rewrite-fresh"));
    assert_eq!(warm, read_through(&after, &fresh, &key));
}

// ---- over the wire: the local S3 server ----

fn s3_spec(endpoint: &str, bucket: &str, prefix: &str, report: &str) -> curtop::config::S3Spec {
    curtop::config::S3Spec {
        bucket: bucket.into(),
        prefix: prefix.into(),
        report: report.into(),
        access: curtop::config::AwsAccess {
            region: Some("us-east-1".into()),
            endpoint_url: Some(endpoint.into()),
            ..curtop::config::AwsAccess::default()
        },
    }
}

#[test]
fn over_s3_a_rewritten_open_month_is_the_only_one_fetched_again() {
    let endpoint = common::moto::endpoint();
    let (before, _, top, manifest) = rewrite::before_and_after();
    let open_period = top.rsplit_once('/').unwrap().0.to_string();
    let report_name = top.split('/').next().unwrap().to_string();
    common::moto::upload(&endpoint, "curtop-cache-rewrite", "cur", &before);
    let spec = s3_spec(&endpoint, "curtop-cache-rewrite", "cur", &report_name);
    let store = Counting::new(curtop::source::s3::S3Store::new(&spec).unwrap());
    let cache = Cache::at(temp_dir("cache-s3-rewrite"));
    let key = SourceKey::from_description("s3", &spec.url());
    read_through(&store, &cache, &key);
    assert!(!store.parts_opened().is_empty());
    // Nothing changed: the manifests are listed and read, no part is fetched.
    read_through(&store, &cache, &key);
    assert_eq!(store.parts_opened(), BTreeMap::new());
    // AWS delivers a new assembly of the open month: only its parts are fetched.
    let mut rewritten = curtop::source::store::MemStore::new();
    rewritten.put(top.clone(), manifest);
    common::moto::upload(&endpoint, "curtop-cache-rewrite", "cur", &rewritten);
    read_through(&store, &cache, &key);
    let fetched = store.parts_opened();
    assert!(!fetched.is_empty());
    assert!(
        fetched.keys().all(|k| k.starts_with(&open_period)),
        "{fetched:?}"
    );
}

#[test]
fn offline_the_cached_numbers_are_shown_with_their_age_and_the_diagnosis() {
    let mut server = common::moto::Server::start();
    let today = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
    let mut spec = curtop::demo::DemoSpec::demo(7, 30, today);
    spec.scale = curtop::demo::Scale::tiny();
    spec.prefix = String::new();
    let (store, _) = curtop::source::demo::generate_in_memory(&spec).unwrap();
    common::moto::upload(&server.endpoint, "curtop-offline", "cur", &store);
    let url = format!("s3://curtop-offline/cur/{}", spec.report);
    let cache = temp_dir("cache-offline");
    let endpoint = server.endpoint.clone();
    let report = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "--cur",
            &url,
            "--window",
            "all",
            "--by",
            "cluster,namespace",
            "-o",
            "json",
            "--as-of",
            AS_OF,
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_curtop"))
            .args(args)
            .env("XDG_CACHE_HOME", &cache)
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap()
    };
    let online = report(&[]);
    assert!(online.status.success(), "{}", text(&online.stderr));
    assert!(
        text(&online.stderr).contains("periods read ("),
        "{}",
        text(&online.stderr)
    );

    server.stop();
    let offline = report(&[]);
    let err = text(&offline.stderr);
    assert!(offline.status.success(), "{err}");
    assert_eq!(text(&offline.stdout), text(&online.stdout));
    assert!(err.contains("warning [offline]"), "{err}");
    assert!(err.contains("endpoint-unreachable"), "{err}");
    assert!(
        err.contains("read just now") || err.contains(" ago"),
        "{err}"
    );
    assert!(err.contains("curtop doctor --profile cur"), "{err}");
    assert!(!err.contains("testing-secret"), "{err}");

    // --offline never tries the source: no diagnosis, the same numbers.
    let asked = report(&["--offline"]);
    assert!(asked.status.success(), "{}", text(&asked.stderr));
    assert_eq!(text(&asked.stdout), text(&online.stdout));
    assert!(text(&asked.stderr).contains("--offline: cached numbers"));
    assert!(!text(&asked.stderr).contains("endpoint-unreachable"));

    // Nothing cached for another bucket: --offline says so, exit 1.
    let other = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args([
            "report",
            "--cur",
            "s3://curtop-never-read/cur/r",
            "--offline",
            "--as-of",
            AS_OF,
        ])
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(1));
    assert!(
        text(&other.stderr).contains("not-cached"),
        "{}",
        text(&other.stderr)
    );
}

/// Offline, only the periods the window overlaps are decoded (their footers say which): a
/// corrupt old month is not even opened for this month's window, and is reported as soon as
/// a window reaches it.
#[test]
fn offline_only_the_periods_in_the_window_are_decoded() {
    let cur = demo_delivery("cache-offline-window", "legacy-csv-gz");
    let cache = cur.parent().unwrap().join("cache");
    let month = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "--cur",
            cur.to_str().unwrap(),
            "--window",
            "2026-11",
            "--by",
            "namespace",
            "-o",
            "json",
            "--as-of",
            AS_OF,
        ];
        args.extend_from_slice(extra);
        curtop(&cache, &args)
    };
    let online = month(&[]);
    assert!(online.status.success(), "{}", text(&online.stderr));
    assert!(report(&cache, &cur, &[]).status.success());
    let files = cached_files(&cache);
    assert!(files.len() >= 2, "{files:?}");
    // The oldest month's data pages damaged, its footer intact.
    let oldest = &files[0];
    let mut bytes = std::fs::read(oldest).unwrap();
    let mid = bytes.len() / 3;
    bytes[mid] ^= 0x40;
    std::fs::write(oldest, &bytes).unwrap();

    let offline = month(&["--offline"]);
    let err = text(&offline.stderr);
    assert!(offline.status.success(), "{err}");
    assert!(!err.contains("cache-invalid"), "{err}");
    assert_eq!(text(&offline.stdout), text(&online.stdout));

    let all = report(&cache, &cur, &["--offline"]);
    let err = text(&all.stderr);
    assert!(all.status.success(), "{err}");
    assert!(err.contains("warning [cache-invalid]"), "{err}");
}
