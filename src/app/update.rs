//! [`update`], the state's only writer: a message in, commands out. Also the state changes
//! several inputs share (a fetched result, another profile, metric or window), so keys, `:`
//! commands and the window picker change the state the same way.

use std::sync::Arc;

use super::keys::on_key;
use super::msg::{Cmd, Msg};
use super::state::{App, JobState, fetch_span};
use crate::alloc::Step;
use crate::cur::columns::Field;
use crate::cur::metrics::Metric;
use crate::diag::Diagnosis;
use crate::facts::{Facts, NONE};
use crate::source::Loaded;
use crate::window::WindowSpec;

/// Applies a message; returns the work it starts.
pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Quit => {
            app.quit = true;
            Vec::new()
        }
        Msg::Progress {
            profile,
            generation,
            progress,
        } => {
            if let Some(job) = app.jobs.get_mut(profile)
                && job.generation == generation
                && let JobState::Running { progress: p, .. } = &mut job.state
            {
                *p = progress;
            }
            Vec::new()
        }
        Msg::Fetched {
            profile,
            generation,
            result,
        } => on_fetched(app, profile, generation, result),
        Msg::Cached {
            profile,
            generation,
            loaded,
        } => on_cached(app, profile, generation, loaded),
        Msg::DoctorCheck {
            profile,
            generation,
            check,
        } => {
            if let Some(run) = app.jobs.get_mut(profile).and_then(|j| j.doctor.as_mut())
                && run.generation == generation
            {
                run.checks.push(*check);
            }
            Vec::new()
        }
        Msg::DoctorDone {
            profile,
            generation,
        } => {
            if let Some(run) = app.jobs.get_mut(profile).and_then(|j| j.doctor.as_mut())
                && run.generation == generation
            {
                run.done = true;
            }
            Vec::new()
        }
    }
}

/// The cache's facts while the fetch runs: shown at once (unless data is already shown, or
/// only its roll-up, which the full facts replace), the job still running.
fn on_cached(app: &mut App, profile: usize, generation: u64, loaded: Box<Loaded>) -> Vec<Cmd> {
    let now = app.as_of.now;
    let saved = (profile == app.active).then(|| app.saved_path());
    let Some(job) = app.jobs.get_mut(profile) else {
        return Vec::new();
    };
    let replaces = job.data.as_ref().is_none_or(|d| d.rolled_up());
    if job.generation != generation || !replaces {
        return Vec::new();
    }
    let age = loaded
        .cache
        .as_ref()
        .and_then(|n| n.cached_since)
        .map_or_else(String::new, |t| {
            format!(" (read {})", crate::cache::age(app.as_of, t))
        });
    if loaded.rolled_up() {
        job.log(
            now,
            format!("opened on the cache's roll-up{age}; pods loading"),
        );
    } else if job.data.is_some() {
        job.log(now, "the cache's pods loaded; refreshing".to_string());
    } else {
        job.log(now, format!("opened on the cache{age}; refreshing"));
    }
    job.coverage = match fetch_span(app.window, app.as_of) {
        WindowSpec::All => None,
        _ => Some(loaded.window),
    };
    let old = job.data.replace(Arc::from(loaded));
    rebuild_on(app, profile, saved, old.as_ref());
    Vec::new()
}

/// A fetch's result: newer data (the path kept by name) or a failure, which runs the checks.
fn on_fetched(
    app: &mut App,
    profile: usize,
    generation: u64,
    result: Result<Box<Loaded>, Diagnosis>,
) -> Vec<Cmd> {
    let as_of = app.as_of;
    let now = as_of.now;
    if profile >= app.jobs.len() {
        return Vec::new();
    }
    let saved = (profile == app.active).then(|| app.saved_path());
    let job = &mut app.jobs[profile];
    if job.generation != generation {
        job.log(
            now,
            format!("dropped a stale result (generation {generation})"),
        );
        return Vec::new();
    }
    let old = job.data.clone();
    let job = &mut app.jobs[profile];
    match result {
        Ok(loaded) => {
            let q = &loaded.facts.quality;
            job.log(
                now,
                format!(
                    "read {} rows from {} files ({} malformed)",
                    q.rows_read, q.files, q.malformed_rows
                ),
            );
            for w in &q.warnings {
                job.log(now, format!("warning: {}", w.message));
            }
            if let Some(note) = &loaded.cache {
                job.log(now, note.summary());
            }
            let offline = loaded.cache.as_ref().and_then(|n| n.offline.as_deref());
            job.offline = offline.map(|e| {
                let since = job.offline.as_ref().map_or(now, |(t, _)| *t);
                (since, crate::diag::diagnose(e))
            });
            job.coverage = match fetch_span(app.window, as_of) {
                WindowSpec::All => None,
                _ => Some(loaded.window),
            };
            job.data = Some(Arc::from(loaded));
            job.state = JobState::Ready;
            job.last_success = Some(now);
        }
        Err(failure) => {
            job.log(now, format!("failed: {} ({})", failure.title, failure.code));
            job.state = JobState::Failed(failure);
        }
    }
    // A failure runs the profile's checks, so its diagnostics show where the chain breaks.
    let mut cmds = Vec::new();
    if let JobState::Failed(d) = &app.jobs[profile].state {
        let d = Box::new(d.clone());
        cmds.push(app.doctor(profile, Some(d)));
    }
    rebuild_on(app, profile, saved, old.as_ref());
    cmds
}

/// Rebuilds the active profile's levels on its new data along `saved` (the path before the
/// data changed: `None` for another profile), carried over by name from `old` (names are
/// interned per read).
fn rebuild_on(app: &mut App, profile: usize, saved: Option<SavedPath>, old: Option<&Arc<Loaded>>) {
    let Some(saved) = saved else { return };
    let saved = match (old, app.jobs[profile].data.clone()) {
        (Some(old), Some(new)) => {
            translate_path(&saved, old.shown(app.sharing), new.shown(app.sharing))
        }
        _ => saved,
    };
    app.rebuild(&saved);
}

type SavedPath = Vec<(Option<Step>, String, Option<Step>)>;

fn translate_path(path: &SavedPath, old: &Facts, new: &Facts) -> SavedPath {
    let t = |s: Option<Step>| s.and_then(|s| translate(s, old, new));
    path.iter()
        .map(|(step, filter, sel)| (t(*step), filter.clone(), t(*sel)))
        .collect()
}

/// The same step in another read of the data (names are interned per read).
fn translate(step: Step, old: &Facts, new: &Facts) -> Option<Step> {
    let s = |sym: u32| -> Option<u32> {
        if sym == NONE {
            Some(NONE)
        } else {
            new.strings.lookup(old.strings.get(sym))
        }
    };
    Some(match step {
        Step::Env(x) => Step::Env(s(x)?),
        Step::Shared(x) => Step::Shared(s(x)?),
        Step::Currency(x) => Step::Currency(s(x)?),
        Step::Provider(x) => Step::Provider(s(x)?),
        Step::Cluster(x) => Step::Cluster(s(x)?),
        Step::Namespace(x) => Step::Namespace(s(x)?),
        Step::Workload { kind, name } => Step::Workload {
            kind: s(kind)?,
            name: s(name)?,
        },
        Step::Pod(x) => Step::Pod(s(x)?),
        Step::Resource(x) => Step::Resource(s(x)?),
        Step::Node(x) => Step::Node(s(x)?),
        Step::Service(x) => Step::Service(s(x)?),
        Step::UsageType(x) => Step::UsageType(s(x)?),
        Step::Account(x) => Step::Account(s(x)?),
        other @ (Step::NoCluster
        | Step::Unallocated
        | Step::Idle
        | Step::ControlPlane
        | Step::ClusterExternal) => other,
    })
}

/// Shows another profile, fetching it when it never was or its data misses the window.
pub(super) fn switch_profile(app: &mut App, profile: usize) -> Vec<Cmd> {
    if profile == app.active {
        return Vec::new();
    }
    app.active = profile;
    app.diag_scroll = 0;
    app.rebuild(&[(None, String::new(), None)]);
    match app.jobs[profile].state {
        JobState::Idle => vec![app.fetch(profile)],
        _ => ensure_coverage(app),
    }
}

/// Costs every level of the stack in `metric`, keeping the path and the selections.
pub(super) fn set_metric(app: &mut App, metric: Metric) {
    app.metric = metric;
    let (Some(view), Some(data)) = (app.view(), app.data().cloned()) else {
        return;
    };
    let sort = app.sort;
    app.analyse(data.shown(app.sharing), &view);
    app.memo.clear();
    for f in &mut app.levels {
        f.level.recost(data.shown(app.sharing), &view);
        f.rows_changed();
        f.reorder(sort);
    }
    let no_net = app
        .data()
        .is_some_and(|d| !d.facts.columns.has(Field::NetUnblendedCost));
    if metric == Metric::Net && no_net {
        app.status = Some("net: this report has no net columns, so net equals amortized".into());
    } else {
        app.status = Some(format!("metric: {}", metric.name()));
    }
}

/// Shows `spec`, keeping the path where it still exists, and fetches when the data misses it.
pub(super) fn set_window(app: &mut App, spec: WindowSpec) -> Vec<Cmd> {
    app.window = spec;
    app.status = Some(format!("window: {spec}"));
    let saved = app.saved_path();
    app.rebuild(&saved);
    ensure_coverage(app)
}

/// Fetches again when the window (with its predecessor) reaches past the data read.
fn ensure_coverage(app: &mut App) -> Vec<Cmd> {
    let job = app.job();
    // A running fetch answers soon; a failed one is retried by the user (r), not by moving.
    if matches!(job.state, JobState::Running { .. } | JobState::Failed(_)) {
        return Vec::new();
    }
    let needed = fetch_span(app.window, app.as_of);
    let covered = match (job.coverage, needed) {
        (None, _) => job.data.is_some(),
        (Some(_), WindowSpec::All) => false,
        (Some(have), spec) => spec
            .resolve(app.as_of, None, None)
            .is_some_and(|w| have.start <= w.start && w.end <= have.end),
    };
    if covered {
        Vec::new()
    } else {
        vec![app.fetch(app.active)]
    }
}
