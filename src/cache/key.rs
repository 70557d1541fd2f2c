//! What identifies cached facts: the source (where the bill is read from), the profile's tag
//! mapping and environment rules, and the tag keys a report adds — a changed mapping is a
//! different cache. A FOCUS export's key also holds the providers' Kubernetes keys its mapping
//! gets and the one currency it reads; a combined profile has none of its own (its parts are
//! cached as their own profiles). Credentials are never part of it: the same bucket read through another
//! role is the same data. The period's version is kept in the file (see [`super::Meta`]).

use crate::config::{FocusPath, Profile, SourceSpec};
use crate::cur::time::{Day, date_of};

/// The identity of a profile's facts in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceKey {
    profile: String,
    /// What the key is of, in words and without secrets (`s3://b/p/r`, mapping, rules).
    description: String,
    /// Where the data comes from, for `curtop cache` (`s3://b/p/r`).
    pub source: String,
}

impl SourceKey {
    /// The key of a profile's facts as read with `extra_tags` beside its mapping; `None` for
    /// sources not worth caching (the demo bill is generated in memory, ending today) and for
    /// a combined profile (read through its parts' keys).
    pub fn of(profile: &Profile, extra_tags: &[String]) -> Option<SourceKey> {
        let mut tags = profile.tags.clone();
        let source = match &profile.source {
            SourceSpec::Demo { .. } | SourceSpec::Combined(_) => return None,
            SourceSpec::Local { path } => local(path),
            SourceSpec::Focus(f) => {
                tags = crate::source::focus::provider_mapping(&profile.tags);
                let at = match &f.location {
                    FocusPath::Local(path) => local(path),
                    FocusPath::S3(s) => with_endpoint(s.url(), s.access.endpoint_url.as_deref()),
                };
                match &f.currency {
                    Some(c) => format!("focus {at} currency {c}"),
                    None => format!("focus {at}"),
                }
            }
            SourceSpec::S3(s) => with_endpoint(s.url(), s.access.endpoint_url.as_deref()),
            SourceSpec::Athena(a) => {
                let catalog = a.catalog.as_deref().unwrap_or("AwsDataCatalog");
                with_endpoint(
                    format!("athena://{catalog}/{}/{}", a.database, a.table),
                    a.access.endpoint_url.as_deref(),
                )
            }
        };
        let description = format!(
            "{source}\ntags: {tags:?}\nextra tags: {extra_tags:?}\nenv: {:?}",
            profile.env
        );
        let mut key = SourceKey::from_description(&profile.name, &description);
        key.source = source;
        Some(key)
    }

    /// A key from its description (tests, and [`SourceKey::of`]).
    pub fn from_description(profile: &str, description: &str) -> SourceKey {
        SourceKey {
            profile: profile.to_string(),
            description: description.to_string(),
            source: description.lines().next().unwrap_or_default().to_string(),
        }
    }

    /// The profile's name.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The folder of this key: `<profile>-<16 hex digits of the description's hash>`.
    pub fn folder(&self) -> String {
        format!(
            "{}-{:016x}",
            self.profile,
            fnv1a(self.description.as_bytes())
        )
    }
}

/// A local source: its canonical path (the same folder reached another way is the same data).
fn local(path: &std::path::Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("local:{}", path.display())
}

/// The profile a folder name ([`SourceKey::folder`]) is of.
pub fn profile_of_folder(folder: &str) -> Option<&str> {
    let (profile, hash) = folder.rsplit_once('-')?;
    (hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(profile)
}

/// A source with its endpoint (another endpoint is another bucket), the endpoint's user and
/// password left out.
fn with_endpoint(url: String, endpoint: Option<&str>) -> String {
    let Some(endpoint) = endpoint else {
        return url;
    };
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("", endpoint));
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let sep = if path.is_empty() { "" } else { "/" };
    format!("{url} at {scheme}://{host}{sep}{path}")
}

/// 64-bit FNV-1a: stable across runs and versions (a hasher from std is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The name of the billing period starting on `start` (`2026-11`); `file` when unknown.
pub fn period_name(span: Option<(Day, Day)>) -> String {
    span.map_or_else(
        || "file".to_string(),
        |(s, _)| date_of(s).format("%Y-%m").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn profile(text: &str) -> Profile {
        Config::parse(text, "t.toml").unwrap().profiles[0].clone()
    }

    #[test]
    fn the_key_changes_with_the_mapping_and_rules_not_with_credentials() {
        let base = "[profiles.p]\nsource = \"s3\"\nbucket = \"b\"\nreport = \"r\"\n";
        let a = SourceKey::of(&profile(base), &[]).unwrap();
        let with_role = format!(
            "{base}role-arn = \"arn:aws:iam::123456789012:role/x\"\nexternal-id = \"s3cr3t\"\n"
        );
        let b = SourceKey::of(&profile(&with_role), &[]).unwrap();
        assert_eq!(a.folder(), b.folder());
        assert!(!b.description.contains("s3cr3t"));
        let mapped = format!("{base}[profiles.p.tags]\ncluster = [\"team-cluster\"]\n");
        let c = SourceKey::of(&profile(&mapped), &[]).unwrap();
        assert_ne!(a.folder(), c.folder());
        let d = SourceKey::of(&profile(base), &["cost-center".into()]).unwrap();
        assert_ne!(a.folder(), d.folder());
        assert_eq!(profile_of_folder(&a.folder()), Some("p"));
    }

    #[test]
    fn an_endpoint_password_is_not_in_the_key() {
        let s = with_endpoint("s3://b/r".into(), Some("http://user:PW@127.0.0.1:9000"));
        assert_eq!(s, "s3://b/r at http://127.0.0.1:9000");
    }

    #[test]
    fn the_demo_is_not_cached() {
        assert!(SourceKey::of(&Config::demo().profiles[0], &[]).is_none());
    }

    #[test]
    fn a_focus_key_holds_the_path_and_currency_and_a_combined_profile_has_none() {
        let focus = "[profiles.f]\nsource = \"focus\"\npath = \"/srv/focus\"\n";
        let a = SourceKey::of(&profile(focus), &[]).unwrap();
        assert_eq!(a.source, "focus local:/srv/focus");
        assert!(a.description.contains("goog-k8s-cluster-name"), "{a:?}");
        let eur = SourceKey::of(&profile(&format!("{focus}currency = \"EUR\"\n")), &[]).unwrap();
        assert_eq!(eur.source, "focus local:/srv/focus currency EUR");
        assert_ne!(a.folder(), eur.folder());
        let local = "[profiles.f]\nsource = \"local\"\npath = \"/srv/focus\"\n";
        assert_ne!(
            SourceKey::of(&profile(local), &[]).unwrap().folder(),
            a.folder()
        );
        let s3 = "[profiles.f]\nsource = \"focus\"\npath = \"s3://b/p/export\"\n\
                  endpoint-url = \"http://u:PW@127.0.0.1:9000\"\n";
        let s = SourceKey::of(&profile(s3), &[]).unwrap();
        assert_eq!(s.source, "focus s3://b/p/export at http://127.0.0.1:9000");
        let combined = format!(
            "default-profile = \"c\"\n{focus}[profiles.l]\nsource = \"local\"\npath = \"/srv/cur\"\n\
             [profiles.c]\nsource = \"combined\"\nsources = [\"f\", \"l\"]\n"
        );
        let c = Config::parse(&combined, "t.toml").unwrap();
        assert!(SourceKey::of(c.profile("c").unwrap(), &[]).is_none());
    }
}
