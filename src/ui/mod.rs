//! Panes: pure functions of the [`App`] state, drawn into a ratatui frame. One file per pane;
//! this file lays them out. At 80×24 everything works (columns drop by priority, the detail
//! pane collapses); below 60×15 a notice says the terminal is too small.

mod change;
mod detail;
mod header;
pub mod layout;
mod overlays;
mod panes;
mod table;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::app::command::{COMMANDS, Command};
use crate::app::{App, JobState, Mode};
use crate::config::keys::Action;
use layout::{MIN_HEIGHT, MIN_WIDTH};
use theme::Theme;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let theme = Theme::new(app.display);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = vec![
            Line::styled("curtop: terminal too small", theme.warn()),
            Line::raw(format!(
                "need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}",
                area.width, area.height
            )),
            Line::raw("enlarge the window, or q to quit"),
        ];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [head, crumb, body, foot] = Layout::vertical([
        Constraint::Length(layout::HEADER_ROWS),
        Constraint::Length(layout::BREADCRUMB_ROWS),
        Constraint::Min(layout::BODY_MIN_ROWS),
        Constraint::Length(layout::FOOTER_ROWS),
    ])
    .areas(area);
    header::draw(frame, head, app, theme);
    header::breadcrumb(frame, crumb, app, theme);
    draw_body(frame, body, app, theme);
    draw_footer(frame, foot, app, theme);
    match &app.mode {
        Mode::Help => overlays::help(frame, body, app, theme),
        Mode::WindowPicker { selected, custom } => {
            overlays::window_picker(frame, body, app, theme, *selected, custom.as_deref());
        }
        Mode::ProfilePicker { selected } => {
            overlays::profile_picker(frame, body, app, theme, *selected);
        }
        Mode::Integrations { selected } => panes::integrations(frame, body, app, theme, *selected),
        Mode::Normal | Mode::Filter | Mode::Command(_) => {}
    }
}

fn draw_body(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    if app.levels.is_empty() {
        match &app.job().state {
            JobState::Failed(failure) => panes::diagnosis(frame, area, app, theme, failure),
            _ => panes::loading(frame, area, app, theme),
        }
        return;
    }
    let table = if app.change_view.is_some() {
        change::draw
    } else {
        table::draw
    };
    if !app.detail_shown() {
        table(frame, area, app, theme);
        return;
    }
    let (table_area, detail_area) = if layout::detail_beside(area.width) {
        let w = layout::detail_width(area.width);
        let [t, d] = Layout::horizontal([
            Constraint::Min(layout::TABLE_MIN_WIDTH),
            Constraint::Length(w),
        ])
        .areas(area);
        (t, d)
    } else {
        let h = layout::detail_height(area.height);
        let [t, d] = Layout::vertical([
            Constraint::Min(layout::TABLE_MIN_ROWS),
            Constraint::Length(h),
        ])
        .areas(area);
        (t, d)
    };
    table(frame, table_area, app, theme);
    detail::draw(frame, detail_area, app, theme);
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let line = match &app.mode {
        Mode::Filter => {
            let filter = app.level().map_or("", |f| f.filter.as_str());
            Line::from(vec![
                Span::styled("/", theme.header_key()),
                Span::raw(filter.to_string()),
                Span::styled("_", theme.header_key()),
                Span::styled(
                    format!(
                        "   Enter keep{}Esc clear{}!text inverts",
                        theme.dot(),
                        theme.dot()
                    ),
                    theme.dim(),
                ),
            ])
        }
        Mode::Command(text) => Line::from(vec![
            Span::styled(":", theme.header_key()),
            Span::raw(text.clone()),
            Span::styled("_", theme.header_key()),
            Span::styled(format!("   {}", command_hint()), theme.dim()),
        ]),
        _ => match &app.status {
            Some(status) => Line::styled(status.clone(), theme.warn()),
            None => hints(app, theme),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Every `:` command's usage, for the footer while typing one: `ns NAME | ... | q`.
fn command_hint() -> String {
    let usages: Vec<String> = COMMANDS.iter().map(Command::usage).collect();
    usages.join(" | ")
}

/// The keys that work in the current mode, from the keymap.
fn hints(app: &App, theme: Theme) -> Line<'static> {
    let keys = &app.config.keys;
    let actions: &[Action] = match app.mode {
        Mode::Help => &[Action::Help, Action::Quit],
        Mode::WindowPicker { .. } | Mode::ProfilePicker { .. } => {
            &[Action::Down, Action::Up, Action::DrillIn]
        }
        Mode::Integrations { .. } => &[
            Action::Down,
            Action::Up,
            Action::DrillIn,
            Action::Refresh,
            Action::Doctor,
            Action::Copy,
        ],
        _ if app.levels.is_empty() => &[
            Action::Doctor,
            Action::Integrations,
            Action::Profile,
            Action::Refresh,
            Action::Help,
            Action::Quit,
        ],
        _ => &[
            Action::DrillIn,
            Action::DrillOut,
            Action::Filter,
            Action::CycleMetric,
            Action::Window,
            Action::SortCost,
            Action::Profile,
            Action::Integrations,
            Action::Help,
            Action::Quit,
        ],
    };
    let mut spans = Vec::new();
    for a in actions {
        spans.push(Span::styled(keys.first(*a), theme.header_key()));
        spans.push(Span::raw(format!(" {}  ", a.label())));
    }
    if !matches!(app.mode, Mode::Normal) {
        spans.push(Span::styled("Esc", theme.header_key()));
        spans.push(Span::raw(" close"));
    }
    Line::from(spans)
}

/// A centred rectangle of at most `w`×`h` inside `area`, cleared.
fn popup(frame: &mut Frame, area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, rect);
    rect
}

/// `s` cut to `width` characters, with a marker when cut.
pub(crate) fn fit(s: &str, width: usize, ascii: bool) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push(if ascii { '~' } else { '…' });
    out
}

/// `s` cut to `width` characters in the middle, keeping both ends (pod and resource names
/// differ at their end).
pub(crate) fn fit_middle(s: &str, width: usize, ascii: bool) -> String {
    let n = s.chars().count();
    if n <= width || width < 8 {
        return fit(s, width, ascii);
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let mut out: String = s.chars().take(head).collect();
    out.push(if ascii { '~' } else { '…' });
    out.extend(s.chars().skip(n - tail));
    out
}

/// Right-aligned in `width`.
pub(crate) fn right(s: &str, width: usize) -> String {
    format!("{s:>width$}")
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fit_tests {
    #[test]
    fn names_are_cut_at_the_end_or_in_the_middle() {
        assert_eq!(super::fit("payments", 20, false), "payments");
        assert_eq!(super::fit("payments", 5, false), "paym…");
        assert_eq!(super::fit("payments", 5, true), "paym~");
        assert_eq!(
            super::fit_middle("payments-scheduler-dnx4jgv5kn-p8fdf", 21, false),
            "payments-s…v5kn-p8fdf"
        );
        assert_eq!(super::fit_middle("abcdefghijkl", 9, true), "abcd~ijkl");
    }

    #[test]
    fn the_command_hint_lists_the_command_table() {
        assert_eq!(
            super::command_hint(),
            "ns NAME | cluster NAME | window W | metric M | profile NAME | q"
        );
    }
}
