//! `update` driven by message sequences: no terminal, no runtime, no sleeps.

use super::nav::SortKey;
use super::*;
use crate::alloc::{LevelKind, Step};
use crate::config::keys::{Key, KeyCode};
use crate::cur::metrics::Metric;
use crate::cur::money::Money;
use crate::facts::Dim;
use crate::source;
use crate::window::WindowSpec;

use super::testing::{config, now, run, select_costliest, send, started, started_sharing};

fn key(c: char) -> Msg {
    Msg::Key(Key::char(c))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(Key::plain(code))
}

fn selected(app: &App) -> String {
    app.level().unwrap().selected_row().unwrap().name.clone()
}

#[test]
fn a_failing_profile_does_not_block_the_other() {
    let app = started();
    assert!(matches!(app.jobs[0].state, JobState::Ready));
    assert!(matches!(app.jobs[1].state, JobState::Failed(_)));
    assert_eq!(app.levels.len(), 1);
    let root = &app.levels[0].level;
    let view = app.view().unwrap();
    let bill = app
        .data()
        .unwrap()
        .facts
        .bill_total(view.window.start, view.window.end);
    assert_eq!(root.total, bill[Metric::Amortized]);
}

#[test]
fn drill_down_three_levels_and_back_remembers_the_selection() {
    let mut app = started();
    send(&mut app, [key('j')]);
    let second = selected(&app);
    send(&mut app, [key('k'), key('j')]);
    assert_eq!(selected(&app), second);
    send(&mut app, [key('g'), code(KeyCode::Enter)]);
    assert_eq!(app.levels.len(), 2);
    let cluster = app.breadcrumb()[1].clone();
    // Into the costliest namespace, then its costliest workload.
    let ns_row = select_costliest(&mut app, |s| matches!(s, Step::Namespace(_)));
    send(&mut app, [key('l'), key('l')]);
    assert_eq!(app.levels.len(), 4);
    assert_eq!(app.level().unwrap().level.kind, LevelKind::Workload);
    assert_eq!(app.breadcrumb()[1], cluster);
    send(&mut app, [key('j'), code(KeyCode::Esc), key('h')]);
    assert_eq!(app.levels.len(), 2);
    assert_eq!(app.level().unwrap().selected_row().unwrap().step, ns_row);
    send(&mut app, [code(KeyCode::Backspace)]);
    assert_eq!(app.levels.len(), 1);
    send(&mut app, [code(KeyCode::Backspace)]);
    assert_eq!(app.levels.len(), 1, "the top stays");
}

#[test]
fn filter_types_live_inverts_and_esc_clears() {
    let mut app = started();
    let all = app.level().unwrap().order.len();
    send(&mut app, [key('/'), key('u'), key('n'), key('a')]);
    assert_eq!(app.mode, Mode::Filter);
    assert_eq!(app.level().unwrap().order.len(), 1);
    assert_eq!(selected(&app), "unallocated");
    send(&mut app, [code(KeyCode::Enter)]);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.level().unwrap().filter, "una");
    send(
        &mut app,
        [
            key('/'),
            code(KeyCode::Backspace),
            code(KeyCode::Backspace),
            code(KeyCode::Backspace),
            key('!'),
            key('u'),
            key('n'),
            key('a'),
            code(KeyCode::Enter),
        ],
    );
    assert_eq!(app.level().unwrap().order.len(), all - 1);
    // Esc in normal mode clears the filter before it leaves the level.
    send(&mut app, [code(KeyCode::Esc)]);
    assert_eq!(app.level().unwrap().order.len(), all);
    send(
        &mut app,
        [key('/'), key('x'), key('y'), key('z'), code(KeyCode::Esc)],
    );
    assert_eq!(app.level().unwrap().filter, "");
}

#[test]
fn sort_keys_toggle_and_reverse() {
    let mut app = started();
    let costs = |app: &App| -> Vec<Money> {
        let f = app.level().unwrap();
        f.order
            .iter()
            .map(|&i| f.level.rows[i as usize].cost)
            .collect()
    };
    let c = costs(&app);
    assert!(
        c.windows(2).all(|w| w[0] >= w[1]),
        "highest first by default"
    );
    send(&mut app, [key('C')]);
    let c = costs(&app);
    assert!(c.windows(2).all(|w| w[0] <= w[1]), "C again reverses");
    send(&mut app, [key('N')]);
    let f = app.level().unwrap();
    let names: Vec<String> = f
        .order
        .iter()
        .map(|&i| f.level.rows[i as usize].name.to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    send(&mut app, [key('D')]);
    assert_eq!(app.sort.key, SortKey::Delta);
}

#[test]
fn metric_and_window_changes_keep_the_path_and_reconcile() {
    let mut app = started();
    send(&mut app, [code(KeyCode::Enter)]);
    let path = app.path();
    let before = app.level().unwrap().level.total;
    send(&mut app, [key('m')]);
    assert_eq!(app.metric, Metric::Net);
    assert_eq!(app.path(), path);
    send(&mut app, [key('m'), key('m')]);
    assert_eq!(app.metric, Metric::Unblended);
    assert_ne!(app.level().unwrap().level.total, before);
    // Window picker: down to "last 7 days" and choose it.
    send(&mut app, [key('w')]);
    assert!(matches!(app.mode, Mode::WindowPicker { .. }));
    send(
        &mut app,
        [key('g'), key('j'), key('j'), code(KeyCode::Enter)],
    );
    assert_eq!(app.window, WindowSpec::LastDays(7));
    assert_eq!(app.view().unwrap().window.days(), 7);
    assert_eq!(
        app.path(),
        path,
        "the cluster still exists in the new window"
    );
    let view = app.view().unwrap();
    let facts = &app.data().unwrap().facts;
    let root = &app.levels[0].level;
    assert_eq!(
        root.total,
        facts.bill_total(view.window.start, view.window.end)[Metric::Unblended]
    );
    // Custom window typed in the picker.
    send(&mut app, [key('w'), key('G'), code(KeyCode::Enter)]);
    for c in "2026-03-01..2026-03-08".chars() {
        send(&mut app, [key(c)]);
    }
    send(&mut app, [code(KeyCode::Enter)]);
    assert_eq!(app.window.to_string(), "2026-03-01..2026-03-08");
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn commands_jump_switch_and_report_errors() {
    let mut app = started();
    let ns = {
        let data = app.data().unwrap();
        let facts = &data.facts;
        facts
            .rows
            .iter()
            .find(|r| r.category == crate::cur::attribution::Category::Pod)
            .map(|r| facts.text(r, Dim::Namespace).to_string())
            .unwrap()
    };
    for c in format!(":ns {ns}").chars() {
        send(&mut app, [key(c)]);
    }
    send(&mut app, [code(KeyCode::Enter)]);
    assert_eq!(app.levels.len(), 3, "{:?}", app.status);
    assert_eq!(app.breadcrumb()[2], ns);
    for line in ["metric on-demand", "window 30d"] {
        run_command(&mut app, line);
    }
    assert_eq!(app.metric, Metric::OnDemand);
    assert_eq!(app.window, WindowSpec::LastDays(30));
    run_command(&mut app, "ns no-such-namespace");
    assert!(
        app.status
            .as_deref()
            .unwrap()
            .contains("no namespace named")
    );
    run_command(&mut app, "frobnicate");
    assert!(app.status.as_deref().unwrap().contains("unknown command"));
    run_command(&mut app, "profile broken");
    assert_eq!(app.active, 1);
    assert!(app.levels.is_empty());
    assert!(matches!(app.job().state, JobState::Failed(_)));
    run_command(&mut app, "profile demo");
    assert_eq!(app.active, 0);
    assert_eq!(app.levels.len(), 1);
    run_command(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn stale_results_are_dropped_and_progress_is_shown() {
    let mut app = App::new(
        config(),
        0,
        now(),
        DrawMode {
            color: false,
            ascii: true,
        },
    );
    let first = app.start();
    // The user refreshes before the first fetch answers.
    let second = update(&mut app, key('r'));
    let (
        Cmd::Fetch {
            generation: g1,
            window,
            ..
        },
        Cmd::Fetch { generation: g2, .. },
    ) = (&first[0], &second[0])
    else {
        panic!("fetches expected")
    };
    assert!(g2 > g1);
    update(
        &mut app,
        Msg::Progress {
            profile: 0,
            generation: *g2,
            progress: FetchProgress {
                parts_done: 1,
                parts_total: 4,
                bytes_read: 10,
                bytes_total: 40,
                ..FetchProgress::default()
            },
        },
    );
    assert!(matches!(
        app.job().state,
        JobState::Running {
            progress: FetchProgress { parts_done: 1, .. },
            ..
        }
    ));
    let p = app.config.profiles[0].clone();
    let loaded = source::load(&source::ReadRequest::new(&p, *window, app.as_of)).unwrap();
    update(
        &mut app,
        Msg::Fetched {
            profile: 0,
            generation: *g1,
            result: Ok(Box::new(loaded)),
        },
    );
    assert!(
        app.data().is_none(),
        "an old generation's result is dropped"
    );
    assert!(app.job().log.iter().any(|l| l.contains("stale")));
    // Keys keep working while the fetch runs.
    update(&mut app, key('?'));
    assert_eq!(app.mode, Mode::Help);
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, Msg::Quit);
    assert!(app.quit);
}

#[test]
fn integrations_pane_switches_profile_and_refreshes() {
    let mut app = started();
    send(&mut app, [key('i')]);
    assert_eq!(app.mode, Mode::Integrations { selected: 0 });
    let cmds = update(&mut app, key('r'));
    assert!(matches!(cmds[..], [Cmd::Fetch { profile: 0, .. }]));
    run(&mut app, cmds);
    send(&mut app, [key('j'), code(KeyCode::Enter)]);
    assert_eq!(app.active, 1);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn copy_gives_a_one_line_summary() {
    let mut app = started();
    let cmds = update(&mut app, key('y'));
    let [Cmd::Copy(text)] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert!(text.starts_with("all > "), "{text}");
    assert!(
        text.contains("amortized") && text.contains("[demo]"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}

#[test]
fn refresh_keeps_the_path_by_name() {
    let mut app = started();
    send(&mut app, [code(KeyCode::Enter), key('j')]);
    let path = app.breadcrumb();
    let sel = selected(&app);
    send(&mut app, [key('r')]);
    assert_eq!(app.breadcrumb(), path);
    assert_eq!(selected(&app), sel);
}

#[test]
fn a_failed_fetch_runs_the_checks_and_y_copies_them() {
    let mut app = started();
    // The broken profile's fetch failed, so its checks ran.
    let run = app.jobs[1]
        .doctor
        .as_ref()
        .expect("checks ran after the failure");
    assert!(run.done);
    assert_eq!(
        run.checks[1].name,
        crate::diag::doctor::CheckId::DeliveryFound
    );
    assert_eq!(run.checks[1].status, crate::diag::doctor::Status::Fail);
    assert!(
        app.jobs[0].doctor.is_none(),
        "a working profile is not checked unasked"
    );
    run_command(&mut app, "profile broken");
    let cmds = update(&mut app, key('y'));
    let [Cmd::Copy(text)] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert!(text.starts_with("profile broken (local)\n"), "{text}");
    assert!(text.contains("[FAIL] delivery found"), "{text}");
    assert!(text.contains("diagnosis [path-not-found]"), "{text}");
    assert!(
        text.contains("fix 1. check the folder: ls -la /nonexistent/curtop-test"),
        "{text}"
    );
    assert!(
        text.contains("[skip] tag coverage (because `delivery found` failed)"),
        "{text}"
    );
    assert!(
        app.status
            .as_deref()
            .unwrap_or("")
            .contains("copied the diagnosis of broken")
    );
}

#[test]
fn d_checks_the_active_profile_and_stale_checks_are_dropped() {
    let mut app = started();
    let cmds = update(&mut app, key('d'));
    assert_eq!(app.mode, Mode::Integrations { selected: 0 });
    let [
        Cmd::Doctor {
            profile: 0,
            generation,
            read_failed: None,
        },
    ] = cmds[..]
    else {
        panic!("{cmds:?}")
    };
    // A second `d` before the first run answers: the first run's checks are dropped.
    let again = update(&mut app, key('d'));
    assert!(
        matches!(again[..], [Cmd::Doctor { profile: 0, generation: g, read_failed: None }] if g == generation + 1)
    );
    run(&mut app, cmds);
    let job = &app.jobs[0];
    assert!(
        job.doctor
            .as_ref()
            .is_some_and(|d| d.checks.is_empty() && !d.done)
    );
    run(&mut app, again);
    let d = app.jobs[0].doctor.as_ref().unwrap();
    assert!(d.done);
    assert_eq!(d.checks.len(), d.names.len());
    assert!(
        d.checks
            .iter()
            .all(|c| c.status == crate::diag::doctor::Status::Pass),
        "{:?}",
        d.checks
    );
    // `y` in the integrations pane copies the selected profile's checks.
    let cmds = update(&mut app, key('y'));
    let [Cmd::Copy(text)] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert!(text.contains("[pass] tag coverage"), "{text}");
}

#[test]
fn diagnosis_scroll_resets_with_another_profile() {
    let mut app = started();
    run_command(&mut app, "profile broken");
    send(&mut app, [key('j'), key('j'), key('j'), key('k')]);
    assert_eq!(app.diag_scroll, 2);
    run_command(&mut app, "profile demo");
    assert_eq!(app.diag_scroll, 0);
    // In the integrations pane j/k move the selection; PgDn scrolls the diagnosis.
    send(&mut app, [key('i'), key('j')]);
    assert_eq!(app.mode, Mode::Integrations { selected: 1 });
    send(&mut app, [code(KeyCode::PageDown)]);
    assert!(app.diag_scroll > 0);
    send(&mut app, [key('k')]);
    assert_eq!(app.diag_scroll, 0);
}

#[test]
fn the_first_screen_holds_on_every_date() {
    // The demo bill ends on the day the dashboard opens; the default window is its latest
    // billing period (from the one before while the latest has under a week of billed days),
    // and days inside the 48 h lag are provisional, wherever the date falls.
    for date in crate::clock::test_dates() {
        let as_of = crate::clock::AsOf::date(date);
        let display = DrawMode {
            color: true,
            ascii: false,
        };
        let mut app = App::new(config(), 0, as_of, display);
        let cmds = app.start();
        run(&mut app, cmds);
        assert!(matches!(app.jobs[0].state, JobState::Ready), "{date}");
        let view = app.view().unwrap_or_else(|| panic!("{date}: no view"));
        let today = as_of.day();
        assert_eq!(view.window.end, today + 1, "{date}: the window ends today");
        let latest = crate::cur::time::month_start(today);
        let start = if today - latest < crate::window::MIN_BILLED_DAYS {
            crate::cur::time::month_start(latest - 1)
        } else {
            latest
        };
        assert_eq!(view.window.start, start, "{date}: the default window");
        assert!(
            today - view.window.start >= crate::window::MIN_BILLED_DAYS,
            "{date}"
        );
        assert_eq!(view.provisional_from, today - 2, "{date}");
        let root = &app.levels[0].level;
        let bill = app
            .data()
            .unwrap()
            .facts
            .bill_total(view.window.start, view.window.end);
        assert_eq!(root.total, bill[Metric::Amortized], "{date}");
        assert!(root.total > Money::ZERO, "{date}: an empty first screen");
        assert!(
            root.rows.iter().any(|r| r.provisional),
            "{date}: today's costs are provisional"
        );
    }
}

#[test]
fn q_quits_from_an_internal_error_screen() {
    let mut app = started();
    let cmds = update(&mut app, key('r'));
    let [Cmd::Fetch { generation, .. }] = &cmds[..] else {
        panic!("r starts a fetch: {cmds:?}");
    };
    let d = crate::runtime::internal_error("task 7 panicked");
    assert!(d.fixes.iter().any(|f| f.contains("q to quit")));
    update(
        &mut app,
        Msg::Fetched {
            profile: 0,
            generation: *generation,
            result: Err(d),
        },
    );
    assert!(matches!(app.job().state, JobState::Failed(_)));
    assert!(!app.quit);
    update(&mut app, key('q'));
    assert!(app.quit, "q quits with the internal error on screen");
}

/// The change parts of every row are taken from the facts the rows index (the shared ones
/// while sharing is on), so they add up to each row's Δ — before and after a metric change,
/// with sharing on and off.
#[test]
fn change_parts_add_up_to_each_rows_delta_with_sharing_on_and_off() {
    let mut app = started_sharing();
    assert!(
        app.data().unwrap().shared.is_some(),
        "the profile shares costs"
    );
    for keys in [
        vec![],
        vec![key('m')],
        vec![key('s')],
        vec![key('m'), key('s')],
    ] {
        send(&mut app, keys);
        let facts = app.facts().unwrap();
        let change = app.change.clone().unwrap();
        for row in &app.level().unwrap().level.rows {
            assert_eq!(
                change.parts(facts, &row.facts).sum(),
                row.cost - row.prev,
                "{} (metric {:?}, sharing {})",
                row.name,
                app.metric,
                app.sharing
            );
        }
    }
}
