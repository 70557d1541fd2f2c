//! A profile's tag mapping: which tag keys name each Kubernetes concept, and how environment
//! values are normalized. Plain data; `cur::attribution` resolves it against a report's columns.

/// Tag keys per concept, in order of preference: the first key with a non-empty value wins.
/// Keys are written as users know them (`kubernetes_namespace`, `aws:eks:cluster-name`);
/// see `docs/allocation.md` for how they match report columns.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// How environment values are normalized (`stg` → `staging`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRules {
    /// (raw value, lower-cased, → canonical name); later entries override earlier ones.
    pub aliases: Vec<(String, String)>,
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
    fn default_mapping_is_the_kubecost_scheme() {
        let m = TagMapping::default();
        assert_eq!(m.namespace, ["kubernetes_namespace"]);
        assert_eq!(
            TagMapping::label_default_keys("team"),
            ["kubernetes_label_team", "team"]
        );
    }
}
