//! Profiles: which CUR each billing integration reads and how its tags map to Kubernetes.
//! Owns the config file (`file`: format and validation), where it is looked for
//! ([`Config::discover`]), the embedded demo config, and user-facing errors with file, line and
//! key (`error`). The file format is documented in `config/example.toml`.

pub mod budget;
mod error;
mod file;
pub mod keys;
pub mod mapping;
pub mod sharing;

use std::path::{Path, PathBuf};

pub use error::ConfigError;
pub use mapping::{EnvRules, TagMapping};
pub use sharing::Sharing;

/// The environment variable naming a config file (used when `--config` is not given).
pub const CONFIG_ENV: &str = "CURTOP_CONFIG";

/// The origin named in errors of the embedded demo config.
const DEMO_ORIGIN: &str = "<built-in demo.toml>";

/// Where a profile's CUR comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// A local folder holding a CUR delivery (the folder with the manifest, or any parent), or
    /// one CUR file.
    Local { path: PathBuf },
    /// The deterministic generated demo bill. `seed` default 7, `days` default 45 (days of data
    /// ending today).
    Demo { seed: u64, days: u32 },
    /// A CUR delivery read straight from an S3 bucket.
    S3(S3Spec),
    /// A CUR table queried through Amazon Athena.
    Athena(AthenaSpec),
    /// A FOCUS export (AWS, Azure, Google Cloud, OCI), local or in S3 (`docs/focus.md`).
    Focus(FocusSpec),
    /// The bills of several other profiles of the file, read each as its own profile and
    /// summed (`sources = ["aws-cur", "azure-focus"]`).
    Combined(Vec<Profile>),
}

/// A FOCUS export and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusSpec {
    pub location: FocusPath,
    /// The one `BillingCurrency` to read; without it, an export in several currencies is
    /// refused (amounts in different currencies are never added).
    pub currency: Option<String>,
}

/// Where a FOCUS export is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FocusPath {
    /// A folder (the export's, or any parent) or one file.
    Local(PathBuf),
    /// An AWS Data Export folder in S3 (`report` is the export name).
    S3(S3Spec),
}

/// A CUR table in Athena (Glue data catalog), and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AthenaSpec {
    pub database: String,
    pub table: String,
    /// The workgroup to run in (`primary` when not given).
    pub workgroup: Option<String>,
    /// `s3://…` for query results; optional when the workgroup sets (or manages) it.
    pub output_location: Option<String>,
    /// The data catalog (`AwsDataCatalog` when not given).
    pub catalog: Option<String>,
    /// `s3://…` where the table's data lives, for `doctor --iam-policy` when Glue cannot be
    /// read (offline, or no `glue:GetTable`); read from Glue otherwise.
    pub table_location: Option<String>,
    pub access: AwsAccess,
}

impl AthenaSpec {
    /// `athena://database/table`, for headers and messages.
    pub fn url(&self) -> String {
        format!("athena://{}/{}", self.database, self.table)
    }
}

/// Where a CUR delivery lives in S3, and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Spec {
    pub bucket: String,
    /// The report path prefix (no leading or trailing `/`; may be empty).
    pub prefix: String,
    /// The legacy CUR report name, or the CUR 2.0 export name: the folder under `prefix`.
    pub report: String,
    pub access: AwsAccess,
}

impl S3Spec {
    /// `s3://bucket/prefix/report`, for headers and messages.
    pub fn url(&self) -> String {
        let mut url = format!("s3://{}", self.bucket);
        for part in [&self.prefix, &self.report] {
            if !part.is_empty() {
                url.push('/');
                url.push_str(part);
            }
        }
        url
    }

    /// Parses `s3://bucket/prefix/report` (the last path segment is the report).
    pub fn parse_url(url: &str) -> Result<S3Spec, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("`{url}` is not an s3:// URL"))?;
        let rest = rest.trim_end_matches('/');
        let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!(
                "`{url}` names no bucket; expected s3://BUCKET/PREFIX/REPORT"
            ));
        }
        let (prefix, report) = path.rsplit_once('/').unwrap_or(("", path));
        if report.is_empty() {
            return Err(format!(
                "`{url}` names no report; expected s3://BUCKET/PREFIX/REPORT"
            ));
        }
        Ok(S3Spec {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            report: report.to_string(),
            access: AwsAccess::default(),
        })
    }
}

/// How to reach AWS: everything optional, the SDK's standard environment and config files fill
/// the rest (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, SSO, instance roles, ...). Never
/// a secret: keys come from a named profile or the environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AwsAccess {
    pub region: Option<String>,
    /// A named profile of `~/.aws/config` / `~/.aws/credentials`.
    pub profile: Option<String>,
    /// A role to assume (cross-account), with its external id.
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// An S3-compatible endpoint (and local testing): path-style addressing is used.
    pub endpoint_url: Option<String>,
    /// How many times a call is tried in all (the SDK's standard retries, with backoff, for
    /// throttling, 5xx answers and dropped connections); the SDK's default (3) when not given.
    pub max_attempts: Option<u32>,
    /// Seconds a call may wait for the next bytes of an answer before it is a timeout (and
    /// retried); no limit of curtop's own when not given.
    pub read_timeout: Option<u32>,
}

/// One billing integration: a named CUR source with its tag mapping and environment rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `[A-Za-z0-9_-]+`, unique in its file.
    pub name: String,
    pub source: SourceSpec,
    pub tags: TagMapping,
    pub env: EnvRules,
    /// `[profiles.X.budgets]`, in file order.
    pub budgets: Vec<budget::Budget>,
    /// Who pays for idle, shared namespaces and leftover costs.
    pub sharing: Sharing,
}

impl Profile {
    /// A profile named `name` and nothing else: what a combined profile's list holds until
    /// the file's profiles are all read and each name is replaced by its profile.
    pub(crate) fn placeholder(name: String) -> Profile {
        Profile {
            name,
            source: SourceSpec::Combined(Vec::new()),
            tags: TagMapping::default(),
            env: EnvRules::default(),
            sharing: Sharing::default(),
            budgets: Vec::new(),
        }
    }
}

/// A validated config file: at least one profile, and a default that names one of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file it was read from (None for the embedded demo config, or text given to
    /// [`Config::parse`]).
    pub path: Option<PathBuf>,
    pub default_profile: String,
    /// In file order.
    pub profiles: Vec<Profile>,
    /// The dashboard's keys: defaults with the file's `[keys]` overrides.
    pub keys: keys::Keymap,
}

impl Config {
    /// Parse TOML text; `origin` is the file name used in error messages. Relative `path`s
    /// stay relative (there is no file to resolve them against; [`Config::load_file`] does).
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        file::parse(text, origin, None)
    }

    /// Read and parse a file (I/O errors are `ConfigError`s too, naming the file). Relative
    /// `path`s are resolved against the file's folder, not the working directory.
    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::in_file(&origin, format!("cannot read the config file: {e}"))
        })?;
        let mut config = file::parse(&text, &origin, path.parent())?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// The config a user gets: `explicit` (--config) if given, else `$CURTOP_CONFIG` if set and
    /// non-empty, else `<config dir>/config.toml` (e.g. `~/.config/curtop/config.toml`) if that
    /// file exists, else `Ok(None)`. An explicit or `$CURTOP_CONFIG` path that does not exist is
    /// an error.
    pub fn discover(explicit: Option<&Path>) -> Result<Option<Config>, ConfigError> {
        let from_env = std::env::var_os(CONFIG_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let user_file = directories::ProjectDirs::from("", "", "curtop")
            .map(|dirs| dirs.config_dir().join("config.toml"));
        discover_in(explicit, from_env.as_deref(), user_file.as_deref())
    }

    /// The embedded demo config (`config/demo.toml`): one generated demo profile.
    pub fn demo() -> Config {
        Config::parse(include_str!("../../config/demo.toml"), DEMO_ORIGIN)
            .expect("the embedded config/demo.toml is valid (tested)")
    }

    /// The profile called `name`.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profile named by `default-profile` (or the only one).
    ///
    /// # Panics
    /// If the config was built by hand with a default that names none of its profiles; a
    /// parsed config always holds its default.
    pub fn default_profile(&self) -> &Profile {
        self.profile(&self.default_profile)
            .expect("a Config always holds the profile its default_profile names")
    }
}

/// [`Config::discover`] with its environment given: the `$CURTOP_CONFIG` value (already
/// filtered for emptiness) and the per-user config file.
fn discover_in(
    explicit: Option<&Path>,
    from_env: Option<&Path>,
    user_file: Option<&Path>,
) -> Result<Option<Config>, ConfigError> {
    if let Some(path) = explicit {
        return Config::load_file(path).map(Some);
    }
    if let Some(path) = from_env {
        return Config::load_file(path).map(Some).map_err(|mut e| {
            if e.line.is_none() {
                e.message = format!("{} (named by ${CONFIG_ENV})", e.message);
            }
            e
        });
    }
    match user_file {
        Some(path) if path.is_file() => Config::load_file(path).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system temp dir, unique to this process and test.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("curtop-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_demo_config_parses() {
        let c = Config::demo();
        assert_eq!(c.path, None);
        assert_eq!(c.default_profile().name, "demo");
        assert_eq!(
            c.default_profile().source,
            SourceSpec::Demo { seed: 7, days: 45 }
        );
    }

    #[test]
    fn load_file_resolves_relative_paths_and_names_missing_files() {
        let dir = temp_dir("load");
        let file = dir.join("c.toml");
        std::fs::write(&file, "[profiles.p]\nsource = \"local\"\npath = \"cur\"\n").unwrap();
        let c = Config::load_file(&file).unwrap();
        assert_eq!(c.path.as_deref(), Some(file.as_path()));
        assert_eq!(
            c.default_profile().source,
            SourceSpec::Local {
                path: dir.join("cur")
            }
        );

        let missing = dir.join("none.toml");
        let e = Config::load_file(&missing).unwrap_err();
        assert_eq!(e.file, missing.display().to_string());
        assert!(
            e.message.starts_with("cannot read the config file: "),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn discovery_order_is_explicit_then_env_then_user_file() {
        let dir = temp_dir("discover");
        let write = |name: &str, profile: &str| {
            let path = dir.join(name);
            std::fs::write(&path, format!("[profiles.{profile}]\nsource = \"demo\"\n")).unwrap();
            path
        };
        let explicit = write("explicit.toml", "explicit");
        let env = write("env.toml", "env");
        let user = write("user.toml", "user");
        let missing = dir.join("missing.toml");
        let found = |e: Option<&Path>, v: Option<&Path>, u: Option<&Path>| {
            discover_in(e, v, u).unwrap().map(|c| c.default_profile)
        };
        assert_eq!(
            found(Some(&explicit), Some(&env), Some(&user)).as_deref(),
            Some("explicit")
        );
        assert_eq!(found(None, Some(&env), Some(&user)).as_deref(), Some("env"));
        assert_eq!(found(None, None, Some(&user)).as_deref(), Some("user"));
        assert_eq!(found(None, None, Some(&missing)), None);
        assert_eq!(found(None, None, None), None);

        assert!(discover_in(Some(&missing), None, Some(&user)).is_err());
        let e = discover_in(None, Some(&missing), Some(&user)).unwrap_err();
        assert!(e.message.ends_with("(named by $CURTOP_CONFIG)"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
