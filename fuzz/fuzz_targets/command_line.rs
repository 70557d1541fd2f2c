//! The dashboard's `:` command line: any text run as a command against the demo dashboard
//! with its data loaded (the app state is kept between runs, as a session would keep it).
#![no_main]

use std::cell::RefCell;

use curtop::app::{App, Cmd, DrawMode, Msg, run_command, update};
use curtop::clock::AsOf;
use curtop::config::Config;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static APP: RefCell<App> = RefCell::new(started());
}

/// The demo dashboard at a fixed date, its one profile fetched.
fn started() -> App {
    let as_of = AsOf::date(chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap_or_default());
    let display = DrawMode { color: false, ascii: true };
    let mut app = App::new(Config::demo(), 0, as_of, display);
    let cmds = app.start();
    fetch(&mut app, cmds);
    app
}

/// Runs the fetches a command asked for, synchronously.
fn fetch(app: &mut App, cmds: Vec<Cmd>) {
    for cmd in cmds {
        if let Cmd::Fetch { profile, generation, window } = cmd {
            let p = app.config.profiles[profile].clone();
            let result = curtop::source::load(&curtop::source::ReadRequest::new(&p, window, app.as_of))
                .map(Box::new)
                .map_err(|e| curtop::diag::diagnose(&e));
            let more = update(app, Msg::Fetched { profile, generation, result });
            fetch(app, more);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    APP.with(|app| {
        let mut app = app.borrow_mut();
        let cmds = run_command(&mut app, line);
        fetch(&mut app, cmds);
    });
});
