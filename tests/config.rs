//! The config file through the public API: the fixtures under `tests/fixtures/config/` (each
//! invalid one states its exact error in a first-line `# expect: ` comment), the shipped
//! `config/*.toml`, and where `Config::discover` looks.

use std::path::{Path, PathBuf};
use std::process::Command;

use curtop::config::{Config, EnvRules, SourceSpec, TagMapping};

const EXPECT: &str = "# expect: ";

fn crate_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The `.toml` files of a fixture folder, sorted, as (file name, contents).
fn fixtures(folder: &str) -> Vec<(String, String)> {
    let dir = crate_path("tests/fixtures/config").join(folder);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable fixture folder").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| {
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            (
                name,
                std::fs::read_to_string(&path).expect("a readable fixture"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_valid_fixture_parses() {
    let files = fixtures("valid");
    assert!(files.len() >= 5, "valid fixtures: {}", files.len());
    for (name, text) in files {
        let config = Config::parse(&text, &name).unwrap_or_else(|e| panic!("{e}"));
        assert!(config.profile(&config.default_profile).is_some(), "{name}");
    }
}

#[test]
fn every_invalid_fixture_fails_with_its_stated_message() {
    let files = fixtures("invalid");
    assert!(files.len() >= 10, "invalid fixtures: {}", files.len());
    let mut mismatches = Vec::new();
    for (name, text) in files {
        let first_line = text.lines().next().unwrap_or_default();
        let expected = first_line
            .strip_prefix(EXPECT)
            .unwrap_or_else(|| panic!("{name}: the first line must be `{EXPECT}<message>`"));
        match Config::parse(&text, &name) {
            Ok(_) => mismatches.push(format!("{name}: parsed, expected: {expected}")),
            Err(e) if e.to_string() != expected => {
                mismatches.push(format!("{name}:\n  expected: {expected}\n  got:      {e}"));
            }
            Err(_) => {}
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[test]
fn the_full_fixture_maps_every_option() {
    let text =
        std::fs::read_to_string(crate_path("tests/fixtures/config/valid/full.toml")).unwrap();
    let config = Config::parse(&text, "full.toml").unwrap();
    let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["prod", "demo"]);
    let prod = config.default_profile();
    assert_eq!(
        prod.source,
        SourceSpec::Local {
            path: "/data/cur/my-report".into()
        }
    );
    assert_eq!(
        prod.tags.cluster,
        ["kubernetes_cluster", "eks:cluster-name"]
    );
    assert_eq!(prod.tags.env, ["env"]);
    let labels: Vec<(&str, Vec<String>)> = prod
        .tags
        .labels
        .iter()
        .map(|(name, keys)| (name.as_str(), keys.clone()))
        .collect();
    assert_eq!(
        labels,
        [
            (
                "team",
                vec!["team".to_string(), "kubernetes_label_team".to_string()]
            ),
            ("app", TagMapping::label_default_keys("app")),
        ]
    );
    assert_eq!(prod.env.normalize("LIVE").as_deref(), Some("production"));
    assert_eq!(
        prod.env.normalize("dev"),
        EnvRules::default().normalize("dev")
    );
    let demo = config.profile("demo").unwrap();
    assert_eq!(demo.source, SourceSpec::Demo { seed: 1, days: 400 });
}

#[test]
fn the_shipped_configs_parse() {
    let example =
        Config::load_file(&crate_path("config/example.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(example.default_profile().name, "prod");
    assert_eq!(
        example.keys.action("o".parse().unwrap()),
        Some(curtop::config::keys::Action::DrillIn),
        "the example's [keys] entry applies"
    );
    assert!(example.profiles.len() >= 2);
    // The relative path is resolved against the file's folder.
    assert_eq!(
        example.default_profile().source,
        SourceSpec::Local {
            path: crate_path("config").join("cur/my-report")
        }
    );
    let demo = Config::load_file(&crate_path("config/demo.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(demo.profiles, Config::demo().profiles);
    assert_eq!(
        Config::demo().default_profile().source,
        SourceSpec::Demo { seed: 7, days: 45 }
    );
}

/// In the child process: what `discover(None)` should give (a profile name, `none` or
/// `error`), and a file that an explicit path must win with.
const CHILD_EXPECT: &str = "CURTOP_TEST_DISCOVER_EXPECT";
const CHILD_EXPLICIT: &str = "CURTOP_TEST_DISCOVER_EXPLICIT";

/// `discover` reads the process environment, so its cases run in child processes of this test
/// binary, each with its own environment; this process's environment is never changed.
#[test]
fn discover_honours_explicit_path_then_curtop_config_then_user_file() {
    if let Ok(expect) = std::env::var(CHILD_EXPECT) {
        let got = match Config::discover(None) {
            Ok(Some(config)) => config.default_profile,
            Ok(None) => "none".to_string(),
            Err(e) => {
                assert!(e.to_string().contains("CURTOP_CONFIG"), "{e}");
                "error".to_string()
            }
        };
        assert_eq!(got, expect);
        let explicit = PathBuf::from(std::env::var_os(CHILD_EXPLICIT).unwrap());
        let config = Config::discover(Some(&explicit)).unwrap().unwrap();
        assert_eq!(config.default_profile, "explicit");
        assert_eq!(config.path.as_deref(), Some(explicit.as_path()));
        assert!(Config::discover(Some(&explicit.with_file_name("missing.toml"))).is_err());
        return;
    }

    let dir = std::env::temp_dir().join(format!("curtop-config-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let xdg = dir.join("xdg");
    std::fs::create_dir_all(xdg.join("curtop")).unwrap();
    let write = |path: &Path, profile: &str| {
        std::fs::write(path, format!("[profiles.{profile}]\nsource = \"demo\"\n")).unwrap();
    };
    let explicit = dir.join("explicit.toml");
    let from_env = dir.join("env.toml");
    write(&explicit, "explicit");
    write(&from_env, "env");
    write(&xdg.join("curtop/config.toml"), "user");
    let empty_xdg = dir.join("empty-xdg");
    std::fs::create_dir_all(&empty_xdg).unwrap();

    let missing = dir.join("missing.toml");
    let mut cases: Vec<(Option<&Path>, &Path, &str)> = vec![
        (Some(&from_env), &xdg, "env"),
        (Some(Path::new("")), &empty_xdg, "none"),
        (Some(&missing), &xdg, "error"),
    ];
    // The per-user config dir follows XDG_CONFIG_HOME on Linux only.
    if cfg!(target_os = "linux") {
        cases.push((None, &xdg, "user"));
        cases.push((Some(Path::new("")), &xdg, "user"));
    }
    for (curtop_config, xdg_home, expect) in cases {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "discover_honours_explicit_path_then_curtop_config_then_user_file",
            ])
            .args(["--nocapture", "--test-threads=1"])
            .env(CHILD_EXPECT, expect)
            .env(CHILD_EXPLICIT, &explicit)
            .env("XDG_CONFIG_HOME", xdg_home)
            .env_remove("CURTOP_CONFIG");
        if let Some(value) = curtop_config {
            child.env("CURTOP_CONFIG", value);
        }
        let out = child.output().unwrap();
        assert!(
            out.status.success(),
            "CURTOP_CONFIG={curtop_config:?}, expect {expect}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // The child really ran the test (and not zero tests).
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "{expect}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
