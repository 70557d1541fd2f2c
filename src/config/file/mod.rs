//! The config file format and its validation: [`parse`] reads the TOML into the tables of `raw`,
//! then checks them into a [`Config`], reporting each rule it breaks at the line of the offending
//! key. The file-level rules (profiles, the default profile, profile names, credentials, `[keys]`)
//! are here; a profile's source in `sources` (which keys each kind takes; local and demo) and
//! `aws` (s3 and athena), its tag mapping and environment aliases in `tags`.

mod aws;
mod raw;
mod sharing;
mod sources;
mod tags;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use super::budget::Budget;
use super::error::{ConfigError, dotted};
use super::keys::Keymap;
use super::{Config, Profile};
use crate::cur::money::Money;
use raw::{InOrder, KeyList, RawConfig, RawProfile};

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
        let mut combined_refs: Vec<sources::CombinedRefs> = Vec::new();
        let mut profiles = raw_profiles
            .into_iter()
            .map(|(name, raw)| {
                if let Some(list) = &raw.get_ref().sources {
                    combined_refs.push((
                        name.get_ref().clone(),
                        list.get_ref()
                            .iter()
                            .map(|n| (n.get_ref().clone(), n.span()))
                            .collect(),
                    ));
                }
                self.profile(&name, raw)
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.resolve_combined(&mut profiles, &combined_refs)?;
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

    /// `[profiles.NAME]`: a valid name and no credentials, then its source, tags and aliases.
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
        let source = self.source(&raw, span, name_str)?;
        let tags = self.tags(name_str, raw.tags)?;
        let env = self.env(
            name_str,
            raw.env_aliases,
            [raw.env_namespaces, raw.env_clusters, raw.env_accounts],
        )?;
        let sharing = self.sharing(name_str, raw.sharing, &env, &tags)?;
        Ok(Profile {
            name: name_str.to_string(),
            source,
            tags,
            env,
            sharing,
            budgets: self.budgets(name_str, raw.budgets)?,
        })
    }

    /// `[profiles.NAME.budgets]`: `SCOPE/NAME = amount`, a positive number.
    fn budgets(
        &self,
        profile: &str,
        raw: Option<InOrder<Spanned<toml::Value>>>,
    ) -> Result<Vec<Budget>, ConfigError> {
        let mut out = Vec::new();
        for (key, value) in raw.map(|b| b.0).unwrap_or_default() {
            let at = ["profiles", profile, "budgets", key.get_ref().as_str()];
            let (scope, name) =
                Budget::parse_key(key.get_ref()).map_err(|e| self.err(Some(key.span()), &at, e))?;
            let amount = match value.get_ref() {
                toml::Value::Integer(i) => Money::from_f64(*i as f64).ok(),
                toml::Value::Float(f) => Money::from_f64(*f).ok(),
                _ => None,
            }
            .filter(|m| *m > Money::ZERO);
            let Some(monthly) = amount else {
                return Err(self.err(
                    Some(value.span()),
                    &at,
                    "a budget is a positive amount per month in the bill's currency, e.g. 12000",
                ));
            };
            out.push(Budget {
                scope,
                name,
                monthly,
            });
        }
        Ok(out)
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
