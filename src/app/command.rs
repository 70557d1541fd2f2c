//! The `:` command line: its keys and the commands it runs.

use super::msg::Cmd;
use super::state::{App, Mode};
use super::update::{set_metric, set_window, switch_profile};
use crate::alloc::Step;
use crate::config::keys::{Key, KeyCode};
use crate::cur::metrics::Metric;
use crate::facts::Dim;
use crate::window::WindowSpec;

pub(super) fn on_command_key(app: &mut App, key: Key, mut text: String) -> Vec<Cmd> {
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
