//! `curtop doctor`: the ordered checks of a profile's integration, each `pass`, `warn`,
//! `fail` or `skipped (because …)`, a branch stopping at the first failure that makes the rest
//! meaningless; and the minimal read-only IAM policy for the configured profiles.
//!
//! Credentials are checked with STS `GetCallerIdentity` (first without, then with the role);
//! the rest reads the latest billing period through the same source code the dashboard uses,
//! and places its outcome — the diagnosis of a failure, or the read's warnings — on the check
//! it belongs to.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::clock::AsOf;
use crate::config::{AwsAccess, Profile, SourceSpec};
use crate::cur::attribution::Category;
use crate::cur::metrics::Metric;
use crate::diag::{self, Diagnosis};
use crate::facts::{Dim, Facts};
use crate::window::WindowSpec;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// Not run, because an earlier check failed (named).
    Skipped(String),
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skipped(_) => "skipped",
        }
    }
}

/// One check, with what it saw and, when it did not pass, the diagnosis.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub evidence: Vec<String>,
    pub diagnosis: Option<Diagnosis>,
}

/// A profile's checks, in order.
#[derive(Debug, Clone)]
pub struct ProfileReport {
    pub profile: String,
    pub source: &'static str,
    pub checks: Vec<Check>,
}

impl ProfileReport {
    /// The worst outcome: 2 a failure, 1 warnings only, 0 all pass.
    pub fn exit_code(&self) -> i32 {
        self.checks
            .iter()
            .map(|c| match c.status {
                Status::Fail => 2,
                Status::Warn => 1,
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
}

/// The checks of each source kind, in order. The read's outcome lands on one of them.
const LOCAL_CHECKS: &[&str] = &[
    "config valid",
    "delivery found",
    "manifest fresh",
    "report settings",
    "required columns present",
    "tag coverage",
];
const S3_CHECKS: &[&str] = &[
    "config valid",
    "credentials resolve",
    "role assumable",
    "bucket reachable in its region",
    "manifest present and fresh",
    "report settings",
    "required columns present",
    "tag coverage",
];
const ATHENA_CHECKS: &[&str] = &[
    "config valid",
    "credentials resolve",
    "role assumable",
    "output location writable",
    "database and table found",
    "test query",
    "data status READY",
    "report settings",
    "required columns present",
    "tag coverage",
];

/// Which check a failed read's diagnosis belongs to.
fn failing_check(source: &str, code: &str) -> &'static str {
    match (source, code) {
        (_, "credentials-missing") => "credentials resolve",
        (_, "role-assume-failed") => "role assumable",
        (_, "required-columns-missing") => "required columns present",
        (
            "s3",
            "bucket-not-found"
            | "wrong-region"
            | "access-denied"
            | "endpoint-unreachable"
            | "s3-error",
        ) => "bucket reachable in its region",
        ("s3", _) => "manifest present and fresh",
        ("athena", "athena-table-missing" | "athena-schema-mismatch") => "database and table found",
        ("athena", "athena-output-location" | "athena-managed-results") => {
            "output location writable"
        }
        ("athena", _) => "test query",
        (_, _) => "delivery found",
    }
}

/// The kind of source a profile reads, as `doctor` names it.
pub fn source_name(profile: &Profile) -> &'static str {
    match &profile.source {
        SourceSpec::Local { .. } => "local",
        SourceSpec::Demo { .. } => "demo",
        SourceSpec::S3(_) => "s3",
        SourceSpec::Athena(_) => "athena",
    }
}

/// The names of a profile's checks, in the order they run.
pub fn check_names(profile: &Profile) -> &'static [&'static str] {
    match &profile.source {
        SourceSpec::Local { .. } | SourceSpec::Demo { .. } => LOCAL_CHECKS,
        SourceSpec::S3(_) => S3_CHECKS,
        SourceSpec::Athena(_) => ATHENA_CHECKS,
    }
}

/// The checks done so far, each handed to the watcher as it ends (the dashboard shows them
/// live).
struct Run<'a> {
    done: Vec<Check>,
    watch: &'a mut dyn FnMut(&Check),
}

impl Run<'_> {
    fn push(&mut self, check: Check) {
        (self.watch)(&check);
        self.done.push(check);
    }

    fn len(&self) -> usize {
        self.done.len()
    }
}

/// Runs a profile's checks.
pub fn check_profile(profile: &Profile, as_of: AsOf) -> ProfileReport {
    check_profile_live(profile, as_of, None, &mut |_| {})
}

/// Runs a profile's checks, handing each to `watch` as it ends. With `read_failed` (the
/// diagnosis of a read that just failed) the data is not read again: the cheap checks run
/// (identity, role, Athena's `SELECT 1`) and the read's diagnosis lands on its check. A failed
/// Athena query may have scanned (and cost) much; it is not repeated unasked.
pub fn check_profile_live(
    profile: &Profile,
    as_of: AsOf,
    read_failed: Option<&Diagnosis>,
    watch: &mut dyn FnMut(&Check),
) -> ProfileReport {
    let names = check_names(profile);
    let access = match &profile.source {
        SourceSpec::Local { .. } | SourceSpec::Demo { .. } => None,
        SourceSpec::S3(s) => Some(&s.access),
        SourceSpec::Athena(a) => Some(&a.access),
    };
    let source = source_name(profile);
    let mut done = Run {
        done: Vec::new(),
        watch,
    };
    let pass = |name, evidence| Check {
        name,
        status: Status::Pass,
        evidence,
        diagnosis: None,
    };
    done.push(pass("config valid", vec![format!("source = \"{source}\"")]));

    // Credentials, then the role, through STS.
    let mut failed: Option<&'static str> = None;
    if let Some(access) = access {
        let base = AwsAccess {
            role_arn: None,
            external_id: None,
            ..access.clone()
        };
        match identity(&base) {
            Ok(who) => done.push(pass("credentials resolve", vec![who])),
            Err(d) => {
                failed = Some("credentials resolve");
                done.push(fail("credentials resolve", *d));
            }
        }
        if failed.is_none() {
            if let Some(role) = &access.role_arn {
                match identity(access) {
                    Ok(who) => done.push(pass(
                        "role assumable",
                        vec![format!("assumed {role}: {who}")],
                    )),
                    Err(d) if d.code == "endpoint-unreachable" => {
                        failed = Some("role assumable");
                        done.push(fail("role assumable", *d));
                    }
                    Err(d) => {
                        failed = Some("role assumable");
                        done.push(fail(
                            "role assumable",
                            role_diagnosis(role, access.external_id.is_some(), d.seen),
                        ));
                    }
                }
            } else {
                done.push(Check {
                    name: "role assumable",
                    status: Status::Skipped(
                        "no role-arn: the credentials are used directly".into(),
                    ),
                    evidence: Vec::new(),
                    diagnosis: None,
                });
            }
        }
    }

    // Athena: `SELECT 1` through the workgroup first. It scans nothing, and proves the
    // workgroup and the output location (Athena writes every result there) before the table.
    if failed.is_none()
        && let SourceSpec::Athena(a) = &profile.source
    {
        match athena_probe(a) {
            Ok(evidence) => done.push(pass("output location writable", evidence)),
            Err(e) => {
                let d = diag::diagnose(&e);
                failed = Some("output location writable");
                done.push(fail("output location writable", d));
            }
        }
    }

    if failed.is_none() {
        let read = match read_failed {
            Some(d) => Err(d.clone()),
            None => crate::source::load(profile, WindowSpec::Latest, &[], as_of, None)
                .map_err(|e| diag::diagnose(&e)),
        };
        match read {
            Err(d) => {
                let name = failing_check(source, d.code);
                // A failure that belongs to a check already passed lands on the next one.
                let name = if names[done.len()..].contains(&name) {
                    name
                } else {
                    names.get(done.len()).copied().unwrap_or(name)
                };
                for n in names.iter().skip(done.len()) {
                    if *n == name {
                        break;
                    }
                    done.push(pass(n, vec!["passed (the read got past it)".into()]));
                }
                failed = Some(name);
                done.push(fail(name, d));
            }
            Ok(loaded) => {
                let f = &loaded.facts;
                let warned = |code: &str| f.quality.warnings.iter().find(|w| w.code == code);
                for n in names.iter().skip(done.len()) {
                    let check = match *n {
                        "delivery found" | "bucket reachable in its region" => {
                            pass(n, vec![format!("read {}", loaded.origin)])
                        }
                        "manifest fresh" | "manifest present and fresh" => {
                            let mut ev: Vec<String> = loaded
                                .delivery
                                .periods
                                .iter()
                                .filter_map(|p| p.manifest.clone())
                                .collect();
                            ev.truncate(3);
                            let newest = loaded
                                .delivery
                                .periods
                                .iter()
                                .filter_map(|p| p.modified)
                                .max();
                            if let Some(t) = newest {
                                ev.insert(0, delivery_age(t, as_of));
                            }
                            with_warnings(n, ev, &[warned("stale-data"), warned("missing-parts")])
                        }
                        "database and table found" => {
                            pass(n, loaded.notes.iter().take(1).cloned().collect())
                        }
                        "test query" => {
                            pass(n, loaded.notes.iter().skip(1).take(1).cloned().collect())
                        }
                        "data status READY" => with_warnings(
                            n,
                            loaded.notes.iter().skip(2).cloned().collect(),
                            &[warned("data-updating")],
                        ),
                        "report settings" => {
                            let mut c = report_settings(f, source == "demo");
                            c.evidence.extend(delivery_settings(&loaded.delivery));
                            c
                        }
                        "required columns present" => with_warnings(
                            n,
                            vec![format!(
                                "line item type, usage start date, unblended cost; {} line items read, {} malformed",
                                f.quality.rows_read, f.quality.malformed_rows
                            )],
                            &[warned("malformed-rows")],
                        ),
                        "tag coverage" => tag_coverage(f),
                        other => pass(other, Vec::new()),
                    };
                    done.push(check);
                }
            }
        }
    }
    if let Some(why) = failed {
        for n in names.iter().skip(done.len()) {
            done.push(Check {
                name: n,
                status: Status::Skipped(format!("because `{why}` failed")),
                evidence: Vec::new(),
                diagnosis: None,
            });
        }
    }
    ProfileReport {
        profile: profile.name.clone(),
        source,
        checks: done.done,
    }
}

/// When the newest delivery was written, against the moment checked: a delivery written after
/// a pinned `--as-of` says so instead of giving an age.
fn delivery_age(written: std::time::SystemTime, as_of: AsOf) -> String {
    match as_of.age_of(written) {
        Some(age) => format!(
            "newest delivery written {} h {} min ago",
            age.as_secs() / 3600,
            age.as_secs() % 3600 / 60
        ),
        None => format!(
            "newest delivery written {}, after the moment checked ({})",
            chrono::DateTime::<chrono::Utc>::from(written).format("%Y-%m-%d %H:%M UTC"),
            as_of.now.format("%Y-%m-%d %H:%M UTC")
        ),
    }
}

fn fail(name: &'static str, d: Diagnosis) -> Check {
    Check {
        name,
        status: Status::Fail,
        evidence: d.seen.clone(),
        diagnosis: Some(d),
    }
}

/// Pass, or warn with the warnings' diagnoses (first one kept).
fn with_warnings(
    name: &'static str,
    mut evidence: Vec<String>,
    warnings: &[Option<&crate::facts::Warning>],
) -> Check {
    let found: Vec<&crate::facts::Warning> = warnings.iter().flatten().copied().collect();
    if found.is_empty() {
        return Check {
            name,
            status: Status::Pass,
            evidence,
            diagnosis: None,
        };
    }
    evidence.extend(found.iter().map(|w| format!("[{}] {}", w.code, w.message)));
    Check {
        name,
        status: Status::Warn,
        evidence,
        diagnosis: Some(diag::diagnose_warning(found[0])),
    }
}

/// Resource IDs, split cost allocation data, hourly granularity: each setting's consequence.
fn report_settings(f: &Facts, demo: bool) -> Check {
    let has = |code: &str| f.quality.warnings.iter().find(|w| w.code == code);
    let mut evidence = Vec::new();
    let settings = [
        (
            "no-resource-ids",
            "resource IDs included: pod, node and resource views work",
        ),
        (
            "no-split-cost",
            "split cost allocation data included: EC2 node cost is split per pod",
        ),
        (
            "daily-granularity",
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
    with_warnings("report settings", evidence, &warnings)
}

/// The delivery's file format and versioning mode, with what each means for reading it.
fn delivery_settings(d: &crate::source::discover::Delivery) -> Vec<String> {
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
fn tag_coverage(f: &Facts) -> Check {
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
            name: "tag coverage",
            status: Status::Warn,
            evidence: evidence.clone(),
            diagnosis: Some(Diagnosis {
                code: "tags-not-activated",
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
        name: "tag coverage",
        status: Status::Pass,
        evidence,
        diagnosis: None,
    }
}

/// Runs `SELECT 1` through the profile's workgroup and output location.
fn athena_probe(
    a: &crate::config::AthenaSpec,
) -> Result<Vec<String>, crate::source::error::SourceError> {
    let client = crate::source::athena::Athena::new(a).map_err(|e| {
        crate::source::error::SourceError::Io {
            path: a.url(),
            error: e,
        }
    })?;
    let (id, _) = client.run("probe", "SELECT 1", None, &mut |_, _| {})?;
    let place = a.output_location.as_deref().map_or_else(
        || {
            format!(
                "the managed results of workgroup {}",
                a.workgroup.as_deref().unwrap_or("primary")
            )
        },
        str::to_string,
    );
    Ok(vec![format!(
        "SELECT 1 ran as query {id}; Athena wrote its result to {place} and curtop read it back"
    )])
}

/// `account …, principal …` of the access's credentials, via STS `GetCallerIdentity`.
fn identity(access: &AwsAccess) -> Result<String, Box<Diagnosis>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Box::new(credentials_diagnosis(&e.to_string())))?;
    rt.block_on(async {
        let config = crate::source::s3::sdk_config(access).await;
        let sts = aws_sdk_sts::Client::new(&config);
        match sts.get_caller_identity().send().await {
            Ok(out) => Ok(format!(
                "account {}, principal {}",
                out.account().unwrap_or("?"),
                out.arn().unwrap_or("?")
            )),
            Err(e) => Err(Box::new(credentials_diagnosis(
                &crate::source::s3::error_chain(&e),
            ))),
        }
    })
}

/// The role named in the profile could not be assumed with the base credentials (which work).
fn role_diagnosis(role: &str, external_id: bool, seen: Vec<String>) -> Diagnosis {
    Diagnosis {
        code: "role-assume-failed",
        severity: diag::Severity::Error,
        title: format!("the credentials work, but the role {role} could not be assumed"),
        seen,
        causes: vec![
            "the role's trust policy does not name this principal (the identity shown above)".into(),
            if external_id {
                "the external-id differs from the sts:ExternalId the trust policy requires".into()
            } else {
                "the trust policy requires an sts:ExternalId and the profile sets no external-id".into()
            },
            "the principal's own policies do not allow sts:AssumeRole on the role".into(),
        ],
        fixes: vec![
            "in the role's account: IAM → Roles → the role → Trust relationships: add the principal shown by `credentials resolve`".into(),
            "set `external-id` in the profile to the value of the trust policy's sts:ExternalId condition".into(),
            format!("try it by hand: aws sts assume-role --role-arn {role} --role-session-name curtop --external-id ID"),
        ],
        docs: vec!["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html"],
    }
}

fn credentials_diagnosis(error: &str) -> Diagnosis {
    let unreachable = error.contains("dispatch failure") && !error.contains("credentials");
    Diagnosis {
        code: if unreachable {
            "endpoint-unreachable"
        } else {
            "credentials-missing"
        },
        severity: diag::Severity::Error,
        title: if unreachable {
            "STS did not answer".into()
        } else {
            "no usable AWS credentials".into()
        },
        seen: vec![format!("sts:GetCallerIdentity: {error}")],
        causes: {
            let mut c = diag::credentials_causes();
            c.push("no network route to STS (or a wrong endpoint-url)".into());
            c
        },
        fixes: diag::credentials_fixes(),
        docs: vec!["https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html"],
    }
}

/// The checks as text: one line per check, evidence indented, the failing one expanded.
pub fn render_text(reports: &[ProfileReport]) -> String {
    let mut s = String::new();
    for r in reports {
        let _ = writeln!(s, "profile {} ({})", r.profile, r.source);
        for c in &r.checks {
            let mark = match c.status {
                Status::Pass => "pass",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
                Status::Skipped(_) => "skip",
            };
            let _ = write!(s, "  [{mark}] {}", c.name);
            if let Status::Skipped(why) = &c.status {
                let _ = write!(s, " ({why})");
            }
            s.push('\n');
            for e in &c.evidence {
                let _ = writeln!(s, "         {e}");
            }
            if let Some(d) = &c.diagnosis {
                write_diagnosis(&mut s, d, "         ", false);
            }
        }
        s.push('\n');
    }
    s
}

/// A diagnosis as plain text: code and title, what was seen, causes, fix steps, docs.
pub fn render_diagnosis(d: &Diagnosis) -> String {
    let mut s = String::new();
    write_diagnosis(&mut s, d, "", true);
    s
}

fn write_diagnosis(s: &mut String, d: &Diagnosis, indent: &str, seen: bool) {
    let _ = writeln!(s, "{indent}diagnosis [{}]: {}", d.code, d.title);
    if seen {
        for line in &d.seen {
            let _ = writeln!(s, "{indent}  seen: {line}");
        }
    }
    for cause in &d.causes {
        let _ = writeln!(s, "{indent}  cause: {cause}");
    }
    for (i, fix) in d.fixes.iter().enumerate() {
        let _ = writeln!(s, "{indent}  fix {}. {fix}", i + 1);
    }
    for doc in &d.docs {
        let _ = writeln!(s, "{indent}  docs: {doc}");
    }
}

/// The checks as JSON.
pub fn to_json(reports: &[ProfileReport]) -> Value {
    let profiles: Vec<Value> = reports
        .iter()
        .map(|r| {
            let checks: Vec<Value> = r
                .checks
                .iter()
                .map(|c| {
                    json!({
                        "name": c.name,
                        "status": c.status.name(),
                        "skipped_because": match &c.status {
                            Status::Skipped(w) => Value::String(w.clone()),
                            _ => Value::Null,
                        },
                        "evidence": c.evidence,
                        "diagnosis": c.diagnosis.as_ref().map(|d| json!({
                            "code": d.code,
                            "title": d.title,
                            "seen": d.seen,
                            "causes": d.causes,
                            "fixes": d.fixes,
                            "docs": d.docs,
                        })),
                    })
                })
                .collect();
            json!({
                "profile": r.profile,
                "source": r.source,
                "exit_code": r.exit_code(),
                "checks": checks,
            })
        })
        .collect();
    let code = reports
        .iter()
        .map(ProfileReport::exit_code)
        .max()
        .unwrap_or(0);
    json!({ "exit_code": code, "profiles": profiles })
}

/// The minimal read-only IAM policy for the profiles' AWS sources: S3 List on exactly the CUR
/// bucket and prefix and Get under it; Athena query actions on the workgroup, Glue reads on the
/// database and table, and the output location (the one place Athena writes, for its results).
pub fn iam_policy(profiles: &[Profile]) -> Value {
    let mut statements = Vec::new();
    for p in profiles {
        let sid = |what: &str| {
            let clean: String = p.name.chars().filter(char::is_ascii_alphanumeric).collect();
            format!("Curtop{clean}{what}")
        };
        match &p.source {
            SourceSpec::S3(s) => {
                let path = [s.prefix.as_str(), s.report.as_str()]
                    .iter()
                    .filter(|x| !x.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/");
                statements.push(json!({
                    "Sid": sid("ListCur"),
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": format!("arn:aws:s3:::{}", s.bucket),
                    "Condition": {"StringLike": {"s3:prefix": [format!("{path}/*"), format!("{path}/")]}},
                }));
                statements.push(json!({
                    "Sid": sid("ReadCur"),
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": format!("arn:aws:s3:::{}/{path}/*", s.bucket),
                }));
            }
            SourceSpec::Athena(a) => {
                let region = a.access.region.as_deref().unwrap_or("*");
                let wg = a.workgroup.as_deref().unwrap_or("primary");
                statements.push(json!({
                    "Sid": sid("Query"),
                    "Effect": "Allow",
                    "Action": [
                        "athena:StartQueryExecution",
                        "athena:GetQueryExecution",
                        "athena:GetQueryResults",
                        "athena:StopQueryExecution",
                    ],
                    "Resource": format!("arn:aws:athena:{region}:*:workgroup/{wg}"),
                }));
                statements.push(json!({
                    "Sid": sid("Catalog"),
                    "Effect": "Allow",
                    "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                    "Resource": [
                        format!("arn:aws:glue:{region}:*:catalog"),
                        format!("arn:aws:glue:{region}:*:database/{}", a.database),
                        format!("arn:aws:glue:{region}:*:table/{}/{}", a.database, a.table),
                        format!("arn:aws:glue:{region}:*:table/{}/cost_and_usage_data_status", a.database),
                    ],
                }));
                if let Some(out) = &a.output_location {
                    let rest = out.trim_start_matches("s3://").trim_end_matches('/');
                    let bucket = rest.split('/').next().unwrap_or(rest);
                    statements.push(json!({
                        "Sid": sid("Results"),
                        "Effect": "Allow",
                        "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                        "Resource": format!("arn:aws:s3:::{bucket}"),
                    }));
                    statements.push(json!({
                        "Sid": sid("ResultObjects"),
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": format!("arn:aws:s3:::{rest}/*"),
                    }));
                }
            }
            SourceSpec::Local { .. } | SourceSpec::Demo { .. } => {}
        }
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_demo_profile_passes_every_check_it_has() {
        let config = Config::demo();
        for date in crate::clock::test_dates() {
            let r = check_profile(config.default_profile(), AsOf::date(date));
            let names: Vec<&str> = r.checks.iter().map(|c| c.name).collect();
            assert_eq!(names, LOCAL_CHECKS);
            assert_eq!(
                r.exit_code(),
                0,
                "{date}: {}",
                render_text(std::slice::from_ref(&r))
            );
            let text = render_text(&[r]);
            assert!(text.contains("[pass] tag coverage"), "{date}: {text}");
            assert!(text.contains("external: "), "{date}: {text}");
        }
    }

    #[test]
    fn a_read_that_just_failed_is_not_repeated() {
        // The demo would read fine: the given failure is placed, proving no second read.
        let config = Config::demo();
        let failure = Diagnosis {
            code: "bad-manifest",
            severity: diag::Severity::Error,
            title: "given".into(),
            seen: vec!["from the dashboard's fetch".into()],
            causes: Vec::new(),
            fixes: Vec::new(),
            docs: Vec::new(),
        };
        let mut seen = Vec::new();
        let r = check_profile_live(
            config.default_profile(),
            AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()),
            Some(&failure),
            &mut |c| seen.push(c.name),
        );
        assert_eq!(seen, LOCAL_CHECKS, "every check reported as it ended");
        assert_eq!(r.checks[1].status, Status::Fail);
        assert_eq!(r.checks[1].diagnosis.as_ref(), Some(&failure));
        assert!(matches!(r.checks[2].status, Status::Skipped(_)));
    }

    #[test]
    fn a_missing_folder_fails_and_skips_what_follows() {
        let text = "[profiles.p]\nsource = \"local\"\npath = \"/nonexistent/curtop-doctor\"\n";
        let config = Config::parse(text, "t.toml").unwrap();
        let r = check_profile(
            &config.profiles[0],
            AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()),
        );
        assert_eq!(r.exit_code(), 2);
        assert_eq!(r.checks[1].name, "delivery found");
        assert_eq!(r.checks[1].status, Status::Fail);
        assert_eq!(
            r.checks[1].diagnosis.as_ref().map(|d| d.code),
            Some("path-not-found")
        );
        assert!(
            r.checks[2..]
                .iter()
                .all(|c| c.status == Status::Skipped("because `delivery found` failed".into()))
        );
        let j = to_json(&[r]);
        assert_eq!(j["exit_code"], 2);
        assert_eq!(
            j["profiles"][0]["checks"][1]["diagnosis"]["code"],
            "path-not-found"
        );
    }
}
