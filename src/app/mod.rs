//! The dashboard's state and its only writer, [`update`]: a message in (a key, a resize, a
//! fetch's progress or result), commands out (start a fetch, copy text). Plain synchronous
//! Rust, tested by replaying messages; the runtime owns the terminal and the tasks.

pub mod nav;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::alloc::{self, Level, LevelKind, Step, View};
use crate::clock::AsOf;
use crate::config::keys::{Action, Key, KeyCode};
use crate::config::{Config, SourceSpec};
use crate::cur::columns::Field;
use crate::cur::metrics::Metric;
use crate::diag::Diagnosis;
use crate::facts::{Dim, Facts, NONE};
use crate::source::Loaded;
use crate::window::{Window, WindowSpec};
use nav::{Frame, Sort, SortKey};

/// How the screen may be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Display {
    /// Colours allowed (off with `NO_COLOR` or `--no-color`).
    pub color: bool,
    /// Only ASCII: no box drawing, no block or braille glyphs.
    pub ascii: bool,
}

/// Counters of a running fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FetchProgress {
    pub parts_done: u64,
    pub parts_total: u64,
    pub bytes_read: u64,
    pub bytes_total: u64,
    /// Athena: the query's stage (`source::athena::stage`; 0 = no query), bytes it scanned,
    /// result rows read back.
    pub query_stage: u64,
    pub scanned_bytes: u64,
    pub rows_fetched: u64,
}

/// A profile's fetch.
#[derive(Debug, Clone)]
pub enum JobState {
    Idle,
    Running {
        progress: FetchProgress,
        started: DateTime<Utc>,
    },
    Ready,
    Failed(Diagnosis),
}

/// One profile: its fetch state, its newest data and a short log.
#[derive(Debug, Clone)]
pub struct Job {
    pub profile: String,
    /// Bumped by each fetch; results of older generations are dropped.
    pub generation: u64,
    pub state: JobState,
    pub data: Option<Arc<Loaded>>,
    /// Days the data covers (`None`: everything the delivery holds).
    pub coverage: Option<Window>,
    pub last_success: Option<DateTime<Utc>>,
    /// Newest last, at most [`LOG_LINES`].
    pub log: Vec<String>,
    /// The newest `doctor` run of this profile (started by a failed fetch or by `d`).
    pub doctor: Option<DoctorRun>,
}

/// A profile's integration checks, as far as they have run.
#[derive(Debug, Clone)]
pub struct DoctorRun {
    /// Bumped by each run; checks of older runs are dropped.
    pub generation: u64,
    /// Every check's name, in order (those not in `checks` yet are still to run).
    pub names: &'static [crate::diag::doctor::CheckId],
    pub checks: Vec<crate::diag::doctor::Check>,
    pub done: bool,
}

impl DoctorRun {
    /// The check running now.
    pub fn running(&self) -> Option<crate::diag::doctor::CheckId> {
        if self.done {
            None
        } else {
            self.names.get(self.checks.len()).copied()
        }
    }
}

const LOG_LINES: usize = 20;

impl Job {
    fn log(&mut self, at: DateTime<Utc>, line: impl Into<String>) {
        self.log
            .push(format!("{} {}", at.format("%H:%M:%S"), line.into()));
        if self.log.len() > LOG_LINES {
            self.log.remove(0);
        }
    }
}

/// Which overlay or input has the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a filter (the frame's filter updates live).
    Filter,
    Command(String),
    Help,
    /// Picking a window; `custom` holds a typed `YYYY-MM-DD..YYYY-MM-DD` while editing.
    WindowPicker {
        selected: usize,
        custom: Option<String>,
    },
    ProfilePicker {
        selected: usize,
    },
    Integrations {
        selected: usize,
    },
}

/// The windows the picker offers, then "custom".
pub const WINDOW_CHOICES: [(&str, WindowSpec); 8] = [
    ("today", WindowSpec::Today),
    ("yesterday", WindowSpec::Yesterday),
    ("last 7 days", WindowSpec::LastDays(7)),
    ("last 30 days", WindowSpec::LastDays(30)),
    ("month to date", WindowSpec::MonthToDate),
    ("last month", WindowSpec::LastMonth),
    ("latest billing period", WindowSpec::Latest),
    ("all data", WindowSpec::All),
];

/// Everything the dashboard shows.
#[derive(Debug)]
pub struct App {
    pub config: Config,
    pub jobs: Vec<Job>,
    /// The profile shown.
    pub active: usize,
    pub metric: Metric,
    pub window: WindowSpec,
    pub sort: Sort,
    /// Drill-down stack of the active profile; empty until its data arrives.
    pub frames: Vec<Frame>,
    pub mode: Mode,
    /// The detail pane: `None` = shown when it fits, else the user's choice (Tab).
    pub show_detail: Option<bool>,
    /// A one-line message for the footer (cleared by the next key).
    pub status: Option<String>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The clock, as of the last message (no idle ticking).
    pub as_of: AsOf,
    pub display: Display,
    pub quit: bool,
    /// Lines scrolled off the top of a diagnosis (the diagnostics pane: j/k, PgDn/PgUp; the
    /// integrations pane: PgDn/PgUp). Reset when another profile is shown or selected.
    pub diag_scroll: u16,
}

/// Something that happened.
#[derive(Debug)]
pub enum Msg {
    Key(Key),
    Resize(u16, u16),
    Progress {
        profile: usize,
        generation: u64,
        progress: FetchProgress,
    },
    Fetched {
        profile: usize,
        generation: u64,
        result: Result<Box<Loaded>, Diagnosis>,
    },
    /// One `doctor` check of a profile ended.
    DoctorCheck {
        profile: usize,
        generation: u64,
        check: Box<crate::diag::doctor::Check>,
    },
    /// A profile's `doctor` run ended.
    DoctorDone {
        profile: usize,
        generation: u64,
    },
    /// SIGHUP, SIGTERM, SIGINT: leave now.
    Quit,
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Read a profile's data covering `window`; answer with `Progress`/`Fetched` of `generation`.
    Fetch {
        profile: usize,
        generation: u64,
        window: WindowSpec,
    },
    /// Put text on the user's clipboard (OSC 52).
    Copy(String),
    /// Run a profile's integration checks; answer with `DoctorCheck`s and `DoctorDone`.
    /// `read_failed`: the diagnosis of the fetch that just failed (the data is not read again).
    Doctor {
        profile: usize,
        generation: u64,
        read_failed: Option<Box<Diagnosis>>,
    },
}

impl App {
    /// A dashboard over the profiles of `config`, showing `active`.
    pub fn new(config: Config, active: usize, as_of: AsOf, display: Display) -> App {
        let jobs = config
            .profiles
            .iter()
            .map(|p| Job {
                profile: p.name.clone(),
                generation: 0,
                state: JobState::Idle,
                data: None,
                coverage: None,
                last_success: None,
                log: Vec::new(),
                doctor: None,
            })
            .collect();
        App {
            config,
            jobs,
            active,
            metric: Metric::Amortized,
            window: WindowSpec::Latest,
            sort: Sort::default(),
            frames: Vec::new(),
            mode: Mode::Normal,
            show_detail: None,
            status: None,
            size: (80, 24),
            as_of,
            display,
            quit: false,
            diag_scroll: 0,
        }
    }

    /// Starts (or restarts) a profile's `doctor` run.
    fn doctor(&mut self, profile: usize, read_failed: Option<Box<Diagnosis>>) -> Cmd {
        let names = crate::diag::doctor::check_names(&self.config.profiles[profile]);
        let job = &mut self.jobs[profile];
        let generation = job.doctor.as_ref().map_or(1, |d| d.generation + 1);
        job.doctor = Some(DoctorRun {
            generation,
            names,
            checks: Vec::new(),
            done: false,
        });
        Cmd::Doctor {
            profile,
            generation,
            read_failed,
        }
    }

    /// A profile's diagnosis as plain text, for the clipboard: its checks when `doctor` ran,
    /// else the failed fetch's diagnosis.
    pub fn diagnosis_text(&self, profile: usize) -> Option<String> {
        let job = self.jobs.get(profile)?;
        if let Some(run) = job.doctor.as_ref().filter(|d| !d.checks.is_empty()) {
            let source = crate::diag::doctor::source_name(&self.config.profiles[profile]);
            let mut text =
                crate::diag::doctor::render_text(&[crate::diag::doctor::ProfileReport {
                    profile: job.profile.clone(),
                    source,
                    checks: run.checks.clone(),
                }]);
            if let Some(next) = run.running() {
                text.push_str("  (still running: ");
                text.push_str(next.as_str());
                text.push_str(")\n");
            }
            return Some(text);
        }
        match &job.state {
            JobState::Failed(d) => Some(crate::diag::doctor::render_diagnosis(d)),
            _ => None,
        }
    }

    /// The first commands: fetch every profile (the active one first).
    pub fn start(&mut self) -> Vec<Cmd> {
        let mut order: Vec<usize> = (0..self.jobs.len()).collect();
        order.sort_by_key(|&i| i != self.active);
        order.into_iter().map(|i| self.fetch(i)).collect()
    }

    pub fn job(&self) -> &Job {
        &self.jobs[self.active]
    }

    pub fn data(&self) -> Option<&Arc<Loaded>> {
        self.job().data.as_ref()
    }

    pub fn is_demo(&self) -> bool {
        matches!(
            self.config.profiles[self.active].source,
            SourceSpec::Demo { .. }
        )
    }

    /// The view of the active data, when there is data and the window resolves.
    pub fn view(&self) -> Option<View> {
        let data = self.data()?;
        let range = data.facts.day_range();
        let mut window = self
            .window
            .resolve(self.as_of, data.delivery.latest_span(), range)?;
        // A window reaching past the last billed day is compared on the days billed so far
        // (month to date against the same number of days before), not on empty days.
        if let Some((_, last)) = range
            && window.start <= last
            && window.end > last + 1
        {
            window.end = last + 1;
        }
        Some(View {
            window,
            metric: self.metric,
            provisional_from: self.as_of.provisional_from(),
        })
    }

    /// The path of steps below the top level.
    pub fn path(&self) -> Vec<Step> {
        self.frames.iter().filter_map(|f| f.step).collect()
    }

    pub fn frame(&self) -> Option<&Frame> {
        self.frames.last()
    }

    /// Whether the detail pane is drawn: by default when the screen has room for it beside
    /// (≥ 110 columns) or below (≥ 30 rows) the table.
    pub fn detail_shown(&self) -> bool {
        self.show_detail
            .unwrap_or(self.size.0 >= 110 || self.size.1 >= 30)
    }

    /// Rows the table shows at the current size (the layout of `ui::draw`: header, breadcrumb
    /// and footer take 4 lines; the table's border, column header and total line 4 more).
    pub fn page(&self) -> usize {
        let body = usize::from(self.size.1.saturating_sub(4));
        let table = if self.detail_shown() && self.size.0 < 110 {
            body.saturating_sub((body / 2).max(8))
        } else {
            body
        };
        table.saturating_sub(4).max(1)
    }

    fn facts(&self) -> Option<&Facts> {
        self.data().map(|d| &d.facts)
    }

    /// Starts a fetch of `profile` covering the current window and its predecessor.
    fn fetch(&mut self, profile: usize) -> Cmd {
        let now = self.as_of.now;
        let window = fetch_span(self.window, self.as_of);
        let job = &mut self.jobs[profile];
        job.generation += 1;
        job.state = JobState::Running {
            progress: FetchProgress::default(),
            started: now,
        };
        job.log(now, format!("fetch started (window {window})"));
        Cmd::Fetch {
            profile,
            generation: job.generation,
            window,
        }
    }

    /// Rebuilds the drill-down stack for the current data and view, following `path` (by
    /// step) as far as it still exists and keeping each level's filter and selection.
    fn rebuild(&mut self, path: &[(Option<Step>, String, Option<Step>)]) {
        self.frames.clear();
        let (Some(view), Some(data)) = (self.view(), self.data().cloned()) else {
            return;
        };
        let facts = &data.facts;
        let mut frame = Frame::new(None, Level::root(facts, &view), self.sort);
        let mut steps: Vec<Step> = Vec::new();
        for (i, (_, filter, selected)) in path.iter().enumerate() {
            frame.filter.clone_from(filter);
            frame.reorder(self.sort);
            if let Some(sel) = selected {
                frame.select_step(*sel);
            }
            let next = path.get(i + 1).and_then(|p| p.0);
            let Some(next) = next else { break };
            let Some(row) = frame.level.rows.iter().find(|r| r.step == next).cloned() else {
                break;
            };
            steps.push(next);
            let Some(level) = Level::children(facts, &steps, &row, &view) else {
                break;
            };
            self.frames.push(frame);
            frame = Frame::new(Some(next), level, self.sort);
        }
        self.frames.push(frame);
    }

    /// The stack as (step, filter, selected step), to rebuild it later.
    fn saved_path(&self) -> Vec<(Option<Step>, String, Option<Step>)> {
        if self.frames.is_empty() {
            return vec![(None, String::new(), None)];
        }
        self.frames
            .iter()
            .map(|f| (f.step, f.filter.clone(), f.selected_row().map(|r| r.step)))
            .collect()
    }

    /// A one-line summary of the selection, for the clipboard.
    pub fn summary(&self) -> Option<String> {
        let frame = self.frame()?;
        let row = frame.selected_row()?;
        let view = self.view()?;
        let mut crumbs = self.breadcrumb();
        crumbs.push(row.name.clone());
        let share = share(row.cost, frame.level.total);
        let delta = match row.delta_pct() {
            Some(p) => format!("{} ({p:+.1}%)", signed(row.delta())),
            None => "new".into(),
        };
        Some(format!(
            "{}: {} {} {} ({share:.1}% of {}; {delta} vs previous {} days) [{}]",
            crumbs.join(" > "),
            row.cost,
            self.metric.name(),
            view.window,
            self.breadcrumb().last().map_or("all", String::as_str),
            view.window.days(),
            self.job().profile,
        ))
    }

    /// Names along the path, starting with `all`.
    pub fn breadcrumb(&self) -> Vec<String> {
        let mut out = vec!["all".to_string()];
        if let Some(facts) = self.facts() {
            for step in self.path() {
                out.push(alloc::describe(facts, step).0);
            }
        }
        out
    }
}

/// `cost` as a percentage of `total`.
pub fn share(cost: crate::cur::money::Money, total: crate::cur::money::Money) -> f64 {
    if total.0 == 0 {
        0.0
    } else {
        cost.dollars() / total.dollars() * 100.0
    }
}

/// `+$1.23` / `-$1.23`.
pub fn signed(m: crate::cur::money::Money) -> String {
    if m.0 < 0 {
        format!("-{}", -m)
    } else {
        format!("+{m}")
    }
}

/// The days a fetch reads for a window: the window and the one before it (for Δ). Windows
/// that depend on the data (`latest`, `all`) read everything.
pub fn fetch_span(window: WindowSpec, as_of: AsOf) -> WindowSpec {
    match window {
        WindowSpec::All | WindowSpec::Latest => WindowSpec::All,
        spec => match spec.resolve(as_of, None, None) {
            Some(w) => WindowSpec::Range(w.previous().start, w.end),
            None => WindowSpec::All,
        },
    }
}

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
    if let Some(saved) = saved {
        // Names are interned per read: carry the path over by name.
        let saved = match (&old, app.jobs[profile].data.clone()) {
            (Some(old), Some(new)) => translate_path(&saved, &old.facts, &new.facts),
            _ => saved,
        };
        app.rebuild(&saved);
    }
    cmds
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

fn on_key(app: &mut App, key: Key) -> Vec<Cmd> {
    app.status = None;
    if key == Key::ctrl('c') {
        app.quit = true;
        return Vec::new();
    }
    match app.mode.clone() {
        Mode::Normal => on_normal_key(app, key),
        Mode::Filter => {
            on_filter_key(app, key);
            Vec::new()
        }
        Mode::Command(text) => on_command_key(app, key, text),
        Mode::Help => {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter)
                || matches!(
                    app.config.keys.action(key),
                    Some(Action::Help | Action::Quit)
                )
            {
                app.mode = Mode::Normal;
            }
            Vec::new()
        }
        Mode::WindowPicker { selected, custom } => on_window_key(app, key, selected, custom),
        Mode::ProfilePicker { selected } | Mode::Integrations { selected } => {
            // Both list the profiles; the integrations pane also refreshes the selected one.
            let integrations = matches!(app.mode, Mode::Integrations { .. });
            if integrations {
                match app.config.keys.action(key) {
                    Some(Action::Refresh) => return vec![app.fetch(selected)],
                    Some(a @ (Action::PageDown | Action::PageUp)) => {
                        let page = isize::try_from(app.size.1 / 2).unwrap_or(1).max(1);
                        scroll_diagnosis(app, if a == Action::PageDown { page } else { -page });
                        return Vec::new();
                    }
                    Some(Action::Doctor) => {
                        app.status = Some(format!("checking {}", app.jobs[selected].profile));
                        return vec![app.doctor(selected, None)];
                    }
                    Some(Action::Copy) => return copy_diagnosis(app, selected),
                    _ => {}
                }
            }
            match pick(app, key, selected, app.jobs.len()) {
                Picked::Move(s) if integrations => {
                    if s != selected {
                        app.diag_scroll = 0;
                    }
                    app.mode = Mode::Integrations { selected: s };
                }
                Picked::Move(s) => app.mode = Mode::ProfilePicker { selected: s },
                Picked::Chosen(s) => {
                    app.mode = Mode::Normal;
                    return switch_profile(app, s);
                }
                Picked::Cancel => app.mode = Mode::Normal,
            }
            Vec::new()
        }
    }
}

enum Picked {
    Move(usize),
    Chosen(usize),
    Cancel,
}

/// Shared list-picker keys: movement, Enter to choose, Esc/q to leave.
fn pick(app: &App, key: Key, selected: usize, n: usize) -> Picked {
    match key.code {
        KeyCode::Enter => return Picked::Chosen(selected),
        KeyCode::Esc => return Picked::Cancel,
        _ => {}
    }
    let last = n.saturating_sub(1);
    match app.config.keys.action(key) {
        Some(Action::Down) => Picked::Move((selected + 1).min(last)),
        Some(Action::Up) => Picked::Move(selected.saturating_sub(1)),
        Some(Action::Top) => Picked::Move(0),
        Some(Action::Bottom) => Picked::Move(last),
        Some(Action::DrillIn) => Picked::Chosen(selected),
        Some(Action::Quit | Action::DrillOut | Action::Integrations | Action::Profile) => {
            Picked::Cancel
        }
        _ => Picked::Move(selected),
    }
}

fn switch_profile(app: &mut App, profile: usize) -> Vec<Cmd> {
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

fn on_normal_key(app: &mut App, key: Key) -> Vec<Cmd> {
    let Some(action) = app.config.keys.action(key) else {
        return Vec::new();
    };
    let page = app.page() as isize;
    match action {
        Action::Down => move_sel(app, 1),
        Action::Up => move_sel(app, -1),
        Action::PageDown => move_sel(app, page),
        Action::PageUp => move_sel(app, -page),
        Action::Top => move_sel(app, isize::MIN / 2),
        Action::Bottom => {
            let page = app.page();
            if let Some(f) = app.frames.last_mut() {
                f.select_last();
                f.scroll_into_view(page);
            }
        }
        Action::DrillIn => drill_in(app),
        Action::DrillOut => drill_out(app),
        Action::Filter => {
            if app.frames.is_empty() {
                app.status = Some("nothing to filter yet".into());
            } else {
                app.mode = Mode::Filter;
            }
        }
        Action::SortCost => resort(app, SortKey::Cost),
        Action::SortName => resort(app, SortKey::Name),
        Action::SortDelta => resort(app, SortKey::Delta),
        Action::CycleMetric => set_metric(app, app.metric.next()),
        Action::Window => {
            let selected = WINDOW_CHOICES
                .iter()
                .position(|(_, w)| *w == app.window)
                .unwrap_or(WINDOW_CHOICES.len());
            app.mode = Mode::WindowPicker {
                selected,
                custom: None,
            };
        }
        Action::Profile => {
            app.mode = Mode::ProfilePicker {
                selected: app.active,
            };
        }
        Action::Refresh => return vec![app.fetch(app.active)],
        Action::Integrations => {
            app.diag_scroll = 0;
            app.mode = Mode::Integrations {
                selected: app.active,
            };
        }
        Action::Detail => app.show_detail = Some(!app.detail_shown()),
        Action::Help => app.mode = Mode::Help,
        Action::Command => app.mode = Mode::Command(String::new()),
        Action::Doctor => {
            app.mode = Mode::Integrations {
                selected: app.active,
            };
            app.status = Some(format!("checking {}", app.jobs[app.active].profile));
            return vec![app.doctor(app.active, None)];
        }
        Action::Copy if app.frames.is_empty() => return copy_diagnosis(app, app.active),
        Action::Copy => {
            if let Some(text) = app.summary() {
                app.status = Some(format!("copied: {text}"));
                return vec![Cmd::Copy(text)];
            }
            app.status = Some("nothing selected to copy".into());
        }
        Action::Quit => app.quit = true,
    }
    Vec::new()
}

/// `y` on a profile's diagnostics: the whole diagnosis onto the clipboard.
fn copy_diagnosis(app: &mut App, profile: usize) -> Vec<Cmd> {
    let Some(text) = app.diagnosis_text(profile) else {
        app.status = Some("nothing to copy: no diagnosis; d runs the checks".into());
        return Vec::new();
    };
    app.status = Some(format!(
        "copied the diagnosis of {} ({} lines)",
        app.jobs[profile].profile,
        text.lines().count()
    ));
    vec![Cmd::Copy(text)]
}

fn move_sel(app: &mut App, delta: isize) {
    if app.frames.is_empty() {
        // No table: the keys scroll the diagnosis.
        scroll_diagnosis(app, delta);
        return;
    }
    let page = app.page();
    if let Some(f) = app.frames.last_mut() {
        f.move_by(delta);
        f.scroll_into_view(page);
    }
}

fn scroll_diagnosis(app: &mut App, delta: isize) {
    let by = u16::try_from(delta.unsigned_abs()).unwrap_or(u16::MAX);
    app.diag_scroll = if delta < 0 {
        app.diag_scroll.saturating_sub(by)
    } else {
        // The pane stops at its last line; this only bounds the counter.
        app.diag_scroll.saturating_add(by).min(500)
    };
}

fn resort(app: &mut App, key: SortKey) {
    app.sort = app.sort.toggle(key);
    let sort = app.sort;
    for f in &mut app.frames {
        f.reorder(sort);
    }
    app.status = Some(format!("sorted by {}", app.sort.label(app.display.ascii)));
}

fn drill_in(app: &mut App) {
    let (Some(view), Some(data)) = (app.view(), app.data().cloned()) else {
        return;
    };
    let Some(row) = app.frame().and_then(|f| f.selected_row()).cloned() else {
        return;
    };
    let mut path = app.path();
    path.push(row.step);
    match Level::children(&data.facts, &path, &row, &view) {
        Some(level) => {
            let frame = Frame::new(Some(row.step), level, app.sort);
            app.frames.push(frame);
        }
        None => app.status = Some(format!("`{}` has nothing below it", row.name)),
    }
}

fn drill_out(app: &mut App) {
    let Some(frame) = app.frames.last_mut() else {
        return;
    };
    if !frame.filter.is_empty() {
        frame.filter.clear();
        let sort = app.sort;
        frame.reorder(sort);
        app.status = Some("filter cleared".into());
    } else if app.frames.len() > 1 {
        app.frames.pop();
    }
}

fn on_filter_key(app: &mut App, key: Key) {
    let sort = app.sort;
    let Some(frame) = app.frames.last_mut() else {
        app.mode = Mode::Normal;
        return;
    };
    match key.code {
        KeyCode::Enter => app.mode = Mode::Normal,
        KeyCode::Esc => {
            frame.filter.clear();
            frame.reorder(sort);
            app.mode = Mode::Normal;
        }
        KeyCode::Backspace => {
            frame.filter.pop();
            frame.reorder(sort);
        }
        KeyCode::Char(c) if !key.ctrl => {
            frame.filter.push(c);
            frame.reorder(sort);
        }
        KeyCode::Down => frame.move_by(1),
        KeyCode::Up => frame.move_by(-1),
        _ => {}
    }
}

fn on_command_key(app: &mut App, key: Key, mut text: String) -> Vec<Cmd> {
    match key.code {
        KeyCode::Esc => app.mode = Mode::Normal,
        KeyCode::Enter => {
            app.mode = Mode::Normal;
            return run_command(app, &text);
        }
        KeyCode::Backspace => {
            if text.pop().is_none() {
                app.mode = Mode::Normal;
            } else {
                app.mode = Mode::Command(text);
            }
        }
        KeyCode::Char(c) if !key.ctrl => {
            text.push(c);
            app.mode = Mode::Command(text);
        }
        _ => {}
    }
    Vec::new()
}

/// `:ns NAME`, `:cluster NAME`, `:window W`, `:metric M`, `:profile NAME`, `:q`.
pub fn run_command(app: &mut App, line: &str) -> Vec<Cmd> {
    let mut words = line.split_whitespace();
    let (Some(cmd), arg) = (words.next(), words.next()) else {
        return Vec::new();
    };
    let need = |what: &str| format!(":{cmd} needs {what}");
    match (cmd, arg) {
        ("q" | "quit" | "q!", _) => app.quit = true,
        ("window" | "w", Some(w)) => match w.parse::<WindowSpec>() {
            Ok(spec) => return set_window(app, spec),
            Err(e) => app.status = Some(e),
        },
        ("metric" | "m", Some(m)) => match m.parse::<Metric>() {
            Ok(metric) => set_metric(app, metric),
            Err(e) => app.status = Some(e),
        },
        ("profile" | "p", Some(name)) => {
            if let Some(i) = app.jobs.iter().position(|j| j.profile == name) {
                return switch_profile(app, i);
            }
            let names: Vec<&str> = app.jobs.iter().map(|j| j.profile.as_str()).collect();
            app.status = Some(format!(
                "no profile `{name}`; the profiles are {}",
                names.join(", ")
            ));
        }
        ("ns" | "namespace", Some(name)) => jump(app, Dim::Namespace, name),
        ("cluster" | "cl", Some(name)) => jump(app, Dim::Cluster, name),
        ("window" | "w", None) => app.status = Some(need("a window: 7d, mtd, 2026-10, ...")),
        ("metric" | "m", None) => {
            app.status = Some(need("a metric: amortized, unblended, net, on-demand"));
        }
        ("profile" | "p" | "ns" | "namespace" | "cluster" | "cl", None) => {
            app.status = Some(need("a name"));
        }
        _ => {
            app.status = Some(format!(
                "unknown command `:{cmd}`; try :ns NAME, :cluster NAME, :window W, :metric M, \
                 :profile NAME, :q"
            ));
        }
    }
    Vec::new()
}

/// Opens the costliest cluster holding namespace `name` (or the cluster `name`).
fn jump(app: &mut App, dim: Dim, name: &str) {
    let Some(root) = app.frames.first() else {
        app.status = Some("no data yet".into());
        return;
    };
    let Some(data) = app.data().cloned() else {
        return;
    };
    let facts = &data.facts;
    let Some(sym) = facts.strings.lookup(name) else {
        app.status = Some(format!("no {} named `{name}` in this data", dim_noun(dim)));
        return;
    };
    let cluster = match dim {
        Dim::Cluster => Some(Step::Cluster(sym)),
        _ => root
            .level
            .rows
            .iter()
            .filter(|r| matches!(r.step, Step::Cluster(_) | Step::NoCluster))
            .filter(|r| {
                r.facts
                    .iter()
                    .any(|&i| facts.rows[i as usize].dim(Dim::Namespace) == sym)
            })
            .max_by_key(|r| r.cost)
            .map(|r| r.step),
    };
    let Some(cluster) = cluster else {
        app.status = Some(format!(
            "no {} named `{name}` in this window",
            dim_noun(dim)
        ));
        return;
    };
    let mut path = vec![
        (None, String::new(), Some(cluster)),
        (Some(cluster), String::new(), None),
    ];
    if dim == Dim::Namespace {
        path[1].2 = Some(Step::Namespace(sym));
        path.push((Some(Step::Namespace(sym)), String::new(), None));
    }
    app.rebuild(&path);
    if app.path().last().copied() != path.last().and_then(|p| p.0) {
        app.status = Some(format!(
            "no {} named `{name}` in this window",
            dim_noun(dim)
        ));
    }
}

fn dim_noun(dim: Dim) -> &'static str {
    match dim {
        Dim::Cluster => "cluster",
        _ => "namespace",
    }
}

fn set_metric(app: &mut App, metric: Metric) {
    app.metric = metric;
    let (Some(view), Some(data)) = (app.view(), app.data().cloned()) else {
        return;
    };
    let sort = app.sort;
    for f in &mut app.frames {
        f.level.recost(&data.facts, &view);
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

fn set_window(app: &mut App, spec: WindowSpec) -> Vec<Cmd> {
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

fn on_window_key(app: &mut App, key: Key, selected: usize, custom: Option<String>) -> Vec<Cmd> {
    if let Some(mut text) = custom {
        match key.code {
            KeyCode::Esc => {
                app.mode = Mode::WindowPicker {
                    selected,
                    custom: None,
                }
            }
            KeyCode::Enter => match text.parse::<WindowSpec>() {
                Ok(spec) => {
                    app.mode = Mode::Normal;
                    return set_window(app, spec);
                }
                Err(e) => {
                    app.status = Some(e);
                    app.mode = Mode::WindowPicker {
                        selected,
                        custom: Some(text),
                    };
                }
            },
            KeyCode::Backspace => {
                text.pop();
                app.mode = Mode::WindowPicker {
                    selected,
                    custom: Some(text),
                };
            }
            KeyCode::Char(c) if !key.ctrl => {
                text.push(c);
                app.mode = Mode::WindowPicker {
                    selected,
                    custom: Some(text),
                };
            }
            _ => {}
        }
        return Vec::new();
    }
    match pick(app, key, selected, WINDOW_CHOICES.len() + 1) {
        Picked::Move(s) => {
            app.mode = Mode::WindowPicker {
                selected: s,
                custom: None,
            }
        }
        Picked::Cancel => app.mode = Mode::Normal,
        Picked::Chosen(s) => match WINDOW_CHOICES.get(s) {
            Some((_, spec)) => {
                app.mode = Mode::Normal;
                return set_window(app, *spec);
            }
            None => {
                app.mode = Mode::WindowPicker {
                    selected: s,
                    custom: Some(String::new()),
                }
            }
        },
    }
    Vec::new()
}

/// The level kind shown now (for headers).
pub fn current_kind(app: &App) -> Option<LevelKind> {
    app.frame().map(|f| f.level.kind)
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
