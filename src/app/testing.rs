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
            let read = source::load(&source::ReadRequest::new(&p, window, app.as_of));
            answer(app, profile, generation, read);
        }
    }
}

/// Feeds a fetch's result back as the runtime would, and runs what follows.
fn answer(
    app: &mut App,
    profile: usize,
    generation: u64,
    read: Result<source::Loaded, source::error::SourceError>,
) {
    let result = read.map(Box::new).map_err(|e| crate::diag::diagnose(&e));
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

/// The dashboard of one `focus` profile over the demo bill as an AWS FOCUS export with an
/// Azure- and a Google Cloud-shaped file beside it (three providers), read from memory; with
/// `euro`, also an Azure bill in EUR (two currencies), as a combined profile would read them.
pub fn started_focus(euro: bool) -> App {
    let config = Config::parse(
        "[profiles.clouds]\nsource = \"focus\"\npath = \"/srv/billing/focus\"\n",
        "test.toml",
    )
    .unwrap();
    let mut app = App::new(
        config,
        0,
        now(),
        DrawMode {
            color: true,
            ascii: false,
        },
    );
    start_with(&mut app, |p, window, as_of| {
        let req = source::ReadRequest::new(p, window, as_of);
        let mut loaded = read_memory(&demo_focus(), "demo FOCUS export", &req);
        if euro {
            let mut eur = source::store::MemStore::new();
            eur.put(
                "azure-eur.csv",
                "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory,ChargePeriodStart,\
                 ProviderName,ServiceName,SubAccountId,ResourceId,Tags\n\
                 310.00,295.00,EUR,Usage,2026-03-10T00:00:00Z,Microsoft,Virtual Machines,sub-eu,\
                 vmss-1,\"{\"\"aks-managed-cluster-name\"\": \"\"aks-paris\"\"}\"\n\
                 120.00,120.00,EUR,Usage,2026-03-11T00:00:00Z,Microsoft,Storage,sub-eu,disk-1,\n"
                    .as_bytes()
                    .to_vec(),
            );
            let eur = read_memory(&eur, "azure-eur.csv", &req);
            loaded.facts = crate::facts::combine(vec![loaded.facts, eur.facts]);
            source::focus::warn_currencies(&mut loaded.facts.quality);
            loaded.origin = "combined: demo FOCUS export + azure-eur.csv".into();
        }
        Ok(loaded)
    });
    app
}

/// Starts `app`, answering each profile's first fetch with what `read` gives for it (its
/// profile, window and the app's moment), and running what follows.
pub fn start_with(
    app: &mut App,
    read: impl Fn(
        &crate::config::Profile,
        crate::window::WindowSpec,
        AsOf,
    ) -> Result<source::Loaded, source::error::SourceError>,
) {
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
        let result = read(&p, window, app.as_of);
        answer(app, profile, generation, result);
    }
}

/// The demo bill (seed 7, 30 days to the tests' today) as a FOCUS export with the other clouds'
/// files, in memory.
fn demo_focus() -> source::store::MemStore {
    let end = now().today().succ_opt().unwrap();
    let mut spec = crate::demo::DemoSpec::demo(7, 30, end);
    spec.layout = crate::demo::Layout::Focus { other_clouds: true };
    source::demo::generate_in_memory(&spec).unwrap().0
}

/// Reads an in-memory export for `req`, named `origin`.
fn read_memory(
    store: &source::store::MemStore,
    origin: &str,
    req: &source::ReadRequest<'_>,
) -> source::Loaded {
    use source::store::Store as _;
    let delivery = match store.list().unwrap().as_slice() {
        [one] => source::discover::Delivery::single(one).unwrap(),
        _ => source::discover::discover(store, origin).unwrap(),
    };
    source::read_store(store, delivery, origin.into(), req).unwrap()
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
