//! The dashboard's runtime: the terminal (raw mode, alternate screen, always restored), the
//! event sources (keys and resizes from a reader thread, SIGHUP/SIGTERM/SIGINT from tokio),
//! and the executor of [`Cmd`]s (fetches as tokio tasks that report progress and results in
//! messages). The loop blocks on the next message: nothing is redrawn while nothing happens.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEventKind, KeyModifiers};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::app::{self, App, Cmd, FetchProgress, Msg};
use crate::clock::Clock;
use crate::config::keys::{Key, KeyCode};
use crate::diag::{self, Diagnosis, Severity};
use crate::source::{self, local::Progress};
use crate::ui;

/// Restores the terminal when dropped: on a normal exit, an error or an unwinding panic.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// The signal that ended the dashboard (0: none), for the exit code a shell expects.
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

/// Runs the dashboard until the user quits or a signal arrives. Returns the exit code: 0, or
/// 128 + the signal's number after SIGHUP (129), SIGINT (130) or SIGTERM (143), once the
/// terminal is restored.
pub fn run(app: App, clock: Clock) -> io::Result<i32> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(event_loop(app, clock));
    // Reads still running (a refresh made them stale) are not waited for.
    runtime.shutdown_background();
    result?;
    Ok(match SIGNALLED.load(Ordering::Relaxed) {
        0 => 0,
        signal => 128 + signal,
    })
}

async fn event_loop(mut app: App, clock: Clock) -> io::Result<()> {
    let (tx, mut rx) = unbounded_channel::<Msg>();
    // Raw mode and the alternate screen, restored by `Restore` on every way out (an unwinding
    // panic included). A panic's text would be drawn over the screen and be lost: while the
    // dashboard is up it goes to a log file instead, which the internal-error diagnosis names.
    let _log = crate::panics::log_to(&crate::panics::dashboard_log_path());
    ratatui::crossterm::terminal::enable_raw_mode()?;
    let _restore = Restore;
    ratatui::crossterm::execute!(
        io::stdout(),
        ratatui::crossterm::terminal::EnterAlternateScreen
    )?;
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))?;
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    spawn_input(tx.clone());
    spawn_signals(&tx);
    // The progress (and cancel flag) of each profile's running read.
    let mut running: HashMap<usize, Arc<Progress>> = HashMap::new();
    let cmds = app.start();
    execute(&app, cmds, &tx, &mut running);
    terminal.draw(|f| ui::draw(f, &app))?;
    while let Some(msg) = rx.recv().await {
        app.as_of = clock.now();
        let mut cmds = app::update(&mut app, msg);
        // Coalesce what is already queued (key repeat, progress bursts) into one frame.
        while !app.quit
            && let Ok(msg) = rx.try_recv()
        {
            cmds.extend(app::update(&mut app, msg));
        }
        if app.quit {
            break;
        }
        running.retain(|_, p| Arc::strong_count(p) > 1);
        execute(&app, cmds, &tx, &mut running);
        terminal.draw(|f| ui::draw(f, &app))?;
    }
    // Reads still running stop at their next part instead of downloading for nobody.
    for p in running.values() {
        p.cancel();
    }
    Ok(())
}

/// Keys and resizes, read on a plain thread (crossterm's reader blocks).
fn spawn_input(tx: UnboundedSender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match key_of(&k) {
                    Some(key) => Msg::Key(key),
                    None => continue,
                },
                Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                Ok(_) => continue,
                // The terminal is gone (SSH dropped): leave.
                Err(_) => Msg::Quit,
            };
            let quit = matches!(msg, Msg::Quit);
            if tx.send(msg).is_err() || quit {
                return;
            }
        }
    });
}

/// SIGHUP (the SSH connection dropped), SIGTERM and SIGINT become a quit message, so the
/// terminal is restored on the way out.
fn spawn_signals(tx: &UnboundedSender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    for (kind, number) in [
        (SignalKind::hangup(), 1),
        (SignalKind::terminate(), 15),
        (SignalKind::interrupt(), 2),
    ] {
        let tx = tx.clone();
        // Without a handler the signal keeps its default action (the process ends); nothing
        // better can be done when the handler cannot be installed.
        if let Ok(mut stream) = signal(kind) {
            tokio::spawn(async move {
                if stream.recv().await.is_some() {
                    let _ =
                        SIGNALLED.compare_exchange(0, number, Ordering::Relaxed, Ordering::Relaxed);
                    let _ = tx.send(Msg::Quit);
                }
            });
        }
    }
}

/// A terminal key as curtop's own [`Key`].
fn key_of(k: &event::KeyEvent) -> Option<Key> {
    use event::KeyCode as C;
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let code = match k.code {
        C::Char(c) if ctrl => return Some(Key::ctrl(c.to_ascii_lowercase())),
        C::Char(c) => KeyCode::Char(c),
        C::Enter => KeyCode::Enter,
        C::Esc => KeyCode::Esc,
        C::Backspace => KeyCode::Backspace,
        C::Tab | C::BackTab => KeyCode::Tab,
        C::Up => KeyCode::Up,
        C::Down => KeyCode::Down,
        C::Left => KeyCode::Left,
        C::Right => KeyCode::Right,
        C::Home => KeyCode::Home,
        C::End => KeyCode::End,
        C::PageUp => KeyCode::PageUp,
        C::PageDown => KeyCode::PageDown,
        C::Delete => KeyCode::Delete,
        _ => return None,
    };
    Some(Key { code, ctrl })
}

fn execute(
    app: &App,
    cmds: Vec<Cmd>,
    tx: &UnboundedSender<Msg>,
    running: &mut HashMap<usize, Arc<Progress>>,
) {
    for cmd in cmds {
        match cmd {
            Cmd::Fetch {
                profile,
                generation,
                window,
            } => {
                let p = app.config.profiles[profile].clone();
                let as_of = app.as_of;
                let tx = tx.clone();
                let progress = Arc::new(Progress::default());
                // A newer read of the same profile replaces the running one: stop that one.
                if let Some(old) = running.insert(profile, Arc::clone(&progress)) {
                    old.cancel();
                }
                let job = Fetch {
                    profile: p,
                    index: profile,
                    generation,
                    window,
                    as_of,
                    cache: app.cache.clone(),
                    // Nothing on screen yet (or only the cache's roll-up): show the cache's
                    // facts while the source is read.
                    open_cached: app.jobs[profile]
                        .data
                        .as_ref()
                        .is_none_or(|d| d.rolled_up()),
                };
                tokio::spawn(fetch(job, progress, tx));
            }
            Cmd::Doctor {
                profile,
                generation,
                read_failed,
            } => {
                let p = app.config.profiles[profile].clone();
                let as_of = app.as_of;
                let tx = tx.clone();
                // The checks block (STS, the read): a thread of the blocking pool, each check
                // sent as it ends.
                tokio::task::spawn_blocking(move || {
                    crate::source::doctor::check_profile_live(
                        &p,
                        as_of,
                        read_failed.as_deref(),
                        &mut |check| {
                            let _ = tx.send(Msg::DoctorCheck {
                                profile,
                                generation,
                                check: Box::new(check.clone()),
                            });
                        },
                    );
                    let _ = tx.send(Msg::DoctorDone {
                        profile,
                        generation,
                    });
                });
            }
            Cmd::Copy(text) => {
                // OSC 52: the terminal (also over SSH, and tmux with set-clipboard) puts the
                // text on the user's clipboard.
                let mut out = io::stdout().lock();
                let _ = write!(out, "\x1b]52;c;{}\x07", base64(text.as_bytes()));
                let _ = out.flush();
            }
        }
    }
}

/// One profile's read, as the runtime was asked for it.
struct Fetch {
    profile: crate::config::Profile,
    index: usize,
    generation: u64,
    window: crate::window::WindowSpec,
    as_of: crate::clock::AsOf,
    cache: Option<(crate::cache::Cache, crate::cache::CacheMode)>,
    /// Send the cache's facts first (`Msg::Cached`), then read the source.
    open_cached: bool,
}

/// One profile's read, on a blocking thread, with its progress polled while it runs. With a
/// cache, what it holds is sent first, so the dashboard opens on it while the source is read.
async fn fetch(job: Fetch, progress: Arc<Progress>, tx: UnboundedSender<Msg>) {
    use crate::cache::CacheMode;
    let Fetch {
        profile,
        index,
        generation,
        window,
        as_of,
        cache,
        open_cached,
    } = job;
    let counters = Arc::clone(&progress);
    let cached_tx = tx.clone();
    let mut read = tokio::task::spawn_blocking(move || {
        let req = source::ReadRequest::new(&profile, window, as_of).with_progress(&counters);
        let Some((cache, mode)) = &cache else {
            return source::load(&req);
        };
        if !open_cached || *mode != CacheMode::Use {
            return source::load(&req.with_cache(cache, *mode));
        }
        // Nothing on screen yet: the cache's roll-ups first (the first frame, at once), then
        // its full facts (pods), then the source. Each period is decoded once: the refresh
        // takes those it finds unchanged from what the full read decoded.
        let cache = cache.remembering();
        for opening in [CacheMode::Rollup, CacheMode::Offline] {
            if let Ok(mut loaded) = source::load(&req.with_cache(&cache, opening)) {
                // Read from the cache alone, but not offline: the source is read next.
                if let Some(note) = loaded.cache.as_mut() {
                    note.offline_by_request = false;
                }
                let _ = cached_tx.send(Msg::Cached {
                    profile: index,
                    generation,
                    loaded: Box::new(loaded),
                });
            }
        }
        source::load(&req.with_cache(&cache, *mode))
    });
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut last = FetchProgress::default();
    loop {
        tokio::select! {
            joined = &mut read => {
                let result = match joined {
                    Ok(Ok(loaded)) => Ok(Box::new(loaded)),
                    Ok(Err(e)) => Err(diag::diagnose(&e)),
                    Err(e) => Err(internal_error(&e.to_string())),
                };
                let _ = tx.send(Msg::Fetched { profile: index, generation, result });
                return;
            }
            _ = tick.tick() => {
                let now = FetchProgress {
                    parts_done: progress.parts_done.load(Ordering::Relaxed),
                    parts_total: progress.parts_total.load(Ordering::Relaxed),
                    bytes_read: progress.bytes_read.load(Ordering::Relaxed),
                    bytes_total: progress.bytes_total.load(Ordering::Relaxed),
                    query_stage: progress.query_stage.load(Ordering::Relaxed),
                    scanned_bytes: progress.scanned_bytes.load(Ordering::Relaxed),
                    rows_fetched: progress.rows_fetched.load(Ordering::Relaxed),
                };
                if now != last {
                    last = now;
                    if tx.send(Msg::Progress { profile: index, generation, progress: now }).is_err() {
                        progress.cancel();
                        return;
                    }
                }
            }
        }
    }
}

/// The diagnosis of a read that stopped on a bug (a panic): what it said, and where its full
/// text and backtrace were logged.
pub(crate) fn internal_error(seen: &str) -> Diagnosis {
    let mut seen = vec![seen.to_string()];
    if let Some(log) = crate::panics::current_log() {
        seen.push(format!("details and backtrace: {}", log.display()));
    }
    Diagnosis {
        code: crate::diag::DiagCode::InternalError,
        severity: Severity::Error,
        title: "the read stopped unexpectedly".into(),
        seen,
        causes: vec!["a bug in curtop".into()],
        fixes: vec![
            "press r to retry, q to quit".into(),
            "run `curtop report` on the same profile and report its output with the log above"
                .into(),
        ],
        docs: vec![],
    }
}

/// Standard base64 with padding (RFC 4648), for OSC 52.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn terminal_keys_map_to_curtop_keys() {
        use event::{KeyCode as C, KeyEvent};
        let k = |code, mods| key_of(&KeyEvent::new(code, mods));
        assert_eq!(k(C::Char('c'), KeyModifiers::CONTROL), Some(Key::ctrl('c')));
        assert_eq!(k(C::Char('G'), KeyModifiers::SHIFT), Some(Key::char('G')));
        assert_eq!(
            k(C::Enter, KeyModifiers::NONE),
            Some(Key::plain(KeyCode::Enter))
        );
        assert_eq!(k(C::F(5), KeyModifiers::NONE), None);
    }
}
