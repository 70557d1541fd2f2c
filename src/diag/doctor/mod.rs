//! `doctor`: the ordered checks of a profile's integration, each `pass`, `warn`, `fail` or
//! `skipped (because …)`, a branch stopping at the first failure that makes the rest
//! meaningless; their rendering ([`render`]) and the minimal read-only IAM policy ([`iam`]).
//!
//! The checks are data and order only: what they need from the outside — STS
//! `GetCallerIdentity` (first without, then with the role), Athena's `SELECT 1`, and the read
//! of the latest billing period through the same source code the dashboard uses — comes
//! through a [`Probe`], which `crate::source::doctor` answers with real I/O. The read's outcome
//! — the diagnosis of a failure, or the read's warnings — lands on the check it belongs to.

mod check_id;
mod iam;
mod render;
mod settings;

use crate::clock::AsOf;
use crate::config::{AthenaSpec, AwsAccess, FocusPath, FocusSpec, Profile, SourceSpec};
use crate::diag::{self, DiagCode, Diagnosis};
use crate::facts::WarningCode;
use crate::source::Loaded;
use crate::source::aws::{Fault, FaultKind};

pub use check_id::CheckId;
pub use iam::iam_policy;
pub use render::{render_diagnosis, render_text, to_json};
use settings::{delivery_settings, env_coverage, report_settings, tag_coverage};

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
    pub name: CheckId,
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
pub const LOCAL_CHECKS: &[CheckId] = &[
    CheckId::ConfigValid,
    CheckId::DeliveryFound,
    CheckId::ManifestFresh,
    CheckId::ReportSettings,
    CheckId::RequiredColumnsPresent,
    CheckId::TagCoverage,
    CheckId::EnvironmentCoverage,
];
pub const S3_CHECKS: &[CheckId] = &[
    CheckId::ConfigValid,
    CheckId::CredentialsResolve,
    CheckId::RoleAssumable,
    CheckId::BucketReachable,
    CheckId::ManifestPresentAndFresh,
    CheckId::ReportSettings,
    CheckId::RequiredColumnsPresent,
    CheckId::TagCoverage,
    CheckId::EnvironmentCoverage,
];
pub const ATHENA_CHECKS: &[CheckId] = &[
    CheckId::ConfigValid,
    CheckId::CredentialsResolve,
    CheckId::RoleAssumable,
    CheckId::OutputLocationWritable,
    CheckId::DatabaseAndTableFound,
    CheckId::TestQuery,
    CheckId::DataStatusReady,
    CheckId::ReportSettings,
    CheckId::RequiredColumnsPresent,
    CheckId::TagCoverage,
    CheckId::EnvironmentCoverage,
];

/// Which check a failed read's diagnosis belongs to.
fn failing_check(source: &str, code: DiagCode) -> CheckId {
    match (source, code) {
        (_, DiagCode::CredentialsMissing) => CheckId::CredentialsResolve,
        (_, DiagCode::RoleAssumeFailed) => CheckId::RoleAssumable,
        (_, DiagCode::RequiredColumnsMissing) => CheckId::RequiredColumnsPresent,
        (
            "s3",
            DiagCode::BucketNotFound
            | DiagCode::WrongRegion
            | DiagCode::AccessDenied
            | DiagCode::EndpointUnreachable
            | DiagCode::S3Error,
        ) => CheckId::BucketReachable,
        ("s3", _) => CheckId::ManifestPresentAndFresh,
        ("athena", DiagCode::AthenaTableMissing | DiagCode::AthenaSchemaMismatch) => {
            CheckId::DatabaseAndTableFound
        }
        ("athena", DiagCode::AthenaOutputLocation | DiagCode::AthenaManagedResults) => {
            CheckId::OutputLocationWritable
        }
        ("athena", _) => CheckId::TestQuery,
        (_, _) => CheckId::DeliveryFound,
    }
}

/// The kind of source a profile reads, as `doctor` names it.
pub fn source_name(profile: &Profile) -> &'static str {
    match &profile.source {
        SourceSpec::Local { .. } => "local",
        SourceSpec::Demo { .. } => "demo",
        SourceSpec::S3(_) => "s3",
        SourceSpec::Athena(_) => "athena",
        SourceSpec::Focus(_) => "focus",
        SourceSpec::Combined(_) => "combined",
    }
}

/// The names of a profile's checks, in the order they run.
pub fn check_names(profile: &Profile) -> &'static [CheckId] {
    match &profile.source {
        SourceSpec::Local { .. }
        | SourceSpec::Demo { .. }
        | SourceSpec::Combined(_)
        | SourceSpec::Focus(FocusSpec {
            location: FocusPath::Local(_),
            ..
        }) => LOCAL_CHECKS,
        SourceSpec::S3(_)
        | SourceSpec::Focus(FocusSpec {
            location: FocusPath::S3(_),
            ..
        }) => S3_CHECKS,
        SourceSpec::Athena(_) => ATHENA_CHECKS,
    }
}

/// What the checks ask of the outside world.
pub trait Probe {
    /// `account …, principal …` of the access's credentials (through its role when it names
    /// one).
    fn identity(&mut self, access: &AwsAccess) -> Result<String, Box<Fault>>;
    /// `SELECT 1` through the profile's workgroup and output location: what it proved.
    fn athena_select_one(&mut self, athena: &AthenaSpec) -> Result<Vec<String>, Box<Diagnosis>>;
    /// The latest billing period, read as the dashboard reads it.
    fn read_latest(&mut self, profile: &Profile, as_of: AsOf) -> Result<Loaded, Box<Diagnosis>>;
}

/// The checks done so far, each handed to the watcher as it ends (the dashboard shows them
/// live).
pub(crate) struct Run<'a> {
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

/// Runs a profile's checks, handing each to `watch` as it ends. With `read_failed` (the
/// diagnosis of a read that just failed) the data is not read again: the cheap checks run
/// (identity, role, Athena's `SELECT 1`) and the read's diagnosis lands on its check. A failed
/// Athena query may have scanned (and cost) much; it is not repeated unasked.
pub fn run(
    profile: &Profile,
    as_of: AsOf,
    read_failed: Option<&Diagnosis>,
    probe: &mut dyn Probe,
    watch: &mut dyn FnMut(&Check),
) -> ProfileReport {
    let names = check_names(profile);
    let source = source_name(profile);
    let mut done = Run {
        done: Vec::new(),
        watch,
    };
    done.push(pass(
        CheckId::ConfigValid,
        vec![format!("source = \"{source}\"")],
    ));
    let access = match &profile.source {
        SourceSpec::Local { .. }
        | SourceSpec::Demo { .. }
        | SourceSpec::Combined(_)
        | SourceSpec::Focus(FocusSpec {
            location: FocusPath::Local(_),
            ..
        }) => None,
        SourceSpec::S3(s)
        | SourceSpec::Focus(FocusSpec {
            location: FocusPath::S3(s),
            ..
        }) => Some(&s.access),
        SourceSpec::Athena(a) => Some(&a.access),
    };
    let mut failed = access.and_then(|access| access_checks(access, probe, &mut done));

    // Athena: `SELECT 1` through the workgroup first. It scans nothing, and proves the
    // workgroup and the output location (Athena writes every result there) before the table.
    if failed.is_none()
        && let SourceSpec::Athena(a) = &profile.source
    {
        match probe.athena_select_one(a) {
            Ok(evidence) => done.push(pass(CheckId::OutputLocationWritable, evidence)),
            Err(d) => {
                failed = Some(CheckId::OutputLocationWritable);
                done.push(fail(CheckId::OutputLocationWritable, *d));
            }
        }
    }

    if failed.is_none() {
        let read = match read_failed {
            Some(d) => Err(Box::new(d.clone())),
            None => probe.read_latest(profile, as_of),
        };
        match read {
            Err(d) => failed = Some(place_failure(names, source, *d, &mut done)),
            Ok(loaded) => checks_of_read(names, profile, &loaded, as_of, &mut done),
        }
    }
    if let Some(why) = failed {
        for n in names.iter().skip(done.len()) {
            done.push(Check {
                name: *n,
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

fn pass(name: CheckId, evidence: Vec<String>) -> Check {
    Check {
        name,
        status: Status::Pass,
        evidence,
        diagnosis: None,
    }
}

/// Credentials, then the role, through STS; the name of the check that failed, if one did.
fn access_checks(access: &AwsAccess, probe: &mut dyn Probe, done: &mut Run<'_>) -> Option<CheckId> {
    let base = AwsAccess {
        role_arn: None,
        external_id: None,
        ..access.clone()
    };
    match probe.identity(&base) {
        Ok(who) => done.push(pass(CheckId::CredentialsResolve, vec![who])),
        Err(f) => {
            done.push(fail(CheckId::CredentialsResolve, credentials_diagnosis(&f)));
            return Some(CheckId::CredentialsResolve);
        }
    }
    let Some(role) = &access.role_arn else {
        done.push(Check {
            name: CheckId::RoleAssumable,
            status: Status::Skipped("no role-arn: the credentials are used directly".into()),
            evidence: Vec::new(),
            diagnosis: None,
        });
        return None;
    };
    match probe.identity(access) {
        Ok(who) => {
            done.push(pass(
                CheckId::RoleAssumable,
                vec![format!("assumed {role}: {who}")],
            ));
            None
        }
        Err(f) => {
            let d = credentials_diagnosis(&f);
            let d = if d.code == DiagCode::EndpointUnreachable {
                d
            } else {
                role_diagnosis(role, access.external_id.is_some(), d.seen)
            };
            done.push(fail(CheckId::RoleAssumable, d));
            Some(CheckId::RoleAssumable)
        }
    }
}

/// A failed read's diagnosis on the check it belongs to (the checks before it passed: the
/// read got past them); the name of that check.
fn place_failure(names: &[CheckId], source: &str, d: Diagnosis, done: &mut Run<'_>) -> CheckId {
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
        done.push(pass(*n, vec!["passed (the read got past it)".into()]));
    }
    done.push(fail(name, d));
    name
}

/// The checks after a successful read, each from what the read found.
fn checks_of_read(
    names: &[CheckId],
    profile: &Profile,
    loaded: &Loaded,
    as_of: AsOf,
    done: &mut Run<'_>,
) {
    let source = source_name(profile);
    let f = &loaded.facts;
    let warned = |code: WarningCode| f.quality.warnings.iter().find(|w| w.code == code);
    for &n in names.iter().skip(done.len()) {
        let athena = loaded.athena.iter();
        let check = match n {
            CheckId::DeliveryFound | CheckId::BucketReachable => {
                pass(n, vec![format!("read {}", loaded.origin)])
            }
            CheckId::ManifestFresh | CheckId::ManifestPresentAndFresh => {
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
                with_warnings(
                    n,
                    ev,
                    &[
                        warned(WarningCode::StaleData),
                        warned(WarningCode::MissingParts),
                        warned(WarningCode::DuplicateParts),
                        warned(WarningCode::EmptyPeriod),
                    ],
                )
            }
            CheckId::DatabaseAndTableFound => pass(n, athena.map(|a| a.table.clone()).collect()),
            CheckId::TestQuery => pass(n, athena.map(|a| a.query.clone()).collect()),
            CheckId::DataStatusReady => with_warnings(
                n,
                athena.filter_map(|a| a.status.clone()).collect(),
                &[warned(WarningCode::DataUpdating)],
            ),
            CheckId::ReportSettings => {
                let mut c = report_settings(f, source == "demo");
                c.evidence.extend(delivery_settings(&loaded.delivery));
                c
            }
            CheckId::RequiredColumnsPresent => with_warnings(
                n,
                vec![format!(
                    "line item type, usage start date, unblended cost; {} line items read, {} malformed",
                    f.quality.rows_read, f.quality.malformed_rows
                )],
                &[
                    warned(WarningCode::MalformedRows),
                    warned(WarningCode::MissingCostColumns),
                ],
            ),
            CheckId::TagCoverage => {
                // Where pod cost the nodes cannot hold went (idle stops at zero).
                let mut c = tag_coverage(f);
                c.evidence.extend(
                    [
                        warned(WarningCode::PodsWithoutNode),
                        warned(WarningCode::PodsBeyondNodeCost),
                    ]
                    .into_iter()
                    .flatten()
                    .map(warning_line),
                );
                c
            }
            CheckId::EnvironmentCoverage => env_coverage(
                f,
                profile,
                loaded.athena.as_ref().and_then(|a| a.env_scan.as_ref()),
            ),
            CheckId::ConfigValid
            | CheckId::CredentialsResolve
            | CheckId::RoleAssumable
            | CheckId::OutputLocationWritable => pass(n, Vec::new()),
        };
        done.push(check);
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

fn fail(name: CheckId, d: Diagnosis) -> Check {
    Check {
        name,
        status: Status::Fail,
        evidence: d.seen.clone(),
        diagnosis: Some(d),
    }
}

/// A warning as a line of evidence: `[code] message`.
fn warning_line(w: &crate::facts::Warning) -> String {
    format!("[{}] {}", w.code, w.message)
}

/// Pass, or warn with the warnings' diagnoses (first one kept).
fn with_warnings(
    name: CheckId,
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
    evidence.extend(found.iter().copied().map(warning_line));
    Check {
        name,
        status: Status::Warn,
        evidence,
        diagnosis: Some(diag::diagnose_warning(found[0])),
    }
}

/// The role named in the profile could not be assumed with the base credentials (which work).
fn role_diagnosis(role: &str, external_id: bool, seen: Vec<String>) -> Diagnosis {
    Diagnosis {
        code: DiagCode::RoleAssumeFailed,
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

/// STS could not say who the credentials are: none usable, or STS did not answer.
fn credentials_diagnosis(fault: &Fault) -> Diagnosis {
    let unreachable = fault.kind != FaultKind::NoCredentials && fault.kind != FaultKind::Service;
    Diagnosis {
        code: if unreachable {
            DiagCode::EndpointUnreachable
        } else {
            DiagCode::CredentialsMissing
        },
        severity: diag::Severity::Error,
        title: if unreachable {
            "STS did not answer".into()
        } else {
            "no usable AWS credentials".into()
        },
        seen: vec![format!("sts:GetCallerIdentity: {}", fault.chain)],
        causes: {
            let mut c = diag::credentials_causes();
            c.push("no network route to STS (or a wrong endpoint-url)".into());
            c
        },
        fixes: diag::credentials_fixes(),
        docs: vec!["https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html"],
    }
}
