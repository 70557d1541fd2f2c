//! Overlays: help (generated from the keymap, so it always matches), the window picker and the
//! profile picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{fit, popup};
use crate::app::command::COMMANDS;
use crate::app::{App, WINDOW_CHOICES};
use crate::config::keys::Action;

pub fn help(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let keys = &app.config.keys;
    let actions: Vec<Action> = Action::all().collect();
    // One column when it fits, else two side by side (80x24 must show everything).
    let one_column = actions.len() + COMMANDS.len() + 4;
    let two_columns = area.width >= 78 && usize::from(area.height) < one_column + 2;
    let (key_w, desc_w) = if two_columns { (14, 23) } else { (22, 52) };
    let entry = |k: String, d: &str| -> Vec<Span<'static>> {
        vec![
            Span::styled(
                format!("{:<key_w$}", fit(&k, key_w - 1, app.display.ascii)),
                theme.header_key(),
            ),
            Span::raw(format!("{:<desc_w$}", fit(d, desc_w, app.display.ascii))),
        ]
    };
    let mut cells: Vec<Vec<Span<'static>>> = actions
        .iter()
        .map(|a| entry(keys.shown(*a), a.description()))
        .collect();
    cells.push(vec![Span::styled("Commands (:)", theme.title())]);
    cells.extend(
        COMMANDS
            .iter()
            .map(|c| entry(format!(":{}", c.usage()), c.description)),
    );
    let legend = Line::styled(
        format!(
            "{} provisional (< 48 h billing lag) | new/gone: absent before/now",
            theme.provisional()
        ),
        theme.dim(),
    );
    let mut lines: Vec<Line> = Vec::new();
    if two_columns {
        let half = cells.len().div_ceil(2);
        let (left, right_col) = cells.split_at(half);
        for (i, cell) in left.iter().enumerate() {
            let mut spans = cell.clone();
            let pad = key_w + desc_w
                - spans
                    .iter()
                    .map(|s| s.content.chars().count())
                    .sum::<usize>();
            spans.push(Span::raw(" ".repeat(pad + 1)));
            if let Some(r) = right_col.get(i) {
                spans.extend(r.iter().cloned());
            }
            lines.push(Line::from(spans));
        }
    } else {
        lines.extend(cells.into_iter().map(Line::from));
    }
    lines.push(legend);
    let h = lines.len() as u16 + 2;
    let w = if two_columns {
        2 * (key_w + desc_w) as u16 + 3
    } else {
        78
    };
    let rect = popup(frame, area, w, h);
    frame.render_widget(
        Paragraph::new(lines).block(theme.block("help: keys (config [keys] overrides them)")),
        rect,
    );
}

pub fn window_picker(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: Theme,
    selected: usize,
    custom: Option<&str>,
) {
    let mut lines = Vec::new();
    for (i, (label, spec)) in WINDOW_CHOICES.iter().enumerate() {
        let mark = if *spec == app.window { "*" } else { " " };
        lines.push(Line::styled(
            format!("{mark} {label:<24} {spec}"),
            if i == selected {
                theme.selected()
            } else {
                Style::new()
            },
        ));
    }
    let custom_line = match custom {
        Some(text) => format!("  custom: {text}_"),
        None => "  custom range...".to_string(),
    };
    lines.push(Line::styled(
        custom_line,
        if selected == WINDOW_CHOICES.len() {
            theme.selected()
        } else {
            Style::new()
        },
    ));
    if custom.is_some() {
        lines.push(Line::styled(
            "  YYYY-MM-DD..YYYY-MM-DD (end exclusive), YYYY-MM or 14d; Enter",
            theme.dim(),
        ));
    }
    let h = lines.len() as u16 + 2;
    let rect = popup(frame, area, 72, h);
    frame.render_widget(Paragraph::new(lines).block(theme.block("window")), rect);
}

pub fn profile_picker(frame: &mut Frame, area: Rect, app: &App, theme: Theme, selected: usize) {
    let lines: Vec<Line> = app
        .jobs
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let mark = if i == app.active { "*" } else { " " };
            Line::styled(
                format!("{mark} {}", job.profile),
                if i == selected {
                    theme.selected()
                } else {
                    Style::new()
                },
            )
        })
        .collect();
    let h = lines.len() as u16 + 2;
    let rect = popup(frame, area, 40, h);
    frame.render_widget(Paragraph::new(lines).block(theme.block("profile")), rect);
}
