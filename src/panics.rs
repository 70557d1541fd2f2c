//! Panics that must not reach the terminal: one process-wide hook, installed once, that keeps
//! quiet for code run under [`catch_quietly`] (a dependency panicking on a corrupt file: the
//! caller turns it into a diagnosis) and, while [`log_to`] has named a file (the dashboard's
//! alternate screen is up), appends the message and a backtrace there instead of printing over
//! the screen. Otherwise the hook that was in place before prints as usual.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

thread_local! {
    /// Set while this thread runs under [`catch_quietly`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// The message of the last quiet panic on this thread.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Where loud panics go while the dashboard owns the terminal.
static LOG: Mutex<Option<PathBuf>> = Mutex::new(None);
static INSTALL: Once = Once::new();

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Installs the hook (once); the hook in place before it handles what it does not.
fn install() {
    INSTALL.call_once(|| {
        let previous: Hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| hook(info, &previous)));
    });
}

fn hook(info: &PanicHookInfo<'_>, previous: &Hook) {
    let message = describe(info);
    if QUIET.with(Cell::get) {
        CAUGHT.with(|c| *c.borrow_mut() = Some(message));
        return;
    }
    let log = LOG.lock().ok().and_then(|l| l.clone());
    if let Some(path) = log {
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| {
                let backtrace = std::backtrace::Backtrace::force_capture();
                let thread = std::thread::current();
                let name = thread.name().unwrap_or("unnamed");
                writeln!(f, "thread '{name}' panicked: {message}\n{backtrace}")
            });
        if written.is_ok() {
            return;
        }
    }
    previous(info);
}

/// `MESSAGE (at FILE:LINE)`, a dependency's file named from its crate folder on.
fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    match info.location() {
        Some(l) => {
            let file = l.file();
            // `~/.cargo/registry/src/index.crates.io-HASH/parquet-60.1.0/src/…`: from the crate on.
            let file = file
                .find("/index.crates.io-")
                .and_then(|i| file[i + 1..].split_once('/'))
                .map_or(file, |(_, rest)| rest);
            format!("{text} (at {file}:{})", l.line())
        }
        None => text.to_string(),
    }
}

/// Runs `f`; a panic inside it is caught and returned as its message, and nothing is printed.
/// For code that may panic on hostile input it does not own (a dependency's decoder).
pub fn catch_quietly<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install();
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.map_err(|_| {
        CAUGHT
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// Sends panics (outside [`catch_quietly`]) to `path` until the guard is dropped.
pub fn log_to(path: &Path) -> LogGuard {
    install();
    if let Ok(mut l) = LOG.lock() {
        *l = Some(path.to_path_buf());
    }
    LogGuard
}

/// Panics print as usual again when this is dropped.
pub struct LogGuard;

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Ok(mut l) = LOG.lock() {
            *l = None;
        }
    }
}

/// Where the dashboard logs panics: `curtop-panic.log` in the user's cache folder (created),
/// else in the temporary folder.
pub fn dashboard_log_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "curtop")
        .map(|d| d.cache_dir().to_path_buf())
        .filter(|d| std::fs::create_dir_all(d).is_ok())
        .unwrap_or_else(std::env::temp_dir)
        .join("curtop-panic.log")
}

/// The file panics are being logged to, if any.
pub fn current_log() -> Option<PathBuf> {
    LOG.lock().ok().and_then(|l| l.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_panic_becomes_its_message() {
        let r: Result<(), String> = catch_quietly(|| panic!("offset out of bounds"));
        let msg = r.err().unwrap_or_default();
        assert!(msg.contains("offset out of bounds"), "{msg}");
        assert!(msg.contains("src/panics.rs"), "{msg}");
        assert_eq!(catch_quietly(|| 7), Ok(7));
    }

    #[test]
    fn a_logged_panic_goes_to_the_file() {
        let dir = std::env::temp_dir().join(format!("curtop-panics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("panic.log");
        let guard = log_to(&path);
        assert_eq!(current_log().as_deref(), Some(path.as_path()));
        let joined = std::thread::spawn(|| panic!("drawn over the screen")).join();
        drop(guard);
        assert!(joined.is_err());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("drawn over the screen"), "{text}");
        assert_eq!(current_log(), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
