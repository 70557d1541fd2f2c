//! A profile's `[tags]` and `[env-aliases]`: the tag keys of each Kubernetes concept (replacing
//! its defaults) and label, and environment aliases over the default rules.

use std::collections::HashSet;

use toml::Spanned;

use super::raw::{InOrder, KeyList, RawTags};
use super::{Check, quoted};
use crate::config::{ConfigError, EnvRules, TagMapping};

impl Check<'_> {
    /// `[profiles.NAME.tags]`: each concept given replaces its default keys; a label with an
    /// empty list gets its default keys.
    pub(super) fn tags(
        &self,
        profile: &str,
        raw: Option<RawTags>,
    ) -> Result<TagMapping, ConfigError> {
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

    /// `[profiles.NAME.env-aliases]`: each alias added over the default environment rules;
    /// then `env-namespaces`, `env-clusters` and `env-accounts` (pattern → environment, the
    /// environment normalized by the aliases) for rows whose tags name no environment.
    pub(super) fn env(
        &self,
        profile: &str,
        raw: Option<InOrder<Spanned<String>>>,
        fallbacks: [Option<InOrder<Spanned<String>>>; 3],
    ) -> Result<EnvRules, ConfigError> {
        let mut rules = self.env_aliases(profile, raw)?;
        let [namespaces, clusters, accounts] = fallbacks;
        for (table, raw) in [
            ("env-namespaces", namespaces),
            ("env-clusters", clusters),
            ("env-accounts", accounts),
        ] {
            let mut list = Vec::new();
            for (pattern, to) in raw.map(|a| a.0).unwrap_or_default() {
                let key = ["profiles", profile, table, pattern.get_ref().as_str()];
                if pattern.get_ref().trim().is_empty() {
                    return Err(self.err(Some(pattern.span()), &key, "empty pattern"));
                }
                let Some(env) = rules.normalize(to.get_ref()) else {
                    return Err(self.err(Some(to.span()), &key, "empty environment name"));
                };
                list.push((pattern.into_inner(), env));
            }
            match table {
                "env-namespaces" => rules.namespaces = list,
                "env-clusters" => rules.clusters = list,
                _ => rules.accounts = list,
            }
        }
        Ok(rules)
    }

    /// `[profiles.NAME.env-aliases]` over the default rules.
    fn env_aliases(
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
