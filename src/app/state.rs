//! The dashboard's state: [`App`] (profiles, their jobs, the drill-down stack, the mode that
//! has the keyboard) and the queries the panes ask of it (view, path, page size, summary).
//! Only [`update`](fn@super::update) and its key handlers change it.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::msg::Cmd;
use super::nav::{LevelState, Sort};
use crate::alloc::budget::{self, Standing};
use crate::alloc::change::Change;
use crate::alloc::{self, Level, LevelKind, Step, View};
use crate::clock::AsOf;
use crate::config::{Config, SourceSpec};
use crate::cur::metrics::Metric;
use crate::diag::Diagnosis;
use crate::facts::Facts;
use crate::source::Loaded;
use crate::ui::layout;
use crate::window::{Window, WindowSpec};

/// How the screen may be drawn: colour or not, Unicode or ASCII only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawMode {
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
    /// The source could not be read and the data shown is the cache's: since when, and why.
    pub offline: Option<(DateTime<Utc>, Diagnosis)>,
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
    pub(super) fn log(&mut self, at: DateTime<Utc>, line: impl Into<String>) {
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
    /// Typing a filter (the level's filter updates live).
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
    pub levels: Vec<LevelState>,
    pub mode: Mode,
    /// The detail pane: `None` = shown when it fits, else the user's choice (Tab).
    pub show_detail: Option<bool>,
    /// A one-line message for the footer (cleared by the next key).
    pub status: Option<String>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The clock, as of the last message (no idle ticking).
    pub as_of: AsOf,
    pub display: DrawMode,
    pub quit: bool,
    /// The change view (`c`): the level by |Δ| with each Δ's parts as columns; holds the
    /// sort to go back to.
    pub change_view: Option<Sort>,
    /// The Δ decomposition of the current view, rebuilt with the levels.
    /// The panes' per-row results between frames (cleared with every rebuild).
    pub memo: super::memo::Memo,
    pub change: Option<Arc<Change>>,
    /// The active profile's budgets in the current view (month to date only), rebuilt with
    /// the levels.
    pub budgets: Vec<Standing>,
    /// Lines scrolled off the top of a diagnosis (the diagnostics pane: j/k, PgDn/PgUp; the
    /// integrations pane: PgDn/PgUp). Reset when another profile is shown or selected.
    pub diag_scroll: u16,
    /// The facts cache reads go through, and how (`None`: no cache).
    pub cache: Option<(crate::cache::Cache, crate::cache::CacheMode)>,
    /// Sharing rules applied (the profile's `[sharing]`); off shows the bill before them.
    pub sharing: bool,
    /// The environment view: environment → cluster → namespace → workload → pod.
    pub by_env: bool,
}

impl App {
    /// A dashboard over the profiles of `config`, showing `active`.
    pub fn new(config: Config, active: usize, as_of: AsOf, display: DrawMode) -> App {
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
                offline: None,
            })
            .collect();
        App {
            config,
            jobs,
            active,
            metric: Metric::Amortized,
            window: WindowSpec::Latest,
            sort: Sort::default(),
            levels: Vec::new(),
            mode: Mode::Normal,
            show_detail: None,
            status: None,
            size: (80, 24),
            as_of,
            display,
            quit: false,
            change_view: None,
            change: None,
            memo: super::memo::Memo::default(),
            budgets: Vec::new(),
            diag_scroll: 0,
            cache: None,
            sharing: true,
            by_env: false,
        }
    }

    /// Starts (or restarts) a profile's `doctor` run.
    pub(super) fn doctor(&mut self, profile: usize, read_failed: Option<Box<Diagnosis>>) -> Cmd {
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

    /// The active profile's job.
    pub fn job(&self) -> &Job {
        &self.jobs[self.active]
    }

    /// The active profile's newest data, once a fetch succeeded.
    pub fn data(&self) -> Option<&Arc<Loaded>> {
        self.job().data.as_ref()
    }

    /// Why the level below `path` cannot be shown yet: the data on screen is the cache's
    /// roll-up and that level groups by what it leaves out (pods, nodes). `None` when it can.
    pub fn waiting_for_pods(&self, path: &[Step]) -> Option<String> {
        let kind = LevelKind::of(path).filter(|k| k.below_rollup())?;
        if !self.data()?.rolled_up() {
            return None;
        }
        let what = crate::alloc::plural(kind.noun());
        Some(if matches!(self.job().state, JobState::Running { .. }) {
            format!("{what} are still loading from the cache: a moment")
        } else {
            format!("{what} could not be read from the cache: press r to read again")
        })
    }

    /// Whether the active profile shows generated demo data.
    pub fn is_demo(&self) -> bool {
        matches!(
            self.config.profiles[self.active].source,
            SourceSpec::Demo { .. }
        )
    }

    /// The view of the active data, when there is data and the window resolves.
    pub fn view(&self) -> Option<View> {
        let data = self.data()?;
        let mut view = resolve_view(
            self.window,
            self.as_of,
            &data.delivery,
            data.shown(self.sharing),
            self.metric,
        )?;
        if self.by_env {
            view.top = LevelKind::Envs;
        }
        Some(view)
    }

    /// The path of steps below the top level.
    pub fn path(&self) -> Vec<Step> {
        self.levels.iter().filter_map(|f| f.step).collect()
    }

    /// The level shown: the top of the drill-down stack.
    pub fn level(&self) -> Option<&LevelState> {
        self.levels.last()
    }

    /// Whether the detail pane is drawn: by default when the screen has room for it beside
    /// or below the table ([`layout::detail_fits`]).
    pub fn detail_shown(&self) -> bool {
        self.show_detail
            .unwrap_or(layout::detail_fits(self.size.0, self.size.1))
    }

    /// Rows the table shows at the current size, in the layout `ui::draw` draws.
    pub fn page(&self) -> usize {
        layout::table_rows(self.size.0, self.size.1, self.detail_shown())
    }

    /// The facts shown: shared or not, as [`App::sharing`] says.
    pub fn facts(&self) -> Option<&Facts> {
        self.data().map(|d| d.shown(self.sharing))
    }

    /// Starts a fetch of `profile` covering the current window and its predecessor.
    pub(super) fn fetch(&mut self, profile: usize) -> Cmd {
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

    /// What is derived from the whole view and kept with the levels: the Δ decomposition and
    /// the budgets' standings.
    pub(super) fn analyse(&mut self, facts: &Facts, view: &View) {
        self.change = Some(Arc::new(Change::new(facts, view)));
        self.budgets = budget::standings(facts, &self.config.profiles[self.active].budgets, view);
    }

    /// Rebuilds the drill-down stack for the current data and view, following `path` (by
    /// step) as far as it still exists and keeping each level's filter and selection.
    pub(super) fn rebuild(&mut self, path: &[(Option<Step>, String, Option<Step>)]) {
        self.levels.clear();
        self.change = None;
        self.memo.clear();
        self.budgets.clear();
        let (Some(view), Some(data)) = (self.view(), self.data().cloned()) else {
            return;
        };
        let facts = data.shown(self.sharing);
        self.analyse(facts, &view);
        let mut state = LevelState::new(None, Level::root(facts, &view), self.sort);
        let mut steps: Vec<Step> = Vec::new();
        for (i, (_, filter, selected)) in path.iter().enumerate() {
            state.filter.clone_from(filter);
            state.reorder(self.sort);
            if let Some(sel) = selected {
                state.select_step(*sel);
            }
            let next = path.get(i + 1).and_then(|p| p.0);
            let Some(next) = next else { break };
            let Some(row) = state.level.rows.iter().find(|r| r.step == next).cloned() else {
                break;
            };
            steps.push(next);
            if self.waiting_for_pods(&steps).is_some() {
                break;
            }
            let Some(level) = Level::children(facts, &steps, &row, &view) else {
                break;
            };
            self.levels.push(state);
            state = LevelState::new(Some(next), level, self.sort);
        }
        self.levels.push(state);
    }

    /// The stack as (step, filter, selected step), to rebuild it later.
    pub(super) fn saved_path(&self) -> Vec<(Option<Step>, String, Option<Step>)> {
        if self.levels.is_empty() {
            return vec![(None, String::new(), None)];
        }
        self.levels
            .iter()
            .map(|f| (f.step, f.filter.clone(), f.selected_row().map(|r| r.step)))
            .collect()
    }

    /// A one-line summary of the selection, for the clipboard.
    pub fn summary(&self) -> Option<String> {
        let state = self.level()?;
        let row = state.selected_row()?;
        let view = self.view()?;
        let mut crumbs = self.breadcrumb();
        crumbs.push(row.name.clone());
        let share = share(row.cost, state.level.total);
        let delta = match row.delta_pct() {
            Some(p) => format!("{} ({p:+.1}%)", row.delta().display_signed()),
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

/// The view of `window` over facts read for it (with [`fetch_span`]), when it resolves. A
/// window reaching past the last billed day is compared on the days billed so far (month to
/// date against the same number of days before), not on empty days.
pub fn resolve_view(
    window: WindowSpec,
    as_of: AsOf,
    delivery: &crate::source::discover::Delivery,
    facts: &Facts,
    metric: Metric,
) -> Option<View> {
    let range = facts.day_range();
    let mut window = window.resolve(as_of, delivery.latest_span(), range)?;
    if let Some((_, last)) = range
        && window.start <= last
        && window.end > last + 1
    {
        window.end = last + 1;
    }
    Some(View {
        window,
        metric,
        provisional_from: as_of.provisional_from(),
        top: LevelKind::Clusters,
    })
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

/// The level kind shown now (for headers).
pub fn current_kind(app: &App) -> Option<LevelKind> {
    app.level().map(|f| f.level.kind)
}
