//! Panes about integrations rather than costs: the loading pane (a fetch's progress), the
//! diagnostics pane of a failed profile, and the integrations pane (one line per profile).

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::header::age;
use super::popup;
use super::theme::Theme;
use crate::app::{App, DoctorRun, FetchProgress, Job, JobState};
use crate::config::SourceSpec;
use crate::diag::{self, Diagnosis, Severity};

/// Bytes as MiB/GiB.
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    }
}

fn progress_text(p: &FetchProgress) -> String {
    use crate::source::athena::{decimal_bytes, stage};
    match p.query_stage {
        stage::QUEUED => return "Athena query queued".into(),
        stage::RUNNING => {
            return format!(
                "Athena query running, {} scanned",
                decimal_bytes(p.scanned_bytes)
            );
        }
        stage::RESULTS => {
            return format!(
                "reading results: {} rows ({} scanned)",
                p.rows_fetched,
                decimal_bytes(p.scanned_bytes)
            );
        }
        _ => {}
    }
    if p.parts_total == 0 {
        return "finding the delivery".into();
    }
    let mut s = format!("parts {}/{}", p.parts_done, p.parts_total);
    if p.bytes_total > 0 {
        let _ = write!(s, ", {} of {}", size(p.bytes_read), size(p.bytes_total));
    }
    s
}

pub fn loading(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let job = app.job();
    let block = theme.block(&format!("profile {}", job.profile));
    let mut lines = Vec::new();
    match &job.state {
        JobState::Running { progress, started } => {
            lines.push(Line::styled(
                format!(
                    "fetching the bill ({} elapsed)",
                    age((app.as_of.now - *started).num_seconds())
                ),
                theme.warn(),
            ));
            let w = (area.width as usize).saturating_sub(6).min(50);
            let (done, total) = if progress.bytes_total > 0 {
                (progress.bytes_read, progress.bytes_total)
            } else {
                (progress.parts_done, progress.parts_total)
            };
            lines.push(Line::raw(format!("[{}]", theme.bar(done, total, w))));
            lines.push(Line::raw(progress_text(progress)));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "keys keep working: i integrations, p another profile, q quit",
                theme.dim(),
            ));
        }
        JobState::Ready => lines.push(Line::raw(
            "no billing data in this window; press w to pick another",
        )),
        _ => lines.push(Line::raw("waiting to fetch; r fetches now")),
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Lines of a diagnosis: title, what was seen, probable causes, numbered fix steps.
pub fn diagnosis_lines(f: &Diagnosis, theme: Theme) -> Vec<Line<'static>> {
    let style = match f.severity {
        Severity::Error => theme.error(),
        Severity::Warning => theme.warn(),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("[{}] ", f.code), style),
            Span::styled(f.title.clone(), style),
        ]),
        Line::raw(""),
    ];
    if !f.seen.is_empty() {
        lines.push(Line::styled("What curtop saw", theme.title()));
        lines.extend(f.seen.iter().map(|s| Line::raw(format!("  {s}"))));
    }
    if !f.causes.is_empty() {
        lines.push(Line::styled("Probable causes", theme.title()));
        lines.extend(f.causes.iter().map(|s| Line::raw(format!("  - {s}"))));
    }
    if !f.fixes.is_empty() {
        lines.push(Line::styled("Fix", theme.title()));
        lines.extend(
            f.fixes
                .iter()
                .enumerate()
                .map(|(i, s)| Line::raw(format!("  {}. {s}", i + 1))),
        );
    }
    if !f.docs.is_empty() {
        lines.push(Line::styled("Docs", theme.title()));
        lines.extend(f.docs.iter().map(|d| Line::raw(format!("  {d}"))));
    }
    lines
}

/// Lines of a `doctor` run: a line per check (mark, name, first evidence), the failing one
/// expanded into its diagnosis, the skipped ones folded into a line, the running one marked.
pub fn checks_lines(run: &DoctorRun, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut skipped: Vec<&str> = Vec::new();
    let mut skipped_why = String::new();
    let flush = |lines: &mut Vec<Line<'static>>, skipped: &mut Vec<&str>, why: &str| {
        if !skipped.is_empty() {
            let (mark, style) = theme.check_mark(Some(Some(
                &crate::diag::doctor::Status::Skipped(String::new()),
            )));
            lines.push(Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::styled(format!("skipped {why}: {}", skipped.join(", ")), style),
            ]));
            skipped.clear();
        }
    };
    for c in &run.checks {
        if let crate::diag::doctor::Status::Skipped(why) = &c.status {
            skipped.push(c.name.as_str());
            skipped_why.clone_from(why);
            continue;
        }
        flush(&mut lines, &mut skipped, &skipped_why);
        let (mark, style) = theme.check_mark(Some(Some(&c.status)));
        let mut spans = vec![
            Span::styled(format!("{mark} "), style),
            Span::raw(format!("{:<26}", c.name)),
        ];
        if c.diagnosis.is_none()
            && let Some(e) = c.evidence.first()
        {
            spans.push(Span::styled(e.clone(), theme.dim()));
        }
        if let (crate::diag::doctor::Status::Warn, Some(d)) = (&c.status, &c.diagnosis) {
            spans.push(Span::styled(
                format!("[{}] {}", d.code, d.title),
                theme.warn(),
            ));
        }
        lines.push(Line::from(spans));
        if let (crate::diag::doctor::Status::Fail, Some(d)) = (&c.status, &c.diagnosis) {
            lines.extend(
                diagnosis_lines(d, theme)
                    .into_iter()
                    .filter(|l| l.width() > 0)
                    .map(|mut l| {
                        l.spans.insert(0, Span::raw("    "));
                        l
                    }),
            );
        }
    }
    flush(&mut lines, &mut skipped, &skipped_why);
    if let Some(next) = run.running() {
        let (mark, style) = theme.check_mark(Some(None));
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(format!("{next:<26}running"), style),
        ]));
        for n in run.names.iter().skip(run.checks.len() + 1) {
            let (mark, style) = theme.check_mark(None);
            lines.push(Line::styled(format!("{mark} {n}"), style));
        }
    }
    lines
}

pub fn diagnosis(frame: &mut Frame, area: Rect, app: &App, theme: Theme, failure: &Diagnosis) {
    let job = app.job();
    let block = theme.block(&format!("diagnostics {}", job.profile));
    let mut lines = match &job.doctor {
        Some(run) => {
            // The fetch's failure, unless a check already shows it expanded.
            let shown = run
                .checks
                .iter()
                .filter_map(|c| c.diagnosis.as_ref())
                .any(|d| d.code == failure.code);
            let mut l = Vec::new();
            if !shown {
                l.push(Line::from(vec![
                    Span::styled(format!("fetch failed [{}] ", failure.code), theme.error()),
                    Span::raw(failure.title.clone()),
                ]));
            }
            l.extend(checks_lines(run, theme));
            l
        }
        None => diagnosis_lines(failure, theme),
    };
    lines.push(Line::raw(""));
    let dot = theme.dot();
    lines.push(Line::styled(
        format!("r retry{dot}d check again{dot}y copy the diagnosis{dot}j/k scroll{dot}p or i another profile{dot}q quit"),
        theme.dim(),
    ));
    render_scrolled(frame, area, block, lines, app.diag_scroll);
}

fn source_kind(app: &App, i: usize) -> &'static str {
    match app.config.profiles[i].source {
        SourceSpec::Local { .. } => "local",
        SourceSpec::Demo { .. } => "demo",
        SourceSpec::S3(_) => "s3",
        SourceSpec::Athena(_) => "athena",
        SourceSpec::Focus(_) => "focus",
        SourceSpec::Combined(_) => "combined",
    }
}

fn state_span(job: &Job, app: &App, theme: Theme) -> Span<'static> {
    match &job.state {
        JobState::Idle => Span::styled("idle", theme.dim()),
        JobState::Running { progress, .. } => {
            Span::styled(format!("running {}", progress_text(progress)), theme.warn())
        }
        JobState::Ready => Span::styled(
            format!(
                "ready{}",
                job.last_success.map_or(String::new(), |t| format!(
                    " {} ago",
                    age((app.as_of.now - t).num_seconds())
                ))
            ),
            theme.ok(),
        ),
        JobState::Failed(f) => Span::styled(format!("failed: {}", f.code), theme.error()),
    }
}

pub fn integrations(frame: &mut Frame, area: Rect, app: &App, theme: Theme, selected: usize) {
    let h = area.height.saturating_sub(2).max(app.jobs.len() as u16 + 4);
    let rect = popup(frame, area, area.width.saturating_sub(4).min(110), h);
    let block = theme.block("integrations");
    let mut lines = Vec::new();
    for (i, job) in app.jobs.iter().enumerate() {
        let mark = if i == app.active { "*" } else { " " };
        let style = if i == selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        let last = job.last_success.map_or("never".to_string(), |t| {
            format!("{}", t.format("%Y-%m-%d %H:%M UTC"))
        });
        lines.push(Line::from(vec![
            Span::styled(
                format!("{mark} {:<16} {:<6} ", job.profile, source_kind(app, i)),
                style,
            ),
            state_span(job, app, theme),
            Span::styled(format!("  last success {last}"), theme.dim()),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(job) = app.jobs.get(selected)
        && let Some(run) = &job.doctor
    {
        lines.push(Line::styled(
            format!("checks of {}", job.profile),
            theme.title(),
        ));
        lines.extend(checks_lines(run, theme));
        lines.push(Line::raw(""));
        let dot = theme.dot();
        lines.push(Line::styled(
            format!("d check again{dot}y copy{dot}PgDn/PgUp scroll{dot}r refresh{dot}Enter show"),
            theme.dim(),
        ));
    } else if let Some(job) = app.jobs.get(selected) {
        let warnings: Vec<Diagnosis> = job
            .data
            .iter()
            .flat_map(|d| d.facts.quality.warnings.iter().map(diag::diagnose_warning))
            .collect();
        if let JobState::Failed(f) = &job.state {
            lines.extend(diagnosis_lines(f, theme));
        } else if let Some((since, d)) = &job.offline {
            lines.push(Line::styled(
                format!(
                    "offline since {}: showing the cached facts",
                    since.format("%Y-%m-%d %H:%M UTC")
                ),
                theme.warn(),
            ));
            lines.extend(diagnosis_lines(d, theme));
        } else if !warnings.is_empty() {
            for w in &warnings {
                lines.extend(diagnosis_lines(w, theme));
            }
        } else {
            lines.push(Line::styled(
                format!("log of {}", job.profile),
                theme.title(),
            ));
            lines.extend(
                job.log
                    .iter()
                    .rev()
                    .take(6)
                    .map(|l| Line::raw(format!("  {l}"))),
            );
        }
    }
    render_scrolled(frame, rect, block, lines, app.diag_scroll);
}

/// Wrapped lines in a block, scrolled down by `scroll` lines but never past the last screenful.
fn render_scrolled(
    frame: &mut Frame,
    area: Rect,
    block: ratatui::widgets::Block<'static>,
    lines: Vec<Line<'static>>,
    scroll: u16,
) {
    let inner = block.inner(area);
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let total = u16::try_from(paragraph.line_count(inner.width)).unwrap_or(u16::MAX);
    let scroll = scroll.min(total.saturating_sub(inner.height));
    frame.render_widget(paragraph.block(block).scroll((scroll, 0)), area);
}
