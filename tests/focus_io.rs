//! FOCUS exports where they are kept: through the facts cache (cold and warm reports byte for
//! byte equal, a warm read opening no data file, a combined profile cached through its parts)
//! and over S3 on the local moto server (AWS's FOCUS export layout through its manifest read as
//! it is read from a folder, and a wrong export path diagnosed with what is there instead).
//! Run the S3 tests through `scripts/test.sh` or `/work/wt/with-servers.sh`.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use common::counting::Counting;
use common::temp_dir;
use curtop::cache::{Cache, CacheMode, SourceKey};
use curtop::clock::AsOf;
use curtop::config::Config;
use curtop::cur::metrics::Metric;
use curtop::report::{Dimension, Format};
use curtop::source::store::{MemStore, Store};
use curtop::source::{Loaded, ReadRequest};
use curtop::window::WindowSpec;

const AS_OF: &str = "2026-11-18";

fn as_of() -> AsOf {
    AsOf::date(NaiveDate::from_ymd_opt(2026, 11, 18).unwrap())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The demo bill as an AWS FOCUS export with Azure's and Google Cloud's files beside it (50
/// days: three billing periods), in memory, rooted at `curtop-demo/`.
fn multicloud_export() -> MemStore {
    let mut spec = curtop::demo::DemoSpec::demo(7, 50, as_of().today());
    spec.scale = curtop::demo::Scale::tiny();
    spec.prefix = String::new();
    spec.layout = curtop::demo::Layout::Focus { other_clouds: true };
    curtop::source::demo::generate_in_memory(&spec).unwrap().0
}

/// Writes `store` under `dir` (keys as paths); returns the export's folder.
fn write_out(store: &MemStore, dir: &Path) -> PathBuf {
    for key in store.keys() {
        let path = dir.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, store.get(key).unwrap()).unwrap();
    }
    dir.join("curtop-demo")
}

/// A config of one `focus` profile `f` reading `path` (with `extra` keys).
fn focus_config(path: &str, extra: &str) -> Config {
    let text = format!("[profiles.f]\nsource = \"focus\"\npath = {path:?}\n{extra}");
    Config::parse(&text, "t.toml").unwrap()
}

/// The report JSON of loaded facts by provider, cluster and namespace.
fn json(loaded: &Loaded) -> String {
    curtop::report::build(
        &loaded.facts,
        loaded.window,
        Metric::Amortized,
        &[
            Dimension::Provider,
            Dimension::Cluster,
            Dimension::Namespace,
        ],
    )
    .render(Format::Json, false)
}

/// Reads the `f` profile of `config` from `store` through `cache`.
fn read_through(config: &Config, store: &dyn Store, cache: &Cache) -> Loaded {
    let p = config.default_profile();
    let req = ReadRequest::new(p, WindowSpec::All, as_of()).with_cache(cache, CacheMode::Use);
    let key = SourceKey::of(p, &[]).unwrap();
    let delivery = curtop::source::discover::discover(store, "export").unwrap();
    curtop::source::cached::read_store_cached(store, delivery, "export".into(), &req, cache, &key)
        .unwrap()
}

fn curtop(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env("NO_COLOR", "1")
        .env_remove("CURTOP_CONFIG")
        .output()
        .unwrap()
}

/// `curtop report --config CONFIG --profile PROFILE` over every day, as JSON.
fn report(cache: &Path, config: &Path, profile: &str) -> Output {
    curtop(
        cache,
        &[
            "report",
            "--config",
            config.to_str().unwrap(),
            "--profile",
            profile,
            "--window",
            "all",
            "--by",
            "provider,cluster,namespace",
            "-o",
            "json",
            "--as-of",
            AS_OF,
        ],
    )
}

#[test]
fn a_focus_export_is_cached_per_period_and_a_warm_read_opens_no_data_file() {
    let dir = temp_dir("focus-cache");
    let export = write_out(&multicloud_export(), &dir);
    let config = focus_config(export.to_str().unwrap(), "");
    let cache = Cache::at(dir.join("cache"));
    let store = Counting::new(curtop::source::local::open_local(&export).unwrap().0);
    let cold = read_through(&config, &store, &cache);
    let opened = store.parts_opened();
    assert!(
        opened.keys().any(|k| k.contains("other-clouds")),
        "{opened:?}"
    );
    let note = cold.cache.as_ref().unwrap();
    assert_eq!(note.read.len(), 3, "{:?}", note.read);
    // Warm: every period from the cache, no data file opened, the same facts.
    let warm = read_through(&config, &store, &cache);
    assert_eq!(
        store.parts_opened(),
        std::collections::BTreeMap::new(),
        "a warm read opened data files"
    );
    let note = warm.cache.as_ref().unwrap();
    assert_eq!((note.cached.len(), note.read.len()), (3, 0));
    assert_eq!((note.parts, note.bytes), (0, 0));
    assert_eq!(json(&cold), json(&warm));
    // Another currency asked for is another cache: read again, never the USD facts.
    let eur = focus_config(export.to_str().unwrap(), "currency = \"EUR\"\n");
    let other = read_through(&eur, &store, &cache);
    assert!(!store.parts_opened().is_empty());
    assert_eq!(other.cache.as_ref().unwrap().read.len(), 3);
}

#[test]
fn cold_and_warm_reports_of_a_focus_and_a_combined_profile_are_identical() {
    let dir = temp_dir("focus-cache-report");
    let export = write_out(&multicloud_export(), &dir);
    // A second bill, in EUR: the combined view groups by currency.
    let euro = dir.join("euro.csv");
    std::fs::write(
        &euro,
        "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ProviderName,\
         ServiceName,SubAccountId,Tags\n\
         7.00,6.50,EUR,Usage,2026-11-02T00:00:00Z,OVHcloud,Managed Kubernetes,ovh-1,\
         \"{\"\"k8s-namespace\"\": \"\"web\"\"}\"\n",
    )
    .unwrap();
    let config = dir.join("curtop.toml");
    std::fs::write(
        &config,
        format!(
            "default-profile = \"both\"\n\
             [profiles.aws]\nsource = \"focus\"\npath = {:?}\n\
             [profiles.euro]\nsource = \"focus\"\npath = {:?}\n\
             [profiles.both]\nsource = \"combined\"\nsources = [\"aws\", \"euro\"]\n",
            export.display().to_string(),
            euro.display().to_string()
        ),
    )
    .unwrap();
    let cache = dir.join("cache");
    for profile in ["aws", "both"] {
        let cold = report(&cache.join(profile), &config, profile);
        let cold_err = text(&cold.stderr);
        assert!(cold.status.success(), "{profile}: {cold_err}");
        assert!(cold_err.contains("read ("), "{profile}: {cold_err}");
        let warm = report(&cache.join(profile), &config, profile);
        let warm_err = text(&warm.stderr);
        assert!(warm.status.success(), "{profile}: {warm_err}");
        assert!(warm_err.contains("from cache"), "{profile}: {warm_err}");
        assert!(!warm_err.contains("read ("), "{profile}: {warm_err}");
        assert_eq!(text(&cold.stdout), text(&warm.stdout), "{profile}");
    }
    // The combined profile's parts were cached as their own profiles.
    let listed = curtop(&cache.join("both"), &["cache"]);
    let listed = text(&listed.stdout);
    assert!(
        listed.contains("aws") && listed.contains("euro"),
        "{listed}"
    );
    let both = report(&cache.join("both"), &config, "both");
    let v: serde_json::Value = serde_json::from_slice(&both.stdout).unwrap();
    assert!(v["total"].is_null(), "{v}");
    let totals: Vec<&str> = v["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["currency"].as_str().unwrap())
        .collect();
    assert_eq!(totals, ["EUR", "USD"]);
}

// ---- over the wire: the local S3 server ----

/// A `focus` profile reading `s3://BUCKET/PREFIX/EXPORT` from the local server.
fn s3_config(endpoint: &str, url: &str) -> Config {
    focus_config(
        url,
        &format!("region = \"us-east-1\"\nendpoint-url = {endpoint:?}\n"),
    )
}

#[test]
fn an_aws_focus_export_in_s3_reads_through_its_manifest_as_from_a_folder() {
    let endpoint = common::moto::endpoint();
    let export = multicloud_export();
    common::moto::upload(&endpoint, "curtop-focus", "exports", &export);
    let dir = temp_dir("focus-s3");
    let local = write_out(&export, &dir);
    let read = |config: &Config| {
        curtop::source::load(&ReadRequest::new(
            config.default_profile(),
            WindowSpec::All,
            as_of(),
        ))
        .unwrap()
    };
    let from_s3 = read(&s3_config(
        &endpoint,
        "s3://curtop-focus/exports/curtop-demo",
    ));
    let from_disk = read(&focus_config(local.to_str().unwrap(), ""));
    assert_eq!(from_s3.delivery.periods.len(), 3);
    assert!(
        from_s3
            .delivery
            .periods
            .iter()
            .all(|p| p.manifest.is_some()),
        "{:?}",
        from_s3.delivery.periods
    );
    assert_eq!(
        from_s3.facts.quality.rows_read,
        from_disk.facts.quality.rows_read
    );
    assert_eq!(json(&from_s3), json(&from_disk));
    let providers: Vec<String> = curtop::report::build(
        &from_s3.facts,
        from_s3.window,
        Metric::Amortized,
        &[Dimension::Provider],
    )
    .rows
    .iter()
    .map(|r| r.key[0].clone().unwrap_or_default())
    .collect();
    assert_eq!(providers.len(), 3, "{providers:?}");
    // Through the cache over S3: a warm read fetches no data file.
    let config = s3_config(&endpoint, "s3://curtop-focus/exports/curtop-demo");
    let spec = match &config.default_profile().source {
        curtop::config::SourceSpec::Focus(f) => match &f.location {
            curtop::config::FocusPath::S3(s) => s.clone(),
            curtop::config::FocusPath::Local(_) => unreachable!(),
        },
        _ => unreachable!(),
    };
    let store = Counting::new(curtop::source::s3::S3Store::new(&spec).unwrap());
    let cache = Cache::at(dir.join("cache"));
    let cold = read_through(&config, &store, &cache);
    assert!(!store.parts_opened().is_empty());
    let warm = read_through(&config, &store, &cache);
    assert_eq!(store.parts_opened(), std::collections::BTreeMap::new());
    assert_eq!(json(&cold), json(&warm));
    assert_eq!(json(&warm), json(&from_disk));
}

#[test]
fn a_wrong_focus_export_path_in_s3_is_diagnosed_with_what_is_there() {
    let endpoint = common::moto::endpoint();
    common::moto::upload(
        &endpoint,
        "curtop-focus-wrong",
        "exports",
        &multicloud_export(),
    );
    let dir = temp_dir("focus-s3-wrong");
    let config = dir.join("curtop.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.f]\nsource = \"focus\"\npath = \"s3://curtop-focus-wrong/exports/curtop-dmeo\"\n\
             region = \"us-east-1\"\nendpoint-url = {endpoint:?}\n"
        ),
    )
    .unwrap();
    let out = report(&dir.join("cache"), &config, "f");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("diagnosis [no-manifest]"), "{err}");
    assert!(err.contains("nothing under curtop-dmeo/"), "{err}");
    assert!(
        err.contains(
            "likely report name: curtop-demo (set `path = \"s3://curtop-focus-wrong/exports/curtop-demo\"`)"
        ),
        "{err}"
    );
}
