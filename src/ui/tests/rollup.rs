//! The dashboard opened on the cache's roll-ups (a warm start's first frame): the levels
//! above the pods drawn as the full facts draw them, the pods waiting, then replaced.

use super::*;

/// The dashboard of the built-in config opened as a warm start opens it: each profile's
/// first answer the cache's roll-up (`Msg::Cached`), the read still running.
fn opened_on_rollups() -> App {
    let mut app = App::new(
        crate::config::Config::demo(),
        0,
        crate::app::testing::now(),
        DrawMode {
            color: true,
            ascii: false,
        },
    );
    for cmd in app.start() {
        let Cmd::Fetch {
            profile,
            generation,
            window,
        } = cmd
        else {
            continue;
        };
        let p = app.config.profiles[profile].clone();
        let Ok(mut loaded) =
            crate::source::load(&crate::source::ReadRequest::new(&p, window, app.as_of))
        else {
            continue;
        };
        loaded.facts = loaded.facts.rollup();
        loaded.cache = Some(crate::source::cached::CacheNote {
            cached: vec!["2026-03".into()],
            rolled_up: true,
            ..Default::default()
        });
        let loaded = loaded.with_sharing(&p.sharing);
        update(
            &mut app,
            Msg::Cached {
                profile,
                generation,
                loaded: Box::new(loaded),
            },
        );
    }
    app
}

/// The screen below the header (its two lines say where the data came from).
fn body(buf: &Buffer) -> String {
    text(buf).lines().skip(2).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_rollup_draws_every_level_above_the_pods_as_the_full_facts_do() {
    let mut full = started_sharing();
    let mut rolled = opened_on_rollups();
    assert!(rolled.data().unwrap().rolled_up());
    let header = text(&render(&mut rolled, (120, 40)));
    assert!(header.contains("pods loading…"), "{header}");
    // The top, a cluster, a namespace (its workloads, and the detail of one), the change
    // view and another metric: the same screens, parts of each change included.
    let pick = |app: &mut App, step: fn(&Step) -> bool| {
        select_costliest(app, step);
    };
    let is_cluster: fn(&Step) -> bool = |s| matches!(s, Step::Cluster(_));
    let is_namespace: fn(&Step) -> bool = |s| matches!(s, Step::Namespace(_));
    for app in [&mut full, &mut rolled] {
        pick(app, is_cluster);
    }
    for size in SIZES {
        assert_eq!(
            body(&render(&mut rolled, size)),
            body(&render(&mut full, size)),
            "top at {size:?}"
        );
    }
    for app in [&mut full, &mut rolled] {
        send(app, [Msg::Key(Key::plain(KeyCode::Enter))]);
        pick(app, is_namespace);
    }
    for size in SIZES {
        assert_eq!(
            body(&render(&mut rolled, size)),
            body(&render(&mut full, size)),
            "cluster at {size:?}"
        );
    }
    for app in [&mut full, &mut rolled] {
        send(app, [Msg::Key(Key::plain(KeyCode::Enter))]);
        select_workload_with_pods(app);
    }
    assert_eq!(
        rolled.level().unwrap().level.rows.len(),
        full.level().unwrap().level.rows.len()
    );
    // The workloads' table is the same; the detail pane of a workload waits for its pods.
    let r = text(&render(&mut rolled, (120, 40)));
    let f = text(&render(&mut full, (120, 40)));
    assert!(r.contains("top pods"), "{r}");
    assert!(r.contains("pods are still loading"), "{r}");
    let table = |s: &str| -> Vec<String> {
        s.lines()
            .skip(2)
            .map(|l| l.chars().take(80).collect())
            .collect()
    };
    assert_eq!(table(&r), table(&f));
    for app in [&mut full, &mut rolled] {
        send(app, [Msg::Key(Key::char('m'))]);
    }
    assert_eq!(table(&text(&render(&mut rolled, (120, 40)))), {
        table(&text(&render(&mut full, (120, 40))))
    });
    // Opening a workload waits; the status says why.
    let depth = rolled.levels.len();
    send(&mut rolled, [Msg::Key(Key::plain(KeyCode::Enter))]);
    assert_eq!(rolled.levels.len(), depth);
    assert_eq!(
        rolled.status.as_deref(),
        Some("pods are still loading from the cache: a moment")
    );
}

#[test]
fn the_full_facts_replace_the_rollup_where_the_user_is() {
    let mut rolled = opened_on_rollups();
    select_costliest(&mut rolled, |s| matches!(s, Step::Cluster(_)));
    send(&mut rolled, [Msg::Key(Key::plain(KeyCode::Enter))]);
    select_costliest(&mut rolled, |s| matches!(s, Step::Namespace(_)));
    send(&mut rolled, [Msg::Key(Key::plain(KeyCode::Enter))]);
    select_workload_with_pods(&mut rolled);
    let workload = rolled.level().unwrap().selected_row().unwrap().name.clone();
    let names = |app: &App| -> Vec<String> {
        app.levels
            .iter()
            .map(|l| l.selected_row().map(|r| r.name.clone()).unwrap_or_default())
            .collect()
    };
    let before = names(&rolled);
    // The full facts from the cache (a `Cached` again, of another read: other symbols).
    assert!(
        matches!(rolled.job().state, crate::app::JobState::Running { .. }),
        "the read is still running"
    );
    let generation = rolled.job().generation;
    let p = rolled.config.profiles[0].clone();
    let window = rolled.window;
    let mut full = crate::source::load(&crate::source::ReadRequest::new(
        &p,
        crate::app::fetch_span(window, rolled.as_of),
        rolled.as_of,
    ))
    .unwrap();
    full.cache = Some(crate::source::cached::CacheNote {
        cached: vec!["2026-03".into()],
        ..Default::default()
    });
    update(
        &mut rolled,
        Msg::Cached {
            profile: 0,
            generation,
            loaded: Box::new(full),
        },
    );
    assert!(!rolled.data().unwrap().rolled_up());
    assert_eq!(names(&rolled), before, "the same path and selections");
    assert!(matches!(
        rolled.levels[1].selected_row().unwrap().step,
        Step::Namespace(_)
    ));
    assert_eq!(
        rolled.level().unwrap().selected_row().unwrap().name,
        workload
    );
    // Now the pods open.
    send(&mut rolled, [Msg::Key(Key::plain(KeyCode::Enter))]);
    assert!(
        rolled
            .level()
            .unwrap()
            .level
            .rows
            .iter()
            .any(|r| matches!(r.step, Step::Pod(_))),
        "the workload's pods"
    );
}
