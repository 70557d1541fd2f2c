//! The config file's tables as serde reads them: every table `deny_unknown_fields`, kebab-case
//! keys, values kept `Spanned` so that errors point at them, free-form tables kept in file order.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use toml::Spanned;

use crate::config::sharing::{IdleRule, Split, TargetKind};

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawConfig {
    pub(super) default_profile: Option<Spanned<String>>,
    pub(super) profiles: Option<Spanned<InOrder<Spanned<RawProfile>>>>,
    /// `[keys]`: action name → keys, replacing that action's defaults.
    pub(super) keys: Option<InOrder<KeyList>>,
}

/// `[profiles.NAME]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawProfile {
    pub(super) source: Spanned<String>,
    pub(super) path: Option<Spanned<String>>,
    pub(super) seed: Option<Spanned<u64>>,
    pub(super) days: Option<Spanned<u32>>,
    pub(super) bucket: Option<Spanned<String>>,
    pub(super) prefix: Option<Spanned<String>>,
    pub(super) report: Option<Spanned<String>>,
    pub(super) export: Option<Spanned<String>>,
    pub(super) region: Option<Spanned<String>>,
    pub(super) aws_profile: Option<Spanned<String>>,
    pub(super) role_arn: Option<Spanned<String>>,
    pub(super) external_id: Option<Spanned<String>>,
    pub(super) endpoint_url: Option<Spanned<String>>,
    pub(super) max_attempts: Option<Spanned<u32>>,
    pub(super) read_timeout: Option<Spanned<u32>>,
    pub(super) database: Option<Spanned<String>>,
    pub(super) table: Option<Spanned<String>>,
    pub(super) workgroup: Option<Spanned<String>>,
    pub(super) output_location: Option<Spanned<String>>,
    pub(super) catalog: Option<Spanned<String>>,
    pub(super) table_location: Option<Spanned<String>>,
    pub(super) currency: Option<Spanned<String>>,
    /// `source = "combined"`: the profiles whose bills it sums.
    pub(super) sources: Option<KeyList>,
    /// Secrets are refused with a pointer to named profiles (the values are never echoed).
    pub(super) aws_secret_access_key: Option<Spanned<toml::Value>>,
    pub(super) secret_access_key: Option<Spanned<toml::Value>>,
    pub(super) aws_access_key_id: Option<Spanned<toml::Value>>,
    pub(super) aws_session_token: Option<Spanned<toml::Value>>,
    pub(super) tags: Option<RawTags>,
    pub(super) env_aliases: Option<InOrder<Spanned<String>>>,
    /// `"cluster/NAME" = amount`, monthly.
    pub(super) budgets: Option<InOrder<Spanned<toml::Value>>>,
    /// Environment fallbacks for rows with no environment tag: pattern → environment.
    pub(super) env_namespaces: Option<InOrder<Spanned<String>>>,
    pub(super) env_clusters: Option<InOrder<Spanned<String>>>,
    pub(super) env_accounts: Option<InOrder<Spanned<String>>>,
    pub(super) sharing: Option<RawSharing>,
}

/// A list of names, each spanned.
pub(super) type NameList = Spanned<Vec<Spanned<String>>>;

/// `[profiles.NAME.sharing]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSharing {
    pub(super) idle: Option<Spanned<IdleRule>>,
    pub(super) shared_namespaces: Option<NameList>,
    pub(super) split: Option<Spanned<Split>>,
    pub(super) costs: Option<Vec<Spanned<RawCostRule>>>,
}

/// `[[profiles.NAME.sharing.costs]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawCostRule {
    pub(super) name: Spanned<String>,
    pub(super) service: Option<NameList>,
    pub(super) usage_type: Option<NameList>,
    pub(super) account: Option<NameList>,
    pub(super) category: Option<NameList>,
    pub(super) label: Option<InOrder<Spanned<String>>>,
    pub(super) tag: Option<InOrder<Spanned<String>>>,
    pub(super) into: Spanned<TargetKind>,
    pub(super) ratios: Option<Spanned<InOrder<Spanned<toml::Value>>>>,
    pub(super) proportional: Option<NameList>,
}

/// A list of tag keys, each spanned.
pub(super) type KeyList = Spanned<Vec<Spanned<String>>>;

/// `[profiles.NAME.tags]`: each concept given replaces its default keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTags {
    pub(super) cluster: Option<KeyList>,
    pub(super) namespace: Option<KeyList>,
    pub(super) deployment: Option<KeyList>,
    pub(super) daemonset: Option<KeyList>,
    pub(super) statefulset: Option<KeyList>,
    pub(super) pod: Option<KeyList>,
    pub(super) container: Option<KeyList>,
    pub(super) env: Option<KeyList>,
    pub(super) label: Option<InOrder<KeyList>>,
}

/// A table with free-form keys, in file order (the `toml` crate's own tables are sorted).
pub(super) struct InOrder<V>(pub(super) Vec<(Spanned<String>, V)>);

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
