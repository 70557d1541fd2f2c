//! The dashboard's state and its only writer, [`update`](fn@update): a message in (a key, a
//! resize, a fetch's progress or result), commands out (start a fetch, copy text). Plain
//! synchronous Rust, tested by replaying messages; the runtime owns the terminal and the tasks.
//!
//! - `state`: [`App`] and the types it holds ([`Job`], [`JobState`], [`Mode`], ...), its queries
//! - `msg`: [`Msg`] in, [`Cmd`] out
//! - `update`: [`update`](fn@update) and the state changes several inputs share
//! - `keys`: the key handlers per mode; `command`: the `:` line; `window_picker`
//! - [`nav`]: the drill-down stack of [`nav::LevelState`]s

pub mod command;
mod keys;
pub mod memo;
mod msg;
pub mod nav;
mod state;
mod update;
mod window_picker;

pub use command::run_command;
pub use msg::{Cmd, Msg};
pub use state::{
    App, DoctorRun, DrawMode, FetchProgress, Job, JobState, Mode, current_kind, fetch_span,
    resolve_view, share,
};
pub use update::update;
pub use window_picker::WINDOW_CHOICES;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
