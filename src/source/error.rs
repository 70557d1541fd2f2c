//! Why a source could not produce facts. Each variant says what was seen and where; the
//! diagnostics layer maps them to codes and fixes.

use std::fmt;

/// A failed read of a CUR delivery.
#[derive(Debug)]
pub enum SourceError {
    /// A file or folder could not be read.
    Io { path: String, error: std::io::Error },
    /// No CUR delivery (manifest, partition folder or CUR file) under the path.
    NoDelivery { path: String, seen: Vec<String> },
    /// Several reports under the path: reading them together would double count.
    SeveralReports { path: String, reports: Vec<String> },
    /// A manifest that is not the JSON AWS writes.
    BadManifest { file: String, reason: String },
    /// Columns without which no cost can be computed.
    MissingColumns {
        file: String,
        columns: Vec<&'static str>,
    },
    /// A file curtop cannot read (FOCUS export, unknown compression, broken Parquet).
    Unreadable { file: String, reason: String },
    /// The window holds no billing period of the delivery.
    NothingInWindow {
        path: String,
        window: String,
        available: String,
    },
    /// A billing period's manifest changed during every one of several reads in a row.
    DeliveryChanging { manifest: String, restarts: usize },
    /// The read was cancelled (a refresh or quit replaced it).
    Cancelled,
    /// `--offline` and the cache holds nothing of the window.
    NotCached { profile: String, cache: String },
    /// An Athena call or query failed.
    Athena(Box<super::athena::AthenaFailure>),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, error } => write!(f, "cannot read {path}: {error}"),
            Self::NoDelivery { path, seen } => {
                write!(
                    f,
                    "no CUR delivery under {path}: no `*-Manifest.json`, no `year=/month=` Parquet folder, no CUR file"
                )?;
                if seen.is_empty() {
                    write!(f, " (the folder is empty)")
                } else {
                    write!(f, "; found: {}", seen.join(", "))
                }
            }
            Self::SeveralReports { path, reports } => write!(
                f,
                "{path} holds several reports ({}); point --cur at one report's folder so no cost is counted twice",
                reports.join(", ")
            ),
            Self::BadManifest { file, reason } => {
                write!(f, "manifest {file} is not a CUR manifest: {reason}")
            }
            Self::MissingColumns { file, columns } => write!(
                f,
                "{file} lacks the column(s) {} without which no cost can be computed; is this a Cost and Usage Report?",
                columns.join(", ")
            ),
            Self::Unreadable { file, reason } => write!(f, "cannot read {file}: {reason}"),
            Self::NothingInWindow {
                path,
                window,
                available,
            } => write!(
                f,
                "{path} has no billing data in the window {window}; it covers {available}"
            ),
            Self::DeliveryChanging { manifest, restarts } => write!(
                f,
                "{manifest} changed during each of {restarts} reads in a row (AWS is rewriting the report)"
            ),
            Self::Cancelled => write!(f, "the read was cancelled"),
            Self::NotCached { profile, cache } => write!(
                f,
                "nothing of profile `{profile}` in the window is cached in {cache}"
            ),
            Self::Athena(failure) => write!(f, "{failure}"),
        }
    }
}

impl std::error::Error for SourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}
