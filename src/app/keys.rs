//! Key handling per mode: the main view (the keymap's actions), the filter line, help and the
//! profile lists (picker and integrations pane). The `:` line and the window picker have
//! their own modules.

use super::command::on_command_key;
use super::msg::Cmd;
use super::nav::{LevelState, Sort, SortKey};
use super::state::{App, Mode};
use super::update::{set_metric, switch_profile};
use super::window_picker::{self, on_window_key};
use crate::alloc::Level;
use crate::config::keys::{Action, Key, KeyCode};

/// A key, by the mode that has the keyboard (Ctrl-C quits from any).
pub(super) fn on_key(app: &mut App, key: Key) -> Vec<Cmd> {
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
            on_profiles_key(app, key, selected)
        }
    }
}

/// The profile picker and the integrations pane.
fn on_profiles_key(app: &mut App, key: Key, selected: usize) -> Vec<Cmd> {
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

/// What a key did in a list picker.
pub(super) enum Picked {
    Move(usize),
    Chosen(usize),
    Cancel,
}

/// Shared list-picker keys: movement, Enter to choose, Esc/q to leave.
pub(super) fn pick(app: &App, key: Key, selected: usize, n: usize) -> Picked {
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
            if let Some(f) = app.levels.last_mut() {
                f.select_last();
                f.scroll_into_view(page);
            }
        }
        Action::DrillIn => drill_in(app),
        Action::DrillOut => drill_out(app),
        Action::Filter => {
            if app.levels.is_empty() {
                app.status = Some("nothing to filter yet".into());
            } else {
                app.mode = Mode::Filter;
            }
        }
        Action::SortCost => resort(app, SortKey::Cost),
        Action::SortName => resort(app, SortKey::Name),
        Action::SortDelta => resort(app, SortKey::Delta),
        Action::CycleMetric => set_metric(app, app.metric.next()),
        Action::Sharing => toggle_sharing(app),
        Action::EnvView => {
            app.by_env = !app.by_env;
            app.rebuild(&[(None, String::new(), None)]);
            app.status = Some(if app.by_env {
                "by environment: environment > cluster > namespace > workload > pod".into()
            } else {
                "by cluster".into()
            });
        }
        Action::Window => window_picker::open(app),
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
        Action::Change => toggle_change_view(app),
        Action::Help => app.mode = Mode::Help,
        Action::Command => app.mode = Mode::Command(String::new()),
        Action::Doctor => {
            app.mode = Mode::Integrations {
                selected: app.active,
            };
            app.status = Some(format!("checking {}", app.jobs[app.active].profile));
            return vec![app.doctor(app.active, None)];
        }
        Action::Copy if app.levels.is_empty() => return copy_diagnosis(app, app.active),
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
pub(super) fn copy_diagnosis(app: &mut App, profile: usize) -> Vec<Cmd> {
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
    if app.levels.is_empty() {
        // No table: the keys scroll the diagnosis.
        scroll_diagnosis(app, delta);
        return;
    }
    let page = app.page();
    if let Some(f) = app.levels.last_mut() {
        f.move_by(delta);
        f.scroll_into_view(page);
    }
}

pub(super) fn scroll_diagnosis(app: &mut App, delta: isize) {
    let by = u16::try_from(delta.unsigned_abs()).unwrap_or(u16::MAX);
    app.diag_scroll = if delta < 0 {
        app.diag_scroll.saturating_sub(by)
    } else {
        // The pane stops at its last line; this only bounds the counter.
        app.diag_scroll.saturating_add(by).min(500)
    };
}

/// `c`: into the change view (rows by |Δ|, the parts as columns) or back to the sort before.
fn toggle_change_view(app: &mut App) {
    let (sort, status) = if let Some(before) = app.change_view.take() {
        (before, "change view off")
    } else {
        app.change_view = Some(app.sort);
        let by_change = Sort {
            key: SortKey::Change,
            reverse: false,
        };
        (by_change, "change view: each change told apart (c: back)")
    };
    app.sort = sort;
    for f in &mut app.levels {
        f.reorder(sort);
    }
    app.status = Some(status.to_string());
}

fn resort(app: &mut App, key: SortKey) {
    app.sort = app.sort.toggle(key);
    let sort = app.sort;
    for f in &mut app.levels {
        f.reorder(sort);
    }
    app.status = Some(format!("sorted by {}", app.sort.label(app.display.ascii)));
}

fn drill_in(app: &mut App) {
    let (Some(view), Some(data)) = (app.view(), app.data().cloned()) else {
        return;
    };
    let Some(row) = app.level().and_then(|f| f.selected_row()).cloned() else {
        return;
    };
    let mut path = app.path();
    path.push(row.step);
    if let Some(waiting) = app.waiting_for_pods(&path) {
        app.status = Some(waiting);
        return;
    }
    match Level::children(data.shown(app.sharing), &path, &row, &view) {
        Some(level) => {
            let state = LevelState::new(Some(row.step), level, app.sort);
            app.levels.push(state);
        }
        None => app.status = Some(format!("`{}` has nothing below it", row.name)),
    }
}

fn drill_out(app: &mut App) {
    let Some(state) = app.levels.last_mut() else {
        return;
    };
    if !state.filter.is_empty() {
        state.filter.clear();
        let sort = app.sort;
        state.reorder(sort);
        app.status = Some("filter cleared".into());
    } else if app.levels.len() > 1 {
        app.levels.pop();
    }
}

fn on_filter_key(app: &mut App, key: Key) {
    let sort = app.sort;
    let Some(state) = app.levels.last_mut() else {
        app.mode = Mode::Normal;
        return;
    };
    match key.code {
        KeyCode::Enter => app.mode = Mode::Normal,
        KeyCode::Esc => {
            state.filter.clear();
            state.reorder(sort);
            app.mode = Mode::Normal;
        }
        KeyCode::Backspace => {
            state.filter.pop();
            state.reorder(sort);
        }
        KeyCode::Char(c) if !key.ctrl => {
            state.filter.push(c);
            state.reorder(sort);
        }
        KeyCode::Down => state.move_by(1),
        KeyCode::Up => state.move_by(-1),
        _ => {}
    }
}

/// Turns the profile's sharing rules off or on, keeping the path as far as it still exists
/// (symbols are shared: the shared facts extend the interner of the facts read).
fn toggle_sharing(app: &mut App) {
    if app.data().is_none_or(|d| d.shared.is_none()) {
        app.status = Some(format!(
            "profile {} has no sharing rules (see [profiles.NAME.sharing] in the config)",
            app.job().profile
        ));
        return;
    }
    app.sharing = !app.sharing;
    let saved = app.saved_path();
    app.rebuild(&saved);
    app.status = Some(if app.sharing {
        "sharing on: idle, shared namespaces and cost rules spread by the profile's rules".into()
    } else {
        "sharing off: the bill before sharing rules".into()
    });
}
