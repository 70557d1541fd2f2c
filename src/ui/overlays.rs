//! Overlays: help (generated from the keymap, so it always matches), the window picker and the
//! profile picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::popup;
use super::theme::Theme;
use crate::app::{App, WINDOW_CHOICES};
use crate::config::keys::Action;

pub fn help(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let keys = &app.config.keys;
    let mut lines: Vec<Line> = Action::all()
        .map(|a| {
            Line::from(vec![
                Span::styled(format!("{:<22}", keys.shown(a)), theme.header_key()),
                Span::raw(a.description()),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Commands (:)", theme.title()));
    for (c, d) in [
        (":ns NAME", "open a namespace (in its costliest cluster)"),
        (":cluster NAME", "open a cluster"),
        (":window W", "7d, 30d, mtd, last-month, 2026-10, A..B, all"),
        (":metric M", "amortized, unblended, net, on-demand"),
        (":profile NAME", "switch profile"),
        (":q", "quit"),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("{c:<22}"), theme.header_key()),
            Span::raw(d),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{} provisional (inside the 48 h billing lag)  new/gone: absent before/now",
            theme.provisional()
        ),
        theme.dim(),
    ));
    let h = lines.len() as u16 + 2;
    let rect = popup(frame, area, 76, h);
    frame.render_widget(
        Paragraph::new(lines)
            .block(theme.block("help: keys (config [keys] overrides them)"))
            .scroll((0, 0)),
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
            if i == selected { theme.selected() } else { Style::new() },
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
                if i == selected { theme.selected() } else { Style::new() },
            )
        })
        .collect();
    let h = lines.len() as u16 + 2;
    let rect = popup(frame, area, 40, h);
    frame.render_widget(Paragraph::new(lines).block(theme.block("profile")), rect);
}
