//! The window picker: the windows it offers, moving through them and typing a custom range.

use super::keys::{Picked, pick};
use super::msg::Cmd;
use super::state::{App, Mode};
use super::update::set_window;
use crate::config::keys::{Key, KeyCode};
use crate::window::WindowSpec;

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

/// Opens the picker on the current window (on "custom" when it is none of the choices).
pub(super) fn open(app: &mut App) {
    let selected = WINDOW_CHOICES
        .iter()
        .position(|(_, w)| *w == app.window)
        .unwrap_or(WINDOW_CHOICES.len());
    app.mode = Mode::WindowPicker {
        selected,
        custom: None,
    };
}

pub(super) fn on_window_key(
    app: &mut App,
    key: Key,
    selected: usize,
    custom: Option<String>,
) -> Vec<Cmd> {
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
