//! A profile's tag mapping: which tag keys name each Kubernetes concept, and how environment
//! values are normalized. Plain data; `cur::attribution` resolves it against a report's columns.

/// Tag keys per concept, in order of preference: the first key with a non-empty value wins.
/// Keys are written as users know them (`kubernetes_namespace`, `aws:eks:cluster-name`);
/// see `docs/allocation.md` for how they match report columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagMapping {
    pub cluster: Vec<String>,
    pub namespace: Vec<String>,
    pub deployment: Vec<String>,
    pub daemonset: Vec<String>,
    pub statefulset: Vec<String>,
    pub pod: Vec<String>,
    pub container: Vec<String>,
    pub env: Vec<String>,
    /// `label.NAME` concepts, in the order declared: (NAME, keys).
    pub labels: Vec<(String, Vec<String>)>,
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

impl Default for TagMapping {
    /// The Kubecost / `OpenCost` `kubernetes_*` scheme.
    fn default() -> Self {
        Self {
            cluster: keys(&["kubernetes_cluster"]),
            namespace: keys(&["kubernetes_namespace"]),
            deployment: keys(&["kubernetes_deployment"]),
            daemonset: keys(&["kubernetes_daemonset"]),
            statefulset: keys(&["kubernetes_statefulset"]),
            pod: keys(&["kubernetes_pod"]),
            container: keys(&["kubernetes_container"]),
            env: keys(&[
                "env",
                "environment",
                "stage",
                "kubernetes_label_env",
                "kubernetes_label_environment",
            ]),
            labels: Vec::new(),
        }
    }
}

impl TagMapping {
    /// The default keys of a `label.NAME` concept: Kubecost's `kubernetes_label_NAME`, then the
    /// pod label itself as EKS imports it (`NAME`).
    pub fn label_default_keys(name: &str) -> Vec<String> {
        vec![format!("kubernetes_label_{name}"), name.to_string()]
    }
}

/// How environment values are normalized (`stg` → `staging`), and which environment a row
/// whose tags name none falls back to. One value, hashable, so that whatever is derived from
/// facts (a cache) can key on all of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnvRules {
    /// (raw value, lower-cased, → canonical name); later entries override earlier ones.
    pub aliases: Vec<(String, String)>,
    /// For rows with no environment tag: (namespace pattern, canonical name), first match wins.
    pub namespaces: Vec<(String, String)>,
    /// Then (cluster pattern, canonical name), first match wins.
    pub clusters: Vec<(String, String)>,
    /// Then (account id pattern, canonical name), first match wins.
    pub accounts: Vec<(String, String)>,
}

impl Default for EnvRules {
    fn default() -> Self {
        let pairs: &[(&str, &str)] = &[
            ("prod", "production"),
            ("prd", "production"),
            ("production", "production"),
            ("stg", "staging"),
            ("stage", "staging"),
            ("staging", "staging"),
            ("dev", "development"),
            ("develop", "development"),
            ("development", "development"),
            ("test", "test"),
            ("tst", "test"),
            ("qa", "test"),
        ];
        Self {
            aliases: pairs
                .iter()
                .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
                .collect(),
            namespaces: Vec::new(),
            clusters: Vec::new(),
            accounts: Vec::new(),
        }
    }
}

impl EnvRules {
    /// The canonical name of an environment value: trimmed, lower-cased, aliases applied.
    /// `None` for an empty value.
    pub fn normalize(&self, raw: &str) -> Option<String> {
        let v = raw.trim().to_lowercase();
        if v.is_empty() {
            return None;
        }
        let canonical = self
            .aliases
            .iter()
            .rev()
            .find(|(from, _)| *from == v)
            .map(|(_, to)| to.clone());
        Some(canonical.unwrap_or(v))
    }

    /// Adds (or overrides) an alias; the raw side is matched lower-cased.
    pub fn add_alias(&mut self, from: &str, to: &str) {
        self.aliases
            .push((from.trim().to_lowercase(), to.trim().to_string()));
    }

    /// Whether any fallback rule (namespace, cluster or account) is set.
    pub fn has_fallbacks(&self) -> bool {
        !(self.namespaces.is_empty() && self.clusters.is_empty() && self.accounts.is_empty())
    }

    /// The environment of a row whose tags name none: the first namespace pattern matching
    /// `namespace`, else the first cluster pattern matching `cluster`, else the first account
    /// pattern matching `account`. Empty values match no pattern.
    pub fn fallback(&self, namespace: &str, cluster: &str, account: &str) -> Option<&str> {
        [
            (&self.namespaces, namespace),
            (&self.clusters, cluster),
            (&self.accounts, account),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .find_map(|(rules, value)| {
            rules
                .iter()
                .find(|(pattern, _)| glob_match(pattern, value))
                .map(|(_, env)| env.as_str())
        })
    }

    /// Every canonical environment name the rules can give (aliases' and fallbacks' targets),
    /// sorted: the environments a sharing rule may name.
    pub fn known(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .aliases
            .iter()
            .chain(&self.namespaces)
            .chain(&self.clusters)
            .chain(&self.accounts)
            .map(|(_, to)| to.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (possibly
/// empty) and everything else for itself: `*-staging`, `prod-*`, `*`, `eu-*-prod`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let middle: Vec<&str> = parts.collect();
    let Some((last, inner)) = middle.split_last() else {
        // No `*`: the pattern is the whole text.
        return rest.is_empty();
    };
    for part in inner {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_normalize_with_aliases() {
        let mut r = EnvRules::default();
        assert_eq!(r.normalize(" Prod ").as_deref(), Some("production"));
        assert_eq!(r.normalize("stg").as_deref(), Some("staging"));
        assert_eq!(r.normalize("Sandbox").as_deref(), Some("sandbox"));
        assert_eq!(r.normalize("  "), None);
        r.add_alias("SBX", "sandbox");
        assert_eq!(r.normalize("sbx").as_deref(), Some("sandbox"));
        r.add_alias("prod", "live");
        assert_eq!(r.normalize("prod").as_deref(), Some("live"));
    }

    #[test]
    fn globs_match_prefixes_suffixes_and_middles() {
        assert!(glob_match("*-staging", "web-staging"));
        assert!(glob_match("*-staging", "-staging"));
        assert!(!glob_match("*-staging", "staging"));
        assert!(glob_match("prod-*", "prod-eu"));
        assert!(!glob_match("prod-*", "preprod-eu"));
        assert!(glob_match("eu-*-prod", "eu-west-prod"));
        assert!(!glob_match("eu-*-prod", "eu-prod"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        assert!(glob_match("a*a", "aa"));
        assert!(!glob_match("a*a", "a"));
    }

    #[test]
    fn fallbacks_go_namespace_then_cluster_then_account() {
        let mut r = EnvRules::default();
        r.namespaces.push(("*-staging".into(), "staging".into()));
        r.clusters.push(("prod-*".into(), "production".into()));
        r.accounts
            .push(("111111111111".into(), "development".into()));
        assert_eq!(r.fallback("web-staging", "prod-eu", ""), Some("staging"));
        assert_eq!(
            r.fallback("web", "prod-eu", "111111111111"),
            Some("production")
        );
        assert_eq!(r.fallback("", "", "111111111111"), Some("development"));
        assert_eq!(r.fallback("web", "dev-eu", "222"), None);
        assert!(r.known().contains(&"production".to_string()));
    }

    #[test]
    fn default_mapping_is_the_kubecost_scheme() {
        let m = TagMapping::default();
        assert_eq!(m.namespace, ["kubernetes_namespace"]);
        assert_eq!(
            TagMapping::label_default_keys("team"),
            ["kubernetes_label_team", "team"]
        );
    }
}
