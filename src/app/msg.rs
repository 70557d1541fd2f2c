//! What goes into [`update`](fn@super::update) ([`Msg`]: keys, resizes, fetch and check
//! results) and what comes out ([`Cmd`]: work for the runtime).

use super::state::FetchProgress;
use crate::config::keys::Key;
use crate::diag::Diagnosis;
use crate::source::Loaded;
use crate::window::WindowSpec;

/// Something that happened.
#[derive(Debug)]
pub enum Msg {
    Key(Key),
    Resize(u16, u16),
    Progress {
        profile: usize,
        generation: u64,
        progress: FetchProgress,
    },
    Fetched {
        profile: usize,
        generation: u64,
        result: Result<Box<Loaded>, Diagnosis>,
    },
    /// The cached facts of a fetch still running: shown at once, replaced when it ends.
    Cached {
        profile: usize,
        generation: u64,
        loaded: Box<Loaded>,
    },
    /// One `doctor` check of a profile ended.
    DoctorCheck {
        profile: usize,
        generation: u64,
        check: Box<crate::diag::doctor::Check>,
    },
    /// A profile's `doctor` run ended.
    DoctorDone {
        profile: usize,
        generation: u64,
    },
    /// SIGHUP, SIGTERM, SIGINT: leave now.
    Quit,
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Read a profile's data covering `window`; answer with `Progress`/`Fetched` of `generation`.
    Fetch {
        profile: usize,
        generation: u64,
        window: WindowSpec,
    },
    /// Put text on the user's clipboard (OSC 52).
    Copy(String),
    /// Run a profile's integration checks; answer with `DoctorCheck`s and `DoctorDone`.
    /// `read_failed`: the diagnosis of the fetch that just failed (the data is not read again).
    Doctor {
        profile: usize,
        generation: u64,
        read_failed: Option<Box<Diagnosis>>,
    },
}
