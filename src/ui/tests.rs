//! Panes rendered into ratatui's `TestBackend` at 80×24 and 120×40, in colour and without,
//! compared line by line with golden files in `tests/fixtures/ui/` (`CURTOP_BLESS=1` rewrites
//! them after a deliberate change; review the diff).

use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use super::draw;
use crate::alloc::Step;
use crate::app::testing::{fresh, select_costliest, send, started, started_focus, started_sharing};
use crate::app::{App, Cmd, DrawMode, Msg, run_command, update};
use crate::config::keys::{Key, KeyCode};
use crate::cur::attribution::Category;
use crate::cur::money::Money;
use crate::source::Loaded;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn render(app: &mut App, (w, h): (u16, u16)) -> Buffer {
    app.size = (w, h);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Compares with the golden file, line by line.
fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ui")
        .join(format!("{name}.txt"));
    if std::env::var_os("CURTOP_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with CURTOP_BLESS=1 to create it",
            path.display()
        )
    });
    for (i, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(
            a,
            e,
            "{name}: line {} differs\n--- actual ---\n{actual}",
            i + 1
        );
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "{name}: line count"
    );
}

/// Renders a scenario at both sizes, in colour and without; the text is the same in both
/// modes, colour never appears without colour, and the selection is always visible.
fn scenario(name: &str, app: &mut App) {
    for size in SIZES {
        app.display = DrawMode {
            color: true,
            ascii: false,
        };
        let colour = render(app, size);
        app.display = DrawMode {
            color: false,
            ascii: false,
        };
        let mono = render(app, size);
        let t = text(&colour);
        assert_eq!(t, text(&mono), "{name}: text must not depend on colour");
        golden(&format!("{name}-{}x{}", size.0, size.1), &t);
        for cell in mono.content() {
            assert!(
                matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                "{name}: colour without colour: {cell:?}"
            );
        }
        if app.level().is_some_and(|f| f.selected_row().is_some()) {
            assert!(
                mono.content()
                    .iter()
                    .any(|c| c.modifier.contains(Modifier::REVERSED)),
                "{name}: the selection needs reverse video without colour"
            );
            assert!(
                colour.content().iter().any(|c| c.bg == Color::Blue),
                "{name}: the selection is highlighted in colour"
            );
        }
        app.display = DrawMode {
            color: false,
            ascii: true,
        };
        let ascii = text(&render(app, size));
        assert!(
            ascii.is_ascii(),
            "{name}: --ascii drew {:?}",
            ascii.chars().filter(|c| !c.is_ascii()).collect::<String>()
        );
    }
}

/// Starts `app` (both profiles fetched) with every successful read passed through `alter`
/// first: a known spike, hostile text.
fn started_altered(mut app: App, alter: impl Fn(&mut Loaded)) -> App {
    crate::app::testing::start_with(&mut app, |p, window, as_of| {
        let mut loaded = crate::source::load(&crate::source::ReadRequest::new(p, window, as_of))?;
        alter(&mut loaded);
        Ok(loaded)
    });
    app
}

/// The test config's profiles with `budgets` on the demo one.
fn with_budgets(budgets: &str) -> App {
    let mut config = crate::app::testing::config();
    let budgeted = crate::config::Config::parse(
        &format!("[profiles.demo]\nsource = \"demo\"\n[profiles.demo.budgets]\n{budgets}\n"),
        "budgets.toml",
    )
    .unwrap();
    config.profiles[0].budgets = budgeted.profiles[0].budgets.clone();
    App::new(
        config,
        0,
        crate::app::testing::now(),
        DrawMode {
            color: true,
            ascii: false,
        },
    )
}

fn key(c: char) -> Msg {
    Msg::Key(Key::char(c))
}

fn enter() -> Msg {
    Msg::Key(Key::plain(KeyCode::Enter))
}

#[test]
fn overview() {
    let mut app = started();
    scenario("overview", &mut app);
}

/// A profile holding three providers' bills: the top level is the providers, each drilled
/// as a bill of its own.
#[test]
fn providers_level() {
    let mut app = started_focus(false);
    assert_eq!(
        app.level().unwrap().level.kind,
        crate::alloc::LevelKind::Providers
    );
    scenario("providers", &mut app);
    select_costliest(&mut app, |s| matches!(s, Step::Provider(_)));
    send(&mut app, [enter()]);
    scenario("provider", &mut app);
}

/// A bill in two currencies: the top level is the currencies, with no share and no total
/// over them; below one, its own providers or clusters.
#[test]
fn currencies_level() {
    let mut app = started_focus(true);
    let f = app.level().unwrap();
    assert_eq!(f.level.kind, crate::alloc::LevelKind::Currencies);
    scenario("currencies", &mut app);
    let t = text(&render(&mut app, (120, 40)));
    for needle in [
        "never added together",
        "in EUR, USD, never added",
        "EUR",
        "USD",
    ] {
        assert!(t.contains(needle), "lacks {needle}\n{t}");
    }
    let header: String = t.lines().take(2).collect();
    assert!(
        !header.contains("forecast"),
        "a bill forecast adds currencies\n{t}"
    );
    select_costliest(
        &mut app,
        |s| matches!(s, Step::Currency(c) if *c != crate::facts::NONE),
    );
    send(&mut app, [enter()]);
    scenario("currency", &mut app);
}

/// Amounts are written in their own currency: the euro bill's rows, totals, detail and change
/// in euros (`EUR ` without Unicode), the dollar bill's in dollars.
#[test]
fn amounts_are_written_in_their_currency() {
    let mut app = started_focus(true);
    let t = text(&render(&mut app, (120, 40)));
    let euro_row = t.lines().find(|l| l.contains("▸ EUR")).unwrap_or_default();
    let usd_row = t.lines().find(|l| l.contains("▸ USD")).unwrap_or_default();
    assert!(
        euro_row.contains("€415.00") && !euro_row.contains('$'),
        "{t}"
    );
    assert!(usd_row.contains('$') && !usd_row.contains('€'), "{t}");
    let eur = app
        .level()
        .unwrap()
        .level
        .rows
        .iter()
        .find(|r| r.name == "EUR")
        .unwrap()
        .step;
    select_costliest(&mut app, |s| *s == eur);
    send(&mut app, [enter()]);
    // The table with the detail pane, then the change view: below the header (which names
    // both currencies), no amount is in dollars.
    for toggle in [None, Some(key('c'))] {
        let on = toggle.is_some();
        send(&mut app, toggle);
        let t = text(&render(&mut app, (120, 40)));
        let body: String = t.lines().skip(2).collect::<Vec<_>>().join("\n");
        assert!(!body.contains('$') && body.contains('€'), "{t}");
        assert_eq!(app.change_view.is_some(), on, "{t}");
    }
    send(&mut app, [key('c')]);
    let t = text(&render(&mut app, (120, 40)));
    assert!(t.contains("total €415.00"), "{t}");
    app.display.ascii = true;
    let t = text(&render(&mut app, (120, 40)));
    assert!(t.contains("total EUR 415.00") && !t.contains('€'), "{t}");
}

#[test]
fn cluster_level() {
    let mut app = started();
    send(&mut app, [enter()]);
    scenario("cluster", &mut app);
}

#[test]
fn pod_detail() {
    let mut app = started();
    run_command(&mut app, "ns payments");
    assert_eq!(app.levels.len(), 3, "{:?}", app.status);
    select_workload_with_pods(&mut app);
    send(&mut app, [enter()]);
    select_costliest(&mut app, |s| matches!(s, Step::Pod(_)));
    let f = app.level().unwrap();
    assert!(matches!(f.selected_row().unwrap().step, Step::Pod(_)));
    scenario("pod", &mut app);
    // The pane shows what a pod is: its ARN, node and CPU/memory split.
    let t = text(&render(&mut app, (120, 40)));
    for needle in ["arn:aws:eks:", "node", "cpu", "memory", "by day"] {
        assert!(t.contains(needle), "pod detail lacks {needle}\n{t}");
    }
}

/// The built-in demo shares idle and `CloudWatch`: a SHARED IN column on the clusters and,
/// inside a cluster, on its namespaces, and the detail pane says by source; `s` turns
/// sharing off and the column goes, with the un-shared totals back.
#[test]
fn shared_in_column_and_detail() {
    let mut app = started_sharing();
    scenario("shared", &mut app);
    send(&mut app, [enter()]);
    select_costliest(&mut app, |s| matches!(s, Step::Namespace(_)));
    scenario("shared-cluster", &mut app);
    let t = text(&render(&mut app, (120, 40)));
    for needle in ["SHARED IN", "shared in:", "idle", "cloudwatch"] {
        assert!(t.contains(needle), "lacks {needle}\n{t}");
    }
    send(&mut app, [key('s')]);
    let t = text(&render(&mut app, (120, 40)));
    assert!(
        !t.contains("SHARED IN"),
        "sharing off keeps the column\n{t}"
    );
    assert!(t.contains("idle"), "idle is a row again\n{t}");
}

/// `e`: environments at the top (`unassigned` for what no rule reaches), then clusters.
#[test]
fn environment_view() {
    let mut app = started_sharing();
    send(&mut app, [key('e')]);
    scenario("env", &mut app);
    let t = text(&render(&mut app, (120, 40)));
    for needle in ["production", "staging", "development", "unassigned"] {
        assert!(t.contains(needle), "lacks {needle}\n{t}");
    }
    send(&mut app, [enter()]);
    scenario("env-production", &mut app);
}

#[test]
fn change_view_and_its_detail() {
    let mut app = started();
    send(&mut app, [enter(), key('c')]);
    assert!(app.change_view.is_some());
    scenario("change", &mut app);
    app.show_detail = Some(true);
    scenario("change-detail", &mut app);
    app.display = DrawMode {
        color: false,
        ascii: false,
    };
    let t = text(&render(&mut app, (120, 40)));
    for needle in [
        "change: namespaces by |Δ|",
        "USAGE",
        "why it changed",
        "⇒",
        "forecast $",
        "7-day run rate",
    ] {
        assert!(t.contains(needle), "the change view lacks {needle}\n{t}");
    }
    send(&mut app, [key('c')]);
    assert!(app.change_view.is_none());
    assert_eq!(
        app.sort,
        crate::app::nav::Sort::default(),
        "c again restores the sort"
    );
}

/// Month to date (the default `latest` window on 2026-03-15), every row has a FORECAST and
/// the table says it is the 7-day run rate; budgeted clusters and a namespace show spent and
/// forecast against their budget (within, forecast to exceed, exceeded), and the detail pane
/// says it in words.
#[test]
fn forecast_column_and_budgets() {
    use crate::alloc::budget::State;
    let mut app = with_budgets(
        "\"cluster/prod-use1\" = 3000\n\"cluster/staging-use1\" = 1500\n\
         \"cluster/dev-euw1\" = 700\n\"namespace/payments\" = 100",
    );
    let cmds = app.start();
    crate::app::testing::run(&mut app, cmds);
    let states: Vec<_> = app.budgets.iter().map(|b| b.state).collect();
    assert_eq!(
        states,
        [
            State::Within,
            State::ForecastToExceed,
            State::Exceeded,
            State::Exceeded
        ],
        "{:?}",
        app.budgets
    );
    scenario("budget", &mut app);
    let t = text(&render(&mut app, (120, 40)));
    for needle in [
        "FORECAST",
        "forecast: 7-day run rate",
        "BUDGET",
        "budget $3,000.00 a month",
        "spent 44%, forecast 92%",
    ] {
        assert!(t.contains(needle), "lacks {needle}\n{t}");
    }
    // The forecast column is the detail pane's forecast of the row.
    let prod = app.level().unwrap().selected_row().unwrap();
    let view = app.view().unwrap();
    let f = crate::alloc::forecast::of_series(&prod.series, &view).unwrap();
    assert!(
        t.contains(&format!("forecast {} by 03-31", f.projected)),
        "{t}"
    );
    // Inside prod-use1 the payments namespace has a budget; it covers payments everywhere.
    run_command(&mut app, "ns payments");
    app.levels.pop();
    scenario("budget-namespace", &mut app);
    app.display = DrawMode {
        color: false,
        ascii: false,
    };
    let t = text(&render(&mut app, (120, 40)));
    assert!(t.contains("⚠ exceeded"), "{t}");
    // A window that is not month to date has neither.
    run_command(&mut app, "window 7d");
    let t = text(&render(&mut app, (120, 40)));
    assert!(!t.contains("FORECAST") && !t.contains("BUDGET"), "{t}");
}

/// A known spike: the payments namespace ran three times its pods on 03-12
/// (quantity and cost), so in the last 7 days that day is `!` in its trend and the detail
/// pane lists it, decomposed against 03-11: all usage.
#[test]
fn an_anomaly_in_the_trend_and_the_detail_pane() {
    use crate::cur::metrics::Metric;
    use crate::facts::Dim;
    let mut fresh = fresh();
    fresh.window = crate::window::WindowSpec::LastDays(7);
    let spike = crate::cur::time::day_of(chrono::NaiveDate::from_ymd_opt(2026, 3, 12).unwrap());
    let mut app = started_altered(fresh, |loaded| {
        let facts = &mut loaded.facts;
        let payments = facts.strings.lookup("payments").unwrap();
        let mut added = crate::cur::metrics::Costs::default();
        for r in &mut facts.rows {
            if r.day == spike && r.category == Category::Pod && r.dim(Dim::Namespace) == payments {
                for m in Metric::ALL {
                    added[m] += Money(r.costs[m].0 * 2);
                    r.costs[m] = Money(r.costs[m].0 * 3);
                }
                r.quantity = crate::facts::Quantity(r.quantity.0 * 3);
            }
        }
        // The bill grew by as much, so the root still equals it.
        *facts.bill.entry(spike).or_default() += added;
    });
    run_command(&mut app, "ns payments");
    app.levels.pop();
    assert!(
        app.level()
            .unwrap()
            .selected_row()
            .is_some_and(|r| r.name == "payments"),
        "{:?}",
        app.status
    );
    scenario("anomaly", &mut app);
    app.display = DrawMode {
        color: false,
        ascii: false,
    };
    let t = text(&render(&mut app, (120, 40)));
    for needle in [
        "unusual days (! in the trend)",
        "03-12 $",
        "vs 03-11: usage +$",
    ] {
        assert!(t.contains(needle), "lacks {needle}\n{t}");
    }
    let payments_line = t.lines().find(|l| l.contains("▸ payments")).unwrap();
    assert!(payments_line.contains('!'), "{payments_line}");
    let narrow = text(&render(&mut app, (80, 24)));
    let payments_line = narrow.lines().find(|l| l.contains("▸ payments")).unwrap();
    assert!(payments_line.contains('!'), "{payments_line}");
}

#[test]
fn help_window_and_integrations_overlays() {
    let mut app = started();
    send(&mut app, [key('?')]);
    scenario("help", &mut app);
    send(&mut app, [Msg::Key(Key::plain(KeyCode::Esc)), key('w')]);
    scenario("window", &mut app);
    send(
        &mut app,
        [Msg::Key(Key::plain(KeyCode::Esc)), key('i'), key('j')],
    );
    scenario("integrations", &mut app);
}

#[test]
fn diagnostics_of_a_failed_profile() {
    let mut app = started();
    run_command(&mut app, "profile broken");
    scenario("diagnostics", &mut app);
    let t = text(&render(&mut app, (80, 24)));
    assert!(t.contains("path-not-found"), "{t}");
}

#[test]
fn loading_and_too_small() {
    let mut app = fresh();
    let _fetches = app.start();
    scenario("loading", &mut app);
    let t = text(&render(&mut app, (50, 12)));
    assert!(t.contains("terminal too small"), "{t}");
    assert!(t.contains("need 60x15, have 50x12"), "{t}");
}

#[test]
fn diagnostics_pane_of_a_passing_profile_and_a_run_in_progress() {
    let mut app = started();
    // `d` on the working demo profile: every check passes.
    send(&mut app, [key('d')]);
    scenario("doctor-passing", &mut app);
    app.display = DrawMode {
        color: true,
        ascii: false,
    };
    let t = text(&render(&mut app, (120, 40)));
    assert!(t.contains("checks of demo"), "{t}");
    assert!(t.contains("✓  tag coverage"), "{t}");
    assert!(!t.contains('✗'), "{t}");

    // Live: after the first check of a new run, the next one shows as running and the rest
    // as still to come.
    let cmds = update(&mut app, key('d'));
    let [Cmd::Doctor { generation, .. }] = cmds[..] else {
        panic!("{cmds:?}")
    };
    let first = app.jobs[0].doctor.as_ref().unwrap().names[0];
    let check = crate::diag::doctor::Check {
        name: first,
        status: crate::diag::doctor::Status::Pass,
        evidence: vec!["source = \"demo\"".into()],
        diagnosis: None,
    };
    update(
        &mut app,
        Msg::DoctorCheck {
            profile: 0,
            generation,
            check: Box::new(check),
        },
    );
    scenario("doctor-running", &mut app);
    app.display = DrawMode {
        color: true,
        ascii: false,
    };
    let t = text(&render(&mut app, (120, 40)));
    assert!(t.contains("✓  config valid"), "{t}");
    assert!(
        t.contains(&format!("…  {:<26}running", "delivery found")),
        "{t}"
    );
    assert!(t.contains("   tag coverage"), "{t}");
}

#[test]
fn a_long_diagnosis_scrolls_to_its_end_and_no_further() {
    let mut app = started();
    run_command(&mut app, "profile broken");
    let top = text(&render(&mut app, (80, 24)));
    assert!(!top.contains("skipped because"), "{top}");
    // Far past the end: the last screenful, ending with the keys.
    send(&mut app, (0..60).map(|_| key('j')));
    let bottom = text(&render(&mut app, (80, 24)));
    assert!(bottom.contains("skipped because"), "{bottom}");
    assert!(bottom.contains("r retry"), "{bottom}");
    assert!(!bottom.contains("config valid"), "{bottom}");
    let lines: Vec<&str> = bottom.lines().collect();
    assert!(
        lines[lines.len() - 3].contains("r retry") || lines[lines.len() - 4].contains("r retry"),
        "{bottom}"
    );
    send(&mut app, (0..60).map(|_| key('k')));
    assert_eq!(text(&render(&mut app, (80, 24))), top);
}

/// Hostile tag values and paths (issue 18): the panes draw them, but no control character
/// reaches the terminal — ratatui drops control graphemes when it lays out text, and this
/// proves it for the cost table, the breadcrumb, the detail pane and the header.
#[test]
fn control_characters_in_data_never_reach_the_terminal() {
    use crate::facts::Dim;
    const EVIL: &str = "evil\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}31m\u{7f}";
    let mut app = started_altered(fresh(), |loaded| {
        let evil = loaded.facts.strings.intern(EVIL);
        let payments = loaded.facts.strings.lookup("payments").unwrap();
        for row in &mut loaded.facts.rows {
            if row.dim(Dim::Namespace) == payments {
                row.dims[Dim::Namespace as usize] = evil;
            }
        }
        loaded.origin = format!("/data/{EVIL}");
    });
    let mut screens = vec![render(&mut app, (120, 40))];
    send(&mut app, [enter()]);
    screens.push(render(&mut app, (120, 40)));
    let evil_row = text(screens.last().unwrap())
        .lines()
        .position(|l| l.contains("evil]0;PWNED"));
    assert!(evil_row.is_some(), "{}", text(screens.last().unwrap()));
    run_command(&mut app, &format!("ns {EVIL}"));
    screens.push(render(&mut app, (120, 40)));
    send(&mut app, [key('d')]);
    screens.push(render(&mut app, (120, 40)));
    for buf in &screens {
        for cell in &buf.content {
            assert!(
                !cell.symbol().chars().any(char::is_control),
                "a control character in a cell: {:?}\n{}",
                cell.symbol(),
                text(buf)
            );
        }
    }
}

/// Selects the costliest workload of the shown level that runs pods.
fn select_workload_with_pods(app: &mut App) {
    let data = app.data().unwrap().clone();
    let facts = data.shown(app.sharing);
    let step = app
        .level()
        .unwrap()
        .level
        .rows
        .iter()
        .filter(|r| matches!(r.step, Step::Workload { .. }))
        .filter(|r| {
            r.facts
                .iter()
                .any(|&i| facts.rows[i as usize].category == Category::Pod)
        })
        .max_by_key(|r| r.cost)
        .unwrap()
        .step;
    app.levels.last_mut().unwrap().select_step(step);
}

/// A warm start opened on the cache's roll-ups.
mod rollup;
