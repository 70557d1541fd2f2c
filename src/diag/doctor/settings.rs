//! The checks that read the facts of a successful read: the report's settings (resource IDs,
//! split cost allocation data, granularity, format, versioning) and how much of the bill the
//! Kubernetes tags reach.

use std::collections::BTreeMap;

use crate::config::{EnvRules, Profile};
use crate::cur::attribution::Category;
use crate::cur::columns::{key_of_tag_id, tag_id};
use crate::cur::metrics::Metric;
use crate::cur::money::Money;
use crate::facts::{Dim, Facts};
use crate::source::EnvScan;

use super::{Check, CheckId, Status, with_warnings};
use crate::diag::{self, DiagCode, Diagnosis};
use crate::facts::WarningCode;

/// Resource IDs, split cost allocation data, hourly granularity: each setting's consequence.
pub(super) fn report_settings(f: &Facts, demo: bool) -> Check {
    let has = |code: WarningCode| f.quality.warnings.iter().find(|w| w.code == code);
    let mut evidence = Vec::new();
    let settings = [
        (
            WarningCode::NoResourceIds,
            "resource IDs included: pod, node and resource views work",
        ),
        (
            WarningCode::NoSplitCost,
            "split cost allocation data included: EC2 node cost is split per pod",
        ),
        (
            WarningCode::DailyGranularity,
            "hourly granularity: short-lived pods' hours are exact",
        ),
    ];
    let mut warnings = Vec::new();
    for (code, ok) in settings {
        match has(code) {
            Some(w) => {
                evidence.push(format!("no: {}", w.message));
                warnings.push(Some(w));
            }
            None => evidence.push(format!("yes: {ok}")),
        }
    }
    if demo {
        // The demo bill is daily to stay small (see `source::load`).
        if let Some(e) = evidence.last_mut() {
            *e = "daily: the built-in demo bill is generated daily by design".into();
        }
    }
    with_warnings(CheckId::ReportSettings, evidence, &warnings)
}

/// The delivery's file format and versioning mode, with what each means for reading it.
pub(super) fn delivery_settings(d: &crate::source::discover::Delivery) -> Vec<String> {
    use crate::source::discover::{Layout, PartFormat};
    use crate::source::read_csv::Compression;
    let mut out = Vec::new();
    let first = d.periods.iter().find_map(|p| p.parts.first());
    if let Some(part) = first {
        out.push(
            match part.format {
                PartFormat::Parquet => {
                    "format Parquet: columnar, only the needed columns are decoded (the fastest to read)"
                }
                PartFormat::Csv(Compression::Gzip) => {
                    "format GZIP CSV: streamed and parsed as it downloads; Parquet reads ~5x faster"
                }
                PartFormat::Csv(Compression::Zip) => {
                    "format ZIP CSV: each part is unpacked whole before parsing; GZIP or Parquet stream better"
                }
                PartFormat::Csv(Compression::None) => {
                    "format plain CSV: not a format AWS delivers (a local, unpacked copy)"
                }
            }
            .to_string(),
        );
    }
    let versioning = match d.layout {
        Layout::Legacy => {
            let nested = d.periods.iter().any(|p| {
                p.assembly.as_deref().is_some_and(|a| {
                    !a.is_empty()
                        && p.parts
                            .iter()
                            .any(|part| part.key.contains(&format!("/{a}/")))
                })
            });
            Some(if nested {
                "versioning create-new: each delivery in its own assembly folder; only the manifest's current one is read"
            } else {
                "versioning overwrite: AWS rewrites the parts in place; the manifest is re-read after the read and a changed period read again"
            })
        }
        Layout::Cur2 => Some(
            "CUR 2.0 Data Export: each billing period overwritten in place, its manifest under metadata/",
        ),
        Layout::AthenaParquet => Some(
            "Athena-integration Parquet without manifests: every part of the period folders is read",
        ),
        Layout::SingleFile | Layout::Athena => None,
    };
    out.extend(versioning.map(str::to_string));
    out
}

/// What share of the bill Kubernetes reaches, and the top untagged services.
pub(super) fn tag_coverage(f: &Facts) -> Check {
    let m = Metric::Amortized;
    let mut by_cat: BTreeMap<Category, i64> = BTreeMap::new();
    let mut untagged: BTreeMap<&str, i64> = BTreeMap::new();
    let mut total: i64 = 0;
    let dims = [Dim::Cluster, Dim::Namespace, Dim::Workload, Dim::Pod];
    let mut named = [0i64; 4];
    for r in &f.rows {
        let v = r.costs[m].0;
        total += v;
        for (i, d) in dims.iter().enumerate() {
            if !f.text(r, *d).is_empty() {
                named[i] += v;
            }
        }
        *by_cat.entry(r.category).or_default() += v;
        if r.category == Category::Unallocated {
            *untagged.entry(f.text(r, Dim::Service)).or_default() += v;
        }
    }
    let share = |v: i64| {
        if total == 0 {
            0.0
        } else {
            v as f64 * 100.0 / total as f64
        }
    };
    let cat = |c: Category| share(by_cat.get(&c).copied().unwrap_or(0));
    let mut evidence = vec![
        format!(
            "{:.1}% of the bill inside the clusters (pods, idle, control plane), {:.1}% attached by kubernetes_* tags, {:.1}% unallocated",
            cat(Category::Pod) + cat(Category::Idle) + cat(Category::ControlPlane),
            cat(Category::External),
            cat(Category::Unallocated)
        ),
        format!(
            "names known for: cluster {:.1}%, namespace {:.1}%, workload {:.1}%, pod {:.1}% of the bill",
            share(named[0]),
            share(named[1]),
            share(named[2]),
            share(named[3])
        ),
    ];
    evidence.extend(Category::ALL.iter().map(|c| {
        format!(
            "{}: {:.1}% of the bill",
            c.name(),
            share(by_cat.get(c).copied().unwrap_or(0))
        )
    }));
    if let Some(line) = provider_reach(f) {
        evidence.push(line);
    }
    let mut top: Vec<(&str, i64)> = untagged.into_iter().collect();
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    if !top.is_empty() {
        let list: Vec<String> = top
            .iter()
            .take(3)
            .map(|(s, v)| {
                format!(
                    "{} {:.1}%",
                    if s.is_empty() { "(none)" } else { s },
                    share(*v)
                )
            })
            .collect();
        evidence.push(format!("untagged spend by service: {}", list.join(", ")));
    }
    let external = by_cat.get(&Category::External).copied().unwrap_or(0);
    if external == 0 && total != 0 {
        return Check {
            name: CheckId::TagCoverage,
            status: Status::Warn,
            evidence: evidence.clone(),
            diagnosis: Some(Diagnosis {
                code: DiagCode::TagsNotActivated,
                severity: diag::Severity::Warning,
                title: "no kubernetes_* tag reaches any cost outside the clusters".into(),
                seen: evidence,
                causes: vec![
                    "the kubernetes_* tags (or the mapped keys) are not activated as cost allocation tags".into(),
                    "out-of-cluster resources (RDS, S3, …) are not tagged".into(),
                ],
                fixes: vec![
                    "Billing console → Cost allocation tags: activate kubernetes_cluster, kubernetes_namespace, … (takes up to 24 h; new data only)".into(),
                    "tag the databases, buckets and queues with the Kubernetes names they serve".into(),
                    "or map the keys you already use in [profiles.NAME.tags]".into(),
                ],
                docs: vec!["https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html"],
            }),
        };
    }
    Check {
        name: CheckId::TagCoverage,
        status: Status::Pass,
        evidence,
        diagnosis: None,
    }
}

/// Values that look like an environment: those the default rules know (`prod`, `stg`, `dev`,
/// `qa`, …).
fn looks_like_env(value: &str) -> bool {
    let defaults = EnvRules::default();
    let v = value.trim().to_lowercase();
    defaults.aliases.iter().any(|(from, _)| *from == v)
}

/// What a label of the facts is, in words, and the tag keys behind it: a declared
/// `label:NAME` and its keys, or a `tag:KEY` read for a report, a sharing rule, or by doctor
/// for every tag key the profile does not read.
fn label_keys(name: &str, profile: &Profile) -> Option<(String, Vec<String>)> {
    if let Some(concept) = name.strip_prefix("label:") {
        let keys = profile
            .tags
            .labels
            .iter()
            .find(|(n, _)| n == concept)
            .map(|(_, k)| k.clone())
            .unwrap_or_default();
        Some((
            format!("label `{concept}` (tag keys {})", keys.join(", ")),
            keys,
        ))
    } else {
        let key = key_of_tag_id(name.strip_prefix("tag:")?);
        Some((
            format!("tag key `{key}`, not in the profile's env keys,"),
            vec![key],
        ))
    }
}

/// `{what} holds values that look like environments: prod → production, …` (the first five).
fn env_like_line<'v>(
    what: &str,
    values: impl Iterator<Item = &'v str>,
    profile: &Profile,
) -> String {
    let seen: Vec<String> = values
        .take(5)
        .map(|v| {
            let to = profile.env.normalize(v).unwrap_or_default();
            format!("{v} → {to}")
        })
        .collect();
    format!(
        "{what} holds values that look like environments: {}",
        seen.join(", ")
    )
}

/// The evidence of an Athena profile's scan of its unmapped tag keys: each key holding
/// environment-like values (added to `missing`), what the scan cost, or why it could not run.
/// Returns how many keys it named.
fn scan_evidence(
    scan: Option<&EnvScan>,
    profile: &Profile,
    mapped: &dyn Fn(&str) -> bool,
    missing: &mut Vec<String>,
    evidence: &mut Vec<String>,
) -> usize {
    let mut found = 0;
    match scan {
        Some(EnvScan::Done { seen, scanned }) => {
            let mut by_key: BTreeMap<&str, Vec<(&str, Money)>> = BTreeMap::new();
            for (id, value, cost) in seen {
                by_key.entry(id).or_default().push((value, *cost));
            }
            let mut scan_total = Money::ZERO;
            for (id, mut values) in by_key {
                let key = key_of_tag_id(id);
                if mapped(&key) || missing.contains(&key) {
                    continue;
                }
                values.sort_by_key(|v| std::cmp::Reverse(v.1));
                for (_, cost) in &values {
                    scan_total = Money(scan_total.0.saturating_add(cost.0));
                }
                found += 1;
                evidence.push(env_like_line(
                    &format!("tag key `{key}`, not in the profile's env keys,"),
                    values.iter().map(|(v, _)| *v),
                    profile,
                ));
                missing.push(key);
            }
            evidence.push(format!(
                "scan of the unmapped tag keys for environment values ({} rows, {} unblended): {scanned}",
                seen.len(),
                scan_total.display_dollars()
            ));
        }
        Some(EnvScan::Nothing) => {
            evidence.push("the table has no unmapped tag key to scan for environments".into());
        }
        Some(EnvScan::Failed(why)) => evidence.push(format!(
            "the scan of the unmapped tag keys for environment values could not be done ({why}); only the mapped keys were looked at"
        )),
        None => {}
    }
    found
}

/// How much of the bill has an environment (from tags, then the profile's fallbacks), the raw
/// values seen with what they normalize to, and label keys whose values look like
/// environments without being in the profile's `env` keys. The fix names config lines.
pub(super) fn env_coverage(f: &Facts, profile: &Profile, scan: Option<&EnvScan>) -> Check {
    let m = Metric::Amortized;
    let mut total: i64 = 0;
    let mut none: i64 = 0;
    // Where the bill without an environment is, to name fallback lines.
    let mut no_env_clusters: BTreeMap<&str, i64> = BTreeMap::new();
    // Label concept → (looking like environments, values seen).
    let mut env_like: BTreeMap<usize, BTreeMap<&str, i64>> = BTreeMap::new();
    for r in &f.rows {
        let v = r.costs[m].0;
        total += v;
        if r.dim(Dim::Env) == crate::facts::NONE {
            none += v;
            let cluster = f.text(r, Dim::Cluster);
            if !cluster.is_empty() {
                *no_env_clusters.entry(cluster).or_default() += v;
            }
        }
        for (i, &sym) in r.labels.iter().enumerate() {
            let value = f.strings.get(sym);
            if looks_like_env(value) {
                *env_like.entry(i).or_default().entry(value).or_default() += v;
            }
        }
    }
    let pct = |v: i64| {
        if total == 0 {
            0.0
        } else {
            v as f64 * 100.0 / total as f64
        }
    };
    let mut evidence = vec![format!(
        "{:.1}% of the bill has no environment (tag keys {}, then env-namespaces, env-clusters, env-accounts)",
        pct(none),
        profile.tags.env.join(", ")
    )];
    if !f.quality.env_values.is_empty() {
        let values: Vec<String> = f
            .quality
            .env_values
            .iter()
            .take(8)
            .map(|(raw, env)| format!("{raw} → {env}"))
            .collect();
        evidence.push(format!("environment values seen: {}", values.join(", ")));
    }
    // Unmapped keys that hold environments are a misconfiguration (a warning); a bill that
    // merely lacks environments gets the lines to name them, and passes.
    let mut fixes: Vec<String> = Vec::new();
    // Keys compare as the bill's columns do (`env`, `user:env` and `resource_tags_user_env`
    // are one key).
    let mapped = |k: &str| profile.tags.env.iter().any(|e| tag_id(e) == tag_id(k));
    let mut missing: Vec<String> = Vec::new();
    let mut unmapped_keys = 0;
    for (i, values) in &env_like {
        let Some(name) = f.label_names.get(*i) else {
            continue;
        };
        let Some((what, keys)) = label_keys(name, profile) else {
            continue;
        };
        if keys.iter().all(|k| mapped(k)) {
            continue;
        }
        unmapped_keys += 1;
        evidence.push(env_like_line(&what, values.keys().copied(), profile));
        for k in keys {
            if !mapped(&k) && !missing.contains(&k) {
                missing.push(k);
            }
        }
    }
    // An Athena read keeps only the mapped keys: its scan of the others (`doctor`'s one extra
    // query) names them the same way.
    unmapped_keys += scan_evidence(scan, profile, &mapped, &mut missing, &mut evidence);
    if !missing.is_empty() {
        let env_keys: Vec<String> = profile
            .tags
            .env
            .iter()
            .chain(&missing)
            .map(|k| format!("\"{k}\""))
            .collect();
        fixes.push(format!(
            "[profiles.{}.tags] env = [{}]",
            profile.name,
            env_keys.join(", ")
        ));
    }
    let mut top: Vec<(&str, i64)> = no_env_clusters.into_iter().collect();
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    if pct(none) >= 10.0 && !top.is_empty() {
        let lines: Vec<String> = top
            .iter()
            .take(3)
            .map(|(c, v)| format!("\"{c}\" = \"ENV\"  # {:.1}% of the bill", pct(*v)))
            .collect();
        fixes.push(format!(
            "[profiles.{}.env-clusters] {}",
            profile.name,
            lines.join("; ")
        ));
    }
    if unmapped_keys == 0 {
        evidence.extend(fixes.iter().map(|f| format!("to name the rest, add: {f}")));
        return Check {
            name: CheckId::EnvironmentCoverage,
            status: Status::Pass,
            evidence,
            diagnosis: None,
        };
    }
    fixes.push(
        "or name environments by namespace or account: [profiles.NAME.env-namespaces] \"*-staging\" = \"staging\", [profiles.NAME.env-accounts] \"123456789012\" = \"production\"".into(),
    );
    Check {
        name: CheckId::EnvironmentCoverage,
        status: Status::Warn,
        evidence: evidence.clone(),
        diagnosis: Some(Diagnosis {
            code: DiagCode::EnvironmentsUnmapped,
            severity: diag::Severity::Warning,
            title: format!(
                "{:.1}% of the bill has no environment; the environment view shows it as unassigned",
                pct(none)
            ),
            seen: evidence,
            causes: vec![
                "the environment is in a tag or label key the profile's `env` keys do not list"
                    .into(),
                "clusters, namespaces or accounts stand for an environment but no rule says so"
                    .into(),
            ],
            fixes,
            docs: vec![
                "config/example.toml (env-aliases, env-namespaces, env-clusters, env-accounts)",
            ],
        }),
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;
    use crate::config::Config;
    use crate::cur::metrics::Costs;
    use crate::cur::money::Money;
    use crate::facts::{DIMS, FactRow, NONE};

    /// Two rows: a pod of `prod-a` with no environment but label `tier = prod`, and one with
    /// `env = staging`.
    fn facts() -> Facts {
        let mut f = Facts {
            label_names: vec!["label:tier".into()],
            ..Facts::default()
        };
        let mut row = |cluster: &str, env: &str, tier: &str, dollars: i64| {
            let mut dims = [NONE; DIMS];
            dims[Dim::Cluster as usize] = f.strings.intern(cluster);
            dims[Dim::Env as usize] = f.strings.intern(env);
            let tier = f.strings.intern(tier);
            f.rows.push(FactRow {
                day: 1,
                category: Category::Pod,
                dims,
                labels: Box::new([tier]),
                costs: Costs([Money(dollars * 1_000_000_000); 4]),
                shared: NONE,
                basis: crate::facts::Basis::Usage,
                quantity: crate::facts::Quantity::ZERO,
            });
        };
        row("prod-a", "", "prod", 60);
        row("stg-a", "staging", "", 40);
        f.quality
            .env_values
            .insert("Staging".into(), "staging".into());
        f
    }

    #[test]
    fn unmapped_env_labels_and_uncovered_clusters_get_config_lines() {
        let config = Config::parse(
            "[profiles.p]\nsource = \"demo\"\n[profiles.p.tags.label]\ntier = [\"tier\"]\n",
            "t.toml",
        )
        .unwrap();
        let check = env_coverage(&facts(), &config.profiles[0], None);
        assert_eq!(check.status, Status::Warn);
        let text = check.evidence.join("\n");
        assert!(
            text.starts_with("60.0% of the bill has no environment"),
            "{text}"
        );
        assert!(text.contains("Staging → staging"), "{text}");
        assert!(
            text.contains("label `tier` (tag keys tier) holds"),
            "{text}"
        );
        assert!(text.contains("prod → production"), "{text}");
        let d = check.diagnosis.unwrap();
        assert_eq!(d.code, DiagCode::EnvironmentsUnmapped);
        assert!(
            d.fixes[0].starts_with("[profiles.p.tags] env = [\"env\"")
                && d.fixes[0].ends_with(", \"tier\"]"),
            "{:?}",
            d.fixes
        );
        assert_eq!(
            d.fixes[1],
            "[profiles.p.env-clusters] \"prod-a\" = \"ENV\"  # 60.0% of the bill"
        );
    }

    /// A key the profile does not read at all (doctor read it again as `tag:KEY`): listed with
    /// its values and what they normalise to, and the fix adds it to the env keys.
    #[test]
    fn an_unread_tag_key_holding_environments_is_named_with_its_config_line() {
        let mut f = facts();
        f.label_names = vec!["tag:resource_tags_user_lifecycle".into()];
        let stg = f.strings.intern("stg");
        f.rows[0].labels = Box::new([stg]);
        let config = Config::parse("[profiles.p]\nsource = \"demo\"\n", "t.toml").unwrap();
        let check = env_coverage(&f, &config.profiles[0], None);
        assert_eq!(check.status, Status::Warn);
        let text = check.evidence.join("\n");
        assert!(
            text.contains(
                "tag key `user:lifecycle`, not in the profile's env keys, holds values that look \
                 like environments: stg → staging"
            ),
            "{text}"
        );
        let d = check.diagnosis.unwrap();
        assert!(
            d.fixes[0].ends_with(", \"user:lifecycle\"]"),
            "{:?}",
            d.fixes
        );
        // Once mapped (in any spelling of the key), it is no longer named.
        let mapped = Config::parse(
            "[profiles.p]\nsource = \"demo\"\n[profiles.p.tags]\nenv = [\"user:lifecycle\"]\n",
            "t.toml",
        )
        .unwrap();
        let check = env_coverage(&f, &mapped.profiles[0], None);
        assert!(
            !check.evidence.join("\n").contains("user:lifecycle`"),
            "{check:?}"
        );
    }

    /// An Athena profile's scan of its unmapped tag keys names them as a read of every key
    /// would, says what it cost, and a failed scan is said without failing the check.
    #[test]
    fn an_athena_scan_names_unmapped_keys_and_its_cost() {
        let f = facts();
        let config = Config::parse("[profiles.p]\nsource = \"demo\"\n", "t.toml").unwrap();
        let scan = EnvScan::Done {
            seen: vec![
                ("user_lifecycle".into(), "stg".into(), Money(2_000_000_000)),
                ("user_lifecycle".into(), "prod".into(), Money(5_000_000_000)),
            ],
            scanned: "query q-1: scanned 10.00 MB ($0.0001 at $5/TB)".into(),
        };
        let check = env_coverage(&f, &config.profiles[0], Some(&scan));
        assert_eq!(check.status, Status::Warn);
        let text = check.evidence.join("\n");
        assert!(
            text.contains(
                "tag key `user:lifecycle`, not in the profile's env keys, holds values that \
                 look like environments: prod → production, stg → staging"
            ),
            "{text}"
        );
        assert!(
            text.contains("(2 rows, $7.00 unblended): query q-1: scanned 10.00 MB"),
            "{text}"
        );
        let d = check.diagnosis.unwrap();
        assert!(
            d.fixes[0].ends_with(", \"user:lifecycle\"]"),
            "{:?}",
            d.fixes
        );
        let failed = EnvScan::Failed("AccessDenied".into());
        let check = env_coverage(&f, &config.profiles[0], Some(&failed));
        let text = check.evidence.join("\n");
        assert!(text.contains("could not be done (AccessDenied)"), "{text}");
        assert!(!text.contains("user:lifecycle"), "{text}");
    }

    #[test]
    fn a_bill_with_environments_everywhere_passes() {
        let mut f = facts();
        f.rows.truncate(0);
        let config = Config::demo();
        let check = env_coverage(&f, config.default_profile(), None);
        assert_eq!(check.status, Status::Pass);
    }
}

/// For a FOCUS bill (or facts of several providers): how much of each provider's bill the tag
/// mapping reached (any category but unallocated), where the provider defaults are a guess
/// (`docs/focus.md`). `None` for a CUR's facts.
fn provider_reach(f: &Facts) -> Option<String> {
    let m = Metric::Amortized;
    let mut by: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in &f.rows {
        let e = by.entry(f.text(r, Dim::Provider)).or_default();
        e.0 += r.costs[m].0;
        if r.category != Category::Unallocated {
            e.1 += r.costs[m].0;
        }
    }
    if by.len() < 2 && !crate::source::focus::is_focus(&f.columns) {
        return None;
    }
    let parts: Vec<String> = by
        .iter()
        .map(|(p, (total, reached))| {
            let pct = if *total == 0 {
                0.0
            } else {
                *reached as f64 * 100.0 / *total as f64
            };
            format!(
                "{} {pct:.1}% of {}",
                if p.is_empty() { "(no provider)" } else { p },
                Money(*total)
            )
        })
        .collect();
    Some(format!(
        "per provider, the share of its bill the tag mapping reached: {}",
        parts.join(", ")
    ))
}

#[cfg(test)]
mod focus_tests {
    use super::*;
    use crate::config::{EnvRules, TagMapping};
    use crate::cur::attribution::TagPlan;
    use crate::cur::columns::{Field, tag_id};
    use crate::cur::line_item::{ColumnSet, LineItem};
    use crate::facts::Aggregator;

    #[test]
    fn tag_coverage_says_how_much_of_each_providers_bill_the_mapping_reached() {
        let mapping = crate::source::focus::provider_mapping(&TagMapping::default());
        let plan = TagPlan::new(&mapping, &[]);
        let env = EnvRules::default();
        let mut agg = Aggregator::new(&plan, &env, None);
        let columns = ColumnSet::with(&[Field::UnblendedCost, Field::EffectiveCost]);
        let gke = tag_id("goog-k8s-cluster-name");
        let mut tags = vec![""; plan.ids.len()];
        for (provider, cost, tagged) in [
            ("AWS", 4.0, false),
            ("Google Cloud", 3.0, true),
            ("Google Cloud", 1.0, false),
        ] {
            let money = Money::from_f64(cost).unwrap_or_default();
            let mut li = LineItem::new(0, "Usage", money);
            li.set(Field::EffectiveCost, money);
            li.provider = provider;
            for (i, id) in plan.ids.iter().enumerate() {
                tags[i] = if tagged && *id == gke { "gke-prod" } else { "" };
            }
            li.tags = &tags;
            agg.add(&li, &columns);
        }
        let facts = agg.into_partial().finish(Vec::new(), &env);
        let check = tag_coverage(&facts);
        let line = check
            .evidence
            .iter()
            .find(|e| e.starts_with("per provider"))
            .cloned()
            .unwrap_or_default();
        assert!(line.contains("AWS 0.0% of $4.00"), "{line}");
        assert!(line.contains("Google Cloud 75.0% of $4.00"), "{line}");
    }
}
