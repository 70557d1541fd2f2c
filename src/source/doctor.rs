//! `doctor`'s probes with real I/O: STS `GetCallerIdentity`, Athena's `SELECT 1`, and the read
//! of the latest billing period — handed to the checks of [`crate::diag::doctor`].

use crate::clock::AsOf;
use crate::config::{AthenaSpec, AwsAccess, Profile};
use crate::diag::doctor::{self, Check, Probe, ProfileReport};
use crate::diag::{self, Diagnosis};
use crate::window::WindowSpec;

use super::Loaded;
use super::aws::Fault;
use super::error::SourceError;

/// The probes that ask AWS and read the data.
struct Live;

impl Probe for Live {
    fn identity(&mut self, access: &AwsAccess) -> Result<String, Box<Fault>> {
        super::aws::caller_identity(access)
    }

    fn athena_select_one(&mut self, athena: &AthenaSpec) -> Result<Vec<String>, Box<Diagnosis>> {
        select_one(athena).map_err(|e| Box::new(diag::diagnose(&e)))
    }

    /// The latest period; when the bill holds tag keys the profile does not read, read again
    /// keeping them (as a report's `--by tag:KEY` would), so the environment-coverage check
    /// can look for environments in every key, not only the mapped ones. An Athena read names
    /// only the mapped keys: there one small query scans the others ([`env_scan`]).
    fn read_latest(&mut self, profile: &Profile, as_of: AsOf) -> Result<Loaded, Box<Diagnosis>> {
        let req = super::ReadRequest::new(profile, WindowSpec::Latest, as_of);
        let mut loaded = super::load(&req).map_err(|e| Box::new(diag::diagnose(&e)))?;
        if let (crate::config::SourceSpec::Athena(a), Some(notes)) =
            (&profile.source, loaded.athena.as_mut())
        {
            notes.env_scan = Some(env_scan(a, &req));
        }
        let unread = unread_keys(&loaded);
        if unread.is_empty() {
            return Ok(loaded);
        }
        super::load(&req.with_tags(&unread)).map_err(|e| Box::new(diag::diagnose(&e)))
    }
}

/// Athena reads only the mapped tag keys: one small query over the same window finds the
/// unmapped keys' values that could be environments (the default rules' spellings). A failure
/// is reported, never raised: the check then runs on what the read kept.
fn env_scan(a: &AthenaSpec, req: &super::ReadRequest<'_>) -> super::EnvScan {
    use super::EnvScan;
    use super::athena::sql::{Dialect, QuerySpec, env_scan_query};
    use crate::cur::money::Money;
    let plan = match super::plan_athena(a, req) {
        Ok(p) => p,
        Err(e) => return EnvScan::Failed(e.to_string()),
    };
    // Every key the read kept (env, Kubernetes, labels) is already looked at from the facts.
    let mapped = plan.plan.ids.clone();
    let values: Vec<String> = crate::config::EnvRules::default()
        .aliases
        .into_iter()
        .map(|(from, _)| from)
        .collect();
    let table = plan.client.table();
    let Some(sql) = env_scan_query(
        &QuerySpec {
            table: &table,
            schema: &plan.schema,
            plan: &plan.plan,
            window: plan.window.map(|w| (w.start, w.end)),
            dialect: Dialect::Athena,
        },
        &mapped,
        &values,
    ) else {
        return EnvScan::Nothing;
    };
    let mut seen = Vec::new();
    let mut bad = None;
    let ran = plan
        .client
        .run("environment scan", &sql, None, &mut |header, cells| {
            if header {
                return;
            }
            match cells {
                [Some(tag), Some(value), cost] => {
                    // Exact, as every amount curtop reads (no cost: nothing billed).
                    let cost = match cost {
                        None => Ok(Money::ZERO),
                        Some(c) => Money::parse(c.trim().as_bytes()),
                    };
                    match cost {
                        Ok(cost) => seen.push(((*tag).to_string(), (*value).to_string(), cost)),
                        Err(e) => bad = Some(format!("a cost that is {e}")),
                    }
                }
                _ => bad = Some(format!("a result row of {} cells", cells.len())),
            }
        });
    match (ran, bad) {
        (Err(e), _) => EnvScan::Failed(e.to_string()),
        (Ok(_), Some(why)) => EnvScan::Failed(format!("unexpected result: {why}")),
        (Ok((id, scan)), None) => EnvScan::Done {
            seen,
            scanned: format!("query {id}: {scan}"),
        },
    }
}

/// At most this many unread tag keys are read again (each one splits the facts further).
const MAX_UNREAD_KEYS: usize = 32;

/// The user tag keys of the bill the read did not keep, in column form so that they name
/// exactly those ids (AWS's own `aws:` keys name no environment).
fn unread_keys(loaded: &Loaded) -> Vec<String> {
    loaded
        .facts
        .quality
        .unread_tags
        .iter()
        .filter(|id| !id.starts_with("aws_"))
        .take(MAX_UNREAD_KEYS)
        .map(|id| format!("resource_tags_{id}"))
        .collect()
}

/// Runs a profile's checks.
pub fn check_profile(profile: &Profile, as_of: AsOf) -> ProfileReport {
    check_profile_live(profile, as_of, None, &mut |_| {})
}

/// Runs a profile's checks, handing each to `watch` as it ends; see [`doctor::run`] for
/// `read_failed`.
pub fn check_profile_live(
    profile: &Profile,
    as_of: AsOf,
    read_failed: Option<&Diagnosis>,
    watch: &mut dyn FnMut(&Check),
) -> ProfileReport {
    doctor::run(profile, as_of, read_failed, &mut Live, watch)
}

/// Runs `SELECT 1` through the profile's workgroup and output location.
fn select_one(a: &AthenaSpec) -> Result<Vec<String>, SourceError> {
    let client = super::athena::Athena::new(a).map_err(|e| SourceError::Io {
        path: a.url(),
        error: e,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::diag::DiagCode;
    use crate::diag::Severity;
    use crate::diag::doctor::{CheckId, LOCAL_CHECKS, Status, render_text, to_json};

    #[test]
    fn the_demo_profile_passes_every_check_it_has() {
        let config = Config::demo();
        for date in crate::clock::test_dates() {
            let r = check_profile(config.default_profile(), AsOf::date(date));
            let names: Vec<CheckId> = r.checks.iter().map(|c| c.name).collect();
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
            code: DiagCode::BadManifest,
            severity: Severity::Error,
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
        assert_eq!(r.checks[1].name, CheckId::DeliveryFound);
        assert_eq!(r.checks[1].status, Status::Fail);
        assert_eq!(
            r.checks[1].diagnosis.as_ref().map(|d| d.code),
            Some(DiagCode::PathNotFound)
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
