//! The header (profile, source, window, metric, billed-through date, data age, provisional
//! days) and the breadcrumb line.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::{App, JobState};
use crate::cur::time::date_of;

/// A duration as the user reads it: `45s`, `12m`, `3h`, `2d 4h`.
pub fn age(secs: i64) -> String {
    match secs.max(0) {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s => format!("{}d {}h", s / 86400, s % 86400 / 3600),
    }
}

/// Two lines: who and in what state, then the window and the data's age as far as they fit.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let first = first_line(app, theme);
    let second = second_line(app, theme, area.width as usize);
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}

/// `curtop · profile NAME · state · other profiles failing · source`.
fn first_line(app: &App, theme: Theme) -> Vec<Span<'static>> {
    let job = app.job();
    let dot = theme.dot();
    let mut first = vec![
        Span::styled("curtop", theme.title()),
        Span::raw(dot),
        Span::styled("profile ", theme.dim()),
        Span::raw(job.profile.clone()),
    ];
    if app.is_demo() {
        first.push(Span::styled(" (demo data)", theme.warn()));
    }
    let state = match &job.state {
        JobState::Idle => Span::styled("idle", theme.dim()),
        JobState::Running { progress, .. } => Span::styled(
            if progress.parts_total > 0 {
                format!("fetching {}/{}", progress.parts_done, progress.parts_total)
            } else {
                "fetching".to_string()
            },
            theme.warn(),
        ),
        JobState::Ready if job.offline.is_some() => Span::styled(
            format!(
                "offline since {} (i)",
                job.offline
                    .as_ref()
                    .map_or(String::new(), |(t, _)| t.format("%H:%M UTC").to_string())
            ),
            theme.warn(),
        ),
        JobState::Ready => match app.data().map_or(0, |d| d.facts.quality.warnings.len()) {
            0 => Span::styled("ready", theme.ok()),
            n => Span::styled(
                format!("ready, {n} warning{} (i)", if n == 1 { "" } else { "s" }),
                theme.warn(),
            ),
        },
        JobState::Failed(f) => Span::styled(format!("FAILED {}", f.code), theme.error()),
    };
    first.push(Span::raw(dot));
    first.push(state);
    let failing = app
        .jobs
        .iter()
        .enumerate()
        .filter(|(i, j)| *i != app.active && matches!(j.state, JobState::Failed(_)))
        .count();
    if failing > 0 {
        first.push(Span::raw(dot));
        first.push(Span::styled(
            format!(
                "{failing} other profile{} failing (i)",
                if failing == 1 { "" } else { "s" }
            ),
            theme.error(),
        ));
    }
    if let Some(data) = app.data() {
        first.push(Span::raw(dot));
        first.push(Span::styled("source ", theme.dim()));
        first.push(Span::raw(data.origin.clone()));
    }
    first
}

/// Window, metric, billed-through date, provisional days, delivery age: each only if it fits
/// in `width`.
fn second_line(app: &App, theme: Theme, width: usize) -> Vec<Span<'static>> {
    let dot = theme.dot();
    // Segments in order of importance; a later one that fits is still added.
    let mut segments: Vec<Vec<Span<'static>>> = Vec::new();
    let window = match app.view() {
        Some(view) => format!("{} {}", app.window, view.window),
        None => app.window.to_string(),
    };
    segments.push(vec![Span::raw(window)]);
    segments.push(vec![Span::raw(app.metric.name())]);
    let mixed = app.data().and_then(|d| d.facts.mixed_currencies());
    if let Some(currencies) = &mixed {
        segments.push(vec![Span::styled(
            format!("in {currencies}, never added"),
            theme.warn(),
        )]);
    }
    // How old cached numbers are matters more than the rest (they may be all there is).
    if let Some(t) = app
        .data()
        .and_then(|d| d.cache.as_ref())
        .and_then(|n| n.cached_since)
    {
        segments.push(vec![
            Span::styled("cached ", theme.dim()),
            Span::raw(format!("{} ago", age(app.as_of.now.timestamp() - t))),
        ]);
    }
    // The cache's roll-up is on screen: the pods are on their way.
    if app.data().is_some_and(|d| d.rolled_up()) {
        segments.push(vec![Span::styled("pods loading…", theme.warn())]);
    }
    if let Some(data) = app.data() {
        if let Some((_, last)) = data.facts.day_range() {
            segments.push(vec![
                Span::styled("billed through ", theme.dim()),
                Span::raw(date_of(last).to_string()),
            ]);
            if last >= app.as_of.provisional_from() {
                segments.push(vec![Span::styled(
                    format!(
                        "{}provisional from {}",
                        theme.provisional(),
                        date_of(app.as_of.provisional_from()).format("%m-%d")
                    ),
                    theme.warn(),
                )]);
            }
        }
        let delivered: Option<DateTime<Utc>> = data
            .delivery
            .periods
            .iter()
            .filter_map(|p| p.modified)
            .max()
            .map(DateTime::<Utc>::from);
        if let Some(at) = delivered {
            segments.push(vec![
                Span::styled("delivered ", theme.dim()),
                Span::raw(format!("{} ago", age((app.as_of.now - at).num_seconds()))),
            ]);
        }
    }
    // Month to date: the bill's month-end forecast (alloc::forecast; the detail pane says it
    // is the 7-day run rate). Not of a bill in several currencies: it would add them.
    if let (Some(view), Some(data), None) = (app.view(), app.data(), &mixed) {
        let bill = data
            .facts
            .bill
            .iter()
            .map(|(d, c)| (*d, c[view.metric]))
            .collect();
        if let Some(f) = crate::alloc::forecast::forecast(&bill, &view) {
            segments.push(vec![
                Span::styled("forecast ", theme.dim()),
                Span::raw(
                    f.projected
                        .display_in(data.facts.unit_of(&[], app.display.ascii)),
                ),
            ]);
        }
    }
    // What the last refresh did ("2 periods from cache, 1 read (38 parts, 410.0 MB)"), last.
    if let Some(note) = app.data().and_then(|d| d.cache.as_ref()) {
        segments.push(vec![Span::styled(note.summary(), theme.dim())]);
    }
    let mut second: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (i, seg) in segments.into_iter().enumerate() {
        let w: usize = seg.iter().map(|s| s.content.chars().count()).sum::<usize>()
            + if i == 0 { 0 } else { dot.chars().count() };
        if used + w > width {
            continue;
        }
        used += w;
        if i > 0 {
            second.push(Span::raw(dot));
        }
        second.extend(seg);
    }
    second
}

pub fn breadcrumb(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let crumbs = app.breadcrumb();
    let mut spans = Vec::new();
    for (i, c) in crumbs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(theme.crumb_sep(), theme.dim()));
        }
        let style = if i + 1 == crumbs.len() {
            theme.title()
        } else {
            ratatui::style::Style::new()
        };
        spans.push(Span::styled(c.clone(), style));
    }
    if let Some(f) = app.level() {
        spans.push(Span::styled(
            format!("{}sort {}", theme.dot(), app.sort.label(app.display.ascii)),
            theme.dim(),
        ));
        if !f.filter.is_empty() {
            spans.push(Span::styled(
                format!("{}filter /{}", theme.dot(), f.filter),
                theme.warn(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_naturally() {
        assert_eq!(super::age(5), "5s");
        assert_eq!(super::age(300), "5m");
        assert_eq!(super::age(7200), "2h");
        assert_eq!(super::age(3 * 86400 + 3600), "3d 1h");
        assert_eq!(super::age(-4), "0s");
    }
}
