//! The config file format: the TOML tables as serde reads them (every table
//! `deny_unknown_fields`, kebab-case keys, values kept `Spanned`), and the validation that turns
//! them into a [`Config`], reporting each rule it breaks at the line of the offending key.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use toml::Spanned;
use toml::de::DeTable;

use super::error::{ConfigError, dotted};
use super::keys::Keymap;
use super::{AthenaSpec, AwsAccess, Config, EnvRules, Profile, S3Spec, SourceSpec, TagMapping};

/// The kinds of source a profile may name, as written in `source = "…"`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Local,
    Demo,
    S3,
    Athena,
}

impl SourceKind {
    /// Every kind, in the order the unknown-source message lists them.
    const ALL: [SourceKind; 4] = [
        SourceKind::Local,
        SourceKind::Demo,
        SourceKind::S3,
        SourceKind::Athena,
    ];

    /// The name as written in `source = "…"`.
    fn name(self) -> &'static str {
        match self {
            SourceKind::Local => "local",
            SourceKind::Demo => "demo",
            SourceKind::S3 => "s3",
            SourceKind::Athena => "athena",
        }
    }

    fn from_name(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Read from AWS: these take the shared access keys (region, role, endpoint, …).
    fn is_aws(self) -> bool {
        matches!(self, SourceKind::S3 | SourceKind::Athena)
    }
}

/// Where a key's value is in the file, if the profile gives it.
type SpanOf = fn(&RawProfile) -> Option<Range<usize>>;

fn span_of<T>(value: Option<&Spanned<T>>) -> Option<Range<usize>> {
    value.map(Spanned::span)
}

/// The keys that belong to some source kinds only, with the kinds they belong to, in the order
/// they are checked: the first one a profile gives for a source not among its kinds is refused.
const SOURCE_KEYS: [(&str, &[SourceKind], SpanOf); 17] = {
    use SourceKind::{Athena, Demo, Local, S3};
    const AWS: &[SourceKind] = &[S3, Athena];
    [
        ("bucket", &[S3], |r| span_of(r.bucket.as_ref())),
        ("prefix", &[S3], |r| span_of(r.prefix.as_ref())),
        ("report", &[S3], |r| span_of(r.report.as_ref())),
        ("export", &[S3], |r| span_of(r.export.as_ref())),
        ("database", &[Athena], |r| span_of(r.database.as_ref())),
        ("table", &[Athena], |r| span_of(r.table.as_ref())),
        ("workgroup", &[Athena], |r| span_of(r.workgroup.as_ref())),
        ("output-location", &[Athena], |r| {
            span_of(r.output_location.as_ref())
        }),
        ("catalog", &[Athena], |r| span_of(r.catalog.as_ref())),
        ("region", AWS, |r| span_of(r.region.as_ref())),
        ("aws-profile", AWS, |r| span_of(r.aws_profile.as_ref())),
        ("role-arn", AWS, |r| span_of(r.role_arn.as_ref())),
        ("external-id", AWS, |r| span_of(r.external_id.as_ref())),
        ("endpoint-url", AWS, |r| span_of(r.endpoint_url.as_ref())),
        ("path", &[Local], |r| span_of(r.path.as_ref())),
        ("seed", &[Demo], |r| span_of(r.seed.as_ref())),
        ("days", &[Demo], |r| span_of(r.days.as_ref())),
    ]
};
/// Demo defaults and limits.
const DEMO_SEED: u64 = 7;
const DEMO_DAYS: u32 = 45;
const DEMO_MAX_DAYS: u32 = 400;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    default_profile: Option<Spanned<String>>,
    profiles: Option<Spanned<InOrder<Spanned<RawProfile>>>>,
    /// `[keys]`: action name → keys, replacing that action's defaults.
    keys: Option<InOrder<KeyList>>,
}

/// `[profiles.NAME]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawProfile {
    source: Spanned<String>,
    path: Option<Spanned<String>>,
    seed: Option<Spanned<u64>>,
    days: Option<Spanned<u32>>,
    bucket: Option<Spanned<String>>,
    prefix: Option<Spanned<String>>,
    report: Option<Spanned<String>>,
    export: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
    aws_profile: Option<Spanned<String>>,
    role_arn: Option<Spanned<String>>,
    external_id: Option<Spanned<String>>,
    endpoint_url: Option<Spanned<String>>,
    database: Option<Spanned<String>>,
    table: Option<Spanned<String>>,
    workgroup: Option<Spanned<String>>,
    output_location: Option<Spanned<String>>,
    catalog: Option<Spanned<String>>,
    /// Secrets are refused with a pointer to named profiles (the values are never echoed).
    aws_secret_access_key: Option<Spanned<toml::Value>>,
    secret_access_key: Option<Spanned<toml::Value>>,
    aws_access_key_id: Option<Spanned<toml::Value>>,
    aws_session_token: Option<Spanned<toml::Value>>,
    tags: Option<RawTags>,
    env_aliases: Option<InOrder<Spanned<String>>>,
}

/// A list of tag keys, each spanned.
type KeyList = Spanned<Vec<Spanned<String>>>;

/// `[profiles.NAME.tags]`: each concept given replaces its default keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTags {
    cluster: Option<KeyList>,
    namespace: Option<KeyList>,
    deployment: Option<KeyList>,
    daemonset: Option<KeyList>,
    statefulset: Option<KeyList>,
    pod: Option<KeyList>,
    container: Option<KeyList>,
    env: Option<KeyList>,
    label: Option<InOrder<KeyList>>,
}

/// A table with free-form keys, in file order (the `toml` crate's own tables are sorted).
struct InOrder<V>(Vec<(Spanned<String>, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for InOrder<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TableVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for TableVisitor<V> {
            type Value = InOrder<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(Spanned<String>, V)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                entries.sort_by_key(|(key, _)| key.span().start);
                Ok(InOrder(entries))
            }
        }
        deserializer.deserialize_map(TableVisitor(PhantomData))
    }
}

/// Parses and validates `text`; `origin` names it in errors; relative `path`s are joined to
/// `base` when given.
pub(super) fn parse(text: &str, origin: &str, base: Option<&Path>) -> Result<Config, ConfigError> {
    let (tree, errors) = DeTable::parse_recoverable(text);
    if let Some(err) = errors.first() {
        return Err(ConfigError::from_syntax(origin, text, &tree, err));
    }
    let raw = RawConfig::deserialize(toml::de::Deserializer::from(tree.clone()))
        .map_err(|err| ConfigError::from_serde(origin, text, &tree, &err))?;
    Check { origin, text, base }.config(raw)
}

/// Validation context: where errors point, and where relative paths start.
struct Check<'a> {
    origin: &'a str,
    text: &'a str,
    base: Option<&'a Path>,
}

impl Check<'_> {
    fn err(
        &self,
        span: Option<Range<usize>>,
        key: &[&str],
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::at(self.origin, self.text, span, Some(dotted(key)), message)
    }

    fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let (profiles_span, raw_profiles) = match raw.profiles {
            Some(p) => (Some(p.span()), p.into_inner().0),
            None => (None, Vec::new()),
        };
        if raw_profiles.is_empty() {
            return Err(self.err(
                profiles_span,
                &["profiles"],
                "no profiles; add a `[profiles.NAME]` table with a `source`",
            ));
        }
        let profiles = raw_profiles
            .into_iter()
            .map(|(name, raw)| self.profile(&name, raw))
            .collect::<Result<Vec<_>, _>>()?;
        let default_profile = match raw.default_profile {
            Some(name) => {
                if !profiles.iter().any(|p| p.name == *name.get_ref()) {
                    return Err(self.err(
                        Some(name.span()),
                        &["default-profile"],
                        format!(
                            "no profile named `{}`; the profiles are {}",
                            name.get_ref(),
                            names(&profiles)
                        ),
                    ));
                }
                name.into_inner()
            }
            None if profiles.len() == 1 => profiles[0].name.clone(),
            None => {
                return Err(self.err(
                    None,
                    &["default-profile"],
                    format!(
                        "missing; required when there are several profiles ({})",
                        names(&profiles)
                    ),
                ));
            }
        };
        let keys = self.keymap(raw.keys)?;
        Ok(Config {
            path: None,
            default_profile,
            profiles,
            keys,
        })
    }

    /// `[keys]` over the default keymap; errors point at the offending action's entry.
    fn keymap(&self, raw: Option<InOrder<KeyList>>) -> Result<Keymap, ConfigError> {
        let Some(InOrder(entries)) = raw else {
            return Ok(Keymap::default());
        };
        let overrides = entries
            .iter()
            .map(|(action, keys)| {
                (
                    action.get_ref().as_str(),
                    keys.get_ref()
                        .iter()
                        .map(|k| k.get_ref().as_str())
                        .collect(),
                )
            })
            .collect::<Vec<(&str, Vec<&str>)>>();
        Keymap::with_overrides(overrides).map_err(|e| {
            let span = entries
                .iter()
                .find(|(action, _)| *action.get_ref() == e.action)
                .map(|(action, _)| action.span());
            self.err(span, &["keys", &e.action], e.message)
        })
    }

    fn profile(
        &self,
        name: &Spanned<String>,
        raw: Spanned<RawProfile>,
    ) -> Result<Profile, ConfigError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let name_str = name.get_ref().as_str();
        let at = |key: &'static str| ["profiles", name_str, key];
        let valid_name = !name_str.is_empty()
            && name_str
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_name {
            return Err(self.err(
                Some(name.span()),
                &["profiles", name_str],
                "invalid profile name; use letters, digits, `-` and `_`",
            ));
        }
        for (key, value) in [
            ("aws-secret-access-key", raw.aws_secret_access_key.as_ref()),
            ("secret-access-key", raw.secret_access_key.as_ref()),
            ("aws-access-key-id", raw.aws_access_key_id.as_ref()),
            ("aws-session-token", raw.aws_session_token.as_ref()),
        ] {
            if let Some(v) = value {
                return Err(self.err(
                    Some(v.span()),
                    &at(key),
                    "credentials do not belong in this file (it is easily shared or committed); \
                     put them in a named AWS profile (`aws configure --profile NAME`, or SSO with \
                     `aws configure sso`) and set `aws-profile = \"NAME\"`",
                ));
            }
        }
        let kind = SourceKind::from_name(raw.source.get_ref());
        self.refuse_foreign_keys(&raw, name_str, kind)?;
        let source = match kind {
            Some(SourceKind::S3) => self.s3(&raw, span, name_str)?,
            Some(SourceKind::Athena) => self.athena(&raw, span, name_str)?,
            Some(SourceKind::Local) => self.local(raw.path.as_ref(), span, name_str)?,
            Some(SourceKind::Demo) => self.demo(&raw, name_str)?,
            None => {
                let known = SourceKind::ALL
                    .map(|kind| format!("`{}`", kind.name()))
                    .join(" or ");
                let message = format!(
                    "unknown source `{}`; expected {known}",
                    raw.source.get_ref()
                );
                return Err(self.err(Some(raw.source.span()), &at("source"), message));
            }
        };
        Ok(Profile {
            name: name_str.to_string(),
            source,
            tags: self.tags(name_str, raw.tags)?,
            env: self.env(name_str, raw.env_aliases)?,
        })
    }

    /// Refuses the first key of [`SOURCE_KEYS`] the profile gives that its source (`None`:
    /// unknown) does not take.
    fn refuse_foreign_keys(
        &self,
        raw: &RawProfile,
        name: &str,
        source: Option<SourceKind>,
    ) -> Result<(), ConfigError> {
        for (key, owners, span_of) in SOURCE_KEYS {
            let Some(value_span) = span_of(raw) else {
                continue;
            };
            let owned_by_aws = owners.iter().any(|kind| kind.is_aws());
            let message = match source {
                Some(kind) if owners.contains(&kind) => continue,
                // A local or demo key on an AWS profile names the profile's source, not the
                // key's: a `path` there is not fixed by switching to `local`.
                Some(kind) if kind.is_aws() && !owned_by_aws => {
                    format!("not allowed with source = \"{}\"", kind.name())
                }
                // An unknown source: only the AWS keys are refused here; the unknown-source error
                // that follows covers the rest (a `path` with `source = "gcs"` is a wrong source,
                // not a wrong key).
                None if !owned_by_aws => continue,
                _ => {
                    let owners = owners
                        .iter()
                        .map(|kind| format!("\"{}\"", kind.name()))
                        .collect::<Vec<_>>()
                        .join(" or ");
                    format!("only allowed with source = {owners}")
                }
            };
            return Err(self.err(Some(value_span), &["profiles", name, key], message));
        }
        Ok(())
    }

    /// `source = "local"`: a path, resolved against the config file's folder.
    fn local(
        &self,
        path: Option<&Spanned<String>>,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = ["profiles", name, "path"];
        let Some(path) = path else {
            return Err(self.err(
                Some(span),
                &at,
                "missing; source = \"local\" needs the CUR delivery folder or file",
            ));
        };
        if path.get_ref().trim().is_empty() {
            return Err(self.err(Some(path.span()), &at, "empty path"));
        }
        Ok(SourceSpec::Local {
            path: self.resolve(path.get_ref()),
        })
    }

    /// `source = "demo"`: seed and days optional, days bounded.
    fn demo(&self, raw: &RawProfile, name: &str) -> Result<SourceSpec, ConfigError> {
        let days = raw.days.as_ref().map_or(Ok(DEMO_DAYS), |days| {
            if (1..=DEMO_MAX_DAYS).contains(days.get_ref()) {
                Ok(*days.get_ref())
            } else {
                Err(self.err(
                    Some(days.span()),
                    &["profiles", name, "days"],
                    format!(
                        "{} is out of range; expected 1 to {DEMO_MAX_DAYS}",
                        days.get_ref()
                    ),
                ))
            }
        })?;
        Ok(SourceSpec::Demo {
            seed: raw.seed.as_ref().map_or(DEMO_SEED, |seed| *seed.get_ref()),
            days,
        })
    }

    /// `source = "s3"`: bucket and report (or export) required, the rest optional.
    fn s3(
        &self,
        raw: &RawProfile,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = |key: &'static str| ["profiles", name, key];
        let text =
            |v: &Option<Spanned<String>>, key: &'static str| self.text_value(v.as_ref(), name, key);
        let Some(bucket) = text(&raw.bucket, "bucket")? else {
            return Err(self.err(
                Some(span),
                &at("bucket"),
                "missing; source = \"s3\" needs the bucket the CUR is delivered to",
            ));
        };
        if bucket.contains('/') || bucket.starts_with("s3:") {
            return Err(self.err(
                raw.bucket.as_ref().map(Spanned::span),
                &at("bucket"),
                "a bucket name only (no s3:// and no path); put the path in `prefix`",
            ));
        }
        let report = match (text(&raw.report, "report")?, text(&raw.export, "export")?) {
            (Some(r), None) | (None, Some(r)) => r,
            (Some(_), Some(_)) => {
                return Err(self.err(
                    raw.export.as_ref().map(Spanned::span),
                    &at("export"),
                    "give `report` (legacy CUR) or `export` (CUR 2.0 Data Export), not both",
                ));
            }
            (None, None) => {
                return Err(self.err(
                    Some(span),
                    &at("report"),
                    "missing; name the legacy CUR `report` or the CUR 2.0 `export`",
                ));
            }
        };
        let access = self.access(raw, name)?;
        Ok(SourceSpec::S3(S3Spec {
            bucket,
            prefix: text(&raw.prefix, "prefix")?
                .unwrap_or_default()
                .trim_matches('/')
                .to_string(),
            report: report.trim_matches('/').to_string(),
            access,
        }))
    }

    /// An optional text value, trimmed; present but empty is an error naming the key.
    fn text_value(
        &self,
        v: Option<&Spanned<String>>,
        name: &str,
        key: &'static str,
    ) -> Result<Option<String>, ConfigError> {
        match v {
            None => Ok(None),
            Some(v) if v.get_ref().trim().is_empty() => Err(self.err(
                Some(v.span()),
                &["profiles", name, key],
                "empty; remove it or give a value",
            )),
            Some(v) => Ok(Some(v.get_ref().trim().to_string())),
        }
    }

    /// The keys every AWS source shares: region, named profile, role + external id, endpoint.
    fn access(&self, raw: &RawProfile, name: &str) -> Result<AwsAccess, ConfigError> {
        let at = |key: &'static str| ["profiles", name, key];
        let text =
            |v: &Option<Spanned<String>>, key: &'static str| self.text_value(v.as_ref(), name, key);
        let role_arn = text(&raw.role_arn, "role-arn")?;
        let external_id = text(&raw.external_id, "external-id")?;
        if external_id.is_some() && role_arn.is_none() {
            return Err(self.err(
                raw.external_id.as_ref().map(Spanned::span),
                &at("external-id"),
                "only meaningful with `role-arn` (the role whose trust policy requires it)",
            ));
        }
        if let Some(arn) = &role_arn
            && !(arn.starts_with("arn:") && arn.contains(":role/"))
        {
            return Err(self.err(
                raw.role_arn.as_ref().map(Spanned::span),
                &at("role-arn"),
                "not a role ARN; expected arn:aws:iam::ACCOUNT:role/NAME",
            ));
        }
        let endpoint_url = text(&raw.endpoint_url, "endpoint-url")?;
        if let Some(url) = &endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(self.err(
                raw.endpoint_url.as_ref().map(Spanned::span),
                &at("endpoint-url"),
                "expected an http:// or https:// URL",
            ));
        }
        Ok(AwsAccess {
            region: text(&raw.region, "region")?,
            profile: text(&raw.aws_profile, "aws-profile")?,
            role_arn,
            external_id,
            endpoint_url,
        })
    }

    /// `source = "athena"`: database and table required; workgroup, output location (an
    /// `s3://` URL; optional when the workgroup manages results) and catalog optional.
    fn athena(
        &self,
        raw: &RawProfile,
        span: Range<usize>,
        name: &str,
    ) -> Result<SourceSpec, ConfigError> {
        let at = |key: &'static str| ["profiles", name, key];
        let text =
            |v: &Option<Spanned<String>>, key: &'static str| self.text_value(v.as_ref(), name, key);
        let Some(database) = text(&raw.database, "database")? else {
            return Err(self.err(
                Some(span),
                &at("database"),
                "missing; source = \"athena\" needs the Glue database holding the CUR table",
            ));
        };
        let Some(table) = text(&raw.table, "table")? else {
            return Err(self.err(
                Some(span),
                &at("table"),
                "missing; source = \"athena\" needs the CUR table's name",
            ));
        };
        let output_location = text(&raw.output_location, "output-location")?;
        if let Some(loc) = &output_location
            && !(loc.starts_with("s3://") && loc.len() > "s3://".len())
        {
            return Err(self.err(
                raw.output_location.as_ref().map(Spanned::span),
                &at("output-location"),
                "expected an s3:// URL (s3://BUCKET/PATH/) where Athena writes query results",
            ));
        }
        Ok(SourceSpec::Athena(AthenaSpec {
            database,
            table,
            workgroup: text(&raw.workgroup, "workgroup")?,
            output_location,
            catalog: text(&raw.catalog, "catalog")?,
            access: self.access(raw, name)?,
        }))
    }

    /// A `path` as written, or joined to the config file's folder when relative.
    fn resolve(&self, path: &str) -> PathBuf {
        let path = PathBuf::from(path);
        match self.base {
            Some(base) if path.is_relative() => base.join(path),
            _ => path,
        }
    }

    fn tags(&self, profile: &str, raw: Option<RawTags>) -> Result<TagMapping, ConfigError> {
        let mut mapping = TagMapping::default();
        let Some(raw) = raw else { return Ok(mapping) };
        let TagMapping {
            cluster,
            namespace,
            deployment,
            daemonset,
            statefulset,
            pod,
            container,
            env,
            labels,
        } = &mut mapping;
        let concepts = [
            ("cluster", raw.cluster, cluster),
            ("namespace", raw.namespace, namespace),
            ("deployment", raw.deployment, deployment),
            ("daemonset", raw.daemonset, daemonset),
            ("statefulset", raw.statefulset, statefulset),
            ("pod", raw.pod, pod),
            ("container", raw.container, container),
            ("env", raw.env, env),
        ];
        for (concept, list, keys) in concepts {
            let Some(list) = list else { continue };
            let key = ["profiles", profile, "tags", concept];
            if list.get_ref().is_empty() {
                return Err(self.err(
                    Some(list.span()),
                    &key,
                    format!(
                        "empty list; name at least one tag key, or leave `{concept}` out to use the default ({})",
                        quoted(keys)
                    ),
                ));
            }
            *keys = self.key_list(list, &key)?;
        }
        for (name, list) in raw.label.map(|l| l.0).unwrap_or_default() {
            let key = [
                "profiles",
                profile,
                "tags",
                "label",
                name.get_ref().as_str(),
            ];
            if name.get_ref().trim().is_empty() {
                return Err(self.err(Some(name.span()), &key, "empty label name"));
            }
            let keys = if list.get_ref().is_empty() {
                TagMapping::label_default_keys(name.get_ref())
            } else {
                self.key_list(list, &key)?
            };
            labels.push((name.into_inner(), keys));
        }
        Ok(mapping)
    }

    /// A concept's tag keys: none empty, none twice.
    fn key_list(&self, list: KeyList, key: &[&str]) -> Result<Vec<String>, ConfigError> {
        let mut seen = HashSet::new();
        let mut keys = Vec::new();
        for item in list.into_inner() {
            if item.get_ref().trim().is_empty() {
                return Err(self.err(Some(item.span()), key, "empty tag key"));
            }
            if !seen.insert(item.get_ref().clone()) {
                return Err(self.err(
                    Some(item.span()),
                    key,
                    format!("tag key `{}` is listed twice", item.get_ref()),
                ));
            }
            keys.push(item.into_inner());
        }
        Ok(keys)
    }

    fn env(
        &self,
        profile: &str,
        raw: Option<InOrder<Spanned<String>>>,
    ) -> Result<EnvRules, ConfigError> {
        let mut rules = EnvRules::default();
        for (from, to) in raw.map(|a| a.0).unwrap_or_default() {
            let key = ["profiles", profile, "env-aliases", from.get_ref().as_str()];
            if from.get_ref().trim().is_empty() {
                return Err(self.err(Some(from.span()), &key, "empty environment value"));
            }
            if to.get_ref().trim().is_empty() {
                return Err(self.err(Some(to.span()), &key, "empty environment name"));
            }
            rules.add_alias(from.get_ref(), to.get_ref());
        }
        Ok(rules)
    }
}

/// `a`, `b`: profile names for messages.
fn names(profiles: &[Profile]) -> String {
    quoted(profiles.iter().map(|p| &p.name))
}

/// `a`, `b`
fn quoted<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Config {
        match parse(text, "t.toml", None) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn fails(text: &str) -> String {
        match parse(text, "t.toml", None) {
            Ok(c) => panic!("parsed: {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    const DEMO: &str = "[profiles.d]\nsource = \"demo\"\n";

    #[test]
    fn a_single_profile_is_the_default_and_demo_has_defaults() {
        let c = ok(DEMO);
        assert_eq!(c.default_profile, "d");
        assert_eq!(c.profiles[0].source, SourceSpec::Demo { seed: 7, days: 45 });
        assert_eq!(c.profiles[0].tags, TagMapping::default());
        assert_eq!(c.profiles[0].env, EnvRules::default());
    }

    #[test]
    fn profiles_keep_file_order() {
        let c = ok(
            "default-profile = \"b\"\n[profiles.zeta]\nsource = \"demo\"\n[profiles.b]\nsource = \"demo\"\n[profiles.alpha]\nsource = \"demo\"\n",
        );
        let names: Vec<&str> = c.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["zeta", "b", "alpha"]);
        assert_eq!(c.default_profile, "b");
    }

    #[test]
    fn tags_replace_defaults_and_labels_keep_order() {
        let c = ok(
            "[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\ncluster = [\"eks:cluster-name\", \"kubernetes_cluster\"]\nlabel.team = [\"team\"]\nlabel.app = []\n",
        );
        let tags = &c.profiles[0].tags;
        assert_eq!(tags.cluster, ["eks:cluster-name", "kubernetes_cluster"]);
        assert_eq!(tags.namespace, TagMapping::default().namespace);
        assert_eq!(
            tags.labels,
            [
                ("team".to_string(), vec!["team".to_string()]),
                ("app".to_string(), TagMapping::label_default_keys("app")),
            ]
        );
    }

    #[test]
    fn env_aliases_are_added_over_the_defaults() {
        let c = ok(
            "[profiles.p]\nsource = \"demo\"\n[profiles.p.env-aliases]\nSBX = \"sandbox\"\nprod = \"live\"\n",
        );
        let env = &c.profiles[0].env;
        assert_eq!(env.normalize("sbx").as_deref(), Some("sandbox"));
        assert_eq!(env.normalize("prod").as_deref(), Some("live"));
        assert_eq!(env.normalize("stg").as_deref(), Some("staging"));
    }

    #[test]
    fn relative_paths_join_the_base_folder() {
        let text = "[profiles.a]\nsource = \"local\"\npath = \"cur/report\"\n[profiles.b]\nsource = \"local\"\npath = \"/abs/cur\"\n";
        let text = format!("default-profile = \"a\"\n{text}");
        let c = parse(&text, "t.toml", Some(Path::new("/etc/curtop"))).expect("valid");
        assert_eq!(
            c.profiles[0].source,
            SourceSpec::Local {
                path: "/etc/curtop/cur/report".into()
            }
        );
        assert_eq!(
            c.profiles[1].source,
            SourceSpec::Local {
                path: "/abs/cur".into()
            }
        );
        let c = parse(&text, "t.toml", None).expect("valid");
        assert_eq!(
            c.profiles[0].source,
            SourceSpec::Local {
                path: "cur/report".into()
            }
        );
    }

    #[test]
    fn no_profiles() {
        assert_eq!(
            fails(""),
            "t.toml: key `profiles`: no profiles; add a `[profiles.NAME]` table with a `source`"
        );
        assert_eq!(
            fails("profiles = {}\n"),
            "t.toml:1:12: key `profiles`: no profiles; add a `[profiles.NAME]` table with a `source`"
        );
    }

    #[test]
    fn default_profile_must_exist_or_be_implied() {
        assert_eq!(
            fails(&format!("default-profile = \"x\"\n{DEMO}")),
            "t.toml:1:19: key `default-profile`: no profile named `x`; the profiles are `d`"
        );
        assert_eq!(
            fails(&format!("{DEMO}[profiles.e]\nsource = \"demo\"\n")),
            "t.toml: key `default-profile`: missing; required when there are several profiles (`d`, `e`)"
        );
    }

    #[test]
    fn profile_names_are_restricted() {
        assert_eq!(
            fails("[profiles.\"my prod\"]\nsource = \"demo\"\n"),
            "t.toml:1:11: key `profiles.\"my prod\"`: invalid profile name; use letters, digits, `-` and `_`"
        );
        assert_eq!(
            fails("[profiles.\"\"]\nsource = \"demo\"\n"),
            "t.toml:1:11: key `profiles.\"\"`: invalid profile name; use letters, digits, `-` and `_`"
        );
        ok("[profiles.Prod_2-eu]\nsource = \"demo\"\n");
    }

    #[test]
    fn unknown_sources() {
        assert_eq!(
            fails("[profiles.p]\nsource = \"ftp\"\n"),
            "t.toml:2:10: key `profiles.p.source`: unknown source `ftp`; expected `local` or `demo` or `s3` or `athena`"
        );
    }

    #[test]
    fn athena_profiles_need_a_table_and_an_s3_result_location() {
        let cfg = Config::parse(
            "[profiles.p]\nsource = \"athena\"\ndatabase = \"cur\"\ntable = \"acme\"\n\
             workgroup = \"finops\"\nregion = \"eu-west-1\"\n",
            "t.toml",
        )
        .unwrap();
        let SourceSpec::Athena(a) = &cfg.profiles[0].source else {
            panic!("not athena: {:?}", cfg.profiles[0].source);
        };
        assert_eq!((a.database.as_str(), a.table.as_str()), ("cur", "acme"));
        assert_eq!(a.workgroup.as_deref(), Some("finops"));
        assert_eq!(a.access.region.as_deref(), Some("eu-west-1"));
        assert_eq!(a.output_location, None);
        assert_eq!(
            fails("[profiles.p]\nsource = \"athena\"\ndatabase = \"cur\"\n"),
            "t.toml:1:1: key `profiles.p.table`: missing; source = \"athena\" needs the CUR table's name"
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\nworkgroup = \"w\"\n"),
            "t.toml:3:13: key `profiles.p.workgroup`: only allowed with source = \"athena\""
        );
    }

    #[test]
    fn s3_profiles_and_secrets() {
        let cfg = ok(
            "[profiles.p]\nsource = \"s3\"\nbucket = \"b\"\nprefix = \"/cur/\"\nreport = \"r\"\n\
             region = \"eu-west-1\"\nrole-arn = \"arn:aws:iam::1:role/x\"\nexternal-id = \"e\"\n",
        );
        let SourceSpec::S3(s3) = &cfg.profiles[0].source else {
            panic!("not s3: {:?}", cfg.profiles[0].source)
        };
        assert_eq!(s3.url(), "s3://b/cur/r");
        assert_eq!(s3.access.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s3.access.external_id.as_deref(), Some("e"));
        // A secret written into the file: refused, and its value is never repeated.
        for key in [
            "aws-secret-access-key",
            "aws-access-key-id",
            "aws-session-token",
        ] {
            let e = fails(&format!(
                "[profiles.p]\nsource = \"s3\"\nbucket = \"b\"\nreport = \"r\"\n{key} = \"hunter2-value\"\n"
            ));
            assert!(e.contains("named AWS profile"), "{e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn local_needs_a_non_empty_path_and_no_demo_keys() {
        assert_eq!(
            fails("[profiles.p]\nsource = \"local\"\n"),
            "t.toml:1:1: key `profiles.p.path`: missing; source = \"local\" needs the CUR delivery folder or file"
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"local\"\npath = \" \"\n"),
            "t.toml:3:8: key `profiles.p.path`: empty path"
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"local\"\npath = \"x\"\ndays = 3\n"),
            "t.toml:4:8: key `profiles.p.days`: only allowed with source = \"demo\""
        );
    }

    #[test]
    fn demo_takes_no_path_and_bounded_days() {
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\npath = \"x\"\n"),
            "t.toml:3:8: key `profiles.p.path`: only allowed with source = \"local\""
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\ndays = 0\n"),
            "t.toml:3:8: key `profiles.p.days`: 0 is out of range; expected 1 to 400"
        );
        let c = ok("[profiles.p]\nsource = \"demo\"\nseed = 1\ndays = 400\n");
        assert_eq!(
            c.profiles[0].source,
            SourceSpec::Demo { seed: 1, days: 400 }
        );
    }

    #[test]
    fn tag_lists_are_non_empty_without_blanks_or_repeats() {
        let head = "[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\n";
        assert_eq!(
            fails(&format!("{head}pod = []\n")),
            "t.toml:4:7: key `profiles.p.tags.pod`: empty list; name at least one tag key, or leave `pod` out to use the default (`kubernetes_pod`)"
        );
        assert_eq!(
            fails(&format!("{head}pod = [\"a\", \"\"]\n")),
            "t.toml:4:13: key `profiles.p.tags.pod`: empty tag key"
        );
        assert_eq!(
            fails(&format!("{head}label.team = [\"t\", \"t\"]\n")),
            "t.toml:4:20: key `profiles.p.tags.label.team`: tag key `t` is listed twice"
        );
        assert_eq!(
            fails(&format!("{head}label.\" \" = []\n")),
            "t.toml:4:7: key `profiles.p.tags.label.\" \"`: empty label name"
        );
    }

    #[test]
    fn env_aliases_are_not_blank() {
        let head = "[profiles.p]\nsource = \"demo\"\n[profiles.p.env-aliases]\n";
        assert_eq!(
            fails(&format!("{head}stg = \"\"\n")),
            "t.toml:4:7: key `profiles.p.env-aliases.stg`: empty environment name"
        );
    }

    #[test]
    fn serde_errors_name_the_key() {
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\nnode = [\"x\"]\n"),
            "t.toml:4:1: key `profiles.p.tags.node`: unknown key; expected one of `cluster`, `namespace`, `deployment`, `daemonset`, `statefulset`, `pod`, `container`, `env`, `label`"
        );
        assert_eq!(
            fails("[profiles.p]\npath = \"x\"\n"),
            "t.toml:1:1: key `profiles.p.source`: missing required key"
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\nseed = \"x\"\n"),
            "t.toml:3:8: key `profiles.p.seed`: invalid type: string \"x\", expected a non-negative integer"
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\npod = [\"a\", 3]\n"),
            "t.toml:4:13: key `profiles.p.tags.pod`: invalid type: integer `3`, expected a string"
        );
        assert_eq!(
            fails("profiles = 3\n"),
            "t.toml:1:12: key `profiles`: invalid type: integer `3`, expected a table"
        );
        assert_eq!(
            fails("profiles.p = 3\n"),
            "t.toml:1:14: key `profiles.p`: invalid type: integer `3`, expected a table"
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\ntags = \"x\"\n"),
            "t.toml:3:8: key `profiles.p.tags`: invalid type: string \"x\", expected a table"
        );
        assert_eq!(
            fails("[profiles.p]\nsource = \"demo\"\ntags.pod = \"x\"\n"),
            "t.toml:3:12: key `profiles.p.tags.pod`: invalid type: string \"x\", expected an array"
        );
    }
}
