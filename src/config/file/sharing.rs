//! A profile's `[sharing]`: idle, shared namespaces and `[[sharing.costs]]` rules, checked
//! against the profile's environments and labels. Ratios are read from the file's own text as
//! decimals, so that `0.7 + 0.3` sums to exactly one.

use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;

use super::Check;
use super::quoted;
use super::raw::{InOrder, NameList, RawCostRule, RawSharing};
use crate::config::error::dotted;
use crate::config::sharing::{
    CostRule, IdleRule, RATIO_ONE, Selector, Sharing, Split, TargetKind, TargetSplit,
};
use crate::config::{ConfigError, EnvRules, TagMapping};
use crate::cur::attribution::Category;
use crate::cur::money::Money;

impl Check<'_> {
    /// `[profiles.NAME.sharing]`.
    pub(super) fn sharing(
        &self,
        profile: &str,
        raw: Option<RawSharing>,
        env: &EnvRules,
        tags: &TagMapping,
    ) -> Result<Sharing, ConfigError> {
        let Some(raw) = raw else {
            return Ok(Sharing::default());
        };
        let at = |key: &str| ["profiles", profile, "sharing", key].map(str::to_string);
        let shared_namespaces = match raw.shared_namespaces {
            Some(list) => self.names(list, &at("shared-namespaces"))?,
            None => Vec::new(),
        };
        let mut costs = Vec::new();
        for (i, rule) in raw.costs.unwrap_or_default().into_iter().enumerate() {
            let key = at(&format!("costs[{i}]"));
            costs.push(self.cost_rule(rule, &key, env, tags, &shared_namespaces)?);
        }
        Ok(Sharing {
            idle: raw.idle.map_or(IdleRule::Keep, Spanned::into_inner),
            shared_namespaces,
            split: raw.split.map_or(Split::Weighted, Spanned::into_inner),
            costs,
        })
    }

    /// An error at `span`; segments like `costs[0]` (an entry of an array of tables) are
    /// written as they are, the others as [`dotted`] writes them.
    fn err_at(
        &self,
        span: Range<usize>,
        key: &[String],
        message: impl Into<String>,
    ) -> ConfigError {
        let key = key
            .iter()
            .map(|segment| {
                let indexed = segment.split_once('[').is_some_and(|(name, index)| {
                    !name.is_empty()
                        && index
                            .strip_suffix(']')
                            .is_some_and(|i| !i.is_empty() && i.chars().all(|c| c.is_ascii_digit()))
                });
                if indexed {
                    segment.clone()
                } else {
                    dotted(&[segment])
                }
            })
            .collect::<Vec<_>>()
            .join(".");
        ConfigError::at(self.origin, self.text, Some(span), Some(key), message)
    }

    /// A list of names: none empty, none twice.
    fn names(&self, list: NameList, key: &[String]) -> Result<Vec<String>, ConfigError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for item in list.into_inner() {
            if item.get_ref().trim().is_empty() {
                return Err(self.err_at(item.span(), key, "empty name"));
            }
            if !seen.insert(item.get_ref().clone()) {
                return Err(self.err_at(
                    item.span(),
                    key,
                    format!("`{}` is listed twice", item.get_ref()),
                ));
            }
            out.push(item.into_inner());
        }
        Ok(out)
    }

    fn cost_rule(
        &self,
        raw: Spanned<RawCostRule>,
        key: &[String],
        env: &EnvRules,
        tags: &TagMapping,
        shared_namespaces: &[String],
    ) -> Result<CostRule, ConfigError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let sub = |k: &str| {
            let mut key = key.to_vec();
            key.push(k.to_string());
            key
        };
        if raw.name.get_ref().trim().is_empty() {
            return Err(self.err_at(raw.name.span(), &sub("name"), "empty rule name"));
        }
        let list = |l: Option<NameList>, k: &str| match l {
            Some(l) => self.names(l, &sub(k)),
            None => Ok(Vec::new()),
        };
        let mut categories = Vec::new();
        if let Some(l) = raw.category {
            for item in l.into_inner() {
                let Some(c) = Category::ALL
                    .into_iter()
                    .find(|c| c.name() == item.get_ref().as_str())
                else {
                    return Err(self.err_at(
                        item.span(),
                        &sub("category"),
                        format!(
                            "unknown category `{}`; expected {}",
                            item.get_ref(),
                            quoted(Category::ALL.map(Category::name))
                        ),
                    ));
                };
                categories.push(c);
            }
        }
        let mut labels = Vec::new();
        for (name, value) in raw.label.map(|l| l.0).unwrap_or_default() {
            if !tags.labels.iter().any(|(n, _)| n == name.get_ref()) {
                let known: Vec<&str> = tags.labels.iter().map(|(n, _)| n.as_str()).collect();
                return Err(self.err_at(
                    name.span(),
                    &sub("label"),
                    format!(
                        "unknown label `{}`; declare it under `[profiles.NAME.tags.label]` \
                         (declared: {})",
                        name.get_ref(),
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            quoted(known)
                        }
                    ),
                ));
            }
            labels.push((name.into_inner(), value.into_inner()));
        }
        let mut tag_values = Vec::new();
        for (key, value) in raw.tag.map(|t| t.0).unwrap_or_default() {
            if key.get_ref().trim().is_empty() {
                return Err(self.err_at(key.span(), &sub("tag"), "empty tag key"));
            }
            tag_values.push((key.into_inner(), value.into_inner()));
        }
        let select = Selector {
            services: list(raw.service, "service")?,
            usage_types: list(raw.usage_type, "usage-type")?,
            accounts: list(raw.account, "account")?,
            categories,
            labels,
            tags: tag_values,
        };
        let into = raw.into.into_inner();
        let targets_span = raw
            .ratios
            .as_ref()
            .map(Spanned::span)
            .or_else(|| raw.proportional.as_ref().map(Spanned::span))
            .unwrap_or(span.clone());
        let split = match (raw.ratios, raw.proportional) {
            (Some(_), Some(p)) => {
                return Err(self.err_at(
                    p.span(),
                    &sub("proportional"),
                    "give either `ratios` or `proportional`, not both",
                ));
            }
            (None, None) => {
                return Err(self.err_at(
                    span,
                    &sub("ratios"),
                    "missing; give `ratios = { TARGET = 0.5, … }` (summing to 1) or \
                     `proportional = [TARGET, …]` (`[]` for every target)",
                ));
            }
            (Some(r), None) => TargetSplit::Ratios(self.ratios(r, &sub("ratios"))?),
            (None, Some(p)) => TargetSplit::Proportional(self.names(p, &sub("proportional"))?),
        };
        let rule = CostRule {
            name: raw.name.into_inner(),
            select,
            into,
            split,
        };
        self.check_targets(&rule, key, targets_span, env, shared_namespaces)?;
        Ok(rule)
    }

    /// `ratios`: each a decimal above zero, all summing to exactly one.
    fn ratios(
        &self,
        raw: Spanned<InOrder<Spanned<toml::Value>>>,
        key: &[String],
    ) -> Result<Vec<(String, u64)>, ConfigError> {
        let table_span = raw.span();
        let mut out: Vec<(String, u64)> = Vec::new();
        let mut sum: u64 = 0;
        for (target, value) in raw.into_inner().0 {
            let mut k = key.to_vec();
            k.push(target.get_ref().clone());
            let text: String = match value.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(_) | toml::Value::Float(_) => self
                    .text
                    .get(value.span())
                    .unwrap_or_default()
                    .replace('_', ""),
                _ => String::new(),
            };
            let parts = Money::parse(text.trim().as_bytes())
                .ok()
                .and_then(|m| u64::try_from(m.0).ok())
                .filter(|&p| p > 0 && p <= RATIO_ONE);
            let Some(parts) = parts else {
                return Err(self.err_at(
                    value.span(),
                    &k,
                    "a ratio is a number above 0 and at most 1 (`0.7`)",
                ));
            };
            sum += parts;
            out.push((target.into_inner(), parts));
        }
        if sum != RATIO_ONE {
            return Err(self.err_at(
                table_span,
                key,
                format!(
                    "the ratios sum to {}, not 1",
                    Money(i64::try_from(sum).unwrap_or(i64::MAX)).to_decimal_string()
                ),
            ));
        }
        Ok(out)
    }

    /// Targets must exist in the profile (environments) and never be a shared namespace.
    fn check_targets(
        &self,
        rule: &CostRule,
        key: &[String],
        span: Range<usize>,
        env: &EnvRules,
        shared_namespaces: &[String],
    ) -> Result<(), ConfigError> {
        let (field, targets): (&str, Vec<&String>) = match &rule.split {
            TargetSplit::Ratios(r) => ("ratios", r.iter().map(|(t, _)| t).collect()),
            TargetSplit::Proportional(p) => ("proportional", p.iter().collect()),
        };
        let mut k = key.to_vec();
        k.push(field.to_string());
        let known = env.known();
        for target in targets {
            let problem = match rule.into {
                TargetKind::Environments
                    if env.normalize(target).is_none_or(|e| !known.contains(&e)) =>
                {
                    Some(format!(
                        "unknown environment `{target}`; the profile's environments are {} (add \
                         others under `[profiles.NAME.env-aliases]`)",
                        quoted(&known)
                    ))
                }
                TargetKind::Namespaces => {
                    let ns = target.rsplit_once('/').map_or(target.as_str(), |(_, n)| n);
                    if ns.is_empty() || target.starts_with('/') {
                        Some(format!(
                            "unknown namespace `{target}`; write `NAMESPACE` or `CLUSTER/NAMESPACE`"
                        ))
                    } else if shared_namespaces.iter().any(|s| s == ns) {
                        Some(format!(
                            "`{ns}` is a shared namespace (its cost goes to the others); it \
                             cannot also be a target"
                        ))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            if let Some(message) = problem {
                let at = self.span_of(target, span.clone());
                return Err(self.err_at(at, &k, message));
            }
        }
        Ok(())
    }

    /// Where `name` is written inside `within` (for errors about one target), else `within`.
    fn span_of(&self, name: &str, within: Range<usize>) -> Range<usize> {
        let Some(text) = self.text.get(within.clone()) else {
            return within;
        };
        text.find(name).map_or(within.clone(), |at| {
            within.start + at..within.start + at + name.len()
        })
    }
}
