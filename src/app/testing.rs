//! Test fixtures shared by the app's and the panes' tests: a demo profile and a broken one,
//! a fixed clock, and fetches run synchronously as the runtime would run them.

use chrono::{TimeZone, Utc};

use super::*;
use crate::clock::AsOf;
use crate::config::Config;
use crate::source;

/// The demo config with a second, broken profile.
pub fn config() -> Config {
    Config::parse(
        r#"
default-profile = "demo"
[profiles.demo]
source = "demo"
[profiles.broken]
source = "local"
path = "/nonexistent/curtop-test"
"#,
        "test.toml",
    )
    .unwrap()
}

/// The fixed clock of the app's and the panes' tests.
pub fn now() -> AsOf {
    AsOf::at(Utc.with_ymd_and_hms(2026, 3, 15, 10, 0, 0).unwrap())
}

/// Runs a fetch command synchronously, as the runtime would, and feeds the result back.
pub fn run(app: &mut App, cmds: Vec<Cmd>) {
    for cmd in cmds {
        if let Cmd::Doctor {
            profile,
            generation,
            read_failed,
        } = cmd
        {
            let p = app.config.profiles[profile].clone();
            let mut checks = Vec::new();
            crate::source::doctor::check_profile_live(
                &p,
                app.as_of,
                read_failed.as_deref(),
                &mut |c| {
                    checks.push(c.clone());
                },
            );
            for check in checks {
                update(
                    app,
                    Msg::DoctorCheck {
                        profile,
                        generation,
                        check: Box::new(check),
                    },
                );
            }
            update(
                app,
                Msg::DoctorDone {
                    profile,
                    generation,
                },
            );
            continue;
        }
        if let Cmd::Fetch {
            profile,
            generation,
            window,
        } = cmd
        {
            let p = app.config.profiles[profile].clone();
            let result = source::load(&source::ReadRequest::new(&p, window, app.as_of))
                .map(Box::new)
                .map_err(|e| crate::diag::diagnose(&e));
            let more = update(
                app,
                Msg::Fetched {
                    profile,
                    generation,
                    result,
                },
            );
            run(app, more);
        }
    }
}

/// The dashboard before any fetch answered.
pub fn fresh() -> App {
    App::new(
        config(),
        0,
        now(),
        DrawMode {
            color: true,
            ascii: false,
        },
    )
}

/// The dashboard with both profiles fetched (one ready, one failed).
pub fn started() -> App {
    started_with(fresh())
}

/// The dashboard of the built-in config (`config/demo.toml`: the demo profile shares idle and
/// `CloudWatch`, and names environments by cluster), both profiles fetched.
pub fn started_sharing() -> App {
    started_with(App::new(
        Config::demo(),
        0,
        now(),
        DrawMode {
            color: true,
            ascii: false,
        },
    ))
}

fn started_with(mut app: App) -> App {
    let cmds = app.start();
    assert_eq!(cmds.len(), 2, "both profiles fetch");
    assert!(
        matches!(cmds[0], Cmd::Fetch { profile: 0, .. }),
        "active first"
    );
    run(&mut app, cmds);
    app
}

/// Applies messages, running the fetches they start.
pub fn send(app: &mut App, msgs: impl IntoIterator<Item = Msg>) {
    for m in msgs {
        let cmds = update(app, m);
        run(app, cmds);
    }
}

/// Selects the costliest row of the shown level whose step `matches`, and returns its step.
pub fn select_costliest(
    app: &mut App,
    matches: impl Fn(&crate::alloc::Step) -> bool,
) -> crate::alloc::Step {
    let step = app
        .level()
        .and_then(|f| {
            f.level
                .rows
                .iter()
                .filter(|r| matches(&r.step))
                .max_by_key(|r| r.cost)
        })
        .map(|r| r.step)
        .expect("a row to select");
    if let Some(f) = app.levels.last_mut() {
        f.select_step(step);
    }
    step
}
