//! The `:` command line: its keys, and [`COMMANDS`], the one table of the commands it runs
//! (read by the parser here, and by the footer hint and the help pane).

use super::msg::Cmd;
use super::state::{App, Mode};
use super::update::{set_metric, set_window, switch_profile};
use crate::alloc::Step;
use crate::config::keys::{Key, KeyCode};
use crate::cur::metrics::Metric;
use crate::facts::Dim;
use crate::window::WindowSpec;

/// A key while the `:` line is open: typing, Backspace (out when empty), Enter runs it.
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

/// One `:` command: how it is typed, what it needs, what it does.
#[derive(Debug)]
pub struct Command {
    /// The name shown in help and the footer (`ns`).
    pub name: &'static str,
    /// Other names it answers to (`namespace`).
    pub aliases: &'static [&'static str],
    /// The argument's placeholder (`NAME`), `None` for a command without one.
    pub arg: Option<&'static str>,
    /// What a missing argument should be, for `:ns needs a name`.
    needs: &'static str,
    /// What it does, for the help pane.
    pub description: &'static str,
    /// Runs it with its argument (`""` for a command without one).
    run: fn(&mut App, &str) -> Vec<Cmd>,
}

impl Command {
    /// `ns NAME`, `q`: how it is typed (help and the footer put `:` before it or not).
    pub fn usage(&self) -> String {
        match self.arg {
            Some(arg) => format!("{} {arg}", self.name),
            None => self.name.to_string(),
        }
    }

    fn answers_to(&self, typed: &str) -> bool {
        self.name == typed || self.aliases.contains(&typed)
    }
}

/// Every `:` command, in help order: the parser, the footer hint and the help pane read this.
pub const COMMANDS: [Command; 6] = [
    Command {
        name: "ns",
        aliases: &["namespace"],
        arg: Some("NAME"),
        needs: "a name",
        description: "open namespace NAME",
        run: |app, name| {
            jump(app, Dim::Namespace, name);
            Vec::new()
        },
    },
    Command {
        name: "cluster",
        aliases: &["cl"],
        arg: Some("NAME"),
        needs: "a name",
        description: "open cluster NAME",
        run: |app, name| {
            jump(app, Dim::Cluster, name);
            Vec::new()
        },
    },
    Command {
        name: "window",
        aliases: &["w"],
        arg: Some("W"),
        needs: "a window: 7d, mtd, 2026-10, ...",
        description: "7d, mtd, 2026-10, all",
        run: |app, w| match w.parse::<WindowSpec>() {
            Ok(spec) => set_window(app, spec),
            Err(e) => {
                app.status = Some(e);
                Vec::new()
            }
        },
    },
    Command {
        name: "metric",
        aliases: &["m"],
        arg: Some("M"),
        needs: "a metric: amortized, unblended, net, on-demand",
        description: "e.g. net, on-demand",
        run: |app, m| {
            match m.parse::<Metric>() {
                Ok(metric) => set_metric(app, metric),
                Err(e) => app.status = Some(e),
            }
            Vec::new()
        },
    },
    Command {
        name: "profile",
        aliases: &["p"],
        arg: Some("NAME"),
        needs: "a name",
        description: "switch profile",
        run: profile,
    },
    Command {
        name: "q",
        aliases: &["quit", "q!"],
        arg: None,
        needs: "",
        description: "quit",
        run: |app, _| {
            app.quit = true;
            Vec::new()
        },
    },
];

/// Runs a `:` line: a command of [`COMMANDS`] and its argument (words after it are ignored).
pub fn run_command(app: &mut App, line: &str) -> Vec<Cmd> {
    let mut words = line.split_whitespace();
    let (Some(cmd), arg) = (words.next(), words.next()) else {
        return Vec::new();
    };
    let Some(command) = COMMANDS.iter().find(|c| c.answers_to(cmd)) else {
        let all: Vec<String> = COMMANDS.iter().map(|c| format!(":{}", c.usage())).collect();
        app.status = Some(format!("unknown command `:{cmd}`; try {}", all.join(", ")));
        return Vec::new();
    };
    match (command.arg, arg) {
        (Some(_), None) => {
            app.status = Some(format!(":{cmd} needs {}", command.needs));
            Vec::new()
        }
        (_, arg) => (command.run)(app, arg.unwrap_or("")),
    }
}

/// `:profile NAME`: shows that profile.
fn profile(app: &mut App, name: &str) -> Vec<Cmd> {
    if let Some(i) = app.jobs.iter().position(|j| j.profile == name) {
        return switch_profile(app, i);
    }
    let names: Vec<&str> = app.jobs.iter().map(|j| j.profile.as_str()).collect();
    app.status = Some(format!(
        "no profile `{name}`; the profiles are {}",
        names.join(", ")
    ));
    Vec::new()
}

/// Opens the costliest cluster holding namespace `name` (or the cluster `name`).
fn jump(app: &mut App, dim: Dim, name: &str) {
    let Some(root) = app.levels.first() else {
        app.status = Some("no data yet".into());
        return;
    };
    let Some(data) = app.data().cloned() else {
        return;
    };
    let facts = data.shown(app.sharing);
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

#[cfg(test)]
mod tests {
    use super::{COMMANDS, run_command};
    use crate::app::testing::fresh;

    #[test]
    fn the_table_gives_the_messages() {
        let mut app = fresh();
        run_command(&mut app, "frobnicate x");
        assert_eq!(
            app.status.as_deref(),
            Some(
                "unknown command `:frobnicate`; try :ns NAME, :cluster NAME, :window W, \
                 :metric M, :profile NAME, :q"
            )
        );
        run_command(&mut app, "w");
        assert_eq!(
            app.status.as_deref(),
            Some(":w needs a window: 7d, mtd, 2026-10, ...")
        );
        run_command(&mut app, "namespace");
        assert_eq!(app.status.as_deref(), Some(":namespace needs a name"));
        run_command(&mut app, "q! now");
        assert!(app.quit);
    }

    #[test]
    fn every_typed_name_means_one_command() {
        let mut names: Vec<&str> = COMMANDS
            .iter()
            .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a name or alias appears twice");
        for c in &COMMANDS {
            assert_eq!(c.arg.is_some(), !c.needs.is_empty(), ":{}", c.name);
        }
    }
}
